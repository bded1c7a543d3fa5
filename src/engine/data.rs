//! Datasets of (x, y) pairs: built-in presets and CSV files.
//!
//! CSV files hold two columns, x and y, with an optional header row (usually `x,y`). Loading reports every
//! problem as a [`DataError`] naming the file and, where one applies, the 1-based line.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use ndarray::Array1;

use crate::engine::error::{DataError, Location, OverflowError};
/// The limits of a data file (defined beside the messages that state them).
pub use crate::engine::error::{MAX_FILE_BYTES, MAX_ROWS};
use crate::engine::gaussian::Gaussian;
use crate::engine::real::Precision;

/// The built-in dataset names accepted by [`Dataset::preset`] and [`Dataset::load`].
pub const PRESETS: [&str; 4] = ["notebook", "noisy", "outliers", "large"];

/// One plain sentence describing a preset in [`PRESETS`]; the empty string for any other name.
pub fn preset_description(name: &str) -> &'static str {
    match canonical_preset(name) {
        Some("notebook") => "The notebook's four points on the line y = 3x, at x = 1, 2, 3, 4.",
        Some("noisy") => {
            "40 points on the line y = 3x + 1 for x from 0 to 4, with Gaussian noise of standard deviation 0.5."
        }
        Some("outliers") => {
            "20 points on y = 3x for x from 0.5 to 4, three pushed far above the line, where MAE and Huber beat MSE."
        }
        Some("large") => {
            "One million points on the line y = 3x for x evenly spaced from 0 to 1, as in the peer benchmark."
        }
        _ => "",
    }
}

/// Number of points in the `noisy` preset.
const NOISY_N: usize = 40;
/// Seed of the `noisy` preset's generator (never change it: the preset must stay the same everywhere).
const NOISY_SEED: u64 = 20_240_601;
/// Number of points in the `outliers` preset.
const OUTLIERS_N: usize = 20;
/// The `outliers` preset's gross outliers: (index, distance above the line y = 3x).
const OUTLIERS: [(usize, f64); 3] = [(4, 20.0), (10, 25.0), (15, 18.0)];
/// Number of points in the `large` preset.
const LARGE_N: usize = 1_000_000;
/// Longest offending text quoted in an error message, in characters.
const MAX_QUOTED_CHARS: usize = 40;

/// Paired samples x and y (always the same length, never empty, every value finite).
///
/// Values may be as large as f64 allows, but a run refuses data whose values, squares or sums overflow its
/// precision ([`Dataset::check_range`]): where that first happens is found once, when the dataset is made, so the
/// message can name the line of a CSV file.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Inputs.
    pub x: Array1<f64>,
    /// Targets.
    pub y: Array1<f64>,
    /// Where it came from: a preset name or a file name.
    pub name: String,
    /// Where the data first leave each precision's range (`None`, without an allocation, when they never do).
    overflows: Option<Box<Overflows>>,
}

impl PartialEq for Dataset {
    /// The same samples under the same name (where an overflow was found follows from the samples).
    fn eq(&self, other: &Self) -> bool {
        (&self.x, &self.y, &self.name) == (&other.x, &other.y, &other.name)
    }
}

