//! What the console reads from Pods: which runtime and component they belong to (by Fluid's
//! labels), their displayed status, restarts and engine image.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateWaiting, ContainerStatus, Pod,
    PodCondition, PodSpec, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

use super::pod_record::{Reader, Writer};
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

/// The state of the pod's first container (its engine's, on a cache pod).
pub fn first_container_state(pod: &Pod) -> Option<&ContainerState> {
    pod.status
        .as_ref()?
        .container_statuses
        .as_ref()?
        .first()?
        .state
        .as_ref()
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

/// What one container status tells about its pod's status (kubectl's STATUS column).
enum ContainerSays<'a> {
    /// A waiting or terminated reason, or `Signal:N` / `ExitCode:N` for a reasonless end.
    Reason(Cow<'a, str>),
    /// Ready and running.
    Running,
    Nothing,
}

fn container_says(state: Option<&ContainerState>, ready: bool) -> ContainerSays<'_> {
    let Some(st) = state else {
        return ContainerSays::Nothing;
    };
    if let Some(r) = st.waiting.as_ref().and_then(|w| w.reason.as_deref())
        && !r.is_empty()
    {
        return ContainerSays::Reason(Cow::Borrowed(r));
    }
    if let Some(t) = &st.terminated {
        return ContainerSays::Reason(match t.reason.as_deref() {
            Some(r) if !r.is_empty() => Cow::Borrowed(r),
            _ if t.signal.is_some_and(|s| s != 0) => {
                Cow::Owned(format!("Signal:{}", t.signal.unwrap_or(0)))
            }
            _ => Cow::Owned(format!("ExitCode:{}", t.exit_code)),
        });
    }
    if ready && st.running.is_some() {
        return ContainerSays::Running;
    }
    ContainerSays::Nothing
}

/// What one init container status tells (kubectl): done, a reason to show after `Init:`, or
/// still to run (`Init:i/n`).
enum InitSays<'a> {
    Done,
    Reason(Cow<'a, str>),
    Pending,
}

fn init_says(state: Option<&ContainerState>, started: bool, sidecar: bool) -> InitSays<'_> {
    let terminated = state.and_then(|s| s.terminated.as_ref());
    if terminated.is_some_and(|t| t.exit_code == 0) || (sidecar && started) {
        return InitSays::Done;
    }
    if terminated.is_some() {
        return match container_says(state, false) {
            ContainerSays::Reason(r) => InitSays::Reason(r),
            _ => InitSays::Pending,
        };
    }
    match state
        .and_then(|s| s.waiting.as_ref())
        .and_then(|w| w.reason.as_deref())
    {
        Some(r) if !r.is_empty() && r != "PodInitializing" => InitSays::Reason(Cow::Borrowed(r)),
        _ => InitSays::Pending,
    }
}

/// The init containers' part of a pod's status: `Init:<reason>` or `Init:<done>/<total>` for
/// the first init container not done, `None` when all are.
fn init_status<'a>(says: impl Iterator<Item = InitSays<'a>>, total: usize) -> Option<Cow<'a, str>> {
    for (i, s) in says.enumerate() {
        match s {
            InitSays::Done => {}
            InitSays::Reason(r) => return Some(Cow::Owned(format!("Init:{r}"))),
            InitSays::Pending => return Some(Cow::Owned(format!("Init:{i}/{total}"))),
        }
    }
    None
}

/// Status text for a pod on a node that stopped reporting: the taint manager evicts it with
/// reason `NodeLost` (kubectl then says `Unknown` or `Terminating`), and before that the node
/// controller only turns it not Ready and records a `NodeNotReady` event.
pub const NODE_LOST: &str = "NodeLost";
pub const NODE_NOT_READY: &str = "NodeNotReady";

/// The parts of a pod kubectl reads for its STATUS column.
struct StatusParts<'a> {
    phase: Option<&'a str>,
    reason: Option<&'a str>,
    deleted: bool,
    ready: bool,
    initialized: bool,
    /// What the init containers tell (see [`init_status`]).
    init: Option<Cow<'a, str>>,
}

/// kubectl's status of a pod, from its parts: the pod's reason (`Evicted`, `NodeLost`) over its
/// phase, then the first init container not done (`Init:0/2`, `Init:CrashLoopBackOff`), else a
/// container's waiting or terminated reason (the first container with one), `Completed` with a
/// container still running read as `Running` (or `NotReady`), and `Terminating` while deleted.
/// A pod whose node is lost says `NodeLost` even while deleted.
fn pod_status<'a>(
    parts: StatusParts<'a>,
    containers: impl Iterator<Item = ContainerSays<'a>>,
) -> Cow<'a, str> {
    let StatusParts {
        phase,
        reason,
        deleted,
        ready: ready_condition,
        initialized,
        init,
    } = parts;
    let pod_reason = reason.filter(|r| !r.is_empty());
    if deleted {
        return Cow::Borrowed(if pod_reason == Some(NODE_LOST) {
            NODE_LOST
        } else {
            "Terminating"
        });
    }
    let mut status: Cow<'a, str> = Cow::Borrowed(pod_reason.or(phase).unwrap_or("Pending"));
    let initializing = init.is_some();
    if let Some(init) = init {
        status = init;
    }
    if initializing && !initialized {
        return status;
    }
    let mut from_container = None;
    let mut running = false;
    for says in containers {
        match says {
            ContainerSays::Reason(r) if from_container.is_none() => from_container = Some(r),
            ContainerSays::Running => running = true,
            _ => {}
        }
    }
    if let Some(r) = from_container {
        status = r;
    }
    if status == "Completed" && running {
        status = Cow::Borrowed(if ready_condition {
            "Running"
        } else {
            "NotReady"
        });
    }
    status
}

/// The status kubectl shows (see [`pod_status`]).
pub fn display_status(pod: &Pod) -> String {
    let status = pod.status.as_ref();
    let containers = status
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .map(|c| container_says(c.state.as_ref(), c.ready));
    let sidecars = pod.spec.as_ref().map(init_sidecars).unwrap_or_default();
    let init_statuses = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or_default();
    let init = init_status(
        init_statuses.iter().enumerate().map(|(i, c)| {
            let sidecar = sidecars.get(i).copied().unwrap_or(false);
            init_says(c.state.as_ref(), c.started == Some(true), sidecar)
        }),
        sidecars.len().max(init_statuses.len()),
    );
    pod_status(
        StatusParts {
            phase: status.and_then(|s| s.phase.as_deref()),
            reason: status.and_then(|s| s.reason.as_deref()),
            deleted: pod.metadata.deletion_timestamp.is_some(),
            ready: is_ready(pod),
            initialized: condition_true(pod, "Initialized"),
            init,
        },
        containers,
    )
    .into_owned()
}

