//! Key names as written in keymap files, and their normalised form.
//!
//! Syntax (vim style): printable characters stand for themselves (`j`, `G`, `?`); named keys go in
//! angle brackets (`<Enter> <Esc> <Tab> <BackTab> <Space> <Up> <Down> <Left> <Right> <Home> <End>
//! <PageUp> <PageDown> <Delete> <Backspace> <Insert> <F1>`…`<F12>`); modifiers prefix them as
//! `<C-x>` (Ctrl), `<A-x>` (Alt, also `M-`), `<S-x>` (Shift), combinable as `<C-S-x>`.
//!
//! A [`Key`] is normalised so that what a terminal sends and what a file says compare equal:
//! characters carry their case instead of a Shift flag (`G` = `<S-g>`), Shift+Tab is `<BackTab>`,
//! `<C-[>` is `<Esc>`, and with Ctrl a letter's case is folded like vim does (`<C-D>` = `<C-d>`;
//! write `<C-S-d>` for Ctrl+Shift+D).

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::messages;
use super::suggest::did_you_mean;

/// A normalised key press: a key code plus Ctrl/Alt/Shift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

/// Canonical names (as displayed) and their codes; lookup is case-insensitive.
const NAMED: &[(&str, KeyCode)] = &[
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Tab", KeyCode::Tab),
    ("BackTab", KeyCode::BackTab),
    ("Space", KeyCode::Char(' ')),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Delete", KeyCode::Delete),
    ("Backspace", KeyCode::Backspace),
    ("Insert", KeyCode::Insert),
    ("lt", KeyCode::Char('<')),
    ("gt", KeyCode::Char('>')),
];

/// Other accepted spellings.
const ALIASES: &[(&str, KeyCode)] = &[
    ("CR", KeyCode::Enter),
    ("Return", KeyCode::Enter),
    ("Escape", KeyCode::Esc),
    ("PgUp", KeyCode::PageUp),
    ("PgDn", KeyCode::PageDown),
    ("PgDown", KeyCode::PageDown),
    ("Del", KeyCode::Delete),
    ("BS", KeyCode::Backspace),
    ("Ins", KeyCode::Insert),
];

const MAX_F_KEY: u8 = 24;

impl Key {
    /// Builds a normalised key; `None` for keys a keymap cannot bind (modifier keys, media keys,
    /// Super/Hyper combinations, …).
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Option<Key> {
        if mods.intersects(KeyModifiers::SUPER | KeyModifiers::HYPER) {
            return None;
        }
        let mut m = KeyModifiers::empty();
        if mods.contains(KeyModifiers::CONTROL) {
            m |= KeyModifiers::CONTROL;
        }
        if mods.intersects(KeyModifiers::ALT | KeyModifiers::META) {
            m |= KeyModifiers::ALT;
        }
        let shift = mods.contains(KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char('[') if m.contains(KeyModifiers::CONTROL) => {
                m.remove(KeyModifiers::CONTROL);
                KeyCode::Esc
            }
            KeyCode::Char(c) => KeyCode::Char(if shift { upper(c) } else { c }),
            KeyCode::Tab if shift => KeyCode::BackTab,
            KeyCode::BackTab => KeyCode::BackTab,
            KeyCode::F(n) if (1..=MAX_F_KEY).contains(&n) => {
                if shift {
                    m |= KeyModifiers::SHIFT;
                }
                KeyCode::F(n)
            }
            KeyCode::Enter
            | KeyCode::Esc
            | KeyCode::Tab
            | KeyCode::Up
            | KeyCode::Down
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Home
            | KeyCode::End
            | KeyCode::PageUp
            | KeyCode::PageDown
            | KeyCode::Delete
            | KeyCode::Backspace
            | KeyCode::Insert => {
                if shift {
                    m |= KeyModifiers::SHIFT;
                }
                code
            }
            _ => return None,
        };
        Some(Key { code, mods: m })
    }

