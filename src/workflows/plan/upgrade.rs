//! Planning an in-place upgrade (FLUID.md §4.3): every selected component to one image, pods
//! restarted in place, highest ordinal first.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::lookups::{
    current_version, ordinal_pods, phase_label, reference, remounts, unlocked_runtime,
};
use super::record::{join_components, record, step, tier_lines};
use super::{Plan, PlanSummary, PlannedChange, Refusal, UpgradeRequest};
use super::{check_serving, needs_force, not_syncable, short};
use crate::cluster::Store;
use crate::model::Component;
use crate::model::RuntimePhase;
use crate::model::health::component_enabled;
use crate::model::maintenance::{MaintenanceSpec, MaintenanceType};
use crate::model::pod::node_of;
use crate::model::runtime::RuntimeVersion;
use crate::workflows::Settings;
use crate::workflows::observe::{self, workload_name};

/// Plans an in-place upgrade (FLUID.md §4.3).
pub fn plan_upgrade(
    store: &Store,
    req: &UpgradeRequest,
    name: &str,
    now: Timestamp,
) -> Result<Plan, Refusal> {
    let key = &req.runtime;
    let rt = unlocked_runtime(store, key)?;
    if req.image.trim().is_empty() {
        return Err(Refusal::EmptyImage);
    }
    if req.image_tag.trim().is_empty() {
        return Err(Refusal::EmptyTag);
    }
    if req.components.contains(&Component::Client) {
        return Err(Refusal::ClientInUpgrade);
    }
    let class = store.class_of(rt);
    let mut components: Vec<Component> = if req.components.is_empty() {
        [Component::Master, Component::Worker]
            .into_iter()
            .filter(|&c| component_enabled(rt, class, c))
            .collect()
    } else {
        let mut v = Vec::new();
        for &c in &req.components {
            if !component_enabled(rt, class, c) {
                return Err(Refusal::ComponentAbsent { component: c });
            }
            if !v.contains(&c) {
                v.push(c);
            }
        }
        v
    };
    check_serving(store, rt, false)?;
    let mut warnings = Vec::new();
    if components.contains(&Component::Worker) {
        match rt.component_phase(Component::Worker) {
            RuntimePhase::Ready => {}
            RuntimePhase::PartialReady => warnings.push(
                "worker is PartialReady: some workers are not Ready before the upgrade; they will be restarted too"
                    .to_string(),
            ),
            other => {
                return Err(Refusal::WorkerNotReady {
                    phase: phase_label(&other),
                });
            }
        }
    }
    let target = RuntimeVersion {
        image: req.image.trim().to_string(),
        image_tag: req.image_tag.trim().to_string(),
        image_pull_policy: req.image_pull_policy.clone().filter(|p| !p.is_empty()),
    };
    let target_ref = reference(&target);
    let mut previous = BTreeMap::new();
    let mut skipped = Vec::new();
    components.retain(|&c| {
        let cur = current_version(store, rt, c).unwrap_or_default();
        let same = cur.image == target.image && cur.image_tag == target.image_tag;
        if same {
            skipped.push(c);
        } else {
            previous.insert(c.as_str().to_string(), cur);
        }
        !same
    });
    if components.is_empty() {
        return Err(Refusal::SameVersion {
            version: target_ref,
        });
    }
    for c in skipped {
        warnings.push(format!(
            "{c} already runs {target_ref}: left out of the run"
        ));
    }

    let mut settings = Settings::of(Some(&req.strategy));
    let pods_of: BTreeMap<Component, Vec<String>> = components
        .iter()
        .map(|&c| (c, ordinal_pods(store, rt, c)))
        .collect();
    if pods_of.values().all(|p| p.is_empty()) {
        return Err(Refusal::NoPodsMatch {
            selection: format!("components {}", join_components(&components)),
        });
    }
    for p in pods_of.values().flatten() {
        match observe::pod(store, &key.namespace, p) {
            Some(pod) if needs_force(store, pod) => warnings.push(format!(
                "{p}: {}; it cannot be updated until it is replaced — rebuild it first (force delete), or its step waits until it times out",
                observe::node_trouble(store, pod).unwrap_or_else(|| "stuck Terminating".into())
            )),
            None => warnings.push(format!(
                "{p} does not exist right now; its step waits for the workload to recreate it"
            )),
            _ => {}
        }
    }
    if settings.confirm_each_step
        && !settings.use_partition
        && pods_of.get(&Component::Worker).is_some_and(|p| p.len() > 1)
    {
        settings.use_partition = true;
        warnings.push(format!(
            "confirmEachStep with {} workers: usePartition is turned on, because Fluid updates every pod as soon as the runtime is patched and only a partition can hold them; the partition is set to the replica count, lowered one ordinal per confirmed step and put back to 0 at the end",
            pods_of[&Component::Worker].len()
        ));
    }
    if settings.max_unavailable > 1 {
        warnings.push(format!(
            "maxUnavailable {} does not apply to an upgrade: the AdvancedStatefulSet updates pods one at a time, highest ordinal first",
            settings.max_unavailable
        ));
    }
    if let Some(ops) = store
        .dataset(&key.namespace, &key.name)
        .and_then(|d| d.status.as_ref())
        .map(|s| &s.operation_ref)
    {
        // Fluid releases the lock a moment after an operation finishes: a finished one is not
        // running.
        let finished = |kind: &str, name: &str| {
            crate::model::OpKind::parse(kind).is_some_and(|k| {
                let okey = crate::model::ObjectKey::new(
                    crate::model::Kind::Operation(k),
                    key.namespace.clone(),
                    name,
                );
                matches!(store.get(&okey), Some(crate::model::Object::Operation(op))
                    if op.phase().is_terminal())
            })
        };
        let list: Vec<String> = ops
            .iter()
            .filter(|(k, v)| !finished(k, v))
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        if !list.is_empty() {
            warnings.push(format!(
                "Dataset has running operations ({}): they may fail while the engine restarts",
                list.join(", ")
            ));
        }
    }
    // Only client pods that exist keep an old image: upstream runs none until an application
    // pod uses the dataset (FLUID.md [obs]).
    if component_enabled(rt, class, Component::Client) {
        let client_img =
            observe::component_pods(store, &key.namespace, &key.name, Component::Client)
                .first()
                .and_then(|p| observe::spec_image(p))
                .map(str::to_string);
        if let Some(img) = client_img {
            warnings.push(format!(
                "client pods keep {img}: upstream never updates the client DaemonSet, check that it works with {target_ref}"
            ));
        }
    }
    for ns in not_syncable(store, key) {
        warnings.push(format!("not applied by this upgrade: {ns}"));
    }

    let remount = remounts(store, rt);
    let rt_target = format!("CacheRuntime/{}", key.name);
    let mut steps = vec![step(
        "preflight".into(),
        "Preflight",
        rt_target.clone(),
        "check Dataset Bound, master Ready, worker Ready; record the current versions".into(),
    )];
    let mut changes = Vec::new();
    for &c in &components {
        let prev = reference(&previous[c.as_str()]);
        let wl = workload_name(&key.name, c);
        let pods = &pods_of[&c];
        if settings.use_partition {
            steps.push(step(
                format!("partition-{c}"),
                "PatchPartition",
                format!("AdvancedStatefulSet/{wl}"),
                format!(
                    "set spec.updateStrategy.rollingUpdate.partition = {} so that no {c} pod updates yet",
                    pods.len()
                ),
            ));
            changes.push(PlannedChange {
                component: c,
                object: format!("AdvancedStatefulSet/{wl}"),
                change: format!(
                    "partition 0 → {} (held), lowered one ordinal per step, back to 0 at the end",
                    pods.len()
                ),
            });
        }
        steps.push(step(
            format!("patch-{c}"),
            "PatchRuntime",
            rt_target.clone(),
            format!("spec.{c}.runtimeVersion = {target_ref}"),
        ));
        changes.push(PlannedChange {
            component: c,
            object: rt_target.clone(),
            change: format!("spec.{c}.runtimeVersion {prev} → {target_ref}"),
        });
        for p in pods {
            let s = short(&key.name, p);
            if settings.use_partition {
                let ord = observe::ordinal(p).unwrap_or(0);
                steps.push(step(
                    format!("update-{s}"),
                    "PatchPartition",
                    format!("Pod/{p}"),
                    format!(
                        "lower the partition of {wl} to {ord} so that {p} updates in place, then wait for it"
                    ),
                ));
            } else {
                steps.push(step(
                    format!("wait-{s}"),
                    "Wait",
                    format!("Pod/{p}"),
                    format!("wait for {p} to run {target_ref} and be Ready"),
                ));
            }
            let node = observe::pod(store, &key.namespace, p)
                .and_then(node_of)
                .map(|n| format!(" on {n}"))
                .unwrap_or_default();
            changes.push(PlannedChange {
                component: c,
                object: format!("Pod/{p}"),
                change: format!(
                    "image {prev} → {target_ref}; container restarted in place{node} (same pod, UID and volumes)"
                ),
            });
        }
        if c == Component::Master && remount {
            steps.push(step(
                "remount-master".into(),
                "Wait",
                rt_target.clone(),
                "wait for Fluid to remount the UFS after the master restart (status.mountTime after the master start, Dataset Bound)".into(),
            ));
            changes.push(PlannedChange {
                component: c,
                object: format!("Dataset/{}", key.name),
                change: "Fluid re-runs mountUFS after the master restart (Dataset Bound → Updating → Bound)".into(),
            });
        }
    }
    steps.push(step(
        "verify".into(),
        "Wait",
        rt_target,
        "every component Ready, Dataset Bound".into(),
    ));

    let mut stays = vec![
        "pods keep their names, UIDs and nodes: image-only changes are applied in place (container restart, restartCount +1)".to_string(),
        "the AdvancedStatefulSets and the client DaemonSet are not re-created".to_string(),
    ];
    for &c in &components {
        stays.extend(tier_lines(rt, c, false));
    }
    let mut spec = MaintenanceSpec {
        runtime_name: key.name.clone(),
        type_: MaintenanceType::Upgrade,
        components: components.iter().map(|c| c.as_str().to_string()).collect(),
        upgrade: Some(target),
        strategy: Some(settings.to_strategy()),
        ..Default::default()
    };
    spec.rebuild = None;
    let rec = record(name, key, spec, steps, previous, now);
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
