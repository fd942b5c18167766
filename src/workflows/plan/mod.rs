//! Building a run from what the store shows: the record (spec, and a status whose steps are all
//! `Pending`), a summary of what changes and what stays, or a refusal that says why not.
//! Also the suggestions for a rebuild (§5.5) and the changes neither workflow can apply.
//!
//! - `upgrade`: [`plan_upgrade`], the in-place upgrade (FLUID.md §4.3).
//! - `rebuild`: [`plan_rebuild`], the in-place rebuild (FLUID.md §4.4).
//! - `candidates`: the pods worth rebuilding (FLUID.md §5.5).
//! - `sync`: the spec changes neither workflow applies.
//! - `lookups`: what the store says about a runtime (lock, serving, versions, pods).
//! - `record`: the record a plan creates, its steps and the cache-tier lines of a summary.
//! - `names`: the names of a run, its re-warm DataLoad and its steps.
//! - `refusal`: why a run cannot be planned.

mod candidates;
mod lookups;
mod names;
mod rebuild;
mod record;
mod refusal;
mod sync;
mod upgrade;

use crate::model::maintenance::Strategy;
use crate::model::{CacheRuntimeMaintenance, Component, ObjectKey};

pub use self::candidates::{RebuildCandidate, rebuild_candidates};
pub(crate) use self::lookups::check_serving;
pub use self::lookups::{current_version, lock_holder, remounts, split_image};
pub use self::names::{maintenance_name, rewarm_name, short};
pub use self::rebuild::{needs_force, plan_rebuild};
pub(crate) use self::record::step;
pub use self::refusal::Refusal;
pub use self::sync::not_syncable;
pub use self::upgrade::plan_upgrade;
pub use crate::model::maintenance::RebuildDataLoad;

/// An in-place upgrade the operator asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct UpgradeRequest {
    pub runtime: ObjectKey,
    /// Repository without tag (e.g. `curvine/curvine`).
    pub image: String,
    pub image_tag: String,
    pub image_pull_policy: Option<String>,
    /// In order; empty means master then worker (those the runtime has). Client is refused.
    pub components: Vec<Component>,
    pub strategy: Strategy,
}

/// An in-place rebuild the operator asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct RebuildRequest {
    pub runtime: ObjectKey,
    /// `NodeFailure` | `ConfigChange` | `Manual`.
    pub reason: String,
    /// Explicit pod names; override `nodes`.
    pub pods: Vec<String>,
    /// Only pods on these nodes.
    pub nodes: Vec<String>,
    /// Components to consider; empty means worker (or, with explicit pods, theirs).
    pub components: Vec<Component>,
    pub force_delete_lost_pods: bool,
    pub reload_data: bool,
    pub data_load: Option<RebuildDataLoad>,
    pub strategy: Strategy,
    /// The operator accepted that rebuilding client (fuse) pods interrupts the FUSE mount of
    /// every app pod on their nodes.
    pub client_confirmed: bool,
}

impl UpgradeRequest {
    /// Master then worker to `image:tag`, default strategy.
    pub fn new(runtime: ObjectKey, image: &str, image_tag: &str) -> Self {
        UpgradeRequest {
            runtime,
            image: image.to_string(),
            image_tag: image_tag.to_string(),
            image_pull_policy: None,
            components: Vec::new(),
            strategy: Strategy::default(),
        }
    }
}

impl RebuildRequest {
    /// Every worker, for `reason`, default strategy, no re-warm.
    pub fn new(runtime: ObjectKey, reason: &str) -> Self {
        RebuildRequest {
            runtime,
            reason: reason.to_string(),
            pods: Vec::new(),
            nodes: Vec::new(),
            components: Vec::new(),
            force_delete_lost_pods: false,
            reload_data: false,
            data_load: None,
            strategy: Strategy::default(),
            client_confirmed: false,
        }
    }
}

/// A run ready to be created (and confirmed).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub record: CacheRuntimeMaintenance,
    pub summary: PlanSummary,
}

impl Plan {
    /// The CacheRuntime the run changes (its record lives in the runtime's namespace).
    pub fn runtime(&self) -> ObjectKey {
        ObjectKey::new(
            crate::model::Kind::CacheRuntime,
            self.record.metadata.namespace.clone().unwrap_or_default(),
            self.record.spec.runtime_name.clone(),
        )
    }
}

/// What the operator reads before saying yes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanSummary {
    /// Per component and pod, in order: what changes.
    pub changes: Vec<PlannedChange>,
    /// What stays: pods, nodes, cached data tier by tier.
    pub stays: Vec<String>,
    pub warnings: Vec<String>,
    pub max_unavailable: i32,
}

/// One change the run makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedChange {
    pub component: Component,
    /// `Kind/name` of the object changed.
    pub object: String,
    /// What happens to it (`image a → b, restarted in place`, `deleted and recreated`, …).
    pub change: String,
}

impl std::fmt::Display for PlannedChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.component, self.object, self.change)
    }
}

#[cfg(test)]
pub(crate) mod tests;
