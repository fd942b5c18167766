//! A list view: the table of one kind, with columns that fit the width (least important
//! columns give way first), the selection kept visible, and grouped pods.

use std::rc::Rc;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::widgets::{SELECTED, block, cell_span, cell_width, on_surface, truncate};
use crate::app::App;
use crate::app::actions::ViewKind;
use crate::app::state::Layout;
use crate::app::strings;
use crate::app::tables::{self, CellRef, Shown, Table};
use crate::model::{Kind, OpKind};

/// How much a column matters in a view (0 = most): when the table does not fit, columns are
/// taken in this order while they fit, so the least important ones give way first.
fn priority(view: ViewKind, header: &str) -> u8 {
    use ViewKind::*;
    match (view, header) {
        // What is wrong matters more than where: the namespace gives way to the reason.
        (Problems, "NAMESPACE") => 3,
        (_, "NAME") => 0,
        (_, "PHASE" | "STATUS") => 1,
        (_, "NAMESPACE") => 2,
        (Runtimes, "WORKER" | "MASTER" | "CLIENT") => 3,
        (Runtimes, "CACHED%") => 4,
        (Runtimes, "AGE") => 5,
        (Runtimes, "DATASET" | "CLASS") => 6,
        (Pods, "READY") => 3,
        (Pods, "RESTARTS" | "AGE") => 4,
        (Pods, "COMPONENT" | "NODE") => 5,
        (Pods, "RUNTIME") => 6,
        (Ops, "KIND") => 3,
        (Ops, "DATASET" | "MESSAGE" | "DURATION") => 4,
        (Ops, "POLICY") => 5,
        (Ops, "AGE") => 6,
        (Datasets, "CACHED%") => 3,
        (Datasets, "CACHED" | "CAPACITY") => 4,
        (Datasets, "RUNTIME" | "HIT RATIO" | "AGE") => 5,
        (Classes, "FILESYSTEM" | "WORKER") => 3,
        (Classes, "MASTER" | "CLIENT" | "RUNTIMES") => 4,
        (Classes, "OPERATIONS") => 5,
        (Maintenance, "STEP") => 2,
        (Maintenance, "RUNTIME" | "TYPE") => 3,
        (Maintenance, "AGE") => 5,
        (Problems, "WHY") => 2,
        (Problems, "KIND") => 4,
        (Problems, "SINCE") => 5,
        (Events, "OBJECT" | "REASON") => 1,
        (Events, "LAST SEEN") => 2,
        (Events, "MESSAGE") => 3,
        (Events, "TYPE") => 4,
        (Events, "COUNT") => 5,
        (Nodes, "READY") => 1,
        (Nodes, "CACHE ROLE") => 2,
        (Nodes, "PODS") => 3,
        (Nodes, "WHY" | "FLUID LABELS") => 4,
        (Nodes, "AGE") => 5,
        _ => 7,
    }
}

/// Columns whose text may be cut (with `…`) down to this width rather than dropped.
fn shrink_min(header: &str) -> Option<usize> {
    match header {
        "NAME" => Some(18),
        "MESSAGE" | "MOUNTS" | "STEP" | "WHY" | "CACHE ROLE" | "OBJECT" => Some(14),
        "NODE" | "ENTRIES" | "OPERATIONS" | "DATASET" | "RUNTIME" => Some(10),
        _ => None,
    }
}

/// Component columns (`● Ready 1/1`) can drop the phase word and keep symbol and count
/// (`● 1/1`): the symbol still tells the phase without colour.
fn compactable(header: &str) -> bool {
    matches!(header, "MASTER" | "WORKER" | "CLIENT")
}

/// A cell's text without its leading phase word, for compact component columns.
fn compact_text(cell: CellRef<'_>) -> Option<&str> {
    let phase = cell.phase?;
    cell.text
        .strip_prefix(phase)
        .map(str::trim_start)
        .filter(|rest| !rest.is_empty())
}

fn compact_width(cell: CellRef<'_>) -> usize {
    match compact_text(cell) {
        Some(rest) => unicode_width::UnicodeWidthStr::width(rest) + 2,
        None => cell_width(cell),
    }
}

