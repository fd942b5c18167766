//! A cluster at scale for the demo source and benchmarks: `--scale runtimes=1000,pods=50000,
//! ops=10000` generates that many objects with the fields a real API server returns (runtimes
//! with component specs and status, their datasets, master/worker/client pods with Fluid labels,
//! owner references, container statuses, nodes and images, DataLoad/DataProcess operations with
//! status, and events), and `--churn 200/s` a steady stream of phase changes on them.
//!
//! Pure and deterministic: object `i` of a kind depends only on the seed, the start time and `i`
//! (plus, while churning, the phase churn gave it), so nothing is kept per object but one byte of
//! state, and the same seed always gives the same objects and the same change stream.
//!
//! Generated objects live in namespaces `scale-NNN`. The demo's controllers do not reconcile them;
//! only churn changes them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{ContainerStateRunning, ContainerStateWaiting, PodIP};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{Value, json};

use crate::cluster::ClusterEvent;
use crate::model::dataset::parse_size;
use crate::model::meta::format_time;
use crate::model::operation::OpPhase;
use crate::model::pod::{CompactPod, KeptSpec, SpecCache};
use crate::model::{Component, DataOperation, Event, Kind, Object, OpKind, Pod};

/// How many objects of each kind to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScaleSpec {
    pub runtimes: usize,
    /// Cache pods in all (master, workers and clients of the runtimes).
    pub pods: usize,
    /// DataLoad and DataProcess operations in all.
    pub ops: usize,
    /// Events (default: five per runtime).
    pub events: usize,
}

impl ScaleSpec {
    /// Total number of generated objects (one dataset per runtime).
    pub fn objects(&self) -> usize {
        2 * self.runtimes + self.pods + self.ops + self.events
    }
}

/// Parses `runtimes=1000,pods=50000,ops=10000[,events=N]`; numbers may end in `k` (thousand).
pub fn parse_scale(s: &str) -> Result<ScaleSpec, String> {
    let mut spec = ScaleSpec::default();
    let mut events = None;
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| format!("\"{part}\" is not KEY=N (e.g. pods=50000)"))?;
        let n = parse_count(value.trim())?;
        match key.trim() {
            "runtimes" => spec.runtimes = n,
            "pods" => spec.pods = n,
            "ops" => spec.ops = n,
            "events" => events = Some(n),
            other => {
                return Err(format!(
                    "unknown scale key \"{other}\" (one of: runtimes, pods, ops, events)"
                ));
            }
        }
    }
    spec.events = events.unwrap_or(spec.runtimes * 5);
    if spec.objects() > 5_000_000 {
        return Err(format!(
            "scale of {} objects is out of range",
            spec.objects()
        ));
    }
    Ok(spec)
}

fn parse_count(v: &str) -> Result<usize, String> {
    let (digits, factor) = match v.strip_suffix(['k', 'K']) {
        Some(d) => (d, 1000),
        None => (v, 1),
    };
    digits
        .parse::<usize>()
        .map(|n| n * factor)
        .map_err(|_| format!("bad count \"{v}\""))
}

/// Parses a churn rate: `200/s` or `200` (changes per simulated second).
pub fn parse_churn(s: &str) -> Result<f64, String> {
    let n = s.trim();
    let n = n.strip_suffix("/s").unwrap_or(n).trim();
    match n.parse::<f64>() {
        Ok(r) if r.is_finite() && (0.0..=1_000_000.0).contains(&r) => Ok(r),
        _ => Err(format!("churn \"{s}\" is not a rate like 200/s")),
    }
}

