//! Seeding the cluster: the built-in manifests (compiled in from assets/demo, their timestamps
//! moved so that `REFERENCE_NOW` becomes the demo's start), admission defaults (UIDs, creation
//! times, generations), and the pods and workloads implied by runtimes loaded with a status.

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::Value;

use super::runtime_controller::LABEL_DATASET_ID;
use super::{DemoCluster, PodSim, names, workloads};
use crate::model::manifest::{ManifestProblem, Manifests, parse_documents};
use crate::model::meta::{format_time, parse_time};
use crate::model::pod::{LABEL_COMPONENT, component_of, is_ready, node_of};
use crate::model::{Component, Kind, Object, ObjectKey, RuntimePhase};

/// The moment the built-in manifests describe; shifted to the demo's `now` on load.
pub const REFERENCE_NOW: &str = "2026-11-25T10:02:00Z";

/// The built-in manifests: (file name, text).
pub const BUILTIN: [(&str, &str); 4] = [
    (
        "assets/demo/01-runtimeclasses.yaml",
        include_str!("../../assets/demo/01-runtimeclasses.yaml"),
    ),
    (
        "assets/demo/02-imagenet.yaml",
        include_str!("../../assets/demo/02-imagenet.yaml"),
    ),
    (
        "assets/demo/03-llm-serving.yaml",
        include_str!("../../assets/demo/03-llm-serving.yaml"),
    ),
    (
        "assets/demo/04-feature-store.yaml",
        include_str!("../../assets/demo/04-feature-store.yaml"),
    ),
];

/// Objects of the built-in demo with every timestamp moved by `now - REFERENCE_NOW`.
pub fn builtin_objects(now: Timestamp) -> (Vec<Object>, Vec<ManifestProblem>) {
    let mut m = Manifests::default();
    for (file, text) in BUILTIN {
        parse_documents(text, file, &mut m);
    }
    let reference = parse_time(REFERENCE_NOW).unwrap_or(now);
    let delta = now.as_second() - reference.as_second();
    let objects = m
        .objects
        .into_iter()
        .map(|obj| {
            let mut v = obj.to_value();
            shift_times(&mut v, delta);
            align_cron(&mut v, now);
            Object::from_value(v).ok().flatten().unwrap_or(obj)
        })
        .collect();
    (objects, m.problems)
}

fn shift_times(v: &mut Value, delta: i64) {
    match v {
        Value::String(s) => {
            let looks_like_time =
                s.len() == 20 && s.ends_with('Z') && s.as_bytes().get(10) == Some(&b'T');
            if let Some(t) = looks_like_time.then(|| parse_time(s)).flatten()
                && let Ok(moved) = Timestamp::from_second(t.as_second() + delta)
            {
                *s = format_time(moved);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| shift_times(x, delta)),
        Value::Object(o) => o.values_mut().for_each(|x| shift_times(x, delta)),
        _ => {}
    }
}

/// A Cron operation's status moved by the shift no longer falls on its schedule: its times move
/// (by less than a period) so that its last run started on the latest fire time from which it
/// also finished before `now`, as a controller would have run it.
fn align_cron(v: &mut Value, now: Timestamp) {
    let Some(schedule) = v.pointer("/spec/schedule").and_then(Value::as_str) else {
        return;
    };
    let time = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).and_then(parse_time);
    let Some(last) = time(v, "/status/lastScheduleTime") else {
        return;
    };
    let ran = time(v, "/status/lastSuccessfulTime").map_or(0, |t| t.as_second() - last.as_second());
    // Fire times from a day before the last run on; the latest whose run ends by now.
    let mut at = Timestamp::from_second(last.as_second() - 86_400).unwrap_or(last);
    let mut fire = None;
    for _ in 0..100_000 {
        match crate::model::cron::next_after(schedule, at) {
            Some(f) if f.as_second() + ran <= now.as_second() => {
                fire = Some(f);
                at = f;
            }
            _ => break,
        }
    }
    if let (Some(f), Some(status)) = (fire, v.get_mut("status")) {
        shift_times(status, f.as_second() - last.as_second());
    }
}

/// Admission defaults: UID, creation time, generation 1 for kinds with a spec.
pub fn admit(cluster: &mut DemoCluster, mut obj: Object) -> Object {
    let now = cluster.state.now;
    let versioned = !matches!(
        obj.kind(),
        Kind::Pod | Kind::Event | Kind::CacheRuntimeClass
    );
    let m = obj.meta_mut();
    if m.uid.is_none() {
        m.uid = Some(names::uid(&mut cluster.rng));
    }
    if m.creation_timestamp.is_none() {
        m.creation_timestamp = Some(Time(now));
    }
    if versioned && m.generation.is_none() {
        m.generation = Some(1);
    }
    obj
}

