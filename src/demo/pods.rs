//! Pods as the simulated kubelet and workload controllers write them: construction with Fluid's
//! labels and owners, and the status transitions of a pod's life (ContainerCreating → Running →
//! Ready, crash loops, node loss, in-place restarts, job completion).

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, EnvVar, Pod, PodCondition, PodSpec, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

/// Everything needed to build a pod.
#[derive(Debug, Clone)]
pub struct PodPlan {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub labels: BTreeMap<String, String>,
    pub owner: OwnerReference,
    pub node: String,
    pub container: String,
    pub image: String,
    pub command: Option<Vec<String>>,
    pub env: Vec<(String, String)>,
    pub restart_policy: Option<String>,
    pub hostname: Option<(String, String)>,
    /// The workload's pod template spec the pod is made from (its first container runs `image`);
    /// `None` builds a one-container pod from the fields above.
    pub template: Option<PodSpec>,
    /// `metadata.generateName` of a pod made by a controller.
    pub generate_name: Option<String>,
}

/// A freshly scheduled pod: `Pending`, container `ContainerCreating`.
pub fn new_pod(plan: PodPlan, now: Timestamp) -> Pod {
    let env: Vec<EnvVar> = plan
        .env
        .into_iter()
        .map(|(name, value)| EnvVar {
            name,
            value: Some(value),
            ..Default::default()
        })
        .collect();
    let (hostname, subdomain) = match plan.hostname {
        Some((h, s)) => (Some(h), Some(s)),
        None => (None, None),
    };
    let spec = match plan.template {
        Some(mut spec) => {
            if let Some(c) = spec.containers.first_mut() {
                c.image = Some(plan.image.clone());
            }
            spec.node_name = Some(plan.node);
            spec.hostname = hostname;
            spec.subdomain = subdomain;
            if plan.restart_policy.is_some() {
                spec.restart_policy = plan.restart_policy;
            }
            spec
        }
        None => PodSpec {
            node_name: Some(plan.node),
            hostname,
            subdomain,
            restart_policy: plan.restart_policy,
            containers: vec![Container {
                name: plan.container.clone(),
                image: Some(plan.image.clone()),
                command: plan.command,
                env: (!env.is_empty()).then_some(env),
                ..Default::default()
            }],
            ..Default::default()
        },
    };
    let init_statuses: Vec<ContainerStatus> = spec
        .init_containers
        .iter()
        .flatten()
        .map(|c| ContainerStatus {
            name: c.name.clone(),
            image: c.image.clone().unwrap_or_default(),
            state: Some(waiting("PodInitializing", None)),
            ..Default::default()
        })
        .collect();
    let statuses: Vec<ContainerStatus> = spec
        .containers
        .iter()
        .map(|c| ContainerStatus {
            name: c.name.clone(),
            image: c.image.clone().unwrap_or_default(),
            ready: false,
            restart_count: 0,
            state: Some(waiting("ContainerCreating", None)),
            ..Default::default()
        })
        .collect();
    Pod {
        metadata: ObjectMeta {
            name: Some(plan.name),
            generate_name: plan.generate_name,
            namespace: Some(plan.namespace),
            uid: Some(plan.uid),
            labels: Some(plan.labels),
            owner_references: Some(vec![plan.owner]),
            creation_timestamp: Some(Time(now)),
            ..Default::default()
        },
        spec: Some(spec),
        status: Some(PodStatus {
            phase: Some("Pending".into()),
            conditions: Some(vec![condition("PodScheduled", true, now)]),
            init_container_statuses: (!init_statuses.is_empty()).then_some(init_statuses),
            container_statuses: Some(statuses),
            ..Default::default()
        }),
    }
}

fn condition(type_: &str, status: bool, now: Timestamp) -> PodCondition {
    PodCondition {
        type_: type_.to_string(),
        status: if status { "True" } else { "False" }.to_string(),
        last_transition_time: Some(Time(now)),
        ..Default::default()
    }
}

fn waiting(reason: &str, message: Option<String>) -> ContainerState {
    ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some(reason.to_string()),
            message,
        }),
        ..Default::default()
    }
}

fn running(since: Timestamp) -> ContainerState {
    ContainerState {
        running: Some(ContainerStateRunning {
            started_at: Some(Time(since)),
        }),
        ..Default::default()
    }
}

