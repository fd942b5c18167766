//! The pod template Fluid's cache engine writes into a component's workload (the master and
//! worker AdvancedStatefulSets, the client DaemonSet), as observed on upstream Fluid with the
//! upstream Curvine class (tests/fixtures/fluid-trace): the class's template, with
//! - Fluid's labels (the worker also gets the dataset and placement labels) and the runtime's
//!   `podMetadata`;
//! - the `FLUID_*` environment first in every container and init container (the component's
//!   service name only when the class asks for a headless service; empty otherwise);
//! - the engine image from `runtimeVersion` when image and tag are both set;
//! - volumes after the class's own: the tiered store (worker, client), the runtime config
//!   ConfigMap, the class's extra ConfigMaps, the dataset's encryptOptions Secrets (master and
//!   worker), the host path shared with FUSE (client); containers mount them in that order (init
//!   containers only the config);
//! - the worker prefers nodes labelled as using the dataset and, with `Exclusive` placement,
//!   refuses a node that already runs a cache worker; the client runs only on nodes using the
//!   dataset (`nodeSelector`).
//!
//! Containers are written as Go writes them: `resources: {}` always.

use serde_json::{Map, Value, json};

use super::workloads::workload_name;
use crate::model::pod::LABEL_DATASET;
use crate::model::{CacheRuntime, CacheRuntimeClass, Component, Dataset};

/// Where every component finds the runtime config Fluid renders.
pub const RUNTIME_CONFIG_DIR: &str = "/etc/fluid/config";

/// The node label that marks a node as using the dataset `<ns>/<name>`.
pub fn dataset_node_label(ns: &str, name: &str) -> String {
    format!("fluid.io/f-{ns}-{name}")
}

/// The host path FUSE mounts the dataset at.
pub fn fuse_mount_path(ns: &str, name: &str) -> String {
    format!("/runtime-mnt/cache/{ns}/{name}/cache-fuse")
}

fn has_headless_service(class: &CacheRuntimeClass, c: Component) -> bool {
    class
        .component(c)
        .and_then(|d| d.service.as_ref())
        .is_some_and(|s| s.get("headless").is_some())
}

fn secret_mount_enabled(class: &CacheRuntimeClass, c: Component) -> bool {
    let explicit = class
        .component(c)
        .and_then(|d| d.extra.get("dependencies"))
        .and_then(|d| d.pointer("/secretMount/enabled").and_then(Value::as_bool));
    explicit.unwrap_or(c != Component::Client)
}

