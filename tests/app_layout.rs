//! The layout holds at the window sizes learners have (1280 × 720 and 1366 × 768): for every tab, without and with a
//! lesson open, no two widgets of a panel overlap, and every view a lesson page names is at least 220 points tall;
//! in presentation mode at those sizes and at 1920 × 1080, and at 1920 × 1080 without it, no two widgets of a panel
//! overlap in any tab either.
//!
//! What counts as overlapping, precisely: the widgets are the accesskit nodes egui makes for labels, buttons,
//! check boxes, combo boxes, sliders and their value fields, text fields, images and the other leaf widgets (not
//! containers, panels, scroll bars, panel splitters, or a label's text runs). Each is taken at the rectangle egui
//! lets it be seen and clicked in (its `interact_rect`: its rectangle cut to its clip rectangle, so a widget
//! scrolled out of a scroll area takes no room), on the window's background layer (not menus, tooltips or
//! popups). Two widgets of the same panel (the nearest `Pane` above them in the tree) overlap when their rectangles
//! share more than 1 point in both directions and neither contains the other in the tree. Plot contents (ticks,
//! captions) are painted, not widgets: the screenshots in assets/windows/ are how those were checked.

mod common;

use std::collections::HashMap;

use common::app::{fast, wait_until};
use descent::app::state::Tab;
use descent::app::{Action, App, AppOptions};
use descent::lesson::{Lesson, View};
use egui::accesskit::Role;
use egui::{Order, Rect};
use egui_kittest::Harness;
use egui_kittest::kittest::NodeT;

/// The window sizes every check runs at.
const SIZES: [[f32; 2]; 2] = [[1280.0, 720.0], [1366.0, 768.0]];

/// The tabs' labels in the strip, in strip order (what the learner reads and clicks).
const TAB_LABELS: [&str; 10] = [
    "Gradient check",
    "Step ledger",
    "Inside the optimizer",
    "Momentum phase plane",
    "Basins",
    "Learning-rate sweep",
    "Fair race",
    "Notebook log",
    "Data",
    "Exercises",
];

/// The smallest height of a view a lesson page names, in points.
const MIN_VIEW_HEIGHT: f32 = 220.0;

/// The app at `size`. (Accessible names are not this file's check: some tabs' number fields have none yet.)
fn app_at(size: [f32; 2], options: AppOptions) -> Harness<'static, App> {
    Harness::builder().with_size(size).with_accessibility_check(false).build_eframe(move |cc| App::new(cc, options))
}

/// Leaf widgets: the roles egui gives labels, buttons and inputs (containers, panes, scroll bars, splitters and
/// text runs are left out).
fn is_widget(role: Role) -> bool {
    matches!(
        role,
        Role::Label
            | Role::Button
            | Role::CheckBox
            | Role::ComboBox
            | Role::Slider
            | Role::SpinButton
            | Role::TextInput
            | Role::MultilineTextInput
            | Role::RadioButton
            | Role::Image
            | Role::Link
            | Role::DisclosureTriangle
            | Role::Unknown
    )
}

/// One widget: its label (for messages), its visible rectangle, its panel and its ancestors.
struct Widget {
    what: String,
    /// Where it can be seen (cut to its clip rectangle).
    rect: Rect,
    /// Its whole rectangle.
    full: Rect,
    panel: u64,
    ancestors: Vec<u64>,
    id: u64,
}

/// True when the widget is wholly in view (its visible rectangle is its whole one, to a point).
fn whole(w: &Widget) -> bool {
    w.rect.width() >= w.full.width() - 1.0 && w.rect.height() >= w.full.height() - 1.0
}

