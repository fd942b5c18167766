//! Plans for the built-in demo runtimes: step lists, summaries, refusals, suggestions.

use std::time::Duration;

use jiff::Timestamp;

use super::*;
use crate::cluster::Store;
use crate::demo::DemoCluster;
use crate::model::maintenance::{MaintenancePhase, MaintenanceStep, MaintenanceType, StepState};
use crate::model::operation::TargetPath;
use crate::model::pod::node_of;
use crate::model::{DatasetPhase, RuntimePhase};
use crate::workflows::{LOCK_ANNOTATION, RUNTIME_LABEL};

pub(crate) fn t0() -> Timestamp {
    "2026-11-25T10:02:00Z".parse().unwrap()
}

/// A store holding the built-in demo as listed at `t0`.
pub(crate) fn demo_store() -> (DemoCluster, Store) {
    let mut c = DemoCluster::builtin(7, t0());
    c.set_random_failures(false);
    let mut store = Store::new();
    for e in c.initial_events() {
        store.apply(e, t0());
    }
    (c, store)
}

pub(crate) fn feed(c: &mut DemoCluster, store: &mut Store, secs: u64) {
    for _ in 0..secs {
        let events = c.advance(Duration::from_secs(1));
        let now = c.now();
        for e in events {
            store.apply(e, now);
        }
    }
}

pub(crate) fn key(ns: &str, name: &str) -> ObjectKey {
    ObjectKey::new(crate::model::Kind::CacheRuntime, ns, name)
}

fn rows(steps: &[MaintenanceStep]) -> Vec<(String, String, String)> {
    steps
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.action.clone().unwrap_or_default(),
                s.target.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn row(n: &str, a: &str, t: &str) -> (String, String, String) {
    (n.into(), a.into(), t.into())
}

#[test]
fn upgrade_of_imagenet_train_steps_master_then_worker_highest_ordinal_first() {
    let (_, store) = demo_store();
    let req = UpgradeRequest::new(
        key("imagenet", "imagenet-train"),
        "curvine/curvine",
        "v0.2.6",
    );
    let p = plan_upgrade(&store, &req, "imagenet-train-upgrade-x", t0()).unwrap();
    let st = p.record.status.as_ref().unwrap();
    assert_eq!(st.phase, MaintenancePhase::Planned);
    assert!(st.steps.iter().all(|s| s.state == StepState::Pending));
    assert_eq!(
        rows(&st.steps),
        vec![
            row("preflight", "Preflight", "CacheRuntime/imagenet-train"),
            row(
                "patch-master",
                "PatchRuntime",
                "CacheRuntime/imagenet-train"
            ),
            row("wait-master-0", "Wait", "Pod/imagenet-train-master-0"),
            row("remount-master", "Wait", "CacheRuntime/imagenet-train"),
            row(
                "patch-worker",
                "PatchRuntime",
                "CacheRuntime/imagenet-train"
            ),
            row("wait-worker-2", "Wait", "Pod/imagenet-train-worker-2"),
            row("wait-worker-1", "Wait", "Pod/imagenet-train-worker-1"),
            row("wait-worker-0", "Wait", "Pod/imagenet-train-worker-0"),
            row("verify", "Wait", "CacheRuntime/imagenet-train"),
        ]
    );
    assert_eq!(
        st.previous
            .get("master")
            .and_then(|v| v.reference())
            .as_deref(),
        Some("curvine/curvine:v0.2.5")
    );
    let m = &p.record.metadata;
    assert_eq!(m.namespace.as_deref(), Some("imagenet"));
    assert_eq!(
        m.labels
            .as_ref()
            .unwrap()
            .get(RUNTIME_LABEL)
            .map(String::as_str),
        Some("imagenet-train")
    );
    assert_eq!(p.record.spec.components, vec!["master", "worker"]);
    let changes: Vec<String> = p.summary.changes.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        changes[0],
        "master CacheRuntime/imagenet-train: spec.master.runtimeVersion curvine/curvine:v0.2.5 → curvine/curvine:v0.2.6"
    );
    assert!(
        changes.iter().any(|c| c.starts_with("worker Pod/imagenet-train-worker-2: image curvine/curvine:v0.2.5 → curvine/curvine:v0.2.6; container restarted in place on ")),
        "{changes:#?}"
    );
    // The worker's hostPath tier survives an in-place restart.
    assert!(
        p.summary
            .stays
            .iter()
            .any(|s| s.starts_with("worker tier level-0 hostPath /mnt/nvme0/curvine 800Gi: kept")),
        "{:#?}",
        p.summary.stays
    );
    assert!(
        p.summary
            .warnings
            .iter()
            .any(|w| w.contains("client pods keep curvine/curvine:v0.2.5"))
    );
}

