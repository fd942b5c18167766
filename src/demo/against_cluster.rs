//! `fluidops demo --against-cluster`: the simulated Fluid control plane run as a controller
//! against a real API server that has Fluid's CRDs but no Fluid.
//!
//! - Seeding: the demo's namespaces are created, then every object of the [`DemoCluster`] is
//!   created kind by kind (classes first), and its status written through the `status`
//!   subresource (CacheRuntimeClass and Event have none: their whole document is created).
//!   An object that already exists is patched instead, so a second run adopts the first's.
//! - Every step (one wall second) the demo cluster advances and what changed is written as one
//!   batch: new objects are created, changed ones get a JSON merge patch of only what differs
//!   from what was last written (main resource and status subresource separately), removed ones
//!   are deleted (Pods with grace period 0: no kubelet will ever confirm a graceful delete).
//! - Changes made by others come back (each write's resourceVersion is remembered, so the watch
//!   events of the controller's own writes are told apart from everyone else's):
//!   - an operation the demo does not know (created by a console or kubectl) is fed into the
//!     demo, which then drives it through Pending → Executing → Complete; one deleted through
//!     the API is deleted in the demo;
//!   - a change of a CacheRuntime's or AdvancedStatefulSet's spec, labels or annotations
//!     (`runtimeVersion`, `replicas`, a partition, a lock annotation) goes into the demo, whose
//!     Fluid and workload controllers act on it: pods roll in place and their status is written
//!     back, as an upgrade needs;
//!   - a pod deleted through the API is deleted in the demo: gracefully (it goes after a moment,
//!     or stays Terminating on a lost node) or, when it is already gone, at once; the demo's
//!     workload recreates it.
//! - A pod the demo marks Terminating (a lost node) is deleted gracefully on the server, which
//!   then holds its `deletionTimestamp` as a real cluster would.
//! - An AdvancedStatefulSet's `observedGeneration` follows the server's `generation`.
//! - Progress goes to stdout as plain lines; Ctrl-C or SIGTERM stops it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::Client;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::runtime::watcher::{self, Event as WatchEvent};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::cluster::event::ClusterEvent;
use crate::cluster::kube_config::describe_error;
use crate::cluster::kube_source::{api_resource, to_object};
use crate::cluster::writer::FIELD_MANAGER;
use crate::demo::DemoCluster;
use crate::model::{Kind, Object, ObjectKey, OpKind};

/// Wall time between two steps (one batch of writes each).
pub const STEP: Duration = Duration::from_secs(1);
/// Requests in flight at once while writing a batch.
const CONCURRENCY: usize = 8;
/// Failures printed per batch (the rest are counted).
const FAILURES_SHOWN: usize = 5;

/// Metadata the API server owns; never sent.
const SERVER_FIELDS: &[&str] = &[
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
    "managedFields",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
];

/// Whether the kind's status is written through the `status` subresource.
fn has_status_subresource(kind: Kind) -> bool {
    !matches!(kind, Kind::CacheRuntimeClass | Kind::Event)
}

/// What was last written (or seen) of one object: the main resource without status, and the
/// status (for kinds with a status subresource).
#[derive(Debug, Clone, PartialEq)]
struct Written {
    main: Value,
    status: Value,
    /// A pod the demo marked Terminating (deleted gracefully on the server).
    terminating: bool,
}

/// Splits an object into what is sent to the main resource and to the status subresource.
fn split(obj: &Object) -> Written {
    let mut v = obj.to_value();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for f in SERVER_FIELDS {
            meta.remove(*f);
        }
    }
    let status = if has_status_subresource(obj.kind()) {
        v.as_object_mut()
            .and_then(|m| m.remove("status"))
            .filter(|s| !s.is_null())
            .unwrap_or_else(|| json!({}))
    } else {
        json!({})
    };
    let mut status = status;
    if obj.kind() == Kind::AdvancedStatefulSet
        && let Some(st) = status.as_object_mut()
        && !st.is_empty()
    {
        // The CRD requires these counters; the demo leaves out the ones that are zero.
        for f in WORKLOAD_COUNTERS {
            st.entry(*f).or_insert(json!(0));
        }
    }
    let terminating = obj.kind() == Kind::Pod && obj.meta().deletion_timestamp.is_some();
    Written {
        main: v,
        status,
        terminating,
    }
}

