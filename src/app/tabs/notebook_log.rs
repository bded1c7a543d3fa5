//! The notebook log: each run's printout in the notebook's format (NumPy cell for hand-written gradients, torch cell
//! for autograd), line by line as the run steps, from the run's history rows via [`crate::printout::Printer`].
//! Selectable and copyable (a read-only monospace text field, and a Copy button per run).

use std::collections::HashMap;

use egui::{RichText, Ui};

use crate::app::state::Action;
use crate::app::tabs::TabView;
use crate::app::view::ViewCtx;
use crate::engine::settings::Precision;
use crate::explain::topics::Topic;
use crate::history::History;
use crate::printout::{Printer, Style};
use crate::worker::{RunId, RunSnapshot, Snapshot};

/// The log shows at most this many steps per run.
pub const MAX_LOG_STEPS: usize = 2_000;

/// The log's state (kept by the tab strip).
#[derive(Default)]
pub struct LogState {
    /// The run shown.
    pub run: Option<RunId>,
    cache: HashMap<RunId, Cached>,
}

struct Cached {
    key: String,
    rows: usize,
    text: String,
}

/// The printout of one run's history (header, a block per step, the footer once the run has finished).
pub fn printout(run: &RunSnapshot, snap: &Snapshot) -> String {
    let mut out = String::new();
    append(&mut out, run, snap, 0);
    out
}

fn key_of(run: &RunSnapshot, snap: &Snapshot) -> String {
    let s = &run.spec.settings;
    let first = run.history.first().map(|r| (r.step, r.params.w.to_bits(), r.params.b.to_bits()));
    format!("{:?}{:?}{:?}{}{:?}{}", s.gradient, s.precision, first, s.bias, snap.data.name, run.history.is_thinned())
}

/// Appends the lines for rows `from..` (rows before `from` were already written; 0 writes the header).
fn append(out: &mut String, run: &RunSnapshot, snap: &Snapshot, from: usize) {
    let h: &History = &run.history;
    let Some(first) = h.first() else {
        return;
    };
    let s = &run.spec.settings;
    let x = snap.data.x.as_slice().unwrap_or(&[]);
    let y = snap.data.y.as_slice().unwrap_or(&[]);
    let printer =
        Printer::new(Style::for_source(s.gradient), x, y, s.bias, s.precision == Precision::F32, first.params);
    let mut push = |lines: Vec<String>| {
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    };
    if from == 0 {
        if h.is_thinned() {
            push(vec![format!(
                "# note: this run's history is thinned (older steps are sampled), so the log skips steps"
            )]);
        }
        push(printer.header(first.params));
    }
    let n = h.len().min(MAX_LOG_STEPS + 1);
    let start = from.saturating_sub(1);
    let rows: Vec<_> = h.iter().skip(start).take(n.saturating_sub(start)).copied().collect();
    for pair in rows.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        push(printer.step(before.step, before.params, before.loss, before.grad, after.params));
    }
}

fn text_for<'a>(state: &'a mut LogState, run: &RunSnapshot, snap: &Snapshot) -> &'a str {
    let key = key_of(run, snap);
    let len = run.history.len().min(MAX_LOG_STEPS + 1);
    let entry = state.cache.entry(run.id).or_insert(Cached { key: String::new(), rows: 0, text: String::new() });
    if entry.key != key || entry.rows > len {
        entry.key = key;
        entry.rows = 0;
        entry.text.clear();
    }
    if entry.rows < len {
        append(&mut entry.text, run, snap, entry.rows);
        entry.rows = len;
    }
    &entry.text
}

/// The log's content: a run picker, Copy, and the printout.
pub fn notebook_log_ui(
    ui: &mut Ui,
    (snap, palette): (&Snapshot, crate::app::theme::Palette),
    selected: RunId,
    state: &mut LogState,
) {
    let current = state
        .run
        .filter(|id| snap.run(*id).is_some())
        .or(snap.run(selected).map(|r| r.id))
        .or(snap.runs.first().map(|r| r.id));
    ui.horizontal_wrapped(|ui| {
        for run in &snap.runs {
            let label = RichText::new(&run.spec.name).color(palette.run(run.spec.color));
            if ui.selectable_label(current == Some(run.id), label).clicked() {
                state.run = Some(run.id);
            }
        }
    });
    let Some(run) = current.and_then(|id| snap.run(id)) else {
        ui.label("No run.");
        return;
    };
    let style = Style::for_source(run.spec.settings.gradient);
    let mut text = text_for(state, run, snap).to_owned();
    if run.status.is_finished() && run.history.len() <= MAX_LOG_STEPS + 1 && run.history.len() >= 2 {
        let s = &run.spec.settings;
        let x = snap.data.x.as_slice().unwrap_or(&[]);
        let y = snap.data.y.as_slice().unwrap_or(&[]);
        let first = run.history.first().map(|r| r.params).unwrap_or_default();
        let printer = Printer::new(style, x, y, s.bias, s.precision == Precision::F32, first);
        let last_forward = run.history.get(run.history.len() - 2).map_or(first, |r| r.params);
        for l in printer.footer(last_forward) {
            text.push_str(&l);
            text.push('\n');
        }
    }
    ui.horizontal(|ui| {
        let cell = match style {
            Style::Numpy => "NumPy cell (hand-written gradient)",
            Style::Torch => "PyTorch cell (autograd)",
        };
        ui.label(RichText::new(cell).small().color(palette.weak_text));
        if ui.button(format!("Copy {}", run.spec.name)).clicked() {
            ui.ctx().copy_text(text.clone());
        }
        if run.history.len() > MAX_LOG_STEPS + 1 {
            ui.label(RichText::new(format!("showing the first {MAX_LOG_STEPS} steps")).small().color(palette.warning));
        }
        if run.history.is_thinned() {
            ui.label(RichText::new("history thinned: some steps are skipped").small().color(palette.warning));
        }
    });
    egui::ScrollArea::both().auto_shrink([false, false]).stick_to_bottom(true).show(ui, |ui| {
        let mut view: &str = &text;
        ui.add(egui::TextEdit::multiline(&mut view).font(egui::TextStyle::Monospace).desired_width(f32::INFINITY));
    });
}

impl TabView for LogState {

    fn label(&self) -> &'static str {
        "Notebook log"
    }

    fn tip(&self) -> &'static str {
        "The run printed the way the notebook prints it."
    }

    fn topic(&self) -> Topic {
        Topic::NotebookLog
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, run: &RunSnapshot, _actions: &mut Vec<Action>) {
        notebook_log_ui(ui, (ctx.live, ctx.palette), run.id, self)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
