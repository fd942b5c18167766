//! One pure step of a run: [`advance`] looks at the record, the store and the time, takes the
//! operator's input, and says what to commit (the record's new status), what to send to the
//! cluster afterwards, and what to ask.
//!
//! The driver's contract: commit `Decision::status` with [`record_status_write`] (a merge patch
//! of the status subresource that names the record's resourceVersion, so a stale console gets a
//! 409 instead of acting twice); only when that commit succeeded, send `Decision::writes` in
//! order; if one is refused, report it with [`write_failed`] and commit that decision too.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::observe::{self, component_of_name, ordinal, workload_name};
use super::plan::{self, current_version, lock_holder, short, step};
use super::{LOCK_ANNOTATION, RUNTIME_LABEL, Settings};
use crate::cluster::Store;
use crate::cluster::writer::WriteOp;
use crate::model::health::OverallPhase;
use crate::model::maintenance::{
    MaintenancePhase, MaintenanceStatus, MaintenanceStep, MaintenanceType, StepState,
};
use crate::model::meta::{Condition, ConditionStatus, format_time, parse_time};
use crate::model::pod::{is_ready, node_of};
use crate::model::runtime::RuntimeVersion;
use crate::model::{
    CacheRuntimeMaintenance, Component, DatasetPhase, Kind, ObjectKey, OpKind, OpPhase,
    RuntimePhase,
};

/// What happened since the last call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The store changed or time passed.
    Observe,
    /// The operator said yes to the pending prompt.
    Confirm,
    Pause,
    Resume,
    /// Upgrade: roll back to the previous version; rebuild: stop before the next destructive step.
    Abort,
    /// Re-run a failed step.
    Retry,
}

/// What the operator must confirm before the run goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub title: String,
    /// Exactly what will change, one fact per line.
    pub lines: Vec<String>,
    /// Index of the step the confirmation starts.
    pub step: usize,
    /// Deletes pods or patches objects (always true except for a `Confirm` step).
    pub destructive: bool,
}

/// The result of one [`advance`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// New status to commit; `None` = nothing changed.
    pub status: Option<MaintenanceStatus>,
    /// Cluster actions, sent in order only after the status was committed.
    pub writes: Vec<WriteOp>,
    /// What the operator must confirm before the run can go on.
    pub prompt: Option<Prompt>,
}

impl Decision {
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.writes.is_empty() && self.prompt.is_none()
    }
}

// ------------------------------------------------------------------ public helpers

pub fn is_terminal(p: &MaintenancePhase) -> bool {
    matches!(
        p,
        MaintenancePhase::Succeeded
            | MaintenancePhase::Failed
            | MaintenancePhase::Aborted
            | MaintenancePhase::RolledBack
    )
}

/// The run still needs driving (any phase but a terminal one; a `Planned` record needs its
/// first prompt).
pub fn is_active(rec: &CacheRuntimeMaintenance) -> bool {
    rec.status.is_some() && !is_terminal(&rec.phase())
}

/// Steps finished (Done or Skipped) and the total.
pub fn progress(rec: &CacheRuntimeMaintenance) -> (usize, usize) {
    let steps = rec
        .status
        .as_ref()
        .map(|s| s.steps.as_slice())
        .unwrap_or_default();
    let done = steps
        .iter()
        .filter(|s| matches!(s.state, StepState::Done | StepState::Skipped))
        .count();
    (done, steps.len())
}

pub fn current_step(rec: &CacheRuntimeMaintenance) -> Option<&MaintenanceStep> {
    let st = rec.status.as_ref()?;
    st.steps.get(usize::try_from(st.current_step?).ok()?)
}

fn record_key(rec: &CacheRuntimeMaintenance) -> ObjectKey {
    ObjectKey::new(
        Kind::CacheRuntimeMaintenance,
        rec.metadata.namespace.clone().unwrap_or_default(),
        rec.metadata.name.clone().unwrap_or_default(),
    )
}

/// The status commit: a merge patch of the status subresource with `metadata.resourceVersion`
/// as precondition. Fields the new status drops are sent as `null`.
pub fn record_status_write(rec: &CacheRuntimeMaintenance, status: &MaintenanceStatus) -> WriteOp {
    let mut new = serde_json::to_value(status).unwrap_or_else(|_| json!({}));
    if let (Some(old), Some(n)) = (
        rec.status
            .as_ref()
            .and_then(|s| serde_json::to_value(s).ok()),
        new.as_object_mut(),
    ) && let Some(o) = old.as_object()
    {
        for k in o.keys() {
            if !n.contains_key(k) {
                n.insert(k.clone(), Value::Null);
            }
        }
    }
    let mut patch = json!({ "status": new });
    if let Some(rv) = &rec.metadata.resource_version {
        patch["metadata"] = json!({ "resourceVersion": rv });
    }
    WriteOp::MergePatchStatus {
        key: record_key(rec),
        patch,
    }
}

/// `spec.paused` / `spec.abort` requested on the record (any console may; the driving console
/// reacts on its next Observe).
pub fn spec_flag_write(
    rec: &CacheRuntimeMaintenance,
    paused: Option<bool>,
    abort: Option<bool>,
) -> WriteOp {
    let mut spec = serde_json::Map::new();
    if let Some(p) = paused {
        spec.insert("paused".into(), Value::Bool(p));
    }
    if let Some(a) = abort {
        spec.insert("abort".into(), Value::Bool(a));
    }
    WriteOp::MergePatch {
        key: record_key(rec),
        patch: json!({ "spec": spec }),
    }
}

/// A write of the current step was refused: the step fails with the server's message and the
/// run pauses (or rolls back, with rollbackOnFailure).
pub fn write_failed(
    rec: &CacheRuntimeMaintenance,
    store: &Store,
    now: Timestamp,
    error_text: &str,
) -> Decision {
    let Some(orig) = rec.status.as_ref() else {
        return Decision::default();
    };
    let mut m = Machine::new(rec, store, now, orig.clone());
    if is_terminal(&m.st.phase) {
        m.set_condition(
            "CleanupFailed",
            ConditionStatus::True,
            "WriteFailed",
            &format!("a clean-up write was refused: {error_text}"),
        );
        return m.decision(orig);
    }
    let running =
        m.st.steps
            .iter()
            .rposition(|s| s.state == StepState::Running);
    match running {
        Some(i) => {
            let name = m.st.steps[i].name.clone();
            m.fail(
                i,
                format!("the API server refused a write of step {name}: {error_text}"),
                "WriteFailed",
            );
        }
        None => {
            m.set_condition(
                "Progressing",
                ConditionStatus::False,
                "WriteFailed",
                &format!("a write was refused: {error_text}"),
            );
            if m.st.phase == MaintenancePhase::Running {
                m.st.phase = MaintenancePhase::Paused;
            }
        }
    }
    m.decision(orig)
}

/// One pure step of a run.
pub fn advance(
    rec: &CacheRuntimeMaintenance,
    store: &Store,
    now: Timestamp,
    input: Input,
) -> Decision {
    let Some(orig) = rec.status.as_ref() else {
        return Decision::default();
    };
    let mut m = Machine::new(rec, store, now, orig.clone());
    m.run(input);
    m.decision(orig)
}

// ------------------------------------------------------------------ steps

/// What a step does, read from its name, action and target.
#[derive(Debug, Clone, PartialEq, Eq)]
enum StepKind {
    Preflight,
    /// PatchPartition on the AdvancedStatefulSet: hold every pod.
    HoldPartition(Component),
    /// PatchPartition on a pod: lower the partition to its ordinal, then wait for it.
    UpdatePod(String, Component),
    PatchRuntime(Component),
    Rollback(Component),
    /// Wait for a pod to run the target (or, in a rollback, the previous) image.
    WaitPodImage(String, Component, bool),
    /// Wait for a deleted pod to come back with a new UID.
    WaitPodRecreated(String, Component),
    WaitWorkload(Component, bool),
    WaitRemount,
    Verify(bool),
    DeletePod(String, bool),
    CreateDataLoad(String),
    WaitDataLoad(String),
    Confirm,
    Unknown,
}

