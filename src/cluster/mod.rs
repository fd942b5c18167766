//! Cluster side of the console: the event type sources emit, the store that indexes objects and
//! records timelines, and the sources themselves.

pub mod against_cluster;
pub mod demo_source;
pub mod event;
pub mod kube_config;
pub mod kube_source;
pub mod local_records;
pub mod store;
pub mod timeline;
pub mod writer;

pub use event::{Availability, ClusterEvent, ConnectionState};
pub use store::Store;
pub use timeline::{Subject, Transition};
