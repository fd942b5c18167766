//! The embedded demo cluster on a stepped clock with fixed seeds: runtime bring-up, binding,
//! the DataOperation state machine, cron, faults, determinism, seed loading and scenarios.

use std::time::Duration;

use fluidops::cluster::ClusterEvent;
use fluidops::demo::{DemoCluster, JobOutcome, OperatorAction, Player, Scenario, ScenarioAction};
use fluidops::model::{
    CacheRuntime, Component, DataOperation, Dataset, DatasetPhase, Kind, Object, ObjectKey, OpKind,
    OpPhase, Pod, RuntimePhase,
};

const T0: &str = "2026-11-25T10:02:00Z";

fn t0() -> jiff::Timestamp {
    T0.parse().expect("t0")
}

fn quiet(seed: u64) -> DemoCluster {
    let mut c = DemoCluster::builtin(seed, t0());
    c.set_random_failures(false);
    c
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn runtime(c: &DemoCluster, ns: &str, name: &str) -> CacheRuntime {
    match c.get(&ObjectKey::new(Kind::CacheRuntime, ns, name)) {
        Some(Object::Runtime(r)) => (**r).clone(),
        other => panic!("no runtime {ns}/{name}: {other:?}"),
    }
}

fn dataset(c: &DemoCluster, ns: &str, name: &str) -> Dataset {
    match c.get(&ObjectKey::new(Kind::Dataset, ns, name)) {
        Some(Object::Dataset(d)) => (**d).clone(),
        other => panic!("no dataset {ns}/{name}: {other:?}"),
    }
}

fn op_key(kind: OpKind, ns: &str, name: &str) -> ObjectKey {
    ObjectKey::new(Kind::Operation(kind), ns, name)
}

fn op(c: &DemoCluster, key: &ObjectKey) -> Option<DataOperation> {
    match c.get(key) {
        Some(Object::Operation(o)) => Some((**o).clone()),
        _ => None,
    }
}

fn pod(c: &DemoCluster, ns: &str, name: &str) -> Option<Pod> {
    match c.get(&ObjectKey::new(Kind::Pod, ns, name)) {
        Some(Object::Pod(p)) => Some((**p).clone()),
        _ => None,
    }
}

fn phase(c: &DemoCluster, ns: &str, rt: &str, comp: Component) -> RuntimePhase {
    runtime(c, ns, rt).component_phase(comp)
}

fn events_with_reason(c: &DemoCluster, reason: &str, name: &str) -> Vec<fluidops::model::Event> {
    c.objects()
        .into_iter()
        .filter_map(|o| match o {
            Object::Event(e)
                if e.reason.as_deref() == Some(reason)
                    && e.involved_object.name.as_deref() == Some(name) =>
            {
                Some(*e)
            }
            _ => None,
        })
        .collect()
}

/// Steps one second at a time until `done` holds (returns the elapsed seconds) or panics.
fn run_until(
    c: &mut DemoCluster,
    limit: u64,
    what: &str,
    mut done: impl FnMut(&DemoCluster) -> bool,
) -> u64 {
    for s in 1..=limit {
        c.advance(secs(1));
        if done(c) {
            return s;
        }
    }
    panic!("{what} not reached within {limit}s");
}

fn is_go_duration(s: &str) -> bool {
    let re = regex::Regex::new(r"^(\d+h)?(\d+m)?\d+s$").expect("regex");
    re.is_match(s)
}

#[test]
fn initial_events_list_every_kind() {
    let c = quiet(1);
    let ev = c.initial_events();
    assert_eq!(ev.len(), Kind::ALL.len());
    for (e, k) in ev.iter().zip(Kind::ALL) {
        assert!(matches!(e, ClusterEvent::Listed { kind, .. } if *kind == k));
    }
    let ClusterEvent::Listed { objects, .. } = &ev[1] else {
        panic!()
    };
    assert!(objects.len() >= 4, "datasets listed");
}

#[test]
fn runtime_comes_up_master_then_workers_then_client() {
    let mut c = quiet(1);
    let (ns, rt) = ("feature-store", "feature-cache");
    assert!(runtime(&c, ns, rt).status.is_none());
    c.advance(secs(1));
    let r = runtime(&c, ns, rt);
    for comp in Component::ALL {
        assert_eq!(
            r.component_phase(comp),
            RuntimePhase::NotReady,
            "{comp} after setup pass"
        );
    }
    let st = r.status.clone().expect("status");
    assert_eq!(
        st.value_file.as_deref(),
        Some("fluid-runtime-config-feature-cache")
    );
    let types: Vec<_> = st.conditions.iter().map(|c| c.type_.as_str()).collect();
    assert_eq!(
        types,
        ["MasterInitialized", "WorkersReady", "FusesInitialized"]
    );
    assert_eq!(
        st.conditions[1].reason.as_deref(),
        Some("Workers are initialized")
    );
    assert!(
        !r.status
            .as_ref()
            .map(|s| s.extra.contains_key("phase"))
            .unwrap_or(false)
    );
    // Workloads as Fluid creates them.
    for comp in ["master", "worker"] {
        let Some(Object::Workload(w)) = c.get(&ObjectKey::new(
            Kind::AdvancedStatefulSet,
            ns,
            format!("{rt}-{comp}"),
        )) else {
            panic!("no {comp} asts")
        };
        let v = serde_json::to_value(w).expect("json");
        assert_eq!(v["spec"]["podManagementPolicy"], "Parallel");
        assert_eq!(
            v["spec"]["updateStrategy"]["rollingUpdate"]["podUpdatePolicy"],
            "InPlaceIfPossible"
        );
        assert_eq!(v["metadata"]["ownerReferences"][0]["kind"], "CacheRuntime");
    }
    // As upstream: the client wants no pod until an application uses the dataset.
    c.advance(secs(1));
    let cl = runtime(&c, ns, rt);
    let cl = cl
        .component_status(Component::Client)
        .expect("client status");
    assert_eq!(
        (&cl.phase, cl.desired_replicas, cl.ready_replicas),
        (&RuntimePhase::NotReady, None, None)
    );
    let used = ObjectKey::new(Kind::Dataset, ns, rt);
    c.use_dataset(&used).expect("an app on one node");
    c.use_dataset(&used).expect("an app on another node");

    let mut first_ready = std::collections::BTreeMap::new();
    let mut worker_partial_seen = false;
    for s in 3..=60u64 {
        c.advance(secs(1));
        for comp in Component::ALL {
            if phase(&c, ns, rt, comp) == RuntimePhase::Ready {
                first_ready.entry(comp).or_insert(s);
            }
        }
        worker_partial_seen |= phase(&c, ns, rt, Component::Worker) == RuntimePhase::PartialReady;
    }
    let (m, w, cl) = (
        first_ready[&Component::Master],
        first_ready[&Component::Worker],
        first_ready[&Component::Client],
    );
    assert!(m < w && w <= cl, "master {m} → worker {w} → client {cl}");
    assert!(worker_partial_seen, "workers pass through PartialReady");
    let r = runtime(&c, ns, rt);
    let ws = r
        .component_status(Component::Worker)
        .expect("worker status");
    assert_eq!(
        (
            ws.desired(),
            ws.ready(),
            ws.available_replicas,
            ws.unavailable_replicas
        ),
        (6, 6, Some(6), None)
    );
    assert_eq!(
        r.component_status(Component::Master).map(|s| s.ready()),
        Some(1)
    );
    assert_eq!(
        r.component_status(Component::Client)
            .map(|s| (s.desired(), s.ready())),
        Some((2, 2))
    );
    let st = r.status.expect("status");
    assert!(st.setup_duration.as_deref().is_some_and(is_go_duration));
    assert!(st.mount_time.is_some());

    let w0 = pod(&c, ns, "feature-cache-worker-0").expect("worker-0");
    let labels = w0.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels["cacheruntime.fluid.io/name"], rt);
    assert_eq!(
        labels["cacheruntime.fluid.io/component-name"],
        "feature-cache-worker"
    );
    assert_eq!(labels["fluid.io/dataset"], "feature-store-feature-cache");
    assert_eq!(labels["fluid.io/dataset-placement"], "Exclusive");
    assert_eq!(
        labels["statefulset.kubernetes.io/pod-name"],
        "feature-cache-worker-0"
    );
    assert_eq!(labels["apps.kubernetes.io/pod-index"], "0");
    assert_eq!(
        fluidops::model::pod::engine_image(&w0),
        Some("curvine/curvine:v0.2.5")
    );
    let clients = c.objects().into_iter().filter(|o| matches!(o, Object::Pod(p) if p.metadata.name.as_deref().is_some_and(|n| n.starts_with("feature-cache-client-")))).count();
    assert_eq!(clients, 2);
}

