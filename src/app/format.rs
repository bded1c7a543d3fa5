//! Number formatting for readouts: fixed significant digits and fixed widths, so numbers do not jitter while a
//! run updates them.

/// `v` with `sig` significant digits: plain decimals for 10⁻³ ≤ |v| < 10⁶ (and 0), scientific otherwise;
/// "—" for NaN and "±∞" for infinities.
pub fn sig(v: f64, sig: usize) -> String {
    let sig = sig.clamp(1, 17);
    if v.is_nan() {
        return "—".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+∞".into() } else { "−∞".into() };
    }
    if v == 0.0 {
        return format!("{:.*}", sig - 1, 0.0);
    }
    let mag = v.abs().log10().floor() as i32;
    if (-3..6).contains(&mag) {
        let decimals = (sig as i32 - 1 - mag).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        sci(v, sig - 1)
    }
}

/// Scientific notation with `decimals` digits after the point and a two-digit signed exponent: `1.2346e-03`.
pub fn sci(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return sig(v, 1);
    }
    let s = format!("{v:.decimals$e}");
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let exp: i32 = exp.parse().unwrap_or(0);
            let sign = if exp < 0 { '-' } else { '+' };
            format!("{mantissa}e{sign}{:02}", exp.abs())
        }
        None => s,
    }
}

/// A short value for labels and messages: at most 4 significant digits, no trailing zeros (0.01, 0.1333, 2.5e-07).
pub fn short(v: f64) -> String {
    if !v.is_finite() {
        return sig(v, 1);
    }
    crate::engine::gradient::fmt_sig(v)
}

/// `v`, or 0 when it is within rounding noise of 0 next to a value of size `scale` (|v| < 10⁻⁹·max(scale, 1)):
/// an optimum's b* = 1.8e-13 from an iterative fit reads as 0.
pub fn clean(v: f64, scale: f64) -> f64 {
    let scale = if scale.is_finite() { scale.abs().max(1.0) } else { 1.0 };
    if v.abs() < 1e-9 * scale { 0.0 } else { v }
}

/// Steps per second with 3 significant digits and a unit prefix: `30.0 steps/s`, `1.25 M steps/s`.
pub fn rate(steps_per_sec: f64) -> String {
    let r = if steps_per_sec.is_finite() { steps_per_sec.max(0.0) } else { 0.0 };
    let (v, unit) = if r >= 1e9 {
        (r / 1e9, "G ")
    } else if r >= 1e6 {
        (r / 1e6, "M ")
    } else if r >= 1e3 {
        (r / 1e3, "k ")
    } else {
        (r, "")
    };
    let decimals = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.decimals$} {unit}steps/s")
}

/// `10` raised to `k`, written with superscripts: `10⁻³`, `10⁰`, `10¹²`; non-integers as `10^-2.5`.
pub fn power_of_ten(k: f64) -> String {
    if (k - k.round()).abs() > 1e-9 {
        return format!("10^{}", short(k));
    }
    let k = k.round() as i64;
    let digits: String = k
        .to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            '9' => '⁹',
            other => other,
        })
        .collect();
    format!("10{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_significant_digits() {
        assert_eq!(sig(0.45, 6), "0.450000");
        assert_eq!(sig(1.8, 6), "1.80000");
        assert_eq!(sig(3.0, 6), "3.00000");
        assert_eq!(sig(-2.987_654_3, 6), "-2.98765");
        assert_eq!(sig(123_456.7, 6), "123457");
        assert_eq!(sig(1_234_567.0, 6), "1.23457e+06");
        assert_eq!(sig(0.000_123_4, 4), "1.234e-04");
        assert_eq!(sig(0.0, 4), "0.000");
        assert_eq!(sig(f64::NAN, 4), "—");
        assert_eq!(sig(f64::NEG_INFINITY, 4), "−∞");
    }

    #[test]
    fn scientific() {
        assert_eq!(sci(0.001_234_56, 4), "1.2346e-03");
        assert_eq!(sci(67.5, 4), "6.7500e+01");
        assert_eq!(sci(0.0, 2), "0.00e+00");
    }

    #[test]
    fn rates_and_powers() {
        assert_eq!(rate(30.0), "30.0 steps/s");
        assert_eq!(rate(1_250_000.0), "1.25 M steps/s");
        assert_eq!(rate(f64::NAN), "0.00 steps/s");
        assert_eq!(power_of_ten(-3.0), "10⁻³");
        assert_eq!(power_of_ten(12.0), "10¹²");
        assert_eq!(short(0.133_333_33), "0.1333");
        assert_eq!(clean(1.83e-13, 3.0), 0.0);
        assert_eq!(clean(0.25, 3.0), 0.25);
    }
}
