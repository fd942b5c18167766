//! The kube-rs source: one watcher per kind (list once, then watch; never poll), merged into
//! batches of [`ClusterEvent`]s sent as [`SourceMsg::Batch`] — the same messages the demo cluster
//! sends, so everything downstream works the same on either.
//!
//! - Objects are decoded straight into their own types (see [`Watched`]), pods reduced to what
//!   the store keeps as they arrive. A document that does not fit our types fails the typed
//!   decode of its kind; that kind is then listed again as `DynamicObject`s converted one by one
//!   with [`Object::from_value`], where such a document is skipped (and logged), never fatal.
//! - `managedFields` and the last-applied annotation are dropped on the way in.
//! - The watcher relists by itself on 410 Gone. After a transport error the kind waits until the
//!   reachability probe hears the API server again (at most [`PROBE_MAX`] after it is back) and
//!   then lists afresh, so what changed or went away meanwhile shows within seconds of the
//!   server's return; a backoff grown during a long outage never delays it. After an API error
//!   (404, 403, …) the kind is listed afresh after a pause (0.8 s doubling to 30 s), so a CRD
//!   installed later or an RBAC grant added later shows up — as a `Listed` — without a restart.
//! - "Connected" means every watch is live: each kind has finished its list (or has a definite
//!   answer such as "not installed") since its last transport error. While the server is back
//!   but some kind is still listing again, the state is `Resyncing`.
//! - Errors become state: 404 → `NotInstalled`, 403 → `Forbidden`, other API errors → `Failing`,
//!   transport errors → `Connection(Lost)`. A cluster-wide list that is forbidden falls back to
//!   the chosen namespace (a user with only a namespaced Role still sees that namespace).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::{AsyncBufReadExt, StreamExt, TryStreamExt};
use jiff::Timestamp;
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject, LogParams, TypeMeta};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event as WatchEvent};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::event::{Availability, ClusterEvent, ConnectionState, ListedKeys};
use super::kube_config::describe_error;
use super::source::{Clock, LogRequest, Source, SourceMsg};
use crate::model::pod::{CompactPod, SpecCache};
use crate::model::{
    AdvancedStatefulSet, CacheRuntime, CacheRuntimeClass, CacheRuntimeMaintenance, DataOperation,
    Dataset, Event, Kind, Node, Object, ObjectKey, Pod,
};

/// Objects per page of a list. The whole page is held twice while it decodes (its text and its
/// objects), and every kind lists at once at start-up: pages of 100 pods (about 650 KB of JSON)
/// instead of the usual 500 keep that peak a few megabytes lower, for a few hundred more
/// requests at start-up only. Views fill in page by page either way.
const LIST_PAGE: u32 = 100;

/// Longest time an event waits before it is sent on in a batch.
const BATCH_WINDOW: Duration = Duration::from_millis(50);
/// Pauses before a kind that answered with an API error (not installed, forbidden) is listed
/// again; doubling from the first to the second.
const RETRY_MIN: Duration = Duration::from_millis(800);
const RETRY_MAX: Duration = Duration::from_secs(30);
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Longest pause between two reachability probes while the connection is lost.
const PROBE_MAX: Duration = Duration::from_secs(2);
/// Longest wait of a kind that lost its connection when no probe answer wakes it first.
const RECONNECT_MAX: Duration = Duration::from_secs(30);

/// What watchers tell the batcher.
#[derive(Debug)]
enum Internal {
    Event(Box<ClusterEvent>),
    /// This kind starts a list that has to finish before its watch is live.
    Listing(Kind),
    /// This kind's view of the cluster is whole: its list ended, or a watch event came, or the
    /// API server gave a definite answer (not installed, forbidden, …).
    Live(Kind),
    /// This kind's watcher could not reach the API server.
    Transport(Kind, String),
    /// The reachability probe got an answer while the connection was lost.
    ProbeOk,
}

impl Internal {
    fn event(e: ClusterEvent) -> Internal {
        Internal::Event(Box::new(e))
    }
}

/// Options of the kube source.
#[derive(Debug, Clone, Default)]
pub struct KubeSourceOptions {
    /// Namespace to fall back to when listing a kind across all namespaces is forbidden (and
    /// the one watched when `only_namespace`).
    pub namespace: Option<String>,
    /// Watch namespaced kinds in `namespace` only (`-n`), not across all namespaces.
    pub only_namespace: bool,
    /// File that skipped documents and stream errors are appended to.
    pub log_file: Option<PathBuf>,
}

/// The running kube source. Dropping it stops every task it started.
pub struct KubeSource {
    client: Client,
    options: KubeSourceOptions,
    internal: mpsc::UnboundedSender<Internal>,
    watchers: Vec<JoinHandle<()>>,
    background: Vec<JoinHandle<()>>,
    logs: Option<(LogRequest, JoinHandle<()>)>,
    /// Set by a watcher that watches one namespace (by `only_namespace` or an RBAC fallback).
    scoped: Arc<AtomicBool>,
    /// When we stopped following a pod's log, so following it again does not repeat lines.
    log_stopped: HashMap<ObjectKey, (LogRequest, Instant)>,
    /// Bumped by the probe when the API server answers again after an outage.
    server_back: tokio::sync::watch::Receiver<u64>,
}

impl KubeSource {
    /// Starts the watchers, the batcher and the reachability probe. Must run inside a tokio
    /// runtime. Batches go to `tx`; the source stops when `tx`'s receiver is dropped or the
    /// source is dropped.
    pub fn spawn(
        client: Client,
        options: KubeSourceOptions,
        tx: mpsc::UnboundedSender<SourceMsg>,
    ) -> KubeSource {
        let (internal, rx) = mpsc::unbounded_channel();
        let (lost_tx, lost_rx) = tokio::sync::watch::channel(false);
        let (back_tx, server_back) = tokio::sync::watch::channel(0u64);
        let batcher = tokio::spawn(batcher(rx, tx, lost_tx));
        let probe = tokio::spawn(probe(client.clone(), lost_rx, back_tx, internal.clone()));
        let mut source = KubeSource {
            client,
            options,
            internal,
            watchers: Vec::new(),
            background: vec![batcher, probe],
            logs: None,
            scoped: Arc::new(AtomicBool::new(false)),
            log_stopped: HashMap::new(),
            server_back,
        };
        source.start_watchers();
        source
    }

