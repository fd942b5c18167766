//! One pure step of a run: [`advance`] looks at the record, the store and the time, takes the
//! operator's input, and says what to commit (the record's new status), what to send to the
//! cluster afterwards, and what to ask.
//!
//! The driver's contract: commit `Decision::status` with [`record_status_write`] (a merge patch
//! of the status subresource that names the record's resourceVersion, so a stale console gets a
//! 409 instead of acting twice); only when that commit succeeded, send `Decision::writes` in
//! order; if one is refused, report it with [`write_failed`] and commit that decision too.
//! [`super::driver::Drive`] keeps this contract for the console and the tests.
//!
//! The machine's seams:
//! - `steps`: what each step does, read from its name, action and target, and the facts the
//!   record already holds (versions, recorded pods).
//! - `checks`: whether the cluster shows a running step's effect yet.
//! - `health`: the health gate before a step that changes the cluster, Preflight and Verify.
//! - `writes`: the writes a step sends, the lock, the clean-up, the status commit.
//! - `prompts`: what the operator is asked before a step.
//! - `inputs`: pause, resume, retry, confirm and abort, by the operator or the record's spec.
//! - `finish`: how a run ends or turns back: success, a failed step, abort, rollback.

mod checks;
mod finish;
mod health;
mod inputs;
mod prompts;
mod steps;
mod writes;

use jiff::Timestamp;

use self::checks::Check;
use self::steps::{StepKind, is_rollback_name};
pub use self::writes::{describe_write, record_status_write, spec_flag_write, written_kinds};
use super::Settings;
use super::observe::{self, component_of_name};
use crate::cluster::Store;
use crate::cluster::writer::WriteOp;
use crate::model::maintenance::{
    MaintenancePhase, MaintenanceStatus, MaintenanceStep, MaintenanceType, StepState,
};
use crate::model::meta::{Condition, ConditionStatus, format_time, parse_time};
use crate::model::{CacheRuntimeMaintenance, Component};

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

/// One [`advance`] or [`write_failed`] at work: the record, what the store shows, and the status
/// it builds with the writes and the prompt that go with it.
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
                            && elapsed >= self.settings.step_timeout_seconds
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
}

#[cfg(test)]
pub(crate) mod tests;
