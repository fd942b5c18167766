//! Modal layers drawn over the body: the filter line, the command palette with completions,
//! the generated help, and start-up notices.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::Ctx;
use super::widgets::{block, truncate, wrap_hanging};
use crate::app::palette;
use crate::app::strings;
use crate::app::{App, Overlay};

/// Rows the filter or palette input line takes above the view (boxed when there is room).
pub fn input_rows(app: &App, body: Rect) -> u16 {
    match app.overlays.top() {
        Some(Overlay::Filter { .. } | Overlay::Palette { .. }) => {
            if body.height >= 10 {
                3
            } else {
                body.height.min(1)
            }
        }
        _ => 0,
    }
}

/// Draws the overlay on top (the layers under it are covered): input lines into `input` (above
/// the view), everything else over `view`. Returns how many body rows a scrolling dialog had
/// room for and how many it has (zeros when none is open).
pub fn draw(frame: &mut Frame, input: Rect, view: Rect, app: &App, ctx: &Ctx) -> (u16, usize) {
    let Some(top) = app.overlays.top() else {
        return (0, 0);
    };
    match top {
        Overlay::Confirm(c) => return confirm(frame, view, c, ctx),
        Overlay::Form(f) => super::form::draw(frame, view, f, ctx),
        Overlay::Maintenance(f) => super::maintenance_form::draw(frame, view, f, ctx),
        // Hidden: waiting for its write's answer.
        Overlay::Sending(_) => {}
        Overlay::Filter { input: text, .. } => {
            input_line(frame, input, "/", text, ctx);
            // A page's search is plain text: only a list's filter is a regular expression.
            if !crate::app::text_pages::searchable(&app.screen) {
                filter_problem(frame, input, text, ctx);
            }
        }
        Overlay::Palette {
            input: text,
            choice,
        } => {
            input_line(frame, input, ":", text, ctx);
            completions(frame, view, app, text, *choice, ctx);
        }
        Overlay::Help { scroll, query } => help(frame, view, app, *scroll, query, ctx),
        Overlay::Notices { lines, scroll } => notices(frame, view, lines, *scroll, ctx),
        Overlay::Containers {
            pod,
            names,
            choice,
            purpose,
        } => containers(frame, view, &pod.name, names, *choice, *purpose, ctx),
    }
    (0, 0)
}

/// The input line with a visible cursor; boxed when three rows are given. Long input keeps
/// its end (where the cursor is) in view.
fn input_line(frame: &mut Frame, area: Rect, prompt: &str, input: &str, ctx: &Ctx) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    frame.render_widget(Clear, area);
    let inner = if area.height >= 3 {
        let outer = block("", true, ctx);
        let inner = outer.inner(area);
        frame.render_widget(outer, area);
        inner
    } else {
        area
    };
    let cursor = if ctx.theme.ascii() { "_" } else { "▏" };
    let room = (inner.width as usize).saturating_sub(prompt.len() + 1);
    let width = unicode_width::UnicodeWidthStr::width(input);
    let shown: String = if width > room {
        // Keep the tail: drop characters from the front until it fits.
        let mut tail: Vec<char> = Vec::new();
        let mut used = 1;
        for ch in input.chars().rev() {
            let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
            if used + w > room {
                break;
            }
            used += w;
            tail.push(ch);
        }
        let ellipsis = if ctx.theme.ascii() { '~' } else { '…' };
        std::iter::once(ellipsis)
            .chain(tail.into_iter().rev())
            .collect()
    } else {
        input.to_string()
    };
    let line = Line::from(vec![
        Span::styled(prompt.to_string(), ctx.theme.style("filter.prompt")),
        Span::raw(shown),
        Span::styled(cursor, ctx.theme.style("filter.prompt")),
    ]);
    frame.render_widget(Paragraph::new(line), inner);
}

/// Why the filter being typed is not applied (a regex that does not compile), at the right of
/// the filter line.
fn filter_problem(frame: &mut Frame, area: Rect, text: &str, ctx: &Ctx) {
    let Some(why) = crate::app::tables::filter_error(text) else {
        return;
    };
    let row = if area.height >= 3 { area.y + 1 } else { area.y };
    let inner_x = if area.height >= 3 { area.x + 1 } else { area.x };
    let inner_w = if area.height >= 3 {
        area.width.saturating_sub(2)
    } else {
        area.width
    };
    // After the prompt, the text and the cursor.
    let used = 1 + unicode_width::UnicodeWidthStr::width(text) as u16 + 1 + 2;
    let room = inner_w.saturating_sub(used);
    if room < 8 {
        return;
    }
    let message = format!(
        "{} {}",
        super::widgets::error_mark(ctx),
        strings::filter_invalid(&why)
    );
    let shown = truncate(&message, room as usize, ctx.theme.ascii());
    let w = unicode_width::UnicodeWidthStr::width(shown.as_str()) as u16;
    let r = Rect {
        x: inner_x + inner_w - w,
        y: row,
        width: w,
        height: 1,
    };
    frame.render_widget(
        Paragraph::new(Span::styled(shown, ctx.theme.style("form.error"))),
        r,
    );
}

