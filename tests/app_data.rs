//! The app's data side, headless (egui_kittest): the data editor (add, drag, remove), loading a bad CSV, and
//! session files that reproduce every run.
//!
//! The worker and the loaders are real threads, so each test polls `step()` plus a short sleep until the expected
//! state, with a bound.

mod common;

use common::app::{fast, harness, wait_until};
use std::time::Duration;

use descent::app::panels::menu_bar::labels as menu_labels;
use descent::app::tabs::data::labels as editor_labels;
use descent::app::{Action, App, AppOptions};
use descent::engine::Settings;
use descent::history::Row;
use descent::session::Session;
use descent::worker::{Command, RunId, RunSpec};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn data_len(app: &App) -> usize {
    app.snapshot().data.len()
}

/// The app with the data editor window open.
fn editor() -> Harness<'static, App> {
    let mut h = harness(fast());
    h.step();
    h.get_by_label(menu_labels::DATA_EDITOR).click();
    // The click opens the tab after its frame (actions apply after drawing); the scatter then settles its axes.
    h.step();
    h.step();
    h.step();
    assert!(h.query_by_label(editor_labels::ADD_POINT).is_some(), "the editor shows");
    h
}

#[test]
fn the_add_point_button_adds_a_point_and_resets_the_runs() {
    let mut h = editor();
    h.get_by_label("Step").click();
    wait_until(&mut h, "step 1", |a| a.snapshot().runs[0].record.step == 1);
    h.get_by_label(editor_labels::ADD_POINT).click();
    wait_until(&mut h, "5 points", |a| data_len(a) == 5);
    let snap = h.state().snapshot();
    assert!(snap.data.x[4] > 4.0, "added right of the data");
    assert_eq!(snap.runs[0].record.step, 0, "every run restarts on new data");
    assert!(snap.data.name.contains("edited"));
}

#[test]
fn clicking_empty_space_in_the_scatter_adds_a_point_there() {
    let mut h = editor();
    let data = h.state().snapshot().data.clone();
    let a = h.state().data_editor().expect("the data editor").screen_pos(&data, 0).expect("point 0 drawn");
    let b = h.state().data_editor().expect("the data editor").screen_pos(&data, 3).expect("point 3 drawn");
    // Below the line, between points 1 and 2: empty space.
    let pos = egui::pos2((a.x + b.x) / 2.0, a.y + 15.0);
    h.hover_at(pos);
    h.step();
    h.drag_at(pos);
    h.step();
    h.drop_at(pos);
    wait_until(&mut h, "5 points", |a| data_len(a) == 5);
    let snap = h.state().snapshot();
    let (x, y) = (snap.data.x[4], snap.data.y[4]);
    assert!(x > 1.5 && x < 3.5 && y < 6.0, "added at the click: ({x}, {y})");
}

#[test]
fn dragging_a_point_moves_it() {
    let mut h = editor();
    let data = h.state().snapshot().data.clone();
    let start = h.state().data_editor().expect("the data editor").screen_pos(&data, 1).expect("point 1 drawn");
    let end = start + egui::vec2(0.0, -60.0);
    h.hover_at(start);
    h.step();
    h.drag_at(start);
    h.step();
    for k in 1..=6 {
        h.hover_at(start + egui::vec2(0.0, -10.0 * k as f32));
        h.step();
    }
    h.drop_at(end);
    for _ in 0..20 {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    wait_until(&mut h, "point 1 moved", |a| a.snapshot().data.y[1] != 6.0);
    let snap = h.state().snapshot();
    assert_eq!(snap.data.len(), 4, "a drag moves, it does not add");
    assert!(snap.data.y[1] > 6.5, "dragged up: y = {}", snap.data.y[1]);
    assert!((snap.data.x[1] - 2.0).abs() < 0.2, "x follows the pointer: {}", snap.data.x[1]);
}

#[test]
fn a_typed_table_value_changes_that_point() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::by;
    let mut h = editor();
    // y = 12 at row 3 is the only field with that value.
    let field = h
        .query_all(by().role(Role::SpinButton).predicate(|n| n.numeric_value() == Some(12.0)))
        .next()
        .expect("the y field of the last row");
    field.set_value_accesskit(10.5);
    wait_until(&mut h, "the new y", |a| a.snapshot().data.y.get(3) == Some(&10.5));
    let snap = h.state().snapshot();
    assert_eq!(snap.data.x.to_vec(), vec![1.0, 2.0, 3.0, 4.0], "x untouched");
    assert_eq!(snap.data.y.to_vec(), vec![3.0, 6.0, 9.0, 10.5]);
}

