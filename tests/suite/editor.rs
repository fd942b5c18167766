//! The spec editor end to end against the demo cluster's writer, and its snapshots.

use crate::common;

use std::sync::{Arc, Mutex};

use proptest::prelude::*;

use common::{key, keymap, now, press, render, screen_text};
use fluidops::app::editor::Phase;
use fluidops::app::{App, Command, Msg, Overlay};
use fluidops::cluster::ClusterEvent;
use fluidops::cluster::writer::{Guarded, Writer};
use fluidops::demo::DemoCluster;
use fluidops::demo::writer::DemoWriter;
use fluidops::model::{Kind, ObjectKey, kube_yaml};

fn class_key() -> ObjectKey {
    ObjectKey::new(Kind::CacheRuntimeClass, "", "curvine-standard")
}

/// An app filled from the demo cluster, and the guarded writer into that cluster.
fn demo_app() -> (App, Arc<Mutex<DemoCluster>>, Guarded, tempfile::TempDir) {
    let cluster = Arc::new(Mutex::new(DemoCluster::builtin(7, now())));
    let mut app = App::new("demo", now());
    let events = cluster.lock().unwrap().initial_events();
    app.update(Msg::Cluster { at: now(), events }, keymap());
    let dir = tempfile::tempdir().unwrap();
    let writer = Guarded::new(
        Box::new(DemoWriter::new(cluster.clone())),
        false,
        Some(dir.path().join("audit.log")),
    );
    (app, cluster, writer, dir)
}

fn open_class(app: &mut App) {
    press(app, ":");
    common::type_text(app, "classes");
    press(app, "<Enter> /");
    common::type_text(app, "curvine-standard");
    press(app, "<Enter> e");
    assert!(app.editor.is_some(), "editor open, flash: {:?}", app.flash);
}

/// Replaces the buffer with `f` applied to its value, as typing would, and lets it settle.
fn edit_value(app: &mut App, f: impl FnOnce(&mut serde_json::Value)) {
    let ed = app.editor.as_mut().unwrap();
    let mut v = kube_yaml::from_str(&ed.text()).unwrap();
    f(&mut v);
    ed.set_text(&kube_yaml::to_string(&v));
    set_text_settled(app);
}

fn set_text_settled(app: &mut App) {
    let g = app.editor.as_mut().unwrap().changed();
    app.update(Msg::EditorSettle(g), keymap());
}

/// Sends every write in `cmds` through the writer and feeds the answers back.
async fn run_writes(app: &mut App, writer: &Guarded, cmds: Vec<Command>) -> Vec<Command> {
    let mut rest = Vec::new();
    for c in cmds {
        match c {
            Command::Write(write) => {
                let result = writer.write(&write).await;
                let more = app.update(Msg::WriteDone { write, result }, keymap());
                rest.extend(more);
            }
            other => rest.push(other),
        }
    }
    rest
}

#[tokio::test]
async fn edit_review_confirm_apply_shows_the_change() {
    let (mut app, cluster, writer, dir) = demo_app();
    open_class(&mut app);
    edit_value(&mut app, |v| {
        v["dataOperationSpecs"][0]["image"] = "curvine/loader:v2".into();
    });
    assert!(app.editor.as_ref().unwrap().problems.is_empty());
    let cmds = press(&mut app, "<C-s>");
    assert!(
        matches!(&cmds[..], [Command::Write(w)] if w.dry_run),
        "{cmds:?}"
    );
    run_writes(&mut app, &writer, cmds).await;
    let Some(Overlay::Confirm(c)) = app.overlays.top() else {
        panic!("review dialog expected, flash {:?}", app.flash);
    };
    assert!(c.diff);
    assert!(
        c.body
            .iter()
            .any(|l| l.starts_with('+') && l.contains("curvine/loader:v2"))
    );
    assert!(c.body[0].contains("server-side apply"));
    // Nothing sent yet.
    let live = cluster
        .lock()
        .unwrap()
        .get(&class_key())
        .unwrap()
        .to_value();
    assert!(live["dataOperationSpecs"][0]["image"].is_null());
    let cmds = press(&mut app, "y");
    assert!(
        matches!(&cmds[..], [Command::Write(w)] if !w.dry_run),
        "{cmds:?}"
    );
    run_writes(&mut app, &writer, cmds).await;
    assert!(app.editor.is_none(), "editor closes after the apply");
    let live = cluster
        .lock()
        .unwrap()
        .get(&class_key())
        .unwrap()
        .to_value();
    assert_eq!(live["dataOperationSpecs"][0]["image"], "curvine/loader:v2");
    let stored = app.store.get(&class_key()).unwrap().to_value();
    assert_eq!(
        stored["dataOperationSpecs"][0]["image"],
        "curvine/loader:v2"
    );
    let audit = std::fs::read_to_string(dir.path().join("audit.log")).unwrap();
    assert!(
        audit.contains("\"user\"") && audit.contains("curvine/loader:v2"),
        "{audit}"
    );
}

