//! The stability map under the learning-rate slider: where plain gradient descent falls smoothly (green), overshoots
//! but converges (amber) and diverges (red), for the current data, loss, model and gradient source, with ticks at
//! 1/λmax, the fastest 2/(λmax + λmin) and the divergence bound 2/λmax.
//!
//! With SGD momentum β the bounds are the heavy-ball ones (diverges at lr·λ ≥ 2 + 2β, real non-oscillating roots
//! while lr·λ ≤ (1 − √β)²); with Nesterov, lr·λ < (2 + 2β)/(1 + 2β). Dampening τ scales the gradient by (1 − τ),
//! weight decay adds to every curvature. For MAE/Huber the curvature is local; for the adaptive optimizers the map is
//! plain GD's. Newton's step H⁻¹g sees every curvature as 1, so its map is fixed: smooth below lr 1 (the full step,
//! which lands on a quadratic's minimum at once), overshooting below 2, diverging from 2. Plain GD's 1/λmax tick is
//! marked as Newton's step: along the steepest direction (in 1-D, everywhere) GD at lr = 1/λ is Newton's step.
//! The numbers come from [`stability_bands`], a pure function tests can check, over the engine's
//! [`crate::engine::analysis::Limits`]: the bounds every sentence quotes.

use egui::{Align2, Color32, Rect, Response, RichText, Sense, Stroke, Ui, pos2, vec2};

use super::theme::Palette;
use crate::engine::analysis::Analysis;
use crate::engine::loss::LossKind;
use crate::engine::optim::OptimizerKind;
use crate::engine::settings::Settings;
use crate::format;

/// The regime at one learning rate, as the map colours it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Band {
    /// The loss falls every step, no overshoot.
    Monotone,
    /// Overshoots and oscillates, but converges.
    Oscillating,
    /// Every oscillation grows.
    Divergent,
}

/// The boundaries of the map.
#[derive(Clone, Debug, PartialEq)]
pub struct Bands {
    /// Below it: monotone (1/λmax for plain GD; `None` when there is no such band, e.g. Nesterov).
    pub monotone: Option<f64>,
    /// The fastest worst-case contraction 2/(λmax + λmin) (plain GD only).
    pub optimal: Option<f64>,
    /// At or above it: divergent (2/λmax, or the momentum bound). `None`: no curvature, never diverges.
    pub critical: Option<f64>,
    /// The momentum the bounds include (0 for plain GD).
    pub momentum: f64,
    /// Nesterov's bound instead of heavy ball's.
    pub nesterov: bool,
    /// The curvature is local (MAE, Huber): valid near the current point only.
    pub local: bool,
    /// The optimizer adapts its steps (Adam, RMSprop, Adagrad): the map is plain GD's.
    pub adaptive: Option<&'static str>,
    /// The loss is MAE.
    pub mae: bool,
    /// Newton's method: the map is of lr·1 (H⁻¹ makes every curvature 1).
    pub newton: bool,
}

/// The map's boundaries for the analysis of the run's problem and its settings.
pub fn stability_bands(a: &Analysis, s: &Settings) -> Bands {
    let o = &s.optimizer;
    let sgd = o.is_sgd_family();
    let newton = o.kind == OptimizerKind::Newton;
    // The bounds are the engine's, the ones every sentence quotes.
    let limits = a.limits(o);
    Bands {
        monotone: limits.smooth,
        optimal: limits.fastest,
        critical: limits.stable,
        momentum: if sgd { o.momentum.clamp(0.0, 0.999_999) } else { 0.0 },
        nesterov: sgd && o.nesterov && o.momentum > 0.0,
        local: a.local,
        adaptive: (!sgd && !newton).then(|| o.kind.label()),
        mae: s.loss == LossKind::Mae,
        newton,
    }
}

