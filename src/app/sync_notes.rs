//! What upstream Fluid does with an edited spec (FLUID.md §4.2), said in the editor's review
//! before anything is sent: which changes reach running pods, which wait for new workloads,
//! and which workflow applies the rest.

use serde_json::Value;

use crate::model::Kind;

/// Fields of `spec.master` / `spec.worker` the runtime's Sync patches into the running
/// AdvancedStatefulSet.
const SYNCED: [&str; 3] = ["replicas", "runtimeVersion", "resources"];

/// Notes for the changes from `live` to `edited` of an object of `kind`; empty when upstream
/// applies the change as it is (or the kind has no such caveat).
pub fn notes(kind: Kind, live: &Value, edited: &Value) -> Vec<String> {
    match kind {
        Kind::CacheRuntimeClass => class_notes(live, edited),
        Kind::CacheRuntime => runtime_notes(live, edited),
        _ => Vec::new(),
    }
}

fn changed(live: &Value, edited: &Value, pointer: &str) -> bool {
    live.pointer(pointer) != edited.pointer(pointer)
}

/// Keys of the object at `pointer` in either value whose values differ.
fn changed_keys(live: &Value, edited: &Value, pointer: &str) -> Vec<String> {
    let keys = |v: &Value| -> Vec<String> {
        v.pointer(pointer)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut all = keys(live);
    for k in keys(edited) {
        if !all.contains(&k) {
            all.push(k);
        }
    }
    all.sort();
    all.into_iter()
        .filter(|k| changed(live, edited, &format!("{pointer}/{k}")))
        .collect()
}

fn class_notes(live: &Value, edited: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let ops = changed(live, edited, "/dataOperationSpecs");
    let other: Vec<String> = changed_keys(live, edited, "")
        .into_iter()
        .filter(|k| !matches!(k.as_str(), "metadata" | "dataOperationSpecs" | "status"))
        .collect();
    if !other.is_empty() {
        out.push(format!(
            "Fluid reads a class only when it creates a runtime's workloads: runtimes already running keep their \
             templates ({} changed). Re-create a runtime to give it this class; an upgrade or a rebuild does not.",
            other.join(", ")
        ));
    }
    if ops {
        out.push(
            "dataOperationSpecs: data operations started after the apply use the new entries; running ones keep theirs."
                .to_string(),
        );
    }
    out
}

fn runtime_notes(live: &Value, edited: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for c in ["master", "worker"] {
        let pointer = format!("/spec/{c}");
        let keys = changed_keys(live, edited, &pointer);
        if keys.iter().any(|k| k == "runtimeVersion") {
            out.push(format!(
                "{c}.runtimeVersion: Fluid patches the image into the running pods at once, all of them, \
                 only if image and imageTag are both set. For a controlled rollout (step by step, pause, \
                 rollback) use the upgrade (U) instead."
            ));
        }
        if keys.iter().any(|k| k == "resources") {
            out.push(format!(
                "{c}.resources: synced into the workload; running pods change in place only with \
                 InPlacePodVerticalScaling, otherwise at their next restart."
            ));
        }
        let options = keys.iter().any(|k| k == "options");
        let template: Vec<&String> = keys
            .iter()
            .filter(|k| !SYNCED.contains(&k.as_str()) && k.as_str() != "options")
            .collect();
        if options {
            out.push(format!(
                "{c}.options: Fluid rewrites runtime.json but running pods keep the options they started \
                 with; a rebuild (R) of the {c} pods applies them."
            ));
        }
        if !template.is_empty() {
            let names: Vec<&str> = template.iter().map(|k| k.as_str()).collect();
            out.push(format!(
                "{c}.{}: never synced into running pods (the workload template is not updated); \
                 neither an upgrade nor a rebuild applies it: the CacheRuntime must be re-created.",
                names.join(", ")
            ));
        }
    }
    if changed(live, edited, "/spec/client") {
        out.push(
            "client: Fluid never updates the client DaemonSet after it created it; this change reaches \
             no fuse pod until the CacheRuntime is re-created."
                .to_string(),
        );
    }
    let options =
        changed(live, edited, "/spec/options") || changed(live, edited, "/spec/tieredStore");
    if options {
        out.push(
            "options / tieredStore: runtime.json is rewritten, running pods keep what they started with; \
             a rebuild (R) applies options (tiered-store volumes need the runtime re-created)."
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn runtime() -> Value {
        json!({"spec": {
            "runtimeClassName": "curvine",
            "master": {"replicas": 1, "options": {"a": "1"}},
            "worker": {"replicas": 3, "env": [{"name": "A", "value": "1"}],
                       "runtimeVersion": {"image": "curvine/curvine", "imageTag": "v0.2.5"}},
            "client": {"nodeSelector": {"a": "b"}},
        }})
    }

    #[test]
    fn replicas_alone_need_no_note() {
        let mut e = runtime();
        e["spec"]["worker"]["replicas"] = json!(4);
        assert!(notes(Kind::CacheRuntime, &runtime(), &e).is_empty());
    }

    #[test]
    fn each_kind_of_runtime_change_is_explained() {
        let mut e = runtime();
        e["spec"]["worker"]["runtimeVersion"]["imageTag"] = json!("v0.2.6");
        e["spec"]["worker"]["env"][0]["value"] = json!("2");
        e["spec"]["master"]["options"]["a"] = json!("2");
        e["spec"]["client"]["nodeSelector"]["a"] = json!("c");
        let n = notes(Kind::CacheRuntime, &runtime(), &e);
        assert_eq!(n.len(), 4, "{n:#?}");
        assert!(n[0].starts_with("master.options") && n[0].contains("rebuild (R)"));
        assert!(n[1].starts_with("worker.runtimeVersion") && n[1].contains("upgrade (U)"));
        assert!(n[2].starts_with("worker.env") && n[2].contains("re-created"));
        assert!(n[3].starts_with("client"));
    }

    #[test]
    fn a_class_change_waits_for_new_runtimes() {
        let live = json!({"fileSystemType": "curvine", "topology": {"master": {}},
                          "dataOperationSpecs": [{"name": "DataLoad"}], "metadata": {"name": "c"}});
        let mut e = live.clone();
        e["topology"]["master"] = json!({"replicas": 2});
        e["metadata"]["labels"] = json!({"x": "y"});
        let n = notes(Kind::CacheRuntimeClass, &live, &e);
        assert_eq!(n.len(), 1);
        assert!(n[0].contains("topology changed"), "{n:?}");
        e["dataOperationSpecs"][0]["image"] = json!("x");
        assert_eq!(notes(Kind::CacheRuntimeClass, &live, &e).len(), 2);
    }
}
