//! Dataset: phase (the only reliable health signal), mounts and where they appear in the cache,
//! bound runtimes, cache states "as of bind", operation locks; operations, conditions, events.

use jiff::Timestamp;

use super::strings as s;
use super::{
    Cell, Section, Target, cache_states_cells, conditions_section_marked, events_section, field,
    list_field, operations_section, phase_cell, section, text_field, timeline_section,
};
use crate::app::format::{age, or_dash};
use crate::cluster::{Store, Subject};
use crate::model::health::overall_phase;
use crate::model::meta::created;
use crate::model::{ConditionStatus, Dataset, DatasetPhase, Kind, ObjectKey, OpKind};

pub(super) fn sections(
    store: &Store,
    key: &ObjectKey,
    ds: &Dataset,
    now: Timestamp,
) -> Vec<Section> {
    let conds = ds
        .status
        .as_ref()
        .map(|s| s.conditions.as_slice())
        .unwrap_or_default();
    vec![
        summary(store, key, ds, now),
        operations_section(store, &key.namespace, &key.name),
        conditions_section_marked(conds, |c| ds.condition_stale(c), now),
        events_section(store, &[(key.clone(), String::new())], now, 12),
        timeline_section(store, Subject::Object(key.clone()), now, 4),
    ]
}

fn summary(store: &Store, key: &ObjectKey, ds: &Dataset, now: Timestamp) -> Section {
    let mut lines = vec![text_field(s::NAMESPACE, key.namespace.clone())];
    let phase = ds.phase();
    let mut phase_cells = vec![phase_cell(phase.as_str())];
    let lagging = phase == DatasetPhase::Bound
        && ds.status.as_ref().is_some_and(|st| {
            st.conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status != ConditionStatus::True)
        });
    if lagging {
        phase_cells.push(Cell::text(s::CONDITIONS_LAG));
    }
    lines.push(field(s::PHASE, phase_cells));
    lines.extend(list_field(
        s::MOUNTS,
        ds.spec
            .mounts
            .iter()
            .map(|m| {
                let flag = |k: &str| m.extra.get(k).and_then(|v| v.as_bool()) == Some(true);
                let notes: Vec<&str> = [
                    flag("readOnly").then_some(s::READ_ONLY),
                    flag("shared").then_some(s::SHARED),
                ]
                .into_iter()
                .flatten()
                .collect();
                (
                    vec![
                        Cell::text(m.mount_point.clone()),
                        Cell::text(format!("{} {}", s::ARROW, m.cache_path())),
                        Cell::text(notes.join(", ")),
                    ],
                    None,
                )
            })
            .collect(),
    ));
    lines.push(text_field(
        s::PLACEMENT,
        match ds.spec.placement.as_deref() {
            Some(p) if !p.is_empty() => p.to_string(),
            _ => s::DEFAULT_PLACEMENT.to_string(),
        },
    ));
    lines.push(text_field(
        s::ACCESS_MODES,
        or_dash(Some(&ds.spec.access_modes.join(", "))),
    ));
    let st = ds.status.as_ref();
    let runtimes: Vec<_> = st.map(|s| s.runtimes.iter().collect()).unwrap_or_default();
    if runtimes.is_empty() {
        lines.push(field(s::RUNTIME, vec![Cell::phase("NotBound", s::NONE)]));
    }
    lines.extend(list_field(
        s::RUNTIME,
        runtimes
            .into_iter()
            .map(|r| {
                let ns = if r.namespace.is_empty() {
                    key.namespace.clone()
                } else {
                    r.namespace.clone()
                };
                let rt = store.runtime(&ns, &r.name);
                let phase = match rt {
                    Some(rt) => {
                        let p = overall_phase(rt, store.class_of(rt)).phase.as_str();
                        Cell::phase(p, p)
                    }
                    None => Cell::phase("Unknown", s::NOT_FOUND),
                };
                let kind = [r.category.as_deref(), r.type_.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("/");
                let target = rt.map(|_| {
                    Target::Object(ObjectKey::new(
                        Kind::CacheRuntime,
                        ns.clone(),
                        r.name.clone(),
                    ))
                });
                (
                    vec![Cell::text(r.name.clone()), phase, Cell::text(kind)],
                    target,
                )
            })
            .collect(),
    ));
    if let Some(cells) = cache_states_cells(Some(ds)) {
        lines.push(field(s::CACHE, cells));
    }
    if let Some(v) = st.and_then(|s| s.ufs_total.as_deref()) {
        lines.push(text_field(s::UFS_TOTAL, v));
    }
    if let Some(v) = st.and_then(|s| s.file_num.as_deref()) {
        lines.push(text_field(s::FILES, v));
    }
    let mut locks = Vec::new();
    for (kind, names) in st.map(|s| &s.operation_ref).into_iter().flatten() {
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let okey = OpKind::parse(kind)
                .map(|k| ObjectKey::new(Kind::Operation(k), key.namespace.clone(), name));
            let found = okey.as_ref().and_then(|k| store.get(k));
            let phase = match found {
                Some(crate::model::Object::Operation(op)) => phase_cell(op.phase().label()),
                _ => Cell::phase("Unknown", s::NOT_FOUND),
            };
            let target = found.and(okey).map(Target::Object);
            locks.push((
                vec![Cell::text(kind.clone()), Cell::text(name), phase],
                target,
            ));
        }
    }
    lines.extend(list_field(s::LOCKS, locks));
    lines.push(text_field(s::AGE, age(created(&ds.metadata), now)));
    section(s::SUMMARY, lines)
}