/// `current` with the spec and metadata labels/annotations of `new`; status and identity kept.
pub fn merge_spec(current: Object, new: Object) -> Object {
    let cur = current.to_value();
    let mut next = new.to_value();
    let spec_of = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("metadata");
            o.remove("status");
        }
        v
    };
    let spec_changed = spec_of(&cur) != spec_of(&next);
    if let (Some(n), Some(c)) = (next.as_object_mut(), cur.as_object()) {
        match c.get("status") {
            Some(s) => n.insert("status".into(), s.clone()),
            None => n.remove("status"),
        };
        let cur_meta = c
            .get("metadata")
            .and_then(|m| m.as_object())
            .cloned()
            .unwrap_or_default();
        if let Some(meta) = n.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            for field in [
                "uid",
                "creationTimestamp",
                "ownerReferences",
                "finalizers",
                "resourceVersion",
                "deletionTimestamp",
            ] {
                match cur_meta.get(field) {
                    Some(v) => meta.insert(field.into(), v.clone()),
                    None => meta.remove(field),
                };
            }
            let generation = cur_meta
                .get("generation")
                .and_then(|g| g.as_i64())
                .unwrap_or(1);
            if !matches!(current.kind(), Kind::Pod | Kind::Event) {
                meta.insert(
                    "generation".into(),
                    Value::from(if spec_changed {
                        generation + 1
                    } else {
                        generation
                    }),
                );
            }
        }
    }
    Object::from_value(next).ok().flatten().unwrap_or(current)
}

/// Loads objects into a fresh cluster and prepares the simulation state they imply.
pub fn load(cluster: &mut DemoCluster, objects: Vec<Object>) {
    for obj in objects {
        let obj = admit(cluster, obj);
        cluster.state.seed(obj);
    }
    let now = cluster.state.now;
    // A pod being deleted that never goes away means its node is gone.
    let lost: Vec<String> = cluster
        .state
        .pods()
        .filter(|p| p.metadata.deletion_timestamp.is_some())
        .filter_map(|p| node_of(p).map(str::to_string))
        .collect();
    for node in lost {
        cluster.lost_nodes.entry(node).or_insert(now);
    }
    let pod_keys: Vec<(ObjectKey, bool)> = cluster
        .state
        .pods()
        .map(|p| {
            (
                ObjectKey::new(
                    Kind::Pod,
                    p.metadata.namespace.clone().unwrap_or_default(),
                    p.metadata.name.clone().unwrap_or_default(),
                ),
                is_ready(p),
            )
        })
        .collect();
    for (key, ready) in pod_keys {
        cluster
            .pods
            .insert(key, PodSim::new(now, 3, ready.then_some(now)));
    }
    for key in cluster.state.keys_of(Kind::CacheRuntime) {
        materialize_runtime(cluster, &key);
    }
    // A runtime loaded with a status was reconciled before: it has Fluid's labels already (so
    // the first pass writes nothing a client's precondition could trip on).
    for key in cluster.state.keys_of(Kind::CacheRuntime) {
        let set_up = cluster
            .state
            .runtime(&key.namespace, &key.name)
            .is_some_and(|r| r.status.is_some());
        if set_up {
            seed_dataset_id_labels(cluster, &key);
        }
    }
    super::nodes::seed(cluster);
}

