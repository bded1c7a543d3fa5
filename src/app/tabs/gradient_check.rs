//! The gradient-check tab: the gradient at the current point from the four sources (hand-derived, autodiff,
//! finite differences, the notebook's sum), their agreement, what the notebook's ratio does to the learning rate,
//! and the whole recorded autodiff graph of the loss (where the notebook printed only `grad_fn=<MulBackward0>`).
//!
//! Small data is checked on the UI thread when the point or the settings change; large data on a helper thread.

use std::sync::Arc;

use egui::{Grid, RichText, ScrollArea, Ui};

use crate::app::jobs::Job;
use crate::app::state::Action;
use crate::app::tabs::TabView;
use crate::app::view::ViewCtx;
use crate::engine::data::Dataset;
use crate::engine::gradient::{GradientCheck, Problem};
use crate::engine::model::{Grad, Params};
use crate::engine::real::Real;
use crate::engine::settings::{Precision, Settings};
use crate::explain::topics::Topic;
use crate::format;
use crate::worker::RunSnapshot;

/// Above this many samples the check runs on a helper thread.
pub const BACKGROUND_MIN_SAMPLES: usize = 50_000;
/// Vector values shown in full up to this length; longer ones show their first few and "…".
const SHOWN_VALUES: usize = 4;

/// One node of the autodiff graph, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRow {
    /// Its readable name (`w`, `ŷ = w·x`, `loss = mean(r²)`, …).
    pub label: &'static str,
    /// torch's `grad_fn` name, `None` for a leaf.
    pub grad_fn: Option<&'static str>,
    /// Indices of its inputs.
    pub inputs: Vec<usize>,
    /// A parameter, or computed from one.
    pub requires_grad: bool,
    /// Number of values.
    pub len: usize,
    /// The first values (at most `SHOWN_VALUES`).
    pub value: Vec<f64>,
    /// The first gradients ∂loss/∂value.
    pub grad: Vec<f64>,
}

/// Everything the tab shows for one point.
#[derive(Clone, Debug)]
pub struct GradCheckView {
    /// The four gradients.
    pub check: GradientCheck,
    /// The loss there.
    pub loss: f64,
    /// The recorded graph, inputs before outputs.
    pub nodes: Vec<NodeRow>,
}

/// Runs the gradient check and records the graph at `p` in the run's precision.
pub fn compute(data: &Dataset, settings: &Settings, p: Params<f64>) -> GradCheckView {
    match settings.precision {
        Precision::F32 => compute_in::<f32>(data, settings, p),
        Precision::F64 => compute_in::<f64>(data, settings, p),
    }
}

fn compute_in<F: Real>(data: &Dataset, settings: &Settings, p: Params<f64>) -> GradCheckView {
    let problem = Problem::<F>::new(data, settings);
    let p = Params::<F>::from_f64(p);
    let (check, graph) = problem.gradient_check_and_graph(p);
    let nodes = graph
        .tape
        .nodes
        .iter()
        .map(|n| NodeRow {
            label: n.label,
            grad_fn: n.grad_fn(),
            inputs: n.inputs(),
            requires_grad: n.requires_grad,
            len: n.value.len(),
            value: n.value.iter().take(SHOWN_VALUES).map(|v| v.to_f64()).collect(),
            grad: n.grad.iter().take(SHOWN_VALUES).map(|v| v.to_f64()).collect(),
        })
        .collect();
    GradCheckView { check, loss: graph.loss_value().to_f64(), nodes }
}

#[derive(Clone, Debug, PartialEq)]
struct Key {
    data_generation: u64,
    settings: Settings,
    at: [u64; 2],
}

/// The tab's cache: the last view and the key it was computed for, and a helper thread's pending result.
#[derive(Default)]
pub struct GradCheckState {
    view: Option<(Key, Arc<GradCheckView>)>,
    pending: Option<Job<Key, GradCheckView>>,
    /// Why the helper thread could not start.
    pub error: Option<String>,
}