#[test]
fn confirm_each_step_with_several_workers_turns_on_the_partition() {
    let (_, store) = demo_store();
    let mut req = UpgradeRequest::new(
        key("imagenet", "imagenet-train"),
        "curvine/curvine",
        "v0.2.6",
    );
    req.components = vec![Component::Worker];
    req.strategy.confirm_each_step = Some(true);
    let p = plan_upgrade(&store, &req, "u", t0()).unwrap();
    let st = p.record.status.as_ref().unwrap();
    assert_eq!(
        rows(&st.steps),
        vec![
            row("preflight", "Preflight", "CacheRuntime/imagenet-train"),
            row(
                "partition-worker",
                "PatchPartition",
                "AdvancedStatefulSet/imagenet-train-worker"
            ),
            row(
                "patch-worker",
                "PatchRuntime",
                "CacheRuntime/imagenet-train"
            ),
            row(
                "update-worker-2",
                "PatchPartition",
                "Pod/imagenet-train-worker-2"
            ),
            row(
                "update-worker-1",
                "PatchPartition",
                "Pod/imagenet-train-worker-1"
            ),
            row(
                "update-worker-0",
                "PatchPartition",
                "Pod/imagenet-train-worker-0"
            ),
            row("verify", "Wait", "CacheRuntime/imagenet-train"),
        ]
    );
    assert_eq!(
        p.record.spec.strategy.as_ref().unwrap().use_partition,
        Some(true)
    );
    assert!(
        p.summary
            .warnings
            .iter()
            .any(|w| w.contains("usePartition is turned on"))
    );
}

#[test]
fn workers_only_runtime_upgrades_its_workers_without_remount() {
    let (_, store) = demo_store();
    let req = UpgradeRequest::new(
        key("imagenet", "imagenet-val"),
        "juicedata/mount",
        "ce-v1.2.4",
    );
    let p = plan_upgrade(&store, &req, "u", t0()).unwrap();
    let names: Vec<String> = p
        .record
        .status
        .unwrap()
        .steps
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names.first().map(String::as_str), Some("preflight"));
    assert!(names.contains(&"patch-worker".to_string()));
    assert!(!names.iter().any(|n| n.contains("master")), "{names:?}");
}

#[test]
fn upgrade_refusals_say_why() {
    let (_, mut store) = demo_store();
    let rt = key("imagenet", "imagenet-train");
    let msg = |store: &Store, req: &UpgradeRequest| {
        plan_upgrade(store, req, "u", t0()).unwrap_err().to_string()
    };
    let mut req = UpgradeRequest::new(rt.clone(), "curvine/curvine", "v0.2.5");
    assert_eq!(
        msg(&store, &req),
        "every selected component already runs curvine/curvine:v0.2.5"
    );
    req.image_tag = " ".into();
    assert!(msg(&store, &req).starts_with("image tag is empty"));
    req.image_tag = "v0.2.6".into();
    req.image = String::new();
    assert!(msg(&store, &req).starts_with("image is empty"));
    req.image = "curvine/curvine".into();
    req.components = vec![Component::Worker, Component::Client];
    assert!(msg(&store, &req).contains("upstream never updates the client DaemonSet"));
    req.components.clear();
    assert_eq!(
        msg(
            &store,
            &UpgradeRequest::new(key("imagenet", "nope"), "a", "b")
        ),
        "CacheRuntime imagenet/nope not found"
    );
    let mut val = UpgradeRequest::new(key("imagenet", "imagenet-val"), "a", "b");
    val.components = vec![Component::Master];
    assert!(msg(&store, &val).starts_with("this runtime has no master"));

    // Locked by another run.
    let mut locked = store.runtime("imagenet", "imagenet-train").unwrap().clone();
    locked
        .metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(LOCK_ANNOTATION.into(), "other-run".into());
    store.apply(
        crate::cluster::ClusterEvent::Applied(crate::model::Object::Runtime(Box::new(locked))),
        t0(),
    );
    assert_eq!(
        msg(&store, &req),
        "CacheRuntime imagenet/imagenet-train is locked by maintenance other-run (annotation fluidops.io/maintenance); finish or abort that run first"
    );
}

