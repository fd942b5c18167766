//! Modal layers drawn over the body: the filter line, the command palette with completions,
//! the generated help, and start-up notices.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::Ctx;
use super::widgets::{block, truncate};
use crate::app::palette;
use crate::app::strings;
use crate::app::{App, Overlay};

pub fn draw(frame: &mut Frame, body: Rect, app: &App, ctx: &Ctx) {
    match &app.overlay {
        Overlay::None => {}
        Overlay::Filter { input, .. } => input_line(frame, body, "/", input, ctx),
        Overlay::Palette { input, choice } => {
            input_line(frame, body, ":", input, ctx);
            completions(frame, body, app, input, *choice, ctx);
        }
        Overlay::Help { scroll } => help(frame, body, app, *scroll, ctx),
        Overlay::Notices { lines, scroll } => notices(frame, body, lines, *scroll, ctx),
    }
}

/// A one-line input at the top of the body, with a visible cursor.
fn input_line(frame: &mut Frame, body: Rect, prompt: &str, input: &str, ctx: &Ctx) {
    let area = Rect {
        height: 3.min(body.height),
        ..body
    };
    frame.render_widget(Clear, area);
    let outer = block("", true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let cursor = if ctx.theme.ascii() { "_" } else { "▏" };
    let line = Line::from(vec![
        Span::styled(prompt.to_string(), ctx.theme.style("filter.prompt")),
        Span::raw(input.to_string()),
        Span::styled(cursor, ctx.theme.style("filter.prompt")),
    ]);
    frame.render_widget(Paragraph::new(line), inner);
}

fn completions(frame: &mut Frame, body: Rect, app: &App, input: &str, choice: usize, ctx: &Ctx) {
    let all = palette::completions(input, &app.store);
    if all.is_empty() || body.height < 5 {
        return;
    }
    let rows = all.len().min((body.height - 4) as usize).min(10);
    let area = Rect {
        y: body.y + 3,
        height: rows as u16 + 2,
        width: body.width.min(60),
        ..body
    };
    frame.render_widget(Clear, area);
    let outer = block("", false, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let start = choice.saturating_sub(rows.saturating_sub(1));
    for (n, cand) in all.iter().enumerate().skip(start).take(rows) {
        let desc = palette::COMMANDS
            .iter()
            .find(|e| e.names.contains(&cand.as_str()))
            .map(|e| format!("  {} {}", e.args, e.desc))
            .unwrap_or_default();
        let style = if n == choice {
            ctx.theme.style("palette.selected")
        } else {
            ctx.theme.style("palette.completion")
        };
        let text = truncate(
            &format!("{cand}{desc}"),
            inner.width as usize,
            ctx.theme.ascii(),
        );
        let r = Rect {
            y: inner.y + (n - start) as u16,
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(Span::styled(text, style)), r);
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

fn help(frame: &mut Frame, body: Rect, app: &App, scroll: usize, ctx: &Ctx) {
    let t = ctx.theme;
    let area = centered(body, 100, body.height);
    frame.render_widget(Clear, area);
    let outer = block(strings::HELP_TITLE, true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let mut lines: Vec<Line> = Vec::new();
    let mut mode = None;
    for row in ctx.keymap.help_rows(app.readonly) {
        if mode != Some(row.mode) {
            mode = Some(row.mode);
            lines.push(Line::from(Span::styled(
                format!("[{}]", row.mode.name()),
                t.style("help.mode"),
            )));
        }
        let desc_style = if row.writes {
            t.style("help.writes")
        } else {
            t.style("help.desc")
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<18}", row.keys), t.style("help.key")),
            Span::styled(format!("{:<22}", row.action), t.style("muted")),
            Span::styled(row.desc.to_string(), desc_style),
        ]));
    }
    let scroll = scroll.min(lines.len().saturating_sub(inner.height as usize));
    let visible: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(inner.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(visible), inner);
}

fn notices(frame: &mut Frame, body: Rect, lines: &[String], scroll: usize, ctx: &Ctx) {
    let area = centered(body, 100, (lines.len() as u16).saturating_add(2));
    frame.render_widget(Clear, area);
    let outer = block(strings::NOTICES_TITLE, true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let visible: Vec<Line> = lines
        .iter()
        .skip(scroll)
        .take(inner.height as usize)
        .map(|l| {
            Line::from(Span::styled(
                truncate(l, inner.width as usize, ctx.theme.ascii()),
                ctx.theme.style("notice"),
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(visible), inner);
}
