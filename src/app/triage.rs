//! Where to look first: the problems of the cluster now, most severe first; why a pod or a
//! runtime is not ready, with what the store holds about it; and which cache pods each node
//! runs. Pure functions of the store (the reasoning itself is in [`crate::model::why`]).

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use crate::cluster::Store;
use crate::model::health::{component_enabled, operation_flag, overall_phase};
use crate::model::meta::{created, parse_time};
use crate::model::problems::{
    POD_GRACE_SECONDS, RUNTIME_GRACE_SECONDS, Severity, pod_severity, within_grace,
};
use crate::model::{
    CacheRuntime, Component, Event, Kind, MaintenancePhase, Object, ObjectKey, OpPhase, Pod, node,
    pod, why,
};

/// One thing wrong now.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    pub key: ObjectKey,
    /// What is wrong, in a word or two (`Failed`, `ImagePullBackOff`, `PartialReady`, `Lost`).
    pub what: String,
    /// Since when, when known.
    pub since: Option<Timestamp>,
}

/// Whether the node `name` is known and not ready (lost).
pub fn node_lost(store: &Store, name: &str) -> bool {
    match store.get(&ObjectKey::new(Kind::Node, "", name)) {
        Some(Object::Node(n)) => !node::is_ready(n),
        _ => false,
    }
}

/// Why a pod is not ready (see [`why::pod`]), or `None`.
pub fn pod_why(store: &Store, p: &Pod) -> Option<String> {
    let key = ObjectKey::new(
        Kind::Pod,
        p.metadata.namespace.clone().unwrap_or_default(),
        p.metadata.name.clone().unwrap_or_default(),
    );
    let events = store.events_for(&key);
    let lost = pod::node_of(p).is_some_and(|n| node_lost(store, n));
    why::pod(p, &events, lost)
}

/// Why a runtime is not ready, or its setup or remount fails (see [`why::runtime`]).
pub fn runtime_why(store: &Store, rt: &CacheRuntime) -> Option<String> {
    let ns = rt.metadata.namespace.as_deref().unwrap_or_default();
    let name = rt.metadata.name.as_deref().unwrap_or_default();
    let class = store.class_of(rt);
    let enabled: Vec<Component> = Component::ALL
        .into_iter()
        .filter(|c| component_enabled(rt, class, *c))
        .collect();
    let pods = store.pods_of_runtime(ns, name);
    let reasons: Vec<(&Pod, Option<String>)> =
        pods.iter().map(|p| (*p, pod_why(store, p))).collect();
    let events = store.events_for(&ObjectKey::new(Kind::CacheRuntime, ns, name));
    why::runtime(rt, &enabled, &reasons, &events)
}

/// Why a component of a runtime is not ready (see [`why::component`]).
pub fn component_why(store: &Store, rt: &CacheRuntime, c: Component) -> Option<String> {
    let ns = rt.metadata.namespace.as_deref().unwrap_or_default();
    let name = rt.metadata.name.as_deref().unwrap_or_default();
    let pods = store.pods_of_runtime(ns, name);
    let reasons: Vec<(&Pod, Option<String>)> = pods
        .iter()
        .filter(|p| pod::component_of(p) == Some(c))
        .map(|p| (*p, pod_why(store, p)))
        .collect();
    why::component(rt, c, &reasons)
}

/// Why the object of a problem is wrong, in one line (computed when shown).
pub fn problem_why(store: &Store, key: &ObjectKey) -> String {
    let text = match store.get(key) {
        Some(Object::Pod(p)) => pod_why(store, p),
        Some(Object::Runtime(rt)) => runtime_why(store, rt),
        Some(Object::Node(n)) => node::not_ready_why(n),
        Some(Object::Operation(op)) => op
            .failing_condition()
            .and_then(|c| c.message.clone().or(c.reason.clone()))
            .or_else(|| operation_problem(store, op).map(|(_, why)| why)),
        Some(Object::Maintenance(m)) => m.status.as_ref().and_then(|s| {
            let i = s.current_step? as usize;
            let step = s.steps.get(i)?;
            Some(match &step.message {
                Some(msg) => format!("{}: {msg}", step.name),
                None => step.name.clone(),
            })
        }),
        _ => None,
    };
    text.unwrap_or_else(|| "-".to_string())
}

/// A Pending operation that will never start (see [`operation_flag`]), or a failed one:
/// its one-word state and why.
fn operation_problem(store: &Store, op: &crate::model::DataOperation) -> Option<(String, String)> {
    let runtime = op
        .target_dataset()
        .and_then(|(ns, name)| store.runtime(&ns, &name));
    let class = runtime.and_then(|rt| store.class_of(rt));
    let pred = store.predecessor(op).map(|p| p.phase());
    let flag = operation_flag(op, runtime, class, pred.as_ref());
    match (op.phase(), flag) {
        (OpPhase::Failed, Some(f)) => Some((format!("Failed ({})", f.label()), f.message())),
        (OpPhase::Failed, None) => Some(("Failed".into(), "-".into())),
        (OpPhase::Pending, Some(f)) => Some((format!("Pending ({})", f.label()), f.message())),
        _ => None,
    }
}

