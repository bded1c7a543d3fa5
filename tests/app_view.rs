//! Issue 21, "Room to see": the View menu (the colour-blind run palette, presentation mode), File ▸ Quit and Ctrl+Q,
//! and the Lessons menu's progress with the last page's summary — through the real app (egui_kittest).

mod common;

use common::app::{fast, harness, shows, wait_until};

use descent::app::AppOptions;
use descent::app::panels::lesson::labels::LEARNED;
use descent::app::panels::menu_bar::labels;
use descent::app::state::Persisted;
use descent::lesson::Lesson;
use descent::run_look::RunPalette;
use descent::step_axis::StepAxis;
use egui_kittest::kittest::Queryable;

#[test]
fn the_view_menu_switches_the_run_palette_and_presentation_mode_and_they_are_saved() {
    let mut h = harness(AppOptions::default());
    h.step();
    assert_eq!((h.state().prefs().palette, h.state().prefs().present), (RunPalette::Default, false));
    h.get_by_label(labels::VIEW).click();
    h.run_steps(2);
    h.get_by_label(RunPalette::Colorblind.label()).click();
    wait_until(&mut h, "the colour-blind palette", |a| a.prefs().palette == RunPalette::Colorblind);
    h.get_by_label(labels::VIEW).click();
    h.run_steps(2);
    h.get_by_label(labels::PRESENT).click();
    wait_until(&mut h, "presentation mode", |a| a.prefs().present);
    // Larger text: the body font grows by the presentation scale.
    h.step();
    let body = h.ctx.global_style().text_styles[&egui::TextStyle::Body].size;
    assert_eq!(body, 14.0 * descent::app::theme::PRESENT_TEXT_SCALE);
    h.get_by_label(labels::VIEW).click();
    h.run_steps(2);
    h.get_by_label("first 100 steps").click();
    wait_until(&mut h, "the first 100 steps", |a| a.prefs().step_axis == StepAxis::First(100));
    let saved = Persisted::from_ron(&h.state().persisted().to_ron().expect("ron")).expect("reload");
    assert_eq!((saved.prefs.palette, saved.prefs.present), (RunPalette::Colorblind, true));
    assert_eq!(saved.prefs.step_axis, StepAxis::First(100));
}

