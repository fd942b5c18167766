//! End to end against a real kube-apiserver (tests/e2e/cluster.sh): the kube source's watchers,
//! the store and the rendered views, RBAC degradation, an API server restart and a cut
//! connection mid-watch, a CRD removed and re-installed, `fluidops snapshot` against the cluster,
//! and the writer (dry-run, conflicts, schema rejection, read-only checked in the audit log).
//! The upgrade and rebuild wizards run from the keyboard against `fluidops demo --against-cluster`
//! as Fluid's control plane (support/wizard_console.rs): to Succeeded with the record on the
//! API server, with the record on this machine when the CRD is missing, and taken over by a
//! second console mid-run.
//!
//! The tests start the harness themselves (`tests/e2e/cluster.sh up`, instant when it is already
//! up; state in `$FLUIDOPS_E2E_STATE`, default a directory of this test process, taken down when
//! the process exits unless `FLUIDOPS_E2E_KEEP=1`). If the harness cannot
//! be built or started the tests fail, loudly. `FLUIDOPS_E2E=0` skips them explicitly.
//! Each test works in its own namespace (namespaces never finish deleting here).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use fluidops::app::actions::{Action, ViewKind};
use fluidops::app::{App, Msg, Overlay};
use fluidops::cli::GlobalArgs;
use fluidops::cluster::kube_config;
use fluidops::cluster::kube_source::{KubeSource, KubeSourceOptions, api_resource};
use fluidops::cluster::source::SourceMsg;
use fluidops::cluster::{Availability, ConnectionState};
use fluidops::config::{Env, Keymap, Theme};
use fluidops::model::{Kind, ObjectKey, OpKind};
use fluidops::ui::Ctx;
use jiff::Timestamp;

use crate::support::pty_session;
use crate::support::wizard_console;
use kube::Client;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use pty_session::{PtySession, fresh_home};
use serde_json::json;
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard, mpsc};
use wizard_console::WizardConsole;

const WAIT: Duration = Duration::from_secs(30);

// ------------------------------------------------------------------ harness

pub(crate) struct Harness {
    /// Whether these tests brought the cluster up (then the last one to finish takes it down,
    /// unless FLUIDOPS_E2E_KEEP=1).
    started_here: bool,
    script: PathBuf,
    env: HashMap<String, String>,
    kubeconfig: PathBuf,
    restricted: PathBuf,
}

impl Harness {
    fn run(&self, args: &[&str]) {
        let t0 = Instant::now();
        let out = Command::new(&self.script)
            .args(args)
            .envs(&self.env)
            .output()
            .expect("run tests/e2e/cluster.sh");
        assert!(
            out.status.success(),
            "cluster.sh {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!(
            "cluster.sh {args:?} took {:.1} s",
            t0.elapsed().as_secs_f64()
        );
    }
}

/// Takes down, when the test process exits, a cluster these tests started (unless
/// FLUIDOPS_E2E_KEEP=1), so `cargo test` leaves no processes behind — with a test filter too.
extern "C" fn take_down_at_exit() {
    if let Some(h) = HARNESS.get()
        && h.started_here
        && std::env::var("FLUIDOPS_E2E_KEEP").map_or(true, |v| v != "1")
    {
        let _ = Command::new(&h.script).arg("down").envs(&h.env).output();
    }
}

impl Harness {
    fn kubectl(&self, args: &[&str]) {
        let out = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .envs(&self.env)
            .output()
            .expect("run kubectl");
        assert!(
            out.status.success(),
            "kubectl {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn crd_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/crds")
        .join(name)
}

fn skipped() -> bool {
    std::env::var("FLUIDOPS_E2E").is_ok_and(|v| v == "0")
}

static HARNESS: OnceLock<Harness> = OnceLock::new();

fn harness() -> &'static Harness {
    HARNESS.get_or_init(|| {
        let (script, state) = crate::support::e2e_script_and_state(
            "cluster.sh",
            "FLUIDOPS_E2E_STATE",
            "fluidops-e2e-tests",
        );
        let mut env: HashMap<String, String> = HashMap::new();
        env.insert("FLUIDOPS_E2E_STATE".into(), state);
        let was_up = Command::new(&script)
            .arg("status")
            .envs(&env)
            .output()
            .is_ok_and(|o| o.status.success());
        let t0 = Instant::now();
        let out = Command::new(&script)
            .arg("up")
            .envs(&env)
            .output()
            .expect("run tests/e2e/cluster.sh up");
        assert!(
            out.status.success(),
            "the e2e harness did not come up (tests/e2e/cluster.sh up); \
             set FLUIDOPS_E2E=0 to skip these tests on purpose.\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("cluster.sh up took {:.1} s", t0.elapsed().as_secs_f64());
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Some(rest) = line.strip_prefix("export ") else {
                continue;
            };
            let Some((k, v)) = rest.split_once('=') else {
                continue;
            };
            let v = v.trim_matches('\'').trim_matches('"');
            if k == "PATH" {
                // `dir:"$PATH"` — keep only the binaries' directory in front of ours.
                let dir = v
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim_matches('"')
                    .trim_matches('\'');
                let path = format!("{dir}:{}", std::env::var("PATH").unwrap_or_default());
                env.insert(k.into(), path);
            } else {
                env.insert(k.into(), v.into());
            }
        }
        let kubeconfig = PathBuf::from(env.get("KUBECONFIG").expect("KUBECONFIG exported"));
        let restricted = PathBuf::from(
            env.get("FLUIDOPS_E2E_RESTRICTED_KUBECONFIG")
                .expect("restricted kubeconfig exported"),
        );
        if !was_up {
            // SAFETY: registers a plain function with the C runtime; it runs once at exit.
            unsafe {
                libc::atexit(take_down_at_exit);
            }
        }
        Harness {
            started_here: !was_up,
            script,
            env,
            kubeconfig,
            restricted,
        }
    })
}

/// Tests share one API server; the one that stops it takes this lock exclusively.
static SERVER: RwLock<()> = RwLock::const_new(());

async fn shared() -> RwLockReadGuard<'static, ()> {
    SERVER.read().await
}

async fn exclusive() -> RwLockWriteGuard<'static, ()> {
    SERVER.write().await
}

pub(crate) fn unique_ns(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let t = Timestamp::now().as_millisecond() % 100_000_000;
    format!(
        "{prefix}-{t}-{}-{}",
        std::process::id() % 10_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The start of every test: the shared API server (unless e2e is switched off), a read lock on
/// it, and an admin client.
pub(crate) async fn begin() -> Option<(&'static Harness, RwLockReadGuard<'static, ()>, Client)> {
    if skipped() {
        return None;
    }
    let h = harness();
    let guard = shared().await;
    let admin = client_for(&h.kubeconfig).await;
    Some((h, guard, admin))
}

pub(crate) async fn client_for(kubeconfig: &Path) -> Client {
    let global = GlobalArgs {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        ..Default::default()
    };
    let target = kube_config::load(&global, &Env::default())
        .await
        .expect("kubeconfig");
    let (client, _) = kube_config::connect(&target, Duration::from_secs(10))
        .await
        .expect("API server reachable");
    client
}

fn api(client: &Client, kind: Kind, ns: &str) -> Api<DynamicObject> {
    let ar = api_resource(kind);
    if kind.namespaced() {
        Api::namespaced_with(client.clone(), ns, &ar)
    } else {
        Api::all_with(client.clone(), &ar)
    }
}

pub(crate) async fn create(client: &Client, kind: Kind, ns: &str, value: serde_json::Value) {
    let obj: DynamicObject = serde_json::from_value(value).unwrap();
    api(client, kind, ns)
        .create(&PostParams::default(), &obj)
        .await
        .unwrap_or_else(|e| panic!("create {kind} in {ns}: {e}"));
}

pub(crate) async fn create_namespace(client: &Client, ns: &str) {
    let nss: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    let obj = serde_json::from_value(json!({"metadata": {"name": ns}})).unwrap();
    nss.create(&PostParams::default(), &obj)
        .await
        .expect("create namespace");
}

async fn patch_status(
    client: &Client,
    kind: Kind,
    ns: &str,
    name: &str,
    status: serde_json::Value,
) {
    api(client, kind, ns)
        .patch_status(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({ "status": status })),
        )
        .await
        .unwrap_or_else(|e| panic!("patch status of {kind} {ns}/{name}: {e}"));
}

pub(crate) async fn delete(client: &Client, kind: Kind, ns: &str, name: &str) {
    api(client, kind, ns)
        .delete(name, &DeleteParams::default())
        .await
        .unwrap_or_else(|e| panic!("delete {kind} {ns}/{name}: {e}"));
}

pub(crate) fn dataset(ns: &str, name: &str) -> serde_json::Value {
    json!({
        "apiVersion": "data.fluid.io/v1alpha1", "kind": "Dataset",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"mounts": [{"name": "data", "mountPoint": "s3://bucket/data/"}],
                 "someFieldFromTheFuture": {"x": 1}}
    })
}

fn runtime(ns: &str, name: &str) -> serde_json::Value {
    json!({
        "apiVersion": "data.fluid.io/v1alpha1", "kind": "CacheRuntime",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"runtimeClassName": "curvine-standard", "worker": {"replicas": 3}}
    })
}

fn pod(ns: &str, name: &str, runtime: &str) -> serde_json::Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": {
            "cacheruntime.fluid.io/name": runtime,
            "cacheruntime.fluid.io/component-name": format!("{runtime}-worker")}},
        "spec": {"containers": [{"name": "worker", "image": "curvine/curvine:v0.2.5"}]}
    })
}

// ------------------------------------------------------------------ the console under test

struct Console {
    app: App,
    rx: mpsc::UnboundedReceiver<SourceMsg>,
    source: KubeSource,
    keymap: Keymap,
    theme: Theme,
}

impl Console {
    fn start(client: Client, namespace: Option<&str>) -> Console {
        let (tx, rx) = mpsc::unbounded_channel();
        let options = KubeSourceOptions {
            namespace: namespace.map(str::to_string),
            ..Default::default()
        };
        let source = KubeSource::spawn(client, options, tx);
        Console {
            app: App::new("e2e", Timestamp::now()),
            rx,
            source,
            keymap: Keymap::builtin(),
            theme: Theme::builtin("default").expect("default theme"),
        }
    }

    /// Feeds batches into the app until `done` holds; panics with the store's state on timeout.
    async fn wait_until(&mut self, what: &str, done: impl Fn(&App) -> bool) -> Duration {
        let t0 = Instant::now();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if done(&self.app) {
                return t0.elapsed();
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(SourceMsg::Batch { at, events })) => {
                    self.app.update(Msg::Cluster { at, events }, &self.keymap);
                }
                Ok(Some(
                    SourceMsg::Caption(_)
                    | SourceMsg::Operator(_)
                    | SourceMsg::Rewind { .. }
                    | SourceMsg::Played(_)
                    | SourceMsg::Replay { .. },
                )) => {}
                Ok(None) => panic!("source closed while waiting for {what}"),
                Err(_) => panic!(
                    "timed out after {WAIT:?} waiting for {what}; connection {:?}, counts {:?}",
                    self.app.store.connection(),
                    Kind::ALL
                        .iter()
                        .map(|k| (
                            k.as_str(),
                            self.app.store.count(*k),
                            self.app.store.availability(*k)
                        ))
                        .collect::<Vec<_>>()
                ),
            }
        }
    }

    /// The screen as it is (no view opened), at 160x30.
    fn render_screen(&mut self) -> String {
        let ctx = Ctx {
            theme: &self.theme,
            keymap: &self.keymap,
            demo: false,
            caption: None,
        };
        fluidops::snapshot::render_text(&mut self.app, &ctx, 160, 30)
    }

    fn render(&mut self, view: ViewKind, ns: Option<&str>) -> String {
        self.app.namespace = ns.map(str::to_string);
        self.app.now = Timestamp::now();
        self.app.act(Action::ViewOpen(view));
        let ctx = Ctx {
            theme: &self.theme,
            keymap: &self.keymap,
            demo: false,
            caption: None,
        };
        fluidops::snapshot::render_text(&mut self.app, &ctx, 160, 30);
        fluidops::snapshot::render_text(&mut self.app, &ctx, 160, 30)
    }
}

pub(crate) fn has(app: &App, kind: Kind, ns: &str, name: &str) -> bool {
    app.store.get(&ObjectKey::new(kind, ns, name)).is_some()
}

fn worker_ready(app: &App, ns: &str, name: &str) -> Option<i32> {
    let rt = app.store.runtime(ns, name)?;
    rt.status.as_ref()?.worker.as_ref()?.ready_replicas
}

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
}

