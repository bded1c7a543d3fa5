//! The step axis of the plots over steps: every step, the first N steps, or a log axis ([`StepAxis`]), chosen in
//! the View menu or with `--step-axis`, and kept across launches.
//!
//! On the log axis a plot's x is log10(1 + step): step 0 sits at 0, step 9 at 1, step 99 at 2, so the first few
//! hundred steps of a 10⁶-step run keep a third of the axis. [`StepAxis::x`] and its inverse [`StepAxis::step`]
//! are the one place that maps a step to x; every plot over steps, its decimation, marks and hover read them.
//! [`StepAxis::log_marks`] places the log axis's ticks at steps 0, 1, 10, 100, … GUI-free: the app turns the marks
//! into egui_plot's grid marks.

/// How the plots over steps lay out their x axis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(from = "String", into = "String")]
pub enum StepAxis {
    /// Every step, linear (zoomable; double-click shows all again).
    #[default]
    All,
    /// Steps 0…N only, linear.
    First(u64),
    /// x = log10(1 + step).
    Log,
}

/// One tick of the log step axis: where it sits (x) and the step it labels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogMark {
    /// log10(1 + step).
    pub x: f64,
    /// The step.
    pub step: u64,
    /// A labelled mark (0 and the decades, and 2×, 5× between them); the others are grid lines only.
    pub labelled: bool,
}

impl StepAxis {
    /// Every choice, in the View menu's order.
    pub const ALL: [StepAxis; 4] = [StepAxis::All, StepAxis::First(100), StepAxis::First(1000), StepAxis::Log];

    /// The x of `step` on this axis (a negative step counts as 0 on the log axis).
    pub fn x(self, step: f64) -> f64 {
        match self {
            StepAxis::Log => step.max(0.0).ln_1p() / std::f64::consts::LN_10,
            StepAxis::All | StepAxis::First(_) => step,
        }
    }

    /// The step at `x` on this axis: the inverse of [`StepAxis::x`] (left of step 0 on the log axis, the margin
    /// maps to steps between −1 and 0).
    pub fn step(self, x: f64) -> f64 {
        match self {
            StepAxis::Log => (x * std::f64::consts::LN_10).exp_m1(),
            StepAxis::All | StepAxis::First(_) => x,
        }
    }

    /// The window of "first N steps", if this is one.
    pub fn window(self) -> Option<u64> {
        match self {
            StepAxis::First(n) => Some(n),
            StepAxis::All | StepAxis::Log => None,
        }
    }

    /// The name `--step-axis` takes and the preferences store: all, first-100, first-1000, log (a window the View
    /// menu does not offer is stored as every step, as loading would repair it).
    pub fn name(self) -> &'static str {
        match self {
            StepAxis::First(100) => "first-100",
            StepAxis::First(1000) => "first-1000",
            StepAxis::Log => "log",
            StepAxis::All | StepAxis::First(_) => "all",
        }
    }

    /// The choice named `name` (one of [`StepAxis::ALL`]'s names), `None` for any other text.
    pub fn parse(name: &str) -> Option<StepAxis> {
        StepAxis::ALL.into_iter().find(|a| a.name() == name.trim())
    }

    /// The View menu's words.
    pub fn label(self) -> String {
        match self {
            StepAxis::All => "all steps".into(),
            StepAxis::First(n) => format!("first {n} steps"),
            StepAxis::Log => "log steps".into(),
        }
    }

    /// The x-axis title of a plot over steps.
    pub fn title(self) -> &'static str {
        match self {
            StepAxis::Log => "step (log)",
            StepAxis::All | StepAxis::First(_) => "step",
        }
    }

    /// The ticks of the log axis between x = `lo` and `hi`: steps 0, 1, 10, 100, … (a stride of decades when
    /// they are many, at most about 30 marks), and when fewer than four decades show, 2…9 × 10ᵏ between them.
    /// Labelled are 0 and the decades, then 2× and 5×, each only when it sits at least `label_gap` (in x) from
    /// every labelled mark before it. Empty for a range that is not finite or empty.
    pub fn log_marks(lo: f64, hi: f64, label_gap: f64) -> Vec<LogMark> {
        if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
            return Vec::new();
        }
        let mark = |step: u64| LogMark { x: StepAxis::Log.x(step as f64), step, labelled: false };
        let mut marks = vec![mark(0)];
        // Decade k is step 10ᵏ; the largest step a u64 holds is about 10¹⁹.
        let (first, last) = (lo.max(0.0).floor() as u32, hi.clamp(0.0, 19.0).floor() as u32);
        let stride = ((last - first.min(last)) / 30).max(1);
        for k in (0..=last).filter(|k| k % stride == 0 && *k >= first) {
            let decade = 10u64.pow(k);
            marks.push(mark(decade));
            if hi - lo < 4.0 && k < 19 {
                marks.extend((2..10u64).map(|m| mark(m * decade)));
            }
        }
        marks.retain(|m| m.x >= lo && m.x <= hi);
        // Labels: the decades (and 0) first, then 2× and 5×, each far enough from the labels so far.
        let gap = label_gap.max(0.0);
        let mut taken: Vec<f64> = Vec::new();
        let leading = |step: u64| step.checked_ilog10().map_or(0, |k| step / 10u64.pow(k));
        for pass in [&[0u64, 1][..], &[2, 5]] {
            for m in marks.iter_mut().filter(|m| pass.contains(&leading(m.step))) {
                if taken.iter().all(|x| (m.x - x).abs() >= gap) {
                    m.labelled = true;
                    taken.push(m.x);
                }
            }
        }
        marks
    }
}

