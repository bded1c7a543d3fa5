//! How far apart two colours look, to a person with normal colour vision or with a red-green deficiency: the
//! check behind the colour-blind run palette ([`crate::run_look::RunPalette::Colorblind`]).
//!
//! - **Simulation.** Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation of Color
//!   Vision Deficiency", IEEE TVCG 15(6), 1291–1298: one 3×3 matrix per deficiency and severity, applied to
//!   *linear* sRGB (the sRGB transfer curve is undone first, IEC 61966-2-1). The matrices are those of their
//!   table for severity 1.0 (protanopia and deuteranopia, the dichromats), as Chrome's and Firefox's developer
//!   tools use them. The result is clamped to the sRGB gamut.
//! - **Difference.** CIEDE2000 (CIE 142-2001) in the form and with the test data of Sharma, Wu & Dalal (2005),
//!   "The CIEDE2000 Color-Difference Formula: Implementation Notes, Supplementary Test Data, and Mathematical
//!   Observations", Color Research & Application 30(1), 21–30, with kL = kC = kH = 1; CIELAB from linear sRGB
//!   under D65 (IEC 61966-2-1's matrix, CIE 15's L*a*b*).
//!
//! A ΔE00 of about 1 is a just-noticeable difference; 10 tells two lines apart at a glance.

/// A colour-vision deficiency simulated at full severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deficiency {
    /// No L cones (about 1 % of men).
    Protanopia,
    /// No M cones (about 1 % of men; deuteranomaly, its milder form, about 5 %).
    Deuteranopia,
}

impl Deficiency {
    /// Both simulated deficiencies.
    pub const ALL: [Deficiency; 2] = [Deficiency::Protanopia, Deficiency::Deuteranopia];

    /// Machado et al.'s matrix for severity 1.0, rows producing linear R, G, B.
    fn matrix(self) -> [[f64; 3]; 3] {
        match self {
            Deficiency::Protanopia => {
                [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
            }
            Deficiency::Deuteranopia => {
                [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
            }
        }
    }
}

/// A CIELAB colour (D65 white).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lab {
    /// Lightness L*, 0 (black) to 100 (white).
    pub l: f64,
    /// a*, green (−) to red (+).
    pub a: f64,
    /// b*, blue (−) to yellow (+).
    pub b: f64,
}

/// An 8-bit sRGB channel as linear light, 0–1 (IEC 61966-2-1).
pub fn linear(c: u8) -> f64 {
    let v = f64::from(c) / 255.0;
    if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
}

/// An sRGB colour as linear light.
pub fn linear_rgb(rgb: [u8; 3]) -> [f64; 3] {
    rgb.map(linear)
}

/// The linear sRGB colour a person with `deficiency` sees for `rgb`, clamped to the gamut.
pub fn simulate(deficiency: Deficiency, rgb: [u8; 3]) -> [f64; 3] {
    let lin = linear_rgb(rgb);
    deficiency.matrix().map(|row| (row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2]).clamp(0.0, 1.0))
}

/// CIELAB of a linear sRGB colour (D65).
pub fn lab(rgb: [f64; 3]) -> Lab {
    let [r, g, b] = rgb;
    let x = 0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175_0 * b;
    let z = 0.019_333_9 * r + 0.119_192_0 * g + 0.950_304_1 * b;
    let f = |t: f64| if t > 216.0 / 24389.0 { t.cbrt() } else { (24389.0 / 27.0 * t + 16.0) / 116.0 };
    let (fx, fy, fz) = (f(x / 0.950_47), f(y), f(z / 1.088_83));
    Lab { l: 116.0 * fy - 16.0, a: 500.0 * (fx - fy), b: 200.0 * (fy - fz) }
}

/// The hue angle of (a, b) in degrees, 0–360 (0 for a neutral colour).
fn hue_deg(b: f64, a: f64) -> f64 {
    if a == 0.0 && b == 0.0 { 0.0 } else { b.atan2(a).to_degrees().rem_euclid(360.0) }
}

