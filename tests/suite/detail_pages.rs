//! Detail pages of every kind, built from the example manifests at a fixed "now":
//! snapshots of the rendered page at 80×24 and 160×48, checks on the sections behind them
//! (selectable targets, flags, phases), robustness against objects with missing fields, and
//! Tab / Enter navigation from a runtime to a pod and to a component timeline.

use crate::common;

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fluidops::app::detail::{Section, Target, sections};
use fluidops::app::{App, Msg, Screen};
use fluidops::cluster::{ClusterEvent, ConnectionState, Store, Subject};
use fluidops::config::{Keymap, Theme};
use fluidops::model::{Component, Kind, Object, ObjectKey, OpKind};
use fluidops::ui::{self, Ctx};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn now() -> Timestamp {
    "2026-11-25T10:00:00Z".parse().unwrap()
}

fn examples() -> Vec<Object> {
    common::example_objects()
}

/// An app whose store holds every example object, listed kind by kind (classes first).
fn app() -> App {
    let mut app = App::new("demo", now());
    let mut by_kind: BTreeMap<Kind, Vec<Object>> = BTreeMap::new();
    for o in examples() {
        by_kind.entry(o.kind()).or_default().push(o);
    }
    for kind in Kind::ALL {
        let objects = by_kind.remove(&kind).unwrap_or_default();
        app.store
            .apply(ClusterEvent::Listed { kind, objects }, now());
    }
    app.store
        .apply(ClusterEvent::Connection(ConnectionState::Connected), now());
    app
}

fn key(kind: Kind, ns: &str, name: &str) -> ObjectKey {
    ObjectKey::new(kind, ns, name)
}

fn rt(ns: &str, name: &str) -> ObjectKey {
    key(Kind::CacheRuntime, ns, name)
}

fn load(ns: &str, name: &str) -> ObjectKey {
    key(Kind::Operation(OpKind::DataLoad), ns, name)
}

fn render(app: &mut App, k: &ObjectKey, w: u16, h: u16, theme: &str, ascii: bool) -> TestBackend {
    app.screen = Screen::Detail(k.clone());
    let mut theme = Theme::builtin(theme).expect("builtin theme");
    theme.set_ascii(ascii);
    let keymap = Keymap::builtin();
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
        demo: true,
        caption: None,
    };
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| {
            ui::draw(f, app, &ctx);
        })
        .unwrap();
    terminal.backend().clone()
}

fn snapshot(name: &str, backend: &TestBackend) {
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, backend);
    });
}

/// Snapshots of one page at both sizes.
fn snap_both(app: &mut App, name: &str, k: &ObjectKey) {
    let small = render(app, k, 80, 24, "default", false);
    snapshot(&format!("detail_{name}_80x24"), &small);
    let big = render(app, k, 160, 48, "default", false);
    snapshot(&format!("detail_{name}_160x48"), &big);
}

fn section<'a>(secs: &'a [Section], title: &str) -> &'a Section {
    secs.iter()
        .find(|s| s.title == title)
        .unwrap_or_else(|| panic!("no section {title} in {:?}", titles(secs)))
}

fn titles(secs: &[Section]) -> Vec<&str> {
    secs.iter().map(|s| s.title.as_str()).collect()
}

/// The line of a section whose first cell is `label` (e.g. `Phase:`).
fn line_of<'a>(sec: &'a Section, label: &str) -> &'a fluidops::app::detail::DetailLine {
    sec.lines
        .iter()
        .find(|l| l.cells.first().is_some_and(|c| c.text == label))
        .unwrap_or_else(|| panic!("no line {label} in {}", sec.title))
}

fn targets(sec: &Section) -> Vec<&Target> {
    sec.selectable().filter_map(|l| l.target.as_ref()).collect()
}

fn texts(l: &fluidops::app::detail::DetailLine) -> Vec<&str> {
    l.cells.iter().map(|c| c.text.as_str()).collect()
}

// ---------------------------------------------------------------------------------------------
// Snapshots.

