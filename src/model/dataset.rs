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
    /// Whether a condition says something the current phase has superseded. Fluid leaves
    /// conditions from earlier passes in place (FLUID.md [obs]): `Ready=False` and
    /// `Updating=True` stay after a remount brings the dataset back to Bound, a `NotReady=True`
    /// from a failed setup pass stays next to `Ready=True`. Bound means ready; Updating means
    /// not (yet) ready again.
    pub fn condition_stale(&self, c: &Condition) -> bool {
        use super::meta::ConditionStatus::True;
        let says_ready = match c.type_.as_str() {
            "Ready" => c.status == True,
            "NotReady" | "Updating" | "Failed" => c.status != True,
            _ => return false,
        };
        match self.phase() {
            DatasetPhase::Bound => !says_ready,
            DatasetPhase::Updating => c.type_ == "Ready" && says_ready,
            _ => false,
        }
    }
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

/// A size as Fluid writes it in `cacheStates` and `ufsTotal` (`1.02TiB`, `412.80GiB`, `512B`,
/// `3.5MB`), in bytes; `None` for anything else.
pub fn parse_size(text: &str) -> Option<f64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "" | "B" => 1.0,
        "KiB" | "Ki" => 1024f64,
        "MiB" | "Mi" => 1024f64.powi(2),
        "GiB" | "Gi" => 1024f64.powi(3),
        "TiB" | "Ti" => 1024f64.powi(4),
        "PiB" | "Pi" => 1024f64.powi(5),
        "KB" | "kB" | "K" | "k" => 1e3,
        "MB" | "M" => 1e6,
        "GB" | "G" => 1e9,
        "TB" | "T" => 1e12,
        "PB" | "P" => 1e15,
        _ => return None,
    };
    Some(n * scale)
}

#[cfg(test)]
mod size_tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512B"), Some(512.0));
        assert_eq!(parse_size("1.5KiB"), Some(1536.0));
        assert_eq!(parse_size("2.34TiB"), Some(2.34 * 1024f64.powi(4)));
        assert_eq!(parse_size(" 412.80GiB "), Some(412.8 * 1024f64.powi(3)));
        assert_eq!(parse_size("3GB"), Some(3e9));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("1.0XB"), None);
        assert_eq!(parse_size(""), None);
    }
}
