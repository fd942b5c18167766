//! Small rendering helpers shared by the views.

use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders};

use super::Ctx;
use crate::app::tables::Cell;

/// A bordered block with a title, focused or not.
pub fn block<'a>(title: impl Into<String>, focused: bool, ctx: &Ctx) -> Block<'a> {
    let (border, title_style) = if focused {
        (
            ctx.theme.style("border.focused"),
            ctx.theme.style("title.focused"),
        )
    } else {
        (ctx.theme.style("border"), ctx.theme.style("title"))
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Plain)
        .border_style(border)
        .title(Span::styled(title.into(), title_style))
}

/// A cell as a span: phase cells get their symbol and style.
pub fn cell_span<'a>(cell: &'a Cell, ctx: &Ctx) -> Vec<Span<'a>> {
    match &cell.phase {
        Some(phase) => {
            let (style, symbol) = ctx.theme.phase(phase);
            vec![
                Span::styled(format!("{symbol} "), style),
                Span::styled(cell.text.as_str(), style),
            ]
        }
        None => vec![Span::raw(cell.text.as_str())],
    }
}

/// Display width of a cell including its phase symbol.
pub fn cell_width(cell: &Cell) -> usize {
    unicode_width::UnicodeWidthStr::width(cell.text.as_str())
        + if cell.phase.is_some() { 2 } else { 0 }
}

/// Truncates to `width` columns, marking the cut with `…` (or `~` in ASCII mode).
pub fn truncate(s: &str, width: usize, ascii: bool) -> String {
    use unicode_width::UnicodeWidthChar;
    if unicode_width::UnicodeWidthStr::width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push(if ascii { '~' } else { '…' });
    out
}
