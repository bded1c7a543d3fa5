//! Contour lines that stay connected where the node grid is too coarse for the field: in a narrow valley
//! (Rosenbrock's), a level set thinner than a grid cell falls between the nodes and marching squares on the grid
//! alone draws it as a string of beads.
//!
//! [`RefinedField`] samples the field again, `factor` times finer, in each cell where the grid misses its detail:
//! first the cells whose centre is far from the bilinear guess of its four corners, then the cells where a traced
//! line lies off the field's own level set; each with its neighbours, worst first, as far as a budget of
//! evaluations allows. The contour lines are then traced on one fine grid
//! laid over the whole window: a fine node takes the field's own value where it was sampled, and elsewhere the
//! bilinear value of its coarse cell. Since every cell reads the same fine node values, the lines of a refined
//! cell and of its plain neighbour meet at the same points: nothing is cracked at the seams. A plain cell (neither
//! it nor a neighbour across an edge refined) is traced as one coarse cell, its crossings keyed by the fine edges
//! they fall on (a plain edge is linear between its ends, so the point is the same either way).

use super::contour::{
    EdgeKey, Window, cell_edges, cell_segments, chain, corners_of, edge_point, level_decades, log_level,
};
use super::surface::LossSurface;

/// Fine nodes per coarse cell side in a refined cell.
pub const FACTOR: usize = 8;
/// At most this many field evaluations for the refinement (centres and refined cells), whatever the budget.
const MAX_EVALS: usize = 250_000;

/// A level field on a coarse node grid, sampled `factor` times finer in the cells where the grid misses its detail.
pub struct RefinedField {
    coarse: Vec<f64>,
    size: [usize; 2],
    factor: usize,
    /// The refined cells' fine node values, `(factor + 1)²` each, row by row, by the cell's top-left node.
    cells: CellMap<Vec<f64>>,
    /// Every cell traced on the fine grid (a refined cell, or one across an edge from it): its fine node values
    /// (see [`RefinedField::value`]) and their least and greatest, so a level outside them skips the cell.
    blocks: CellMap<Block>,
}

/// Something per coarse cell, kept in a dense array by the cell's top-left node (a lookup per cell and level is
/// the tracing's inner loop).
struct CellMap<T> {
    /// Cells per row: nx − 1.
    width: usize,
    slots: Vec<Option<T>>,
    len: usize,
}

impl<T> CellMap<T> {
    /// No cell of an `nx × ny` node grid.
    fn new([nx, ny]: [usize; 2]) -> Self {
        let (width, height) = (nx.saturating_sub(1), ny.saturating_sub(1));
        CellMap { width, slots: (0..width * height).map(|_| None).collect(), len: 0 }
    }

    fn get(&self, &(i, j): &(usize, usize)) -> Option<&T> {
        if i >= self.width {
            return None;
        }
        self.slots.get(j * self.width + i).and_then(Option::as_ref)
    }

    fn contains_key(&self, cell: &(usize, usize)) -> bool {
        self.get(cell).is_some()
    }

    /// Sets cell (i, j)'s value (a cell outside the grid is left out).
    fn insert(&mut self, (i, j): (usize, usize), value: T) {
        if i < self.width
            && let Some(slot) = self.slots.get_mut(j * self.width + i)
        {
            if slot.is_none() {
                self.len += 1;
            }
            *slot = Some(value);
        }
    }

    /// The cells that have a value, row by row.
    fn keys(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let width = self.width.max(1);
        self.slots.iter().enumerate().filter(|(_, v)| v.is_some()).map(move |(k, _)| (k % width, k / width))
    }
}

/// A cell's fine node values, row by row, with their least and greatest.
struct Block {
    values: Vec<f64>,
    lo: f64,
    hi: f64,
}