#[test]
fn the_remove_button_removes_a_point() {
    let mut h = editor();
    h.query_all_by_label(editor_labels::REMOVE).next().expect("a ✕ per row").click();
    wait_until(&mut h, "3 points", |a| data_len(a) == 3);
    let snap = h.state().snapshot();
    assert_eq!(snap.data.x.to_vec(), vec![2.0, 3.0, 4.0]);
}

#[test]
fn a_bad_csv_shows_an_error_and_keeps_the_data() {
    let mut h = harness(fast());
    h.step();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("garbage.csv");
    std::fs::write(&path, "x,y\n1,2\n3,banana\n").expect("write");
    h.state_mut().load_data_file(&path);
    wait_until(&mut h, "an error", |a| a.data_error().is_some());
    let e = h.state().data_error().unwrap().to_owned();
    assert!(e.contains("garbage.csv") && e.contains('3'), "names the file and line: {e}");
    assert!(!e.contains('\n'));
    assert_eq!(h.state().snapshot().data.name, "notebook", "the previous data stays");
    assert_eq!(data_len(h.state()), 4);
    assert!(h.state().messages().iter().any(|t| t.error && t.text.contains("garbage.csv")));
    assert!(h.query_all_by_label_contains("garbage.csv").next().is_some(), "the error shows in the window");

    // A good file then loads.
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "x,y\n1,2\n2,4\n3,6\n").expect("write");
    h.state_mut().load_data_file(&good);
    wait_until(&mut h, "3 points", |a| data_len(a) == 3);
    assert!(h.state().data_error().is_none());
}

fn rows(app: &App, i: usize) -> Vec<Row> {
    app.snapshot().runs[i].history.iter().cloned().collect()
}

#[test]
fn a_saved_session_opens_to_identical_trajectories() {
    let mut h = harness(fast());
    h.step();
    let mut s2 = Settings::default();
    s2.optimizer.lr = 0.03;
    s2.bias = true;
    s2.optimizer.kind = descent::engine::OptimizerKind::Sgd;
    s2.optimizer.momentum = 0.5;
    h.state()
        .worker()
        .send(Command::AddRun(RunId(1), RunSpec { name: "momentum".into(), color: [200, 90, 40], settings: s2 }));
    h.state().worker().send(Command::Step(37));
    wait_until(&mut h, "step 37", |a| {
        a.snapshot().runs.len() == 2 && a.snapshot().runs.iter().all(|r| r.record.step == 37)
    });
    let before = [rows(h.state(), 0), rows(h.state(), 1)];
    assert_eq!(before[0].len(), 38);

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("s.json");
    h.state().current_session().save(&path).expect("save");

    // At launch (--session).
    let session = Session::load(&path).expect("load");
    let mut h2 = harness(AppOptions { session: Some(session), ..fast() });
    wait_until(&mut h2, "replayed", |a| {
        a.snapshot().runs.len() == 2 && a.snapshot().runs.iter().all(|r| r.record.step == 37)
    });
    assert_eq!([rows(h2.state(), 0), rows(h2.state(), 1)], before);
    assert_eq!(h2.state().snapshot().runs[1].spec.name, "momentum");
    assert_eq!(h2.state().snapshot().runs[1].spec.color, [200, 90, 40]);

    // `--session F --run --after-steps 60`: replayed to 37, then run on (the session's Pause no longer stops it).
    let session = Session::load(&path).expect("load");
    let mut h4 = harness(AppOptions { session: Some(session), run: true, after_steps: Some(60), ..fast() });
    wait_until(&mut h4, "run on past the session", |a| {
        let runs = &a.snapshot().runs;
        runs.len() == 2 && runs[0].record.step == 60 && (runs[1].record.step == 60 || runs[1].status.is_finished())
    });
    assert_eq!(rows(h4.state(), 0)[..38], before[0][..], "the replay is the session's");

    // From the menu's loader, into an app with other data and a run under way.
    let mut h3 = harness(fast());
    h3.step();
    h3.state().worker().send(Command::Step(5));
    wait_until(&mut h3, "step 5", |a| a.snapshot().runs[0].record.step == 5);
    h3.state_mut().open_session_file(path.clone());
    wait_until(&mut h3, "replayed", |a| {
        a.snapshot().runs.len() == 2 && a.snapshot().runs.iter().all(|r| r.record.step == 37)
    });
    assert_eq!([rows(h3.state(), 0), rows(h3.state(), 1)], before);

    // A corrupt file: a one-line error, nothing lost.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 1, \"data\": [").expect("write");
    h3.state_mut().open_session_file(bad);
    wait_until(&mut h3, "an error", |a| a.messages().iter().any(|t| t.error));
    let e = h3.state().messages().iter().rfind(|t| t.error).unwrap().text.clone();
    assert!(e.contains("bad.json"), "{e}");
    assert_eq!([rows(h3.state(), 0), rows(h3.state(), 1)], before, "nothing lost");

    // A newer file.
    let newer = dir.path().join("newer.json");
    let current = format!("\"version\": {}", descent::session::CURRENT_VERSION);
    let text = std::fs::read_to_string(&path).unwrap().replacen(&current, "\"version\": 99", 1);
    std::fs::write(&newer, text).expect("write");
    let n_errors = h3.state().messages().iter().filter(|t| t.error).count();
    h3.state_mut().open_session_file(newer);
    wait_until(&mut h3, "an error", |a| a.messages().iter().filter(|t| t.error).count() > n_errors);
    let e = h3.state().messages().iter().rfind(|t| t.error).unwrap().text.clone();
    assert!(e.contains("newer.json"), "{e}");
}

