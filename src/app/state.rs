//! The app's state types: its preferences ([`Prefs`]), the save format ([`Persisted`]), the tabs ([`Tab`]), and the
//! [`Action`]s views request, which the app applies after drawing, in one `match` (`apply.rs`).

use serde::{Deserialize, Serialize};

use super::jobs::{ExportKind, FilePurpose};
use crate::engine::settings::Settings;
use crate::presets::Preset;
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
#[derive(Clone, Debug, PartialEq)]
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
}

impl Default for Prefs {
    fn default() -> Self {
        Persisted::default().into_parts().1
    }
}

impl Prefs {
    /// The worker speed of [`Prefs::steps_per_sec`].
    pub fn speed(&self) -> Speed {
        speed_of(self.steps_per_sec)
    }
}

/// What persists across launches (eframe storage): the save format, filled from the selected run's settings and the
/// [`Prefs`] when saving, and split back into them at start-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    /// The selected run's engine settings.
    pub settings: Settings,
    /// See [`Prefs::data`].
    pub data: String,
    /// See [`Prefs::tolerance`].
    pub tolerance: f64,
    /// See [`Prefs::steps_per_sec`].
    pub steps_per_sec: f64,
    /// See [`Prefs::log_loss`].
    pub log_loss: bool,
    /// See [`Prefs::dark`].
    pub dark: bool,
    /// See [`Prefs::show_tangent`].
    pub show_tangent: bool,
    /// See [`Prefs::show_next`].
    pub show_next: bool,
    /// See [`Prefs::show_theory`].
    pub show_theory: bool,
    /// See [`Prefs::show_batches`].
    pub show_batches: bool,
    /// See [`Prefs::show_shares`].
    pub show_shares: bool,
    /// See [`Prefs::tab`].
    pub tab: Tab,
    /// See [`Prefs::explain`].
    pub explain: bool,
}

impl Default for Persisted {
    fn default() -> Self {
        Persisted {
            settings: Settings::default(),
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
        }
    }
}

impl Persisted {
    /// The save format of `settings` and `prefs`.
    pub fn new(settings: Settings, prefs: &Prefs) -> Self {
        let Prefs {
            data,
            tolerance,
            steps_per_sec,
            log_loss,
            dark,
            show_tangent,
            show_next,
            show_theory,
            show_batches,
            show_shares,
            tab,
            explain,
        } = prefs.clone();
        Persisted {
            settings,
            data,
            tolerance,
            steps_per_sec,
            log_loss,
            dark,
            show_tangent,
            show_next,
            show_theory,
            show_batches,
            show_shares,
            tab,
            explain,
        }
    }

    /// The settings and the preferences this holds.
    pub fn into_parts(self) -> (Settings, Prefs) {
        let Persisted {
            settings,
            data,
            tolerance,
            steps_per_sec,
            log_loss,
            dark,
            show_tangent,
            show_next,
            show_theory,
            show_batches,
            show_shares,
            tab,
            explain,
        } = self;
        let prefs = Prefs {
            data,
            tolerance,
            steps_per_sec,
            log_loss,
            dark,
            show_tangent,
            show_next,
            show_theory,
            show_batches,
            show_shares,
            tab,
            explain,
        };
        (settings, prefs)
    }

    /// The worker speed of [`Persisted::steps_per_sec`].
    pub fn speed(&self) -> Speed {
        speed_of(self.steps_per_sec)
    }

    /// Repairs values a hand-edited or older storage file may hold (non-finite numbers, out-of-range speed).
    pub fn sanitized(mut self) -> Self {
        let d = Persisted::default();
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            self.tolerance = d.tolerance;
        }
        if !self.steps_per_sec.is_finite() {
            self.steps_per_sec = d.steps_per_sec;
        }
        self.steps_per_sec = self.steps_per_sec.clamp(SPEED_MIN, SPEED_UNLIMITED);
        if self.settings.validate().is_err() {
            self.settings = d.settings;
        }
        if self.data.trim().is_empty() {
            self.data = d.data;
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

/// One tab of the bottom strip.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tab {
    /// Analytic, autodiff, numeric and the notebook's summed gradient side by side, and the autodiff graph.
    #[default]
    GradientCheck,
    /// The update at the timeline's step, written out in the optimizer's rule with its numbers.
    Ledger,
    /// What the optimizer carries (momentum buffer, Adam's moments) and the step it takes, against the step.
    Inside,
    /// Momentum SGD's phase plane (w − w* against the buffer) and its damping regimes.
    Phase,
    /// Where the runs from a grid of starts end: the basins of attraction.
    Basins,
    /// Steps to the tolerance and final loss across learning rates.
    LrSweep,
    /// Every run's lr tuned by its own sweep, then a race at the tuned lrs.
    FairRace,
    /// The notebook's printout, step by step.
    NotebookLog,
    /// The data points.
    Data,
    /// Exercises drawn from a seed, graded exactly.
    Exercises,
}

impl From<crate::cli::TabName> for Tab {
    fn from(t: crate::cli::TabName) -> Self {
        use crate::cli::TabName as N;
        match t {
            N::GradientCheck => Tab::GradientCheck,
            N::Ledger => Tab::Ledger,
            N::Inside => Tab::Inside,
            N::Phase => Tab::Phase,
            N::Basins => Tab::Basins,
            N::LrSweep => Tab::LrSweep,
            N::FairRace => Tab::FairRace,
            N::NotebookLog => Tab::NotebookLog,
            N::Data => Tab::Data,
            N::Exercises => Tab::Exercises,
        }
    }
}

impl Tab {
    /// Every tab, in strip order.
    pub const ALL: [Tab; 10] = [
        Tab::GradientCheck,
        Tab::Ledger,
        Tab::Inside,
        Tab::Phase,
        Tab::Basins,
        Tab::LrSweep,
        Tab::FairRace,
        Tab::NotebookLog,
        Tab::Data,
        Tab::Exercises,
    ];