impl RefinedField {
    /// The field `coarse` (an `nx × ny` node grid over `window`, as [`super::contour`] lays grids) refined with
    /// `field(w, b)` (the same field, anywhere) where the grid misses its detail, using at most `budget`
    /// evaluations of `field`: first the cells whose centre departs from the grid's bilinear guess by more than a
    /// quarter of the contour spacing 1/`levels` (or lies across a level from it), then, for up to two rounds, the
    /// cells where a traced contour point lies more than a tenth of a cell from the field's level set (judged by
    /// `field` at the point and the cell's slope); each with its neighbours across an edge, worst first.
    pub fn sample(
        coarse: Vec<f64>,
        size: [usize; 2],
        window: Window,
        levels: usize,
        budget: usize,
        field: impl Fn(f64, f64) -> f64,
    ) -> Self {
        let [nx, ny] = size;
        let mut refined =
            RefinedField { coarse, size, factor: FACTOR, cells: CellMap::new(size), blocks: CellMap::new(size) };
        let cells = nx.saturating_sub(1) * ny.saturating_sub(1);
        let budget = budget.min(MAX_EVALS);
        if nx < 2 || ny < 2 || refined.coarse.len() != nx * ny || budget <= cells {
            return refined;
        }
        let mut left = budget - cells;
        let misses = refined.centre_misses(window, levels, &field);
        refined.refine(misses, window, &mut left, &field);
        for _ in 0..2 {
            let off = refined.points_off(window, levels, &mut left, &field);
            if off.is_empty() {
                break;
            }
            refined.refine(off, window, &mut left, &field);
        }
        refined
    }

    /// The cells whose centre's `field` value departs from the bilinear guess (the mean of the corners) by more
    /// than a quarter of the contour spacing, or lies across a contour level from it, with the size of the miss.
    fn centre_misses(
        &self,
        window: Window,
        levels: usize,
        field: &impl Fn(f64, f64) -> f64,
    ) -> Vec<(f64, (usize, usize))> {
        let [nx, ny] = self.size;
        let levels = levels.max(1) as f64;
        let level = |v: f64| (v * levels).floor();
        let mut misses = Vec::new();
        for j in 0..ny - 1 {
            for i in 0..nx - 1 {
                let guess = self.corners(i, j).iter().sum::<f64>() / 4.0;
                let centre = field(window_w(window, i as f64 + 0.5, nx), window_b(window, j as f64 + 0.5, ny));
                let miss = (centre - guess).abs();
                if miss > 0.25 / levels || (level(centre) != level(guess) && miss > 0.0) {
                    misses.push((miss, (i, j)));
                }
            }
        }
        misses
    }

    /// The unrefined cells holding a traced contour point that lies more than a tenth of a cell from the level
    /// set, by `field` at the point: |t(p) − c| over the cell's slope (from its corners, per cell). Each point
    /// checked costs one evaluation of the `left` ones.
    fn points_off(
        &self,
        window: Window,
        levels: usize,
        left: &mut usize,
        field: &impl Fn(f64, f64) -> f64,
    ) -> Vec<(f64, (usize, usize))> {
        let [nx, ny] = self.size;
        let ([w0, w1], [b0, b1]) = (window.w, window.b);
        let mut off = Vec::new();
        for k in 1..levels {
            let c = k as f64 / levels as f64;
            for p in self.contour_level(c, window).into_iter().flatten() {
                let gi = (p[0] - w0) / (w1 - w0) * (nx - 1) as f64;
                let gj = (b1 - p[1]) / (b1 - b0) * (ny - 1) as f64;
                if !(gi.is_finite() && gj.is_finite()) {
                    continue;
                }
                let cell = ((gi.max(0.0) as usize).min(nx - 2), (gj.max(0.0) as usize).min(ny - 2));
                if self.cells.contains_key(&cell) {
                    continue;
                }
                if *left == 0 {
                    return off;
                }
                *left -= 1;
                let [tl, tr, br, bl] = self.corners(cell.0, cell.1);
                let slope = (0.5 * (tr - tl + br - bl)).hypot(0.5 * (bl - tl + br - tr)).max(1e-12);
                let cells_away = (field(p[0], p[1]) - c).abs() / slope;
                if cells_away > 0.1 {
                    off.push((cells_away, cell));
                }
            }
        }
        off
    }

