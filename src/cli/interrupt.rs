//! SIGINT and SIGTERM while a command streams rows: the signal only sets a flag ([`signal_hook::flag`]); the
//! command finishes the row it is writing, closes its document (the JSON's array and object, with the outcome
//! `"interrupted"`), says on stderr where it stopped, and exits with 128 + the signal's number (130 for SIGINT, 143
//! for SIGTERM), as a shell reports a process the signal killed. Elsewhere the signals keep their default action.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The signals a run stops on, with their names.
const SIGNALS: [(i32, &str); 2] = [(signal_hook::consts::SIGINT, "SIGINT"), (signal_hook::consts::SIGTERM, "SIGTERM")];

/// The flag the handlers set: 0 until a signal arrives, then its number.
#[derive(Clone)]
pub struct Interrupt {
    received: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Catches SIGINT and SIGTERM from now on. When a handler cannot be installed the signal keeps its default
    /// action (the run is then killed as before): nothing is lost but the tidy end.
    pub fn catch() -> Interrupt {
        let received = Arc::new(AtomicUsize::new(0));
        for (signal, _) in SIGNALS {
            let _ = signal_hook::flag::register_usize(signal, Arc::clone(&received), signal as usize);
        }
        Interrupt { received }
    }

    /// The signal received so far, if any.
    pub fn received(&self) -> Option<i32> {
        match self.received.load(Ordering::Relaxed) {
            0 => None,
            n => i32::try_from(n).ok(),
        }
    }

    /// The exit code for `signal`: 128 + its number.
    pub fn exit_code(signal: i32) -> i32 {
        128 + signal
    }

    /// The signal's name ("SIGINT").
    pub fn name(signal: i32) -> &'static str {
        SIGNALS.iter().find(|(s, _)| *s == signal).map_or("a signal", |(_, n)| n)
    }
}