impl From<StepAxis> for String {
    fn from(axis: StepAxis) -> String {
        axis.name().to_owned()
    }
}

/// A stored name: an unknown one (a hand edit, a later version's) is every step.
impl From<String> for StepAxis {
    fn from(name: String) -> StepAxis {
        StepAxis::parse(&name).unwrap_or_default()
    }
}

impl clap::ValueEnum for StepAxis {
    fn value_variants<'a>() -> &'a [Self] {
        &StepAxis::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.label()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_axis_puts_step_s_at_log10_of_1_plus_s() {
        let log = StepAxis::Log;
        assert_eq!(log.x(0.0), 0.0);
        for (step, x) in [(9.0, 1.0), (99.0, 2.0), (999.0, 3.0), (999_999.0, 6.0)] {
            assert!((log.x(step) - x).abs() < 1e-12, "x({step}) = {}", log.x(step));
        }
        assert!((log.x(1.0) - 2f64.log10()).abs() < 1e-15);
        assert_eq!(log.x(-5.0), 0.0, "no step before 0");
        // Round trips, 1e-9 relative to the step (absolute below 1).
        let mut s = 0.0;
        while s <= 1e7 {
            let back = log.step(log.x(s));
            assert!((back - s).abs() <= 1e-9 * s.max(1.0), "{s} → {back}");
            s = if s < 1.0 { s + 0.25 } else { s * 1.37 + 1.0 };
        }
        assert!((log.step(1.0) - 9.0).abs() < 1e-12);
        assert!((log.step(2.0) - 99.0).abs() < 1e-12);
        for axis in [StepAxis::All, StepAxis::First(100)] {
            assert_eq!((axis.x(1234.0), axis.step(56.0)), (1234.0, 56.0), "linear axes are the step");
        }
    }

    #[test]
    fn a_million_steps_get_a_mark_at_every_decade_labelled_by_its_step() {
        let marks = StepAxis::log_marks(0.0, StepAxis::Log.x(1e6), 0.25);
        let steps: Vec<u64> = marks.iter().map(|m| m.step).collect();
        assert_eq!(steps, [0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]);
        for m in &marks {
            assert!(m.labelled);
            assert!((m.x - (1.0 + m.step as f64).log10()).abs() < 1e-12, "{m:?}");
        }
        // A narrow plot (labels a decade and a half apart): every decade marked, every other one labelled.
        let marks = StepAxis::log_marks(0.0, StepAxis::Log.x(1e6), 1.5);
        assert_eq!(marks.len(), 8);
        let labelled: Vec<u64> = marks.iter().filter(|m| m.labelled).map(|m| m.step).collect();
        assert_eq!(labelled, [0, 100, 10_000, 1_000_000]);
        // A few decades: the 2…9 multiples too, labelled at 2× and 5× only.
        let marks = StepAxis::log_marks(StepAxis::Log.x(10.0), StepAxis::Log.x(1000.0), 0.25);
        let labelled: Vec<u64> = marks.iter().filter(|m| m.labelled).map(|m| m.step).collect();
        assert_eq!(labelled, [10, 20, 50, 100, 200, 500, 1000]);
        assert!(marks.iter().any(|m| m.step == 300 && !m.labelled));
        // A diverging zoom-out stays bounded.
        assert!(StepAxis::log_marks(-1e300, 1e300, 0.1).len() <= 40);
        assert!(StepAxis::log_marks(f64::NAN, 1.0, 0.1).is_empty() && StepAxis::log_marks(2.0, 1.0, 0.1).is_empty());
    }

    #[test]
    fn names_round_trip_and_unknown_ones_mean_every_step() {
        for axis in StepAxis::ALL {
            assert_eq!(StepAxis::parse(axis.name()), Some(axis));
            assert_eq!(StepAxis::from(String::from(axis)), axis);
        }
        assert_eq!(StepAxis::parse("first-100"), Some(StepAxis::First(100)));
        assert_eq!(StepAxis::parse("first-7"), None, "a window the View menu does not offer");
        assert_eq!(StepAxis::from("sideways".to_string()), StepAxis::All);
        assert_eq!((StepAxis::Log.label(), StepAxis::Log.title()), ("log steps".to_string(), "step (log)"));
    }
}
