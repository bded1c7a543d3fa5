//! One view alone as a PNG, at a chosen size: Export ▸ "PNG of a view…" and `descent --export-view VIEW --size WxH
//! --out PATH`.
//!
//! **How: a solo rendering, not a crop.** The app draws only that view, filling the whole window: its card with
//! the title and subtitle, the run legend above it when there are several runs, its axes and the plot's own
//! legends. [`crate::app::view::ViewCtx::solo`] is set, so that the view leaves out its buttons, selectors and
//! sliders (the landscape's Contours / 3-D selector and toggles, the basins' 100×100 / 200×200 buttons, the fair
//! race's criterion and Tune, the data editor's presets and table, the ledger's Copy). The window is then exactly the
//! picture and its screenshot is the PNG, so the picture can be larger than the view was on screen and nothing
//! around the view can leak in.
//!
//! - **In the app**, [`SoloShot`] multiplies the zoom by the scale asked (text and lines ×s, sharp, not
//!   magnified pixels), resizes the window to the size asked in pixels, lets the plots settle for a few frames, takes
//!   the screenshot, then puts the window's size, zoom and layout back; for that moment the window shows the view
//!   alone and ignores the pointer. The window only shrinks: a size larger than the window is shrunk with its scale
//!   to fit ([`fit_within`]; the same picture, fewer pixels) and the message says so and gives the `descent
//!   --export-view` command for the full size (a window grown at run time stopped being painted under Xvfb with
//!   eframe 0.37). The PNG is the size the window got, with a note when that is not the size asked ([`crate::app::screenshot::size_note`]).
//! - **Headless**, `--export-view` opens the window at the size asked (not clamped to the screen by eframe; X still
//!   clamps it to its screen) and draws the view alone from the first frame; `--screenshot`'s job
//!   ([`crate::app::screenshot`]) waits for the run, saves the PNG and exits.
//!
//! The view names and size limits are [`crate::cli::view_png`]'s, shared by the dialog and the flags.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use egui::{Context, Ui, vec2};

use crate::app::App;
use crate::app::plots::landscape::PointView;
use crate::app::state::Action;
use crate::app::view::ViewCtx;
use crate::cli::view_png::{PNG_SIDE_PX, exportable_views};
use crate::lesson::View;

/// Seconds to wait for the window to take its new size before taking the picture at the size it has.
const RESIZE_SECS: f64 = 1.5;
/// Frames drawn at the new size before the picture (the plots' bounds and the layout settle).
const SETTLE_FRAMES: u32 = 6;
/// The scales (of text and lines) a custom size may have.
pub const SCALES: std::ops::RangeInclusive<f32> = 0.5..=4.0;

/// The sizes the dialog offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeChoice {
    /// The size the view has on screen.
    AsShown,
    /// Twice that, with text and lines twice as large (the same picture, sharper).
    TwiceShown,
    /// 1920 × 1080 at the screen's scale.
    FullHd,
    /// 3840 × 2160, text and lines ×2 (a 4K slide that reads like 1920 × 1080).
    Uhd,
    /// A width, height and scale of one's own.
    Custom,
}

impl SizeChoice {
    /// Every choice, in the dialog's order.
    pub const ALL: [SizeChoice; 5] =
        [SizeChoice::AsShown, SizeChoice::TwiceShown, SizeChoice::FullHd, SizeChoice::Uhd, SizeChoice::Custom];

    /// Its label in the dialog.
    pub fn label(self) -> &'static str {
        match self {
            SizeChoice::AsShown => "as shown",
            SizeChoice::TwiceShown => "2× as shown",
            SizeChoice::FullHd => "1920 × 1080",
            SizeChoice::Uhd => "3840 × 2160 (text ×2)",
            SizeChoice::Custom => "custom",
        }
    }

    /// The PNG's size in pixels and the scale of its text and lines, for a view shown at `shown_px` (`None`: not
    /// on screen now, taken as 1280 × 720) and the custom size and scale; kept within [`PNG_SIDE_PX`] (a size too
    /// large shrinks with its scale, so the picture stays the same).
    pub fn resolve(self, shown_px: Option<[u32; 2]>, custom: ([u32; 2], f32)) -> ([u32; 2], f32) {
        let shown = shown_px.unwrap_or([1280, 720]);
        let (size, scale) = match self {
            SizeChoice::AsShown => (shown, 1.0),
            SizeChoice::TwiceShown => (shown.map(|s| s.saturating_mul(2)), 2.0),
            SizeChoice::FullHd => ([1920, 1080], 1.0),
            SizeChoice::Uhd => ([3840, 2160], 2.0),
            SizeChoice::Custom => (custom.0, custom.1.clamp(*SCALES.start(), *SCALES.end())),
        };
        fit(size, scale)
    }
}

