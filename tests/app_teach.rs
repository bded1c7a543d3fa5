//! Issue 4, "Teach the notebook": the gradient-check tab, the stability map under the lr slider, the lr sweep and the
//! theory overlay — through the real app (egui_kittest) where it shows text, and through their pure functions.

mod common;

use common::app::{fast, harness, shows, wait_for as wait_until};
use std::time::Duration;

use descent::app::AppOptions;
use descent::app::jobs::Cancel;
use descent::app::plots::theory;
use descent::app::stability::{Band, band_color, stability_bands};
use descent::app::state::Tab;
use descent::app::tabs::lr_sweep as sweep;
use descent::app::theme::Palette;
use descent::cli::EngineArgs;
use descent::engine::analysis::analyze;
use descent::engine::data::Dataset;
use descent::engine::sweep::fastest;
use descent::engine::trainer::Status;
use descent::engine::{GradientSource, Params, Settings};
use egui_kittest::kittest::{NodeT, Queryable};

#[test]
fn gradient_check_tab_shows_the_notebook_ratio_4_00() {
    // With the notebook's summed gradient in use, the 4× is the lesson (and a warning).
    let engine = EngineArgs { gradient: Some(GradientSource::NotebookSum), ..EngineArgs::default() };
    let mut h = harness(AppOptions { engine, ..AppOptions::default() });
    h.step();
    assert_eq!(h.state().persisted().prefs.tab, Tab::GradientCheck);
    h.step();
    assert!(shows(&h, "4.00×"), "the ratio 4.00× is shown");
    assert!(shows(&h, "lr × 4.00 = 0.04"), "the sentence names the effective lr 0.04");
    assert!(shows(&h, "-45.000000"), "the analytic gradient at w = 0 is −45");
    assert!(shows(&h, "-180.00000"), "the notebook's sum is −180");
    for name in ["MulBackward0", "SubBackward0", "PowBackward0", "MeanBackward0", "[1, 2, 3, 4]", "[3, 6, 9, 12]"] {
        assert!(shows(&h, name), "the autodiff graph shows {name}");
    }
}

#[test]
fn with_the_true_gradient_the_4x_is_what_the_notebook_would_do_not_a_warning() {
    let mut h = harness(AppOptions::default());
    h.step();
    h.step();
    assert!(!shows(&h, "lr × 4.00 = 0.04"), "no warning that reads as 'your gradient is wrong'");
    assert!(shows(&h, "The gradient in use is the true one"), "says the gradient in use is right");
    assert!(shows(&h, "would be 4.00×"), "and what the notebook's sum would do");
}

#[test]
fn the_tab_strip_switches_to_the_sweep_which_finds_the_fastest_lr() {
    let mut h = harness(AppOptions::default());
    h.step();
    h.get_by_label("Learning-rate sweep").click();
    wait_until(&mut h, "the sweep tab", |h| h.state().persisted().prefs.tab == Tab::LrSweep);
    wait_until(&mut h, "the sweep to finish", |h| shows(h, "fastest: lr =") && !shows(h, "sweeping…"));
    assert!(shows(&h, "diverged"), "the sweep reaches past 2/λmax, where runs diverge");
}

#[test]
fn stability_map_boundaries_and_colours() {
    let data = Dataset::notebook();
    let p = Palette::new(true);
    for (gradient, boundary) in [(GradientSource::Analytic, 2.0 / 15.0), (GradientSource::NotebookSum, 2.0 / 60.0)] {
        let s = Settings { gradient, ..Settings::default() };
        let b = stability_bands(&analyze(&data, &s, Params::default()), &s);
        let c = b.critical.expect("a divergence boundary");
        assert!((c - boundary).abs() < 1e-15, "{gradient:?}: {c} vs {boundary}");
        assert!((b.monotone.unwrap() - boundary / 2.0).abs() < 1e-15);
        assert_eq!(b.regime(c * 0.999), Band::Oscillating);
        assert_eq!(b.regime(c), Band::Divergent);
        assert_eq!(b.regime(c * 0.25), Band::Monotone);
        assert_ne!(
            band_color(b.regime(c * 0.999), p),
            band_color(b.regime(c * 1.001), p),
            "the colour switches at {c}"
        );
        assert_eq!(band_color(b.regime(c * 1.001), p), p.diverged);
        assert!(b.caveat().is_none());
    }
    // Heavy ball: lr·λ < 2 + 2β.
    let mut s = Settings::default();
    s.optimizer.momentum = 0.9;
    let b = stability_bands(&analyze(&data, &s, Params::default()), &s);
    assert!((b.critical.unwrap() - 3.8 / 15.0).abs() < 1e-15);
    // Adam: the map is plain GD's, and says so.
    s.optimizer = descent::engine::OptimizerConfig { kind: descent::engine::OptimizerKind::Adam, ..Default::default() };
    let b = stability_bands(&analyze(&data, &s, Params::default()), &s);
    assert!((b.critical.unwrap() - 2.0 / 15.0).abs() < 1e-15);
    assert!(b.caveat().unwrap().contains("plain GD"));
}

