//! Harnesses shared by the modules that run the console in a real terminal or against a real
//! API server.

pub mod fluid_level;
pub mod pty_session;
pub mod wizard_console;