#[test]
fn dataset_binds_once_and_conditions_are_written_once() {
    let mut c = quiet(2);
    let (ns, rt) = ("feature-store", "feature-cache");
    c.advance(secs(1));
    assert_eq!(dataset(&c, ns, rt).phase(), DatasetPhase::NotBound);
    run_until(&mut c, 90, "bind", |c| {
        dataset(c, ns, rt).phase() == DatasetPhase::Bound
    });
    let d = dataset(&c, ns, rt);
    let st = d.status.expect("status");
    let ready = st
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .expect("Ready condition");
    assert_eq!(ready.status.as_str(), "True");
    assert_eq!(ready.reason.as_deref(), Some("DatasetReady"));
    assert_eq!(ready.message.as_deref(), Some("The ddc runtime is ready."));
    for k in [
        "cached",
        "cacheCapacity",
        "cachedPercentage",
        "cacheHitRatio",
    ] {
        assert!(st.cache_states.contains_key(k), "cacheStates.{k}");
    }
    assert_eq!(st.cache_states["cacheCapacity"], "1.17TiB");
    assert_eq!(st.runtimes.len(), 1);
    assert_eq!(st.runtimes[0].type_.as_deref(), Some("cache"));
    assert!(st.extra.contains_key("mounts"));
    let snapshot = st.cache_states.clone();
    let events = c.advance(secs(300));
    let r = runtime(&c, ns, rt);
    assert_eq!(r.status.as_ref().map(|s| s.conditions.len()), Some(3));
    assert_eq!(
        dataset(&c, ns, rt).status.expect("status").cache_states,
        snapshot,
        "cacheStates refreshed only at bind"
    );
    // The runtime object is only re-emitted when it changed.
    let applied_rt = events.iter().filter(|e| matches!(e, ClusterEvent::Applied(Object::Runtime(r)) if r.metadata.name.as_deref() == Some(rt))).count();
    assert!(
        applied_rt < 5,
        "runtime re-emitted {applied_rt} times while idle"
    );
}

#[test]
fn dataload_runs_none_pending_executing_complete() {
    let mut c = quiet(3);
    let key = op_key(OpKind::DataLoad, "feature-store", "feature-warm");
    let mut phases = vec![op(&c, &key).expect("op").phase()];
    let mut durations = Vec::new();
    for _ in 0..400 {
        c.advance(secs(1));
        let o = op(&c, &key).expect("op");
        if phases.last() != Some(&o.phase()) {
            phases.push(o.phase());
            durations.push(
                o.status
                    .as_ref()
                    .map(|s| s.duration.clone())
                    .unwrap_or_default(),
            );
        }
        if o.phase() == OpPhase::Complete {
            break;
        }
    }
    assert_eq!(
        phases,
        [
            OpPhase::None,
            OpPhase::Pending,
            OpPhase::Executing,
            OpPhase::Complete
        ]
    );
    assert_eq!(durations[0], "Unfinished");
    let o = op(&c, &key).expect("op");
    let st = o.status.expect("status");
    assert!(is_go_duration(&st.duration), "{}", st.duration);
    assert_eq!(st.conditions.len(), 1);
    assert_eq!(st.conditions[0].type_, "Complete");
    assert_eq!(st.infos, None, "an empty infos is omitted");
    assert_eq!(
        st.conditions[0].reason.as_deref(),
        Some("CompletionsReached")
    );
    let d = dataset(&c, "feature-store", "feature-cache");
    assert!(
        !d.status
            .expect("status")
            .operation_ref
            .contains_key("DataLoad"),
        "lock released"
    );
    assert_eq!(
        events_with_reason(&c, "DataOperationSucceed", "feature-warm").len(),
        1
    );
    let loader = c.objects().into_iter().find_map(|o| match o {
        Object::Pod(p)
            if p.metadata
                .name
                .as_deref()
                .is_some_and(|n| n.starts_with("feature-warm-loader-job-")) =>
        {
            Some(p)
        }
        _ => None,
    });
    let loader = loader.expect("loader pod");
    let labels = loader.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels["release"], "feature-warm-loader");
    assert_eq!(labels["role"], "dataload-pod");
    assert_eq!(labels["targetDataset"], "feature-cache");
    let key_pod = ObjectKey::new(
        Kind::Pod,
        "feature-store",
        loader.metadata.name.clone().unwrap_or_default(),
    );
    assert!(c.logs(&key_pod).iter().any(|l| l.contains("progress")));
}

fn new_load(ns: &str, name: &str, dataset: &str, path: &str) -> Object {
    let v = serde_json::json!({
        "apiVersion": "data.fluid.io/v1alpha1", "kind": "DataLoad",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"dataset": {"name": dataset, "namespace": ns}, "target": [{"path": path}], "ttlSecondsAfterFinished": 60}
    });
    Object::from_value(v).expect("json").expect("kind")
}

#[test]
fn failing_dataload_fails_with_the_job_condition_and_ttl_deletes_it() {
    let mut c = quiet(4);
    c.create(new_load(
        "imagenet",
        "bad-path",
        "imagenet-train",
        "/nowhere",
    ))
    .expect("create");
    let key = op_key(OpKind::DataLoad, "imagenet", "bad-path");
    run_until(&mut c, 300, "Failed", |c| {
        op(c, &key).is_some_and(|o| o.phase() == OpPhase::Failed)
    });
    let o = op(&c, &key).expect("op");
    let cond = o.failing_condition().expect("Failed condition");
    assert_eq!(cond.reason.as_deref(), Some("BackoffLimitExceeded"));
    assert_eq!(
        cond.message.as_deref(),
        Some("Job has reached the specified backoff limit")
    );
    assert!(is_go_duration(&o.status.expect("status").duration));
    assert_eq!(
        events_with_reason(&c, "DataOperationFailed", "bad-path").len(),
        1
    );
    // ttlSecondsAfterFinished: 60 → the object is deleted.
    let events = c.advance(secs(61));
    assert!(op(&c, &key).is_none());
    assert!(events.contains(&ClusterEvent::Deleted(key)));

    // A forced outcome, for a path that would succeed.
    c.create(new_load(
        "imagenet",
        "forced",
        "imagenet-train",
        "/imagenet/train",
    ))
    .expect("create");
    let forced = op_key(OpKind::DataLoad, "imagenet", "forced");
    c.set_job_outcome(forced.clone(), JobOutcome::Fail);
    run_until(&mut c, 300, "forced failure", |c| {
        op(c, &forced).is_some_and(|o| o.phase() == OpPhase::Failed)
    });
}

#[test]
fn run_after_waits_and_stays_pending_behind_a_failed_predecessor() {
    let mut c = quiet(5);
    let pred = op_key(OpKind::DataLoad, "feature-store", "feature-warm");
    let succ = op_key(OpKind::DataProcess, "feature-store", "feature-index");
    c.advance(secs(2));
    let s = op(&c, &succ).expect("succ");
    assert_eq!(s.phase(), OpPhase::Pending);
    assert!(s.waiting_for_predecessor());
    run_until(&mut c, 400, "predecessor complete", |c| {
        op(c, &pred).is_some_and(|o| o.phase() == OpPhase::Complete)
    });
    assert!(!events_with_reason(&c, "DataOperationWaiting", "feature-index").is_empty());
    run_until(&mut c, 200, "successor complete", |c| {
        op(c, &succ).is_some_and(|o| o.phase() == OpPhase::Complete)
    });
    let s = op(&c, &succ).expect("succ");
    assert!(!s.waiting_for_predecessor());

    // llm-serving: the predecessor Failed, so the successor waits forever.
    let blocked = op_key(OpKind::DataLoad, "llm-serving", "qwen-warm-7b-tokenizer");
    let o = op(&c, &blocked).expect("blocked");
    assert_eq!(o.phase(), OpPhase::Pending);
    assert!(o.waiting_for_predecessor());
}

#[test]
fn migrate_and_backup_fail_as_unsupported_and_terminal_phases_stay() {
    let mut c = quiet(6);
    let backup = op_key(OpKind::DataBackup, "feature-store", "feature-meta-backup");
    run_until(&mut c, 200, "backup Failed", |c| {
        op(c, &backup).is_some_and(|o| o.phase() == OpPhase::Failed)
    });
    let o = op(&c, &backup).expect("backup");
    assert!(o.status.as_ref().expect("status").conditions.is_empty());
    let ev = events_with_reason(&c, "DataOperationNotSupport", "feature-meta-backup");
    assert_eq!(ev.len(), 1);
    assert_eq!(
        ev[0].message.as_deref(),
        Some("RuntimeType cache not support DataBackup")
    );
    assert_eq!(ev[0].type_.as_deref(), Some("Warning"));

    let migrate = serde_json::json!({
        "apiVersion": "data.fluid.io/v1alpha1", "kind": "DataMigrate",
        "metadata": {"name": "mig", "namespace": "imagenet"},
        "spec": {"from": {"dataset": {"name": "imagenet-train", "namespace": "imagenet"}}, "to": {"externalStorage": {"uri": "s3://x/"}}}
    });
    c.create(Object::from_value(migrate).expect("json").expect("kind"))
        .expect("create");
    let mig = op_key(OpKind::DataMigrate, "imagenet", "mig");
    run_until(&mut c, 60, "migrate Failed", |c| {
        op(c, &mig).is_some_and(|o| o.phase() == OpPhase::Failed)
    });
    assert_eq!(
        events_with_reason(&c, "DataOperationNotSupport", "mig")[0]
            .message
            .as_deref(),
        Some("RuntimeType cache not support DataMigrate")
    );

    let before: Vec<_> = [
        op_key(OpKind::DataLoad, "llm-serving", "qwen-warm-7b"),
        op_key(OpKind::DataMigrate, "llm-serving", "qwen-export-eval"),
        op_key(OpKind::DataLoad, "imagenet", "imagenet-warm-train"),
        op_key(OpKind::DataProcess, "imagenet", "imagenet-shard-index"),
    ]
    .into_iter()
    .map(|k| (k.clone(), op(&c, &k).expect("seeded op").status))
    .collect();
    c.advance(secs(600));
    for (k, status) in before {
        assert_eq!(
            op(&c, &k).expect("still there").status,
            status,
            "{k} changed"
        );
    }
}