/// splitmix64: a well-mixed u64 from (seed, stream, index), for per-object randomness that does
/// not depend on generation order.
fn mix(seed: u64, stream: u64, i: u64) -> u64 {
    let mut z = seed
        .wrapping_add(stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(i.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const WORDS: [&str; 12] = [
    "imagenet",
    "llm-ckpt",
    "features",
    "clickstream",
    "embeddings",
    "audio",
    "video-frames",
    "genomics",
    "recsys",
    "logs",
    "tokens",
    "eval",
];

const RUNTIMES_PER_NAMESPACE: usize = 10;
const NODES: u64 = 400;
const CLASS: &str = "curvine-standard";
const IMAGE: &str = "curvine/curvine:v0.2.5";

/// Stream ids for [`mix`].
const S_UID: u64 = 1;
const S_AGE: u64 = 2;
const S_NODE: u64 = 3;
const S_READY: u64 = 4;
const S_PHASE: u64 = 5;
const S_RESTART: u64 = 6;
const S_CHURN: u64 = 7;

/// Initial phase byte of a pod: 0 ready, 1 running but not ready, 2 crash-looping.
const POD_READY: u8 = 0;
const POD_NOT_READY: u8 = 1;
const POD_CRASH: u8 = 2;

/// Operation phase bytes.
const OP_PENDING: u8 = 0;
const OP_EXECUTING: u8 = 1;
const OP_COMPLETE: u8 = 2;
const OP_FAILED: u8 = 3;

/// Generates objects of a [`ScaleSpec`]; cheap to keep (typed templates are cloned and filled in).
#[derive(Debug, Clone)]
pub struct Generator {
    pub spec: ScaleSpec,
    seed: u64,
    now: Timestamp,
    pod: Pod,
    runtime: Object,
    dataset: Object,
    op: DataOperation,
    event: Event,
}

impl Generator {
    pub fn new(spec: ScaleSpec, seed: u64, now: Timestamp) -> Generator {
        let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
        let t = format_time(now);
        let obj = |v: Value| Object::from_value(v).ok().flatten();
        let pod = match obj(pod_template(&t)) {
            Some(Object::Pod(p)) => *p,
            _ => Pod::default(),
        };
        let op = match obj(op_template(&t)) {
            Some(Object::Operation(o)) => *o,
            _ => DataOperation::default(),
        };
        let event = match obj(event_template(&t)) {
            Some(Object::Event(e)) => *e,
            _ => Event::default(),
        };
        Generator {
            spec,
            seed,
            now,
            pod,
            runtime: obj(runtime_template(&t)).expect("runtime template decodes"),
            dataset: obj(dataset_template(&t)).expect("dataset template decodes"),
            op,
            event,
        }
    }

    fn r(&self, stream: u64, i: usize) -> u64 {
        mix(self.seed, stream, i as u64)
    }

    fn uid(&self, kind: u64, i: usize) -> String {
        let a = self.r(S_UID * 16 + kind, i);
        let b = self.r(S_UID * 16 + kind + 8, i);
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// A time `secs` before the start.
    fn ago(&self, secs: u64) -> Timestamp {
        self.now
            .checked_sub(SignedDuration::from_secs(secs as i64))
            .unwrap_or(self.now)
    }

    fn runtime_name(&self, r: usize) -> String {
        format!("{}-{r:04}", WORDS[r % WORDS.len()])
    }

    fn namespace(&self, r: usize) -> String {
        format!("scale-{:03}", r / RUNTIMES_PER_NAMESPACE)
    }

    fn runtimes_for_pods(&self) -> usize {
        self.spec.runtimes.max(1)
    }

    /// Pods of runtime `r`.
    fn pods_of(&self, r: usize) -> usize {
        let rs = self.runtimes_for_pods();
        self.spec.pods / rs + usize::from(r < self.spec.pods % rs)
    }

    /// (master, workers, clients) pods of runtime `r`.
    fn layout(&self, r: usize) -> (usize, usize, usize) {
        let n = self.pods_of(r);
        let master = n.min(1);
        let clients = n.saturating_sub(1).min(2);
        (master, n - master - clients, clients)
    }

    fn node(&self, stream: u64, i: usize) -> String {
        format!("cache-node-{:03}", self.r(stream, i) % NODES)
    }

    /// How old runtime `r` is, in seconds (1 to 30 days).
    fn runtime_age(&self, r: usize) -> u64 {
        86_400 + self.r(S_AGE, r) % (29 * 86_400)
    }

    /// Initial state byte of pod `i`.
    pub fn pod_initial(&self, i: usize) -> u8 {
        match self.r(S_READY, i) % 100 {
            0 => POD_CRASH,
            1..=2 => POD_NOT_READY,
            _ => POD_READY,
        }
    }

    /// Initial phase byte of operation `i`.
    pub fn op_initial(&self, i: usize) -> u8 {
        match self.r(S_PHASE, i) % 100 {
            0..=69 => OP_COMPLETE,
            70..=84 => OP_EXECUTING,
            85..=94 => OP_PENDING,
            _ => OP_FAILED,
        }
    }

    /// Every generated object, kind by kind.
    pub fn objects(&self) -> Vec<Object> {
        let mut out = Vec::with_capacity(self.spec.objects());
        for kind in Kind::ALL {
            out.extend(self.of_kind(kind));
        }
        out
    }

    /// Generated objects of one kind, in their initial state.
    pub fn of_kind(&self, kind: Kind) -> Box<dyn Iterator<Item = Object> + '_> {
        match kind {
            Kind::CacheRuntime => Box::new((0..self.spec.runtimes).map(|r| self.runtime(r))),
            Kind::Dataset => Box::new((0..self.spec.runtimes).map(|r| self.dataset(r))),
            Kind::Pod => Box::new(
                (0..self.spec.pods)
                    .map(|i| Object::Pod(Box::new(self.pod(i, self.pod_initial(i), None)))),
            ),
            Kind::Operation(k) => Box::new(
                (0..self.spec.ops)
                    .filter(move |&i| op_kind(i) == k)
                    .map(|i| Object::from(self.op(i, self.op_initial(i), None))),
            ),
            Kind::Event => Box::new((0..self.spec.events).map(|i| Object::from(self.event(i)))),
            _ => Box::new(std::iter::empty()),
        }
    }

    pub fn runtime(&self, r: usize) -> Object {
        let mut obj = self.runtime.clone();
        let (master, workers, clients) = self.layout(r);
        let name = self.runtime_name(r);
        let ns = self.namespace(r);
        let created = self.ago(self.runtime_age(r));
        if let Object::Runtime(rt) = &mut obj {
            let m = &mut rt.metadata;
            m.name = Some(name.clone());
            m.namespace = Some(ns.clone());
            m.uid = Some(self.uid(0, r));
            m.resource_version = Some((1_000_000 + r).to_string());
            m.creation_timestamp = Some(Time(created));
            if let Some(owner) = m.owner_references.as_mut().and_then(|o| o.first_mut()) {
                owner.name = name.clone();
                owner.uid = self.uid(1, r);
            }
            if let Some(w) = rt.spec.worker.as_mut() {
                w.replicas = Some(workers as i32);
            }
            if let Some(st) = rt.status.as_mut() {
                st.value_file = Some(format!("fluid-runtime-config-{name}"));
                st.mount_time = Some(format_time(created + SignedDuration::from_secs(216)));
                for c in &mut st.conditions {
                    c.last_probe_time = Some(format_time(created + SignedDuration::from_secs(6)));
                    c.last_transition_time = c.last_probe_time.clone();
                }
                for (c, n) in [
                    (st.master.as_mut(), master),
                    (st.worker.as_mut(), workers),
                    (st.client.as_mut(), clients),
                ] {
                    if let Some(c) = c {
                        let n = n as i32;
                        c.desired_replicas = Some(n);
                        c.current_replicas = Some(n);
                        c.ready_replicas = Some(n);
                        c.available_replicas = Some(n);
                    }
                }
            }
        }
        obj
    }

    pub fn dataset(&self, r: usize) -> Object {
        let mut obj = self.dataset.clone();
        let name = self.runtime_name(r);
        let ns = self.namespace(r);
        let created = self.ago(self.runtime_age(r) + 5);
        if let Object::Dataset(ds) = &mut obj {
            let m = &mut ds.metadata;
            m.name = Some(name.clone());
            m.namespace = Some(ns.clone());
            m.uid = Some(self.uid(1, r));
            m.resource_version = Some((2_000_000 + r).to_string());
            m.creation_timestamp = Some(Time(created));
            let mount = format!("s3://ml-datasets/{name}/");
            for mt in &mut ds.spec.mounts {
                mt.mount_point = mount.clone();
                mt.name = Some(name.clone());
            }
            if let Some(st) = ds.status.as_mut() {
                if let Some(mut mounts) = st.extra.get("mounts") {
                    for mt in mounts.as_array_mut().into_iter().flatten() {
                        mt["mountPoint"] = Value::from(mount.clone());
                        mt["name"] = Value::from(name.clone());
                    }
                    st.extra.insert("mounts".into(), mounts);
                }
                for rt in &mut st.runtimes {
                    rt.name = name.clone();
                    rt.namespace = ns.clone();
                }
                let t = format_time(created + SignedDuration::from_secs(221));
                for c in &mut st.conditions {
                    c.last_update_time = Some(t.clone());
                    c.last_transition_time = Some(t.clone());
                }
                // As Fluid reports it: what is cached fits in the cache, and cachedPercentage
                // is of the dataset's total size.
                let capacity = st
                    .cache_states
                    .get("cacheCapacity")
                    .and_then(|v| parse_size(v));
                let total = st
                    .extra
                    .get("ufsTotal")
                    .and_then(|v| v.as_str().and_then(parse_size));
                if let (Some(capacity), Some(total)) = (capacity, total) {
                    let share = (self.r(S_PHASE, r) % 1001) as f64 / 1000.0;
                    let cached = capacity.min(total) * share;
                    st.cache_states.insert("cached".into(), size_text(cached));
                    st.cache_states.insert(
                        "cachedPercentage".into(),
                        format!("{:.1}%", 100.0 * cached / total),
                    );
                }
            }
        }
        obj
    }

    /// Pod `i` in state `state` ([`POD_READY`] …); `since` is when it entered it (start time
    /// derived otherwise).
    pub fn pod(&self, i: usize, state: u8, since: Option<Timestamp>) -> Pod {
        self.pod_parts(i, state, since, true)
    }

    /// Pod `i` as the store keeps it: the same as [`CompactPod::from_pod`] of [`Generator::pod`],
    /// built without copying the pod spec, which is shared between the pods of one workload
    /// through `specs`.
    pub fn compact_pod(
        &self,
        i: usize,
        state: u8,
        since: Option<Timestamp>,
        specs: &mut WorkloadSpecs,
    ) -> CompactPod {
        if self.pod.spec.is_none() {
            return CompactPod::from_pod(self.pod(i, state, since));
        }
        let rs = self.runtimes_for_pods();
        let (r, slot) = (i % rs, i / rs);
        let (_, _, clients) = self.layout(r);
        // Master and workers have a hostname (StatefulSet-style), clients do not.
        let group = if slot == 0 {
            0
        } else if slot <= clients {
            1
        } else {
            2
        };
        let pod = self.pod_parts(i, state, since, false);
        let spec = specs
            .0
            .entry((r, group))
            .or_insert_with(|| {
                let spec = self.pod(i, state, since).spec.unwrap_or_default();
                Arc::new(KeptSpec::new(spec))
            })
            .clone();
        let hostname = if group == 1 {
            self.pod.spec.as_ref().and_then(|s| s.hostname.as_deref())
        } else {
            pod.metadata.name.as_deref()
        };
        CompactPod::with_kept_spec(&pod, spec, Some(&self.node(S_NODE, i)), hostname)
    }

    fn pod_parts(&self, i: usize, state: u8, since: Option<Timestamp>, with_spec: bool) -> Pod {
        let rs = self.runtimes_for_pods();
        let (r, slot) = (i % rs, i / rs);
        let (_, _, clients) = self.layout(r);
        let rt = self.runtime_name(r);
        let ns = self.namespace(r);
        let (component, name, owner_kind, ordinal) = if slot == 0 {
            (
                Component::Master,
                format!("{rt}-master-0"),
                "AdvancedStatefulSet",
                Some(0),
            )
        } else if slot <= clients {
            let h = self.r(S_UID, i) & 0xfffff;
            (
                Component::Client,
                format!("{rt}-client-{}", short_suffix(h)),
                "DaemonSet",
                None,
            )
        } else {
            let n = slot - 1 - clients;
            (
                Component::Worker,
                format!("{rt}-worker-{n}"),
                "AdvancedStatefulSet",
                Some(n),
            )
        };
        let c = component.as_str();
        let workload = format!("{rt}-{c}");
        let created = self.ago(self.runtime_age(r) - 60 - (slot as u64 % 120));
        let started = created + SignedDuration::from_secs(18);
        let since = since.unwrap_or(started + SignedDuration::from_secs(25));
        let node = self.node(S_NODE, i);
        let ip = self.r(S_NODE, i) % NODES;
        let host_ip = format!("10.0.{}.{}", ip / 250, ip % 250 + 2);
        let pod_ip = if component == Component::Worker {
            format!("10.42.{}.{}", (i / 250) % 250, i % 250 + 2)
        } else {
            host_ip.clone()
        };
        let restarts = match state {
            POD_CRASH => 3 + (self.r(S_RESTART, i) % 40) as i32,
            _ => (self.r(S_RESTART, i) % 100 / 97) as i32,
        };

        let mut p = if with_spec {
            self.pod.clone()
        } else {
            Pod {
                metadata: self.pod.metadata.clone(),
                spec: None,
                status: self.pod.status.clone(),
            }
        };
        let m = &mut p.metadata;
        m.name = Some(name.clone());
        m.namespace = Some(ns.clone());
        m.generate_name = Some(format!("{workload}-"));
        m.uid = Some(self.uid(2, i));
        m.resource_version = Some((3_000_000 + i).to_string());
        m.creation_timestamp = Some(Time(created));
        if let Some(labels) = m.labels.as_mut() {
            labels.insert("cacheruntime.fluid.io/name".into(), rt.clone());
            labels.insert(
                "cacheruntime.fluid.io/component-name".into(),
                workload.clone(),
            );
            labels.insert("app".into(), format!("curvine-{c}"));
            labels.insert("role".into(), format!("curvine-{c}"));
            labels.insert("release".into(), rt.clone());
            labels.insert(
                "controller-revision-hash".into(),
                format!("{workload}-{:x}", self.r(S_UID, r) & 0xff_ffff_ffff),
            );
            if component == Component::Worker {
                labels.insert("fluid.io/dataset".into(), format!("{ns}-{rt}"));
                labels.insert("fluid.io/dataset-placement".into(), "Exclusive".into());
            }
            if let Some(n) = ordinal {
                labels.insert("statefulset.kubernetes.io/pod-name".into(), name.clone());
                labels.insert("apps.kubernetes.io/pod-index".into(), n.to_string());
            }
        }
        if let Some(o) = m.owner_references.as_mut().and_then(|o| o.first_mut()) {
            o.kind = owner_kind.into();
            o.api_version = if owner_kind == "DaemonSet" {
                "apps/v1".into()
            } else {
                "workload.fluid.io/v1alpha1".into()
            };
            o.name = workload.clone();
            o.uid = self.uid(3 + component as u64, r);
        }
        if let Some(spec) = p.spec.as_mut() {
            spec.node_name = Some(node);
            if ordinal.is_some() {
                spec.hostname = Some(name.clone());
                spec.subdomain = Some(format!("svc-{workload}"));
            }
            if let Some(ct) = spec.containers.first_mut() {
                ct.name = c.into();
                ct.args = Some(vec![
                    c.into(),
                    "--conf".into(),
                    "/etc/fluid/config/curvine-cluster.toml".into(),
                ]);
            }
        }
        if let Some(st) = p.status.as_mut() {
            st.host_ip = Some(host_ip.clone());
            st.host_ips = Some(vec![k8s_openapi::api::core::v1::HostIP { ip: host_ip }]);
            st.pod_ip = Some(pod_ip.clone());
            st.pod_ips = Some(vec![PodIP { ip: pod_ip }]);
            st.start_time = Some(Time(created + SignedDuration::from_secs(2)));
            let ready = state == POD_READY;
            for cond in st.conditions.iter_mut().flatten() {
                let t = match cond.type_.as_str() {
                    "Ready" | "ContainersReady" => {
                        cond.status = if ready { "True" } else { "False" }.into();
                        cond.reason = (!ready).then(|| "ContainersNotReady".into());
                        cond.message =
                            (!ready).then(|| format!("containers with unready status: [{c}]"));
                        since
                    }
                    _ => created + SignedDuration::from_secs(1),
                };
                cond.last_transition_time = Some(Time(t));
            }
            if let Some(cs) = st.container_statuses.as_mut().and_then(|c| c.first_mut()) {
                cs.name = c.into();
                cs.ready = ready;
                cs.started = Some(state != POD_CRASH);
                cs.restart_count = restarts;
                cs.container_id = Some(format!(
                    "containerd://{:016x}{:016x}{:016x}{:016x}",
                    self.r(S_UID * 100, i),
                    self.r(S_UID * 101, i),
                    self.r(S_UID * 102, i),
                    (restarts as u64) ^ self.r(S_UID * 103, i)
                ));
                if let Some(state_) = cs.state.as_mut() {
                    if state == POD_CRASH {
                        state_.running = None;
                        state_.waiting = Some(ContainerStateWaiting {
                            reason: Some("CrashLoopBackOff".into()),
                            message: Some(format!(
                                "back-off 5m0s restarting failed container={c} pod={name}_{ns}"
                            )),
                        });
                    } else {
                        state_.waiting = None;
                        state_.running = Some(ContainerStateRunning {
                            started_at: Some(Time(started)),
                        });
                    }
                }
            }
        }
        p
    }

    /// Operation `i` in phase `phase`; `since` is when it entered it.
    pub fn op(&self, i: usize, phase: u8, since: Option<Timestamp>) -> DataOperation {
        let r = i % self.spec.runtimes.max(1);
        let kind = op_kind(i);
        let rt = self.runtime_name(r);
        let ns = self.namespace(r);
        let created = self.ago(60 + self.r(S_AGE, 1_000_000 + i) % (7 * 86_400));
        let since = since.unwrap_or(created + SignedDuration::from_secs(95));
        let mut op = self.op.clone();
        op.kind = kind.as_str().into();
        let short = match kind {
            OpKind::DataProcess => "process",
            _ => "load",
        };
        let m = &mut op.metadata;
        m.name = Some(format!("{rt}-{short}-{i:05}"));
        m.namespace = Some(ns.clone());
        m.uid = Some(self.uid(6, i));
        m.resource_version = Some((4_000_000 + i).to_string());
        m.creation_timestamp = Some(Time(created));
        op.spec.dataset = Some(json!({"name": rt, "namespace": ns}).into());
        if kind == OpKind::DataProcess {
            op.spec.target = None;
            op.spec.load_metadata = None;
            op.spec.extra.insert(
                "processor".into(),
                json!({"script": {"image": "python", "imageTag": "3.12-slim",
                    "command": ["bash"], "source": "python /scripts/compact.py --input /data"}}),
            );
        } else if let Some(t) = op.spec.target.as_mut().and_then(|t| t.first_mut()) {
            t.path = format!("/shard-{:03}/", i % 512);
        }
        if let Some(st) = op.status.as_mut() {
            let (p, status, reason) = match phase {
                OP_PENDING => (OpPhase::Pending, None, ""),
                OP_EXECUTING => (OpPhase::Executing, None, ""),
                OP_COMPLETE => (OpPhase::Complete, Some("True"), "DataLoadJobComplete"),
                _ => (OpPhase::Failed, Some("True"), "DataLoadJobFailed"),
            };
            st.phase = p;
            let secs = since.as_second() - created.as_second();
            st.duration = if matches!(phase, OP_COMPLETE | OP_FAILED) {
                format!("{}m{}s", secs / 60, secs % 60)
            } else {
                "Unfinished".into()
            };
            let t = format_time(since);
            match status {
                Some(s) => {
                    if let Some(c) = st.conditions.first_mut() {
                        c.type_ = if phase == OP_COMPLETE {
                            "Complete"
                        } else {
                            "Failed"
                        }
                        .into();
                        c.status = crate::model::ConditionStatus::parse(s);
                        c.reason = Some(reason.into());
                        c.message = Some(if phase == OP_COMPLETE {
                            format!("{} job completed", kind.as_str())
                        } else {
                            "Job has reached the specified backoff limit".into()
                        });
                        c.last_probe_time = Some(t.clone());
                        c.last_transition_time = Some(t);
                    }
                }
                None => st.conditions.clear(),
            }
            if let Some(infos) = st.infos.as_mut() {
                infos.insert("LastScheduleTime".into(), format_time(created));
            }
        }
        op
    }

    pub fn event(&self, i: usize) -> Event {
        let mut e = self.event.clone();
        let rs = self.spec.runtimes.max(1);
        let r = i % rs;
        let rt = self.runtime_name(r);
        let ns = self.namespace(r);
        let at = self.ago(self.r(S_AGE, 2_000_000 + i) % 3600);
        let (kind, name, reason, message, type_) = match i % 5 {
            0 | 1 => {
                let w = (i / rs) % self.layout(r).1.max(1);
                (
                    "Pod",
                    format!("{rt}-worker-{w}"),
                    "Pulled",
                    format!("Container image \"{IMAGE}\" already present on machine"),
                    "Normal",
                )
            }
            2 => (
                "Pod",
                format!("{rt}-master-0"),
                "Started",
                "Started container master".to_string(),
                "Normal",
            ),
            3 => (
                "CacheRuntime",
                rt.clone(),
                "RuntimeScaled",
                "The workers are scaled".to_string(),
                "Normal",
            ),
            _ => (
                "Dataset",
                rt.clone(),
                "SyncMetadata",
                "Dataset metadata synced".to_string(),
                "Normal",
            ),
        };
        let m = &mut e.metadata;
        m.name = Some(format!("{name}.{:016x}", self.r(S_UID, 3_000_000 + i)));
        m.namespace = Some(ns.clone());
        m.uid = Some(self.uid(7, i));
        m.resource_version = Some((5_000_000 + i).to_string());
        m.creation_timestamp = Some(Time(at));
        e.involved_object.kind = Some(kind.into());
        e.involved_object.name = Some(name);
        e.involved_object.namespace = Some(ns);
        e.involved_object.api_version = Some(
            if kind == "Pod" {
                "v1"
            } else {
                crate::model::FLUID_API_VERSION
            }
            .into(),
        );
        e.reason = Some(reason.into());
        e.message = Some(message);
        e.type_ = Some(type_.into());
        e.first_timestamp = Some(Time(at));
        e.last_timestamp = Some(Time(at));
        e
    }
}

fn op_kind(i: usize) -> OpKind {
    if i % 4 == 3 {
        OpKind::DataProcess
    } else {
        OpKind::DataLoad
    }
}

/// A DaemonSet-style five-character pod suffix.
fn short_suffix(mut h: u64) -> String {
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut s = String::with_capacity(5);
    for _ in 0..5 {
        s.push(ALPHA[(h % ALPHA.len() as u64) as usize] as char);
        h /= ALPHA.len() as u64;
    }
    s
}

/// The pod specs of generated workloads (by runtime and master/client/worker), shared between
/// their pods.
#[derive(Debug, Default)]
pub struct WorkloadSpecs(HashMap<(usize, u8), Arc<KeptSpec>>);

/// Every object of `spec`, as the demo cluster and the benchmarks load them.
pub fn generate(spec: ScaleSpec, seed: u64, now: Timestamp) -> Vec<Object> {
    Generator::new(spec, seed, now).objects()
}

/// The objects as a watch stream sends them: one `{"type":"ADDED","object":{…}}` per line, each
/// object with apiVersion, kind and the `managedFields` an API server adds.
pub fn watch_events_json(objects: &[Object]) -> Vec<u8> {
    let mut out = Vec::with_capacity(objects.len() * 4096);
    for obj in objects {
        let mut v = obj.to_value();
        let kind = obj.kind();
        if let Some(meta) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            let t = meta
                .get("creationTimestamp")
                .cloned()
                .unwrap_or(Value::Null);
            meta.insert("managedFields".into(), managed_fields(kind, &t));
        }
        let line = json!({"type": "ADDED", "object": v});
        serde_json::to_writer(&mut out, &line).expect("serialises");
        out.push(b'\n');
    }
    out
}

/// What a real API server records as managedFields: one entry per writer (creator, status).
fn managed_fields(kind: Kind, time: &Value) -> Value {
    let (api, creator, status_writer) = match kind {
        Kind::Pod => ("v1", "kube-controller-manager", "kubelet"),
        Kind::Event => ("v1", "kubelet", ""),
        _ => (
            crate::model::FLUID_API_VERSION,
            "kubectl-client-side-apply",
            "fluid-controller",
        ),
    };
    let spec_fields = match kind {
        Kind::Pod => json!({
            "f:metadata": {"f:generateName": {}, "f:labels": {".": {},
                "f:app": {}, "f:cacheruntime.fluid.io/component-name": {},
                "f:cacheruntime.fluid.io/name": {}, "f:controller-revision-hash": {},
                "f:release": {}, "f:role": {}},
              "f:ownerReferences": {".": {}, "k:{\"uid\":\"x\"}": {}}},
            "f:spec": {"f:containers": {"k:{\"name\":\"worker\"}": {".": {}, "f:args": {},
                "f:command": {}, "f:env": {".": {}, "k:{\"name\":\"FLUID_RUNTIME_NAME\"}": {".": {},
                "f:name": {}, "f:value": {}}}, "f:image": {}, "f:imagePullPolicy": {},
                "f:name": {}, "f:ports": {}, "f:readinessProbe": {}, "f:resources": {},
                "f:securityContext": {}, "f:volumeMounts": {}}},
              "f:dnsPolicy": {}, "f:hostNetwork": {}, "f:nodeSelector": {}, "f:restartPolicy": {},
              "f:tolerations": {}, "f:volumes": {}}
        }),
        _ => json!({"f:metadata": {"f:annotations": {}, "f:labels": {}}, "f:spec": {".": {}}}),
    };
    let mut entries = vec![json!({
        "manager": creator, "operation": "Update", "apiVersion": api, "time": time,
        "fieldsType": "FieldsV1", "fieldsV1": spec_fields
    })];
    if !status_writer.is_empty() {
        entries.push(json!({
            "manager": status_writer, "operation": "Update", "apiVersion": api, "time": time,
            "fieldsType": "FieldsV1", "subresource": "status",
            "fieldsV1": {"f:status": {"f:conditions": {
                "k:{\"type\":\"Ready\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {},
                    "f:status": {}, "f:type": {}}},
              "f:containerStatuses": {}, "f:hostIP": {}, "f:phase": {}, "f:podIP": {},
              "f:startTime": {}}}
        }));
    }
    Value::Array(entries)
}

/// A steady stream of phase changes on generated objects: pods flapping Ready (and now and then
/// crash-looping), operations moving Pending → Executing → Complete/Failed (and re-running).
#[derive(Debug, Clone)]
pub struct Churn {
    generator: Generator,
    /// Changes per simulated second.
    rate: f64,
    carry: f64,
    /// Current state byte of each pod and operation.
    pods: Vec<u8>,
    ops: Vec<u8>,
    counter: u64,
}

impl Churn {
    pub fn new(generator: Generator, rate: f64) -> Churn {
        let pods = (0..generator.spec.pods)
            .map(|i| generator.pod_initial(i))
            .collect();
        let ops = (0..generator.spec.ops)
            .map(|i| generator.op_initial(i))
            .collect();
        Churn {
            generator,
            rate,
            carry: 0.0,
            pods,
            ops,
            counter: 0,
        }
    }

    pub fn generator(&self) -> &Generator {
        &self.generator
    }

    /// Objects of one kind in their current state.
    pub fn of_kind(&self, kind: Kind) -> Vec<Object> {
        let g = &self.generator;
        match kind {
            Kind::Pod => (0..g.spec.pods)
                .map(|i| Object::Pod(Box::new(g.pod(i, self.pods[i], None))))
                .collect(),
            Kind::Operation(k) => (0..g.spec.ops)
                .filter(|&i| op_kind(i) == k)
                .map(|i| Object::from(g.op(i, self.ops[i], None)))
                .collect(),
            other => g.of_kind(other).collect(),
        }
    }

    /// The initial list of one kind as a source hands it to the console: `objects` (the rest of
    /// the cluster's objects of that kind) and the generated ones in their current state. Pods
    /// go as [`ClusterEvent::ListedPods`], each reduced as soon as it is generated, so that the
    /// full Pods of a large scale never all exist at once.
    pub fn listed(&self, kind: Kind, objects: Vec<Object>) -> ClusterEvent {
        if kind != Kind::Pod {
            let mut objects = objects;
            objects.extend(self.of_kind(kind));
            return ClusterEvent::Listed { kind, objects };
        }
        let g = &self.generator;
        let mut specs = SpecCache::default();
        let mut pods: Vec<CompactPod> = Vec::with_capacity(objects.len() + g.spec.pods);
        pods.extend(objects.into_iter().filter_map(|o| match o {
            Object::Pod(p) => Some(CompactPod::from_pod_sharing(*p, Some(&mut specs))),
            _ => None,
        }));
        // Shared here, the specs are deflated on the source's task, once each, not by the store
        // on the console's.
        let mut workloads = WorkloadSpecs::default();
        pods.extend((0..g.spec.pods).map(|i| {
            let mut pod = g.compact_pod(i, self.pods[i], None, &mut workloads);
            pod.share_spec(&mut specs);
            pod
        }));
        ClusterEvent::ListedPods(pods)
    }

    /// The changes due in `dt` of simulated time ending at `now`.
    pub fn advance(&mut self, dt: Duration, now: Timestamp) -> Vec<ClusterEvent> {
        let due = self.rate * dt.as_secs_f64() + self.carry;
        let n = due.floor() as usize;
        self.carry = due - n as f64;
        let mut out = Vec::with_capacity(n);
        let (pods, ops) = (self.pods.len(), self.ops.len());
        if pods + ops == 0 {
            return out;
        }
        let seed = self.generator.seed;
        for _ in 0..n {
            self.counter += 1;
            let roll = mix(seed, S_CHURN, self.counter as usize as u64);
            // Three of four changes are pods, when there are any.
            let pick_pod = ops == 0 || (pods > 0 && !roll.is_multiple_of(4));
            let idx = ((roll >> 8) as usize) % if pick_pod { pods } else { ops };
            if pick_pod {
                let next = match self.pods[idx] {
                    POD_READY if (roll >> 40).is_multiple_of(20) => POD_CRASH,
                    POD_READY => POD_NOT_READY,
                    _ => POD_READY,
                };
                self.pods[idx] = next;
                let p = self.generator.pod(idx, next, Some(now));
                out.push(ClusterEvent::Applied(Object::Pod(Box::new(p))));
            } else {
                let next = match self.ops[idx] {
                    OP_PENDING => OP_EXECUTING,
                    OP_EXECUTING if (roll >> 40).is_multiple_of(10) => OP_FAILED,
                    OP_EXECUTING => OP_COMPLETE,
                    _ => OP_PENDING,
                };
                self.ops[idx] = next;
                let op = self.generator.op(idx, next, Some(now));
                out.push(ClusterEvent::Applied(Object::from(op)));
            }
        }
        out
    }
}

fn pod_template(t: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "template",
            "namespace": "template",
            "creationTimestamp": t,
            "labels": {
                "app": "curvine-worker",
                "role": "curvine-worker",
                "release": "template",
                "heritage": "Helm",
                "chart": "curvine-0.2.5",
                "fluid.io/managed-by": "fluid",
                "cacheruntime.fluid.io/name": "template",
                "cacheruntime.fluid.io/component-name": "template-worker"
            },
            "annotations": {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": "9001",
                "kubectl.kubernetes.io/default-container": "worker",
                "data.fluid.io/runtime-config-hash": "6c9d7f8b5d4e3a21"
            },
            "ownerReferences": [{
                "apiVersion": "workload.fluid.io/v1alpha1",
                "kind": "AdvancedStatefulSet",
                "name": "template-worker",
                "uid": "00000000-0000-4000-8000-000000000000",
                "controller": true,
                "blockOwnerDeletion": true
            }]
        },
        "spec": {
            "nodeName": "cache-node-000",
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirstWithHostNet",
            "hostNetwork": false,
            "serviceAccountName": "default",
            "serviceAccount": "default",
            "schedulerName": "default-scheduler",
            "priority": 0,
            "enableServiceLinks": true,
            "preemptionPolicy": "PreemptLowerPriority",
            "securityContext": {},
            "nodeSelector": {"node-role.example.com/cache": "true"},
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                 "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                 "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "dedicated", "operator": "Equal", "value": "cache", "effect": "NoSchedule"}
            ],
            "containers": [{
                "name": "worker",
                "image": IMAGE,
                "imagePullPolicy": "IfNotPresent",
                "command": ["/entrypoint.sh"],
                "args": ["worker", "--conf", "/etc/fluid/config/curvine-cluster.toml"],
                "env": [
                    {"name": "FLUID_RUNTIME_NAME", "value": "template"},
                    {"name": "FLUID_RUNTIME_NAMESPACE", "value": "template"},
                    {"name": "FLUID_RUNTIME_COMPONENT", "value": "worker"},
                    {"name": "CURVINE_CONF_FILE", "value": "/etc/fluid/config/curvine-cluster.toml"},
                    {"name": "RUST_LOG", "value": "info"},
                    {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                    {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
                    {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}
                ],
                "ports": [
                    {"name": "rpc", "containerPort": 8997, "protocol": "TCP"},
                    {"name": "web", "containerPort": 9001, "protocol": "TCP"}
                ],
                "resources": {
                    "requests": {"cpu": "2", "memory": "8Gi"},
                    "limits": {"cpu": "4", "memory": "16Gi"}
                },
                "volumeMounts": [
                    {"name": "runtime-config", "mountPath": "/etc/fluid/config", "readOnly": true},
                    {"name": "tiered-store-0", "mountPath": "/mnt/nvme0/curvine"},
                    {"name": "secrets", "mountPath": "/etc/fluid/secrets", "readOnly": true},
                    {"name": "logs", "mountPath": "/opt/curvine/logs"},
                    {"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}
                ],
                "readinessProbe": {"tcpSocket": {"port": 8997}, "initialDelaySeconds": 5,
                    "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
                "livenessProbe": {"httpGet": {"path": "/health", "port": 9001, "scheme": "HTTP"},
                    "initialDelaySeconds": 30, "periodSeconds": 20, "timeoutSeconds": 1,
                    "successThreshold": 1, "failureThreshold": 3},
                "securityContext": {"privileged": true},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File"
            }],
            "volumes": [
                {"name": "runtime-config", "configMap": {"name": "fluid-runtime-config", "defaultMode": 420}},
                {"name": "tiered-store-0", "hostPath": {"path": "/mnt/nvme0/curvine", "type": "DirectoryOrCreate"}},
                {"name": "secrets", "secret": {"secretName": "dataset-s3-cred", "defaultMode": 420}},
                {"name": "logs", "emptyDir": {}},
                {"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}
                ]}}
            ]
        },
        "status": {
            "phase": "Running",
            "hostIP": "10.0.0.2",
            "hostIPs": [{"ip": "10.0.0.2"}],
            "podIP": "10.42.0.2",
            "podIPs": [{"ip": "10.42.0.2"}],
            "qosClass": "Burstable",
            "startTime": t,
            "conditions": [
                {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": t},
                {"type": "Initialized", "status": "True", "lastTransitionTime": t},
                {"type": "Ready", "status": "True", "lastTransitionTime": t},
                {"type": "ContainersReady", "status": "True", "lastTransitionTime": t},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": t}
            ],
            "containerStatuses": [{
                "name": "worker",
                "image": IMAGE,
                "imageID": "docker.io/curvine/curvine@sha256:4f1c3a9e0d6b7c2f8e5a1d3b9c7e6f0a2b4d8c1e3f5a7b9d0c2e4f6a8b0c1d3e",
                "containerID": "containerd://0",
                "ready": true,
                "started": true,
                "restartCount": 0,
                "state": {"running": {"startedAt": t}}
            }]
        }
    })
}

