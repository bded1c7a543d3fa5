//! Runs as CSV in the format of `descent trace` (one run), or with a leading `run` column (several runs), and as
//! JSON with each run's name, settings and rows.
//!
//! Each row ends with `lr`: the learning rate that the update leaving it uses (on the last row, the one the next
//! update would use), as torch's param group reports it: a schedule's value, Adagrad's lr decay and Adam's bias
//! corrections not folded in. JSON rows also carry OneCycleLR's or CyclicLR's cycled `momentum` (SGD, RMSprop) or
//! `beta1` (Adam, AdamW).
//!
//! Numbers are printed as the command line prints them: [`crate::format::repr_in`], Python's repr (shortest
//! round-trip, `1e-05` below 1e-4 and `1e+16` from 1e16, integral values without `.0`) of the f64, or of the f32
//! for an f32 run (0.45, not 0.449999988079071). Parsing the text back gives the recorded values bit for bit.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::{ExportError, ExportReport, RunExport, write_file};
use crate::engine::optim::{OptimState, OptimizerKind};
use crate::engine::scaling::Scaling;
use crate::engine::schedule::Scheduled;
use crate::engine::settings::{Precision, Settings};
use crate::engine::trainer::{Record, Row};
use crate::engine::{Params, Real};

/// The columns of `descent trace --format csv`, in order.
pub const TRACE_COLUMNS: [&str; 7] = ["step", "w", "b", "loss", "grad_w", "grad_b", "lr"];

/// The value of the `format` field of a JSON export.
pub const JSON_FORMAT: &str = "descent-runs";
/// The version of the JSON export layout.
pub const JSON_VERSION: u32 = 1;

/// Formats a value in the run's precision, exactly as `descent trace` does.
fn num(v: f64, precision: Precision) -> String {
    // The row holds an f32 widened to f64; narrowing it back is exact.
    crate::format::repr_in(v, precision == Precision::F32)
}

/// The seven trace fields of one row, in [`TRACE_COLUMNS`] order (`descent trace` prints them too).
pub fn fields(r: &Row, p: Precision) -> [String; 7] {
    [
        r.step.to_string(),
        num(r.params.w, p),
        num(r.params.b, p),
        num(r.loss, p),
        num(r.grad.w, p),
        num(r.grad.b, p),
        num(r.scheduled.lr, p),
    ]
}

/// Appends the seven trace fields of one row (its record, and the lr of the update leaving it) to `line`,
/// comma-separated, without allocating: `descent trace`'s rows.
pub fn push_row(line: &mut String, r: &Record<f64>, lr: f64, p: Precision) {
    use std::fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = write!(line, "{}", r.step);
    for v in [r.params.w, r.params.b, r.loss, r.grad.w, r.grad.b, lr] {
        line.push(',');
        let _ = crate::format::write_repr(line, v, p == Precision::F32);
    }
}

