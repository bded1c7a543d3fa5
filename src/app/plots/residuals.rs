//! Each sample's share of the loss and of the gradient, for the selected run at the timeline's step, drawn on the
//! Data tab (issue 10 §4):
//!
//! - on the scatter ([`overlay_ui`]): every residual rᵢ = ŷᵢ − yᵢ as a segment from the point to the fitted line,
//!   and its loss term beside it — a square of side |r| for MSE, a bar of length |r| for MAE, for Huber the square
//!   clipped at δ (a half-square, ½r²) with the linear remainder as a bar of width δ. The axes have different
//!   scales, so the squares are drawn square *on screen* (their side is |r| on the y scale): every square's area is
//!   its term times the same factor, and the squares compare faithfully;
//! - beside it ([`strip_ui`]): each sample's gradient contribution as an arrow, stacked head-to-tail into the total
//!   the gradient source reports — ÷ N each for the mean, at full size under notebook-sum, whose total is then N
//!   times the mean (both drawn, so the N× is seen);
//! - above both ([`loss_sum_text`], [`curvature_text`]): the loss as the mean of the terms, written out for small
//!   data, and the curvature λ = L″ with the critical learning rate 2/λ.
//!
//! The numbers and shapes come from [`crate::geometry::residuals`]; here they are laid out, painted and described
//! (every element has a tooltip: what it is, its formula, its value).

use egui::{Color32, RichText, Ui};
use egui_plot::{Arrows, Line, Plot, PlotBounds, PlotUi, Points, Polygon, VLine};

use crate::app::theme::{Palette, faded};
use crate::engine::analysis::Analysis;
use crate::engine::loss::LossKind;
use crate::engine::model::Grad;
use crate::format;
use crate::geometry::residuals::{
    SampleShare, Shares, TermShape, batch_gradient, batch_mask, inside_convex, stack, term_outline,
};

/// Up to this many samples the loss is written out term by term.
pub const WRITTEN_OUT_MAX: usize = 8;
/// Width of an MAE bar, in points.
const BAR_POINTS: f64 = 6.0;
/// Hover tolerance, in points.
const HOVER_POINTS: f64 = 6.0;

/// How the scatter maps lengths to the screen (from its transform).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// x units per point.
    pub x_per_point: f64,
    /// y units per point.
    pub y_per_point: f64,
    /// The middle of the x range: terms left of it are drawn to the right of their residual, the others to the left.
    pub mid_x: f64,
}

impl Scale {
    /// The scale of a plot transform.
    pub fn of(t: &egui_plot::PlotTransform) -> Option<Scale> {
        let [dx, dy] = t.dvalue_dpos();
        let b = t.bounds();
        let scale = Scale { x_per_point: dx.abs(), y_per_point: dy.abs(), mid_x: 0.5 * (b.min()[0] + b.max()[0]) };
        let ok = [scale.x_per_point, scale.y_per_point, scale.mid_x].iter().all(|v| v.is_finite());
        (ok && scale.x_per_point > 0.0 && scale.y_per_point > 0.0).then_some(scale)
    }
}

/// The overlay of one frame: the shares, their outlines on the scatter and the batch.
#[derive(Clone, Debug)]
pub struct Overlay {
    /// The numbers.
    pub shares: Shares,
    /// Each sample's term outline, in data coordinates (empty before the scatter's scale is known).
    pub outlines: Vec<Vec<[f64; 2]>>,
    /// Which samples the next update uses.
    pub in_batch: Vec<bool>,
    /// The batch's gradient (mean over the batch, or its sum under notebook-sum), when there is a batch.
    pub batch: Option<Grad<f64>>,
    /// The scatter's scale the outlines were made for.
    pub scale: Option<Scale>,
}

/// One element of the overlay on the scatter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// A data point.
    Point(usize),
    /// A residual segment.
    Residual(usize),
    /// A loss term's shape.
    Term(usize),
}

