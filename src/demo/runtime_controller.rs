//! The cache-runtime controller (FLUID.md §3.1–3.2): Setup creates master, worker and client and
//! writes the three "initialized" conditions once; every pass recomputes component phases from
//! the pods; once ready, mountUFS runs in the master and the Dataset is bound. After bind only
//! Sync runs: replicas/image synced into the workloads, remount after a master restart.

use serde_json::json;

use super::events::{EventType, Involved};
use super::format;
use super::workloads;
use super::{DemoCluster, pod_template, pods, spec_defaults};
use crate::model::meta::{Condition, ConditionStatus, format_time};
use crate::model::pod::{LABEL_RUNTIME, is_ready};
use crate::model::runtime::ComponentStatus;
use crate::model::{
    CacheRuntime, CacheRuntimeClass, Component, Dataset, DatasetPhase, Kind, Object, ObjectKey,
    RuntimePhase,
};

const DATASET_FINALIZER: &str = "fluid-dataset-controller-finalizer";
const RUNTIME_FINALIZER: &str = "cache-runtime-controller-finalizer";
const RETRY_SECONDS: i64 = 5;
/// The label Fluid puts on a Dataset and its CacheRuntime: `<ns>-<name>`.
pub(super) const LABEL_DATASET_ID: &str = "fluid.io/dataset-id";
const MOUNT_RETRY_SECONDS: i64 = 20;

/// The condition Setup writes for a component: (type, reason, message).
fn init_condition(c: Component) -> (&'static str, &'static str, &'static str) {
    match c {
        Component::Master => (
            "MasterInitialized",
            "Master is initialized",
            "The master is initialized.",
        ),
        Component::Worker => (
            "WorkersReady",
            "Workers are initialized",
            "The worker is initialized.",
        ),
        Component::Client => (
            "FusesInitialized",
            "Fuses are initialized",
            "The client setup finished.",
        ),
    }
}

pub fn reconcile(cluster: &mut DemoCluster) {
    for key in cluster.state.keys_of(Kind::Dataset) {
        init_dataset(cluster, &key);
    }
    for key in cluster.state.keys_of(Kind::CacheRuntime) {
        reconcile_runtime(cluster, &key);
    }
}

/// The dataset controller's part: a new Dataset gets its finalizer and `NotBound`.
fn init_dataset(cluster: &mut DemoCluster, key: &ObjectKey) {
    cluster.state.update_dataset(key, |d| {
        let fin = d.metadata.finalizers.get_or_insert_with(Vec::new);
        if !fin.iter().any(|f| f == DATASET_FINALIZER) {
            fin.push(DATASET_FINALIZER.into());
        }
        if d.status.is_none() {
            d.status = Some(crate::model::dataset::DatasetStatus {
                phase: DatasetPhase::NotBound,
                ..Default::default()
            });
        }
    });
}

/// Fluid's `fluid.io/dataset-id: <ns>-<name>` label on the runtime `key` and its Dataset.
pub(super) fn label_dataset_id(cluster: &mut DemoCluster, key: &ObjectKey) {
    let dataset_id = format!("{}-{}", key.namespace, key.name);
    let ds_key = ObjectKey::new(Kind::Dataset, key.namespace.clone(), key.name.clone());
    let missing = |l: &Option<std::collections::BTreeMap<String, String>>| {
        l.as_ref().and_then(|l| l.get(LABEL_DATASET_ID)) != Some(&dataset_id)
    };
    if matches!(cluster.state.dataset(&key.namespace, &key.name), Some(d) if missing(&d.metadata.labels))
    {
        cluster.state.update_dataset(&ds_key, |d| {
            d.metadata
                .labels
                .get_or_insert_with(Default::default)
                .insert(LABEL_DATASET_ID.into(), dataset_id.clone());
        });
    }
    if matches!(cluster.state.runtime(&key.namespace, &key.name), Some(r) if missing(&r.metadata.labels))
    {
        cluster.state.update_runtime(key, |r| {
            r.metadata
                .labels
                .get_or_insert_with(Default::default)
                .insert(LABEL_DATASET_ID.into(), dataset_id.clone());
        });
    }
}

