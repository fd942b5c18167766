//! Whether the cluster shows a running step's effect yet: done (with the facts seen), still
//! waiting (and on what), or failed.

use std::collections::BTreeMap;

use super::Machine;
use super::steps::StepKind;
use crate::model::meta::parse_time;
use crate::model::pod::{is_ready, node_of};
use crate::model::runtime::RuntimeVersion;
use crate::model::{Component, OpPhase, RuntimePhase};
use crate::workflows::observe::{self, ordinal, workload_name};

pub(super) enum Check {
    Done(BTreeMap<String, String>, Option<String>),
    Waiting(String),
    Failed(String),
}

impl Machine<'_> {
    pub(super) fn check(&self, i: usize) -> Check {
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

    pub(super) fn check_patched(&self, c: Component, v: &RuntimeVersion) -> Check {
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

    pub(super) fn check_pod_image(&self, i: usize, p: &str, image: &str) -> Check {
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
    pub(super) fn bad_for_long(&self, i: usize, pod: &crate::model::Pod) -> Option<String> {
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

    pub(super) fn check_recreated(&self, i: usize, p: &str, c: Component) -> Check {
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
}

pub(super) fn obs<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