impl Dataset {
    /// The notebook's data: X = [1, 2, 3, 4], Y = [3, 6, 9, 12].
    pub fn notebook() -> Self {
        Dataset {
            x: Array1::from(vec![1.0, 2.0, 3.0, 4.0]),
            y: Array1::from(vec![3.0, 6.0, 9.0, 12.0]),
            name: "notebook".into(),
            overflows: None,
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// True when there are no samples (a loaded dataset never is).
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// A dataset from raw vectors, checked: the same length, at least one sample, every value finite.
    ///
    /// # Errors
    /// [`DataError::Mismatched`], [`DataError::NoSamples`] or [`DataError::NonFiniteValue`] (the first bad value,
    /// x before y).
    pub fn new(x: Vec<f64>, y: Vec<f64>, name: impl Into<String>) -> Result<Dataset, DataError> {
        let name = name.into();
        if x.len() != y.len() {
            return Err(DataError::Mismatched { name, x_len: x.len(), y_len: y.len() });
        }
        if x.is_empty() {
            return Err(DataError::NoSamples { name });
        }
        for (column, values) in [("x", &x), ("y", &y)] {
            if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(DataError::NonFiniteValue { name, column, index, value });
            }
        }
        let mut limits = Limits::default();
        for (i, (&xi, &yi)) in x.iter().zip(&y).enumerate() {
            limits.add(xi, yi, || Location::Index(i));
        }
        Ok(Dataset { x: Array1::from(x), y: Array1::from(y), name, overflows: limits.found() })
    }

    /// Refuses data that a run in `precision` cannot hold: a value beyond its range, a square x² or y² that
    /// overflows it (and so would the loss and the gradient at once), or sums Σx², Σy² that do. Trainers call it.
    ///
    /// # Errors
    /// [`OverflowError`] naming the dataset, what overflows and the first line (or index) where it does.
    pub fn check_range(&self, precision: Precision) -> Result<(), OverflowError> {
        let found = self.overflows.as_ref().and_then(|o| match precision {
            Precision::F32 => o.f32,
            Precision::F64 => o.f64,
        });
        match found {
            None => Ok(()),
            Some(o) => Err(OverflowError {
                name: self.name.clone(),
                what: o.what,
                precision: precision.label(),
                at: o.at,
                column: o.column,
                value: o.value,
            }),
        }
    }

    /// The largest |x| and |y| (the data's scale, for messages).
    pub fn scale(&self) -> (f64, f64) {
        let max_abs = |v: &Array1<f64>| v.iter().fold(0.0f64, |m, &a| m.max(a.abs()));
        (max_abs(&self.x), max_abs(&self.y))
    }

    /// A built-in dataset by name (one of [`PRESETS`], case-insensitive); see [`preset_description`].
    ///
    /// # Errors
    /// [`DataError::UnknownPreset`] for any other name.
    pub fn preset(name: &str) -> Result<Dataset, DataError> {
        let canonical = canonical_preset(name);
        let mut data = match canonical {
            Some("notebook") => Self::notebook(),
            Some("noisy") => Self::noisy_line(NOISY_N, 3.0, 1.0, 0.5, NOISY_SEED)?,
            Some("outliers") => Self::outliers()?,
            Some("large") => Self::line(LARGE_N, 3.0)?,
            _ => return Err(DataError::UnknownPreset(name.to_owned())),
        };
        if let Some(canonical) = canonical {
            canonical.clone_into(&mut data.name);
        }
        Ok(data)
    }

    /// `n` points on the line y = slope·x + intercept for x evenly spaced from 0 to 4 (both ends included),
    /// plus Gaussian noise of standard deviation `sigma`.
    ///
    /// The noise is [`Gaussian`]'s, seeded with `seed`: a polar Box–Muller transform that uses only IEEE-exact
    /// arithmetic, so the same arguments give bit-for-bit the same data on every machine.
    ///
    /// # Errors
    /// [`DataError::NoSamples`] when `n` is 0, [`DataError::NonFiniteValue`] when a parameter is not finite.
    pub fn noisy_line(n: usize, slope: f64, intercept: f64, sigma: f64, seed: u64) -> Result<Dataset, DataError> {
        let x = linspace(0.0, 4.0, n);
        let mut noise = Gaussian::new(seed);
        let y = x.iter().map(|&xi| slope * xi + intercept + sigma * noise.sample()).collect();
        Self::new(x, y, format!("noisy line (n = {n}, seed {seed})"))
    }

    /// `n` points on the line y = slope·x for x evenly spaced from 0 to 1 (both ends included), computed as
    /// NumPy's `linspace(0, 1, n)` and `slope * x` compute them.
    ///
    /// # Errors
    /// [`DataError::NoSamples`] when `n` is 0, [`DataError::NonFiniteValue`] when `slope` is not finite.
    pub fn line(n: usize, slope: f64) -> Result<Dataset, DataError> {
        let x = linspace(0.0, 1.0, n);
        let y = x.iter().map(|&xi| slope * xi).collect();
        Self::new(x, y, format!("line (n = {n})"))
    }

    /// The `outliers` preset: y = 3x at 20 points from 0.5 to 4, three of them far above the line.
    fn outliers() -> Result<Dataset, DataError> {
        let x = linspace(0.5, 4.0, OUTLIERS_N);
        let mut y: Vec<f64> = x.iter().map(|&xi| 3.0 * xi).collect();
        for (index, above) in OUTLIERS {
            if let Some(yi) = y.get_mut(index) {
                *yi += above;
            }
        }
        Self::new(x, y, "outliers")
    }

    /// A preset name (see [`PRESETS`]) or else the path of a CSV file.
    ///
    /// # Errors
    /// [`DataError::UnknownPreset`] when `spec` is a bare word (no `/`, `\` or `.`) that is neither a preset
    /// nor an existing file; otherwise any error of [`Dataset::from_csv_path`].
    pub fn load(spec: &str) -> Result<Dataset, DataError> {
        if canonical_preset(spec).is_some() {
            return Self::preset(spec);
        }
        let path = Path::new(spec);
        if !path.exists() && !spec.contains(['/', '\\', '.']) {
            return Err(DataError::UnknownPreset(spec.to_owned()));
        }
        Self::from_csv_path(path)
    }

    /// Reads a two-column CSV file; the dataset is named after the file.
    ///
    /// See [`Dataset::from_csv_reader`] for the format. Only a regular file is read (a FIFO would block, a device
    /// such as /dev/zero never ends), and only up to [`MAX_FILE_BYTES`].
    ///
    /// # Errors
    /// [`DataError::Io`] when the file is missing or unreadable or a directory, [`DataError::NotAFile`] for a FIFO,
    /// device or socket, [`DataError::TooLarge`] past [`MAX_FILE_BYTES`], and every error of
    /// [`Dataset::from_csv_reader`].
    pub fn from_csv_path(path: &Path) -> Result<Dataset, DataError> {
        let io_error = |source| DataError::Io { path: path.to_owned(), source };
        // Checked before opening: opening a FIFO blocks until some other process writes to it.
        regular_file(&std::fs::metadata(path).map_err(io_error)?, path)?;
        let file = File::open(path).map_err(io_error)?;
        // And checked again on what was opened, in case the path changed in between.
        let metadata = file.metadata().map_err(io_error)?;
        regular_file(&metadata, path)?;
        if metadata.len() > MAX_FILE_BYTES {
            return Err(DataError::TooLarge { path: path.to_owned() });
        }
        let bytes = read_capped(file, metadata.len(), path)?;
        parse_csv(&bytes, path)
    }

    /// Reads two-column CSV text from `reader` (to its end); `path_for_messages` names the source in errors
    /// and in the dataset's name.
    ///
    /// Format: rows `x,y` of decimal numbers (anything Rust's `f64` parser accepts, except NaN and infinities),
    /// optionally after one header row whose two fields are both non-numeric (usually `x,y`). Whitespace
    /// around fields, CRLF line ends, a UTF-8 byte-order mark, quoted fields and blank lines are accepted.
    ///
    /// # Errors
    /// With the 1-based line where one applies: [`DataError::Empty`] (no bytes, or only whitespace),
    /// [`DataError::NoRows`] (a header only), [`DataError::Binary`] (a NUL or other control byte, or invalid
    /// UTF-8), [`DataError::Columns`] (a row without exactly two fields), [`DataError::NotNumber`],
    /// [`DataError::NotFinite`], [`DataError::TooManyRows`] past [`MAX_ROWS`]; [`DataError::TooLarge`] past
    /// [`MAX_FILE_BYTES`] (nothing beyond that is read); [`DataError::Io`] when the reader fails.
    pub fn from_csv_reader(reader: impl Read, path_for_messages: &Path) -> Result<Dataset, DataError> {
        let bytes = read_capped(reader, 0, path_for_messages)?;
        parse_csv(&bytes, path_for_messages)
    }

    /// Writes the dataset as CSV: a header `x,y`, then one row per sample.
    ///
    /// Every value is written as [`crate::format::repr`] writes it (Python's repr: shortest round-trip digits,
    /// `1e-05` below 1e-4 and `1e+16` from 1e16, integral values without `.0`), so reading the text back gives
    /// bit-for-bit the same numbers, -0.0 included. The writer is buffered internally.
    ///
    /// # Errors
    /// Any error of the underlying writer.
    pub fn write_csv(&self, w: impl Write) -> io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 16, w);
        w.write_all(b"x,y\n")?;
        for (&x, &y) in self.x.iter().zip(self.y.iter()) {
            write_float(&mut w, x)?;
            w.write_all(b",")?;
            write_float(&mut w, y)?;
            w.write_all(b"\n")?;
        }
        w.flush()
    }

    /// Writes the dataset as a CSV file (see [`Dataset::write_csv`]) atomically, to a new path or over a regular
    /// file the user may write ([`crate::files::write_atomically`]).
    ///
    /// # Errors
    /// [`DataError::Io`] when the target is not ours to replace or the file cannot be written.
    pub fn to_csv_path(&self, path: &Path) -> Result<(), DataError> {
        let io_error = |source| DataError::Io { path: path.to_owned(), source };
        let mut bytes = Vec::new();
        self.write_csv(&mut bytes).map_err(io_error)?;
        crate::files::write_atomically(path, &bytes).map_err(io_error)
    }
}

