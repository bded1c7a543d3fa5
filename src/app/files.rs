//! File dialogs that never fail silently. Each dialog (rfd) runs as a job; the path it returns is carried out as
//! an [`Action::OpenPath`] or [`Action::SaveTo`]. When no dialog can open (a headless or portal-less desktop, where
//! rfd returns at once with nothing), a small window asks for the path instead, with a sensible default; a
//! cancelled dialog says so.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui::{Context, RichText};

use super::jobs::{ExportKind, FilePurpose, JobResult};
use super::state::Action;

/// A dialog that closes faster than this was never shown (nobody cancels a dialog this fast).
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(250);

/// Runs the native dialog for `purpose` (blocking: call it on a job's thread).
pub fn run_dialog(purpose: FilePurpose) -> JobResult {
    let start = Instant::now();
    let path = match purpose {
        FilePurpose::OpenData => rfd::FileDialog::new()
            .set_title("Open data (CSV with columns x, y)")
            .add_filter("CSV", &["csv", "txt"])
            .add_filter("All files", &["*"])
            .pick_file(),
        FilePurpose::OpenSession => rfd::FileDialog::new()
            .set_title("Open a descent session")
            .add_filter("descent session", &["json"])
            .pick_file(),
        FilePurpose::OpenLesson => rfd::FileDialog::new()
            .set_title("Open a descent lesson")
            .add_filter("descent lesson", &["toml"])
            .pick_file(),
        FilePurpose::Save(kind) => {
            let (filter, ext) = kind.filter();
            rfd::FileDialog::new().set_file_name(kind.file_name()).add_filter(filter, &[ext]).save_file()
        }
    };
    JobResult::Picked { purpose, path, quick: start.elapsed() < NO_DIALOG_WITHIN }
}

/// The action that carries out a chosen path.
pub fn action_for(purpose: FilePurpose, path: PathBuf) -> Action {
    match purpose {
        FilePurpose::Save(kind) => Action::SaveTo(kind, path),
        FilePurpose::OpenData | FilePurpose::OpenSession | FilePurpose::OpenLesson => Action::OpenPath(purpose, path),
    }
}

/// The path proposed when no dialog is available: the export's file name in the current folder (the home folder
/// when there is none); for opening, the folder itself.
pub fn default_path(purpose: FilePurpose) -> PathBuf {
    let dir = std::env::current_dir()
        .ok()
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("."));
    match purpose {
        FilePurpose::Save(kind) => dir.join(kind.file_name()),
        FilePurpose::OpenSession => dir.join(ExportKind::Session.file_name()),
        FilePurpose::OpenData => dir.join("data.csv"),
        FilePurpose::OpenLesson => dir.join("lesson.toml"),
    }
}

/// The window that asks for a path when no dialog could open.
#[derive(Clone, Debug)]
pub struct PathPrompt {
    /// What the path is for.
    pub purpose: FilePurpose,
    /// The path as typed.
    pub text: String,
}

impl PathPrompt {
    /// A prompt with the default path for `purpose`.
    pub fn new(purpose: FilePurpose) -> Self {
        PathPrompt { purpose, text: default_path(purpose).display().to_string() }
    }
}

/// Labels tests find the prompt's widgets by.
pub mod labels {
    /// The path field.
    pub const PATH: &str = "path";
    /// Carries out the prompt.
    pub const OK: &str = "OK";
    /// Closes the prompt.
    pub const CANCEL: &str = "Cancel";
}

/// Draws the prompt while there is one; `OK` pushes the action for the typed path, `Cancel` closes it.
pub fn path_prompt_ui(ctx: &Context, prompt: &mut Option<PathPrompt>, actions: &mut Vec<Action>) {
    let Some(p) = prompt else {
        return;
    };
    let mut close = false;
    let title = format!("Where to {}?", p.purpose.describe());
    egui::Window::new(title).collapsible(false).resizable(false).show(ctx, |ui| {
        ui.label(RichText::new("No file dialog could open here: type the path.").small().weak());
        let edit = ui.add(egui::TextEdit::singleline(&mut p.text).desired_width(420.0));
        edit.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::TextInput, true, labels::PATH));
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            let typed = p.text.trim();
            let ok = ui.add_enabled(!typed.is_empty(), egui::Button::new(labels::OK));
            if (ok.on_disabled_hover_text(crate::app::disabled::file_ok(typed).unwrap_or_default()).clicked() || enter)
                && !typed.is_empty()
            {
                actions.push(action_for(p.purpose, PathBuf::from(typed)));
                close = true;
            }
            if ui.button(labels::CANCEL).clicked() {
                actions.push(Action::Notify(format!("cancelled: did not {}", p.purpose.describe())));
                close = true;
            }
        });
    });
    if close {
        *prompt = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_path_is_the_export_s_file_name_in_a_folder() {
        let p = default_path(FilePurpose::Save(ExportKind::Csv));
        assert_eq!(p.file_name().and_then(|n| n.to_str()), Some("descent-runs.csv"));
        assert!(p.parent().is_some_and(|d| d.is_dir()));
        assert_eq!(
            action_for(FilePurpose::Save(ExportKind::Gif), "a.gif".into()),
            Action::SaveTo(ExportKind::Gif, "a.gif".into())
        );
        assert_eq!(
            action_for(FilePurpose::OpenData, "d.csv".into()),
            Action::OpenPath(FilePurpose::OpenData, "d.csv".into())
        );
    }
}
