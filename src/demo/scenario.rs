//! Named, timed scenarios for live demos: each is a list of steps (simulated time offset, an
//! optional cue the cluster must show first, an action, a caption shown to the audience). They
//! target the built-in demo's objects.
//!
//! Most actions change the cluster through the `DemoCluster` hooks. [`ScenarioAction::Operator`]
//! steps are the presenter's part instead: the demo source hands their [`OperatorAction`] to the
//! console, whose wizard acts on it as if the presenter had pressed the keys (the cluster is not
//! touched by the step itself). Steps after them wait on [`Cue`]s, so the captions follow what
//! the console's run actually does rather than a guess of how long it takes.

use std::time::Duration;

use super::{DemoCluster, DemoError};
use crate::model::operation::{OperationSpec, TargetPath};
use crate::model::pod::{is_ready, node_of};
use crate::model::{
    Component, DataOperation, DatasetPhase, Kind, Object, ObjectKey, OpKind, OpPhase, Policy,
    RuntimePhase,
};

/// Every caption a scenario shows, in one place.
pub mod captions {
    pub const LOAD_INTRO: &str = "A DataLoad warms the imagenet-train cache.";
    pub const LOAD_CREATED: &str =
        "Created: None → Pending, waiting for the runtime check and the dataset lock.";
    pub const LOAD_EXECUTING: &str =
        "Executing: a loader pod streams the target path into the workers (its timeline).";
    pub const LOAD_DONE: &str =
        "Complete: the Job's condition is copied and the duration is job start → finish.";
    pub const LOST_INTRO: &str =
        "imagenet-train: three workers Ready. A cache node is about to stop responding.";
    pub const LOST_NODE_DOWN: &str =
        "worker-1's node stops answering; Kubernetes notices after its grace period.";
    pub const LOST_NODE: &str =
        "Node lost: worker-1 turns not Ready, the worker phase drops to PartialReady.";
    pub const LOST_BOUND: &str =
        "The Dataset stays Bound: upstream never moves it back when workers die.";
    pub const LOST_KILL: &str = "The operator force-deletes the lost pod; the workload recreates it elsewhere with a new UID.";
    pub const LOST_REPLACED: &str =
        "The new worker-1 runs on another node: a new pod, just started, Running and Ready.";
    pub const LOST_RECOVERED: &str =
        "The new worker-1 is Ready: all workers Ready again, the runtime is back to Ready.";
    pub const CRON_INTRO: &str = "imagenet-refresh is a Cron DataLoad (every 5 minutes).";
    pub const CRON_FIRED: &str =
        "The schedule fires: a new job; the phase goes back to Pending with duration \"-\".";
    pub const CRON_EXECUTING: &str = "Executing again; lastScheduleTime moved to this run.";
    pub const CRON_DONE: &str =
        "Complete: lastSuccessfulTime updated; the next run waits for the schedule.";
    pub const UPGRADE_INTRO: &str =
        "imagenet-train runs Curvine v0.2.5; the operator upgrades it in place to v0.2.6.";
    pub const UPGRADE_PLAN: &str = "The upgrade plan: preflight, lock the runtime, patch master's runtimeVersion and wait, then the workers. Nothing is written before confirmation.";
    pub const UPGRADE_CONFIRMED: &str = "Confirmed: the runtime is locked (fluidops.io/maintenance) and master's runtimeVersion patched; Fluid syncs the image into the master AdvancedStatefulSet.";
    pub const UPGRADE_MASTER: &str = "master-0 restarted in place on v0.2.6: same UID, restartCount +1, its revision label the new one.";
    pub const UPGRADE_REMOUNT: &str = "Fluid saw the master start after status.mountTime: Dataset Updating → mountUFS → Bound, mountTime moved.";
    pub const UPGRADE_WORKERS: &str = "Workers next, one at a time from the highest ordinal: worker-2 is on v0.2.6 with the same UID, its hostPath cache kept.";
    pub const UPGRADE_DONE: &str = "Succeeded: every pod on v0.2.6 in place, lock removed; the record keeps what closed each step.";
    pub const REBUILD_INTRO: &str =
        "imagenet-train has three workers caching on local NVMe (hostPath).";
    pub const REBUILD_NODE_LOST: &str = "worker-1's node stops responding: the pod turns not Ready, the worker phase drops to PartialReady.";
    pub const REBUILD_STUCK: &str = "The AdvancedStatefulSet will not replace worker-1 while its pod object exists, and nobody on that node confirms a delete.";
    pub const REBUILD_PLAN: &str = "The operator plans a rebuild: force-delete the lost pod, wait for its replacement, re-warm the cache with a DataLoad.";
    pub const REBUILD_CONFIRMED: &str =
        "Confirmed: worker-1 is force-deleted (grace period 0): its node cannot confirm.";
    pub const REBUILD_NEW_POD: &str = "A new worker-1 on another node: a new UID, and the cache tier there is empty (see its log).";
    pub const REBUILD_REWARM_RUNNING: &str = "The re-warm DataLoad runs: a loader pod streams /imagenet/train into the workers, the new one included.";
    pub const REBUILD_REWARM: &str =
        "The re-warm DataLoad is Complete: the dataset's hot paths are cached again.";
    pub const REBUILD_DONE: &str =
        "Succeeded: the worker phase is Ready again, the cache warm, the lock removed.";
}

