//! Local validation of an edited manifest, before anything is sent: the YAML as kubectl reads
//! it (syntax, duplicate keys, values JSON cannot carry; each with line and column) and the
//! CRD's OpenAPI v3 schema (types, enums, required and unknown fields, minimum,
//! `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string`). The CRDs are the
//! upstream API definitions, compiled in from `assets/crds/`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::model::{Kind, OpKind, kube_yaml};

/// One problem found in the edited text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Field path (`dataOperationSpecs[0].name`); empty for syntax errors.
    pub path: String,
    pub message: String,
    /// 1-based line and column in the text, where known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(l) = self.line {
            write!(f, "{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
            f.write_str(": ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

const CRDS: &[(Kind, &str)] = &[
    (
        Kind::CacheRuntimeClass,
        include_str!("../../assets/crds/data.fluid.io_cacheruntimeclasses.yaml"),
    ),
    (
        Kind::CacheRuntime,
        include_str!("../../assets/crds/data.fluid.io_cacheruntimes.yaml"),
    ),
    (
        Kind::Dataset,
        include_str!("../../assets/crds/data.fluid.io_datasets.yaml"),
    ),
    (
        Kind::Operation(OpKind::DataLoad),
        include_str!("../../assets/crds/data.fluid.io_dataloads.yaml"),
    ),
    (
        Kind::Operation(OpKind::DataProcess),
        include_str!("../../assets/crds/data.fluid.io_dataprocesses.yaml"),
    ),
    (
        Kind::Operation(OpKind::DataMigrate),
        include_str!("../../assets/crds/data.fluid.io_datamigrates.yaml"),
    ),
    (
        Kind::Operation(OpKind::DataBackup),
        include_str!("../../assets/crds/data.fluid.io_databackups.yaml"),
    ),
];

/// Kinds whose spec the console edits (those with a compiled-in schema).
pub fn editable(kind: Kind) -> bool {
    CRDS.iter().any(|(k, _)| *k == kind)
}

/// The OpenAPI schema of a kind's served version; parsed once per kind, on first use.
pub fn schema_for(kind: Kind) -> Option<&'static Value> {
    static PARSED: OnceLock<std::sync::Mutex<HashMap<Kind, &'static Value>>> = OnceLock::new();
    let (_, text) = CRDS.iter().find(|(k, _)| *k == kind)?;
    let mut cache = PARSED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(v) = cache.get(&kind) {
        return Some(v);
    }
    let crd: Value = kube_yaml::from_str(text).ok()?;
    let versions = crd["spec"]["versions"].as_array()?;
    let version = versions
        .iter()
        .find(|v| v["storage"].as_bool() == Some(true))
        .or_else(|| versions.first())?;
    let mut schema = version["schema"]["openAPIV3Schema"].clone();
    // CRDs leave `metadata` open; the API server knows ObjectMeta and refuses what it is not.
    schema["properties"]["metadata"] = object_meta_schema();
    let schema: &'static Value = Box::leak(Box::new(schema));
    cache.insert(kind, schema);
    Some(schema)
}

/// ObjectMeta's fields, as the API server validates them in every object it stores.
fn object_meta_schema() -> Value {
    let string = serde_json::json!({"type": "string"});
    let string_map =
        serde_json::json!({"type": "object", "additionalProperties": {"type": "string"}});
    let mut props = serde_json::Map::new();
    for f in [
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
    ] {
        props.insert(f.into(), string.clone());
    }
    for f in ["labels", "annotations"] {
        props.insert(f.into(), string_map.clone());
    }
    for f in [
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "ownerReferences",
        "finalizers",
        "managedFields",
    ] {
        props.insert(f.into(), serde_json::json!({}));
    }
    serde_json::json!({"type": "object", "properties": props})
}

/// Reads YAML text into the JSON kubectl would send for it; what cannot be read (syntax, a
/// duplicate key, a value JSON cannot carry, not a mapping) comes back with line and column.
pub fn parse_yaml(text: &str) -> Result<Value, Vec<Problem>> {
    match kube_yaml::from_str(text) {
        Ok(Value::Object(m)) => Ok(Value::Object(m)),
        Ok(_) => Err(vec![Problem {
            path: String::new(),
            message: "the document must be a mapping (apiVersion, kind, metadata, …)".into(),
            line: Some(1),
            column: Some(1),
        }]),
        Err(errors) => Err(errors
            .into_iter()
            .map(|e| Problem {
                path: String::new(),
                message: e.message,
                line: Some(e.line),
                column: Some(e.column),
            })
            .collect()),
    }
}

/// Everything wrong with `text` as a manifest of `kind`: what cannot be read, or schema
/// violations located on their lines.
pub fn check(kind: Kind, text: &str) -> Vec<Problem> {
    match parse_yaml(text) {
        Ok(value) => check_value(kind, text, &value),
        Err(problems) => problems,
    }
}

/// The schema violations of `value`, read from `text`, located on their lines.
pub fn check_value(kind: Kind, text: &str, value: &Value) -> Vec<Problem> {
    let Some(schema) = schema_for(kind) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    validate(schema, value, &mut Vec::new(), &mut out);
    for p in &mut out {
        p.line = Some(line_of(text, &p.path));
    }
    out
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn render_path(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every violation of `schema` in `v`, with its field path (no lines: `v` has no text).
pub fn validate_value(schema: &Value, v: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    validate(schema, v, &mut Vec::new(), &mut out);
    out
}

fn validate(schema: &Value, v: &Value, path: &mut Vec<Seg>, out: &mut Vec<Problem>) {
    let mut push = |message: String| {
        out.push(Problem {
            path: render_path(path),
            message,
            line: None,
            column: None,
        })
    };
    if v.is_null() {
        // A null value is "unset" for the API server unless the schema says otherwise.
        if schema["nullable"].as_bool() == Some(true) {
            return;
        }
        if schema.get("type").is_some() {
            push(format!(
                "must be {}, not null",
                schema["type"].as_str().unwrap_or("a value")
            ));
        }
        return;
    }
    if schema["x-kubernetes-int-or-string"].as_bool() == Some(true) {
        if !(v.is_string() || v.is_i64() || v.is_u64()) {
            push(format!(
                "must be an integer or a string, not {}",
                type_name(v)
            ));
        }
        return;
    }
    if let Some(t) = schema["type"].as_str() {
        let ok = match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            _ => true,
        };
        if !ok {
            push(format!("must be {t}, not {}", type_name(v)));
            return;
        }
    }
    if let Some(choices) = schema["enum"].as_array()
        && !choices.contains(v)
    {
        let list: Vec<String> = choices
            .iter()
            .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string))
            .collect();
        push(format!(
            "unsupported value {}: must be one of {}",
            v,
            list.join(", ")
        ));
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_f64(), v.as_f64())
        && n < min
    {
        push(format!("must be at least {min}, not {n}"));
    }
    match v {
        Value::Object(map) => {
            if let Some(required) = schema["required"].as_array() {
                for r in required.iter().filter_map(|r| r.as_str()) {
                    if !map.contains_key(r) {
                        path.push(Seg::Key(r.to_string()));
                        out.push(Problem {
                            path: render_path(path),
                            message: "required field is missing".into(),
                            line: None,
                            column: None,
                        });
                        path.pop();
                    }
                }
            }
            let props = schema["properties"].as_object();
            let additional = schema.get("additionalProperties");
            let preserve = schema["x-kubernetes-preserve-unknown-fields"].as_bool() == Some(true);
            for (k, child) in map {
                path.push(Seg::Key(k.clone()));
                if let Some(s) = props.and_then(|p| p.get(k)) {
                    validate(s, child, path, out);
                } else if let Some(a) = additional.filter(|a| a.is_object()) {
                    validate(a, child, path, out);
                } else if additional.and_then(|a| a.as_bool()) == Some(true) || preserve {
                    // Anything goes.
                } else if props.is_some() || additional.and_then(|a| a.as_bool()) == Some(false) {
                    out.push(Problem {
                        path: render_path(path),
                        message: "unknown field".into(),
                        line: None,
                        column: None,
                    });
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    validate(s, item, path, out);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// Where each field path starts in block-style YAML text (1-based lines), found by indentation.
/// Flow collections and multi-line scalars are not entered; their paths resolve to the line of
/// their key.
fn path_lines(text: &str) -> HashMap<String, usize> {
    struct Frame {
        indent: usize,
        seg: Seg,
        item: bool,
        next_index: usize,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut lines = HashMap::new();
    let mut block_scalar: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let ind = indent(line);
        let mut body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if let Some(min) = block_scalar {
            if ind > min {
                continue;
            }
            block_scalar = None;
        }
        if body == "---" {
            stack.clear();
            continue;
        }
        let mut pos = ind;
        loop {
            if body == "-" || body.starts_with("- ") {
                stack.retain(|f| f.indent < pos || (f.indent == pos && !f.item));
                let index = match stack.last_mut() {
                    Some(parent) => {
                        parent.next_index += 1;
                        parent.next_index - 1
                    }
                    None => 0,
                };
                stack.push(Frame {
                    indent: pos,
                    seg: Seg::Index(index),
                    item: true,
                    next_index: 0,
                });
                record(&stack, n, &mut lines);
                let rest = body[1..].trim_start();
                pos += body.len() - rest.len();
                body = rest;
                if body.is_empty() {
                    break;
                }
                continue;
            }
            let Some((key, value)) = split_key(body) else {
                break;
            };
            stack.retain(|f| f.indent < pos);
            stack.push(Frame {
                indent: pos,
                seg: Seg::Key(key),
                item: false,
                next_index: 0,
            });
            record(&stack, n, &mut lines);
            if value.starts_with('|') || value.starts_with('>') {
                block_scalar = Some(pos);
            }
            break;
        }
    }

    fn record(stack: &[Frame], n: usize, lines: &mut HashMap<String, usize>) {
        let path: Vec<Seg> = stack.iter().map(|f| f.seg.clone()).collect();
        lines.entry(render_path(&path)).or_insert(n + 1);
    }
    lines
}

/// `key: value` or `key:` → the key (unquoted) and the value text.
fn split_key(body: &str) -> Option<(String, &str)> {
    let (key, rest) = if let Some(q) = body.strip_prefix('"') {
        let end = q.find('"')?;
        (q[..end].to_string(), &q[end + 1..])
    } else if let Some(q) = body.strip_prefix('\'') {
        let end = q.find('\'')?;
        (q[..end].to_string(), &q[end + 1..])
    } else {
        let end = body
            .find(": ")
            .or_else(|| body.ends_with(':').then(|| body.len() - 1))?;
        (body[..end].to_string(), &body[end..])
    };
    let value = rest.strip_prefix(':')?;
    if !(value.is_empty() || value.starts_with(' ')) {
        return None;
    }
    Some((key, value.trim_start()))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The 1-based line where a field path is written (the deepest part of the path that is
/// written; line 1 if none is).
pub fn line_of(text: &str, path: &str) -> usize {
    let lines = path_lines(text);
    let mut p = path.to_string();
    loop {
        if let Some(l) = lines.get(&p) {
            return *l;
        }
        match p.rfind(['.', '[']) {
            Some(i) => p.truncate(i),
            None => return 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASS: &str = "apiVersion: data.fluid.io/v1alpha1
kind: CacheRuntimeClass
metadata:
  name: curvine-standard
fileSystemType: curvinefs
dataOperationSpecs:
- name: DataLoad
  image: curvine/loader:v1
- name: DataMigrate
  image: curvine/migrate:v1
";

    #[test]
    fn a_valid_class_has_no_problems() {
        assert_eq!(check(Kind::CacheRuntimeClass, CLASS), vec![]);
    }

    #[test]
    fn bad_yaml_reports_line_and_column() {
        let text = "apiVersion: v1\nkind: CacheRuntimeClass\nmetadata:\n  name: [x\n";
        let p = check(Kind::CacheRuntimeClass, text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].line.is_some() && p[0].column.is_some(), "{p:?}");
        assert!(p[0].line.unwrap() >= 4, "{p:?}");
        let scalar = check(Kind::CacheRuntimeClass, "just text\n");
        assert_eq!(scalar[0].line, Some(1));
    }

    #[test]
    fn a_duplicate_key_is_a_problem_on_its_second_line() {
        let text = CLASS.replace(
            "fileSystemType: curvinefs",
            "fileSystemType: [1, 2]\nfileSystemType: curvinefs",
        );
        let p = check(Kind::CacheRuntimeClass, &text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].line, p[0].column), (Some(6), Some(1)));
        assert!(
            p[0].message.contains("\"fileSystemType\"") && p[0].message.contains("line 5"),
            "{p:?}"
        );
    }

    #[test]
    fn values_are_read_as_kubectl_reads_them() {
        // `on` is a boolean, not the string the schema wants; quoted, it is a string.
        let text = CLASS.replace("fileSystemType: curvinefs", "fileSystemType: on");
        let p = check(Kind::CacheRuntimeClass, &text);
        assert_eq!(p[0].message, "must be string, not boolean", "{p:?}");
        let text = CLASS.replace("fileSystemType: curvinefs", "fileSystemType: 'on'");
        assert_eq!(check(Kind::CacheRuntimeClass, &text), vec![]);
        assert_eq!(
            parse_yaml("a: 0755\n").unwrap(),
            serde_json::json!({"a": 493})
        );
    }

    #[test]
    fn type_errors_name_the_field_and_line() {
        let text = CLASS.replace("image: curvine/loader:v1", "image: [1, 2]");
        let p = check(Kind::CacheRuntimeClass, &text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].path, "dataOperationSpecs[0].image");
        assert_eq!(p[0].message, "must be string, not array");
        assert_eq!(p[0].line, Some(8));
    }

    #[test]
    fn enum_violations_list_the_choices() {
        let text = CLASS.replace("name: DataMigrate", "name: DataCopy");
        let p = check(Kind::CacheRuntimeClass, &text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].path, "dataOperationSpecs[1].name");
        assert!(p[0].message.contains("DataLoad, DataBackup"), "{p:?}");
        assert_eq!(p[0].line, Some(9));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let text = format!("{CLASS}dataOperations: []\n");
        let p = check(Kind::CacheRuntimeClass, &text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].path, "dataOperations");
        assert_eq!(p[0].message, "unknown field");
        assert_eq!(p[0].line, Some(11));
    }

    #[test]
    fn unknown_metadata_fields_are_refused_as_the_api_server_does() {
        let text = CLASS.replace(
            "metadata:\n",
            "metadata:\n  image: -.nan\n  labels: {tier: 3}\n",
        );
        let p = check(Kind::CacheRuntimeClass, &text);
        let paths: Vec<_> = p
            .iter()
            .map(|p| (p.path.as_str(), p.message.as_str()))
            .collect();
        assert_eq!(paths.len(), 2, "{p:?}");
        assert!(
            paths.contains(&("metadata.image", "unknown field")),
            "{p:?}"
        );
        assert!(
            paths.iter().any(|(at, _)| *at == "metadata.labels.tier"),
            "{p:?}"
        );
    }

    #[test]
    fn missing_required_fields_are_reported() {
        let text = CLASS.replace("fileSystemType: curvinefs\n", "");
        let p = check(Kind::CacheRuntimeClass, &text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].path, "fileSystemType");
        assert_eq!(p[0].message, "required field is missing");
        let item = CLASS.replace("- name: DataLoad\n  image", "- image");
        let p = check(Kind::CacheRuntimeClass, &item);
        assert_eq!(p[0].path, "dataOperationSpecs[0].name", "{p:?}");
        assert_eq!(p[0].line, Some(7));
    }

    #[test]
    fn keywords_behave_like_the_api_server() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {
                "n": {"type": "integer", "minimum": 0},
                "q": {"x-kubernetes-int-or-string": true},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "m": {"type": "object", "additionalProperties": {"type": "string"}},
                "b": {"type": "boolean"},
                "f": {"type": "number"}
            }
        });
        let ok = serde_json::json!({"n": 3, "q": "10Gi", "free": {"x": 1},
                                    "m": {"a": "b"}, "b": true, "f": 0.5});
        assert_eq!(validate_value(&schema, &ok), vec![]);
        let q = serde_json::json!({"q": 3});
        assert_eq!(validate_value(&schema, &q), vec![]);
        let bad = serde_json::json!({"n": -1, "q": true, "m": {"a": 1}, "b": "yes", "f": "x"});
        let paths: Vec<String> = validate_value(&schema, &bad)
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect();
        assert_eq!(
            paths,
            vec![
                "b: must be boolean, not string",
                "f: must be number, not string",
                "m.a: must be string, not integer",
                "n: must be at least 0, not -1",
                "q: must be an integer or a string, not boolean",
            ]
        );
    }

    #[test]
    fn every_compiled_in_crd_parses() {
        for (kind, _) in CRDS {
            let s = schema_for(*kind).unwrap_or_else(|| panic!("{kind:?}"));
            assert_eq!(s["type"], "object", "{kind:?}");
        }
    }

    #[test]
    fn lines_of_nested_paths() {
        let text = "a:\n  b:\n  - x: 1\n    y: 2\n  - x: 3\n    y: 4\nc: 5\n";
        assert_eq!(line_of(text, "a.b[1].y"), 6);
        assert_eq!(line_of(text, "a.b[0].x"), 3);
        assert_eq!(line_of(text, "c"), 7);
        assert_eq!(line_of(text, "zzz"), 1);
    }
}
