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
use super::widgets::{
    block, choice, error_mark, field_row, message_line, push_form_key, text_input, truncate,
    under_label, wrap, wrap_hanging,
};
use crate::app::actions::Action;
use crate::app::load_form::Input;
use crate::app::maintenance_form::{
    Field, LineKind, MaintenanceForm, PULL_POLICIES, REASONS, Wizard,
};
use crate::app::maintenance_strings as s;
use crate::model::Component;

/// Width of the label column.
const LABEL_W: usize = 16;
/// Between the options of a choice.
const CHOICE_GAP: &str = " ";
/// From this inner width on, the preview sits beside the fields.
const SIDE_BY_SIDE: u16 = 120;

pub fn draw(frame: &mut Frame, area: Rect, form: &MaintenanceForm, ctx: &Ctx) {
    let area = centered(area, 200, area.height);
    if area.width < 4 || area.height < 3 {
        return;
    }
    frame.render_widget(Clear, area);
    let outer = block(form.title(), true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let w = inner.width as usize;
    let mut bottom: Vec<Line> = Vec::new();
    if let Some(m) = &form.message {
        bottom.push(message_line(m, w, ctx));
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
    let mut rows = Rows {
        form,
        ctx,
        width,
        focused: form.focused(),
        lines: Vec::new(),
        focus_line: 0,
    };
    match form.wizard {
        Wizard::Upgrade => {
            rows.input(Field::Image, &form.image, s::LABEL_IMAGE, s::HINT_IMAGE);
            rows.input(Field::Tag, &form.tag, s::LABEL_TAG, s::HINT_TAG);
            rows.choice(
                Field::PullPolicy,
                &PULL_POLICIES,
                form.pull_policy,
                s::LABEL_PULL_POLICY,
            );
            for (i, c) in form.components.iter().enumerate() {
                let f = Field::Component(c.component);
                let label = if i == 0 { s::LABEL_COMPONENTS } else { "" };
                let mut v = check(c.selected, c.disabled.is_some(), rows.is(f), ctx);
                let style = if c.disabled.is_some() {
                    t.style("muted")
                } else {
                    t.style("form.input")
                };
                v.push(Span::styled(format!(" {}", c.component), style));
                if let Some(why) = &c.disabled {
                    v.push(Span::styled(format!("  {why}"), t.style("muted")));
                }
                rows.row(f, label, v, Some(s::HINT_TOGGLE));
            }
            rows.toggle(
                Field::ConfirmEachStep,
                form.confirm_each_step,
                s::TOGGLE_CONFIRM_EACH,
                s::LABEL_CONFIRM_EACH,
            );
            let mut v = toggle(
                form.use_partition,
                s::TOGGLE_PARTITION,
                rows.is(Field::UsePartition),
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
            rows.row(
                Field::UsePartition,
                s::LABEL_PARTITION,
                v,
                Some(s::HINT_TOGGLE),
            );
            rows.toggle(
                Field::Rollback,
                form.rollback,
                s::TOGGLE_ROLLBACK,
                s::LABEL_ROLLBACK,
            );
        }
        Wizard::Rebuild => {
            rows.choice(Field::Reason, &REASONS, form.reason, s::LABEL_REASON);
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
                let mut v = check(p.ticked, false, rows.is(f), ctx);
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
                rows.row(f, label, v, Some(s::HINT_TOGGLE));
                if let Some(why) = &p.why {
                    rows.notes(why, t.style("status.warn"));
                }
                if p.ticked && p.component == Component::Client {
                    rows.notes(
                        &format!("! {}", s::CLIENT_POD_WARNING),
                        t.style("form.error"),
                    );
                }
            }
            let fields = form.fields();
            if fields.contains(&Field::ClientConfirm) {
                rows.toggle(
                    Field::ClientConfirm,
                    form.client_confirmed,
                    s::TOGGLE_CLIENT_CONFIRM,
                    s::LABEL_CLIENT_CONFIRM,
                );
            }
            if fields.contains(&Field::ForceDelete) {
                rows.toggle(
                    Field::ForceDelete,
                    form.force_delete,
                    s::TOGGLE_FORCE,
                    s::LABEL_FORCE,
                );
                rows.notes(s::FORCE_EXPLAIN, t.style("muted"));
            }
            match &form.rewarm_unsupported {
                Some(why) => {
                    rows.notes(&format!("{}{why}", s::REWARM_UNSUPPORTED), t.style("muted"))
                }
                None => {
                    rows.toggle(
                        Field::Rewarm,
                        form.rewarm,
                        s::TOGGLE_REWARM,
                        s::LABEL_REWARM,
                    );
                    if form.rewarm {
                        rows.input(
                            Field::RewarmPaths,
                            &form.rewarm_paths,
                            s::LABEL_REWARM_PATHS,
                            s::HINT_PATHS,
                        );
                    }
                }
            }
            rows.input(
                Field::MaxUnavailable,
                &form.max_unavailable,
                s::LABEL_MAX_UNAVAILABLE,
                s::HINT_NUMBER,
            );
            rows.toggle(
                Field::ConfirmEachStep,
                form.confirm_each_step,
                s::TOGGLE_CONFIRM_EACH,
                s::LABEL_CONFIRM_EACH,
            );
        }
    }
    // Both wizards end with the step timeout.
    let mut v = text_input(&form.timeout, rows.is(Field::Timeout), ctx);
    v.push(Span::styled(s::SECONDS, t.style("form.label")));
    rows.row(Field::Timeout, s::LABEL_TIMEOUT, v, Some(s::HINT_NUMBER));
    (rows.lines, rows.focus_line)
}

/// The field lines being built, and which of them is the focused field's.
struct Rows<'a, 'f> {
    form: &'f MaintenanceForm,
    ctx: &'f Ctx<'f>,
    width: usize,
    focused: Option<Field>,
    lines: Vec<Line<'a>>,
    focus_line: usize,
}

impl<'a> Rows<'a, '_> {
    fn is(&self, field: Field) -> bool {
        self.focused == Some(field)
    }

    /// A field row (marker, label, value, the hint when focused) cut to the width; its error
    /// below it.
    fn row(&mut self, field: Field, label: &str, value: Vec<Span<'a>>, hint: Option<&str>) {
        let focused = self.is(field);
        if focused {
            self.focus_line = self.lines.len();
        }
        let spans = field_row(label, LABEL_W, value, hint, focused, self.ctx);
        self.lines.push(clip(spans, self.width, self.ctx));
        if let Some(e) = self.form.error(field) {
            self.lines.push(note(
                &format!("{} {e}", error_mark(self.ctx)),
                self.width,
                self.ctx.theme.style("form.error"),
                self.ctx,
            ));
        }
    }

    /// A text field.
    fn input(&mut self, field: Field, input: &Input, label: &str, hint: &str) {
        let v = text_input(input, self.is(field), self.ctx);
        self.row(field, label, v, Some(hint));
    }

    /// A choice among options.
    fn choice(&mut self, field: Field, options: &[&str], chosen: usize, label: &str) {
        let v = choice(options, chosen, CHOICE_GAP, self.is(field), self.ctx);
        self.row(field, label, v, Some(s::HINT_CHOICE));
    }

    /// A checkbox with its meaning.
    fn toggle(&mut self, field: Field, on: bool, text: &str, label: &str) {
        let v = toggle(on, text, self.is(field), self.ctx);
        self.row(field, label, v, Some(s::HINT_TOGGLE));
    }

    /// A note under the fields, wrapped to the note column.
    fn notes(&mut self, text: &str, style: Style) {
        let note_w = self.width.saturating_sub(LABEL_W + 4).max(1);
        for part in wrap(text, note_w) {
            self.lines.push(note(&part, self.width, style, self.ctx));
        }
    }
}

/// `worker-2` for `imagenet-train-worker-2`.
fn short_name<'a>(runtime: &str, pod: &'a str) -> &'a str {
    pod.strip_prefix(runtime)
        .and_then(|r| r.strip_prefix('-'))
        .unwrap_or(pod)
}

/// An indented line under a field (its error or an explanation), cut to the width.
fn note<'a>(text: &str, width: usize, style: Style, ctx: &Ctx) -> Line<'a> {
    Line::from(Span::styled(
        truncate(&under_label(text, LABEL_W), width, ctx.theme.ascii()),
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
        push_form_key(&mut spans, action, label, ctx);
    }
    spans.push(Span::styled(s::HINT_PREVIEW_SCROLL, t.style("hint")));
    clip(spans, width, ctx)
}
