//! Style tables in theme files: `{ fg = "accent", bg = "reset", bold = true }`.
//!
//! Colours are kept as written until the whole inheritance chain is merged, so that a child
//! theme's `[palette]` recolours its parent's styles; then they are resolved to ratatui colours.

use std::collections::HashMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};
use unicode_width::UnicodeWidthStr;

use super::messages;
use super::source::{Entry, Source, Warning, entries};
use super::suggest::did_you_mean;

/// Modifier names accepted as boolean style fields.
pub const MODIFIERS: &[(&str, Modifier)] = &[
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underlined", Modifier::UNDERLINED),
    ("reversed", Modifier::REVERSED),
    ("crossed_out", Modifier::CROSSED_OUT),
];

/// Colour names (for "did you mean"); ratatui also accepts `-`/`_`/`bright`/`grey` spellings.
pub const COLOUR_NAMES: &[&str] = &[
    "reset",
    "default",
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "darkgray",
    "lightred",
    "lightgreen",
    "lightyellow",
    "lightblue",
    "lightmagenta",
    "lightcyan",
    "white",
];

/// Where a value was written, for warnings raised after merging.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl Location {
    pub fn of(src: &Source<'_>, offset: usize) -> Location {
        let w = src.warning_at(offset, String::new());
        Location {
            file: w.file,
            line: w.line,
            col: w.col,
        }
    }

    pub fn warning(&self, message: String) -> Warning {
        Warning {
            file: self.file.clone(),
            line: self.line,
            col: self.col,
            message,
        }
    }
}

/// A colour as written: a palette name or a colour value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColourRef {
    pub text: String,
    pub at: Location,
}

/// A style as written, colours unresolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StyleSpec {
    pub fg: Option<ColourRef>,
    pub bg: Option<ColourRef>,
    pub add: Modifier,
    pub sub: Modifier,
}

impl StyleSpec {
    pub fn is_empty(&self) -> bool {
        self.fg.is_none() && self.bg.is_none() && self.add.is_empty() && self.sub.is_empty()
    }

    /// The ratatui style, looking colour names up in `palette` first. Fails (with one warning
    /// per bad colour) if a colour is neither a palette name nor a colour value, so that the
    /// caller can keep the previous style for the key.
    pub fn resolve(&self, palette: &HashMap<String, Color>) -> Result<Style, Vec<Warning>> {
        let mut warnings = Vec::new();
        let mut style = Style::default()
            .add_modifier(self.add)
            .remove_modifier(self.sub);
        if let Some(fg) = &self.fg {
            match resolve_colour(fg, palette) {
                Ok(c) => style = style.fg(c),
                Err(w) => warnings.push(w),
            }
        }
        if let Some(bg) = &self.bg {
            match resolve_colour(bg, palette) {
                Ok(c) => style = style.bg(c),
                Err(w) => warnings.push(w),
            }
        }
        if warnings.is_empty() {
            Ok(style)
        } else {
            Err(warnings)
        }
    }
}

/// Parses a colour value: ANSI name, `reset`/`default`, `0`–`255`, or `#rrggbb`.
pub fn parse_colour(text: &str) -> Option<Color> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("default") {
        return Some(Color::Reset);
    }
    if t.is_empty() {
        return None;
    }
    Color::from_str(t).ok()
}

fn resolve_colour(colour: &ColourRef, palette: &HashMap<String, Color>) -> Result<Color, Warning> {
    if let Some(c) = palette.get(&colour.text) {
        return Ok(*c);
    }
    if let Some(c) = parse_colour(&colour.text) {
        return Ok(c);
    }
    let mut candidates: Vec<&str> = palette.keys().map(String::as_str).collect();
    candidates.sort_unstable();
    candidates.extend(COLOUR_NAMES.iter().copied());
    let hint = did_you_mean(&colour.text, candidates);
    Err(colour
        .at
        .warning(messages::unknown_colour(&colour.text, hint)))
}

/// A colour value in a file: a string, or an integer 0–255.
pub fn colour_text(value: &DeValue<'_>) -> Option<String> {
    match value {
        DeValue::String(s) => Some(s.to_string()),
        DeValue::Integer(i) => Some(i.as_str().to_string()),
        _ => None,
    }
}

/// A style entry of a theme file, plus a `symbol` when parsing a `[phase]` entry.
pub struct ParsedStyle {
    pub style: StyleSpec,
    pub symbol: Option<String>,
}

