//! What the store says about a runtime, shared by both plans and by the machine's Preflight:
//! who holds its lock, whether it serves data, the versions its components run, its pods.

use super::Refusal;
use crate::cluster::Store;
use crate::model::health::component_enabled;
use crate::model::maintenance::MaintenancePhase;
use crate::model::runtime::RuntimeVersion;
use crate::model::{CacheRuntime, Component, DatasetPhase, ObjectKey, RuntimePhase};
use crate::workflows::LOCK_ANNOTATION;
use crate::workflows::observe::{self, name as pod_name, workload_name};

/// The runtime a run is planned for: refused when it is not in the store or another
/// maintenance holds it.
pub(super) fn unlocked_runtime<'s>(
    store: &'s Store,
    key: &ObjectKey,
) -> Result<&'s CacheRuntime, Refusal> {
    let label = format!("{}/{}", key.namespace, key.name);
    let rt = store
        .runtime(&key.namespace, &key.name)
        .ok_or_else(|| Refusal::RuntimeNotFound {
            runtime: label.clone(),
        })?;
    match lock_holder(store, rt) {
        Some(by) => Err(Refusal::Locked { runtime: label, by }),
        None => Ok(rt),
    }
}

/// The maintenance holding a runtime, if any: the lock annotation, else an active record.
pub fn lock_holder(store: &Store, rt: &CacheRuntime) -> Option<String> {
    if let Some(by) = rt
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(LOCK_ANNOTATION))
    {
        return Some(by.clone());
    }
    let ns = rt.metadata.namespace.as_deref().unwrap_or("");
    let name = rt.metadata.name.as_deref().unwrap_or("");
    store
        .maintenances()
        .filter(|m| m.metadata.namespace.as_deref() == Some(ns) && m.spec.runtime_name == name)
        .find(|m| {
            matches!(
                m.phase(),
                MaintenancePhase::Running | MaintenancePhase::Paused
            )
        })
        .map(|m| m.metadata.name.clone().unwrap_or_default())
}

pub(super) fn phase_label(p: &RuntimePhase) -> String {
    match p {
        RuntimePhase::None => "not set up (\"\")".into(),
        other => other.to_string(),
    }
}

fn dataset_phase_label(p: &DatasetPhase) -> String {
    match p {
        DatasetPhase::None => "None".into(),
        other => other.to_string(),
    }
}

/// Dataset Bound, master Ready (when the runtime has one). Used at plan time and by Preflight.
pub(crate) fn check_serving(
    store: &Store,
    rt: &CacheRuntime,
    master_rebuilt: bool,
) -> Result<(), Refusal> {
    let ns = rt.metadata.namespace.as_deref().unwrap_or("");
    let name = rt.metadata.name.as_deref().unwrap_or("");
    let Some(ds) = store.dataset(ns, name) else {
        return Err(Refusal::DatasetNotFound {
            dataset: format!("{ns}/{name}"),
        });
    };
    if ds.phase() != DatasetPhase::Bound {
        return Err(Refusal::DatasetNotBound {
            dataset: format!("{ns}/{name}"),
            phase: dataset_phase_label(&ds.phase()),
        });
    }
    let class = store.class_of(rt);
    if !master_rebuilt
        && component_enabled(rt, class, Component::Master)
        && rt.component_phase(Component::Master) != RuntimePhase::Ready
    {
        return Err(Refusal::MasterNotReady {
            phase: phase_label(&rt.component_phase(Component::Master)),
        });
    }
    Ok(())
}

/// `image:tag` split at the last `:` after the last `/` (a registry port is not a tag).
pub fn split_image(reference: &str) -> RuntimeVersion {
    let slash = reference.rfind('/').map(|i| i + 1).unwrap_or(0);
    match reference[slash..].rfind(':') {
        Some(i) => RuntimeVersion {
            image: reference[..slash + i].to_string(),
            image_tag: reference[slash + i + 1..].to_string(),
            image_pull_policy: None,
        },
        None => RuntimeVersion {
            image: reference.to_string(),
            image_tag: String::new(),
            image_pull_policy: None,
        },
    }
}

/// The version a component runs before the run: `spec.<c>.runtimeVersion` when image and tag are
/// set, else the AdvancedStatefulSet container[0] image, else the class template's.
pub fn current_version(store: &Store, rt: &CacheRuntime, c: Component) -> Option<RuntimeVersion> {
    if let Some(v) = rt
        .component_spec(c)
        .and_then(|s| s.runtime_version.as_ref())
        .filter(|v| v.reference().is_some())
    {
        return Some(RuntimeVersion {
            image: v.image.clone(),
            image_tag: v.image_tag.clone(),
            image_pull_policy: None,
        });
    }
    let ns = rt.metadata.namespace.as_deref().unwrap_or("");
    let name = rt.metadata.name.as_deref().unwrap_or("");
    if let Some(img) =
        observe::workload(store, ns, &workload_name(name, c)).and_then(|w| w.engine_image())
    {
        return Some(split_image(img));
    }
    store
        .class_of(rt)
        .and_then(|cl| cl.component(c))
        .and_then(|d| d.engine_image())
        .map(split_image)
}

pub(super) fn reference(v: &RuntimeVersion) -> String {
    if v.image_tag.is_empty() {
        v.image.clone()
    } else {
        format!("{}:{}", v.image, v.image_tag)
    }
}

/// Whether Fluid remounts after a master restart: the runtime has a master and the class a
/// `mountUFS` entry on it.
pub fn remounts(store: &Store, rt: &CacheRuntime) -> bool {
    let class = store.class_of(rt);
    component_enabled(rt, class, Component::Master)
        && class
            .and_then(|c| c.component(Component::Master))
            .and_then(|m| m.execution_entries.as_ref())
            .is_some_and(|e| e.mount_ufs.is_some())
}

/// Pod names a component should have: existing pods plus every ordinal below `replicas`,
/// highest ordinal first.
pub(super) fn ordinal_pods(store: &Store, rt: &CacheRuntime, c: Component) -> Vec<String> {
    let ns = rt.metadata.namespace.as_deref().unwrap_or("");
    let name = rt.metadata.name.as_deref().unwrap_or("");
    let mut names: Vec<String> = observe::component_pods(store, ns, name, c)
        .into_iter()
        .map(|p| pod_name(p).to_string())
        .collect();
    let replicas = rt
        .component_spec(c)
        .and_then(|s| s.replicas)
        .or_else(|| {
            observe::workload(store, ns, &workload_name(name, c)).and_then(|w| w.spec.replicas)
        })
        .unwrap_or(names.len() as i32);
    for i in 0..replicas.max(0) {
        let n = format!("{}-{i}", workload_name(name, c));
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names.retain(|n| observe::ordinal(n).is_some_and(|i| i < replicas.max(0)));
    names.sort_by_key(|n| std::cmp::Reverse(observe::ordinal(n).unwrap_or(-1)));
    names
}
