//! What the console reads from Pods: which runtime and component they belong to (by Fluid's
//! labels), their displayed status, restarts and engine image.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, Pod, PodCondition, PodSpec, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

use super::runtime::Component;

pub const LABEL_RUNTIME: &str = "cacheruntime.fluid.io/name";
pub const LABEL_COMPONENT: &str = "cacheruntime.fluid.io/component-name";
pub const LABEL_DATASET: &str = "fluid.io/dataset";
pub const LABEL_RELEASE: &str = "release";
pub const LABEL_ROLE: &str = "role";
pub const LABEL_TARGET_DATASET: &str = "targetDataset";

fn label<'a>(pod: &'a Pod, key: &str) -> Option<&'a str> {
    pod.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

/// Runtime a cache pod belongs to (`cacheruntime.fluid.io/name`).
pub fn runtime_of(pod: &Pod) -> Option<&str> {
    label(pod, LABEL_RUNTIME)
}

/// Component of a cache pod: the component-name label with the `<rt>-` prefix stripped.
pub fn component_of(pod: &Pod) -> Option<Component> {
    let rt = runtime_of(pod)?;
    let full = label(pod, LABEL_COMPONENT)?;
    let short = full
        .strip_prefix(rt)
        .and_then(|s| s.strip_prefix('-'))
        .unwrap_or(full);
    Component::parse(short)
}

/// For DataLoad job pods: the operation's helm release (`<dataload>-loader`) and target dataset.
pub fn operation_release_of(pod: &Pod) -> Option<&str> {
    label(pod, LABEL_RELEASE)
}

pub fn target_dataset_of(pod: &Pod) -> Option<&str> {
    label(pod, LABEL_TARGET_DATASET)
}

pub fn node_of(pod: &Pod) -> Option<&str> {
    pod.spec.as_ref()?.node_name.as_deref()
}

pub fn restarts(pod: &Pod) -> i32 {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map(|cs| cs.iter().map(|c| c.restart_count).sum())
        .unwrap_or(0)
}

/// Image of the engine container (container[0]): from its status when running, else the spec.
pub fn engine_image(pod: &Pod) -> Option<&str> {
    let from_status = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.first())
        .map(|c| c.image.as_str())
        .filter(|s| !s.is_empty());
    from_status.or_else(|| pod.spec.as_ref()?.containers.first()?.image.as_deref())
}

/// Tag of the engine image (`v0.2.5` of `curvine/curvine:v0.2.5`).
pub fn engine_version(pod: &Pod) -> Option<&str> {
    let image = engine_image(pod)?;
    let last = image.rsplit('/').next().unwrap_or(image);
    last.rsplit_once(':').map(|(_, tag)| tag)
}

pub fn is_ready(pod: &Pod) -> bool {
    condition_true(pod, "Ready")
}

pub fn condition_true(pod: &Pod, type_: &str) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == type_ && c.status == "True"))
}

/// The status kubectl shows: Terminating, a waiting/terminated container reason
/// (CrashLoopBackOff, ContainerCreating, Error, …), else the pod phase.
pub fn display_status(pod: &Pod) -> String {
    if pod.metadata.deletion_timestamp.is_some() {
        return "Terminating".into();
    }
    let status = pod.status.as_ref();
    let reason = status
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .find_map(|c| {
            let st = c.state.as_ref()?;
            st.waiting
                .as_ref()
                .and_then(|w| w.reason.clone())
                .or_else(|| st.terminated.as_ref().and_then(|t| t.reason.clone()))
        });
    if let Some(r) = reason {
        return r;
    }
    status
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Pending".into())
}

/// `ready/total` containers, as kubectl prints it.
pub fn ready_containers(pod: &Pod) -> (usize, usize) {
    let total = pod.spec.as_ref().map(|s| s.containers.len()).unwrap_or(0);
    let ready = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map(|cs| cs.iter().filter(|c| c.ready).count())
        .unwrap_or(0);
    (ready, total)
}

// ------------------------------------------------------------------------------ compact form

/// Text that is usually one of a few well-known values (condition types and statuses, phases,
/// reasons, owner kinds): those are kept without an allocation.
pub type Sym = Cow<'static, str>;

const COMMON: &[&str] = &[
    "True",
    "False",
    "Unknown",
    "Ready",
    "ContainersReady",
    "Initialized",
    "PodScheduled",
    "PodReadyToStartContainers",
    "DisruptionTarget",
    "InPlaceUpdateReady",
    "Running",
    "Pending",
    "Succeeded",
    "Failed",
    "ContainersNotReady",
    "PodCompleted",
    "CrashLoopBackOff",
    "ContainerCreating",
    "ImagePullBackOff",
    "ErrImagePull",
    "Completed",
    "Error",
    "OOMKilled",
    "NodeLost",
    "Evicted",
    "v1",
    "apps/v1",
    "batch/v1",
    "workload.fluid.io/v1alpha1",
    "data.fluid.io/v1alpha1",
    "AdvancedStatefulSet",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "Terminating",
    "None",
    "Executing",
    "Complete",
    "NotReady",
    "PartialReady",
    "Bound",
    "NotBound",
];