// ------------------------------------------------------------------ tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_created_changed_deleted_show_in_store_and_views() {
    if skipped() {
        return;
    }
    let h = harness();
    let _g = shared().await;
    let client = client_for(&h.kubeconfig).await;
    let ns = unique_ns("crud");
    create_namespace(&client, &ns).await;

    let mut c = Console::start(client.clone(), None);
    let t = c
        .wait_until("every kind listed", |a| {
            Kind::ALL
                .iter()
                .all(|k| a.store.availability(*k) == Availability::Available)
                && *a.store.connection() == ConnectionState::Connected
        })
        .await;
    eprintln!("initial lists in {t:?}");

    create(&client, Kind::Dataset, &ns, dataset(&ns, "train")).await;
    create(&client, Kind::CacheRuntime, &ns, runtime(&ns, "train")).await;
    create(&client, Kind::Pod, &ns, pod(&ns, "train-worker-0", "train")).await;
    let load = json!({
        "apiVersion": "data.fluid.io/v1alpha1", "kind": "DataLoad",
        "metadata": {"name": "warm", "namespace": ns},
        "spec": {"dataset": {"name": "train", "namespace": ns}}
    });
    create(&client, Kind::Operation(OpKind::DataLoad), &ns, load).await;
    let t = c
        .wait_until("created objects", |a| {
            has(a, Kind::Dataset, &ns, "train")
                && has(a, Kind::CacheRuntime, &ns, "train")
                && has(a, Kind::Pod, &ns, "train-worker-0")
                && has(a, Kind::Operation(OpKind::DataLoad), &ns, "warm")
        })
        .await;
    eprintln!("creations seen in {t:?}");

    // Stored without managedFields; the runtime's pod is indexed under it.
    let stored = c
        .app
        .store
        .get(&ObjectKey::new(Kind::Dataset, &ns, "train"))
        .unwrap();
    assert!(stored.meta().managed_fields.is_none(), "managedFields kept");
    assert_eq!(c.app.store.pods_of_runtime(&ns, "train").len(), 1);
    let text = c.render(ViewKind::Runtimes, Some(&ns));
    assert!(text.contains("ctx:e2e"), "{text}");
    line_with(&text, "train");
    let text = c.render(ViewKind::Ops, Some(&ns));
    line_with(&text, "warm");

    // Status changes through the status subresource.
    let status =
        json!({"worker": {"phase": "PartialReady", "desiredReplicas": 3, "readyReplicas": 2}});
    patch_status(&client, Kind::CacheRuntime, &ns, "train", status).await;
    c.wait_until("worker 2/3", |a| worker_ready(a, &ns, "train") == Some(2))
        .await;
    let text = c.render(ViewKind::Runtimes, Some(&ns));
    assert!(line_with(&text, "train").contains("2/3"), "{text}");
    let status = json!({"worker": {"phase": "Ready", "desiredReplicas": 3, "readyReplicas": 3}});
    patch_status(&client, Kind::CacheRuntime, &ns, "train", status).await;
    c.wait_until("worker 3/3", |a| worker_ready(a, &ns, "train") == Some(3))
        .await;
    let text = c.render(ViewKind::Runtimes, Some(&ns));
    assert!(line_with(&text, "train").contains("3/3"), "{text}");

    // Following a pod's log: no kubelet here, so the API server's refusal arrives as a line.
    let pod_key = ObjectKey::new(Kind::Pod, &ns, "train-worker-0");
    c.source
        .follow_logs(fluidops::cluster::source::LogRequest::current(
            pod_key.clone(),
        ));
    c.wait_until("a log line", |a| a.store.log_len(&pod_key) > 0)
        .await;
    let first = c.app.store.logs(&pod_key).next().unwrap().clone();
    assert!(first.starts_with("[fluidops]"), "{first}");
    eprintln!("the API server on the current log: {first}");

    // `p` on its log page, then `:tail 100` and `:since 10m`: each is asked of the API server
    // with its parameters (read back from the server's audit log). A pod without a node has an
    // empty log there (200, no lines): the previous instance's replaces the current one.
    c.app.screen = fluidops::app::state::Screen::Logs(pod_key.clone());
    let mut asked = Vec::new();
    asked.extend(c.app.act(fluidops::app::actions::Action::LogsPrevious));
    assert!(c.app.page.log.previous);
    for line in ["tail 100", "since 10m"] {
        crate::common::press(&mut c.app, ":");
        crate::common::type_text(&mut c.app, line);
        asked.extend(crate::common::press(&mut c.app, "<Enter>"));
    }
    for cmd in asked {
        let fluidops::app::update::Command::FollowLogs(req) = cmd else {
            panic!("{cmd:?}");
        };
        c.source.follow_logs(req);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    c.wait_until("the previous log replaced the current one", |a| {
        a.store.log_len(&pod_key) == 0
    })
    .await;
    let text = c.render_screen();
    assert!(
        text.contains("[previous instance · tail 100 · since 10m]"),
        "{text}"
    );
    let audit = PathBuf::from(
        harness()
            .env
            .get("FLUIDOPS_E2E_AUDIT_LOG")
            .expect("audit log exported"),
    );
    let log_uri = format!("/api/v1/namespaces/{ns}/pods/train-worker-0/log?");
    let deadline = Instant::now() + Duration::from_secs(10);
    let uris = loop {
        let uris: Vec<String> = std::fs::read_to_string(&audit)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["requestURI"].as_str().map(str::to_string))
            .filter(|u| u.starts_with(&log_uri))
            .collect();
        if uris.iter().any(|u| u.contains("sinceSeconds=600")) {
            break uris;
        }
        assert!(Instant::now() < deadline, "log requests seen: {uris:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    eprintln!("log requests the API server saw: {uris:#?}");
    let asked_with = |parts: &[&str]| uris.iter().any(|u| parts.iter().all(|p| u.contains(p)));
    assert!(
        asked_with(&["container=worker", "follow=true", "tailLines=500"]),
        "{uris:#?}"
    );
    assert!(asked_with(&["previous=true", "tailLines=500"]), "{uris:#?}");
    assert!(asked_with(&["previous=true", "tailLines=100"]), "{uris:#?}");
    assert!(
        asked_with(&["previous=true", "tailLines=100", "sinceSeconds=600"]),
        "{uris:#?}"
    );
    assert!(
        !uris
            .iter()
            .any(|u| u.contains("previous=true") && u.contains("follow=true")),
        "a previous instance's log is not followed: {uris:#?}"
    );

    // Deletions.
    delete(&client, Kind::CacheRuntime, &ns, "train").await;
    delete(&client, Kind::Operation(OpKind::DataLoad), &ns, "warm").await;
    c.wait_until("deletions", |a| {
        !has(a, Kind::CacheRuntime, &ns, "train")
            && !has(a, Kind::Operation(OpKind::DataLoad), &ns, "warm")
    })
    .await;
    let text = c.render(ViewKind::Runtimes, Some(&ns));
    assert!(!text.contains("train "), "{text}");

    // Relist keeps the same truth.
    c.source.relist();
    c.wait_until("relisted", |a| has(a, Kind::Dataset, &ns, "train"))
        .await;
    assert!(!has(&c.app, Kind::CacheRuntime, &ns, "train"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_kinds_degrade_to_a_message_while_granted_ones_work() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("rbac");
    create_namespace(&admin, &ns).await;
    create(&admin, Kind::Dataset, &ns, dataset(&ns, "granted")).await;
    create(&admin, Kind::Pod, &ns, pod(&ns, "hidden-0", "x")).await;
    // A namespaced Role for datasets and runtimes only; nothing cluster-wide.
    let roles: Api<k8s_openapi::api::rbac::v1::Role> = Api::namespaced(admin.clone(), &ns);
    let role = serde_json::from_value(json!({
        "metadata": {"name": "fluid-reader"},
        "rules": [{"apiGroups": ["data.fluid.io"], "resources": ["datasets", "cacheruntimes"],
                   "verbs": ["get", "list", "watch"]}]
    }))
    .unwrap();
    roles
        .create(&PostParams::default(), &role)
        .await
        .expect("role");
    let bindings: Api<k8s_openapi::api::rbac::v1::RoleBinding> =
        Api::namespaced(admin.clone(), &ns);
    let binding = serde_json::from_value(json!({
        "metadata": {"name": "fluid-reader"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "fluid-reader"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "restricted"}]
    }))
    .unwrap();
    bindings
        .create(&PostParams::default(), &binding)
        .await
        .expect("binding");

    let restricted = client_for(&h.restricted).await;
    let mut c = Console::start(restricted, Some(&ns));
    c.wait_until("dataset via namespaced fallback, pods forbidden", |a| {
        has(a, Kind::Dataset, &ns, "granted")
            && matches!(a.store.availability(Kind::Pod), Availability::Forbidden(_))
            && matches!(
                a.store.availability(Kind::CacheRuntimeClass),
                Availability::Forbidden(_)
            )
    })
    .await;
    assert_eq!(
        c.app.store.availability(Kind::CacheRuntime),
        Availability::Available
    );
    let text = c.render(ViewKind::Pods, Some(&ns));
    assert!(text.contains("forbidden by RBAC"), "{text}");
    assert!(!text.contains("hidden-0"), "{text}");
    let text = c.render(ViewKind::Datasets, Some(&ns));
    line_with(&text, "granted");
    let text = c.render(ViewKind::Classes, None);
    assert!(text.contains("forbidden by RBAC"), "{text}");
    // Forbidden kinds are answers: once every kind has listed or answered, the console is
    // connected.
    c.wait_until("connected", |a| {
        *a.store.connection() == ConnectionState::Connected
    })
    .await;
}

/// A TCP relay between the console and the API server that the test can cut and restore,
/// so changes can be made while the console is disconnected but the server is up.
pub(crate) struct Relay {
    pub(crate) port: u16,
    cut: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    pub(crate) fn start(upstream: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (cut2, conns2) = (cut.clone(), conns.clone());
        std::thread::spawn(move || {
            for down in listener.incoming() {
                let Ok(down) = down else { continue };
                if cut2.load(Ordering::SeqCst) {
                    let _ = down.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(up) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    let _ = down.shutdown(Shutdown::Both);
                    continue;
                };
                {
                    let mut c = conns2.lock().unwrap();
                    c.push(down.try_clone().unwrap());
                    c.push(up.try_clone().unwrap());
                }
                let (mut d1, mut u1) = (down.try_clone().unwrap(), up.try_clone().unwrap());
                let (mut d2, mut u2) = (down, up);
                std::thread::spawn(move || pipe(&mut d1, &mut u1));
                std::thread::spawn(move || pipe(&mut u2, &mut d2));
            }
        });
        Relay { port, cut, conns }
    }

    pub(crate) fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }

    pub(crate) fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

fn pipe(from: &mut TcpStream, to: &mut TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

/// The admin kubeconfig with its server pointed at `port` on loopback.
pub(crate) fn kubeconfig_via(h: &Harness, port: u16) -> PathBuf {
    let text = std::fs::read_to_string(&h.kubeconfig).unwrap();
    let re = regex::Regex::new(r"server: https://127\.0\.0\.1:\d+").unwrap();
    let text = re.replace(&text, format!("server: https://127.0.0.1:{port}"));
    let path = std::env::temp_dir().join(format!(
        "fluidops-e2e-relay-{}-{port}.kubeconfig",
        std::process::id()
    ));
    std::fs::write(&path, text.as_bytes()).unwrap();
    path
}

pub(crate) fn server_port(h: &Harness) -> u16 {
    let text = std::fs::read_to_string(&h.kubeconfig).unwrap();
    let re = regex::Regex::new(r"server: https://127\.0\.0\.1:(\d+)").unwrap();
    re.captures(&text).unwrap()[1].parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_converges_after_api_server_restart_and_cut_connection() {
    if skipped() {
        return;
    }
    let h = harness();
    let _g = exclusive().await;
    let admin = client_for(&h.kubeconfig).await;
    let ns = unique_ns("restart");
    create_namespace(&admin, &ns).await;
    for name in ["a", "b", "c"] {
        create(&admin, Kind::Dataset, &ns, dataset(&ns, name)).await;
    }

    let relay = Relay::start(server_port(h));
    let via = kubeconfig_via(h, relay.port);
    let mut c = Console::start(client_for(&via).await, None);
    c.wait_until("a, b, c listed", |a| {
        ["a", "b", "c"]
            .iter()
            .all(|n| has(a, Kind::Dataset, &ns, n))
    })
    .await;

    // 1. The API server itself stops and comes back (graceful stop, then start).
    let t0 = Instant::now();
    h.run(&["stop-apiserver"]);
    c.wait_until("connection lost", |a| {
        matches!(a.store.connection(), ConnectionState::Lost(_))
    })
    .await;
    h.run(&["start-apiserver"]);
    let admin = client_for(&h.kubeconfig).await;
    delete(&admin, Kind::Dataset, &ns, "a").await;
    create(&admin, Kind::Dataset, &ns, dataset(&ns, "d")).await;
    let t = c
        .wait_until("converged after restart", |a| {
            *a.store.connection() == ConnectionState::Connected
                && !has(a, Kind::Dataset, &ns, "a")
                && has(a, Kind::Dataset, &ns, "d")
        })
        .await;
    eprintln!(
        "restart: converged {t:?} after start ({:?} in all)",
        t0.elapsed()
    );

    // 2. The connection is cut while the server stays up; changes made meanwhile must show,
    // deletions included, once it is back.
    relay.cut();
    c.wait_until("connection lost (cut)", |a| {
        matches!(a.store.connection(), ConnectionState::Lost(_))
    })
    .await;
    delete(&admin, Kind::Dataset, &ns, "b").await;
    create(&admin, Kind::Dataset, &ns, dataset(&ns, "e")).await;
    let status = json!({"phase": "Bound", "conditions": []});
    patch_status(&admin, Kind::Dataset, &ns, "c", status).await;
    // Give the console's retries a chance to fail against the cut relay, then restore it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        has(&c.app, Kind::Dataset, &ns, "b"),
        "b vanished before the relay was restored"
    );
    relay.restore();
    let t = c
        .wait_until("converged after cut", |a| {
            *a.store.connection() == ConnectionState::Connected
                && !has(a, Kind::Dataset, &ns, "b")
                && has(a, Kind::Dataset, &ns, "e")
                && a.store
                    .dataset(&ns, "c")
                    .is_some_and(|d| d.phase().as_str() == "Bound")
        })
        .await;
    eprintln!("cut: converged {t:?} after restore");
    let names: Vec<String> = c
        .app
        .store
        .list(Kind::Dataset)
        .filter(|o| o.meta().namespace.as_deref() == Some(ns.as_str()))
        .map(|o| o.meta().name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["c", "d", "e"]);
    let text = c.render(ViewKind::Datasets, Some(&ns));
    assert!(!text.contains(" a ") && !text.contains(" b "), "{text}");
    let _ = std::fs::remove_file(via);

    // 3. A CRD goes away and comes back: the kind says "not installed", then is listed again
    // without a restart of the console.
    let crd = "cacheruntimemaintenances.ops.fluidops.io";
    let kind = Kind::CacheRuntimeMaintenance;
    let mut back = CrdBack { h, done: false };
    h.kubectl(&["delete", "crd", crd, "--wait=true"]);
    c.wait_until("maintenance not installed", |a| {
        a.store.availability(kind) == Availability::NotInstalled
    })
    .await;
    let text = c.render(ViewKind::Maintenance, None);
    assert!(text.contains("CRD not installed"), "{text}");
    let file = crd_file("ops.fluidops.io_cacheruntimemaintenances.yaml");
    let file = file.to_str().unwrap();
    h.kubectl(&[
        "apply",
        "--server-side",
        "--field-manager",
        "fluidops-e2e",
        "-f",
        file,
    ]);
    h.kubectl(&[
        "wait",
        "--for",
        "condition=Established",
        "--timeout",
        "60s",
        "-f",
        file,
    ]);
    back.done = true;
    let t = c
        .wait_until("maintenance available again", |a| {
            a.store.availability(kind) == Availability::Available
        })
        .await;
    eprintln!("CRD re-installed: available after {t:?}");
}

/// After a long outage (long enough for any retry backoff to grow to its cap) the console is
/// whole again within seconds of the server being reachable, and never says "connected" while
/// what it shows still differs from the cluster.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_long_outage_connected_means_whole_within_seconds() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("outage");
    create_namespace(&admin, &ns).await;
    for name in ["keep", "gone"] {
        create(&admin, Kind::Dataset, &ns, dataset(&ns, name)).await;
    }
    let relay = Relay::start(server_port(h));
    let via = kubeconfig_via(h, relay.port);
    let mut c = Console::start(client_for(&via).await, None);
    c.wait_until("listed and connected", |a| {
        has(a, Kind::Dataset, &ns, "gone") && *a.store.connection() == ConnectionState::Connected
    })
    .await;

    relay.cut();
    c.wait_until("connection lost", |a| {
        matches!(a.store.connection(), ConnectionState::Lost(_))
    })
    .await;
    delete(&admin, Kind::Dataset, &ns, "gone").await;
    create(&admin, Kind::Dataset, &ns, dataset(&ns, "new")).await;
    // Keep the console cut off for 25 s, feeding it whatever it says meanwhile: it must stay
    // "lost" and keep showing the last state it knew.
    let outage = Instant::now();
    while outage.elapsed() < Duration::from_secs(25) {
        if let Ok(Some(SourceMsg::Batch { at, events })) =
            tokio::time::timeout(Duration::from_millis(200), c.rx.recv()).await
        {
            c.app.update(Msg::Cluster { at, events }, &c.keymap);
        }
        assert!(
            matches!(c.app.store.connection(), ConnectionState::Lost(_)),
            "{:?} while cut off",
            c.app.store.connection()
        );
    }
    assert!(has(&c.app, Kind::Dataset, &ns, "gone"));

    relay.restore();
    let whole = |a: &App| has(a, Kind::Dataset, &ns, "new") && !has(a, Kind::Dataset, &ns, "gone");
    let t = c
        .wait_until("connected again", |a| {
            let connected = *a.store.connection() == ConnectionState::Connected;
            assert!(
                !connected || whole(a),
                "the header says connected while the store still differs from the cluster"
            );
            connected
        })
        .await;
    eprintln!("long outage: whole and connected {t:?} after the relay was restored");
    assert!(
        t < Duration::from_secs(15),
        "took {t:?} to be whole after the server was reachable again"
    );
    let _ = std::fs::remove_file(via);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_command_prints_runtimes_of_the_cluster() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("snap");
    create_namespace(&admin, &ns).await;
    create(&admin, Kind::Dataset, &ns, dataset(&ns, "snapset")).await;
    create(&admin, Kind::CacheRuntime, &ns, runtime(&ns, "snaprt")).await;

    let bin = env!("CARGO_BIN_EXE_fluidops");
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str], kubeconfig: &Path| {
        let out = Command::new(bin)
            .args(args)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("KUBECONFIG", kubeconfig)
            .env_remove("KUBERNETES_SERVICE_HOST")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let t0 = Instant::now();
    let (code, out, err) = run(
        &[
            "snapshot", "--view", "runtimes", "-n", &ns, "--size", "140x12",
        ],
        &h.kubeconfig,
    );
    eprintln!("snapshot took {:?}", t0.elapsed());
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(&format!("ns:{ns}")) && out.contains("ctx:e2e"),
        "{out}"
    );
    assert!(
        line_with(&out, "snaprt").contains("curvine-standard"),
        "{out}"
    );

    // An address nothing answers on: a plain message naming context and address, exit 1.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bad = kubeconfig_via(h, dead);
    let (code, out, err) = run(&["snapshot"], &bad);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        err.contains("context \"e2e\"") && err.contains(&format!("127.0.0.1:{dead}")),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let _ = std::fs::remove_file(bad);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writer_round_trips_statuses_and_readonly_sends_nothing() {
    use fluidops::cluster::writer::{Guarded, KubeWriter, Write, WriteError, WriteOp, Writer};
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("write");
    create_namespace(&admin, &ns).await;
    let local_audit = tempfile::tempdir().unwrap();
    let local_audit = local_audit.path().join("audit.log");
    let w = Guarded::new(
        Box::new(KubeWriter::new(admin.clone())),
        false,
        Some(local_audit.clone()),
    );
    let key = ObjectKey::new(Kind::Dataset, &ns, "w");
    let exists = |admin: Client, ns: String| async move {
        api(&admin, Kind::Dataset, &ns)
            .get_opt("w")
            .await
            .unwrap()
            .is_some()
    };

    // Dry-run create: admitted and returned, not stored.
    let out = w
        .write(&Write::dry_run(WriteOp::Create(dataset(&ns, "w"))))
        .await
        .unwrap();
    assert!(out.dry_run && out.object.is_some());
    assert!(
        !exists(admin.clone(), ns.clone()).await,
        "dry run persisted"
    );
    w.write(&Write::new(WriteOp::Create(dataset(&ns, "w"))))
        .await
        .unwrap();
    assert!(exists(admin.clone(), ns.clone()).await);

    // Conflict: already exists, Kubernetes' Status intact.
    let e = w
        .write(&Write::new(WriteOp::Create(dataset(&ns, "w"))))
        .await
        .unwrap_err();
    let WriteError::Status(s) = &e else {
        panic!("{e:?}")
    };
    assert_eq!((s.code, s.reason.as_str()), (409, "AlreadyExists"), "{e}");

    // Schema rejection with its field cause.
    let bad = WriteOp::MergePatch {
        key: key.clone(),
        patch: json!({"spec": {"mounts": "not-a-list"}}),
    };
    let e = w.write(&Write::new(bad)).await.unwrap_err();
    let WriteError::Status(s) = &e else {
        panic!("{e:?}")
    };
    assert_eq!((s.code, s.reason.as_str()), (422, "Invalid"), "{e}");
    let causes = &s.details.as_ref().expect("details").causes;
    assert!(
        causes.iter().any(|c| c.field.contains("spec.mounts")),
        "{e}"
    );

    // Server-side apply: ours, then a conflict with another manager's field.
    let apply = json!({"apiVersion": "data.fluid.io/v1alpha1", "kind": "Dataset",
        "metadata": {"name": "w", "namespace": ns, "labels": {"owner": "fluidops"}}});
    w.write(&Write::new(WriteOp::Apply(apply))).await.unwrap();
    let other = json!({"apiVersion": "data.fluid.io/v1alpha1", "kind": "Dataset",
        "metadata": {"name": "w", "namespace": ns, "labels": {"team": "ml"}}});
    api(&admin, Kind::Dataset, &ns)
        .patch(
            "w",
            &PatchParams::apply("someone-else"),
            &Patch::Apply(&other),
        )
        .await
        .expect("other manager applies");
    let ours = json!({"apiVersion": "data.fluid.io/v1alpha1", "kind": "Dataset",
        "metadata": {"name": "w", "namespace": ns, "labels": {"owner": "fluidops", "team": "infra"}}});
    let e = w
        .write(&Write::new(WriteOp::Apply(ours)))
        .await
        .unwrap_err();
    let WriteError::Status(s) = &e else {
        panic!("{e:?}")
    };
    assert_eq!((s.code, s.reason.as_str()), (409, "Conflict"), "{e}");
    assert!(
        s.details
            .as_ref()
            .is_some_and(|d| d.causes.iter().any(|c| c.field.contains("team"))),
        "{e}"
    );

    // Dry-run delete keeps it; delete removes it.
    w.write(&Write::dry_run(WriteOp::Delete(key.clone())))
        .await
        .unwrap();
    assert!(
        exists(admin.clone(), ns.clone()).await,
        "dry-run delete removed it"
    );
    w.write(&Write::new(WriteOp::Delete(key.clone())))
        .await
        .unwrap();
    assert!(!exists(admin.clone(), ns.clone()).await);

    // Read-only: refused at the boundary; the API server never hears of it.
    let ro_ns = unique_ns("readonly");
    let ro = Guarded::new(
        Box::new(KubeWriter::new(admin.clone())),
        true,
        Some(local_audit.clone()),
    );
    for op in [
        WriteOp::Create(dataset(&ro_ns, "w")),
        WriteOp::Apply(dataset(&ro_ns, "w")),
        WriteOp::MergePatch {
            key: ObjectKey::new(Kind::Dataset, &ro_ns, "w"),
            patch: json!({}),
        },
        WriteOp::Delete(ObjectKey::new(Kind::Dataset, &ro_ns, "w")),
    ] {
        assert_eq!(ro.write(&Write::new(op)).await, Err(WriteError::ReadOnly));
    }
    // A write after them that does reach the server, so the audit log has caught up.
    w.write(&Write::new(WriteOp::Create(dataset(&ns, "marker"))))
        .await
        .unwrap();
    let audit = PathBuf::from(
        h.env
            .get("FLUIDOPS_E2E_AUDIT_LOG")
            .expect("audit log exported"),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&audit).unwrap_or_default();
        if text.contains("marker") && text.contains(&ns) {
            assert!(
                !text.contains(&ro_ns),
                "a read-only write reached the API server"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the marker write never showed in {}",
            audit.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let local = std::fs::read_to_string(&local_audit).unwrap();
    assert_eq!(local.matches("refused (read-only)").count(), 4, "{local}");
    assert!(
        local.contains("\"verb\":\"create\"") && local.contains("409 AlreadyExists"),
        "{local}"
    );
}

// ------------------------------------------------------------------ the binary in a terminal

struct Pty {
    pty: PtySession,
    _home: tempfile::TempDir,
}

impl Pty {
    fn start(args: &[&str], kubeconfig: &Path) -> Pty {
        let home = tempfile::tempdir().unwrap();
        let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_fluidops"));
        cmd.args(args);
        fresh_home(&mut cmd, home.path());
        cmd.env("KUBECONFIG", kubeconfig);
        cmd.env_remove("KUBERNETES_SERVICE_HOST");
        Pty {
            pty: PtySession::spawn(cmd, 100, 24),
            _home: home,
        }
    }

    fn screen(&self) -> String {
        self.pty.screen()
    }

    fn wait_for(&self, what: &str) -> String {
        self.wait_screen(what, |s| s.contains(what))
    }

    fn wait_screen(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if done(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&mut self, keys: &str) {
        self.pty.send(keys);
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.pty.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The AGE (last column) of the row naming `name`, in seconds, while under a minute.
fn age_seconds(screen: &str, name: &str) -> Option<u64> {
    let line = screen.lines().find(|l| l.contains(name))?;
    let last = line.trim_matches(|c: char| c == '│' || c.is_whitespace());
    last.split_whitespace()
        .last()?
        .strip_suffix('s')?
        .parse()
        .ok()
}

/// Nothing changes on the cluster, yet ages move and an information message goes after its 8 s:
/// the console keeps time itself against a real API server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_keeps_time_on_a_quiet_cluster() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("clock");
    create_namespace(&admin, &ns).await;
    create(&admin, Kind::CacheRuntime, &ns, runtime(&ns, "quietrt")).await;
    let kubeconfig = h.kubeconfig.clone();
    tokio::task::spawn_blocking(move || {
        let mut p = Pty::start(&["-n", &ns], &kubeconfig);
        let first = p.wait_screen("the runtime's age", |s| age_seconds(s, "quietrt").is_some());
        let a0 = age_seconds(&first, "quietrt").unwrap();
        let moved = p.wait_screen("the age to move on", |s| {
            age_seconds(s, "quietrt").is_some_and(|a| a >= a0 + 3)
        });
        eprintln!(
            "age {a0}s, then {}s",
            age_seconds(&moved, "quietrt").unwrap()
        );
        let message = format!("namespace: {ns}");
        p.keys(&format!(":ns {ns}\r"));
        p.wait_for(&message);
        let shown = Instant::now();
        p.wait_screen("the message to go", |s| !s.contains(&message));
        let up = shown.elapsed();
        eprintln!("information message up for {up:?}");
        // 8 s at the clock's resolution of a second: between 7 and 8 s, plus polling.
        assert!(
            up >= Duration::from_millis(6500) && up <= Duration::from_millis(9500),
            "{up:?}"
        );
        p.keys("q");
        assert!(p.wait_exit().success());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_in_a_terminal_connects_or_offers_the_demo() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("tty");
    create_namespace(&admin, &ns).await;
    create(&admin, Kind::CacheRuntime, &ns, runtime(&ns, "ttyrt")).await;
    let kubeconfig = h.kubeconfig.clone();
    let dead = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bad = kubeconfig_via(h, dead);
    let bad2 = bad.clone();
    tokio::task::spawn_blocking(move || {
        // The real cluster: header names context and namespace, the runtime is listed.
        let t0 = Instant::now();
        let mut p = Pty::start(&["-n", &ns], &kubeconfig);
        let screen = p.wait_for("ttyrt");
        eprintln!("first frame with the runtime after {:?}", t0.elapsed());
        assert!(
            screen.contains("ctx:e2e") && screen.contains(&format!("ns:{ns}")),
            "{screen}"
        );
        p.keys("q");
        assert!(p.wait_exit().success());

        // Unreachable: said plainly, then retry / demo / quit on stdin; "d" opens the demo.
        let mut p = Pty::start(&[], &bad2);
        let screen = p.wait_for("[r]etry, [d]emo cluster, [q]uit?");
        assert!(
            screen.contains("cannot reach the cluster of context \"e2e\""),
            "{screen}"
        );
        assert!(screen.contains(&format!("127.0.0.1:{dead}")), "{screen}");
        p.keys("r");
        p.wait_screen("a second prompt", |s| s.matches("[q]uit?").count() == 2);
        p.keys("d");
        p.wait_for("ctx:demo");
        p.keys("q");
        assert!(p.wait_exit().success());

        // "q" quits with status 1 and no stack trace.
        let mut p = Pty::start(&[], &bad2);
        p.wait_for("[q]uit?");
        p.keys("q");
        let status = p.wait_exit();
        assert_eq!(status.exit_code(), 1);
        assert!(!p.screen().contains("panicked"));
    })
    .await
    .unwrap();
    let _ = std::fs::remove_file(bad);
}

/// A kubeconfig with three contexts on the harness: `e2e` (admin, namespace `admin_ns`),
/// `limited` (the restricted user, namespace `limited_ns`) and `dead` (an address nothing
/// answers on).
fn multi_context_kubeconfig(h: &Harness, admin_ns: &str, limited_ns: &str, dead: u16) -> PathBuf {
    use serde_yaml::Value as Y;
    let read =
        |p: &Path| -> Y { serde_yaml::from_str(&std::fs::read_to_string(p).unwrap()).unwrap() };
    let admin = read(&h.kubeconfig);
    let restricted = read(&h.restricted);
    let cluster = admin["clusters"][0].clone();
    let mut dead_cluster = cluster.clone();
    dead_cluster["name"] = Y::from("dead");
    dead_cluster["cluster"]["server"] = Y::from(format!("https://127.0.0.1:{dead}"));
    let context = |name: &str, user: &str, cluster: &str, ns: &str| -> Y {
        serde_yaml::from_str(&format!(
            "{{name: {name}, context: {{cluster: {cluster}, user: {user}, namespace: {ns}}}}}"
        ))
        .unwrap()
    };
    let mut doc = admin.clone();
    doc["clusters"] = Y::Sequence(vec![cluster, dead_cluster]);
    doc["users"] = Y::Sequence(vec![
        admin["users"][0].clone(),
        restricted["users"][0].clone(),
    ]);
    doc["contexts"] = Y::Sequence(vec![
        context("e2e", "admin", "e2e", admin_ns),
        context("limited", "restricted", "e2e", limited_ns),
        context("dead", "admin", "dead", "default"),
    ]);
    doc["current-context"] = Y::from("e2e");
    let path = std::env::temp_dir().join(format!(
        "fluidops-e2e-contexts-{}-{dead}.kubeconfig",
        std::process::id()
    ));
    std::fs::write(&path, serde_yaml::to_string(&doc).unwrap()).unwrap();
    path
}

async fn grant_runtimes(admin: &Client, ns: &str, user: &str) {
    let roles: Api<k8s_openapi::api::rbac::v1::Role> = Api::namespaced(admin.clone(), ns);
    let role = serde_json::from_value(json!({
        "metadata": {"name": "runtime-reader"},
        "rules": [{"apiGroups": ["data.fluid.io"], "resources": ["datasets", "cacheruntimes"],
                   "verbs": ["get", "list", "watch"]}]
    }))
    .unwrap();
    roles
        .create(&PostParams::default(), &role)
        .await
        .expect("role");
    let bindings: Api<k8s_openapi::api::rbac::v1::RoleBinding> = Api::namespaced(admin.clone(), ns);
    let binding = serde_json::from_value(json!({
        "metadata": {"name": "runtime-reader"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "runtime-reader"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]
    }))
    .unwrap();
    bindings
        .create(&PostParams::default(), &binding)
        .await
        .expect("binding");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctx_lists_switches_contexts_and_ns_rescopes_a_namespaced_source() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let (a, b, c) = (unique_ns("ctxa"), unique_ns("ctxb"), unique_ns("ctxc"));
    for (ns, rt) in [(&a, "rt-alpha"), (&b, "rt-bravo"), (&c, "rt-charlie")] {
        create_namespace(&admin, ns).await;
        create(&admin, Kind::CacheRuntime, ns, runtime(ns, rt)).await;
    }
    grant_runtimes(&admin, &b, "restricted").await;
    grant_runtimes(&admin, &c, "restricted").await;
    let dead = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let kubeconfig = multi_context_kubeconfig(h, &a, &b, dead);
    let kc = kubeconfig.clone();
    tokio::task::spawn_blocking(move || {
        let mut p = Pty::start(&["-A"], &kc);
        p.wait_screen("admin sees every namespace", |s| {
            s.contains("rt-alpha") && s.contains("rt-bravo") && s.contains("ctx:e2e")
        });
        // The list, current one marked.
        p.keys(":ctx\r");
        p.wait_for("contexts: *e2e limited dead");
        // Unreachable: a plain error, the current context stays.
        let t0 = Instant::now();
        p.keys(":ctx dead\r");
        let s = p.wait_for("context \"dead\"");
        eprintln!("unreachable context reported after {:?}", t0.elapsed());
        assert!(s.contains("ctx:e2e") && s.contains("rt-alpha"), "{s}");
        // Tab completes context names.
        p.keys(":ctx li\t");
        p.wait_for("ctx limited");
        let t0 = Instant::now();
        p.keys("\r");
        // A user who may only read two namespaces: the cluster-wide list is forbidden, the
        // source falls back to the context's namespace; nothing of the admin's view stays.
        let s = p.wait_screen("the limited context's runtimes", |s| {
            s.contains("ctx:limited") && s.contains("rt-bravo") && !s.contains("rt-alpha")
        });
        eprintln!("switched context, new lists after {:?}", t0.elapsed());
        assert!(!s.contains("rt-charlie"), "{s}");
        // Switching namespace re-scopes the namespaced watchers.
        let t0 = Instant::now();
        p.keys(&format!(":ns {c}\r"));
        p.wait_screen("the other granted namespace", |s| {
            s.contains("rt-charlie") && !s.contains("rt-bravo")
        });
        eprintln!("re-scoped to another namespace after {:?}", t0.elapsed());
        p.keys("q");
        assert!(p.wait_exit().success());
    })
    .await
    .unwrap();
    let _ = std::fs::remove_file(kubeconfig);
}

/// A small seed for `demo --against-cluster`: the built-in runtime classes, and in `ns` a
/// dataset, its runtime and a DataLoad that runs once.
fn against_cluster_seed(dir: &Path, ns: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("assets/demo/01-runtimeclasses.yaml"),
        dir.join("01-classes.yaml"),
    )
    .unwrap();
    let text = format!(
        r#"
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {{name: warm, namespace: {ns}}}
spec: {{mounts: [{{name: data, mountPoint: "s3://bucket/data/"}}]}}
---
apiVersion: data.fluid.io/v1alpha1
kind: CacheRuntime
metadata: {{name: warm, namespace: {ns}}}
spec: {{runtimeClassName: curvine-standard, worker: {{replicas: 2}}}}
---
apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {{name: seeded-load, namespace: {ns}}}
spec: {{dataset: {{name: warm, namespace: {ns}}}, policy: Once, target: [{{path: /data}}]}}
"#
    );
    std::fs::write(dir.join("02-mine.yaml"), text).unwrap();
}

/// Phases of `name` as the watch saw them, in order, each once.
type Phases = Arc<Mutex<HashMap<String, Vec<String>>>>;

fn watch_phases(client: Client, kind: Kind, ns: &str) -> (Phases, tokio::task::JoinHandle<()>) {
    use kube::runtime::watcher;
    let phases: Phases = Arc::default();
    let sink = phases.clone();
    let api = api(&client, kind, ns);
    let task = tokio::spawn(async move {
        let stream = watcher::watcher(api, watcher::Config::default());
        let mut stream = std::pin::pin!(stream);
        while let Some(ev) = futures::StreamExt::next(&mut stream).await {
            let obj = match ev {
                Ok(watcher::Event::Apply(o) | watcher::Event::InitApply(o)) => o,
                _ => continue,
            };
            let name = obj.metadata.name.clone().unwrap_or_default();
            let phase = obj.data["status"]["phase"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let mut map = sink.lock().unwrap();
            let seen = map.entry(name).or_default();
            if seen.last() != Some(&phase) {
                seen.push(phase);
            }
        }
    });
    (phases, task)
}

async fn wait_phase(phases: &Phases, name: &str, phase: &str, log: &Path) -> Duration {
    let t0 = Instant::now();
    loop {
        if phases
            .lock()
            .unwrap()
            .get(name)
            .is_some_and(|p| p.iter().any(|x| x == phase))
        {
            return t0.elapsed();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "{name} never reached {phase}; phases {:?}; controller log:\n{}",
            phases.lock().unwrap(),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Stops a child process when the test ends, passed or not.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_against_cluster_drives_operations_through_the_api_server() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("against");
    let seed = tempfile::tempdir().unwrap();
    against_cluster_seed(seed.path(), &ns);
    let (phases, watch) = watch_phases(admin.clone(), Kind::Operation(OpKind::DataLoad), &ns);

    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("controller.log");
    let t0 = Instant::now();
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_fluidops"))
            .args(["demo", "--against-cluster", "--speed", "10", "--seed"])
            .arg(seed.path())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("KUBECONFIG", &h.kubeconfig)
            .env_remove("KUBERNETES_SERVICE_HOST")
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(home.path().join("stderr.log")).unwrap())
            .spawn()
            .expect("start fluidops demo --against-cluster"),
    );

    // The seeded DataLoad, as any client of the API server sees it.
    let pending = wait_phase(&phases, "seeded-load", "Pending", &log).await;
    let executing = wait_phase(&phases, "seeded-load", "Executing", &log).await;
    let complete = wait_phase(&phases, "seeded-load", "Complete", &log).await;
    eprintln!(
        "seeded DataLoad: Pending after {pending:?}, Executing {executing:?}, Complete {complete:?} \
         (from start {:?})",
        t0.elapsed()
    );
    // The runtime's status is written through the status subresource; its pods exist.
    let rt = api(&admin, Kind::CacheRuntime, &ns)
        .get("warm")
        .await
        .unwrap();
    assert!(
        !rt.data["status"].is_null(),
        "runtime without status: {rt:?}"
    );
    let pods = api(&admin, Kind::Pod, &ns)
        .list(&Default::default())
        .await
        .unwrap();
    assert!(!pods.items.is_empty(), "no pods written");

    // A DataLoad made by someone else (a second console, kubectl) is driven too.
    let t1 = Instant::now();
    create(
        &admin,
        Kind::Operation(OpKind::DataLoad),
        &ns,
        json!({
            "apiVersion": "data.fluid.io/v1alpha1", "kind": "DataLoad",
            "metadata": {"name": "from-console", "namespace": ns},
            "spec": {"dataset": {"name": "warm", "namespace": ns}, "target": [{"path": "/data"}]}
        }),
    )
    .await;
    wait_phase(&phases, "from-console", "Complete", &log).await;
    let seen = phases.lock().unwrap().get("from-console").cloned().unwrap();
    eprintln!(
        "DataLoad created through the API: {seen:?} in {:?}",
        t1.elapsed()
    );
    let order: Vec<&str> = seen
        .iter()
        .map(String::as_str)
        .filter(|p| ["Pending", "Executing", "Complete"].contains(p))
        .collect();
    assert_eq!(order, ["Pending", "Executing", "Complete"], "{seen:?}");

    // SIGTERM stops it with a last line.
    // SAFETY: signals the child this test started, by its pid.
    unsafe {
        libc::kill(child.0.id() as i32, libc::SIGTERM);
    }
    let status = child.0.wait().unwrap();
    watch.abort();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status:?}\n{text}");
    assert!(
        text.contains("seeding") && text.trim_end().ends_with("stopped"),
        "{text}"
    );
    assert!(!text.contains("failed:"), "{text}");
}

// ------------------------------------------------------------------ operator flows

/// The app's writer on the admin client: the one boundary every console write goes through.
fn console_writer(admin: &Client) -> fluidops::cluster::writer::Guarded {
    use fluidops::cluster::writer::{Guarded, KubeWriter};
    Guarded::new(Box::new(KubeWriter::new(admin.clone())), false, None)
}

async fn send(
    w: &fluidops::cluster::writer::Guarded,
    op: fluidops::cluster::writer::WriteOp,
) -> Result<fluidops::cluster::writer::WriteOutcome, fluidops::cluster::writer::WriteError> {
    use fluidops::cluster::writer::{Write, Writer};
    w.write(&Write::new(op)).await
}

/// The Status of a refused write, or a panic naming what came back.
fn status_of(
    r: Result<fluidops::cluster::writer::WriteOutcome, fluidops::cluster::writer::WriteError>,
) -> kube::core::Status {
    match r {
        Err(fluidops::cluster::writer::WriteError::Status(s)) => *s,
        other => panic!("expected a refusal with a Status, got {other:?}"),
    }
}

/// The built-in curvine-standard class, renamed.
fn class_manifest(name: &str) -> serde_json::Value {
    let mut m = fluidops::model::manifest::Manifests::default();
    fluidops::model::manifest::parse_documents(
        include_str!("../../assets/demo/01-runtimeclasses.yaml"),
        "classes",
        &mut m,
    );
    let class = m
        .objects
        .into_iter()
        .find(|o| o.key().name == "curvine-standard")
        .expect("curvine-standard");
    let mut v = class.to_value();
    v["metadata"] = json!({"name": name, "labels": {"fluidops.io/e2e": "edit"}});
    v
}

async fn live_value(client: &Client, key: &ObjectKey) -> serde_json::Value {
    let o = api(client, key.kind, &key.namespace)
        .get(&key.name)
        .await
        .unwrap_or_else(|e| panic!("get {key}: {e}"));
    fluidops::cluster::kube_source::to_object(key.kind, o)
        .expect("known kind")
        .to_value()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_apply_keeps_the_resource_version_precondition_and_schema_causes() {
    use fluidops::app::editor::Editor;
    use fluidops::cluster::writer::WriteOp;
    let Some((_h, _g, admin)) = begin().await else {
        return;
    };
    let t0 = Instant::now();
    let w = console_writer(&admin);
    let name = unique_ns("edit");
    let key = ObjectKey::new(Kind::CacheRuntimeClass, "", &name);
    send(&w, WriteOp::Create(class_manifest(&name)))
        .await
        .expect("create class");

    // The editor's buffer, changed, sent as the editor sends it: server-side apply as fluidops,
    // guarded by the resourceVersion it was opened at.
    let live = live_value(&admin, &key).await;
    let ed = Editor::open(key.clone(), &live);
    let text = ed.text();
    assert!(text.contains("timeout: 60"), "{text}");
    let mut ed2 = Editor::open(key.clone(), &live);
    ed2.set_text(&text.replacen("timeout: 60", "timeout: 90", 1));
    ed2.validate();
    let manifest = ed2.manifest().expect("manifest");
    assert_eq!(
        manifest["metadata"]["resourceVersion"],
        live["metadata"]["resourceVersion"]
    );
    send(&w, WriteOp::Apply(manifest.clone()))
        .await
        .expect("apply");
    let raw = api(&admin, Kind::CacheRuntimeClass, "")
        .get(&name)
        .await
        .unwrap();
    assert_eq!(
        raw.data["topology"]["master"]["executionEntries"]["mountUFS"]["timeout"],
        90
    );
    let managers: Vec<(String, String)> = raw
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .map(|m| {
            (
                m.manager.clone().unwrap_or_default(),
                m.operation.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        managers.contains(&("fluidops".into(), "Apply".into())),
        "{managers:?}"
    );

    // The same buffer again: its resourceVersion is stale now.
    let s = status_of(send(&w, WriteOp::Apply(manifest)).await);
    assert_eq!((s.code, s.reason.as_str()), (409, "Conflict"), "{s:?}");
    assert!(s.message.contains("the object has been modified"), "{s:?}");

    // A schema violation comes back with its field.
    let live = live_value(&admin, &key).await;
    let mut ed3 = Editor::open(key.clone(), &live);
    let text = ed3.text();
    assert_eq!(text.matches("name: DataLoad").count(), 1, "{text}");
    ed3.set_text(&text.replacen("name: DataLoad", "name: DataWarm", 1));
    ed3.validate();
    let s = status_of(send(&w, WriteOp::Apply(ed3.manifest().unwrap())).await);
    assert_eq!((s.code, s.reason.as_str()), (422, "Invalid"), "{s:?}");
    let causes = &s.details.as_ref().expect("details").causes;
    assert!(
        causes
            .iter()
            .any(|c| c.field.contains("dataOperationSpecs[0].name")
                && c.reason == "FieldValueNotSupported"),
        "{causes:?}"
    );
    // A wrong type never reaches validation under server-side apply: the server cannot build
    // the typed patch and says so (500, no causes) — the message still names the field.
    let mut ed4 = Editor::open(key.clone(), &live);
    ed4.set_text(&ed4.text().replacen("timeout: 90", "timeout: soon", 1));
    ed4.validate();
    let s = status_of(send(&w, WriteOp::Apply(ed4.manifest().unwrap())).await);
    assert!(
        s.message.contains("executionEntries.mountUFS.timeout"),
        "{s:?}"
    );
    let raw = api(&admin, Kind::CacheRuntimeClass, "")
        .get(&name)
        .await
        .unwrap();
    assert_eq!(
        raw.data["topology"]["master"]["executionEntries"]["mountUFS"]["timeout"],
        90
    );
    send(&w, WriteOp::Delete(key)).await.expect("clean up");
    eprintln!("edit flow in {:?}", t0.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_form_manifest_created_through_the_writer_appears_in_the_store() {
    use fluidops::app::load_form::LoadForm;
    use fluidops::cluster::writer::WriteOp;
    let Some((_h, _g, admin)) = begin().await else {
        return;
    };
    let t0 = Instant::now();
    let ns = unique_ns("load");
    create_namespace(&admin, &ns).await;
    let class = unique_ns("loadclass");
    let w = console_writer(&admin);
    send(&w, WriteOp::Create(class_manifest(&class)))
        .await
        .expect("class");
    create(&admin, Kind::Dataset, &ns, dataset(&ns, "train")).await;
    let mut rt = runtime(&ns, "train");
    rt["spec"]["runtimeClassName"] = json!(class);
    create(&admin, Kind::CacheRuntime, &ns, rt).await;

    let mut c = Console::start(admin.clone(), None);
    c.wait_until("dataset, runtime and class", |a| {
        has(a, Kind::Dataset, &ns, "train")
            && has(a, Kind::CacheRuntime, &ns, "train")
            && has(a, Kind::CacheRuntimeClass, "", &class)
    })
    .await;
    let rt_key = ObjectKey::new(Kind::CacheRuntime, &ns, "train");
    let form = LoadForm::open(&c.app.store, &rt_key, Timestamp::now()).expect("form opens");
    let manifest = form.manifest();
    assert_eq!(manifest["kind"], "DataLoad", "{manifest}");
    let key = form.key();
    send(&w, WriteOp::Create(manifest.clone()))
        .await
        .expect("create the form's DataLoad");
    c.wait_until("the DataLoad in the store", |a| a.store.get(&key).is_some())
        .await;
    let stored = c.app.store.get(&key).unwrap().to_value();
    assert_eq!(
        stored["spec"], manifest["spec"],
        "stored as the form built it"
    );
    let _ = send(
        &w,
        WriteOp::Delete(ObjectKey::new(Kind::CacheRuntimeClass, "", &class)),
    )
    .await;
    eprintln!("load flow in {:?}", t0.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_records_locks_and_pod_deletes_through_the_writer() {
    use fluidops::cluster::writer::WriteOp;
    let Some((_h, _g, admin)) = begin().await else {
        return;
    };
    let t0 = Instant::now();
    let ns = unique_ns("maint");
    create_namespace(&admin, &ns).await;
    let w = console_writer(&admin);
    let mk = ObjectKey::new(Kind::CacheRuntimeMaintenance, &ns, "upgrade-1");
    let rv = |o: &fluidops::cluster::writer::WriteOutcome| {
        o.object
            .as_ref()
            .and_then(|o| o.meta().resource_version.clone())
            .expect("resourceVersion")
    };

    // The record, as the wizard creates it.
    let created = send(
        &w,
        WriteOp::Create(json!({
            "apiVersion": "ops.fluidops.io/v1alpha1", "kind": "CacheRuntimeMaintenance",
            "metadata": {"name": "upgrade-1", "namespace": ns},
            "spec": {"runtimeName": "train", "type": "Upgrade", "components": ["master", "worker"],
                     "upgrade": {"image": "curvine/curvine", "imageTag": "v0.2.6"}}
        })),
    )
    .await
    .expect("create the record (is the CacheRuntimeMaintenance CRD installed?)");
    let rv0 = rv(&created);

    // Status through the status subresource, guarded by the resourceVersion.
    let status = json!({"phase": "Running", "currentStep": 1, "startedAt": "2026-11-25T10:00:00Z",
        "steps": [{"name": "preflight", "action": "Preflight", "state": "Done"},
                  {"name": "patch master", "action": "PatchRuntime", "state": "Running"}]});
    let out = send(
        &w,
        WriteOp::MergePatchStatus {
            key: mk.clone(),
            patch: json!({"metadata": {"resourceVersion": rv0}, "status": status}),
        },
    )
    .await
    .expect("status patch");
    let rv1 = rv(&out);
    assert_ne!(rv1, rv0);
    let raw = api(&admin, Kind::CacheRuntimeMaintenance, &ns)
        .get("upgrade-1")
        .await
        .unwrap();
    assert_eq!(raw.data["status"]["phase"], "Running");
    assert_eq!(raw.data["status"]["steps"][1]["action"], "PatchRuntime");
    let generation = raw.metadata.generation;

    let s = status_of(
        send(
            &w,
            WriteOp::MergePatchStatus {
                key: mk.clone(),
                patch: json!({"metadata": {"resourceVersion": rv0}, "status": {"phase": "Failed"}}),
            },
        )
        .await,
    );
    assert_eq!((s.code, s.reason.as_str()), (409, "Conflict"), "{s:?}");

    // Pausing is a spec patch; the status it carries along is ignored by the main resource.
    send(
        &w,
        WriteOp::MergePatch {
            key: mk.clone(),
            patch: json!({"metadata": {"resourceVersion": rv1}, "spec": {"paused": true},
                          "status": {"phase": "Failed"}}),
        },
    )
    .await
    .expect("pause");
    let raw = api(&admin, Kind::CacheRuntimeMaintenance, &ns)
        .get("upgrade-1")
        .await
        .unwrap();
    assert_eq!(raw.data["spec"]["paused"], true);
    assert_eq!(raw.data["status"]["phase"], "Running");
    assert!(
        raw.metadata.generation > generation,
        "spec change moves the generation"
    );

    // The lock annotation on the runtime, and its removal with null.
    create(&admin, Kind::CacheRuntime, &ns, runtime(&ns, "train")).await;
    let rt_key = ObjectKey::new(Kind::CacheRuntime, &ns, "train");
    let live = live_value(&admin, &rt_key).await;
    send(
        &w,
        WriteOp::MergePatch {
            key: rt_key.clone(),
            patch: json!({"metadata": {"resourceVersion": live["metadata"]["resourceVersion"],
                "annotations": {"fluidops.io/maintenance": "upgrade-1"}}}),
        },
    )
    .await
    .expect("lock");
    let ann =
        |v: &serde_json::Value| v["metadata"]["annotations"]["fluidops.io/maintenance"].clone();
    assert_eq!(ann(&live_value(&admin, &rt_key).await), "upgrade-1");
    send(
        &w,
        WriteOp::MergePatch {
            key: rt_key.clone(),
            patch: json!({"metadata": {"annotations": {"fluidops.io/maintenance": null}}}),
        },
    )
    .await
    .expect("unlock");
    assert!(ann(&live_value(&admin, &rt_key).await).is_null());

    // Pods: bound to a node with no kubelet, a delete leaves it Terminating; a force delete
    // removes it at once. An unscheduled pod goes at once either way.
    let mut bound = pod(&ns, "train-worker-0", "train");
    bound["spec"]["nodeName"] = json!("cache-node-01");
    create(&admin, Kind::Pod, &ns, bound).await;
    create(&admin, Kind::Pod, &ns, pod(&ns, "train-worker-1", "train")).await;
    let p0 = ObjectKey::new(Kind::Pod, &ns, "train-worker-0");
    let p1 = ObjectKey::new(Kind::Pod, &ns, "train-worker-1");
    let raw = api(&admin, Kind::Pod, &ns)
        .get("train-worker-1")
        .await
        .unwrap();
    assert_eq!(
        raw.data["status"]["phase"], "Pending",
        "no scheduler, no kubelet"
    );
    let out = send(&w, WriteOp::Delete(p0.clone())).await.expect("delete");
    let left = out.object.expect("still there");
    assert!(left.meta().deletion_timestamp.is_some(), "Terminating");
    assert!(
        api(&admin, Kind::Pod, &ns)
            .get_opt("train-worker-0")
            .await
            .unwrap()
            .is_some()
    );
    let out = send(&w, WriteOp::ForceDelete(p0))
        .await
        .expect("force delete");
    assert!(out.object.is_none(), "gone at once");
    assert!(
        api(&admin, Kind::Pod, &ns)
            .get_opt("train-worker-0")
            .await
            .unwrap()
            .is_none()
    );
    let out = send(&w, WriteOp::Delete(p1))
        .await
        .expect("delete unscheduled");
    assert!(out.object.is_none(), "an unscheduled pod goes at once");

    send(&w, WriteOp::Delete(mk)).await.expect("delete record");
    eprintln!("maintenance writes in {:?}", t0.elapsed());
}

/// A pod as any client of the API server sees it: (uid, spec image, status image, Ready).
async fn pod_state(
    client: &Client,
    ns: &str,
    name: &str,
) -> Option<(String, String, String, bool)> {
    let p = api(client, Kind::Pod, ns).get_opt(name).await.ok()??;
    let ready = p.data["status"]["conditions"].as_array().is_some_and(|cs| {
        cs.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    });
    Some((
        p.metadata.uid.clone().unwrap_or_default(),
        p.data["spec"]["containers"][0]["image"]
            .as_str()
            .unwrap_or("")
            .to_string(),
        p.data["status"]["containerStatuses"][0]["image"]
            .as_str()
            .unwrap_or("")
            .to_string(),
        ready && p.metadata.deletion_timestamp.is_none(),
    ))
}

/// Polls `what` through the API until it holds; returns how long it took.
async fn poll<F, Fut>(what: &str, limit: Duration, log: &Path, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let t0 = Instant::now();
    loop {
        if check().await {
            return t0.elapsed();
        }
        assert!(
            t0.elapsed() < limit,
            "{what} not seen within {limit:?}; controller log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_against_cluster_rolls_a_runtime_version_patch_in_place() {
    use fluidops::cluster::writer::WriteOp;
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("roll");
    let seed = tempfile::tempdir().unwrap();
    against_cluster_seed(seed.path(), &ns);
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("controller.log");
    let t0 = Instant::now();
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_fluidops"))
            .args(["demo", "--against-cluster", "--speed", "10", "--seed"])
            .arg(seed.path())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("KUBECONFIG", &h.kubeconfig)
            .env_remove("KUBERNETES_SERVICE_HOST")
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(home.path().join("stderr.log")).unwrap())
            .spawn()
            .expect("start fluidops demo --against-cluster"),
    );
    let workers = ["warm-worker-0", "warm-worker-1"];
    let up = poll("both workers Ready", Duration::from_secs(60), &log, || {
        let admin = admin.clone();
        let ns = ns.clone();
        async move {
            for w in workers {
                if !pod_state(&admin, &ns, w).await.is_some_and(|s| s.3) {
                    return false;
                }
            }
            true
        }
    })
    .await;
    let mut before = Vec::new();
    for w in workers {
        before.push(pod_state(&admin, &ns, w).await.unwrap());
    }
    assert!(
        before.iter().all(|s| s.1 == "curvine/curvine:v0.2.5"),
        "{before:?}"
    );

    // The upgrade wizard's patch, through the console's writer.
    let w = console_writer(&admin);
    let t1 = Instant::now();
    send(
        &w,
        WriteOp::MergePatch {
            key: ObjectKey::new(Kind::CacheRuntime, &ns, "warm"),
            patch: json!({"spec": {"worker": {"runtimeVersion":
                {"image": "curvine/curvine", "imageTag": "v0.2.6", "imagePullPolicy": "IfNotPresent"}}}}),
        },
    )
    .await
    .expect("patch runtimeVersion");
    let target = "curvine/curvine:v0.2.6";
    let rolled = poll(
        "workers on v0.2.6 in place",
        Duration::from_secs(30),
        &log,
        || {
            let admin = admin.clone();
            let ns = ns.clone();
            let before = before.clone();
            async move {
                for (w, b) in workers.iter().zip(&before) {
                    let Some(s) = pod_state(&admin, &ns, w).await else {
                        return false;
                    };
                    assert_eq!(s.0, b.0, "{w} was replaced, not updated in place");
                    if !(s.1 == target && s.2 == target && s.3) {
                        return false;
                    }
                }
                true
            }
        },
    )
    .await;
    let wl = api(&admin, Kind::AdvancedStatefulSet, &ns)
        .get("warm-worker")
        .await
        .unwrap();
    assert_eq!(
        wl.data["spec"]["template"]["spec"]["containers"][0]["image"],
        target
    );
    let observed = wl.data["status"]["observedGeneration"]
        .as_i64()
        .unwrap_or(0);
    assert!(
        observed >= wl.metadata.generation.unwrap_or(i64::MAX),
        "observedGeneration {observed} behind generation {:?}",
        wl.metadata.generation
    );
    assert_eq!(wl.data["status"]["updatedReplicas"], 2);
    eprintln!(
        "workers Ready {up:?} after the controller started; runtimeVersion patch rolled in place \
         in {rolled:?} ({:?} since the patch, {:?} since the start)",
        t1.elapsed(),
        t0.elapsed()
    );

    // A rebuild's delete through the API: the pod is replaced (new UID) and comes back Ready.
    let t2 = Instant::now();
    let old = before[0].0.clone();
    send(
        &w,
        WriteOp::Delete(ObjectKey::new(Kind::Pod, &ns, "warm-worker-0")),
    )
    .await
    .expect("delete pod");
    let replaced = poll("worker-0 replaced", Duration::from_secs(30), &log, || {
        let admin = admin.clone();
        let ns = ns.clone();
        let old = old.clone();
        async move {
            pod_state(&admin, &ns, "warm-worker-0")
                .await
                .is_some_and(|s| s.0 != old && s.1 == target && s.3)
        }
    })
    .await;
    eprintln!(
        "worker-0 deleted through the API, replaced and Ready in {replaced:?} ({:?})",
        t2.elapsed()
    );

    // SAFETY: signals the child this test started, by its pid.
    unsafe {
        libc::kill(child.0.id() as i32, libc::SIGTERM);
    }
    let status = child.0.wait().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status:?}\n{text}");
    assert!(text.contains("changed through the API"), "{text}");
    assert!(text.contains("deleted through the API"), "{text}");
    assert!(!text.contains("failed:"), "{text}");
}

// ------------------------------------------------------------------ the wizards against the API server

/// The built-in demo's runtime classes and its `imagenet` namespace (imagenet-train: a master,
/// three workers in an AdvancedStatefulSet, two clients, a Bound dataset), moved into `ns` so
/// that tests running at once do not share objects. Without the Cron DataLoad: a seed's
/// timestamps are not moved to now, so the demo would replay every schedule missed since the
/// seed's lastScheduleTime back to back, holding the dataset's operation lock (a re-warm
/// DataLoad would wait behind them).
fn imagenet_seed(dir: &Path, ns: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("assets/demo/01-runtimeclasses.yaml"),
        dir.join("01-classes.yaml"),
    )
    .unwrap();
    let text = std::fs::read_to_string(root.join("assets/demo/02-imagenet.yaml")).unwrap();
    let docs: Vec<&str> = text
        .split("\n---\n")
        .filter(|d| !d.contains("policy: Cron"))
        .collect();
    assert!(docs.len() > 10, "02-imagenet.yaml split into documents");
    let text = docs.join("\n---\n");
    let re = regex::Regex::new(r"(?m)^(\s*(?:namespace|name): )imagenet[ \t]*$").unwrap();
    let text = re.replace_all(&text, format!("${{1}}{ns}"));
    let text = text.replace("imagenet-imagenet-", &format!("{ns}-imagenet-"));
    assert!(
        !regex::Regex::new(r"(?m)namespace: imagenet\s*$")
            .unwrap()
            .is_match(&text),
        "every object moved to {ns}"
    );
    std::fs::write(dir.join("02-imagenet.yaml"), text).unwrap();
}

const TRAIN: &str = "imagenet-train";
const TRAIN_PODS: [&str; 4] = [
    "imagenet-train-master-0",
    "imagenet-train-worker-0",
    "imagenet-train-worker-1",
    "imagenet-train-worker-2",
];

/// `fluidops demo --against-cluster --speed 10` on `seed`: the simulated Fluid control plane.
struct Controller {
    child: KillOnDrop,
    log: PathBuf,
    _home: tempfile::TempDir,
    _seed: tempfile::TempDir,
}

impl Controller {
    /// Seeds imagenet into `ns` and waits until the runtime's master and workers are Ready as
    /// any client of the API server sees them; returns their UIDs in [`TRAIN_PODS`] order.
    async fn start(h: &Harness, admin: &Client, ns: &str) -> (Controller, Vec<String>) {
        let seed = tempfile::tempdir().unwrap();
        imagenet_seed(seed.path(), ns);
        let home = tempfile::tempdir().unwrap();
        let log = home.path().join("controller.log");
        let child = KillOnDrop(
            Command::new(env!("CARGO_BIN_EXE_fluidops"))
                .args(["demo", "--against-cluster", "--speed", "10", "--seed"])
                .arg(seed.path())
                .env("HOME", home.path())
                .env("XDG_CONFIG_HOME", home.path().join("config"))
                .env("XDG_STATE_HOME", home.path().join("state"))
                .env("KUBECONFIG", &h.kubeconfig)
                .env_remove("KUBERNETES_SERVICE_HOST")
                .stdout(std::fs::File::create(&log).unwrap())
                .stderr(std::fs::File::create(home.path().join("stderr.log")).unwrap())
                .spawn()
                .expect("start fluidops demo --against-cluster"),
        );
        let c = Controller {
            child,
            log,
            _home: home,
            _seed: seed,
        };
        let up = poll(
            "imagenet-train Ready",
            Duration::from_secs(60),
            &c.log,
            || {
                let admin = admin.clone();
                let ns = ns.to_string();
                async move {
                    for p in TRAIN_PODS {
                        if !pod_state(&admin, &ns, p).await.is_some_and(|s| s.3) {
                            return false;
                        }
                    }
                    true
                }
            },
        )
        .await;
        eprintln!("{ns}: imagenet-train seeded and Ready in {up:?}");
        let mut uids = Vec::new();
        for p in TRAIN_PODS {
            uids.push(pod_state(admin, ns, p).await.unwrap().0);
        }
        (c, uids)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops it with SIGTERM and checks that none of its writes failed.
    fn stop(mut self) {
        // SAFETY: signals the child this test started, by its pid.
        unsafe {
            libc::kill(self.child.0.id() as i32, libc::SIGTERM);
        }
        let status = self.child.0.wait().unwrap();
        let text = self.log_text();
        assert!(status.success(), "{status:?}\n{text}");
        assert!(!text.contains("failed:"), "{text}");
    }
}

/// Deletes the maintenance records of a test's namespace when the test ends, passed or not:
/// records outlive their runs, and the test that removes the CRD expects none left (a console
/// keeps showing the records it had when their CRD goes).
struct RecordsCleanUp<'a> {
    h: &'a Harness,
    ns: String,
}

impl Drop for RecordsCleanUp<'_> {
    fn drop(&mut self) {
        let _ = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&self.h.kubeconfig)
            .args([
                "delete",
                MAINTENANCE_CRD,
                "--all",
                "--ignore-not-found",
                "-n",
            ])
            .arg(&self.ns)
            .envs(&self.h.env)
            .output();
    }
}

/// Whether the console's store holds imagenet-train, its dataset and its pods (the wizards
/// plan from these).
fn train_listed(a: &App, ns: &str) -> bool {
    a.store.runtime(ns, TRAIN).is_some()
        && a.store.dataset(ns, TRAIN).is_some()
        && a.store.pods_of_runtime(ns, TRAIN).len() >= 6
}

/// The record as the API server holds it.
async fn record_json(admin: &Client, key: &ObjectKey) -> Option<serde_json::Value> {
    let o = api(admin, Kind::CacheRuntimeMaintenance, &key.namespace)
        .get_opt(&key.name)
        .await
        .unwrap_or_else(|e| panic!("get {key}: {e}"))?;
    Some(serde_json::to_value(o).unwrap())
}

/// Runs console `c` (answering any step confirmation) until the record, as `read` finds it
/// (through the API, or on disk for a local record), is in `phase`; returns it and the time taken.
/// Prints each step the record moves to.
async fn drive_until<F, Fut>(
    c: &mut WizardConsole,
    key: &ObjectKey,
    phase: &str,
    limit: Duration,
    controller: &Controller,
    mut read: F,
) -> (serde_json::Value, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<serde_json::Value>>,
{
    let t0 = Instant::now();
    let mut last_read = Instant::now() - Duration::from_secs(1);
    let mut last: Option<serde_json::Value> = None;
    loop {
        if last_read.elapsed() >= Duration::from_millis(400) {
            last_read = Instant::now();
            let now = read().await;
            let progress = |r: &Option<serde_json::Value>| {
                r.as_ref().map(|r| {
                    (
                        r["status"]["phase"].clone(),
                        r["status"]["currentStep"].clone(),
                    )
                })
            };
            if progress(&now) != progress(&last)
                && let Some(r) = &now
            {
                let current = r["status"]["currentStep"].as_u64().unwrap_or(0) as usize;
                eprintln!(
                    "{:>6.1} s {key}: {} step {current} {}",
                    t0.elapsed().as_secs_f64(),
                    r["status"]["phase"],
                    r["status"]["steps"][current]["name"]
                );
            }
            last = now;
            if let Some(r) = &last
                && r["status"]["phase"] == phase
            {
                return (r.clone(), t0.elapsed());
            }
        }
        if t0.elapsed() > limit {
            let status = last.as_ref().map(|r| r["status"].clone());
            let flash = c.app.flash.clone();
            let screen = c.screen();
            panic!(
                "{key} not {phase} within {limit:?}; status {status:#?}\nflash {flash:?}\n{screen}\n\
                 controller log:\n{}",
                controller.log_text()
            );
        }
        c.answer_prompts(key).await;
        c.turn().await;
    }
}

fn step_states(rec: &serde_json::Value) -> Vec<(String, String)> {
    rec["status"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or("").to_string(),
                s["state"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Writes of the audit lines other than the record's status commits that went through:
/// (verb, object, note).
fn step_writes(lines: &[serde_json::Value]) -> Vec<(String, String, String)> {
    lines
        .iter()
        .filter(|l| l["verb"] != "patch status" && l["outcome"] == "ok")
        .map(|l| {
            (
                l["verb"].as_str().unwrap_or("").to_string(),
                l["object"].as_str().unwrap_or("").to_string(),
                l["note"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// With nobody playing Fluid, an upgrade's step waits for pods that never update: it fails as
/// timed out within a second of its deadline (the step's start plus its timeout), with no
/// cluster change to move the console's clock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_timeout_fires_on_time_on_a_quiet_cluster() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("wiztime");
    let _records = RecordsCleanUp { h, ns: ns.clone() };
    let (controller, _uids) = Controller::start(h, &admin, &ns).await;
    let mut c = WizardConsole::start(admin.clone(), &ns, None);
    c.until("imagenet-train listed", WAIT, |a| train_listed(a, &ns))
        .await;
    c.plan_upgrade_with(TRAIN, "v0.2.6", Some("30")).await;
    // Fluid stops answering: nothing on the cluster changes from here on.
    drop(controller);
    c.press("y").await;
    let key = c.app.run_page().expect("the run's page is open");
    let timed_out = |a: &mut App| {
        a.run_record(&key).and_then(|r| {
            let st = r.status.as_ref()?;
            st.steps.iter().find_map(|s| {
                let msg = s.message.as_deref()?;
                msg.starts_with("timed out after 30s")
                    .then(|| (s.started_at.clone(), msg.to_string()))
            })
        })
    };
    c.until("a step timed out", Duration::from_secs(60), |a| {
        timed_out(a).is_some()
    })
    .await;
    let fired = Timestamp::now();
    let (started, msg) = timed_out(&mut c.app).unwrap();
    let started: Timestamp = started.expect("the step's start").parse().unwrap();
    let late = fired.duration_since(started + jiff::SignedDuration::from_secs(30));
    eprintln!("{msg}: {late:?} after its deadline");
    assert!(
        late >= jiff::SignedDuration::ZERO && late <= jiff::SignedDuration::from_secs(1),
        "fired {late:?} after the deadline: {msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_wizard_runs_to_succeeded_against_the_api_server() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let t0 = Instant::now();
    let ns = unique_ns("wizup");
    let _records = RecordsCleanUp { h, ns: ns.clone() };
    let (controller, uids) = Controller::start(h, &admin, &ns).await;
    let mut c = WizardConsole::start(admin.clone(), &ns, None);
    c.until("imagenet-train listed", WAIT, |a| train_listed(a, &ns))
        .await;
    c.plan_upgrade(TRAIN, "v0.2.6").await;
    let Some(Overlay::Confirm(plan)) = c.app.overlays.top() else {
        unreachable!()
    };
    assert!(plan.title.contains("v0.2.6"), "{}", plan.title);
    assert!(
        plan.body
            .iter()
            .any(|l| l.contains("imagenet-train-worker-2")),
        "{:#?}",
        plan.body
    );
    let t1 = Instant::now();
    c.press("y").await;
    let key = c.app.run_page().expect("the run's page is open");
    assert!(c.app.drives(&key), "flash {:?}", c.app.flash);
    let (rec, took) = drive_until(
        &mut c,
        &key,
        "Succeeded",
        Duration::from_secs(90),
        &controller,
        || record_json(&admin, &key),
    )
    .await;
    eprintln!("upgrade: Succeeded {took:?} after the plan was confirmed");

    // Through the API: updated in place, lock released, every step Done.
    let target = "curvine/curvine:v0.2.6";
    for (p, uid) in TRAIN_PODS.iter().zip(&uids) {
        let (now_uid, spec, status, ready) = pod_state(&admin, &ns, p).await.expect(p);
        assert_eq!(&now_uid, uid, "{p} updated in place");
        assert_eq!(
            (spec.as_str(), status.as_str(), ready),
            (target, target, true),
            "{p}"
        );
    }
    let rt = live_value(&admin, &ObjectKey::new(Kind::CacheRuntime, &ns, TRAIN)).await;
    assert!(
        rt["metadata"]["annotations"]["fluidops.io/maintenance"].is_null(),
        "lock released: {}",
        rt["metadata"]
    );
    assert_eq!(rt["spec"]["worker"]["runtimeVersion"]["imageTag"], "v0.2.6");
    assert_eq!(rt["spec"]["master"]["runtimeVersion"]["imageTag"], "v0.2.6");
    let steps = step_states(&rec);
    assert!(steps.len() >= 4, "{steps:?}");
    assert!(steps.iter().all(|(_, s)| s == "Done"), "{steps:?}");

    // The console's audit log: the record created, its status committed, the runtime patched
    // and unlocked, all noted with the run.
    let lines = c.audit_lines();
    let rec_obj = format!("{}", key);
    assert!(
        lines.iter().any(|l| l["verb"] == "create"
            && l["object"] == rec_obj.as_str()
            && l["outcome"] == "ok"),
        "{lines:#?}"
    );
    let commits = lines
        .iter()
        .filter(|l| l["verb"] == "patch status" && l["outcome"] == "ok")
        .count();
    assert!(
        commits >= steps.len(),
        "a commit per step at least: {lines:#?}"
    );
    let rt_obj = format!("{}", ObjectKey::new(Kind::CacheRuntime, &ns, TRAIN));
    let runtime_patches: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["verb"] == "patch" && l["object"] == rt_obj.as_str())
        .collect();
    assert!(runtime_patches.len() >= 3, "{lines:#?}");
    assert!(
        runtime_patches.iter().all(|l| l["outcome"] == "ok"
            && l["note"]
                .as_str()
                .is_some_and(|n| n.starts_with(&format!("maintenance {}:", key.name)))),
        "{runtime_patches:#?}"
    );
    assert!(
        lines.iter().all(|l| l["outcome"] == "ok"),
        "no write refused: {lines:#?}"
    );
    let text = c.screen();
    assert!(text.contains("finished · Succeeded"), "{text}");
    controller.stop();
    eprintln!(
        "upgrade wizard: {} writes, {:?} in all ({:?} since confirmed)",
        lines.len(),
        t0.elapsed(),
        t1.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_wizard_recreates_a_worker_and_rewarms_against_the_api_server() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let t0 = Instant::now();
    let ns = unique_ns("wizrb");
    let _records = RecordsCleanUp { h, ns: ns.clone() };
    let (controller, uids) = Controller::start(h, &admin, &ns).await;
    let worker = TRAIN_PODS[2];
    let old_uid = uids[2].clone();
    let mut c = WizardConsole::start(admin.clone(), &ns, None);
    c.until("imagenet-train listed", WAIT, |a| train_listed(a, &ns))
        .await;
    // A manual rebuild of one worker, chosen on the pods view.
    c.plan_rebuild_of_pod(worker).await;
    let Some(Overlay::Confirm(plan)) = c.app.overlays.top() else {
        unreachable!()
    };
    let text = format!("{}\n{}", plan.title, plan.body.join("\n"));
    assert!(text.contains(worker) && text.contains("Manual"), "{text}");
    let t1 = Instant::now();
    c.press("y").await;
    let key = c.app.run_page().expect("the run's page is open");
    assert!(c.app.drives(&key), "flash {:?}", c.app.flash);
    let rewarm = fluidops::workflows::plan::rewarm_name(&key.name);
    let (rec, took) = drive_until(
        &mut c,
        &key,
        "Succeeded",
        Duration::from_secs(90),
        &controller,
        || record_json(&admin, &key),
    )
    .await;
    eprintln!("rebuild: Succeeded {took:?} after the plan was confirmed");

    // Through the API: the worker is a new pod, Ready; the others untouched.
    let (uid, _, _, ready) = pod_state(&admin, &ns, worker).await.expect(worker);
    assert_ne!(uid, old_uid, "{worker} recreated with a new UID");
    assert!(ready, "{worker} Ready again");
    for (p, before) in TRAIN_PODS.iter().zip(&uids) {
        if *p != worker {
            assert_eq!(&pod_state(&admin, &ns, p).await.unwrap().0, before, "{p}");
        }
    }
    // The re-warm DataLoad was created and the control plane ran it to Complete.
    let load = api(&admin, Kind::Operation(OpKind::DataLoad), &ns)
        .get_opt(&rewarm)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no DataLoad {rewarm}"));
    assert_eq!(load.data["status"]["phase"], "Complete", "{:?}", load.data);
    assert_eq!(load.data["spec"]["dataset"]["name"], TRAIN);
    let steps = step_states(&rec);
    assert!(
        steps.iter().all(|(_, s)| s == "Done" || s == "Skipped"),
        "{steps:?}"
    );
    let rt = live_value(&admin, &ObjectKey::new(Kind::CacheRuntime, &ns, TRAIN)).await;
    assert!(rt["metadata"]["annotations"]["fluidops.io/maintenance"].is_null());
    let lines = c.audit_lines();
    let pod_obj = format!("{}", ObjectKey::new(Kind::Pod, &ns, worker));
    let deletes = lines
        .iter()
        .filter(|l| {
            (l["verb"] == "delete" || l["verb"] == "force delete")
                && l["object"] == pod_obj.as_str()
        })
        .count();
    assert_eq!(deletes, 1, "the pod deleted once: {lines:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l["verb"] == "create"
                && l["object"].as_str().is_some_and(|o| o.contains(&rewarm))),
        "{lines:#?}"
    );
    controller.stop();
    eprintln!(
        "rebuild wizard: steps {steps:?}, {} writes, {:?} in all ({:?} since confirmed)",
        lines.len(),
        t0.elapsed(),
        t1.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_console_takes_over_a_run_and_no_step_is_sent_twice() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let t0 = Instant::now();
    let ns = unique_ns("wiztwo");
    let _records = RecordsCleanUp { h, ns: ns.clone() };
    let (controller, uids) = Controller::start(h, &admin, &ns).await;
    let mut first = WizardConsole::start(admin.clone(), &ns, None);
    let mut second = WizardConsole::start(admin.clone(), &ns, None);
    for c in [&mut first, &mut second] {
        c.until("imagenet-train listed", WAIT, |a| train_listed(a, &ns))
            .await;
    }
    first.plan_upgrade(TRAIN, "v0.2.6").await;
    first.press("y").await;
    let key = first.app.run_page().expect("the run's page is open");
    assert!(first.app.drives(&key));

    // The first console drives until the master runs the new version.
    let target = "curvine/curvine:v0.2.6";
    let master = TRAIN_PODS[0];
    let t1 = Instant::now();
    loop {
        first.turn().await;
        second.turn().await;
        if pod_state(&admin, &ns, master)
            .await
            .is_some_and(|s| s.1 == target && s.2 == target && s.3)
        {
            break;
        }
        assert!(
            t1.elapsed() < Duration::from_secs(60),
            "master not upgraded; controller log:\n{}",
            controller.log_text()
        );
    }
    // The second console sees the running record, not driven by it.
    second
        .until("the record Running in the second store", WAIT, |a| {
            a.run_record(&key)
                .is_some_and(|r| r.phase().to_string() == "Running")
        })
        .await;
    second.open_record(&key).await;
    assert!(!second.app.drives(&key));
    let text = second.screen();
    assert!(text.contains("not driven by this console"), "{text}");
    second.press("<Enter>").await;
    let Some(Overlay::Confirm(c)) = second.app.overlays.top() else {
        panic!("take-over asks first:\n{}", second.screen());
    };
    assert!(c.title.contains("Drive this run"), "{}", c.title);
    assert!(
        second.sent == 0,
        "nothing written before the take-over is confirmed"
    );

    // The first console goes away mid-run; the second takes over and finishes.
    let first_lines = first.audit_lines();
    assert!(first.app.drives(&key), "the first console was driving");
    drop(first);
    second.press("y").await;
    assert!(second.app.drives(&key), "flash {:?}", second.app.flash);
    let (rec, took) = drive_until(
        &mut second,
        &key,
        "Succeeded",
        Duration::from_secs(90),
        &controller,
        || record_json(&admin, &key),
    )
    .await;
    eprintln!("take-over: Succeeded {took:?} after the second console took over");
    for (p, uid) in TRAIN_PODS.iter().zip(&uids) {
        let (now_uid, spec, status, ready) = pod_state(&admin, &ns, p).await.expect(p);
        assert_eq!(&now_uid, uid, "{p} updated in place");
        assert_eq!(
            (spec.as_str(), status.as_str(), ready),
            (target, target, true),
            "{p}"
        );
    }
    let steps = step_states(&rec);
    assert!(steps.iter().all(|(_, s)| s == "Done"), "{steps:?}");

    // Each console's writes from its own audit log: both did some of the run's writes, and no
    // write of a step went out twice.
    let second_lines = second.audit_lines();
    let (a, b) = (step_writes(&first_lines), step_writes(&second_lines));
    assert!(
        a.iter().any(|w| w.0 == "create"),
        "the first console created the record: {a:#?}"
    );
    assert!(!b.is_empty(), "the second console finished the run: {b:#?}");
    let mut seen: HashMap<&(String, String, String), usize> = HashMap::new();
    for w in a.iter().chain(&b) {
        *seen.entry(w).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "writes sent twice: {twice:#?}\nfirst console:\n{a:#?}\nsecond console:\n{b:#?}"
    );
    controller.stop();
    eprintln!(
        "two consoles: first sent {} step writes, second {}; {:?} in all",
        a.len(),
        b.len(),
        t0.elapsed()
    );
}

/// Puts the CacheRuntimeMaintenance CRD back: explicitly at the end of a test, or when the test
/// panics (on drop).
struct CrdBack<'a> {
    h: &'a Harness,
    done: bool,
}

const MAINTENANCE_CRD: &str = "cacheruntimemaintenances.ops.fluidops.io";

impl CrdBack<'_> {
    fn install(h: &Harness) -> Result<(), String> {
        let file = crd_file("ops.fluidops.io_cacheruntimemaintenances.yaml");
        let file = file.to_str().unwrap().to_string();
        let apply = [
            "apply",
            "--server-side",
            "--field-manager",
            "fluidops-e2e",
            "-f",
            &file,
        ];
        let wait = [
            "wait",
            "--for",
            "condition=Established",
            "--timeout",
            "60s",
            "-f",
            &file,
        ];
        for args in [&apply[..], &wait[..]] {
            let out = Command::new("kubectl")
                .arg("--kubeconfig")
                .arg(&h.kubeconfig)
                .args(args)
                .envs(&h.env)
                .output()
                .map_err(|e| e.to_string())?;
            if !out.status.success() {
                return Err(String::from_utf8_lossy(&out.stderr).into_owned());
            }
        }
        Ok(())
    }

    fn reinstall(mut self) {
        self.done = true;
        Self::install(self.h).expect("re-install the CacheRuntimeMaintenance CRD");
    }
}

impl Drop for CrdBack<'_> {
    fn drop(&mut self) {
        if !self.done
            && let Err(e) = Self::install(self.h)
        {
            eprintln!("could not re-install the CacheRuntimeMaintenance CRD: {e}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_maintenance_crd_a_run_is_recorded_on_this_machine() {
    use fluidops::cluster::local_records::{self, LOCAL_ANNOTATION};
    if skipped() {
        return;
    }
    let h = harness();
    let _g = exclusive().await;
    let admin = client_for(&h.kubeconfig).await;
    let t0 = Instant::now();
    let ns = unique_ns("wizlocal");
    let crd = CrdBack { h, done: false };
    h.kubectl(&[
        "delete",
        "crd",
        MAINTENANCE_CRD,
        "--wait=true",
        "--ignore-not-found",
    ]);
    let (controller, uids) = Controller::start(h, &admin, &ns).await;
    let records = tempfile::tempdir().unwrap();
    let kind = Kind::CacheRuntimeMaintenance;
    let mut c = WizardConsole::start(admin.clone(), &ns, Some(records.path()));
    c.until(
        "imagenet-train listed, maintenance not installed",
        WAIT,
        |a| train_listed(a, &ns) && a.store.availability(kind) == Availability::NotInstalled,
    )
    .await;
    c.plan_upgrade(TRAIN, "v0.2.6").await;
    c.press("y").await;
    let key = c.app.run_page().expect("the run's page is open");
    assert!(c.app.drives(&key), "flash {:?}", c.app.flash);
    let local = |dir: PathBuf, key: ObjectKey| async move {
        let (objects, problems) = local_records::load(&dir);
        assert!(problems.is_empty(), "{problems:?}");
        objects
            .into_iter()
            .find(|o| o.key() == key)
            .map(|o| o.to_value())
    };
    let dir = records.path().to_path_buf();
    let (rec, took) = drive_until(
        &mut c,
        &key,
        "Succeeded",
        Duration::from_secs(90),
        &controller,
        || local(dir.clone(), key.clone()),
    )
    .await;
    eprintln!("local record: Succeeded {took:?} after the plan was confirmed");
    let steps = step_states(&rec);
    assert!(steps.iter().all(|(_, s)| s == "Done"), "{steps:?}");
    assert!(
        !rec["metadata"]["annotations"][LOCAL_ANNOTATION].is_null(),
        "{}",
        rec["metadata"]
    );

    // The runtime's writes went to the API server; nothing of the record did.
    let target = "curvine/curvine:v0.2.6";
    for (p, uid) in TRAIN_PODS.iter().zip(&uids) {
        let (now_uid, spec, status, ready) = pod_state(&admin, &ns, p).await.expect(p);
        assert_eq!(&now_uid, uid, "{p} updated in place");
        assert_eq!(
            (spec.as_str(), status.as_str(), ready),
            (target, target, true),
            "{p}"
        );
    }
    let rt = live_value(&admin, &ObjectKey::new(Kind::CacheRuntime, &ns, TRAIN)).await;
    assert!(rt["metadata"]["annotations"]["fluidops.io/maintenance"].is_null());
    assert_eq!(rt["spec"]["worker"]["runtimeVersion"]["imageTag"], "v0.2.6");
    let lines = c.audit_lines();
    let rec_obj = key.to_string();
    let commits = lines
        .iter()
        .filter(|l| l["object"] == rec_obj.as_str() && l["outcome"] == "ok")
        .count();
    assert!(commits > steps.len(), "{lines:#?}");
    assert!(lines.iter().all(|l| l["outcome"] == "ok"), "{lines:#?}");
    let e = api(&admin, kind, &ns).get(&key.name).await.unwrap_err();
    assert!(
        matches!(&e, kube::Error::Api(s) if s.code == 404),
        "the API server has no such resource: {e}"
    );

    // A console started afterwards on the same directory shows the record in the maintenance
    // view, though the cluster has no CRD for it.
    drop(c);
    let mut later = WizardConsole::start(admin.clone(), &ns, Some(records.path()));
    later
        .until("maintenance not installed", WAIT, |a| {
            a.store.availability(kind) == Availability::NotInstalled
                && a.store.runtime(&ns, TRAIN).is_some()
        })
        .await;
    assert!(later.app.store.get(&key).is_some(), "loaded into the store");
    later.app.act(Action::ViewOpen(ViewKind::Maintenance));
    let text = later.screen();
    assert!(line_with(&text, &key.name).contains("Succeeded"), "{text}");
    crd.reinstall();
    controller.stop();
    eprintln!("local records flow in {:?}", t0.elapsed());
}

// Where to look first (problems, events, nodes), with this module's harness and console.
#[path = "e2e_problems.rs"]
mod problems;
// ------------------------------------------------------------------ shell (s)

/// `s` goes through the API server's exec. This harness runs no kubelet (no node runs the
/// pod), so the API server refuses the exec: the console says what the server said, stays, and
/// audits the attempt. The shell's plumbing (the terminal handed over and back) is covered by
/// the demo's simulated shell in `shell.rs`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_goes_through_the_api_servers_exec_and_reports_its_answer() {
    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("shell");
    create_namespace(&admin, &ns).await;
    create(
        &admin,
        Kind::Pod,
        &ns,
        pod(&ns, "shellrt-worker-0", "shellrt"),
    )
    .await;
    let key = ObjectKey::new(Kind::Pod, &ns, "shellrt-worker-0");
    let err = fluidops::shell::exec(admin.clone(), &key, "worker")
        .await
        .expect_err("no node runs the pod: the API server cannot exec");
    assert_eq!(err, "pod shellrt-worker-0 does not have a host assigned");

    let kubeconfig = h.kubeconfig.clone();
    tokio::task::spawn_blocking(move || {
        let mut p = Pty::start(&["-n", &ns], &kubeconfig);
        p.wait_for("ctx:e2e");
        p.keys(":pods\r");
        p.wait_for("shellrt-worker-0");
        p.keys("s");
        // The footer (cut at the terminal's width) says it; the audit log has it whole.
        let screen = p.wait_for("no shell in");
        assert!(
            screen.contains(&format!("no shell in {ns}/shellrt-worker-0: pod")),
            "{screen}"
        );
        // Back on the console, keys work as before.
        p.keys(":runtimes\r");
        p.wait_for("runtimes(");
        p.keys("q");
        assert!(p.wait_exit().success());
        let audit = std::fs::read_to_string(p._home.path().join("state/fluidops/audit.log"))
            .expect("the audit log");
        assert!(
            audit.contains("pod.shell worker")
                && audit.contains("pod shellrt-worker-0 does not have a host assigned"),
            "{audit}"
        );
    })
    .await
    .unwrap();
}
