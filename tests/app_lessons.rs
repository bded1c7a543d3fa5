//! Issue 20, Deliver 7: the test learner on every page of the momentum, adaptive, losses, noise and beyond-the-bowl
//! lessons (the notebook and learning-rate lessons are walked in `app_fields.rs`). The learner uses only what a
//! person can do on the page (the toolbar's buttons, the settings' fields and selectors, the run list, the folded
//! tab strip, the answer field, Next), reaches ✓ on every page, and no page ticks before its task is done. Where a
//! page's text states a fact (a curvature, a step count, "diverges", "keeps √μ of the distance"), the test checks it
//! against what the engine did. Last, every view a built-in page names draws something meaningful for that page's
//! setup, not only has room.

mod common;

use common::app::{fast, harness, shows, wait_until};
use common::learner::{done, next_page, not_yet, open_lesson, open_tab, pick, tick, type_answer, type_into};

use descent::app::panels::toolbar::labels;
use descent::app::state::Tab;
use descent::app::{Action, App, AppOptions};
use descent::engine::LossKind;
use descent::engine::analysis::momentum::{Damping, damping, heavy_ball_rate};
use descent::engine::analysis::stable_product;
use descent::engine::optim::OptimizerKind;
use descent::engine::trainer::{DynTrainer, Status};
use descent::engine::{Dataset, Settings};
use descent::lesson::{Lesson, View};
use descent::worker::RunSnapshot;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The run named `name`.
fn run<'a>(app: &'a App, name: &str) -> &'a RunSnapshot {
    app.snapshot().runs.iter().find(|r| r.spec.name == name).unwrap_or_else(|| panic!("a run named {name:?}"))
}

/// True when every run has stopped (converged or diverged).
fn all_stopped(app: &App) -> bool {
    app.snapshot().runs.iter().all(|r| r.status != Status::Running)
}

/// The step at which the first run reached the tolerance.
fn converged_at(app: &App) -> Option<u64> {
    match app.snapshot().runs.first().map(|r| r.status) {
        Some(Status::Converged { step, .. }) => Some(step),
        _ => None,
    }
}

/// Reset, then Run, and wait until every run has stopped.
fn reset_and_run_to_the_end(h: &mut Harness<'static, App>) {
    h.get_by_label(labels::RESET).click();
    wait_until(h, "the reset", |a| a.snapshot().runs.iter().all(|r| r.record.step == 0));
    h.get_by_label(labels::RUN).click();
    wait_until(h, "every run stopped", all_stopped);
}

/// SGD with momentum `mu` on the notebook's data with a bias, at `lr`, run to the app's tolerance (1e-6): how it
/// ended.
fn notebook_bias_run(lr: f64, mu: f64, nesterov: bool) -> Status {
    let mut s = Settings { bias: true, ..Settings::default() };
    s.optimizer.kind = OptimizerKind::Sgd;
    (s.optimizer.lr, s.optimizer.momentum, s.optimizer.nesterov) = (lr, mu, nesterov);
    let mut t = DynTrainer::new(&Dataset::notebook(), &s).expect("valid settings");
    t.set_tolerance(Some(descent::app::state::DEFAULT_TOLERANCE));
    t.run(10_000, |_| {})
}