/// True when a periodic retry of `what` for `key` is due (and schedules the next one).
pub(super) fn retry_due(
    cluster: &mut DemoCluster,
    key: &ObjectKey,
    what: &'static str,
    period: i64,
) -> bool {
    let now = cluster.state.now;
    let slot = (key.clone(), what);
    if cluster.retry_at.get(&slot).is_some_and(|t| *t > now) {
        return false;
    }
    let next = now
        .checked_add(jiff::SignedDuration::from_secs(period))
        .unwrap_or(now);
    cluster.retry_at.insert(slot, next);
    true
}

pub(super) fn record(
    cluster: &mut DemoCluster,
    key: &ObjectKey,
    type_: EventType,
    reason: &str,
    message: &str,
) {
    if let Some(obj) = cluster.state.get(key).cloned() {
        cluster.events.record(
            &mut cluster.state,
            &mut cluster.rng,
            &Involved::of(&obj),
            type_,
            reason,
            message,
        );
    }
}

fn has_ready_condition(ds: &Dataset) -> bool {
    ds.status
        .as_ref()
        .is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "Ready"))
}

/// Whether the class has a master and the runtime does not disable it.
pub fn master_enabled(rt: &CacheRuntime, class: &CacheRuntimeClass) -> bool {
    class.has_component(Component::Master) && !rt.disabled(Component::Master)
}

fn reconcile_runtime(cluster: &mut DemoCluster, key: &ObjectKey) {
    let Some(rt) = cluster.state.runtime(&key.namespace, &key.name).cloned() else {
        return;
    };
    if rt.metadata.deletion_timestamp.is_some() {
        return;
    }
    let Some(ds) = cluster.state.dataset(&key.namespace, &key.name).cloned() else {
        if retry_due(cluster, key, "no-dataset", RETRY_SECONDS) {
            record(
                cluster,
                key,
                EventType::Warning,
                "ErrorProcessRuntime",
                "No dataset can be bound to the runtime, waiting.",
            );
        }
        return;
    };
    let ds_uid = ds.metadata.uid.clone().unwrap_or_default();
    let first_pass = !rt
        .metadata
        .finalizers
        .iter()
        .flatten()
        .any(|f| f == RUNTIME_FINALIZER);
    if first_pass && let Some(defaulted) = spec_defaults::with_defaults(&rt) {
        cluster.state.update_runtime(key, |r| {
            let generation = r.metadata.generation.unwrap_or(1);
            *r = defaulted;
            r.metadata.generation = Some(generation + 1);
        });
    }
    label_dataset_id(cluster, key);
    cluster.state.update_runtime(key, |r| {
        let owners = r.metadata.owner_references.get_or_insert_with(Vec::new);
        if !owners
            .iter()
            .any(|o| o.kind == "Dataset" && o.name == key.name)
        {
            owners.push(
                k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
                    api_version: crate::model::FLUID_API_VERSION.into(),
                    kind: "Dataset".into(),
                    name: key.name.clone(),
                    uid: ds_uid,
                    ..Default::default()
                },
            );
        }
        let fin = r.metadata.finalizers.get_or_insert_with(Vec::new);
        if !fin.iter().any(|f| f == RUNTIME_FINALIZER) {
            fin.push(RUNTIME_FINALIZER.into());
        }
    });
    let bound_elsewhere = ds
        .status
        .as_ref()
        .is_some_and(|s| !s.runtimes.is_empty() && !s.runtimes.iter().any(|r| r.name == key.name));
    if bound_elsewhere {
        if retry_due(cluster, key, "bound-elsewhere", RETRY_SECONDS) {
            record(
                cluster,
                key,
                EventType::Warning,
                "ErrorProcessRuntime",
                "Failed to setup ddc engine: the dataset is bound to another runtime",
            );
        }
        return;
    }
    let Some(class) = cluster.state.class(&rt.spec.runtime_class_name).cloned() else {
        if retry_due(cluster, key, "no-class", RETRY_SECONDS) {
            let msg = format!(
                "Failed to setup ddc engine: CacheRuntimeClass \"{}\" not found",
                rt.spec.runtime_class_name
            );
            record(
                cluster,
                key,
                EventType::Warning,
                "ErrorProcessRuntime",
                &msg,
            );
        }
        return;
    };
    let setup = !has_ready_condition(&ds);
    if setup {
        setup_components(cluster, key, &class);
    } else {
        sync_workload_spec(cluster, key, &class);
    }
    recompute_phases(cluster, key, &class);
    let Some(rt) = cluster.state.runtime(&key.namespace, &key.name).cloned() else {
        return;
    };
    if !runtime_ready(&rt, &class) {
        return;
    }
    if setup {
        let created = rt
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0)
            .unwrap_or(cluster.state.now);
        let took = format::go_duration(cluster.state.now.as_second() - created.as_second());
        cluster.state.update_runtime(key, |r| {
            let st = r.status.get_or_insert_with(Default::default);
            if st.setup_duration.is_none() {
                st.setup_duration = Some(took);
            }
        });
        if mount_ufs_configured(&rt, &class) {
            run_mount_ufs(cluster, key, &rt, &class, &ds);
        }
        bind(cluster, key, &rt, &class, &ds);
    } else {
        ufs_check(cluster, key, &rt, &class, &ds);
    }
}

