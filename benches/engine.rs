//! Engine throughput: steps per second of `descent trace --format last` (a run that keeps no trajectory).
//!
//! cargo bench --bench engine
//!
//! Cases mirror ../shared/bench/peers.py, the notebook's NumPy loop: N = 4 (the notebook's data) and
//! N = 10⁶ (x = linspace(0, 1, N), y = 3x, lr = 0.01/N as the peer uses) for MSE, Huber and MAE.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use descent::engine::trainer::DynTrainer;
use descent::engine::{Dataset, GradientSource, LossKind, OptimizerConfig, OptimizerKind, Settings};

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
}

criterion_group!(benches, engine);
criterion_main!(benches);
