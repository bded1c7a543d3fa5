//! What each frame of the animation shows, on the layout of [`super::layout`], the runs it shows ([`GifRun`]) and
//! the [`GifOptions`] that size, time and dress the animation.
//!
//! A frame is a slide: a title naming the problem (with a single run's settings), a caption with the step and the
//! values there, the main plot (the loss curve L(w) with the paths walking down it, or with a bias the (w, b)
//! contour map with the paths across it), and beside it (or under it, on a tall image) the loss inset, the loss by
//! step on a log scale, above a small legend. Several runs are drawn each in its own colour, dash and marker (from
//! [`crate::run_look`], as the app draws them), and the legend names them. Everything that is the same in every
//! frame (panels, axes, ticks, the curve or the contours, the optima, the legend) is drawn once into a background
//! ([`super::backdrop`]); each frame copies it and adds each path so far, each current point with its tangent or
//! descent arrow, the caption and the inset's lines.
//!
//! The view is fixed for the whole animation and covers the optima and every recorded point of every run, so
//! nothing jumps between frames.

use super::ExportError;
use super::backdrop;
use super::inset::Inset;
use super::layout::{Layout, View, thin_path};
use super::paint::{Canvas, Pt, Rgb};
use super::text::{Anchor, Fonts, Style};
use super::theme::{GifTheme, Inks, RunInk};
use crate::engine::trainer::Record;
use crate::engine::{Dataset, Params, Settings};
use crate::format;
use crate::geometry::{LossSurface, path_loss_range, whole_path_range};
use crate::run_look::{Dash, RunPalette};
/// Smallest accepted width or height in pixels.
pub const MIN_SIZE: u32 = 64;
/// Largest accepted width or height in pixels.
pub const MAX_SIZE: u32 = 4096;
/// Largest accepted number of frames.
pub const MAX_FRAMES: usize = 1000;
/// Shortest accepted frame delay: browsers show GIF frames shorter than 20 ms for 100 ms instead.
pub const MIN_DELAY_MS: u32 = 20;
/// Longest accepted frame delay or final hold.
pub const MAX_DELAY_MS: u32 = 60_000;

/// How the animation is drawn and timed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GifOptions {
    /// Width in pixels, [`MIN_SIZE`] to [`MAX_SIZE`].
    pub width: u32,
    /// Height in pixels, [`MIN_SIZE`] to [`MAX_SIZE`].
    pub height: u32,
    /// Number of frames, 1 to [`MAX_FRAMES`]; a run with fewer steps shows some states in several frames.
    pub frames: usize,
    /// Time each frame is shown, in milliseconds ([`MIN_DELAY_MS`] to [`MAX_DELAY_MS`]; GIF counts in 10 ms).
    pub frame_delay_ms: u32,
    /// Time the last frame is shown before the animation starts over, in milliseconds (0 to [`MAX_DELAY_MS`]; 0
    /// means one ordinary frame delay).
    pub hold_last_ms: u32,
    /// Play forever (true) or once.
    pub looping: bool,
    /// Draw text: the title with the run's settings, tick labels, axis names, the caption with the step and the
    /// values there, the loss inset and the legend.
    pub labels: bool,
    /// Dark or light.
    pub theme: GifTheme,
    /// The run's identity colour (a [`crate::presets::RUN_COLORS`] entry) when one run is rendered from its
    /// settings and rows: which colour of `palette`, dash pattern and marker shape its path and point get, as in
    /// the app. Runs given as [`GifRun`]s carry their own.
    pub run_color: [u8; 3],
    /// The run colours.
    pub palette: RunPalette,
}

impl Default for GifOptions {
    /// 640 × 400 (a slide's half width), 60 frames at 12.5 per second, the end held for 1.5 s, looping, with labels,
    /// dark.
    fn default() -> Self {
        GifOptions {
            width: 640,
            height: 400,
            frames: 60,
            frame_delay_ms: 80,
            hold_last_ms: 1500,
            looping: true,
            labels: true,
            theme: GifTheme::Dark,
            run_color: crate::presets::run_color(0),
            palette: RunPalette::Default,
        }
    }
}

