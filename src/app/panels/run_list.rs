//! Comparison runs: the run list (colour swatch, name, learning rate, hide, solo, duplicate, remove, "+ add run",
//! the Preset menu of [`crate::presets`]), and the view of the snapshot the plots
//! draw (visible runs only, the selected run first, cut at the timeline's step when scrubbing).
//!
//! The settings panel edits the selected run. Every run steps together (the worker steps all its runs).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use egui::{Color32, RichText, Ui};

use crate::app::explain::{Explain, Explainer};
use crate::app::state::Action;
use crate::app::theme::{self, Dash, Marker, Palette, RunMark, faded};
use crate::app::view::ViewCtx;
use crate::engine::settings::Settings;
use crate::explain::topics::Topic;
use crate::format;
use crate::history::History;
pub use crate::presets::MAX_RUNS;
use crate::presets::Preset;
use crate::worker::{RunId, RunSnapshot, Snapshot};

/// Labels tests find widgets by.
pub mod labels {
    /// Adds a run.
    pub const ADD_RUN: &str = "+ add run";
    /// Duplicates a run (tooltip-free button text).
    pub const DUPLICATE: &str = "dup";
    /// Removes a run.
    pub const REMOVE: &str = "×";
    /// Hides or shows a run.
    pub const HIDE: &str = "hide";
    /// Shows only this run.
    pub const SOLO: &str = "solo";
    /// The preset menu.
    pub const PRESET: &str = "Preset ▾";
}

/// The run list's state (not persisted).
#[derive(Debug)]
pub struct RunsState {
    /// The run the settings panel edits.
    pub selected: RunId,
    /// Runs not drawn.
    pub hidden: BTreeSet<RunId>,
    /// When set, only this run is drawn.
    pub solo: Option<RunId>,
    /// Branches, drawn faded and dashed.
    pub ghosts: BTreeSet<RunId>,
    /// The timeline's step (`None`: live).
    pub scrub: Option<u64>,
    /// Names being edited (a double-click on a name starts an edit).
    pub names: HashMap<RunId, String>,
    /// The name field that takes the keyboard focus at its first frame.
    rename_focus: Option<RunId>,
    /// Settings sent to a run that its published snapshot does not show yet: the one optimistic copy, so that a
    /// slider does not snap back for the frames until the worker publishes them.
    pending: Option<(RunId, Settings)>,
    /// Runs added or branched that the published snapshot does not show yet: counted against [`MAX_RUNS`], so
    /// that clicks faster than the worker publishes cannot add a seventh run.
    adding: BTreeSet<RunId>,
    next_id: u32,
}

impl RunsState {
    /// The state for runs with ids below `n`, the first selected.
    pub fn new(n: u32) -> Self {
        RunsState {
            selected: RunId(0),
            hidden: BTreeSet::new(),
            solo: None,
            ghosts: BTreeSet::new(),
            scrub: None,
            names: HashMap::new(),
            rename_focus: None,
            pending: None,
            adding: BTreeSet::new(),
            next_id: n.max(1),
        }
    }

    /// The settings of the selected run: the ones just sent to it while the worker has not published them yet, else
    /// the published ones (the first run's when the selected one is gone; the defaults with no run at all). This is
    /// the one place the panel's settings come from.
    pub fn selected_settings(&self, snap: &Snapshot) -> Settings {
        let id = self.selected_in(snap);
        match &self.pending {
            Some((p, s)) if *p == id => s.clone(),
            _ => snap.run(id).map(|r| r.spec.settings.clone()).unwrap_or_default(),
        }
    }

    /// The run the settings panel edits: the selected one, or the first run when it is gone.
    pub fn selected_in(&self, snap: &Snapshot) -> RunId {
        if snap.run(self.selected).is_some() || self.pending.as_ref().is_some_and(|(p, _)| *p == self.selected) {
            self.selected
        } else {
            snap.runs.first().map_or(self.selected, |r| r.id)
        }
    }

