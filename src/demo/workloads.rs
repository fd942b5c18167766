//! The workload controllers Fluid relies on: the AdvancedStatefulSets of master and worker
//! (pods `<rt>-<c>-<i>`, recreated under the same name, in-place image updates from the highest
//! ordinal down) and the client DaemonSet (one `<rt>-client-<hash>` pod per client node).

use std::collections::BTreeSet;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use rand::Rng;
use serde_json::json;

use super::events::{EventType, Involved};
use super::names;
use super::pod_template;
use super::pods::{self, PodPlan};
use super::{DemoCluster, PodSim};
use crate::model::meta::format_time;
use crate::model::pod::{LABEL_COMPONENT, LABEL_RUNTIME, is_ready};
use crate::model::{
    AdvancedStatefulSet, CacheRuntime, CacheRuntimeClass, Component, Kind, Object, ObjectKey, Pod,
};

/// Seconds an ordinal pod stays absent before its workload recreates it.
const RECREATE_DELAY_SECONDS: i64 = 2;
/// Seconds an in-place image update takes before the container restarts.
const IN_PLACE_RESTART_SECONDS: i64 = 4;

pub fn workload_name(rt: &str, c: Component) -> String {
    format!("{rt}-{}", c.as_str())
}

/// Engine image of a component: `runtimeVersion` image:tag when both are set, else the class
/// template's container[0] image.
pub fn engine_image(rt: &CacheRuntime, class: &CacheRuntimeClass, c: Component) -> String {
    rt.component_spec(c)
        .and_then(|s| s.runtime_version.as_ref())
        .and_then(|v| v.reference())
        .or_else(|| {
            class
                .component(c)
                .and_then(|d| d.engine_image())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "busybox:latest".to_string())
}

fn container_name(class: &CacheRuntimeClass, c: Component) -> String {
    class
        .component(c)
        .and_then(|d| d.template.as_ref())
        .and_then(|t| t.pointer("/spec/containers/0/name"))
        .and_then(|n| n.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| c.as_str().to_string())
}

fn has_headless_service(class: &CacheRuntimeClass, c: Component) -> bool {
    class
        .component(c)
        .and_then(|d| d.service.as_ref())
        .is_some_and(|s| s.get("headless").is_some())
}

pub fn revision(workload: &str, image: &str) -> String {
    format!("{workload}-{}", names::revision_hash(image))
}

fn placement(cluster: &DemoCluster, ns: &str, rt: &str) -> String {
    cluster
        .state
        .dataset(ns, rt)
        .and_then(|d| d.spec.placement.clone())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "Exclusive".into())
}

/// The AdvancedStatefulSet Fluid creates for a master or worker.
pub fn build(
    cluster: &mut DemoCluster,
    rt: &CacheRuntime,
    class: &CacheRuntimeClass,
    c: Component,
) -> Option<AdvancedStatefulSet> {
    let ns = rt.metadata.namespace.clone().unwrap_or_default();
    let rt_name = rt.metadata.name.clone().unwrap_or_default();
    let name = workload_name(&rt_name, c);
    let image = engine_image(rt, class, c);
    let replicas = rt.component_spec(c).and_then(|s| s.replicas).unwrap_or(1);
    let rev = revision(&name, &image);
    let ds = cluster.state.dataset(&ns, &rt_name).cloned();
    let mut template = pod_template::build(
        rt,
        class,
        ds.as_ref(),
        c,
        &placement(cluster, &ns, &rt_name),
    );
    if let Some(slot) = template.pointer_mut("/spec/containers/0/image") {
        *slot = json!(image);
    }
    let mut spec = json!({
        "replicas": replicas,
        "podManagementPolicy": "Parallel",
        "selector": {"matchLabels": {LABEL_RUNTIME: rt_name, LABEL_COMPONENT: name}},
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "podUpdatePolicy": "InPlaceIfPossible"}},
        "volumeClaimUpdateStrategy": {},
        "template": template,
    });
    if has_headless_service(class, c) {
        spec["serviceName"] = json!(format!("svc-{name}"));
    }
    let value = json!({
        "apiVersion": "workload.fluid.io/v1alpha1",
        "kind": "AdvancedStatefulSet",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": names::uid(&mut cluster.rng),
            "generation": 1,
            "creationTimestamp": format_time(cluster.state.now),
            "labels": {LABEL_RUNTIME: rt_name, LABEL_COMPONENT: name},
            "ownerReferences": [{
                "apiVersion": crate::model::FLUID_API_VERSION,
                "kind": "CacheRuntime",
                "name": rt_name,
                "uid": rt.metadata.uid.clone().unwrap_or_default(),
                "controller": true,
                "blockOwnerDeletion": true,
            }],
        },
        "spec": spec,
        "status": {
            "observedGeneration": 1,
            "replicas": 0,
            "currentRevision": rev,
            "updateRevision": rev,
            "labelSelector": format!("{LABEL_COMPONENT}={name},{LABEL_RUNTIME}={rt_name}"),
        },
    });
    serde_json::from_value(value).ok()
}

