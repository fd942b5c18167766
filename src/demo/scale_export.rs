//! The `--scale` objects as manifests a real API server accepts, and the `--churn` stream as
//! status changes to send to it (`fluidops scale-manifests`, hidden; used by `bench/`).
//!
//! One JSON object per line (JSON is YAML, and a line is one document for a loader that reads
//! lines). Objects are exactly what [`Generator`] generates (same names, labels, fields,
//! statuses), minus what the API server owns (`managedFields`, `resourceVersion`, `uid`,
//! `creationTimestamp`, `generation`). Before them come the Namespaces the objects live in and
//! the built-in demo's CacheRuntimeClasses (the generated runtimes name `curvine-standard`).
//! Order: Namespaces, CacheRuntimeClasses, then the generated kinds in [`Kind::ALL`] order.
//!
//! A loader creates each object and then writes its `status` through the `/status`
//! subresource (the server drops the status of a create for Pods and for kinds with a status
//! subresource).
//!
//! Churn lines are `{"apiVersion", "kind", "metadata": {"name", "namespace"}, "status"}`, the
//! whole new status of one changed pod or operation, in [`Churn`]'s order: a JSON merge patch
//! `{"status": …}` of `/status` with it applies the change (the arrays that change, conditions
//! and containerStatuses, are replaced whole by a merge patch, and every field that a change
//! removes sits inside them).

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::scale::{Churn, Generator};
use crate::cluster::ClusterEvent;
use crate::model::{Kind, Object, OpKind};

/// Metadata fields the API server owns; a create with them is refused or ignores them.
const SERVER_OWNED: [&str; 5] = [
    "managedFields",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
];

/// The built-in demo's CacheRuntimeClasses (the generated runtimes use one of them).
const CLASSES_YAML: &str = include_str!("../../assets/demo/01-runtimeclasses.yaml");

/// Label on the Namespaces written here.
pub const NAMESPACE_LABEL: &str = "fluidops.io/scale";

/// Where the generated DataProcesses mount their dataset: the CRD requires
/// `spec.dataset.mountPath`, which the generator leaves out (the console does not read it).
pub const PROCESS_MOUNT_PATH: &str = "/data";

/// `obj` as a manifest to create: its JSON without the server-owned metadata, and with the
/// fields the CRDs require that the generator leaves out ([`PROCESS_MOUNT_PATH`]).
pub fn manifest(obj: &Object) -> Value {
    let mut v = obj.to_value();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in SERVER_OWNED {
            meta.remove(k);
        }
    }
    if obj.kind() == Kind::Operation(OpKind::DataProcess)
        && let Some(ds) = v
            .pointer_mut("/spec/dataset")
            .and_then(Value::as_object_mut)
    {
        ds.entry("mountPath")
            .or_insert_with(|| PROCESS_MOUNT_PATH.into());
    }
    v
}

/// The namespaces the generated objects live in, in order.
pub fn namespaces(g: &Generator) -> Vec<String> {
    // Every generated object sits in the namespace of runtime `i % runtimes` (runtime 0 when
    // there are none).
    let set: BTreeSet<String> = (0..g.spec.runtimes.max(1))
        .filter_map(|r| g.runtime(r).meta().namespace.clone())
        .collect();
    set.into_iter().collect()
}

/// The built-in CacheRuntimeClasses.
pub fn classes() -> Vec<Object> {
    let mut m = crate::model::manifest::Manifests::default();
    crate::model::manifest::parse_documents(CLASSES_YAML, "01-runtimeclasses.yaml", &mut m);
    m.objects
        .into_iter()
        .filter(|o| o.kind() == Kind::CacheRuntimeClass)
        .collect()
}

fn line(out: &mut impl Write, v: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")
}

