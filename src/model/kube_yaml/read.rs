//! YAML events to JSON values, as sigs.k8s.io/yaml converts them: scalars resolved by
//! [`super::scalar`], keys turned into strings, anchors, aliases and `<<` merges expanded, and
//! what cannot be sent refused with its line and column (duplicate keys, NaN, null keys, …).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, StrInput, Tag};
use serde_json::{Map, Value};

use super::messages;
use super::scalar::{self, CORE_PREFIX, Scalar};
use super::{Document, YamlError};

/// Values an alias may expand to in one document, all aliases together.
const ALIAS_BUDGET: usize = 250_000;
/// Collections inside collections.
const MAX_DEPTH: usize = 100;

/// Every document of `text`. A syntax error ends the stream: it is the last document's error.
pub fn documents(text: &str) -> Vec<Document> {
    let mut r = Reader {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        errors: Vec::new(),
        expanded: 0,
        depth: 0,
        line: 0,
    };
    let mut out = Vec::new();
    loop {
        match r.document() {
            Ok(Some(doc)) => out.push(doc),
            Ok(None) => break,
            Err(fatal) => {
                // The document the error is in (where it started, or the error's line when it
                // came before any document).
                let line = if r.line > 0 { r.line } else { fatal.line };
                let mut errors = std::mem::take(&mut r.errors);
                errors.push(fatal);
                out.push(Document {
                    line,
                    value: Err(errors),
                });
                break;
            }
        }
    }
    out
}

/// A mapping or sequence as an anchor keeps it, or a scalar (so that an alias can still be a
/// key).
#[derive(Clone)]
enum Anchored {
    /// The resolved scalar, where and how it was written.
    Scalar(Scalar, Span, String),
    Value(Value),
}

/// A node read in key position: a string, or nothing when it could not be one (the error is
/// recorded).
type Key = Option<String>;

struct Reader<'a> {
    parser: Parser<'a, StrInput<'a>>,
    anchors: HashMap<usize, Anchored>,
    /// Problems found in the current document that do not stop the reading.
    errors: Vec<YamlError>,
    expanded: usize,
    depth: usize,
    /// Where the current document starts; 0 before the first.
    line: usize,
}

fn at(span: &Span, message: String) -> YamlError {
    YamlError {
        line: span.start.line(),
        column: span.start.col() + 1,
        message,
    }
}

fn syntax(e: &ScanError) -> YamlError {
    YamlError {
        line: e.marker().line().max(1),
        column: e.marker().col() + 1,
        message: e.info().to_string(),
    }
}

fn full_tag(tag: &Tag) -> String {
    format!("{}{}", tag.handle, tag.suffix)
}

fn is_merge_key(event: &Event) -> bool {
    match event {
        Event::Scalar(text, ScalarStyle::Plain, _, None) => text == "<<",
        Event::Scalar(_, _, _, Some(tag)) => full_tag(tag) == format!("{CORE_PREFIX}merge"),
        _ => false,
    }
}

