//! `CacheRuntime` (data.fluid.io/v1alpha1) and its per-component status.

use serde::{Deserialize, Serialize};

use super::meta::{Condition, Extra, ObjectMeta, fluid_resource, is_default, open_enum};

open_enum!(
    /// Phase of one runtime component; `""` means never set up.
    RuntimePhase {
        None = "",
        NotReady = "NotReady",
        PartialReady = "PartialReady",
        Ready = "Ready",
    }
);

/// The three components a cache runtime may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Component {
    Master,
    Worker,
    Client,
}

impl Component {
    pub const ALL: [Component; 3] = [Component::Master, Component::Worker, Component::Client];
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Master => "master",
            Component::Worker => "worker",
            Component::Client => "client",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "master" => Some(Component::Master),
            "worker" => Some(Component::Worker),
            "client" | "fuse" => Some(Component::Client),
            _ => None,
        }
    }
}

impl std::fmt::Display for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheRuntime {
    #[serde(default = "api_version")]
    pub api_version: String,
    #[serde(default = "kind")]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: CacheRuntimeSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CacheRuntimeStatus>,
}
fn api_version() -> String {
    super::FLUID_API_VERSION.into()
}
fn kind() -> String {
    "CacheRuntime".into()
}
fluid_resource!(
    CacheRuntime,
    "data.fluid.io",
    "v1alpha1",
    "CacheRuntime",
    "cacheruntimes",
    k8s_openapi::NamespaceResourceScope
);

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheRuntimeSpec {
    #[serde(default)]
    pub runtime_class_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<ComponentSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<ComponentSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ComponentSpec>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Spec of one component (master / worker / client). Fields the console does not use stay in
/// `extra` (resources, env, tieredStore, …).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub disabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_version: Option<RuntimeVersion>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersion {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub image: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub image_tag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
}

impl RuntimeVersion {
    /// `image:tag` when both are set (the only case Fluid syncs into the workload).
    pub fn reference(&self) -> Option<String> {
        (!self.image.is_empty() && !self.image_tag.is_empty())
            .then(|| format!("{}:{}", self.image, self.image_tag))
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheRuntimeStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<ComponentStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<ComponentStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ComponentStatus>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup_duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount_time: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentStatus {
    #[serde(default)]
    pub phase: RuntimePhase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable_replicas: Option<i32>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The console's phase for a client nobody uses yet ([`CacheRuntime::component_idle`]).
pub const IDLE_PHASE: &str = "Idle";

impl ComponentStatus {
    pub fn ready(&self) -> i32 {
        self.ready_replicas.unwrap_or(0)
    }
    pub fn desired(&self) -> i32 {
        self.desired_replicas.unwrap_or(0)
    }
}

impl CacheRuntime {
    pub fn component_spec(&self, c: Component) -> Option<&ComponentSpec> {
        match c {
            Component::Master => self.spec.master.as_ref(),
            Component::Worker => self.spec.worker.as_ref(),
            Component::Client => self.spec.client.as_ref(),
        }
    }
    pub fn component_spec_mut(&mut self, c: Component) -> &mut ComponentSpec {
        let slot = match c {
            Component::Master => &mut self.spec.master,
            Component::Worker => &mut self.spec.worker,
            Component::Client => &mut self.spec.client,
        };
        slot.get_or_insert_with(ComponentSpec::default)
    }
    pub fn component_status(&self, c: Component) -> Option<&ComponentStatus> {
        let s = self.status.as_ref()?;
        match c {
            Component::Master => s.master.as_ref(),
            Component::Worker => s.worker.as_ref(),
            Component::Client => s.client.as_ref(),
        }
    }
    pub fn component_status_mut(&mut self, c: Component) -> &mut ComponentStatus {
        let s = self.status.get_or_insert_with(Default::default);
        let slot = match c {
            Component::Master => &mut s.master,
            Component::Worker => &mut s.worker,
            Component::Client => &mut s.client,
        };
        slot.get_or_insert_with(ComponentStatus::default)
    }
    pub fn component_phase(&self, c: Component) -> RuntimePhase {
        self.component_status(c)
            .map(|s| s.phase.clone())
            .unwrap_or_default()
    }
    /// Fluid reports the client `NotReady` with no pods wanted: its state until an application
    /// pod uses the dataset (FLUID.md [obs]). Nothing is failing; the console shows it idle.
    pub fn component_idle(&self, c: Component) -> bool {
        c == Component::Client
            && self.component_status(c).is_some_and(|s| {
                s.phase == RuntimePhase::NotReady && s.desired() == 0 && s.ready() == 0
            })
    }
    /// The phase a component is shown in (a theme phase): `None` when never set up,
    /// [`IDLE_PHASE`] for an idle client, else the phase Fluid wrote.
    pub fn shown_component_phase(&self, c: Component) -> &str {
        if self.component_idle(c) {
            return IDLE_PHASE;
        }
        match self.component_status(c).map(|s| s.phase.as_str()) {
            None | Some("") => "None",
            Some(p) => p,
        }
    }
    pub fn disabled(&self, c: Component) -> bool {
        self.component_spec(c).is_some_and(|s| s.disabled)
    }
}
