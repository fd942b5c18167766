//! The kubelet and node controller of the simulation, and the faults that disturb them: random
//! worker crashes and deletions, killed pods, lost and recovered nodes.

use jiff::SignedDuration;
use rand::Rng;

use super::events::{EventType, Involved};
use super::{DemoCluster, DemoError, pods, workloads};
use crate::model::pod::{LABEL_COMPONENT, LABEL_RUNTIME, component_of, is_ready, node_of};
use crate::model::{Component, Kind, Object, ObjectKey, Pod};

/// Mean seconds between random worker failures in the whole cluster.
pub const MEAN_SECONDS_BETWEEN_FAILURES: f64 = 240.0;
/// Seconds a pod on an unreachable node keeps running before taint-based eviction marks it.
pub const NODE_EVICTION_SECONDS: i64 = 300;

fn key_of(pod: &Pod) -> ObjectKey {
    ObjectKey::new(
        Kind::Pod,
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
    )
}

fn record(
    cluster: &mut DemoCluster,
    pod: &Pod,
    container: bool,
    type_: EventType,
    reason: &str,
    message: &str,
) {
    let obj = Object::Pod(pod.clone());
    let mut inv = Involved::of(&obj);
    if container {
        inv = inv.container(&pods::container_name(pod));
    }
    cluster.events.record(
        &mut cluster.state,
        &mut cluster.rng,
        &inv,
        type_,
        reason,
        message,
    );
}

/// Pods on lost nodes turn not Ready, and are marked Terminating after the eviction timeout
/// (DaemonSet pods tolerate it and stay).
pub fn node_controller(cluster: &mut DemoCluster) {
    let now = cluster.state.now;
    let lost: Vec<(String, jiff::Timestamp)> = cluster
        .lost_nodes
        .iter()
        .map(|(n, t)| (n.clone(), *t))
        .collect();
    for (node, since) in lost {
        let on_node: Vec<Pod> = cluster
            .state
            .pods()
            .filter(|p| node_of(p) == Some(node.as_str()))
            .cloned()
            .collect();
        for pod in on_node {
            let key = key_of(&pod);
            if is_ready(&pod)
                && cluster
                    .state
                    .update_pod(&key, |p| pods::mark_node_not_ready(p, now))
            {
                record(
                    cluster,
                    &pod,
                    false,
                    EventType::Warning,
                    "NodeNotReady",
                    "Node is not ready",
                );
            }
            let daemon = pod
                .metadata
                .owner_references
                .as_ref()
                .is_some_and(|o| o.iter().any(|o| o.kind == "DaemonSet"));
            if !daemon
                && !pods::is_terminating(&pod)
                && now.as_second() - since.as_second() >= NODE_EVICTION_SECONDS
            {
                cluster
                    .state
                    .update_pod(&key, |p| pods::mark_terminating(p, now));
            }
        }
    }
}

/// Now and then a ready worker crashes (CrashLoopBackOff, then restarts in place) or is deleted
/// (recreated with the same name and a new UID).
pub fn random_worker_failure(cluster: &mut DemoCluster) {
    if !cluster.rng.random_bool(1.0 / MEAN_SECONDS_BETWEEN_FAILURES) {
        return;
    }
    let candidates: Vec<Pod> = cluster
        .state
        .pods()
        .filter(|p| {
            component_of(p) == Some(Component::Worker) && is_ready(p) && !pods::is_terminating(p)
        })
        .filter(|p| !node_of(p).is_some_and(|n| cluster.lost_nodes.contains_key(n)))
        .cloned()
        .collect();
    if candidates.is_empty() {
        return;
    }
    let pod = candidates[cluster.rng.random_range(0..candidates.len())].clone();
    if cluster.rng.random_bool(0.7) {
        crash_pod(cluster, &pod);
    } else {
        let _ = kill_pod(cluster, &key_of(&pod));
    }
}

fn crash_pod(cluster: &mut DemoCluster, pod: &Pod) {
    let now = cluster.state.now;
    let key = key_of(pod);
    let back_off = cluster.rng.random_range(10..=30);
    cluster.state.update_pod(&key, |p| pods::crash(p, now));
    if let Some(sim) = cluster.pods.get_mut(&key) {
        sim.crash_until = Some(
            now.checked_add(SignedDuration::from_secs(back_off))
                .unwrap_or(now),
        );
        sim.dep_since = None;
    }
    super::logs::write(
        cluster,
        &key,
        "ERROR",
        "curvine_server::worker::block_store",
        "block store I/O error: Input/output error (os error 5), shutting down",
    );
    let container = pods::container_name(pod);
    let msg = format!(
        "Back-off restarting failed container {container} in pod {}",
        key.name
    );
    record(cluster, pod, true, EventType::Warning, "BackOff", &msg);
}

/// Force-deletes a pod; its controller recreates it.
pub fn kill_pod(cluster: &mut DemoCluster, key: &ObjectKey) -> Result<(), DemoError> {
    let Some(pod) = cluster.state.pod(key).cloned() else {
        return Err(DemoError::NotFound(key.clone()));
    };
    let container = pods::container_name(&pod);
    record(
        cluster,
        &pod,
        true,
        EventType::Normal,
        "Killing",
        &format!("Stopping container {container}"),
    );
    cluster.state.remove(key);
    cluster.pods.remove(key);
    cluster.logs.forget(key);
    if pod
        .metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key(LABEL_RUNTIME))
    {
        workloads::schedule_recreate(cluster, &pod);
    }
    Ok(())
}

