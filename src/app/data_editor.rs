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

use super::state::Action;
use super::theme::Palette;
use super::view::ViewCtx;
use crate::engine::data::{Dataset, PRESETS, preset_description};
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
}

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

    /// The editor: presets, the table and the scatter. Returns the edit to apply, if any, and a preset to load.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        snap: &Snapshot,
        palette: Palette,
        hidden: &BTreeSet<RunId>,
    ) -> (Option<Edit>, Option<String>) {
        let data = &snap.data;
        self.sample.update(data);
        let mut edit = None;
        let mut preset = None;
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{} · {} points", data.name, data.len())).strong());
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
        });
        ui.label(
            RichText::new(
                "Drag a point to move it · click empty space to add one · right-click a point (or ⨯) to remove it. \
                 Every edit restarts every run.",
            )
            .small()
            .color(palette.weak_text),
        );
        let area = ui.available_rect_before_wrap();
        let height = area.height().max(120.0);
        let table_w = 290.0_f32.min(area.width() * 0.4);
        let table_rect = egui::Rect::from_min_size(area.min, egui::vec2(table_w, height));
        let plot_rect = egui::Rect::from_min_max(
            egui::pos2(table_rect.max.x + 10.0, area.min.y),
            egui::pos2(area.max.x.max(table_rect.max.x + 60.0), area.min.y + height),
        );
        ui.scope_builder(egui::UiBuilder::new().max_rect(table_rect), |ui| {
            if let Some(e) = table_ui(ui, data, &mut self.table_edit) {
                edit = Some(e);
            }
        });
        ui.scope_builder(egui::UiBuilder::new().max_rect(plot_rect), |ui| {
            if let Some(e) = self.scatter_ui(ui, snap, palette, hidden) {
                edit = Some(e);
            }
        });
        ui.allocate_rect(table_rect.union(plot_rect), egui::Sense::hover());
        (edit, preset)
    }

    fn scatter_ui(&mut self, ui: &mut Ui, snap: &Snapshot, palette: Palette, hidden: &BTreeSet<RunId>) -> Option<Edit> {
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
            .x_axis_label("x")
            .y_axis_label("y")
            .include_x(lo - pad)
            .include_x(hi + pad)
            .include_y(0.0)
            .show(ui, |plot_ui| {
                let name = if stride > 1 { format!("data (every {stride}th point)") } else { "data".to_owned() };
                plot_ui.points(
                    Points::new(name, PlotPoints::Borrowed(points))
                        .radius(if stride > 1 { 1.5 } else { 4.0 })
                        .color(Color32::from_rgb(170, 180, 200)),
                );
                for run in snap.runs.iter().filter(|r| !hidden.contains(&r.id)) {
                    let p = run.record.params;
                    if !(p.w.is_finite() && p.b.is_finite()) {
                        continue;
                    }
                    let (x0, x1) = (lo - pad, hi + pad);
                    plot_ui.line(
                        Line::new(
                            format!("{}: ŷ = w·x + b", run.spec.name),
                            vec![[x0, p.w * x0 + p.b], [x1, p.w * x1 + p.b]],
                        )
                        .color(palette.run(run.spec.color))
                        .width(2.0),
                    );
                }
                if let Some((_, p)) = drag {
                    plot_ui.points(
                        Points::new("moving", vec![[p.x, p.y]])
                            .shape(MarkerShape::Circle)
                            .filled(false)
                            .radius(7.0)
                            .color(Color32::from_rgb(255, 200, 60)),
                    );
                }
            });
        let t = response.transform;
        self.transform = Some(t);
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
/// choices [`Action::SetData`]. `snap` should hold the visible runs only (their fitted lines are drawn).
pub fn data_editor_ui(
    ui: &mut Ui,
    editor: &mut DataEditor,
    ctx: &ViewCtx<'_>,
    data_error: Option<&str>,
    actions: &mut Vec<Action>,
) {
    // The fitted lines are the runs' as the plots show them: the visible ones, at the timeline's step.
    let (snap, palette) = (ctx.snap, ctx.palette);
    let (edit, preset) = editor.ui(ui, snap, palette, &ctx.hidden);
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
