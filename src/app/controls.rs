//! The settings panel: learning rate (log slider and typed value), optimizer and its hyperparameters, start point,
//! problem (data, bias, loss, gradient source, precision, batches), stopping tolerance, and the closed-form analysis.
//!
//! Every control has a tooltip in plain words. Edits become [`Action`]s; the run picks new hyperparameters up at its
//! next step without a reset, while a new start point or new data resets it.

use egui::{Color32, ComboBox, DragValue, RichText, Slider, TextEdit, Ui};

use super::state::{Action, LR_RANGE, Prefs};
use super::theme::Palette;
use super::view::ViewCtx;
use crate::engine::analysis::Regime;
use crate::engine::data::{PRESETS, preset_description};
use crate::engine::loss::LossKind;
use crate::engine::optim::{OptimizerConfig, OptimizerKind};
use crate::engine::settings::{GradientSource, Precision, Settings};
use crate::format;
use crate::worker::RunSnapshot;

/// Text-field state of the panel (not persisted).
#[derive(Default)]
pub struct ControlsState {
    lr_text: String,
    lr_error: Option<String>,
    tol_text: String,
    tol_error: Option<String>,
    /// Why the last data could not be loaded.
    pub data_error: Option<String>,
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
    let (run, palette, n_samples) = (ctx.selected_run(), ctx.palette, ctx.live.data.len());
    let mut s = old.clone();
    ui.add_space(2.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Settings").heading());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .small_button("Reset to defaults")
                .on_hover_text("Restore every setting (learning rate, optimizer, data, start point, speed, display) to its default, and reset the run.")
                .clicked()
            {
                actions.push(Action::ResetToDefaults);
            }
        });
    });
    ui.separator();
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        learning_rate_ui(ui, &mut s, run, state, palette);
        ui.separator();
        optimizer_ui(ui, &mut s);
        ui.separator();
        start_ui(ui, old, actions);
        ui.separator();
        problem_ui(ui, &mut s, prefs, n_samples, state, actions);
        ui.separator();
        stopping_ui(ui, prefs, state, palette, actions);
        ui.separator();
        if let Some(run) = run {
            analysis_ui(ui, run, palette);
            ui.separator();
        }
        ui.add_space(8.0);
    });
    // Keep the optimizer's constraints: Nesterov needs momentum > 0 and no dampening.
    if s.optimizer.nesterov && (s.optimizer.momentum <= 0.0 || s.optimizer.dampening != 0.0) {
        s.optimizer.nesterov = false;
    }
    if s != *old && s.validate().is_ok() {
        actions.push(Action::SetSettings(s));
    }
}

fn section(ui: &mut Ui, title: &str) {
    ui.label(RichText::new(title).strong().size(15.0));
}

fn learning_rate_ui(
    ui: &mut Ui,
    s: &mut Settings,
    run: Option<&RunSnapshot>,
    state: &mut ControlsState,
    palette: Palette,
) {
    section(ui, "Learning rate");
    let bands = run.map(|r| super::stability::stability_bands(&r.analysis, s));
    let lr = &mut s.optimizer.lr;
    let slider_width = (ui.available_width() - 100.0).max(120.0);
    let slider = ui.scope(|ui| {
        ui.spacing_mut().slider_width = slider_width;
        ui.add(
            Slider::new(lr, LR_RANGE)
                .logarithmic(true)
                .show_value(false)
                .text("learning rate"),
        )
        .on_hover_text("How far each step moves against the gradient: w ← w − lr·dL/dw. Drag to change it while the run goes on; it takes effect at the next step. Keys: + and − multiply or divide it by 1.25.")
    }).inner;
    if let Some(bands) = &bands {
        ui.scope(|ui| {
            ui.spacing_mut().slider_width = slider_width;
            super::stability::map_ui(ui, &slider, (*LR_RANGE.start(), *LR_RANGE.end()), bands, *lr, palette);
        });
    }
    ui.horizontal(|ui| {
        ui.label("value");
        let id = egui::Id::unique("lr-text");
        let focused = ui.memory(|m| m.has_focus(id));
        if !focused {
            state.lr_text = format::short(*lr);
        }
        let response = ui
            .add(TextEdit::singleline(&mut state.lr_text).id(id).desired_width(90.0).font(egui::TextStyle::Monospace))
            .on_hover_text("Type a learning rate (e.g. 0.01, 2e-3) and press Enter.");
        // Commit on Enter or when focus leaves, or at once when set without focus (assistive technologies).
        if response.lost_focus() || (response.changed() && !response.has_focus()) {
            match parse_positive(&state.lr_text) {
                Some(v) if v <= 100.0 => {
                    *lr = v;
                    state.lr_error = None;
                }
                Some(_) => state.lr_error = Some("the learning rate must be at most 100".into()),
                None => {
                    state.lr_error = Some(format!(
                        "“{}” is not a positive number; kept {}",
                        state.lr_text.trim(),
                        format::short(*lr)
                    ))
                }
            }
        }
    });
    if let Some(e) = &state.lr_error {
        ui.label(RichText::new(e).color(palette.diverged).small());
    }
    if let Some(run) = run {
        stability_hint_ui(ui, s, run, palette);
    }
}

