//! The spec editor end to end against the demo cluster's writer, and its snapshots.

use crate::common;

use std::sync::{Arc, Mutex};

use common::{key, keymap, now, press, render, screen_text};
use fluidops::app::editor::Phase;
use fluidops::app::{App, Command, Msg, Overlay};
use fluidops::cluster::ClusterEvent;
use fluidops::cluster::writer::{Guarded, Writer};
use fluidops::demo::DemoCluster;
use fluidops::demo::writer::DemoWriter;
use fluidops::model::{Kind, ObjectKey};

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
    let mut v: serde_json::Value = serde_yaml::from_str(&ed.text()).unwrap();
    f(&mut v);
    ed.set_text(&serde_yaml::to_string(&v).unwrap());
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