/// `size` (and its `scale` with it) shrunk to at most [`PNG_SIDE_PX`]'s end a side; a side below its start grows to
/// it.
fn fit(size: [u32; 2], scale: f32) -> ([u32; 2], f32) {
    let (lo, hi) = (*PNG_SIDE_PX.start(), *PNG_SIDE_PX.end());
    let longest = size[0].max(size[1]).max(1);
    let shrink = if longest > hi { f64::from(hi) / f64::from(longest) } else { 1.0 };
    let side = |s: u32| ((f64::from(s) * shrink).round() as u32).clamp(lo, hi);
    ([side(size[0]), side(size[1])], (f64::from(scale) * shrink) as f32)
}

/// `size` and `scale` shrunk together (the same picture) to fit within `window_px`: the app's window can shrink
/// for a picture but not grow (a window grown under X stops being painted by eframe 0.37: tried under Xvfb).
/// Returns the size, the scale and whether it was shrunk.
pub fn fit_within(size: [u32; 2], scale: f32, window_px: [u32; 2]) -> ([u32; 2], f32, bool) {
    let factor = (0..2).map(|i| f64::from(window_px[i].max(1)) / f64::from(size[i].max(1))).fold(1.0, f64::min);
    if factor >= 1.0 {
        return (size, scale, false);
    }
    let side = |s: u32| ((f64::from(s) * factor).floor() as u32).max(1);
    ([side(size[0]), side(size[1])], (f64::from(scale) * factor) as f32, true)
}

/// The Export ▸ "PNG of a view…" dialog's choices.
#[derive(Clone, Debug, PartialEq)]
pub struct PngDialog {
    /// The view to export.
    pub view: View,
    /// The size.
    pub size: SizeChoice,
    /// The custom size, in pixels.
    pub custom_px: [u32; 2],
    /// The custom scale of text and lines.
    pub custom_scale: f32,
}

/// What is drawn alone, and the dialog.
#[derive(Default)]
pub struct SoloState {
    /// `--export-view`: the view the window shows for its whole life.
    pub fixed: Option<View>,
    /// An export under way in the app.
    shot: Option<SoloShot>,
    /// The dialog, while open.
    pub dialog: Option<PngDialog>,
}

impl SoloState {
    /// The state of an app that draws `fixed` alone for its whole life (`--export-view`), or (`None`) its own layout.
    pub fn new(fixed: Option<View>) -> Self {
        SoloState { fixed, ..Default::default() }
    }

    /// The view drawn alone this frame, if any.
    pub fn view(&self) -> Option<View> {
        self.fixed.or(self.shot.as_ref().map(|s| s.view))
    }

    /// Whether one view is drawn alone this frame.
    pub fn is_drawing(&self) -> bool {
        self.view().is_some()
    }
}

/// An export of one view in the app: zoom, resize, settle, screenshot, put back.
pub struct SoloShot {
    view: View,
    size_px: [u32; 2],
    scale: f32,
    path: PathBuf,
    /// The window's size in pixels and the zoom before, put back after.
    restore: Option<([f32; 2], f32)>,
    phase: Phase,
}

enum Phase {
    /// The zoom is set this frame.
    Start,
    /// The window is asked for its new size (since this time).
    Resizing(Option<f64>),
    /// Frames drawn at the new size.
    Settling(u32),
    /// Waiting for the pixels.
    Requested(Receiver<Arc<egui::ColorImage>>),
}

impl SoloShot {
    /// An export of `view` at `size_px` pixels with text and lines × `scale`, to `path`.
    pub fn new(view: View, size_px: [u32; 2], scale: f32, path: PathBuf) -> Self {
        SoloShot { view, size_px, scale, path, restore: None, phase: Phase::Start }
    }

