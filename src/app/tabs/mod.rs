//! The bottom tab strip under the plots, and every tab: one file each (gradient check, step ledger, inside the
//! optimizer, momentum phase plane, basins, learning-rate sweep, fair race, notebook log, data, exercises).
//!
//! A tab is a type that implements [`TabView`] (its label, tooltip, explain topic and its body,
//! drawn from the frame's [`ViewCtx`] with the same arguments for every tab) and owns what it keeps between frames.
//! [`every_tab`] lists them from the one list in `src/tab.rs` (`with_every_tab!`), which also makes [`Tab`] (the type
//! the command line and lessons name tabs by): adding a tab is its file here and one line there. The strip sits in a
//! resizable bottom panel inside the central panel and can be folded to its header line; with a lesson open it is one
//! of the page's views ([`tab_area_ui`] in the rect the page's grid gives it). Where the labels do not fit they scroll
//! sideways, and a "N more ▾" menu at the strip's end lists the tabs not wholly in view.

use egui::{Rect, RichText, Ui};

use crate::app::explain::Explainer;
use crate::app::state::{Action, Tab};
use crate::app::theme::Palette;
use crate::app::view::ViewCtx;
use crate::explain::topics::Topic;
use crate::worker::RunSnapshot;

/// One tab of the strip: what it is, and its body.
pub trait TabView {
    /// Its title in the strip.
    fn label(&self) -> &'static str;
    /// What it shows, for its tooltip.
    fn tip(&self) -> &'static str;
    /// What it shows, for explain mode.
    fn topic(&self) -> Topic;
    /// Its body, drawn from the frame's context for the selected run; requests go to `actions`.
    fn ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, run: &RunSnapshot, actions: &mut Vec<Action>);
    /// The view as `Any`, to reach a tab's own state from outside (tests, the exports).
    fn as_any(&self) -> &dyn std::any::Any;
}

