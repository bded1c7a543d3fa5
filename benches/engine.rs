//! Engine throughput: steps per second of `descent trace --format last` (a run that keeps no trajectory).
//!
//! cargo bench --bench engine
//!
//! Cases mirror ../shared/bench/peers.py, the notebook's NumPy loop: N = 4 (the notebook's data) and
//! N = 10⁶ (x = linspace(0, 1, N), y = 3x, lr = 0.01/N as the peer uses) for MSE, Huber and MAE.
//!
//! The `pass_*` groups time one bare pass over those 10⁶ samples (passes per second): on one thread, and as the
//! engine runs it (rayon's pool; engine/loss/parallel.rs has the figures that chose rayon over a kept pool). MSE's
//! per-sample pass on one thread is the fused-pass limit that the Huber and MAE runs are measured against;
//! `pass_huber_N=131072` is the same at the threshold where passes start to be split.
//! benches/side_by_side.sh runs the N = 10⁶ cases with the NumPy loop in the same run and prints the ratios.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use descent::engine::loss::Loss;
use descent::engine::parallel::{PARALLEL_MIN, sums_chunked, sums_parallel};
use descent::engine::trainer::DynTrainer;
use descent::engine::{Dataset, GradientSource, LossKind, OptimizerConfig, OptimizerKind, Params, Settings};

fn settings(loss: LossKind, lr: f64) -> Settings {
    Settings { loss, optimizer: OptimizerConfig::new(OptimizerKind::Sgd, lr), ..Settings::default() }
}

fn bench_case(c: &mut Criterion, group: &str, data: &Dataset, s: &Settings, steps: u64) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(steps));
    if steps < 1000 {
        g.sample_size(20);
    }
    g.bench_function(BenchmarkId::from_parameter(format!("N={}", data.len())), |b| {
        // The trainer is built outside the timed part: the figure is steps per second of the run itself (loading
        // the data into the run's precision is a one-time cost, benchmarked in load_csv).
        b.iter_batched(
            || DynTrainer::new(data, s).expect("valid settings"),
            |mut t| {
                black_box(t.run(steps, |_| {}));
                black_box(t.record())
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn engine(c: &mut Criterion) {
    let notebook = Dataset::notebook();
    bench_case(c, "mse_sgd", &notebook, &settings(LossKind::Mse, 0.01), 1_000_000);
    let nb = Settings { gradient: GradientSource::NotebookSum, ..settings(LossKind::Mse, 0.001) };
    bench_case(c, "mse_sgd_notebook_sum", &notebook, &nb, 1_000_000);
    let adam = Settings { optimizer: OptimizerConfig::new(OptimizerKind::Adam, 0.01), ..Settings::default() };
    bench_case(c, "mse_adam", &notebook, &adam, 1_000_000);

    let large = Dataset::preset("large").expect("preset");
    let lr = 0.01 / large.len() as f64;
    bench_case(c, "mse_sgd", &large, &settings(LossKind::Mse, lr), 100_000);
    bench_case(c, "huber_sgd", &large, &settings(LossKind::Huber, 0.01), 100);
    bench_case(c, "mae_sgd", &large, &settings(LossKind::Mae, 0.01), 100);

    let (x, y) = (large.x.to_vec(), large.y.to_vec());
    for (name, loss) in [("pass_mse", Loss::Mse), ("pass_huber", Loss::Huber(1.0)), ("pass_mae", Loss::Mae)] {
        bench_pass(c, name, &x, &y, loss);
    }
    // At the threshold: whether the second thread already pays for itself.
    let n = PARALLEL_MIN;
    bench_pass(c, &format!("pass_huber_N={n}"), &x[..n], &y[..n], Loss::Huber(1.0));
}

/// One bare pass (passes per second): on one thread, and as the engine runs it (rayon's global pool, one thread
/// per core).
fn bench_pass(c: &mut Criterion, group: &str, x: &[f64], y: &[f64], loss: Loss<f64>) {
    let p = Params { w: 1.5, b: 0.0 };
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(1));
    g.bench_function("threads=1", |b| {
        b.iter(|| black_box(sums_chunked(black_box(x), y, black_box(p), false, loss, 1)))
    });
    g.bench_function("rayon", |b| b.iter(|| black_box(sums_parallel(black_box(x), y, black_box(p), false, loss))));
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