    /// Refines the cells of `worst` (with how badly each misses), worst first, then their neighbours across an
    /// edge (a thin valley leaning across a cell may pass its centre by, and the neighbour's too), while `left`
    /// affords a cell's `(factor + 1)²` evaluations.
    fn refine(
        &mut self,
        mut worst: Vec<(f64, (usize, usize))>,
        window: Window,
        left: &mut usize,
        field: &impl Fn(f64, f64) -> f64,
    ) {
        let [nx, ny] = self.size;
        let f = self.factor;
        worst.sort_by(|a, b| b.0.total_cmp(&a.0));
        let flagged: Vec<(usize, usize)> = worst.into_iter().map(|(_, k)| k).collect();
        let ring = flagged.iter().flat_map(|&(i, j)| {
            [(i.wrapping_sub(1), j), (i + 1, j), (i, j.wrapping_sub(1)), (i, j + 1)]
                .into_iter()
                .filter(|&(a, b)| a < nx - 1 && b < ny - 1)
        });
        let fine = [(nx - 1) * f + 1, (ny - 1) * f + 1];
        let per_cell = (f + 1) * (f + 1);
        for (i, j) in flagged.iter().copied().chain(ring) {
            if *left < per_cell {
                break;
            }
            if self.cells.contains_key(&(i, j)) {
                continue;
            }
            let block = (0..=f)
                .flat_map(|lj| (0..=f).map(move |li| (li, lj)))
                .map(|(li, lj)| {
                    let (fi, fj) = ((i * f + li) as f64, (j * f + lj) as f64);
                    field(window_w(window, fi, fine[0]), window_b(window, fj, fine[1]))
                })
                .collect();
            self.cells.insert((i, j), block);
            *left -= per_cell;
        }
        self.index_blocks();
    }

    /// Reads the fine node values of every cell traced on the fine grid into [`RefinedField::blocks`].
    fn index_blocks(&mut self) {
        let ([nx, ny], f) = (self.size, self.factor);
        let near = |&(i, j): &(usize, usize)| {
            [(i, j), (i.wrapping_sub(1), j), (i + 1, j), (i, j.wrapping_sub(1)), (i, j + 1)]
                .into_iter()
                .filter(|&(a, b)| a < nx - 1 && b < ny - 1)
        };
        let traced: std::collections::BTreeSet<(usize, usize)> = self.cells.keys().flat_map(|k| near(&k)).collect();
        let mut blocks = CellMap::new(self.size);
        for (i, j) in traced {
            let values: Vec<f64> = (0..=f)
                .flat_map(|lj| (0..=f).map(move |li| (li, lj)))
                .map(|(li, lj)| self.value(i * f + li, j * f + lj))
                .collect();
            let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
            blocks.insert((i, j), Block { values, lo, hi });
        }
        self.blocks = blocks;
    }

    /// Coarse cell (i, j)'s corner values: top-left, top-right, bottom-right, bottom-left.
    fn corners(&self, i: usize, j: usize) -> [f64; 4] {
        [self.node(i, j), self.node(i + 1, j), self.node(i + 1, j + 1), self.node(i, j + 1)]
    }

    /// The number of refined cells.
    pub fn refined_cells(&self) -> usize {
        self.cells.len
    }

    /// Coarse node (i, j).
    fn node(&self, i: usize, j: usize) -> f64 {
        self.coarse[j * self.size[0] + i]
    }

    /// The value at fine node (i, j): the field's own where it was sampled (a coarse node, or a node of a refined
    /// cell, its edges included), else bilinear in its coarse cell.
    fn value(&self, i: usize, j: usize) -> f64 {
        let ([nx, ny], f) = (self.size, self.factor);
        let (ci, ri, cj, rj) = (i / f, i % f, j / f, j % f);
        if ri == 0 && rj == 0 {
            return self.node(ci, cj);
        }
        // The refined cells this node belongs to: its own, and the one left of or above it when on their edge.
        let mut holders = [(ci, cj, ri, rj); 3];
        let mut n = 1;
        if ri == 0 && ci > 0 {
            holders[n] = (ci - 1, cj, f, rj);
            n += 1;
        }
        if rj == 0 && cj > 0 {
            holders[n] = (ci, cj - 1, ri, f);
            n += 1;
        }
        for &(a, b, li, lj) in &holders[..n] {
            if let Some(block) = self.cells.get(&(a, b)) {
                return block[lj * (f + 1) + li];
            }
        }
        let (a, b) = (ci.min(nx - 2), cj.min(ny - 2));
        let (u, v) = ((i - a * f) as f64 / f as f64, (j - b * f) as f64 / f as f64);
        let top = self.node(a, b) * (1.0 - u) + self.node(a + 1, b) * u;
        let bottom = self.node(a, b + 1) * (1.0 - u) + self.node(a + 1, b + 1) * u;
        top * (1.0 - v) + bottom * v
    }