/// The status the console shows: kubectl's, or [`NODE_NOT_READY`] for a running pod that is
/// not Ready because its node stopped reporting (`node_not_ready`, see [`node_not_ready_event`]).
pub fn shown_status<'a>(status: Cow<'a, str>, ready: bool, node_not_ready: bool) -> Cow<'a, str> {
    if status == "Running" && !ready && node_not_ready {
        Cow::Borrowed(NODE_NOT_READY)
    } else {
        status
    }
}

/// Whether `events` of a pod hold the node controller's `NodeNotReady` since the pod turned not
/// Ready (`since`, the Ready condition's transition time, when known).
pub fn node_not_ready_event<'a>(
    events: impl IntoIterator<Item = &'a crate::model::Event>,
    since: Option<Timestamp>,
) -> bool {
    events.into_iter().any(|e| {
        e.reason.as_deref() == Some(NODE_NOT_READY)
            && match (
                since,
                e.last_timestamp.as_ref().or(e.first_timestamp.as_ref()),
            ) {
                (Some(s), Some(t)) => t.0 >= s,
                _ => true,
            }
    })
}

/// The scheduler's event reason for a pod it cannot place.
pub const FAILED_SCHEDULING: &str = "FailedScheduling";

/// The look (a theme phase) of a pod status: a running pod whose containers are not all ready
/// looks partly ready, not healthy; other statuses as [`super::health::status_look`] has them.
pub fn status_look(status: &str, ready: bool) -> &'static str {
    if status == "Running" && !ready {
        return "PartialReady";
    }
    super::health::status_look(status).unwrap_or("Unknown")
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

/// Index of a well-known text in [`COMMON`].
fn code(s: &str) -> Option<u8> {
    COMMON.iter().position(|c| *c == s).map(|i| i as u8)
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

/// A pod spec as kept: its compact JSON text (without the parts each pod keeps, see
/// [`PerPod`]), deflated once it is shared in a [`SpecCache`]: about a twentieth of the
/// decoded spec. Known by its length and two hashes of the text (one keyed per process), so
/// that the pods that have it find it without inflating it; decoded again only when a full Pod
/// is asked for. Keeps the two things views read of it.
#[derive(Debug)]
pub struct KeptSpec {
    text: SpecText,
    len: u32,
    hash: u64,
    check: u64,
    containers: u32,
    first_image: Option<Box<str>>,
    /// Per init container, whether it is a sidecar (`restartPolicy: Always`).
    init_sidecars: Box<[bool]>,
}

#[derive(Debug, Clone)]
enum SpecText {
    /// As written, until the spec is shared (most copies are dropped for a shared one).
    Plain(Box<[u8]>),
    Deflated(Box<[u8]>),
}

/// Two kept specs are equal when their texts are: same length and hashes.
impl PartialEq for KeptSpec {
    fn eq(&self, other: &Self) -> bool {
        (self.len, self.hash, self.check) == (other.len, other.hash, other.check)
    }
}

impl Eq for KeptSpec {}

/// Deflate level of kept specs: a spec is deflated once per distinct spec, read back rarely.
const SPEC_LEVEL: u8 = 6;

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

/// SipHash of bytes with a key chosen once per process: with [`text_hash`] and the length,
/// what tells two spec texts apart without keeping either.
fn check_hash(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    static KEY: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    KEY.get_or_init(Default::default).hash_one(bytes)
}

impl KeptSpec {
    /// `spec` kept, from its JSON text as `serde_json` writes it.
    fn from_json(spec: &PodSpec, json: &[u8]) -> KeptSpec {
        KeptSpec {
            text: SpecText::Plain(json.into()),
            len: u32::try_from(json.len()).unwrap_or(u32::MAX),
            hash: text_hash(json),
            check: check_hash(json),
            containers: spec.containers.len() as u32,
            first_image: spec
                .containers
                .first()
                .and_then(|c| c.image.as_deref())
                .map(Box::from),
            init_sidecars: init_sidecars(spec),
        }
    }

    /// Whether this is the spec whose JSON text is `json`.
    fn is(&self, json: &[u8], hash: u64) -> bool {
        self.hash == hash && self.len as usize == json.len() && self.check == check_hash(json)
    }

    /// This spec with its text deflated (as a [`SpecCache`] keeps it).
    fn deflated(&self) -> KeptSpec {
        let text = match &self.text {
            SpecText::Plain(json) => {
                SpecText::Deflated(miniz_oxide::deflate::compress_to_vec(json, SPEC_LEVEL).into())
            }
            deflated => deflated.clone(),
        };
        KeptSpec {
            text,
            first_image: self.first_image.clone(),
            init_sidecars: self.init_sidecars.clone(),
            ..*self
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
        let json = match &self.text {
            SpecText::Plain(json) => Some(std::borrow::Cow::Borrowed(&json[..])),
            SpecText::Deflated(d) => miniz_oxide::inflate::decompress_to_vec(d)
                .ok()
                .map(std::borrow::Cow::Owned),
        };
        json.and_then(|j| serde_json::from_slice(&j).ok())
            .unwrap_or_default()
    }

    pub fn containers(&self) -> usize {
        self.containers as usize
    }

    /// Image of the first container.
    pub fn first_image(&self) -> Option<&str> {
        self.first_image.as_deref()
    }

    /// Per init container, whether it is a sidecar.
    pub fn init_sidecars(&self) -> &[bool] {
        &self.init_sidecars
    }
}

/// Per init container of `spec`, whether it is a sidecar (`restartPolicy: Always`): one that
/// keeps running and counts as done once started.
fn init_sidecars(spec: &PodSpec) -> Box<[bool]> {
    spec.init_containers
        .iter()
        .flatten()
        .map(|c| c.restart_policy.as_deref() == Some("Always"))
        .collect()
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
            .and_then(|b| b.iter().find(|s| s.is(&buf, hash)))
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
        let spec = match spec.text {
            SpecText::Plain(_) => Arc::new(spec.deflated()),
            SpecText::Deflated(_) => spec,
        };
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

/// A Pod as the console keeps it: what its views, detail pages, timelines and maintenance
/// workflows read, in a fraction of the memory. The spec (containers with env, args, volumes,
/// placement, which the maintenance workflows compare with the runtime's) is shared between the
/// pods that have the same one (see [`SpecCache`]); every other kept field is packed into one
/// byte buffer (see [`super::pod_record`]), where well-known texts and label keys cost a byte
/// and UIDs sixteen. Dropped: managedFields, the last-applied annotation, and the status fields
/// nothing reads (IP lists, QoS class, image and container IDs). Each container's last state
/// is kept: its last termination says why it restarts. [`CompactPod::to_pod`] gives back a Pod with the kept fields, on which every
/// accessor of this module answers as on the original.
///
/// The buffer holds four parts, the ones rows read first:
/// - identity: name, namespace, node name, creation and deletion times;
/// - labels;
/// - status: phase, reason, message, pod and host IP, start time, conditions, container
///   statuses;
/// - the rest of the metadata: UID, resourceVersion, generateName, generation, deletion grace
///   period, hostname, token volume name, annotations, owner references, finalizers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompactPod {
    record: Box<[u8]>,
    labels_at: u32,
    status_at: u32,
    rest_at: u32,
    /// The spec but for its per-pod parts (see [`PerPod`], kept in the record), shared
    /// between the pods that have the same one (see [`SpecCache`]).
    spec: Option<Arc<KeptSpec>>,
}

/// The annotation `kubectl apply` leaves: a whole copy of the object, never shown.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Container state marks in the record.
const STATE_ABSENT: u8 = 0;
const STATE_EMPTY: u8 = 1;
const STATE_WAITING: u8 = 2;
const STATE_RUNNING: u8 = 3;
/// Terminated, or more than one state set: kept as its JSON text.
const STATE_JSON: u8 = 4;

/// A label or annotation map, but for the key `leave_out`.
fn write_pairs(w: &mut Writer, map: Option<&BTreeMap<String, String>>, leave_out: &str) {
    let kept = |(k, _): &(&String, &String)| k.as_str() != leave_out;
    w.count(map.map(|m| m.iter().filter(kept).count()));
    for (k, v) in map.into_iter().flatten().filter(kept) {
        w.sym(KNOWN_KEYS, k);
        w.str(v);
    }
}

fn read_pairs(r: &mut Reader) -> Option<BTreeMap<String, String>> {
    let n = r.count()?;
    Some(
        (0..n)
            .map(|_| (r.sym(KNOWN_KEYS).to_string(), r.str().to_string()))
            .collect(),
    )
}

fn write_condition(w: &mut Writer, c: &PodCondition) {
    w.sym(COMMON, &c.type_);
    w.sym(COMMON, &c.status);
    w.time(c.last_transition_time.as_ref().map(|t| t.0));
    w.opt_sym(COMMON, c.reason.as_deref());
    w.opt_str(c.message.as_deref());
    w.time(c.last_probe_time.as_ref().map(|t| t.0));
}

fn read_condition(r: &mut Reader) -> PodCondition {
    PodCondition {
        type_: r.sym(COMMON).to_string(),
        status: r.sym(COMMON).to_string(),
        last_transition_time: r.time().map(Time),
        reason: r.opt_sym(COMMON).map(str::to_string),
        message: r.opt_str().map(str::to_string),
        last_probe_time: r.time().map(Time),
        ..Default::default()
    }
}

fn write_state(w: &mut Writer, st: Option<&ContainerState>) {
    let Some(st) = st else {
        return w.byte(STATE_ABSENT);
    };
    match (&st.waiting, &st.running, &st.terminated) {
        (None, None, None) => w.byte(STATE_EMPTY),
        (Some(wt), None, None) => {
            w.byte(STATE_WAITING);
            w.opt_sym(COMMON, wt.reason.as_deref());
            w.opt_str(wt.message.as_deref());
        }
        (None, Some(run), None) => {
            w.byte(STATE_RUNNING);
            w.time(run.started_at.as_ref().map(|t| t.0));
        }
        _ => {
            w.byte(STATE_JSON);
            w.str(&serde_json::to_string(st).unwrap_or_default());
        }
    }
}

/// What a container's state tells about its pod's status, without building the state.
fn state_says<'a>(r: &mut Reader<'a>, ready: bool) -> ContainerSays<'a> {
    match r.byte() {
        STATE_WAITING => {
            let reason = r.opt_sym(COMMON).filter(|s| !s.is_empty());
            r.opt_str();
            reason.map_or(ContainerSays::Nothing, |s| {
                ContainerSays::Reason(Cow::Borrowed(s))
            })
        }
        STATE_RUNNING => {
            r.time();
            if ready {
                ContainerSays::Running
            } else {
                ContainerSays::Nothing
            }
        }
        STATE_JSON => {
            let st = parse_state(r.str());
            match container_says(Some(&st), ready) {
                ContainerSays::Reason(c) => ContainerSays::Reason(Cow::Owned(c.into_owned())),
                ContainerSays::Running => ContainerSays::Running,
                ContainerSays::Nothing => ContainerSays::Nothing,
            }
        }
        _ => ContainerSays::Nothing,
    }
}