/// `s` as a [`Sym`]: borrowed when well known, else copied.
pub fn sym_of(s: &str) -> Sym {
    match code(s) {
        Some(i) => Cow::Borrowed(COMMON[usize::from(i)]),
        None => Cow::Owned(s.to_string()),
    }
}

fn sym(s: String) -> Sym {
    match code(&s) {
        Some(i) => Cow::Borrowed(COMMON[usize::from(i)]),
        None => Cow::Owned(s),
    }
}

/// Index of a well-known text in [`COMMON`].
fn code(s: &str) -> Option<u8> {
    COMMON.iter().position(|c| *c == s).map(|i| i as u8)
}

fn text(s: String) -> Box<str> {
    s.into_boxed_str()
}

fn opt_text(s: Option<String>) -> Option<Box<str>> {
    s.map(text)
}

fn string(s: &Option<Box<str>>) -> Option<String> {
    s.as_deref().map(str::to_string)
}

/// Label and annotation keys most pods carry: packed as one control character each.
const KNOWN_KEYS: &[&str] = &[
    LABEL_RUNTIME,
    LABEL_COMPONENT,
    LABEL_DATASET,
    LABEL_RELEASE,
    LABEL_ROLE,
    LABEL_TARGET_DATASET,
    "app",
    "chart",
    "heritage",
    "fluid.io/managed-by",
    "fluid.io/dataset-id",
    "controller-revision-hash",
    "pod-template-hash",
    "pod-template-generation",
    "apps.kubernetes.io/pod-index",
    "statefulset.kubernetes.io/pod-name",
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "app.kubernetes.io/managed-by",
    "batch.kubernetes.io/job-name",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "controller-uid",
    "data.fluid.io/runtime-config-hash",
    "kubectl.kubernetes.io/default-container",
    "prometheus.io/port",
    "prometheus.io/scrape",
];

/// The packed form of a known key: one character below a space (never part of a real key).
fn key_code(key: &str) -> Option<char> {
    let i = KNOWN_KEYS.iter().position(|k| *k == key)?;
    char::from_u32(i as u32 + 1)
}

fn unpack_key(part: &str) -> &str {
    match part.as_bytes() {
        [c] if (1..=KNOWN_KEYS.len()).contains(&usize::from(*c)) => KNOWN_KEYS[usize::from(*c) - 1],
        _ => part,
    }
}

/// A string map (labels, annotations) packed into one allocation: `key\0value\0key\0value…`
/// in key order, well-known keys as one character (see [`KNOWN_KEYS`]). Maps with a control
/// character in a key or a NUL in a value (neither valid in Kubernetes) stay maps.
#[derive(Debug, Clone, PartialEq)]
pub enum Pairs {
    Packed(Box<str>),
    Map(BTreeMap<String, String>),
}