/// Every text painted in the last frame: a plot's axis title and tick labels are painted, not accessibility nodes.
fn painted_texts(h: &egui_kittest::Harness<'static, descent::app::App>) -> Vec<String> {
    fn walk(shape: &egui::Shape, out: &mut Vec<String>) {
        match shape {
            egui::Shape::Text(t) => out.push(t.galley.text().to_owned()),
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    h.output().shapes.iter().for_each(|c| walk(&c.shape, &mut out));
    out
}

#[test]
fn log_steps_in_the_view_menu_put_the_step_axes_on_a_log_scale() {
    // A small lr: the notebook's run takes a few hundred steps and stops at 400.
    let engine = descent::cli::EngineArgs { lr: Some(0.001), ..Default::default() };
    let mut h = harness(AppOptions { engine, run: true, after_steps: Some(400), ..fast() });
    wait_until(&mut h, "a few hundred steps", |a| a.snapshot().runs[0].record.step >= 300);
    let texts = painted_texts(&h);
    assert!(texts.iter().any(|t| t == "step") && !texts.iter().any(|t| t == "step (log)"), "{texts:?}");
    h.get_by_label(labels::VIEW).click();
    h.run_steps(2);
    h.get_by_label(&StepAxis::Log.label()).click();
    wait_until(&mut h, "log steps", |a| a.prefs().step_axis == StepAxis::Log);
    h.run_steps(2);
    let texts = painted_texts(&h);
    // The loss and weight plots: the axis title, and ticks at steps 0, 10 and 100 (x = 0, log10 11, log10 101).
    assert!(texts.iter().filter(|t| *t == "step (log)").count() >= 2, "{texts:?}");
    for tick in ["0", "10", "100"] {
        assert!(texts.iter().any(|t| t == tick), "tick {tick} in {texts:?}");
    }
    let saved = Persisted::from_ron(&h.state().persisted().to_ron().expect("ron")).expect("reload");
    assert_eq!(saved.prefs.step_axis, StepAxis::Log, "kept across launches");
}

/// The exponent of a decade label ("10²", "10⁻⁵"), `None` for any other text.
fn decade_exponent(text: &str) -> Option<i32> {
    let rest = text.strip_prefix("10")?;
    let digits: String = rest
        .chars()
        .map(|c| match c {
            '⁻' => Some('-'),
            _ => "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().position(|d| d == c).and_then(|d| char::from_digit(d as u32, 10)),
        })
        .collect::<Option<String>>()?;
    digits.parse().ok()
}

#[test]
fn a_constant_lr_sits_in_a_readable_range_of_the_inside_tabs_lr_plot() {
    // Adam at lr 0.5 without a schedule: a flat lr line at 10^-0.3. Every value the tab's three plots and the loss
    // plot show stays below 10³ (the loss starts at 67.5); the lr plot used to span 10⁻²⁵ to 10²⁵.
    let engine = descent::cli::EngineArgs {
        optimizer: Some(descent::engine::OptimizerKind::Adam),
        lr: Some(0.5),
        ..Default::default()
    };
    let tab = Some(descent::app::state::Tab::Inside);
    let mut h = harness(AppOptions { engine, tab, run: true, after_steps: Some(60), ..fast() });
    wait_until(&mut h, "60 steps", |a| a.snapshot().runs[0].record.step >= 60);
    h.run_steps(2);
    let exponents: Vec<i32> = painted_texts(&h).iter().filter_map(|t| decade_exponent(t)).collect();
    assert!(exponents.contains(&0), "the lr plot labels 10⁰ next to lr 0.5: {exponents:?}");
    assert!(exponents.iter().all(|&e| e < 3), "{exponents:?}");
}

/// True when the last frame asked the window to close.
fn asked_to_close(h: &egui_kittest::Harness<'static, descent::app::App>) -> bool {
    h.output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|v| v.commands.iter().any(|c| matches!(c, egui::ViewportCommand::Close)))
}

#[test]
fn quit_closes_the_window_from_the_file_menu_and_with_ctrl_q() {
    let mut h = harness(AppOptions::default());
    h.step();
    assert!(!asked_to_close(&h));
    h.get_by_label(labels::FILE).click();
    h.run_steps(2);
    h.get_by_label_contains(labels::QUIT).click();
    h.step();
    assert!(asked_to_close(&h), "File ▸ Quit");
    // Ctrl+Q as one key-down event (kittest's key_press steps a frame per event, and the output kept is the last).
    let mut h = harness(AppOptions::default());
    h.step();
    let modifiers = egui::Modifiers::COMMAND;
    h.event(egui::Event::Key { key: egui::Key::Q, pressed: true, modifiers, repeat: false, physical_key: None });
    h.step();
    assert!(asked_to_close(&h), "Ctrl+Q");
}

#[test]
fn the_lessons_menu_shows_the_page_reached_and_the_last_page_sums_up() {
    let lesson = Lesson::load("learning-rate").expect("learning-rate");
    let n = lesson.pages.len();
    let mut h = harness(AppOptions { lesson: Some(("learning-rate".into(), lesson.clone())), ..AppOptions::default() });
    wait_until(&mut h, "the lesson", |a| a.lesson().open().is_some());
    assert!(!shows(&h, LEARNED), "no summary before the last page");
    h.get_by_label(&format!("{}", n)).click();
    wait_until(&mut h, "the last page", |a| a.lesson().open().is_some_and(|(_, _, p)| p + 1 == n));
    assert!(shows(&h, LEARNED), "the last page says what was learned");
    assert!(shows(&h, &lesson.learned[0]), "in the lesson file's words");
    h.get_by_label("Lessons").click();
    h.run_steps(2);
    assert!(shows(&h, &format!("{}  · page {n} of {n}", lesson.title)), "the menu says how far the lesson got");
}

#[test]
fn a_speed_set_in_a_lesson_stays_in_the_lesson() {
    use descent::app::state::{Action, SPEED_UNLIMITED};
    let lesson = Lesson::load("learning-rate").expect("learning-rate");
    let mut h = harness(AppOptions { lesson: Some(("learning-rate".into(), lesson)), ..AppOptions::default() });
    wait_until(&mut h, "the lesson", |a| a.lesson().open().is_some());
    let before = h.state().prefs().steps_per_sec;
    assert!(before < SPEED_UNLIMITED);
    h.state_mut().push_action(Action::SetSpeed(SPEED_UNLIMITED));
    wait_until(&mut h, "max speed in the lesson", |a| a.prefs().steps_per_sec == SPEED_UNLIMITED);
    assert_eq!(h.state().persisted().prefs.steps_per_sec, before, "what is saved is the speed of before");
    h.get_by_label("Close").click();
    wait_until(&mut h, "the lesson closed", |a| a.lesson().open().is_none());
    assert_eq!(h.state().prefs().steps_per_sec, before, "the speed of before comes back");
}