fn parse_state(json: &str) -> ContainerState {
    serde_json::from_str(json).unwrap_or_default()
}

fn read_state(r: &mut Reader) -> Option<ContainerState> {
    Some(match r.byte() {
        STATE_ABSENT => return None,
        STATE_WAITING => ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: r.opt_sym(COMMON).map(str::to_string),
                message: r.opt_str().map(str::to_string),
            }),
            ..Default::default()
        },
        STATE_RUNNING => ContainerState {
            running: Some(ContainerStateRunning {
                started_at: r.time().map(Time),
            }),
            ..Default::default()
        },
        STATE_JSON => parse_state(r.str()),
        _ => ContainerState::default(),
    })
}

/// A container status as the record holds it, read up to its state.
struct ContainerHead<'a> {
    name: &'a str,
    image: &'a str,
    ready: bool,
    started: Option<bool>,
    restart_count: i32,
}

fn read_container_head<'a>(r: &mut Reader<'a>) -> ContainerHead<'a> {
    ContainerHead {
        name: r.str(),
        image: r.str(),
        ready: r.bool(),
        started: r.opt_bool(),
        restart_count: i32::try_from(r.int()).unwrap_or(0),
    }
}

/// Type and status of a condition, the rest of it skipped.
fn condition_head<'a>(r: &mut Reader<'a>) -> (&'a str, &'a str) {
    let head = (r.sym(COMMON), r.sym(COMMON));
    r.time();
    r.opt_sym(COMMON);
    r.opt_str();
    r.time();
    head
}

fn skip_condition(r: &mut Reader) {
    condition_head(r);
}

fn skip_state(r: &mut Reader) {
    match r.byte() {
        STATE_WAITING => {
            r.opt_sym(COMMON);
            r.opt_str();
        }
        STATE_RUNNING => {
            r.time();
        }
        STATE_JSON => {
            r.str();
        }
        _ => {}
    }
}

