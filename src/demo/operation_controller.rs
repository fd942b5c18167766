//! The DataOperation lifecycle (FLUID.md §3.3) for DataLoad, DataProcess, DataMigrate and
//! DataBackup: None → Pending → Executing → Complete | Failed, runAfter waiting (forever behind
//! a failed predecessor), CheckRuntimeReady with its `master.disabled` quirk, the Dataset
//! `operationRef` lock, NotSupported kinds, Cron re-runs and TTL deletion.

use jiff::{SignedDuration, Timestamp};

use super::events::EventType;
use super::jobs::{self, JobFinished};
use super::runtime_controller::{record, retry_due};
use super::{DemoCluster, DemoError, JobOutcome, format, operation_admission};
use crate::model::cron;
use crate::model::meta::{Condition, ConditionStatus, format_time, parse_time};
use crate::model::operation::{
    DURATION_CRON_PENDING, DURATION_UNFINISHED, OperationStatus, WaitingFor,
};
use crate::model::{
    Component, DataOperation, Kind, ObjectKey, OpKind, OpPhase, Policy, RuntimePhase,
};

const RETRY_SECONDS: i64 = 20;
const CRON_HISTORY: usize = 3;

pub fn reconcile(cluster: &mut DemoCluster) {
    for kind in OpKind::ALL {
        for key in cluster.state.keys_of(Kind::Operation(kind)) {
            reconcile_operation(cluster, &key);
        }
    }
}

fn reconcile_operation(cluster: &mut DemoCluster, key: &ObjectKey) {
    let Some(op) = cluster.state.operation(key).cloned() else {
        return;
    };
    match op.phase() {
        OpPhase::None => admit(cluster, key, &op),
        OpPhase::Pending => pending(cluster, key, &op),
        OpPhase::Executing => executing(cluster, key, &op),
        OpPhase::Complete | OpPhase::Failed => finished(cluster, key, &op),
        OpPhase::Other(_) => {}
    }
}

fn now_str(cluster: &DemoCluster) -> String {
    format_time(cluster.state.now)
}

/// None → Pending (or Failed when validation fails).
fn admit(cluster: &mut DemoCluster, key: &ObjectKey, op: &DataOperation) {
    let dataset = op.target_dataset().and_then(|(ns, name)| {
        let uid = cluster.state.dataset(&ns, &name)?.metadata.uid.clone()?;
        Some((name, uid))
    });
    if let Some(first) =
        operation_admission::first_pass(op, dataset.as_ref().map(|(n, u)| (n.as_str(), u.as_str())))
    {
        cluster.state.update_operation(key, |o| *o = first);
    }
    let Some(op) = cluster.state.operation(key).cloned() else {
        return;
    };
    let op = &op;
    let explicit_ns = op.spec.dataset.as_ref().and_then(|d| d.get("namespace"));
    let explicit_ns = explicit_ns.as_ref().and_then(|n| n.as_str());
    if op.op_kind() == OpKind::DataLoad && explicit_ns.is_some_and(|ns| ns != key.namespace) {
        let now = now_str(cluster);
        let msg =
            "the dataset namespace of the DataLoad must be the same as the DataLoad's namespace";
        cluster.state.update_operation(key, |o| {
            o.status = Some(OperationStatus {
                phase: OpPhase::Failed,
                duration: DURATION_UNFINISHED.into(),
                conditions: vec![Condition {
                    type_: "Failed".into(),
                    status: ConditionStatus::True,
                    reason: Some("TargetDatasetNamespaceNotSame".into()),
                    message: Some(msg.into()),
                    last_probe_time: Some(now.clone()),
                    last_transition_time: Some(now),
                    ..Default::default()
                }],
                infos: None,
                ..Default::default()
            });
        });
        record(
            cluster,
            key,
            EventType::Warning,
            "TargetDatasetNamespaceNotSame",
            msg,
        );
        return;
    }
    let waits = op.spec.run_after.is_some();
    cluster.state.update_operation(key, |o| {
        let st = o.status.get_or_insert_with(Default::default);
        st.phase = OpPhase::Pending;
        st.duration = DURATION_UNFINISHED.into();
        st.infos = None;
        st.conditions = Vec::new();
        st.waiting_for = Some(WaitingFor {
            operation_complete: waits.then_some(true),
            ..Default::default()
        });
    });
}

