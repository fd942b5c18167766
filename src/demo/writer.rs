//! Writes into the embedded demo cluster: the demo's implementation of [`Writer`], answering as
//! the API server would (conflicts, preconditions, validation, dry runs).

use std::sync::{Arc, Mutex};

use kube::core::Status;

use super::DemoCluster;
use crate::cluster::writer::{
    Write, WriteError, WriteFuture, WriteOp, WriteOutcome, Writer, merge_patch,
};
use crate::model::{Object, ObjectKey};

/// Writes into the embedded demo cluster (shared with whoever advances it). Dry runs validate
/// against a copy and change nothing.
pub struct DemoWriter {
    cluster: Arc<Mutex<DemoCluster>>,
}

impl DemoWriter {
    pub fn new(cluster: Arc<Mutex<DemoCluster>>) -> DemoWriter {
        DemoWriter { cluster }
    }

    fn run(&self, w: &Write) -> Result<WriteOutcome, WriteError> {
        let key = w.key()?;
        let mut guard = self.cluster.lock().unwrap_or_else(|e| e.into_inner());
        let parse = |v: serde_json::Value| -> Result<Object, WriteError> {
            super::admission::check_labels(&v).map_err(|m| status(422, "Invalid", &m))?;
            Object::from_value(v)
                .map_err(|e| status(422, "Invalid", &e.to_string()))?
                .ok_or_else(|| WriteError::Invalid("not a kind the console knows".into()))
        };
        let not_found = || {
            status(
                404,
                "NotFound",
                &format!("{} \"{}\" not found", key.kind, key.name),
            )
        };
        let current = guard.get(&key).cloned();
        let (result, obj): (Result<(), String>, Option<Object>) = match &w.op {
            WriteOp::Create(v) => {
                if current.is_some() {
                    return Err(status(
                        409,
                        "AlreadyExists",
                        &format!("{} \"{}\" already exists", key.kind, key.name),
                    ));
                }
                let obj = parse(v.clone())?;
                let r = if w.dry_run {
                    Ok(())
                } else {
                    guard.create(obj.clone()).map_err(|e| e.to_string())
                };
                (r, Some(obj))
            }
            WriteOp::MergePatch { patch, .. } | WriteOp::MergePatchStatus { patch, .. } => {
                let cur = current.ok_or_else(not_found)?;
                check_resource_version(&cur, patch, &key)?;
                let mut v = cur.to_value();
                merge_patch(&mut v, patch);
                let obj = parse(v)?;
                let r = if w.dry_run {
                    Ok(())
                } else if matches!(w.op, WriteOp::MergePatchStatus { .. }) {
                    guard.apply_status(obj.clone()).map_err(|e| e.to_string())
                } else {
                    guard.apply(obj.clone()).map_err(|e| e.to_string())
                };
                // As stored: the main resource keeps its status, the status subresource its spec.
                let stored = if w.dry_run {
                    obj
                } else {
                    guard.get(&key).cloned().unwrap_or(obj)
                };
                (r, Some(stored))
            }
            WriteOp::Apply(v) => {
                let mut base = current
                    .map(|c| c.to_value())
                    .unwrap_or_else(|| serde_json::json!({}));
                merge_patch(&mut base, v);
                let obj = parse(base)?;
                let r = if w.dry_run {
                    Ok(())
                } else {
                    guard.apply(obj.clone()).map_err(|e| e.to_string())
                };
                (r, Some(obj))
            }
            WriteOp::Delete(_) | WriteOp::ForceDelete(_) => {
                let cur = current.ok_or_else(not_found)?;
                let r = if w.dry_run {
                    Ok(())
                } else if matches!(w.op, WriteOp::ForceDelete(_)) {
                    guard.force_delete(&key).map_err(|e| e.to_string())
                } else {
                    guard.delete(&key).map_err(|e| e.to_string())
                };
                // Like the API server: the object while it is still there (a pod Terminating),
                // nothing once it is gone.
                let left = if w.dry_run {
                    Some(cur)
                } else {
                    guard.get(&key).cloned()
                };
                (r, left)
            }
        };
        result.map_err(|m| status(422, "Invalid", &m))?;
        // What the server stored (UID, resourceVersion, generation), when it is still there.
        let obj = match &w.op {
            WriteOp::Create(_)
            | WriteOp::Apply(_)
            | WriteOp::MergePatch { .. }
            | WriteOp::MergePatchStatus { .. }
                if !w.dry_run =>
            {
                guard.get(&key).cloned().or(obj)
            }
            _ => obj,
        };
        Ok(WriteOutcome {
            object: obj,
            dry_run: w.dry_run,
        })
    }
}

