//! The top bar: the app's name, Step / Step ×10 / Run–Pause / Reset, the speed slider and display toggles.

use egui::{RichText, Slider, Ui};

use crate::app::explain::{Explain, Explainer};
use crate::app::state::{Action, Prefs, SPEED_MIN, SPEED_UNLIMITED};
use crate::app::theme::Palette;
use crate::explain::topics::Topic;
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
    /// Explain mode's button.
    pub const EXPLAIN: &str = " ? ";
}

/// Width from which the display toggles sit right-aligned on the controls' row (they need about 1240 points
/// together); below it they follow the speed and wrap to a second row when they do not fit, never over it.
const ONE_ROW_MIN_WIDTH: f32 = 1400.0;

/// The bar's content: the run controls and the speed, then the display toggles (right-aligned on a wide window, on
/// a second row on a narrow one).
pub fn toolbar_ui(
    ui: &mut Ui,
    prefs: &Prefs,
    snap: &Snapshot,
    (palette, ex): (Palette, &Explainer),
    actions: &mut Vec<Action>,
) {
    if ui.available_width() >= ONE_ROW_MIN_WIDTH {
        ui.horizontal_centered(|ui| {
            run_controls_ui(ui, prefs, snap, (palette, ex), actions);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                explain_button_ui(ui, prefs, ex, actions);
                ui.separator();
                display_toggles_ui(ui, prefs, ex, actions, true);
            });
        });
    } else {
        ui.horizontal_wrapped(|ui| {
            run_controls_ui(ui, prefs, snap, (palette, ex), actions);
            ui.separator();
            display_toggles_ui(ui, prefs, ex, actions, false);
            ui.separator();
            explain_button_ui(ui, prefs, ex, actions);
        });
    }
}

/// The "?" that turns explain mode on and off (F1), highlighted while on.
fn explain_button_ui(ui: &mut Ui, prefs: &Prefs, ex: &Explainer, actions: &mut Vec<Action>) {
    let button = egui::Button::new(RichText::new(labels::EXPLAIN).strong()).selected(prefs.explain);
    if ui.add(button).explain(ex, Topic::ExplainMode).clicked() {
        actions.push(Action::ToggleExplain);
    }
}

/// Step, Step ×10, Run/Pause, Reset and the speed.
fn run_controls_ui(
    ui: &mut Ui,
    prefs: &Prefs,
    snap: &Snapshot,
    (palette, ex): (Palette, &Explainer),
    actions: &mut Vec<Action>,
) {
    ui.label(RichText::new("descent").strong().size(20.0).color(palette.run(crate::app::theme::RUN_COLORS[0])))
        .explain(ex, Topic::App);
    ui.add_space(14.0);
    let running = matches!(snap.mode, Mode::Running { .. });
    let finished = !snap.runs.is_empty() && snap.runs.iter().all(|r| r.status.is_finished());
    if ui.button(labels::STEP).explain(ex, Topic::Step).clicked() {
        actions.push(Action::Step(1));
    }
    if ui.button(labels::STEP_10).explain(ex, Topic::Step10).clicked() {
        actions.push(Action::Step(10));
    }
    let label = if running { labels::PAUSE } else { labels::RUN };
    let run_button = egui::Button::new(RichText::new(label).strong()).min_size(egui::vec2(92.0, 0.0));
    ui.add_enabled(running || !finished, run_button)
        .explain(ex, Topic::RunPause)
        .on_disabled_hover_text("The run has finished. Reset (R) to start again, or change a setting to continue.")
        .clicked()
        .then(|| actions.push(Action::ToggleRun));
    if ui.button(labels::RESET).explain(ex, Topic::Reset).clicked() {
        actions.push(Action::Reset);
    }
    ui.add_space(14.0);
    let mut speed = prefs.steps_per_sec;
    let response = ui
        .add(
            Slider::new(&mut speed, SPEED_MIN..=SPEED_UNLIMITED)
                .logarithmic(true)
                .text(labels::SPEED)
                .custom_formatter(|v, _| {
                    if v >= SPEED_UNLIMITED {
                        "max".to_owned()
                    } else {
                        format!("{} /s", format::short(v.round().max(1.0)))
                    }
                })
                .custom_parser(|t| {
                    let t = t.trim().trim_end_matches("/s").trim();
                    if t.eq_ignore_ascii_case("max") { Some(SPEED_UNLIMITED) } else { t.parse().ok() }
                }),
        )
        .explain(ex, Topic::Speed);
    if response.changed() {
        actions.push(Action::SetSpeed(speed));
    }
}

/// What the plots draw (log loss, theory, tangent, next step, mini-batch curves) and the theme. `right_to_left`:
/// the widgets are added from the right edge, so they are listed in reverse.
fn display_toggles_ui(ui: &mut Ui, prefs: &Prefs, ex: &Explainer, actions: &mut Vec<Action>, right_to_left: bool) {
    type Toggle = (bool, &'static str, Topic, fn(bool) -> Action);
    let toggles: [Toggle; 5] = [
        (prefs.log_loss, "log loss", Topic::LogLoss, |_| Action::ToggleLogScale),
        (prefs.show_theory, "theory", Topic::TheoryToggle, Action::SetShowTheory),
        (prefs.show_tangent, "tangent", Topic::TangentToggle, Action::SetShowTangent),
        (prefs.show_next, "next step", Topic::NextToggle, Action::SetShowNext),
        (prefs.show_batches, "batches", Topic::BatchesToggle, Action::SetShowBatches),
    ];
    let themes = [(false, "light"), (true, "dark")];
    let mut theme_ui = |ui: &mut Ui, order: &[(bool, &str)]| {
        for &(dark, label) in order {
            if ui.selectable_label(prefs.dark == dark, label).explain(ex, Topic::Theme).clicked() && prefs.dark != dark
            {
                actions.push(Action::SetDark(dark));
            }
        }
    };
    let mut checks: Vec<Action> = Vec::new();
    let mut toggles_ui = |ui: &mut Ui, order: &mut dyn Iterator<Item = &Toggle>| {
        for &(on, label, topic, action) in order {
            let mut v = on;
            if ui.checkbox(&mut v, label).explain(ex, topic).changed() {
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