    /// Notes settings just sent to run `id` (see [`RunsState::selected_settings`]).
    pub fn expect_settings(&mut self, id: RunId, settings: Settings) {
        self.pending = Some((id, settings));
    }

    /// Drops the optimistic copy once the snapshot shows it (or its run is gone).
    pub fn settle(&mut self, snap: &Snapshot) {
        if let Some((id, s)) = &self.pending
            && snap.run(*id).is_some_and(|r| r.spec.settings == *s)
        {
            self.pending = None;
        }
    }

    /// Selects run `id` for the settings panel.
    pub fn select(&mut self, id: RunId) {
        self.selected = id;
    }

    /// Forgets what the list knows of a removed run.
    pub fn forget(&mut self, id: RunId) {
        self.adding.remove(&id);
        self.hidden.remove(&id);
        self.ghosts.remove(&id);
        self.names.remove(&id);
        if self.solo == Some(id) {
            self.solo = None;
        }
        if self.pending.as_ref().is_some_and(|(p, _)| *p == id) {
            self.pending = None;
        }
    }

    /// Forgets every run (a preset replaces them); ids keep counting up.
    pub fn clear(&mut self) {
        self.hidden.clear();
        self.solo = None;
        self.ghosts.clear();
        self.scrub = None;
        self.names.clear();
        self.pending = None;
        self.adding.clear();
    }

    /// True when the run is drawn.
    pub fn is_visible(&self, id: RunId) -> bool {
        match self.solo {
            Some(s) => s == id,
            None => !self.hidden.contains(&id),
        }
    }

    /// An id no run has had.
    pub fn fresh_id(&mut self) -> RunId {
        let id = RunId(self.next_id);
        self.next_id += 1;
        id
    }

    /// Every run: those the snapshot shows, then those added or branched that it does not show yet (what a preset,
    /// a lesson page or a session that replaces the runs must remove).
    pub fn every_run(&self, snap: &Snapshot) -> Vec<RunId> {
        let shown = snap.runs.iter().map(|r| r.id);
        shown.chain(self.adding.iter().copied().filter(|id| snap.run(*id).is_none())).collect()
    }

    /// A fresh id for a run about to be added, or `None` when the published runs and those on their way already
    /// number [`MAX_RUNS`].
    pub fn id_for_new_run(&mut self, snap: &Snapshot) -> Option<RunId> {
        self.adding.retain(|id| snap.run(*id).is_none());
        if snap.runs.len() + self.adding.len() >= MAX_RUNS {
            return None;
        }
        let id = self.fresh_id();
        self.adding.insert(id);
        Some(id)
    }

    /// What the plots draw: visible runs, the selected one first, each cut at the timeline's step when scrubbing.
    pub fn view(&self, snap: &Arc<Snapshot>) -> Arc<Snapshot> {
        let all_visible = snap.runs.iter().all(|r| self.is_visible(r.id));
        let selected_first = snap.runs.first().is_none_or(|r| r.id == self.selected);
        if all_visible && selected_first && self.scrub.is_none() {
            return Arc::clone(snap);
        }
        let mut runs: Vec<RunSnapshot> = snap.runs.iter().filter(|r| self.is_visible(r.id)).cloned().collect();
        if let Some(i) = runs.iter().position(|r| r.id == self.selected) {
            let r = runs.remove(i);
            runs.insert(0, r);
        }
        if let Some(k) = self.scrub {
            for run in &mut runs {
                cut_at(run, k);
            }
        }
        Arc::new(Snapshot { runs, ..(**snap).clone() })
    }
}

/// The run as it stood at step `k`: the record of step k (the history stays whole; the landscape draws the path up
/// to the record's step, the plots over steps a cursor at k).
pub fn cut_at(run: &mut RunSnapshot, k: u64) {
    if run.history.last().is_some_and(|r| r.step <= k) {
        return;
    }
    if let Some(row) = run.history.at_or_before(k) {
        run.record = row.record;
    }
    run.status = crate::engine::trainer::Status::Running;
    run.next = None;
}

