//! Contour lines by marching squares, and the log-scaled level field they are drawn from.
//!
//! A field is a grid of `nx × ny` node values laid over a (w, b) window, row 0 at the top (the largest b), column 0
//! at the left (the smallest w), as a picture is stored.

use std::collections::{HashMap, VecDeque};

/// The (w, b) window a node grid covers: `w` left to right, `b` bottom to top.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// w range, [left, right].
    pub w: [f64; 2],
    /// b range, [bottom, top].
    pub b: [f64; 2],
}

impl Window {
    /// The w of grid column `i` of `nx`.
    pub fn node_w(&self, i: usize, nx: usize) -> f64 {
        let [w0, w1] = self.w;
        w0 + (w1 - w0) * i as f64 / (nx - 1) as f64
    }

    /// The b of grid row `j` of `ny` (row 0 at the top).
    pub fn node_b(&self, j: usize, ny: usize) -> f64 {
        let [b0, b1] = self.b;
        b1 - (b1 - b0) * j as f64 / (ny - 1) as f64
    }
}

/// The loss excess over `floor` at each node as a level in [0, 1]: log₁₀ of the excess over the 8 decades below the
/// largest, so the valley floor keeps its detail. An infinite loss counts as an excess of 10³⁰⁰, a NaN as none.
pub fn log_levels(losses: &[f64], floor: f64) -> Vec<f64> {
    let decades = level_decades(losses, floor);
    losses.iter().map(|&l| log_level(l, floor, decades)).collect()
}

/// The level of loss `l` on the scale of [`log_levels`]: log₁₀ of its excess over `floor`, from the decade
/// `bottom` (0) to `top` (1), clamped.
pub fn log_level(l: f64, floor: f64, [bottom, top]: [f64; 2]) -> f64 {
    let floor = if floor.is_finite() { floor } else { 0.0 };
    let e = excess(l, floor);
    ((e.max(1e-300).log10() - bottom) / (top - bottom)).clamp(0.0, 1.0)
}

/// The floor the levels of `losses` are taken above: `min_loss` (the known minimum's loss), or the lowest finite
/// loss of the grid when it is lower (an objective may dip below the minimum nearest the start: the saddle, an
/// expression), so that no part of the view sinks to an excess of zero.
pub fn level_floor(losses: &[f64], min_loss: f64) -> f64 {
    losses.iter().copied().filter(|v| v.is_finite()).fold(min_loss, f64::min)
}

/// The decades of the excess L − `floor` that [`log_levels`] maps to 0 and 1: the highest excess in `losses` and 8
/// decades below it (for a colour scale's labels).
pub fn level_decades(losses: &[f64], floor: f64) -> [f64; 2] {
    let floor = if floor.is_finite() { floor } else { 0.0 };
    let max_excess = losses.iter().map(|&l| excess(l, floor)).fold(0.0_f64, f64::max);
    let top = max_excess.max(1e-300).log10();
    [top - 8.0, top]
}

/// L − `floor`, at least 0 and at most 10³⁰⁰.
fn excess(l: f64, floor: f64) -> f64 {
    let e = (l - floor).max(0.0);
    if e.is_finite() { e.min(1e300) } else { 1e300 }
}

/// The contour polylines of `t` (an `nx × ny` node grid over `window`) at `levels − 1` evenly spaced levels
/// 1/levels, 2/levels, …, in that order.
pub fn contour_lines(t: &[f64], size: [usize; 2], levels: usize, window: Window) -> Vec<Vec<[f64; 2]>> {
    let mut lines = Vec::new();
    for level in 1..levels {
        let c = level as f64 / levels as f64;
        lines.extend(contour_level(t, size, c, window));
    }
    lines
}

/// A grid edge: from node (i, j) to (i + 1, j) when `horizontal`, else to (i, j + 1).
pub(super) type EdgeKey = (usize, usize, bool);

/// The polylines where `t` (an `nx × ny` node grid over `window`, row 0 at the top) crosses `c`, by marching
/// squares. A level set that closes on itself comes back as a polyline whose last point is its first.
pub fn contour_level(t: &[f64], [nx, ny]: [usize; 2], c: f64, window: Window) -> Vec<Vec<[f64; 2]>> {
    let at = |i: usize, j: usize| t[j * nx + i];
    let mut segments = Vec::new();
    for j in 0..ny - 1 {
        for i in 0..nx - 1 {
            let edges = cell_edges(&at, i, j);
            cell_segments(edges, corners_of(&edges), c, &mut segments);
        }
    }
    chain(&segments)
        .into_iter()
        .map(|edges| edges.into_iter().map(|e| edge_point(&at, e, c, [nx, ny], window)).collect())
        .collect()
}