impl Overlay {
    /// The overlay of `shares`, with the batch the next update uses (`None`: full batch).
    pub fn new(shares: Shares, batch: Option<&[usize]>, scale: Option<Scale>) -> Overlay {
        let outlines = match scale {
            Some(sc) => shares
                .samples
                .iter()
                .map(|s| {
                    let shape = TermShape::of(shares.kind, shares.delta, s.residual);
                    let dir = if s.x <= sc.mid_x { 1.0 } else { -1.0 };
                    term_outline(s, shape, sc.x_per_point / sc.y_per_point, dir, BAR_POINTS * sc.x_per_point)
                })
                .collect(),
            None => Vec::new(),
        };
        let in_batch = batch_mask(shares.len(), batch);
        let batch = batch.and_then(|b| batch_gradient(&shares, b));
        Overlay { shares, outlines, in_batch, batch, scale }
    }

    /// The element under `pos` (data coordinates): a point first, then a residual, then a term's shape.
    pub fn hit(&self, pos: [f64; 2]) -> Option<Part> {
        let sc = self.scale?;
        let (tx, ty) = (HOVER_POINTS * sc.x_per_point, HOVER_POINTS * sc.y_per_point);
        let near = |a: f64, b: f64, t: f64| (a - b).abs() <= t;
        let samples = &self.shares.samples;
        if let Some(s) = samples.iter().find(|s| near(s.x, pos[0], tx) && near(s.y, pos[1], ty)) {
            return Some(Part::Point(s.index));
        }
        let between = |s: &SampleShare| pos[1] >= s.y.min(s.fitted) && pos[1] <= s.y.max(s.fitted);
        if let Some(s) = samples.iter().find(|s| near(s.x, pos[0], tx) && between(s)) {
            return Some(Part::Residual(s.index));
        }
        // The smallest shape under the pointer (a small square drawn over a large one stays reachable).
        let mut best: Option<(usize, f64)> = None;
        for (k, o) in self.outlines.iter().enumerate() {
            if inside_convex(o, pos) && best.is_none_or(|(_, t)| samples[k].term < t) {
                best = Some((k, samples[k].term));
            }
        }
        best.map(|(k, _)| Part::Term(k))
    }

    /// The tooltip of an element.
    pub fn describe(&self, part: Part) -> String {
        let sh = &self.shares;
        match part {
            Part::Point(i) => point_text(sh, &sh.samples[i]),
            Part::Residual(i) => residual_text(&sh.samples[i]),
            Part::Term(i) => term_text(sh, &sh.samples[i]),
        }
    }
}

fn residual_text(s: &SampleShare) -> String {
    format!(
        "residual of point {}: r = ŷ − y = {} − {} = {}\nthe vertical gap between the point and the fitted line",
        s.index,
        format::short(s.fitted),
        format::short(s.y),
        format::short(s.residual)
    )
}

fn term_text(sh: &Shares, s: &SampleShare) -> String {
    let (i, r, term) = (s.index, format::short(s.residual), format::short(s.term));
    let what = match sh.kind {
        LossKind::Mse => format!(
            "loss term of point {i}: ℓ = r² = ({r})² = {term}\nthe square's side is |r| on the y scale; it is drawn \
             square on screen, so the areas compare"
        ),
        LossKind::Mae => format!("loss term of point {i}: ℓ = |r| = {term}\nthe bar's length is |r|"),
        LossKind::Huber => format!(
            "loss term of point {i}: Huber with δ = {d}, r = {r}\nℓ = ½·min(|r|, δ)² + δ·max(|r| − δ, 0) = {term}\n\
             a half-square inside δ, then a bar of width δ: the area under ℓ′ = clamp(r, −δ, δ)",
            d = format::short(sh.delta)
        ),
    };
    format!("{what}\nL = the mean of the {} terms = {}", sh.len(), format::short(sh.loss))
}

fn point_text(sh: &Shares, s: &SampleShare) -> String {
    let mut t = format!(
        "point {}: x = {}, y = {}, ŷ = {}\nr = {}, ℓ = {}, ℓ′(r) = {} = {}\n∂ℓ/∂w = ℓ′·x = {}",
        s.index,
        format::short(s.x),
        format::short(s.y),
        format::short(s.fitted),
        format::short(s.residual),
        format::short(s.term),
        slope_formula(sh.kind),
        format::short(s.slope),
        format::short(s.slope * s.x)
    );
    if sh.bias {
        t += &format!(", ∂ℓ/∂b = ℓ′ = {}", format::short(s.slope));
    }
    t + "\ndrag it to move it: the residuals, λ and the arrows follow"
}

