//! The descent as an animated GIF, drawn in software from the recorded histories of one run or several.
//!
//! Each frame shows every run up to one step of a shared timeline (frames are spread evenly over the longest
//! run's steps; a run that ended stays at its last state): without a bias, the loss curve L(w) with the paths
//! walking down it, the current points and their tangents; with a bias, the (w, b) loss surface as contour bands
//! with the paths and the steepest-descent directions. The view stays fixed for the whole animation.
//!
//! Encoding: one global palette of up to 255 colours chosen from the frames themselves (the exact theme colours
//! and the runs' colours always included), and after the first frame only the rectangle that changed, with
//! unchanged pixels inside it transparent. The background stays identical from frame to frame (no palette
//! flicker) and files stay small. A frame that would show the same picture as the one before is never written:
//! the one before is held for its time instead.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use ::gif::{DisposalMethod, Encoder, EncodingError, Frame, Repeat};

use super::paint::{Canvas, Rgb};
use super::scene::Scene;
pub use super::scene::{
    GifOptions, GifRun, MAX_DELAY_MS, MAX_FRAMES, MAX_SIZE, MIN_DELAY_MS, MIN_SIZE, check_shared_picture,
};
use super::{CountingWriter, ExportError, ExportReport, write_file};
use crate::engine::Dataset;
use crate::engine::settings::Settings;
use crate::engine::trainer::{DynTrainer, Record, Status};
use crate::format::echo;
use crate::history::History;

/// What [`render_descent_gif`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GifInfo {
    /// Frames in the animation: the frames asked for, less those that would have repeated the one before (their
    /// time is added to it).
    pub frames: usize,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size of the GIF in bytes.
    pub bytes: u64,
}

/// The steps shown by each of `frames` frames of a timeline from step `first` to step `last`: spread evenly, the
/// first and the last included; with more frames than steps, each step in as many frames, give or take one.
fn frame_steps(frames: usize, first: u64, last: u64) -> Vec<u64> {
    let span = last.saturating_sub(first);
    (0..frames)
        .map(|k| {
            if frames == 1 {
                last
            } else if (frames as u64) <= span.saturating_add(1) {
                // Rounded k·span/(frames − 1) in integers: exact for any history length, first and last included.
                let (k, span, gaps) = (k as u128, u128::from(span), (frames - 1) as u128);
                first + ((k * span + gaps / 2) / gaps) as u64
            } else {
                // More frames than steps: each step gets the same number of frames, give or take one.
                first + (k as u128 * (u128::from(span) + 1) / frames as u128) as u64
            }
        })
        .collect()
}

/// The last row of `rows` (sorted by step) at or before `step`; the first row when all come later.
fn row_at(rows: &[Record<f64>], step: u64) -> usize {
    rows.partition_point(|r| r.step <= step).saturating_sub(1)
}

/// The row shown by each of `frames` frames of a history `rows` (sorted by step): the steps shown are spread
/// evenly from the first row's step to the last one's, and each frame shows the last row at or before its step.
/// A history with fewer steps than frames shows some rows in several frames (the GIF then writes one frame, held
/// longer), and a thinned history (whose old rows are sparse) still moves through the steps at an even pace.
/// Empty when `frames` is 0 or there are no rows.
pub fn frame_rows(frames: usize, rows: &[Record<f64>]) -> Vec<usize> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Vec::new();
    };
    frame_steps(frames, first.step, last.step).into_iter().map(|step| row_at(rows, step)).collect()
}

/// The rows shown by each of `frames` frames of several runs sharing one timeline: the steps are spread over the
/// longest run's (from the earliest first step to the latest last step), and each frame shows each run's last row
/// at or before its step, so a run that ended stays at its last state. One index per run per frame; empty when
/// `frames` is 0 or no run has rows.
pub fn frame_states(frames: usize, runs: &[GifRun<'_>]) -> Vec<Vec<usize>> {
    let first = runs.iter().filter_map(|r| r.rows.first()).map(|r| r.step).min();
    let last = runs.iter().filter_map(|r| r.rows.last()).map(|r| r.step).max();
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    frame_steps(frames, first, last)
        .into_iter()
        .map(|step| runs.iter().map(|run| row_at(run.rows, step)).collect())
        .collect()
}

/// The single run of the one-run functions: its rows and settings, in the options' run colour.
fn one<'a>(opts: &GifOptions, settings: &'a Settings, rows: &'a [Record<f64>]) -> [GifRun<'a>; 1] {
    [GifRun { name: "run", settings, rows, color: opts.run_color }]
}

