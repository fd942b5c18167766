//! JSON values to block-style YAML that reads back (here and in kubectl) as the same value:
//! a string that YAML 1.1 would read as something else (`yes`, `on`, `0755`, `~`) is quoted.
//! The layout follows serde_yaml's (sequences in mappings are not indented, multi-line
//! strings are literal blocks).

use serde_json::{Map, Value};

use super::scalar::{self, Scalar};

/// `v` as a YAML document.
pub fn to_string(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => mapping(&mut out, m, 0, false),
        Value::Array(a) if !a.is_empty() => sequence(&mut out, a, 0, false),
        other => {
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Entries at column `at`; with `first_inline` the first starts where the cursor is (after
/// `- `).
fn mapping(out: &mut String, m: &Map<String, Value>, at: usize, first_inline: bool) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 || !first_inline {
            indent(out, at);
        }
        out.push_str(&key(k));
        out.push(':');
        match v {
            Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                mapping(out, inner, at + 2, false);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                sequence(out, items, at, false);
            }
            Value::String(s) if literal_ok(s) => {
                out.push(' ');
                literal(out, s, at + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}

fn sequence(out: &mut String, items: &[Value], at: usize, first_inline: bool) {
    for (i, v) in items.iter().enumerate() {
        if i > 0 || !first_inline {
            indent(out, at);
        }
        out.push_str("- ");
        match v {
            Value::Object(inner) if !inner.is_empty() => mapping(out, inner, at + 2, true),
            Value::Array(inner) if !inner.is_empty() => sequence(out, inner, at + 2, true),
            Value::String(s) if literal_ok(s) => literal(out, s, at + 2),
            other => {
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}

/// A multi-line string as a literal block (`|`), its lines at column `at`.
fn literal(out: &mut String, s: &str, at: usize) {
    out.push('|');
    if s.starts_with([' ', '\n']) {
        out.push('2');
    }
    let body = if !s.ends_with('\n') {
        out.push('-');
        s
    } else {
        if s == "\n" || s.ends_with("\n\n") {
            out.push('+');
        }
        &s[..s.len() - 1]
    };
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            indent(out, at);
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// Whether a string is written as a literal block: several lines of printable text, no line
/// ending in a space (the block would lose it), not ending in a space.
fn literal_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.ends_with([' ', '\t'])
        && !s.contains(" \n")
        && s.chars().all(|c| c == '\n' || printable(c))
}

fn inline(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s, false),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

fn key(k: &str) -> String {
    string(k, true)
}

/// A string on one line: plain when it reads back as itself, else single-quoted, else
/// double-quoted with escapes.
fn string(s: &str, is_key: bool) -> String {
    if plain_ok(s) && !(is_key && s == "<<") {
        return s.to_string();
    }
    if s.chars().all(printable) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    double_quoted(s)
}

/// Characters written as they are (libyaml's printable set, without the YAML 1.1 line breaks
/// NEL, LS and PS, and without the byte order mark).
fn printable(c: char) -> bool {
    matches!(c, ' '..='~')
        || matches!(c as u32, 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
            && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// Whether `s` can be written plain in block context and be read back as the same string.
fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.starts_with("---") || s.starts_with("...") || s.starts_with(' ') || s.ends_with(' ') {
        return false;
    }
    if !s.chars().all(printable) {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    let blank_after = |i: usize| chars.get(i + 1).is_none_or(|c| *c == ' ');
    if "#,[]{}&*!|>'\"%@`".contains(first) {
        return false;
    }
    if matches!(first, '?' | ':' | '-') && blank_after(0) {
        return false;
    }
    for (i, c) in chars.iter().enumerate().skip(1) {
        match c {
            ':' if blank_after(i) => return false,
            '#' if chars[i - 1] == ' ' => return false,
            _ => {}
        }
    }
    matches!(scalar::resolve(s, true, None), Ok(Scalar::Str(ref r)) if r == s)
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xFF => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if (c as u32) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}
