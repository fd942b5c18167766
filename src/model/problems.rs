//! What counts as something wrong: the cheap test the store keeps an index of objects with
//! (a superset of the problems, kept as objects change), and how severe each kind of problem is.

use super::object::Object;
use super::pod::CompactPod;
use super::{MaintenancePhase, OpPhase, RuntimePhase};

/// How bad a problem is; problems are listed most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Broken now: a lost node, a failed operation or run, a runtime not ready, a failing
    /// remount, a pod that cannot start.
    Critical,
    /// Degraded or stuck: a runtime partly ready, a paused run, a blocked operation, a pod not
    /// ready.
    Warning,
}

impl Severity {
    /// The theme phase a severity is drawn with.
    pub fn look(self) -> &'static str {
        match self {
            Severity::Critical => "Failed",
            Severity::Warning => "PartialReady",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::Warning => "Warning",
        }
    }
}

/// A pod merely not ready yet (Pending, starting, probes not passed) becomes a problem after
/// this long: pods starting up are not alarms. Pods that cannot start count at once.
pub const POD_GRACE_SECONDS: i64 = 30;

/// A runtime coming up for the first time is not a problem before this long.
pub const RUNTIME_GRACE_SECONDS: i64 = 120;

/// Whether something that started going wrong at `since` is still within `grace` at `now`.
pub fn within_grace(since: Option<jiff::Timestamp>, now: jiff::Timestamp, grace: i64) -> bool {
    since.is_some_and(|s| now.as_second() - s.as_second() < grace)
}

/// Pod statuses that mean the pod cannot start or keeps failing.
const BROKEN_POD_STATUSES: [&str; 8] = [
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "Error",
    "Failed",
    "OOMKilled",
];

/// The severity of a pod that is not ready, by its status.
pub fn pod_severity(status: &str) -> Severity {
    let bare = status.strip_prefix("Init:").unwrap_or(status);
    if BROKEN_POD_STATUSES.contains(&bare) {
        Severity::Critical
    } else {
        Severity::Warning
    }
}

/// Whether a pod may be a problem: not ready and not finished.
pub fn pod_suspect(pod: &CompactPod) -> bool {
    if pod.is_ready() {
        return false;
    }
    !matches!(&*pod.status_text(), "Completed" | "Succeeded")
}

/// Whether an object may be a problem (pods: see [`pod_suspect`], on their kept form).
/// Runtimes whose setup or remount fails are found from their events as well (see
/// [`super::why::failing_event`]).
pub fn suspect(obj: &Object) -> bool {
    match obj {
        Object::Runtime(rt) => super::runtime::Component::ALL.into_iter().any(|c| {
            rt.component_status(c)
                .is_some_and(|s| s.ready() < s.desired() || !matches!(s.phase, RuntimePhase::Ready))
        }),
        Object::Operation(op) => matches!(op.phase(), OpPhase::Failed | OpPhase::Pending),
        Object::Maintenance(m) => {
            matches!(
                m.phase(),
                MaintenancePhase::Paused | MaintenancePhase::Failed
            )
        }
        Object::Node(n) => !super::node::is_ready(n),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pods_are_critical_others_warnings() {
        assert_eq!(pod_severity("CrashLoopBackOff"), Severity::Critical);
        assert_eq!(pod_severity("Init:ImagePullBackOff"), Severity::Critical);
        assert_eq!(pod_severity("Pending"), Severity::Warning);
        assert_eq!(pod_severity("NodeNotReady"), Severity::Warning);
        assert!(Severity::Critical < Severity::Warning);
    }
}
