//! What Fluid's operation controller writes on an operation's first pass, before any status
//! (observed for DataLoad on upstream Fluid, tests/fixtures/fluid-trace): its finalizer
//! `fluid-<kind>-controller-finalizer`, an ownerReference to the Dataset (no `controller` flag),
//! and for a DataLoad the spec defaults `policy: Once`, `podMetadata: {}`, `resources: {}`
//! (generation 1 → 2).

use serde_json::{Value, json};

use crate::model::{DataOperation, Object, OpKind};

/// The operation with what the first pass adds, or `None` when it has it already.
pub fn first_pass(op: &DataOperation, dataset: Option<(&str, &str)>) -> Option<DataOperation> {
    let kind = op.op_kind();
    let before = Object::Operation(Box::new(op.clone())).to_value();
    let mut v = before.clone();
    let finalizer = format!(
        "fluid-{}-controller-finalizer",
        kind.as_str().to_lowercase()
    );
    let meta = v.get_mut("metadata")?.as_object_mut()?;
    let fins = meta.entry("finalizers").or_insert_with(|| json!([]));
    if let Some(a) = fins.as_array_mut()
        && !a.iter().any(|f| f == finalizer.as_str())
    {
        a.push(json!(finalizer));
    }
    if let Some((name, uid)) = dataset {
        let owners = meta.entry("ownerReferences").or_insert_with(|| json!([]));
        if let Some(a) = owners.as_array_mut()
            && !a.iter().any(|o| o["kind"] == "Dataset")
        {
            a.push(json!({"apiVersion": crate::model::FLUID_API_VERSION, "kind": "Dataset", "name": name, "uid": uid}));
        }
    }
    let mut spec_changed = false;
    if kind == OpKind::DataLoad
        && let Some(spec) = v.get_mut("spec").and_then(Value::as_object_mut)
    {
        for (k, d) in [
            ("policy", json!("Once")),
            ("podMetadata", json!({})),
            ("resources", json!({})),
        ] {
            if !spec.contains_key(k) {
                spec.insert(k.into(), d);
                spec_changed = true;
            }
        }
    }
    if spec_changed {
        let generation = v["metadata"]["generation"].as_i64().unwrap_or(1);
        v["metadata"]["generation"] = json!(generation + 1);
    }
    if v == before {
        return None;
    }
    match Object::from_value(v) {
        Ok(Some(Object::Operation(o))) => Some(*o),
        _ => None,
    }
}
