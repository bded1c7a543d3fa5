//! The status line (step, w, b, loss, |gradient|, lr, measured speed, state) in a monospace font with fixed
//! significant digits, and the outcome banner: red when the run diverged, green when it reached the minimum.

use egui::{Color32, RichText, Ui};

use crate::app::explain::{Explain, Explainer};
use crate::app::state::Action;
use crate::app::theme::Palette;
use crate::app::view::ViewCtx;
use crate::engine::floor::Verdict;
use crate::engine::trainer::{Convergence, Divergence, Status};
use crate::explain::outcome::step_cap_banner;
use crate::explain::topics::Topic;
use crate::explain::{RunState, Tone, Why, held_short, why_no_tolerance};
use crate::format;
use crate::worker::{Mode, RunSnapshot, Snapshot};

/// The state of a run in a few words: "idle", "running", "converged at step k", "diverged at step k", or, for a
/// run with no trainer, "settings refused" (it never started) and "stopped at step k" (the engine failed).
pub fn state_text(snap: &Snapshot, run: &RunSnapshot) -> String {
    if run.error.is_some() {
        return match run.history.last() {
            None => "settings refused".into(),
            Some(row) => format!("stopped at step {}", row.step),
        };
    }
    match run.status {
        Status::Converged { step, .. } => format!("converged at step {step}"),
        Status::Diverged { step, why } => format!("{} at step {step}", why.verb()),
        Status::Running => match snap.mode {
            Mode::Running { .. } | Mode::Stepping => "running".into(),
            Mode::Idle if run.record.step == 0 => "ready".into(),
            Mode::Idle => "paused".into(),
        },
    }
}

/// The bottom status line, for the selected run at the timeline's step (the first run if it is gone); with several
/// runs it starts with the run's name in its colour. The app's message (`message`: the newest, and how many older
/// ones wait) shows on a line under it, where it covers no control; true when the learner closed the message.
pub fn status_line_ui(ui: &mut Ui, ctx: &ViewCtx<'_>, message: Option<(&Message<'_>, usize)>) -> bool {
    let Some(run) = ctx.selected_run() else {
        ui.label("no run");
        return false;
    };
    ui.horizontal_wrapped(|ui| numbers_ui(ui, ctx, run));
    message.is_some_and(|(message, older)| ui.horizontal(|ui| message_ui(ui, message, older, ctx.palette)).inner)
}

/// A message of the app for the status line: its text, and whether it is an error.
pub struct Message<'a> {
    /// The text (one line).
    pub text: &'a str,
    /// An error (red) or information (green).
    pub error: bool,
}

/// A message of the app on its own line under the numbers: "close", then its text in red (an error) or green, cut
/// with "…" to the room left (the whole text on hover).
fn message_ui(ui: &mut Ui, toast: &Message<'_>, older: usize, palette: Palette) -> bool {
    let color = if toast.error { palette.diverged } else { palette.converged };
    let closed = ui.small_button("close").on_hover_text("Dismiss this message").clicked();
    let more = if older > 0 { format!(" (+{older} older)") } else { String::new() };
    let text = RichText::new(format!("{}{more}", toast.text)).color(color);
    ui.add(egui::Label::new(text).truncate()).on_hover_text(toast.text);
    closed
}

