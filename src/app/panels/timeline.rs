//! The timeline: a scrubber over the selected run's history above the status line ("step k / n"). Dragging it shows
//! every run as it stood at step k (see [`crate::app::panels::run_list::RunsState::view`]); "Live" returns to the latest state;
//! "Branch from here" starts a comparison run from step k's state with the selected run's settings.

use egui::{RichText, Ui};

use crate::app::disabled;
use crate::app::explain::{Explain, Explainer};
use crate::app::state::{Action, Tab};
use crate::app::theme::Palette;
use crate::explain::topics::Topic;
use crate::worker::{RunId, Snapshot};

/// Labels tests find widgets by.
pub mod labels {
    /// The scrubber.
    pub const SCRUB: &str = "timeline";
    /// Back to the live view.
    pub const LIVE: &str = "● Live";
    /// Branch from the scrubbed step.
    pub const BRANCH: &str = "Branch from here";
    /// Open the notebook log.
    pub const LOG: &str = "Open notebook log";
    /// Fold the notebook log when it is shown.
    pub const HIDE_LOG: &str = "Hide notebook log";
}

/// The bar's content.
pub fn timeline_ui(
    ui: &mut Ui,
    snap: &Snapshot,
    selected: RunId,
    (scrub, shown_tab, offer_log): (Option<u64>, Option<Tab>, bool),
    (palette, ex): (Palette, &Explainer),
    actions: &mut Vec<Action>,
) {
    let Some(run) = snap.run(selected).or(snap.runs.first()) else {
        return;
    };
    let n = run.history.last().map_or(0, |r| r.step);
    let live = scrub.is_none();
    let mut k = scrub.unwrap_or(n).min(n);
    let shown = ui.horizontal_wrapped(|ui| {
        let width = (ui.available_width() - 600.0).max(160.0);
        ui.spacing_mut().slider_width = width;
        let slider = ui.add_enabled(n > 0, egui::Slider::new(&mut k, 0..=n.max(1)).show_value(false).text(labels::SCRUB));
        let slider = slider.explain(ex, Topic::Timeline).on_disabled_hover_text(disabled::scrub(n).unwrap_or_default());
        if slider.changed() {
            actions.push(Action::Scrub(Some(k)));
        }
        let text = format!("step {k} / {n}");
        let color = if live { palette.weak_text } else { palette.warning };
        ui.label(RichText::new(text).monospace().color(color)).explain(ex, Topic::Timeline);
        let back = ui.add_enabled(!live, egui::Button::new(labels::LIVE)).on_hover_text("Back to the live view");
        if back.on_disabled_hover_text(disabled::live(live).unwrap_or_default()).clicked() {
            actions.push(Action::Scrub(None));
        }
        let why_not = disabled::branch(live, snap.runs.len());
        let branch = ui
            .add_enabled(why_not.is_none(), egui::Button::new(labels::BRANCH))
            .on_hover_text("Start a new run from this step's state with the selected run's settings (change them after branching).")
            .on_disabled_hover_text(why_not.unwrap_or_default());
        if branch.clicked() {
            actions.push(Action::Branch(run.id, k));
        }
        if offer_log {
            let tip = "Each run's printout in the notebook's format (a tab below the plots)";
            let labels = [labels::LOG, labels::HIDE_LOG];
            crate::app::tabs::tab_button_ui(ui, Tab::NotebookLog, shown_tab, labels, tip, actions);
        }
    });
    ex.mark(Topic::Timeline, shown.response.rect);
}
