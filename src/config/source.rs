//! One config file being read: its display name, its text, and the warnings found in it.
//!
//! Every problem is reported as `file:line:col: message` and never stops the program; callers
//! skip the offending entry and keep their defaults.

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::messages;

/// A problem found in a config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// Display name of the file (`keymap.toml` or a full path); empty when not about a file.
    pub file: String,
    /// 1-based line, 0 when the problem has no position.
    pub line: usize,
    /// 1-based column in characters, 0 when the problem has no position.
    pub col: usize,
    pub message: String,
}

impl Warning {
    /// A warning about a whole file, or not about a file at all (`file` empty).
    pub fn general(file: &str, message: String) -> Warning {
        Warning {
            file: file.to_string(),
            line: 0,
            col: 0,
            message,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file.is_empty(), self.line) {
            (true, _) => f.write_str(&self.message),
            (false, 0) => write!(f, "{}: {}", self.file, self.message),
            (false, line) => write!(f, "{}:{}:{}: {}", self.file, line, self.col, self.message),
        }
    }
}

/// 1-based line and character column of a byte offset into `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let bytes = &text.as_bytes()[..offset.min(text.len())];
    let line_start = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = 1 + bytes.iter().filter(|&&b| b == b'\n').count();
    // Count chars, not bytes: skip UTF-8 continuation bytes.
    let col = 1 + bytes[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count();
    (line, col)
}

/// A TOML file with a display name, collecting warnings as it is read.
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub warnings: Vec<Warning>,
}

/// A table entry: key and value with their spans, in file order.
pub type Entry<'s, 'i> = (&'s Spanned<DeString<'i>>, &'s Spanned<DeValue<'i>>);

impl<'a> Source<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Source<'a> {
        Source {
            name,
            text,
            warnings: Vec::new(),
        }
    }

    /// Parses the document; a syntax error becomes the returned warning.
    pub fn parse(&self) -> Result<DeTable<'a>, Warning> {
        match DeTable::parse(self.text) {
            Ok(doc) => Ok(doc.into_inner()),
            Err(err) => {
                let offset = err.span().map_or(0, |s| s.start);
                Err(self.warning_at(offset, messages::toml_syntax(err.message())))
            }
        }
    }

    pub fn warning_at(&self, offset: usize, message: String) -> Warning {
        let (line, col) = line_col(self.text, offset);
        Warning {
            file: self.name.to_string(),
            line,
            col,
            message,
        }
    }

    /// Records a warning at the start of `span`.
    pub fn warn(&mut self, span: Range<usize>, message: String) {
        let w = self.warning_at(span.start, message);
        self.warnings.push(w);
    }

    /// Records a warning about a value that has the wrong type.
    pub fn warn_type(&mut self, key: &Spanned<DeString<'_>>, expected: &str) {
        self.warn(key.span(), messages::wrong_type(key.get_ref(), expected));
    }
}

/// The entries of a table in the order they appear in the file.
pub fn entries<'s, 'i>(table: &'s DeTable<'i>) -> Vec<Entry<'s, 'i>> {
    let mut all: Vec<Entry<'s, 'i>> = table.iter().collect();
    all.sort_by_key(|(k, _)| k.span().start);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let text = "a = 1\nbé = 2\n  c = 3";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        let c = text.find('c').unwrap();
        assert_eq!(line_col(text, c), (3, 3));
        let eq = text.find("= 2").unwrap();
        assert_eq!(line_col(text, eq), (2, 4));
        assert_eq!(line_col(text, 10_000), (3, 8));
    }

    #[test]
    fn warning_display() {
        let w = Warning {
            file: "k.toml".into(),
            line: 3,
            col: 1,
            message: "boom".into(),
        };
        assert_eq!(w.to_string(), "k.toml:3:1: boom");
        assert_eq!(
            Warning::general("k.toml", "x".into()).to_string(),
            "k.toml: x"
        );
        assert_eq!(Warning::general("", "x".into()).to_string(), "x");
    }

    #[test]
    fn entries_keep_file_order() {
        let src = Source::new("t.toml", "zeta = 1\nalpha = 2\nmid = 3\n");
        let doc = src.parse().unwrap();
        let keys: Vec<_> = entries(&doc)
            .into_iter()
            .map(|(k, _)| k.get_ref().to_string())
            .collect();
        assert_eq!(keys, ["zeta", "alpha", "mid"]);
    }

    #[test]
    fn syntax_error_has_position() {
        let src = Source::new("t.toml", "a = 1\nb = \n");
        let w = src.parse().unwrap_err();
        assert_eq!((w.file.as_str(), w.line), ("t.toml", 2));
        assert!(w.to_string().starts_with("t.toml:2:"), "{w}");
    }
}
