//! The floating-point types the engine runs in: `f64` (default) and `f32` (as the notebook's torch tensors).
//!
//! An `f32` run follows torch's float32 CPU kernels operation by operation, not only the formulas they implement:
//! those kernels (compiled for AVX2 and AVX-512) contract `a·b + c` into a fused multiply-add, one rounding where the
//! formula has two. [`Real::TORCH_KERNELS`] says whether a precision does so; the optimizers' doc comments list
//! each fused operation. [`Precision`] names the type a run computes in.

use std::fmt::{Debug, Display};

use serde::{Deserialize, Serialize};

/// The floating-point type of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats, as the notebook's torch tensors.
    F32,
    /// 64-bit floats, as the notebook's NumPy arrays.
    #[default]
    F64,
}

impl Precision {
    /// "f32" or "f64".
    pub fn label(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }
}

/// A float the engine computes in. Every operation of a run (data, parameters, learning rate, arithmetic)
/// happens in this type, so an `f32` run rounds exactly where a float32 torch run does.
pub trait Real:
    Copy
    + Debug
    + Display
    + Default
    + PartialOrd
    + Send
    + Sync
    + 'static
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::MulAssign
{
    /// Additive identity.
    const ZERO: Self;
    /// Multiplicative identity.
    const ONE: Self;
    /// Machine epsilon.
    const EPSILON: Self;
    /// Name shown to users ("f32", "f64").
    const NAME: &'static str;
    /// Whether the optimizers round as torch's CPU kernels do (fused multiply-adds, `lerp`): true for `f32`, whose
    /// runs are checked bit for bit against torch's float32 runs; `f64` keeps the documented formulas, rounding each
    /// operation.
    const TORCH_KERNELS: bool;
    /// Rounds an `f64` to this type (exact for `f64`).
    fn from_f64(v: f64) -> Self;
    /// Widens to `f64` (exact).
    fn to_f64(self) -> f64;
    /// Square root.
    fn sqrt(self) -> Self;
    /// `self·a + b` with one rounding (a fused multiply-add, correctly rounded).
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// Cube root.
    fn cbrt(self) -> Self;
    /// The magnitude of `self` with the sign of `sign`.
    fn copysign(self, sign: Self) -> Self;
    /// Power with an integer exponent.
    fn powi(self, n: i32) -> Self;
    /// Neither NaN nor infinite.
    fn is_finite(self) -> bool;
    /// Larger of two values (NaN-ignoring, as `f64::max`).
    fn max(self, other: Self) -> Self;
    /// Smaller of two values.
    fn min(self, other: Self) -> Self;
    /// The functions of an objective's expressions ([`crate::engine::objective`]): sin, cos, tan, exp, natural log,
    /// tanh, sinh, cosh, asin, acos, atan, log1p and expm1, each as the precision's own.
    fn elementary(self, f: Elementary) -> Self;
    /// `self` raised to a real power.
    fn powf(self, n: Self) -> Self;
    /// Sign with `sign(0) = 0`, as torch's `sgn`; `f64::signum(0.0)` is 1.0, which is wrong for a subgradient.
    fn sign0(self) -> Self {
        if self > Self::ZERO {
            Self::ONE
        } else if self < Self::ZERO {
            -Self::ONE
        } else {
            Self::ZERO
        }
    }
    /// Converts a count exactly (for counts below 2^24 in f32).
    fn from_usize(n: usize) -> Self {
        Self::from_f64(n as f64)
    }
}

/// `x ^ c` as the autodiff tape computes it: `x·x` for c = 2 (torch's square), `powf` otherwise.
pub fn pow_const<F: Real>(x: F, c: F) -> F {
    if c == F::from_f64(2.0) { x * x } else { x.powf(c) }
}

/// The transcendental functions [`Real::elementary`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elementary {
    /// sin.
    Sin,
    /// cos.
    Cos,
    /// tan.
    Tan,
    /// exp.
    Exp,
    /// The natural logarithm.
    Ln,
    /// tanh.
    Tanh,
    /// sinh.
    Sinh,
    /// cosh.
    Cosh,
    /// asin.
    Asin,
    /// acos.
    Acos,
    /// atan.
    Atan,
    /// ln(1 + x), accurate near 0.
    Ln1p,
    /// exp(x) − 1, accurate near 0.
    Expm1,
}

macro_rules! impl_real {
    ($t:ty, $name:literal, $torch_kernels:literal) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const EPSILON: Self = <$t>::EPSILON;
            const NAME: &'static str = $name;
            const TORCH_KERNELS: bool = $torch_kernels;
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn cbrt(self) -> Self {
                <$t>::cbrt(self)
            }
            #[inline(always)]
            fn copysign(self, sign: Self) -> Self {
                <$t>::copysign(self, sign)
            }
            #[inline(always)]
            fn powi(self, n: i32) -> Self {
                <$t>::powi(self, n)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                <$t>::max(self, other)
            }
            #[inline(always)]
            fn min(self, other: Self) -> Self {
                <$t>::min(self, other)
            }
            fn elementary(self, f: Elementary) -> Self {
                match f {
                    Elementary::Sin => <$t>::sin(self),
                    Elementary::Cos => <$t>::cos(self),
                    Elementary::Tan => <$t>::tan(self),
                    Elementary::Exp => <$t>::exp(self),
                    Elementary::Ln => <$t>::ln(self),
                    Elementary::Tanh => <$t>::tanh(self),
                    Elementary::Sinh => <$t>::sinh(self),
                    Elementary::Cosh => <$t>::cosh(self),
                    Elementary::Asin => <$t>::asin(self),
                    Elementary::Acos => <$t>::acos(self),
                    Elementary::Atan => <$t>::atan(self),
                    Elementary::Ln1p => <$t>::ln_1p(self),
                    Elementary::Expm1 => <$t>::exp_m1(self),
                }
            }
            fn powf(self, n: Self) -> Self {
                <$t>::powf(self, n)
            }
        }
    };
}

impl_real!(f32, "f32", true);
impl_real!(f64, "f64", false);

/// A decimal literal as an f64, refusing what would silently become another number: a literal beyond f64's range
/// (it would read as ±∞) and a non-zero literal that rounds to 0 (`1e-400`). Words such as `inf` and `nan` are
/// left to the caller's own check of finiteness.
///
/// # Errors
/// What is wrong, as a phrase: "is beyond the f64 range", "rounds to 0 in f64 …", "is not a number".
pub fn parse_decimal(text: &str) -> Result<f64, &'static str> {
    let v: f64 = text.trim().parse().map_err(|_| "is not a number")?;
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    if v.is_infinite() && mantissa.chars().any(|c| c.is_ascii_digit()) {
        return Err("is beyond the f64 range");
    }
    if v == 0.0 && mantissa.chars().any(|c| matches!(c, '1'..='9')) {
        return Err("rounds to 0 in f64 (the smallest is about 5e-324)");
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_literals_never_turn_into_another_number() {
        assert_eq!(parse_decimal("0.066666667"), Ok(0.066666667));
        assert_eq!(parse_decimal("-0"), Ok(0.0));
        assert_eq!(parse_decimal("0e-999"), Ok(0.0));
        assert_eq!(parse_decimal("5e-324"), Ok(5e-324));
        assert!(parse_decimal("1e-400").is_err_and(|e| e.contains("rounds to 0")));
        assert!(parse_decimal("-2.5e-999").is_err());
        assert!(parse_decimal("1e400").is_err_and(|e| e.contains("beyond")));
        assert!(parse_decimal("inf").is_ok_and(f64::is_infinite), "words are the caller's to check");
        assert!(parse_decimal("abc").is_err());
    }
}
