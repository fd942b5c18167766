//! Building a run from what the store shows: the record (spec, and a status whose steps are all
//! `Pending`), a summary of what changes and what stays, or a refusal that says why not.
//! Also the suggestions for a rebuild (§5.5) and the changes neither workflow can apply.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::observe::{self, name as pod_name, workload_name};
use super::{LOCK_ANNOTATION, RUNTIME_LABEL, Settings};
use crate::cluster::Store;
use crate::model::health::{component_enabled, operation_supported};
use crate::model::maintenance::{
    MaintenancePhase, MaintenanceSpec, MaintenanceStatus, MaintenanceStep, MaintenanceType,
    RebuildSpec, StepState, Strategy,
};
use crate::model::meta::{ObjectMeta, format_time};
use crate::model::operation::TargetPath;
use crate::model::pod::node_of;
use crate::model::runtime::RuntimeVersion;
use crate::model::{
    CacheRuntime, CacheRuntimeMaintenance, Component, DatasetPhase, ObjectKey, OpKind, Pod,
    RuntimePhase,
};

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

/// Why a run cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    RuntimeNotFound {
        runtime: String,
    },
    /// The runtime carries `fluidops.io/maintenance` (or a run on it is active).
    Locked {
        runtime: String,
        by: String,
    },
    DatasetNotFound {
        dataset: String,
    },
    DatasetNotBound {
        dataset: String,
        phase: String,
    },
    MasterNotReady {
        phase: String,
    },
    WorkerNotReady {
        phase: String,
    },
    EmptyImage,
    EmptyTag,
    SameVersion {
        version: String,
    },
    ClientInUpgrade,
    ClientNotConfirmed {
        pods: Vec<String>,
    },
    /// A requested component does not exist in this runtime (class topology or `disabled`).
    ComponentAbsent {
        component: Component,
    },
    InvalidReason {
        reason: String,
    },
    PodNotFound {
        pod: String,
    },
    NoPodsMatch {
        selection: String,
    },
    /// Re-warm asked for but the class cannot run a DataLoad.
    RewarmUnsupported {
        reason: String,
    },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::RuntimeNotFound { runtime } => write!(f, "CacheRuntime {runtime} not found"),
            Refusal::Locked { runtime, by } => write!(
                f,
                "CacheRuntime {runtime} is locked by maintenance {by} (annotation {LOCK_ANNOTATION}); finish or abort that run first"
            ),
            Refusal::DatasetNotFound { dataset } => write!(
                f,
                "Dataset {dataset} not found: a CacheRuntime needs a Dataset of the same name"
            ),
            Refusal::DatasetNotBound { dataset, phase } => write!(
                f,
                "Dataset {dataset} is {phase}, not Bound: the runtime is not serving data yet"
            ),
            Refusal::MasterNotReady { phase } => write!(
                f,
                "master is {phase}, not Ready: fix the master first (workers and mounts depend on it)"
            ),
            Refusal::WorkerNotReady { phase } => write!(
                f,
                "worker is {phase}: no worker is Ready, an upgrade would only add restarts"
            ),
            Refusal::EmptyImage => f.write_str(
                "image is empty: Fluid changes the engine image only when image and imageTag are both set",
            ),
            Refusal::EmptyTag => f.write_str(
                "image tag is empty: Fluid changes the engine image only when image and imageTag are both set",
            ),
            Refusal::SameVersion { version } => {
                write!(f, "every selected component already runs {version}")
            }
            Refusal::ClientInUpgrade => f.write_str(
                "client cannot be upgraded: upstream never updates the client DaemonSet after creation (only master and worker runtimeVersion are synced)",
            ),
            Refusal::ClientNotConfirmed { pods } => write!(
                f,
                "rebuilding client pods ({}) interrupts the FUSE mount of every app pod on their nodes: confirm it explicitly",
                pods.join(", ")
            ),
            Refusal::ComponentAbsent { component } => write!(
                f,
                "this runtime has no {component} (not in its class topology, or disabled)"
            ),
            Refusal::InvalidReason { reason } => write!(
                f,
                "rebuild reason \"{reason}\" is not one of NodeFailure, ConfigChange, Manual"
            ),
            Refusal::PodNotFound { pod } => {
                write!(f, "pod {pod} is not a cache pod of this runtime")
            }
            Refusal::NoPodsMatch { selection } => write!(f, "no pods match {selection}"),
            Refusal::RewarmUnsupported { reason } => {
                write!(f, "cannot re-warm the cache: {reason}")
            }
        }
    }
}

impl std::error::Error for Refusal {}

/// A pod worth rebuilding (FLUID.md §5.5), with the reason to put in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildCandidate {
    pub pod: String,
    pub component: Component,
    pub node: String,
    /// `NodeFailure` | `ConfigChange`.
    pub reason: String,
    /// Human text: what was seen.
    pub why: String,
    /// The pod is on a lost node or stuck Terminating (a force delete is needed).
    pub lost_or_stale: bool,
}

// ------------------------------------------------------------------ naming

/// `<rt>-<upgrade|rebuild>-<yyyymmddhhmmss>`: DNS-1123, at most 63 characters (45 for a rebuild,
/// so that `<name>-rewarm-loader-job` stays a valid label value), unique per second.
pub fn maintenance_name(runtime: &str, kind: MaintenanceType, now: Timestamp) -> String {
    let kind_s = match kind {
        MaintenanceType::Upgrade => "upgrade",
        MaintenanceType::Rebuild => "rebuild",
        MaintenanceType::Other(_) => "maintenance",
    };
    let stamp = now.strftime("%Y%m%d%H%M%S").to_string();
    let max: usize = if kind == MaintenanceType::Rebuild {
        45
    } else {
        63
    };
    let suffix = format!("-{kind_s}-{stamp}");
    let clean: String = runtime
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let room = max.saturating_sub(suffix.len());
    let mut head: String = clean.chars().take(room).collect();
    while head.ends_with('-') {
        head.pop();
    }
    let head = head.trim_start_matches('-');
    if head.is_empty() {
        suffix.trim_start_matches('-').to_string()
    } else {
        format!("{head}{suffix}")
    }
}

