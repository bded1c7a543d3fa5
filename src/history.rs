//! The trajectory of one run, with bounded memory.
//!
//! Every step is kept until the history holds [`History::capacity`] rows; then the older rows are thinned: they are
//! cut into buckets and each bucket keeps only the rows that hold its smallest and largest loss, w and b. Thinning
//! repeats as the run goes on, so old stretches grow progressively sparser while the most recent
//! [`History::recent`] rows always stay at full resolution. The first row, the last row and the extremes of the whole
//! run (lowest and highest loss, w and b) are never dropped, nor the first row of each of [`History::capacity`]/256
//! equal slices of a decade of steps (on the log step axis, x = log10(1 + step)): a log step axis keeps the run's
//! start at full resolution (every one of the first 110 steps at the default capacity) and a row every 1% of the
//! steps after it.
//!
//! Rows live in immutable shared chunks, so cloning a history (the worker publishes one per run about once a frame)
//! copies a few hundred pointers and the short tail, never the rows themselves.
//!
//! [`History::decimate`] turns any step range into at most one min/max pair per pixel column, which keeps the cost
//! of drawing a plot independent of the length of the run.

use std::ops::RangeInclusive;
use std::sync::Arc;

use crate::engine::settings::Settings;
/// One row of a history: the step, the parameters, the loss and the gradient there, the gradient of the next update
/// and the optimizer's state (all in f64).
pub use crate::engine::trainer::Row;

/// Rows per shared chunk.
const CHUNK_ROWS: usize = 512;
/// Rows per thinning bucket; each bucket keeps the rows of its min/max loss, w and b and the first row of each log
/// slice it holds (see [`thin_into`]).
const BUCKET_ROWS: usize = 16;
const _: () = assert!(BUCKET_ROWS <= 32, "thin_into marks a bucket's kept rows in a u32");
/// Rows of [`History::capacity`] per log-step slice kept through thinning (see the module docs): 256 slices a
/// decade at the default capacity, at most 20 decades × 256 rows.
const CAPACITY_PER_LOG_SLICE: f64 = 256.0;
/// Default [`History::capacity`].
pub const DEFAULT_CAPACITY: usize = 65_536;
/// Longest marker list kept; older markers are dropped first.
const MAX_MARKERS: usize = 4_096;

/// A vertical line on the step axis: a setting changed at `step`.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// The step at which the new setting took effect (the next update used it).
    pub step: u64,
    /// What changed, in plain words ("lr 0.01 → 0.05").
    pub label: String,
}

/// The smallest and largest finite values of one quantity over a history.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Range {
    const EMPTY: Range = Range { min: f64::INFINITY, max: f64::NEG_INFINITY };

    fn include(&mut self, v: f64) {
        if v.is_finite() {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
    }

    /// True when no finite value was seen.
    pub fn is_empty(&self) -> bool {
        self.min > self.max
    }
}

/// The extent of everything ever pushed (thinning keeps the extremes, so this is also the extent of the rows).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Extent {
    /// Range of w.
    pub w: Range,
    /// Range of b.
    pub b: Range,
    /// Range of the loss.
    pub loss: Range,
}

impl Default for Extent {
    fn default() -> Self {
        Extent { w: Range::EMPTY, b: Range::EMPTY, loss: Range::EMPTY }
    }
}

impl Extent {
    fn include(&mut self, r: &Row) {
        self.w.include(r.params.w);
        self.b.include(r.params.b);
        self.loss.include(r.loss);
    }
}

/// The rows of one run in step order, thinned past a capacity; cheap to clone.
#[derive(Clone, Debug)]
pub struct History {
    /// Full chunks of exactly [`CHUNK_ROWS`] rows, shared between clones.
    chunks: Vec<Arc<[Row]>>,
    /// The rows after the last full chunk (fewer than [`CHUNK_ROWS`]).
    tail: Vec<Row>,
    capacity: usize,
    recent: usize,
    markers: Arc<Vec<Marker>>,
    /// The settings in force from each step on, in step order (bounded like the markers), each with whether the
    /// optimizer restarted there with fresh state (a branch's first step).
    settings: Arc<Vec<(u64, Arc<Settings>, bool)>>,
    extent: Extent,
    thinned: bool,
}

