//! Rows of the "where to look first" views: problems (most severe first), events (newest
//! first with the default age sort) and nodes (lost ones first).

use std::rc::Rc;

use super::format::or_dash;
use super::tables::{Packer, Query, Row, SortKey, in_namespace};
use super::triage;
use crate::cluster::Store;
use crate::model::meta::created;
use crate::model::{Event, Kind, Object, node};

pub const PROBLEM_HEADERS: [&str; 6] = ["NAMESPACE", "NAME", "KIND", "STATUS", "WHY", "SINCE"];
pub const EVENT_HEADERS: [&str; 7] = [
    "LAST SEEN",
    "TYPE",
    "REASON",
    "OBJECT",
    "NAMESPACE",
    "COUNT",
    "MESSAGE",
];
pub const NODE_HEADERS: [&str; 7] = [
    "NAME",
    "READY",
    "CACHE ROLE",
    "PODS",
    "WHY",
    "FLUID LABELS",
    "AGE",
];

/// Problems in the namespace shown (cluster-scoped ones, nodes, always). Sorted by status (the
/// view's first sort) they are grouped by severity; an explicit name or age sort orders the
/// whole list, as it does in every other view.
pub fn problem_rows(store: &Store, q: &Query) -> Vec<Row> {
    let mut p = Packer::default();
    let grouped = q.sort == SortKey::Status;
    let groups: Vec<Rc<String>> = (0..2).map(|i| Rc::new(i.to_string())).collect();
    // Without a time, everything counts as past its grace.
    triage::problems(store, q.now.unwrap_or(jiff::Timestamp::MAX))
        .into_iter()
        .filter(|pr| pr.key.namespace.is_empty() || in_namespace(q, &pr.key.namespace))
        .map(|pr| {
            p.text(&pr.key.namespace);
            p.text(&pr.key.name);
            p.text(pr.key.kind.as_str());
            p.phase(pr.severity.look(), &pr.what);
            p.text(&triage::problem_why(store, &pr.key));
            p.since(pr.since, true);
            p.finish(
                pr.key.kind,
                &pr.key.namespace,
                &pr.key.name,
                &pr.what,
                grouped.then(|| groups[pr.severity as usize].clone()),
                pr.since,
            )
        })
        .collect()
}

/// Whether an event is about something the console shows: a Fluid object, a node, or a pod
/// it holds (the cluster's other pods are not its business).
fn about_fluid(store: &Store, e: &Event) -> bool {
    let io = &e.involved_object;
    match io.kind.as_deref().and_then(Kind::parse) {
        Some(Kind::Pod) => {
            let ns = io
                .namespace
                .as_deref()
                .or(e.metadata.namespace.as_deref())
                .unwrap_or("");
            store
                .compact_pod(ns, io.name.as_deref().unwrap_or(""))
                .is_some()
        }
        Some(Kind::Event) | None => false,
        Some(_) => true,
    }
}

/// Events about Fluid objects, their pods and nodes; their time is what the age sort uses.
pub fn event_rows(store: &Store, q: &Query) -> Vec<Row> {
    let mut p = Packer::default();
    store
        .list(Kind::Event)
        .filter_map(|o| match o {
            Object::Event(e) => Some(&**e),
            _ => None,
        })
        .filter(|e| in_namespace(q, e.metadata.namespace.as_deref().unwrap_or("")))
        .filter(|e| about_fluid(store, e))
        .map(|e| {
            let ns = e.metadata.namespace.as_deref().unwrap_or_default();
            let name = e.metadata.name.as_deref().unwrap_or_default();
            let when = triage::event_time(e);
            let type_ = e.type_.as_deref().unwrap_or("");
            let look = if type_ == "Warning" {
                "Failed"
            } else {
                "Ready"
            };
            let io = &e.involved_object;
            p.since(when, true);
            p.phase(look, or_dash(Some(type_)).as_str());
            p.text(e.reason.as_deref().unwrap_or("-"));
            p.fmt(format_args!(
                "{}/{}",
                io.kind.as_deref().unwrap_or("-"),
                io.name.as_deref().unwrap_or("-")
            ));
            p.text(ns);
            p.fmt(format_args!("{}", e.count.unwrap_or(1)));
            p.text(&e.message.as_deref().unwrap_or("").replace('\n', " "));
            p.finish(Kind::Event, ns, name, type_, None, when)
        })
        .collect()
}

/// Nodes, lost ones first, with the cache they hold.
pub fn node_rows(store: &Store) -> Vec<Row> {
    let mut p = Packer::default();
    let roles = triage::node_roles(store);
    let lost_first = Rc::new("0".to_string());
    let ready_after = Rc::new("1".to_string());
    store
        .list(Kind::Node)
        .filter_map(|o| match o {
            Object::Node(n) => Some(&**n),
            _ => None,
        })
        .map(|n| {
            let name = n.metadata.name.as_deref().unwrap_or_default();
            let ready = node::is_ready(n);
            let status = node::ready_status(n);
            let role = roles.get(name);
            p.text(name);
            p.phase(if ready { "Ready" } else { "NotReady" }, status);
            p.text(&role.map_or_else(|| "-".to_string(), |r| r.text()));
            p.fmt(format_args!("{}", role.map_or(0, |r| r.pods)));
            p.text(&node::not_ready_why(n).unwrap_or_else(|| "-".to_string()));
            let labels = node::fluid_labels(n);
            p.text(&if labels.is_empty() {
                "-".to_string()
            } else {
                labels.join(" ")
            });
            let created = created(&n.metadata);
            p.since(created, false);
            let group = if ready { &ready_after } else { &lost_first };
            p.finish(Kind::Node, "", name, status, Some(group.clone()), created)
        })
        .collect()
}
