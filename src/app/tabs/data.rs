//! The data editor: a table of the (x, y) points beside a scatter plot of them, with every run's fitted line
//! ŷ = w·x (+ b) drawn over the data in the run's colour (it moves as the runs progress).
//!
//! Points can be dragged in the scatter (committed on release), added by a click on empty space (or the "Add
//! point" button), and removed with a right-click or the table’s ⨯. Each edit builds a new dataset and sends it to
//! the worker, which restarts every run. Big data stays responsive: the table is virtualised (only visible rows are
//! laid out) and the scatter shows a decimated sample computed once per dataset, never per frame.

use std::collections::BTreeSet;
use std::sync::Arc;

use egui::{Color32, DragValue, RichText, Ui};
use egui_plot::{Line, MarkerShape, Plot, PlotPoint, PlotPoints, PlotTransform, Points};

use crate::app::plots::residuals::{self, Overlay, Scale};
use crate::app::state::Action;
use crate::app::tabs::TabView;
use crate::app::theme::Palette;
use crate::app::view::ViewCtx;
use crate::engine::analysis::{Analysis, analyze};
use crate::engine::data::{Dataset, PRESETS, preset_description};
use crate::engine::scaling::Scaling;
use crate::explain::topics::Topic;
use crate::geometry::residuals::{MAX_SHARES, shares};
use crate::worker::RunSnapshot;
use crate::worker::{RunId, Snapshot};

/// Most points drawn in the scatter; bigger data is decimated to about this many.
pub const MAX_SCATTER_POINTS: usize = 5_000;
/// Screen distance (points) within which the pointer grabs a data point.
const GRAB_RADIUS: f32 = 9.0;

/// The labels of the editor's buttons (tests find them by these).
pub mod labels {
    /// Adds a point.
    pub const ADD_POINT: &str = "Add point";
    /// Removes a row's point.
    pub const REMOVE: &str = "⨯";
    /// Shows or hides each sample's residual, loss term and gradient share.
    pub const SHARES: &str = "Residuals & gradient shares";
}

/// How to edit the data (a line under the header, or the header's tooltip while the shares are shown).
const HINT: &str = "Drag a point to move it · click empty space to add one · right-click a point (or ⨯) to remove \
                    it. Every edit restarts every run.";

/// One edit of the data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Edit {
    /// Point `i` moves to (x, y).
    Set(usize, f64, f64),
    /// A new point at (x, y).
    Add(f64, f64),
    /// Point `i` goes.
    Remove(usize),
}

impl Edit {
    /// The dataset after this edit (`None` when it would leave no point or a non-finite value).
    pub fn apply(self, data: &Dataset) -> Option<Dataset> {
        let mut x = data.x.to_vec();
        let mut y = data.y.to_vec();
        match self {
            Edit::Set(i, nx, ny) => {
                *x.get_mut(i)? = nx;
                *y.get_mut(i)? = ny;
            }
            Edit::Add(nx, ny) => {
                x.push(nx);
                y.push(ny);
            }
            Edit::Remove(i) => {
                if i >= x.len() || x.len() <= 1 {
                    return None;
                }
                x.remove(i);
                y.remove(i);
            }
        }
        let name = if data.name.ends_with("(edited)") { data.name.clone() } else { format!("{} (edited)", data.name) };
        Dataset::new(x, y, name).ok()
    }
}

/// The decimated scatter of one dataset.
#[derive(Default)]
struct Sample {
    /// The dataset it was computed from.
    data: Option<Arc<Dataset>>,
    points: Vec<PlotPoint>,
    /// The data index of each point.
    index: Vec<usize>,
    stride: usize,
    x_range: (f64, f64),
}

impl Sample {
    fn update(&mut self, data: &Arc<Dataset>) {
        if self.data.as_ref().is_some_and(|d| Arc::ptr_eq(d, data)) {
            return;
        }
        let n = data.len();
        let stride = n.div_ceil(MAX_SCATTER_POINTS).max(1);
        self.points.clear();
        self.index.clear();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (i, &x) in data.x.iter().enumerate() {
            lo = lo.min(x);
            hi = hi.max(x);
            if i % stride == 0 {
                self.points.push(PlotPoint::new(x, data.y[i]));
                self.index.push(i);
            }
        }
        self.stride = stride;
        self.x_range = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        self.data = Some(Arc::clone(data));
    }
}

