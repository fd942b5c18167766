//! The "start a data operation" form: steps, labelled inputs with a cursor, errors next to
//! their field, the next runs of a Cron schedule, and the manifest on the review step.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::Ctx;
use super::overlay::centered;
use super::widgets::{
    block, choice, error_mark, field_row, message_line, push_form_key, text_input, under_label,
    wrap,
};
use crate::app::actions::Action;
use crate::app::form_strings as s;
use crate::app::load_form::{Field, Input, LoadForm, Policy, Step};

/// Width of the label column.
const LABEL_W: usize = 15;
/// Between the options of a choice.
const CHOICE_GAP: &str = "  ";

pub fn draw(frame: &mut Frame, view: Rect, form: &LoadForm, ctx: &Ctx) {
    let area = centered(view, 110, view.height);
    if area.width < 4 || area.height < 3 {
        return;
    }
    frame.render_widget(Clear, area);
    let outer = block(s::title(&form.namespace, &form.dataset), true, ctx);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let mut top: Vec<Line> = vec![steps_line(form, ctx)];
    if inner.height >= 8 {
        top.push(Line::raw(""));
    }
    let (body, focus_line) = body_lines(form, inner.width as usize, ctx);
    let mut bottom: Vec<Line> = Vec::new();
    if let Some(m) = &form.message {
        bottom.push(message_line(m, inner.width as usize, ctx));
    }
    bottom.push(hints(form, ctx));
    let h = inner.height as usize;
    // Keep the step line and the hints when there is room; the body scrolls to its focus.
    let top_n = top.len().min(h.saturating_sub(1));
    let bottom_n = bottom.len().min(h.saturating_sub(top_n + 1));
    let body_h = h.saturating_sub(top_n + bottom_n);
    let offset = match form.step {
        Step::Review => form.scroll.min(body.len().saturating_sub(body_h.max(1))),
        _ => focus_line.saturating_sub(body_h.saturating_sub(2)),
    };
    let mut lines: Vec<Line> = top.into_iter().take(top_n).collect();
    lines.extend(body.into_iter().skip(offset).take(body_h));
    while lines.len() < top_n + body_h {
        lines.push(Line::raw(""));
    }
    let skip = bottom.len().saturating_sub(bottom_n);
    lines.extend(bottom.into_iter().skip(skip));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `1 Operation › 2 Targets › …`, the current step highlighted.
fn steps_line<'a>(form: &LoadForm, ctx: &Ctx) -> Line<'a> {
    let t = ctx.theme;
    let steps = form.steps();
    let sep = if t.ascii() { " > " } else { " › " };
    let mut spans = Vec::new();
    for (i, st) in steps.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(sep, t.style("wizard.step")));
        }
        let style = if *st == form.step {
            t.style("title.focused")
        } else {
            t.style("wizard.step")
        };
        spans.push(Span::styled(format!("{} {}", i + 1, st.title()), style));
    }
    spans.push(Span::styled(
        format!("  ({})", s::step_of(form.step_index() + 1, steps.len())),
        t.style("muted"),
    ));
    Line::from(spans)
}

