//! The lesson runner: a side panel with the open lesson's page (its text, Prev / Reset page / Next, the task and
//! whether it is done ✓, hints on request, a typed answer where the task asks for one), the Lessons menu, and what
//! the app does for lessons (open one, go to a page and set it up, save the current state as a page's setup).
//!
//! The lesson format, the built-in lessons and the checks are [`crate::lesson`]; this module only draws and
//! applies. Progress (the lesson open, its page, the pages done in every lesson) is saved across launches under
//! its own storage key ([`LessonProgress`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use egui::{RichText, Ui};
use serde::{Deserialize, Serialize};

use super::App;
use super::explain::{Explain, Explainer};
use super::jobs::{ExportKind, JobResult};
use super::state::{Action, Tab};
use super::theme::Palette;
use crate::cli::TabName;
use crate::explain::topics::Topic;
use crate::lesson::{self, Facts, Lesson, Locks, Page, RunSetup, Setup};
use crate::worker::{Command, RunId};

/// Storage key of the lesson progress.
pub const PROGRESS_KEY: &str = "descent-lesson";

/// What is saved across launches: the lesson open and its page, and the pages done in every lesson.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LessonProgress {
    /// The open lesson: a built-in's name or a file's path.
    pub lesson: Option<String>,
    /// Its page.
    pub page: usize,
    /// The pages done, by lesson.
    pub done: BTreeMap<String, BTreeSet<usize>>,
}

/// The open lesson and the panel's state.
#[derive(Default)]
pub struct LessonRunner {
    open: Option<(String, Lesson)>,
    page: usize,
    progress: LessonProgress,
    /// The typed answer of this page.
    answer: String,
    /// Hints shown on this page.
    hints: usize,
    /// The page's setup was sent at this snapshot generation and is not in force yet: checks wait for a later
    /// snapshot with the setup's new runs (these ids), or whose runs all stand at step 0 when the runs stay, so that
    /// the runs of the page before cannot pass its task.
    settling: Option<(u64, Vec<RunId>)>,
}

impl LessonRunner {
    /// A runner with the progress saved at the last exit.
    pub fn new(progress: LessonProgress) -> Self {
        LessonRunner { progress, ..Default::default() }
    }

    /// The progress to save.
    pub fn progress(&self) -> &LessonProgress {
        &self.progress
    }

    /// The open lesson (its name or path, and the lesson) and the page shown.
    pub fn open(&self) -> Option<(&str, &Lesson, usize)> {
        self.open.as_ref().map(|(spec, l)| (spec.as_str(), l, self.page))
    }

    fn current(&self) -> Option<&Page> {
        self.open.as_ref().and_then(|(_, l)| l.pages.get(self.page))
    }

    /// The controls the page shown locks or hides.
    pub fn locks(&self) -> Locks {
        self.current().map(|p| p.locks).unwrap_or_default()
    }

    /// True when page `page` of the open lesson is done.
    pub fn is_done(&self, page: usize) -> bool {
        let spec = self.open.as_ref().map(|(s, _)| s.as_str());
        spec.and_then(|s| self.progress.done.get(s)).is_some_and(|d| d.contains(&page))
    }

    /// Marks a page of the open lesson done.
    pub fn mark_done(&mut self, page: usize) {
        if let Some((spec, _)) = &self.open {
            self.progress.done.entry(spec.clone()).or_default().insert(page);
        }
    }

    /// Closes the lesson; its progress stays.
    pub fn close(&mut self) {
        self.open = None;
        self.progress.lesson = None;
    }

    /// Whether the page shown passes its check on `facts` (`None`: no lesson, or a page without a check).
    pub fn passes(&self, facts: &Facts) -> Option<bool> {
        let check = self.current()?.check.as_ref()?;
        Some(lesson::check::check(check, facts))
    }

    /// The typed answer.
    pub fn answer(&self) -> &str {
        &self.answer
    }
}

