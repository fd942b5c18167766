//! Node: readiness (and why not), the cache it holds (which runtimes' components run there,
//! Fluid's labels), its pods (Enter opens one), conditions and events.

use jiff::Timestamp;

use super::strings as s;
use super::{
    Cell, DetailLine, Section, Target, events_section, field, list_field, pod_status_cell, section,
    text_field,
};
use crate::app::format::{age, or_dash};
use crate::app::triage;
use crate::cluster::Store;
use crate::model::meta::created;
use crate::model::{Node, Object, ObjectKey, node, pod};

pub(super) fn sections(store: &Store, key: &ObjectKey, n: &Node, now: Timestamp) -> Vec<Section> {
    vec![
        summary(store, key, n, now),
        pods(store, &key.name),
        super::builtin_conditions_section!(n.status, now),
        events_section(store, &[(key.clone(), String::new())], now, 12),
    ]
}

fn summary(store: &Store, key: &ObjectKey, n: &Node, now: Timestamp) -> Section {
    let ready = node::ready_status(n);
    let look = if ready == "True" { "Ready" } else { "NotReady" };
    let mut lines = vec![field(s::READY, vec![Cell::phase(look, ready)])];
    if let Some(why) = node::not_ready_why(n) {
        lines.push(text_field(s::WHY, why));
    }
    let roles = triage::node_roles(store)
        .remove(&key.name)
        .unwrap_or_default();
    let role_rows: Vec<(Vec<Cell>, Option<Target>)> = roles
        .runtimes
        .iter()
        .map(|((ns, rt), comps)| {
            let c: Vec<&str> = comps.iter().map(|c| c.as_str()).collect();
            (
                vec![Cell::text(format!("{ns}/{rt}")), Cell::text(c.join("+"))],
                Some(Target::Object(ObjectKey::new(
                    crate::model::Kind::CacheRuntime,
                    ns.clone(),
                    rt.clone(),
                ))),
            )
        })
        .collect();
    if role_rows.is_empty() {
        lines.push(text_field(s::CACHE_ROLE, s::NONE));
    } else {
        lines.extend(list_field(s::CACHE_ROLE, role_rows));
    }
    let labels = node::fluid_labels(n);
    if labels.is_empty() {
        lines.push(text_field(s::FLUID_LABELS, s::NONE));
    } else {
        lines.extend(list_field(
            s::FLUID_LABELS,
            labels
                .into_iter()
                .map(|l| (vec![Cell::text(l)], None))
                .collect(),
        ));
    }
    lines.push(text_field(s::AGE, age(created(&n.metadata), now)));
    section(s::SUMMARY, lines)
}

fn pods(store: &Store, node_name: &str) -> Section {
    let lines = triage::pods_on_node(store, node_name)
        .into_iter()
        .filter_map(|k| match store.get(&k)? {
            Object::Pod(p) => {
                let (r, t) = pod::ready_containers(p);
                let why = triage::pod_why(store, p);
                Some(
                    DetailLine::cells(vec![
                        Cell::text(format!("{}/{}", k.namespace, k.name)),
                        pod_status_cell(store, p),
                        Cell::text(format!("{r}/{t}")),
                        Cell::text(or_dash(why.as_deref())),
                    ])
                    .to(Target::Object(k.clone())),
                )
            }
            _ => None,
        })
        .collect();
    section(s::NODE_PODS, lines)
}