/// The completion list, dropped down over the top of the view: each candidate with its
/// arguments and what it does, in aligned columns.
fn completions(frame: &mut Frame, view: Rect, app: &App, input: &str, choice: usize, ctx: &Ctx) {
    let all = palette::completions_with(input, &app.store, &app.contexts);
    if all.is_empty() || view.height < 3 || view.width < 8 {
        return;
    }
    let rows = all.len().min((view.height - 2) as usize).min(12);
    let area = Rect {
        height: rows as u16 + 2,
        ..view
    };
    frame.render_widget(Clear, area);
    let outer = block("", false, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let entry = |cand: &str| {
        let cmd = cand.split_whitespace().next().unwrap_or("");
        palette::COMMANDS.iter().find(|e| e.names.contains(&cmd))
    };
    let single_word = !input.contains(' ');
    let name_w = all.iter().map(|c| c.chars().count()).max().unwrap_or(0) + 2;
    let args_w = if single_word {
        all.iter()
            .filter_map(|c| entry(c))
            .map(|e| e.args.len())
            .max()
            .unwrap_or(0)
            + 2
    } else {
        0
    };
    let choice = choice.min(all.len() - 1);
    let start = choice.saturating_sub(rows.saturating_sub(1));
    for (n, cand) in all.iter().enumerate().skip(start).take(rows) {
        let (args, desc, aliases) = match entry(cand) {
            Some(e) if single_word => {
                let others: Vec<&str> = e
                    .names
                    .iter()
                    .copied()
                    .filter(|a| *a != cand.as_str())
                    .collect();
                let aliases = if others.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", others.join(", "))
                };
                (e.args, e.desc, aliases)
            }
            _ => ("", "", String::new()),
        };
        let selected = n == choice;
        let style = if selected {
            ctx.theme.style("palette.selected")
        } else {
            ctx.theme.style("palette.completion")
        };
        let marker = match (selected, ctx.theme.ascii()) {
            (true, false) => "▸ ",
            (true, true) => "> ",
            _ => "  ",
        };
        let text = format!("{marker}{cand:<name_w$}{args:<args_w$}{desc}{aliases}");
        let r = Rect {
            y: inner.y + (n - start) as u16,
            height: 1,
            ..inner
        };
        frame.render_widget(
            Paragraph::new(Span::raw(truncate(
                &text,
                inner.width as usize,
                ctx.theme.ascii(),
            )))
            .style(style),
            r,
        );
    }
}

/// A centred box of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn help(frame: &mut Frame, body: Rect, app: &App, scroll: usize, query: &str, ctx: &Ctx) {
    let t = ctx.theme;
    let area = centered(body, 100, body.height);
    frame.render_widget(Clear, area);
    let mut lines: Vec<Line> = Vec::new();
    let mut mode = None;
    let needle = query.to_ascii_lowercase();
    let holds = |text: &str| text.to_ascii_lowercase().contains(&needle);
    let rows: Vec<_> = ctx
        .keymap
        .help_rows(app.readonly)
        .into_iter()
        .filter(|r| {
            needle.is_empty()
                || holds(&r.keys)
                || holds(&r.action)
                || holds(r.desc)
                || holds(strings::help_heading(r.mode))
        })
        .collect();
    let matched = rows.len();
    for row in rows {
        if mode != Some(row.mode) {
            mode = Some(row.mode);
            lines.push(Line::from(Span::styled(
                format!("{} [{}]", strings::help_heading(row.mode), row.mode.name()),
                t.style("help.mode"),
            )));
        }
        let desc_style = if row.writes {
            t.style("help.writes")
        } else {
            t.style("help.desc")
        };
        // Narrow, the action's id gives way to its description.
        let mut spans = vec![Span::styled(
            format!("  {:<18}", row.keys),
            t.style("help.key"),
        )];
        if area.width >= 100 {
            spans.push(Span::styled(
                format!("{:<22}", row.action),
                t.style("muted"),
            ));
        }
        spans.push(Span::styled(row.desc.to_string(), desc_style));
        lines.push(Line::from(spans));
    }
    if matched == 0 {
        lines.push(Line::from(Span::styled(
            strings::help_no_match(query),
            t.style("muted"),
        )));
    }
    if needle.is_empty() {
        legend(&mut lines, area.width.saturating_sub(2) as usize, ctx);
    }
    let height = area.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(height));
    let last = (scroll + height).min(lines.len());
    let name = if needle.is_empty() {
        format!("{} ({})", strings::HELP_TITLE, strings::HELP_SEARCH_HINT)
    } else {
        strings::help_title_matching(query, matched)
    };
    let title = if last < lines.len() || scroll > 0 {
        format!(" {name} {}-{}/{} ", scroll + 1, last, lines.len())
    } else {
        format!(" {name} ")
    };
    let outer = block(title, true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let visible: Vec<Line> = lines.into_iter().skip(scroll).take(height).collect();
    frame.render_widget(Paragraph::new(visible), inner);
}

