//! Start-up policy: how the app's first state follows from what was stored at the last exit, the command line,
//! a preset, restored comparison runs and a session. [`StartupPlan::resolve`] is a pure function of those inputs
//! (tested rule by rule below); `App::new` only carries the plan out (loads the data, spawns the worker).
//!
//! The rules, in order of precedence:
//! 1. Stored preferences and settings are the base (sanitized), or the defaults when nothing is stored.
//! 2. Any engine option on the command line replaces the stored settings and data by the defaults plus those options.
//! 3. `--preset` replaces the single run by the preset's runs (built on the settings of 1–2); the notebook preset
//!    also uses the notebook's data.
//! 4. Comparison runs stored at the last exit come back, only when neither a preset, a session nor an engine option
//!    was given.
//! 5. A session (`--session`) is opened on top of all this, replacing data and runs.
//! 6. `--tab` opens that tab (over the stored one).
//! 7. `--run` starts running; with `--after-steps N` (or a screenshot with N) it runs until step N. A screenshot of
//!    a run goes at unlimited speed.
//! 8. `--lesson` (or the lesson open at the last exit) opens last, in `App::new`: its page's setup replaces the data
//!    and runs it names.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicI32;

use super::state::{self, Persisted, Prefs};
use crate::cli::EngineArgs;
use crate::engine::data::Dataset;
use crate::presets::{MAX_RUNS, Preset, run_color};
use crate::session::{Session, SessionRun};
use crate::worker::{Command, RunId, RunSpec, Speed};

/// How the app starts.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// Load the saved settings at start and save them on exit (off for tests and `--screenshot`).
    pub persist: bool,
    /// Engine options from the command line; when any is given the app starts from them (on top of the defaults)
    /// instead of the saved settings.
    pub engine: EngineArgs,
    /// The data named on the command line, already loaded (`None`: the saved data, or the notebook's).
    pub data: Option<Dataset>,
    /// Start running at once.
    pub run: bool,
    /// Stop running at this step.
    pub after_steps: Option<u64>,
    /// Save a PNG of the window here once the run is done (or after the first frames), then close.
    pub screenshot: Option<PathBuf>,
    /// `--export-view`: draw this view alone, filling the window ([`crate::app::solo`]), so that `screenshot` is a
    /// PNG of it, asked at this size in pixels.
    pub export_view: Option<(crate::lesson::View, [u32; 2])>,
    /// Override the speed (steps per second; ≥ [`state::SPEED_UNLIMITED`] is unlimited).
    pub steps_per_sec: Option<f64>,
    /// Set to the process exit code (0, or 1 when the screenshot cannot be saved).
    pub exit_code: Arc<AtomicI32>,
    /// Start with a preset's runs (`notebook`, `race`; see [`Preset`]).
    pub preset: Option<String>,
    /// A session to open at launch (`--session FILE`, already read and checked).
    pub session: Option<Session>,
    /// Shrink the first window to fit its screen when it is larger (off when `--window-size` fixes the size).
    pub fit_to_screen: bool,
    /// The UI zoom to start with (`--zoom`; otherwise the one egui remembers).
    pub zoom: Option<f32>,
    /// The tab to open, unfolded (`--tab`; otherwise the stored one).
    pub tab: Option<state::Tab>,
    /// Start with the 3-D surface instead of the contour map (`--surface`).
    pub surface: bool,
    /// Start in the dark (`Some(true)`) or light theme (`--theme`; otherwise the stored one).
    pub dark: Option<bool>,
    /// The run palette to start with (`--palette`; otherwise the stored one).
    pub palette: Option<crate::run_look::RunPalette>,
    /// The step axes to start with (`--step-axis`; otherwise the stored one).
    pub step_axis: Option<crate::step_axis::StepAxis>,
    /// Start in presentation mode (`--present`; otherwise as stored).
    pub present: bool,
    /// A lesson to open at launch (`--lesson NAME|PATH`, already read and checked): how it is remembered (a
    /// built-in's name or the file's path) and the lesson. Opened on top of everything else, at its saved page.
    pub lesson: Option<(String, crate::lesson::Lesson)>,
}

/// Where the first data comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum DataSource {
    /// Already loaded (named on the command line).
    Given(Dataset),
    /// A preset name or a CSV path to load (falling back to the notebook's data, with a notice, when it fails).
    Load(String),
}

