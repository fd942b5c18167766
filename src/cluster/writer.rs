//! Writes to the cluster: one trait ([`Writer`]), its kube-rs implementation (the demo cluster's
//! is [`crate::demo::writer`]), and one
//! boundary every write passes through ([`Guarded`]): `--readonly` refuses there, before anything
//! is sent, and every attempt is appended to the local audit log with its outcome.
//!
//! Operations: create, JSON merge patch, server-side apply (field manager `fluidops`; forced only
//! under the resourceVersion guard the editor sends),
//! delete; each can be a server-side dry run. Kubernetes' own `Status` (code, reason, message,
//! field causes) comes back intact in [`WriteError::Status`].

use std::future::Future;
use std::io::Write as _;
use std::path::PathBuf;
use std::pin::Pin;

use jiff::Timestamp;
use kube::Client;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::Status;

use super::kube_config::describe_error;
use super::kube_source::{api_resource, to_object};
use crate::model::{Kind, Object, ObjectKey};

/// The field manager of every write the console makes.
pub const FIELD_MANAGER: &str = "fluidops";

/// One write.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    /// Create an object (the full manifest, with apiVersion and kind).
    Create(serde_json::Value),
    /// RFC 7386 JSON merge patch of an existing object.
    MergePatch {
        key: ObjectKey,
        patch: serde_json::Value,
    },
    /// Server-side apply of the fields the console manages (the manifest names the object).
    Apply(serde_json::Value),
    /// JSON merge patch of an object's status subresource (kinds with `subresources.status`).
    MergePatchStatus {
        key: ObjectKey,
        patch: serde_json::Value,
    },
    Delete(ObjectKey),
    /// Delete with `gracePeriodSeconds: 0` (a pod on a node that no longer answers).
    ForceDelete(ObjectKey),
}

/// Which part of the console made a write, so its answer goes straight back there. Only the
/// console reads it: the writers and the audit log ignore it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WriteOrigin {
    /// A one-off confirmed action (delete, rerun, pause or abort of a run driven elsewhere): its
    /// answer is a message in the footer.
    #[default]
    Action,
    /// The spec editor's dry run or apply.
    Editor,
    /// The data-operation form's create: the form waits hidden for the answer.
    LoadForm,
    /// A write of the maintenance run with this record, driven here.
    Run(ObjectKey),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub op: WriteOp,
    /// Ask the server to validate and admit the write without persisting it.
    pub dry_run: bool,
    /// What the operator confirmed (e.g. the diff of an edit), kept in the audit log.
    pub note: Option<String>,
    /// Who gets the answer.
    pub origin: WriteOrigin,
}

impl Write {
    pub fn new(op: WriteOp) -> Write {
        Write {
            op,
            dry_run: false,
            note: None,
            origin: WriteOrigin::Action,
        }
    }

    pub fn dry_run(op: WriteOp) -> Write {
        Write {
            dry_run: true,
            ..Write::new(op)
        }
    }

    /// The same write, answered to `origin`.
    pub fn answered_to(mut self, origin: WriteOrigin) -> Write {
        self.origin = origin;
        self
    }

    /// The object written, when it can be told from the request.
    pub fn key(&self) -> Result<ObjectKey, WriteError> {
        match &self.op {
            WriteOp::MergePatch { key, .. }
            | WriteOp::MergePatchStatus { key, .. }
            | WriteOp::Delete(key)
            | WriteOp::ForceDelete(key) => Ok(key.clone()),
            WriteOp::Create(v) | WriteOp::Apply(v) => key_of_manifest(v),
        }
    }

    /// What the request carries (a manifest or a patch), exactly as sent; kept in the audit
    /// log.
    pub fn body(&self) -> Option<&serde_json::Value> {
        match &self.op {
            WriteOp::Create(v) | WriteOp::Apply(v) => Some(v),
            WriteOp::MergePatch { patch, .. } | WriteOp::MergePatchStatus { patch, .. } => {
                Some(patch)
            }
            WriteOp::Delete(_) | WriteOp::ForceDelete(_) => None,
        }
    }

    /// The verb, for messages and the audit log.
    pub fn verb(&self) -> &'static str {
        match self.op {
            WriteOp::Create(_) => "create",
            WriteOp::MergePatch { .. } => "patch",
            WriteOp::Apply(_) => "apply",
            WriteOp::MergePatchStatus { .. } => "patch status",
            WriteOp::Delete(_) => "delete",
            WriteOp::ForceDelete(_) => "force delete",
        }
    }
}

