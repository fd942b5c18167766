//! Themes: named styles for the UI and a style plus symbol for every phase.
//!
//! A theme file has `name`, `inherits` (a parent theme, helix style), `min_colors`, `[palette]`
//! (colour names usable below), `[ui]` (hierarchical style keys: `table.header` falls back to
//! `table`, then `base`), `[phase]` (style and `symbol` per phase) and `[symbols.ascii]` (plain
//! ASCII symbols for terminals without UTF-8). Built-in themes are compiled in; a file
//! `<config dir>/themes/NAME.toml` shadows the built-in of the same name and may itself say
//! `inherits = "NAME"` to tweak that built-in. Problems are warnings with `file:line:col`; the
//! theme still loads.

use std::collections::HashMap;
use std::path::PathBuf;

use ratatui::style::{Color, Modifier, Style};
use toml::de::DeTable;

use super::keymap::{read_optional, toml_stems};
use super::messages;
use super::source::{Entry, Source, Warning, entries};
use super::style_spec::{Location, StyleSpec, colour_text, one_column, parse_colour, parse_style};
use super::suggest::did_you_mean;
use crate::model::health::status_look;

/// Every phase the console shows; each theme gives each a style and a symbol.
pub const PHASES: &[&str] = &[
    "None",
    "NotReady",
    "PartialReady",
    "Ready",
    "SettingUp",
    "Pending",
    "Executing",
    "Complete",
    "Failed",
    "NotBound",
    "Bound",
    "Updating",
    "DataMigrating",
    "Running",
    "Succeeded",
    "Terminating",
    "CrashLoopBackOff",
    "Unknown",
    "Blocked",
    "Unsupported",
    "Planned",
    "AwaitingConfirmation",
    "Paused",
    "Aborted",
    "RolledBack",
    "Stale",
    "Idle",
];

/// The phase used for names not in [`PHASES`].
pub const UNKNOWN_PHASE: &str = "Unknown";

/// Style keys the UI asks for. A theme may set any of them or any of their parent scopes
/// (`table` for `table.header`); other keys draw a warning.
pub const UI_KEYS: &[&str] = &[
    "base",
    "muted",
    "notice",
    "header",
    "header.context",
    "header.cluster",
    "header.namespace",
    "header.readonly",
    "header.key",
    "header.desc",
    "header.logo",
    "crumbs",
    "crumbs.active",
    "title",
    "title.focused",
    "title.count",
    "border",
    "border.focused",
    "table",
    "table.header",
    "table.row",
    "table.selected",
    "table.marked",
    "table.dim",
    "table.sort",
    "status",
    "status.info",
    "status.ok",
    "status.warn",
    "status.error",
    "hint",
    "hint.key",
    "hint.desc",
    "filter",
    "filter.prompt",
    "filter.match",
    "palette",
    "palette.prompt",
    "palette.selected",
    "palette.completion",
    "help",
    "help.mode",
    "help.key",
    "help.desc",
    "help.writes",
    "confirm",
    "confirm.title",
    "confirm.danger",
    "confirm.button",
    "confirm.button.focused",
    "diff",
    "diff.add",
    "diff.del",
    "diff.ctx",
    "diff.header",
    "yaml",
    "yaml.key",
    "yaml.value",
    "yaml.comment",
    "logs",
    "logs.timestamp",
    "logs.source",
    "logs.warn",
    "logs.error",
    "timeline",
    "timeline.axis",
    "timeline.now",
    "timeline.label",
    "editor",
    "editor.cursor",
    "editor.line_number",
    "editor.selection",
    "form",
    "form.label",
    "form.input",
    "form.input.focused",
    "form.error",
    "wizard",
    "wizard.step",
    "wizard.step.active",
    "wizard.step.done",
    "wizard.step.failed",
    "gauge",
    "gauge.filled",
];

/// Built-in themes: (name, file name for warnings, contents).
pub const BUILTIN_THEMES: &[(&str, &str, &str)] = &[
    (
        "default",
        "themes/default.toml",
        include_str!("../../themes/default.toml"),
    ),
    (
        "light",
        "themes/light.toml",
        include_str!("../../themes/light.toml"),
    ),
    (
        "mono",
        "themes/mono.toml",
        include_str!("../../themes/mono.toml"),
    ),
    (
        "term16",
        "themes/term16.toml",
        include_str!("../../themes/term16.toml"),
    ),
    (
        "danger",
        "themes/danger.toml",
        include_str!("../../themes/danger.toml"),
    ),
];

