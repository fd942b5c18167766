//! Text snapshots of every view and overlay at 80×24 and 160×48, in the `default` and `mono`
//! themes, plus style checks that prove colour is never the only signal.

use crate::common;

use common::{app, now, press, render, row_text, screen_text, type_text};
use fluidops::app::update::show_notices;
use fluidops::app::{App, Msg, Screen};
use ratatui::style::Modifier;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
const THEMES: [&str; 2] = ["default", "mono"];

/// Snapshots one scene at both sizes in both themes. The scene is rebuilt for every variant and
/// drawn twice, so the second frame uses the geometry the first one reported (as the binary does).
fn snap(name: &str, setup: fn(&mut App)) {
    for (w, h) in SIZES {
        for theme in THEMES {
            let mut app = app();
            setup(&mut app);
            render(&mut app, w, h, theme);
            let terminal = render(&mut app, w, h, theme);
            insta::assert_snapshot!(format!("{name}_{w}x{h}_{theme}"), terminal.backend());
        }
    }
}

fn open(app: &mut App, palette_line: &str) {
    press(app, ":");
    type_text(app, palette_line);
    press(app, "<Enter>");
}

fn filter(app: &mut App, text: &str) {
    press(app, "/");
    type_text(app, text);
    press(app, "<Enter>");
}

#[test]
fn runtimes() {
    snap("runtimes", |_| {});
}

#[test]
fn runtimes_selected_degraded() {
    snap("runtimes_selected", |app| {
        press(app, "G");
    });
}

#[test]
fn pods_grouped() {
    snap("pods", |app| open(app, "pods"));
}

#[test]
fn ops() {
    snap("ops", |app| open(app, "ops"));
}

#[test]
fn datasets() {
    snap("datasets", |app| open(app, "datasets"));
}

#[test]
fn classes() {
    snap("classes", |app| open(app, "classes"));
}

#[test]
fn maintenance() {
    snap("maintenance", |app| open(app, "maintenance"));
}

#[test]
fn namespace_filtered() {
    snap("pods_ns_llm_serving", |app| {
        open(app, "pods");
        press(app, "2");
        app.flash = None;
    });
}

#[test]
fn filtered_list() {
    snap("pods_filtered", |app| {
        open(app, "pods");
        filter(app, "worker");
    });
}

#[test]
fn timeline_runtime() {
    snap("timeline_runtime", |app| {
        filter(app, "qwen");
        press(app, "t");
    });
}

#[test]
fn timeline_operation() {
    snap("timeline_operation", |app| {
        open(app, "ops");
        filter(app, "qwen-warm-7b$");
        press(app, "t");
    });
}

#[test]
fn yaml_page() {
    snap("yaml", |app| {
        filter(app, "qwen");
        press(app, "y");
    });
}

#[test]
fn logs_page() {
    snap("logs", |app| {
        open(app, "pods");
        filter(app, "imagenet-train-worker-0");
        press(app, "l");
    });
}

#[test]
fn filter_mid_typing() {
    snap("filter_typing", |app| {
        open(app, "pods");
        press(app, "/");
        type_text(app, "qwen-w");
    });
}

#[test]
fn palette_commands() {
    snap("palette_commands", |app| {
        press(app, ":");
    });
}

#[test]
fn palette_namespaces() {
    snap("palette_namespaces", |app| {
        press(app, ":");
        type_text(app, "pods ");
        press(app, "<Down>");
    });
}

#[test]
fn palette_error() {
    snap("palette_error", |app| open(app, "bogus"));
}

#[test]
fn help_overlay() {
    snap("help", |app| {
        press(app, "?");
    });
}

#[test]
fn notices_overlay() {
    snap("notices", |app| {
        show_notices(
            app,
            vec![
                "~/.config/fluidops/keymap.toml:3:1: unknown action \"list.dwn\" (did you mean \"list.down\"?)".into(),
                "~/.config/fluidops/themes/night.toml:12:9: bad colour \"#12345\"; using the default".into(),
                "seed.yaml (document 2): has no kind".into(),
            ],
        );
    });
}

