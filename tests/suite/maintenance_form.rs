//! The setup step of the upgrade (`U`) and rebuild (`R`) wizards on the demo cluster: prefilled
//! fields, validation as typed, the live plan preview from the workflow planner (refusals,
//! not-syncable changes), the confirmation text, and its rendering at every size.

use crate::common;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use common::{keymap, now, runtime_key};
use fluidops::app::actions::Action;
use fluidops::app::maintenance_form::{Field, LineKind, MaintenanceForm, Outcome, target_of};
use fluidops::app::maintenance_strings as s;
use fluidops::app::{App, Msg, Overlay};
use fluidops::cluster::{ClusterEvent, ConnectionState, Store};
use fluidops::demo::DemoCluster;
use fluidops::model::pod::{component_of, is_ready, node_of};
use fluidops::model::{Component, Kind, Object, ObjectKey};
use fluidops::ui::{Ctx, maintenance_form};
use fluidops::workflows::plan::Refusal;

// ------------------------------------------------------------------ helpers

/// The demo cluster (no random failures) and an app whose store holds its objects.
fn demo() -> (DemoCluster, App) {
    let mut cluster = DemoCluster::builtin(7, now());
    cluster.set_random_failures(false);
    let mut app = App::new("demo", now());
    let mut events = vec![ClusterEvent::Connection(ConnectionState::Connected)];
    events.extend(cluster.initial_events());
    app.update(Msg::Cluster { at: now(), events }, keymap());
    (cluster, app)
}

/// Advances the cluster one second at a time, feeding its events to the app, until `done`
/// holds for the store (at most `max` seconds).
fn advance_until(
    cluster: &mut DemoCluster,
    app: &mut App,
    max: u64,
    done: impl Fn(&Store) -> bool,
) -> Timestamp {
    for _ in 0..max {
        let events = cluster.advance(Duration::from_secs(1));
        let at = cluster.now();
        app.update(Msg::Cluster { at, events }, keymap());
        if done(&app.store) {
            return at;
        }
    }
    panic!("condition not reached in {max} simulated seconds");
}

/// Advances the cluster `secs` seconds, feeding its events to the app.
fn advance(cluster: &mut DemoCluster, app: &mut App, secs: u64) -> Timestamp {
    for _ in 0..secs {
        let events = cluster.advance(Duration::from_secs(1));
        let at = cluster.now();
        app.update(Msg::Cluster { at, events }, keymap());
    }
    cluster.now()
}

fn imagenet() -> ObjectKey {
    runtime_key("imagenet", "imagenet-train")
}

fn pod<'a>(store: &'a Store, ns: &str, name: &str) -> Option<&'a fluidops::model::Pod> {
    match store.get(&ObjectKey::new(Kind::Pod, ns, name))? {
        Object::Pod(p) => Some(p),
        _ => None,
    }
}

/// A key on the focused field, then the refresh the app does after it.
fn k(f: &mut MaintenanceForm, store: &Store, at: Timestamp, notation: &str) {
    f.on_key(&common::key(notation));
    assert!(f.is_stale() || f.message.is_some() || notation.starts_with("<Page"));
    f.refresh(store, at);
}

