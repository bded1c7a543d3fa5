//! The lesson runner: the open lesson, its page and the progress in every lesson, and what the app does for lessons
//! (open one, go to a page and set it up, check the page's task, save the current state as a page's setup). Its
//! panel and the Lessons menu only draw it and push actions ([`super::panels::lesson`]).
//!
//! The lesson format, the built-in lessons and the checks are [`crate::lesson`]. Progress (the lesson open, its page,
//! the pages done in every lesson) is saved across launches under its own storage key ([`LessonProgress`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::App;
use super::jobs::JobResult;
use super::state::{Action, Tab};
use super::tabs::exercises::ExercisesState;
use crate::lesson::{self, Facts, Lesson, Locks, Page, RunSetup, Setup, View};
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
    /// The furthest page shown, by lesson (the Lessons menu says "page k of n").
    pub reached: BTreeMap<String, usize>,
}

impl LessonProgress {
    /// True when every page of lesson `spec`, which has `pages` pages, is done.
    pub fn finished(&self, spec: &str, pages: usize) -> bool {
        pages > 0 && self.done.get(spec).is_some_and(|d| (0..pages).all(|k| d.contains(&k)))
    }

    /// The furthest page of lesson `spec` shown or done (also for progress saved before pages reached were).
    pub fn reached(&self, spec: &str) -> Option<usize> {
        let open = (self.lesson.as_deref() == Some(spec)).then_some(self.page);
        let done = self.done.get(spec).and_then(|d| d.last().copied());
        [self.reached.get(spec).copied(), open, done].into_iter().flatten().max()
    }
}

/// The open lesson and the panel's state.
#[derive(Default)]
pub struct LessonRunner {
    open: Option<(String, Lesson)>,
    page: usize,
    progress: LessonProgress,
    /// The page's setup was sent at this snapshot generation and is not in force yet: checks wait for a later
    /// snapshot with the setup's new runs (these ids), or whose runs all stand at step 0 when the runs stay, so that
    /// the runs of the page before cannot pass its task.
    settling: Option<(u64, Vec<RunId>)>,
    /// The speed (steps per second) in force before the lesson opened: a speed set during the lesson stays in it,
    /// and this one comes back when it closes (and is the one saved meanwhile).
    speed_before: Option<f64>,
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

    /// True while a page's setup is on its way to the worker (its check waits).
    pub fn settling(&self) -> bool {
        self.settling.is_some()
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

    /// The views the page shown gets the window for (`None`: no lesson is open, the app's own layout).
    pub fn views(&self) -> Option<Vec<View>> {
        self.current().map(Page::views)
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

    /// The speed to come back to when the lesson closes (`None` without a lesson).
    pub fn speed_before(&self) -> Option<f64> {
        self.speed_before
    }

    /// Closes the lesson; its progress stays.
    pub fn close(&mut self) {
        self.speed_before = None;
        self.open = None;
        self.progress.lesson = None;
    }

    /// Whether the page shown passes its check on `facts` (`None`: no lesson, or a page without a check).
    pub fn passes(&self, facts: &Facts) -> Option<bool> {
        let check = self.current()?.check.as_ref()?;
        Some(lesson::check::check(check, facts))
    }
}

/// What the learner typed and asked for on the page shown: the panel's own widget state, cleared on every page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageInput {
    /// The typed answer.
    pub answer: String,
    /// Hints shown.
    pub hints: usize,
    /// The settings and run list are unfolded beside the page (they fold away on every page).
    pub show_settings: bool,
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
        if self.lesson.open.is_none() {
            self.lesson.speed_before = Some(self.prefs.steps_per_sec);
        }
        self.lesson.open = Some((spec, lesson));
        self.lesson_go(page);
    }

    /// Closes the lesson and brings back the speed in force before it opened.
    pub(super) fn close_lesson(&mut self) {
        if let Some(speed) = self.lesson.speed_before {
            self.apply(Action::SetSpeed(speed));
        }
        self.lesson.close();
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
        if let Some((spec, _)) = &self.lesson.open {
            let furthest = self.lesson.progress.reached.entry(spec.clone()).or_default();
            *furthest = (*furthest).max(page);
        }
        self.lesson_input = PageInput::default();
        let restarts = setup.data.is_some() || setup.preset.is_some() || !setup.runs.is_empty();
        self.lesson.settling = restarts.then_some((self.snap.generation, Vec::new()));
        self.apply_setup(&setup);
        // The page's views get the window: the tab it names opens, and the strip folds away when it names none.
        match self.lesson.views().and_then(|views| views.iter().find_map(|v| v.tab())) {
            Some(tab) => self.apply(Action::OpenTab(tab)),
            None => self.tabs.set_folded(true),
        }
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
        if let Some(tab) = setup.tab.as_deref().and_then(Tab::from_cli_name) {
            self.apply(Action::OpenTab(tab));
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
            tab: Some(self.prefs.tab.cli_name()),
            tolerance: self.snap.tolerance,
        }
    }

    /// Writes the current setup as a lesson page to `path`, in the background.
    pub(super) fn save_lesson_page(&mut self, path: PathBuf) {
        match self.current_setup().to_toml() {
            Ok(text) => self.io.spawn("save-lesson-page", move || {
                let result = crate::files::write_atomically(&path, text.as_bytes())
                    .map(|()| format!("saved the lesson page to {}", path.display()))
                    .map_err(|e| format!("cannot write {}: {e}", path.display()));
                JobResult::Written(result)
            }),
            Err(e) => self.io.error(format!("cannot save the lesson page: {e}")),
        }
    }

    /// The facts the page's check looks at, as of this frame.
    pub fn lesson_facts(&self) -> Facts {
        let tab = if self.tabs.folded_now { String::new() } else { self.prefs.tab.cli_name() };
        let mut facts = Facts::from_snapshot(&self.snap, self.selected_run(), &tab, &self.lesson_input.answer);
        if let Some(exercises) = self.tabs.state::<ExercisesState>() {
            facts.solved.clone_from(&exercises.solved);
        }
        facts
    }

    /// The check of the page shown, once a frame: marks its setup in force once the worker has it, and asks to mark
    /// the page done once its check passes.
    pub(super) fn lesson_check(&mut self, actions: &mut Vec<Action>) {
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
    }
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
    fn progress_says_which_lessons_are_finished_and_how_far_each_got() {
        // As an earlier version saved it: no pages reached.
        let old = r#"{"lesson": "noise", "page": 2, "done": {"noise": [0, 1], "losses": [0, 1, 2, 3, 4]}}"#;
        let mut p: LessonProgress = serde_json::from_str(old).expect("old progress loads");
        assert!(p.finished("losses", 5) && !p.finished("losses", 6) && !p.finished("noise", 5));
        assert!(!p.finished("momentum", 6) && !p.finished("x", 0));
        assert_eq!((p.reached("noise"), p.reached("losses"), p.reached("momentum")), (Some(2), Some(4), None));
        p.reached.insert("momentum".into(), 3);
        p.lesson = None;
        assert_eq!((p.reached("noise"), p.reached("momentum")), (Some(1), Some(3)));
    }

    #[test]
    fn tabs_have_their_command_line_names() {
        assert_eq!(Tab::GradientCheck.cli_name(), "gradient-check");
        for &tab in Tab::all() {
            let name = tab.cli_name();
            assert_eq!(Tab::from_cli_name(&name), Some(tab), "{name}");
        }
    }
}