/// The separator a one-field CSV row uses instead of a comma, as a message names it (`';'`, `a tab`, `'|'`).
fn other_separator(record: &csv::ByteRecord) -> Option<&'static str> {
    let only = record.get(0).filter(|_| record.len() == 1)?;
    [(b';', "';'"), (b'\t', "a tab"), (b'|', "'|'")].into_iter().find(|(c, _)| only.contains(c)).map(|(_, name)| name)
}

/// Refuses anything but a regular file (following symbolic links): a directory as the I/O error reading it would
/// give, a FIFO, device or socket naming what it is.
fn regular_file(metadata: &std::fs::Metadata, path: &Path) -> Result<(), DataError> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(());
    }
    if kind.is_dir() {
        let source = io::Error::new(io::ErrorKind::IsADirectory, "it is a directory");
        return Err(DataError::Io { path: path.to_owned(), source });
    }
    Err(DataError::NotAFile { path: path.to_owned(), what: special_file(&kind) })
}

/// What a special file is: a FIFO, a device, a socket.
#[cfg(unix)]
fn special_file(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// What a special file is (other platforms do not say).
#[cfg(not(unix))]
fn special_file(_kind: &std::fs::FileType) -> &'static str {
    "not a regular file"
}

/// Reads `reader` to its end, but never more than [`MAX_FILE_BYTES`]; `size_hint` (the file's size, or 0) sizes the
/// buffer.
fn read_capped(reader: impl Read, size_hint: u64, path: &Path) -> Result<Vec<u8>, DataError> {
    let capacity = usize::try_from(size_hint.min(MAX_FILE_BYTES)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    // One byte past the limit tells a file at the limit from a longer one.
    reader
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| DataError::Io { path: path.to_owned(), source })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(DataError::TooLarge { path: path.to_owned() });
    }
    Ok(bytes)
}

