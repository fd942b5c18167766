//! End to end against upstream Fluid's own controllers (tests/e2e/fluid.sh): the API server with
//! kube-controller-manager, kube-scheduler, kwok (fake nodes and pods) and Fluid's
//! cacheruntime and dataset controllers built from Fluid's source. The upstream Curvine e2e
//! manifests (`test/gha-e2e/curvine` in Fluid's source) are applied as Fluid's own e2e test
//! applies them; Fluid brings the runtime up, mounts the dataset (the upstream `mountUfs.sh`
//! runs against a stand-in `cv`), binds it and runs the upstream DataLoad to Complete; a
//! DataMigrate fails as unsupported; a worker is upgraded in place. The console's kube source,
//! store and rendered views run against it from the start and must show what Fluid wrote.
//!
//! No false alarm: the client Fluid reports NotReady before any application pod uses the
//! dataset shows idle, a DataMigrate Fluid fails without a duration shows `-`, a finished job pod
//! `✔ Completed`, a setup pass's leftover condition stale.
//!
//! The level has its own API server: state in `$FLUIDOPS_E2E_FLUID_STATE` (default a directory
//! of this test process), taken down when the process exits unless `FLUIDOPS_E2E_KEEP=1`.
//! If it cannot be built or started the test fails; `FLUIDOPS_E2E=0` skips it explicitly.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use fluidops::app::actions::{Action, ViewKind};
use fluidops::app::{App, Msg, Screen};
use fluidops::cluster::kube_source::{KubeSource, KubeSourceOptions, api_resource};
use fluidops::cluster::source::SourceMsg;
use fluidops::cluster::{Availability, ConnectionState};
use fluidops::config::{Keymap, Theme};
use fluidops::model::{Kind, ObjectKey, OpKind};
use fluidops::ui::Ctx;
use jiff::Timestamp;
use kube::Client;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::support::fluid_level::{Level, client_for, level, skipped, upstream_secret};

/// How long Fluid gets for each step (it takes about a second for each on an idle machine).
const WAIT: Duration = Duration::from_secs(120);
/// The upstream manifests have no namespace: kubectl puts them in the context's, `default`.
const NS: &str = "default";
/// Dataset, runtime and class of the upstream Curvine e2e test.
const NAME: &str = "curvine-demo";
const LOAD: &str = "curvine-dataload";
const MIGRATE: &str = "curvine-migrate";
const MASTER_POD: &str = "curvine-demo-master-0";
const WORKER_POD: &str = "curvine-demo-worker-0";

// ------------------------------------------------------------------ the level

fn api(client: &Client, kind: Kind) -> Api<DynamicObject> {
    let ar = api_resource(kind);
    if kind.namespaced() {
        Api::namespaced_with(client.clone(), NS, &ar)
    } else {
        Api::all_with(client.clone(), &ar)
    }
}

/// The object as Fluid left it on the API server.
async fn live(client: &Client, kind: Kind, name: &str) -> Option<Value> {
    let obj = api(client, kind).get_opt(name).await.ok()??;
    serde_json::to_value(obj).ok()
}

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_str()
        .unwrap_or_default()
}

fn n(v: &Value, path: &[&str]) -> Option<i64> {
    path.iter().fold(v, |v, k| &v[*k]).as_i64()
}