impl Bands {
    /// The regime at `lr`.
    pub fn regime(&self, lr: f64) -> Band {
        match (self.monotone, self.critical) {
            (_, Some(c)) if lr >= c => Band::Divergent,
            (Some(m), _) if lr < m => Band::Monotone,
            (_, Some(_)) => Band::Oscillating,
            _ => Band::Monotone,
        }
    }

    /// What the map stands for when it is not exact plain GD on a quadratic loss.
    pub fn caveat(&self) -> Option<String> {
        if let Some(name) = self.adaptive {
            return Some(format!("for plain GD; {name} scales each step itself"));
        }
        if self.mae {
            return Some("MAE has no curvature: plain GD never diverges".into());
        }
        if self.local {
            return Some("local, from the curvature at the current point".into());
        }
        None
    }
}

/// The colour of a regime.
pub fn band_color(band: Band, palette: Palette) -> Color32 {
    match band {
        Band::Monotone => palette.converged,
        Band::Oscillating => palette.warning,
        Band::Divergent => palette.diverged,
    }
}

fn band_name(band: Band, momentum: f64) -> &'static str {
    match band {
        Band::Monotone if momentum > 0.0 => "converges without oscillating",
        Band::Monotone => "smooth: the loss falls every step",
        Band::Oscillating => "overshoots and oscillates, but converges",
        Band::Divergent => "diverges",
    }
}

/// Where `lr` sits along the slider's rail (the same log mapping as a logarithmic `Slider` over a positive range).
fn x_of(lr: f64, range: (f64, f64), rail: egui::Rangef) -> f32 {
    let t = ((lr.log10() - range.0.log10()) / (range.1.log10() - range.0.log10())).clamp(0.0, 1.0);
    rail.min + t as f32 * (rail.max - rail.min)
}

fn lr_at(x: f32, range: (f64, f64), rail: egui::Rangef) -> f64 {
    let t = ((x - rail.min) / (rail.max - rail.min).max(1.0)).clamp(0.0, 1.0) as f64;
    10f64.powf(range.0.log10() + t * (range.1.log10() - range.0.log10()))
}

/// Draws the map right under a logarithmic slider over `range` whose response is `slider` (its rail is the first
/// `slider_width` points), marks `lr`, and explains itself on hover.
pub fn map_ui(ui: &mut Ui, slider: &Response, range: (f64, f64), bands: &Bands, lr: f64, palette: Palette) -> Response {
    let thickness = ui.text_style_height(&egui::TextStyle::Body).max(ui.spacing().interact_size.y);
    let width = ui.spacing().slider_width.min(slider.rect.width());
    let rail = egui::Rangef::new(slider.rect.left() + thickness / 2.5, slider.rect.left() + width - thickness / 2.5);
    let (rect, response) = ui.allocate_exact_size(vec2(ui.available_width(), 28.0), Sense::hover());
    let painter = ui.painter_at(rect.expand(2.0));
    // Bands, over the whole rail (the ends beyond the handle's travel take the end colours).
    let full = egui::Rangef::new(slider.rect.left(), slider.rect.left() + width);
    let band_rect = Rect::from_x_y_ranges(full, rect.top() + 6.0..=rect.top() + 14.0);
    let mut edges = vec![(full.min, bands.regime(range.0))];
    for b in [bands.monotone, bands.critical].into_iter().flatten() {
        if b > range.0 && b < range.1 {
            edges.push((x_of(b, range, rail), bands.regime(b)));
        }
    }
    edges.push((full.max, Band::Divergent));
    for pair in edges.windows(2) {
        let (x0, band) = pair[0];
        let x1 = pair[1].0;
        if x1 > x0 {
            let r = Rect::from_x_y_ranges(x0..=x1, band_rect.y_range());
            painter.rect_filled(r, 0.0, band_color(band, palette).gamma_multiply(0.85));
        }
    }
    ticks_ui(&painter, bands, range, rail, band_rect, ui.visuals().text_color());
    let text_color = ui.visuals().text_color();
    // The current learning rate: a small triangle pointing at the band.
    if lr > 0.0 {
        let x = x_of(lr, range, rail);
        let y = band_rect.top();
        painter.add(egui::Shape::convex_polygon(
            vec![pos2(x - 4.0, y - 5.0), pos2(x + 4.0, y - 5.0), pos2(x, y + 1.0)],
            text_color,
            Stroke::NONE,
        ));
    }
    if let Some(c) = bands.caveat() {
        ui.label(RichText::new(format!("map: {c}")).small().color(palette.weak_text));
    }
    let summary = summary(bands);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &summary));
    let bands_c = bands.clone();
    response.on_hover_ui(move |ui| {
        ui.set_max_width(340.0);
        if let Some(p) = ui.ctx().pointer_hover_pos() {
            let at = lr_at(p.x, range, rail);
            let band = bands_c.regime(at);
            ui.label(
                RichText::new(format!("lr = {}: {}", format::short(at), band_name(band, bands_c.momentum)))
                    .strong()
                    .color(band_color(band, palette)),
            );
        }
        tooltip_lines(ui, &bands_c);
    })
}

