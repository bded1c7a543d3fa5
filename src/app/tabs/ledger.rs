//! The step-ledger tab: the selected run's update at the timeline's step, written out in its optimizer's own rule
//! with the numbers plugged in ([`crate::ledger`]).
//!
//! It follows the timeline: at the live end it explains the update the next Step will take; dragged back to step
//! k it explains the update from k to k + 1, with the settings that update used (the history's settings log) and
//! the optimizer state the run held there (the history row's). The last value of each parameter's block is the
//! next row's value, bit for bit.

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, RichText, Ui};

use crate::app::state::Action;
use crate::app::tabs::TabView;
use crate::app::view::ViewCtx;
use crate::engine::settings::Settings;
use crate::explain::topics::Topic;
use crate::history::Row;
use crate::ledger::{Ledger, Line, explain};
use crate::worker::{RunId, RunSnapshot};

/// The ledger of the last explained row, kept while neither the row nor its settings change.
#[derive(Default)]
pub struct LedgerState {
    cache: Option<(Key, Result<Ledger, String>)>,
}

#[derive(Clone, PartialEq)]
struct Key {
    run: RunId,
    data_generation: u64,
    row: Row,
    settings: Settings,
}

/// Which row the tab explains and what it says about it.
struct Target<'a> {
    row: &'a Row,
    settings: &'a Settings,
    /// The update has not happened yet (the live end of a run that can still step).
    upcoming: bool,
    /// The timeline asked for a step the history no longer keeps.
    instead_of: Option<u64>,
}

/// The row at the timeline's step of the selected run, with the settings its update used.
fn target<'a>(ctx: &ViewCtx<'_>, run: &'a RunSnapshot) -> Result<Target<'a>, String> {
    let last = run.history.last().ok_or("The run has no rows yet.")?;
    let want = ctx.scrub.unwrap_or(last.step).min(last.step);
    let row = run.history.at_or_before(want).unwrap_or(last);
    let settings = run.history.settings_at(row.step).ok_or_else(|| {
        format!("The settings of step {} are no longer kept (the log keeps the latest changes).", row.step)
    })?;
    Ok(Target { row, settings, upcoming: row.step == last.step, instead_of: (row.step != want).then_some(want) })
}

/// The tab's body.
pub fn ledger_ui(ui: &mut Ui, state: &mut LedgerState, ctx: &ViewCtx<'_>) {
    let Some(run) = ctx.live.run(ctx.selected).or(ctx.live.runs.first()) else {
        ui.label("No run.");
        return;
    };
    let t = match target(ctx, run) {
        Ok(t) => t,
        Err(why) => {
            ui.label(why);
            return;
        }
    };
    let key = Key { run: run.id, data_generation: ctx.live.data_generation, row: *t.row, settings: t.settings.clone() };
    if state.cache.as_ref().is_none_or(|(k, _)| *k != key) {
        let ledger = explain(&ctx.live.data, t.settings, t.row).map_err(|e| e.to_string());
        state.cache = Some((key, ledger));
    }
    let Some((_, ledger)) = &state.cache else { return };
    match ledger {
        Ok(ledger) => ledger_body_ui(ui, ctx, run, &t, ledger),
        Err(e) => {
            ui.colored_label(ctx.palette.diverged, format!("This step cannot be explained: {e}"));
        }
    }
}

fn ledger_body_ui(ui: &mut Ui, ctx: &ViewCtx<'_>, run: &RunSnapshot, t: &Target<'_>, ledger: &Ledger) {
    let palette = ctx.palette;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&ledger.title).strong().color(ctx.run_color(run)))
            .on_hover_text("The update from row k to row k + 1 of the selected run, in its optimizer's rule.");
        let when = if t.upcoming {
            "the next update (press Step to take it) · drag the timeline to explain an earlier step"
        } else {
            "drag the timeline to explain another step"
        };
        ui.label(RichText::new(when).small().color(palette.weak_text));
        if !ctx.solo
            && ui
                .small_button("Copy")
            .on_hover_text("Copy the ledger as text (as descent trace --format ledger).")
            .clicked()
        {
            ui.ctx().copy_text(ledger.text());
        }
    });
    if let Some(want) = t.instead_of {
        let note = format!(
            "Step {want} is not kept: long runs keep the recent steps and thin the older ones. Showing step {}.",
            t.row.step
        );
        ui.label(RichText::new(note).small().color(palette.weak_text));
    }
    if !(ledger.result.is_finite()) {
        let note = "This update leaves the finite numbers: the run diverged here.";
        ui.colored_label(palette.diverged, note);
    }
    ui.add_space(4.0);
    ui.spacing_mut().item_spacing.y = 1.0;
    lines_ui(ui, ledger, &ledger.gradient, palette.weak_text);
    for block in &ledger.blocks {
        ui.add_space(4.0);
        ui.label(RichText::new(format!("{}:", block.param)).strong())
            .on_hover_text(format!("The update of {} in the optimizer's order.", block.param));
        lines_ui(ui, ledger, &block.lines, palette.weak_text);
    }
}

/// One line per ledger line, as it reads: `what ← rule = numbers = value`, the value strong and the numbers faint;
/// cut with "…" at the tab's width, the whole line and its note on hover.
fn lines_ui(ui: &mut Ui, ledger: &Ledger, lines: &[Line], weak: Color32) {
    let font = egui::FontId::monospace(13.0);
    let strong = ui.visuals().strong_text_color();
    let normal = ui.visuals().text_color();
    for l in lines {
        let mut job = LayoutJob::default();
        let mut add = |text: &str, color: Color32| {
            job.append(text, 0.0, TextFormat { font_id: font.clone(), color, ..Default::default() });
        };
        let arrow = if l.assigns { "←" } else { "=" };
        add(&format!("{:<9} {arrow} {}", l.lhs, l.rule), normal);
        let sign = Ledger::sign(l);
        if !l.plugged.is_empty() {
            add(&format!(" {sign} {}", l.plugged), weak);
        }
        let value = if l.value.is_finite() { ledger.value_text(l) } else { "not finite".into() };
        add(&format!(" {sign} {value}"), strong);
        if let Some(note) = &l.note {
            add(&format!("   {note}"), weak);
        }
        ui.add(egui::Label::new(job).truncate()).on_hover_text(line_tip(ledger, l));
    }
}

fn line_tip(ledger: &Ledger, l: &Line) -> String {
    let mut tip = ledger.line_text(l);
    let how = if l.exact {
        "Every number is exact (its shortest repr): the rule computed from them in the run's precision gives the value."
    } else {
        "Computed otherwise than by this rule by hand: the numbers are rounded to 7 digits (≈)."
    };
    tip.push_str(&format!("\n\n{how}"));
    tip
}

impl TabView for LedgerState {

    fn label(&self) -> &'static str {
        "Step ledger"
    }

    fn tip(&self) -> &'static str {
        "The update at the timeline's step in the optimizer's own rule (torch's symbols), with every number plugged in: what exactly happened in that step."
    }

    fn topic(&self) -> Topic {
        Topic::Ledger
    }


    fn ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, _run: &RunSnapshot, _actions: &mut Vec<Action>) {
        ledger_ui(ui, self, ctx)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
