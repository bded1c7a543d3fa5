//! Exports: runs as trace CSV (one run and several) and JSON, read back bit for bit; the descent as an animated
//! GIF, decoded and checked; the files they write and the errors they give.

use std::collections::HashSet;
use std::io::Cursor;
use std::path::Path;
use std::process::Command;

#[cfg(feature = "gui")]
use descent::app::theme::Palette;
use descent::engine::trainer::{DynTrainer, Record, Row};
use descent::engine::{Dataset, GradientSource, LossKind, OptimizerConfig, OptimizerKind, Params, Precision, Settings};
use descent::export::{
    ExportError, GifOptions, GifRun, GifTheme, RunExport, export_csv_file, export_gif_file, export_json_file,
    frame_rows, frame_states, render_descent_frame, render_descent_gif, render_runs_frame, render_runs_gif, trace_csv,
    trace_json, write_trace_csv,
};

/// The run's history as `descent trace` records it: the start, then one row per update.
fn run(data: &Dataset, settings: &Settings, steps: u64) -> Vec<Record<f64>> {
    let mut trainer = DynTrainer::new(data, settings).expect("valid settings");
    let mut rows = vec![trainer.record()];
    trainer.run(steps, |r| rows.push(*r));
    rows
}

/// The run's history with each row's next lr, as the app's history keeps it: the start, then one row per update.
fn run_rows(data: &Dataset, settings: &Settings, steps: u64) -> Vec<Row> {
    let mut trainer = DynTrainer::new(data, settings).expect("valid settings");
    let mut rows = vec![trainer.row()];
    for _ in 0..steps {
        trainer.step();
        rows.push(trainer.row());
    }
    rows
}

fn sgd(lr: f64) -> Settings {
    Settings { optimizer: OptimizerConfig::new(OptimizerKind::Sgd, lr), ..Settings::default() }
}

/// Data whose values have no short decimal form, or sit at the edges of f64.
fn awkward_data() -> Dataset {
    let x = vec![0.1, 1.0 / 3.0, 1e-300, 2.5, -0.0, 0.1 + 0.2, 7.0 / 9.0];
    let y = vec![0.3, 1.0, 3e-300, 7.5 + 1e-15, 5e-324, 0.9, 2.0 / 3.0];
    Dataset::new(x, y, "awkward").expect("valid data")
}

/// The bits of every number in a row, to compare rows exactly (-0.0 and 0.0 differ).
fn bits(r: &Record<f64>) -> [u64; 6] {
    [r.step, r.params.w.to_bits(), r.params.b.to_bits(), r.loss.to_bits(), r.grad.w.to_bits(), r.grad.b.to_bits()]
}

/// A number from the trace, read in the run's precision and widened (exact both ways).
fn parse_num(field: &str, precision: Precision) -> f64 {
    match precision {
        Precision::F32 => f64::from(field.parse::<f32>().unwrap_or_else(|e| panic!("{field:?}: {e}"))),
        Precision::F64 => field.parse::<f64>().unwrap_or_else(|e| panic!("{field:?}: {e}")),
    }
}

/// A trace CSV record (without the run column) as a row.
fn parse_row(fields: &[&str], precision: Precision) -> Record<f64> {
    let n = |i: usize| parse_num(fields[i], precision);
    Record {
        step: fields[0].parse().expect("a step"),
        params: Params { w: n(1), b: n(2) },
        loss: n(3),
        grad: Params { w: n(4), b: n(5) },
    }
}

/// Reads a CSV export with the csv crate: the header, then each record's fields.
fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header = reader.headers().expect("a header").iter().map(str::to_owned).collect();
    let records =
        reader.records().map(|r| r.expect("a well-formed record").iter().map(str::to_owned).collect()).collect();
    (header, records)
}

/// The row as `descent trace` prints it (see src/cli/commands.rs), with the lr of the update leaving it.
fn cli_line(r: &Row, p: Precision) -> String {
    // Python's repr of the f32 or the f64, integral values without `.0` (see descent::format::repr).
    let n = |v: f64| descent::format::repr_in(v, p == Precision::F32);
    let lr = n(r.scheduled.lr);
    format!("{},{},{},{},{},{},{lr}", r.step, n(r.params.w), n(r.params.b), n(r.loss), n(r.grad.w), n(r.grad.b))
}