#[test]
fn a_learner_completes_every_page_of_the_momentum_lesson() {
    let mut h = open_lesson("momentum");
    assert_eq!(h.state().lesson().open().map(|(_, l, _)| l.pages.len()), Some(6));
    // 1. A ravine: the curvatures the text quotes are the engine's, and the settings panel shows the condition
    //    number the learner types.
    not_yet(&h, 0);
    let a = h.state().snapshot().runs[0].analysis.clone();
    assert!((a.curvature_max - 16.7).abs() < 0.05 && (a.curvature_min - 0.3).abs() < 0.05, "λ: {a:?}");
    let k = a.condition_number.expect("a condition number");
    assert!((k - 55.8).abs() < 0.05, "the answer 55.8 is λmax/λmin = {k}");
    assert!(shows(&h, "condition number"), "the page shows the settings panel's analysis");
    type_answer(&mut h, &descent::format::sig(k, 4));
    done(&mut h, 0);
    // 2. The heavy ball. The hint's claims first: μ = 0.9 rings for about 300 steps, μ = 0 crawls for about 400;
    //    neither passes. Then μ = 0.7 reaches the tolerance within 200 steps.
    next_page(&mut h, 1);
    not_yet(&h, 1);
    for (mu, about) in [("0.9", 300), ("0", 400)] {
        type_into(&mut h, "momentum μ", mu);
        reset_and_run_to_the_end(&mut h);
        let k = converged_at(h.state()).expect("it converges");
        assert!(k.abs_diff(about) <= about / 10, "μ = {mu}: {k} steps, the hint says about {about}");
        not_yet(&h, 1);
    }
    type_into(&mut h, "momentum μ", "0.7");
    reset_and_run_to_the_end(&mut h);
    done(&mut h, 1);
    // 3. Damping: the page's run fits w alone, so the phase plane draws (no "one parameter" fallback). Its claim,
    //    each step keeps √μ of the distance: μ = 0.81 is under-damped here, the rate is √0.81 = 0.9, and the run's
    //    own path shrinks so: the Casoratian e(k+1)² − e(k)·e(k+2) of the error e = w − w* shrinks by μ = ρ² a step.
    next_page(&mut h, 2);
    not_yet(&h, 2);
    assert!(shows(&h, "under-damped") && !shows(&h, "drawn for one parameter"), "the phase plane draws");
    h.get_by_label(labels::RUN).click();
    wait_until(&mut h, "the spiral run", all_stopped);
    let r = &h.state().snapshot().runs[0];
    let (lr, mu) = (r.spec.settings.optimizer.lr, r.spec.settings.optimizer.momentum);
    let a = lr * r.analysis.curvature_max;
    assert_eq!(damping(a, mu), Damping::Under);
    assert!((heavy_ball_rate(a, mu) - 0.9).abs() < 1e-12, "ρ = √μ = 0.9");
    let e: Vec<f64> = r.history.iter().map(|row| row.record.params.w - r.analysis.optimum.w).collect();
    let cas: Vec<f64> = e.windows(3).map(|w| w[1] * w[1] - w[0] * w[2]).collect();
    for k in 0..40 {
        let ratio = cas[k + 1] / cas[k];
        assert!((ratio - mu).abs() < 1e-9, "step {k}: the distance² shrinks by {ratio}, not μ = {mu}");
    }
    assert!(shows(&h, "under-damped"), "and the tab still draws after the run");
    type_answer(&mut h, "sqrt(0.81)");
    done(&mut h, 2);
    // 4. Nesterov first: Run both.
    next_page(&mut h, 3);
    not_yet(&h, 3);
    h.get_by_label(labels::RUN).click();
    wait_until(&mut h, "both runs stopped", all_stopped);
    done(&mut h, 3);
    // 5. A narrower window: the text's numbers are the engine's. 2(1 + μ)/(1 + 2μ) = 1.357 and 2(1 + μ) = 3.8 at
    //    μ = 0.9; at lr = 0.1 the heavy ball converges and Nesterov diverges; at lr = 0.05 Nesterov converges.
    let mut o = descent::engine::OptimizerConfig { kind: OptimizerKind::Sgd, momentum: 0.9, ..Default::default() };
    assert!((stable_product(&o) - 3.8).abs() < 1e-12, "the heavy ball's bound");
    o.nesterov = true;
    assert!((stable_product(&o) - 1.36).abs() < 0.005, "Nesterov's bound: {}", stable_product(&o));
    let lambda_max = h.state().snapshot().runs[0].analysis.curvature_max;
    assert!(0.1 * lambda_max > stable_product(&o) && 0.05 * lambda_max < stable_product(&o), "0.1 over, 0.05 under");
    assert!(matches!(notebook_bias_run(0.1, 0.9, false), Status::Converged { .. }));
    assert!(matches!(notebook_bias_run(0.1, 0.9, true), Status::Diverged { .. }));
    assert!(matches!(notebook_bias_run(0.05, 0.9, true), Status::Converged { .. }));
    next_page(&mut h, 4);
    not_yet(&h, 4);
    tick(&mut h, "Nesterov");
    done(&mut h, 4);
    // 6. Read the look-ahead: open the Step ledger from the folded strip, and it writes the look-ahead out.
    next_page(&mut h, 5);
    not_yet(&h, 5);
    h.get_by_label(labels::STEP).click();
    wait_until(&mut h, "one step", |a| a.snapshot().runs[0].record.step == 1);
    not_yet(&h, 5);
    open_tab(&mut h, "Step ledger");
    done(&mut h, 5);
    assert!(shows(&h, "g + μ·buf") && shows(&h, "Nesterov: look ahead"), "the ledger writes out the look-ahead");
}

