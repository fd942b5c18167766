//! Why something is not ready, in one line: from a pod's conditions and container states
//! (the last termination included), its node, and the events about it; for a runtime, from its
//! components, its pods and its events. Pure: callers hand in what the store holds.

use k8s_openapi::api::core::v1::{ContainerState, Pod};

use super::Event;
use super::pod::{display_status, is_ready, node_of};
use super::runtime::{CacheRuntime, Component};

/// Event reasons that explain a pod that does not start or is not ready.
const POD_REASONS: [&str; 5] = [
    "FailedScheduling",
    "Unhealthy",
    "FailedMount",
    "FailedCreatePodSandBox",
    "BackOff",
];

/// Event reasons on a runtime that say its setup or its remount fails.
pub const RUNTIME_FAILURES: [&str; 2] = ["ErrorProcessRuntime", "RuntimeMountUfsFailed"];

/// Statuses of a pod that is done, not failing.
fn finished(status: &str) -> bool {
    matches!(status, "Completed" | "Succeeded")
}

/// The newest event (by last or first time) whose reason is one of `reasons`.
fn newest<'a>(events: &[&'a Event], reasons: &[&str]) -> Option<&'a Event> {
    events
        .iter()
        .filter(|e| reasons.contains(&e.reason.as_deref().unwrap_or("")))
        .max_by_key(|e| {
            e.last_timestamp
                .as_ref()
                .or(e.first_timestamp.as_ref())
                .map(|t| t.0)
        })
        .copied()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn event_line(e: &Event) -> String {
    let reason = e.reason.as_deref().unwrap_or("");
    match e.message.as_deref().map(one_line) {
        Some(m) if !m.is_empty() => format!("{reason}: {m}"),
        _ => reason.to_string(),
    }
}

/// A terminated state as `exit 137 (OOMKilled)`.
fn termination(state: &ContainerState) -> Option<String> {
    let t = state.terminated.as_ref()?;
    Some(match t.reason.as_deref() {
        Some(r) if !r.is_empty() => format!("exit {} ({r})", t.exit_code),
        _ => format!("exit {}", t.exit_code),
    })
}

/// Why a pod is not ready, or `None` when it is ready or has finished. `node_lost` says its
/// node stopped reporting (a lost node explains everything on it); `events` are the pod's.
pub fn pod(pod: &Pod, events: &[&Event], node_lost: bool) -> Option<String> {
    let status = display_status(pod);
    if (is_ready(pod) && status == "Running") || finished(&status) {
        return None;
    }
    let node = node_of(pod).unwrap_or("-");
    if node_lost || newest(events, &["NodeNotReady"]).is_some() && !is_ready(pod) {
        return Some(if pod.metadata.deletion_timestamp.is_some() {
            format!("node {node} lost: stuck Terminating until it comes back")
        } else {
            format!("node {node} lost (NodeNotReady)")
        });
    }
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or_default();
    for c in statuses {
        let waiting = c.state.as_ref().and_then(|s| s.waiting.as_ref());
        if let Some(reason) = waiting.and_then(|w| w.reason.as_deref()) {
            let last = c.last_state.as_ref().and_then(termination);
            let detail = match (reason, last, waiting.and_then(|w| w.message.as_deref())) {
                ("CrashLoopBackOff", Some(last), _) => format!("last {last}"),
                (_, _, Some(m)) => one_line(m),
                (_, Some(last), None) => format!("last {last}"),
                _ => String::new(),
            };
            return Some(if detail.is_empty() {
                format!("{}: {reason}", c.name)
            } else {
                format!("{}: {reason}, {detail}", c.name)
            });
        }
        if let Some(t) = c.state.as_ref().and_then(termination) {
            return Some(format!("{}: terminated, {t}", c.name));
        }
    }
    let conditions = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    let unscheduled = conditions
        .iter()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False");
    if let Some(c) = unscheduled {
        if let Some(e) = newest(events, &["FailedScheduling"]) {
            return Some(event_line(e));
        }
        let msg = c.message.as_deref().map(one_line).unwrap_or_default();
        return Some(format!("FailedScheduling: {msg}").trim_end().to_string());
    }
    if let Some(e) = newest(events, &POD_REASONS) {
        return Some(event_line(e));
    }
    let ready = conditions.iter().find(|c| c.type_ == "Ready");
    if let Some(m) = ready
        .and_then(|c| c.message.as_deref())
        .filter(|m| !m.is_empty())
    {
        return Some(one_line(m));
    }
    let unready: Vec<&str> = statuses
        .iter()
        .filter(|c| !c.ready && c.state.as_ref().is_some_and(|s| s.running.is_some()))
        .map(|c| c.name.as_str())
        .collect();
    if !unready.is_empty() {
        return Some(format!(
            "{}: running, not ready (no probe failure reported)",
            unready.join(", ")
        ));
    }
    Some(status)
}

