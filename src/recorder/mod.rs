//! The flight recorder: what the watchers receive (initial lists and every change), written
//! compactly to a file ([`writer`]) and played back as a source like the watchers and the demo
//! cluster ([`replay_source`]). The layout is in [`format`] and README ("Recording format").

pub mod cli;
pub mod codec;
pub mod flight;
pub mod format;
pub mod merge_patch;
pub mod reader;
pub mod replay_source;
pub mod tap;
pub mod time_arg;
pub mod writer;

pub use reader::{Cursor, Recording};
pub use writer::{Policy, Recorder};
