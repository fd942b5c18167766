//! The embedded demo cluster: a simulated Fluid control plane that owns an in-memory set of
//! objects and reconciles them on a clock it controls, following FLUID.md §3 (quirks included).
//!
//! Pure: no I/O, no wall clock. All randomness comes from one `SmallRng` seeded by the caller,
//! and iteration is over ordered maps, so a seed and a sequence of `advance` calls always give
//! the same event stream.
//!
//! Hooks (`kill_pod`, `fail_node`, `create`, …) change the cluster immediately; the events they
//! cause are returned by the next `advance` (call `advance(Duration::ZERO)` to get them at once).
//!
//! Upgrades and rebuilds behave as Fluid and the AdvancedStatefulSet controller make them
//! (FLUID.md §4.2): a `runtimeVersion` patch of a CacheRuntime is synced into the workload's
//! template, whose pods at or above `rollingUpdate.partition` are updated in place (same UID,
//! `restartCount` + 1, pod `generation` + 1, event `SuccessfulUpdatePodInPlace`; upstream never
//! sets `InPlaceUpdateReady`), highest ordinal first, at most
//! `maxUnavailable` (default 1) at a time; a master restarted in place is remounted (Dataset
//! Updating → Bound, `status.mountTime` moves).
//!
//! **Bad images:** the simulated registry has no image whose tag contains `does-not-exist`
//! (e.g. `curvine/curvine:v0.3.0-does-not-exist`). A container started with one waits in
//! `ErrImagePull` (message "… not found"), then `ImagePullBackOff`, with `Failed`/`BackOff`
//! events, retried with a growing back-off; the pod stays not Ready. Patching a good image back updates the pod in
//! place again and it recovers (same UID, `restartCount` + 1). [`DemoCluster::fail_next_in_place_update`]
//! gives the same effect for one pod of a workload with any image.
//!
//! Deleting a cache pod is graceful (Terminating, gone after a couple of seconds on a reachable
//! node, then recreated by its workload with a new UID and empty emptyDir/memory cache tiers;
//! Terminating for as long as its node is lost); [`DemoCluster::force_delete`] removes at once.
//! CacheRuntimeMaintenance objects are stored like any object (no controller acts on them).

mod admission;
pub mod against_cluster;
mod cluster_state;

mod events;
mod faults;
pub mod format;
mod jobs;
mod logs;
mod names;
mod nodes;
mod operation_admission;
mod operation_controller;
mod pod_template;
mod pods;
mod runtime_controller;
pub mod scale;
pub mod scale_export;
pub mod scenario;
mod seed;
pub mod source;
mod spec_defaults;
mod usage;
mod workloads;
pub mod writer;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use rand::SeedableRng;
use rand::rngs::SmallRng;

use crate::cluster::ClusterEvent;
use crate::model::manifest::ManifestProblem;
use crate::model::{Kind, Object, ObjectKey};

pub use scenario::{Cue, OperatorAction, Player, Scenario, ScenarioAction, ScenarioStep};

use cluster_state::ClusterState;
use events::EventRecorder;
use jobs::JobSim;
use logs::LogBook;

/// How a simulated job ends, for tests and scenarios that need a particular outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Succeed,
    Fail,
}

/// Why a hook was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoError {
    NotFound(ObjectKey),
    AlreadyExists(ObjectKey),
    Invalid(String),
}

impl std::fmt::Display for DemoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DemoError::NotFound(k) => write!(f, "{k} not found"),
            DemoError::AlreadyExists(k) => write!(f, "{k} already exists"),
            DemoError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DemoError {}