/// Writes runs as CSV: exactly the `trace` format (`step,w,b,loss,grad_w,grad_b,lr`) for one run, and with a leading
/// `run` column holding each run's name (control characters escaped as `\u{1b}`, quoted where the name needs it)
/// for several.
///
/// # Errors
/// [`ExportError::Nothing`] for an empty slice; [`ExportError::Stream`] when writing fails.
pub fn write_trace_csv(runs: &[RunExport<'_>], out: impl Write) -> Result<(), ExportError> {
    if runs.is_empty() {
        return Err(ExportError::Nothing("no runs".into()));
    }
    let with_run = runs.len() > 1;
    // The csv crate's default is '\n' line ends and quoting only where needed: the trace format byte for byte.
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(out);
    if with_run {
        w.write_field("run")?;
    }
    w.write_record(TRACE_COLUMNS)?;
    for run in runs {
        let p = run.settings.precision;
        // A name is the user's (or a session file's) text: written for a terminal, its control characters are
        // escaped, so that a name cannot retitle or clear the terminal that reads the CSV.
        let name = crate::format::escape_controls(run.name);
        for r in run.rows {
            if with_run {
                w.write_field(&name)?;
            }
            w.write_record(fields(r, p))?;
        }
    }
    w.flush()?;
    Ok(())
}

/// The CSV of [`write_trace_csv`] as a string.
///
/// # Errors
/// As [`write_trace_csv`].
pub fn trace_csv(runs: &[RunExport<'_>]) -> Result<String, ExportError> {
    let mut bytes = Vec::new();
    write_trace_csv(runs, &mut bytes)?;
    // Everything written is ASCII digits and the runs' own (UTF-8) names.
    String::from_utf8(bytes).map_err(|e| ExportError::Stream(std::io::Error::other(e)))
}

/// Writes the CSV of [`write_trace_csv`] to `path` atomically.
///
/// # Errors
/// As [`write_trace_csv`], and [`ExportError::File`] naming `path`.
pub fn export_csv_file(path: &Path, runs: &[RunExport<'_>]) -> Result<ExportReport, ExportError> {
    write_file(path, trace_csv(runs)?.as_bytes())
}

/// One row in JSON; `F` is f32 for f32 runs so that they print in float32's shortest form.
#[derive(Serialize)]
#[serde(bound = "F: Real + Serialize")]
pub struct JsonRow<F> {
    step: u64,
    w: F,
    b: F,
    loss: F,
    grad_w: F,
    grad_b: F,
    /// The lr the update leaving this row uses.
    lr: F,
    /// The cycled momentum (SGD, RMSprop), when it cycles it.
    #[serde(skip_serializing_if = "Option::is_none")]
    momentum: Option<F>,
    /// The cycled β₁ (Adam, AdamW), when it cycles it.
    #[serde(skip_serializing_if = "Option::is_none")]
    beta1: Option<F>,
    /// The optimizer's state after this row's updates (`descent trace --format json`; absent from exports).
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<JsonState<F>>,
    /// A standardized run's w in the scaled space (`w` is then the original space's).
    #[serde(skip_serializing_if = "Option::is_none")]
    w_scaled: Option<F>,
    /// A standardized run's b in the scaled space.
    #[serde(skip_serializing_if = "Option::is_none")]
    b_scaled: Option<F>,
}

impl<F: Real> JsonRow<F> {
    /// Under `scaling`, `w`, `b` become the original space's and the scaled ones move to `w_scaled`, `b_scaled`.
    fn scaled(self, scaling: Option<Scaling>) -> Self {
        let Some(s) = scaling else { return self };
        let p = s.to_original(Params { w: self.w.to_f64(), b: self.b.to_f64() });
        JsonRow { w: F::from_f64(p.w), b: F::from_f64(p.b), w_scaled: Some(self.w), b_scaled: Some(self.b), ..self }
    }
}

/// An optimizer's state as torch's `optimizer.state`: `{"w": {"step": 3, "exp_avg": …}, "b": {…}}`, with `"b"`
/// only for a model with a bias; values in the run's precision, `step` as an integer.
pub struct JsonState<F> {
    state: OptimState,
    n_params: usize,
    precision: std::marker::PhantomData<F>,
}

impl<F: Real + Serialize> Serialize for JsonState<F> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.n_params))?;
        for (i, name) in ["w", "b"].into_iter().enumerate().take(self.n_params) {
            map.serialize_entry(
                name,
                &ParamState::<F> { state: &self.state, param: i, precision: Default::default() },
            )?;
        }
        map.end()
    }
}

struct ParamState<'a, F> {
    state: &'a OptimState,
    param: usize,
    precision: std::marker::PhantomData<F>,
}

impl<F: Real + Serialize> Serialize for ParamState<'_, F> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        if let Some(step) = self.state.step {
            map.serialize_entry("step", &step)?;
        }
        for (key, value) in self.state.entries(self.param) {
            // Narrowing is exact: an f32 run's state is f32s widened to f64.
            map.serialize_entry(key, &F::from_f64(value))?;
        }
        map.end()
    }
}

impl<F: Real> JsonRow<F> {
    /// The row in precision `F` (narrowing is exact: an f32 run's values are f32s widened to f64; its lr is rounded
    /// to f32, as the run uses it). The cycled momentum is named after `kind`'s parameter.
    fn new(r: &Record<f64>, s: Scheduled, kind: OptimizerKind) -> Self {
        let cycled = s.momentum.map(F::from_f64);
        let adam = matches!(kind, OptimizerKind::Adam | OptimizerKind::Adamw);
        JsonRow {
            step: r.step,
            w: F::from_f64(r.params.w),
            b: F::from_f64(r.params.b),
            loss: F::from_f64(r.loss),
            grad_w: F::from_f64(r.grad.w),
            grad_b: F::from_f64(r.grad.b),
            lr: F::from_f64(s.lr),
            momentum: if adam { None } else { cycled },
            beta1: if adam { cycled } else { None },
            state: None,
            w_scaled: None,
            b_scaled: None,
        }
    }
}

