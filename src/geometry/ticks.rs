//! Round numbers: tick steps, view half-widths and click positions that read well (1, 2, 5 × 10ᵏ and friends).

/// The power of ten at or below `v` (> 0): 10^⌊log₁₀ v⌋.
fn decade(v: f64) -> f64 {
    10f64.powf(v.log10().floor())
}

/// The smallest of `mantissas` (ascending, ending at 10) × 10ᵏ that is ≥ `v`; 1 for a `v` that is not a positive
/// number.
fn ceil_among(v: f64, mantissas: &[f64]) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let unit = decade(v);
    mantissas.iter().map(|m| m * unit).find(|&s| s >= v * (1.0 - 1e-12)).unwrap_or(10.0 * unit)
}

/// The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ᵏ that is ≥ `v`.
pub fn nice_ceil(v: f64) -> f64 {
    ceil_among(v, &[1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0])
}

/// The smallest of 1, 2, 5 × 10ᵏ that is ≥ `v`.
pub fn nice_125(v: f64) -> f64 {
    ceil_among(v, &[1.0, 2.0, 5.0, 10.0])
}

/// `v` rounded to about 1/400 of `span`, with a short decimal representation (a click gives w₀ = 1.25, not 1.2483…).
pub fn nice_round(v: f64, span: f64) -> f64 {
    if !(v.is_finite() && span.is_finite() && span > 0.0) {
        return v;
    }
    let step = decade(span / 400.0);
    let decimals = (-step.log10()).max(0.0).round() as usize;
    let r = (v / step).round() * step;
    format!("{r:.decimals$}").parse().unwrap_or(r)
}

/// Ticks at multiples of 1, 2 or 5 × 10ᵏ inside [lo, hi], about `target` of them, with labels just precise
/// enough to tell them apart.
pub fn nice_ticks(lo: f64, hi: f64, target: f64) -> Vec<(f64, String)> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return Vec::new();
    }
    let raw = span / target;
    let mag = decade(raw);
    let step = match raw / mag {
        n if n < 1.5 => mag,
        n if n < 3.0 => 2.0 * mag,
        n if n < 7.0 => 5.0 * mag,
        _ => 10.0 * mag,
    };
    let step_exp = step.log10().floor() as i32;
    let (first, last) = ((lo / step).ceil(), (hi / step).floor());
    let few = last - first < 50.0;
    if !few {
        return Vec::new();
    }
    // Whole multiples of the step, computed from the integer each time so errors never accumulate.
    let (first, last) = (first as i64, last as i64);
    (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            (v, crate::format::gif_tick(v, step_exp))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_values() {
        assert_eq!(nice_ceil(3.3), 4.0);
        assert_eq!(nice_ceil(0.021), 0.025);
        assert_eq!(nice_ceil(f64::NAN), 1.0);
        assert_eq!(nice_round(1.234_567, 8.0), 1.23);
        assert_eq!(nice_round(-0.004_9, 8.0), 0.0);
    }

    #[test]
    fn nice_ceil_steps_through_its_mantissas() {
        assert_eq!(nice_ceil(1.0), 1.0);
        assert_eq!(nice_ceil(1.2), 1.5);
        assert_eq!(nice_ceil(7.0), 8.0);
        assert_eq!(nice_ceil(8.5), 10.0);
        assert_eq!(nice_ceil(450.0), 500.0);
        assert_eq!(nice_ceil(0.0), 1.0);
        assert_eq!(nice_ceil(-2.0), 1.0);
        assert_eq!(nice_ceil(f64::INFINITY), 1.0);
    }

    #[test]
    fn nice_125_gives_one_two_five() {
        assert_eq!(nice_125(1.0), 1.0);
        assert_eq!(nice_125(1.1), 2.0);
        assert_eq!(nice_125(3.0), 5.0);
        assert_eq!(nice_125(6.0), 10.0);
        assert_eq!(nice_125(0.03), 0.05);
        assert_eq!(nice_125(1200.0), 2000.0);
        assert_eq!(nice_125(f64::NAN), 1.0);
    }

    #[test]
    fn nice_round_keeps_a_short_decimal() {
        // Span 8: steps of 0.01; span 400: whole numbers; span 0.4: steps of 0.001.
        assert_eq!(nice_round(2.345_678, 8.0), 2.35);
        assert_eq!(nice_round(12.6, 400.0), 13.0);
        assert_eq!(nice_round(-3.500_12, 0.4), -3.5);
        // Nothing to round against: the value as it is.
        assert_eq!(nice_round(1.234, 0.0), 1.234);
        assert_eq!(nice_round(1.234, f64::NAN), 1.234);
        assert!(nice_round(f64::NAN, 1.0).is_nan());
    }

    #[test]
    fn ticks_are_round_numbers_with_tidy_labels() {
        let t = nice_ticks(-0.3, 3.3, 8.0);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"]);
        let t = nice_ticks(0.0, 2e6, 4.0);
        assert_eq!(t.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>(), ["0", "5e5", "1.0e6", "1.5e6", "2.0e6"]);
        assert!(nice_ticks(1.0, 1.0, 5.0).is_empty());
        assert!(nice_ticks(0.0, f64::INFINITY, 5.0).is_empty());
    }
}