fn key_of_manifest(v: &serde_json::Value) -> Result<ObjectKey, WriteError> {
    let kind_s = v.get("kind").and_then(|k| k.as_str()).unwrap_or("");
    let kind = Kind::parse(kind_s)
        .ok_or_else(|| WriteError::Invalid(format!("unknown kind \"{kind_s}\"")))?;
    let meta = v.get("metadata");
    let field = |f: &str| {
        meta.and_then(|m| m.get(f))
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_string()
    };
    let name = field("name");
    if name.is_empty() {
        return Err(WriteError::Invalid("metadata.name is missing".into()));
    }
    let ns = if kind.namespaced() {
        field("namespace")
    } else {
        String::new()
    };
    if kind.namespaced() && ns.is_empty() {
        return Err(WriteError::Invalid(format!(
            "{kind} {name}: metadata.namespace is missing"
        )));
    }
    Ok(ObjectKey::new(kind, ns, name))
}

/// What a write returned.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteOutcome {
    /// The object as the server stored it (or would have, on a dry run); `None` after a delete
    /// that completed at once.
    pub object: Option<Object>,
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WriteError {
    /// Refused by `--readonly`; nothing was sent.
    ReadOnly,
    /// The API server's own answer, intact: code, reason, message and `details.causes`.
    Status(Box<Status>),
    /// The request could not be built (unknown kind, missing name, …).
    Invalid(String),
    /// The server could not be reached.
    Transport(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::ReadOnly => f.write_str("refused: the console runs read-only (--readonly)"),
            WriteError::Status(s) => {
                write!(f, "{} {}: {}", s.code, s.reason, s.message)?;
                for c in s.details.iter().flat_map(|d| d.causes.iter()) {
                    write!(f, "\n  {}: {} ({})", c.field, c.message, c.reason)?;
                }
                Ok(())
            }
            WriteError::Invalid(m) => write!(f, "invalid request: {m}"),
            WriteError::Transport(m) => write!(f, "cannot reach the cluster: {m}"),
        }
    }
}

impl std::error::Error for WriteError {}

pub type WriteFuture<'a> =
    Pin<Box<dyn Future<Output = Result<WriteOutcome, WriteError>> + Send + 'a>>;

/// Something that carries writes to a cluster.
pub trait Writer: Send + Sync {
    fn write<'a>(&'a self, w: &'a Write) -> WriteFuture<'a>;
}

// ------------------------------------------------------------------ the one boundary

/// Wraps a writer: refuses everything when read-only and appends each attempt and its outcome
/// to the local audit log (JSON lines). The app holds only this.
pub struct Guarded {
    inner: Box<dyn Writer>,
    readonly: bool,
    audit_log: Option<PathBuf>,
}

impl Guarded {
    pub fn new(inner: Box<dyn Writer>, readonly: bool, audit_log: Option<PathBuf>) -> Guarded {
        Guarded {
            inner,
            readonly,
            audit_log,
        }
    }

    fn audit(&self, w: &Write, result: &Result<WriteOutcome, WriteError>) {
        let outcome = match result {
            Ok(_) => "ok".to_string(),
            Err(WriteError::ReadOnly) => READ_ONLY_OUTCOME.to_string(),
            Err(e) => e.to_string(),
        };
        let object = w.key().map(|k| k.to_string()).unwrap_or_default();
        let mut line = audit_line(w.verb(), &object, w.dry_run, &outcome);
        if let Some(note) = &w.note {
            line["note"] = serde_json::Value::String(note.clone());
        }
        if let Some(body) = w.body() {
            line["body"] = body.clone();
        }
        self.append(&line);
    }

    /// Appends a write the console refused under `--readonly` before building it.
    pub fn audit_refused(&self, attempt: &RefusedAttempt) {
        let object = attempt
            .object
            .as_ref()
            .map(|k| k.to_string())
            .unwrap_or_default();
        self.append(&audit_line(
            &attempt.action,
            &object,
            false,
            READ_ONLY_OUTCOME,
        ));
    }

    /// Appends a session the operator opened on the cluster (a shell in a container) and how it
    /// ended to the audit log.
    pub fn audit_session(&self, verb: &str, object: &ObjectKey, outcome: &str) {
        self.append(&audit_line(verb, &object.to_string(), false, outcome));
    }

    fn append(&self, line: &serde_json::Value) {
        let Some(path) = &self.audit_log else { return };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(f, "{line}");
        }
    }
}

