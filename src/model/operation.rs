//! The four DataOperation kinds (DataLoad, DataProcess, DataMigrate, DataBackup), held in one
//! struct: they share the status machine and most policy fields, and the console lists them
//! together. Kind-specific spec fields are optional; the rest stays in `extra`.

use serde::{Deserialize, Serialize};

use super::meta::{Condition, Extra, JsonText, ObjectMeta, StrMap, open_enum};

/// Which DataOperation an object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum OpKind {
    #[default]
    DataLoad,
    DataProcess,
    DataMigrate,
    DataBackup,
}

impl OpKind {
    pub const ALL: [OpKind; 4] = [
        OpKind::DataLoad,
        OpKind::DataProcess,
        OpKind::DataMigrate,
        OpKind::DataBackup,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::DataLoad => "DataLoad",
            OpKind::DataProcess => "DataProcess",
            OpKind::DataMigrate => "DataMigrate",
            OpKind::DataBackup => "DataBackup",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn plural(self) -> &'static str {
        match self {
            OpKind::DataLoad => "dataloads",
            OpKind::DataProcess => "dataprocesses",
            OpKind::DataMigrate => "datamigrates",
            OpKind::DataBackup => "databackups",
        }
    }
    /// Whether a CacheRuntime can run this kind at all (DataMigrate and DataBackup are
    /// NotSupported by the cache engine).
    pub fn supported_on_cache_runtime(self) -> bool {
        matches!(self, OpKind::DataLoad | OpKind::DataProcess)
    }
    /// Whether the runtime class must declare the kind in `dataOperationSpecs`
    /// (DataProcess is engine-independent).
    pub fn needs_class_entry(self) -> bool {
        matches!(self, OpKind::DataLoad)
    }
}

impl std::fmt::Display for OpKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

open_enum!(
    /// `status.phase` of every DataOperation; `""` is None.
    OpPhase {
        None = "",
        Pending = "Pending",
        Executing = "Executing",
        Complete = "Complete",
        Failed = "Failed",
    }
);

impl OpPhase {
    pub fn is_terminal(&self) -> bool {
        matches!(self, OpPhase::Complete | OpPhase::Failed)
    }
    /// Display name: `""` shows as `None`.
    pub fn label(&self) -> &str {
        match self {
            OpPhase::None => "None",
            other => other.as_str(),
        }
    }
}

open_enum!(
    /// `spec.policy`; absent means Once.
    Policy { Once = "Once", Cron = "Cron", OnEvent = "OnEvent" }
);

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataOperation {
    #[serde(default = "api_version")]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: OperationSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OperationStatus>,
}
fn api_version() -> String {
    super::FLUID_API_VERSION.into()
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationSpec {
    /// DataLoad/DataProcess: `{name, namespace, …}`; DataBackup: a plain name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<JsonText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Vec<TargetPath>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_metadata: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_after: Option<RunAfter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds_after_finished: Option<i64>,
    /// DataMigrate source and destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<JsonText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<JsonText>,
    /// DataBackup destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_path: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetPath {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunAfter {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationStatus {
    #[serde(default)]
    pub phase: OpPhase,
    #[serde(default)]
    pub duration: String,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infos: Option<StrMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_schedule_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_successful_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<WaitingFor>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitingFor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_complete: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Duration value while an operation runs.
pub const DURATION_UNFINISHED: &str = "Unfinished";
/// Duration value while a new Cron run is pending.
pub const DURATION_CRON_PENDING: &str = "-";

impl DataOperation {
    pub fn op_kind(&self) -> OpKind {
        OpKind::parse(&self.kind).unwrap_or_default()
    }
    pub fn phase(&self) -> OpPhase {
        self.status
            .as_ref()
            .map(|s| s.phase.clone())
            .unwrap_or_default()
    }
    pub fn policy(&self) -> Policy {
        self.spec.policy.clone().unwrap_or(Policy::Once)
    }
    /// Namespace and name of the target dataset (DataMigrate: the dataset side of from/to).
    pub fn target_dataset(&self) -> Option<(String, String)> {
        let own_ns = self.metadata.namespace.clone().unwrap_or_default();
        let from_obj = |v: &serde_json::Value| -> Option<(String, String)> {
            let name = v.get("name")?.as_str()?.to_string();
            let ns = v
                .get("namespace")
                .and_then(|n| n.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| own_ns.clone());
            Some((ns, name))
        };
        match self.spec.dataset.as_ref().map(JsonText::value) {
            Some(serde_json::Value::String(name)) => return Some((own_ns.clone(), name)),
            Some(v @ serde_json::Value::Object(_)) => return from_obj(&v),
            _ => {}
        }
        [&self.spec.from, &self.spec.to]
            .into_iter()
            .flatten()
            .find_map(|side| side.get("dataset").as_ref().and_then(from_obj))
    }
    /// The condition that explains a failure, if any.
    pub fn failing_condition(&self) -> Option<&Condition> {
        self.status
            .as_ref()?
            .conditions
            .iter()
            .find(|c| c.type_ == "Failed")
    }
    /// `status.duration` as the console shows it: empty when unset, and empty for a finished
    /// operation whose duration Fluid left at `Unfinished` (a DataMigrate the engine does not
    /// support fails without one) — it is not running.
    pub fn shown_duration(&self) -> &str {
        let Some(st) = self.status.as_ref() else {
            return "";
        };
        if st.phase.is_terminal() && st.duration == DURATION_UNFINISHED {
            return "";
        }
        &st.duration
    }
    pub fn waiting_for_predecessor(&self) -> bool {
        self.status
            .as_ref()
            .and_then(|s| s.waiting_for.as_ref())
            .and_then(|w| w.operation_complete)
            .unwrap_or(false)
    }
}

impl kube::Resource for DataOperation {
    type DynamicType = OpKind;
    type Scope = k8s_openapi::NamespaceResourceScope;
    fn kind(k: &OpKind) -> std::borrow::Cow<'_, str> {
        k.as_str().into()
    }
    fn group(_: &OpKind) -> std::borrow::Cow<'_, str> {
        "data.fluid.io".into()
    }
    fn version(_: &OpKind) -> std::borrow::Cow<'_, str> {
        "v1alpha1".into()
    }
    fn plural(k: &OpKind) -> std::borrow::Cow<'_, str> {
        k.plural().into()
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}
