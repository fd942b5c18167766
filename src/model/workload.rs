//! `AdvancedStatefulSet` (workload.fluid.io/v1alpha1): the master and worker workloads Fluid
//! creates for a CacheRuntime. Only the fields the console reads are typed.

use serde::{Deserialize, Serialize};

use super::meta::{Extra, ObjectMeta, fluid_resource};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvancedStatefulSet {
    #[serde(default = "api_version")]
    pub api_version: String,
    #[serde(default = "kind")]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: WorkloadSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WorkloadStatus>,
}
fn api_version() -> String {
    "workload.fluid.io/v1alpha1".into()
}
fn kind() -> String {
    "AdvancedStatefulSet".into()
}
fluid_resource!(
    AdvancedStatefulSet,
    "workload.fluid.io",
    "v1alpha1",
    "AdvancedStatefulSet",
    "advancedstatefulsets",
    k8s_openapi::NamespaceResourceScope
);

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_strategy: Option<serde_json::Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(default)]
    pub replicas: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_ready_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_revision: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl AdvancedStatefulSet {
    /// Image of the engine container (container[0]).
    pub fn engine_image(&self) -> Option<&str> {
        self.spec
            .template
            .as_ref()?
            .pointer("/spec/containers/0/image")?
            .as_str()
    }
}