#[test]
fn snapshots_of_runtimes() {
    let mut app = app();
    snap_both(
        &mut app,
        "runtime_healthy",
        &rt("imagenet", "imagenet-train"),
    );
    snap_both(
        &mut app,
        "runtime_degraded",
        &rt("llm-serving", "qwen-weights"),
    );
    snap_both(
        &mut app,
        "runtime_workers_only",
        &rt("imagenet", "imagenet-val"),
    );
    // The degraded runtime with its Pods pane focused: the page scrolls to it.
    let k = rt("llm-serving", "qwen-weights");
    app.screen = Screen::Detail(k.clone());
    let keymap = Keymap::builtin();
    for _ in 0..2 {
        app.update(
            Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
            &keymap,
        );
    }
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
        &keymap,
    );
    let b = render(&mut app, &k, 80, 24, "mono", false);
    snapshot("detail_runtime_degraded_pods_pane_80x24", &b);
}

#[test]
fn snapshots_of_operations() {
    let mut app = app();
    snap_both(
        &mut app,
        "dataload_cron",
        &load("imagenet", "imagenet-nightly-warm"),
    );
    snap_both(
        &mut app,
        "dataload_failed",
        &load("llm-serving", "qwen-warm-7b"),
    );
    snap_both(
        &mut app,
        "dataload_blocked",
        &load("llm-serving", "qwen-warm-7b-tokenizer"),
    );
    snap_both(
        &mut app,
        "datamigrate_unsupported",
        &key(
            Kind::Operation(OpKind::DataMigrate),
            "llm-serving",
            "qwen-export-eval",
        ),
    );
    snap_both(
        &mut app,
        "dataprocess",
        &key(
            Kind::Operation(OpKind::DataProcess),
            "imagenet",
            "imagenet-shard-index",
        ),
    );
}

#[test]
fn snapshots_of_pods() {
    let mut app = app();
    snap_both(
        &mut app,
        "pod_worker_inplace",
        &key(Kind::Pod, "feature-store", "feature-cache-worker-1"),
    );
    snap_both(
        &mut app,
        "pod_terminating",
        &key(Kind::Pod, "llm-serving", "qwen-weights-worker-2"),
    );
}

#[test]
fn snapshots_of_classes_datasets_and_maintenances() {
    let mut app = app();
    snap_both(
        &mut app,
        "class_curvine",
        &key(Kind::CacheRuntimeClass, "", "curvine-standard"),
    );
    snap_both(
        &mut app,
        "class_workers_only",
        &key(Kind::CacheRuntimeClass, "", "juicefs-workers"),
    );
    snap_both(
        &mut app,
        "maintenance_upgrade",
        &key(
            Kind::CacheRuntimeMaintenance,
            "feature-store",
            "feature-cache-upgrade",
        ),
    );
    snap_both(
        &mut app,
        "maintenance_rebuild",
        &key(
            Kind::CacheRuntimeMaintenance,
            "llm-serving",
            "qwen-weights-rebuild",
        ),
    );
    snap_both(
        &mut app,
        "dataset_locked",
        &key(Kind::Dataset, "imagenet", "imagenet-train"),
    );
    snap_both(
        &mut app,
        "dataset_after_remount",
        &key(Kind::Dataset, "feature-store", "feature-cache"),
    );
    snap_both(
        &mut app,
        "workload_rolling",
        &key(
            Kind::AdvancedStatefulSet,
            "feature-store",
            "feature-cache-worker",
        ),
    );
    snap_both(
        &mut app,
        "event",
        &key(
            Kind::Event,
            "llm-serving",
            "qwen-export-eval.1879f2a0bb000003",
        ),
    );
    // ASCII symbols and markers (terminals without UTF-8).
    let b = render(
        &mut app,
        &rt("llm-serving", "qwen-weights"),
        80,
        24,
        "mono",
        true,
    );
    snapshot("detail_runtime_degraded_ascii_80x24", &b);
}