fn runtime_template(t: &str) -> Value {
    let component = |replicas: i32| {
        json!({
            "replicas": replicas,
            "runtimeVersion": {"image": "curvine/curvine", "imageTag": "v0.2.5",
                "imagePullPolicy": "IfNotPresent"},
            "resources": {"requests": {"cpu": "2", "memory": "4Gi"},
                "limits": {"cpu": "4", "memory": "8Gi"}},
            "options": {"io_threads": "32", "journal.enabled": "true"},
            "nodeSelector": {"node-role.example.com/cache": "true"}
        })
    };
    let status = |n: i32| {
        json!({"phase": "Ready", "desiredReplicas": n, "currentReplicas": n,
            "readyReplicas": n, "availableReplicas": n})
    };
    let mut worker = component(3);
    worker["tieredStore"] = json!({"levels": [{"hostPath": {"paths": ["/mnt/nvme0/curvine"],
        "quotas": ["800Gi"]}, "high": "0.90", "low": "0.70"}]});
    json!({
        "apiVersion": crate::model::FLUID_API_VERSION,
        "kind": "CacheRuntime",
        "metadata": {
            "name": "template", "namespace": "template", "creationTimestamp": t,
            "finalizers": ["cache-runtime-controller-finalizer"],
            "generation": 1,
            "ownerReferences": [{"apiVersion": crate::model::FLUID_API_VERSION, "kind": "Dataset",
                "name": "template", "uid": "00000000-0000-4000-8000-000000000000"}]
        },
        "spec": {
            "runtimeClassName": CLASS,
            "master": component(1),
            "worker": worker,
            "client": {"cleanPolicy": "OnRuntimeDeleted",
                "nodeSelector": {"node-role.example.com/gpu": "true"}}
        },
        "status": {
            "valueFile": "fluid-runtime-config-template",
            "setupDuration": "3m36s",
            "mountTime": t,
            "conditions": [
                {"type": "MasterInitialized", "status": "True", "reason": "Master is initialized",
                 "message": "The master is initialized.", "lastProbeTime": t, "lastTransitionTime": t},
                {"type": "WorkersReady", "status": "True", "reason": "Workers are initialized",
                 "message": "The worker is initialized.", "lastProbeTime": t, "lastTransitionTime": t},
                {"type": "FusesInitialized", "status": "True", "reason": "Fuses are initialized",
                 "message": "The client setup finished.", "lastProbeTime": t, "lastTransitionTime": t}
            ],
            "master": status(1),
            "worker": status(3),
            "client": status(2),
            "cacheAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "node-role.example.com/cache", "operator": "In",
                    "values": ["true"]}]}]}}
        }
    })
}

