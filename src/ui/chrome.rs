//! Header (context, namespace, connection, counts, view tabs), footer (key hints or a flash
//! message) and the demo caption line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::widgets::truncate;
use crate::app::actions::{Action, ViewKind};
use crate::app::state::Level;
use crate::app::strings;
use crate::app::{App, Overlay, Screen};
use crate::cluster::ConnectionState;
use crate::model::Kind;

pub fn header_height(area: Rect) -> u16 {
    if area.height >= 12 { 2 } else { 1 }
}

pub fn too_small(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let full = format!("{} ({}x{})", strings::TOO_SMALL, area.width, area.height);
    let text = if full.len() <= area.width as usize {
        full
    } else {
        truncate(strings::TOO_SMALL, area.width as usize, ctx.theme.ascii())
    };
    let row = Rect {
        y: area.y + area.height.saturating_sub(1) / 2,
        height: area.height.min(1),
        ..area
    };
    frame.render_widget(
        Paragraph::new(text)
            .alignment(ratatui::layout::Alignment::Center)
            .style(ctx.theme.style("status.warn")),
        row,
    );
}

fn connection_span<'a>(app: &App, ctx: &Ctx) -> Span<'a> {
    let (phase, text) = match app.store.connection() {
        ConnectionState::Connected => ("Ready", "connected".to_string()),
        ConnectionState::Connecting => ("Pending", "connecting".to_string()),
        ConnectionState::Resyncing => ("Pending", "resyncing".to_string()),
        ConnectionState::Lost(why) => (
            "Failed",
            format!("lost: {}", truncate(why, 40, ctx.theme.ascii())),
        ),
    };
    let (style, symbol) = ctx.theme.phase(phase);
    Span::styled(format!("{symbol} {text}"), style)
}

/// Objects of a kind in the namespace shown (all namespaces when none is chosen).
fn count_in_ns(app: &App, kinds: &[Kind]) -> usize {
    kinds
        .iter()
        .map(|k| app.store.count_in(*k, app.namespace.as_deref()))
        .sum()
}

fn spans_width(spans: &[Span]) -> usize {
    spans.iter().map(Span::width).sum()
}

/// Header pieces are kept by importance (read-only badge, context, namespace and connection
/// first; the logo and counts only when there is room) and shown in their natural order.
pub fn header(frame: &mut Frame, area: Rect, app: &App, ctx: &Ctx) {
    let t = ctx.theme;
    let ns = app.namespace.as_deref().unwrap_or(strings::ALL_NAMESPACES);
    let width = area.width as usize;
    let context = truncate(&app.context, (width / 4).max(6), t.ascii());
    let mut pieces: Vec<(u8, Vec<Span>)> = vec![(
        4,
        vec![Span::styled(
            format!(" {} ", strings::APP_NAME),
            t.style("header.logo"),
        )],
    )];
    if let Some(r) = &app.replay {
        // On a recording the time cursor stands where the read-only badge would.
        pieces.push((
            0,
            vec![
                Span::raw(" "),
                Span::styled(
                    crate::app::replay::cursor_text(r),
                    t.style("header.readonly"),
                ),
            ],
        ));
    } else if app.readonly {
        pieces.push((
            0,
            vec![
                Span::raw(" "),
                Span::styled(
                    format!(" {} ", strings::READONLY_BADGE),
                    t.style("header.readonly"),
                ),
            ],
        ));
    }
    pieces.push((
        2,
        vec![
            Span::styled(" ctx:", t.style("header.desc")),
            Span::styled(context, t.style("header.context")),
        ],
    ));
    if ctx.demo {
        pieces.push((
            5,
            vec![Span::styled(
                format!(" ({})", strings::DEMO_BADGE),
                t.style("header.desc"),
            )],
        ));
    }
    pieces.push((
        1,
        vec![
            Span::styled("  ns:", t.style("header.desc")),
            Span::styled(ns.to_string(), t.style("header.namespace")),
        ],
    ));
    pieces.push((3, vec![Span::raw("  "), connection_span(app, ctx)]));
    let ops: Vec<Kind> = crate::model::OpKind::ALL
        .into_iter()
        .map(Kind::Operation)
        .collect();
    let counts = [
        ("rt", count_in_ns(app, &[Kind::CacheRuntime])),
        ("pods", count_in_ns(app, &[Kind::Pod])),
        ("ops", count_in_ns(app, &ops)),
    ];
    for (n, (label, count)) in counts.into_iter().enumerate() {
        pieces.push((
            6 + n as u8,
            vec![
                Span::styled(format!("  {label}:"), t.style("header.desc")),
                Span::styled(count.to_string(), t.style("header")),
            ],
        ));
    }
    let mut keep = vec![false; pieces.len()];
    let mut order: Vec<usize> = (0..pieces.len()).collect();
    order.sort_by_key(|&i| (pieces[i].0, i));
    let mut used = 0;
    for i in order {
        let w = spans_width(&pieces[i].1);
        if used + w > width {
            // Strictly by importance: a count never shows while the connection does not.
            break;
        }
        keep[i] = true;
        used += w;
    }
    let mut spans: Vec<Span> = pieces
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .flat_map(|((_, s), _)| s)
        .collect();
    // The problem count takes the room the others leave: never one of theirs.
    spans.extend(problems_piece(app, width.saturating_sub(used), ctx));
    let first = Rect { height: 1, ..area };
    frame.render_widget(Paragraph::new(Line::from(spans)), first);
    if area.height > 1 {
        let second = Rect {
            y: area.y + 1,
            height: 1,
            ..area
        };
        frame.render_widget(Paragraph::new(tabs(app, width, ctx)), second);
    }
}