/// runtime ready = master Ready (if present) AND worker Ready or PartialReady.
pub fn runtime_ready(rt: &CacheRuntime, class: &CacheRuntimeClass) -> bool {
    let master_ok =
        !master_enabled(rt, class) || rt.component_phase(Component::Master) == RuntimePhase::Ready;
    master_ok
        && matches!(
            rt.component_phase(Component::Worker),
            RuntimePhase::Ready | RuntimePhase::PartialReady
        )
}

fn mount_ufs_configured(rt: &CacheRuntime, class: &CacheRuntimeClass) -> bool {
    master_enabled(rt, class)
        && class
            .component(Component::Master)
            .and_then(|m| m.execution_entries.as_ref())
            .is_some_and(|e| e.mount_ufs.is_some())
}

fn report_summary_configured(rt: &CacheRuntime, class: &CacheRuntimeClass) -> bool {
    let executor = if master_enabled(rt, class) {
        Component::Master
    } else {
        Component::Worker
    };
    class
        .component(executor)
        .and_then(|m| m.execution_entries.as_ref())
        .is_some_and(|e| e.report_summary.is_some())
}

fn setup_components(cluster: &mut DemoCluster, key: &ObjectKey, class: &CacheRuntimeClass) {
    let now = format_time(cluster.state.now);
    cluster.state.update_runtime(key, |r| {
        let st = r.status.get_or_insert_with(Default::default);
        st.value_file = Some(format!("fluid-runtime-config-{}", key.name));
        if st.extra.get("cacheAffinity").is_none() {
            st.extra.insert(
                "cacheAffinity".into(),
                pod_template::cache_affinity(&key.namespace, &key.name),
            );
        }
        for slot in [&mut st.master, &mut st.worker, &mut st.client] {
            slot.get_or_insert_with(ComponentStatus::default);
        }
    });
    for c in Component::ALL {
        let Some(rt) = cluster.state.runtime(&key.namespace, &key.name).cloned() else {
            return;
        };
        if !class.has_component(c) || rt.disabled(c) || rt.component_phase(c) != RuntimePhase::None
        {
            continue;
        }
        let desired = match c {
            Component::Client => {
                let nodes = client_nodes_for(cluster, key);
                nodes.len() as i32
            }
            _ => {
                if let Some(wl) = workloads::build(cluster, &rt, class, c) {
                    cluster.state.put(Object::from(wl));
                }
                rt.component_spec(c).and_then(|s| s.replicas).unwrap_or(1)
            }
        };
        let (type_, reason, message) = init_condition(c);
        let now = now.clone();
        cluster.state.update_runtime(key, |r| {
            let s = r.component_status_mut(c);
            s.phase = RuntimePhase::NotReady;
            s.desired_replicas = (desired > 0).then_some(desired);
            let st = r.status.get_or_insert_with(Default::default);
            if !st.conditions.iter().any(|cd| cd.type_ == type_) {
                st.conditions.push(Condition {
                    type_: type_.into(),
                    status: ConditionStatus::True,
                    reason: Some(reason.into()),
                    message: Some(message.into()),
                    last_probe_time: Some(now.clone()),
                    last_transition_time: Some(now),
                    ..Default::default()
                });
            }
        });
    }
}

