//! The merged keymap: which key triggers which action in which mode.
//!
//! Layers, later wins per `(mode, key)`:
//! 1. `keymaps/default.toml`, compiled in;
//! 2. an optional named preset: the user's `keymaps/NAME.toml`, else a built-in one (`k9s`);
//! 3. the user's `keymap.toml`.
//!
//! Binding a key to `"noop"` unbinds it: the key then does nothing in that mode and does not fall
//! through to later modes either. Bad entries are skipped with a `file:line:col` warning; a file
//! that is not valid TOML is ignored as a whole.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use crossterm::event::KeyEvent;

use crate::app::actions::Action;
pub use crate::app::actions::KeyMode;

use super::keys::{Key, normalize};
use super::messages;
use super::paths::Paths;
use super::source::{Source, Warning, entries};
use super::suggest::did_you_mean;

/// The default keymap, compiled in.
pub const DEFAULT_KEYMAP: &str = include_str!("../../keymaps/default.toml");

/// Presets shipped in the binary: (name, file name for warnings, contents).
pub const BUILTIN_PRESETS: &[(&str, &str, &str)] = &[
    ("default", "keymaps/default.toml", DEFAULT_KEYMAP),
    (
        "k9s",
        "keymaps/k9s.toml",
        include_str!("../../keymaps/k9s.toml"),
    ),
];

/// One line of the generated help screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpRow {
    pub mode: KeyMode,
    /// Every key bound to the action in this mode, space-separated (`"j <Down>"`).
    pub keys: String,
    /// The action with its argument, e.g. `"view.open pods"`.
    pub action: String,
    pub desc: &'static str,
    pub writes: bool,
}

/// Key bindings per mode, in the order they were first bound.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keymap {
    tables: BTreeMap<KeyMode, Vec<(Key, Action)>>,
}

impl Keymap {
    /// A keymap without any binding.
    pub fn empty() -> Keymap {
        Keymap::default()
    }

    /// The compiled-in default keymap alone (it is tested to load without warnings).
    pub fn builtin() -> Keymap {
        let mut keymap = Keymap::empty();
        let _ = keymap.apply("keymaps/default.toml", DEFAULT_KEYMAP);
        keymap
    }

    /// Default keymap, then `preset` (if any), then the user's `keymap.toml` (if present).
    pub fn load(paths: &Paths, preset: Option<&str>) -> (Keymap, Vec<Warning>) {
        let mut keymap = Keymap::builtin();
        let mut warnings = Vec::new();
        if let Some(name) = preset {
            warnings.extend(keymap.apply_preset(Some(paths), name));
        }
        let user = paths.keymap_file();
        match read_optional(&user) {
            Ok(Some(text)) => warnings.extend(keymap.apply(&user.display().to_string(), &text)),
            Ok(None) => {}
            Err(w) => warnings.push(w),
        }
        (keymap, warnings)
    }

    /// Overlays a named preset: the user's `keymaps/NAME.toml` if it exists, else a built-in one.
    pub fn apply_preset(&mut self, paths: Option<&Paths>, name: &str) -> Vec<Warning> {
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid_name && let Some(paths) = paths {
            let file = paths.keymaps_dir().join(format!("{name}.toml"));
            match read_optional(&file) {
                Ok(Some(text)) => return self.apply(&file.display().to_string(), &text),
                Ok(None) => {}
                Err(w) => return vec![w],
            }
        }
        if let Some((_, file, text)) = BUILTIN_PRESETS.iter().find(|(n, _, _)| *n == name) {
            return self.apply(file, text);
        }
        let known = preset_names(paths);
        let suggestion = did_you_mean(name, known.iter().map(String::as_str));
        vec![Warning::general(
            messages::KEYMAP_PRESET_ORIGIN,
            messages::unknown_keymap_preset(name, suggestion),
        )]
    }

