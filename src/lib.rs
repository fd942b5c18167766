//! fluidops: a terminal console for Fluid's CacheRuntime.

pub mod app;
pub mod cluster;
pub mod config;
pub mod demo;
pub mod model;
pub mod ui;
pub mod cli;
pub mod run;
pub mod setup;
pub mod snapshot;
pub mod term;
