//! The settings panel: learning rate (log slider and typed value), optimizer and its hyperparameters, start point,
//! problem (data, bias, loss, gradient source, precision, batches), stopping tolerance, and the closed-form analysis.
//!
//! Every control has a tooltip in plain words. Edits become [`Action`]s; the run picks new hyperparameters up at its
//! next step without a reset, while a new start point or new data resets it.

use egui::{Color32, ComboBox, DragValue, RichText, Slider, TextEdit, Ui};

use crate::app::explain::{Explain, Explainer};
use crate::app::number_field::NumberField;
use crate::app::state::{Action, LR_RANGE, Prefs};
use crate::app::theme::Palette;
use crate::app::view::ViewCtx;
use crate::engine::data::{PRESETS, preset_description};
use crate::engine::loss::LossKind;
use crate::engine::objective::{Builtin, Objective};
use crate::engine::optim::{LineSearch, OptimizerConfig, OptimizerKind};
use crate::engine::schedule::{AnnealStrategy, CyclicMode, ScheduleConfig, ScheduleKind, ThresholdMode};
use crate::engine::settings::{GradientSource, Precision, Settings};
use crate::explain::topics::Topic;
use crate::format;
use crate::lesson::Lock;
use crate::number::Bounds;
use crate::worker::RunSnapshot;

/// Labels tests find widgets by.
pub mod labels {
    /// The learning rate's typed value.
    pub const LR_VALUE: &str = "learning rate value";
}

/// The largest learning rate the value field takes (the slider stops at 10).
const LR_TYPED_MAX: f64 = 100.0;

/// Text-field state of the panel (not persisted).
#[derive(Default)]
pub struct ControlsState {
    /// Why the last data could not be loaded.
    pub data_error: Option<String>,
    /// The objective's expression as typed, and why it does not parse.
    objective_text: Option<String>,
    objective_error: Option<String>,
}

/// The panel's content.
pub fn controls_ui(
    ui: &mut Ui,
    ctx: &ViewCtx<'_>,
    old: &Settings,
    prefs: &Prefs,
    state: &mut ControlsState,
    actions: &mut Vec<Action>,
) {
    let (run, palette, n_samples, ex) = (ctx.selected_run(), ctx.palette, ctx.live.data.len(), ctx.explain);
    let mut s = old.clone();
    ui.add_space(2.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Settings").heading());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.small_button("Reset to defaults").explain(ex, Topic::ResetDefaults).clicked() {
                actions.push(Action::ResetToDefaults);
            }
        });
    });
    ui.separator();
    let locks = ctx.locks;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        lockable_ui(ui, locks.lr, |ui| learning_rate_ui(ui, &mut s, run, (palette, ex)));
        ui.separator();
        lockable_ui(ui, locks.optimizer, |ui| optimizer_ui(ui, &mut s, ex));
        ui.separator();
        schedule_ui(ui, &mut s, ex);
        ui.separator();
        start_ui(ui, old, ex, actions);
        ui.separator();
        problem_ui(ui, &mut s, (prefs, n_samples, ex, locks.data), state, actions);
        ui.separator();
        stopping_ui(ui, prefs, ex, actions);
        ui.separator();
        if let Some(run) = run {
            analysis_ui(ui, run, palette, ex);
            ui.separator();
        }
        ui.add_space(8.0);
    });
    // Keep the optimizer's constraints: Nesterov needs momentum > 0 and no dampening.
    if s.optimizer.nesterov && (s.optimizer.momentum <= 0.0 || s.optimizer.dampening != 0.0) {
        s.optimizer.nesterov = false;
    }
    // The line search is for plain gradient descent only.
    let o = &mut s.optimizer;
    if !o.is_plain_descent() {
        o.line_search = LineSearch::None;
    }
    if s != *old && s.validate().is_ok() {
        actions.push(Action::SetSettings(s));
    }
}

/// A group of controls as a lesson page allows it: usable, shown disabled, or not shown.
fn lockable_ui(ui: &mut Ui, lock: Lock, add: impl FnOnce(&mut Ui)) {
    match lock {
        Lock::Free => add(ui),
        Lock::Locked => {
            ui.add_enabled_ui(false, add).response.on_disabled_hover_text("Locked by the lesson's page.");
        }
        Lock::Hidden => {}
    }
}

fn section(ui: &mut Ui, title: &str) {
    ui.label(RichText::new(title).strong().size(15.0));
}