/// For a runtime loaded with a status: its workloads and the pods its status counts, so that the
/// first reconcile finds what the status describes.
fn materialize_runtime(cluster: &mut DemoCluster, key: &ObjectKey) {
    let Some(rt) = cluster.state.runtime(&key.namespace, &key.name).cloned() else {
        return;
    };
    let Some(class) = cluster.state.class(&rt.spec.runtime_class_name).cloned() else {
        return;
    };
    for c in Component::ALL {
        if rt.component_phase(c) == RuntimePhase::None || !class.has_component(c) || rt.disabled(c)
        {
            continue;
        }
        let label = workloads::workload_name(&key.name, c);
        let existing: Vec<_> = cluster
            .state
            .pods()
            .filter(|p| p.metadata.namespace.as_deref() == Some(key.namespace.as_str()))
            .filter(|p| {
                component_of(p) == Some(c)
                    && p.metadata
                        .labels
                        .as_ref()
                        .and_then(|l| l.get(LABEL_COMPONENT))
                        == Some(&label)
            })
            .cloned()
            .collect();
        match c {
            Component::Client => {
                let mut nodes: Vec<String> = existing
                    .iter()
                    .filter_map(|p| node_of(p).map(str::to_string))
                    .collect();
                let desired = rt
                    .component_status(c)
                    .map(|s| s.desired())
                    .unwrap_or(0)
                    .max(nodes.len() as i32) as usize;
                while nodes.len() < desired {
                    let avoid = nodes.iter().cloned().collect();
                    let node = workloads::pick_node(cluster, true, &avoid);
                    let new = workloads::NewPod {
                        node: Some(node.clone()),
                        ready: true,
                        ..Default::default()
                    };
                    workloads::create_component_pod(cluster, &rt, &class, c, new);
                    nodes.push(node);
                }
                cluster
                    .client_nodes
                    .insert((key.namespace.clone(), key.name.clone()), nodes);
            }
            _ => {
                match cluster.state.workload(&key.namespace, &label).cloned() {
                    // Made when the runtime was set up, not now: the pods it owns may be older.
                    None => {
                        if let Some(mut wl) = workloads::build(cluster, &rt, &class, c) {
                            if let Some(t) = &rt.metadata.creation_timestamp {
                                wl.metadata.creation_timestamp = Some(t.clone());
                            }
                            cluster.state.seed(Object::from(wl));
                        }
                    }
                    // A seed that abbreviates the template gets the one Fluid writes (with the
                    // seed's engine image), so that pods made from it are as Fluid's.
                    Some(mut seeded) if !renders_fluid_env(seeded.spec.template.as_ref()) => {
                        let image = seeded
                            .spec
                            .template
                            .as_ref()
                            .and_then(|t| t.pointer("/spec/containers/0/image"))
                            .cloned();
                        if let Some(mut template) =
                            workloads::build(cluster, &rt, &class, c).and_then(|w| w.spec.template)
                        {
                            if let (Some(img), Some(slot)) =
                                (image, template.pointer_mut("/spec/containers/0/image"))
                            {
                                *slot = img;
                            }
                            seeded.spec.template = Some(template);
                            cluster.state.seed(Object::from(seeded));
                        }
                    }
                    Some(_) => {}
                }
                let replicas = rt
                    .component_spec(c)
                    .and_then(|s| s.replicas)
                    .unwrap_or(1)
                    .max(0) as usize;
                for i in 0..replicas {
                    let pk =
                        ObjectKey::new(Kind::Pod, key.namespace.clone(), format!("{label}-{i}"));
                    if !cluster.state.contains(&pk) {
                        let new = workloads::NewPod {
                            ordinal: Some(i),
                            ready: true,
                            ..Default::default()
                        };
                        workloads::create_component_pod(cluster, &rt, &class, c, new);
                    }
                }
            }
        }
    }
}

/// Fluid's `fluid.io/dataset-id` label on a runtime loaded with a status and on its Dataset.
fn seed_dataset_id_labels(cluster: &mut DemoCluster, key: &ObjectKey) {
    let id = format!("{}-{}", key.namespace, key.name);
    let ds_key = ObjectKey::new(Kind::Dataset, key.namespace.clone(), key.name.clone());
    for k in [key.clone(), ds_key] {
        if let Some(mut obj) = cluster.state.get(&k).cloned() {
            let labels = obj.meta_mut().labels.get_or_insert_with(Default::default);
            if labels.get(LABEL_DATASET_ID) != Some(&id) {
                labels.insert(LABEL_DATASET_ID.into(), id.clone());
                cluster.state.seed(obj);
            }
        }
    }
}

/// Whether a workload template carries the environment Fluid renders into the engine container.
fn renders_fluid_env(template: Option<&Value>) -> bool {
    template
        .and_then(|t| t.pointer("/spec/containers/0/env"))
        .and_then(Value::as_array)
        .is_some_and(|env| env.iter().any(|e| e["name"] == "FLUID_DATASET_NAME"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        parse_time(REFERENCE_NOW).unwrap()
    }

    #[test]
    fn the_built_in_manifests_read_without_a_problem() {
        let (objects, problems) = builtin_objects(now());
        assert!(problems.is_empty(), "{problems:?}");
        assert!(!objects.is_empty());
    }

    #[test]
    fn a_seed_directory_is_applied_as_kubectl_apply_f_would() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.yaml"),
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\n\
             apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: plain}\n\
             spec:\n  mounts: [{name: data, mountPoint: \"s3://b/\"}]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: files, namespace: team}\n",
        )
        .unwrap();
        let (cluster, problems) = DemoCluster::from_dir(dir.path(), 1, now()).unwrap();
        let key = ObjectKey::new(Kind::Dataset, "default", "plain");
        assert!(cluster.get(&key).is_some(), "in the default namespace");
        let notices: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            notices,
            [format!(
                "{}: skipped 2 documents of kinds the console does not watch: \
                 Namespace (a.yaml, document 1), ConfigMap (b.yaml, document 1)",
                dir.path().display()
            )]
        );
    }
}
