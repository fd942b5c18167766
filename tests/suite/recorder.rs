//! The flight recorder end to end: the demo cluster recorded through a scripted scenario (a node
//! lost and back) and replayed — the screens at chosen times equal the live screens at those
//! times, whether the replay jumps there or plays up to there; a recording cut short replays up
//! to where it ends; a recording of a newer format is refused saying so; writes on a recording
//! are refused saying it is one; `:at` and the replay keys reach the recording.

use std::time::Duration;

use fluidops::app::actions::{Action, ViewKind};
use fluidops::app::{App, Command, Msg};
use fluidops::cluster::source::{ReplayControl, SourceMsg};
use fluidops::demo::DemoCluster;
use fluidops::demo::source::initial_batches;
use fluidops::recorder::format::{self, Header, OpenError};
use fluidops::recorder::reader::Cursor;
use fluidops::recorder::{Policy, Recorder, Recording, cli as rec_cli};
use jiff::Timestamp;

use crate::common::{self, keymap, press, render, screen_text};

/// The views compared at each moment.
const VIEWS: [ViewKind; 4] = [
    ViewKind::Runtimes,
    ViewKind::Pods,
    ViewKind::Ops,
    ViewKind::Datasets,
];
/// Seconds into the scenario at which screens are compared.
const MOMENTS: [u64; 4] = [5, 95, 200, 420];
const SECONDS: u64 = 480;

fn screens(app: &mut App) -> Vec<String> {
    // The notice of a new problem tells what this session saw happen (a jump shows a state,
    // not changes): the cluster's state on screen is what is compared.
    app.problem_watch.dismiss();
    let mut out: Vec<String> = VIEWS
        .iter()
        .map(|v| {
            app.act(Action::ViewOpen(*v));
            // Twice: the first frame tells the list how many rows fit.
            render(app, 140, 40, "default");
            screen_text(&render(app, 140, 40, "default"))
        })
        .collect();
    // The timeline of the first runtime: its phases, when and why.
    app.act(Action::ViewOpen(ViewKind::Runtimes));
    render(app, 140, 40, "default");
    app.act(Action::ViewTimeline);
    render(app, 140, 40, "default");
    out.push(screen_text(&render(app, 140, 40, "default")));
    out
}

/// A small policy, so that the scenario spans several blocks and keyframes.
fn small_policy() -> Policy {
    Policy {
        block_bytes: 16 * 1024,
        block_span_ns: 20_000_000_000,
        keyframe_changes: 400,
        keyframe_span_ns: 120_000_000_000,
    }
}

struct Recorded {
    bytes: Vec<u8>,
    start: Timestamp,
    /// The screens of the live console at each of MOMENTS.
    live: Vec<Vec<String>>,
    changes: u64,
}

/// Runs the demo cluster for SECONDS (node lost at 60 s, back at 180 s), feeding a live console
/// and a recorder the same batches.
fn record_scenario() -> Recorded {
    let start = common::now();
    let mut cluster = DemoCluster::builtin(7, start);
    let node = cluster.node_names().into_iter().next().expect("a node");
    let mut app = App::new("demo", start);
    let header = Header {
        source: "demo".into(),
        ..Header::default()
    };
    let mut rec = Recorder::new(Vec::new(), &header, small_policy()).expect("recorder");
    let mut live = Vec::new();
    for msg in initial_batches(&cluster) {
        if let SourceMsg::Batch { at, events } = msg {
            rec.record(at, &events).expect("record");
            app.update(Msg::Cluster { at, events }, keymap());
        }
    }
    for s in 1..=SECONDS {
        if s == 60 {
            cluster.fail_node(&node);
        }
        if s == 180 {
            cluster.recover_node(&node);
        }
        let events = cluster.advance(Duration::from_secs(1));
        let at = cluster.now();
        rec.record(at, &events).expect("record");
        app.update(Msg::Cluster { at, events }, keymap());
        if MOMENTS.contains(&s) {
            live.push(screens(&mut app));
        }
    }
    let changes = rec.stats.changes;
    assert!(rec.stats.keyframes >= 2, "{:?}", rec.stats);
    Recorded {
        bytes: rec.finish().expect("finish"),
        start: cluster_start(start),
        live,
        changes,
    }
}