#[test]
fn readonly_refusal() {
    snap("readonly_refused", |app| {
        app.readonly = true;
        press(app, "U");
    });
}

#[test]
fn tiny_and_too_small() {
    for theme in THEMES {
        let mut app = app();
        let terminal = render(&mut app, 20, 6, theme);
        insta::assert_snapshot!(format!("tiny_20x6_{theme}"), terminal.backend());
        let terminal = render(&mut app, 19, 5, theme);
        insta::assert_snapshot!(format!("too_small_19x5_{theme}"), terminal.backend());
    }
}

#[test]
fn demo_caption() {
    let theme = common::theme("default");
    let mut app = app();
    let terminal = common::render_with(
        &mut app,
        80,
        24,
        theme,
        Some("step 3: worker-2 lost its node"),
    );
    insta::assert_snapshot!("caption_80x24_default", terminal.backend());
}

// ---- style maps: colour is never the only signal ----

/// Finds the first cell on `y` whose symbol starts `text` on that row.
fn find(
    terminal: &ratatui::Terminal<ratatui::backend::TestBackend>,
    text: &str,
) -> Option<(u16, u16)> {
    let h = terminal.backend().buffer().area.height;
    (0..h).find_map(|y| {
        let row = row_text(terminal, y);
        let col = row.find(text)?;
        // Byte offset to column: every glyph used here is one column wide.
        let x = row[..col].chars().count() as u16;
        Some((x, y))
    })
}

#[test]
fn selection_and_failed_phase_are_marked_without_colour() {
    for theme_name in THEMES {
        let theme = common::theme(theme_name);
        let mut app = app();
        open(&mut app, "ops");
        render(&mut app, 80, 24, theme_name);
        let terminal = render(&mut app, 80, 24, theme_name);
        let buf = terminal.backend().buffer();

        // The selected row (first body row) has the selection style on every cell.
        let sel = theme.style("table.selected");
        let body_top = app.layout.body_top;
        for x in app.layout.body_left..app.layout.body_left + app.layout.body_width {
            let cell = &buf[(x, body_top)];
            if theme_name == "mono" {
                assert!(
                    cell.modifier.contains(Modifier::REVERSED),
                    "{theme_name}: selected cell ({x},{body_top}) not reversed"
                );
            } else {
                assert_eq!(cell.bg, sel.bg.unwrap(), "{theme_name}: selected bg at {x}");
            }
        }

        // A Failed operation shows its symbol, in the Failed style, before the word.
        let (failed_style, symbol) = theme.phase("Failed");
        let needle = format!("{symbol} Failed");
        let (x, y) = find(&terminal, &needle).unwrap_or_else(|| {
            panic!("{theme_name}: no {needle:?} in\n{}", screen_text(&terminal))
        });
        assert_ne!(y, body_top, "the failed row should not be the selected one");
        let cell = &buf[(x, y)];
        assert_eq!(cell.symbol(), symbol);
        if let Some(fg) = failed_style.fg {
            assert_eq!(cell.fg, fg, "{theme_name}: Failed symbol colour");
        }
        assert!(
            cell.modifier.contains(failed_style.add_modifier),
            "{theme_name}: Failed symbol modifiers {:?} lack {:?}",
            cell.modifier,
            failed_style.add_modifier
        );
        let word = &buf[(x + 2, y)];
        assert_eq!(word.symbol(), "F");
        assert!(word.modifier.contains(failed_style.add_modifier));
        if theme_name == "mono" {
            assert!(
                !failed_style.add_modifier.is_empty(),
                "mono: Failed must be told apart by a modifier"
            );
        }
    }
}