    /// The tab's title.
    pub fn label(self) -> &'static str {
        match self {
            Tab::GradientCheck => "Gradient check",
            Tab::Ledger => "Step ledger",
            Tab::Inside => "Inside the optimizer",
            Tab::Phase => "Momentum phase plane",
            Tab::Basins => "Basins",
            Tab::LrSweep => "Learning-rate sweep",
            Tab::FairRace => "Fair race",
            Tab::NotebookLog => "Notebook log",
            Tab::Data => "Data",
            Tab::Exercises => "Exercises",
        }
    }

    /// What the tab shows, for its tooltip.
    pub fn tip(self) -> &'static str {
        match self {
            Tab::GradientCheck => {
                "The gradient at the current point from four sources (hand-derived, autodiff, finite differences, the notebook's sum), and the whole autodiff graph of the loss."
            }
            Tab::LrSweep => {
                "Run the current settings at ~200 learning rates: how many steps each needs to reach the tolerance, and where it ends. Click a point to use that learning rate."
            }
            Tab::Ledger => {
                "The update at the timeline's step in the optimizer's own rule (torch's symbols), with every number plugged in: what exactly happened in that step."
            }
            Tab::Inside => {
                "What the optimizer carries from step to step (the momentum buffer, Adam's bias-corrected moments m_hat and √v_hat) and the step it takes against lr·|g|, for every run."
            }
            Tab::Phase => {
                "Momentum SGD on one parameter: w − w* against the momentum buffer, spiralling in; the damping regimes of β for this lr·λ, plain momentum against Nesterov."
            }
            Tab::Basins => {
                "The selected run's settings started from every cell of a grid over (w, b), each cell coloured by the minimum its run reaches (or diverged, or unfinished). Click a cell to start the run there."
            }
            Tab::FairRace => {
                "Tune, then race: every run's learning rate tuned by a sweep of its own settings under your criterion (fewest steps to the tolerance, or lowest loss after K steps), each optimizer's tuning curve, and a race at the tuned lrs."
            }
            Tab::NotebookLog => "The run printed the way the notebook prints it.",
            Tab::Data => "The data points the line is fitted to.",
            Tab::Exercises => {
                "Exercises drawn from a seed: the next weight, the critical or one-step lr, the steps to a tolerance, the optimum. Type (or drag) an answer; it is graded exactly and explained."
            }
        }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persisted_settings_round_trip_and_fill_missing_fields_with_defaults() {
        let mut p = Persisted { dark: false, steps_per_sec: 250.0, ..Persisted::default() };
        p.settings.optimizer.lr = 0.05;
        let text = serde_json::to_string(&p).expect("serialize");
        let back: Persisted = serde_json::from_str(&text).expect("deserialize");
        assert_eq!(back, p);
        let partial: Persisted = serde_json::from_str(r#"{"dark": false, "settings": {"w0": 1.5}}"#).expect("partial");
        assert!(!partial.dark);
        assert_eq!(partial.settings.w0, 1.5);
        assert_eq!(partial.settings.optimizer.lr, 0.01);
        assert_eq!(partial.tolerance, DEFAULT_TOLERANCE);
    }

    #[test]
    fn sanitizing_repairs_bad_values() {
        let mut p = Persisted { tolerance: f64::NAN, steps_per_sec: 1e12, data: " ".into(), ..Persisted::default() };
        p.settings.optimizer.lr = -1.0;
        let p = p.sanitized();
        assert_eq!(p.tolerance, DEFAULT_TOLERANCE);
        assert_eq!(p.steps_per_sec, SPEED_UNLIMITED);
        assert_eq!(p.speed(), Speed::Unlimited);
        assert_eq!(p.settings, Settings::default());
        assert_eq!(p.data, "notebook");
        assert_eq!(speed_of(30.0), Speed::StepsPerSec(30.0));
    }
}
