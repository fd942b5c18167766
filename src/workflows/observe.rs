//! Facts the workflows read from the store: whether a pod runs the target image (and whether it
//! was updated in place or recreated), whether a workload has rolled, whether the master was
//! remounted after a restart, a DataLoad's phase, pods on lost nodes, runtime health.
//!
//! Everything here is a pure function of the store (and a time where ages matter).

use jiff::Timestamp;

use crate::cluster::Store;
use crate::model::health::{OverallPhase, overall_phase};
use crate::model::meta::parse_time;
use crate::model::pod::{self, component_of, condition_true, is_ready, node_of};
use crate::model::{
    AdvancedStatefulSet, CacheRuntime, Component, DataOperation, Dataset, DatasetPhase, Kind,
    Object, ObjectKey, OpKind, OpPhase, Pod,
};

/// Container waiting reasons that mean the pod will not come up by itself.
pub const BAD_WAITING_REASONS: [&str; 5] = [
    "ErrImagePull",
    "ImagePullBackOff",
    "CrashLoopBackOff",
    "CreateContainerConfigError",
    "InvalidImageName",
];

/// Seconds a bad waiting reason must last before a step fails early (before its timeout).
pub const BAD_REASON_GRACE_SECONDS: i64 = 60;

/// Minutes a pod may stay Terminating before it is suggested for a rebuild.
pub const TERMINATING_STALE_MINUTES: i64 = 5;

/// Name of the AdvancedStatefulSet (or DaemonSet) of a component: `<rt>-<c>`.
pub fn workload_name(runtime: &str, c: Component) -> String {
    format!("{runtime}-{}", c.as_str())
}

/// Ordinal of a StatefulSet-style pod name `<rt>-<c>-<i>`.
pub fn ordinal(pod_name: &str) -> Option<i32> {
    pod_name.rsplit_once('-')?.1.parse().ok()
}

/// The component a pod name belongs to, from the `<rt>-<c>-…` naming.
pub fn component_of_name(runtime: &str, pod_name: &str) -> Option<Component> {
    let rest = pod_name.strip_prefix(runtime)?.strip_prefix('-')?;
    let c = rest.split('-').next()?;
    Component::parse(c)
}

pub fn pod<'a>(store: &'a Store, ns: &str, name: &str) -> Option<&'a Pod> {
    match store.get(&ObjectKey::new(Kind::Pod, ns, name))? {
        Object::Pod(p) => Some(p),
        _ => None,
    }
}

pub fn workload<'a>(store: &'a Store, ns: &str, name: &str) -> Option<&'a AdvancedStatefulSet> {
    match store.get(&ObjectKey::new(Kind::AdvancedStatefulSet, ns, name))? {
        Object::Workload(w) => Some(w),
        _ => None,
    }
}

pub fn dataload<'a>(store: &'a Store, ns: &str, name: &str) -> Option<&'a DataOperation> {
    match store.get(&ObjectKey::new(Kind::Operation(OpKind::DataLoad), ns, name))? {
        Object::Operation(o) => Some(o),
        _ => None,
    }
}

/// Pods of one component of a runtime, highest ordinal first (clients by name).
pub fn component_pods<'a>(store: &'a Store, ns: &str, runtime: &str, c: Component) -> Vec<&'a Pod> {
    let mut pods: Vec<&Pod> = store
        .pods_of_runtime(ns, runtime)
        .into_iter()
        .filter(|p| component_of(p) == Some(c))
        .collect();
    pods.sort_by_key(|p| {
        let name = p.metadata.name.clone().unwrap_or_default();
        (std::cmp::Reverse(ordinal(&name).unwrap_or(-1)), name)
    });
    pods
}

pub fn name(p: &Pod) -> &str {
    p.metadata.name.as_deref().unwrap_or("")
}

pub fn uid(p: &Pod) -> &str {
    p.metadata.uid.as_deref().unwrap_or("")
}