impl GifOptions {
    /// Checks every option.
    ///
    /// # Errors
    /// [`ExportError::InvalidOption`] naming the first option out of range.
    pub fn validate(&self) -> Result<(), ExportError> {
        let invalid = |option, value: String, reason| Err(ExportError::InvalidOption { option, value, reason });
        for (option, size) in [("GIF width", self.width), ("GIF height", self.height)] {
            if !(MIN_SIZE..=MAX_SIZE).contains(&size) {
                return invalid(option, size.to_string(), "must be 64 to 4096 pixels");
            }
        }
        if self.frames == 0 || self.frames > MAX_FRAMES {
            return invalid("GIF frames", self.frames.to_string(), "must be 1 to 1000");
        }
        if !(MIN_DELAY_MS..=MAX_DELAY_MS).contains(&self.frame_delay_ms) {
            return invalid("GIF frame delay", format!("{} ms", self.frame_delay_ms), "must be 20 to 60000 ms");
        }
        if self.hold_last_ms > MAX_DELAY_MS {
            return invalid("GIF final hold", format!("{} ms", self.hold_last_ms), "must be 0 to 60000 ms");
        }
        Ok(())
    }
}

/// One run of an animation: its name (in the legend of several runs), the settings that produced it (its
/// problem, and its optimizer in the title of a single run), its recorded rows (row 0 the start, then one per
/// update, or thinned as the app keeps long runs) and its identity colour (a [`crate::presets::RUN_COLORS`] entry:
/// its colour in the options' palette, its dash and its marker).
#[derive(Clone, Copy, Debug)]
pub struct GifRun<'a> {
    /// Shown in the legend when there are several runs.
    pub name: &'a str,
    /// The settings that produced the rows (the first row's, for a run whose settings changed on the way).
    pub settings: &'a Settings,
    /// The recorded states, by step.
    pub rows: &'a [Record<f64>],
    /// The run's identity colour.
    pub color: [u8; 3],
}

/// Checks that `runs` can share one picture: the same landscape, so the same problem (both with a bias or both
/// without, the same objective, or the same data loss with the same Huber δ and the same input scaling). The data
/// are shared by construction (one dataset for all).
///
/// # Errors
/// [`ExportError::Incompatible`] naming the first run and the first one that differs, and how.
pub fn check_shared_picture(runs: &[GifRun<'_>]) -> Result<(), ExportError> {
    let Some((first, rest)) = runs.split_first() else {
        return Ok(());
    };
    for other in rest {
        if let Some(why) = problem_difference(first.settings, other.settings) {
            return Err(ExportError::Incompatible {
                first: format!("“{}”", format::echo(first.name, 60)),
                second: format!("“{}”", format::echo(other.name, 60)),
                why,
            });
        }
    }
    Ok(())
}

/// How the problem of `b` differs from `a`'s, in words, if it does in a way that changes the landscape drawn.
fn problem_difference(a: &Settings, b: &Settings) -> Option<String> {
    let objective = |s: &Settings| s.objective.as_ref().map(|o| o.formula().to_string());
    let name = |s: &Settings| objective(s).map_or_else(|| "the data's loss".to_string(), |f| format!("f(w, b) = {f}"));
    if objective(a) != objective(b) {
        return Some(format!("{} against {}", name(a), name(b)));
    }
    if a.objective.is_some() {
        return None;
    }
    let bias = |s: &Settings| if s.bias { "with a bias" } else { "without a bias" };
    let loss = |s: &Settings| match s.loss {
        crate::engine::LossKind::Huber => format!("Huber δ = {}", format::short(s.huber_delta)),
        other => other.label().to_string(),
    };
    let scaling = |s: &Settings| if s.standardize { "on standardized x" } else { "on raw x" };
    if a.bias != b.bias {
        Some(format!("{} against {}", bias(a), bias(b)))
    } else if loss(a) != loss(b) {
        Some(format!("{} against {}", loss(a), loss(b)))
    } else if a.standardize != b.standardize {
        Some(format!("{} against {}", scaling(a), scaling(b)))
    } else {
        None
    }
}

/// One run as the scene draws it.
struct Track<'a> {
    rows: &'a [Record<f64>],
    ink: RunInk,
    /// The trail thinned to points at least a pixel apart: (row index, pixel).
    path: Vec<(usize, Pt)>,
    /// The largest finite ‖∇L‖ of the run: its −∇L arrow is full length there and shrinks in proportion elsewhere.
    grad_max: f64,
}

