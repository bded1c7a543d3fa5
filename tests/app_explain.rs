//! Issue 10 §6–7: the "why" line beside the run's state, and explain mode — every widget of the settings panel has
//! an explanation, every topic of the registry is on screen somewhere, and the card shows the value now.

mod common;

use std::collections::BTreeSet;

use common::app::{fast, shows, wait_until};
use descent::app::explain::LANDSCAPE_ITEMS;
use descent::app::state::Tab;
use descent::app::{Action, App, AppOptions};
use descent::engine::optim::OptimizerKind;
use descent::engine::schedule::{ScheduleConfig, ScheduleKind};
use descent::engine::{LossKind, Settings};
use descent::explain::topics::Topic;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable, by};

/// The app in a window tall enough for the whole settings panel (nothing scrolled out of view).
fn tall(options: AppOptions) -> Harness<'static, App> {
    Harness::builder().with_size([1400.0, 1700.0]).build_eframe(move |cc| App::new(cc, options))
}

/// The roles of the widgets a learner operates.
const INPUTS: [Role; 7] =
    [Role::Button, Role::CheckBox, Role::RadioButton, Role::ComboBox, Role::Slider, Role::SpinButton, Role::TextInput];

/// Every input widget of the left panel (below the toolbar, above the timeline) lies inside an explained rectangle.
fn assert_panel_explained(h: &Harness<'static, App>, what: &str) {
    let top = h.get_by_label("Runs (1)").rect().top() - 2.0;
    let bottom = h.get_by_role_and_label(Role::Slider, "timeline").rect().top();
    let marks = h.state().explained();
    let mut checked = 0;
    for role in INPUTS {
        for node in h.query_all(by().role(role)) {
            let c = node.rect().center();
            if c.x > 330.0 || c.y < top || c.y > bottom {
                continue;
            }
            checked += 1;
            let label = node.accesskit_node().label().unwrap_or_default();
            assert!(marks.iter().any(|(_, r)| r.contains(c)), "{what}: the {role:?} “{label}” has no explanation");
        }
    }
    assert!(checked >= 12, "{what}: only {checked} widgets walked");
}

fn set(h: &mut Harness<'static, App>, what: &str, change: impl Fn(&mut Settings)) {
    let mut s = h.state().selected_settings();
    change(&mut s);
    h.state_mut().push_action(Action::SetSettings(s.clone()));
    wait_until(h, what, move |a| a.snapshot().runs[0].spec.settings == s);
    h.step();
}

fn seen(h: &Harness<'static, App>, into: &mut BTreeSet<Topic>) {
    into.extend(h.state().explained().iter().map(|(t, _)| *t));
}

/// The plot marks under the pointer along a vertical line through `rect` (from the bottom up).
fn scan(h: &mut Harness<'static, App>, rect: egui::Rect, x: f32, into: &mut BTreeSet<Topic>) {
    let mut y = rect.bottom() - 4.0;
    while y > rect.top() {
        h.hover_at(egui::pos2(x, y));
        h.step();
        let pos = egui::pos2(x, y);
        into.extend(h.state().explained().iter().filter(|(_, r)| r.contains(pos) && r.area() < 10.0).map(|(t, _)| *t));
        y -= 6.0;
    }
}

