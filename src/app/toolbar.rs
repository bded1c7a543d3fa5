//! The top bar: the app's name, Step / Step ×10 / Run–Pause / Reset, the speed slider and display toggles.

use egui::{RichText, Slider, Ui};

use super::state::{Action, Prefs, SPEED_MIN, SPEED_UNLIMITED};
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

/// Width below which the display toggles go to a second row.
const ONE_ROW_MIN_WIDTH: f32 = 1150.0;

/// The bar's content: the run controls and the speed, then the display toggles (right-aligned on a wide window, on
/// a second row on a narrow one).
pub fn toolbar_ui(ui: &mut Ui, prefs: &Prefs, snap: &Snapshot, palette: Palette, actions: &mut Vec<Action>) {
    if ui.available_width() >= ONE_ROW_MIN_WIDTH {
        ui.horizontal_centered(|ui| {
            run_controls_ui(ui, prefs, snap, palette, actions);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                display_toggles_ui(ui, prefs, actions, true);
            });
        });
    } else {
        ui.horizontal(|ui| run_controls_ui(ui, prefs, snap, palette, actions));
        ui.horizontal(|ui| display_toggles_ui(ui, prefs, actions, false));
    }
}

/// Step, Step ×10, Run/Pause, Reset and the speed.
fn run_controls_ui(ui: &mut Ui, prefs: &Prefs, snap: &Snapshot, palette: Palette, actions: &mut Vec<Action>) {
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
        (
            labels::RUN,
            "Run step after step at the chosen speed until the minimum is reached or the run diverges. (Space)",
        )
    };
    let run_button = egui::Button::new(RichText::new(label).strong()).min_size(egui::vec2(92.0, 0.0));
    ui.add_enabled(running || !finished, run_button)
        .on_hover_text(tip)
        .on_disabled_hover_text("The run has finished. Reset (R) to start again, or change a setting to continue.")
        .clicked()
        .then(|| actions.push(Action::ToggleRun));
    if ui
        .button(labels::RESET)
        .on_hover_text("Back to the start point w₀ with a fresh optimizer; the trail is cleared. (R)")
        .clicked()
    {
        actions.push(Action::Reset);
    }
    ui.add_space(14.0);
    let mut speed = prefs.steps_per_sec;
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
}

/// What the plots draw (log loss, theory, tangent, next step, mini-batch curves) and the theme. `right_to_left`:
/// the widgets are added from the right edge, so they are listed in reverse.
fn display_toggles_ui(ui: &mut Ui, prefs: &Prefs, actions: &mut Vec<Action>, right_to_left: bool) {
    type Toggle = (bool, &'static str, &'static str, fn(bool) -> Action);
    let toggles: [Toggle; 5] = [
        (prefs.log_loss, "log loss", "Plot the loss on a logarithmic scale. (L)", |_| Action::ToggleLogScale),
        (
            prefs.show_theory,
            "theory",
            "Draw plain full-batch gradient descent's exact trajectory, w* + (1 − lr·λ)^k (w₀ − w*), as a thin dashed line on the weight and loss plots.",
            Action::SetShowTheory,
        ),
        (
            prefs.show_tangent,
            "tangent",
            "Show the tangent line at the current point: its slope is the gradient dL/dw.",
            Action::SetShowTangent,
        ),
        (prefs.show_next, "next step", "Show an arrow to where the next step will land.", Action::SetShowNext),
        (
            prefs.show_batches,
            "batches",
            "With a batch size set: draw each mini-batch's own loss curve faintly on the landscape.",
            Action::SetShowBatches,
        ),
    ];
    let themes = [(false, "light", "Light theme."), (true, "dark", "Dark theme.")];
    let mut theme_ui = |ui: &mut Ui, order: &[(bool, &str, &str)]| {
        for &(dark, label, tip) in order {
            if ui.selectable_label(prefs.dark == dark, label).on_hover_text(tip).clicked() && prefs.dark != dark {
                actions.push(Action::SetDark(dark));
            }
        }
    };
    let mut checks: Vec<Action> = Vec::new();
    let mut toggles_ui = |ui: &mut Ui, order: &mut dyn Iterator<Item = &Toggle>| {
        for &(on, label, tip, action) in order {
            let mut v = on;
            if ui.checkbox(&mut v, label).on_hover_text(tip).changed() {
                checks.push(action(v));
            }
        }
    };
    if right_to_left {
        theme_ui(ui, &themes);
        ui.separator();
        toggles_ui(ui, &mut toggles.iter().rev());
    } else {
        toggles_ui(ui, &mut toggles.iter());
        ui.separator();
        theme_ui(ui, &[themes[1], themes[0]]);
    }
    actions.extend(checks);
}
