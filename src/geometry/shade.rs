//! The colour map of the app's contour shading: light where the loss is low, dark where it is high on a light
//! background, the other way round on a dark one (the valley always stands out from the surface around it).

/// The shading at level `t` in [0, 1] (0 at the minimum, 1 at the highest loss in view; see
/// [`super::contour::log_levels`]) as RGB, for the dark (`dark`) or the light theme.
pub fn contour_shade(t: f64, dark: bool) -> [u8; 3] {
    let (low, high) =
        if dark { ([38.0, 84.0, 120.0], [20.0, 22.0, 30.0]) } else { ([170.0, 205.0, 235.0], [250.0, 250.0, 252.0]) };
    let s = t.powf(1.3);
    let c = |k: usize| (low[k] + (high[k] - low[k]) * s) as u8;
    [c(0), c(1), c(2)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shading_runs_from_the_valley_colour_to_the_background() {
        assert_eq!(contour_shade(0.0, true), [38, 84, 120]);
        assert_eq!(contour_shade(1.0, true), [20, 22, 30]);
        assert_eq!(contour_shade(0.0, false), [170, 205, 235]);
        assert_eq!(contour_shade(1.0, false), [250, 250, 252]);
    }

    #[test]
    fn shading_is_monotone_in_each_channel() {
        for dark in [true, false] {
            let ramp: Vec<[u8; 3]> = (0..=20).map(|k| contour_shade(k as f64 / 20.0, dark)).collect();
            for pair in ramp.windows(2) {
                for (a, b) in pair[0].into_iter().zip(pair[1]) {
                    assert!(if dark { b <= a } else { b >= a }, "{dark}: {ramp:?}");
                }
            }
        }
    }
}
