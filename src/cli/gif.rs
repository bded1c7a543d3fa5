//! `descent gif`: the descent as an animated GIF, rendered without a window by the same renderer as the app's
//! Export → GIF ([`crate::export::gif`]): the parabola (or with `--bias` the contour map) with the path, and the
//! loss inset.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use super::EngineArgs;
use super::common::{CliError, EXIT_OK, check_cycle_length, setup};
use crate::engine::trainer::{DynTrainer, Status};
use crate::export::gif::{MAX_FRAMES, MAX_SIZE, MIN_SIZE};
use crate::export::{GifOptions, GifTheme, export_gif_file_with_progress};
use crate::history::History;

/// `descent gif`.
/// The most updates an animation runs: a few seconds of work at most, where 1,000 frames show every 10⁴th state.
pub const GIF_MAX_STEPS: u64 = 10_000_000;

#[derive(Debug, Args)]
pub struct GifArgs {
    /// Engine options.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Number of updates, 1 to 10⁷ (an animation of at most 1,000 frames shows no more).
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=GIF_MAX_STEPS))]
    pub steps: u64,
    /// Number of frames, 1 to 1000, spread evenly over the steps (states repeat when there are fewer steps).
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

/// Runs the steps, renders the frames and writes the file; reports it on `out`. A diverged run is no error: the
/// animation shows it, and a note on stderr says so.
pub(super) fn gif(a: &GifArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let (data, settings) = setup(&a.engine)?;
    check_cycle_length(&settings, a.steps)?;
    check_out(&a.out)?;
    let mut trainer = DynTrainer::new(&data, &settings)?;
    // Bounded memory for any number of steps: long runs are thinned as the app thins them.
    let mut history = History::default();
    history.push(trainer.record());
    let status = trainer.run(a.steps, |r| history.push(*r));
    let rows: Vec<_> = history.iter().map(|r| r.record).collect();
    let [width, height] = a.size;
    let opts =
        GifOptions { width, height, frames: a.frames, theme: a.theme, palette: a.palette, ..GifOptions::default() };
    let mut progress = Progress::new(io::stderr().is_terminal());
    let report = export_gif_file_with_progress(&a.out, &opts, &data, &settings, &rows, |done, total| {
        progress.show(done, total);
    });
    progress.finish();
    let report = report?;
    if let Status::Diverged { step, why } = status {
        let what = match (why, crate::engine::diagnose::stop_clause(&settings, why)) {
            (crate::engine::trainer::Divergence::SingularHessian, _) => "stopped: Newton's Hessian is singular".into(),
            (_, Some(clause)) => format!("{}: {clause}", why.verb()),
            (_, None) => why.verb().to_string(),
        };
        crate::cli::say_line(&format!("note: the run {what} at step {step}; the animation shows it"));
    }
    writeln!(out, "{report} — {} frames of {width}×{height}", a.frames)?;
    Ok(EXIT_OK)
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
}