/// The preset in [`PRESETS`] that `name` spells (ignoring case and surrounding whitespace).
fn canonical_preset(name: &str) -> Option<&'static str> {
    let name = name.trim();
    PRESETS.into_iter().find(|p| p.eq_ignore_ascii_case(name))
}

/// `n` evenly spaced values from `start` to `stop` inclusive, computed as NumPy's `linspace` does
/// (`i * step + start`, the last value exactly `stop`).
fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    let step = if n > 1 { (stop - start) / (n - 1) as f64 } else { 0.0 };
    let mut values: Vec<f64> = (0..n).map(|i| i as f64 * step + start).collect();
    if n > 1
        && let Some(last) = values.last_mut()
    {
        *last = stop;
    }
    values
}

/// Writes one float as [`crate::format::repr`] does: shortest round-trip digits, exponent form below 1e-4 and
/// from 1e16 (never a long run of zeros).
fn write_float(w: &mut impl Write, v: f64) -> io::Result<()> {
    w.write_all(crate::format::repr(v).as_bytes())
}

/// Where a dataset first leaves the range of f32 and of f64.
#[derive(Clone, Copy, Debug, Default)]
struct Overflows {
    /// The first overflow in f32 (values rounded to f32, squares in f32).
    f32: Option<Overflow>,
    /// The first overflow in f64.
    f64: Option<Overflow>,
}