/// The numbers of the status line: state, step, w (b), loss, |∇L|, lr, measured speed.
fn numbers_ui(ui: &mut Ui, ctx: &ViewCtx<'_>, run: &RunSnapshot) {
    let (snap, palette) = (ctx.live, ctx.palette);
    let r = &run.record;
    let bias = run.spec.settings.bias;
    let color = palette.run(run.spec.color);
    let (state_color, dot) = match run.status {
        Status::Converged { .. } => (palette.converged, "●"),
        Status::Diverged { why, .. } if why.is_stop() => (palette.warning, "●"),
        Status::Diverged { .. } => (palette.diverged, "●"),
        Status::Running if snap.is_busy() => (color, "▶"),
        Status::Running => (palette.weak_text, "●"),
    };
    let mono = |s: String| RichText::new(s).monospace();
    let name = |s: &str| RichText::new(s).monospace().color(palette.weak_text);
    // Wraps to a second line rather than clipping on a narrow window or with long numbers.
    let ex = ctx.explain;
    {
        ui.spacing_mut().item_spacing.x = 6.0;
        if snap.runs.len() > 1 {
            ui.label(RichText::new(&run.spec.name).strong().color(color)).explain(ex, Topic::RunCard);
            ui.separator();
        }
        ui.label(RichText::new(format!("{dot} {:<22}", state_text(snap, run))).monospace().strong().color(state_color))
            .explain(ex, Topic::State);
        ui.separator();
        if let Some(e) = run.error.as_ref().filter(|_| run.history.is_empty()) {
            // Refused at the start: there is no state to show, only why (the banner has it whole).
            ui.add(egui::Label::new(RichText::new(e).color(palette.diverged)).truncate());
            return;
        }
        ui.label(name("step")).explain(ex, Topic::StepCount);
        ui.label(mono(format!("{:>9}", r.step))).explain(ex, Topic::StepCount);
        ui.separator();
        ui.label(name("w")).explain(ex, Topic::Weight);
        ui.label(mono(format!("{:>12}", format::sig(r.params.w, 6)))).explain(ex, Topic::Weight);
        if bias {
            ui.label(name("b")).explain(ex, Topic::Weight);
            ui.label(mono(format!("{:>12}", format::sig(r.params.b, 6)))).explain(ex, Topic::Weight);
        }
        ui.separator();
        ui.label(name("loss")).explain(ex, Topic::LossNow);
        ui.label(mono(format::sci(r.loss, 4))).explain(ex, Topic::LossNow);
        ui.separator();
        ui.label(name("|∇L|")).explain(ex, Topic::GradNorm);
        ui.label(mono(format::sci(r.grad.norm(), 4))).explain(ex, Topic::GradNorm);
        ui.separator();
        ui.label(name("lr")).explain(ex, Topic::LrNow);
        ui.label(mono(format!("{:<8}", format::short(run.spec.settings.optimizer.lr)))).explain(ex, Topic::LrNow);
        ui.separator();
        ui.label(mono(format!("{:>16}", format::rate(snap.steps_per_sec)))).explain(ex, Topic::Rate);
        if run.history.is_thinned() {
            ui.separator();
            ui.label(RichText::new("history thinned").small().color(palette.weak_text))
                .on_hover_text("Long run: older steps are thinned to bound memory; the first and last steps and every extreme are kept.");
        }
    }
}

/// The run's state as the explanations read it: settings, analysis, latest state, status and tolerance.
pub fn run_state<'a>(snap: &'a Snapshot, run: &'a RunSnapshot) -> RunState<'a> {
    RunState {
        settings: &run.spec.settings,
        analysis: &run.analysis,
        record: &run.record,
        status: run.status,
        tolerance: snap.tolerance,
        floor: run.floor,
    }
}

/// Why the run moves as it does, in one line beside its state (cut with "…"; the whole sentence and what its
/// numbers mean on hover): "each step keeps 85% of the distance: 1 − lr·λ = 0.85".
pub fn why_line_ui(ui: &mut Ui, snap: &Snapshot, run: &RunSnapshot, palette: Palette, ex: &Explainer) {
    if run.error.is_some() {
        return;
    }
    let Why { short, long, tone } = crate::explain::why(&run_state(snap, run));
    let color = match tone {
        Tone::Calm => palette.weak_text,
        Tone::Good => palette.converged,
        Tone::Warning => palette.warning,
        Tone::Bad => palette.diverged,
    };
    let name = if snap.runs.len() > 1 { format!("{}: ", run.spec.name) } else { String::new() };
    ui.horizontal(|ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new("why").strong().color(color)).explain(ex, Topic::Why);
        let label = egui::Label::new(RichText::new(format!("{name}{short}")).color(color)).truncate();
        let response = ui.add(label);
        ex.mark(Topic::Why, response.interact_rect);
        if !ex.on() {
            response.on_hover_text(format!("{name}{short}\n\n{long}"));
        }
    });
}