/// The editor's state (not persisted).
#[derive(Default)]
pub struct DataEditor {
    sample: Sample,
    /// The point being dragged: its data index and where it is now.
    drag: Option<(usize, PlotPoint)>,
    /// The scatter's transform in the last frame (screen ↔ data), for tests and hit testing.
    pub transform: Option<PlotTransform>,
    /// Why the last edit was refused.
    note: Option<String>,
    /// A table value being dragged or typed: its row and the values shown, committed when the drag or the typing
    /// ends (one new dataset, one restart, instead of one per frame).
    table_edit: Option<(usize, f64, f64)>,
}

/// What the scatter shows of the samples' shares: the overlay, the analysis of the data as drawn and the run's lr.
struct SharesView {
    overlay: Overlay,
    analysis: Analysis,
    lr: f64,
}

impl DataEditor {
    /// Where data point `i` was drawn in the last frame (if it is in the scatter's sample).
    pub fn screen_pos(&self, data: &Dataset, i: usize) -> Option<egui::Pos2> {
        let t = self.transform.as_ref()?;
        Some(t.position_from_point(&PlotPoint::new(*data.x.get(i)?, *data.y.get(i)?)))
    }

    /// The sampled point nearest to `pos` within the grab radius.
    fn hit(&self, pos: egui::Pos2, t: &PlotTransform) -> Option<usize> {
        let mut best: Option<(usize, f32)> = None;
        for (k, p) in self.sample.points.iter().enumerate() {
            let d = t.position_from_point(p).distance(pos);
            if d <= GRAB_RADIUS && best.is_none_or(|(_, bd)| d < bd) {
                best = Some((k, d));
            }
        }
        best.map(|(k, _)| self.sample.index[k])
    }

    /// The shares of the selected run's samples at the timeline's step, on the data as drawn (with the point being
    /// dragged where it is now, so that the residuals, λ and the arrows follow the drag live).
    fn shares_view(&self, ctx: &ViewCtx<'_>, batch: Option<&[usize]>) -> Option<SharesView> {
        let run = ctx.selected_run()?;
        let data = &ctx.snap.data;
        if data.len() > MAX_SHARES {
            return None;
        }
        let moved = self.drag.and_then(|(i, p)| Edit::Set(i, p.x, p.y).apply(data));
        let data: &Dataset = moved.as_ref().unwrap_or(data);
        let settings = &run.spec.settings;
        let p = run.record.params;
        let sh = shares(data.x.as_slice()?, data.y.as_slice()?, settings, p)?;
        let scale = self.transform.as_ref().and_then(Scale::of);
        let overlay = Overlay::new(sh, batch, scale);
        Some(SharesView { overlay, analysis: analyze(data, settings, p), lr: settings.optimizer.lr })
    }