#[test]
fn exports_write_files_and_report_where_and_how_big() {
    use descent::app::panels::menu_bar::ExportKind;
    let mut h = harness(fast());
    h.step();
    h.state().worker().send(Command::AddRun(
        RunId(1),
        RunSpec { name: "second".into(), color: [200, 90, 40], settings: Settings::default() },
    ));
    h.state().worker().send(Command::Step(12));
    wait_until(&mut h, "step 12", |a| {
        a.snapshot().runs.len() == 2 && a.snapshot().runs.iter().all(|r| r.record.step == 12)
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let files = [
        (ExportKind::Csv, "runs.csv"),
        (ExportKind::Json, "runs.json"),
        (ExportKind::Gif, "d.gif"),
        (ExportKind::Session, "s.json"),
    ];
    for (done, (kind, name)) in files.into_iter().enumerate() {
        let wrote = done + 1;
        let path = dir.path().join(name);
        h.state_mut().export_to(kind, path.clone());
        wait_until(&mut h, name, |a| a.messages().iter().filter(|t| t.text.starts_with("wrote")).count() == wrote);
        let msg = h.state().messages().iter().rfind(|t| t.text.starts_with("wrote")).unwrap().text.clone();
        assert!(msg.contains(name) && (msg.contains(" B)") || msg.contains("KiB)")), "{msg}");
        assert!(std::fs::metadata(&path).expect("written").len() > 0);
    }
    let csv = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap();
    assert!(csv.lines().next().unwrap().starts_with("run,"), "a run column with several runs: {csv:.80}");
    assert_eq!(csv.lines().count(), 1 + 2 * 13);
    let gif = std::fs::read(dir.path().join("d.gif")).unwrap();
    assert_eq!(&gif[..6], b"GIF89a");
    let session = Session::load(&dir.path().join("s.json")).expect("a session");
    assert_eq!(session.runs.len(), 2);
    assert_eq!(session.runs[1].steps, 12);

    // A failure is one line naming the file.
    let bad = dir.path().join("no-such-dir").join("x.csv");
    h.state_mut().export_to(ExportKind::Csv, bad);
    wait_until(&mut h, "an error", |a| a.messages().iter().any(|t| t.error));
    let e = h.state().messages().iter().rfind(|t| t.error).unwrap().text.clone();
    assert!(e.contains("x.csv"), "{e}");
}

#[test]
fn cropping_keeps_the_plot_pixels() {
    let mut image = egui::ColorImage::filled([20, 10], egui::Color32::BLACK);
    image.pixels[3 * 20 + 4] = egui::Color32::RED;
    // Physical pixel (4, 3) is the crop's (0, 1) at 2 pixels per point.
    let crop = descent::app::panels::menu_bar::crop_image(
        &image,
        egui::Rect::from_min_max(egui::pos2(2.0, 1.0), egui::pos2(5.0, 4.0)),
        2.0,
    );
    assert_eq!(crop.size, [6, 6]);
    assert_eq!(crop.pixels[6], egui::Color32::RED);
}

/// A file dropped on the window, as the native backend hands it over.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_dropped_csv_loads() {
    let mut h = harness(fast());
    h.step();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("dropped.csv");
    std::fs::write(&path, "x,y\n1,1\n2,2\n3,3\n4,4\n5,5\n").expect("write");
    h.input_mut().hovered_files.push(egui::HoveredFile { path: Some(path.clone()), mime: String::new() });
    h.step();
    h.input_mut().hovered_files.clear();
    h.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(path)));
    wait_until(&mut h, "5 points", |a| data_len(a) == 5);
    assert_eq!(h.state().snapshot().data.y.to_vec(), vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    assert!(h.state().messages().iter().any(|t| !t.error && t.text.contains("5 points")));
}