fn predecessor(op: &DataOperation, own_ns: &str) -> Option<ObjectKey> {
    let ra = op.spec.run_after.as_ref()?;
    let kind = OpKind::parse(&ra.kind)?;
    Some(ObjectKey::new(
        Kind::Operation(kind),
        ra.namespace.clone().unwrap_or_else(|| own_ns.to_string()),
        ra.name.clone(),
    ))
}

/// CheckRuntimeReady: with `spec.master.disabled` the worker alone decides, otherwise the master
/// must be Ready too (even for a class without a master — upstream's quirk).
fn runtime_ready_for(cluster: &DemoCluster, op: &DataOperation) -> bool {
    let Some((ns, name)) = op.target_dataset() else {
        return false;
    };
    let Some(rt) = cluster.state.runtime(&ns, &name) else {
        return false;
    };
    let worker_ok = matches!(
        rt.component_phase(Component::Worker),
        RuntimePhase::Ready | RuntimePhase::PartialReady
    );
    if rt.disabled(Component::Master) {
        worker_ok
    } else {
        worker_ok && rt.component_phase(Component::Master) == RuntimePhase::Ready
    }
}

fn pending(cluster: &mut DemoCluster, key: &ObjectKey, op: &DataOperation) {
    if op.waiting_for_predecessor() {
        let Some(pred) = predecessor(op, &key.namespace) else {
            return;
        };
        let desc = format!("{} \"{}/{}\"", pred.kind, pred.namespace, pred.name);
        match cluster.state.operation(&pred).map(|p| p.phase()) {
            Some(OpPhase::Complete) => {
                cluster.state.update_operation(key, |o| {
                    if let Some(w) = o.status.as_mut().and_then(|s| s.waiting_for.as_mut()) {
                        w.operation_complete = Some(false);
                    }
                });
            }
            Some(_) => {
                if retry_due(cluster, key, "waiting", RETRY_SECONDS) {
                    record(
                        cluster,
                        key,
                        EventType::Normal,
                        "DataOperationWaiting",
                        &format!("Waiting for operation {desc} to complete"),
                    );
                }
            }
            None => {
                if retry_due(cluster, key, "waiting", RETRY_SECONDS) {
                    record(
                        cluster,
                        key,
                        EventType::Warning,
                        "DataOperationNotFound",
                        &format!("Preceding operation {desc} not found"),
                    );
                }
            }
        }
        return;
    }
    if op.policy() == Policy::Cron {
        tick_job(cluster, key, op);
    }
    if !retry_due(cluster, key, "runtime-ready", RETRY_SECONDS) {
        return;
    }
    if !runtime_ready_for(cluster, op) {
        record(
            cluster,
            key,
            EventType::Normal,
            "RuntimeNotReady",
            "Bounded accelerate runtime not ready",
        );
        return;
    }
    if !take_lock(cluster, key, op) {
        return;
    }
    cluster.retry_at.remove(&(key.clone(), "runtime-ready"));
    cluster.state.update_operation(key, |o| {
        if let Some(st) = o.status.as_mut() {
            st.phase = OpPhase::Executing;
        }
    });
}

fn dataset_key(op: &DataOperation) -> Option<ObjectKey> {
    let (ns, name) = op.target_dataset()?;
    Some(ObjectKey::new(Kind::Dataset, ns, name))
}