/// Everything needed to draw any frame of an animation of one run or several.
pub(crate) struct Scene<'a> {
    tracks: Vec<Track<'a>>,
    background: Canvas,
    fonts: Fonts,
    inks: Inks,
    layout: Layout,
    landscape: LossSurface,
    inset: Option<Inset>,
    /// The caption's size, shrunk when the longest caption would not fit.
    caption: Style,
}

impl<'a> Scene<'a> {
    /// Lays out the frames of `runs` (at least one, each with rows, sharing one picture: see
    /// [`check_shared_picture`]) on the landscape of the first one's problem, and draws their background.
    pub(crate) fn new(opts: &GifOptions, data: &Dataset, runs: &[GifRun<'a>]) -> Result<Scene<'a>, ExportError> {
        let first = runs.first().ok_or_else(|| ExportError::Nothing("no run".into()))?;
        for run in runs {
            run.settings.validate()?;
        }
        let fonts = Fonts::load().map_err(|e| ExportError::Gif(format!("loading egui's fonts: {e}")))?;
        let inks = Inks::of(opts.theme);
        let mut optima: Vec<Params<f64>> = Vec::new();
        for run in runs {
            let o = LossSurface::optimum(data, run.settings);
            if !optima.iter().any(|p| (p.w - o.w).hypot(p.b - o.b) <= 1e-9 * (1.0 + o.w.abs() + o.b.abs())) {
                optima.push(o);
            }
        }
        let landscape = LossSurface::for_export(data, first.settings, optima[0])?;
        let min_loss = landscape.loss(optima[0].w, optima[0].b);
        let two_d = first.settings.bias;
        let all_rows: Vec<&[Record<f64>]> = runs.iter().map(|r| r.rows).collect();
        let window = data_window(&all_rows, &landscape, &optima, min_loss, two_d);
        let lines = backdrop::legend_lines(runs.len());
        let layout = Layout::new([opts.width, opts.height], opts.labels, &fonts, window, min_loss, two_d, lines);
        let inset = match (layout.inset, layout.text) {
            (Some(area), Some(ty)) => Some(Inset::new(area, &all_rows, &fonts, ty.small, layout.unit)),
            _ => None,
        };
        let caption = layout.text.map_or(Style::mono(1.0), |ty| fit_caption(&fonts, ty.caption, runs, &layout));
        let mut background = Canvas::new(opts.width, opts.height, inks.page)
            .ok_or_else(|| ExportError::Gif(format!("cannot make a {}×{} frame", opts.width, opts.height)))?;
        let look = backdrop::Look { fonts: &fonts, inks: &inks, layout: &layout };
        let named: Vec<(&str, RunInk)> = runs.iter().map(|r| (r.name, inks.run_ink(opts.palette, r.color))).collect();
        let summary = if runs.len() == 1 { backdrop::summary(first.settings) } else { String::new() };
        let problem = backdrop::Problem {
            title: backdrop::title(first.settings),
            summary,
            optima: &optima,
            min_loss,
            runs: &named,
        };
        backdrop::draw(&mut background, &look, &landscape, &problem);
        if let (Some(inset), Some(ty)) = (&inset, layout.text) {
            inset.draw_frame(&mut background, &fonts, &inks, ty.small);
        }
        let view = layout.view;
        let tracks = runs
            .iter()
            .zip(&named)
            .map(|(run, &(_, ink))| Track {
                rows: run.rows,
                ink,
                path: thin_path(run.rows, |r| point_of(&view, r, two_d)),
                grad_max: run.rows.iter().map(|r| r.grad.norm()).filter(|g| g.is_finite()).fold(0.0, f64::max),
            })
            .collect();
        Ok(Scene { tracks, background, fonts, inks, layout, landscape, inset, caption })
    }

    /// The colours of the runs as drawn.
    pub(crate) fn run_colours(&self) -> Vec<Rgb> {
        self.tracks.iter().map(|t| t.ink.colour).collect()
    }

    /// The theme's inks.
    pub(crate) fn inks(&self) -> &Inks {
        &self.inks
    }

    /// A canvas of the frames' size, showing the background.
    pub(crate) fn canvas(&self) -> Option<Canvas> {
        let mut c = Canvas::new(self.background.width() as u32, self.background.height() as u32, self.inks.page)?;
        c.copy_from(&self.background);
        Some(c)
    }

    /// Draws the frame that shows each run up to its row in `upto` (one index per run, in order) into `canvas`
    /// (same size as the scene): every trail first, then every direction, then every current point on top.
    pub(crate) fn render(&self, upto: &[usize], canvas: &mut Canvas) {
        canvas.copy_from(&self.background);
        let shown: Vec<(&Track<'_>, usize, &Record<f64>)> =
            self.tracks.iter().zip(upto).filter_map(|(t, &i)| t.rows.get(i).map(|r| (t, i, r))).collect();
        let Some(latest) = shown.iter().map(|(_, _, r)| *r).max_by_key(|r| r.step) else {
            return;
        };
        let p = self.layout.view.panel;
        canvas.set_clip(p.x0, p.y0, p.x1, p.y1);
        let here = |r: &Record<f64>| point_of(&self.layout.view, r, self.layout.two_d);
        for &(track, i, r) in &shown {
            self.draw_trail(canvas, track, i, here(r));
        }
        for &(track, _, r) in &shown {
            self.draw_direction(canvas, track, r, here(r));
        }
        // Unclipped: a point at the minimum, on the panel's edge, shows whole.
        canvas.reset_clip();
        for &(track, _, r) in &shown {
            self.draw_current(canvas, track.ink, here(r));
        }
        if let Some(inset) = &self.inset {
            for (k, &(track, i, r)) in shown.iter().enumerate() {
                inset.draw_upto(canvas, k, i, r, track.ink);
            }
        }
        self.draw_caption(canvas, latest, shown.len() > 1);
    }

    /// The path of `track` up to row `upto` ending at the current point `here`: a line in the run's dash, a dot at
    /// each step while the steps are few, an arrowhead on each of the latest steps long enough to carry one, and
    /// the start's ring.
    fn draw_trail(&self, canvas: &mut Canvas, track: &Track<'_>, upto: usize, here: Pt) {
        /// Steps that get an arrowhead (the latest ones).
        const ARROWS: usize = 40;
        let (u, ink) = (self.layout.unit, track.ink.colour);
        let shown: Vec<Pt> =
            track.path.iter().take_while(|(i, _)| *i <= upto).map(|&(_, p)| p).chain(std::iter::once(here)).collect();
        let dash = match track.ink.mark.dash {
            Dash::Solid => None,
            Dash::Dashed { length } => Some((f32::from(length) * u, f32::from(length) * u)),
            Dash::Dotted { spacing } => Some((1.6 * u, f32::from(spacing) * u)),
        };
        canvas.stroke(&shown, (1.6 * u).max(1.0), ink, 0.6, dash);
        let sparse = track.path.len() <= 150;
        let dot = (2.3 * u).max(1.0);
        let skip = shown.len().saturating_sub(ARROWS + 1);
        for pair in shown[skip..].windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let len = (b.0 - a.0).hypot(b.1 - a.1);
            if len >= 18.0 * u {
                let dir = ((b.0 - a.0) / len, (b.1 - a.1) / len);
                let back = if sparse { dot + 0.5 * u } else { 0.5 * u };
                canvas.arrow_head((b.0 - dir.0 * back, b.1 - dir.1 * back), dir, 8.0 * u, ink, 0.9);
            }
        }
        if sparse {
            for &p in &shown[..shown.len() - 1] {
                canvas.disc(p, dot, ink, 0.9);
            }
        }
        if let Some(&(_, start)) = track.path.first() {
            canvas.ring(start, 5.5 * u, (1.5 * u).max(1.0), self.inks.curve, 0.9);
        }
    }

    /// Where the gradient points: the tangent to the curve at the current point, or on the contour map the
    /// steepest-descent direction −∇L of the step, as an arrow whose length is ‖∇L‖ against the run's largest
    /// (none at the minimum, where ∇L vanishes; none shorter than its head).
    fn draw_direction(&self, canvas: &mut Canvas, track: &Track<'_>, current: &Record<f64>, here: Pt) {
        let (u, view, ink) = (self.layout.unit, &self.layout.view, self.inks.tangent);
        let (kx, ky) = view.scale();
        if self.layout.two_d {
            let dir = (-current.grad.w * kx, current.grad.b * ky);
            let len = dir.0.hypot(dir.1);
            let share = if track.grad_max > 0.0 { (current.grad.norm() / track.grad_max).min(1.0) } else { 0.0 };
            let arrow = 42.0 * u * share as f32;
            if len > 0.0 && len.is_finite() && arrow >= 10.0 * u {
                let dir = ((dir.0 / len) as f32, (dir.1 / len) as f32);
                let tip = (here.0 + dir.0 * arrow, here.1 + dir.1 * arrow);
                let shaft_end = (tip.0 - dir.0 * 6.0 * u, tip.1 - dir.1 * 6.0 * u);
                canvas.line(here, shaft_end, 2.2 * u, ink, 1.0);
                canvas.arrow_head(tip, dir, 10.0 * u, ink, 1.0);
            }
            return;
        }
        // The exact slope of the full loss, also when the step used a mini-batch's gradient.
        let h = 1e-6 * (view.x_hi - view.x_lo);
        let slope = self.landscape.slope_w(current.params.w, 0.0, h);
        let dir = (kx, -slope * ky);
        let len = dir.0.hypot(dir.1);
        if len > 0.0 && len.is_finite() {
            let half = 95.0 * u;
            let d = ((dir.0 / len) as f32 * half, (dir.1 / len) as f32 * half);
            canvas.line((here.0 - d.0, here.1 - d.1), (here.0 + d.0, here.1 + d.1), 1.8 * u, ink, 0.95);
        }
    }

    /// A current point: a soft halo, a rim in the panel's colour, and the run's marker in its colour.
    fn draw_current(&self, canvas: &mut Canvas, ink: RunInk, here: Pt) {
        let u = self.layout.unit;
        canvas.disc(here, 11.0 * u, ink.colour, 0.25);
        canvas.disc(here, 7.0 * u, self.inks.panel, 1.0);
        canvas.marker(here, ink.mark.marker, 5.5 * u, ink.colour, 1.0);
    }

    /// The caption under the title: the step and the state there (for several runs, the latest step alone: the
    /// inset shows each run's loss).
    fn draw_caption(&self, canvas: &mut Canvas, r: &Record<f64>, several: bool) {
        if self.layout.text.is_none() {
            return;
        }
        let at = (self.layout.pad, self.layout.caption_y);
        let text = if several { format!("step {}", r.step) } else { caption(r, self.layout.two_d) };
        self.fonts.draw(canvas, self.caption, &text, at, Anchor::TopLeft, self.inks.text);
    }
}

/// The caption of row `r`: "step 12   w = 2.9981   L = 0.012345" (and b with a bias).
fn caption(r: &Record<f64>, two_d: bool) -> String {
    let mut text = format!("step {}   w = {}", r.step, format::gif_value(r.params.w));
    if two_d {
        text.push_str(&format!("   b = {}", format::gif_value(r.params.b)));
    }
    text.push_str(&format!("   L = {}", format::gif_value(r.loss)));
    text
}

/// The caption's size: `style`, or smaller so that the longest caption of the runs fits across the image.
fn fit_caption(fonts: &Fonts, style: Style, runs: &[GifRun<'_>], layout: &Layout) -> Style {
    let room = layout.page.w() - 2.0 * layout.pad;
    // Every caption has the same pattern in a monospace font: the longest text is the widest.
    let rows = runs.iter().flat_map(|run| run.rows.iter());
    let longest = if runs.len() > 1 {
        rows.map(|r| format!("step {}", r.step).chars().count()).max()
    } else {
        rows.map(|r| caption(r, layout.two_d).chars().count()).max()
    };
    let widest = fonts.width(style, &"0".repeat(longest.unwrap_or(0)));
    if widest <= room || widest <= 0.0 { style } else { Style { size: style.size * room / widest, ..style } }
}

/// The data window `[x_lo, x_hi, y_lo, y_hi]`: w across, and b up on the contour map (`two_d`) or the loss up on
/// the curve, covering every recorded point of every run and every optimum (the first at the centre).
fn data_window(
    runs: &[&[Record<f64>]],
    landscape: &LossSurface,
    optima: &[Params<f64>],
    min_loss: f64,
    two_d: bool,
) -> [f64; 4] {
    let rows = || runs.iter().flat_map(|rows| rows.iter());
    let centre = optima.first().copied().unwrap_or_default();
    let others = || optima.iter().skip(1);
    let (x_lo, x_hi) = whole_path_range(rows().map(|r| r.params.w).chain(others().map(|o| o.w)), centre.w);
    let (y_lo, y_hi) = if two_d {
        whole_path_range(rows().map(|r| r.params.b).chain(others().map(|o| o.b)), centre.b)
    } else {
        let ends = || [landscape.loss(x_lo, 0.0), landscape.loss(x_hi, 0.0)];
        path_loss_range(rows().map(|r| r.loss), min_loss, ends)
    };
    [x_lo, x_hi, y_lo, y_hi]
}

/// The pixel of a row: (w, loss) on the curve, or (w, b) on the contour map.
fn point_of(view: &View, r: &Record<f64>, two_d: bool) -> Pt {
    if two_d { view.px(r.params.w, r.params.b) } else { view.px(r.params.w, r.loss) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::trainer::DynTrainer;

    /// Pixels of the tangent's ink in the frame of row `upto` that the background does not have: the arrow's.
    fn arrow_pixels(scene: &Scene<'_>, upto: usize) -> usize {
        let mut canvas = scene.canvas().expect("a canvas");
        scene.render(&[upto], &mut canvas);
        let ink = scene.inks.tangent;
        let background: Vec<Rgb> = scene.background.pixels().collect();
        canvas.pixels().zip(background).filter(|(p, b)| *p == ink && *b != ink).count()
    }

    /// The −∇L arrow is full length where the gradient is largest and gone at the minimum (issue 23 §3).
    #[test]
    fn the_gradient_arrow_shrinks_with_the_gradient() {
        let data = Dataset::notebook();
        let settings = Settings { bias: true, ..Settings::default() };
        let mut trainer = DynTrainer::new(&data, &settings).expect("a run");
        let mut rows = vec![trainer.record()];
        trainer.set_tolerance(Some(1e-9));
        trainer.run(100_000, |r| rows.push(*r));
        assert!(trainer.status().is_finished(), "the run reaches the minimum");
        let run = GifRun { name: "GD", settings: &settings, rows: &rows, color: crate::presets::run_color(0) };
        let scene = Scene::new(&GifOptions::default(), &data, &[run]).expect("a scene");
        let steepest = (0..rows.len()).max_by(|&a, &b| rows[a].grad.norm().total_cmp(&rows[b].grad.norm()));
        let at_start = arrow_pixels(&scene, steepest.expect("rows"));
        let at_minimum = arrow_pixels(&scene, rows.len() - 1);
        // Anti-aliased: only the shaft's and head's inner pixels carry the ink exactly.
        assert!(at_start >= 30, "a full arrow at the steepest row: {at_start} pixels");
        assert_eq!(at_minimum, 0, "no arrow where the gradient vanishes");
    }
}
