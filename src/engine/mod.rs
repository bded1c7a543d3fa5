//! The descent engine: pure numerics on ndarray, with no pixels and no threads but one documented exception (a
//! long pass split over the cores in fixed chunks, [`parallel`], with the same bits whatever the thread count).
//!
//! data → model ŷ = w·x (+ b) → loss → gradient source → optimizer, driven by the [`trainer`]; [`analysis`]
//! gives the closed forms (optimum, curvature, critical learning rates); [`diagnose`] says why a run cannot start
//! or why it diverged; [`floor`] why it cannot meet its tolerance.

pub mod analysis;
pub mod autodiff;
pub mod basins;
pub mod batch;
pub mod data;
pub mod diagnose;
pub mod error;
pub mod exercise;
pub mod floor;
pub mod gaussian;
pub mod gradient;
pub mod lanes;
pub mod linalg;
pub mod line_search;
pub mod loss;
pub mod model;
pub mod moments;
pub mod objective;
pub mod optim;
pub mod real;
pub mod scaling;
pub mod schedule;
pub mod settings;
pub mod sheet;
pub mod sweep;
pub mod trainer;

pub use data::Dataset;
pub use error::{ConfigError, DataError, OverflowError};
pub use loss::{LossKind, parallel};
pub use model::{Grad, Params};
pub use optim::{OptimizerConfig, OptimizerKind};
pub use real::Real;
pub use schedule::{ScheduleConfig, ScheduleKind};
pub use settings::{GradientSource, Precision, Settings};
