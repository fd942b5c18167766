//! The simulated API server's object store: objects by key, resource versions, and the list of
//! what changed since the last drain (so the cluster emits only real changes).

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use crate::cluster::ClusterEvent;
use crate::model::{
    AdvancedStatefulSet, CacheRuntime, CacheRuntimeClass, DataOperation, Dataset, Kind, Object,
    ObjectKey, Pod,
};

#[derive(Debug, Clone)]
pub(crate) struct ClusterState {
    objects: BTreeMap<ObjectKey, Object>,
    pub now: Timestamp,
    resource_version: u64,
    changed: Vec<Change>,
    changed_set: BTreeSet<ObjectKey>,
}

#[derive(Debug, Clone)]
enum Change {
    Upsert(ObjectKey),
    Delete(ObjectKey),
}

impl ClusterState {
    pub fn new(now: Timestamp) -> Self {
        ClusterState {
            objects: BTreeMap::new(),
            now,
            resource_version: 1000,
            changed: Vec::new(),
            changed_set: BTreeSet::new(),
        }
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Object> {
        self.objects.get(key)
    }

    pub fn contains(&self, key: &ObjectKey) -> bool {
        self.objects.contains_key(key)
    }

    pub fn all(&self) -> impl Iterator<Item = &Object> {
        self.objects.values()
    }

    /// Objects of one kind, in key order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Object> {
        self.objects
            .range(ObjectKey::new(kind, "", "")..)
            .take_while(move |(k, _)| k.kind == kind)
            .map(|(_, o)| o)
    }

    pub fn keys_of(&self, kind: Kind) -> Vec<ObjectKey> {
        self.objects
            .range(ObjectKey::new(kind, "", "")..)
            .take_while(|(k, _)| k.kind == kind)
            .map(|(k, _)| k.clone())
            .collect()
    }

    pub fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.of_kind(Kind::Pod).filter_map(|o| match o {
            Object::Pod(p) => Some(&**p),
            _ => None,
        })
    }

    /// Pods of one workload: namespace `ns`, component-name label `label` (`<rt>-worker`).
    pub fn component_pods(&self, ns: &str, label: &str) -> Vec<Pod> {
        self.pods()
            .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
            .filter(|p| {
                p.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(crate::model::pod::LABEL_COMPONENT))
                    .is_some_and(|v| v == label)
            })
            .cloned()
            .collect()
    }

    pub fn pod(&self, key: &ObjectKey) -> Option<&Pod> {
        match self.objects.get(key)? {
            Object::Pod(p) => Some(&**p),
            _ => None,
        }
    }

    pub fn dataset(&self, ns: &str, name: &str) -> Option<&Dataset> {
        match self.objects.get(&ObjectKey::new(Kind::Dataset, ns, name))? {
            Object::Dataset(d) => Some(d),
            _ => None,
        }
    }

    pub fn runtime(&self, ns: &str, name: &str) -> Option<&CacheRuntime> {
        match self
            .objects
            .get(&ObjectKey::new(Kind::CacheRuntime, ns, name))?
        {
            Object::Runtime(r) => Some(r),
            _ => None,
        }
    }

    pub fn class(&self, name: &str) -> Option<&CacheRuntimeClass> {
        match self
            .objects
            .get(&ObjectKey::new(Kind::CacheRuntimeClass, "", name))?
        {
            Object::Class(c) => Some(c),
            _ => None,
        }
    }

    pub fn workload(&self, ns: &str, name: &str) -> Option<&AdvancedStatefulSet> {
        match self
            .objects
            .get(&ObjectKey::new(Kind::AdvancedStatefulSet, ns, name))?
        {
            Object::Workload(w) => Some(w),
            _ => None,
        }
    }

    pub fn operation(&self, key: &ObjectKey) -> Option<&DataOperation> {
        match self.objects.get(key)? {
            Object::Operation(o) => Some(o),
            _ => None,
        }
    }

    fn next_resource_version(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    fn mark(&mut self, key: ObjectKey) {
        if self.changed_set.insert(key.clone()) {
            self.changed.push(Change::Upsert(key));
        }
    }

    /// Stores an object as-is (initial load): no change is recorded.
    pub fn seed(&mut self, mut obj: Object) {
        if obj.meta().resource_version.is_none() {
            obj.meta_mut().resource_version = Some(self.next_resource_version());
        }
        self.objects.insert(obj.key(), obj);
    }

    /// Creates or replaces an object and records the change.
    pub fn put(&mut self, mut obj: Object) {
        obj.meta_mut().resource_version = Some(self.next_resource_version());
        let key = obj.key();
        self.objects.insert(key.clone(), obj);
        self.mark(key);
    }

    /// Applies `f` to the object; records a change (and bumps the resource version) only if the
    /// object actually changed. Returns whether it did.
    pub fn update(&mut self, key: &ObjectKey, f: impl FnOnce(&mut Object)) -> bool {
        let Some(current) = self.objects.get(key) else {
            return false;
        };
        let mut next = current.clone();
        f(&mut next);
        if &next == current {
            return false;
        }
        next.meta_mut().resource_version = Some(self.next_resource_version());
        self.objects.insert(key.clone(), next);
        self.mark(key.clone());
        true
    }

    pub fn update_pod(&mut self, key: &ObjectKey, f: impl FnOnce(&mut Pod)) -> bool {
        self.update(key, |o| {
            if let Object::Pod(p) = o {
                f(p)
            }
        })
    }

    pub fn update_runtime(&mut self, key: &ObjectKey, f: impl FnOnce(&mut CacheRuntime)) -> bool {
        self.update(key, |o| {
            if let Object::Runtime(r) = o {
                f(r)
            }
        })
    }

    pub fn update_dataset(&mut self, key: &ObjectKey, f: impl FnOnce(&mut Dataset)) -> bool {
        self.update(key, |o| {
            if let Object::Dataset(d) = o {
                f(d)
            }
        })
    }

    pub fn update_operation(
        &mut self,
        key: &ObjectKey,
        f: impl FnOnce(&mut DataOperation),
    ) -> bool {
        self.update(key, |o| {
            if let Object::Operation(d) = o {
                f(d)
            }
        })
    }

    pub fn update_workload(
        &mut self,
        key: &ObjectKey,
        f: impl FnOnce(&mut AdvancedStatefulSet),
    ) -> bool {
        self.update(key, |o| {
            if let Object::Workload(w) = o {
                f(w)
            }
        })
    }

    pub fn remove(&mut self, key: &ObjectKey) -> Option<Object> {
        let obj = self.objects.remove(key)?;
        if self.changed_set.remove(key) {
            self.changed
                .retain(|c| !matches!(c, Change::Upsert(k) if k == key));
        }
        self.changed.push(Change::Delete(key.clone()));
        Some(obj)
    }

    /// Applied/Deleted events for everything changed since the last drain, in change order.
    pub fn drain_changes(&mut self) -> Vec<ClusterEvent> {
        self.changed_set.clear();
        std::mem::take(&mut self.changed)
            .into_iter()
            .filter_map(|change| match change {
                Change::Upsert(key) => self
                    .objects
                    .get(&key)
                    .map(|o| ClusterEvent::Applied(o.clone())),
                Change::Delete(key) => Some(ClusterEvent::Deleted(key)),
            })
            .collect()
    }
}
