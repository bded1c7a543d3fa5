//! The lesson panel: a side panel with the open lesson's page (its text, Prev / Reset page / Next, the task and
//! whether it is done ✓, hints on request, a typed answer where the task asks for one), and the Lessons menu. It
//! only draws the runner ([`crate::app::lesson`]) and pushes actions; the runner's state and handlers live beside
//! `App::apply`.

use egui::{RichText, Ui};

use crate::app::explain::{Explain, Explainer};
use crate::app::jobs::ExportKind;
use crate::app::lesson::{LessonProgress, LessonRunner, PageInput};
use crate::app::state::Action;
use crate::app::theme::Palette;
use crate::explain::topics::Topic;
use crate::lesson::{self, Lesson, Page};

/// The lesson column's width at first, in points (the learner can drag it wider).
pub const LESSON_COLUMN_WIDTH: f32 = 256.0;

/// The lesson's side panel, while a lesson is open.
pub fn lesson_side_ui(
    ui: &mut Ui,
    runner: &LessonRunner,
    input: &mut PageInput,
    look: (Palette, &Explainer),
    actions: &mut Vec<Action>,
) {
    if runner.open().is_none() {
        return;
    }
    // As narrow as a column of text stays readable (about 36 characters a line): the page's views get the rest.
    egui::Panel::right("lesson")
        .resizable(true)
        .default_size(LESSON_COLUMN_WIDTH)
        .size_range(220.0..=480.0)
        .show(ui, |ui| lesson_panel_ui(ui, runner, input, look, actions));
}

/// The panel: title, page buttons, Prev / Reset page / Next, then (scrolling) the text, the task, hints.
pub fn lesson_panel_ui(
    ui: &mut Ui,
    runner: &LessonRunner,
    input: &mut PageInput,
    (palette, ex): (Palette, &Explainer),
    actions: &mut Vec<Action>,
) {
    let Some((_, lesson, page)) = runner.open() else {
        return;
    };
    let n = lesson.pages.len();
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(&lesson.title).strong().size(15.0)).explain(ex, Topic::Lessons);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .small_button("Close")
                .explain_with(ex, Topic::Lessons, "Close the lesson (its progress stays).")
                .clicked()
            {
                actions.push(Action::CloseLesson);
            }
        });
    });
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        for k in 0..n {
            if ui
                .selectable_label(k == page, format!("{}", k + 1))
                .explain_with(ex, Topic::Lessons, &lesson.pages[k].title)
                .clicked()
            {
                actions.push(Action::LessonGo(k));
            }
            if runner.is_done(k) {
                check_mark_ui(ui, palette.converged, &format!("page {} done", k + 1));
            }
        }
    });
    ui.horizontal(|ui| {
        let prev = ui.add_enabled(page > 0, egui::Button::new("◀ Prev")).explain(ex, Topic::Lessons);
        if prev.on_disabled_hover_text(crate::app::disabled::prev_page(page).unwrap_or_default()).clicked() {
            actions.push(Action::LessonGo(page - 1));
        }
        if ui
            .button("Reset page")
            .explain_with(ex, Topic::Lessons, "Set this page up again: its data, runs and tab.")
            .clicked()
        {
            actions.push(Action::LessonGo(page));
        }
        let next = ui.add_enabled(page + 1 < n, egui::Button::new("Next ▶")).explain(ex, Topic::Lessons);
        if next.on_disabled_hover_text(crate::app::disabled::next_page(page, n).unwrap_or_default()).clicked() {
            actions.push(Action::LessonGo(page + 1));
        }
    });
    ui.separator();
    let done = runner.is_done(page);
    let Some(page_data) = lesson.pages.get(page) else {
        return;
    };
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        page_body_ui(ui, page_data, (page, n, done), input, (palette, ex));
        if page + 1 == n && !lesson.learned.is_empty() {
            learned_ui(ui, &lesson.learned, palette);
        }
    });
}

/// The last page's summary: what the lesson taught, one sentence a line.
fn learned_ui(ui: &mut Ui, learned: &[String], palette: Palette) {
    ui.add_space(8.0);
    egui::Frame::new().fill(palette.converged_fill).corner_radius(6.0).inner_margin(egui::Margin::same(6)).show(
        ui,
        |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(labels::LEARNED).strong());
            for line in learned {
                ui.label(format!("• {line}"));
            }
        },
    );
}

/// The texts tests find the lesson panel's parts by.
pub mod labels {
    /// The heading of the last page's summary.
    pub const LEARNED: &str = "What you learned";
}