/// Name of the re-warm DataLoad of a rebuild.
pub fn rewarm_name(maintenance: &str) -> String {
    format!("{maintenance}-rewarm")
}

/// A pod's name without the `<rt>-` prefix (`worker-2`), used in step names.
pub fn short(runtime: &str, pod: &str) -> String {
    pod.strip_prefix(runtime)
        .and_then(|s| s.strip_prefix('-'))
        .unwrap_or(pod)
        .to_string()
}

// ------------------------------------------------------------------ shared checks

/// The runtime a run is planned for: refused when it is not in the store or another
/// maintenance holds it.
fn unlocked_runtime<'s>(store: &'s Store, key: &ObjectKey) -> Result<&'s CacheRuntime, Refusal> {
    let label = format!("{}/{}", key.namespace, key.name);
    let rt = store
        .runtime(&key.namespace, &key.name)
        .ok_or_else(|| Refusal::RuntimeNotFound {
            runtime: label.clone(),
        })?;
    match lock_holder(store, rt) {
        Some(by) => Err(Refusal::Locked { runtime: label, by }),
        None => Ok(rt),
    }
}

/// The maintenance holding a runtime, if any: the lock annotation, else an active record.
pub fn lock_holder(store: &Store, rt: &CacheRuntime) -> Option<String> {
    if let Some(by) = rt
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(LOCK_ANNOTATION))
    {
        return Some(by.clone());
    }
    let ns = rt.metadata.namespace.as_deref().unwrap_or("");
    let name = rt.metadata.name.as_deref().unwrap_or("");
    store
        .maintenances()
        .filter(|m| m.metadata.namespace.as_deref() == Some(ns) && m.spec.runtime_name == name)
        .find(|m| {
            matches!(
                m.phase(),
                MaintenancePhase::Running | MaintenancePhase::Paused
            )
        })
        .map(|m| m.metadata.name.clone().unwrap_or_default())
}

fn phase_label(p: &RuntimePhase) -> String {
    match p {
        RuntimePhase::None => "not set up (\"\")".into(),
        other => other.to_string(),
    }
}

fn dataset_phase_label(p: &DatasetPhase) -> String {
    match p {
        DatasetPhase::None => "None".into(),
        other => other.to_string(),
    }
}

/// Dataset Bound, master Ready (when the runtime has one). Used at plan time and by Preflight.
pub(crate) fn check_serving(
    store: &Store,
    rt: &CacheRuntime,
    master_rebuilt: bool,
) -> Result<(), Refusal> {
    let ns = rt.metadata.namespace.as_deref().unwrap_or("");
    let name = rt.metadata.name.as_deref().unwrap_or("");
    let Some(ds) = store.dataset(ns, name) else {
        return Err(Refusal::DatasetNotFound {
            dataset: format!("{ns}/{name}"),
        });
    };
    if ds.phase() != DatasetPhase::Bound {
        return Err(Refusal::DatasetNotBound {
            dataset: format!("{ns}/{name}"),
            phase: dataset_phase_label(&ds.phase()),
        });
    }
    let class = store.class_of(rt);
    if !master_rebuilt
        && component_enabled(rt, class, Component::Master)
        && rt.component_phase(Component::Master) != RuntimePhase::Ready
    {
        return Err(Refusal::MasterNotReady {
            phase: phase_label(&rt.component_phase(Component::Master)),
        });
    }
    Ok(())
}

/// `image:tag` split at the last `:` after the last `/` (a registry port is not a tag).
pub fn split_image(reference: &str) -> RuntimeVersion {
    let slash = reference.rfind('/').map(|i| i + 1).unwrap_or(0);
    match reference[slash..].rfind(':') {
        Some(i) => RuntimeVersion {
            image: reference[..slash + i].to_string(),
            image_tag: reference[slash + i + 1..].to_string(),
            image_pull_policy: None,
        },
        None => RuntimeVersion {
            image: reference.to_string(),
            image_tag: String::new(),
            image_pull_policy: None,
        },
    }
}

/// The version a component runs before the run: `spec.<c>.runtimeVersion` when image and tag are
/// set, else the AdvancedStatefulSet container[0] image, else the class template's.
pub fn current_version(store: &Store, rt: &CacheRuntime, c: Component) -> Option<RuntimeVersion> {
    if let Some(v) = rt
        .component_spec(c)
        .and_then(|s| s.runtime_version.as_ref())
        .filter(|v| v.reference().is_some())
    {
        return Some(RuntimeVersion {
            image: v.image.clone(),
            image_tag: v.image_tag.clone(),
            image_pull_policy: None,
        });
    }
    let ns = rt.metadata.namespace.as_deref().unwrap_or("");
    let name = rt.metadata.name.as_deref().unwrap_or("");
    if let Some(img) =
        observe::workload(store, ns, &workload_name(name, c)).and_then(|w| w.engine_image())
    {
        return Some(split_image(img));
    }
    store
        .class_of(rt)
        .and_then(|cl| cl.component(c))
        .and_then(|d| d.engine_image())
        .map(split_image)
}

fn reference(v: &RuntimeVersion) -> String {
    if v.image_tag.is_empty() {
        v.image.clone()
    } else {
        format!("{}:{}", v.image, v.image_tag)
    }
}

/// Whether Fluid remounts after a master restart: the runtime has a master and the class a
/// `mountUFS` entry on it.
pub fn remounts(store: &Store, rt: &CacheRuntime) -> bool {
    let class = store.class_of(rt);
    component_enabled(rt, class, Component::Master)
        && class
            .and_then(|c| c.component(Component::Master))
            .and_then(|m| m.execution_entries.as_ref())
            .is_some_and(|e| e.mount_ufs.is_some())
}