/// ℓ′(r) for a loss, as a formula.
fn slope_formula(kind: LossKind) -> &'static str {
    match kind {
        LossKind::Mse => "2r",
        LossKind::Mae => "sign(r)",
        LossKind::Huber => "clamp(r, −δ, δ)",
    }
}

/// The loss as the mean of its terms: "L = (9 + 36 + 81 + 144)/4 = 67.5" up to [`WRITTEN_OUT_MAX`] samples,
/// "L = Σℓᵢ/N = 1350/20 = 67.5" beyond.
pub fn loss_sum_text(sh: &Shares) -> String {
    let n = sh.len();
    let total: f64 = sh.samples.iter().map(|s| s.term).sum();
    let name = match sh.kind {
        LossKind::Mse => "r²",
        LossKind::Mae => "|r|",
        LossKind::Huber => "Huber(r)",
    };
    if n <= WRITTEN_OUT_MAX {
        let terms: Vec<String> = sh.samples.iter().map(|s| format::short(s.term)).collect();
        format!("L = mean of {name} = ({})/{n} = {}", terms.join(" + "), format::short(sh.loss))
    } else {
        format!("L = mean of {name} = Σ/N = {}/{n} = {}", format::short(total), format::short(sh.loss))
    }
}

/// λ = L″ and the critical learning rate 2/λ from the engine's analysis, with the run's lr.
pub fn curvature_text(a: &Analysis, summed: bool, bias: bool, lr: f64) -> String {
    let lambda = match (summed, bias) {
        (false, false) => "λ = L″",
        (false, true) => "λ = λmax of L″",
        (true, false) => "λ = N·L″ (the summed gradient's)",
        (true, true) => "λ = λmax of N·L″ (the summed gradient's)",
    };
    let local = if a.local && a.curvature_max > 0.0 { " here" } else { "" };
    match a.critical_lr {
        Some(c) => format!(
            "{lambda} = {}{local} · critical lr 2/λ = {} · lr = {}",
            format::short(a.curvature_max),
            format::short(c),
            format::short(lr)
        ),
        None => {
            format!("{lambda} = {}{local}: no critical lr · lr = {}", format::short(a.curvature_max), format::short(lr))
        }
    }
}

/// The label of a strip's total: "Σ = −180 = 4 × the mean −45" under notebook-sum, "Σ = −45 = the mean" otherwise.
pub fn total_text(sh: &Shares, param: Param) -> String {
    let (total, mean) = (param.of(sh.total), param.of(sh.mean));
    if sh.summed {
        format!(
            "{}: Σ = {} = {} × the mean {}",
            param.derivative(),
            format::short(total),
            sh.len(),
            format::short(mean)
        )
    } else {
        format!("{}: Σ of the {} arrows = {} = the mean", param.derivative(), sh.len(), format::short(total))
    }
}

/// A parameter of the model, for a gradient strip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// The weight.
    W,
    /// The bias.
    B,
}

impl Param {
    /// This parameter's component of a gradient.
    pub fn of(self, g: Grad<f64>) -> f64 {
        match self {
            Param::W => g.w,
            Param::B => g.b,
        }
    }

    /// "∂L/∂w" or "∂L/∂b".
    pub fn derivative(self) -> &'static str {
        match self {
            Param::W => "∂L/∂w",
            Param::B => "∂L/∂b",
        }
    }
}

/// What an arrow of a gradient strip is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// One sample's contribution.
    Sample(usize),
    /// The sum of the arrows: the gradient the source reports.
    Total,
    /// The mean gradient (drawn apart under notebook-sum, whose total is N times it).
    Mean,
    /// The gradient over the batch the next update uses.
    Batch,
}

/// One arrow of a gradient strip: from `from` to `to` on the gradient axis, at height `y`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StripRow {
    /// Height (samples from the top, then the totals).
    pub y: f64,
    /// Tail.
    pub from: f64,
    /// Head.
    pub to: f64,
    /// What it is.
    pub kind: RowKind,
}