fn dataset_template(t: &str) -> Value {
    let mount = json!({
        "name": "template", "mountPoint": "s3://ml-datasets/template/",
        "options": {"endpoint_url": "http://minio.storage.svc:9000", "region_name": "us-east-1",
            "path_style": "true"},
        "encryptOptions": [
            {"name": "access", "valueFrom": {"secretKeyRef": {"name": "dataset-s3-cred", "key": "access-key"}}},
            {"name": "secret", "valueFrom": {"secretKeyRef": {"name": "dataset-s3-cred", "key": "secret-key"}}}
        ]
    });
    json!({
        "apiVersion": crate::model::FLUID_API_VERSION,
        "kind": "Dataset",
        "metadata": {"name": "template", "namespace": "template", "creationTimestamp": t,
            "finalizers": ["fluid-dataset-controller-finalizer"], "generation": 1},
        "spec": {"accessModes": ["ReadOnlyMany"], "placement": "Exclusive", "mounts": [mount.clone()]},
        "status": {
            "phase": "Bound",
            "conditions": [{"type": "Ready", "status": "True", "reason": "DatasetReady",
                "message": "The ddc runtime is ready.", "lastUpdateTime": t, "lastTransitionTime": t}],
            "runtimes": [{"name": "template", "namespace": "template", "category": "Accelerate",
                "type": "cache"}],
            "mounts": [mount],
            "cacheStates": {"cached": "1.02TiB", "cachedPercentage": "71.4%",
                "cacheCapacity": "2.34TiB", "cacheHitRatio": "93.1%"},
            "ufsTotal": "1.43TiB",
            "fileNum": "1281167"
        }
    })
}