/// One line on what plain gradient descent does at this learning rate, from the analysis.
fn stability_hint_ui(ui: &mut Ui, s: &Settings, run: &RunSnapshot, palette: Palette) {
    let a = &run.analysis;
    let o = &s.optimizer;
    if s.loss == LossKind::Mae {
        ui.label(
            RichText::new(
                "MAE has no curvature: plain GD never diverges, it ends bouncing around w* with steps of lr·|g|.",
            )
            .small()
            .color(palette.weak_text),
        );
        return;
    }
    if o.kind != OptimizerKind::Sgd {
        ui.label(
            RichText::new(format!(
                "{} scales each step by its own running statistics: the 2/λmax limit of plain SGD does not apply.",
                o.kind.label()
            ))
            .small()
            .color(palette.weak_text),
        );
        return;
    }
    let Some(critical) = a.critical_lr_with_momentum(o.momentum) else {
        return;
    };
    let local = if a.local { " (local)" } else { "" };
    let (text, color) = if o.momentum > 0.0 {
        if o.lr < critical {
            (format!("stable: lr < 2(1+μ)/λmax = {}{local}", format::short(critical)), palette.weak_text)
        } else {
            (format!("diverges: lr ≥ 2(1+μ)/λmax = {}{local}", format::short(critical)), palette.diverged)
        }
    } else {
        match a.regime(o.lr) {
            Regime::Monotone => (
                format!(
                    "smooth: lr < 1/λmax = {} (diverges at {}){local}",
                    format::short(a.monotone_lr.unwrap_or(f64::NAN)),
                    format::short(critical)
                ),
                palette.weak_text,
            ),
            Regime::Oscillating => {
                (format!("overshoots: 1/λmax ≤ lr < 2/λmax = {}{local}", format::short(critical)), palette.warning)
            }
            Regime::Divergent => {
                (format!("diverges: lr ≥ 2/λmax = {}{local}", format::short(critical)), palette.diverged)
            }
        }
    };
    ui.label(RichText::new(text).small().color(color)).on_hover_text(
        "λmax is the curvature of the loss (its second derivative). Plain gradient descent falls smoothly below 1/λmax, \
         overshoots and oscillates between 1/λmax and 2/λmax, and diverges at or above 2/λmax.",
    );
}

fn parse_positive(text: &str) -> Option<f64> {
    let v: f64 = text.trim().replace('−', "-").parse().ok()?;
    (v.is_finite() && v > 0.0).then_some(v)
}

/// A labelled number field. Dragging stays within `range`; a value from the command line or a session outside it
/// is shown and kept as it is (never rewritten by the widget).
fn drag(ui: &mut Ui, label: &str, value: &mut f64, range: std::ops::RangeInclusive<f64>, speed: f64, tip: &str) {
    ui.horizontal(|ui| {
        let field = DragValue::new(value).range(range).clamp_existing_to_range(false).speed(speed).max_decimals(6);
        ui.add(field).on_hover_text(tip);
        ui.label(label).on_hover_text(tip);
    });
}

fn optimizer_ui(ui: &mut Ui, s: &mut Settings) {
    section(ui, "Optimizer");
    let o = &mut s.optimizer;
    ComboBox::from_id_salt("optimizer")
        .selected_text(o.kind.label())
        .show_ui(ui, |ui| {
            for kind in OptimizerKind::ALL {
                ui.selectable_value(&mut o.kind, kind, kind.label()).on_hover_text(optimizer_tip(kind));
            }
        })
        .response
        .on_hover_text("The update rule (torch.optim's exact formulas). Changing it keeps the current point and starts the new optimizer's state fresh.");
    optimizer_params_ui(ui, o);
    decay_and_eps_ui(ui, o);
}