    /// A plain character key, e.g. `Key::char('j')`.
    pub fn char(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::empty(),
        }
    }

    /// Ctrl plus a character, e.g. `Key::ctrl('c')`.
    pub fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    /// A key without modifiers, e.g. `Key::plain(KeyCode::Enter)`.
    pub fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::empty(),
        }
    }

    /// Parses a key as written in a keymap file.
    pub fn parse(text: &str) -> Result<Key, KeyParseError> {
        let err = |reason| KeyParseError {
            text: text.to_string(),
            reason,
        };
        let mut chars = text.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return if c.is_control() {
                Err(err(KeyErrorReason::Unknown(None)))
            } else {
                Ok(Key::char(c))
            };
        }
        let Some(inner) = text
            .strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .filter(|t| !t.is_empty())
        else {
            return Err(err(if text.contains(' ') {
                KeyErrorReason::Sequence
            } else {
                KeyErrorReason::Unknown(None)
            }));
        };
        let (mods, rest) = split_modifiers(inner);
        let mut rest_chars = rest.chars();
        let code = match (rest_chars.next(), rest_chars.next()) {
            (Some(c), None) if !c.is_control() => {
                if mods.contains(KeyModifiers::SHIFT) && !c.is_alphabetic() {
                    return Err(err(KeyErrorReason::ShiftedSymbol));
                }
                let folded = if mods == KeyModifiers::CONTROL {
                    c.to_lowercase().next().unwrap_or(c)
                } else {
                    c
                };
                KeyCode::Char(folded)
            }
            _ => named_code(rest).ok_or_else(|| {
                let names = NAMED
                    .iter()
                    .map(|(n, _)| *n)
                    .chain(ALIASES.iter().map(|(n, _)| *n));
                err(KeyErrorReason::Unknown(did_you_mean(rest, names)))
            })?,
        };
        Key::new(code, mods).ok_or_else(|| err(KeyErrorReason::Unknown(None)))
    }

    /// True for keys a text field would consume: characters without Ctrl/Alt and the editing
    /// and cursor keys. Such keys never fall through from a text-entry mode.
    pub fn is_text_input(&self) -> bool {
        if self
            .mods
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return false;
        }
        matches!(
            self.code,
            KeyCode::Char(_)
                | KeyCode::Enter
                | KeyCode::Tab
                | KeyCode::BackTab
                | KeyCode::Backspace
                | KeyCode::Delete
                | KeyCode::Insert
                | KeyCode::Left
                | KeyCode::Right
                | KeyCode::Up
                | KeyCode::Down
                | KeyCode::Home
                | KeyCode::End
                | KeyCode::PageUp
                | KeyCode::PageDown
        )
    }
}

/// The normalised key of a terminal key event; `None` for key releases and unbindable keys.
pub fn normalize(ev: &KeyEvent) -> Option<Key> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    Key::new(ev.code, ev.modifiers)
}

impl From<Key> for KeyEvent {
    fn from(key: Key) -> KeyEvent {
        KeyEvent::new(key.code, key.mods)
    }
}

fn upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Splits leading `C-`, `A-`/`M-`, `S-` prefixes (any order, any case) off a bracketed key.
fn split_modifiers(mut rest: &str) -> (KeyModifiers, &str) {
    let mut mods = KeyModifiers::empty();
    loop {
        let mut it = rest.chars();
        let flag = match (it.next(), it.next()) {
            (Some(p), Some('-')) if rest.len() > 2 => match p.to_ascii_uppercase() {
                'C' => KeyModifiers::CONTROL,
                'A' | 'M' => KeyModifiers::ALT,
                'S' => KeyModifiers::SHIFT,
                _ => return (mods, rest),
            },
            _ => return (mods, rest),
        };
        mods |= flag;
        rest = &rest[2..];
    }
}

