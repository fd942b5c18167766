//! Full-screen text pages: an object's YAML and a pod's log.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::Ctx;
use super::widgets::{block, truncate};
use crate::app::state::Layout;
use crate::app::strings;
use crate::app::{App, yaml};
use crate::model::ObjectKey;

fn layout_of(inner: Rect, first: usize) -> Layout {
    Layout {
        body_top: inner.y,
        body_left: inner.x,
        body_width: inner.width,
        body_rows: inner.height,
        first_row: first,
        ..Layout::default()
    }
}

/// Colours a YAML line: keys, values, comments.
fn yaml_line<'a>(line: &'a str, ctx: &Ctx) -> Line<'a> {
    let t = ctx.theme;
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return Line::from(Span::styled(line, t.style("yaml.comment")));
    }
    let body_start = line.len() - trimmed.len() + if trimmed.starts_with("- ") { 2 } else { 0 };
    let rest = &line[body_start..];
    match rest
        .find(": ")
        .or_else(|| rest.ends_with(':').then(|| rest.len() - 1))
    {
        Some(i) if !rest[..i].contains(' ') || rest[..i].starts_with('"') => Line::from(vec![
            Span::raw(&line[..body_start]),
            Span::styled(&rest[..i], t.style("yaml.key")),
            Span::raw(&rest[i..i + 1]),
            Span::styled(&rest[i + 1..], t.style("yaml.value")),
        ]),
        _ => Line::from(Span::styled(line, t.style("yaml.value"))),
    }
}

pub fn yaml(frame: &mut Frame, area: Rect, app: &App, key: &ObjectKey, ctx: &Ctx) -> Layout {
    let lines = yaml::lines(&app.store, key);
    let rows = area.height.saturating_sub(2) as usize;
    let top = app.page.scroll.min(lines.len().saturating_sub(rows));
    let position = if lines.len() > rows {
        format!(
            " {}-{}/{}",
            top + 1,
            (top + rows).min(lines.len()),
            lines.len()
        )
    } else {
        String::new()
    };
    let outer = block(format!(" yaml {key}{position} "), true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if lines.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(strings::OBJECT_GONE, ctx.theme.style("muted"))),
            inner,
        );
        return layout_of(inner, 0);
    }
    let scroll = app
        .page
        .scroll
        .min(lines.len().saturating_sub(inner.height as usize));
    let visible: Vec<Line> = lines
        .iter()
        .skip(scroll)
        .take(inner.height as usize)
        .map(|l| yaml_line(l, ctx))
        .collect();
    frame.render_widget(Paragraph::new(visible), inner);
    layout_of(inner, scroll)
}

fn log_style(line: &str, ctx: &Ctx) -> Style {
    if line.contains("ERROR") || line.contains(" E ") {
        ctx.theme.style("logs.error")
    } else if line.contains("WARN") {
        ctx.theme.style("logs.warn")
    } else {
        Style::default()
    }
}

/// A log line: a leading RFC 3339 timestamp dimmed, the rest styled by level; cut lines end
/// in `…` so a cut is never mistaken for the end of the message.
fn log_line<'a>(line: &'a str, width: usize, wrap: bool, ctx: &Ctx) -> Line<'a> {
    let style = log_style(line, ctx);
    let text: std::borrow::Cow<'a, str> =
        if !wrap && unicode_width::UnicodeWidthStr::width(line) > width {
            truncate(line, width, ctx.theme.ascii()).into()
        } else {
            line.into()
        };
    let stamp_len = text
        .split_once(' ')
        .filter(|(head, _)| head.len() >= 19 && head.as_bytes()[4] == b'-' && head.contains('T'))
        .map(|(head, _)| head.len());
    match (stamp_len, text) {
        (Some(n), std::borrow::Cow::Borrowed(t)) => Line::from(vec![
            Span::styled(&t[..n], ctx.theme.style("logs.timestamp")),
            Span::styled(&t[n..], style),
        ]),
        (Some(n), std::borrow::Cow::Owned(t)) => Line::from(vec![
            Span::styled(t[..n].to_string(), ctx.theme.style("logs.timestamp")),
            Span::styled(t[n..].to_string(), style),
        ]),
        (None, t) => Line::from(Span::styled(t, style)),
    }
}

pub fn logs(frame: &mut Frame, area: Rect, app: &App, key: &ObjectKey, ctx: &Ctx) -> Layout {
    let total = app.store.log_len(key);
    let state = if app.page.follow {
        strings::FOLLOWING
    } else {
        strings::PAUSED
    };
    let outer = block(
        format!(" logs {}/{} [{state}] ", key.namespace, key.name),
        true,
        ctx,
    );
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if total == 0 {
        frame.render_widget(
            Paragraph::new(Span::styled(strings::NO_LOGS, ctx.theme.style("muted"))),
            inner,
        );
        return layout_of(inner, 0);
    }
    let height = inner.height as usize;
    let last = if app.page.follow {
        total
    } else {
        (app.page.scroll + 1).min(total)
    };
    let first = last.saturating_sub(height);
    let width = inner.width as usize;
    let lines: Vec<Line> = app
        .store
        .logs(key)
        .skip(first)
        .take(last - first)
        .map(|l| log_line(l, width, app.page.wrap, ctx))
        .collect();
    let mut p = Paragraph::new(lines);
    if app.page.wrap {
        p = p.wrap(Wrap { trim: false });
    }
    frame.render_widget(p, inner);
    layout_of(inner, first)
}
