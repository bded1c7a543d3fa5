//! descent: watch gradient descent happen, exactly.
//!
//! The [`engine`] is pure numerics (data, model, loss, gradient sources, optimizers, trainer, analysis); the
//! command line lives in [`cli`]; every number formatter in [`mod@format`].

pub mod app;
pub mod cli;
pub mod engine;
pub mod export;
pub mod format;
pub mod history;
pub mod presets;
pub mod printout;
pub mod session;
pub mod worker;