#[test]
fn upgrade_refused_while_the_dataset_is_not_bound_or_the_master_is_down() {
    let (_, mut store) = demo_store();
    let req = UpgradeRequest::new(
        key("imagenet", "imagenet-train"),
        "curvine/curvine",
        "v0.2.6",
    );
    let mut ds = store.dataset("imagenet", "imagenet-train").unwrap().clone();
    ds.status.as_mut().unwrap().phase = DatasetPhase::Updating;
    store.apply(
        crate::cluster::ClusterEvent::Applied(crate::model::Object::from(ds.clone())),
        t0(),
    );
    assert_eq!(
        plan_upgrade(&store, &req, "u", t0()).unwrap_err(),
        Refusal::DatasetNotBound {
            dataset: "imagenet/imagenet-train".into(),
            phase: "Updating".into()
        }
    );
    ds.status.as_mut().unwrap().phase = DatasetPhase::Bound;
    store.apply(
        crate::cluster::ClusterEvent::Applied(crate::model::Object::from(ds)),
        t0(),
    );
    let mut rt = store.runtime("imagenet", "imagenet-train").unwrap().clone();
    rt.component_status_mut(Component::Master).phase = RuntimePhase::NotReady;
    store.apply(
        crate::cluster::ClusterEvent::Applied(crate::model::Object::Runtime(Box::new(rt))),
        t0(),
    );
    let e = plan_upgrade(&store, &req, "u", t0()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "master is NotReady, not Ready: fix the master first (workers and mounts depend on it)"
    );
}

#[test]
fn rebuild_of_the_lost_qwen_worker_force_deletes_and_rewarms() {
    let (_, store) = demo_store();
    let mut req = RebuildRequest::new(key("llm-serving", "qwen-weights"), "NodeFailure");
    req.nodes = vec!["gpu-node-07".into()];
    req.force_delete_lost_pods = true;
    req.reload_data = true;
    req.data_load = Some(RebuildDataLoad {
        load_metadata: Some(false),
        target: vec![TargetPath {
            path: "/models/qwen2.5-7b-instruct".into(),
            replicas: Some(2),
            ..Default::default()
        }],
    });
    let p = plan_rebuild(&store, &req, "qwen-weights-rebuild-x", t0()).unwrap();
    let st = p.record.status.as_ref().unwrap();
    assert_eq!(
        rows(&st.steps),
        vec![
            row("preflight", "Preflight", "CacheRuntime/qwen-weights"),
            row(
                "force-delete-worker-2",
                "ForceDeletePod",
                "Pod/qwen-weights-worker-2"
            ),
            row("wait-worker-2", "Wait", "Pod/qwen-weights-worker-2"),
            row(
                "rewarm",
                "CreateDataLoad",
                "DataLoad/qwen-weights-rebuild-x-rewarm"
            ),
            row(
                "wait-rewarm",
                "Wait",
                "DataLoad/qwen-weights-rebuild-x-rewarm"
            ),
            row("verify", "Wait", "CacheRuntime/qwen-weights"),
        ]
    );
    assert!(
        p.summary.changes[0]
            .change
            .starts_with("force-deleted (Terminating since")
    );
    // processMemory and emptyDir tiers start empty on a recreated pod.
    assert!(
        p.summary
            .stays
            .iter()
            .any(|s| s.contains("processMemory 64Gi: lost"))
    );
    assert!(
        p.summary
            .stays
            .iter()
            .any(|s| s.contains("emptyDir 400Gi: lost"))
    );
    let rb = p.record.spec.rebuild.unwrap();
    assert_eq!(rb.reason.as_deref(), Some("NodeFailure"));
    assert_eq!(
        rb.data_load.unwrap().target[0].path,
        "/models/qwen2.5-7b-instruct"
    );
}