    /// Advances by one frame. Once the pixels are in, puts the window back and returns them.
    fn update(&mut self, ctx: &Context) -> Option<Arc<egui::ColorImage>> {
        ctx.request_repaint();
        let now = ctx.input(|i| i.time);
        let ppp = ctx.pixels_per_point();
        let inner_px = ctx.input(|i| i.viewport().inner_rect).map(|r| [r.width() * ppp, r.height() * ppp]);
        match &mut self.phase {
            Phase::Start => {
                let zoom = ctx.zoom_factor();
                self.restore = inner_px.map(|px| (px, zoom));
                ctx.set_zoom_factor(zoom * self.scale);
                self.phase = Phase::Resizing(None);
            }
            Phase::Resizing(since) => {
                let [w, h] = self.size_px.map(|s| s as f32);
                let Some(since) = *since else {
                    // The zoom of the last frame is in force: the size in points is the pixels at this scale.
                    ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(vec2(w, h) / ppp));
                    self.phase = Phase::Resizing(Some(now));
                    return None;
                };
                let there = inner_px.is_some_and(|[iw, ih]| (iw - w).abs() < 1.0 && (ih - h).abs() < 1.0);
                if there || now - since > RESIZE_SECS {
                    self.phase = Phase::Settling(0);
                }
            }
            Phase::Settling(frames) if *frames < SETTLE_FRAMES => *frames += 1,
            Phase::Settling(_) => self.phase = Phase::Requested(crate::app::screenshot::request_screenshot(ctx)),
            Phase::Requested(rx) => {
                let image = rx.try_recv().ok()?;
                if let Some(([w, h], zoom)) = self.restore {
                    ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(vec2(w, h) / ppp));
                    ctx.set_zoom_factor(zoom);
                }
                return Some(image);
            }
        }
        None
    }
}

/// The label of a view in the dialog ("Loss vs step", a tab's title).
pub fn view_label(view: View, tabs: &crate::app::tabs::TabsState) -> &'static str {
    match view {
        View::LossLandscape => "Loss landscape",
        View::LossVsStep => "Loss vs step",
        View::WeightVsStep => "Weight vs step",
        View::Settings => "Settings",
        View::Tab(tab) => tabs.view(tab).map_or("tab", |v| v.label()),
    }
}

