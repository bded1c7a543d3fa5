//! Loading (and writing) a 10^6-row CSV file: `cargo bench --bench load_csv`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use descent::engine::Dataset;

/// Rows in the benchmark file, as in the `large` preset.
const ROWS: usize = 1_000_000;

fn load_csv(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("large.csv");
    let data = Dataset::line(ROWS, 3.0).expect("the line");
    data.to_csv_path(&path).expect("write the benchmark file");
    let bytes = std::fs::metadata(&path).expect("file size").len();

    let mut group = c.benchmark_group("csv_1e6_rows");
    group.sample_size(10).measurement_time(Duration::from_secs(10)).throughput(Throughput::Bytes(bytes));
    group.bench_function("load", |b| {
        b.iter(|| {
            let loaded = Dataset::from_csv_path(black_box(&path)).expect("load");
            assert_eq!(loaded.len(), ROWS);
            loaded
        });
    });
    group.bench_function("write", |b| b.iter(|| data.write_csv(std::io::sink()).expect("write")));
    group.finish();
}

criterion_group!(benches, load_csv);
criterion_main!(benches);
