//! Pod: which runtime and component (or operation) it belongs to, node, status, readiness,
//! engine image, the in-place update state; containers, conditions, events.

use jiff::Timestamp;

use super::strings as s;
use super::{
    Cell, DetailLine, Section, Target, at, at_ts, events_section, field, list_field, one_line,
    phase_cell, pod_status_cell, section, text_field, timeline_section,
};
use crate::app::format::{age, or_dash};
use crate::cluster::{Store, Subject};
use crate::model::health::overall_phase;
use crate::model::meta::created;
use crate::model::{Kind, Object, ObjectKey, OpKind, Pod, pod};

/// Annotation the AdvancedStatefulSet writes on a pod it updates in place.
const INPLACE_STATE: &str = "workload.fluid.io/inplace-update-state";

pub(super) fn sections(store: &Store, key: &ObjectKey, p: &Pod, now: Timestamp) -> Vec<Section> {
    vec![
        summary(store, key, p, now),
        containers(p, now),
        super::builtin_conditions_section!(p.status, now),
        events_section(store, &[(key.clone(), String::new())], now, 12),
        timeline_section(store, Subject::Object(key.clone()), now, 4),
    ]
}

fn summary(store: &Store, key: &ObjectKey, p: &Pod, now: Timestamp) -> Section {
    let mut lines = vec![text_field(s::NAMESPACE, key.namespace.clone())];
    if let Some(rt_name) = pod::runtime_of(p) {
        let mut cells = vec![Cell::text(rt_name)];
        let target = store.runtime(&key.namespace, rt_name).map(|rt| {
            let ph = overall_phase(rt, store.class_of(rt)).phase.as_str();
            cells.push(Cell::phase(ph, ph));
            Target::Object(ObjectKey::new(
                Kind::CacheRuntime,
                key.namespace.clone(),
                rt_name,
            ))
        });
        let line = field(s::RUNTIME, cells);
        lines.push(match target {
            Some(t) => line.to(t),
            None => line,
        });
        let comp = pod::component_of(p);
        lines.push(text_field(
            s::COMPONENT,
            comp.map_or("-".to_string(), |c| c.to_string()),
        ));
    } else if let Some(release) = pod::operation_release_of(p) {
        // A DataLoad / DataProcess job pod: release is `<operation>-loader` / `-processor`.
        let found = [
            ("-loader", OpKind::DataLoad),
            ("-processor", OpKind::DataProcess),
        ]
        .into_iter()
        .find_map(|(suffix, kind)| {
            let name = release.strip_suffix(suffix)?;
            let k = ObjectKey::new(Kind::Operation(kind), key.namespace.clone(), name);
            match store.get(&k)? {
                Object::Operation(op) => Some((k, op)),
                _ => None,
            }
        });
        lines.push(match found {
            Some((k, op)) => field(
                s::OPERATION,
                vec![
                    Cell::text(format!("{}/{}", k.kind, k.name)),
                    phase_cell(op.phase().label()),
                ],
            )
            .to(Target::Object(k)),
            None => text_field(s::OPERATION, release),
        });
        if let Some(ds) = pod::target_dataset_of(p) {
            lines.push(text_field(s::DATASET, ds));
        }
    }
    if let Some(owner) = p
        .metadata
        .owner_references
        .as_ref()
        .and_then(|o| o.iter().find(|o| o.controller == Some(true)).or(o.first()))
    {
        let text = format!("{}/{}", owner.kind, owner.name);
        let okey = Kind::parse(&owner.kind)
            .map(|k| ObjectKey::new(k, key.namespace.clone(), owner.name.clone()));
        lines.push(match okey.filter(|k| store.get(k).is_some()) {
            Some(k) => text_field(s::OWNER, text).to(Target::Object(k)),
            None => text_field(s::OWNER, text),
        });
    }
    lines.push(text_field(s::NODE, or_dash(pod::node_of(p))));
    let status_cell = pod_status_cell(store, p);
    let shown = status_cell.text.clone();
    let mut status_cells = vec![status_cell];
    if let Some(r) = p.status.as_ref().and_then(|s| s.reason.as_deref())
        && r != shown
    {
        status_cells.push(Cell::text(r));
    }
    lines.push(field(s::STATUS, status_cells));
    if let Some(why) = crate::app::triage::pod_why(store, p) {
        lines.push(text_field(s::WHY, why));
    }
    if let Some(t) = &p.metadata.deletion_timestamp {
        lines.push(field(
            s::TERMINATING,
            vec![Cell::phase(
                "Terminating",
                s::terminating_since(&at_ts(t.0, now), p.metadata.deletion_grace_period_seconds),
            )],
        ));
    }
    let (r, t) = pod::ready_containers(p);
    let ready_phase = if r == t && t > 0 { "Ready" } else { "NotReady" };
    lines.push(field(
        s::READY,
        vec![Cell::phase(ready_phase, format!("{r}/{t}"))],
    ));
    lines.push(text_field(s::RESTARTS, pod::restarts(p).to_string()));
    let running = pod::engine_image(p);
    let spec_image = p
        .spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.as_deref());
    let mut image = vec![Cell::text(or_dash(running))];
    if let (Some(run), Some(spec)) = (running, spec_image)
        && run != spec
    {
        image.push(Cell::phase("Updating", s::image_pending(spec)));
    }
    lines.push(field(s::ENGINE_IMAGE, image));
    lines.push(text_field(
        s::IP,
        or_dash(p.status.as_ref().and_then(|s| s.pod_ip.as_deref())),
    ));
    if let Some(st) = p.status.as_ref().and_then(|s| s.start_time.as_ref()) {
        lines.push(text_field(s::STARTED, at_ts(st.0, now)));
    }
    lines.extend(in_place(p, now));
    lines.push(text_field(s::AGE, age(created(&p.metadata), now)));
    section(s::SUMMARY, lines)
}

