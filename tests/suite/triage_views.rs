//! Where to look first, on the demo cluster at a fixed time: the problems, events and nodes
//! views (snapshots at 80×24 and 160×48), the header's problem count at 80 columns, Enter from
//! a problem to its object and from a node to its pods, and the notice of a new problem (once,
//! dismissed with `x`, never over a confirmation's key hints).

use crate::common;

use std::time::Duration;

use common::{press, render, row_text, screen_text};
use fluidops::app::actions::ViewKind;
use fluidops::app::{App, Msg, Overlay, Screen};
use fluidops::cluster::{ClusterEvent, ConnectionState};
use fluidops::demo::DemoCluster;
use fluidops::model::{Kind, ObjectKey, OpKind};
use jiff::Timestamp;

fn start() -> Timestamp {
    "2026-11-25T10:00:00Z".parse().unwrap()
}

/// The console on the built-in demo cluster, listed and then run for `secs` seconds.
fn demo_app(secs: u64) -> (App, DemoCluster) {
    let mut demo = DemoCluster::builtin(7, start());
    let mut app = App::new("demo", start());
    let mut first = demo.initial_events();
    first.push(ClusterEvent::Connection(ConnectionState::Connected));
    feed(&mut app, first, start());
    run(&mut app, &mut demo, secs);
    (app, demo)
}

fn feed(app: &mut App, events: Vec<ClusterEvent>, at: Timestamp) {
    app.update(Msg::Cluster { at, events }, common::keymap());
}

fn run(app: &mut App, demo: &mut DemoCluster, secs: u64) {
    for _ in 0..secs {
        let events = demo.advance(Duration::from_secs(1));
        let at = demo.now();
        feed(app, events, at);
    }
}