// ---------------------------------------------------------------------------------------------
// The data behind the pages.

#[test]
fn healthy_runtime_sections_and_targets() {
    let app = app();
    let k = rt("imagenet", "imagenet-train");
    let secs = sections(&app.store, &k, now());
    assert_eq!(
        titles(&secs),
        [
            "Summary",
            "Components",
            "Pods",
            "Operations",
            "Conditions",
            "Timeline"
        ]
    );
    let summary = section(&secs, "Summary");
    let phase = line_of(summary, "Phase:");
    assert_eq!(phase.cells[1].phase.as_deref(), Some("Ready"));
    let class = line_of(summary, "Class:");
    assert_eq!(texts(class), ["Class:", "curvine-standard", "(curvinefs)"]);
    assert_eq!(
        class.target,
        Some(Target::Object(key(
            Kind::CacheRuntimeClass,
            "",
            "curvine-standard"
        )))
    );
    let cache = line_of(summary, "Cache:");
    assert_eq!(cache.cells[1].text, "as of bind");
    assert_eq!(cache.cells[1].phase.as_deref(), Some("Stale"));
    assert_eq!(
        cache.cells[2].text,
        "cached 1.02TiB of 2.34TiB capacity (43.6%) · 71.4% of dataset · hit ratio 93.1%"
    );

    let comps = section(&secs, "Components");
    assert_eq!(
        targets(comps),
        Component::ALL
            .iter()
            .map(|&c| Target::Timeline(Subject::Component(k.clone(), c)))
            .collect::<Vec<_>>()
            .iter()
            .collect::<Vec<_>>()
    );
    assert!(texts(&comps.lines[1]).contains(&"curvine/curvine:v0.2.5"));

    let pods: Vec<String> = targets(section(&secs, "Pods"))
        .into_iter()
        .map(|t| match t {
            Target::Object(k) => k.name.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        pods,
        [
            "imagenet-train-master-0",
            "imagenet-train-worker-0",
            "imagenet-train-worker-1",
            "imagenet-train-worker-2",
            "imagenet-train-client-7xk2p",
            "imagenet-train-client-q9mzd",
        ]
    );
    let ops = section(&secs, "Operations");
    assert_eq!(ops.lines.len(), 3);
    assert!(ops.lines.iter().all(|l| l.target.is_some()));
    // The WorkersReady quirk is shown as upstream writes it.
    let conds = section(&secs, "Conditions");
    assert!(
        conds
            .lines
            .iter()
            .any(|l| texts(l)[0] == "WorkersReady" && texts(l)[3] == "Workers are initialized")
    );
    let tl = section(&secs, "Timeline");
    assert_eq!(
        tl.lines[0].target,
        Some(Target::Timeline(Subject::Object(k.clone())))
    );
}

#[test]
fn degraded_runtime_shows_partial_ready_and_flags() {
    let app = app();
    let k = rt("llm-serving", "qwen-weights");
    let secs = sections(&app.store, &k, now());
    let phase = line_of(section(&secs, "Summary"), "Phase:");
    assert_eq!(phase.cells[1].phase.as_deref(), Some("PartialReady"));
    let comps = section(&secs, "Components");
    assert_eq!(
        comps.lines[1].cells[1].phase.as_deref(),
        Some("PartialReady")
    );
    assert_eq!(comps.lines[1].cells[1].text, "PartialReady 2/3");
    assert!(texts(&comps.lines[1]).contains(&"cur 3 avail 2 unavail 1"));
    let pods = section(&secs, "Pods");
    let terminating = pods
        .lines
        .iter()
        .find(|l| l.cells[0].text == "worker-2")
        .unwrap();
    // Lost with its node: it says so (kubectl would say Terminating or Unknown).
    assert_eq!(terminating.cells[1].text, "NodeLost");
    assert_eq!(terminating.cells[1].phase.as_deref(), Some("NotReady"));
    let ops = section(&secs, "Operations");
    let phase_of = |name: &str| {
        ops.lines
            .iter()
            .find(|l| l.cells[1].text == name)
            .and_then(|l| l.cells[2].phase.clone())
    };
    assert_eq!(phase_of("qwen-warm-7b").as_deref(), Some("Failed"));
    assert_eq!(
        phase_of("qwen-warm-7b-tokenizer").as_deref(),
        Some("Blocked")
    );
    assert_eq!(phase_of("qwen-export-eval").as_deref(), Some("Unsupported"));
    assert_eq!(phase_of("qwen-meta-backup").as_deref(), Some("Unsupported"));
    // Events include the pod's NodeNotReady, labelled with the pod.
    let events = section(&secs, "Events");
    assert!(
        events
            .lines
            .iter()
            .any(|l| texts(l).contains(&"NodeNotReady") && texts(l).contains(&"worker-2"))
    );
}

#[test]
fn workers_only_runtime_marks_the_master() {
    let app = app();
    let secs = sections(&app.store, &rt("imagenet", "imagenet-val"), now());
    let master = &section(&secs, "Components").lines[0];
    let t = texts(master);
    assert_eq!(t[0], "master");
    assert!(t.last().unwrap().contains("not in class"));
    assert!(t.last().unwrap().contains("disabled"));
    let mounted = line_of(section(&secs, "Summary"), "UFS mounted:");
    // The runtime has a mountTime from bind; the class has no mountUFS entry.
    assert!(mounted.cells[1].text.starts_with("2026-11-03T10:01:12Z"));
}

#[test]
fn operation_pages_state_their_flags_first() {
    let app = app();
    let blocked = sections(
        &app.store,
        &load("llm-serving", "qwen-warm-7b-tokenizer"),
        now(),
    );
    let summary = section(&blocked, "Summary");
    let first = &summary.lines[0];
    assert_eq!(first.cells[0].text, "Warning:");
    assert_eq!(first.cells[1].phase.as_deref(), Some("Blocked"));
    assert!(first.cells[2].text.contains("DataLoad/qwen-warm-7b"));
    let run_after = line_of(summary, "Runs after:");
    assert_eq!(
        run_after.target,
        Some(Target::Object(load("llm-serving", "qwen-warm-7b")))
    );
    assert_eq!(run_after.cells[2].phase.as_deref(), Some("Failed"));

    let migrate = sections(
        &app.store,
        &key(
            Kind::Operation(OpKind::DataMigrate),
            "llm-serving",
            "qwen-export-eval",
        ),
        now(),
    );
    let first = &section(&migrate, "Summary").lines[0];
    assert_eq!(first.cells[1].phase.as_deref(), Some("Unsupported"));
    assert!(first.cells[2].text.contains("DataMigrate is not supported"));
    let ds = line_of(section(&migrate, "Summary"), "Dataset:");
    assert_eq!(
        ds.target,
        Some(Target::Object(key(
            Kind::Dataset,
            "llm-serving",
            "qwen-weights"
        )))
    );

    let failed = sections(&app.store, &load("llm-serving", "qwen-warm-7b"), now());
    let summary = section(&failed, "Summary");
    assert_eq!(summary.lines[0].cells[0].text, "Namespace:");
    let failure = line_of(summary, "Failure:");
    assert_eq!(
        failure.cells[1].text,
        "BackoffLimitExceeded: Job has reached the specified backoff limit"
    );
    let next = line_of(summary, "Followed by:");
    assert_eq!(
        next.target,
        Some(Target::Object(load(
            "llm-serving",
            "qwen-warm-7b-tokenizer"
        )))
    );

    let cron = sections(
        &app.store,
        &load("imagenet", "imagenet-nightly-warm"),
        now(),
    );
    let summary = section(&cron, "Summary");
    assert_eq!(texts(line_of(summary, "Schedule:"))[1], "30 1 * * *");
    assert_eq!(
        texts(line_of(summary, "Last scheduled:"))[1],
        "2026-11-25T01:30:00Z (8h30m ago)"
    );
    assert_eq!(
        texts(line_of(summary, "Next run:"))[1],
        "2026-11-26T01:30:00Z (in 15h)"
    );
    let pods = section(&cron, "Pods");
    assert_eq!(
        targets(pods),
        [&Target::Object(key(
            Kind::Pod,
            "imagenet",
            "imagenet-nightly-warm-loader-job-29926170-8kq4v"
        ))]
    );
}

#[test]
fn pod_pages() {
    let app = app();
    let secs = sections(
        &app.store,
        &key(Kind::Pod, "llm-serving", "qwen-weights-worker-2"),
        now(),
    );
    let summary = section(&secs, "Summary");
    let status = &line_of(summary, "Status:").cells[1];
    assert_eq!(
        (status.text.as_str(), status.phase.as_deref()),
        ("NodeLost", Some("NotReady"))
    );
    assert_eq!(
        line_of(summary, "Terminating:").cells[1].phase.as_deref(),
        Some("Terminating")
    );
    assert_eq!(
        line_of(summary, "Runtime:").target,
        Some(Target::Object(rt("llm-serving", "qwen-weights")))
    );
    let conds = section(&secs, "Conditions");
    assert!(
        conds
            .lines
            .iter()
            .any(|l| texts(l)[0] == "DisruptionTarget")
    );

    let secs = sections(
        &app.store,
        &key(Kind::Pod, "feature-store", "feature-cache-worker-1"),
        now(),
    );
    let summary = section(&secs, "Summary");
    let image = line_of(summary, "Engine image:");
    assert_eq!(
        texts(image),
        [
            "Engine image:",
            "curvine/curvine:v0.2.5",
            "spec wants curvine/curvine:v0.2.6"
        ]
    );
    let i = summary
        .lines
        .iter()
        .position(|l| l.cells[0].text == "In-place update:")
        .unwrap();
    assert_eq!(
        summary.lines[i].cells[1].text,
        "in progress (InPlaceUpdateReady False: StartInPlaceUpdate)"
    );
    assert!(
        summary.lines[i + 1].cells[1]
            .text
            .starts_with("images -> revision feature-cache-worker-5b8e6f2a1")
    );
    let conds = section(&secs, "Conditions");
    let ipu = conds
        .lines
        .iter()
        .find(|l| texts(l)[0] == "InPlaceUpdateReady")
        .unwrap();
    assert_eq!(ipu.cells[1].phase.as_deref(), Some("Updating"));
}

#[test]
fn class_pages() {
    let app = app();
    let secs = sections(
        &app.store,
        &key(Kind::CacheRuntimeClass, "", "curvine-standard"),
        now(),
    );
    let runtimes: Vec<_> = targets(section(&secs, "Summary"));
    assert_eq!(runtimes.len(), 3, "{runtimes:?}");
    let entries = section(&secs, "Execution entries");
    let t: Vec<Vec<&str>> = entries.lines.iter().map(texts).collect();
    assert_eq!(t[0][..3], ["master", "mountUFS", "timeout 60s"]);
    assert_eq!(t[1][..3], ["master", "reportSummary", "timeout 30s"]);
    let extra = section(&secs, "Extra resources");
    assert!(texts(&extra.lines[0])[2].contains("master, worker, client"));

    let secs = sections(
        &app.store,
        &key(Kind::CacheRuntimeClass, "", "juicefs-workers"),
        now(),
    );
    let topo = section(&secs, "Topology");
    assert_eq!(texts(&topo.lines[0]), ["master", "none", "not in class"]);
    let entries = section(&secs, "Execution entries");
    assert_eq!(
        texts(&entries.lines[0])[..3],
        ["worker", "reportSummary", "timeout 20s"]
    );
    assert!(texts(&entries.lines[0])[4].contains("<runtime>-worker-0"));
    let ops = section(&secs, "Data operations");
    assert_eq!(ops.lines[2].cells[1].phase.as_deref(), Some("Unsupported"));
}

#[test]
fn maintenance_pages() {
    let app = app();
    let k = key(
        Kind::CacheRuntimeMaintenance,
        "feature-store",
        "feature-cache-upgrade",
    );
    let secs = sections(&app.store, &k, now());
    let steps = section(&secs, "Steps");
    assert_eq!(steps.lines.len(), 7);
    assert_eq!(steps.lines[5].cells[0].text, "> 6/7");
    assert_eq!(steps.lines[4].cells[0].text, "  5/7");
    assert_eq!(steps.lines[5].cells[2].phase.as_deref(), Some("Executing"));
    assert_eq!(steps.lines[0].cells[2].phase.as_deref(), Some("Complete"));
    // Steps open the object they target when it exists.
    assert_eq!(
        steps.lines[5].target,
        Some(Target::Object(key(
            Kind::AdvancedStatefulSet,
            "feature-store",
            "feature-cache-worker"
        )))
    );
    assert!(section(&secs, "Observed (wait-worker)").lines.len() >= 5);
    let summary = section(&secs, "Summary");
    assert_eq!(
        texts(line_of(summary, "Upgrade to:"))[1],
        "curvine/curvine:v0.2.6 (IfNotPresent)"
    );
    // The runtime links back to its maintenance.
    let rsecs = sections(&app.store, &rt("feature-store", "feature-cache"), now());
    assert_eq!(
        line_of(section(&rsecs, "Summary"), "Maintenance:").target,
        Some(Target::Object(k))
    );
}

#[test]
fn objects_with_missing_fields_do_not_panic() {
    let mut store = Store::new();
    let named = |kind: &str, ns: Option<&str>| {
        let mut v = serde_json::json!({"kind": kind, "metadata": {"name": "bare"}});
        if let Some(ns) = ns {
            v["metadata"]["namespace"] = ns.into();
        }
        if kind == "Event" {
            v["involvedObject"] = serde_json::json!({});
        }
        if kind == "Pod" || kind == "AdvancedStatefulSet" {
            v["apiVersion"] = "v1".into();
        }
        Object::from_value(v).unwrap().unwrap()
    };
    let objs = vec![
        named("CacheRuntimeClass", None),
        named("Dataset", Some("x")),
        named("CacheRuntime", Some("x")),
        named("AdvancedStatefulSet", Some("x")),
        named("Pod", Some("x")),
        named("DataLoad", Some("x")),
        named("DataProcess", Some("x")),
        named("DataMigrate", Some("x")),
        named("DataBackup", Some("x")),
        named("CacheRuntimeMaintenance", Some("x")),
        named("Event", Some("x")),
    ];
    for o in objs {
        let k = o.key();
        store.apply(ClusterEvent::Applied(o), now());
        let secs = sections(&store, &k, now());
        assert_eq!(secs[0].title, "Summary", "{k}");
        // And the page renders at a tiny size too.
        let mut app = App::new("demo", now());
        std::mem::swap(&mut app.store, &mut store);
        render(&mut app, &k, 40, 10, "default", false);
        std::mem::swap(&mut app.store, &mut store);
    }
    // A runtime whose class and dataset are missing.
    let secs = sections(&store, &rt("x", "bare"), now());
    let summary = section(&secs, "Summary");
    assert_eq!(line_of(summary, "Phase:").cells[1].text, "SettingUp");
}

// ---------------------------------------------------------------------------------------------
// Navigation.

fn press(app: &mut App, code: KeyCode, keymap: &Keymap) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), keymap);
}

