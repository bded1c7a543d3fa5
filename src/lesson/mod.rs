//! Lessons: a sequence of pages, each with a short text, a setup (data, runs and their settings, the tab shown),
//! controls locked or hidden, and a task with a check. The built-in lessons are TOML files in `assets/lessons/`
//! (embedded); a teacher's own file opens with `descent --lesson PATH` or File → Open lesson…. The format is
//! versioned (`format = 1`) and documented in docs/LESSONS.md.
//!
//! This module reads and checks lesson files ([`Lesson::parse`], one-line errors naming the file, the line and the
//! field), lists the built-ins ([`BUILTIN`]), turns the app's state into a page's setup ([`Setup::to_toml`]), and
//! grades tasks ([`check`]: a pure predicate over [`check::Facts`] taken from a snapshot).

pub mod check;
mod errors;
pub mod view;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::settings::{GradientSource, Settings};
use crate::presets::{MAX_RUNS, Preset, run_color};
use crate::worker::RunSpec;
pub use check::{Check, Facts, RunFacts};
pub use view::View;

/// The lesson file format this version reads and writes.
pub const FORMAT: u32 = 1;

/// The built-in lessons: (name, file text), in menu order.
pub const BUILTIN: [(&str, &str); 7] = [
    ("notebook", include_str!("../../assets/lessons/notebook.toml")),
    ("learning-rate", include_str!("../../assets/lessons/learning-rate.toml")),
    ("momentum", include_str!("../../assets/lessons/momentum.toml")),
    ("adaptive", include_str!("../../assets/lessons/adaptive.toml")),
    ("losses", include_str!("../../assets/lessons/losses.toml")),
    ("noise", include_str!("../../assets/lessons/noise.toml")),
    ("beyond-the-bowl", include_str!("../../assets/lessons/beyond-the-bowl.toml")),
];

/// The largest lesson file read, in bytes (the built-in lessons are under 5 KB each).
pub const MAX_LESSON_BYTES: u64 = 256 << 10;
/// The most sentences in a lesson's `learned` list.
pub const MAX_LEARNED: usize = 8;
/// The longest sentence of a lesson's `learned` list, in characters.
pub const MAX_LEARNED_CHARS: usize = 300;
/// The most pages a lesson may have.
pub const MAX_PAGES: usize = 50;
/// The longest page text (and task or hint), in characters: laid out as a page, text costs the app about 500 bytes
/// a character, so a 10 MB page would not fit in memory.
pub const MAX_PAGE_CHARS: usize = 8_000;

/// A lesson: its title and pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// The file format (1).
    pub format: u32,
    /// The title shown above the pages.
    pub title: String,
    /// One sentence on what the lesson teaches (the Lessons menu's tooltip).
    #[serde(default)]
    pub summary: String,
    /// What the lesson taught, one short sentence each (at most [`MAX_LEARNED`]): its last page ends with them
    /// under "What you learned".
    #[serde(default)]
    pub learned: Vec<String>,
    /// The pages, in order (at least one).
    pub pages: Vec<Page>,
}

/// One page of a lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// The page's heading.
    pub title: String,
    /// The text: paragraphs separated by blank lines, with **bold**, *italic* and `code`.
    pub text: String,
    /// What to do, in one sentence (shown with the check's status).
    #[serde(default)]
    pub task: String,
    /// How the task is graded (`None`: a page to read; it counts as done once shown).
    #[serde(default)]
    pub check: Option<Check>,
    /// Hints, shown one at a time on request.
    #[serde(default)]
    pub hints: Vec<String>,
    /// What the page sets up when it opens (or is reset); nothing given keeps the state of the page before.
    #[serde(default)]
    pub setup: Setup,
    /// Controls locked or hidden on this page.
    #[serde(default)]
    pub locks: Locks,
    /// The views the page needs, which get the window while it is shown ([`view`]); absent: the default of
    /// [`Page::views`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub views: Option<Vec<View>>,
}

/// What a page sets up: every field is optional, and only what is given changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// The data: a data preset's name (notebook, noisy, outliers, large) or a CSV path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// An app preset whose runs replace the current ones (notebook, race, saddle, himmelblau, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Runs that replace the current ones (after the preset's, when both are given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<RunSetup>,
    /// The tab shown below the plots, by its `--tab` name (gradient-check, ledger, inside, phase, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tab: Option<String>,
    /// The convergence tolerance on ‖gradient‖.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
}

/// One run of a setup: its name and settings (any field of a session's settings; the rest default). A run with an
/// objective fits both parameters by autodiff on the full batch: those fields default so, and a file that gives
/// them otherwise (`bias = false`, `gradient = "analytic"`, a `batch_size`) is refused, as sessions and the command
/// line refuse it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawRunSetup")]
pub struct RunSetup {
    /// The run's name (checks refer to runs by it).
    pub name: String,
    /// The run's settings; missing fields take their defaults.
    #[serde(default)]
    pub settings: Settings,
}

/// A run of a setup as written, before the fields an objective implies are filled in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRunSetup {
    name: String,
    #[serde(default)]
    settings: toml::Table,
}

