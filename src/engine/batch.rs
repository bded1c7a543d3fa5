//! Seeded mini-batches: a fresh shuffle every epoch, identical on every machine.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// Hands out the sample indices of successive mini-batches, reshuffling at the start of every epoch
/// (torch's `DataLoader(shuffle=True, drop_last=False)`: the last batch of an epoch may be smaller).
#[derive(Clone, Debug)]
pub struct Batcher {
    rng: ChaCha8Rng,
    order: Vec<usize>,
    batch_size: usize,
    next: usize,
}

impl Batcher {
    /// Batches of `batch_size` (at least 1, at most `n`) over `n` samples, shuffled from `seed`.
    pub fn new(n: usize, batch_size: usize, seed: u64) -> Self {
        Batcher {
            rng: ChaCha8Rng::seed_from_u64(seed),
            order: (0..n).collect(),
            batch_size: batch_size.clamp(1, n.max(1)),
            next: n, // forces a shuffle before the first batch
        }
    }

    /// The next batch's indices.
    pub fn next_batch(&mut self) -> &[usize] {
        if self.next >= self.order.len() {
            shuffle(&mut self.order, &mut self.rng);
            self.next = 0;
        }
        let start = self.next;
        self.next = (start + self.batch_size).min(self.order.len());
        &self.order[start..self.next]
    }
}

/// Fisher–Yates with our own bounded draw, so the permutation depends only on ChaCha8's output stream
/// (rand's `shuffle` does not promise the same order across versions).
fn shuffle(v: &mut [usize], rng: &mut ChaCha8Rng) {
    for i in (1..v.len()).rev() {
        let j = uniform_below(rng, i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

/// A uniform integer in `0..bound` by rejection (no modulo bias): depends only on ChaCha8's output stream, so the
/// same seed draws the same numbers on every machine (the batches and the generated exercises use it).
pub(crate) fn uniform_below(rng: &mut ChaCha8Rng, bound: u64) -> u64 {
    let zone = u64::MAX - u64::MAX % bound;
    loop {
        let v = rng.next_u64();
        if v < zone {
            return v % bound;
        }
    }
}

/// The loss of each of the first `count` mini-batches (the run's seeded [`Batcher`]) at
/// `points + 1` values of w across `[lo, hi]` (b fixed at `b_at`); empty without mini-batches or for batches too
/// large to be worth redrawing every frame (their curves lie on the full one anyway).
pub fn batch_losses(
    data: &crate::engine::Dataset,
    s: &crate::engine::settings::Settings,
    b_at: f64,
    [lo, hi]: [f64; 2],
    count: usize,
    points: usize,
) -> Vec<Vec<[f64; 2]>> {
    use crate::engine::loss::{Loss, sums_indexed};
    let n = data.len();
    let Some(b) = s.batch_size.filter(|&b| b < n && b > 0 && b <= 4096) else {
        return Vec::new();
    };
    let (Some(x), Some(y)) = (data.x.as_slice(), data.y.as_slice()) else {
        return Vec::new();
    };
    let loss = Loss::<f64>::new(s.loss, s.huber_delta);
    let mut batcher = Batcher::new(n, b, s.seed);
    (0..count.min(n.div_ceil(b)))
        .map(|_| {
            let idx: Vec<usize> = batcher.next_batch().to_vec();
            (0..=points)
                .map(|j| {
                    let w = lo + (hi - lo) * j as f64 / points.max(1) as f64;
                    let p = crate::engine::model::Params { w, b: b_at };
                    [w, sums_indexed(x, y, &idx, p, s.bias, loss).mean().0]
                })
                .filter(|p| p[1].is_finite())
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_epoch_is_a_permutation() {
        let mut b = Batcher::new(10, 3, 7);
        let mut seen: Vec<usize> = Vec::new();
        for _ in 0..4 {
            seen.extend_from_slice(b.next_batch());
        }
        seen.sort_unstable();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn same_seed_same_batches() {
        let (mut a, mut b) = (Batcher::new(50, 7, 42), Batcher::new(50, 7, 42));
        for _ in 0..30 {
            assert_eq!(a.next_batch().to_vec(), b.next_batch().to_vec());
        }
        let mut c = Batcher::new(50, 7, 43);
        let first: Vec<_> = Batcher::new(50, 7, 42).next_batch().to_vec();
        assert_ne!(first, c.next_batch().to_vec());
    }

    #[test]
    fn the_batch_curves_of_an_epoch_average_to_the_full_loss() {
        let data = crate::engine::Dataset::notebook();
        let s = crate::engine::settings::Settings { batch_size: Some(2), ..Default::default() };
        let curves = batch_losses(&data, &s, 0.0, [0.0, 6.0], 10, 6);
        assert_eq!(curves.len(), 2, "two batches of two make an epoch");
        for (a, b) in curves[0].iter().zip(&curves[1]) {
            let w = a[0];
            let full = 7.5 * (w - 3.0) * (w - 3.0);
            let mean = (a[1] + b[1]) / 2.0;
            assert!((mean - full).abs() < 1e-9, "w = {w}: {mean} vs {full}");
        }
        let none = batch_losses(&data, &Default::default(), 0.0, [0.0, 6.0], 4, 6);
        assert!(none.is_empty(), "full batch: none");
    }
}
