//! Full-screen text pages: an object's YAML and a pod's log.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::highlight::marked;
use super::widgets::{block, truncate};
use crate::app::state::Layout;
use crate::app::strings;
use crate::app::{App, text_pages, yaml};
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
    let search = search_title(app, &lines);
    let outer = block(format!(" yaml {key}{position}{search} "), true, ctx);
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
        .enumerate()
        .map(|(i, l)| mark(yaml_line(l, ctx), app, scroll + i, ctx))
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

pub fn logs<'a>(frame: &mut Frame, area: Rect, app: &'a App, key: &ObjectKey, ctx: &Ctx) -> Layout {
    let total = app.store.log_len(key);
    // A previous instance's log is complete: nothing to follow.
    let state = match (app.page.log.previous, app.page.follow) {
        (true, _) => String::new(),
        (false, true) => format!(" [{}]", strings::FOLLOWING),
        (false, false) => format!(" [{}]", strings::PAUSED),
    };
    let search = if app.page.search.is_empty() {
        String::new()
    } else {
        let lines: Vec<&String> = app.store.logs(key).collect();
        search_title(app, &lines)
    };
    let outer = block(
        format!(
            " logs {}/{}{}{state}{search} ",
            key.namespace,
            key.name,
            app.page.log.title()
        ),
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
    let drawn =
        |(i, l): (usize, &'a String)| mark(log_line(l, width, app.page.wrap, ctx), app, i, ctx);
    if !app.page.wrap {
        let lines: Vec<Line> = app
            .store
            .logs(key)
            .enumerate()
            .skip(first)
            .take(last - first)
            .map(drawn)
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
        return layout_of(inner, first);
    }
    // Wrapped, the page ends with the last line (the newest when following): lines are cut
    // into rows of the page's width from the last one up until the page is full.
    let all: Vec<&String> = app.store.logs(key).take(last).collect();
    let mut rows: Vec<Line> = Vec::new();
    let mut first = last;
    while first > 0 && rows.len() < height {
        first -= 1;
        let mut cut = wrap_rows(drawn((first, all[first])), width);
        cut.append(&mut rows);
        rows = cut;
    }
    let skip = rows.len().saturating_sub(height);
    frame.render_widget(Paragraph::new(rows.split_off(skip)), inner);
    layout_of(inner, first)
}

/// The search's place in a page's title: ` /text 2/7` (the match gone to, of how many).
pub(super) fn search_title<S: AsRef<str>>(app: &App, lines: &[S]) -> String {
    if app.page.search.is_empty() {
        return String::new();
    }
    let matches = text_pages::matching_lines(lines, &app.page.search);
    let at = app
        .page
        .search_at
        .and_then(|m| matches.iter().position(|&x| x == m))
        .map(|i| i + 1);
    strings::search_title(&app.page.search, at, matches.len())
}

/// Line `index` of a page with the search's matches marked.
fn mark<'a>(line: Line<'a>, app: &App, index: usize, ctx: &Ctx) -> Line<'a> {
    marked(
        line,
        &app.page.search,
        ctx.theme.style("filter.match"),
        app.page.search_at == Some(index),
    )
}

/// A line cut into rows of `width` columns (characters wider than a row get one each).
fn wrap_rows(line: Line<'_>, width: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthChar;
    let width = width.max(1);
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                if !piece.is_empty() {
                    row.push(Span::styled(std::mem::take(&mut piece), span.style));
                }
                rows.push(Line::from(std::mem::take(&mut row)));
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        if !piece.is_empty() {
            row.push(Span::styled(piece, span.style));
        }
    }
    rows.push(Line::from(row));
    rows
}