fn env(ns: &str, rt: &str, c: Component, svc: Option<&str>) -> Vec<(String, String)> {
    let mut e = vec![
        ("FLUID_DATASET_NAME".to_string(), rt.to_string()),
        ("FLUID_DATASET_NAMESPACE".to_string(), ns.to_string()),
        (
            "FLUID_RUNTIME_CONFIG_PATH".to_string(),
            "/etc/fluid/config/runtime.json".to_string(),
        ),
        (
            "FLUID_RUNTIME_MOUNT_PATH".to_string(),
            format!("/runtime-mnt/cache/{ns}/{rt}/cache-fuse"),
        ),
        (
            "FLUID_RUNTIME_COMPONENT_TYPE".to_string(),
            c.as_str().to_string(),
        ),
    ];
    if let Some(svc) = svc {
        e.push((
            "FLUID_RUNTIME_COMPONENT_SVC_NAME".to_string(),
            svc.to_string(),
        ));
    }
    e
}

/// The demo cluster's node pools: cache nodes (masters, workers, jobs) and GPU nodes (clients),
/// as a name prefix and a count.
pub fn pool(gpu: bool) -> (&'static str, usize) {
    if gpu {
        ("gpu-node", 12)
    } else {
        ("cache-node", 24)
    }
}

/// Picks a node for a new pod: from the cache pool (master/worker/jobs) or the GPU pool
/// (clients), never a lost node, preferring nodes not in `avoid`.
pub fn pick_node(cluster: &mut DemoCluster, gpu: bool, avoid: &BTreeSet<String>) -> String {
    let (prefix, count) = pool(gpu);
    let all: Vec<String> = (1..=count)
        .map(|i| format!("{prefix}-{i:02}"))
        .filter(|n| !cluster.lost_nodes.contains_key(n))
        .collect();
    let free: Vec<&String> = all.iter().filter(|n| !avoid.contains(*n)).collect();
    let pool: Vec<&String> = if free.is_empty() {
        all.iter().collect()
    } else {
        free
    };
    if pool.is_empty() {
        return format!("{prefix}-01");
    }
    pool[cluster.rng.random_range(0..pool.len())].clone()
}

fn nodes_of(cluster: &DemoCluster, ns: &str, component_label: &str) -> BTreeSet<String> {
    cluster
        .state
        .pods()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(LABEL_COMPONENT))
                .map(String::as_str)
                == Some(component_label)
        })
        .filter_map(|p| crate::model::pod::node_of(p).map(str::to_string))
        .collect()
}

/// Which pod of a component to create.
#[derive(Debug, Clone, Default)]
pub struct NewPod {
    /// The ordinal of a master/worker pod; `None` for a client pod.
    pub ordinal: Option<usize>,
    /// The node; `None` picks one of the cache pool.
    pub node: Option<String>,
    /// Seed an already-running, ready pod (for objects loaded with a status).
    pub ready: bool,
    /// The engine image (the workload's revision); `None` takes the runtime's.
    pub image: Option<String>,
}

/// Seconds from a seeded pod's creation to its container's start.
const SEEDED_START_SECS: i64 = 12;

