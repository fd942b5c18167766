//! How the operator's input and the record's spec flags (`spec.paused`, `spec.abort`) move a run:
//! pause, resume, retry, confirm, abort.

use super::{Input, Machine, is_terminal, spec_flag_write};
use crate::model::maintenance::{MaintenancePhase, StepState};
use crate::model::meta::ConditionStatus;

impl Machine<'_> {
    pub(super) fn paused_by_request(&self) -> bool {
        self.st
            .conditions
            .iter()
            .any(|c| c.type_ == "Progressing" && c.reason.as_deref() == Some("PauseRequested"))
    }

    pub(super) fn run(&mut self, input: Input) {
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

    pub(super) fn pause(&mut self, why: &str) {
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

    pub(super) fn resume(&mut self, why: &str) {
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
}