/// The step's lines and the index of the focused field's line.
fn body_lines<'a>(form: &'a LoadForm, width: usize, ctx: &Ctx) -> (Vec<Line<'a>>, usize) {
    let t = ctx.theme;
    let focused = form.focused();
    let mut lines: Vec<Line> = Vec::new();
    let mut focus_line = 0;
    let mut field_line = |lines: &mut Vec<Line<'a>>,
                          field: Field,
                          label: &str,
                          value: Vec<Span<'a>>,
                          hint: Option<&str>| {
        let is_focused = focused == Some(field);
        if is_focused {
            focus_line = lines.len();
        }
        lines.push(Line::from(field_row(
            label, LABEL_W, value, hint, is_focused, ctx,
        )));
        if let Some(e) = form.error(field) {
            lines.push(error_line(&e, ctx));
        }
    };
    match form.step {
        Step::Operation => {
            let kinds: Vec<&str> = form.kinds.iter().map(|k| k.as_str()).collect();
            let v = choice(
                &kinds,
                form.kind,
                CHOICE_GAP,
                focused == Some(Field::Kind),
                ctx,
            );
            field_line(
                &mut lines,
                Field::Kind,
                s::LABEL_KIND,
                v,
                Some(s::HINT_CHOICE),
            );
            let v = text_input(&form.name, focused == Some(Field::Name), ctx);
            field_line(&mut lines, Field::Name, s::LABEL_NAME, v, None);
            lines.push(Line::raw(""));
            for n in &form.notes {
                for (i, part) in wrap(n, width.saturating_sub(4).max(10))
                    .into_iter()
                    .enumerate()
                {
                    let bullet = if i == 0 { "·" } else { " " };
                    lines.push(Line::from(Span::styled(
                        format!("  {bullet} {part}"),
                        t.style("muted"),
                    )));
                }
            }
        }
        Step::Targets if form.op_kind() == crate::model::OpKind::DataLoad => {
            for (i, row) in form.targets.iter().enumerate() {
                let pf = focused == Some(Field::Path(i));
                let rf = focused == Some(Field::Replicas(i));
                let mut v = text_input(&row.path, pf, ctx);
                let w =
                    unicode_width::UnicodeWidthStr::width(row.path.text.as_str()) + usize::from(pf);
                v.push(Span::raw(" ".repeat(20usize.saturating_sub(w) + 2)));
                v.push(Span::styled(
                    format!("{} ", s::LABEL_REPLICAS),
                    t.style("form.label"),
                ));
                v.extend(text_input(&row.replicas, rf, ctx));
                let field = if rf {
                    Field::Replicas(i)
                } else {
                    Field::Path(i)
                };
                let hint = if rf { s::HINT_REPLICAS } else { s::HINT_PATH };
                let errs: Vec<String> = [Field::Path(i), Field::Replicas(i)]
                    .into_iter()
                    .filter_map(|f| form.error(f))
                    .collect();
                // One line for the row, then its errors (path and replicas).
                let before = lines.len();
                field_line(&mut lines, field, s::LABEL_PATH, v, Some(hint));
                lines.truncate(before + 1);
                for e in errs {
                    lines.push(error_line(&e, ctx));
                }
            }
            let add = Field::Path(form.targets.len());
            let empty = Input::default();
            let v = text_input(&empty, focused == Some(add), ctx);
            field_line(
                &mut lines,
                add,
                s::LABEL_ADD_PATH,
                v,
                Some(s::HINT_ADD_PATH),
            );
            if form.targets.is_empty() {
                lines.push(Line::from(Span::styled(
                    under_label(s::HINT_NO_TARGET, LABEL_W),
                    t.style("muted"),
                )));
            }
            let v = choice(
                &[s::NO, s::YES],
                usize::from(form.load_metadata),
                CHOICE_GAP,
                focused == Some(Field::LoadMetadata),
                ctx,
            );
            field_line(
                &mut lines,
                Field::LoadMetadata,
                s::LABEL_LOAD_METADATA,
                v,
                Some(s::HINT_CHOICE),
            );
        }
        Step::Targets => {
            let v = text_input(&form.mount_path, focused == Some(Field::MountPath), ctx);
            field_line(&mut lines, Field::MountPath, s::LABEL_MOUNT_PATH, v, None);
            let v = text_input(&form.image, focused == Some(Field::Image), ctx);
            field_line(&mut lines, Field::Image, s::LABEL_IMAGE, v, None);
            let v = text_input(&form.script, focused == Some(Field::Script), ctx);
            field_line(
                &mut lines,
                Field::Script,
                s::LABEL_SCRIPT,
                v,
                Some(s::HINT_SCRIPT),
            );
        }
        Step::Schedule => {
            let names: Vec<&str> = Policy::ALL.iter().map(|p| p.as_str()).collect();
            let i = Policy::ALL
                .iter()
                .position(|p| *p == form.policy)
                .unwrap_or(0);
            let v = choice(&names, i, CHOICE_GAP, focused == Some(Field::Policy), ctx);
            field_line(
                &mut lines,
                Field::Policy,
                s::LABEL_POLICY,
                v,
                Some(s::HINT_CHOICE),
            );
            match form.policy {
                Policy::Once => {
                    let v = text_input(&form.ttl, focused == Some(Field::Ttl), ctx);
                    field_line(&mut lines, Field::Ttl, s::LABEL_TTL, v, Some(s::HINT_TTL));
                }
                Policy::Cron => {
                    let v = text_input(&form.schedule, focused == Some(Field::Schedule), ctx);
                    field_line(&mut lines, Field::Schedule, s::LABEL_SCHEDULE, v, None);
                    lines.push(Line::from(Span::styled(
                        under_label(s::HINT_SCHEDULE, LABEL_W),
                        t.style("hint"),
                    )));
                    let runs = form.next_runs();
                    for (n, run) in runs.iter().enumerate() {
                        let label = if n == 0 { s::LABEL_NEXT_RUNS } else { "" };
                        lines.push(Line::from(vec![
                            Span::styled(format!("  {label:<LABEL_W$}"), t.style("form.label")),
                            Span::raw(run.strftime("%a %Y-%m-%d %H:%M UTC").to_string()),
                        ]));
                    }
                }
                Policy::OnEvent => lines.push(Line::from(Span::styled(
                    under_label(s::HINT_ON_EVENT, LABEL_W),
                    t.style("hint"),
                ))),
            }
        }
        Step::Placement => {
            let v = text_input(
                &form.node_selector,
                focused == Some(Field::NodeSelector),
                ctx,
            );
            field_line(
                &mut lines,
                Field::NodeSelector,
                s::LABEL_NODE_SELECTOR,
                v,
                Some(s::HINT_NODE_SELECTOR),
            );
            let v = text_input(&form.tolerations, focused == Some(Field::Tolerations), ctx);
            field_line(
                &mut lines,
                Field::Tolerations,
                s::LABEL_TOLERATIONS,
                v,
                Some(s::HINT_TOLERATIONS),
            );
        }
        Step::Review => {
            lines.push(Line::from(Span::styled(
                s::REVIEW_INTRO,
                t.style("form.label"),
            )));
            for l in form.manifest_lines() {
                lines.push(Line::from(Span::styled(
                    format!("  {l}"),
                    t.style("confirm"),
                )));
            }
        }
    }
    (lines, focus_line)
}

fn error_line<'a>(e: &str, ctx: &Ctx) -> Line<'a> {
    Line::from(Span::styled(
        under_label(&format!("{} {e}", error_mark(ctx)), LABEL_W),
        ctx.theme.style("form.error"),
    ))
}

/// The keys of the form, from the active keymap.
fn hints<'a>(form: &LoadForm, ctx: &Ctx) -> Line<'a> {
    let t = ctx.theme;
    let next = if form.step == Step::Review {
        s::KEY_SUBMIT
    } else {
        s::KEY_NEXT_STEP
    };
    let items = [
        (Action::PaneNext, s::KEY_NEXT_FIELD),
        (Action::WizardNext, next),
        (Action::NavBack, s::KEY_BACK),
        (Action::WizardAbort, s::KEY_ABORT),
    ];
    let mut spans = vec![Span::raw(" ")];
    for (action, label) in items {
        if action == Action::PaneNext && form.step == Step::Review {
            spans.push(Span::styled(s::HINT_SCROLL, t.style("hint")));
            continue;
        }
        push_form_key(&mut spans, action, label, ctx);
    }
    Line::from(spans)
}
