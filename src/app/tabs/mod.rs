//! The bottom tab strip under the plots: gradient check, step ledger, inside the optimizer, momentum phase plane,
//! learning-rate sweep, notebook log, data.
//!
//! Each tab is one arm of `tab_body_ui`; a tab's content lives in its own module (`gradcheck.rs`, `sweep.rs`,
//! `notebook_log.rs`, the data editor). The strip sits in a resizable bottom panel inside the central panel and can be
//! folded to its header line.

pub mod basins;
pub mod data;
pub mod exercises;
pub mod fair_race;
pub mod gradient_check;
pub mod inside;
pub mod ledger;
pub mod lr_sweep;
pub mod notebook_log;
pub mod phase;

use egui::{RichText, Ui};

use crate::app::explain::Explainer;
use crate::app::state::{Action, Tab};
use crate::app::tabs::{gradient_check as gradcheck, lr_sweep as sweep};
use crate::app::theme::Palette;
use crate::app::view::ViewCtx;
use crate::explain::topics::Topic;
use crate::worker::RunSnapshot;

/// What the tabs keep between frames (not persisted; the selected tab is in [`crate::app::state::Persisted`]).
#[derive(Default)]
pub struct TabsState {
    /// Folded to the header line.
    pub collapsed: bool,
    /// The user chose to open the strip although the window is short (see [`SHORT_HEIGHT`]).
    pub open_when_short: bool,
    /// The strip was folded in the last frame (by the user, or by a short window).
    pub folded_now: bool,
    /// The gradient check's cache.
    pub gradcheck: gradcheck::GradCheckState,
    /// The learning-rate sweep's job and results.
    pub sweep: sweep::SweepState,
    /// The notebook log's run choice and cached text.
    pub notebook_log: crate::app::tabs::notebook_log::LogState,
    /// The data editor's state.
    pub data: crate::app::tabs::data::DataEditor,
    /// The step ledger's cache.
    pub ledger: crate::app::tabs::ledger::LedgerState,
    /// The basins map and its job.
    pub basins: crate::app::tabs::basins::BasinsState,
    /// The fair race's tuning.
    pub fair_race: crate::app::tabs::fair_race::FairRaceState,
    /// The exercise shown, the answer and the streak.
    pub exercises: crate::app::tabs::exercises::ExercisesState,
    /// The tab last scrolled into view in the strip (a newly opened tab is scrolled to once).
    pub scrolled_to: Option<Tab>,
    /// Where the open tab's body was drawn in the last frame (exported as a PNG by the tabs that are views).
    pub body_rect: Option<egui::Rect>,
}

/// Below this height of the central area the strip starts folded, so that the plots keep at least ~300 points.
pub const SHORT_HEIGHT: f32 = 560.0;

impl TabsState {
    /// Folds or opens the strip (a choice of the user's: it holds on a short window too).
    pub fn set_folded(&mut self, folded: bool) {
        self.collapsed = folded;
        self.open_when_short = !folded;
        self.folded_now = folded;
    }
}

/// The strip as a resizable, foldable bottom panel inside `ui` (call before laying out what goes above it).
pub fn tabs_ui(
    ui: &mut Ui,
    tab: Tab,
    state: &mut TabsState,
    ctx: &ViewCtx<'_>,
    run: &RunSnapshot,
    actions: &mut Vec<Action>,
) {
    let frame = egui::Frame::new().inner_margin(egui::Margin { left: 0, right: 0, top: 6, bottom: 0 });
    // On a short window (a small laptop, or a large UI zoom) the plots need the height: the strip starts folded.
    let short = ui.available_height() < SHORT_HEIGHT;
    state.folded_now = state.collapsed || (short && !state.open_when_short);
    if state.folded_now {
        state.body_rect = None;
        egui::Panel::bottom("teach-tabs-folded").resizable(false).frame(frame).show(ui, |ui| {
            strip_ui(ui, tab, state, (ctx.palette, ctx.explain), actions);
        });
        return;
    }
    let max = (ui.available_height() * 0.7).max(160.0);
    // On a short window the plots above keep most of the height.
    let default = (ui.available_height() * 0.36).clamp(140.0, 230.0);
    egui::Panel::bottom("teach-tabs").resizable(true).default_size(default).size_range(140.0..=max).frame(frame).show(
        ui,
        |ui| {
            strip_ui(ui, tab, state, (ctx.palette, ctx.explain), actions);
            ui.separator();
            let body = egui::Frame::new()
                .fill(ctx.palette.card)
                .corner_radius(6.0)
                .inner_margin(egui::Margin::symmetric(8, 6))
                .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
                .show(ui, |ui| {
                    ui.set_min_size(ui.available_size());
                    // Scrolls rather than grows: the plots above keep their room whatever the tab holds.
                    egui::ScrollArea::vertical().id_salt("tab body").auto_shrink([false, false]).show(ui, |ui| {
                        tab_body_ui(ui, tab, state, ctx, run, actions);
                    });
                });
            ctx.explain.mark(tab_topic(tab), body.response.rect);
            state.body_rect = Some(body.response.rect);
        },
    );
}

