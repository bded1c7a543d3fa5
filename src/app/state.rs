//! The app's state types: its preferences ([`Prefs`]), the save format ([`Persisted`]), the tabs ([`Tab`]), and the
//! [`Action`]s views request, which the app applies after drawing, in one `match` (`apply.rs`).

use serde::{Deserialize, Serialize};

use super::jobs::{ExportKind, FilePurpose};
use crate::engine::settings::Settings;
use crate::presets::Preset;
use crate::run_look::RunPalette;
pub use crate::step_axis::StepAxis;
pub use crate::tab::Tab;
use crate::worker::{RunId, Speed};

/// The speed slider's top value; at the top the worker runs unlimited.
pub const SPEED_UNLIMITED: f64 = 100_000.0;
/// The speed slider's bottom value.
pub const SPEED_MIN: f64 = 1.0;
/// The learning-rate slider's range.
pub const LR_RANGE: std::ops::RangeInclusive<f64> = 1e-5..=10.0;
/// The default convergence tolerance on ‖gradient‖.
pub const DEFAULT_TOLERANCE: f64 = 1e-6;

/// The app's own preferences (everything saved across launches except the runs' settings, which the worker owns).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// The data: a preset name or the path of a CSV file.
    pub data: String,
    /// Stop once ‖gradient‖ ≤ this.
    pub tolerance: f64,
    /// Speed of a run, in steps per second; [`SPEED_UNLIMITED`] and above is unlimited.
    pub steps_per_sec: f64,
    /// Loss axis on a log scale.
    pub log_loss: bool,
    /// Dark theme.
    pub dark: bool,
    /// Draw the tangent line on the landscape.
    pub show_tangent: bool,
    /// Draw the arrow to where the next step lands.
    pub show_next: bool,
    /// Draw the theory overlay (plain full-batch GD's exact trajectory) on the weight and loss plots.
    pub show_theory: bool,
    /// Draw each mini-batch's own loss curve faintly on the landscape.
    pub show_batches: bool,
    /// Draw each sample's residual, loss term and gradient share on the Data tab's scatter.
    pub show_shares: bool,
    /// The selected tab of the bottom strip.
    pub tab: Tab,
    /// Explain mode: hovering anything shows what it is, its formula and its value now.
    pub explain: bool,
    /// The run colours: the default set or the colour-blind-safe one.
    pub palette: RunPalette,
    /// Presentation mode (for a projector): larger text, thicker lines, higher contrast.
    pub present: bool,
    /// The step axes: every step (zoomable; double-click a plot to see all again), steps 0…N only, or log steps.
    pub step_axis: StepAxis,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            data: "notebook".into(),
            tolerance: DEFAULT_TOLERANCE,
            steps_per_sec: 10.0,
            log_loss: true,
            dark: true,
            show_tangent: true,
            show_next: true,
            show_theory: true,
            show_batches: true,
            show_shares: true,
            tab: Tab::default(),
            explain: false,
            palette: RunPalette::Default,
            present: false,
            step_axis: StepAxis::All,
        }
    }
}

impl Prefs {
    /// The worker speed of [`Prefs::steps_per_sec`].
    pub fn speed(&self) -> Speed {
        speed_of(self.steps_per_sec)
    }
}

/// What persists across launches (eframe storage): the selected run's settings and the [`Prefs`], filled when saving
/// and split back into them at start-up. Stored as RON (eframe's format) in the shape every version has written:
/// `settings` and the preferences' fields side by side ([`Persisted::to_ron`], [`Persisted::from_ron`]; RON cannot
/// read serde's `flatten` from that shape).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Persisted {
    /// The selected run's engine settings.
    pub settings: Settings,
    /// The preferences.
    pub prefs: Prefs,
}

/// The step window of a version before the log step axis, `first_steps:Some(100)`, read when the text has no
/// `step_axis` (the preferences' other fields are ignored).
#[derive(Default, Deserialize)]
#[serde(default)]
struct StoredFirstSteps {
    first_steps: Option<u64>,
    #[serde(deserialize_with = "present")]
    step_axis: bool,
}

/// True for a field that is there, whatever its value.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

/// The `settings` field of the stored text (the preferences' fields are ignored).
#[derive(Default, Deserialize)]
#[serde(default)]
struct StoredSettings {
    settings: Settings,
}

impl Persisted {
    /// The save format of `settings` and `prefs`.
    pub fn new(settings: Settings, prefs: &Prefs) -> Self {
        Persisted { settings, prefs: prefs.clone() }
    }

