//! No-panic sweeps: every screen and overlay at every size from 1×1 to 40×15 (plus large
//! sizes), and random key sequences at random sizes with invariants checked after every key.

use crate::common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;

use common::{app, press, render, type_text};
use fluidops::app::actions::{KeyMode, ViewKind};
use fluidops::app::strings;
use fluidops::app::update::show_notices;
use fluidops::app::{App, Command, Msg, Overlay, Screen};

fn open(app: &mut App, line: &str) {
    press(app, ":");
    type_text(app, line);
    press(app, "<Enter>");
}

type Scene = (&'static str, fn(&mut App));

fn scenes() -> Vec<Scene> {
    vec![
        ("runtimes", |_| {}),
        ("pods", |a| open(a, "pods")),
        ("ops", |a| open(a, "ops")),
        ("datasets", |a| open(a, "datasets")),
        ("classes", |a| open(a, "classes")),
        ("maintenance", |a| open(a, "maintenance")),
        ("empty list", |a| {
            open(a, "pods");
            press(a, "/");
            type_text(a, "no-such-pod");
            press(a, "<Enter>");
        }),
        ("detail", |a| {
            press(a, "G <Enter>");
        }),
        ("timeline runtime", |a| {
            press(a, "G t");
        }),
        ("timeline op", |a| {
            open(a, "ops");
            press(a, "G t");
        }),
        ("yaml", |a| {
            press(a, "y");
        }),
        ("logs", |a| {
            open(a, "pods");
            press(a, "/");
            type_text(a, "imagenet-train-worker-0");
            press(a, "<Enter> l");
        }),
        ("logs wrapped", |a| {
            open(a, "pods");
            press(a, "/");
            type_text(a, "imagenet-train-worker-0");
            press(a, "<Enter> l w f");
        }),
        ("filter", |a| {
            press(a, "/");
            type_text(a, "qw");
        }),
        ("palette", |a| {
            press(a, ":");
        }),
        ("palette ns", |a| {
            press(a, ":");
            type_text(a, "pods i");
        }),
        ("help", |a| {
            press(a, "?");
        }),
        ("notices", |a| {
            show_notices(
                a,
                vec!["a rather long notice line that has to be cut or wrapped somewhere".into(); 5],
            )
        }),
        ("readonly flash", |a| {
            a.readonly = true;
            press(a, "U");
        }),
    ]
}

#[test]
fn every_scene_at_every_small_size() {
    for (name, setup) in scenes() {
        let mut app = app();
        setup(&mut app);
        for w in 1..=40 {
            for h in 1..=15 {
                for theme in ["default", "mono"] {
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        render(&mut app, w, h, theme);
                    }));
                    assert!(r.is_ok(), "scene {name:?} panicked at {w}x{h} ({theme})");
                }
            }
        }
        for (w, h) in [
            (80, 24),
            (120, 40),
            (200, 60),
            (300, 100),
            (1000, 3),
            (3, 200),
        ] {
            render(&mut app, w, h, "default");
        }
    }
}

/// Every key bound anywhere in the built-in keymap, plus editing and navigation keys.
fn key_pool() -> Vec<KeyEvent> {
    let keymap = common::keymap();
    let mut out: Vec<KeyEvent> = Vec::new();
    for mode in KeyMode::ALL {
        for (key, _) in keymap.bindings(mode) {
            let ev = KeyEvent::from(key);
            if !out.contains(&ev) {
                out.push(ev);
            }
        }
    }
    for code in [
        KeyCode::Esc,
        KeyCode::Enter,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Backspace,
    ] {
        out.push(KeyEvent::new(code, KeyModifiers::NONE));
    }
    out
}

#[derive(Debug, Clone)]
enum K {
    Pool(usize),
    Char(char),
    Resize(u16, u16),
}

fn keys() -> impl Strategy<Value = Vec<K>> {
    let k = prop_oneof![
        6 => any::<usize>().prop_map(K::Pool),
        2 => prop::char::range(' ', '~').prop_map(K::Char),
        1 => (1u16..200, 1u16..60).prop_map(|(w, h)| K::Resize(w, h)),
    ];
    prop::collection::vec(k, 1..40)
}

/// Commands that only read (or record a read-only refusal in the audit log): anything else
/// would be a write.
fn harmless(c: &Command) -> bool {
    matches!(
        c,
        Command::Quit
            | Command::Audit(_)
            | Command::ClearScreen
            | Command::Relist
            | Command::FollowLogs(_)
            | Command::Suspend
            | Command::Copy(_)
            | Command::SaveLog { .. }
            | Command::SaveHistory { .. }
    )
}

fn check_selection(app: &App) -> Result<(), TestCaseError> {
    if let Screen::List(v) = &app.screen
        && *v != ViewKind::Timeline
    {
        let rows = app.table(*v).rows.len();
        let sel = app.list(*v).selected;
        prop_assert!(
            sel < rows.max(1),
            "selection {sel} out of {rows} rows in {v:?}"
        );
        if rows > 0 {
            let key = app.list(*v).selected_key;
            prop_assert!(
                key.is_none()
                    || app
                        .table(*v)
                        .rows
                        .iter()
                        .any(|r| Some(&r.key()) == key.as_ref()),
                "selected key {key:?} not among the rows of {v:?}"
            );
        }
    }
    if let Some(Overlay::Notices { lines, scroll }) = app.overlays.top() {
        prop_assert!(*scroll <= lines.len());
    }
    Ok(())
}