fn write_owner(w: &mut Writer, o: &OwnerReference) {
    w.sym(COMMON, &o.api_version);
    w.sym(COMMON, &o.kind);
    w.str(&o.name);
    w.uid(Some(&o.uid));
    w.opt_bool(o.controller);
    w.opt_bool(o.block_owner_deletion);
}

fn read_owner(r: &mut Reader) -> OwnerReference {
    OwnerReference {
        api_version: r.sym(COMMON).to_string(),
        kind: r.sym(COMMON).to_string(),
        name: r.str().to_string(),
        uid: r.uid().unwrap_or_default(),
        controller: r.opt_bool(),
        block_owner_deletion: r.opt_bool(),
    }
}

/// A list of container statuses: its length (absent: no list), then each one up to its state.
fn write_container_statuses(w: &mut Writer, list: Option<&[ContainerStatus]>) {
    w.count(list.map(<[ContainerStatus]>::len));
    for c in list.into_iter().flatten() {
        w.str(&c.name);
        w.str(&c.image);
        w.bool(c.ready);
        w.opt_bool(c.started);
        w.int(i64::from(c.restart_count));
        write_state(w, c.state.as_ref());
        // The last termination says why a container restarts (OOMKilled, exit codes).
        write_state(w, c.last_state.as_ref());
    }
}

/// Container statuses as [`write_container_statuses`] wrote them.
fn read_container_statuses(r: &mut Reader) -> Option<Vec<ContainerStatus>> {
    r.count().map(|n| {
        (0..n)
            .map(|_| {
                let c = read_container_head(r);
                ContainerStatus {
                    name: c.name.to_string(),
                    image: c.image.to_string(),
                    ready: c.ready,
                    started: c.started,
                    restart_count: c.restart_count,
                    state: read_state(r),
                    last_state: read_state(r),
                    ..Default::default()
                }
            })
            .collect()
    })
}

/// A pod's metadata and status written as a record (the spec is kept apart).
fn write_record(m: &ObjectMeta, per_pod: &PerPod, status: Option<&PodStatus>) -> CompactPod {
    let mut w = Writer::default();
    w.opt_str(m.name.as_deref());
    w.opt_str(m.namespace.as_deref());
    w.opt_str(per_pod.node.as_deref());
    w.time(m.creation_timestamp.as_ref().map(|t| t.0));
    w.time(m.deletion_timestamp.as_ref().map(|t| t.0));
    let labels_at = w.at();
    write_pairs(&mut w, m.labels.as_ref(), "");
    let status_at = w.at();
    w.bool(status.is_some());
    if let Some(s) = status {
        w.opt_sym(COMMON, s.phase.as_deref());
        w.opt_sym(COMMON, s.reason.as_deref());
        w.opt_str(s.message.as_deref());
        w.opt_str(s.pod_ip.as_deref());
        w.opt_str(s.host_ip.as_deref());
        w.time(s.start_time.as_ref().map(|t| t.0));
        w.count(s.conditions.as_ref().map(Vec::len));
        for c in s.conditions.iter().flatten() {
            write_condition(&mut w, c);
        }
        write_container_statuses(&mut w, s.container_statuses.as_deref());
        write_container_statuses(&mut w, s.init_container_statuses.as_deref());
    }
    let rest_at = w.at();
    w.uid(m.uid.as_deref());
    w.opt_str(m.resource_version.as_deref());
    w.opt_str(m.generate_name.as_deref());
    w.opt_int(m.generation);
    w.opt_int(m.deletion_grace_period_seconds);
    w.opt_str(per_pod.hostname.as_deref());
    w.opt_str(per_pod.token_volume.as_deref());
    write_pairs(&mut w, m.annotations.as_ref(), LAST_APPLIED);
    w.count(m.owner_references.as_ref().map(Vec::len));
    for o in m.owner_references.iter().flatten() {
        write_owner(&mut w, o);
    }
    w.count(m.finalizers.as_ref().map(Vec::len));
    for f in m.finalizers.iter().flatten() {
        w.str(f);
    }
    CompactPod {
        record: w.finish(),
        labels_at,
        status_at,
        rest_at,
        spec: None,
    }
}

/// The service-account token volume the API server adds to each pod, `kube-api-access-` and a
/// suffix of its own per pod.
const TOKEN_VOLUME: &str = "kube-api-access-";
/// The field a DaemonSet pins each of its pods to a node with (in the pod's node affinity).
const NODE_NAME_FIELD: &str = "metadata.name";

/// What makes the specs of one workload's pods differ, kept with each pod so that the rest of
/// the spec is shared: the node (`nodeName`, and the node a DaemonSet pins its pod to), the
/// host name, and the name of the service-account token volume.
#[derive(Debug, Default, PartialEq)]
struct PerPod {
    node: Option<String>,
    hostname: Option<String>,
    token_volume: Option<String>,
}

fn mounts_mut(spec: &mut PodSpec) -> impl Iterator<Item = &mut String> {
    let containers = spec.containers.iter_mut().map(|c| &mut c.volume_mounts);
    let init = spec
        .init_containers
        .iter_mut()
        .flatten()
        .map(|c| &mut c.volume_mounts);
    let ephemeral = (spec.ephemeral_containers.iter_mut().flatten()).map(|c| &mut c.volume_mounts);
    containers
        .chain(init)
        .chain(ephemeral)
        .flatten()
        .flatten()
        .map(|m| &mut m.name)
}

/// The values of node-affinity terms that select a node by its name.
fn pinned_nodes_mut(spec: &mut PodSpec) -> impl Iterator<Item = &mut String> {
    let required = spec
        .affinity
        .as_mut()
        .and_then(|a| a.node_affinity.as_mut())
        .and_then(|n| {
            n.required_during_scheduling_ignored_during_execution
                .as_mut()
        });
    required
        .into_iter()
        .flat_map(|r| r.node_selector_terms.iter_mut())
        .flat_map(|t| t.match_fields.iter_mut().flatten())
        .filter(|f| f.key == NODE_NAME_FIELD)
        .flat_map(|f| f.values.iter_mut().flatten())
}

/// Takes the per-pod parts out of `spec` (see [`PerPod`]): the token volume is renamed to
/// the bare prefix, and the pod's own node in its affinity becomes an empty name.
fn take_per_pod(spec: &mut PodSpec) -> PerPod {
    let node = spec.node_name.take();
    let hostname = spec.hostname.take();
    let token_volume = spec
        .volumes
        .iter_mut()
        .flatten()
        .find(|v| v.name.len() > TOKEN_VOLUME.len() && v.name.starts_with(TOKEN_VOLUME))
        .map(|v| std::mem::replace(&mut v.name, TOKEN_VOLUME.to_string()));
    if let Some(token) = &token_volume {
        mounts_mut(spec)
            .filter(|m| *m == token)
            .for_each(|m| *m = TOKEN_VOLUME.to_string());
    }
    if let Some(node) = &node {
        pinned_nodes_mut(spec)
            .filter(|v| *v == node)
            .for_each(String::clear);
    }
    PerPod {
        node,
        hostname,
        token_volume,
    }
}

