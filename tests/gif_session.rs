//! `descent gif --session FILE`, through the real binary: a session's runs drawn in one GIF, each in its own colour
//! with a legend naming it; the one-line errors (exit 2) for runs that cannot share a picture and for engine
//! options given with a session.

mod common;

use std::path::{Path, PathBuf};

use common::{descent, stderr, stdout};
use descent::engine::objective::{Builtin, Objective};
use descent::engine::{Dataset, OptimizerConfig, OptimizerKind, Settings};
use descent::presets::run_color;
use descent::run_look::COLORBLIND_RUN_COLORS;
use descent::session::{Session, SessionRun};

/// Writes a session on the notebook's data with `runs` (name, settings, steps), coloured by slot.
fn write_session(dir: &Path, file: &str, runs: &[(&str, Settings, u64)]) -> PathBuf {
    let mut s = Session::new(&Dataset::notebook());
    for (slot, (name, settings, steps)) in runs.iter().enumerate() {
        let mut run = SessionRun::new(*name, settings.clone(), run_color(slot));
        run.steps = *steps;
        s.runs.push(run);
    }
    let path = dir.join(file);
    s.save(&path).expect("the session saves");
    path
}

fn with_bias(kind: OptimizerKind, lr: f64) -> Settings {
    Settings { bias: true, optimizer: OptimizerConfig::new(kind, lr), ..Settings::default() }
}

/// Every frame of a GIF composed onto the canvas (RGB, row-major), as a viewer shows them, and the delays.
fn frames(path: &Path) -> (usize, Vec<Vec<u8>>, Vec<u16>) {
    let file = std::fs::File::open(path).expect("the GIF exists");
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(std::io::BufReader::new(file)).expect("a GIF header");
    let (width, height) = (usize::from(decoder.width()), usize::from(decoder.height()));
    let mut canvas = vec![0u8; width * height * 3];
    let (mut out, mut delays) = (Vec::new(), Vec::new());
    while let Some(frame) = decoder.read_next_frame().expect("a valid frame") {
        let (left, top, w) = (usize::from(frame.left), usize::from(frame.top), usize::from(frame.width));
        for (i, px) in frame.buffer.chunks_exact(4).enumerate() {
            if px[3] != 0 {
                let at = ((top + i / w) * width + left + i % w) * 3;
                canvas[at..at + 3].copy_from_slice(&px[..3]);
            }
        }
        out.push(canvas.clone());
        delays.push(frame.delay);
    }
    (width, out, delays)
}

/// Pixels of exactly `rgb` in the rectangle [x0, x1) × [y0, y1) of an RGB image `width` wide.
fn count(rgb: &[u8], width: usize, [x0, x1, y0, y1]: [usize; 4], colour: [u8; 3]) -> usize {
    (y0..y1).flat_map(|y| (x0..x1).map(move |x| (y * width + x) * 3)).filter(|&i| rgb[i..i + 3] == colour).count()
}

#[test]
fn a_sessions_two_runs_are_drawn_in_their_colours_with_a_legend() {
    let dir = tempfile::tempdir().expect("temp dir");
    let session = write_session(
        dir.path(),
        "two.json",
        &[("slow SGD", with_bias(OptimizerKind::Sgd, 0.01), 40), ("Adam", with_bias(OptimizerKind::Adam, 0.3), 120)],
    );
    let out = dir.path().join("two.gif");
    let args = ["gif", "--session", session.to_str().expect("utf-8"), "--frames", "30", "--size", "640x400"];
    let run = descent(&[&args[..], &["--out", out.to_str().expect("utf-8")]].concat());
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(stdout(&run).contains("30 frames of 640×400"), "{}", stdout(&run));
    let (width, frames, _) = frames(&out);
    assert_eq!(frames.len(), 30, "120 steps give 30 distinct frames");
    let last = frames.last().expect("a frame");
    // The main plot is the left two thirds; the right column holds the loss inset above the legend.
    let (sgd, adam) = (run_color(0), run_color(1));
    for colour in [sgd, adam] {
        let main = count(last, width, [0, 420, 60, 400], colour);
        assert!(main >= 40, "{colour:?}: the run's path and point in the main plot: {main} pixels");
        let legend = count(last, width, [440, 640, 280, 400], colour);
        assert!(legend >= 12, "{colour:?}: the run's swatch in the legend: {legend} pixels");
    }
    assert!(frames.windows(2).all(|w| w[0] != w[1]), "no two consecutive frames are the same");
}