/// The arrows of a strip: the samples' contributions head-to-tail, one row each, then the total from 0, the mean
/// under notebook-sum and the batch's gradient when there is a batch.
pub fn strip_rows(o: &Overlay, param: Param) -> Vec<StripRow> {
    let sh = &o.shares;
    let mut rows: Vec<StripRow> = stack(sh.samples.iter().map(|s| param.of(s.arrow)))
        .into_iter()
        .enumerate()
        .map(|(k, [from, to])| StripRow { y: -(k as f64), from, to, kind: RowKind::Sample(k) })
        .collect();
    let mut y = -(sh.len() as f64) - 0.5;
    let mut add = |to: f64, kind: RowKind| {
        rows.push(StripRow { y, from: 0.0, to, kind });
        y -= 1.0;
    };
    add(param.of(sh.total), RowKind::Total);
    if sh.summed {
        add(param.of(sh.mean), RowKind::Mean);
    }
    if let Some(b) = o.batch {
        add(param.of(b), RowKind::Batch);
    }
    rows
}

/// The strip's view: every arrow and 0, with a margin.
pub fn strip_bounds(rows: &[StripRow]) -> PlotBounds {
    let (mut lo, mut hi, mut bottom) = (0.0_f64, 0.0_f64, 0.0_f64);
    for r in rows {
        lo = lo.min(r.from.min(r.to));
        hi = hi.max(r.from.max(r.to));
        bottom = bottom.min(r.y);
    }
    let pad = ((hi - lo) * 0.06).max(1e-9 * (1.0 + hi.abs().max(lo.abs())));
    PlotBounds::from_min_max([lo - pad, bottom - 0.7], [hi + pad, 0.7])
}

/// The row under `pos` (strip coordinates), within `tol` (x and y units).
pub fn strip_hit(rows: &[StripRow], pos: [f64; 2], tol: [f64; 2]) -> Option<usize> {
    rows.iter().position(|r| {
        (pos[1] - r.y).abs() <= tol[1].max(0.35)
            && pos[0] >= r.from.min(r.to) - tol[0]
            && pos[0] <= r.from.max(r.to) + tol[0]
    })
}

/// The tooltip of a strip's arrow.
pub fn row_text(o: &Overlay, param: Param, row: &StripRow) -> String {
    let sh = &o.shares;
    let (d, n) = (param.derivative(), sh.len());
    match row.kind {
        RowKind::Sample(k) => {
            let s = &sh.samples[k];
            let factor = if param == Param::W {
                format!("·x = {}·{}", format::short(s.slope), format::short(s.x))
            } else {
                format!(" = {}", format::short(s.slope))
            };
            let share = format::short(param.of(s.arrow));
            let how = if sh.summed {
                format!("added at full size (the notebook sums): ℓ′(r){factor} = {share}")
            } else {
                format!("ℓ′(r){factor}, ÷ {n} = {share}")
            };
            format!("point {k}'s share of {d}\n{how}\nfrom {} to {}", format::short(row.from), format::short(row.to))
        }
        RowKind::Total if sh.summed => format!(
            "the notebook's gradient: the {n} shares summed, Σ = {}\n= {n} × the mean {}: the step is {n} times too \
             long",
            format::short(row.to),
            format::short(param.of(sh.mean))
        ),
        RowKind::Total => {
            format!("{d} = the sum of the {n} arrows (each ÷ {n}) = the mean gradient = {}", format::short(row.to))
        }
        RowKind::Mean => {
            format!("the mean gradient {d} = Σ/{n} = {}: what the update should use", format::short(row.to))
        }
        RowKind::Batch => {
            let k = o.in_batch.iter().filter(|b| **b).count();
            format!(
                "the batch's gradient over its {k} highlighted points = {}\nagainst the full one above",
                format::short(row.to)
            )
        }
    }
}

/// The colours of the overlay in a theme.
struct Colors {
    residual: Color32,
    arrow: Color32,
    total: Color32,
    mean: Color32,
    batch: Color32,
}