fn named_code(name: &str) -> Option<KeyCode> {
    let found = NAMED
        .iter()
        .chain(ALIASES)
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, code)| *code);
    found.or_else(|| {
        let digits = name.strip_prefix(['F', 'f'])?;
        let n: u8 = digits.parse().ok()?;
        (1..=MAX_F_KEY).contains(&n).then_some(KeyCode::F(n))
    })
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut prefix = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            prefix.push_str("C-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            prefix.push_str("A-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            prefix.push_str("S-");
        }
        let name = match self.code {
            KeyCode::Char(c) => {
                let named = NAMED.iter().find(|(_, code)| *code == KeyCode::Char(c));
                match named {
                    Some((n, _)) if c == ' ' => n.to_string(),
                    _ if prefix.is_empty() => return write!(f, "{c}"),
                    // Ctrl folds case, so an upper-case letter with Ctrl means Ctrl+Shift.
                    _ if self.mods.contains(KeyModifiers::CONTROL) && c.is_uppercase() => {
                        prefix.push_str("S-");
                        c.to_lowercase().collect()
                    }
                    _ => c.to_string(),
                }
            }
            KeyCode::F(n) => format!("F{n}"),
            code => NAMED
                .iter()
                .find(|(_, c)| *c == code)
                .map_or_else(|| format!("{code:?}"), |(n, _)| n.to_string()),
        };
        write!(f, "<{prefix}{name}>")
    }
}

impl FromStr for Key {
    type Err = KeyParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Key::parse(s)
    }
}

/// Why a key string could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyParseError {
    pub text: String,
    pub reason: KeyErrorReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyErrorReason {
    /// Not a key name; maybe a close known name.
    Unknown(Option<&'static str>),
    /// `"g g"`: key sequences are reserved for later.
    Sequence,
    /// `<S-1>`: write the shifted symbol itself.
    ShiftedSymbol,
}

impl fmt::Display for KeyParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = &self.text;
        match &self.reason {
            KeyErrorReason::Unknown(Some(name)) => {
                f.write_str(&messages::unknown_key(text, Some(&format!("<{name}>"))))
            }
            KeyErrorReason::Unknown(None) => f.write_str(&messages::unknown_key(text, None)),
            KeyErrorReason::Sequence => f.write_str(&messages::key_sequence(text)),
            KeyErrorReason::ShiftedSymbol => f.write_str(&messages::shifted_symbol(text)),
        }
    }
}

