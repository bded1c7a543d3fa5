//! The menu bar: File (open data or a session, save a session, quit), Export (runs as CSV or JSON, the selected run
//! as a PyTorch script, a PNG of the window or of one view alone ([`crate::app::solo`]), an animated GIF of the descent), View (run palette,
//! presentation mode, step axes), Lessons, Help.
//!
//! Every path comes from a non-blocking save dialog (see [`crate::app::data_io`]); every file is written on a background
//! thread, and the outcome ("wrote PATH (SIZE)" or a one-line error) shows in a toast.

use std::path::PathBuf;
use std::sync::Arc;

use egui::{Context, Rect, Ui};

use crate::app::App;
use crate::app::explain::Explainer;
pub use crate::app::jobs::ExportKind;
use crate::app::jobs::JobResult;
use crate::app::screenshot::save_png;
use crate::app::state::{Action, Tab};
use crate::explain::topics::Topic;
use crate::export::torch::{TorchRun, export_torch_file};
use crate::export::{
    ExportReport, GifOptions, GifRun, GifTheme, RunExport, animate_run, export_csv_file, export_json_file,
    export_runs_gif_file,
};

/// The export menu's state.
pub struct ExportsState {
    /// Where the pending screenshot of the window goes.
    pending_shot: Option<PathBuf>,
    /// The GIF dialog is open.
    pub gif_dialog: bool,
    /// The GIF's options.
    pub gif: GifOptions,
    /// The steps a run not started yet is animated for (from its start, as `descent gif --steps` does).
    pub gif_steps: u64,
}

impl Default for ExportsState {
    fn default() -> Self {
        ExportsState {
            pending_shot: None,
            gif_dialog: false,
            gif: GifOptions { width: 640, height: 400, frames: 60, ..GifOptions::default() },
            gif_steps: 100,
        }
    }
}

/// The labels of the menu entries (tests find them by these).
pub mod labels {
    /// The File menu.
    pub const FILE: &str = "File";
    /// The Export menu.
    pub const EXPORT: &str = "Export ▾";
    /// Shows the Data tab.
    pub const DATA_EDITOR: &str = "Data editor";
    /// Folds the Data tab when it is shown.
    pub const HIDE_DATA_EDITOR: &str = "Hide data editor";
    /// The Help menu.
    pub const HELP: &str = "Help";
    /// The View menu.
    pub const VIEW: &str = "View";
    /// File ▸ Quit.
    pub const QUIT: &str = "Quit";
    /// View ▸ presentation mode.
    pub const PRESENT: &str = "Presentation mode";
    /// Export ▸ one view alone as a PNG.
    pub const VIEW_PNG: &str = "PNG of a view…";
}

