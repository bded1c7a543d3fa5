//! The views a lesson page names (`views = ["loss-landscape", "loss-vs-step", "notebook-log"]`): the plots of the
//! main area, at most one tab of the strip, and `settings` (the settings panel with the run list). While a lesson is open the app gives the window to them and folds the
//! rest away (the settings and run list, the other plots, the tab strip unless a tab is named); see
//! [`super::Page::views`] for the default of a page that names none.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::tab::Tab;

/// One view a page can name: a plot of the main area, or a tab by its `--tab` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum View {
    /// The loss landscape: L(w) with the point and its steps, or the contour map of L(w, b).
    LossLandscape,
    /// The loss against the step.
    LossVsStep,
    /// The weight (and bias) against the step.
    WeightVsStep,
    /// The settings panel with the run list, beside the page (not a view of the central area).
    Settings,
    /// A tab of the strip.
    Tab(Tab),
}

impl View {
    /// The plots a page can name, in the order the app lays them out.
    pub const PLOTS: [View; 3] = [View::LossLandscape, View::LossVsStep, View::WeightVsStep];

    /// The name a lesson file gives it.
    pub fn name(self) -> String {
        match self {
            View::LossLandscape => "loss-landscape".into(),
            View::LossVsStep => "loss-vs-step".into(),
            View::WeightVsStep => "weight-vs-step".into(),
            View::Settings => "settings".into(),
            View::Tab(tab) => tab.cli_name(),
        }
    }

    /// The view a lesson file names (case-insensitive, surrounding spaces ignored).
    pub fn from_name(name: &str) -> Option<View> {
        let name = name.trim();
        View::PLOTS
            .into_iter()
            .chain([View::Settings])
            .find(|v| v.name().eq_ignore_ascii_case(name))
            .or_else(|| Tab::from_cli_name(name).map(View::Tab))
    }

    /// The tab, when the view is one.
    pub fn tab(self) -> Option<Tab> {
        match self {
            View::Tab(tab) => Some(tab),
            _ => None,
        }
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl TryFrom<String> for View {
    type Error = String;

    fn try_from(name: String) -> Result<View, String> {
        View::from_name(&name).ok_or_else(|| {
            let plots: Vec<String> = View::PLOTS.iter().map(|v| v.name()).collect();
            let tabs: Vec<String> = Tab::all().iter().map(|t| t.cli_name()).collect();
            format!(
                "unknown view “{}” (the plots: {}; settings; or a tab: {})",
                crate::format::echo(&name, 40),
                plots.join(", "),
                tabs.join(", ")
            )
        })
    }
}

impl From<View> for String {
    fn from(view: View) -> String {
        view.name()
    }
}

/// Checks a page's `views`: at least one, none twice, at most one tab, and the same tab as the setup's `tab` when
/// both name one.
///
/// # Errors
/// What is wrong, in words (the caller names the page and the field).
pub fn validate(views: &[View], setup_tab: Option<&str>) -> Result<(), String> {
    if views.is_empty() {
        return Err("name at least one view (or leave `views` out for the default)".into());
    }
    for (i, v) in views.iter().enumerate() {
        if views[..i].contains(v) {
            return Err(format!("“{v}” is named twice"));
        }
    }
    let tabs: Vec<Tab> = views.iter().filter_map(|v| v.tab()).collect();
    if tabs.len() > 1 {
        return Err(format!("{} tabs named: a page shows at most one", tabs.len()));
    }
    let setup = setup_tab.and_then(Tab::from_cli_name);
    if let (Some(&named), Some(set)) = (tabs.first(), setup)
        && named != set
    {
        return Err(format!("names the tab “{}” but the setup opens “{}”", named.cli_name(), set.cli_name()));
    }
    Ok(())
}