pub use crate::cluster::source::OperatorAction;

/// What the cluster must show before a step plays (besides its time).
#[derive(Debug, Clone, PartialEq)]
pub enum Cue {
    /// The pod exists, is Ready, not Terminating, and its container runs `image`.
    PodOnImage { pod: ObjectKey, image: String },
    /// The pod exists, is Ready, not Terminating, and its node is not lost (after a rebuild of a
    /// pod of a lost node: its replacement runs).
    PodReadyOnLiveNode(ObjectKey),
    /// The runtime's `status.mountTime` is at or after its master container's start, and the
    /// Dataset is Bound.
    Remounted(ObjectKey),
    /// The runtime's component is in this phase.
    ComponentPhase {
        runtime: ObjectKey,
        component: Component,
        phase: RuntimePhase,
    },
    /// A DataLoad of the namespace labelled `fluidops.io/maintenance` (a rebuild's re-warm) is in
    /// this phase.
    RewarmPhase { namespace: String, phase: OpPhase },
    /// A CacheRuntimeMaintenance of this runtime (`spec.runtimeName`) has this `status.phase`.
    MaintenancePhase { runtime: ObjectKey, phase: String },
    /// The data operation is in this phase.
    OperationPhase { op: ObjectKey, phase: OpPhase },
}

impl Cue {
    /// Whether the cluster shows it now.
    pub fn holds(&self, cluster: &DemoCluster) -> bool {
        let pod = |k: &ObjectKey| match cluster.get(k) {
            Some(Object::Pod(p)) if is_ready(p) && p.metadata.deletion_timestamp.is_none() => {
                Some(p.clone())
            }
            _ => None,
        };
        match self {
            Cue::PodOnImage { pod: k, image } => pod(k).is_some_and(|p| {
                p.status
                    .as_ref()
                    .and_then(|s| s.container_statuses.as_ref())
                    .and_then(|c| c.first())
                    .is_some_and(|c| &c.image == image)
            }),
            Cue::PodReadyOnLiveNode(k) => pod(k)
                .is_some_and(|p| node_of(&p).is_some_and(|n| !cluster.lost_nodes.contains_key(n))),
            Cue::Remounted(rt) => {
                let master = ObjectKey::new(
                    Kind::Pod,
                    rt.namespace.clone(),
                    format!("{}-master-0", rt.name),
                );
                let started = match cluster.get(&master) {
                    Some(Object::Pod(p)) => super::pods::started_at(p),
                    _ => None,
                };
                let mount = match cluster.get(rt) {
                    Some(Object::Runtime(r)) => r
                        .status
                        .as_ref()
                        .and_then(|s| s.mount_time.as_deref())
                        .and_then(crate::model::meta::parse_time),
                    _ => None,
                };
                let bound = cluster
                    .state
                    .dataset(&rt.namespace, &rt.name)
                    .is_some_and(|d| d.phase() == DatasetPhase::Bound);
                matches!((started, mount), (Some(s), Some(m)) if m >= s) && bound
            }
            Cue::ComponentPhase {
                runtime,
                component,
                phase,
            } => {
                matches!(cluster.get(runtime), Some(Object::Runtime(r)) if r.component_phase(*component) == *phase)
            }
            Cue::RewarmPhase { namespace, phase } => cluster
                .state
                .of_kind(Kind::Operation(OpKind::DataLoad))
                .any(|o| match o {
                    Object::Operation(op) => {
                        op.metadata.namespace.as_deref() == Some(namespace.as_str())
                            && op
                                .metadata
                                .labels
                                .as_ref()
                                .is_some_and(|l| l.contains_key(MAINTENANCE_LABEL))
                            && op.phase() == *phase
                    }
                    _ => false,
                }),
            Cue::OperationPhase { op, phase } => {
                matches!(cluster.get(op), Some(Object::Operation(o)) if o.phase() == *phase)
            }
            Cue::MaintenancePhase { runtime, phase } => cluster
                .state
                .of_kind(Kind::CacheRuntimeMaintenance)
                .any(|o| match o {
                    Object::Maintenance(m) => {
                        m.metadata.namespace.as_deref() == Some(runtime.namespace.as_str())
                            && m.spec.runtime_name == runtime.name
                            && m.status.as_ref().is_some_and(|s| s.phase.as_str() == phase)
                    }
                    _ => false,
                }),
        }
    }
}

