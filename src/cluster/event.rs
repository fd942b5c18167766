//! What a cluster source (the kube-rs watchers or the embedded demo cluster) tells the console.
//! Both sources speak only this type, so everything downstream works the same on either.

use crate::model::pod::CompactPod;
use crate::model::{Kind, Object, ObjectKey};

/// Carries objects by value: events are consumed once, straight into the store.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterEvent {
    /// The complete current set of one kind (initial list or relist): replaces what the store
    /// holds for that kind.
    Listed { kind: Kind, objects: Vec<Object> },
    /// The complete current set of pods, already reduced to what the console keeps (see
    /// [`CompactPod`]): the same as a `Listed` of Pods, at a tenth of the memory.
    ListedPods(Vec<CompactPod>),
    /// The initial list or a relist of one kind ended: its objects were sent as `Applied` /
    /// `AppliedPod` as the list came in (so views fill in as pages arrive), and these
    /// (namespace, name) are all of them: any other object of the kind is gone.
    ListEnded { kind: Kind, keys: ListedKeys },
    /// An object was added or changed.
    Applied(Object),
    /// A pod was added or changed, already reduced to what the console keeps.
    AppliedPod(Box<CompactPod>),
    /// An object is gone.
    Deleted(ObjectKey),
    /// Whether a kind can be watched at all (CRD installed, RBAC allows it).
    Availability {
        kind: Kind,
        availability: Availability,
    },
    /// A new log line of a pod (the demo cluster writes engine-like lines; kube streams them).
    LogLine { pod: ObjectKey, line: String },
    /// A pod's log is answered afresh (another container, its previous instance, another
    /// amount): the lines that follow replace those held.
    LogReset { pod: ObjectKey },
    /// The server refused a pod's log (no previous instance, no such container): its message.
    LogRefused { pod: ObjectKey, message: String },
    /// Connection state of the source as a whole.
    Connection(ConnectionState),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Availability {
    #[default]
    Available,
    /// The kind's CRD is not installed.
    NotInstalled,
    /// RBAC forbids listing or watching it.
    Forbidden(String),
    /// Another error; the watcher retries with backoff.
    Failing(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ConnectionState {
    #[default]
    Connecting,
    /// Every watch is live: what is shown is what the cluster holds.
    Connected,
    /// The API server answers again after an outage; some kinds are still listing afresh.
    Resyncing,
    /// Lost; the message says what failed. The source keeps retrying.
    Lost(String),
}

/// The (namespace, name) of every object of a list, in one text (`namespace NUL name NUL`
/// each): a list of 50,000 pods names them in under 2 MB, a third of a vector of string pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedKeys(String);

impl ListedKeys {
    pub fn push(&mut self, namespace: &str, name: &str) {
        for part in [namespace, name] {
            self.0.push_str(part);
            self.0.push('\0');
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut parts = self.0.split_terminator('\0');
        std::iter::from_fn(move || Some((parts.next()?, parts.next()?)))
    }

    /// The keys so far, leaving this empty.
    pub fn take(&mut self) -> ListedKeys {
        let mut keys = std::mem::take(self);
        keys.0.shrink_to_fit();
        keys
    }
}

impl<S: AsRef<str>> FromIterator<(S, S)> for ListedKeys {
    fn from_iter<I: IntoIterator<Item = (S, S)>>(it: I) -> Self {
        let mut keys = ListedKeys::default();
        for (ns, name) in it {
            keys.push(ns.as_ref(), name.as_ref());
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_keys_read_back_in_order() {
        let keys: ListedKeys = [("ns-a", "pod-1"), ("", "cluster-wide"), ("ns-b", "")]
            .into_iter()
            .collect();
        let back: Vec<(&str, &str)> = keys.iter().collect();
        assert_eq!(
            back,
            [("ns-a", "pod-1"), ("", "cluster-wide"), ("ns-b", "")]
        );
        assert_eq!(ListedKeys::default().iter().count(), 0);
    }
}