/// The map's ticks and their labels: the smooth bound ends at its tick, the divergence bound starts at its tick,
/// "best" is centred and dropped when it would overlap.
fn ticks_ui(
    painter: &egui::Painter,
    bands: &Bands,
    range: (f64, f64),
    rail: egui::Rangef,
    band_rect: Rect,
    text_color: egui::Color32,
) {
    let font = egui::FontId::proportional(10.5);
    let mut taken: Vec<egui::Rangef> = Vec::new();
    let ticks = [
        (bands.monotone, monotone_label(bands), Align2::RIGHT_TOP),
        (bands.critical, critical_label(bands), Align2::LEFT_TOP),
        (bands.optimal, "best", Align2::CENTER_TOP),
    ];
    for (v, label, align) in ticks {
        let Some(v) = v.filter(|v| *v >= range.0 && *v <= range.1) else {
            continue;
        };
        let x = x_of(v, range, rail);
        painter.line_segment(
            [pos2(x, band_rect.top() - 1.0), pos2(x, band_rect.bottom() + 3.0)],
            Stroke::new(1.5, text_color),
        );
        let galley = painter.layout_no_wrap(label.to_string(), font.clone(), text_color);
        let w = galley.size().x;
        let left = match align {
            Align2::RIGHT_TOP => x - w - 1.0,
            Align2::LEFT_TOP => x + 2.0,
            _ => x - w / 2.0,
        };
        let span = egui::Rangef::new(left - 2.0, left + w + 2.0);
        if taken.iter().all(|t| t.max < span.min || span.max < t.min) {
            painter.galley(pos2(left, band_rect.bottom() + 2.0), galley, text_color);
            taken.push(span);
        }
    }
}

/// The smooth bound's tick: Newton's full step, or plain GD's 1/λ (which is Newton's step along λ's direction).
fn monotone_label(bands: &Bands) -> &'static str {
    if bands.newton {
        "lr 1 = full step"
    } else if bands.momentum > 0.0 {
        "(1−√β)²/λ"
    } else {
        "1/λ = Newton"
    }
}

/// The divergence bound's tick.
fn critical_label(bands: &Bands) -> &'static str {
    if bands.newton {
        "lr 2"
    } else if bands.momentum > 0.0 {
        "diverges"
    } else {
        "2/λ"
    }
}

/// One line naming the boundaries (the map's accessible label): "stability map: smooth below 0.06667, oscillates
/// below 0.1333, diverges from 0.1333".
pub fn summary(b: &Bands) -> String {
    let mut parts = Vec::new();
    if let Some(m) = b.monotone {
        parts.push(format!("smooth below {}", format::short(m)));
    }
    match b.critical {
        Some(c) => {
            parts.push(format!("oscillates below {}", format::short(c)));
            parts.push(format!("diverges from {}", format::short(c)));
        }
        None => parts.push("never diverges".into()),
    }
    let mut s = format!("stability map: {}", parts.join(", "));
    if let Some(c) = b.caveat() {
        s += &format!(" ({c})");
    }
    s
}