/// The nodes the client DaemonSet runs on: those where an application pod uses the dataset
/// (Fluid's CSI plugin labels them `fluid.io/f-<ns>-<name>`). None until something uses it
/// ([`super::DemoCluster::use_dataset`]), as upstream (FLUID.md §2.3 [obs]).
fn client_nodes_for(cluster: &mut DemoCluster, key: &ObjectKey) -> Vec<String> {
    let id = (key.namespace.clone(), key.name.clone());
    cluster.client_nodes.get(&id).cloned().unwrap_or_default()
}

fn nonzero(n: i32) -> Option<i32> {
    (n > 0).then_some(n)
}

/// Component phases and counts from the workloads (FLUID.md §3.1 step 3).
fn recompute_phases(cluster: &mut DemoCluster, key: &ObjectKey, class: &CacheRuntimeClass) {
    let Some(rt) = cluster.state.runtime(&key.namespace, &key.name).cloned() else {
        return;
    };
    for c in Component::ALL {
        if rt.component_phase(c) == RuntimePhase::None || !class.has_component(c) {
            continue;
        }
        let label = workloads::workload_name(&key.name, c);
        let pods = cluster.state.component_pods(&key.namespace, &label);
        let current = pods.len() as i32;
        let ready = pods.iter().filter(|p| is_ready(p)).count() as i32;
        let (desired, unavailable) = match c {
            Component::Client => {
                let desired = cluster
                    .client_nodes
                    .get(&(key.namespace.clone(), key.name.clone()))
                    .map(|n| n.len() as i32)
                    .unwrap_or(current);
                (desired, (desired - ready).max(0))
            }
            _ => {
                let desired = cluster
                    .state
                    .workload(&key.namespace, &label)
                    .and_then(|w| w.spec.replicas)
                    .unwrap_or(current);
                (desired, (current - ready).max(0))
            }
        };
        let phase = match c {
            Component::Master if ready == desired => RuntimePhase::Ready,
            Component::Master => RuntimePhase::NotReady,
            Component::Worker if desired == 0 || ready == desired => RuntimePhase::Ready,
            Component::Worker if ready >= 1 => RuntimePhase::PartialReady,
            Component::Worker => RuntimePhase::NotReady,
            Component::Client if desired > 0 && ready >= desired => RuntimePhase::Ready,
            Component::Client if ready > 0 => RuntimePhase::PartialReady,
            Component::Client => RuntimePhase::NotReady,
        };
        let want = (
            Some(&phase),
            nonzero(desired),
            nonzero(current),
            nonzero(ready),
            nonzero(unavailable),
        );
        let have = rt.component_status(c).map(|s| {
            (
                Some(&s.phase),
                s.desired_replicas,
                s.current_replicas,
                s.ready_replicas,
                s.unavailable_replicas,
            )
        });
        if have == Some(want)
            && rt
                .component_status(c)
                .is_some_and(|s| s.available_replicas == nonzero(ready))
        {
            continue;
        }
        cluster.state.update_runtime(key, |r| {
            let s = r.component_status_mut(c);
            s.phase = phase;
            s.desired_replicas = nonzero(desired);
            s.current_replicas = nonzero(current);
            s.ready_replicas = nonzero(ready);
            s.available_replicas = nonzero(ready);
            s.unavailable_replicas = nonzero(unavailable);
        });
    }
}

