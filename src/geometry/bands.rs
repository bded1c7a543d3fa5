//! The 3-D surface's height bands cut exactly along their level lines, so a band's edge is the level line itself
//! and not the staircase of whole triangles coloured by their mean.
//!
//! A mesh triangle carries a level t at each corner (the contour map's log scale, in [0, 1]) and t is taken as
//! linear across the triangle, as the contour lines take it along the grid's edges. The band edges are the lines
//! t = k / bands; [`split_triangle`] cuts the triangle along each one it crosses into convex pieces, each wholly
//! inside one band, to be filled with that band's colour. Where two neighbouring triangles meet, both cut their
//! common edge at the same points, so the band edges run on across the mesh without a step. A corner also carries
//! its lighting, cut along with the position, so the shading can vary smoothly from vertex to vertex.

/// A corner of a mesh triangle: where it is (any coordinates; they are interpolated linearly along the edges), its
/// level t and its lighting (interpolated like the position).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Corner {
    /// The position, e.g. the normalised world [x, y, z] of the mesh node.
    pub at: [f64; 3],
    /// The level, in [0, 1] (a value outside is taken as the nearest end; NaN as the top).
    pub t: f64,
    /// The lighting at the corner, in [0, 1] (1 fully lit).
    pub light: f64,
}

/// One band's part of a triangle: a convex polygon of 3 to 5 corners, all in band `band`.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    /// The band, 0 (lowest) to `bands − 1`.
    pub band: usize,
    /// The corners, in the triangle's winding order.
    pub corners: Vec<Corner>,
}

/// The band of level `t` among `bands` (≥ 1) equal bands of [0, 1]: ⌊t · bands⌋, the top level in the top band.
pub fn band_of(t: f64, bands: usize) -> usize {
    let bands = bands.max(1);
    let t = clean(t);
    ((t * bands as f64).floor() as usize).min(bands - 1)
}

/// A level clamped to [0, 1], NaN at the top.
fn clean(t: f64) -> f64 {
    if t.is_nan() { 1.0 } else { t.clamp(0.0, 1.0) }
}

/// The pieces of triangle `tri` in each band it spans, cut along the band edges t = k / `bands`; a triangle
/// within one band is one piece, itself. Together the pieces cover the triangle once.
pub fn split_triangle(tri: [Corner; 3], bands: usize) -> Vec<Piece> {
    let bands = bands.max(1);
    let tri = tri.map(|c| Corner { t: clean(c.t), ..c });
    let lo = tri.iter().map(|c| band_of(c.t, bands)).min().unwrap_or(0);
    let hi = tri.iter().map(|c| band_of(c.t, bands)).max().unwrap_or(0);
    if lo == hi {
        return vec![Piece { band: lo, corners: tri.to_vec() }];
    }
    let mut pieces = Vec::with_capacity(hi - lo + 1);
    for band in lo..=hi {
        let mut poly = tri.to_vec();
        if band > lo {
            poly = clip(&poly, band as f64 / bands as f64, true);
        }
        if band < hi {
            poly = clip(&poly, (band + 1) as f64 / bands as f64, false);
        }
        if poly.len() >= 3 {
            pieces.push(Piece { band, corners: poly });
        }
    }
    pieces
}