/// Image of container[0] in the pod spec.
pub fn spec_image(p: &Pod) -> Option<&str> {
    p.spec.as_ref()?.containers.first()?.image.as_deref()
}

/// Image of containerStatuses[0] (what the kubelet runs).
pub fn status_image(p: &Pod) -> Option<&str> {
    p.status
        .as_ref()?
        .container_statuses
        .as_ref()?
        .first()
        .map(|c| c.image.as_str())
        .filter(|s| !s.is_empty())
}

/// `restartCount` of container[0].
pub fn restart_count(p: &Pod) -> i32 {
    p.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|c| c.first())
        .map(|c| c.restart_count)
        .unwrap_or(0)
}

/// When container[0] last started, if running.
pub fn started_at(p: &Pod) -> Option<Timestamp> {
    let c = p.status.as_ref()?.container_statuses.as_ref()?.first()?;
    Some(c.state.as_ref()?.running.as_ref()?.started_at.as_ref()?.0)
}

/// When the pod started at all (`status.startTime`), else its container start.
pub fn pod_start(p: &Pod) -> Option<Timestamp> {
    p.status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .map(|t| t.0)
        .or_else(|| started_at(p))
}

/// Status of a pod condition: Some(true/false) when present.
pub fn condition(p: &Pod, type_: &str) -> Option<bool> {
    p.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| c.status == "True")
}

/// Since when a pod's Ready condition has been False (its last transition), if it is False.
pub fn not_ready_since(p: &Pod) -> Option<Timestamp> {
    let c = p
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")?;
    (c.status != "True").then(|| c.last_transition_time.as_ref().map(|t| t.0))?
}

/// Waiting reason and message of container[0], if it is waiting.
pub fn waiting(p: &Pod) -> Option<(String, String)> {
    let c = p.status.as_ref()?.container_statuses.as_ref()?.first()?;
    let w = c.state.as_ref()?.waiting.as_ref()?;
    Some((
        w.reason.clone().unwrap_or_default(),
        w.message.clone().unwrap_or_default(),
    ))
}

/// A waiting reason that will not clear by itself (image pull errors, crash loops).
pub fn bad_waiting(p: &Pod) -> Option<(String, String)> {
    waiting(p).filter(|(r, _)| BAD_WAITING_REASONS.contains(&r.as_str()))
}

pub fn is_terminating(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_some()
}

pub fn terminating_since(p: &Pod) -> Option<Timestamp> {
    p.metadata.deletion_timestamp.as_ref().map(|t| t.0)
}

/// Whether a pod's node looks lost: the pod is Terminating by taint eviction (DisruptionTarget,
/// reason NodeLost), or not Ready with a `NodeNotReady` event. Returns the evidence.
pub fn node_trouble(store: &Store, p: &Pod) -> Option<String> {
    let node = node_of(p).unwrap_or("?");
    let lost_reason = p.status.as_ref().and_then(|s| s.reason.as_deref()) == Some("NodeLost");
    if is_terminating(p) && (condition_true(p, "DisruptionTarget") || lost_reason) {
        let since = terminating_since(p)
            .map(|t| format!(" since {}", crate::model::meta::format_time(t)))
            .unwrap_or_default();
        return Some(format!(
            "Terminating{since} on node {node}, which stopped reporting (evicted by the taint manager)"
        ));
    }
    if lost_reason {
        return Some(format!("node {node} is lost (pod reason NodeLost)"));
    }
    if is_ready(p) {
        return None;
    }
    let key = ObjectKey::new(
        Kind::Pod,
        p.metadata.namespace.clone().unwrap_or_default(),
        name(p),
    );
    let since = not_ready_since(p);
    let node_event = store.events_for(&key).into_iter().rev().find(|e| {
        e.reason.as_deref() == Some("NodeNotReady")
            && match (
                since,
                e.last_timestamp.as_ref().or(e.first_timestamp.as_ref()),
            ) {
                (Some(s), Some(t)) => t.0 >= s,
                _ => true,
            }
    });
    node_event.map(|_| format!("not Ready: node {node} is NotReady (event NodeNotReady)"))
}

