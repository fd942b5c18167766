//! `CacheRuntimeClass` (data.fluid.io/v1alpha1): cluster-scoped, no `spec` wrapper, no status.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::meta::{Extra, ObjectMeta, fluid_resource};
use super::runtime::Component;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheRuntimeClass {
    #[serde(default = "api_version")]
    pub api_version: String,
    #[serde(default = "kind")]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub file_system_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<Topology>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_resources: Option<ClassExtraResources>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_operation_specs: Vec<DataOperationSpec>,
    #[serde(flatten)]
    pub extra: Extra,
}
fn api_version() -> String {
    super::FLUID_API_VERSION.into()
}
fn kind() -> String {
    "CacheRuntimeClass".into()
}
fluid_resource!(
    CacheRuntimeClass,
    "data.fluid.io",
    "v1alpha1",
    "CacheRuntimeClass",
    "cacheruntimeclasses",
    k8s_openapi::ClusterResourceScope
);

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Topology {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<ComponentDefinition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<ComponentDefinition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ComponentDefinition>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `RuntimeComponentDefinition`. The pod template is kept as JSON: the console only reads the
/// engine container (container[0]) from it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentDefinition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_entries: Option<ExecutionEntries>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionEntries {
    #[serde(default, rename = "mountUFS", skip_serializing_if = "Option::is_none")]
    pub mount_ufs: Option<ExecutionEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_summary: Option<ExecutionEntry>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionEntry {
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i32>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Fluid runs an entry with at least this many seconds of timeout.
pub const MIN_EXECUTION_TIMEOUT_SECONDS: i32 = 20;

impl ExecutionEntry {
    pub fn effective_timeout(&self) -> i32 {
        self.timeout.unwrap_or(0).max(MIN_EXECUTION_TIMEOUT_SECONDS)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassExtraResources {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_maps: Vec<ClassConfigMap>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassConfigMap {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataOperationSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl CacheRuntimeClass {
    pub fn component(&self, c: Component) -> Option<&ComponentDefinition> {
        let t = self.topology.as_ref()?;
        match c {
            Component::Master => t.master.as_ref(),
            Component::Worker => t.worker.as_ref(),
            Component::Client => t.client.as_ref(),
        }
    }
    pub fn has_component(&self, c: Component) -> bool {
        self.component(c).is_some()
    }
    /// The DataOperation kinds this class declares in `dataOperationSpecs`.
    pub fn declared_operations(&self) -> impl Iterator<Item = &str> {
        self.data_operation_specs.iter().map(|d| d.name.as_str())
    }
    pub fn declares(&self, kind: &str) -> bool {
        self.declared_operations().any(|k| k == kind)
    }
}

impl ComponentDefinition {
    /// Image of the engine container (container[0] of the template).
    pub fn engine_image(&self) -> Option<&str> {
        self.template
            .as_ref()?
            .pointer("/spec/containers/0/image")?
            .as_str()
    }
}