/// Sync: `spec.replicas` and, when both image and tag are set, the engine image go into the
/// master/worker AdvancedStatefulSets (FLUID.md §4.2). Nothing else is synced.
fn sync_workload_spec(cluster: &mut DemoCluster, key: &ObjectKey, class: &CacheRuntimeClass) {
    let Some(rt) = cluster.state.runtime(&key.namespace, &key.name).cloned() else {
        return;
    };
    for c in [Component::Master, Component::Worker] {
        let wl_key = ObjectKey::new(
            Kind::AdvancedStatefulSet,
            key.namespace.clone(),
            workloads::workload_name(&key.name, c),
        );
        let Some(spec) = rt.component_spec(c) else {
            continue;
        };
        let replicas = spec.replicas;
        let image = spec.runtime_version.as_ref().and_then(|v| v.reference());
        let _ = class;
        cluster.state.update_workload(&wl_key, |w| {
            let before = w.spec.clone();
            if let Some(r) = replicas {
                w.spec.replicas = Some(r);
            }
            if let Some(img) = &image
                && let Some(slot) = w
                    .spec
                    .template
                    .as_mut()
                    .and_then(|t| t.pointer_mut("/spec/containers/0/image"))
            {
                *slot = json!(img);
            }
            if w.spec != before {
                w.metadata.generation = Some(w.metadata.generation.unwrap_or(1) + 1);
            }
        });
    }
}

fn ufs_paths(ds: &Dataset) -> Vec<String> {
    ds.spec
        .mounts
        .iter()
        .filter(|m| !m.mount_point.starts_with("local://") && !m.mount_point.starts_with("pvc://"))
        .map(|m| m.cache_path())
        .collect()
}

/// "Executes" mountUFS in `<rt>-master-0`: log lines in the master, `mountTime` = now.
fn run_mount_ufs(
    cluster: &mut DemoCluster,
    key: &ObjectKey,
    rt: &CacheRuntime,
    class: &CacheRuntimeClass,
    ds: &Dataset,
) {
    let _ = (rt, class);
    let master0 = ObjectKey::new(
        Kind::Pod,
        key.namespace.clone(),
        format!("{}-master-0", key.name),
    );
    for m in &ds.spec.mounts {
        let line = format!("mount {} -> {} ok", m.mount_point, m.cache_path());
        super::logs::write(
            cluster,
            &master0,
            "INFO",
            "curvine_server::master::mount",
            &line,
        );
    }
    let mounted = serde_json::to_string(&json!({"mounted": ufs_paths(ds)})).unwrap_or_default();
    super::logs::write(
        cluster,
        &master0,
        "INFO",
        "curvine_server::master::mount",
        &format!("mountUFS result {mounted}"),
    );
    let now = format_time(cluster.state.now);
    cluster.state.update_runtime(key, |r| {
        r.status.get_or_insert_with(Default::default).mount_time = Some(now);
    });
}