fn learning_rate_ui(ui: &mut Ui, s: &mut Settings, run: Option<&RunSnapshot>, (palette, ex): (Palette, &Explainer)) {
    section(ui, "Learning rate");
    let bands = run.map(|r| crate::app::stability::stability_bands(&r.analysis, s));
    let lr = &mut s.optimizer.lr;
    let slider_width = (ui.available_width() - 100.0).max(120.0);
    let slider = ui
        .scope(|ui| {
            ui.spacing_mut().slider_width = slider_width;
            ui.add(Slider::new(lr, LR_RANGE).logarithmic(true).show_value(false).text("learning rate"))
                .explain(ex, Topic::Lr)
        })
        .inner;
    if let Some(bands) = &bands {
        ui.scope(|ui| {
            ui.spacing_mut().slider_width = slider_width;
            let map =
                crate::app::stability::map_ui(ui, &slider, (*LR_RANGE.start(), *LR_RANGE.end()), bands, *lr, palette);
            ex.mark(Topic::StabilityMap, map.rect);
        });
    }
    let field = ui
        .horizontal(|ui| {
            ui.label("value").explain(ex, Topic::Lr);
            let field =
                NumberField::new("lr", lr, Bounds::positive(LR_TYPED_MAX)).width(150.0).name(labels::LR_VALUE).show(ui);
            field.response.clone().explain(ex, Topic::Lr);
            field
        })
        .inner;
    field.refusal_ui(ui);
    if let Some(run) = run {
        stability_hint_ui(ui, s, run, palette, ex);
    }
}

/// One line on what the run's optimizer does at this learning rate: [`crate::explain::hint::lr_hint`], from the same
/// limits as the stability map.
fn stability_hint_ui(ui: &mut Ui, s: &Settings, run: &RunSnapshot, palette: Palette, ex: &Explainer) {
    use crate::explain::Tone;
    let Some(hint) = crate::explain::hint::lr_hint(s, &run.analysis) else {
        return;
    };
    let color = match hint.tone {
        Tone::Calm | Tone::Good => palette.weak_text,
        Tone::Warning => palette.warning,
        Tone::Bad => palette.diverged,
    };
    ui.label(RichText::new(hint.text).small().color(color)).explain(ex, Topic::StabilityMap);
}

/// A labelled number field ([`NumberField`]) accepting `range`. A value from the command line or a session outside
/// it is shown and kept as it is (never rewritten by the widget); a typed one outside it is refused with its reason.
fn number_row(
    ui: &mut Ui,
    (label, topic, ex): (&str, Topic, &Explainer),
    value: &mut f64,
    range: std::ops::RangeInclusive<f64>,
) {
    let field = ui
        .horizontal(|ui| {
            let field = NumberField::new(label, value, Bounds::closed(range)).name(label).show(ui);
            field.response.clone().explain(ex, topic);
            ui.label(label).explain(ex, topic);
            field
        })
        .inner;
    field.refusal_ui(ui);
}

fn optimizer_ui(ui: &mut Ui, s: &mut Settings, ex: &Explainer) {
    section(ui, "Optimizer");
    let o = &mut s.optimizer;
    let before = o.kind;
    ComboBox::from_id_salt("optimizer")
        .selected_text(o.kind.label())
        .show_ui(ui, |ui| {
            for kind in OptimizerKind::ALL {
                ui.selectable_value(&mut o.kind, kind, kind.label()).on_hover_text(optimizer_tip(kind));
            }
        })
        .response
        .explain(ex, Topic::Optimizer);
    // Newton's natural lr is 1 (the whole step to the model's minimum); leaving it restores the notebook's 0.01.
    if before != o.kind && o.kind == OptimizerKind::Newton {
        o.lr = 1.0;
    } else if before == OptimizerKind::Newton && o.kind != before {
        o.lr = OptimizerConfig::default().lr;
    }
    optimizer_params_ui(ui, o, ex);
    if !matches!(o.kind, OptimizerKind::Gd | OptimizerKind::Newton) {
        decay_and_eps_ui(ui, o, ex);
    }
    line_search_ui(ui, o, ex);
}

/// The Armijo line search toggle and its c and ρ (plain SGD: no momentum, no weight decay).
fn line_search_ui(ui: &mut Ui, o: &mut OptimizerConfig, ex: &Explainer) {
    if !o.is_sgd_family() {
        return;
    }
    let plain = o.is_plain_descent();
    let mut on = o.line_search == LineSearch::Armijo;
    let why_not = crate::app::disabled::line_search(o.momentum, o.weight_decay());
    ui.add_enabled(plain, egui::Checkbox::new(&mut on, "line search (Armijo)"))
        .explain(ex, Topic::LineSearch)
        .on_disabled_hover_text(why_not.unwrap_or_default());
    o.line_search = if on && plain { LineSearch::Armijo } else { LineSearch::None };
    if o.line_search == LineSearch::Armijo {
        number_row(ui, ("Armijo c", Topic::LineSearch, ex), &mut o.armijo_c, 1e-6..=0.5);
        number_row(ui, ("backtrack ρ", Topic::LineSearch, ex), &mut o.backtrack, 0.05..=0.95);
    }
}

