//! The pods worth rebuilding (FLUID.md §5.5), with the reason to put in the request.

use jiff::Timestamp;

use super::sync::has_options;
use crate::cluster::Store;
use crate::model::meta::{ObjectMeta, format_time};
use crate::model::pod::node_of;
use crate::model::{Component, ObjectKey};
use crate::workflows::observe::{self, name as pod_name, workload_name};

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

/// Pods worth rebuilding: a master/worker on a lost node or stuck Terminating, and pods started
/// before a config change their engine has not read. Ages (Terminating for more than
/// [`observe::TERMINATING_STALE_MINUTES`]) are measured to the console's `now`. Only the
/// runtime's own pods are looked at.
pub fn rebuild_candidates(
    store: &Store,
    runtime: &ObjectKey,
    now: Timestamp,
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
            if let Some(since) = observe::terminating_since(p) {
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