/// The CIEDE2000 colour difference ΔE00 between two CIELAB colours (Sharma et al. 2005, equations 1–22).
pub fn ciede2000(x: Lab, y: Lab) -> f64 {
    let pow7 = |v: f64| v.powi(7);
    let c_bar = (x.a.hypot(x.b) + y.a.hypot(y.b)) / 2.0;
    let g = 0.5 * (1.0 - (pow7(c_bar) / (pow7(c_bar) + pow7(25.0))).sqrt());
    let (a1, a2) = ((1.0 + g) * x.a, (1.0 + g) * y.a);
    let (c1, c2) = (a1.hypot(x.b), a2.hypot(y.b));
    let (h1, h2) = (hue_deg(x.b, a1), hue_deg(y.b, a2));
    let neutral = c1 * c2 == 0.0;
    let dh = match h2 - h1 {
        _ if neutral => 0.0,
        d if d > 180.0 => d - 360.0,
        d if d < -180.0 => d + 360.0,
        d => d,
    };
    let (dl, dc) = (y.l - x.l, c2 - c1);
    let d_big_h = 2.0 * (c1 * c2).sqrt() * (dh / 2.0).to_radians().sin();
    let (l_bar, c_bar) = ((x.l + y.l) / 2.0, (c1 + c2) / 2.0);
    let h_bar = if neutral {
        h1 + h2
    } else if (h1 - h2).abs() <= 180.0 {
        (h1 + h2) / 2.0
    } else if h1 + h2 < 360.0 {
        (h1 + h2 + 360.0) / 2.0
    } else {
        (h1 + h2 - 360.0) / 2.0
    };
    let cos = |deg: f64| deg.to_radians().cos();
    let t = 1.0 - 0.17 * cos(h_bar - 30.0) + 0.24 * cos(2.0 * h_bar) + 0.32 * cos(3.0 * h_bar + 6.0)
        - 0.20 * cos(4.0 * h_bar - 63.0);
    let d_theta = 30.0 * (-((h_bar - 275.0) / 25.0).powi(2)).exp();
    let r_c = 2.0 * (pow7(c_bar) / (pow7(c_bar) + pow7(25.0))).sqrt();
    let s_l = 1.0 + 0.015 * (l_bar - 50.0).powi(2) / (20.0 + (l_bar - 50.0).powi(2)).sqrt();
    let (s_c, s_h) = (1.0 + 0.045 * c_bar, 1.0 + 0.015 * c_bar * t);
    let r_t = -(2.0 * d_theta).to_radians().sin() * r_c;
    let (l, c, h) = (dl / s_l, dc / s_c, d_big_h / s_h);
    (l * l + c * c + h * h + r_t * c * h).sqrt()
}