/// Pod names a component should have: existing pods plus every ordinal below `replicas`,
/// highest ordinal first.
fn ordinal_pods(store: &Store, rt: &CacheRuntime, c: Component) -> Vec<String> {
    let ns = rt.metadata.namespace.as_deref().unwrap_or("");
    let name = rt.metadata.name.as_deref().unwrap_or("");
    let mut names: Vec<String> = observe::component_pods(store, ns, name, c)
        .into_iter()
        .map(|p| pod_name(p).to_string())
        .collect();
    let replicas = rt
        .component_spec(c)
        .and_then(|s| s.replicas)
        .or_else(|| {
            observe::workload(store, ns, &workload_name(name, c)).and_then(|w| w.spec.replicas)
        })
        .unwrap_or(names.len() as i32);
    for i in 0..replicas.max(0) {
        let n = format!("{}-{i}", workload_name(name, c));
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names.retain(|n| observe::ordinal(n).is_some_and(|i| i < replicas.max(0)));
    names.sort_by_key(|n| std::cmp::Reverse(observe::ordinal(n).unwrap_or(-1)));
    names
}

pub(crate) fn step(name: String, action: &str, target: String, message: String) -> MaintenanceStep {
    MaintenanceStep {
        name,
        action: Some(action.to_string()),
        target: Some(target),
        state: StepState::Pending,
        message: (!message.is_empty()).then_some(message),
        ..Default::default()
    }
}

fn record(
    name: &str,
    runtime: &ObjectKey,
    spec: MaintenanceSpec,
    steps: Vec<MaintenanceStep>,
    previous: BTreeMap<String, RuntimeVersion>,
    now: Timestamp,
) -> CacheRuntimeMaintenance {
    let mut labels = BTreeMap::new();
    labels.insert(RUNTIME_LABEL.to_string(), runtime.name.clone());
    CacheRuntimeMaintenance {
        api_version: crate::model::maintenance::MAINTENANCE_API_VERSION.into(),
        kind: "CacheRuntimeMaintenance".into(),
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(runtime.namespace.clone()),
            labels: Some(labels),
            ..Default::default()
        },
        spec,
        status: Some(MaintenanceStatus {
            phase: MaintenancePhase::Planned,
            previous,
            current_step: Some(0),
            steps,
            conditions: vec![crate::model::Condition {
                type_: "Progressing".into(),
                status: crate::model::ConditionStatus::Unknown,
                reason: Some("Planned".into()),
                message: Some("waiting for the operator to confirm the plan".into()),
                last_transition_time: Some(format_time(now)),
                ..Default::default()
            }],
            ..Default::default()
        }),
    }
}

