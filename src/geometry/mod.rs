//! Geometry and numerics of the loss landscape, shared by the app's landscape plots and the GIF exporter: the
//! loss surface and its evaluation ([`surface`]), view ranges ([`range`]), round numbers for ticks and clicks
//! ([`ticks`]), contour lines ([`contour`]) kept connected in narrow valleys ([`refine`]), the contour shading's
//! colour map ([`shade`]), and the 3-D view's projection ([`projection`]) and height bands cut along their level
//! lines ([`bands`]); and, for the data plot, each sample's share of the loss and of the gradient ([`residuals`]).
//!
//! Nothing here draws or knows about a user interface: the app (crate::app) and the exporter (crate::export) both
//! build on it, and it builds only on the engine.

pub mod bands;
pub mod contour;
pub mod field;
pub mod projection;
pub mod range;
pub mod refine;
pub mod residuals;
pub mod shade;
pub mod surface;
pub mod ticks;

pub use contour::{Window, contour_level, contour_lines, level_decades, level_floor, log_levels};
pub use range::{
    both_sides, bounds, curve_loss_range, padded, path_loss_range, path_range, symmetric_range, whole_path_range,
};
pub use refine::loss_contours;
pub use shade::contour_shade;
pub use surface::{EVAL_BUDGET, LossSurface, SUBSAMPLE_ABOVE, SurfaceKey};
pub use ticks::{nice_125, nice_ceil, nice_round, nice_ticks};
