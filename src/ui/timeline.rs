//! The timeline of a runtime, component, pod or operation: a time-axis strip per phase track
//! (a runtime shows itself and each component) and the list of transitions with how long each
//! state lasted and why.

use jiff::{SignedDuration, Timestamp};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::widgets::{block, truncate};
use crate::app::App;
use crate::app::format::short_duration;
use crate::app::state::Layout;
use crate::app::strings;
use crate::cluster::timeline::Origin;
use crate::cluster::{Subject, Transition};
use crate::model::{Component, Kind};

/// The tracks drawn as strips: the subject, and for a runtime each of its components.
fn tracks(app: &App, subject: &Subject) -> Vec<(String, Vec<Transition>)> {
    let mut out = vec![(short_label(subject), app.store.phase_history(subject))];
    if let Subject::Object(key) = subject {
        if key.kind == Kind::CacheRuntime {
            for c in Component::ALL {
                let s = Subject::Component(key.clone(), c);
                let h = app.store.phase_history(&s);
                if !h.is_empty() {
                    out.push((c.as_str().to_string(), h));
                }
            }
        }
    }
    out
}

fn short_label(subject: &Subject) -> String {
    match subject {
        Subject::Object(k) => k.kind.as_str().chars().take(8).collect(),
        Subject::Component(_, c) => c.as_str().to_string(),
    }
}

/// The phase active at time `t` in a history (the last entry at or before `t`).
fn phase_at(history: &[Transition], t: Timestamp) -> Option<&str> {
    history
        .iter()
        .rev()
        .find(|e| e.at <= t)
        .map(|e| e.phase.as_str())
}

const LABEL_W: usize = 9;

fn strip<'a>(
    label: &str,
    history: &[Transition],
    start: Timestamp,
    end: Timestamp,
    width: usize,
    ctx: &Ctx,
) -> Line<'a> {
    let t = ctx.theme;
    let span_secs = end.duration_since(start).as_secs().max(1);
    let fill = if t.ascii() { "#" } else { "█" };
    let mut spans = vec![Span::styled(
        format!("{:<LABEL_W$}", truncate(label, LABEL_W - 1, t.ascii())),
        t.style("timeline.label"),
    )];
    let mut prev: Option<String> = None;
    for col in 0..width {
        let at = start + SignedDuration::from_secs(span_secs * col as i64 / width.max(1) as i64);
        let phase = phase_at(history, at);
        let (style, symbol) = match phase {
            Some(p) => t.phase(p),
            None => (t.style("timeline.axis"), " "),
        };
        // The first column of each phase run shows the phase symbol, so colour is not needed.
        let changed = phase.map(str::to_string) != prev;
        prev = phase.map(str::to_string);
        let text = match phase {
            None => "·".to_string(),
            Some(_) if changed => symbol.to_string(),
            Some(_) => fill.to_string(),
        };
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

fn axis<'a>(start: Timestamp, end: Timestamp, now: Timestamp, width: usize, ctx: &Ctx) -> Line<'a> {
    let left = format!("-{}", short_duration(now.duration_since(start)));
    let right = if end >= now {
        "now".to_string()
    } else {
        format!("-{}", short_duration(now.duration_since(end)))
    };
    let pad = width.saturating_sub(left.len() + right.len());
    Line::from(vec![
        Span::raw(" ".repeat(LABEL_W)),
        Span::styled(left, ctx.theme.style("timeline.axis")),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, ctx.theme.style("timeline.now")),
    ])
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, subject: &Subject, ctx: &Ctx) -> Layout {
    let t = ctx.theme;
    let outer = block(format!(" timeline {} ", subject.label()), true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let entries = app.store.timeline(subject);
    if entries.is_empty() || inner.height < 3 {
        frame.render_widget(
            Paragraph::new(Span::styled(strings::NO_TIMELINE, t.style("muted"))),
            inner,
        );
        return Layout::default();
    }
    let tracks = tracks(app, subject);
    let start = entries
        .first()
        .map(|e| e.at)
        .unwrap_or(app.now)
        .min(app.now);
    let end = app.now.max(start + SignedDuration::from_secs(1));
    let strip_w = (inner.width as usize).saturating_sub(LABEL_W).max(1);
    // Strips take at most a third of the height.
    let strip_rows = tracks.len().min((inner.height as usize / 3).max(1));
    let mut lines: Vec<Line> = tracks
        .iter()
        .take(strip_rows)
        .map(|(label, h)| strip(label, h, start, end, strip_w, ctx))
        .collect();
    lines.push(axis(start, end, app.now, strip_w, ctx));
    let top = lines.len() as u16;
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            height: top.min(inner.height),
            ..inner
        },
    );

    let list_area = Rect {
        y: inner.y + top + 1,
        height: inner.height.saturating_sub(top + 1),
        ..inner
    };
    if list_area.height < 2 {
        return Layout::default();
    }
    let header = format!(
        "{:<20} {:<22} {:<8} {}",
        "WHEN", "PHASE / EVENT", "FOR", "WHY"
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            truncate(&header, list_area.width as usize, t.ascii()),
            t.style("table.header"),
        )),
        Rect {
            height: 1,
            ..list_area
        },
    );
    let rows = (list_area.height - 1) as usize;
    let selected = app.page.scroll.min(entries.len() - 1);
    let first = (selected + 1).saturating_sub(rows);
    for (n, (i, e)) in entries
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .enumerate()
    {
        let _ = n;
        let stayed = next_phase_time(&entries, i)
            .unwrap_or(app.now)
            .duration_since(e.at);
        let (style, symbol) = match e.origin {
            Origin::Event => (t.style("muted"), if t.ascii() { "~" } else { "◆" }),
            _ => t.phase(&e.phase),
        };
        let when = e.at.strftime("%m-%d %H:%M:%S").to_string();
        let phase = truncate(&format!("{symbol} {}", e.phase), 22, t.ascii());
        let stayed = if e.origin == Origin::Event {
            String::new()
        } else {
            short_duration(stayed)
        };
        let why = e.why.clone().unwrap_or_default();
        let line_style = if i == selected {
            t.style("table.selected")
        } else {
            Style::default()
        };
        let rest = truncate(
            &why,
            (list_area.width as usize).saturating_sub(20 + 1 + 22 + 1 + 8 + 1),
            t.ascii(),
        );
        let line = Line::from(vec![
            Span::raw(format!("{when:<20} ")),
            Span::styled(format!("{phase:<22} "), style),
            Span::raw(format!("{stayed:<8} ")),
            Span::raw(rest),
        ]);
        let r = Rect {
            y: list_area.y + 1 + (i - first) as u16,
            height: 1,
            ..list_area
        };
        frame.render_widget(Paragraph::new(line).style(line_style), r);
    }
    Layout {
        body_top: list_area.y + 1,
        body_left: list_area.x,
        body_width: list_area.width,
        body_rows: rows as u16,
        first_row: first,
    }
}

/// When the state entered at entry `i` ended: the next phase entry's time.
fn next_phase_time(entries: &[Transition], i: usize) -> Option<Timestamp> {
    entries[i + 1..]
        .iter()
        .find(|e| e.origin != Origin::Event)
        .map(|e| e.at)
}
