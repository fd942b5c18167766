//! The empty defaults Fluid's first reconcile writes into a CacheRuntime's spec (FLUID.md §2.3
//! [obs]): `podMetadata: {}` runtime-wide and per component, `resources: {}` and
//! `runtimeVersion: {}` per component, `client.tieredStore: {}` and the CRD default
//! `client.cleanPolicy: OnRuntimeDeleted`. Written once (generation 1 → 2); later reconciles
//! never write the spec again, so a client's patch based on the current object is not refused
//! with a conflict.

use serde_json::{Map, Value, json};

use crate::model::{CacheRuntime, Object};

fn fill(o: &mut Map<String, Value>, key: &str, value: Value) {
    o.entry(key).or_insert(value);
}

/// The runtime with Fluid's spec defaults, or `None` when it already has them all.
pub fn with_defaults(rt: &CacheRuntime) -> Option<CacheRuntime> {
    let before = Object::Runtime(Box::new(rt.clone())).to_value();
    let mut v = before.clone();
    let spec = v.get_mut("spec")?.as_object_mut()?;
    fill(spec, "podMetadata", json!({}));
    for c in ["master", "worker", "client"] {
        let Some(comp) = spec.get_mut(c).and_then(Value::as_object_mut) else {
            continue;
        };
        fill(comp, "podMetadata", json!({}));
        fill(comp, "resources", json!({}));
        fill(comp, "runtimeVersion", json!({}));
        if c == "client" {
            fill(comp, "tieredStore", json!({}));
            fill(comp, "cleanPolicy", json!("OnRuntimeDeleted"));
        }
    }
    if v == before {
        return None;
    }
    match Object::from_value(v) {
        Ok(Some(Object::Runtime(r))) => Some(*r),
        _ => None,
    }
}