    fn start_watchers(&mut self) {
        self.scoped.store(false, Ordering::SeqCst);
        for kind in Kind::ALL {
            let w = KindWatcher {
                client: self.client.clone(),
                kind,
                fallback_namespace: self.options.namespace.clone(),
                only_namespace: self.options.only_namespace,
                scoped: self.scoped.clone(),
                tx: self.internal.clone(),
                log_file: self.options.log_file.clone(),
                server_back: self.server_back.clone(),
            };
            self.watchers.push(tokio::spawn(w.run()));
        }
    }

    /// Lists every kind again: the watchers restart from a fresh list.
    pub fn relist(&mut self) {
        for w in self.watchers.drain(..) {
            w.abort();
        }
        self.start_watchers();
    }

    /// Whether some watcher watches a single namespace (`-n`, or a forbidden cluster-wide list
    /// that fell back to the namespace).
    pub fn scoped(&self) -> bool {
        self.scoped.load(Ordering::SeqCst)
    }

    /// The operator switched the namespace (`None`: all). Watchers that watch a single namespace
    /// are restarted for the new one (their relist replaces what the store holds); when every
    /// watcher watches the whole cluster nothing needs to change. Returns whether it restarted.
    pub fn set_namespace(&mut self, namespace: Option<String>) -> bool {
        let scoped = self.scoped();
        match namespace {
            Some(ns) => {
                if self.options.namespace.as_deref() == Some(ns.as_str()) {
                    return false;
                }
                self.options.namespace = Some(ns);
            }
            // All namespaces: watch the whole cluster again (a forbidden list still falls back
            // to the last namespace chosen).
            None => {
                if !self.options.only_namespace {
                    return false;
                }
                self.options.only_namespace = false;
            }
        }
        if scoped {
            self.relist();
        }
        scoped
    }

    /// Answers the log `req` asks for as `LogLine` events (streamed while it follows),
    /// stopping the stream answered before. Asking for the log already streaming does nothing;
    /// coming back to the log last answered for that pod fetches only what was written since
    /// (the store still holds the rest); any other log of the pod starts with `LogReset`.
    pub fn follow_logs(&mut self, req: LogRequest) {
        if let Some((cur, task)) = &self.logs
            && *cur == req
            && !task.is_finished()
        {
            return;
        }
        if let Some((cur, task)) = self.logs.take() {
            task.abort();
            self.log_stopped
                .insert(cur.pod.clone(), (cur, Instant::now()));
        }
        let resume = match self.log_stopped.get(&req.pod) {
            Some((last, at)) if *last == req && req.follows() => {
                Some(at.elapsed().as_secs() as i64 + 1)
            }
            _ => None,
        };
        let task = tokio::spawn(stream_log(
            self.client.clone(),
            req.clone(),
            resume,
            self.internal.clone(),
        ));
        self.logs = Some((req, task));
    }
}

impl Source for KubeSource {
    fn clock(&self) -> Clock {
        Clock::Wall
    }
    fn relist(&mut self) {
        KubeSource::relist(self);
    }
    fn follow_logs(&mut self, request: LogRequest) {
        KubeSource::follow_logs(self, request);
    }
    fn set_namespace(&mut self, namespace: Option<String>) {
        KubeSource::set_namespace(self, namespace);
    }
}

impl Drop for KubeSource {
    fn drop(&mut self) {
        for t in self.watchers.drain(..).chain(self.background.drain(..)) {
            t.abort();
        }
        if let Some((_, t)) = self.logs.take() {
            t.abort();
        }
    }
}

/// The API resource a kind is served as.
pub fn api_resource(kind: Kind) -> ApiResource {
    match kind {
        Kind::CacheRuntimeClass => ApiResource::erase::<CacheRuntimeClass>(&()),
        Kind::Dataset => ApiResource::erase::<Dataset>(&()),
        Kind::CacheRuntime => ApiResource::erase::<CacheRuntime>(&()),
        Kind::AdvancedStatefulSet => ApiResource::erase::<AdvancedStatefulSet>(&()),
        Kind::Pod => ApiResource::erase::<Pod>(&()),
        Kind::Operation(op) => ApiResource::erase::<DataOperation>(&op),
        Kind::CacheRuntimeMaintenance => ApiResource::erase::<CacheRuntimeMaintenance>(&()),
        Kind::Event => ApiResource::erase::<Event>(&()),
        Kind::Node => ApiResource::erase::<Node>(&()),
    }
}

/// Drops what the console never shows and what only bloats memory.
fn strip_meta(meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) {
    meta.managed_fields = None;
    if let Some(a) = meta.annotations.as_mut() {
        a.remove(LAST_APPLIED);
    }
}

