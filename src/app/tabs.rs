//! The bottom tab strip under the plots: gradient check, learning-rate sweep, notebook log, data.
//!
//! Each tab is one arm of [`tab_body_ui`]; a tab's content lives in its own module (`gradcheck.rs`, `sweep.rs`,
//! `notebook_log.rs`, the data editor). The strip sits in a resizable bottom panel inside the central panel and can be
//! folded to its header line.

use egui::{RichText, Ui};
use serde::{Deserialize, Serialize};

use super::state::Action;
use super::theme::Palette;
use super::{gradcheck, sweep};
use crate::worker::{RunSnapshot, Snapshot};

/// One tab of the bottom strip.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tab {
    /// Analytic, autodiff, numeric and the notebook's summed gradient side by side, and the autodiff graph.
    #[default]
    GradientCheck,
    /// Steps to the tolerance and final loss across learning rates.
    LrSweep,
    /// The notebook's printout, step by step.
    NotebookLog,
    /// The data points.
    Data,
}

impl Tab {
    /// Every tab, in strip order.
    pub const ALL: [Tab; 4] = [Tab::GradientCheck, Tab::LrSweep, Tab::NotebookLog, Tab::Data];

    /// The tab's title.
    pub fn label(self) -> &'static str {
        match self {
            Tab::GradientCheck => "Gradient check",
            Tab::LrSweep => "Learning-rate sweep",
            Tab::NotebookLog => "Notebook log",
            Tab::Data => "Data",
        }
    }

    /// What the tab shows, for its tooltip.
    pub fn tip(self) -> &'static str {
        match self {
            Tab::GradientCheck => {
                "The gradient at the current point from four sources (hand-derived, autodiff, finite differences, the notebook's sum), and the whole autodiff graph of the loss."
            }
            Tab::LrSweep => {
                "Run the current settings at ~200 learning rates: how many steps each needs to reach the tolerance, and where it ends. Click a point to use that learning rate."
            }
            Tab::NotebookLog => "The run printed the way the notebook prints it.",
            Tab::Data => "The data points the line is fitted to.",
        }
    }
}

/// What the tabs keep between frames (not persisted; the selected tab is in [`super::Persisted`]).
#[derive(Default)]
pub struct TabsState {
    /// Folded to the header line.
    pub collapsed: bool,
    /// The gradient check's cache.
    pub gradcheck: gradcheck::GradCheckState,
    /// The learning-rate sweep's job and results.
    pub sweep: sweep::SweepState,
    /// The notebook log's run choice and cached text.
    pub notebook_log: super::notebook_log::LogState,
    /// The data editor's state.
    pub data: super::data_editor::DataEditor,
}

/// Everything a tab body may read or request.
pub struct TabEnv<'a> {
    /// The latest snapshot.
    pub snap: &'a Snapshot,
    /// The run the tabs describe (the selected run, or the first).
    pub run: &'a RunSnapshot,
    /// Colours.
    pub palette: Palette,
}

/// The strip as a resizable, foldable bottom panel inside `ui` (call before laying out what goes above it).
pub fn tabs_ui(ui: &mut Ui, tab: &mut Tab, state: &mut TabsState, env: &TabEnv<'_>, actions: &mut Vec<Action>) {
    let frame = egui::Frame::new().inner_margin(egui::Margin { left: 0, right: 0, top: 6, bottom: 0 });
    if state.collapsed {
        egui::Panel::bottom("teach-tabs-folded").resizable(false).frame(frame).show(ui, |ui| {
            strip_ui(ui, tab, state, env.palette);
        });
        return;
    }
    let max = (ui.available_height() * 0.7).max(160.0);
    egui::Panel::bottom("teach-tabs").resizable(true).default_size(230.0).size_range(140.0..=max).frame(frame).show(
        ui,
        |ui| {
            strip_ui(ui, tab, state, env.palette);
            ui.separator();
            egui::Frame::new()
                .fill(env.palette.card)
                .corner_radius(6.0)
                .inner_margin(egui::Margin::symmetric(8, 6))
                .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
                .show(ui, |ui| {
                    ui.set_min_size(ui.available_size());
                    // Scrolls rather than grows: the plots above keep their room whatever the tab holds.
                    egui::ScrollArea::vertical().id_salt("tab body").auto_shrink([false, false]).show(ui, |ui| {
                        tab_body_ui(ui, *tab, state, env, actions);
                    });
                });
        },
    );
}

/// The header line: a fold button and one selectable label per tab.
fn strip_ui(ui: &mut Ui, tab: &mut Tab, state: &mut TabsState, palette: Palette) {
    ui.horizontal(|ui| {
        let (icon, tip) = if state.collapsed { ("▸", "Show the tab panel.") } else { ("▾", "Fold the tab panel.") };
        if ui.small_button(icon).on_hover_text(tip).clicked() {
            state.collapsed = !state.collapsed;
        }
        for t in Tab::ALL {
            let selected = *tab == t;
            let text = RichText::new(t.label()).size(14.0);
            let text = if selected { text.strong().color(palette.optimum) } else { text };
            if ui.selectable_label(selected, text).on_hover_text(t.tip()).clicked() {
                *tab = t;
                state.collapsed = false;
            }
        }
    });
}

/// The selected tab's content.
fn tab_body_ui(ui: &mut Ui, tab: Tab, state: &mut TabsState, env: &TabEnv<'_>, actions: &mut Vec<Action>) {
    match tab {
        Tab::GradientCheck => gradcheck::gradcheck_ui(ui, &mut state.gradcheck, env),
        Tab::LrSweep => sweep::sweep_ui(ui, &mut state.sweep, env, actions),
        Tab::NotebookLog => super::notebook_log::notebook_log_ui(ui, env.snap, env.run.id, &mut state.notebook_log),
        Tab::Data => super::data_editor::data_editor_ui(ui, &mut state.data, env.snap, env.palette, None, actions),
    }
}