fn run(seq: Vec<K>, w: u16, h: u16, readonly: bool) -> Result<(), TestCaseError> {
    let keymap = common::keymap();
    let pool = key_pool();
    let mut app = app();
    app.readonly = readonly;
    let (mut w, mut h) = (w, h);
    for k in seq {
        let ev = match k {
            K::Pool(i) => pool[i % pool.len()],
            K::Char(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            K::Resize(nw, nh) => {
                (w, h) = (nw, nh);
                app.update(Msg::Resize, keymap);
                render(&mut app, w, h, "default");
                continue;
            }
        };
        let action = keymap.resolve(&app.key_modes(), &ev);
        app.flash = None;
        let cmds = app.update(Msg::Key(ev), keymap);
        if readonly {
            prop_assert!(
                cmds.iter().all(harmless),
                "read-only issued {cmds:?} for {ev:?}"
            );
            if let Some(a) = action.filter(|a| a.writes()) {
                let flash = app.flash.as_ref().map(|f| f.text.as_str());
                prop_assert_eq!(
                    flash,
                    Some(strings::READONLY_REFUSED),
                    "write action {} was not refused",
                    a
                );
            }
        }
        check_selection(&app)?;
        render(&mut app, w, h, if readonly { "mono" } else { "default" });
        check_selection(&app)?;
        if app.quit {
            break;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_keys_never_panic(seq in keys(), w in 1u16..200, h in 1u16..60) {
        run(seq, w, h, false)?;
    }

    #[test]
    fn readonly_never_writes(seq in keys(), w in 1u16..200, h in 1u16..60) {
        run(seq, w, h, true)?;
    }
}

#[test]
fn readonly_refuses_every_write_key_in_every_view() {
    let keymap = common::keymap();
    let writes: Vec<KeyEvent> = KeyMode::ALL
        .into_iter()
        .flat_map(|m| keymap.bindings(m).collect::<Vec<_>>())
        .filter(|(_, a)| a.writes())
        .map(|(k, _)| KeyEvent::from(k))
        .collect();
    assert!(!writes.is_empty());
    for view in ["runtimes", "pods", "ops", "datasets", "maintenance"] {
        for ev in &writes {
            let mut app = app();
            app.readonly = true;
            open(&mut app, view);
            let action = keymap.resolve(&app.key_modes(), ev);
            app.flash = None;
            let cmds = app.update(Msg::Key(*ev), keymap);
            assert!(cmds.iter().all(harmless), "{view}: {cmds:?}");
            if action.is_some_and(|a| a.writes()) {
                assert_eq!(
                    app.flash.as_ref().map(|f| f.text.as_str()),
                    Some(strings::READONLY_REFUSED),
                    "{view}: {ev:?}"
                );
            }
        }
    }
}

/// ASCII mode (`--ascii`, a locale without UTF-8): every cell of every screen, overlay, form
/// and dialog is plain ASCII — borders, arrows, ellipses, separators and symbols included.
#[test]
fn ascii_mode_draws_only_ascii() {
    let mut extra: Vec<Scene> = vec![
        ("detail runtime", |a| press(a, "G <Enter>").truncate(0)),
        ("detail pods pane", |a| {
            press(a, "G <Enter> <Tab>").truncate(0)
        }),
        ("detail op", |a| {
            open(a, "ops");
            press(a, "G <Enter>");
        }),
        ("detail pod", |a| {
            open(a, "pods");
            press(a, "<Enter>");
        }),
        ("detail dataset", |a| {
            open(a, "datasets");
            press(a, "<Enter>");
        }),
        ("detail maintenance", |a| {
            open(a, "maintenance");
            press(a, "<Enter>");
        }),
        ("load form", |a| press(a, "L").truncate(0)),
        ("upgrade form", |a| press(a, "G U").truncate(0)),
        ("rebuild form", |a| press(a, "G R").truncate(0)),
        ("editor", |a| press(a, "e").truncate(0)),
        ("delete dialog", |a| {
            open(a, "ops");
            press(a, "<Delete>");
        }),
    ];
    extra.extend(scenes());
    for (name, base) in [
        ("default", "default"),
        ("mono", "mono"),
        ("term16", "term16"),
    ] {
        let mut theme = fluidops::config::Theme::builtin(base).expect("built-in theme");
        theme.set_ascii(true);
        for (scene, setup) in &extra {
            let mut app = app();
            setup(&mut app);
            for (w, h) in [(80, 24), (160, 48), (30, 10)] {
                common::render_with(&mut app, w, h, &theme, Some("step 1 — a caption"));
                let terminal = common::render_with(&mut app, w, h, &theme, None);
                let buf = terminal.backend().buffer();
                let bad: Vec<String> = buf
                    .content()
                    .iter()
                    .map(|c| c.symbol())
                    .filter(|s| !s.is_ascii())
                    .map(str::to_string)
                    .collect();
                assert!(
                    bad.is_empty(),
                    "{name}: {scene} at {w}x{h} draws non-ASCII {bad:?}:\n{}",
                    common::screen_text(&terminal)
                );
            }
        }
    }
}
