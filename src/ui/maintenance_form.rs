//! The setup step of the upgrade and rebuild wizards: labelled fields with errors next to them
//! on one side, the live plan preview beside them (wide terminals) or below them (80×24).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::Ctx;
use super::overlay::centered;
use super::widgets::{block, truncate, wrap, wrap_hanging};
use crate::app::actions::{Action, KeyMode};
use crate::app::load_form::Input;
use crate::app::maintenance_form::{
    Field, LineKind, MaintenanceForm, PULL_POLICIES, REASONS, Wizard,
};
use crate::app::maintenance_strings as s;
use crate::model::Component;

/// Width of the label column.
const LABEL_W: usize = 16;
/// From this inner width on, the preview sits beside the fields.
const SIDE_BY_SIDE: u16 = 120;

pub fn draw(frame: &mut Frame, area: Rect, form: &MaintenanceForm, ctx: &Ctx) {
    let area = centered(area, 200, area.height);
    if area.width < 4 || area.height < 3 {
        return;
    }
    frame.render_widget(Clear, area);
    let outer = block(
        s::title(
            form.is_upgrade(),
            &form.runtime.namespace,
            &form.runtime.name,
        ),
        true,
        ctx,
    );
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let t = ctx.theme;
    let w = inner.width as usize;
    let mut bottom: Vec<Line> = Vec::new();
    if let Some(m) = &form.message {
        bottom.push(Line::from(Span::styled(
            truncate(m, w, t.ascii()),
            t.style("form.error"),
        )));
    }
    bottom.push(hints(w, ctx));
    // Keep at least one body row; the hints go first when space runs out.
    let bottom_n = bottom.len().min(inner.height.saturating_sub(1) as usize);
    let bottom: Vec<Line> = bottom.into_iter().take(bottom_n).collect();
    let [body, foot] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(bottom_n as u16)]).areas(inner);
    frame.render_widget(Paragraph::new(bottom), foot);
    if body.height == 0 {
        return;
    }
    let (fields_area, preview_area) = if body.width >= SIDE_BY_SIDE {
        let fields_w = (body.width * 9 / 20).clamp(40, 90);
        let [a, b] =
            Layout::horizontal([Constraint::Length(fields_w), Constraint::Min(0)]).areas(body);
        (a, b)
    } else {
        let (lines, _) = field_lines(form, body.width as usize, ctx);
        // Fields get what they need up to half the body; the preview the rest.
        let want = lines.len() as u16;
        let half = body.height.div_ceil(2);
        let fields_h = want
            .min(half.max(body.height.saturating_sub(6)))
            .min(body.height);
        let fields_h = if want > fields_h { half } else { fields_h };
        let [a, b] =
            Layout::vertical([Constraint::Length(fields_h), Constraint::Min(0)]).areas(body);
        (a, b)
    };
    draw_fields(frame, fields_area, form, ctx);
    draw_preview(frame, preview_area, form, body.width >= SIDE_BY_SIDE, ctx);
}

fn draw_fields(frame: &mut Frame, area: Rect, form: &MaintenanceForm, ctx: &Ctx) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let (lines, focus_line) = field_lines(form, area.width as usize, ctx);
    let h = area.height as usize;
    // Keep the focused field and the two lines after it (its error or note) in view.
    let offset = (focus_line + 3)
        .saturating_sub(h)
        .min(lines.len().saturating_sub(h));
    let lines: Vec<Line> = lines.into_iter().skip(offset).take(h).collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_preview(frame: &mut Frame, area: Rect, form: &MaintenanceForm, beside: bool, ctx: &Ctx) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let t = ctx.theme;
    let title = match form.record_name() {
        Some((ns, name)) => s::preview_title(&ns, &name),
        None => format!(" {} ", s::PREVIEW_TITLE),
    };
    let borders = if beside {
        Borders::LEFT | Borders::TOP
    } else {
        Borders::TOP
    };
    let frame_block = Block::default()
        .borders(borders)
        .border_style(t.style("border"))
        .title(Span::styled(
            truncate(&title, area.width as usize, t.ascii()),
            t.style("title"),
        ));
    let inner = frame_block.inner(area);
    frame.render_widget(frame_block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    // The row each summary line starts at: the preview scrolls by summary lines.
    let mut starts = Vec::new();
    for (kind, text) in form.preview_lines() {
        starts.push(lines.len());
        let style = match kind {
            LineKind::Heading => t.style("form.label").add_modifier(Modifier::BOLD),
            LineKind::Change => t.style("confirm"),
            LineKind::Stay => t.style("muted"),
            LineKind::Warning => t.style("status.warn"),
            LineKind::NotSyncable => t.style("status.warn"),
            LineKind::Error => t.style("form.error"),
            LineKind::Info => t.style("confirm"),
        };
        for part in wrap_hanging(&text, w) {
            lines.push(Line::from(Span::styled(part, style)));
        }
    }
    let h = inner.height as usize;
    let max_offset = lines.len().saturating_sub(h);
    let offset = starts
        .get(form.preview_scroll)
        .copied()
        .unwrap_or(max_offset)
        .min(max_offset);
    let below = lines.len().saturating_sub(offset + h);
    let mut shown: Vec<Line> = lines.into_iter().skip(offset).take(h).collect();
    if below > 0 && h >= 2 {
        shown.pop();
        shown.push(Line::from(Span::styled(
            truncate(&s::more_below(below + 1), w, t.ascii()),
            t.style("hint"),
        )));
    }
    frame.render_widget(Paragraph::new(shown), inner);
}