/// The label a maintenance run puts on what it creates (FLUID.md §4.4).
pub const MAINTENANCE_LABEL: &str = "fluidops.io/maintenance";

/// What a step does to the cluster.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioAction {
    /// Only show the caption.
    Caption,
    /// Create a Once DataLoad of `paths` on `dataset` (same namespace).
    CreateDataLoad {
        namespace: String,
        name: String,
        dataset: String,
        paths: Vec<String>,
    },
    /// Force-delete a pod.
    KillPod(ObjectKey),
    /// Lose the node a pod runs on.
    FailNodeOf(ObjectKey),
    /// Fire a Cron operation now.
    TriggerCron(ObjectKey),
    /// The next in-place update of a pod of this AdvancedStatefulSet fails to pull its image.
    FailNextInPlaceUpdate(ObjectKey),
    /// The presenter's part, done in the console (nothing changes in the cluster here).
    Operator(OperatorAction),
    /// An application pod starts using this Dataset on a node: the runtime's client gets a pod
    /// there (upstream runs no client pod before).
    UseDataset(ObjectKey),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioStep {
    /// Simulated time since the scenario started (the earliest the step plays).
    pub at: Duration,
    /// What the cluster must show first; the steps after it wait too.
    pub cue: Option<Cue>,
    pub action: ScenarioAction,
    pub caption: &'static str,
    /// The screen the console turns to for this caption ([`OperatorAction::Open`] or
    /// [`OperatorAction::OpenTimeline`]), once the cluster shows what the step did.
    pub screen: Option<OperatorAction>,
}

impl ScenarioStep {
    /// Applies the step's action through the cluster's hooks.
    pub fn apply(&self, cluster: &mut DemoCluster) -> Result<(), DemoError> {
        match &self.action {
            ScenarioAction::Caption => Ok(()),
            ScenarioAction::CreateDataLoad {
                namespace,
                name,
                dataset,
                paths,
            } => cluster.create(Object::from(data_load(namespace, name, dataset, paths))),
            ScenarioAction::KillPod(key) => cluster.kill_pod(key),
            ScenarioAction::FailNodeOf(key) => {
                let node = match cluster.get(key) {
                    Some(Object::Pod(p)) => crate::model::pod::node_of(p).map(str::to_string),
                    _ => None,
                };
                let node = node.ok_or_else(|| DemoError::NotFound(key.clone()))?;
                cluster.fail_node(&node);
                Ok(())
            }
            // If the schedule fired a moment ago, the run the audience should see is already on.
            ScenarioAction::TriggerCron(key) => match cluster.trigger_cron(key) {
                Err(DemoError::Invalid(_)) => Ok(()),
                other => other,
            },
            ScenarioAction::FailNextInPlaceUpdate(key) => cluster.fail_next_in_place_update(key),
            ScenarioAction::Operator(_) => Ok(()),
            ScenarioAction::UseDataset(key) => cluster.use_dataset(key).map(|_| ()),
        }
    }

