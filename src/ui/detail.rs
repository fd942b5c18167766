//! The detail page of one object: its sections one under another, the focused section's
//! title highlighted, and selectable lines (pods, operations, components) with a cursor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::list::fit_spans;
use super::widgets::{block, cell_span};
use crate::app::App;
use crate::app::detail::sections;
use crate::app::state::Layout;
use crate::app::strings;
use crate::model::ObjectKey;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, key: &ObjectKey, ctx: &Ctx) -> Layout {
    let t = ctx.theme;
    let outer = block(format!(" {} {} ", key.kind, key.name), true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let secs = sections(&app.store, key, app.now);
    if secs.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(strings::OBJECT_GONE, t.style("muted"))),
            inner,
        );
        return Layout::default();
    }
    // Column widths per section, so cells line up like a table.
    let mut lines: Vec<(Line, Style)> = Vec::new();
    let mut cursor_line = 0;
    for (si, sec) in secs.iter().enumerate() {
        let focused = si == app.page.pane;
        let title_style = if focused {
            t.style("title.focused").patch(t.style("title"))
        } else {
            t.style("muted")
        };
        let marker = if focused { "▸ " } else { "  " };
        let marker = if t.ascii() && focused { "> " } else { marker };
        lines.push((
            Line::from(Span::styled(format!("{marker}{}", sec.title), title_style)),
            Style::default(),
        ));
        let ncols = sec.lines.iter().map(|l| l.cells.len()).max().unwrap_or(0);
        let widths: Vec<usize> = (0..ncols)
            .map(|c| {
                sec.lines
                    .iter()
                    .filter_map(|l| l.cells.get(c))
                    .map(super::widgets::cell_width)
                    .max()
                    .unwrap_or(0)
                    .min(36)
            })
            .collect();
        let mut selectable = 0;
        for l in &sec.lines {
            let is_cursor = focused && l.target.is_some() && selectable == app.page.cursor;
            if l.target.is_some() {
                selectable += 1;
            }
            let mut spans = vec![Span::raw("    ")];
            for (c, cell) in l.cells.iter().enumerate() {
                let mut parts = cell_span(cell, ctx);
                let last = c + 1 == l.cells.len();
                if !last {
                    fit_spans(&mut parts, widths[c], t.ascii());
                    let used: usize = parts.iter().map(|s| s.width()).sum();
                    parts.push(Span::raw(
                        " ".repeat(widths[c] + 2 - used.min(widths[c] + 2)),
                    ));
                }
                spans.extend(parts);
            }
            if is_cursor {
                cursor_line = lines.len();
            }
            let style = if is_cursor {
                t.style("table.selected")
            } else {
                Style::default()
            };
            lines.push((Line::from(spans), style));
        }
    }
    let height = inner.height as usize;
    // Keep the focused section's title and the cursor in view.
    let focus_title = {
        let mut n = 0;
        for sec in secs.iter().take(app.page.pane) {
            n += 1 + sec.lines.len();
        }
        n
    };
    let want = cursor_line.max(focus_title);
    let first = if want >= height { want + 1 - height } else { 0 };
    let first = first.min(focus_title);
    for (n, (line, style)) in lines.into_iter().skip(first).take(height).enumerate() {
        let r = Rect {
            y: inner.y + n as u16,
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(line).style(style), r);
    }
    Layout {
        body_top: inner.y,
        body_left: inner.x,
        body_width: inner.width,
        body_rows: inner.height,
        first_row: first,
    }
}
