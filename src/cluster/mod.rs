//! Cluster side of the console: the event type sources emit, the store that indexes objects and
//! records timelines, and the sources themselves.

pub mod event;

pub use event::{Availability, ClusterEvent, ConnectionState};
