//! Named, timed scenarios for live demos: each is a list of steps (simulated time offset,
//! action applied through the `DemoCluster` hooks, caption shown to the audience). They target
//! the built-in demo's objects.

use std::time::Duration;

use super::{DemoCluster, DemoError};
use crate::model::operation::{OperationSpec, TargetPath};
use crate::model::{DataOperation, Kind, Object, ObjectKey, OpKind, Policy};

/// Every caption a scenario shows, in one place.
pub mod captions {
    pub const LOAD_INTRO: &str = "A DataLoad warms the imagenet-train cache.";
    pub const LOAD_CREATED: &str =
        "Created: None → Pending, waiting for the runtime check and the dataset lock.";
    pub const LOAD_EXECUTING: &str =
        "Executing: a loader pod streams the target path into the workers.";
    pub const LOAD_DONE: &str =
        "Complete: the Job's condition is copied and the duration is job start → finish.";
    pub const LOST_INTRO: &str = "A cache node of imagenet-train stops responding.";
    pub const LOST_NODE: &str =
        "Node lost: worker-1 turns not Ready, the worker phase drops to PartialReady.";
    pub const LOST_BOUND: &str =
        "The Dataset stays Bound: upstream never moves it back when workers die.";
    pub const LOST_KILL: &str = "The operator force-deletes the lost pod; the workload recreates it elsewhere with a new UID.";
    pub const LOST_RECOVERED: &str = "All workers Ready again: the runtime is back to Ready.";
    pub const CRON_INTRO: &str = "imagenet-refresh is a Cron DataLoad (every 5 minutes).";
    pub const CRON_FIRED: &str =
        "The schedule fires: a new job; the phase goes back to Pending with duration \"-\".";
    pub const CRON_EXECUTING: &str = "Executing again; lastScheduleTime moved to this run.";
    pub const CRON_DONE: &str =
        "Complete: lastSuccessfulTime updated; the next run waits for the schedule.";
}

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
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioStep {
    /// Simulated time since the scenario started.
    pub at: Duration,
    pub action: ScenarioAction,
    pub caption: &'static str,
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
            } => cluster.create(Object::Operation(data_load(
                namespace, name, dataset, paths,
            ))),
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
        dataset: Some(serde_json::json!({"name": dataset, "namespace": namespace})),
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

/// A named scenario and how far it has been played.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: &'static str,
    pub summary: &'static str,
    pub steps: Vec<ScenarioStep>,
    played: usize,
}

const NAMES: [&str; 3] = ["load", "worker-lost", "cron"];

fn step(secs: u64, action: ScenarioAction, caption: &'static str) -> ScenarioStep {
    ScenarioStep {
        at: Duration::from_secs(secs),
        action,
        caption,
    }
}

fn pod(ns: &str, name: &str) -> ObjectKey {
    ObjectKey::new(Kind::Pod, ns, name)
}

impl Scenario {
    pub fn names() -> &'static [&'static str] {
        &NAMES
    }

    pub fn by_name(name: &str) -> Option<Scenario> {
        use ScenarioAction::*;
        use captions::*;
        let (summary, steps) = match name {
            "load" => (
                "a DataLoad runs to completion",
                vec![
                    step(0, Caption, LOAD_INTRO),
                    step(
                        3,
                        CreateDataLoad {
                            namespace: "imagenet".into(),
                            name: "imagenet-warm-demo".into(),
                            dataset: "imagenet-train".into(),
                            paths: vec!["/imagenet/train".into()],
                        },
                        LOAD_CREATED,
                    ),
                    step(8, Caption, LOAD_EXECUTING),
                    step(110, Caption, LOAD_DONE),
                ],
            ),
            "worker-lost" => (
                "a worker's node is lost and the runtime recovers",
                vec![
                    step(0, Caption, LOST_INTRO),
                    step(
                        3,
                        FailNodeOf(pod("imagenet", "imagenet-train-worker-1")),
                        LOST_NODE,
                    ),
                    step(15, Caption, LOST_BOUND),
                    step(
                        30,
                        KillPod(pod("imagenet", "imagenet-train-worker-1")),
                        LOST_KILL,
                    ),
                    step(45, Caption, LOST_RECOVERED),
                ],
            ),
            "cron" => {
                let key = ObjectKey::new(
                    Kind::Operation(OpKind::DataLoad),
                    "imagenet",
                    "imagenet-refresh",
                );
                (
                    "a Cron DataLoad fires",
                    vec![
                        step(0, Caption, CRON_INTRO),
                        step(3, TriggerCron(key), CRON_FIRED),
                        step(8, Caption, CRON_EXECUTING),
                        step(110, Caption, CRON_DONE),
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
            played: 0,
        })
    }

    /// Steps that became due since the last call (at most once each), given the simulated time
    /// elapsed since the scenario started.
    pub fn due(&mut self, elapsed: Duration) -> Vec<ScenarioStep> {
        let start = self.played;
        while self.played < self.steps.len() && self.steps[self.played].at <= elapsed {
            self.played += 1;
        }
        self.steps[start..self.played].to_vec()
    }

    /// Whether every step has been played.
    pub fn finished(&self) -> bool {
        self.played >= self.steps.len()
    }

    /// Offset of the last step.
    pub fn length(&self) -> Duration {
        self.steps.last().map(|s| s.at).unwrap_or_default()
    }
}
