//! The demo cluster's nodes: every node of its two pools (and any node a seeded pod names),
//! Ready while they report, `Unknown` once lost (`:node-down`), with the labels Fluid puts on the
//! nodes that hold a runtime's cache workers.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Node, NodeCondition, NodeStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::DemoCluster;
use super::workloads::pool;
use crate::model::node::cache_label;
use crate::model::pod::node_of;
use crate::model::{Component, Kind, Object, ObjectKey};

/// How long before the demo's start its nodes joined.
const NODE_AGE_SECONDS: i64 = 90 * 24 * 3600;

fn ready_condition(ready: bool, since: Timestamp) -> NodeCondition {
    let (status, reason, message) = if ready {
        ("True", "KubeletReady", "kubelet is posting ready status")
    } else {
        (
            "Unknown",
            "NodeStatusUnknown",
            "Kubelet stopped posting node status.",
        )
    };
    NodeCondition {
        type_: "Ready".into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_transition_time: Some(Time(since)),
        last_heartbeat_time: None,
    }
}

fn node(name: &str, joined: Timestamp) -> Node {
    let mut n = Node::default();
    n.metadata.name = Some(name.to_string());
    n.metadata.creation_timestamp = Some(Time(joined));
    n.metadata.labels = Some(BTreeMap::from([(
        "kubernetes.io/hostname".to_string(),
        name.to_string(),
    )]));
    n.status = Some(NodeStatus {
        conditions: Some(vec![ready_condition(true, joined)]),
        ..Default::default()
    });
    n
}

/// Adds the nodes at load: both pools and every node a seeded pod runs on.
pub fn seed(cluster: &mut DemoCluster) {
    let now = cluster.state.now;
    let joined = Timestamp::from_second(now.as_second() - NODE_AGE_SECONDS).unwrap_or(now);
    let mut names: BTreeSet<String> = [false, true]
        .into_iter()
        .flat_map(|gpu| {
            let (prefix, count) = pool(gpu);
            (1..=count).map(move |i| format!("{prefix}-{i:02}"))
        })
        .collect();
    names.extend(
        cluster
            .state
            .pods()
            .filter_map(|p| node_of(p).map(str::to_string)),
    );
    let labels = worker_labels(cluster);
    for name in names {
        if cluster
            .state
            .contains(&ObjectKey::new(Kind::Node, "", &name))
        {
            continue;
        }
        let mut n = node(&name, joined);
        shape(
            &mut n,
            labels.get(&name).cloned().unwrap_or_default(),
            cluster.lost_nodes.get(&name).copied(),
            joined,
        );
        cluster.state.seed(Object::from(n));
    }
}

/// Gives a node Fluid's labels `want` and its readiness: lost since `lost_since`, else Ready
/// (since `now` when it was not).
fn shape(
    n: &mut Node,
    want: BTreeMap<String, String>,
    lost_since: Option<Timestamp>,
    now: Timestamp,
) {
    let all = n.metadata.labels.get_or_insert_with(BTreeMap::new);
    all.retain(|k, _| !k.starts_with("fluid.io/"));
    all.extend(want);
    let conds = n
        .status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::new);
    let ready_now = conds
        .iter()
        .find(|c| c.type_ == "Ready")
        .is_some_and(|c| c.status == "True");
    if ready_now == lost_since.is_some() {
        conds.retain(|c| c.type_ != "Ready");
        conds.push(ready_condition(
            lost_since.is_none(),
            lost_since.unwrap_or(now),
        ));
    }
}

/// Fluid's labels for the nodes holding cache workers: `fluid.io/s-<ns>-<rt>`,
/// `fluid.io/s-cache-<ns>-<rt>` and `fluid.io/dataset-num`.
fn worker_labels(cluster: &DemoCluster) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut runtimes: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for p in cluster.state.pods() {
        let (Some(n), Some(rt)) = (node_of(p), crate::model::pod::runtime_of(p)) else {
            continue;
        };
        if crate::model::pod::component_of(p) != Some(Component::Worker) {
            continue;
        }
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        runtimes
            .entry(n.to_string())
            .or_default()
            .insert((ns, rt.to_string()));
    }
    runtimes
        .into_iter()
        .map(|(n, rts)| {
            let mut labels = BTreeMap::new();
            for (ns, rt) in &rts {
                labels.insert(cache_label(ns, rt), "true".to_string());
                labels.insert(format!("fluid.io/s-cache-{ns}-{rt}"), "true".to_string());
            }
            labels.insert("fluid.io/dataset-num".to_string(), rts.len().to_string());
            (n, labels)
        })
        .collect()
}

/// Keeps each node's readiness (lost nodes: `Unknown` since they were lost) and Fluid's labels
/// as the cluster is; a node changes only when one of them does.
pub fn reconcile(cluster: &mut DemoCluster) {
    let labels = worker_labels(cluster);
    let lost = cluster.lost_nodes.clone();
    let now = cluster.state.now;
    for key in cluster.state.keys_of(Kind::Node) {
        let want_labels = labels.get(&key.name).cloned().unwrap_or_default();
        let lost_since = lost.get(&key.name).copied();
        cluster.state.update(&key, |o| {
            if let Object::Node(n) = o {
                shape(n, want_labels, lost_since, now);
            }
        });
    }
}