/// Polls the API server until `done` holds for the object (what Fluid wrote), failing with
/// the harness's logs after WAIT.
async fn until_fluid(
    l: &Level,
    client: &Client,
    kind: Kind,
    name: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> (Value, Duration) {
    let t0 = Instant::now();
    loop {
        let v = live(client, kind, name).await;
        if let Some(v) = &v
            && done(v)
        {
            return (v.clone(), t0.elapsed());
        }
        assert!(
            t0.elapsed() < WAIT,
            "Fluid did not get to {what} in {WAIT:?}; {kind} {name}:\n{}\n{}",
            v.map(|v| serde_json::to_string_pretty(&v["status"]).unwrap())
                .unwrap_or_else(|| "absent".into()),
            l.diagnostics()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

// ------------------------------------------------------------------ the console under test

struct Console {
    app: App,
    rx: mpsc::UnboundedReceiver<SourceMsg>,
    _source: KubeSource,
    keymap: Keymap,
    theme: Theme,
}

impl Console {
    fn start(client: Client) -> Console {
        let (tx, rx) = mpsc::unbounded_channel();
        let source = KubeSource::spawn(client, KubeSourceOptions::default(), tx);
        Console {
            app: App::new("e2e", Timestamp::now()),
            rx,
            _source: source,
            keymap: Keymap::builtin(),
            theme: Theme::builtin("default").expect("default theme"),
        }
    }

    /// Feeds the source's batches into the app until `done` holds.
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
                Ok(Some(_)) => {}
                Ok(None) => panic!("source closed while waiting for {what}"),
                Err(_) => panic!(
                    "the console's store did not show {what} in {WAIT:?}; connection {:?}",
                    self.app.store.connection()
                ),
            }
        }
    }

    /// Takes in whatever the source has sent by now.
    fn drain(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            if let SourceMsg::Batch { at, events } = msg {
                self.app.update(Msg::Cluster { at, events }, &self.keymap);
            }
        }
    }

    fn draw(&mut self, height: u16) -> String {
        self.app.now = Timestamp::now();
        let ctx = Ctx {
            theme: &self.theme,
            keymap: &self.keymap,
            demo: false,
            caption: None,
        };
        fluidops::snapshot::render_text(&mut self.app, &ctx, 160, height);
        fluidops::snapshot::render_text(&mut self.app, &ctx, 160, height)
    }

    fn view(&mut self, view: ViewKind) -> String {
        self.app.namespace = None;
        self.app.act(Action::ViewOpen(view));
        self.draw(30)
    }

    /// An object's page, tall enough for every section.
    fn detail(&mut self, key: ObjectKey) -> String {
        self.app.screen = Screen::Detail(key);
        self.draw(70)
    }
}