/// The menu bar: File, Export ▾, Data editor, and a spinner while a file job runs.
pub fn menu_bar_ui(
    ui: &mut Ui,
    n_runs: usize,
    (busy, shown_tab, ex, palette): (bool, Option<Tab>, &Explainer, crate::app::theme::Palette),
    (lessons, step_axis): (&crate::app::lesson::LessonProgress, crate::step_axis::StepAxis),
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        let file = ui.menu_button(labels::FILE, |ui| {
            let items = [
                ("Open CSV…", "Load two columns x, y from a CSV file.", Action::OpenDataDialog),
                (
                    "Open session…",
                    "Restore the data and runs of a saved session and replay each run to its step.",
                    Action::OpenSessionDialog,
                ),
                (
                    "Save session…",
                    "Save the data, every run's settings, names, colours and steps, and the tolerance.",
                    Action::SaveDialog(ExportKind::Session),
                ),
                ("Open lesson…", "Open a lesson file (TOML; see docs/LESSONS.md).", Action::OpenLessonDialog),
            ];
            for (i, (label, tip, action)) in items.into_iter().enumerate() {
                if i == 1 {
                    ui.separator();
                }
                if ui.button(label).on_hover_text(tip).clicked() {
                    actions.push(action);
                    ui.close();
                }
            }
            ui.separator();
            let quit = egui::Button::new(labels::QUIT).shortcut_text(ui.ctx().format_shortcut(&QUIT_SHORTCUT));
            if ui.add(quit).on_hover_text("Close the window (what is saved at exit is saved).").clicked() {
                actions.push(Action::Quit);
                ui.close();
            }
        });
        ex.mark(Topic::Files, file.response.interact_rect);
        let export = ui.menu_button(labels::EXPORT, |ui| export_menu_ui(ui, n_runs, actions));
        ex.mark(Topic::Files, export.response.interact_rect);
        let tip = "The Data tab below the plots: drag, add and remove points. Every edit restarts every run.";
        let names = [labels::DATA_EDITOR, labels::HIDE_DATA_EDITOR];
        crate::app::tabs::tab_button_ui(ui, Tab::Data, shown_tab, names, tip, actions);
        view_menu_ui(ui, (palette, step_axis), actions);
        crate::app::panels::lesson::lessons_menu_ui(ui, (lessons, palette, ex), actions);
        let explain = ex.on();
        let help = ui.menu_button(labels::HELP, |ui| {
            let text = if explain { "Leave explain mode (F1)" } else { "Explain mode (F1)" };
            if ui.button(text).on_hover_text(Topic::ExplainMode.tip()).clicked() {
                actions.push(Action::ToggleExplain);
                ui.close();
            }
        });
        ex.mark(Topic::ExplainMode, help.response.interact_rect);
        if busy {
            ui.spinner();
        }
        if explain {
            ui.separator();
            ui.label(egui::RichText::new(EXPLAIN_HINT).strong().color(ui.visuals().hyperlink_color));
        }
    });
}

/// Ctrl+Q (⌘Q on a Mac), shown beside File ▸ Quit; `keys::shortcuts` reads the same keys.
const QUIT_SHORTCUT: egui::KeyboardShortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Q);

/// The View menu: the run palette and presentation mode (both kept across launches).
fn view_menu_ui(
    ui: &mut Ui,
    (palette, step_axis): (crate::app::theme::Palette, crate::step_axis::StepAxis),
    actions: &mut Vec<Action>,
) {
    use crate::run_look::RunPalette;
    ui.menu_button(labels::VIEW, |ui| {
        ui.label(egui::RichText::new("Run colours").small().weak());
        for p in RunPalette::ALL {
            let tip = match p {
                RunPalette::Default => "The app's own run colours.",
                RunPalette::Colorblind => {
                    "Okabe–Ito's colours: every pair stays apart for protanopes and deuteranopes (checked with \
                     Machado 2009's simulation and CIEDE2000)."
                }
            };
            if ui.radio(palette.runs == p, p.label()).on_hover_text(tip).clicked() {
                actions.push(Action::SetPalette(p));
                ui.close();
            }
        }
        ui.separator();
        ui.label(egui::RichText::new("Step axes").small().weak());
        for axis in crate::step_axis::StepAxis::ALL {
            use crate::step_axis::StepAxis;
            let tip = match axis {
                StepAxis::All => "Every step; drag or scroll to zoom, double-click to see all again.",
                StepAxis::First(_) => "The start of every run, however long the runs get.",
                StepAxis::Log => {
                    "Steps on a log scale (0, 10, 100, 1000, 10k…): the first steps keep their room however long \
                     the runs get (--step-axis log)."
                }
            };
            if ui.radio(step_axis == axis, axis.label()).on_hover_text(tip).clicked() {
                actions.push(Action::SetStepAxis(axis));
                ui.close();
            }
        }
        ui.separator();
        let tip = "For a projector: larger text, thicker lines, high contrast (--present).";
        let mut on = palette.present;
        if ui.checkbox(&mut on, labels::PRESENT).on_hover_text(tip).changed() {
            actions.push(Action::SetPresent(on));
            ui.close();
        }
    });
}

