//! The kubelet and node controller of the simulation, and the faults that disturb them: random
//! worker crashes and deletions, killed pods, lost and recovered nodes.

use jiff::SignedDuration;
use rand::Rng;

use super::events::{EventType, Involved};
use super::{DemoCluster, DemoError, PullFailure, pods, workloads};
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
    let obj = Object::Pod(Box::new(pod.clone()));
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
            if daemon || now.as_second() - since.as_second() < NODE_EVICTION_SECONDS {
                continue;
            }
            if !pods::is_terminating(&pod) {
                cluster
                    .state
                    .update_pod(&key, |p| pods::mark_terminating(p, now));
            } else if !pods::has_condition(&pod, "DisruptionTarget") {
                // Deleted by someone while the node was away: the taint manager still marks it.
                cluster
                    .state
                    .update_pod(&key, |p| pods::mark_disruption_target(p, now));
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

pub(super) fn crash_pod(cluster: &mut DemoCluster, pod: &Pod) {
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
    if !pods::is_terminating(&pod) {
        let container = pods::container_name(&pod);
        record(
            cluster,
            &pod,
            true,
            EventType::Normal,
            "Killing",
            &format!("Stopping container {container}"),
        );
    }
    remove_pod(cluster, key, &pod);
    Ok(())
}

/// The pod object goes; an ordinal or client pod is recreated by its controller.
fn remove_pod(cluster: &mut DemoCluster, key: &ObjectKey, pod: &Pod) {
    cluster.state.remove(key);
    cluster.pods.remove(key);
    cluster.logs.forget(key);
    if pod
        .metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key(LABEL_RUNTIME))
    {
        if let Some(node) = node_of(pod) {
            cluster.cache_nodes.insert(key.clone(), node.to_string());
        }
        workloads::schedule_recreate(cluster, pod);
    }
}