/// Converts a watched document into our typed object. List items of built-in kinds carry no
/// apiVersion/kind, so both are set from the kind being watched.
pub fn to_object(kind: Kind, mut obj: DynamicObject) -> Result<Object, String> {
    let ar = api_resource(kind);
    obj.types = Some(TypeMeta {
        api_version: ar.api_version,
        kind: ar.kind,
    });
    let value = serde_json::to_value(&obj).map_err(|e| e.to_string())?;
    match Object::from_value(value) {
        Ok(Some(o)) if o.kind() == kind => Ok(o),
        Ok(Some(o)) => Err(format!("decoded as {} instead of {kind}", o.kind())),
        Ok(None) => Err("not a kind the console knows".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn key_of(
    kind: Kind,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> ObjectKey {
    let ns = if kind.namespaced() {
        meta.namespace.clone().unwrap_or_default()
    } else {
        String::new()
    };
    ObjectKey::new(kind, ns, meta.name.clone().unwrap_or_default())
}

/// How a watcher error is shown.
#[derive(Debug, PartialEq)]
enum ErrorClass {
    /// 410 Gone: the watcher relists by itself; nothing to show.
    Gone,
    NotInstalled,
    Forbidden(String),
    Failing(String),
    Transport(String),
}

fn classify(e: &watcher::Error) -> ErrorClass {
    let client_err = match e {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => e,
        watcher::Error::WatchError(s) => return classify_status(s.code, &s.reason, &s.message),
        watcher::Error::NoResourceVersion => return ErrorClass::Failing(e.to_string()),
    };
    match client_err {
        kube::Error::Api(s) => classify_status(s.code, &s.reason, &s.message),
        other => ErrorClass::Transport(describe_error(other)),
    }
}

fn classify_status(code: u16, reason: &str, message: &str) -> ErrorClass {
    match code {
        410 => ErrorClass::Gone,
        404 => ErrorClass::NotInstalled,
        403 => ErrorClass::Forbidden(message.to_string()),
        _ => {
            let mut m = format!("HTTP {code}");
            if !reason.is_empty() {
                m.push_str(&format!(" {reason}"));
            }
            if !message.is_empty() {
                m.push_str(&format!(": {message}"));
            }
            ErrorClass::Failing(m)
        }
    }
}

fn append_log(file: &Option<PathBuf>, line: &str) {
    let Some(path) = file else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{} kube: {line}", Timestamp::now());
    }
}

struct KindWatcher {
    client: Client,
    kind: Kind,
    fallback_namespace: Option<String>,
    only_namespace: bool,
    scoped: Arc<AtomicBool>,
    tx: mpsc::UnboundedSender<Internal>,
    log_file: Option<PathBuf>,
    /// Counts the probe's answers after an outage: a change wakes a kind waiting to reconnect.
    server_back: tokio::sync::watch::Receiver<u64>,
}

impl KindWatcher {
    fn send(&self, m: Internal) -> bool {
        self.tx.send(m).is_ok()
    }

    async fn run(self) {
        let mut state = WatchState {
            namespace: if self.only_namespace && self.kind.namespaced() {
                self.fallback_namespace.clone()
            } else {
                None
            },
            said: None,
            retry: RETRY_MIN,
            reconnect: RETRY_MIN,
            lenient: false,
        };
        let mut server_back = self.server_back.clone();
        let mut must_list = true;
        loop {
            if must_list {
                must_list = false;
                if !self.send(Internal::Listing(self.kind)) {
                    return;
                }
            }
            if state.namespace.is_some() {
                self.scoped.store(true, Ordering::SeqCst);
            }
            let outcome = if state.lenient {
                self.watch::<DynamicObject>(&api_resource(self.kind), &mut state)
                    .await
            } else {
                match self.kind {
                    Kind::CacheRuntimeClass => {
                        self.watch::<CacheRuntimeClass>(&(), &mut state).await
                    }
                    Kind::Dataset => self.watch::<Dataset>(&(), &mut state).await,
                    Kind::CacheRuntime => self.watch::<CacheRuntime>(&(), &mut state).await,
                    Kind::AdvancedStatefulSet => {
                        self.watch::<AdvancedStatefulSet>(&(), &mut state).await
                    }
                    Kind::Pod => self.watch::<WatchedPod>(&(), &mut state).await,
                    Kind::Operation(op) => self.watch::<WatchedOp>(&op, &mut state).await,
                    Kind::CacheRuntimeMaintenance => {
                        self.watch::<CacheRuntimeMaintenance>(&(), &mut state).await
                    }
                    Kind::Event => self.watch::<Event>(&(), &mut state).await,
                    Kind::Node => self.watch::<Node>(&(), &mut state).await,
                }
            };
            match outcome {
                Outcome::Stop => return,
                Outcome::Restart => {
                    tokio::time::sleep(state.retry).await;
                    state.retry = (state.retry * 2).min(RETRY_MAX);
                }
                Outcome::Reconnect(msg) => {
                    // Marked before saying so: an answer of the probe from now on wakes us.
                    server_back.borrow_and_update();
                    if !self.send(Internal::Transport(self.kind, msg)) {
                        return;
                    }
                    let _ = tokio::time::timeout(state.reconnect, server_back.changed()).await;
                    state.reconnect = (state.reconnect * 2).min(RECONNECT_MAX);
                    must_list = true;
                }
                Outcome::SwitchScope => {}
                Outcome::Undecodable(e) => {
                    append_log(
                        &self.log_file,
                        &format!("{}: {e}; listing again document by document", self.kind),
                    );
                    state.lenient = true;
                }
            }
        }
    }

    /// Lists and watches the kind decoded as `K` until the stream ends or has to start over.
    async fn watch<K: Watched>(&self, dt: &K::DynamicType, state: &mut WatchState) -> Outcome {
        let api = K::api(self.client.clone(), state.namespace.as_deref(), dt);
        let config = watcher::Config::default().page_size(LIST_PAGE);
        // No backoff stream: transport errors end this attempt (see `Outcome::Reconnect`).
        let stream = watcher::watcher(api, config).modify(|o: &mut K| strip_meta(o.meta_mut()));
        let mut stream = std::pin::pin!(stream);
        // (namespace, name) of every object of the list under way.
        let mut listed = ListedKeys::default();
        let mut specs = SpecCache::default();
        let mut said_live = false;
        while let Some(item) = stream.next().await {
            let ev = match item {
                Ok(ev) => ev,
                Err(e) => {
                    // A document that does not fit the typed decode: list again leniently,
                    // skipping (and logging) what does not fit instead of failing the kind.
                    if K::TYPED && undecodable(&e) {
                        return Outcome::Undecodable(e.to_string());
                    }
                    let class = classify(&e);
                    let availability = match class {
                        // The watcher lists again by itself.
                        ErrorClass::Gone => continue,
                        ErrorClass::Transport(msg) => return Outcome::Reconnect(msg),
                        ErrorClass::Forbidden(_)
                            if state.namespace.is_none()
                                && self.kind.namespaced()
                                && self.fallback_namespace.is_some() =>
                        {
                            state.namespace = self.fallback_namespace.clone();
                            return Outcome::SwitchScope;
                        }
                        ErrorClass::NotInstalled => Availability::NotInstalled,
                        ErrorClass::Forbidden(m) => Availability::Forbidden(m),
                        ErrorClass::Failing(m) => Availability::Failing(m),
                    };
                    if !self.send(Internal::Live(self.kind)) {
                        return Outcome::Stop;
                    }
                    if state.said.as_ref() != Some(&availability) {
                        append_log(&self.log_file, &format!("{}: {e}", self.kind));
                        state.said = Some(availability.clone());
                        let ev = ClusterEvent::Availability {
                            kind: self.kind,
                            availability,
                        };
                        if !self.send(Internal::event(ev)) {
                            return Outcome::Stop;
                        }
                    }
                    // Start over with a fresh list after a pause: a watch that resumes
                    // silently would never say that the kind became available.
                    return Outcome::Restart;
                }
            };
            // Live once the list has ended; any watch event after that says so again (the
            // batcher needs it only after a transport error, so once per attempt is enough).
            let live = match ev {
                WatchEvent::InitDone => true,
                WatchEvent::Apply(_) | WatchEvent::Delete(_) => !said_live,
                WatchEvent::Init | WatchEvent::InitApply(_) => false,
            };
            let out = match ev {
                WatchEvent::Init => {
                    listed = ListedKeys::default();
                    None
                }
                // Sent on as they come (the views fill in page by page); the end of the list
                // says which objects remain.
                WatchEvent::InitApply(o) => self.convert(o).map(|i| {
                    i.add_key(&mut listed);
                    i.shared(&mut specs).into_event()
                }),
                WatchEvent::InitDone => {
                    state.said = Some(Availability::Available);
                    state.retry = RETRY_MIN;
                    state.reconnect = RETRY_MIN;
                    Some(ClusterEvent::ListEnded {
                        kind: self.kind,
                        keys: listed.take(),
                    })
                }
                WatchEvent::Apply(o) => self.convert(o).map(|i| i.shared(&mut specs).into_event()),
                WatchEvent::Delete(o) => Some(ClusterEvent::Deleted(key_of(self.kind, o.meta()))),
            };
            if state
                .said
                .as_ref()
                .is_some_and(|a| *a != Availability::Available)
            {
                state.said = Some(Availability::Available);
                let ev = ClusterEvent::Availability {
                    kind: self.kind,
                    availability: Availability::Available,
                };
                if !self.send(Internal::event(ev)) {
                    return Outcome::Stop;
                }
            }
            if let Some(out) = out
                && !self.send(Internal::event(out))
            {
                return Outcome::Stop;
            }
            // After the event: the batch that makes the kind live also carries what made it so.
            if live {
                said_live = true;
                if !self.send(Internal::Live(self.kind)) {
                    return Outcome::Stop;
                }
            }
        }
        // The watcher stream never ends by itself; nothing more to do.
        Outcome::Stop
    }

    fn convert<K: Watched>(&self, o: K) -> Option<Item> {
        let key = key_of(self.kind, o.meta());
        match o.into_item(self.kind) {
            Ok(obj) => Some(obj),
            Err(e) => {
                append_log(&self.log_file, &format!("skipped {key}: {e}"));
                None
            }
        }
    }
}

/// What a watcher carries from one list-and-watch to the next.
struct WatchState {
    /// The namespace watched (`None`: all).
    namespace: Option<String>,
    /// What we last said about availability, so each change is sent once.
    said: Option<Availability>,
    /// Pause before listing again after an API error (404, 403, ...).
    retry: Duration,
    /// Longest wait after a transport error if no probe answer comes first.
    reconnect: Duration,
    /// Decode as `DynamicObject`s (one document at a time) after a typed decode failed.
    lenient: bool,
}

/// How one list-and-watch ended.
enum Outcome {
    /// The console is gone.
    Stop,
    /// An API error: list again after a pause.
    Restart,
    /// The API server could not be reached (what failed): list again once it answers.
    Reconnect(String),
    /// Listing across namespaces is forbidden: list the fallback namespace.
    SwitchScope,
    /// A document did not fit the typed decode.
    Undecodable(String),
}

/// Whether a watcher error is a document that could not be decoded.
fn undecodable(e: &watcher::Error) -> bool {
    matches!(
        e,
        watcher::Error::InitialListFailed(kube::Error::SerdeError(_))
            | watcher::Error::WatchFailed(kube::Error::SerdeError(_))
    )
}

/// A kind as the watchers decode it. The typed kinds are decoded straight from the API server's
/// JSON into their own type (no `DynamicObject`, no JSON round trip); `DynamicObject` is the
/// lenient fallback, converted document by document.
pub trait Watched:
    kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static
{
    /// Whether a decode error means a document of this type did not fit.
    const TYPED: bool = true;
    /// The API of the kind, in `namespace` (`None`: all).
    fn api(client: Client, namespace: Option<&str>, dt: &Self::DynamicType) -> Api<Self>;
    /// The object the store takes, for the watched `kind`.
    fn into_object(self, kind: Kind) -> Result<Object, String>;
    /// What the store takes: pods in their compact form.
    fn into_item(self, kind: Kind) -> Result<Item, String> {
        Ok(match self.into_object(kind)? {
            Object::Pod(p) => Item::Pod(CompactPod::from_pod(*p)),
            o => Item::Object(o),
        })
    }
}

/// A decoded document as the store takes it (moved straight into an event).
#[allow(clippy::large_enum_variant)]
pub enum Item {
    Object(Object),
    Pod(CompactPod),
}

impl Item {
    /// A pod's spec as the copy shared with the pods that have the same one (so that the store
    /// finds it by pointer and the duplicate is dropped here, off the console's thread).
    pub fn shared(self, specs: &mut SpecCache) -> Item {
        match self {
            Item::Pod(mut p) => {
                p.share_spec(specs);
                Item::Pod(p)
            }
            o => o,
        }
    }

    /// Namespace and name, as the store keys them.
    fn add_key(&self, keys: &mut ListedKeys) {
        match self {
            Item::Pod(p) => keys.push(p.namespace(), p.name()),
            Item::Object(o) => {
                let k = o.key();
                keys.push(&k.namespace, &k.name);
            }
        }
    }

    /// The event of an added or changed document.
    pub fn into_event(self) -> ClusterEvent {
        match self {
            Item::Object(o) => ClusterEvent::Applied(o),
            Item::Pod(p) => ClusterEvent::AppliedPod(Box::new(p)),
        }
    }
}

/// A pod as the pod watcher decodes it: straight into the compact form the store keeps (see
/// [`CompactPod`]'s `Deserialize`), with the metadata the watcher itself reads (name,
/// namespace, resourceVersion).
#[derive(Debug, Clone)]
pub struct WatchedPod {
    meta: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    pod: CompactPod,
}

impl<'de> serde::Deserialize<'de> for WatchedPod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<WatchedPod, D::Error> {
        let pod = CompactPod::deserialize(d)?;
        let meta = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            name: Some(pod.name().to_string()),
            namespace: Some(pod.namespace().to_string()),
            resource_version: pod.resource_version().map(str::to_string),
            ..Default::default()
        };
        Ok(WatchedPod { meta, pod })
    }
}

impl kube::Resource for WatchedPod {
    type DynamicType = ();
    type Scope = k8s_openapi::NamespaceResourceScope;
    fn kind(dt: &()) -> std::borrow::Cow<'_, str> {
        Pod::kind(dt)
    }
    fn group(dt: &()) -> std::borrow::Cow<'_, str> {
        Pod::group(dt)
    }
    fn version(dt: &()) -> std::borrow::Cow<'_, str> {
        Pod::version(dt)
    }
    fn plural(dt: &()) -> std::borrow::Cow<'_, str> {
        Pod::plural(dt)
    }
    fn meta(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        &mut self.meta
    }
}