/// The Export menu's entry for the PyTorch script, and its tooltip.
pub const TORCH_SCRIPT: &str = "PyTorch script (.py)…";
const TORCH_TIP: &str = "The selected run as a Python script that needs only torch: it runs the same settings with \
torch.optim and prints the same CSV.";
/// The steps a script runs for a run that has not stepped yet (`descent trace`'s default).
const TORCH_DEFAULT_STEPS: u64 = 100;

const VIEW_PNG_TIP: &str = "One plot or tab alone (its title, axes and legend, without its buttons), at the size \
shown, 2×, 1920 × 1080, 4K or your own (up to 4096 px a side).";

/// The one-line hint shown while explain mode is on.
pub const EXPLAIN_HINT: &str = "Explain mode: hover anything · F1 to leave";

fn export_menu_ui(ui: &mut Ui, n_runs: usize, actions: &mut Vec<Action>) {
    let tip = if n_runs > 1 { "One row per step, with a run column." } else { "One row per step." };
    let mut item = |ui: &mut Ui, label: &str, tip: Option<&str>, action: Action| {
        let button = ui.button(label);
        let button = match tip {
            Some(t) => button.on_hover_text(t),
            None => button,
        };
        if button.clicked() {
            actions.push(action);
            ui.close();
        }
    };
    item(ui, "Runs as CSV…", Some(tip), Action::SaveDialog(ExportKind::Csv));
    item(ui, "Runs as JSON…", Some("Settings and every row of each run."), Action::SaveDialog(ExportKind::Json));
    item(ui, TORCH_SCRIPT, Some(TORCH_TIP), Action::SaveDialog(ExportKind::Torch));
    ui.separator();
    item(ui, "PNG of the window…", None, Action::SaveDialog(ExportKind::WindowPng));
    item(ui, labels::VIEW_PNG, Some(VIEW_PNG_TIP), Action::OpenPngDialog);
    ui.separator();
    item(ui, "Animated GIF…", Some("The descent on the loss landscape, frame by frame."), Action::OpenGifDialog);
}

/// The GIF of `runs` (each spec with its rows so far) written to `path`; a run with no step yet animated first from
/// its start for `steps` steps under `tolerance` (the `from_start` pair).
fn write_gif(
    path: &std::path::Path,
    opts: &GifOptions,
    data: &crate::engine::Dataset,
    runs: Vec<(crate::run::RunSpec, Vec<crate::engine::trainer::Record<f64>>)>,
    (steps, tolerance): (u64, Option<f64>),
) -> Result<(ExportReport, crate::export::GifInfo), crate::export::ExportError> {
    let mut animated = Vec::with_capacity(runs.len());
    for (spec, rows) in runs {
        let started = rows.last().is_some_and(|r| r.step > 0);
        let rows = if started { rows } else { animate_run(data, &spec.settings, steps, tolerance)?.0 };
        animated.push((spec, rows));
    }
    let shown: Vec<GifRun<'_>> = animated
        .iter()
        .map(|(spec, rows)| GifRun { name: &spec.name, settings: &spec.settings, rows, color: spec.color })
        .collect();
    export_runs_gif_file(path, opts, data, &shown, |_, _| {})
}