/// The edges of the cell whose top-left node is (i, j): top, right, bottom, left, each with its end values.
pub(super) fn cell_edges(at: &impl Fn(usize, usize) -> f64, i: usize, j: usize) -> [(EdgeKey, f64, f64); 4] {
    [
        ((i, j, true), at(i, j), at(i + 1, j)),
        ((i + 1, j, false), at(i + 1, j), at(i + 1, j + 1)),
        ((i, j + 1, true), at(i, j + 1), at(i + 1, j + 1)),
        ((i, j, false), at(i, j), at(i, j + 1)),
    ]
}

/// The segments of one cell where the field crosses `c`: pairs of the cell's crossed `edges` (top, right, bottom,
/// left), pushed onto `out`. When all four are crossed (two opposite corners on each side), the pairing follows the
/// bilinear field's value at its saddle, from the cell's `corners` (top-left, top-right, bottom-right, bottom-left):
/// the corners on the saddle's side stay joined, so a thin valley running diagonally through the cell stays whole.
pub(super) fn cell_segments(
    edges: [(EdgeKey, f64, f64); 4],
    corners: [f64; 4],
    c: f64,
    out: &mut Vec<(EdgeKey, EdgeKey)>,
) {
    let mut crossed = [(0, 0, false); 4];
    let mut n = 0;
    for (k, a, b) in edges {
        if (a < c) != (b < c) {
            crossed[n] = k;
            n += 1;
        }
    }
    if n == 4 {
        let [top, right, bottom, left] = crossed;
        let [tl, tr, br, bl] = corners;
        let denominator = tl + br - tr - bl;
        let saddle = if denominator != 0.0 { (tl * br - tr * bl) / denominator } else { 0.25 * (tl + tr + br + bl) };
        if (saddle < c) == (tl < c) {
            // Top-left and bottom-right are joined through the middle: the other two corners are cut off.
            out.extend([(top, right), (bottom, left)]);
        } else {
            out.extend([(top, left), (right, bottom)]);
        }
        return;
    }
    if n >= 2 {
        out.push((crossed[0], crossed[1]));
    }
}

/// The corner values (top-left, top-right, bottom-right, bottom-left) of a cell's `edges` (see [`cell_edges`]).
pub(super) fn corners_of(edges: &[(EdgeKey, f64, f64); 4]) -> [f64; 4] {
    [edges[0].1, edges[0].2, edges[1].2, edges[2].1]
}

/// Where `c` crosses grid edge `key` of an `nx × ny` node grid `at` over `window`, by linear interpolation.
pub(super) fn edge_point(
    at: &impl Fn(usize, usize) -> f64,
    (i, j, horizontal): EdgeKey,
    c: f64,
    [nx, ny]: [usize; 2],
    window: Window,
) -> [f64; 2] {
    let (ib, jb) = if horizontal { (i + 1, j) } else { (i, j + 1) };
    let (va, vb) = (at(i, j), at(ib, jb));
    let f = if vb != va { ((c - va) / (vb - va)).clamp(0.0, 1.0) } else { 0.5 };
    let gi = i as f64 + f * (ib as f64 - i as f64);
    let gj = j as f64 + f * (jb as f64 - j as f64);
    let ([w0, w1], [b0, b1]) = (window.w, window.b);
    [w0 + (w1 - w0) * gi / (nx - 1) as f64, b1 - (b1 - b0) * gj / (ny - 1) as f64]
}