/// Puts the per-pod parts back into a shared spec (the reverse of [`take_per_pod`]).
fn put_per_pod(spec: &mut PodSpec, per_pod: PerPod) {
    if let Some(token) = &per_pod.token_volume {
        spec.volumes
            .iter_mut()
            .flatten()
            .filter(|v| v.name == TOKEN_VOLUME)
            .for_each(|v| v.name.clone_from(token));
        mounts_mut(spec)
            .filter(|m| *m == TOKEN_VOLUME)
            .for_each(|m| m.clone_from(token));
    }
    if let Some(node) = &per_pod.node {
        pinned_nodes_mut(spec)
            .filter(|v| v.is_empty())
            .for_each(|v| v.clone_from(node));
    }
    spec.node_name = per_pod.node;
    spec.hostname = per_pod.hostname;
}

/// The identity part of a record.
struct Identity<'a> {
    name: Option<&'a str>,
    namespace: Option<&'a str>,
    node: Option<&'a str>,
    created: Option<Timestamp>,
    deleted: Option<Timestamp>,
}

/// The status part of a record, read up to its conditions.
struct StatusHead<'a> {
    phase: Option<&'a str>,
    reason: Option<&'a str>,
    message: Option<&'a str>,
    pod_ip: Option<&'a str>,
    host_ip: Option<&'a str>,
    start_time: Option<Timestamp>,
}

impl CompactPod {
    /// Keeps what the console reads of `pod`.
    pub fn from_pod(pod: Pod) -> CompactPod {
        Self::from_pod_sharing(pod, None)
    }

    /// [`CompactPod::from_pod`], with the spec shared through `specs`.
    pub fn from_pod_sharing(pod: Pod, specs: Option<&mut SpecCache>) -> CompactPod {
        let Pod {
            metadata,
            spec,
            status,
        } = pod;
        match spec {
            Some(mut spec) => {
                let per_pod = take_per_pod(&mut spec);
                let kept = match specs {
                    Some(cache) => cache.keep(spec),
                    None => Arc::new(KeptSpec::new(spec)),
                };
                let mut c = write_record(&metadata, &per_pod, status.as_ref());
                c.spec = Some(kept);
                c
            }
            None => write_record(&metadata, &PerPod::default(), status.as_ref()),
        }
    }

    /// A pod whose spec is `spec` with `node_name` and `hostname` (`pod`'s own spec is not
    /// read): for pods whose spec is already kept.
    pub fn with_kept_spec(
        pod: &Pod,
        spec: Arc<KeptSpec>,
        node_name: Option<&str>,
        hostname: Option<&str>,
    ) -> CompactPod {
        let per_pod = PerPod {
            node: node_name.map(str::to_string),
            hostname: hostname.map(str::to_string),
            token_volume: None,
        };
        let mut c = write_record(&pod.metadata, &per_pod, pod.status.as_ref());
        c.spec = Some(spec);
        c
    }

    /// The kept spec (without its per-pod parts, see [`PerPod`]).
    pub fn spec(&self) -> Option<&Arc<KeptSpec>> {
        self.spec.as_ref()
    }

    /// The spec as the copy in `specs` shared with the pods that have the same one.
    pub fn share_spec(&mut self, specs: &mut SpecCache) {
        if let Some(spec) = self.spec.take() {
            self.spec = Some(specs.share(spec));
        }
    }