    /// The settings and the preferences this holds.
    pub fn into_parts(self) -> (Settings, Prefs) {
        (self.settings, self.prefs)
    }

    /// The text eframe stores: `(settings:(…),data:"notebook",…)`, the preferences' RON with `settings` first.
    ///
    /// # Errors
    /// A one-line message when RON cannot write a value.
    pub fn to_ron(&self) -> Result<String, String> {
        let settings = ron::ser::to_string(&self.settings).map_err(|e| format!("cannot save the settings: {e}"))?;
        let prefs = ron::ser::to_string(&self.prefs).map_err(|e| format!("cannot save the preferences: {e}"))?;
        let fields = prefs.strip_prefix('(').ok_or_else(|| format!("the preferences saved as “{prefs}”"))?;
        Ok(format!("(settings:{settings},{fields}"))
    }

    /// Reads what [`Persisted::to_ron`] (or an earlier version) stored; missing fields take their defaults.
    ///
    /// # Errors
    /// A one-line message when the text is not such RON.
    pub fn from_ron(text: &str) -> Result<Self, String> {
        let settings = ron::from_str::<StoredSettings>(text).map_err(|e| format!("stored settings: {e}"))?.settings;
        let mut prefs = ron::from_str::<Prefs>(text).map_err(|e| format!("stored preferences: {e}"))?;
        // An older version's "first N steps" (an unreadable one is every step; `sanitized` checks N).
        if let Ok(StoredFirstSteps { first_steps: Some(n), step_axis: false }) = ron::from_str(text) {
            prefs.step_axis = StepAxis::First(n);
        }
        Ok(Persisted { settings, prefs })
    }

    /// The worker speed of the saved [`Prefs::steps_per_sec`].
    pub fn speed(&self) -> Speed {
        self.prefs.speed()
    }

    /// Repairs values a hand-edited or older storage file may hold (non-finite numbers, out-of-range speed).
    pub fn sanitized(mut self) -> Self {
        let d = Prefs::default();
        let p = &mut self.prefs;
        if !(p.tolerance.is_finite() && p.tolerance >= 0.0) {
            p.tolerance = d.tolerance;
        }
        if !p.steps_per_sec.is_finite() {
            p.steps_per_sec = d.steps_per_sec;
        }
        p.steps_per_sec = p.steps_per_sec.clamp(SPEED_MIN, SPEED_UNLIMITED);
        if p.data.trim().is_empty() {
            p.data = d.data;
        }
        if !StepAxis::ALL.contains(&p.step_axis) {
            p.step_axis = StepAxis::All;
        }
        if self.settings.validate().is_err() {
            self.settings = Settings::default();
        }
        self
    }
}

/// The worker speed for a slider value.
pub fn speed_of(steps_per_sec: f64) -> Speed {
    if steps_per_sec >= SPEED_UNLIMITED || !steps_per_sec.is_finite() {
        Speed::Unlimited
    } else {
        Speed::StepsPerSec(steps_per_sec.max(SPEED_MIN))
    }
}