/// Sets a pod condition; its transition time changes only when the status does.
pub fn set_condition(
    pod: &mut Pod,
    type_: &str,
    status: bool,
    reason: Option<&str>,
    message: Option<&str>,
    now: Timestamp,
) {
    let st = pod.status.get_or_insert_with(Default::default);
    let conds = st.conditions.get_or_insert_with(Vec::new);
    let want = if status { "True" } else { "False" };
    match conds.iter_mut().find(|c| c.type_ == type_) {
        Some(c) => {
            if c.status != want {
                c.status = want.to_string();
                c.last_transition_time = Some(Time(now));
            }
            c.reason = reason.map(str::to_string);
            c.message = message.map(str::to_string);
        }
        None => {
            let mut c = condition(type_, status, now);
            c.reason = reason.map(str::to_string);
            c.message = message.map(str::to_string);
            conds.push(c);
        }
    }
}

fn first_container(pod: &mut Pod) -> Option<&mut ContainerStatus> {
    pod.status
        .as_mut()?
        .container_statuses
        .as_mut()?
        .first_mut()
}

pub fn container_name(pod: &Pod) -> String {
    pod.spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

pub fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending")
}

/// Container started (running, not yet ready).
pub fn start(pod: &mut Pod, now: Timestamp) {
    let st = pod.status.get_or_insert_with(Default::default);
    st.phase = Some("Running".into());
    if st.start_time.is_none() {
        st.start_time = Some(Time(now));
    }
    for ic in st.init_container_statuses.iter_mut().flatten() {
        if ic.state.as_ref().is_some_and(|s| s.terminated.is_none()) {
            ic.ready = true;
            ic.state = Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: 0,
                    reason: Some("Completed".into()),
                    started_at: Some(Time(now)),
                    finished_at: Some(Time(now)),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
    }
    set_condition(pod, "Initialized", true, None, None, now);
    set_condition(pod, "ContainersReady", false, None, None, now);
    set_condition(pod, "Ready", false, None, None, now);
    if let Some(c) = first_container(pod) {
        c.state = Some(running(now));
        c.ready = false;
        c.started = Some(true);
    }
}

/// Readiness probe passes.
pub fn make_ready(pod: &mut Pod, now: Timestamp) {
    set_condition(pod, "ContainersReady", true, None, None, now);
    set_condition(pod, "Ready", true, None, None, now);
    if let Some(c) = first_container(pod) {
        c.ready = true;
    }
}

/// The container exited with an error and is waiting in back-off.
pub fn crash(pod: &mut Pod, now: Timestamp) {
    let container = container_name(pod);
    set_condition(pod, "ContainersReady", false, None, None, now);
    set_condition(pod, "Ready", false, None, None, now);
    if let Some(c) = first_container(pod) {
        let started = c
            .state
            .as_ref()
            .and_then(|s| s.running.as_ref())
            .and_then(|r| r.started_at.clone());
        c.ready = false;
        c.started = Some(false);
        c.restart_count += 1;
        c.last_state = Some(ContainerState {
            terminated: Some(ContainerStateTerminated {
                exit_code: 1,
                reason: Some("Error".into()),
                started_at: started,
                finished_at: Some(Time(now)),
                ..Default::default()
            }),
            ..Default::default()
        });
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let msg = format!("back-off 10s restarting failed container={container} pod={pod_name}");
        if let Some(c) = first_container(pod) {
            c.state = Some(waiting("CrashLoopBackOff", Some(msg)));
        }
    }
}

/// The container was restarted in place (after a crash or an image change).
pub fn restart(pod: &mut Pod, now: Timestamp, image: Option<&str>) {
    let st = pod.status.get_or_insert_with(Default::default);
    st.phase = Some("Running".into());
    if st.start_time.is_none() {
        st.start_time = Some(Time(now));
    }
    if let Some(img) = image
        && let Some(c) = pod.spec.as_mut().and_then(|s| s.containers.first_mut())
    {
        c.image = Some(img.to_string());
    }
    if let Some(c) = first_container(pod) {
        if let Some(img) = image {
            c.image = img.to_string();
        }
        c.state = Some(running(now));
        c.started = Some(true);
        c.ready = false;
    }
}

/// The kubelet stopped the running container (an in-place restart, a graceful delete): it is
/// kept as the last state.
pub fn stop_container(pod: &mut Pod, now: Timestamp) {
    set_condition(pod, "ContainersReady", false, None, None, now);
    set_condition(pod, "Ready", false, None, None, now);
    if let Some(c) = first_container(pod) {
        let Some(started) = c
            .state
            .as_ref()
            .and_then(|s| s.running.as_ref())
            .and_then(|r| r.started_at.clone())
        else {
            return;
        };
        c.ready = false;
        c.started = Some(false);
        c.last_state = Some(ContainerState {
            terminated: Some(ContainerStateTerminated {
                exit_code: 0,
                reason: Some("Completed".into()),
                started_at: Some(started),
                finished_at: Some(Time(now)),
                ..Default::default()
            }),
            ..Default::default()
        });
        c.state = Some(ContainerState {
            terminated: Some(ContainerStateTerminated {
                exit_code: 0,
                reason: Some("Completed".into()),
                finished_at: Some(Time(now)),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
}

/// A pull of `image` failed: the container waits in `ErrImagePull` with the runtime's message
/// (a running container was stopped first).
pub fn image_pull_failed(pod: &mut Pod, now: Timestamp, image: &str, message: &str) {
    stop_container(pod, now);
    set_condition(pod, "ContainersReady", false, None, None, now);
    set_condition(pod, "Ready", false, None, None, now);
    if let Some(c) = first_container(pod) {
        c.image = image.to_string();
        c.image_id = String::new();
        c.ready = false;
        c.started = Some(false);
        c.state = Some(waiting("ErrImagePull", Some(message.to_string())));
    }
}

/// Between two pull attempts: `ImagePullBackOff`.
pub fn image_pull_back_off(pod: &mut Pod, image: &str, message: &str) {
    if let Some(c) = first_container(pod) {
        let msg = format!("Back-off pulling image \"{image}\": ErrImagePull: {message}");
        c.state = Some(waiting("ImagePullBackOff", Some(msg)));
    }
}

/// The reason the container of `pod` is waiting, if it is.
pub fn waiting_reason(pod: &Pod) -> Option<&str> {
    crate::model::pod::first_container_state(pod)?
        .waiting
        .as_ref()?
        .reason
        .as_deref()
}

/// The node stopped reporting: Ready turns False (node controller).
pub fn mark_node_not_ready(pod: &mut Pod, now: Timestamp) {
    set_condition(pod, "Ready", false, None, None, now);
    if let Some(c) = first_container(pod) {
        c.ready = false;
    }
}

/// Taint-based eviction on a lost node: a deletion timestamp that never completes.
pub fn mark_terminating(pod: &mut Pod, now: Timestamp) {
    pod.metadata.deletion_timestamp = Some(Time(now));
    pod.metadata.deletion_grace_period_seconds = Some(30);
    mark_disruption_target(pod, now);
}

/// The taint manager's mark on a pod of a lost node: reason NodeLost, `DisruptionTarget` True.
pub fn mark_disruption_target(pod: &mut Pod, now: Timestamp) {
    if let Some(st) = pod.status.as_mut() {
        st.reason = Some("NodeLost".into());
    }
    set_condition(
        pod,
        "DisruptionTarget",
        true,
        Some("DeletionByTaintManager"),
        Some("Taint manager: deleting due to NoExecute taint"),
        now,
    );
}

/// A job pod's container finished.
pub fn finish(pod: &mut Pod, now: Timestamp, succeeded: bool) {
    let st = pod.status.get_or_insert_with(Default::default);
    st.phase = Some(if succeeded { "Succeeded" } else { "Failed" }.into());
    set_condition(pod, "Ready", false, Some("PodCompleted"), None, now);
    set_condition(
        pod,
        "ContainersReady",
        false,
        Some("PodCompleted"),
        None,
        now,
    );
    if let Some(c) = first_container(pod) {
        let started = c
            .state
            .as_ref()
            .and_then(|s| s.running.as_ref())
            .and_then(|r| r.started_at.clone());
        c.ready = false;
        c.started = Some(false);
        c.state = Some(ContainerState {
            terminated: Some(ContainerStateTerminated {
                exit_code: if succeeded { 0 } else { 1 },
                reason: Some(if succeeded { "Completed" } else { "Error" }.into()),
                started_at: started,
                finished_at: Some(Time(now)),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
}

/// When the engine container last started, if it is running.
pub fn started_at(pod: &Pod) -> Option<Timestamp> {
    let c = pod.status.as_ref()?.container_statuses.as_ref()?.first()?;
    Some(c.state.as_ref()?.running.as_ref()?.started_at.as_ref()?.0)
}

pub fn has_condition(pod: &Pod, type_: &str) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == type_))
}

pub fn is_terminating(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}