/// The history rows of steps 0…=k (for a branch).
pub fn prefix(history: &History, k: u64) -> History {
    let mut h = history.clone();
    h.truncate_from(k.saturating_add(1));
    h
}

/// The first run colour no run uses.
pub fn free_color(snap: &Snapshot) -> [u8; 3] {
    theme::RUN_COLORS
        .iter()
        .copied()
        .find(|c| snap.runs.iter().all(|r| r.spec.color != *c))
        .unwrap_or(theme::run_color(snap.runs.len()))
}

/// The legend of the comparison above the plots (one colour, dash pattern and marker per run, the same in every
/// plot); nothing for one run.
pub fn legend_row_ui(ui: &mut Ui, ctx: &ViewCtx<'_>) {
    let (snap, palette) = (ctx.snap, ctx.palette);
    if snap.runs.len() < 2 {
        return;
    }
    let shown = ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Runs:").color(palette.weak_text));
        for run in &snap.runs {
            let color = palette.run(run.spec.color);
            let ghost = ctx.is_ghost(run.id);
            let (rect, _) = ui.allocate_exact_size(egui::vec2(34.0, 14.0), egui::Sense::hover());
            let mark = if ghost {
                RunMark { dash: Dash::Dashed { length: 4 }, marker: Marker::Diamond }
            } else {
                RunMark::of(run.spec.color)
            };
            paint_run_mark(ui.painter(), rect, color, mark, palette.stroke(2.0));
            let mut text = RichText::new(run.spec.name.clone()).color(color).strong();
            if ghost {
                text = text.italics();
            }
            let tip = format!(
                "{} · {} · lr {} · {} · {}",
                run.spec.settings.optimizer.kind.label(),
                run.spec.settings.gradient.label(),
                crate::format::compact(run.spec.settings.optimizer.lr),
                run.spec.settings.precision.label(),
                if ghost { "branch" } else { "run" }
            );
            let label = ui.label(text);
            if !ctx.explain.on() {
                label.on_hover_text(tip);
            }
            ui.add_space(6.0);
        }
    });
    ctx.explain.mark(Topic::RunCard, shown.response.rect);
    ui.add_space(2.0);
}

/// A run's legend sample in `rect`: a short line in its dash pattern, `width` wide, ending in its marker.
pub fn paint_run_mark(painter: &egui::Painter, rect: egui::Rect, color: Color32, mark: RunMark, width: f32) {
    let (y, x0) = (rect.center().y, rect.left() + 1.0);
    let x1 = rect.right() - rect.height() * 0.5;
    let path = [egui::pos2(x0, y), egui::pos2(x1, y)];
    let stroke = egui::Stroke::new(width, color);
    match mark.dash {
        Dash::Solid => {
            painter.line_segment(path, stroke);
        }
        Dash::Dashed { length } => {
            let l = f32::from(length).min(rect.width() / 3.0);
            painter.extend(egui::Shape::dashed_line(&path, stroke, l, l));
        }
        Dash::Dotted { spacing } => {
            painter.extend(egui::Shape::dotted_line(&path, color, f32::from(spacing), width * 0.6));
        }
    }
    let (c, r) = (egui::pos2(x1, y), rect.height() * 0.38);
    let v = |dx: f32, dy: f32| c + egui::vec2(dx * r, dy * r);
    match mark.marker {
        Marker::Circle => painter.circle_filled(c, r, color),
        Marker::Square => {
            painter.rect_filled(egui::Rect::from_center_size(c, egui::vec2(1.6 * r, 1.6 * r)), 0.0, color)
        }
        Marker::Diamond => painter.add(egui::Shape::convex_polygon(
            vec![v(0.0, -1.0), v(1.0, 0.0), v(0.0, 1.0), v(-1.0, 0.0)],
            color,
            egui::Stroke::NONE,
        )),
        Marker::Up | Marker::Down => {
            let s = if mark.marker == Marker::Up { 1.0 } else { -1.0 };
            let pts = vec![v(0.0, -s), v(0.9, 0.7 * s), v(-0.9, 0.7 * s)];
            painter.add(egui::Shape::convex_polygon(pts, color, egui::Stroke::NONE))
        }
        Marker::Cross => {
            let s = egui::Stroke::new(width.max(2.0), color);
            painter.line_segment([v(-0.8, -0.8), v(0.8, 0.8)], s);
            painter.line_segment([v(-0.8, 0.8), v(0.8, -0.8)], s)
        }
    };
}

