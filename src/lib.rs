//! descent: watch gradient descent happen, exactly.
//!
//! The [`engine`] is pure numerics (data, model, loss, gradient sources, optimizers, trainer, analysis);
//! [`geometry`] the loss landscape's geometry and numerics, shared by the app and the exporter; the command line
//! lives in [`cli`]; every number formatter in [`mod@format`].

#[cfg(feature = "gui")]
pub mod app;
pub mod cli;
pub mod colorvision;
pub mod engine;
pub mod explain;
pub mod export;
pub mod files;
pub mod format;
pub mod geometry;
pub mod history;
pub mod ledger;
pub mod lesson;
pub mod number;
pub mod par_map;
pub mod presets;
pub mod printout;
pub mod run;
pub mod run_look;
pub mod session;
pub mod step_axis;
pub mod tab;
pub mod worker;
