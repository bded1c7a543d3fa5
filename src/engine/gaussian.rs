//! Standard normal samples that are the same on every machine: ChaCha8 seeded by `seed_from_u64`, through
//! Marsaglia's polar form of the Box–Muller transform in IEEE-exact arithmetic and a logarithm written out
//! ([`portable_ln`]), never the platform's maths library or `rand`'s distributions (which do not promise the same
//! numbers across versions). The `noisy` preset's data and an objective's gradient noise are drawn here.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// Standard normal samples from ChaCha8 by Marsaglia's polar form of the Box–Muller transform.
///
/// Only +, −, ×, ÷ and √ are used (all correctly rounded in IEEE 754) plus [`portable_ln`], so the samples do
/// not depend on the platform's maths library.
#[derive(Clone, Debug)]
pub struct Gaussian {
    /// The uniform source.
    rng: ChaCha8Rng,
    /// The second sample of the last pair, not yet handed out.
    spare: Option<f64>,
}

impl Gaussian {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Gaussian { rng: ChaCha8Rng::seed_from_u64(seed), spare: None }
    }

    /// A uniform value in [-1, 1), a multiple of 2⁻⁵².
    fn uniform_pm1(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 52) as f64) - 1.0
    }

    /// One standard normal sample.
    pub fn sample(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let u = self.uniform_pm1();
            let v = self.uniform_pm1();
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let factor = (-2.0 * portable_ln(s) / s).sqrt();
                self.spare = Some(v * factor);
                return u * factor;
            }
        }
    }
}

/// Natural logarithm of a positive normal `x` from basic arithmetic only (within a few ulps of `f64::ln`,
/// and identical on every platform).
fn portable_ln(x: f64) -> f64 {
    const MANTISSA: u64 = (1 << 52) - 1;
    let bits = x.to_bits();
    let mut exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    // x = m · 2^exponent with m in [1, 2), then moved to [√½, √2) so that t below is small.
    let mut m = f64::from_bits((bits & MANTISSA) | (1023 << 52));
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        exponent += 1;
    }
    // ln m = 2 atanh t = 2 (t + t³/3 + t⁵/5 + …) with |t| ≤ 0.172, so t² ≤ 0.03 and 13 terms reach 1e-20.
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let mut series = 0.0;
    for k in (0..13).rev() {
        series = series * t2 + 1.0 / (2 * k + 1) as f64;
    }
    exponent as f64 * std::f64::consts::LN_2 + 2.0 * t * series
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_ln_matches_std() {
        let edge = std::f64::consts::FRAC_1_SQRT_2;
        let fixed =
            [1e-30, 1e-9, 0.001, 0.1, 0.5, edge, edge.next_down(), edge.next_up(), 0.999_999, 1.0f64.next_down()];
        let sweep = (1..10_000).map(|i| f64::from(i) / 10_000.0);
        for x in fixed.into_iter().chain(sweep) {
            let (ours, std) = (portable_ln(x), x.ln());
            assert!((ours - std).abs() <= 4.0 * f64::EPSILON * std.abs(), "{x}: {ours} vs {std}");
        }
    }
}