#[test]
fn the_sweep_finds_the_optimal_lr_within_a_few_percent() {
    let data = Dataset::notebook();
    for (bias, gradient) in
        [(false, GradientSource::Analytic), (false, GradientSource::NotebookSum), (true, GradientSource::Analytic)]
    {
        let s = Settings { bias, gradient, ..Settings::default() };
        let a = analyze(&data, &s, Params::default());
        let plan = sweep::plan(&data, &s, &a, Some(1e-6));
        let mut points = Vec::new();
        sweep::run_plan(&data, &s, &plan, &Cancel::default(), |p| points.push(p));
        assert_eq!(points.len(), sweep::SWEEP_POINTS);
        // Two threads, one ordinary run per lr: every lr of the plan exactly once, whatever the order.
        let mut lrs: Vec<u64> = points.iter().map(|p| p.lr.to_bits()).collect();
        lrs.sort_unstable();
        let mut want: Vec<u64> = plan.lrs.iter().map(|l| l.to_bits()).collect();
        want.sort_unstable();
        assert_eq!(lrs, want);
        let best = fastest(&points).expect("some lr converges");
        let optimal = a.optimal_lr.unwrap();
        assert!(
            (best.lr / optimal - 1.0).abs() < 0.05,
            "{bias} {gradient:?}: fastest {} vs optimal {optimal}",
            best.lr
        );
    }
    // Cancelled before it starts: nothing runs.
    let s = Settings::default();
    let plan = sweep::plan(&data, &s, &analyze(&data, &s, Params::default()), None);
    let mut n = 0;
    let cancelled = Cancel::default();
    cancelled.set();
    sweep::run_plan(&data, &s, &plan, &cancelled, |_| n += 1);
    assert_eq!(n, 0);
}

#[test]
fn theory_overlay_equals_the_app_run_for_full_batch_gd() {
    for (bias, lr) in [(false, 0.01), (false, 0.1), (true, 0.02)] {
        let engine = EngineArgs { bias, lr: Some(lr), ..EngineArgs::default() };
        let mut h = harness(AppOptions { engine, ..fast() });
        h.step();
        h.state().worker().send(descent::worker::Command::RunUntil(300));
        let w = h.state().worker();
        let (snap, ok) = w.wait_for(Duration::from_secs(10), |s| {
            let r = &s.runs[0];
            !s.is_busy() && (r.record.step >= 300 || matches!(r.status, Status::Converged { .. }))
        });
        assert!(ok, "the run reaches step 300 or converges");
        let run = &snap.runs[0];
        let s = &run.spec.settings;
        assert!(theory::is_exact(s));
        let origin = theory::origin(&run.history).unwrap();
        assert_eq!(origin.0, 0);
        let mut checked = 0;
        for row in run.history.iter() {
            let p = theory::predicted(&run.analysis, s, origin, row.step).unwrap();
            assert!((p.w - row.params.w).abs() < 1e-12, "step {}: {} vs {}", row.step, p.w, row.params.w);
            assert!((p.b - row.params.b).abs() < 1e-12);
            let l = theory::predicted_loss(&run.analysis, s, snap.data.len(), row.params);
            assert!((l - row.loss).abs() <= 1e-12 * row.loss.abs().max(1.0), "loss at step {}", row.step);
            checked += 1;
        }
        assert!(checked > 20);
    }
}

#[test]
fn the_theory_caption_names_the_gap_for_momentum() {
    let mut s = Settings::default();
    assert!(theory::is_exact(&s));
    s.optimizer.kind = descent::engine::OptimizerKind::Sgd;
    assert!(theory::is_exact(&s), "torch.optim.SGD without momentum is plain gradient descent too");
    s.optimizer.momentum = 0.5;
    assert!(!theory::is_exact(&s));
    s.optimizer.momentum = 0.0;
    s.batch_size = Some(2);
    assert!(!theory::is_exact(&s));
    assert!(theory::GAP_CAPTION.contains("plain full-batch GD"));
}

#[test]
fn the_map_under_the_lr_slider_names_the_divergence_boundary() {
    let mut h = harness(AppOptions::default());
    h.step();
    h.step();
    assert!(shows(&h, "stability map: smooth below 0.06667, oscillates below 0.1333, diverges from 0.1333"));
    let engine = EngineArgs { gradient: Some(GradientSource::NotebookSum), ..EngineArgs::default() };
    let mut h = harness(AppOptions { engine, ..AppOptions::default() });
    h.step();
    h.step();
    assert!(shows(&h, "diverges from 0.03333"));
}

