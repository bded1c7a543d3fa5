//! The 3-D surface view's geometry: a camera orbiting the loss surface, the projection of (w, b, L) to the screen,
//! and the painter's order of the mesh's quads (farthest first), all UI-free.
//!
//! World coordinates are normalised: w and b map their window to [−1, 1], the height maps [L_low, L_high] to [0, 1]
//! (see [`Heights`]). The camera turns by `yaw` about the vertical axis and tilts by `pitch` towards it; the
//! projection is orthographic (parallel lines stay parallel, so a valley's shape reads the same at every depth),
//! scaled by `zoom` to the viewport.

use super::contour::Window;

/// Where the camera looks from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    /// Turn about the vertical axis, radians (0: looking along +b, w to the right).
    pub yaw: f64,
    /// Tilt from the horizontal, radians (π/2: straight down).
    pub pitch: f64,
    /// Scale of the unit cube on the screen, as a share of the viewport's smaller side.
    pub zoom: f64,
}

impl Default for Camera {
    fn default() -> Self {
        Camera { yaw: -0.6, pitch: 0.55, zoom: 0.4 }
    }
}

impl Camera {
    /// Turns by a drag of (`dx`, `dy`) points: right turns the surface right, down tilts it towards the viewer.
    /// The pitch stays between just above the horizon and straight down.
    pub fn drag(&mut self, dx: f64, dy: f64) {
        self.yaw += dx * 0.01;
        self.pitch = (self.pitch + dy * 0.01).clamp(0.05, std::f64::consts::FRAC_PI_2);
    }

    /// Zooms by `factor` (> 1 closer), within 0.1…2.
    pub fn zoom_by(&mut self, factor: f64) {
        if factor.is_finite() && factor > 0.0 {
            self.zoom = (self.zoom * factor).clamp(0.1, 2.0);
        }
    }

    /// The screen position of world point `p` = [x, y, z] (x: w, y: b, z: height) in a viewport of `size` centred
    /// at `centre` (screen y grows downwards), and its depth (larger: farther from the viewer).
    pub fn project(&self, [x, y, z]: [f64; 3], centre: [f64; 2], size: [f64; 2]) -> ([f64; 2], f64) {
        let (sy, cy) = self.yaw.sin_cos();
        let (sp, cp) = self.pitch.sin_cos();
        // Turn about the vertical axis: x' to the right, y' away from the viewer.
        let xr = x * cy - y * sy;
        let yr = x * sy + y * cy;
        // Tilt: the screen's up is the height seen from above by the pitch.
        let up = (z - 0.5) * cp + yr * sp;
        let depth = yr * cp - (z - 0.5) * sp;
        let scale = self.zoom * size[0].min(size[1]);
        ([centre[0] + xr * scale, centre[1] - up * scale], depth)
    }
}

/// The share of a viewport's width that the projection counts as its side: at the default camera the unit box is
/// about 1.2 times wider on screen than high, so a viewport's side is the smaller of 0.83 × its width and its height.
pub const FIT_WIDTH: f64 = 0.83;

/// The size to [`Camera::project`] into for a viewport of `size` (see [`FIT_WIDTH`]): at the default camera the whole
/// box, floor to top, then fits in the viewport with a margin for the axes' labels, whatever its shape.
pub fn fit_size(size: [f64; 2]) -> [f64; 2] {
    [size[0] * FIT_WIDTH, size[1]]
}

/// How a loss maps to the view's height in [0, 1]: linear between `low` and `high`, clamped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Heights {
    /// The loss at height 0.
    pub low: f64,
    /// The loss at height 1.
    pub high: f64,
}

impl Heights {
    /// Heights for the finite losses of a grid: from the smallest to the largest (a flat grid gets a unit span).
    pub fn of(losses: &[f64]) -> Self {
        let finite = losses.iter().copied().filter(|v| v.is_finite());
        let (low, high) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        if low > high {
            return Heights { low: 0.0, high: 1.0 };
        }
        Heights { low, high: if high > low { high } else { low + 1.0 } }
    }

    /// The height of loss `l`, clamped to [0, 1] (a non-finite loss is at the top).
    pub fn z(&self, l: f64) -> f64 {
        if l.is_nan() || l == f64::INFINITY {
            return 1.0;
        }
        ((l - self.low) / (self.high - self.low)).clamp(0.0, 1.0)
    }
}

/// The normalised world x (from w) and y (from b) of a point in `window`.
pub fn to_world(window: Window, w: f64, b: f64) -> [f64; 2] {
    let n = |v: f64, [lo, hi]: [f64; 2]| 2.0 * (v - lo) / (hi - lo) - 1.0;
    [n(w, window.w), n(b, window.b)]
}