/// When a pod seeded running was created: an hour before `now`, but not before its runtime
/// (and not after `now`).
fn seeded_birth(rt: &CacheRuntime, now: jiff::Timestamp) -> jiff::Timestamp {
    let hour_ago = now
        .checked_sub(jiff::SignedDuration::from_hours(1))
        .unwrap_or(now);
    let runtime = rt.metadata.creation_timestamp.as_ref().map(|t| t.0);
    runtime.map_or(hour_ago, |r| hour_ago.max(r)).min(now)
}

/// Creates the pod of one ordinal (or a client pod on a node) and starts simulating it.
pub fn create_component_pod(
    cluster: &mut DemoCluster,
    rt: &CacheRuntime,
    class: &CacheRuntimeClass,
    c: Component,
    new: NewPod,
) -> ObjectKey {
    let NewPod {
        ordinal,
        node,
        ready,
        image,
    } = new;
    let ns = rt.metadata.namespace.clone().unwrap_or_default();
    let rt_name = rt.metadata.name.clone().unwrap_or_default();
    let wl = workload_name(&rt_name, c);
    let image = image.unwrap_or_else(|| engine_image(rt, class, c));
    // The pod is made from its workload's template (the client's is built as Fluid writes it).
    let template = match ordinal {
        Some(_) => cluster
            .state
            .workload(&ns, &wl)
            .and_then(|w| w.spec.template.clone()),
        None => None,
    }
    .unwrap_or_else(|| {
        let ds = cluster.state.dataset(&ns, &rt_name).cloned();
        let placement = placement(cluster, &ns, &rt_name);
        pod_template::build(rt, class, ds.as_ref(), c, &placement)
    });
    let mut labels: std::collections::BTreeMap<String, String> = template
        .pointer("/metadata/labels")
        .cloned()
        .and_then(|l| serde_json::from_value(l).ok())
        .unwrap_or_default();
    let template_spec: Option<k8s_openapi::api::core::v1::PodSpec> = template
        .get("spec")
        .cloned()
        .and_then(|s| serde_json::from_value(s).ok());
    let svc = has_headless_service(class, c).then(|| format!("svc-{wl}"));
    let (name, owner, hostname) = match ordinal {
        Some(i) => {
            let name = format!("{wl}-{i}");
            let owner_uid = cluster
                .state
                .workload(&ns, &wl)
                .and_then(|w| w.metadata.uid.clone())
                .unwrap_or_else(|| names::stable_uid(&wl));
            labels.insert("controller-revision-hash".into(), revision(&wl, &image));
            labels.insert("statefulset.kubernetes.io/pod-name".into(), name.clone());
            labels.insert("apps.kubernetes.io/pod-index".into(), i.to_string());
            labels.insert("lifecycle.workload.fluid.io/state".into(), "Normal".into());
            let owner = OwnerReference {
                api_version: "workload.fluid.io/v1alpha1".into(),
                kind: "AdvancedStatefulSet".into(),
                name: wl.clone(),
                uid: owner_uid,
                controller: Some(true),
                block_owner_deletion: Some(true),
            };
            let hostname = svc.clone().map(|s| (name.clone(), s));
            (name, owner, hostname)
        }
        None => {
            let name = format!("{wl}-{}", names::pod_suffix(&mut cluster.rng));
            labels.insert(
                "controller-revision-hash".into(),
                names::revision_hash(&format!("{wl}/{image}"))[..9].to_string(),
            );
            labels.insert("pod-template-generation".into(), "1".into());
            let owner = OwnerReference {
                api_version: "apps/v1".into(),
                kind: "DaemonSet".into(),
                name: wl.clone(),
                uid: names::stable_uid(&format!("{ns}/{wl}")),
                controller: Some(true),
                block_owner_deletion: Some(true),
            };
            (name, owner, None)
        }
    };
    let node = match node {
        Some(n) => n,
        None => {
            let avoid = nodes_of(cluster, &ns, &wl);
            pick_node(cluster, false, &avoid)
        }
    };
    let now = cluster.state.now;
    let plan = PodPlan {
        namespace: ns.clone(),
        name: name.clone(),
        uid: names::uid(&mut cluster.rng),
        labels,
        owner,
        node: node.clone(),
        container: container_name(class, c),
        image,
        command: None,
        env: env(&ns, &rt_name, c, svc.as_deref()),
        restart_policy: None,
        hostname,
        template: template_spec,
        generate_name: Some(format!("{wl}-")),
    };
    // A pod seeded running was made before the demo's start (and after its runtime).
    let born = if ready { seeded_birth(rt, now) } else { now };
    let mut pod = pods::new_pod(plan, born);
    pod.metadata.generation = Some(1);
    match ordinal {
        Some(_) => {
            pod.metadata
                .annotations
                .get_or_insert_with(Default::default)
                .insert(
                    "lifecycle.workload.fluid.io/timestamp".into(),
                    format_time(born),
                );
        }
        // The DaemonSet controller pins each pod to its node.
        None => {
            if let Some(spec) = pod.spec.as_mut() {
                let affinity = json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}});
                spec.affinity = serde_json::from_value(affinity).ok();
            }
        }
    }
    let key = ObjectKey::new(Kind::Pod, ns.clone(), name.clone());
    if ordinal.is_some()
        && let Some(w) = cluster.state.workload(&ns, &wl).cloned()
    {
        let msg = format!("create Pod {name} in AdvancedStatefulSet {wl} successful");
        cluster.events.record(
            &mut cluster.state,
            &mut cluster.rng,
            &Involved::of(&Object::Workload(Box::new(w))),
            EventType::Normal,
            "SuccessfulCreate",
            &msg,
        );
    }
    let running_at = if ready {
        let started = born
            .checked_add(jiff::SignedDuration::from_secs(SEEDED_START_SECS))
            .unwrap_or(now)
            .min(now);
        pods::start(&mut pod, started);
        pods::make_ready(&mut pod, started);
        started
    } else {
        now.checked_add(jiff::SignedDuration::from_secs(
            cluster.rng.random_range(1..=3),
        ))
        .unwrap_or(now)
    };
    let ready_delay = cluster.rng.random_range(2..=5);
    cluster.pods.insert(
        key.clone(),
        PodSim::new(running_at, ready_delay, ready.then_some(now)),
    );
    if ready {
        cluster.state.seed(Object::Pod(Box::new(pod)));
    } else {
        cluster.state.put(Object::Pod(Box::new(pod.clone())));
        let msg = format!("Successfully assigned {ns}/{name} to {node}");
        cluster.events.record(
            &mut cluster.state,
            &mut cluster.rng,
            &Involved::of(&Object::Pod(Box::new(pod))),
            EventType::Normal,
            "Scheduled",
            &msg,
        );
    }
    key
}

