//! Issue 20, the app's side: number fields take what a person types (`1/15`, `2e-3`, `pi/4`) and say why they
//! refuse; a run's default name follows its settings; a disabled control says the real reason; one tooltip at a
//! time; and a learner, using only the UI, completes the lesson pages the issue found dead-ended.

mod common;

use common::app::{fast, harness, shows, wait_for, wait_until};
use common::learner::{
    click_page, click_run, done, field_text, next_page, not_yet, open_lesson, type_answer, type_into,
};

use descent::app::panels::settings::labels::LR_VALUE;
use descent::app::panels::toolbar::labels;
use descent::app::state::Tab;
use descent::app::{Action, App, AppOptions};
use descent::engine::exercise::{Exercise, ExerciseKind};
use descent::engine::optim::OptimizerKind;
use descent::engine::{GradientSource, Settings};
use descent::lesson::Lesson;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn selected(app: &App) -> Settings {
    app.selected_settings()
}

#[test]
fn typing_1_15_into_the_lr_field_sets_lr_to_one_fifteenth_exactly() {
    let mut h = harness(AppOptions::default());
    h.step();
    type_into(&mut h, LR_VALUE, "1/15");
    wait_until(&mut h, "lr = 1/15", |a| a.persisted().settings.optimizer.lr == 1.0 / 15.0);
    wait_until(&mut h, "the worker's lr = 1/15", |a| a.snapshot().runs[0].spec.settings.optimizer.lr == 1.0 / 15.0);
    assert_eq!(field_text(&h, LR_VALUE), "0.06666666666666667", "shown with the digits it needs");
    // Full precision, an exponent and a constant, each kept exactly.
    for (text, want) in [("0.066666667", 0.066666667), ("2e-3", 2e-3), ("pi/40", std::f64::consts::PI / 40.0)] {
        type_into(&mut h, LR_VALUE, text);
        wait_until(&mut h, text, |a| a.persisted().settings.optimizer.lr == want);
        assert_eq!(field_text(&h, LR_VALUE), descent::format::repr(want), "{text}");
    }
}

#[test]
fn garbage_in_a_number_field_says_why_beside_it_and_keeps_the_value() {
    let mut h = harness(AppOptions::default());
    h.step();
    type_into(&mut h, LR_VALUE, "fast");
    assert!(
        shows(&h, "“fast” is not a positive number; kept 0.01 (column 1: unknown name “fast”"),
        "the reason, beside the field"
    );
    assert_eq!(h.state().persisted().settings.optimizer.lr, 0.01);
    assert_eq!(field_text(&h, LR_VALUE), "0.01", "the field shows the kept value again");
    type_into(&mut h, LR_VALUE, "1/0");
    assert!(shows(&h, "“1/0” is not a positive number; kept 0.01 (column 1: the value is infinite)"));
    type_into(&mut h, LR_VALUE, "500");
    assert!(shows(&h, "“500” is too large; kept 0.01 (500 is above the largest value, 100)"));
    // A good entry clears the refusal.
    type_into(&mut h, LR_VALUE, "0.02");
    wait_until(&mut h, "lr 0.02", |a| a.persisted().settings.optimizer.lr == 0.02);
    assert!(!shows(&h, "is too large"), "the refusal is gone");
}

#[test]
fn hyperparameters_and_the_start_take_typed_expressions() {
    let engine = descent::cli::EngineArgs { optimizer: Some(OptimizerKind::Sgd), ..Default::default() };
    let mut h = harness(AppOptions { engine, ..AppOptions::default() });
    h.step();
    type_into(&mut h, "momentum μ", "9/10");
    wait_until(&mut h, "μ = 0.9", |a| selected(a).optimizer.momentum == 0.9);
    type_into(&mut h, "momentum μ", "1.5");
    assert!(shows(&h, "“1.5” is too large; kept 0.9 (1.5 is above the largest value, 0.999)"));
    type_into(&mut h, "w₀", "-pi/4");
    wait_until(&mut h, "w₀ = −π/4", |a| a.snapshot().runs[0].spec.settings.w0 == -std::f64::consts::FRAC_PI_4);
    type_into(&mut h, "tolerance", "1e-9");
    wait_until(&mut h, "tolerance 1e-9", |a| a.prefs().tolerance == 1e-9);
}