/// The quads of an `nx × ny` node grid (row 0 at the top, the largest b, as [`super::contour::Window`] lays
/// grids), as the indices of their corner nodes, sorted farthest first for painting: each quad's depth is its
/// centre's.
pub fn painter_order(camera: &Camera, window: Window, heights: &[f64], [nx, ny]: [usize; 2]) -> Vec<[usize; 4]> {
    let mut quads: Vec<(f64, [usize; 4])> = Vec::with_capacity(nx.saturating_sub(1) * ny.saturating_sub(1));
    for j in 0..ny.saturating_sub(1) {
        for i in 0..nx.saturating_sub(1) {
            let corners = [j * nx + i, j * nx + i + 1, (j + 1) * nx + i + 1, (j + 1) * nx + i];
            let (w, b) = (
                0.5 * (window.node_w(i, nx) + window.node_w(i + 1, nx)),
                0.5 * (window.node_b(j, ny) + window.node_b(j + 1, ny)),
            );
            let z = corners.iter().map(|&k| heights.get(k).copied().unwrap_or(0.0)).sum::<f64>() / 4.0;
            let [x, y] = to_world(window, w, b);
            let (_, depth) = camera.project([x, y, z], [0.0, 0.0], [1.0, 1.0]);
            quads.push((depth, corners));
        }
    }
    quads.sort_by(|a, b| b.0.total_cmp(&a.0));
    quads.into_iter().map(|(_, q)| q).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Window = Window { w: [0.0, 4.0], b: [-1.0, 1.0] };

    #[test]
    fn the_centre_projects_to_the_viewport_centre() {
        let c = Camera::default();
        let (p, _) = c.project([0.0, 0.0, 0.5], [100.0, 50.0], [200.0, 100.0]);
        assert!((p[0] - 100.0).abs() < 1e-9 && (p[1] - 50.0).abs() < 1e-9, "{p:?}");
    }

    #[test]
    fn at_the_default_camera_the_whole_box_fits_any_viewport_with_a_margin() {
        let c = Camera::default();
        for size in [[300.0, 300.0], [900.0, 300.0], [600.0, 200.0], [300.0, 600.0], [1400.0, 820.0]] {
            let centre = [size[0] / 2.0, size[1] / 2.0];
            for corner in 0..8 {
                let p = [[-1.0, 1.0][corner & 1], [-1.0, 1.0][(corner >> 1) & 1], [0.0, 1.0][corner >> 2]];
                let (at, _) = c.project(p, centre, fit_size(size));
                for k in 0..2 {
                    let off = (at[k] - centre[k]).abs() / (size[k] / 2.0);
                    assert!(off <= 0.93, "{size:?}: corner {p:?} at {at:?} is {off:.3} of the half-side out");
                }
            }
        }
    }

    #[test]
    fn looking_straight_down_shows_the_plane_as_a_map() {
        let c = Camera { yaw: 0.0, pitch: std::f64::consts::FRAC_PI_2, zoom: 0.5 };
        let (right, _) = c.project([1.0, 0.0, 0.0], [0.0, 0.0], [100.0, 100.0]);
        let (far, _) = c.project([0.0, 1.0, 0.0], [0.0, 0.0], [100.0, 100.0]);
        let (high, _) = c.project([0.0, 0.0, 1.0], [0.0, 0.0], [100.0, 100.0]);
        assert!((right[0] - 50.0).abs() < 1e-9 && right[1].abs() < 1e-9, "+w to the right: {right:?}");
        assert!(far[0].abs() < 1e-9 && (far[1] + 50.0).abs() < 1e-9, "+b up the screen: {far:?}");
        assert!(high[0].abs() < 1e-9 && high[1].abs() < 1e-9, "height is seen end-on: {high:?}");
    }

    #[test]
    fn from_the_side_height_is_up_and_b_is_depth() {
        let c = Camera { yaw: 0.0, pitch: 0.0, zoom: 0.5 };
        let (top, _) = c.project([0.0, 0.0, 1.0], [0.0, 0.0], [100.0, 100.0]);
        assert!((top[1] + 25.0).abs() < 1e-9, "z = 1 is half a unit above the centre: {top:?}");
        let (_, near) = c.project([0.0, -1.0, 0.5], [0.0, 0.0], [100.0, 100.0]);
        let (_, far) = c.project([0.0, 1.0, 0.5], [0.0, 0.0], [100.0, 100.0]);
        assert!(far > near, "+b is away from the viewer");
    }

    #[test]
    fn a_quarter_turn_swaps_the_axes() {
        let c = Camera { yaw: std::f64::consts::FRAC_PI_2, pitch: std::f64::consts::FRAC_PI_2, zoom: 0.5 };
        let (p, _) = c.project([0.0, 1.0, 0.0], [0.0, 0.0], [100.0, 100.0]);
        assert!((p[0] + 50.0).abs() < 1e-9 && p[1].abs() < 1e-9, "+b turns to the left: {p:?}");
    }

    #[test]
    fn quads_are_painted_farthest_first() {
        let c = Camera { yaw: 0.0, pitch: 0.5, zoom: 0.5 };
        let heights = vec![0.0; 9];
        let order = painter_order(&c, WINDOW, &heights, [3, 3]);
        assert_eq!(order.len(), 4);
        // Row 0 is the largest b, the farthest from a camera looking along +b: its quads come first.
        let first_rows: Vec<usize> = order.iter().take(2).map(|q| q[0] / 3).collect();
        assert_eq!(first_rows, [0, 0], "{order:?}");
        let depth = |q: &[usize; 4]| {
            let j = q[0] / 3;
            let b = 0.5 * (WINDOW.node_b(j, 3) + WINDOW.node_b(j + 1, 3));
            c.project([0.0, to_world(WINDOW, 2.0, b)[1], 0.0], [0.0, 0.0], [1.0, 1.0]).1
        };
        assert!(order.windows(2).all(|p| depth(&p[0]) >= depth(&p[1])), "non-increasing depth");
    }

    #[test]
    fn heights_span_the_grid_and_clamp() {
        let h = Heights::of(&[2.0, 4.0, f64::INFINITY, f64::NAN, 3.0]);
        assert_eq!(h, Heights { low: 2.0, high: 4.0 });
        assert_eq!(h.z(3.0), 0.5);
        assert_eq!(h.z(10.0), 1.0);
        assert_eq!(h.z(f64::NAN), 1.0);
        assert_eq!(Heights::of(&[5.0, 5.0]), Heights { low: 5.0, high: 6.0 });
        assert_eq!(to_world(WINDOW, 4.0, -1.0), [1.0, -1.0]);
    }
}