    /// The presenter's action of an operator step.
    pub fn operator(&self) -> Option<&OperatorAction> {
        match &self.action {
            ScenarioAction::Operator(a) => Some(a),
            _ => None,
        }
    }
}

fn data_load(namespace: &str, name: &str, dataset: &str, paths: &[String]) -> DataOperation {
    let mut op = DataOperation {
        kind: OpKind::DataLoad.as_str().into(),
        ..Default::default()
    };
    op.metadata.name = Some(name.into());
    op.metadata.namespace = Some(namespace.into());
    op.spec = OperationSpec {
        dataset: Some(serde_json::json!({"name": dataset, "namespace": namespace}).into()),
        policy: Some(Policy::Once),
        target: Some(
            paths
                .iter()
                .map(|p| TargetPath {
                    path: p.clone(),
                    replicas: Some(1),
                    ..Default::default()
                })
                .collect(),
        ),
        ..Default::default()
    };
    op
}

/// A named scenario: its steps, in the order they play.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: &'static str,
    pub summary: &'static str,
    pub steps: Vec<ScenarioStep>,
}

/// Wall-clock seconds a caption stays on screen at least before the next step replaces it,
/// whatever the demo's speed.
pub const CAPTION_SECONDS: u64 = 5;

const NAMES: [&str; 5] = ["load", "worker-lost", "cron", "upgrade", "rebuild"];

fn step(secs: u64, action: ScenarioAction, caption: &'static str) -> ScenarioStep {
    ScenarioStep {
        at: Duration::from_secs(secs),
        cue: None,
        action,
        caption,
        screen: None,
    }
}

/// A caption shown once the cluster shows `cue` (and not before `secs`).
fn when(secs: u64, cue: Cue, caption: &'static str) -> ScenarioStep {
    ScenarioStep {
        cue: Some(cue),
        ..step(secs, ScenarioAction::Caption, caption)
    }
}

impl ScenarioStep {
    /// The same step, turning the console to the page of `key`.
    fn open(self, key: &ObjectKey) -> ScenarioStep {
        ScenarioStep {
            screen: Some(OperatorAction::Open(key.clone())),
            ..self
        }
    }

    /// The same step, turning the console to the phase timeline of `key`.
    fn timeline(self, key: &ObjectKey) -> ScenarioStep {
        ScenarioStep {
            screen: Some(OperatorAction::OpenTimeline(key.clone())),
            ..self
        }
    }
}

fn operator(secs: u64, action: OperatorAction, caption: &'static str) -> ScenarioStep {
    step(secs, ScenarioAction::Operator(action), caption)
}

fn pod(ns: &str, name: &str) -> ObjectKey {
    ObjectKey::new(Kind::Pod, ns, name)
}

impl Scenario {
    /// How long it takes at `--speed 1` when every cue comes as soon as it may (cued steps can
    /// wait longer): each step at its time but not before the caption before it was read, and
    /// the last caption's reading time.
    pub fn running_time(&self) -> Duration {
        let reading = Duration::from_secs(CAPTION_SECONDS);
        let last = self.steps.iter().fold(None, |shown: Option<Duration>, s| {
            Some(shown.map_or(s.at, |t| s.at.max(t + reading)))
        });
        last.unwrap_or_default() + reading
    }

    /// How many steps wait on something the cluster must show first.
    pub fn cued_steps(&self) -> usize {
        self.steps.iter().filter(|s| s.cue.is_some()).count()
    }

