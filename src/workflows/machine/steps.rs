//! What each step of a record does, read from its name, action and target, and the facts the
//! record already holds (the target and previous versions, what Preflight saw of each pod).

use super::Machine;
use crate::model::Component;
use crate::model::maintenance::StepState;
use crate::model::runtime::RuntimeVersion;
use crate::workflows::observe::component_of_name;

/// What a step does, read from its name, action and target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum StepKind {
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

pub(super) fn is_rollback_name(n: &str) -> bool {
    n.starts_with("rollback-")
}

impl Machine<'_> {
    pub(super) fn kind_of(&self, i: usize) -> StepKind {
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
    pub(super) fn writes_to_cluster(k: &StepKind) -> bool {
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

    pub(super) fn rolling_back(&self) -> bool {
        self.st
            .steps
            .iter()
            .any(|s| s.action.as_deref() == Some("Rollback"))
    }

    /// The step the run stands at: the first one not Done/Skipped (once a rollback started, among
    /// the rollback steps only).
    pub(super) fn current(&self) -> Option<usize> {
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

    pub(super) fn target_version(&self) -> RuntimeVersion {
        self.rec.spec.upgrade.clone().unwrap_or_default()
    }

    /// `image:tag` of the version an upgrade moves to (empty when unset).
    pub(super) fn target_reference(&self) -> String {
        self.rec
            .spec
            .upgrade
            .as_ref()
            .and_then(RuntimeVersion::reference)
            .unwrap_or_default()
    }

    pub(super) fn previous(&self, c: Component) -> Option<RuntimeVersion> {
        self.st.previous.get(c.as_str()).cloned()
    }

    pub(super) fn recorded_uid(&self, pod: &str) -> Option<String> {
        self.st
            .steps
            .iter()
            .find_map(|s| s.observed.get(&format!("pod/{pod}.uid")).cloned())
    }

    pub(super) fn recorded(&self, key: &str) -> Option<String> {
        self.st
            .steps
            .iter()
            .find_map(|s| s.observed.get(key).cloned())
    }

    /// Pods named by step targets, in step order, without repeats.
    pub(super) fn pods_in_steps(&self) -> Vec<String> {
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

    pub(super) fn anything_patched(&self) -> bool {
        (0..self.st.steps.len()).any(|i| {
            self.st.steps[i].started_at.is_some()
                && matches!(self.kind_of(i), StepKind::PatchRuntime(_))
        })
    }

    pub(super) fn was_patched(&self, c: Component) -> bool {
        (0..self.st.steps.len()).any(|i| {
            self.st.steps[i].started_at.is_some() && self.kind_of(i) == StepKind::PatchRuntime(c)
        })
    }
}