impl GradCheckState {
    /// The view for the run's current point: computed now (small data), or the last one while a helper thread
    /// works on the new point (large data). `None` until a first result exists.
    pub fn view(
        &mut self,
        data: &Arc<Dataset>,
        data_generation: u64,
        settings: &Settings,
        at: Params<f64>,
        ctx: &egui::Context,
    ) -> Option<Arc<GradCheckView>> {
        let key = Key { data_generation, settings: settings.clone(), at: [at.w.to_bits(), at.b.to_bits()] };
        if let Some(job) = &mut self.pending {
            if let Some(v) = job.drain().pop() {
                self.view = Some((job.key.clone(), Arc::new(v)));
            }
            if job.is_finished() {
                self.pending = None;
            }
        }
        let fresh = self.view.as_ref().is_some_and(|(k, _)| *k == key);
        if !fresh {
            if data.len() < BACKGROUND_MIN_SAMPLES {
                self.view = Some((key, Arc::new(compute(data, settings, at))));
            } else if self.pending.is_none() {
                let (data, settings, ctx) = (Arc::clone(data), settings.clone(), ctx.clone());
                let job = Job::spawn(
                    "gradcheck",
                    key,
                    move || ctx.request_repaint(),
                    move |send, _| send(compute(&data, &settings, at)),
                );
                match job {
                    Ok(job) => self.pending = Some(job),
                    Err(e) => self.error = Some(e),
                }
            }
        }
        self.view.as_ref().map(|(_, v)| Arc::clone(v))
    }

    /// True while a helper thread computes a newer point.
    pub fn is_computing(&self) -> bool {
        self.pending.is_some()
    }
}

/// The sentence under the table: the notebook's ratio and what it does to the learning rate.
pub fn ratio_sentence(check: &GradientCheck, lr: f64) -> String {
    let s = check.explain_ratio(lr);
    let mut chars = s.chars();
    let sentence = match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => s,
    };
    match check.notebook_sum_ratio() {
        Some(_) => format!("{sentence} (it sums over the N = {} samples instead of averaging).", check.n_samples),
        None => format!("{sentence}."),
    }
}

/// The gradient check's sentence for the run it is about: [`crate::explain::gradcheck::gradient_sentence`].
pub fn gradient_sentence(check: &GradientCheck, run: &RunSnapshot) -> (String, bool) {
    let s = &run.spec.settings;
    crate::explain::gradcheck::gradient_sentence(check, &run.spec.name, s.gradient, s.optimizer.lr)
}

/// A vector for the graph table: `[3, 6, 9, 12]`, or its first values and “… (N values)”.
pub fn vector_text(values: &[f64], len: usize) -> String {
    let items: Vec<String> = values.iter().map(|&v| format::value_label(v)).collect();
    if len <= 1 {
        items.first().cloned().unwrap_or_default()
    } else if len <= values.len() {
        format!("[{}]", items.join(", "))
    } else {
        format!("[{}, … ({len} values)]", items[..items.len().min(3)].join(", "))
    }
}

/// The tab's content.
pub fn gradcheck_ui(ui: &mut Ui, state: &mut GradCheckState, env: &ViewCtx<'_>, run: &RunSnapshot) {
    let settings = &run.spec.settings;
    let at = run.record.params;
    if !at.is_finite() {
        ui.label(
            RichText::new("The run has diverged: there is no gradient to check. Reset (R) to start again.")
                .color(env.palette.diverged),
        );
        return;
    }
    let view = state.view(&env.live.data, env.live.data_generation, settings, at, ui.ctx());
    if let Some(e) = &state.error {
        ui.label(RichText::new(e).color(env.palette.diverged));
    }
    let Some(view) = view else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("checking the gradient over {} samples…", env.live.data.len()));
        });
        return;
    };
    let weak = env.palette.weak_text;
    let full = ui.available_size();
    let left_w = (full.x * 0.40).clamp(300.0, 540.0);
    ui.horizontal_top(|ui| {
        ui.allocate_ui_with_layout(egui::vec2(left_w, full.y), egui::Layout::top_down(egui::Align::Min), |ui| {
            left_ui(ui, &view, state.is_computing(), env, run);
        });
        ui.separator();
        ui.allocate_ui_with_layout(ui.available_size(), egui::Layout::top_down(egui::Align::Min), |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new("Autodiff graph of the loss").strong());
                let note =
                    RichText::new("each operation recorded on the tape, then loss.backward()").small().color(weak);
                ui.add(egui::Label::new(note).truncate());
            });
            ui.add_space(4.0);
            graph_table_ui(ui, &view, env);
        });
    });
}

