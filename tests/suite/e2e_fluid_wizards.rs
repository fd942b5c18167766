//! The console's wizards and forms driving upstream Fluid's own controllers (the level of
//! `support::fluid_level`, shared with `e2e_fluid`; this module works in namespace `wiz` with a
//! class of its own). The upstream Curvine manifests are applied; then, through the console as
//! an operator drives it (keys, confirmations, the binary's writer): the load form creates a
//! DataLoad that Fluid runs to Complete, and its timeline shows Fluid's reason; the upgrade
//! wizard upgrades master and worker in place to Succeeded (same pods, new image, restarted,
//! remounted after the master) watching only what upstream writes; the class editor applies a
//! change over the fields `kubectl create` set; the rebuild wizard has Fluid recreate a worker
//! and re-warms it with a DataLoad Fluid runs; a remount that fails (the
//! dataset's Secret gone) shows on the runtime as failing until Fluid remounts; a DataMigrate
//! the engine does not support shows Failed with no duration; when the worker's node is lost
//! (its Lease no longer renewed), the pods view shows the worker NodeNotReady and `R` on the
//! runtime preselects it, force-deletes it and gets it recreated on another node, re-warmed.

use std::time::{Duration, Instant};

use fluidops::app::actions::{Action, ViewKind};
use fluidops::app::maintenance_form::Field;
use fluidops::app::{App, Overlay, Screen};
use fluidops::model::maintenance::MaintenancePhase;
use fluidops::model::{Kind, Object, ObjectKey, OpKind};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::support::fluid_level::{Level, client_for, level, skipped, upstream_secret};
use crate::support::wizard_console::WizardConsole;

const WAIT: Duration = Duration::from_secs(120);
const NS: &str = "wiz";
/// The upstream class, renamed: classes are cluster-wide and `e2e_fluid` has the upstream name.
const CLASS: &str = "curvine-wiz";
const NAME: &str = "curvine-demo";
const MASTER_POD: &str = "curvine-demo-master-0";
const WORKER_POD: &str = "curvine-demo-worker-0";
const LOAD: &str = "wiz-load";
const MIGRATE: &str = "wiz-migrate";
/// The group of the nodes this module's workers run on (`Level::create_worker_node`).
const NODE_GROUP: &str = "wiz";
const NODE_A: &str = "kwok-wiz-a";
/// Where the worker goes when its node is lost.
const NODE_B: &str = "kwok-wiz-b";

fn api(client: &Client, kind: Kind) -> Api<DynamicObject> {
    let ar = fluidops::cluster::kube_source::api_resource(kind);
    if kind.namespaced() {
        Api::namespaced_with(client.clone(), NS, &ar)
    } else {
        Api::all_with(client.clone(), &ar)
    }
}

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