fn ordinal_of(pod: &Pod, workload: &str) -> Option<usize> {
    pod.metadata
        .name
        .as_deref()?
        .strip_prefix(workload)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

/// One pass of every workload controller.
pub fn reconcile(cluster: &mut DemoCluster) {
    for key in cluster.state.keys_of(Kind::AdvancedStatefulSet) {
        reconcile_stateful(cluster, &key);
    }
    for key in cluster.state.keys_of(Kind::CacheRuntime) {
        reconcile_clients(cluster, &key);
    }
}

fn owner_runtime(
    cluster: &DemoCluster,
    wl: &AdvancedStatefulSet,
) -> Option<(CacheRuntime, CacheRuntimeClass, Component)> {
    let ns = wl.metadata.namespace.as_deref()?;
    let labels = wl.metadata.labels.as_ref()?;
    let rt_name = labels.get(LABEL_RUNTIME)?;
    let comp = labels
        .get(LABEL_COMPONENT)?
        .strip_prefix(rt_name.as_str())?
        .strip_prefix('-')?;
    let rt = cluster.state.runtime(ns, rt_name)?.clone();
    let class = cluster.state.class(&rt.spec.runtime_class_name)?.clone();
    Some((rt, class, Component::parse(comp)?))
}

fn reconcile_stateful(cluster: &mut DemoCluster, key: &ObjectKey) {
    let Some(Object::Workload(wl)) = cluster.state.get(key).cloned() else {
        return;
    };
    let Some((rt, class, c)) = owner_runtime(cluster, &wl) else {
        return;
    };
    let ns = key.namespace.clone();
    let now = cluster.state.now;
    let desired = wl.spec.replicas.unwrap_or(1).max(0) as usize;
    let target_image = wl.engine_image().unwrap_or_default().to_string();
    let pods = cluster.state.component_pods(&ns, &key.name);
    // Scale in: remove ordinals at or above the desired count.
    for p in &pods {
        if ordinal_of(p, &key.name).is_some_and(|i| i >= desired) {
            let pk = ObjectKey::new(
                Kind::Pod,
                ns.clone(),
                p.metadata.name.clone().unwrap_or_default(),
            );
            cluster.state.remove(&pk);
            cluster.pods.remove(&pk);
            cluster.logs.forget(&pk);
        }
    }
    let strategy = RollingUpdate::of(&wl);
    let current_image = wl
        .status
        .as_ref()
        .and_then(|st| st.current_revision.as_ref())
        .and_then(|r| cluster.revisions.get(r))
        .cloned();
    // Recreate missing ordinals after a short delay: at the update revision, or below the
    // partition at the current one.
    for i in 0..desired {
        let name = format!("{}-{i}", key.name);
        let pk = ObjectKey::new(Kind::Pod, ns.clone(), name);
        if cluster.state.contains(&pk) {
            continue;
        }
        let due = *cluster.recreate_after.entry(pk.clone()).or_insert(now);
        if due <= now {
            cluster.recreate_after.remove(&pk);
            let image = if (i as i64) < strategy.partition {
                current_image
                    .clone()
                    .unwrap_or_else(|| target_image.clone())
            } else {
                target_image.clone()
            };
            let image = (!image.is_empty()).then_some(image);
            let new = NewPod {
                ordinal: Some(i),
                image,
                ..Default::default()
            };
            create_component_pod(cluster, &rt, &class, c, new);
        }
    }
    let pods = cluster.state.component_pods(&ns, &key.name);
    for p in &pods {
        if let (Some(rev), Some(img)) = (
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("controller-revision-hash")),
            spec_image(p),
        ) {
            cluster.revisions.insert(rev.clone(), img.to_string());
        }
    }
    let update_revision = revision(&key.name, &target_image);
    if !target_image.is_empty() {
        cluster
            .revisions
            .insert(update_revision.clone(), target_image.clone());
    }
    if !strategy.paused && !target_image.is_empty() {
        roll(cluster, &key.name, &pods, &target_image, &strategy);
    }
    // Status from the pods.
    let pods = cluster.state.component_pods(&ns, &key.name);
    let outdated = |p: &Pod| spec_image(p) != Some(target_image.as_str());
    let count = |f: &dyn Fn(&Pod) -> bool| pods.iter().filter(|p| f(p)).count() as i32;
    let ready = count(&|p| is_ready(p));
    let updated = count(&|p| !outdated(p));
    let updated_ready = count(&|p| !outdated(p) && is_ready(p));
    let generation = wl.metadata.generation;
    cluster.state.update_workload(key, |w| {
        let st = w.status.get_or_insert_with(Default::default);
        st.observed_generation = generation.or(st.observed_generation);
        st.replicas = pods.len() as i32;
        st.ready_replicas = Some(ready);
        st.available_replicas = Some(ready);
        st.updated_replicas = Some(updated);
        st.updated_ready_replicas = Some(updated_ready);
        st.extra
            .insert("updatedAvailableReplicas".into(), json!(updated_ready));
        if updated == pods.len() as i32 && pods.len() as i32 >= desired as i32 {
            st.current_revision = Some(update_revision.clone());
        }
        st.current_replicas = Some(
            if st.current_revision.as_deref() == Some(update_revision.as_str()) {
                updated
            } else {
                pods.len() as i32 - updated
            },
        );
        st.update_revision = Some(update_revision);
    });
}