#[test]
fn data_csv_round_trips_bit_for_bit() {
    let data = awkward_data();
    let mut text = Vec::new();
    data.write_csv(&mut text).expect("write");
    let back = Dataset::from_csv_reader(Cursor::new(text), Path::new("awkward.csv")).expect("read back");
    let as_bits = |v: &ndarray::Array1<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(as_bits(&back.x), as_bits(&data.x));
    assert_eq!(as_bits(&back.y), as_bits(&data.y));
}

#[test]
fn one_run_is_exactly_the_trace_format_and_reads_back_bit_for_bit() {
    let data = awkward_data();
    let settings = Settings { bias: true, ..sgd(0.05) };
    let rows = run_rows(&data, &settings, 60);
    let text = trace_csv(&[RunExport { name: "only", settings: &settings, rows: &rows }]).expect("export");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("step,w,b,loss,grad_w,grad_b,lr"));
    for (line, r) in lines.zip(&rows) {
        assert_eq!(line, cli_line(r, Precision::F64));
    }
    assert!(text.ends_with('\n') && !text.contains('\r'));
    let (header, records) = read_csv(&text);
    assert_eq!(header, ["step", "w", "b", "loss", "grad_w", "grad_b", "lr"]);
    assert_eq!(records.len(), rows.len());
    for (rec, r) in records.iter().zip(&rows) {
        let fields: Vec<&str> = rec.iter().map(String::as_str).collect();
        assert_eq!(bits(&parse_row(&fields, Precision::F64)), bits(r));
    }
}

#[test]
fn f32_runs_print_f32_shortest_forms_and_read_back_exactly() {
    let settings = Settings { precision: Precision::F32, ..sgd(0.01) };
    let rows = run_rows(&Dataset::notebook(), &settings, 40);
    let text = trace_csv(&[RunExport { name: "f32", settings: &settings, rows: &rows }]).expect("export");
    // The notebook's first f32 update lands on w = 0.45, which as an f64 would print as 0.44999998807907104.
    assert_eq!(text.lines().nth(2).map(|l| l.split(',').nth(1)), Some(Some("0.45")));
    let (_, records) = read_csv(&text);
    for (rec, r) in records.iter().zip(&rows) {
        let fields: Vec<&str> = rec.iter().map(String::as_str).collect();
        assert_eq!(bits(&parse_row(&fields, Precision::F32)), bits(r));
        assert_eq!(rec.join(","), cli_line(r, Precision::F32));
    }
}

#[test]
fn one_run_matches_the_command_line_byte_for_byte() {
    let cases: [(&[&str], Settings); 2] = [
        (&["--lr", "0.05"], sgd(0.05)),
        (
            &["--precision", "f32", "--optimizer", "adam", "--lr", "0.1", "--bias"],
            Settings {
                precision: Precision::F32,
                bias: true,
                optimizer: OptimizerConfig::new(OptimizerKind::Adam, 0.1),
                ..Settings::default()
            },
        ),
    ];
    for (flags, settings) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_descent"))
            .args(["trace", "--data", "notebook", "--steps", "25"])
            .args(flags)
            .output()
            .expect("run descent trace");
        assert!(output.status.success(), "descent trace {flags:?}: {}", String::from_utf8_lossy(&output.stderr));
        let rows = run_rows(&Dataset::notebook(), &settings, 25);
        let ours = trace_csv(&[RunExport { name: "x", settings: &settings, rows: &rows }]).expect("export");
        assert_eq!(ours, String::from_utf8_lossy(&output.stdout), "flags {flags:?}");
    }
}