/// Bytes as Fluid writes a size: `1.02TiB`, `412.80GiB`.
fn size_text(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.2}{}", UNITS[unit])
}

fn op_template(t: &str) -> Value {
    json!({
        "apiVersion": crate::model::FLUID_API_VERSION,
        "kind": "DataLoad",
        "metadata": {"name": "template", "namespace": "template", "creationTimestamp": t,
            "generation": 1},
        "spec": {
            "dataset": {"name": "template", "namespace": "template"},
            "loadMetadata": true,
            "target": [{"path": "/shard-000/", "replicas": 1}],
            "policy": "Once"
        },
        "status": {
            "phase": "Complete",
            "duration": "1m35s",
            "conditions": [{"type": "Complete", "status": "True", "reason": "DataLoadJobComplete",
                "message": "DataLoad job completed", "lastProbeTime": t, "lastTransitionTime": t}],
            "infos": {"LastScheduleTime": t}
        }
    })
}

fn event_template(t: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "template", "namespace": "template", "creationTimestamp": t},
        "involvedObject": {"kind": "Pod", "name": "template", "namespace": "template",
            "apiVersion": "v1", "fieldPath": "spec.containers{worker}"},
        "reason": "Pulled",
        "message": "pulled",
        "type": "Normal",
        "count": 1,
        "firstTimestamp": t,
        "lastTimestamp": t,
        "source": {"component": "kubelet", "host": "cache-node-000"},
        "reportingComponent": "kubelet",
        "reportingInstance": "cache-node-000"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-25T10:02:00Z".parse().unwrap()
    }

    #[test]
    fn parses_specs() {
        let s = parse_scale("runtimes=1000,pods=50k,ops=10000").unwrap();
        assert_eq!(
            (s.runtimes, s.pods, s.ops, s.events),
            (1000, 50_000, 10_000, 5000)
        );
        assert_eq!(parse_scale("pods=3,events=1").unwrap().events, 1);
        assert!(parse_scale("nodes=3").is_err());
        assert!(parse_scale("pods").is_err());
        assert_eq!(parse_churn("200/s"), Ok(200.0));
        assert_eq!(parse_churn("5"), Ok(5.0));
        assert!(parse_churn("fast").is_err());
    }

    #[test]
    fn generates_counts_deterministically() {
        let spec = parse_scale("runtimes=7,pods=100,ops=30,events=11").unwrap();
        let a = generate(spec, 1, now());
        let b = generate(spec, 1, now());
        assert_eq!(a, b);
        let count = |k: Kind| a.iter().filter(|o| o.kind() == k).count();
        assert_eq!(count(Kind::CacheRuntime), 7);
        assert_eq!(count(Kind::Dataset), 7);
        assert_eq!(count(Kind::Pod), 100);
        assert_eq!(count(Kind::Event), 11);
        let ops =
            count(Kind::Operation(OpKind::DataLoad)) + count(Kind::Operation(OpKind::DataProcess));
        assert_eq!(ops, 30);
        let keys: std::collections::BTreeSet<_> = a.iter().map(|o| o.key()).collect();
        assert_eq!(keys.len(), a.len(), "keys are unique");
        // Pods carry Fluid's labels, so the console groups them under their runtime.
        let Some(Object::Pod(p)) = a.iter().find(|o| o.kind() == Kind::Pod) else {
            panic!("no pod")
        };
        assert!(crate::model::pod::runtime_of(p).is_some());
        assert!(crate::model::pod::component_of(p).is_some());
        assert_ne!(generate(spec, 2, now()), a);
    }

    #[test]
    fn watch_json_decodes_back() {
        let spec = parse_scale("runtimes=2,pods=6,ops=4,events=2").unwrap();
        let objs = generate(spec, 1, now());
        let bytes = watch_events_json(&objs);
        let lines: Vec<&[u8]> = bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines.len(), objs.len());
        for (line, obj) in lines.iter().zip(&objs) {
            let v: Value = serde_json::from_slice(line).unwrap();
            assert_eq!(v["type"], "ADDED");
            assert!(v["object"]["metadata"]["managedFields"].is_array());
            let mut o = v["object"].clone();
            o["metadata"]
                .as_object_mut()
                .unwrap()
                .remove("managedFields");
            assert_eq!(&Object::from_value(o).unwrap().unwrap(), obj);
        }
    }

    #[test]
    fn compact_pods_are_the_reduced_generated_pods() {
        let g = Generator::new(
            ScaleSpec {
                runtimes: 4,
                pods: 60,
                ops: 0,
                events: 0,
            },
            3,
            now(),
        );
        let mut specs = WorkloadSpecs::default();
        for i in 0..60 {
            for state in [POD_READY, POD_NOT_READY, POD_CRASH] {
                let since = (i % 2 == 0).then(now);
                let c = g.compact_pod(i, state, since, &mut specs);
                assert_eq!(c, CompactPod::from_pod(g.pod(i, state, since)), "pod {i}");
            }
        }
        assert_eq!(specs.0.len(), 12);
    }

    #[test]
    fn churn_changes_phases_at_the_rate() {
        let spec = parse_scale("runtimes=3,pods=40,ops=20,events=0").unwrap();
        let mut churn = Churn::new(Generator::new(spec, 3, now()), 200.0);
        let first = churn.advance(Duration::from_millis(500), now());
        assert_eq!(first.len(), 100);
        let second = churn.advance(Duration::from_millis(500), now());
        assert_eq!(second.len(), 100);
        assert!(first.iter().all(|e| matches!(e, ClusterEvent::Applied(_))));
        let mut again = Churn::new(Generator::new(spec, 3, now()), 200.0);
        assert_eq!(again.advance(Duration::from_millis(500), now()), first);
    }
}