#[test]
fn dataload_on_a_class_without_a_dataload_entry_is_not_supported() {
    let text = r#"
apiVersion: data.fluid.io/v1alpha1
kind: CacheRuntimeClass
metadata: {name: bare}
fileSystemType: bare
topology:
  worker:
    template: {spec: {containers: [{name: worker, image: bare:1}]}}
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: d, namespace: ns}
spec: {mounts: [{name: m, mountPoint: "s3://b/"}]}
---
apiVersion: data.fluid.io/v1alpha1
kind: CacheRuntime
metadata: {name: d, namespace: ns}
spec: {runtimeClassName: bare, master: {disabled: true}, worker: {replicas: 2}}
---
apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {name: l, namespace: ns}
spec: {dataset: {name: d, namespace: ns}, target: [{path: /m}]}
"#;
    let mut m = fluidops::model::manifest::Manifests::default();
    fluidops::model::manifest::parse_documents(text, "inline", &mut m);
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    let mut c = DemoCluster::new(m.objects, 9, t0());
    c.set_random_failures(false);
    let key = op_key(OpKind::DataLoad, "ns", "l");
    run_until(&mut c, 120, "NotSupported", |c| {
        op(c, &key).is_some_and(|o| o.phase() == OpPhase::Failed)
    });
    // Workers-only: master phase stays "", mountUFS never runs, yet the dataset binds.
    assert_eq!(phase(&c, "ns", "d", Component::Master), RuntimePhase::None);
    assert_eq!(dataset(&c, "ns", "d").phase(), DatasetPhase::Bound);
    assert_eq!(
        events_with_reason(&c, "DataOperationNotSupport", "l").len(),
        1
    );
}

#[test]
fn cron_fires_on_schedule_pending_dash_executing_complete() {
    let mut c = quiet(7);
    let key = op_key(OpKind::DataLoad, "imagenet", "imagenet-refresh");
    let first = op(&c, &key).expect("cron");
    assert_eq!(first.phase(), OpPhase::Complete);
    let last = first
        .status
        .as_ref()
        .and_then(|s| s.last_schedule_time.clone())
        .expect("lastScheduleTime");
    let expected = fluidops::model::cron::next_after("*/5 * * * *", last.parse().expect("time"))
        .expect("next");
    let mut seen = Vec::new();
    for _ in 0..600 {
        c.advance(secs(1));
        let o = op(&c, &key).expect("cron");
        let st = o.status.clone().expect("status");
        let entry = (o.phase(), st.duration.clone());
        if seen.last() != Some(&entry) {
            seen.push(entry);
        }
        if seen.len() >= 4 && o.phase() == OpPhase::Complete {
            break;
        }
    }
    assert_eq!(seen[1].0, OpPhase::Pending);
    assert_eq!(seen[1].1, "-");
    assert_eq!(seen[2].0, OpPhase::Executing);
    assert_eq!(seen[3].0, OpPhase::Complete);
    let st = op(&c, &key).expect("cron").status.expect("status");
    assert_eq!(
        st.last_schedule_time.as_deref(),
        Some(fluidops::model::meta::format_time(expected).as_str())
    );
    assert!(st.last_successful_time.as_deref() > st.last_schedule_time.as_deref());
    assert!(is_go_duration(&st.duration));
    let job_pods = c
        .objects()
        .into_iter()
        .filter(|o| matches!(o, Object::Pod(p) if p.metadata.name.as_deref().is_some_and(|n| n.starts_with(&format!("imagenet-refresh-loader-job-{}-", expected.as_second() / 60)))))
        .count();
    assert_eq!(job_pods, 1, "job named after the scheduled minute");

    // A manual trigger fires another run.
    c.trigger_cron(&key).expect("trigger");
    run_until(&mut c, 5, "triggered", |c| {
        op(c, &key).is_some_and(|o| o.phase() != OpPhase::Complete)
    });
}

#[test]
fn lost_worker_goes_partial_ready_and_recovers_with_a_new_uid() {
    let mut c = quiet(8);
    let (ns, rt) = ("imagenet", "imagenet-train");
    c.advance(secs(2));
    assert_eq!(phase(&c, ns, rt, Component::Worker), RuntimePhase::Ready);
    let w1 = pod(&c, ns, "imagenet-train-worker-1").expect("worker-1");
    let old_uid = w1.metadata.uid.clone();
    let node = fluidops::model::pod::node_of(&w1)
        .expect("node")
        .to_string();
    c.fail_node(&node);
    c.advance(secs(2));
    assert_eq!(
        phase(&c, ns, rt, Component::Worker),
        RuntimePhase::PartialReady
    );
    assert_eq!(
        dataset(&c, ns, rt).phase(),
        DatasetPhase::Bound,
        "Dataset stays Bound"
    );
    assert!(!events_with_reason(&c, "NodeNotReady", "imagenet-train-worker-1").is_empty());
    c.advance(secs(300));
    let stuck = pod(&c, ns, "imagenet-train-worker-1").expect("still there");
    assert!(
        stuck.metadata.deletion_timestamp.is_some(),
        "Terminating after eviction timeout"
    );
    assert_eq!(
        phase(&c, ns, rt, Component::Worker),
        RuntimePhase::PartialReady
    );

    let key = ObjectKey::new(Kind::Pod, ns, "imagenet-train-worker-1");
    c.kill_pod(&key).expect("kill");
    let events = c.advance(secs(1));
    assert!(events.contains(&ClusterEvent::Deleted(key.clone())));
    run_until(&mut c, 30, "recovered", |c| {
        phase(c, ns, rt, Component::Worker) == RuntimePhase::Ready
    });
    let new = pod(&c, ns, "imagenet-train-worker-1").expect("recreated");
    assert_ne!(new.metadata.uid, old_uid);
    assert_ne!(
        fluidops::model::pod::node_of(&new),
        Some(node.as_str()),
        "not on the lost node"
    );

    // The seeded llm-serving worker stays Terminating on its lost node.
    let lost = pod(&c, "llm-serving", "qwen-weights-worker-2").expect("seeded lost pod");
    assert!(lost.metadata.deletion_timestamp.is_some());
    assert_eq!(
        phase(&c, "llm-serving", "qwen-weights", Component::Worker),
        RuntimePhase::PartialReady
    );
}

#[test]
fn random_failures_crash_and_recover_workers() {
    let mut c = DemoCluster::builtin(11, t0());
    let events = c.advance(secs(900));
    let crashed = events.iter().any(|e| matches!(e, ClusterEvent::Applied(Object::Event(ev)) if ev.reason.as_deref() == Some("BackOff")))
        || events.iter().any(|e| matches!(e, ClusterEvent::Deleted(k) if k.kind == Kind::Pod && k.name.contains("-worker-")));
    assert!(crashed, "no worker failure in 15 minutes");
    c.set_random_failures(false);
    c.advance(secs(120));
    for (ns, rt) in [
        ("imagenet", "imagenet-train"),
        ("feature-store", "feature-cache"),
    ] {
        assert_eq!(
            phase(&c, ns, rt, Component::Worker),
            RuntimePhase::Ready,
            "{ns}/{rt}"
        );
        assert_eq!(dataset(&c, ns, rt).phase(), DatasetPhase::Bound);
    }
}

#[test]
fn same_seed_same_stream_different_seed_different_stream() {
    let run = |seed| {
        let mut c = DemoCluster::builtin(seed, t0());
        let mut all = c.initial_events();
        for _ in 0..240 {
            all.extend(c.advance(secs(1)));
        }
        all
    };
    let a = run(42);
    assert_eq!(a, run(42));
    assert_ne!(a, run(43));
    assert!(a.iter().any(|e| matches!(e, ClusterEvent::LogLine { .. })));
}

#[test]
fn advance_accumulates_sub_second_steps() {
    let mut c = quiet(1);
    c.advance(Duration::from_millis(600));
    assert_eq!(c.now(), t0());
    c.advance(Duration::from_millis(600));
    assert_eq!(c.now().as_second(), t0().as_second() + 1);
}

#[test]
fn seed_dir_loads_what_it_can_and_reports_broken_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("a-classes.yaml"),
        include_str!("../../assets/demo/01-runtimeclasses.yaml"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("b-mine.yaml"),
        r#"apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: mine, namespace: team}
spec:
  someFutureField: {x: 1}
  mounts: [{name: data, mountPoint: "s3://team/data/"}]
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: [not, a, map]
---
apiVersion: data.fluid.io/v1alpha1
kind: CacheRuntime
metadata: {name: mine, namespace: team}
spec:
  runtimeClassName: curvine-standard
"#,
    )
    .expect("write");
    let (mut c, problems) = DemoCluster::from_dir(dir.path(), 3, t0()).expect("readable");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].file.ends_with("b-mine.yaml"));
    assert_eq!(problems[0].document, 2);
    c.set_random_failures(false);
    run_until(&mut c, 120, "bound", |c| {
        dataset(c, "team", "mine").phase() == DatasetPhase::Bound
    });
    let r = runtime(&c, "team", "mine");
    assert_eq!(
        r.component_status(Component::Worker).map(|s| s.ready()),
        Some(1),
        "default 1 replica"
    );
    let d = dataset(&c, "team", "mine");
    assert!(
        d.spec.extra.contains_key("someFutureField"),
        "unknown fields kept"
    );

    // A directory that cannot be read is an error that names it; one with nothing to load says so.
    let missing = dir.path().join("missing");
    let err = DemoCluster::from_dir(&missing, 3, t0())
        .err()
        .expect("an error");
    assert!(
        err.starts_with(&format!("--seed {}: cannot be read", missing.display())),
        "{err}"
    );
    std::fs::create_dir(&missing).unwrap();
    let (_, problems) = DemoCluster::from_dir(&missing, 3, t0()).expect("readable");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].to_string(),
        format!(
            "{}: no objects to seed the demo cluster with (*.yaml, *.yml): it starts empty",
            missing.display()
        )
    );
}