    /// The fine edge of a plain cell's edge from fine node (i, j), `horizontal` or down, that `c` crosses: the
    /// first of its `factor` pieces whose ends lie on either side.
    fn fine_crossing(&self, (i, j, horizontal): EdgeKey, c: f64) -> Option<(EdgeKey, f64, f64)> {
        (0..self.factor).find_map(|k| {
            let (a, b) = if horizontal { ((i + k, j), (i + k + 1, j)) } else { ((i, j + k), (i, j + k + 1)) };
            let (va, vb) = (self.value(a.0, a.1), self.value(b.0, b.1));
            ((va < c) != (vb < c)).then_some(((a.0, a.1, horizontal), va, vb))
        })
    }

    /// The polylines where the field crosses `c`, on the fine grid (see the module's doc); a level set that closes
    /// on itself comes back as a polyline whose last point is its first.
    pub fn contour_level(&self, c: f64, window: Window) -> Vec<Vec<[f64; 2]>> {
        let ([nx, ny], f) = (self.size, self.factor);
        if nx < 2 || ny < 2 || self.coarse.len() != nx * ny {
            return Vec::new();
        }
        let value = |i: usize, j: usize| self.value(i, j);
        let mut segments = Vec::new();
        for j in 0..ny - 1 {
            for i in 0..nx - 1 {
                if let Some(block) = self.blocks.get(&(i, j)) {
                    if !(block.lo < c && block.hi >= c) {
                        continue;
                    }
                    // Every fine cell of it.
                    let local = |li: usize, lj: usize| block.values[lj * (f + 1) + li];
                    for lj in 0..f {
                        for li in 0..f {
                            let edges = cell_edges(&local, li, lj)
                                .map(|((a, b, h), va, vb)| ((i * f + a, j * f + b, h), va, vb));
                            cell_segments(edges, corners_of(&edges), c, &mut segments);
                        }
                    }
                    continue;
                }
                // A plain cell: one coarse cell, each crossing keyed by the fine edge it falls on.
                let corners = self.corners(i, j);
                if corners.iter().all(|&v| v < c) || corners.iter().all(|&v| v >= c) {
                    continue;
                }
                let (fi, fj) = (i * f, j * f);
                let sides = [(fi, fj, true), (fi + f, fj, false), (fi, fj + f, true), (fi, fj, false)];
                let edges = sides.map(|s| self.fine_crossing(s, c).unwrap_or((s, c, c)));
                cell_segments(edges, corners, c, &mut segments);
            }
        }
        let fine = [(nx - 1) * f + 1, (ny - 1) * f + 1];
        chain(&segments)
            .into_iter()
            .map(|edges| edges.into_iter().map(|e| edge_point(&value, e, c, fine, window)).collect())
            .collect()
    }

    /// The contour polylines at `levels − 1` evenly spaced levels 1/levels, 2/levels, …, in that order.
    pub fn contour_lines(&self, levels: usize, window: Window) -> Vec<Vec<[f64; 2]>> {
        (1..levels).flat_map(|k| self.contour_level(k as f64 / levels as f64, window)).collect()
    }
}

/// The w of fine column `fi` (fractional) of `n` over `window`.
fn window_w(window: Window, fi: f64, n: usize) -> f64 {
    let [w0, w1] = window.w;
    w0 + (w1 - w0) * fi / (n - 1) as f64
}

/// The b of fine row `fj` (fractional, row 0 at the top) of `n` over `window`.
fn window_b(window: Window, fj: f64, n: usize) -> f64 {
    let [b0, b1] = window.b;
    b1 - (b1 - b0) * fj / (n - 1) as f64
}