enum Check {
    Done(BTreeMap<String, String>, Option<String>),
    Waiting(String),
    Failed(String),
}

struct Machine<'a> {
    rec: &'a CacheRuntimeMaintenance,
    store: &'a Store,
    now: Timestamp,
    ns: String,
    rt: String,
    name: String,
    upgrade: bool,
    settings: Settings,
    st: MaintenanceStatus,
    writes: Vec<WriteOp>,
    prompt: Option<Prompt>,
    confirmed: bool,
    /// The operator resumed or retried: take the lock again if it is missing (its first write
    /// may have been the one refused).
    relock: bool,
}

fn is_rollback_name(n: &str) -> bool {
    n.starts_with("rollback-")
}

impl<'a> Machine<'a> {
    fn new(
        rec: &'a CacheRuntimeMaintenance,
        store: &'a Store,
        now: Timestamp,
        st: MaintenanceStatus,
    ) -> Self {
        Machine {
            rec,
            store,
            now,
            ns: rec.metadata.namespace.clone().unwrap_or_default(),
            rt: rec.spec.runtime_name.clone(),
            name: rec.metadata.name.clone().unwrap_or_default(),
            upgrade: rec.spec.type_ != MaintenanceType::Rebuild,
            settings: Settings::of(rec.spec.strategy.as_ref()),
            st,
            writes: Vec::new(),
            prompt: None,
            confirmed: false,
            relock: false,
        }
    }

    fn decision(self, orig: &MaintenanceStatus) -> Decision {
        Decision {
            status: (self.st != *orig).then_some(self.st),
            writes: self.writes,
            prompt: self.prompt,
        }
    }

    fn now_s(&self) -> String {
        format_time(self.now)
    }

    fn kind_of(&self, i: usize) -> StepKind {
        let s = &self.st.steps[i];
        let action = s.action.as_deref().unwrap_or("");
        let target = s.target.as_deref().unwrap_or("");
        let (tkind, tname) = target.split_once('/').unwrap_or(("", target));
        let rollback = is_rollback_name(&s.name);
        let comp_of_pod = |p: &str| component_of_name(&self.rt, p).unwrap_or(Component::Worker);
        let comp_in_name = |prefix: &str| {
            s.name
                .strip_prefix(prefix)
                .and_then(Component::parse)
                .or_else(|| {
                    tname
                        .strip_prefix(self.rt.as_str())
                        .and_then(|x| x.strip_prefix('-'))
                        .and_then(Component::parse)
                })
        };
        match (action, tkind) {
            ("Preflight", _) => StepKind::Preflight,
            ("PatchPartition", "Pod") => StepKind::UpdatePod(tname.into(), comp_of_pod(tname)),
            ("PatchPartition", _) => match comp_in_name("partition-") {
                Some(c) => StepKind::HoldPartition(c),
                None => StepKind::Unknown,
            },
            ("PatchRuntime", _) => match comp_in_name("patch-") {
                Some(c) => StepKind::PatchRuntime(c),
                None => StepKind::Unknown,
            },
            ("Rollback", _) => match comp_in_name("rollback-") {
                Some(c) => StepKind::Rollback(c),
                None => StepKind::Unknown,
            },
            ("DeletePod", _) => StepKind::DeletePod(tname.into(), false),
            ("ForceDeletePod", _) => StepKind::DeletePod(tname.into(), true),
            ("CreateDataLoad", _) => StepKind::CreateDataLoad(tname.into()),
            ("Confirm", _) => StepKind::Confirm,
            ("Wait", "Pod") if self.upgrade => {
                StepKind::WaitPodImage(tname.into(), comp_of_pod(tname), rollback)
            }
            ("Wait", "Pod") => StepKind::WaitPodRecreated(tname.into(), comp_of_pod(tname)),
            ("Wait", "DataLoad") => StepKind::WaitDataLoad(tname.into()),
            ("Wait", "AdvancedStatefulSet") => match comp_in_name("wait-") {
                Some(c) => StepKind::WaitWorkload(c, rollback),
                None => StepKind::Unknown,
            },
            ("Wait", _) if s.name.contains("remount") => StepKind::WaitRemount,
            ("Wait", _) => StepKind::Verify(rollback),
            _ => StepKind::Unknown,
        }
    }

    /// Steps that write to the cluster (gated by health and, with confirmEachStep, confirmed).
    fn writes_to_cluster(k: &StepKind) -> bool {
        matches!(
            k,
            StepKind::HoldPartition(_)
                | StepKind::UpdatePod(..)
                | StepKind::PatchRuntime(_)
                | StepKind::Rollback(_)
                | StepKind::DeletePod(..)
                | StepKind::CreateDataLoad(_)
        )
    }

    fn rolling_back(&self) -> bool {
        self.st
            .steps
            .iter()
            .any(|s| s.action.as_deref() == Some("Rollback"))
    }

    /// The step the run stands at: the first one not Done/Skipped (once a rollback started, among
    /// the rollback steps only).
    fn current(&self) -> Option<usize> {
        let from = if self.rolling_back() {
            self.st
                .steps
                .iter()
                .position(|s| s.action.as_deref() == Some("Rollback"))
                .unwrap_or(0)
        } else {
            0
        };
        (from..self.st.steps.len())
            .find(|&i| !matches!(self.st.steps[i].state, StepState::Done | StepState::Skipped))
    }

    fn set_condition(&mut self, type_: &str, status: ConditionStatus, reason: &str, message: &str) {
        let now = self.now_s();
        match self.st.conditions.iter_mut().find(|c| c.type_ == type_) {
            Some(c) => {
                if c.status != status {
                    c.last_transition_time = Some(now);
                }
                c.status = status;
                c.reason = Some(reason.into());
                c.message = Some(message.into());
            }
            None => self.st.conditions.push(Condition {
                type_: type_.into(),
                status,
                reason: Some(reason.into()),
                message: Some(message.into()),
                last_transition_time: Some(now),
                ..Default::default()
            }),
        }
    }

    fn clear_condition(&mut self, type_: &str) {
        self.st.conditions.retain(|c| c.type_ != type_);
    }

    fn paused_by_request(&self) -> bool {
        self.st
            .conditions
            .iter()
            .any(|c| c.type_ == "Progressing" && c.reason.as_deref() == Some("PauseRequested"))
    }

    // -------------------------------------------------------------- driving

    fn run(&mut self, input: Input) {
        if is_terminal(&self.st.phase) || self.st.steps.is_empty() {
            return;
        }
        if input == Input::Abort || self.rec.spec.abort == Some(true) {
            self.abort();
            return;
        }
        let started = self.st.started_at.is_some();
        match input {
            Input::Pause => {
                if self.st.phase != MaintenancePhase::Paused && started {
                    self.pause("paused by the operator");
                }
            }
            Input::Resume => {
                if self.st.phase == MaintenancePhase::Paused {
                    if self.rec.spec.paused == Some(true) {
                        self.writes
                            .push(spec_flag_write(self.rec, Some(false), None));
                    }
                    self.resume("resumed by the operator");
                }
            }
            Input::Retry => {
                if self.st.phase == MaintenancePhase::Paused
                    && self
                        .current()
                        .is_some_and(|i| self.st.steps[i].state == StepState::Failed)
                {
                    self.resume("step retried by the operator");
                }
            }
            Input::Confirm => {
                if matches!(
                    self.st.phase,
                    MaintenancePhase::Planned | MaintenancePhase::AwaitingConfirmation
                ) {
                    self.confirmed = true;
                }
            }
            Input::Observe | Input::Abort => {}
        }
        if self.rec.spec.paused == Some(true)
            && started
            && matches!(
                self.st.phase,
                MaintenancePhase::Running | MaintenancePhase::AwaitingConfirmation
            )
            && input != Input::Resume
        {
            self.pause("paused via spec.paused");
        }
        if self.st.phase == MaintenancePhase::Paused
            && self.rec.spec.paused == Some(false)
            && self.paused_by_request()
        {
            self.resume("resumed via spec.paused");
        }
        self.step_loop();
    }