/// The field lines and the index of the focused field's line.
fn field_lines<'a>(form: &MaintenanceForm, width: usize, ctx: &Ctx) -> (Vec<Line<'a>>, usize) {
    let t = ctx.theme;
    let focused = form.focused();
    let mut lines: Vec<Line> = Vec::new();
    let mut focus_line = 0;
    let note_w = width.saturating_sub(LABEL_W + 4).max(1);
    // A field row: marker, label, value, the hint when focused; its error below it.
    let mut row = |lines: &mut Vec<Line<'a>>,
                   field: Field,
                   label: &str,
                   value: Vec<Span<'a>>,
                   hint: Option<&str>| {
        let is_focused = focused == Some(field);
        if is_focused {
            focus_line = lines.len();
        }
        let marker = match (is_focused, t.ascii()) {
            (true, false) => "▸ ",
            (true, true) => "> ",
            _ => "  ",
        };
        let label_style = if is_focused {
            t.style("title.focused")
        } else {
            t.style("form.label")
        };
        let mut spans = vec![
            Span::styled(marker, t.style("form.label")),
            Span::styled(format!("{label:<LABEL_W$}"), label_style),
        ];
        spans.extend(value);
        if let Some(h) = hint.filter(|_| is_focused) {
            spans.push(Span::styled(format!("  {h}"), t.style("hint")));
        }
        lines.push(clip(spans, width, ctx));
        if let Some(e) = form.error(field) {
            lines.push(note(
                &format!("{} {e}", cross(ctx)),
                width,
                t.style("form.error"),
                ctx,
            ));
        }
    };
    let note_lines = |lines: &mut Vec<Line<'a>>, text: &str, style: Style| {
        for part in wrap(text, note_w) {
            lines.push(note(&part, width, style, ctx));
        }
    };
    match form.wizard {
        Wizard::Upgrade => {
            let v = input(&form.image, focused == Some(Field::Image), ctx);
            row(
                &mut lines,
                Field::Image,
                s::LABEL_IMAGE,
                v,
                Some(s::HINT_IMAGE),
            );
            let v = input(&form.tag, focused == Some(Field::Tag), ctx);
            row(&mut lines, Field::Tag, s::LABEL_TAG, v, Some(s::HINT_TAG));
            let v = choice(
                &PULL_POLICIES,
                form.pull_policy,
                focused == Some(Field::PullPolicy),
                ctx,
            );
            row(
                &mut lines,
                Field::PullPolicy,
                s::LABEL_PULL_POLICY,
                v,
                Some(s::HINT_CHOICE),
            );
            for (i, c) in form.components.iter().enumerate() {
                let f = Field::Component(c.component);
                let label = if i == 0 { s::LABEL_COMPONENTS } else { "" };
                let mut v = check(c.selected, c.disabled.is_some(), focused == Some(f), ctx);
                let style = if c.disabled.is_some() {
                    t.style("muted")
                } else {
                    t.style("form.input")
                };
                v.push(Span::styled(format!(" {}", c.component), style));
                if let Some(why) = &c.disabled {
                    v.push(Span::styled(format!("  {why}"), t.style("muted")));
                }
                row(&mut lines, f, label, v, Some(s::HINT_TOGGLE));
            }
            let v = toggle(
                form.confirm_each_step,
                s::TOGGLE_CONFIRM_EACH,
                focused == Some(Field::ConfirmEachStep),
                ctx,
            );
            row(
                &mut lines,
                Field::ConfirmEachStep,
                s::LABEL_CONFIRM_EACH,
                v,
                Some(s::HINT_TOGGLE),
            );
            let mut v = toggle(
                form.use_partition,
                s::TOGGLE_PARTITION,
                focused == Some(Field::UsePartition),
                ctx,
            );
            let by_plan = !form.use_partition
                && form
                    .current_plan()
                    .and_then(|p| p.record.spec.strategy.as_ref())
                    .and_then(|st| st.use_partition)
                    == Some(true);
            if by_plan {
                v.push(Span::styled(
                    format!(" {}", s::PARTITION_BY_PLAN),
                    t.style("status.warn"),
                ));
            }
            row(
                &mut lines,
                Field::UsePartition,
                s::LABEL_PARTITION,
                v,
                Some(s::HINT_TOGGLE),
            );
            let v = toggle(
                form.rollback,
                s::TOGGLE_ROLLBACK,
                focused == Some(Field::Rollback),
                ctx,
            );
            row(
                &mut lines,
                Field::Rollback,
                s::LABEL_ROLLBACK,
                v,
                Some(s::HINT_TOGGLE),
            );
            let mut v = input(&form.timeout, focused == Some(Field::Timeout), ctx);
            v.push(Span::styled(s::SECONDS, t.style("form.label")));
            row(
                &mut lines,
                Field::Timeout,
                s::LABEL_TIMEOUT,
                v,
                Some(s::HINT_NUMBER),
            );
        }
        Wizard::Rebuild => {
            let v = choice(&REASONS, form.reason, focused == Some(Field::Reason), ctx);
            row(
                &mut lines,
                Field::Reason,
                s::LABEL_REASON,
                v,
                Some(s::HINT_CHOICE),
            );
            let name_w = form
                .pods
                .iter()
                .map(|p| short_name(&form.runtime.name, &p.name).width())
                .max()
                .unwrap_or(0);
            let node_w = form.pods.iter().map(|p| p.node.width()).max().unwrap_or(0);
            for (i, p) in form.pods.iter().enumerate() {
                let f = Field::Pod(i);
                let label = if i == 0 { s::LABEL_PODS } else { "" };
                let mut v = check(p.ticked, false, focused == Some(f), ctx);
                let name = short_name(&form.runtime.name, &p.name);
                let style = if p.why.is_some() {
                    t.style("status.warn")
                } else {
                    t.style("form.input")
                };
                v.push(Span::styled(format!(" {name:<name_w$}"), style));
                v.push(Span::styled(
                    format!("  {:<node_w$}  {}", p.node, p.state),
                    t.style("muted"),
                ));
                row(&mut lines, f, label, v, Some(s::HINT_TOGGLE));
                if let Some(why) = &p.why {
                    note_lines(&mut lines, why, t.style("status.warn"));
                }
                if p.ticked && p.component == Component::Client {
                    note_lines(
                        &mut lines,
                        &format!("! {}", s::CLIENT_POD_WARNING),
                        t.style("form.error"),
                    );
                }
            }
            let fields = form.fields();
            if fields.contains(&Field::ClientConfirm) {
                let v = toggle(
                    form.client_confirmed,
                    s::TOGGLE_CLIENT_CONFIRM,
                    focused == Some(Field::ClientConfirm),
                    ctx,
                );
                row(
                    &mut lines,
                    Field::ClientConfirm,
                    s::LABEL_CLIENT_CONFIRM,
                    v,
                    Some(s::HINT_TOGGLE),
                );
            }
            if fields.contains(&Field::ForceDelete) {
                let v = toggle(
                    form.force_delete,
                    s::TOGGLE_FORCE,
                    focused == Some(Field::ForceDelete),
                    ctx,
                );
                row(
                    &mut lines,
                    Field::ForceDelete,
                    s::LABEL_FORCE,
                    v,
                    Some(s::HINT_TOGGLE),
                );
                note_lines(&mut lines, s::FORCE_EXPLAIN, t.style("muted"));
            }
            match &form.rewarm_unsupported {
                Some(why) => note_lines(
                    &mut lines,
                    &format!("{}{why}", s::REWARM_UNSUPPORTED),
                    t.style("muted"),
                ),
                None => {
                    let v = toggle(
                        form.rewarm,
                        s::TOGGLE_REWARM,
                        focused == Some(Field::Rewarm),
                        ctx,
                    );
                    row(
                        &mut lines,
                        Field::Rewarm,
                        s::LABEL_REWARM,
                        v,
                        Some(s::HINT_TOGGLE),
                    );
                    if form.rewarm {
                        let v = input(&form.rewarm_paths, focused == Some(Field::RewarmPaths), ctx);
                        row(
                            &mut lines,
                            Field::RewarmPaths,
                            s::LABEL_REWARM_PATHS,
                            v,
                            Some(s::HINT_PATHS),
                        );
                    }
                }
            }
            let v = input(
                &form.max_unavailable,
                focused == Some(Field::MaxUnavailable),
                ctx,
            );
            row(
                &mut lines,
                Field::MaxUnavailable,
                s::LABEL_MAX_UNAVAILABLE,
                v,
                Some(s::HINT_NUMBER),
            );
            let v = toggle(
                form.confirm_each_step,
                s::TOGGLE_CONFIRM_EACH,
                focused == Some(Field::ConfirmEachStep),
                ctx,
            );
            row(
                &mut lines,
                Field::ConfirmEachStep,
                s::LABEL_CONFIRM_EACH,
                v,
                Some(s::HINT_TOGGLE),
            );
            let mut v = input(&form.timeout, focused == Some(Field::Timeout), ctx);
            v.push(Span::styled(s::SECONDS, t.style("form.label")));
            row(
                &mut lines,
                Field::Timeout,
                s::LABEL_TIMEOUT,
                v,
                Some(s::HINT_NUMBER),
            );
        }
    }
    (lines, focus_line)
}

