//! What the detail page says about each kind: a describe-like set of sections built purely from
//! the store, Fluid-aware (derived runtime phase, operation flags, cache states "as of bind").
//! Lines that point at another object (a runtime's pods, its operations, a component's
//! timeline) carry a [`Target`]: Enter opens them.
//!
//! Every function here is pure and total: objects with absent status or empty specs give fewer
//! lines, never a panic.

mod class;
mod dataset;
mod maintenance;
mod misc;
mod node;
mod operation;
mod pod;
mod runtime;
pub mod strings;

use jiff::Timestamp;

use super::detail::{DetailLine, Section, Target};
use super::format::{age, or_dash};
use super::tables::Cell;
use crate::cluster::{Store, Subject};
use crate::model::health::{OperationFlag, operation_flag};
use crate::model::meta::{format_time, parse_time};
use crate::model::{Condition, DataOperation, Kind, Object, ObjectKey, OpPhase, Policy};

use strings as s;

pub fn describe(store: &Store, key: &ObjectKey, now: Timestamp) -> Vec<Section> {
    let Some(obj) = store.get(key) else {
        return Vec::new();
    };
    let mut out = match obj {
        Object::Runtime(rt) => runtime::sections(store, key, rt, now),
        Object::Dataset(ds) => dataset::sections(store, key, ds, now),
        Object::Operation(op) => operation::sections(store, key, op, now),
        Object::Pod(p) => pod::sections(store, key, p, now),
        Object::Class(c) => class::sections(store, c, now),
        Object::Maintenance(m) => maintenance::sections(store, key, m, now),
        Object::Workload(w) => misc::workload_sections(store, key, w, now),
        Object::Event(e) => misc::event_sections(store, key, e, now),
        Object::Node(n) => node::sections(store, key, n, now),
    };
    out.retain(|s| !s.lines.is_empty());
    out
}

/// Whether a kind's detail page is worth opening on Enter. Every kind has one; an Event's shows
/// its whole message and links to the object it is about.
pub fn has_detail(_kind: Kind) -> bool {
    true
}

// ---------------------------------------------------------------------------------------------
// Cells and lines.

fn section(title: &str, lines: Vec<DetailLine>) -> Section {
    Section {
        title: title.to_string(),
        lines,
    }
}

/// `Label:` followed by cells.
fn field(label: &str, mut cells: Vec<Cell>) -> DetailLine {
    cells.insert(0, Cell::text(format!("{label}:")));
    DetailLine::cells(cells)
}

/// `Label:` followed by one text value.
fn text_field(label: &str, value: impl Into<String>) -> DetailLine {
    field(label, vec![Cell::text(value)])
}

/// A continuation line of a multi-line field (empty label column).
fn more(cells: Vec<Cell>) -> DetailLine {
    let mut all = vec![Cell::text("")];
    all.extend(cells);
    DetailLine::cells(all)
}

/// Lines for a list-valued field: the label on the first line only.
fn list_field(label: &str, rows: Vec<(Vec<Cell>, Option<Target>)>) -> Vec<DetailLine> {
    rows.into_iter()
        .enumerate()
        .map(|(i, (cells, target))| {
            let line = if i == 0 {
                field(label, cells)
            } else {
                more(cells)
            };
            match target {
                Some(t) => line.to(t),
                None => line,
            }
        })
        .collect()
}

/// `""` is shown as `None` everywhere a phase is.
fn phase_name(p: &str) -> &str {
    if p.is_empty() { "None" } else { p }
}

/// Whether the theme knows `name` as a phase (so it gets a colour and a symbol).
fn known_phase(name: &str) -> bool {
    crate::config::theme::PHASES.contains(&name)
}

/// A phase cell when `phase` is one the theme knows, plain text otherwise.
fn phase_or_text(phase: &str, text: impl Into<String>) -> Cell {
    if known_phase(phase) {
        Cell::phase(phase, text)
    } else {
        Cell::text(text)
    }
}

fn phase_cell(phase: &str) -> Cell {
    let p = phase_name(phase);
    Cell::phase(p, p)
}