#[test]
fn every_settings_widget_and_every_topic_has_an_explanation() {
    let mut h = tall(fast());
    h.step();
    h.step();
    let mut topics = BTreeSet::new();
    assert_panel_explained(&h, "GD");
    seen(&h, &mut topics);
    set(&mut h, "momentum and weight decay", |s| {
        s.optimizer.kind = OptimizerKind::Sgd;
        s.optimizer.momentum = 0.5;
        s.optimizer.weight_decay = Some(0.01);
    });
    assert_panel_explained(&h, "SGD with momentum");
    seen(&h, &mut topics);
    for kind in [OptimizerKind::Adam, OptimizerKind::Rmsprop, OptimizerKind::Adagrad, OptimizerKind::Newton] {
        set(&mut h, kind.label(), |s| s.optimizer.kind = kind);
        assert_panel_explained(&h, kind.label());
        seen(&h, &mut topics);
    }
    set(&mut h, "line search and standardize", |s| {
        *s = Settings { standardize: true, ..Settings::default() };
        s.optimizer.line_search = descent::engine::optim::LineSearch::Armijo;
    });
    assert_panel_explained(&h, "line search, standardize");
    seen(&h, &mut topics);
    set(&mut h, "one cycle", |s| {
        *s = Settings {
            schedule: ScheduleConfig {
                max_lr: Some(0.1),
                total_steps: Some(100),
                ..ScheduleConfig::new(ScheduleKind::Onecycle)
            },
            optimizer: descent::engine::OptimizerConfig::new(OptimizerKind::Sgd, 0.01),
            ..Settings::default()
        }
    });
    assert_panel_explained(&h, "one cycle");
    seen(&h, &mut topics);
    set(&mut h, "plateau", |s| s.schedule = ScheduleConfig::new(ScheduleKind::Plateau));
    assert_panel_explained(&h, "plateau");
    seen(&h, &mut topics);
    set(&mut h, "cyclic", |s| {
        *s = Settings {
            schedule: ScheduleConfig {
                base_lr: Some(0.01),
                max_lr: Some(0.1),
                step_size_down: Some(5),
                mode: descent::engine::schedule::CyclicMode::ExpRange,
                ..ScheduleConfig::new(ScheduleKind::Cyclic)
            },
            optimizer: descent::engine::OptimizerConfig::new(OptimizerKind::Sgd, 0.01),
            ..Settings::default()
        }
    });
    assert_panel_explained(&h, "cyclic");
    seen(&h, &mut topics);
    set(&mut h, "warm-up and multistep", |s| {
        s.schedule = ScheduleConfig {
            milestones: vec![10, 20],
            warmup_iters: Some(5),
            ..ScheduleConfig::new(ScheduleKind::Multistep)
        }
    });
    assert_panel_explained(&h, "warm-up, multistep");
    seen(&h, &mut topics);
    set(&mut h, "Huber", |s| *s = Settings { loss: LossKind::Huber, ..Settings::default() });
    assert_panel_explained(&h, "Huber");
    seen(&h, &mut topics);
    set(&mut h, "a bias and batches", |s| *s = Settings { bias: true, batch_size: Some(2), ..Settings::default() });
    assert_panel_explained(&h, "bias, batches");
    seen(&h, &mut topics);
    // The 3-D surface, instead of the contour map.
    h.get_by_label("3-D surface").click();
    h.step();
    h.step();
    seen(&h, &mut topics);
    assert!(topics.contains(&Topic::Surface3d), "the 3-D view is marked");
    h.get_by_label("Contours").click();
    h.step();
    // Back to the notebook's problem, run to its minimum: the banner, and the point at the bottom of the parabola.
    set(&mut h, "the notebook's settings", |s| *s = Settings::default());
    h.state_mut().push_action(Action::ToggleRun);
    wait_until(&mut h, "the minimum", |a| a.snapshot().runs[0].status.is_finished());
    h.step();
    seen(&h, &mut topics);
    let landscape = h.state().explained().iter().find(|(t, _)| *t == Topic::Landscape).map(|(_, r)| *r);
    let landscape = landscape.expect("the landscape is marked");
    scan(&mut h, landscape, landscape.center().x, &mut topics);
    // The theory overlay lies on the loss curve (it is drawn on top): without it the curve itself is under the pointer.
    h.state_mut().push_action(Action::SetShowTheory(false));
    h.step();
    let loss = h.state().explained().iter().find(|(t, _)| *t == Topic::LossPlot).map(|(_, r)| *r);
    let loss = loss.expect("the loss plot is marked");
    scan(&mut h, loss, loss.left() + 0.3 * loss.width(), &mut topics);
    assert!(topics.contains(&Topic::Point) || topics.contains(&Topic::OptimumMark), "the point at w*: {topics:?}");
    assert!(topics.contains(&Topic::LossCurve), "the loss curve is explained on hover: {topics:?}");
    // The tabs that explain each step: the ledger, the optimizer's inside, and (for momentum) the phase plane.
    for tab in [Tab::Ledger, Tab::Inside, Tab::Basins, Tab::FairRace] {
        h.state_mut().push_action(Action::OpenTab(tab));
        h.step();
        h.step();
        seen(&h, &mut topics);
    }
    set(&mut h, "momentum", |s| {
        s.optimizer.kind = OptimizerKind::Sgd;
        s.optimizer.momentum = 0.9;
    });
    h.state_mut().push_action(Action::OpenTab(Tab::Phase));
    h.step();
    h.step();
    seen(&h, &mut topics);
    // The Exercises tab: the next weight (its loss plot), then the critical lr (its slider and the data), and a
    // verdict.
    h.state_mut().push_action(Action::OpenTab(Tab::Exercises));
    h.step();
    h.step();
    seen(&h, &mut topics);
    let kind = h.get_all_by_role(Role::ComboBox).find(|n| n.value().as_deref() == Some("Next weight"));
    kind.expect("the exercise kind").click();
    h.step();
    h.step();
    h.get_by_label("Critical lr").click();
    h.step();
    h.step();
    h.get_by_label("Check").click();
    h.step();
    h.step();
    seen(&h, &mut topics);
    // The marks only found under the pointer are named in the landscape's table or by the plots over steps.
    let over_steps = [Topic::MinLoss, Topic::WeightLine];
    for t in Topic::ALL {
        let by_name = LANDSCAPE_ITEMS.iter().any(|(_, x)| x == t);
        assert!(topics.contains(t) || by_name || over_steps.contains(t), "{t:?} is nowhere");
    }
}