/// Writes every manifest (one JSON document per line); returns how many.
pub fn write_manifests(g: &Generator, out: &mut impl Write) -> io::Result<usize> {
    let mut n = 0;
    for ns in namespaces(g) {
        let v = json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "labels": {NAMESPACE_LABEL: "true"}}});
        line(out, &v)?;
        n += 1;
    }
    for class in classes() {
        line(out, &manifest(&class))?;
        n += 1;
    }
    for kind in Kind::ALL {
        for obj in g.of_kind(kind) {
            line(out, &manifest(&obj))?;
            n += 1;
        }
    }
    Ok(n)
}

/// The status change an [`ClusterEvent::Applied`] of churn makes, as a churn line.
pub fn status_change(obj: &Object) -> Option<Value> {
    let v = obj.to_value();
    let meta = obj.meta();
    Some(json!({
        "apiVersion": v.get("apiVersion")?,
        "kind": v.get("kind")?,
        "metadata": {"name": meta.name.as_deref()?, "namespace": meta.namespace.as_deref()?},
        "status": v.get("status")?,
    }))
}

/// Writes `count` churn changes at `rate` per second, after skipping the first `skip` of the
/// stream (a bench that already sent them continues where it stopped, so every change is a
/// change of what the server holds). The first change written is stamped about `now`, the
/// next ones at their due time after it. Returns how many were written.
pub fn write_churn(
    g: &Generator,
    rate: f64,
    now: Timestamp,
    skip: usize,
    count: usize,
    out: &mut impl Write,
) -> io::Result<usize> {
    if rate <= 0.0 || count == 0 {
        return Ok(0);
    }
    let mut churn = Churn::new(g.clone(), rate);
    let step = Duration::from_millis(100);
    let lead = SignedDuration::from_secs_f64(skip as f64 / rate);
    let mut t = now.checked_sub(lead).unwrap_or(now);
    let (mut seen, mut written) = (0usize, 0usize);
    // Bounded: every step of a positive rate yields changes, unless there is nothing to change.
    let max_steps = ((skip + count) as f64 / rate * 10.0).ceil() as usize + 10;
    for _ in 0..max_steps {
        t = t.checked_add(SignedDuration::from_millis(100)).unwrap_or(t);
        let changes = churn.advance(step, t);
        for ev in changes {
            seen += 1;
            if seen <= skip {
                continue;
            }
            if let ClusterEvent::Applied(obj) = ev
                && let Some(v) = status_change(&obj)
            {
                line(out, &v)?;
                written += 1;
                if written == count {
                    return Ok(written);
                }
            }
        }
    }
    Ok(written)
}

