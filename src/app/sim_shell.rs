//! Which container `s` opens a shell in, and the demo cluster's simulated shell: the answers to
//! the engine's common status commands (for Curvine: `cv report`, `cv mount`, `cv fs ls`),
//! taken from what the console holds about the pod's runtime and dataset. Pure.

use super::strings;
use crate::cluster::Store;
use crate::model::pod::{component_of, runtime_of};
use crate::model::{Component, Kind, Object, ObjectKey};

/// The containers of a pod, in its spec's order, and the one to open by default: the engine's
/// (named after the pod's component, or the only one; else the first).
pub fn containers(store: &Store, pod: &ObjectKey) -> Option<(Vec<String>, usize)> {
    let Some(Object::Pod(p)) = store.get(pod) else {
        return None;
    };
    let names: Vec<String> = p
        .spec
        .as_ref()
        .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    if names.is_empty() {
        return None;
    }
    let component = component_of(p).map(|c| c.to_string().to_ascii_lowercase());
    let engine = names
        .iter()
        .position(|n| {
            component
                .as_deref()
                .is_some_and(|c| n == c || n.ends_with(&format!("-{c}")))
        })
        .unwrap_or(0);
    Some((names, engine))
}

/// What the simulated shell does with a line.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Lines(Vec<String>),
    Exit,
}

pub fn prompt(pod: &ObjectKey, container: &str) -> String {
    strings::sim_shell_prompt(&pod.name, container)
}

pub fn banner(pod: &ObjectKey, container: &str) -> Vec<String> {
    strings::sim_shell_banner(&pod.namespace, &pod.name, container)
}

/// The answer to one typed line.
pub fn answer(store: &Store, pod: &ObjectKey, line: &str) -> Reply {
    let words: Vec<&str> = line.split_whitespace().collect();
    let lines = match words.as_slice() {
        [] => Vec::new(),
        ["exit"] | ["logout"] => return Reply::Exit,
        ["help"] | ["cv"] | ["cv", "help"] => strings::SIM_SHELL_HELP
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ["cv", "report", ..] => report(store, pod),
        ["cv", "mount", ..] => mounts(store, pod),
        ["cv", "fs", "ls"] => ls(store, pod, "/"),
        ["cv", "fs", "ls", path, ..] => ls(store, pod, path),
        [cmd, ..] => vec![strings::sim_shell_unknown(cmd)],
    };
    Reply::Lines(lines)
}

/// The pod's runtime and its dataset (Fluid names them alike).
fn runtime_and_dataset<'s>(
    store: &'s Store,
    pod: &ObjectKey,
) -> (
    Option<&'s crate::model::CacheRuntime>,
    Option<&'s crate::model::Dataset>,
) {
    let Some(Object::Pod(p)) = store.get(pod) else {
        return (None, None);
    };
    let Some(name) = runtime_of(p) else {
        return (None, None);
    };
    let runtime = match store.get(&ObjectKey::new(Kind::CacheRuntime, &pod.namespace, name)) {
        Some(Object::Runtime(r)) => Some(&**r),
        _ => None,
    };
    let dataset = match store.get(&ObjectKey::new(Kind::Dataset, &pod.namespace, name)) {
        Some(Object::Dataset(d)) => Some(&**d),
        _ => None,
    };
    (runtime, dataset)
}

fn report(store: &Store, pod: &ObjectKey) -> Vec<String> {
    let (runtime, dataset) = runtime_and_dataset(store, pod);
    let Some(rt) = runtime else {
        return vec![strings::SIM_SHELL_NO_RUNTIME.to_string()];
    };
    let count = |c: Component| {
        rt.component_status(c).map_or((0, 0), |s| {
            (
                s.ready_replicas.unwrap_or(0),
                s.desired_replicas.unwrap_or(0),
            )
        })
    };
    let cache = |k: &str| {
        dataset
            .as_ref()
            .and_then(|d| d.cache_state(k))
            .unwrap_or("-")
            .to_string()
    };
    let (master_ready, masters) = count(Component::Master);
    let (workers_live, workers) = count(Component::Worker);
    strings::sim_shell_report(&strings::SimReport {
        runtime: &format!(
            "{}/{}",
            pod.namespace,
            rt.metadata.name.as_deref().unwrap_or("")
        ),
        masters: (master_ready, masters),
        workers: (workers_live, workers),
        capacity: &cache("cacheCapacity"),
        cached: &cache("cached"),
        percentage: &cache("cachedPercentage"),
    })
}

/// The dataset's mounts as `(mount point, path under the cache root)`.
fn mount_table(store: &Store, pod: &ObjectKey) -> Option<Vec<(String, String)>> {
    let (_, dataset) = runtime_and_dataset(store, pod);
    let d = dataset?;
    Some(
        d.spec
            .mounts
            .iter()
            .map(|m| (m.mount_point.clone(), m.cache_path()))
            .collect(),
    )
}

fn mounts(store: &Store, pod: &ObjectKey) -> Vec<String> {
    match mount_table(store, pod) {
        None => vec![strings::SIM_SHELL_NO_DATASET.to_string()],
        Some(t) if t.is_empty() => vec![strings::SIM_SHELL_NO_MOUNTS.to_string()],
        Some(t) => t
            .iter()
            .map(|(ufs, path)| strings::sim_shell_mount_line(path, ufs))
            .collect(),
    }
}

fn ls(store: &Store, pod: &ObjectKey, path: &str) -> Vec<String> {
    let Some(table) = mount_table(store, pod) else {
        return vec![strings::SIM_SHELL_NO_DATASET.to_string()];
    };
    if path.trim_end_matches('/').is_empty() {
        return table
            .iter()
            .map(|(_, p)| strings::sim_shell_dir_line(p))
            .collect();
    }
    match table
        .iter()
        .find(|(_, p)| p.trim_end_matches('/') == path.trim_end_matches('/'))
    {
        Some((ufs, _)) => vec![strings::sim_shell_no_listing(path, ufs)],
        None => vec![strings::sim_shell_no_such_path(path)],
    }
}