#[test]
fn rebuild_without_force_warns_about_the_lost_node_and_batches_by_max_unavailable() {
    let (_, store) = demo_store();
    let mut req = RebuildRequest::new(key("imagenet", "imagenet-train"), "Manual");
    req.strategy.max_unavailable = Some(2);
    let p = plan_rebuild(&store, &req, "r", t0()).unwrap();
    let names: Vec<String> = p
        .record
        .status
        .unwrap()
        .steps
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(
        names,
        vec![
            "preflight",
            "delete-worker-2",
            "delete-worker-1",
            "wait-worker-2",
            "wait-worker-1",
            "delete-worker-0",
            "wait-worker-0",
            "verify"
        ]
    );
    let mut lost = RebuildRequest::new(key("llm-serving", "qwen-weights"), "NodeFailure");
    lost.pods = vec!["qwen-weights-worker-2".into()];
    let p = plan_rebuild(&store, &lost, "r", t0()).unwrap();
    assert!(
        p.summary
            .warnings
            .iter()
            .any(|w| w.contains("set forceDeleteLostPods")),
        "{:#?}",
        p.summary.warnings
    );
}

#[test]
fn rebuild_refusals_say_why() {
    let (_, store) = demo_store();
    let msg = |req: &RebuildRequest| {
        plan_rebuild(&store, req, "r", t0())
            .unwrap_err()
            .to_string()
    };
    let rt = key("imagenet", "imagenet-train");
    let mut req = RebuildRequest::new(rt.clone(), "Because");
    assert!(msg(&req).starts_with("rebuild reason \"Because\" is not one of"));
    req.reason = "Manual".into();
    req.components = vec![Component::Client];
    assert!(msg(&req).contains("interrupts the FUSE mount of every app pod on their nodes"));
    req.components = vec![Component::Worker];
    req.nodes = vec!["nowhere".into()];
    assert_eq!(
        msg(&req),
        "no pods match components worker on nodes nowhere"
    );
    req.nodes.clear();
    req.pods = vec!["imagenet-train-worker-9".into()];
    assert_eq!(
        msg(&req),
        "pod imagenet-train-worker-9 is not a cache pod of this runtime"
    );
    // Client pods are allowed once the operator confirmed the mount interruption.
    let mut client = RebuildRequest::new(rt, "Manual");
    client.components = vec![Component::Client];
    client.client_confirmed = true;
    let p = plan_rebuild(&store, &client, "r", t0()).unwrap();
    assert!(
        p.summary
            .changes
            .iter()
            .all(|c| c.change.contains("lose their FUSE mount"))
    );
}

#[test]
fn candidates_after_a_node_is_lost() {
    let (mut c, mut store) = demo_store();
    let rt = key("imagenet", "imagenet-train");
    assert!(
        rebuild_candidates(&store, &rt, c.now()).is_empty(),
        "a healthy runtime has none"
    );
    let worker1 = store
        .pods_of_runtime("imagenet", "imagenet-train")
        .into_iter()
        .find(|p| p.metadata.name.as_deref() == Some("imagenet-train-worker-1"))
        .unwrap()
        .clone();
    let node = node_of(&worker1).unwrap().to_string();
    c.fail_node(&node);
    feed(&mut c, &mut store, 3);
    let cands = rebuild_candidates(&store, &rt, c.now());
    assert!(
        cands.iter().any(|k| k.pod == "imagenet-train-worker-1"
            && k.reason == "NodeFailure"
            && k.lost_or_stale
            && k.why.contains("NodeNotReady")),
        "{cands:#?}"
    );
    // After the eviction timeout the pod is Terminating with DisruptionTarget.
    feed(&mut c, &mut store, 301);
    let cands = rebuild_candidates(&store, &rt, c.now());
    let w1 = cands
        .iter()
        .find(|k| k.pod == "imagenet-train-worker-1")
        .unwrap();
    assert!(w1.why.starts_with("Terminating since"), "{}", w1.why);
    assert_eq!(w1.node, node);
    // The qwen runtime starts with a worker stuck on a lost node.
    let q = rebuild_candidates(&store, &key("llm-serving", "qwen-weights"), c.now());
    assert!(
        q.iter()
            .any(|k| k.pod == "qwen-weights-worker-2" && k.node == "gpu-node-07")
    );
}

