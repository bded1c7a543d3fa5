//! Numbers as a person types them, for every number field of the app and the CLI's `--answer`: full precision,
//! fractions, exponents and constants (`0.066666667`, `1/15`, `2e-3`, `pi/4`), evaluated by the objective parser's
//! constant expressions ([`crate::engine::objective::expr::constant`]) and checked against the field's [`Bounds`].
//!
//! A value is kept exactly as typed (`1/15` is the f64 quotient, not a rounded display of it) and shown with as many
//! digits as it needs ([`show`]: the shortest text that reads back as the same f64). A refused entry gets a
//! [`Refusal`]: one line saying what the field wants and why the text is not that.

use std::ops::RangeInclusive;

use crate::engine::objective::expr;
use crate::format;

/// The most characters of the typed text a refusal quotes.
const ECHO_CHARS: usize = 40;

/// The values a field accepts: a closed range, or open at its lower end (`positive`: a learning rate, ε).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    /// The smallest value accepted (excluded when `min_open`).
    pub min: f64,
    /// The largest value accepted.
    pub max: f64,
    /// True when `min` itself is refused.
    pub min_open: bool,
}

impl Bounds {
    /// Any finite number.
    pub const ANY: Bounds = Bounds { min: f64::MIN, max: f64::MAX, min_open: false };

    /// `range`, both ends accepted.
    pub fn closed(range: RangeInclusive<f64>) -> Bounds {
        Bounds { min: *range.start(), max: *range.end(), min_open: false }
    }

    /// Above 0 and at most `max`.
    pub fn positive(max: f64) -> Bounds {
        Bounds { min: 0.0, max, min_open: true }
    }

    /// True when `v` is accepted.
    pub fn contains(&self, v: f64) -> bool {
        let above = if self.min_open { v > self.min } else { v >= self.min };
        v.is_finite() && above && v <= self.max
    }

    /// What the field wants, by its lower end: "a positive number", "a number ≥ 0", "a number".
    pub fn kind(&self) -> String {
        let (open, m) = (self.min_open, self.min);
        if m == 0.0 {
            if open { "a positive number".into() } else { "a number ≥ 0".into() }
        } else if m == f64::MIN && !open {
            "a number".into()
        } else {
            format!("a number {} {}", if open { ">" } else { "≥" }, show(m))
        }
    }
}

/// Why a typed text was refused: `head` says what the field wants (“x” is not a positive number), `detail` why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{head} ({detail})")]
pub struct Refusal {
    /// The text and what the field wants of it.
    pub head: String,
    /// Why the text is not that: the column where it stops being a number, or the bound it misses.
    pub detail: String,
}

impl Refusal {
    /// The line a field shows beside itself: the refusal and the value it kept, `“x” is not a positive number;
    /// kept 0.1 (column 1: …)`.
    pub fn kept(&self, kept: f64) -> String {
        format!("{}; kept {} ({})", self.head, show(kept), self.detail)
    }
}

/// The value of `text` if it is a number within `bounds`.
///
/// # Errors
/// A [`Refusal`] naming the text, what the field wants, and the column or bound at fault.
pub fn parse_in(text: &str, bounds: Bounds) -> Result<f64, Refusal> {
    let quoted = format!("“{}”", format::echo(text.trim(), ECHO_CHARS));
    let head = format!("{quoted} is not {}", bounds.kind());
    let v = expr::constant(text).map_err(|e| Refusal { head: head.clone(), detail: e.to_string() })?;
    if !bounds.contains(v) {
        let detail = if v > bounds.max {
            format!("{} is above the largest value, {}", show(v), show(bounds.max))
        } else {
            format!("{} is below the smallest value", show(v))
        };
        let head = if v > bounds.max { format!("{quoted} is too large") } else { head };
        return Err(Refusal { head, detail });
    }
    Ok(v)
}

/// The value of `text` if it is a finite number.
///
/// # Errors
/// As [`parse_in`] with [`Bounds::ANY`].
pub fn parse(text: &str) -> Result<f64, Refusal> {
    parse_in(text, Bounds::ANY)
}