/// Backgrounds text is drawn on: the plain screen (`base`) and the highlighted bars. Text on a
/// highlighted bar is drawn with [`Theme::on`], so it reads on every one of them.
pub const SURFACES: &[&str] = &[
    "base",
    "table.selected",
    "palette.selected",
    "crumbs.active",
    "header.readonly",
    "confirm.button.focused",
    "editor.selection",
];

pub const DEFAULT_THEME: &str = "default";
pub const MONO_THEME: &str = "mono";
pub const TERM16_THEME: &str = "term16";

/// The colour count meaning "truecolor" (crossterm reports it as `u16::MAX`).
pub const TRUECOLOR: u32 = 16_777_216;

const DEFAULT_MIN_COLORS: u32 = 256;
const FALLBACK_SYMBOL: &str = "?";

/// Look of one phase.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PhaseLook {
    style: Style,
    symbol: String,
    ascii: String,
}

/// A loaded theme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    name: String,
    min_colors: u32,
    ascii: bool,
    ui: HashMap<String, Style>,
    phases: HashMap<String, PhaseLook>,
}

impl Theme {
    /// A built-in theme by name, ignoring user files.
    pub fn builtin(name: &str) -> Option<Theme> {
        let loader = ThemeLoader::builtin_only();
        loader.exists(name).then(|| loader.load(name, false).0)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The fewest terminal colours this theme looks right with.
    pub fn min_colors(&self) -> u32 {
        self.min_colors
    }

    /// The colours this theme's styles use, as a terminal colour count: 2 for none, 8 for the
    /// basic ANSI colours, 16 with their bright variants, 256 for palette indices, [`TRUECOLOR`]
    /// for RGB; never less than the theme's `min_colors`.
    pub fn colors_needed(&self) -> u32 {
        let styles = self
            .ui
            .values()
            .chain(self.phases.values().map(|p| &p.style));
        styles
            .flat_map(|s| [s.fg, s.bg])
            .flatten()
            .map(colour_count)
            .max()
            .unwrap_or(2)
            .max(self.min_colors)
    }

    /// True when [`Theme::phase`] returns ASCII symbols.
    pub fn ascii(&self) -> bool {
        self.ascii
    }

    pub fn set_ascii(&mut self, ascii: bool) {
        self.ascii = ascii;
    }

    /// The style for a UI key such as `"table.header"` (a leading `"ui."` is accepted).
    ///
    /// Styles cascade: `base`, then `table`, then `table.header`, each patching the previous
    /// one, so a key that is not set gets its parent's look.
    pub fn style(&self, key: &str) -> Style {
        let key = key.strip_prefix("ui.").unwrap_or(key);
        let mut style = self.ui.get("base").copied().unwrap_or_default();
        if key == "base" {
            return style;
        }
        for (i, _) in key.match_indices('.') {
            if let Some(s) = self.ui.get(&key[..i]) {
                style = style.patch(*s);
            }
        }
        if let Some(s) = self.ui.get(key) {
            style = style.patch(*s);
        }
        style
    }

    /// How text in `style` is drawn on `surface` (one of [`SURFACES`]). On the plain screen
    /// and on bars that neither set a background nor reverse, the text keeps its own look over
    /// the bar's. On a highlighted bar the text takes the bar's colours and keeps only its
    /// emphasis (bold, italic, underline): a phase's colour could be the bar's own colour, and
    /// the phase symbol still tells the phase.
    pub fn on(&self, surface: &str, style: Style) -> Style {
        let bar = self.style(surface);
        let highlighted = surface != "base"
            && (bar.bg.is_some_and(|c| c != Color::Reset)
                || bar.add_modifier.contains(Modifier::REVERSED));
        if !highlighted {
            return bar.patch(style);
        }
        let emphasis =
            style.add_modifier & (Modifier::BOLD | Modifier::ITALIC | Modifier::UNDERLINED);
        bar.add_modifier(emphasis)
    }

    /// Style and symbol for a phase; unknown phases look like `Unknown`.
    ///
    /// A status that is not a phase (a pod's `ContainerCreating`, `Init:0/2`, `OOMKilled`…) is
    /// drawn as the phase it means ([`crate::model::health::status_look`]).
    pub fn phase(&self, phase: &str) -> (Style, &str) {
        match self
            .phases
            .get(phase)
            .or_else(|| status_look(phase).and_then(|p| self.phases.get(p)))
            .or_else(|| self.phases.get(UNKNOWN_PHASE))
        {
            Some(look) => {
                let symbol = if self.ascii {
                    &look.ascii
                } else {
                    &look.symbol
                };
                (look.style, symbol.as_str())
            }
            None => (Style::default(), FALLBACK_SYMBOL),
        }
    }

    pub fn phase_style(&self, phase: &str) -> Style {
        self.phase(phase).0
    }

    pub fn phase_symbol(&self, phase: &str) -> &str {
        self.phase(phase).1
    }

    /// Every resolved style (UI keys and phases), for checks such as "mono uses no colour".
    pub fn all_styles(&self) -> Vec<(String, Style)> {
        let mut out: Vec<(String, Style)> = self
            .ui
            .iter()
            .map(|(k, s)| (format!("ui.{k}"), *s))
            .collect();
        out.extend(
            self.phases
                .iter()
                .map(|(k, p)| (format!("phase.{k}"), p.style)),
        );
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Whether `name` (a phase or a status) has a look of its own rather than the one of
    /// unknown phases.
    pub fn knows(&self, name: &str) -> bool {
        self.phases.contains_key(name)
            || status_look(name).is_some_and(|p| self.phases.contains_key(p))
    }

    /// Phases from [`PHASES`] this theme has no entry for (filled with default symbols).
    pub fn missing_phases(&self) -> Vec<&'static str> {
        PHASES
            .iter()
            .copied()
            .filter(|p| !self.phases.contains_key(*p))
            .collect()
    }
}

impl Default for Theme {
    fn default() -> Theme {
        ThemeLoader::builtin_only().load(DEFAULT_THEME, false).0
    }
}

/// Finds and loads themes: user files shadow built-ins of the same name.
#[derive(Clone, Debug, Default)]
pub struct ThemeLoader {
    user_dir: Option<PathBuf>,
}

/// Where a theme file comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    User,
    Builtin,
}