/// A pod's status as the console shows it (kubectl's, or that its node stopped reporting), in
/// its look: a running pod that is not Ready does not look healthy.
fn pod_status_cell(store: &Store, p: &crate::model::Pod) -> Cell {
    use crate::model::pod;
    let ns = p.metadata.namespace.as_deref().unwrap_or_default();
    let name = p.metadata.name.as_deref().unwrap_or_default();
    let status = match store.compact_pod(ns, name) {
        Some(c) => crate::app::tables::shown_pod_status(store, c).into_owned(),
        None => pod::display_status(p),
    };
    Cell::phase(pod::status_look(&status, pod::is_ready(p)), status)
}

/// An operation's phase, with the console's flag when it has one.
fn operation_phase_cell(op: &DataOperation, flag: Option<&OperationFlag>) -> Cell {
    let phase = op.phase();
    match flag {
        Some(f) => Cell::phase(f.label(), format!("{} ({})", phase.label(), f.label())),
        None => Cell::phase(phase.label(), phase.label()),
    }
}

/// The console's flag for an operation, looked up in the store.
fn flag_of(store: &Store, op: &DataOperation) -> Option<OperationFlag> {
    let runtime = op
        .target_dataset()
        .and_then(|(ns, name)| store.runtime(&ns, &name));
    let class = runtime.and_then(|rt| store.class_of(rt));
    let pred = store.predecessor(op).map(|p| p.phase());
    operation_flag(op, runtime, class, pred.as_ref())
}

fn op_key(op: &DataOperation) -> ObjectKey {
    ObjectKey::new(
        Kind::Operation(op.op_kind()),
        op.metadata.namespace.clone().unwrap_or_default(),
        op.metadata.name.clone().unwrap_or_default(),
    )
}

/// Why an operation is where it is: the flag's message, else its failing condition.
fn operation_reason(op: &DataOperation, flag: Option<&OperationFlag>) -> String {
    if let Some(f) = flag {
        return f.message();
    }
    if op.phase() == OpPhase::Failed
        && let Some(c) = op.failing_condition()
    {
        return [c.reason.as_deref(), c.message.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
    }
    String::new()
}

/// `Cron 30 1 * * *`, `Once`, `OnEvent`.
fn policy_text(op: &DataOperation) -> String {
    match (op.policy(), &op.spec.schedule) {
        (Policy::Cron, Some(s)) => format!("Cron {s}"),
        (p, _) => p.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Times.

/// `23d ago`, `in 5m`, or `-`.
fn ago(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) if t > now => s::in_future(&age(Some(now), t)),
        Some(t) => s::ago(&age(Some(t), now)),
        None => "-".into(),
    }
}

/// `2026-11-02T08:03:40Z (23d ago)`; unparsable values are shown as they are.
fn at(v: Option<&str>, now: Timestamp) -> String {
    match v.and_then(parse_time) {
        Some(t) => at_ts(t, now),
        None => or_dash(v),
    }
}

fn at_ts(t: Timestamp, now: Timestamp) -> String {
    s::at_with_age(&format_time(t), &ago(Some(t), now))
}

/// Seconds as a short duration (`30d`, `1h2m`).
fn secs_text(secs: i64) -> String {
    super::format::short_duration(jiff::SignedDuration::from_secs(secs))
}

// ---------------------------------------------------------------------------------------------
// Shared sections.

/// One condition, whatever kind it comes from.
struct Cond<'a> {
    type_: &'a str,
    status: &'a str,
    reason: Option<&'a str>,
    message: Option<&'a str>,
    at: Option<Timestamp>,
    /// Superseded by the object's current phase (shown `≈`, with its status kept).
    stale: bool,
}

impl<'a> From<&'a Condition> for Cond<'a> {
    fn from(c: &'a Condition) -> Self {
        Cond {
            type_: &c.type_,
            status: c.status.as_str(),
            reason: c.reason.as_deref(),
            message: c.message.as_deref(),
            at: c
                .last_transition_time
                .as_deref()
                .or(c.last_update_time.as_deref())
                .or(c.last_probe_time.as_deref())
                .and_then(parse_time),
            stale: false,
        }
    }
}

