//! What the detail page says about each kind.

use jiff::Timestamp;

use super::detail::{DetailLine, Section, Target};
use super::format::{age, or_dash};
use super::tables::Cell;
use crate::cluster::{Store, Subject};
use crate::model::meta::created;
use crate::model::{Condition, Kind, Object, ObjectKey};

pub fn describe(store: &Store, key: &ObjectKey, now: Timestamp) -> Vec<Section> {
    let Some(obj) = store.get(key) else { return Vec::new() };
    let mut out = vec![summary(obj, now)];
    out.push(conditions(obj));
    out.push(events(store, key, now));
    out.push(Section {
        title: "Timeline".into(),
        lines: vec![DetailLine::cells(vec![Cell::text("open the timeline")]).to(Target::Timeline(Subject::Object(key.clone())))],
    });
    out.retain(|s| !s.lines.is_empty());
    out
}

fn summary(obj: &Object, now: Timestamp) -> Section {
    let m = obj.meta();
    let mut s = Section::new("Summary");
    s.lines.push(DetailLine::field("Kind", obj.kind().as_str()));
    s.lines.push(DetailLine::field("Name", or_dash(m.name.as_deref())));
    if obj.kind().namespaced() {
        s.lines.push(DetailLine::field("Namespace", or_dash(m.namespace.as_deref())));
    }
    s.lines.push(DetailLine::field("Age", age(created(m), now)));
    s
}

fn condition_line(c: &Condition) -> DetailLine {
    DetailLine::cells(vec![
        Cell::text(c.type_.clone()),
        Cell::phase(c.status.to_string(), c.status.to_string()),
        Cell::text(or_dash(c.reason.as_deref())),
        Cell::text(or_dash(c.message.as_deref())),
        Cell::text(or_dash(c.last_transition_time.as_deref())),
    ])
}

fn conditions(obj: &Object) -> Section {
    let list: Vec<&Condition> = match obj {
        Object::Operation(o) => o.status.iter().flat_map(|s| &s.conditions).collect(),
        Object::Dataset(d) => d.status.iter().flat_map(|s| &s.conditions).collect(),
        Object::Runtime(r) => r.status.iter().flat_map(|s| &s.conditions).collect(),
        Object::Maintenance(m) => m.status.iter().flat_map(|s| &s.conditions).collect(),
        _ => Vec::new(),
    };
    Section { title: "Conditions".into(), lines: list.into_iter().map(condition_line).collect() }
}

fn events(store: &Store, key: &ObjectKey, now: Timestamp) -> Section {
    let lines = store
        .events_for(key)
        .into_iter()
        .rev()
        .take(20)
        .map(|e| {
            let when = e.last_timestamp.as_ref().or(e.first_timestamp.as_ref()).map(|t| t.0);
            DetailLine::cells(vec![
                Cell::text(age(when, now)),
                Cell::text(or_dash(e.type_.as_deref())),
                Cell::text(or_dash(e.reason.as_deref())),
                Cell::text(or_dash(e.message.as_deref())),
            ])
        })
        .collect();
    Section { title: "Events".into(), lines }
}

/// Whether a kind's detail page is worth opening on Enter (events are shown inline).
pub fn has_detail(kind: Kind) -> bool {
    kind != Kind::Event
}