/// The problem an object suspected by the store is at `now`, if it is one.
fn problem_of(store: &Store, key: &ObjectKey, now: Timestamp) -> Option<Problem> {
    let problem = |severity, what: &str, since| Problem {
        severity,
        key: key.clone(),
        what: what.to_string(),
        since,
    };
    if key.kind == Kind::Pod {
        let p = store.compact_pod(&key.namespace, &key.name)?;
        if !crate::model::problems::pod_suspect(p) {
            return None;
        }
        let shown = crate::app::tables::shown_pod_status(store, p);
        // Running but not ready says more as what is wrong with it.
        let status = if shown == "Running" {
            "NotReady"
        } else {
            &shown
        };
        let since = p.not_ready_since().or(p.created());
        let severity = pod_severity(status);
        if severity == Severity::Warning
            && (within_grace(since, now, POD_GRACE_SECONDS) || p.operation_release().is_some())
        {
            // A job pod of a data operation that is only slow is its operation's business.
            return None;
        }
        return Some(problem(severity, status, since));
    }
    match store.get(key)? {
        Object::Node(n) if !node::is_ready(n) => Some(problem(
            Severity::Critical,
            crate::app::strings::NODE_LOST,
            node::ready_since(n),
        )),
        Object::Operation(op) => {
            let (what, _) = operation_problem(store, op)?;
            let sev = if op.phase() == OpPhase::Failed {
                Severity::Critical
            } else {
                Severity::Warning
            };
            let since = op
                .failing_condition()
                .and_then(|c| c.last_transition_time.as_deref().and_then(parse_time))
                .or(created(&op.metadata));
            Some(problem(sev, &what, since))
        }
        Object::Maintenance(m) => {
            let phase = m.phase();
            let sev = match phase {
                MaintenancePhase::Failed => Severity::Critical,
                MaintenancePhase::Paused => Severity::Warning,
                _ => return None,
            };
            Some(problem(sev, &phase.to_string(), created(&m.metadata)))
        }
        Object::Runtime(rt) => {
            let events = store.events_for(key);
            if let Some(e) = why::failing_event(&events) {
                let at = e
                    .first_timestamp
                    .as_ref()
                    .or(e.last_timestamp.as_ref())
                    .map(|t| t.0);
                return Some(problem(
                    Severity::Critical,
                    e.reason.as_deref().unwrap_or(""),
                    at,
                ));
            }
            if within_grace(created(&rt.metadata), now, RUNTIME_GRACE_SECONDS) {
                return None;
            }
            let derived = overall_phase(rt, store.class_of(rt));
            let sev = match derived.phase.as_str() {
                "NotReady" => Severity::Critical,
                "PartialReady" => Severity::Warning,
                // A client not ready only counts when one of its pods says why (a fresh
                // client with no application pod is NotReady by design).
                "Ready"
                    if derived.client_warning
                        && component_why(store, rt, Component::Client).is_some() =>
                {
                    Severity::Warning
                }
                _ => return None,
            };
            let what = if sev == Severity::Warning && derived.phase.as_str() == "Ready" {
                crate::app::strings::CLIENT_DEGRADED
            } else {
                derived.phase.as_str()
            };
            Some(problem(sev, what, None))
        }
        _ => None,
    }
}

/// Every problem at `now`, most severe first, then by kind, namespace and name.
pub fn problems(store: &Store, now: Timestamp) -> Vec<Problem> {
    let mut out: Vec<Problem> = store
        .suspects()
        .filter_map(|k| problem_of(store, k, now))
        .collect();
    out.sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| a.key.cmp(&b.key)));
    out
}

/// What a node holds of the cache: the runtimes whose pods run there, with their components.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeRoles {
    pub pods: usize,
    /// (namespace, runtime) → components with a pod on the node.
    pub runtimes: BTreeMap<(String, String), BTreeSet<Component>>,
}

impl NodeRoles {
    /// `ns/rt worker+client, …`, or `-`.
    pub fn text(&self) -> String {
        if self.runtimes.is_empty() {
            return "-".to_string();
        }
        self.runtimes
            .iter()
            .map(|((ns, rt), comps)| {
                let c: Vec<&str> = comps.iter().map(|c| c.as_str()).collect();
                format!("{ns}/{rt} {}", c.join("+"))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Every node that runs a pod, with what it holds (one pass over the pods).
pub fn node_roles(store: &Store) -> BTreeMap<String, NodeRoles> {
    let mut out: BTreeMap<String, NodeRoles> = BTreeMap::new();
    for p in store.compact_pods() {
        let Some(n) = p.node() else {
            continue;
        };
        let roles = match out.get_mut(n) {
            Some(r) => r,
            None => out.entry(n.to_string()).or_default(),
        };
        roles.pods += 1;
        if let (Some(rt), Some(c)) = (p.runtime(), p.component()) {
            roles
                .runtimes
                .entry((p.namespace().to_string(), rt.to_string()))
                .or_default()
                .insert(c);
        }
    }
    out
}

/// Pods on node `name`, by namespace and name.
pub fn pods_on_node<'a>(store: &'a Store, name: &'a str) -> Vec<ObjectKey> {
    store
        .compact_pods()
        .filter(|p| p.node() == Some(name))
        .map(|p| p.key())
        .collect()
}

/// When an event last happened.
pub fn event_time(e: &Event) -> Option<Timestamp> {
    e.last_timestamp
        .as_ref()
        .or(e.first_timestamp.as_ref())
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| created(&e.metadata))
}