/// The hyperparameters of the chosen optimizer (torch's names).
fn optimizer_params_ui(ui: &mut Ui, o: &mut OptimizerConfig, ex: &Explainer) {
    match o.kind {
        OptimizerKind::Sgd => {
            number_row(ui, ("momentum μ", Topic::Momentum, ex), &mut o.momentum, 0.0..=0.999);
            number_row(ui, ("dampening τ", Topic::Dampening, ex), &mut o.dampening, 0.0..=1.0);
            let why_not = crate::app::disabled::nesterov(o.momentum, o.dampening);
            ui.add_enabled(why_not.is_none(), egui::Checkbox::new(&mut o.nesterov, "Nesterov"))
                .explain(ex, Topic::Nesterov)
                .on_disabled_hover_text(why_not.unwrap_or_default());
        }
        OptimizerKind::Adagrad => {
            number_row(ui, ("lr decay", Topic::LrDecay, ex), &mut o.lr_decay, 0.0..=1.0);
            let acc = ("initial accumulator", Topic::InitialAccumulator, ex);
            number_row(ui, acc, &mut o.initial_accumulator_value, 0.0..=10.0);
        }
        OptimizerKind::Rmsprop => {
            number_row(ui, ("smoothing α", Topic::Alpha, ex), &mut o.alpha, 0.0..=0.9999);
            number_row(ui, ("momentum μ", Topic::Momentum, ex), &mut o.momentum, 0.0..=0.999);
            ui.checkbox(&mut o.centered, "centered").explain(ex, Topic::Centered);
        }
        OptimizerKind::Adam | OptimizerKind::Adamw => {
            number_row(ui, ("β₁", Topic::Beta1, ex), &mut o.beta1, 0.0..=0.9999);
            number_row(ui, ("β₂", Topic::Beta2, ex), &mut o.beta2, 0.0..=0.99999);
            ui.checkbox(&mut o.amsgrad, "AMSGrad").explain(ex, Topic::Amsgrad);
        }
        OptimizerKind::Gd | OptimizerKind::Newton => {}
    }
}

/// Weight decay (every optimizer) and ε (all but SGD).
fn decay_and_eps_ui(ui: &mut Ui, o: &mut OptimizerConfig, ex: &Explainer) {
    let mut wd = o.weight_decay();
    let before = wd;
    number_row(ui, ("weight decay", Topic::WeightDecay, ex), &mut wd, 0.0..=1.0);
    if wd != before {
        o.weight_decay = Some(wd);
    }
    if !o.is_sgd_family() {
        let mut eps = o.eps();
        let before = eps;
        let field = ui
            .horizontal(|ui| {
                let field = NumberField::new("ε", &mut eps, Bounds::positive(1.0)).name("ε").show(ui);
                field.response.clone().explain(ex, Topic::Eps);
                ui.label("ε").explain(ex, Topic::Eps);
                field
            })
            .inner;
        field.refusal_ui(ui);
        if eps != before {
            o.eps = Some(eps);
        }
    }
}

/// The learning-rate schedule and its parameters (torch's names), and the warm-up. Picking a schedule fills the
/// parameters torch requires with starting values, so that the settings stay valid.
fn schedule_ui(ui: &mut Ui, s: &mut Settings, ex: &Explainer) {
    section(ui, "Learning-rate schedule");
    let before = s.schedule.kind;
    let c = &mut s.schedule;
    ComboBox::from_id_salt("schedule")
        .selected_text(c.kind.label())
        .show_ui(ui, |ui| {
            for kind in ScheduleKind::ALL {
                ui.selectable_value(&mut c.kind, kind, kind.label()).on_hover_text(kind.torch_name());
            }
        })
        .response
        .explain(ex, Topic::Schedule);
    if c.kind != before {
        fill_required(c, s.optimizer.lr);
    }
    let cycling = matches!(c.kind, ScheduleKind::Onecycle | ScheduleKind::Cyclic);
    if cycling && matches!(s.optimizer.kind, OptimizerKind::Adagrad | OptimizerKind::Gd) {
        // torch refuses to cycle a momentum Adagrad has not; gd has none either.
        c.cycle_momentum = false;
    }
    schedule_params_ui(ui, c, ex);
    warmup_ui(ui, c, ex);
}

