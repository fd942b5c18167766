//! A list view: the table of one kind, with columns that fit the width (least important
//! columns give way first), the selection kept visible, and grouped pods.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::widgets::{block, cell_span, cell_width, truncate};
use crate::app::App;
use crate::app::actions::ViewKind;
use crate::app::state::Layout;
use crate::app::strings;
use crate::app::tables::{Row, Table};
use crate::cluster::Availability;
use crate::model::{Kind, OpKind};

/// How much a column matters (0 = most): columns with the highest number are dropped first
/// when the table does not fit.
fn priority(view: ViewKind, header: &str, all_namespaces: bool) -> u8 {
    match header {
        "NAME" => 0,
        "PHASE" | "STATUS" => 1,
        "NAMESPACE" if all_namespaces => 2,
        "NAMESPACE" => 9,
        "WORKER" | "KIND" | "DATASET" | "RUNTIME" | "READY" => 3,
        "MASTER" | "COMPONENT" | "DURATION" | "FILESYSTEM" => 4,
        "AGE" => 5,
        "MESSAGE" if view == ViewKind::Ops => 4,
        "CLIENT" | "CACHED%" | "RESTARTS" | "POLICY" | "OPERATIONS" => 6,
        "CLASS" | "NODE" | "MOUNTS" | "ENTRIES" => 7,
        _ => 8,
    }
}

const GAP: usize = 2;
/// No column is drawn wider than this unless it is the last one.
const MAX_COL: usize = 40;

/// Which columns to show and how wide, for the rows in view.
fn fit_columns(
    table: &Table,
    rows: &[Row],
    view: ViewKind,
    width: usize,
    all_ns: bool,
) -> Vec<(usize, usize)> {
    let mut cols: Vec<(usize, usize)> = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let w = rows
                .iter()
                .map(|r| r.cells.get(i).map_or(0, cell_width))
                .max()
                .unwrap_or(0);
            (i, w.max(h.len()).min(MAX_COL))
        })
        .collect();
    if !all_ns {
        cols.retain(|(i, _)| table.headers[*i] != "NAMESPACE");
    }
    let total = |cols: &[(usize, usize)]| cols.iter().map(|(_, w)| w + GAP).sum::<usize>();
    while total(&cols) > width && cols.len() > 1 {
        let drop = cols
            .iter()
            .enumerate()
            .max_by_key(|(pos, (i, _))| (priority(view, table.headers[*i], all_ns), *pos))
            .map(|(pos, _)| pos);
        match drop {
            Some(pos) => {
                cols.remove(pos);
            }
            None => break,
        }
    }
    // The last column takes what is left; a single column is cut to the width.
    let used: usize = total(&cols[..cols.len().saturating_sub(1)]);
    if let Some(last) = cols.last_mut() {
        last.1 = width.saturating_sub(used).max(1);
    }
    cols
}

fn empty_message(view: ViewKind, app: &App) -> String {
    let kinds: Vec<Kind> = match view {
        ViewKind::Runtimes => vec![Kind::CacheRuntime],
        ViewKind::Pods => vec![Kind::Pod],
        ViewKind::Ops => OpKind::ALL.into_iter().map(Kind::Operation).collect(),
        ViewKind::Datasets => vec![Kind::Dataset],
        ViewKind::Classes => vec![Kind::CacheRuntimeClass],
        ViewKind::Maintenance => vec![Kind::CacheRuntimeMaintenance],
        ViewKind::Timeline => vec![],
    };
    for kind in kinds {
        match app.store.availability(kind) {
            Availability::NotInstalled => {
                return format!("{kind}: CRD not installed in this cluster");
            }
            Availability::Forbidden(why) => return format!("{kind}: forbidden by RBAC ({why})"),
            Availability::Failing(why) => return format!("{kind}: {why}"),
            Availability::Available => {}
        }
    }
    strings::NO_ROWS.to_string()
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: ViewKind, ctx: &Ctx) -> Layout {
    let t = ctx.theme;
    let table = app.table(view);
    let st = app.list(view);
    let title = strings::view_title(
        view.name(),
        app.namespace.as_deref(),
        table.rows.len(),
        table.total,
        &st.filter,
    );
    let outer = block(title, true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if inner.height < 2 || inner.width < 4 {
        return Layout::default();
    }
    let body_rows = (inner.height - 1) as usize;
    let selected = st.selected.min(table.rows.len().saturating_sub(1));
    let mut offset = app.layout.first_row.min(selected);
    if selected >= offset + body_rows {
        offset = selected + 1 - body_rows;
    }
    let visible =
        &table.rows[offset.min(table.rows.len())..(offset + body_rows).min(table.rows.len())];
    let all_ns = app.namespace.is_none();
    let cols = fit_columns(&table, visible, view, inner.width as usize, all_ns);

    let header: Vec<Span> = cols
        .iter()
        .map(|(i, w)| {
            Span::styled(
                format!(
                    "{:<w$}",
                    truncate(table.headers[*i], *w, t.ascii()),
                    w = w + GAP
                ),
                t.style("table.header"),
            )
        })
        .collect();
    frame.render_widget(
        Paragraph::new(Line::from(header)),
        Rect { height: 1, ..inner },
    );

    if table.rows.is_empty() {
        let msg = empty_message(view, app);
        let r = Rect {
            y: inner.y + 1,
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(Span::styled(msg, t.style("muted"))), r);
    }
    let mut prev_group: Option<&String> = if offset > 0 {
        table.rows.get(offset - 1).and_then(|r| r.group.as_ref())
    } else {
        None
    };
    for (n, row) in visible.iter().enumerate() {
        let is_selected = offset + n == selected;
        let same_group = row.group.is_some() && row.group.as_ref() == prev_group;
        prev_group = row.group.as_ref();
        let mut spans = Vec::new();
        for (i, w) in &cols {
            let Some(cell) = row.cells.get(*i) else {
                continue;
            };
            let repeat = same_group && matches!(table.headers[*i], "RUNTIME" | "COMPONENT");
            let mut parts: Vec<Span> = if repeat {
                vec![Span::styled(
                    if t.ascii() { "  \"" } else { "  ·" },
                    t.style("table.dim"),
                )]
            } else {
                cell_span(cell, ctx)
            };
            fit_spans(&mut parts, *w, t.ascii());
            let used: usize = parts.iter().map(|s| s.width()).sum();
            spans.extend(parts);
            spans.push(Span::raw(" ".repeat(w + GAP - used.min(w + GAP))));
        }
        let line_style = if is_selected {
            t.style("table.selected")
        } else {
            Style::default()
        };
        let r = Rect {
            y: inner.y + 1 + n as u16,
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(Line::from(spans)).style(line_style), r);
    }
    Layout {
        body_top: inner.y + 1,
        body_left: inner.x,
        body_width: inner.width,
        body_rows: body_rows as u16,
        first_row: offset,
    }
}

/// Cuts a cell's spans to `width` columns.
pub fn fit_spans(parts: &mut Vec<Span>, width: usize, ascii: bool) {
    let total: usize = parts.iter().map(|s| s.width()).sum();
    if total <= width {
        return;
    }
    let mut left = width;
    let mut out = Vec::new();
    for s in parts.drain(..) {
        if left == 0 {
            break;
        }
        let w = s.width();
        if w < left {
            left -= w;
            out.push(s);
        } else {
            out.push(Span::styled(truncate(&s.content, left, ascii), s.style));
            left = 0;
        }
    }
    *parts = out;
}