#[test]
fn explain_mode_shows_the_card_with_the_value_now() {
    let mut h = tall(AppOptions::default());
    h.step();
    assert!(!h.state().prefs().explain);
    h.key_press(egui::Key::F1);
    h.step();
    assert!(h.state().prefs().explain, "F1 turns explain mode on");
    h.step();
    assert!(shows(&h, "Explain mode: hover anything · F1 to leave"), "the hint says so");
    h.get_by_role_and_label(Role::Slider, "learning rate").hover();
    h.step();
    h.step();
    assert!(shows(&h, "now: lr = 0.01 (lr·λ = 0.15"), "the card shows the lr now");
    assert!(shows(&h, "w ← w − lr·∇L"), "and its formula");
    h.state_mut().push_action(Action::ScaleLr(5.0));
    wait_until(&mut h, "lr 0.05", |a| (a.snapshot().runs[0].spec.settings.optimizer.lr - 0.05).abs() < 1e-12);
    h.step();
    assert!(shows(&h, "now: lr = 0.05 (lr·λ = 0.75"), "the value follows the lr");
    // The why line explains itself: λ, 2/λ and the tolerance.
    h.get_by_label("why").hover();
    h.step();
    h.step();
    assert!(shows(&h, "λ = L″ = 15 is the curvature of the loss"), "the card explains λ");
    // The "?" button leaves explain mode; the card goes.
    h.get_by_label(descent::app::panels::toolbar::labels::EXPLAIN).click();
    h.step();
    h.step();
    assert!(!h.state().prefs().explain);
    assert!(!shows(&h, "Explain mode: hover anything"));
}

#[test]
fn the_why_line_follows_the_learning_rate() {
    let mut h = tall(AppOptions::default());
    h.step();
    h.step();
    assert!(shows(&h, "each step keeps 85% of the distance: 1 − lr·λ = 0.85"), "lr 0.01 on the notebook's data");
    h.state_mut().push_action(Action::ScaleLr(10.0));
    wait_until(&mut h, "lr 0.1", |a| (a.snapshot().runs[0].spec.settings.optimizer.lr - 0.1).abs() < 1e-12);
    h.step();
    assert!(shows(&h, "each step overshoots: the factor 1 − lr·λ = −0.5"), "lr 0.1");
    h.state_mut().push_action(Action::ScaleLr(2.0));
    wait_until(&mut h, "lr 0.2", |a| (a.snapshot().runs[0].spec.settings.optimizer.lr - 0.2).abs() < 1e-12);
    h.step();
    assert!(shows(&h, "1 − lr·λ = −2 is outside (−1, 1)"), "lr 0.2 diverges");
}