    fn pause(&mut self, why: &str) {
        self.st.phase = MaintenancePhase::Paused;
        let msg = match self.current() {
            Some(i) => format!(
                "{why}; no new step starts (step {} keeps being observed)",
                self.st.steps[i].name
            ),
            None => why.to_string(),
        };
        self.set_condition(
            "Progressing",
            ConditionStatus::False,
            "PauseRequested",
            &msg,
        );
    }

    fn resume(&mut self, why: &str) {
        if let Some(i) = self.current()
            && self.st.steps[i].state == StepState::Failed
        {
            let s = &mut self.st.steps[i];
            s.state = StepState::Pending;
            s.started_at = None;
            s.finished_at = None;
            s.observed.clear();
            s.message = Some(format!(
                "retrying after: {}",
                s.message.clone().unwrap_or_default()
            ));
            // The operator asked for it: no second confirmation.
            self.confirmed = true;
        }
        self.st.phase = MaintenancePhase::Running;
        self.relock = true;
        self.set_condition("Progressing", ConditionStatus::True, "Resumed", why);
    }

    fn step_loop(&mut self) {
        let limit = self.st.steps.len() * 4 + 8;
        for _ in 0..limit {
            let Some(i) = self.current() else {
                self.finish_success();
                return;
            };
            self.st.current_step = Some(i as i32);
            match self.st.steps[i].state.clone() {
                StepState::Running => match self.check(i) {
                    Check::Done(observed, message) => {
                        let now = self.now_s();
                        let s = &mut self.st.steps[i];
                        s.state = StepState::Done;
                        s.finished_at = Some(now);
                        s.observed.extend(observed);
                        if let Some(m) = message {
                            s.message = Some(m);
                        }
                        if i == 0 && self.upgrade {
                            self.record_previous();
                        }
                    }
                    Check::Failed(msg) => {
                        self.fail(i, msg, "StepFailed");
                        if self.st.phase != MaintenancePhase::Running {
                            return;
                        }
                    }
                    Check::Waiting(desc) => {
                        let started = self.st.steps[i]
                            .started_at
                            .as_deref()
                            .and_then(parse_time)
                            .unwrap_or(self.now);
                        let elapsed = observe::seconds_between(started, self.now);
                        if self.st.phase != MaintenancePhase::Paused
                            && elapsed > self.settings.step_timeout_seconds
                        {
                            let target = self.st.steps[i].target.clone().unwrap_or_default();
                            let msg = format!(
                                "timed out after {}s waiting for {target}: {desc}",
                                self.settings.step_timeout_seconds
                            );
                            self.fail(i, msg, "StepTimedOut");
                            if self.st.phase != MaintenancePhase::Running {
                                return;
                            }
                        } else {
                            let msg = format!("waiting: {desc}");
                            if self.st.steps[i].message.as_deref() != Some(msg.as_str()) {
                                self.st.steps[i].message = Some(msg);
                            }
                            return;
                        }
                    }
                },
                StepState::Failed => return,
                StepState::Pending => {
                    if !self.try_start(i) {
                        return;
                    }
                }
                StepState::Done | StepState::Skipped | StepState::Other(_) => return,
            }
        }
    }

    /// Starts step `i` if nothing holds it (pause, a needed confirmation, health). Returns
    /// whether it started.
    fn try_start(&mut self, i: usize) -> bool {
        if self.st.phase == MaintenancePhase::Paused {
            return false;
        }
        let kind = self.kind_of(i);
        let started_run = self.st.started_at.is_some();
        let rollback = is_rollback_name(&self.st.steps[i].name);
        let client_delete = matches!(&kind, StepKind::DeletePod(p, _) if component_of_name(&self.rt, p) == Some(Component::Client));
        let needs_confirm = !started_run
            || kind == StepKind::Confirm
            || client_delete
            || (self.settings.confirm_each_step && Self::writes_to_cluster(&kind) && !rollback);
        let gated = started_run && !rollback && Self::writes_to_cluster(&kind);
        if gated && let Err(why) = self.healthy_for(i, &kind) {
            let msg = format!("waiting for the runtime to be healthy: {why}");
            if self.st.steps[i].message.as_deref() != Some(msg.as_str()) {
                self.st.steps[i].message = Some(msg);
            }
            if self.st.phase == MaintenancePhase::AwaitingConfirmation {
                self.st.phase = MaintenancePhase::Running;
                self.clear_condition("AwaitingConfirmation");
            }
            return false;
        }
        if needs_confirm && !self.confirmed {
            if self.st.phase != MaintenancePhase::AwaitingConfirmation {
                self.st.phase = MaintenancePhase::AwaitingConfirmation;
                let step = self.st.steps[i].name.clone();
                let (reason, msg) = if started_run {
                    (
                        "StepNeedsConfirmation",
                        format!("step {step} needs operator confirmation"),
                    )
                } else {
                    (
                        "RunNeedsConfirmation",
                        "the run needs operator confirmation to start".to_string(),
                    )
                };
                self.set_condition("AwaitingConfirmation", ConditionStatus::True, reason, &msg);
            }
            self.prompt = Some(self.prompt_for(i, &kind));
            return false;
        }
        self.confirmed = false;
        self.clear_condition("AwaitingConfirmation");
        if !started_run || std::mem::take(&mut self.relock) {
            if !started_run {
                self.st.started_at = Some(self.now_s());
            }
            if let Some(w) = self.lock_write() {
                self.writes.push(w);
            }
        }
        if self.st.phase != MaintenancePhase::Running {
            self.st.phase = MaintenancePhase::Running;
        }
        let step_name = self.st.steps[i].name.clone();
        self.set_condition(
            "Progressing",
            ConditionStatus::True,
            if rollback {
                "RollingBack"
            } else {
                "StepRunning"
            },
            &format!("step {step_name}"),
        );
        let writes = self.step_writes(&kind);
        let now = self.now_s();
        let s = &mut self.st.steps[i];
        s.state = StepState::Running;
        s.started_at = Some(now);
        s.finished_at = None;
        if writes.is_empty() && Self::writes_to_cluster(&kind) {
            s.message = Some("already done: nothing to write".into());
        }
        self.writes.extend(writes);
        true
    }

    // -------------------------------------------------------------- lock, previous, finish

