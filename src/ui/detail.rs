//! The detail page of one object: its sections one under another, the focused section's
//! title highlighted, and selectable lines (pods, operations, components) with a cursor.
//!
//! Cells line up in columns. A section is cut into blocks: a field line (first cell `Label:`)
//! starts a block that its continuation lines (first cell empty) join, and consecutive other
//! lines form one table block. Labels line up across the section, other columns within their
//! block. A column is as wide as its widest cell among the lines where it is not the last cell;
//! when the columns do not fit, the widest give way first. The last cell of a line takes what is
//! left of the row: a field's wraps onto further rows, a table row's is cut with an ellipsis
//! (Enter on the row opens the object with everything).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::highlight::marked;
use super::list::fit_spans;
use super::widgets::{SELECTED, block, cell_span, cell_width, on_surface, truncate};
use crate::app::App;
use crate::app::detail::{DetailLine, Section, sections};
use crate::app::state::Layout;
use crate::app::strings;
use crate::app::tables::Cell;
use crate::app::text_pages::{self, DescribePlace};
use crate::model::ObjectKey;

/// Indent of section lines under their title.
const INDENT: usize = 2;
/// Space between columns.
const GAP: usize = 2;
/// In a field block, the last cell keeps at least this many columns before others narrow (it
/// wraps); in a table block it only gets what the other columns leave.
const MIN_LAST: usize = 6;
/// A cut last cell narrower than this is left out rather than shown as a stub.
const MIN_STUB: usize = 4;
/// No column is narrowed below this.
const MIN_COL: usize = 4;
/// A field's last cell wraps onto further rows only when at least this much room is left.
const MIN_WRAP: usize = 16;
/// At most this many rows per wrapped line.
const MAX_WRAPPED_ROWS: usize = 6;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, key: &ObjectKey, ctx: &Ctx) -> Layout {
    let t = ctx.theme;
    let secs = sections(&app.store, key, app.now);
    let search = if app.page.search.is_empty() {
        String::new()
    } else {
        super::pages::search_title(app, &text_pages::describe_lines(&secs))
    };
    let title = if key.namespace.is_empty() {
        format!(" {} {}{search} ", key.kind, key.name)
    } else {
        format!(" {} {}/{}{search} ", key.kind, key.namespace, key.name)
    };
    let outer = block(title, true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if secs.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(strings::OBJECT_GONE, t.style("muted"))),
            inner,
        );
        return Layout::default();
    }
    let avail = (inner.width as usize).saturating_sub(INDENT);
    let pane = app.page.pane.min(secs.len() - 1);
    // The line of the search's current match, to mark and keep on screen.
    let current = app
        .page
        .search_at
        .filter(|_| !app.page.search.is_empty())
        .and_then(|m| text_pages::describe_places(&secs).get(m).copied().flatten());
    let mut current_rows: Option<(usize, usize)> = None;
    let search_mark = t.style("filter.match");
    let search = app.page.search.as_str();
    let mut rows: Vec<(Line, Style)> = Vec::new();
    let mut cursor_row = 0;
    let mut focus_title = 0;
    let mut focus_end = 0;
    for (si, sec) in secs.iter().enumerate() {
        let focused = si == pane;
        let title_style = if focused {
            t.style("title").patch(t.style("title.focused"))
        } else {
            t.style("muted")
        };
        let marker = match (focused, t.ascii()) {
            (true, true) => "> ",
            (true, false) => "▸ ",
            (false, _) => "  ",
        };
        if focused {
            focus_title = rows.len();
        }
        let here = |line| current == Some(DescribePlace { section: si, line });
        if here(None) {
            current_rows = Some((rows.len(), rows.len() + 1));
        }
        rows.push((
            marked(
                Line::from(Span::styled(format!("{marker}{}", sec.title), title_style)),
                search,
                search_mark,
                here(None),
            ),
            Style::default(),
        ));
        let layout = SectionLayout::new(sec, avail);
        let highlighted = if focused {
            cursor_index(sec, app.page.cursor)
        } else {
            None
        };
        let keep = focused.then(|| cursor_target(sec, app.page.cursor));
        for (li, l) in sec.lines.iter().enumerate() {
            if keep == Some(li) {
                cursor_row = rows.len();
            }
            let selected = highlighted == Some(li);
            let at = here(Some(li));
            let start = rows.len();
            for line in line_rows(l, &layout, li, avail, ctx) {
                let line = marked(line, search, search_mark, at);
                if selected {
                    rows.push((on_surface(line, SELECTED, ctx), t.style(SELECTED)));
                } else {
                    rows.push((line, Style::default()));
                }
            }
            if at {
                current_rows = Some((start, rows.len()));
            }
        }
        if focused {
            focus_end = rows.len();
        }
    }
    let height = inner.height as usize;
    // Show as much of the focused section as fits, never hide its title, always the cursor
    // (and the search's current match).
    let mut first = focus_end.saturating_sub(height).min(focus_title);
    if cursor_row >= first + height {
        first = cursor_row + 1 - height;
    }
    if let Some((start, end)) = current_rows
        && (start < first || end > first + height)
    {
        first = start.saturating_sub(height / 3);
    }
    for (n, (line, style)) in rows.into_iter().skip(first).take(height).enumerate() {
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
        ..Layout::default()
    }
}

