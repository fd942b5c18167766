//! The record a plan creates (spec, and a status whose steps are all `Pending`) and the summary
//! lines both plans share.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::model::maintenance::{
    MaintenancePhase, MaintenanceSpec, MaintenanceStatus, MaintenanceStep, StepState,
};
use crate::model::meta::{ObjectMeta, format_time};
use crate::model::runtime::RuntimeVersion;
use crate::model::{CacheRuntime, CacheRuntimeMaintenance, Component, ObjectKey};
use crate::workflows::RUNTIME_LABEL;

pub(crate) fn step(name: String, action: &str, target: String, message: String) -> MaintenanceStep {
    MaintenanceStep {
        name,
        action: Some(action.to_string()),
        target: Some(target),
        state: StepState::Pending,
        message: (!message.is_empty()).then_some(message),
        ..Default::default()
    }
}

pub(super) fn record(
    name: &str,
    runtime: &ObjectKey,
    spec: MaintenanceSpec,
    steps: Vec<MaintenanceStep>,
    previous: BTreeMap<String, RuntimeVersion>,
    now: Timestamp,
) -> CacheRuntimeMaintenance {
    let mut labels = BTreeMap::new();
    labels.insert(RUNTIME_LABEL.to_string(), runtime.name.clone());
    CacheRuntimeMaintenance {
        api_version: crate::model::maintenance::MAINTENANCE_API_VERSION.into(),
        kind: "CacheRuntimeMaintenance".into(),
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(runtime.namespace.clone()),
            labels: Some(labels),
            ..Default::default()
        },
        spec,
        status: Some(MaintenanceStatus {
            phase: MaintenancePhase::Planned,
            previous,
            current_step: Some(0),
            steps,
            conditions: vec![crate::model::Condition {
                type_: "Progressing".into(),
                status: crate::model::ConditionStatus::Unknown,
                reason: Some("Planned".into()),
                message: Some("waiting for the operator to confirm the plan".into()),
                last_transition_time: Some(format_time(now)),
                ..Default::default()
            }],
            ..Default::default()
        }),
    }
}

/// What happens to each tier of a component's cache on an in-place restart (`rebuild` false) or
/// when the pod is recreated (`rebuild` true).
pub(super) fn tier_lines(rt: &CacheRuntime, c: Component, rebuild: bool) -> Vec<String> {
    let levels = rt
        .component_spec(c)
        .and_then(|s| s.extra.get("tieredStore"))
        .as_ref()
        .and_then(|t| t.get("levels"))
        .and_then(|l| l.as_array())
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (i, level) in levels.iter().enumerate() {
        let quota = |v: &serde_json::Value| {
            v.get("quota")
                .and_then(|q| q.as_str())
                .map(|q| format!(" {q}"))
                .unwrap_or_default()
        };
        // The strings of an array field (`hostPath.paths`, `hostPath.quotas`).
        let strings = |v: &serde_json::Value, field: &str| -> Vec<String> {
            v.get(field)
                .and_then(|p| p.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|p| p.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let line = if let Some(pm) = level.get("processMemory") {
            format!(
                "{c} tier level-{i} processMemory{}: lost (engine memory does not survive a restart)",
                quota(pm)
            )
        } else if let Some(ed) = level.get("emptyDir") {
            let medium = ed
                .get("medium")
                .and_then(|m| m.as_str())
                .filter(|m| !m.is_empty())
                .map(|m| format!(" medium {m}"))
                .unwrap_or_default();
            if rebuild {
                format!(
                    "{c} tier level-{i} emptyDir{}{medium}: lost (a recreated pod gets a new, empty emptyDir)",
                    quota(ed)
                )
            } else {
                format!(
                    "{c} tier level-{i} emptyDir{}{medium}: kept (an in-place restart keeps the pod's volumes)",
                    quota(ed)
                )
            }
        } else if let Some(hp) = level.get("hostPath") {
            let what = format!(
                "{c} tier level-{i} hostPath {} {}",
                strings(hp, "paths").join(","),
                strings(hp, "quotas").join(",")
            );
            if rebuild {
                format!(
                    "{}: old files stay on the node; a recreated pod sees them only if it lands on the same node (reuse is engine behaviour)",
                    what.trim_end()
                )
            } else {
                format!("{}: kept (same node, same directory)", what.trim_end())
            }
        } else {
            format!("{c} tier level-{i}: unknown medium")
        };
        out.push(line);
    }
    out
}

pub(super) fn join_components(cs: &[Component]) -> String {
    cs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
}