/// The page's title, text, task with its status, answer field and hints.
fn page_body_ui(
    ui: &mut Ui,
    page: &Page,
    (k, n, done): (usize, usize, bool),
    input: &mut PageInput,
    (palette, ex): (Palette, &Explainer),
) {
    ui.label(RichText::new(format!("Page {} of {n} · {}", k + 1, page.title)).heading()).explain(ex, Topic::Lessons);
    ui.add_space(4.0);
    crate::app::markdown::markdown_ui(ui, &page.text);
    if page.check.is_some() || !page.task.is_empty() {
        egui::Frame::new().fill(palette.card).corner_radius(6.0).inner_margin(egui::Margin::same(6)).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                let (mark, color) = if done { ("done", palette.converged) } else { ("○ to do", palette.warning) };
                ui.label(RichText::new(format!("Task — {mark}")).strong().color(color)).explain(ex, Topic::Lessons);
                if done {
                    check_mark_ui(ui, color, "task done");
                }
            });
            crate::app::markdown::markdown_ui(ui, &page.task);
            if page.check.as_ref().is_some_and(|c| c.wants_answer()) {
                ui.horizontal(|ui| {
                    ui.label("answer").explain(ex, Topic::Lessons);
                    ui.add(egui::TextEdit::singleline(&mut input.answer).desired_width(120.0))
                        .explain(ex, Topic::Lessons);
                });
            }
        });
    }
    ui.add_space(4.0);
    for hint in page.hints.iter().take(input.hints) {
        ui.label(RichText::new(format!("Hint: {hint}")).italics().color(palette.weak_text)).explain(ex, Topic::Lessons);
    }
    if input.hints < page.hints.len()
        && ui.button(if input.hints == 0 { "Hint" } else { "Another hint" }).explain(ex, Topic::Lessons).clicked()
    {
        input.hints += 1;
    }
}

/// A painted check mark ✓ (the app's fonts have no glyph for it), labelled `label` for screen readers.
fn check_mark_ui(ui: &mut Ui, color: egui::Color32, label: &str) {
    let size = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, response) = ui.allocate_exact_size(egui::vec2(size, size), egui::Sense::hover());
    let label = label.to_string();
    response.widget_info(move || egui::WidgetInfo::labeled(egui::Role::Label, true, &label));
    let p = |x: f32, y: f32| rect.lerp_inside(egui::vec2(x, y));
    let stroke = egui::Stroke::new(size * 0.14, color);
    ui.painter().line(vec![p(0.15, 0.55), p(0.4, 0.8), p(0.88, 0.22)], stroke);
}

/// The Lessons menu of the menu bar: the built-in lessons, each with ✓ once finished or the page it reached, a
/// lesson file, and the current state as a page.
pub fn lessons_menu_ui(
    ui: &mut Ui,
    (progress, palette, ex): (&LessonProgress, Palette, &Explainer),
    actions: &mut Vec<Action>,
) {
    let menu = ui.menu_button("Lessons", |ui| {
        for (name, _) in lesson::BUILTIN {
            let (title, summary, pages) = match Lesson::load(name) {
                Ok(l) => (l.title, l.summary, l.pages.len()),
                Err(e) => (name.to_string(), e, 0),
            };
            let finished = progress.finished(name, pages);
            let label = match progress.reached(name) {
                Some(k) if !finished => format!("{title}  · page {} of {pages}", k + 1),
                _ => title,
            };
            ui.horizontal(|ui| {
                if finished {
                    check_mark_ui(ui, palette.converged, "finished");
                } else {
                    ui.add_space(ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.x);
                }
                if ui.button(label).on_hover_text(summary).clicked() {
                    actions.push(Action::OpenLesson(name.to_string()));
                    ui.close();
                }
            });
        }
        ui.separator();
        let items = [
            (
                "Open lesson file…",
                "Open a teacher's lesson file (TOML; see docs/LESSONS.md).",
                Action::OpenLessonDialog,
            ),
            (
                "Save as lesson page…",
                "Save the data, the runs' settings and the tab as a lesson page's setup (TOML).",
                Action::SaveDialog(ExportKind::LessonPage),
            ),
        ];
        for (label, tip, action) in items {
            if ui.button(label).on_hover_text(tip).clicked() {
                actions.push(action);
                ui.close();
            }
        }
    });
    ex.mark(Topic::Lessons, menu.response.interact_rect);
}
