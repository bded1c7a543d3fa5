//! The basins map: Himmelblau's 200×200 starts over [−5, 5]² (cell centres), plain gradient descent with lr 0.01,
//! at most 2000 steps, a start done at ‖∇f‖ ≤ 10⁻⁶: the rules of ../shared/bench/basins_peer.py, the NumPy peer.
//!
//! cargo bench --bench basins
//!
//! `all_cores` is the map as the app's Basins tab and `descent basins` compute it ([`map_rows`]: the rows over
//! rayon's pool, each row stepped in lanes by engine/lanes.rs); `one_thread` is the same on a pool of one thread;
//! `trainer_per_start` is the path the lanes replaced (one trainer, with its autodiff tape, per start), for scale.
//! benches/basins_side_by_side.sh runs this with the peer in the same run and prints the ratio.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use descent::engine::basins::{BasinPlan, End, Outcome, run_from};
use descent::engine::objective::{Builtin, Objective};
use descent::engine::{Dataset, Settings};
use descent::par_map::{Cancel, map_rows, par_map_in_order};

fn himmelblau() -> (Dataset, Settings, BasinPlan) {
    let mut s = Settings::default();
    s.set_objective(Some(Objective::builtin(Builtin::Himmelblau)), true);
    s.optimizer.lr = 0.01;
    let plan = BasinPlan { w: [-5.0, 5.0], b: [-5.0, 5.0], size: [200, 200], max_steps: 2000, tolerance: 1e-6 };
    (Dataset::notebook(), s, plan)
}

fn map(data: &Dataset, s: &Settings, plan: &BasinPlan) -> Vec<End> {
    let mut ends = Vec::with_capacity(plan.size[0] * plan.size[1]);
    map_rows(data, s, plan, &Cancel::default(), |(_, row)| ends.extend(row));
    ends
}

fn basins(c: &mut Criterion) {
    let (data, s, plan) = himmelblau();
    let mut g = c.benchmark_group("basins_himmelblau");
    g.sample_size(30);
    g.bench_function(BenchmarkId::from_parameter("200x200/all_cores"), |b| b.iter(|| black_box(map(&data, &s, &plan))));
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool of one thread");
    g.bench_function(BenchmarkId::from_parameter("200x200/one_thread"), |b| {
        b.iter(|| one.install(|| black_box(map(&data, &s, &plan))))
    });
    g.sample_size(10);
    g.bench_function(BenchmarkId::from_parameter("200x200/trainer_per_start"), |b| {
        b.iter(|| {
            let rows: Vec<usize> = (0..plan.size[1]).collect();
            let mut n = 0;
            let converged = |&j: &usize| {
                let ends = (0..plan.size[0]).map(|i| run_from(&data, &s, plan.start(i, j), &plan));
                ends.filter(|e| e.outcome == Outcome::Converged).count()
            };
            par_map_in_order(&rows, &Cancel::default(), converged, |k| n += k);
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, basins);
criterion_main!(benches);