#[test]
fn pods_log_engine_lines_and_keep_the_last_200() {
    let mut c = quiet(12);
    let events = c.advance(secs(60));
    let key = ObjectKey::new(Kind::Pod, "feature-store", "feature-cache-master-0");
    let lines = c.logs(&key);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("mount s3://feature-lake/online/")),
        "{lines:#?}"
    );
    let per_second = events
        .iter()
        .filter(|e| matches!(e, ClusterEvent::LogLine { .. }))
        .count() as f64
        / 60.0;
    assert!(per_second < 20.0, "{per_second} lines/s");
    c.advance(secs(900));
    let master = ObjectKey::new(Kind::Pod, "imagenet", "imagenet-train-master-0");
    let n = c.logs(&master).len();
    assert!(n > 40 && n <= 200, "{n} lines");
}

/// The console's part of a scenario (what its wizard and run would write), reduced to the writes
/// a maintenance run makes, so that the scenarios can be played on the simulator alone.
#[derive(Default)]
struct StandIn {
    upgrade: Option<(ObjectKey, String)>,
    rebuild: Option<(ObjectKey, Vec<String>, bool)>,
    stage: &'static str,
    record: Option<ObjectKey>,
}

impl StandIn {
    fn act(&mut self, c: &mut DemoCluster, action: &OperatorAction) {
        match action {
            OperatorAction::StartUpgrade {
                runtime,
                image,
                image_tag,
            } => self.upgrade = Some((runtime.clone(), format!("{image}:{image_tag}"))),
            OperatorAction::StartRebuild {
                runtime,
                pods,
                force,
                reload_data,
            } => {
                assert!(reload_data, "the scenario re-warms");
                self.rebuild = Some((runtime.clone(), pods.clone(), *force));
            }
            OperatorAction::Confirm => {
                let (rt, kind) = match (&self.upgrade, &self.rebuild) {
                    (Some((rt, _)), _) => (rt.clone(), "Upgrade"),
                    (_, Some((rt, _, _))) => (rt.clone(), "Rebuild"),
                    _ => panic!("Confirm before a Start"),
                };
                let name = format!("{}-{}", rt.name, kind.to_lowercase());
                self.lock(c, &rt, Some(&name));
                let record = Object::from_value(serde_json::json!({
                    "apiVersion": "ops.fluidops.io/v1alpha1", "kind": "CacheRuntimeMaintenance",
                    "metadata": {"name": name, "namespace": rt.namespace},
                    "spec": {"runtimeName": rt.name, "type": kind},
                    "status": {"phase": "Running"}
                }))
                .unwrap()
                .unwrap();
                self.record = Some(record.key());
                c.create(record).expect("record");
                if let Some((rt, image)) = &self.upgrade {
                    let (repo, tag) = image.rsplit_once(':').unwrap();
                    set_version(c, &rt.namespace, &rt.name, "master", tag);
                    assert!(repo == "curvine/curvine");
                    self.stage = "master";
                } else if let Some((rt, pods, force)) = &self.rebuild {
                    for p in pods {
                        let k = key(Kind::Pod, &rt.namespace, p);
                        if *force {
                            c.force_delete(&k).expect("force delete");
                        } else {
                            c.delete(&k).expect("delete");
                        }
                    }
                    self.stage = "replaced";
                }
            }
            OperatorAction::Pause
            | OperatorAction::Resume
            | OperatorAction::Abort
            | OperatorAction::Open(_)
            | OperatorAction::OpenTimeline(_) => {}
        }
    }

    fn lock(&self, c: &mut DemoCluster, rt: &ObjectKey, name: Option<&str>) {
        patch(
            c,
            rt,
            serde_json::json!({"metadata": {"annotations": {"fluidops.io/maintenance": name}}}),
        );
    }

    fn finish(&mut self, c: &mut DemoCluster, rt: &ObjectKey) {
        let record = self.record.clone().unwrap();
        let mut v = c.get(&record).unwrap().to_value();
        v["status"]["phase"] = "Succeeded".into();
        c.apply_status(Object::from_value(v).unwrap().unwrap())
            .expect("status");
        self.lock(c, rt, None);
        self.stage = "done";
    }

    /// One look at the cluster, as the run's driver takes on every store change.
    fn tick(&mut self, c: &mut DemoCluster) {
        use fluidops::demo::Cue;
        if let Some((rt, image)) = self.upgrade.clone() {
            let on = |p: &str| Cue::PodOnImage {
                pod: key(Kind::Pod, &rt.namespace, p),
                image: image.clone(),
            };
            match self.stage {
                "master"
                    if on("imagenet-train-master-0").holds(c)
                        && Cue::Remounted(rt.clone()).holds(c) =>
                {
                    let tag = image.rsplit_once(':').unwrap().1;
                    set_version(c, &rt.namespace, &rt.name, "worker", tag);
                    self.stage = "workers";
                }
                "workers" if (0..3).all(|i| on(&format!("imagenet-train-worker-{i}")).holds(c)) => {
                    self.finish(c, &rt)
                }
                _ => {}
            }
        }
        if let Some((rt, pods, _)) = self.rebuild.clone() {
            match self.stage {
                "replaced"
                    if pods.iter().all(|p| {
                        Cue::PodReadyOnLiveNode(key(Kind::Pod, &rt.namespace, p)).holds(c)
                    }) =>
                {
                    let name = self.record.clone().unwrap().name;
                    let load = Object::from_value(serde_json::json!({
                        "apiVersion": "data.fluid.io/v1alpha1", "kind": "DataLoad",
                        "metadata": {"name": format!("{name}-rewarm"), "namespace": rt.namespace,
                                     "labels": {"fluidops.io/maintenance": name}},
                        "spec": {"dataset": {"name": rt.name, "namespace": rt.namespace},
                                 "policy": "Once", "target": [{"path": "/imagenet/train"}]}
                    }))
                    .unwrap()
                    .unwrap();
                    c.create(load).expect("re-warm DataLoad");
                    self.stage = "rewarm";
                }
                "rewarm"
                    if Cue::RewarmPhase {
                        namespace: rt.namespace.clone(),
                        phase: OpPhase::Complete,
                    }
                    .holds(c) =>
                {
                    self.finish(c, &rt)
                }
                _ => {}
            }
        }
    }
}

#[test]
fn scenario_steps_are_well_formed() {
    assert_eq!(
        Scenario::names(),
        ["load", "worker-lost", "cron", "upgrade", "rebuild"]
    );
    assert!(Scenario::by_name("nope").is_none());
    let c = quiet(20);
    for name in Scenario::names() {
        let s = Scenario::by_name(name).expect("scenario");
        assert_eq!(s.name, *name);
        assert!(!s.summary.is_empty() && !s.steps.is_empty(), "{name}");
        assert_eq!(s.steps[0].at, secs(0), "{name} starts at once");
        assert!(
            s.steps.windows(2).all(|w| w[0].at < w[1].at),
            "{name}: times increase"
        );
        let captions: std::collections::BTreeSet<_> = s.steps.iter().map(|s| s.caption).collect();
        assert_eq!(captions.len(), s.steps.len(), "{name}: a caption per step");
        assert!(s.steps.iter().all(|s| s.caption.ends_with('.')), "{name}");
        // Operator steps: a Start first, a Confirm after it; cue steps only after them.
        let ops: Vec<&OperatorAction> = s.steps.iter().filter_map(|s| s.operator()).collect();
        if let Some(first) = ops.first() {
            assert!(
                matches!(
                    first,
                    OperatorAction::StartUpgrade { .. } | OperatorAction::StartRebuild { .. }
                ),
                "{name}"
            );
            assert!(ops[1..].contains(&&OperatorAction::Confirm), "{name}");
        }
        // Everything a step names exists in the built-in demo.
        for step in &s.steps {
            let named = match &step.action {
                ScenarioAction::KillPod(k)
                | ScenarioAction::FailNodeOf(k)
                | ScenarioAction::TriggerCron(k)
                | ScenarioAction::FailNextInPlaceUpdate(k) => vec![k.clone()],
                ScenarioAction::Operator(OperatorAction::StartUpgrade { runtime, .. }) => {
                    vec![runtime.clone()]
                }
                ScenarioAction::Operator(OperatorAction::StartRebuild {
                    runtime, pods, ..
                }) => {
                    let mut v = vec![runtime.clone()];
                    v.extend(pods.iter().map(|p| key(Kind::Pod, &runtime.namespace, p)));
                    v
                }
                _ => vec![],
            };
            for k in named {
                assert!(c.get(&k).is_some(), "{name}: {k} is not in the demo");
            }
            // The screen a step turns to shows something there, or what the scenario creates.
            if let Some(OperatorAction::Open(k) | OperatorAction::OpenTimeline(k)) = &step.screen {
                let created = s.steps.iter().any(|st| {
                    matches!(&st.action, ScenarioAction::CreateDataLoad { name: n, .. } if *n == k.name)
                });
                assert!(
                    c.get(k).is_some() || created,
                    "{name}: {k} is not in the demo"
                );
            }
        }
    }
}