/// The `--tab` name of a tab ("gradient-check").
pub fn tab_cli_name(tab: Tab) -> String {
    use clap::ValueEnum;
    TabName::value_variants()
        .iter()
        .find(|n| Tab::from(**n) == tab)
        .and_then(|n| n.to_possible_value())
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

impl App {
    /// The lesson runner.
    pub fn lesson(&self) -> &LessonRunner {
        &self.lesson
    }

    /// Opens a built-in lesson at once, or reads a lesson file in the background.
    pub(super) fn open_lesson_spec(&mut self, spec: &str) {
        match lesson::BUILTIN.iter().find(|(n, _)| *n == spec) {
            Some(_) => match Lesson::load(spec) {
                Ok(l) => self.open_lesson(spec.to_string(), l),
                Err(e) => self.io.error(e),
            },
            None => self.open_lesson_file(PathBuf::from(spec)),
        }
    }

    /// Reads and checks a lesson file in the background; an error is shown and nothing changes.
    pub(super) fn open_lesson_file(&mut self, path: PathBuf) {
        self.io.spawn("read-lesson", move || {
            let spec = std::fs::canonicalize(&path).unwrap_or(path).display().to_string();
            JobResult::LessonLoaded(Lesson::load(&spec).map(|l| (spec, l)))
        });
    }

    /// Opens `lesson` (named `spec`) at its saved page, or its first, and sets that page up.
    pub fn open_lesson(&mut self, spec: String, lesson: Lesson) {
        let same = self.lesson.progress.lesson.as_deref() == Some(spec.as_str());
        let page = if same { self.lesson.progress.page.min(lesson.pages.len().saturating_sub(1)) } else { 0 };
        self.io.info(format!("lesson: {}", lesson.title));
        self.lesson.progress.lesson = Some(spec.clone());
        self.lesson.open = Some((spec, lesson));
        self.lesson_go(page);
    }

    /// Shows page `page` of the open lesson and carries out its setup.
    pub(super) fn lesson_go(&mut self, page: usize) {
        let Some((_, lesson)) = &self.lesson.open else {
            return;
        };
        let page = page.min(lesson.pages.len().saturating_sub(1));
        let setup = lesson.pages[page].setup.clone();
        self.lesson.page = page;
        self.lesson.progress.page = page;
        self.lesson.answer.clear();
        self.lesson.hints = 0;
        let restarts = setup.data.is_some() || setup.preset.is_some() || !setup.runs.is_empty();
        self.lesson.settling = restarts.then_some((self.snap.generation, Vec::new()));
        self.apply_setup(&setup);
    }

    /// Carries out what a setup gives: data, runs, tab, tolerance; new data or runs restart every run.
    fn apply_setup(&mut self, setup: &Setup) {
        if let Some(data) = setup.data_spec()
            && data != self.prefs.data
        {
            self.apply(Action::SetData(data));
        }
        let specs = setup.specs(&self.selected_settings());
        if !specs.is_empty() {
            for id in self.runs.every_run(&self.snap) {
                self.worker.send(Command::RemoveRun(id));
            }
            self.runs.clear();
            let mut first = None;
            let mut new_ids = Vec::new();
            for spec in specs {
                let id = self.runs.fresh_id();
                new_ids.push(id);
                first.get_or_insert((id, spec.settings.clone()));
                self.worker.send(Command::AddRun(id, spec));
            }
            if let Some((id, settings)) = first {
                self.runs.select(id);
                self.runs.expect_settings(id, settings);
            }
            if let Some((_, ids)) = &mut self.lesson.settling {
                *ids = new_ids;
            }
        }
        if let Some(tab) = setup.tab.as_deref().and_then(lesson::tab_name) {
            self.apply(Action::OpenTab(Tab::from(tab)));
        }
        if let Some(t) = setup.tolerance {
            self.apply(Action::SetTolerance(t));
        }
        if self.lesson.settling.is_some() {
            self.worker.send(Command::Pause);
            self.worker.send(Command::Reset);
        }
    }

    /// The current state as a page's setup: the data, every run's name and settings, the tab, the tolerance.
    pub fn current_setup(&self) -> Setup {
        Setup {
            data: Some(self.prefs.data.clone()),
            preset: None,
            runs: self
                .snap
                .runs
                .iter()
                .map(|r| RunSetup { name: r.spec.name.clone(), settings: r.spec.settings.clone() })
                .collect(),
            tab: Some(tab_cli_name(self.prefs.tab)).filter(|t| !t.is_empty()),
            tolerance: self.snap.tolerance,
        }
    }

    /// Writes the current setup as a lesson page to `path`, in the background.
    pub(super) fn save_lesson_page(&mut self, path: PathBuf) {
        match self.current_setup().to_toml() {
            Ok(text) => self.io.spawn("save-lesson-page", move || {
                let result = std::fs::write(&path, text)
                    .map(|()| format!("saved the lesson page to {}", path.display()))
                    .map_err(|e| format!("cannot write {}: {e}", path.display()));
                JobResult::Written(result)
            }),
            Err(e) => self.io.error(format!("cannot save the lesson page: {e}")),
        }
    }

    /// The facts the page's check looks at, as of this frame.
    pub fn lesson_facts(&self) -> Facts {
        let tab = if self.tabs.folded_now { String::new() } else { tab_cli_name(self.prefs.tab) };
        let mut facts = Facts::from_snapshot(&self.snap, self.selected_run(), &tab, &self.lesson.answer);
        facts.solved.clone_from(&self.tabs.exercises.solved);
        facts
    }

    /// The lesson's side panel (when a lesson is open), and the check of the page shown.
    pub(super) fn lesson_side_ui(&mut self, ui: &mut Ui, palette: Palette, ex: &Explainer, actions: &mut Vec<Action>) {
        if self.lesson.open.is_none() {
            return;
        }
        if let Some((g, ids)) = &self.lesson.settling
            && self.snap.generation > *g
        {
            let now: Vec<RunId> = self.snap.runs.iter().map(|r| r.id).collect();
            let settled = if ids.is_empty() { self.snap.runs.iter().all(|r| r.record.step == 0) } else { now == *ids };
            if settled {
                self.lesson.settling = None;
            }
        }
        let passed = self.lesson.passes(&self.lesson_facts());
        let page = self.lesson.page;
        if self.lesson.settling.is_none() && passed.unwrap_or(true) && !self.lesson.is_done(page) {
            actions.push(Action::LessonDone(page));
        }
        egui::Panel::right("lesson")
            .resizable(true)
            .default_size(280.0)
            .size_range(220.0..=480.0)
            .show(ui, |ui| lesson_panel_ui(ui, &mut self.lesson, (palette, ex), actions));
    }
}

/// The panel: title, page buttons, Prev / Reset page / Next, then (scrolling) the text, the task, hints.
pub fn lesson_panel_ui(
    ui: &mut Ui,
    runner: &mut LessonRunner,
    (palette, ex): (Palette, &Explainer),
    actions: &mut Vec<Action>,
) {
    let Some((_, lesson)) = &runner.open else {
        return;
    };
    let (n, page) = (lesson.pages.len(), runner.page);
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
        if prev.on_disabled_hover_text(super::disabled::prev_page(page).unwrap_or_default()).clicked() {
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
        if next.on_disabled_hover_text(super::disabled::next_page(page, n).unwrap_or_default()).clicked() {
            actions.push(Action::LessonGo(page + 1));
        }
    });
    ui.separator();
    let done = runner.is_done(page);
    let page_data = lesson.pages[page].clone();
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        page_body_ui(ui, &page_data, (page, n, done), runner, (palette, ex));
    });
}