#[test]
fn a_corrupt_or_newer_session_at_launch_exits_2_with_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 1, \"data\": [").expect("write");
    let newer = dir.path().join("newer.json");
    std::fs::write(&newer, "{\"version\": 7, \"data\": {\"name\": \"d\", \"x\": [1], \"y\": [2]}, \"runs\": []}")
        .expect("write");
    for (path, needle) in [(&bad, "bad.json"), (&newer, "newer")] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_descent"))
            .arg("--session")
            .arg(path)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .expect("run descent");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.starts_with("error: ") && err.contains(needle), "{err}");
    }
}

#[test]
fn without_a_file_dialog_an_export_asks_for_a_path_and_reports_what_it_wrote() {
    use common::app::shows;
    use descent::app::files::labels as prompt;
    use descent::app::jobs::{ExportKind, FilePurpose, JobResult};
    let mut h = harness(fast());
    h.step();
    // What rfd answers where no dialog can open: nothing, at once.
    let purpose = FilePurpose::Save(ExportKind::Csv);
    h.state_mut().job_finished(JobResult::Picked { purpose, path: None, quick: true });
    h.step();
    h.step();
    assert!(shows(&h, "Where to save the runs as CSV?"), "a path field instead of silence");
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("runs.csv");
    // The field holds a default path: select it all and type ours, then OK.
    h.get_by_label(prompt::PATH).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label(prompt::PATH).type_text(&format!("{}", target.display()));
    h.step();
    h.get_by_label(prompt::OK).click();
    wait_until(&mut h, "the file written", |a| a.messages().iter().any(|m| m.text.starts_with("wrote")));
    assert!(target.is_file(), "the CSV exists");
    let report = h.state().messages().iter().rev().find(|m| m.text.starts_with("wrote")).unwrap().text.clone();
    assert!(report.contains("runs.csv"), "says where: {report}");
    // A cancelled dialog says so too.
    h.state_mut().job_finished(JobResult::Picked { purpose, path: None, quick: false });
    assert!(h.state().messages().last().is_some_and(|m| m.text.starts_with("cancelled")));
    // And the prompt's Cancel.
    h.state_mut().job_finished(JobResult::Picked { purpose, path: None, quick: true });
    h.step();
    h.get_by_label(prompt::CANCEL).click();
    h.step();
    h.step();
    assert!(!shows(&h, "Where to save the runs as CSV?"));
    assert!(h.state().messages().last().is_some_and(|m| m.text.starts_with("cancelled")));
}

