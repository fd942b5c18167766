//! Fluid's object model, with JSON field names, enums and phases exactly as upstream serialises
//! them, plus the console's own CacheRuntimeMaintenance and the phases it derives (§5).

pub mod class;
pub mod cron;
pub mod dataset;
pub mod health;
pub mod kube_yaml;
pub mod maintenance;
pub mod manifest;
pub mod meta;
pub mod node;
pub mod object;
pub mod operation;
pub mod pod;
mod pod_record;
pub mod problems;
pub mod runtime;
pub mod why;
pub mod workload;

pub use class::CacheRuntimeClass;
pub use dataset::{Dataset, DatasetPhase};
pub use maintenance::{CacheRuntimeMaintenance, MaintenancePhase};
pub use meta::{Condition, ConditionStatus, Extra, ObjectMeta};
pub use object::{Kind, Object, ObjectKey};
pub use operation::{DataOperation, OpKind, OpPhase, Policy};
pub use runtime::{CacheRuntime, Component, RuntimePhase};
pub use workload::AdvancedStatefulSet;

pub use k8s_openapi::api::core::v1::{Event, Node, Pod};

pub const FLUID_API_VERSION: &str = "data.fluid.io/v1alpha1";
