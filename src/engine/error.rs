//! Typed engine errors. Each renders as one line that names what is wrong and where; the limits of a data file
//! ([`MAX_FILE_BYTES`], [`MAX_ROWS`]) live here, beside the messages that state them.

use std::path::PathBuf;

/// The largest data file read, in bytes (512 MiB): a file, or a reader, is never read past it.
pub const MAX_FILE_BYTES: u64 = 512 << 20;
/// The most rows a data file may hold (20 million: 320 MB as two columns of f64).
pub const MAX_ROWS: usize = 20_000_000;

/// A setting torch.optim (or the engine) refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A hyperparameter outside its valid range, e.g. a negative learning rate.
    #[error("invalid {name} {}: {reason}", repr(*.value))]
    Invalid {
        /// The option's name as the user types it (`--lr`).
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// Why, in plain words.
        reason: &'static str,
    },
    /// A combination of settings that cannot work together.
    #[error("{0}")]
    Conflict(&'static str),
    /// A value that the run's precision cannot hold: beyond its range, or so small that it rounds to 0
    /// ("--lr 1e-46 rounds to 0 in f32").
    #[error("{name} {} {reason}", repr(*.value))]
    Unrepresentable {
        /// The option's name as the user types it (`--lr`).
        name: &'static str,
        /// The value given.
        value: f64,
        /// Why, naming the precision: "exceeds the f32 range …" or "rounds to 0 in f32 …".
        reason: &'static str,
    },
    /// The data overflow the run's precision.
    #[error(transparent)]
    Overflow(#[from] OverflowError),
}

/// Data whose values, squares or sums leave a precision's range: every run on them would overflow at once.
/// "points.csv: x² overflows f64 at line 2 (x = 1e+200)", "points.csv: y exceeds the f32 range at line 3 (y = 1e+39)".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{name}: {what} {} at {at} ({column} = {})", leaves(.what, .precision), repr(*.value))]
pub struct OverflowError {
    /// The dataset's name (the file name for a CSV file).
    pub name: String,
    /// What overflows: `x`, `y` (the value itself), `x²`, `y²`, or the sums `Σx²`, `Σy²`.
    pub what: &'static str,
    /// "f32" or "f64".
    pub precision: &'static str,
    /// Where: the file's line, or the sample's index.
    pub at: Location,
    /// `x` or `y`: the column of the value shown.
    pub column: &'static str,
    /// The value at that place.
    pub value: f64,
}

/// Where a sample sits: a line of its CSV file, or an index for data given directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A 1-based line of the file.
    Line(u64),
    /// A 0-based index into x and y.
    Index(usize),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Line(line) => write!(f, "line {line}"),
            Location::Index(i) => write!(f, "index {i}"),
        }
    }
}

/// "exceeds the f32 range" for a value itself (`x`, `y`), "overflows f32" for a square or a sum.
fn leaves(what: &str, precision: &str) -> String {
    if matches!(what, "x" | "y") { format!("exceeds the {precision} range") } else { format!("overflows {precision}") }
}

/// The number formatter of messages.
fn repr(v: f64) -> String {
    crate::format::repr(v)
}

/// Why a dataset could not be loaded. Every variant names the file, and the line where one applies.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file is missing or unreadable.
    #[error("{path}: cannot read the file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Not a regular file: a FIFO, a device, a socket.
    #[error("{path}: {what}, not a regular file: give a CSV file")]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is ("a FIFO (named pipe)", "a device", …).
        what: &'static str,
    },
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("{path}: larger than {} MiB, the limit of a data file", MAX_FILE_BYTES >> 20)]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// More rows than [`MAX_ROWS`].
    #[error("{path}:{line}: more than {MAX_ROWS} rows, the limit of a data file")]
    TooManyRows {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first row past the limit.
        line: u64,
    },
    /// The file has no bytes (or only whitespace).
    #[error("{path}: the file is empty")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A header but no rows.
    #[error("{path}: no data rows (expected lines of x,y)")]
    NoRows {
        /// The file.
        path: PathBuf,
    },
    /// The file is not text.
    #[error("{path}:{line}: not a text CSV file (binary data)")]
    Binary {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
    },
    /// A row without exactly two fields.
    #[error("{path}:{line}: expected 2 columns (x,y), found {found}{separator}")]
    Columns {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// Fields found.
        found: usize,
        /// Where one field holds another separator (`;`, a tab, `|`): "; the separator here is ';' …", else empty.
        separator: String,
    },
    /// A field that is not a number.
    #[error("{path}:{line}: column {column} is not a number: {field:?}")]
    NotNumber {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// `x` or `y`.
        column: &'static str,
        /// The offending text.
        field: String,
    },
    /// NaN or ±inf.
    #[error("{path}:{line}: column {column} is not finite: {field:?}")]
    NotFinite {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// `x` or `y`.
        column: &'static str,
        /// The offending text.
        field: String,
    },
    /// Anything else the CSV reader reports.
    #[error("{path}:{line}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The reader's message.
        message: String,
    },
    /// `x` and `y` of different lengths (data given directly, not read from a file).
    #[error("{name}: x has {x_len} values but y has {y_len}")]
    Mismatched {
        /// The dataset's name.
        name: String,
        /// Number of x values.
        x_len: usize,
        /// Number of y values.
        y_len: usize,
    },
    /// No samples at all (data given directly, not read from a file).
    #[error("{name}: no samples")]
    NoSamples {
        /// The dataset's name.
        name: String,
    },
    /// NaN or ±inf in data given directly (not read from a file).
    #[error("{name}: {column}[{index}] is not finite ({})", repr(*.value))]
    NonFiniteValue {
        /// The dataset's name.
        name: String,
        /// `x` or `y`.
        column: &'static str,
        /// 0-based index of the value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// An unknown preset name.
    #[error("unknown data preset {0:?} (try notebook, noisy, outliers, large, or a CSV path)")]
    UnknownPreset(String),
}