/// What a reportSummary reports right after bind: an empty cache of the workers' capacity.
fn cache_states(rt: &CacheRuntime) -> std::collections::BTreeMap<String, String> {
    let worker = rt.component_spec(Component::Worker);
    let replicas = worker.and_then(|w| w.replicas).unwrap_or(1).max(0) as u64;
    let per_worker: u64 = worker
        .and_then(|w| w.extra.get("tieredStore"))
        .as_ref()
        .and_then(|t| t.get("levels"))
        .and_then(|l| l.as_array())
        .map(|levels| {
            levels
                .iter()
                .map(|level| {
                    let single = ["processMemory", "emptyDir"]
                        .iter()
                        .filter_map(|m| level.get(*m)?.get("quota")?.as_str())
                        .filter_map(format::quantity)
                        .sum::<u64>();
                    let host: u64 = level
                        .get("hostPath")
                        .and_then(|h| h.get("quotas"))
                        .and_then(|q| q.as_array())
                        .map(|qs| {
                            qs.iter()
                                .filter_map(|q| q.as_str())
                                .filter_map(format::quantity)
                                .sum()
                        })
                        .unwrap_or(0);
                    single + host
                })
                .sum()
        })
        .unwrap_or(0);
    let mut m = std::collections::BTreeMap::new();
    m.insert("cached".to_string(), format::bytes(0));
    m.insert(
        "cacheCapacity".to_string(),
        format::bytes(per_worker * replicas),
    );
    m.insert("cachedPercentage".to_string(), format::percent(0.0));
    m.insert("cacheHitRatio".to_string(), format::percent(0.0));
    m
}

/// Bind (FLUID.md §3.1 step 5).
fn bind(
    cluster: &mut DemoCluster,
    key: &ObjectKey,
    rt: &CacheRuntime,
    class: &CacheRuntimeClass,
    ds: &Dataset,
) {
    let now = format_time(cluster.state.now);
    let states = report_summary_configured(rt, class).then(|| cache_states(rt));
    let mounts = serde_json::to_value(&ds.spec.mounts).unwrap_or(json!([]));
    let ds_key = ObjectKey::new(Kind::Dataset, key.namespace.clone(), key.name.clone());
    let now2 = now.clone();
    cluster.state.update_runtime(key, |r| {
        let st = r.status.get_or_insert_with(Default::default);
        if st.mount_time.is_none() || !mount_ufs_configured(rt, class) {
            st.mount_time = Some(now2);
        }
    });
    cluster.state.update_dataset(&ds_key, |d| {
        let st = d.status.get_or_insert_with(Default::default);
        st.phase = DatasetPhase::Bound;
        upsert_condition(
            &mut st.conditions,
            "Ready",
            ConditionStatus::True,
            "DatasetReady",
            "The ddc runtime is ready.",
            &now,
        );
        st.extra.insert("mounts".into(), mounts);
        if !st.runtimes.iter().any(|r| r.name == key.name) {
            st.runtimes.push(crate::model::dataset::DatasetRuntime {
                name: key.name.clone(),
                namespace: key.namespace.clone(),
                category: Some("Accelerate".into()),
                type_: Some("cache".into()),
                ..Default::default()
            });
        }
        if let Some(states) = states {
            st.cache_states = states;
        }
    });
}

fn upsert_condition(
    conds: &mut Vec<Condition>,
    type_: &str,
    status: ConditionStatus,
    reason: &str,
    message: &str,
    now: &str,
) {
    match conds.iter_mut().find(|c| c.type_ == type_) {
        Some(c) => {
            if c.status != status {
                c.last_transition_time = Some(now.to_string());
            }
            c.status = status;
            c.reason = Some(reason.into());
            c.message = Some(message.into());
            c.last_update_time = Some(now.to_string());
        }
        None => conds.push(Condition {
            type_: type_.into(),
            status,
            reason: Some(reason.into()),
            message: Some(message.into()),
            last_update_time: Some(now.to_string()),
            last_transition_time: Some(now.to_string()),
            ..Default::default()
        }),
    }
}