/// The hyperparameters of the chosen optimizer (torch's names).
fn optimizer_params_ui(ui: &mut Ui, o: &mut OptimizerConfig) {
    match o.kind {
        OptimizerKind::Sgd => {
            drag(
                ui,
                "momentum μ",
                &mut o.momentum,
                0.0..=0.999,
                0.005,
                "Momentum: each step adds μ times the previous step. 0 is plain gradient descent.",
            );
            drag(
                ui,
                "dampening τ",
                &mut o.dampening,
                0.0..=1.0,
                0.01,
                "Dampening: scales the new gradient's share of the momentum by (1 − τ).",
            );
            let can_nesterov = o.momentum > 0.0 && o.dampening == 0.0;
            ui.add_enabled(can_nesterov, egui::Checkbox::new(&mut o.nesterov, "Nesterov"))
                .on_hover_text("Nesterov momentum: look ahead along the momentum before taking the gradient.")
                .on_disabled_hover_text("Nesterov needs momentum > 0 and dampening 0.");
        }
        OptimizerKind::Adagrad => {
            drag(
                ui,
                "lr decay",
                &mut o.lr_decay,
                0.0..=1.0,
                0.001,
                "The learning rate is divided by (1 + (t − 1)·decay) at step t.",
            );
            drag(
                ui,
                "initial accumulator",
                &mut o.initial_accumulator_value,
                0.0..=10.0,
                0.01,
                "Starting value of the running sum of squared gradients.",
            );
        }
        OptimizerKind::Rmsprop => {
            drag(
                ui,
                "smoothing α",
                &mut o.alpha,
                0.0..=0.9999,
                0.001,
                "How slowly the running mean of squared gradients forgets (closer to 1: longer memory).",
            );
            drag(ui, "momentum μ", &mut o.momentum, 0.0..=0.999, 0.005, "Momentum on the scaled steps.");
            ui.checkbox(&mut o.centered, "centered")
                .on_hover_text("Divide by the running variance of the gradient instead of its running mean square.");
        }
        OptimizerKind::Adam | OptimizerKind::Adamw => {
            drag(ui, "β₁", &mut o.beta1, 0.0..=0.9999, 0.001, "Memory of the running mean of gradients (momentum).");
            drag(
                ui,
                "β₂",
                &mut o.beta2,
                0.0..=0.99999,
                0.0001,
                "Memory of the running mean of squared gradients (per-parameter step size).",
            );
            ui.checkbox(&mut o.amsgrad, "AMSGrad")
                .on_hover_text("Use the largest squared-gradient average seen so far, so steps never grow back.");
        }
    }
}

/// Weight decay (every optimizer) and ε (all but SGD).
fn decay_and_eps_ui(ui: &mut Ui, o: &mut OptimizerConfig) {
    let mut wd = o.weight_decay();
    let before = wd;
    drag(
        ui,
        "weight decay",
        &mut wd,
        0.0..=1.0,
        0.001,
        "Pulls the weights toward 0 each step (AdamW decouples it from the gradient). AdamW's default is 0.01, the others' 0.",
    );
    if wd != before {
        o.weight_decay = Some(wd);
    }
    if o.kind != OptimizerKind::Sgd {
        let mut eps = o.eps();
        let before = eps;
        ui.horizontal(|ui| {
            let tip = "Added to the denominator so a step never divides by zero.";
            ui.add(
                DragValue::new(&mut eps)
                    .range(1e-12..=1.0)
                    .clamp_existing_to_range(false)
                    .speed(1e-9)
                    .custom_formatter(|v, _| format::sci(v, 1))
                    .custom_parser(|t| t.trim().parse().ok()),
            )
            .on_hover_text(tip);
            ui.label("ε").on_hover_text(tip);
        });
        if eps != before {
            o.eps = Some(eps);
        }
    }
}

fn optimizer_tip(kind: OptimizerKind) -> &'static str {
    match kind {
        OptimizerKind::Sgd => "Stochastic gradient descent: w ← w − lr·g, optionally with momentum.",
        OptimizerKind::Adagrad => {
            "Divides each step by the root of the sum of all squared gradients so far: steps shrink over time."
        }
        OptimizerKind::Rmsprop => "Divides each step by the root of a running mean of squared gradients.",
        OptimizerKind::Adam => "Momentum plus RMSprop-style scaling, with bias correction.",
        OptimizerKind::Adamw => "Adam with weight decay applied directly to the weights.",
    }
}

