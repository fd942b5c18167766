//! `CacheRuntimeMaintenance` (ops.fluidops.io/v1alpha1): the console's own record of one
//! in-place upgrade or rebuild run. Fluid never reads it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::meta::{Condition, Extra, ObjectMeta, fluid_resource, open_enum};
use super::operation::TargetPath;
use super::runtime::RuntimeVersion;

pub const MAINTENANCE_API_VERSION: &str = "ops.fluidops.io/v1alpha1";

open_enum!(MaintenanceType { Upgrade = "Upgrade", Rebuild = "Rebuild" });
open_enum!(
    MaintenancePhase {
        Planned = "Planned",
        AwaitingConfirmation = "AwaitingConfirmation",
        Running = "Running",
        Paused = "Paused",
        Succeeded = "Succeeded",
        Failed = "Failed",
        Aborted = "Aborted",
        RolledBack = "RolledBack",
    }
);
open_enum!(StepState { Pending = "Pending", Running = "Running", Done = "Done", Failed = "Failed", Skipped = "Skipped" });

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheRuntimeMaintenance {
    #[serde(default = "api_version")]
    pub api_version: String,
    #[serde(default = "kind")]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: MaintenanceSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MaintenanceStatus>,
}
fn api_version() -> String {
    MAINTENANCE_API_VERSION.into()
}
fn kind() -> String {
    "CacheRuntimeMaintenance".into()
}
fluid_resource!(
    CacheRuntimeMaintenance,
    "ops.fluidops.io",
    "v1alpha1",
    "CacheRuntimeMaintenance",
    "cacheruntimemaintenances",
    k8s_openapi::NamespaceResourceScope
);

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceSpec {
    #[serde(default)]
    pub runtime_name: String,
    #[serde(default, rename = "type")]
    pub type_: MaintenanceType,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<RuntimeVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebuild: Option<RebuildSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Strategy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RebuildSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_delete_lost_pods: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reload_data: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_load: Option<RebuildDataLoad>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RebuildDataLoad {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_metadata: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target: Vec<TargetPath>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Strategy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_each_step: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_timeout_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_on_failure: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_partition: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceStatus {
    #[serde(default)]
    pub phase: MaintenancePhase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub previous: BTreeMap<String, RuntimeVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<MaintenanceStep>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceStep {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub state: StepState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub observed: BTreeMap<String, String>,
}

impl StepState {
    /// The phase whose style and symbol a step in this state is drawn with.
    pub fn theme_phase(&self) -> &'static str {
        match self {
            StepState::Done => "Complete",
            StepState::Skipped => "None",
            StepState::Pending => "Pending",
            StepState::Running => "Executing",
            StepState::Failed => "Failed",
            StepState::Other(_) => "Unknown",
        }
    }
}

impl CacheRuntimeMaintenance {
    pub fn phase(&self) -> MaintenancePhase {
        self.status
            .as_ref()
            .map(|s| s.phase.clone())
            .unwrap_or_default()
    }
}