/// What a pod shows about itself in one line: `Ready True`, or `Ready False (ImagePullBackOff:
/// …)`, `Terminating`, `Pending`.
pub fn pod_state_line(p: &Pod) -> String {
    let mut s = format!("Ready {}", if is_ready(p) { "True" } else { "False" });
    if is_terminating(p) {
        s.push_str(", Terminating");
    }
    if let Some((reason, msg)) = waiting(p) {
        if msg.is_empty() {
            s.push_str(&format!(" ({reason})"));
        } else {
            s.push_str(&format!(" ({reason}: {msg})"));
        }
    } else if !is_ready(p) {
        s.push_str(&format!(" ({})", pod::display_status(p)));
    }
    s
}

/// A pod runs `image`: container[0] spec and status images equal it, InPlaceUpdateReady is True
/// when present, and the pod is Ready. `Err` says what is still missing.
pub fn pod_on_image(p: &Pod, image: &str) -> Result<(), String> {
    let spec = spec_image(p).unwrap_or("");
    let status = status_image(p).unwrap_or("");
    let mut missing = Vec::new();
    if spec != image {
        missing.push(format!("container image still {spec}"));
    } else if status != image {
        missing.push(format!("running image still {status}"));
    }
    if condition(p, "InPlaceUpdateReady") == Some(false) {
        missing.push("InPlaceUpdateReady False".to_string());
    }
    if is_terminating(p) {
        missing.push("Terminating".into());
    }
    if !is_ready(p) || !missing.is_empty() {
        missing.push(pod_state_line(p));
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join(", "))
    }
}

/// The partition of an AdvancedStatefulSet's rolling update (0 when unset).
pub fn partition(w: &AdvancedStatefulSet) -> i64 {
    w.spec
        .update_strategy
        .as_ref()
        .and_then(|u| u.pointer("/rollingUpdate/partition"))
        .and_then(|p| p.as_i64())
        .unwrap_or(0)
}

/// A workload has rolled to `image`: template image, observed generation, every replica updated
/// and ready, current revision = update revision. `Err` says what is missing.
pub fn workload_rolled(w: &AdvancedStatefulSet, image: &str) -> Result<(), String> {
    let tpl = w.engine_image().unwrap_or("");
    if tpl != image {
        return Err(format!("template image still {tpl}"));
    }
    let Some(st) = w.status.as_ref() else {
        return Err("no status yet".into());
    };
    let generation = w.metadata.generation.unwrap_or(0);
    if st.observed_generation.unwrap_or(0) < generation {
        return Err(format!(
            "observedGeneration {} < generation {generation}",
            st.observed_generation.unwrap_or(0)
        ));
    }
    let replicas = w.spec.replicas.unwrap_or(st.replicas);
    let updated = st.updated_replicas.unwrap_or(0);
    let updated_ready = st.updated_ready_replicas.unwrap_or(0);
    if updated != replicas || updated_ready != replicas {
        return Err(format!(
            "updatedReplicas {updated}, updatedReadyReplicas {updated_ready} of {replicas}"
        ));
    }
    if st.current_revision != st.update_revision {
        return Err("currentRevision != updateRevision".into());
    }
    Ok(())
}