/// The Exercises tab grades `1/15`-style answers as the CLI's `--answer` does.
#[test]
fn an_exercise_answer_may_be_a_fraction() {
    let mut h = harness(AppOptions::default());
    h.step();
    h.state_mut().push_action(Action::OpenTab(Tab::Exercises));
    h.step();
    h.step();
    let seed: u64 = field_text(&h, "seed").parse().expect("a seed");
    let e = Exercise::generate(ExerciseKind::NextWeight, seed);
    // w₁ = w₀ − lr·g written as that expression, g = (2/n)·Σ(w₀x + b₀ − y)·x from the exercise's own numbers.
    let (w0, b0, lr) = (e.w0.expect("w₀"), e.b0.unwrap_or(0.0), e.lr.expect("lr"));
    let n = e.x.len() as f64;
    let g = 2.0 / n * e.x.iter().zip(&e.y).map(|(x, y)| (w0 * x + b0 - y) * x).sum::<f64>();
    let r = descent::format::repr;
    let text = format!("{} - {}*({})", r(w0), r(lr), r(g));
    type_into(&mut h, "answer", &text);
    h.get_by_label("Check").click();
    h.step();
    h.step();
    assert!(shows(&h, "correct: "), "{text} is graded right");
    type_into(&mut h, "answer", "w+1");
    h.get_by_label("Check").click();
    h.step();
    h.step();
    assert!(shows(&h, "a number cannot use the parameter w"), "a refused answer says why");
}

#[test]
fn a_default_name_follows_the_settings_and_a_users_name_stays() {
    let mut h = harness(AppOptions { preset: Some("notebook".into()), ..fast() });
    wait_until(&mut h, "the notebook's two runs", |a| a.snapshot().runs.len() == 2);
    let id = h.state().snapshot().runs[0].id;
    let name = |a: &App| a.snapshot().run(id).map(|r| r.spec.name.clone()).unwrap_or_default();
    assert_eq!(name(h.state()), "NumPy (hand-written sum)");
    h.state_mut().push_action(Action::SelectRun(id));
    h.step();
    let mut s = selected(h.state());
    s.gradient = GradientSource::Analytic;
    h.state_mut().push_action(Action::SetSettings(s.clone()));
    wait_until(&mut h, "the name GD", |a| name(a) == "GD");
    s.optimizer.kind = OptimizerKind::Sgd;
    h.state_mut().push_action(Action::SetSettings(s.clone()));
    wait_until(&mut h, "the name SGD", |a| name(a) == "SGD");
    s.optimizer.kind = OptimizerKind::Adam;
    h.state_mut().push_action(Action::SetSettings(s.clone()));
    wait_until(&mut h, "the name Adam", |a| name(a) == "Adam");
    // The user's own name is kept through a change of settings.
    h.state_mut().push_action(Action::RenameRun(id, "mine".into()));
    wait_until(&mut h, "renamed", |a| name(a) == "mine");
    s.optimizer.kind = OptimizerKind::Rmsprop;
    h.state_mut().push_action(Action::SetSettings(s));
    wait_until(&mut h, "RMSprop in force", |a| {
        a.snapshot().run(id).is_some_and(|r| r.spec.settings.optimizer.kind == OptimizerKind::Rmsprop)
    });
    assert_eq!(name(h.state()), "mine");
}

/// Hovers the widget labelled `label` and steps until a tooltip would have shown (the delay passed).
fn hover(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).hover();
    for _ in 0..8 {
        h.step();
    }
}

#[test]
fn branch_with_six_runs_names_the_run_limit() {
    use descent::app::panels::timeline::labels::BRANCH;
    let mut h = harness(AppOptions { preset: Some("race".into()), ..fast() });
    wait_until(&mut h, "six runs", |a| a.snapshot().runs.len() == 6);
    h.state_mut().push_action(Action::Step(5));
    wait_until(&mut h, "step 5", |a| a.snapshot().runs[0].record.step == 5);
    h.state_mut().push_action(Action::Scrub(Some(2)));
    h.step();
    h.step();
    assert!(shows(&h, "step 2 / 5"), "scrubbed back");
    hover(&mut h, BRANCH);
    assert!(shows(&h, "At most 6 runs: remove one to branch from this step."), "the real reason");
    assert!(!shows(&h, "Scrub back to a step first"), "not the timeline: it is scrubbed back");
}

#[test]
fn explain_mode_shows_one_tooltip_at_a_time() {
    let mut h = harness(AppOptions { preset: Some("race".into()), ..fast() });
    wait_until(&mut h, "six runs", |a| a.snapshot().runs.len() == 6);
    h.state_mut().push_action(Action::Step(3));
    h.state_mut().push_action(Action::OpenTab(Tab::Inside));
    h.key_press(egui::Key::F1);
    wait_until(&mut h, "explain mode", |a| a.prefs().explain);
    hover(&mut h, "What it carries");
    let own = shows(&h, "The optimizer's state after each step");
    let card = shows(&h, "What each optimizer carries from step to step");
    assert!(own, "the label's own tooltip shows");
    assert!(!card, "and the Inside card does not show over it");
}

