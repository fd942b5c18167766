//! Config loading end to end: shipped keymaps and themes load cleanly, user files overlay them,
//! and every bad fixture is reported as `file:line:col: message` while defaults stay active.

use std::fs;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};

use fluidops::app::actions::{ACTIONS, Action, KeyMode};
use fluidops::config::keymap::{BUILTIN_PRESETS, DEFAULT_KEYMAP};
use fluidops::config::theme::{BUILTIN_THEMES, PHASES, UI_KEYS};
use fluidops::config::{
    ContextRule, Env, Key, Keymap, Paths, Settings, Theme, ThemeLoader, ThemeReason, ThemeRequest,
    Warning, ascii_wanted, choose_theme, no_color,
};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn fixture(rel: &str) -> PathBuf {
    repo("tests/fixtures").join(rel)
}

fn shipped(dir: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(repo(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
            (stem, fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn texts(warnings: &[Warning]) -> Vec<String> {
    warnings.iter().map(ToString::to_string).collect()
}

fn key(s: &str) -> Key {
    Key::parse(s).unwrap()
}

const LIST: &[KeyMode] = &[KeyMode::List, KeyMode::Global];

/// A temporary config dir whose `keymap.toml` is the given fixture.
fn with_user_keymap(fixture_name: &str) -> (tempfile::TempDir, Paths, String) {
    let tmp = tempfile::tempdir().unwrap();
    let paths = Paths::under(tmp.path());
    fs::create_dir_all(&paths.config_dir).unwrap();
    fs::copy(fixture(fixture_name), paths.keymap_file()).unwrap();
    let shown = paths.keymap_file().display().to_string();
    (tmp, paths, shown)
}

// --- shipped files ---

#[test]
fn every_shipped_keymap_is_compiled_in_and_loads_without_warnings() {
    let files = shipped("keymaps");
    assert!(files.iter().any(|(n, _)| n == "default"));
    assert!(files.iter().any(|(n, _)| n == "k9s"));
    for (name, text) in &files {
        let builtin = BUILTIN_PRESETS.iter().find(|p| p.0 == name.as_str());
        assert_eq!(
            builtin.map(|p| p.2),
            Some(text.as_str()),
            "{name} is not compiled in"
        );
        let mut keymap = Keymap::builtin();
        let warnings = keymap.apply(&format!("keymaps/{name}.toml"), text);
        assert!(warnings.is_empty(), "{name}: {:?}", texts(&warnings));
    }
    assert!(Keymap::empty().apply("default", DEFAULT_KEYMAP).is_empty());
}

#[test]
fn every_shipped_theme_is_compiled_in_complete_and_loads_without_warnings() {
    let files = shipped("themes");
    for required in ["default", "light", "mono", "term16", "danger"] {
        assert!(
            files.iter().any(|(n, _)| n == required),
            "missing {required}"
        );
    }
    let loader = ThemeLoader::builtin_only();
    for (name, text) in &files {
        let builtin = BUILTIN_THEMES.iter().find(|t| t.0 == name.as_str());
        assert_eq!(
            builtin.map(|t| t.2),
            Some(text.as_str()),
            "{name} is not compiled in"
        );
        let (theme, warnings) = loader.load(name, false);
        assert!(warnings.is_empty(), "{name}: {:?}", texts(&warnings));
        assert_eq!(theme.name(), name);
        assert!(
            theme.missing_phases().is_empty(),
            "{name}: {:?}",
            theme.missing_phases()
        );
        for phase in PHASES {
            let symbol = theme.phase(phase).1.to_string();
            assert_eq!(unicode_width(&symbol), 1, "{name} {phase} {symbol:?}");
        }
    }
}

fn unicode_width(s: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    s.width()
}

#[test]
fn every_phase_has_an_ascii_symbol() {
    for (name, _, _) in BUILTIN_THEMES {
        let (theme, _) = ThemeLoader::builtin_only().load(name, true);
        assert!(theme.ascii());
        for phase in PHASES {
            let symbol = theme.phase(phase).1;
            assert!(
                symbol.is_ascii() && symbol.len() == 1,
                "{name} {phase} {symbol:?}"
            );
        }
    }
    let (theme, _) = ThemeLoader::builtin_only().load("default", true);
    assert_eq!(theme.phase("Failed").1, "x");
    assert_eq!(theme.phase("Ready").1, "*");
    assert_eq!(theme.phase("Complete").1, "+");
    assert_eq!(theme.phase("NoSuchPhase").1, "?");
    let (theme, _) = ThemeLoader::builtin_only().load("default", false);
    assert_eq!(theme.phase("Failed").1, "✖");
    assert_eq!(theme.phase("Ready").1, "●");
}

#[test]
fn mono_uses_no_colour_and_still_distinguishes() {
    let mono = Theme::builtin("mono").unwrap();
    for (key, style) in mono.all_styles() {
        for c in [style.fg, style.bg].into_iter().flatten() {
            assert_eq!(c, Color::Reset, "mono {key} has colour {c:?}");
        }
    }
    let selected = mono.style("table.selected");
    assert!(selected.add_modifier.contains(Modifier::REVERSED));
    assert!(
        mono.style("table.header")
            .add_modifier
            .contains(Modifier::UNDERLINED)
    );
    assert!(
        mono.phase_style("Failed")
            .add_modifier
            .contains(Modifier::BOLD)
    );
    assert_ne!(mono.phase_symbol("Failed"), mono.phase_symbol("Complete"));
}

#[test]
fn term16_uses_only_ansi_names_and_default_needs_no_truecolor() {
    let term16 = Theme::builtin("term16").unwrap();
    for (key, style) in term16.all_styles() {
        for c in [style.fg, style.bg].into_iter().flatten() {
            assert!(
                !matches!(c, Color::Indexed(_) | Color::Rgb(..)),
                "term16 {key} uses {c:?}"
            );
        }
    }
    for name in ["default", "light", "danger"] {
        let theme = Theme::builtin(name).unwrap();
        for (key, style) in theme.all_styles() {
            for c in [style.fg, style.bg].into_iter().flatten() {
                assert!(!matches!(c, Color::Rgb(..)), "{name} {key} uses {c:?}");
            }
        }
    }
}

#[test]
fn ui_keys_fall_back_to_parent_scopes() {
    let theme = Theme::default();
    assert_eq!(theme.name(), "default");
    // Not set in any shipped theme: falls back to "table", then "base".
    assert_eq!(theme.style("table.row"), theme.style("base"));
    assert_eq!(
        theme.style("ui.header.context").fg,
        Some(Color::Indexed(179))
    );
    assert!(
        theme
            .style("header.context")
            .add_modifier
            .contains(Modifier::BOLD)
    );
    // Unknown keys still get something sensible.
    assert_eq!(theme.style("nothing.like.this"), theme.style("base"));
    assert!(UI_KEYS.contains(&"table.selected"));
}

#[test]
fn danger_theme_has_a_red_header() {
    let danger = Theme::builtin("danger").unwrap();
    let header = danger.style("header");
    assert_eq!(header.fg, Some(Color::Red));
    assert!(header.add_modifier.contains(Modifier::REVERSED));
    assert_ne!(danger.style("header"), Theme::default().style("header"));
}

// --- keymap overlays ---

#[test]
fn user_overlay_overrides_one_key_and_noop_unbinds_one() {
    let tmp = tempfile::tempdir().unwrap();
    let paths = Paths::under(tmp.path());
    fs::create_dir_all(&paths.config_dir).unwrap();
    fs::write(
        paths.keymap_file(),
        "[list]\n\"j\" = \"list.bottom\"\n\"<C-d>\" = \"noop\"\n\n[global]\n\"q\" = \"noop\"\n",
    )
    .unwrap();
    let (km, warnings) = Keymap::load(&paths, None);
    assert!(warnings.is_empty(), "{:?}", texts(&warnings));
    assert_eq!(km.resolve_key(LIST, key("j")), Some(Action::ListBottom));
    assert_eq!(km.resolve_key(LIST, key("<C-d>")), None);
    assert_eq!(km.resolve_key(LIST, key("q")), None);
    // Everything else is still the default.
    assert_eq!(km.resolve_key(LIST, key("k")), Some(Action::ListUp));
    assert_eq!(km.resolve_key(LIST, key("<C-c>")), Some(Action::AppQuit));
    assert_eq!(
        km.keys_for(Action::ListBottom, KeyMode::List),
        ["j", "G", "<End>"]
    );
    assert!(km.keys_for(Action::ListHalfDown, KeyMode::List).is_empty());
}

#[test]
fn k9s_preset_then_user_file() {
    let tmp = tempfile::tempdir().unwrap();
    let paths = Paths::under(tmp.path());
    let (km, warnings) = Keymap::load(&paths, Some("k9s"));
    assert!(warnings.is_empty(), "{:?}", texts(&warnings));
    assert_eq!(
        km.resolve_key(LIST, key("<C-d>")),
        Some(Action::ObjectDelete)
    );
    assert!(Action::ObjectDelete.writes());
    assert_eq!(km.resolve_key(LIST, key("<C-u>")), None);
    assert_eq!(km.resolve_key(LIST, key("N")), Some(Action::SortName));
    assert_eq!(
        km.resolve_key(&[KeyMode::Logs, KeyMode::Global], key("s")),
        Some(Action::LogsFollowToggle)
    );

    // The user's keymap.toml is applied after the preset.
    fs::create_dir_all(&paths.config_dir).unwrap();
    fs::write(
        paths.keymap_file(),
        "[list]\n\"<C-d>\" = \"list.half_down\"\n",
    )
    .unwrap();
    let (km, warnings) = Keymap::load(&paths, Some("k9s"));
    assert!(warnings.is_empty());
    assert_eq!(
        km.resolve_key(LIST, key("<C-d>")),
        Some(Action::ListHalfDown)
    );

    // A user preset file shadows a built-in one.
    fs::create_dir_all(paths.keymaps_dir()).unwrap();
    fs::write(
        paths.keymaps_dir().join("mine.toml"),
        "[list]\n\"x\" = \"sort.reverse\"\n",
    )
    .unwrap();
    let (km, warnings) = Keymap::load(&paths, Some("mine"));
    assert!(warnings.is_empty());
    assert_eq!(km.resolve_key(LIST, key("x")), Some(Action::SortReverse));
}

#[test]
fn resolve_takes_terminal_events() {
    let km = Keymap::builtin();
    let ev = |code, mods| KeyEvent::new(code, mods);
    assert_eq!(
        km.resolve(LIST, &ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
        Some(Action::ListBottom)
    );
    assert_eq!(
        km.resolve(LIST, &ev(KeyCode::Char('G'), KeyModifiers::NONE)),
        Some(Action::ListBottom)
    );
    assert_eq!(
        km.resolve(LIST, &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Some(Action::AppQuit)
    );
    assert_eq!(
        km.resolve(LIST, &ev(KeyCode::Char('2'), KeyModifiers::NONE)),
        Some(Action::NsFavourite(2))
    );
    assert_eq!(
        km.resolve(
            &[KeyMode::Confirm],
            &ev(KeyCode::Char('['), KeyModifiers::CONTROL)
        ),
        Some(Action::ConfirmNo)
    );
    // Typing in the filter never quits.
    let filter = [KeyMode::Filter, KeyMode::List, KeyMode::Global];
    assert_eq!(
        km.resolve(&filter, &ev(KeyCode::Char('q'), KeyModifiers::NONE)),
        None
    );
    assert_eq!(
        km.resolve(&filter, &ev(KeyCode::Char('j'), KeyModifiers::NONE)),
        None
    );
    assert_eq!(
        km.resolve(&filter, &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Some(Action::AppQuit)
    );
}

#[test]
fn help_rows_hide_writes_in_readonly() {
    let km = Keymap::builtin();
    let all = km.help_rows(false);
    let readonly = km.help_rows(true);
    assert!(
        all.iter()
            .any(|r| r.writes && r.action == "object.delete" && r.keys == "<Delete>")
    );
    assert!(readonly.iter().all(|r| !r.writes));
    assert!(readonly.iter().any(|r| r.action == "list.down"));
    let writes: Vec<&str> = ACTIONS.iter().filter(|a| a.writes).map(|a| a.id).collect();
    assert!(
        readonly
            .iter()
            .all(|r| !writes.contains(&r.action.as_str()))
    );
    assert!(
        all.iter()
            .any(|r| r.mode == KeyMode::Global && r.action == "ns.all" && r.keys == "0")
    );
    assert!(
        all.iter()
            .any(|r| r.mode == KeyMode::Global && r.action == "ns.favourite 3")
    );
}

// --- bad keymaps ---

#[test]
fn bad_keymap_unknown_action() {
    let (_tmp, paths, file) = with_user_keymap("bad_keymaps/unknown_action.toml");
    let (km, warnings) = Keymap::load(&paths, None);
    assert_eq!(
        texts(&warnings),
        [format!(
            "{file}:4:1: unknown action \"list.dwn\" (did you mean \"list.down\"?)"
        )]
    );
    assert_eq!(km.resolve_key(LIST, key("j")), Some(Action::ListDown));
    assert_eq!(km.resolve_key(LIST, key("J")), Some(Action::ListBottom));
}

#[test]
fn bad_keymap_unknown_key_name() {
    let (_tmp, paths, file) = with_user_keymap("bad_keymaps/bad_key.toml");
    let (km, warnings) = Keymap::load(&paths, None);
    assert_eq!(
        texts(&warnings),
        [format!(
            "{file}:3:1: unknown key \"<Entr>\" (did you mean \"<Enter>\"?)"
        )]
    );
    assert_eq!(km.resolve_key(LIST, key("<Enter>")), Some(Action::NavEnter));
    assert_eq!(km.resolve_key(LIST, key("x")), Some(Action::ScreenRedraw));
}

#[test]
fn bad_keymap_action_in_wrong_mode() {
    let (_tmp, paths, file) = with_user_keymap("bad_keymaps/wrong_mode.toml");
    let (km, warnings) = Keymap::load(&paths, None);
    assert_eq!(
        texts(&warnings),
        [format!(
            "{file}:3:1: action \"view.logs\" cannot be bound in mode \"confirm\""
        )]
    );
    assert_eq!(km.resolve_key(&[KeyMode::Confirm], key("l")), None);
    assert_eq!(
        km.resolve_key(&[KeyMode::Confirm], key("<C-y>")),
        Some(Action::ConfirmYes)
    );
    assert_eq!(
        km.resolve_key(&[KeyMode::Confirm], key("y")),
        Some(Action::ConfirmYes)
    );
}

#[test]
fn bad_keymap_unknown_mode() {
    let (_tmp, paths, file) = with_user_keymap("bad_keymaps/unknown_mode.toml");
    let (km, warnings) = Keymap::load(&paths, None);
    assert_eq!(
        texts(&warnings),
        [format!(
            "{file}:2:2: unknown mode \"lsit\" (did you mean \"list\"?)"
        )]
    );
    assert_eq!(km.resolve_key(LIST, key("j")), Some(Action::ListDown));
    assert_eq!(km.resolve_key(LIST, key("<C-n>")), Some(Action::ListDown));
}

#[test]
fn bad_keymap_syntax_error_drops_the_whole_file() {
    let (_tmp, paths, file) = with_user_keymap("bad_keymaps/syntax_error.toml");
    let (km, warnings) = Keymap::load(&paths, None);
    assert_eq!(
        texts(&warnings),
        [format!(
            "{file}:4:17: TOML syntax error: invalid basic string, expected `\"`; \
             the whole file is ignored"
        )]
    );
    assert_eq!(km, Keymap::builtin());
    assert_eq!(km.resolve_key(LIST, key("k")), Some(Action::ListUp));
}

// --- bad themes ---

fn fixture_themes() -> ThemeLoader {
    ThemeLoader::new(Some(fixture("bad_themes")))
}

fn theme_file(name: &str) -> String {
    fixture("bad_themes")
        .join(format!("{name}.toml"))
        .display()
        .to_string()
}

#[test]
fn bad_theme_unknown_colour() {
    let (theme, warnings) = fixture_themes().load("unknown_colour", false);
    let file = theme_file("unknown_colour");
    assert_eq!(
        texts(&warnings),
        [format!(
            "{file}:5:19: unknown colour \"blu\" (did you mean \"blue\"?)"
        )]
    );
    let default = Theme::default();
    assert_eq!(theme.style("header"), default.style("header"));
    assert_eq!(theme.style("border").fg, Some(Color::Magenta));
}

#[test]
fn bad_theme_bad_modifier() {
    let (theme, warnings) = fixture_themes().load("bad_modifier", false);
    let file = theme_file("bad_modifier");
    assert_eq!(
        texts(&warnings),
        [format!(
            "{file}:5:35: unknown modifier \"bolt\" (did you mean \"bold\"?)"
        )]
    );
    assert_eq!(theme.style("table.header").fg, Some(Color::Yellow));
    assert_eq!(theme.style("header"), Theme::default().style("header"));
}

#[test]
fn bad_theme_syntax_error_falls_back_to_default() {
    let (theme, warnings) = fixture_themes().load("syntax_error", false);
    let file = theme_file("syntax_error");
    assert_eq!(
        texts(&warnings),
        [format!(
            "{file}:5:37: TOML syntax error: unclosed inline table, expected `}}`; \
             the whole file is ignored"
        )]
    );
    assert_eq!(theme, Theme::default());
}

#[test]
fn bad_theme_inherits_cycle() {
    let (theme, warnings) = fixture_themes().load("cycle_a", false);
    let file = theme_file("cycle_b");
    assert_eq!(
        texts(&warnings),
        [format!(
            "{file}:2:12: theme inheritance cycle: cycle_a -> cycle_b -> cycle_a; inheritance stops there"
        )]
    );
    assert_eq!(theme.style("header").fg, Some(Color::Green));
    assert_eq!(theme.style("border").fg, Some(Color::Blue));
    assert_eq!(theme.phase("Failed").1, "✖");
}

#[test]
fn user_theme_shadows_and_extends_a_builtin() {
    let tmp = tempfile::tempdir().unwrap();
    let paths = Paths::under(tmp.path());
    fs::create_dir_all(paths.themes_dir()).unwrap();
    fs::write(
        paths.themes_dir().join("default.toml"),
        "inherits = \"default\"\n[palette]\naccent = \"magenta\"\n",
    )
    .unwrap();
    let loader = ThemeLoader::new(Some(paths.themes_dir()));
    let (theme, warnings) = loader.load("default", false);
    assert!(warnings.is_empty(), "{:?}", texts(&warnings));
    // The palette change recolours the built-in's styles.
    assert_eq!(theme.style("header").fg, Some(Color::Magenta));
    assert_eq!(theme.style("diff.add"), Theme::default().style("diff.add"));
}

// --- theme selection ---

#[test]
fn no_color_selects_mono() {
    let env = Env::from_pairs(&[("NO_COLOR", "1")]);
    let choice = choose_theme(
        &ThemeRequest {
            no_color: no_color(&env),
            config: Some("light"),
            colors: 256,
            ..ThemeRequest::default()
        },
        &ThemeLoader::builtin_only(),
    );
    assert_eq!(choice.theme.name(), "mono");
    assert_eq!(choice.reason, ThemeReason::NoColor);
    assert!(!no_color(&Env::from_pairs(&[("NO_COLOR", "")])));
}

#[test]
fn context_pattern_selects_danger() {
    let (settings, warnings) = Settings::parse(
        "config.toml",
        "[contexts]\n\"prod*\" = \"danger\"\n\"*\" = \"light\"\n",
    );
    assert!(warnings.is_empty());
    let request = |context| ThemeRequest {
        context: Some(context),
        context_rules: &settings.contexts,
        colors: 256,
        ..ThemeRequest::default()
    };
    let loader = ThemeLoader::builtin_only();
    let prod = choose_theme(&request("prod-eu-1"), &loader);
    assert_eq!(prod.theme.name(), "danger");
    assert_eq!(
        prod.reason,
        ThemeReason::Context {
            pattern: "prod*".into()
        }
    );
    assert_eq!(
        choose_theme(&request("kind-dev"), &loader).theme.name(),
        "light"
    );
    assert_eq!(
        settings.contexts[0],
        ContextRule {
            pattern: "prod*".into(),
            theme: "danger".into()
        }
    );
}

#[test]
fn min_colors_fallback_to_term16_then_mono() {
    let loader = ThemeLoader::builtin_only();
    let pick = |colors| {
        choose_theme(
            &ThemeRequest {
                colors,
                ..ThemeRequest::default()
            },
            &loader,
        )
    };
    let enough = pick(256);
    assert_eq!(enough.theme.name(), "default");
    assert_eq!(enough.notice, None);

    let eight = pick(8);
    assert_eq!(eight.theme.name(), "term16");
    assert_eq!(
        eight.notice.as_deref(),
        Some("theme \"default\" needs 256 colours but the terminal offers 8; using \"term16\"")
    );

    let two = pick(2);
    assert_eq!(two.theme.name(), "mono");
    assert_eq!(
        two.notice.as_deref(),
        Some("theme \"default\" needs 256 colours but the terminal offers 2; using \"mono\"")
    );
}

#[test]
fn ascii_detection_from_environment() {
    assert!(ascii_wanted(&Env::from_pairs(&[("LANG", "C")])));
    assert!(ascii_wanted(&Env::from_pairs(&[("TERM", "linux")])));
    assert!(!ascii_wanted(&Env::from_pairs(&[
        ("LANG", "en_GB.UTF-8"),
        ("TERM", "xterm")
    ])));
    let choice = choose_theme(
        &ThemeRequest {
            colors: 256,
            ascii: ascii_wanted(&Env::from_pairs(&[("TERM", "vt100")])),
            ..ThemeRequest::default()
        },
        &ThemeLoader::builtin_only(),
    );
    assert_eq!(choice.theme.phase("Executing").1, ">");
    assert_eq!(
        choice.theme.phase_style("Failed"),
        Theme::default().phase_style("Failed")
    );
}