/// Finds [`Overflows`] sample by sample as a dataset is made.
#[derive(Debug, Default)]
struct Limits {
    /// What was found so far.
    found: Overflows,
    /// Running Σx², Σy² of the values rounded to f32, then of the f64 values (in f64 either way).
    sums: [[f64; 2]; 2],
}

/// What overflows, where, and the value there.
#[derive(Clone, Copy, Debug)]
struct Overflow {
    what: &'static str,
    column: &'static str,
    value: f64,
    at: Location,
}

impl Limits {
    /// What was found, boxed (`None` when the data fit both precisions).
    fn found(self) -> Option<Box<Overflows>> {
        (self.found.f32.is_some() || self.found.f64.is_some()).then(|| Box::new(self.found))
    }

    /// Checks one more sample; `at` locates it (called only when a new overflow is found there).
    fn add(&mut self, x: f64, y: f64, at: impl Fn() -> Location) {
        if self.found.f32.is_none() {
            let (xr, yr) = (x as f32, y as f32);
            let fits = |v: f64| (v as f32).is_finite();
            let squares = [xr * xr, yr * yr].map(f64::from);
            let problem = overflow(x, y, [xr.is_finite(), yr.is_finite()], squares, fits)
                .or_else(|| sums_overflow(&mut self.sums[0], [x, y], squares, fits));
            self.found.f32 = problem.map(|(what, column, value)| Overflow { what, column, value, at: at() });
        }
        if self.found.f64.is_none() {
            let squares = [x * x, y * y];
            let problem = overflow(x, y, [true, true], squares, f64::is_finite)
                .or_else(|| sums_overflow(&mut self.sums[1], [x, y], squares, f64::is_finite));
            self.found.f64 = problem.map(|(what, column, value)| Overflow { what, column, value, at: at() });
        }
    }
}

/// (what, column, value) when a value or its square overflows; `fits` says whether a square stays finite.
fn overflow(
    x: f64,
    y: f64,
    values_fit: [bool; 2],
    squares: [f64; 2],
    fits: impl Fn(f64) -> bool,
) -> Option<(&'static str, &'static str, f64)> {
    match (values_fit, squares.map(fits)) {
        ([false, _], _) => Some(("x", "x", x)),
        ([_, false], _) => Some(("y", "y", y)),
        (_, [false, _]) => Some(("x²", "x", x)),
        (_, [_, false]) => Some(("y²", "y", y)),
        _ => None,
    }
}

/// Adds the squares to the running sums Σx², Σy²; (what, column, value) once a sum overflows.
fn sums_overflow(
    sums: &mut [f64; 2],
    [x, y]: [f64; 2],
    squares: [f64; 2],
    fits: impl Fn(f64) -> bool,
) -> Option<(&'static str, &'static str, f64)> {
    sums[0] += squares[0];
    sums[1] += squares[1];
    if !fits(sums[0]) {
        Some(("Σx²", "x", x))
    } else if !fits(sums[1]) {
        Some(("Σy²", "y", y))
    } else {
        None
    }
}

/// The CSV parser behind [`Dataset::from_csv_reader`] and [`Dataset::from_csv_path`], over the whole text.
///
/// The text is held in memory so that an error can name the line where its record starts: the `csv` crate's
/// positions do not count the blank lines it skips.
fn parse_csv(bytes: &[u8], path: &Path) -> Result<Dataset, DataError> {
    parse_csv_rows(bytes, path, MAX_ROWS)
}

