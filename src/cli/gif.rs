//! `descent gif`: the descent as an animated GIF, rendered without a window by the same renderer as the app's
//! Export → GIF ([`crate::export::gif`]): the parabola (or with `--bias` the contour map) with the path, and the
//! loss inset. One run from the engine options, or with `--session FILE` a saved session's visible runs, each
//! replayed as `descent replay` replays it, in one picture with a legend.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use super::EngineArgs;
use super::common::{CliError, EXIT_OK, check_cycle_length, setup};
use crate::engine::Dataset;
use crate::engine::trainer::{Record, Status};
use crate::export::gif::{MAX_FRAMES, MAX_SIZE, MIN_SIZE};
use crate::export::{ExportReport, GifInfo, GifOptions, GifRun, GifTheme, animate_run, export_runs_gif_file};
use crate::history::History;
use crate::session::Session;

/// `descent gif`.
/// The most updates an animation runs: a few seconds of work at most, where 1,000 frames show every 10⁴th state.
pub const GIF_MAX_STEPS: u64 = 10_000_000;

/// The ids of the engine options, which define a run and so conflict with `--session` (clap's group of a flattened
/// [`EngineArgs`] holds none of them; a test checks this list against [`EngineArgs`]' arguments).
const RUN_OPTIONS: [&str; 31] = [
    "data",
    "bias",
    "loss",
    "huber_delta",
    "gradient",
    "precision",
    "optimizer",
    "lr",
    "momentum",
    "dampening",
    "nesterov",
    "weight_decay",
    "lr_decay",
    "initial_accumulator_value",
    "alpha",
    "centered",
    "beta1",
    "beta2",
    "eps",
    "amsgrad",
    "w0",
    "b0",
    "batch_size",
    "seed",
    "objective",
    "noise",
    "line_search",
    "armijo_c",
    "backtrack",
    "standardize",
    "ScheduleArgs",
];

#[derive(Debug, Args)]
pub struct GifArgs {
    /// Engine options.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Draw a saved session's visible runs, each replayed as `descent replay` does, in one picture with a legend
    /// (instead of the one run of the engine options). They must pose the same problem.
    #[arg(long, value_name = "FILE", conflicts_with_all = RUN_OPTIONS)]
    pub session: Option<PathBuf>,
    /// Number of updates, 1 to 10⁷ (an animation of at most 1,000 frames shows no more); with --session, of each
    /// run saved before it took a step (the others replay their own steps).
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=GIF_MAX_STEPS))]
    pub steps: u64,
    /// Number of frames, 1 to 1000, spread evenly over the steps; a frame that would repeat the one before it (fewer
    /// steps than frames, or every run ended) is not written, and the one before is shown longer instead.
    #[arg(long, value_name = "F", value_parser = parse_frames)]
    pub frames: usize,
    /// Width and height in pixels, each 64 to 4096, e.g. 640x400.
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub size: [u32; 2],
    /// The GIF file to write.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Colours.
    #[arg(long, value_enum, default_value_t = GifTheme::Dark)]
    pub theme: GifTheme,
    /// The run colours: default, or colorblind (Okabe–Ito's colour-blind-safe set).
    #[arg(long, value_enum, default_value_t = crate::run_look::RunPalette::Default)]
    pub palette: crate::run_look::RunPalette,
}

/// Runs the steps (or replays the session's runs), renders the frames and writes the file; reports it on `out`. A
/// diverged run is no error: the animation shows it, and a note on stderr says so.
pub(super) fn gif(a: &GifArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let (data, runs) = match &a.session {
        Some(path) => {
            check_out(&a.out)?;
            session_runs(path, a.steps)?
        }
        None => {
            let (data, settings) = setup(&a.engine)?;
            check_cycle_length(&settings, a.steps)?;
            check_out(&a.out)?;
            let (rows, status) = animate_run(&data, &settings, a.steps, None)?;
            // The first slot's colour, dash and marker, as the app's first run.
            let color = crate::presets::run_color(0);
            (data, vec![Animated { name: String::new(), color, settings, rows, status }])
        }
    };
    let (report, info) = render(a, &data, &runs)?;
    for run in &runs {
        if let Status::Diverged { step, why } = run.status {
            let what = match (why, crate::engine::diagnose::stop_clause(&run.settings, why)) {
                (crate::engine::trainer::Divergence::SingularHessian, _) => {
                    "stopped: Newton's Hessian is singular".to_string()
                }
                (_, Some(clause)) => format!("{}: {clause}", why.verb()),
                (_, None) => why.verb().to_string(),
            };
            let name =
                if runs.len() > 1 { format!("run {} ", crate::format::echo(&run.name, 60)) } else { String::new() };
            crate::cli::say_line(&format!("note: the {name}{what} at step {step}; the animation shows it"));
        }
    }
    let (frames, [width, height]) = (info.frames, a.size);
    writeln!(out, "{report} — {frames} frames of {width}×{height}")?;
    Ok(EXIT_OK)
}

/// A run ready to draw: its name, identity colour, starting settings, rows and how it ended.
struct Animated {
    name: String,
    color: [u8; 3],
    settings: crate::engine::Settings,
    rows: Vec<Record<f64>>,
    status: Status,
}