#[test]
fn mono_uses_no_colour_anywhere() {
    use ratatui::style::Color;
    let theme = common::theme("mono");
    for setup in [
        (|_: &mut App| {}) as fn(&mut App),
        |a| open(a, "pods"),
        |a| open(a, "ops"),
        |a| {
            filter(a, "qwen");
            press(a, "t");
        },
        |a| {
            press(a, "?");
        },
    ] {
        let mut app = app();
        setup(&mut app);
        let terminal = common::render_with(&mut app, 120, 40, theme, None);
        for cell in terminal.backend().buffer().content() {
            assert!(
                matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
                "mono cell {:?} has colour",
                cell
            );
        }
    }
}

#[test]
fn selected_row_in_timeline_is_reversed_in_mono() {
    let mut app = app();
    filter(&mut app, "qwen");
    press(&mut app, "t");
    assert!(matches!(app.screen, Screen::Timeline(_)));
    let terminal = render(&mut app, 80, 24, "mono");
    let buf = terminal.backend().buffer();
    let reversed_rows = (0..24)
        .filter(|&y| buf[(2, y)].modifier.contains(Modifier::REVERSED))
        .count();
    assert!(reversed_rows >= 1, "{}", screen_text(&terminal));
}

// ---- idle: nothing to draw while nothing changes ----

#[test]
fn idle_ticks_in_the_same_second_do_not_redraw() {
    let keymap = common::keymap();
    let mut app = app();
    assert!(!app.dirty);
    let same_second = now() + jiff::SignedDuration::from_millis(400);
    for _ in 0..5 {
        app.update(Msg::Tick(same_second), keymap);
        assert!(!app.dirty, "a tick within the same second set dirty");
    }
    // Re-applying an unchanged object is no change either.
    let objs = common::example_objects();
    app.update(
        Msg::Cluster {
            at: same_second,
            events: vec![fluidops::cluster::ClusterEvent::Applied(objs[0].clone())],
        },
        keymap,
    );
    assert!(!app.dirty, "re-applying an identical object set dirty");
    // The next second does redraw (ages move).
    app.update(
        Msg::Tick(now() + jiff::SignedDuration::from_secs(1)),
        keymap,
    );
    assert!(app.dirty);
    assert!(app.overlays.is_empty());
}

/// One character per cell telling how it is marked without colour: `r` reversed, `U` bold and
/// underlined, `b` bold, `u` underlined, `d` dim, `.` plain text, ` ` blank.
fn style_map(terminal: &ratatui::Terminal<ratatui::backend::TestBackend>) -> String {
    let buf = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            let m = c.modifier;
            let ch = if m.contains(Modifier::REVERSED) {
                'r'
            } else if m.contains(Modifier::BOLD | Modifier::UNDERLINED) {
                'U'
            } else if m.contains(Modifier::BOLD) {
                'b'
            } else if m.contains(Modifier::UNDERLINED) {
                'u'
            } else if m.contains(Modifier::DIM) {
                'd'
            } else if c.symbol().trim().is_empty() {
                ' '
            } else {
                '.'
            };
            out.push(ch);
        }
        out.push('\n');
    }
    out
}

