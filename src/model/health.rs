//! What the console derives itself, since upstream has no field for it (FLUID.md §5): an
//! overall runtime phase, operation flags (blocked, unsupported) and staleness of cache states.

use super::class::CacheRuntimeClass;
use super::operation::{DataOperation, OpKind, OpPhase};
use super::runtime::{CacheRuntime, Component, RuntimePhase};

/// Overall phase of a runtime, derived from its enabled components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OverallPhase {
    SettingUp,
    NotReady,
    PartialReady,
    Ready,
}

impl OverallPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            OverallPhase::SettingUp => "SettingUp",
            OverallPhase::NotReady => "NotReady",
            OverallPhase::PartialReady => "PartialReady",
            OverallPhase::Ready => "Ready",
        }
    }
}

/// Whether a component takes part in the runtime: the class declares it and the runtime does not
/// disable it. Without the class, a component counts if the runtime reports a status for it.
pub fn component_enabled(
    rt: &CacheRuntime,
    class: Option<&CacheRuntimeClass>,
    c: Component,
) -> bool {
    if rt.disabled(c) {
        return false;
    }
    match class {
        Some(class) => class.has_component(c),
        None => rt.component_status(c).is_some(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedPhase {
    pub phase: OverallPhase,
    /// The client alone is degraded (upstream ignores it for readiness).
    pub client_warning: bool,
}

/// FLUID.md §5.1.
pub fn overall_phase(rt: &CacheRuntime, class: Option<&CacheRuntimeClass>) -> DerivedPhase {
    let enabled: Vec<Component> = Component::ALL
        .into_iter()
        .filter(|&c| component_enabled(rt, class, c))
        .collect();
    let phase_of = |c| rt.component_phase(c);
    if enabled.is_empty() || enabled.iter().any(|&c| phase_of(c) == RuntimePhase::None) {
        return DerivedPhase {
            phase: OverallPhase::SettingUp,
            client_warning: false,
        };
    }
    let not_ready = |c| enabled.contains(&c) && phase_of(c) == RuntimePhase::NotReady;
    if not_ready(Component::Master) || not_ready(Component::Worker) {
        return DerivedPhase {
            phase: OverallPhase::NotReady,
            client_warning: false,
        };
    }
    let core_ready = enabled
        .iter()
        .filter(|&&c| c != Component::Client)
        .all(|&c| phase_of(c) == RuntimePhase::Ready);
    let client_degraded = enabled.contains(&Component::Client)
        && phase_of(Component::Client) != RuntimePhase::Ready
        && !rt.component_idle(Component::Client);
    if core_ready {
        DerivedPhase {
            phase: OverallPhase::Ready,
            client_warning: client_degraded,
        }
    } else {
        DerivedPhase {
            phase: OverallPhase::PartialReady,
            client_warning: false,
        }
    }
}

/// Fluid's event reason when a pass over a runtime fails (setup, or a remount after the master
/// restarted: FLUID.md [obs]).
pub const ERROR_PROCESS_RUNTIME: &str = "ErrorProcessRuntime";

/// How long after its last `ErrorProcessRuntime` a runtime still counts as failing: Fluid
/// repeats the event every few seconds while it keeps failing.
pub const FAILING_FRESH_SECS: i64 = 300;

/// Why Fluid is failing to process the runtime now: the message of its newest
/// `ErrorProcessRuntime` warning, if that came after the last mount (`status.mountTime`) and
/// within [`FAILING_FRESH_SECS`] of `now`. While a remount fails Fluid leaves the runtime's
/// status as it was (Ready), so this is the only sign. A failed pass followed by a mount is
/// over (setup often fails once before the first mount).
pub fn failing_reason<'a>(
    rt: &CacheRuntime,
    events: impl IntoIterator<Item = &'a k8s_openapi::api::core::v1::Event>,
    now: jiff::Timestamp,
) -> Option<String> {
    let mounted = rt
        .status
        .as_ref()
        .and_then(|s| s.mount_time.as_deref())
        .and_then(super::meta::parse_time);
    let when = |e: &k8s_openapi::api::core::v1::Event| {
        e.last_timestamp
            .as_ref()
            .or(e.first_timestamp.as_ref())
            .map(|t| t.0)
            .or_else(|| e.event_time.as_ref().map(|t| t.0))
    };
    let newest = events
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some(ERROR_PROCESS_RUNTIME))
        .filter_map(|e| Some((when(e)?, e)))
        .max_by_key(|(t, _)| *t)?;
    let (at, e) = newest;
    let after_mount = mounted.is_none_or(|m| at > m);
    let fresh = now.duration_since(at).as_secs() < FAILING_FRESH_SECS;
    (after_mount && fresh).then(|| {
        e.message
            .clone()
            .unwrap_or_else(|| ERROR_PROCESS_RUNTIME.to_string())
    })
}

/// Why an operation cannot make progress, as the console flags it (FLUID.md §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationFlag {
    /// Pending behind a `runAfter` predecessor that failed: it will never start.
    Blocked { predecessor: String },
    /// The cache engine does not support this kind (DataMigrate, DataBackup), or the class does
    /// not declare it in `dataOperationSpecs`.
    Unsupported { reason: String },
    /// The class has no master but the runtime does not set `spec.master.disabled`: operations
    /// stay Pending forever.
    MasterNotDisabled,
}

