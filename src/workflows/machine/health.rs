//! Checks on the whole runtime: the health gate before a step that changes the cluster, and the
//! Preflight and Verify steps.

use std::collections::BTreeMap;

use super::Machine;
use super::checks::{Check, obs};
use super::steps::StepKind;
use crate::model::health::OverallPhase;
use crate::model::maintenance::StepState;
use crate::model::pod::{is_ready, node_of};
use crate::model::{Component, DatasetPhase, OpPhase, RuntimePhase};
use crate::workflows::observe::{self, component_of_name, workload_name};
use crate::workflows::plan::{self, lock_holder};

impl Machine<'_> {
    pub(super) fn healthy_for(&self, i: usize, kind: &StepKind) -> Result<(), String> {
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

    pub(super) fn check_preflight(&self) -> Check {
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

    pub(super) fn check_verify(&self, rollback: bool) -> Check {
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
}