impl Writer for DemoWriter {
    fn write<'a>(&'a self, w: &'a Write) -> WriteFuture<'a> {
        let r = self.run(w);
        Box::pin(async move { r })
    }
}

/// A patch that names `metadata.resourceVersion` is a precondition, as on a real API server:
/// it applies only to that version of the object.
fn check_resource_version(
    current: &Object,
    patch: &serde_json::Value,
    key: &ObjectKey,
) -> Result<(), WriteError> {
    let Some(wanted) = patch
        .pointer("/metadata/resourceVersion")
        .and_then(|v| v.as_str())
    else {
        return Ok(());
    };
    if current.meta().resource_version.as_deref() == Some(wanted) {
        return Ok(());
    }
    Err(status(
        409,
        "Conflict",
        &format!(
            "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
            key.kind, key.name
        ),
    ))
}

fn status(code: u16, reason: &str, message: &str) -> WriteError {
    let mut s = Status::failure(message, reason);
    s.code = code;
    WriteError::Status(Box::new(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::writer::Guarded;
    use crate::model::Kind;
    use jiff::Timestamp;
    use serde_json::json;

    fn demo() -> Arc<Mutex<DemoCluster>> {
        Arc::new(Mutex::new(DemoCluster::builtin(7, Timestamp::now())))
    }

    fn dataset(ns: &str, name: &str) -> serde_json::Value {
        json!({"apiVersion": "data.fluid.io/v1alpha1", "kind": "Dataset",
               "metadata": {"name": name, "namespace": ns},
               "spec": {"mounts": [{"name": "m", "mountPoint": "s3://b/"}]}})
    }

    #[tokio::test]
    async fn readonly_refuses_at_the_boundary_and_audits() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("audit.log");
        let cluster = demo();
        let w = Guarded::new(
            Box::new(DemoWriter::new(cluster.clone())),
            true,
            Some(log.clone()),
        );
        let write = Write::new(WriteOp::Create(dataset("ro", "x")));
        assert_eq!(w.write(&write).await, Err(WriteError::ReadOnly));
        let key = ObjectKey::new(Kind::Dataset, "ro", "x");
        assert!(cluster.lock().unwrap().get(&key).is_none());
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(
            text.contains("refused (read-only)") && text.contains("Dataset/ro/x"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn demo_writer_creates_patches_dry_runs_and_deletes() {
        let cluster = demo();
        let w = Guarded::new(Box::new(DemoWriter::new(cluster.clone())), false, None);
        let key = ObjectKey::new(Kind::Dataset, "imagenet", "extra");
        w.write(&Write::dry_run(WriteOp::Create(dataset(
            "imagenet", "extra",
        ))))
        .await
        .unwrap();
        assert!(
            cluster.lock().unwrap().get(&key).is_none(),
            "dry run persisted"
        );
        w.write(&Write::new(WriteOp::Create(dataset("imagenet", "extra"))))
            .await
            .unwrap();
        assert!(cluster.lock().unwrap().get(&key).is_some());
        let again = w
            .write(&Write::new(WriteOp::Create(dataset("imagenet", "extra"))))
            .await;
        assert!(matches!(again, Err(WriteError::Status(s)) if s.code == 409));
        let patch = WriteOp::MergePatch {
            key: key.clone(),
            patch: json!({"metadata": {"labels": {"team": "ml"}}}),
        };
        w.write(&Write::new(patch)).await.unwrap();
        let labels = cluster
            .lock()
            .unwrap()
            .get(&key)
            .unwrap()
            .meta()
            .labels
            .clone();
        assert_eq!(labels.unwrap().get("team").map(String::as_str), Some("ml"));
        w.write(&Write::new(WriteOp::Delete(key.clone())))
            .await
            .unwrap();
        assert!(cluster.lock().unwrap().get(&key).is_none());
    }
}
