//! What identifies and defines a run, shared by the worker, the presets and the app: its [`RunId`], its [`RunSpec`]
//! (name, colour, settings) and [`MAX_RUNS`], the most runs at once (one per run colour).

use crate::engine::settings::Settings;

/// At most this many runs at once: one per run colour ([`crate::presets::RUN_COLORS`] has this many).
pub const MAX_RUNS: usize = 6;

/// Identifies a run; chosen by whoever adds it (the app numbers its runs 0, 1, 2, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct RunId(pub u32);

/// What defines a run besides its data: a display name, a colour and the engine settings.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// Shown in legends and the status line.
    pub name: String,
    /// sRGB colour used for this run in every plot.
    pub color: [u8; 3],
    /// Model, loss, gradient source, optimizer, start point, batching.
    pub settings: Settings,
}