/// `  problems:N` when it fits in `room`, else ` ✖N` (` !N` in ASCII; none when there are no
/// problems), else nothing.
fn problems_piece<'a>(app: &App, room: usize, ctx: &Ctx) -> Vec<Span<'a>> {
    let t = ctx.theme;
    let count = app
        .problem_watch
        .count(&app.store, app.now, app.namespace.as_deref());
    let look = if count > 0 { "Failed" } else { "Ready" };
    let (style, symbol) = t.phase(look);
    let full = vec![
        Span::styled(
            format!("  {}", strings::PROBLEMS_LABEL),
            t.style("header.desc"),
        ),
        Span::styled(
            count.to_string(),
            if count > 0 { style } else { t.style("header") },
        ),
    ];
    if spans_width(&full) <= room {
        return full;
    }
    let short = vec![Span::styled(format!(" {symbol}{count}"), style)];
    if count > 0 && spans_width(&short) <= room {
        return short;
    }
    Vec::new()
}

const TABS: [ViewKind; 7] = [
    ViewKind::Runtimes,
    ViewKind::Pods,
    ViewKind::Ops,
    ViewKind::Datasets,
    ViewKind::Classes,
    ViewKind::Maintenance,
    ViewKind::Timeline,
];

/// The view tabs, the active one highlighted (on a page: the list it was opened from), then a
/// crumb naming the page. Tabs lose their padding, then give way, before the crumb is cut.
fn tabs<'a>(app: &App, width: usize, ctx: &Ctx) -> Line<'a> {
    let t = ctx.theme;
    let active = match &app.screen {
        Screen::List(v) => Some(*v),
        Screen::Timeline(_) => Some(ViewKind::Timeline),
        _ => app.back.iter().rev().find_map(|(s, _)| match s {
            Screen::List(v) => Some(*v),
            _ => None,
        }),
    };
    let crumb = page_crumb(&app.screen).map(|c| format!("› {c}"));
    let crumb_w = crumb.as_deref().map_or(0, |c| c.chars().count() + 1);
    let build = |pad: &str, only_active: bool| -> Vec<Span<'a>> {
        let mut spans = vec![Span::raw(" ")];
        for v in TABS {
            if only_active && Some(v) != active {
                continue;
            }
            let style = if Some(v) == active {
                t.style("crumbs.active")
            } else {
                t.style("crumbs")
            };
            spans.push(Span::styled(format!("{pad}{}{pad}", v.name()), style));
            spans.push(Span::raw(" "));
        }
        spans
    };
    let mut spans = build(" ", false);
    if spans_width(&spans) + crumb_w > width {
        spans = build("", false);
    }
    if spans_width(&spans) + crumb_w > width && crumb.is_some() {
        spans = build("", true);
    }
    if let Some(crumb) = crumb {
        let room = width.saturating_sub(spans_width(&spans));
        spans.push(Span::styled(
            truncate(&crumb, room, t.ascii()),
            t.style("crumbs"),
        ));
    }
    Line::from(spans)
}