/// Renders the animation of a run into `out`.
///
/// `rows` is the run's history (as recorded by the trainer: row 0 the start, then one per update; or thinned, as
/// the app keeps long runs), `settings` the settings that produced it (for the landscape and the title), `data`
/// its dataset.
///
/// # Errors
/// [`ExportError::InvalidOption`] for options out of range, [`ExportError::Nothing`] for an empty history or
/// dataset, [`ExportError::Config`] for invalid settings, [`ExportError::Stream`] when writing fails.
pub fn render_descent_gif(
    opts: &GifOptions,
    data: &Dataset,
    settings: &Settings,
    rows: &[Record<f64>],
    out: impl Write,
) -> Result<GifInfo, ExportError> {
    render_runs_gif(opts, data, &one(opts, settings, rows), out, |_, _| {})
}

/// [`render_descent_gif`], calling `progress(done, total)` after each frame is encoded.
///
/// # Errors
/// As [`render_descent_gif`].
pub fn render_descent_gif_with_progress(
    opts: &GifOptions,
    data: &Dataset,
    settings: &Settings,
    rows: &[Record<f64>],
    out: impl Write,
    progress: impl FnMut(usize, usize),
) -> Result<GifInfo, ExportError> {
    render_runs_gif(opts, data, &one(opts, settings, rows), out, progress)
}

