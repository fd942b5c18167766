//! CacheRuntimeMaintenance: what it does to which runtime and how (strategy), where it is;
//! its steps (each opens the object it targets), the facts observed for the current step,
//! conditions, events.

use jiff::Timestamp;

use super::strings as s;
use super::{
    Cell, DetailLine, Section, Target, at, conditions_section, events_section, field, one_line,
    phase_cell, section, text_field, timeline_section, yes_no,
};
use crate::app::format::{age, or_dash};
use crate::cluster::{Store, Subject};
use crate::model::health::overall_phase;
use crate::model::maintenance::MaintenanceType;
use crate::model::meta::created;
use crate::model::{CacheRuntimeMaintenance, Kind, ObjectKey};

pub(super) fn sections(
    store: &Store,
    key: &ObjectKey,
    m: &CacheRuntimeMaintenance,
    now: Timestamp,
) -> Vec<Section> {
    let conds = m
        .status
        .as_ref()
        .map(|s| s.conditions.as_slice())
        .unwrap_or_default();
    vec![
        summary(store, key, m, now),
        steps(store, key, m),
        observed(m),
        conditions_section(conds, now),
        events_section(store, &[(key.clone(), String::new())], now, 12),
        timeline_section(store, Subject::Object(key.clone()), now, 4),
    ]
}