/// The learner on learning-rate page 5, "Goldilocks": only the UI (the page button, the lr field, Reset, Step).
#[test]
fn the_goldilocks_page_is_completed_by_typing_1_15() {
    let lesson = Lesson::load("learning-rate").expect("learning-rate");
    let page = lesson.pages.iter().position(|p| p.title == "Goldilocks").expect("the Goldilocks page");
    let mut h = harness(AppOptions { lesson: Some(("learning-rate".into(), lesson)), ..fast() });
    wait_until(&mut h, "the lesson", |a| a.lesson().open().is_some());
    click_page(&h, page);
    wait_until(&mut h, "the page", |a| a.lesson().open().is_some_and(|(_, _, p)| p == page));
    wait_until(&mut h, "the page's run at step 0", |a| a.snapshot().runs.first().is_some_and(|r| r.record.step == 0));
    type_into(&mut h, LR_VALUE, "1/15");
    let lr_in_force = |a: &App| a.snapshot().runs.first().is_some_and(|r| r.spec.settings.optimizer.lr == 1.0 / 15.0);
    wait_until(&mut h, "lr 1/15 in force", lr_in_force);
    assert!(!h.state().lesson().is_done(page), "not done before the step");
    h.get_by_label(labels::RESET).click();
    h.step();
    h.get_by_label(labels::STEP).click();
    wait_until(&mut h, "Goldilocks done", |a| a.lesson().is_done(page));
    assert!(shows(&h, &format!("page {} done", page + 1)));
}

/// The learner on the notebook's last page: opening the Exercises tab is not solving an exercise; solving the one
/// the page names (seed 1, critical-lr, answered from its data by the page's formula) is.
#[test]
fn the_notebook_exercise_page_ticks_only_when_an_exercise_is_solved() {
    let lesson = Lesson::load("notebook").expect("notebook");
    let page = lesson.pages.len() - 1;
    let mut h = harness(AppOptions { lesson: Some(("notebook".into(), lesson)), ..fast() });
    wait_until(&mut h, "the lesson", |a| a.lesson().open().is_some());
    click_page(&h, page);
    wait_until(&mut h, "the page", |a| a.lesson().open().is_some_and(|(_, _, p)| p == page));
    // The page folds the tab strip away: "Tabs ▸" brings it back. It scrolls sideways beside the lesson's panel:
    // scroll it until the Exercises tab is clear of the panel (left of the page buttons), then click it.
    h.get_by_role_and_label(Role::Button, "Tabs ▸").click();
    h.step();
    h.step();
    let panel_left = h.get_all_by_label("1").find(|n| n.rect().left() > 1000.0).expect("page 1's button").rect().left();
    for _ in 0..20 {
        let tab = h.get_by_role_and_label(Role::Button, "Exercises");
        if tab.rect().right() < panel_left - 20.0 {
            break;
        }
        tab.scroll_left();
        h.step();
    }
    h.get_by_role_and_label(Role::Button, "Exercises").click();
    wait_until(&mut h, "the Exercises tab", |a| a.prefs().tab == Tab::Exercises);
    for _ in 0..5 {
        h.step();
    }
    assert!(!h.state().lesson().is_done(page), "opening the tab is not solving an exercise");
    let kind = h.get_all_by_role(Role::ComboBox).find(|n| n.value().as_deref() == Some("Next weight"));
    kind.expect("the exercise kind").click();
    h.step();
    h.step();
    h.get_by_label("Critical lr").click();
    h.step();
    h.step();
    type_into(&mut h, "seed", "1");
    // The page's formula on the data it shows: λ = (2/n)·Σx², critical lr = 2/λ.
    let e = Exercise::generate(ExerciseKind::CriticalLr, 1);
    assert!(!e.bias, "seed 1 is the page's model ŷ = w·x");
    let sxx: f64 = e.x.iter().map(|x| x * x).sum();
    let answer = format!("2/((2/{})*{})", e.x.len(), descent::format::repr(sxx));
    type_into(&mut h, "answer", &answer);
    h.get_by_label("Check").click();
    wait_until(&mut h, "the page done", |a| a.lesson().is_done(page));
    wait_for(&mut h, "its ✓", |h| shows(h, &format!("page {} done", page + 1)));
}