/// Renders the runs with progress on a terminal and writes the file.
fn render(a: &GifArgs, data: &Dataset, runs: &[Animated]) -> Result<(ExportReport, GifInfo), CliError> {
    let [width, height] = a.size;
    let opts =
        GifOptions { width, height, frames: a.frames, theme: a.theme, palette: a.palette, ..GifOptions::default() };
    let shown: Vec<GifRun<'_>> =
        runs.iter().map(|r| GifRun { name: &r.name, settings: &r.settings, rows: &r.rows, color: r.color }).collect();
    let mut progress = Progress::new(io::stderr().is_terminal());
    let result = export_runs_gif_file(&a.out, &opts, data, &shown, |done, total| progress.show(done, total));
    progress.finish();
    Ok(result?)
}

/// The session's data and its visible runs, each replayed as `descent replay` replays it (its settings timeline
/// applied at its steps, under the session's tolerance), thinned as the app thins long runs; a run saved before
/// it took a step animates `steps` steps from its start.
fn session_runs(path: &Path, steps: u64) -> Result<(Dataset, Vec<Animated>), CliError> {
    let session = Session::load(path).map_err(|e| CliError::Usage(e.to_string()))?;
    let data = session.dataset().map_err(|e| CliError::Usage(e.to_string()))?;
    let mut runs = Vec::new();
    for run in session.runs.iter().filter(|r| r.visible) {
        let name = crate::format::echo(&run.name, 60);
        let refused = |e: CliError| CliError::Usage(format!("{}: run {name}: {e}", path.display()));
        let (settings, _) = run.replay_plan();
        let (rows, status) = if run.steps == 0 {
            check_cycle_length(settings, steps).map_err(refused)?;
            animate_run(&data, settings, steps, session.tolerance).map_err(|e| refused(e.into()))?
        } else {
            let mut history = History::default();
            let status = session
                .replay_run::<CliError>(&data, run, |r| {
                    history.push(*r);
                    Ok(())
                })
                .map_err(refused)?;
            (history.iter().map(|r| r.record).collect(), status)
        };
        runs.push(Animated { name: run.name.clone(), color: run.colour, settings: settings.clone(), rows, status });
    }
    if runs.is_empty() {
        return Err(CliError::Usage(format!("{}: no visible run to draw", path.display())));
    }
    Ok((data, runs))
}

/// Fails early, before any work, when `path` names a directory or lies in a directory that does not exist.
fn check_out(path: &Path) -> Result<(), CliError> {
    let shown = path.display();
    if path.is_dir() {
        return Err(CliError::Usage(format!("--out {shown}: is a directory, not a file")));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(CliError::Usage(format!("--out {shown}: cannot be written: no directory {}", dir.display())));
    }
    Ok(())
}

/// "rendering frame 12/60" on one line of stderr, rewritten in place; silent when stderr is not a terminal.
struct Progress {
    on: bool,
    shown: bool,
}

impl Progress {
    fn new(on: bool) -> Progress {
        Progress { on, shown: false }
    }

    fn show(&mut self, done: usize, total: usize) {
        if self.on {
            crate::cli::say(&format!("\rrendering frame {done}/{total}"));
            let _ = io::stderr().flush();
            self.shown = true;
        }
    }

    /// Clears the line.
    fn finish(&mut self) {
        if self.shown {
            crate::cli::say("\r\x1b[K");
        }
    }
}

/// Parses `--size WxH` (for example `640x400`), each side [`MIN_SIZE`] to [`MAX_SIZE`] pixels.
fn parse_size(text: &str) -> Result<[u32; 2], String> {
    let bad = || format!("“{text}” is not a size like 640x400");
    let (w, h) = text.trim().split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let side = |v: &str| -> Result<u32, String> {
        let v: u32 = v.trim().parse().map_err(|_| bad())?;
        if (MIN_SIZE..=MAX_SIZE).contains(&v) {
            Ok(v)
        } else {
            Err(format!("{v} is outside {MIN_SIZE}…{MAX_SIZE} pixels"))
        }
    };
    Ok([side(w)?, side(h)?])
}

/// Parses `--frames F`, 1 to [`MAX_FRAMES`].
fn parse_frames(text: &str) -> Result<usize, String> {
    let n: usize = text.trim().parse().map_err(|_| format!("“{text}” is not a whole number"))?;
    if (1..=MAX_FRAMES).contains(&n) { Ok(n) } else { Err(format!("{n} is outside 1…{MAX_FRAMES} frames")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_frame_counts_are_checked() {
        assert_eq!(parse_size("640x400"), Ok([640, 400]));
        assert_eq!(parse_size(" 64X4096 "), Ok([64, 4096]));
        assert!(parse_size("63x400").unwrap_err().contains("64…4096"));
        assert!(parse_size("640x4097").is_err());
        assert!(parse_size("640").is_err());
        assert!(parse_size("axb").is_err());
        assert_eq!(parse_frames("1000"), Ok(1000));
        assert!(parse_frames("0").is_err());
        assert!(parse_frames("1001").is_err());
        assert!(parse_frames("-3").is_err());
    }

    /// `--session` conflicts with every engine option: the list names each of [`EngineArgs`]' own arguments and
    /// the schedule's group.
    #[test]
    fn session_conflicts_with_every_engine_option() {
        use clap::Args as _;
        let engine = EngineArgs::augment_args(clap::Command::new("engine"));
        let schedule = crate::cli::ScheduleArgs::augment_args(clap::Command::new("schedule"));
        let scheduled: Vec<&str> = schedule.get_arguments().map(|a| a.get_id().as_str()).collect();
        let mut own: Vec<&str> =
            engine.get_arguments().map(|a| a.get_id().as_str()).filter(|id| !scheduled.contains(id)).collect();
        own.push("ScheduleArgs");
        own.sort_unstable();
        let mut listed = RUN_OPTIONS.to_vec();
        listed.sort_unstable();
        assert_eq!(own, listed);
    }
}