/// Status fields an AdvancedStatefulSet's schema requires.
const WORKLOAD_COUNTERS: &[&str] = &[
    "availableReplicas",
    "currentReplicas",
    "readyReplicas",
    "replicas",
    "updatedReplicas",
];

/// The RFC 7386 merge patch that turns `old` into `new` (removed keys become null), or `None`
/// when they are equal.
pub fn merge_diff(old: &Value, new: &Value) -> Option<Value> {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            let mut patch = serde_json::Map::new();
            for (k, nv) in n {
                match o.get(k) {
                    Some(ov) => {
                        if let Some(d) = merge_diff(ov, nv) {
                            patch.insert(k.clone(), d);
                        }
                    }
                    None => {
                        patch.insert(k.clone(), nv.clone());
                    }
                }
            }
            for k in o.keys() {
                if !n.contains_key(k) {
                    patch.insert(k.clone(), Value::Null);
                }
            }
            (!patch.is_empty()).then_some(Value::Object(patch))
        }
        _ if old == new => None,
        _ => Some(new.clone()),
    }
}

fn api(client: &Client, key: &ObjectKey) -> Api<DynamicObject> {
    let ar = api_resource(key.kind);
    if key.kind.namespaced() {
        Api::namespaced_with(client.clone(), &key.namespace, &ar)
    } else {
        Api::all_with(client.clone(), &ar)
    }
}

/// One write of a batch.
#[derive(Debug)]
enum Plan {
    /// Create (or, when it exists, patch to) this state.
    Create(Written),
    /// Patch from the last written state to the new one.
    Update {
        from: Written,
        to: Written,
    },
    Delete,
}

#[derive(Debug, Default)]
struct Tally {
    created: usize,
    updated: usize,
    deleted: usize,
    failed: Vec<String>,
}

impl Tally {
    fn is_empty(&self) -> bool {
        self.created + self.updated + self.deleted == 0 && self.failed.is_empty()
    }

    fn summary(&self) -> String {
        let mut s = format!(
            "{} created, {} updated, {} deleted",
            self.created, self.updated, self.deleted
        );
        if !self.failed.is_empty() {
            s.push_str(&format!(", {} failed", self.failed.len()));
        }
        s
    }
}

enum Outcome {
    Created(Written, Stamp),
    Updated(Written, Stamp),
    Unchanged,
    Deleted,
    Failed(String),
}

/// What the server answered to the writes of one object: the resourceVersions they produced
/// (their watch events are the controller's own) and the object's generation.
#[derive(Debug, Default)]
struct Stamp {
    versions: Vec<String>,
    generation: Option<i64>,
}

impl Stamp {
    fn add(&mut self, o: &DynamicObject) {
        if let Some(rv) = &o.metadata.resource_version {
            self.versions.push(rv.clone());
        }
        if o.metadata.generation.is_some() {
            self.generation = o.metadata.generation;
        }
    }
}

/// Resource versions remembered per object (the latest ones are enough).
const VERSIONS_KEPT: usize = 32;

fn merge() -> PatchParams {
    PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..Default::default()
    }
}

async fn patch_status(
    api: &Api<DynamicObject>,
    name: &str,
    status: Value,
) -> kube::Result<DynamicObject> {
    api.patch_status(name, &merge(), &Patch::Merge(json!({ "status": status })))
        .await
}

