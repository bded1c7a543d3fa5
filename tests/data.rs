//! Datasets: CSV loading (formats and every error), CSV writing (bit-for-bit round trips) and presets.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use descent::engine::data::{PRESETS, preset_description};
use descent::engine::{DataError, Dataset};
use proptest::prelude::*;
use tempfile::TempDir;

/// Writes `content` to `name` in a fresh temporary directory and loads it from there.
fn load_file(name: &str, content: &[u8]) -> (TempDir, PathBuf, Result<Dataset, DataError>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write the CSV");
    let result = Dataset::from_csv_path(&path);
    (dir, path, result)
}

/// Loads `content` from a file named `name`, expecting success.
fn load_ok(name: &str, content: &str) -> Dataset {
    let (_dir, _path, result) = load_file(name, content.as_bytes());
    result.unwrap_or_else(|e| panic!("{name} should load: {e}"))
}

/// Loads `content` from a file named `name`, expecting an error; also checks the message names the file.
fn load_err(name: &str, content: &[u8]) -> DataError {
    let (_dir, _path, result) = load_file(name, content);
    let err = result.expect_err("the file should be rejected");
    let message = err.to_string();
    assert!(message.contains(name), "message {message:?} should name the file {name}");
    err
}

/// The 1-based line an error points at, when it has one.
fn line_of(err: &DataError) -> Option<u64> {
    match err {
        DataError::Binary { line, .. }
        | DataError::Columns { line, .. }
        | DataError::NotNumber { line, .. }
        | DataError::NotFinite { line, .. }
        | DataError::Csv { line, .. } => Some(*line),
        _ => None,
    }
}

/// Asserts the error points at `line` and its message says `name:line`.
fn assert_line(err: &DataError, name: &str, line: u64) {
    assert_eq!(line_of(err), Some(line), "{err}");
    let message = err.to_string();
    assert!(message.contains(&format!("{name}:{line}")), "message {message:?} should contain {name}:{line}");
}

fn xs(data: &Dataset) -> Vec<f64> {
    data.x.to_vec()
}

fn ys(data: &Dataset) -> Vec<f64> {
    data.y.to_vec()
}

// ---------------------------------------------------------------------------------------------------------------
// Accepted formats

#[test]
fn header_file() {
    let data = load_ok("with_header.csv", "x,y\n1,3\n2,6\n2.5,7.5\n");
    assert_eq!(xs(&data), [1.0, 2.0, 2.5]);
    assert_eq!(ys(&data), [3.0, 6.0, 7.5]);
    assert_eq!(data.len(), 3);
    assert_eq!(data.name, "with_header.csv");
}

#[test]
fn header_is_case_insensitive_and_whitespace_tolerant() {
    let data = load_ok("upper.csv", "  X , Y  \n 1 , 3 \n\t2\t,\t6\t\n");
    assert_eq!(xs(&data), [1.0, 2.0]);
    assert_eq!(ys(&data), [3.0, 6.0]);
}

#[test]
fn other_header_names_are_accepted() {
    let data = load_ok("named.csv", "hours,score\n1,3\n");
    assert_eq!((xs(&data), ys(&data)), (vec![1.0], vec![3.0]));
}

#[test]
fn headerless_file() {
    let data = load_ok("plain.csv", "1,3\n2,6\n-1.5e2,+4\n");
    assert_eq!(xs(&data), [1.0, 2.0, -150.0]);
    assert_eq!(ys(&data), [3.0, 6.0, 4.0]);
}

#[test]
fn no_trailing_newline() {
    let data = load_ok("last.csv", "x,y\n1,3\n2,6");
    assert_eq!(xs(&data), [1.0, 2.0]);
}

#[test]
fn crlf_line_ends() {
    let data = load_ok("windows.csv", "x,y\r\n1,3\r\n2,6\r\n\r\n");
    assert_eq!(xs(&data), [1.0, 2.0]);
    assert_eq!(ys(&data), [3.0, 6.0]);
}

#[test]
fn blank_and_whitespace_lines_are_skipped() {
    let data = load_ok("gaps.csv", "\n\nx,y\n\n1,3\n   \n\t\n2,6\n\n\n\n");
    assert_eq!(xs(&data), [1.0, 2.0]);
    assert_eq!(ys(&data), [3.0, 6.0]);
}

