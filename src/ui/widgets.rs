//! Small rendering helpers shared by the views.

use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders};
use unicode_width::UnicodeWidthStr;

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

/// The longest head of `text` that fits in `width` columns, broken at a space (a word longer
/// than the width is broken inside), and the rest without its leading spaces.
fn take_line(text: &str, width: usize) -> (&str, &str) {
    use unicode_width::UnicodeWidthChar;
    let width = width.max(1);
    if text.width() <= width {
        return (text, "");
    }
    let mut used = 0;
    let mut last_space = None;
    let mut cut = text.len();
    for (i, ch) in text.char_indices() {
        let w = ch.width().unwrap_or(0);
        if used + w > width {
            cut = i;
            break;
        }
        if ch == ' ' && i > 0 {
            last_space = Some(i);
        }
        used += w;
    }
    let at = match last_space {
        Some(sp) if !text[..sp].trim().is_empty() => sp,
        _ => cut.max(text.chars().next().map_or(1, char::len_utf8)),
    };
    (text[..at].trim_end(), text[at..].trim_start())
}

/// Splits text into lines of at most `width` columns at spaces.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let (line, more) = take_line(rest, width);
        out.push(line.to_string());
        if more.is_empty() {
            return out;
        }
        rest = more;
    }
}

/// Wraps a summary line, continuation lines indented under its text (after the leading
/// spaces and a `1.`, `-` or `!` bullet).
pub fn wrap_hanging(text: &str, width: usize) -> Vec<String> {
    let lead = text.len() - text.trim_start().len();
    let bullet = text[lead..]
        .split_once(' ')
        .map(|(b, _)| b)
        .filter(|b| {
            *b == "-"
                || *b == "!"
                || (b.len() > 1 && b.ends_with('.') && b[..b.len() - 1].parse::<u32>().is_ok())
        })
        .map_or(0, |b| b.len() + 1);
    let indent = lead + bullet;
    if indent + 10 > width {
        return wrap(text, width);
    }
    let (head, mut rest) = take_line(text, width);
    let mut out = vec![head.to_string()];
    while !rest.is_empty() {
        let (line, more) = take_line(rest, width - indent);
        out.push(format!("{}{line}", " ".repeat(indent)));
        rest = more;
    }
    out
}
