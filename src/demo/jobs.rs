//! Simulated Kubernetes Jobs behind DataOperations: one loader/processor pod per attempt,
//! `backoffLimit` 3 (four attempts), progress lines in the pod log, and the finished condition
//! the operation controller copies.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use rand::Rng;

use super::events::{EventType, Involved};
use super::pods::{self, PodPlan};
use super::{DemoCluster, names, workloads};
use crate::model::pod::LABEL_RUNTIME;
use crate::model::{Component, DataOperation, Kind, Object, ObjectKey, OpKind};

pub const BACKOFF_LIMIT: u32 = 3;

#[derive(Debug, Clone)]
pub struct JobSim {
    pub job_name: String,
    pub created: Timestamp,
    pub pod: ObjectKey,
    pub attempts: u32,
    pub attempt_ends_at: Timestamp,
    pub fails: bool,
    pub run_secs: i64,
    pub next_progress: Timestamp,
}

/// How a finished job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobFinished {
    pub succeeded: bool,
    pub at: Timestamp,
    pub created: Timestamp,
}

fn secs(t: Timestamp, s: i64) -> Timestamp {
    t.checked_add(SignedDuration::from_secs(s)).unwrap_or(t)
}

/// Release name of an operation's helm chart.
pub fn release(op: &DataOperation) -> String {
    let name = op.metadata.name.clone().unwrap_or_default();
    match op.op_kind() {
        OpKind::DataProcess => format!("{name}-processor"),
        _ => format!("{name}-loader"),
    }
}

fn loader_image(cluster: &DemoCluster, op: &DataOperation) -> String {
    if op.op_kind() == OpKind::DataProcess {
        let processor = op.spec.extra.get("processor");
        let script = processor.as_ref().and_then(|p| p.get("script"));
        let image = script
            .and_then(|s| s.get("image"))
            .and_then(|v| v.as_str())
            .unwrap_or("busybox");
        let tag = script
            .and_then(|s| s.get("imageTag"))
            .and_then(|v| v.as_str())
            .unwrap_or("latest");
        return format!("{image}:{tag}");
    }
    let Some((ns, ds)) = op.target_dataset() else {
        return "busybox:latest".into();
    };
    let Some(rt) = cluster.state.runtime(&ns, &ds) else {
        return "busybox:latest".into();
    };
    let Some(class) = cluster.state.class(&rt.spec.runtime_class_name) else {
        return "busybox:latest".into();
    };
    class
        .data_operation_specs
        .iter()
        .find(|s| s.name == "DataLoad")
        .and_then(|s| s.image.clone())
        .or_else(|| {
            rt.component_spec(Component::Worker)
                .and_then(|w| w.runtime_version.as_ref())
                .and_then(|v| v.reference())
        })
        .unwrap_or_else(|| workloads::engine_image(rt, class, Component::Worker))
}