/// Starting values for the parameters torch requires of `c`'s schedule (kept when already set), and no warm-up
/// before a schedule that refuses one.
fn fill_required(c: &mut ScheduleConfig, lr: f64) {
    match c.kind {
        ScheduleKind::Step => {
            c.step_size.get_or_insert(10);
        }
        ScheduleKind::Exponential => {
            c.gamma.get_or_insert(0.95);
        }
        ScheduleKind::Cosine => {
            c.t_max.get_or_insert(50);
        }
        ScheduleKind::Onecycle => {
            c.max_lr.get_or_insert(lr);
            c.total_steps.get_or_insert(100);
        }
        ScheduleKind::Multistep if c.milestones.is_empty() => c.milestones = vec![50, 100],
        ScheduleKind::Multiplicative => {
            c.multiplicative_factor.get_or_insert(0.95);
        }
        ScheduleKind::Cyclic => {
            c.base_lr.get_or_insert(lr);
            c.max_lr.get_or_insert(4.0 * lr);
            if c.step_size_up == ScheduleConfig::default().step_size_up {
                // torch's 2000 steps per half cycle is longer than a run here: start at 20.
                c.step_size_up = 20;
            }
        }
        ScheduleKind::WarmRestarts => {
            c.t_0.get_or_insert(20);
        }
        ScheduleKind::Constant
        | ScheduleKind::Linear
        | ScheduleKind::Plateau
        | ScheduleKind::Multistep
        | ScheduleKind::Constantlr
        | ScheduleKind::Polynomial => {}
    }
    if matches!(c.kind, ScheduleKind::Onecycle | ScheduleKind::Cyclic | ScheduleKind::Plateau) {
        c.warmup_iters = None;
    }
}

/// A whole number of steps, edited in place.
fn count(ui: &mut Ui, (label, ex): (&str, &Explainer), value: &mut u64, range: std::ops::RangeInclusive<u64>) {
    ui.horizontal(|ui| {
        ui.add(DragValue::new(value).range(range).speed(0.2)).explain(ex, Topic::ScheduleParams);
        ui.label(label).explain(ex, Topic::ScheduleParams);
    });
}

/// The parameters of `c`'s schedule.
fn schedule_params_ui(ui: &mut Ui, c: &mut ScheduleConfig, ex: &Explainer) {
    let p = |label| (label, Topic::ScheduleParams, ex);
    match c.kind {
        ScheduleKind::Constant => {}
        ScheduleKind::Step => {
            count(ui, ("step_size", ex), c.step_size.get_or_insert(10), 1..=100_000);
            number_row(ui, p("gamma"), c.gamma.get_or_insert(0.1), 0.0..=1.0);
        }
        ScheduleKind::Multistep => {
            milestones_ui(ui, &mut c.milestones, ex);
            number_row(ui, p("gamma"), c.gamma.get_or_insert(0.1), 0.0..=1.0);
        }
        ScheduleKind::Exponential => number_row(ui, p("gamma"), c.gamma.get_or_insert(0.95), 0.0..=1.0),
        ScheduleKind::Multiplicative => {
            number_row(ui, p("factor"), c.multiplicative_factor.get_or_insert(0.95), 0.0..=2.0);
        }
        ScheduleKind::Cosine => {
            count(ui, ("T_max", ex), c.t_max.get_or_insert(50), 1..=100_000);
            number_row(ui, p("eta_min"), &mut c.eta_min, 0.0..=1.0);
        }
        ScheduleKind::WarmRestarts => {
            count(ui, ("T_0", ex), c.t_0.get_or_insert(20), 1..=100_000);
            count(ui, ("T_mult", ex), &mut c.t_mult, 1..=10);
            number_row(ui, p("eta_min"), &mut c.eta_min, 0.0..=1.0);
        }
        ScheduleKind::Linear => {
            number_row(ui, p("start_factor"), &mut c.start_factor, 0.001..=1.0);
            number_row(ui, p("end_factor"), &mut c.end_factor, 0.0..=1.0);
            count(ui, ("total_iters", ex), &mut c.total_iters, 0..=100_000);
        }
        ScheduleKind::Constantlr => {
            number_row(ui, p("factor"), &mut c.constant_factor, 0.001..=1.0);
            count(ui, ("total_iters", ex), &mut c.total_iters, 0..=100_000);
        }
        ScheduleKind::Polynomial => {
            count(ui, ("total_iters", ex), &mut c.total_iters, 0..=100_000);
            number_row(ui, p("power"), &mut c.power, 0.0..=10.0);
        }
        ScheduleKind::Onecycle => onecycle_params_ui(ui, c, ex),
        ScheduleKind::Cyclic => cyclic_params_ui(ui, c, ex),
        ScheduleKind::Plateau => {
            number_row(ui, p("factor"), &mut c.factor, 0.0..=0.999);
            count(ui, ("patience", ex), &mut c.patience, 0..=10_000);
            number_row(ui, p("threshold"), &mut c.threshold, 0.0..=1.0);
            ui.horizontal(|ui| {
                for (mode, label) in [(ThresholdMode::Rel, "rel"), (ThresholdMode::Abs, "abs")] {
                    ui.radio_value(&mut c.threshold_mode, mode, label).explain(ex, Topic::ScheduleParams);
                }
                ui.label("threshold_mode").explain(ex, Topic::ScheduleParams);
            });
            count(ui, ("cooldown", ex), &mut c.cooldown, 0..=10_000);
            number_row(ui, p("min_lr"), &mut c.min_lr, 0.0..=1.0);
        }
    }
}