    fn identity(&self) -> Identity<'_> {
        let mut r = Reader::new(&self.record, 0);
        Identity {
            name: r.opt_str(),
            namespace: r.opt_str(),
            node: r.opt_str(),
            created: r.time(),
            deleted: r.time(),
        }
    }

    fn labels(&self) -> Reader<'_> {
        Reader::new(&self.record, self.labels_at)
    }

    /// The status part read up to its conditions (`None`: no status), and a reader there.
    fn status_head(&self) -> Option<(StatusHead<'_>, Reader<'_>)> {
        let mut r = Reader::new(&self.record, self.status_at);
        if !r.bool() {
            return None;
        }
        let head = StatusHead {
            phase: r.opt_sym(COMMON),
            reason: r.opt_sym(COMMON),
            message: r.opt_str(),
            pod_ip: r.opt_str(),
            host_ip: r.opt_str(),
            start_time: r.time(),
        };
        Some((head, r))
    }

    /// A reader at the container statuses (`None`: no status or no list), and their number.
    fn containers(&self) -> Option<(usize, Reader<'_>)> {
        let (_, mut r) = self.status_head()?;
        r.skip_list(skip_condition);
        let n = r.count()?;
        Some((n, r))
    }

    /// Calls `f` with each container status up to its state, and a reader at its state (which
    /// `f` must read, for the next one to follow).
    fn each_container<'s>(&'s self, mut f: impl FnMut(ContainerHead<'s>, &mut Reader<'s>)) {
        let Some((n, mut r)) = self.containers() else {
            return;
        };
        for _ in 0..n {
            let head = read_container_head(&mut r);
            f(head, &mut r);
            skip_state(&mut r);
        }
    }

    /// Calls `f` with the index and head of each init container status and a reader at its
    /// state (which `f` must read).
    fn each_init_container<'s>(
        &'s self,
        mut f: impl FnMut(usize, ContainerHead<'s>, &mut Reader<'s>),
    ) {
        let Some((n, mut r)) = self.containers() else {
            return;
        };
        for _ in 0..n {
            read_container_head(&mut r);
            skip_state(&mut r);
            skip_state(&mut r);
        }
        let Some(m) = r.count() else {
            return;
        };
        for i in 0..m {
            let head = read_container_head(&mut r);
            f(i, head, &mut r);
            skip_state(&mut r);
        }
    }

    /// A Pod with the kept fields (the rest at their defaults).
    pub fn to_pod(&self) -> Pod {
        let id = self.identity();
        let labels = read_pairs(&mut self.labels());
        let mut r = Reader::new(&self.record, self.rest_at);
        let uid = r.uid();
        let resource_version = r.opt_str().map(str::to_string);
        let generate_name = r.opt_str().map(str::to_string);
        let generation = r.opt_int();
        let grace = r.opt_int();
        let hostname = r.opt_str().map(str::to_string);
        let token_volume = r.opt_str().map(str::to_string);
        let annotations = read_pairs(&mut r);
        let owner_references = r
            .count()
            .map(|n| (0..n).map(|_| read_owner(&mut r)).collect());
        let finalizers = r
            .count()
            .map(|n| (0..n).map(|_| r.str().to_string()).collect());
        let metadata = ObjectMeta {
            name: id.name.map(str::to_string),
            namespace: id.namespace.map(str::to_string),
            uid,
            resource_version,
            generate_name,
            generation,
            creation_timestamp: id.created.map(Time),
            deletion_timestamp: id.deleted.map(Time),
            deletion_grace_period_seconds: grace,
            labels,
            annotations,
            owner_references,
            finalizers,
            ..Default::default()
        };
        let spec = self.spec.as_ref().map(|s| {
            let mut spec = s.decode();
            let per_pod = PerPod {
                node: id.node.map(str::to_string),
                hostname,
                token_volume,
            };
            put_per_pod(&mut spec, per_pod);
            spec
        });
        let status = self.status_head().map(|(s, mut r)| {
            let conditions = r
                .count()
                .map(|n| (0..n).map(|_| read_condition(&mut r)).collect());
            let container_statuses = read_container_statuses(&mut r);
            let init_container_statuses = read_container_statuses(&mut r);
            PodStatus {
                phase: s.phase.map(str::to_string),
                reason: s.reason.map(str::to_string),
                message: s.message.map(str::to_string),
                pod_ip: s.pod_ip.map(str::to_string),
                host_ip: s.host_ip.map(str::to_string),
                start_time: s.start_time.map(Time),
                conditions,
                container_statuses,
                init_container_statuses,
                ..Default::default()
            }
        });
        Pod {
            metadata,
            spec,
            status,
        }
    }

    pub fn name(&self) -> &str {
        Reader::new(&self.record, 0).opt_str().unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        let mut r = Reader::new(&self.record, 0);
        r.opt_str();
        r.opt_str().unwrap_or("")
    }

    pub fn key(&self) -> crate::model::ObjectKey {
        crate::model::ObjectKey::new(crate::model::Kind::Pod, self.namespace(), self.name())
    }

    pub fn resource_version(&self) -> Option<&str> {
        let mut r = Reader::new(&self.record, self.rest_at);
        r.uid();
        r.opt_str()
    }

    pub fn created(&self) -> Option<Timestamp> {
        self.identity().created
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        let mut r = self.labels();
        for _ in 0..r.count()? {
            let (k, v) = (r.sym(KNOWN_KEYS), r.str());
            if k == key {
                return Some(v);
            }
        }
        None
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
        self.identity().node
    }

    /// See [`restarts`].
    pub fn restarts(&self) -> i32 {
        let mut sum = 0i32;
        self.each_container(|c, r| {
            sum = sum.saturating_add(c.restart_count);
            skip_state(r);
        });
        sum
    }

    /// See [`engine_image`].
    pub fn engine_image(&self) -> Option<&str> {
        let from_status = self
            .containers()
            .filter(|(n, _)| *n > 0)
            .map(|(_, mut r)| read_container_head(&mut r).image)
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
        let Some((_, mut r)) = self.status_head() else {
            return false;
        };
        (0..r.count().unwrap_or(0)).any(|_| condition_head(&mut r) == (type_, "True"))
    }

    pub fn is_ready(&self) -> bool {
        self.condition_true("Ready")
    }

    /// See [`display_status`].
    pub fn display_status(&self) -> String {
        self.status_text().into_owned()
    }

    /// [`CompactPod::display_status`], borrowed from the record when it can be.
    pub fn status_text(&self) -> Cow<'_, str> {
        let mut says = Vec::new();
        self.each_container(|c, r| says.push(state_says(r, c.ready)));
        let head = self.status_head().map(|(s, _)| s);
        let sidecars = self.spec.as_ref().map_or(&[][..], |s| s.init_sidecars());
        let mut init_says_all = Vec::new();
        self.each_init_container(|i, c, r| {
            let sidecar = sidecars.get(i).copied().unwrap_or(false);
            let state = read_state(r);
            init_says_all.push(
                match init_says(state.as_ref(), c.started == Some(true), sidecar) {
                    InitSays::Done => InitSays::Done,
                    InitSays::Reason(r) => InitSays::Reason(Cow::Owned(r.into_owned())),
                    InitSays::Pending => InitSays::Pending,
                },
            );
        });
        let total = sidecars.len().max(init_says_all.len());
        pod_status(
            StatusParts {
                phase: head.as_ref().and_then(|s| s.phase),
                reason: head.as_ref().and_then(|s| s.reason),
                deleted: self.identity().deleted.is_some(),
                ready: self.is_ready(),
                initialized: self.condition_true("Initialized"),
                init: init_status(init_says_all.into_iter(), total),
            },
            says.into_iter(),
        )
    }

    /// When the pod's Ready condition turned to what it is now, if it is not True.
    pub fn not_ready_since(&self) -> Option<Timestamp> {
        let (_, mut r) = self.status_head()?;
        let n = r.count()?;
        for _ in 0..n {
            let c = read_condition(&mut r);
            if c.type_ == "Ready" {
                return (c.status != "True")
                    .then(|| c.last_transition_time.map(|t| t.0))
                    .flatten();
            }
        }
        None
    }

    /// See [`ready_containers`].
    pub fn ready_containers(&self) -> (usize, usize) {
        let total = self.spec.as_ref().map_or(0, |s| s.containers());
        let mut ready = 0;
        self.each_container(|c, r| {
            ready += usize::from(c.ready);
            skip_state(r);
        });
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
    last_state: Option<ContainerState>,
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
    init_container_statuses: Option<Vec<ContainerStatusIn>>,
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
                container_statuses: s.container_statuses.map(statuses_in),
                init_container_statuses: s.init_container_statuses.map(statuses_in),
                ..Default::default()
            }),
        };
        Ok(CompactPod::from_pod(pod))
    }
}