const GAP: usize = 2;
/// No column grows beyond this while other columns still want room.
const MAX_COL: usize = 40;
/// Essential columns are kept at least this wide (or their content) before others are added.
const PREFERRED_MAX: usize = 32;

/// A column chosen for display.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Col {
    index: usize,
    width: usize,
    compact: bool,
}

/// Which columns to show, how wide, and whether compact, for the rows in view.
fn fit_columns(
    table: &Table,
    rows: &[Vec<Shown<'_>>],
    view: ViewKind,
    width: usize,
    all_ns: bool,
    sorted: Option<usize>,
) -> Vec<Col> {
    struct Want {
        index: usize,
        natural: usize,
        min: usize,
        compact: Option<usize>,
        prio: u8,
    }
    let wants: Vec<Want> = table
        .headers
        .iter()
        .enumerate()
        .filter(|(_, h)| all_ns || **h != "NAMESPACE")
        .map(|(i, h)| {
            let widest = |f: fn(CellRef<'_>) -> usize| {
                rows.iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| f(c.into()))
                    .max()
                    .unwrap_or(0)
                    .max(h.len() + usize::from(sorted == Some(i)))
            };
            let natural = widest(|c| cell_width(c));
            let compact = compactable(h)
                .then(|| widest(compact_width))
                .filter(|c| *c < natural);
            let min = match shrink_min(h) {
                Some(m) => natural.min(m.max(h.len())),
                None => compact.unwrap_or(natural),
            };
            Want {
                index: i,
                natural,
                min,
                compact,
                prio: priority(view, h),
            }
        })
        .collect();
    if wants.is_empty() {
        return Vec::new();
    }
    // Every column is counted with its gap; the last one needs none.
    let budget = width + GAP;
    // The essential columns (name, phase, namespace) are not cut to make room for others
    // unless they alone do not fit.
    let preferred = |w: &Want| w.natural.min(PREFERRED_MAX).max(w.min);
    let essentials: usize = wants
        .iter()
        .filter(|w| w.prio <= 2)
        .map(|w| preferred(w) + GAP)
        .sum();
    let mut widths: Vec<usize> = wants
        .iter()
        .map(|w| {
            if w.prio <= 2 && essentials <= budget {
                preferred(w)
            } else {
                w.min
            }
        })
        .collect();
    if essentials > budget {
        // Cut essentials to their minimum, then give them back what room there is, most
        // important first, before any other column is considered.
        let mut room = budget.saturating_sub(
            wants
                .iter()
                .zip(&widths)
                .filter(|(w, _)| w.prio <= 2)
                .map(|(_, width)| width + GAP)
                .sum(),
        );
        let mut order: Vec<usize> = (0..wants.len()).filter(|&n| wants[n].prio <= 2).collect();
        order.sort_by_key(|&n| (wants[n].prio, n));
        for n in order {
            let add = preferred(&wants[n]).saturating_sub(widths[n]).min(room);
            widths[n] += add;
            room -= add;
        }
    }
    // Take columns by importance while their smallest form fits.
    let mut order: Vec<usize> = (0..wants.len()).collect();
    order.sort_by_key(|&n| (wants[n].prio, n));
    let mut chosen: Vec<usize> = Vec::new();
    let mut used = 0;
    for &n in &order {
        let need = widths[n] + GAP;
        if used + need <= budget || chosen.is_empty() {
            chosen.push(n);
            used += need;
        }
    }
    let mut spare = budget.saturating_sub(used);
    // Give room back in order of importance: cut columns up to MAX_COL, then component
    // columns their phase words (all or none, so they read alike), then the rest.
    let grow = |n: usize, to: usize, spare: &mut usize, widths: &mut Vec<usize>| {
        let add = to.saturating_sub(widths[n]).min(*spare);
        widths[n] += add;
        *spare -= add;
    };
    for &n in chosen.iter().filter(|&&n| wants[n].compact.is_none()) {
        grow(n, wants[n].natural.min(MAX_COL), &mut spare, &mut widths);
    }
    let compact_cols: Vec<usize> = chosen
        .iter()
        .copied()
        .filter(|&n| wants[n].compact.is_some())
        .collect();
    let expand: usize = compact_cols
        .iter()
        .map(|&n| wants[n].natural - widths[n])
        .sum();
    let mut compact = expand > spare;
    if !compact {
        for &n in &compact_cols {
            grow(n, wants[n].natural, &mut spare, &mut widths);
        }
    }
    for &n in &chosen {
        if !(compact && wants[n].compact.is_some()) {
            grow(n, wants[n].natural, &mut spare, &mut widths);
        }
    }
    if compact_cols.is_empty() {
        compact = false;
    }
    chosen.sort_unstable();
    let mut cols: Vec<Col> = chosen
        .into_iter()
        .map(|n| Col {
            index: wants[n].index,
            width: widths[n],
            compact: compact && wants[n].compact.is_some(),
        })
        .collect();
    // The last column takes what is left; a single column is cut to the width.
    let before: usize = cols[..cols.len() - 1].iter().map(|c| c.width + GAP).sum();
    if let Some(last) = cols.last_mut() {
        last.width = width.saturating_sub(before).max(1);
    }
    cols
}

