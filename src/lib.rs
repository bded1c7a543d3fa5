//! descent: watch gradient descent happen, exactly.
//!
//! The [`engine`] is pure numerics (data, model, loss, gradient sources, optimizers, trainer, analysis); the
//! command line lives in [`cli`].

pub mod engine;
pub mod cli;
pub mod export;
pub mod session;
pub mod printout;
pub mod history;
pub mod worker;
pub mod app;