/// How a condition looks: good, bad, in progress — by type and status.
fn condition_look(type_: &str, status: &str) -> &'static str {
    match (type_, status) {
        (_, "Unknown") => "Unknown",
        ("Failed", "True") => "Failed",
        ("Failed" | "DisruptionTarget" | "NotReady" | "Updating", "False") => "None",
        ("DisruptionTarget", "True") => "Terminating",
        ("Updating", "True") => "Updating",
        ("AwaitingConfirmation", "True") => "AwaitingConfirmation",
        ("AwaitingConfirmation" | "Progressing", "False") => "None",
        ("Progressing", "True") => "Executing",
        ("InPlaceUpdateReady", "False") => "Updating",
        ("Complete", "True") => "Complete",
        (_, "True") => "Ready",
        (_, "False") => "NotReady",
        _ => "Unknown",
    }
}

fn condition_lines<'a>(conds: impl Iterator<Item = Cond<'a>>, now: Timestamp) -> Vec<DetailLine> {
    conds
        .map(|c| {
            DetailLine::cells(vec![
                Cell::text(c.type_),
                if c.stale {
                    Cell::phase("Stale", s::stale_condition(c.status))
                } else {
                    Cell::phase(condition_look(c.type_, c.status), c.status)
                },
                Cell::text(ago(c.at, now)),
                Cell::text(or_dash(c.reason)),
                Cell::text(c.message.unwrap_or("")),
            ])
        })
        .collect()
}

fn conditions_section(conds: &[Condition], now: Timestamp) -> Section {
    conditions_section_marked(conds, |_| false, now)
}

/// Conditions newest first (by their transition time; those without one last), those
/// `stale` says are superseded marked as such.
/// The conditions section of a built-in kind's status (a pod's, a node's): their conditions
/// share one shape. Used from the kinds' modules below this one.
macro_rules! builtin_conditions_section {
    ($status:expr, $now:expr) => {{
        let conds = $status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .map(|c| super::Cond {
                type_: &c.type_,
                status: &c.status,
                reason: c.reason.as_deref(),
                message: c.message.as_deref(),
                at: c.last_transition_time.as_ref().map(|t| t.0),
                stale: false,
            });
        super::section(super::s::CONDITIONS, super::condition_lines(conds, $now))
    }};
}
pub(super) use builtin_conditions_section;

fn conditions_section_marked(
    conds: &[Condition],
    stale: impl Fn(&Condition) -> bool,
    now: Timestamp,
) -> Section {
    let mut shown: Vec<Cond> = conds
        .iter()
        .map(|c| Cond {
            stale: stale(c),
            ..Cond::from(c)
        })
        .collect();
    shown.sort_by_key(|c| std::cmp::Reverse(c.at));
    section(s::CONDITIONS, condition_lines(shown.into_iter(), now))
}

/// Events of `sources` (object, label shown in an extra column), newest first. Every line opens
/// the event itself, whose page shows the full message.
fn events_section(
    store: &Store,
    sources: &[(ObjectKey, String)],
    now: Timestamp,
    limit: usize,
) -> Section {
    let labelled = sources.len() > 1;
    let mut all: Vec<(&crate::model::Event, &str)> = sources
        .iter()
        .flat_map(|(k, label)| {
            store
                .events_for(k)
                .into_iter()
                .map(move |e| (e, label.as_str()))
        })
        .collect();
    let when = |e: &crate::model::Event| {
        e.last_timestamp
            .as_ref()
            .or(e.first_timestamp.as_ref())
            .map(|t| t.0)
            .or_else(|| e.event_time.as_ref().map(|t| t.0))
    };
    all.sort_by_key(|(e, _)| std::cmp::Reverse(when(e)));
    let lines = all
        .into_iter()
        .take(limit)
        .map(|(e, label)| {
            let type_ = e.type_.as_deref().unwrap_or("");
            let mut cells = vec![
                Cell::text(age(when(e), now)),
                Cell::text(or_dash(Some(type_))),
                Cell::text(s::event_reason(
                    or_dash(e.reason.as_deref()).as_str(),
                    e.count.unwrap_or(1),
                )),
            ];
            if labelled {
                cells.push(Cell::text(label));
            }
            cells.push(Cell::text(one_line(e.message.as_deref().unwrap_or(""))));
            let line = DetailLine::cells(cells);
            match (e.metadata.namespace.as_deref(), e.metadata.name.as_deref()) {
                (Some(ns), Some(n)) => line.to(Target::Object(ObjectKey::new(Kind::Event, ns, n))),
                _ => line,
            }
        })
        .collect();
    section(s::EVENTS, lines)
}

