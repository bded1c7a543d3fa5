//! Every number formatter of the crate, in one place. UI-free and a leaf (it imports nothing from the crate), so
//! the engine, the command line, the printout, the exports and the app all format through it.
//!
//! The styles, and where each is used:
//!
//! - **Readouts** — [`sig`] (fixed significant digits, plain or scientific) and [`sci`] (fixed-width scientific
//!   with a two-digit signed exponent, `1.2346e-03`): the app's status bar, hover readouts and analysis tables.
//!   The digit count never changes with the value, so numbers do not jitter while a run updates them. NaN reads
//!   `—`, infinities `+∞`/`−∞`.
//! - **Short values** — at most 4 significant digits with trailing zeros dropped (0.01, 0.1333, 2.500e-7), for
//!   labels and sentences. Two flavours that differ only off the finite numbers: [`short`] writes NaN and
//!   infinities as the readouts do (`—`, `±∞`) and is the app's; [`compact`] writes them as Rust does (`NaN`,
//!   `inf`) and is the plain-text one: the engine's explanations, the command line's `analyze`, the worker's
//!   change messages, the run list's lr.
//! - **Plot axes** (app) — [`value_label`] for value axes (0.5, 120, 2.5e6), [`step_label`] for the step axis
//!   (750, 12k, 3.5M), [`decade_label`] for log10 axes (10⁻³, 2×10⁻³), built on [`power_of_ten`].
//! - **Rates** (app status bar) — [`rate`]: steps per second with a unit prefix.
//! - **The GIF** (export) — [`gif_value`] for the caption's w, b and L (five significant digits), [`gif_tick`] for
//!   its axis ticks (as many decimals as the tick step needs).
//! - **Python's repr** (printout, notebook parity) — [`python_repr`] and [`python_repr_f32`]: the shortest digits
//!   that round-trip, laid out as Python prints a float (`3.0`, `1e-05`, `1.5e+16`).
//!
//! - **Python's repr as descent prints it** (CSV, text, messages) — [`repr`], [`repr_f32`], [`repr_in`]: Python's
//!   repr with integral values written without `.0`, as the trace CSV has always printed them (`3`, `-45`);
//!   [`python_sci`] for rounded scientific readouts (`1.2e-07`), [`python_list`] for vectors (`[-45.0, 0.5]`).
//!
//! [`clean`] is not a formatter but is used before one: it rounds noise next to zero to 0 for display.

