//! The "start a data operation" form: its state machine (kinds offered, validation, next cron
//! runs, the exact manifest), its rendering at each step, and the whole path on the demo
//! cluster — `L`, fill, confirm, write, and the new DataLoad moving to Complete on its timeline.

use crate::common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{app, keymap, now, press, render, runtime_key, type_text};
use fluidops::app::form_strings as s;
use fluidops::app::load_form::{
    self, Context, Field, LoadForm, Outcome, Policy, Step, parse_tolerations, validate_name,
    validate_schedule,
};
use fluidops::app::{App, Command, Msg, Overlay, Screen};
use fluidops::cluster::writer::{WriteError, WriteOp, Writer};
use fluidops::cluster::{ClusterEvent, ConnectionState, Subject};
use fluidops::demo::writer::DemoWriter;
use fluidops::demo::{DemoCluster, JobOutcome};
use fluidops::model::{CacheRuntimeClass, Kind, Object, ObjectKey, OpKind, OpPhase};
use serde_json::json;

fn class_with(ops: &[&str]) -> CacheRuntimeClass {
    let mut v = json!({"apiVersion": "data.fluid.io/v1alpha1", "kind": "CacheRuntimeClass",
                       "metadata": {"name": "c"}, "fileSystemType": "x"});
    v["dataOperationSpecs"] = ops.iter().map(|o| json!({"name": o})).collect();
    serde_json::from_value(v).expect("class")
}

fn ctx(class: Option<CacheRuntimeClass>) -> Context {
    Context {
        namespace: "imagenet".into(),
        dataset: "imagenet-train".into(),
        runtime: Some("imagenet-train".into()),
        class_name: Some("c".into()),
        class,
        cache_paths: vec!["/imagenet".into(), "/extra".into()],
        taken: BTreeSet::from(["taken".to_string()]),
        now: now(),
    }
}

fn form() -> LoadForm {
    LoadForm::new(ctx(Some(class_with(&["DataLoad"])))).expect("form opens")
}

fn typed(f: &mut LoadForm, text: &str) {
    for c in text.chars() {
        f.on_key(&crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::NONE,
        ));
    }
}

fn k(f: &mut LoadForm, notation: &str) {
    f.on_key(&common::key(notation));
}

// ------------------------------------------------------------------ state machine

#[test]
fn kinds_offered_follow_the_class() {
    let f = form();
    assert_eq!(f.kinds, vec![OpKind::DataLoad, OpKind::DataProcess]);
    assert!(
        f.notes.iter().any(|n| n.contains("NotSupported")),
        "{:?}",
        f.notes
    );

    // A class without DataLoad: only the engine-independent DataProcess, and why.
    let f = LoadForm::new(ctx(Some(class_with(&["DataBackup"])))).unwrap();
    assert_eq!(f.kinds, vec![OpKind::DataProcess]);
    assert!(
        f.notes
            .iter()
            .any(|n| n.contains("declares no DataLoad in dataOperationSpecs")),
        "{:?}",
        f.notes
    );
    // DataMigrate / DataBackup are never offered, even when declared.
    let f = LoadForm::new(ctx(Some(class_with(&[
        "DataLoad",
        "DataMigrate",
        "DataBackup",
    ]))))
    .unwrap();
    assert_eq!(f.kinds, vec![OpKind::DataLoad, OpKind::DataProcess]);

    // Unknown class: DataLoad cannot be checked, so it is not offered.
    let f = LoadForm::new(ctx(None)).unwrap();
    assert_eq!(f.kinds, vec![OpKind::DataProcess]);
}

#[test]
fn opens_on_runtimes_and_datasets_only() {
    let a = app();
    let rt = runtime_key("imagenet", "imagenet-train");
    let f = LoadForm::open(&a.store, &rt, now()).unwrap();
    assert_eq!(f.kinds[0], OpKind::DataLoad);
    assert_eq!(f.cache_paths, vec!["/imagenet".to_string()]);
    let ds = ObjectKey::new(Kind::Dataset, "imagenet", "imagenet-train");
    assert_eq!(
        LoadForm::open(&a.store, &ds, now())
            .unwrap()
            .runtime
            .as_deref(),
        Some("imagenet-train")
    );
    let pod = common::log_pod();
    assert_eq!(
        LoadForm::open(&a.store, &pod, now()).unwrap_err(),
        s::SELECT_RUNTIME_OR_DATASET
    );
}