/// Issue 10: the step ledger follows the timeline. At the live end it explains the next update; scrubbed back to
/// step k it explains k → k + 1 with the state the run held there, and its last w equals row k + 1's w exactly.
#[test]
fn ledger_tab_explains_the_step_at_the_timeline() {
    use descent::app::Action;
    use descent::engine::OptimizerKind;
    let engine = EngineArgs { optimizer: Some(OptimizerKind::Adam), ..EngineArgs::default() };
    let mut h = harness(AppOptions { engine, tab: Some(Tab::Ledger), ..fast() });
    h.step();
    h.state_mut().push_action(Action::Step(3));
    wait_until(&mut h, "three steps", |h| h.state().snapshot().runs[0].record.step == 3);
    assert!(shows(&h, "Step 3 → 4 · Adam"), "the live end explains the next update");
    assert!(shows(&h, "the next update"), "and says it is still to come");
    h.state_mut().push_action(Action::Scrub(Some(1)));
    h.step();
    h.step();
    assert!(shows(&h, "Step 1 → 2 · Adam"), "the ledger follows the timeline");
    let run = &h.state().snapshot().runs[0];
    let row2 = run.history.iter().find(|r| r.step == 2).expect("row 2");
    let w2 = descent::format::repr(row2.params.w);
    let node = h.query_all_by_label_contains("← w − step_size·m/denom").next().expect("the update line");
    let (label, value) = (node.accesskit_node().label(), node.accesskit_node().value());
    let update = label.or(value).unwrap_or_default();
    assert!(update.contains(&format!("= {w2}")), "the update lands on row 2's w {w2}: {update}");
    // m after step 2 is β₁·m₁ + (1 − β₁)·g₁ with m₁ = (1 − β₁)·g₀: the line shows the state's own value.
    let m2 = run.history.iter().find(|r| r.step == 2).and_then(|r| r.state.get(0, "exp_avg")).expect("m after 2");
    assert!(shows(&h, &format!("= {}", descent::format::repr(m2))), "m's line ends with the state's m");
}

/// Issue 10: the optimizer's inside for a race, and the phase plane's verdict for momentum on the notebook.
#[test]
fn inside_and_phase_tabs_draw_their_views() {
    use descent::engine::analysis::momentum::{heavy_ball_rate, nesterov_rate};
    let engine = EngineArgs { momentum: Some(0.9), ..EngineArgs::default() };
    let mut h = harness(AppOptions { engine, tab: Some(Tab::Phase), run: true, after_steps: Some(60), ..fast() });
    wait_until(&mut h, "60 steps", |h| h.state().snapshot().runs[0].record.step == 60);
    // λ = 15 and lr = 0.01: a = 0.15, under-damped at β = 0.9; Nesterov's factor is the smaller one.
    let (hb, nv) = (heavy_ball_rate(0.15, 0.9), nesterov_rate(0.15, 0.9));
    assert!(shows(&h, "under-damped"), "the regime is named");
    assert!(shows(&h, &format!("ρ = {}", descent::format::sig(hb, 4))), "plain momentum's ρ {hb}");
    assert!(shows(&h, &format!("Nesterov {}", descent::format::sig(nv, 4))), "Nesterov's ρ {nv}");
    assert!(shows(&h, "gets there sooner"), "and why Nesterov wins here");
    assert!(h.state().exportable_plots().contains(&"Momentum phase plane"), "the phase plane exports as PNG");
    for (tab, label) in [(Tab::Inside, "Inside the optimizer"), (Tab::Ledger, "Step ledger")] {
        h.state_mut().push_action(descent::app::Action::OpenTab(tab));
        h.step();
        h.step();
        assert!(h.state().exportable_plots().contains(&label), "{label} exports as PNG");
        if tab == Tab::Inside {
            assert!(shows(&h, "What it carries") && shows(&h, "Step taken vs lr·|g|"), "both plots of the inside tab");
        }
    }
}

/// Issue 11 §7: "tune, then race". Every run of the race gets its own sweep; the curves and both rankings show;
/// racing sets each run's lr to its best under the criterion, as an independent sweep of its settings finds it.
#[test]
fn fair_race_tunes_every_run_then_races_at_the_tuned_lrs() {
    use descent::engine::sweep::{Criterion, best_under, log_space, tune_one};
    let mut h = harness(AppOptions { preset: Some("race".into()), tab: Some(Tab::FairRace), ..fast() });
    h.step();
    h.step();
    h.get_by_label("Tune").click();
    wait_until(&mut h, "the tuning", |h| {
        shows(h, "by steps to tolerance:")
            && h.query_by_label("Race at the tuned lrs").is_some_and(|n| !n.accesskit_node().is_disabled())
    });
    let runs = h.state().snapshot().runs.clone();
    h.get_by_label("Race at the tuned lrs").click();
    wait_until(&mut h, "the race", |h| h.state().snapshot().runs.iter().all(|r| r.record.step > 0));
    let data = Dataset::notebook();
    let tolerance = h.state().snapshot().tolerance.unwrap_or(1e-6);
    let lrs = log_space(1e-4, 1.0, 48);
    let mut tuned = 0;
    for (before, after) in runs.iter().zip(&h.state().snapshot().runs) {
        let points: Vec<_> =
            lrs.iter().map(|&lr| tune_one(&data, &before.spec.settings, lr, (50, 5_000), tolerance).unwrap()).collect();
        // A run that meets the tolerance at no lr keeps its own.
        let want = best_under(&points, Criterion::StepsToTolerance).map_or(before.spec.settings.optimizer.lr, |b| {
            tuned += 1;
            b.lr
        });
        assert_eq!(after.spec.settings.optimizer.lr, want, "{} races at its tuned lr", after.spec.name);
    }
    assert!(tuned >= 3, "most of the race is tuned: {tuned}");
}