#[test]
fn several_runs_get_a_quoted_run_column_and_all_their_rows() {
    let data = Dataset::notebook();
    let a = sgd(0.01);
    let b = Settings { precision: Precision::F32, ..sgd(0.1) };
    let c = Settings {
        optimizer: OptimizerConfig::new(OptimizerKind::Adam, 0.3),
        batch_size: Some(2),
        seed: 9,
        ..a.clone()
    };
    let (ra, rb, rc) = (run_rows(&data, &a, 30), run_rows(&data, &b, 12), run_rows(&data, &c, 7));
    let names = ["plain", "lr 0.1, \"fast\"", "two\nlines"];
    let runs = [
        RunExport { name: names[0], settings: &a, rows: &ra },
        RunExport { name: names[1], settings: &b, rows: &rb },
        RunExport { name: names[2], settings: &c, rows: &rc },
    ];
    let text = trace_csv(&runs).expect("export");
    assert!(text.starts_with("run,step,w,b,loss,grad_w,grad_b,lr\n"));
    assert!(text.contains("\"lr 0.1, \"\"fast\"\"\",0,"), "the name is quoted with its quotes doubled");
    let (header, records) = read_csv(&text);
    assert_eq!(header, ["run", "step", "w", "b", "loss", "grad_w", "grad_b", "lr"]);
    assert_eq!(records.len(), ra.len() + rb.len() + rc.len());
    let mut offset = 0;
    // Control characters in a name are escaped: the CSV is read on terminals.
    let shown = ["plain", "lr 0.1, \"fast\"", "two\\nlines"];
    for (run, name) in runs.iter().zip(shown) {
        let mine: Vec<_> = records[offset..offset + run.rows.len()].to_vec();
        offset += run.rows.len();
        for (rec, r) in mine.iter().zip(run.rows) {
            assert_eq!(rec[0], name);
            let fields: Vec<&str> = rec[1..].iter().map(String::as_str).collect();
            assert_eq!(bits(&parse_row(&fields, run.settings.precision)), bits(r));
        }
    }
    // The streaming writer gives the same bytes.
    let mut streamed = Vec::new();
    write_trace_csv(&runs, &mut streamed).expect("export");
    assert_eq!(streamed, text.as_bytes());
}