impl Pairs {
    fn pack(map: BTreeMap<String, String>) -> Pairs {
        if map
            .iter()
            .any(|(k, v)| k.chars().any(|c| c < ' ') || v.contains('\0'))
        {
            return Pairs::Map(map);
        }
        let mut s = String::with_capacity(map.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
        for (k, v) in &map {
            match key_code(k) {
                Some(c) => s.push(c),
                None => s.push_str(k),
            }
            s.push('\0');
            s.push_str(v);
            s.push('\0');
        }
        Pairs::Packed(s.into_boxed_str())
    }

    pub fn iter(&self) -> Box<dyn Iterator<Item = (&str, &str)> + '_> {
        match self {
            Pairs::Packed(s) => {
                let mut parts = s.split('\0');
                Box::new(std::iter::from_fn(move || {
                    let k = parts.next()?;
                    let v = parts.next()?;
                    Some((unpack_key(k), v))
                }))
            }
            Pairs::Map(m) => Box::new(m.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        match self {
            Pairs::Packed(_) => self.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            Pairs::Map(m) => m.get(key).map(String::as_str),
        }
    }

    fn unpack(&self) -> BTreeMap<String, String> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

/// A pod spec as kept: its compact JSON text (without `nodeName` and `hostname`, which the pod
/// keeps), about a tenth of the decoded spec, and the two things views read of it. Decoded
/// again when a full Pod is asked for.
#[derive(Debug, PartialEq, Eq)]
pub struct KeptSpec {
    json: Box<str>,
    hash: u64,
    containers: u32,
    first_image: Option<Box<str>>,
}

/// FxHash-style hash of bytes: quick, and only used to find equal texts.
fn text_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

impl KeptSpec {
    /// `spec` kept, from its JSON text as `serde_json` writes it.
    fn from_json(spec: &PodSpec, json: &[u8]) -> KeptSpec {
        KeptSpec {
            json: String::from_utf8_lossy(json).into(),
            hash: text_hash(json),
            containers: spec.containers.len() as u32,
            first_image: spec
                .containers
                .first()
                .and_then(|c| c.image.as_deref())
                .map(Box::from),
        }
    }

    /// `spec` kept (its `nodeName` and `hostname` are left out: the pod keeps them).
    pub fn new(mut spec: PodSpec) -> KeptSpec {
        let mut buf = Vec::new();
        write_spec(&mut spec, &mut buf);
        KeptSpec::from_json(&spec, &buf)
    }

    /// The spec again, as decoded from the text.
    pub fn decode(&self) -> PodSpec {
        serde_json::from_str(&self.json).unwrap_or_default()
    }

    pub fn containers(&self) -> usize {
        self.containers as usize
    }

    /// Image of the first container.
    pub fn first_image(&self) -> Option<&str> {
        self.first_image.as_deref()
    }
}

/// `spec` as compact JSON into `buf`, its `nodeName` and `hostname` (the pod's own) dropped.
fn write_spec(spec: &mut PodSpec, buf: &mut Vec<u8>) {
    buf.clear();
    spec.node_name = None;
    spec.hostname = None;
    if serde_json::to_writer(&mut *buf, &*spec).is_err() {
        buf.clear();
        buf.extend_from_slice(b"{}");
    }
}

/// Pod specs shared between the pods that have the same one (the pods of one workload but for
/// their node and host names): one [`KeptSpec`] per distinct spec.
#[derive(Debug, Default)]
pub struct SpecCache {
    buckets: HashMap<u64, Vec<Arc<KeptSpec>>>,
    len: usize,
    purge_at: usize,
    buf: Vec<u8>,
}

impl SpecCache {
    /// The shared kept form of `spec` (without its `nodeName` and `hostname`).
    pub fn keep(&mut self, mut spec: PodSpec) -> Arc<KeptSpec> {
        let mut buf = std::mem::take(&mut self.buf);
        write_spec(&mut spec, &mut buf);
        let hash = text_hash(&buf);
        let found = self
            .buckets
            .get(&hash)
            .and_then(|b| b.iter().find(|s| s.json.as_bytes() == buf.as_slice()))
            .cloned();
        let kept = match found {
            Some(s) => s,
            None => self.insert(Arc::new(KeptSpec::from_json(&spec, &buf))),
        };
        self.buf = buf;
        kept
    }

    /// The shared copy of an already kept spec.
    pub fn share(&mut self, spec: Arc<KeptSpec>) -> Arc<KeptSpec> {
        let found = self
            .buckets
            .get(&spec.hash)
            .and_then(|b| b.iter().find(|s| Arc::ptr_eq(s, &spec) || ***s == *spec))
            .cloned();
        match found {
            Some(s) => s,
            None => self.insert(spec),
        }
    }

    fn insert(&mut self, spec: Arc<KeptSpec>) -> Arc<KeptSpec> {
        self.buckets
            .entry(spec.hash)
            .or_default()
            .push(spec.clone());
        self.len += 1;
        if self.len > self.purge_at {
            self.purge();
        }
        spec
    }

    /// Forgets the specs no pod uses any more.
    pub fn purge(&mut self) {
        for b in self.buckets.values_mut() {
            b.retain(|s| Arc::strong_count(s) > 1);
        }
        self.buckets.retain(|_, b| !b.is_empty());
        self.len = self.buckets.values().map(Vec::len).sum();
        self.purge_at = 2 * self.len + 64;
    }
}

/// A pod condition as kept: type and status as codes of well-known texts (see [`Sym`]), the
/// transition time, and what is rare (other texts, reason, message, probe time) boxed.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactCondition {
    type_: u8,
    status: u8,
    last_transition_time: Option<Timestamp>,
    rare: Option<Box<RareCondition>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct RareCondition {
    type_: Option<Box<str>>,
    status: Option<Box<str>>,
    reason: Option<Sym>,
    message: Option<Box<str>>,
    last_probe_time: Option<Timestamp>,
}

/// Code of a text not among the well-known ones (kept in [`RareCondition`]).
const OTHER: u8 = u8::MAX;

impl CompactCondition {
    fn new(c: PodCondition) -> CompactCondition {
        let mut rare = RareCondition::default();
        let type_ = code(&c.type_).unwrap_or_else(|| {
            rare.type_ = Some(c.type_.into_boxed_str());
            OTHER
        });
        let status = code(&c.status).unwrap_or_else(|| {
            rare.status = Some(c.status.into_boxed_str());
            OTHER
        });
        rare.reason = c.reason.map(sym);
        rare.message = opt_text(c.message);
        rare.last_probe_time = c.last_probe_time.map(|t| t.0);
        CompactCondition {
            type_,
            status,
            last_transition_time: c.last_transition_time.map(|t| t.0),
            rare: (rare != RareCondition::default()).then(|| Box::new(rare)),
        }
    }

    fn text(&self, code: u8, rare: impl Fn(&RareCondition) -> Option<&str>) -> &str {
        match COMMON.get(usize::from(code)) {
            Some(c) if code != OTHER => c,
            _ => self.rare.as_deref().and_then(rare).unwrap_or(""),
        }
    }

    pub fn type_(&self) -> &str {
        self.text(self.type_, |r| r.type_.as_deref())
    }

    pub fn status(&self) -> &str {
        self.text(self.status, |r| r.status.as_deref())
    }

    fn to_condition(&self) -> PodCondition {
        let rare = self.rare.as_deref();
        PodCondition {
            type_: self.type_().to_string(),
            status: self.status().to_string(),
            reason: rare.and_then(|r| r.reason.as_deref()).map(str::to_string),
            message: rare.and_then(|r| string(&r.message)),
            last_transition_time: self.last_transition_time.map(Time),
            last_probe_time: rare.and_then(|r| r.last_probe_time).map(Time),
            ..Default::default()
        }
    }
}

/// A container's state: the one of waiting, running, terminated that is set (the API sets at
/// most one).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum CompactState {
    /// No `state` at all.
    #[default]
    Absent,
    /// A `state` with none of the three set.
    Empty,
    Waiting {
        reason: Option<Sym>,
        message: Option<Box<str>>,
    },
    Running {
        started_at: Option<Timestamp>,
    },
    Terminated(Box<ContainerStateTerminated>),
    /// More than one set: kept as it came.
    Other(Box<ContainerState>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompactContainerStatus {
    pub name: Box<str>,
    pub image: Box<str>,
    pub ready: bool,
    pub started: Option<bool>,
    pub restart_count: i32,
    pub state: CompactState,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompactStatus {
    pub phase: Option<Sym>,
    pub reason: Option<Sym>,
    pub message: Option<Box<str>>,
    pub pod_ip: Option<Box<str>>,
    pub host_ip: Option<Box<str>>,
    pub start_time: Option<Timestamp>,
    pub conditions: Option<Box<[CompactCondition]>>,
    pub container_statuses: Option<Box<[CompactContainerStatus]>>,
}

/// A Pod as the console keeps it: what its views, detail pages, timelines and maintenance
/// workflows read, in less memory. The spec (containers with env, args, volumes, placement,
/// which the maintenance workflows compare with the runtime's) is shared between pods that have
/// the same one (see [`SpecCache`]), metadata maps are packed into one string, well-known
/// status texts cost nothing. Dropped: managedFields, the last-applied annotation, and the
/// status fields nothing reads (IP lists, QoS class, image and container IDs, last states,
/// init container statuses). [`CompactPod::to_pod`] gives back a Pod with the kept fields, on
/// which every accessor of this module answers as on the original.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompactPod {
    pub name: Option<Box<str>>,
    pub namespace: Option<Box<str>>,
    pub uid: Option<Box<str>>,
    pub resource_version: Option<Box<str>>,
    pub generate_name: Option<Box<str>>,
    pub generation: Option<i64>,
    pub created: Option<Timestamp>,
    pub deleted: Option<Timestamp>,
    pub deletion_grace_period_seconds: Option<i64>,
    pub labels: Option<Pairs>,
    pub annotations: Option<Pairs>,
    pub owner_references: Option<Box<[OwnerReference]>>,
    pub finalizers: Option<Box<[String]>>,
    /// The spec but for `nodeName` and `hostname` (kept below), shared between the pods that
    /// have the same one (see [`SpecCache`]).
    pub spec: Option<Arc<KeptSpec>>,
    pub node_name: Option<Box<str>>,
    pub hostname: Option<Box<str>>,
    pub status: Option<Box<CompactStatus>>,
}

/// The annotation `kubectl apply` leaves: a whole copy of the object, never shown.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn compact_state(st: ContainerState) -> CompactState {
    match (st.waiting, st.running, st.terminated) {
        (None, None, None) => CompactState::Empty,
        (Some(w), None, None) => CompactState::Waiting {
            reason: w.reason.map(sym),
            message: opt_text(w.message),
        },
        (None, Some(r), None) => CompactState::Running {
            started_at: r.started_at.map(|t| t.0),
        },
        (None, None, Some(t)) => CompactState::Terminated(Box::new(t)),
        (waiting, running, terminated) => CompactState::Other(Box::new(ContainerState {
            waiting,
            running,
            terminated,
        })),
    }
}

fn full_state(st: &CompactState) -> Option<ContainerState> {
    Some(match st {
        CompactState::Absent => return None,
        CompactState::Empty => ContainerState::default(),
        CompactState::Waiting { reason, message } => ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: reason.as_deref().map(str::to_string),
                message: string(message),
            }),
            ..Default::default()
        },
        CompactState::Running { started_at } => ContainerState {
            running: Some(ContainerStateRunning {
                started_at: started_at.map(Time),
            }),
            ..Default::default()
        },
        CompactState::Terminated(t) => ContainerState {
            terminated: Some((**t).clone()),
            ..Default::default()
        },
        CompactState::Other(s) => (**s).clone(),
    })
}