fn extra_config_maps(class: &CacheRuntimeClass, c: Component) -> Vec<(String, String)> {
    class
        .component(c)
        .and_then(|d| d.extra.get("dependencies"))
        .and_then(|d| d.pointer("/extraResources/configMaps").cloned())
        .and_then(|v| v.as_array().cloned())
        .map(|cms| {
            cms.iter()
                .filter_map(|cm| {
                    Some((
                        cm.get("name")?.as_str()?.to_string(),
                        cm.get("mountPath")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The Secrets the dataset's encryptOptions name, in order, once each.
fn dataset_secrets(ds: Option<&Dataset>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(ds) = ds else { return out };
    let mut add = |v: Option<&Value>| {
        for o in v.and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = o
                .pointer("/valueFrom/secretKeyRef/name")
                .and_then(Value::as_str)
                && !out.iter().any(|s| s == name)
            {
                out.push(name.to_string());
            }
        }
    };
    for m in &ds.spec.mounts {
        add(m.extra.get("encryptOptions").as_ref());
    }
    add(ds.spec.extra.get("sharedEncryptOptions").as_ref());
    out
}

/// The tiered store's volumes and mount paths: (volume, mount path).
fn tiered_store(rt: &CacheRuntime, c: Component) -> Vec<(Value, String)> {
    let levels = rt
        .component_spec(c)
        .and_then(|s| s.extra.get("tieredStore"))
        .and_then(|t| t.get("levels").and_then(|l| l.as_array().cloned()))
        .unwrap_or_default();
    let mut out = Vec::new();
    for (i, level) in levels.iter().enumerate() {
        if let Some(e) = level.get("emptyDir") {
            let mut dir = Map::new();
            if let Some(m) = e.get("medium") {
                dir.insert("medium".into(), m.clone());
            }
            if let Some(q) = e.get("quota") {
                dir.insert("sizeLimit".into(), q.clone());
            }
            let name = format!("tiered-store-level-{i}-index-0");
            out.push((
                json!({"name": name, "emptyDir": dir}),
                format!("/etc/fluid/mount/tiered-store/level-{i}-index-0-emptydir"),
            ));
        }
        let paths = level
            .pointer("/hostPath/paths")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (j, p) in paths.iter().enumerate() {
            let name = format!("tiered-store-level-{i}-index-{j}");
            out.push((
                json!({"name": name, "hostPath": {"path": p, "type": "DirectoryOrCreate"}}),
                format!("/etc/fluid/mount/tiered-store/level-{i}-index-{j}-hostpath"),
            ));
        }
    }
    out
}

fn fluid_env(ns: &str, rt: &str, c: Component, svc: Option<&str>) -> Vec<Value> {
    let mut svc_var = json!({"name": "FLUID_RUNTIME_COMPONENT_SVC_NAME"});
    if let Some(s) = svc {
        svc_var["value"] = json!(s);
    }
    vec![
        json!({"name": "FLUID_DATASET_NAME", "value": rt}),
        json!({"name": "FLUID_DATASET_NAMESPACE", "value": ns}),
        json!({"name": "FLUID_RUNTIME_CONFIG_PATH", "value": format!("{RUNTIME_CONFIG_DIR}/runtime.json")}),
        json!({"name": "FLUID_RUNTIME_MOUNT_PATH", "value": fuse_mount_path(ns, rt)}),
        json!({"name": "FLUID_RUNTIME_COMPONENT_TYPE", "value": c.as_str()}),
        svc_var,
    ]
}

fn prepend(container: &mut Value, key: &str, first: &[Value]) {
    let rest = container
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let all: Vec<Value> = first.iter().cloned().chain(rest).collect();
    container[key] = Value::Array(all);
}

fn append(container: &mut Value, key: &str, more: &[Value]) {
    if more.is_empty() {
        return;
    }
    let mut all = container
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    all.extend(more.iter().cloned());
    container[key] = Value::Array(all);
}

/// The engine image of the component's template: `runtimeVersion` when image and tag are set.
fn image_override(rt: &CacheRuntime, c: Component) -> Option<String> {
    rt.component_spec(c)
        .and_then(|s| s.runtime_version.as_ref())
        .and_then(|v| v.reference())
}

fn merge_pod_metadata(
    labels: &mut Map<String, Value>,
    meta: &mut Map<String, Value>,
    pm: Option<&Value>,
) {
    let Some(pm) = pm else { return };
    if let Some(l) = pm.get("labels").and_then(Value::as_object) {
        labels.extend(l.clone());
    }
    if let Some(a) = pm.get("annotations").and_then(Value::as_object)
        && !a.is_empty()
    {
        let slot = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(o) = slot.as_object_mut() {
            o.extend(a.clone());
        }
    }
}

/// The pod template of component `c` of runtime `rt`.
pub fn build(
    rt: &CacheRuntime,
    class: &CacheRuntimeClass,
    ds: Option<&Dataset>,
    c: Component,
    placement: &str,
) -> Value {
    let ns = rt.metadata.namespace.clone().unwrap_or_default();
    let name = rt.metadata.name.clone().unwrap_or_default();
    let wl = workload_name(&name, c);
    let mut template = class
        .component(c)
        .and_then(|d| d.template.clone())
        .filter(Value::is_object)
        .unwrap_or_else(
            || json!({"spec": {"containers": [{"name": c.as_str(), "image": "busybox:latest"}]}}),
        );

    let mut meta = template
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut labels = meta
        .get("labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    labels.insert(crate::model::pod::LABEL_RUNTIME.into(), json!(name));
    labels.insert(crate::model::pod::LABEL_COMPONENT.into(), json!(wl));
    if c == Component::Worker {
        labels.insert(LABEL_DATASET.into(), json!(format!("{ns}-{name}")));
        labels.insert("fluid.io/dataset-placement".into(), json!(placement));
    }
    merge_pod_metadata(
        &mut labels,
        &mut meta,
        rt.spec.extra.get("podMetadata").as_ref(),
    );
    merge_pod_metadata(
        &mut labels,
        &mut meta,
        rt.component_spec(c)
            .and_then(|s| s.extra.get("podMetadata"))
            .as_ref(),
    );
    meta.insert("labels".into(), Value::Object(labels));
    template["metadata"] = Value::Object(meta);

    let svc = has_headless_service(class, c).then(|| format!("svc-{wl}"));
    let env = fluid_env(&ns, &name, c, svc.as_deref());
    let config_volume = format!("fluid-runtime-{name}-config");
    let config_mount =
        json!({"name": config_volume, "mountPath": RUNTIME_CONFIG_DIR, "readOnly": true});
    let extra: Vec<(String, String)> = extra_config_maps(class, c);
    let extra_mounts: Vec<Value> = extra
        .iter()
        .map(|(cm, path)| json!({"name": format!("fluid-extra-{name}-{cm}"), "mountPath": path, "readOnly": true}))
        .collect();
    let tiers = tiered_store(rt, c);
    let secrets = if secret_mount_enabled(class, c) {
        dataset_secrets(ds)
    } else {
        Vec::new()
    };

    let mut volumes: Vec<Value> = tiers.iter().map(|(v, _)| v.clone()).collect();
    volumes.push(json!({"name": config_volume, "configMap": {"name": format!("fluid-runtime-config-{name}")}}));
    volumes.extend(extra.iter().map(
        |(cm, _)| json!({"name": format!("fluid-extra-{name}-{cm}"), "configMap": {"name": cm}}),
    ));
    volumes.extend(
        secrets
            .iter()
            .map(|s| json!({"name": format!("cache-mnt-secret-{s}"), "secret": {"secretName": s}})),
    );
    let mut mounts: Vec<Value> = tiers
        .iter()
        .map(|(v, path)| json!({"name": v["name"], "mountPath": path}))
        .collect();
    mounts.push(config_mount.clone());
    mounts.extend(extra_mounts.iter().cloned());
    mounts.extend(secrets.iter().map(|s| {
        json!({"name": format!("cache-mnt-secret-{s}"), "mountPath": format!("/etc/fluid/secrets/{s}"), "readOnly": true})
    }));
    if c == Component::Client {
        let path = fuse_mount_path(&ns, &name);
        volumes.push(json!({"name": "fluid-cache-runtime-shared-path", "hostPath": {"path": path, "type": "DirectoryOrCreate"}}));
        mounts.push(json!({"name": "fluid-cache-runtime-shared-path", "mountPath": path, "mountPropagation": "Bidirectional"}));
    }
    let init_mounts: Vec<Value> = std::iter::once(config_mount).chain(extra_mounts).collect();

    let image = image_override(rt, c);
    let spec = template
        .get_mut("spec")
        .filter(|s| s.is_object())
        .map(std::mem::take)
        .unwrap_or_else(|| json!({}));
    let mut spec = spec;
    if let Some(inits) = spec.get_mut("initContainers").and_then(Value::as_array_mut) {
        for ic in inits.iter_mut() {
            prepend(ic, "env", &env);
            append(ic, "volumeMounts", &init_mounts);
            ic.as_object_mut()
                .map(|o| o.entry("resources").or_insert_with(|| json!({})));
        }
    }
    if let Some(containers) = spec.get_mut("containers").and_then(Value::as_array_mut) {
        for (i, ct) in containers.iter_mut().enumerate() {
            prepend(ct, "env", &env);
            append(ct, "volumeMounts", &mounts);
            if i == 0
                && let Some(img) = &image
            {
                ct["image"] = json!(img);
            }
            let resources = rt
                .component_spec(c)
                .and_then(|s| s.extra.get("resources"))
                .filter(|_| i == 0);
            ct.as_object_mut().map(|o| match resources {
                Some(r) => o.insert("resources".into(), r),
                None => Some(o.entry("resources").or_insert_with(|| json!({})).clone()),
            });
        }
    }
    append(&mut spec, "volumes", &volumes);
    match c {
        Component::Worker => {
            let mut affinity = json!({"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
                "weight": 100,
                "preference": {"matchExpressions": [{"key": dataset_node_label(&ns, &name), "operator": "In", "values": ["true"]}]},
            }]}});
            if placement != "Shared" {
                affinity["podAntiAffinity"] = json!({"requiredDuringSchedulingIgnoredDuringExecution": [{
                    "labelSelector": {"matchExpressions": [{"key": LABEL_DATASET, "operator": "Exists"}]},
                    "topologyKey": "kubernetes.io/hostname",
                }]});
            }
            spec["affinity"] = affinity;
        }
        Component::Client => {
            spec["nodeSelector"] = json!({dataset_node_label(&ns, &name): "true"});
        }
        Component::Master => {}
    }
    template["spec"] = spec;
    template
}

/// The runtime's `status.cacheAffinity`: the worker template's node affinity, with the empty
/// required term list upstream writes next to it.
pub fn cache_affinity(ns: &str, name: &str) -> Value {
    json!({
        "preferredDuringSchedulingIgnoredDuringExecution": [{
            "weight": 100,
            "preference": {"matchExpressions": [{"key": dataset_node_label(ns, name), "operator": "In", "values": ["true"]}]},
        }],
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []},
    })
}