/// A run name from a session file cannot drive the terminal that reads the CSV: OSC (retitle), CSI (clear, colour),
/// BEL and NUL arrive escaped, and the only control characters of the CSV are its line ends.
#[test]
fn terminal_escapes_in_run_names_are_escaped_in_the_csv() {
    let data = Dataset::notebook();
    let a = sgd(0.01);
    let rows = run_rows(&data, &a, 2);
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mFAKE\u{0}";
    let runs =
        [RunExport { name: evil, settings: &a, rows: &rows }, RunExport { name: "ok", settings: &a, rows: &rows }];
    let text = trace_csv(&runs).expect("export");
    assert!(text.chars().all(|c| c == '\n' || !c.is_control()), "{text:?}");
    assert!(text.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{1b}[31mFAKE\\u{0},0,"), "{text}");
}

#[test]
fn json_export_parses_back_with_names_settings_and_rows() {
    let data = awkward_data();
    let a = Settings { bias: true, ..sgd(0.02) };
    let b = Settings { precision: Precision::F32, loss: LossKind::Huber, huber_delta: 0.3, ..sgd(0.1) };
    let (ra, rb) = (run_rows(&data, &a, 25), run_rows(&Dataset::notebook(), &b, 10));
    let runs =
        [RunExport { name: "α run", settings: &a, rows: &ra }, RunExport { name: "f32", settings: &b, rows: &rb }];
    let text = trace_json(&runs).expect("export");
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["format"], "descent-runs");
    assert_eq!(v["version"], 1);
    let out = v["runs"].as_array().expect("runs");
    assert_eq!(out.len(), 2);
    for (json, run) in out.iter().zip(&runs) {
        assert_eq!(json["name"], run.name);
        let settings: Settings = serde_json::from_value(json["settings"].clone()).expect("settings");
        assert_eq!(&settings, run.settings);
        let rows = json["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), run.rows.len());
        for (row, r) in rows.iter().zip(run.rows) {
            let f = |k: &str| {
                let v = row[k].as_f64().unwrap_or_else(|| panic!("{k} is a number"));
                // f32 rows are written in float32's shortest form: read them as f32.
                if run.settings.precision == Precision::F32 { f64::from(v as f32) } else { v }
            };
            let back = Record {
                step: row["step"].as_u64().expect("step"),
                params: Params { w: f("w"), b: f("b") },
                loss: f("loss"),
                grad: Params { w: f("grad_w"), b: f("grad_b") },
            };
            assert_eq!(bits(&back), bits(r));
            // The lr prints in the run's precision: rounded to f32, as an f32 run uses it.
            let lr = r.scheduled.lr;
            let lr = if run.settings.precision == Precision::F32 { f64::from(lr as f32) } else { lr };
            assert_eq!(f("lr"), lr, "the lr of the update leaving the row");
        }
    }
}

#[test]
fn nothing_to_export_is_an_error() {
    assert!(matches!(trace_csv(&[]), Err(ExportError::Nothing(_))));
    assert!(matches!(trace_json(&[]), Err(ExportError::Nothing(_))));
}

#[test]
fn files_report_where_they_went_and_how_big() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = sgd(0.05);
    let rows = run_rows(&Dataset::notebook(), &settings, 20);
    let runs = [RunExport { name: "a", settings: &settings, rows: &rows }];
    let csv_path = dir.path().join("run.csv");
    let report = export_csv_file(&csv_path, &runs).expect("csv file");
    assert_eq!(report.path, csv_path);
    assert_eq!(report.bytes, std::fs::metadata(&csv_path).expect("written").len());
    assert_eq!(std::fs::read_to_string(&csv_path).expect("read"), trace_csv(&runs).expect("csv"));
    assert_eq!(
        report.to_string(),
        format!("wrote {} ({})", csv_path.display(), descent::export::human_size(report.bytes))
    );

    let json_path = dir.path().join("run.json");
    let report = export_json_file(&json_path, &runs).expect("json file");
    assert_eq!(report.bytes, std::fs::metadata(&json_path).expect("written").len());

    // Overwriting replaces the file and leaves no temporary files behind.
    export_csv_file(&csv_path, &runs).expect("again");
    let names: Vec<_> = std::fs::read_dir(dir.path()).expect("list").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");

    let missing = dir.path().join("no such dir").join("run.csv");
    let err = export_csv_file(&missing, &runs).expect_err("no directory");
    assert!(matches!(err, ExportError::File { .. }));
    let message = err.to_string();
    assert!(message.contains(&missing.display().to_string()) && !message.contains('\n'), "{message}");
}

/// A decoded GIF: its size, and each frame composited over the previous ones (as viewers show them), in RGBA.
struct Decoded {
    width: usize,
    height: usize,
    frames: Vec<Vec<u8>>,
    delays: Vec<u16>,
    repeat: gif::Repeat,
}

fn decode(bytes: &[u8]) -> Decoded {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(Cursor::new(bytes)).expect("a GIF header");
    let (width, height) = (usize::from(decoder.width()), usize::from(decoder.height()));
    let mut canvas = vec![0u8; width * height * 4];
    let (mut frames, mut delays) = (Vec::new(), Vec::new());
    while let Some(frame) = decoder.read_next_frame().expect("a valid frame") {
        let (left, top, fw) = (usize::from(frame.left), usize::from(frame.top), usize::from(frame.width));
        for (i, px) in frame.buffer.chunks_exact(4).enumerate() {
            let (x, y) = (left + i % fw, top + i / fw);
            assert!(x < width && y < height, "a frame pixel outside the image");
            if px[3] != 0 {
                let at = (y * width + x) * 4;
                canvas[at..at + 4].copy_from_slice(px);
            }
        }
        frames.push(canvas.clone());
        delays.push(frame.delay);
    }
    let repeat = decoder.repeat();
    Decoded { width, height, frames, delays, repeat }
}

/// Distinct colours in an RGBA image.
fn colours(rgba: &[u8]) -> usize {
    rgba.chunks_exact(4).map(|p| (p[0], p[1], p[2], p[3])).collect::<HashSet<_>>().len()
}

fn small(frames: usize) -> GifOptions {
    GifOptions { width: 240, height: 150, frames, ..GifOptions::default() }
}

#[test]
fn gif_is_an_animation_of_the_requested_size_and_frames() {
    let data = Dataset::notebook();
    let settings = sgd(0.11);
    let rows = run(&data, &settings, 40);
    let opts = small(12);
    let mut bytes = Vec::new();
    let info = render_descent_gif(&opts, &data, &settings, &rows, &mut bytes).expect("render");
    assert_eq!((info.frames, info.width, info.height, info.bytes), (12, 240, 150, bytes.len() as u64));
    let gif = decode(&bytes);
    assert_eq!((gif.width, gif.height, gif.frames.len()), (240, 150, 12));
    assert_eq!(gif.repeat, gif::Repeat::Infinite);
    assert_eq!(gif.delays[0], 8);
    assert_eq!(gif.delays[11], 150, "the last frame is held");
    for frame in &gif.frames {
        assert!(frame.chunks_exact(4).all(|p| p[3] == 255), "every pixel is painted");
        assert!(colours(frame) >= 8, "not blank: {} colours", colours(frame));
    }
    for pair in gif.frames.windows(2) {
        assert_ne!(pair[0], pair[1], "each frame shows a new step");
    }
    // A still of a frame is the GIF's frame before colour reduction: nearly identical.
    let still = render_descent_frame(&opts, &data, &settings, &rows, 5).expect("still");
    assert_eq!(still.len(), 240 * 150 * 4);
    let off = still.iter().zip(&gif.frames[5]).filter(|(a, b)| a.abs_diff(**b) > 24).count();
    assert!(off < still.len() / 100, "{off} channel values differ much");
}

#[test]
fn gif_draws_the_run_in_its_palette_colour() {
    use descent::run_look::{COLORBLIND_RUN_COLORS, RunPalette};
    let data = Dataset::notebook();
    let settings = sgd(0.11);
    let rows = run(&data, &settings, 40);
    let count = |opts: &GifOptions, rgb: [u8; 3]| -> usize {
        let still = render_descent_frame(opts, &data, &settings, &rows, 20).expect("still");
        still.chunks_exact(4).filter(|p| p[..3] == rgb).count()
    };
    // The second run's colour (sky blue), in the default palette and in Okabe–Ito's, on the dark theme.
    let slot = descent::presets::run_color(1);
    let default = GifOptions { run_color: slot, frames: 12, ..GifOptions::default() };
    let colorblind = GifOptions { palette: RunPalette::Colorblind, ..default.clone() };
    let okabe = COLORBLIND_RUN_COLORS[1];
    let (a, b) = (count(&default, slot), count(&default, okabe));
    assert!(a > 20 && b == 0, "the default palette's sky blue: {a}, {b}");
    assert!(count(&colorblind, okabe) > 20 && count(&colorblind, slot) == 0, "Okabe–Ito's sky blue");
}

#[test]
fn gif_with_a_bias_draws_the_surface() {
    let data = Dataset::preset("noisy").expect("preset");
    let settings = Settings { bias: true, ..sgd(0.05) };
    let rows = run(&data, &settings, 80);
    let mut bytes = Vec::new();
    let info = render_descent_gif(&small(6), &data, &settings, &rows, &mut bytes).expect("render");
    assert_eq!(info.frames, 6);
    let gif = decode(&bytes);
    assert_eq!(gif.frames.len(), 6);
    // Twelve contour bands, their lines and the markers.
    assert!(colours(&gif.frames[0]) >= 30, "{} colours", colours(&gif.frames[0]));
    assert_ne!(gif.frames[0], gif.frames[5]);
}

/// A run with fewer states than frames: each state is written once and held for the time of every frame that
/// shows it, so no two consecutive frames are the same and the animation lasts as long (issue 23 §3: "it never
/// writes identical frames").
#[test]
fn fewer_steps_than_frames_hold_each_state_instead_of_repeating_it() {
    let data = Dataset::notebook();
    let settings = sgd(0.01);
    let rows = run(&data, &settings, 4);
    let mut bytes = Vec::new();
    let info = render_descent_gif(&small(60), &data, &settings, &rows, &mut bytes).expect("render");
    // Each of the 5 states in 12 of the 60 frames asked for, the last state last.
    let shown = frame_rows(60, &rows);
    assert_eq!(shown.len(), 60);
    for k in 0..5 {
        assert_eq!(shown.iter().filter(|&&i| i == k).count(), 12, "{shown:?}");
    }
    assert_eq!(info.frames, 5);
    let gif = decode(&bytes);
    assert_eq!(gif.frames.len(), 5);
    for pair in gif.frames.windows(2) {
        assert_ne!(pair[0], pair[1], "consecutive frames differ");
    }
    // 12 frames of 80 ms each (8 cs), the last state 11 of them and the 1.5 s hold: 60 frames' time in all.
    assert_eq!(gif.delays, [96, 96, 96, 96, 11 * 8 + 150]);
    assert_eq!(gif.delays.iter().map(|&d| u32::from(d)).sum::<u32>(), 59 * 8 + 150);
    assert_eq!(frame_rows(3, &run(&data, &settings, 100)), [0, 50, 100]);
}

/// Two runs in one GIF: one timeline over the longer run's steps, the shorter one staying at its last state,
/// both in their colours, and the legend naming both with their swatches.
#[test]
fn several_runs_share_one_timeline_and_a_legend() {
    let data = Dataset::notebook();
    let (short, long) = (Settings { bias: true, ..sgd(0.02) }, Settings { bias: true, ..sgd(0.05) });
    let (short_rows, long_rows) = (run(&data, &short, 10), run(&data, &long, 40));
    let colours = [descent::presets::run_color(0), descent::presets::run_color(1)];
    let runs = [
        GifRun { name: "short", settings: &short, rows: &short_rows, color: colours[0] },
        GifRun { name: "long", settings: &long, rows: &long_rows, color: colours[1] },
    ];
    let states = frame_states(9, &runs);
    let expected: Vec<Vec<usize>> = (0..=40).step_by(5).map(|step: usize| vec![step.min(10), step]).collect();
    assert_eq!(states, expected, "steps 0, 5, … 40 of the longer run; the shorter one stays at step 10");
    let opts = GifOptions { frames: 9, ..GifOptions::default() };
    let mut bytes = Vec::new();
    let info = render_runs_gif(&opts, &data, &runs, &mut bytes, |_, _| {}).expect("render");
    let gif = decode(&bytes);
    assert_eq!((info.frames, gif.frames.len()), (9, 9));
    let last = gif.frames.last().expect("a frame");
    let count = |[x0, x1, y0, y1]: [usize; 4], rgb: [u8; 3]| {
        (y0..y1).flat_map(|y| (x0..x1).map(move |x| (y * 640 + x) * 4)).filter(|&i| last[i..i + 3] == rgb).count()
    };
    for rgb in colours {
        assert!(count([0, 420, 60, 400], rgb) >= 40, "{rgb:?}: the path in the main plot");
        assert!(count([440, 640, 280, 400], rgb) >= 12, "{rgb:?}: the swatch in the legend");
    }
    // The still of a frame agrees with the GIF's.
    let still = render_runs_frame(&opts, &data, &runs, 8).expect("still");
    let off = still.iter().zip(last).filter(|(a, b)| a.abs_diff(**b) > 24).count();
    assert!(off < still.len() / 100, "{off} channel values differ much");
}

/// Runs of different problems cannot share a picture: a one-line error naming both.
#[test]
fn runs_of_different_problems_are_refused_naming_both() {
    let data = Dataset::notebook();
    let (a, b) = (Settings { bias: true, ..sgd(0.02) }, sgd(0.02));
    let (ra, rb) = (run(&data, &a, 3), run(&data, &b, 3));
    let runs = [
        GifRun { name: "with b", settings: &a, rows: &ra, color: descent::presets::run_color(0) },
        GifRun { name: "without", settings: &b, rows: &rb, color: descent::presets::run_color(1) },
    ];
    let err = render_runs_gif(&small(3), &data, &runs, Vec::new(), |_, _| {}).expect_err("refused");
    let text = err.to_string();
    assert!(matches!(err, ExportError::Incompatible { .. }), "{err:?}");
    assert!(text.contains("“with b”") && text.contains("“without”") && !text.contains('\n'), "{text}");
    assert!(text.contains("with a bias against without a bias"), "{text}");
}

#[test]
fn bad_gif_options_are_rejected_naming_the_option() {
    let data = Dataset::notebook();
    let settings = sgd(0.01);
    let rows = run(&data, &settings, 5);
    let cases = [
        (GifOptions { frames: 0, ..GifOptions::default() }, "frames"),
        (GifOptions { width: 0, ..GifOptions::default() }, "width"),
        (GifOptions { width: 63, ..GifOptions::default() }, "width"),
        (GifOptions { height: 4097, ..GifOptions::default() }, "height"),
        (GifOptions { frame_delay_ms: 0, ..GifOptions::default() }, "delay"),
    ];
    for (opts, option) in cases {
        let err = render_descent_gif(&opts, &data, &settings, &rows, Vec::new()).expect_err("rejected");
        assert!(matches!(err, ExportError::InvalidOption { .. }), "{err:?}");
        assert!(err.to_string().contains(option), "{err} should name {option}");
    }
    let err = render_descent_gif(&GifOptions::default(), &data, &settings, &[], Vec::new()).expect_err("no rows");
    assert!(matches!(err, ExportError::Nothing(_)) && err.to_string().contains("rows"), "{err}");
    let bad = Settings { optimizer: OptimizerConfig::new(OptimizerKind::Sgd, -1.0), ..Settings::default() };
    let err = render_descent_gif(&small(3), &data, &bad, &rows, Vec::new()).expect_err("bad settings");
    assert!(err.to_string().contains("--lr"), "{err}");
}

#[test]
fn any_size_renders_even_without_room_for_labels() {
    let data = Dataset::notebook();
    let settings = sgd(0.05);
    let rows = run(&data, &settings, 10);
    for (width, height, labels) in
        [(64, 64, true), (64, 400, true), (400, 64, true), (120, 80, false), (200, 150, true)]
    {
        let opts = GifOptions { width, height, frames: 4, labels, ..GifOptions::default() };
        let mut bytes = Vec::new();
        let info = render_descent_gif(&opts, &data, &settings, &rows, &mut bytes).expect("render");
        let gif = decode(&bytes);
        assert_eq!((gif.width, gif.height, gif.frames.len()), (width as usize, height as usize, info.frames));
    }
}

#[test]
fn every_kind_of_run_renders() {
    let notebook = Dataset::notebook();
    let outliers = Dataset::preset("outliers").expect("preset");
    let cases = [
        // Diverges within a few steps: huge values, and a view that must still hold them.
        (notebook.clone(), sgd(0.2)),
        (notebook.clone(), Settings { precision: Precision::F32, ..sgd(0.05) }),
        (notebook.clone(), Settings { gradient: GradientSource::NotebookSum, ..sgd(0.01) }),
        (outliers.clone(), Settings { loss: LossKind::Mae, ..sgd(0.05) }),
        (
            outliers.clone(),
            Settings {
                bias: true,
                loss: LossKind::Huber,
                optimizer: OptimizerConfig::new(OptimizerKind::Adam, 0.2),
                batch_size: Some(4),
                seed: 7,
                ..Settings::default()
            },
        ),
        // Starts at the optimum and never moves.
        (notebook.clone(), Settings { w0: 3.0, ..sgd(0.01) }),
    ];
    for (data, settings) in cases {
        let rows = run(&data, &settings, 30);
        let mut bytes = Vec::new();
        let info = render_descent_gif(&small(8), &data, &settings, &rows, &mut bytes)
            .unwrap_or_else(|e| panic!("{settings:?}: {e}"));
        let gif = decode(&bytes);
        assert_eq!(gif.frames.len(), info.frames);
        assert!(colours(gif.frames.last().expect("a frame")) >= 8);
    }
}

#[test]
fn the_same_run_gives_the_same_bytes() {
    let data = Dataset::notebook();
    let settings = sgd(0.1);
    let rows = run(&data, &settings, 20);
    let render = || {
        let mut bytes = Vec::new();
        render_descent_gif(&small(10), &data, &settings, &rows, &mut bytes).expect("render");
        bytes
    };
    assert_eq!(render(), render());
}

#[test]
fn gif_files_are_written_and_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = Dataset::notebook();
    let settings = sgd(0.1);
    let rows = run(&data, &settings, 20);
    let path = dir.path().join("descent.gif");
    let report = export_gif_file(&path, &small(5), &data, &settings, &rows).expect("write");
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(report.bytes, bytes.len() as u64);
    assert_eq!(decode(&bytes).frames.len(), 5);
    assert!(report.to_string().starts_with(&format!("wrote {} (", path.display())));
}

