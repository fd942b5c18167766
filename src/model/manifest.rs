//! Reading Kubernetes manifests (multi-document YAML, read as kubectl reads it) into objects, as
//! `kubectl apply -f` would create them (a namespaced object without a namespace goes to
//! `default`), reporting documents that cannot be used with their file and document number
//! while keeping the rest.

use std::path::Path;

use super::kube_yaml;
use super::object::Object;

/// Where `kubectl apply -f` puts a namespaced object that names no namespace (without `-n`).
pub const DEFAULT_NAMESPACE: &str = "default";

#[derive(Debug, Clone, PartialEq)]
pub struct ManifestProblem {
    pub file: String,
    /// 1-based document number within the file; 0 for the file as a whole.
    pub document: usize,
    pub message: String,
}

impl std::fmt::Display for ManifestProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.document {
            // The file as a whole.
            0 => write!(f, "{}: {}", self.file, self.message),
            n => write!(f, "{} (document {n}): {}", self.file, self.message),
        }
    }
}

/// A document of a kind the console does not watch (Namespace, ConfigMap, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub kind: String,
    pub file: String,
    /// 1-based document number within the file.
    pub document: usize,
}

#[derive(Debug, Default)]
pub struct Manifests {
    pub objects: Vec<Object>,
    pub problems: Vec<ManifestProblem>,
    /// Documents of kinds the console does not watch, left out.
    pub skipped: Vec<Skipped>,
}

impl Manifests {
    /// The notice naming the documents left out (kind, file and document), if any.
    pub fn skipped_notice(&self) -> Option<String> {
        let n = self.skipped.len();
        if n == 0 {
            return None;
        }
        let which: Vec<String> = self
            .skipped
            .iter()
            .map(|s| {
                format!(
                    "{} ({}, document {})",
                    s.kind,
                    file_name(&s.file),
                    s.document
                )
            })
            .collect();
        Some(format!(
            "skipped {n} document{} of kinds the console does not watch: {}",
            if n == 1 { "" } else { "s" },
            which.join(", ")
        ))
    }
}

fn file_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

/// Parses every document of one YAML text.
pub fn parse_documents(text: &str, file: &str, out: &mut Manifests) {
    for (i, doc) in kube_yaml::documents(text).into_iter().enumerate() {
        let document = i + 1;
        let problem = |message: String| ManifestProblem {
            file: file.to_string(),
            document,
            message,
        };
        let mut json = match doc.value {
            Ok(serde_json::Value::Null) => continue,
            Ok(v) => v,
            Err(errors) => {
                for e in errors {
                    out.problems.push(problem(format!("not valid YAML: {e}")));
                }
                continue;
            }
        };
        if !json.is_object() {
            out.problems.push(problem("is not a mapping".into()));
            continue;
        }
        let Some(kind) = json
            .get("kind")
            .and_then(|k| k.as_str())
            .map(str::to_string)
        else {
            out.problems.push(problem("has no kind".into()));
            continue;
        };
        default_namespace(&mut json);
        match Object::from_value(json) {
            Ok(Some(obj)) if obj.meta().name.as_deref().unwrap_or("").is_empty() => out
                .problems
                .push(problem(format!("{} has no metadata.name", obj.kind()))),
            Ok(Some(obj)) => out.objects.push(obj),
            Ok(None) => out.skipped.push(Skipped {
                kind,
                file: file.to_string(),
                document,
            }),
            Err(e) => out
                .problems
                .push(problem(format!("does not match its kind: {e}"))),
        }
    }
}

/// A namespaced object without `metadata.namespace` (or with an empty one) in `default`.
fn default_namespace(json: &mut serde_json::Value) {
    let namespaced = json
        .get("kind")
        .and_then(|k| k.as_str())
        .and_then(super::Kind::parse)
        .is_some_and(|k| k.namespaced());
    let Some(meta) = json.get_mut("metadata").and_then(|m| m.as_object_mut()) else {
        return;
    };
    let missing = meta
        .get("namespace")
        .is_none_or(|ns| ns.is_null() || ns.as_str() == Some(""));
    if namespaced && missing {
        meta.insert("namespace".into(), DEFAULT_NAMESPACE.into());
    }
}

/// Loads every `*.yaml` / `*.yml` in a directory (sorted by name).
pub fn load_dir(dir: &Path) -> Result<Manifests, std::io::Error> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    files.sort();
    let mut out = Manifests::default();
    for path in files {
        let name = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => parse_documents(&text, &name, &mut out),
            Err(e) => out.problems.push(ManifestProblem {
                file: name,
                document: 0,
                message: format!("cannot be read: {e}"),
            }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata:
  name: no-namespace
spec:
  mounts: [{name: data, mountPoint: \"s3://team/data/\"}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: files, namespace: team}
---
apiVersion: data.fluid.io/v1alpha1
kind: CacheRuntimeClass
metadata: {name: octal}
fileSystemType: curvinefs
topology:
  master:
    executionEntries:
      mountUFS: {command: [x], timeout: 0755}
";

    fn parse(text: &str) -> Manifests {
        let mut m = Manifests::default();
        parse_documents(text, "seed/a.yaml", &mut m);
        m
    }

    #[test]
    fn a_namespaced_object_without_a_namespace_goes_to_default() {
        let m = parse(SEED);
        assert!(m.problems.is_empty(), "{:?}", m.problems);
        let keys: Vec<String> = m.objects.iter().map(|o| o.key().to_string()).collect();
        assert_eq!(
            keys,
            ["Dataset/default/no-namespace", "CacheRuntimeClass/octal"]
        );
    }

    #[test]
    fn seeds_are_read_as_kubectl_reads_them() {
        let m = parse(SEED);
        let class = m.objects[1].to_value();
        assert_eq!(
            class["topology"]["master"]["executionEntries"]["mountUFS"]["timeout"],
            493
        );
        let m = parse(
            "kind: Dataset\nmetadata: {name: a}\nmetadata: {name: b}\n---\nkind: Dataset\nmetadata: {name: c, namespace: x}\n",
        );
        assert_eq!(m.problems.len(), 1, "{:?}", m.problems);
        let p = m.problems[0].to_string();
        assert!(
            p.starts_with("seed/a.yaml (document 1): not valid YAML: line 3, column 1: duplicate key \"metadata\""),
            "{p}"
        );
        assert_eq!(m.objects.len(), 1, "the next document still loads");
    }

    #[test]
    fn documents_of_unwatched_kinds_are_named_in_a_notice() {
        let m = parse(SEED);
        assert_eq!(
            m.skipped_notice().as_deref(),
            Some(
                "skipped 2 documents of kinds the console does not watch: Namespace (a.yaml, document 1), ConfigMap (a.yaml, document 3)"
            )
        );
        assert_eq!(
            parse("kind: Dataset\nmetadata: {name: a}\n").skipped_notice(),
            None
        );
    }
}