impl OperationFlag {
    pub fn label(&self) -> &'static str {
        match self {
            OperationFlag::Blocked { .. } => "Blocked",
            OperationFlag::Unsupported { .. } => "Unsupported",
            OperationFlag::MasterNotDisabled => "Blocked",
        }
    }
    pub fn message(&self) -> String {
        match self {
            OperationFlag::Blocked { predecessor } => {
                format!("waits for {predecessor}, which failed: it will stay Pending")
            }
            OperationFlag::Unsupported { reason } => reason.clone(),
            OperationFlag::MasterNotDisabled => {
                "class has no master but spec.master.disabled is not true: operations stay Pending"
                    .into()
            }
        }
    }
}

/// Whether `kind` can run on a runtime of this class; `Err` says why not.
pub fn operation_supported(kind: OpKind, class: Option<&CacheRuntimeClass>) -> Result<(), String> {
    if !kind.supported_on_cache_runtime() {
        return Err(format!(
            "{kind} is not supported on a CacheRuntime (it fails as NotSupported)"
        ));
    }
    if kind.needs_class_entry() {
        match class {
            Some(c) if !c.declares(kind.as_str()) => {
                let name = c.metadata.name.as_deref().unwrap_or("");
                return Err(format!(
                    "class {name} declares no {kind} in dataOperationSpecs"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Flags for one operation. `predecessor_phase` is the phase of its `runAfter` target, if known.
pub fn operation_flag(
    op: &DataOperation,
    runtime: Option<&CacheRuntime>,
    class: Option<&CacheRuntimeClass>,
    predecessor_phase: Option<&OpPhase>,
) -> Option<OperationFlag> {
    let phase = op.phase();
    if phase == OpPhase::Pending
        && op.waiting_for_predecessor()
        && predecessor_phase == Some(&OpPhase::Failed)
        && let Some(ra) = op.spec.run_after.as_ref()
    {
        return Some(OperationFlag::Blocked {
            predecessor: format!("{}/{}", ra.kind, ra.name),
        });
    }
    if runtime.is_some()
        && phase != OpPhase::Complete
        && let Err(reason) = operation_supported(op.op_kind(), class)
    {
        return Some(OperationFlag::Unsupported { reason });
    }
    if let (Some(rt), Some(class)) = (runtime, class)
        && !phase.is_terminal()
        && !class.has_component(Component::Master)
        && !rt.disabled(Component::Master)
    {
        return Some(OperationFlag::MasterNotDisabled);
    }
    None
}

/// Pod statuses (kubectl's STATUS column and the console's own) that are drawn with a phase of
/// the same name.
const POD_PHASE_STATUSES: &[&str] = &[
    "Pending",
    "Running",
    "Succeeded",
    "Failed",
    "Unknown",
    "Terminating",
    "CrashLoopBackOff",
    "NotReady",
];

/// The phase (a theme `[phase]` name) a status text is drawn with, for the statuses that are not
/// phases themselves: a pod's status as kubectl shows it (container reasons, `Init:…`,
/// `Signal:…`, `ExitCode:…`, the pod's own reason), container states, and the console's marks
/// for pods on lost nodes. `None` for a text the console does not know.
pub fn status_look(status: &str) -> Option<&'static str> {
    if let Some(init) = status.strip_prefix("Init:") {
        // `Init:1/3` is progress; `Init:Error`, `Init:CrashLoopBackOff`… as without the prefix.
        if init
            .split_once('/')
            .is_some_and(|(a, b)| a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok())
        {
            return Some("SettingUp");
        }
        return status_look(init);
    }
    if let Some(p) = POD_PHASE_STATUSES.iter().find(|p| **p == status) {
        return Some(p);
    }
    let code = |prefix: &str| {
        status
            .strip_prefix(prefix)
            .is_some_and(|n| n.parse::<i64>().is_ok())
    };
    if code("Signal:") || code("ExitCode:") {
        return Some("Failed");
    }
    Some(match status {
        "ContainerCreating" | "PodInitializing" | "Waiting" => "SettingUp",
        "SchedulingGated" => "Pending",
        "Completed" => "Succeeded",
        "ImagePullBackOff"
        | "ErrImagePull"
        | "ErrImageNeverPull"
        | "InvalidImageName"
        | "RegistryUnavailable" => "CrashLoopBackOff",
        "Error"
        | "OOMKilled"
        | "ContainerCannotRun"
        | "CreateContainerError"
        | "CreateContainerConfigError"
        | "RunContainerError"
        | "StartError"
        | "PreStartHookError"
        | "PostStartHookError"
        | "DeadlineExceeded"
        | "Evicted"
        | "Terminated"
        | "UnexpectedAdmissionError"
        | "NodeAffinity"
        | "NodeShutdown"
        | "Shutdown"
        | "OutOfcpu"
        | "OutOfmemory"
        | "OutOfpods"
        | "OutOfephemeral-storage" => "Failed",
        "NodeLost" | "NodeNotReady" => "NotReady",
        "ContainerStatusUnknown" => "Unknown",
        _ => return None,
    })
}

/// Statuses the console can show for a pod, container or node mark: every fixed text
/// [`status_look`] knows, and an example of each pattern (`Init:1/3`, `Signal:9`).
pub const KNOWN_STATUSES: &[&str] = &[
    "Pending",
    "Running",
    "Succeeded",
    "Failed",
    "Unknown",
    "Terminating",
    "CrashLoopBackOff",
    "NotReady",
    "ContainerCreating",
    "PodInitializing",
    "Waiting",
    "SchedulingGated",
    "Completed",
    "ImagePullBackOff",
    "ErrImagePull",
    "ErrImageNeverPull",
    "InvalidImageName",
    "RegistryUnavailable",
    "Error",
    "OOMKilled",
    "ContainerCannotRun",
    "CreateContainerError",
    "CreateContainerConfigError",
    "RunContainerError",
    "StartError",
    "PreStartHookError",
    "PostStartHookError",
    "DeadlineExceeded",
    "Evicted",
    "Terminated",
    "UnexpectedAdmissionError",
    "NodeAffinity",
    "NodeShutdown",
    "Shutdown",
    "OutOfcpu",
    "OutOfmemory",
    "OutOfpods",
    "OutOfephemeral-storage",
    "NodeLost",
    "NodeNotReady",
    "ContainerStatusUnknown",
    "Init:0/1",
    "Init:2/3",
    "Init:Error",
    "Init:CrashLoopBackOff",
    "Init:ImagePullBackOff",
    "Init:OOMKilled",
    "Init:Signal:9",
    "Init:ExitCode:1",
    "Signal:9",
    "ExitCode:137",
];

/// Cache states are written at bind time only; the console marks them "as of bind".
pub const CACHE_STATES_NOTE: &str = "as of bind";

#[cfg(test)]
mod upstream_tests {
    //! What upstream Fluid writes (FLUID.md [obs]) is not taken for a fault.
    use super::*;
    use crate::model::Object;
    use serde_json::json;

    fn runtime(status: serde_json::Value) -> CacheRuntime {
        serde_json::from_value(json!({
            "apiVersion": "data.fluid.io/v1alpha1", "kind": "CacheRuntime",
            "metadata": {"name": "rt", "namespace": "ns"},
            "spec": {"runtimeClassName": "c"},
            "status": status,
        }))
        .unwrap()
    }

    fn ready(n: i32) -> serde_json::Value {
        json!({"phase": "Ready", "desiredReplicas": n, "readyReplicas": n})
    }

    #[test]
    fn an_unused_client_is_idle_and_does_not_degrade_the_runtime() {
        let rt = runtime(json!({"master": ready(1), "worker": ready(1),
                                "client": {"phase": "NotReady"}}));
        assert!(rt.component_idle(Component::Client));
        assert_eq!(rt.shown_component_phase(Component::Client), "Idle");
        let d = overall_phase(&rt, None);
        assert_eq!((d.phase, d.client_warning), (OverallPhase::Ready, false));
        // A client that wants pods and has none ready is degraded.
        let rt = runtime(json!({"master": ready(1), "worker": ready(1),
            "client": {"phase": "NotReady", "desiredReplicas": 2, "readyReplicas": 0}}));
        assert!(!rt.component_idle(Component::Client));
        assert_eq!(rt.shown_component_phase(Component::Client), "NotReady");
        assert!(overall_phase(&rt, None).client_warning);
        // Only the client idles: a master with no counts is not ready.
        let rt = runtime(json!({"master": {"phase": "NotReady"}, "worker": ready(1)}));
        assert!(!rt.component_idle(Component::Master));
        assert_eq!(overall_phase(&rt, None).phase, OverallPhase::NotReady);
    }

    fn event(reason: &str, at: &str, message: &str) -> k8s_openapi::api::core::v1::Event {
        serde_json::from_value(json!({
            "metadata": {"name": format!("e-{at}"), "namespace": "ns"},
            "involvedObject": {"kind": "CacheRuntime", "name": "rt", "namespace": "ns"},
            "reason": reason, "type": "Warning", "message": message,
            "firstTimestamp": at, "lastTimestamp": at,
        }))
        .unwrap()
    }

    #[test]
    fn a_runtime_fails_while_errors_come_after_its_last_mount() {
        let rt = runtime(json!({"master": ready(1), "worker": ready(1),
                                "mountTime": "2026-12-05T07:30:15Z"}));
        let now: jiff::Timestamp = "2026-12-05T07:37:36Z".parse().unwrap();
        let failing = [event(
            ERROR_PROCESS_RUNTIME,
            "2026-12-05T07:37:20Z",
            "mount point /minio is not yet mounted",
        )];
        assert_eq!(
            failing_reason(&rt, &failing, now).as_deref(),
            Some("mount point /minio is not yet mounted")
        );
        // Before the mount (setup's first pass), another reason, or long ago: not failing.
        let before = [event(ERROR_PROCESS_RUNTIME, "2026-12-05T07:28:19Z", "x")];
        assert_eq!(failing_reason(&rt, &before, now), None);
        let other = [event("Other", "2026-12-05T07:37:20Z", "x")];
        assert_eq!(failing_reason(&rt, &other, now), None);
        let later: jiff::Timestamp = "2026-12-05T08:37:36Z".parse().unwrap();
        assert_eq!(failing_reason(&rt, &failing, later), None);
    }

    #[test]
    fn a_finished_operation_fluid_left_unfinished_shows_no_duration() {
        let op = |phase: &str, duration: &str| {
            let v = json!({"apiVersion": "data.fluid.io/v1alpha1", "kind": "DataMigrate",
                "metadata": {"name": "m", "namespace": "ns"}, "spec": {},
                "status": {"phase": phase, "duration": duration}});
            match Object::from_value(v).unwrap().unwrap() {
                Object::Operation(op) => op,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(op("Failed", "Unfinished").shown_duration(), "");
        assert_eq!(op("Executing", "Unfinished").shown_duration(), "Unfinished");
        assert_eq!(op("Complete", "2s").shown_duration(), "2s");
    }

    #[test]
    fn conditions_the_dataset_phase_superseded_are_stale() {
        let ds = |phase: &str| -> crate::model::Dataset {
            serde_json::from_value(json!({"apiVersion": "data.fluid.io/v1alpha1",
                "kind": "Dataset", "metadata": {"name": "d", "namespace": "ns"},
                "spec": {}, "status": {"phase": phase}}))
            .unwrap()
        };
        let cond = |t: &str, st: &str| -> crate::model::meta::Condition {
            serde_json::from_value(json!({"type": t, "status": st})).unwrap()
        };
        let bound = ds("Bound");
        assert!(bound.condition_stale(&cond("Ready", "False")));
        assert!(bound.condition_stale(&cond("Updating", "True")));
        assert!(bound.condition_stale(&cond("NotReady", "True")));
        assert!(!bound.condition_stale(&cond("Ready", "True")));
        assert!(!bound.condition_stale(&cond("Custom", "False")));
        let updating = ds("Updating");
        assert!(updating.condition_stale(&cond("Ready", "True")));
        assert!(!updating.condition_stale(&cond("Updating", "True")));
        assert!(!ds("NotBound").condition_stale(&cond("Ready", "False")));
    }
}