fn page_crumb(screen: &Screen) -> Option<String> {
    match screen {
        Screen::Detail(k) => Some(format!("{} {}", k.kind, k.name)),
        Screen::Yaml(k) => Some(format!("{} {} › yaml", k.kind, k.name)),
        Screen::Logs(k) => Some(format!("{} › logs", k.name)),
        Screen::Timeline(s) => Some(s.label()),
        Screen::List(_) => None,
    }
}

/// Actions worth a hint on each kind of screen, in display order.
fn hint_actions(app: &App) -> Vec<(Action, &'static str)> {
    match (app.overlays.top(), &app.screen) {
        (Some(Overlay::Filter { .. }), _) => {
            vec![(Action::NavEnter, "apply"), (Action::NavBack, "clear")]
        }
        (Some(Overlay::Palette { .. }), _) => {
            vec![(Action::NavEnter, "run"), (Action::NavBack, "close")]
        }
        (Some(Overlay::Help { .. }), _) => vec![
            (Action::HelpToggle, "close"),
            (Action::ListDown, "down"),
            (Action::ListUp, "up"),
        ],
        (Some(Overlay::Notices { .. }), _) => Vec::new(),
        (Some(Overlay::Confirm(_)), _) => vec![
            (Action::ConfirmYes, "confirm"),
            (Action::ConfirmNo, "cancel"),
            (Action::ListDown, "scroll down"),
            (Action::ListUp, "scroll up"),
            (Action::ListPageDown, "page"),
        ],
        (_, Screen::List(_)) => vec![
            (Action::NavEnter, "open"),
            (Action::ViewYaml, "yaml"),
            (Action::ViewLogs, "logs"),
            (Action::ViewTimeline, "timeline"),
            (Action::FilterOpen, "filter"),
            (Action::PaletteOpen, "cmd"),
            (Action::HelpToggle, "help"),
            (Action::AppQuit, "quit"),
        ],
        (_, Screen::Detail(k))
            if k.kind == crate::model::Kind::CacheRuntimeMaintenance
                && app
                    .run_record(k)
                    .is_some_and(crate::workflows::machine::is_active) =>
        {
            vec![
                (Action::WizardNext, "go on"),
                (Action::WizardPause, "pause/resume"),
                (Action::WizardAbort, "abort"),
                (Action::PaneNext, "pane"),
                (Action::NavBack, "back"),
            ]
        }
        (_, Screen::Detail(_)) => vec![
            (Action::PaneNext, "pane"),
            (Action::NavEnter, "open"),
            (Action::ViewTimeline, "timeline"),
            (Action::ViewYaml, "yaml"),
            (Action::NavBack, "back"),
            (Action::HelpToggle, "help"),
        ],
        (_, Screen::Logs(_)) => vec![
            (Action::LogsFollowToggle, "follow"),
            (Action::LogsWrapToggle, "wrap"),
            (Action::FilterOpen, "search"),
            (Action::CopyText, "copy"),
            (Action::LogsSave, "save"),
            (Action::LogsPrevious, "previous"),
            (Action::NavBack, "back"),
        ],
        (_, _) => vec![
            (Action::NavBack, "back"),
            (Action::HelpToggle, "help"),
            (Action::AppQuit, "quit"),
        ],
    }
}