#[test]
fn byte_order_mark_and_quotes() {
    let data = load_ok("excel.csv", "\u{feff}\"x\",\"y\"\r\n\"1\",\" 3 \"\r\n");
    assert_eq!((xs(&data), ys(&data)), (vec![1.0], vec![3.0]));
    let data = load_ok("bom_plain.csv", "\u{feff}1,3\n");
    assert_eq!((xs(&data), ys(&data)), (vec![1.0], vec![3.0]));
}

#[test]
fn reader_uses_the_given_name() {
    let data = Dataset::from_csv_reader(Cursor::new("x,y\n1,2\n"), Path::new("dir/given.csv")).expect("loads");
    assert_eq!(data.name, "given.csv");
    let err = Dataset::from_csv_reader(Cursor::new("x,y\n1,zz\n"), Path::new("dir/given.csv")).expect_err("rejects");
    assert!(err.to_string().contains("given.csv:2"), "{err}");
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

#[test]
fn missing_file_is_io() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("absent.csv");
    let err = Dataset::from_csv_path(&path).expect_err("missing");
    assert!(matches!(err, DataError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("absent.csv"), "{err}");
}

#[test]
fn directory_is_io() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = Dataset::from_csv_path(dir.path()).expect_err("a directory");
    assert!(matches!(err, DataError::Io { .. }), "{err:?}");
}

#[test]
fn empty_file() {
    for content in ["", "\n", "  \n\n \r\n\t\n", "\u{feff}"] {
        let err = load_err("empty.csv", content.as_bytes());
        assert!(matches!(err, DataError::Empty { .. }), "{content:?}: {err:?}");
        assert_eq!(line_of(&err), None);
    }
}

#[test]
fn header_only() {
    for content in ["x,y", "x,y\n", "x,y\r\n\r\n\n  \n"] {
        let err = load_err("header_only.csv", content.as_bytes());
        assert!(matches!(err, DataError::NoRows { .. }), "{content:?}: {err:?}");
    }
}

#[test]
fn not_a_number_names_line_column_and_text() {
    let err = load_err("words.csv", b"x,y\n1,2\n3,abc\n");
    let DataError::NotNumber { line, column, ref field, .. } = err else { panic!("{err:?}") };
    assert_eq!((line, column, field.as_str()), (3, "y", "abc"));
    assert_line(&err, "words.csv", 3);
    assert!(err.to_string().contains("abc"), "{err}");

    let err = load_err("words.csv", b"1,2\n  oops , 4\n");
    let DataError::NotNumber { line, column, ref field, .. } = err else { panic!("{err:?}") };
    assert_eq!((line, column, field.as_str()), (2, "x", "oops"));

    let err = load_err("words.csv", b"1,2\n3,\n");
    let DataError::NotNumber { line, column, ref field, .. } = err else { panic!("{err:?}") };
    assert_eq!((line, column, field.as_str()), (2, "y", ""));
}

#[test]
fn half_header_is_an_error_on_line_1() {
    let err = load_err("half.csv", b"x,5\n1,2\n");
    let DataError::NotNumber { column, ref field, .. } = err else { panic!("{err:?}") };
    assert_eq!((column, field.as_str()), ("x", "x"));
    assert_line(&err, "half.csv", 1);

    let err = load_err("half.csv", b"5,y\n1,2\n");
    let DataError::NotNumber { column, ref field, .. } = err else { panic!("{err:?}") };
    assert_eq!((column, field.as_str()), ("y", "y"));
    assert_line(&err, "half.csv", 1);
}

#[test]
fn second_header_is_not_a_number() {
    let err = load_err("twice.csv", b"x,y\nx,y\n1,2\n");
    assert!(matches!(err, DataError::NotNumber { column: "x", .. }), "{err:?}");
    assert_line(&err, "twice.csv", 2);
}

#[test]
fn long_offending_text_is_cut() {
    let long = "a".repeat(500);
    let err = load_err("long.csv", format!("1,2\n1,{long}\n").as_bytes());
    assert!(matches!(err, DataError::NotNumber { .. }), "{err:?}");
    assert!(err.to_string().len() < 200, "{err}");
}

