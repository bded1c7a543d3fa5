//! The glide of the selected run's current point along the landscape from one step to the next, when following
//! slowly (stepping by hand, or running at a few steps per second).

use super::plots::landscape::PointView;
use crate::engine::model::Params;
use crate::worker::{FOLLOW_STEPS_PER_SEC, Mode, RunSnapshot, Snapshot};

/// Seconds a step's glide along the curve takes when following slowly.
const GLIDE_SECS: f64 = 0.25;
/// The glide of the current point from one step to the next (when following slowly).
#[derive(Clone, Copy, Debug)]
struct Glide {
    from: Params<f64>,
    from_step: u64,
    to: Params<f64>,
    start: f64,
    duration: f64,
}

/// Follows the main run's current point and animates it between steps.
#[derive(Default)]
pub struct Follow {
    last: Option<(u64, Params<f64>)>,
    glide: Option<Glide>,
}

impl Follow {
    fn displayed(&self, now: f64) -> Option<(Params<f64>, u64)> {
        let g = self.glide?;
        let t = ((now - g.start) / g.duration.max(1e-3)).clamp(0.0, 1.0);
        if t >= 1.0 {
            return None;
        }
        let e = 1.0 - (1.0 - t).powi(3);
        let p = Params { w: g.from.w + (g.to.w - g.from.w) * e, b: g.from.b + (g.to.b - g.from.b) * e };
        Some((p, g.from_step))
    }

    /// Notes the latest record; starts a glide when it moved forward by a few steps while following slowly.
    pub fn update(&mut self, now: f64, snap: &Snapshot, run: &RunSnapshot) {
        let rec = run.record;
        let slow = match snap.mode {
            Mode::Running { .. } => snap.speed.steps_per_sec().is_some_and(|r| r <= FOLLOW_STEPS_PER_SEC),
            Mode::Idle | Mode::Stepping => true,
        };
        match self.last {
            Some((step, p)) if step == rec.step && p == rec.params => {}
            Some((step, p)) if rec.step > step && rec.step - step <= 10 && slow && rec.params.is_finite() => {
                let from = self.displayed(now).map_or(p, |(d, _)| d);
                let duration = match (snap.mode, snap.speed.steps_per_sec()) {
                    (Mode::Running { .. }, Some(rate)) => GLIDE_SECS.min(0.85 / rate),
                    _ => GLIDE_SECS,
                };
                self.glide = Some(Glide { from, from_step: step, to: rec.params, start: now, duration });
            }
            _ => self.glide = None,
        }
        if self.displayed(now).is_none() {
            self.glide = None;
        }
        self.last = Some((rec.step, rec.params));
    }

    pub fn point_view(&self, now: f64, run: &RunSnapshot) -> PointView {
        match self.displayed(now) {
            Some((p, from_step)) => PointView { displayed: p, from: self.glide.map(|g| (from_step, g.from)) },
            None => PointView { displayed: run.record.params, from: None },
        }
    }
}