pub fn footer(frame: &mut Frame, area: Rect, app: &App, ctx: &Ctx) {
    let t = ctx.theme;
    if let Some(flash) = &app.flash {
        let style = t.style(match flash.level {
            Level::Info => "status.info",
            Level::Warning => "status.warn",
            Level::Error => "status.error",
        });
        frame.render_widget(
            Paragraph::new(Span::styled(
                truncate(&format!(" {}", flash.text), area.width as usize, t.ascii()),
                style,
            )),
            area,
        );
        return;
    }
    let modes = app.key_modes();
    let mut spans = Vec::new();
    if matches!(app.overlays.top(), Some(Overlay::Notices { .. })) {
        spans.push(Span::styled(" any key", t.style("hint.key")));
        spans.push(Span::styled(" continue ", t.style("hint")));
    }
    let hints = hint_actions(app);
    // A new problem is told only when no dialog, form or line is open and no run waits for its
    // next step here: their hints stay whole.
    let run_page = hints.iter().any(|(a, _)| *a == Action::WizardNext);
    if app.overlays.top().is_none()
        && app.editor.is_none()
        && !run_page
        && let Some(n) = &app.problem_watch.notice
    {
        spans.extend(problem_notice(n, &modes, area.width as usize, ctx));
    }
    let mut used = spans_width(&spans);
    for (action, label) in hints {
        if action.writes() && app.readonly {
            continue;
        }
        let Some(key) = ctx.keymap.effective_keys(action, &modes).into_iter().next() else {
            continue;
        };
        let key = Span::styled(format!(" {key}"), t.style("hint.key"));
        let label = Span::styled(format!(" {label} "), t.style("hint"));
        // Only whole hints: a cut one reads as a different key.
        used += key.width() + label.width();
        if used > area.width as usize {
            break;
        }
        spans.push(key);
        spans.push(label);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Rows a caption may take: a long one is cut after them (with `…`).
const CAPTION_MAX_ROWS: usize = 3;

/// A caption's lines at this width: wrapped, continuation lines under its text.
pub fn caption_lines(text: &str, width: u16) -> Vec<String> {
    let room = (width as usize).saturating_sub(4).max(10);
    let mut lines = super::widgets::wrap(text, room);
    if lines.len() > CAPTION_MAX_ROWS {
        lines.truncate(CAPTION_MAX_ROWS);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!(" ▶ {l}")
            } else {
                format!("   {l}")
            }
        })
        .collect()
}

pub fn caption(frame: &mut Frame, area: Rect, text: &str, ctx: &Ctx) {
    let lines: Vec<Line> = caption_lines(text, area.width)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, ctx.theme.style("status.warn"))))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The footer's notice of a new problem (cut to fit `width` beside its keys), with the keys
/// that dismiss it and show the problems.
fn problem_notice<'a>(
    n: &crate::app::problem_watch::ProblemNotice,
    modes: &[crate::app::actions::KeyMode],
    width: usize,
    ctx: &Ctx,
) -> Vec<Span<'a>> {
    let t = ctx.theme;
    let (style, symbol) = t.phase("Failed");
    let mut keys = Vec::new();
    for (action, label) in [
        (Action::NoticeDismiss, strings::NOTICE_DISMISS),
        (Action::ViewOpen(ViewKind::Problems), strings::NOTICE_SHOW),
    ] {
        if let Some(key) = ctx.keymap.effective_keys(action, modes).into_iter().next() {
            keys.push(Span::styled(format!(" {key}"), t.style("hint.key")));
            keys.push(Span::styled(format!(" {label} "), t.style("hint")));
        }
    }
    let object = format!("{} {}", n.key.kind, n.key.name);
    let mut text = strings::new_problem_notice(&n.what, &object);
    if n.count > 1 {
        text = format!("{text} (+{})", n.count - 1);
    }
    let room = width.saturating_sub(spans_width(&keys) + 4).max(8);
    let mut spans = vec![Span::styled(
        format!(" {symbol} {} ", truncate(&text, room, t.ascii())),
        style,
    )];
    spans.extend(keys);
    spans
}
