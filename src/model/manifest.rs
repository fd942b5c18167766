//! Reading Kubernetes manifests (multi-document YAML) into objects, reporting documents that
//! cannot be used with their file and document number while keeping the rest.

use std::path::Path;

use serde::Deserialize;

use super::object::Object;

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

#[derive(Debug, Default)]
pub struct Manifests {
    pub objects: Vec<Object>,
    pub problems: Vec<ManifestProblem>,
    /// Documents of kinds the console does not watch (Namespace, ConfigMap, …).
    pub skipped: usize,
}

/// Parses every document of one YAML text.
pub fn parse_documents(text: &str, file: &str, out: &mut Manifests) {
    for (i, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let document = i + 1;
        let problem = |message: String| ManifestProblem {
            file: file.to_string(),
            document,
            message,
        };
        let value = match serde_yaml::Value::deserialize(doc) {
            Ok(serde_yaml::Value::Null) => continue,
            Ok(v) => v,
            Err(e) => {
                out.problems.push(problem(format!("not valid YAML: {e}")));
                // A syntax error ends the stream: later documents cannot be located reliably.
                break;
            }
        };
        let json = match serde_json::to_value(&value) {
            Ok(j) => j,
            Err(e) => {
                out.problems
                    .push(problem(format!("cannot be represented as JSON: {e}")));
                continue;
            }
        };
        if !json.is_object() {
            out.problems.push(problem("is not a mapping".into()));
            continue;
        }
        if json.get("kind").and_then(|k| k.as_str()).is_none() {
            out.problems.push(problem("has no kind".into()));
            continue;
        }
        match Object::from_value(json) {
            Ok(Some(obj)) if obj.meta().name.as_deref().unwrap_or("").is_empty() => out
                .problems
                .push(problem(format!("{} has no metadata.name", obj.kind()))),
            Ok(Some(obj)) => out.objects.push(obj),
            Ok(None) => out.skipped += 1,
            Err(e) => out
                .problems
                .push(problem(format!("does not match its kind: {e}"))),
        }
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
