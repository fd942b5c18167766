//! The writes a run sends: the status commit and spec flags on its record, the lock on the
//! runtime, each step's cluster writes, the clean-up at the end, and how each reads when the
//! operator confirms it.

use serde_json::{Value, json};

use super::Machine;
use super::steps::StepKind;
use crate::cluster::writer::WriteOp;
use crate::model::maintenance::{MaintenanceStatus, MaintenanceType};
use crate::model::runtime::RuntimeVersion;
use crate::model::{CacheRuntimeMaintenance, Component, Kind, ObjectKey, OpKind};
use crate::workflows::observe::{self, ordinal, workload_name};
use crate::workflows::{LOCK_ANNOTATION, RUNTIME_LABEL};

fn record_key(rec: &CacheRuntimeMaintenance) -> ObjectKey {
    ObjectKey::new(
        Kind::CacheRuntimeMaintenance,
        rec.metadata.namespace.clone().unwrap_or_default(),
        rec.metadata.name.clone().unwrap_or_default(),
    )
}

/// The status commit: a merge patch of the status subresource with `metadata.resourceVersion`
/// as precondition. Fields the new status drops are sent as `null`.
pub fn record_status_write(rec: &CacheRuntimeMaintenance, status: &MaintenanceStatus) -> WriteOp {
    let mut new = serde_json::to_value(status).unwrap_or_else(|_| json!({}));
    if let (Some(old), Some(n)) = (
        rec.status
            .as_ref()
            .and_then(|s| serde_json::to_value(s).ok()),
        new.as_object_mut(),
    ) && let Some(o) = old.as_object()
    {
        for k in o.keys() {
            if !n.contains_key(k) {
                n.insert(k.clone(), Value::Null);
            }
        }
    }
    let mut patch = json!({ "status": new });
    if let Some(rv) = &rec.metadata.resource_version {
        patch["metadata"] = json!({ "resourceVersion": rv });
    }
    WriteOp::MergePatchStatus {
        key: record_key(rec),
        patch,
    }
}

/// `spec.paused` / `spec.abort` requested on the record (any console may; the driving console
/// reacts on its next Observe).
pub fn spec_flag_write(
    rec: &CacheRuntimeMaintenance,
    paused: Option<bool>,
    abort: Option<bool>,
) -> WriteOp {
    let mut spec = serde_json::Map::new();
    if let Some(p) = paused {
        spec.insert("paused".into(), Value::Bool(p));
    }
    if let Some(a) = abort {
        spec.insert("abort".into(), Value::Bool(a));
    }
    WriteOp::MergePatch {
        key: record_key(rec),
        patch: json!({ "spec": spec }),
    }
}