#[test]
fn a_learner_completes_every_page_of_the_adaptive_lesson() {
    let mut h = open_lesson("adaptive");
    assert_eq!(h.state().lesson().open().map(|(_, l, _)| l.pages.len()), Some(4));
    // 1. Four runs, at least 100 steps each. The text's claim: the gradient in w is several times that in b.
    not_yet(&h, 0);
    let g = h.state().snapshot().runs[0].record.grad;
    assert!(g.w.abs() > 2.0 * g.b.abs(), "the gradient in w is several times the gradient in b: {g:?}");
    h.get_by_label(labels::RUN).click();
    done(&mut h, 0);
    // 2. Switch the (only) run's optimizer to RMSprop: no run is RMSprop before the learner makes it so.
    next_page(&mut h, 1);
    not_yet(&h, 1);
    assert_eq!(h.state().snapshot().runs.len(), 1, "one SGD run: selecting a ready-made RMSprop run is no answer");
    pick(&mut h, OptimizerKind::Sgd.label(), OptimizerKind::Rmsprop.label());
    done(&mut h, 1);
    // 3. Adam's first step: one Step, and it moves w by lr (to within ε), as the text says.
    next_page(&mut h, 2);
    not_yet(&h, 2);
    h.get_by_label(labels::STEP).click();
    wait_until(&mut h, "one step", |a| a.snapshot().runs[0].record.step == 1);
    let r = &h.state().snapshot().runs[0];
    let (w0, w1) = (r.history.iter().next().expect("row 0").record.params.w, r.record.params.w);
    assert!(((w1 - w0).abs() - 0.05).abs() < 1e-9, "Adam's first step in w is lr: {}", (w1 - w0).abs());
    type_answer(&mut h, "0.5");
    not_yet(&h, 2);
    type_answer(&mut h, "0.05");
    done(&mut h, 2);
    // 4. Pick Adam.
    next_page(&mut h, 3);
    not_yet(&h, 3);
    pick(&mut h, OptimizerKind::Sgd.label(), OptimizerKind::Adam.label());
    done(&mut h, 3);
}

#[test]
fn a_learner_completes_every_page_of_the_losses_lesson() {
    let mut h = open_lesson("losses");
    assert_eq!(h.state().lesson().open().map(|(_, l, _)| l.pages.len()), Some(5));
    // The text's data: 20 points on y = 3x, three of them far above the line.
    let data = h.state().snapshot().data.clone();
    assert_eq!(data.len(), 20);
    let off: Vec<f64> = data.x.iter().zip(&data.y).map(|(x, y)| y - 3.0 * x).filter(|r| r.abs() > 1e-9).collect();
    assert!(off.len() == 3 && off.iter().all(|r| *r > 1.0), "three points far above the line: {off:?}");
    // 1. Run the MSE fit to the tolerance.
    not_yet(&h, 0);
    h.get_by_label(labels::RUN).click();
    done(&mut h, 0);
    // 2. MAE, 3. Huber, from the loss selector.
    next_page(&mut h, 1);
    not_yet(&h, 1);
    pick(&mut h, LossKind::Mse.label(), LossKind::Mae.label());
    done(&mut h, 1);
    next_page(&mut h, 2);
    not_yet(&h, 2);
    pick(&mut h, LossKind::Mae.label(), LossKind::Huber.label());
    done(&mut h, 2);
    // 4. Three runs for 300 steps.
    next_page(&mut h, 3);
    not_yet(&h, 3);
    h.get_by_label(labels::RUN).click();
    done(&mut h, 3);
    h.get_by_label(labels::PAUSE).click();
    // The text's claims: MSE ends furthest from the slope 3, the robust losses closer.
    let off = |name: &str| (run(h.state(), name).record.params.w - 3.0).abs();
    let (mse, mae, huber) = (off("MSE"), off("MAE"), off("Huber"));
    assert!(mse > mae && mse > huber, "MSE is the one fooled: |w − 3| = {mse}, MAE {mae}, Huber {huber}");
    // 5. Which one was fooled: a wrong answer does not pass, 1 (MSE) does.
    next_page(&mut h, 4);
    not_yet(&h, 4);
    type_answer(&mut h, "2");
    for _ in 0..4 {
        h.step();
    }
    not_yet(&h, 4);
    type_answer(&mut h, "1");
    done(&mut h, 4);
}