/// The demo cluster's clock starts at whole seconds.
fn cluster_start(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).expect("time")
}

fn at(start: Timestamp, secs: u64) -> Timestamp {
    start + jiff::SignedDuration::from_secs(secs as i64)
}

#[test]
fn a_replay_shows_what_the_live_console_showed_at_each_moment() {
    let r = record_scenario();
    let rec = Recording::from_bytes(r.bytes.clone()).expect("opens");
    assert!(!rec.truncated);
    // The scenario moves: what is compared differs from moment to moment.
    assert!(r.live.windows(2).all(|w| w[0] != w[1]));
    eprintln!(
        "scenario: {} changes in {} bytes, {} frames",
        r.changes,
        r.bytes.len(),
        rec.frames.len()
    );

    let mut changes_after_keyframes = 0;
    // Jumping straight to each moment (from the keyframe before it): the views as live. The
    // timeline starts at the keyframe (what came before it is not in the state there), and
    // from there dates every change as it was seen: as a console that played the batches from
    // the keyframe one by one shows it.
    for (i, s) in MOMENTS.iter().enumerate() {
        let t = at(r.start, *s);
        let mut app = App::new("demo", r.start);
        rec_cli::show_at(&mut app, keymap(), &rec, t);
        app.replay = None;
        app.readonly = false;
        let jumped = screens(&mut app);
        assert_eq!(
            jumped[..VIEWS.len()],
            r.live[i][..VIEWS.len()],
            "jumped to {s} s"
        );
        let played = played_from_keyframe(&rec, t);
        assert_eq!(
            jumped[VIEWS.len()],
            played,
            "timeline after a jump to {s} s"
        );
        // What the live console saw change after the keyframe, it shows at the same times.
        let since = keyframe_time(&rec, t);
        let after = rows_after(&jumped[VIEWS.len()], &since);
        assert_eq!(
            after,
            rows_after(&r.live[i][VIEWS.len()], &since),
            "timeline rows after {since}, jumped to {s} s"
        );
        assert!(!rows_after(&jumped[VIEWS.len()], "").is_empty());
        changes_after_keyframes += after.len();
    }
    assert!(
        changes_after_keyframes > 0,
        "a timeline changed after a keyframe"
    );

    // Playing forward through the moments in one console, each batch at its own time: the
    // timeline too is the live one.
    let mut cursor = Cursor::start(&rec);
    let mut app = App::new("demo", r.start);
    for (i, s) in MOMENTS.iter().enumerate() {
        let t = at(r.start, *s);
        while let Some(next) = cursor.next_time().filter(|n| *n <= format::ns(t)) {
            let events = cursor.advance_to(next).events;
            app.update(
                Msg::Cluster {
                    at: format::from_ns(next),
                    events,
                },
                keymap(),
            );
        }
        app.update(
            Msg::Cluster {
                at: t,
                events: Vec::new(),
            },
            keymap(),
        );
        assert_eq!(screens(&mut app), r.live[i], "played to {s} s");
    }
}

/// The rows of a timeline page dated after `after` (as the page writes times, `MM-DD HH:MM:SS`
/// in UTC; `""`: every row).
fn rows_after(page: &str, after: &str) -> Vec<String> {
    page.lines()
        .filter_map(|l| l.strip_prefix('│'))
        .filter(|l| l.len() > 14 && l.as_bytes()[2] == b'-' && l.as_bytes()[5] == b' ')
        .filter(|l| l.get(..14).is_some_and(|d| d > after))
        .map(str::to_string)
        .collect()
}

/// The time of the keyframe a jump to `t` starts from, as a timeline page writes it.
fn keyframe_time(rec: &Recording, t: Timestamp) -> String {
    let batches = fluidops::recorder::replay_source::batches_at(rec, t);
    let kt = batches.first().map_or(t, |b| b.0);
    kt.to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%m-%d %H:%M:%S")
        .to_string()
}

/// The timeline page of a console fed the batches from the keyframe before `t` one by one.
fn played_from_keyframe(rec: &Recording, t: Timestamp) -> String {
    let batches = fluidops::recorder::replay_source::batches_at(rec, t);
    let mut app = App::new("demo", batches.first().map_or(t, |b| b.0));
    for (bt, events) in batches {
        app.update(Msg::Cluster { at: bt, events }, keymap());
    }
    app.update(
        Msg::Cluster {
            at: t,
            events: Vec::new(),
        },
        keymap(),
    );
    screens(&mut app).pop().expect("a timeline page")
}