impl CompactPod {
    /// Keeps what the console reads of `pod` (moving its strings, not copying them).
    pub fn from_pod(pod: Pod) -> CompactPod {
        Self::from_pod_sharing(pod, None)
    }

    /// [`CompactPod::from_pod`], with the spec shared through `specs`.
    pub fn from_pod_sharing(pod: Pod, specs: Option<&mut SpecCache>) -> CompactPod {
        let m = pod.metadata;
        let annotations = m.annotations.map(|mut a| {
            a.remove(LAST_APPLIED);
            Pairs::pack(a)
        });
        let (spec, node_name, hostname) = match pod.spec {
            Some(mut spec) => {
                let node = opt_text(spec.node_name.take());
                let host = opt_text(spec.hostname.take());
                let kept = match specs {
                    Some(cache) => cache.keep(spec),
                    None => Arc::new(KeptSpec::new(spec)),
                };
                (Some(kept), node, host)
            }
            None => (None, None, None),
        };
        let status = pod.status.map(|s| {
            Box::new(CompactStatus {
                phase: s.phase.map(sym),
                reason: s.reason.map(sym),
                message: opt_text(s.message),
                pod_ip: opt_text(s.pod_ip),
                host_ip: opt_text(s.host_ip),
                start_time: s.start_time.map(|t| t.0),
                conditions: s
                    .conditions
                    .map(|cs| cs.into_iter().map(CompactCondition::new).collect()),
                container_statuses: s.container_statuses.map(|cs| {
                    cs.into_iter()
                        .map(|c| CompactContainerStatus {
                            name: text(c.name),
                            image: text(c.image),
                            ready: c.ready,
                            started: c.started,
                            restart_count: c.restart_count,
                            state: c.state.map_or(CompactState::Absent, compact_state),
                        })
                        .collect()
                }),
            })
        });
        CompactPod {
            name: opt_text(m.name),
            namespace: opt_text(m.namespace),
            uid: opt_text(m.uid),
            resource_version: opt_text(m.resource_version),
            generate_name: opt_text(m.generate_name),
            generation: m.generation,
            created: m.creation_timestamp.map(|t| t.0),
            deleted: m.deletion_timestamp.map(|t| t.0),
            deletion_grace_period_seconds: m.deletion_grace_period_seconds,
            labels: m.labels.map(Pairs::pack),
            annotations,
            owner_references: m.owner_references.map(Vec::into_boxed_slice),
            finalizers: m.finalizers.map(Vec::into_boxed_slice),
            spec,
            node_name,
            hostname,
            status,
        }
    }

