//! The per-frame view context: everything a view may draw, built once per frame in `App::ui` from the worker's
//! snapshot and the UI state, and handed to every view as an argument.
//!
//! A view's signature says what it depends on: it reads a [`ViewCtx`] (and its own widget state) and pushes
//! [`super::state::Action`]s; it never reads app state from anywhere else (no egui temp memory, no globals).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::ops::RangeInclusive;

use egui::Color32;

use super::theme::Palette;
use crate::history::{History, Row};
use crate::worker::{RunId, RunSnapshot, Snapshot};

/// What the display toggles ask the plots to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Display {
    /// The loss axis on a log scale.
    pub log_loss: bool,
    /// The tangent on the landscape.
    pub tangent: bool,
    /// The arrow to where the next step lands.
    pub next: bool,
    /// The theory overlay on the plots over steps.
    pub theory: bool,
    /// Each mini-batch's loss curve on the landscape.
    pub batches: bool,
    /// Each sample's residual, loss term and gradient share on the Data tab.
    pub shares: bool,
    /// How the plots over steps lay out their x axis (every step, the first N, log).
    pub step_axis: crate::step_axis::StepAxis,
}

/// Everything the views of one frame draw.
pub struct ViewCtx<'a> {
    /// The state as published: every run, live.
    pub live: &'a Snapshot,
    /// What the plots draw: the visible runs, the selected one first, each cut at the timeline's step when scrubbing.
    pub snap: &'a Snapshot,
    /// The run the settings panel edits and the tabs describe.
    pub selected: RunId,
    /// Colours.
    pub palette: Palette,
    /// Branches, drawn faded and dashed.
    pub ghosts: BTreeSet<RunId>,
    /// Runs not drawn (hidden, or not the solo run).
    pub hidden: BTreeSet<RunId>,
    /// The timeline's step (`None`: live).
    pub scrub: Option<u64>,
    /// The display toggles.
    pub display: Display,
    /// Decimated series kept while the snapshot and the view stay the same.
    pub series: &'a RefCell<SeriesCache>,
    /// What each widget and plot mark is, for explain mode and the tooltips.
    pub explain: &'a super::explain::Explainer,
    /// The controls the open lesson's page locks or hides (all free without a lesson).
    pub locks: crate::lesson::Locks,
    /// One view is drawn alone, for a PNG of it ([`crate::app::solo`]): views leave out their buttons, selectors and
    /// sliders and draw only what they show.
    pub solo: bool,
}

impl ViewCtx<'_> {
    /// A run's colour in the current theme.
    pub fn run_color(&self, run: &RunSnapshot) -> Color32 {
        self.palette.run(run.spec.color)
    }

    /// True for a branch (drawn faded and dashed).
    pub fn is_ghost(&self, id: RunId) -> bool {
        self.ghosts.contains(&id)
    }

    /// The selected run as the views show it: at the timeline's step while scrubbing (as published otherwise); the
    /// first run when none is selected.
    pub fn selected_run(&self) -> Option<&RunSnapshot> {
        self.snap.run(self.selected).or_else(|| self.live.run(self.selected)).or(self.live.runs.first())
    }

    /// [`decimated`] points of one quantity of one run over the visible `steps`, at x on the display's step axis,
    /// computed once per snapshot, range, width and axis.
    pub fn series(
        &self,
        run: &RunSnapshot,
        quantity: &'static str,
        steps: RangeInclusive<f64>,
        columns: usize,
        value: impl Fn(&Row) -> f64,
    ) -> Vec<[f64; 2]> {
        let axis = self.display.step_axis;
        let range = [steps.start().to_bits(), steps.end().to_bits()];
        let key = SeriesKey { run: run.id, quantity, range, columns, axis };
        let mut cache = self.series.borrow_mut();
        if cache.generation != self.snap.generation {
            cache.generation = self.snap.generation;
            cache.map.clear();
        }
        cache.map.entry(key).or_insert_with(|| decimated(&run.history, steps, columns, axis, value)).clone()
    }
}

/// Decimated plot series of the current snapshot (cleared when a new snapshot arrives).
#[derive(Default)]
pub struct SeriesCache {
    generation: u64,
    map: HashMap<SeriesKey, Vec<[f64; 2]>>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct SeriesKey {
    run: RunId,
    quantity: &'static str,
    range: [u64; 2],
    columns: usize,
    axis: crate::step_axis::StepAxis,
}

/// Largest magnitude handed to a plot: keeps axis ranges sane while a run blows up.
pub const PLOT_LIMIT: f64 = 1e15;

/// `v` clamped into ±[`PLOT_LIMIT`], `None` when it is not a number.
pub fn plottable(v: f64) -> Option<f64> {
    if v.is_nan() { None } else { Some(v.clamp(-PLOT_LIMIT, PLOT_LIMIT)) }
}

/// Points `[x, value]` of `value` over `steps` from a history, x being the step's place on `axis`: about one
/// min/max pair per pixel column of that axis, clamped for plotting.
pub fn decimated(
    history: &History,
    steps: std::ops::RangeInclusive<f64>,
    columns: usize,
    axis: crate::step_axis::StepAxis,
    value: impl Fn(&Row) -> f64,
) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    history.decimate_on(steps, columns, |s| axis.x(s), |r| plottable(value(r)).unwrap_or(f64::NAN), &mut out);
    for p in &mut out {
        p[0] = axis.x(p[0]);
    }
    out
}