#[test]
fn scenarios_play() {
    for name in Scenario::names() {
        let mut c = quiet(21);
        let mut s = Player::new(Scenario::by_name(name).expect("scenario"), 1.0);
        let mut stand_in = StandIn::default();
        let restarts_before: Vec<i32> = pods_of(&c, NS, WORKERS, 3)
            .iter()
            .chain(pod(&c, NS, "imagenet-train-master-0").as_ref())
            .map(restarts)
            .collect();
        let mut captions = Vec::new();
        let mut t = 0;
        while !s.finished() {
            assert!(
                t <= s.scenario().length().as_secs() + 600,
                "{name}: stuck before step {} waiting for {:?}",
                captions.len(),
                s.waiting_for()
            );
            if let Some(step) = s.due(&c) {
                step.apply(&mut c).unwrap_or_else(|e| panic!("{name}: {e}"));
                if let Some(a) = step.operator() {
                    stand_in.act(&mut c, a);
                }
                eprintln!("{name} t={t}: {}", step.caption);
                captions.push(step.caption);
            }
            stand_in.tick(&mut c);
            let dt = s.advance(secs(1));
            c.advance(dt);
            t += 1;
        }
        let ended = t;
        for _ in 0..60 {
            stand_in.tick(&mut c);
            c.advance(secs(1));
        }
        assert_eq!(captions.len(), s.scenario().steps.len());
        s.advance(secs(10));
        assert!(s.due(&c).is_none(), "steps play once");
        eprintln!(
            "{name}: {} steps in {ended} simulated seconds",
            captions.len()
        );
        match *name {
            "load" => {
                let o = op(
                    &c,
                    &op_key(OpKind::DataLoad, "imagenet", "imagenet-warm-demo"),
                )
                .expect("created");
                assert_eq!(o.phase(), OpPhase::Complete);
            }
            "worker-lost" => assert_eq!(
                phase(&c, "imagenet", "imagenet-train", Component::Worker),
                RuntimePhase::Ready
            ),
            "cron" => {
                let o = op(
                    &c,
                    &op_key(OpKind::DataLoad, "imagenet", "imagenet-refresh"),
                )
                .expect("cron");
                let last = o
                    .status
                    .and_then(|s| s.last_schedule_time)
                    .expect("scheduled");
                assert!(last.as_str() > "2026-11-25T10:00:00Z");
            }
            "upgrade" => {
                assert_eq!(stand_in.stage, "done");
                let all: Vec<Pod> = pods_of(&c, NS, WORKERS, 3)
                    .into_iter()
                    .chain(pod(&c, NS, "imagenet-train-master-0"))
                    .collect();
                let seen: Vec<_> = all
                    .iter()
                    .map(|p| (running_image(p), restarts(p)))
                    .collect();
                assert!(
                    seen.iter()
                        .zip(&restarts_before)
                        .all(|((i, r), b)| i == V6 && *r == b + 1),
                    "{seen:?}, restarts before {restarts_before:?}"
                );
            }
            _ => {
                assert_eq!(stand_in.stage, "done");
                assert_eq!(phase(&c, NS, RT, Component::Worker), RuntimePhase::Ready);
                assert_eq!(
                    c.lost_nodes().len(),
                    2,
                    "the seeded lost node and worker-1's"
                );
            }
        }
    }
}

/// The OpenAPI schema of every served version of every CRD in `assets/crds/`, by
/// (apiVersion, kind).
fn crd_schemas() -> std::collections::BTreeMap<(String, String), serde_json::Value> {
    use serde::Deserialize;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/crds");
    let mut out = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("assets/crds") {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let crd: serde_json::Value =
                serde_json::to_value(serde_yaml::Value::deserialize(doc).unwrap()).unwrap();
            let spec = &crd["spec"];
            for v in spec["versions"].as_array().into_iter().flatten() {
                let api_version = format!(
                    "{}/{}",
                    spec["group"].as_str().unwrap(),
                    v["name"].as_str().unwrap()
                );
                let kind = spec["names"]["kind"].as_str().unwrap().to_string();
                out.insert((api_version, kind), v["schema"]["openAPIV3Schema"].clone());
            }
        }
    }
    out
}

#[test]
fn builtin_manifests_and_fixtures_validate_against_the_crds() {
    use serde::Deserialize;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let schemas = crd_schemas();
    assert!(schemas.len() >= 9, "{:?}", schemas.keys());
    let mut files = Vec::new();
    for dir in ["assets/demo", "tests/fixtures/examples"] {
        for e in std::fs::read_dir(root.join(dir)).expect(dir) {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|e| e == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 8);
    let (mut checked, mut problems) = (0, Vec::new());
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (i, doc) in serde_yaml::Deserializer::from_str(&text).enumerate() {
            let v: serde_json::Value =
                serde_json::to_value(serde_yaml::Value::deserialize(doc).unwrap()).unwrap();
            let key = (
                v["apiVersion"].as_str().unwrap_or_default().to_string(),
                v["kind"].as_str().unwrap_or_default().to_string(),
            );
            let Some(schema) = schemas.get(&key) else {
                continue;
            };
            checked += 1;
            for p in fluidops::app::schema::validate_value(schema, &v) {
                problems.push(format!("{} (document {i}) {}: {p}", file.display(), key.1));
            }
        }
    }
    assert!(checked >= 35, "only {checked} documents of CRD kinds");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn builtin_seed_has_the_promised_shape() {
    let c = quiet(1);
    let objs = c.objects();
    let count = |k: Kind| objs.iter().filter(|o| o.kind() == k).count();
    assert!(count(Kind::CacheRuntimeClass) >= 2);
    assert!(count(Kind::CacheRuntime) >= 4);
    for kind in OpKind::ALL {
        assert!(count(Kind::Operation(kind)) >= 1, "{kind}");
    }
    // Timestamps are moved so that the seed is "now".
    let d = dataset(&c, "imagenet", "imagenet-train");
    let created = d.metadata.creation_timestamp.expect("created").0;
    assert!(created < c.now());
    // Runtimes loaded with a status get the pods their status counts.
    assert!(pod(&c, "imagenet", "imagenet-val-worker-1").is_some());
    assert!(pod(&c, "imagenet", "imagenet-train-master-0").is_some());
}

// ------------------------------------------------------------------ upgrades and rebuilds

fn key(kind: Kind, ns: &str, name: &str) -> ObjectKey {
    ObjectKey::new(kind, ns, name)
}

/// A JSON merge patch of an object through `apply`, as the demo writer makes it.
fn patch(c: &mut DemoCluster, k: &ObjectKey, p: serde_json::Value) {
    let mut v = c.get(k).unwrap_or_else(|| panic!("no {k}")).to_value();
    fluidops::cluster::writer::merge_patch(&mut v, &p);
    let obj = Object::from_value(v).expect("valid").expect("known kind");
    c.apply(obj).expect("apply");
}

fn workload(c: &DemoCluster, ns: &str, name: &str) -> fluidops::model::AdvancedStatefulSet {
    match c.get(&key(Kind::AdvancedStatefulSet, ns, name)) {
        Some(Object::Workload(w)) => (**w).clone(),
        other => panic!("no workload {ns}/{name}: {other:?}"),
    }
}

fn set_version(c: &mut DemoCluster, ns: &str, rt: &str, comp: &str, tag: &str) {
    patch(
        c,
        &key(Kind::CacheRuntime, ns, rt),
        serde_json::json!({"spec": {comp: {"runtimeVersion": {"image": "curvine/curvine", "imageTag": tag}}}}),
    );
}

fn set_partition(c: &mut DemoCluster, ns: &str, wl: &str, partition: i64) {
    patch(
        c,
        &key(Kind::AdvancedStatefulSet, ns, wl),
        serde_json::json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": partition}}}}),
    );
}

fn uid(p: &Pod) -> String {
    p.metadata.uid.clone().unwrap_or_default()
}

fn restarts(p: &Pod) -> i32 {
    fluidops::model::pod::restarts(p)
}

fn running_image(p: &Pod) -> String {
    p.status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0]
        .image
        .clone()
}

fn cond(p: &Pod, t: &str) -> Option<String> {
    p.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == t)
        .map(|c| c.status.clone())
}

fn waiting(p: &Pod) -> Option<(String, String)> {
    let w = p.status.as_ref()?.container_statuses.as_ref()?[0]
        .state
        .as_ref()?
        .waiting
        .clone()?;
    Some((w.reason.unwrap_or_default(), w.message.unwrap_or_default()))
}

fn is_ready(p: &Pod) -> bool {
    fluidops::model::pod::is_ready(p)
}

fn pods_of(c: &DemoCluster, ns: &str, prefix: &str, n: usize) -> Vec<Pod> {
    (0..n)
        .map(|i| pod(c, ns, &format!("{prefix}-{i}")).unwrap_or_else(|| panic!("{prefix}-{i}")))
        .collect()
}