/// Polls the API server until `done` holds for what Fluid wrote.
async fn until_fluid(
    l: &Level,
    client: &Client,
    kind: Kind,
    name: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let t0 = Instant::now();
    loop {
        let v = live(client, kind, name).await;
        if let Some(v) = &v
            && done(v)
        {
            return v.clone();
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

async fn pod(client: &Client, name: &str) -> Pod {
    Api::<Pod>::namespaced(client.clone(), NS)
        .get(name)
        .await
        .expect(name)
}

fn image_and_restarts(p: &Pod) -> (String, i32) {
    let cs = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|c| c.first())
        .expect("a container status");
    (cs.image.clone(), cs.restart_count)
}

fn page(c: &mut WizardConsole, key: ObjectKey) -> String {
    c.app.screen = Screen::Detail(key);
    c.screen()
}

fn line_with(text: &str, needle: &str) -> String {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
        .trim_matches(|c: char| c == '│' || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Presses Enter until the form in front asks for confirmation.
async fn enter_until_confirm(c: &mut WizardConsole) {
    for _ in 0..12 {
        if matches!(c.app.overlays.top(), Some(Overlay::Confirm(_))) {
            return;
        }
        c.press("<Enter>").await;
    }
    let flash = c.app.flash.clone();
    panic!("no confirmation; flash {flash:?}\n{}", c.screen());
}

/// Drives the run `run` (answering its prompts) until it Succeeded; panics with the screen and
/// the level's diagnostics when it ends otherwise or takes longer than `limit`.
async fn run_to_success(
    c: &mut WizardConsole,
    l: &Level,
    run: &ObjectKey,
    what: &str,
    limit: Duration,
) {
    let t0 = Instant::now();
    loop {
        let phase = c
            .app
            .run_record(run)
            .and_then(|r| r.status.as_ref())
            .map(|s| s.phase.clone());
        match phase {
            Some(MaintenancePhase::Succeeded) => return,
            Some(MaintenancePhase::Failed) | Some(MaintenancePhase::RolledBack) => {
                panic!(
                    "the {what} ended {phase:?}\n{}\n{}",
                    c.screen(),
                    l.diagnostics()
                )
            }
            _ => {}
        }
        assert!(
            t0.elapsed() < limit,
            "the {what} did not succeed in {limit:?}\n{}\n{}",
            c.screen(),
            l.diagnostics()
        );
        c.answer_prompts(run).await;
        c.turn().await;
    }
}

fn runtime_listed(a: &mut App) -> bool {
    a.store
        .get(&ObjectKey::new(Kind::CacheRuntime, NS, NAME))
        .is_some()
        && a.store
            .get(&ObjectKey::new(Kind::CacheRuntimeClass, "", CLASS))
            .is_some()
        && a.store
            .get(&ObjectKey::new(Kind::Dataset, NS, NAME))
            .is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consoles_wizards_drive_upstream_fluid() {
    if skipped() {
        eprintln!("FLUIDOPS_E2E=0: the end-to-end wizards against upstream Fluid are skipped");
        return;
    }
    let t_all = Instant::now();
    let l = level();
    let client = client_for(&l.kubeconfig).await;
    l.create_curvine_in(NS, NODE_GROUP, NODE_A, CLASS, &[]);
    let secret = upstream_secret(l);
    until_fluid(l, &client, Kind::Dataset, NAME, "Dataset Bound", |v| {
        s(v, &["status", "phase"]) == "Bound"
    })
    .await;
    eprintln!("Fluid: set up and bound in {:?}", t_all.elapsed());

    let mut c = WizardConsole::start(client.clone(), NS, None);
    c.until("runtime, class and dataset listed", WAIT, runtime_listed)
        .await;
    let rt_key = ObjectKey::new(Kind::CacheRuntime, NS, NAME);

    // ------------------------------------------------ the load form
    let t = Instant::now();
    c.app.act(Action::ViewOpen(ViewKind::Runtimes));
    c.press("/").await;
    c.type_text(NAME);
    c.press("<Enter> L").await;
    if !matches!(c.app.overlays.top(), Some(Overlay::Form(_))) {
        let flash = c.app.flash.clone();
        panic!("no load form; flash {flash:?}\n{}", c.screen());
    }
    c.press("<Tab> <C-u>").await;
    c.type_text(LOAD);
    enter_until_confirm(&mut c).await;
    c.press("y").await;
    let load_key = ObjectKey::new(Kind::Operation(OpKind::DataLoad), NS, LOAD);
    c.until("the DataLoad Complete in the console", WAIT, |a| {
        matches!(a.store.get(&load_key), Some(Object::Operation(op))
            if op.phase().as_str() == "Complete")
    })
    .await;
    let load = live(&client, load_key.kind, LOAD).await.unwrap();
    assert_eq!(load["spec"]["dataset"]["name"], NAME, "{load}");
    let text = page(&mut c, load_key.clone());
    assert!(line_with(&text, "Phase:").contains("✔ Complete"), "{text}");
    let timeline: String = text
        .lines()
        .skip_while(|l| !l.contains("Timeline"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        timeline.contains("✔ Complete") && timeline.contains("CompletionsReached"),
        "{timeline}"
    );
    eprintln!(
        "load form: DataLoad Complete {:?} after the form opened",
        t.elapsed()
    );

    // ------------------------------------------------ the upgrade wizard
    let t = Instant::now();
    let before_master = pod(&client, MASTER_POD).await;
    let before_worker = pod(&client, WORKER_POD).await;
    let mount_before = s(
        &live(&client, Kind::CacheRuntime, NAME).await.unwrap(),
        &["status", "mountTime"],
    )
    .to_string();
    c.app.act(Action::ViewOpen(ViewKind::Runtimes));
    c.app.screen = Screen::List(ViewKind::Runtimes);
    // The filter typed for the load form, cleared.
    c.press("/ <C-u> <Enter>").await;
    c.plan_upgrade(NAME, "v0.3.0-test").await;
    let Some(Overlay::Confirm(plan)) = c.app.overlays.top() else {
        unreachable!()
    };
    let body = plan.body.join("\n");
    assert!(
        !body.contains("client pods keep"),
        "no client pods, no client warning:\n{body}"
    );
    assert!(
        body.contains("re-runs mountUFS after the master restart"),
        "waits for the remount:\n{body}"
    );
    assert!(
        !body.contains("running operations"),
        "the DataLoad is Complete:\n{body}"
    );
    c.press("y").await;
    let run = c.app.run_page().expect("the run's page is open");
    let done = Duration::from_secs(180);
    let t0 = Instant::now();
    loop {
        let phase = c
            .app
            .run_record(&run)
            .and_then(|r| r.status.as_ref())
            .map(|s| s.phase.clone());
        match phase {
            Some(MaintenancePhase::Succeeded) => break,
            Some(MaintenancePhase::Failed) | Some(MaintenancePhase::RolledBack) => {
                panic!(
                    "the run ended {phase:?}\n{}\n{}",
                    c.screen(),
                    l.diagnostics()
                )
            }
            _ => {}
        }
        assert!(
            t0.elapsed() < done,
            "the upgrade did not succeed in {done:?}\n{}\n{}",
            c.screen(),
            l.diagnostics()
        );
        c.answer_prompts(&run).await;
        c.turn().await;
    }
    let target = "curvine/curvine:v0.3.0-test";
    for (name, before) in [(MASTER_POD, &before_master), (WORKER_POD, &before_worker)] {
        let now = pod(&client, name).await;
        assert_eq!(
            now.metadata.uid, before.metadata.uid,
            "{name} updated in place"
        );
        let (image, restarts) = image_and_restarts(&now);
        let (_, restarts_before) = image_and_restarts(before);
        assert_eq!(image, target, "{name}");
        assert!(restarts > restarts_before, "{name} restarted: {restarts}");
    }
    let rt = live(&client, Kind::CacheRuntime, NAME).await.unwrap();
    let mount_after = s(&rt, &["status", "mountTime"]);
    assert!(
        mount_after > mount_before.as_str(),
        "remounted after the master: mountTime {mount_before} → {mount_after}"
    );
    let text = c.screen();
    assert!(text.contains("Succeeded"), "{text}");
    eprintln!(
        "upgrade wizard: Succeeded {:?} after the form opened",
        t.elapsed()
    );

    // ------------------------------------------------ a remount that fails
    let t = Instant::now();
    l.kubectl(&["delete", "-n", NS, "secret", "curvine-secret"]);
    let patch = json!({"spec": {"master": {"runtimeVersion":
        {"image": "curvine/curvine", "imageTag": "v0.3.1-test"}}}});
    api(&client, Kind::CacheRuntime)
        .patch(NAME, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("patch the master's version");
    c.until("the runtime shown failing", WAIT, |a| {
        a.screen = Screen::Detail(rt_key.clone());
        let ctx_text = {
            let theme = crate::common::theme("default");
            crate::common::screen_text(&crate::common::render_with(a, 160, 48, theme, None))
        };
        ctx_text
            .lines()
            .any(|l| l.contains("Phase:") && l.contains("✖ failing:"))
    })
    .await;
    let text = page(&mut c, rt_key.clone());
    let phase = line_with(&text, "Phase:");
    assert!(
        phase.contains("failing:") && phase.contains("mount"),
        "{phase}"
    );
    let events = l.kubectl(&[
        "get",
        "events",
        "-n",
        NS,
        "--field-selector",
        "involvedObject.kind=CacheRuntime,reason=ErrorProcessRuntime",
        "-o",
        "name",
    ]);
    assert!(
        !events.trim().is_empty(),
        "Fluid's ErrorProcessRuntime event"
    );
    eprintln!(
        "remount failure shown {:?} after the Secret was deleted",
        t.elapsed()
    );
    l.kubectl(&["create", "-n", NS, "-f", secret.to_str().unwrap()]);
    c.until("the runtime no longer failing", WAIT, |a| {
        a.screen = Screen::Detail(rt_key.clone());
        let theme = crate::common::theme("default");
        let text = crate::common::screen_text(&crate::common::render_with(a, 160, 48, theme, None));
        text.lines()
            .any(|l| l.contains("Phase:") && l.contains("● Ready") && !l.contains("failing"))
    })
    .await;
    eprintln!(
        "remount recovered {:?} after the Secret was deleted",
        t.elapsed()
    );

    // ------------------------------------------------ the class editor
    let t = Instant::now();
    c.app.screen = Screen::List(ViewKind::Classes);
    c.app.act(Action::ViewOpen(ViewKind::Classes));
    c.press("/ <C-u>").await;
    c.type_text(CLASS);
    c.press("<Enter> e").await;
    let Some(ed) = c.app.editor.as_mut() else {
        let flash = c.app.flash.clone();
        panic!("no editor; flash {flash:?}\n{}", c.screen());
    };
    let text = ed.text();
    assert_eq!(text.matches("timeout: 30").count(), 1, "{text}");
    ed.set_text(&text.replacen("timeout: 30", "timeout: 45", 1));
    c.press("<C-s>").await;
    c.until("the dry run's diff to confirm", WAIT, |a| {
        matches!(a.overlays.top(), Some(Overlay::Confirm(_)))
    })
    .await;
    let Some(Overlay::Confirm(review)) = c.app.overlays.top() else {
        unreachable!()
    };
    let diff = review.body.join("\n");
    assert!(diff.contains("timeout: 45"), "{diff}");
    c.press("y").await;
    let class_key = ObjectKey::new(Kind::CacheRuntimeClass, "", CLASS);
    c.until("the class applied", WAIT, |a| {
        a.editor.is_none()
            || a.editor
                .as_ref()
                .is_some_and(|e| e.phase == fluidops::app::editor::Phase::Done)
    })
    .await;
    let class = live(&client, Kind::CacheRuntimeClass, CLASS).await.unwrap();
    assert_eq!(
        class["topology"]["master"]["executionEntries"]["mountUFS"]["timeout"], 45,
        "applied: {}",
        class["topology"]["master"]["executionEntries"]
    );
    let applied = c.audit_lines();
    assert!(
        applied.iter().any(|l| l["verb"] == "apply"
            && l["object"] == format!("{class_key}").as_str()
            && l["outcome"] == "ok"
            && l["dryRun"] == false),
        "{applied:#?}"
    );
    // Fluid accepts it: the runtime stays Ready and its dataset Bound.
    let rt = live(&client, Kind::CacheRuntime, NAME).await.unwrap();
    assert_eq!(s(&rt, &["status", "master", "phase"]), "Ready");
    let ds = live(&client, Kind::Dataset, NAME).await.unwrap();
    assert_eq!(s(&ds, &["status", "phase"]), "Bound");
    eprintln!("class editor: applied {:?} after it opened", t.elapsed());

    // ------------------------------------------------ the rebuild wizard (manual, one worker)
    let t = Instant::now();
    let old_worker = pod(&client, WORKER_POD).await;
    c.app.screen = Screen::List(ViewKind::Pods);
    c.plan_rebuild_of_pod(WORKER_POD).await;
    c.press("y").await;
    let run = c.app.run_page().expect("the rebuild's page is open");
    run_to_success(&mut c, l, &run, "rebuild", Duration::from_secs(180)).await;
    let new_worker = pod(&client, WORKER_POD).await;
    assert_ne!(
        new_worker.metadata.uid, old_worker.metadata.uid,
        "Fluid's AdvancedStatefulSet recreated the worker"
    );
    let rewarm = fluidops::workflows::plan::rewarm_name(&run.name);
    let load = live(&client, Kind::Operation(OpKind::DataLoad), &rewarm)
        .await
        .unwrap_or_else(|| panic!("no re-warm DataLoad {rewarm}"));
    assert_eq!(s(&load, &["status", "phase"]), "Complete", "{load}");
    eprintln!(
        "rebuild wizard: Succeeded {:?} after the form opened",
        t.elapsed()
    );

    // ------------------------------------------------ an unsupported DataMigrate
    let migrate: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "data.fluid.io/v1alpha1", "kind": "DataMigrate",
        "metadata": {"name": MIGRATE, "namespace": NS},
        "spec": {"from": {"dataset": {"name": NAME, "namespace": NS}},
                 "to": {"externalStorage": {"uri": "s3://backup/"}}}
    }))
    .unwrap();
    let migrate_kind = Kind::Operation(OpKind::DataMigrate);
    api(&client, migrate_kind)
        .create(&PostParams::default(), &migrate)
        .await
        .expect("create the DataMigrate");
    let mkey = ObjectKey::new(migrate_kind, NS, MIGRATE);
    c.until("the DataMigrate Failed in the console", WAIT, |a| {
        matches!(a.store.get(&mkey), Some(Object::Operation(op))
            if op.phase().as_str() == "Failed")
    })
    .await;
    c.app.screen = Screen::List(ViewKind::Ops);
    c.app.act(Action::ViewOpen(ViewKind::Ops));
    let ops = c.screen();
    let row = line_with(&ops, MIGRATE);
    assert!(row.contains("∅ Failed (Unsupported) - Once"), "{row}");

    // ------------------------------------------------ the rebuild wizard after a node is lost
    let t = Instant::now();
    l.create_worker_node(NODE_B, NODE_GROUP);
    let old_worker = pod(&client, WORKER_POD).await;
    let lost = old_worker
        .spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .expect("the worker is scheduled");
    l.lose_node(&lost);
    // The node lifecycle controller marks the worker Ready=False with an event NodeNotReady; the
    // console shows it in the pods view.
    c.app.screen = Screen::List(ViewKind::Pods);
    c.app.act(Action::ViewOpen(ViewKind::Pods));
    c.press("/ <C-u>").await;
    c.type_text(WORKER_POD);
    c.press("<Enter>").await;
    let shown = c
        .until("the worker shown on its lost node", WAIT, |a| {
            let text = crate::common::screen_text(&crate::common::render(a, 160, 48, "default"));
            // The row, and the controller's NodeNotReady event on the pod (the planner's
            // evidence; it arrives apart from the pod's status).
            let key = ObjectKey::new(Kind::Pod, NS, WORKER_POD);
            text.lines()
                .any(|l| l.starts_with(&format!("│{WORKER_POD} ")) && l.contains("✗ NodeNotReady"))
                && matches!(a.store.get(&key), Some(Object::Pod(p))
                if fluidops::workflows::observe::node_trouble(&a.store, p).is_some())
        })
        .await;
    let pods = c.screen();
    let row = line_with(&pods, &format!("│{WORKER_POD}"));
    assert!(row.contains(&lost), "{row}");
    eprintln!("node {lost} lost: the worker shown NotReady after {shown:?}");
    c.open_rebuild_of_runtime(NAME).await;
    let form = c.screen();
    assert!(
        line_with(&form, "Reason").contains("[NodeFailure]"),
        "{form}"
    );
    let row = line_with(&form, "worker-0");
    assert!(
        row.contains("[x] worker-0") && row.contains(&lost) && row.contains("Ready False"),
        "{form}"
    );
    assert!(
        form.contains(&format!("node {lost} is NotReady (event")) && form.contains("lost or"),
        "the form says why:\n{form}"
    );
    let Some(Overlay::Maintenance(f)) = c.app.overlays.top_mut() else {
        unreachable!()
    };
    let ticked: Vec<&str> = f
        .pods
        .iter()
        .filter(|p| p.ticked)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(ticked, [WORKER_POD], "the lost worker preselected, alone");
    assert!(f.lost_ticked(), "the worker is on a lost node");
    f.focus_on(Field::ForceDelete);
    c.press("<Space>").await;
    c.enter_until_confirm().await;
    let Some(Overlay::Confirm(plan)) = c.app.overlays.top() else {
        unreachable!()
    };
    let body = plan.body.join("\n");
    assert!(
        body.contains(&format!(
            "Pod/{WORKER_POD}: force-deleted (not Ready: node {lost} is NotReady"
        )),
        "{body}"
    );
    c.press("y").await;
    let run = c.app.run_page().expect("the rebuild's page is open");
    run_to_success(&mut c, l, &run, "rebuild of the lost worker", WAIT).await;
    let new_worker = pod(&client, WORKER_POD).await;
    assert_ne!(
        new_worker.metadata.uid, old_worker.metadata.uid,
        "the worker recreated"
    );
    let node = new_worker.spec.as_ref().and_then(|s| s.node_name.clone());
    assert!(
        node.as_deref().is_some_and(|n| n != lost),
        "recreated on another node than {lost}: {node:?}"
    );
    let rewarm = fluidops::workflows::plan::rewarm_name(&run.name);
    let load = live(&client, Kind::Operation(OpKind::DataLoad), &rewarm)
        .await
        .unwrap_or_else(|| panic!("no re-warm DataLoad {rewarm}"));
    assert_eq!(s(&load, &["status", "phase"]), "Complete", "{load}");
    let text = c.screen();
    assert!(text.contains("Succeeded"), "{text}");
    let worker_key = format!("{}", ObjectKey::new(Kind::Pod, NS, WORKER_POD));
    let sent = c.audit_lines();
    assert!(
        sent.iter().any(|l| l["verb"] == "force delete"
            && l["object"] == worker_key.as_str()
            && l["outcome"] == "ok"),
        "{sent:#?}"
    );
    eprintln!(
        "rebuild wizard after node {lost} was lost: Succeeded {:?} after the node was lost",
        t.elapsed()
    );

    eprintln!("upstream Fluid wizards: {:?} in all", t_all.elapsed());
}