/// The GIF dialog (while open): the runs it shows (the visible ones, named in `runs`), the steps of a run not yet
/// started, frame count, size, delay, theme and labels; "Save GIF…" asks for a path.
pub fn gif_dialog_ui(ctx: &Context, state: &mut ExportsState, runs: &[String], actions: &mut Vec<Action>) {
    if !state.gif_dialog {
        return;
    }
    let mut open = true;
    let mut go = false;
    egui::Window::new("Animated GIF").open(&mut open).resizable(false).collapsible(false).show(ctx, |ui| {
        let g = &mut state.gif;
        egui::Grid::new("gif-grid").num_columns(2).show(ui, |ui| {
            ui.label("runs");
            let shown = match runs {
                [] => "none visible".to_string(),
                [one] => one.clone(),
                several => format!("the {} visible runs", several.len()),
            };
            ui.label(shown).on_hover_text(runs.join("\n"));
            ui.end_row();
            ui.label("steps before Run");
            ui.add(egui::DragValue::new(&mut state.gif_steps).range(1..=100_000))
                .on_hover_text("A run that has not started yet is animated from its start for this many steps.");
            ui.end_row();
            ui.label("frames");
            ui.add(egui::DragValue::new(&mut g.frames).range(1..=crate::export::gif::MAX_FRAMES));
            ui.end_row();
            let sides = crate::export::gif::MIN_SIZE..=crate::export::gif::MAX_SIZE;
            ui.label("width");
            ui.add(egui::DragValue::new(&mut g.width).range(sides.clone()).suffix(" px"));
            ui.end_row();
            ui.label("height");
            ui.add(egui::DragValue::new(&mut g.height).range(sides).suffix(" px"));
            ui.end_row();
            ui.label("theme");
            ui.horizontal(|ui| {
                for theme in [GifTheme::Dark, GifTheme::Light] {
                    ui.selectable_value(&mut g.theme, theme, theme.label());
                }
            });
            ui.end_row();
            ui.label("frame delay");
            ui.add(egui::DragValue::new(&mut g.frame_delay_ms).range(20..=2000).suffix(" ms"));
            ui.end_row();
        });
        ui.checkbox(&mut g.labels, "labels and caption");
        ui.label(egui::RichText::new("Rendered in the background from the run's history so far.").small().weak());
        go = ui.button("Save GIF…").clicked();
    });
    if go {
        actions.push(Action::SaveDialog(ExportKind::Gif));
        open = false;
    }
    state.gif_dialog = open;
}

impl App {
    /// Opens a save dialog on a background thread; the chosen path comes back as a [`JobResult::Picked`].
    pub fn save_dialog(&mut self, kind: ExportKind) {
        self.file_dialog(crate::app::jobs::FilePurpose::Save(kind));
    }

    /// Writes an export (or a session) to `path` on a background thread; the result shows as a toast.
    pub fn export_to(&mut self, kind: ExportKind, path: PathBuf) {
        let ctx = &self.io.context();
        let snap = Arc::clone(&self.snap);
        match kind {
            ExportKind::Csv | ExportKind::Json => {
                let runs: Vec<(String, crate::engine::settings::Settings, Vec<crate::engine::trainer::Row>)> = snap
                    .runs
                    .iter()
                    .map(|r| (r.spec.name.clone(), r.spec.settings.clone(), r.history.iter().copied().collect()))
                    .collect();
                self.io.spawn("export", move || {
                    let exports: Vec<RunExport<'_>> =
                        runs.iter().map(|(name, settings, rows)| RunExport { name, settings, rows }).collect();
                    let result = if kind == ExportKind::Csv {
                        export_csv_file(&path, &exports)
                    } else {
                        export_json_file(&path, &exports)
                    };
                    JobResult::Written(result.map(|r| r.to_string()).map_err(|e| e.to_string()))
                });
            }
            ExportKind::Gif => self.export_gif(path),
            ExportKind::Torch => self.export_torch(path),
            ExportKind::Session => {
                let session = self.current_session();
                self.io.spawn("save-session", move || {
                    let result = session.save(&path).map(|()| {
                        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                        ExportReport { path: path.clone(), bytes }.to_string()
                    });
                    JobResult::Written(result.map_err(|e| e.to_string()))
                });
            }
            ExportKind::LessonPage => self.save_lesson_page(path),
            ExportKind::ExerciseSheet { n, seed, kind } => {
                self.io.spawn("exercise-sheet", move || {
                    let sheet = crate::engine::sheet::Sheet::generate(usize::from(n), seed, kind.as_slice());
                    let key = crate::export::sheet::key_path_beside(&path);
                    let format = crate::export::sheet::SheetFormat::Html;
                    let result = crate::export::sheet::write_sheet_files(&sheet, format, &path, Some(&key));
                    let text = |r: Vec<ExportReport>| r.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                    JobResult::Written(result.map(text).map_err(|e| e.to_string()))
                });
            }
            ExportKind::ViewPng => self.export_view_png(path),
            ExportKind::WindowPng => {
                self.exports.pending_shot = Some(path);
                let tx = self.io.sender();
                let waker = ctx.clone();
                ctx.request_screenshot(move |image| {
                    let _ = tx.send(JobResult::Screenshot(image));
                    waker.request_repaint();
                });
                ctx.request_repaint();
            }
        }
    }