/// A run's rows in its own precision.
#[derive(Serialize)]
#[serde(untagged)]
pub enum JsonRows {
    /// Rows of an f32 run.
    F32(Vec<JsonRow<f32>>),
    /// Rows of an f64 run.
    F64(Vec<JsonRow<f64>>),
}

impl JsonRows {
    /// The rows of a run under `settings`, in its precision, ready to serialise.
    pub fn new(rows: &[Row], settings: &Settings) -> Self {
        let kind = settings.optimizer.kind;
        match settings.precision {
            Precision::F32 => JsonRows::F32(rows.iter().map(|r| JsonRow::new(r, r.scheduled, kind)).collect()),
            Precision::F64 => JsonRows::F64(rows.iter().map(|r| JsonRow::new(r, r.scheduled, kind)).collect()),
        }
    }
}

/// One row in its run's precision, ready to serialise: exactly one element of [`JsonRows`].
#[derive(Serialize)]
#[serde(untagged)]
pub enum JsonRowIn {
    /// A row of an f32 run.
    F32(JsonRow<f32>),
    /// A row of an f64 run.
    F64(JsonRow<f64>),
}

impl JsonRowIn {
    /// The row `r` of a run under `settings`, in its precision.
    pub fn new(r: &Row, settings: &Settings) -> Self {
        let kind = settings.optimizer.kind;
        match settings.precision {
            Precision::F32 => JsonRowIn::F32(JsonRow::new(r, r.scheduled, kind)),
            Precision::F64 => JsonRowIn::F64(JsonRow::new(r, r.scheduled, kind)),
        }
    }

    /// This row with a standardized run's parameters mapped back (see [`JsonRow`]'s `w_scaled`).
    pub fn scaled(self, scaling: Option<Scaling>) -> Self {
        match self {
            JsonRowIn::F32(r) => JsonRowIn::F32(r.scaled(scaling)),
            JsonRowIn::F64(r) => JsonRowIn::F64(r.scaled(scaling)),
        }
    }

    /// The row `r` of a run under `settings`, with its optimizer's state (`descent trace --format json`).
    pub fn with_state(r: &Row, settings: &Settings) -> Self {
        let (kind, n_params) = (settings.optimizer.kind, settings.n_params());
        let state = r.state;
        match settings.precision {
            Precision::F32 => JsonRowIn::F32(JsonRow {
                state: Some(JsonState { state, n_params, precision: Default::default() }),
                ..JsonRow::new(r, r.scheduled, kind)
            }),
            Precision::F64 => JsonRowIn::F64(JsonRow {
                state: Some(JsonState { state, n_params, precision: Default::default() }),
                ..JsonRow::new(r, r.scheduled, kind)
            }),
        }
    }
}

/// Writes one JSON object field by field, with one array field streamed element by element, in exactly the text
/// that `serde_json::to_writer_pretty` gives for the whole object (two-space indents, `[]` for an empty array).
/// `descent trace --format json` streams its rows through it, so a long run never holds them in memory.
pub struct PrettyObject<W: Write> {
    out: W,
    /// Fields written so far.
    fields: usize,
    /// Elements of the open array, if one is open.
    elements: Option<usize>,
}