impl Default for History {
    fn default() -> Self {
        History::with_capacity(DEFAULT_CAPACITY)
    }
}

impl History {
    /// An empty history that starts thinning past `capacity` rows (at least 64), keeping the latest quarter of
    /// them at full resolution.
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = capacity.max(64);
        History {
            chunks: Vec::new(),
            tail: Vec::new(),
            capacity,
            recent: capacity / 4,
            markers: Arc::new(Vec::new()),
            settings: Arc::new(Vec::new()),
            extent: Extent::default(),
            thinned: false,
        }
    }

    /// Rows kept before thinning starts.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The latest rows that thinning never touches.
    pub fn recent(&self) -> usize {
        self.recent
    }

    /// Number of rows kept.
    pub fn len(&self) -> usize {
        self.chunks.len() * CHUNK_ROWS + self.tail.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty() && self.tail.is_empty()
    }

    /// True once some rows have been thinned out (the history no longer holds every step).
    pub fn is_thinned(&self) -> bool {
        self.thinned
    }

    /// Row `i` (0 is the first kept row).
    pub fn get(&self, i: usize) -> Option<&Row> {
        let (c, o) = (i / CHUNK_ROWS, i % CHUNK_ROWS);
        match self.chunks.get(c) {
            Some(chunk) => chunk.get(o),
            None => self.tail.get(i - self.chunks.len() * CHUNK_ROWS),
        }
    }

    /// The first row (step 0 of a fresh run).
    pub fn first(&self) -> Option<&Row> {
        self.get(0)
    }

    /// The latest row.
    pub fn last(&self) -> Option<&Row> {
        self.tail.last().or_else(|| self.chunks.last().and_then(|c| c.last()))
    }

    /// Every kept row, in step order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Row> + '_ {
        self.chunks.iter().flat_map(|c| c.iter()).chain(self.tail.iter())
    }

    /// The rows from index `start` on.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &Row> + '_ {
        let first_chunk = start / CHUNK_ROWS;
        let skip = start % CHUNK_ROWS;
        let from_chunks = self.chunks.iter().skip(first_chunk).flat_map(|c| c.iter());
        let tail_skip = start.saturating_sub(self.chunks.len() * CHUNK_ROWS);
        let chunk_part = from_chunks.skip(if first_chunk < self.chunks.len() { skip } else { 0 });
        chunk_part.chain(self.tail.iter().skip(tail_skip))
    }

    /// Index of the first row whose step is ≥ `step` (`len()` when there is none).
    pub fn lower_bound(&self, step: u64) -> usize {
        let c = self.chunks.partition_point(|chunk| chunk.last().is_some_and(|r| r.step < step));
        match self.chunks.get(c) {
            Some(chunk) => c * CHUNK_ROWS + chunk.partition_point(|r| r.step < step),
            None => self.chunks.len() * CHUNK_ROWS + self.tail.partition_point(|r| r.step < step),
        }
    }

    /// The kept row nearest to `step` (ties go to the earlier one).
    pub fn nearest(&self, step: u64) -> Option<&Row> {
        let i = self.lower_bound(step);
        let after = self.get(i);
        let before = i.checked_sub(1).and_then(|j| self.get(j));
        match (before, after) {
            (Some(a), Some(b)) => Some(if step - a.step <= b.step - step { a } else { b }),
            (a, b) => a.or(b),
        }
    }

    /// The kept row at `step` or, when that step was thinned out, the last one before it.
    pub fn at_or_before(&self, step: u64) -> Option<&Row> {
        let i = self.lower_bound(step);
        match self.get(i) {
            Some(r) if r.step == step => Some(r),
            _ => i.checked_sub(1).and_then(|j| self.get(j)),
        }
    }

    /// The smallest and largest w, b and loss of the run.
    pub fn extent(&self) -> Extent {
        self.extent
    }

    /// The settings changes recorded so far, in step order.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// Records that a setting changed at `step`.
    pub fn push_marker(&mut self, step: u64, label: impl Into<String>) {
        let markers = Arc::make_mut(&mut self.markers);
        if markers.len() >= MAX_MARKERS {
            markers.remove(0);
        }
        markers.push(Marker { step, label: label.into() });
    }

    /// Removes the latest marker.
    pub fn pop_marker(&mut self) -> Option<Marker> {
        Arc::make_mut(&mut self.markers).pop()
    }

    /// Records that `settings` are in force for the updates from `step` on (replacing an entry at the same step).
    pub fn push_settings(&mut self, step: u64, settings: &Settings) {
        self.push_log(step, settings, false);
    }

    /// Records that the optimizer restarted at `step` with fresh state under `settings` (a branch starts so).
    pub fn push_restart(&mut self, step: u64, settings: &Settings) {
        self.push_log(step, settings, true);
    }

    fn push_log(&mut self, step: u64, settings: &Settings, restart: bool) {
        let log = Arc::make_mut(&mut self.settings);
        // The log is in step order: the entries at or after `step` are its tail.
        while log.last().is_some_and(|(s, _, _)| *s >= step) {
            log.pop();
        }
        if log.len() >= MAX_MARKERS {
            log.remove(0);
        }
        log.push((step, Arc::new(settings.clone()), restart));
    }

    /// The settings the update leaving row `step` used (`None` if they were recorded before the oldest kept
    /// entry, or never).
    pub fn settings_at(&self, step: u64) -> Option<&Settings> {
        self.settings.iter().rev().find(|(s, _, _)| *s <= step).map(|(_, s, _)| s.as_ref())
    }

    /// The settings log: the settings in force from each step on, in step order, and whether the optimizer
    /// restarted there with fresh state.
    pub fn settings_log(&self) -> impl Iterator<Item = (u64, &Settings, bool)> + '_ {
        self.settings.iter().map(|(step, s, restart)| (*step, s.as_ref(), *restart))
    }

    /// Removes every row and marker.
    pub fn clear(&mut self) {
        *self = History::with_capacity(self.capacity);
    }

    /// Appends a row. A row whose step is not after the last one first drops the rows from that step on (the run was
    /// rewound), so the history always stays in strictly increasing step order.
    pub fn push(&mut self, row: impl Into<Row>) {
        let row = row.into();
        if self.last().is_some_and(|last| row.step <= last.step) {
            self.truncate_from(row.step);
        }
        self.extent.include(&row);
        self.tail.push(row);
        if self.tail.len() >= CHUNK_ROWS {
            let rest = self.tail.split_off(CHUNK_ROWS);
            let full = std::mem::replace(&mut self.tail, rest);
            self.chunks.push(Arc::from(full));
        }
        if self.len() > self.capacity {
            self.thin();
        }
    }

    /// Replaces the latest row (same step, re-evaluated loss or gradient); pushes when the history is empty.
    pub fn replace_last(&mut self, row: impl Into<Row>) {
        let row = row.into();
        if self.tail.is_empty() {
            match self.chunks.pop() {
                Some(chunk) => self.tail = chunk.to_vec(),
                None => return self.push(row),
            }
        }
        if let Some(last) = self.tail.last_mut() {
            *last = row;
        }
        self.extent.include(&row);
    }

    /// Drops every row and marker at or after `step`.
    pub fn truncate_from(&mut self, step: u64) {
        let keep = self.lower_bound(step);
        let rows: Vec<Row> = self.iter().take(keep).copied().collect();
        let markers: Vec<Marker> = self.markers.iter().filter(|m| m.step < step).cloned().collect();
        let settings = self.settings.iter().filter(|(s, _, _)| *s < step).cloned().collect();
        let thinned = self.thinned;
        self.clear();
        self.rebuild(rows);
        self.markers = Arc::new(markers);
        self.settings = Arc::new(settings);
        self.thinned = thinned;
        let mut extent = Extent::default();
        for r in self.iter() {
            extent.include(r);
        }
        self.extent = extent;
    }

    /// Thins every row but the latest [`History::recent`] ones.
    fn thin(&mut self) {
        let rows: Vec<Row> = self.iter().copied().collect();
        let split = rows.len().saturating_sub(self.recent);
        let (old, recent) = rows.split_at(split);
        let mut out = Vec::with_capacity(self.capacity);
        thin_into(old, self.capacity as f64 / CAPACITY_PER_LOG_SLICE, &mut out);
        out.extend_from_slice(recent);
        self.thinned = true;
        self.rebuild(out);
    }

    fn rebuild(&mut self, rows: Vec<Row>) {
        let mut pieces = rows.chunks_exact(CHUNK_ROWS);
        self.chunks = pieces.by_ref().map(Arc::from).collect();
        self.tail = pieces.remainder().to_vec();
    }

    /// At most about one min/max pair of `value` per pixel column over `steps`, for a line plot whose x axis is the
    /// step: `out` receives `[step, value]` points in step order, plus the nearest row on each side of the range so
    /// the line runs to the plot's edges. Rows whose value is not finite are skipped.
    pub fn decimate(
        &self,
        steps: RangeInclusive<f64>,
        columns: usize,
        value: impl Fn(&Row) -> f64,
        out: &mut Vec<[f64; 2]>,
    ) {
        self.decimate_on(steps, columns, |step| step, value, out);
    }

    /// [`History::decimate`] for an axis that draws step s at `x(s)` (increasing; a log step axis): the pixel
    /// columns are even in x, so each one holds the steps it shows. The points are still `[step, value]`.
    pub fn decimate_on(
        &self,
        steps: RangeInclusive<f64>,
        columns: usize,
        x: impl Fn(f64) -> f64,
        value: impl Fn(&Row) -> f64,
        out: &mut Vec<[f64; 2]>,
    ) {
        out.clear();
        if self.is_empty() {
            return;
        }
        let (lo, hi) = (*steps.start(), *steps.end());
        let (lo, hi) = if lo.is_finite() && hi.is_finite() && lo < hi { (lo, hi) } else { (f64::MIN, f64::MAX) };
        let columns = columns.clamp(1, 100_000);
        let first_step = if lo <= 0.0 {
            0
        } else if lo >= u64::MAX as f64 {
            u64::MAX
        } else {
            lo.floor() as u64
        };
        let mut start = self.lower_bound(first_step);
        start = start.saturating_sub(1);
        let (x_lo, x_hi) = (x(lo), x(hi));
        let scale = columns as f64 / (x_hi - x_lo);
        // An axis that does not spread the range (or overflows) falls back to columns even in steps.
        let linear = !(scale.is_finite() && scale > 0.0);
        let (x_lo, scale) = if linear { (lo, columns as f64 / (hi - lo)) } else { (x_lo, scale) };
        let at = |step: f64| if linear { step } else { x(step) };
        let mut column = i64::MIN;
        // (step, value) of the lowest and highest point of the current column.
        let mut min = (0_u64, f64::NAN);
        let mut max = (0_u64, f64::NAN);
        let mut open = false;
        let flush = |min: (u64, f64), max: (u64, f64), out: &mut Vec<[f64; 2]>| {
            let (a, b) = if min.0 <= max.0 { (min, max) } else { (max, min) };
            out.push([a.0 as f64, a.1]);
            if b.0 != a.0 {
                out.push([b.0 as f64, b.1]);
            }
        };
        'rows: for slice in self.slices_from(start) {
            for row in slice {
                let v = value(row);
                if !v.is_finite() {
                    continue;
                }
                let x = row.step as f64;
                let col = if x < lo {
                    -1
                } else if x > hi {
                    columns as i64
                } else {
                    ((at(x) - x_lo) * scale).max(0.0) as i64 // non-negative: truncation is floor
                };
                if col != column {
                    if open {
                        flush(min, max, out);
                    }
                    column = col;
                    min = (row.step, v);
                    max = (row.step, v);
                    open = true;
                } else {
                    if v < min.1 {
                        min = (row.step, v);
                    }
                    if v > max.1 {
                        max = (row.step, v);
                    }
                }
                if x > hi {
                    break 'rows;
                }
            }
        }
        if open {
            flush(min, max, out);
        }
    }

    /// The rows from index `start` on, as contiguous slices.
    fn slices_from(&self, start: usize) -> impl Iterator<Item = &[Row]> + '_ {
        let chunk_rows = self.chunks.len() * CHUNK_ROWS;
        let from_chunks = self.chunks.iter().enumerate().filter_map(move |(c, chunk)| {
            let begin = c * CHUNK_ROWS;
            (begin + CHUNK_ROWS > start).then(|| &chunk[start.saturating_sub(begin)..])
        });
        let tail = &self.tail[start.saturating_sub(chunk_rows).min(self.tail.len())..];
        from_chunks.chain(std::iter::once(tail))
    }

    /// At most `max_points` rows spread over the whole history (always the first and the last), for drawing the path
    /// on the loss landscape.
    pub fn sample(&self, max_points: usize) -> Vec<Row> {
        let n = self.len();
        let max_points = max_points.max(2);
        if n <= max_points {
            return self.iter().copied().collect();
        }
        let stride = n.div_ceil(max_points - 1);
        let mut out: Vec<Row> = self.iter().step_by(stride).copied().collect();
        if let Some(last) = self.last()
            && out.last().is_none_or(|r| r.step != last.step)
        {
            out.push(*last);
        }
        out
    }
}