fn start_ui(ui: &mut Ui, s: &Settings, actions: &mut Vec<Action>) {
    section(ui, "Start point");
    let (mut w0, mut b0) = (s.w0, s.b0);
    ui.horizontal(|ui| {
        let tip = "Initial weight w₀ (the notebook starts at 0). Changing it resets the run. You can also click or drag on the landscape.";
        let r = ui.add(DragValue::new(&mut w0).speed(0.02).range(-1e6..=1e6).clamp_existing_to_range(false).max_decimals(4)).on_hover_text(tip);
        ui.label("w₀").on_hover_text(tip);
        if s.bias {
            let tip = "Initial bias b₀. Changing it resets the run.";
            let rb = ui.add(DragValue::new(&mut b0).speed(0.02).range(-1e6..=1e6).clamp_existing_to_range(false).max_decimals(4)).on_hover_text(tip);
            ui.label("b₀").on_hover_text(tip);
            if rb.changed() {
                actions.push(Action::SetStart { w: w0, b: b0 });
            }
        }
        if r.changed() {
            actions.push(Action::SetStart { w: w0, b: b0 });
        }
    });
    ui.label(RichText::new("or click / drag on the landscape").small().weak());
}

fn problem_ui(
    ui: &mut Ui,
    s: &mut Settings,
    prefs: &Prefs,
    n_samples: usize,
    state: &mut ControlsState,
    actions: &mut Vec<Action>,
) {
    section(ui, "Problem");
    data_choice_ui(ui, prefs, state, actions);
    model_ui(ui, s);
    batches_ui(ui, s, n_samples);
}

/// The data: a preset or a CSV file, its description, and why the last one could not be loaded.
fn data_choice_ui(ui: &mut Ui, prefs: &Prefs, state: &ControlsState, actions: &mut Vec<Action>) {
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
            .on_hover_text("The data the line ŷ = w·x (+ b) is fitted to. Changing it resets the run.");
        if ui
            .button("Open CSV…")
            .on_hover_text("Load two columns x,y from a CSV file (an optional header row is skipped).")
            .clicked()
        {
            actions.push(Action::OpenDataDialog);
        }
    });
    let description = preset_description(&current);
    if !description.is_empty() {
        ui.label(RichText::new(description).small().weak());
    }
    if let Some(e) = &state.data_error {
        ui.label(RichText::new(e).small().color(Color32::from_rgb(230, 80, 80)));
    }
}

/// The model (bias), the loss, the gradient source and the precision: a change restarts the run.
fn model_ui(ui: &mut Ui, s: &mut Settings) {
    ui.checkbox(&mut s.bias, "fit a bias b (ŷ = w·x + b)").on_hover_text(
        "Add an intercept b to the model. The landscape becomes a surface over (w, b), drawn as a contour map. Changing it restarts the run.",
    );
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
            .on_hover_text("The loss the run minimizes. Changing it restarts the run: its history means nothing under another loss.");
        ui.label("loss");
        if s.loss == LossKind::Huber {
            ui.add(DragValue::new(&mut s.huber_delta).range(1e-6..=1e6).clamp_existing_to_range(false).speed(0.01).max_decimals(4))
                .on_hover_text("Huber's δ: residuals smaller than δ are squared, larger ones count linearly.");
            ui.label("δ");
        }
    });
    ui.horizontal(|ui| {
        ComboBox::from_id_salt("gradient")
            .selected_text(s.gradient.label())
            .show_ui(ui, |ui| {
                for g in GradientSource::ALL {
                    ui.selectable_value(&mut s.gradient, g, g.label()).on_hover_text(gradient_tip(g));
                }
            })
            .response
            .on_hover_text("Where the gradient that drives each step comes from. notebook-sum is the notebook's hand-written formula: a sum over samples, N times the true gradient of the mean loss. Changing it restarts the run.");
        ui.label("gradient");
    });
    ui.horizontal(|ui| {
        ui.radio_value(&mut s.precision, Precision::F64, "f64")
            .on_hover_text("64-bit floats, as the notebook's NumPy arrays.");
        ui.radio_value(&mut s.precision, Precision::F32, "f32")
            .on_hover_text("32-bit floats, as the notebook's torch tensors: rounding shows up near the minimum.");
        ui.label("precision");
    });
}