/// Parses the style table `value` of entry `key`. A bare string is taken as the foreground.
/// Sub-tables are returned separately (for nested `[ui.table]` scopes) and not parsed here.
pub fn parse_style<'s, 'i>(
    src: &mut Source<'_>,
    key: &Spanned<DeString<'_>>,
    value: &'s Spanned<DeValue<'i>>,
    allow_symbol: bool,
) -> (ParsedStyle, Vec<Entry<'s, 'i>>) {
    let mut parsed = ParsedStyle {
        style: StyleSpec::default(),
        symbol: None,
    };
    let mut nested = Vec::new();
    let table: &DeTable<'i> = match value.get_ref() {
        DeValue::String(s) => {
            parsed.style.fg = Some(ColourRef {
                text: s.to_string(),
                at: Location::of(src, value.span().start),
            });
            return (parsed, nested);
        }
        DeValue::Table(t) => t,
        _ => {
            src.warn(key.span(), messages::style_expected(key.get_ref()));
            return (parsed, nested);
        }
    };
    for (field, v) in entries(table) {
        let name: &str = field.get_ref();
        match name {
            "fg" | "bg" => {
                let Some(text) = colour_text(v.get_ref()) else {
                    src.warn_type(field, messages::A_STRING);
                    continue;
                };
                let colour = ColourRef {
                    text,
                    at: Location::of(src, v.span().start),
                };
                if name == "fg" {
                    parsed.style.fg = Some(colour);
                } else {
                    parsed.style.bg = Some(colour);
                }
            }
            "symbol" if allow_symbol => match v.get_ref().as_str() {
                Some(s) => parsed.symbol = Some(s.to_string()),
                None => src.warn_type(field, messages::A_STRING),
            },
            _ => {
                if let Some((_, m)) = MODIFIERS.iter().find(|(n, _)| *n == name) {
                    match v.get_ref().as_bool() {
                        Some(true) => parsed.style.add |= *m,
                        Some(false) => parsed.style.sub |= *m,
                        None => src.warn(field.span(), messages::modifier_not_bool(name)),
                    }
                } else if v.get_ref().is_table() {
                    nested.push((field, v));
                } else if v.get_ref().is_bool() {
                    let hint = did_you_mean(name, MODIFIERS.iter().map(|(n, _)| *n));
                    src.warn(field.span(), messages::unknown_modifier(name, hint));
                } else {
                    let fields = ["fg", "bg"]
                        .into_iter()
                        .chain(allow_symbol.then_some("symbol"))
                        .chain(MODIFIERS.iter().map(|(n, _)| *n));
                    let hint = did_you_mean(name, fields);
                    src.warn(field.span(), messages::unknown_style_field(name, hint));
                }
            }
        }
    }
    (parsed, nested)
}

/// True if `symbol` takes exactly one terminal column.
pub fn one_column(symbol: &str) -> bool {
    symbol.width() == 1 && symbol.chars().count() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_values() {
        assert_eq!(parse_colour("red"), Some(Color::Red));
        assert_eq!(parse_colour("light-red"), Some(Color::LightRed));
        assert_eq!(parse_colour("bright_blue"), Some(Color::LightBlue));
        assert_eq!(parse_colour("grey"), Some(Color::Gray));
        assert_eq!(parse_colour("reset"), Some(Color::Reset));
        assert_eq!(parse_colour("default"), Some(Color::Reset));
        assert_eq!(parse_colour("208"), Some(Color::Indexed(208)));
        assert_eq!(parse_colour("#5fafff"), Some(Color::Rgb(0x5f, 0xaf, 0xff)));
        assert_eq!(parse_colour("256"), None);
        assert_eq!(parse_colour("#12345"), None);
        assert_eq!(parse_colour("blu"), None);
        assert_eq!(parse_colour(""), None);
    }

    #[test]
    fn styles_from_tables() {
        let text = "a = { fg = \"ok\", bg = 236, bold = true, dim = false }\n\
                    b = \"red\"\n\
                    c = { bolt = true, colour = \"red\", italic = \"yes\" }\n";
        let mut src = Source::new("t.toml", text);
        let doc = src.parse().unwrap();
        let palette = HashMap::from([("ok".to_string(), Color::Green)]);
        let mut styles = Vec::new();
        for (k, v) in entries(&doc) {
            let (p, nested) = parse_style(&mut src, k, v, false);
            assert!(nested.is_empty());
            styles.push(p.style.resolve(&palette).unwrap());
        }
        assert_eq!(
            styles[0],
            Style::default()
                .fg(Color::Green)
                .bg(Color::Indexed(236))
                .add_modifier(Modifier::BOLD)
                .remove_modifier(Modifier::DIM)
        );
        assert_eq!(styles[1], Style::default().fg(Color::Red));
        let msgs: Vec<String> = src.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "t.toml:3:7: unknown modifier \"bolt\" (did you mean \"bold\"?)",
                "t.toml:3:20: unknown style field \"colour\"",
                "t.toml:3:36: modifier \"italic\" should be true or false",
            ]
        );
    }

    #[test]
    fn unknown_colour_fails_the_style() {
        let mut src = Source::new("t.toml", "a = { fg = \"blu\", bold = true }\n");
        let doc = src.parse().unwrap();
        let (k, v) = entries(&doc)[0];
        let (p, _) = parse_style(&mut src, k, v, false);
        let w = p.style.resolve(&HashMap::new()).unwrap_err();
        assert_eq!(
            w[0].to_string(),
            "t.toml:1:12: unknown colour \"blu\" (did you mean \"blue\"?)"
        );
    }

    #[test]
    fn symbol_width() {
        assert!(one_column("●"));
        assert!(one_column("*"));
        assert!(!one_column("**"));
        assert!(!one_column("中"));
        assert!(!one_column(""));
    }
}
