//! The in-place upgrade and the in-place rebuild of a CacheRuntime (FLUID.md §4.3–4.5), as pure
//! state machines over a `CacheRuntimeMaintenance` record.
//!
//! - [`plan`] turns an operator's request into a record (spec + status with every step
//!   `Pending`) and a summary of what changes and what stays, or refuses with a reason.
//! - [`machine::advance`] is one step of a run: a pure function of (record, store, time, input)
//!   that returns the new status to commit, the cluster writes to send *after* that commit
//!   succeeded (the commit carries the record's resourceVersion as a precondition, so two
//!   consoles never both send a step's writes), and the prompt the operator must answer.
//! - [`driver::Drive`] drives one run on that contract: given the store, the time and the
//!   operator's input or a write's answer, it says which write to send next and what to ask; the
//!   console sends the writes and shows the prompt.
//! - [`observe`] holds the facts read from the store (pod on image, in place vs recreated,
//!   remount, DataLoad phase, lost nodes, health).
//! - [`local`] keeps records as YAML files when the CRD is not installed.
//!
//! A step goes Pending → Running (status committed, then its writes sent) → Done when the
//! cluster shows its effect, or Failed (timeout, image pull / crash loop for over a minute, a
//! refused write). Upgrades roll back by appending Rollback steps; rebuilds never delete a
//! workload and have no rollback.

pub mod driver;
pub mod machine;
pub mod observe;
pub mod plan;

use crate::model::maintenance::Strategy;

/// Annotation on the CacheRuntime naming the maintenance that holds it; label on the re-warm
/// DataLoad.
pub const LOCK_ANNOTATION: &str = "fluidops.io/maintenance";
/// Label on a maintenance record (and the re-warm DataLoad) naming its runtime.
pub const RUNTIME_LABEL: &str = "fluidops.io/runtime";

/// Default seconds a step may take before it fails.
pub const DEFAULT_STEP_TIMEOUT_SECONDS: i64 = 600;
/// Smallest step timeout the CRD accepts.
pub const MIN_STEP_TIMEOUT_SECONDS: i64 = 30;

/// A strategy with its defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub max_unavailable: i32,
    pub confirm_each_step: bool,
    pub step_timeout_seconds: i64,
    pub rollback_on_failure: bool,
    pub use_partition: bool,
}

impl Settings {
    pub fn of(s: Option<&Strategy>) -> Settings {
        let d = Strategy::default();
        let s = s.unwrap_or(&d);
        Settings {
            max_unavailable: s.max_unavailable.unwrap_or(1).max(1),
            confirm_each_step: s.confirm_each_step.unwrap_or(false),
            step_timeout_seconds: s
                .step_timeout_seconds
                .unwrap_or(DEFAULT_STEP_TIMEOUT_SECONDS)
                .max(MIN_STEP_TIMEOUT_SECONDS),
            rollback_on_failure: s.rollback_on_failure.unwrap_or(false),
            use_partition: s.use_partition.unwrap_or(false),
        }
    }

    /// As written into a record: every field explicit.
    pub fn to_strategy(self) -> Strategy {
        Strategy {
            max_unavailable: Some(self.max_unavailable),
            confirm_each_step: Some(self.confirm_each_step),
            step_timeout_seconds: Some(self.step_timeout_seconds),
            rollback_on_failure: Some(self.rollback_on_failure),
            use_partition: Some(self.use_partition),
        }
    }
}