/// Deletes a pod gracefully (the default grace period): the server marks it Terminating and,
/// with no kubelet to confirm, keeps it so.
async fn mark_terminating(
    api: &Api<DynamicObject>,
    name: &str,
    stamp: &mut Stamp,
) -> kube::Result<()> {
    match api.delete(name, &DeleteParams::default()).await {
        Ok(either) => {
            if let Some(o) = either.left() {
                stamp.add(&o);
            }
            Ok(())
        }
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(e),
    }
}

async fn create(client: &Client, key: &ObjectKey, to: Written) -> Outcome {
    let api = api(client, key);
    let fail = |what: &str, e: kube::Error| {
        Outcome::Failed(format!("{what} {key}: {}", describe_error(&e)))
    };
    let obj: DynamicObject = match serde_json::from_value(to.main.clone()) {
        Ok(o) => o,
        Err(e) => return Outcome::Failed(format!("create {key}: {e}")),
    };
    let pp = PostParams {
        dry_run: false,
        field_manager: Some(FIELD_MANAGER.into()),
    };
    let mut stamp = Stamp::default();
    match api.create(&pp, &obj).await {
        Ok(o) => stamp.add(&o),
        // There already (a previous run, or someone else): take it over with a patch.
        Err(kube::Error::Api(s)) if s.code == 409 => {
            match api
                .patch(&key.name, &merge(), &Patch::Merge(&to.main))
                .await
            {
                Ok(o) => stamp.add(&o),
                Err(e) => return fail("patch", e),
            }
        }
        Err(e) => return fail("create", e),
    }
    if has_status_subresource(key.kind) && to.status.as_object().is_some_and(|m| !m.is_empty()) {
        match patch_status(&api, &key.name, to.status.clone()).await {
            Ok(o) => stamp.add(&o),
            Err(e) => return fail("status of", e),
        }
    }
    if to.terminating
        && let Err(e) = mark_terminating(&api, &key.name, &mut stamp).await
    {
        return fail("delete", e);
    }
    Outcome::Created(to, stamp)
}

async fn update(client: &Client, key: &ObjectKey, from: Written, to: Written) -> Outcome {
    let api = api(client, key);
    let mut changed = false;
    let mut stamp = Stamp::default();
    if let Some(p) = merge_diff(&from.main, &to.main) {
        // A pod's containers are merged by name (strategic merge), so that an in-place update
        // changes only the image: fields the API server defaulted (imagePullPolicy, …) stay,
        // where a merge patch would replace the whole list and be refused (422).
        let patch = match key.kind {
            Kind::Pod => Patch::Strategic(&p),
            _ => Patch::Merge(&p),
        };
        match api.patch(&key.name, &merge(), &patch).await {
            Ok(o) => {
                stamp.add(&o);
                changed = true;
            }
            // Deleted behind our back: create it again.
            Err(kube::Error::Api(s)) if s.code == 404 => return create(client, key, to).await,
            Err(e) => return Outcome::Failed(format!("patch {key}: {}", describe_error(&e))),
        }
    }
    if has_status_subresource(key.kind)
        && let Some(p) = merge_diff(&from.status, &to.status)
    {
        match patch_status(&api, &key.name, p).await {
            Ok(o) => {
                stamp.add(&o);
                changed = true;
            }
            Err(kube::Error::Api(s)) if s.code == 404 => return create(client, key, to).await,
            Err(e) => {
                return Outcome::Failed(format!("status of {key}: {}", describe_error(&e)));
            }
        }
    }
    if to.terminating && !from.terminating {
        if let Err(e) = mark_terminating(&api, &key.name, &mut stamp).await {
            return Outcome::Failed(format!("delete {key}: {}", describe_error(&e)));
        }
        changed = true;
    }
    if changed {
        Outcome::Updated(to, stamp)
    } else {
        Outcome::Unchanged
    }
}