    fn lock_write(&self) -> Option<WriteOp> {
        let rt = self.store.runtime(&self.ns, &self.rt)?;
        let holder = rt
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(LOCK_ANNOTATION));
        if holder.is_some() {
            // Ours already, or someone else's (Preflight fails on it): never overwrite.
            return None;
        }
        let mut meta = json!({ "annotations": { LOCK_ANNOTATION: self.name } });
        if let Some(rv) = &rt.metadata.resource_version {
            meta["resourceVersion"] = json!(rv);
        }
        Some(WriteOp::MergePatch {
            key: ObjectKey::new(Kind::CacheRuntime, self.ns.clone(), self.rt.clone()),
            patch: json!({ "metadata": meta }),
        })
    }

    fn finish_writes(&mut self) {
        let partition_steps: Vec<Component> = (0..self.st.steps.len())
            .filter(|&i| self.st.steps[i].started_at.is_some())
            .filter_map(|i| match self.kind_of(i) {
                StepKind::HoldPartition(c) | StepKind::UpdatePod(_, c) => Some(c),
                _ => None,
            })
            .collect();
        let mut done = Vec::new();
        for c in partition_steps {
            if done.contains(&c) {
                continue;
            }
            done.push(c);
            let wl = workload_name(&self.rt, c);
            if observe::workload(self.store, &self.ns, &wl)
                .is_some_and(|w| observe::partition(w) != 0)
            {
                self.writes.push(partition_write(&self.ns, &wl, 0));
            }
        }
        let ours = self
            .store
            .runtime(&self.ns, &self.rt)
            .and_then(|r| r.metadata.annotations.as_ref())
            .and_then(|a| a.get(LOCK_ANNOTATION))
            .is_some_and(|v| *v == self.name);
        if ours {
            self.writes.push(WriteOp::MergePatch {
                key: ObjectKey::new(Kind::CacheRuntime, self.ns.clone(), self.rt.clone()),
                patch: json!({ "metadata": { "annotations": { LOCK_ANNOTATION: null } } }),
            });
        }
    }

    fn terminate(&mut self, phase: MaintenancePhase, reason: &str, message: &str) {
        self.st.phase = phase;
        self.st.finished_at = Some(self.now_s());
        self.clear_condition("AwaitingConfirmation");
        self.set_condition("Progressing", ConditionStatus::False, reason, message);
        if self.st.started_at.is_some() {
            self.finish_writes();
        }
    }

    fn finish_success(&mut self) {
        if let Some(last) = self.st.steps.len().checked_sub(1) {
            self.st.current_step = Some(last as i32);
        }
        if self.rolling_back() {
            let why = self
                .st
                .conditions
                .iter()
                .find(|c| c.type_ == "RollbackReason")
                .and_then(|c| c.message.clone())
                .unwrap_or_default();
            self.terminate(
                MaintenancePhase::RolledBack,
                "RolledBack",
                &format!("every component is back on its previous version ({why})"),
            );
        } else {
            let msg = if self.upgrade {
                let v = self.target_reference();
                format!("every upgraded component runs {v}")
            } else {
                "every rebuilt pod is back and Ready".to_string()
            };
            self.terminate(MaintenancePhase::Succeeded, "Succeeded", &msg);
        }
    }

    fn record_previous(&mut self) {
        let Some(rt) = self.store.runtime(&self.ns, &self.rt) else {
            return;
        };
        let target = self.rec.spec.upgrade.clone().unwrap_or_default();
        for c in &self.rec.spec.components {
            let Some(comp) = Component::parse(c) else {
                continue;
            };
            if let Some(v) = current_version(self.store, rt, comp)
                && !(v.image == target.image && v.image_tag == target.image_tag)
            {
                self.st.previous.insert(c.clone(), v);
            }
        }
    }

    fn anything_patched(&self) -> bool {
        (0..self.st.steps.len()).any(|i| {
            self.st.steps[i].started_at.is_some()
                && matches!(self.kind_of(i), StepKind::PatchRuntime(_))
        })
    }

    // -------------------------------------------------------------- failure, abort, rollback

    fn fail(&mut self, i: usize, msg: String, reason: &str) {
        let now = self.now_s();
        let name = self.st.steps[i].name.clone();
        {
            let s = &mut self.st.steps[i];
            s.state = StepState::Failed;
            s.finished_at = Some(now);
            s.message = Some(msg.clone());
        }
        if is_rollback_name(&name) {
            self.terminate(
                MaintenancePhase::Failed,
                "RollbackFailed",
                &format!("rollback step {name} failed: {msg}; fix by hand"),
            );
            return;
        }
        if self.upgrade && self.settings.rollback_on_failure && self.anything_patched() {
            self.start_rollback(&format!("step {name} failed: {msg}"));
            return;
        }
        self.st.phase = MaintenancePhase::Paused;
        self.set_condition(
            "Progressing",
            ConditionStatus::False,
            reason,
            &format!("step {name} failed: {msg}; retry or abort"),
        );
    }

    fn abort(&mut self) {
        let started = self.st.started_at.is_some();
        if !started {
            for s in &mut self.st.steps {
                if s.state == StepState::Pending {
                    s.state = StepState::Skipped;
                }
            }
            self.terminate(
                MaintenancePhase::Aborted,
                "Aborted",
                "aborted before it started: nothing was changed",
            );
            return;
        }
        if self.upgrade {
            if self.rolling_back() {
                // Asked again (spec.abort stays set): the rollback just goes on.
                if self.st.phase == MaintenancePhase::Paused && self.rec.spec.paused != Some(true) {
                    self.resume("rolling back");
                }
                self.step_loop();
                return;
            }
            if self.anything_patched() {
                let why = if self.rec.spec.abort == Some(true) {
                    "abort requested via spec.abort"
                } else {
                    "aborted by the operator"
                };
                self.start_rollback(why);
                self.step_loop();
                return;
            }
        }
        let now = self.now_s();
        for s in &mut self.st.steps {
            match s.state {
                StepState::Pending => s.state = StepState::Skipped,
                StepState::Running => {
                    s.state = StepState::Skipped;
                    s.finished_at = Some(now.clone());
                    s.message = Some(format!(
                        "stopped by abort{}",
                        s.message
                            .as_ref()
                            .map(|m| format!(" ({m})"))
                            .unwrap_or_default()
                    ));
                }
                _ => {}
            }
        }
        let msg = if self.upgrade {
            "aborted before anything was patched".to_string()
        } else {
            "aborted: no further pod is deleted; pods already deleted are recreated by their workloads"
                .to_string()
        };
        self.terminate(MaintenancePhase::Aborted, "Aborted", &msg);
    }

    fn start_rollback(&mut self, why: &str) {
        let now = self.now_s();
        let mut patched: Vec<Component> = Vec::new();
        let mut pods: BTreeMap<Component, Vec<String>> = BTreeMap::new();
        let mut remount = false;
        for i in 0..self.st.steps.len() {
            match self.kind_of(i) {
                StepKind::PatchRuntime(c)
                    if self.st.steps[i].started_at.is_some() && !patched.contains(&c) =>
                {
                    patched.push(c);
                }
                StepKind::WaitPodImage(p, c, false) | StepKind::UpdatePod(p, c) => {
                    pods.entry(c).or_default().push(p)
                }
                StepKind::WaitRemount => remount = true,
                _ => {}
            }
        }
        for s in &mut self.st.steps {
            match s.state {
                StepState::Pending => {
                    s.state = StepState::Skipped;
                    s.message = Some("skipped: rolling back".into());
                }
                StepState::Running => {
                    s.state = StepState::Skipped;
                    s.finished_at = Some(now.clone());
                    s.message = Some("stopped: rolling back".into());
                }
                _ => {}
            }
        }
        let rt_target = format!("CacheRuntime/{}", self.rt);
        for &c in patched.iter().rev() {
            let prev = self
                .st
                .previous
                .get(c.as_str())
                .and_then(|v| v.reference())
                .unwrap_or_else(|| "(unknown)".into());
            self.st.steps.push(step(
                format!("rollback-{c}"),
                "Rollback",
                rt_target.clone(),
                format!("spec.{c}.runtimeVersion back to {prev}"),
            ));
            for p in pods.get(&c).into_iter().flatten() {
                self.st.steps.push(step(
                    format!("rollback-wait-{}", short(&self.rt, p)),
                    "Wait",
                    format!("Pod/{p}"),
                    format!("wait for {p} to run {prev} and be Ready"),
                ));
            }
            if c == Component::Master && remount {
                self.st.steps.push(step(
                    "rollback-remount-master".into(),
                    "Wait",
                    rt_target.clone(),
                    "wait for Fluid to remount the UFS after the master restart".into(),
                ));
            }
        }
        self.st.steps.push(step(
            "rollback-verify".into(),
            "Wait",
            rt_target,
            "every component Ready on its previous version".into(),
        ));
        self.st.phase = MaintenancePhase::Running;
        self.set_condition(
            "RollbackReason",
            ConditionStatus::True,
            "RollbackStarted",
            why,
        );
        self.set_condition(
            "Progressing",
            ConditionStatus::True,
            "RollingBack",
            &format!("rolling back: {why}"),
        );
    }

    // -------------------------------------------------------------- health gate

    fn healthy_for(&self, i: usize, kind: &StepKind) -> Result<(), String> {
        let mut allowed: Vec<String> = Vec::new();
        match kind {
            StepKind::UpdatePod(p, _) | StepKind::DeletePod(p, _) => allowed.push(p.clone()),
            _ => {}
        }
        if !self.upgrade {
            // Pods this rebuild replaces are expected to be broken (that is why they are rebuilt),
            // and pods already deleted are coming back.
            for s in &self.st.steps {
                if matches!(s.action.as_deref(), Some("DeletePod" | "ForceDeletePod"))
                    && let Some(p) = s.target.as_deref().and_then(|t| t.strip_prefix("Pod/"))
                {
                    allowed.push(p.to_string());
                }
            }
        } else {
            // Pods that were not Ready before the run (the plan warned about them) restart
            // with the others; they do not hold it.
            for p in self.pods_in_steps() {
                if self.recorded(&format!("pod/{p}.ready")).as_deref() == Some("false") {
                    allowed.push(p);
                }
            }
            // Pods whose update is under way (an update step done, its pod still settling).
            for (j, s) in self.st.steps.iter().enumerate().take(i) {
                if s.state == StepState::Done
                    && let StepKind::UpdatePod(p, _) = self.kind_of(j)
                {
                    allowed.push(p);
                }
            }
        }
        observe::healthy_except(self.store, &self.ns, &self.rt, &allowed)
    }

    // -------------------------------------------------------------- writes of a step

    fn target_version(&self) -> RuntimeVersion {
        self.rec.spec.upgrade.clone().unwrap_or_default()
    }

    /// `image:tag` of the version an upgrade moves to (empty when unset).
    fn target_reference(&self) -> String {
        self.rec
            .spec
            .upgrade
            .as_ref()
            .and_then(RuntimeVersion::reference)
            .unwrap_or_default()
    }

    fn previous(&self, c: Component) -> Option<RuntimeVersion> {
        self.st.previous.get(c.as_str()).cloned()
    }

    fn recorded_uid(&self, pod: &str) -> Option<String> {
        self.st
            .steps
            .iter()
            .find_map(|s| s.observed.get(&format!("pod/{pod}.uid")).cloned())
    }

    fn recorded(&self, key: &str) -> Option<String> {
        self.st
            .steps
            .iter()
            .find_map(|s| s.observed.get(key).cloned())
    }

    fn step_writes(&self, kind: &StepKind) -> Vec<WriteOp> {
        let rt_key = ObjectKey::new(Kind::CacheRuntime, self.ns.clone(), self.rt.clone());
        let runtime = self.store.runtime(&self.ns, &self.rt);
        let version_of = |c: Component| {
            runtime
                .and_then(|r| r.component_spec(c))
                .and_then(|s| s.runtime_version.clone())
                .unwrap_or_default()
        };
        match kind {
            StepKind::HoldPartition(c) => {
                let wl = workload_name(&self.rt, *c);
                let w = observe::workload(self.store, &self.ns, &wl);
                let replicas = w
                    .and_then(|w| w.spec.replicas)
                    .or_else(|| {
                        runtime
                            .and_then(|r| r.component_spec(*c))
                            .and_then(|s| s.replicas)
                    })
                    .unwrap_or(1) as i64;
                if w.is_some_and(|w| observe::partition(w) == replicas) {
                    return Vec::new();
                }
                vec![partition_write(&self.ns, &wl, replicas)]
            }
            StepKind::UpdatePod(p, c) => {
                let wl = workload_name(&self.rt, *c);
                let ord = ordinal(p).unwrap_or(0) as i64;
                if observe::workload(self.store, &self.ns, &wl)
                    .is_some_and(|w| observe::partition(w) <= ord)
                {
                    return Vec::new();
                }
                vec![partition_write(&self.ns, &wl, ord)]
            }
            StepKind::PatchRuntime(c) => {
                let t = self.target_version();
                let cur = version_of(*c);
                if cur.image == t.image
                    && cur.image_tag == t.image_tag
                    && (t.image_pull_policy.is_none()
                        || cur.image_pull_policy == t.image_pull_policy)
                {
                    return Vec::new();
                }
                vec![runtime_version_write(&rt_key, *c, &t)]
            }
            StepKind::Rollback(c) => {
                let mut out = Vec::new();
                let wl = workload_name(&self.rt, *c);
                if observe::workload(self.store, &self.ns, &wl)
                    .is_some_and(|w| observe::partition(w) != 0)
                {
                    out.push(partition_write(&self.ns, &wl, 0));
                }
                if let Some(prev) = self.previous(*c) {
                    let cur = version_of(*c);
                    if !(cur.image == prev.image && cur.image_tag == prev.image_tag) {
                        out.push(runtime_version_write(&rt_key, *c, &prev));
                    }
                }
                out
            }
            StepKind::DeletePod(p, force) => {
                let Some(pod) = observe::pod(self.store, &self.ns, p) else {
                    return Vec::new();
                };
                if let Some(old) = self.recorded_uid(p)
                    && observe::uid(pod) != old
                {
                    return Vec::new();
                }
                let key = ObjectKey::new(Kind::Pod, self.ns.clone(), p.clone());
                vec![if *force {
                    WriteOp::ForceDelete(key)
                } else {
                    WriteOp::Delete(key)
                }]
            }
            StepKind::CreateDataLoad(name) => {
                if observe::dataload(self.store, &self.ns, name).is_some() {
                    return Vec::new();
                }
                vec![WriteOp::Create(self.dataload_manifest(name))]
            }
            _ => Vec::new(),
        }
    }

    fn dataload_manifest(&self, name: &str) -> Value {
        let dl = self
            .rec
            .spec
            .rebuild
            .as_ref()
            .and_then(|r| r.data_load.clone())
            .unwrap_or_default();
        let mut target: Vec<Value> = dl
            .target
            .iter()
            .map(|t| serde_json::to_value(t).unwrap_or(Value::Null))
            .collect();
        if target.is_empty() {
            target.push(json!({ "path": "/" }));
        }
        let mut spec = json!({
            "dataset": { "name": self.rt, "namespace": self.ns },
            "policy": "Once",
            "target": target,
        });
        if let Some(lm) = dl.load_metadata {
            spec["loadMetadata"] = json!(lm);
        }
        json!({
            "apiVersion": crate::model::FLUID_API_VERSION,
            "kind": "DataLoad",
            "metadata": {
                "name": name,
                "namespace": self.ns,
                "labels": { LOCK_ANNOTATION: self.name, RUNTIME_LABEL: self.rt },
            },
            "spec": spec,
        })
    }

    // -------------------------------------------------------------- checks

    fn check(&self, i: usize) -> Check {
        let kind = self.kind_of(i);
        match kind {
            StepKind::Preflight => self.check_preflight(),
            StepKind::HoldPartition(c) => {
                let wl = workload_name(&self.rt, c);
                let Some(w) = observe::workload(self.store, &self.ns, &wl) else {
                    return Check::Failed(format!("AdvancedStatefulSet {wl} not found"));
                };
                let replicas = w.spec.replicas.unwrap_or(1) as i64;
                let p = observe::partition(w);
                if p >= replicas {
                    Check::Done(
                        obs([("partition", p.to_string())]),
                        Some(format!("partition of {wl} = {p}: no {c} pod updates until lowered")),
                    )
                } else {
                    Check::Waiting(format!("partition of {wl} is {p}, want {replicas}"))
                }
            }
            StepKind::UpdatePod(p, c) => {
                let wl = workload_name(&self.rt, c);
                let ord = ordinal(&p).unwrap_or(0) as i64;
                let part = observe::workload(self.store, &self.ns, &wl)
                    .map(observe::partition)
                    .unwrap_or(0);
                if part > ord {
                    return Check::Waiting(format!("partition of {wl} is {part}, want ≤ {ord}"));
                }
                let image = self.target_reference();
                self.check_pod_image(i, &p, &image)
            }
            StepKind::PatchRuntime(c) => {
                let t = self.target_version();
                self.check_patched(c, &t)
            }
            StepKind::Rollback(c) => match self.previous(c) {
                Some(prev) => self.check_patched(c, &prev),
                None => Check::Failed(format!("no previous version recorded for {c}")),
            },
            StepKind::WaitPodImage(p, c, rollback) => {
                let image = if rollback {
                    match self.previous(c).and_then(|v| v.reference()) {
                        Some(v) => v,
                        None => return Check::Failed(format!("no previous version recorded for {c}")),
                    }
                } else {
                    self.target_reference()
                };
                self.check_pod_image(i, &p, &image)
            }
            StepKind::WaitPodRecreated(p, c) => self.check_recreated(i, &p, c),
            StepKind::WaitWorkload(c, rollback) => {
                let image = if rollback {
                    self.previous(c).and_then(|v| v.reference()).unwrap_or_default()
                } else {
                    self.target_reference()
                };
                let wl = workload_name(&self.rt, c);
                match observe::workload(self.store, &self.ns, &wl) {
                    None => Check::Failed(format!("AdvancedStatefulSet {wl} not found")),
                    Some(w) => match observe::workload_rolled(w, &image) {
                        Ok(()) => Check::Done(obs([("template.image", image)]), None),
                        Err(e) => Check::Waiting(e),
                    },
                }
            }
            StepKind::WaitRemount => match observe::remounted(self.store, &self.ns, &self.rt) {
                Ok(facts) => Check::Done(
                    facts.into_iter().collect(),
                    Some("Fluid re-ran mountUFS because the master container started after status.mountTime".into()),
                ),
                Err(e) => Check::Waiting(e),
            },
            StepKind::Verify(rollback) => self.check_verify(rollback),
            StepKind::DeletePod(p, force) => {
                let old = self.recorded_uid(&p).unwrap_or_default();
                match observe::pod(self.store, &self.ns, &p) {
                    None => Check::Done(
                        obs([("uid", old), ("deleted", "true".into())]),
                        Some(format!("{p} deleted")),
                    ),
                    Some(pod) if observe::uid(pod) != old => Check::Done(
                        obs([("uid", old), ("newUid", observe::uid(pod).to_string())]),
                        Some(format!("{p} already replaced")),
                    ),
                    Some(pod) if !force && observe::is_terminating(pod) => Check::Done(
                        obs([("uid", old), ("deletionTimestamp", "set".into())]),
                        Some(format!("{p} is terminating (deletion accepted)")),
                    ),
                    Some(pod) => Check::Waiting(format!(
                        "{p} still present ({})",
                        observe::pod_state_line(pod)
                    )),
                }
            }
            StepKind::CreateDataLoad(name) => match observe::dataload(self.store, &self.ns, &name) {
                Some(_) => Check::Done(
                    obs([("dataload", name.clone())]),
                    Some(format!("DataLoad {name} created")),
                ),
                None => Check::Waiting(format!("DataLoad {name} not seen yet")),
            },
            StepKind::WaitDataLoad(name) => match observe::dataload_phase(self.store, &self.ns, &name) {
                None => Check::Waiting(format!("DataLoad {name} not found")),
                Some((OpPhase::Complete, _)) => Check::Done(
                    obs([("dataload.phase", "Complete".to_string())]),
                    Some(format!("DataLoad {name} Complete")),
                ),
                Some((OpPhase::Failed, msg)) => Check::Failed(format!(
                    "DataLoad {name} Failed: {}",
                    msg.unwrap_or_else(|| "no condition message".into())
                )),
                Some((phase, _)) => Check::Waiting(format!("DataLoad {name} is {}", phase.label())),
            },
            StepKind::Confirm => Check::Done(BTreeMap::new(), None),
            StepKind::Unknown => {
                let s = &self.st.steps[i];
                Check::Failed(format!(
                    "unknown step: action {} target {}",
                    s.action.clone().unwrap_or_default(),
                    s.target.clone().unwrap_or_default()
                ))
            }
        }
    }

    fn check_preflight(&self) -> Check {
        let Some(rt) = self.store.runtime(&self.ns, &self.rt) else {
            return Check::Failed(format!("CacheRuntime {}/{} not found", self.ns, self.rt));
        };
        if let Some(by) = lock_holder(self.store, rt)
            && by != self.name
        {
            return Check::Failed(
                plan::Refusal::Locked {
                    runtime: format!("{}/{}", self.ns, self.rt),
                    by,
                }
                .to_string(),
            );
        }
        let master_rebuilt = !self.upgrade
            && self.st.steps.iter().any(|s| {
                s.target
                    .as_deref()
                    .and_then(|t| t.strip_prefix("Pod/"))
                    .is_some_and(|p| component_of_name(&self.rt, p) == Some(Component::Master))
            });
        if let Err(r) = plan::check_serving(self.store, rt, master_rebuilt) {
            return Check::Failed(r.to_string());
        }
        let mut o = BTreeMap::new();
        let ds = self.store.dataset(&self.ns, &self.rt);
        let phase = ds.map(|d| d.phase()).unwrap_or_default();
        o.insert("dataset.phase".into(), phase.to_string());
        for c in Component::ALL {
            if let Some(s) = rt.component_status(c) {
                o.insert(format!("{c}.phase"), s.phase.to_string());
            }
        }
        if self.upgrade {
            if self.rec.spec.components.iter().any(|c| c == "worker")
                && rt.component_phase(Component::Worker) == RuntimePhase::NotReady
            {
                return Check::Failed("worker is NotReady: no worker is Ready".into());
            }
            let refs = ds
                .and_then(|d| d.status.as_ref())
                .map(|s| {
                    s.operation_ref
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            o.insert("dataset.operationRef".into(), refs);
        }
        for p in self.pods_in_steps() {
            match observe::pod(self.store, &self.ns, &p) {
                Some(pod) => {
                    o.insert(format!("pod/{p}.uid"), observe::uid(pod).to_string());
                    o.insert(
                        format!("pod/{p}.node"),
                        node_of(pod).unwrap_or("").to_string(),
                    );
                    o.insert(
                        format!("pod/{p}.restartCount"),
                        observe::restart_count(pod).to_string(),
                    );
                    o.insert(
                        format!("pod/{p}.status"),
                        crate::model::pod::display_status(pod),
                    );
                    o.insert(format!("pod/{p}.ready"), is_ready(pod).to_string());
                    if let Some(img) = observe::spec_image(pod) {
                        o.insert(format!("pod/{p}.image"), img.to_string());
                    }
                    if let Some(t) = observe::node_trouble(self.store, pod) {
                        o.insert(format!("node/{}", node_of(pod).unwrap_or("?")), t);
                    }
                }
                None => {
                    o.insert(format!("pod/{p}.uid"), String::new());
                }
            }
        }
        Check::Done(o, None)
    }

    /// Pods named by step targets, in step order, without repeats.
    fn pods_in_steps(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.st.steps {
            if let Some(p) = s.target.as_deref().and_then(|t| t.strip_prefix("Pod/"))
                && !out.iter().any(|x| x == p)
            {
                out.push(p.to_string());
            }
        }
        out
    }

    fn check_patched(&self, c: Component, v: &RuntimeVersion) -> Check {
        let Some(rt) = self.store.runtime(&self.ns, &self.rt) else {
            return Check::Failed(format!("CacheRuntime {}/{} not found", self.ns, self.rt));
        };
        let cur = rt
            .component_spec(c)
            .and_then(|s| s.runtime_version.clone())
            .unwrap_or_default();
        let want = v.reference().unwrap_or_default();
        if cur.image != v.image || cur.image_tag != v.image_tag {
            return Check::Waiting(format!(
                "spec.{c}.runtimeVersion still {}",
                cur.reference().unwrap_or_else(|| "unset".into())
            ));
        }
        let wl = workload_name(&self.rt, c);
        let tpl = observe::workload(self.store, &self.ns, &wl)
            .and_then(|w| w.engine_image())
            .unwrap_or("");
        if tpl != want {
            return Check::Waiting(format!(
                "Fluid has not synced {want} into AdvancedStatefulSet {wl} yet (template image {tpl})"
            ));
        }
        let generation = rt.metadata.generation.unwrap_or(0).to_string();
        Check::Done(
            obs([
                ("metadata.generation", generation),
                ("template.image", want.clone()),
            ]),
            Some(format!(
                "spec.{c}.runtimeVersion = {want}; Fluid synced it into {wl}"
            )),
        )
    }

    fn check_pod_image(&self, i: usize, p: &str, image: &str) -> Check {
        let Some(pod) = observe::pod(self.store, &self.ns, p) else {
            return Check::Waiting(format!("pod {p} not found (being recreated?)"));
        };
        match observe::pod_on_image(pod, image) {
            Ok(()) => {
                let old_uid = self.recorded_uid(p).unwrap_or_default();
                let uid = observe::uid(pod).to_string();
                let in_place = old_uid.is_empty() || old_uid == uid;
                let node = node_of(pod).unwrap_or("").to_string();
                let restarts = observe::restart_count(pod);
                let before = self
                    .recorded(&format!("pod/{p}.restartCount"))
                    .unwrap_or_default();
                let mut o = obs([
                    ("uid", uid.clone()),
                    ("node", node.clone()),
                    ("restartCount", restarts.to_string()),
                    ("inPlace", in_place.to_string()),
                    ("image", image.to_string()),
                ]);
                if let Some(ipr) = observe::condition(pod, "InPlaceUpdateReady") {
                    o.insert(
                        "InPlaceUpdateReady".into(),
                        if ipr { "True" } else { "False" }.into(),
                    );
                }
                let msg = if in_place {
                    format!(
                        "{p} runs {image}, updated in place on {node} (restartCount {before} → {restarts})"
                    )
                } else {
                    format!(
                        "{p} runs {image} but was recreated (UID {old_uid} → {uid}) on {node}: not an in-place update"
                    )
                };
                Check::Done(o, Some(msg))
            }
            Err(missing) => {
                if let Some(f) = self.bad_for_long(i, pod) {
                    return Check::Failed(format!("{p}: {f} (want {image})"));
                }
                Check::Waiting(missing)
            }
        }
    }

    /// A bad waiting reason (image pull error, crash loop) lasting over a minute, while the step
    /// runs.
    fn bad_for_long(&self, i: usize, pod: &crate::model::Pod) -> Option<String> {
        let (reason, msg) = observe::bad_waiting(pod)?;
        let step_start = self.st.steps[i]
            .started_at
            .as_deref()
            .and_then(parse_time)
            .unwrap_or(self.now);
        let since = observe::not_ready_since(pod)
            .map(|t| t.max(step_start))
            .unwrap_or(step_start);
        let secs = observe::seconds_between(since, self.now);
        (secs > observe::BAD_REASON_GRACE_SECONDS).then(|| {
            if msg.is_empty() {
                format!("{reason} for {secs}s")
            } else {
                format!("{reason} for {secs}s: {msg}")
            }
        })
    }

    fn check_recreated(&self, i: usize, p: &str, c: Component) -> Check {
        let old = self.recorded_uid(p).unwrap_or_default();
        let pod = if c == Component::Client {
            let node = self.recorded(&format!("pod/{p}.node")).unwrap_or_default();
            observe::component_pods(self.store, &self.ns, &self.rt, c)
                .into_iter()
                .find(|q| node_of(q) == Some(node.as_str()) && observe::uid(q) != old)
        } else {
            observe::pod(self.store, &self.ns, p)
        };
        let Some(pod) = pod else {
            return Check::Waiting(format!("no new {p} yet"));
        };
        let uid = observe::uid(pod).to_string();
        if uid == old && !old.is_empty() {
            return Check::Waiting(format!(
                "{p} still the old pod (UID {old}, {})",
                observe::pod_state_line(pod)
            ));
        }
        let phase = pod
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_default();
        if phase != "Running" || !is_ready(pod) || observe::is_terminating(pod) {
            if let Some(f) = self.bad_for_long(i, pod) {
                return Check::Failed(format!("new {p}: {f}"));
            }
            return Check::Waiting(format!(
                "new {p} (UID {uid}) on {}: phase {phase}, {}",
                node_of(pod).unwrap_or("?"),
                observe::pod_state_line(pod)
            ));
        }
        let rt = self.store.runtime(&self.ns, &self.rt);
        let comp_phase = rt.map(|r| r.component_phase(c)).unwrap_or_default();
        let before = self
            .recorded(&format!("{c}.phase"))
            .map(|s| RuntimePhase::parse(&s))
            .unwrap_or(RuntimePhase::Ready);
        let phase_ok = comp_phase == RuntimePhase::Ready
            || (comp_phase == before && before != RuntimePhase::NotReady)
            || c == Component::Client;
        if !phase_ok {
            return Check::Waiting(format!(
                "new {p} Ready; status.{c}.phase is {comp_phase}, waiting for Ready"
            ));
        }
        let name = observe::name(pod).to_string();
        let node = node_of(pod).unwrap_or("").to_string();
        let old_node = self.recorded(&format!("pod/{p}.node")).unwrap_or_default();
        let moved = if old_node.is_empty() || old_node == node {
            format!("on {node}")
        } else {
            format!("on {node} (was {old_node})")
        };
        Check::Done(
            obs([
                ("uid", uid.clone()),
                ("previousUid", old.clone()),
                ("node", node),
                ("pod", name.clone()),
                ("recreated", "true".to_string()),
                ("componentPhase", comp_phase.to_string()),
            ]),
            Some(format!(
                "{name} recreated (UID {old} → {uid}) {moved}, Running and Ready"
            )),
        )
    }

    fn check_verify(&self, rollback: bool) -> Check {
        let Some(rt) = self.store.runtime(&self.ns, &self.rt) else {
            return Check::Failed(format!("CacheRuntime {}/{} not found", self.ns, self.rt));
        };
        let phase = observe::runtime_phase(self.store, rt);
        if phase != OverallPhase::Ready {
            let comps: Vec<String> = Component::ALL
                .into_iter()
                .filter_map(|c| rt.component_status(c).map(|s| format!("{c} {}", s.phase)))
                .collect();
            return Check::Waiting(format!(
                "runtime is {} ({})",
                phase.as_str(),
                comps.join(", ")
            ));
        }
        let ds_phase = self
            .store
            .dataset(&self.ns, &self.rt)
            .map(|d| d.phase())
            .unwrap_or_default();
        if ds_phase != DatasetPhase::Bound {
            return Check::Waiting(format!("Dataset is {ds_phase}, not Bound"));
        }
        let mut o = obs([
            ("runtime.phase", phase.as_str().to_string()),
            ("dataset.phase", ds_phase.to_string()),
        ]);
        if self.upgrade {
            for c in &self.rec.spec.components {
                let Some(comp) = Component::parse(c) else {
                    continue;
                };
                let want = if rollback {
                    self.previous(comp).and_then(|v| v.reference())
                } else {
                    self.target_version().reference()
                };
                // A component that was never patched (rollback before it) stays as it was.
                let Some(want) = want else { continue };
                if rollback && !self.was_patched(comp) {
                    continue;
                }
                let wl = workload_name(&self.rt, comp);
                match observe::workload(self.store, &self.ns, &wl) {
                    Some(w) => {
                        if let Err(e) = observe::workload_rolled(w, &want) {
                            return Check::Waiting(format!("{wl}: {e}"));
                        }
                        o.insert(format!("{c}.image"), want);
                    }
                    None => return Check::Failed(format!("AdvancedStatefulSet {wl} not found")),
                }
            }
        } else if let Some(i) = self
            .st
            .steps
            .iter()
            .position(|s| s.action.as_deref() == Some("CreateDataLoad"))
        {
            let name = self.st.steps[i]
                .target
                .as_deref()
                .and_then(|t| t.strip_prefix("DataLoad/"))
                .unwrap_or("")
                .to_string();
            match observe::dataload_phase(self.store, &self.ns, &name) {
                Some((OpPhase::Complete, _)) => {
                    o.insert("dataload.phase".into(), "Complete".into());
                }
                Some((p, _)) => return Check::Waiting(format!("DataLoad {name} is {}", p.label())),
                None => return Check::Waiting(format!("DataLoad {name} not found")),
            }
        }
        Check::Done(o, Some("runtime Ready, Dataset Bound".into()))
    }

    fn was_patched(&self, c: Component) -> bool {
        (0..self.st.steps.len()).any(|i| {
            self.st.steps[i].started_at.is_some() && self.kind_of(i) == StepKind::PatchRuntime(c)
        })
    }

    // -------------------------------------------------------------- prompts

    fn prompt_for(&self, i: usize, kind: &StepKind) -> Prompt {
        let total = self.st.steps.len();
        let s = &self.st.steps[i];
        if self.st.started_at.is_none() {
            let title = if self.upgrade {
                let v = self.target_reference();
                format!(
                    "Start the in-place upgrade of {}/{} to {v}?",
                    self.ns, self.rt
                )
            } else {
                let reason = self
                    .rec
                    .spec
                    .rebuild
                    .as_ref()
                    .and_then(|r| r.reason.clone())
                    .unwrap_or_else(|| "Manual".into());
                format!("Start the rebuild of {}/{} ({reason})?", self.ns, self.rt)
            };
            let mut lines = vec![format!(
                "lock: CacheRuntime {}/{} gets annotation {LOCK_ANNOTATION}={}",
                self.ns, self.rt, self.name
            )];
            for (j, st) in self.st.steps.iter().enumerate() {
                lines.push(format!(
                    "{}. {} ({} {}){}",
                    j + 1,
                    st.name,
                    st.action.as_deref().unwrap_or(""),
                    st.target.as_deref().unwrap_or(""),
                    st.message
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ));
            }
            let set = self.settings;
            lines.push(format!(
                "each step times out after {}s; confirm each step: {}; rollback on failure: {}",
                set.step_timeout_seconds,
                yes_no(set.confirm_each_step),
                if self.upgrade {
                    yes_no(set.rollback_on_failure)
                } else {
                    "no (a rebuild cannot be rolled back)"
                }
            ));
            return Prompt {
                title,
                lines,
                step: i,
                destructive: true,
            };
        }
        let mut lines: Vec<String> = self.step_writes(kind).iter().map(describe_write).collect();
        if lines.is_empty() {
            lines.push("nothing to write: already done".into());
        }
        if let Some(m) = &s.message {
            lines.push(m.clone());
        }
        match kind {
            StepKind::PatchRuntime(c) => lines.push(format!(
                "Fluid syncs it into AdvancedStatefulSet {}; pods update in place{}",
                workload_name(&self.rt, *c),
                if self.settings.use_partition {
                    " as the partition is lowered"
                } else {
                    ", highest ordinal first"
                }
            )),
            StepKind::DeletePod(p, _) => {
                if component_of_name(&self.rt, p) == Some(Component::Client) {
                    lines.push(format!(
                        "every app pod on {} loses its FUSE mount until the new fuse pod is up",
                        self.recorded(&format!("pod/{p}.node"))
                            .unwrap_or_else(|| "its node".into())
                    ));
                } else {
                    lines.push(format!(
                        "its workload recreates {p} with the same name and a new UID"
                    ));
                }
            }
            _ => {}
        }
        Prompt {
            title: format!(
                "Step {}/{total} {}: {} {}",
                i + 1,
                s.name,
                s.action.as_deref().unwrap_or(""),
                s.target.as_deref().unwrap_or("")
            ),
            lines,
            step: i,
            destructive: *kind != StepKind::Confirm,
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn obs<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn partition_write(ns: &str, workload: &str, partition: i64) -> WriteOp {
    WriteOp::MergePatch {
        key: ObjectKey::new(Kind::AdvancedStatefulSet, ns, workload),
        patch: json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": partition } } } }),
    }
}

fn runtime_version_write(key: &ObjectKey, c: Component, v: &RuntimeVersion) -> WriteOp {
    let mut rv = json!({ "image": v.image, "imageTag": v.image_tag });
    if let Some(p) = &v.image_pull_policy {
        rv["imagePullPolicy"] = json!(p);
    }
    WriteOp::MergePatch {
        key: key.clone(),
        patch: json!({ "spec": { c.as_str(): { "runtimeVersion": rv } } }),
    }
}

/// One line for a write, as the operator confirms it.
pub fn describe_write(w: &WriteOp) -> String {
    fn flatten(prefix: &str, v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, x) in m {
                    if prefix.is_empty() && k == "metadata" {
                        if let Some(mm) = x.as_object() {
                            for (mk, mx) in mm {
                                if mk != "resourceVersion" {
                                    flatten(&format!("metadata.{mk}"), mx, out);
                                }
                            }
                        }
                        continue;
                    }
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    flatten(&p, x, out);
                }
            }
            Value::Null => out.push(format!("{prefix} removed")),
            Value::String(s) => out.push(format!("{prefix} = {s}")),
            other => out.push(format!("{prefix} = {other}")),
        }
    }
    let obj = |k: &ObjectKey| format!("{} {}/{}", k.kind, k.namespace, k.name);
    match w {
        WriteOp::MergePatch { key, patch } | WriteOp::MergePatchStatus { key, patch } => {
            let mut parts = Vec::new();
            flatten("", patch, &mut parts);
            format!("patch {}: {}", obj(key), parts.join(", "))
        }
        WriteOp::Create(v) | WriteOp::Apply(v) => {
            let kind = v.get("kind").and_then(|k| k.as_str()).unwrap_or("");
            let name = v
                .pointer("/metadata/name")
                .and_then(|k| k.as_str())
                .unwrap_or("");
            let ns = v
                .pointer("/metadata/namespace")
                .and_then(|k| k.as_str())
                .unwrap_or("");
            let targets: Vec<&str> = v
                .pointer("/spec/target")
                .and_then(|t| t.as_array())
                .into_iter()
                .flatten()
                .filter_map(|t| t.get("path").and_then(|p| p.as_str()))
                .collect();
            if targets.is_empty() {
                format!("create {kind} {ns}/{name}")
            } else {
                format!(
                    "create {kind} {ns}/{name} (Once, target {})",
                    targets.join(", ")
                )
            }
        }
        WriteOp::Delete(k) => format!("delete {} (normal grace period)", obj(k)),
        WriteOp::ForceDelete(k) => format!("force delete {} (grace period 0)", obj(k)),
    }
}

/// Kinds a run writes (for callers that check permissions up front).
pub fn written_kinds(rec: &CacheRuntimeMaintenance) -> Vec<Kind> {
    let mut out = vec![Kind::CacheRuntimeMaintenance, Kind::CacheRuntime];
    match rec.spec.type_ {
        MaintenanceType::Rebuild => {
            out.push(Kind::Pod);
            if rec.spec.rebuild.as_ref().and_then(|r| r.reload_data) == Some(true) {
                out.push(Kind::Operation(OpKind::DataLoad));
            }
        }
        _ => out.push(Kind::AdvancedStatefulSet),
    }
    out
}

#[cfg(test)]
mod tests;
