//! fluidops: a terminal console for Fluid's CacheRuntime.

pub mod allocator;
pub mod app;
pub mod cli;
pub mod cli_strings;
pub mod clipboard;
pub mod cluster;
pub mod config;
pub mod demo;
pub mod entry;
pub mod model;
pub mod recorder;
pub mod run;
pub mod setup;
pub mod shell;
pub mod snapshot;
pub mod term;
pub mod ui;
pub mod workflows;

pub use entry::cli_main;
