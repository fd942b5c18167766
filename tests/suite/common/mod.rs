//! Shared helpers for the rendering tests: an app filled from the shared example manifests at a
//! fixed "now", key presses by keymap notation, and drawing into a `TestBackend`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use fluidops::app::{App, Command, Msg};
use fluidops::cluster::{ClusterEvent, ConnectionState};
use fluidops::config::{Key, Keymap, Theme};
use fluidops::model::manifest::{Manifests, parse_documents};
use fluidops::model::{Kind, Object, ObjectKey};
use fluidops::ui::{self, Ctx};

/// The fixed "now" every test renders at.
pub const NOW: &str = "2026-11-25T10:00:00Z";

pub fn now() -> Timestamp {
    NOW.parse().expect("NOW parses")
}

/// `now` minus `mins` minutes.
pub fn mins_ago(mins: i64) -> Timestamp {
    now() - SignedDuration::from_mins(mins)
}

/// The example manifests the rendering and model tests use: the demo seed's runtime classes
/// (one copy, shared with the built-in demo cluster) and the fixtures under
/// `tests/fixtures/examples/` (runtimes caught mid-upgrade, failed operations, … frozen at [`NOW`]).
pub fn example_files() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures/examples"))
        .expect("tests/fixtures/examples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files.insert(0, root.join("assets/demo/01-runtimeclasses.yaml"));
    files
}

/// Every object of the example manifests, in file order.
pub fn example_objects() -> Vec<Object> {
    let mut out = Manifests::default();
    for f in &example_files() {
        let text = std::fs::read_to_string(f).expect("example readable");
        parse_documents(&text, &f.display().to_string(), &mut out);
    }
    assert!(
        out.problems.is_empty(),
        "example manifests have problems: {:?}",
        out.problems
    );
    assert!(!out.objects.is_empty());
    out.objects
}

pub fn runtime_key(ns: &str, name: &str) -> ObjectKey {
    ObjectKey::new(Kind::CacheRuntime, ns, name)
}

pub fn pod_key(ns: &str, name: &str) -> ObjectKey {
    ObjectKey::new(Kind::Pod, ns, name)
}

/// The pod that gets log lines.
pub fn log_pod() -> ObjectKey {
    pod_key("imagenet", "imagenet-train-worker-0")
}

/// Gives the log pod a `log-shipper` sidecar (a copy of its engine container), listed before
/// the engine or after it.
pub fn log_pod_with_sidecar(app: &mut App, sidecar_first: bool) -> ObjectKey {
    let key = log_pod();
    let Some(obj) = app.store.get(&key) else {
        panic!("{key} in the examples");
    };
    let mut v = obj.to_value();
    let engine = v["spec"]["containers"][0].clone();
    let mut sidecar = engine.clone();
    sidecar["name"] = "log-shipper".into();
    v["spec"]["containers"] = if sidecar_first {
        serde_json::json!([sidecar, engine])
    } else {
        serde_json::json!([engine, sidecar])
    };
    let pod = Object::from_value(v).unwrap().unwrap();
    apply(app, mins_ago(1), vec![ClusterEvent::Applied(pod)]);
    key
}

fn apply(app: &mut App, at: Timestamp, events: Vec<ClusterEvent>) {
    let keymap = keymap();
    app.update(Msg::Cluster { at, events }, keymap);
}

/// Sets `status.<component>` fields of a runtime object through its JSON form.
fn with_component(obj: &Object, component: &str, phase: &str, ready: i64) -> Object {
    let mut v = obj.to_value();
    let st = &mut v["status"][component];
    st["phase"] = phase.into();
    st["readyReplicas"] = ready.into();
    st["availableReplicas"] = ready.into();
    Object::from_value(v)
        .expect("runtime stays valid")
        .expect("runtime kind known")
}