#[test]
fn a_learner_completes_every_page_of_the_noise_lesson() {
    let mut h = open_lesson("noise");
    assert_eq!(h.state().lesson().open().map(|(_, l, _)| l.pages.len()), Some(5));
    // The text's data: 40 points near y = 3x + 1 (the least-squares line).
    let data = h.state().snapshot().data.clone();
    assert_eq!(data.len(), 40);
    let n = data.len() as f64;
    let (mx, my) = (data.x.iter().sum::<f64>() / n, data.y.iter().sum::<f64>() / n);
    let sxy: f64 = data.x.iter().zip(&data.y).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = data.x.iter().map(|x| (x - mx) * (x - mx)).sum();
    let (slope, intercept) = (sxy / sxx, my - sxy / sxx * mx);
    assert!((slope - 3.0).abs() < 0.3 && (intercept - 1.0).abs() < 0.3, "near y = 3x + 1: {slope}, {intercept}");
    // 1. The full batch reaches the tolerance.
    not_yet(&h, 0);
    h.get_by_label(labels::RUN).click();
    done(&mut h, 0);
    // 2. Mini-batches on.
    next_page(&mut h, 1);
    not_yet(&h, 1);
    tick(&mut h, "mini-batches");
    done(&mut h, 1);
    // 3. Run the batch-4 run 300 steps: its claim, it never meets the tolerance and jitters around w*.
    next_page(&mut h, 2);
    not_yet(&h, 2);
    h.get_by_label(labels::RUN).click();
    done(&mut h, 2);
    h.get_by_label(labels::PAUSE).click();
    h.step();
    let r = &h.state().snapshot().runs[0];
    assert!(r.record.step >= 300 && r.status == Status::Running, "no convergence at a fixed lr: {:?}", r.status);
    let w_star = r.analysis.optimum.w;
    let late: Vec<f64> = r.history.iter().filter(|row| row.record.step >= 100).map(|row| row.record.params.w).collect();
    let above = late.iter().filter(|w| **w > w_star).count();
    assert!(above > late.len() / 10 && above < late.len() * 9 / 10, "it jitters on both sides of w* = {w_star}");
    // 4. A schedule.
    next_page(&mut h, 3);
    not_yet(&h, 3);
    pick(&mut h, "constant", "step");
    done(&mut h, 3);
    // 5. StepLR's lr at step 250: two halvings of 0.08, as the engine's schedule has it.
    let mut s = Settings::default();
    s.optimizer.lr = 0.08;
    s.schedule.kind = descent::engine::schedule::ScheduleKind::Step;
    (s.schedule.step_size, s.schedule.gamma) = (Some(100), Some(0.5));
    let mut t = DynTrainer::new(&Dataset::notebook(), &s).expect("valid settings");
    for _ in 0..250 {
        t.step();
    }
    assert!((t.scheduled().lr - 0.02).abs() < 1e-15, "StepLR at step 250: {}", t.scheduled().lr);
    next_page(&mut h, 4);
    not_yet(&h, 4);
    type_answer(&mut h, "0.08*0.5*0.5");
    done(&mut h, 4);
}

