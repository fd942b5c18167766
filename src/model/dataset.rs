//! `Dataset` (data.fluid.io/v1alpha1).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::meta::{Condition, Extra, ObjectMeta, fluid_resource, open_enum};

open_enum!(
    /// `status.phase` of a Dataset; `""` is None.
    DatasetPhase {
        None = "",
        NotBound = "NotBound",
        Pending = "Pending",
        Bound = "Bound",
        Failed = "Failed",
        Updating = "Updating",
        DataMigrating = "DataMigrating",
    }
);

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    #[serde(default = "api_version")]
    pub api_version: String,
    #[serde(default = "kind")]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: DatasetSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DatasetStatus>,
}
fn api_version() -> String {
    super::FLUID_API_VERSION.into()
}
fn kind() -> String {
    "Dataset".into()
}
fluid_resource!(
    Dataset,
    "data.fluid.io",
    "v1alpha1",
    "Dataset",
    "datasets",
    k8s_openapi::NamespaceResourceScope
);

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<Mount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_modes: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mount {
    pub mount_point: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Mount {
    /// Where the mount appears inside the cache: `path` if absolute, else `/<name>`.
    pub fn cache_path(&self) -> String {
        match (&self.path, &self.name) {
            (Some(p), _) if p.starts_with('/') => p.clone(),
            (_, Some(n)) => format!("/{n}"),
            _ => "/".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetStatus {
    #[serde(default)]
    pub phase: DatasetPhase,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runtimes: Vec<DatasetRuntime>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cache_states: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ufs_total: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_num: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub operation_ref: BTreeMap<String, String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetRuntime {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Dataset {
    pub fn phase(&self) -> DatasetPhase {
        self.status
            .as_ref()
            .map(|s| s.phase.clone())
            .unwrap_or_default()
    }
    pub fn cache_state(&self, key: &str) -> Option<&str> {
        self.status
            .as_ref()?
            .cache_states
            .get(key)
            .map(String::as_str)
    }
}
