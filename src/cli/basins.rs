//! `descent basins`: the app's Basins map without the app. The settings started from the centre of every cell of a
//! G×G grid over (w, b), each run to the tolerance or the step budget ([`crate::par_map::map_rows`], the
//! tab's own computation), printed as one csv row per start (`w0,b0,outcome,w,b,steps`, rows from the bottom, w
//! increasing within a row), or as json with each basin's minimum and share; `--png` also draws the map.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::EngineArgs;
use super::common::{CliError, EXIT_OK, Progress, setup, tolerance};
use crate::engine::analysis::analyze;
use crate::engine::basins::{BasinPlan, Basins, End, MAX_STEPS, TOLERANCE, Tally, default_window, known_basins};
use crate::engine::model::Params;
use crate::export::basins::export_basins_png_file;
use crate::format::repr;
use crate::par_map::{Cancel, map_rows};

/// Output format of `basins`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BasinsFormat {
    /// `w0,b0,outcome,w,b,steps`, one row per start.
    Csv,
    /// The plan, each basin's minimum, starts and share, and the diverged and unfinished shares.
    Json,
}

/// A window of starts: w from `w[0]` to `w[1]`, b from `b[0]` to `b[1]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Window {
    /// w range.
    pub w: [f64; 2],
    /// b range.
    pub b: [f64; 2],
}

/// `descent basins`.
#[derive(Debug, Args)]
pub struct BasinsArgs {
    /// Engine options (two parameters: --bias, or an --objective).
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Cells across and up: G×G starts, at the cells' centres.
    #[arg(long, default_value_t = 100, value_name = "G", value_parser = clap::value_parser!(u32).range(1..=4000))]
    pub grid: u32,
    /// The starts' window (default: the app's, the known minima and saddles, or the optimum and the start, with room
    /// around them).
    #[arg(long, value_name = "W0:W1,B0:B1", allow_hyphen_values = true, value_parser = parse_window)]
    pub window: Option<Window>,
    /// Steps per start.
    #[arg(long, default_value_t = MAX_STEPS, value_name = "N")]
    pub max_steps: u64,
    /// A start has arrived once ‖gradient‖ ≤ this (default 1e-6, the app's).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub tol: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BasinsFormat::Csv)]
    pub format: BasinsFormat,
    /// Also draw the map as a PNG here.
    #[arg(long, value_name = "PATH")]
    pub png: Option<PathBuf>,
}

/// `W0:W1,B0:B1`, each a real number (as every real-valued flag reads it), W0 < W1 and B0 < B1.
fn parse_window(text: &str) -> Result<Window, String> {
    let usage = "expected W0:W1,B0:B1, e.g. -5:5,-5:5";
    let (w, b) = text.split_once(',').ok_or(usage)?;
    let range = |part: &str, name: &str| -> Result<[f64; 2], String> {
        let (lo, hi) = part.split_once(':').ok_or(usage)?;
        let (lo, hi) = (crate::cli::values::real(lo.trim())?, crate::cli::values::real(hi.trim())?);
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(format!("the {name} range {}:{} must be finite and increasing", repr(lo), repr(hi)));
        }
        Ok([lo, hi])
    };
    Ok(Window { w: range(w, "w")?, b: range(b, "b")? })
}

/// One basin in the json: its point (a known minimum, or the first end found there), and its starts.
#[derive(Serialize)]
struct BasinJson {
    minimum: Params<f64>,
    known: bool,
    starts: usize,
    share: f64,
}

/// A count of starts and its share of all of them.
#[derive(Serialize)]
struct Share {
    starts: usize,
    share: f64,
}

/// The json summary.
#[derive(Serialize)]
struct Summary {
    grid: [usize; 2],
    window: Window,
    max_steps: u64,
    tolerance: f64,
    starts: usize,
    basins: Vec<BasinJson>,
    diverged: Share,
    unfinished: Share,
}

/// Computes the map and writes it.
pub fn basins(a: &BasinsArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let (data, settings) = setup(&a.engine)?;
    if !settings.bias {
        return Err(CliError::Usage(
            "basins need two parameters: add --bias, or choose an --objective of (w, b)".into(),
        ));
    }
    let tolerance = tolerance(a.tol, TOLERANCE)?;
    let optimum = analyze(&data, &settings, settings.start()).optimum;
    let (w, b) = a.window.map_or_else(|| default_window(&settings, optimum), |win| (win.w, win.b));
    let g = a.grid as usize;
    let plan = BasinPlan { w, b, size: [g, g], max_steps: a.max_steps, tolerance };
    let mut rows: Vec<Vec<End>> = vec![Vec::new(); g];
    let mut progress = Progress::new("basins: rows", g);
    map_rows(&data, &settings, &plan, &Cancel::default(), |(j, ends)| {
        rows[j] = ends;
        progress.advance(1);
    });
    progress.finish();
    let start_basins = known_basins(&settings, optimum, &plan);
    let mut basins = start_basins.clone();
    let mut tally = Tally::default();
    for row in &rows {
        tally.add(&mut basins, row);
    }
    match a.format {
        BasinsFormat::Csv => write_csv(out, &plan, &rows)?,
        BasinsFormat::Json => write_json(out, &plan, &basins, &tally)?,
    }
    if let Some(path) = &a.png {
        export_basins_png_file(path, &plan, &rows, &start_basins)?;
    }
    Ok(EXIT_OK)
}

fn write_csv(out: &mut impl Write, plan: &BasinPlan, rows: &[Vec<End>]) -> Result<(), CliError> {
    writeln!(out, "w0,b0,outcome,w,b,steps")?;
    for (j, row) in rows.iter().enumerate() {
        for (i, end) in row.iter().enumerate() {
            let s = plan.start(i, j);
            let (w0, b0, w, b) = (repr(s.w), repr(s.b), repr(end.at.w), repr(end.at.b));
            writeln!(out, "{w0},{b0},{},{w},{b},{}", end.outcome.label(), end.steps)?;
        }
    }
    Ok(())
}

fn write_json(out: &mut impl Write, plan: &BasinPlan, basins: &Basins, tally: &Tally) -> Result<(), CliError> {
    let count = |k: usize| tally.per_basin.get(k).copied().unwrap_or(0);
    let summary = Summary {
        grid: plan.size,
        window: Window { w: plan.w, b: plan.b },
        max_steps: plan.max_steps,
        tolerance: plan.tolerance,
        starts: tally.done,
        basins: (basins.points.iter().enumerate())
            .map(|(k, &minimum)| BasinJson {
                minimum,
                known: k < basins.known,
                starts: count(k),
                share: tally.share(count(k)),
            })
            .collect(),
        diverged: Share { starts: tally.diverged, share: tally.share(tally.diverged) },
        unfinished: Share { starts: tally.unfinished, share: tally.share(tally.unfinished) },
    };
    serde_json::to_writer_pretty(&mut *out, &summary).map_err(|e| CliError::Io(e.into()))?;
    writeln!(out)?;
    Ok(())
}