#[test]
fn mono_style_maps() {
    type Scene = (&'static str, fn(&mut App));
    let scenes: [Scene; 3] = [
        ("ops", |a| open(a, "ops")),
        ("pods", |a| open(a, "pods")),
        ("timeline_runtime", |a| {
            filter(a, "qwen");
            press(a, "t");
        }),
    ];
    for (name, setup) in scenes {
        let mut app = app();
        setup(&mut app);
        render(&mut app, 80, 24, "mono");
        let terminal = render(&mut app, 80, 24, "mono");
        insta::assert_snapshot!(
            format!("style_map_{name}_80x24_mono"),
            format!("{}\n{}", screen_text(&terminal), style_map(&terminal))
        );
    }
}

#[test]
fn notices_close_on_help_keys_without_opening_help() {
    for k in ["<Esc>", "?", "q", "x"] {
        let mut app = app();
        show_notices(&mut app, vec!["one".into()]);
        let cmds = press(&mut app, k);
        assert!(app.overlays.is_empty(), "{k} left {:?}", app.overlays);
        assert!(cmds.is_empty(), "{k} issued {cmds:?}");
        assert!(!app.quit);
    }
}

/// The combined operations view lists four kinds: a kind whose CRD is missing or that RBAC
/// forbids does not vanish silently once the others have rows; the view says which and why.
#[test]
fn kinds_that_could_not_be_listed_are_named_under_the_rows() {
    use fluidops::cluster::{Availability, ClusterEvent};
    use fluidops::model::{Kind, OpKind};
    let mut app = app();
    let keymap = common::keymap();
    app.update(
        Msg::Cluster {
            at: now(),
            events: vec![
                ClusterEvent::Availability {
                    kind: Kind::Operation(OpKind::DataMigrate),
                    availability: Availability::NotInstalled,
                },
                ClusterEvent::Availability {
                    kind: Kind::Operation(OpKind::DataBackup),
                    availability: Availability::Forbidden("cannot list databackups".into()),
                },
            ],
        },
        keymap,
    );
    open(&mut app, "ops");
    for (w, h) in [(80, 24), (160, 48)] {
        let terminal = render(&mut app, w, h, "default");
        let text = screen_text(&terminal);
        assert!(
            text.contains("DataLoad"),
            "the other kinds' rows stay:\n{text}"
        );
        let notice = (0..h)
            .map(|y| row_text(&terminal, y))
            .find(|r| r.contains("not listed"))
            .unwrap_or_else(|| panic!("no notice at {w}x{h}:\n{text}"));
        assert!(
            notice.contains("DataMigrate: CRD not installed"),
            "{notice}"
        );
        if w == 160 {
            assert!(notice.contains("DataBackup: forbidden by RBAC"), "{notice}");
        }
    }
    // Filtered to nothing: the reasons take the place of "nothing here".
    filter(&mut app, "no-such-operation");
    let terminal = render(&mut app, 160, 48, "default");
    let text = screen_text(&terminal);
    assert!(
        text.contains("DataMigrate: CRD not installed") && text.contains("DataBackup: forbidden"),
        "{text}"
    );
}

/// A filter that is not a valid regex is not applied: the list keeps the rows of the last valid
/// filter (not "nothing here"), the filter line says what is wrong, and Enter does not apply it.
#[test]
fn an_invalid_filter_regex_says_why_and_keeps_the_rows() {
    use fluidops::app::Overlay;
    let mut app = app();
    open(&mut app, "pods");
    press(&mut app, "/");
    type_text(&mut app, "qwen-w");
    let rows = app.table(fluidops::app::actions::ViewKind::Pods).rows.len();
    assert!(rows > 0);
    type_text(&mut app, "(");
    for (w, h) in [(80, 24), (160, 48)] {
        let terminal = render(&mut app, w, h, "default");
        let text = screen_text(&terminal);
        assert!(text.contains("qwen-weights-worker-0"), "rows kept:\n{text}");
        assert!(!text.contains("nothing here"), "{text}");
        assert!(
            text.contains("not a valid regex: unclosed group"),
            "the reason on the filter line:\n{text}"
        );
    }
    assert_eq!(
        app.table(fluidops::app::actions::ViewKind::Pods).rows.len(),
        rows
    );
    press(&mut app, "<Enter>");
    assert!(
        matches!(app.overlays.top(), Some(Overlay::Filter { .. })),
        "Enter does not apply an invalid regex"
    );
    type_text(&mut app, ".*)");
    press(&mut app, "<Enter>");
    assert!(app.overlays.is_empty());
    assert_eq!(
        app.list(fluidops::app::actions::ViewKind::Pods).filter,
        "qwen-w(.*)"
    );
}