/// `text` with its control characters (newlines, tabs, ANSI escapes, …) written as escapes (`\n`, `\u{1b}`), so
/// that a name read from a file can never break a one-line message or drive the terminal. Other text is kept.
pub fn escape_controls(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// `text` as a message may echo it: control characters escaped (as [`escape_controls`]) and, past `max_chars`
/// characters, cut in the middle with "…" (the end, where parsers say "at line L column C", is kept), so that
/// whatever a file holds, the message stays one line of a sensible length.
pub fn echo(text: &str, max_chars: usize) -> String {
    let escaped = escape_controls(text);
    let count = escaped.chars().count();
    if count <= max_chars {
        return escaped;
    }
    let tail = (max_chars / 4).min(60);
    let head = max_chars.saturating_sub(tail + 1);
    let mut cut: String = escaped.chars().take(head).collect();
    cut.push('…');
    cut.extend(escaped.chars().skip(count - tail));
    cut
}

/// [`repr_in`] of `v` rounded to `sig` significant digits: `0.1` for 0.09999999999999998, `-4.5` for
/// -4.499999999999999. The step ledger's operands, whose exact values are printed on their own lines.
pub fn rounded_repr(v: f64, sig: usize, f32: bool) -> String {
    if !v.is_finite() || v == 0.0 {
        return repr_in(v, f32);
    }
    let rounded: f64 = format!("{v:.*e}", sig.clamp(1, 17) - 1).parse().unwrap_or(v);
    repr_in(if f32 { rounded as f32 as f64 } else { rounded }, f32)
}

/// `v` with `sig` significant digits: plain decimals for 10⁻³ ≤ |v| < 10⁶ (and 0), scientific otherwise;
/// "—" for NaN and "±∞" for infinities. The app's readouts.
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
/// The app's readouts of losses and gradients; non-finite values as [`sig`] writes them.
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

/// A short value for the app's labels and messages: [`compact`] for finite values (0.01, 0.1333, 2.500e-7), "—"
/// for NaN and "±∞" for infinities, as the readouts.
pub fn short(v: f64) -> String {
    if !v.is_finite() {
        return sig(v, 1);
    }
    compact(v)
}

/// A number with at most 4 significant digits and no trailing zeros (0.04, 0.0125), scientific with 3 decimals
/// outside 10⁻⁴ ≤ |v| < 10⁶ (3.200e-7); 0, NaN and infinities as Rust prints them (`0`, `NaN`, `inf`). Plain-text
/// output: the engine's explanations, `descent analyze`, the worker's change messages. The app uses [`short`].
pub fn compact(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-4..6).contains(&mag) {
        return format!("{v:.3e}");
    }
    let decimals = (3 - mag).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// `v`, or 0 when it is within rounding noise of 0 next to a value of size `scale` (|v| < 10⁻⁹·max(scale, 1)):
/// an optimum's b* = 1.8e-13 from an iterative fit reads as 0.
pub fn clean(v: f64, scale: f64) -> f64 {
    let scale = if scale.is_finite() { scale.abs().max(1.0) } else { 1.0 };
    if v.abs() < 1e-9 * scale { 0.0 } else { v }
}

/// Steps per second with 3 significant digits and a unit prefix: `30.0 steps/s`, `1.25 M steps/s`. The app's
/// status bar.
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

/// A tick label for a value axis of the app's plots: 0.5, 120, 2.5e6 (short, no trailing zeros; scientific with at
/// most 2 decimals outside 10⁻⁴ ≤ |v| < 10⁵). Also the gradient check's vector entries.
pub fn value_label(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e5).contains(&a) {
        let s = format!("{v:.2e}");
        match s.split_once('e') {
            Some((m, e)) => {
                let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
                format!("{m}e{e}")
            }
            None => s,
        }
    } else {
        short(v)
    }
}

/// A step count for the app's step axis: 750, 12k, 3.5M.
pub fn step_label(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", short(v / 1e6))
    } else if a >= 1e4 {
        format!("{}k", short(v / 1e3))
    } else {
        format!("{v:.0}")
    }
}

/// A tick label for an app axis that shows log10 of a value (`v` = log10 of the value): 10ᵏ at decades, m×10ᵏ in
/// between (2×10⁻³).
pub fn decade_label(v: f64) -> String {
    let k = v.floor();
    let frac = v - k;
    if frac.abs() < 1e-9 || (1.0 - frac).abs() < 1e-9 {
        power_of_ten(v.round())
    } else {
        let m = 10f64.powf(frac).round();
        format!("{m}×{}", power_of_ten(k))
    }
}

/// A value of the GIF's caption in five significant digits, in plain notation for 10⁻³ ≤ |v| < 10⁵ (2.9981,
/// 0.0012000) and Rust's scientific otherwise (1.5000e-7); 0 as `0`.
pub fn gif_value(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if !v.is_finite() {
        format!("{v}")
    } else if (1e-3..1e5).contains(&a) {
        let decimals = (4 - a.log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.4e}")
    }
}

/// A tick label of the GIF's axes, for ticks `step_exp` = ⌊log10 step⌋ apart: plain with as many decimals as the
/// step needs (0.5, 1.0), or scientific with just enough digits for very large or small steps (5e5, 1.5e6).
pub fn gif_tick(v: f64, step_exp: i32) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if (-4..5).contains(&step_exp) {
        let decimals = (-step_exp).max(0) as usize;
        return format!("{v:.decimals$}");
    }
    let value_exp = v.abs().log10().floor() as i32;
    let digits = (value_exp - step_exp).max(0) as usize;
    format!("{v:.digits$e}")
}