impl Colors {
    fn new(p: Palette, summed: bool) -> Colors {
        Colors {
            residual: p.diverged,
            arrow: p.tangent,
            total: if summed { p.warning } else { p.optimum },
            mean: p.converged,
            batch: p.marker,
        }
    }
}

/// Draws the residuals, the terms' shapes and the batch's rings on the scatter; returns the tooltip of the element
/// under the pointer.
pub fn overlay_ui(plot_ui: &mut PlotUi<'_>, o: &Overlay, palette: Palette) -> Option<String> {
    let c = Colors::new(palette, o.shares.summed);
    let term_name = match o.shares.kind {
        LossKind::Mse => "loss term r² (square)",
        LossKind::Mae => "loss term |r| (bar)",
        LossKind::Huber => "loss term Huber(r) (clipped square)",
    };
    for (k, s) in o.shares.samples.iter().enumerate() {
        let alpha = if o.in_batch[k] { 1.0 } else { 0.35 };
        if let Some(outline) = o.outlines.get(k) {
            plot_ui.polygon(
                Polygon::new(format!("{term_name}, point {k}"), outline.clone())
                    .fill_color(faded(c.residual, 0.2 * alpha))
                    .stroke(egui::Stroke::new(1.0, faded(c.residual, 0.75 * alpha)))
                    .allow_hover(false),
            );
        }
        plot_ui.line(
            Line::new(format!("residual r, point {k}"), vec![[s.x, s.y], [s.x, s.fitted]])
                .color(faded(c.residual, alpha))
                .width(2.0)
                .allow_hover(false),
        );
    }
    if o.in_batch.iter().any(|b| !b) {
        let ring: Vec<[f64; 2]> = o.shares.samples.iter().filter(|s| o.in_batch[s.index]).map(|s| [s.x, s.y]).collect();
        plot_ui
            .points(Points::new("in the next batch", ring).filled(false).radius(8.0).color(c.batch).allow_hover(false));
    }
    let hovered = plot_ui.response().hovered();
    let pos = plot_ui.pointer_coordinate().filter(|_| hovered)?;
    o.hit([pos.x, pos.y]).map(|part| o.describe(part))
}

/// One gradient strip: the samples' arrows head-to-tail, the total (and the mean, the batch's gradient), with its
/// label above; tooltips on every arrow.
pub fn strip_ui(ui: &mut Ui, o: &Overlay, param: Param, palette: Palette, id: &str) {
    let c = Colors::new(palette, o.shares.summed);
    let total_color = c.total;
    ui.label(RichText::new(total_text(&o.shares, param)).small().color(total_color))
        .on_hover_text(strip_tip(&o.shares, param));
    let rows = strip_rows(o, param);
    let bounds = strip_bounds(&rows);
    let response = Plot::new(id)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_axes([true, false])
        .show_grid([true, false])
        .x_grid_spacer(super::value_spacer_x)
        .x_axis_formatter(|mark, _| format::value_label(mark.value))
        .show(ui, |plot_ui| {
            plot_ui.set_plot_bounds(bounds);
            plot_ui.vline(VLine::new("0", 0.0).color(faded(palette.weak_text, 0.6)).allow_hover(false));
            for (k, r) in rows.iter().enumerate() {
                let (color, width) = match r.kind {
                    RowKind::Sample(i) => (faded(c.arrow, if o.in_batch[i] { 1.0 } else { 0.35 }), 2.0),
                    RowKind::Total => (c.total, 3.0),
                    RowKind::Mean => (c.mean, 3.0),
                    RowKind::Batch => (c.batch, 3.0),
                };
                let name = format!("{:?} {k}", r.kind);
                plot_ui.line(Line::new(name.clone(), vec![[r.from, r.y], [r.to, r.y]]).color(color).width(width));
                plot_ui.arrows(Arrows::new(name, vec![[r.from, r.y]], vec![[r.to, r.y]]).color(color).tip_length(8.0));
            }
            let hovered = plot_ui.response().hovered();
            let pos = plot_ui.pointer_coordinate().filter(|_| hovered)?;
            let [dx, dy] = plot_ui.transform().dvalue_dpos();
            let tol = [HOVER_POINTS * dx.abs(), HOVER_POINTS * dy.abs()];
            strip_hit(&rows, [pos.x, pos.y], tol).map(|k| row_text(o, param, &rows[k]))
        });
    if let Some(text) = response.inner {
        response.response.on_hover_text_at_pointer(text);
    }
}