/// [`parse_csv`] with at most `max_rows` rows.
fn parse_csv_rows(bytes: &[u8], path: &Path, max_rows: usize) -> Result<Dataset, DataError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        // Fields are trimmed here rather than by the reader, whose trimming allocates a new record per row.
        .trim(csv::Trim::None)
        .buffer_capacity(1 << 16)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    // A row takes a line and holds a comma: count both once (fast scans) rather than regrow the vectors, and
    // reserve nothing for blank lines.
    let rows = (count_byte(bytes, b'\n') + 1).min(count_byte(bytes, b',')).min(max_rows);
    let mut x = Vec::with_capacity(rows);
    let mut y = Vec::with_capacity(rows);
    let mut limits = Limits::default();
    let mut first_record = true;
    let mut seen_content = false;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&e, bytes, path)),
        }
        // Only for errors: the line where the record starts.
        let line = || line_of_record(bytes, record.position());
        if is_binary(record.as_slice()) {
            return Err(DataError::Binary { path: path.to_owned(), line: line() });
        }
        let strip_bom = std::mem::take(&mut first_record);
        let field = |i: usize| {
            let raw = record.get(i).unwrap_or_default();
            let raw = if i == 0 && strip_bom { raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw) } else { raw };
            raw.trim_ascii()
        };
        if record.len() == 1 && field(0).is_empty() {
            continue; // a line of whitespace only
        }
        if record.len() != 2 {
            let separator = other_separator(&record).map_or(String::new(), |sep| {
                format!(": the fields are separated by {sep}, and descent reads comma-separated x,y")
            });
            return Err(DataError::Columns { path: path.to_owned(), line: line(), found: record.len(), separator });
        }
        let (fx, fy) = (field(0), field(1));
        if !std::mem::replace(&mut seen_content, true) && is_header(fx, fy) {
            continue;
        }
        if x.len() == max_rows {
            return Err(DataError::TooManyRows { path: path.to_owned(), line: line() });
        }
        let xv = parse_field(fx, "x").map_err(|e| e.into_error(path, line()))?;
        let yv = parse_field(fy, "y").map_err(|e| e.into_error(path, line()))?;
        limits.add(xv, yv, || Location::Line(line()));
        x.push(xv);
        y.push(yv);
    }
    if !seen_content {
        return Err(DataError::Empty { path: path.to_owned() });
    }
    if x.is_empty() {
        return Err(DataError::NoRows { path: path.to_owned() });
    }
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    Ok(Dataset { x: Array1::from(x), y: Array1::from(y), name, overflows: limits.found() })
}

/// The 1-based line where the record read from `position` starts: skips the line ends the reader passed over
/// (blank lines), then counts the line ends before it (`\n`, `\r\n` or a lone `\r`).
fn line_of_record(bytes: &[u8], position: Option<&csv::Position>) -> u64 {
    let from = position.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX)).min(bytes.len());
    let skipped = bytes.get(from..).unwrap_or_default().iter().take_while(|&&b| b == b'\n' || b == b'\r').count();
    let before = bytes.get(..from + skipped).unwrap_or(bytes);
    let mut line = 1;
    let mut after_cr = false;
    for &b in before {
        // A CR ends a line unless an LF follows it; the LF then ends that line.
        if after_cr && b != b'\n' {
            line += 1;
        }
        if b == b'\n' {
            line += 1;
        }
        after_cr = b == b'\r';
    }
    line
}

/// True when a record's bytes cannot be CSV text: a control byte other than whitespace (tab, LF, VT, FF,
/// CR), DEL, or invalid UTF-8.
fn is_binary(bytes: &[u8]) -> bool {
    // One branch-free pass, which the compiler vectorises; UTF-8 is validated only when a byte is not ASCII.
    let (mut control, mut non_ascii) = (false, false);
    for &b in bytes {
        control |= ((b < 0x20) & (b.wrapping_sub(b'\t') >= 5)) | (b == 0x7f);
        non_ascii |= b >= 0x80;
    }
    control || (non_ascii && std::str::from_utf8(bytes).is_err())
}