#[test]
fn default_name_is_dated_and_unique() {
    let f = form();
    assert_eq!(f.name.text, "imagenet-train-load-20261125-1000");
    let taken = BTreeSet::from(["d-load-20261125-1000".to_string()]);
    assert_eq!(
        load_form::default_name("d", OpKind::DataLoad, now(), &taken),
        "d-load-20261125-1000-2"
    );
    // Switching the kind renames while the operator has not typed a name.
    let mut f = form();
    k(&mut f, "<Right>");
    assert_eq!(f.op_kind(), OpKind::DataProcess);
    assert_eq!(f.name.text, "imagenet-train-process-20261125-1000");
}

#[test]
fn names_are_dns_1123_labels_and_unique() {
    let taken = BTreeSet::from(["taken".to_string()]);
    assert!(validate_name("load-1", &taken).is_ok());
    assert_eq!(validate_name("", &taken).unwrap_err(), s::NAME_EMPTY);
    assert!(validate_name("Load", &taken).unwrap_err().contains("'L'"));
    assert!(validate_name("a_b", &taken).is_err());
    assert!(validate_name("a.b", &taken).is_err());
    assert_eq!(validate_name("-a", &taken).unwrap_err(), s::NAME_EDGE);
    assert_eq!(validate_name("a-", &taken).unwrap_err(), s::NAME_EDGE);
    assert_eq!(
        validate_name(&"a".repeat(64), &taken).unwrap_err(),
        s::NAME_TOO_LONG
    );
    assert_eq!(validate_name("taken", &taken).unwrap_err(), s::NAME_TAKEN);

    // In the form: the error sits on the field, and Enter does not leave the step.
    let mut f = form();
    f.focus_next(true);
    assert_eq!(f.focused(), Some(Field::Name));
    k(&mut f, "<C-u>");
    typed(&mut f, "Bad_Name");
    assert!(f.error(Field::Name).is_some());
    assert_eq!(f.next_step(), Outcome::Stay);
    assert_eq!(f.step, Step::Operation);
    assert_eq!(f.message.as_deref(), Some(s::FIX_ERRORS));
    k(&mut f, "<C-u>");
    typed(&mut f, "good-name");
    assert_eq!(f.error(Field::Name), None);
    f.next_step();
    assert_eq!(f.step, Step::Targets);
}

#[test]
fn cron_schedules_validate_as_typed_with_next_runs() {
    let runs = validate_schedule("*/15 * * * *", now(), 3).unwrap();
    let shown: Vec<String> = runs.iter().map(|t| t.to_string()).collect();
    assert_eq!(
        shown,
        [
            "2026-11-25T10:15:00Z",
            "2026-11-25T10:30:00Z",
            "2026-11-25T10:45:00Z"
        ]
    );
    let runs = validate_schedule("0 2 * * *", now(), 3).unwrap();
    assert_eq!(runs[0].to_string(), "2026-11-26T02:00:00Z");
    assert_eq!(runs[2].to_string(), "2026-11-28T02:00:00Z");
    assert!(validate_schedule("61 * * * *", now(), 3).is_err());
    assert_eq!(
        validate_schedule("* * *", now(), 3).unwrap_err(),
        s::SCHEDULE_FIELDS
    );
    assert_eq!(
        validate_schedule("", now(), 3).unwrap_err(),
        s::SCHEDULE_EMPTY
    );
    assert_eq!(
        validate_schedule("0 0 30 2 *", now(), 3).unwrap_err(),
        s::SCHEDULE_NEVER
    );

    let mut f = form();
    f.next_step();
    f.next_step();
    assert_eq!(f.step, Step::Schedule);
    k(&mut f, "<Right>");
    assert_eq!(f.policy, Policy::Cron);
    f.focus_next(true);
    assert_eq!(f.focused(), Some(Field::Schedule));
    k(&mut f, "<C-u>");
    typed(&mut f, "*/15 * *");
    assert_eq!(
        f.error(Field::Schedule).as_deref(),
        Some(s::SCHEDULE_FIELDS)
    );
    assert!(f.next_runs().is_empty());
    typed(&mut f, " * *");
    assert_eq!(f.error(Field::Schedule), None);
    assert_eq!(f.next_runs().len(), 3);
}

