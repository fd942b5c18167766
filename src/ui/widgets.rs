//! Small rendering helpers shared by the views.

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};
use unicode_width::UnicodeWidthStr;

use super::Ctx;
use crate::app::actions::{Action, KeyMode};
use crate::app::load_form::Input;
use crate::app::tables::CellRef;

/// The style key of a selected row.
pub const SELECTED: &str = "table.selected";

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
pub fn cell_span<'a>(cell: impl Into<CellRef<'a>>, ctx: &Ctx) -> Vec<Span<'a>> {
    let cell = cell.into();
    match cell.phase {
        Some(phase) => {
            let (style, symbol) = ctx.theme.phase(phase);
            vec![
                Span::styled(format!("{symbol} "), style),
                Span::styled(cell.text, style),
            ]
        }
        None => vec![Span::raw(cell.text)],
    }
}

/// The spans of a row drawn on a highlighted bar (`surface`, such as `table.selected`), each
/// restyled to read on it (see [`crate::config::Theme::on`]).
pub fn on_surface<'a>(line: Line<'a>, surface: &str, ctx: &Ctx) -> Line<'a> {
    let spans = line
        .spans
        .into_iter()
        .map(|s| {
            let style = ctx.theme.on(surface, s.style);
            s.style(style)
        })
        .collect::<Vec<_>>();
    Line::from(spans)
}

/// Display width of a cell including its phase symbol.
pub fn cell_width<'a, C: Into<CellRef<'a>>>(cell: C) -> usize {
    let cell = cell.into();
    unicode_width::UnicodeWidthStr::width(cell.text) + if cell.phase.is_some() { 2 } else { 0 }
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

// ------------------------------------------------------------------ form fields
//
// The load form and the maintenance wizards draw their fields alike: a focus marker, a label
// column, the value (text input, choice, checkbox), the hint while focused; errors and notes
// start under the value.

/// `text` indented past the marker and a blank label column of `label_w`: where a field's
/// error or a note under it starts.
pub(crate) fn under_label(text: &str, label_w: usize) -> String {
    format!("  {:label_w$}{text}", "")
}

/// The mark before a field's error: `✗` (`x` in ASCII mode).
pub(crate) fn error_mark(ctx: &Ctx) -> &'static str {
    if ctx.theme.ascii() { "x" } else { "✗" }
}

/// A field row (without its error): the focus marker, the label padded to `label_w` columns,
/// the value, and the hint while the field is focused.
pub(crate) fn field_row<'a>(
    label: &str,
    label_w: usize,
    value: Vec<Span<'a>>,
    hint: Option<&str>,
    focused: bool,
    ctx: &Ctx,
) -> Vec<Span<'a>> {
    let t = ctx.theme;
    let marker = match (focused, t.ascii()) {
        (true, false) => "▸ ",
        (true, true) => "> ",
        _ => "  ",
    };
    let label_style = if focused {
        t.style("title.focused")
    } else {
        t.style("form.label")
    };
    let mut spans = vec![
        Span::styled(marker, t.style("form.label")),
        Span::styled(format!("{label:<label_w$}"), label_style),
    ];
    spans.extend(value);
    if let Some(h) = hint.filter(|_| focused) {
        spans.push(Span::styled(format!("  {h}"), t.style("hint")));
    }
    spans
}

/// A text input; when focused, the character under the cursor is drawn reversed.
pub(crate) fn text_input<'a>(inp: &Input, focused: bool, ctx: &Ctx) -> Vec<Span<'a>> {
    let t = ctx.theme;
    if !focused {
        let text = if inp.text.is_empty() {
            " ".to_string()
        } else {
            inp.text.clone()
        };
        return vec![Span::styled(text, t.style("form.input"))];
    }
    let style = t.style("form.input.focused");
    let chars: Vec<char> = inp.text.chars().collect();
    let at = inp.cursor.min(chars.len());
    let before: String = chars[..at].iter().collect();
    let under: String = chars.get(at).map_or(" ".to_string(), |c| c.to_string());
    let after: String = chars
        .get(at + 1..)
        .map_or(String::new(), |r| r.iter().collect());
    vec![
        Span::styled(before, style),
        Span::styled(under, style.add_modifier(Modifier::REVERSED)),
        Span::styled(after, style),
    ]
}

/// Options side by side, `gap` between them, the chosen one bracketed.
pub(crate) fn choice<'a>(
    options: &[&str],
    chosen: usize,
    gap: &'static str,
    focused: bool,
    ctx: &Ctx,
) -> Vec<Span<'a>> {
    let t = ctx.theme;
    let mut spans = Vec::new();
    for (i, o) in options.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(gap));
        }
        if i == chosen {
            let style = if focused {
                t.style("form.input.focused")
            } else {
                t.style("form.input")
            };
            spans.push(Span::styled(format!("[{o}]"), style));
        } else {
            spans.push(Span::styled(format!(" {o} "), t.style("muted")));
        }
    }
    spans
}

/// A form's message (why it did not go on), in the error style, cut to `width`.
pub(crate) fn message_line<'a>(message: &str, width: usize, ctx: &Ctx) -> Line<'a> {
    let t = ctx.theme;
    Line::from(Span::styled(
        truncate(message, width, t.ascii()),
        t.style("form.error"),
    ))
}

/// The hint for a form action: its first key in the active keymap, then `label`; nothing
/// when the action has no key.
pub(crate) fn push_form_key<'a>(spans: &mut Vec<Span<'a>>, action: Action, label: &str, ctx: &Ctx) {
    let keys = ctx.keymap.keys_for(action, KeyMode::Form);
    let Some(k) = keys.first() else { return };
    spans.push(Span::styled(k.clone(), ctx.theme.style("hint.key")));
    spans.push(Span::styled(format!(" {label}  "), ctx.theme.style("hint")));
}