impl std::error::Error for KeyParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn literal_and_named() {
        assert_eq!(k("j"), Key::char('j'));
        assert_eq!(k("G"), Key::char('G'));
        assert_eq!(k("?"), Key::char('?'));
        assert_eq!(k("<"), Key::char('<'));
        assert_eq!(k("<lt>"), Key::char('<'));
        assert_eq!(k("<Enter>"), Key::plain(KeyCode::Enter));
        assert_eq!(k("<cr>"), Key::plain(KeyCode::Enter));
        assert_eq!(k("<Space>"), Key::char(' '));
        assert_eq!(k("<F12>"), Key::plain(KeyCode::F(12)));
        assert_eq!(k("<PageDown>"), Key::plain(KeyCode::PageDown));
    }

    #[test]
    fn modifiers() {
        assert_eq!(k("<C-d>"), Key::ctrl('d'));
        assert_eq!(k("<C-D>"), Key::ctrl('d'));
        assert_eq!(
            k("<C-S-d>"),
            Key {
                code: KeyCode::Char('D'),
                mods: KeyModifiers::CONTROL
            }
        );
        assert_eq!(k("<S-n>"), Key::char('N'));
        assert_eq!(k("<S-Tab>"), Key::plain(KeyCode::BackTab));
        assert_eq!(k("<C-[>"), Key::plain(KeyCode::Esc));
        assert_eq!(
            k("<A-x>"),
            Key {
                code: KeyCode::Char('x'),
                mods: KeyModifiers::ALT
            }
        );
        assert_eq!(
            k("<M-x>"),
            Key {
                code: KeyCode::Char('x'),
                mods: KeyModifiers::ALT
            }
        );
        assert_eq!(k("<C-->"), Key::ctrl('-'));
        assert_eq!(
            k("<S-Up>"),
            Key {
                code: KeyCode::Up,
                mods: KeyModifiers::SHIFT
            }
        );
    }

    #[test]
    fn errors() {
        let e = Key::parse("<Entr>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown key \"<Entr>\" (did you mean \"<Enter>\"?)"
        );
        assert_eq!(
            Key::parse("g g").unwrap_err().reason,
            KeyErrorReason::Sequence
        );
        assert!(Key::parse("gg").is_err());
        assert!(Key::parse("").is_err());
        assert!(Key::parse("<>").is_err());
        assert!(Key::parse("<F0>").is_err());
        assert!(Key::parse("<F99>").is_err());
        assert_eq!(
            Key::parse("<S-1>").unwrap_err().reason,
            KeyErrorReason::ShiftedSymbol
        );
        assert!(Key::parse("\t").is_err());
    }

    #[test]
    fn events_normalise_like_files() {
        let shift = KeyModifiers::SHIFT;
        let none = KeyModifiers::NONE;
        // Upper-case letters match with or without SHIFT.
        assert_eq!(normalize(&ev(KeyCode::Char('G'), shift)), Some(k("G")));
        assert_eq!(normalize(&ev(KeyCode::Char('G'), none)), Some(k("G")));
        assert_eq!(normalize(&ev(KeyCode::Char('n'), shift)), Some(k("<S-n>")));
        assert_eq!(normalize(&ev(KeyCode::Char('?'), shift)), Some(k("?")));
        assert_eq!(
            normalize(&ev(KeyCode::BackTab, shift)),
            Some(k("<BackTab>"))
        );
        assert_eq!(normalize(&ev(KeyCode::Tab, shift)), Some(k("<BackTab>")));
        assert_eq!(
            normalize(&ev(KeyCode::Char('['), KeyModifiers::CONTROL)),
            Some(k("<Esc>"))
        );
        assert_eq!(
            normalize(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(k("<C-c>"))
        );
        assert_eq!(
            normalize(&ev(KeyCode::Char('x'), KeyModifiers::META)),
            Some(k("<A-x>"))
        );
        assert_eq!(normalize(&ev(KeyCode::CapsLock, none)), None);
        assert_eq!(
            normalize(&ev(KeyCode::Char('j'), KeyModifiers::SUPER)),
            None
        );
        let mut release = ev(KeyCode::Char('j'), none);
        release.kind = KeyEventKind::Release;
        assert_eq!(normalize(&release), None);
        let mut repeat = ev(KeyCode::Char('j'), none);
        repeat.kind = KeyEventKind::Repeat;
        assert_eq!(normalize(&repeat), Some(k("j")));
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "j",
            "G",
            "?",
            "<",
            "<Space>",
            "<Enter>",
            "<Esc>",
            "<BackTab>",
            "<C-d>",
            "<C-S-d>",
            "<A-x>",
            "<S-Up>",
            "<F5>",
            "<Delete>",
            "<C-Space>",
            "<C-->",
        ] {
            let key = k(text);
            assert_eq!(key.to_string(), text);
            assert_eq!(k(&key.to_string()), key);
        }
        assert_eq!(k("<S-n>").to_string(), "N");
        assert_eq!(k("<del>").to_string(), "<Delete>");
    }

    #[test]
    fn text_input_keys() {
        assert!(k("q").is_text_input());
        assert!(k("<Space>").is_text_input());
        assert!(k("<Backspace>").is_text_input());
        assert!(!k("<C-c>").is_text_input());
        assert!(!k("<Esc>").is_text_input());
        assert!(!k("<F1>").is_text_input());
    }
}
