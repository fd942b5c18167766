//! What the operator is asked before a run starts and before a step that needs a confirmation.

use super::steps::StepKind;
use super::writes::describe_write;
use super::{Machine, Prompt};
use crate::model::Component;
use crate::workflows::LOCK_ANNOTATION;
use crate::workflows::observe::{component_of_name, workload_name};

impl Machine<'_> {
    pub(super) fn prompt_for(&self, i: usize, kind: &StepKind) -> Prompt {
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
