//! The console's copy of the cluster: objects by kind / namespace / name, the indexes views
//! need, availability of each kind, pod logs, and timelines recorded on every phase change.
//! It changes only through [`Store::apply`], fed by a source's events.

use std::cell::{Cell, OnceCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use jiff::Timestamp;

use super::event::{Availability, ClusterEvent, ConnectionState};
use super::timeline::{self, History, Subject, Timelines, Transition};
use crate::model::pod::{CompactPod, SpecCache};
use crate::model::{
    CacheRuntime, CacheRuntimeClass, CacheRuntimeMaintenance, DataOperation, Dataset, Event, Kind,
    Object, ObjectKey, Pod,
};
use crate::model::{problems, why};

/// Log lines kept per pod.
pub const MAX_LOG_LINES: usize = 2000;

/// Log lines kept in all, every pod's together (about 1.2 MB): past it, the longest log loses
/// its oldest line.
pub const MAX_LOG_LINES_TOTAL: usize = 10_000;

type NsName = (String, String);

/// Above this many pods handed out as full Pods, the next change forgets them all.
const MAX_EXPANDED: usize = 4096;

/// A pod as kept, the phases it went through, and the full Pod built from it the first time
/// someone asks for one.
#[derive(Debug)]
struct PodEntry {
    pod: CompactPod,
    history: History,
    full: OnceCell<Box<Object>>,
    /// Whether the pod is in [`Store::suspects`] (see [`problems::pod_suspect`]).
    suspect: bool,
}

#[derive(Debug, Default)]
pub struct Store {
    /// Every kind but pods (each object is a box of its kind, see [`Object`]).
    objects: BTreeMap<Kind, BTreeMap<NsName, Object>>,
    /// Pods, compact (see [`CompactPod`]); [`Store::get`], [`Store::pods`] and
    /// [`Store::pods_of_runtime`] hand out Pods built from them on demand.
    /// Boxed: B-tree nodes hold eleven slots, mostly half full.
    pods: BTreeMap<NsName, Box<PodEntry>>,
    /// How many pods were built into full Pods since the last time they were all forgotten.
    expanded: Cell<usize>,
    /// Pod specs shared between pods.
    specs: SpecCache,
    /// namespace → runtime → pod names of that runtime's cache pods.
    pods_by_runtime: RuntimeIndex,
    /// involved object → event keys.
    events_by_object: HashMap<ObjectKey, BTreeSet<NsName>>,
    availability: BTreeMap<Kind, Availability>,
    connection: ConnectionState,
    logs: HashMap<ObjectKey, VecDeque<String>>,
    /// Lines in `logs`, every pod's together.
    log_lines: usize,
    timelines: Timelines,
    /// Entries of the pods' histories besides each pod's newest (see
    /// [`timeline::MAX_OLDER_ENTRIES`]).
    pod_older: usize,
    /// Objects that may be problems (see [`problems::suspect`]), kept as they change: the
    /// problems list reads these, never every object.
    suspects: BTreeSet<ObjectKey>,
    /// Bumped on every change; views redraw when it moves.
    revision: u64,
    /// The revision of the last change per group of namespaces (see [`NamespaceStamps`]).
    namespace_stamps: NamespaceStamps,
}

/// Namespaces share this many change stamps, by a hash of their name: bounded whatever the
/// number of namespaces the cluster ever had. Two namespaces sharing one only cost a reader a
/// look it did not need, never a change it missed.
const NAMESPACE_STAMPS: usize = 64;

/// Per group of namespaces (see [`NAMESPACE_STAMPS`]), the revision of the last change to an
/// object in one of them; cluster-scoped objects count under the namespace "".
#[derive(Debug)]
struct NamespaceStamps([u64; NAMESPACE_STAMPS]);

impl Default for NamespaceStamps {
    fn default() -> Self {
        NamespaceStamps([0; NAMESPACE_STAMPS])
    }
}

impl NamespaceStamps {
    fn slot(namespace: &str) -> usize {
        use std::hash::{Hash, Hasher};
        // A fixed hash (not a random-keyed one): the slot of a namespace never moves.
        let mut h = std::hash::DefaultHasher::new();
        namespace.hash(&mut h);
        (h.finish() % NAMESPACE_STAMPS as u64) as usize
    }

    fn get(&self, namespace: &str) -> u64 {
        self.0[Self::slot(namespace)]
    }

    fn set(&mut self, touched: &Touched, revision: u64) {
        match touched {
            Touched::Namespaces(a, b) => {
                self.0[*a] = revision;
                self.0[*b] = revision;
            }
            Touched::All => self.0 = [revision; NAMESPACE_STAMPS],
            Touched::Nothing => {}
        }
    }
}

/// The namespaces an event may change objects in, as stamp slots.
enum Touched {
    /// One or two (an Event's own namespace and its object's).
    Namespaces(usize, usize),
    All,
    Nothing,
}

impl Touched {
    fn of(event: &ClusterEvent) -> Touched {
        let one = |ns: &str| {
            let s = NamespaceStamps::slot(ns);
            Touched::Namespaces(s, s)
        };
        match event {
            ClusterEvent::Applied(Object::Event(e)) => {
                let own = NamespaceStamps::slot(e.metadata.namespace.as_deref().unwrap_or(""));
                let about = involved_key(e).map_or(own, |k| NamespaceStamps::slot(&k.namespace));
                Touched::Namespaces(own, about)
            }
            ClusterEvent::Applied(obj) => one(obj.meta().namespace.as_deref().unwrap_or("")),
            ClusterEvent::AppliedPod(p) => one(p.namespace()),
            ClusterEvent::Deleted(key) => one(&key.namespace),
            ClusterEvent::Listed { .. }
            | ClusterEvent::ListedPods(_)
            | ClusterEvent::ListEnded { .. }
            | ClusterEvent::Availability { .. } => Touched::All,
            ClusterEvent::LogLine { .. }
            | ClusterEvent::LogReset { .. }
            | ClusterEvent::LogRefused { .. }
            | ClusterEvent::Connection(_) => Touched::Nothing,
        }
    }
}

/// What the store's bounded histories hold (see [`Store::held`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub older_entries: usize,
    pub log_lines: usize,
}