/// "5 of 6 converged, 1 won't settle — AdamW: AdamW's decoupled weight decay …": the outcome of every run, for the
/// banner (`None` for one run), each run counted as [`summary_class`] says, with the first reason given.
pub fn outcomes_summary(snap: &Snapshot) -> Option<String> {
    let runs = &snap.runs;
    if runs.len() < 2 {
        return None;
    }
    // Each run's place in the summary, and the reason of one that cannot (or may never) meet the tolerance.
    let classified: Vec<(&str, Option<String>)> = runs.iter().map(|r| summary_class(snap, r)).collect();
    let mut parts =
        vec![format!("{} of {} converged", classified.iter().filter(|c| c.0 == CONVERGED).count(), runs.len())];
    for class in [DIVERGED, STOPPED, CAPPED, NEVER, CHANCE, RUNNING] {
        let k = classified.iter().filter(|c| c.0 == class).count();
        if k > 0 {
            parts.push(format!("{k} {class}"));
        }
    }
    let first = runs
        .iter()
        .zip(&classified)
        .find_map(|(r, c)| c.1.as_ref().map(|reason| format!(" — {}: {reason}", r.spec.name)))
        .unwrap_or_default();
    Some(format!("{}{first}", parts.join(", ")))
}

const CONVERGED: &str = "converged";
const DIVERGED: &str = "diverged";
const STOPPED: &str = "stopped";
const CAPPED: &str = "stopped at the step cap";
const NEVER: &str = "can't get there";
const CHANCE: &str = "won't settle";
const RUNNING: &str = "not there yet";

/// Where `run` counts in [`outcomes_summary`]: a run held short of the tolerance by its floor ([`why_no_tolerance`]:
/// it can't get there, or won't settle and meets it only by chance) is told apart from one only not there yet, and
/// a run at the step cap from one stopped otherwise; those carry their reason.
fn summary_class(snap: &Snapshot, run: &RunSnapshot) -> (&'static str, Option<String>) {
    let floor = || if run.error.is_none() { why_no_tolerance(&run_state(snap, run)) } else { None };
    match run.status {
        Status::Converged { by: Convergence::Stalled, .. } => match held_short(&run_state(snap, run)) {
            Some(reason) if run.error.is_none() => (NEVER, Some(reason)),
            _ => (CONVERGED, None),
        },
        Status::Converged { .. } => (CONVERGED, None),
        Status::Diverged { why: Divergence::StepCap, .. } => {
            // Without a floor the run was only slow: its own banner says how far it still is.
            (CAPPED, floor().map(|f| f.1))
        }
        Status::Diverged { why, .. } if why.is_stop() => (STOPPED, None),
        Status::Diverged { .. } => (DIVERGED, None),
        Status::Running => match floor() {
            Some((Verdict::Never, reason)) => (NEVER, Some(reason)),
            Some((Verdict::Chance, reason)) => (CHANCE, Some(reason)),
            None => (RUNNING, None),
        },
    }
}

/// The outcome of a run in one sentence and a learning rate to suggest, or `None` while it runs.
fn outcome_text(snap: &Snapshot, run: &RunSnapshot) -> Option<(String, Option<f64>, bool)> {
    if let Some(e) = &run.error {
        return Some((e.clone(), None, false));
    }
    match run.status {
        Status::Diverged { why: Divergence::StepCap, .. } => {
            let text = step_cap_banner(&run.spec.settings, &run.record, run.floor, snap.tolerance);
            Some((text, None, false))
        }
        Status::Diverged { step, why } => {
            let (text, fix) = divergence_text(run, step, why);
            Some((text, fix, false))
        }
        Status::Converged { step, by } => {
            let held = (by == Convergence::Stalled).then(|| held_short(&run_state(snap, run))).flatten();
            let (text, good) = match held {
                Some(reason) => crate::explain::outcome::held_banner(&run.spec.settings, &run.record, step, &reason),
                _ => crate::explain::outcome::converged_banner(&run.spec.settings, &run.record, step, by),
            };
            Some((text, None, good))
        }
        Status::Running => None,
    }
}