/// Adds the operation to `Dataset.status.operationRef[<Kind>]`; false if another holds it.
fn take_lock(cluster: &mut DemoCluster, key: &ObjectKey, op: &DataOperation) -> bool {
    let Some(ds_key) = dataset_key(op) else {
        return false;
    };
    let kind = op.op_kind().as_str();
    let held_by_other = match cluster.state.get(&ds_key) {
        Some(crate::model::Object::Dataset(d)) => d
            .status
            .as_ref()
            .and_then(|s| s.operation_ref.get(kind))
            .is_some_and(|names| !names.is_empty() && !names.split(',').any(|n| n == key.name)),
        _ => return false,
    };
    if held_by_other {
        return false;
    }
    cluster.state.update_dataset(&ds_key, |d| {
        d.status
            .get_or_insert_with(Default::default)
            .operation_ref
            .insert(kind.to_string(), key.name.clone());
    });
    true
}

fn release_lock(cluster: &mut DemoCluster, key: &ObjectKey, op: &DataOperation) {
    let Some(ds_key) = dataset_key(op) else {
        return;
    };
    let kind = op.op_kind().as_str();
    cluster.state.update_dataset(&ds_key, |d| {
        let Some(st) = d.status.as_mut() else { return };
        let Some(names) = st.operation_ref.get(kind) else {
            return;
        };
        let rest: Vec<&str> = names
            .split(',')
            .filter(|n| !n.is_empty() && *n != key.name)
            .collect();
        if rest.is_empty() {
            st.operation_ref.remove(kind);
        } else {
            let joined = rest.join(",");
            st.operation_ref.insert(kind.to_string(), joined);
        }
    });
}

/// Why the engine refuses an operation, if it does.
fn not_supported(cluster: &DemoCluster, op: &DataOperation) -> bool {
    let kind = op.op_kind();
    if !kind.supported_on_cache_runtime() {
        return true;
    }
    if kind.needs_class_entry() {
        let Some((ns, name)) = op.target_dataset() else {
            return true;
        };
        let Some(rt) = cluster.state.runtime(&ns, &name) else {
            return true;
        };
        return cluster
            .state
            .class(&rt.spec.runtime_class_name)
            .is_none_or(|c| !c.declares(kind.as_str()));
    }
    false
}

fn class_entry_empty(cluster: &DemoCluster, op: &DataOperation) -> bool {
    if op.op_kind() != OpKind::DataLoad {
        return false;
    }
    let Some((ns, name)) = op.target_dataset() else {
        return false;
    };
    let Some(rt) = cluster.state.runtime(&ns, &name) else {
        return false;
    };
    let Some(class) = cluster.state.class(&rt.spec.runtime_class_name) else {
        return false;
    };
    class
        .data_operation_specs
        .iter()
        .find(|s| s.name == "DataLoad")
        .is_some_and(|s| s.command.is_empty() && s.args.is_empty())
}

/// A DataLoad whose target paths lie outside the dataset's mounts fails in the loader.
fn load_would_fail(cluster: &DemoCluster, op: &DataOperation) -> bool {
    if op.op_kind() != OpKind::DataLoad {
        return false;
    }
    let Some((ns, name)) = op.target_dataset() else {
        return false;
    };
    let Some(ds) = cluster.state.dataset(&ns, &name) else {
        return false;
    };
    let roots: Vec<String> = ds.spec.mounts.iter().map(|m| m.cache_path()).collect();
    op.spec.target.as_ref().is_some_and(|targets| {
        targets.iter().any(|t| {
            !roots.iter().any(|r| {
                r == "/"
                    || t.path == *r
                    || t.path.starts_with(&format!("{}/", r.trim_end_matches('/')))
            })
        })
    })
}