/// The screen rows of one detail line: its cells in their columns, then the last cell cut to
/// the row or, in a field block, wrapped onto further rows under itself.
fn line_rows<'a>(
    l: &'a DetailLine,
    layout: &SectionLayout,
    li: usize,
    avail: usize,
    ctx: &Ctx,
) -> Vec<Line<'a>> {
    let ascii = ctx.theme.ascii();
    let widths = layout.widths(li);
    let mut spans = vec![Span::raw(" ".repeat(INDENT))];
    let Some((last, before)) = trimmed(l).split_last() else {
        return vec![Line::from(spans)];
    };
    let mut used = 0;
    for (c, cell) in before.iter().enumerate() {
        let w = widths.get(c).copied().unwrap_or(0);
        if w == 0 {
            continue;
        }
        let mut parts = cell_span(cell, ctx);
        fit_spans(&mut parts, w, ascii);
        let width: usize = parts.iter().map(|s| s.width()).sum();
        parts.push(Span::raw(" ".repeat((w + GAP).saturating_sub(width))));
        used += w + GAP;
        spans.extend(parts);
    }
    let room = avail.saturating_sub(used);
    let mut parts = cell_span(last, ctx);
    let width: usize = parts.iter().map(|s| s.width()).sum();
    if width > room && room < MIN_STUB {
        return vec![Line::from(spans)];
    }
    if width <= room || !layout.is_field(li) || room < MIN_WRAP {
        fit_spans(&mut parts, room, ascii);
        spans.extend(parts);
        return vec![Line::from(spans)];
    }
    let style = parts.last().map(|s| s.style).unwrap_or_default();
    let text: String = parts.iter().map(|s| s.content.as_ref()).collect();
    let mut wrapped = wrap(&text, room, ascii);
    wrapped.truncate(MAX_WRAPPED_ROWS);
    let mut out = Vec::new();
    for (i, row) in wrapped.into_iter().enumerate() {
        if i == 0 {
            spans.push(Span::styled(row, style));
            out.push(Line::from(std::mem::take(&mut spans)));
        } else {
            out.push(Line::from(vec![
                Span::raw(" ".repeat(INDENT + used)),
                Span::styled(row, style),
            ]));
        }
    }
    out
}

/// Cells of a line without trailing empty ones.
fn trimmed(l: &DetailLine) -> &[Cell] {
    let n = l
        .cells
        .iter()
        .rposition(|c| !c.text.is_empty() || c.phase.is_some())
        .map_or(0, |i| i + 1);
    &l.cells[..n]
}

/// Splits `text` at spaces into rows of at most `width` columns; a word longer than a row is cut.
fn wrap(text: &str, width: usize, ascii: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let w = unicode_width::UnicodeWidthStr::width(word);
        let cw = unicode_width::UnicodeWidthStr::width(cur.as_str());
        if !cur.is_empty() && cw + 1 + w > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    out.push(cur);
    out.into_iter()
        .map(|r| truncate(&r, width, ascii))
        .collect()
}

/// Index (into `sec.lines`) of the line the cursor highlights: the `cursor`-th selectable line,
/// if there is one.
fn cursor_index(sec: &Section, cursor: usize) -> Option<usize> {
    sec.lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.target.is_some())
        .nth(cursor)
        .map(|(i, _)| i)
}

/// The line the view keeps visible for the cursor: the highlighted line, else (in a section
/// without selectable lines, where the cursor scrolls) the cursor-th line.
fn cursor_target(sec: &Section, cursor: usize) -> usize {
    cursor_index(sec, cursor).unwrap_or_else(|| cursor.min(sec.lines.len().saturating_sub(1)))
}

/// Column widths of a section, block by block (see the module comment).
struct SectionLayout {
    /// Block of each line.
    block_of: Vec<usize>,
    /// Column widths of each block, and whether it is a field block.
    blocks: Vec<(Vec<usize>, bool)>,
}

fn is_label(l: &DetailLine) -> bool {
    l.cells.first().is_some_and(|c| c.text.ends_with(':'))
}

fn is_continuation(l: &DetailLine) -> bool {
    l.cells.len() > 1 && l.cells.first().is_some_and(|c| c.text.is_empty())
}