/// A screen row with the frame and runs of spaces squeezed: `a b c`.
fn words(row: &str) -> String {
    row.trim_matches(|c: char| c == '│' || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
}

fn component_counts(rt: &Value, c: &str) -> String {
    let st = &rt["status"][c];
    format!(
        "{{phase: {}, desired: {:?}, ready: {:?}}}",
        s(st, &["phase"]),
        n(st, &["desiredReplicas"]),
        n(st, &["readyReplicas"])
    )
}

// ------------------------------------------------------------------ the test

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_fluid_runs_the_curvine_e2e_and_the_console_shows_what_it_wrote() {
    if skipped() {
        eprintln!("FLUIDOPS_E2E=0: the end-to-end test against upstream Fluid is skipped");
        return;
    }
    let t_all = Instant::now();
    let l = level();
    let client = client_for(&l.kubeconfig).await;

    // The console watches from before the first object exists.
    let mut c = Console::start(client.clone());
    let t = c
        .wait_until("every kind listed", |a| {
            Kind::ALL
                .iter()
                .all(|k| a.store.availability(*k) == Availability::Available)
                && *a.store.connection() == ConnectionState::Connected
        })
        .await;
    eprintln!("console connected, every kind listed in {t:?}");

    // As upstream's test/gha-e2e/curvine/test.sh: the mount script, then class, dataset,
    // runtime (plus the credentials Secret its minio.yaml carries).
    let t0 = Instant::now();
    l.create(&l.manifest("mount.yaml"));
    l.create(&upstream_secret(l));
    for file in [
        "cacheruntimeclass.yaml",
        "dataset.yaml",
        "cacheruntime.yaml",
    ] {
        l.create(&l.manifest(file));
    }
    let (rt, took) = until_fluid(
        l,
        &client,
        Kind::CacheRuntime,
        NAME,
        "master and worker Ready",
        |v| {
            s(v, &["status", "master", "phase"]) == "Ready"
                && s(v, &["status", "worker", "phase"]) == "Ready"
        },
    )
    .await;
    eprintln!("Fluid: master and worker Ready {took:?} after the manifests");
    let (ds, took) = until_fluid(l, &client, Kind::Dataset, NAME, "Dataset Bound", |v| {
        s(v, &["status", "phase"]) == "Bound"
    })
    .await;
    eprintln!(
        "Fluid: Dataset Bound {:?} after the manifests ({took:?} after Ready)",
        t0.elapsed()
    );
    assert_eq!(n(&rt, &["status", "master", "readyReplicas"]), Some(1));
    assert_eq!(n(&rt, &["status", "worker", "readyReplicas"]), Some(1));
    assert_eq!(ds["status"]["mounts"][0]["mountPoint"], "s3://test");
    // Fluid mounted through pods/exec into the master: the upstream script ran against the
    // stand-in `cv`, whose mount table now holds the dataset's mount.
    let table = l
        .state
        .join("pods")
        .join(NS)
        .join(MASTER_POD)
        .join("master/var/lib/curvine-standin/mounts");
    let mounts = std::fs::read_to_string(&table).unwrap_or_default();
    assert!(
        mounts.contains("/minio\ts3://test/"),
        "{}: {mounts:?}\n{}",
        table.display(),
        l.log_tail("podexec.log", 20)
    );
    let rt = live(&client, Kind::CacheRuntime, NAME).await.unwrap();
    eprintln!(
        "Fluid wrote: master {}, worker {}, client {}, mountTime {:?}, setupDuration {:?}",
        component_counts(&rt, "master"),
        component_counts(&rt, "worker"),
        component_counts(&rt, "client"),
        s(&rt, &["status", "mountTime"]),
        s(&rt, &["status", "setupDuration"]),
    );

    // The upstream DataLoad.
    let t1 = Instant::now();
    l.create(&l.manifest("dataload.yaml"));
    let load_kind = Kind::Operation(OpKind::DataLoad);
    let (loaded, took) = until_fluid(l, &client, load_kind, LOAD, "DataLoad Complete", |v| {
        let phase = s(v, &["status", "phase"]);
        assert_ne!(phase, "Failed", "{v:#}\n{}", l.diagnostics());
        phase == "Complete"
    })
    .await;
    eprintln!(
        "Fluid: DataLoad Complete {took:?} after it was created (duration {:?})",
        s(&loaded, &["status", "duration"])
    );
    let loader_pod = l.kubectl(&[
        "get",
        "pods",
        "-l",
        "job-name=curvine-dataload-loader-job",
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ]);
    assert!(!loader_pod.is_empty(), "no loader pod");

    // A DataMigrate: the cache engine does not support it, Fluid fails it.
    let migrate_kind = Kind::Operation(OpKind::DataMigrate);
    let migrate: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "data.fluid.io/v1alpha1", "kind": "DataMigrate",
        "metadata": {"name": MIGRATE, "namespace": NS},
        "spec": {"from": {"dataset": {"name": NAME, "namespace": NS}},
                 "to": {"externalStorage": {"uri": "s3://backup/"}}}
    }))
    .unwrap();
    api(&client, migrate_kind)
        .create(&PostParams::default(), &migrate)
        .await
        .expect("create the DataMigrate");
    let (failed, took) = until_fluid(
        l,
        &client,
        migrate_kind,
        MIGRATE,
        "DataMigrate Failed",
        |v| s(v, &["status", "phase"]) == "Failed",
    )
    .await;
    eprintln!(
        "Fluid: DataMigrate Failed {took:?} after it was created (duration {:?})",
        s(&failed, &["status", "duration"])
    );

    // An in-place worker upgrade: Fluid patches the worker AdvancedStatefulSet, its
    // controller updates the pod in place, kwok restarts the container 3 s later.
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(client.clone(), NS);
    let before = pods.get(WORKER_POD).await.expect("worker pod");
    let patch = json!({"spec": {"worker": {"runtimeVersion":
        {"image": "curvine/curvine", "imageTag": "v0.2.1-test"}}}});
    api(&client, Kind::CacheRuntime)
        .patch(NAME, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("patch runtimeVersion");
    let (upgraded, took) = until_fluid(
        l,
        &client,
        Kind::Pod,
        WORKER_POD,
        "the worker restarted with the new image",
        |v| {
            let cs = &v["status"]["containerStatuses"][0];
            s(cs, &["image"]) == "curvine/curvine:v0.2.1-test"
                && n(cs, &["restartCount"]) == Some(1)
        },
    )
    .await;
    assert_eq!(
        s(&upgraded, &["metadata", "uid"]),
        before.metadata.uid.as_deref().unwrap_or_default(),
        "updated in place, not recreated"
    );
    eprintln!("Fluid: worker upgraded in place, restarted {took:?} after the patch");
    until_fluid(l, &client, Kind::CacheRuntime, NAME, "worker Ready", |v| {
        s(v, &["status", "worker", "phase"]) == "Ready"
    })
    .await;
    eprintln!("Fluid's steps took {:?}", t1.elapsed());

    // ---------------------------------------------------------- the console
    // Caught up: the store holds each object at the resourceVersion the API server has now.
    let keys = [
        ObjectKey::new(Kind::CacheRuntime, NS, NAME),
        ObjectKey::new(Kind::Dataset, NS, NAME),
        ObjectKey::new(Kind::CacheRuntimeClass, "", NAME),
        ObjectKey::new(load_kind, NS, LOAD),
        ObjectKey::new(migrate_kind, NS, MIGRATE),
        ObjectKey::new(Kind::Pod, NS, MASTER_POD),
        ObjectKey::new(Kind::Pod, NS, WORKER_POD),
        ObjectKey::new(Kind::Pod, NS, &loader_pod),
    ];
    let t = Instant::now();
    let fluid = loop {
        let mut now = HashMap::new();
        for key in &keys {
            let v = live(&client, key.kind, &key.name)
                .await
                .expect("still there");
            now.insert(key.clone(), v);
        }
        c.drain();
        let behind: Vec<&ObjectKey> = keys
            .iter()
            .filter(|k| {
                let rv = s(&now[*k], &["metadata", "resourceVersion"]);
                c.app
                    .store
                    .get(k)
                    .map(|o| o.meta().resource_version.as_deref())
                    != Some(Some(rv))
            })
            .collect();
        if behind.is_empty() {
            break now;
        }
        assert!(
            t.elapsed() < WAIT,
            "the console's store is behind on {behind:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!(
        "console: caught up {:?} after Fluid's last step",
        t.elapsed()
    );
    let rt = &fluid[&keys[0]];
    let ds = &fluid[&keys[1]];
    let load = &fluid[&keys[3]];
    let migrated = &fluid[&keys[4]];
    let worker = &fluid[&keys[6]];
    eprintln!(
        "Fluid wrote: master {}, worker {}, client {}; dataset {:?}, conditions {}; \
         DataLoad {:?} duration {:?}; DataMigrate {:?} duration {:?}",
        component_counts(rt, "master"),
        component_counts(rt, "worker"),
        component_counts(rt, "client"),
        s(ds, &["status", "phase"]),
        ds["status"]["conditions"],
        s(load, &["status", "phase"]),
        s(load, &["status", "duration"]),
        s(migrated, &["status", "phase"]),
        s(migrated, &["status", "duration"]),
    );
    let client_counts = n(rt, &["status", "client", "desiredReplicas"]).is_some();

    let runtimes = c.view(ViewKind::Runtimes);
    eprintln!("--- runtimes view\n{runtimes}");
    let row = line_with(&runtimes, NAME);
    let cells = words(row);
    assert!(
        cells.contains("● Ready 1/1 ● Ready 1/1"),
        "master, worker: {cells}"
    );
    assert!(
        cells.contains("● curvine-demo"),
        "the dataset, bound: {cells}"
    );
    // Fluid wrote client {phase: NotReady} with no counts: no application pod uses the
    // dataset yet. Idle, not an alarm.
    assert!(
        cells.contains("● Ready ● Ready 1/1 ● Ready 1/1 ○ idle")
            && !cells.contains("(client!)")
            && !cells.contains('✗'),
        "runtimes view: `{cells}` for client {}",
        component_counts(rt, "client")
    );

    let datasets = c.view(ViewKind::Datasets);
    eprintln!("--- datasets view\n{datasets}");
    let row = words(line_with(&datasets, NAME));
    assert!(row.contains("● Bound curvine-demo s3://test"), "{row}");

    let ops = c.view(ViewKind::Ops);
    eprintln!("--- ops view\n{ops}");
    let row = words(line_with(&ops, LOAD));
    let want = format!(
        "DataLoad curvine-demo ✔ Complete {} Once",
        s(load, &["status", "duration"])
    );
    assert!(row.contains(&want), "{row}");
    let row = words(line_with(&ops, MIGRATE));
    assert!(row.contains("Failed"), "{row}");
    // Fluid leaves duration "Unfinished" on an operation the engine does not support.
    assert!(
        row.contains("Failed (Unsupported) - Once") && !row.contains("Unfinished"),
        "ops view: `{row}`, duration {:?}",
        s(migrated, &["status", "duration"])
    );

    let pods_view = c.view(ViewKind::Pods);
    eprintln!("--- pods view\n{pods_view}");
    let row = words(line_with(&pods_view, MASTER_POD));
    assert!(row.contains("master ● Running 1/1 0"), "{row}");
    let row = words(line_with(&pods_view, WORKER_POD));
    assert!(
        row.contains("worker ● Running 1/1 1"),
        "restarted once: {row}"
    );
    assert!(row.contains("v0.2.1-test"), "the upgraded image: {row}");
    let row = words(line_with(&pods_view, &loader_pod));
    assert!(row.contains("operation"), "{row}");
    assert!(
        row.contains("operation ✔ Completed"),
        "pods view: the DataLoad's finished job pod (phase {:?}) is `{row}`",
        s(&fluid[&keys[7]], &["status", "phase"])
    );

    let classes = c.view(ViewKind::Classes);
    eprintln!("--- classes view\n{classes}");
    let row = words(line_with(&classes, NAME));
    assert!(
        row.contains("curvinefs yes yes yes mountUFS DataLoad 1"),
        "{row}"
    );

    let page = c.detail(keys[0].clone());
    eprintln!("--- runtime page\n{page}");
    let summary = words(line_with(&page, "Phase:"));
    assert_eq!(
        summary,
        "Phase: ● Ready",
        "runtime page, for client {}",
        component_counts(rt, "client")
    );
    assert!(
        !page.contains("client NotReady"),
        "runtime page, timeline: the client's normal state as a failure:\n{page}"
    );
    let client_line = words(line_with(&page, "client  "));
    assert!(
        client_counts
            || (client_line.starts_with("client ○ idle") && !client_line.contains("cur 0")),
        "runtime page: client component `{client_line}` for client {}",
        component_counts(rt, "client")
    );
    // Fluid's events about the runtime (a setup pass can fail on a cache that has not seen
    // the client DaemonSet yet: ErrorProcessRuntime, then the next pass succeeds).
    let events = l.kubectl(&[
        "get",
        "events",
        "--field-selector",
        "involvedObject.kind=CacheRuntime,involvedObject.name=curvine-demo",
        "-o",
        "jsonpath={range .items[*]}{.reason}{\"\\n\"}{end}",
    ]);
    for reason in events.lines().filter(|r| !r.is_empty()) {
        assert!(
            page.contains(reason),
            "event {reason} on the runtime page:\n{page}"
        );
    }
    let worker_line = words(line_with(&page, "worker  "));
    assert!(
        worker_line.contains(&format!(
            "cur {} avail {} unavail {}",
            n(rt, &["status", "worker", "currentReplicas"]).unwrap_or(0),
            n(rt, &["status", "worker", "availableReplicas"]).unwrap_or(0),
            n(rt, &["status", "worker", "unavailableReplicas"]).unwrap_or(0)
        )),
        "{worker_line} vs {}",
        rt["status"]["worker"]
    );

    let page = c.detail(keys[1].clone());
    eprintln!("--- dataset page\n{page}");
    let stale = ds["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "NotReady" && c["status"] == "True");
    if let Some(cond) = stale {
        // A NotReady=True from a setup pass that failed before the dataset bound, left by
        // Fluid next to Ready=True: superseded.
        let line = words(line_with(&page, "NotReady"));
        assert!(
            line.contains("≈ True (stale)"),
            "dataset page: `{line}` for {}: {}",
            s(cond, &["reason"]),
            s(cond, &["message"])
        );
    }

    for key in [&keys[3], &keys[4], &keys[6]] {
        let text = c.detail(key.clone());
        eprintln!("--- {key} page\n{text}");
    }
    let page = c.detail(keys[6].clone());
    let image = words(line_with(&page, "Engine image:"));
    assert!(
        image.contains("v0.2.1-test") && !image.contains("spec wants"),
        "{image} vs {}",
        worker["status"]["containerStatuses"]
    );

    eprintln!("upstream Fluid e2e: {:?} in all", t_all.elapsed());
}