async fn delete(client: &Client, key: &ObjectKey) -> Outcome {
    let dp = DeleteParams {
        // No kubelet confirms a graceful delete of a pod bound to a node.
        grace_period_seconds: (key.kind == Kind::Pod).then_some(0),
        ..Default::default()
    };
    match api(client, key).delete(&key.name, &dp).await {
        Ok(_) => Outcome::Deleted,
        Err(kube::Error::Api(s)) if s.code == 404 => Outcome::Deleted,
        Err(e) => Outcome::Failed(format!("delete {key}: {}", describe_error(&e))),
    }
}

/// What a watcher saw, for mirroring into the demo.
enum Seen {
    /// An object as the server has it; `initial` when it comes from a (re)list rather than a
    /// change.
    Applied {
        obj: Box<Object>,
        initial: bool,
    },
    Deleted(ObjectKey),
}

/// The kinds watched for changes made by others.
fn watched_kinds() -> Vec<Kind> {
    let mut kinds: Vec<Kind> = OpKind::ALL.into_iter().map(Kind::Operation).collect();
    kinds.extend([Kind::CacheRuntime, Kind::AdvancedStatefulSet, Kind::Pod]);
    kinds
}

/// Watches one kind in every namespace and forwards what it sees.
async fn watch_kind(client: Client, kind: Kind, tx: mpsc::UnboundedSender<Seen>) {
    let api: Api<DynamicObject> = Api::all_with(client, &api_resource(kind));
    let stream = kube::runtime::WatchStreamExt::default_backoff(watcher::watcher(
        api,
        watcher::Config::default(),
    ));
    let mut stream = std::pin::pin!(stream);
    while let Some(ev) = stream.next().await {
        let seen = match ev {
            Ok(WatchEvent::Apply(o)) => match to_object(kind, o) {
                Ok(obj) => Seen::Applied {
                    obj: Box::new(obj),
                    initial: false,
                },
                Err(_) => continue,
            },
            Ok(WatchEvent::InitApply(o)) => match to_object(kind, o) {
                Ok(obj) => Seen::Applied {
                    obj: Box::new(obj),
                    initial: true,
                },
                Err(_) => continue,
            },
            Ok(WatchEvent::Delete(o)) => {
                let ns = if kind.namespaced() {
                    o.metadata.namespace.clone().unwrap_or_default()
                } else {
                    String::new()
                };
                Seen::Deleted(ObjectKey::new(
                    kind,
                    ns,
                    o.metadata.name.clone().unwrap_or_default(),
                ))
            }
            Ok(_) => continue,
            Err(_) => continue,
        };
        if tx.send(seen).is_err() {
            return;
        }
    }
}

/// The part of an object others may change and the demo takes over: spec, labels, annotations.
fn managed_part(v: &Value) -> Value {
    json!({
        "spec": v.get("spec").cloned().unwrap_or(Value::Null),
        "labels": v.pointer("/metadata/labels").cloned().unwrap_or(Value::Null),
        "annotations": v.pointer("/metadata/annotations").cloned().unwrap_or(Value::Null),
    })
}

/// A short form of a change, for the progress line.
fn brief(patch: &Value) -> String {
    let s = patch.to_string();
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s
    }
}

/// The controller: the demo cluster and what has been written of it.
pub struct AgainstCluster {
    client: Client,
    cluster: DemoCluster,
    written: HashMap<ObjectKey, Written>,
    namespaces: HashSet<String>,
    /// Removed by the demo; a late watch event of them must not bring them back.
    deleted: HashSet<ObjectKey>,
    /// Last phase printed per operation.
    phases: HashMap<ObjectKey, String>,
    /// Resource versions the controller's own writes produced, per object.
    ours: HashMap<ObjectKey, std::collections::VecDeque<String>>,
    speed: f64,
}

/// Prints one progress line, time first.
fn say(line: &str) {
    let now = jiff::Zoned::now().strftime("%H:%M:%S").to_string();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{now} {line}");
    let _ = out.flush();
}