    /// Overlays one keymap file; returns its warnings. `name` is how the file is named in them.
    pub fn apply(&mut self, name: &str, text: &str) -> Vec<Warning> {
        let mut src = Source::new(name, text);
        let doc = match src.parse() {
            Ok(doc) => doc,
            Err(w) => return vec![w],
        };
        for (mode_name, table) in entries(&doc) {
            let Some(mode) = KeyMode::from_name(mode_name.get_ref()) else {
                let names = KeyMode::ALL.map(KeyMode::name);
                let hint = did_you_mean(mode_name.get_ref(), names);
                src.warn(
                    mode_name.span(),
                    messages::unknown_mode(mode_name.get_ref(), hint),
                );
                continue;
            };
            let Some(table) = table.get_ref().as_table() else {
                src.warn_type(mode_name, messages::A_TABLE);
                continue;
            };
            for (key_text, value) in entries(table) {
                let span = key_text.span();
                let key = match Key::parse(key_text.get_ref()) {
                    Ok(key) => key,
                    Err(e) => {
                        src.warn(span, e.to_string());
                        continue;
                    }
                };
                let Some(action_text) = value.get_ref().as_str() else {
                    src.warn(span, messages::action_expected(key_text.get_ref()));
                    continue;
                };
                let action = match Action::parse(action_text) {
                    Ok(action) => action,
                    Err(e) => {
                        src.warn(span, e.to_string());
                        continue;
                    }
                };
                if !action.allowed_in(mode) {
                    let msg = messages::action_not_in_mode(&action.to_string(), mode.name());
                    src.warn(span, msg);
                    continue;
                }
                self.bind(mode, key, action);
            }
        }
        src.warnings
    }

    /// Binds `key` in `mode`, replacing an earlier binding of the same key in place.
    pub fn bind(&mut self, mode: KeyMode, key: Key, action: Action) {
        let table = self.tables.entry(mode).or_default();
        match table.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = action,
            None => table.push((key, action)),
        }
    }

    /// The binding of `key` in exactly `mode` (may be [`Action::Noop`]).
    pub fn get(&self, mode: KeyMode, key: Key) -> Option<Action> {
        self.tables
            .get(&mode)?
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, a)| *a)
    }

    /// The action for a terminal key event, looking `modes` up in the order given
    /// (e.g. `[KeyMode::Confirm]` or `[KeyMode::List, KeyMode::Global]`).
    pub fn resolve(&self, modes: &[KeyMode], key: &KeyEvent) -> Option<Action> {
        self.resolve_key(modes, normalize(key)?)
    }

    /// [`Keymap::resolve`] for an already normalised key.
    ///
    /// The first mode binding the key decides (`noop` means "nothing"). A text-entry mode stops
    /// the search for characters and editing keys, so `q` typed in a filter is text, while
    /// `<C-c>` still reaches `[global]`.
    pub fn resolve_key(&self, modes: &[KeyMode], key: Key) -> Option<Action> {
        for &mode in modes {
            if let Some(action) = self.get(mode, key) {
                return (action != Action::Noop).then_some(action);
            }
            if mode.is_text_entry() && key.is_text_input() {
                return None;
            }
        }
        None
    }

    /// Active bindings of one mode (without `noop`), in binding order.
    pub fn bindings(&self, mode: KeyMode) -> impl Iterator<Item = (Key, Action)> + '_ {
        self.tables
            .get(&mode)
            .into_iter()
            .flatten()
            .copied()
            .filter(|(_, a)| *a != Action::Noop)
    }

    /// Keys bound to `action` in exactly `mode`, as displayed (`"<C-d>"`).
    pub fn keys_for(&self, action: Action, mode: KeyMode) -> Vec<String> {
        self.bindings(mode)
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| k.to_string())
            .collect()
    }

    /// Keys that trigger `action` when `modes` are looked up in this order — what a hint bar
    /// should show (keys shadowed by an earlier mode are left out).
    pub fn effective_keys(&self, action: Action, modes: &[KeyMode]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for &mode in modes {
            for (key, a) in self.bindings(mode) {
                let shown = key.to_string();
                if a == action
                    && self.resolve_key(modes, key) == Some(action)
                    && !out.contains(&shown)
                {
                    out.push(shown);
                }
            }
        }
        out
    }

    /// Rows for the help screen, by mode then binding order; one row per action and mode.
    /// Actions that write are left out when `readonly`.
    pub fn help_rows(&self, readonly: bool) -> Vec<HelpRow> {
        let mut rows: Vec<HelpRow> = Vec::new();
        for mode in KeyMode::ALL {
            let mut order: Vec<Action> = Vec::new();
            let mut keys: Vec<Vec<String>> = Vec::new();
            for (key, action) in self.bindings(mode) {
                if readonly && action.writes() {
                    continue;
                }
                match order.iter().position(|a| *a == action) {
                    Some(i) => keys[i].push(key.to_string()),
                    None => {
                        order.push(action);
                        keys.push(vec![key.to_string()]);
                    }
                }
            }
            rows.extend(order.into_iter().zip(keys).map(|(action, keys)| HelpRow {
                mode,
                keys: keys.join(" "),
                action: action.to_string(),
                desc: action.desc(),
                writes: action.writes(),
            }));
        }
        rows
    }
}