/// What the simulated kubelet knows about a pod beyond its status.
#[derive(Debug, Clone)]
struct PodSim {
    /// When the container starts (ContainerCreating before).
    running_at: Timestamp,
    /// Seconds from "dependencies ready" to the readiness probe passing.
    ready_delay: i64,
    /// Since when the pod's dependencies (master for workers, a worker for clients) are ready.
    dep_since: Option<Timestamp>,
    /// While crashed: when the back-off ends and the container restarts.
    crash_until: Option<Timestamp>,
    /// An in-place image update in progress: the image it restarts with, and when.
    in_place_update: Option<(String, Timestamp)>,
    /// The next start of this pod's container fails to pull its image (injected failure).
    fail_next_pull: bool,
    /// The image of the container cannot be pulled (until the spec image changes).
    pull_failure: Option<PullFailure>,
    /// A graceful delete on a reachable node: when the kubelet has stopped the container and the
    /// pod object goes.
    delete_at: Option<Timestamp>,
}

impl PodSim {
    fn new(running_at: Timestamp, ready_delay: i64, dep_since: Option<Timestamp>) -> PodSim {
        PodSim {
            running_at,
            ready_delay,
            dep_since,
            crash_until: None,
            in_place_update: None,
            fail_next_pull: false,
            pull_failure: None,
            delete_at: None,
        }
    }
}

/// An image pull that keeps failing: ErrImagePull, then ImagePullBackOff until the next attempt.
#[derive(Debug, Clone)]
struct PullFailure {
    /// The container runtime's error, repeated on every attempt.
    message: String,
    /// When the state turns from ErrImagePull to ImagePullBackOff.
    back_off_at: Timestamp,
    /// The next pull attempt.
    next_attempt: Timestamp,
    /// Current back-off (doubles per attempt, capped like the kubelet's).
    back_off: i64,
}

/// The simulated cluster.
pub struct DemoCluster {
    state: ClusterState,
    rng: SmallRng,
    pods: BTreeMap<ObjectKey, PodSim>,
    /// Nodes that stopped reporting, and since when.
    lost_nodes: BTreeMap<String, Timestamp>,
    /// Nodes where the client DaemonSet of a runtime `(ns, name)` runs a pod.
    client_nodes: BTreeMap<(String, String), Vec<String>>,
    /// Ordinal pods deleted recently, recreated by their workload after a short delay.
    recreate_after: BTreeMap<ObjectKey, Timestamp>,
    /// AdvancedStatefulSets whose next in-place update fails to pull its image (test hook).
    fail_next_update: BTreeSet<ObjectKey>,
    /// Images of the controller revisions seen (revision name → image), so that an ordinal below
    /// a partition is recreated at its current revision.
    revisions: BTreeMap<String, String>,
    /// The node each ordinal pod last ran on (a hostPath cache tier stays on that node).
    cache_nodes: BTreeMap<ObjectKey, String>,
    jobs: BTreeMap<ObjectKey, JobSim>,
    job_outcomes: BTreeMap<ObjectKey, JobOutcome>,
    /// Earliest next attempt for controllers that retry on a period (object → time).
    retry_at: BTreeMap<(ObjectKey, &'static str), Timestamp>,
    /// Runtimes whose Dataset is being remounted (phase Updating).
    remounting: BTreeSet<ObjectKey>,
    events: EventRecorder,
    logs: LogBook,
    random_failures: bool,
    /// Sub-second remainder of `advance` calls.
    carry: Duration,
    pending_logs: Vec<ClusterEvent>,
    /// Generated objects at scale (`--scale`) and their churn; not reconciled by the controllers.
    scaled: Option<scale::Churn>,
}

impl DemoCluster {
    /// A cluster holding `objects`. Objects with a status start from it (terminal operation
    /// phases stay terminal); objects without one come up through the state machines.
    pub fn new(objects: Vec<Object>, seed: u64, now: Timestamp) -> Self {
        let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
        let mut cluster = DemoCluster {
            state: ClusterState::new(now),
            rng: SmallRng::seed_from_u64(seed),
            pods: BTreeMap::new(),
            lost_nodes: BTreeMap::new(),
            client_nodes: BTreeMap::new(),
            recreate_after: BTreeMap::new(),
            fail_next_update: BTreeSet::new(),
            revisions: BTreeMap::new(),
            cache_nodes: BTreeMap::new(),
            jobs: BTreeMap::new(),
            job_outcomes: BTreeMap::new(),
            retry_at: BTreeMap::new(),
            remounting: BTreeSet::new(),
            events: EventRecorder::default(),
            logs: LogBook::default(),
            random_failures: true,
            carry: Duration::ZERO,
            pending_logs: Vec::new(),
            scaled: None,
        };
        seed::load(&mut cluster, objects);
        logs::backlog(&mut cluster);
        cluster
    }

