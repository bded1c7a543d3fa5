//! Why a control is disabled: one function per control, from the same state that disables it, so the tooltip of
//! a disabled control always says the real reason (with six runs, "Branch from here" names the run limit, not the
//! timeline). `None` means the control is enabled. No egui here: the reasons are tested as plain functions.

use crate::format;
use crate::presets::MAX_RUNS;

/// "Branch from here": it needs a free run slot and a step scrubbed back to.
pub fn branch(live: bool, runs: usize) -> Option<String> {
    if runs >= MAX_RUNS {
        Some(format!("At most {MAX_RUNS} runs: remove one to branch from this step."))
    } else if live {
        Some("Drag the timeline back to a step first: a branch starts from that step's state.".into())
    } else {
        None
    }
}

/// The timeline's scrubber: it needs a step to scrub to.
pub fn scrub(last_step: u64) -> Option<String> {
    (last_step == 0).then(|| "No steps yet: step (→) or run (Space) first.".into())
}

/// "● Live": only while scrubbed back.
pub fn live(live: bool) -> Option<String> {
    live.then(|| "Already showing the latest step.".into())
}

/// "Add run" and "Duplicate": a free run slot.
pub fn add_run(runs: usize) -> Option<String> {
    (runs >= MAX_RUNS).then(|| format!("At most {MAX_RUNS} runs: remove one to add another."))
}

/// "Remove": never the last run.
pub fn remove_run(runs: usize) -> Option<String> {
    (runs <= 1).then(|| "The only run cannot be removed: add another first.".into())
}

/// The Armijo line search: plain gradient descent only, so momentum and weight decay must be 0 (each named with
/// its value when it is not).
pub fn line_search(momentum: f64, weight_decay: f64) -> Option<String> {
    let mut off = Vec::new();
    if momentum != 0.0 {
        off.push(format!("momentum μ to 0 (it is {})", format::repr(momentum)));
    }
    if weight_decay != 0.0 {
        off.push(format!("weight decay to 0 (it is {})", format::repr(weight_decay)));
    }
    (!off.is_empty()).then(|| format!("The line search is for plain gradient descent: set {}.", off.join(" and ")))
}

/// Nesterov: torch requires momentum > 0 and dampening 0 (each named with its value when it is not).
pub fn nesterov(momentum: f64, dampening: f64) -> Option<String> {
    let mut need = Vec::new();
    if momentum <= 0.0 {
        need.push(format!("momentum μ > 0 (it is {})", format::repr(momentum)));
    }
    if dampening != 0.0 {
        need.push(format!("dampening τ = 0 (it is {})", format::repr(dampening)));
    }
    (!need.is_empty()).then(|| format!("Nesterov needs {}.", need.join(" and ")))
}

/// A lesson's "◀ Prev" on page `page` (0-based).
pub fn prev_page(page: usize) -> Option<String> {
    (page == 0).then(|| "This is the lesson's first page.".into())
}

/// A lesson's "Next ▶" on page `page` of `pages`.
pub fn next_page(page: usize, pages: usize) -> Option<String> {
    (page + 1 >= pages).then(|| "This is the lesson's last page.".into())
}

/// The fair race's "Race at the tuned lrs": the tuning must have finished and found a learning rate.
pub fn race_at_tuned(finished: bool, tuned: usize) -> Option<String> {
    if !finished {
        Some("The tuning is still running: wait for it to finish.".into())
    } else if tuned == 0 {
        Some("The tuning found no learning rate that converges: widen its range or raise the horizon.".into())
    } else {
        None
    }
}

/// The file dialog's OK: it needs a name.
pub fn file_ok(typed: &str) -> Option<String> {
    typed.trim().is_empty().then(|| "Type a file name first.".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names_the_run_limit_before_the_timeline() {
        let six = branch(false, 6).expect("disabled with six runs");
        assert!(six.contains("At most 6 runs"), "{six}");
        assert!(!six.contains("timeline"), "scrubbed back already: the timeline is not the reason: {six}");
        assert!(branch(true, 6).unwrap().contains("At most 6 runs"));
        assert!(branch(true, 2).unwrap().contains("Drag the timeline back"));
        assert_eq!(branch(false, 5), None);
    }

    #[test]
    fn each_reason_names_what_is_in_the_way() {
        assert_eq!(
            line_search(0.9, 0.0).as_deref(),
            Some("The line search is for plain gradient descent: set momentum μ to 0 (it is 0.9).")
        );
        assert_eq!(
            line_search(0.0, 0.01).as_deref(),
            Some("The line search is for plain gradient descent: set weight decay to 0 (it is 0.01).")
        );
        assert_eq!(line_search(0.0, 0.0), None);
        assert_eq!(nesterov(0.0, 0.0).as_deref(), Some("Nesterov needs momentum μ > 0 (it is 0)."));
        assert_eq!(nesterov(0.9, 0.1).as_deref(), Some("Nesterov needs dampening τ = 0 (it is 0.1)."));
        assert_eq!(nesterov(0.9, 0.0), None);
        assert!(add_run(6).is_some() && add_run(5).is_none());
        assert!(remove_run(1).is_some() && remove_run(2).is_none());
        assert!(scrub(0).is_some() && scrub(3).is_none());
        assert!(live(true).is_some() && live(false).is_none());
        assert!(prev_page(0).is_some() && prev_page(1).is_none());
        assert!(next_page(6, 7).is_some() && next_page(5, 7).is_none());
        assert!(race_at_tuned(false, 3).unwrap().contains("still running"));
        assert!(race_at_tuned(true, 0).unwrap().contains("no learning rate"));
        assert_eq!(race_at_tuned(true, 2), None);
        assert!(file_ok(" ").is_some() && file_ok("a.csv").is_none());
    }
}