/// The segments joined end to end into chains of edges (each segment used once; a chain grows from its first
/// segment at the back, then at the front).
pub(super) fn chain(segments: &[(EdgeKey, EdgeKey)]) -> Vec<VecDeque<EdgeKey>> {
    let mut by_edge: HashMap<EdgeKey, Vec<usize>> = HashMap::new();
    for (id, &(a, b)) in segments.iter().enumerate() {
        by_edge.entry(a).or_default().push(id);
        by_edge.entry(b).or_default().push(id);
    }
    let mut used = vec![false; segments.len()];
    let mut chains = Vec::new();
    for start in 0..segments.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let (a, b) = segments[start];
        let mut chain = VecDeque::from([a, b]);
        for forward in [true, false] {
            loop {
                let end = if forward { chain.back() } else { chain.front() };
                let Some(&end) = end else { break };
                let next = by_edge.get(&end).and_then(|ids| ids.iter().copied().find(|&id| !used[id]));
                let Some(id) = next else { break };
                used[id] = true;
                let (p, q) = segments[id];
                let other = if p == end { q } else { p };
                if forward {
                    chain.push_back(other);
                } else {
                    chain.push_front(other);
                }
            }
        }
        chains.push(chain);
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (w − 1)² + (b + 0.5)² on a 41 × 31 grid over [−1, 3] × [−2, 1].
    fn bowl() -> (Vec<f64>, [usize; 2], Window) {
        let window = Window { w: [-1.0, 3.0], b: [-2.0, 1.0] };
        let [nx, ny] = [41, 31];
        let mut t = Vec::new();
        for j in 0..ny {
            for i in 0..nx {
                let (w, b) = (window.node_w(i, nx), window.node_b(j, ny));
                t.push((w - 1.0).powi(2) + (b + 0.5).powi(2));
            }
        }
        (t, [nx, ny], window)
    }

    #[test]
    fn a_bowl_has_closed_circles_round_its_minimum() {
        let (t, size, window) = bowl();
        for r in [0.3, 0.8, 1.2] {
            let lines = contour_level(&t, size, r * r, window);
            assert_eq!(lines.len(), 1, "one level set at radius {r}");
            let ring = &lines[0];
            assert!(ring.len() > 8, "{} points", ring.len());
            assert_eq!(ring.first(), ring.last(), "closed");
            for p in ring {
                let d = (p[0] - 1.0).hypot(p[1] + 0.5);
                assert!((d - r).abs() < 0.03, "({}, {}) is {d} from the minimum, not {r}", p[0], p[1]);
            }
        }
    }

    #[test]
    fn levels_beyond_the_field_give_nothing_and_a_cut_level_set_stays_open() {
        let (t, size, window) = bowl();
        assert!(contour_level(&t, size, -1.0, window).is_empty());
        assert!(contour_level(&t, size, 100.0, window).is_empty());
        // Radius 1.8 leaves the window at the bottom (b = −2 is 1.5 below the centre) and the left edge.
        let lines = contour_level(&t, size, 1.8 * 1.8, window);
        assert!(!lines.is_empty());
        assert!(lines.iter().all(|l| l.first() != l.last()), "cut by the window's edge");
        assert!(lines.iter().flatten().all(|p| (-1.0..=3.0).contains(&p[0]) && (-2.0..=1.0).contains(&p[1])));
    }

    #[test]
    fn log_levels_span_eight_decades() {
        // Excess 0, 10⁻⁸, 10⁻⁴ and 1 (the largest); below the floor and NaN count as no excess.
        let t = log_levels(&[1.0, 1.0 + 1e-8, 1.0 + 1e-4, 2.0, 0.5, f64::NAN], 1.0);
        assert_eq!([t[0], t[4], t[5], t[3]], [0.0, 0.0, 0.0, 1.0]);
        assert!(t[1].abs() < 1e-6 && (t[2] - 0.5).abs() < 1e-6, "{t:?}");
        // An infinite loss is the largest excess there is: everything else sinks to 0.
        assert_eq!(log_levels(&[1.0, 2.0, f64::INFINITY], 1.0), [0.0, 0.0, 1.0]);
    }

    #[test]
    fn contour_lines_go_level_by_level() {
        let (t, size, window) = bowl();
        let max = t.iter().fold(0.0_f64, |m, &v| m.max(v));
        let scaled: Vec<f64> = t.iter().map(|v| v / max).collect();
        let lines = contour_lines(&scaled, size, 4, window);
        let by_level: usize = (1..4).map(|k| contour_level(&scaled, size, k as f64 / 4.0, window).len()).sum();
        assert_eq!(lines.len(), by_level);
        assert_eq!(lines[0], contour_level(&scaled, size, 0.25, window)[0]);
    }
}
