//! Undo and redo of the changes that lose work: a data edit, removing a run, a preset replacing the runs. Each entry
//! is the whole experiment as a [`Session`] (data, runs, steps), restored by replaying it, so nothing is lost.

use crate::session::Session;

/// At most this many steps back.
pub const MAX_UNDO: usize = 50;

/// The undo and redo stacks.
#[derive(Default)]
pub struct UndoStack {
    undo: Vec<Session>,
    redo: Vec<Session>,
}

impl UndoStack {
    /// Notes the experiment as it stands before a change (a new change clears what could be redone).
    pub fn record(&mut self, before: Session) {
        self.undo.push(before);
        if self.undo.len() > MAX_UNDO {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// The experiment to go back to, given the current one (kept for redo); `None` when there is nothing to undo.
    pub fn undo(&mut self, now: Session) -> Option<Session> {
        let before = self.undo.pop()?;
        self.redo.push(now);
        Some(before)
    }

    /// The experiment to go forward to, given the current one (kept for undo); `None` when there is nothing to redo.
    pub fn redo(&mut self, now: Session) -> Option<Session> {
        let after = self.redo.pop()?;
        self.undo.push(now);
        Some(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Dataset;

    fn session(tolerance: f64) -> Session {
        let mut s = Session::new(&Dataset::notebook());
        s.tolerance = Some(tolerance);
        s
    }

    #[test]
    fn undo_and_redo_walk_the_history_and_a_new_change_clears_redo() {
        let mut u = UndoStack::default();
        assert!(u.undo(session(0.0)).is_none());
        u.record(session(1.0));
        u.record(session(2.0));
        assert_eq!(u.undo(session(3.0)).and_then(|s| s.tolerance), Some(2.0));
        assert_eq!(u.undo(session(2.0)).and_then(|s| s.tolerance), Some(1.0));
        assert!(u.undo(session(1.0)).is_none());
        assert_eq!(u.redo(session(1.0)).and_then(|s| s.tolerance), Some(2.0));
        u.record(session(4.0));
        assert!(u.redo(session(5.0)).is_none(), "a new change clears redo");
        for i in 0..(MAX_UNDO + 10) {
            u.record(session(i as f64));
        }
        assert_eq!(u.undo.len(), MAX_UNDO);
    }
}
