//! `config.toml`: the user's settings.
//!
//! ```toml
//! theme = "default"            # a theme name (built-in or themes/NAME.toml)
//! keymap = "k9s"               # a keymap preset applied over the default keymap
//! mouse = true                 # mouse support (default on; Shift-drag still selects text)
//! ascii = false                # force ASCII phase symbols on or off (default: from the locale)
//! favourite_namespaces = ["fluid-system", "default"]   # keys 1–9
//!
//! [contexts]                   # theme per Kubernetes context, first matching pattern wins
//! "prod*" = "danger"
//! ```
//!
//! Unknown settings and wrong types are `file:line:col` warnings; the rest still applies.

use super::keymap::read_optional;
use super::messages;
use super::paths::Paths;
use super::source::{Source, Warning, entries};
use super::suggest::did_you_mean;

pub use super::env::{Env, ascii_wanted, no_color};

/// At most this many favourite namespaces (keys 1 to 9).
pub const MAX_FAVOURITES: usize = 9;

/// A `[contexts]` rule: contexts matching `pattern` (`*`, `?` globs) use `theme`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextRule {
    pub pattern: String,
    pub theme: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub theme: Option<String>,
    pub keymap: Option<String>,
    pub contexts: Vec<ContextRule>,
    pub favourite_namespaces: Vec<String>,
    pub mouse: bool,
    /// `Some` when the user forces ASCII symbols on or off; `None` means decide from the locale.
    pub ascii: Option<bool>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            theme: None,
            keymap: None,
            contexts: Vec::new(),
            favourite_namespaces: Vec::new(),
            mouse: true,
            ascii: None,
        }
    }
}

const KEYS: &[&str] = &[
    "theme",
    "keymap",
    "mouse",
    "ascii",
    "favourite_namespaces",
    "contexts",
];

impl Settings {
    /// Reads `config.toml` from `paths`; a missing file gives the defaults.
    pub fn load(paths: &Paths) -> (Settings, Vec<Warning>) {
        let file = paths.config_file();
        match read_optional(&file) {
            Ok(Some(text)) => Settings::parse(&file.display().to_string(), &text),
            Ok(None) => (Settings::default(), Vec::new()),
            Err(w) => (Settings::default(), vec![w]),
        }
    }

    /// Parses config text; `name` is how the file is named in warnings.
    pub fn parse(name: &str, text: &str) -> (Settings, Vec<Warning>) {
        let mut settings = Settings::default();
        let mut src = Source::new(name, text);
        let doc = match src.parse() {
            Ok(doc) => doc,
            Err(w) => return (settings, vec![w]),
        };
        for (key, value) in entries(&doc) {
            let v = value.get_ref();
            match key.get_ref().as_ref() {
                "theme" | "keymap" => match v.as_str() {
                    Some(s) if key.get_ref() == "theme" => settings.theme = Some(s.to_string()),
                    Some(s) => settings.keymap = Some(s.to_string()),
                    None => src.warn_type(key, messages::A_STRING),
                },
                "mouse" => match v.as_bool() {
                    Some(b) => settings.mouse = b,
                    None => src.warn_type(key, messages::A_BOOL),
                },
                "ascii" => match v.as_bool() {
                    Some(b) => settings.ascii = Some(b),
                    None => src.warn_type(key, messages::A_BOOL),
                },
                "favourite_namespaces" => {
                    let Some(list) = v.as_array() else {
                        src.warn_type(key, messages::A_STRING_LIST);
                        continue;
                    };
                    for item in list.iter() {
                        match item.get_ref().as_str() {
                            Some(ns) if settings.favourite_namespaces.len() < MAX_FAVOURITES => {
                                settings.favourite_namespaces.push(ns.to_string())
                            }
                            Some(_) => {
                                src.warn(
                                    item.span(),
                                    messages::too_many_favourites(MAX_FAVOURITES),
                                );
                                break;
                            }
                            None => src.warn_type(key, messages::A_STRING_LIST),
                        }
                    }
                }
                "contexts" => {
                    let Some(table) = v.as_table() else {
                        src.warn_type(key, messages::A_TABLE);
                        continue;
                    };
                    for (pattern, theme) in entries(table) {
                        match theme.get_ref().as_str() {
                            Some(t) => settings.contexts.push(ContextRule {
                                pattern: pattern.get_ref().to_string(),
                                theme: t.to_string(),
                            }),
                            None => src.warn_type(pattern, messages::A_STRING),
                        }
                    }
                }
                other => {
                    let hint = did_you_mean(other, KEYS.iter().copied());
                    src.warn(key.span(), messages::unknown_setting(other, hint));
                }
            }
        }
        (settings, src.warnings)
    }

    /// ASCII symbols wanted: the config's `ascii` if set, else decided from the environment.
    pub fn ascii(&self, env: &Env) -> bool {
        self.ascii.unwrap_or_else(|| ascii_wanted(env))
    }

    /// The namespace for favourite slot `n` (1 to 9).
    pub fn favourite(&self, n: u8) -> Option<&str> {
        let i = usize::from(n).checked_sub(1)?;
        self.favourite_namespaces.get(i).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_file() {
        let (s, w) = Settings::parse(
            "config.toml",
            "theme = \"light\"\nkeymap = \"k9s\"\nmouse = false\nascii = true\n\
             favourite_namespaces = [\"a\", \"b\"]\n[contexts]\n\"prod*\" = \"danger\"\n\"kind-*\" = \"light\"\n",
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.theme.as_deref(), Some("light"));
        assert_eq!(s.keymap.as_deref(), Some("k9s"));
        assert!(!s.mouse);
        assert_eq!(s.ascii, Some(true));
        assert_eq!(s.favourite(2), Some("b"));
        assert_eq!(s.favourite(0), None);
        assert_eq!(s.favourite(3), None);
        assert_eq!(s.contexts[0].pattern, "prod*");
        assert_eq!(s.contexts[1].theme, "light");
    }

    #[test]
    fn defaults_and_warnings() {
        let (s, w) = Settings::parse(
            "config.toml",
            "mouse = \"yes\"\nthem = \"x\"\nfavourite_namespaces = [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\"]\n",
        );
        assert!(s.mouse);
        assert_eq!(s.favourite_namespaces.len(), 9);
        let msgs: Vec<String> = w.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "config.toml:1:1: \"mouse\" should be true or false",
                "config.toml:2:1: unknown setting \"them\" (did you mean \"theme\"?)",
                "config.toml:3:61: only the first 9 favourite namespaces are used",
            ]
        );
    }

    #[test]
    fn syntax_error_keeps_defaults() {
        let (s, w) = Settings::parse("config.toml", "theme = \n");
        assert_eq!(s, Settings::default());
        assert_eq!(w.len(), 1);
        assert!(w[0].to_string().starts_with("config.toml:1:"));
    }

    #[test]
    fn ascii_setting_overrides_environment() {
        let env = Env::from_pairs(&[("LANG", "C")]);
        assert!(Settings::default().ascii(&env));
        let forced = Settings {
            ascii: Some(false),
            ..Settings::default()
        };
        assert!(!forced.ascii(&env));
    }
}