impl<W: Write> PrettyObject<W> {
    /// Opens the object.
    ///
    /// # Errors
    /// Any error of the writer.
    pub fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"{")?;
        Ok(PrettyObject { out, fields: 0, elements: None })
    }

    fn key(&mut self, key: &str) -> Result<(), ExportError> {
        let comma = if self.fields > 0 { "," } else { "" };
        self.fields += 1;
        write!(self.out, "{comma}\n  {}: ", serde_json::to_string(key)?)?;
        Ok(())
    }

    /// Writes `value` pretty-printed at `depth` levels of indentation (its first line follows the cursor).
    fn value(&mut self, value: &impl Serialize, depth: usize) -> Result<(), ExportError> {
        let mut ser = serde_json::Serializer::with_formatter(&mut self.out, Nested { depth, has_value: false });
        value.serialize(&mut ser)?;
        Ok(())
    }

    /// Writes one field.
    ///
    /// # Errors
    /// [`ExportError::Json`] or [`ExportError::Stream`].
    pub fn field(&mut self, key: &str, value: &impl Serialize) -> Result<(), ExportError> {
        self.key(key)?;
        self.value(value, 1)
    }

    /// Opens an array field; [`PrettyObject::element`] adds to it and [`PrettyObject::end_array`] closes it.
    ///
    /// # Errors
    /// As [`PrettyObject::field`].
    pub fn begin_array(&mut self, key: &str) -> Result<(), ExportError> {
        self.key(key)?;
        self.out.write_all(b"[")?;
        self.elements = Some(0);
        Ok(())
    }

    /// Adds an element to the open array.
    ///
    /// # Errors
    /// As [`PrettyObject::field`].
    pub fn element(&mut self, value: &impl Serialize) -> Result<(), ExportError> {
        let n = self.elements.get_or_insert(0);
        let comma = if *n > 0 { "," } else { "" };
        *n += 1;
        write!(self.out, "{comma}\n    ")?;
        self.value(value, 2)
    }

    /// Closes the open array.
    ///
    /// # Errors
    /// As [`PrettyObject::field`].
    pub fn end_array(&mut self) -> Result<(), ExportError> {
        if self.elements.take().unwrap_or(0) > 0 {
            self.out.write_all(b"\n  ")?;
        }
        self.out.write_all(b"]")?;
        Ok(())
    }

    /// Closes the object and returns the writer (without a final newline).
    ///
    /// # Errors
    /// As [`PrettyObject::field`].
    pub fn finish(mut self) -> Result<W, ExportError> {
        if self.fields > 0 {
            self.out.write_all(b"\n")?;
        }
        self.out.write_all(b"}")?;
        Ok(self.out)
    }
}

/// serde_json's `PrettyFormatter` (two-space indents, `[]` and `{}` when empty) for a value that sits `depth`
/// levels deep in an enclosing pretty-printed document.
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(bracket)
    }

    fn newline<W: ?Sized + Write>(&self, w: &mut W, comma: bool) -> std::io::Result<()> {
        w.write_all(if comma { b",\n" } else { b"\n" })?;
        (0..self.depth).try_for_each(|_| w.write_all(b"  "))
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.newline(w, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.newline(w, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[derive(Serialize)]
struct JsonRun<'a> {
    name: &'a str,
    settings: &'a Settings,
    rows: JsonRows,
}

#[derive(Serialize)]
struct JsonRuns<'a> {
    format: &'static str,
    version: u32,
    runs: Vec<JsonRun<'a>>,
}

fn json_runs<'a>(runs: &[RunExport<'a>]) -> Result<JsonRuns<'a>, ExportError> {
    if runs.is_empty() {
        return Err(ExportError::Nothing("no runs".into()));
    }
    let runs = runs
        .iter()
        .map(|run| JsonRun { name: run.name, settings: run.settings, rows: JsonRows::new(run.rows, run.settings) })
        .collect();
    Ok(JsonRuns { format: JSON_FORMAT, version: JSON_VERSION, runs })
}

/// Writes runs as pretty-printed JSON:
/// `{"format": "descent-runs", "version": 1, "runs": [{"name", "settings", "rows": [{step, w, b, loss, grad_w,
/// grad_b, lr[, momentum | beta1]}, …]}, …]}`. Non-finite values (which recorded rows never hold) would print as `null`.
///
/// # Errors
/// [`ExportError::Nothing`] for an empty slice; [`ExportError::Json`] when writing fails.
pub fn write_trace_json(runs: &[RunExport<'_>], mut out: impl Write) -> Result<(), ExportError> {
    serde_json::to_writer_pretty(&mut out, &json_runs(runs)?)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// The JSON of [`write_trace_json`] as a string.
///
/// # Errors
/// As [`write_trace_json`].
pub fn trace_json(runs: &[RunExport<'_>]) -> Result<String, ExportError> {
    let mut text = serde_json::to_string_pretty(&json_runs(runs)?)?;
    text.push('\n');
    Ok(text)
}

/// Writes the JSON of [`write_trace_json`] to `path` atomically.
///
/// # Errors
/// As [`write_trace_json`], and [`ExportError::File`] naming `path`.
pub fn export_json_file(path: &Path, runs: &[RunExport<'_>]) -> Result<ExportReport, ExportError> {
    write_file(path, trace_json(runs)?.as_bytes())
}