/// Deletes a pod with the default grace period, as `kubectl delete pod` does: it is marked
/// Terminating (`deletionTimestamp` = now + grace). On a reachable node the kubelet stops the
/// container and the pod goes after a couple of seconds (its controller then recreates it, with
/// a new UID); on a lost node nobody confirms, so it stays Terminating until the node comes back
/// or the pod is force-deleted. Pods that are not cache pods (job pods) go at once.
pub fn delete_pod(cluster: &mut DemoCluster, key: &ObjectKey) -> Result<(), DemoError> {
    let Some(pod) = cluster.state.pod(key).cloned() else {
        return Err(DemoError::NotFound(key.clone()));
    };
    if pods::is_terminating(&pod) {
        return Ok(());
    }
    if !cluster.pods.contains_key(key) {
        return kill_pod(cluster, key);
    }
    let now = cluster.state.now;
    let deadline = later(now, DEFAULT_GRACE_SECONDS);
    cluster.state.update_pod(key, |p| {
        p.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            deadline,
        ));
        p.metadata.deletion_grace_period_seconds = Some(DEFAULT_GRACE_SECONDS);
    });
    let lost = node_of(&pod).is_some_and(|n| cluster.lost_nodes.contains_key(n));
    if lost {
        return Ok(());
    }
    let container = pods::container_name(&pod);
    record(
        cluster,
        &pod,
        true,
        EventType::Normal,
        "Killing",
        &format!("Stopping container {container}"),
    );
    cluster
        .state
        .update_pod(key, |p| pods::mark_node_not_ready(p, now));
    if let Some(s) = cluster.pods.get_mut(key) {
        s.delete_at = Some(later(now, GRACEFUL_STOP_SECONDS));
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
            remove_pod(cluster, &key, &pod);
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

/// The image-pull rule of the simulation: an image whose tag contains `does-not-exist` is not in
/// the registry, so every pull of it fails with the container runtime's "not found".
pub fn pull_error(image: &str) -> Option<String> {
    let last = image.rsplit('/').next().unwrap_or(image);
    let tag = last.split_once(':').map(|(_, t)| t).unwrap_or("");
    if !tag.contains("does-not-exist") {
        return None;
    }
    let reference = full_reference(image);
    Some(format!(
        "rpc error: code = NotFound desc = failed to pull and unpack image \"{reference}\": \
         failed to resolve reference \"{reference}\": {reference}: not found"
    ))
}

/// What the container runtime says when a pull is refused by the registry (the injected
/// failure of [`super::DemoCluster::fail_next_in_place_update`]).
fn rate_limited(image: &str) -> String {
    let reference = full_reference(image);
    format!(
        "rpc error: code = Unknown desc = failed to pull and unpack image \"{reference}\": \
         failed to copy: httpReadSeeker: failed open: unexpected status code \
         https://registry-1.docker.io/v2/: 429 Too Many Requests - Server message: \
         toomanyrequests: You have reached your pull rate limit"
    )
}

/// `docker.io/library/` completed like the container runtime does.
fn full_reference(image: &str) -> String {
    let first = image.split('/').next().unwrap_or("");
    let has_registry =
        image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_registry {
        image.to_string()
    } else if image.contains('/') {
        format!("docker.io/{image}")
    } else {
        format!("docker.io/library/{image}")
    }
}

/// Seconds between ErrImagePull and ImagePullBackOff, and the first and largest back-off.
const PULL_BACK_OFF_SHOWN_SECONDS: i64 = 2;
const PULL_BACK_OFF_FIRST_SECONDS: i64 = 10;
const PULL_BACK_OFF_MAX_SECONDS: i64 = 300;
/// Seconds the kubelet takes to stop a container of a pod deleted gracefully.
pub const GRACEFUL_STOP_SECONDS: i64 = 2;
/// The grace period of a delete without one (the pod default).
pub const DEFAULT_GRACE_SECONDS: i64 = 30;

fn later(t: jiff::Timestamp, secs: i64) -> jiff::Timestamp {
    t.checked_add(SignedDuration::from_secs(secs)).unwrap_or(t)
}

/// Advances the life of every cache pod: container start (or a failing image pull), readiness,
/// crash back-off ends, in-place restarts, graceful deletes. Nothing happens on a lost node.
/// Job pods are driven by the job simulation.
pub fn kubelet(cluster: &mut DemoCluster) {
    let now = cluster.state.now;
    let keys: Vec<ObjectKey> = cluster.pods.keys().cloned().collect();
    for key in keys {
        let Some(pod_ref) = cluster.state.pod(&key) else {
            cluster.pods.remove(&key);
            continue;
        };
        let Some(sim) = cluster.pods.get(&key).cloned() else {
            continue;
        };
        let settled = sim.crash_until.is_none()
            && sim.in_place_update.is_none()
            && sim.pull_failure.is_none()
            && sim.delete_at.is_none();
        if settled && is_ready(pod_ref) && !pods::is_terminating(pod_ref) {
            continue;
        }
        let pod = pod_ref.clone();
        if node_of(&pod).is_some_and(|n| cluster.lost_nodes.contains_key(n)) {
            continue;
        }
        if pods::is_terminating(&pod) {
            if sim.delete_at.is_some_and(|t| now >= t) {
                remove_pod(cluster, &key, &pod);
            }
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
        if let Some((image, at)) = sim.in_place_update.clone() {
            if now >= at {
                if let Some(s) = cluster.pods.get_mut(&key) {
                    s.in_place_update = None;
                    s.dep_since = None;
                }
                start_container(cluster, &key, &pod, Some(&image));
            }
            continue;
        }
        if let Some(pf) = sim.pull_failure.clone() {
            let image = pods_spec_image(&pod);
            if now >= pf.next_attempt {
                let back_off = (pf.back_off * 2).min(PULL_BACK_OFF_MAX_SECONDS);
                pull_failed(cluster, &key, &pod, &image, &pf.message, back_off);
            } else if now >= pf.back_off_at && pods::waiting_reason(&pod) == Some("ErrImagePull") {
                cluster
                    .state
                    .update_pod(&key, |p| pods::image_pull_back_off(p, &image, &pf.message));
                let msg = format!("Back-off pulling image \"{image}\"");
                record(cluster, &pod, true, EventType::Normal, "BackOff", &msg);
                record(
                    cluster,
                    &pod,
                    true,
                    EventType::Warning,
                    "Failed",
                    "Error: ImagePullBackOff",
                );
            }
            continue;
        }
        if pods::phase(&pod) == "Pending" {
            if now >= sim.running_at {
                start_container(cluster, &key, &pod, None);
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
                super::logs::restarted(cluster, &key);
                super::logs::startup(cluster, &key, &pod);
                super::logs::cache_tiers(cluster, &key, &pod, false);
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

fn pods_spec_image(pod: &Pod) -> String {
    pod.spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

/// The kubelet starts the engine container: of a new pod, or again in place with `new_image`
/// (the pod keeps its UID, `restartCount` + 1). The image is pulled
/// first; a pull that fails leaves the container waiting (ErrImagePull, then ImagePullBackOff).
fn start_container(cluster: &mut DemoCluster, key: &ObjectKey, pod: &Pod, new_image: Option<&str>) {
    let now = cluster.state.now;
    let image = new_image
        .map(str::to_string)
        .unwrap_or_else(|| pods_spec_image(pod));
    let injected = cluster
        .pods
        .get_mut(key)
        .map(|s| std::mem::take(&mut s.fail_next_pull))
        .unwrap_or(false);
    let failure = pull_error(&image).or_else(|| injected.then(|| rate_limited(&image)));
    let fresh = pods::phase(pod) == "Pending";
    if new_image.is_some() {
        let msg = format!("Pulling image \"{image}\"");
        record(cluster, pod, true, EventType::Normal, "Pulling", &msg);
    }
    if let Some(message) = failure {
        if new_image.is_none() {
            let msg = format!("Pulling image \"{image}\"");
            record(cluster, pod, true, EventType::Normal, "Pulling", &msg);
        }
        pull_failed(
            cluster,
            key,
            pod,
            &image,
            &message,
            PULL_BACK_OFF_FIRST_SECONDS,
        );
        return;
    }
    if let Some(img) = new_image {
        let took = cluster.rng.random_range(1500..4500);
        let msg = format!(
            "Successfully pulled image \"{img}\" in {}.{:03}s ({}.{:03}s including waiting)",
            took / 1000,
            took % 1000,
            took / 1000,
            took % 1000
        );
        record(cluster, pod, true, EventType::Normal, "Pulled", &msg);
    }
    cluster.state.update_pod(key, |p| {
        if fresh {
            pods::start(p, now);
        } else {
            pods::stop_container(p, now);
        }
        if let Some(img) = new_image {
            if !fresh
                && let Some(c) = p
                    .status
                    .as_mut()
                    .and_then(|s| s.container_statuses.as_mut())
                    .and_then(|c| c.first_mut())
            {
                c.restart_count += 1;
            }
            pods::restart(p, now, Some(img));
        } else if !fresh {
            pods::restart(p, now, None);
        }
    });
    if let Some(s) = cluster.pods.get_mut(key) {
        s.pull_failure = None;
        s.dep_since = None;
    }
    let started = cluster
        .state
        .pod(key)
        .cloned()
        .unwrap_or_else(|| pod.clone());
    container_started(cluster, key, &started, fresh);
}

/// A pull attempt failed: ErrImagePull now, ImagePullBackOff shortly, the next attempt after
/// `back_off` seconds.
fn pull_failed(
    cluster: &mut DemoCluster,
    key: &ObjectKey,
    pod: &Pod,
    image: &str,
    message: &str,
    back_off: i64,
) {
    let now = cluster.state.now;
    cluster
        .state
        .update_pod(key, |p| pods::image_pull_failed(p, now, image, message));
    let msg = format!("Failed to pull image \"{image}\": {message}");
    record(cluster, pod, true, EventType::Warning, "Failed", &msg);
    record(
        cluster,
        pod,
        true,
        EventType::Warning,
        "Failed",
        "Error: ErrImagePull",
    );
    if let Some(s) = cluster.pods.get_mut(key) {
        s.dep_since = None;
        s.pull_failure = Some(PullFailure {
            message: message.to_string(),
            back_off_at: later(now, PULL_BACK_OFF_SHOWN_SECONDS),
            next_attempt: later(now, back_off),
            back_off,
        });
    }
}

/// The kubelet started (or restarted) a pod's engine container: its event and start-up log.
fn container_started(cluster: &mut DemoCluster, key: &ObjectKey, pod: &Pod, fresh: bool) {
    let container = pods::container_name(pod);
    record(
        cluster,
        pod,
        true,
        EventType::Normal,
        "Started",
        &format!("Started container {container}"),
    );
    if !fresh {
        super::logs::stopped(cluster, key, pod);
        super::logs::restarted(cluster, key);
    }
    super::logs::startup(cluster, key, pod);
    super::logs::cache_tiers(cluster, key, pod, fresh);
}