impl Watched for WatchedPod {
    fn api(client: Client, namespace: Option<&str>, _: &()) -> Api<Self> {
        match namespace {
            Some(ns) => Api::namespaced(client, ns),
            None => Api::all(client),
        }
    }
    fn into_object(self, _: Kind) -> Result<Object, String> {
        Ok(Object::Pod(Box::new(self.pod.to_pod())))
    }
    fn into_item(self, _: Kind) -> Result<Item, String> {
        Ok(Item::Pod(self.pod))
    }
}

impl Watched for DynamicObject {
    const TYPED: bool = false;
    fn api(client: Client, namespace: Option<&str>, dt: &ApiResource) -> Api<Self> {
        match namespace {
            Some(ns) => Api::namespaced_with(client, ns, dt),
            None => Api::all_with(client, dt),
        }
    }
    fn into_object(self, kind: Kind) -> Result<Object, String> {
        to_object(kind, self)
    }
}

macro_rules! watched {
    ($ty:ty, $variant:ident) => {
        impl Watched for $ty {
            fn api(client: Client, namespace: Option<&str>, _: &()) -> Api<Self> {
                match namespace {
                    Some(ns) => Api::namespaced(client, ns),
                    None => Api::all(client),
                }
            }
            fn into_object(self, _: Kind) -> Result<Object, String> {
                Ok(self.into())
            }
        }
    };
}