/// The test learner on every page of the learning-rate lesson, through the UI only (the Run, Reset and Step
/// buttons, the learning rate's value field, the lesson's answer field, Next): each page reaches ✓, none before
/// its task is done.
#[test]
fn a_learner_completes_every_page_of_the_learning_rate_lesson() {
    let mut h = open_lesson("learning-rate");
    let pages = h.state().lesson().open().map(|(_, l, _)| l.pages.len());
    wait_until(&mut h, "the first page's run", |a| a.snapshot().runs.len() == 1);
    // 1. A smooth descent: run to the tolerance.
    not_yet(&h, 0);
    h.get_by_label(labels::RUN).click();
    done(&mut h, 0);
    // 2. Where it breaks: 2/λ with λ = 15, typed as the fraction.
    next_page(&mut h, 1);
    not_yet(&h, 1);
    type_answer(&mut h, "2/15");
    done(&mut h, 1);
    // 3. Overshoot, then settle: lr 0.1 (factor −0.5), Reset, Run.
    next_page(&mut h, 2);
    not_yet(&h, 2);
    type_into(&mut h, LR_VALUE, "0.1");
    h.get_by_label(labels::RESET).click();
    h.step();
    h.get_by_label(labels::RUN).click();
    done(&mut h, 2);
    // 4. Over the edge: lr 0.2 > 2/15, Reset, Run.
    next_page(&mut h, 3);
    not_yet(&h, 3);
    type_into(&mut h, LR_VALUE, "0.2");
    h.get_by_label(labels::RESET).click();
    h.step();
    h.get_by_label(labels::RUN).click();
    done(&mut h, 3);
    // 5. Goldilocks: 1/15 exactly, Reset, one Step.
    next_page(&mut h, 4);
    wait_until(&mut h, "the page's run at step 0", |a| a.snapshot().runs.first().is_some_and(|r| r.record.step == 0));
    not_yet(&h, 4);
    type_into(&mut h, LR_VALUE, "1/15");
    h.get_by_label(labels::RESET).click();
    h.step();
    h.get_by_label(labels::STEP).click();
    done(&mut h, 4);
    // 6. The factor at lr 0.1: 1 − 0.1·15, typed as that arithmetic.
    next_page(&mut h, 5);
    not_yet(&h, 5);
    type_answer(&mut h, "1 - 0.1*15");
    done(&mut h, 5);
    assert_eq!(pages, Some(6), "every page walked");
}

/// The test learner on every page of the notebook lesson, through the UI only: Run, the answer field, the tab strip,
/// the run list, the gradient selector, the lr field, the Exercises tab. Each page reaches ✓, none before its task.
#[test]
fn a_learner_completes_every_page_of_the_notebook_lesson() {
    let mut h = open_lesson("notebook");
    let pages = h.state().lesson().open().map(|(_, l, _)| l.pages.len());
    wait_until(&mut h, "the notebook's two runs", |a| a.snapshot().runs.len() == 2);
    // 1. Run both loops 50 steps.
    not_yet(&h, 0);
    h.get_by_label(labels::RUN).click();
    done(&mut h, 0);
    // 2. NumPy's first step: 4 × 0.45.
    next_page(&mut h, 1);
    not_yet(&h, 1);
    type_answer(&mut h, "4*0.45");
    done(&mut h, 1);
    // 3. The ratio notebook-sum ÷ analytic, typed as "4x".
    next_page(&mut h, 2);
    not_yet(&h, 2);
    type_answer(&mut h, "4x");
    done(&mut h, 2);
    // 4. Select the NumPy run, set its gradient to analytic.
    next_page(&mut h, 3);
    wait_until(&mut h, "the preset's runs", |a| a.snapshot().runs.len() == 2);
    not_yet(&h, 3);
    click_run(&mut h, "NumPy (hand-written sum)");
    // The gradient selector is under Problem: scroll the settings panel down to it, open it, pick analytic.
    let gradient = |h: &Harness<'static, App>| {
        let combo = h.get_all_by_role(Role::ComboBox).find(|n| n.value().as_deref() == Some("notebook-sum"));
        combo.map(|n| n.rect())
    };
    for _ in 0..20 {
        if gradient(&h).is_some_and(|r| r.bottom() < 860.0) {
            break;
        }
        let combo = h.get_all_by_role(Role::ComboBox).find(|n| n.value().as_deref() == Some("notebook-sum"));
        combo.expect("the gradient selector").scroll_down();
        h.step();
    }
    for _ in 0..4 {
        h.step();
    }
    h.get_all_by_role(Role::ComboBox).find(|n| n.value().as_deref() == Some("notebook-sum")).expect("it").click();
    h.step();
    h.step();
    h.get_by_label("analytic").click();
    done(&mut h, 3);
    // 5. Select the PyTorch run and type 4 × 0.01.
    next_page(&mut h, 4);
    wait_until(&mut h, "the preset's runs again", |a| {
        a.snapshot().runs.iter().any(|r| r.spec.name == "NumPy (hand-written sum)")
    });
    not_yet(&h, 4);
    click_run(&mut h, "PyTorch autograd");
    type_into(&mut h, LR_VALUE, "4*0.01");
    done(&mut h, 4);
    // 6. The gradient at step 0: −2·mean(x·y) = −45.
    next_page(&mut h, 5);
    not_yet(&h, 5);
    type_answer(&mut h, "-2*22.5");
    done(&mut h, 5);
    assert_eq!(
        pages,
        Some(7),
        "the last page is walked in the_notebook_exercise_page_ticks_only_when_an_exercise_is_solved"
    );
}
