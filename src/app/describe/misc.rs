//! AdvancedStatefulSet and Event pages.

use jiff::Timestamp;

use super::strings as s;
use super::{
    Cell, DetailLine, Section, Target, at_ts, events_section, field, pod_status_cell, section,
    text_field,
};
use crate::app::format::{age, or_dash};
use crate::cluster::Store;
use crate::model::health::overall_phase;
use crate::model::meta::created;
use crate::model::{AdvancedStatefulSet, Event, Kind, ObjectKey, pod};

pub(super) fn workload_sections(
    store: &Store,
    key: &ObjectKey,
    w: &AdvancedStatefulSet,
    now: Timestamp,
) -> Vec<Section> {
    let labels = w.metadata.labels.as_ref();
    let rt_name = labels.and_then(|l| l.get(pod::LABEL_RUNTIME)).cloned();
    let comp = labels
        .and_then(|l| l.get(pod::LABEL_COMPONENT))
        .map(|full| {
            rt_name
                .as_deref()
                .and_then(|r| full.strip_prefix(r))
                .map(|x| x.trim_start_matches('-').to_string())
                .unwrap_or_else(|| full.clone())
        });
    let mut lines = vec![text_field(s::NAMESPACE, key.namespace.clone())];
    if let Some(rt) = &rt_name {
        let mut cells = vec![Cell::text(rt.clone())];
        let target = store.runtime(&key.namespace, rt).map(|r| {
            let p = overall_phase(r, store.class_of(r)).phase.as_str();
            cells.push(Cell::phase(p, p));
            Target::Object(ObjectKey::new(
                Kind::CacheRuntime,
                key.namespace.clone(),
                rt.clone(),
            ))
        });
        let line = field(s::RUNTIME, cells);
        lines.push(match target {
            Some(t) => line.to(t),
            None => line,
        });
    }
    lines.push(text_field(s::COMPONENT, or_dash(comp.as_deref())));
    let st = w.status.clone().unwrap_or_default();
    let spec_replicas = w.spec.replicas.unwrap_or(st.replicas);
    let ready = st.ready_replicas.unwrap_or(0);
    let ready_phase = if ready >= spec_replicas {
        "Ready"
    } else if ready > 0 {
        "PartialReady"
    } else {
        "NotReady"
    };
    lines.push(field(
        s::REPLICAS,
        vec![Cell::phase(
            ready_phase,
            s::workload_replicas(
                spec_replicas,
                ready,
                st.current_replicas.unwrap_or(0),
                st.updated_replicas.unwrap_or(0),
                st.available_replicas.unwrap_or(0),
            ),
        )],
    ));
    if let (Some(cur), Some(upd)) = (&st.current_revision, &st.update_revision) {
        let rolling = cur != upd;
        lines.push(field(
            s::REVISION,
            vec![Cell::phase(
                if rolling { "Updating" } else { "Ready" },
                s::revisions(cur, upd),
            )],
        ));
    }
    if let (Some(obs), Some(generation)) = (st.observed_generation, w.metadata.generation) {
        lines.push(text_field(s::GENERATION, s::generation(obs, generation)));
    }
    let strategy = w.spec.update_strategy.as_ref().map(|u| {
        let get = |p: &str| {
            u.pointer(p).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        [
            get("/type"),
            get("/rollingUpdate/podUpdatePolicy"),
            get("/rollingUpdate/partition").map(|p| format!("partition {p}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(s::SEP)
    });
    lines.push(text_field(s::UPDATE_STRATEGY, or_dash(strategy.as_deref())));
    lines.push(text_field(s::IMAGE, or_dash(w.engine_image())));
    lines.push(text_field(s::AGE, age(created(&w.metadata), now)));

    let pods: Vec<DetailLine> = rt_name
        .as_deref()
        .map(|rt| store.pods_of_runtime(&key.namespace, rt))
        .unwrap_or_default()
        .into_iter()
        .filter(|p| pod::component_of(p).map(|c| c.to_string()) == comp)
        .map(|p| {
            let name = p.metadata.name.clone().unwrap_or_default();
            let (r, t) = pod::ready_containers(p);
            let revision = p
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("controller-revision-hash"))
                .cloned();
            let updated = revision.is_some() && revision == st.update_revision;
            DetailLine::cells(vec![
                Cell::text(name.clone()),
                pod_status_cell(store, p),
                Cell::text(format!("{r}/{t}")),
                Cell::text(or_dash(pod::engine_version(p))),
                if updated {
                    Cell::phase("Complete", or_dash(revision.as_deref()))
                } else {
                    Cell::text(or_dash(revision.as_deref()))
                },
            ])
            .to(Target::Object(ObjectKey::new(
                Kind::Pod,
                key.namespace.clone(),
                name,
            )))
        })
        .collect();
    vec![
        section(s::SUMMARY, lines),
        section(s::PODS, pods),
        events_section(store, &[(key.clone(), String::new())], now, 12),
    ]
}

pub(super) fn event_sections(
    store: &Store,
    key: &ObjectKey,
    e: &Event,
    now: Timestamp,
) -> Vec<Section> {
    let mut lines = vec![text_field(s::NAMESPACE, key.namespace.clone())];
    let io = &e.involved_object;
    let kind = io.kind.as_deref().unwrap_or("");
    let name = io.name.as_deref().unwrap_or("");
    let text = format!("{kind}/{name}");
    let target = Kind::parse(kind).map(|k| {
        let ns = if k.namespaced() {
            io.namespace
                .clone()
                .unwrap_or_else(|| key.namespace.clone())
        } else {
            String::new()
        };
        ObjectKey::new(k, ns, name)
    });
    let mut involved = vec![Cell::text(text)];
    if let Some(fp) = &io.field_path {
        involved.push(Cell::text(fp.clone()));
    }
    let line = field(s::INVOLVED, involved);
    lines.push(match target.filter(|k| store.get(k).is_some()) {
        Some(k) => line.to(Target::Object(k)),
        None => line,
    });
    lines.push(text_field(s::TYPE, or_dash(e.type_.as_deref())));
    lines.push(text_field(s::REASON, or_dash(e.reason.as_deref())));
    // The whole message, wrapped at word boundaries so nothing is cut off.
    let msg = e.message.as_deref().unwrap_or("-");
    for (i, chunk) in wrap(msg, 64).into_iter().enumerate() {
        lines.push(if i == 0 {
            text_field(s::MESSAGE, chunk)
        } else {
            DetailLine::cells(vec![Cell::text(""), Cell::text(chunk)])
        });
    }
    lines.push(text_field(s::COUNT, e.count.unwrap_or(1).to_string()));
    if let Some(t) = &e.first_timestamp {
        lines.push(text_field(s::FIRST_SEEN, at_ts(t.0, now)));
    }
    if let Some(t) = &e.last_timestamp {
        lines.push(text_field(s::LAST_SEEN, at_ts(t.0, now)));
    }
    if let Some(src) = &e.source
        && let Some(c) = &src.component
    {
        lines.push(text_field(s::SOURCE, s::source(c, src.host.as_deref())));
    }
    vec![section(s::SUMMARY, lines)]
}

/// Splits `text` into lines of at most `width` characters at spaces (longer words stay whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_words() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("", 5), vec![""]);
        assert_eq!(wrap("longword x", 3), vec!["longword", "x"]);
    }
}
