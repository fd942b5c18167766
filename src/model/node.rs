//! Nodes as the console reads them: whether a node is ready (a node whose kubelet stopped
//! reporting is lost), and the labels Fluid puts on the nodes that hold a runtime's cache.

use k8s_openapi::api::core::v1::Node;

/// A node's Ready condition: `True`, `False` or `Unknown` (the kubelet stopped reporting);
/// `Unknown` when the node has none yet.
pub fn ready_status(node: &Node) -> &str {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .map_or("Unknown", |c| c.status.as_str())
}

pub fn is_ready(node: &Node) -> bool {
    ready_status(node) == "True"
}

/// The Ready condition's reason and message (`NodeStatusUnknown: Kubelet stopped posting node
/// status.`), when the node is not ready.
pub fn not_ready_why(node: &Node) -> Option<String> {
    let c = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"));
    match c {
        Some(c) if c.status == "True" => None,
        Some(c) => Some(match (c.reason.as_deref(), c.message.as_deref()) {
            (Some(r), Some(m)) => format!("{r}: {m}"),
            (Some(r), None) => r.to_string(),
            (None, Some(m)) => m.to_string(),
            (None, None) => format!("Ready={}", c.status),
        }),
        None => Some("no Ready condition yet".to_string()),
    }
}

/// When the node's Ready condition last changed.
pub fn ready_since(node: &Node) -> Option<jiff::Timestamp> {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .and_then(|c| c.last_transition_time.as_ref())
        .map(|t| t.0)
}

/// The label Fluid puts on a node holding a cache worker of runtime `namespace/name`.
pub fn cache_label(namespace: &str, name: &str) -> String {
    format!("fluid.io/s-{namespace}-{name}")
}

/// Fluid's labels on a node (`fluid.io/…`, `fluid_exclusive`), as `key=value`, sorted.
pub fn fluid_labels(node: &Node) -> Vec<String> {
    node.metadata
        .labels
        .iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("fluid.io/") || k.as_str() == "fluid_exclusive")
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{NodeCondition, NodeStatus};

    fn node(status: &str, reason: Option<&str>) -> Node {
        Node {
            status: Some(NodeStatus {
                conditions: Some(vec![NodeCondition {
                    type_: "Ready".into(),
                    status: status.into(),
                    reason: reason.map(str::to_string),
                    message: Some("Kubelet stopped posting node status.".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn readiness_and_why() {
        assert!(is_ready(&node("True", None)));
        assert_eq!(not_ready_why(&node("True", None)), None);
        let lost = node("Unknown", Some("NodeStatusUnknown"));
        assert!(!is_ready(&lost));
        assert_eq!(ready_status(&lost), "Unknown");
        assert_eq!(
            not_ready_why(&lost).unwrap(),
            "NodeStatusUnknown: Kubelet stopped posting node status."
        );
        assert_eq!(ready_status(&Node::default()), "Unknown");
    }

    #[test]
    fn only_fluid_labels_are_listed() {
        let mut n = Node::default();
        n.metadata.labels = Some(
            [
                ("kubernetes.io/hostname", "a"),
                ("fluid.io/s-ns-rt", "true"),
                ("fluid_exclusive", "ns_rt"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        );
        assert_eq!(
            fluid_labels(&n),
            vec!["fluid.io/s-ns-rt=true", "fluid_exclusive=ns_rt"]
        );
        assert_eq!(cache_label("ns", "rt"), "fluid.io/s-ns-rt");
    }
}