const NS: &str = "imagenet";
const RT: &str = "imagenet-train";
const WORKERS: &str = "imagenet-train-worker";
const V5: &str = "curvine/curvine:v0.2.5";
const V6: &str = "curvine/curvine:v0.2.6";

#[test]
fn partition_limits_the_in_place_update_to_high_ordinals() {
    let mut c = quiet(31);
    c.advance(secs(2));
    let before = pods_of(&c, NS, WORKERS, 3);
    assert!(before.iter().all(|p| running_image(p) == V5 && is_ready(p)));

    set_partition(&mut c, NS, WORKERS, 3);
    c.advance(secs(1));
    let w = workload(&c, NS, WORKERS);
    let generation = w.metadata.generation.expect("generation");
    assert_eq!(
        w.status.as_ref().unwrap().observed_generation,
        Some(generation)
    );

    set_version(&mut c, NS, RT, "worker", "v0.2.6");
    c.advance(secs(30));
    let w = workload(&c, NS, WORKERS);
    assert_eq!(w.engine_image(), Some(V6), "Fluid synced the template");
    let st = w.status.clone().unwrap();
    assert!(w.metadata.generation > Some(generation));
    assert_eq!(st.observed_generation, w.metadata.generation);
    assert_eq!(st.updated_replicas, Some(0), "partition 3 holds every pod");
    assert_ne!(st.current_revision, st.update_revision);
    assert!(
        pods_of(&c, NS, WORKERS, 3)
            .iter()
            .all(|p| running_image(p) == V5)
    );

    // Partition 2: only worker-2, in place.
    set_partition(&mut c, NS, WORKERS, 2);
    run_until(&mut c, 30, "worker-2 updated", |c| {
        pod(c, NS, "imagenet-train-worker-2")
            .is_some_and(|p| running_image(&p) == V6 && is_ready(&p))
    });
    c.advance(secs(20));
    let now = pods_of(&c, NS, WORKERS, 3);
    assert_eq!(uid(&now[2]), uid(&before[2]), "same pod");
    assert_eq!(restarts(&now[2]), restarts(&before[2]) + 1);
    assert_eq!(
        cond(&now[2], "InPlaceUpdateReady"),
        None,
        "upstream never sets it"
    );
    for i in 0..2 {
        assert_eq!(running_image(&now[i]), V5, "worker-{i} below the partition");
        assert_eq!(restarts(&now[i]), restarts(&before[i]));
    }
    let st = workload(&c, NS, WORKERS).status.unwrap();
    assert_eq!(
        (
            st.updated_replicas,
            st.updated_ready_replicas,
            st.current_replicas
        ),
        (Some(1), Some(1), Some(2))
    );
    assert_ne!(st.current_revision, st.update_revision);

    // Partition 0: the rest, highest ordinal first, one at a time.
    set_partition(&mut c, NS, WORKERS, 0);
    let mut order = Vec::new();
    run_until(&mut c, 60, "all updated", |c| {
        for i in 0..2 {
            let p = pod(c, NS, &format!("{WORKERS}-{i}")).unwrap();
            // The in-place update starts with the pod's spec image (its generation moves).
            let updating = p.metadata.generation > Some(1);
            if updating && !order.contains(&i) {
                order.push(i);
            }
        }
        pods_of(c, NS, WORKERS, 3)
            .iter()
            .all(|p| running_image(p) == V6 && is_ready(p))
    });
    assert_eq!(order, [1, 0], "highest ordinal first");
    let after = pods_of(&c, NS, WORKERS, 3);
    for i in 0..3 {
        assert_eq!(uid(&after[i]), uid(&before[i]), "worker-{i} in place");
    }
    c.advance(secs(1));
    let st = workload(&c, NS, WORKERS).status.unwrap();
    assert_eq!(st.current_revision, st.update_revision);
    assert_eq!(
        (st.updated_replicas, st.updated_ready_replicas),
        (Some(3), Some(3))
    );
    assert_eq!(phase(&c, NS, RT, Component::Worker), RuntimePhase::Ready);
}

#[test]
fn bad_image_fails_the_in_place_restart_and_the_good_one_recovers_it() {
    let mut c = quiet(32);
    c.advance(secs(2));
    let before = pods_of(&c, NS, WORKERS, 3);
    let bad = "curvine/curvine:v0.3.0-does-not-exist";
    set_version(&mut c, NS, RT, "worker", "v0.3.0-does-not-exist");
    run_until(&mut c, 30, "ErrImagePull", |c| {
        pod(c, NS, "imagenet-train-worker-2")
            .and_then(|p| waiting(&p))
            .is_some_and(|(r, _)| r == "ErrImagePull")
    });
    let p = pod(&c, NS, "imagenet-train-worker-2").unwrap();
    let (_, msg) = waiting(&p).unwrap();
    assert!(
        msg.contains("docker.io/curvine/curvine:v0.3.0-does-not-exist")
            && msg.contains("not found"),
        "{msg}"
    );
    assert!(!is_ready(&p));
    assert_eq!(
        cond(&p, "InPlaceUpdateReady"),
        None,
        "upstream never sets it"
    );
    assert_eq!(uid(&p), uid(&before[2]));
    assert_eq!(
        running_image(&p),
        bad,
        "a waiting container reports the spec image"
    );
    let failed = events_with_reason(&c, "Failed", "imagenet-train-worker-2");
    assert!(
        failed.iter().any(|e| e
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with("Failed to pull image"))),
        "{failed:?}"
    );
    run_until(&mut c, 10, "ImagePullBackOff", |c| {
        pod(c, NS, "imagenet-train-worker-2")
            .and_then(|p| waiting(&p))
            .is_some_and(|(r, _)| r == "ImagePullBackOff")
    });
    assert!(!events_with_reason(&c, "BackOff", "imagenet-train-worker-2").is_empty());

    // The rollout stalls on the broken pod: nobody else is touched, for as long as it lasts.
    c.advance(secs(90));
    let now = pods_of(&c, NS, WORKERS, 3);
    assert!(
        matches!(waiting(&now[2]), Some((r, _)) if r == "ErrImagePull" || r == "ImagePullBackOff")
    );
    assert_eq!(
        cond(&now[2], "InPlaceUpdateReady"),
        None,
        "upstream never sets it"
    );
    for p in &now[..2] {
        assert_eq!(running_image(p), V5);
        assert!(is_ready(p));
    }
    assert_eq!(
        phase(&c, NS, RT, Component::Worker),
        RuntimePhase::PartialReady
    );
    let st = workload(&c, NS, WORKERS).status.unwrap();
    assert_eq!(
        (st.updated_replicas, st.updated_ready_replicas),
        (Some(1), Some(0))
    );

    // Rolling back to the good image recovers the pod in place.
    set_version(&mut c, NS, RT, "worker", "v0.2.5");
    run_until(&mut c, 30, "recovered", |c| {
        pod(c, NS, "imagenet-train-worker-2").is_some_and(|p| is_ready(&p))
    });
    let p = pod(&c, NS, "imagenet-train-worker-2").unwrap();
    assert_eq!(uid(&p), uid(&before[2]), "same pod");
    assert_eq!(restarts(&p), restarts(&before[2]) + 1);
    assert_eq!(running_image(&p), V5);
    assert_eq!(
        cond(&p, "InPlaceUpdateReady"),
        None,
        "upstream never sets it"
    );
    assert!(waiting(&p).is_none());
    for (i, b) in before.iter().enumerate().take(2) {
        let p = pod(&c, NS, &format!("{WORKERS}-{i}")).unwrap();
        assert_eq!(restarts(&p), restarts(b), "worker-{i} untouched");
    }
    c.advance(secs(1));
    let st = workload(&c, NS, WORKERS).status.unwrap();
    assert_eq!(st.current_revision, st.update_revision);
    assert_eq!(phase(&c, NS, RT, Component::Worker), RuntimePhase::Ready);
}

#[test]
fn injected_pull_failure_hits_one_pod_and_a_recreated_pod_carries_on() {
    let mut c = quiet(33);
    c.advance(secs(2));
    let before = pods_of(&c, NS, WORKERS, 3);
    let wl = key(Kind::AdvancedStatefulSet, NS, WORKERS);
    assert!(
        c.fail_next_in_place_update(&key(Kind::AdvancedStatefulSet, NS, "nope"))
            .is_err()
    );
    c.fail_next_in_place_update(&wl).expect("hook");
    set_version(&mut c, NS, RT, "worker", "v0.2.6");
    run_until(&mut c, 30, "pull refused", |c| {
        pod(c, NS, "imagenet-train-worker-2")
            .and_then(|p| waiting(&p))
            .is_some_and(|(r, m)| r == "ErrImagePull" && m.contains("429 Too Many Requests"))
    });
    c.advance(secs(60));
    let p = pod(&c, NS, "imagenet-train-worker-2").unwrap();
    assert!(!is_ready(&p) && waiting(&p).is_some(), "keeps failing");
    assert_eq!(running_image(&before[1]), V5);
    assert_eq!(
        running_image(&pod(&c, NS, "imagenet-train-worker-1").unwrap()),
        V5,
        "the rollout waits"
    );

    // Deleting the stuck pod: a new one pulls fine and the rollout goes on.
    c.delete(&key(Kind::Pod, NS, "imagenet-train-worker-2"))
        .expect("delete");
    run_until(&mut c, 90, "rolled", |c| {
        (0..3).all(|i| {
            pod(c, NS, &format!("{WORKERS}-{i}")).is_some_and(|p| {
                p.status
                    .as_ref()
                    .is_some_and(|s| s.container_statuses.is_some())
                    && running_image(&p) == V6
                    && is_ready(&p)
            })
        })
    });
    let after = pods_of(&c, NS, WORKERS, 3);
    assert_ne!(uid(&after[2]), uid(&before[2]), "recreated");
    assert_eq!(uid(&after[1]), uid(&before[1]), "in place");
    assert_eq!(uid(&after[0]), uid(&before[0]), "in place");
}