/// `spec.updateStrategy.rollingUpdate` of an AdvancedStatefulSet, as its controller reads it.
#[derive(Debug, Clone, Copy)]
struct RollingUpdate {
    /// Ordinals below it keep the current revision.
    partition: i64,
    /// Pods that may be unavailable at once because of the update (default 1).
    max_unavailable: usize,
    paused: bool,
}

impl RollingUpdate {
    fn of(wl: &AdvancedStatefulSet) -> RollingUpdate {
        let ru = wl
            .spec
            .update_strategy
            .as_ref()
            .and_then(|u| u.get("rollingUpdate"));
        let replicas = wl.spec.replicas.unwrap_or(1).max(1) as f64;
        let max_unavailable = match ru.and_then(|r| r.get("maxUnavailable")) {
            Some(serde_json::Value::Number(n)) => n.as_u64().unwrap_or(1) as usize,
            Some(serde_json::Value::String(s)) => s
                .strip_suffix('%')
                .and_then(|p| p.trim().parse::<f64>().ok())
                .map(|p| (replicas * p / 100.0).floor() as usize)
                .unwrap_or(1),
            _ => 1,
        };
        RollingUpdate {
            partition: ru
                .and_then(|r| r.get("partition"))
                .and_then(|p| p.as_i64())
                .unwrap_or(0)
                .max(0),
            max_unavailable: max_unavailable.max(1),
            paused: ru
                .and_then(|r| r.get("paused"))
                .and_then(|p| p.as_bool())
                .unwrap_or(false),
        }
    }
}