#[test]
fn a_recording_cut_short_replays_up_to_where_it_ends() {
    let r = record_scenario();
    let whole = Recording::from_bytes(r.bytes.clone()).expect("opens");
    let (_, end) = whole.span().expect("span");
    // Cut in the middle of the last frame.
    let last = whole.frames.last().expect("frames");
    let cut = r.bytes[..last.at + last.len / 2].to_vec();
    let rec = Recording::from_bytes(cut).expect("a cut file still opens");
    assert!(rec.truncated);
    assert_eq!(rec.frames.len(), whole.frames.len() - 1);
    let (start, cut_end) = rec.span().expect("span");
    assert!(cut_end < end && cut_end > start);
    // Up to where it ends, it shows what the whole one shows.
    let mut a = App::new("demo", start);
    rec_cli::show_at(&mut a, keymap(), &rec, cut_end);
    let mut b = App::new("demo", start);
    rec_cli::show_at(&mut b, keymap(), &whole, cut_end);
    a.replay = None;
    b.replay = None;
    assert_eq!(screens(&mut a), screens(&mut b));
    // Garbage after the header, or a header alone, is not a crash either.
    let header_only = r.bytes[..whole.frames[0].at - format::FRAME_HEADER].to_vec();
    let rec = Recording::from_bytes(header_only).expect("opens");
    assert!(rec.span().is_none() && !rec.truncated);
}

#[test]
fn a_newer_recording_is_refused_with_a_clear_message() {
    let mut bytes = Vec::new();
    format::write_header(&mut bytes, &Header::default()).expect("header");
    bytes[8..10].copy_from_slice(&(format::VERSION + 1).to_le_bytes());
    let e = Recording::from_bytes(bytes).err().expect("refused");
    assert_eq!(e, OpenError::NewerVersion(format::VERSION + 1));
    let text = rec_cli::open_error("incident.rec", &e);
    assert!(
        text.contains("incident.rec") && text.contains("newer") && text.contains("version 2"),
        "{text}"
    );
    let e = Recording::from_bytes(b"apiVersion: v1\n".to_vec())
        .err()
        .expect("refused");
    assert!(rec_cli::open_error("x.yaml", &e).contains("not a fluidops recording"));
}

#[test]
fn on_a_recording_writes_are_refused_and_the_replay_keys_reach_it() {
    let r = record_scenario();
    let rec = Recording::from_bytes(r.bytes).expect("opens");
    let mut app = App::new("demo", r.start);
    rec_cli::show_at(&mut app, keymap(), &rec, at(r.start, 95));
    app.act(Action::ViewOpen(ViewKind::Runtimes));
    render(&mut app, 140, 40, "default");
    // The header shows the time cursor.
    let screen = screen_text(&render(&mut app, 140, 40, "default"));
    assert!(screen.contains("REC 10:01:35"), "{screen}");
    // A write is refused, saying why.
    let cmds = app.act(Action::LoadStart);
    assert!(!cmds.iter().any(|c| matches!(c, Command::Write(_))));
    let screen = screen_text(&render(&mut app, 140, 40, "default"));
    assert!(screen.contains("this is a recording"), "{screen}");
    // Keys and :at become requests to the recording.
    assert_eq!(
        press(&mut app, "<Space>"),
        vec![Command::Replay(ReplayControl::TogglePlay)]
    );
    assert_eq!(
        press(&mut app, ">"),
        vec![Command::Replay(ReplayControl::Faster)]
    );
    let selected = app.selected_object();
    assert!(selected.is_some());
    assert_eq!(
        press(&mut app, "."),
        vec![Command::Replay(ReplayControl::NextChange(selected))]
    );
    let cmds = press(&mut app, ": a t <Space> 1 0 : 0 3 <Enter>");
    assert_eq!(
        cmds,
        vec![Command::Replay(ReplayControl::At(at(r.start, 180)))]
    );
    // On a live cluster the keys say they need a recording.
    let mut live = common::app();
    assert!(press(&mut live, "<Space>").is_empty());
    let screen = screen_text(&render(&mut live, 140, 40, "default"));
    assert!(screen.contains("only on a recording"), "{screen}");
}