fn create_pod(cluster: &mut DemoCluster, op: &DataOperation, job_name: &str) -> ObjectKey {
    let ns = op.metadata.namespace.clone().unwrap_or_default();
    let rel = release(op);
    let ds = op.target_dataset().map(|(_, d)| d).unwrap_or_default();
    let mut labels = BTreeMap::new();
    labels.insert("release".to_string(), rel.clone());
    labels.insert("app.kubernetes.io/instance".to_string(), rel.clone());
    labels.insert(
        "app.kubernetes.io/managed-by".to_string(),
        "Helm".to_string(),
    );
    labels.insert("fluid.io/managed-by".to_string(), "fluid".to_string());
    let (container, env) = if op.op_kind() == OpKind::DataLoad {
        labels.insert("role".to_string(), "dataload-pod".to_string());
        labels.insert("app".to_string(), "cache".to_string());
        labels.insert("targetDataset".to_string(), ds.clone());
        labels.insert(
            "app.kubernetes.io/name".to_string(),
            "fluid-dataloader".to_string(),
        );
        labels.insert("fluid.io/dataset-id".to_string(), format!("{ns}-{ds}"));
        let targets = op.spec.target.clone().unwrap_or_default();
        let paths: Vec<String> = targets.iter().map(|t| t.path.clone()).collect();
        let replicas: Vec<String> = targets
            .iter()
            .map(|t| t.replicas.unwrap_or(1).to_string())
            .collect();
        let env = vec![
            (
                "FLUID_DATALOAD_METADATA".to_string(),
                op.spec.load_metadata.unwrap_or(false).to_string(),
            ),
            ("FLUID_DATALOAD_DATA_PATH".to_string(), paths.join(":")),
            (
                "FLUID_DATALOAD_PATH_REPLICAS".to_string(),
                replicas.join(":"),
            ),
            (
                "FLUID_RUNTIME_CONFIG_PATH".to_string(),
                "/etc/fluid/config/runtime.json".to_string(),
            ),
        ];
        ("dataloader", env)
    } else {
        ("processor", Vec::new())
    };
    let avoid = Default::default();
    let node = cluster
        .state
        .pods()
        .find(|p| {
            p.metadata.namespace.as_deref() == Some(ns.as_str())
                && p.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(LABEL_RUNTIME))
                    == Some(&ds)
        })
        .and_then(|p| crate::model::pod::node_of(p).map(str::to_string))
        .filter(|n| !cluster.lost_nodes.contains_key(n));
    let node = match node {
        Some(n) => n,
        None => workloads::pick_node(cluster, false, &avoid),
    };
    let name = format!("{job_name}-{}", names::pod_suffix(&mut cluster.rng));
    let job_uid = names::stable_uid(&format!("{ns}/{job_name}"));
    for key in ["job-name", "batch.kubernetes.io/job-name"] {
        labels.insert(key.to_string(), job_name.to_string());
    }
    for key in ["controller-uid", "batch.kubernetes.io/controller-uid"] {
        labels.insert(key.to_string(), job_uid.clone());
    }
    let (command, args) = operation_command(cluster, op);
    let plan = PodPlan {
        namespace: ns.clone(),
        name: name.clone(),
        uid: names::uid(&mut cluster.rng),
        labels,
        owner: OwnerReference {
            api_version: "batch/v1".into(),
            kind: "Job".into(),
            name: job_name.to_string(),
            uid: job_uid,
            controller: Some(true),
            block_owner_deletion: Some(true),
        },
        node,
        container: container.to_string(),
        image: loader_image(cluster, op),
        command: Some(command),
        env,
        restart_policy: Some("Never".into()),
        hostname: None,
        template: None,
        generate_name: Some(format!("{job_name}-")),
    };
    let node = plan.node.clone();
    let mut pod = pods::new_pod(plan, cluster.state.now);
    pod.metadata.generation = Some(1);
    pod.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert("sidecar.istio.io/inject".into(), "false".into());
    if let Some(c) = pod.spec.as_mut().and_then(|s| s.containers.first_mut()) {
        c.args = (!args.is_empty()).then_some(args);
        c.image_pull_policy = Some("IfNotPresent".into());
        c.resources = Some(Default::default());
    }
    let key = ObjectKey::new(Kind::Pod, ns.clone(), name.clone());
    let obj = Object::Pod(Box::new(pod));
    cluster.state.put(obj.clone());
    let msg = format!("Successfully assigned {ns}/{name} to {node}");
    cluster.events.record(
        &mut cluster.state,
        &mut cluster.rng,
        &Involved::of(&obj),
        EventType::Normal,
        "Scheduled",
        &msg,
    );
    key
}

/// The command and arguments the class's `dataOperationSpecs` give the operation's kind
/// (`/bin/bash -c` and none when it names none).
fn operation_command(cluster: &DemoCluster, op: &DataOperation) -> (Vec<String>, Vec<String>) {
    let default = (vec!["/bin/bash".to_string(), "-c".to_string()], Vec::new());
    let Some((ns, ds)) = op.target_dataset() else {
        return default;
    };
    let spec = cluster
        .state
        .runtime(&ns, &ds)
        .and_then(|rt| cluster.state.class(&rt.spec.runtime_class_name))
        .and_then(|class| {
            class
                .data_operation_specs
                .iter()
                .find(|s| s.name == op.op_kind().as_str())
                .cloned()
        });
    match spec {
        Some(s) if !s.command.is_empty() => (s.command, s.args),
        Some(s) => (default.0, s.args),
        None => default,
    }
}

/// Creates the Job (its first pod) for an operation.
pub fn start(
    cluster: &mut DemoCluster,
    op: &DataOperation,
    job_name: String,
    fails: bool,
) -> JobSim {
    let now = cluster.state.now;
    let run_secs = match op.op_kind() {
        OpKind::DataProcess => cluster.rng.random_range(15..=40),
        _ => cluster.rng.random_range(30..=90),
    };
    let pod = create_pod(cluster, op, &job_name);
    let attempt = if fails {
        cluster.rng.random_range(4..=10)
    } else {
        run_secs
    };
    JobSim {
        job_name,
        created: now,
        pod,
        attempts: 1,
        attempt_ends_at: secs(now, attempt + 2),
        fails,
        run_secs,
        next_progress: secs(now, 4),
    }
}