/// Why a component of a runtime is not ready: the first of its pods that says why, else its
/// counts. `pods` are the runtime's pods with their reasons (from [`pod`]).
pub fn component(
    rt: &CacheRuntime,
    c: Component,
    pods: &[(&Pod, Option<String>)],
) -> Option<String> {
    let s = rt.component_status(c)?;
    if s.ready() >= s.desired() && matches!(s.phase.as_str(), "Ready" | "") {
        return None;
    }
    let mine = pods
        .iter()
        .filter(|(p, _)| super::pod::component_of(p) == Some(c));
    for (p, why) in mine {
        if let Some(why) = why {
            let name = p.metadata.name.as_deref().unwrap_or("");
            return Some(format!("{name}: {why}"));
        }
    }
    (s.desired() > 0).then(|| format!("{}/{} ready", s.ready(), s.desired()))
}

/// Why a runtime is not ready or not working: a failing setup or remount (the newest of its
/// failure events, when it is the newest event at all), else the first component that says
/// why. `events` are the runtime's.
pub fn runtime(
    rt: &CacheRuntime,
    enabled: &[Component],
    pods: &[(&Pod, Option<String>)],
    events: &[&Event],
) -> Option<String> {
    if let Some(failing) = failing_event(events) {
        return Some(event_line(failing));
    }
    enabled
        .iter()
        .find_map(|c| component(rt, *c, pods).map(|why| format!("{c}: {why}")))
}