/// Against a real API server (tests/e2e/cluster.sh): the kube watchers recorded through the
/// tap the console uses while the connection is cut and restored; the recording replays the
/// outage (the header's connection lost, the last state kept) and the state after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_of_a_real_api_server_replays_its_outage() {
    use crate::e2e_kube::{
        Relay, begin, client_for, create, create_namespace, dataset, delete, has, kubeconfig_via,
        server_port, unique_ns,
    };
    use fluidops::cluster::ConnectionState;
    use fluidops::cluster::kube_source::{KubeSource, KubeSourceOptions};
    use fluidops::model::Kind;
    use fluidops::recorder::tap;
    use tokio::sync::{mpsc, oneshot};

    let Some((h, _g, admin)) = begin().await else {
        return;
    };
    let ns = unique_ns("record");
    create_namespace(&admin, &ns).await;
    for name in ["keep", "gone"] {
        create(&admin, Kind::Dataset, &ns, dataset(&ns, name)).await;
    }
    let relay = Relay::start(server_port(h));
    let via = kubeconfig_via(h, relay.port);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("outage.rec");
    let file = std::fs::File::create(&path).expect("create");
    let recorder = Recorder::new(
        std::io::BufWriter::new(file),
        &Header::default(),
        Policy::default(),
    )
    .expect("recorder");
    let (tx, rx) = mpsc::unbounded_channel();
    let options = KubeSourceOptions {
        namespace: Some(ns.clone()),
        ..Default::default()
    };
    let source = KubeSource::spawn(client_for(&via).await, options, tx);
    let (to, mut console) = mpsc::unbounded_channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let tapped = tokio::spawn(tap::run(
        rx,
        Some(to),
        vec![Box::new(recorder)],
        async move {
            let _ = stopped.await;
        },
    ));
    let mut app = App::new("e2e", Timestamp::now());
    // Feeds the console until `done` holds.
    async fn until(
        app: &mut App,
        rx: &mut mpsc::UnboundedReceiver<SourceMsg>,
        what: &str,
        done: impl Fn(&App) -> bool,
    ) -> Timestamp {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !done(app) {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(SourceMsg::Batch { at, events })) => {
                    app.update(Msg::Cluster { at, events }, keymap());
                }
                Ok(Some(_)) => {}
                _ => panic!("waiting for {what}"),
            }
        }
        app.now
    }
    let lost = |a: &App| matches!(a.store.connection(), ConnectionState::Lost(_));
    let connected = |a: &App| *a.store.connection() == ConnectionState::Connected;
    until(&mut app, &mut console, "listed", |a| {
        connected(a) && has(a, Kind::Dataset, &ns, "gone")
    })
    .await;
    relay.cut();
    let t_lost = until(&mut app, &mut console, "lost", lost).await;
    delete(&admin, Kind::Dataset, &ns, "gone").await;
    create(&admin, Kind::Dataset, &ns, dataset(&ns, "new")).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    relay.restore();
    let whole = |a: &App| has(a, Kind::Dataset, &ns, "new") && !has(a, Kind::Dataset, &ns, "gone");
    until(&mut app, &mut console, "whole again", |a| {
        connected(a) && whole(a)
    })
    .await;
    drop(source);
    let _ = stop.send(());
    let outcome = tapped.await.expect("tap");
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);

    let rec = Recording::open(&path).expect("opens");
    let (_, end) = rec.span().expect("span");
    // During the outage: lost, and still the state from before it.
    let mut during = App::new("e2e", t_lost);
    rec_cli::show_at(&mut during, keymap(), &rec, t_lost);
    assert!(lost(&during), "{:?}", during.store.connection());
    assert!(has(&during, Kind::Dataset, &ns, "gone"));
    assert!(!has(&during, Kind::Dataset, &ns, "new"));
    // At the end: connected and whole.
    let mut after = App::new("e2e", end);
    rec_cli::show_at(&mut after, keymap(), &rec, end);
    assert!(connected(&after) && whole(&after));
    let _ = std::fs::remove_file(via);
}