    /// The editor: presets, the table and the scatter (with each sample's share of the loss and the gradient when
    /// shown, for the batch `batch`). Returns the edit to apply, if any, and a preset to load.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        ctx: &ViewCtx<'_>,
        batch: Option<&[usize]>,
        actions: &mut Vec<Action>,
    ) -> (Option<Edit>, Option<String>) {
        let (snap, palette) = (ctx.snap, ctx.palette);
        let data = &snap.data;
        self.sample.update(data);
        let (mut edit, preset) = self.header_ui(ui, ctx, actions);
        let view = if ctx.display.shares { self.shares_view(ctx, batch) } else { None };
        match &view {
            Some(v) => residuals::summary_ui(ui, &v.overlay, &v.analysis, v.lr, palette),
            None if ctx.display.shares => {
                let why = format!("Residuals and gradient shares are drawn for up to {MAX_SHARES} points.");
                ui.label(RichText::new(why).small().color(palette.weak_text));
            }
            None => {}
        }
        let area = ui.available_rect_before_wrap();
        let height = area.height().max(90.0);
        let (table_w, gap) = if ctx.solo { (0.0, 0.0) } else { (290.0_f32.min(area.width() * 0.4), 10.0) };
        let table_rect = egui::Rect::from_min_size(area.min, egui::vec2(table_w, height));
        let plot_rect = egui::Rect::from_min_max(
            egui::pos2(table_rect.max.x + gap, area.min.y),
            egui::pos2(area.max.x.max(table_rect.max.x + 60.0), area.min.y + height),
        );
        if !ctx.solo {
            ui.scope_builder(egui::UiBuilder::new().max_rect(table_rect), |ui| {
                if let Some(e) = table_ui(ui, data, &mut self.table_edit) {
                    edit = Some(e);
                }
            });
        }
        let (scatter_rect, side_rect) = split_side(plot_rect, view.as_ref().map(|v| v.overlay.shares.bias));
        ui.scope_builder(egui::UiBuilder::new().max_rect(scatter_rect), |ui| {
            if let Some(e) = self.scatter_ui(ui, snap, palette, &ctx.hidden, view.as_ref().map(|v| &v.overlay)) {
                edit = Some(e);
            }
        });
        if let (Some(v), Some(side)) = (&view, side_rect) {
            ui.scope_builder(egui::UiBuilder::new().max_rect(side), |ui| residuals::strips_ui(ui, &v.overlay, palette));
        }
        ui.allocate_rect(table_rect.union(plot_rect), egui::Sense::hover());
        (edit, preset)
    }

    /// The header: the data's name, the presets, "Add point", the shares toggle and the hint line.
    fn header_ui(&self, ui: &mut Ui, ctx: &ViewCtx<'_>, actions: &mut Vec<Action>) -> (Option<Edit>, Option<String>) {
        let (snap, palette) = (ctx.snap, ctx.palette);
        let data = &snap.data;
        let (mut edit, mut preset) = (None, None);
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{} · {} points", data.name, data.len())).strong()).on_hover_text(HINT);
            // Drawn alone for a PNG: the data's name, then the scatter without the table and the buttons.
            if ctx.solo {
                return;
            }
            ui.separator();
            ui.label("presets:");
            for p in PRESETS {
                if ui.button(p).on_hover_text(preset_description(p)).clicked() {
                    preset = Some(p.to_string());
                }
            }
            ui.separator();
            if ui
                .button(labels::ADD_POINT)
                .on_hover_text("Add a point just right of the data, on the first run's current line.")
                .clicked()
            {
                let (lo, hi) = self.sample.x_range;
                let x = hi + ((hi - lo) / data.len().max(1) as f64).max(0.5);
                let y = snap.runs.first().map_or(data.y[data.len() - 1], |r| r.record.params.w * x + r.record.params.b);
                edit = Some(Edit::Add(x, if y.is_finite() { y } else { 0.0 }));
            }
            ui.separator();
            let mut show = ctx.display.shares;
            let tip = "Each point's residual ŷ − y, its loss term (a square for MSE, a bar for MAE, a clipped square \
                       for Huber) and its share of the gradient as arrows added head to tail, for the selected run at \
                       the timeline's step.";
            if ui.checkbox(&mut show, labels::SHARES).on_hover_text(tip).changed() {
                actions.push(Action::SetShowShares(show));
            }
        });
        // With the shares shown, the summary line takes the hint's place (the points' tooltips say how to edit).
        if !ctx.display.shares && !ctx.solo {
            ui.label(RichText::new(HINT).small().color(palette.weak_text));
        }
        (edit, preset)
    }

    fn scatter_ui(
        &mut self,
        ui: &mut Ui,
        snap: &Snapshot,
        palette: Palette,
        hidden: &BTreeSet<RunId>,
        overlay: Option<&Overlay>,
    ) -> Option<Edit> {
        let data = &snap.data;
        let (lo, hi) = self.sample.x_range;
        let pad = ((hi - lo) * 0.08).max(0.25);
        let drag = self.drag;
        let stride = self.sample.stride;
        let points = &self.sample.points;
        let response = Plot::new("data-editor-scatter")
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            // A short scatter (the Data tab on a small window) keeps its height for the data: the x ticks suffice.
            .x_axis_label(if ui.available_height() < 160.0 { "" } else { "x" })
            .y_axis_label("y")
            .include_x(lo - pad)
            .include_x(hi + pad)
            .include_y(0.0)
            .show(ui, |plot_ui| {
                // The x range is the data's whatever is drawn (the loss terms' shapes must not widen it).
                plot_ui.set_plot_bounds_x(lo - pad..=hi + pad);
                let name = if stride > 1 { format!("data (every {stride}th point)") } else { "data".to_owned() };
                let hover = overlay.and_then(|o| residuals::overlay_ui(plot_ui, o, palette));
                plot_ui.points(
                    Points::new(name, PlotPoints::Borrowed(points))
                        .radius(if stride > 1 { 1.5 } else { 4.0 })
                        // Light grey on the dark theme, slate on the light one (legible on both).
                        .color(if palette.dark {
                            Color32::from_rgb(170, 180, 200)
                        } else {
                            Color32::from_rgb(90, 100, 120)
                        }),
                );
                fitted_lines_ui(plot_ui, snap, palette, hidden, (lo - pad, hi + pad));
                if let Some((_, p)) = drag {
                    plot_ui.points(
                        Points::new("moving", vec![[p.x, p.y]])
                            .shape(MarkerShape::Circle)
                            .filled(false)
                            .radius(7.0)
                            .color(Color32::from_rgb(255, 200, 60)),
                    );
                }
                hover
            });
        let t = response.transform;
        self.transform = Some(t);
        if let Some(text) = response.inner
            && drag.is_none()
        {
            response.response.clone().on_hover_text_at_pointer(text);
        }
        self.interact(ui, &response.response, &t, data)
    }

    /// What the pointer did on the scatter: start, follow or end a drag, add a point (click on empty space) or
    /// remove one (right-click); a drag's edit comes when it ends.
    fn interact(&mut self, ui: &Ui, r: &egui::Response, t: &PlotTransform, data: &Dataset) -> Option<Edit> {
        let mut edit = None;
        if r.drag_started()
            && let Some(pos) = ui.input(|i| i.pointer.press_origin()).or(r.interact_pointer_pos())
            && let Some(i) = self.hit(pos, t)
        {
            self.drag = Some((i, PlotPoint::new(data.x[i], data.y[i])));
        }
        if let Some((i, _)) = self.drag {
            if let Some(pos) = r.interact_pointer_pos().or(ui.input(|inp| inp.pointer.latest_pos())) {
                self.drag = Some((i, t.value_from_position(pos)));
            }
            if (r.drag_stopped() || !ui.input(|inp| inp.pointer.any_down()))
                && let Some((i, p)) = self.drag.take()
            {
                edit = Some(Edit::Set(i, p.x, p.y));
            }
            ui.ctx().request_repaint();
        } else if r.clicked()
            && let Some(pos) = r.interact_pointer_pos()
        {
            if self.hit(pos, t).is_none() {
                let v = t.value_from_position(pos);
                edit = Some(Edit::Add(v.x, v.y));
            }
        } else if r.secondary_clicked()
            && let Some(pos) = r.interact_pointer_pos()
            && let Some(i) = self.hit(pos, t)
        {
            edit = Some(Edit::Remove(i));
        }
        edit
    }
}