impl TryFrom<RawRunSetup> for RunSetup {
    type Error = String;

    fn try_from(raw: RawRunSetup) -> Result<RunSetup, String> {
        let settings: Settings =
            raw.settings.clone().try_into().map_err(|e: toml::de::Error| e.message().to_string())?;
        if settings.objective.is_some() {
            let given = |key: &str| raw.settings.contains_key(key);
            let conflict = if given("bias") && !settings.bias {
                Some("bias = false")
            } else if given("gradient")
                && !matches!(settings.gradient, GradientSource::Autodiff | GradientSource::Numeric)
            {
                Some("an analytic or notebook-sum gradient")
            } else if given("batch_size") {
                Some("batch_size")
            } else {
                None
            };
            if let Some(what) = conflict {
                return Err(format!(
                    "settings: a run with an objective fits both parameters by autodiff (or numeric) on the full \
                     batch: {what} does not apply"
                ));
            }
        }
        // Kept as the run uses them (both parameters, an autodiff gradient), so that the lesson writes back to TOML
        // that reads again: a default analytic gradient written out beside an objective would be refused.
        Ok(RunSetup { name: raw.name, settings: RunSetup { name: String::new(), settings }.settings() })
    }
}

/// Whether a control can be used on a page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lock {
    /// Usable.
    #[default]
    Free,
    /// Shown but disabled.
    Locked,
    /// Not shown.
    Hidden,
}

/// The controls a page locks or hides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locks {
    /// The optimizer selector and its hyperparameters.
    #[serde(default)]
    pub optimizer: Lock,
    /// The learning-rate slider and field.
    #[serde(default)]
    pub lr: Lock,
    /// The data selector.
    #[serde(default)]
    pub data: Lock,
}

impl Lesson {
    /// Reads a lesson from TOML text; `file` names it in errors.
    ///
    /// # Errors
    /// One line: "FILE:LINE: FIELD: what is wrong".
    pub fn parse(text: &str, file: &str) -> Result<Lesson, String> {
        let lesson: Lesson = toml::from_str(text).map_err(|e| errors::one_line(file, text, &e))?;
        if let Some(problem) = errors::float_literal_problem(file, text) {
            return Err(problem);
        }
        lesson.validate().map_err(|(path, why)| errors::at_path(file, text, &path, &why))?;
        Ok(lesson)
    }

    /// Checks what serde cannot: the format, at least one page, known names, valid settings, sane parameters.
    fn validate(&self) -> Result<(), (String, String)> {
        if self.format != FORMAT {
            return Err((
                "format".into(),
                format!("format {} is not supported (this version reads {FORMAT})", self.format),
            ));
        }
        if self.pages.is_empty() {
            return Err(("pages".into(), "a lesson needs at least one page".into()));
        }
        if self.pages.len() > MAX_PAGES {
            return Err(("pages".into(), format!("{} pages: a lesson has at most {MAX_PAGES}", self.pages.len())));
        }
        for (field, text) in [("title", &self.title), ("summary", &self.summary)] {
            too_long(text).map_err(|why| (field.to_string(), why))?;
        }
        if self.learned.len() > MAX_LEARNED {
            return Err(("learned".into(), format!("{} sentences: at most {MAX_LEARNED}", self.learned.len())));
        }
        for (i, line) in self.learned.iter().enumerate() {
            let n = line.chars().count();
            if line.trim().is_empty() {
                return Err((format!("learned[{i}]"), "an empty sentence".into()));
            }
            if n > MAX_LEARNED_CHARS {
                return Err((format!("learned[{i}]"), format!("{n} characters: at most {MAX_LEARNED_CHARS}")));
            }
        }
        for (i, page) in self.pages.iter().enumerate() {
            page.validate().map_err(|(field, why)| (format!("pages[{i}].{field}"), why))?;
        }
        Ok(())
    }

    /// A built-in lesson by name, or a lesson file at `spec`.
    ///
    /// # Errors
    /// One line naming the lesson or the file.
    pub fn load(spec: &str) -> Result<Lesson, String> {
        if let Some((name, text)) = BUILTIN.iter().find(|(n, _)| n.eq_ignore_ascii_case(spec.trim())) {
            return Lesson::parse(text, &format!("assets/lessons/{name}.toml"));
        }
        let path = Path::new(spec);
        if !path.exists() {
            let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
            return Err(format!("--lesson {spec}: no such lesson or file (built-in: {})", names.join(", ")));
        }
        let shown = crate::format::echo(&path.display().to_string(), 200);
        let bytes = crate::files::read_capped(path, MAX_LESSON_BYTES, "lesson")
            .map_err(|e| format!("{shown}: cannot read the lesson: {e}"))?;
        let text = String::from_utf8(bytes).map_err(|e| format!("{shown}: not UTF-8 text: {e}"))?;
        Lesson::parse(&text, &path.display().to_string())
    }
}

/// Refuses a text past [`MAX_PAGE_CHARS`].
fn too_long(text: &str) -> Result<(), String> {
    let n = text.chars().count();
    if n > MAX_PAGE_CHARS { Err(format!("{n} characters: at most {MAX_PAGE_CHARS}")) } else { Ok(()) }
}