#[test]
fn targets_come_from_the_dataset_and_can_be_added_and_removed() {
    let mut f = form();
    f.next_step();
    assert_eq!(f.step, Step::Targets);
    let paths: Vec<&str> = f.targets.iter().map(|t| t.path.text.as_str()).collect();
    assert_eq!(paths, ["/imagenet", "/extra"]);
    // Delete at the end of a path removes its row.
    k(&mut f, "<Delete>");
    assert_eq!(f.targets.len(), 1);
    assert_eq!(f.targets[0].path.text, "/extra");
    // Replicas: ↑ raises, a bad value is an error next to the field.
    f.focus_next(true);
    assert_eq!(f.focused(), Some(Field::Replicas(0)));
    k(&mut f, "<Up>");
    assert_eq!(f.targets[0].replicas.text, "2");
    k(&mut f, "<Backspace>");
    typed(&mut f, "0");
    assert_eq!(
        f.error(Field::Replicas(0)).as_deref(),
        Some(s::REPLICAS_BAD)
    );
    k(&mut f, "<Backspace>");
    typed(&mut f, "3");
    // The empty last row adds a target by typing or by offering the dataset's paths.
    f.focus_next(true);
    assert_eq!(f.focused(), Some(Field::Path(1)));
    typed(&mut f, "imagenet/train");
    assert_eq!(f.error(Field::Path(1)).as_deref(), Some(s::PATH_ABSOLUTE));
    k(&mut f, "<Home>");
    typed(&mut f, "/");
    assert_eq!(f.error(Field::Path(1)), None);
    f.focus_next(true);
    f.focus_next(true);
    assert_eq!(f.focused(), Some(Field::Path(2)));
    k(&mut f, "<Down>");
    assert_eq!(f.targets[2].path.text, "/imagenet");
    // A duplicate is refused.
    k(&mut f, "<Down>");
    k(&mut f, "<Down>");
    assert_eq!(f.targets[2].path.text, "/imagenet");
    k(&mut f, "<Up>");
    assert_eq!(f.targets[2].path.text, "/extra");
    assert_eq!(f.error(Field::Path(2)).as_deref(), Some(s::PATH_DUPLICATE));
    assert_eq!(f.next_step(), Outcome::Stay);
    k(&mut f, "<C-u>");
    // Clearing a path drops its row when the step is left.
    f.next_step();
    assert_eq!(f.step, Step::Schedule);
    let rows: Vec<(&str, &str)> = f
        .targets
        .iter()
        .map(|t| (t.path.text.as_str(), t.replicas.text.as_str()))
        .collect();
    assert_eq!(rows, [("/extra", "3"), ("/imagenet/train", "1")]);
}

#[test]
fn placement_lists_parse() {
    let t = parse_tolerations("dedicated=cache:NoSchedule, gpu:NoExecute").unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t[1].value, None);
    assert!(parse_tolerations("gpu").is_err());
    assert!(
        parse_tolerations("gpu:Never")
            .unwrap_err()
            .contains("effect")
    );
    assert!(load_form::parse_node_selector("zone").is_err());
}