/// A request from a view (a button, a key, a drag on a plot), applied after the frame is drawn.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant, reason = "a handful of actions a frame: their size costs nothing")]
pub enum Action {
    /// Take n steps.
    Step(u64),
    /// Run if paused, pause if running.
    ToggleRun,
    /// Back to the start point, paused.
    Reset,
    /// New settings for the run, in force from its next step (no reset).
    SetSettings(Settings),
    /// A new start point (w₀, b₀), then reset.
    SetStart {
        /// Initial weight.
        w: f64,
        /// Initial bias.
        b: f64,
    },
    /// Load data: a preset name or a CSV path; the run resets.
    SetData(String),
    /// Use this data (an edit in the data editor); every run resets.
    EditData(std::sync::Arc<crate::engine::data::Dataset>),
    /// Open the CSV file dialog (without blocking the UI).
    OpenDataDialog,
    /// Open the session file dialog.
    OpenSessionDialog,
    /// Ask where to save an export or the session, then write it in the background.
    SaveDialog(ExportKind),
    /// Open this data file or session (chosen in a dialog or typed).
    OpenPath(FilePurpose, std::path::PathBuf),
    /// Write this export or the session to this path, in the background.
    SaveTo(ExportKind, std::path::PathBuf),
    /// Say something in a toast (an outcome that changes nothing else).
    Notify(String),
    /// Undo the last data edit, run removal or preset (Ctrl+Z).
    Undo,
    /// Redo what Undo undid (Ctrl+Shift+Z).
    Redo,
    /// Show the GIF export's dialog, on the selected run.
    OpenGifDialog,
    /// Show the "PNG of a view" dialog, on the open tab when it is a view ([`crate::app::solo`]).
    OpenPngDialog,
    /// A new convergence tolerance.
    SetTolerance(f64),
    /// A new speed (slider value, steps per second).
    SetSpeed(f64),
    /// Multiply the learning rate (the + and − keys).
    ScaleLr(f64),
    /// Toggle the loss plot's log scale.
    ToggleLogScale,
    /// Dark or light theme.
    SetDark(bool),
    /// The run colours (View menu).
    SetPalette(RunPalette),
    /// Presentation mode on or off (View menu).
    SetPresent(bool),
    /// How the step axes show the steps: every one, the first N, or on a log scale (View menu).
    SetStepAxis(StepAxis),
    /// Show or hide the tangent line.
    SetShowTangent(bool),
    /// Show or hide the next-step arrow.
    SetShowNext(bool),
    /// Show or hide the theory overlay.
    SetShowTheory(bool),
    /// Restore every persisted setting to its default, and reset.
    ResetToDefaults,
    /// Show this tab below the plots (unfolding the strip).
    OpenTab(Tab),
    /// Show this tab, or fold the strip when it is the tab shown.
    ToggleTab(Tab),
    /// A new run with the selected run's settings.
    AddRun,
    /// A copy of a run (settings; a fresh start).
    DuplicateRun(RunId),
    /// Remove a run (the last one stays).
    RemoveRun(RunId),
    /// Edit this run's settings in the settings panel.
    SelectRun(RunId),
    /// Hide or show a run.
    ToggleHidden(RunId),
    /// Show only this run (again: show all).
    Solo(RunId),
    /// A new name for a run.
    RenameRun(RunId, String),
    /// A new learning rate for a run.
    SetRunLr(RunId, f64),
    /// Replace every run by a preset's.
    LoadPreset(Preset),
    /// Show the state at this step (`None`: live).
    Scrub(Option<u64>),
    /// A new run from this run's state at this step, with the selected run's settings.
    Branch(RunId, u64),
    /// Draw the per-batch loss curves on the landscape or not.
    SetShowBatches(bool),
    /// Draw each sample's residual, loss term and gradient share on the Data tab or not.
    SetShowShares(bool),
    /// Explain mode on or off (F1, the toolbar's "?", the Help menu).
    ToggleExplain,
    /// Open a built-in lesson by name, or a lesson file (read in the background), at its saved page.
    OpenLesson(String),
    /// Show the file dialog to open a lesson file.
    OpenLessonDialog,
    /// Go to this page of the open lesson and set it up (also "Reset page").
    LessonGo(usize),
    /// The open lesson's page passed its check.
    LessonDone(usize),
    /// Close the lesson (its progress stays).
    CloseLesson,
    /// Quit the app (File ▸ Quit, Ctrl+Q): the window closes as with its close button, saving what a close saves.
    Quit,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persisted_settings_round_trip_and_fill_missing_fields_with_defaults() {
        let mut p = Persisted::default();
        (p.prefs.dark, p.prefs.steps_per_sec) = (false, 250.0);
        p.settings.optimizer.lr = 0.05;
        let text = p.to_ron().expect("serialize");
        let back = Persisted::from_ron(&text).expect("deserialize");
        assert_eq!(back, p);
        let partial = Persisted::from_ron("(dark: false, settings: (w0: 1.5))").expect("partial");
        assert!(!partial.prefs.dark);
        assert_eq!(partial.settings.w0, 1.5);
        assert_eq!(partial.settings.optimizer.lr, 0.01);
        assert_eq!(partial.prefs.tolerance, DEFAULT_TOLERANCE);
    }

    /// What eframe stored for the app before the preferences were flattened into `Persisted` (RON, as eframe's
    /// `set_value` writes it): `settings` and every preference side by side.
    const OLD_SAVE: &str = "(settings:(w0:1.5),data:\"noisy\",tolerance:0.001,steps_per_sec:250.0,log_loss:false,\
        dark:false,show_tangent:true,show_next:false,show_theory:true,show_batches:true,show_shares:false,tab:LrSweep,\
        explain:true)";