fn executing(cluster: &mut DemoCluster, key: &ObjectKey, op: &DataOperation) {
    if not_supported(cluster, op) {
        cluster.state.update_operation(key, |o| {
            if let Some(st) = o.status.as_mut() {
                st.phase = OpPhase::Failed;
            }
        });
        release_lock(cluster, key, op);
        mark_finished(cluster, key);
        let msg = format!("RuntimeType cache not support {}", op.op_kind());
        record(
            cluster,
            key,
            EventType::Warning,
            "DataOperationNotSupport",
            &msg,
        );
        return;
    }
    if class_entry_empty(cluster, op) {
        if retry_due(cluster, key, "execution", RETRY_SECONDS) {
            record(
                cluster,
                key,
                EventType::Warning,
                "DataOperationExecutionFailed",
                "the runtime class declares DataLoad with neither command nor args",
            );
        }
        return;
    }
    if op.policy() == Policy::Cron {
        if !cluster.jobs.contains_key(key) {
            maybe_schedule(cluster, key, op);
        }
        tick_job(cluster, key, op);
        return;
    }
    if !cluster.jobs.contains_key(key) {
        let name = match op.op_kind() {
            OpKind::DataProcess => format!("{}-processor-job", key.name),
            _ => format!("{}-loader-job", key.name),
        };
        let fails = outcome_fails(cluster, key, op);
        let job = jobs::start(cluster, op, name, fails);
        cluster.jobs.insert(key.clone(), job);
    }
    tick_job(cluster, key, op);
}

fn outcome_fails(cluster: &mut DemoCluster, key: &ObjectKey, op: &DataOperation) -> bool {
    match cluster.job_outcomes.remove(key) {
        Some(JobOutcome::Fail) => true,
        Some(JobOutcome::Succeed) => false,
        None => load_would_fail(cluster, op),
    }
}

fn tick_job(cluster: &mut DemoCluster, key: &ObjectKey, op: &DataOperation) {
    let Some(mut job) = cluster.jobs.remove(key) else {
        return;
    };
    match jobs::tick(cluster, op, &mut job) {
        Some(done) => complete(cluster, key, op, done),
        None => {
            cluster.jobs.insert(key.clone(), job);
        }
    }
}

fn complete(cluster: &mut DemoCluster, key: &ObjectKey, op: &DataOperation, done: JobFinished) {
    let at = format_time(done.at);
    let duration = format::go_duration(done.at.as_second() - done.created.as_second());
    let cron = op.policy() == Policy::Cron;
    let condition = if done.succeeded {
        Condition {
            type_: "Complete".into(),
            status: ConditionStatus::True,
            reason: Some("CompletionsReached".into()),
            message: Some("Reached expected number of succeeded pods".into()),
            ..Default::default()
        }
    } else {
        Condition {
            type_: "Failed".into(),
            status: ConditionStatus::True,
            reason: Some("BackoffLimitExceeded".into()),
            message: Some("Job has reached the specified backoff limit".into()),
            ..Default::default()
        }
    };
    let condition = Condition {
        last_probe_time: Some(at.clone()),
        last_transition_time: Some(at.clone()),
        ..condition
    };
    cluster.state.update_operation(key, |o| {
        let st = o.status.get_or_insert_with(Default::default);
        st.phase = if done.succeeded {
            OpPhase::Complete
        } else {
            OpPhase::Failed
        };
        st.conditions = vec![condition];
        st.duration = duration;
        if cron && done.succeeded {
            st.last_successful_time = Some(at.clone());
        }
    });
    release_lock(cluster, key, op);
    mark_finished(cluster, key);
    if cron {
        jobs::prune_history(cluster, op, CRON_HISTORY);
    }
    let (reason, type_, verb) = if done.succeeded {
        ("DataOperationSucceed", EventType::Normal, "succeeded")
    } else {
        ("DataOperationFailed", EventType::Warning, "failed")
    };
    record(
        cluster,
        key,
        type_,
        reason,
        &format!("{} {} {verb}", op.op_kind(), key.name),
    );
}

fn mark_finished(cluster: &mut DemoCluster, key: &ObjectKey) {
    let now = cluster.state.now;
    cluster.retry_at.insert((key.clone(), "finished-at"), now);
}

/// When a Cron operation fires next (after its last schedule, else its creation).
fn next_fire(op: &DataOperation) -> Option<Timestamp> {
    let schedule = op.spec.schedule.as_deref()?;
    let base = op
        .status
        .as_ref()
        .and_then(|s| s.last_schedule_time.as_deref())
        .and_then(parse_time)
        .or_else(|| op.metadata.creation_timestamp.as_ref().map(|t| t.0))?;
    cron::next_after(schedule, base)
}