/// Every visible run's fitted line ŷ = w·x + b over `x0..x1`, in the run's colour.
fn fitted_lines_ui(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    snap: &Snapshot,
    palette: Palette,
    hidden: &BTreeSet<RunId>,
    (x0, x1): (f64, f64),
) {
    for run in snap.runs.iter().filter(|r| !hidden.contains(&r.id)) {
        // A standardized run's parameters are in the scaled space: its line on the original x is the mapped one.
        let s = &run.spec.settings;
        let scaling = s.standardize.then(|| Scaling::of(snap.data.x.as_slice().unwrap_or(&[]), s.bias)).flatten();
        let p = scaling.map_or(run.record.params, |c| c.to_original(run.record.params));
        if !(p.w.is_finite() && p.b.is_finite()) {
            continue;
        }
        plot_ui.line(
            Line::new(format!("{}: ŷ = w·x + b", run.spec.name), vec![[x0, p.w * x0 + p.b], [x1, p.w * x1 + p.b]])
                .color(palette.run(run.spec.color))
                .width(2.0),
        );
    }
}

/// The scatter's rectangle and, when the shares are shown (`Some(bias)`), the gradient strips' beside it (wider with
/// a bias: two strips).
fn split_side(plot: egui::Rect, shares: Option<bool>) -> (egui::Rect, Option<egui::Rect>) {
    let Some(bias) = shares else { return (plot, None) };
    let share = if bias { 0.5 } else { 0.4 };
    let side_w = (plot.width() * share).clamp(180.0, 560.0).min(plot.width() - 120.0);
    if side_w < 120.0 {
        return (plot, None);
    }
    let scatter = egui::Rect::from_min_max(plot.min, egui::pos2(plot.max.x - side_w - 10.0, plot.max.y));
    let side = egui::Rect::from_min_max(egui::pos2(plot.max.x - side_w, plot.min.y), plot.max);
    (scatter, Some(side))
}

