//! The top bar: the app's name, Step / Step ×10 / Run–Pause / Reset, the speed slider and display toggles.

use egui::{RichText, Slider, Ui};

use super::state::{Action, Persisted, SPEED_MIN, SPEED_UNLIMITED};
use super::theme::Palette;
use crate::format;
use crate::worker::{Mode, Snapshot};

/// The labels of the run buttons (tests find the buttons by them).
pub mod labels {
    /// One step.
    pub const STEP: &str = "Step";
    /// Ten steps.
    pub const STEP_10: &str = "Step ×10";
    /// Start running.
    pub const RUN: &str = "▶ Run";
    /// Pause a run.
    pub const PAUSE: &str = "▮▮ Pause";
    /// Back to the start.
    pub const RESET: &str = "↺ Reset";
    /// The speed slider.
    pub const SPEED: &str = "speed";
    /// The learning-rate slider.
    pub const LEARNING_RATE: &str = "learning rate";
}

/// The bar's content.
pub fn toolbar_ui(ui: &mut Ui, persisted: &Persisted, snap: &Snapshot, palette: Palette, actions: &mut Vec<Action>) {
    ui.horizontal_centered(|ui| {
        ui.label(RichText::new("descent").strong().size(20.0).color(palette.run(crate::app::theme::RUN_COLORS[0])))
            .on_hover_text("Gradient descent, step by step: fit w in ŷ = w·x by following the slope of the loss.");
        ui.add_space(14.0);

        let running = matches!(snap.mode, Mode::Running { .. });
        let finished = !snap.runs.is_empty() && snap.runs.iter().all(|r| r.status.is_finished());
        if ui.button(labels::STEP).on_hover_text("Take one step: w ← w − lr·dL/dw. (S or →)").clicked() {
            actions.push(Action::Step(1));
        }
        if ui.button(labels::STEP_10).on_hover_text("Take ten steps at once (stops early at the minimum).").clicked() {
            actions.push(Action::Step(10));
        }
        let (label, tip) = if running {
            (labels::PAUSE, "Pause the run. (Space)")
        } else {
            (labels::RUN, "Run step after step at the chosen speed until the minimum is reached or the run diverges. (Space)")
        };
        let run_button = egui::Button::new(RichText::new(label).strong()).min_size(egui::vec2(92.0, 0.0));
        ui.add_enabled(running || !finished, run_button)
            .on_hover_text(tip)
            .on_disabled_hover_text("The run has finished. Reset (R) to start again, or change a setting to continue.")
            .clicked()
            .then(|| actions.push(Action::ToggleRun));
        if ui.button(labels::RESET).on_hover_text("Back to the start point w₀ with a fresh optimizer; the trail is cleared. (R)").clicked() {
            actions.push(Action::Reset);
        }

        ui.add_space(14.0);
        let mut speed = persisted.steps_per_sec;
        let response = ui
            .add(
                Slider::new(&mut speed, SPEED_MIN..=SPEED_UNLIMITED)
                    .logarithmic(true)
                    .text(labels::SPEED)
                    .custom_formatter(|v, _| if v >= SPEED_UNLIMITED { "max".to_owned() } else { format!("{} /s", format::short(v.round().max(1.0))) })
                    .custom_parser(|t| {
                        let t = t.trim().trim_end_matches("/s").trim();
                        if t.eq_ignore_ascii_case("max") { Some(SPEED_UNLIMITED) } else { t.parse().ok() }
                    }),
            )
            .on_hover_text("Steps per second while running: slow to follow each step (the point glides along the curve), \"max\" to run at full engine speed.");
        if response.changed() {
            actions.push(Action::SetSpeed(speed));
        }

        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let mut dark = persisted.dark;
            if ui.selectable_label(!dark, "light").on_hover_text("Light theme.").clicked() {
                dark = false;
            }
            if ui.selectable_label(dark, "dark").on_hover_text("Dark theme.").clicked() {
                dark = true;
            }
            if dark != persisted.dark {
                actions.push(Action::SetDark(dark));
            }
            ui.separator();
            let mut next = persisted.show_next;
            if ui.checkbox(&mut next, "next step").on_hover_text("Show an arrow to where the next step will land.").changed() {
                actions.push(Action::SetShowNext(next));
            }
            let mut tangent = persisted.show_tangent;
            if ui.checkbox(&mut tangent, "tangent").on_hover_text("Show the tangent line at the current point: its slope is the gradient dL/dw.").changed() {
                actions.push(Action::SetShowTangent(tangent));
            }
            let mut theory = persisted.show_theory;
            if ui
                .checkbox(&mut theory, "theory")
                .on_hover_text("Draw plain full-batch gradient descent's exact trajectory, w* + (1 − lr·λ)^k (w₀ − w*), as a thin dashed line on the weight and loss plots.")
                .changed()
            {
                actions.push(Action::SetShowTheory(theory));
            }
            let mut log = persisted.log_loss;
            if ui.checkbox(&mut log, "log loss").on_hover_text("Plot the loss on a logarithmic scale. (L)").changed() {
                actions.push(Action::ToggleLogScale);
            }
        });
    });
}