fn tooltip_lines(ui: &mut Ui, b: &Bands) {
    if b.newton {
        ui.label("Newton's method: H⁻¹ scales every curvature to 1");
        ui.label("green, lr < 1: damped, the error shrinks by (1 − lr) each step (on a quadratic)");
        ui.label("lr = 1: the full step to the model's minimum, reached at once on a quadratic");
        ui.label("amber, 1 < lr < 2: overshoots; red, lr ≥ 2: diverges");
        return;
    }
    let title = if b.nesterov {
        format!("SGD with Nesterov momentum β = {}", format::short(b.momentum))
    } else if b.momentum > 0.0 {
        format!("SGD with heavy-ball momentum β = {}", format::short(b.momentum))
    } else {
        "Plain gradient descent".into()
    };
    ui.label(title);
    match (b.monotone, b.optimal, b.critical) {
        (_, _, None) => {
            ui.label("No curvature here: every learning rate converges (or ends bouncing around the optimum).");
        }
        (m, o, Some(c)) => {
            if let Some(m) = m {
                let what = if b.momentum > 0.0 { "(1 − √β)²/λmax" } else { "1/λmax" };
                ui.label(format!("green, lr < {what} = {}: the loss falls every step", format::short(m)));
                if b.momentum == 0.0 {
                    ui.label("lr = 1/λmax is Newton's step along the steepest direction (in 1-D, it lands at once)");
                }
            }
            if let Some(o) = o {
                ui.label(format!("best = 2/(λmax + λmin) = {}: the fastest worst-case convergence", format::short(o)));
            }
            let what = if b.nesterov {
                "(2 + 2β)/((1 + 2β)·λmax)"
            } else if b.momentum > 0.0 {
                "(2 + 2β)/λmax"
            } else {
                "2/λmax"
            };
            ui.label("amber: overshoots and oscillates, but converges");
            ui.label(format!("red, lr ≥ {what} = {}: diverges", format::short(c)));
        }
    }
    if let Some(c) = b.caveat() {
        ui.label(RichText::new(c).italics());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analysis::analyze;
    use crate::engine::data::Dataset;
    use crate::engine::model::Params;
    use crate::engine::settings::GradientSource;

    fn bands(s: &Settings) -> Bands {
        stability_bands(&analyze(&Dataset::notebook(), s, Params::default()), s)
    }

    #[test]
    fn notebook_divergence_boundary_and_regime_colours() {
        let b = bands(&Settings::default());
        let c = b.critical.unwrap();
        assert!((c - 2.0 / 15.0).abs() < 1e-15, "{c}");
        assert_eq!(b.regime(c * (1.0 - 1e-9)), Band::Oscillating);
        assert_eq!(b.regime(c), Band::Divergent);
        assert_eq!(b.regime(0.01), Band::Monotone);
        let p = Palette::new(true);
        assert_ne!(band_color(b.regime(c * 0.999), p), band_color(b.regime(c * 1.001), p));
        let mut s = Settings { gradient: GradientSource::NotebookSum, ..Settings::default() };
        let c = bands(&s).critical.unwrap();
        assert!((c - 2.0 / 60.0).abs() < 1e-15, "{c}");
        s.optimizer.momentum = 0.5;
        assert!((bands(&s).critical.unwrap() - 3.0 / 60.0).abs() < 1e-15);
    }

    #[test]
    fn newtons_map_is_that_of_curvature_one() {
        let optimizer = crate::engine::OptimizerConfig::new(OptimizerKind::Newton, 1.0);
        let b = bands(&Settings { optimizer, ..Settings::default() });
        assert_eq!((b.monotone, b.critical), (Some(1.0), Some(2.0)));
        assert_eq!(b.caveat(), None);
        assert_eq!(monotone_label(&bands(&Settings::default())), "1/λ = Newton");
    }
}