#[test]
fn tab_and_enter_reach_a_pod_and_a_component_timeline() {
    let mut app = app();
    let keymap = Keymap::builtin();
    let k = rt("llm-serving", "qwen-weights");
    app.screen = Screen::Detail(k.clone());

    // Components pane, second line (worker) → its timeline.
    press(&mut app, KeyCode::Tab, &keymap);
    assert_eq!(app.page.pane, 1);
    press(&mut app, KeyCode::Char('j'), &keymap);
    press(&mut app, KeyCode::Enter, &keymap);
    assert_eq!(
        app.screen,
        Screen::Timeline(Subject::Component(k.clone(), Component::Worker))
    );

    // Back to the runtime, on to the Pods pane, the fourth pod (worker-2) → its detail.
    press(&mut app, KeyCode::Esc, &keymap);
    assert_eq!(app.screen, Screen::Detail(k.clone()));
    press(&mut app, KeyCode::Tab, &keymap);
    assert_eq!(app.page.pane, 2);
    for _ in 0..3 {
        press(&mut app, KeyCode::Char('j'), &keymap);
    }
    press(&mut app, KeyCode::Enter, &keymap);
    let pod = key(Kind::Pod, "llm-serving", "qwen-weights-worker-2");
    assert_eq!(app.screen, Screen::Detail(pod.clone()));

    // The pod page links back to its runtime.
    let secs = sections(&app.store, &pod, now());
    assert_eq!(
        secs[0].selectable().next().and_then(|l| l.target.clone()),
        Some(Target::Object(k.clone()))
    );
    press(&mut app, KeyCode::Enter, &keymap);
    assert_eq!(app.screen, Screen::Detail(k));
}