fn left_ui(ui: &mut Ui, view: &GradCheckView, computing: bool, env: &ViewCtx<'_>, run: &RunSnapshot) {
    let settings = &run.spec.settings;
    let at = run.record.params;
    let weak = env.palette.weak_text;
    {
        ui.horizontal(|ui| {
            ui.label(RichText::new("Gradient at the current point").strong());
            let mut where_ = format!("step {} · w = {}", run.record.step, format::sig(at.w, 6));
            if settings.bias {
                where_ += &format!(" · b = {}", format::sig(at.b, 6));
            }
            ui.label(RichText::new(where_).small().color(weak));
            if computing {
                ui.spinner();
            }
        });
        // The sentence first: it is the lesson, the table below is the evidence.
        if let Some(o) = &settings.objective {
            // An objective has no data, so no notebook sum: the check is autodiff against the closed form (or, for
            // a typed expression, against central differences alone).
            let reference = if o.as_builtin().is_some() { "its closed-form gradient" } else { "central differences" };
            ui.label(format!("f(w, b) = {}: the autodiff gradient checked against {reference}.", o.formula()));
            ui.add_space(4.0);
            sources_table_ui(ui, &view.check, env, (true, false));
            return;
        }
        let (sentence, warn) = gradient_sentence(&view.check, run);
        let color = if warn { env.palette.warning } else { ui.visuals().text_color() };
        ui.label(RichText::new(sentence).color(color));
        ui.add_space(4.0);
        let in_use = settings.gradient == crate::engine::settings::GradientSource::NotebookSum;
        sources_table_ui(ui, &view.check, env, (false, in_use));
        ui.add_space(4.0);
        ui.label(
            RichText::new(format!(
                "The notebook's np.dot(2*X, y_pred − y_true).mean() is a dot product (a sum over samples) and .mean() of a single number changes nothing. \
                 {} precision.",
                settings.precision.label()
            ))
            .small()
            .color(weak),
        );
    }
}

/// The sources side by side; for an objective the reference is its closed form and there is no notebook sum.
/// `sum_in_use`: the selected run uses the notebook's sum (its ratio is a warning), or it only *would* act so.
fn sources_table_ui(ui: &mut Ui, check: &GradientCheck, env: &ViewCtx<'_>, (objective, sum_in_use): (bool, bool)) {
    let bias = check.bias;
    Grid::new("gradcheck-sources").num_columns(if bias { 4 } else { 3 }).striped(true).spacing([14.0, 4.0]).show(
        ui,
        |ui| {
            ui.label(RichText::new("source").small().color(env.palette.weak_text));
            ui.label(RichText::new("dL/dw").small().color(env.palette.weak_text));
            if bias {
                ui.label(RichText::new("dL/db").small().color(env.palette.weak_text));
            }
            ui.label(RichText::new("vs analytic").small().color(env.palette.weak_text));
            ui.end_row();
            let rows: [(&str, Grad<f64>, &str); 4] = [
                ("analytic", check.analytic, "The derivative of the mean loss, worked out by hand: the reference."),
                (
                    "autodiff",
                    check.autodiff,
                    "Reverse-mode automatic differentiation of the recorded graph (like torch's loss.backward()).",
                ),
                ("numeric", check.numeric, "Central finite differences (L(w+h) − L(w−h)) / 2h: close, never exact."),
                (
                    "notebook-sum",
                    check.notebook_sum,
                    "The notebook's hand-written formula: a sum over samples instead of a mean.",
                ),
            ];
            let shown = if objective { &rows[..3] } else { &rows[..] };
            for &(name, g, tip) in shown {
                let (name, tip) = if objective && name == "analytic" {
                    ("closed form", "The gradient of the objective's formula, worked out by hand: the reference.")
                } else {
                    (name, tip)
                };
                ui.label(RichText::new(name).monospace()).on_hover_text(tip);
                ui.label(RichText::new(format::sig(g.w, 8)).monospace());
                if bias {
                    ui.label(RichText::new(format::sig(g.b, 8)).monospace());
                }
                let compare = if name == "analytic" {
                    RichText::new("reference").color(env.palette.weak_text)
                } else if name == "notebook-sum" {
                    match check.notebook_sum_ratio() {
                        Some(r) if sum_in_use => {
                            RichText::new(format!("{r:.2}× analytic")).strong().color(env.palette.warning)
                        }
                        Some(r) => RichText::new(format!("would be {r:.2}× analytic")).color(env.palette.weak_text),
                        None => RichText::new("0 (no ratio)").color(env.palette.weak_text),
                    }
                } else {
                    let e = GradientCheck::relative_error(g, check.analytic);
                    let good = e < 1e-5;
                    RichText::new(format!("rel. error {}", format::sci(e, 1))).color(if good {
                        env.palette.converged
                    } else {
                        env.palette.warning
                    })
                };
                ui.label(compare.monospace())
                    .on_hover_text("‖g − g_analytic‖ / max(‖g‖, ‖g_analytic‖); for notebook-sum, ‖g‖ / ‖g_analytic‖.");
                ui.end_row();
            }
        },
    );
}