/// Renders the animation of `runs` (one or several, on one dataset) into `out`, calling `progress(done, total)`
/// after each frame asked for. All runs share one view and one timeline ([`frame_states`]); each is drawn in its
/// own colour, dash and marker, and with several, the legend names them. A frame that would repeat the one before
/// it (no run moved, or nothing visible changed) is not written: the one before is held for its time instead, so
/// no two consecutive frames are the same.
///
/// # Errors
/// As [`render_descent_gif`], [`ExportError::Nothing`] naming a run without rows, and
/// [`ExportError::Incompatible`] for runs that cannot share one picture ([`check_shared_picture`]).
pub fn render_runs_gif(
    opts: &GifOptions,
    data: &Dataset,
    runs: &[GifRun<'_>],
    out: impl Write,
    mut progress: impl FnMut(usize, usize),
) -> Result<GifInfo, ExportError> {
    let scene = prepare(opts, data, runs)?;
    let shown = frame_states(opts.frames, runs);
    let mut canvas = scene.canvas().ok_or_else(|| frame_error(opts))?;
    let mut palette = sample_palette(&scene, &shown, &mut canvas);

    let mut writer = CountingWriter { inner: out, count: 0 };
    let mut encoder =
        Encoder::new(&mut writer, opts.width as u16, opts.height as u16, &palette.table()).map_err(encoding_error)?;
    if opts.looping {
        // Without this extension a GIF plays once; a repeat count of 0 would mean "forever" to most viewers.
        encoder.set_repeat(Repeat::Infinite).map_err(encoding_error)?;
    }
    let delay = centiseconds(opts.frame_delay_ms);
    let hold = if opts.hold_last_ms == 0 { delay } else { centiseconds(opts.hold_last_ms) };
    // The frame waiting to be written: a later frame that changes nothing adds its time to it.
    let mut pending: Option<Frame<'static>> = None;
    let mut previous: Option<(&[usize], Vec<Rgb>)> = None;
    let mut written = 0;
    for (k, upto) in shown.iter().enumerate() {
        let time = if k + 1 == shown.len() { hold } else { delay };
        let frame = match &previous {
            // A state shown again: nothing changed.
            Some((state, _)) if *state == upto.as_slice() => None,
            Some((_, before)) => {
                scene.render(upto, &mut canvas);
                changed_part(&canvas, before, &mut palette)
            }
            None => {
                scene.render(upto, &mut canvas);
                let indices: Vec<u8> = canvas.pixels().map(|p| palette.index(p)).collect();
                Some(Frame::from_indexed_pixels(opts.width as u16, opts.height as u16, indices, None))
            }
        };
        match (frame, &mut pending) {
            (None, Some(held)) => held.delay = held.delay.saturating_add(time),
            (None, None) => {}
            (Some(mut frame), _) => {
                if let Some(held) = pending.take() {
                    encoder.write_frame(&held).map_err(encoding_error)?;
                    written += 1;
                }
                frame.delay = time;
                // Keep: each frame paints over the last, so unchanged pixels need not be sent again.
                frame.dispose = DisposalMethod::Keep;
                pending = Some(frame);
                match &mut previous {
                    Some((_, before)) => {
                        before.clear();
                        before.extend(canvas.pixels());
                    }
                    None => previous = Some((upto.as_slice(), canvas.pixels().collect())),
                }
            }
        }
        if let Some((state, _)) = &mut previous {
            *state = upto.as_slice();
        }
        progress(k + 1, shown.len());
    }
    if let Some(held) = pending {
        encoder.write_frame(&held).map_err(encoding_error)?;
        written += 1;
    }
    encoder.into_inner().map_err(encoding_error)?;
    writer.flush()?;
    Ok(GifInfo { frames: written, width: opts.width, height: opts.height, bytes: writer.count })
}

/// The palette of the animation, from the first, middle and last frames, which between them hold nearly every
/// colour; the theme's exact inks and the runs' colours always among them. Leaves `canvas` drawn with some frame.
fn sample_palette(scene: &Scene<'_>, shown: &[Vec<usize>], canvas: &mut Canvas) -> Palette {
    let mut counts: HashMap<Rgb, u64> = HashMap::new();
    let mut samples = vec![&shown[0], &shown[shown.len() / 2], &shown[shown.len() - 1]];
    samples.dedup();
    for upto in samples {
        scene.render(upto, canvas);
        for p in canvas.pixels() {
            *counts.entry(p).or_insert(0) += 1;
        }
    }
    let mut exact = scene.inks().exact();
    exact.extend(scene.run_colours());
    Palette::new(counts, &exact)
}

/// Renders the animation and writes it to `path` atomically.
///
/// # Errors
/// As [`render_descent_gif`], and [`ExportError::File`] naming `path`.
pub fn export_gif_file(
    path: &Path,
    opts: &GifOptions,
    data: &Dataset,
    settings: &Settings,
    rows: &[Record<f64>],
) -> Result<ExportReport, ExportError> {
    export_gif_file_with_progress(path, opts, data, settings, rows, |_, _| {})
}

/// [`export_gif_file`], calling `progress(done, total)` after each frame is encoded.
///
/// # Errors
/// As [`export_gif_file`].
pub fn export_gif_file_with_progress(
    path: &Path,
    opts: &GifOptions,
    data: &Dataset,
    settings: &Settings,
    rows: &[Record<f64>],
    progress: impl FnMut(usize, usize),
) -> Result<ExportReport, ExportError> {
    export_runs_gif_file(path, opts, data, &one(opts, settings, rows), progress).map(|(report, _)| report)
}

/// Renders the animation of `runs` ([`render_runs_gif`]) and writes it to `path` atomically; says where, how
/// much, and how many frames.
///
/// # Errors
/// As [`render_runs_gif`], and [`ExportError::File`] naming `path`.
pub fn export_runs_gif_file(
    path: &Path,
    opts: &GifOptions,
    data: &Dataset,
    runs: &[GifRun<'_>],
    progress: impl FnMut(usize, usize),
) -> Result<(ExportReport, GifInfo), ExportError> {
    let mut bytes = Vec::new();
    let info = render_runs_gif(opts, data, runs, &mut bytes, progress)?;
    Ok((write_file(path, &bytes)?, info))
}

/// One frame of the animation as RGBA pixels (row-major, `width × height × 4` bytes, fully opaque), before the
/// GIF's reduction to 255 colours: for previews and still images. `frame` counts from 0 to `opts.frames − 1`;
/// larger values give the last frame.
///
/// # Errors
/// As [`render_descent_gif`].
pub fn render_descent_frame(
    opts: &GifOptions,
    data: &Dataset,
    settings: &Settings,
    rows: &[Record<f64>],
    frame: usize,
) -> Result<Vec<u8>, ExportError> {
    render_runs_frame(opts, data, &one(opts, settings, rows), frame)
}

/// One frame of the animation of `runs`, as [`render_descent_frame`].
///
/// # Errors
/// As [`render_runs_gif`].
pub fn render_runs_frame(
    opts: &GifOptions,
    data: &Dataset,
    runs: &[GifRun<'_>],
    frame: usize,
) -> Result<Vec<u8>, ExportError> {
    let scene = prepare(opts, data, runs)?;
    let shown = frame_states(opts.frames, runs);
    let mut canvas = scene.canvas().ok_or_else(|| frame_error(opts))?;
    if let Some(upto) = shown.get(frame).or(shown.last()) {
        scene.render(upto, &mut canvas);
    }
    Ok(canvas.rgba())
}

/// The rows of a run of `settings` on `data` from its start for up to `steps` updates, the start first, stopping
/// where it converges (‖∇L‖ ≤ `tolerance`) or diverges; long runs thinned as the app thins them, so memory stays
/// bounded for any number of steps. What `descent gif` animates, and the app's export of a run not yet started.
///
/// # Errors
/// [`ExportError::Config`] for settings the engine refuses.
pub fn animate_run(
    data: &Dataset,
    settings: &Settings,
    steps: u64,
    tolerance: Option<f64>,
) -> Result<(Vec<Record<f64>>, Status), ExportError> {
    let mut trainer = DynTrainer::new(data, settings)?;
    trainer.set_tolerance(tolerance);
    let mut history = History::default();
    history.push(trainer.record());
    let status = trainer.run(steps, |r| history.push(*r));
    Ok((history.iter().map(|r| r.record).collect(), status))
}

/// Checks the inputs and lays out the scene.
fn prepare<'a>(opts: &GifOptions, data: &Dataset, runs: &[GifRun<'a>]) -> Result<Scene<'a>, ExportError> {
    opts.validate()?;
    if runs.is_empty() {
        return Err(ExportError::Nothing("no run to draw".into()));
    }
    for run in runs {
        if run.rows.is_empty() {
            let name =
                if runs.len() == 1 { "the run".to_string() } else { format!("run “{}”", echo(run.name, 60)) };
            return Err(ExportError::Nothing(format!("{name} has no rows")));
        }
    }
    if data.is_empty() {
        return Err(ExportError::Nothing("the dataset has no samples".into()));
    }
    check_shared_picture(runs)?;
    Scene::new(opts, data, runs)
}