/// Container statuses as read from JSON, with the fields a [`CompactPod`] keeps.
fn statuses_in(cs: Vec<ContainerStatusIn>) -> Vec<ContainerStatus> {
    cs.into_iter()
        .map(|c| ContainerStatus {
            name: c.name,
            image: c.image,
            ready: c.ready,
            started: c.started,
            restart_count: c.restart_count,
            state: c.state,
            last_state: c.last_state,
            ..Default::default()
        })
        .collect()
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
                terminated: Some(k8s_openapi::api::core::v1::ContainerStateTerminated {
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

    /// A pod with the given status parts, as JSON.
    fn status_pod(status: serde_json::Value, deleted: bool) -> Pod {
        let mut v = serde_json::json!({
            "metadata": {"name": "p", "namespace": "ns"},
            "spec": {"containers": [{"name": "a", "image": "i"}, {"name": "b", "image": "i"}]},
            "status": status,
        });
        if deleted {
            v["metadata"]["deletionTimestamp"] = "2026-11-25T10:00:00Z".into();
        }
        serde_json::from_value(v).unwrap()
    }

    /// kubectl's STATUS, the same from the full pod and the compact one, and every status
    /// produced has a look.
    #[test]
    fn statuses_as_kubectl_shows_them() {
        use serde_json::json;
        let running = json!({"running": {"startedAt": "2026-11-25T09:00:00Z"}});
        let cases = [
            (
                json!({"phase": "Pending", "containerStatuses": [
                    {"name": "a", "image": "i", "ready": false, "restartCount": 0,
                     "state": {"waiting": {"reason": "ContainerCreating"}}}]}),
                false,
                "ContainerCreating",
            ),
            (
                json!({"phase": "Failed", "containerStatuses": [
                    {"name": "a", "image": "i", "ready": false, "restartCount": 0,
                     "state": {"terminated": {"exitCode": 137, "signal": 9}}}]}),
                false,
                "Signal:9",
            ),
            (
                json!({"phase": "Failed", "containerStatuses": [
                    {"name": "a", "image": "i", "ready": false, "restartCount": 0,
                     "state": {"terminated": {"exitCode": 137}}}]}),
                false,
                "ExitCode:137",
            ),
            (
                json!({"phase": "Failed", "reason": "Evicted"}),
                false,
                "Evicted",
            ),
            (
                json!({"phase": "Running", "reason": "NodeLost", "containerStatuses": [
                    {"name": "a", "image": "i", "ready": false, "restartCount": 0,
                     "state": running.clone()}]}),
                true,
                "NodeLost",
            ),
            (json!({"phase": "Running"}), true, "Terminating"),
            (
                json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                    "containerStatuses": [
                    {"name": "a", "image": "i", "ready": false, "restartCount": 0,
                     "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                    {"name": "b", "image": "i", "ready": true, "restartCount": 0,
                     "state": running.clone()}]}),
                false,
                "Running",
            ),
            (
                json!({"phase": "Running", "containerStatuses": [
                    {"name": "a", "image": "i", "ready": false, "restartCount": 0,
                     "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                    {"name": "b", "image": "i", "ready": true, "restartCount": 0,
                     "state": running.clone()}]}),
                false,
                "NotReady",
            ),
            (json!({"phase": "Unknown"}), false, "Unknown"),
        ];
        for (status, deleted, want) in cases {
            let p = status_pod(status, deleted);
            assert_eq!(display_status(&p), want);
            assert_eq!(CompactPod::from_pod(p.clone()).status_text(), want);
            assert!(
                crate::model::health::status_look(want).is_some(),
                "{want} has no look"
            );
            assert!(crate::model::health::KNOWN_STATUSES.contains(&want));
        }
    }

    /// Init containers as kubectl reads them: the first one not done says `Init:i/n` or its
    /// reason; a started sidecar counts as done. The compact pod keeps them and reads the same.
    #[test]
    fn init_containers_as_kubectl_shows_them() {
        use serde_json::json;
        let pod = |init: serde_json::Value, conditions: serde_json::Value| -> Pod {
            serde_json::from_value(json!({
                "metadata": {"name": "p", "namespace": "ns"},
                "spec": {
                    "initContainers": [
                        {"name": "side", "image": "i", "restartPolicy": "Always"},
                        {"name": "one", "image": "i"},
                        {"name": "two", "image": "i"}],
                    "containers": [{"name": "main", "image": "i"}]},
                "status": {"phase": "Pending", "conditions": conditions,
                    "initContainerStatuses": init,
                    "containerStatuses": [{"name": "main", "image": "i", "ready": false,
                        "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}]},
            }))
            .unwrap()
        };
        let side = json!({"name": "side", "image": "i", "ready": true, "started": true,
            "restartCount": 0, "state": {"running": {}}});
        let done = json!({"name": "one", "image": "i", "ready": false, "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}});
        let waiting = |name: &str, reason: &str| {
            json!({"name": name, "image": "i", "ready": false, "restartCount": 0,
                "state": {"waiting": {"reason": reason}}})
        };
        let cases = [
            (
                json!([side, waiting("one", "PodInitializing"), waiting("two", "")]),
                json!([]),
                "Init:1/3",
            ),
            (
                json!([side, done, waiting("two", "PodInitializing")]),
                json!([]),
                "Init:2/3",
            ),
            (
                json!([side, done, waiting("two", "CrashLoopBackOff")]),
                json!([]),
                "Init:CrashLoopBackOff",
            ),
            (
                json!([side, {"name": "one", "image": "i", "ready": false, "restartCount": 1,
                    "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]),
                json!([]),
                "Init:Error",
            ),
            (
                json!([side, done, {"name": "two", "image": "i", "ready": false,
                    "restartCount": 0, "state": {"terminated": {"exitCode": 0}}}]),
                json!([{"type": "Initialized", "status": "True"}]),
                "PodInitializing",
            ),
        ];
        for (init, conditions, want) in cases {
            let p = pod(init, conditions);
            assert_eq!(display_status(&p), want);
            let c = CompactPod::from_pod(p.clone());
            assert_eq!(c.status_text(), want);
            assert_eq!(
                c.to_pod().status,
                p.status.clone().map(|mut s| {
                    // The compact pod keeps what it reads of container statuses.
                    for c in s.init_container_statuses.iter_mut().flatten() {
                        c.container_id = None;
                    }
                    s
                })
            );
            let json = serde_json::to_vec(&p).unwrap();
            let read: CompactPod = serde_json::from_slice(&json).unwrap();
            assert_eq!(read, c);
            assert!(crate::model::health::status_look(want).is_some(), "{want}");
        }
    }

    #[test]
    fn not_ready_since_and_node_events() {
        use serde_json::json;
        let p = status_pod(
            json!({"phase": "Running", "conditions": [
                {"type": "Ready", "status": "False", "lastTransitionTime": "2026-11-25T09:55:00Z"}]}),
            false,
        );
        let since: Timestamp = "2026-11-25T09:55:00Z".parse().unwrap();
        assert_eq!(CompactPod::from_pod(p).not_ready_since(), Some(since));
        let event = |at: &str| -> crate::model::Event {
            serde_json::from_value(json!({
                "metadata": {"name": "e"}, "involvedObject": {},
                "reason": "NodeNotReady", "lastTimestamp": at}))
            .unwrap()
        };
        assert!(node_not_ready_event(
            &[event("2026-11-25T09:55:00Z")],
            Some(since)
        ));
        // An event from an earlier time the node was down says nothing now.
        assert!(!node_not_ready_event(
            &[event("2026-11-25T08:00:00Z")],
            Some(since)
        ));
        assert_eq!(
            shown_status(Cow::Borrowed("Running"), false, true),
            NODE_NOT_READY
        );
        assert_eq!(
            shown_status(Cow::Borrowed("Running"), true, true),
            "Running"
        );
        assert_eq!(status_look("Running", false), "PartialReady");
        assert_eq!(status_look("Running", true), "Running");
        assert_eq!(status_look("Init:0/2", true), "SettingUp");
        assert_eq!(
            status_look("Init:CrashLoopBackOff", true),
            "CrashLoopBackOff"
        );
        assert_eq!(status_look("SomethingNew", true), "Unknown");
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
            assert!(a.spec().is_none() || Arc::ptr_eq(a.spec().unwrap(), b.spec().unwrap()));
        }
    }

    #[test]
    fn labels_keep_known_keys_small_and_read_back() {
        let map: BTreeMap<String, String> = [
            (LABEL_RUNTIME, "imagenet"),
            ("app", "curvine-worker"),
            ("example.com/team", "data"),
            ("\u{1}", "odd"),
            ("x\0y", "z"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut pod = Pod::default();
        pod.metadata.labels = Some(map.clone());
        let c = CompactPod::from_pod(pod.clone());
        assert!(
            !c.record
                .windows(LABEL_RUNTIME.len())
                .any(|w| w == LABEL_RUNTIME.as_bytes()),
            "a known key is one byte"
        );
        assert_eq!(c.to_pod().metadata.labels, Some(map));
        assert_eq!(c.label(LABEL_RUNTIME), Some("imagenet"));
        assert_eq!(c.label("example.com/team"), Some("data"));
        assert_eq!(c.label("x\0y"), Some("z"));
        assert_eq!(c.label("chart"), None);
        assert_eq!(c.runtime(), Some("imagenet"));
        // The last-applied copy of the object is left out of the annotations.
        let mut pod = Pod::default();
        let notes = [(LAST_APPLIED, "{...}"), ("team", "data")];
        pod.metadata.annotations = Some(
            (notes.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let back = CompactPod::from_pod(pod)
            .to_pod()
            .metadata
            .annotations
            .unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back.get("team").map(String::as_str), Some("data"));
    }

    #[test]
    fn a_pod_is_one_record_and_a_shared_spec() {
        let pods = sample();
        let p = pods.iter().find(|p| p.spec.is_some()).unwrap().clone();
        let raw = serde_json::to_vec(&p).unwrap().len();
        let c = CompactPod::from_pod(p);
        assert!(
            c.record.len() * 3 < raw,
            "{} of {raw} bytes",
            c.record.len()
        );
        assert!(std::mem::size_of::<CompactPod>() <= 40);
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
        assert!(Arc::ptr_eq(a.spec().unwrap(), b.spec().unwrap()));
        assert_eq!(b.to_pod().spec, q.spec);
        // Kept elsewhere, then shared: found by content.
        let c = cache.share(Arc::new(KeptSpec::new(q.spec.clone().unwrap())));
        assert!(Arc::ptr_eq(&c, a.spec().unwrap()));
        let mut r = q.clone();
        r.spec.as_mut().unwrap().containers[0].image = Some("other:tag".into());
        let d = CompactPod::from_pod_sharing(r, Some(&mut cache));
        assert!(!Arc::ptr_eq(d.spec().unwrap(), a.spec().unwrap()));
        assert_eq!(d.spec().unwrap().first_image(), Some("other:tag"));
    }

    /// A fuse pod as a DaemonSet and the API server make it: pinned to its node by name in its
    /// node affinity, with a token volume of its own, mounted in its containers.
    fn fuse_pod(node: &str, token: &str) -> Pod {
        let spec = serde_json::json!({
            "nodeName": node,
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchFields": [
                    {"key": "metadata.name", "operator": "In", "values": [node]}]}]}}},
            "containers": [{"name": "fuse", "image": "curvine/curvine-fuse:v0.2.5",
                "volumeMounts": [
                    {"name": "data", "mountPath": "/data"},
                    {"name": token, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                     "readOnly": true}]}],
            "initContainers": [{"name": "init", "image": "busybox",
                "volumeMounts": [{"name": token, "mountPath": "/sa"}]}],
            "volumes": [
                {"name": "data", "hostPath": {"path": "/mnt/data"}},
                {"name": token, "projected": {"sources": [
                    {"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}}]}}]
        });
        Pod {
            metadata: ObjectMeta {
                name: Some(format!("imagenet-fuse-{node}")),
                namespace: Some("team-a".into()),
                ..Default::default()
            },
            spec: Some(serde_json::from_value(spec).unwrap()),
            status: None,
        }
    }

    #[test]
    fn fuse_pods_of_one_daemon_set_share_one_kept_spec() {
        let a = fuse_pod("node-1", "kube-api-access-x7k2p");
        let b = fuse_pod("node-2", "kube-api-access-q9w4z");
        let mut cache = SpecCache::default();
        let ca = CompactPod::from_pod_sharing(a.clone(), Some(&mut cache));
        let cb = CompactPod::from_pod_sharing(b.clone(), Some(&mut cache));
        assert!(Arc::ptr_eq(ca.spec().unwrap(), cb.spec().unwrap()));
        // Shared, the spec is deflated; alone, it is kept as written.
        let deflated = |p: &CompactPod| matches!(p.spec().unwrap().text, SpecText::Deflated(_));
        assert!(deflated(&ca));
        assert!(!deflated(&CompactPod::from_pod(a.clone())));
        assert_eq!(ca.to_pod().spec, a.spec);
        assert_eq!(cb.to_pod().spec, b.spec);
        assert_eq!(cb.node(), Some("node-2"));
        // A pin to another node than the pod's own, and a volume that only looks like the
        // token one, are the spec's own: kept as they are.
        let mut c = fuse_pod("node-3", "kube-api-access-");
        c.spec.as_mut().unwrap().node_name = Some("node-4".into());
        let cc = CompactPod::from_pod_sharing(c.clone(), Some(&mut cache));
        assert!(!Arc::ptr_eq(cc.spec().unwrap(), ca.spec().unwrap()));
        assert_eq!(cc.to_pod().spec, c.spec);
    }
}
