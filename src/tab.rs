//! The tabs of the app's bottom strip, as one type: the app shows them, `descent --tab NAME` opens one, and a lesson
//! page names one (`tab = "notebook-log"`). GUI-free, so that the command line and lessons build without the app.
//!
//! The `--tab` names are clap's kebab-case of the variants (`gradient-check`, `lr-sweep`); the doc comments are their
//! help text. The saved app state stores a tab by its variant's name (`"LrSweep"`, serde's default), as it always
//! has. Each tab's label, tooltip and view are the app's (`app/tabs/`).

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

/// Every tab, once, in strip order: its `--tab` help (the doc comment), its variant, and its view in `src/app/tabs/`
/// (`file::Type`, a `TabView` with a `Default`). Adding a tab is its file there and one line here: this list makes
/// both the [`Tab`] enum below and the app's list of views (`app::tabs::every_tab`), so neither can miss one.
macro_rules! with_every_tab {
    ($then:ident) => {
        $then! {
            /// The gradient from four sources and the autodiff graph.
            #[default]
            GradientCheck => gradient_check::GradCheckState,
            /// The update at the timeline's step, with its numbers.
            Ledger => ledger::LedgerState,
            /// What the optimizer carries, and the step it takes.
            Inside => inside::InsideTab,
            /// Momentum SGD's phase plane and damping regimes.
            Phase => phase::PhaseTab,
            /// Basins of attraction over (w, b).
            Basins => basins::BasinsState,
            /// Steps and final loss across learning rates.
            LrSweep => lr_sweep::SweepState,
            /// Every run's lr tuned, then a race at the tuned lrs.
            FairRace => fair_race::FairRaceState,
            /// The notebook's printout.
            NotebookLog => notebook_log::LogState,
            /// The data points, residuals and gradient shares.
            Data => data::DataEditor,
            /// Exercises drawn from a seed, graded exactly.
            Exercises => exercises::ExercisesState,
        }
    };
}
#[cfg(feature = "gui")]
pub(crate) use with_every_tab;

/// The enum from the list (the view paths are the app's, unused here).
macro_rules! tab_enum {
    ($($(#[$meta:meta])* $variant:ident => $module:ident :: $view:ident,)*) => {
        /// One tab of the bottom strip; the variants are in strip order.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ValueEnum)]
        pub enum Tab {
            $($(#[$meta])* $variant,)*
        }
    };
}
with_every_tab!(tab_enum);

impl Tab {
    /// Every tab, in strip order (complete by construction: clap's derive lists every variant).
    pub fn all() -> &'static [Tab] {
        Tab::value_variants()
    }

    /// The tab's `--tab` name ("gradient-check").
    pub fn cli_name(self) -> String {
        self.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default()
    }

    /// Whether the tab is a view (plots, a map, a worked update), so that it exports alone as a PNG (Export ▸ "PNG
    /// of a view…", `descent --export-view`); the gradient check, the notebook log and the exercises are tables,
    /// text and forms.
    pub fn is_view(self) -> bool {
        !matches!(self, Tab::GradientCheck | Tab::NotebookLog | Tab::Exercises)
    }

    /// The tab named as `--tab` names it (case-insensitive, surrounding spaces ignored).
    pub fn from_cli_name(name: &str) -> Option<Tab> {
        <Tab as ValueEnum>::from_str(name.trim(), true).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_names_are_the_documented_ones() {
        let names: Vec<String> = Tab::all().iter().map(|t| t.cli_name()).collect();
        let documented = [
            "gradient-check",
            "ledger",
            "inside",
            "phase",
            "basins",
            "lr-sweep",
            "fair-race",
            "notebook-log",
            "data",
            "exercises",
        ];
        assert_eq!(names, documented);
        for (tab, name) in Tab::all().iter().zip(documented) {
            assert_eq!(Tab::from_cli_name(name), Some(*tab));
            assert_eq!(Tab::from_cli_name(&format!(" {} ", name.to_uppercase())), Some(*tab));
        }
        assert_eq!(Tab::from_cli_name("notebook"), None);
    }

    #[test]
    fn saved_state_names_a_tab_by_its_variant() {
        // The app's saved state (eframe storage, RON or JSON) has always held the variant's name.
        assert_eq!(serde_json::to_string(&Tab::LrSweep).expect("json"), r#""LrSweep""#);
        let back: Tab = serde_json::from_str(r#""NotebookLog""#).expect("old name");
        assert_eq!(back, Tab::NotebookLog);
    }
}