impl App {
    /// The labels of the views Export ▸ "PNG of a view…" offers (every view that exports alone).
    pub fn exportable_plots(&self) -> Vec<&'static str> {
        exportable_views().into_iter().map(|v| view_label(v, &self.tabs)).collect()
    }

    /// The view drawn alone now (for its PNG), if any.
    pub fn solo_view(&self) -> Option<View> {
        self.solo.view()
    }

    /// Where `view` was drawn in the last frame, in pixels (`None`: not on screen).
    fn shown_px(&self, ctx: &Context, view: View) -> Option<[u32; 2]> {
        let rect = match view {
            View::Tab(tab) if self.prefs.tab == tab && !self.tabs.folded_now => self.tabs.body_rect,
            _ => self.views_drawn.iter().find(|(v, _)| *v == view).map(|(_, r)| *r),
        }?;
        let ppp = ctx.pixels_per_point();
        Some([rect.width(), rect.height()].map(|s| (s * ppp).round().max(1.0) as u32))
    }

    /// Opens the "PNG of a view…" dialog on the open tab when it is a view, else on the landscape.
    pub(in crate::app) fn open_png_dialog(&mut self) {
        let tab = View::Tab(self.prefs.tab);
        let view = if exportable_views().contains(&tab) && !self.tabs.folded_now { tab } else { View::LossLandscape };
        self.solo.dialog =
            Some(PngDialog { view, size: SizeChoice::AsShown, custom_px: [1600, 900], custom_scale: 1.0 });
    }

    /// Starts the export the dialog describes, to `path`.
    pub(in crate::app) fn export_view_png(&mut self, path: PathBuf) {
        let Some(d) = self.solo.dialog.take() else {
            self.io.error("nothing to export: the dialog was closed");
            return;
        };
        let ctx = self.io.context();
        let (asked, scale) = d.size.resolve(self.shown_px(&ctx, d.view), (d.custom_px, d.custom_scale));
        let ppp = ctx.pixels_per_point();
        let window = ctx.input(|i| i.viewport().inner_rect).map(|r| [r.width(), r.height()].map(|s| (s * ppp) as u32));
        let (size, scale, shrunk) = window.map_or((asked, scale, false), |w| fit_within(asked, scale, w));
        if shrunk {
            self.io.info(format!(
                "{} × {} px is larger than the window: the PNG will be {} × {} (maximise the window, or use descent \
                 --export-view {} --size {}x{})",
                asked[0],
                asked[1],
                size[0],
                size[1],
                d.view.name(),
                asked[0],
                asked[1]
            ));
        }
        self.solo.shot = Some(SoloShot::new(d.view, size, scale, path));
        ctx.request_repaint();
    }

    /// Advances the export under way; once its pixels are in, saves them on a background thread.
    pub(in crate::app) fn solo_frame(&mut self, ctx: &Context) {
        let Some(shot) = &mut self.solo.shot else { return };
        let Some(image) = shot.update(ctx) else { return };
        let (path, asked) = (shot.path.clone(), shot.size_px);
        self.solo.shot = None;
        self.io.spawn("png", move || {
            let note = crate::app::screenshot::size_note(asked, image.size);
            let result = crate::app::screenshot::save_png(&path, &image).map(|()| {
                let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                let report = crate::export::ExportReport { path: path.clone(), bytes }.to_string();
                note.map_or_else(|| report.clone(), |n| format!("{report} · {n}"))
            });
            crate::app::jobs::JobResult::Written(
                result.map_err(|e| format!("{}: cannot save the PNG: {e}", path.display())),
            )
        });
    }

    /// The frame of a solo rendering: `view` alone, filling the window (the run legend above it with several runs).
    /// What the view pushes is dropped: the picture changes nothing.
    pub(in crate::app) fn solo_ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, view: View, point: Option<PointView>) {
        let mut dropped = Vec::new();
        let frame = egui::Frame::central_panel(ui.style()).inner_margin(egui::Margin::same(8));
        egui::CentralPanel::default().frame(frame).show(ui, |ui| {
            let Some(run) = ctx.snap.runs.first() else {
                ui.label("No run.");
                return;
            };
            crate::app::panels::run_list::legend_row_ui(ui, ctx);
            let rect = ui.available_rect_before_wrap();
            ui.scope_builder(egui::UiBuilder::new().max_rect(rect), |ui| match view {
                View::Tab(tab) => match ctx.selected_run() {
                    Some(selected) => {
                        crate::app::tabs::solo_tab_ui(ui, tab, &mut self.tabs, (ctx, selected), &mut dropped)
                    }
                    None => {
                        ui.label("No run.");
                    }
                },
                plot => {
                    let point = point.unwrap_or(PointView { displayed: run.record.params, from: None });
                    self.plot_card_ui(ui, ctx, (run, point), plot, &mut dropped);
                }
            });
        });
    }
}

