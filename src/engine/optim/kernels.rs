//! torch's pointwise CPU kernels as the optimizers call them, rounded as torch rounds them.
//!
//! Measured with torch 2.15 on float32 tensors (tests/fixtures/f32/make_fixtures.py pins the kernels it was checked
//! with): a Python float argument (`alpha`, `value`, `weight`, a scalar operand) is first rounded to float32, and
//! the kernels built for AVX2 and AVX-512 contract a multiply followed by an add into one fused multiply-add.
//! So in `f32` ([`Real::TORCH_KERNELS`]) `add` and `addcmul` round once where their formulas round twice, and `lerp`
//! is computed as torch's `lerp` is. In `f64` each helper is the plain formula, rounding every operation, as
//! descent's f64 path always has. `addcdiv`, `mul_`, `sqrt` and division by a scalar round as their formulas do
//! (`(value·t1)/t2`, then the sum), so the optimizers write them as plain arithmetic.

use crate::engine::real::Real;

/// torch's `x.add_(y, alpha=a)` (and `x.add(y, alpha=a)`): `x + a·y`, fused in f32.
#[inline(always)]
pub(super) fn add<F: Real>(x: F, alpha: F, y: F) -> F {
    if F::TORCH_KERNELS { alpha.mul_add(y, x) } else { x + alpha * y }
}

/// torch's `x.addcmul_(t1, t2, value=v)`: `x + (v·t1)·t2`, the last multiply and the add fused in f32.
#[inline(always)]
pub(super) fn addcmul<F: Real>(x: F, value: F, t1: F, t2: F) -> F {
    let scaled = value * t1;
    if F::TORCH_KERNELS { scaled.mul_add(t2, x) } else { x + scaled * t2 }
}

/// torch's `x.lerp_(end, weight)` in f32: `x + weight·(end − x)` for |weight| < ½, else
/// `end − (end − x)·(1 − weight)`, each with the difference rounded and the rest fused.
#[inline(always)]
pub(super) fn lerp<F: Real>(x: F, end: F, weight: F) -> F {
    let diff = end - x;
    if weight.abs() < F::from_f64(0.5) { weight.mul_add(diff, x) } else { (-diff).mul_add(F::ONE - weight, end) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f32_fuses_and_f64_rounds_each_operation() {
        // 1 + 0.1f32·13: rounding the product first gives 2.3000002, rounding once gives 2.3.
        let (x, a, y) = (1.0_f32, 0.1_f32, 13.0_f32);
        assert_eq!(add(x, a, y), 2.3);
        assert_eq!(x + a * y, 2.300_000_2);
        assert_eq!(addcmul(x, 1.0, a, y), 2.3);
        let (x, a, y) = (1.0e-17_f64, 0.1_f64, 3.0_f64);
        assert_eq!(add(x, a, y), x + a * y);
        assert_eq!(addcmul(x, a, y, y), x + a * y * y);
    }

    #[test]
    fn lerp_takes_torchs_two_branches() {
        // Exact cases: the end points and the midpoint.
        assert_eq!(lerp(2.0_f32, 6.0, 0.0), 2.0);
        assert_eq!(lerp(2.0_f32, 6.0, 1.0), 6.0);
        assert_eq!(lerp(2.0_f32, 6.0, 0.25), 3.0);
        assert_eq!(lerp(2.0_f32, 6.0, 0.75), 5.0);
    }
}