#[test]
fn graceful_delete_on_a_healthy_node_recreates_the_ordinal_with_an_empty_cache() {
    let mut c = quiet(34);
    c.advance(secs(2));
    for (rt, tier) in [("imagenet-val", "emptyDir"), ("imagenet-train", "hostPath")] {
        let name = format!("{rt}-worker-1");
        let k = key(Kind::Pod, NS, &name);
        let old = pod(&c, NS, &name).expect("worker-1");
        let old_node = fluidops::model::pod::node_of(&old).unwrap().to_string();
        c.delete(&k).expect("delete");
        let p = pod(&c, NS, &name).expect("still there while stopping");
        assert!(p.metadata.deletion_timestamp.is_some(), "Terminating");
        assert_eq!(p.metadata.deletion_grace_period_seconds, Some(30));
        c.delete(&k).expect("a second delete is a no-op");
        let gone = run_until(&mut c, 10, "gone", |c| {
            pod(c, NS, &name).is_none_or(|p| uid(&p) != uid(&old))
        });
        assert!(gone >= 2, "a short grace, not at once ({gone}s)");
        run_until(&mut c, 30, "ready again", |c| {
            pod(c, NS, &name).is_some_and(|p| is_ready(&p))
        });
        let new = pod(&c, NS, &name).unwrap();
        assert_ne!(uid(&new), uid(&old), "new UID");
        assert_eq!(restarts(&new), 0);
        let node = fluidops::model::pod::node_of(&new).unwrap().to_string();
        let log = c.logs(&k).join("\n");
        let tier_line = log
            .lines()
            .find(|l| l.contains("tiered store level 0"))
            .unwrap_or_else(|| panic!("no tier line:\n{log}"));
        assert!(tier_line.contains(tier), "{tier_line}");
        let empty = log.contains("starting with an empty cache");
        if tier == "emptyDir" || node != old_node {
            assert!(empty, "{rt}: new pod on {node} (was {old_node}):\n{log}");
        } else {
            assert!(!empty && tier_line.contains("reusing"), "{log}");
        }
    }
    // A force delete removes at once.
    let k = key(Kind::Pod, NS, "imagenet-train-worker-0");
    c.force_delete(&k).expect("force");
    assert!(c.get(&k).is_none());
    let events = c.advance(secs(0));
    assert!(events.contains(&ClusterEvent::Deleted(k)));
}

#[test]
fn delete_on_a_lost_node_stays_terminating_until_force_deleted() {
    let mut c = quiet(35);
    c.advance(secs(2));
    let name = "imagenet-train-worker-1";
    let k = key(Kind::Pod, NS, name);
    let old = pod(&c, NS, name).unwrap();
    let node = fluidops::model::pod::node_of(&old).unwrap().to_string();
    c.fail_node(&node);
    c.advance(secs(5));
    c.delete(&k).expect("delete");
    c.advance(secs(120));
    let p = pod(&c, NS, name).expect("nobody confirms the delete");
    assert!(p.metadata.deletion_timestamp.is_some());
    assert_eq!(uid(&p), uid(&old));
    assert!(!is_ready(&p));
    assert_eq!(
        phase(&c, NS, RT, Component::Worker),
        RuntimePhase::PartialReady
    );
    c.advance(secs(200));
    let p = pod(&c, NS, name).expect("still Terminating");
    assert_eq!(cond(&p, "DisruptionTarget").as_deref(), Some("True"));
    assert_eq!(
        p.status.as_ref().and_then(|s| s.reason.as_deref()),
        Some("NodeLost")
    );

    c.force_delete(&k).expect("force delete");
    assert!(c.get(&k).is_none(), "gone at once");
    run_until(&mut c, 30, "recreated and ready", |c| {
        pod(c, NS, name).is_some_and(|p| is_ready(&p))
    });
    let new = pod(&c, NS, name).unwrap();
    assert_ne!(uid(&new), uid(&old));
    assert_ne!(
        fluidops::model::pod::node_of(&new),
        Some(node.as_str()),
        "not on the lost node"
    );
    assert!(
        c.logs(&k)
            .iter()
            .any(|l| l.contains("starting with an empty cache"))
    );
    assert_eq!(phase(&c, NS, RT, Component::Worker), RuntimePhase::Ready);
}

#[test]
fn node_lost_while_the_recreated_pod_starts_leaves_it_not_ready() {
    let mut c = quiet(36);
    c.advance(secs(2));
    let name = "imagenet-train-worker-0";
    let k = key(Kind::Pod, NS, name);
    let old = uid(&pod(&c, NS, name).unwrap());
    c.force_delete(&k).expect("force");
    run_until(&mut c, 10, "recreated", |c| pod(c, NS, name).is_some());
    let new = pod(&c, NS, name).unwrap();
    assert_ne!(uid(&new), old);
    assert!(!is_ready(&new), "just scheduled");
    let node = fluidops::model::pod::node_of(&new).unwrap().to_string();
    c.fail_node(&node);
    c.advance(secs(60));
    let p = pod(&c, NS, name).unwrap();
    assert_eq!(uid(&p), uid(&new));
    assert!(!is_ready(&p), "never becomes Ready on a lost node");
    assert_eq!(
        phase(&c, NS, RT, Component::Worker),
        RuntimePhase::PartialReady
    );
    c.recover_node(&node);
    run_until(&mut c, 30, "ready after the node is back", |c| {
        pod(c, NS, name).is_some_and(|p| is_ready(&p))
    });
}

#[test]
fn master_in_place_upgrade_remounts_the_dataset() {
    let mut c = quiet(37);
    c.advance(secs(2));
    let master = "imagenet-train-master-0";
    let before = pod(&c, NS, master).unwrap();
    let mount_before = runtime(&c, NS, RT).status.unwrap().mount_time.unwrap();
    set_version(&mut c, NS, RT, "master", "v0.2.6");
    let mut phases = vec![dataset(&c, NS, RT).phase()];
    run_until(&mut c, 60, "remounted", |c| {
        let p = dataset(c, NS, RT).phase();
        if phases.last() != Some(&p) {
            phases.push(p);
        }
        let mount = runtime(c, NS, RT).status.unwrap().mount_time.unwrap();
        pod(c, NS, master).is_some_and(|p| running_image(&p) == V6 && is_ready(&p))
            && mount != mount_before
            && dataset(c, NS, RT).phase() == DatasetPhase::Bound
    });
    assert_eq!(
        phases,
        [
            DatasetPhase::Bound,
            DatasetPhase::Updating,
            DatasetPhase::Bound
        ]
    );
    let after = pod(&c, NS, master).unwrap();
    assert_eq!(uid(&after), uid(&before), "in place");
    assert_eq!(restarts(&after), restarts(&before) + 1);
    let started = after
        .status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0]
        .state
        .as_ref()
        .unwrap()
        .running
        .as_ref()
        .unwrap()
        .started_at
        .clone()
        .unwrap()
        .0;
    let mount: jiff::Timestamp = runtime(&c, NS, RT)
        .status
        .unwrap()
        .mount_time
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        mount >= started,
        "mountTime {mount} after the restart {started}"
    );
    let log = c.logs(&key(Kind::Pod, NS, master)).join("\n");
    assert!(
        log.contains("starting master (curvine/curvine:v0.2.6)"),
        "{log}"
    );
    assert!(log.contains("mountUFS result"), "{log}");
    // The workers were not touched (only the master's runtimeVersion changed).
    assert!(
        pods_of(&c, NS, WORKERS, 3)
            .iter()
            .all(|p| running_image(p) == V5)
    );
}

