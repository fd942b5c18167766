//! The spec editor: the text area with line numbers and simple YAML colouring, the problems
//! found as you type, the prompts (draft, discard, search), and the three-way conflict view.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout as Split, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::Ctx;
use super::overlay::diff_style;
use super::widgets::{block, truncate};
use crate::app::editor::{self, Editor, Phase};

pub fn draw(frame: &mut Frame, area: Rect, ed: &Editor, ctx: &Ctx) {
    if area.width < 4 || area.height < 3 {
        return;
    }
    frame.render_widget(Clear, area);
    let t = ctx.theme;
    let phase = match ed.phase {
        Phase::Editing if ed.problems.is_empty() => "valid".to_string(),
        Phase::Editing => format!("{} problem(s)", ed.problems.len()),
        Phase::Validating => "checking…".to_string(),
        Phase::DryRunning => "dry run…".to_string(),
        Phase::Reviewing => "review".to_string(),
        Phase::Applying => "applying…".to_string(),
        Phase::Done => "applied".to_string(),
        Phase::Failed => "refused by the server".to_string(),
        Phase::Conflict => "conflict".to_string(),
    };
    let modified = if ed.dirty() { " [modified]" } else { "" };
    let title = format!(" edit {} · {phase}{modified} ", ed.key);
    let outer = block("", true, ctx).title(Span::styled(title, t.style("title.focused")));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if inner.height == 0 {
        return;
    }
    if ed.phase == Phase::Conflict {
        return conflict(frame, inner, ed, ctx);
    }
    let notes = notes(ed);
    let max_notes = (inner.height / 3).max(1) as usize;
    let notes_h = notes.len().min(max_notes) as u16;
    let [text_area, rule, notes_area, hint_area] = Split::vertical([
        Constraint::Min(1),
        Constraint::Length(u16::from(notes_h > 0 && inner.height > 6)),
        Constraint::Length(notes_h),
        Constraint::Length(1),
    ])
    .areas(inner);
    text(frame, text_area, ed, ctx);
    if rule.height > 0 {
        let bar = if t.ascii() { "-" } else { "─" };
        frame.render_widget(
            Paragraph::new(Span::styled(
                bar.repeat(rule.width as usize),
                t.style("border"),
            )),
            rule,
        );
    }
    let lines: Vec<Line> = notes
        .iter()
        .take(notes_h as usize)
        .map(|(l, style)| {
            Line::from(Span::styled(
                truncate(l, notes_area.width as usize, t.ascii()),
                t.style(style),
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), notes_area);
    hint(frame, hint_area, ed, ctx);
}

/// Problems and server errors under the text, most important first.
fn notes(ed: &Editor) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    if let Some(side) = &ed.side_buffer {
        out.push((
            format!(
                "side buffer: your earlier text ({} lines) is kept; ^T swaps it in",
                side.lines().count()
            ),
            "notice",
        ));
    }
    for l in &ed.server_errors {
        out.push((format!("server: {l}"), "status.error"));
    }
    for (i, p) in ed.problems.iter().enumerate() {
        let mark = if i == ed.problem_cursor { "▸" } else { " " };
        out.push((format!("{mark} {p}"), "form.error"));
    }
    out
}

fn hint(frame: &mut Frame, area: Rect, ed: &Editor, ctx: &Ctx) {
    let t = ctx.theme;
    let line = if let Some(p) = &ed.search {
        Line::from(vec![
            Span::styled("search: ", t.style("filter.prompt")),
            Span::styled(p.clone(), t.style("form.input.focused")),
            Span::styled("  (Enter find, Esc close, F3 next)", t.style("hint")),
        ])
    } else if ed.draft_offer.is_some() {
        Line::from(Span::styled(editor::DRAFT_HINT, t.style("status.warn")))
    } else if ed.confirm_discard {
        Line::from(Span::styled(editor::DISCARD_HINT, t.style("status.warn")))
    } else {
        Line::from(Span::styled(editor::HINT, t.style("hint")))
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The text area, then colours laid over the cells it drew: line numbers, problem lines, and
/// YAML keys and comments.
fn text(frame: &mut Frame, area: Rect, ed: &Editor, ctx: &Ctx) {
    let t = ctx.theme;
    if let Some(draft) = &ed.draft_offer {
        // Show the draft being offered, read-only.
        let lines: Vec<Line> = draft
            .lines()
            .map(|l| Line::from(Span::styled(l.to_string(), t.style("muted"))))
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    frame.render_widget(&ed.textarea, area);
    let (top, left) = ed.textarea.scroll_offset();
    let (top, left) = (top as usize, left as usize);
    let lnum_w = ed.textarea.line_number_width();
    let lines = ed.textarea.lines();
    let problem_lines: Vec<usize> = ed.problems.iter().filter_map(|p| p.line).collect();
    let buf = frame.buffer_mut();
    for y in 0..area.height {
        let row = top + y as usize;
        let Some(line) = lines.get(row) else { break };
        let sy = area.y + y;
        let num_style = if problem_lines.contains(&(row + 1)) {
            t.style("status.error")
        } else {
            t.style("editor.line_number")
        };
        for x in area.x..(area.x + lnum_w).min(area.x + area.width) {
            let cell = &mut buf[(x, sy)];
            cell.set_style(num_style);
        }
        for (range, style) in yaml_spans(line) {
            for col in range {
                if col < left {
                    continue;
                }
                let x = area.x as usize + lnum_w as usize + col - left;
                if x >= (area.x + area.width) as usize {
                    break;
                }
                let cell = &mut buf[(x as u16, sy)];
                let fg = t.style(style).fg;
                if let Some(fg) = fg {
                    cell.set_fg(fg);
                }
            }
        }
    }
}

/// Character ranges of a YAML line to colour: the key of `key:` and a `#` comment. Lines with
/// wide characters before the colour are left alone.
fn yaml_spans(line: &str) -> Vec<(std::ops::Range<usize>, &'static str)> {
    let mut out = Vec::new();
    if !line.is_ascii() {
        return out;
    }
    let trimmed = line.trim_start();
    let mut start = line.len() - trimmed.len();
    if trimmed.starts_with('#') {
        out.push((start..line.len(), "yaml.comment"));
        return out;
    }
    let mut body = trimmed;
    while let Some(rest) = body.strip_prefix("- ") {
        start += 2;
        body = rest;
    }
    if let Some(colon) = body.find(':')
        && (body[colon + 1..].is_empty() || body[colon + 1..].starts_with(' '))
        && !body[..colon].contains(['"', '\'', '{', '['])
    {
        out.push((start..start + colon, "yaml.key"));
    }
    if let Some(hash) = line.find(" #") {
        out.push((hash + 1..line.len(), "yaml.comment"));
    }
    out
}

/// The three-way picture: what changed on the server since you opened it, and your changes,
/// side by side when there is room.
fn conflict(frame: &mut Frame, area: Rect, ed: &Editor, ctx: &Ctx) {
    let t = ctx.theme;
    let Some(c) = &ed.conflict else { return };
    let [head, body, hint] = Split::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let rv = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
    let head_lines = vec![
        Line::from(Span::styled(
            format!(
                "{} changed on the server since you opened it (resourceVersion {} → {}). Nothing was sent.",
                ed.key,
                rv(&ed.base_rv),
                rv(&c.live_rv)
            ),
            t.style("status.warn"),
        )),
        Line::from(Span::styled(
            "base = as opened · live = on the server now · yours = your buffer",
            t.style("hint"),
        )),
    ];
    frame.render_widget(Paragraph::new(head_lines), head);
    let panes: [Rect; 2] = if body.width >= 100 {
        Split::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body)
    } else {
        Split::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body)
    };
    for (pane, (title, diff)) in panes.into_iter().zip([
        (" base → live (theirs) ", &c.theirs),
        (" base → yours ", &c.yours),
    ]) {
        let b = block(title, false, ctx);
        let inner = b.inner(pane);
        frame.render_widget(b, pane);
        let lines: Vec<Line> = diff
            .iter()
            .filter(|l| !l.starts_with("---") && !l.starts_with("+++"))
            .take(inner.height as usize)
            .map(|l| {
                Line::from(Span::styled(
                    truncate(l, inner.width as usize, t.ascii()),
                    diff_style(l, ctx),
                ))
            })
            .collect();
        let lines = if lines.is_empty() {
            vec![Line::from(Span::styled("(no changes)", t.style("muted")))]
        } else {
            lines
        };
        frame.render_widget(Paragraph::new(lines), inner);
    }
    frame.render_widget(
        Paragraph::new(Span::styled(editor::CONFLICT_HINT, t.style("hint.key"))),
        hint,
    );
}