/// A branch's colour: the original's, mixed halfway with a neutral grey.
pub fn ghost_color([r, g, b]: [u8; 3]) -> [u8; 3] {
    let mix = |c: u8| ((u16::from(c) * 11 + 150 * 9) / 20) as u8;
    [mix(r), mix(g), mix(b)]
}

/// The run list (a collapsible section at the top of the left panel).
pub fn runs_ui(
    ui: &mut Ui,
    snap: &Snapshot,
    state: &mut RunsState,
    (palette, ex): (Palette, &Explainer),
    actions: &mut Vec<Action>,
) {
    let n = snap.runs.len();
    let header = egui::CollapsingHeader::new(RichText::new(format!("Runs ({n})")).heading()).default_open(true);
    let shown = header.show(ui, |ui| {
        ui.horizontal(|ui| {
            let add = ui
                .add_enabled(n < MAX_RUNS, egui::Button::new(labels::ADD_RUN))
                .explain(ex, Topic::AddRun)
                .on_disabled_hover_text(crate::app::disabled::add_run(n).unwrap_or_default());
            if add.clicked() {
                actions.push(Action::AddRun);
            }
            let preset = ui.menu_button(labels::PRESET, |ui| {
                for p in Preset::ALL {
                    if ui.button(p.title()).on_hover_text(p.watch()).clicked() {
                        actions.push(Action::LoadPreset(p));
                        ui.close();
                    }
                }
            });
            ex.mark(Topic::Preset, preset.response.interact_rect);
        });
        for run in &snap.runs {
            let card = run_row_ui(ui, run, n, state, palette, actions);
            ex.mark(Topic::RunCard, card);
        }
    });
    ex.mark(Topic::Runs, shown.header_response.interact_rect);
}

fn run_row_ui(
    ui: &mut Ui,
    run: &RunSnapshot,
    n: usize,
    state: &mut RunsState,
    palette: Palette,
    actions: &mut Vec<Action>,
) -> egui::Rect {
    let color = palette.run(run.spec.color);
    let selected = state.selected == run.id;
    let stroke = if selected { egui::Stroke::new(1.5, color) } else { egui::Stroke::NONE };
    let frame = egui::Frame::new().inner_margin(egui::Margin::symmetric(4, 3)).corner_radius(4.0).stroke(stroke);
    frame
        .show(ui, |ui| {
            ui.horizontal(|ui| run_name_row_ui(ui, run, state, color, actions));
            ui.horizontal(|ui| {
                // The buttons from the right edge, then the run's summary in the room left (cut with "…").
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    run_buttons_ui(ui, run.id, n, state, actions);
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        run_summary_ui(ui, run, palette)
                    });
                });
            });
        })
        .response
        .rect
}

/// The swatch (select) and the name (double-click to rename), over the whole width of the card.
fn run_name_row_ui(ui: &mut Ui, run: &RunSnapshot, state: &mut RunsState, color: Color32, actions: &mut Vec<Action>) {
    let id = run.id;
    let visible = state.is_visible(id);
    let (rect, swatch) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::click());
    ui.painter().rect_filled(rect, 3.0, if visible { color } else { faded(color, 0.25) });
    if state.ghosts.contains(&id) {
        ui.painter().rect_stroke(rect, 3.0, egui::Stroke::new(1.0, Color32::GRAY), egui::StrokeKind::Outside);
    }
    if swatch.on_hover_text("Edit this run's settings below").clicked() {
        actions.push(Action::SelectRun(id));
    }
    let width = ui.available_width().max(40.0);
    run_name_ui(ui, run, state, color, width, actions);
}