#[test]
fn manifest_is_exactly_what_fluid_expects() {
    let mut f = form();
    f.targets.truncate(1);
    f.targets[0].replicas.set("2");
    f.load_metadata = true;
    f.policy = Policy::Cron;
    f.schedule.set("0 2 * * *");
    f.node_selector.set("node-role=cache");
    f.tolerations
        .set("dedicated=cache:NoSchedule gpu:NoExecute");
    assert_eq!(
        f.manifest(),
        json!({
            "apiVersion": "data.fluid.io/v1alpha1",
            "kind": "DataLoad",
            "metadata": {"name": "imagenet-train-load-20261125-1000", "namespace": "imagenet"},
            "spec": {
                "dataset": {"name": "imagenet-train", "namespace": "imagenet"},
                "loadMetadata": true,
                "target": [{"path": "/imagenet", "replicas": 2}],
                "policy": "Cron",
                "schedule": "0 2 * * *",
                "nodeSelector": {"node-role": "cache"},
                "tolerations": [
                    {"key": "dedicated", "operator": "Equal", "value": "cache", "effect": "NoSchedule"},
                    {"key": "gpu", "operator": "Exists", "effect": "NoExecute"},
                ],
            },
        })
    );
    // Once with a TTL; no schedule; the manifest parses as a DataLoad of the model.
    f.policy = Policy::Once;
    f.ttl.set("600");
    let m = f.manifest();
    assert_eq!(m["spec"]["ttlSecondsAfterFinished"], 600);
    assert!(m["spec"].get("schedule").is_none());
    let obj = Object::from_value(m).unwrap().unwrap();
    assert_eq!(obj.key(), f.key());

    // DataProcess: the dataset mounted at a path, a script processor.
    let mut f = form();
    k(&mut f, "<Right>");
    f.image.set("python:3.12");
    f.script.set("ls /data");
    let m = f.manifest();
    assert_eq!(m["kind"], "DataProcess");
    assert_eq!(
        m["spec"]["dataset"],
        json!({"name": "imagenet-train", "namespace": "imagenet", "mountPath": "/data"})
    );
    assert_eq!(
        m["spec"]["processor"],
        json!({"script": {"image": "python:3.12", "command": ["bash"], "source": "ls /data"}})
    );
    assert!(!f.steps().contains(&Step::Placement));
}

#[test]
fn submit_is_refused_while_any_field_has_an_error() {
    let mut f = form();
    f.ttl.set("soon");
    for _ in 0..4 {
        f.next_step();
    }
    // Stopped at the schedule step, where the error is.
    assert_eq!(f.step, Step::Schedule);
    f.ttl.set("");
    while f.step != Step::Review {
        assert_eq!(f.next_step(), Outcome::Stay);
    }
    // An error introduced behind the operator's back sends them to it.
    f.name.set("taken");
    assert_eq!(f.next_step(), Outcome::Stay);
    assert_eq!(f.step, Step::Operation);
    assert_eq!(f.focused(), Some(Field::Name));
    f.name.set("fresh");
    while f.step != Step::Review {
        f.next_step();
    }
    assert!(matches!(f.next_step(), Outcome::Submit(_)));
    // Esc walks back; on the first step it closes.
    while f.step != Step::Operation {
        assert_eq!(f.prev_step(), Outcome::Stay);
    }
    assert_eq!(f.prev_step(), Outcome::Close);
}

// ------------------------------------------------------------------ in the app

fn select_runtime(app: &mut App, name: &str) {
    press(app, "/");
    type_text(app, name);
    press(app, "<Enter>");
}

fn form_of(app: &App) -> &LoadForm {
    match app.overlays.top() {
        Some(Overlay::Form(f)) => f,
        other => panic!("no form open: {other:?}"),
    }
}

#[test]
fn readonly_refuses_l_at_the_action_layer() {
    let mut a = app();
    a.readonly = true;
    select_runtime(&mut a, "imagenet-train");
    press(&mut a, "L");
    assert!(a.overlays.is_empty());
    assert_eq!(
        a.flash.as_ref().map(|f| f.text.as_str()),
        Some(fluidops::app::strings::READONLY_REFUSED)
    );
}

