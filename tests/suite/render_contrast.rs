//! Every built-in theme reads: each phase and status style, on every background it can be drawn
//! on, has a WCAG contrast ratio of at least [`MIN_CONTRAST`] (3:1, WCAG's minimum for large text
//! and interface symbols), computed on the xterm-256 palette; and on rendered screens every cell
//! with text differs from its background, highlighted rows included.

use crate::common;

use common::{app, press, render, type_text};
use fluidops::app::App;
use fluidops::config::theme::{BUILTIN_THEMES, PHASES, SURFACES};
use fluidops::config::{Theme, theme};
use ratatui::style::{Color, Modifier, Style};

/// The least contrast ratio text must have against its background.
const MIN_CONTRAST: f64 = 3.0;

/// The xterm default for one of the 16 ANSI colours.
const ANSI: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
];

/// An xterm-256 palette entry as RGB.
fn indexed(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => ANSI[usize::from(i)],
        16..=231 => {
            let n = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            (level(n / 36), level((n / 6) % 6), level(n % 6))
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

/// The terminal's own foreground and background the theme is meant for: dark for all built-in
/// themes but `light`.
fn terminal_colours(theme: &Theme) -> ((u8, u8, u8), (u8, u8, u8)) {
    if theme.name() == "light" {
        ((0, 0, 0), (255, 255, 255))
    } else {
        (ANSI[7], ANSI[0])
    }
}

fn rgb(c: Color, default: (u8, u8, u8)) -> (u8, u8, u8) {
    match c {
        Color::Reset => default,
        Color::Black => ANSI[0],
        Color::Red => ANSI[1],
        Color::Green => ANSI[2],
        Color::Yellow => ANSI[3],
        Color::Blue => ANSI[4],
        Color::Magenta => ANSI[5],
        Color::Cyan => ANSI[6],
        Color::Gray => ANSI[7],
        Color::DarkGray => ANSI[8],
        Color::LightRed => ANSI[9],
        Color::LightGreen => ANSI[10],
        Color::LightYellow => ANSI[11],
        Color::LightBlue => ANSI[12],
        Color::LightMagenta => ANSI[13],
        Color::LightCyan => ANSI[14],
        Color::White => ANSI[15],
        Color::Indexed(i) => indexed(i),
        Color::Rgb(r, g, b) => (r, g, b),
    }
}

/// The colours a cell shows: unset colours are the terminal's, reversed swaps them.
fn shown(theme: &Theme, fg: Color, bg: Color, modifier: Modifier) -> ((u8, u8, u8), (u8, u8, u8)) {
    let (dfg, dbg) = terminal_colours(theme);
    let (f, b) = (rgb(fg, dfg), rgb(bg, dbg));
    if modifier.contains(Modifier::REVERSED) {
        (b, f)
    } else {
        (f, b)
    }
}

fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let lin = |v: u8| {
        let c = f64::from(v) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG 2 contrast ratio, 1 to 21.
fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn style_contrast(theme: &Theme, style: Style) -> f64 {
    let (f, b) = shown(
        theme,
        style.fg.unwrap_or(Color::Reset),
        style.bg.unwrap_or(Color::Reset),
        style.add_modifier,
    );
    contrast(f, b)
}

fn builtin_themes() -> Vec<Theme> {
    BUILTIN_THEMES
        .iter()
        .map(|(name, _, _)| Theme::builtin(name).expect("built-in theme"))
        .collect()
}

/// The status line's styles: drawn on the plain screen, like every phase.
const STATUS_KEYS: [&str; 5] = [
    "status.info",
    "status.ok",
    "status.warn",
    "status.error",
    "notice",
];

#[test]
fn contrast_of_known_colours() {
    assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
    assert!((contrast((95, 175, 255), (95, 175, 255)) - 1.0).abs() < 1e-9);
    assert_eq!(indexed(75), (95, 175, 255));
    assert_eq!(indexed(16), (0, 0, 0));
    assert_eq!(indexed(231), (255, 255, 255));
    assert_eq!(indexed(245), (138, 138, 138));
}

#[test]
fn every_phase_and_status_reads_on_every_background_in_every_theme() {
    let mut bad = Vec::new();
    for theme in builtin_themes() {
        let mut styles: Vec<(String, Style)> = PHASES
            .iter()
            .map(|p| (format!("phase {p}"), theme.phase_style(p)))
            .collect();
        styles.extend(STATUS_KEYS.iter().map(|k| (k.to_string(), theme.style(k))));
        for surface in SURFACES {
            for (what, style) in &styles {
                let drawn = theme.on(surface, *style);
                let ratio = style_contrast(&theme, drawn);
                if ratio < MIN_CONTRAST {
                    bad.push(format!(
                        "{}: {what} on {surface}: {ratio:.2}:1",
                        theme.name()
                    ));
                }
            }
        }
        // The highlighted bars themselves (their own text).
        for surface in SURFACES.iter().filter(|s| **s != "base") {
            let ratio = style_contrast(&theme, theme.style(surface));
            if ratio < MIN_CONTRAST {
                bad.push(format!("{}: {surface} itself: {ratio:.2}:1", theme.name()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "contrast below {MIN_CONTRAST}:1:\n{}",
        bad.join("\n")
    );
}

fn open(app: &mut App, line: &str) {
    press(app, ":");
    type_text(app, line);
    press(app, "<Enter>");
}

fn filter(app: &mut App, text: &str) {
    press(app, "/");
    type_text(app, text);
    press(app, "<Enter>");
}

type Scene = (&'static str, fn(&mut App));

/// Screens with a highlighted row: lists, the timelines (their newest row is selected), a detail
/// page's cursor, the palette and the view tabs.
fn scenes() -> Vec<Scene> {
    vec![
        ("runtimes", |_| {}),
        ("runtimes last", |a| {
            press(a, "G");
        }),
        ("pods", |a| open(a, "pods")),
        ("ops", |a| open(a, "ops")),
        ("ops each row", |a| {
            open(a, "ops");
            press(a, "j j j");
        }),
        ("datasets", |a| open(a, "datasets")),
        ("maintenance", |a| open(a, "maintenance")),
        ("timeline runtime", |a| {
            filter(a, "qwen");
            press(a, "t");
        }),
        ("timeline executing op", |a| {
            open(a, "ops");
            filter(a, "Executing");
            press(a, "t");
        }),
        ("detail pods pane", |a| {
            filter(a, "qwen");
            press(a, "<Enter> <Tab>");
        }),
        ("palette", |a| {
            press(a, ":");
        }),
    ]
}

/// Every cell with text shows it in a colour other than its background; on a highlighted
/// background (a selected row, the palette's choice, the active tab) with at least
/// [`MIN_CONTRAST`].
#[test]
fn rendered_highlighted_rows_read_in_every_theme() {
    let mut bad = Vec::new();
    for (name, _, _) in BUILTIN_THEMES {
        let theme = common::theme(name);
        for (scene, setup) in scenes() {
            for row_down in [0, 1] {
                let mut app = app();
                setup(&mut app);
                for _ in 0..row_down {
                    press(&mut app, "j");
                }
                render(&mut app, 120, 40, name);
                let terminal = render(&mut app, 120, 40, name);
                let buf = terminal.backend().buffer();
                for y in 0..buf.area.height {
                    for x in 0..buf.area.width {
                        let c = &buf[(x, y)];
                        if c.symbol().trim().is_empty() {
                            continue;
                        }
                        let (f, b) = shown(theme, c.fg, c.bg, c.modifier);
                        let highlighted =
                            c.bg != Color::Reset || c.modifier.contains(Modifier::REVERSED);
                        let ratio = contrast(f, b);
                        if f == b || (highlighted && ratio < MIN_CONTRAST) {
                            bad.push(format!(
                                "{name}: {scene} (+{row_down}) at {x},{y} {:?}: {ratio:.2}:1",
                                c.symbol()
                            ));
                        }
                    }
                }
            }
        }
    }
    bad.dedup();
    assert!(
        bad.is_empty(),
        "{} cells do not read, e.g.:\n{}",
        bad.len(),
        bad.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// The theme module's list of surfaces and this test's view of the phases agree with the themes.
#[test]
fn every_surface_is_a_style_key() {
    for s in SURFACES {
        assert!(theme::UI_KEYS.contains(s), "{s} is not a ui key");
    }
}
