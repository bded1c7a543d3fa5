//! The cost of one app frame (layout, controls and the three plots, headless) with 10³ and with 10⁷ steps of
//! history: `cargo bench --bench frame`. History thinning and per-pixel-column decimation keep the two close.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use descent::app::state::SPEED_UNLIMITED;
use descent::app::{App, AppOptions};
use descent::cli::EngineArgs;
use descent::worker::Command;
use egui_kittest::Harness;

/// An app whose run has taken `steps` steps of mini-batch SGD on noisy data (it never converges, and its loss
/// zig-zags, so the history has extremes everywhere).
fn app_after(steps: u64) -> Harness<'static, App> {
    let engine =
        EngineArgs { data: Some("noisy".into()), batch_size: Some(1), lr: Some(1e-3), ..EngineArgs::default() };
    let options = AppOptions { engine, steps_per_sec: Some(SPEED_UNLIMITED), ..AppOptions::default() };
    let mut h = Harness::builder().with_size([1400.0, 900.0]).build_eframe(move |cc| App::new(cc, options));
    h.state().worker().send(Command::SetTolerance(None));
    h.state().worker().send(Command::Step(steps));
    let (snap, done) =
        h.state().worker().wait_for(Duration::from_secs(900), |s| s.runs[0].record.step >= steps && !s.is_busy());
    assert!(done, "the run reached step {}", snap.runs[0].record.step);
    for _ in 0..3 {
        h.step();
    }
    let history = &h.state().snapshot().runs[0].history;
    eprintln!("{steps} steps: {} history rows kept", history.len());
    h
}

fn frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame");
    group.sample_size(40).measurement_time(Duration::from_secs(6));
    let mut harnesses = Vec::new();
    for (name, steps) in [("1e3_steps", 1_000), ("1e7_steps", 10_000_000)] {
        let mut h = app_after(steps);
        group.bench_function(name, |b| b.iter(|| h.step()));
        harnesses.push((name, h));
    }
    group.finish();

    // What a new snapshot adds to a frame: one loss series decimated to one min/max pair per column.
    let mut group = c.benchmark_group("decimate_1400_columns");
    for (name, h) in &harnesses {
        let history = h.state().snapshot().runs[0].history.clone();
        let last = history.last().map_or(1.0, |r| r.step as f64);
        let mut out = Vec::new();
        group.bench_function(*name, |b| {
            b.iter(|| {
                history.decimate(0.0..=last, 1_400, |r| r.loss, &mut out);
                black_box(out.len())
            })
        });
    }
    group.finish();
}

/// The 3-D surface view: a 60 × 60 quad mesh, sorted back to front and painted every frame, with six runs' paths
/// (the race preset, with a bias); and the painter's sort alone.
fn surface_3d(c: &mut Criterion) {
    use descent::geometry::Window;
    use descent::geometry::projection::{Camera, painter_order};
    use egui_kittest::kittest::Queryable;
    let engine = EngineArgs { bias: true, ..EngineArgs::default() };
    let options = AppOptions {
        engine,
        preset: Some("race".into()),
        steps_per_sec: Some(SPEED_UNLIMITED),
        ..AppOptions::default()
    };
    let mut h = Harness::builder().with_size([1400.0, 900.0]).build_eframe(move |cc| App::new(cc, options));
    h.state().worker().send(Command::Step(300));
    let (_, done) = h.state().worker().wait_for(Duration::from_secs(60), |s| !s.is_busy());
    assert!(done, "the race ran");
    h.step();
    h.get_by_label("3-D surface").click();
    for _ in 0..3 {
        h.step();
    }
    let mut group = c.benchmark_group("surface_3d");
    group.sample_size(40).measurement_time(Duration::from_secs(6));
    group.bench_function("frame_six_runs", |b| b.iter(|| h.step()));
    let window = Window { w: [-1.0, 5.0], b: [-3.0, 3.0] };
    let heights: Vec<f64> = (0..61 * 61).map(|k| ((k % 61) as f64 / 60.0).powi(2)).collect();
    group.bench_function("painter_order_60x60", |b| {
        b.iter(|| black_box(painter_order(&Camera::default(), window, &heights, [61, 61]).len()))
    });
    group.finish();
}

criterion_group!(benches, frame, surface_3d);
criterion_main!(benches);