/// The help's legend: each phase's symbol as the theme draws it, several to a line, and the
/// sort arrows.
fn legend(lines: &mut Vec<Line>, width: usize, ctx: &Ctx) {
    let t = ctx.theme;
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        strings::HELP_LEGEND_HEADING,
        t.style("help.mode"),
    )));
    const CELL: usize = 24;
    let per_line = (width.saturating_sub(2) / CELL).max(1);
    for chunk in strings::HELP_LEGEND_PHASES.chunks(per_line) {
        let mut spans = vec![Span::raw("  ")];
        for phase in chunk {
            let symbol = t.phase_symbol(phase);
            spans.push(Span::styled(symbol.to_string(), t.phase_style(phase)));
            let pad = CELL.saturating_sub(unicode_width::UnicodeWidthStr::width(symbol) + 1);
            spans.push(Span::styled(
                format!(" {phase:<pad$}"),
                t.style("help.desc"),
            ));
        }
        lines.push(Line::from(spans));
    }
    let (up, down) = if t.ascii() {
        ("^", "v")
    } else {
        ("▲", "▼")
    };
    lines.push(Line::from(Span::styled(
        format!("  {}", strings::help_sort_legend(up, down)),
        t.style("help.desc"),
    )));
}

/// Start-up notices, wrapped so that file:line:col messages are read in full.
fn notices(frame: &mut Frame, body: Rect, lines: &[String], scroll: usize, ctx: &Ctx) {
    let w = body.width.min(100);
    let text_w = w.saturating_sub(2).max(1) as usize;
    let wrapped: usize = lines
        .iter()
        .map(|l| {
            unicode_width::UnicodeWidthStr::width(l.as_str())
                .div_ceil(text_w)
                .max(1)
        })
        .sum();
    let area = centered(body, w, (wrapped as u16).saturating_add(2));
    frame.render_widget(Clear, area);
    let outer = block(format!(" {} ", strings::NOTICES_TITLE), true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let visible: Vec<Line> = lines
        .iter()
        .skip(scroll)
        .map(|l| Line::from(Span::styled(l.as_str(), ctx.theme.style("notice"))))
        .collect();
    frame.render_widget(Paragraph::new(visible).wrap(Wrap { trim: false }), inner);
}

/// The choice of a pod's container for a shell: one row each, the chosen one highlighted and
/// marked (so it shows in mono too).
fn containers(
    frame: &mut Frame,
    body: Rect,
    pod: &str,
    names: &[String],
    choice: usize,
    purpose: crate::app::state::ContainerPurpose,
    ctx: &Ctx,
) {
    let t = ctx.theme;
    let widest = names
        .iter()
        .map(|n| unicode_width::UnicodeWidthStr::width(n.as_str()))
        .max()
        .unwrap_or(0);
    let title = match purpose {
        crate::app::state::ContainerPurpose::Shell => format!(" {} ", strings::SHELL_PICK_TITLE),
        crate::app::state::ContainerPurpose::Logs => {
            format!(" {} ", crate::app::log_strings::LOGS_PICK_TITLE)
        }
    };
    let w = (widest + 6)
        .max(unicode_width::UnicodeWidthStr::width(title.as_str()) + 2)
        .max(pod.len() + 4) as u16;
    let area = centered(
        body,
        w.min(body.width),
        (names.len() as u16).saturating_add(3),
    );
    frame.render_widget(Clear, area);
    let outer = block(title, true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let mut lines = vec![Line::from(Span::styled(
        format!(" {pod}"),
        t.style("muted"),
    ))];
    let marker = if t.ascii() { ">" } else { "›" };
    lines.extend(names.iter().enumerate().map(|(i, n)| {
        if i == choice {
            Line::from(Span::styled(
                format!(" {marker} {n}"),
                t.style("palette.selected"),
            ))
        } else {
            Line::from(Span::styled(
                format!("   {n}"),
                t.style("palette.completion"),
            ))
        }
    }));
    let skip = (choice + 2).saturating_sub(inner.height as usize);
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
        inner,
    );
}

/// The confirmation dialog: title, what will change, and the two buttons (focus starts on
/// Cancel), or the name to type for a high-risk write. A body taller than the dialog scrolls;
/// the bottom line says which lines are shown. Returns the body rows shown.
fn confirm(
    frame: &mut Frame,
    body: Rect,
    c: &crate::app::confirm::Confirm,
    ctx: &Ctx,
) -> (u16, usize) {
    let t = ctx.theme;
    // Text wraps (continuation lines under their text); the lines of a diff keep one row each,
    // so their `+`/`-` prefixes stay in the first column.
    let text_width = body.width.min(DIALOG_WIDTH).saturating_sub(2) as usize;
    let diff_line = |l: &str| c.diff && l.starts_with(['+', '-', ' ', '@']);
    // A title too long for the border (it names the object written, in full) is also the first
    // rows of the body, whole.
    let title_fits = unicode_width::UnicodeWidthStr::width(c.title.as_str()) + 2 <= text_width;
    let mut rows: Vec<String> = Vec::new();
    if !title_fits {
        rows.extend(wrap_hanging(&c.title, text_width));
        rows.push(String::new());
    }
    let head = rows.len();
    rows.extend(c.body.iter().flat_map(|l| {
        if diff_line(l) {
            vec![l.clone()]
        } else {
            wrap_hanging(l, text_width)
        }
    }));
    let want_h = u16::try_from(rows.len())
        .unwrap_or(u16::MAX)
        .saturating_add(4);
    let area = centered(body, DIALOG_WIDTH, want_h.max(7));
    frame.render_widget(Clear, area);
    let title_style = if c.danger {
        t.style("confirm.danger")
    } else {
        t.style("confirm.title")
    };
    let title = truncate(&c.title, text_width.saturating_sub(2), t.ascii());
    let outer = block("", true, ctx).title(Span::styled(format!(" {title} "), title_style));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if inner.height < 2 {
        return (0, 0);
    }
    let text_rows = inner.height.saturating_sub(2) as usize;
    let first = c.scroll.min(rows.len().saturating_sub(text_rows));
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(first)
        .take(text_rows)
        .map(|(i, l)| {
            let style = if i < head {
                title_style
            } else if c.diff {
                diff_style(l, ctx)
            } else {
                t.style("confirm")
            };
            Line::from(Span::styled(
                truncate(l, inner.width as usize, t.ascii()),
                style,
            ))
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            height: text_rows as u16,
            ..inner
        },
    );
    let bottom = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    let line = match &c.type_to_confirm {
        Some(_) => Line::from(vec![
            Span::styled(strings::TYPE_TO_CONFIRM, t.style("form.label")),
            Span::styled(c.typed.clone(), t.style("form.input.focused")),
        ]),
        None => {
            let button = |label: &str, focused: bool| {
                let style = if focused {
                    t.style("confirm.button.focused")
                } else {
                    t.style("confirm.button")
                };
                Span::styled(format!("[ {label} ]"), style)
            };
            Line::from(vec![
                button(strings::CANCEL_BUTTON, !c.focus_confirm),
                Span::raw("  "),
                button(strings::CONFIRM_BUTTON, c.focus_confirm),
            ])
        }
    };
    frame.render_widget(Paragraph::new(line), bottom);
    if rows.len() > text_rows {
        let shown =
            strings::lines_shown(first + 1, (first + text_rows).min(rows.len()), rows.len());
        let w = (shown.chars().count() as u16).min(bottom.width);
        let at = Rect {
            x: bottom.x + bottom.width - w,
            width: w,
            ..bottom
        };
        frame.render_widget(Paragraph::new(Span::styled(shown, t.style("muted"))), at);
    }
    (text_rows as u16, rows.len())
}

/// Widest a confirmation dialog grows.
const DIALOG_WIDTH: u16 = 90;

/// The style of one unified-diff line, by its prefix (the prefix stays, so colour is never the
/// only signal).
pub fn diff_style(line: &str, ctx: &Ctx) -> ratatui::style::Style {
    let t = ctx.theme;
    if line.starts_with("+++") || line.starts_with("---") || line.starts_with("@@") {
        t.style("diff.header")
    } else if line.starts_with('+') {
        t.style("diff.add")
    } else if line.starts_with('-') {
        t.style("diff.del")
    } else if line.starts_with(' ') {
        t.style("diff.ctx")
    } else {
        t.style("confirm")
    }
}