/// Keeps the first row of `rows` and, from each bucket of [`BUCKET_ROWS`], the rows that hold the bucket's smallest
/// and largest loss, w and b, and the first row of each of `slices` equal slices of a decade of log10(1 + step), in
/// step order.
fn thin_into(rows: &[Row], slices: f64, out: &mut Vec<Row>) {
    let Some(first) = rows.first() else {
        return;
    };
    out.push(*first);
    let slice_of = |row: &Row| (crate::step_axis::StepAxis::Log.x(row.step as f64) * slices).floor();
    let mut slice = slice_of(first);
    for bucket in rows[1..].chunks(BUCKET_ROWS) {
        // The rows kept, one bit each (a bucket has at most 32 rows): no allocation, sort or dedupe per bucket.
        let mut keep = 0u32;
        for (i, r) in bucket.iter().enumerate() {
            let s = slice_of(r);
            if s != slice {
                slice = s;
                keep |= 1 << i;
            }
        }
        let keys: [fn(&Row) -> f64; 3] = [|r| r.loss, |r| r.params.w, |r| r.params.b];
        for key in keys {
            let mut min_i = 0;
            let mut max_i = 0;
            for (i, r) in bucket.iter().enumerate() {
                let v = key(r);
                if v < key(&bucket[min_i]) || !key(&bucket[min_i]).is_finite() {
                    min_i = i;
                }
                if v > key(&bucket[max_i]) || !key(&bucket[max_i]).is_finite() {
                    max_i = i;
                }
            }
            keep |= (1 << min_i) | (1 << max_i);
        }
        out.extend(bucket.iter().enumerate().filter(|(i, _)| keep & (1 << i) != 0).map(|(_, r)| *r));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Params;
    use crate::engine::trainer::Record;

    fn row(step: u64, w: f64, loss: f64) -> Row {
        Row::from(Record { step, params: Params { w, b: 0.0 }, loss, grad: Params { w: 0.0, b: 0.0 } })
    }

    /// A decaying oscillation with a spike at step 12_345 and a dip at 23_456.
    fn wavy(step: u64) -> Row {
        let t = step as f64;
        let mut loss = 1.0 / (1.0 + t * 1e-3) * (1.0 + 0.5 * (t * 0.37).sin());
        if step == 12_345 {
            loss = 1e6;
        }
        if step == 23_456 {
            loss = -5.0;
        }
        row(step, (t * 0.011).cos() * 3.0, loss)
    }

    #[test]
    fn keeps_every_step_below_capacity() {
        let mut h = History::with_capacity(1_000);
        for s in 0..1_000 {
            h.push(row(s, s as f64, 1.0));
        }
        assert_eq!(h.len(), 1_000);
        assert!(!h.is_thinned());
        assert!(h.iter().map(|r| r.step).eq(0..1_000));
        assert_eq!(h.get(777).map(|r| r.step), Some(777));
        assert_eq!(h.get(1_000), None);
    }

    #[test]
    fn thinning_bounds_memory_and_keeps_first_last_and_extremes() {
        let cap = 4_096;
        let mut h = History::with_capacity(cap);
        let n = 200_000;
        for s in 0..n {
            h.push(wavy(s));
            assert!(h.len() <= cap);
        }
        assert!(h.is_thinned());
        assert_eq!(h.first().map(|r| r.step), Some(0));
        assert_eq!(h.last().map(|r| r.step), Some(n - 1));
        assert!(h.iter().any(|r| r.step == 12_345), "the loss spike is kept");
        assert!(h.iter().any(|r| r.step == 23_456), "the loss dip is kept");
        let max_w = (0..n).map(|s| wavy(s).params.w).fold(f64::MIN, f64::max);
        let min_w = (0..n).map(|s| wavy(s).params.w).fold(f64::MAX, f64::min);
        assert_eq!(h.iter().map(|r| r.params.w).fold(f64::MIN, f64::max), max_w);
        assert_eq!(h.iter().map(|r| r.params.w).fold(f64::MAX, f64::min), min_w);
        // Strictly increasing steps.
        assert!(h.iter().zip(h.iter().skip(1)).all(|(a, b)| a.step < b.step));
        // The latest rows stay at full resolution.
        let recent: Vec<u64> = h.iter().rev().take(h.recent()).map(|r| r.step).collect();
        assert!(recent.iter().zip(recent.iter().skip(1)).all(|(a, b)| a == &(b + 1)));
        assert_eq!(h.extent().loss.max, 1e6);
        assert_eq!(h.extent().loss.min, -5.0);
    }

    #[test]
    fn thinning_keeps_the_start_of_a_long_run_for_a_log_step_axis() {
        let mut h = History::with_capacity(DEFAULT_CAPACITY);
        let n = 1_000_000;
        for s in 0..n {
            h.push(wavy(s));
        }
        assert!(h.is_thinned() && h.len() <= DEFAULT_CAPACITY);
        let steps: Vec<u64> = h.iter().map(|r| r.step).collect();
        // 256 slices a decade: a slice spans under one step up to step 110 (log10(e)/256 · (1 + s) < 1).
        assert!((0..=110).all(|s| steps.contains(&s)), "every one of the first 110 steps");
        // Past that, a row at least every 1% of the step: no gap wider than a slice, 10^(1/256) − 1 = 0.9%.
        for w in steps.windows(2).filter(|w| w[0] >= 110) {
            assert!((w[1] as f64) <= 1.01 * (w[0] as f64) + 1.0, "a gap from step {} to {}", w[0], w[1]);
        }
    }

    #[test]
    fn clones_share_chunks_and_do_not_see_later_pushes() {
        let mut h = History::with_capacity(10_000);
        for s in 0..2_000 {
            h.push(row(s, 0.0, 1.0));
        }
        let snapshot = h.clone();
        h.push(row(2_000, 0.0, 1.0));
        assert_eq!(snapshot.len(), 2_000);
        assert_eq!(h.len(), 2_001);
        assert!(Arc::ptr_eq(&snapshot.chunks[0], &h.chunks[0]));
    }

    #[test]
    fn lookups_by_step() {
        let mut h = History::with_capacity(10_000);
        for s in (0..3_000).step_by(3) {
            h.push(row(s, s as f64, 1.0));
        }
        assert_eq!(h.lower_bound(0), 0);
        assert_eq!(h.lower_bound(4), 2);
        assert_eq!(h.lower_bound(1_000_000), h.len());
        assert_eq!(h.at_or_before(7).map(|r| r.step), Some(6));
        assert_eq!(h.at_or_before(9).map(|r| r.step), Some(9));
        assert_eq!(h.nearest(8).map(|r| r.step), Some(9));
        assert_eq!(h.nearest(7).map(|r| r.step), Some(6));
        assert_eq!(h.iter_from(998).next().map(|r| r.step), Some(2_994));
        assert_eq!(h.iter_from(520).next().map(|r| r.step), Some(1_560));
    }

    #[test]
    fn pushing_an_earlier_step_rewinds() {
        let mut h = History::with_capacity(10_000);
        for s in 0..1_500 {
            h.push(row(s, s as f64, 1.0));
        }
        h.push_marker(100, "lr");
        h.push_marker(1_200, "lr again");
        h.push(row(1_000, -1.0, 2.0));
        assert_eq!(h.len(), 1_001);
        assert_eq!(h.last().map(|r| r.params.w), Some(-1.0));
        assert_eq!(h.markers().len(), 1);
        assert_eq!(h.extent().w.max, 999.0);
    }

    #[test]
    fn decimation_gives_about_two_points_per_column_and_keeps_extremes() {
        let mut h = History::with_capacity(1 << 20);
        let n = 100_000;
        for s in 0..n {
            h.push(wavy(s));
        }
        let mut out = Vec::new();
        h.decimate(0.0..=(n - 1) as f64, 500, |r| r.loss, &mut out);
        assert!(out.len() <= 2 * 500 + 4, "{} points", out.len());
        assert!(out.len() >= 500);
        assert!(out.iter().any(|p| p[1] == 1e6));
        assert!(out.iter().any(|p| p[1] == -5.0));
        assert!(out.windows(2).all(|w| w[0][0] < w[1][0]));
        // A zoomed range includes one neighbour on each side.
        h.decimate(1_000.0..=2_000.0, 100, |r| r.loss, &mut out);
        assert_eq!(out.first().map(|p| p[0]), Some(999.0));
        assert_eq!(out.last().map(|p| p[0]), Some(2_001.0));
        // Degenerate ranges do not panic.
        h.decimate(f64::NAN..=f64::INFINITY, 0, |r| r.loss, &mut out);
        assert!(!out.is_empty());
    }

    #[test]
    fn decimation_on_a_log_axis_keeps_every_early_step() {
        let mut h = History::with_capacity(1 << 20);
        let n = 100_000;
        for s in 0..n {
            h.push(wavy(s));
        }
        let mut out = Vec::new();
        let log = |s: f64| crate::step_axis::StepAxis::Log.x(s);
        h.decimate_on(0.0..=(n - 1) as f64, 600, log, |r| r.loss, &mut out);
        // x = log10(1 + s) spans 5 over 600 columns: steps 0…99 (x ≤ 2) get 240 columns, one step each.
        let steps: Vec<u64> = out.iter().map(|p| p[0] as u64).collect();
        assert!((0..100).all(|s| steps.contains(&s)), "{:?}", &steps[..100.min(steps.len())]);
        assert!(out.len() <= 2 * 600 + 4, "{} points", out.len());
        assert!(out.iter().any(|p| p[1] == 1e6) && out.iter().any(|p| p[1] == -5.0), "the extremes are kept");
        assert!(out.windows(2).all(|w| w[0][0] < w[1][0]));
        // Columns even in steps give the first 100 steps one column between them.
        h.decimate(0.0..=(n - 1) as f64, 600, |r| r.loss, &mut out);
        assert!(out.iter().filter(|p| p[0] < 100.0).count() <= 2);
    }

    #[test]
    fn decimation_skips_non_finite_values() {
        let mut h = History::with_capacity(1_000);
        h.push(row(0, 0.0, 1.0));
        h.push(row(1, 0.0, f64::NAN));
        h.push(row(2, 0.0, f64::INFINITY));
        h.push(row(3, 0.0, 2.0));
        let mut out = Vec::new();
        h.decimate(0.0..=3.0, 100, |r| r.loss, &mut out);
        assert_eq!(out, vec![[0.0, 1.0], [3.0, 2.0]]);
        assert_eq!(h.extent().loss, Range { min: 1.0, max: 2.0 });
    }

    #[test]
    fn sampling_keeps_first_and_last() {
        let mut h = History::with_capacity(100_000);
        for s in 0..10_001 {
            h.push(row(s, 0.0, 1.0));
        }
        let s = h.sample(100);
        assert!(s.len() <= 101);
        assert_eq!(s.first().map(|r| r.step), Some(0));
        assert_eq!(s.last().map(|r| r.step), Some(10_000));
    }
}