    pub fn names() -> &'static [&'static str] {
        &NAMES
    }

    pub fn by_name(name: &str) -> Option<Scenario> {
        use ScenarioAction::*;
        use captions::*;
        let (summary, steps) = match name {
            "load" => {
                let op = ObjectKey::new(
                    Kind::Operation(OpKind::DataLoad),
                    "imagenet",
                    "imagenet-warm-demo",
                );
                let phase = |phase| Cue::OperationPhase {
                    op: op.clone(),
                    phase,
                };
                (
                    "a DataLoad runs to completion: its page, then its phase timeline",
                    vec![
                        step(0, Caption, LOAD_INTRO),
                        step(
                            3,
                            CreateDataLoad {
                                namespace: op.namespace.clone(),
                                name: op.name.clone(),
                                dataset: "imagenet-train".into(),
                                paths: vec!["/imagenet/train".into()],
                            },
                            LOAD_CREATED,
                        )
                        .open(&op),
                        when(8, phase(OpPhase::Executing), LOAD_EXECUTING).timeline(&op),
                        when(12, phase(OpPhase::Complete), LOAD_DONE).timeline(&op),
                    ],
                )
            }
            "worker-lost" => {
                let rt = ObjectKey::new(Kind::CacheRuntime, "imagenet", "imagenet-train");
                let worker1 = pod("imagenet", "imagenet-train-worker-1");
                let workers = |phase| Cue::ComponentPhase {
                    runtime: rt.clone(),
                    component: Component::Worker,
                    phase,
                };
                (
                    "a worker's node is lost and the runtime recovers: the pod's page and the runtime's",
                    vec![
                        step(0, Caption, LOST_INTRO).open(&rt),
                        step(3, FailNodeOf(worker1.clone()), LOST_NODE_DOWN),
                        when(6, workers(RuntimePhase::PartialReady), LOST_NODE).open(&worker1),
                        when(15, workers(RuntimePhase::PartialReady), LOST_BOUND).open(&rt),
                        step(30, KillPod(worker1.clone()), LOST_KILL),
                        when(33, Cue::PodReadyOnLiveNode(worker1.clone()), LOST_REPLACED)
                            .open(&worker1),
                        when(36, workers(RuntimePhase::Ready), LOST_RECOVERED).open(&rt),
                    ],
                )
            }
            "cron" => {
                let key = ObjectKey::new(
                    Kind::Operation(OpKind::DataLoad),
                    "imagenet",
                    "imagenet-refresh",
                );
                let phase = |phase| Cue::OperationPhase {
                    op: key.clone(),
                    phase,
                };
                (
                    "a Cron DataLoad fires, on its page",
                    vec![
                        step(0, Caption, CRON_INTRO).open(&key),
                        step(3, TriggerCron(key.clone()), CRON_FIRED),
                        when(8, phase(OpPhase::Executing), CRON_EXECUTING),
                        when(12, phase(OpPhase::Complete), CRON_DONE),
                    ],
                )
            }
            "upgrade" => {
                let rt = ObjectKey::new(Kind::CacheRuntime, "imagenet", "imagenet-train");
                let v6 = "curvine/curvine:v0.2.6".to_string();
                (
                    "an in-place upgrade of imagenet-train, master then workers",
                    vec![
                        step(0, Caption, UPGRADE_INTRO),
                        operator(
                            4,
                            OperatorAction::StartUpgrade {
                                runtime: rt.clone(),
                                image: "curvine/curvine".into(),
                                image_tag: "v0.2.6".into(),
                            },
                            UPGRADE_PLAN,
                        ),
                        operator(14, OperatorAction::Confirm, UPGRADE_CONFIRMED),
                        when(
                            18,
                            Cue::PodOnImage {
                                pod: pod("imagenet", "imagenet-train-master-0"),
                                image: v6.clone(),
                            },
                            UPGRADE_MASTER,
                        ),
                        when(22, Cue::Remounted(rt.clone()), UPGRADE_REMOUNT),
                        when(
                            26,
                            Cue::PodOnImage {
                                pod: pod("imagenet", "imagenet-train-worker-2"),
                                image: v6,
                            },
                            UPGRADE_WORKERS,
                        ),
                        when(
                            30,
                            Cue::MaintenancePhase {
                                runtime: rt,
                                phase: "Succeeded".into(),
                            },
                            UPGRADE_DONE,
                        ),
                    ],
                )
            }
            "rebuild" => {
                let rt = ObjectKey::new(Kind::CacheRuntime, "imagenet", "imagenet-train");
                let worker1 = pod("imagenet", "imagenet-train-worker-1");
                (
                    "a worker's node is lost; the operator rebuilds it and re-warms the cache",
                    vec![
                        step(0, Caption, REBUILD_INTRO),
                        step(3, FailNodeOf(worker1.clone()), REBUILD_NODE_LOST),
                        when(
                            12,
                            Cue::ComponentPhase {
                                runtime: rt.clone(),
                                component: Component::Worker,
                                phase: RuntimePhase::PartialReady,
                            },
                            REBUILD_STUCK,
                        ),
                        operator(
                            20,
                            OperatorAction::StartRebuild {
                                runtime: rt.clone(),
                                pods: vec![worker1.name.clone()],
                                force: true,
                                reload_data: true,
                            },
                            REBUILD_PLAN,
                        ),
                        operator(30, OperatorAction::Confirm, REBUILD_CONFIRMED),
                        when(34, Cue::PodReadyOnLiveNode(worker1), REBUILD_NEW_POD),
                        when(
                            38,
                            Cue::RewarmPhase {
                                namespace: "imagenet".into(),
                                phase: OpPhase::Executing,
                            },
                            REBUILD_REWARM_RUNNING,
                        ),
                        when(
                            42,
                            Cue::RewarmPhase {
                                namespace: "imagenet".into(),
                                phase: OpPhase::Complete,
                            },
                            REBUILD_REWARM,
                        ),
                        when(
                            46,
                            Cue::MaintenancePhase {
                                runtime: rt.clone(),
                                phase: "Succeeded".into(),
                            },
                            REBUILD_DONE,
                        ),
                    ],
                )
            }
            _ => return None,
        };
        let name = NAMES.into_iter().find(|n| *n == name)?;
        Some(Scenario {
            name,
            summary,
            steps,
        })
    }

    /// Offset of the last step.
    pub fn length(&self) -> Duration {
        self.steps.last().map(|s| s.at).unwrap_or_default()
    }
}