#[test]
fn the_colour_blind_palette_draws_okabe_ito_colours() {
    let dir = tempfile::tempdir().expect("temp dir");
    let session = write_session(
        dir.path(),
        "two.json",
        &[("GD", with_bias(OptimizerKind::Gd, 0.05), 30), ("momentum", with_bias(OptimizerKind::Sgd, 0.02), 30)],
    );
    let out = dir.path().join("cb.gif");
    let s = session.to_str().expect("utf-8");
    let o = out.to_str().expect("utf-8");
    let run =
        descent(&["gif", "--session", s, "--frames", "5", "--size", "640x400", "--out", o, "--palette", "colorblind"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let (width, frames, _) = frames(&out);
    let last = frames.last().expect("a frame");
    let all = [0, width, 0, 400];
    for (slot, okabe) in COLORBLIND_RUN_COLORS.iter().enumerate().take(2) {
        assert!(count(last, width, all, *okabe) > 30, "Okabe–Ito's colour {slot}");
        assert_eq!(count(last, width, all, run_color(slot)), 0, "not the default colour {slot}");
    }
}

#[test]
fn runs_that_cannot_share_a_picture_are_a_one_line_error_naming_both() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rosenbrock = Settings {
        objective: Some(Objective::builtin(Builtin::Rosenbrock)),
        gradient: descent::engine::GradientSource::Autodiff,
        ..with_bias(OptimizerKind::Adam, 0.01)
    };
    let cases: [(&str, Settings, &str); 3] = [
        ("no bias", Settings::default(), "without a bias"),
        ("Rosenbrock", rosenbrock, "f(w, b) = (1 - w)^2"),
        ("MAE fit", Settings { loss: descent::engine::LossKind::Mae, ..with_bias(OptimizerKind::Gd, 0.01) }, "MAE"),
    ];
    for (k, (name, other, why)) in cases.into_iter().enumerate() {
        let session = write_session(
            dir.path(),
            &format!("bad{k}.json"),
            &[("biased", with_bias(OptimizerKind::Gd, 0.01), 10), (name, other, 10)],
        );
        let out = dir.path().join(format!("bad{k}.gif"));
        let run = descent(&[
            "gif",
            "--session",
            session.to_str().expect("utf-8"),
            "--frames",
            "5",
            "--size",
            "200x200",
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(2), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: one line: {err}");
        assert!(err.contains("“biased”") && err.contains(&format!("“{name}”")) && err.contains(why), "{err}");
        assert!(!out.exists(), "{name}: nothing written");
    }
}

#[test]
fn engine_options_with_a_session_are_a_one_line_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let session = write_session(dir.path(), "one.json", &[("GD", Settings::default(), 10)]);
    let s = session.to_str().expect("utf-8");
    let out = dir.path().join("x.gif");
    let o = out.to_str().expect("utf-8");
    for extra in [["--lr", "0.1"], ["--objective", "rosenbrock"], ["--schedule", "step"], ["--data", "noisy"]] {
        let mut args = vec!["gif", "--session", s, "--frames", "5", "--size", "200x200", "--out", o];
        args.extend_from_slice(&extra);
        let run = descent(&args);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(2), "{extra:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{extra:?}: one line: {err}");
        assert!(err.contains("--session") && err.contains(extra[0]), "{extra:?}: {err}");
        assert!(!out.exists(), "{extra:?}: nothing written");
    }
}
