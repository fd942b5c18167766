//! Cluster side of the console: the interface every source implements ([`source::Source`]) and
//! the event type sources emit, the store that indexes objects and records timelines, the kube
//! source, and the writer every confirmed write goes through. The embedded demo cluster is
//! another implementation of the same interface, in [`crate::demo`].

pub mod event;
pub mod kube_config;
pub mod kube_source;
pub mod local_records;
pub mod log_request;
pub mod record_files;
pub mod source;
pub mod store;
pub mod timeline;
pub mod writer;

pub use event::{Availability, ClusterEvent, ConnectionState};
pub use store::Store;
pub use timeline::{Subject, Transition};