#[test]
fn env_change_is_not_syncable() {
    let (_, mut store) = demo_store();
    let rt_key = key("imagenet", "imagenet-train");
    // The worker template as Fluid renders it at creation (the demo's seeded one is minimal).
    let wl_key = ObjectKey::new(
        crate::model::Kind::AdvancedStatefulSet,
        "imagenet",
        "imagenet-train-worker",
    );
    let Some(crate::model::Object::Workload(mut wl)) = store.get(&wl_key).cloned() else {
        panic!("no worker workload")
    };
    let c0 = wl
        .spec
        .template
        .as_mut()
        .and_then(|t| t.pointer_mut("/spec/containers/0"))
        .unwrap();
    // Fluid renders the class template's env plus its own variables.
    let class = store.class("curvine-standard").unwrap();
    let mut env = class
        .component(Component::Worker)
        .and_then(|d| d.template.as_ref())
        .and_then(|t| t.pointer("/spec/containers/0/env"))
        .and_then(|e| e.as_array())
        .cloned()
        .unwrap_or_default();
    env.push(serde_json::json!({"name": "FLUID_RUNTIME_COMPONENT_TYPE", "value": "worker"}));
    env.push(serde_json::json!({"name": "CURVINE_LOG_LEVEL", "value": "info"}));
    c0["env"] = serde_json::Value::Array(env);
    store.apply(
        crate::cluster::ClusterEvent::Applied(crate::model::Object::Workload(wl)),
        t0(),
    );
    assert_eq!(not_syncable(&store, &rt_key), Vec::<String>::new());
    let mut rt = store.runtime("imagenet", "imagenet-train").unwrap().clone();
    rt.component_spec_mut(Component::Worker).extra.insert(
        "env".into(),
        serde_json::json!([{"name": "CURVINE_LOG_LEVEL", "value": "debug"}]),
    );
    store.apply(
        crate::cluster::ClusterEvent::Applied(crate::model::Object::Runtime(Box::new(rt))),
        t0(),
    );
    let out = not_syncable(&store, &rt_key);
    assert_eq!(
        out,
        vec![
            "spec.worker.env CURVINE_LOG_LEVEL=debug is not in the running worker pods; re-create the CacheRuntime to apply it (Fluid never updates a workload template after creation)"
        ]
    );
    // An upgrade plan repeats it as a warning; a ConfigChange rebuild too (it cannot apply it).
    let req = UpgradeRequest::new(rt_key.clone(), "curvine/curvine", "v0.2.6");
    let p = plan_upgrade(&store, &req, "u", t0()).unwrap();
    assert!(
        p.summary
            .warnings
            .iter()
            .any(|w| w.contains("CURVINE_LOG_LEVEL"))
    );
    let rb = plan_rebuild(
        &store,
        &RebuildRequest::new(rt_key, "ConfigChange"),
        "r",
        t0(),
    )
    .unwrap();
    assert!(
        rb.summary
            .warnings
            .iter()
            .any(|w| w.starts_with("not applied by a rebuild: spec.worker.env CURVINE_LOG_LEVEL"))
    );
}