/// Mini-batches: their size (at most the number of samples) and the shuffle's seed.
fn batches_ui(ui: &mut Ui, s: &mut Settings, n_samples: usize) {
    ui.horizontal(|ui| {
        let mut mini = s.batch_size.is_some();
        if ui
            .checkbox(&mut mini, "mini-batches")
            .on_hover_text(
                "Each step uses a random subset of the samples (shuffled each epoch) instead of all of them.",
            )
            .changed()
        {
            s.batch_size = if mini { Some(1) } else { None };
        }
        if let Some(b) = &mut s.batch_size {
            let max = n_samples.max(1);
            ui.add(DragValue::new(b).range(1..=max).clamp_existing_to_range(false).speed(0.2))
                .on_hover_text("Samples per step.");
            ui.label("size");
            ui.add(DragValue::new(&mut s.seed).speed(0.2))
                .on_hover_text("Seed of the shuffle: the same seed gives the same batches.");
            ui.label("seed");
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

fn stopping_ui(ui: &mut Ui, persisted: &Prefs, state: &mut ControlsState, palette: Palette, actions: &mut Vec<Action>) {
    section(ui, "Stopping");
    ui.horizontal(|ui| {
        let id = egui::Id::unique("tolerance-text");
        if !ui.memory(|m| m.has_focus(id)) {
            state.tol_text = format::sci(persisted.tolerance, 1);
        }
        let r = ui
            .add(TextEdit::singleline(&mut state.tol_text).id(id).desired_width(90.0).font(egui::TextStyle::Monospace))
            .on_hover_text("The run stops as converged once the gradient's size |dL/dw| falls to this value or below. Type a number and press Enter (0: never).");
        ui.label("tolerance on |∇L|");
        if r.lost_focus() || (r.changed() && !r.has_focus()) {
            match state.tol_text.trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => {
                    state.tol_error = None;
                    if v != persisted.tolerance {
                        actions.push(Action::SetTolerance(v));
                    }
                }
                _ => state.tol_error = Some(format!("“{}” is not a number ≥ 0; kept {}", state.tol_text.trim(), format::sci(persisted.tolerance, 1))),
            }
        }
    });
    if let Some(e) = &state.tol_error {
        ui.label(RichText::new(e).color(palette.diverged).small());
    }
}

fn analysis_ui(ui: &mut Ui, run: &RunSnapshot, palette: Palette) {
    let a = &run.analysis;
    let bias = run.spec.settings.bias;
    egui::CollapsingHeader::new(RichText::new("Analysis").strong().size(15.0)).default_open(true).show(ui, |ui| {
        egui::Grid::new("analysis-grid").num_columns(2).spacing([12.0, 3.0]).show(ui, |ui| {
            let row = |ui: &mut Ui, name: &str, value: String, tip: &str| {
                ui.label(name).on_hover_text(tip);
                ui.label(RichText::new(value).monospace()).on_hover_text(tip);
                ui.end_row();
            };
            row(ui, "optimum w*", format::sig(a.optimum.w, 6), "The weight that minimizes the loss (closed form).");
            if bias {
                row(
                    ui,
                    "optimum b*",
                    format::sig(format::clean(a.optimum.b, a.optimum.w), 6),
                    "The bias that minimizes the loss.",
                );
            }
            row(
                ui,
                "minimum loss",
                format::sci(a.min_loss, 3),
                "The loss at the optimum: 0 when the line fits every point.",
            );
            row(
                ui,
                "curvature λmax",
                format::sig(a.curvature_max, 4),
                "The largest second derivative of the loss (as the update sees it).",
            );
            if let Some(c) = a.critical_lr {
                row(
                    ui,
                    "diverges at lr ≥",
                    format::sig(c, 4),
                    "2/λmax: plain gradient descent diverges at or above this learning rate.",
                );
            }
            if let Some(m) = a.monotone_lr {
                row(
                    ui,
                    "smooth below lr",
                    format::sig(m, 4),
                    "1/λmax: below it plain gradient descent never overshoots.",
                );
            }
            if let Some(o) = a.optimal_lr {
                row(
                    ui,
                    "fastest lr",
                    format::sig(o, 4),
                    "2/(λmax + λmin): the fastest worst-case convergence of plain gradient descent.",
                );
            }
            if bias && let Some(k) = a.condition_number {
                row(
                    ui,
                    "condition number",
                    format::sig(k, 4),
                    "λmax/λmin: how elongated the valley is. Large values mean slow zig-zag progress.",
                );
            }
        });
        ui.label(RichText::new(&a.note).small().color(palette.weak_text));
    });
}