/// The audit log's outcome of a write refused by `--readonly`.
const READ_ONLY_OUTCOME: &str = "refused (read-only)";

/// A write the console refused under `--readonly` before building it (a form or dialog that
/// would lead to one is not opened): the action the operator asked for (its id, e.g.
/// `object.delete`) and the object it was about. Audited like a refused write.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedAttempt {
    pub action: String,
    pub object: Option<ObjectKey>,
}

/// One line of the audit log.
fn audit_line(verb: &str, object: &str, dry_run: bool, outcome: &str) -> serde_json::Value {
    serde_json::json!({
        "time": Timestamp::now().to_string(),
        "user": audit_user(),
        "verb": verb,
        "object": object,
        "dryRun": dry_run,
        "outcome": outcome,
    })
}

/// Who made a write, for the audit log: `$USER`, else "unknown".
fn audit_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

impl Writer for Guarded {
    fn write<'a>(&'a self, w: &'a Write) -> WriteFuture<'a> {
        Box::pin(async move {
            let result = if self.readonly {
                Err(WriteError::ReadOnly)
            } else {
                self.inner.write(w).await
            };
            self.audit(w, &result);
            result
        })
    }
}

// ------------------------------------------------------------------ kube-rs

pub struct KubeWriter {
    client: Client,
}

impl KubeWriter {
    pub fn new(client: Client) -> KubeWriter {
        KubeWriter { client }
    }

    fn api(&self, key: &ObjectKey) -> Api<DynamicObject> {
        let ar = api_resource(key.kind);
        if key.kind.namespaced() {
            Api::namespaced_with(self.client.clone(), &key.namespace, &ar)
        } else {
            Api::all_with(self.client.clone(), &ar)
        }
    }

    async fn run(&self, w: &Write) -> Result<WriteOutcome, WriteError> {
        let key = w.key()?;
        let api = self.api(&key);
        let kind = key.kind;
        let done = |o: DynamicObject| WriteOutcome {
            object: to_object(kind, o).ok(),
            dry_run: w.dry_run,
        };
        match &w.op {
            WriteOp::Create(v) => {
                let obj: DynamicObject = serde_json::from_value(v.clone())
                    .map_err(|e| WriteError::Invalid(e.to_string()))?;
                let pp = PostParams {
                    dry_run: w.dry_run,
                    field_manager: Some(FIELD_MANAGER.into()),
                };
                api.create(&pp, &obj).await.map(done).map_err(from_kube)
            }
            WriteOp::MergePatch { patch, .. } => {
                let pp = PatchParams {
                    dry_run: w.dry_run,
                    field_manager: Some(FIELD_MANAGER.into()),
                    ..Default::default()
                };
                api.patch(&key.name, &pp, &Patch::Merge(patch))
                    .await
                    .map(done)
                    .map_err(from_kube)
            }
            WriteOp::Apply(v) => {
                let mut pp = PatchParams::apply(FIELD_MANAGER);
                pp.dry_run = w.dry_run;
                // Under the resourceVersion guard the operator edited exactly the object on
                // the server: taking over fields another manager set (`kubectl create`,
                // `kubectl apply`) is what they confirmed, and if the object moved meanwhile the
                // server still refuses (409). Without the guard nothing is forced.
                pp.force = guarded(v);
                match api.patch(&key.name, &pp, &Patch::Apply(v)).await {
                    // Unguarded: fields the console itself set by create or merge patch are
                    // recorded under "fluidops" as an Update manager, which server-side apply
                    // counts as someone else: taking them over is safe. Another manager's
                    // conflict stands.
                    Err(kube::Error::Api(s)) if !pp.force && only_own_conflicts(&s) => {
                        pp.force = true;
                        api.patch(&key.name, &pp, &Patch::Apply(v))
                            .await
                            .map(done)
                            .map_err(from_kube)
                    }
                    r => r.map(done).map_err(from_kube),
                }
            }
            WriteOp::MergePatchStatus { patch, .. } => {
                let pp = PatchParams {
                    dry_run: w.dry_run,
                    field_manager: Some(FIELD_MANAGER.into()),
                    ..Default::default()
                };
                api.patch_status(&key.name, &pp, &Patch::Merge(patch))
                    .await
                    .map(done)
                    .map_err(from_kube)
            }
            WriteOp::Delete(_) | WriteOp::ForceDelete(_) => {
                let dp = DeleteParams {
                    dry_run: w.dry_run,
                    grace_period_seconds: matches!(w.op, WriteOp::ForceDelete(_)).then_some(0),
                    ..Default::default()
                };
                // Left: the object (its last state, or as it would be); Right: a Status.
                let gone_or_object = api.delete(&key.name, &dp).await.map_err(from_kube)?;
                let gone = WriteOutcome {
                    object: None,
                    dry_run: w.dry_run,
                };
                let Some(o) = gone_or_object.left() else {
                    return Ok(gone);
                };
                if w.dry_run {
                    return Ok(done(o));
                }
                // The server answers an immediate delete with the last state too: whether the
                // object is still there (Terminating, finalizers) is told by asking again.
                match api.get_opt(&key.name).await {
                    Ok(Some(cur)) if cur.metadata.uid == o.metadata.uid => Ok(done(cur)),
                    Ok(_) => Ok(gone),
                    Err(_) => Ok(done(o)),
                }
            }
        }
    }
}