impl Page {
    fn validate(&self) -> Result<(), (String, String)> {
        for (field, text) in [("title", &self.title), ("text", &self.text), ("task", &self.task)] {
            too_long(text).map_err(|why| (field.to_string(), why))?;
        }
        for (i, hint) in self.hints.iter().enumerate() {
            too_long(hint).map_err(|why| (format!("hints[{i}]"), why))?;
        }
        self.setup.validate().map_err(|(f, why)| (format!("setup.{f}"), why))?;
        if let Some(views) = &self.views {
            view::validate(views, self.setup.tab.as_deref()).map_err(|why| ("views".to_string(), why))?;
        }
        match &self.check {
            Some(c) => c.validate().map_err(|why| ("check".to_string(), why)),
            None => Ok(()),
        }
    }
}

impl Page {
    /// The views the page gets the window for: the ones it names, or by default the three plots, the tab its
    /// setup opens (none when it opens none: the strip folds away), and the settings when its check reads a setting
    /// (the learner changes one).
    pub fn views(&self) -> Vec<View> {
        if let Some(views) = &self.views {
            return views.clone();
        }
        let tab = self.setup.tab.as_deref().and_then(crate::tab::Tab::from_cli_name).map(View::Tab);
        let settings = self.check.as_ref().is_some_and(Check::reads_settings).then_some(View::Settings);
        View::PLOTS.into_iter().chain(tab).chain(settings).collect()
    }
}

impl Setup {
    fn validate(&self) -> Result<(), (String, String)> {
        if let Some(p) = &self.preset
            && Preset::parse(p).is_none()
        {
            let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
            return Err(("preset".into(), format!("unknown preset “{p}” (available: {})", names.join(", "))));
        }
        if let Some(t) = &self.tab
            && crate::tab::Tab::from_cli_name(t).is_none()
        {
            return Err(("tab".into(), format!("unknown tab “{t}”")));
        }
        if self.tolerance.is_some_and(|t| !(t.is_finite() && t >= 0.0)) {
            return Err(("tolerance".into(), "must be a finite number ≥ 0".into()));
        }
        let preset_runs =
            self.preset.as_deref().and_then(Preset::parse).map_or(0, |p| p.specs(&Settings::default()).len());
        if preset_runs + self.runs.len() > MAX_RUNS {
            let total = preset_runs + self.runs.len();
            let with = if preset_runs > 0 {
                format!(" (the preset's {preset_runs} and {} more)", self.runs.len())
            } else {
                String::new()
            };
            return Err(("runs".into(), format!("{total} runs{with}: a page sets up at most {MAX_RUNS}")));
        }
        if let Some(d) = &self.data
            && let Err(e) = crate::engine::Dataset::load(d)
        {
            return Err(("data".into(), e.to_string()));
        }
        for (i, run) in self.runs.iter().enumerate() {
            run.settings().validate().map_err(|e| (format!("runs[{i}].settings"), e.to_string()))?;
        }
        Ok(())
    }

    /// The runs this setup starts, the preset's first; `base` is the selected run's settings a preset builds on.
    pub fn specs(&self, base: &Settings) -> Vec<RunSpec> {
        let mut specs = self.preset.as_deref().and_then(Preset::parse).map(|p| p.specs(base)).unwrap_or_default();
        for run in &self.runs {
            let color = run_color(specs.len());
            specs.push(RunSpec { name: run.name.clone(), color, settings: run.settings() });
        }
        specs.truncate(MAX_RUNS);
        specs
    }

    /// The data this setup loads: its own, or the notebook's for the notebook preset.
    pub fn data_spec(&self) -> Option<String> {
        let notebook = self.preset.as_deref().and_then(Preset::parse) == Some(Preset::Notebook);
        self.data.clone().or_else(|| notebook.then(|| "notebook".to_string()))
    }

    /// This setup as a page's `[pages.setup]` snippet (what "Save as lesson page" writes).
    ///
    /// # Errors
    /// When TOML cannot hold a value (it can hold every setting descent has; kept for safety).
    pub fn to_toml(&self) -> Result<String, String> {
        #[derive(Serialize)]
        struct Snippet<'a> {
            pages: [PageSetup<'a>; 1],
        }
        #[derive(Serialize)]
        struct PageSetup<'a> {
            title: &'a str,
            text: &'a str,
            setup: &'a Setup,
        }
        let page = PageSetup { title: "A new page", text: "What the learner sees and does.", setup: self };
        let body = toml::to_string(&Snippet { pages: [page] }).map_err(|e| e.to_string())?;
        Ok(format!("# A page of a descent lesson (format {FORMAT}): paste it into a lesson file.\n{body}"))
    }
}

impl RunSetup {
    /// The settings as a run uses them: with an objective, both parameters and an autodiff (or numeric) gradient.
    pub fn settings(&self) -> Settings {
        let mut s = self.settings.clone();
        if let Some(o) = s.objective.clone() {
            s.set_objective(Some(o), false);
        }
        s
    }
}

#[cfg(test)]
mod tests;