/// The master was remounted after its container (re)started: `status.mountTime` at or after the
/// master container's `startedAt`, and the Dataset `Bound`. Returns the facts, or what is missing.
pub fn remounted(store: &Store, ns: &str, runtime: &str) -> Result<Vec<(String, String)>, String> {
    let rt = store
        .runtime(ns, runtime)
        .ok_or_else(|| format!("CacheRuntime {ns}/{runtime} not found"))?;
    let master = pod(store, ns, &format!("{runtime}-master-0"))
        .ok_or_else(|| format!("pod {runtime}-master-0 not found"))?;
    let started = started_at(master).ok_or("master container not running")?;
    let mount_time = rt
        .status
        .as_ref()
        .and_then(|s| s.mount_time.as_deref())
        .and_then(parse_time);
    let phase = store
        .dataset(ns, runtime)
        .map(Dataset::phase)
        .unwrap_or_default();
    let fmt = crate::model::meta::format_time;
    match mount_time {
        Some(m) if m >= started && phase == DatasetPhase::Bound => Ok(vec![
            ("master.startedAt".into(), fmt(started)),
            ("status.mountTime".into(), fmt(m)),
            ("dataset.phase".into(), phase.to_string()),
        ]),
        Some(m) if m >= started => Err(format!(
            "Dataset phase {}, not Bound yet",
            phase_label(&phase)
        )),
        Some(m) => Err(format!(
            "status.mountTime {} is before the master container start {} (Fluid remounts once the master is Ready); Dataset {}",
            fmt(m),
            fmt(started),
            phase_label(&phase)
        )),
        None => Err("status.mountTime not set".into()),
    }
}

fn phase_label(p: &DatasetPhase) -> &str {
    match p {
        DatasetPhase::None => "None",
        other => other.as_str(),
    }
}

/// Phase of a DataLoad and, when Failed, the message of its failing condition.
pub fn dataload_phase(store: &Store, ns: &str, name: &str) -> Option<(OpPhase, Option<String>)> {
    let op = dataload(store, ns, name)?;
    let msg = op.failing_condition().map(|c| {
        let reason = c.reason.clone().unwrap_or_default();
        let message = c.message.clone().unwrap_or_default();
        match (reason.is_empty(), message.is_empty()) {
            (false, false) => format!("{reason}: {message}"),
            (false, true) => reason,
            _ => message,
        }
    });
    Some((op.phase(), msg))
}

/// Overall phase of a runtime (FLUID.md §5.1).
pub fn runtime_phase(store: &Store, rt: &CacheRuntime) -> OverallPhase {
    overall_phase(rt, store.class_of(rt)).phase
}

/// The runtime is healthy apart from `allowed` pods: every master and worker pod that should
/// exist exists and is Ready. `Err` names what is not.
pub fn healthy_except(
    store: &Store,
    ns: &str,
    runtime: &str,
    allowed: &[String],
) -> Result<(), String> {
    let Some(rt) = store.runtime(ns, runtime) else {
        return Err(format!("CacheRuntime {ns}/{runtime} not found"));
    };
    let class = store.class_of(rt);
    let mut problems = Vec::new();
    for c in [Component::Master, Component::Worker] {
        if !crate::model::health::component_enabled(rt, class, c) {
            continue;
        }
        let pods = component_pods(store, ns, runtime, c);
        let desired = rt
            .component_spec(c)
            .and_then(|s| s.replicas)
            .or_else(|| rt.component_status(c).and_then(|s| s.desired_replicas))
            .unwrap_or(pods.len() as i32);
        for i in 0..desired.max(0) {
            let n = format!("{}-{i}", workload_name(runtime, c));
            if allowed.contains(&n) {
                continue;
            }
            match pods.iter().find(|p| name(p) == n) {
                None => problems.push(format!("pod {n} missing")),
                Some(p) if !is_ready(p) || is_terminating(p) => {
                    problems.push(format!("pod {n} {}", pod_state_line(p)))
                }
                Some(_) => {}
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Seconds between two times (0 if `b` is before `a`).
pub fn seconds_between(a: Timestamp, b: Timestamp) -> i64 {
    (b.as_second() - a.as_second()).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_and_components_from_names() {
        assert_eq!(ordinal("imagenet-train-worker-2"), Some(2));
        assert_eq!(ordinal("imagenet-train-client-7xk2p"), None);
        assert_eq!(
            component_of_name("imagenet-train", "imagenet-train-worker-2"),
            Some(Component::Worker)
        );
        assert_eq!(
            component_of_name("imagenet-train", "imagenet-train-client-7xk2p"),
            Some(Component::Client)
        );
        assert_eq!(component_of_name("imagenet-train", "other-worker-0"), None);
    }
}
