//! How a run ends or turns back: success, a failed step, an abort, a rollback (and the versions
//! Preflight records for it).

use std::collections::BTreeMap;

use super::Machine;
use super::steps::{StepKind, is_rollback_name};
use crate::model::Component;
use crate::model::maintenance::{MaintenancePhase, StepState};
use crate::model::meta::ConditionStatus;
use crate::workflows::plan::{current_version, short, step};

impl Machine<'_> {
    pub(super) fn terminate(&mut self, phase: MaintenancePhase, reason: &str, message: &str) {
        self.st.phase = phase;
        self.st.finished_at = Some(self.now_s());
        self.clear_condition("AwaitingConfirmation");
        self.set_condition("Progressing", ConditionStatus::False, reason, message);
        if self.st.started_at.is_some() {
            self.finish_writes();
        }
    }

    pub(super) fn finish_success(&mut self) {
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

    pub(super) fn record_previous(&mut self) {
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

    pub(super) fn fail(&mut self, i: usize, msg: String, reason: &str) {
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

    pub(super) fn abort(&mut self) {
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

    pub(super) fn start_rollback(&mut self, why: &str) {
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
}