#[cfg(test)]
mod cache_tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-25T10:00:00Z".parse().unwrap()
    }

    /// `(name, cached, capacity, cachedPercentage, ufsTotal)` of a dataset.
    type CacheNumbers = (String, f64, f64, Option<f64>, Option<f64>);

    /// The cache numbers of each dataset with cache states.
    fn cache_numbers(objects: &[Object]) -> Vec<CacheNumbers> {
        objects
            .iter()
            .filter_map(|o| match o {
                Object::Dataset(d) => Some(d),
                _ => None,
            })
            .filter_map(|d| {
                let st = d.status.as_ref()?;
                let size = |k: &str| st.cache_states.get(k).and_then(|v| parse_size(v));
                let pct = st
                    .cache_states
                    .get("cachedPercentage")
                    .and_then(|p| p.trim_end_matches('%').parse::<f64>().ok());
                let total = st
                    .extra
                    .get("ufsTotal")
                    .and_then(|v| v.as_str().and_then(parse_size));
                Some((
                    d.metadata.name.clone().unwrap_or_default(),
                    size("cached")?,
                    size("cacheCapacity")?,
                    pct,
                    total,
                ))
            })
            .collect()
    }

    fn check(objects: &[Object]) -> usize {
        let numbers = cache_numbers(objects);
        for (name, cached, capacity, pct, total) in &numbers {
            assert!(
                cached <= capacity,
                "{name}: cached {cached} is more than the capacity {capacity}"
            );
            if let Some(p) = pct {
                assert!((0.0..=100.0).contains(p), "{name}: {p}%");
                if let Some(total) = total {
                    // cachedPercentage is of the dataset's total size (to the rounding of sizes).
                    let want = 100.0 * cached / total;
                    assert!(
                        (p - want).abs() < 0.6,
                        "{name}: {p}% of {total} is not {cached}"
                    );
                }
            }
        }
        numbers.len()
    }

    #[test]
    fn generated_datasets_cache_no_more_than_their_capacity() {
        for seed in [1, 7, 42] {
            let spec = parse_scale("runtimes=300,pods=0,ops=0,events=0").unwrap();
            let objects = generate(spec, seed, now());
            assert_eq!(
                check(&objects),
                300,
                "every generated dataset has cache states"
            );
        }
    }

    #[test]
    fn the_demo_seed_caches_no_more_than_its_capacity() {
        let objects = crate::demo::DemoCluster::builtin(7, now()).objects();
        assert!(check(&objects) >= 3);
    }
}