type RuntimeIndex = HashMap<String, HashMap<String, BTreeSet<String>>>;

/// Adds a pod to its runtime's set (looked up without building keys).
fn index(idx: &mut RuntimeIndex, ns: &str, runtime: Option<&str>, name: &str) {
    let Some(rt) = runtime else {
        return;
    };
    let by_rt = match idx.get_mut(ns) {
        Some(m) => m,
        None => idx.entry(ns.to_string()).or_default(),
    };
    let names = match by_rt.get_mut(rt) {
        Some(n) => n,
        None => by_rt.entry(rt.to_string()).or_default(),
    };
    if !names.contains(name) {
        names.insert(name.to_string());
    }
}

/// Removes a pod from its runtime's set; a set or namespace left empty goes too (the index
/// holds what is there, not every runtime and namespace ever seen).
fn unindex(idx: &mut RuntimeIndex, ns: &str, runtime: Option<&str>, name: &str) {
    let Some(rt) = runtime else {
        return;
    };
    let Some(by_rt) = idx.get_mut(ns) else {
        return;
    };
    if let Some(names) = by_rt.get_mut(rt) {
        names.remove(name);
        if names.is_empty() {
            by_rt.remove(rt);
        }
    }
    if by_rt.is_empty() {
        idx.remove(ns);
    }
}

/// Removes an event from the events of the object it is about; an object left without events
/// goes from the index.
fn unindex_event(
    idx: &mut HashMap<ObjectKey, BTreeSet<NsName>>,
    target: &ObjectKey,
    event: &NsName,
) {
    if let Some(set) = idx.get_mut(target) {
        set.remove(event);
        if set.is_empty() {
            idx.remove(target);
        }
    }
}

fn ns_name(key: &ObjectKey) -> NsName {
    (key.namespace.clone(), key.name.clone())
}