fn typed(f: &mut MaintenanceForm, store: &Store, at: Timestamp, text: &str) {
    for c in text.chars() {
        f.on_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    f.refresh(store, at);
}

fn draw(form: &MaintenanceForm, w: u16, h: u16, theme: &str) -> Terminal<TestBackend> {
    let ctx = Ctx {
        theme: common::theme(theme),
        keymap: keymap(),
        demo: true,
        caption: None,
    };
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    terminal
        .draw(|f| maintenance_form::draw(f, f.area(), form, &ctx))
        .expect("draw");
    terminal
}

fn screen(t: &Terminal<TestBackend>) -> String {
    common::screen_text(t)
}

/// Pod objects named in the plan's changes, in order.
fn changed_pods(f: &MaintenanceForm) -> Vec<String> {
    f.current_plan()
        .expect("a plan")
        .summary
        .changes
        .iter()
        .filter_map(|c| c.object.strip_prefix("Pod/").map(str::to_string))
        .collect()
}

/// The demo with a worker of imagenet-train on a lost node, until it is not Ready; returns the
/// worker and its node.
fn lost_worker(cluster: &mut DemoCluster, app: &mut App) -> (String, String, Timestamp) {
    let master_node = pod(&app.store, "imagenet", "imagenet-train-master-0")
        .and_then(node_of)
        .map(str::to_string);
    let (worker, node) = app
        .store
        .pods_of_runtime("imagenet", "imagenet-train")
        .into_iter()
        .filter(|p| component_of(p) == Some(Component::Worker))
        .filter_map(|p| Some((p.metadata.name.clone()?, node_of(p).map(str::to_string)?)))
        .filter(|(_, n)| Some(n) != master_node.as_ref())
        .max()
        .expect("a worker away from the master");
    cluster.fail_node(&node);
    let w = worker.clone();
    let at = advance_until(cluster, app, 120, move |st| {
        pod(st, "imagenet", &w).is_some_and(|p| !is_ready(p))
    });
    (worker, node, at)
}

// ------------------------------------------------------------------ upgrade

#[test]
fn upgrade_prefills_the_running_version_and_refuses_the_same_one() {
    let (_c, a) = demo();
    let f = MaintenanceForm::upgrade(&a.store, &imagenet(), now()).expect("form opens");
    assert_eq!(f.image.text, "curvine/curvine");
    assert_eq!(f.tag.text, "v0.2.5");
    assert_eq!(f.pull_policy(), "IfNotPresent");
    let comps: Vec<(Component, bool, bool)> = f
        .components
        .iter()
        .map(|c| (c.component, c.selected, c.disabled.is_some()))
        .collect();
    assert_eq!(
        comps,
        [
            (Component::Master, true, false),
            (Component::Worker, true, false),
            (Component::Client, false, true),
        ]
    );
    assert_eq!(f.timeout.text, "600");
    // The prefilled tag is what runs: the planner refuses, and the preview says why first.
    assert!(
        matches!(f.refusal(), Some(Refusal::SameVersion { version }) if version == "curvine/curvine:v0.2.5"),
        "{:?}",
        f.plan
    );
    let first = &f.preview_lines()[0];
    assert_eq!(first.0, LineKind::Error);
    assert!(
        first.1.contains("already runs curvine/curvine:v0.2.5"),
        "{first:?}"
    );
    // With the versions each component runs now, the client included.
    assert_eq!(
        f.preview_lines()[1].1,
        s::running_now(&[
            "master curvine/curvine:v0.2.5".into(),
            "worker curvine/curvine:v0.2.5".into(),
            "client curvine/curvine:v0.2.5".into(),
        ])
    );
}

#[test]
fn changing_the_tag_updates_the_plan_master_then_workers_highest_first_in_place() {
    let (_c, a) = demo();
    let st = &a.store;
    let mut f = MaintenanceForm::upgrade(st, &imagenet(), now()).unwrap();
    f.focus_on(Field::Tag);
    k(&mut f, st, now(), "<C-u>");
    // Empty tag: a field error, no plan, and Enter on the last field refuses.
    assert_eq!(f.error(Field::Tag).as_deref(), Some(s::TAG_EMPTY));
    assert!(f.plan.is_none());
    assert_eq!(f.preview_lines()[0].1, s::PREVIEW_FIX_FIELDS);
    typed(&mut f, st, now(), "v0.3.0");
    assert_eq!(f.error(Field::Tag), None);
    let plan = f.current_plan().expect("plan for a new tag").clone();
    assert_eq!(
        changed_pods(&f),
        [
            "imagenet-train-master-0",
            "imagenet-train-worker-2",
            "imagenet-train-worker-1",
            "imagenet-train-worker-0",
        ]
    );
    let pod_changes: Vec<&String> = plan
        .summary
        .changes
        .iter()
        .filter(|c| c.object.starts_with("Pod/"))
        .map(|c| &c.change)
        .collect();
    for c in &pod_changes {
        assert!(
            c.contains("curvine/curvine:v0.2.5 → curvine/curvine:v0.3.0") && c.contains("in place"),
            "{c}"
        );
    }
    // The runtime is patched per component, master first.
    let patches: Vec<String> = plan
        .summary
        .changes
        .iter()
        .filter(|c| c.object.starts_with("CacheRuntime/"))
        .map(|c| c.to_string())
        .collect();
    assert!(patches[0].starts_with("master") && patches[1].starts_with("worker"));
    // The preview lists the changes in that order, numbered.
    let preview: Vec<String> = f.preview_lines().into_iter().map(|(_, l)| l).collect();
    assert_eq!(preview[0], s::PREVIEW_CHANGES);
    assert!(preview[1].starts_with("  1. master CacheRuntime/imagenet-train"));
    // A typo in the repository is caught as typed.
    f.focus_on(Field::Image);
    typed(&mut f, st, now(), ":v1");
    assert_eq!(f.error(Field::Image).as_deref(), Some(s::IMAGE_HAS_TAG));
    assert!(f.plan.is_none());
}

#[test]
fn same_tag_again_is_refused_and_submit_is_refused() {
    let (_c, a) = demo();
    let st = &a.store;
    let mut f = MaintenanceForm::upgrade(st, &imagenet(), now()).unwrap();
    f.focus_on(Field::Tag);
    k(&mut f, st, now(), "<BackSpace>");
    typed(&mut f, st, now(), "6");
    assert!(f.current_plan().is_some());
    k(&mut f, st, now(), "<BackSpace>");
    typed(&mut f, st, now(), "5");
    assert!(matches!(f.refusal(), Some(Refusal::SameVersion { .. })));
    let err = f.submit(st, now()).unwrap_err();
    assert!(err.contains("already runs"), "{err}");
    // Enter walks the fields, then on the last one refuses with the reason.
    let n = f.fields().len();
    for _ in 0..n {
        assert_eq!(f.next(st, now()), Outcome::Stay);
    }
    assert_eq!(f.focused(), Some(Field::Timeout));
    assert_eq!(f.next(st, now()), Outcome::Stay);
    assert!(
        f.message.as_deref().unwrap_or("").contains("already runs"),
        "{:?}",
        f.message
    );
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(
        f.on_action(Some(Action::NavBack), &esc, st, now()),
        Outcome::Close
    );
}

#[test]
fn client_toggle_is_refused_with_the_reason() {
    let (_c, a) = demo();
    let st = &a.store;
    let mut f = MaintenanceForm::upgrade(st, &imagenet(), now()).unwrap();
    f.focus_on(Field::Component(Component::Client));
    f.on_key(&common::key("<Space>"));
    let client = f
        .components
        .iter()
        .find(|c| c.component == Component::Client)
        .unwrap();
    assert!(!client.selected);
    let msg = f.message.clone().unwrap_or_default();
    assert!(
        msg.contains("upstream never updates the client DaemonSet"),
        "{msg}"
    );
    // Unticking both master and worker leaves nothing: an error on the field, no plan.
    f.focus_on(Field::Component(Component::Master));
    k(&mut f, st, now(), "<Space>");
    f.focus_on(Field::Component(Component::Worker));
    k(&mut f, st, now(), "<Space>");
    assert_eq!(
        f.error(Field::Component(Component::Worker)).as_deref(),
        Some(s::NO_COMPONENT)
    );
    assert!(f.plan.is_none());
    // Worker alone: the master is not in the plan.
    k(&mut f, st, now(), "<Space>");
    f.tag.set("v0.3.0");
    f.refresh(st, now());
    assert!(
        changed_pods(&f)
            .iter()
            .all(|p| p.starts_with("imagenet-train-worker-"))
    );
}

#[test]
fn confirm_each_step_on_several_workers_turns_the_partition_on() {
    let (_c, a) = demo();
    let st = &a.store;
    let mut f = MaintenanceForm::upgrade(st, &imagenet(), now()).unwrap();
    f.tag.set("v0.3.0");
    f.focus_on(Field::ConfirmEachStep);
    k(&mut f, st, now(), "<Space>");
    assert!(f.confirm_each_step);
    let plan = f.current_plan().expect("plan").clone();
    let strategy = plan.record.spec.strategy.clone().unwrap();
    assert_eq!(strategy.use_partition, Some(true));
    assert_eq!(strategy.confirm_each_step, Some(true));
    assert!(
        plan.summary
            .warnings
            .iter()
            .any(|w| w.contains("usePartition is turned on")),
        "{:?}",
        plan.summary.warnings
    );
    assert!(
        plan.summary
            .changes
            .iter()
            .any(|c| c.object == "AdvancedStatefulSet/imagenet-train-worker"
                && c.change.contains("partition"))
    );
    // The field shows it was the plan that turned it on.
    let text = screen(&draw(&f, 160, 48, "default"));
    assert!(text.contains(s::PARTITION_BY_PLAN), "{text}");
    // Step timeout: ↑/↓ in minutes, never below 30 s; typing a smaller value is an error.
    f.focus_on(Field::Timeout);
    k(&mut f, st, now(), "<Up>");
    assert_eq!(f.timeout.text, "660");
    k(&mut f, st, now(), "<C-u>");
    typed(&mut f, st, now(), "20");
    assert_eq!(f.error(Field::Timeout).as_deref(), Some(s::TIMEOUT_BAD));
    k(&mut f, st, now(), "<Down>");
    assert_eq!(f.timeout.text, "30");
    assert_eq!(f.error(Field::Timeout), None);
}

#[test]
fn confirm_lines_are_the_plan_summary_and_the_record() {
    let (_c, a) = demo();
    let st = &a.store;
    let mut f = MaintenanceForm::upgrade(st, &imagenet(), now()).unwrap();
    f.tag.set("v0.3.0");
    f.rollback = true;
    f.refresh(st, now());
    let n = f.fields().len();
    let mut out = Outcome::Stay;
    for _ in 0..n {
        out = f.next(st, now());
    }
    let Outcome::Submit(plan) = out else {
        panic!("not submitted: {out:?} {:?}", f.message)
    };
    let lines = f.confirm_lines(&plan);
    assert_eq!(
        lines[0],
        "Upgrade CacheRuntime imagenet/imagenet-train (master, worker) to curvine/curvine:v0.3.0 in place?"
    );
    assert_eq!(lines[1], s::PREVIEW_CHANGES);
    assert!(lines[2].starts_with("  1. master CacheRuntime/imagenet-train: spec.master.runtimeVersion curvine/curvine:v0.2.5 → curvine/curvine:v0.3.0"));
    let at = |text: &str| lines.iter().position(|l| l == text);
    let (changes, stays) = (
        at(s::PREVIEW_CHANGES).unwrap(),
        at(s::PREVIEW_STAYS).unwrap(),
    );
    assert!(changes < stays);
    assert!(lines[stays + 1].starts_with("  - pods keep their names, UIDs and nodes"));
    assert!(lines.contains(&"Max unavailable: 1".to_string()));
    assert!(lines.contains(
        &"Strategy: confirm each step no, partition no, rollback on failure yes, step timeout 600s"
            .to_string()
    ));
    assert_eq!(
        lines.last().unwrap(),
        "records the run in CacheRuntimeMaintenance imagenet/imagenet-train-upgrade-20261125100000"
    );
    assert_eq!(plan.record.spec.components, ["master", "worker"]);
}

#[test]
fn opening_is_refused_for_a_missing_or_locked_runtime() {
    let (_c, mut a) = demo();
    let missing = runtime_key("imagenet", "nope");
    assert_eq!(
        MaintenanceForm::upgrade(&a.store, &missing, now()).unwrap_err(),
        s::no_runtime("imagenet", "nope")
    );
    // A lock annotation names the run holding the runtime.
    let mut v = a.store.get(&imagenet()).expect("runtime").to_value();
    v["metadata"]["annotations"]["fluidops.io/maintenance"] = "imagenet-train-upgrade-1".into();
    let locked = Object::from_value(v).unwrap().unwrap();
    a.update(
        Msg::Cluster {
            at: now(),
            events: vec![ClusterEvent::Applied(locked)],
        },
        keymap(),
    );
    let err = MaintenanceForm::upgrade(&a.store, &imagenet(), now()).unwrap_err();
    assert!(
        err.contains("locked by maintenance imagenet-train-upgrade-1"),
        "{err}"
    );
    let err = MaintenanceForm::rebuild(&a.store, &imagenet(), None, now()).unwrap_err();
    assert!(err.contains("imagenet-train-upgrade-1"), "{err}");
    // A pod stands for its runtime; other kinds are refused.
    let (rt, p) = target_of(
        &a.store,
        &ObjectKey::new(Kind::Pod, "imagenet", "imagenet-train-worker-1"),
    )
    .unwrap();
    assert_eq!(
        (rt, p.as_deref()),
        (imagenet(), Some("imagenet-train-worker-1"))
    );
    assert!(
        target_of(
            &a.store,
            &ObjectKey::new(Kind::CacheRuntimeClass, "", "curvine-standard")
        )
        .is_err()
    );
}

// ------------------------------------------------------------------ rebuild

#[test]
fn rebuild_after_a_lost_node_ticks_the_worker_with_why_and_offers_force_delete() {
    let (mut c, mut a) = demo();
    let (worker, node, at) = lost_worker(&mut c, &mut a);
    let st = &a.store;
    let mut f = MaintenanceForm::rebuild(st, &imagenet(), None, at).expect("form opens");
    assert_eq!(f.reason(), "NodeFailure");
    let row = f.pods.iter().find(|p| p.name == worker).unwrap();
    assert!(row.ticked && row.lost);
    let why = row.why.clone().unwrap_or_default();
    assert!(why.contains(&node) && why.contains("NotReady"), "{why}");
    assert!(why.ends_with(s::LOST_SUFFIX), "{why}");
    // Only the candidate is ticked; every component's pods are listed.
    let ticked: Vec<&str> = f
        .pods
        .iter()
        .filter(|p| p.ticked)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(ticked, [worker.as_str()]);
    for comp in [Component::Master, Component::Worker, Component::Client] {
        assert!(f.pods.iter().any(|p| p.component == comp), "{comp}");
    }
    // Force delete is offered (explained), off until the operator says so.
    assert!(f.fields().contains(&Field::ForceDelete));
    assert!(!f.force_delete);
    let plan = f.current_plan().expect("plan").clone();
    assert!(
        plan.summary
            .warnings
            .iter()
            .any(|w| w.contains("forceDeleteLostPods")),
        "{:?}",
        plan.summary.warnings
    );
    f.focus_on(Field::ForceDelete);
    k(&mut f, st, at, "<Space>");
    let plan = f.current_plan().expect("plan").clone();
    let rebuild = plan.record.spec.rebuild.clone().unwrap();
    assert_eq!(rebuild.force_delete_lost_pods, Some(true));
    assert_eq!(rebuild.pods, std::slice::from_ref(&worker));
    assert!(
        plan.summary.changes[0].change.starts_with("force-deleted"),
        "{:?}",
        plan.summary.changes
    );
    // Re-warm: on, prefilled with the dataset's paths, a DataLoad in the plan.
    assert!(f.rewarm);
    assert_eq!(f.rewarm_paths.text, "/imagenet");
    assert_eq!(
        rebuild.data_load.unwrap().target[0].path,
        "/imagenet".to_string()
    );
    assert!(
        plan.summary
            .changes
            .iter()
            .any(|c| c.object.ends_with("-rewarm"))
    );
    let lines = f.confirm_lines(&plan);
    assert_eq!(
        lines[0],
        format!("Rebuild {worker} of CacheRuntime imagenet/imagenet-train (reason NodeFailure)?")
    );
    assert!(lines[2].starts_with(&format!("  1. worker Pod/{worker}: force-deleted")));
    f.focus_on(Field::RewarmPaths);
    typed(&mut f, st, at, ", train");
    assert_eq!(
        f.error(Field::RewarmPaths).as_deref(),
        Some(s::PATH_ABSOLUTE)
    );
    // Unticking the lost worker hides force delete and leaves nothing ticked: an error.
    let i = f.pods.iter().position(|p| p.name == worker).unwrap();
    f.focus_on(Field::Pod(i));
    k(&mut f, st, at, "<Space>");
    assert!(!f.fields().contains(&Field::ForceDelete));
    assert_eq!(f.error(Field::Pod(0)).as_deref(), Some(s::NO_POD));
}

#[test]
fn ticking_a_client_pod_warns_about_fuse_and_needs_explicit_confirmation() {
    let (mut c, mut a) = demo();
    let (_worker, _node, at) = lost_worker(&mut c, &mut a);
    let st = &a.store;
    let mut f = MaintenanceForm::rebuild(st, &imagenet(), None, at).unwrap();
    let i = f
        .pods
        .iter()
        .position(|p| p.component == Component::Client)
        .expect("a client pod");
    assert!(!f.pods[i].ticked);
    assert!(!f.fields().contains(&Field::ClientConfirm));
    f.focus_on(Field::Pod(i));
    k(&mut f, st, at, "<Space>");
    assert!(f.fields().contains(&Field::ClientConfirm));
    // Refused until confirmed, with the planner's reason; the warning is on the screen.
    assert!(
        matches!(f.refusal(), Some(Refusal::ClientNotConfirmed { .. })),
        "{:?}",
        f.plan
    );
    let text = screen(&draw(&f, 160, 48, "default"));
    assert!(
        text.contains("! rebuilding a client (fuse) pod interrupts the"),
        "{text}"
    );
    assert!(f.submit(st, at).is_err());
    f.focus_on(Field::ClientConfirm);
    k(&mut f, st, at, "<Space>");
    let plan = f.current_plan().expect("confirmed").clone();
    let client = &f.pods[i].name;
    assert!(
        plan.summary
            .changes
            .iter()
            .any(|c| c.object == format!("Pod/{client}") && c.change.contains("FUSE mount")),
        "{:?}",
        plan.summary.changes
    );
    // Unticking the client drops the confirmation with it.
    f.focus_on(Field::Pod(i));
    k(&mut f, st, at, "<Space>");
    assert!(!f.client_confirmed);
}

#[test]
fn r_on_a_pod_ticks_only_that_pod_and_the_reason_is_manual() {
    let (_c, a) = demo();
    let f = MaintenanceForm::rebuild(
        &a.store,
        &imagenet(),
        Some("imagenet-train-worker-1"),
        now(),
    )
    .unwrap();
    let ticked: Vec<&str> = f
        .pods
        .iter()
        .filter(|p| p.ticked)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(ticked, ["imagenet-train-worker-1"]);
    assert_eq!(f.reason(), "Manual");
    assert!(!f.fields().contains(&Field::ForceDelete));
    assert!(f.current_plan().is_some(), "{:?}", f.plan);
    let err = MaintenanceForm::rebuild(&a.store, &imagenet(), Some("other-pod"), now());
    assert!(err.unwrap_err().contains("other-pod"));
}

/// The rebuild form on top of the app.
fn rebuild_form(app: &App) -> &MaintenanceForm {
    match app.overlays.top() {
        Some(Overlay::Maintenance(f)) => f,
        other => panic!(
            "rebuild form expected, got {other:?}, flash {:?}",
            app.flash
        ),
    }
}

fn ticked(f: &MaintenanceForm) -> Vec<String> {
    f.pods
        .iter()
        .filter(|p| p.ticked)
        .map(|p| p.name.clone())
        .collect()
}

/// `R` on a runtime's page with its Pods pane focused is about the pod under the cursor, and the
/// form says so (title, preview, the planner's own suggestion); from the runtimes list, or with
/// an operation under the cursor, it is about the runtime and the lost worker is ticked.
#[test]
fn r_says_whether_it_is_about_the_pod_under_the_cursor_or_the_runtime() {
    let (mut c, mut a) = demo();
    let (worker, _node, _) = lost_worker(&mut c, &mut a);
    common::press(&mut a, "/");
    common::type_text(&mut a, "imagenet-train");
    common::press(&mut a, "<Enter> <Enter>");
    let sections = fluidops::app::detail::sections(&a.store, &imagenet(), a.now);
    let pods = sections
        .iter()
        .position(|s| s.title == "Pods")
        .expect("a Pods pane");
    for _ in 0..pods {
        common::press(&mut a, "<Tab>");
    }
    assert_eq!(
        a.selected_object(),
        Some(common::pod_key("imagenet", "imagenet-train-master-0"))
    );
    common::press(&mut a, "R");
    let f = rebuild_form(&a);
    assert_eq!(ticked(f), ["imagenet-train-master-0"]);
    assert!(
        f.title().contains("pod imagenet-train-master-0"),
        "{}",
        f.title()
    );
    let first = &f.preview_lines()[0].1;
    let short = worker.trim_start_matches("imagenet-train-");
    assert!(
        first.contains("Opened on pod master-0") && first.contains(short),
        "{first}"
    );
    let text = screen(&draw(f, 160, 40, "default"));
    assert!(
        text.contains("In-place rebuild of pod imagenet-train-master-0"),
        "{text}"
    );
    // Its plan's confirmation names the pod and the runtime.
    for _ in 0..30 {
        if matches!(a.overlays.top(), Some(Overlay::Confirm(_))) {
            break;
        }
        common::press(&mut a, "<Enter>");
    }
    let Some(Overlay::Confirm(dialog)) = a.overlays.top() else {
        panic!("no confirmation, flash {:?}", a.flash);
    };
    assert_eq!(
        dialog.title,
        "Rebuild pod imagenet-train-master-0 of CacheRuntime imagenet/imagenet-train?"
    );
    common::press(&mut a, "n");

    // Ticking another pod: the form is about the runtime again.
    let Some(Overlay::Maintenance(f)) = a.overlays.top_mut() else {
        panic!("the form is back");
    };
    let row = f.pods.iter().position(|p| p.name == worker).unwrap();
    f.focus_on(Field::Pod(row));
    common::press(&mut a, "<Space>");
    let f = rebuild_form(&a);
    assert_eq!(f.title(), s::title(false, "imagenet", "imagenet-train"));
    assert!(!f.preview_lines()[0].1.contains("Opened on pod"));
    common::press(&mut a, "<Esc>");

    // An operation under the cursor: the page's runtime, its lost worker ticked.
    let ops = sections.iter().position(|s| s.title == "Operations");
    if let Some(ops) = ops {
        for _ in 0..(ops + sections.len() - pods) % sections.len() {
            common::press(&mut a, "<Tab>");
        }
        common::press(&mut a, "R");
        let f = rebuild_form(&a);
        assert_eq!(ticked(f), std::slice::from_ref(&worker));
        assert_eq!(f.title(), s::title(false, "imagenet", "imagenet-train"));
        common::press(&mut a, "<Esc>");
    }

    // From the runtimes list: the runtime, the lost worker ticked.
    common::press(&mut a, "<Esc>");
    assert!(matches!(a.screen, fluidops::app::Screen::List(_)));
    common::press(&mut a, "R");
    let f = rebuild_form(&a);
    assert_eq!(ticked(f), [worker]);
    assert_eq!(f.title(), s::title(false, "imagenet", "imagenet-train"));
}

#[test]
fn a_not_syncable_change_is_shown_before_submit() {
    let (mut c, mut a) = demo();
    // A worker recreated by the simulation carries the environment Fluid renders; the
    // runtime's env then changes after it started.
    let w2 = ObjectKey::new(Kind::Pod, "imagenet", "imagenet-train-worker-2");
    let before =
        pod(&a.store, "imagenet", "imagenet-train-worker-2").and_then(|p| p.metadata.uid.clone());
    c.kill_pod(&w2).expect("kill worker-2");
    advance_until(&mut c, &mut a, 300, move |st| {
        pod(st, "imagenet", "imagenet-train-worker-2")
            .is_some_and(|p| is_ready(p) && p.metadata.uid != before)
    });
    let mut v = a.store.get(&imagenet()).expect("runtime").to_value();
    v["spec"]["worker"]["env"] =
        serde_json::json!([{"name": "CURVINE_LOG_LEVEL", "value": "debug"}]);
    let changed = Object::from_value(v).unwrap().unwrap();
    a.update(
        Msg::Cluster {
            at: now(),
            events: vec![ClusterEvent::Applied(changed)],
        },
        keymap(),
    );
    let st = &a.store;
    let mut f = MaintenanceForm::upgrade(st, &imagenet(), now()).unwrap();
    assert!(
        f.not_syncable
            .iter()
            .any(|n| n.contains("spec.worker.env CURVINE_LOG_LEVEL=debug")),
        "{:?}",
        f.not_syncable
    );
    // Shown while the plan is refused (same version) …
    let lines = f.preview_lines();
    assert!(
        lines
            .iter()
            .any(|(k, l)| *k == LineKind::Heading && l == s::PREVIEW_NOT_SYNCABLE)
    );
    // … and with a plan, once, in its own section (not repeated among the warnings).
    f.tag.set("v0.3.0");
    f.refresh(st, now());
    let plan = f.current_plan().expect("plan").clone();
    let lines = f.confirm_lines(&plan);
    let hits = lines
        .iter()
        .filter(|l| l.contains("CURVINE_LOG_LEVEL"))
        .count();
    assert_eq!(hits, 1, "{lines:#?}");
    let ns = lines
        .iter()
        .position(|l| l == s::PREVIEW_NOT_SYNCABLE)
        .unwrap();
    assert!(lines[ns + 1].contains("re-create the CacheRuntime"));
    let text = screen(&draw(&f, 160, 48, "default"));
    assert!(text.contains("Upstream can't do this"), "{text}");
}

// ------------------------------------------------------------------ rendering

#[test]
fn tiny_sizes_do_not_panic() {
    let (mut c, mut a) = demo();
    let up = MaintenanceForm::upgrade(&a.store, &imagenet(), now()).unwrap();
    let (_w, _n, at) = lost_worker(&mut c, &mut a);
    let mut rb = MaintenanceForm::rebuild(&a.store, &imagenet(), None, at).unwrap();
    rb.message = Some("a long message that will not fit anywhere at all".into());
    for form in [&up, &rb] {
        for w in 1..=40u16 {
            for h in 1..=12u16 {
                draw(form, w, h, "default");
                draw(form, w, h, "mono");
            }
        }
        for (w, h) in [(80, 12), (119, 30), (120, 30), (200, 60)] {
            draw(form, w, h, "default");
        }
    }
    // Scrolling past the end of the preview is clamped when drawn.
    rb.preview_scroll = 10_000;
    let text = screen(&draw(&rb, 80, 24, "default"));
    assert!(text.contains(s::PREVIEW_TITLE));
}

#[test]
fn page_keys_scroll_the_plan_preview_by_summary_lines() {
    let (_c, a) = demo();
    let st = &a.store;
    let mut f = MaintenanceForm::upgrade(st, &imagenet(), now()).unwrap();
    f.tag.set("v0.3.0");
    f.refresh(st, now());
    let top = screen(&draw(&f, 80, 24, "default"));
    assert!(top.contains("1. master CacheRuntime"), "{top}");
    assert!(top.contains("more lines (PgDn)"), "{top}");
    k(&mut f, st, now(), "<PageDown>");
    assert_eq!(f.preview_scroll, 5);
    let down = screen(&draw(&f, 80, 24, "default"));
    assert!(!down.contains("1. master CacheRuntime"), "{down}");
    assert!(
        down.contains("5. worker Pod/imagenet-train-worker-2"),
        "{down}"
    );
    // Far past the end: clamped to the last summary line; the last screen is full.
    for _ in 0..20 {
        k(&mut f, st, now(), "<PageDown>");
    }
    assert_eq!(f.preview_scroll, f.preview_lines().len() - 1);
    let end = screen(&draw(&f, 80, 24, "default"));
    assert!(end.contains("Strategy: confirm each step"), "{end}");
    assert!(!end.contains("more lines"), "{end}");
    k(&mut f, st, now(), "<PageUp>");
    assert_eq!(f.preview_scroll, f.preview_lines().len() - 6);
}

#[test]
fn snapshot_upgrade_form() {
    let (_c, a) = demo();
    let st = &a.store;
    let mut f = MaintenanceForm::upgrade(st, &imagenet(), now()).unwrap();
    f.focus_on(Field::Tag);
    k(&mut f, st, now(), "<C-u>");
    typed(&mut f, st, now(), "v0.3.0");
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        insta::assert_snapshot!(
            format!("upgrade_{w}x{h}"),
            draw(&f, w, h, "default").backend()
        );
    }
}

#[test]
fn snapshot_upgrade_refused() {
    let (_c, a) = demo();
    let f = MaintenanceForm::upgrade(&a.store, &imagenet(), now()).unwrap();
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        insta::assert_snapshot!(
            format!("upgrade_refused_{w}x{h}"),
            draw(&f, w, h, "default").backend()
        );
    }
}

#[test]
fn snapshot_rebuild_after_lost_node() {
    let (mut c, mut a) = demo();
    lost_worker(&mut c, &mut a);
    // Four minutes later: not Ready for a while, not yet evicted.
    let at = advance(&mut c, &mut a, 240);
    let mut f = MaintenanceForm::rebuild(&a.store, &imagenet(), None, at).unwrap();
    f.focus_on(Field::ForceDelete);
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        insta::assert_snapshot!(
            format!("rebuild_lost_node_{w}x{h}"),
            draw(&f, w, h, "default").backend()
        );
    }
}