/// The virtualised table of points; returns an edit when a value has been changed (at the end of a drag or of
/// typing) or a ⨯ was clicked.
fn table_ui(ui: &mut Ui, data: &Dataset, pending: &mut Option<(usize, f64, f64)>) -> Option<Edit> {
    let mut edit = None;
    ui.horizontal(|ui| {
        ui.add_sized([48.0, 16.0], egui::Label::new(RichText::new("#").strong()));
        ui.add_sized([84.0, 16.0], egui::Label::new(RichText::new("x").strong()));
        ui.add_sized([84.0, 16.0], egui::Label::new(RichText::new("y").strong()));
    });
    let row_h = ui.spacing().interact_size.y + 2.0;
    let n = data.len();
    egui::ScrollArea::vertical().id_salt("data-table").auto_shrink([false, false]).show_rows(
        ui,
        row_h,
        n,
        |ui, range| {
            for i in range {
                ui.horizontal(|ui| {
                    ui.add_sized(
                        [48.0, row_h - 2.0],
                        egui::Label::new(RichText::new(i.to_string()).weak().monospace()),
                    );
                    let (mut x, mut y) = match *pending {
                        Some((row, px, py)) if row == i => (px, py),
                        _ => (data.x[i], data.y[i]),
                    };
                    let rx = ui.add_sized([84.0, row_h - 2.0], DragValue::new(&mut x).speed(0.01).max_decimals(6));
                    let ry = ui.add_sized([84.0, row_h - 2.0], DragValue::new(&mut y).speed(0.05).max_decimals(6));
                    // Screen readers (and the kittest harness) name each cell by its point.
                    for (r, axis) in [(&rx, "x"), (&ry, "y")] {
                        r.widget_info(|| {
                            egui::WidgetInfo::labeled(egui::accesskit::Role::SpinButton, true, format!("{axis} of point {i}"))
                        });
                    }
                    if (rx.changed() || ry.changed()) && x.is_finite() && y.is_finite() {
                        *pending = Some((i, x, y));
                    }
                    let busy = rx.dragged() || ry.dragged() || rx.has_focus() || ry.has_focus();
                    if let Some((row, px, py)) = *pending
                        && row == i
                        && !busy
                    {
                        *pending = None;
                        edit = Some(Edit::Set(i, px, py));
                    }
                    if ui.small_button(labels::REMOVE).on_hover_text("Remove this point").clicked() && n > 1 {
                        edit = Some(Edit::Remove(i));
                    }
                });
            }
        },
    );
    edit
}

/// The data editor (the Data tab's content): edits become [`Action::EditData`] (every run restarts), preset
/// choices [`Action::SetData`]. `ctx.snap` should hold the visible runs only (their fitted lines are drawn); `batch`
/// is the samples the selected run's next update uses (`None`: full batch), highlighted on the scatter.
pub fn data_editor_ui(
    ui: &mut Ui,
    editor: &mut DataEditor,
    ctx: &ViewCtx<'_>,
    (data_error, batch): (Option<&str>, Option<&[usize]>),
    actions: &mut Vec<Action>,
) {
    // The fitted lines are the runs' as the plots show them: the visible ones, at the timeline's step.
    let (snap, palette) = (ctx.snap, ctx.palette);
    let (edit, preset) = editor.ui(ui, ctx, batch, actions);
    if let Some(edit) = edit {
        match edit.apply(&snap.data) {
            Some(data) => {
                editor.note = None;
                actions.push(Action::EditData(Arc::new(data)));
            }
            None => editor.note = Some("That edit would leave no points: the data keeps at least one.".into()),
        }
    }
    if let Some(p) = preset {
        actions.push(Action::SetData(p));
    }
    for e in [editor.note.as_deref(), data_error].into_iter().flatten() {
        ui.label(RichText::new(e).small().color(palette.diverged));
    }
}

impl TabView for DataEditor {

    fn label(&self) -> &'static str {
        "Data"
    }

    fn tip(&self) -> &'static str {
        "The data points the line is fitted to."
    }

    fn topic(&self) -> Topic {
        Topic::DataTab
    }


    fn ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, run: &RunSnapshot, actions: &mut Vec<Action>) {
        // The batch of the next update is known at the live end only (a scrubbed step's batch is not kept).
        let batch = if ctx.scrub.is_none() { run.next_batch.as_deref() } else { None };
        data_editor_ui(ui, self, ctx, (None, batch), actions)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
