//! JSON merge patches (RFC 7386): how one version of an object differs from the one before, and
//! applying that difference. A recording stores most changes this way: a pod whose phase moved
//! costs its changed fields, not the whole pod.

use serde_json::{Map, Value};

/// The merge patch that turns `old` into `new`; `None` when they are equal. One walk over both:
/// objects are compared member by member, never whole and then again part by part.
pub fn diff(old: &Value, new: &Value) -> Option<Value> {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut patch = Map::new();
            let mut kept = 0;
            for (k, v) in b {
                match a.get(k) {
                    Some(prev) => {
                        kept += 1;
                        if let Some(d) = diff(prev, v) {
                            patch.insert(k.clone(), d);
                        }
                    }
                    None => {
                        patch.insert(k.clone(), v.clone());
                    }
                }
            }
            if kept < a.len() {
                for k in a.keys().filter(|k| !b.contains_key(*k)) {
                    patch.insert(k.clone(), Value::Null);
                }
            }
            (!patch.is_empty()).then_some(Value::Object(patch))
        }
        _ if old == new => None,
        // A merge patch cannot say "null" inside an object (it means "remove"), nor replace an
        // object's part by part when the new value is not an object: such values go whole.
        _ => Some(new.clone()),
    }
}

/// Applies `patch` to `target` in place (RFC 7386, as the console's writes do).
pub use crate::cluster::writer::merge_patch as apply;

/// Whether a value holds a `null` inside an object anywhere: a merge patch cannot carry it (it
/// would read as "remove"), so an object with such a field is stored whole.
pub fn has_null_field(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.values().any(|v| v.is_null() || has_null_field(v)),
        Value::Array(a) => a.iter().any(has_null_field),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_patch_turns_the_old_version_into_the_new() {
        let old = json!({"a": 1, "b": {"c": 2, "d": [1, 2]}, "gone": true});
        let new = json!({"a": 1, "b": {"c": 3, "d": [1]}, "added": "x"});
        let d = diff(&old, &new).unwrap();
        assert_eq!(
            d,
            json!({"b": {"c": 3, "d": [1]}, "added": "x", "gone": null})
        );
        let mut back = old.clone();
        apply(&mut back, &d);
        assert_eq!(back, new);
        assert_eq!(diff(&new, &new), None);
    }

    #[test]
    fn null_fields_are_seen() {
        assert!(has_null_field(&json!({"a": {"b": null}})));
        assert!(!has_null_field(&json!({"a": [1, {"b": 2}]})));
    }
}
