//! fluidops: a terminal console for Fluid's CacheRuntime.

pub mod cluster;
pub mod model;
pub mod app;
pub mod config;