/// The app's first state.
#[derive(Clone, Debug)]
pub struct StartupPlan {
    /// The preferences to start with.
    pub prefs: Prefs,
    /// The data every run fits.
    pub data: DataSource,
    /// The runs the worker starts with (at least one); the first is selected.
    pub runs: RunSpecs,
    /// Runs restored hidden.
    pub hidden: Vec<RunId>,
    /// The worker's speed.
    pub speed: Speed,
    /// Start running at once.
    pub start: Option<StartRun>,
    /// A screenshot waits for the run to end (rather than for the first frames).
    pub screenshot_waits_for_run: bool,
}

/// How the first run starts at launch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartRun {
    /// Run until every run has converged or diverged.
    Run,
    /// Run until every run reaches this step.
    Until(u64),
}

impl StartRun {
    /// The worker command.
    pub fn command(self) -> Command {
        match self {
            StartRun::Run => Command::Run,
            StartRun::Until(n) => Command::RunUntil(n),
        }
    }
}

/// The id of the run the app starts with.
pub const MAIN_RUN: RunId = RunId(0);

impl StartupPlan {
    /// The plan for `options`, given what was stored at the last exit (`saved`, `saved_runs`; pass `None` and an
    /// empty list when the app does not persist).
    pub fn resolve(saved: Option<Persisted>, saved_runs: &[SessionRun], options: &AppOptions) -> StartupPlan {
        let mut persisted = saved.unwrap_or_default().sanitized();
        let engine_given = options.engine.any_given();
        if engine_given {
            persisted.settings = options.engine.settings();
            persisted.prefs.data = options.engine.data.clone().unwrap_or_else(|| "notebook".into());
        }
        if let Some(v) = options.steps_per_sec {
            persisted.prefs.steps_per_sec = v.clamp(state::SPEED_MIN, state::SPEED_UNLIMITED);
        }
        let mut speed = persisted.speed();
        if options.screenshot.is_some() && (options.run || options.after_steps.is_some()) {
            // Documentation images: the final state, as fast as the engine goes.
            speed = Speed::Unlimited;
            persisted.prefs.steps_per_sec = state::SPEED_UNLIMITED;
        }
        let preset = options.preset.as_deref().and_then(Preset::parse);
        let (settings, mut prefs) = persisted.into_parts();
        if let Some(tab) = options.tab {
            prefs.tab = tab;
        }
        if let Some(dark) = options.dark {
            prefs.dark = dark;
        }
        if let Some(palette) = options.palette {
            prefs.palette = palette;
        }
        if let Some(axis) = options.step_axis {
            prefs.step_axis = axis;
        }
        prefs.present |= options.present;
        let mut runs = match preset {
            Some(p) => p.specs(&settings).into_iter().enumerate().map(|(i, s)| (RunId(i as u32), s)).collect(),
            None => {
                let name = settings.default_name();
                vec![(MAIN_RUN, RunSpec { name, color: run_color(0), settings })]
            }
        };
        let mut data = match &options.data {
            Some(d) => DataSource::Given(d.clone()),
            None => DataSource::Load(prefs.data.clone()),
        };
        // The notebook's two loops run on the notebook's data.
        let given_notebook = matches!(&data, DataSource::Given(d) if d.name == "notebook");
        if preset == Some(Preset::Notebook) && !given_notebook {
            prefs.data = "notebook".into();
            data = DataSource::Load("notebook".into());
        }
        // Comparison runs come back at the next launch (at their start), unless the command line says otherwise.
        let mut hidden = Vec::new();
        if options.persist
            && preset.is_none()
            && options.session.is_none()
            && !engine_given
            && let Some((specs, h)) = restored_runs(saved_runs)
        {
            runs = specs;
            hidden = h;
        }
        let start = match (options.run, options.after_steps) {
            (_, Some(n)) if options.run || options.screenshot.is_some() => Some(StartRun::Until(n)),
            (true, _) => Some(StartRun::Run),
            _ => None,
        };
        let screenshot_waits_for_run = options.run || (options.after_steps.is_some() && options.screenshot.is_some());
        StartupPlan { prefs, data, runs, hidden, speed, start, screenshot_waits_for_run }
    }
}

/// Runs as the worker starts them.
type RunSpecs = Vec<(RunId, RunSpec)>;