/// The kinds a view shows.
fn kinds_of(view: ViewKind) -> Vec<Kind> {
    match view {
        ViewKind::Runtimes => vec![Kind::CacheRuntime],
        ViewKind::Pods => vec![Kind::Pod],
        ViewKind::Ops => OpKind::ALL.into_iter().map(Kind::Operation).collect(),
        ViewKind::Datasets => vec![Kind::Dataset],
        ViewKind::Classes => vec![Kind::CacheRuntimeClass],
        ViewKind::Maintenance => vec![Kind::CacheRuntimeMaintenance],
        ViewKind::Timeline => vec![],
        ViewKind::Problems => vec![],
        ViewKind::Events => vec![Kind::Event],
        ViewKind::Nodes => vec![Kind::Node],
    }
}

/// Which of the view's kinds could not be listed, and why (a missing CRD, RBAC, a failing
/// watch): the view says so whether or not other kinds have rows.
fn unavailable(view: ViewKind, app: &App) -> Option<String> {
    let reasons: Vec<String> = kinds_of(view)
        .into_iter()
        .filter_map(|kind| strings::kind_unavailable(kind, &app.store.availability(kind)))
        .collect();
    (!reasons.is_empty()).then(|| reasons.join(strings::UNAVAILABLE_SEP))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: ViewKind, ctx: &Ctx) -> Layout {
    let t = ctx.theme;
    let table = app.table(view);
    let st = app.list(view);
    let title = if view == ViewKind::Classes {
        // Cluster-scoped: no namespace in the title.
        let count = if table.rows.len() == table.total {
            table.total.to_string()
        } else {
            format!("{}/{}", table.rows.len(), table.total)
        };
        match st.filter.as_str() {
            "" => format!(" {} [{count}] ", view.name()),
            f => format!(" {} [{count}] /{f} ", view.name()),
        }
    } else {
        strings::view_title(
            view.name(),
            app.namespace.as_deref(),
            table.rows.len(),
            table.total,
            &st.filter,
        )
    };
    let outer = block(title, true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if inner.height < 2 || inner.width < 4 {
        return Layout::default();
    }
    let not_listed = unavailable(view, app);
    // With rows shown, the last line says which kinds are missing from them.
    let notice_rows =
        usize::from(not_listed.is_some() && !table.rows.is_empty() && inner.height >= 3);
    let body_rows = (inner.height as usize - 1)
        .saturating_sub(notice_rows)
        .max(1);
    let selected = st.selected.min(table.rows.len().saturating_sub(1));
    let mut offset = app.layout.first_row.min(selected);
    if selected >= offset + body_rows {
        offset = selected + 1 - body_rows;
    }
    let visible =
        &table.rows[offset.min(table.rows.len())..(offset + body_rows).min(table.rows.len())];
    let all_ns = app.namespace.is_none();
    // Only the rows in view are formatted at this frame's "now" (ages).
    let shown: Vec<Vec<Shown>> = visible
        .iter()
        .map(|r| r.cells().iter().map(|c| c.shown(app.now)).collect())
        .collect();
    let sorted = tables::sorted_header(view, st.sort)
        .and_then(|h| table.headers.iter().position(|x| *x == h));
    let cols = fit_columns(&table, &shown, view, inner.width as usize, all_ns, sorted);

    let header: Vec<Span> = cols
        .iter()
        .map(|c| {
            let name = table.headers[c.index];
            let text = if sorted == Some(c.index) {
                format!("{name}{}", sort_arrow(st.reverse, t.ascii()))
            } else {
                name.to_string()
            };
            Span::styled(
                format!(
                    "{:<w$}",
                    truncate(&text, c.width, t.ascii()),
                    w = c.width + GAP
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
        let (msg, style) = match &not_listed {
            Some(why) => (why.clone(), t.style("notice")),
            None => (strings::NO_ROWS.to_string(), t.style("muted")),
        };
        let r = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
        let lines: Vec<Line> = super::widgets::wrap(&msg, inner.width as usize)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style)))
            .collect();
        frame.render_widget(Paragraph::new(lines), r);
    } else if let Some(why) = not_listed.as_ref().filter(|_| notice_rows == 1) {
        let r = Rect {
            y: inner.y + inner.height - 1,
            height: 1,
            ..inner
        };
        let text = truncate(&strings::not_listed(why), inner.width as usize, t.ascii());
        frame.render_widget(Paragraph::new(Span::styled(text, t.style("notice"))), r);
    }
    let mut prev_group: Option<&Rc<String>> = if offset > 0 {
        table.rows.get(offset - 1).and_then(|r| r.group.as_ref())
    } else {
        None
    };
    for (n, (row, cells)) in visible.iter().zip(&shown).enumerate() {
        let is_selected = offset + n == selected;
        let same_group = row.group.is_some() && row.group.as_ref() == prev_group;
        prev_group = row.group.as_ref();
        let mut spans = Vec::new();
        for c in &cols {
            let w = &c.width;
            let Some(cell) = cells.get(c.index).map(CellRef::from) else {
                continue;
            };
            let repeat = same_group && matches!(table.headers[c.index], "RUNTIME" | "COMPONENT");
            let mut parts: Vec<Span> = if repeat {
                vec![Span::styled(
                    if t.ascii() { "  \"" } else { "  ·" },
                    t.style("table.dim"),
                )]
            } else if let (true, Some(rest), Some(phase)) =
                (c.compact, compact_text(cell), cell.phase)
            {
                let (style, symbol) = t.phase(phase);
                vec![
                    Span::styled(format!("{symbol} "), style),
                    Span::styled(rest, style),
                ]
            } else {
                cell_span(cell, ctx)
            };
            fit_spans(&mut parts, *w, t.ascii());
            let used: usize = parts.iter().map(|s| s.width()).sum();
            spans.extend(parts);
            spans.push(Span::raw(" ".repeat(w + GAP - used.min(w + GAP))));
        }
        let (line, line_style) = if is_selected {
            let line = on_surface(Line::from(spans), SELECTED, ctx);
            (line, t.style(SELECTED))
        } else {
            (Line::from(spans), Style::default())
        };
        let r = Rect {
            y: inner.y + 1 + n as u16,
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(line).style(line_style), r);
    }
    Layout {
        body_top: inner.y + 1,
        body_left: inner.x,
        body_width: inner.width,
        body_rows: body_rows as u16,
        first_row: offset,
        ..Layout::default()
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

/// The mark after the sorted column's header: ▲ in the sort's own order, ▼ reversed.
fn sort_arrow(reverse: bool, ascii: bool) -> &'static str {
    match (reverse, ascii) {
        (false, false) => "▲",
        (true, false) => "▼",
        (false, true) => "^",
        (true, true) => "v",
    }
}