/// The in-place update annotation and condition, summarised.
fn in_place(p: &Pod, now: Timestamp) -> Vec<DetailLine> {
    let Some(raw) = p
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(INPLACE_STATE))
    else {
        return Vec::new();
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(raw) else {
        return vec![text_field(s::IN_PLACE, one_line(raw))];
    };
    let get = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("");
    let flag = |k: &str| v.get(k).and_then(|x| x.as_bool()).unwrap_or(false);
    let when = at(Some(get("updateTimestamp")).filter(|s| !s.is_empty()), now);
    let cond = p
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .find(|c| c.type_ == "InPlaceUpdateReady");
    let progress = cond.map(|c| {
        let done = c.status == "True";
        Cell::phase(
            if done { "Complete" } else { "Updating" },
            s::in_place_progress(done, c.reason.as_deref()),
        )
    });
    let state = Cell::text(s::in_place_state(
        &s::in_place_what(flag("updateImages"), flag("updateResources")),
        or_dash(Some(get("revision"))).as_str(),
        &when,
    ));
    let rows = progress
        .into_iter()
        .chain(std::iter::once(state))
        .map(|c| (vec![c], None))
        .collect();
    list_field(s::IN_PLACE, rows)
}

fn containers(p: &Pod, now: Timestamp) -> Section {
    let statuses = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref());
    let lines = p
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| {
            let st = statuses.and_then(|l| l.iter().find(|x| x.name == c.name));
            let image = st
                .map(|s| s.image.as_str())
                .filter(|i| !i.is_empty())
                .or(c.image.as_deref());
            let (state, detail) = match st.and_then(|s| s.state.as_ref()) {
                Some(state) => {
                    if let Some(w) = &state.waiting {
                        let r = w.reason.clone().unwrap_or_else(|| "Waiting".into());
                        (
                            Cell::phase(
                                crate::model::health::status_look(&r).unwrap_or("Unknown"),
                                r.clone(),
                            ),
                            w.message.clone().unwrap_or_default(),
                        )
                    } else if let Some(t) = &state.terminated {
                        let r = t.reason.clone().unwrap_or_else(|| "Terminated".into());
                        let ph = if t.exit_code == 0 {
                            "Succeeded"
                        } else {
                            "Failed"
                        };
                        (
                            Cell::phase(ph, r),
                            [Some(s::exit_code(t.exit_code)), t.message.clone()]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(s::SEP),
                        )
                    } else if let Some(r) = &state.running {
                        (
                            Cell::phase("Running", s::RUNNING_CONTAINER),
                            r.started_at
                                .as_ref()
                                .map(|t| s::started(&super::ago(Some(t.0), now)))
                                .unwrap_or_default(),
                        )
                    } else {
                        (Cell::phase("Unknown", "-"), String::new())
                    }
                }
                None => (Cell::phase("Pending", "Pending"), String::new()),
            };
            let ready = st.is_some_and(|s| s.ready);
            DetailLine::cells(vec![
                Cell::text(c.name.clone()),
                Cell::phase(
                    if ready { "Ready" } else { "NotReady" },
                    s::container_ready(ready),
                ),
                Cell::text(s::restarts(st.map_or(0, |s| s.restart_count))),
                state,
                Cell::text(detail),
                Cell::text(or_dash(image)),
            ])
        })
        .collect();
    section(s::CONTAINERS, lines)
}