/// The runs to start with from those saved at the last exit, and which of them are hidden; `None` when there is
/// nothing usable to restore (fewer than two runs, too many, or settings this version refuses).
fn restored_runs(saved: &[SessionRun]) -> Option<(RunSpecs, Vec<RunId>)> {
    let usable = (2..=MAX_RUNS).contains(&saved.len()) && saved.iter().all(|r| r.settings.validate().is_ok());
    if !usable {
        return None;
    }
    let specs = saved
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (RunId(i as u32), RunSpec { name: r.name.clone(), color: r.colour, settings: r.settings.clone() })
        })
        .collect();
    let hidden = saved.iter().enumerate().filter(|(_, r)| !r.visible).map(|(i, _)| RunId(i as u32)).collect();
    Some((specs, hidden))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::optim::OptimizerKind;
    use crate::engine::{GradientSource, Settings};

    fn saved(n: usize) -> Vec<SessionRun> {
        (0..n).map(|i| SessionRun::new(format!("run {i}"), Settings::default(), run_color(i))).collect()
    }

    fn stored() -> Persisted {
        let mut p = Persisted::default();
        (p.prefs.data, p.prefs.dark, p.prefs.steps_per_sec) = ("noisy".into(), false, 30.0);
        p.settings.optimizer.lr = 0.05;
        p
    }

    fn persistent() -> AppOptions {
        AppOptions { persist: true, ..AppOptions::default() }
    }

    #[test]
    fn theme_option_overrides_the_stored_theme() {
        for dark in [true, false] {
            let plan = StartupPlan::resolve(Some(stored()), &[], &AppOptions { dark: Some(dark), ..persistent() });
            assert_eq!(plan.prefs.dark, dark);
        }
    }

    #[test]
    fn the_step_axis_option_overrides_the_stored_one() {
        use crate::step_axis::StepAxis;
        let mut saved = stored();
        saved.prefs.step_axis = StepAxis::First(100);
        let plan = StartupPlan::resolve(Some(saved.clone()), &[], &persistent());
        assert_eq!(plan.prefs.step_axis, StepAxis::First(100), "kept across launches");
        let options = AppOptions { step_axis: Some(StepAxis::Log), ..persistent() };
        assert_eq!(StartupPlan::resolve(Some(saved), &[], &options).prefs.step_axis, StepAxis::Log);
    }

    #[test]
    fn palette_and_presentation_options_override_the_stored_ones() {
        use crate::run_look::RunPalette;
        let plan = StartupPlan::resolve(Some(stored()), &[], &persistent());
        assert_eq!((plan.prefs.palette, plan.prefs.present), (RunPalette::Default, false));
        let options = AppOptions { palette: Some(RunPalette::Colorblind), present: true, ..persistent() };
        let plan = StartupPlan::resolve(Some(stored()), &[], &options);
        assert_eq!((plan.prefs.palette, plan.prefs.present), (RunPalette::Colorblind, true));
        let mut saved = stored();
        (saved.prefs.palette, saved.prefs.present) = (RunPalette::Colorblind, true);
        let plan = StartupPlan::resolve(Some(saved), &[], &persistent());
        assert_eq!((plan.prefs.palette, plan.prefs.present), (RunPalette::Colorblind, true), "kept across launches");
    }

    #[test]
    fn tab_option_opens_that_tab_over_the_stored_one() {
        let stored_tab = StartupPlan::resolve(Some(stored()), &[], &persistent()).prefs.tab;
        let want = if stored_tab == state::Tab::Ledger { state::Tab::Phase } else { state::Tab::Ledger };
        let plan = StartupPlan::resolve(Some(stored()), &[], &AppOptions { tab: Some(want), ..persistent() });
        assert_eq!(plan.prefs.tab, want);
    }

    #[test]
    fn comparison_runs_are_restored_with_their_visibility() {
        let mut runs = saved(3);
        runs[1].visible = false;
        runs[2].settings.optimizer.lr = 0.05;
        let (specs, hidden) = restored_runs(&runs).expect("three runs restore");
        assert_eq!(specs.len(), 3);
        assert_eq!(specs[2].0, RunId(2));
        assert_eq!(specs[2].1.settings.optimizer.lr, 0.05);
        assert_eq!(specs[1].1.name, "run 1");
        assert_eq!(hidden, vec![RunId(1)]);
    }

    #[test]
    fn nothing_unusable_is_restored() {
        assert!(restored_runs(&saved(1)).is_none(), "one run is the persisted settings already");
        assert!(restored_runs(&saved(MAX_RUNS + 1)).is_none());
        let mut bad = saved(2);
        bad[0].settings.optimizer.lr = -1.0;
        assert!(restored_runs(&bad).is_none(), "settings this version refuses");
    }

    #[test]
    fn without_anything_stored_the_app_starts_on_the_defaults() {
        let plan = StartupPlan::resolve(None, &[], &AppOptions::default());
        assert_eq!(plan.prefs, Prefs::default());
        assert_eq!(plan.data, DataSource::Load("notebook".into()));
        assert_eq!(plan.runs.len(), 1);
        assert_eq!(plan.runs[0].0, MAIN_RUN);
        assert_eq!(plan.runs[0].1.settings, Settings::default());
        assert_eq!(plan.start, None);
    }

    #[test]
    fn stored_settings_and_preferences_are_the_base() {
        let plan = StartupPlan::resolve(Some(stored()), &[], &persistent());
        assert_eq!(plan.runs[0].1.settings.optimizer.lr, 0.05);
        assert!(!plan.prefs.dark);
        assert_eq!(plan.data, DataSource::Load("noisy".into()));
        assert_eq!(plan.speed, Speed::StepsPerSec(30.0));
    }

    #[test]
    fn stored_values_this_version_refuses_are_repaired() {
        let mut bad = stored();
        bad.settings.optimizer.lr = -1.0;
        bad.prefs.tolerance = f64::NAN;
        let plan = StartupPlan::resolve(Some(bad), &[], &persistent());
        assert_eq!(plan.runs[0].1.settings, Settings::default());
        assert_eq!(plan.prefs.tolerance, state::DEFAULT_TOLERANCE);
    }

    #[test]
    fn engine_options_replace_the_stored_settings_and_data_but_not_the_display() {
        let engine = EngineArgs { optimizer: Some(OptimizerKind::Adam), ..EngineArgs::default() };
        let plan = StartupPlan::resolve(Some(stored()), &saved(3), &AppOptions { engine, ..persistent() });
        assert_eq!(plan.runs.len(), 1, "no restored runs under engine options");
        assert_eq!(plan.runs[0].1.settings.optimizer.kind, OptimizerKind::Adam);
        assert_eq!(plan.runs[0].1.settings.optimizer.lr, 0.01, "defaults plus the options, not the stored lr");
        assert_eq!(plan.data, DataSource::Load("notebook".into()));
        assert!(!plan.prefs.dark, "display preferences stay");
    }

    #[test]
    fn a_preset_builds_on_the_settings_and_the_notebook_preset_uses_the_notebook_data() {
        let options = AppOptions { preset: Some("notebook".into()), ..persistent() };
        let plan = StartupPlan::resolve(Some(stored()), &saved(3), &options);
        assert_eq!(plan.runs.len(), 2, "the preset's runs, not the restored ones");
        assert_eq!(plan.runs[0].1.settings.gradient, GradientSource::NotebookSum);
        assert_eq!(plan.data, DataSource::Load("notebook".into()));
        assert_eq!(plan.prefs.data, "notebook");
        let race =
            StartupPlan::resolve(Some(stored()), &[], &AppOptions { preset: Some("race".into()), ..persistent() });
        assert_eq!(race.runs.len(), MAX_RUNS);
        assert_eq!(race.data, DataSource::Load("noisy".into()), "the race runs on the current data");
    }

    #[test]
    fn stored_comparison_runs_come_back_only_without_preset_session_or_options() {
        let plan = StartupPlan::resolve(Some(stored()), &saved(3), &persistent());
        assert_eq!(plan.runs.len(), 3);
        let not_persisting = StartupPlan::resolve(Some(stored()), &saved(3), &AppOptions::default());
        assert_eq!(not_persisting.runs.len(), 1);
        let session = Session::new(&Dataset::notebook());
        let with_session = AppOptions { session: Some(session), ..persistent() };
        assert_eq!(StartupPlan::resolve(Some(stored()), &saved(3), &with_session).runs.len(), 1);
    }

    #[test]
    fn run_flags_choose_the_first_command_and_screenshots_run_unlimited() {
        let run = StartupPlan::resolve(None, &[], &AppOptions { run: true, ..AppOptions::default() });
        assert_eq!(run.start, Some(StartRun::Run));
        assert!(run.screenshot_waits_for_run);
        let until =
            StartupPlan::resolve(None, &[], &AppOptions { run: true, after_steps: Some(40), ..AppOptions::default() });
        assert_eq!(until.start, Some(StartRun::Until(40)));
        let paused = StartupPlan::resolve(None, &[], &AppOptions { after_steps: Some(40), ..AppOptions::default() });
        assert_eq!(paused.start, None, "--after-steps alone only caps a later Run");
        let shot = AppOptions {
            after_steps: Some(40),
            screenshot: Some("x.png".into()),
            steps_per_sec: Some(5.0),
            ..AppOptions::default()
        };
        let shot = StartupPlan::resolve(None, &[], &shot);
        assert_eq!(shot.start, Some(StartRun::Until(40)));
        assert_eq!(shot.speed, Speed::Unlimited);
        assert!(shot.screenshot_waits_for_run);
        let slow = StartupPlan::resolve(None, &[], &AppOptions { steps_per_sec: Some(5.0), ..AppOptions::default() });
        assert_eq!(slow.speed, Speed::StepsPerSec(5.0));
    }
}