/// The part of convex polygon `poly` where t ≥ `edge` (`above`) or t ≤ `edge` (not `above`), by Sutherland–Hodgman:
/// each side that crosses the edge is cut where t, linear along it, equals `edge`.
fn clip(poly: &[Corner], edge: f64, above: bool) -> Vec<Corner> {
    let keep = |c: &Corner| if above { c.t >= edge } else { c.t <= edge };
    let mut out = Vec::with_capacity(poly.len() + 1);
    for (k, a) in poly.iter().enumerate() {
        let b = &poly[(k + 1) % poly.len()];
        if keep(a) {
            out.push(*a);
        }
        if keep(a) != keep(b) {
            let f = (edge - a.t) / (b.t - a.t);
            let at = [0, 1, 2].map(|i| a.at[i] + f * (b.at[i] - a.at[i]));
            out.push(Corner { at, t: edge, light: a.light + f * (b.light - a.light) });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A corner at (x, y) with level `t`, lit by a plane's value there (so cut corners are checked against it).
    fn corner(x: f64, y: f64, t: f64) -> Corner {
        Corner { at: [x, y, 0.0], t, light: lit(x, y) }
    }

    /// The lighting the test corners carry: a linear function of the position.
    fn lit(x: f64, y: f64) -> f64 {
        0.2 + 0.1 * x - 0.05 * y
    }

    /// Twice the signed area of a polygon in (x, y).
    fn area2(poly: &[Corner]) -> f64 {
        (0..poly.len())
            .map(|k| {
                let (a, b) = (poly[k].at, poly[(k + 1) % poly.len()].at);
                a[0] * b[1] - b[0] * a[1]
            })
            .sum()
    }

    /// The level the plane through the triangle's three corners has at (x, y): the independent truth a piece's
    /// corners are checked against (barycentric coordinates, not the clipper's interpolation).
    fn plane_level(tri: &[Corner; 3], x: f64, y: f64) -> f64 {
        let [a, b, c] = tri.map(|c| c.at);
        let d = (b[1] - c[1]) * (a[0] - c[0]) + (c[0] - b[0]) * (a[1] - c[1]);
        let l1 = ((b[1] - c[1]) * (x - c[0]) + (c[0] - b[0]) * (y - c[1])) / d;
        let l2 = ((c[1] - a[1]) * (x - c[0]) + (a[0] - c[0]) * (y - c[1])) / d;
        l1 * tri[0].t + l2 * tri[1].t + (1.0 - l1 - l2) * tri[2].t
    }

    #[test]
    fn bands_are_equal_slices_of_the_unit_interval() {
        assert_eq!(band_of(0.0, 12), 0);
        assert_eq!(band_of(1.0 / 12.0 + 1e-12, 12), 1);
        assert_eq!(band_of(0.5, 4), 2);
        assert_eq!(band_of(1.0, 12), 11, "the top level is in the top band");
        assert_eq!(band_of(-3.0, 12), 0);
        assert_eq!(band_of(f64::NAN, 12), 11);
        assert_eq!(band_of(0.7, 0), 0, "one band at least");
    }

    #[test]
    fn a_triangle_within_one_band_is_left_whole() {
        let tri = [corner(0.0, 0.0, 0.30), corner(1.0, 0.0, 0.31), corner(0.0, 1.0, 0.32)];
        assert_eq!(split_triangle(tri, 12), [Piece { band: 3, corners: tri.to_vec() }]);
    }

    #[test]
    fn pieces_lie_in_their_band_follow_the_level_lines_and_cover_the_triangle() {
        let bands = 12;
        let cases = [
            // A steep triangle across nine band edges, one across a single edge, one with a corner on an edge, and
            // levels beyond [0, 1] (clamped).
            [corner(0.0, 0.0, 0.02), corner(2.0, 0.5, 0.97), corner(0.3, 1.5, 0.40)],
            [corner(0.0, 0.0, 0.49), corner(1.0, 0.0, 0.51), corner(0.0, 1.0, 0.495)],
            [corner(0.0, 0.0, 0.25), corner(1.0, 1.0, 0.6), corner(-1.0, 2.0, 0.1)],
            [corner(0.0, 0.0, -0.5), corner(3.0, 0.0, 0.5), corner(0.0, 3.0, 1.5)],
        ];
        for tri in cases {
            let pieces = split_triangle(tri, bands);
            let clamped = tri.map(|c| Corner { t: c.t.clamp(0.0, 1.0), ..c });
            let lo = tri.iter().map(|c| band_of(c.t, bands)).min().unwrap();
            let hi = tri.iter().map(|c| band_of(c.t, bands)).max().unwrap();
            assert_eq!(pieces.iter().map(|p| p.band).collect::<Vec<_>>(), (lo..=hi).collect::<Vec<_>>(), "{tri:?}");
            for p in &pieces {
                assert!((3..=5).contains(&p.corners.len()), "{p:?}");
                let (bottom, top) = (p.band as f64 / bands as f64, (p.band + 1) as f64 / bands as f64);
                for c in &p.corners {
                    // Where the piece's corner is, the triangle's own (linear) level is in the piece's band.
                    let t = plane_level(&clamped, c.at[0], c.at[1]);
                    assert!(t >= bottom - 1e-9 && t <= top + 1e-9, "band {}: t = {t} at {:?}", p.band, c.at);
                    assert!((t - c.t).abs() < 1e-9, "the corner's level is the plane's: {} vs {t}", c.t);
                    let light = lit(c.at[0], c.at[1]);
                    assert!(
                        (c.light - light).abs() < 1e-9,
                        "the corner's light is the plane's: {} vs {light}",
                        c.light
                    );
                }
                assert!(area2(&p.corners) > 0.0, "same winding as the triangle: {p:?}");
            }
            let total: f64 = pieces.iter().map(|p| area2(&p.corners)).sum();
            assert!((total - area2(&tri)).abs() < 1e-9 * area2(&tri), "{total} vs {}", area2(&tri));
        }
    }

    #[test]
    fn neighbouring_triangles_cut_their_common_edge_at_the_same_points() {
        // Two triangles sharing the edge (1, 0)–(0, 1), wound the same way: each band edge crosses it once.
        let (a, b) = (corner(1.0, 0.0, 0.9), corner(0.0, 1.0, 0.05));
        let first = split_triangle([corner(0.0, 0.0, 0.3), a, b], 12);
        let second = split_triangle([corner(1.0, 1.0, 0.7), b, a], 12);
        let on_edge = |pieces: &[Piece]| {
            let mut v: Vec<[i64; 2]> = pieces
                .iter()
                .flat_map(|p| p.corners.iter())
                .filter(|c| (c.at[0] + c.at[1] - 1.0).abs() < 1e-12)
                .map(|c| [(c.at[0] * 1e9).round() as i64, (c.at[1] * 1e9).round() as i64])
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let cuts = on_edge(&first);
        // The two ends and the 10 band edges t = 1/12 … 10/12 between 0.05 and 0.9.
        assert_eq!(cuts.len(), 12, "{cuts:?}");
        assert_eq!(cuts, on_edge(&second));
    }
}