    /// The built-in demo (assets/demo), with its timestamps moved so that the seed's reference
    /// moment is `now`.
    pub fn builtin(seed: u64, now: Timestamp) -> Self {
        let (objects, _problems) = seed::builtin_objects(now);
        Self::new(objects, seed, now)
    }

    /// Every manifest in `dir` (`--seed DIR`). Documents that cannot be used are reported with
    /// their file and document number; the rest loads. A directory that cannot be read is an
    /// error; one with nothing to load says so.
    pub fn from_dir(
        path: &Path,
        seed: u64,
        now: Timestamp,
    ) -> Result<(Self, Vec<ManifestProblem>), String> {
        let m = crate::model::manifest::load_dir(path)
            .map_err(|e| format!("--seed {}: cannot be read: {e}", path.display()))?;
        let skipped = m.skipped_notice();
        let mut problems = m.problems;
        if let Some(notice) = skipped {
            problems.push(ManifestProblem {
                file: path.display().to_string(),
                document: 0,
                message: notice,
            });
        }
        if m.objects.is_empty() {
            problems.push(ManifestProblem {
                file: path.display().to_string(),
                document: 0,
                message:
                    "no objects to seed the demo cluster with (*.yaml, *.yml): it starts empty"
                        .into(),
            });
        }
        Ok((Self::new(m.objects, seed, now), problems))
    }

    /// A `Listed` event per kind in `Kind::ALL`: the current state.
    pub fn initial_events(&self) -> Vec<ClusterEvent> {
        Kind::ALL
            .into_iter()
            .map(|kind| self.initial_event(kind))
            .collect()
    }

    /// The `Listed` event of one kind: its current state.
    pub fn initial_event(&self, kind: Kind) -> ClusterEvent {
        let objects: Vec<Object> = self.state.of_kind(kind).cloned().collect();
        match &self.scaled {
            // Generated pods go reduced, as the console keeps them (see scale::Churn).
            Some(s) => s.listed(kind, objects),
            None => ClusterEvent::Listed { kind, objects },
        }
    }

    /// Adds the objects of `spec` (generated from the cluster's seed and clock, see
    /// [`scale`]) and changes `churn` of them per simulated second.
    pub fn with_scale(mut self, spec: scale::ScaleSpec, seed: u64, churn: f64) -> Self {
        let generator = scale::Generator::new(spec, seed, self.state.now);
        self.scaled = Some(scale::Churn::new(generator, churn));
        self
    }

    /// Moves the clock forward by `dt`, reconciling once per simulated second, and returns what
    /// changed: Applied/Deleted for changed objects and LogLine for new pod log lines.
    pub fn advance(&mut self, dt: Duration) -> Vec<ClusterEvent> {
        let mut out = std::mem::take(&mut self.pending_logs);
        out.extend(self.state.drain_changes());
        self.carry += dt;
        while self.carry >= Duration::from_secs(1) {
            self.carry -= Duration::from_secs(1);
            self.step();
            out.append(&mut self.pending_logs);
            out.extend(self.state.drain_changes());
            if let Some(s) = &mut self.scaled {
                out.extend(s.advance(Duration::from_secs(1), self.state.now));
            }
        }
        out
    }

    fn step(&mut self) {
        self.state.now = self
            .state
            .now
            .checked_add(jiff::SignedDuration::from_secs(1))
            .unwrap_or(self.state.now);
        faults::node_controller(self);
        nodes::reconcile(self);
        if self.random_failures {
            faults::random_worker_failure(self);
        }
        faults::kubelet(self);
        runtime_controller::reconcile(self);
        workloads::reconcile(self);
        operation_controller::reconcile(self);
        logs::periodic(self);
        if self.state.now.as_second() % 60 == 0 {
            self.events.expire(&mut self.state);
        }
    }