fn summary(store: &Store, key: &ObjectKey, m: &CacheRuntimeMaintenance, now: Timestamp) -> Section {
    let spec = &m.spec;
    let mut lines = vec![text_field(s::NAMESPACE, key.namespace.clone())];
    let rt = store.runtime(&key.namespace, &spec.runtime_name);
    lines.push(match rt {
        Some(rt) => {
            let p = overall_phase(rt, store.class_of(rt)).phase.as_str();
            field(
                s::RUNTIME,
                vec![Cell::text(spec.runtime_name.clone()), Cell::phase(p, p)],
            )
            .to(Target::Object(ObjectKey::new(
                Kind::CacheRuntime,
                key.namespace.clone(),
                spec.runtime_name.clone(),
            )))
        }
        None => field(
            s::RUNTIME,
            vec![
                Cell::text(or_dash(Some(&spec.runtime_name))),
                Cell::phase("Unknown", s::NOT_FOUND),
            ],
        ),
    });
    lines.push(text_field(s::TYPE, spec.type_.to_string()));
    let mut phase = vec![phase_cell(m.phase().as_str())];
    let st = m.status.as_ref();
    if let Some((i, step)) = st.and_then(|st| {
        let i = usize::try_from(st.current_step?).ok()?;
        Some((i, st.steps.get(i)?))
    }) {
        phase.push(Cell::text(format!(
            "{} {}",
            s::step_index(i, st.map_or(0, |s| s.steps.len())),
            step.name
        )));
    }
    lines.push(field(s::PHASE, phase));
    // What the current step waits for (e.g. the operator's confirmation), in full.
    if let Some(msg) = st
        .and_then(|st| st.steps.get(usize::try_from(st.current_step?).ok()?))
        .and_then(|step| step.message.as_deref())
        .filter(|m| !m.is_empty())
    {
        lines.push(text_field(s::STEP, one_line(msg)));
    }
    let mut control = Vec::new();
    if spec.paused == Some(true) {
        control.push(Cell::phase("Paused", s::PAUSED));
    }
    if spec.abort == Some(true) {
        control.push(Cell::phase("Aborted", s::ABORT_REQUESTED));
    }
    if !control.is_empty() {
        lines.push(field(s::CONTROL, control));
    }
    lines.push(text_field(
        s::COMPONENT,
        or_dash(Some(&spec.components.join(&format!(" {} ", s::ARROW)))),
    ));
    match spec.type_ {
        MaintenanceType::Upgrade => {
            if let Some(u) = &spec.upgrade {
                let mut text = format!("{}:{}", u.image, u.image_tag);
                if let Some(p) = &u.image_pull_policy {
                    text.push_str(&format!(" ({p})"));
                }
                lines.push(text_field(s::UPGRADE_TO, text));
            }
            let prev: Vec<String> = st
                .map(|s| {
                    s.previous
                        .iter()
                        .map(|(c, v)| format!("{c} {}:{}", v.image, v.image_tag))
                        .collect()
                })
                .unwrap_or_default();
            if !prev.is_empty() {
                lines.push(text_field(s::PREVIOUS, prev.join(", ")));
            }
        }
        _ => {
            if let Some(r) = &spec.rebuild {
                lines.push(text_field(
                    s::REBUILD,
                    s::rebuild_reason(
                        r.reason.as_deref().unwrap_or("-"),
                        r.force_delete_lost_pods == Some(true),
                    ),
                ));
                if !r.nodes.is_empty() {
                    lines.push(text_field(s::REBUILD_NODES, r.nodes.join(", ")));
                }
                lines.push(text_field(
                    s::REBUILD_PODS,
                    if r.pods.is_empty() {
                        s::ALL_PODS_OF.to_string()
                    } else {
                        r.pods.join(", ")
                    },
                ));
                let reload = r.reload_data == Some(true);
                let text = if reload {
                    let targets = r
                        .data_load
                        .iter()
                        .flat_map(|d| d.target.iter())
                        .map(|t| format!("{} x{}", t.path, t.replicas.unwrap_or(1)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    s::rewarm(
                        m.metadata.name.as_deref().unwrap_or(""),
                        or_dash(Some(&targets)).as_str(),
                    )
                } else {
                    yes_no(false).to_string()
                };
                lines.push(text_field(s::RELOAD, text));
            }
        }
    }
    let strat = spec.strategy.clone().unwrap_or_default();
    lines.push(text_field(
        s::STRATEGY,
        s::strategy(
            strat.max_unavailable.unwrap_or(1),
            strat.confirm_each_step.unwrap_or(false),
            strat.step_timeout_seconds.unwrap_or(600),
            strat.rollback_on_failure.unwrap_or(false),
            strat.use_partition.unwrap_or(false),
        ),
    ));
    lines.push(text_field(
        s::STARTED,
        at(st.and_then(|s| s.started_at.as_deref()), now),
    ));
    if let Some(f) = st.and_then(|s| s.finished_at.as_deref()) {
        lines.push(text_field(s::FINISHED, at(Some(f), now)));
    }
    lines.push(text_field(s::AGE, age(created(&m.metadata), now)));
    section(s::SUMMARY, lines)
}

/// The object a step's `target` ("Kind/name") names, if it is in the store.
fn step_target(store: &Store, key: &ObjectKey, target: Option<&str>) -> Option<ObjectKey> {
    let (kind, name) = target?.split_once('/')?;
    let kind = Kind::parse(kind)?;
    let ns = if kind.namespaced() {
        key.namespace.clone()
    } else {
        String::new()
    };
    let k = ObjectKey::new(kind, ns, name);
    store.get(&k).map(|_| k)
}

fn steps(store: &Store, key: &ObjectKey, m: &CacheRuntimeMaintenance) -> Section {
    let Some(st) = m.status.as_ref() else {
        return section(s::STEPS, Vec::new());
    };
    let current = st.current_step.and_then(|i| usize::try_from(i).ok());
    let n = st.steps.len();
    let lines = st
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let marker = if current == Some(i) {
                s::CURRENT_MARK
            } else {
                s::NOT_CURRENT_MARK
            };
            let line = DetailLine::cells(vec![
                Cell::text(format!("{marker}{}", s::step_index(i, n))),
                Cell::text(step.name.clone()),
                Cell::phase(step.state.theme_phase(), step.state.to_string()),
                Cell::text(or_dash(step.action.as_deref())),
                Cell::text(or_dash(step.target.as_deref())),
                Cell::text(one_line(step.message.as_deref().unwrap_or(""))),
            ]);
            match step_target(store, key, step.target.as_deref()) {
                Some(k) => line.to(Target::Object(k)),
                None => line,
            }
        })
        .collect();
    section(s::STEPS, lines)
}

/// The facts recorded for the current step (or the last one that has any).
fn observed(m: &CacheRuntimeMaintenance) -> Section {
    let Some(st) = m.status.as_ref() else {
        return section(s::OBSERVED, Vec::new());
    };
    let current = st.current_step.and_then(|i| usize::try_from(i).ok());
    let step = current
        .and_then(|i| st.steps.get(i))
        .filter(|s| !s.observed.is_empty())
        .or_else(|| st.steps.iter().rev().find(|s| !s.observed.is_empty()));
    let Some(step) = step else {
        return section(s::OBSERVED, Vec::new());
    };
    let lines = step
        .observed
        .iter()
        .map(|(k, v)| DetailLine::cells(vec![Cell::text(k.clone()), Cell::text(or_dash(Some(v)))]))
        .collect();
    Section {
        title: format!("{} ({})", s::OBSERVED, step.name),
        lines,
    }
}