impl SectionLayout {
    fn new(sec: &Section, avail: usize) -> SectionLayout {
        let mut block_of = Vec::with_capacity(sec.lines.len());
        let mut kinds: Vec<bool> = Vec::new();
        for l in &sec.lines {
            let field = is_label(l);
            let join = match kinds.last() {
                None => false,
                Some(_) if field => false,
                Some(&prev_field) => is_continuation(l) || !prev_field,
            };
            if !join {
                kinds.push(field);
            }
            block_of.push(kinds.len() - 1);
        }
        let label_width = sec
            .lines
            .iter()
            .filter(|l| is_label(l))
            .map(|l| cell_width(&l.cells[0]))
            .max()
            .unwrap_or(0);
        let blocks = kinds
            .iter()
            .enumerate()
            .map(|(b, &field)| {
                let lines: Vec<&[Cell]> = sec
                    .lines
                    .iter()
                    .zip(&block_of)
                    .filter(|(_, ob)| **ob == b)
                    .map(|(l, _)| trimmed(l))
                    .collect();
                let fixed = field.then_some(label_width);
                (column_widths(&lines, avail, fixed), field)
            })
            .collect();
        SectionLayout { block_of, blocks }
    }

    fn widths(&self, line: usize) -> &[usize] {
        &self.blocks[self.block_of[line]].0
    }

    fn is_field(&self, line: usize) -> bool {
        self.blocks[self.block_of[line]].1
    }
}

/// Widths of the non-last columns of some lines, narrowed until every line leaves its last cell
/// some room within `avail`. `label` fixes the first column (field labels), which never narrows.
fn column_widths(lines: &[&[Cell]], avail: usize, label: Option<usize>) -> Vec<usize> {
    let ncols = lines.iter().map(|l| l.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; ncols];
    for l in lines {
        for (c, cell) in l.iter().enumerate().take(l.len().saturating_sub(1)) {
            widths[c] = widths[c].max(cell_width(cell));
        }
    }
    if let (Some(w), Some(first)) = (label, widths.first_mut()) {
        *first = w;
    }
    let span = |ws: &[usize]| -> usize { ws.iter().filter(|w| **w > 0).map(|w| w + GAP).sum() };
    let first_free = usize::from(label.is_some());
    loop {
        // The line that overflows most.
        let worst = lines
            .iter()
            .filter(|l| l.len() > 1)
            .map(|l| {
                let n = l.len() - 1;
                let last = if label.is_some() {
                    cell_width(&l[n]).min(MIN_LAST)
                } else {
                    0
                };
                (span(&widths[..n]) + last, n)
            })
            .filter(|(need, _)| *need > avail)
            .max_by_key(|(need, _)| *need);
        let Some((_, n)) = worst else { break };
        // Narrow the widest of that line's columns; stop when none can give way.
        let Some((c, _)) = widths[..n]
            .iter()
            .enumerate()
            .skip(first_free)
            .filter(|(_, w)| **w > MIN_COL)
            .max_by_key(|(i, w)| (**w, std::cmp::Reverse(*i)))
        else {
            break;
        };
        widths[c] -= 1;
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sec(rows: &[&[&str]]) -> Section {
        Section {
            title: "t".into(),
            lines: rows
                .iter()
                .map(|r| DetailLine::cells(r.iter().map(|c| Cell::text(*c)).collect()))
                .collect(),
        }
    }

    #[test]
    fn last_cells_do_not_widen_columns() {
        let s = sec(&[
            &["a", "a very long value that is last"],
            &["b", "ab", "note"],
        ]);
        let l = SectionLayout::new(&s, 100);
        assert_eq!(l.widths(0), [1, 2, 0]);
    }

    #[test]
    fn fields_align_labels_but_not_values() {
        let s = sec(&[
            &["Name:", "a very long value", "note"],
            &["", "continued", "x"],
            &["Longer label:", "v", "w"],
        ]);
        let l = SectionLayout::new(&s, 100);
        assert_eq!(l.widths(0), [13, 17, 0]);
        assert_eq!(l.widths(1), [13, 17, 0]);
        assert_eq!(l.widths(2), [13, 1, 0]);
        assert!(l.is_field(1));
    }

    #[test]
    fn widest_column_gives_way() {
        let cells: Vec<Cell> = ["aaaaaaaaaaaaaaaaaaaa", "bbbbb", "last cell text"]
            .into_iter()
            .map(Cell::text)
            .collect();
        // A table's last cell gets what is left: 20 + 2 + 5 + 2 = 29 fits in 30.
        assert_eq!(column_widths(&[&cells], 30, None), vec![20, 5, 0]);
        // 20 + 2 + 5 + 2 = 29 > 25: the first column gives 4.
        assert_eq!(column_widths(&[&cells], 25, None), vec![16, 5, 0]);
        // A field keeps room for its value: label 6 fixed, 6 + 2 + 5 + 2 + 6 = 21 > 18.
        let field: Vec<Cell> = ["Label:", "bbbbbbb", "value text"]
            .into_iter()
            .map(Cell::text)
            .collect();
        assert_eq!(column_widths(&[&field], 18, Some(6)), vec![6, 4, 0]);
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("aa bb cc", 5, true), vec!["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 4, true), vec!["abc~"]);
    }
}