#[test]
fn maintenance_records_and_locks_through_the_demo_writer() {
    use fluidops::cluster::writer::{Guarded, Write, WriteError, WriteOp, Writer};
    use fluidops::demo::writer::DemoWriter;
    use std::sync::{Arc, Mutex};
    let cluster = Arc::new(Mutex::new(quiet(38)));
    let w = Guarded::new(Box::new(DemoWriter::new(cluster.clone())), false, None);
    let run = |op: WriteOp| futures::executor::block_on(w.write(&Write::new(op)));
    let mk = key(Kind::CacheRuntimeMaintenance, NS, "upgrade-1");
    let rv = |c: &Arc<Mutex<DemoCluster>>, k: &ObjectKey| {
        c.lock()
            .unwrap()
            .get(k)
            .unwrap()
            .meta()
            .resource_version
            .clone()
            .unwrap()
    };
    let out = run(WriteOp::Create(serde_json::json!({
        "apiVersion": "ops.fluidops.io/v1alpha1", "kind": "CacheRuntimeMaintenance",
        "metadata": {"name": "upgrade-1", "namespace": NS},
        "spec": {"runtimeName": RT, "type": "Upgrade", "components": ["master", "worker"],
                 "upgrade": {"image": "curvine/curvine", "imageTag": "v0.2.6"}}
    })))
    .expect("create");
    let stored = out.object.expect("stored object");
    assert!(stored.meta().uid.is_some() && stored.meta().resource_version.is_some());
    let rv0 = rv(&cluster, &mk);

    // Status through the status subresource, guarded by the resourceVersion.
    run(WriteOp::MergePatchStatus {
        key: mk.clone(),
        patch: serde_json::json!({"metadata": {"resourceVersion": rv0},
            "status": {"phase": "Running", "currentStep": 1, "steps": [
                {"name": "preflight", "action": "Preflight", "state": "Done"},
                {"name": "patch master", "action": "PatchRuntime", "state": "Running"}]}}),
    })
    .expect("status patch");
    let rv1 = rv(&cluster, &mk);
    assert_ne!(rv1, rv0, "resourceVersion bumps");
    let Some(Object::Maintenance(m)) = cluster.lock().unwrap().get(&mk).cloned() else {
        panic!()
    };
    let st = m.status.clone().expect("status stored");
    assert_eq!(st.phase.as_str(), "Running");
    assert_eq!((st.current_step, st.steps.len()), (Some(1), 2));
    assert_eq!(
        m.metadata.generation,
        Some(1),
        "status does not move the generation"
    );

    let stale = run(WriteOp::MergePatchStatus {
        key: mk.clone(),
        patch: serde_json::json!({"metadata": {"resourceVersion": rv0}, "status": {"phase": "Failed"}}),
    });
    assert!(
        matches!(&stale, Err(WriteError::Status(s)) if s.code == 409),
        "{stale:?}"
    );

    // Spec patch: paused; the status stays (the main resource ignores status).
    run(WriteOp::MergePatch {
        key: mk.clone(),
        patch: serde_json::json!({"spec": {"paused": true}, "status": {"phase": "Failed"}}),
    })
    .expect("spec patch");
    let Some(Object::Maintenance(m)) = cluster.lock().unwrap().get(&mk).cloned() else {
        panic!()
    };
    assert_eq!(m.spec.paused, Some(true));
    assert_eq!(m.metadata.generation, Some(2));
    assert_eq!(m.status.unwrap().phase.as_str(), "Running");
    assert_ne!(rv(&cluster, &mk), rv1);

    // The lock annotation on the runtime, and its removal with null.
    let rk = key(Kind::CacheRuntime, NS, RT);
    run(WriteOp::MergePatch {
        key: rk.clone(),
        patch: serde_json::json!({"metadata": {"resourceVersion": rv(&cluster, &rk),
            "annotations": {"fluidops.io/maintenance": "upgrade-1"}}}),
    })
    .expect("lock");
    let ann = |c: &Arc<Mutex<DemoCluster>>| {
        c.lock()
            .unwrap()
            .get(&rk)
            .unwrap()
            .meta()
            .annotations
            .clone()
            .unwrap_or_default()
    };
    assert_eq!(
        ann(&cluster)
            .get("fluidops.io/maintenance")
            .map(String::as_str),
        Some("upgrade-1")
    );
    cluster.lock().unwrap().advance(secs(5));
    assert!(
        ann(&cluster).contains_key("fluidops.io/maintenance"),
        "kept by the controllers"
    );
    run(WriteOp::MergePatch {
        key: rk.clone(),
        patch: serde_json::json!({"metadata": {"annotations": {"fluidops.io/maintenance": null}}}),
    })
    .expect("unlock");
    assert!(!ann(&cluster).contains_key("fluidops.io/maintenance"));

    // Pods: a delete leaves it Terminating for a moment, a force delete removes it at once.
    let p = key(Kind::Pod, NS, "imagenet-train-worker-2");
    let out = run(WriteOp::Delete(p.clone())).expect("delete");
    assert!(
        out.object
            .is_some_and(|o| o.meta().deletion_timestamp.is_some())
    );
    let out = run(WriteOp::ForceDelete(p.clone())).expect("force delete");
    assert!(out.object.is_none());
    assert!(cluster.lock().unwrap().get(&p).is_none());

    run(WriteOp::Delete(mk.clone())).expect("delete record");
    assert!(cluster.lock().unwrap().get(&mk).is_none());
}

#[test]
fn a_cron_that_fell_behind_runs_once_for_the_latest_missed_slot() {
    let mut c = quiet(7);
    let key = op_key(OpKind::DataLoad, "imagenet", "imagenet-refresh");
    let mut o = op(&c, &key).expect("cron");
    let start = c.now();
    let three_hours_ago = start
        .checked_sub(jiff::SignedDuration::from_hours(3))
        .unwrap();
    let stale = fluidops::model::meta::format_time(three_hours_ago);
    o.status.as_mut().unwrap().last_schedule_time = Some(stale.clone());
    c.apply_status(Object::from(o)).expect("status");
    let mut runs: Vec<String> = Vec::new();
    for _ in 0..200 {
        c.advance(secs(1));
        let st = op(&c, &key).expect("cron").status.expect("status");
        if let Some(t) = st.last_schedule_time
            && t != stale
            && runs.last() != Some(&t)
        {
            runs.push(t);
        }
    }
    // Without catching up to the latest slot, 36 missed runs would replay back to back.
    assert!(!runs.is_empty() && runs.len() <= 2, "{runs:?}");
    let first: jiff::Timestamp = runs[0].parse().unwrap();
    assert!(
        start.as_second() - first.as_second() < 5 * 60,
        "the first run is the latest missed slot, not the oldest: {runs:?}"
    );
}

#[test]
fn a_scenario_step_uses_a_dataset_and_its_client_starts_on_that_node() {
    let mut c = quiet(5);
    let (ns, rt) = ("feature-store", "feature-cache");
    let clients = |c: &DemoCluster| {
        c.objects()
            .into_iter()
            .filter(|o| matches!(o, Object::Pod(p) if p.metadata.name.as_deref().is_some_and(|n| n.starts_with("feature-cache-client-"))))
            .count()
    };
    c.advance(secs(30));
    assert_eq!(
        clients(&c),
        0,
        "no client pod while nothing uses the dataset"
    );
    assert_eq!(phase(&c, ns, rt, Component::Client), RuntimePhase::NotReady);
    let step = fluidops::demo::ScenarioStep {
        at: Duration::ZERO,
        cue: None,
        action: ScenarioAction::UseDataset(ObjectKey::new(Kind::Dataset, ns, rt)),
        caption: "",
        screen: None,
    };
    step.apply(&mut c).expect("use the dataset");
    run_until(&mut c, 30, "client Ready", |c| {
        phase(c, ns, rt, Component::Client) == RuntimePhase::Ready
    });
    assert_eq!(clients(&c), 1);
    let missing = fluidops::demo::ScenarioStep {
        action: ScenarioAction::UseDataset(ObjectKey::new(Kind::Dataset, ns, "nope")),
        ..step
    };
    assert!(
        missing.apply(&mut c).is_err(),
        "an unknown dataset is refused"
    );
}

/// Played 16 or 64 times faster, on the demo source's half-second ticks: every caption, timed
/// or cued, stays on screen its reading time of wall-clock time before the next replaces it,
/// and a cued caption's cue still holds all that time (the screen still shows what it says).
#[test]
fn captions_keep_their_reading_time_at_any_speed() {
    use fluidops::demo::scenario::CAPTION_SECONDS;
    let tick = Duration::from_millis(500);
    let reading = secs(CAPTION_SECONDS);
    for speed in [16.0, 64.0] {
        for name in Scenario::names() {
            let mut c = quiet(21);
            let mut s = Player::new(Scenario::by_name(name).unwrap(), speed);
            let mut stand_in = StandIn::default();
            // (wall time shown, caption, cue)
            let mut shown: Vec<(Duration, &str, Option<fluidops::demo::Cue>)> = Vec::new();
            while !s.finished() {
                assert!(
                    s.wall() <= secs(1_200),
                    "{name} at {speed}: stuck waiting for {:?}",
                    s.waiting_for()
                );
                if let Some((at, caption, Some(cue))) = shown.last()
                    && s.wall() < *at + reading
                {
                    assert!(
                        cue.holds(&c),
                        "{name} at {speed}: {:?} after \"{caption}\" no longer shows what it says",
                        s.wall() - *at
                    );
                }
                if let Some(step) = s.due(&c) {
                    step.apply(&mut c).unwrap();
                    if let Some(a) = step.operator() {
                        stand_in.act(&mut c, a);
                    }
                    shown.push((s.wall(), step.caption, step.cue.clone()));
                }
                stand_in.tick(&mut c);
                let dt = s.advance(tick);
                c.advance(dt);
            }
            for pair in shown.windows(2) {
                let ((before, caption, _), (at, next, _)) = (&pair[0], &pair[1]);
                assert!(
                    *at >= *before + reading,
                    "{name} at {speed}: \"{caption}\" shown {:?} before \"{next}\"",
                    *at - *before
                );
            }
            assert_eq!(shown.len(), s.scenario().steps.len());
            // Between captions the cluster ran at the demo's speed.
            assert!(
                s.simulated() > s.wall().mul_f64(1.5),
                "{name} at {speed}: {:?} simulated in {:?}",
                s.simulated(),
                s.wall()
            );
        }
    }
}
