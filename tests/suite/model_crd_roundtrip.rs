//! Every kind against its real CRD schema: a sample object that sets every field the schema
//! declares (recursively) deserialises into the console's types and serialises back to exactly
//! the same JSON. So no field Fluid defines is dropped, renamed or invented, including fields the
//! console does not model itself.

use fluidops::model::Object;
use serde::Deserialize;
use serde_json::{Map, Value, json};

fn crds() -> Vec<(String, String, bool, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/crds");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("assets/crds")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let v: Value =
                serde_json::to_value(serde_yaml::Value::deserialize(doc).unwrap()).unwrap();
            if v["kind"] != "CustomResourceDefinition" {
                continue;
            }
            let spec = &v["spec"];
            let group = spec["group"].as_str().unwrap();
            let kind = spec["names"]["kind"].as_str().unwrap().to_string();
            let namespaced = spec["scope"] == "Namespaced";
            for version in spec["versions"].as_array().unwrap() {
                let api_version = format!("{group}/{}", version["name"].as_str().unwrap());
                let schema = version["schema"]["openAPIV3Schema"].clone();
                out.push((api_version, kind.clone(), namespaced, schema));
            }
        }
    }
    out
}

/// A value for `schema` that sets everything the schema declares.
fn sample(schema: &Value, depth: usize) -> Value {
    if schema.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        return json!("25%");
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(|e| e.as_array())
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    match schema.get("type").and_then(|t| t.as_str()) {
        Some("object") | None => {
            let mut map = Map::new();
            if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
                if depth == 0 {
                    return Value::Object(map);
                }
                for (name, sub) in props {
                    map.insert(name.clone(), sample(sub, depth - 1));
                }
            } else if let Some(addl) = schema.get("additionalProperties").filter(|a| a.is_object())
            {
                map.insert("key".into(), sample(addl, depth.saturating_sub(1)));
            } else if schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
            {
                map.insert("free".into(), json!({"form": ["data", 1]}));
            }
            Value::Object(map)
        }
        Some("array") => match schema.get("items") {
            Some(items) if depth > 0 => json!([sample(items, depth - 1)]),
            _ => json!([]),
        },
        Some("string") => match schema.get("format").and_then(|f| f.as_str()) {
            Some("date-time") => json!("2026-11-25T10:00:00Z"),
            _ => json!("text"),
        },
        Some("integer") => json!(
            schema
                .get("minimum")
                .and_then(|m| m.as_i64())
                .unwrap_or(0)
                .max(1)
        ),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some(other) => panic!("schema type {other} not handled"),
    }
}

#[test]
fn a_sample_with_every_schema_field_round_trips_for_every_kind() {
    let crds = crds();
    assert!(crds.len() >= 9, "CRDs missing: {}", crds.len());
    for (api_version, kind, namespaced, schema) in crds {
        let mut obj = sample(&schema, 40);
        let map = obj.as_object_mut().unwrap();
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
        let meta = if namespaced {
            json!({"name": "sample", "namespace": "ns"})
        } else {
            json!({"name": "sample"})
        };
        map.insert("metadata".into(), meta);
        let typed = Object::from_value(obj.clone())
            .unwrap_or_else(|e| panic!("{kind}: sample does not deserialise: {e}"))
            .unwrap_or_else(|| panic!("{kind}: not a kind the console reads"));
        let back = typed.to_value();
        if back != obj {
            let diff = first_difference(&obj, &back, String::new()).unwrap_or_default();
            panic!("{kind} does not round-trip: {diff}");
        }
    }
}

/// The path of the first place two JSON values differ.
fn first_difference(a: &Value, b: &Value, path: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let p = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => {
                        if let Some(d) = first_difference(va, vb, p) {
                            return Some(d);
                        }
                    }
                    (Some(_), None) => return Some(format!("{p} dropped")),
                    (None, Some(_)) => return Some(format!("{p} invented")),
                    (None, None) => {}
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (va, vb))| first_difference(va, vb, format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} became {b}")),
    }
}