/// Of the slots missed since `first` (due at or before `now`), the most recent: like a CronJob,
/// a schedule that fell behind runs once, not once per missed slot.
fn latest_missed(op: &DataOperation, first: Timestamp, now: Timestamp) -> Timestamp {
    let Some(schedule) = op.spec.schedule.as_deref() else {
        return first;
    };
    let mut latest = first;
    // Bounded: a year of minutes at most.
    for _ in 0..525_600 {
        match cron::next_after(schedule, latest) {
            Some(next) if next <= now => latest = next,
            _ => break,
        }
    }
    latest
}

/// Starts the run of a Cron operation when its schedule (or a manual trigger) is due.
fn maybe_schedule(cluster: &mut DemoCluster, key: &ObjectKey, op: &DataOperation) -> bool {
    let now = cluster.state.now;
    let triggered = cluster
        .retry_at
        .remove(&(key.clone(), "cron-trigger"))
        .is_some();
    let scheduled = match next_fire(op) {
        _ if triggered => {
            Timestamp::from_second(now.as_second() - now.as_second().rem_euclid(60)).unwrap_or(now)
        }
        Some(t) if t <= now => latest_missed(op, t, now),
        _ => return false,
    };
    let minutes = scheduled.as_second().div_euclid(60);
    let name = format!("{}-loader-job-{minutes}", key.name);
    let fails = outcome_fails(cluster, key, op);
    let job = jobs::start(cluster, op, name, fails);
    cluster.jobs.insert(key.clone(), job);
    let at = format_time(scheduled);
    cluster.state.update_operation(key, |o| {
        let st = o.status.get_or_insert_with(Default::default);
        st.last_schedule_time = Some(at);
        if st.phase.is_terminal() {
            st.phase = OpPhase::Pending;
            st.duration = DURATION_CRON_PENDING.into();
        }
    });
    true
}

fn finished(cluster: &mut DemoCluster, key: &ObjectKey, op: &DataOperation) {
    match op.policy() {
        Policy::Cron => {
            if cluster.jobs.contains_key(key) {
                tick_job(cluster, key, op);
            } else {
                maybe_schedule(cluster, key, op);
            }
        }
        Policy::Once => {
            let Some(ttl) = op.spec.ttl_seconds_after_finished else {
                return;
            };
            let done_at = op
                .status
                .as_ref()
                .and_then(|s| s.conditions.first())
                .and_then(|c| c.last_transition_time.as_deref())
                .and_then(parse_time)
                .or_else(|| cluster.retry_at.get(&(key.clone(), "finished-at")).copied());
            let Some(done_at) = done_at else { return };
            let expires = done_at
                .checked_add(SignedDuration::from_secs(ttl))
                .unwrap_or(done_at);
            if cluster.state.now >= expires {
                delete_operation(cluster, key);
            }
        }
        _ => {}
    }
}

/// Deletes an operation with its jobs' pods, releasing its lock.
pub fn delete_operation(cluster: &mut DemoCluster, key: &ObjectKey) {
    let Some(op) = cluster.state.operation(key).cloned() else {
        return;
    };
    release_lock(cluster, key, &op);
    jobs::delete_pods(cluster, &op);
    cluster.jobs.remove(key);
    cluster.retry_at.retain(|(k, _), _| k != key);
    cluster.state.remove(key);
}

pub fn trigger_cron(cluster: &mut DemoCluster, key: &ObjectKey) -> Result<(), DemoError> {
    let Some(op) = cluster.state.operation(key) else {
        return Err(DemoError::NotFound(key.clone()));
    };
    if op.policy() != Policy::Cron {
        return Err(DemoError::Invalid(format!("{key} is not a Cron operation")));
    }
    if cluster.jobs.contains_key(key) {
        return Err(DemoError::Invalid(format!("{key} is already running")));
    }
    let now = cluster.state.now;
    cluster.retry_at.insert((key.clone(), "cron-trigger"), now);
    Ok(())
}