    /// A Pod with the kept fields (the rest at their defaults).
    pub fn to_pod(&self) -> Pod {
        let metadata = ObjectMeta {
            name: string(&self.name),
            namespace: string(&self.namespace),
            uid: string(&self.uid),
            resource_version: string(&self.resource_version),
            generate_name: string(&self.generate_name),
            generation: self.generation,
            creation_timestamp: self.created.map(Time),
            deletion_timestamp: self.deleted.map(Time),
            deletion_grace_period_seconds: self.deletion_grace_period_seconds,
            labels: self.labels.as_ref().map(Pairs::unpack),
            annotations: self.annotations.as_ref().map(Pairs::unpack),
            owner_references: self.owner_references.as_ref().map(|o| o.to_vec()),
            finalizers: self.finalizers.as_ref().map(|f| f.to_vec()),
            ..Default::default()
        };
        let spec = self.spec.as_ref().map(|s| PodSpec {
            node_name: string(&self.node_name),
            hostname: string(&self.hostname),
            ..s.decode()
        });
        let status = self.status.as_ref().map(|s| PodStatus {
            phase: s.phase.as_deref().map(str::to_string),
            reason: s.reason.as_deref().map(str::to_string),
            message: string(&s.message),
            pod_ip: string(&s.pod_ip),
            host_ip: string(&s.host_ip),
            start_time: s.start_time.map(Time),
            conditions: s
                .conditions
                .as_ref()
                .map(|cs| cs.iter().map(CompactCondition::to_condition).collect()),
            container_statuses: s.container_statuses.as_ref().map(|cs| {
                cs.iter()
                    .map(|c| ContainerStatus {
                        name: c.name.to_string(),
                        image: c.image.to_string(),
                        ready: c.ready,
                        started: c.started,
                        restart_count: c.restart_count,
                        state: full_state(&c.state),
                        ..Default::default()
                    })
                    .collect()
            }),
            ..Default::default()
        });
        Pod {
            metadata,
            spec,
            status,
        }
    }

    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }

    pub fn key(&self) -> crate::model::ObjectKey {
        crate::model::ObjectKey::new(crate::model::Kind::Pod, self.namespace(), self.name())
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.as_ref()?.get(key)
    }

    /// See [`runtime_of`].
    pub fn runtime(&self) -> Option<&str> {
        self.label(LABEL_RUNTIME)
    }

    /// See [`component_of`].
    pub fn component(&self) -> Option<Component> {
        let rt = self.runtime()?;
        let full = self.label(LABEL_COMPONENT)?;
        let short = full
            .strip_prefix(rt)
            .and_then(|s| s.strip_prefix('-'))
            .unwrap_or(full);
        Component::parse(short)
    }

    pub fn operation_release(&self) -> Option<&str> {
        self.label(LABEL_RELEASE)
    }

    pub fn target_dataset(&self) -> Option<&str> {
        self.label(LABEL_TARGET_DATASET)
    }

    pub fn node(&self) -> Option<&str> {
        self.spec.as_ref()?;
        self.node_name.as_deref()
    }

    fn statuses(&self) -> &[CompactContainerStatus] {
        self.status
            .as_ref()
            .and_then(|s| s.container_statuses.as_deref())
            .unwrap_or(&[])
    }

    /// See [`restarts`].
    pub fn restarts(&self) -> i32 {
        self.statuses().iter().map(|c| c.restart_count).sum()
    }

    /// See [`engine_image`].
    pub fn engine_image(&self) -> Option<&str> {
        let from_status = self
            .statuses()
            .first()
            .map(|c| &*c.image)
            .filter(|s| !s.is_empty());
        from_status.or_else(|| self.spec.as_ref()?.first_image())
    }

    /// See [`engine_version`].
    pub fn engine_version(&self) -> Option<&str> {
        let image = self.engine_image()?;
        let last = image.rsplit('/').next().unwrap_or(image);
        last.rsplit_once(':').map(|(_, tag)| tag)
    }

    pub fn condition_true(&self, type_: &str) -> bool {
        self.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| {
                cs.iter()
                    .any(|c| c.type_() == type_ && c.status() == "True")
            })
    }

    pub fn is_ready(&self) -> bool {
        self.condition_true("Ready")
    }

    /// See [`display_status`].
    pub fn display_status(&self) -> String {
        self.status_text().to_string()
    }

    /// [`CompactPod::display_status`] without a copy.
    pub fn status_text(&self) -> &str {
        if self.deleted.is_some() {
            return "Terminating";
        }
        let reason = self.statuses().iter().find_map(|c| match &c.state {
            CompactState::Waiting { reason, .. } => reason.as_deref(),
            CompactState::Terminated(t) => t.reason.as_deref(),
            CompactState::Other(st) => st
                .waiting
                .as_ref()
                .and_then(|w| w.reason.as_deref())
                .or_else(|| st.terminated.as_ref().and_then(|t| t.reason.as_deref())),
            _ => None,
        });
        reason.unwrap_or_else(|| {
            self.status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .unwrap_or("Pending")
        })
    }

    /// See [`ready_containers`].
    pub fn ready_containers(&self) -> (usize, usize) {
        let total = self.spec.as_ref().map_or(0, |s| s.containers());
        let ready = self.statuses().iter().filter(|c| c.ready).count();
        (ready, total)
    }
}