#[test]
fn cancel_and_failed_write_bring_the_form_back() {
    let mut a = app();
    select_runtime(&mut a, "imagenet-train");
    press(&mut a, "L");
    press(&mut a, "<Tab> <C-u>");
    type_text(&mut a, "my-load");
    press(&mut a, "<Enter> <Enter> <Enter> <Enter>");
    assert_eq!(form_of(&a).step, Step::Review);
    press(&mut a, "<Enter>");
    assert!(matches!(a.overlays.top(), Some(Overlay::Confirm(_))));
    // No: back on the form, values kept.
    press(&mut a, "n");
    assert_eq!(form_of(&a).name.text, "my-load");
    press(&mut a, "<Enter>");
    let cmds = press(&mut a, "y");
    let Some(Command::Write(w)) = cmds.into_iter().next() else {
        panic!("no write")
    };
    assert!(a.overlays.is_empty());
    let err = WriteError::Invalid("admission webhook said no".into());
    a.update(
        Msg::WriteDone {
            write: w,
            result: Err(err),
        },
        keymap(),
    );
    let f = form_of(&a);
    assert_eq!(f.name.text, "my-load");
    assert!(
        f.message
            .as_deref()
            .unwrap_or("")
            .contains("admission webhook said no")
    );
    assert!(a.flash.as_ref().is_some_and(|f| f.is_error()));
    // C-a abandons it.
    press(&mut a, "<C-a>");
    assert!(a.overlays.is_empty());
}

#[tokio::test]
async fn l_on_imagenet_train_creates_a_load_that_completes_on_its_timeline() {
    let cluster = Arc::new(Mutex::new(DemoCluster::builtin(7, now())));
    cluster.lock().unwrap().set_random_failures(false);
    let writer = DemoWriter::new(cluster.clone());
    let mut a = App::new("demo", now());
    let mut events = vec![ClusterEvent::Connection(ConnectionState::Connected)];
    events.extend(cluster.lock().unwrap().initial_events());
    a.update(Msg::Cluster { at: now(), events }, keymap());

    select_runtime(&mut a, "imagenet-train");
    press(&mut a, "L");
    let f = form_of(&a);
    assert_eq!(f.kinds[0], OpKind::DataLoad);
    let name = f.name.text.clone();
    // Targets: the dataset's path with 2 replicas, metadata too.
    press(&mut a, "<Enter> <Tab> <Up> <Tab> <Tab> <Right>");
    assert!(form_of(&a).load_metadata);
    press(&mut a, "<Enter> <Enter> <Enter>");
    assert_eq!(form_of(&a).step, Step::Review);
    press(&mut a, "<Enter>");
    let cmds = press(&mut a, "y");
    let write = match cmds.as_slice() {
        [Command::Write(w)] => w.clone(),
        other => panic!("expected one write, got {other:?}"),
    };
    let WriteOp::Create(m) = &write.op else {
        panic!("not a create")
    };
    assert_eq!(
        m["spec"]["target"],
        json!([{"path": "/imagenet", "replicas": 2}])
    );
    let key = ObjectKey::new(Kind::Operation(OpKind::DataLoad), "imagenet", name.clone());
    cluster
        .lock()
        .unwrap()
        .set_job_outcome(key.clone(), JobOutcome::Succeed);

    let result = writer.write(&write).await;
    assert!(result.is_ok(), "{result:?}");
    a.update(Msg::WriteDone { write, result }, keymap());
    assert_eq!(a.screen, Screen::Timeline(Subject::Object(key.clone())));
    assert!(a.overlays.is_empty());
    assert!(a.overlays.iter().next().is_none(), "no form left waiting");

    let mut seen = Vec::new();
    for _ in 0..3600 {
        let (at, events) = {
            let mut c = cluster.lock().unwrap();
            let ev = c.advance(Duration::from_secs(1));
            (c.now(), ev)
        };
        a.update(Msg::Cluster { at, events }, keymap());
        let phase = match a.store.get(&key) {
            Some(Object::Operation(op)) => op.phase(),
            _ => continue,
        };
        if seen.last() != Some(&phase) {
            seen.push(phase.clone());
        }
        if phase.is_terminal() {
            break;
        }
    }
    assert_eq!(
        seen.last(),
        Some(&OpPhase::Complete),
        "phases seen: {seen:?}"
    );
    assert!(seen.contains(&OpPhase::Executing), "phases seen: {seen:?}");
    assert_eq!(a.screen, Screen::Timeline(Subject::Object(key.clone())));
    let labels: Vec<String> = a
        .store
        .timeline(&Subject::Object(key))
        .iter()
        .map(|t| format!("{t:?}"))
        .collect();
    assert!(labels.iter().any(|l| l.contains("Complete")), "{labels:?}");
}

