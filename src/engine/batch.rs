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

/// A uniform integer in `0..bound` by rejection (no modulo bias).
fn uniform_below(rng: &mut ChaCha8Rng, bound: u64) -> u64 {
    let zone = u64::MAX - u64::MAX % bound;
    loop {
        let v = rng.next_u64();
        if v < zone {
            return v % bound;
        }
    }
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
}