/// MultiStepLR's milestones, each above the one before (so they stay increasing), with buttons to add and remove.
fn milestones_ui(ui: &mut Ui, milestones: &mut Vec<u64>, ex: &Explainer) {
    let mut floor = 1;
    for m in milestones.iter_mut() {
        count(ui, ("milestone", ex), m, floor..=10_000_000);
        floor = m.saturating_add(1);
    }
    ui.horizontal(|ui| {
        if ui.small_button("+ milestone").explain(ex, Topic::ScheduleParams).clicked() {
            let last = milestones.last().copied().unwrap_or(0);
            milestones.push(last.saturating_add(50));
        }
        if milestones.len() > 1 && ui.small_button("− milestone").explain(ex, Topic::ScheduleParams).clicked() {
            milestones.pop();
        }
    });
}

fn cyclic_params_ui(ui: &mut Ui, c: &mut ScheduleConfig, ex: &Explainer) {
    let p = |label| (label, Topic::ScheduleParams, ex);
    number_row(ui, p("base_lr"), c.base_lr.get_or_insert(0.01), 0.0..=10.0);
    number_row(ui, p("max_lr"), c.max_lr.get_or_insert(0.1), 0.0..=10.0);
    count(ui, ("step_size_up", ex), &mut c.step_size_up, 1..=100_000);
    let mut own_down = c.step_size_down.is_some();
    ui.checkbox(&mut own_down, "step_size_down ≠ step_size_up").explain(ex, Topic::ScheduleParams);
    c.step_size_down = own_down.then(|| c.step_size_down.unwrap_or(c.step_size_up));
    if let Some(down) = c.step_size_down.as_mut() {
        count(ui, ("step_size_down", ex), down, 0..=100_000);
    }
    ui.horizontal(|ui| {
        for mode in [CyclicMode::Triangular, CyclicMode::Triangular2, CyclicMode::ExpRange] {
            ui.radio_value(&mut c.mode, mode, mode.label()).explain(ex, Topic::ScheduleParams);
        }
        ui.label("mode").explain(ex, Topic::ScheduleParams);
    });
    if c.mode == CyclicMode::ExpRange {
        number_row(ui, p("gamma"), c.gamma.get_or_insert(1.0), 0.0..=1.0);
    }
    ui.checkbox(&mut c.cycle_momentum, "cycle_momentum").explain(ex, Topic::ScheduleParams);
    if c.cycle_momentum {
        number_row(ui, p("base_momentum"), &mut c.cyclic_base_momentum, 0.0..=0.999);
        number_row(ui, p("max_momentum"), &mut c.cyclic_max_momentum, 0.0..=0.999);
    }
}

/// The warm-up: LinearLR(start_factor, 1, N) before the schedule (offered where torch's SequentialLR can run it).
fn warmup_ui(ui: &mut Ui, c: &mut ScheduleConfig, ex: &Explainer) {
    if matches!(c.kind, ScheduleKind::Onecycle | ScheduleKind::Cyclic | ScheduleKind::Plateau) {
        return;
    }
    let mut on = c.warmup_iters.is_some();
    ui.checkbox(&mut on, "warm-up (LinearLR first)").explain(ex, Topic::ScheduleParams);
    c.warmup_iters = on.then(|| c.warmup_iters.unwrap_or(5));
    if let Some(n) = c.warmup_iters.as_mut() {
        count(ui, ("warmup_iters", ex), n, 1..=100_000);
        number_row(ui, ("warmup_start_factor", Topic::ScheduleParams, ex), &mut c.warmup_start_factor, 0.001..=1.0);
        if matches!(c.kind, ScheduleKind::Linear | ScheduleKind::Polynomial) && c.total_iters == 0 {
            // torch's closed form at the switch divides by total_iters.
            c.total_iters = 1;
        }
    }
}

fn onecycle_params_ui(ui: &mut Ui, c: &mut ScheduleConfig, ex: &Explainer) {
    let p = |label| (label, Topic::ScheduleParams, ex);
    number_row(ui, p("max_lr"), c.max_lr.get_or_insert(0.1), 0.0..=10.0);
    count(ui, ("total_steps", ex), c.total_steps.get_or_insert(100), 1..=1_000_000);
    number_row(ui, p("pct_start"), &mut c.pct_start, 0.0..=1.0);
    ui.horizontal(|ui| {
        for (a, label) in [(AnnealStrategy::Cos, "cos"), (AnnealStrategy::Linear, "linear")] {
            ui.radio_value(&mut c.anneal_strategy, a, label).explain(ex, Topic::ScheduleParams);
        }
        ui.label("anneal_strategy").explain(ex, Topic::ScheduleParams);
    });
    number_row(ui, p("div_factor"), &mut c.div_factor, 1.0..=1e4);
    number_row(ui, p("final_div_factor"), &mut c.final_div_factor, 1.0..=1e6);
    ui.checkbox(&mut c.three_phase, "three_phase").explain(ex, Topic::ScheduleParams);
    ui.checkbox(&mut c.cycle_momentum, "cycle_momentum").explain(ex, Topic::ScheduleParams);
    if c.cycle_momentum {
        number_row(ui, p("base_momentum"), &mut c.base_momentum, 0.0..=0.999);
        number_row(ui, p("max_momentum"), &mut c.max_momentum, 0.0..=0.999);
    }
}