#[tokio::test]
async fn a_schema_violation_is_refused_locally() {
    let (mut app, _cluster, _writer, _dir) = demo_app();
    open_class(&mut app);
    edit_value(&mut app, |v| {
        v["dataOperationSpecs"][0]["name"] = "DataCopy".into();
    });
    let ed = app.editor.as_ref().unwrap();
    assert_eq!(ed.problems.len(), 1, "{:?}", ed.problems);
    assert_eq!(ed.problems[0].path, "dataOperationSpecs[0].name");
    let cmds = press(&mut app, "<C-s>");
    assert!(cmds.is_empty(), "nothing sent: {cmds:?}");
    assert!(app.flash.as_ref().unwrap().text.contains("nothing sent"));
    // F8 jumps to the problem's line.
    press(&mut app, "<F8>");
    let ed = app.editor.as_ref().unwrap();
    assert_eq!(ed.textarea.cursor().0 + 1, ed.problems[0].line.unwrap());
}

#[tokio::test]
async fn a_rejected_apply_keeps_the_buffer() {
    let (mut app, _cluster, _writer, _dir) = demo_app();
    open_class(&mut app);
    edit_value(&mut app, |v| {
        v["dataOperationSpecs"][0]["image"] = "curvine/loader:v3".into();
    });
    let cmds = press(&mut app, "<C-s>");
    // A read-only writer refuses at the boundary, as a server would refuse.
    let ro = Guarded::new(
        Box::new(DemoWriter::new(Arc::new(Mutex::new(DemoCluster::builtin(
            7,
            now(),
        ))))),
        true,
        None,
    );
    run_writes(&mut app, &ro, cmds).await;
    let ed = app.editor.as_ref().expect("editor stays open");
    assert_eq!(ed.phase, Phase::Failed);
    assert!(ed.text().contains("curvine/loader:v3"));
    assert!(
        ed.server_errors[0].contains("read-only"),
        "{:?}",
        ed.server_errors
    );
}

#[test]
fn typing_goes_to_the_text_area_and_esc_asks_when_dirty() {
    let (mut app, _c, _w, _d) = demo_app();
    open_class(&mut app);
    let cmds = press(&mut app, "x");
    assert!(matches!(cmds[..], [Command::Settle { .. }]), "{cmds:?}");
    assert!(app.editor.as_ref().unwrap().text().starts_with('x'));
    press(&mut app, "q");
    assert!(!app.quit, "q is text in the editor");
    press(&mut app, "<Esc>");
    assert!(app.editor.as_ref().unwrap().confirm_discard);
    press(&mut app, "n");
    assert!(app.editor.is_some());
    press(&mut app, "<Esc> y");
    assert!(app.editor.is_none());
}