#[test]
fn a_learner_completes_every_page_of_the_beyond_the_bowl_lesson() {
    let mut h = open_lesson("beyond-the-bowl");
    assert_eq!(h.state().lesson().open().map(|(_, l, _)| l.pages.len()), Some(5));
    // 1. The saddle: both runs 100 steps. The claim: plain GD from (1, 0) stops at the saddle (0, 0).
    not_yet(&h, 0);
    h.get_by_label(labels::RUN).click();
    done(&mut h, 0);
    wait_until(&mut h, "GD stopped", |a| a.snapshot().runs[0].status != Status::Running);
    let gd = h.state().snapshot().runs[0].clone();
    assert!(matches!(gd.status, Status::Converged { .. }), "GD stops: {:?}", gd.status);
    assert!(gd.record.params.w.abs() < 1e-3 && gd.record.params.b == 0.0, "at the saddle: {:?}", gd.record.params);
    // 2. Give the GD run noise σ 0.1, Reset, Run: it falls off the ridge.
    next_page(&mut h, 1);
    not_yet(&h, 1);
    assert_eq!(h.state().snapshot().runs.len(), 1, "GD alone: selecting the noisy run is no answer");
    let r = &h.state().snapshot().runs[0];
    assert_eq!((r.spec.settings.w0, r.spec.settings.b0, r.spec.settings.noise), (1.0, 0.0, 0.0), "from (1, 0)");
    type_into(&mut h, "noise σ", "0.1");
    not_yet(&h, 1);
    reset_and_run_to_the_end(&mut h);
    done(&mut h, 1);
    // 3. Himmelblau's four runs to the tolerance.
    next_page(&mut h, 2);
    not_yet(&h, 2);
    h.get_by_label(labels::RUN).click();
    done(&mut h, 2);
    for r in &h.state().snapshot().runs {
        assert!(
            r.record.loss.abs() < 1e-9,
            "the four minima have the same value, 0: {} ends at {}",
            r.spec.name,
            r.record.loss
        );
    }
    // 4. Open the Basins tab from the folded strip.
    next_page(&mut h, 3);
    not_yet(&h, 3);
    open_tab(&mut h, "Basins");
    done(&mut h, 3);
    // 5. Count the minima: the four runs ended at four different points.
    let ends: Vec<(f64, f64)> =
        h.state().snapshot().runs.iter().map(|r| (r.record.params.w, r.record.params.b)).collect();
    for (i, p) in ends.iter().enumerate() {
        for q in &ends[..i] {
            assert!((p.0 - q.0).hypot(p.1 - q.1) > 1.0, "four different minima: {ends:?}");
        }
    }
    next_page(&mut h, 4);
    not_yet(&h, 4);
    type_answer(&mut h, "4");
    done(&mut h, 4);
}

/// Whether the view `view`, shown for a page's setup, draws its content rather than a fallback; `Err` says what
/// is missing.
fn draws(h: &Harness<'static, App>, view: View) -> Result<(), String> {
    let app = h.state();
    let sel = app.snapshot().run(app.selected_run()).ok_or("no selected run")?;
    let need = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_string()) };
    match view {
        View::LossLandscape | View::LossVsStep | View::WeightVsStep => {
            let finite = sel.record.loss.is_finite() && sel.analysis.non_finite().is_none();
            need(finite && !sel.history.is_empty(), "the plot has no finite data")
        }
        View::Settings => need(h.query_by_label("Settings ▸").is_none(), "the settings are folded"),
        View::Tab(Tab::Phase) => {
            need(!shows(h, "The phase plane is drawn for") && shows(h, "lr·λ ="), "the phase plane's fallback")
        }
        View::Tab(Tab::Ledger) => need(!shows(h, "No run.") && !shows(h, "no rows yet"), "the ledger's fallback"),
        View::Tab(Tab::Inside) => need(shows(h, "What it carries"), "the inside tab's plots"),
        View::Tab(Tab::Data) => need(shows(h, &format!("{} points", app.snapshot().data.len())), "the data table"),
        View::Tab(Tab::Basins) => need(!shows(h, "Basins need two parameters"), "the basins' fallback"),
        View::Tab(Tab::NotebookLog) => need(!shows(h, "No run."), "the notebook log's fallback"),
        View::Tab(_) => Ok(()),
    }
}

/// Every view every page of every built-in lesson names (or its default) draws for that page's setup.
#[test]
fn every_view_a_lesson_page_names_draws_for_its_setup() {
    let mut failures = Vec::new();
    for (name, _) in descent::lesson::BUILTIN {
        let lesson = Lesson::load(name).expect("built-in");
        let pages: Vec<Vec<View>> = lesson.pages.iter().map(|p| p.views()).collect();
        let mut h = harness(AppOptions { lesson: Some((name.to_string(), lesson)), ..fast() });
        for (k, views) in pages.iter().enumerate() {
            h.state_mut().push_action(Action::LessonGo(k));
            wait_until(&mut h, "the page", |a| a.lesson().open().is_some_and(|(_, _, p)| p == k));
            wait_until(&mut h, "its setup", |a| !a.lesson().settling() && !a.snapshot().runs.is_empty());
            for _ in 0..6 {
                h.step();
            }
            for view in views {
                if let Err(why) = draws(&h, *view) {
                    failures.push(format!("{name} page {}: {view}: {why}", k + 1));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} views draw nothing meaningful:\n{}", failures.len(), failures.join("\n"));
}