/// The banner above the plots: the outcome of the selected `run` (named when there are several), the outcome of
/// every run, and what to do next (a safe learning rate after a divergence; start again after a minimum). Returns
/// true when shown.
pub fn banner_ui(
    ui: &mut Ui,
    run: &RunSnapshot,
    snap: &Snapshot,
    (palette, ex): (Palette, &Explainer),
    actions: &mut Vec<Action>,
) -> bool {
    let all = &snap.runs;
    let any_finished = all.iter().any(|r| r.status.is_finished());
    let summary = outcomes_summary(snap).filter(|_| any_finished);
    let own = outcome_text(snap, run);
    let Some((text, fix, converged)) = own.clone().or_else(|| summary.clone().map(|s| (s, None, false))) else {
        return false;
    };
    let named = if all.len() > 1 && own.is_some() { format!("{}: {text}", run.spec.name) } else { text };
    let (fill, text_color) = match (&own, converged) {
        (None, _) => (palette.card, ui.visuals().text_color()),
        (Some(_), true) => (palette.converged_fill, strong_on(palette)),
        (Some(_), false) => {
            (palette.diverged_fill, if run.error.is_some() { palette.diverged } else { strong_on(palette) })
        }
    };
    // One line whatever the window's width: the button at the right, the sentence cut with "…" (whole on hover).
    let frame = egui::Frame::new().fill(fill).corner_radius(6.0).inner_margin(egui::Margin::symmetric(12, 7));
    let shown = frame.show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                banner_action_ui(ui, run, fix, converged, actions);
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    let all =
                        summary.filter(|_| own.is_some()).map(|s| format!("  · all runs: {s}")).unwrap_or_default();
                    let text = format!("{named}{all}");
                    let label =
                        ui.add(egui::Label::new(RichText::new(&text).strong().size(15.0).color(text_color)).truncate());
                    if !ex.on() {
                        label.on_hover_text(text);
                    }
                });
            });
        });
    });
    ex.mark(Topic::Banner, shown.response.rect);
    true
}

/// The banner's button: "Try lr = …" after a divergence, "Start again" after a minimum.
fn banner_action_ui(ui: &mut Ui, run: &RunSnapshot, fix: Option<f64>, converged: bool, actions: &mut Vec<Action>) {
    if let Some(lr) = fix {
        let tip = "Set this learning rate (the fastest stable one for plain gradient descent) and start again.";
        if ui.button(format!("Try lr = {}", format::short(lr))).on_hover_text(tip).clicked() {
            let mut s = run.spec.settings.clone();
            s.optimizer.lr = lr;
            actions.push(Action::SetSettings(s));
            actions.push(Action::Reset);
        }
    } else if converged {
        let tip = "Back to the start point with a fresh optimizer (R). A new learning rate or optimizer continues from here instead; a new loss, model, gradient, precision, start or batches restarts by itself.";
        if ui.button("Start again (R)").on_hover_text(tip).clicked() {
            actions.push(Action::Reset);
        }
    }
}

fn strong_on(palette: Palette) -> Color32 {
    if palette.dark { Color32::from_rgb(250, 250, 250) } else { Color32::from_rgb(20, 20, 20) }
}

/// "Diverged at step k: lr 0.2 ≥ 2/λmax = 0.1333 — lower the learning rate", with a suggested safe learning rate:
/// [`crate::explain::outcome::divergence_banner`].
fn divergence_text(run: &RunSnapshot, step: u64, why: Divergence) -> (String, Option<f64>) {
    crate::explain::outcome::divergence_banner(&run.spec.settings, &run.analysis, step, why)
}