#[test]
fn ctrl_z_undoes_a_data_edit_a_removed_run_and_a_preset_and_ctrl_shift_z_redoes() {
    let mut h = editor();
    let undo = |h: &mut Harness<'static, App>| {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
        h.step();
    };
    let redo = |h: &mut Harness<'static, App>| {
        h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::Z);
        h.step();
    };
    h.get_by_label(editor_labels::ADD_POINT).click();
    wait_until(&mut h, "5 points", |a| data_len(a) == 5);
    undo(&mut h);
    wait_until(&mut h, "4 points again", |a| data_len(a) == 4);
    redo(&mut h);
    wait_until(&mut h, "5 points again", |a| data_len(a) == 5);
    // A preset replaced the runs: undo brings the single run back, stepped to where it was.
    h.state_mut().push_action(descent::app::Action::Step(7));
    wait_until(&mut h, "step 7", |a| a.snapshot().runs[0].record.step == 7);
    h.state_mut().push_action(descent::app::Action::LoadPreset(descent::presets::Preset::Race));
    wait_until(&mut h, "six runs", |a| a.snapshot().runs.len() == 6);
    undo(&mut h);
    wait_until(&mut h, "one run at step 7", |a| a.snapshot().runs.len() == 1 && a.snapshot().runs[0].record.step == 7);
    assert_eq!(data_len(h.state()), 5, "with the data it had");
    // A removed run comes back.
    h.state_mut().push_action(descent::app::Action::LoadPreset(descent::presets::Preset::Notebook));
    wait_until(&mut h, "two runs", |a| a.snapshot().runs.len() == 2);
    let second = h.state().snapshot().runs[1].id;
    h.state_mut().push_action(descent::app::Action::RemoveRun(second));
    wait_until(&mut h, "one run", |a| a.snapshot().runs.len() == 1);
    undo(&mut h);
    wait_until(&mut h, "two runs again", |a| a.snapshot().runs.len() == 2);
    assert!(h.state().snapshot().runs.iter().any(|r| r.spec.name == "PyTorch autograd"));
}

#[test]
fn the_gif_dialog_offers_the_light_theme() {
    use descent::app::panels::menu_bar::ExportKind;
    let mut h = harness(fast());
    h.step();
    h.get_by_label(menu_labels::EXPORT).click();
    h.run_steps(2);
    h.get_by_label("Animated GIF…").click();
    h.run_steps(3);
    assert!(common::app::shows(&h, "Save GIF…"), "the dialog is open");
    // The toolbar has a "light" switch of its own: the dialog's is drawn last.
    let choices: Vec<_> = h.get_all_by_label("light").collect();
    assert_eq!(choices.len(), 2, "the toolbar's and the dialog's");
    choices[1].click();
    h.run_steps(2);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("light.gif");
    h.state_mut().export_to(ExportKind::Gif, path.clone());
    wait_until(&mut h, "the GIF", |a| a.messages().iter().any(|t| t.text.starts_with("wrote")));
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let file = std::fs::File::open(&path).expect("written");
    let mut decoder = options.read_info(std::io::BufReader::new(file)).expect("a GIF");
    let first = decoder.read_next_frame().expect("a frame").expect("one frame at least");
    let corner = &first.buffer[..4];
    assert!(corner.iter().take(3).all(|&c| c > 200), "a light page: {corner:?}");
}