fn involved_key(e: &Event) -> Option<ObjectKey> {
    let io = &e.involved_object;
    let kind = Kind::parse(io.kind.as_deref()?)?;
    let ns = if kind.namespaced() {
        io.namespace
            .clone()
            .or(e.metadata.namespace.clone())
            .unwrap_or_default()
    } else {
        String::new()
    };
    Some(ObjectKey::new(kind, ns, io.name.clone()?))
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The revision of the last change to an object in `namespace` ("": cluster-scoped
    /// objects), or a later one: what reads only that namespace need not look again while it
    /// stays.
    pub fn namespace_revision(&self, namespace: &str) -> u64 {
        self.namespace_stamps.get(namespace)
    }

    /// What the bounded histories hold now: phase-history entries besides each subject's newest
    /// (at most [`timeline::MAX_OLDER_ENTRIES`]) and log lines (at most
    /// [`MAX_LOG_LINES_TOTAL`]).
    pub fn held(&self) -> Held {
        Held {
            older_entries: self.pod_older + self.timelines.older(),
            log_lines: self.log_lines,
        }
    }

    /// How many pods were built into full Pods (for [`Store::get`] and the pod lookups) since
    /// they were last all forgotten: at least as many as are held. Past [`MAX_EXPANDED`], the
    /// next change forgets them all.
    pub fn expanded_pods(&self) -> usize {
        self.expanded.get()
    }

    /// Applies one source event observed at `at`. Returns whether anything changed.
    pub fn apply(&mut self, event: ClusterEvent, at: Timestamp) -> bool {
        let touched = Touched::of(&event);
        match event {
            ClusterEvent::Listed {
                kind: Kind::Pod,
                objects,
            } => {
                let pods = objects.into_iter().filter_map(|o| match o {
                    Object::Pod(p) => Some(CompactPod::from_pod(*p)),
                    _ => None,
                });
                self.list_pods(pods.collect(), at);
            }
            ClusterEvent::ListedPods(pods) => self.list_pods(pods, at),
            ClusterEvent::ListEnded { kind, keys } => {
                self.keep_only(kind, keys.iter());
                self.availability.insert(kind, Availability::Available);
            }
            ClusterEvent::Listed { kind, objects } => {
                let keys: Vec<ObjectKey> = objects.iter().map(Object::key).collect();
                self.keep_only(kind, keys.iter().map(|k| (&*k.namespace, &*k.name)));
                for obj in objects {
                    self.insert(obj, at);
                }
                self.availability.insert(kind, Availability::Available);
            }
            ClusterEvent::Applied(Object::Pod(p)) => {
                if !self.insert_pod(CompactPod::from_pod(*p), at) {
                    return false;
                }
            }
            ClusterEvent::AppliedPod(p) => {
                if !self.insert_pod(*p, at) {
                    return false;
                }
            }
            ClusterEvent::Applied(obj) => {
                let key = obj.key();
                if self.get(&key) == Some(&obj) {
                    return false;
                }
                self.insert_keyed(key, obj, at);
            }
            ClusterEvent::Deleted(key) => {
                if !self.remove(&key) {
                    return false;
                }
            }
            ClusterEvent::Availability { kind, availability } => {
                if self.availability.get(&kind) == Some(&availability) {
                    return false;
                }
                // A kind whose CRD went away has no objects left (records kept on this machine
                // stay: no watch brings them).
                if availability == Availability::NotInstalled && kind != Kind::Pod {
                    let gone: Vec<ObjectKey> = self
                        .list(kind)
                        .filter(|o| {
                            !o.meta().annotations.as_ref().is_some_and(|a| {
                                a.contains_key(crate::cluster::local_records::LOCAL_ANNOTATION)
                            })
                        })
                        .map(|o| o.key())
                        .collect();
                    for key in gone {
                        self.remove(&key);
                    }
                }
                self.availability.insert(kind, availability);
            }
            ClusterEvent::LogLine { pod, line } => self.log_line(pod, line),
            ClusterEvent::LogReset { pod } => {
                if let Some(lines) = self.logs.remove(&pod) {
                    self.log_lines -= lines.len();
                }
            }
            // The console tells the operator; nothing is held.
            ClusterEvent::LogRefused { .. } => return false,
            ClusterEvent::Connection(state) => {
                if self.connection == state {
                    return false;
                }
                self.connection = state;
            }
        }
        self.revision += 1;
        self.namespace_stamps.set(&touched, self.revision);
        if self.pod_older + self.timelines.older() > timeline::MAX_OLDER_ENTRIES {
            self.drop_oldest_entries();
        }
        if self.expanded.get() > MAX_EXPANDED {
            for e in self.pods.values_mut() {
                e.full.take();
            }
            self.expanded.set(0);
        }
        true
    }

    /// Drops the oldest quarter of the history entries kept besides each subject's newest (see
    /// [`timeline::MAX_OLDER_ENTRIES`]), pods' and the other kinds' together.
    fn drop_oldest_entries(&mut self) {
        let mut times: Vec<Timestamp> = self
            .pods
            .values()
            .flat_map(|e| e.history.older_times())
            .chain(self.timelines.older_times())
            .collect();
        if times.is_empty() {
            return;
        }
        let quarter = times.len() / 4;
        let cutoff = *times.select_nth_unstable(quarter).1;
        drop(times);
        for e in self.pods.values_mut() {
            self.pod_older -= e.history.drop_through(cutoff);
        }
        self.timelines.drop_through(cutoff);
    }

    /// Keeps a log line of `pod`, within [`MAX_LOG_LINES`] for the pod and
    /// [`MAX_LOG_LINES_TOTAL`] in all.
    fn log_line(&mut self, pod: ObjectKey, line: String) {
        let buf = self.logs.entry(pod).or_default();
        buf.push_back(line);
        self.log_lines += 1;
        if buf.len() > MAX_LOG_LINES {
            buf.pop_front();
            self.log_lines -= 1;
        }
        if self.log_lines > MAX_LOG_LINES_TOTAL
            && let Some(longest) = self.logs.values_mut().max_by_key(|l| l.len())
            && longest.pop_front().is_some()
        {
            self.log_lines -= 1;
        }
    }

    /// Replaces every pod with `pods` (a list or relist of Pods).
    fn list_pods(&mut self, pods: Vec<CompactPod>, at: Timestamp) {
        // The first list has nothing to forget (and 50,000 keys would cost megabytes).
        if !self.pods.is_empty() {
            self.keep_only(Kind::Pod, pods.iter().map(|p| (p.namespace(), p.name())));
        }
        for p in pods {
            self.insert_pod(p, at);
        }
        self.availability.insert(Kind::Pod, Availability::Available);
    }

    /// Removes every object of `kind` whose (namespace, name) is not in `keep`.
    fn keep_only<'k>(&mut self, kind: Kind, keep: impl Iterator<Item = (&'k str, &'k str)>) {
        let keep: HashSet<(&str, &str)> = keep.collect();
        let keys: Box<dyn Iterator<Item = &NsName>> = if kind == Kind::Pod {
            Box::new(self.pods.keys())
        } else {
            Box::new(self.objects.get(&kind).into_iter().flat_map(|m| m.keys()))
        };
        let gone: Vec<ObjectKey> = keys
            .filter(|(ns, name)| !keep.contains(&(ns.as_str(), name.as_str())))
            .map(|(ns, name)| ObjectKey::new(kind, ns.clone(), name.clone()))
            .collect();
        for key in gone {
            self.remove(&key);
        }
    }

    /// Adds or replaces a pod; returns whether anything the console keeps changed.
    fn insert_pod(&mut self, mut p: CompactPod, at: Timestamp) -> bool {
        use std::collections::btree_map::Entry;
        p.share_spec(&mut self.specs);
        let key = (p.namespace().to_string(), p.name().to_string());
        match self.pods.entry(key) {
            Entry::Occupied(mut e) => {
                if e.get().pod == p {
                    return false;
                }
                // A pod can move to another runtime only by a label change; keep the index exact.
                let old_runtime = e.get().pod.runtime();
                if old_runtime != p.runtime() {
                    let (ns, name) = e.key();
                    unindex(&mut self.pods_by_runtime, ns, old_runtime, name);
                    index(&mut self.pods_by_runtime, ns, p.runtime(), name);
                }
                let entry = e.get_mut();
                let before = entry.history.older();
                entry.history.observe(&p.status_text(), None, || None, at);
                self.pod_older += entry.history.older() - before;
                let suspect = problems::pod_suspect(&p);
                if suspect != entry.suspect {
                    entry.suspect = suspect;
                    let key = ObjectKey::new(Kind::Pod, p.namespace(), p.name());
                    if suspect {
                        self.suspects.insert(key);
                    } else {
                        self.suspects.remove(&key);
                    }
                }
                entry.pod = p;
                entry.full = OnceCell::new();
            }
            Entry::Vacant(e) => {
                let (ns, name) = e.key();
                index(&mut self.pods_by_runtime, ns, p.runtime(), name);
                let mut history = History::default();
                history.observe(&p.status_text(), None, || None, at);
                let suspect = problems::pod_suspect(&p);
                if suspect {
                    self.suspects
                        .insert(ObjectKey::new(Kind::Pod, p.namespace(), p.name()));
                }
                e.insert(Box::new(PodEntry {
                    pod: p,
                    history,
                    full: OnceCell::new(),
                    suspect,
                }));
            }
        }
        true
    }

    fn insert(&mut self, obj: Object, at: Timestamp) {
        if let Object::Pod(p) = obj {
            self.insert_pod(CompactPod::from_pod(*p), at);
            return;
        }
        self.insert_keyed(obj.key(), obj, at);
    }

    /// [`Store::insert`] of an object other than a pod, its key already known.
    fn insert_keyed(&mut self, key: ObjectKey, obj: Object, at: Timestamp) {
        if let Object::Event(e) = &obj {
            let target = involved_key(e);
            // An event now about another object than before leaves the old one's events.
            if let Some(Object::Event(old)) = self.get(&key)
                && let Some(old_target) = involved_key(old)
                && Some(&old_target) != target.as_ref()
            {
                unindex_event(&mut self.events_by_object, &old_target, &ns_name(&key));
            }
            if let Some(target) = target {
                self.events_by_object
                    .entry(target)
                    .or_default()
                    .insert(ns_name(&key));
            }
        }
        if timeline::has_timeline(key.kind) {
            let class = match &obj {
                Object::Runtime(rt) => self
                    .objects
                    .get(&Kind::CacheRuntimeClass)
                    .and_then(|m| m.get(&(String::new(), rt.spec.runtime_class_name.clone())))
                    .and_then(|o| match o {
                        Object::Class(c) => Some(&**c),
                        _ => None,
                    }),
                _ => None,
            };
            self.timelines.observe(&obj, class, at);
        }
        let runtime_events = match &obj {
            Object::Event(e) => involved_key(e).filter(|k| k.kind == Kind::CacheRuntime),
            _ => None,
        };
        let suspect = problems::suspect(&obj) || self.setup_failing(&key);
        self.mark_suspect(&key, suspect);
        let ObjectKey {
            kind,
            namespace,
            name,
        } = key;
        self.objects
            .entry(kind)
            .or_default()
            .insert((namespace, name), obj);
        // An event about a runtime may say its setup or remount fails (or no longer does).
        if let Some(rt) = runtime_events
            && let Some(obj) = self.get(&rt)
        {
            let suspect = problems::suspect(obj) || self.setup_failing(&rt);
            self.mark_suspect(&rt, suspect);
        }
    }

    /// Whether the events of a runtime say its setup or remount fails (see
    /// [`why::failing_event`]).
    fn setup_failing(&self, key: &ObjectKey) -> bool {
        key.kind == Kind::CacheRuntime && why::failing_event(&self.events_for(key)).is_some()
    }

    fn mark_suspect(&mut self, key: &ObjectKey, suspect: bool) {
        if suspect {
            if !self.suspects.contains(key) {
                self.suspects.insert(key.clone());
            }
        } else {
            self.suspects.remove(key);
        }
    }

    /// Objects that may be problems now (a superset: the problems list decides), by key.
    pub fn suspects(&self) -> impl Iterator<Item = &ObjectKey> {
        self.suspects.iter()
    }

    /// How many objects [`Store::suspects`] holds.
    pub fn suspect_count(&self) -> usize {
        self.suspects.len()
    }

    fn remove(&mut self, key: &ObjectKey) -> bool {
        if key.kind == Kind::Pod {
            let Some(entry) = self.pods.remove(&ns_name(key)) else {
                return false;
            };
            unindex(
                &mut self.pods_by_runtime,
                &key.namespace,
                entry.pod.runtime(),
                &key.name,
            );
            if entry.suspect {
                self.suspects.remove(key);
            }
            self.pod_older -= entry.history.older();
            if let Some(lines) = self.logs.remove(key) {
                self.log_lines -= lines.len();
            }
            return true;
        }
        let Some(obj) = self
            .objects
            .get_mut(&key.kind)
            .and_then(|m| m.remove(&ns_name(key)))
        else {
            return false;
        };
        if let Object::Event(e) = &obj
            && let Some(target) = involved_key(e)
        {
            unindex_event(&mut self.events_by_object, &target, &ns_name(key));
        }
        self.suspects.remove(key);
        self.timelines.forget(key);
        true
    }

    /// The object under `key`. A pod comes back as a Pod with the fields the console keeps
    /// (see [`CompactPod`]), built on first use.
    pub fn get(&self, key: &ObjectKey) -> Option<&Object> {
        if key.kind == Kind::Pod {
            return self.pods.get(&ns_name(key)).map(|e| self.expand(e));
        }
        self.objects.get(&key.kind)?.get(&ns_name(key))
    }

    /// The full Pod of a kept pod, built once and kept until the pod changes (or until more
    /// than [`MAX_EXPANDED`] were built, at the next change).
    fn expand<'a>(&self, e: &'a PodEntry) -> &'a Object {
        e.full.get_or_init(|| {
            self.expanded.set(self.expanded.get() + 1);
            Box::new(Object::Pod(Box::new(e.pod.to_pod())))
        })
    }

    /// Objects of one kind, ordered by namespace then name. Pods are built from their compact
    /// form as the iterator goes: prefer [`Store::compact_pods`] or [`Store::count_in`] over
    /// all pods.
    pub fn list(&self, kind: Kind) -> Box<dyn Iterator<Item = &Object> + '_> {
        if kind == Kind::Pod {
            return Box::new(self.pods.values().map(|e| self.expand(e)));
        }
        Box::new(self.objects.get(&kind).into_iter().flat_map(|m| m.values()))
    }

    pub fn count(&self, kind: Kind) -> usize {
        if kind == Kind::Pod {
            return self.pods.len();
        }
        self.objects.get(&kind).map_or(0, |m| m.len())
    }

    /// Objects of one kind in `namespace` (`None`: all namespaces).
    pub fn count_in(&self, kind: Kind, namespace: Option<&str>) -> usize {
        let Some(ns) = namespace else {
            return self.count(kind);
        };
        let range = (ns.to_string(), String::new())..;
        let in_ns = |(n, _): &NsName| n == ns;
        if kind == Kind::Pod {
            return self.pods.range(range).take_while(|(k, _)| in_ns(k)).count();
        }
        self.objects
            .get(&kind)
            .map_or(0, |m| m.range(range).take_while(|(k, _)| in_ns(k)).count())
    }

    /// Every pod as kept, by namespace then name (no full Pods built).
    pub fn compact_pods(&self) -> impl Iterator<Item = &CompactPod> {
        self.pods.values().map(|e| &e.pod)
    }

    /// One pod as kept.
    pub fn compact_pod(&self, namespace: &str, name: &str) -> Option<&CompactPod> {
        self.pods
            .get(&(namespace.to_string(), name.to_string()))
            .map(|e| &e.pod)
    }

    /// Pods of one namespace whose kept form passes `keep`, by name: only those are built into
    /// full Pods.
    pub fn pods_in<'a>(
        &'a self,
        namespace: &'a str,
        keep: impl Fn(&CompactPod) -> bool + 'a,
    ) -> impl Iterator<Item = &'a Pod> + 'a {
        self.pods
            .range((namespace.to_string(), String::new())..)
            .take_while(move |((ns, _), _)| ns == namespace)
            .filter(move |(_, e)| keep(&e.pod))
            .filter_map(|(_, e)| match self.expand(e) {
                Object::Pod(p) => Some(&**p),
                _ => None,
            })
    }

    pub fn runtimes(&self) -> impl Iterator<Item = &CacheRuntime> {
        self.list(Kind::CacheRuntime).filter_map(|o| match o {
            Object::Runtime(r) => Some(&**r),
            _ => None,
        })
    }

    pub fn datasets(&self) -> impl Iterator<Item = &Dataset> {
        self.list(Kind::Dataset).filter_map(|o| match o {
            Object::Dataset(d) => Some(&**d),
            _ => None,
        })
    }

    pub fn classes(&self) -> impl Iterator<Item = &CacheRuntimeClass> {
        self.list(Kind::CacheRuntimeClass).filter_map(|o| match o {
            Object::Class(c) => Some(&**c),
            _ => None,
        })
    }

    pub fn maintenances(&self) -> impl Iterator<Item = &CacheRuntimeMaintenance> {
        self.list(Kind::CacheRuntimeMaintenance)
            .filter_map(|o| match o {
                Object::Maintenance(m) => Some(&**m),
                _ => None,
            })
    }

    /// Every DataOperation of the four kinds.
    pub fn operations(&self) -> impl Iterator<Item = &DataOperation> {
        crate::model::OpKind::ALL.into_iter().flat_map(move |k| {
            self.list(Kind::Operation(k)).filter_map(|o| match o {
                Object::Operation(op) => Some(&**op),
                _ => None,
            })
        })
    }

    pub fn class(&self, name: &str) -> Option<&CacheRuntimeClass> {
        match self.get(&ObjectKey::new(Kind::CacheRuntimeClass, "", name))? {
            Object::Class(c) => Some(&**c),
            _ => None,
        }
    }

    pub fn runtime(&self, namespace: &str, name: &str) -> Option<&CacheRuntime> {
        match self.get(&ObjectKey::new(Kind::CacheRuntime, namespace, name))? {
            Object::Runtime(r) => Some(&**r),
            _ => None,
        }
    }

    pub fn dataset(&self, namespace: &str, name: &str) -> Option<&Dataset> {
        match self.get(&ObjectKey::new(Kind::Dataset, namespace, name))? {
            Object::Dataset(d) => Some(&**d),
            _ => None,
        }
    }

    pub fn class_of(&self, rt: &CacheRuntime) -> Option<&CacheRuntimeClass> {
        self.class(&rt.spec.runtime_class_name)
    }

    /// Cache pods of one runtime (master, worker, client), by name.
    pub fn pods_of_runtime(&self, namespace: &str, runtime: &str) -> Vec<&Pod> {
        let Some(names) = self
            .pods_by_runtime
            .get(namespace)
            .and_then(|m| m.get(runtime))
        else {
            return Vec::new();
        };
        // One key, its name replaced pod by pod: no allocation per pod.
        let mut key: NsName = (namespace.to_string(), String::new());
        names
            .iter()
            .filter_map(|n| {
                key.1.clear();
                key.1.push_str(n);
                match self.expand(self.pods.get(&key)?) {
                    Object::Pod(p) => Some(&**p),
                    _ => None,
                }
            })
            .collect()
    }

    /// Operations whose target dataset is `namespace/name` (a runtime's dataset has its name).
    pub fn operations_of_dataset<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a DataOperation> + 'a {
        self.operations().filter(move |op| {
            op.target_dataset()
                .is_some_and(|(ns, n)| ns == namespace && n == name)
        })
    }

    /// Events whose involved object is `key`, oldest first.
    pub fn events_for(&self, key: &ObjectKey) -> Vec<&Event> {
        let mut out: Vec<&Event> = self
            .events_by_object
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|(ns, n)| {
                match self.get(&ObjectKey::new(Kind::Event, ns.clone(), n.clone()))? {
                    Object::Event(e) => Some(&**e),
                    _ => None,
                }
            })
            .collect();
        out.sort_by_key(|e| {
            e.last_timestamp
                .as_ref()
                .or(e.first_timestamp.as_ref())
                .map(|t| t.0)
        });
        out
    }

    /// The operation a `runAfter` points at, if present in the store.
    pub fn predecessor(&self, op: &DataOperation) -> Option<&DataOperation> {
        let ra = op.spec.run_after.as_ref()?;
        let kind = crate::model::OpKind::parse(&ra.kind)?;
        let ns = ra
            .namespace
            .clone()
            .or(op.metadata.namespace.clone())
            .unwrap_or_default();
        match self.get(&ObjectKey::new(Kind::Operation(kind), ns, ra.name.clone()))? {
            Object::Operation(o) => Some(&**o),
            _ => None,
        }
    }

    pub fn availability(&self, kind: Kind) -> Availability {
        self.availability.get(&kind).cloned().unwrap_or_default()
    }

    pub fn connection(&self) -> &ConnectionState {
        &self.connection
    }

    pub fn logs(&self, pod: &ObjectKey) -> impl Iterator<Item = &String> {
        self.logs.get(pod).into_iter().flatten()
    }

    pub fn log_len(&self, pod: &ObjectKey) -> usize {
        self.logs.get(pod).map_or(0, |l| l.len())
    }

    /// Namespaces that hold any object, sorted.
    pub fn namespaces(&self) -> BTreeSet<&str> {
        self.objects
            .values()
            .flat_map(|m| m.keys())
            .chain(self.pods.keys())
            .map(|(ns, _)| ns.as_str())
            .filter(|ns| !ns.is_empty())
            .collect()
    }

    /// Phases a subject went through (first sight, then every observed change), oldest first.
    pub fn phase_history(&self, subject: &Subject) -> Vec<Transition> {
        self.recorded(subject).collect()
    }

    fn recorded<'a>(&'a self, subject: &'a Subject) -> Box<dyn Iterator<Item = Transition> + 'a> {
        match subject {
            Subject::Object(key) if key.kind == Kind::Pod => Box::new(
                self.pods
                    .get(&ns_name(key))
                    .into_iter()
                    .flat_map(|e| e.history.transitions(None)),
            ),
            _ => Box::new(self.timelines.recorded(subject)),
        }
    }

    /// The timeline of a subject: observed transitions, the object's own condition times and
    /// its Events, merged in time order. A runtime's timeline includes its components'.
    pub fn timeline(&self, subject: &Subject) -> Vec<Transition> {
        let mut parts: Vec<Transition> = self.recorded(subject).collect();
        if let (Subject::Object(key), Some(obj)) = (subject, self.get(subject.object())) {
            parts.extend(timeline::recorded_in_object(obj));
            parts.extend(timeline::from_events(self.events_for(key).into_iter()));
            if key.kind == Kind::CacheRuntime {
                for c in crate::model::Component::ALL {
                    let component = Subject::Component(key.clone(), c);
                    parts.extend(self.timelines.recorded(&component));
                }
            }
        }
        timeline::merge(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::scale::{Generator, ScaleSpec};

    fn now() -> Timestamp {
        "2026-11-25T10:02:00Z".parse().unwrap()
    }

    #[test]
    fn phase_histories_stay_within_their_bound_under_churn() {
        use crate::demo::scale::Churn;
        // 1,000 operations moving through their phases: 150,000 changes, about 150 each,
        // more than the bound in all.
        let spec = ScaleSpec {
            runtimes: 1,
            pods: 0,
            ops: 1000,
            events: 0,
        };
        let mut churn = Churn::new(Generator::new(spec, 3, now()), 1000.0);
        let mut store = Store::new();
        for kind in Kind::ALL {
            let objects = churn.of_kind(kind);
            store.apply(ClusterEvent::Listed { kind, objects }, now());
        }
        let mut most = 0;
        for s in 1..=150 {
            let at = now() + jiff::SignedDuration::from_secs(s);
            for e in churn.advance(std::time::Duration::from_secs(1), at) {
                store.apply(e, at);
                most = most.max(store.held().older_entries);
            }
        }
        assert!(
            most <= timeline::MAX_OLDER_ENTRIES,
            "{most} entries held besides the newest"
        );
        assert!(
            most > timeline::MAX_OLDER_ENTRIES / 2,
            "the bound was reached"
        );
        // Each operation still shows the phase it is in, as its newest entry.
        for op in store.operations().take(50) {
            let key = Object::from(op.clone()).key();
            let last = store.phase_history(&Subject::Object(key)).pop().unwrap();
            assert_eq!(last.phase, op.phase().label());
        }
    }

    #[test]
    fn log_lines_stay_within_their_bounds_and_go_with_their_pod() {
        let g = Generator::new(
            ScaleSpec {
                runtimes: 1,
                pods: 30,
                ops: 0,
                events: 0,
            },
            1,
            now(),
        );
        let mut store = Store::new();
        let pods: Vec<ObjectKey> = g.of_kind(Kind::Pod).map(|o| o.key()).collect();
        for o in g.of_kind(Kind::Pod) {
            store.apply(ClusterEvent::Applied(o), now());
        }
        for i in 0..MAX_LOG_LINES + 100 {
            for pod in &pods {
                let line = format!("line {i}");
                store.apply(
                    ClusterEvent::LogLine {
                        pod: pod.clone(),
                        line,
                    },
                    now(),
                );
                assert!(store.held().log_lines <= MAX_LOG_LINES_TOTAL);
            }
        }
        assert_eq!(store.held().log_lines, MAX_LOG_LINES_TOTAL);
        // Every pod keeps its newest lines.
        for pod in &pods {
            let last = store.logs(pod).last().unwrap();
            assert_eq!(last, &format!("line {}", MAX_LOG_LINES + 99));
            assert!(store.log_len(pod) <= MAX_LOG_LINES);
        }
        let gone = store.log_len(&pods[0]);
        store.apply(ClusterEvent::Deleted(pods[0].clone()), now());
        assert_eq!(store.held().log_lines, MAX_LOG_LINES_TOTAL - gone);
        assert_eq!(store.log_len(&pods[0]), 0);
    }

    #[test]
    fn indexes_hold_only_what_is_there() {
        let g = Generator::new(
            ScaleSpec {
                runtimes: 2,
                pods: 10,
                ops: 0,
                events: 6,
            },
            1,
            now(),
        );
        let mut store = Store::new();
        for kind in Kind::ALL {
            let objects = g.of_kind(kind).collect();
            store.apply(ClusterEvent::Listed { kind, objects }, now());
        }
        assert!(!store.pods_by_runtime.is_empty());
        assert!(!store.events_by_object.is_empty());
        let keys: Vec<ObjectKey> = [Kind::Pod, Kind::Event]
            .into_iter()
            .flat_map(|k| g.of_kind(k).map(|o| o.key()).collect::<Vec<_>>())
            .collect();
        for key in keys {
            assert!(store.apply(ClusterEvent::Deleted(key), now()));
        }
        assert!(
            store.pods_by_runtime.is_empty(),
            "{:?}",
            store.pods_by_runtime
        );
        assert!(
            store.events_by_object.is_empty(),
            "{:?}",
            store.events_by_object
        );
    }

    #[test]
    fn a_namespaces_revision_moves_with_changes_in_it_only() {
        let g = Generator::new(
            ScaleSpec {
                runtimes: 40,
                pods: 80,
                ops: 0,
                events: 0,
            },
            1,
            now(),
        );
        let mut store = Store::new();
        for kind in Kind::ALL {
            let objects = g.of_kind(kind).collect();
            store.apply(ClusterEvent::Listed { kind, objects }, now());
        }
        let listed = store.revision();
        // Two namespaces that do not share a stamp.
        let a = "scale-000";
        let b = (1..4)
            .map(|i| format!("scale-{i:03}"))
            .find(|b| NamespaceStamps::slot(b) != NamespaceStamps::slot(a))
            .unwrap();
        assert_eq!(store.namespace_revision(a), listed, "a list touches all");
        let pod = store
            .compact_pods()
            .find(|p| p.namespace() == b)
            .map(|p| p.key())
            .unwrap();
        assert!(store.apply(ClusterEvent::Deleted(pod), now()));
        assert_eq!(store.namespace_revision(a), listed);
        assert_eq!(store.namespace_revision(&b), store.revision());
        assert_eq!(store.namespace_revision(""), listed, "no class changed");
        // Nothing changed, nothing moves.
        let rev = store.revision();
        let again = store.runtimes().next().cloned().unwrap();
        assert!(!store.apply(ClusterEvent::Applied(Object::from(again)), now()));
        assert_eq!(store.revision(), rev);
    }

    #[test]
    fn a_list_sent_object_by_object_then_ended_keeps_only_what_it_named() {
        let g = Generator::new(
            ScaleSpec {
                runtimes: 2,
                pods: 6,
                ops: 4,
                events: 0,
            },
            1,
            now(),
        );
        let mut store = Store::new();
        for kind in [Kind::Pod, Kind::CacheRuntime] {
            for o in g.of_kind(kind) {
                assert!(store.apply(ClusterEvent::Applied(o), now()));
            }
        }
        assert_eq!(store.count(Kind::Pod), 6);
        // A relist that no longer has the first pod and the second runtime.
        let pods: Vec<ObjectKey> = g.of_kind(Kind::Pod).map(|o| o.key()).collect();
        let keys = pods[1..]
            .iter()
            .map(|k| (&*k.namespace, &*k.name))
            .collect();
        store.apply(
            ClusterEvent::ListEnded {
                kind: Kind::Pod,
                keys,
            },
            now(),
        );
        assert_eq!(store.count(Kind::Pod), 5);
        assert!(store.get(&pods[0]).is_none());
        assert!(store.timeline(&Subject::Object(pods[0].clone())).is_empty());
        let rts: Vec<ObjectKey> = g.of_kind(Kind::CacheRuntime).map(|o| o.key()).collect();
        store.apply(
            ClusterEvent::ListEnded {
                kind: Kind::CacheRuntime,
                keys: [(&*rts[0].namespace, &*rts[0].name)].into_iter().collect(),
            },
            now(),
        );
        assert_eq!(store.count(Kind::CacheRuntime), 1);
        assert_eq!(store.count(Kind::Pod), 5, "other kinds untouched");
        assert_eq!(
            store.availability(Kind::CacheRuntime),
            Availability::Available
        );
    }
}