/// Hide, solo, duplicate and remove (added from the right edge: listed in reverse).
fn run_buttons_ui(ui: &mut Ui, id: RunId, n: usize, state: &RunsState, actions: &mut Vec<Action>) {
    let visible = state.is_visible(id);
    let remove = ui.add_enabled(n > 1, egui::Button::new(labels::REMOVE).small()).on_hover_text("Remove this run");
    if remove.on_disabled_hover_text(crate::app::disabled::remove_run(n).unwrap_or_default()).clicked() {
        actions.push(Action::RemoveRun(id));
    }
    let dup =
        ui.add_enabled(n < MAX_RUNS, egui::Button::new(labels::DUPLICATE).small()).on_hover_text("Duplicate this run");
    if dup.on_disabled_hover_text(crate::app::disabled::add_run(n).unwrap_or_default()).clicked() {
        actions.push(Action::DuplicateRun(id));
    }
    let solo = ui.selectable_label(state.solo == Some(id), labels::SOLO);
    if solo.on_hover_text("Solo: show only this run (again: all)").clicked() {
        actions.push(Action::Solo(id));
    }
    let tip = if visible { "Hide this run in the plots" } else { "Show this run" };
    if ui.selectable_label(!visible, labels::HIDE).on_hover_text(tip).clicked() {
        actions.push(Action::ToggleHidden(id));
    }
}

/// The run's name in its colour, cut with "…" when long (the whole name on hover); a double-click edits it.
fn run_name_ui(
    ui: &mut Ui,
    run: &RunSnapshot,
    state: &mut RunsState,
    color: Color32,
    width: f32,
    actions: &mut Vec<Action>,
) {
    let id = run.id;
    let Some(name) = state.names.get_mut(&id) else {
        let label = egui::Label::new(RichText::new(&run.spec.name).color(color)).truncate().sense(egui::Sense::click());
        let response = ui
            .add(label)
            .on_hover_text(format!("{}\nClick to edit this run's settings; double-click to rename it.", run.spec.name));
        if response.double_clicked() {
            state.names.insert(id, run.spec.name.clone());
            state.rename_focus = Some(id);
        } else if response.clicked() {
            actions.push(Action::SelectRun(id));
        }
        return;
    };
    let edit = ui.add(egui::TextEdit::singleline(name).desired_width(width).text_color(color));
    edit.widget_info(|| {
        egui::WidgetInfo::labeled(egui::accesskit::Role::TextInput, true, format!("name of run {}", id.0 + 1))
    });
    if edit.changed() && !name.trim().is_empty() {
        actions.push(Action::RenameRun(id, name.clone()));
    }
    if !edit.has_focus() {
        if state.rename_focus == Some(id) {
            state.rename_focus = None;
            edit.request_focus();
        } else {
            state.names.remove(&id); // the edit is over (Enter, Escape or a click elsewhere)
        }
    }
}

/// The run's optimizer and learning rate, and its state (the learning rate is edited in the settings panel, for
/// the selected run: one slider, with the stability map under it).
fn run_summary_ui(ui: &mut Ui, run: &RunSnapshot, palette: Palette) {
    ui.add_space(4.0);
    let o = &run.spec.settings.optimizer;
    let (mark, color) = match run.status {
        crate::engine::trainer::Status::Converged { .. } => ("●", palette.converged),
        // A stop (the step cap, a schedule out of range, a singular Hessian) is not a divergence.
        crate::engine::trainer::Status::Diverged { why, .. } if why.is_stop() => ("■", palette.warning),
        crate::engine::trainer::Status::Diverged { .. } => ("×", palette.diverged),
        crate::engine::trainer::Status::Running => ("", palette.weak_text),
    };
    let text = format!("lr {} {mark} w={}", format::compact(o.lr), format::sig(run.record.params.w, 4));
    let tip = format!(
        "{} at lr {}; w = {} now. Select the run (click its name) to change its settings.",
        o.kind.label(),
        format::compact(o.lr),
        format::sig(run.record.params.w, 6)
    );
    ui.add(egui::Label::new(RichText::new(text).small().color(color)).truncate()).on_hover_text(tip);
}