/// `worker-2` for `imagenet-train-worker-2`.
fn short_name<'a>(runtime: &str, pod: &'a str) -> &'a str {
    pod.strip_prefix(runtime)
        .and_then(|r| r.strip_prefix('-'))
        .unwrap_or(pod)
}

fn cross(ctx: &Ctx) -> &'static str {
    if ctx.theme.ascii() { "x" } else { "✗" }
}

/// An indented line under a field (its error or an explanation), cut to the width.
fn note<'a>(text: &str, width: usize, style: Style, ctx: &Ctx) -> Line<'a> {
    let text = format!("  {:LABEL_W$}{text}", "");
    Line::from(Span::styled(
        truncate(&text, width, ctx.theme.ascii()),
        style,
    ))
}

/// Cuts a line of spans to `width` columns, the last visible character replaced by an ellipsis
/// when something was cut.
fn clip<'a>(spans: Vec<Span<'a>>, width: usize, ctx: &Ctx) -> Line<'a> {
    let total: usize = spans.iter().map(|s| s.content.width()).sum();
    if total <= width {
        return Line::from(spans);
    }
    let mut out = Vec::new();
    let mut used = 0;
    for sp in spans {
        let w = sp.content.width();
        if used + w < width {
            used += w;
            out.push(sp);
            continue;
        }
        let room = width.saturating_sub(used);
        if room > 0 {
            out.push(Span::styled(
                truncate(&format!("{} ", sp.content), room, ctx.theme.ascii()),
                sp.style,
            ));
        }
        break;
    }
    Line::from(out)
}