/// The error for a frame that cannot be allocated.
fn frame_error(opts: &GifOptions) -> ExportError {
    ExportError::Gif(format!("cannot make a {}×{} frame", opts.width, opts.height))
}

/// Milliseconds as GIF's centiseconds, rounded, at least 2 (shorter delays are slowed down by browsers).
fn centiseconds(ms: u32) -> u16 {
    u16::try_from(ms.div_ceil(10)).unwrap_or(u16::MAX).max(2)
}

/// An encoder error: I/O failures keep their kind, anything else is a format problem.
fn encoding_error(e: EncodingError) -> ExportError {
    match e {
        EncodingError::Io(io) => ExportError::Stream(io),
        other => ExportError::Gif(other.to_string()),
    }
}

/// The palette index left transparent in every frame after the first.
const TRANSPARENT: u8 = 255;

/// The smallest rectangle holding every pixel that differs from `before`, as a frame placed there; pixels
/// inside it that did not change are transparent (runs of them compress well). `None` when nothing changed.
fn changed_part(canvas: &Canvas, before: &[Rgb], palette: &mut Palette) -> Option<Frame<'static>> {
    let w = canvas.width();
    let mut bounds: Option<(usize, usize, usize, usize)> = None;
    for (i, (now, was)) in canvas.pixels().zip(before).enumerate() {
        if now != *was {
            let (x, y) = (i % w, i / w);
            bounds = Some(match bounds {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
    }
    let (x0, y0, x1, y1) = bounds?;
    let mut indices = Vec::with_capacity((x1 - x0 + 1) * (y1 - y0 + 1));
    for y in y0..=y1 {
        for x in x0..=x1 {
            let i = y * w + x;
            let now = canvas.pixel(i);
            indices.push(if before.get(i) == Some(&now) { TRANSPARENT } else { palette.index(now) });
        }
    }
    // Sizes fit: the canvas is at most 4096 pixels across.
    let mut frame = Frame::from_indexed_pixels((x1 - x0 + 1) as u16, (y1 - y0 + 1) as u16, indices, Some(TRANSPARENT));
    frame.left = x0 as u16;
    frame.top = y0 as u16;
    Some(frame)
}

/// Up to 255 colours (index 255 is kept for transparency) and the mapping of any colour to its nearest entry.
struct Palette {
    colours: Vec<Rgb>,
    cache: HashMap<Rgb, u8>,
}

impl Palette {
    /// The most frequent colours, the `inks` always among them. Popularity suits these pictures: a few flat
    /// theme colours cover nearly every pixel, and anti-aliased edges are ramps between them, whose missing
    /// steps map to a close neighbour.
    fn new(counts: HashMap<Rgb, u64>, inks: &[Rgb]) -> Palette {
        let mut by_count: Vec<(Rgb, u64)> = counts.into_iter().filter(|(c, _)| !inks.contains(c)).collect();
        // Ties broken by colour so that the same run always gives the same bytes.
        by_count.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut colours: Vec<Rgb> = Vec::with_capacity(255);
        for &ink in inks {
            if !colours.contains(&ink) {
                colours.push(ink);
            }
        }
        colours.extend(by_count.into_iter().map(|(c, _)| c).take(255usize.saturating_sub(colours.len())));
        colours.truncate(255);
        let cache = colours.iter().enumerate().map(|(i, &c)| (c, i as u8)).collect();
        Palette { colours, cache }
    }

    /// The global colour table: 256 RGB triples (unused entries black).
    fn table(&self) -> Vec<u8> {
        let mut table: Vec<u8> = self.colours.iter().flat_map(|c| [c.0, c.1, c.2]).collect();
        table.resize(256 * 3, 0);
        table
    }

    /// The index of the entry nearest to `c` (by a perceptually weighted distance), remembered per colour.
    fn index(&mut self, c: Rgb) -> u8 {
        if let Some(&i) = self.cache.get(&c) {
            return i;
        }
        let distance = |p: &Rgb| {
            let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
            2 * d(p.0, c.0) + 4 * d(p.1, c.1) + 3 * d(p.2, c.2)
        };
        let i = self.colours.iter().enumerate().min_by_key(|(_, p)| distance(p)).map_or(0, |(i, _)| i as u8);
        self.cache.insert(c, i);
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_spread_evenly_from_first_to_last() {
        let rows = |steps: &[u64]| steps.iter().map(|&step| Record { step, ..Record::default() }).collect::<Vec<_>>();
        let full = rows(&(0..=100).collect::<Vec<_>>());
        assert_eq!(frame_rows(5, &full), [0, 25, 50, 75, 100]);
        assert_eq!(frame_rows(1, &full[..7]), [6]);
        assert!(frame_rows(4, &[]).is_empty());
        assert!(frame_rows(0, &full).is_empty());
        // Fewer steps than frames: every state in as many frames, give or take one, the last one included.
        assert_eq!(frame_rows(10, &full[..3]), [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
        assert_eq!(frame_rows(7, &full[..1]), [0; 7]);
        // A thinned history: sparse old rows, the frames still spread over the steps.
        let thinned = rows(&[0, 50, 90, 95, 100]);
        assert_eq!(frame_rows(5, &thinned), [0, 0, 1, 1, 4]);
        let huge = rows(&[0, u64::MAX / 2]);
        assert_eq!(frame_rows(3, &huge), [0, 0, 1]);
    }

    #[test]
    fn delays_round_to_centiseconds() {
        assert_eq!(centiseconds(80), 8);
        assert_eq!(centiseconds(20), 2);
        assert_eq!(centiseconds(85), 9);
        assert_eq!(centiseconds(60_000), 6000);
    }

    #[test]
    fn palette_holds_the_inks_and_maps_others_to_the_nearest() {
        let mut counts = HashMap::new();
        for v in 0..=255u8 {
            counts.insert(Rgb(v, v, v), u64::from(v));
        }
        let inks = [Rgb(255, 0, 0)];
        let mut p = Palette::new(counts, &inks);
        assert_eq!(p.colours.len(), 255);
        assert_eq!(p.colours[0], Rgb(255, 0, 0));
        assert_eq!(p.index(Rgb(250, 5, 5)), 0);
        let grey = p.index(Rgb(1, 1, 1));
        assert!(p.colours[grey as usize].0 < 40);
    }
}
