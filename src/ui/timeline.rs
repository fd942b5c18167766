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
use super::widgets::{SELECTED, block, on_surface, truncate};
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
    if let Subject::Object(key) = subject
        && key.kind == Kind::CacheRuntime
    {
        for c in Component::ALL {
            let s = Subject::Component(key.clone(), c);
            let h = app.store.phase_history(&s);
            if !h.is_empty() {
                out.push((c.as_str().to_string(), h));
            }
        }
    }
    out
}

fn short_label(subject: &Subject) -> String {
    match subject {
        Subject::Object(k) => match k.kind {
            Kind::CacheRuntime => "runtime".to_string(),
            Kind::Dataset => "dataset".to_string(),
            Kind::Pod => "pod".to_string(),
            Kind::CacheRuntimeMaintenance => "maint".to_string(),
            other => other.as_str().to_string(),
        },
        Subject::Component(_, c) => c.as_str().to_string(),
    }
}

/// Whether an entry is a phase the subject entered (rather than a condition, the creation, or
/// an Event): only those last until the next one.
fn is_phase(e: &Transition) -> bool {
    match e.origin {
        Origin::Observed => true,
        Origin::Recorded => !e.phase.contains('=') && e.phase != "Created",
        Origin::Event => false,
    }
}

/// Strip windows to choose from, in seconds: the smallest that shows every observed change.
const ZOOMS: [i64; 13] = [
    300,
    900,
    1800,
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86400,
    3 * 86400,
    7 * 86400,
    14 * 86400,
    30 * 86400,
    90 * 86400,
];

/// The start of the strips' time window: far enough back to show every change the tracks went
/// through (with some lead-in), but no further, so recent changes are not squeezed into the
/// last column by a long quiet history.
fn window_start(
    tracks: &[(String, Vec<Transition>)],
    first: Timestamp,
    now: Timestamp,
) -> Timestamp {
    let full = now.duration_since(first).as_secs().max(1);
    let earliest_change = tracks
        .iter()
        .filter_map(|(_, h)| h.get(1).map(|e| e.at))
        .min();
    let Some(change) = earliest_change else {
        return first;
    };
    let need = now.duration_since(change).as_secs().max(1) * 5 / 4;
    match ZOOMS.iter().find(|z| **z >= need) {
        Some(z) if *z < full => now - SignedDuration::from_secs(*z),
        _ => first,
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
    let ago = |t: Timestamp| format!("-{}", short_duration(now.duration_since(t)));
    let left = ago(start);
    let right = if end >= now {
        "now".to_string()
    } else {
        ago(end)
    };
    let axis = ctx.theme.style("timeline.axis");
    let mut spans = vec![
        Span::raw(" ".repeat(LABEL_W)),
        Span::styled(left.clone(), axis),
    ];
    let mid = start + SignedDuration::from_secs(end.duration_since(start).as_secs() / 2);
    let mid = ago(mid);
    let mid_col = width / 2;
    let mid_fits = width >= 24 && mid_col > left.len() + 2 && mid_col + mid.len() + 2 < width;
    let mut used = left.len();
    if mid_fits {
        // The middle label starts under the middle column.
        spans.push(Span::raw(" ".repeat(mid_col - used)));
        spans.push(Span::styled(mid.clone(), axis));
        used = mid_col + mid.len();
    }
    spans.push(Span::raw(
        " ".repeat(width.saturating_sub(used + right.len())),
    ));
    spans.push(Span::styled(right, ctx.theme.style("timeline.now")));
    Line::from(spans)
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
    let first = entries
        .first()
        .map(|e| e.at)
        .unwrap_or(app.now)
        .min(app.now);
    let start = window_start(&tracks, first, app.now);
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
    const WHEN_W: usize = 14;
    const PHASE_W: usize = 24;
    const FOR_W: usize = 6;
    let header = format!(
        "{:<WHEN_W$} {:<PHASE_W$} {:<FOR_W$} {}",
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
    let why_w = (list_area.width as usize).saturating_sub(WHEN_W + PHASE_W + FOR_W + 3);
    for (i, e) in entries.iter().enumerate().skip(first).take(rows) {
        let phase_entry = is_phase(e);
        let (style, symbol) = match e.origin {
            Origin::Event => (t.style("muted"), if t.ascii() { "~" } else { "»" }),
            _ if !phase_entry => (t.style("muted"), if t.ascii() { "'" } else { "·" }),
            _ => t.phase(&e.phase),
        };
        let text_style = if e.origin == Origin::Event {
            t.style("muted")
        } else if phase_entry {
            style
        } else {
            Style::default()
        };
        let when = e.at.strftime("%m-%d %H:%M:%S").to_string();
        let label = match e.track {
            Some(c) => format!("{c} {}", e.phase),
            None => e.phase.clone(),
        };
        let label = truncate(&label, PHASE_W - 2, t.ascii());
        let stayed = if phase_entry {
            let until = next_phase_time(&entries, i).unwrap_or(app.now);
            short_duration(until.duration_since(e.at))
        } else {
            String::new()
        };
        let why = truncate(e.why.as_deref().unwrap_or(""), why_w, t.ascii());
        let line = Line::from(vec![
            Span::raw(format!("{when:<WHEN_W$} ")),
            Span::styled(format!("{symbol} "), style),
            Span::styled(format!("{label:<w$} ", w = PHASE_W - 2), text_style),
            Span::raw(format!("{stayed:<FOR_W$} ")),
            Span::raw(why),
        ]);
        let (line, line_style) = if i == selected {
            (on_surface(line, SELECTED, ctx), t.style(SELECTED))
        } else {
            (line, Style::default())
        };
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
        ..Layout::default()
    }
}

/// When the phase entered at entry `i` ended: the next phase entry of the same track.
fn next_phase_time(entries: &[Transition], i: usize) -> Option<Timestamp> {
    let track = entries[i].track;
    entries[i + 1..]
        .iter()
        .find(|e| is_phase(e) && e.track == track)
        .map(|e| e.at)
}