/// The header line: a fold button and one selectable label per tab.
fn strip_ui(
    ui: &mut Ui,
    tab: Tab,
    state: &mut TabsState,
    (palette, ex): (Palette, &Explainer),
    actions: &mut Vec<Action>,
) {
    // Wraps onto a second line where the central area is narrow (a lesson's side panel at 1280 × 720).
    ui.horizontal_wrapped(|ui| {
        let (icon, tip) =
            if state.folded_now { ("▸", "Show the tab panel.") } else { ("▾", "Fold the tab panel.") };
        let fold = ui.small_button(icon);
        ex.mark(Topic::Tabs, fold.interact_rect);
        let fold = if ex.on() { fold } else { fold.on_hover_text(tip) };
        if fold.clicked() {
            state.set_folded(!state.folded_now);
        }
        // On a narrow window the labels scroll sideways (the wheel or a drag), and a newly opened tab is scrolled
        // into view.
        egui::ScrollArea::horizontal().id_salt("tab strip").show(ui, |ui| {
            ui.horizontal(|ui| {
                for t in Tab::ALL {
                    let selected = tab == t;
                    let text = RichText::new(t.label()).size(14.0);
                    let text = if selected { text.strong().color(palette.optimum) } else { text };
                    let label = ui.selectable_label(selected, text);
                    if selected && state.scrolled_to != Some(t) {
                        label.scroll_to_me(None);
                        state.scrolled_to = Some(t);
                    }
                    ex.mark(tab_topic(t), label.interact_rect);
                    let label = if ex.on() { label } else { label.on_hover_text(t.tip()) };
                    if label.clicked() {
                        actions.push(Action::OpenTab(t));
                    }
                }
            });
        });
    });
}

/// What a tab shows, for explain mode.
fn tab_topic(tab: Tab) -> Topic {
    match tab {
        Tab::GradientCheck => Topic::GradientCheck,
        Tab::Ledger => Topic::Ledger,
        Tab::Inside => Topic::Inside,
        Tab::Phase => Topic::Phase,
        Tab::Basins => Topic::Basins,
        Tab::LrSweep => Topic::LrSweep,
        Tab::FairRace => Topic::FairRace,
        Tab::NotebookLog => Topic::NotebookLog,
        Tab::Data => Topic::DataTab,
        Tab::Exercises => Topic::Exercises,
    }
}

/// The selected tab's content.
fn tab_body_ui(
    ui: &mut Ui,
    tab: Tab,
    state: &mut TabsState,
    ctx: &ViewCtx<'_>,
    run: &RunSnapshot,
    actions: &mut Vec<Action>,
) {
    match tab {
        Tab::GradientCheck => gradcheck::gradcheck_ui(ui, &mut state.gradcheck, ctx, run),
        Tab::Ledger => crate::app::tabs::ledger::ledger_ui(ui, &mut state.ledger, ctx),
        Tab::Inside => crate::app::tabs::inside::inner_state_ui(ui, ctx),
        Tab::Phase => crate::app::tabs::phase::phase_plane_ui(ui, ctx, actions),
        Tab::Basins => crate::app::tabs::basins::basins_ui(ui, &mut state.basins, ctx, actions),
        Tab::LrSweep => sweep::sweep_ui(ui, &mut state.sweep, ctx, run, actions),
        Tab::FairRace => crate::app::tabs::fair_race::fair_race_ui(ui, &mut state.fair_race, ctx, actions),
        Tab::NotebookLog => {
            crate::app::tabs::notebook_log::notebook_log_ui(ui, ctx.live, run.id, &mut state.notebook_log)
        }
        Tab::Data => {
            // The batch of the next update is known at the live end only (a scrubbed step's batch is not kept).
            let batch = if ctx.scrub.is_none() { run.next_batch.as_deref() } else { None };
            crate::app::tabs::data::data_editor_ui(ui, &mut state.data, ctx, (None, batch), actions)
        }
        Tab::Exercises => crate::app::tabs::exercises::exercises_ui(ui, &mut state.exercises, ctx),
    }
}

/// A button elsewhere (menu bar, timeline) that shows tab `tab`: "open" while the tab is not shown, "hide" (folding
/// the strip) while it is, so that a click always changes something visible.
pub fn tab_button_ui(
    ui: &mut Ui,
    tab: Tab,
    shown: Option<Tab>,
    [open, hide]: [&str; 2],
    tip: &str,
    actions: &mut Vec<Action>,
) {
    let is_shown = shown == Some(tab);
    let label = if is_shown { hide } else { open };
    if ui.selectable_label(is_shown, label).on_hover_text(tip).clicked() {
        actions.push(Action::ToggleTab(tab));
    }
}