fn optimizer_tip(kind: OptimizerKind) -> &'static str {
    match kind {
        OptimizerKind::Gd => {
            "Plain gradient descent as the notebook writes it: w ← w − lr·g, the product and the difference each \
             rounded in the run's precision. Only a learning rate."
        }
        OptimizerKind::Sgd => {
            "torch.optim.SGD: w ← w − lr·g, optionally with momentum, Nesterov and weight decay. In float32 torch \
             fuses the update into one rounding."
        }
        OptimizerKind::Adagrad => {
            "Divides each step by the root of the sum of all squared gradients so far: steps shrink over time."
        }
        OptimizerKind::Rmsprop => "Divides each step by the root of a running mean of squared gradients.",
        OptimizerKind::Adam => "Momentum plus RMSprop-style scaling, with bias correction.",
        OptimizerKind::Adamw => "Adam with weight decay applied directly to the weights.",
        OptimizerKind::Newton => {
            "Newton's method: w ← w − lr·H⁻¹g, a jump to the minimum of the local quadratic model."
        }
    }
}

fn start_ui(ui: &mut Ui, s: &Settings, ex: &Explainer, actions: &mut Vec<Action>) {
    section(ui, "Start point");
    let (mut w0, mut b0) = (s.w0, s.b0);
    let span = Bounds::closed(-1e6..=1e6);
    let fields = ui
        .horizontal(|ui| {
            let fw = NumberField::new("w₀", &mut w0, span).width(130.0).name("w₀").show(ui);
            fw.response.clone().explain(ex, Topic::Start);
            ui.label("w₀").explain(ex, Topic::Start);
            let fb = s.bias.then(|| {
                let fb = NumberField::new("b₀", &mut b0, span).width(130.0).name("b₀").show(ui);
                fb.response.clone().explain(ex, Topic::Start);
                ui.label("b₀").explain(ex, Topic::Start);
                fb
            });
            [Some(fw), fb]
        })
        .inner;
    for field in fields.iter().flatten() {
        field.refusal_ui(ui);
    }
    if fields.iter().flatten().any(|f| f.changed) {
        actions.push(Action::SetStart { w: w0, b: b0 });
    }
    ui.label(RichText::new("or click / drag on the landscape").small().weak()).explain(ex, Topic::Start);
}

fn problem_ui(
    ui: &mut Ui,
    s: &mut Settings,
    (prefs, n_samples, ex, data_lock): (&Prefs, usize, &Explainer, Lock),
    state: &mut ControlsState,
    actions: &mut Vec<Action>,
) {
    section(ui, "Problem");
    objective_ui(ui, s, state, ex);
    if s.objective.is_some() {
        objective_options_ui(ui, s, ex);
        return;
    }
    lockable_ui(ui, data_lock, |ui| data_choice_ui(ui, prefs, state, ex, actions));
    model_ui(ui, s, ex);
    batches_ui(ui, s, n_samples, ex);
}

/// What the run minimises: the loss over the data, a built-in objective, or an expression typed in (applied on
/// Enter; a bad one shows its one-line error here). The hook for more objective views (presets, a 3-D view).
fn objective_ui(ui: &mut Ui, s: &mut Settings, state: &mut ControlsState, ex: &Explainer) {
    let current =
        s.objective.as_ref().map_or("data (fit a line)", |o| o.as_builtin().map_or("expression", |b| b.name()));
    ui.horizontal(|ui| {
        ComboBox::from_id_salt("objective")
            .selected_text(current)
            .width(150.0)
            .show_ui(ui, |ui| {
                if ui.selectable_label(s.objective.is_none(), "data (fit a line)").clicked() {
                    s.set_objective(None, false);
                    (state.objective_text, state.objective_error) = (None, None);
                }
                for b in Builtin::ALL {
                    if ui.selectable_label(current == b.name(), b.name()).on_hover_text(b.formula()).clicked() {
                        s.set_objective(Some(Objective::builtin(b)), true);
                        (state.objective_text, state.objective_error) = (None, None);
                    }
                }
                if ui.selectable_label(current == "expression", "expression").clicked() {
                    state.objective_text.get_or_insert_with(|| "w^2 + 10*b^2".into());
                }
            })
            .response
            .explain(ex, Topic::Objective);
        ui.label("minimise").explain(ex, Topic::Objective);
    });
    let typed = state.objective_text.is_some() || s.objective.as_ref().is_some_and(|o| o.as_builtin().is_none());
    if typed {
        let text = state
            .objective_text
            .get_or_insert_with(|| s.objective.as_ref().map_or_else(String::new, |o| o.text().into()));
        let r = ui
            .add(TextEdit::singleline(text).hint_text("f(w, b), e.g. w^2 - b^2").desired_width(f32::INFINITY))
            .explain(ex, Topic::Objective);
        if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            match Objective::parse(text) {
                Ok(o) => {
                    state.objective_error = None;
                    s.set_objective(Some(o), true);
                }
                Err(e) => state.objective_error = Some(e.to_string()),
            }
        }
    }
    if let Some(o) = &s.objective {
        ui.label(RichText::new(o.describe()).small().weak()).explain(ex, Topic::Objective);
    }
    if let Some(e) = &state.objective_error {
        ui.label(RichText::new(e).small().color(Color32::from_rgb(230, 80, 80)));
    }
}