// ------------------------------------------------------------------------- straight from JSON

/// The metadata fields a [`CompactPod`] keeps; everything else (managedFields above all) is
/// skipped by the parser without being built.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct MetaIn {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    generate_name: Option<String>,
    generation: Option<i64>,
    creation_timestamp: Option<Time>,
    deletion_timestamp: Option<Time>,
    deletion_grace_period_seconds: Option<i64>,
    labels: Option<BTreeMap<String, String>>,
    annotations: Option<BTreeMap<String, String>>,
    owner_references: Option<Vec<OwnerReference>>,
    finalizers: Option<Vec<String>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ContainerStatusIn {
    name: String,
    image: String,
    ready: bool,
    started: Option<bool>,
    restart_count: i32,
    state: Option<ContainerState>,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct StatusIn {
    phase: Option<String>,
    reason: Option<String>,
    message: Option<String>,
    #[serde(rename = "podIP")]
    pod_ip: Option<String>,
    #[serde(rename = "hostIP")]
    host_ip: Option<String>,
    start_time: Option<Time>,
    conditions: Option<Vec<PodCondition>>,
    container_statuses: Option<Vec<ContainerStatusIn>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct PodIn {
    metadata: Option<MetaIn>,
    spec: Option<PodSpec>,
    status: Option<StatusIn>,
}

/// A pod's JSON (as the API server sends it) read straight into the compact form: the same
/// [`CompactPod`] as [`CompactPod::from_pod`] of the decoded Pod, without building the fields
/// it drops.
impl<'de> serde::Deserialize<'de> for CompactPod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CompactPod, D::Error> {
        let p = PodIn::deserialize(d)?;
        let m = p.metadata.unwrap_or_default();
        let pod = Pod {
            metadata: ObjectMeta {
                name: m.name,
                namespace: m.namespace,
                uid: m.uid,
                resource_version: m.resource_version,
                generate_name: m.generate_name,
                generation: m.generation,
                creation_timestamp: m.creation_timestamp,
                deletion_timestamp: m.deletion_timestamp,
                deletion_grace_period_seconds: m.deletion_grace_period_seconds,
                labels: m.labels,
                annotations: m.annotations,
                owner_references: m.owner_references,
                finalizers: m.finalizers,
                ..Default::default()
            },
            spec: p.spec,
            status: p.status.map(|s| PodStatus {
                phase: s.phase,
                reason: s.reason,
                message: s.message,
                pod_ip: s.pod_ip,
                host_ip: s.host_ip,
                start_time: s.start_time,
                conditions: s.conditions,
                container_statuses: s.container_statuses.map(|cs| {
                    cs.into_iter()
                        .map(|c| ContainerStatus {
                            name: c.name,
                            image: c.image,
                            ready: c.ready,
                            started: c.started,
                            restart_count: c.restart_count,
                            state: c.state,
                            ..Default::default()
                        })
                        .collect()
                }),
                ..Default::default()
            }),
        };
        Ok(CompactPod::from_pod(pod))
    }
}

impl From<Pod> for CompactPod {
    fn from(pod: Pod) -> CompactPod {
        CompactPod::from_pod(pod)
    }
}

#[cfg(test)]
mod compact_tests {
    use super::*;

    fn answers(p: &Pod) -> Vec<String> {
        vec![
            format!("{:?}", runtime_of(p)),
            format!("{:?}", component_of(p)),
            format!("{:?}", operation_release_of(p)),
            format!("{:?}", target_dataset_of(p)),
            format!("{:?}", node_of(p)),
            format!("{}", restarts(p)),
            format!("{:?}", engine_image(p)),
            format!("{:?}", engine_version(p)),
            format!("{}", is_ready(p)),
            format!("{}", condition_true(p, "PodScheduled")),
            display_status(p),
            format!("{:?}", ready_containers(p)),
        ]
    }

    fn compact_answers(p: &CompactPod) -> Vec<String> {
        vec![
            format!("{:?}", p.runtime()),
            format!("{:?}", p.component()),
            format!("{:?}", p.operation_release()),
            format!("{:?}", p.target_dataset()),
            format!("{:?}", p.node()),
            format!("{}", p.restarts()),
            format!("{:?}", p.engine_image()),
            format!("{:?}", p.engine_version()),
            format!("{}", p.is_ready()),
            format!("{}", p.condition_true("PodScheduled")),
            p.display_status(),
            format!("{:?}", p.ready_containers()),
        ]
    }

    /// Pods of the built-in demo and of the scale generator in every state, plus odd ones.
    fn sample() -> Vec<Pod> {
        let now: Timestamp = "2026-11-25T10:02:00Z".parse().unwrap();
        let mut pods: Vec<Pod> = crate::demo::DemoCluster::builtin(1, now)
            .objects()
            .into_iter()
            .filter_map(|o| match o {
                crate::model::Object::Pod(p) => Some(*p),
                _ => None,
            })
            .collect();
        let g = crate::demo::scale::Generator::new(
            crate::demo::scale::ScaleSpec {
                runtimes: 3,
                pods: 30,
                ops: 0,
                events: 0,
            },
            5,
            now,
        );
        for i in 0..30 {
            for state in 0..3 {
                pods.push(g.pod(i, state, None));
            }
        }
        let mut terminating = pods[0].clone();
        terminating.metadata.deletion_timestamp = Some(Time(now));
        pods.push(terminating);
        let mut terminated = pods[1].clone();
        if let Some(cs) = terminated
            .status
            .as_mut()
            .and_then(|s| s.container_statuses.as_mut())
        {
            cs[0].state = Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: 1,
                    reason: Some("Error".into()),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
        pods.push(terminated);
        let mut weird = pods[2].clone();
        weird
            .metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert("x\0y".into(), "z".into());
        pods.push(weird);
        pods.push(Pod::default());
        pods
    }

    #[test]
    fn compact_answers_as_the_full_pod() {
        for p in sample() {
            let c = CompactPod::from_pod(p.clone());
            assert_eq!(compact_answers(&c), answers(&p), "{:?}", p.metadata.name);
            let back = c.to_pod();
            assert_eq!(answers(&back), answers(&p), "{:?}", p.metadata.name);
            assert_eq!(CompactPod::from_pod(back.clone()), c);
            let mut want = p.metadata.clone();
            want.managed_fields = None;
            want.self_link = None;
            if let Some(a) = want.annotations.as_mut() {
                a.remove(LAST_APPLIED);
            }
            assert_eq!(back.metadata, want);
            assert_eq!(
                back.status.as_ref().map(|s| &s.conditions),
                p.status.as_ref().map(|s| &s.conditions)
            );
            assert_eq!(back.spec, p.spec);
            let json = serde_json::to_vec(&p).unwrap();
            let read: CompactPod = serde_json::from_slice(&json).unwrap();
            assert_eq!(read, c, "{:?}", p.metadata.name);
            let mut cache = SpecCache::default();
            let a = CompactPod::from_pod_sharing(p.clone(), Some(&mut cache));
            let b = CompactPod::from_pod_sharing(p.clone(), Some(&mut cache));
            assert!(
                a.spec.is_none() || Arc::ptr_eq(a.spec.as_ref().unwrap(), b.spec.as_ref().unwrap())
            );
        }
    }

    #[test]
    fn known_keys_pack_small_and_read_back() {
        let map: BTreeMap<String, String> = [
            (LABEL_RUNTIME, "imagenet"),
            ("app", "curvine-worker"),
            ("example.com/team", "data"),
            ("\u{1}", "odd"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        // A control character in a key (never valid) keeps the map as it is.
        assert!(matches!(Pairs::pack(map.clone()), Pairs::Map(_)));
        let mut map = map;
        map.remove("\u{1}");
        let packed = Pairs::pack(map.clone());
        let Pairs::Packed(text) = &packed else {
            panic!("packed")
        };
        assert!(!text.contains(LABEL_RUNTIME), "{text:?}");
        assert_eq!(packed.unpack(), map);
        assert_eq!(packed.get(LABEL_RUNTIME), Some("imagenet"));
        assert_eq!(packed.get("example.com/team"), Some("data"));
        assert_eq!(packed.get("chart"), None);
    }

    #[test]
    fn specs_differing_only_in_node_and_host_are_one_kept_spec() {
        let pods = sample();
        let p = pods.iter().find(|p| p.spec.is_some()).unwrap().clone();
        let mut q = p.clone();
        let spec = q.spec.as_mut().unwrap();
        spec.node_name = Some("elsewhere".into());
        spec.hostname = Some("other-host".into());
        let mut cache = SpecCache::default();
        let a = CompactPod::from_pod_sharing(p.clone(), Some(&mut cache));
        let b = CompactPod::from_pod_sharing(q.clone(), Some(&mut cache));
        assert!(Arc::ptr_eq(
            a.spec.as_ref().unwrap(),
            b.spec.as_ref().unwrap()
        ));
        assert_eq!(b.to_pod().spec, q.spec);
        // Kept elsewhere, then shared: found by content.
        let c = cache.share(Arc::new(KeptSpec::new(q.spec.clone().unwrap())));
        assert!(Arc::ptr_eq(&c, a.spec.as_ref().unwrap()));
        let mut r = q.clone();
        r.spec.as_mut().unwrap().containers[0].image = Some("other:tag".into());
        let d = CompactPod::from_pod_sharing(r, Some(&mut cache));
        assert!(!Arc::ptr_eq(
            d.spec.as_ref().unwrap(),
            a.spec.as_ref().unwrap()
        ));
        assert_eq!(d.spec.as_ref().unwrap().first_image(), Some("other:tag"));
    }
}