/// Shortest decimal digits and exponent of `v` (v = 0.d₁d₂… × 10^(exp+1), i.e. d₁.d₂… × 10^exp), from Rust's
/// `{:e}` of |v| (f64 or f32).
pub(crate) fn shortest_digits(v_abs_sci: &str) -> (String, i32) {
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "1.8e0", "2.9950848e0", "1e-5".
    let (mantissa, exp) = v_abs_sci.split_once('e').unwrap_or((v_abs_sci, "0"));
    (mantissa.replace('.', ""), exp.parse().unwrap_or(0))
}

/// Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. The notebook
/// printout. It is [`repr`] with Python's `.0` on an integral value.
pub fn python_repr(v: f64) -> String {
    with_point(repr(v))
}

/// Python's `.0` after an integral value written plainly (`3` → `3.0`, `-0` → `-0.0`), which [`repr`] leaves off.
fn with_point(mut s: String) -> String {
    if s.bytes().all(|b| b == b'-' || b.is_ascii_digit()) {
        s.push_str(".0");
    }
    s
}

/// Python's `repr(float)` as descent prints numbers in CSV, text and messages: [`python_repr`]'s digits and layout
/// (shortest round-trip, exponent form below 1e-4 and from 1e16: `1e-05`, `1.5e+16`), except that an integral
/// value is written without Python's `.0` (`3`, `-45`, `-0`), as descent's CSV always wrote it. Never a run of
/// hundreds of digits: 1e-300 prints as `1e-300`, 1e308 as `1e+308`. NaN and infinities as Python (`nan`, `inf`).
pub fn repr(v: f64) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = write_repr(&mut s, v, false);
    s
}

/// [`repr`] of an f32: the shortest digits that round-trip in float32 (0.45, not 0.44999998807907104).
pub fn repr_f32(v: f32) -> String {
    let mut s = String::new();
    let _ = write_repr(&mut s, f64::from(v), true);
    s
}

/// Writes [`repr`] of `v`, or [`repr_f32`] of the f32 `v` holds when `f32`, to `out` without allocating: the hot
/// path of long traces.
///
/// # Errors
/// Any error of `out`.
pub fn write_repr(out: &mut impl std::fmt::Write, v: f64, f32: bool) -> std::fmt::Result {
    // Rust's `{}` and `{:e}` give the same shortest digits as Python (and `{}` no `.0`); only the layout differs.
    // The thresholds in the value's own type: the f32 nearest 1e-4 lies below the f64 nearest it.
    let plain = if f32 { (1e-4..1e16).contains(&(v as f32).abs()) } else { (1e-4..1e16).contains(&v.abs()) };
    if !v.is_finite() {
        out.write_str(if v.is_nan() {
            "nan"
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        })
    } else if v == 0.0 || plain {
        if f32 { write!(out, "{}", v as f32) } else { write!(out, "{v}") }
    } else {
        use std::fmt::Write as _;
        let mut sci = StackText::default();
        if f32 {
            write!(sci, "{:e}", v as f32)?
        } else {
            write!(sci, "{v:e}")?
        }
        write_python_exponent(out, sci.as_str())
    }
}