/// What happens to each tier of a component's cache on an in-place restart (`rebuild` false) or
/// when the pod is recreated (`rebuild` true).
fn tier_lines(rt: &CacheRuntime, c: Component, rebuild: bool) -> Vec<String> {
    let levels = rt
        .component_spec(c)
        .and_then(|s| s.extra.get("tieredStore"))
        .as_ref()
        .and_then(|t| t.get("levels"))
        .and_then(|l| l.as_array())
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (i, level) in levels.iter().enumerate() {
        let quota = |v: &serde_json::Value| {
            v.get("quota")
                .and_then(|q| q.as_str())
                .map(|q| format!(" {q}"))
                .unwrap_or_default()
        };
        // The strings of an array field (`hostPath.paths`, `hostPath.quotas`).
        let strings = |v: &serde_json::Value, field: &str| -> Vec<String> {
            v.get(field)
                .and_then(|p| p.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|p| p.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let line = if let Some(pm) = level.get("processMemory") {
            format!(
                "{c} tier level-{i} processMemory{}: lost (engine memory does not survive a restart)",
                quota(pm)
            )
        } else if let Some(ed) = level.get("emptyDir") {
            let medium = ed
                .get("medium")
                .and_then(|m| m.as_str())
                .filter(|m| !m.is_empty())
                .map(|m| format!(" medium {m}"))
                .unwrap_or_default();
            if rebuild {
                format!(
                    "{c} tier level-{i} emptyDir{}{medium}: lost (a recreated pod gets a new, empty emptyDir)",
                    quota(ed)
                )
            } else {
                format!(
                    "{c} tier level-{i} emptyDir{}{medium}: kept (an in-place restart keeps the pod's volumes)",
                    quota(ed)
                )
            }
        } else if let Some(hp) = level.get("hostPath") {
            let what = format!(
                "{c} tier level-{i} hostPath {} {}",
                strings(hp, "paths").join(","),
                strings(hp, "quotas").join(",")
            );
            if rebuild {
                format!(
                    "{}: old files stay on the node; a recreated pod sees them only if it lands on the same node (reuse is engine behaviour)",
                    what.trim_end()
                )
            } else {
                format!("{}: kept (same node, same directory)", what.trim_end())
            }
        } else {
            format!("{c} tier level-{i}: unknown medium")
        };
        out.push(line);
    }
    out
}

// ------------------------------------------------------------------ upgrade

/// Plans an in-place upgrade (FLUID.md §4.3).
pub fn plan_upgrade(
    store: &Store,
    req: &UpgradeRequest,
    name: &str,
    now: Timestamp,
) -> Result<Plan, Refusal> {
    let key = &req.runtime;
    let rt = unlocked_runtime(store, key)?;
    if req.image.trim().is_empty() {
        return Err(Refusal::EmptyImage);
    }
    if req.image_tag.trim().is_empty() {
        return Err(Refusal::EmptyTag);
    }
    if req.components.contains(&Component::Client) {
        return Err(Refusal::ClientInUpgrade);
    }
    let class = store.class_of(rt);
    let mut components: Vec<Component> = if req.components.is_empty() {
        [Component::Master, Component::Worker]
            .into_iter()
            .filter(|&c| component_enabled(rt, class, c))
            .collect()
    } else {
        let mut v = Vec::new();
        for &c in &req.components {
            if !component_enabled(rt, class, c) {
                return Err(Refusal::ComponentAbsent { component: c });
            }
            if !v.contains(&c) {
                v.push(c);
            }
        }
        v
    };
    check_serving(store, rt, false)?;
    let mut warnings = Vec::new();
    if components.contains(&Component::Worker) {
        match rt.component_phase(Component::Worker) {
            RuntimePhase::Ready => {}
            RuntimePhase::PartialReady => warnings.push(
                "worker is PartialReady: some workers are not Ready before the upgrade; they will be restarted too"
                    .to_string(),
            ),
            other => {
                return Err(Refusal::WorkerNotReady {
                    phase: phase_label(&other),
                });
            }
        }
    }
    let target = RuntimeVersion {
        image: req.image.trim().to_string(),
        image_tag: req.image_tag.trim().to_string(),
        image_pull_policy: req.image_pull_policy.clone().filter(|p| !p.is_empty()),
    };
    let target_ref = reference(&target);
    let mut previous = BTreeMap::new();
    let mut skipped = Vec::new();
    components.retain(|&c| {
        let cur = current_version(store, rt, c).unwrap_or_default();
        let same = cur.image == target.image && cur.image_tag == target.image_tag;
        if same {
            skipped.push(c);
        } else {
            previous.insert(c.as_str().to_string(), cur);
        }
        !same
    });
    if components.is_empty() {
        return Err(Refusal::SameVersion {
            version: target_ref,
        });
    }
    for c in skipped {
        warnings.push(format!(
            "{c} already runs {target_ref}: left out of the run"
        ));
    }

    let mut settings = Settings::of(Some(&req.strategy));
    let pods_of: BTreeMap<Component, Vec<String>> = components
        .iter()
        .map(|&c| (c, ordinal_pods(store, rt, c)))
        .collect();
    if pods_of.values().all(|p| p.is_empty()) {
        return Err(Refusal::NoPodsMatch {
            selection: format!("components {}", join_components(&components)),
        });
    }
    for p in pods_of.values().flatten() {
        match observe::pod(store, &key.namespace, p) {
            Some(pod) if needs_force(store, pod) => warnings.push(format!(
                "{p}: {}; it cannot be updated until it is replaced — rebuild it first (force delete), or its step waits until it times out",
                observe::node_trouble(store, pod).unwrap_or_else(|| "stuck Terminating".into())
            )),
            None => warnings.push(format!(
                "{p} does not exist right now; its step waits for the workload to recreate it"
            )),
            _ => {}
        }
    }
    if settings.confirm_each_step
        && !settings.use_partition
        && pods_of.get(&Component::Worker).is_some_and(|p| p.len() > 1)
    {
        settings.use_partition = true;
        warnings.push(format!(
            "confirmEachStep with {} workers: usePartition is turned on, because Fluid updates every pod as soon as the runtime is patched and only a partition can hold them; the partition is set to the replica count, lowered one ordinal per confirmed step and put back to 0 at the end",
            pods_of[&Component::Worker].len()
        ));
    }
    if settings.max_unavailable > 1 {
        warnings.push(format!(
            "maxUnavailable {} does not apply to an upgrade: the AdvancedStatefulSet updates pods one at a time, highest ordinal first",
            settings.max_unavailable
        ));
    }
    if let Some(ops) = store
        .dataset(&key.namespace, &key.name)
        .and_then(|d| d.status.as_ref())
        .map(|s| &s.operation_ref)
        .filter(|m| !m.is_empty())
    {
        let list: Vec<String> = ops.iter().map(|(k, v)| format!("{k} {v}")).collect();
        warnings.push(format!(
            "Dataset has running operations ({}): they may fail while the engine restarts",
            list.join(", ")
        ));
    }
    if component_enabled(rt, class, Component::Client) {
        let client_img =
            observe::component_pods(store, &key.namespace, &key.name, Component::Client)
                .first()
                .and_then(|p| observe::spec_image(p))
                .map(str::to_string)
                .or_else(|| {
                    class
                        .and_then(|c| c.component(Component::Client))
                        .and_then(|d| d.engine_image())
                        .map(str::to_string)
                });
        if let Some(img) = client_img {
            warnings.push(format!(
                "client pods keep {img}: upstream never updates the client DaemonSet, check that it works with {target_ref}"
            ));
        }
    }
    for ns in not_syncable(store, key) {
        warnings.push(format!("not applied by this upgrade: {ns}"));
    }

    let remount = remounts(store, rt);
    let rt_target = format!("CacheRuntime/{}", key.name);
    let mut steps = vec![step(
        "preflight".into(),
        "Preflight",
        rt_target.clone(),
        "check Dataset Bound, master Ready, worker Ready; record the current versions".into(),
    )];
    let mut changes = Vec::new();
    for &c in &components {
        let prev = reference(&previous[c.as_str()]);
        let wl = workload_name(&key.name, c);
        let pods = &pods_of[&c];
        if settings.use_partition {
            steps.push(step(
                format!("partition-{c}"),
                "PatchPartition",
                format!("AdvancedStatefulSet/{wl}"),
                format!(
                    "set spec.updateStrategy.rollingUpdate.partition = {} so that no {c} pod updates yet",
                    pods.len()
                ),
            ));
            changes.push(PlannedChange {
                component: c,
                object: format!("AdvancedStatefulSet/{wl}"),
                change: format!(
                    "partition 0 → {} (held), lowered one ordinal per step, back to 0 at the end",
                    pods.len()
                ),
            });
        }
        steps.push(step(
            format!("patch-{c}"),
            "PatchRuntime",
            rt_target.clone(),
            format!("spec.{c}.runtimeVersion = {target_ref}"),
        ));
        changes.push(PlannedChange {
            component: c,
            object: rt_target.clone(),
            change: format!("spec.{c}.runtimeVersion {prev} → {target_ref}"),
        });
        for p in pods {
            let s = short(&key.name, p);
            if settings.use_partition {
                let ord = observe::ordinal(p).unwrap_or(0);
                steps.push(step(
                    format!("update-{s}"),
                    "PatchPartition",
                    format!("Pod/{p}"),
                    format!(
                        "lower the partition of {wl} to {ord} so that {p} updates in place, then wait for it"
                    ),
                ));
            } else {
                steps.push(step(
                    format!("wait-{s}"),
                    "Wait",
                    format!("Pod/{p}"),
                    format!("wait for {p} to run {target_ref} and be Ready"),
                ));
            }
            let node = observe::pod(store, &key.namespace, p)
                .and_then(node_of)
                .map(|n| format!(" on {n}"))
                .unwrap_or_default();
            changes.push(PlannedChange {
                component: c,
                object: format!("Pod/{p}"),
                change: format!(
                    "image {prev} → {target_ref}; container restarted in place{node} (same pod, UID and volumes)"
                ),
            });
        }
        if c == Component::Master && remount {
            steps.push(step(
                "remount-master".into(),
                "Wait",
                rt_target.clone(),
                "wait for Fluid to remount the UFS after the master restart (status.mountTime after the master start, Dataset Bound)".into(),
            ));
            changes.push(PlannedChange {
                component: c,
                object: format!("Dataset/{}", key.name),
                change: "Fluid re-runs mountUFS after the master restart (Dataset Bound → Updating → Bound)".into(),
            });
        }
    }
    steps.push(step(
        "verify".into(),
        "Wait",
        rt_target,
        "every component Ready, Dataset Bound".into(),
    ));

    let mut stays = vec![
        "pods keep their names, UIDs and nodes: image-only changes are applied in place (container restart, restartCount +1)".to_string(),
        "the AdvancedStatefulSets and the client DaemonSet are not re-created".to_string(),
    ];
    for &c in &components {
        stays.extend(tier_lines(rt, c, false));
    }
    let mut spec = MaintenanceSpec {
        runtime_name: key.name.clone(),
        type_: MaintenanceType::Upgrade,
        components: components.iter().map(|c| c.as_str().to_string()).collect(),
        upgrade: Some(target),
        strategy: Some(settings.to_strategy()),
        ..Default::default()
    };
    spec.rebuild = None;
    let rec = record(name, key, spec, steps, previous, now);
    Ok(Plan {
        record: rec,
        summary: PlanSummary {
            changes,
            stays,
            warnings,
            max_unavailable: settings.max_unavailable,
        },
    })
}

fn join_components(cs: &[Component]) -> String {
    cs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
}

// ------------------------------------------------------------------ rebuild

/// Whether a pod needs a force delete to go away (its node is lost or it is stuck Terminating).
pub fn needs_force(store: &Store, p: &Pod) -> bool {
    observe::is_terminating(p) || observe::node_trouble(store, p).is_some()
}

/// Plans an in-place rebuild (FLUID.md §4.4).
pub fn plan_rebuild(
    store: &Store,
    req: &RebuildRequest,
    name: &str,
    now: Timestamp,
) -> Result<Plan, Refusal> {
    let key = &req.runtime;
    let rt = unlocked_runtime(store, key)?;
    let reason = if req.reason.is_empty() {
        "Manual".to_string()
    } else {
        req.reason.clone()
    };
    if !["NodeFailure", "ConfigChange", "Manual"].contains(&reason.as_str()) {
        return Err(Refusal::InvalidReason { reason });
    }
    let class = store.class_of(rt);
    for &c in &req.components {
        if !component_enabled(rt, class, c) {
            return Err(Refusal::ComponentAbsent { component: c });
        }
    }
    let all: Vec<&Pod> = store.pods_of_runtime(&key.namespace, &key.name);
    let mut selected: Vec<&Pod> = Vec::new();
    let selection;
    if !req.pods.is_empty() {
        for want in &req.pods {
            let Some(p) = all.iter().find(|p| pod_name(p) == want) else {
                return Err(Refusal::PodNotFound { pod: want.clone() });
            };
            let c = crate::model::pod::component_of(p);
            if !req.components.is_empty() && !c.is_some_and(|c| req.components.contains(&c)) {
                continue;
            }
            selected.push(p);
        }
        selection = format!("pods {}", req.pods.join(", "));
    } else {
        let comps: Vec<Component> = if req.components.is_empty() {
            vec![Component::Worker]
        } else {
            req.components.clone()
        };
        selected = all
            .iter()
            .copied()
            .filter(|p| crate::model::pod::component_of(p).is_some_and(|c| comps.contains(&c)))
            .filter(|p| {
                req.nodes.is_empty() || node_of(p).is_some_and(|n| req.nodes.iter().any(|x| x == n))
            })
            .collect();
        selection = if req.nodes.is_empty() {
            format!("components {}", join_components(&comps))
        } else {
            format!(
                "components {} on nodes {}",
                join_components(&comps),
                req.nodes.join(", ")
            )
        };
    }
    if selected.is_empty() {
        return Err(Refusal::NoPodsMatch { selection });
    }
    // Order: master, then workers from the highest ordinal, then clients.
    selected.sort_by_key(|p| {
        let c = crate::model::pod::component_of(p).unwrap_or(Component::Worker);
        let n = pod_name(p).to_string();
        (c, std::cmp::Reverse(observe::ordinal(&n).unwrap_or(-1)), n)
    });
    let clients: Vec<String> = selected
        .iter()
        .filter(|p| crate::model::pod::component_of(p) == Some(Component::Client))
        .map(|p| pod_name(p).to_string())
        .collect();
    if !clients.is_empty() && !req.client_confirmed {
        return Err(Refusal::ClientNotConfirmed { pods: clients });
    }
    let master_rebuilt = selected
        .iter()
        .any(|p| crate::model::pod::component_of(p) == Some(Component::Master));
    check_serving(store, rt, master_rebuilt)?;
    if req.reload_data
        && let Err(reason) = operation_supported(OpKind::DataLoad, class)
    {
        return Err(Refusal::RewarmUnsupported { reason });
    }

    let settings = Settings::of(Some(&req.strategy));
    let mut warnings = Vec::new();
    if settings.use_partition {
        warnings.push("usePartition applies to upgrades only; a rebuild ignores it".into());
    }
    if settings.rollback_on_failure {
        warnings.push(
            "rollbackOnFailure: a rebuild has no rollback (deleted pods cannot be restored); a failed step pauses the run".into(),
        );
    }
    let rt_target = format!("CacheRuntime/{}", key.name);
    let remount = remounts(store, rt);
    let mut steps = vec![step(
        "preflight".into(),
        "Preflight",
        rt_target.clone(),
        "record the affected pods (UID, node, phase) and check Dataset Bound, master Ready".into(),
    )];
    let mut changes = Vec::new();
    let mut batch: Vec<&Pod> = Vec::new();
    let mut batches: Vec<Vec<&Pod>> = Vec::new();
    for p in &selected {
        let c = crate::model::pod::component_of(p);
        let same_component = batch
            .first()
            .is_none_or(|q| crate::model::pod::component_of(q) == c);
        let limit = if c == Some(Component::Master) {
            1
        } else {
            settings.max_unavailable as usize
        };
        if !batch.is_empty() && (!same_component || batch.len() >= limit) {
            batches.push(std::mem::take(&mut batch));
        }
        batch.push(p);
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    for b in &batches {
        for p in b {
            let n = pod_name(p);
            let s = short(&key.name, n);
            let c = crate::model::pod::component_of(p).unwrap_or(Component::Worker);
            let node = node_of(p).unwrap_or("?");
            let trouble = observe::node_trouble(store, p);
            let force = req.force_delete_lost_pods && needs_force(store, p);
            if force {
                steps.push(step(
                    format!("force-delete-{s}"),
                    "ForceDeletePod",
                    format!("Pod/{n}"),
                    format!(
                        "delete {n} with grace period 0: {}",
                        trouble
                            .clone()
                            .unwrap_or_else(|| "stuck Terminating".into())
                    ),
                ));
            } else {
                steps.push(step(
                    format!("delete-{s}"),
                    "DeletePod",
                    format!("Pod/{n}"),
                    format!("delete {n} (normal grace period); its workload recreates it"),
                ));
                if needs_force(store, p) {
                    warnings.push(format!(
                        "{n}: {}; a normal delete does not complete while the node is gone — set forceDeleteLostPods if the node is really down",
                        trouble.clone().unwrap_or_else(|| "stuck Terminating".into())
                    ));
                }
            }
            let recreate = if c == Component::Client {
                format!(
                    "the client DaemonSet starts a new fuse pod on {node}; app pods on {node} lose their FUSE mount until it is back"
                )
            } else {
                format!("recreated as {n} with a new UID, possibly on another node than {node}")
            };
            changes.push(PlannedChange {
                component: c,
                object: format!("Pod/{n}"),
                change: format!(
                    "{} ({}); {recreate}",
                    if force { "force-deleted" } else { "deleted" },
                    trouble.unwrap_or_else(|| format!("on {node}, {}", observe::pod_state_line(p)))
                ),
            });
        }
        for p in b {
            let n = pod_name(p);
            let s = short(&key.name, n);
            steps.push(step(
                format!("wait-{s}"),
                "Wait",
                format!("Pod/{n}"),
                format!("wait for a new {n} (new UID) to be Running and Ready"),
            ));
        }
        if remount
            && b.iter()
                .any(|p| crate::model::pod::component_of(p) == Some(Component::Master))
        {
            steps.push(step(
                "remount-master".into(),
                "Wait",
                rt_target.clone(),
                "wait for Fluid to remount the UFS after the master restart".into(),
            ));
        }
    }
    let mut rebuild = RebuildSpec {
        reason: Some(reason.clone()),
        nodes: req.nodes.clone(),
        pods: req.pods.clone(),
        force_delete_lost_pods: Some(req.force_delete_lost_pods),
        reload_data: Some(req.reload_data),
        data_load: None,
        ..Default::default()
    };
    if req.reload_data {
        let mut dl = req.data_load.clone().unwrap_or_default();
        if dl.target.is_empty() {
            dl.target = vec![TargetPath {
                path: "/".into(),
                ..Default::default()
            }];
        }
        let paths: Vec<String> = dl.target.iter().map(|t| t.path.clone()).collect();
        let dl_name = rewarm_name(name);
        steps.push(step(
            "rewarm".into(),
            "CreateDataLoad",
            format!("DataLoad/{dl_name}"),
            format!("create DataLoad {dl_name} (Once) for {}", paths.join(", ")),
        ));
        steps.push(step(
            "wait-rewarm".into(),
            "Wait",
            format!("DataLoad/{dl_name}"),
            format!("wait for DataLoad {dl_name} to be Complete"),
        ));
        changes.push(PlannedChange {
            component: Component::Worker,
            object: format!("DataLoad/{dl_name}"),
            change: format!(
                "created to re-warm {}{}",
                paths.join(", "),
                if dl.load_metadata == Some(true) {
                    " (with metadata)"
                } else {
                    ""
                }
            ),
        });
        rebuild.data_load = Some(dl);
    }
    steps.push(step(
        "verify".into(),
        "Wait",
        rt_target,
        if req.reload_data {
            "runtime Ready, re-warm DataLoad Complete".into()
        } else {
            "runtime Ready".into()
        },
    ));

    let mut stays = vec![
        "the AdvancedStatefulSets and the client DaemonSet: only pods are deleted, never workloads (Fluid would not re-create them)".to_string(),
        "pod names: a recreated master/worker keeps its ordinal name".to_string(),
    ];
    let untouched: Vec<String> = all
        .iter()
        .filter(|p| !selected.iter().any(|s| pod_name(s) == pod_name(p)))
        .map(|p| pod_name(p).to_string())
        .collect();
    if !untouched.is_empty() {
        stays.push(format!("untouched pods: {}", untouched.join(", ")));
    }
    let mut comps: Vec<Component> = selected
        .iter()
        .filter_map(|p| crate::model::pod::component_of(p))
        .collect();
    comps.dedup();
    for &c in &comps {
        stays.extend(tier_lines(rt, c, true));
    }
    if !req.reload_data {
        stays.push(
            "the cache is not re-warmed: recreated workers start empty and fill on first reads"
                .into(),
        );
    }
    if reason == "ConfigChange" {
        for ns in not_syncable(store, key) {
            warnings.push(format!("not applied by a rebuild: {ns}"));
        }
    }
    let spec = MaintenanceSpec {
        runtime_name: key.name.clone(),
        type_: MaintenanceType::Rebuild,
        components: comps.iter().map(|c| c.as_str().to_string()).collect(),
        rebuild: Some(rebuild),
        strategy: Some(settings.to_strategy()),
        ..Default::default()
    };
    let rec = record(name, key, spec, steps, BTreeMap::new(), now);
    Ok(Plan {
        record: rec,
        summary: PlanSummary {
            changes,
            stays,
            warnings,
            max_unavailable: settings.max_unavailable,
        },
    })
}

// ------------------------------------------------------------------ suggestions

/// Latest `managedFields[].time` of an object: when its spec/metadata last changed, where the
/// server records it.
fn last_update(meta: &ObjectMeta) -> Option<Timestamp> {
    meta.managed_fields
        .as_ref()?
        .iter()
        .filter(|m| m.subresource.as_deref() != Some("status"))
        .filter_map(|m| m.time.as_ref().map(|t| t.0))
        .max()
}

/// Pods worth rebuilding (FLUID.md §5.5): a master/worker on a lost node or stuck Terminating,
/// and pods started before a config change their engine has not read.
///
/// The store has no clock: ages (Terminating for more than
/// [`observe::TERMINATING_STALE_MINUTES`]) are measured to the newest time it has observed; use
/// [`rebuild_candidates_at`] with the console's clock where there is one.
pub fn rebuild_candidates(store: &Store, runtime: &ObjectKey) -> Vec<RebuildCandidate> {
    rebuild_candidates_at(store, runtime, store_now(store))
}

/// [`rebuild_candidates`] with ages measured to `now`.
pub fn rebuild_candidates_at(
    store: &Store,
    runtime: &ObjectKey,
    now: Option<Timestamp>,
) -> Vec<RebuildCandidate> {
    let Some(rt) = store.runtime(&runtime.namespace, &runtime.name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let class = store.class_of(rt);
    let rt_changed = last_update(&rt.metadata);
    let class_changed = class.and_then(|c| {
        last_update(&c.metadata).or_else(|| crate::model::meta::created(&c.metadata))
    });
    for p in store.pods_of_runtime(&runtime.namespace, &runtime.name) {
        let Some(c) = crate::model::pod::component_of(p) else {
            continue;
        };
        let name = pod_name(p).to_string();
        let node = node_of(p).unwrap_or("").to_string();
        if c != Component::Client {
            if let Some(why) = observe::node_trouble(store, p) {
                out.push(RebuildCandidate {
                    pod: name,
                    component: c,
                    node,
                    reason: "NodeFailure".into(),
                    why,
                    lost_or_stale: true,
                });
                continue;
            }
            if let (Some(since), Some(now)) = (observe::terminating_since(p), now) {
                let mins = observe::seconds_between(since, now) / 60;
                if mins >= observe::TERMINATING_STALE_MINUTES {
                    out.push(RebuildCandidate {
                        pod: name,
                        component: c,
                        node: node.clone(),
                        reason: "NodeFailure".into(),
                        why: format!(
                            "Terminating for {mins} min on {node}: the workload will not recreate this ordinal while the object exists"
                        ),
                        lost_or_stale: true,
                    });
                    continue;
                }
            }
        }
        let started = observe::pod_start(p);
        if let (Some(changed), Some(started)) = (rt_changed, started)
            && changed > started
            && has_options(rt)
        {
            out.push(RebuildCandidate {
                pod: name,
                component: c,
                node,
                reason: "ConfigChange".into(),
                why: format!(
                    "CacheRuntime spec changed at {} after the pod started at {}: runtime.json was rewritten but the running engine keeps the config it rendered at start",
                    format_time(changed),
                    format_time(started)
                ),
                lost_or_stale: false,
            });
            continue;
        }
        let wl_created =
            observe::workload(store, &runtime.namespace, &workload_name(&runtime.name, c))
                .and_then(|w| crate::model::meta::created(&w.metadata));
        if let (Some(changed), Some(created)) = (class_changed, wl_created)
            && changed > created
        {
            out.push(RebuildCandidate {
                pod: name,
                component: c,
                node,
                reason: "ConfigChange".into(),
                why: format!(
                    "CacheRuntimeClass {} changed at {} after the workload was created at {}: a rebuild re-reads class options from runtime.json; template changes need the CacheRuntime re-created",
                    rt.spec.runtime_class_name,
                    format_time(changed),
                    format_time(created)
                ),
                lost_or_stale: false,
            });
        }
    }
    out
}

/// The most recent time the store has seen on any pod condition or event: the store has no clock
/// of its own, so "now" for ages is the newest observation.
fn store_now(store: &Store) -> Option<Timestamp> {
    store
        .pods()
        .flat_map(|p| {
            p.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|c| c.last_transition_time.as_ref().map(|t| t.0))
        })
        .max()
}

fn has_options(rt: &CacheRuntime) -> bool {
    rt.spec.extra.contains_key("options")
        || Component::ALL.into_iter().any(|c| {
            rt.component_spec(c)
                .is_some_and(|s| s.extra.contains_key("options"))
        })
}

/// Spec changes neither an upgrade nor a rebuild applies: pod-template-level fields (env, args,
/// volumes, volume mounts, nodeSelector, tolerations, tiered-store volumes, class template) that
/// differ from what the running workload was rendered with. Fluid never updates a workload
/// template after creation (FLUID.md §4.2/§4.4): the CacheRuntime must be re-created.
///
/// A field is judged only when the workload template (or, failing that, a running pod) shows it
/// was rendered: a minimal template without the field says nothing.
pub fn not_syncable(store: &Store, runtime: &ObjectKey) -> Vec<String> {
    let Some(rt) = store.runtime(&runtime.namespace, &runtime.name) else {
        return Vec::new();
    };
    let class = store.class_of(rt);
    let mut out = Vec::new();
    let recreate = "re-create the CacheRuntime to apply it (Fluid never updates a workload template after creation)";
    for c in [Component::Master, Component::Worker, Component::Client] {
        if !component_enabled(rt, class, c) {
            continue;
        }
        let wl_name = workload_name(&runtime.name, c);
        let tpl_spec = observe::workload(store, &runtime.namespace, &wl_name)
            .and_then(|w| w.spec.template.as_ref())
            .and_then(|t| t.get("spec"))
            .cloned();
        let pod_specs: Vec<serde_json::Value> =
            observe::component_pods(store, &runtime.namespace, &runtime.name, c)
                .into_iter()
                .filter_map(|p| p.spec.as_ref())
                .filter_map(|s| serde_json::to_value(s).ok())
                .collect();
        // Where a field was rendered: the template if it carries it, else a pod that does.
        let rendered = |pointer: &str| -> Option<serde_json::Value> {
            tpl_spec
                .as_ref()
                .and_then(|s| s.pointer(pointer))
                .or_else(|| pod_specs.iter().find_map(|s| s.pointer(pointer)))
                .cloned()
        };
        let spec = rt.component_spec(c);
        let field = |f: &str| spec.and_then(|s| s.extra.get(f));
        // env: every variable the runtime sets must be in container[0] with that value.
        if let (Some(want), Some(have)) = (field("env"), rendered("/containers/0/env")) {
            for v in want.as_array().into_iter().flatten() {
                let n = v.get("name").and_then(|n| n.as_str()).unwrap_or("");
                let found = have
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|h| h.get("name").and_then(|x| x.as_str()) == Some(n));
                let differs = match found {
                    None => true,
                    Some(h) => {
                        h.get("value") != v.get("value") || h.get("valueFrom") != v.get("valueFrom")
                    }
                };
                if differs {
                    let val = v
                        .get("value")
                        .and_then(|x| x.as_str())
                        .map(|s| format!("={s}"))
                        .unwrap_or_default();
                    out.push(format!(
                        "spec.{c}.env {n}{val} is not in the running {c} pods; {recreate}"
                    ));
                }
            }
        }
        if let (Some(want), Some(have)) = (field("args"), rendered("/containers/0/args"))
            && want != have
        {
            out.push(format!(
                "spec.{c}.args differ from the running {c} container args; {recreate}"
            ));
        }
        if let (Some(want), Some(have)) = (field("nodeSelector"), rendered("/nodeSelector")) {
            let wm = want.as_object().cloned().unwrap_or_default();
            let hm = have.as_object().cloned().unwrap_or_default();
            for (k, v) in &wm {
                if hm.get(k) != Some(v) {
                    out.push(format!(
                        "spec.{c}.nodeSelector {k}={} is not in the {c} pod template; {recreate}",
                        v.as_str().unwrap_or("")
                    ));
                }
            }
        }
        if let (Some(want), Some(have)) = (field("tolerations"), rendered("/tolerations")) {
            for t in want.as_array().into_iter().flatten() {
                if !have.as_array().is_some_and(|h| h.contains(t)) {
                    out.push(format!(
                        "spec.{c}.tolerations {} is not in the {c} pod template; {recreate}",
                        t
                    ));
                }
            }
        }
        if let (Some(want), Some(have)) = (
            field("volumeMounts"),
            rendered("/containers/0/volumeMounts"),
        ) {
            for m in want.as_array().into_iter().flatten() {
                let n = m.get("name").and_then(|n| n.as_str()).unwrap_or("");
                let path = m.get("mountPath").and_then(|n| n.as_str()).unwrap_or("");
                let ok = have.as_array().is_some_and(|h| {
                    h.iter().any(|x| {
                        x.get("name").and_then(|v| v.as_str()) == Some(n)
                            && x.get("mountPath").and_then(|v| v.as_str()) == Some(path)
                    })
                });
                if !ok {
                    out.push(format!(
                        "spec.{c}.volumeMounts {n} at {path} is not in the {c} container; {recreate}"
                    ));
                }
            }
        }
        if let Some(have) = rendered("/volumes") {
            let names: Vec<&str> = have
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.get("name").and_then(|n| n.as_str()))
                .collect();
            for v in rt
                .spec
                .extra
                .get("volumes")
                .as_ref()
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                let n = v.get("name").and_then(|n| n.as_str()).unwrap_or("");
                let mounted = spec
                    .and_then(|s| s.extra.get("volumeMounts"))
                    .as_ref()
                    .and_then(|m| m.as_array())
                    .is_some_and(|ms| {
                        ms.iter()
                            .any(|m| m.get("name").and_then(|x| x.as_str()) == Some(n))
                    });
                if mounted && !names.contains(&n) {
                    out.push(format!(
                        "spec.volumes {n} (mounted by {c}) is not in the {c} pod template; {recreate}"
                    ));
                }
            }
            // Tiered store: one volume per level/path, named by Fluid's mount path scheme.
            let levels = field("tieredStore")
                .and_then(|t| t.get("levels").cloned())
                .and_then(|l| l.as_array().cloned())
                .unwrap_or_default();
            let tier_vols: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| {
                    n.contains("tiered-store") || n.starts_with("level-") || n.contains("-level-")
                })
                .collect();
            if !tier_vols.is_empty() {
                let want_count: usize = levels
                    .iter()
                    .map(|l| {
                        l.get("hostPath")
                            .and_then(|h| h.get("paths"))
                            .and_then(|p| p.as_array())
                            .map(|a| a.len())
                            .unwrap_or(usize::from(l.get("emptyDir").is_some()))
                    })
                    .sum();
                if want_count != tier_vols.len() {
                    out.push(format!(
                        "spec.{c}.tieredStore has {want_count} volume(s) but the {c} pod template mounts {}; {recreate}",
                        tier_vols.len()
                    ));
                }
            }
        }
        // Class template: container[0] env/args/command of the class vs the workload template.
        if let (Some(class_tpl), Some(tpl)) = (
            class
                .and_then(|cl| cl.component(c))
                .and_then(|d| d.template.as_ref())
                .and_then(|t| t.pointer("/spec/containers/0")),
            tpl_spec.as_ref().and_then(|s| s.pointer("/containers/0")),
        ) {
            for f in ["command", "args"] {
                if let (Some(a), Some(b)) = (class_tpl.get(f), tpl.get(f))
                    && a != b
                {
                    out.push(format!(
                        "CacheRuntimeClass {} topology.{c}.template container {f} differs from the running {c} workload; {recreate}",
                        rt.spec.runtime_class_name
                    ));
                }
            }
            if let (Some(a), Some(b)) = (class_tpl.get("env"), tpl.get("env")) {
                for v in a.as_array().into_iter().flatten() {
                    if !b.as_array().is_some_and(|h| h.contains(v)) {
                        let n = v.get("name").and_then(|n| n.as_str()).unwrap_or("");
                        out.push(format!(
                            "CacheRuntimeClass {} topology.{c}.template env {n} is not in the running {c} workload; {recreate}",
                            rt.spec.runtime_class_name
                        ));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests;