/// One parsed theme file, before merging with its parents.
#[derive(Default)]
struct Layer {
    inherits: Option<(String, Location)>,
    min_colors: Option<u32>,
    palette: Vec<(String, Color)>,
    ui: Vec<(String, StyleSpec)>,
    phases: Vec<(String, StyleSpec, Option<String>)>,
    ascii: Vec<(String, String)>,
}

impl ThemeLoader {
    /// Looks in `user_dir` (usually `Paths::themes_dir()`) before the built-ins.
    pub fn new(user_dir: Option<PathBuf>) -> ThemeLoader {
        ThemeLoader { user_dir }
    }

    pub fn builtin_only() -> ThemeLoader {
        ThemeLoader { user_dir: None }
    }

    /// Every theme name: built-ins, then user themes.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = BUILTIN_THEMES.iter().map(|t| t.0.to_string()).collect();
        if let Some(dir) = &self.user_dir {
            for n in toml_stems(dir) {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        names
    }

    pub fn exists(&self, name: &str) -> bool {
        valid_name(name) && (builtin(name).is_some() || self.user_file(name).is_some())
    }

    /// The closest theme name to a misspelt one.
    pub fn suggest(&self, name: &str) -> Option<String> {
        let names = self.names();
        did_you_mean(name, names.iter().map(String::as_str)).map(str::to_string)
    }

    /// Loads theme `name` with its parents. An unknown name loads the default theme with a
    /// warning; a theme whose file is unusable falls back to the built-in of the same name,
    /// then to the default theme.
    pub fn load(&self, name: &str, ascii: bool) -> (Theme, Vec<Warning>) {
        let mut warnings = Vec::new();
        let mut layers = Vec::new();
        if self.exists(name) {
            layers = self.chain(name, &mut warnings);
        } else {
            let hint = self.suggest(name);
            warnings.push(Warning::general(
                messages::THEME_ORIGIN,
                messages::unknown_theme(name, hint.as_deref()),
            ));
        }
        let mut theme_name = name;
        if layers.is_empty() {
            theme_name = DEFAULT_THEME;
            layers = self.chain(DEFAULT_THEME, &mut warnings);
        }
        let mut theme = merge(theme_name, &layers, &mut warnings);
        theme.ascii = ascii;
        (theme, warnings)
    }

    fn user_file(&self, name: &str) -> Option<PathBuf> {
        let path = self.user_dir.as_ref()?.join(format!("{name}.toml"));
        path.is_file().then_some(path)
    }

    /// Reads `name` and its ancestors, child first.
    fn chain(&self, name: &str, warnings: &mut Vec<Warning>) -> Vec<Layer> {
        let mut layers = Vec::new();
        let mut seen: Vec<(String, Origin)> = Vec::new();
        let mut next: Option<(String, bool, Option<Location>)> =
            Some((name.to_string(), true, None));
        while let Some((name, user_first, referenced_at)) = next.take() {
            let Some((origin, file, text)) = self.find(&name, user_first, warnings) else {
                if let Some(at) = referenced_at {
                    let hint = self.suggest(&name);
                    warnings.push(at.warning(messages::inherits_unknown(&name, hint.as_deref())));
                }
                break;
            };
            if seen.iter().any(|(n, o)| *n == name && *o == origin) {
                let mut names: Vec<String> = seen.iter().map(|(n, _)| n.clone()).collect();
                names.push(name.clone());
                if let Some(at) = referenced_at {
                    warnings.push(at.warning(messages::inherits_cycle(&names)));
                }
                break;
            }
            seen.push((name.clone(), origin));
            let mut src = Source::new(&file, &text);
            let layer = match src.parse() {
                Ok(doc) => parse_layer(&mut src, &doc),
                Err(w) => {
                    warnings.push(w);
                    // A broken user file: use the built-in of the same name, if any.
                    if origin == Origin::User && builtin(&name).is_some() {
                        next = Some((name, false, referenced_at));
                    }
                    continue;
                }
            };
            warnings.append(&mut src.warnings);
            if let Some((parent, at)) = &layer.inherits {
                // A user theme inheriting its own name extends the built-in of that name.
                let user_first = !(origin == Origin::User && *parent == name);
                next = Some((parent.clone(), user_first, Some(at.clone())));
            }
            layers.push(layer);
        }
        layers
    }

    fn find(
        &self,
        name: &str,
        user_first: bool,
        warnings: &mut Vec<Warning>,
    ) -> Option<(Origin, String, String)> {
        if !valid_name(name) {
            return None;
        }
        if user_first && let Some(path) = self.user_file(name) {
            match read_optional(&path) {
                Ok(Some(text)) => return Some((Origin::User, path.display().to_string(), text)),
                Ok(None) => {}
                Err(w) => warnings.push(w),
            }
        }
        builtin(name).map(|(file, text)| (Origin::Builtin, file.to_string(), text.to_string()))
    }
}

/// The terminal colour count a colour needs.
pub fn colour_count(c: Color) -> u32 {
    match c {
        Color::Reset => 2,
        Color::Black
        | Color::Red
        | Color::Green
        | Color::Yellow
        | Color::Blue
        | Color::Magenta
        | Color::Cyan
        | Color::Gray => 8,
        Color::DarkGray
        | Color::LightRed
        | Color::LightGreen
        | Color::LightYellow
        | Color::LightBlue
        | Color::LightMagenta
        | Color::LightCyan
        | Color::White => 16,
        Color::Indexed(i) if i < 8 => 8,
        Color::Indexed(i) if i < 16 => 16,
        Color::Indexed(_) => 256,
        Color::Rgb(..) => TRUECOLOR,
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !name.starts_with('.')
}

fn builtin(name: &str) -> Option<(&'static str, &'static str)> {
    BUILTIN_THEMES
        .iter()
        .find(|t| t.0 == name)
        .map(|t| (t.1, t.2))
}

const TOP_LEVEL: &[&str] = &[
    "name",
    "inherits",
    "min_colors",
    "palette",
    "ui",
    "phase",
    "symbols",
];

fn parse_layer(src: &mut Source<'_>, doc: &DeTable<'_>) -> Layer {
    let mut layer = Layer::default();
    for (key, value) in entries(doc) {
        let v = value.get_ref();
        match key.get_ref().as_ref() {
            "name" => {
                if v.as_str().is_none() {
                    src.warn_type(key, messages::A_STRING);
                }
            }
            "inherits" => match v.as_str() {
                Some("") => {}
                Some(parent) => {
                    layer.inherits =
                        Some((parent.to_string(), Location::of(src, value.span().start)))
                }
                None => src.warn_type(key, messages::A_STRING),
            },
            "min_colors" => {
                let text = colour_text(v).unwrap_or_default();
                match text.parse::<u32>() {
                    Ok(n) if v.is_integer() && (1..=TRUECOLOR).contains(&n) => {
                        layer.min_colors = Some(n)
                    }
                    _ => src.warn(value.span(), messages::bad_min_colors(&text)),
                }
            }
            "palette" => {
                let Some(table) = v.as_table() else {
                    src.warn_type(key, messages::A_TABLE);
                    continue;
                };
                for (pk, pv) in entries(table) {
                    let text = colour_text(pv.get_ref()).unwrap_or_default();
                    match parse_colour(&text) {
                        Some(c) => layer.palette.push((pk.get_ref().to_string(), c)),
                        None => {
                            let hint = did_you_mean(
                                &text,
                                super::style_spec::COLOUR_NAMES.iter().copied(),
                            );
                            src.warn(pv.span(), messages::unknown_colour(&text, hint));
                        }
                    }
                }
            }
            "ui" => {
                let Some(table) = v.as_table() else {
                    src.warn_type(key, messages::A_TABLE);
                    continue;
                };
                parse_ui(src, "", entries(table), &mut layer.ui);
            }
            "phase" => {
                let Some(table) = v.as_table() else {
                    src.warn_type(key, messages::A_TABLE);
                    continue;
                };
                for (pk, pv) in entries(table) {
                    let phase: &str = pk.get_ref();
                    if !PHASES.contains(&phase) {
                        let hint = did_you_mean(phase, PHASES.iter().copied());
                        src.warn(pk.span(), messages::unknown_phase(phase, hint));
                        continue;
                    }
                    let (parsed, nested) = parse_style(src, pk, pv, true);
                    for (nk, _) in nested {
                        let hint = did_you_mean(nk.get_ref(), ["symbol", "fg", "bg"]);
                        src.warn(nk.span(), messages::unknown_style_field(nk.get_ref(), hint));
                    }
                    if let Some(sym) = &parsed.symbol
                        && !one_column(sym)
                    {
                        src.warn(pv.span(), messages::symbol_width(sym, phase));
                    }
                    layer
                        .phases
                        .push((phase.to_string(), parsed.style, parsed.symbol));
                }
            }
            "symbols" => {
                let Some(table) = v.as_table() else {
                    src.warn_type(key, messages::A_TABLE);
                    continue;
                };
                for (sk, sv) in entries(table) {
                    if sk.get_ref() != "ascii" {
                        let hint = did_you_mean(sk.get_ref(), ["ascii"]);
                        src.warn(sk.span(), messages::unknown_setting(sk.get_ref(), hint));
                        continue;
                    }
                    let Some(ascii) = sv.get_ref().as_table() else {
                        src.warn_type(sk, messages::A_TABLE);
                        continue;
                    };
                    for (pk, pv) in entries(ascii) {
                        let phase: &str = pk.get_ref();
                        if !PHASES.contains(&phase) {
                            let hint = did_you_mean(phase, PHASES.iter().copied());
                            src.warn(pk.span(), messages::unknown_phase(phase, hint));
                            continue;
                        }
                        match pv.get_ref().as_str() {
                            Some(s) if s.is_ascii() && one_column(s) => {
                                layer.ascii.push((phase.to_string(), s.to_string()))
                            }
                            Some(s) => src.warn(pv.span(), messages::symbol_not_ascii(s, phase)),
                            None => src.warn_type(pk, messages::A_STRING),
                        }
                    }
                }
            }
            other => {
                let hint = did_you_mean(other, TOP_LEVEL.iter().copied());
                src.warn(key.span(), messages::unknown_setting(other, hint));
            }
        }
    }
    layer
}

/// Reads `[ui]` entries, flattening nested tables (`[ui.table] header = {…}`) into dotted keys.
fn parse_ui(
    src: &mut Source<'_>,
    prefix: &str,
    items: Vec<Entry<'_, '_>>,
    out: &mut Vec<(String, StyleSpec)>,
) {
    for (key, value) in items {
        let full = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        let known = UI_KEYS
            .iter()
            .any(|k| *k == full || k.starts_with(&format!("{full}.")));
        if !known {
            let hint = did_you_mean(&full, UI_KEYS.iter().copied());
            src.warn(key.span(), messages::unknown_ui_key(&full, hint));
            continue;
        }
        let (parsed, nested) = parse_style(src, key, value, false);
        if !parsed.style.is_empty() || nested.is_empty() {
            out.push((full.clone(), parsed.style));
        }
        parse_ui(src, &full, nested, out);
    }
}

/// Merges layers (child first) into a theme and resolves colours. Colours resolve against the
/// merged palette, so a child's palette recolours its parents; an entry with a bad colour is
/// skipped, keeping what its parents said.
fn merge(name: &str, layers: &[Layer], warnings: &mut Vec<Warning>) -> Theme {
    let mut min_colors = None;
    let mut palette: HashMap<String, Color> = HashMap::new();
    for layer in layers.iter().rev() {
        min_colors = layer.min_colors.or(min_colors);
        palette.extend(layer.palette.iter().cloned());
    }
    let mut ui: HashMap<String, Style> = HashMap::new();
    let mut phases: HashMap<String, (Style, Option<String>)> = HashMap::new();
    let mut ascii: HashMap<String, String> = HashMap::new();
    for layer in layers.iter().rev() {
        for (key, spec) in &layer.ui {
            match spec.resolve(&palette) {
                Ok(style) => {
                    ui.insert(key.clone(), style);
                }
                Err(mut w) => warnings.append(&mut w),
            }
        }
        for (phase, spec, symbol) in &layer.phases {
            let entry = phases.entry(phase.clone()).or_default();
            if !spec.is_empty() || symbol.is_none() {
                match spec.resolve(&palette) {
                    Ok(style) => entry.0 = style,
                    Err(mut w) => warnings.append(&mut w),
                }
            }
            if symbol.is_some() {
                entry.1 = symbol.clone();
            }
        }
        ascii.extend(layer.ascii.iter().cloned());
    }
    let defaults = default_symbols();
    let mut looks = HashMap::new();
    for phase in PHASES {
        let (style, symbol) = phases.remove(*phase).unwrap_or_default();
        let fallback = defaults.get(*phase);
        let symbol = symbol
            .or_else(|| fallback.map(|f| f.0.clone()))
            .unwrap_or_else(|| FALLBACK_SYMBOL.to_string());
        let ascii_symbol = ascii
            .remove(*phase)
            .or_else(|| symbol.is_ascii().then(|| symbol.clone()))
            .or_else(|| fallback.map(|f| f.1.clone()))
            .unwrap_or_else(|| FALLBACK_SYMBOL.to_string());
        looks.insert(
            phase.to_string(),
            PhaseLook {
                style,
                symbol,
                ascii: ascii_symbol,
            },
        );
    }
    Theme {
        name: name.to_string(),
        min_colors: min_colors.unwrap_or(DEFAULT_MIN_COLORS),
        ascii: false,
        ui,
        phases: looks,
    }
}

/// Symbols of the built-in default theme, for phases a theme leaves out.
fn default_symbols() -> HashMap<String, (String, String)> {
    let Some((file, text)) = builtin(DEFAULT_THEME) else {
        return HashMap::new();
    };
    let mut src = Source::new(file, text);
    let Ok(doc) = src.parse() else {
        return HashMap::new();
    };
    let layer = parse_layer(&mut src, &doc);
    let ascii: HashMap<String, String> = layer.ascii.into_iter().collect();
    layer
        .phases
        .into_iter()
        .filter_map(|(p, _, sym)| {
            let sym = sym?;
            let a = ascii
                .get(&p)
                .cloned()
                .unwrap_or_else(|| FALLBACK_SYMBOL.to_string());
            Some((p, (sym, a)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> (Theme, Vec<String>) {
        let mut warnings = Vec::new();
        let mut src = Source::new("t.toml", text);
        let doc = src.parse().unwrap();
        let layer = parse_layer(&mut src, &doc);
        warnings.append(&mut src.warnings);
        let theme = merge("t", &[layer], &mut warnings);
        (theme, warnings.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn cascade_and_fallback() {
        let (t, w) = load_text(
            "[palette]\nacc = \"blue\"\n[ui]\nbase = { fg = \"reset\" }\n\
             table = { fg = \"acc\" }\n\"table.header\" = { bold = true }\n",
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(t.style("base"), Style::default().fg(Color::Reset));
        assert_eq!(
            t.style("table.header"),
            Style::default()
                .fg(Color::Blue)
                .add_modifier(Modifier::BOLD)
        );
        assert_eq!(
            t.style("ui.table.selected"),
            Style::default().fg(Color::Blue)
        );
        assert_eq!(t.style("header"), Style::default().fg(Color::Reset));
    }

    #[test]
    fn nested_ui_tables_flatten() {
        let (t, w) = load_text("[ui.table]\nheader = { underlined = true }\n");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            t.style("table.header"),
            Style::default().add_modifier(Modifier::UNDERLINED)
        );
    }

    #[test]
    fn phases_and_ascii() {
        let (mut t, w) = load_text(
            "[phase]\nReady = { fg = \"green\", symbol = \"●\" }\n\
             [symbols.ascii]\nReady = \"*\"\n",
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(t.phase("Ready"), (Style::default().fg(Color::Green), "●"));
        t.set_ascii(true);
        assert_eq!(t.phase("Ready").1, "*");
        // Not in the file: default symbols, no style.
        assert_eq!(t.phase("Failed"), (Style::default(), "x"));
        t.set_ascii(false);
        assert_eq!(t.phase("Failed").1, "✖");
        assert_eq!(t.phase("NoSuchPhase"), t.phase("Unknown"));
    }

    #[test]
    fn few_colour_themes_use_only_the_colours_they_claim() {
        for (name, _, _) in BUILTIN_THEMES {
            let theme = Theme::builtin(name).unwrap();
            for (key, style) in theme.all_styles() {
                for c in [style.fg, style.bg].into_iter().flatten() {
                    assert!(
                        colour_count(c) <= theme.min_colors(),
                        "{name}: {key} uses {c:?}, beyond its {} colours",
                        theme.min_colors()
                    );
                }
            }
        }
        let term16 = Theme::builtin(TERM16_THEME).unwrap();
        assert!(
            term16.colors_needed() <= 16,
            "term16 uses only the 16 ANSI colours"
        );
        let mono = Theme::builtin(MONO_THEME).unwrap();
        for (key, style) in mono.all_styles() {
            assert!(
                [style.fg, style.bg]
                    .into_iter()
                    .flatten()
                    .all(|c| c == Color::Reset),
                "mono: {key} has a colour"
            );
        }
        assert_eq!(mono.colors_needed(), 2);
    }

    #[test]
    fn colours_needed_follow_the_styles() {
        let (t, _) = load_text("[ui]\nbase = { fg = \"red\" }\n");
        assert_eq!(t.colors_needed(), 256, "min_colors defaults to 256");
        let (t, _) = load_text("min_colors = 8\n[ui]\nbase = { fg = \"red\" }\n");
        assert_eq!(t.colors_needed(), 8);
        let (t, _) = load_text("min_colors = 8\n[ui]\nbase = { fg = \"light-red\" }\n");
        assert_eq!(t.colors_needed(), 16);
        let (t, _) = load_text("min_colors = 8\n[ui]\nbase = { bg = 75 }\n");
        assert_eq!(t.colors_needed(), 256);
        let (t, _) = load_text("min_colors = 2\n[ui]\nbase = { fg = \"#102030\" }\n");
        assert_eq!(t.colors_needed(), TRUECOLOR);
    }

    #[test]
    fn warnings_point_at_values() {
        let (_, w) = load_text(
            "min_colors = \"lots\"\ncolour = 1\n[ui]\n\"tabel.header\" = { bold = true }\n\
             [phase]\nRedy = { symbol = \"*\" }\nReady = { symbol = \"**\" }\n",
        );
        assert_eq!(
            w,
            [
                "t.toml:1:14: min_colors \"lots\" should be a colour count such as 16, 256 or 16777216",
                "t.toml:2:1: unknown setting \"colour\"",
                "t.toml:4:1: unknown ui key \"tabel.header\" (did you mean \"table.header\"?)",
                "t.toml:6:1: unknown phase \"Redy\" (did you mean \"Ready\"?)",
                "t.toml:7:9: symbol \"**\" for phase Ready should be one column wide",
            ]
        );
    }
}