    /// Writes the GIF of every visible run on a background thread: one picture, one timeline, a legend naming them
    /// ([`crate::export::gif`]). A run that has not taken a step yet is animated there from its start for the
    /// dialog's steps under the tolerance in force, as `descent gif` animates one, rather than drawn as one still.
    fn export_gif(&mut self, path: PathBuf) {
        let snap = Arc::clone(&self.snap);
        let runs: Vec<_> = snap
            .runs
            .iter()
            .filter(|r| self.runs.is_visible(r.id))
            .map(|r| (r.spec.clone(), r.history.iter().map(|row| row.record).collect::<Vec<_>>()))
            .collect();
        if runs.is_empty() {
            self.io.error("nothing to export: no visible run");
            return;
        }
        let opts = GifOptions { palette: self.prefs.palette, ..self.exports.gif.clone() };
        let (steps, tolerance, data) = (self.exports.gif_steps, snap.tolerance, Arc::clone(&snap.data));
        self.io.info(format!("rendering the GIF ({} frames) in the background…", opts.frames));
        self.io.spawn("gif", move || {
            let result = write_gif(&path, &opts, &data, runs, (steps, tolerance));
            let said = result.map(|(report, info)| format!("{report} — {} frames", info.frames));
            JobResult::Written(said.map_err(|e| e.to_string()))
        });
    }

    /// Writes the selected run as a PyTorch script ([`crate::export::torch`]) on a background thread: its settings
    /// from the start, for the steps it has taken (100 before its first), under the tolerance in force.
    fn export_torch(&mut self, path: PathBuf) {
        let id = self.selected_run();
        let Some(run) = self.snap.runs.iter().find(|r| r.id == id).or(self.snap.runs.first()) else {
            self.io.error("nothing to export: no run");
            return;
        };
        let settings = run.spec.settings.clone();
        let steps = if run.record.step > 0 { run.record.step } else { TORCH_DEFAULT_STEPS };
        let (data, tol, spec) = (Arc::clone(&self.snap.data), self.snap.tolerance, self.prefs.data.clone());
        self.io.spawn("export", move || {
            let run = TorchRun { data: &data, data_spec: &spec, settings: &settings, steps, tol };
            let result = export_torch_file(&path, &run);
            JobResult::Written(result.map(|r| r.to_string()).map_err(|e| e.to_string()))
        });
    }

    /// Saves the window's pixels on a background thread.
    pub(in crate::app) fn screenshot_arrived(&mut self, image: Arc<egui::ColorImage>) {
        let Some(path) = self.exports.pending_shot.take() else {
            return;
        };
        self.io.spawn("png", move || {
            let result = save_png(&path, &image).map(|()| {
                let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                ExportReport { path: path.clone(), bytes }.to_string()
            });
            JobResult::Written(result.map_err(|e| format!("{}: cannot save the PNG: {e}", path.display())))
        });
    }
}

/// The part of `image` (physical pixels) under `rect` (points).
pub fn crop_image(image: &egui::ColorImage, rect: Rect, pixels_per_point: f32) -> egui::ColorImage {
    let [w, h] = image.size;
    let x0 = ((rect.min.x * pixels_per_point).floor().max(0.0) as usize).min(w);
    let y0 = ((rect.min.y * pixels_per_point).floor().max(0.0) as usize).min(h);
    let x1 = ((rect.max.x * pixels_per_point).ceil().max(0.0) as usize).clamp(x0, w);
    let y1 = ((rect.max.y * pixels_per_point).ceil().max(0.0) as usize).clamp(y0, h);
    let mut pixels = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1 {
        pixels.extend_from_slice(&image.pixels[y * w + x0..y * w + x1]);
    }
    egui::ColorImage::new([x1 - x0, y1 - y0], pixels)
}