// ------------------------------------------------------------------ snapshots

fn snap_steps(setup: fn(&mut App), prefix: &str) {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut a = app();
        select_runtime(&mut a, "imagenet-train");
        press(&mut a, "L");
        setup(&mut a);
        let steps = form_of(&a).steps();
        for (i, step) in steps.iter().enumerate() {
            assert_eq!(form_of(&a).step, *step);
            let name = format!("{prefix}{}_{}_{w}x{h}", i + 1, step.title().to_lowercase());
            insta::assert_snapshot!(name, render(&mut a, w, h, "default").backend());
            press(&mut a, "<Enter>");
        }
        assert!(matches!(a.overlays.top(), Some(Overlay::Confirm(_))));
    }
}

#[test]
fn snapshots_of_each_step() {
    snap_steps(|_| {}, "load_form_");
}

#[test]
fn snapshot_of_cron_with_next_runs_and_errors() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut a = app();
        select_runtime(&mut a, "imagenet-train");
        press(&mut a, "L <Enter> <Enter> <Right> <Tab>");
        insta::assert_snapshot!(
            format!("load_form_cron_{w}x{h}"),
            render(&mut a, w, h, "default").backend()
        );
        press(&mut a, "<C-u>");
        type_text(&mut a, "*/5 * *");
        insta::assert_snapshot!(
            format!("load_form_cron_error_{w}x{h}"),
            render(&mut a, w, h, "default").backend()
        );
    }
}

#[test]
fn tiny_sizes_do_not_panic() {
    let mut a = app();
    select_runtime(&mut a, "imagenet-train");
    press(&mut a, "L");
    for step in 0..5 {
        for (w, h) in [(1, 1), (20, 6), (30, 8), (40, 10), (80, 12)] {
            render(&mut a, w, h, "default");
            render(&mut a, w, h, "mono");
        }
        if step < 4 {
            press(&mut a, "<Enter>");
        }
    }
}

#[test]
fn snapshot_of_data_process_step() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut a = app();
        select_runtime(&mut a, "imagenet-train");
        press(&mut a, "L <Right> <Enter>");
        assert_eq!(form_of(&a).step, Step::Targets);
        insta::assert_snapshot!(
            format!("load_form_process_targets_{w}x{h}"),
            render(&mut a, w, h, "default").backend()
        );
    }
}

#[test]
fn l_works_on_a_dataset_row_and_on_a_detail_page() {
    let mut a = app();
    press(&mut a, ":");
    type_text(&mut a, "datasets");
    press(&mut a, "<Enter> /");
    type_text(&mut a, "qwen");
    press(&mut a, "<Enter> L");
    let f = form_of(&a);
    assert_eq!(
        (f.namespace.as_str(), f.dataset.as_str()),
        ("llm-serving", "qwen-weights")
    );
    assert_eq!(f.cache_paths, vec!["/models".to_string()]);
    press(&mut a, "<C-a>");

    let mut a = app();
    select_runtime(&mut a, "imagenet-train");
    press(&mut a, "<Enter>");
    assert!(matches!(a.screen, Screen::Detail(_)));
    press(&mut a, "L");
    assert_eq!(form_of(&a).dataset, "imagenet-train");
    // Esc on the first step closes the form and leaves the page as it was.
    press(&mut a, "<Esc>");
    assert!(a.overlays.is_empty());
    assert!(matches!(a.screen, Screen::Detail(_)));
}
