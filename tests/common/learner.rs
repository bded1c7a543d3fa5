//! The test learner's hands: what a person does on a lesson page (open the lesson, go to the next page, type into a
//! settings field or the answer field, pick from a selector, click a run, open a tab from the folded strip), each
//! through the UI only, and the two things a learner test checks on every page: not ✓ before the task is done, ✓
//! after.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use descent::app::{App, AppOptions};
use descent::lesson::Lesson;

use super::app::{fast, harness, wait_until};

/// The built-in lesson `name` open at its first page, at engine speed, once its first page is set up.
pub fn open_lesson(name: &str) -> Harness<'static, App> {
    let lesson = Lesson::load(name).expect("a built-in lesson");
    let mut h = harness(AppOptions { lesson: Some((name.into(), lesson)), ..fast() });
    wait_until(&mut h, "the lesson", |a| a.lesson().open().is_some() && !a.lesson().settling());
    for _ in 0..4 {
        h.step();
    }
    h
}

/// Asserts that page `page` (0-based) has no ✓ yet.
pub fn not_yet(h: &Harness<'static, App>, page: usize) {
    assert!(!h.state().lesson().is_done(page), "page {} ticked before its task was done", page + 1);
}

/// Waits until page `page` (0-based) has its ✓.
pub fn done(h: &mut Harness<'static, App>, page: usize) {
    wait_until(h, &format!("page {} done", page + 1), |a| a.lesson().is_done(page));
}

/// Unfolds the settings panel with its one click when a lesson page folds it away.
pub fn unfold_settings(h: &mut Harness<'static, App>) {
    if h.query_by_label("Settings ▸").is_some() {
        h.get_by_label("Settings ▸").click();
        h.step();
        h.step();
    }
}

/// Types `text` into the text field named `name` as a person does: click in, select all, type, Enter.
pub fn type_into(h: &mut Harness<'static, App>, name: &str, text: &str) {
    // A lesson page folds the settings away: the learner unfolds them with one click.
    if h.query_by_role_and_label(Role::TextInput, name).is_none() {
        unfold_settings(h);
    }
    h.get_by_role_and_label(Role::TextInput, name).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_role_and_label(Role::TextInput, name).type_text(text);
    h.step();
    h.key_press(egui::Key::Enter);
    h.step();
    h.step();
}

/// The text shown in the text field named `name`.
pub fn field_text(h: &Harness<'static, App>, name: &str) -> String {
    h.get_by_role_and_label(Role::TextInput, name).value().unwrap_or_default()
}

/// Clicks the lesson panel's button of page `page` (0-based), labelled with its number (the panel is at the right).
pub fn click_page(h: &Harness<'static, App>, page: usize) {
    let label = format!("{}", page + 1);
    h.get_all_by_label(&label).find(|n| n.rect().left() > 1000.0).expect("the page's button").click();
}

/// The lesson panel's answer field (the text input at the right).
pub fn answer_field<'a>(h: &'a Harness<'static, App>) -> egui_kittest::Node<'a> {
    h.get_all_by_role(Role::TextInput).find(|n| n.rect().left() > 1000.0).expect("the answer field")
}

/// Types `text` into the lesson's answer field.
pub fn type_answer(h: &mut Harness<'static, App>, text: &str) {
    answer_field(h).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    answer_field(h).type_text(text);
    h.step();
    h.step();
}

/// Goes to the next page with "Next ▶" and waits until it is set up.
pub fn next_page(h: &mut Harness<'static, App>, page: usize) {
    h.get_by_label("Next ▶").click();
    wait_until(h, "the next page", |a| a.lesson().open().is_some_and(|(_, _, p)| p == page));
    wait_until(h, "the page's setup in force", |a| !a.lesson().settling());
    for _ in 0..4 {
        h.step();
    }
}

/// Clicks the run named `name` in the run list (its name label, the one that senses clicks).
pub fn click_run(h: &mut Harness<'static, App>, name: &str) {
    let before = h.state().selected_run();
    let mut clicked = false;
    let nodes: Vec<egui::Rect> = h.get_all_by_label(name).map(|n| n.rect()).collect();
    for rect in nodes {
        h.drag_at(rect.center());
        h.step();
        h.drop_at(rect.center());
        h.step();
        h.step();
        if h.state().snapshot().run(h.state().selected_run()).is_some_and(|r| r.spec.name == name) {
            clicked = true;
            break;
        }
    }
    assert!(clicked, "no click on {name:?} selected it (selected before: {before:?})");
}

/// Clicks the settings panel's checkbox labelled `label`, scrolled into view (unfolding the panel first when a
/// lesson page folds it).
pub fn tick(h: &mut Harness<'static, App>, label: &str) {
    if h.query_by_role_and_label(Role::CheckBox, label).is_none() {
        unfold_settings(h);
    }
    h.get_by_role_and_label(Role::CheckBox, label).scroll_to_me();
    settle(h);
    h.get_by_role_and_label(Role::CheckBox, label).click();
    settle(h);
}

/// Picks `choice` from the selector (combo box) that now shows `current`, scrolled into view (unfolding the panel
/// first when a lesson page folds it).
pub fn pick(h: &mut Harness<'static, App>, current: &str, choice: &str) {
    let what = format!("the selector showing {current:?}");
    if !h.get_all_by_role(Role::ComboBox).any(|n| n.value().as_deref() == Some(current)) {
        unfold_settings(h);
    }
    let combo = |h: &Harness<'static, App>| {
        h.get_all_by_role(Role::ComboBox).find(|n| n.value().as_deref() == Some(current)).map(|n| n.rect())
    };
    combo(h).unwrap_or_else(|| panic!("{what}"));
    h.get_all_by_role(Role::ComboBox).find(|n| n.value().as_deref() == Some(current)).expect("it").scroll_to_me();
    settle(h);
    let at = combo(h).expect("it");
    h.get_all_by_role(Role::ComboBox).find(|n| n.value().as_deref() == Some(current)).expect("it").click();
    settle(h);
    // The popup's entry: of the nodes labelled `choice` (a plot's axis may say it too), the one nearest the selector.
    let near = |r: egui::Rect| (r.center() - at.center()).length();
    let entry = h.get_all_by_label(choice).min_by(|a, b| near(a.rect()).total_cmp(&near(b.rect())));
    entry.unwrap_or_else(|| panic!("the entry {choice:?}")).click();
    settle(h);
}

/// A few frames for a scroll, a click or a popup to take effect.
fn settle(h: &mut Harness<'static, App>) {
    for _ in 0..4 {
        h.step();
    }
}

/// Opens the tab labelled `label` as a person does on a lesson page that folds the strip: "Tabs ▸", then scroll the
/// strip until the tab is clear of the lesson's panel (left of the page buttons), then click it.
pub fn open_tab(h: &mut Harness<'static, App>, label: &str) {
    if h.query_by_role_and_label(Role::Button, label).is_none() {
        h.get_by_role_and_label(Role::Button, "Tabs ▸").click();
        h.step();
        h.step();
    }
    let panel_left = h.get_all_by_label("1").find(|n| n.rect().left() > 1000.0).expect("page 1's button").rect().left();
    for _ in 0..20 {
        let tab = h.get_by_role_and_label(Role::Button, label);
        if tab.rect().right() < panel_left - 20.0 {
            break;
        }
        tab.scroll_left();
        h.step();
    }
    h.get_by_role_and_label(Role::Button, label).click();
    h.step();
    h.step();
}
