//! Where the app's state changes: every [`Action`] a view, a key or a test pushes during a frame passes through the
//! one `match` of [`App::apply`], after drawing (as rerun's command handling does). Views never change app state
//! themselves; they describe the change and this module carries it out (preferences, the run list, worker commands).

use std::sync::Arc;

use super::App;
use super::jobs::FilePurpose;
use super::panels::run_list::{free_color, ghost_color, prefix};
use super::state::{self, Action, LR_RANGE, Prefs};
use crate::engine::settings::Settings;
use crate::presets::{MAX_RUNS, Preset};
use crate::worker::{Command, Mode, RunId, RunSpec};

impl App {
    /// Queues an action, applied after the next frame is drawn.
    pub fn push_action(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Applies the actions of this frame, in order.
    pub(super) fn apply_actions(&mut self) {
        for action in std::mem::take(&mut self.actions) {
            self.apply(action);
        }
    }

    /// Carries out one action.
    pub(super) fn apply(&mut self, action: Action) {
        if matches!(action, Action::Step(_) | Action::ToggleRun | Action::Reset) {
            self.runs.scrub = None;
        }
        // What can be undone: the experiment as it stands before the change.
        if matches!(action, Action::EditData(_) | Action::RemoveRun(_) | Action::LoadPreset(_)) {
            self.undo.record(self.current_session());
        }
        match action {
            Action::Step(n) => self.worker.send(Command::Step(n)),
            Action::ToggleRun => self.toggle_run(),
            Action::Reset => self.worker.send(Command::Reset),
            Action::SetSettings(s) => self.send_settings(self.selected_run(), s),
            Action::SetStart { w, b } => {
                let mut s = self.selected_settings();
                s.w0 = w;
                s.b0 = b;
                self.send_settings(self.selected_run(), s);
                self.worker.send(Command::Reset);
            }
            Action::SetData(spec) => self.load_data_async(spec),
            Action::EditData(data) => self.set_data_now(data),
            Action::OpenDataDialog => self.open_data_dialog(),
            Action::OpenSessionDialog => self.open_session_dialog(),
            Action::SaveDialog(kind) => self.save_dialog(kind),
            Action::OpenPath(FilePurpose::OpenData, path) => self.load_data_file(&path),
            Action::OpenPath(FilePurpose::OpenSession, path) => self.open_session_file(path),
            Action::OpenPath(FilePurpose::OpenLesson, path) => self.open_lesson_file(path),
            Action::OpenPath(FilePurpose::Save(kind), path) | Action::SaveTo(kind, path) => self.export_to(kind, path),
            Action::Notify(text) => self.io.info(text),
            Action::Undo => self.undo_redo(true),
            Action::Redo => self.undo_redo(false),
            Action::OpenPngDialog => self.open_png_dialog(),
            Action::OpenGifDialog => self.exports.gif_dialog = true,
            Action::SetTolerance(t) => {
                if t.is_finite() && t >= 0.0 {
                    self.prefs.tolerance = t;
                    self.worker.send(Command::SetTolerance(Some(t)));
                }
            }
            Action::SetSpeed(v) => {
                if v.is_finite() {
                    self.prefs.steps_per_sec = v.clamp(state::SPEED_MIN, state::SPEED_UNLIMITED);
                    self.worker.send(Command::SetSpeed(self.prefs.speed()));
                }
            }
            // The + and − keys obey the lesson's lock on the learning rate like the slider does.
            Action::ScaleLr(_) if self.lesson.locks().lr != crate::lesson::Lock::Free => {}
            Action::ScaleLr(f) => {
                let mut s = self.selected_settings();
                s.optimizer.lr = (s.optimizer.lr * f).clamp(*LR_RANGE.start(), *LR_RANGE.end());
                self.send_settings(self.selected_run(), s);
            }
            Action::ToggleLogScale => self.prefs.log_loss = !self.prefs.log_loss,
            Action::SetDark(d) => self.prefs.dark = d,
            Action::SetPalette(p) => self.prefs.palette = p,
            Action::SetPresent(on) => self.prefs.present = on,
            Action::SetStepAxis(a) => self.prefs.step_axis = a,
            Action::Quit => self.quit_requested = true,
            Action::SetShowTangent(v) => self.prefs.show_tangent = v,
            Action::SetShowNext(v) => self.prefs.show_next = v,
            Action::SetShowTheory(v) => self.prefs.show_theory = v,
            Action::SetShowBatches(v) => self.prefs.show_batches = v,
            Action::SetShowShares(v) => self.prefs.show_shares = v,
            Action::ToggleExplain => self.prefs.explain = !self.prefs.explain,
            Action::ResetToDefaults => self.reset_to_defaults(),
            Action::ToggleTab(tab) if self.prefs.tab == tab && !self.tabs.folded_now => self.tabs.set_folded(true),
            Action::OpenTab(tab) | Action::ToggleTab(tab) => {
                self.prefs.tab = tab;
                self.tabs.set_folded(false);
            }
            Action::AddRun => self.add_run(None),
            Action::DuplicateRun(of) => self.add_run(Some(of)),
            Action::RemoveRun(id) => self.remove_run(id),
            Action::SelectRun(id) => {
                if self.snap.run(id).is_some() {
                    self.runs.select(id);
                }
            }
            Action::ToggleHidden(id) => {
                self.runs.solo = None;
                if !self.runs.hidden.remove(&id) {
                    self.runs.hidden.insert(id);
                }
            }
            Action::Solo(id) => self.runs.solo = if self.runs.solo == Some(id) { None } else { Some(id) },
            Action::RenameRun(id, name) => {
                if let Some(run) = self.snap.run(id) {
                    self.worker.send(Command::SetStyle(id, name, run.spec.color));
                }
            }
            Action::SetRunLr(id, lr) => {
                if let Some(run) = self.snap.run(id) {
                    let mut s = run.spec.settings.clone();
                    s.optimizer.lr = lr;
                    self.send_settings(id, s);
                }
            }
            Action::LoadPreset(p) => self.load_preset(p),
            Action::Scrub(k) => self.runs.scrub = k,
            Action::Branch(of, k) => self.branch(of, k),
            Action::OpenLesson(spec) => self.open_lesson_spec(&spec),
            Action::OpenLessonDialog => self.file_dialog(FilePurpose::OpenLesson),
            Action::LessonGo(page) => self.lesson_go(page),
            Action::LessonDone(page) => self.lesson.mark_done(page),
            Action::CloseLesson => self.close_lesson(),
        }
    }

    /// Restores the experiment before the last change (or after the last undo), replaying every run to its step.
    fn undo_redo(&mut self, undo: bool) {
        let now = self.current_session();
        let Some(before) = (if undo { self.undo.undo(now) } else { self.undo.redo(now) }) else {
            self.io.info(if undo { "nothing to undo" } else { "nothing to redo" });
            return;
        };
        match self.open_session(&before) {
            Ok(()) => self.io.info(if undo { "undone" } else { "redone" }),
            Err(e) => self.io.error(format!("cannot restore: {e}")),
        }
    }

    fn toggle_run(&mut self) {
        if matches!(self.snap.mode, Mode::Running { .. }) {
            self.worker.send(Command::Pause);
            return;
        }
        match self.after_steps {
            Some(n) if self.snap.runs.iter().any(|r| r.record.step < n) => self.worker.send(Command::RunUntil(n)),
            _ => self.worker.send(Command::Run),
        }
    }

    /// Sends valid settings to a run (invalid ones are dropped: the panel shows why next to the field).
    fn send_settings(&mut self, id: RunId, settings: Settings) {
        if settings.validate().is_ok() {
            self.runs.expect_settings(id, settings.clone());
            self.worker.send(Command::SetSettings(id, settings));
        }
    }

    fn reset_to_defaults(&mut self) {
        let d = Prefs::default();
        if self.prefs.data != d.data {
            self.apply(Action::SetData(d.data.clone()));
        }
        self.prefs = Prefs { data: self.prefs.data.clone(), ..d };
        self.controls.data_error = None;
        let id = self.selected_run();
        self.runs.expect_settings(id, Settings::default());
        self.worker.send(Command::SetSettings(id, Settings::default()));
        self.worker.send(Command::SetTolerance(Some(self.prefs.tolerance)));
        self.worker.send(Command::SetSpeed(self.prefs.speed()));
        self.worker.send(Command::Reset);
    }

    /// Replaces every run by the preset's runs, selects the first and resets.
    pub fn load_preset(&mut self, preset: Preset) {
        if preset == Preset::Notebook && self.prefs.data != "notebook" {
            self.apply(Action::SetData("notebook".into()));
        }
        let snap = self.worker.snapshot();
        let specs = preset.specs(&self.selected_settings());
        for id in self.runs.every_run(&snap) {
            self.worker.send(Command::RemoveRun(id));
        }
        self.runs.clear();
        let mut first = None;
        for spec in specs {
            let id = self.runs.fresh_id();
            first.get_or_insert((id, spec.settings.clone()));
            self.worker.send(Command::AddRun(id, spec));
        }
        if let Some((id, settings)) = first {
            self.runs.select(id);
            self.runs.expect_settings(id, settings);
        }
        self.worker.send(Command::Reset);
        self.io.info(preset.watch());
    }

    /// A new run with the selected run's settings, or a copy of run `of`; it becomes the selected run.
    fn add_run(&mut self, of: Option<RunId>) {
        let snap = Arc::clone(&self.snap);
        let (name, settings) = match of {
            None => (None, self.selected_settings()),
            Some(of) => match snap.run(of) {
                Some(run) => (Some(format!("{} (copy)", run.spec.name)), run.spec.settings.clone()),
                None => return,
            },
        };
        let Some(id) = self.runs.id_for_new_run(&snap) else {
            return self.io.info(format!("at most {MAX_RUNS} runs: remove one to add another"));
        };
        let name = name.unwrap_or_else(|| settings.default_name());
        let spec = RunSpec { name, color: free_color(&snap), settings };
        self.runs.select(id);
        self.runs.expect_settings(id, spec.settings.clone());
        self.worker.send(Command::AddRun(id, spec));
    }

    fn remove_run(&mut self, id: RunId) {
        let snap = Arc::clone(&self.snap);
        if snap.runs.len() <= 1 {
            return;
        }
        self.worker.send(Command::RemoveRun(id));
        self.runs.forget(id);
        if self.runs.selected == id
            && let Some(other) = snap.runs.iter().find(|r| r.id != id)
        {
            self.runs.select(other.id);
        }
    }

    /// A new run from run `of`'s state at step `k`, with the selected run's settings, drawn as a ghost.
    fn branch(&mut self, of: RunId, k: u64) {
        let snap = Arc::clone(&self.snap);
        let Some(run) = snap.run(of) else {
            return;
        };
        let Some(id) = self.runs.id_for_new_run(&snap) else {
            return self.io.info(format!("at most {MAX_RUNS} runs: remove one to branch"));
        };
        let settings = self.selected_settings();
        // A ghost of the original: its colour, paler (a free colour when that tint is taken).
        let tint = ghost_color(run.spec.color);
        let color = if snap.runs.iter().any(|r| r.spec.color == tint) { free_color(&snap) } else { tint };
        let spec = RunSpec { name: format!("{} from step {k}", run.spec.name), color, settings };
        self.worker.send(Command::AddRunFrom(id, spec, prefix(&run.history, k)));
        self.runs.ghosts.insert(id);
        self.runs.scrub = None;
    }
}