/// An app holding every example object, connected, with a few observed transitions of the
/// degraded `llm-serving/qwen-weights` runtime (worker went NotReady and came back to
/// PartialReady), log lines for [`log_pod`], and "now" at [`NOW`]. Nothing is dirty.
pub fn app() -> App {
    let mut app = App::new("kind-fluid-demo", mins_ago(60));
    app.favourite_namespaces = vec!["imagenet".into(), "llm-serving".into()];
    let objects = example_objects();
    let mut events = vec![ClusterEvent::Connection(ConnectionState::Connected)];
    events.extend(objects.iter().cloned().map(ClusterEvent::Applied));
    apply(&mut app, mins_ago(60), events);

    let qwen = objects
        .iter()
        .find(|o| o.key() == runtime_key("llm-serving", "qwen-weights"))
        .expect("qwen-weights runtime in the examples")
        .clone();
    let down = with_component(&qwen, "worker", "NotReady", 0);
    apply(&mut app, mins_ago(40), vec![ClusterEvent::Applied(down)]);
    let half = with_component(&qwen, "worker", "PartialReady", 1);
    apply(&mut app, mins_ago(25), vec![ClusterEvent::Applied(half)]);
    apply(&mut app, mins_ago(10), vec![ClusterEvent::Applied(qwen)]);

    let pod = log_pod();
    let lines = [
        "2026-11-25T09:58:01Z INFO  worker started, version v0.2.5",
        "2026-11-25T09:58:02Z INFO  registered with master imagenet-train-master-0:8995",
        "2026-11-25T09:58:05Z INFO  tier 0 MEM 32Gi, tier 1 SSD 200Gi",
        "2026-11-25T09:58:30Z WARN  block cache 91% full, evicting",
        "2026-11-25T09:59:10Z ERROR read s3://imagenet/train/n01440764/0007.JPEG: timeout after 30s",
        "2026-11-25T09:59:11Z INFO  retry 1/3 s3://imagenet/train/n01440764/0007.JPEG ok",
        "2026-11-25T09:59:40Z INFO  heartbeat: 1.2M blocks, 187Gi used",
    ];
    let log_events = lines
        .iter()
        .map(|l| ClusterEvent::LogLine {
            pod: pod.clone(),
            line: l.to_string(),
        })
        .collect();
    apply(&mut app, mins_ago(1), log_events);

    let keymap = keymap();
    app.update(Msg::Tick(now()), keymap);
    app.dirty = false;
    app.flash = None;
    // The example cluster as built is where every scene starts, not news to tell.
    app.problem_watch.dismiss();
    app
}

/// The built-in keymap, parsed once per test binary.
pub fn keymap() -> &'static Keymap {
    static KEYMAP: OnceLock<Keymap> = OnceLock::new();
    KEYMAP.get_or_init(Keymap::builtin)
}

/// A built-in theme, parsed once per test binary.
pub fn theme(name: &str) -> &'static Theme {
    static THEMES: OnceLock<Mutex<HashMap<String, &'static Theme>>> = OnceLock::new();
    let mut cache = THEMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    cache.entry(name.to_string()).or_insert_with(|| {
        let theme = Theme::builtin(name).unwrap_or_else(|| panic!("built-in theme {name}"));
        Box::leak(Box::new(theme))
    })
}

/// Draws `app` once into a `w`×`h` test terminal and stores the reported layout in the app,
/// as the binary's loop does.
pub fn render_with(
    app: &mut App,
    w: u16,
    h: u16,
    theme: &Theme,
    caption: Option<&str>,
) -> Terminal<TestBackend> {
    let keymap = keymap();
    let ctx = Ctx {
        theme,
        keymap,
        demo: false,
        caption,
    };
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    let mut layout = None;
    terminal
        .draw(|f| layout = Some(ui::draw(f, app, &ctx)))
        .expect("draw");
    if let Some(l) = layout {
        app.layout = l;
    }
    terminal
}

pub fn render(app: &mut App, w: u16, h: u16, theme_name: &str) -> Terminal<TestBackend> {
    render_with(app, w, h, theme(theme_name), None)
}

/// A key event from keymap notation (`j`, `<Enter>`, `<C-d>`, `<S-Tab>`).
pub fn key(notation: &str) -> KeyEvent {
    let k = Key::parse(notation).unwrap_or_else(|e| panic!("key {notation:?}: {e}"));
    KeyEvent::from(k)
}

/// Presses keys given in keymap notation, separated by spaces (`": p o <Tab>"`); returns every
/// command issued.
pub fn press(app: &mut App, keys: &str) -> Vec<Command> {
    let keymap = keymap();
    let mut out = Vec::new();
    for k in keys.split_whitespace() {
        out.extend(app.update(Msg::Key(key(k)), keymap));
    }
    out
}

/// Types text literally (each character one key press, spaces included).
pub fn type_text(app: &mut App, text: &str) {
    let keymap = keymap();
    for c in text.chars() {
        app.update(
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            keymap,
        );
    }
}

/// The text of one buffer row.
pub fn row_text(terminal: &Terminal<TestBackend>, y: u16) -> String {
    let buf = terminal.backend().buffer();
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect()
}

/// The whole screen as text, one line per row.
pub fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let h = terminal.backend().buffer().area.height;
    (0..h)
        .map(|y| row_text(terminal, y))
        .collect::<Vec<_>>()
        .join("\n")
}