#[test]
fn the_cursor_row_is_highlighted_and_kept_in_view() {
    let mut app = app();
    let keymap = Keymap::builtin();
    let k = rt("llm-serving", "qwen-weights");
    app.screen = Screen::Detail(k.clone());
    // Operations pane (the fourth), third operation.
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab, &keymap);
    }
    press(&mut app, KeyCode::Char('j'), &keymap);
    press(&mut app, KeyCode::Char('j'), &keymap);
    let backend = render(&mut app, &k, 80, 24, "default", false);
    snapshot("detail_runtime_degraded_ops_pane_80x24", &backend);
    let selected = Theme::builtin("default").unwrap().style("table.selected");
    let buf = backend.buffer();
    let highlighted: Vec<String> = (0..buf.area.height)
        .filter(|&y| buf[(3, y)].bg == selected.bg.unwrap())
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect();
    assert_eq!(highlighted.len(), 1, "{highlighted:?}");
    assert!(
        highlighted[0].contains("qwen-export-eval"),
        "{highlighted:?}"
    );
    assert_eq!(
        app.selected_object(),
        Some(key(
            Kind::Operation(OpKind::DataMigrate),
            "llm-serving",
            "qwen-export-eval"
        ))
    );
}

#[test]
fn dataset_pages() {
    let app = app();
    let secs = sections(
        &app.store,
        &key(Kind::Dataset, "imagenet", "imagenet-train"),
        now(),
    );
    let summary = section(&secs, "Summary");
    let lock = line_of(summary, "Locked by:");
    assert_eq!(texts(lock)[1..3], ["DataLoad", "imagenet-nightly-warm"]);
    assert_eq!(lock.cells[3].phase.as_deref(), Some("Executing"));
    assert_eq!(
        lock.target,
        Some(Target::Object(load("imagenet", "imagenet-nightly-warm")))
    );
    let mount = line_of(summary, "Mounts:");
    assert_eq!(
        texts(mount)[1..3],
        ["s3://ml-datasets/imagenet-1k/", "-> /imagenet"]
    );
    assert_eq!(
        line_of(summary, "Runtime:").target,
        Some(Target::Object(rt("imagenet", "imagenet-train")))
    );
    assert_eq!(section(&secs, "Operations").lines.len(), 3);

    // After a remount the conditions say Ready=False; the page trusts the phase and says why.
    let secs = sections(
        &app.store,
        &key(Kind::Dataset, "feature-store", "feature-cache"),
        now(),
    );
    let phase = line_of(section(&secs, "Summary"), "Phase:");
    assert_eq!(phase.cells[1].phase.as_deref(), Some("Bound"));
    assert!(phase.cells[2].text.contains("phase is authoritative"));
}
