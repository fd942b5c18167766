//! Header (context, namespace, connection, counts, view tabs), footer (key hints or a flash
//! message) and the demo caption line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use crate::app::actions::{Action, ViewKind};
use crate::app::strings;
use crate::app::{App, Overlay, Screen};
use crate::cluster::ConnectionState;
use crate::model::Kind;

pub fn header_height(area: Rect) -> u16 {
    if area.height >= 12 { 2 } else { 1 }
}

pub fn too_small(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let text = super::widgets::truncate(strings::TOO_SMALL, area.width as usize, ctx.theme.ascii());
    frame.render_widget(
        Paragraph::new(text).style(ctx.theme.style("status.warn")),
        area,
    );
}

fn connection_span<'a>(app: &App, ctx: &Ctx) -> Span<'a> {
    let (phase, text) = match app.store.connection() {
        ConnectionState::Connected => ("Ready", "connected".to_string()),
        ConnectionState::Connecting => ("Pending", "connecting".to_string()),
        ConnectionState::Lost(why) => ("Failed", format!("lost: {why}")),
    };
    let (style, symbol) = ctx.theme.phase(phase);
    Span::styled(format!("{symbol} {text}"), style)
}

pub fn header(frame: &mut Frame, area: Rect, app: &App, ctx: &Ctx) {
    let t = ctx.theme;
    let ns = app.namespace.as_deref().unwrap_or(strings::ALL_NAMESPACES);
    let mut spans = vec![
        Span::styled(format!(" {} ", strings::APP_NAME), t.style("header.logo")),
        Span::styled(" ctx:", t.style("header.desc")),
        Span::styled(app.context.clone(), t.style("header.context")),
    ];
    if ctx.demo {
        spans.push(Span::styled(
            format!(" ({})", strings::DEMO_BADGE),
            t.style("header.desc"),
        ));
    }
    spans.push(Span::styled("  ns:", t.style("header.desc")));
    spans.push(Span::styled(ns.to_string(), t.style("header.namespace")));
    spans.push(Span::raw("  "));
    spans.push(connection_span(app, ctx));
    let counts = [
        ("rt", app.store.count(Kind::CacheRuntime)),
        ("pods", app.store.count(Kind::Pod)),
        ("ops", app.store.operations().count()),
    ];
    for (label, n) in counts {
        spans.push(Span::styled(format!("  {label}:"), t.style("header.desc")));
        spans.push(Span::styled(n.to_string(), t.style("header")));
    }
    if app.readonly {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!(" {} ", strings::READONLY_BADGE),
            t.style("header.readonly"),
        ));
    }
    let first = Rect { height: 1, ..area };
    frame.render_widget(Paragraph::new(Line::from(spans)), first);
    if area.height > 1 {
        let second = Rect {
            y: area.y + 1,
            height: 1,
            ..area
        };
        frame.render_widget(Paragraph::new(tabs(app, ctx)), second);
    }
}

/// The view tabs, the active one highlighted (k9s-style crumbs).
fn tabs<'a>(app: &App, ctx: &Ctx) -> Line<'a> {
    let active = match &app.screen {
        Screen::List(v) => Some(*v),
        Screen::Timeline(_) => Some(ViewKind::Timeline),
        _ => None,
    };
    let mut spans = vec![Span::raw(" ")];
    for v in [
        ViewKind::Runtimes,
        ViewKind::Pods,
        ViewKind::Ops,
        ViewKind::Datasets,
        ViewKind::Classes,
        ViewKind::Timeline,
    ] {
        let style = if Some(v) == active {
            ctx.theme.style("crumbs.active")
        } else {
            ctx.theme.style("crumbs")
        };
        spans.push(Span::styled(format!(" {} ", v.name()), style));
        spans.push(Span::raw(" "));
    }
    if let Some(crumb) = page_crumb(&app.screen) {
        spans.push(Span::styled(
            format!("› {crumb}"),
            ctx.theme.style("crumbs"),
        ));
    }
    Line::from(spans)
}

fn page_crumb(screen: &Screen) -> Option<String> {
    match screen {
        Screen::Detail(k) => Some(format!("{} {}", k.kind, k.name)),
        Screen::Yaml(k) => Some(format!("yaml {}", k.name)),
        Screen::Logs(k) => Some(format!("logs {}", k.name)),
        Screen::Timeline(s) => Some(s.label()),
        Screen::List(_) => None,
    }
}

/// Actions worth a hint on each kind of screen, in display order.
fn hint_actions(app: &App) -> Vec<(Action, &'static str)> {
    match (&app.overlay, &app.screen) {
        (Overlay::Filter { .. }, _) => {
            vec![(Action::NavEnter, "apply"), (Action::NavBack, "clear")]
        }
        (Overlay::Palette { .. }, _) => vec![(Action::NavEnter, "run"), (Action::NavBack, "close")],
        (Overlay::Help { .. } | Overlay::Notices { .. }, _) => vec![(Action::HelpToggle, "close")],
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
        let style = if flash.error {
            t.style("status.error")
        } else {
            t.style("status.info")
        };
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {}", flash.text), style)),
            area,
        );
        return;
    }
    let modes = app.key_modes();
    let mut spans = Vec::new();
    for (action, label) in hint_actions(app) {
        if action.writes() && app.readonly {
            continue;
        }
        let Some(key) = ctx.keymap.effective_keys(action, &modes).into_iter().next() else {
            continue;
        };
        spans.push(Span::styled(format!(" {key}"), t.style("hint.key")));
        spans.push(Span::styled(format!(" {label} "), t.style("hint")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn caption(frame: &mut Frame, area: Rect, text: &str, ctx: &Ctx) {
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(" ▶ {text}"),
            ctx.theme.style("status.warn"),
        )),
        area,
    );
}