/// Names of every preset: built-in ones, then the user's `keymaps/*.toml`.
pub fn preset_names(paths: Option<&Paths>) -> Vec<String> {
    let mut names: Vec<String> = BUILTIN_PRESETS
        .iter()
        .map(|(n, _, _)| n.to_string())
        .collect();
    if let Some(paths) = paths {
        for name in toml_stems(&paths.keymaps_dir()) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// File stems of the `*.toml` files in `dir`, sorted; empty if the directory is missing.
pub(crate) fn toml_stems(dir: &Path) -> Vec<String> {
    let Ok(read) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = read
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
        .collect();
    names.sort();
    names
}

/// The file's text, `None` if it does not exist, a warning if it cannot be read.
pub(crate) fn read_optional(path: &Path) -> Result<Option<String>, Warning> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Warning::general(
            &path.display().to_string(),
            messages::cannot_read(&e),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    #[test]
    fn builtin_resolves_in_order() {
        let km = Keymap::builtin();
        let list = [KeyMode::List, KeyMode::Global];
        assert_eq!(km.resolve_key(&list, key("j")), Some(Action::ListDown));
        assert_eq!(km.resolve_key(&list, key("q")), Some(Action::AppQuit));
        assert_eq!(km.resolve_key(&[KeyMode::Confirm], key("q")), None);
        assert_eq!(
            km.resolve_key(&[KeyMode::Confirm], key("y")),
            Some(Action::ConfirmYes)
        );
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(km.resolve(&list, &ev), Some(Action::ListBottom));
    }

    #[test]
    fn text_entry_keeps_typing() {
        let km = Keymap::builtin();
        let filter = [KeyMode::Filter, KeyMode::Global];
        assert_eq!(km.resolve_key(&filter, key("q")), None);
        assert_eq!(km.resolve_key(&filter, key("?")), None);
        assert_eq!(km.resolve_key(&filter, key("<Tab>")), None);
        assert_eq!(km.resolve_key(&filter, key("<C-c>")), Some(Action::AppQuit));
        assert_eq!(
            km.resolve_key(&filter, key("<Enter>")),
            Some(Action::NavEnter)
        );
        assert_eq!(km.resolve_key(&filter, key("<Esc>")), Some(Action::NavBack));
    }

    #[test]
    fn noop_shadows_later_modes() {
        let mut km = Keymap::builtin();
        let w = km.apply("user.toml", "[list]\n\"q\" = \"noop\"\n");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            km.resolve_key(&[KeyMode::List, KeyMode::Global], key("q")),
            None
        );
        assert_eq!(
            km.resolve_key(&[KeyMode::Detail, KeyMode::Global], key("q")),
            Some(Action::AppQuit)
        );
    }

    #[test]
    fn rebinding_keeps_position_and_later_wins() {
        let mut km = Keymap::empty();
        let w = km.apply("a.toml", "[list]\nj = \"list.down\"\nk = \"list.up\"\n");
        assert!(w.is_empty());
        let w = km.apply("b.toml", "[list]\nj = \"list.bottom\"\n");
        assert!(w.is_empty());
        let keys: Vec<_> = km.bindings(KeyMode::List).collect();
        assert_eq!(
            keys,
            [(key("j"), Action::ListBottom), (key("k"), Action::ListUp)]
        );
    }

    #[test]
    fn hints_and_help() {
        let km = Keymap::builtin();
        assert_eq!(
            km.keys_for(Action::ListDown, KeyMode::List),
            ["j", "<Down>"]
        );
        assert_eq!(
            km.keys_for(Action::AppQuit, KeyMode::Global),
            ["q", "<C-c>"]
        );
        // In help mode, q closes help, so only <C-c> quits.
        assert_eq!(
            km.effective_keys(Action::AppQuit, &[KeyMode::Help, KeyMode::Global]),
            ["<C-c>"]
        );
        let rows = km.help_rows(false);
        let down = rows
            .iter()
            .find(|r| r.mode == KeyMode::List && r.action == "list.down")
            .unwrap();
        assert_eq!(down.keys, "j <Down>");
        assert_eq!(down.desc, "Move down");
        assert!(rows.iter().any(|r| r.action == "object.delete" && r.writes));
        assert!(km.help_rows(true).iter().all(|r| !r.writes));
        assert!(rows.iter().all(|r| r.action != "noop"));
    }

    #[test]
    fn unknown_preset_is_a_warning() {
        let mut km = Keymap::builtin();
        let w = km.apply_preset(None, "k9");
        assert_eq!(
            w[0].to_string(),
            "keymap: unknown keymap preset \"k9\" (did you mean \"k9s\"?)"
        );
        assert_eq!(km, Keymap::builtin());
        assert!(km.apply_preset(None, "../etc/passwd").len() == 1);
    }
}