/// The contour lines of `surface` over `window` at `levels − 1` evenly spaced log levels of the excess over
/// `floor` (see [`super::contour::log_levels`]), from `losses`, its `size` node grid there (see
/// [`LossSurface::grid`]), refined where the grid misses the surface's detail as far as the surface's evaluation
/// budget allows (see [`LossSurface::affordable_points`]).
pub fn loss_contours(
    surface: &LossSurface,
    window: Window,
    size: [usize; 2],
    losses: &[f64],
    floor: f64,
    levels: usize,
) -> Vec<Vec<[f64; 2]>> {
    let decades = level_decades(losses, floor);
    let t = losses.iter().map(|&l| log_level(l, floor, decades)).collect();
    let field = |w: f64, b: f64| log_level(surface.loss(w, b), floor, decades);
    RefinedField::sample(t, size, window, levels, surface.affordable_points(), field).contour_lines(levels, window)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock's f(w, b) = (1 − w)² + 100 (b − w²)².
    fn rosenbrock(w: f64, b: f64) -> f64 {
        (1.0 - w).powi(2) + 100.0 * (b - w * w).powi(2)
    }

    /// The app's Rosenbrock view ([−2, 4] × [−6.5, 8.5]) on the contour map's 161 × 121 grid.
    const VIEW: Window = Window { w: [-2.0, 4.0], b: [-6.5, 8.5] };
    const GRID: [usize; 2] = [161, 121];

    fn grid_of(f: impl Fn(f64, f64) -> f64, window: Window, [nx, ny]: [usize; 2]) -> Vec<f64> {
        (0..ny)
            .flat_map(|j| (0..nx).map(move |i| (i, j)))
            .map(|(i, j)| f(window.node_w(i, nx), window.node_b(j, ny)))
            .collect()
    }

    /// The largest distance between consecutive points of a polyline.
    fn largest_gap(line: &[[f64; 2]]) -> f64 {
        line.windows(2).map(|p| (p[1][0] - p[0][0]).hypot(p[1][1] - p[0][1])).fold(0.0, f64::max)
    }

    #[test]
    fn rosenbrocks_low_levels_are_one_closed_loop_each_on_the_level_set() {
        let coarse = grid_of(rosenbrock, VIEW, GRID);
        // The field as the contour map takes it: log levels of f above its minimum 0.
        let decades = level_decades(&coarse, 0.0);
        let t: Vec<f64> = coarse.iter().map(|&l| log_level(l, 0.0, decades)).collect();
        let field = |w: f64, b: f64| log_level(rosenbrock(w, b), 0.0, decades);
        let refined = RefinedField::sample(t.clone(), GRID, VIEW, 16, usize::MAX, field);
        assert!(refined.refined_cells() > 0);
        let cell = [(VIEW.w[1] - VIEW.w[0]) / 160.0, (VIEW.b[1] - VIEW.b[0]) / 120.0];
        let fine = [cell[0] / FACTOR as f64, cell[1] / FACTOR as f64];
        // A speck: a piece that fits in one fine cell (under a pixel at any size the map is drawn).
        let extent = |line: &[[f64; 2]]| {
            let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
            for p in line {
                lo = [lo[0].min(p[0]), lo[1].min(p[1])];
                hi = [hi[0].max(p[0]), hi[1].max(p[1])];
            }
            [hi[0] - lo[0], hi[1] - lo[1]]
        };
        let speck = |line: &[[f64; 2]]| {
            let e = extent(line);
            e[0] <= fine[0] && e[1] <= fine[1]
        };
        for level in [0.5, 1.0] {
            let c = log_level(level, 0.0, decades);
            // The grid alone breaks the valley's loop into beads: its half-width, 0.1·√level in b at most, is under
            // a cell's 0.125.
            let beads = super::super::contour::contour_level(&t, GRID, c, VIEW);
            let pieces = beads.iter().filter(|l| !speck(l)).count();
            assert!(pieces > 1, "f = {level}: the coarse grid alone gives {pieces} pieces");
            let mut lines = refined.contour_level(c, VIEW);
            lines.sort_by_key(|l| std::cmp::Reverse(l.len()));
            let ring = &lines[0];
            // One loop. Besides it, at most specks at its two pointed ends, where the level set narrows below any
            // grid's spacing (within a fine cell of the tip at w = 1 ± √level).
            for other in &lines[1..] {
                assert!(speck(other), "f = {level}: a second piece {:?} long", extent(other));
                let to_tip =
                    other.iter().map(|p| ((p[0] - 1.0).abs() - level.sqrt()).abs()).fold(f64::INFINITY, f64::min);
                assert!(to_tip < 2.0 * fine[0], "f = {level}: a speck {to_tip} from a tip");
            }
            assert!(lines.len() <= 3, "f = {level}: {} pieces", lines.len());
            assert_eq!(ring.first(), ring.last(), "f = {level}: closed");
            assert!(ring.len() > 100, "{} points", ring.len());
            assert!(largest_gap(ring) < cell[0].hypot(cell[1]), "a gap of {}", largest_gap(ring));
            // Each point lies on the level set, to a quarter of a coarse cell along the gradient: |f − level| is at
            // most ‖∇f‖ · cell / 4.
            for &[w, b] in ring {
                let grad = [-2.0 * (1.0 - w) - 400.0 * w * (b - w * w), 200.0 * (b - w * w)];
                let off = (rosenbrock(w, b) - level).abs();
                assert!(off <= grad[0].hypot(grad[1]) * cell[1] / 4.0 + 1e-9, "f({w}, {b}) = {}", rosenbrock(w, b));
            }
            // And it runs along the whole valley: from the tip at w = 1 − √level to the one at 1 + √level, to
            // within a coarse cell.
            let (lo, hi) = ring.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p[0]), b.max(p[0])));
            let r = level.sqrt();
            assert!((lo - (1.0 - r)).abs() < cell[0] && (hi - (1.0 + r)).abs() < cell[0], "w from {lo} to {hi}");
        }
    }

    #[test]
    fn circles_stay_circles_of_radius_root_level() {
        // w² + b²: the level set f = L is the circle of radius √L, refined or not.
        let window = Window { w: [-2.0, 2.0], b: [-1.5, 1.5] };
        let size = [41, 31];
        let f = |w: f64, b: f64| w * w + b * b;
        let refined = RefinedField::sample(grid_of(f, window, size), size, window, 8, usize::MAX, f);
        for level in [0.04, 0.5, 1.0, 2.0] {
            let lines = refined.contour_level(level, window);
            assert_eq!(lines.len(), 1, "one circle at f = {level}");
            let ring = &lines[0];
            assert_eq!(ring.first(), ring.last(), "closed");
            for p in ring {
                let r = p[0].hypot(p[1]);
                assert!((r - level.sqrt()).abs() < 0.02, "({}, {}) at radius {r}, not {}", p[0], p[1], level.sqrt());
            }
        }
    }

    #[test]
    fn a_plain_cell_and_a_refined_neighbour_meet_at_the_same_points() {
        // A field the grid cannot guess in one cell only: a narrow dip at the middle of a 5 × 5 grid.
        let window = Window { w: [0.0, 4.0], b: [0.0, 4.0] };
        let size = [5, 5];
        let f = |w: f64, b: f64| 0.5 * w / 4.0 + 0.6 * (-((w - 1.5).powi(2) + (b - 2.5).powi(2)) / 0.05).exp();
        let refined = RefinedField::sample(grid_of(f, window, size), size, window, 8, usize::MAX, f);
        let mut cells: Vec<(usize, usize)> = refined.cells.keys().collect();
        cells.sort_unstable();
        assert_eq!(
            cells,
            [(0, 1), (1, 0), (1, 1), (1, 2), (2, 1)],
            "the bump's cell and its neighbours across an edge"
        );
        // The bump's top, above f = 0.28, is a closed loop inside its cell, which the grid alone does not see.
        assert!(super::super::contour::contour_level(&grid_of(f, window, size), size, 0.28, window).len() == 1);
        let lines = refined.contour_level(0.28, window);
        let (open, closed): (Vec<_>, Vec<_>) = lines.iter().partition(|l| l.first() != l.last());
        assert_eq!(closed.len(), 1, "{lines:?}");
        assert!(closed[0].iter().all(|p| (p[0] - 1.5).hypot(p[1] - 2.5) < 0.4), "{:?}", closed[0]);
        // The level line w = 2.24 runs up the refined cell's plain neighbour to the right and the plain cells above
        // and below it: one polyline from the bottom edge to the top one, with no break at the seams.
        assert_eq!(open.len(), 1, "{lines:?}");
        let ends = [open[0][0][1], open[0][open[0].len() - 1][1]];
        assert!(ends.contains(&0.0) && ends.contains(&4.0), "{ends:?}");
        assert!(open[0].iter().all(|p| (p[0] - 2.24).abs() < 0.01), "{:?}", open[0]);
    }
}