/// The page's title, text, task with its status, answer field and hints.
fn page_body_ui(
    ui: &mut Ui,
    page: &Page,
    (k, n, done): (usize, usize, bool),
    runner: &mut LessonRunner,
    (palette, ex): (Palette, &Explainer),
) {
    ui.label(RichText::new(format!("Page {} of {n} · {}", k + 1, page.title)).heading()).explain(ex, Topic::Lessons);
    ui.add_space(4.0);
    super::markdown::markdown_ui(ui, &page.text);
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
            super::markdown::markdown_ui(ui, &page.task);
            if page.check.as_ref().is_some_and(|c| c.wants_answer()) {
                ui.horizontal(|ui| {
                    ui.label("answer").explain(ex, Topic::Lessons);
                    ui.add(egui::TextEdit::singleline(&mut runner.answer).desired_width(120.0))
                        .explain(ex, Topic::Lessons);
                });
            }
        });
    }
    ui.add_space(4.0);
    for hint in page.hints.iter().take(runner.hints) {
        ui.label(RichText::new(format!("Hint: {hint}")).italics().color(palette.weak_text)).explain(ex, Topic::Lessons);
    }
    if runner.hints < page.hints.len()
        && ui.button(if runner.hints == 0 { "Hint" } else { "Another hint" }).explain(ex, Topic::Lessons).clicked()
    {
        runner.hints += 1;
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

/// The Lessons menu of the menu bar: the built-in lessons, a lesson file, and the current state as a page.
pub fn lessons_menu_ui(ui: &mut Ui, ex: &Explainer, actions: &mut Vec<Action>) {
    let menu = ui.menu_button("Lessons", |ui| {
        for (name, _) in lesson::BUILTIN {
            let (title, summary) = match Lesson::load(name) {
                Ok(l) => (l.title, l.summary),
                Err(e) => (name.to_string(), e),
            };
            if ui.button(title).on_hover_text(summary).clicked() {
                actions.push(Action::OpenLesson(name.to_string()));
                ui.close();
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips_and_fills_missing_fields() {
        let mut p = LessonProgress { lesson: Some("momentum".into()), page: 2, ..Default::default() };
        p.done.entry("momentum".into()).or_default().extend([0, 1]);
        let back: LessonProgress = serde_json::from_str(&serde_json::to_string(&p).expect("json")).expect("back");
        assert_eq!(back, p);
        let partial: LessonProgress = serde_json::from_str(r#"{"page": 3}"#).expect("partial");
        assert_eq!((partial.lesson, partial.page, partial.done.len()), (None, 3, 0));
    }

    #[test]
    fn tabs_have_their_command_line_names() {
        assert_eq!(tab_cli_name(Tab::GradientCheck), "gradient-check");
        for tab in Tab::ALL {
            let name = tab_cli_name(tab);
            assert_eq!(lesson::tab_name(&name).map(Tab::from), Some(tab), "{name}");
        }
    }
}
