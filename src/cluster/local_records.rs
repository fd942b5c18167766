//! Maintenance records kept on this machine when the cluster has no CacheRuntimeMaintenance
//! CRD (FLUID.md §4.5: "locally otherwise"). A writer layer under the guarded boundary: a record
//! whose create the API server answers with "resource not found" is created in a directory
//! instead, and every later write to a record found there stays there, with the same
//! resourceVersion precondition. Records are marked with [`LOCAL_ANNOTATION`] so the views can
//! say where they live. Everything else goes to the cluster untouched.

use std::path::{Path, PathBuf};

use super::record_files::{self as local, LocalError};
use super::writer::{Write, WriteError, WriteFuture, WriteOp, WriteOutcome, Writer};
use crate::model::{CacheRuntimeMaintenance, Kind, Object, ObjectKey};

/// Annotation on a record kept on this machine (value: the directory).
pub const LOCAL_ANNOTATION: &str = "fluidops.io/local-record";

pub struct WithLocalRecords {
    inner: Box<dyn Writer>,
    dir: PathBuf,
}

impl WithLocalRecords {
    pub fn new(inner: Box<dyn Writer>, dir: PathBuf) -> WithLocalRecords {
        WithLocalRecords { inner, dir }
    }
}

/// The directory for one context's local records.
pub fn dir_for(state_dir: &Path, context: &str) -> PathBuf {
    let clean: String = context
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    local::dir_in(state_dir).join(clean)
}

/// The records kept for a context, as objects for the store, and the files that could not be
/// read (path and why).
pub fn load(dir: &Path) -> (Vec<Object>, Vec<String>) {
    let (records, problems) = local::load_all(dir);
    let objects = records.into_iter().map(marked).map(Object::from).collect();
    let problems = problems
        .into_iter()
        .map(|(p, e)| format!("{}: {e}", p.display()))
        .collect();
    (objects, problems)
}

fn marked(mut rec: CacheRuntimeMaintenance) -> CacheRuntimeMaintenance {
    rec.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(LOCAL_ANNOTATION.into(), "true".into());
    rec
}

/// The API server has no endpoint for the kind (its CRD is not installed; when no resource of
/// the group is left, the answer is a plain-text "404 page not found").
fn kind_missing(e: &WriteError) -> bool {
    matches!(e, WriteError::Status(s) if s.code == 404
        && (s.message.contains("could not find the requested resource")
            || s.message.contains("404 page not found")))
}

fn local_error(e: LocalError) -> WriteError {
    let (code, reason) = match &e {
        LocalError::NotFound(_) => (404, "NotFound"),
        LocalError::Conflict(_) => (409, "Conflict"),
        LocalError::Invalid(_) => (422, "Invalid"),
        LocalError::Io(_) => (500, "InternalError"),
    };
    let mut s = kube::core::Status::failure(&format!("{e} (local record)"), reason);
    s.code = code;
    WriteError::Status(Box::new(s))
}

impl WithLocalRecords {
    fn is_local(&self, key: &ObjectKey) -> bool {
        matches!(
            local::load(&self.dir, &key.namespace, &key.name),
            Ok(Some(_))
        )
    }

    fn create_here(&self, w: &Write) -> Result<WriteOutcome, WriteError> {
        let WriteOp::Create(v) = &w.op else {
            return Err(WriteError::Invalid("not a create".into()));
        };
        let rec: CacheRuntimeMaintenance =
            serde_json::from_value(v.clone()).map_err(|e| WriteError::Invalid(e.to_string()))?;
        let rec = marked(rec);
        let stored = if w.dry_run {
            rec
        } else {
            local::create(&self.dir, rec).map_err(local_error)?
        };
        Ok(WriteOutcome {
            object: Some(Object::from(stored)),
            dry_run: w.dry_run,
        })
    }

    fn write_here(&self, w: &Write, key: &ObjectKey) -> Result<WriteOutcome, WriteError> {
        match &w.op {
            WriteOp::Delete(_) | WriteOp::ForceDelete(_) => {
                if !w.dry_run {
                    local::remove(&self.dir, &key.namespace, &key.name).map_err(local_error)?;
                }
                Ok(WriteOutcome {
                    object: None,
                    dry_run: w.dry_run,
                })
            }
            WriteOp::Create(_) => Err(local_error(LocalError::Invalid(format!(
                "{}/{} already exists",
                key.namespace, key.name
            )))),
            op if w.dry_run => {
                let _ = op;
                Ok(WriteOutcome {
                    object: None,
                    dry_run: true,
                })
            }
            op => {
                let stored = local::apply_write(&self.dir, op).map_err(local_error)?;
                Ok(WriteOutcome {
                    object: Some(Object::from(marked(stored))),
                    dry_run: false,
                })
            }
        }
    }
}

