//! A snapshot of the environment variables config decisions depend on.
//!
//! Taking the environment as a value keeps path, theme and symbol selection testable without
//! touching the process environment.

use std::collections::BTreeMap;

/// Environment variables, looked up by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// Reads the variables of the running process (non-UTF-8 values are skipped).
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// An environment holding exactly the given variables.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Env {
        Env {
            vars: pairs
                .iter()
                .map(|(k, v)| (k.as_ref().to_string(), v.as_ref().to_string()))
                .collect(),
        }
    }

    /// The value of `name`, if set (possibly empty).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The value of `name` if it is set and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.insert(name.to_string(), value.to_string());
    }
}

/// True when `NO_COLOR` is set to a non-empty value (no-color.org).
pub fn no_color(env: &Env) -> bool {
    env.non_empty("NO_COLOR").is_some()
}

/// True when phase symbols should be plain ASCII: the effective locale (`LC_ALL`, then
/// `LC_CTYPE`, then `LANG`) is set and does not mention UTF-8, or `TERM` is `linux` or `vt100`.
pub fn ascii_wanted(env: &Env) -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .into_iter()
        .find_map(|name| env.non_empty(name));
    if let Some(locale) = locale {
        let lc = locale.to_ascii_lowercase();
        if !lc.contains("utf-8") && !lc.contains("utf8") {
            return true;
        }
    }
    matches!(env.get("TERM"), Some("linux" | "vt100"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_needs_a_value() {
        assert!(!no_color(&Env::default()));
        assert!(!no_color(&Env::from_pairs(&[("NO_COLOR", "")])));
        assert!(no_color(&Env::from_pairs(&[("NO_COLOR", "1")])));
    }

    #[test]
    fn ascii_from_locale_and_term() {
        assert!(!ascii_wanted(&Env::default()));
        assert!(!ascii_wanted(&Env::from_pairs(&[("LANG", "en_US.UTF-8")])));
        assert!(!ascii_wanted(&Env::from_pairs(&[("LANG", "de_DE.utf8")])));
        assert!(ascii_wanted(&Env::from_pairs(&[("LANG", "C")])));
        assert!(ascii_wanted(&Env::from_pairs(&[("LANG", "POSIX")])));
        // LC_ALL wins over LANG.
        assert!(ascii_wanted(&Env::from_pairs(&[
            ("LANG", "en_US.UTF-8"),
            ("LC_ALL", "C")
        ])));
        assert!(!ascii_wanted(&Env::from_pairs(&[
            ("LANG", "C"),
            ("LC_CTYPE", "C.UTF-8")
        ])));
        assert!(ascii_wanted(&Env::from_pairs(&[
            ("LANG", "en_US.UTF-8"),
            ("TERM", "linux")
        ])));
        assert!(ascii_wanted(&Env::from_pairs(&[("TERM", "vt100")])));
        assert!(!ascii_wanted(&Env::from_pairs(&[(
            "TERM",
            "xterm-256color"
        )])));
    }
}