fn spec_image(p: &Pod) -> Option<&str> {
    p.spec.as_ref()?.containers.first()?.image.as_deref()
}

/// In-place image updates of the pods at or above the partition: pods that are unavailable
/// anyway are updated at once (that costs nothing); the others from the highest ordinal down,
/// while fewer than `maxUnavailable` pods are unavailable.
fn roll(
    cluster: &mut DemoCluster,
    workload: &str,
    pods: &[Pod],
    target_image: &str,
    strategy: &RollingUpdate,
) {
    let key_of = |p: &Pod| {
        ObjectKey::new(
            Kind::Pod,
            p.metadata.namespace.clone().unwrap_or_default(),
            p.metadata.name.clone().unwrap_or_default(),
        )
    };
    let busy = |cluster: &DemoCluster, p: &Pod| {
        !is_ready(p)
            || cluster
                .pods
                .get(&key_of(p))
                .is_some_and(|s| s.in_place_update.is_some())
    };
    let mut candidates: Vec<&Pod> = pods
        .iter()
        .filter(|p| !pods::is_terminating(p))
        .filter(|p| spec_image(p) != Some(target_image))
        .filter(|p| ordinal_of(p, workload).is_some_and(|i| i as i64 >= strategy.partition))
        .collect();
    candidates.sort_by_key(|p| std::cmp::Reverse(ordinal_of(p, workload).unwrap_or(0)));
    let mut unavailable = pods.iter().filter(|p| busy(cluster, p)).count();
    for p in candidates {
        if busy(cluster, p) {
            start_in_place_update(cluster, p, workload, target_image);
        } else if unavailable < strategy.max_unavailable {
            start_in_place_update(cluster, p, workload, target_image);
            unavailable += 1;
        }
    }
}

