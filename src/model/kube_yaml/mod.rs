//! YAML read as kubectl reads it (sigs.k8s.io/yaml over go-yaml v2), for every manifest the
//! console takes from an operator or a file: plain scalars resolve by YAML 1.1 (`yes` and `on`
//! are true, `0755` is 493, `~` is null), quoted ones are strings, keys become strings, and what
//! kubectl would silently lose or could not send is an error with its line and column: a key
//! written twice, `.inf`/`.nan`, a null key, a syntax error.
//!
//! [`to_string`] writes a value back as YAML that reads as the same value.

mod messages;
mod read;
mod scalar;
mod write;

use serde_json::Value;

pub use write::to_string;

/// One problem in YAML text, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// One document of a YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Where its content starts (1-based).
    pub line: usize,
    /// The value (`Null` for an empty document), or everything wrong with it.
    pub value: Result<Value, Vec<YamlError>>,
}

/// Every document of `text`, in order. A syntax error ends the stream: the document it is in
/// is the last one, with that error.
pub fn documents(text: &str) -> Vec<Document> {
    read::documents(text)
}

/// The one document of `text` (`Null` when there is none); a second document is an error.
pub fn from_str(text: &str) -> Result<Value, Vec<YamlError>> {
    let mut docs = documents(text).into_iter();
    let Some(first) = docs.next() else {
        return Ok(Value::Null);
    };
    match (first.value, docs.next()) {
        (Err(e), _) => Err(e),
        (Ok(_), Some(second)) => Err(vec![YamlError {
            line: second.line,
            column: 1,
            message: messages::one_document(second.line),
        }]),
        (Ok(v), None) => Ok(v),
    }
}

/// `v` with its numbers as kubectl sends them: a whole float (`3.0`) is written as an integer.
/// What [`from_str`] returns is already in this form.
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => n
            .as_f64()
            .and_then(scalar::json_number)
            .map_or_else(|| v.clone(), Value::Number),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests;