fn graph_table_ui(ui: &mut Ui, view: &GradCheckView, env: &ViewCtx<'_>) {
    let weak = env.palette.weak_text;
    let mono = |t: String| RichText::new(t).monospace().size(11.5);
    ScrollArea::both().id_salt("gradcheck-graph").auto_shrink([false, true]).show(ui, |ui| {
        Grid::new("gradcheck-graph-grid").num_columns(2).striped(true).spacing([14.0, 2.0]).show(ui, |ui| {
            ui.label(RichText::new("node · grad_fn (inputs)").small().color(weak));
            ui.label(RichText::new("value · grad = ∂loss/∂value").small().color(weak));
            ui.end_row();
            for (i, n) in view.nodes.iter().enumerate() {
                let kind = match n.grad_fn {
                    Some(name) => RichText::new(name).monospace().size(11.5).color(env.palette.tangent),
                    None if n.requires_grad => {
                        RichText::new("leaf · requires_grad").monospace().size(11.5).color(env.palette.optimum)
                    }
                    None => RichText::new("leaf · data").monospace().size(11.5).color(weak),
                };
                let from = n.inputs.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(",");
                ui.vertical(|ui| {
                    ui.spacing_mut().item_spacing.y = 0.0;
                    ui.label(RichText::new(format!("#{i} {}", n.label)).monospace().strong());
                    ui.horizontal(|ui| {
                        ui.spacing_mut().item_spacing.x = 4.0;
                        ui.label(kind);
                        if !from.is_empty() {
                            ui.label(mono(format!("({from})")).color(weak));
                        }
                    });
                });
                ui.vertical(|ui| {
                    ui.spacing_mut().item_spacing.y = 0.0;
                    ui.label(mono(format!("value {}", vector_text(&n.value, n.len))));
                    let grad = if n.requires_grad { vector_text(&n.grad, n.len) } else { "— (data: no grad)".into() };
                    ui.label(mono(format!("grad  {grad}")).color(if n.requires_grad {
                        ui.visuals().text_color()
                    } else {
                        weak
                    }));
                });
                ui.end_row();
            }
        });
        ui.label(
            RichText::new(
                "backward() starts at the loss with grad 1; each grad_fn passes the gradient to its inputs, \
                 down to w's grad: the analytic dL/dw.",
            )
            .small()
            .color(weak),
        );
    });
}

impl TabView for GradCheckState {

    fn label(&self) -> &'static str {
        "Gradient check"
    }

    fn tip(&self) -> &'static str {
        "The gradient at the current point from four sources (hand-derived, autodiff, finite differences, the notebook's sum), and the whole autodiff graph of the loss."
    }

    fn topic(&self) -> Topic {
        Topic::GradientCheck
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, run: &RunSnapshot, _actions: &mut Vec<Action>) {
        gradcheck_ui(ui, self, ctx, run)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::settings::GradientSource;

    #[test]
    fn the_4x_is_a_warning_only_for_a_run_that_uses_the_notebook_sum() {
        use crate::explain::gradcheck::gradient_sentence;
        let v = compute(&Dataset::notebook(), &Settings::default(), Params::default());
        let (warned, warn) = gradient_sentence(&v.check, "NumPy", GradientSource::NotebookSum, 0.01);
        assert!(warn, "in use: a warning");
        assert!(warned.starts_with("“NumPy” uses the notebook's hand-written gradient"), "{warned}");
        assert!(warned.contains("4.00× the true one") && warned.contains("0.04"), "{warned}");
        // Issue 20, finding 3: the PyTorch run at lr 0.04 uses the true gradient; its sentence is about it, and
        // says nothing of the other run's sum.
        let (calm, warn) = gradient_sentence(&v.check, "PyTorch autograd", GradientSource::Autodiff, 0.04);
        assert!(!warn, "not in use: no warning");
        assert!(calm.starts_with("The gradient in use is the true one: “PyTorch autograd” uses autodiff's"), "{calm}");
        assert!(calm.contains("is the true one"), "{calm}");
        assert!(!calm.contains("4.00") && !calm.contains("0.16") && !calm.contains("sum"), "{calm}");
    }

    #[test]
    fn notebook_ratio_sentence_reads_4_00_and_0_04() {
        let v = compute(&Dataset::notebook(), &Settings::default(), Params::default());
        let s = ratio_sentence(&v.check, 0.01);
        assert!(s.contains("4.00×") && s.contains("0.04"), "{s}");
        assert_eq!(v.check.analytic.w, -45.0);
        let names: Vec<_> = v.nodes.iter().filter_map(|n| n.grad_fn).collect();
        assert_eq!(names, ["MulBackward0", "SubBackward0", "PowBackward0", "MeanBackward0"]);
        assert_eq!(vector_text(&v.nodes[1].value, v.nodes[1].len), "[1, 2, 3, 4]");
        assert_eq!(vector_text(&[1.0, 2.0, 3.0, 4.0], 10), "[1, 2, 3, … (10 values)]");
    }
}