/// Export → GIF draws every visible run (a hidden one is left out), and a run that has not started yet is animated
/// from its start, as `descent gif` animates it, rather than written as one still (issue 23 §3).
#[test]
fn the_gif_export_draws_every_visible_run_and_animates_runs_not_started() {
    use descent::app::panels::menu_bar::ExportKind;
    use descent::presets::run_color;
    let mut h = harness(fast());
    h.step();
    for (id, name) in [(1, "second"), (2, "hidden")] {
        let settings = Settings { w0: -1.0 - f64::from(id), ..Settings::default() };
        h.state()
            .worker()
            .send(Command::AddRun(RunId(id), RunSpec { name: name.into(), color: run_color(id as usize), settings }));
    }
    wait_until(&mut h, "three runs", |a| a.snapshot().runs.len() == 3);
    assert!(h.state().snapshot().runs.iter().all(|r| r.record.step == 0), "nothing has run yet");
    assert_eq!(h.state().snapshot().runs[0].spec.color, run_color(0));
    h.state_mut().push_action(Action::ToggleHidden(RunId(2)));
    h.run_steps(2);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("runs.gif");
    h.state_mut().export_to(ExportKind::Gif, path.clone());
    wait_until(&mut h, "the GIF", |a| a.messages().iter().any(|t| t.text.starts_with("wrote") || t.error));
    let said = h.state().messages().iter().rfind(|t| t.text.starts_with("wrote") || t.error).unwrap().text.clone();
    assert!(said.starts_with("wrote") && said.ends_with("— 60 frames"), "{said}");
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let file = std::fs::File::open(&path).expect("written");
    let mut decoder = options.read_info(std::io::BufReader::new(file)).expect("a GIF");
    let (width, height) = (usize::from(decoder.width()), usize::from(decoder.height()));
    let mut canvas = vec![0u8; width * height * 4];
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().expect("a valid frame") {
        let (left, top, w) = (usize::from(frame.left), usize::from(frame.top), usize::from(frame.width));
        for (i, px) in frame.buffer.chunks_exact(4).enumerate() {
            if px[3] != 0 {
                let at = ((top + i / w) * width + left + i % w) * 4;
                canvas[at..at + 4].copy_from_slice(px);
            }
        }
        frames.push(canvas.clone());
    }
    // 100 steps from the start over 60 frames: every frame a new state, none the same as the one before.
    assert_eq!(frames.len(), 60);
    assert!(frames.windows(2).all(|w| w[0] != w[1]), "no two consecutive frames are the same");
    let count = |rgba: &[u8], rgb: [u8; 3]| rgba.chunks_exact(4).filter(|p| p[..3] == rgb).count();
    let last = frames.last().expect("a frame");
    for slot in [0, 1] {
        assert!(count(last, run_color(slot)) > 30, "visible run {slot} is drawn");
    }
    assert_eq!(count(last, run_color(2)), 0, "the hidden run is not");
}

#[test]
fn the_data_tab_shows_each_samples_share_of_the_loss_and_the_gradient() {
    let mut h = editor();
    assert!(common::app::shows(&h, "L = mean of r² = (9 + 36 + 81 + 144)/4 = 67.5"), "the loss written out");
    assert!(common::app::shows(&h, "λ = L″ = 15 · critical lr 2/λ = 0.1333"), "λ and the critical lr");
    assert!(common::app::shows(&h, "∂L/∂w: Σ of the 4 arrows = -45 = the mean"), "the stacked arrows' total");
    // Hovering the residual of point 3 (from (4, 12) down to the line ŷ = 0) says what it is.
    let t = h.state().data_editor().expect("the data editor").transform.expect("the scatter was drawn");
    let on_residual = t.position_from_point(&egui_plot::PlotPoint::new(4.0, 5.0));
    h.hover_at(on_residual);
    h.step();
    h.step();
    assert!(common::app::shows(&h, "residual of point 3: r = ŷ − y = 0 − 12 = -12"), "the residual's tooltip");
    h.get_by_label(editor_labels::SHARES).click();
    wait_until(&mut h, "shares hidden", |a| !a.prefs().show_shares);
    assert!(!common::app::shows(&h, "L = mean of r²"), "hidden by the toggle");
}

#[test]
fn dragging_a_point_updates_its_share_live_and_the_notebook_sum_shows_n_times_the_mean() {
    let mut h = harness(AppOptions { engine: notebook_sum(), ..fast() });
    h.step();
    h.get_by_label(menu_labels::DATA_EDITOR).click();
    for _ in 0..3 {
        h.step();
    }
    assert!(common::app::shows(&h, "∂L/∂w: Σ = -180 = 4 × the mean -45"), "4× seen in the totals");
    assert!(common::app::shows(&h, "λ = N·L″ (the summed gradient's) = 60"), "the curvature the update sees");
    let data = h.state().snapshot().data.clone();
    let start = h.state().data_editor().expect("the data editor").screen_pos(&data, 3).expect("point 3 drawn");
    h.hover_at(start);
    h.step();
    h.drag_at(start);
    h.step();
    for k in 1..=4 {
        h.hover_at(start + egui::vec2(0.0, -8.0 * k as f32));
        h.step();
    }
    // Not yet released: the data are unchanged, but the loss and the arrows follow the pointer.
    assert_eq!(h.state().snapshot().data.y[3], 12.0, "the edit comes at the release");
    assert!(!common::app::shows(&h, "= 67.5"), "the loss moved with the point");
    assert!(!common::app::shows(&h, "Σ = -180 "), "the arrows moved with the point");
    h.drop_at(start + egui::vec2(0.0, -32.0));
    wait_until(&mut h, "point 3 moved", |a| a.snapshot().data.y[3] > 12.0);
}

