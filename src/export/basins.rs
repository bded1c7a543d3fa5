//! The basins map as a picture: each start's cell coloured by where its run ends ([`end_rgb`]: its basin in the
//! order found, diverged dark red, unfinished grey), as the app's Basins tab colours it, and as a PNG
//! ([`basins_png`]) for `descent basins --png`.

use std::path::Path;

use super::{ExportError, ExportReport, write_file};
use crate::engine::basins::{BasinPlan, Basins, End, Outcome};

/// The first basins' colours, in the order they are found (known minima first); [`basin_rgb`] goes on from them.
pub const BASIN_RGB: [[u8; 3]; 8] = [
    [86, 156, 214],
    [230, 159, 0],
    [0, 158, 115],
    [204, 121, 167],
    [240, 228, 66],
    [0, 114, 178],
    [213, 94, 0],
    [150, 150, 255],
];
/// A start whose run diverged.
pub const DIVERGED_RGB: [u8; 3] = [120, 40, 40];
/// A start whose run is still on its way after the budget.
pub const UNFINISHED_RGB: [u8; 3] = [110, 110, 110];

/// The colour of the basin found `k`-th: [`BASIN_RGB`] first, then hues a golden angle (137.5°) apart at three
/// values and saturations in turn, so that a landscape with many minima (Rastrigin's) never shows two basins in one
/// colour.
pub fn basin_rgb(k: usize) -> [u8; 3] {
    if let Some(c) = BASIN_RGB.get(k) {
        return *c;
    }
    let j = k - BASIN_RGB.len();
    let hue = (j as f64 * 137.507_764 / 360.0).fract();
    let value = [0.95, 0.7, 0.5][j % 3];
    let saturation = [0.55, 0.8, 0.65][(j / 3) % 3];
    hsv_rgb(hue, saturation, value)
}

/// sRGB bytes of a hue (0–1, a turn), saturation and value taken in linear light (as egui's `Hsva` does), then
/// gamma-encoded.
fn hsv_rgb(h: f64, s: f64, v: f64) -> [u8; 3] {
    let sector = h * 6.0;
    let f = sector.fract();
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f)));
    let (r, g, b) = match sector as u32 % 6 {
        0 => (v, t, p),
        1 => (q, v, p),
        2 => (p, v, t),
        3 => (p, q, v),
        4 => (t, p, v),
        _ => (v, p, q),
    };
    let encode = |c: f64| if c <= 0.003_130_8 { 12.92 * c } else { 1.055 * c.powf(1.0 / 2.4) - 0.055 };
    [r, g, b].map(|c| (encode(c) * 255.0).round().clamp(0.0, 255.0) as u8)
}

/// The colour of one end (a converged end's basin is found, or added, in `basins`).
pub fn end_rgb(end: &End, basins: &mut Basins) -> [u8; 3] {
    match end.outcome {
        Outcome::Converged => basin_rgb(basins.assign(end.at)),
        Outcome::Diverged => DIVERGED_RGB,
        Outcome::Unfinished => UNFINISHED_RGB,
    }
}

/// The map as PNG bytes: `rows[j]` is row `j` of `plan` from the bottom, drawn with b upward, each cell a square of
/// the smallest whole number of pixels that makes the picture at least `min_side` pixels across.
pub fn basins_png(plan: &BasinPlan, rows: &[Vec<End>], basins: &Basins, min_side: u32) -> Result<Vec<u8>, ExportError> {
    let [nx, ny] = plan.size.map(|n| n.max(1) as u32);
    let cell = min_side.div_ceil(nx.max(ny)).max(1);
    let (width, height) = (nx * cell, ny * cell);
    let mut basins = basins.clone();
    let mut image = image::RgbImage::new(width, height);
    for (j, row) in rows.iter().enumerate() {
        for (i, end) in row.iter().enumerate() {
            let rgb = image::Rgb(end_rgb(end, &mut basins));
            let (x0, y0) = (i as u32 * cell, height.saturating_sub((j as u32 + 1) * cell));
            for y in y0..(y0 + cell).min(height) {
                for x in x0..(x0 + cell).min(width) {
                    image.put_pixel(x, y, rgb);
                }
            }
        }
    }
    let mut png = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| ExportError::Stream(std::io::Error::other(e.to_string())))?;
    Ok(png.into_inner())
}

/// [`basins_png`] written to `path` (atomically, see [`write_file`]), at least 400 pixels across.
pub fn export_basins_png_file(
    path: &Path,
    plan: &BasinPlan,
    rows: &[Vec<End>],
    basins: &Basins,
) -> Result<ExportReport, ExportError> {
    write_file(path, &basins_png(plan, rows, basins, 400)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Params;

    /// Row 0 is the bottom of the picture; each cell is a square of `cell` pixels in its end's colour.
    #[test]
    fn the_bottom_row_is_drawn_at_the_bottom() {
        let plan = BasinPlan { w: [0.0, 2.0], b: [0.0, 2.0], size: [2, 2], max_steps: 1, tolerance: 1e-6 };
        let at = Params { w: 0.0, b: 0.0 };
        let end = |outcome| End { outcome, at, steps: 1 };
        let rows = vec![
            vec![end(Outcome::Converged), end(Outcome::Diverged)],
            vec![end(Outcome::Unfinished), end(Outcome::Converged)],
        ];
        let basins = Basins::new(vec![at], 0.1);
        let png = basins_png(&plan, &rows, &basins, 10).expect("encodes");
        let img = image::load_from_memory(&png).expect("decodes").to_rgb8();
        assert_eq!(img.dimensions(), (10, 10), "cells of 5 pixels");
        assert_eq!(img.get_pixel(0, 9).0, BASIN_RGB[0], "bottom left: row 0, converged at the known minimum");
        assert_eq!(img.get_pixel(9, 9).0, DIVERGED_RGB);
        assert_eq!(img.get_pixel(0, 0).0, UNFINISHED_RGB, "top left: row 1");
    }
}

#[cfg(test)]
mod colour_tests {
    use super::*;
    use crate::colorvision::{ciede2000, lab, linear_rgb};

    #[test]
    fn every_basin_of_many_gets_its_own_colour() {
        let colours: Vec<[u8; 3]> = (0..64).map(basin_rgb).collect();
        for (i, a) in colours.iter().enumerate() {
            for (j, b) in colours.iter().enumerate().skip(i + 1) {
                let d = ciede2000(lab(linear_rgb(*a)), lab(linear_rgb(*b)));
                assert!(d > 1.0, "basins {i} and {j}: {a:?} and {b:?} only ΔE00 {d:.2} apart");
            }
        }
        // The first 24 (more than Rastrigin shows in its default window) stay clearly apart.
        let first = crate::colorvision::closest_pair(&colours[..24], None).map(|p| p.0).unwrap_or_default();
        assert!(first >= 5.0, "the first 24 basins' closest pair: ΔE00 {first:.2}");
    }
}