#[test]
fn nan_and_infinities_are_not_finite() {
    let cases: [(&str, u64, &str, &str); 7] = [
        ("x,y\n1,nan\n", 2, "y", "nan"),
        ("x,y\n1,2\nNaN,3\n", 3, "x", "NaN"),
        ("1,inf\n", 1, "y", "inf"),
        ("1,2\n2,-inf\n", 2, "y", "-inf"),
        ("1,2\n\n+Infinity,1\n", 3, "x", "+Infinity"),
        ("1,1e999\n", 1, "y", "1e999"),
        ("x,y\r\n1,2\r\n3,-1e400\r\n", 3, "y", "-1e400"),
    ];
    for (content, want_line, want_column, want_field) in cases {
        let err = load_err("inf.csv", content.as_bytes());
        let DataError::NotFinite { column, ref field, .. } = err else { panic!("{content:?}: {err:?}") };
        assert_eq!((column, field.as_str()), (want_column, want_field), "{content:?}");
        assert_line(&err, "inf.csv", want_line);
    }
}

#[test]
fn wrong_number_of_columns() {
    let cases: [(&str, u64, usize); 6] = [
        ("x,y\n1,2\n1,2,3\n", 3, 3),
        ("1,2\n7\n", 2, 1),
        ("x,y,z\n1,2,3\n", 1, 3),
        ("x\n1\n", 1, 1),
        ("1,2,\n", 1, 3),
        ("1;2\n", 1, 1),
    ];
    for (content, want_line, want_found) in cases {
        let err = load_err("cols.csv", content.as_bytes());
        let DataError::Columns { found, .. } = err else { panic!("{content:?}: {err:?}") };
        assert_eq!(found, want_found, "{content:?}");
        assert_line(&err, "cols.csv", want_line);
    }
}

#[test]
fn line_numbers_count_blank_lines_and_crlf() {
    let err = load_err("lines.csv", b"x,y\n\n\n1,2\n\n  \nfoo,1\n");
    assert_line(&err, "lines.csv", 7);
    let err = load_err("lines.csv", b"x,y\r\n\r\n1,2\r\n3,4\r\n5,six\r\n");
    assert_line(&err, "lines.csv", 5);
    let err = load_err("lines.csv", b"1,2\n3,4\n5,6\n7,8\n9,1,1\n");
    assert_line(&err, "lines.csv", 5);
}

#[test]
fn nul_byte_is_binary() {
    let err = load_err("nul.csv", b"x,y\n1,2\n3,\x004\n5,6\n");
    assert!(matches!(err, DataError::Binary { .. }), "{err:?}");
    assert_line(&err, "nul.csv", 3);
}

#[test]
fn invalid_utf8_is_binary() {
    let err = load_err("latin1.csv", b"x,y\n1,\xff\xfe\n");
    assert!(matches!(err, DataError::Binary { .. }), "{err:?}");
    assert_line(&err, "latin1.csv", 2);
    // UTF-16 with its byte-order mark.
    let err = load_err("utf16.csv", b"\xff\xfex\x00,\x00y\x00\n\x001\x00,\x002\x00\n\x00");
    assert!(matches!(err, DataError::Binary { .. }), "{err:?}");
    assert_line(&err, "utf16.csv", 1);
}

#[test]
fn random_garbage_is_rejected_without_panicking() {
    // A fixed pseudo-random byte stream (xorshift) that contains NUL bytes.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8
        })
        .collect();
    assert!(bytes.contains(&0));
    let err = load_err("garbage.bin", &bytes);
    assert!(matches!(err, DataError::Binary { .. }), "{err:?}");
    assert!(line_of(&err).is_some_and(|line| line >= 1));
    // The same bytes after a valid start: still an error, and on a later line.
    let mut tail = b"x,y\n1,2\n".to_vec();
    tail.extend_from_slice(&bytes);
    let err = load_err("garbage.bin", &tail);
    assert!(matches!(err, DataError::Binary { .. }), "{err:?}");
    assert!(line_of(&err).is_some_and(|line| line >= 3), "{err}");
}