    #[test]
    fn state_saved_by_earlier_versions_loads_and_saves_in_the_same_shape() {
        let old = Persisted::from_ron(OLD_SAVE).expect("the old save loads");
        let want = Prefs {
            data: "noisy".into(),
            tolerance: 0.001,
            steps_per_sec: 250.0,
            log_loss: false,
            dark: false,
            show_tangent: true,
            show_next: false,
            show_theory: true,
            show_batches: true,
            show_shares: false,
            tab: Tab::LrSweep,
            explain: true,
            palette: RunPalette::Default,
            present: false,
            step_axis: StepAxis::All,
        };
        assert_eq!(old.prefs, want);
        assert_eq!(old.settings.w0, 1.5);
        let text = old.to_ron().expect("ron");
        assert_eq!(Persisted::from_ron(&text).expect("reloads"), old);
        assert!(text.starts_with("(settings:(") && text.contains(",data:\"noisy\",") && text.contains("tab:LrSweep"));
        assert!(!text.contains("prefs"), "the preferences sit beside the settings, not under a key: {text}");
        // What this version writes, the version before read: a struct whose fields are the settings and every
        // preference, so ron reads it as one flat struct.
        #[derive(Deserialize)]
        struct Flat {
            settings: Settings,
            data: String,
            steps_per_sec: f64,
            tab: Tab,
            explain: bool,
        }
        let flat: Flat = ron::from_str(&text).expect("the old shape");
        // The palette and presentation mode are saved beside the others.
        let mut new = old.clone();
        (new.prefs.palette, new.prefs.present) = (RunPalette::Colorblind, true);
        let text = new.to_ron().expect("ron");
        assert!(text.contains("palette:Colorblind") && text.contains("present:true"), "{text}");
        assert_eq!(Persisted::from_ron(&text).expect("reloads"), new);
        assert_eq!(
            (flat.settings.w0, flat.data.as_str(), flat.steps_per_sec, flat.tab, flat.explain),
            (1.5, "noisy", 250.0, Tab::LrSweep, true)
        );
    }

    #[test]
    fn the_step_axis_is_saved_and_an_older_or_unknown_one_still_loads() {
        let mut p = Persisted::default();
        p.prefs.step_axis = StepAxis::Log;
        let text = p.to_ron().expect("ron");
        assert!(text.contains("step_axis:\"log\""), "{text}");
        assert_eq!(Persisted::from_ron(&text).expect("reloads").prefs.step_axis, StepAxis::Log);
        // The version before the log axis saved `first_steps`: its window is kept, `None` is every step.
        let load = |fields: &str| {
            let text = format!("(settings:(w0:1.5),data:\"noisy\",{fields})");
            Persisted::from_ron(&text).map(|p| p.sanitized().prefs.step_axis)
        };
        assert_eq!(load("first_steps:Some(100)"), Ok(StepAxis::First(100)));
        assert_eq!(load("first_steps:Some(1000)"), Ok(StepAxis::First(1000)));
        assert_eq!(load("first_steps:None"), Ok(StepAxis::All));
        assert_eq!(load("first_steps:Some(7)"), Ok(StepAxis::All), "a window the View menu never offered");
        assert_eq!(load("first_steps:\"x\""), Ok(StepAxis::All), "an unreadable old value");
        assert_eq!(load("step_axis:\"sideways\""), Ok(StepAxis::All), "a name this version does not know");
        assert_eq!(load("step_axis:\"log\",first_steps:Some(100)"), Ok(StepAxis::Log), "the new field wins");
    }

    #[test]
    fn sanitizing_repairs_bad_values() {
        let mut p = Persisted::default();
        (p.prefs.tolerance, p.prefs.steps_per_sec, p.prefs.data) = (f64::NAN, 1e12, " ".into());
        p.prefs.step_axis = StepAxis::First(7);
        p.settings.optimizer.lr = -1.0;
        let p = p.sanitized();
        assert_eq!(p.prefs.tolerance, DEFAULT_TOLERANCE);
        assert_eq!(p.prefs.steps_per_sec, SPEED_UNLIMITED);
        assert_eq!(p.speed(), Speed::Unlimited);
        assert_eq!(p.settings, Settings::default());
        assert_eq!(p.prefs.data, "notebook");
        assert_eq!(p.prefs.step_axis, StepAxis::All, "a window the View menu does not offer");
        assert_eq!(speed_of(30.0), Speed::StepsPerSec(30.0));
    }
}