/// Rust's scientific form laid out as Python's: `1e-5` → `1e-05`, `1.5e16` → `1.5e+16`.
fn write_python_exponent(out: &mut impl std::fmt::Write, sci: &str) -> std::fmt::Result {
    match sci.split_once('e') {
        Some((mantissa, exp)) => {
            let exp: i32 = exp.parse().unwrap_or(0);
            write!(out, "{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
        }
        None => out.write_str(sci),
    }
}

/// A short text on the stack (a float's `{:e}` takes at most 24 bytes).
#[derive(Default)]
struct StackText {
    bytes: [u8; 32],
    len: usize,
}

impl StackText {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in.
        std::str::from_utf8(self.bytes.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// [`repr`] of a value of a run: of the f32 when `f32` (the value is an f32 widened to f64, so narrowing is exact),
/// of the f64 otherwise.
pub fn repr_in(v: f64, f32: bool) -> String {
    let mut s = String::new();
    let _ = write_repr(&mut s, v, f32);
    s
}

/// Python's `'%.{decimals}e' % v`: scientific with `decimals` digits and a signed exponent of at least two digits
/// (`1.2e-07`, `3.0e+00`). Rounded error readouts (the gradient check's relative errors).
pub fn python_sci(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return python_repr(v);
    }
    let mut s = String::new();
    let _ = write_python_exponent(&mut s, &format!("{v:.decimals$e}"));
    s
}

/// Python's repr of a list of floats, `[-45.0, 0.5]` (as Rust's `{:?}` of a `Vec<f64>` for ordinary values), in
/// float32's shortest digits when `f32`.
pub fn python_list(values: &[f64], f32: bool) -> String {
    let items: Vec<String> =
        values.iter().map(|&v| if f32 { python_repr_f32(v as f32) } else { python_repr(v) }).collect();
    format!("[{}]", items.join(", "))
}

/// NumPy's `repr(np.float32(v))`: the shortest digits that round-trip in float32. The notebook printout of f32
/// runs. It is [`repr_f32`] with Python's `.0` on an integral value.
pub fn python_repr_f32(v: f32) -> String {
    with_point(repr_f32(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_escapes_and_cuts_the_middle() {
        assert_eq!(echo("a\nb\u{1b}[1m", 100), "a\\nb\\u{1b}[1m");
        let long = format!("unknown `{}` at line 2 column 9", "x".repeat(1000));
        let short = echo(&long, 100);
        assert_eq!(short.chars().count(), 100, "{short}");
        assert!(short.starts_with("unknown `xxx") && short.ends_with("x` at line 2 column 9"), "{short}");
        assert!(short.contains('…'));
        assert_eq!(echo("exactly", 7), "exactly");
    }

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

    #[test]
    fn short_values_and_axis_labels() {
        assert_eq!(compact(0.04), "0.04");
        assert_eq!(compact(0.0125), "0.0125");
        assert_eq!(compact(3.2e-7), "3.200e-7");
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(f64::NAN), "NaN");
        assert_eq!(short(f64::NAN), "—");
        assert_eq!(short(f64::INFINITY), "+∞");
        assert_eq!(value_label(0.5), "0.5");
        assert_eq!(value_label(2.5e6), "2.5e6");
        assert_eq!(step_label(750.0), "750");
        assert_eq!(step_label(12_000.0), "12k");
        assert_eq!(step_label(3_500_000.0), "3.5M");
        assert_eq!(decade_label(-3.0), "10⁻³");
        assert_eq!(decade_label(2f64.log10() - 3.0), "2×10⁻³");
    }

    #[test]
    fn gif_values_print_in_five_digits_and_ticks_as_the_step_needs() {
        assert_eq!(gif_value(2.99812345), "2.9981");
        assert_eq!(gif_value(0.0012), "0.0012000");
        assert_eq!(gif_value(1.5e-7), "1.5000e-7");
        assert_eq!(gif_value(0.0), "0");
        assert_eq!(gif_tick(0.5, -1), "0.5");
        assert_eq!(gif_tick(1.0, -1), "1.0");
        assert_eq!(gif_tick(5e5, 5), "5e5");
        assert_eq!(gif_tick(1.5e6, 5), "1.5e6");
    }

    #[test]
    fn python_reprs() {
        assert_eq!(python_repr(1.8), "1.8");
        assert_eq!(python_repr(3.0), "3.0");
        assert_eq!(python_repr(2.9950848), "2.9950848");
        assert_eq!(python_repr(1e-5), "1e-05");
        assert_eq!(python_repr(0.0001), "0.0001");
        assert_eq!(python_repr(1.5e16), "1.5e+16");
        assert_eq!(python_repr(-0.45), "-0.45");
        assert_eq!(python_repr(35.23542022705078), "35.23542022705078");
        assert_eq!(python_repr_f32(0.45), "0.45");
    }

    /// Drops the `.0` of a plain integral repr (`3.0` → `3`); exponent forms have none.
    fn trim_integral(mut s: String) -> String {
        if s.ends_with(".0") {
            s.truncate(s.len() - 2);
        }
        s
    }

    /// Strings printed by Python 3.11, not by this module: `repr` of each f64 (edges of the plain range included),
    /// and for each f32 the shortest digits that round-trip through float32 (NumPy's rule for
    /// `repr(np.float32(v))`, found by trying 1 to 9 digits with `struct`'s float32), laid out by `repr`.
    #[test]
    fn python_repr_is_pythons() {
        let f64s: [(f64, &str); 18] = [
            (1e-4, "0.0001"),
            (9.999999999999999e-05, "9.999999999999999e-05"),
            (1e16, "1e+16"),
            (9999999999999998.0, "9999999999999998.0"),
            (1.0000000000000002e16, "1.0000000000000002e+16"),
            (0.30000000000000004, "0.30000000000000004"),
            (1.5e-08, "1.5e-08"),
            (6.666666666666667e-06, "6.666666666666667e-06"),
            (7250000000000000.0, "7250000000000000.0"),
            (123456.789, "123456.789"),
            (1e15, "1000000000000000.0"),
            (-45.0, "-45.0"),
            (-0.0, "-0.0"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (1.5e21, "1.5e+21"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (v, python) in f64s {
            assert_eq!(python_repr(v), python, "{v:e}");
        }
        let f32s: [(f32, &str); 9] = [
            (0.45, "0.45"),
            (1e-4, "0.0001"),
            (1e16, "1e+16"),
            (3.0, "3.0"),
            (1e10, "10000000000.0"),
            (2.5e-7, "2.5e-07"),
            (16777217.0, "16777216.0"),
            (1.0 / 3.0, "0.33333334"),
            (1.1754944e-38, "1.1754944e-38"),
        ];
        for (v, numpy) in f32s {
            assert_eq!(python_repr_f32(v), numpy, "{v:e}");
        }
    }

    #[test]
    fn the_fast_path_of_repr_is_python_repr() {
        let mut values = vec![1e-4, 1e16, 1e-4f64.next_down(), 1e16f64.next_down(), 1e16f64.next_up(), 0.1 + 0.2];
        for e in -8..20 {
            for m in [1.0, 1.5, 2.0 / 3.0, 9.999_999_999_999_999, 7.25] {
                values.push(m * 10f64.powi(e));
            }
        }
        for v in values.iter().flat_map(|&v| [v, -v]) {
            assert_eq!(repr(v), trim_integral(python_repr(v)), "{v:e}");
            let f = v as f32;
            for f in [f, f.next_up(), f.next_down()] {
                assert_eq!(repr_f32(f), trim_integral(python_repr_f32(f)), "{f:e}");
            }
        }
    }

    #[test]
    fn reprs_as_descent_prints_them() {
        // Ordinary values exactly as Rust's `{}` (the trace CSV of the notebook problem is unchanged).
        for v in [0.0, -0.0, 3.0, -45.0, 0.45, 67.5, 48.76875, 0.0001, 123_456.789, 1e15] {
            assert_eq!(repr(v), format!("{v}"), "{v}");
        }
        // Tiny and huge values as Python, never hundreds of digits.
        assert_eq!(repr(3.8129700891705915e-28), "3.8129700891705915e-28");
        assert_eq!(repr(1e-5), "1e-05");
        assert_eq!(repr(1e308), "1e+308");
        assert_eq!(repr(1e16), "1e+16");
        assert_eq!(repr(-2.5e-7), "-2.5e-07");
        assert_eq!(repr(f64::NAN), "nan");
        assert_eq!(repr(f64::NEG_INFINITY), "-inf");
        assert_eq!(repr_f32(0.45), "0.45");
        assert_eq!(repr_f32(1e-46f32), "0");
        assert_eq!(repr_f32(f32::MAX), "3.4028235e+38");
        assert_eq!(repr_in(f64::from(0.1f32), true), "0.1");
        assert_eq!(repr_in(f64::from(0.1f32), false), "0.10000000149011612");
        assert_eq!(python_sci(1.234e-7, 1), "1.2e-07");
        assert_eq!(python_sci(0.0, 1), "0.0e+00");
        assert_eq!(python_list(&[-45.0, 1e-300], false), "[-45.0, 1e-300]");
        assert_eq!(python_list(&[f64::from(0.45f32)], true), "[0.45]");
    }
}