/// A frame of the slide-sized animation of `settings` on the notebook's data, as RGBA.
fn slide_frame(settings: &Settings, theme: GifTheme, labels: bool, frame: usize) -> Vec<u8> {
    let data = Dataset::notebook();
    let rows = run(&data, settings, 60);
    let opts = GifOptions { width: 640, height: 400, frames: 12, theme, labels, ..GifOptions::default() };
    render_descent_frame(&opts, &data, settings, &rows, frame).expect("frame")
}

fn rgb_at(rgba: &[u8], width: usize, x: usize, y: usize) -> [u8; 3] {
    let at = (y * width + x) * 4;
    [rgba[at], rgba[at + 1], rgba[at + 2]]
}

fn luma([r, g, b]: [u8; 3]) -> f32 {
    0.2126 * f32::from(r) + 0.7152 * f32::from(g) + 0.0722 * f32::from(b)
}

// The curve's colour is the app's palette's, so this one needs the app built in.
#[cfg(feature = "gui")]
#[test]
fn frames_are_anti_aliased_with_blended_pixels_on_the_curve_edge() {
    let (width, height) = (640, 400);
    for (theme, dark) in [(GifTheme::Dark, true), (GifTheme::Light, false)] {
        let rgba = slide_frame(&sgd(0.1), theme, true, 6);
        assert!(colours(&rgba) > 64, "{theme:?}: only {} colours", colours(&rgba));
        // The curve is drawn in the app's curve colour; its edges fade into what lies beside them.
        let c = Palette::new(dark).curve;
        let curve = [c.r(), c.g(), c.b()];
        let (mut core, mut blended) = (0, 0);
        for y in 1..height - 1 {
            for x in 0..width {
                if rgb_at(&rgba, width, x, y) != curve {
                    continue;
                }
                core += 1;
                for ny in [y - 1, y + 1] {
                    let p = rgb_at(&rgba, width, x, ny);
                    let toward_curve = |k: usize| (i32::from(p[k]) - i32::from(curve[k])).abs();
                    if p != curve && (0..3).all(|k| toward_curve(k) < 120) && luma(p) != luma(curve) {
                        blended += 1;
                    }
                }
            }
        }
        assert!(core > 200, "{theme:?}: the curve's core is {core} pixels");
        assert!(blended > 100, "{theme:?}: {blended} partially blended pixels beside the curve");
    }
}