impl Watched for CacheRuntimeClass {
    fn api(client: Client, _: Option<&str>, _: &()) -> Api<Self> {
        Api::all(client)
    }
    fn into_object(self, _: Kind) -> Result<Object, String> {
        Ok(Object::Class(Box::new(self)))
    }
}
watched!(Dataset, Dataset);
watched!(CacheRuntime, Runtime);
watched!(AdvancedStatefulSet, Workload);
watched!(CacheRuntimeMaintenance, Maintenance);
watched!(Event, Event);

impl Watched for Node {
    fn api(client: Client, _: Option<&str>, _: &()) -> Api<Self> {
        Api::all(client)
    }
    fn into_object(mut self, _: Kind) -> Result<Object, String> {
        // The images a node holds are long lists the console never shows.
        if let Some(s) = self.status.as_mut() {
            s.images = None;
        }
        Ok(self.into())
    }
}

/// A DataOperation of one of the four kinds (which one is the API's dynamic type).
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct WatchedOp(DataOperation);

impl kube::Resource for WatchedOp {
    type DynamicType = crate::model::OpKind;
    type Scope = kube::core::DynamicResourceScope;
    fn kind(dt: &Self::DynamicType) -> std::borrow::Cow<'_, str> {
        DataOperation::kind(dt)
    }
    fn group(dt: &Self::DynamicType) -> std::borrow::Cow<'_, str> {
        DataOperation::group(dt)
    }
    fn version(dt: &Self::DynamicType) -> std::borrow::Cow<'_, str> {
        DataOperation::version(dt)
    }
    fn plural(dt: &Self::DynamicType) -> std::borrow::Cow<'_, str> {
        DataOperation::plural(dt)
    }
    fn meta(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        self.0.meta()
    }
    fn meta_mut(&mut self) -> &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        self.0.meta_mut()
    }
}