/// A few recent transitions of `subject` and a line that opens its whole timeline.
fn timeline_section(store: &Store, subject: Subject, now: Timestamp, recent: usize) -> Section {
    let all = store.timeline(&subject);
    let target = Target::Timeline(subject);
    let mut lines =
        vec![DetailLine::cells(vec![Cell::text(s::open_timeline(all.len()))]).to(target.clone())];
    for t in all.iter().rev().take(recent) {
        lines.push(
            DetailLine::cells(vec![
                Cell::text(ago(Some(t.at), now)),
                phase_or_text(
                    &t.phase,
                    match t.track {
                        Some(c) => format!("{c} {}", t.phase),
                        None => t.phase.clone(),
                    },
                ),
                Cell::text(one_line(t.why.as_deref().unwrap_or(""))),
            ])
            .to(target.clone()),
        );
    }
    section(s::TIMELINE, lines)
}

/// Operations on a dataset: kind, name, phase with flag, duration, why (the policy and the
/// rest are on the operation's own page).
fn operations_section(store: &Store, namespace: &str, dataset: &str) -> Section {
    let lines = store
        .operations_of_dataset(namespace, dataset)
        .map(|op| {
            let flag = flag_of(store, op);
            DetailLine::cells(vec![
                Cell::text(op.op_kind().as_str()),
                Cell::text(op.metadata.name.clone().unwrap_or_default()),
                operation_phase_cell(op, flag.as_ref()),
                Cell::text(or_dash(Some(op.shown_duration()))),
                Cell::text(operation_reason(op, flag.as_ref())),
            ])
            .to(Target::Object(op_key(op)))
        })
        .collect();
    section(s::OPERATIONS, lines)
}

/// Cache states of a dataset on one line, marked "as of bind".
fn cache_states_cells(ds: Option<&crate::model::Dataset>) -> Option<Vec<Cell>> {
    let st = ds?.status.as_ref()?;
    if st.cache_states.is_empty() {
        return None;
    }
    let get = |k: &str| or_dash(st.cache_states.get(k).map(String::as_str));
    let size = |k: &str| {
        st.cache_states
            .get(k)
            .and_then(|v| crate::model::dataset::parse_size(v))
    };
    let of_capacity = match (size("cached"), size("cacheCapacity")) {
        (Some(cached), Some(capacity)) if capacity > 0.0 => Some(100.0 * cached / capacity),
        _ => None,
    };
    let mut text = s::cache_summary(
        &get("cached"),
        &get("cacheCapacity"),
        of_capacity,
        &get("cachedPercentage"),
        &get("cacheHitRatio"),
    );
    let known = [
        "cacheCapacity",
        "cached",
        "cachedPercentage",
        "cacheHitRatio",
    ];
    for (k, v) in st
        .cache_states
        .iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
    {
        text.push_str(&format!("{}{k} {v}", s::CACHE_SEP));
    }
    Some(vec![Cell::phase("Stale", s::AS_OF_BIND), Cell::text(text)])
}

/// Collapses whitespace (newlines included) so multi-line texts fit one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `key=value` pairs of a string map, comma-separated.
fn pairs<'a>(m: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    m.into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn yes_no(b: bool) -> &'static str {
    if b { s::YES } else { s::NO }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_looks_follow_meaning() {
        assert_eq!(condition_look("Ready", "True"), "Ready");
        assert_eq!(condition_look("Ready", "False"), "NotReady");
        assert_eq!(condition_look("Failed", "True"), "Failed");
        assert_eq!(condition_look("DisruptionTarget", "True"), "Terminating");
        assert_eq!(condition_look("InPlaceUpdateReady", "False"), "Updating");
        assert_eq!(condition_look("Anything", "Unknown"), "Unknown");
    }

    #[test]
    fn whitespace_collapses() {
        assert_eq!(one_line("a\n  b\tc\n"), "a b c");
    }
}
