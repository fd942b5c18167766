//! What a restart does not bring into the running pods: spec changes neither an upgrade nor a
//! rebuild applies, and whether the runtime carries engine options a rebuild re-reads.

use std::cell::OnceCell;

use crate::cluster::Store;
use crate::model::health::component_enabled;
use crate::model::{CacheRuntime, Component, ObjectKey};
use crate::workflows::observe::{self, workload_name};

pub(super) fn has_options(rt: &CacheRuntime) -> bool {
    rt.spec.extra.contains_key("options")
        || Component::ALL.into_iter().any(|c| {
            rt.component_spec(c)
                .is_some_and(|s| s.extra.contains_key("options"))
        })
}

/// Spec changes neither an upgrade nor a rebuild applies: pod-template-level fields (env, args,
/// volumes, volume mounts, nodeSelector, tolerations, tiered-store volumes, class template) that
/// differ from what the running workload was rendered with. Fluid never updates a workload
/// template after creation (FLUID.md §4.2/§4.4): the CacheRuntime must be re-created.
///
/// A field is judged only when the workload template (or, failing that, a running pod) shows it
/// was rendered: a minimal template without the field says nothing.
pub fn not_syncable(store: &Store, runtime: &ObjectKey) -> Vec<String> {
    let Some(rt) = store.runtime(&runtime.namespace, &runtime.name) else {
        return Vec::new();
    };
    let class = store.class_of(rt);
    let mut out = Vec::new();
    let recreate = "re-create the CacheRuntime to apply it (Fluid never updates a workload template after creation)";
    for c in [Component::Master, Component::Worker, Component::Client] {
        if !component_enabled(rt, class, c) {
            continue;
        }
        let wl_name = workload_name(&runtime.name, c);
        let tpl_spec = observe::workload(store, &runtime.namespace, &wl_name)
            .and_then(|w| w.spec.template.as_ref())
            .and_then(|t| t.get("spec"));
        let pods = observe::component_pods(store, &runtime.namespace, &runtime.name, c);
        // A pod's spec as JSON, made when first looked at: the first pod usually answers.
        let pod_specs: Vec<OnceCell<Option<serde_json::Value>>> =
            pods.iter().map(|_| OnceCell::new()).collect();
        let pod_spec = |i: usize| {
            pod_specs[i]
                .get_or_init(|| {
                    pods[i]
                        .spec
                        .as_ref()
                        .and_then(|s| serde_json::to_value(s).ok())
                })
                .as_ref()
        };
        // Where a field was rendered: the template if it carries it, else a pod that does.
        let rendered = |pointer: &str| -> Option<serde_json::Value> {
            tpl_spec
                .and_then(|s| s.pointer(pointer))
                .or_else(|| (0..pods.len()).find_map(|i| pod_spec(i)?.pointer(pointer)))
                .cloned()
        };
        let spec = rt.component_spec(c);
        let field = |f: &str| spec.and_then(|s| s.extra.get(f));
        // env: every variable the runtime sets must be in container[0] with that value.
        if let (Some(want), Some(have)) = (field("env"), rendered("/containers/0/env")) {
            for v in want.as_array().into_iter().flatten() {
                let n = v.get("name").and_then(|n| n.as_str()).unwrap_or("");
                let found = have
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|h| h.get("name").and_then(|x| x.as_str()) == Some(n));
                let differs = match found {
                    None => true,
                    Some(h) => {
                        h.get("value") != v.get("value") || h.get("valueFrom") != v.get("valueFrom")
                    }
                };
                if differs {
                    let val = v
                        .get("value")
                        .and_then(|x| x.as_str())
                        .map(|s| format!("={s}"))
                        .unwrap_or_default();
                    out.push(format!(
                        "spec.{c}.env {n}{val} is not in the running {c} pods; {recreate}"
                    ));
                }
            }
        }
        if let (Some(want), Some(have)) = (field("args"), rendered("/containers/0/args"))
            && want != have
        {
            out.push(format!(
                "spec.{c}.args differ from the running {c} container args; {recreate}"
            ));
        }
        if let (Some(want), Some(have)) = (field("nodeSelector"), rendered("/nodeSelector")) {
            let wm = want.as_object().cloned().unwrap_or_default();
            let hm = have.as_object().cloned().unwrap_or_default();
            for (k, v) in &wm {
                if hm.get(k) != Some(v) {
                    out.push(format!(
                        "spec.{c}.nodeSelector {k}={} is not in the {c} pod template; {recreate}",
                        v.as_str().unwrap_or("")
                    ));
                }
            }
        }
        if let (Some(want), Some(have)) = (field("tolerations"), rendered("/tolerations")) {
            for t in want.as_array().into_iter().flatten() {
                if !have.as_array().is_some_and(|h| h.contains(t)) {
                    out.push(format!(
                        "spec.{c}.tolerations {} is not in the {c} pod template; {recreate}",
                        t
                    ));
                }
            }
        }
        if let (Some(want), Some(have)) = (
            field("volumeMounts"),
            rendered("/containers/0/volumeMounts"),
        ) {
            for m in want.as_array().into_iter().flatten() {
                let n = m.get("name").and_then(|n| n.as_str()).unwrap_or("");
                let path = m.get("mountPath").and_then(|n| n.as_str()).unwrap_or("");
                let ok = have.as_array().is_some_and(|h| {
                    h.iter().any(|x| {
                        x.get("name").and_then(|v| v.as_str()) == Some(n)
                            && x.get("mountPath").and_then(|v| v.as_str()) == Some(path)
                    })
                });
                if !ok {
                    out.push(format!(
                        "spec.{c}.volumeMounts {n} at {path} is not in the {c} container; {recreate}"
                    ));
                }
            }
        }
        if let Some(have) = rendered("/volumes") {
            let names: Vec<&str> = have
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.get("name").and_then(|n| n.as_str()))
                .collect();
            for v in rt
                .spec
                .extra
                .get("volumes")
                .as_ref()
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                let n = v.get("name").and_then(|n| n.as_str()).unwrap_or("");
                let mounted = spec
                    .and_then(|s| s.extra.get("volumeMounts"))
                    .as_ref()
                    .and_then(|m| m.as_array())
                    .is_some_and(|ms| {
                        ms.iter()
                            .any(|m| m.get("name").and_then(|x| x.as_str()) == Some(n))
                    });
                if mounted && !names.contains(&n) {
                    out.push(format!(
                        "spec.volumes {n} (mounted by {c}) is not in the {c} pod template; {recreate}"
                    ));
                }
            }
            // Tiered store: one volume per level/path, named by Fluid's mount path scheme.
            let levels = field("tieredStore")
                .and_then(|t| t.get("levels").cloned())
                .and_then(|l| l.as_array().cloned())
                .unwrap_or_default();
            let tier_vols: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| {
                    n.contains("tiered-store") || n.starts_with("level-") || n.contains("-level-")
                })
                .collect();
            if !tier_vols.is_empty() {
                let want_count: usize = levels
                    .iter()
                    .map(|l| {
                        l.get("hostPath")
                            .and_then(|h| h.get("paths"))
                            .and_then(|p| p.as_array())
                            .map(|a| a.len())
                            .unwrap_or(usize::from(l.get("emptyDir").is_some()))
                    })
                    .sum();
                if want_count != tier_vols.len() {
                    out.push(format!(
                        "spec.{c}.tieredStore has {want_count} volume(s) but the {c} pod template mounts {}; {recreate}",
                        tier_vols.len()
                    ));
                }
            }
        }
        // Class template: container[0] env/args/command of the class vs the workload template.
        if let (Some(class_tpl), Some(tpl)) = (
            class
                .and_then(|cl| cl.component(c))
                .and_then(|d| d.template.as_ref())
                .and_then(|t| t.pointer("/spec/containers/0")),
            tpl_spec.as_ref().and_then(|s| s.pointer("/containers/0")),
        ) {
            for f in ["command", "args"] {
                if let (Some(a), Some(b)) = (class_tpl.get(f), tpl.get(f))
                    && a != b
                {
                    out.push(format!(
                        "CacheRuntimeClass {} topology.{c}.template container {f} differs from the running {c} workload; {recreate}",
                        rt.spec.runtime_class_name
                    ));
                }
            }
            if let (Some(a), Some(b)) = (class_tpl.get("env"), tpl.get("env")) {
                for v in a.as_array().into_iter().flatten() {
                    if !b.as_array().is_some_and(|h| h.contains(v)) {
                        let n = v.get("name").and_then(|n| n.as_str()).unwrap_or("");
                        out.push(format!(
                            "CacheRuntimeClass {} topology.{c}.template env {n} is not in the running {c} workload; {recreate}",
                            rt.spec.runtime_class_name
                        ));
                    }
                }
            }
        }
    }
    out
}