fn snap(name: &str, app: &mut App, sizes: &[(u16, u16)]) {
    for &(w, h) in sizes {
        render(app, w, h, "default");
        let terminal = render(app, w, h, "default");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

#[test]
fn problems_view_lists_the_worst_first_and_opens_the_object() {
    let (mut app, _demo) = demo_app(20);
    press(&mut app, "!");
    assert_eq!(app.screen, Screen::List(ViewKind::Problems));
    snap("triage_problems", &mut app, &SIZES);
    let terminal = render(&mut app, 80, 24, "mono");
    insta::assert_snapshot!("triage_problems_80x24_mono", terminal.backend());

    let rows = app.table(ViewKind::Problems).rows;
    // Critical ones (the lost node, failed operations) before degraded ones.
    let first = rows[0].key();
    assert_eq!(
        first,
        ObjectKey::new(
            Kind::Operation(OpKind::DataLoad),
            "llm-serving",
            "qwen-warm-7b"
        )
    );
    let statuses: Vec<String> = rows.iter().map(|r| r.status().to_string()).collect();
    let pending = statuses.iter().position(|s| s.starts_with("Pending"));
    let failed = statuses.iter().rposition(|s| s.starts_with("Failed"));
    assert!(failed < pending, "{statuses:?}");

    press(&mut app, "<Enter>");
    assert_eq!(app.screen, Screen::Detail(first));
}

/// Severity groups are the status sort (the view's first, STATUS▲); sorting by name orders the
/// whole list by name, as in every other view.
#[test]
fn problems_sorted_by_name_are_one_list() {
    let (mut app, _demo) = demo_app(20);
    press(&mut app, "!");
    let terminal = render(&mut app, 80, 24, "default");
    assert!(common::row_text(&terminal, 3).contains("STATUS▲"));
    press(&mut app, "N");
    let terminal = render(&mut app, 80, 24, "default");
    assert!(common::row_text(&terminal, 3).contains("NAME▲"));
    // By namespace then name, as the other views sort by NAME.
    let names: Vec<(String, String)> = app
        .table(ViewKind::Problems)
        .rows
        .iter()
        .map(|r| (r.key().namespace, r.key().name))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(names.len() > 3);
}

#[test]
fn header_count_fits_at_80_columns_beside_every_other_piece() {
    let (mut app, _demo) = demo_app(5);
    let terminal = render(&mut app, 80, 24, "default");
    let header = row_text(&terminal, 0);
    for piece in [
        "fluidops",
        "ctx:demo",
        "ns:all",
        "connected",
        "rt:",
        "pods:",
        "ops:",
    ] {
        assert!(header.contains(piece), "{header}");
    }
    let count = app.table(ViewKind::Problems).total;
    assert!(header.contains(&format!("problems:{count}")), "{header}");
    // A longer context leaves less room: the count takes its short form, the rest stays.
    app.context = "kind-fluid-demo".into();
    let terminal = render(&mut app, 80, 24, "default");
    let header = row_text(&terminal, 0);
    for piece in ["ctx:kind-fluid-demo", "connected", "rt:", "pods:", "ops:"] {
        assert!(header.contains(piece), "{header}");
    }
    assert!(header.contains(&format!("✖{count}")), "{header}");
    let wide = render(&mut app, 160, 48, "default");
    assert!(row_text(&wide, 0).contains(&format!("problems:{count}")));
}

#[test]
fn nodes_view_shows_lost_nodes_first_and_the_pods_on_a_node() {
    let (mut app, _demo) = demo_app(20);
    press(&mut app, "<A-n>");
    assert_eq!(app.screen, Screen::List(ViewKind::Nodes));
    snap("triage_nodes", &mut app, &SIZES);
    let rows = app.table(ViewKind::Nodes).rows;
    assert_eq!(rows[0].name(), "gpu-node-07");
    assert_eq!(rows[0].status(), "Unknown");
    assert!(rows[1..].iter().all(|r| r.status() == "True"));

    // A node that holds cache: its runtimes and Fluid's labels, and its pods (Enter opens one).
    press(&mut app, "/");
    common::type_text(&mut app, "cache-node-01");
    press(&mut app, "<Enter> <Enter>");
    let node = ObjectKey::new(Kind::Node, "", "cache-node-01");
    assert_eq!(app.screen, Screen::Detail(node));
    snap("triage_node_detail", &mut app, &SIZES);
    let text = screen_text(&render(&mut app, 160, 48, "default"));
    assert!(
        text.contains("fluid.io/s-imagenet-imagenet-train=true"),
        "{text}"
    );
    assert!(text.contains("imagenet/imagenet-train-master-0"), "{text}");
    press(&mut app, "<Tab>");
    press(&mut app, "<Enter>");
    assert!(
        matches!(&app.screen, Screen::Detail(k) if k.kind == Kind::Pod),
        "{:?}",
        app.screen
    );
}

#[test]
fn events_view_is_newest_first_and_filterable() {
    let (mut app, mut demo) = demo_app(20);
    press(&mut app, "<A-e>");
    assert_eq!(app.screen, Screen::List(ViewKind::Events));
    snap("triage_events", &mut app, &SIZES);
    let rows = app.table(ViewKind::Events).rows;
    let times: Vec<_> = rows.iter().map(|r| r.created).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");

    // Live: a lost node's pods get their NodeNotReady events, among the newest.
    let lost_at = demo.now();
    demo.fail_node("cache-node-01");
    run(&mut app, &mut demo, 3);
    let rows = app.table(ViewKind::Events).rows;
    let lost = rows
        .iter()
        .find(|r| r.cells().iter().any(|c| c.text == "NodeNotReady"))
        .expect("a NodeNotReady event");
    assert!(lost.created >= Some(lost_at), "{:?}", lost.created);
    let newer = rows.iter().take_while(|r| r.created > lost.created).count();
    assert!(newer < 10, "{newer} events newer than the node's");

    press(&mut app, "/");
    common::type_text(&mut app, "Warning");
    press(&mut app, "<Enter>");
    let table = app.table(ViewKind::Events);
    assert!(!table.rows.is_empty() && table.rows.len() < table.total);
    assert!(table.rows.iter().all(|r| r.status() == "Warning"));
}

#[test]
fn a_new_problem_is_told_once_and_x_dismisses_it() {
    let (app, _) = demo_app(0);
    assert_eq!(app.problem_watch.notice, None, "the start is not news");
    // Settled, and what the demo's own start brought dismissed.
    let (mut app, mut demo) = demo_app(20);
    press(&mut app, "x");
    assert_eq!(app.problem_watch.notice, None);
    demo.fail_node("cache-node-03");
    run(&mut app, &mut demo, 2);
    let notice = app.problem_watch.notice.clone().expect("a notice");
    let node = ObjectKey::new(Kind::Node, "", "cache-node-03");
    let problems = app.problem_watch.current(&app.store, app.now);
    assert!(problems.iter().any(|p| p.key == node && p.what == "Lost"));
    let terminal = render(&mut app, 80, 24, "default");
    insta::assert_snapshot!("triage_notice_80x24", terminal.backend());
    let footer = row_text(&terminal, 23);
    // The object in full; what is wrong with it may be cut at 80 columns.
    let told = format!("new problem: {} {}", notice.key.kind, notice.key.name);
    assert!(footer.contains(&told), "{footer}");
    assert!(
        footer.contains("x dismiss") && footer.contains("! problems"),
        "{footer}"
    );

    press(&mut app, "x");
    assert_eq!(app.problem_watch.notice, None);
    run(&mut app, &mut demo, 3);
    // What was told is not told again while it lasts.
    if let Some(n) = &app.problem_watch.notice {
        assert_ne!(n.key, notice.key, "{n:?}");
    }

    // Opening the problems clears it too.
    demo.fail_node("cache-node-05");
    run(&mut app, &mut demo, 2);
    assert!(app.problem_watch.notice.is_some());
    press(&mut app, "!");
    assert_eq!(app.problem_watch.notice, None);
}

#[test]
fn the_notice_never_hides_a_confirmation_s_key_hints() {
    let (mut app, mut demo) = demo_app(5);
    press(&mut app, ": o p s <Enter>");
    press(&mut app, "<Delete>");
    assert!(matches!(app.overlays.top(), Some(Overlay::Confirm(_))));
    demo.fail_node("cache-node-04");
    run(&mut app, &mut demo, 2);
    assert!(app.problem_watch.notice.is_some());
    let terminal = render(&mut app, 80, 24, "default");
    let footer = row_text(&terminal, 23);
    assert!(!footer.contains("new problem"), "{footer}");
    assert!(
        footer.contains("confirm") && footer.contains("cancel"),
        "{footer}"
    );
}