/// Every widget of the last frame on the background layer, at its visible (clipped) rectangle.
fn widgets(h: &Harness<'static, App>) -> Vec<Widget> {
    let mut visible: HashMap<u64, Rect> = HashMap::new();
    h.ctx.viewport(|vp| {
        for (layer, rects) in vp.prev_pass.widgets.layers() {
            if layer.order == Order::Background {
                for w in rects {
                    visible.insert(w.id.value(), w.interact_rect);
                }
            }
        }
    });
    let mut out = Vec::new();
    for node in h.root().children_recursive() {
        let a = node.accesskit_node();
        let id = a.locate().0.0;
        let Some(&rect) = visible.get(&id) else { continue };
        if !is_widget(a.role()) || rect.width() <= 1.0 || rect.height() <= 1.0 {
            continue;
        }
        let mut ancestors = Vec::new();
        let mut panel = 0;
        let mut up = a.parent();
        while let Some(p) = up {
            let pid = p.locate().0.0;
            ancestors.push(pid);
            if panel == 0 && p.role() == Role::Pane {
                panel = pid;
            }
            up = p.parent();
        }
        let what = format!("{:?} {:?}", a.role(), a.label().or_else(|| a.value()).unwrap_or_default());
        out.push(Widget { what, rect, full: node.rect(), panel, ancestors, id });
    }
    out
}

/// The pairs of widgets of one panel that overlap (see the module's doc), as messages.
fn overlaps(h: &Harness<'static, App>) -> Vec<String> {
    let all = widgets(h);
    assert!(all.len() > 40, "the walk sees the window's widgets: {} found", all.len());
    let mut out = Vec::new();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            if a.panel != b.panel || a.ancestors.contains(&b.id) || b.ancestors.contains(&a.id) {
                continue;
            }
            let common = a.rect.intersect(b.rect);
            if common.width() > 1.0 && common.height() > 1.0 {
                out.push(format!("{} at {:?} overlaps {} at {:?}", a.what, a.rect, b.what, b.rect));
            }
        }
    }
    out
}

fn settle(h: &mut Harness<'static, App>) {
    for _ in 0..6 {
        h.step();
    }
}

#[test]
fn no_two_widgets_of_a_panel_overlap_in_any_tab_at_either_size() {
    let mut failures = Vec::new();
    for size in SIZES {
        for &tab in Tab::all() {
            let mut h = app_at(size, AppOptions { tab: Some(tab), ..fast() });
            settle(&mut h);
            assert_eq!(h.state().prefs().tab, tab);
            failures.extend(overlaps(&h).into_iter().map(|o| format!("{size:?} {tab:?}: {o}")));
        }
    }
    assert!(failures.is_empty(), "{} overlaps:\n{}", failures.len(), failures.join("\n"));
}