    /// The simulated clock.
    pub fn now(&self) -> Timestamp {
        self.state.now
    }

    /// Every object, in key order.
    pub fn objects(&self) -> Vec<Object> {
        let mut out: Vec<Object> = self.state.all().cloned().collect();
        if let Some(s) = &self.scaled {
            out.extend(Kind::ALL.into_iter().flat_map(|k| s.of_kind(k)));
            out.sort_by_cached_key(|o| o.key());
        }
        out
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Object> {
        self.state.get(key)
    }

    /// The last lines (up to 200) a pod logged.
    pub fn logs(&self, pod: &ObjectKey) -> Vec<String> {
        self.logs.lines(pod)
    }

    /// Answers a log the console asks for with the next batch (see [`logs::follow`]).
    pub fn follow_logs(&mut self, request: crate::cluster::source::LogRequest) {
        logs::follow(self, request);
    }

    /// What the API server would answer for this log request, right away.
    pub fn log_answer(
        &self,
        request: &crate::cluster::source::LogRequest,
    ) -> Result<Vec<String>, String> {
        logs::answer(self, request)
    }

    /// Turns the random worker failures on or off (on by default).
    pub fn set_random_failures(&mut self, enabled: bool) {
        self.random_failures = enabled;
    }

    /// Decides how the next job of an operation ends (otherwise: success, unless a DataLoad
    /// target path is outside the dataset's mounts).
    pub fn set_job_outcome(&mut self, operation: ObjectKey, outcome: JobOutcome) {
        self.job_outcomes.insert(operation, outcome);
    }

    /// Deletes a pod at once (a force delete, grace period 0). Its workload recreates it with the
    /// same ordinal name and a new UID; a job creates a new pod.
    pub fn kill_pod(&mut self, key: &ObjectKey) -> Result<(), DemoError> {
        faults::kill_pod(self, key)
    }

    /// The next in-place update of a pod of this AdvancedStatefulSet fails as a bad image does
    /// (the registry refuses the pull: ErrImagePull, then ImagePullBackOff, pod not Ready) and keeps failing until the pod's image changes again (a
    /// rollback) or the pod is deleted. For demos and tests of a failing upgrade step.
    pub fn fail_next_in_place_update(&mut self, workload: &ObjectKey) -> Result<(), DemoError> {
        match self.state.get(workload) {
            Some(Object::Workload(_)) => {
                self.fail_next_update.insert(workload.clone());
                Ok(())
            }
            _ => Err(DemoError::NotFound(workload.clone())),
        }
    }

    /// A node stops reporting: its pods turn not Ready, and after the eviction timeout get a
    /// deletion timestamp that never completes (Terminating) until the node recovers.
    pub fn fail_node(&mut self, name: &str) {
        faults::fail_node(self, name)
    }

    /// A lost node comes back: its Terminating pods are removed (and recreated), the others
    /// become Ready again.
    pub fn recover_node(&mut self, name: &str) {
        faults::recover_node(self, name)
    }

    /// Nodes currently lost.
    pub fn lost_nodes(&self) -> Vec<String> {
        self.lost_nodes.keys().cloned().collect()
    }

    /// Creates an object, as `kubectl create` would (status is kept if given).
    pub fn create(&mut self, obj: Object) -> Result<(), DemoError> {
        let key = obj.key();
        if key.name.is_empty() {
            return Err(DemoError::Invalid("metadata.name is required".into()));
        }
        if self.state.contains(&key) {
            return Err(DemoError::AlreadyExists(key));
        }
        let obj = seed::admit(self, obj);
        self.state.put(obj);
        Ok(())
    }

    /// Replaces the spec/metadata of an existing object, keeping its status (like an update of
    /// the main resource); `generation` is bumped when the spec changed. Creates it if absent.
    pub fn apply(&mut self, obj: Object) -> Result<(), DemoError> {
        let key = obj.key();
        let Some(current) = self.state.get(&key).cloned() else {
            return self.create(obj);
        };
        let merged = seed::merge_spec(current, obj);
        self.state.update(&key, |o| *o = merged);
        Ok(())
    }

    /// Replaces the status of an existing object (the `status` subresource): spec and metadata
    /// are kept, the generation does not move.
    pub fn apply_status(&mut self, obj: Object) -> Result<(), DemoError> {
        let key = obj.key();
        if !self.state.contains(&key) {
            return Err(DemoError::NotFound(key));
        }
        let status = obj.to_value().get("status").cloned();
        let mut failed = None;
        self.state.update(&key, |o| {
            let mut v = o.to_value();
            match (&status, v.as_object_mut()) {
                (Some(s), Some(m)) => {
                    m.insert("status".into(), s.clone());
                }
                (None, Some(m)) => {
                    m.remove("status");
                }
                _ => {}
            }
            match Object::from_value(v) {
                Ok(Some(next)) => *o = next,
                Ok(None) => failed = Some("not a kind the demo knows".to_string()),
                Err(e) => failed = Some(e.to_string()),
            }
        });
        match failed {
            Some(m) => Err(DemoError::Invalid(m)),
            None => Ok(()),
        }
    }

    /// Deletes an object (and what it owns: a runtime's pods and workloads, an operation's jobs).
    /// A cache pod is deleted gracefully: Terminating, gone after a moment on a reachable node,
    /// Terminating for as long as its node is lost (see [`DemoCluster::force_delete`]).
    pub fn delete(&mut self, key: &ObjectKey) -> Result<(), DemoError> {
        if !self.state.contains(key) {
            return Err(DemoError::NotFound(key.clone()));
        }
        match key.kind {
            Kind::Pod => return faults::delete_pod(self, key),
            Kind::CacheRuntime => runtime_controller::delete_runtime(self, key),
            Kind::Operation(_) => operation_controller::delete_operation(self, key),
            _ => {
                self.state.remove(key);
            }
        }
        Ok(())
    }

    /// Nodes that run at least one pod.
    pub fn node_names(&self) -> std::collections::BTreeSet<String> {
        self.state
            .pods()
            .filter_map(|p| crate::model::pod::node_of(p).map(str::to_string))
            .collect()
    }

    /// The namespace of the runtime named `name` (the first, if several namespaces have one).
    pub fn runtime_namespace(&self, name: &str) -> Option<String> {
        self.state
            .of_kind(Kind::CacheRuntime)
            .map(|o| o.key())
            .find(|k| k.name == name)
            .map(|k| k.namespace)
    }

    /// Deletes with no grace period: a pod goes at once, even on a node that does not answer.
    pub fn force_delete(&mut self, key: &ObjectKey) -> Result<(), DemoError> {
        match key.kind {
            Kind::Pod => self.kill_pod(key),
            _ => self.delete(key),
        }
    }

    /// Takes over the API server's `metadata.generation` of an object (it counts the spec changes
    /// it stored, which `demo --against-cluster` does not control); a workload's
    /// `observedGeneration` follows it on the next reconcile.
    pub fn adopt_generation(&mut self, key: &ObjectKey, generation: i64) {
        self.state
            .update(key, |o| o.meta_mut().generation = Some(generation));
    }

    /// Fires a Cron operation now, as if its schedule had come.
    pub fn trigger_cron(&mut self, key: &ObjectKey) -> Result<(), DemoError> {
        operation_controller::trigger_cron(self, key)
    }

    /// An application pod on some node starts using the dataset `key` (on upstream Fluid, its
    /// CSI plugin labels that node and the client DaemonSet starts a pod there). Until a dataset
    /// is used its runtime's client wants no pod. Returns the node.
    pub fn use_dataset(&mut self, key: &ObjectKey) -> Result<String, DemoError> {
        usage::use_dataset(self, key)
    }
}