/// A scenario being played, on two clocks: the wall clock the audience reads captions on, and
/// the simulated clock the steps' times and the cluster run on (the demo's speed times the
/// wall clock, except while a caption is being read).
///
/// Each step plays at its time, once its cue holds, and not before the caption before it has
/// been on screen [`CAPTION_SECONDS`] of wall time. While a caption is that young the cluster
/// runs no faster than real time, so that what the caption tells is still on screen when the
/// audience has read it, at `--speed 64` as at `--speed 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Player {
    scenario: Scenario,
    speed: f64,
    played: usize,
    /// Wall time since the start.
    wall: Duration,
    /// Simulated time since the start.
    simulated: Duration,
    /// When (wall time) the caption on screen appeared.
    shown: Option<Duration>,
}

impl Player {
    pub fn new(scenario: Scenario, speed: f64) -> Player {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        Player {
            scenario,
            speed,
            played: 0,
            wall: Duration::ZERO,
            simulated: Duration::ZERO,
            shown: None,
        }
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Wall time since the start.
    pub fn wall(&self) -> Duration {
        self.wall
    }

    /// Simulated time since the start.
    pub fn simulated(&self) -> Duration {
        self.simulated
    }

    /// Whether the caption on screen is younger than its reading time.
    pub fn reading(&self) -> bool {
        self.shown
            .is_some_and(|t| self.wall < t + Duration::from_secs(CAPTION_SECONDS))
    }

    /// The step to play now, if one is due (each plays once, in order): its time has come, its
    /// cue holds, and the caption before it has been read.
    pub fn due(&mut self, cluster: &DemoCluster) -> Option<ScenarioStep> {
        let s = self.scenario.steps.get(self.played)?;
        let cue_holds = s.cue.as_ref().is_none_or(|c| c.holds(cluster));
        if s.at > self.simulated || self.reading() || !cue_holds {
            return None;
        }
        self.played += 1;
        self.shown = Some(self.wall);
        Some(s.clone())
    }

    /// Moves both clocks on by `wall` of wall time; returns the simulated time the cluster
    /// advances by: `wall` at the demo's speed, at most real time while a caption is read.
    pub fn advance(&mut self, wall: Duration) -> Duration {
        let speed = if self.reading() {
            self.speed.min(1.0)
        } else {
            self.speed
        };
        let simulated = wall.mul_f64(speed);
        self.wall += wall;
        self.simulated += simulated;
        simulated
    }

    /// The cue the next step waits for, if it waits for one.
    pub fn waiting_for(&self) -> Option<&Cue> {
        self.scenario.steps.get(self.played)?.cue.as_ref()
    }

    /// Whether every step has been played.
    pub fn finished(&self) -> bool {
        self.played >= self.scenario.steps.len()
    }
}