/// An objective's own options: the gradient source (autodiff or numeric), the precision, and the gradient noise.
fn objective_options_ui(ui: &mut Ui, s: &mut Settings, ex: &Explainer) {
    ui.horizontal(|ui| {
        for g in [GradientSource::Autodiff, GradientSource::Numeric] {
            ui.radio_value(&mut s.gradient, g, g.label()).explain_with(ex, Topic::Gradient, gradient_tip(g));
        }
        ui.label("gradient").explain(ex, Topic::Gradient);
    });
    ui.horizontal(|ui| {
        ui.radio_value(&mut s.precision, Precision::F64, "f64").explain(ex, Topic::Precision);
        ui.radio_value(&mut s.precision, Precision::F32, "f32").explain(ex, Topic::Precision);
        ui.label("precision").explain(ex, Topic::Precision);
    });
    number_row(ui, ("noise σ", Topic::Objective, ex), &mut s.noise, 0.0..=1e3);
    if s.noise > 0.0 {
        ui.horizontal(|ui| {
            ui.add(DragValue::new(&mut s.seed).speed(0.2)).explain(ex, Topic::Objective);
            ui.label("seed").explain(ex, Topic::Objective);
        });
    }
}

/// The data: a preset or a CSV file, its description, and why the last one could not be loaded.
fn data_choice_ui(ui: &mut Ui, prefs: &Prefs, state: &ControlsState, ex: &Explainer, actions: &mut Vec<Action>) {
    let current = prefs.data.clone();
    ui.horizontal(|ui| {
        ComboBox::from_id_salt("data")
            .selected_text(short_path(&current))
            .width(150.0)
            .show_ui(ui, |ui| {
                for preset in PRESETS {
                    if ui
                        .selectable_label(current.eq_ignore_ascii_case(preset), preset)
                        .on_hover_text(preset_description(preset))
                        .clicked()
                    {
                        actions.push(Action::SetData(preset.to_string()));
                    }
                }
            })
            .response
            .explain(ex, Topic::Data);
        if ui.button("Open CSV…").explain(ex, Topic::Data).clicked() {
            actions.push(Action::OpenDataDialog);
        }
    });
    let description = preset_description(&current);
    if !description.is_empty() {
        ui.label(RichText::new(description).small().weak()).explain(ex, Topic::Data);
    }
    if let Some(e) = &state.data_error {
        ui.label(RichText::new(e).small().color(Color32::from_rgb(230, 80, 80)));
    }
}

/// The model (bias), the loss, the gradient source and the precision: a change restarts the run.
fn model_ui(ui: &mut Ui, s: &mut Settings, ex: &Explainer) {
    ui.checkbox(&mut s.bias, "fit a bias b (ŷ = w·x + b)").explain(ex, Topic::Bias);
    ui.checkbox(&mut s.standardize, "standardize x").explain(ex, Topic::Standardize);
    ui.horizontal(|ui| {
        ComboBox::from_id_salt("loss")
            .selected_text(s.loss.label())
            .show_ui(ui, |ui| {
                for (kind, tip) in [
                    (LossKind::Mse, "Mean squared error (the notebook's): a parabola in w."),
                    (LossKind::Mae, "Mean absolute error: a V shape, robust to outliers."),
                    (LossKind::Huber, "Huber: squared near the fit, absolute beyond δ."),
                ] {
                    ui.selectable_value(&mut s.loss, kind, kind.label()).on_hover_text(tip);
                }
            })
            .response
            .explain(ex, Topic::Loss);
        ui.label("loss").explain(ex, Topic::Loss);
    });
    if s.loss == LossKind::Huber {
        number_row(ui, ("δ", Topic::HuberDelta, ex), &mut s.huber_delta, 1e-6..=1e6);
    }
    ui.horizontal(|ui| {
        ComboBox::from_id_salt("gradient")
            .selected_text(s.gradient.label())
            .show_ui(ui, |ui| {
                for g in GradientSource::ALL {
                    ui.selectable_value(&mut s.gradient, g, g.label()).on_hover_text(gradient_tip(g));
                }
            })
            .response
            .explain(ex, Topic::Gradient);
        ui.label("gradient").explain(ex, Topic::Gradient);
    });
    ui.horizontal(|ui| {
        ui.radio_value(&mut s.precision, Precision::F64, "f64").explain(ex, Topic::Precision);
        ui.radio_value(&mut s.precision, Precision::F32, "f32").explain(ex, Topic::Precision);
        ui.label("precision").explain(ex, Topic::Precision);
    });
}