/// The smallest ΔE00 between any two of `colors` as seen with `deficiency` (normal vision for `None`), with the
/// pair's indices; `None` for fewer than two colours.
pub fn closest_pair(colors: &[[u8; 3]], deficiency: Option<Deficiency>) -> Option<(f64, usize, usize)> {
    let seen = |c: [u8; 3]| lab(deficiency.map_or_else(|| linear_rgb(c), |d| simulate(d, c)));
    let labs: Vec<Lab> = colors.iter().map(|&c| seen(c)).collect();
    let mut best: Option<(f64, usize, usize)> = None;
    for i in 0..labs.len() {
        for j in i + 1..labs.len() {
            let d = ciede2000(labs[i], labs[j]);
            if best.is_none_or(|(b, _, _)| d < b) {
                best = Some((d, i, j));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run_look::{RunPalette, on_light};

    fn lab3(l: f64, a: f64, b: f64) -> Lab {
        Lab { l, a, b }
    }

    /// Table 1 of Sharma, Wu & Dalal (2005): their 34 test pairs and ΔE00 to four decimals.
    const SHARMA: [([f64; 3], [f64; 3], f64); 34] = [
        ([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425),
        ([50.0, 3.1571, -77.2803], [50.0, 0.0, -82.7485], 2.8615),
        ([50.0, 2.8361, -74.0200], [50.0, 0.0, -82.7485], 3.4412),
        ([50.0, -1.3802, -84.2814], [50.0, 0.0, -82.7485], 1.0000),
        ([50.0, -1.1848, -84.8006], [50.0, 0.0, -82.7485], 1.0000),
        ([50.0, -0.9009, -85.5211], [50.0, 0.0, -82.7485], 1.0000),
        ([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669),
        ([50.0, -1.0, 2.0], [50.0, 0.0, 0.0], 2.3669),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0009], 7.1792),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0010], 7.1792),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0011], 7.2195),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0012], 7.2195),
        ([50.0, -0.0010, 2.4900], [50.0, 0.0009, -2.4900], 4.8045),
        ([50.0, -0.0010, 2.4900], [50.0, 0.0010, -2.4900], 4.8045),
        ([50.0, -0.0010, 2.4900], [50.0, 0.0011, -2.4900], 4.7461),
        ([50.0, -0.0010, 2.4900], [50.0, 0.0012, -2.4900], 4.7461),
        ([50.0, 2.5, 0.0], [50.0, 0.0, -2.5], 4.3065),
        ([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492),
        ([50.0, 2.5, 0.0], [61.0, -5.0, 29.0], 22.8977),
        ([50.0, 2.5, 0.0], [56.0, -27.0, -3.0], 31.9030),
        ([50.0, 2.5, 0.0], [58.0, 24.0, 15.0], 19.4535),
        ([50.0, 2.5, 0.0], [50.0, 3.1736, 0.5854], 1.0000),
        ([50.0, 2.5, 0.0], [50.0, 3.2972, 0.0], 1.0000),
        ([50.0, 2.5, 0.0], [50.0, 1.8634, 0.5757], 1.0000),
        ([50.0, 2.5, 0.0], [50.0, 3.2592, 0.3350], 1.0000),
        ([60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644),
        ([63.0109, -31.0961, -5.8663], [62.8187, -29.7946, -4.0864], 1.2630),
        ([61.2901, 3.7196, -5.3901], [61.4292, 2.2480, -4.9620], 1.8731),
        ([35.0831, -44.1164, 3.7933], [35.0232, -40.0716, 1.5901], 1.8645),
        ([22.7233, 20.0904, -46.6940], [23.0331, 14.9730, -42.5619], 2.0373),
        ([36.4612, 47.8580, 18.3852], [36.2715, 50.5065, 21.2231], 1.4146),
        ([90.8027, -2.0831, 1.4410], [91.1528, -1.6435, 0.0447], 1.4441),
        ([90.9257, -0.5406, -0.9208], [88.6381, -0.8985, -0.7239], 1.5381),
        ([6.7747, -0.2908, -2.4247], [5.8714, -0.0985, -2.2286], 0.6377),
    ];

    #[test]
    fn ciede2000_reproduces_sharmas_test_data() {
        for (k, (x, y, want)) in SHARMA.iter().enumerate() {
            let (x, y) = (lab3(x[0], x[1], x[2]), lab3(y[0], y[1], y[2]));
            let got = ciede2000(x, y);
            assert!((got - want).abs() < 5e-5, "pair {}: ΔE00 {got:.6}, table {want}", k + 1);
            assert!((ciede2000(y, x) - got).abs() < 1e-12, "pair {}: symmetric", k + 1);
        }
        assert_eq!(ciede2000(lab3(50.0, 10.0, -20.0), lab3(50.0, 10.0, -20.0)), 0.0);
    }

    #[test]
    fn srgb_to_lab_gives_the_published_values_of_the_primaries() {
        // CIELAB of sRGB white, black and the primaries under D65 (as tabulated by, e.g., Lindbloom's calculator).
        for (rgb, want) in [
            ([255, 255, 255], [100.0, 0.0, 0.0]),
            ([0, 0, 0], [0.0, 0.0, 0.0]),
            ([255, 0, 0], [53.24, 80.09, 67.20]),
            ([0, 255, 0], [87.73, -86.18, 83.18]),
            ([0, 0, 255], [32.30, 79.19, -107.86]),
        ] {
            let got = lab(linear_rgb(rgb));
            assert!(
                (got.l - want[0]).abs() < 0.05 && (got.a - want[1]).abs() < 0.05 && (got.b - want[2]).abs() < 0.05,
                "{rgb:?}: {got:?}, want {want:?}"
            );
        }
    }

    #[test]
    fn the_simulation_keeps_greys_and_merges_red_with_green() {
        // Machado's matrices keep the achromatic axis (each row sums to 1): a grey looks the same.
        for d in Deficiency::ALL {
            for v in [0u8, 60, 128, 200, 255] {
                let seen = simulate(d, [v, v, v]);
                assert!(seen.iter().all(|c| (c - linear(v)).abs() < 2e-6), "{d:?} grey {v}: {seen:?}");
            }
            // Pure red and a green of the same luminance, far apart normally, come close for a dichromat.
            let pair = [[255, 0, 0], [0, 141, 0]];
            let normal = closest_pair(&pair, None).map(|p| p.0).unwrap_or_default();
            let seen = closest_pair(&pair, Some(d)).map(|p| p.0).unwrap_or_default();
            assert!(normal > 50.0 && seen < normal / 2.0, "{d:?}: {normal} → {seen}");
        }
    }

    /// Every pair of run colours of `palette`, drawn on the dark and the light theme, with `deficiency`.
    fn closest(palette: RunPalette, deficiency: Option<Deficiency>) -> [(f64, usize, usize); 2] {
        let dark = *palette.colors();
        let light = dark.map(on_light);
        [dark, light].map(|colors| closest_pair(&colors, deficiency).unwrap_or((0.0, 0, 0)))
    }

    #[test]
    fn the_colour_blind_palette_stays_distinguishable_for_protanopes_and_deuteranopes() {
        for deficiency in [None, Some(Deficiency::Protanopia), Some(Deficiency::Deuteranopia)] {
            for (theme, (d, i, j)) in ["dark", "light"].into_iter().zip(closest(RunPalette::Colorblind, deficiency)) {
                assert!(d >= 10.0, "{deficiency:?}, {theme} theme: slots {i} and {j} only ΔE00 {d:.2} apart");
            }
        }
        // The check has teeth: the default palette's sky blue and violet merge for a deuteranope.
        let [(d, i, j), _] = closest(RunPalette::Default, Some(Deficiency::Deuteranopia));
        assert!(d < 3.0 && (i, j) == (1, 2), "default palette, deuteranopia: {d} between {i} and {j}");
    }
}