#[test]
fn text_is_rendered_in_the_caption_and_changes_with_the_step() {
    let width = 640;
    // The title and caption rows: the top 45 pixels of a 400-pixel frame.
    let band = |rgba: &[u8]| rgba[..width * 45 * 4].to_vec();
    for (theme, dark) in [(GifTheme::Dark, true), (GifTheme::Light, false)] {
        let first = band(&slide_frame(&sgd(0.1), theme, true, 0));
        let later = band(&slide_frame(&sgd(0.1), theme, true, 6));
        let bare = band(&slide_frame(&sgd(0.1), theme, false, 6));
        let inked = |rgba: &[u8]| {
            rgba.chunks_exact(4)
                .filter(|p| if dark { luma([p[0], p[1], p[2]]) > 190.0 } else { luma([p[0], p[1], p[2]]) < 70.0 })
                .count()
        };
        assert!(inked(&later) > 200, "{theme:?}: {} text-coloured pixels", inked(&later));
        assert!(colours(&later) > 16, "{theme:?}: the text is anti-aliased");
        assert_ne!(later, bare, "{theme:?}: text only with labels");
        assert_ne!(first, later, "{theme:?}: the caption shows the step");
    }
}

#[test]
fn dark_and_light_themes_differ_in_background() {
    let dark = slide_frame(&sgd(0.1), GifTheme::Dark, true, 3);
    let light = slide_frame(&sgd(0.1), GifTheme::Light, true, 3);
    let corner = |rgba: &[u8]| rgb_at(rgba, 640, 0, 399);
    assert!(luma(corner(&dark)) < 60.0, "{:?}", corner(&dark));
    assert!(luma(corner(&light)) > 200.0, "{:?}", corner(&light));
    assert_eq!(GifOptions::default().theme, GifTheme::Dark);
}

/// A run that diverges early has fewer states than frames: each is shown once, the divergence included.
#[test]
fn a_diverging_run_shows_each_of_its_states_once() {
    let data = Dataset::notebook();
    for settings in [sgd(0.5), Settings { bias: true, ..sgd(0.3) }] {
        let rows = run(&data, &settings, 100);
        assert!(rows.len() < 30, "the run diverges early");
        let mut bytes = Vec::new();
        let info = render_descent_gif(&small(30), &data, &settings, &rows, &mut bytes).expect("render");
        let gif = decode(&bytes);
        assert_eq!((info.frames, gif.frames.len()), (rows.len(), rows.len()));
        assert_ne!(gif.frames[0], gif.frames[rows.len() - 1], "the animation shows the divergence");
        for pair in gif.frames.windows(2) {
            assert_ne!(pair[0], pair[1], "consecutive frames differ");
        }
    }
}
