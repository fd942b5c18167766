//! Every user-visible text of the config module, in one place.
//!
//! Warnings are meant to be read in a start-up notice and the log, prefixed by `file:line:col:`.

/// ` (did you mean "x"?)` or nothing.
pub fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!(" (did you mean \"{s}\"?)"))
}

// --- any config file ---

pub fn toml_syntax(detail: &str) -> String {
    format!(
        "TOML syntax error: {}; the whole file is ignored",
        detail.trim()
    )
}

pub fn cannot_read(err: &std::io::Error) -> String {
    format!("cannot read file: {err}; the whole file is ignored")
}

pub fn wrong_type(key: &str, expected: &str) -> String {
    format!("\"{key}\" should be {expected}")
}

pub const A_STRING: &str = "a string";
pub const A_TABLE: &str = "a table";
pub const A_BOOL: &str = "true or false";
pub const AN_INTEGER: &str = "a whole number";
pub const A_STRING_LIST: &str = "a list of strings";

pub fn unknown_setting(key: &str, suggestion: Option<&str>) -> String {
    format!("unknown setting \"{key}\"{}", did_you_mean(suggestion))
}

// --- keys ---

pub fn unknown_key(text: &str, suggestion: Option<&str>) -> String {
    format!("unknown key \"{text}\"{}", did_you_mean(suggestion))
}

pub fn key_sequence(text: &str) -> String {
    format!("unknown key \"{text}\" (key sequences are not supported yet)")
}

pub fn shifted_symbol(text: &str) -> String {
    format!("unknown key \"{text}\" (Shift only combines with letters; write the symbol itself)")
}

// --- keymaps ---

pub fn unknown_mode(name: &str, suggestion: Option<&str>) -> String {
    format!("unknown mode \"{name}\"{}", did_you_mean(suggestion))
}

pub fn action_expected(key: &str) -> String {
    format!("the binding for \"{key}\" should be an action name such as \"list.down\"")
}

pub fn action_not_in_mode(action: &str, mode: &str) -> String {
    format!("action \"{action}\" cannot be bound in mode \"{mode}\"")
}

pub fn unknown_keymap_preset(name: &str, suggestion: Option<&str>) -> String {
    format!(
        "unknown keymap preset \"{name}\"{}",
        did_you_mean(suggestion)
    )
}

/// The `file` part of warnings about a preset name given on the command line or in config.
pub const KEYMAP_PRESET_ORIGIN: &str = "keymap";

// --- themes ---

pub fn unknown_colour(value: &str, suggestion: Option<&str>) -> String {
    format!("unknown colour \"{value}\"{}", did_you_mean(suggestion))
}

pub fn unknown_modifier(name: &str, suggestion: Option<&str>) -> String {
    format!("unknown modifier \"{name}\"{}", did_you_mean(suggestion))
}

pub fn modifier_not_bool(name: &str) -> String {
    format!("modifier \"{name}\" should be true or false")
}

pub fn unknown_style_field(name: &str, suggestion: Option<&str>) -> String {
    format!("unknown style field \"{name}\"{}", did_you_mean(suggestion))
}

pub fn style_expected(key: &str) -> String {
    format!("\"{key}\" should be a style table such as {{ fg = \"red\", bold = true }}")
}

pub fn unknown_phase(name: &str, suggestion: Option<&str>) -> String {
    format!("unknown phase \"{name}\"{}", did_you_mean(suggestion))
}

pub fn unknown_ui_key(name: &str, suggestion: Option<&str>) -> String {
    format!("unknown ui key \"{name}\"{}", did_you_mean(suggestion))
}

pub fn symbol_width(symbol: &str, phase: &str) -> String {
    format!("symbol \"{symbol}\" for phase {phase} should be one column wide")
}

pub fn symbol_not_ascii(symbol: &str, phase: &str) -> String {
    format!("ASCII symbol \"{symbol}\" for phase {phase} is not plain ASCII")
}

pub fn bad_min_colors(value: &str) -> String {
    format!("min_colors \"{value}\" should be a colour count such as 16, 256 or 16777216")
}

pub fn inherits_cycle(chain: &[String]) -> String {
    format!(
        "theme inheritance cycle: {}; inheritance stops there",
        chain.join(" -> ")
    )
}

pub fn inherits_unknown(parent: &str, suggestion: Option<&str>) -> String {
    format!(
        "inherits unknown theme \"{parent}\"{}",
        did_you_mean(suggestion)
    )
}

pub fn unknown_theme(name: &str, suggestion: Option<&str>) -> String {
    format!("unknown theme \"{name}\"{}", did_you_mean(suggestion))
}

pub fn theme_fallback(name: &str, needs: u32, has: u32, fallback: &str) -> String {
    format!(
        "theme \"{name}\" needs {needs} colours but the terminal offers {has}; using \"{fallback}\""
    )
}

/// The `file` part of notices about theme selection.
pub const THEME_ORIGIN: &str = "theme";

// --- config.toml ---

pub fn too_many_favourites(max: usize) -> String {
    format!("only the first {max} favourite namespaces are used")
}
