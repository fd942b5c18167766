//! Under a maintenance record's page: who drives the run, where it stands, and what it waits
//! for the operator to confirm (the footer names the keys).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::widgets::{block, truncate};
use crate::app::App;
use crate::app::strings;
use crate::model::ObjectKey;
use crate::workflows::machine;

/// Most prompt lines shown in the bar (the confirmation dialog shows them all).
const MAX_PROMPT_LINES: usize = 4;

/// Rows the bar takes for this run.
pub fn height(app: &App, key: &ObjectKey) -> u16 {
    let lines = app
        .runs
        .get(key)
        .and_then(|d| d.prompt.as_ref())
        .map_or(0, |p| 1 + p.lines.len().min(MAX_PROMPT_LINES));
    3 + lines as u16
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, key: &ObjectKey, ctx: &Ctx) {
    let t = ctx.theme;
    let outer = block(strings::RUN_BAR_TITLE.to_string(), false, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = inner.width as usize;
    let ascii = t.ascii();
    let mut lines: Vec<Line> = Vec::new();
    let Some(rec) = app.run_record(key) else {
        return;
    };
    let drive = app.runs.get(key);
    let state = match (machine::is_active(rec), drive) {
        (false, _) => strings::RUN_FINISHED_HERE.to_string(),
        (true, None) if app.readonly => strings::RUN_NOT_DRIVEN_READONLY.to_string(),
        (true, None) => strings::RUN_NOT_DRIVEN_HERE.to_string(),
        (true, Some(d)) if d.in_flight.is_some() => strings::RUN_SENDING.to_string(),
        (true, Some(_)) => strings::RUN_DRIVEN_HERE.to_string(),
    };
    let (done, total) = machine::progress(rec);
    let step = machine::current_step(rec)
        .map(|s| format!("{} {}", s.name, s.state))
        .unwrap_or_default();
    let head = format!("{state} · {} · {done}/{total} · {step}", rec.phase());
    let style = if drive.is_some() {
        t.style("status.info")
    } else {
        t.style("muted")
    };
    lines.push(Line::from(Span::styled(
        truncate(&head, width, ascii),
        style,
    )));
    if let Some(p) = drive.and_then(|d| d.prompt.as_ref()) {
        let style = if p.destructive {
            t.style("confirm.danger")
        } else {
            t.style("confirm.title")
        };
        lines.push(Line::from(Span::styled(
            truncate(&strings::run_waits_for(&p.title), width, ascii),
            style,
        )));
        for l in p.lines.iter().take(MAX_PROMPT_LINES) {
            lines.push(Line::from(Span::styled(
                truncate(&format!("  {l}"), width, ascii),
                t.style("confirm"),
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