impl Watched for WatchedOp {
    fn api(client: Client, namespace: Option<&str>, dt: &crate::model::OpKind) -> Api<Self> {
        match namespace {
            Some(ns) => Api::namespaced_with(client, ns, dt),
            None => Api::all_with(client, dt),
        }
    }
    fn into_object(self, kind: Kind) -> Result<Object, String> {
        let mut op = self.0;
        // List items may come without their kind; the watched kind is the operation's.
        if let Kind::Operation(k) = kind
            && crate::model::OpKind::parse(&op.kind) != Some(k)
        {
            op.kind = k.as_str().to_string();
        }
        Ok(Object::from(op))
    }
}

/// What the kube source makes of one line of a watch stream of `kind` (decoded as that kind's
/// type, reduced as the store keeps it): the event sent on, `None` for a bookmark or a document
/// that does not fit.
/// Pod specs are shared through `specs` (the watcher's own).
pub fn decode_watch_line(kind: Kind, line: &[u8], specs: &mut SpecCache) -> Option<ClusterEvent> {
    fn decode<K: Watched>(kind: Kind, line: &[u8], specs: &mut SpecCache) -> Option<ClusterEvent> {
        let ev: kube::core::WatchEvent<K> = serde_json::from_slice(line).ok()?;
        match ev {
            kube::core::WatchEvent::Added(mut o) | kube::core::WatchEvent::Modified(mut o) => {
                strip_meta(o.meta_mut());
                Some(o.into_item(kind).ok()?.shared(specs).into_event())
            }
            kube::core::WatchEvent::Deleted(o) => {
                Some(ClusterEvent::Deleted(key_of(kind, o.meta())))
            }
            _ => None,
        }
    }
    match kind {
        Kind::CacheRuntimeClass => decode::<CacheRuntimeClass>(kind, line, specs),
        Kind::Dataset => decode::<Dataset>(kind, line, specs),
        Kind::CacheRuntime => decode::<CacheRuntime>(kind, line, specs),
        Kind::AdvancedStatefulSet => decode::<AdvancedStatefulSet>(kind, line, specs),
        Kind::Pod => decode::<WatchedPod>(kind, line, specs),
        Kind::Operation(_) => decode::<WatchedOp>(kind, line, specs),
        Kind::CacheRuntimeMaintenance => decode::<CacheRuntimeMaintenance>(kind, line, specs),
        Kind::Event => decode::<Event>(kind, line, specs),
        Kind::Node => decode::<Node>(kind, line, specs),
    }
}

