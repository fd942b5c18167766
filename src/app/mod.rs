//! Application state, the update function, the action registry, and the pure builders of what
//! the views show (tables, detail sections, YAML).

pub mod actions;
pub mod confirm;
pub mod describe;
pub mod detail;
pub mod editor;
pub mod form_strings;
pub mod format;
pub mod load_form;
pub mod log_page;
pub mod log_strings;
pub mod maintenance_form;
pub mod maintenance_strings;
pub mod modal;
pub mod palette;
pub mod paste;
pub mod problem_watch;
pub mod replay;
pub mod runs;
pub mod schema;
pub mod severity;
pub mod sim_shell;
pub mod state;
pub mod strings;
pub mod sync_notes;
pub mod tables;
pub mod text_pages;
pub mod triage;
pub mod triage_rows;
pub mod update;
pub mod yaml;

pub use state::{App, Overlay, Screen};
pub use update::{Command, Msg};
