//! Issue 23 §3, "PNG of any view": a view drawn alone for its PNG has its title and none of its panel's controls,
//! and the Export menu's dialog starts such a picture at the size asked. (The pixels themselves are checked end to
//! end under Xvfb in `e2e_export_view.rs`.)

mod common;

use common::app::{fast, harness, shows, wait_for, wait_until};
use descent::app::AppOptions;
use descent::app::panels::menu_bar::{ExportKind, labels};
use descent::app::state::Tab;
use descent::cli::view_png::exportable_views;
use descent::lesson::View;
use egui_kittest::kittest::Queryable;

fn alone(view: View, preset: Option<&str>) -> AppOptions {
    AppOptions { export_view: Some((view, [1400, 900])), preset: preset.map(Into::into), ..fast() }
}

#[test]
fn the_landscape_alone_has_its_title_and_no_selector_or_toggles() {
    // The same app in its own layout shows the controls the picture leaves out.
    let mut normal = harness(AppOptions { preset: Some("himmelblau".into()), ..fast() });
    wait_for(&mut normal, "the contour selector", |h| shows(h, "Contours"));
    assert!(shows(&normal, "3-D surface") && shows(&normal, "gradient field"));

    let mut h = harness(alone(View::LossLandscape, Some("himmelblau")));
    wait_for(&mut h, "the landscape's title", |h| shows(h, "Loss landscape L(w, b)"));
    assert_eq!(h.state().solo_view(), Some(View::LossLandscape));
    for control in ["Contours", "3-D surface", "gradient field", labels::FILE, labels::EXPORT, "Step"] {
        assert!(!shows(&h, control), "“{control}” is not in the picture");
    }
    assert!(shows(&h, "slice: L(w) at b"), "the slice under the map is part of the view");
    assert!(shows(&h, "from (1, -2)"), "the run legend names the runs");
}

#[test]
fn the_landscapes_subtitle_says_what_it_draws_contours_or_the_surface() {
    let mut contours = harness(AppOptions { preset: Some("himmelblau".into()), ..fast() });
    wait_for(&mut contours, "the contour map's subtitle", |h| shows(h, "contours of the loss"));
    assert!(!shows(&contours, "as a surface"));

    let mut surface = harness(AppOptions { preset: Some("himmelblau".into()), surface: true, ..fast() });
    wait_for(&mut surface, "the surface's subtitle", |h| shows(h, "the loss as a surface over (w, b)"));
    assert!(!shows(&surface, "contours of the loss"), "a 3-D surface is not called a contour map");
}

#[test]
fn the_basins_alone_have_their_tally_and_not_their_grid_buttons() {
    let mut normal = harness(AppOptions { preset: Some("himmelblau".into()), tab: Some(Tab::Basins), ..fast() });
    wait_for(&mut normal, "the grid buttons", |h| shows(h, "100 × 100"));

    let mut h = harness(alone(View::Tab(Tab::Basins), Some("himmelblau")));
    wait_for(&mut h, "the basins' tally", |h| shows(h, "■ (3, 2)"));
    assert!(shows(&h, "Basins"), "the tab's label is the picture's title");
    assert!(!shows(&h, "100 × 100") && !shows(&h, "200 × 200"), "no grid buttons");
}

#[test]
fn the_basins_alone_of_a_one_parameter_run_say_why_they_are_empty_without_a_button() {
    let mut normal = harness(AppOptions { tab: Some(Tab::Basins), ..fast() });
    wait_for(&mut normal, "the reason and its button", |h| shows(h, "Fit a bias b"));

    let mut h = harness(alone(View::Tab(Tab::Basins), None));
    wait_for(&mut h, "the reason", |h| shows(h, "Basins need two parameters"));
    assert!(!shows(&h, "Fit a bias b"), "no button in the picture");
}

#[test]
fn the_data_alone_is_its_scatter_without_the_table_or_buttons() {
    let mut normal = harness(AppOptions { tab: Some(Tab::Data), ..fast() });
    wait_for(&mut normal, "the editor's buttons", |h| shows(h, "Add point"));

    let mut h = harness(alone(View::Tab(Tab::Data), None));
    wait_for(&mut h, "the data's name", |h| shows(h, "points"));
    for control in ["Add point", "presets:", "noisy"] {
        assert!(!shows(&h, control), "“{control}” is not in the picture");
    }
}

#[test]
fn every_view_draws_alone_with_its_title() {
    for view in exportable_views() {
        let mut h = harness(alone(view, None));
        h.step();
        h.step();
        let title = h.state().exportable_plots()[exportable_views().iter().position(|v| *v == view).unwrap()];
        assert!(shows(&h, title), "{view}: its title “{title}”");
        assert!(!shows(&h, labels::FILE), "{view}: no menu bar");
    }
}

#[test]
fn the_dialog_exports_the_open_tab_alone_at_the_size_asked() {
    let mut h = harness(AppOptions { tab: Some(Tab::Ledger), run: true, after_steps: Some(5), ..fast() });
    wait_until(&mut h, "5 steps", |a| a.snapshot().runs[0].record.step == 5);
    h.get_by_label(labels::EXPORT).click();
    h.run();
    h.get_by_label(labels::VIEW_PNG).click();
    h.run();
    // The dialog opens on the open tab, which is a view.
    assert!(shows(&h, "PNG of a view"));
    assert!(shows(&h, "Step ledger"), "the ledger is chosen");
    h.get_by_label("custom").click();
    h.run();
    let dir = tempfile::tempdir().expect("temp dir");
    // The path comes from the save dialog; here it is given directly.
    h.state_mut().export_to(ExportKind::ViewPng, dir.path().join("ledger.png"));
    wait_until(&mut h, "the ledger alone", |a| a.solo_view() == Some(View::Tab(Tab::Ledger)));
    // The window takes the custom size (1600 × 900 pixels at one pixel per point) and shows the view alone.
    wait_for(&mut h, "the window at 1600 × 900", |h| {
        let r = h.ctx.content_rect();
        (r.width() - 1600.0).abs() < 1.0 && (r.height() - 900.0).abs() < 1.0
    });
    assert!(shows(&h, "Step ledger") && !shows(&h, "Copy") && !shows(&h, labels::FILE), "the ledger alone");
}