fn notebook_sum() -> descent::cli::EngineArgs {
    descent::cli::EngineArgs { gradient: Some(descent::engine::GradientSource::NotebookSum), ..Default::default() }
}

/// Opening a session changes nothing it holds: values outside the panel's slider ranges (w₀ = 2e6, weight decay 5,
/// ε = 1e-20) and the saved step survive the replay and the frames after it, and saving it again gives the same
/// file, field for field.
#[test]
fn a_session_opens_without_rewriting_anything() {
    use descent::session::SessionRun;
    let mut settings = Settings { w0: 2e6, seed: 77, ..Settings::default() };
    settings.optimizer.lr = 0.001;
    settings.optimizer.weight_decay = Some(5.0);
    settings.optimizer.eps = Some(1e-20);
    settings.optimizer.kind = descent::engine::OptimizerKind::Sgd;
    settings.optimizer.momentum = 0.95;
    let mut adam = Settings::default();
    adam.optimizer.kind = descent::engine::OptimizerKind::Adam;
    adam.optimizer.eps = Some(1e-20);
    adam.optimizer.beta2 = 0.9999;
    adam.optimizer.weight_decay = Some(5.0);
    let mut session = Session::new(&descent::engine::Dataset::notebook());
    let mut first = SessionRun::new("far start", settings.clone(), [10, 20, 30]);
    first.steps = 40;
    let mut second = SessionRun::new("adam", adam.clone(), [40, 50, 60]);
    second.steps = 7;
    second.visible = false;
    session.runs = vec![first, second];
    session.tolerance = Some(1e-9);
    let mut h = harness(AppOptions { session: Some(session.clone()), ..fast() });
    wait_until(&mut h, "replayed", |a| {
        let runs = &a.snapshot().runs;
        runs.len() == 2 && runs[0].record.step == 40 && runs[1].record.step == 7 && !a.snapshot().is_busy()
    });
    for _ in 0..5 {
        h.step();
    }
    let snap = h.state().snapshot();
    assert_eq!(snap.runs[0].spec.settings, settings, "the first run's settings, untouched by the panel");
    assert_eq!(snap.runs[1].spec.settings, adam);
    assert_eq!(h.state().persisted().settings, settings, "what the panel shows and would save");
    let mut again = h.state().current_session();
    again.app = session.app.clone();
    assert_eq!(again, session, "saved again, the session is the same, field for field");
}