/// Whether a manifest carries the resourceVersion it was based on.
fn guarded(v: &serde_json::Value) -> bool {
    v["metadata"]["resourceVersion"]
        .as_str()
        .is_some_and(|rv| !rv.is_empty())
}

/// A 409 from server-side apply about fields another manager owns (not a moved object).
pub fn is_field_manager_conflict(s: &Status) -> bool {
    s.details.as_ref().is_some_and(|d| {
        !d.causes.is_empty() && d.causes.iter().all(|c| c.reason == "FieldManagerConflict")
    })
}

/// A server-side apply conflict only with fields the console's own create or merge patches set.
fn only_own_conflicts(s: &Status) -> bool {
    let own = format!("conflict with \"{FIELD_MANAGER}\"");
    s.code == 409
        && s.details.as_ref().is_some_and(|d| {
            !d.causes.is_empty()
                && d.causes.iter().all(|c| {
                    c.reason == "FieldManagerConflict"
                        && (c.message == own || c.message.starts_with(&format!("{own} ")))
                })
        })
}

fn from_kube(e: kube::Error) -> WriteError {
    match e {
        kube::Error::Api(s) => WriteError::Status(s),
        other => WriteError::Transport(describe_error(&other)),
    }
}

impl Writer for KubeWriter {
    fn write<'a>(&'a self, w: &'a Write) -> WriteFuture<'a> {
        Box::pin(self.run(w))
    }
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let Value::Object(t) = target else { return };
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dataset(ns: &str, name: &str) -> serde_json::Value {
        json!({"apiVersion": "data.fluid.io/v1alpha1", "kind": "Dataset",
               "metadata": {"name": name, "namespace": ns},
               "spec": {"mounts": [{"name": "m", "mountPoint": "s3://b/"}]}})
    }

    #[test]
    fn only_a_guarded_manifest_is_forced() {
        let mut v = dataset("ns", "d");
        assert!(!guarded(&v));
        v["metadata"]["resourceVersion"] = "42".into();
        assert!(guarded(&v));
        let status = |reason: &str, message: &str| -> Status {
            serde_json::from_value(serde_json::json!({"code": 409, "reason": "Conflict",
                "details": {"causes": [{"reason": reason, "message": message}]}}))
            .unwrap()
        };
        let own = status("FieldManagerConflict", "conflict with \"fluidops\"");
        let other = status("FieldManagerConflict", "conflict with \"kubectl\"");
        assert!(only_own_conflicts(&own) && !only_own_conflicts(&other));
        assert!(is_field_manager_conflict(&other));
        assert!(!is_field_manager_conflict(&status(
            "FieldValueInvalid",
            "x"
        )));
    }

    #[test]
    fn merge_patch_follows_rfc7386() {
        let mut v = json!({"a": {"b": 1, "c": 2}, "d": [1]});
        merge_patch(&mut v, &json!({"a": {"b": null, "e": 3}, "d": [2]}));
        assert_eq!(v, json!({"a": {"c": 2, "e": 3}, "d": [2]}));
    }

    #[test]
    fn manifests_name_their_object() {
        let k = Write::new(WriteOp::Create(dataset("ns", "x")))
            .key()
            .unwrap();
        assert_eq!(k, ObjectKey::new(Kind::Dataset, "ns", "x"));
        let e = Write::new(WriteOp::Create(json!({"kind": "Nope"})))
            .key()
            .unwrap_err();
        assert!(matches!(e, WriteError::Invalid(_)));
    }
}