#[test]
fn names_are_dns_labels_unique_per_second() {
    let n = maintenance_name("imagenet-train", MaintenanceType::Upgrade, t0());
    assert_eq!(n, "imagenet-train-upgrade-20261125100200");
    let long = "a".repeat(80);
    let n = maintenance_name(&long, MaintenanceType::Rebuild, t0());
    assert!(
        n.len() <= 45 && n.ends_with("-rebuild-20261125100200"),
        "{n}"
    );
    let n = maintenance_name("Weird_Name.", MaintenanceType::Upgrade, t0());
    assert_eq!(n, "weird-name-upgrade-20261125100200");
    assert!(rewarm_name(&maintenance_name(&long, MaintenanceType::Rebuild, t0())).len() <= 52);
}

#[test]
fn upgrading_a_runtime_with_a_lost_worker_warns_to_rebuild_it_first() {
    let (_, store) = demo_store();
    let req = UpgradeRequest::new(
        key("llm-serving", "qwen-weights"),
        "curvine/curvine",
        "v0.2.6",
    );
    let p = plan_upgrade(&store, &req, "u", t0()).unwrap();
    assert!(
        p.summary
            .warnings
            .iter()
            .any(|w| w.starts_with("worker is PartialReady")),
        "{:#?}",
        p.summary.warnings
    );
    assert!(
        p.summary.warnings.iter().any(|w| w
            .starts_with("qwen-weights-worker-2: Terminating since")
            && w.contains("rebuild it first")),
        "{:#?}",
        p.summary.warnings
    );
}

#[test]
fn a_spec_change_after_the_pods_started_suggests_a_config_rebuild() {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ManagedFieldsEntry, Time};
    let (_, mut store) = demo_store();
    let rt_key = key("imagenet", "imagenet-train");
    assert!(rebuild_candidates(&store, &rt_key, t0()).is_empty());
    let mut rt = store.runtime("imagenet", "imagenet-train").unwrap().clone();
    rt.metadata.managed_fields = Some(vec![ManagedFieldsEntry {
        manager: Some("kubectl-edit".into()),
        operation: Some("Update".into()),
        time: Some(Time(t0())),
        ..Default::default()
    }]);
    store.apply(
        crate::cluster::ClusterEvent::Applied(crate::model::Object::Runtime(Box::new(rt))),
        t0(),
    );
    let cands = rebuild_candidates(&store, &rt_key, t0());
    let w0 = cands
        .iter()
        .find(|c| c.pod == "imagenet-train-worker-0")
        .expect("worker-0 started before the change");
    assert_eq!(w0.reason, "ConfigChange");
    assert!(!w0.lost_or_stale);
    assert!(
        w0.why.starts_with(
            "CacheRuntime spec changed at 2026-11-25T10:02:00Z after the pod started at"
        ),
        "{}",
        w0.why
    );
}

#[test]
fn without_client_pods_the_upgrade_plan_has_no_client_warning_and_keeps_the_remount_wait() {
    let (_, mut store) = demo_store();
    let rt = key("imagenet", "imagenet-train");
    let clients: Vec<ObjectKey> = crate::workflows::observe::component_pods(
        &store,
        &rt.namespace,
        &rt.name,
        Component::Client,
    )
    .iter()
    .map(|p| {
        ObjectKey::new(
            crate::model::Kind::Pod,
            rt.namespace.clone(),
            p.metadata.name.clone().unwrap_or_default(),
        )
    })
    .collect();
    assert!(!clients.is_empty(), "the demo runtime has client pods");
    for k in clients {
        store.apply(crate::cluster::ClusterEvent::Deleted(k), t0());
    }
    let req = UpgradeRequest::new(rt, "curvine/curvine", "v0.2.6");
    let p = plan_upgrade(&store, &req, "u", t0()).unwrap();
    assert!(
        !p.summary.warnings.iter().any(|w| w.contains("client")),
        "{:#?}",
        p.summary.warnings
    );
    let steps = &p.record.status.as_ref().unwrap().steps;
    assert!(
        rows(steps).contains(&row(
            "remount-master",
            "Wait",
            "CacheRuntime/imagenet-train"
        )),
        "{:#?}",
        rows(steps)
    );
}