impl Machine<'_> {
    pub(super) fn lock_write(&self) -> Option<WriteOp> {
        let rt = self.store.runtime(&self.ns, &self.rt)?;
        let holder = rt
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(LOCK_ANNOTATION));
        if holder.is_some() {
            // Ours already, or someone else's (Preflight fails on it): never overwrite.
            return None;
        }
        let mut meta = json!({ "annotations": { LOCK_ANNOTATION: self.name } });
        if let Some(rv) = &rt.metadata.resource_version {
            meta["resourceVersion"] = json!(rv);
        }
        Some(WriteOp::MergePatch {
            key: ObjectKey::new(Kind::CacheRuntime, self.ns.clone(), self.rt.clone()),
            patch: json!({ "metadata": meta }),
        })
    }

    pub(super) fn finish_writes(&mut self) {
        let partition_steps: Vec<Component> = (0..self.st.steps.len())
            .filter(|&i| self.st.steps[i].started_at.is_some())
            .filter_map(|i| match self.kind_of(i) {
                StepKind::HoldPartition(c) | StepKind::UpdatePod(_, c) => Some(c),
                _ => None,
            })
            .collect();
        let mut done = Vec::new();
        for c in partition_steps {
            if done.contains(&c) {
                continue;
            }
            done.push(c);
            let wl = workload_name(&self.rt, c);
            if observe::workload(self.store, &self.ns, &wl)
                .is_some_and(|w| observe::partition(w) != 0)
            {
                self.writes.push(partition_write(&self.ns, &wl, 0));
            }
        }
        let ours = self
            .store
            .runtime(&self.ns, &self.rt)
            .and_then(|r| r.metadata.annotations.as_ref())
            .and_then(|a| a.get(LOCK_ANNOTATION))
            .is_some_and(|v| *v == self.name);
        if ours {
            self.writes.push(WriteOp::MergePatch {
                key: ObjectKey::new(Kind::CacheRuntime, self.ns.clone(), self.rt.clone()),
                patch: json!({ "metadata": { "annotations": { LOCK_ANNOTATION: null } } }),
            });
        }
    }

    pub(super) fn step_writes(&self, kind: &StepKind) -> Vec<WriteOp> {
        let rt_key = ObjectKey::new(Kind::CacheRuntime, self.ns.clone(), self.rt.clone());
        let runtime = self.store.runtime(&self.ns, &self.rt);
        let version_of = |c: Component| {
            runtime
                .and_then(|r| r.component_spec(c))
                .and_then(|s| s.runtime_version.clone())
                .unwrap_or_default()
        };
        match kind {
            StepKind::HoldPartition(c) => {
                let wl = workload_name(&self.rt, *c);
                let w = observe::workload(self.store, &self.ns, &wl);
                let replicas = w
                    .and_then(|w| w.spec.replicas)
                    .or_else(|| {
                        runtime
                            .and_then(|r| r.component_spec(*c))
                            .and_then(|s| s.replicas)
                    })
                    .unwrap_or(1) as i64;
                if w.is_some_and(|w| observe::partition(w) == replicas) {
                    return Vec::new();
                }
                vec![partition_write(&self.ns, &wl, replicas)]
            }
            StepKind::UpdatePod(p, c) => {
                let wl = workload_name(&self.rt, *c);
                let ord = ordinal(p).unwrap_or(0) as i64;
                if observe::workload(self.store, &self.ns, &wl)
                    .is_some_and(|w| observe::partition(w) <= ord)
                {
                    return Vec::new();
                }
                vec![partition_write(&self.ns, &wl, ord)]
            }
            StepKind::PatchRuntime(c) => {
                let t = self.target_version();
                let cur = version_of(*c);
                if cur.image == t.image
                    && cur.image_tag == t.image_tag
                    && (t.image_pull_policy.is_none()
                        || cur.image_pull_policy == t.image_pull_policy)
                {
                    return Vec::new();
                }
                vec![runtime_version_write(&rt_key, *c, &t)]
            }
            StepKind::Rollback(c) => {
                let mut out = Vec::new();
                let wl = workload_name(&self.rt, *c);
                if observe::workload(self.store, &self.ns, &wl)
                    .is_some_and(|w| observe::partition(w) != 0)
                {
                    out.push(partition_write(&self.ns, &wl, 0));
                }
                if let Some(prev) = self.previous(*c) {
                    let cur = version_of(*c);
                    if !(cur.image == prev.image && cur.image_tag == prev.image_tag) {
                        out.push(runtime_version_write(&rt_key, *c, &prev));
                    }
                }
                out
            }
            StepKind::DeletePod(p, force) => {
                let Some(pod) = observe::pod(self.store, &self.ns, p) else {
                    return Vec::new();
                };
                if let Some(old) = self.recorded_uid(p)
                    && observe::uid(pod) != old
                {
                    return Vec::new();
                }
                let key = ObjectKey::new(Kind::Pod, self.ns.clone(), p.clone());
                vec![if *force {
                    WriteOp::ForceDelete(key)
                } else {
                    WriteOp::Delete(key)
                }]
            }
            StepKind::CreateDataLoad(name) => {
                if observe::dataload(self.store, &self.ns, name).is_some() {
                    return Vec::new();
                }
                vec![WriteOp::Create(self.dataload_manifest(name))]
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn dataload_manifest(&self, name: &str) -> Value {
        let dl = self
            .rec
            .spec
            .rebuild
            .as_ref()
            .and_then(|r| r.data_load.clone())
            .unwrap_or_default();
        let mut target: Vec<Value> = dl
            .target
            .iter()
            .map(|t| serde_json::to_value(t).unwrap_or(Value::Null))
            .collect();
        if target.is_empty() {
            target.push(json!({ "path": "/" }));
        }
        let mut spec = json!({
            "dataset": { "name": self.rt, "namespace": self.ns },
            "policy": "Once",
            "target": target,
        });
        if let Some(lm) = dl.load_metadata {
            spec["loadMetadata"] = json!(lm);
        }
        json!({
            "apiVersion": crate::model::FLUID_API_VERSION,
            "kind": "DataLoad",
            "metadata": {
                "name": name,
                "namespace": self.ns,
                "labels": { LOCK_ANNOTATION: self.name, RUNTIME_LABEL: self.rt },
            },
            "spec": spec,
        })
    }
}

fn partition_write(ns: &str, workload: &str, partition: i64) -> WriteOp {
    WriteOp::MergePatch {
        key: ObjectKey::new(Kind::AdvancedStatefulSet, ns, workload),
        patch: json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": partition } } } }),
    }
}

fn runtime_version_write(key: &ObjectKey, c: Component, v: &RuntimeVersion) -> WriteOp {
    let mut rv = json!({ "image": v.image, "imageTag": v.image_tag });
    if let Some(p) = &v.image_pull_policy {
        rv["imagePullPolicy"] = json!(p);
    }
    WriteOp::MergePatch {
        key: key.clone(),
        patch: json!({ "spec": { c.as_str(): { "runtimeVersion": rv } } }),
    }
}

/// One line for a write, as the operator confirms it.
pub fn describe_write(w: &WriteOp) -> String {
    fn flatten(prefix: &str, v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, x) in m {
                    if prefix.is_empty() && k == "metadata" {
                        if let Some(mm) = x.as_object() {
                            for (mk, mx) in mm {
                                if mk != "resourceVersion" {
                                    flatten(&format!("metadata.{mk}"), mx, out);
                                }
                            }
                        }
                        continue;
                    }
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    flatten(&p, x, out);
                }
            }
            Value::Null => out.push(format!("{prefix} removed")),
            Value::String(s) => out.push(format!("{prefix} = {s}")),
            other => out.push(format!("{prefix} = {other}")),
        }
    }
    let obj = |k: &ObjectKey| format!("{} {}/{}", k.kind, k.namespace, k.name);
    match w {
        WriteOp::MergePatch { key, patch } | WriteOp::MergePatchStatus { key, patch } => {
            let mut parts = Vec::new();
            flatten("", patch, &mut parts);
            format!("patch {}: {}", obj(key), parts.join(", "))
        }
        WriteOp::Create(v) | WriteOp::Apply(v) => {
            let kind = v.get("kind").and_then(|k| k.as_str()).unwrap_or("");
            let name = v
                .pointer("/metadata/name")
                .and_then(|k| k.as_str())
                .unwrap_or("");
            let ns = v
                .pointer("/metadata/namespace")
                .and_then(|k| k.as_str())
                .unwrap_or("");
            let targets: Vec<&str> = v
                .pointer("/spec/target")
                .and_then(|t| t.as_array())
                .into_iter()
                .flatten()
                .filter_map(|t| t.get("path").and_then(|p| p.as_str()))
                .collect();
            if targets.is_empty() {
                format!("create {kind} {ns}/{name}")
            } else {
                format!(
                    "create {kind} {ns}/{name} (Once, target {})",
                    targets.join(", ")
                )
            }
        }
        WriteOp::Delete(k) => format!("delete {} (normal grace period)", obj(k)),
        WriteOp::ForceDelete(k) => format!("force delete {} (grace period 0)", obj(k)),
    }
}

/// Kinds a run writes (for callers that check permissions up front).
pub fn written_kinds(rec: &CacheRuntimeMaintenance) -> Vec<Kind> {
    let mut out = vec![Kind::CacheRuntimeMaintenance, Kind::CacheRuntime];
    match rec.spec.type_ {
        MaintenanceType::Rebuild => {
            out.push(Kind::Pod);
            if rec.spec.rebuild.as_ref().and_then(|r| r.reload_data) == Some(true) {
                out.push(Kind::Operation(OpKind::DataLoad));
            }
        }
        _ => out.push(Kind::AdvancedStatefulSet),
    }
    out
}