/// `v` with as many digits as it needs: the shortest text that reads back as the same f64 (`0.1`,
/// `0.06666666666666667`, `1e-05`), as [`format::repr`] writes it.
pub fn show(v: f64) -> String {
    format::repr(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_exponents_and_constants_are_the_f64_a_calculator_would_give() {
        assert_eq!(parse("1/15").unwrap(), 1.0 / 15.0);
        assert_eq!(parse("0.066666667").unwrap(), 0.066666667);
        assert_eq!(parse("2e-3").unwrap(), 0.002);
        assert_eq!(parse("2E-3").unwrap(), 0.002);
        assert_eq!(parse("pi/4").unwrap(), std::f64::consts::FRAC_PI_4);
        assert_eq!(parse("−0.5").unwrap(), -0.5);
        assert_eq!(parse(" 1 − 0.9 ").unwrap(), 1.0 - 0.9);
        assert_eq!(parse("sqrt(2)/2").unwrap(), std::f64::consts::SQRT_2 / 2.0);
        assert_eq!(parse("0.1").unwrap(), 0.1);
        assert_eq!(parse("3·0.25").unwrap(), 0.75);
        assert_eq!(parse("2^-3").unwrap(), 0.125);
    }

    #[test]
    fn full_precision_survives_and_is_shown_again_digit_for_digit() {
        for text in ["0.06666666666666667", "0.1", "1e-05", "0.2721", "2.5e-07", "45", "-3.5"] {
            let v = parse(text).unwrap();
            assert_eq!(show(v), text, "the shortest round-trip text of {text}");
            assert_eq!(parse(&show(v)).unwrap().to_bits(), v.to_bits());
        }
        assert_eq!(show(parse("1/15").unwrap()), "0.06666666666666667");
    }

    #[test]
    fn garbage_is_refused_with_the_column_and_the_reason() {
        let r = parse_in("fast please", Bounds::positive(100.0)).unwrap_err();
        assert_eq!(r.head, "“fast please” is not a positive number");
        assert!(r.detail.starts_with("column 1: unknown name “fast”: use pi, e, sin"), "{}", r.detail);
        assert_eq!(
            r.kept(0.1),
            "“fast please” is not a positive number; kept 0.1 (column 1: unknown name “fast”: use pi, e, sin, cos, \
             tan, exp, log, sqrt, abs, tanh, sinh, cosh, asin, acos, atan, sigmoid, softplus, log1p, expm1 or relu)"
        );
        assert_eq!(
            parse("1/").unwrap_err().detail,
            "column 3: expected a number, pi, e, a function or “(”, found the end"
        );
        assert_eq!(parse("0,5").unwrap_err().detail, "column 2: unexpected “,”");
        assert_eq!(parse("2*w").unwrap_err().detail, "column 3: a number cannot use the parameter w");
        assert!(parse("").unwrap_err().detail.contains("empty"));
        assert_eq!(parse("1/0").unwrap_err().detail, "column 1: the value is infinite");
        assert_eq!(parse("sqrt(-1)").unwrap_err().detail, "column 1: the value is not a number (NaN)");
        assert_eq!(parse("1e999").unwrap_err().detail, "column 1: “1e999” is beyond the f64 range");
    }

    #[test]
    fn bounds_are_checked_and_named() {
        let lr = Bounds::positive(100.0);
        assert_eq!(parse_in("100", lr).unwrap(), 100.0);
        let zero = parse_in("0", lr).unwrap_err();
        assert_eq!(
            (zero.head.as_str(), zero.detail.as_str()),
            ("“0” is not a positive number", "0 is below the smallest value")
        );
        let big = parse_in("1e3", lr).unwrap_err();
        assert_eq!(big.to_string(), "“1e3” is too large (1000 is above the largest value, 100)");
        let mu = Bounds::closed(0.0..=0.999);
        assert_eq!(parse_in("0", mu).unwrap(), 0.0);
        assert_eq!(parse_in("-0.1", mu).unwrap_err().head, "“-0.1” is not a number ≥ 0");
        assert_eq!(Bounds::closed(1.0..=10.0).kind(), "a number ≥ 1");
        assert_eq!(Bounds::ANY.kind(), "a number");
        assert!(Bounds::ANY.contains(-1e300) && !Bounds::ANY.contains(f64::NAN));
    }
}
