//! Planning an in-place rebuild (FLUID.md §4.4): selected pods deleted in batches and waited for
//! until their workloads recreate them, optionally followed by a re-warm DataLoad.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::lookups::{remounts, unlocked_runtime};
use super::record::{join_components, record, step, tier_lines};
use super::{Plan, PlanSummary, PlannedChange, RebuildRequest, Refusal};
use super::{check_serving, not_syncable, rewarm_name, short};
use crate::cluster::Store;
use crate::model::health::{component_enabled, operation_supported};
use crate::model::maintenance::{MaintenanceSpec, MaintenanceType, RebuildSpec};
use crate::model::operation::TargetPath;
use crate::model::pod::node_of;
use crate::model::{Component, OpKind, Pod};
use crate::workflows::Settings;
use crate::workflows::observe::{self, name as pod_name};

/// Whether a pod needs a force delete to go away (its node is lost or it is stuck Terminating).
pub fn needs_force(store: &Store, p: &Pod) -> bool {
    observe::is_terminating(p) || observe::node_trouble(store, p).is_some()
}

/// Plans an in-place rebuild (FLUID.md §4.4).
pub fn plan_rebuild(
    store: &Store,
    req: &RebuildRequest,
    name: &str,
    now: Timestamp,
) -> Result<Plan, Refusal> {
    let key = &req.runtime;
    let rt = unlocked_runtime(store, key)?;
    let reason = if req.reason.is_empty() {
        "Manual".to_string()
    } else {
        req.reason.clone()
    };
    if !["NodeFailure", "ConfigChange", "Manual"].contains(&reason.as_str()) {
        return Err(Refusal::InvalidReason { reason });
    }
    let class = store.class_of(rt);
    for &c in &req.components {
        if !component_enabled(rt, class, c) {
            return Err(Refusal::ComponentAbsent { component: c });
        }
    }
    let all: Vec<&Pod> = store.pods_of_runtime(&key.namespace, &key.name);
    let mut selected: Vec<&Pod> = Vec::new();
    let selection;
    if !req.pods.is_empty() {
        for want in &req.pods {
            let Some(p) = all.iter().find(|p| pod_name(p) == want) else {
                return Err(Refusal::PodNotFound { pod: want.clone() });
            };
            let c = crate::model::pod::component_of(p);
            if !req.components.is_empty() && !c.is_some_and(|c| req.components.contains(&c)) {
                continue;
            }
            selected.push(p);
        }
        selection = format!("pods {}", req.pods.join(", "));
    } else {
        let comps: Vec<Component> = if req.components.is_empty() {
            vec![Component::Worker]
        } else {
            req.components.clone()
        };
        selected = all
            .iter()
            .copied()
            .filter(|p| crate::model::pod::component_of(p).is_some_and(|c| comps.contains(&c)))
            .filter(|p| {
                req.nodes.is_empty() || node_of(p).is_some_and(|n| req.nodes.iter().any(|x| x == n))
            })
            .collect();
        selection = if req.nodes.is_empty() {
            format!("components {}", join_components(&comps))
        } else {
            format!(
                "components {} on nodes {}",
                join_components(&comps),
                req.nodes.join(", ")
            )
        };
    }
    if selected.is_empty() {
        return Err(Refusal::NoPodsMatch { selection });
    }
    // Order: master, then workers from the highest ordinal, then clients.
    selected.sort_by_key(|p| {
        let c = crate::model::pod::component_of(p).unwrap_or(Component::Worker);
        let n = pod_name(p).to_string();
        (c, std::cmp::Reverse(observe::ordinal(&n).unwrap_or(-1)), n)
    });
    let clients: Vec<String> = selected
        .iter()
        .filter(|p| crate::model::pod::component_of(p) == Some(Component::Client))
        .map(|p| pod_name(p).to_string())
        .collect();
    if !clients.is_empty() && !req.client_confirmed {
        return Err(Refusal::ClientNotConfirmed { pods: clients });
    }
    let master_rebuilt = selected
        .iter()
        .any(|p| crate::model::pod::component_of(p) == Some(Component::Master));
    check_serving(store, rt, master_rebuilt)?;
    if req.reload_data
        && let Err(reason) = operation_supported(OpKind::DataLoad, class)
    {
        return Err(Refusal::RewarmUnsupported { reason });
    }

    let settings = Settings::of(Some(&req.strategy));
    let mut warnings = Vec::new();
    if settings.use_partition {
        warnings.push("usePartition applies to upgrades only; a rebuild ignores it".into());
    }
    if settings.rollback_on_failure {
        warnings.push(
            "rollbackOnFailure: a rebuild has no rollback (deleted pods cannot be restored); a failed step pauses the run".into(),
        );
    }
    let rt_target = format!("CacheRuntime/{}", key.name);
    let remount = remounts(store, rt);
    let mut steps = vec![step(
        "preflight".into(),
        "Preflight",
        rt_target.clone(),
        "record the affected pods (UID, node, phase) and check Dataset Bound, master Ready".into(),
    )];
    let mut changes = Vec::new();
    let mut batch: Vec<&Pod> = Vec::new();
    let mut batches: Vec<Vec<&Pod>> = Vec::new();
    for p in &selected {
        let c = crate::model::pod::component_of(p);
        let same_component = batch
            .first()
            .is_none_or(|q| crate::model::pod::component_of(q) == c);
        let limit = if c == Some(Component::Master) {
            1
        } else {
            settings.max_unavailable as usize
        };
        if !batch.is_empty() && (!same_component || batch.len() >= limit) {
            batches.push(std::mem::take(&mut batch));
        }
        batch.push(p);
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    for b in &batches {
        for p in b {
            let n = pod_name(p);
            let s = short(&key.name, n);
            let c = crate::model::pod::component_of(p).unwrap_or(Component::Worker);
            let node = node_of(p).unwrap_or("?");
            let trouble = observe::node_trouble(store, p);
            let force = req.force_delete_lost_pods && needs_force(store, p);
            if force {
                steps.push(step(
                    format!("force-delete-{s}"),
                    "ForceDeletePod",
                    format!("Pod/{n}"),
                    format!(
                        "delete {n} with grace period 0: {}",
                        trouble
                            .clone()
                            .unwrap_or_else(|| "stuck Terminating".into())
                    ),
                ));
            } else {
                steps.push(step(
                    format!("delete-{s}"),
                    "DeletePod",
                    format!("Pod/{n}"),
                    format!("delete {n} (normal grace period); its workload recreates it"),
                ));
                if needs_force(store, p) {
                    warnings.push(format!(
                        "{n}: {}; a normal delete does not complete while the node is gone — set forceDeleteLostPods if the node is really down",
                        trouble.clone().unwrap_or_else(|| "stuck Terminating".into())
                    ));
                }
            }
            let recreate = if c == Component::Client {
                format!(
                    "the client DaemonSet starts a new fuse pod on {node}; app pods on {node} lose their FUSE mount until it is back"
                )
            } else {
                format!("recreated as {n} with a new UID, possibly on another node than {node}")
            };
            changes.push(PlannedChange {
                component: c,
                object: format!("Pod/{n}"),
                change: format!(
                    "{} ({}); {recreate}",
                    if force { "force-deleted" } else { "deleted" },
                    trouble.unwrap_or_else(|| format!("on {node}, {}", observe::pod_state_line(p)))
                ),
            });
        }
        for p in b {
            let n = pod_name(p);
            let s = short(&key.name, n);
            steps.push(step(
                format!("wait-{s}"),
                "Wait",
                format!("Pod/{n}"),
                format!("wait for a new {n} (new UID) to be Running and Ready"),
            ));
        }
        if remount
            && b.iter()
                .any(|p| crate::model::pod::component_of(p) == Some(Component::Master))
        {
            steps.push(step(
                "remount-master".into(),
                "Wait",
                rt_target.clone(),
                "wait for Fluid to remount the UFS after the master restart".into(),
            ));
        }
    }
    let mut rebuild = RebuildSpec {
        reason: Some(reason.clone()),
        nodes: req.nodes.clone(),
        pods: req.pods.clone(),
        force_delete_lost_pods: Some(req.force_delete_lost_pods),
        reload_data: Some(req.reload_data),
        data_load: None,
        ..Default::default()
    };
    if req.reload_data {
        let mut dl = req.data_load.clone().unwrap_or_default();
        if dl.target.is_empty() {
            dl.target = vec![TargetPath {
                path: "/".into(),
                ..Default::default()
            }];
        }
        let paths: Vec<String> = dl.target.iter().map(|t| t.path.clone()).collect();
        let dl_name = rewarm_name(name);
        steps.push(step(
            "rewarm".into(),
            "CreateDataLoad",
            format!("DataLoad/{dl_name}"),
            format!("create DataLoad {dl_name} (Once) for {}", paths.join(", ")),
        ));
        steps.push(step(
            "wait-rewarm".into(),
            "Wait",
            format!("DataLoad/{dl_name}"),
            format!("wait for DataLoad {dl_name} to be Complete"),
        ));
        changes.push(PlannedChange {
            component: Component::Worker,
            object: format!("DataLoad/{dl_name}"),
            change: format!(
                "created to re-warm {}{}",
                paths.join(", "),
                if dl.load_metadata == Some(true) {
                    " (with metadata)"
                } else {
                    ""
                }
            ),
        });
        rebuild.data_load = Some(dl);
    }
    steps.push(step(
        "verify".into(),
        "Wait",
        rt_target,
        if req.reload_data {
            "runtime Ready, re-warm DataLoad Complete".into()
        } else {
            "runtime Ready".into()
        },
    ));

    let mut stays = vec![
        "the AdvancedStatefulSets and the client DaemonSet: only pods are deleted, never workloads (Fluid would not re-create them)".to_string(),
        "pod names: a recreated master/worker keeps its ordinal name".to_string(),
    ];
    let untouched: Vec<String> = all
        .iter()
        .filter(|p| !selected.iter().any(|s| pod_name(s) == pod_name(p)))
        .map(|p| pod_name(p).to_string())
        .collect();
    if !untouched.is_empty() {
        stays.push(format!("untouched pods: {}", untouched.join(", ")));
    }
    let mut comps: Vec<Component> = selected
        .iter()
        .filter_map(|p| crate::model::pod::component_of(p))
        .collect();
    comps.dedup();
    for &c in &comps {
        stays.extend(tier_lines(rt, c, true));
    }
    if !req.reload_data {
        stays.push(
            "the cache is not re-warmed: recreated workers start empty and fill on first reads"
                .into(),
        );
    }
    if reason == "ConfigChange" {
        for ns in not_syncable(store, key) {
            warnings.push(format!("not applied by a rebuild: {ns}"));
        }
    }
    let spec = MaintenanceSpec {
        runtime_name: key.name.clone(),
        type_: MaintenanceType::Rebuild,
        components: comps.iter().map(|c| c.as_str().to_string()).collect(),
        rebuild: Some(rebuild),
        strategy: Some(settings.to_strategy()),
        ..Default::default()
    };
    let rec = record(name, key, spec, steps, BTreeMap::new(), now);
    Ok(Plan {
        record: rec,
        summary: PlanSummary {
            changes,
            stays,
            warnings,
            max_unavailable: settings.max_unavailable,
        },
    })
}