/// Advances a job by one step; returns how it ended once it has.
pub fn tick(
    cluster: &mut DemoCluster,
    op: &DataOperation,
    job: &mut JobSim,
) -> Option<JobFinished> {
    let now = cluster.state.now;
    let Some(pod) = cluster.state.pod(&job.pod).cloned() else {
        // The pod was deleted: the Job creates a new one.
        job.pod = create_pod(cluster, op, &job.job_name);
        let attempt = if job.fails { 6 } else { job.run_secs };
        job.attempt_ends_at = secs(now, attempt + 2);
        return None;
    };
    let phase = pods::phase(&pod).to_string();
    if phase == "Pending" {
        if now.as_second()
            - pod
                .metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.as_second())
                .unwrap_or(0)
            >= 2
        {
            cluster.state.update_pod(&job.pod, |p| pods::start(p, now));
            let paths: Vec<String> = op
                .spec
                .target
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|t| t.path)
                .collect();
            let msg = if paths.is_empty() {
                "processing".to_string()
            } else {
                format!("loading {}", paths.join(", "))
            };
            super::logs::write(cluster, &job.pod.clone(), "INFO", "fluid_dataloader", &msg);
        }
        return None;
    }
    if phase != "Running" {
        return None;
    }
    if now < job.attempt_ends_at {
        if now >= job.next_progress && !job.fails {
            let total = (job.attempt_ends_at.as_second() - job.created.as_second()).max(1) as f64;
            let done = (now.as_second() - job.created.as_second()) as f64 / total;
            let gib = cluster.rng.random_range(0.5..3.0);
            let msg = format!(
                "progress {:.1}% ({:.2}GiB/s, {} files)",
                done * 100.0,
                gib,
                cluster.rng.random_range(100..5000)
            );
            super::logs::write(cluster, &job.pod.clone(), "INFO", "fluid_dataloader", &msg);
            job.next_progress = secs(now, cluster.rng.random_range(4..=8));
        }
        return None;
    }
    let succeeded = !job.fails;
    let pod_key = job.pod.clone();
    if succeeded {
        super::logs::write(
            cluster,
            &pod_key,
            "INFO",
            "fluid_dataloader",
            "load finished: 100.0%",
        );
    } else {
        super::logs::write(
            cluster,
            &pod_key,
            "ERROR",
            "fluid_dataloader",
            "load failed: path not found in any mount (exit 1)",
        );
    }
    cluster
        .state
        .update_pod(&pod_key, |p| pods::finish(p, now, succeeded));
    if !succeeded && job.attempts <= BACKOFF_LIMIT {
        job.attempts += 1;
        job.pod = create_pod(cluster, op, &job.job_name);
        job.attempt_ends_at = secs(now, cluster.rng.random_range(4..=10) + 2);
        return None;
    }
    Some(JobFinished {
        succeeded,
        at: now,
        created: job.created,
    })
}

/// Deletes every pod of an operation's jobs (the Jobs are owned by the operation).
pub fn delete_pods(cluster: &mut DemoCluster, op: &DataOperation) {
    let rel = release(op);
    let ns = op.metadata.namespace.clone().unwrap_or_default();
    let keys: Vec<ObjectKey> = cluster
        .state
        .pods()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns.as_str()))
        .filter(|p| p.metadata.labels.as_ref().and_then(|l| l.get("release")) == Some(&rel))
        .map(|p| {
            ObjectKey::new(
                Kind::Pod,
                ns.clone(),
                p.metadata.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    for k in keys {
        cluster.state.remove(&k);
        cluster.logs.forget(&k);
    }
}

/// Keeps the pods of the newest `keep` jobs of a Cron operation (history limit).
pub fn prune_history(cluster: &mut DemoCluster, op: &DataOperation, keep: usize) {
    let rel = release(op);
    let ns = op.metadata.namespace.clone().unwrap_or_default();
    let mut jobs: BTreeMap<String, Vec<ObjectKey>> = BTreeMap::new();
    for p in cluster.state.pods() {
        if p.metadata.namespace.as_deref() != Some(ns.as_str())
            || p.metadata.labels.as_ref().and_then(|l| l.get("release")) != Some(&rel)
        {
            continue;
        }
        let job = p
            .metadata
            .owner_references
            .as_ref()
            .and_then(|o| o.first())
            .map(|o| o.name.clone())
            .unwrap_or_default();
        jobs.entry(job).or_default().push(ObjectKey::new(
            Kind::Pod,
            ns.clone(),
            p.metadata.name.clone().unwrap_or_default(),
        ));
    }
    let n = jobs.len();
    if n <= keep {
        return;
    }
    // Cron job names end in minutes since the epoch: same width, so name order is time order.
    for (_, pods) in jobs.into_iter().take(n - keep) {
        for k in pods {
            cluster.state.remove(&k);
            cluster.logs.forget(&k);
        }
    }
}