/// Declares each tab's file and lists its view with its state as at launch, from the one list in `src/tab.rs`.
macro_rules! tab_views {
    ($($(#[$meta:meta])* $variant:ident => $module:ident :: $view:ident,)*) => {
        $(pub mod $module;)*

        /// Every tab with its view, in strip order.
        fn every_tab() -> Vec<(Tab, Box<dyn TabView>)> {
            vec![$((Tab::$variant, Box::new($module::$view::default()) as Box<dyn TabView>),)*]
        }
    };
}
crate::tab::with_every_tab!(tab_views);

/// What the tabs keep between frames (not persisted; the selected tab is in [`crate::app::state::Prefs`]).
pub struct TabsState {
    /// Folded to the header line.
    pub collapsed: bool,
    /// The user chose to open the strip although the window is short (see [`SHORT_HEIGHT`]).
    pub open_when_short: bool,
    /// The strip was folded in the last frame (by the user, or by a short window).
    pub folded_now: bool,
    /// Every tab's view and state ([`every_tab`]).
    views: Vec<(Tab, Box<dyn TabView>)>,
    /// The tab last scrolled into view in the strip (a newly opened tab is scrolled to once).
    pub scrolled_to: Option<Tab>,
    /// The tabs the strip's edges cut in the last frame: drawn as blank room, not as a fragment of a label (the
    /// "more ▾" menu lists them).
    cut: Vec<Tab>,
    /// Where the open tab's body was drawn in the last frame (the size "as shown" of its PNG).
    pub body_rect: Option<egui::Rect>,
}

impl Default for TabsState {
    fn default() -> Self {
        TabsState {
            collapsed: false,
            open_when_short: false,
            folded_now: false,
            views: every_tab(),
            scrolled_to: None,
            cut: Vec::new(),
            body_rect: None,
        }
    }
}

/// Below this height of the central area the strip starts folded, so that the plots keep at least ~300 points.
pub const SHORT_HEIGHT: f32 = 560.0;

impl TabsState {
    /// Folds or opens the strip (a choice of the user's: it holds on a short window too).
    pub fn set_folded(&mut self, folded: bool) {
        self.collapsed = folded;
        self.open_when_short = !folded;
        self.folded_now = folded;
    }

    /// The view of `tab`.
    pub fn view(&self, tab: Tab) -> Option<&dyn TabView> {
        self.views.iter().find(|(t, _)| *t == tab).map(|(_, v)| &**v)
    }

    fn view_mut(&mut self, tab: Tab) -> Option<&mut (dyn TabView + 'static)> {
        self.views.iter_mut().find(|(t, _)| *t == tab).map(|(_, v)| &mut **v)
    }

    /// The state of the tab whose view is a `T` (the data editor's, for tests and the exports).
    pub fn state<T: 'static>(&self) -> Option<&T> {
        self.views.iter().find_map(|(_, v)| v.as_any().downcast_ref::<T>())
    }
}

/// The strip as a resizable, foldable bottom panel inside `ui` (call before laying out what goes above it).
pub fn tabs_ui(
    ui: &mut Ui,
    tab: Tab,
    state: &mut TabsState,
    ctx: &ViewCtx<'_>,
    run: &RunSnapshot,
    actions: &mut Vec<Action>,
) {
    let frame = egui::Frame::new().inner_margin(egui::Margin { left: 0, right: 0, top: 6, bottom: 0 });
    // On a short window (a small laptop, or a large UI zoom) the plots need the height: the strip starts folded.
    let short = ui.available_height() < SHORT_HEIGHT;
    state.folded_now = state.collapsed || (short && !state.open_when_short);
    if state.folded_now {
        state.body_rect = None;
        egui::Panel::bottom("teach-tabs-folded").resizable(false).frame(frame).show(ui, |ui| {
            strip_ui(ui, tab, state, (ctx.palette, ctx.explain), actions);
        });
        return;
    }
    let max = (ui.available_height() * 0.7).max(160.0);
    // About a third of the height: on a short window the plots above keep most of it; on a tall one (1920 × 1080)
    // a tab with plots (basins, the sweep, the phase plane) or a sheet's row gets room too.
    let default = (ui.available_height() * 0.36).clamp(140.0, 360.0);
    egui::Panel::bottom("teach-tabs")
        .resizable(true)
        .default_size(default)
        .size_range(140.0..=max)
        .frame(frame)
        .show(ui, |ui| tab_area_ui(ui, (tab, state), (ctx, run), actions));
}

/// The strip's header line and the open tab's body under it, filling `ui` (the bottom panel, or the rect a lesson
/// page gives the tab it names).
pub fn tab_area_ui(
    ui: &mut Ui,
    (tab, state): (Tab, &mut TabsState),
    (ctx, run): (&ViewCtx<'_>, &RunSnapshot),
    actions: &mut Vec<Action>,
) {
    state.folded_now = false;
    strip_ui(ui, tab, state, (ctx.palette, ctx.explain), actions);
    ui.separator();
    let body = egui::Frame::new()
        .fill(ctx.palette.card)
        .corner_radius(6.0)
        .inner_margin(egui::Margin::symmetric(8, 6))
        .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
        .show(ui, |ui| {
            ui.set_min_size(ui.available_size());
            // Scrolls rather than grows: the plots above keep their room whatever the tab holds.
            egui::ScrollArea::vertical().id_salt("tab body").auto_shrink([false, false]).show(ui, |ui| {
                if let Some(view) = state.view_mut(tab) {
                    view.ui(ui, ctx, run, actions);
                }
            });
        });
    if let Some(view) = state.view(tab) {
        ctx.explain.mark(view.topic(), body.response.rect);
    }
    state.body_rect = Some(body.response.rect);
}

/// A tab that is a view ([`Tab::is_view`]) alone, filling `ui`, for its PNG ([`crate::app::solo`]): a card with
/// its label as title and its tooltip as subtitle around its body, drawn with [`ViewCtx::solo`] set (no controls).
pub fn solo_tab_ui(
    ui: &mut Ui,
    tab: Tab,
    state: &mut TabsState,
    (ctx, run): (&ViewCtx<'_>, &RunSnapshot),
    actions: &mut Vec<Action>,
) {
    let Some(view) = state.view_mut(tab) else {
        return;
    };
    let (label, tip) = (view.label(), view.tip());
    crate::app::plots::card_ui(ui, ctx.palette, label, tip, |ui| view.ui(ui, ctx, run, actions));
}

/// The header line: a fold button and one selectable label per tab.
fn strip_ui(
    ui: &mut Ui,
    tab: Tab,
    state: &mut TabsState,
    (palette, ex): (Palette, &Explainer),
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        let (icon, tip) =
            if state.folded_now { ("▸", "Show the tab panel.") } else { ("▾", "Fold the tab panel.") };
        let fold = ui.small_button(icon);
        ex.mark(Topic::Tabs, fold.interact_rect);
        let fold = if ex.on() { fold } else { fold.on_hover_text(tip) };
        if fold.clicked() {
            state.set_folded(!state.folded_now);
        }
        // On a narrow window the labels scroll sideways (the wheel or a drag), a newly opened tab is scrolled into
        // view, and the tabs that do not fit are listed in a "more ▾" menu at the right end.
        let width = (ui.available_width() - MORE_WIDTH).max(MORE_WIDTH);
        let mut placed: Vec<(Tab, Rect)> = Vec::new();
        let strip = egui::ScrollArea::horizontal().id_salt("tab strip").max_width(width).show(ui, |ui| {
            ui.horizontal(|ui| {
                for &t in Tab::all() {
                    let Some(view) = state.view(t) else {
                        continue;
                    };
                    let (label, tip, topic) = (view.label(), view.tip(), view.topic());
                    let selected = tab == t;
                    let text = RichText::new(label).size(14.0);
                    let text = if selected { text.strong().color(palette.optimum) } else { text };
                    let whole = selected || !state.cut.contains(&t);
                    let label = ui.add_visible(whole, egui::Button::selectable(selected, text));
                    if selected && state.scrolled_to != Some(t) {
                        label.scroll_to_me(Some(egui::Align::Center));
                        state.scrolled_to = Some(t);
                    }
                    placed.push((t, label.rect));
                    ex.mark(topic, label.interact_rect);
                    let label = if ex.on() { label } else { label.on_hover_text(tip) };
                    if label.clicked() {
                        actions.push(Action::OpenTab(t));
                    }
                }
            });
        });
        let hidden = hidden_tabs(&placed, strip.inner_rect);
        state.cut = cut_tabs(&placed, strip.inner_rect);
        more_menu_ui(ui, &hidden, state, ex, actions);
    });
}

/// Room kept at the strip's right end for the "more ▾" menu.
const MORE_WIDTH: f32 = 86.0;

/// The tabs whose labels are not wholly inside `visible` (the strip's scrolled view, sideways), in strip order.
fn hidden_tabs(placed: &[(Tab, Rect)], visible: Rect) -> Vec<Tab> {
    let (left, right) = (visible.left() - 0.5, visible.right() + 0.5);
    placed.iter().filter(|(_, r)| r.left() < left || r.right() > right).map(|(t, _)| *t).collect()
}

/// The tabs whose labels the strip's edges cut: partly inside `visible`, partly out.
fn cut_tabs(placed: &[(Tab, Rect)], visible: Rect) -> Vec<Tab> {
    let (left, right) = (visible.left() - 0.5, visible.right() + 0.5);
    let cut = |r: &Rect| (r.left() < left && r.right() > left) || (r.left() < right && r.right() > right);
    placed.iter().filter(|(_, r)| cut(r)).map(|(t, _)| *t).collect()
}

/// "N more ▾": a menu of the tabs the strip has no room to show (nothing when all fit).
fn more_menu_ui(ui: &mut Ui, hidden: &[Tab], state: &TabsState, ex: &Explainer, actions: &mut Vec<Action>) {
    if hidden.is_empty() {
        return;
    }
    let menu = ui.menu_button(format!("{} more ▾", hidden.len()), |ui| {
        for &t in hidden {
            let Some(view) = state.view(t) else {
                continue;
            };
            if ui.button(view.label()).on_hover_text(view.tip()).clicked() {
                actions.push(Action::OpenTab(t));
                ui.close();
            }
        }
    });
    ex.mark(Topic::Tabs, menu.response.interact_rect);
    if !ex.on() {
        menu.response.on_hover_text("The tabs the strip has no room for (or scroll it sideways).");
    }
}

/// A button elsewhere (menu bar, timeline) that shows tab `tab`: "open" while the tab is not shown, "hide" (folding
/// the strip) while it is, so that a click always changes something visible.
pub fn tab_button_ui(
    ui: &mut Ui,
    tab: Tab,
    shown: Option<Tab>,
    [open, hide]: [&str; 2],
    tip: &str,
    actions: &mut Vec<Action>,
) {
    let is_shown = shown == Some(tab);
    let label = if is_shown { hide } else { open };
    if ui.selectable_label(is_shown, label).on_hover_text(tip).clicked() {
        actions.push(Action::ToggleTab(tab));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tab_has_exactly_one_view() {
        let views = every_tab();
        let tabs: Vec<Tab> = views.iter().map(|(tab, _)| *tab).collect();
        assert_eq!(tabs, Tab::all(), "the strip's order is the enum's");
        let mut labels: Vec<&str> = views.iter().map(|(_, view)| view.label()).collect();
        assert!(labels.iter().all(|l| !l.trim().is_empty()));
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Tab::all().len(), "every tab has its own label");
    }
}