/// The fields the console reads must land in its typed fields (not in the catch-all maps that
/// keep unknown fields): with every schema field set, every one of them is present.
#[test]
fn typed_fields_are_read_from_their_schema_names() {
    use fluidops::model::{Component, OpPhase, RuntimePhase};
    for (api_version, kind, namespaced, schema) in crds() {
        let mut obj = sample(&schema, 40);
        let map = obj.as_object_mut().unwrap();
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
        let meta = if namespaced {
            json!({"name": "s", "namespace": "ns"})
        } else {
            json!({"name": "s"})
        };
        map.insert("metadata".into(), meta);
        match Object::from_value(obj).unwrap().unwrap() {
            Object::Class(c) => {
                assert_eq!(c.file_system_type, "text");
                let master = c.component(Component::Master).expect("topology.master");
                assert!(
                    master.template.is_some()
                        && !master.options.is_empty()
                        && master.service.is_some()
                );
                let entries = master.execution_entries.as_ref().expect("executionEntries");
                let mount = entries
                    .mount_ufs
                    .as_ref()
                    .expect("executionEntries.mountUFS");
                assert_eq!((mount.command.len(), mount.timeout), (1, Some(1)));
                assert!(entries.report_summary.is_some(), "reportSummary");
                assert!(
                    entries.extra.is_empty(),
                    "unmodelled entries: {:?}",
                    entries.extra.keys()
                );
                assert!(
                    c.component(Component::Worker).is_some()
                        && c.component(Component::Client).is_some()
                );
                assert_eq!(c.data_operation_specs.len(), 1);
                let op = &c.data_operation_specs[0];
                assert!(op.image.is_some() && !op.command.is_empty() && !op.args.is_empty());
                assert!(
                    !c.extra_resources.expect("extraResources").config_maps[0]
                        .data
                        .is_empty()
                );
            }
            Object::Runtime(rt) => {
                assert_eq!(rt.spec.runtime_class_name, "text");
                for c in Component::ALL {
                    let spec = rt.component_spec(c).unwrap_or_else(|| panic!("spec.{c}"));
                    assert!(spec.disabled, "spec.{c}.disabled");
                    let v = spec
                        .runtime_version
                        .as_ref()
                        .unwrap_or_else(|| panic!("spec.{c}.runtimeVersion"));
                    assert!(
                        !v.image.is_empty()
                            && !v.image_tag.is_empty()
                            && v.image_pull_policy.is_some()
                    );
                    let st = rt
                        .component_status(c)
                        .unwrap_or_else(|| panic!("status.{c}"));
                    assert_ne!(st.phase, RuntimePhase::None, "status.{c}.phase not read");
                    assert!(
                        st.desired_replicas.is_some()
                            && st.ready_replicas.is_some()
                            && st.available_replicas.is_some()
                    );
                    assert!(
                        st.current_replicas.is_some()
                            && st.unavailable_replicas.is_some()
                            && st.reason.is_some()
                    );
                }
                assert!(rt.spec.master.as_ref().unwrap().replicas.is_some());
                let st = rt.status.as_ref().unwrap();
                assert!(
                    st.value_file.is_some()
                        && st.setup_duration.is_some()
                        && st.mount_time.is_some()
                );
                let cond = &st.conditions[0];
                assert!(
                    cond.reason.is_some()
                        && cond.message.is_some()
                        && cond.last_transition_time.is_some()
                        && cond.last_probe_time.is_some()
                );
            }
            Object::Dataset(d) => {
                assert_eq!(d.spec.mounts[0].mount_point, "text");
                assert!(d.spec.mounts[0].name.is_some() && d.spec.mounts[0].path.is_some());
                assert!(d.spec.placement.is_some() && !d.spec.access_modes.is_empty());
                let st = d.status.as_ref().unwrap();
                assert!(
                    !st.cache_states.is_empty()
                        && !st.runtimes.is_empty()
                        && !st.operation_ref.is_empty()
                );
                assert!(st.ufs_total.is_some() && st.file_num.is_some());
                assert!(st.runtimes[0].category.is_some() && st.runtimes[0].type_.is_some());
                assert!(st.conditions[0].last_update_time.is_some());
            }
            Object::Operation(op) => {
                assert!(
                    op.spec
                        .run_after
                        .as_ref()
                        .is_some_and(|r| !r.kind.is_empty()
                            && !r.name.is_empty()
                            && r.namespace.is_some())
                );
                assert!(
                    op.spec.ttl_seconds_after_finished.is_some(),
                    "{kind}.spec.ttlSecondsAfterFinished"
                );
                let st = op.status.as_ref().unwrap();
                assert_ne!(st.phase, OpPhase::None, "{kind}.status.phase not read");
                assert!(
                    st.infos.is_some()
                        && st.last_schedule_time.is_some()
                        && st.last_successful_time.is_some()
                );
                assert!(
                    st.waiting_for
                        .as_ref()
                        .is_some_and(|w| w.operation_complete.is_some())
                );
                match op.op_kind() {
                    fluidops::model::OpKind::DataLoad => {
                        assert!(
                            op.spec.target.is_some()
                                && op.spec.load_metadata.is_some()
                                && op.spec.policy.is_some()
                                && op.spec.schedule.is_some()
                        );
                        assert!(op.target_dataset().is_some());
                    }
                    fluidops::model::OpKind::DataMigrate => {
                        assert!(op.spec.from.is_some() && op.spec.to.is_some())
                    }
                    fluidops::model::OpKind::DataBackup => {
                        assert!(op.spec.backup_path.is_some() && op.spec.dataset.is_some())
                    }
                    fluidops::model::OpKind::DataProcess => {
                        assert!(op.spec.dataset.is_some() && op.spec.policy.is_some())
                    }
                }
            }
            Object::Maintenance(m) => {
                assert!(!m.spec.runtime_name.is_empty() && !m.spec.components.is_empty());
                assert!(
                    m.spec.upgrade.is_some()
                        && m.spec.strategy.is_some()
                        && m.spec.paused.is_some()
                        && m.spec.abort.is_some()
                );
                let r = m.spec.rebuild.as_ref().unwrap();
                assert!(
                    r.reason.is_some()
                        && !r.nodes.is_empty()
                        && !r.pods.is_empty()
                        && r.reload_data.is_some()
                        && r.data_load.is_some()
                );
                assert!(
                    r.extra.is_empty(),
                    "unmodelled rebuild fields: {:?}",
                    r.extra.keys()
                );
                let st = m.status.as_ref().unwrap();
                assert!(
                    st.started_at.is_some()
                        && st.current_step.is_some()
                        && !st.steps.is_empty()
                        && !st.previous.is_empty()
                );
                assert!(
                    st.extra.is_empty(),
                    "unmodelled status fields: {:?}",
                    st.extra.keys()
                );
            }
            Object::Workload(w) => {
                assert!(
                    w.spec.replicas.is_some()
                        && w.spec.template.is_some()
                        && w.spec.update_strategy.is_some()
                );
                let st = w.status.as_ref().unwrap();
                assert!(
                    st.ready_replicas.is_some()
                        && st.updated_replicas.is_some()
                        && st.updated_ready_replicas.is_some()
                );
                assert!(
                    st.current_revision.is_some()
                        && st.update_revision.is_some()
                        && st.observed_generation.is_some()
                );
            }
            other => panic!("unexpected kind {:?}", other.kind()),
        }
    }
}