/// Mini-batches: their size (at most the number of samples) and the shuffle's seed.
fn batches_ui(ui: &mut Ui, s: &mut Settings, n_samples: usize, ex: &Explainer) {
    ui.horizontal(|ui| {
        let mut mini = s.batch_size.is_some();
        if ui.checkbox(&mut mini, "mini-batches").explain(ex, Topic::Batches).changed() {
            s.batch_size = if mini { Some(1) } else { None };
        }
        if let Some(b) = &mut s.batch_size {
            let max = n_samples.max(1);
            ui.add(DragValue::new(b).range(1..=max).clamp_existing_to_range(false).speed(0.2))
                .explain(ex, Topic::Batches);
            ui.label("size").explain(ex, Topic::Batches);
            ui.add(DragValue::new(&mut s.seed).speed(0.2)).explain(ex, Topic::Batches);
            ui.label("seed").explain(ex, Topic::Batches);
        }
    });
}

fn short_path(spec: &str) -> String {
    let name =
        std::path::Path::new(spec).file_name().map_or_else(|| spec.to_string(), |n| n.to_string_lossy().into_owned());
    if name.chars().count() > 22 { format!("{}…", name.chars().take(21).collect::<String>()) } else { name }
}

fn gradient_tip(g: GradientSource) -> &'static str {
    match g {
        GradientSource::Analytic => "The exact derivative of the mean loss, derived by hand.",
        GradientSource::NotebookSum => {
            "The notebook's formula: per-sample gradients summed instead of averaged, N times too large. It acts like an N times larger learning rate."
        }
        GradientSource::Autodiff => {
            "Reverse-mode automatic differentiation of the loss expression (like torch's autograd)."
        }
        GradientSource::Numeric => "Central finite differences: (L(w+h) − L(w−h)) / 2h.",
    }
}

fn stopping_ui(ui: &mut Ui, persisted: &Prefs, ex: &Explainer, actions: &mut Vec<Action>) {
    section(ui, "Stopping");
    let mut tol = persisted.tolerance;
    let field = ui
        .horizontal(|ui| {
            let field =
                NumberField::new("tolerance", &mut tol, Bounds::closed(0.0..=f64::MAX)).name("tolerance").show(ui);
            field.response.clone().explain(ex, Topic::Tolerance);
            ui.label("tolerance on |∇L|").explain(ex, Topic::Tolerance);
            field
        })
        .inner;
    field.refusal_ui(ui);
    if field.changed {
        actions.push(Action::SetTolerance(tol));
    }
}

fn analysis_ui(ui: &mut Ui, run: &RunSnapshot, palette: Palette, ex: &Explainer) {
    let a = &run.analysis;
    let bias = run.spec.settings.bias;
    let header = egui::CollapsingHeader::new(RichText::new("Analysis").strong().size(15.0)).default_open(true);
    let shown = header.show(ui, |ui| {
        egui::Grid::new("analysis-grid").num_columns(2).spacing([12.0, 3.0]).show(ui, |ui| {
            let row = |ui: &mut Ui, name: &str, value: String, topic: Topic| {
                ui.label(name).explain(ex, topic);
                ui.label(RichText::new(value).monospace()).explain(ex, topic);
                ui.end_row();
            };
            row(ui, "optimum w*", format::sig(a.optimum.w, 6), Topic::Optimum);
            if bias {
                row(ui, "optimum b*", format::sig(format::clean(a.optimum.b, a.optimum.w), 6), Topic::Optimum);
            }
            row(ui, "minimum loss", format::sci(a.min_loss, 3), Topic::MinLoss);
            row(ui, "curvature λmax", format::sig(a.curvature_max, 4), Topic::Curvature);
            if let Some(c) = a.critical_lr {
                row(ui, "diverges at lr ≥", format::sig(c, 4), Topic::CriticalLr);
            }
            if let Some(m) = a.monotone_lr {
                row(ui, "smooth below lr", format::sig(m, 4), Topic::MonotoneLr);
            }
            if let Some(o) = a.optimal_lr {
                row(ui, "fastest lr", format::sig(o, 4), Topic::FastestLr);
            }
            if bias && let Some(k) = a.condition_number {
                row(ui, "condition number", format::sig(k, 4), Topic::Condition);
            }
        });
        ui.label(RichText::new(&a.note).small().color(palette.weak_text)).explain(ex, Topic::Curvature);
    });
    ex.mark(Topic::Analysis, shown.header_response.interact_rect);
}