/// The runtime's newest event, when it is a Warning that its setup or remount fails.
pub fn failing_event<'a>(events: &[&'a Event]) -> Option<&'a Event> {
    let latest = events.iter().copied().max_by_key(|e| {
        e.last_timestamp
            .as_ref()
            .or(e.first_timestamp.as_ref())
            .map(|t| t.0)
    })?;
    (latest.type_.as_deref() == Some("Warning")
        && RUNTIME_FAILURES.contains(&latest.reason.as_deref().unwrap_or("")))
    .then_some(latest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        ContainerStateTerminated, ContainerStateWaiting, ContainerStatus, ObjectReference,
        PodCondition, PodStatus,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn pod_with(status: PodStatus) -> Pod {
        let mut p = Pod::default();
        p.metadata.name = Some("rt-worker-0".into());
        p.spec = Some(k8s_openapi::api::core::v1::PodSpec {
            node_name: Some("cache-node-02".into()),
            ..Default::default()
        });
        p.status = Some(status);
        p
    }

    fn cond(type_: &str, status: &str, message: Option<&str>) -> PodCondition {
        PodCondition {
            type_: type_.into(),
            status: status.into(),
            message: message.map(str::to_string),
            ..Default::default()
        }
    }

    fn event(reason: &str, message: &str, secs: i64) -> Event {
        Event {
            reason: Some(reason.into()),
            message: Some(message.into()),
            type_: Some("Warning".into()),
            last_timestamp: Some(Time(jiff::Timestamp::from_second(secs).unwrap())),
            involved_object: ObjectReference::default(),
            ..Default::default()
        }
    }

    fn waiting(reason: &str, message: Option<&str>, last: Option<(i32, &str)>) -> ContainerStatus {
        ContainerStatus {
            name: "engine".into(),
            state: Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some(reason.into()),
                    message: message.map(str::to_string),
                }),
                ..Default::default()
            }),
            last_state: last.map(|(code, r)| ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: code,
                    reason: Some(r.into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn a_ready_running_pod_has_no_reason() {
        let p = pod_with(PodStatus {
            phase: Some("Running".into()),
            conditions: Some(vec![cond("Ready", "True", None)]),
            ..Default::default()
        });
        assert_eq!(pod(&p, &[], false), None);
    }

    #[test]
    fn a_completed_job_pod_has_no_reason() {
        let p = pod_with(PodStatus {
            phase: Some("Succeeded".into()),
            ..Default::default()
        });
        assert_eq!(pod(&p, &[], false), None);
    }

    #[test]
    fn pending_unscheduled_pod_says_the_scheduler_reason() {
        let p = pod_with(PodStatus {
            phase: Some("Pending".into()),
            conditions: Some(vec![cond(
                "PodScheduled",
                "False",
                Some("0/3 nodes are available: 3 Insufficient memory."),
            )]),
            ..Default::default()
        });
        assert_eq!(
            pod(&p, &[], false).unwrap(),
            "FailedScheduling: 0/3 nodes are available: 3 Insufficient memory."
        );
        let e = event("FailedScheduling", "0/2 nodes:\n  node(s) had taint", 10);
        assert_eq!(
            pod(&p, &[&e], false).unwrap(),
            "FailedScheduling: 0/2 nodes: node(s) had taint"
        );
    }

    #[test]
    fn image_pull_back_off_names_container_and_message() {
        let p = pod_with(PodStatus {
            phase: Some("Pending".into()),
            container_statuses: Some(vec![waiting(
                "ImagePullBackOff",
                Some("Back-off pulling image \"curvine:does-not-exist\""),
                None,
            )]),
            ..Default::default()
        });
        assert_eq!(
            pod(&p, &[], false).unwrap(),
            "engine: ImagePullBackOff, Back-off pulling image \"curvine:does-not-exist\""
        );
    }

    #[test]
    fn crash_loop_tells_the_last_termination() {
        let p = pod_with(PodStatus {
            phase: Some("Running".into()),
            container_statuses: Some(vec![waiting(
                "CrashLoopBackOff",
                Some("back-off 40s restarting failed container"),
                Some((137, "OOMKilled")),
            )]),
            ..Default::default()
        });
        assert_eq!(
            pod(&p, &[], false).unwrap(),
            "engine: CrashLoopBackOff, last exit 137 (OOMKilled)"
        );
    }

    #[test]
    fn a_lost_node_explains_before_anything_else() {
        let mut p = pod_with(PodStatus {
            phase: Some("Running".into()),
            conditions: Some(vec![cond("Ready", "False", None)]),
            ..Default::default()
        });
        assert_eq!(
            pod(&p, &[], true).unwrap(),
            "node cache-node-02 lost (NodeNotReady)"
        );
        let e = event("NodeNotReady", "Node is not ready", 5);
        assert_eq!(
            pod(&p, &[&e], false).unwrap(),
            "node cache-node-02 lost (NodeNotReady)"
        );
        p.metadata.deletion_timestamp = Some(Time(jiff::Timestamp::from_second(9).unwrap()));
        assert!(pod(&p, &[], true).unwrap().contains("stuck Terminating"));
    }

    #[test]
    fn probe_failures_come_from_the_newest_unhealthy_event() {
        let p = pod_with(PodStatus {
            phase: Some("Running".into()),
            conditions: Some(vec![cond("Ready", "False", None)]),
            ..Default::default()
        });
        let old = event("Unhealthy", "Readiness probe failed: old", 1);
        let new = event("Unhealthy", "Readiness probe failed: connection refused", 2);
        assert_eq!(
            pod(&p, &[&new, &old], false).unwrap(),
            "Unhealthy: Readiness probe failed: connection refused"
        );
    }

    #[test]
    fn falls_back_to_the_ready_message_then_the_status() {
        let p = pod_with(PodStatus {
            phase: Some("Running".into()),
            conditions: Some(vec![cond(
                "Ready",
                "False",
                Some("containers with unready status: [engine]"),
            )]),
            ..Default::default()
        });
        assert_eq!(
            pod(&p, &[], false).unwrap(),
            "containers with unready status: [engine]"
        );
        let running = pod_with(PodStatus {
            phase: Some("Running".into()),
            container_statuses: Some(vec![ContainerStatus {
                name: "engine".into(),
                ready: false,
                state: Some(ContainerState {
                    running: Some(Default::default()),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        });
        assert_eq!(
            pod(&running, &[], false).unwrap(),
            "engine: running, not ready (no probe failure reported)"
        );
        let bare = pod_with(PodStatus {
            phase: Some("Pending".into()),
            ..Default::default()
        });
        assert_eq!(pod(&bare, &[], false).unwrap(), "Pending");
    }

    #[test]
    fn a_failing_remount_is_the_runtime_reason_while_it_is_the_newest_event() {
        let rt = CacheRuntime::default();
        let fail = event(
            "ErrorProcessRuntime",
            "Failed to sync the ddc due to mount point /minio is not yet mounted",
            20,
        );
        assert_eq!(
            runtime(&rt, &[], &[], &[&fail]).unwrap(),
            "ErrorProcessRuntime: Failed to sync the ddc due to mount point /minio is not yet mounted"
        );
        let mut fine = event("Mounted", "ok", 30);
        fine.type_ = Some("Normal".into());
        assert_eq!(runtime(&rt, &[], &[], &[&fail, &fine]), None);
    }
}