/// Number of bytes equal to `byte`, counted in chunks whose per-byte sums fit a `u8` (so the count vectorises well).
fn count_byte(bytes: &[u8], byte: u8) -> usize {
    bytes.chunks(255).map(|chunk| usize::from(chunk.iter().map(|&b| u8::from(b == byte)).sum::<u8>())).sum()
}

/// True when the first row's trimmed fields read as a header: both non-empty and neither a number.
fn is_header(fx: &[u8], fy: &[u8]) -> bool {
    let is_name = |f: &[u8]| !f.is_empty() && std::str::from_utf8(f).is_ok_and(|s| s.parse::<f64>().is_err());
    is_name(fx) && is_name(fy)
}

/// Why a field is not a usable number; completed into a [`DataError`] with the file and line.
enum FieldError {
    /// Not valid UTF-8.
    Binary,
    /// Not a number: the column and the text.
    NotNumber(&'static str, String),
    /// NaN or ±inf: the column and the text.
    NotFinite(&'static str, String),
}

impl FieldError {
    /// The full error, naming the file and line.
    fn into_error(self, path: &Path, line: u64) -> DataError {
        let path = path.to_owned();
        match self {
            FieldError::Binary => DataError::Binary { path, line },
            FieldError::NotNumber(column, field) => DataError::NotNumber { path, line, column, field },
            FieldError::NotFinite(column, field) => DataError::NotFinite { path, line, column, field },
        }
    }
}

/// One trimmed field as a finite number.
fn parse_field(field: &[u8], column: &'static str) -> Result<f64, FieldError> {
    let Ok(text) = std::str::from_utf8(field) else {
        return Err(FieldError::Binary);
    };
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(FieldError::NotFinite(column, quoted(text))),
        Err(_) => Err(FieldError::NotNumber(column, quoted(text))),
    }
}

/// The offending text for an error message, cut to [`MAX_QUOTED_CHARS`] characters.
fn quoted(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// A CSV reader error as a [`DataError`] (reading from memory, the reader has no I/O to fail).
fn csv_error(e: &csv::Error, bytes: &[u8], path: &Path) -> DataError {
    let line = line_of_record(bytes, e.position());
    DataError::Csv { path: path.to_owned(), line, message: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_past_the_limit_are_refused_naming_the_line() {
        let path = Path::new("rows.csv");
        assert_eq!(parse_csv_rows(b"x,y\n1,2\n\n3,4\n", path, 2).map(|d| d.len()).ok(), Some(2));
        let err = parse_csv_rows(b"x,y\n1,2\n\n3,4\n5,6\n", path, 2).expect_err("3 rows, 2 allowed");
        assert!(matches!(err, DataError::TooManyRows { line: 5, .. }), "{err:?}");
        assert_eq!(
            DataError::TooManyRows { path: path.to_owned(), line: 5 }.to_string(),
            "rows.csv:5: more than 20000000 rows, the limit of a data file"
        );
    }

    #[test]
    fn overflows_are_found_once_per_precision() {
        let data = Dataset::new(vec![1.0, 1e20, 1e200], vec![0.0, 0.0, 0.0], "mine").expect("finite");
        assert!(data.check_range(Precision::F32).is_err_and(|e| e.at == Location::Index(1) && e.what == "x²"));
        assert!(data.check_range(Precision::F64).is_err_and(|e| e.at == Location::Index(2)));
        assert!(Dataset::notebook().check_range(Precision::F32).is_ok());
        assert!(Dataset::notebook().overflows.is_none(), "no allocation when the data fit");
    }

    #[test]
    fn linspace_ends_exactly() {
        assert_eq!(linspace(0.0, 1.0, 1), vec![0.0]);
        assert_eq!(linspace(0.0, 4.0, 5), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        let v = linspace(0.5, 4.0, 20);
        assert_eq!((v[0], v[19]), (0.5, 4.0));
        assert!(linspace(0.0, 1.0, 0).is_empty());
    }
}