/// The "PNG of a view…" dialog (while open): the view, the size; "Save PNG…" asks for a path.
pub fn png_dialog_ui(ctx: &Context, app: &mut App, actions: &mut Vec<Action>) {
    let shown: Vec<(View, &'static str, Option<[u32; 2]>)> =
        exportable_views().into_iter().map(|v| (v, view_label(v, &app.tabs), app.shown_px(ctx, v))).collect();
    let Some(d) = &mut app.solo.dialog else { return };
    let mut open = true;
    let mut go = false;
    egui::Window::new("PNG of a view").open(&mut open).resizable(false).collapsible(false).show(ctx, |ui| {
        dialog_body_ui(ui, d, &shown);
        go = ui.button("Save PNG…").clicked();
    });
    if go {
        actions.push(Action::SaveDialog(crate::app::jobs::ExportKind::ViewPng));
    } else if !open {
        app.solo.dialog = None;
    }
}

fn dialog_body_ui(ui: &mut Ui, d: &mut PngDialog, shown: &[(View, &'static str, Option<[u32; 2]>)]) {
    egui::Grid::new("png-grid").num_columns(2).show(ui, |ui| {
        let name = ui.label("view");
        let label = shown.iter().find(|(v, ..)| *v == d.view).map_or("", |(_, l, _)| l);
        let combo = egui::ComboBox::from_id_salt("png-view").selected_text(label).show_ui(ui, |ui| {
            for (v, l, _) in shown {
                ui.selectable_value(&mut d.view, *v, *l);
            }
        });
        combo.response.labelled_by(name.id);
        ui.end_row();
        ui.label("size");
        ui.vertical(|ui| {
            for choice in SizeChoice::ALL {
                ui.radio_value(&mut d.size, choice, choice.label());
            }
        });
        ui.end_row();
        if d.size == SizeChoice::Custom {
            let sides = PNG_SIDE_PX;
            ui.label("width");
            ui.add(egui::DragValue::new(&mut d.custom_px[0]).range(sides.clone()).suffix(" px"));
            ui.end_row();
            ui.label("height");
            ui.add(egui::DragValue::new(&mut d.custom_px[1]).range(sides).suffix(" px"));
            ui.end_row();
            ui.label("text and lines");
            ui.add(egui::DragValue::new(&mut d.custom_scale).range(SCALES).speed(0.05).prefix("× "));
            ui.end_row();
        }
    });
    let shown_px = shown.iter().find(|(v, ..)| *v == d.view).and_then(|(.., s)| *s);
    let ([w, h], scale) = d.size.resolve(shown_px, (d.custom_px, d.custom_scale));
    let mut text = format!("{w} × {h} px, text and lines × {}", crate::format::short(f64::from(scale)));
    if shown_px.is_none() && matches!(d.size, SizeChoice::AsShown | SizeChoice::TwiceShown) {
        text += " (the view is not on screen: taken as 1280 × 720)";
    }
    ui.label(egui::RichText::new(text).small());
    let note = "The view alone, without its buttons. For a moment the window shows it at that size.";
    ui.label(egui::RichText::new(note).small().weak());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_resolve_within_the_limits_keeping_the_picture() {
        let custom = ([1000, 500], 1.5);
        assert_eq!(SizeChoice::AsShown.resolve(Some([812, 431]), custom), ([812, 431], 1.0));
        assert_eq!(SizeChoice::TwiceShown.resolve(Some([812, 431]), custom), ([1624, 862], 2.0));
        assert_eq!(SizeChoice::FullHd.resolve(None, custom), ([1920, 1080], 1.0));
        assert_eq!(SizeChoice::Uhd.resolve(None, custom), ([3840, 2160], 2.0));
        assert_eq!(SizeChoice::Custom.resolve(None, custom), ([1000, 500], 1.5));
        assert_eq!(SizeChoice::AsShown.resolve(None, custom), ([1280, 720], 1.0), "off screen: 1280 × 720");
        // 2 × 2500 = 5000 > 4096: the picture shrinks by 4096 / 5000, its scale with it.
        let ([w, h], scale) = SizeChoice::TwiceShown.resolve(Some([2500, 1000]), custom);
        assert_eq!([w, h], [4096, 1638]);
        assert!((scale - 2.0 * 4096.0 / 5000.0).abs() < 1e-6, "{scale}");
        // A side below 200 px grows to 200; a scale beyond the range is clamped.
        assert_eq!(SizeChoice::AsShown.resolve(Some([150, 90]), custom), ([200, 200], 1.0));
        assert_eq!(SizeChoice::Custom.resolve(None, ([800, 600], 9.0)), ([800, 600], 4.0));
    }

    #[test]
    fn a_picture_larger_than_the_window_shrinks_with_its_scale() {
        assert_eq!(fit_within([800, 600], 2.0, [1400, 900]), ([800, 600], 2.0, false));
        let (size, scale, shrunk) = fit_within([1920, 1080], 1.0, [1400, 900]);
        assert!(shrunk);
        assert_eq!(size, [1400, 787], "1400 / 1920 of each side, rounded down");
        assert!((scale - 1400.0 / 1920.0).abs() < 1e-6, "{scale}");
        let (size, _, _) = fit_within([1000, 2000], 2.0, [1400, 900]);
        assert_eq!(size, [450, 900], "the height limits");
    }
}