/// The tooltip of a strip's label.
fn strip_tip(sh: &Shares, param: Param) -> String {
    let n = sh.len();
    let d = param.derivative();
    let each = if param == Param::W { "ℓ′(r)·x" } else { "ℓ′(r)" };
    if sh.summed {
        format!(
            "Each arrow is one point's whole {each}, added head to tail: their sum is the notebook's gradient, \
                 {n} times the mean {d} drawn below it."
        )
    } else {
        format!("Each arrow is one point's {each} ÷ {n}, added head to tail: their sum is the mean {d}, the gradient.")
    }
}

/// The gradient strips beside the scatter: ∂L/∂w, and ∂L/∂b beside it with a bias.
pub fn strips_ui(ui: &mut Ui, o: &Overlay, palette: Palette) {
    let rect = ui.available_rect_before_wrap();
    let params: &[Param] = if o.shares.bias { &[Param::W, Param::B] } else { &[Param::W] };
    let gap = 8.0;
    let w = (rect.width() - gap * (params.len() as f32 - 1.0)) / params.len() as f32;
    for (k, &param) in params.iter().enumerate() {
        let min = egui::pos2(rect.min.x + k as f32 * (w + gap), rect.min.y);
        let cell = egui::Rect::from_min_size(min, egui::vec2(w, rect.height()));
        ui.scope_builder(egui::UiBuilder::new().max_rect(cell), |ui| {
            strip_ui(ui, o, param, palette, if param == Param::W { "shares-dw" } else { "shares-db" });
        });
    }
    ui.allocate_rect(rect, egui::Sense::hover());
}

