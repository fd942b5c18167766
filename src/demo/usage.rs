//! An application using a dataset: on upstream Fluid, the node where a pod mounting the dataset's
//! PVC runs is labelled `fluid.io/f-<ns>-<name>=true` (by Fluid's CSI plugin), and the client
//! DaemonSet, which selects that label, starts a client pod there. Until then the client wants no
//! pod at all (`status.client` is `{phase: NotReady}`, FLUID.md §2.3 [obs]).

use std::collections::BTreeSet;

use super::{DemoCluster, DemoError, workloads};
use crate::model::{Kind, ObjectKey};

/// A node of the application pool starts using the dataset `key`: the runtime's client gets a pod
/// there (on the next reconcile). Returns the node.
pub fn use_dataset(cluster: &mut DemoCluster, key: &ObjectKey) -> Result<String, DemoError> {
    if key.kind != Kind::Dataset || cluster.state.dataset(&key.namespace, &key.name).is_none() {
        return Err(DemoError::NotFound(key.clone()));
    }
    let id = (key.namespace.clone(), key.name.clone());
    let avoid: BTreeSet<String> = cluster
        .client_nodes
        .get(&id)
        .map(|n| n.iter().cloned().collect())
        .unwrap_or_default();
    let node = workloads::pick_node(cluster, true, &avoid);
    let nodes = cluster.client_nodes.entry(id).or_default();
    if !nodes.contains(&node) {
        nodes.push(node.clone());
    }
    Ok(node)
}