#[test]
fn drafts_are_saved_when_typing_settles_and_offered_on_open() {
    let (mut app, _c, _w, dir) = demo_app();
    app.drafts_dir = Some(dir.path().join("drafts"));
    open_class(&mut app);
    let cmds = press(&mut app, "z");
    let [Command::Settle { generation, .. }] = cmds[..] else {
        panic!("{cmds:?}")
    };
    let cmds = app.update(Msg::EditorSettle(generation), keymap());
    let [Command::SaveDraft { path, text }] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert!(path.ends_with("drafts/CacheRuntimeClass___curvine-standard.yaml"));
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    app.drafts.insert(name, text.clone());
    app.editor = None;
    press(&mut app, "e");
    let ed = app.editor.as_ref().unwrap();
    assert!(ed.draft_offer.is_some());
    press(&mut app, "y");
    assert!(app.editor.as_ref().unwrap().text().starts_with('z'));
}

// ------------------------------------------------------------------ snapshots

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn snap(name: &str, setup: fn(&mut App)) {
    for (w, h) in SIZES {
        let (mut app, ..) = demo_app();
        app.flash = None;
        setup(&mut app);
        render(&mut app, w, h, "default");
        let terminal = render(&mut app, w, h, "default");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn editor_with_errors() {
    snap("editor_errors", |app| {
        open_class(app);
        edit_value(app, |v| {
            v["dataOperationSpecs"][0]["name"] = "DataCopy".into();
            v["fileSystemType"] = serde_json::json!(3);
            v["dataOperations"] = serde_json::json!([]);
        });
        app.flash = None;
    });
}

#[test]
fn editor_review() {
    snap("editor_review", |app| {
        open_class(app);
        edit_value(app, |v| {
            v["dataOperationSpecs"][0]["image"] = "curvine/loader:v2".into();
        });
        let cmds = press(app, "<C-s>");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let cluster = Arc::new(Mutex::new(DemoCluster::builtin(7, now())));
        let writer = Guarded::new(Box::new(DemoWriter::new(cluster)), false, None);
        rt.block_on(run_writes(app, &writer, cmds));
        assert!(matches!(app.overlays.top(), Some(Overlay::Confirm(_))));
        app.flash = None;
    });
}

#[test]
fn editor_conflict() {
    snap("editor_conflict", |app| {
        open_class(app);
        edit_value(app, |v| {
            v["dataOperationSpecs"][0]["image"] = "curvine/loader:v2".into();
        });
        // Someone else changes the class meanwhile; the store sees the new version.
        let mut live = app.store.get(&class_key()).unwrap().clone().to_value();
        live["metadata"]["resourceVersion"] = "999999".into();
        live["fileSystemType"] = "curvinefs2".into();
        let obj = fluidops::model::Object::from_value(live).unwrap().unwrap();
        app.update(
            Msg::Cluster {
                at: now(),
                events: vec![ClusterEvent::Applied(obj)],
            },
            keymap(),
        );
        press(app, "<C-s>");
        assert_eq!(app.editor.as_ref().unwrap().phase, Phase::Conflict);
        app.flash = None;
    });
}

#[test]
fn conflict_rebase_merges_non_clashing_changes() {
    let (mut app, ..) = demo_app();
    open_class(&mut app);
    edit_value(&mut app, |v| {
        v["dataOperationSpecs"][0]["image"] = "curvine/loader:v2".into();
    });
    let mut live = app.store.get(&class_key()).unwrap().clone().to_value();
    live["metadata"]["resourceVersion"] = "999999".into();
    live["metadata"]["labels"] = serde_json::json!({"team": "storage"});
    let obj = fluidops::model::Object::from_value(live).unwrap().unwrap();
    app.update(
        Msg::Cluster {
            at: now(),
            events: vec![ClusterEvent::Applied(obj)],
        },
        keymap(),
    );
    assert!(press(&mut app, "<C-s>").is_empty());
    press(&mut app, "r");
    let text = app.editor.as_ref().unwrap().text();
    assert!(
        text.contains("curvine/loader:v2") && text.contains("team: storage"),
        "{text}"
    );
    let cmds = press(&mut app, "<C-s>");
    assert!(matches!(&cmds[..], [Command::Write(w)] if w.dry_run));
    let _ = key("<C-s>");
    let _ = screen_text;
}

#[tokio::test]
async fn a_long_diff_scrolls_in_the_confirmation() {
    let (mut app, _cluster, writer, _dir) = demo_app();
    open_class(&mut app);
    edit_value(&mut app, |v| {
        let mut labels = serde_json::Map::new();
        for i in 0..40 {
            labels.insert(format!("team-{i:02}"), format!("owner-{i:02}").into());
        }
        v["metadata"]["labels"] = labels.into();
    });
    let cmds = press(&mut app, "<C-s>");
    run_writes(&mut app, &writer, cmds).await;
    let Some(Overlay::Confirm(c)) = app.overlays.top() else {
        panic!("review dialog expected, flash {:?}", app.flash);
    };
    assert!(c.body.len() > 40, "{} lines", c.body.len());
    let first = screen_text(&render(&mut app, 80, 24, "default"));
    assert!(first.contains("lines 1–"), "{first}");
    assert!(!first.contains("team-39"), "the end is below the fold");
    let rows = app.layout.overlay_rows as usize;
    assert!(rows > 5, "the dialog reported its rows: {rows}");
    // Rows on screen: the header sentence wraps, diff lines do not.
    let total = app.layout.overlay_total;
    assert!(total > c_len(&app), "{total}");
    press(&mut app, "G");
    let Some(Overlay::Confirm(c)) = app.overlays.top() else {
        panic!("still confirming");
    };
    assert_eq!(c.scroll, total - rows, "G shows the last page");
    let terminal = render(&mut app, 80, 24, "default");
    let last = screen_text(&terminal);
    assert!(last.contains("team-39"), "{last}");
    assert!(last.contains(&format!("of {total}")), "{last}");
    insta::assert_snapshot!("confirm_long_diff_scrolled_80x24", terminal.backend());
    press(&mut app, "k k");
    let Some(Overlay::Confirm(c)) = app.overlays.top() else {
        panic!("still confirming");
    };
    assert_eq!(c.scroll, total - rows - 2);
    // Scrolling never confirms: nothing was written.
    assert!(matches!(app.overlays.top(), Some(Overlay::Confirm(_))));
}

#[tokio::test]
async fn the_review_says_what_fluid_does_with_a_runtime_change() {
    let (mut app, _cluster, writer, _dir) = demo_app();
    press(&mut app, "/");
    common::type_text(&mut app, "imagenet-train");
    press(&mut app, "<Enter> e");
    assert!(app.editor.is_some(), "editor open, flash: {:?}", app.flash);
    edit_value(&mut app, |v| {
        v["spec"]["worker"]["env"] = serde_json::json!([{"name": "CURVINE_LOG", "value": "debug"}]);
        v["spec"]["worker"]["replicas"] = serde_json::json!(4);
    });
    let cmds = press(&mut app, "<C-s>");
    run_writes(&mut app, &writer, cmds).await;
    let Some(Overlay::Confirm(c)) = app.overlays.top() else {
        panic!("review dialog expected, flash {:?}", app.flash);
    };
    let notes: Vec<&String> = c.body.iter().filter(|l| l.starts_with("! ")).collect();
    assert_eq!(notes.len(), 1, "{:#?}", c.body);
    assert!(notes[0].contains("worker.env") && notes[0].contains("re-created"));
    let terminal = render(&mut app, 80, 24, "default");
    let text = screen_text(&terminal);
    assert!(text.contains("What Fluid does with this change"), "{text}");
    insta::assert_snapshot!("editor_review_runtime_notes_80x24", terminal.backend());
}

fn c_len(app: &App) -> usize {
    match app.overlays.top() {
        Some(Overlay::Confirm(c)) => c.body.len(),
        _ => 0,
    }
}

// ------------------------------------------------------------------ what is sent is what was read

/// Replaces the buffer with `text`, as typing would, and lets it settle.
fn set_buffer(app: &mut App, text: &str) {
    app.editor.as_mut().unwrap().set_text(text);
    set_text_settled(app);
}

fn live_class(cluster: &Arc<Mutex<DemoCluster>>) -> serde_json::Value {
    cluster
        .lock()
        .unwrap()
        .get(&class_key())
        .unwrap()
        .to_value()
}

fn audit_lines(dir: &tempfile::TempDir) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.path().join("audit.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_duplicate_key_is_refused_on_its_line_and_nothing_is_sent() {
    let (mut app, cluster, _writer, dir) = demo_app();
    open_class(&mut app);
    let text = app.editor.as_ref().unwrap().text();
    let edited = text.replacen(
        "fileSystemType: curvinefs",
        "fileSystemType: [1, 2]\nfileSystemType: curvinefs",
        1,
    );
    set_buffer(&mut app, &edited);
    let ed = app.editor.as_ref().unwrap();
    assert_eq!(ed.problems.len(), 1, "{:?}", ed.problems);
    let p = &ed.problems[0];
    assert!(
        p.message.contains("duplicate key \"fileSystemType\""),
        "{p:?}"
    );
    let line = p.line.expect("located");
    assert_eq!(
        edited.lines().nth(line - 1),
        Some("fileSystemType: curvinefs")
    );
    let screen = screen_text(&render(&mut app, 160, 48, "default"));
    assert!(screen.contains("1 problem(s)"), "{screen}");
    assert!(screen.contains("duplicate key"), "{screen}");
    let before = live_class(&cluster);
    let cmds = press(&mut app, "<C-s>");
    assert!(cmds.is_empty(), "nothing sent: {cmds:?}");
    assert_eq!(app.editor.as_ref().unwrap().text(), edited, "buffer kept");
    assert_eq!(live_class(&cluster), before);
    assert!(audit_lines(&dir).is_empty());
}

#[test]
fn an_api_version_with_junk_is_refused() {
    let (mut app, ..) = demo_app();
    open_class(&mut app);
    let text = app.editor.as_ref().unwrap().text();
    set_buffer(
        &mut app,
        &text.replacen(
            "apiVersion: data.fluid.io/v1alpha1",
            "apiVersion: data.fluid.io/v1alpha1 [oops",
            1,
        ),
    );
    let ed = app.editor.as_ref().unwrap();
    assert_eq!(ed.problems.len(), 1, "{:?}", ed.problems);
    assert_eq!(ed.problems[0].path, "apiVersion");
    assert!(press(&mut app, "<C-s>").is_empty());
}

#[tokio::test]
async fn an_octal_mode_is_applied_as_the_number_kubectl_sends() {
    let (mut app, cluster, writer, dir) = demo_app();
    open_class(&mut app);
    let text = app.editor.as_ref().unwrap().text();
    let volumes = format!("\n{CLIENT_VOLUMES}\n");
    assert!(text.contains(&volumes), "{text}");
    let edited = text.replacen(
        &volumes,
        &format!("{volumes}{}\n", client_volume("0755")),
        1,
    );
    set_buffer(&mut app, &edited);
    assert!(app.editor.as_ref().unwrap().problems.is_empty());
    let cmds = press(&mut app, "<C-s>");
    run_writes(&mut app, &writer, cmds).await;
    let Some(Overlay::Confirm(c)) = app.overlays.top() else {
        panic!("review dialog expected, flash {:?}", app.flash);
    };
    assert!(
        c.body
            .iter()
            .any(|l| l.trim_end() == "+            defaultMode: 493"),
        "{:#?}",
        c.body
    );
    let cmds = press(&mut app, "y");
    run_writes(&mut app, &writer, cmds).await;
    assert!(app.editor.is_none(), "applied, flash {:?}", app.flash);
    let live = live_class(&cluster);
    let volumes = &live["topology"]["client"]["template"]["spec"]["volumes"];
    assert_eq!(volumes[0]["configMap"]["defaultMode"], 493, "{volumes}");
    let audit = audit_lines(&dir);
    let body = &audit.last().unwrap()["body"];
    assert_eq!(
        body["topology"]["client"]["template"]["spec"]["volumes"][0]["configMap"]["defaultMode"],
        493
    );
}

/// Where the client's pod template (the first of the topology, keys being sorted) lists its
/// volumes, in the editor's text.
const CLIENT_VOLUMES: &str = "        volumes:";

/// A config-map volume for the client, with this mode.
fn client_volume(mode: &str) -> String {
    format!(
        "        - configMap:\n            defaultMode: {mode}\n            name: curvine-standard-files\n          name: files"
    )
}

/// One change an operator might make to the class's text.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the value of the `key: value` line at or after this one.
    Change(prop::sample::Index, &'static str),
    /// A new `key: value` line before this one, at the column of its key.
    Insert(prop::sample::Index, &'static str, &'static str),
    /// The key of the `key: value` line at or after this one again, just below it.
    Duplicate(prop::sample::Index, &'static str),
    /// Junk at the end of a line.
    Break(prop::sample::Index, &'static str),
    /// A config-map volume in the client's pod template, with this mode.
    Mode(&'static str),
    /// The master's mountUFS timeout.
    Timeout(&'static str),
    /// The class's engine label.
    Label(&'static str),
}

const VALUES: &[&str] = &[
    "0755",
    "'0755'",
    "\"0755\"",
    "0x1ED",
    "0o755",
    "493",
    "1_000",
    "0789",
    "yes",
    "'yes'",
    "on",
    "\"on\"",
    "y",
    "~",
    "null",
    "1.5",
    "1e3",
    ".inf",
    "-.nan",
    "[1, 2]",
    "{a: 1}",
    "curvinefs",
    "!!str 0755",
    "!!int '60'",
    "!!float 2",
    "2024-01-02",
    "''",
    "9223372036854775808",
    "'not ok'",
];
const KEYS: &[&str] = &[
    "fileSystemType",
    "name",
    "image",
    "timeout",
    "on",
    "y",
    "extra",
    "1",
];
const JUNK: &[&str] = &[
    " [oops",
    ": x: y",
    "\t",
    " '",
    " *nowhere",
    " &a",
    "\n  bad: [",
    " #ok",
];

fn edit() -> impl Strategy<Value = Edit> {
    let value = prop::sample::select(VALUES);
    prop_oneof![
        (any::<prop::sample::Index>(), value.clone()).prop_map(|(i, v)| Edit::Change(i, v)),
        (
            any::<prop::sample::Index>(),
            prop::sample::select(KEYS),
            value.clone()
        )
            .prop_map(|(i, k, v)| Edit::Insert(i, k, v)),
        (any::<prop::sample::Index>(), value.clone()).prop_map(|(i, v)| Edit::Duplicate(i, v)),
        (any::<prop::sample::Index>(), prop::sample::select(JUNK))
            .prop_map(|(i, j)| Edit::Break(i, j)),
        value.clone().prop_map(Edit::Mode),
        value.clone().prop_map(Edit::Timeout),
        value.prop_map(Edit::Label),
    ]
}

/// `line` split into its indentation (up to the key, past any `- `), key and value, when it is
/// a `key: value` line with a value on it (not a block scalar's header).
fn key_value(line: &str) -> Option<(usize, &str, &str)> {
    let body = line.trim_start();
    let mut col = line.len() - body.len();
    let body = match body.strip_prefix("- ") {
        Some(rest) => {
            col += 2;
            rest
        }
        None => body,
    };
    let (k, v) = body.split_once(": ")?;
    (!v.is_empty() && !v.starts_with(['|', '>']) && !k.contains(' ')).then_some((col, k, v))
}

fn apply_edit(text: &str, e: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let kv_from = |i: &prop::sample::Index, lines: &[String]| {
        let start = i.index(lines.len());
        (start..lines.len())
            .chain(0..start)
            .find(|&n| key_value(&lines[n]).is_some())
    };
    match e {
        Edit::Change(i, v) => {
            if let Some(n) = kv_from(i, &lines) {
                let (col, k, _) = key_value(&lines[n]).unwrap();
                let prefix = lines[n][..col].to_string();
                lines[n] = format!("{prefix}{k}: {v}");
            }
        }
        Edit::Insert(i, k, v) => {
            let n = i.index(lines.len());
            let col = key_value(&lines[n]).map_or(0, |(c, ..)| c);
            lines.insert(n, format!("{}{k}: {v}", " ".repeat(col)));
        }
        Edit::Duplicate(i, v) => {
            if let Some(n) = kv_from(i, &lines) {
                let (col, k, _) = key_value(&lines[n]).unwrap();
                let line = format!("{}{k}: {v}", " ".repeat(col));
                lines.insert(n + 1, line);
            }
        }
        Edit::Break(i, junk) => {
            let n = i.index(lines.len());
            lines[n].push_str(junk);
        }
        Edit::Mode(mode) => {
            if let Some(n) = lines.iter().position(|l| l == CLIENT_VOLUMES) {
                lines.insert(n + 1, client_volume(mode));
            }
        }
        Edit::Timeout(v) => {
            if let Some(n) = lines.iter().position(|l| l.trim() == "timeout: 60") {
                lines[n] = lines[n].replace("timeout: 60", &format!("timeout: {v}"));
            }
        }
        Edit::Label(v) => {
            if let Some(n) = lines
                .iter()
                .position(|l| l.trim() == "fluidops.io/engine: curvine")
            {
                lines[n] = lines[n].replace(": curvine", &format!(": {v}"));
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The non-null leaves of `v` with their JSON pointers.
fn leaves(v: &serde_json::Value, at: String, out: &mut Vec<(String, serde_json::Value)>) {
    match v {
        serde_json::Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                leaves(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        serde_json::Value::Array(a) if !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                leaves(x, format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Null => {}
        other => out.push((at, other.clone())),
    }
}

/// Edits the class, reviews, confirms: either the editor refuses with located problems, keeps
/// the buffer and sends nothing, or the value read from the buffer (as kubectl reads it) is the
/// dry run's body, the confirmed body, the applied body, the audited body, and what the diff
/// shows — and the cluster stores it.
fn edit_and_send(edits: &[Edit]) -> Result<Reached, TestCaseError> {
    let (mut app, cluster, writer, dir) = demo_app();
    open_class(&mut app);
    let base = app.editor.as_ref().unwrap().text();
    let text = edits.iter().fold(base, |t, e| apply_edit(&t, e));
    set_buffer(&mut app, &text);
    let before = live_class(&cluster);
    let cmds = press(&mut app, "<C-s>");
    let ed = app.editor.as_ref().unwrap();
    prop_assert_eq!(ed.text(), text.clone(), "the buffer is kept");
    let dry = match cmds.first() {
        Some(Command::Write(w)) => w.clone(),
        _ => {
            prop_assert!(cmds.is_empty(), "{:?}", cmds);
            prop_assert!(!ed.problems.is_empty(), "refused without a problem");
            for p in &ed.problems {
                prop_assert!(p.line.is_some(), "unlocated: {:?}", p);
            }
            prop_assert_eq!(live_class(&cluster), before);
            prop_assert!(audit_lines(&dir).is_empty());
            return Ok(Reached::Refused);
        }
    };
    prop_assert!(dry.dry_run);
    let fluidops::cluster::writer::WriteOp::Apply(sent) = &dry.op else {
        return Err(TestCaseError::fail(format!("{:?}", dry.op)));
    };
    // What kubectl's rules give for the buffer, guarded by the version it was opened at.
    let mut expected = kube_yaml::from_str(&text).expect("valid YAML was sent");
    expected["metadata"]["resourceVersion"] = before["metadata"]["resourceVersion"].clone();
    prop_assert_eq!(sent, &expected);
    let shown = ed.diff_of(sent);
    futures::executor::block_on(run_writes(&mut app, &writer, cmds));
    let audit = audit_lines(&dir);
    prop_assert_eq!(&audit[0]["body"], sent);
    let Some(Overlay::Confirm(c)) = app.overlays.top() else {
        // The server (the demo's model) refused the dry run: the buffer stays, nothing stored.
        let ed = app.editor.as_ref().unwrap();
        prop_assert_eq!(ed.phase.clone(), Phase::Failed, "{:?}", app.flash);
        prop_assert_eq!(ed.text(), text);
        prop_assert_eq!(live_class(&cluster), before);
        return Ok(Reached::ServerRefused);
    };
    let confirmed = c.write().unwrap().clone();
    prop_assert_eq!(
        &confirmed.op,
        &dry.op,
        "the confirmed body is the dry run's"
    );
    prop_assert!(c.body.ends_with(&shown), "the diff shown");
    prop_assert_eq!(confirmed.note.clone(), Some(shown.join("\n")));
    let cmds = press(&mut app, "y");
    let apply = match cmds.first() {
        Some(Command::Write(w)) => w.clone(),
        _ => return Err(TestCaseError::fail(format!("{cmds:?}"))),
    };
    prop_assert!(!apply.dry_run);
    prop_assert_eq!(&apply.op, &dry.op, "the applied body is the dry run's");
    futures::executor::block_on(run_writes(&mut app, &writer, cmds));
    let audit = audit_lines(&dir);
    prop_assert_eq!(audit.len(), 2);
    prop_assert_eq!(&audit[1]["body"], sent);
    let note = shown.join("\n");
    prop_assert_eq!(audit[1]["note"].as_str(), Some(note.as_str()));
    if audit[1]["outcome"] != "ok" {
        prop_assert_eq!(live_class(&cluster), before);
        return Ok(Reached::ServerRefused);
    }
    // Stored: every value sent, as sent.
    let stored = live_class(&cluster);
    let mut sent_leaves = Vec::new();
    leaves(sent, String::new(), &mut sent_leaves);
    for (at, v) in sent_leaves {
        if at == "/metadata/resourceVersion" {
            continue;
        }
        prop_assert_eq!(stored.pointer(&at), Some(&v), "{} stored", at);
    }
    Ok(Reached::Applied)
}

/// How far an edit went.
#[derive(Debug, PartialEq)]
enum Reached {
    /// The editor refused it; nothing was sent.
    Refused,
    /// The (demo) server refused the dry run or the apply.
    ServerRefused,
    Applied,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    #[test]
    fn what_is_sent_is_what_was_read_diffed_and_confirmed(
        edits in prop::collection::vec(edit(), 1..4)
    ) {
        edit_and_send(&edits)?;
    }
}

/// The property's edits reach every outcome, the apply included.
#[test]
fn the_property_reaches_every_outcome() {
    let (mut app, ..) = demo_app();
    open_class(&mut app);
    let base = app.editor.as_ref().unwrap().text();
    let reached = |edits: &[Edit]| {
        for e in edits {
            assert_ne!(apply_edit(&base, e), base, "{e:?} changes the text");
        }
        edit_and_send(edits).unwrap()
    };
    assert_eq!(reached(&[Edit::Mode("0755")]), Reached::Applied);
    assert_eq!(reached(&[Edit::Timeout("0x3C")]), Reached::Applied);
    assert_eq!(reached(&[Edit::Timeout("!!int '60'")]), Reached::Applied);
    assert_eq!(reached(&[Edit::Label("'yes'")]), Reached::Applied);
    assert_eq!(reached(&[Edit::Timeout("yes")]), Reached::Refused);
    assert_eq!(reached(&[Edit::Mode("'0755'")]), Reached::Refused);
    // Read as a boolean: the editor says a label is a string.
    assert_eq!(reached(&[Edit::Label("yes")]), Reached::Refused);
    // A string, but not a label value the API server takes.
    assert_eq!(reached(&[Edit::Label("'not ok'")]), Reached::ServerRefused);
}