/// The line above the scatter: the loss as the mean of its terms, λ and the critical lr (coloured as a warning
/// when lr ≥ 2/λ), with their tooltips.
pub fn summary_ui(ui: &mut Ui, o: &Overlay, a: &Analysis, lr: f64, palette: Palette) {
    let sh = &o.shares;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(loss_sum_text(sh)).small().strong()).on_hover_text(
            "The loss is the mean of the points' loss terms (the shapes beside the residuals on the scatter).",
        );
        ui.label(RichText::new("·").small().color(palette.weak_text));
        let unstable = a.critical_lr.is_some_and(|c| lr >= c);
        let color = if unstable { palette.diverged } else { palette.weak_text };
        ui.label(RichText::new(curvature_text(a, sh.summed, sh.bias, lr)).small().color(color)).on_hover_text(
            "λ is the loss's curvature L″ (its largest eigenvalue with a bias) as the update sees it; plain gradient \
             descent diverges once lr ≥ 2/λ. Drag a point: λ and 2/λ follow.",
        );
        if let Some(b) = o.batch {
            ui.label(RichText::new("·").small().color(palette.weak_text));
            let text = format!("batch ∂L/∂w = {} vs full {}", format::short(b.w), format::short(sh.total.w));
            ui.label(RichText::new(text).small().color(palette.marker))
                .on_hover_text("The gradient over the highlighted points (the batch the next update uses).");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analysis::analyze;
    use crate::engine::data::Dataset;
    use crate::engine::model::Params;
    use crate::engine::settings::{GradientSource, Settings};
    use crate::geometry::residuals::shares;

    const X: [f64; 4] = [1.0, 2.0, 3.0, 4.0];
    const Y: [f64; 4] = [3.0, 6.0, 9.0, 12.0];

    fn overlay(settings: &Settings, batch: Option<&[usize]>) -> Overlay {
        let sh = shares(&X, &Y, settings, Params::default()).expect("shares");
        Overlay::new(sh, batch, Some(Scale { x_per_point: 0.01, y_per_point: 0.1, mid_x: 2.5 }))
    }

    #[test]
    fn the_loss_is_written_out_as_the_mean_of_its_terms() {
        let o = overlay(&Settings::default(), None);
        assert_eq!(loss_sum_text(&o.shares), "L = mean of r² = (9 + 36 + 81 + 144)/4 = 67.5");
        let many: Vec<f64> = (1..=10).map(f64::from).collect();
        let sh = shares(&many, &[0.0; 10], &Settings::default(), Params { w: 1.0, b: 0.0 }).expect("shares");
        assert_eq!(loss_sum_text(&sh), "L = mean of r² = Σ/N = 385/10 = 38.5");
    }

    #[test]
    fn the_totals_say_what_they_are() {
        let o = overlay(&Settings::default(), None);
        assert_eq!(total_text(&o.shares, Param::W), "∂L/∂w: Σ of the 4 arrows = -45 = the mean");
        let summed = Settings { gradient: GradientSource::NotebookSum, ..Settings::default() };
        let o = overlay(&summed, None);
        assert_eq!(total_text(&o.shares, Param::W), "∂L/∂w: Σ = -180 = 4 × the mean -45");
        let rows = strip_rows(&o, Param::W);
        let kinds: Vec<RowKind> = rows.iter().map(|r| r.kind).collect();
        assert_eq!(kinds[4..], [RowKind::Total, RowKind::Mean]);
        assert_eq!((rows[3].to, rows[4].to, rows[5].to), (-180.0, -180.0, -45.0), "the stack ends at the total");
    }

    #[test]
    fn the_batch_is_highlighted_and_its_gradient_drawn_against_the_full_one() {
        let o = overlay(&Settings::default(), Some(&[1, 3]));
        assert_eq!(o.in_batch, [false, true, false, true]);
        // 2·r·x at samples 1 and 3: −24 and −96, mean −60.
        assert_eq!(o.batch, Some(Grad { w: -60.0, b: 0.0 }));
        let rows = strip_rows(&o, Param::W);
        assert_eq!(rows.last().map(|r| (r.kind, r.to)), Some((RowKind::Batch, -60.0)));
        assert!(row_text(&o, Param::W, &rows[rows.len() - 1]).contains("2 highlighted points"));
        assert!(overlay(&Settings::default(), None).in_batch.iter().all(|b| *b));
    }

    #[test]
    fn hovering_finds_points_residuals_terms_and_arrows() {
        let o = overlay(&Settings::default(), None);
        assert_eq!(o.hit([2.0, 6.0]), Some(Part::Point(1)));
        assert_eq!(o.hit([2.0, 3.0]), Some(Part::Residual(1)));
        // Point 0 (x = 1 < 2.5) has its square to the right: side 3 on the y scale is 0.3 in x.
        assert_eq!(o.hit([1.2, 1.5]), Some(Part::Term(0)));
        assert_eq!(o.hit([1.4, 1.5]), None);
        assert!(o.describe(Part::Term(0)).contains("ℓ = r² = (-3)² = 9"));
        let rows = strip_rows(&o, Param::W);
        assert_eq!(strip_hit(&rows, [-4.0, -1.0], [0.1, 0.1]), Some(1));
        assert_eq!(strip_hit(&rows, [-30.0, -4.5], [0.1, 0.1]), Some(4));
        assert_eq!(strip_hit(&rows, [5.0, -1.0], [0.1, 0.1]), None);
        let b = strip_bounds(&rows);
        assert!(b.min()[0] < -45.0 && b.max()[0] > 0.0 && b.min()[1] < -4.5);
    }

    #[test]
    fn curvature_reads_lambda_and_the_critical_lr() {
        let data = Dataset::new(X.to_vec(), Y.to_vec(), "notebook").expect("data");
        let a = analyze(&data, &Settings::default(), Params::default());
        assert_eq!(curvature_text(&a, false, false, 0.01), "λ = L″ = 15 · critical lr 2/λ = 0.1333 · lr = 0.01");
        let mae = Settings { loss: LossKind::Mae, ..Settings::default() };
        let a = analyze(&data, &mae, Params::default());
        assert!(curvature_text(&a, false, false, 0.01).contains("no critical lr"));
    }
}
