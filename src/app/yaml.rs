//! The YAML of an object, as shown by `y` (managedFields left out, as operators expect).

use crate::cluster::Store;
use crate::model::ObjectKey;

pub fn to_yaml(value: &serde_json::Value) -> String {
    let mut v = value.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        meta.remove("managedFields");
    }
    crate::model::kube_yaml::to_string(&v)
}

/// The object's YAML, line by line; empty if the object is gone.
pub fn lines(store: &Store, key: &ObjectKey) -> Vec<String> {
    match store.get(key) {
        Some(obj) => to_yaml(&obj.to_value())
            .lines()
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    }
}