/// Collects what the watchers say into batches (at most [`BATCH_WINDOW`] old) and keeps track
/// of the connection as a whole (see [`Liveness`]).
async fn batcher(
    mut rx: mpsc::UnboundedReceiver<Internal>,
    tx: mpsc::UnboundedSender<SourceMsg>,
    lost_flag: tokio::sync::watch::Sender<bool>,
) {
    let mut liveness = Liveness::default();
    let mut state = liveness.state();
    let first = SourceMsg::Batch {
        at: Timestamp::now(),
        events: vec![ClusterEvent::Connection(state.clone())],
    };
    if tx.send(first).is_err() {
        return;
    }
    while let Some(first) = rx.recv().await {
        let mut pending = vec![first];
        let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
        loop {
            tokio::select! {
                m = rx.recv() => match m {
                    Some(m) => pending.push(m),
                    None => break,
                },
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        let mut events = Vec::new();
        for m in pending {
            match m {
                Internal::Event(e) => events.push(*e),
                other => liveness.note(other),
            }
        }
        let next = liveness.state();
        if next != state {
            let _ = lost_flag.send(matches!(next, ConnectionState::Lost(_)));
            events.push(ClusterEvent::Connection(next.clone()));
            state = next;
        }
        if !events.is_empty()
            && tx
                .send(SourceMsg::Batch {
                    at: Timestamp::now(),
                    events,
                })
                .is_err()
        {
            return;
        }
    }
}

/// Which kinds are live, and so what the header may say about the connection.
#[derive(Debug, Default)]
struct Liveness {
    /// Kinds whose list has not ended since they started or lost their connection.
    listing: std::collections::BTreeSet<Kind>,
    /// Kinds whose last request failed for lack of a connection, with what failed.
    unreachable: BTreeMap<Kind, String>,
    /// The probe heard the API server since the last transport error.
    server_back: bool,
    /// Every kind was live at some point (what follows an outage is resyncing, not connecting).
    was_connected: bool,
}

impl Liveness {
    fn note(&mut self, m: Internal) {
        match m {
            Internal::Event(_) => {}
            Internal::Listing(kind) => {
                self.listing.insert(kind);
            }
            Internal::Live(kind) => {
                self.listing.remove(&kind);
                self.unreachable.remove(&kind);
            }
            Internal::Transport(kind, msg) => {
                self.listing.insert(kind);
                self.unreachable.insert(kind, msg);
                self.server_back = false;
            }
            Internal::ProbeOk => self.server_back = true,
        }
    }

    fn state(&mut self) -> ConnectionState {
        if let Some(msg) = self.unreachable.values().next()
            && !self.server_back
        {
            return ConnectionState::Lost(msg.clone());
        }
        if self.listing.is_empty() && self.unreachable.is_empty() {
            self.was_connected = true;
            return ConnectionState::Connected;
        }
        if self.was_connected {
            ConnectionState::Resyncing
        } else {
            ConnectionState::Connecting
        }
    }
}

/// While the connection is lost, asks the API server for its version (backing off from 1 s to
/// [`PROBE_MAX`]) until it answers, then bumps `server_back` so every kind waiting to reconnect
/// lists again at once. A watch gives no sign of life until something changes; this is how the
/// console learns that the server is back. Not a poll of objects.
async fn probe(
    client: Client,
    mut lost: tokio::sync::watch::Receiver<bool>,
    server_back: tokio::sync::watch::Sender<u64>,
    tx: mpsc::UnboundedSender<Internal>,
) {
    loop {
        if lost.wait_for(|l| *l).await.is_err() {
            return;
        }
        let mut delay = Duration::from_secs(1);
        loop {
            tokio::time::sleep(delay).await;
            if !*lost.borrow() {
                break;
            }
            if let Ok(Ok(_)) =
                tokio::time::timeout(Duration::from_secs(5), client.apiserver_version()).await
            {
                if tx.send(Internal::ProbeOk).is_err() {
                    return;
                }
                server_back.send_modify(|n| *n += 1);
                // Wait for the batcher to clear the flag before probing again.
                let _ = tokio::time::timeout(Duration::from_secs(2), lost.wait_for(|l| !*l)).await;
                break;
            }
            delay = (delay * 2).min(PROBE_MAX);
        }
    }
}

/// What the API server is asked for `req` in `container`: `resume` (seconds) when coming
/// back to a log already held, so only what was written since comes.
pub fn log_params(req: &LogRequest, container: Option<String>, resume: Option<i64>) -> LogParams {
    LogParams {
        container,
        follow: req.follows(),
        previous: req.previous,
        tail_lines: req.tail_lines,
        since_seconds: resume.or(req.since_seconds),
        ..Default::default()
    }
}

/// Streams one pod's log into `LogLine` events (a previous instance's is read whole). A refused
/// request for a chosen container or a previous instance becomes `LogRefused` (the console says why and stays where it was); other
/// problems become a bracketed line in the log.
async fn stream_log(
    client: Client,
    req: LogRequest,
    resume: Option<i64>,
    tx: mpsc::UnboundedSender<Internal>,
) {
    let pod = req.pod.clone();
    let line = |l: String| {
        Internal::event(ClusterEvent::LogLine {
            pod: pod.clone(),
            line: l,
        })
    };
    let api: Api<Pod> = Api::namespaced(client, &pod.namespace);
    // The engine container is the first one; name it so multi-container pods work.
    let container = match &req.container {
        Some(c) => Some(c.clone()),
        None => match api.get(&pod.name).await {
            Ok(p) => p
                .spec
                .and_then(|s| s.containers.first().map(|c| c.name.clone())),
            Err(e) => {
                let _ = tx.send(line(format!(
                    "[fluidops] cannot read pod {}: {}",
                    pod.name,
                    describe_error(&e)
                )));
                return;
            }
        },
    };
    let params = log_params(&req, container, resume);
    let refused = |s: &kube::core::Status| {
        let message = if s.message.is_empty() {
            format!("HTTP {} {}", s.code, s.reason)
        } else {
            s.message.clone()
        };
        Internal::event(ClusterEvent::LogRefused {
            pod: pod.clone(),
            message,
        })
    };
    // A previous instance's log is complete: fetched whole, its status checked.
    if !req.follows() {
        match api.logs(&pod.name, &params).await {
            Ok(text) => {
                let _ = tx.send(Internal::event(ClusterEvent::LogReset { pod: pod.clone() }));
                for l in text.lines() {
                    if tx.send(line(l.to_string())).is_err() {
                        return;
                    }
                }
            }
            Err(kube::Error::Api(s)) => {
                let _ = tx.send(refused(&s));
            }
            Err(e) => {
                let _ = tx.send(line(format!(
                    "[fluidops] cannot read the log: {}",
                    describe_error(&e)
                )));
            }
        }
        return;
    }
    let reader = match api.log_stream(&pod.name, &params).await {
        Ok(r) => r,
        Err(kube::Error::Api(s)) if req.container.is_some() => {
            let _ = tx.send(refused(&s));
            return;
        }
        Err(e) => {
            let _ = tx.send(line(format!(
                "[fluidops] cannot stream the log: {}",
                describe_error(&e)
            )));
            return;
        }
    };
    if resume.is_none()
        && tx
            .send(Internal::event(ClusterEvent::LogReset { pod: pod.clone() }))
            .is_err()
    {
        return;
    }
    let mut lines = std::pin::pin!(reader.lines());
    loop {
        match lines.try_next().await {
            Ok(Some(l)) => {
                if tx.send(line(l)).is_err() {
                    return;
                }
            }
            // A previous instance's log is complete: its end is no news.
            Ok(None) => {
                if req.follows() {
                    let _ = tx.send(line("[fluidops] log stream ended".into()));
                }
                return;
            }
            Err(e) => {
                let _ = tx.send(line(format!("[fluidops] log stream failed: {e}")));
                return;
            }
        }
    }
}

/// Runs a source until every kind has been listed or found unavailable, or until `timeout`,
/// handing each batch to `sink`. Returns the kinds still missing (empty when complete). Used by
/// `fluidops snapshot` against a real cluster.
pub async fn initial_lists(
    client: Client,
    options: KubeSourceOptions,
    timeout: Duration,
    mut sink: impl FnMut(Timestamp, Vec<ClusterEvent>),
) -> Vec<Kind> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _source = KubeSource::spawn(client, options, tx);
    let mut missing: std::collections::BTreeSet<Kind> = Kind::ALL.into_iter().collect();
    let deadline = tokio::time::Instant::now() + timeout;
    while !missing.is_empty() {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(SourceMsg::Batch { at, events })) => {
                for e in &events {
                    match e {
                        ClusterEvent::Listed { kind, .. } => {
                            missing.remove(kind);
                        }
                        ClusterEvent::ListedPods(_) => {
                            missing.remove(&Kind::Pod);
                        }
                        ClusterEvent::ListEnded { kind, .. } => {
                            missing.remove(kind);
                        }
                        ClusterEvent::Availability { kind, availability }
                            if *availability != Availability::Available =>
                        {
                            missing.remove(kind);
                        }
                        _ => {}
                    }
                }
                sink(at, events);
            }
            // Captions and operator steps come from demo scenarios only.
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    missing.into_iter().collect()
}

/// The resource's plural name, for messages.
pub fn plural(kind: Kind) -> String {
    api_resource(kind).plural
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_params_carry_the_container_instance_and_amount() {
        let pod = ObjectKey::new(Kind::Pod, "ns", "w-0");
        let p = log_params(
            &LogRequest::current(pod.clone()),
            Some("worker".into()),
            None,
        );
        assert_eq!(p.container.as_deref(), Some("worker"));
        assert!(p.follow && !p.previous);
        assert_eq!(p.tail_lines, Some(500));
        assert_eq!(p.since_seconds, None);

        let req = LogRequest {
            container: Some("sidecar".into()),
            previous: true,
            tail_lines: Some(100),
            since_seconds: Some(600),
            ..LogRequest::current(pod.clone())
        };
        let p = log_params(&req, req.container.clone(), None);
        assert_eq!(p.container.as_deref(), Some("sidecar"));
        assert!(p.previous, "kubectl logs -p");
        assert!(!p.follow, "a previous instance's log is complete");
        assert_eq!(p.tail_lines, Some(100));
        assert_eq!(p.since_seconds, Some(600));

        // Coming back to a log held: only what was written since it stopped.
        let all = LogRequest {
            tail_lines: None,
            ..LogRequest::current(pod)
        };
        let p = log_params(&all, None, Some(42));
        assert_eq!(p.since_seconds, Some(42));
        assert_eq!(p.tail_lines, None);
    }

    #[test]
    fn connected_only_once_every_kind_is_live_again_after_an_outage() {
        let mut l = Liveness::default();
        let (ds, pod) = (Kind::Dataset, Kind::Pod);
        for k in [ds, pod] {
            l.note(Internal::Listing(k));
        }
        assert_eq!(l.state(), ConnectionState::Connecting);
        l.note(Internal::Live(ds));
        assert_eq!(l.state(), ConnectionState::Connecting, "pods still listing");
        l.note(Internal::Live(pod));
        assert_eq!(l.state(), ConnectionState::Connected);

        // The server goes away: one kind notices first.
        l.note(Internal::Transport(ds, "connection refused".into()));
        assert_eq!(
            l.state(),
            ConnectionState::Lost("connection refused".into())
        );
        l.note(Internal::Transport(pod, "connection refused".into()));
        // The probe hears it again: not connected before both lists have ended.
        l.note(Internal::ProbeOk);
        assert_eq!(l.state(), ConnectionState::Resyncing);
        l.note(Internal::Listing(ds));
        l.note(Internal::Live(ds));
        assert_eq!(l.state(), ConnectionState::Resyncing, "pods not listed yet");
        // A kind that fails again after the probe answered: lost again, not resyncing.
        l.note(Internal::Transport(pod, "reset".into()));
        assert_eq!(l.state(), ConnectionState::Lost("reset".into()));
        l.note(Internal::ProbeOk);
        l.note(Internal::Live(pod));
        assert_eq!(l.state(), ConnectionState::Connected);
    }

    #[test]
    fn a_definite_api_answer_counts_as_live() {
        let mut l = Liveness::default();
        l.note(Internal::Listing(Kind::CacheRuntimeMaintenance));
        // "Not installed" is an answer: the kind's state is known.
        l.note(Internal::Live(Kind::CacheRuntimeMaintenance));
        assert_eq!(l.state(), ConnectionState::Connected);
    }

    #[test]
    fn every_kind_maps_to_its_resource() {
        let plurals: Vec<String> = Kind::ALL.iter().map(|k| plural(*k)).collect();
        assert_eq!(
            plurals,
            [
                "cacheruntimeclasses",
                "datasets",
                "cacheruntimes",
                "advancedstatefulsets",
                "pods",
                "dataloads",
                "dataprocesses",
                "datamigrates",
                "databackups",
                "cacheruntimemaintenances",
                "events",
                "nodes"
            ]
        );
    }

    #[test]
    fn lenient_conversion_and_skips() {
        // A list item without apiVersion/kind, with unknown fields and no status.
        let raw = serde_json::json!({
            "metadata": {"name": "p", "namespace": "ns", "managedFields": [{"manager": "x"}],
                         "annotations": {LAST_APPLIED: "{}", "keep": "1"}},
            "spec": {"containers": [{"name": "c", "image": "i"}], "someFutureField": 3}
        });
        let mut d: DynamicObject = serde_json::from_value(raw).unwrap();
        strip_meta(&mut d.metadata);
        assert!(d.metadata.managed_fields.is_none());
        let o = to_object(Kind::Pod, d).unwrap();
        assert_eq!(o.key(), ObjectKey::new(Kind::Pod, "ns", "p"));
        assert_eq!(o.meta().annotations.as_ref().unwrap().len(), 1);

        let op: DynamicObject = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "l", "namespace": "ns"}, "spec": {"dataset": {"name": "d"}}
        }))
        .unwrap();
        let o = to_object(Kind::Operation(crate::model::OpKind::DataLoad), op).unwrap();
        assert_eq!(o.kind(), Kind::Operation(crate::model::OpKind::DataLoad));

        // A document that cannot fit the type is an error, not a panic.
        let bad: DynamicObject = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "b", "namespace": "ns"}, "spec": {"containers": "not-a-list"}
        }))
        .unwrap();
        assert!(to_object(Kind::Pod, bad).is_err());
    }

    #[test]
    fn status_codes_classify() {
        assert_eq!(classify_status(410, "Expired", "too old"), ErrorClass::Gone);
        assert_eq!(
            classify_status(404, "NotFound", "x"),
            ErrorClass::NotInstalled
        );
        assert_eq!(
            classify_status(403, "Forbidden", "no"),
            ErrorClass::Forbidden("no".into())
        );
        assert_eq!(
            classify_status(500, "InternalError", "boom"),
            ErrorClass::Failing("HTTP 500 InternalError: boom".into())
        );
    }
}
