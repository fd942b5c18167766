//! The console on what upstream Fluid really wrote, without building Fluid: kubectl dumps of an
//! upstream run (Fluid at a826600a driving its own Curvine e2e manifests on kwok nodes; see
//! `tests/fixtures/upstream/README.md`) are loaded as the kube source would deliver them, and
//! the views must show what Fluid wrote with no false alarm: an unused client idle, not failing;
//! a finished job pod and its reason; conditions the phase superseded marked stale, newest
//! first; a Pending pod's scheduling problem; a failing remount while the status still says Ready.

use std::path::PathBuf;

use fluidops::app::actions::{Action, ViewKind};
use fluidops::app::{App, Msg, Screen};
use fluidops::cluster::{ClusterEvent, ConnectionState};
use fluidops::model::kube_yaml;
use fluidops::model::{Kind, Object, ObjectKey, OpKind};
use jiff::Timestamp;

use crate::common::{keymap, render, screen_text};

const NS: &str = "default";
const NAME: &str = "curvine-demo";

/// The objects of one dump (each kind a `List`) and the time it was taken.
fn dump(file: &str) -> (Vec<Object>, Timestamp) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/upstream")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let at: Timestamp = text
        .lines()
        .find_map(|l| l.strip_prefix("# source dump: "))
        .and_then(|l| l.split(" at ").nth(1))
        .and_then(|l| l.split_whitespace().next())
        .expect("the dump's time in its header")
        .parse()
        .expect("an RFC 3339 time");
    let mut objects = Vec::new();
    for doc in kube_yaml::documents(&text) {
        let v = doc.value.expect("the dump is valid YAML");
        let items = match v["kind"].as_str() {
            Some("List") => v["items"].as_array().cloned().unwrap_or_default(),
            _ => continue,
        };
        // Kinds the console does not watch (workloads, nodes) are left out, as the source does.
        objects.extend(
            items
                .into_iter()
                .filter_map(|item| Object::from_value(item).expect("an object the model reads")),
        );
    }
    assert!(objects.len() > 3, "{file}: {} objects", objects.len());
    (objects, at)
}

/// An app holding one dump, as a connected kube source would have filled it, at the dump's time.
fn app_on(file: &str) -> App {
    let (objects, at) = dump(file);
    let mut app = App::new("upstream", at);
    let mut events = vec![ClusterEvent::Connection(ConnectionState::Connected)];
    events.extend(objects.into_iter().map(ClusterEvent::Applied));
    app.update(Msg::Cluster { at, events }, keymap());
    app.update(Msg::Tick(at), keymap());
    app
}

fn view(app: &mut App, v: ViewKind) -> String {
    app.namespace = None;
    app.act(Action::ViewOpen(v));
    screen_text(&render(app, 160, 30, "default"))
}

fn page(app: &mut App, key: ObjectKey) -> String {
    app.screen = Screen::Detail(key);
    screen_text(&render(app, 160, 70, "default"))
}