impl AgainstCluster {
    /// No random worker failures: a pod on the API server changes only when someone asks.
    pub fn new(client: Client, mut cluster: DemoCluster, speed: f64) -> AgainstCluster {
        cluster.set_random_failures(false);
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        AgainstCluster {
            client,
            cluster,
            written: HashMap::new(),
            namespaces: HashSet::new(),
            deleted: HashSet::new(),
            phases: HashMap::new(),
            ours: HashMap::new(),
            speed,
        }
    }

    /// Creates the namespaces of `objects` not created yet (an existing one is fine).
    async fn ensure_namespaces<'a>(&mut self, objects: impl Iterator<Item = &'a Object>) {
        let wanted: Vec<String> = objects
            .filter(|o| o.kind().namespaced())
            .filter_map(|o| o.meta().namespace.clone())
            .filter(|ns| !ns.is_empty() && !self.namespaces.contains(ns))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let nss: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(self.client.clone());
        for ns in wanted {
            let obj: k8s_openapi::api::core::v1::Namespace =
                match serde_json::from_value(json!({"metadata": {"name": ns}})) {
                    Ok(o) => o,
                    Err(_) => continue,
                };
            match nss.create(&PostParams::default(), &obj).await {
                Ok(_) => say(&format!("namespace {ns} created")),
                Err(kube::Error::Api(s)) if s.code == 409 => {}
                Err(e) => {
                    say(&format!("namespace {ns}: {}", describe_error(&e)));
                    continue;
                }
            }
            self.namespaces.insert(ns);
        }
    }

    /// Writes one batch of changes (last state per object wins), kinds in dependency order.
    async fn write(&mut self, changes: BTreeMap<ObjectKey, Option<Object>>) -> Tally {
        let present: Vec<&Object> = changes.values().flatten().collect();
        self.ensure_namespaces(present.into_iter()).await;
        let mut tally = Tally::default();
        let mut by_kind: BTreeMap<usize, Vec<(ObjectKey, Plan)>> = BTreeMap::new();
        for (key, obj) in changes {
            let rank = Kind::ALL.iter().position(|k| *k == key.kind).unwrap_or(0);
            let plan = match obj {
                None => {
                    if self.written.remove(&key).is_none() {
                        continue;
                    }
                    self.deleted.insert(key.clone());
                    // Delete dependants first: reverse order.
                    by_kind
                        .entry(usize::MAX - rank)
                        .or_default()
                        .push((key, Plan::Delete));
                    continue;
                }
                Some(o) => {
                    let to = split(&o);
                    match self.written.get(&key) {
                        Some(from) if *from == to => continue,
                        Some(from) => Plan::Update {
                            from: from.clone(),
                            to,
                        },
                        None => Plan::Create(to),
                    }
                }
            };
            by_kind.entry(rank).or_default().push((key, plan));
        }
        for (_, group) in by_kind {
            let client = &self.client;
            let results: Vec<(ObjectKey, Outcome)> = futures::stream::iter(group)
                .map(|(key, plan)| async move {
                    let out = match plan {
                        Plan::Create(to) => create(client, &key, to).await,
                        Plan::Update { from, to } => update(client, &key, from, to).await,
                        Plan::Delete => delete(client, &key).await,
                    };
                    (key, out)
                })
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            for (key, out) in results {
                match out {
                    Outcome::Created(w, stamp) => {
                        tally.created += 1;
                        self.remember(&key, stamp);
                        self.written.insert(key, w);
                    }
                    Outcome::Updated(w, stamp) => {
                        tally.updated += 1;
                        self.remember(&key, stamp);
                        self.written.insert(key, w);
                    }
                    Outcome::Unchanged => {}
                    Outcome::Deleted => tally.deleted += 1,
                    Outcome::Failed(m) => tally.failed.push(m),
                }
            }
        }
        tally
    }

    fn report(&self, what: &str, tally: &Tally) {
        if tally.is_empty() {
            return;
        }
        say(&format!("{what}: {}", tally.summary()));
        for f in tally.failed.iter().take(FAILURES_SHOWN) {
            say(&format!("  failed: {f}"));
        }
        if tally.failed.len() > FAILURES_SHOWN {
            say(&format!(
                "  … and {} more failures",
                tally.failed.len() - FAILURES_SHOWN
            ));
        }
    }

    /// Prints each operation's phase when it changes.
    fn phase_lines(&mut self, objects: &[&Object]) {
        for o in objects {
            let Object::Operation(op) = o else { continue };
            let key = o.key();
            let phase = op.phase().as_str().to_string();
            let phase = if phase.is_empty() {
                "(no phase)".to_string()
            } else {
                phase
            };
            if self.phases.get(&key) != Some(&phase) {
                say(&format!(
                    "{} {}/{}: {phase}",
                    key.kind, key.namespace, key.name
                ));
                self.phases.insert(key, phase);
            }
        }
    }

    /// Seeds the API server with every object of the demo cluster.
    async fn seed(&mut self) -> Tally {
        let t0 = Instant::now();
        let objects = self.cluster.objects();
        say(&format!(
            "seeding {} objects of the demo cluster",
            objects.len()
        ));
        self.phase_lines(&objects.iter().collect::<Vec<_>>());
        let changes = objects.into_iter().map(|o| (o.key(), Some(o))).collect();
        let tally = self.write(changes).await;
        self.report(
            &format!("seeded in {:.1} s", t0.elapsed().as_secs_f64()),
            &tally,
        );
        tally
    }

    /// Remembers what the server answered to the controller's writes of `key`: their versions,
    /// and (for a workload) the generation its `observedGeneration` must reach.
    fn remember(&mut self, key: &ObjectKey, stamp: Stamp) {
        let q = self.ours.entry(key.clone()).or_default();
        for v in stamp.versions {
            q.push_back(v);
            while q.len() > VERSIONS_KEPT {
                q.pop_front();
            }
        }
        if key.kind == Kind::AdvancedStatefulSet
            && let Some(g) = stamp.generation
        {
            self.cluster.adopt_generation(key, g);
        }
    }

    /// Whether a watched state is one the controller wrote itself.
    fn is_ours(&self, obj: &Object) -> bool {
        let key = obj.key();
        obj.meta()
            .resource_version
            .as_ref()
            .is_some_and(|rv| self.ours.get(&key).is_some_and(|q| q.contains(rv)))
    }

    /// Feeds what others changed through the API into the demo cluster.
    fn mirror(&mut self, seen: Seen) {
        match seen {
            Seen::Applied { obj, initial } => {
                let obj = *obj;
                let key = obj.key();
                if self.deleted.contains(&key) || self.is_ours(&obj) {
                    return;
                }
                match key.kind {
                    Kind::Operation(_) => self.take_over(obj),
                    // A relist repeats states from before this run: only changes count.
                    Kind::CacheRuntime | Kind::AdvancedStatefulSet if !initial => {
                        self.mirror_spec(obj)
                    }
                    Kind::Pod if !initial => self.mirror_pod_delete(obj),
                    _ => {}
                }
            }
            Seen::Deleted(key) => {
                if self.deleted.remove(&key) {
                    return;
                }
                if self.cluster.get(&key).is_some() {
                    self.written.remove(&key);
                    // Gone from the server already: a pod goes at once in the demo too.
                    let r = if key.kind == Kind::Pod {
                        self.cluster.force_delete(&key)
                    } else {
                        self.cluster.delete(&key)
                    };
                    match r {
                        Ok(()) => say(&format!("{key} deleted through the API")),
                        Err(e) => say(&format!("cannot delete {key} in the demo: {e}")),
                    }
                }
            }
        }
    }

    /// An operation created by someone else in a namespace the demo seeded: the demo drives it
    /// from now on (other namespaces belong to whoever runs there, e.g. another controller).
    fn take_over(&mut self, obj: Object) {
        let key = obj.key();
        if self.cluster.get(&key).is_some() || !self.namespaces.contains(&key.namespace) {
            return;
        }
        let w = split(&obj);
        match self.cluster.create(obj) {
            Ok(()) => {
                say(&format!(
                    "{} {}/{} created through the API: the demo drives it now",
                    key.kind, key.namespace, key.name
                ));
                self.written.insert(key, w);
            }
            Err(e) => say(&format!("cannot take over {key}: {e}")),
        }
    }

    /// Someone changed the spec, labels or annotations of an object the demo manages: the demo
    /// takes the change over (its controllers act on it) and does not write it back.
    fn mirror_spec(&mut self, seen: Object) {
        let key = seen.key();
        let Some(current) = self.cluster.get(&key).cloned() else {
            return;
        };
        let theirs = seen.to_value();
        let mut next = current.to_value();
        let (a, b) = (managed_part(&next), managed_part(&theirs));
        let Some(change) = merge_diff(&a, &b) else {
            return;
        };
        match theirs.get("spec") {
            Some(spec) => next["spec"] = spec.clone(),
            None => {
                if let Some(m) = next.as_object_mut() {
                    m.remove("spec");
                }
            }
        }
        for field in ["labels", "annotations"] {
            let value = theirs.pointer(&format!("/metadata/{field}")).cloned();
            if let Some(meta) = next.get_mut("metadata").and_then(Value::as_object_mut) {
                match value {
                    Some(v) => meta.insert(field.into(), v),
                    None => meta.remove(field),
                };
            }
        }
        let applied = Object::from_value(next)
            .map_err(|e| e.to_string())
            .and_then(|o| o.ok_or_else(|| "unknown kind".to_string()))
            .and_then(|o| self.cluster.apply(o).map_err(|e| e.to_string()));
        if let Err(e) = applied {
            say(&format!("cannot take over the change of {key}: {e}"));
            return;
        }
        if key.kind == Kind::AdvancedStatefulSet
            && let Some(g) = seen.meta().generation
        {
            self.cluster.adopt_generation(&key, g);
        }
        // The server has it already: what was written is now the demo's new state.
        if let (Some(obj), Some(w)) = (self.cluster.get(&key), self.written.get_mut(&key)) {
            w.main = split(obj).main;
        }
        say(&format!(
            "{} {}/{} changed through the API: {}",
            key.kind,
            key.namespace,
            key.name,
            brief(&change)
        ));
    }

    /// A pod deleted gracefully through the API (Terminating on the server): deleted in the
    /// demo too, which completes it (or not, on a lost node).
    fn mirror_pod_delete(&mut self, seen: Object) {
        let key = seen.key();
        if seen.meta().deletion_timestamp.is_none() {
            return;
        }
        let demo_terminating = self
            .cluster
            .get(&key)
            .map(|o| o.meta().deletion_timestamp.is_some());
        if demo_terminating != Some(false) {
            return;
        }
        match self.cluster.delete(&key) {
            Ok(()) => {
                if let Some(w) = self.written.get_mut(&key) {
                    w.terminating = true;
                }
                say(&format!("{key} deleted through the API"));
            }
            Err(e) => say(&format!("cannot delete {key} in the demo: {e}")),
        }
    }

    /// One step: mirror what others did, advance the demo by `dt` (times the speed) and write
    /// what changed.
    async fn step(&mut self, dt: Duration, seen: Vec<Seen>) {
        for s in seen {
            self.mirror(s);
        }
        // Per object, the states to write in order: the last one of the step, except that an
        // operation's phases each get written (Pending → Executing within one step included),
        // so watchers see every transition, and a deleted object created again is deleted first.
        let mut states: BTreeMap<ObjectKey, Vec<Option<Object>>> = BTreeMap::new();
        for ev in self.cluster.advance(dt.mul_f64(self.speed)) {
            let (key, state) = match ev {
                ClusterEvent::Applied(o) => (o.key(), Some(o)),
                ClusterEvent::Deleted(k) => (k, None),
                _ => continue,
            };
            let queue = states.entry(key).or_default();
            let new_phase = match (&state, queue.last()) {
                (Some(Object::Operation(new)), Some(Some(Object::Operation(old)))) => {
                    new.phase() != old.phase()
                }
                _ => false,
            };
            // A delete followed by a re-create (a pod replaced under the same name) stays two
            // writes: the server must see the old object go and a new one (new UID) come.
            let recreated = state.is_some() && matches!(queue.last(), Some(None));
            if new_phase || recreated || queue.is_empty() {
                queue.push(state);
            } else if let Some(last) = queue.last_mut() {
                *last = state;
            }
        }
        let rounds = states.values().map(Vec::len).max().unwrap_or(0);
        let mut tally = Tally::default();
        for round in 0..rounds {
            let changes: BTreeMap<ObjectKey, Option<Object>> = states
                .iter()
                .filter_map(|(k, q)| q.get(round).map(|s| (k.clone(), s.clone())))
                .collect();
            let present: Vec<&Object> = changes.values().flatten().collect();
            self.phase_lines(&present);
            let t = self.write(changes).await;
            tally.created += t.created;
            tally.updated += t.updated;
            tally.deleted += t.deleted;
            tally.failed.extend(t.failed);
        }
        self.report("step", &tally);
    }

    /// Seeds, then steps until Ctrl-C or SIGTERM.
    pub async fn run(mut self) -> Result<(), String> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let watchers: Vec<_> = watched_kinds()
            .into_iter()
            .map(|kind| tokio::spawn(watch_kind(self.client.clone(), kind, tx.clone())))
            .collect();
        drop(tx);
        self.seed().await;
        say("running; Ctrl-C stops");
        #[cfg(unix)]
        let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| e.to_string())?;
        let mut interval = tokio::time::interval(STEP);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await;
        let mut last = Instant::now();
        loop {
            #[cfg(unix)]
            let stop = tokio::select! {
                _ = interval.tick() => false,
                _ = tokio::signal::ctrl_c() => true,
                _ = sigterm.recv() => true,
            };
            #[cfg(not(unix))]
            let stop = tokio::select! {
                _ = interval.tick() => false,
                _ = tokio::signal::ctrl_c() => true,
            };
            if stop {
                break;
            }
            let mut seen = Vec::new();
            while let Ok(s) = rx.try_recv() {
                seen.push(s);
            }
            let dt = last.elapsed();
            last = Instant::now();
            self.step(dt, seen).await;
        }
        for w in watchers {
            w.abort();
        }
        say("stopped");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_diff_patches_only_what_changed() {
        let old = json!({"a": {"b": 1, "c": 2}, "d": [1], "e": "x"});
        let new = json!({"a": {"b": 1, "c": 3}, "d": [1], "f": true});
        let p = merge_diff(&old, &new).unwrap();
        assert_eq!(p, json!({"a": {"c": 3}, "e": null, "f": true}));
        let mut applied = old.clone();
        crate::cluster::writer::merge_patch(&mut applied, &p);
        assert_eq!(applied, new);
        assert_eq!(merge_diff(&new, &new), None);
    }

    #[test]
    fn split_drops_server_fields_and_separates_status() {
        let now = jiff::Timestamp::now();
        let cluster = DemoCluster::builtin(7, now);
        for o in cluster.objects() {
            let w = split(&o);
            let meta = &w.main["metadata"];
            assert!(meta.get("resourceVersion").is_none() && meta.get("uid").is_none());
            if has_status_subresource(o.kind()) {
                assert!(w.main.get("status").is_none(), "{}", o.key());
            }
            assert!(w.main.get("kind").is_some(), "{}", o.key());
        }
    }
}