/// Settings changed mid-run in the app (the lr at step 10, momentum at 25) are saved as the run's timeline and the
/// session reopens to the same trajectory, bit for bit; `descent replay` prints it too.
#[test]
fn mid_run_changes_survive_a_session() {
    let mut h = harness(fast());
    h.step();
    let mut s = Settings::default();
    s.optimizer.kind = descent::engine::OptimizerKind::Sgd;
    h.state().worker().send(Command::Step(10));
    wait_until(&mut h, "step 10", |a| a.snapshot().runs[0].record.step == 10);
    s.optimizer.lr = 0.03;
    h.state_mut().push_action(Action::SetSettings(s.clone()));
    h.step();
    wait_until(&mut h, "the lr", |a| a.snapshot().runs[0].spec.settings.optimizer.lr == 0.03);
    h.state().worker().send(Command::Step(15));
    wait_until(&mut h, "step 25", |a| a.snapshot().runs[0].record.step == 25);
    s.optimizer.momentum = 0.9;
    h.state_mut().push_action(Action::SetSettings(s.clone()));
    h.step();
    wait_until(&mut h, "momentum", |a| a.snapshot().runs[0].spec.settings.optimizer.momentum == 0.9);
    h.state().worker().send(Command::Step(10));
    wait_until(&mut h, "step 35", |a| a.snapshot().runs[0].record.step == 35);
    let before = rows(h.state(), 0);
    let session = h.state().current_session();
    assert_eq!(session.runs[0].timeline.iter().map(|c| c.step).collect::<Vec<_>>(), [0, 10, 25]);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("changes.json");
    session.save(&path).expect("save");
    let mut h2 = harness(AppOptions { session: Some(Session::load(&path).expect("load")), ..fast() });
    wait_until(&mut h2, "replayed", |a| a.snapshot().runs[0].record.step == 35 && !a.snapshot().is_busy());
    assert_eq!(rows(h2.state(), 0), before, "the same trajectory, with each change at its step");
    // Headless, for a teacher: the same rows with a leading run column.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_descent")).arg("replay").arg(&path).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(text.lines().next(), Some("run,step,w,b,loss,grad_w,grad_b,lr"));
    let ws: Vec<u64> =
        text.lines().skip(1).map(|l| l.split(',').nth(2).unwrap().parse::<f64>().unwrap().to_bits()).collect();
    assert_eq!(
        ws,
        before.iter().map(|r| r.params.w.to_bits()).collect::<Vec<_>>(),
        "replay prints the same w, exactly"
    );
}

/// A branch starts with fresh optimizer state. Saved in a session, it says so (`restart` at its first step), and
/// reopens to the same trajectory, bit for bit, where carrying the original's momentum on would not.
#[test]
fn a_branch_with_momentum_survives_a_session() {
    let mut h = harness(fast());
    h.step();
    let mut s = Settings::default();
    s.optimizer.kind = descent::engine::OptimizerKind::Sgd;
    s.optimizer.momentum = 0.9;
    h.state_mut().push_action(Action::SetSettings(s.clone()));
    h.step();
    wait_until(&mut h, "momentum", |a| a.snapshot().runs[0].spec.settings.optimizer.momentum == 0.9);
    h.state().worker().send(Command::Step(20));
    wait_until(&mut h, "step 20", |a| a.snapshot().runs[0].record.step == 20);
    h.state_mut().push_action(Action::Branch(RunId(0), 8));
    h.step();
    wait_until(&mut h, "the branch", |a| a.snapshot().runs.len() == 2);
    h.state().worker().send(Command::Step(12));
    wait_until(&mut h, "step 20 again", |a| a.snapshot().runs[1].record.step == 20 && !a.snapshot().is_busy());
    let before = rows(h.state(), 1);
    let session = h.state().current_session();
    let timeline: Vec<(u64, bool)> = session.runs[1].timeline.iter().map(|c| (c.step, c.restart)).collect();
    assert_eq!(timeline, [(0, false), (8, true)], "the branch restarts at step 8");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("branch.json");
    session.save(&path).expect("save");
    let mut h2 = harness(AppOptions { session: Some(Session::load(&path).expect("load")), ..fast() });
    wait_until(&mut h2, "replayed", |a| {
        a.snapshot().runs.len() == 2 && a.snapshot().runs[1].record.step == 20 && !a.snapshot().is_busy()
    });
    assert_eq!(rows(h2.state(), 1), before, "the branch's trajectory, exactly");
    // Headless, the same; and without the restart the momentum would carry on and the run end elsewhere.
    let data = descent::engine::Dataset::notebook();
    let last_w = |s: &Session| {
        let mut w = f64::NAN;
        s.replay_run::<descent::engine::diagnose::StartError>(&data, &s.runs[1], |r| {
            w = r.record.params.w;
            Ok(())
        })
        .expect("replays");
        w
    };
    assert_eq!(last_w(&session).to_bits(), before.last().expect("rows").record.params.w.to_bits());
    let mut carried = session.clone();
    carried.runs[1].timeline[1].restart = false;
    assert_ne!(last_w(&carried), last_w(&session), "the restart matters");
}