/// How many JSON values `v` holds, itself included.
fn size(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(size).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(size).sum::<usize>(),
        _ => 1,
    }
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), YamlError> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => Err(syntax(&e)),
            None => Ok((Event::StreamEnd, Span::default())),
        }
    }

    /// The next document, `None` at the end of the stream. `Err` is a syntax error (fatal).
    fn document(&mut self) -> Result<Option<Document>, YamlError> {
        let span = loop {
            match self.next()? {
                (Event::StreamStart, _) => continue,
                (Event::StreamEnd, _) => return Ok(None),
                (Event::DocumentStart(_), span) => break span,
                (_, span) => {
                    return Err(at(&span, "expected the start of a document".into()));
                }
            }
        };
        self.anchors.clear();
        self.errors.clear();
        self.expanded = 0;
        self.line = span.start.line();
        let (first, first_span) = self.next()?;
        // A document's line is where its content starts (after `---` and comments).
        if !matches!(first, Event::DocumentEnd) {
            self.line = first_span.start.line();
        }
        let line = self.line;
        let value = if matches!(first, Event::DocumentEnd) {
            Value::Null
        } else {
            let v = self.value(first, first_span)?;
            match self.next()? {
                (Event::DocumentEnd, _) => {}
                (_, s) => return Err(at(&s, "expected the end of the document".into())),
            }
            v
        };
        let errors = std::mem::take(&mut self.errors);
        Ok(Some(Document {
            line,
            value: if errors.is_empty() {
                Ok(value)
            } else {
                Err(errors)
            },
        }))
    }

    fn error(&mut self, span: &Span, message: String) {
        self.errors.push(at(span, message));
    }

    /// A scalar in value position as JSON (infinity and NaN are refused).
    fn scalar_value(&mut self, s: Scalar, span: &Span, text: &str) -> Value {
        match s {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => i.into(),
            Scalar::Uint(u) => u.into(),
            Scalar::Float(f) => match scalar::json_number(f) {
                Some(n) => Value::Number(n),
                None => {
                    self.error(span, messages::not_json_number(text));
                    Value::Null
                }
            },
            Scalar::Str(s) => Value::String(s),
        }
    }

    /// Reads one scalar event into its resolved form (an error is recorded; `None` then).
    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: &Span,
    ) -> Option<Scalar> {
        let tag = tag.map(full_tag);
        match scalar::resolve(text, style == ScalarStyle::Plain, tag.as_deref()) {
            Ok(s) => Some(s),
            Err(message) => {
                self.error(span, message);
                None
            }
        }
    }

    /// The node starting with `event`, as a value.
    fn value(&mut self, event: Event<'a>, span: Span) -> Result<Value, YamlError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let Some(s) = self.scalar(&text, style, tag.as_deref(), &span) else {
                    return Ok(Value::Null);
                };
                if anchor > 0 {
                    let anchored = Anchored::Scalar(s.clone(), span, text.to_string());
                    self.anchors.insert(anchor, anchored);
                }
                Ok(self.scalar_value(s, &span, &text))
            }
            Event::Alias(id) => Ok(self.alias_value(id, &span)),
            Event::SequenceStart(anchor, _) => {
                let v = self.nested(&span, |r| r.sequence())?;
                if anchor > 0 {
                    self.anchors.insert(anchor, Anchored::Value(v.clone()));
                }
                Ok(v)
            }
            Event::MappingStart(anchor, _) => {
                let v = self.nested(&span, |r| r.mapping())?;
                if anchor > 0 {
                    self.anchors.insert(anchor, Anchored::Value(v.clone()));
                }
                Ok(v)
            }
            _ => Err(at(&span, "expected a value".into())),
        }
    }

    fn nested(
        &mut self,
        span: &Span,
        read: impl FnOnce(&mut Self) -> Result<Value, YamlError>,
    ) -> Result<Value, YamlError> {
        if self.depth >= MAX_DEPTH {
            return Err(at(span, messages::too_deep()));
        }
        self.depth += 1;
        let v = read(self);
        self.depth -= 1;
        v
    }

    fn alias_value(&mut self, id: usize, span: &Span) -> Value {
        let Some(anchored) = self.anchors.get(&id).cloned() else {
            self.error(span, "unknown anchor".into());
            return Value::Null;
        };
        match anchored {
            Anchored::Scalar(s, anchor_span, text) => self.scalar_value(s, &anchor_span, &text),
            Anchored::Value(v) => {
                self.expanded += size(&v);
                if self.expanded > ALIAS_BUDGET {
                    self.error(span, messages::too_many_aliases());
                    return Value::Null;
                }
                v
            }
        }
    }

    fn sequence(&mut self) -> Result<Value, YamlError> {
        let mut items = Vec::new();
        loop {
            match self.next()? {
                (Event::SequenceEnd, _) => return Ok(Value::Array(items)),
                (ev, span) => items.push(self.value(ev, span)?),
            }
        }
    }

    /// A mapping: explicit keys must be unique; `<<` merges mappings in, explicit keys winning
    /// over merged ones and earlier merged mappings over later ones.
    fn mapping(&mut self) -> Result<Value, YamlError> {
        let mut explicit = Map::new();
        let mut lines: HashMap<String, usize> = HashMap::new();
        let mut merged: Vec<Map<String, Value>> = Vec::new();
        loop {
            let (ev, span) = self.next()?;
            if matches!(ev, Event::MappingEnd) {
                break;
            }
            if is_merge_key(&ev) {
                if let Some(first) = lines.get("<<") {
                    let m = messages::duplicate_key("<<", *first, span.start.line());
                    self.error(&span, m);
                }
                lines.insert("<<".into(), span.start.line());
                let (vev, vspan) = self.next()?;
                match self.value(vev, vspan)? {
                    Value::Object(m) => merged.push(m),
                    Value::Array(items) if items.iter().all(Value::is_object) => {
                        merged.extend(items.into_iter().filter_map(|i| match i {
                            Value::Object(m) => Some(m),
                            _ => None,
                        }));
                    }
                    _ => self.error(&vspan, messages::bad_merge()),
                }
                continue;
            }
            let key = self.key(ev, &span)?;
            let (vev, vspan) = self.next()?;
            let value = self.value(vev, vspan)?;
            let Some(key) = key else { continue };
            match lines.get(&key) {
                Some(first) => {
                    let m = messages::duplicate_key(&key, *first, span.start.line());
                    self.error(&span, m);
                }
                None => {
                    lines.insert(key.clone(), span.start.line());
                    explicit.insert(key, value);
                }
            }
        }
        let mut out = Map::new();
        for m in merged {
            for (k, v) in m {
                out.entry(k).or_insert(v);
            }
        }
        out.extend(explicit);
        Ok(Value::Object(out))
    }

    /// A node in key position, named as sigs.k8s.io/yaml names it.
    fn key(&mut self, event: Event<'a>, span: &Span) -> Result<Key, YamlError> {
        let s = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let Some(s) = self.scalar(&text, style, tag.as_deref(), span) else {
                    return Ok(None);
                };
                if anchor > 0 {
                    let anchored = Anchored::Scalar(s.clone(), *span, text.to_string());
                    self.anchors.insert(anchor, anchored);
                }
                s
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(Anchored::Scalar(s, ..)) => s,
                Some(Anchored::Value(_)) => {
                    self.error(span, messages::collection_key());
                    return Ok(None);
                }
                None => {
                    self.error(span, "unknown anchor".into());
                    return Ok(None);
                }
            },
            other => {
                self.value(other, *span)?;
                self.error(span, messages::collection_key());
                return Ok(None);
            }
        };
        let key = match s {
            Scalar::Str(s) => s,
            Scalar::Int(i) => i.to_string(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Float(f) => scalar::float_key(f),
            Scalar::Uint(u) => {
                self.error(span, messages::big_key(&u.to_string()));
                return Ok(None);
            }
            Scalar::Null => {
                self.error(span, messages::null_key());
                return Ok(None);
            }
        };
        Ok(Some(key))
    }
}