#[test]
fn new_validates() {
    let data = Dataset::new(vec![1.0, 2.0], vec![3.0, 6.0], "mine").expect("valid");
    assert_eq!((data.len(), data.name.as_str()), (2, "mine"));

    let err = Dataset::new(vec![1.0, 2.0], vec![3.0], "mine").expect_err("lengths differ");
    assert!(matches!(err, DataError::Mismatched { x_len: 2, y_len: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("mine"), "{err}");

    let err = Dataset::new(vec![], vec![], "mine").expect_err("empty");
    assert!(matches!(err, DataError::NoSamples { .. }), "{err:?}");
    assert!(err.to_string().contains("mine"), "{err}");

    let err = Dataset::new(vec![1.0, 2.0], vec![3.0, f64::NAN], "mine").expect_err("NaN");
    assert!(matches!(err, DataError::NonFiniteValue { column: "y", index: 1, .. }), "{err:?}");
    let err = Dataset::new(vec![f64::NEG_INFINITY], vec![3.0], "mine").expect_err("inf");
    assert!(matches!(err, DataError::NonFiniteValue { column: "x", index: 0, .. }), "{err:?}");
    assert!(err.to_string().contains("mine"), "{err}");
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/// Writes `data` to memory and reads it back.
fn round_trip(data: &Dataset) -> Dataset {
    let mut text = Vec::new();
    data.write_csv(&mut text).expect("write to memory");
    Dataset::from_csv_reader(text.as_slice(), Path::new("memory.csv")).expect("read back")
}

/// Asserts two float slices are identical bit for bit.
fn assert_bits_eq(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (i, (p, q)) in a.iter().zip(b).enumerate() {
        assert_eq!(p.to_bits(), q.to_bits(), "value {i}: {p:e} became {q:e}");
    }
}

#[test]
fn write_csv_format() {
    let data = Dataset::new(vec![1.0, 0.5, -0.0], vec![3.0, 0.1, 1e-300], "w").expect("valid");
    let mut text = Vec::new();
    data.write_csv(&mut text).expect("write");
    assert_eq!(String::from_utf8(text).expect("utf-8"), "x,y\n1,3\n0.5,0.1\n-0,1e-300\n");
}

#[test]
fn csv_round_trip_is_bit_for_bit() {
    let x =
        vec![0.1, 1e-300, -0.0, 0.0, 1.0 / 3.0, 1e300, f64::MAX, f64::MIN, f64::MIN_POSITIVE, 5e-324, 1e16, 9.999e15];
    let y = vec![
        -2.0 / 3.0,
        123_456_789.123_456_79,
        2f64.powi(53) + 2.0,
        -1e-5,
        9.99e-6,
        std::f64::consts::PI,
        1e-7,
        0.3,
        7e22,
        -4.9e-324,
        1e15,
        -1e21,
    ];
    let data = Dataset::new(x, y, "values").expect("valid");
    let back = round_trip(&data);
    assert_bits_eq(data.x.as_slice().expect("contiguous"), back.x.as_slice().expect("contiguous"));
    assert_bits_eq(data.y.as_slice().expect("contiguous"), back.y.as_slice().expect("contiguous"));
}

#[test]
fn csv_file_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("noisy_export.csv");
    let data = Dataset::preset("noisy").expect("preset");
    data.to_csv_path(&path).expect("export");
    let back = Dataset::from_csv_path(&path).expect("import");
    assert_eq!(back.name, "noisy_export.csv");
    assert_bits_eq(data.x.as_slice().expect("contiguous"), back.x.as_slice().expect("contiguous"));
    assert_bits_eq(data.y.as_slice().expect("contiguous"), back.y.as_slice().expect("contiguous"));

    let err = data.to_csv_path(&dir.path().join("no_such_dir").join("out.csv")).expect_err("no directory");
    assert!(matches!(err, DataError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("out.csv"), "{err}");
}

#[test]
fn large_csv_loads() {
    let data = Dataset::line(100_000, 3.0).expect("line");
    let back = round_trip(&data);
    assert_eq!(back.len(), 100_000);
    assert_bits_eq(data.y.as_slice().expect("contiguous"), back.y.as_slice().expect("contiguous"));
}

// ---------------------------------------------------------------------------------------------------------------
// Presets

#[test]
fn presets_have_documented_sizes_and_names() {
    let sizes = [("notebook", 4), ("noisy", 40), ("outliers", 20), ("large", 1_000_000)];
    assert_eq!(PRESETS, sizes.map(|(name, _)| name));
    for (name, size) in sizes {
        let data = Dataset::preset(name).expect("preset");
        assert_eq!((data.len(), data.y.len(), data.name.as_str()), (size, size, name));
        assert!(data.x.iter().chain(data.y.iter()).all(|v| v.is_finite()), "{name}");
        let description = preset_description(name);
        assert!(description.ends_with('.') && description.len() > 20, "{name}: {description:?}");
    }
    assert_eq!(preset_description("nope"), "");
    assert_eq!(Dataset::preset("notebook").expect("preset"), Dataset::notebook());
    assert_eq!(Dataset::preset(" Noisy ").expect("preset").name, "noisy");
}

#[test]
fn presets_are_deterministic() {
    for name in PRESETS {
        let a = Dataset::preset(name).expect("preset");
        let b = Dataset::preset(name).expect("preset");
        assert_bits_eq(a.x.as_slice().expect("contiguous"), b.x.as_slice().expect("contiguous"));
        assert_bits_eq(a.y.as_slice().expect("contiguous"), b.y.as_slice().expect("contiguous"));
    }
    let a = Dataset::noisy_line(10, 2.0, 0.0, 1.0, 7).expect("noisy");
    let b = Dataset::noisy_line(10, 2.0, 0.0, 1.0, 7).expect("noisy");
    let c = Dataset::noisy_line(10, 2.0, 0.0, 1.0, 8).expect("noisy");
    assert_eq!(a, b);
    assert_ne!(a.y, c.y);
}

#[test]
fn noisy_preset_is_the_documented_line() {
    let data = Dataset::preset("noisy").expect("preset");
    assert_eq!((data.x[0], data.x[39]), (0.0, 4.0));
    let residuals: Vec<f64> = data.x.iter().zip(data.y.iter()).map(|(x, y)| y - (3.0 * x + 1.0)).collect();
    let mean = residuals.iter().sum::<f64>() / 40.0;
    let sd = (residuals.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / 39.0).sqrt();
    assert!(mean.abs() < 0.3, "mean residual {mean}");
    assert!((0.3..0.75).contains(&sd), "residual sd {sd}");
    assert!(residuals.iter().all(|r| r.abs() < 2.5), "{residuals:?}");
}

#[test]
fn noisy_preset_is_pinned() {
    // The same numbers on every machine and every release: ChaCha8 plus hand-written Box–Muller.
    let data = Dataset::preset("noisy").expect("preset");
    let first: Vec<u64> = data.y.iter().take(3).map(|v| v.to_bits()).collect();
    assert_eq!(first, PINNED_NOISY_Y, "{:?}", data.y.iter().take(3).collect::<Vec<_>>());
}

/// Bits of the `noisy` preset's first three y values.
const PINNED_NOISY_Y: [u64; 3] = [4_604_945_230_707_208_470, 4_610_507_622_023_794_905, 4_609_011_143_311_563_340];

#[test]
fn outliers_preset_has_three_gross_outliers() {
    let data = Dataset::preset("outliers").expect("preset");
    assert_eq!((data.x[0], data.x[19]), (0.5, 4.0));
    let above: Vec<f64> = data.x.iter().zip(data.y.iter()).map(|(x, y)| y - 3.0 * x).collect();
    assert_eq!(above.iter().filter(|d| d.abs() < 1e-12).count(), 17, "{above:?}");
    assert_eq!(above.iter().filter(|&&d| d > 10.0).count(), 3, "{above:?}");
}

#[test]
fn large_preset_is_linspace() {
    let data = Dataset::preset("large").expect("preset");
    let n = data.len();
    assert_eq!((data.x[0], data.x[n - 1]), (0.0, 1.0));
    assert_eq!(data.x[1], 1.0 / 999_999.0);
    assert!(data.x.iter().zip(data.y.iter()).all(|(x, y)| *y == 3.0 * x));
    assert!(data.x.windows(2).into_iter().all(|w| w[0] < w[1]));
}

#[test]
fn generators_reject_bad_arguments() {
    assert!(matches!(Dataset::line(0, 3.0), Err(DataError::NoSamples { .. })));
    assert!(matches!(Dataset::noisy_line(0, 3.0, 1.0, 0.5, 1), Err(DataError::NoSamples { .. })));
    assert!(matches!(Dataset::line(3, f64::NAN), Err(DataError::NonFiniteValue { .. })));
    assert!(matches!(Dataset::noisy_line(3, 1.0, 1.0, f64::INFINITY, 1), Err(DataError::NonFiniteValue { .. })));
    assert_eq!(Dataset::line(1, 3.0).expect("one point").len(), 1);
}

#[test]
fn unknown_preset() {
    let err = Dataset::preset("nosiy").expect_err("unknown");
    assert!(matches!(err, DataError::UnknownPreset(ref name) if name == "nosiy"), "{err:?}");
    assert!(err.to_string().contains("nosiy"), "{err}");
}

#[test]
fn load_takes_a_preset_or_a_path() {
    assert_eq!(Dataset::load("notebook").expect("preset"), Dataset::notebook());
    assert_eq!(Dataset::load("outliers").expect("preset").len(), 20);
    assert!(matches!(Dataset::load("nosiy"), Err(DataError::UnknownPreset(_))));
    assert!(matches!(Dataset::load("missing.csv"), Err(DataError::Io { .. })));

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mine.csv");
    std::fs::write(&path, "x,y\n1,2\n").expect("write");
    let data = Dataset::load(path.to_str().expect("utf-8 temp path")).expect("csv");
    assert_eq!((data.name.as_str(), data.len()), ("mine.csv", 1));
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

/// Any finite f64, subnormals and both zeros included.
fn finite() -> impl Strategy<Value = f64> {
    prop::num::f64::POSITIVE
        | prop::num::f64::NEGATIVE
        | prop::num::f64::NORMAL
        | prop::num::f64::SUBNORMAL
        | prop::num::f64::ZERO
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn csv_like_text_never_panics_and_lines_are_in_range(text in "[0-9a-zA-Z.,+\\-\" \t\r\n]{0,300}") {
        let lines = text.bytes().filter(|&b| b == b'\n' || b == b'\r').count() as u64 + 1;
        match Dataset::from_csv_reader(text.as_bytes(), Path::new("fuzz.csv")) {
            Ok(data) => {
                prop_assert!(!data.is_empty());
                prop_assert_eq!(data.x.len(), data.y.len());
                prop_assert!(data.x.iter().chain(data.y.iter()).all(|v| v.is_finite()));
            }
            Err(err) => {
                prop_assert!(err.to_string().contains("fuzz.csv"));
                if let Some(line) = line_of(&err) {
                    prop_assert!((1..=lines).contains(&line), "line {} of {}: {}", line, lines, err);
                }
            }
        }
    }

    #[test]
    fn round_trip_any_finite(pairs in prop::collection::vec((finite(), finite()), 1..50)) {
        let (x, y): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let data = Dataset::new(x, y, "prop").expect("finite values");
        let back = round_trip(&data);
        for (a, b) in data.x.iter().chain(data.y.iter()).zip(back.x.iter().chain(back.y.iter())) {
            prop_assert_eq!(a.to_bits(), b.to_bits());
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Precision limits and bounded reads

#[test]
fn data_record_where_they_overflow_each_precision() {
    use descent::engine::Precision;
    use descent::engine::error::Location;
    let data = load_ok("scale.csv", "x,y\n1,2\n\n1e20,3\n1e200,4\n");
    let f32 = data.check_range(Precision::F32).expect_err("x² = 1e40 overflows f32");
    assert_eq!((f32.what, f32.at, f32.value), ("x²", Location::Line(4), 1e20));
    assert_eq!(f32.to_string(), "scale.csv: x² overflows f32 at line 4 (x = 1e+20)");
    let f64 = data.check_range(Precision::F64).expect_err("x² = 1e400 overflows f64");
    assert_eq!(f64.to_string(), "scale.csv: x² overflows f64 at line 5 (x = 1e+200)");
    // Every finite value still loads and round-trips: only runs refuse them.
    assert_eq!(xs(&data), [1.0, 1e20, 1e200]);
    let fine = load_ok("fine.csv", "x,y\n1,2\n1e15,-3e15\n");
    assert!(fine.check_range(Precision::F32).is_ok() && fine.check_range(Precision::F64).is_ok());
    let given = Dataset::new(vec![1.0, 2.0], vec![3.0, 1e39], "given").expect("finite");
    let err = given.check_range(Precision::F32).expect_err("1e39 is beyond f32");
    assert_eq!(err.to_string(), "given: y exceeds the f32 range at index 1 (y = 1e+39)");
}

#[test]
fn runs_refuse_data_their_precision_cannot_hold() {
    use descent::engine::trainer::DynTrainer;
    use descent::engine::{ConfigError, Precision, Settings};
    let data = load_ok("wide.csv", "1,2\n1e20,3\n");
    let f32 = Settings { precision: Precision::F32, ..Settings::default() };
    let err = DynTrainer::new(&data, &f32).expect_err("f32 cannot hold x²");
    assert!(matches!(err, ConfigError::Overflow(_)), "{err:?}");
    assert_eq!(err.to_string(), "wide.csv: x² overflows f32 at line 2 (x = 1e+20)");
    assert!(DynTrainer::new(&data, &Settings::default()).is_ok(), "f64 can");
}

#[test]
fn non_regular_files_are_refused_naming_the_file() {
    if Path::new("/dev/null").exists() {
        let err = Dataset::from_csv_path(Path::new("/dev/null")).expect_err("a device");
        assert_eq!(err.to_string(), "/dev/null: a device, not a regular file: give a CSV file");
    }
}

#[test]
fn files_past_the_size_limit_are_refused_before_reading() {
    use descent::engine::data::MAX_FILE_BYTES;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.csv");
    // A sparse file: nothing is written, and nothing may be read.
    std::fs::File::create(&path).and_then(|f| f.set_len(MAX_FILE_BYTES + 1)).expect("a sparse file");
    let err = Dataset::from_csv_path(&path).expect_err("too large");
    assert!(matches!(err, DataError::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().ends_with("huge.csv: larger than 512 MiB, the limit of a data file"), "{err}");
}

/// Counts the bytes the current thread holds allocated, and their peak, for the memory tests below.
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    pub struct Counting;

    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
        static PEAK: Cell<isize> = const { Cell::new(0) };
    }

    fn note(delta: isize) {
        // try_with: allocations while a thread is torn down are not counted.
        let _ = LIVE.try_with(|live| {
            let now = live.get() + delta;
            live.set(now);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        });
    }

    fn size(n: usize) -> isize {
        isize::try_from(n).unwrap_or(isize::MAX)
    }

    // SAFETY: every call is forwarded to the system allocator unchanged; only thread-local counters are updated.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: as the caller's contract.
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                note(size(layout.size()));
            }
            p
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: as the caller's contract.
            let p = unsafe { System.alloc_zeroed(layout) };
            if !p.is_null() {
                note(size(layout.size()));
            }
            p
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: as the caller's contract.
            unsafe { System.dealloc(ptr, layout) };
            note(-size(layout.size()));
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: as the caller's contract.
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                note(size(new_size) - size(layout.size()));
            }
            p
        }
    }

    /// What `f` returns, and the most bytes this thread held at once while it ran, beyond what it held before.
    pub fn peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
        let base = LIVE.with(Cell::get);
        PEAK.with(|p| p.set(base));
        let result = f();
        let peak = PEAK.with(Cell::get) - base;
        (result, usize::try_from(peak).unwrap_or(0))
    }
}

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

#[test]
fn blank_lines_reserve_no_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("blank.csv");
    let blank = "\n".repeat(1_000_000);
    std::fs::write(&path, &blank).expect("write");
    let (result, peak) = counting::peak(|| Dataset::from_csv_path(&path));
    assert!(matches!(result, Err(DataError::Empty { .. })), "{result:?}");
    // The text itself (1 MB) and the reader's buffer; nothing per line (16 MB for two columns of a million rows).
    assert!(peak < 4 << 20, "loading a million blank lines held {peak} bytes");
    let content = format!("x,y\n{blank}1,2\n{blank}");
    std::fs::write(&path, &content).expect("write");
    let (result, peak) = counting::peak(|| Dataset::from_csv_path(&path));
    assert_eq!(result.map(|d| d.len()).ok(), Some(1));
    assert!(peak < 8 << 20, "one row among two million blank lines held {peak} bytes");
}

/// A CSV separated by semicolons, tabs or bars is refused with the separator it uses named (it said only "expected 2
/// columns (x,y), found 1").
#[test]
fn another_separator_is_named() {
    for (text, name) in [("x;y\n1;2\n", "';'"), ("1\t2\n3\t4\n", "a tab"), ("1|2\n", "'|'")] {
        let err = Dataset::from_csv_reader(text.as_bytes(), std::path::Path::new("points.csv")).expect_err(text);
        let message = err.to_string();
        assert!(message.contains("found 1") && message.contains(name) && message.contains("comma"), "{message}");
    }
    let err = Dataset::from_csv_reader("1,2,3\n".as_bytes(), std::path::Path::new("p.csv")).expect_err("3 columns");
    assert_eq!(err.to_string(), "p.csv:1: expected 2 columns (x,y), found 3");
}