/// A screen row with the frame and runs of spaces squeezed.
fn words(row: &str) -> String {
    row.trim_matches(|c: char| c == '│' || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn line_with(text: &str, needle: &str) -> String {
    words(
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}")),
    )
}

fn runtime() -> ObjectKey {
    ObjectKey::new(Kind::CacheRuntime, NS, NAME)
}

fn dataset() -> ObjectKey {
    ObjectKey::new(Kind::Dataset, NS, NAME)
}

#[test]
fn a_fresh_runtime_is_ready_with_its_unused_client_idle() {
    let mut app = app_on("01-setup-bound.yaml");
    let list = view(&mut app, ViewKind::Runtimes);
    let row = line_with(&list, NAME);
    assert!(
        row.contains("curvine-demo ● Ready ● Ready 1/1 ● Ready 1/1 ○ idle"),
        "{row}"
    );
    assert!(!row.contains("client!") && !row.contains('✗'), "{row}");

    let text = page(&mut app, runtime());
    let phase = line_with(&text, "Phase:");
    assert_eq!(phase, "Phase: ● Ready", "no alarm for the unused client");
    let client = line_with(&text, "client  ");
    assert!(client.starts_with("client ○ idle"), "{client}");
    assert!(
        client.contains("no application pod uses the dataset yet") && !client.contains("cur 0"),
        "counts Fluid did not write are not shown: {client}"
    );
    assert!(!text.contains("client NotReady"), "{text}");
}

#[test]
fn a_finished_load_shows_its_job_pod_completed_and_the_jobs_reason() {
    let mut app = app_on("02-dataload-complete.yaml");
    let pods = view(&mut app, ViewKind::Pods);
    let row = line_with(&pods, "curvine-dataload-loader-job");
    assert!(row.contains("operation ✔ Completed 0/1"), "{row}");

    let load = ObjectKey::new(Kind::Operation(OpKind::DataLoad), NS, "curvine-dataload");
    let text = page(&mut app, load);
    assert!(line_with(&text, "Phase:").contains("✔ Complete"), "{text}");
    let cond = line_with(&text, "CompletionsReached");
    assert!(cond.starts_with("Complete ✔ True"), "{cond}");
    let timeline = text
        .lines()
        .skip_while(|l| !l.contains("Timeline"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(timeline.contains("CompletionsReached"), "{timeline}");
}

#[test]
fn after_a_remount_the_superseded_dataset_conditions_are_marked_stale_newest_first() {
    let mut app = app_on("04-master-upgraded-remounted.yaml");
    let text = page(&mut app, dataset());
    assert!(line_with(&text, "Phase:").contains("● Bound"), "{text}");
    let conds: Vec<String> = text
        .lines()
        .skip_while(|l| !l.contains("Conditions"))
        .skip(1)
        .take(2)
        .map(words)
        .collect();
    // Both written at the same second: kept in Fluid's order; both superseded by Bound.
    assert!(conds[0].starts_with("Ready ≈ False (stale)"), "{conds:?}");
    assert!(conds[1].starts_with("Updating ≈ True (stale)"), "{conds:?}");

    // Fresh and bound: the one condition is current.
    let mut app = app_on("01-setup-bound.yaml");
    let text = page(&mut app, dataset());
    let cond = line_with(&text, "DatasetReady");
    assert!(cond.starts_with("Ready ● True"), "{cond}");
}

#[test]
fn a_pending_pod_says_why_it_is_not_scheduled() {
    let mut app = app_on("05-worker-scaled-partialready.yaml");
    let list = view(&mut app, ViewKind::Runtimes);
    let row = line_with(&list, NAME);
    assert!(row.contains("◐ PartialReady 2/3"), "{row}");
    let text = page(
        &mut app,
        ObjectKey::new(Kind::Pod, NS, "curvine-demo-worker-2"),
    );
    let why = line_with(&text, "Why:");
    assert!(
        why.contains("0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules"),
        "{why}"
    );
    // A running pod has no such line.
    let text = page(
        &mut app,
        ObjectKey::new(Kind::Pod, NS, "curvine-demo-worker-0"),
    );
    assert!(!text.contains("Why:"), "{text}");
}

#[test]
fn a_failing_remount_shows_on_the_runtime_while_its_status_still_says_ready() {
    let mut app = app_on("06-remount-failing.yaml");
    let text = page(&mut app, runtime());
    let phase = line_with(&text, "Phase:");
    assert!(
        phase.contains(
            "✖ failing: Failed to sync the ddc due to mount point /minio is not yet mounted"
        ),
        "{phase}"
    );
    let text = page(&mut app, dataset());
    assert!(line_with(&text, "Phase:").contains("↻ Updating"), "{text}");

    // Remounted since the last failure: over.
    let mut app = app_on("07-remount-recovered.yaml");
    let text = page(&mut app, runtime());
    let phase = line_with(&text, "Phase:");
    assert!(!phase.contains("failing"), "{phase}");
}