/// `fluidops scale-manifests`: the manifests of `--scale` (seed `--seed-rng`, as the demo
/// uses them), or with `churn_changes` that many changes of `--churn`, on stdout.
pub fn cli(
    global: &crate::cli::GlobalArgs,
    now: Option<Timestamp>,
    churn_changes: usize,
    churn_skip: usize,
) -> color_eyre::Result<()> {
    let Some(spec) = global.scale else {
        color_eyre::eyre::bail!(
            "scale-manifests needs --scale, e.g. runtimes=1000,pods=50000,ops=10000"
        );
    };
    let seed = global.seed_rng.unwrap_or(crate::setup::DEFAULT_SEED);
    let now = now.unwrap_or_else(Timestamp::now);
    let g = Generator::new(spec, seed, now);
    let mut out = io::BufWriter::with_capacity(1 << 20, io::stdout().lock());
    if churn_changes > 0 {
        let rate = global.churn.unwrap_or(200.0);
        write_churn(
            &g,
            rate,
            Timestamp::now(),
            churn_skip,
            churn_changes,
            &mut out,
        )?;
    } else {
        write_manifests(&g, &mut out)?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::scale::parse_scale;

    fn generator() -> Generator {
        let spec = parse_scale("runtimes=3,pods=40,ops=12,events=5").unwrap();
        Generator::new(spec, 7, "2026-11-25T10:02:00Z".parse().unwrap())
    }

    fn lines(bytes: &[u8]) -> Vec<Value> {
        bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect()
    }

    #[test]
    fn manifests_are_the_generated_objects_without_server_fields() {
        let g = generator();
        let mut buf = Vec::new();
        let n = write_manifests(&g, &mut buf).unwrap();
        let docs = lines(&buf);
        assert_eq!(docs.len(), n);
        assert_eq!(docs[0]["kind"], "Namespace");
        assert!(docs.iter().any(
            |d| d["kind"] == "CacheRuntimeClass" && d["metadata"]["name"] == "curvine-standard"
        ));
        let generated: Vec<Object> = Kind::ALL.into_iter().flat_map(|k| g.of_kind(k)).collect();
        let objects: Vec<&Value> = docs
            .iter()
            .filter(|d| d["kind"] != "Namespace" && d["kind"] != "CacheRuntimeClass")
            .collect();
        assert_eq!(objects.len(), generated.len());
        let namespaces: BTreeSet<&str> = docs
            .iter()
            .filter(|d| d["kind"] == "Namespace")
            .map(|d| d["metadata"]["name"].as_str().unwrap())
            .collect();
        for (doc, obj) in objects.iter().zip(&generated) {
            let meta = doc["metadata"].as_object().unwrap();
            for k in SERVER_OWNED {
                assert!(!meta.contains_key(k), "{k} in {}", obj.key());
            }
            assert!(namespaces.contains(doc["metadata"]["namespace"].as_str().unwrap()));
            // Back through the model: the same object but for the server-owned fields (and the
            // mount path the CRD wants).
            let mut doc = (*doc).clone();
            if obj.kind() == Kind::Operation(OpKind::DataProcess) {
                let ds = doc["spec"]["dataset"].as_object_mut().unwrap();
                assert_eq!(ds.remove("mountPath"), Some(PROCESS_MOUNT_PATH.into()));
            }
            let back = Object::from_value(doc.clone()).unwrap().unwrap();
            let mut want = obj.clone();
            let m = want.meta_mut();
            (
                m.uid,
                m.resource_version,
                m.creation_timestamp,
                m.generation,
            ) = (None, None, None, None);
            assert_eq!(back, want);
            if obj.kind() != Kind::Event {
                assert!(doc["status"].is_object(), "{} has a status", obj.key());
            }
        }
    }

    #[test]
    fn churn_continues_the_stream() {
        let g = generator();
        let now: Timestamp = "2026-11-25T11:00:00Z".parse().unwrap();
        let (mut all, mut head, mut tail) = (Vec::new(), Vec::new(), Vec::new());
        assert_eq!(write_churn(&g, 200.0, now, 0, 30, &mut all).unwrap(), 30);
        assert_eq!(write_churn(&g, 200.0, now, 0, 10, &mut head).unwrap(), 10);
        assert_eq!(write_churn(&g, 200.0, now, 10, 20, &mut tail).unwrap(), 20);
        let (all, head, tail) = (lines(&all), lines(&head), lines(&tail));
        // The same changes (timestamps aside: each run stamps its own).
        let what = |d: &Value| {
            let s = &d["status"];
            (
                d["kind"].clone(),
                d["metadata"].clone(),
                s["phase"].clone(),
                s["containerStatuses"][0]["ready"].clone(),
                s["conditions"].as_array().map(Vec::len),
            )
        };
        let what_all: Vec<_> = all.iter().map(what).collect();
        assert_eq!(
            what_all[..10],
            head.iter().map(what).collect::<Vec<_>>()[..]
        );
        assert_eq!(
            what_all[10..],
            tail.iter().map(what).collect::<Vec<_>>()[..]
        );
        for d in &all {
            assert!(d["kind"] == "Pod" || d["kind"] == "DataLoad" || d["kind"] == "DataProcess");
            assert!(d["status"].is_object() && d["metadata"]["namespace"].is_string());
        }
        assert!(all.iter().any(|d| d["kind"] == "Pod"));
        assert!(all.iter().any(|d| d["kind"] != "Pod"));
    }
}