impl Writer for WithLocalRecords {
    fn write<'a>(&'a self, w: &'a Write) -> WriteFuture<'a> {
        Box::pin(async move {
            let key = match w.key() {
                Ok(k) if k.kind == Kind::CacheRuntimeMaintenance => k,
                _ => return self.inner.write(w).await,
            };
            if self.is_local(&key) {
                return self.write_here(w, &key);
            }
            match self.inner.write(w).await {
                Err(e) if matches!(w.op, WriteOp::Create(_)) && kind_missing(&e) => {
                    self.create_here(w)
                }
                other => other,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;
    use serde_json::json;

    /// A cluster without the CRD: every write of the kind is a 404 for the resource.
    struct NoCrd;
    impl Writer for NoCrd {
        fn write<'a>(&'a self, _w: &'a Write) -> WriteFuture<'a> {
            Box::pin(async {
                let mut s = Status::failure(
                    "the server could not find the requested resource",
                    "NotFound",
                );
                s.code = 404;
                Err(WriteError::Status(Box::new(s)))
            })
        }
    }

    fn manifest() -> serde_json::Value {
        json!({
            "apiVersion": "ops.fluidops.io/v1alpha1",
            "kind": "CacheRuntimeMaintenance",
            "metadata": {"name": "rt-upgrade-1", "namespace": "ns"},
            "spec": {"runtimeName": "rt", "type": "Upgrade"},
        })
    }

    #[test]
    fn without_the_crd_records_live_in_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let w = WithLocalRecords::new(Box::new(NoCrd), dir.path().to_path_buf());
        let run = |op| futures::executor::block_on(w.write(&Write::new(op)));
        let created = run(WriteOp::Create(manifest())).unwrap();
        let Some(Object::Maintenance(m)) = created.object else {
            panic!("created record expected");
        };
        assert_eq!(m.metadata.resource_version.as_deref(), Some("1"));
        assert!(
            m.metadata
                .annotations
                .unwrap()
                .contains_key(LOCAL_ANNOTATION)
        );
        let key = ObjectKey::new(Kind::CacheRuntimeMaintenance, "ns", "rt-upgrade-1");
        let patch = |rv: &str| WriteOp::MergePatchStatus {
            key: key.clone(),
            patch: json!({"metadata": {"resourceVersion": rv}, "status": {"phase": "Running"}}),
        };
        let out = run(patch("1")).unwrap();
        let Some(Object::Maintenance(m)) = out.object else {
            panic!()
        };
        assert_eq!(m.phase().to_string(), "Running");
        // A stale version is refused like the API server would.
        match run(patch("1")) {
            Err(WriteError::Status(s)) => assert_eq!(s.code, 409),
            other => panic!("{other:?}"),
        }
        let (objects, problems) = load(dir.path());
        assert_eq!(objects.len(), 1);
        assert!(problems.is_empty());
        run(WriteOp::Delete(key)).unwrap();
        assert!(load(dir.path()).0.is_empty());
    }

    #[test]
    fn a_removed_crd_leaves_only_the_local_records_in_the_store() {
        use crate::cluster::{Availability, ClusterEvent, Store};
        let record = |name: &str| {
            let mut v = manifest();
            v["metadata"]["name"] = name.into();
            serde_json::from_value::<CacheRuntimeMaintenance>(v).unwrap()
        };
        let mut store = Store::new();
        let now = jiff::Timestamp::now();
        store.apply(
            ClusterEvent::Applied(Object::from(record("in-cluster"))),
            now,
        );
        store.apply(
            ClusterEvent::Applied(Object::from(marked(record("here")))),
            now,
        );
        store.apply(
            ClusterEvent::Availability {
                kind: Kind::CacheRuntimeMaintenance,
                availability: Availability::NotInstalled,
            },
            now,
        );
        let left: Vec<String> = store
            .maintenances()
            .filter_map(|m| m.metadata.name.clone())
            .collect();
        assert_eq!(left, ["here"]);
    }

    #[test]
    fn other_kinds_and_other_errors_go_to_the_cluster() {
        let dir = tempfile::tempdir().unwrap();
        let w = WithLocalRecords::new(Box::new(NoCrd), dir.path().to_path_buf());
        let mut ds = manifest();
        ds["kind"] = "Dataset".into();
        ds["apiVersion"] = "data.fluid.io/v1alpha1".into();
        assert!(futures::executor::block_on(w.write(&Write::new(WriteOp::Create(ds)))).is_err());
        assert!(load(dir.path()).0.is_empty());
    }
}
