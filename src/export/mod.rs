//! Taking results away: runs as CSV (the `trace` format) or JSON, and the descent as an animated GIF (drawn by
//! tiny-skia and ab_glyph: [`gif`] encodes, `layout` places the parts of a frame, `scene` composes it, `backdrop`
//! and `inset` draw it through `paint` and `text`, in the colours of `theme`), and exercise sheets with their keys
//! as printable HTML or Markdown ([`sheet`]).
//!
//! Every function here works on plain engine values (settings and recorded rows), with no UI dependency, so the
//! app and the command line share them. The `*_file` functions render into memory and then write the file
//! atomically (see [`write_file`]): an export that fails half way never leaves a truncated file behind, and each
//! reports where it wrote and how much as an [`ExportReport`].

mod backdrop;
pub mod basins;
pub mod gif;
mod inset;
mod layout;
mod paint;
mod scene;
pub mod sheet;
mod text;
mod theme;
pub mod torch;
pub mod trace;

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::engine::ConfigError;
use crate::engine::settings::Settings;
use crate::engine::trainer::Row;

pub use self::gif::{
    GifInfo, GifOptions, GifRun, animate_run, check_shared_picture, export_gif_file, export_gif_file_with_progress,
    export_runs_gif_file, frame_rows, frame_states, render_descent_frame, render_descent_gif,
    render_descent_gif_with_progress, render_runs_frame, render_runs_gif,
};
pub use self::theme::GifTheme;
pub use self::trace::{export_csv_file, export_json_file, trace_csv, trace_json, write_trace_csv, write_trace_json};

/// One run to export: its name (shown in multi-run files), the settings that produced it, and its rows (usually
/// the initial state at step 0 followed by one row per update, as `descent trace` prints them).
#[derive(Clone, Copy, Debug)]
pub struct RunExport<'a> {
    /// The run's name, e.g. "SGD lr 0.1".
    pub name: &'a str,
    /// The settings that produced the rows (their precision decides how numbers are printed).
    pub settings: &'a Settings,
    /// The recorded states, widened to f64, each with the lr of the update leaving it.
    pub rows: &'a [Row],
}

/// Why an export failed. Each renders as one line, naming the file when there is one.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// An option outside its valid range, e.g. 0 frames.
    #[error("invalid {option} {value}: {reason}")]
    InvalidOption {
        /// The option's name, e.g. `frames`.
        option: &'static str,
        /// The rejected value, as text.
        value: String,
        /// Why, in plain words.
        reason: &'static str,
    },
    /// Nothing to export: no runs, or a run without rows.
    #[error("nothing to export: {0}")]
    Nothing(String),
    /// The run's settings are invalid, so its landscape cannot be drawn.
    #[error("invalid run settings: {0}")]
    Config(#[from] ConfigError),
    /// Writing to a stream (not a named file) failed.
    #[error("writing the export: {0}")]
    Stream(#[source] io::Error),
    /// Serialising to JSON failed.
    #[error("encoding JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Runs that cannot share one picture (another problem, so another landscape).
    #[error("runs {first} and {second} cannot share one picture: {why}")]
    Incompatible {
        /// The first run's name, quoted.
        first: String,
        /// The run that differs from it, quoted.
        second: String,
        /// How, e.g. "with a bias against without a bias".
        why: String,
    },
    /// The GIF encoder refused a frame.
    #[error("encoding the GIF: {0}")]
    Gif(String),
    /// A file could not be written.
    #[error("{path}: cannot write the file: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

impl From<io::Error> for ExportError {
    fn from(e: io::Error) -> Self {
        ExportError::Stream(e)
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => ExportError::Stream(io),
            // The writer only fails on I/O; anything else is still reported, as a stream error.
            other => ExportError::Stream(io::Error::other(format!("{other:?}"))),
        }
    }
}

/// Where an export was written and how big it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportReport {
    /// The file written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

impl fmt::Display for ExportReport {
    /// "wrote /tmp/run.gif (123.4 KiB)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wrote {} ({})", self.path.display(), human_size(self.bytes))
    }
}

/// A byte count for people: "512 B", "123.4 KiB", "2.0 MiB".
pub fn human_size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else if b < KIB * KIB * KIB {
        format!("{:.1} MiB", b / (KIB * KIB))
    } else {
        format!("{:.1} GiB", b / (KIB * KIB * KIB))
    }
}

/// Writes `bytes` to `path` atomically ([`crate::files::write_atomically`]: a new path or a regular file the user
/// may write, never through a link or onto a device), and reports the size.
///
/// # Errors
/// [`ExportError::File`] naming `path` when the target is not ours to replace, or the temporary file cannot be
/// created, written or renamed; the previous file at `path`, if any, is then left as it was.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<ExportReport, ExportError> {
    crate::files::write_atomically(path, bytes)
        .map_err(|source| ExportError::File { path: path.to_owned(), source })?;
    Ok(ExportReport { path: path.to_owned(), bytes: bytes.len() as u64 })
}

/// A writer that counts the bytes passing through it (the GIF encoder streams, and reports its size).
pub(crate) struct CountingWriter<W> {
    /// The destination.
    pub(crate) inner: W,
    /// Bytes written so far.
    pub(crate) count: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(126_362), "123.4 KiB");
        assert_eq!(human_size(3 << 20), "3.0 MiB");
        let r = ExportReport { path: PathBuf::from("/tmp/run.gif"), bytes: 126_362 };
        assert_eq!(r.to_string(), "wrote /tmp/run.gif (123.4 KiB)");
    }
}