/// Sync's UFS check: remount when the master container started after `mountTime`
/// (Bound → Updating → Bound, with upstream's condition quirk).
fn ufs_check(
    cluster: &mut DemoCluster,
    key: &ObjectKey,
    rt: &CacheRuntime,
    class: &CacheRuntimeClass,
    ds: &Dataset,
) {
    if !mount_ufs_configured(rt, class) {
        return;
    }
    let master0 = ObjectKey::new(
        Kind::Pod,
        key.namespace.clone(),
        format!("{}-master-0", key.name),
    );
    let Some(master) = cluster.state.pod(&master0).cloned() else {
        return;
    };
    let mount_time = rt
        .status
        .as_ref()
        .and_then(|s| s.mount_time.as_deref())
        .and_then(crate::model::meta::parse_time);
    let started = pods::started_at(&master);
    let needs_remount = matches!((started, mount_time), (Some(s), Some(m)) if s > m)
        || cluster.remounting.contains(key);
    if !needs_remount {
        return;
    }
    let now = format_time(cluster.state.now);
    let ds_key = ObjectKey::new(Kind::Dataset, key.namespace.clone(), key.name.clone());
    if !cluster.remounting.contains(key) {
        cluster.remounting.insert(key.clone());
        cluster.state.update_dataset(&ds_key, |d| {
            let st = d.status.get_or_insert_with(Default::default);
            st.phase = DatasetPhase::Updating;
            upsert_condition(
                &mut st.conditions,
                "Updating",
                ConditionStatus::True,
                "DatasetUpdating",
                "The ddc runtime is updating.",
                &now,
            );
        });
        return;
    }
    if !is_ready(&master) {
        if retry_due(cluster, key, "mount-ufs", MOUNT_RETRY_SECONDS) {
            record(
                cluster,
                key,
                EventType::Warning,
                "RuntimeMountUfsFailed",
                "Failed to execute mount ufs command",
            );
        }
        return;
    }
    run_mount_ufs(cluster, key, rt, class, ds);
    cluster.remounting.remove(key);
    let mounts = serde_json::to_value(&ds.spec.mounts).unwrap_or(json!([]));
    cluster.state.update_dataset(&ds_key, |d| {
        let st = d.status.get_or_insert_with(Default::default);
        st.phase = DatasetPhase::Bound;
        upsert_condition(
            &mut st.conditions,
            "Ready",
            ConditionStatus::False,
            "DatasetReady",
            "The ddc runtime has updated completely.",
            &now,
        );
        st.extra.insert("mounts".into(), mounts);
    });
}

/// Deleting a runtime: its workloads and pods go (garbage collection), the Dataset is unbound.
pub fn delete_runtime(cluster: &mut DemoCluster, key: &ObjectKey) {
    cluster.state.remove(key);
    for wl in cluster.state.keys_of(Kind::AdvancedStatefulSet) {
        let owned = matches!(cluster.state.get(&wl), Some(Object::Workload(w)) if w.metadata.namespace.as_deref() == Some(key.namespace.as_str())
            && w.metadata.labels.as_ref().and_then(|l| l.get(LABEL_RUNTIME)) == Some(&key.name));
        if owned {
            cluster.state.remove(&wl);
        }
    }
    let pods: Vec<ObjectKey> = cluster
        .state
        .pods()
        .filter(|p| p.metadata.namespace.as_deref() == Some(key.namespace.as_str()))
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(LABEL_RUNTIME))
                == Some(&key.name)
        })
        .map(|p| {
            ObjectKey::new(
                Kind::Pod,
                key.namespace.clone(),
                p.metadata.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    for pk in pods {
        cluster.state.remove(&pk);
        cluster.pods.remove(&pk);
        cluster.logs.forget(&pk);
    }
    cluster
        .client_nodes
        .remove(&(key.namespace.clone(), key.name.clone()));
    cluster.remounting.remove(key);
    let ds_key = ObjectKey::new(Kind::Dataset, key.namespace.clone(), key.name.clone());
    cluster.state.update_dataset(&ds_key, |d| {
        if let Some(st) = d.status.as_mut() {
            st.phase = DatasetPhase::NotBound;
            st.runtimes.clear();
            st.conditions.clear();
            st.cache_states.clear();
        }
    });
}