/// A text input; when focused, the character under the cursor is drawn reversed.
fn input<'a>(inp: &Input, focused: bool, ctx: &Ctx) -> Vec<Span<'a>> {
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

/// Options side by side, the chosen one bracketed.
fn choice<'a>(options: &[&str], chosen: usize, focused: bool, ctx: &Ctx) -> Vec<Span<'a>> {
    let t = ctx.theme;
    let mut spans = Vec::new();
    for (i, o) in options.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
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

/// `[x]` / `[ ]` (`[-]` when it cannot be changed).
fn check<'a>(on: bool, disabled: bool, focused: bool, ctx: &Ctx) -> Vec<Span<'a>> {
    let t = ctx.theme;
    let mark = match (disabled, on) {
        (true, _) => "[-]",
        (false, true) => "[x]",
        (false, false) => "[ ]",
    };
    let style = if disabled {
        t.style("muted")
    } else if focused {
        t.style("form.input.focused")
    } else {
        t.style("form.input")
    };
    vec![Span::styled(mark, style)]
}

/// A checkbox with its meaning.
fn toggle<'a>(on: bool, text: &str, focused: bool, ctx: &Ctx) -> Vec<Span<'a>> {
    let mut v = check(on, false, focused, ctx);
    v.push(Span::styled(format!(" {text}"), ctx.theme.style("confirm")));
    v
}

/// The keys of the form, from the active keymap.
fn hints<'a>(width: usize, ctx: &Ctx) -> Line<'a> {
    let t = ctx.theme;
    let items = [
        (Action::PaneNext, s::KEY_NEXT_FIELD),
        (Action::WizardNext, s::KEY_NEXT),
        (Action::NavBack, s::KEY_BACK),
        (Action::WizardAbort, s::KEY_ABORT),
    ];
    let mut spans = vec![Span::raw(" ")];
    for (action, label) in items {
        let keys = ctx.keymap.keys_for(action, KeyMode::Form);
        let Some(k) = keys.first() else { continue };
        spans.push(Span::styled(k.clone(), t.style("hint.key")));
        spans.push(Span::styled(format!(" {label}  "), t.style("hint")));
    }
    spans.push(Span::styled(s::HINT_PREVIEW_SCROLL, t.style("hint")));
    clip(spans, width, ctx)
}