pub fn fail_node(cluster: &mut DemoCluster, name: &str) {
    let now = cluster.state.now;
    cluster.lost_nodes.entry(name.to_string()).or_insert(now);
}

pub fn recover_node(cluster: &mut DemoCluster, name: &str) {
    if cluster.lost_nodes.remove(name).is_none() {
        return;
    }
    let on_node: Vec<Pod> = cluster
        .state
        .pods()
        .filter(|p| node_of(p) == Some(name))
        .cloned()
        .collect();
    for pod in on_node {
        let key = key_of(&pod);
        if pods::is_terminating(&pod) {
            cluster.state.remove(&key);
            cluster.pods.remove(&key);
            cluster.logs.forget(&key);
            workloads::schedule_recreate(cluster, &pod);
        } else if let Some(sim) = cluster.pods.get_mut(&key) {
            sim.dep_since = None;
        }
    }
}

/// Whether a cache pod's dependencies are up: workers need the master, clients a worker.
fn dependencies_ready(cluster: &DemoCluster, pod: &Pod) -> bool {
    let (Some(rt), Some(c), Some(ns)) = (
        pod.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(LABEL_RUNTIME)),
        component_of(pod),
        pod.metadata.namespace.as_deref(),
    ) else {
        return true;
    };
    let needs = match c {
        Component::Master => return true,
        Component::Worker => format!("{rt}-master"),
        Component::Client => format!("{rt}-worker"),
    };
    let deps: Vec<&Pod> = cluster
        .state
        .pods()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(LABEL_COMPONENT))
                == Some(&needs)
        })
        .collect();
    match c {
        Component::Worker => deps.iter().all(|p| is_ready(p)),
        _ => deps.iter().any(|p| is_ready(p)),
    }
}

/// Advances the life of every cache pod: container start, readiness, crash back-off ends,
/// in-place restarts. Job pods are driven by the job simulation.
pub fn kubelet(cluster: &mut DemoCluster) {
    let now = cluster.state.now;
    let keys: Vec<ObjectKey> = cluster.pods.keys().cloned().collect();
    for key in keys {
        let Some(pod_ref) = cluster.state.pod(&key) else {
            cluster.pods.remove(&key);
            continue;
        };
        let settled = cluster
            .pods
            .get(&key)
            .is_some_and(|s| s.crash_until.is_none() && s.in_place_update.is_none());
        if settled && is_ready(pod_ref) {
            continue;
        }
        let pod = pod_ref.clone();
        if pods::is_terminating(&pod)
            || node_of(&pod).is_some_and(|n| cluster.lost_nodes.contains_key(n))
        {
            continue;
        }
        if !pod
            .metadata
            .labels
            .as_ref()
            .is_some_and(|l| l.contains_key(LABEL_RUNTIME))
        {
            continue;
        }
        let Some(sim) = cluster.pods.get(&key).cloned() else {
            continue;
        };
        if pods::phase(&pod) == "Pending" {
            if now >= sim.running_at {
                cluster.state.update_pod(&key, |p| pods::start(p, now));
                container_started(cluster, &key, &pod);
            }
            continue;
        }
        if let Some((image, at)) = sim.in_place_update.clone() {
            if now >= at {
                cluster.state.update_pod(&key, |p| {
                    pods::restart(p, now, Some(&image));
                    if let Some(c) = p
                        .status
                        .as_mut()
                        .and_then(|s| s.container_statuses.as_mut())
                        .and_then(|c| c.first_mut())
                    {
                        c.restart_count += 1;
                    }
                    pods::set_condition(p, "InPlaceUpdateReady", true, None, None, now);
                });
                if let Some(s) = cluster.pods.get_mut(&key) {
                    s.in_place_update = None;
                    s.dep_since = None;
                }
                container_started(cluster, &key, &pod);
            }
            continue;
        }
        if let Some(until) = sim.crash_until {
            if now >= until {
                cluster
                    .state
                    .update_pod(&key, |p| pods::restart(p, now, None));
                if let Some(s) = cluster.pods.get_mut(&key) {
                    s.crash_until = None;
                    s.dep_since = None;
                }
                super::logs::startup(cluster, &key, &pod);
            }
            continue;
        }
        if is_ready(&pod) {
            continue;
        }
        if !dependencies_ready(cluster, &pod) {
            if let Some(s) = cluster.pods.get_mut(&key) {
                s.dep_since = None;
            }
            continue;
        }
        let since = *cluster
            .pods
            .get_mut(&key)
            .map(|s| s.dep_since.get_or_insert(now))
            .unwrap_or(&mut now.clone());
        if now.as_second() - since.as_second() >= sim.ready_delay {
            cluster.state.update_pod(&key, |p| pods::make_ready(p, now));
            super::logs::became_ready(cluster, &key, &pod);
        }
    }
}

/// The kubelet started (or restarted) a pod's engine container: its event and start-up log.
fn container_started(cluster: &mut DemoCluster, key: &ObjectKey, pod: &Pod) {
    let container = pods::container_name(pod);
    record(
        cluster,
        pod,
        true,
        EventType::Normal,
        "Started",
        &format!("Started container {container}"),
    );
    super::logs::startup(cluster, key, pod);
}
