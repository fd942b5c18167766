//! Application state, update and the action registry.

pub mod actions;