fn start_in_place_update(cluster: &mut DemoCluster, pod: &Pod, workload: &str, image: &str) {
    let now = cluster.state.now;
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let pk = ObjectKey::new(Kind::Pod, ns.clone(), name);
    let wl_key = ObjectKey::new(Kind::AdvancedStatefulSet, ns, workload);
    let inject_failure = cluster.fail_next_update.remove(&wl_key);
    let rev = revision(workload, image);
    let old_image = crate::model::pod::engine_image(pod)
        .unwrap_or_default()
        .to_string();
    let state = json!({
        "revision": rev,
        "updateTimestamp": format_time(now),
        "lastContainerStatuses": {pods::container_name(pod): {"imageID": format!("docker.io/{old_image}")}},
        "updateImages": true,
    });
    let image_owned = image.to_string();
    cluster.state.update_pod(&pk, |p| {
        p.metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(
                "workload.fluid.io/inplace-update-state".into(),
                state.to_string(),
            );
        p.metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert("controller-revision-hash".into(), rev.clone());
        if let Some(c) = p.spec.as_mut().and_then(|s| s.containers.first_mut()) {
            c.image = Some(image_owned.clone());
        }
        // A spec change: the API server counts it (upstream never sets InPlaceUpdateReady).
        p.metadata.generation = Some(p.metadata.generation.unwrap_or(1) + 1);
        pods::mark_node_not_ready(p, now);
    });
    if let Some(Object::Workload(w)) = cluster.state.get(&wl_key).cloned() {
        let pod_name = pk.name.clone();
        let msg = format!("successfully update pod {pod_name} in-place(revision {rev})");
        cluster.events.record(
            &mut cluster.state,
            &mut cluster.rng,
            &Involved::of(&Object::Workload(w)),
            EventType::Normal,
            "SuccessfulUpdatePodInPlace",
            &msg,
        );
    }
    let restart_at = now
        .checked_add(jiff::SignedDuration::from_secs(IN_PLACE_RESTART_SECONDS))
        .unwrap_or(now);
    if let Some(sim) = cluster.pods.get_mut(&pk) {
        sim.in_place_update = Some((image.to_string(), restart_at));
        sim.pull_failure = None;
        sim.fail_next_pull |= inject_failure;
    }
    if let Some(obj) = cluster.state.get(&pk).cloned() {
        let container = match &obj {
            Object::Pod(p) => pods::container_name(p),
            _ => String::new(),
        };
        let msg = format!("Container {container} definition changed, will be restarted");
        cluster.events.record(
            &mut cluster.state,
            &mut cluster.rng,
            &Involved::of(&obj).container(&container),
            EventType::Normal,
            "Killing",
            &msg,
        );
    }
}

fn reconcile_clients(cluster: &mut DemoCluster, rt_key: &ObjectKey) {
    let Some(rt) = cluster
        .state
        .runtime(&rt_key.namespace, &rt_key.name)
        .cloned()
    else {
        return;
    };
    if rt.component_phase(Component::Client) == crate::model::RuntimePhase::None {
        return;
    }
    let Some(class) = cluster.state.class(&rt.spec.runtime_class_name).cloned() else {
        return;
    };
    if !class.has_component(Component::Client) || rt.disabled(Component::Client) {
        return;
    }
    let now = cluster.state.now;
    let wl = workload_name(&rt_key.name, Component::Client);
    let nodes = cluster
        .client_nodes
        .get(&(rt_key.namespace.clone(), rt_key.name.clone()))
        .cloned()
        .unwrap_or_default();
    let present = nodes_of(cluster, &rt_key.namespace, &wl);
    for node in nodes {
        if present.contains(&node) || cluster.lost_nodes.contains_key(&node) {
            continue;
        }
        let marker = ObjectKey::new(Kind::Pod, rt_key.namespace.clone(), format!("{wl}@{node}"));
        let due = *cluster.recreate_after.entry(marker.clone()).or_insert(now);
        if due <= now {
            cluster.recreate_after.remove(&marker);
            let new = NewPod {
                node: Some(node),
                ..Default::default()
            };
            create_component_pod(cluster, &rt, &class, Component::Client, new);
        }
    }
}

/// Marks an ordinal/client pod as deleted so that its controller recreates it after a delay.
pub fn schedule_recreate(cluster: &mut DemoCluster, pod: &Pod) {
    let Some(ns) = pod.metadata.namespace.clone() else {
        return;
    };
    let at: Timestamp = cluster
        .state
        .now
        .checked_add(jiff::SignedDuration::from_secs(RECREATE_DELAY_SECONDS))
        .unwrap_or(cluster.state.now);
    let owner_kind = pod
        .metadata
        .owner_references
        .as_ref()
        .and_then(|o| o.first())
        .map(|o| o.kind.clone())
        .unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let key = if owner_kind == "DaemonSet" {
        let wl = pod
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(LABEL_COMPONENT))
            .cloned()
            .unwrap_or_default();
        let node = crate::model::pod::node_of(pod).unwrap_or_default();
        ObjectKey::new(Kind::Pod, ns, format!("{wl}@{node}"))
    } else {
        ObjectKey::new(Kind::Pod, ns, name)
    };
    cluster.recreate_after.insert(key, at);
}