/// Presentation mode (larger text, thicker lines) at the three sizes and at the narrowest width whose toolbar keeps
/// one row, and the plain mode at 1920 × 1080 too: in every tab, no two widgets of a panel overlap. The speed box
/// shows the default "10 /s" (the width it had when it sat on "log loss" at 1280 × 720), and the check sees both it
/// (the "speed" spin button) and the "log loss" toggle, apart.
#[test]
fn in_presentation_mode_and_at_full_hd_no_two_widgets_overlap_in_any_tab() {
    let mut failures = Vec::new();
    // 1420 points wide is the narrowest window whose toolbar keeps one row: the tightest fit of the large text.
    let wide = [([1420.0, 900.0], true), ([1920.0, 1080.0], true), ([1920.0, 1080.0], false)];
    let cases = SIZES.iter().map(|&s| (s, true)).chain(wide);
    for (size, present) in cases {
        for &tab in Tab::all() {
            let mut h = app_at(size, AppOptions { tab: Some(tab), present, ..AppOptions::default() });
            settle(&mut h);
            assert_eq!(h.state().prefs().present, present);
            let seen = widgets(&h);
            let find = |wanted: &str| {
                let found = seen.iter().find(|w| w.what == wanted).map(|w| w.rect);
                found.unwrap_or_else(|| panic!("{size:?} {tab:?}: no {wanted} in the toolbar"))
            };
            let (toggle, speed) = (find(r#"CheckBox "log loss""#), find(r#"SpinButton "speed""#));
            assert!(!toggle.intersects(speed), "{size:?} {tab:?}: log loss at {toggle:?}, the speed at {speed:?}");
            failures.extend(overlaps(&h).into_iter().map(|o| format!("{size:?} present {present} {tab:?}: {o}")));
        }
    }
    assert!(failures.is_empty(), "{} overlaps:\n{}", failures.len(), failures.join("\n"));
}

/// With a bias the landscape card shows the contour map and, under it, the slice L(w) at the current b: only where
/// the slice's plot has room above the tab strip (80 pt at least under its caption). A short card shows the map
/// alone rather than cut the slice at its edge (it was cut to about 40 pt at 1280 × 720).
#[test]
fn the_slice_under_the_contour_map_is_shown_whole_or_not_at_all() {
    let sizes = SIZES.iter().copied().chain([[1920.0, 1080.0]]);
    for size in sizes {
        let engine = descent::cli::EngineArgs { bias: true, ..Default::default() };
        // After a run, as a learner sees it: the race's six runs (a legend row), the first converged (an outcome
        // banner and its why line), all above the cards.
        let race = AppOptions { engine, preset: Some("race".into()), run: true, after_steps: Some(2500), ..fast() };
        let mut h = app_at(size, race);
        wait_until(&mut h, "the first run's outcome", |a| {
            a.snapshot().runs.first().is_some_and(|r| r.status.is_finished())
        });
        settle(&mut h);
        let seen = widgets(&h);
        let strip = seen.iter().find(|w| w.what.contains("Gradient check")).map(|w| w.full.top());
        let strip = strip.unwrap_or_else(|| panic!("{size:?}: no tab strip"));
        let caption = seen.iter().find(|w| w.what.contains("slice: L(w) at b")).map(|w| w.full.bottom());
        match caption {
            Some(bottom) => {
                assert!(strip - bottom >= 80.0, "{size:?}: the slice has {} pt above the strip", strip - bottom)
            }
            None => assert!(size[1] < 1000.0, "{size:?}: a full-HD window has room for the slice"),
        }
    }
}

/// At 1280 × 720 and 1366 × 768, with a tab at the strip's far end opened (the strip scrolls to it), every tab label
/// painted on the strip's row is whole: a tab the strip's edge cuts is left blank, not shown as a fragment ("e the
/// optimizer").
#[test]
fn the_strip_paints_no_fragment_of_a_tab_label() {
    for size in SIZES {
        for tab in [Tab::Exercises, Tab::Basins, Tab::Data] {
            let mut h = app_at(size, AppOptions { tab: Some(tab), ..fast() });
            settle(&mut h);
            let seen = widgets(&h);
            let row = seen.iter().find(|w| w.what.contains("more ▾")).map(|w| w.full);
            let row = row.unwrap_or_else(|| panic!("{size:?} {tab:?}: the strip overflows"));
            let mut cut = Vec::new();
            for clipped in &h.output().shapes {
                if let egui::Shape::Text(t) = &clipped.shape {
                    let rect = t.visual_bounding_rect();
                    let on_row = rect.center().y > row.top() && rect.center().y < row.bottom();
                    let inside = clipped.clip_rect.expand(0.5).contains_rect(rect);
                    if on_row && !inside && clipped.clip_rect.intersects(rect) {
                        cut.push(t.galley.text().to_owned());
                    }
                }
            }
            assert!(cut.is_empty(), "{size:?} {tab:?}: labels cut by the strip's edge: {cut:?}");
        }
    }
}

/// At 1280 × 720 the strip has no room for every tab: it says how many it hides, and its "more ▾" menu opens each.
#[test]
fn the_strip_lists_the_tabs_it_cannot_show_and_opens_them() {
    let mut h = app_at([1280.0, 720.0], AppOptions { tab: Some(Tab::GradientCheck), ..fast() });
    settle(&mut h);
    let more = |h: &Harness<'static, App>| {
        let label = widgets(h).into_iter().find(|w| w.what.contains("more ▾")).map(|w| w.what);
        label.expect("a “more ▾” menu: the strip overflows at 1280 × 720")
    };
    let shown = more(&h);
    let hidden: usize =
        shown.trim_start_matches("Button \"").split(' ').next().and_then(|n| n.parse().ok()).expect(&shown);
    // The labels wholly in view and the ones the menu lists make every tab, once.
    let shown_whole: Vec<&str> = TAB_LABELS
        .iter()
        .copied()
        .filter(|l| widgets(&h).iter().any(|w| w.what == format!("Button {l:?}") && whole(w)))
        .collect();
    assert_eq!(shown_whole.len() + hidden, TAB_LABELS.len(), "{shown_whole:?} and {shown}");
    let last = TAB_LABELS[TAB_LABELS.len() - 1];
    assert!(!shown_whole.contains(&last), "the last tab is off the strip's right end: {shown_whole:?}");
    egui_kittest::kittest::Queryable::get_by_label_contains(&h, "more ▾").click();
    settle(&mut h);
    let item =
        egui_kittest::kittest::Queryable::get_all_by_label(&h, last).last().expect("the menu lists the last tab");
    item.click();
    settle(&mut h);
    assert_eq!(h.state().prefs().tab, Tab::Exercises, "the menu opens the tab");
    let whole_now = widgets(&h).iter().any(|w| w.what == format!("Button {last:?}") && whole(w));
    assert!(whole_now, "and the strip scrolls it into view");
}

#[test]
fn with_a_lesson_no_widgets_overlap_in_any_tab_and_each_named_view_has_its_height() {
    let mut failures = Vec::new();
    for size in SIZES {
        let lesson = Lesson::load("notebook").expect("notebook");
        let mut h = app_at(size, AppOptions { lesson: Some(("notebook".into(), lesson)), ..fast() });
        settle(&mut h);
        for &tab in Tab::all() {
            h.state_mut().push_action(Action::OpenTab(tab));
            settle(&mut h);
            let drawn = h.state().views_drawn().to_vec();
            assert!(drawn.iter().any(|(v, _)| *v == View::Tab(tab)), "{size:?}: the tab {tab:?} is shown: {drawn:?}");
            for (view, rect) in &drawn {
                if rect.height() < MIN_VIEW_HEIGHT {
                    failures.push(format!("{size:?} {tab:?}: {view} is {} tall", rect.height()));
                }
            }
            failures.extend(overlaps(&h).into_iter().map(|o| format!("{size:?} lesson, {tab:?}: {o}")));
            // The tab the page opened is scrolled into view: its label is whole, not cut by the strip's edge.
            let label = TAB_LABELS[Tab::all().iter().position(|t| *t == tab).expect("a tab")];
            let in_view = widgets(&h).iter().any(|w| w.what == format!("Button {label:?}") && whole(w));
            if !in_view {
                failures.push(format!("{size:?} lesson, {tab:?}: “{label}” is not wholly in view in the strip"));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Every page of every built-in lesson: the views it names (or its default) are laid out, each at least 220 points
/// tall, at both sizes.
#[test]
fn every_page_of_every_lesson_gives_its_views_their_height() {
    for size in SIZES {
        for (name, _) in descent::lesson::BUILTIN {
            let lesson = Lesson::load(name).expect("built-in");
            let pages: Vec<Vec<View>> = lesson.pages.iter().map(|p| p.views()).collect();
            let mut h = app_at(size, AppOptions { lesson: Some((name.to_string(), lesson)), ..fast() });
            settle(&mut h);
            for (k, views) in pages.iter().enumerate() {
                h.state_mut().push_action(Action::LessonGo(k));
                // A page that sets up runs draws its views once the worker has them.
                wait_until(&mut h, "the page's setup", |a| !a.lesson().settling() && !a.snapshot().runs.is_empty());
                settle(&mut h);
                let drawn = h.state().views_drawn().to_vec();
                for view in views.iter().filter(|v| **v != View::Settings) {
                    let (_, rect) = drawn
                        .iter()
                        .find(|(v, _)| v == view)
                        .unwrap_or_else(|| panic!("{size:?} {name} page {}: {view} is not shown: {drawn:?}", k + 1));
                    assert!(
                        rect.height() >= MIN_VIEW_HEIGHT,
                        "{size:?} {name} page {}: {view} is {} tall",
                        k + 1,
                        rect.height()
                    );
                }
            }
        }
    }
}
