//! Log pages: the previous instance (`p`), another container (`C`), `:tail` / `:since`, the
//! server refusing a log; and `/` search on describe pages. What the operator sees, and what the
//! console asks the source for.

use fluidops::app::actions::{Action, KeyMode};
use fluidops::app::log_page::Tail;
use fluidops::app::state::{ContainerPurpose, Screen};
use fluidops::app::update::Command;
use fluidops::app::{App, Msg, Overlay, log_strings};
use fluidops::cluster::ClusterEvent;
use fluidops::cluster::source::LogRequest;
use fluidops::config::{Keymap, Paths};

use crate::common::{
    self, app, key, keymap, log_pod, log_pod_with_sidecar, press, render, row_text, type_text,
};

fn snapshot(name: &str, app: &mut App) {
    let terminal = render(app, 80, 24, "mono");
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, terminal.backend());
    });
}

fn send(app: &mut App, events: Vec<ClusterEvent>) -> Vec<Command> {
    app.update(
        Msg::Cluster {
            at: common::now(),
            events,
        },
        keymap(),
    )
}

/// The log page of the example worker, as `l` opens it.
fn log_page() -> App {
    let mut app = app();
    app.screen = Screen::Detail(log_pod());
    let cmds = press(&mut app, "l");
    assert_eq!(
        cmds,
        vec![Command::FollowLogs(LogRequest::current(log_pod()))]
    );
    render(&mut app, 80, 24, "mono");
    app
}

fn title(app: &mut App) -> String {
    let t = render(app, 80, 24, "mono");
    row_text(&t, 2)
}

#[test]
fn the_keys_are_bound_by_name_in_both_keymaps() {
    let tmp = tempfile::tempdir().unwrap();
    let (k9s, warnings) = Keymap::load(&Paths::under(tmp.path()), Some("k9s"));
    assert!(warnings.is_empty());
    let cases = [
        (KeyMode::Logs, "p", Action::LogsPrevious),
        (KeyMode::Logs, "C", Action::LogsContainer),
        (KeyMode::Detail, "n", Action::SearchNext),
        (KeyMode::Detail, "N", Action::SearchPrev),
    ];
    for km in [keymap(), &k9s] {
        for (mode, k, want) in cases {
            assert_eq!(
                km.resolve(&[mode, KeyMode::Global], &key(k)),
                Some(want),
                "{mode} {k}"
            );
            assert_eq!(Action::parse(want.id()).unwrap(), want);
        }
    }
    // In help, with the mode they work in.
    let mut app = app();
    press(&mut app, ":");
    type_text(&mut app, "help previous instance");
    press(&mut app, "<Enter>");
    let t = render(&mut app, 100, 30, "mono");
    let text = common::screen_text(&t);
    let row = text
        .lines()
        .find(|l| l.contains("Log of the container's previous instance"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains(" p "), "{row}");
}

#[test]
fn p_shows_the_previous_instance_and_p_again_the_current_one() {
    let mut app = log_page();
    let cmds = press(&mut app, "p");
    let previous = LogRequest {
        previous: true,
        ..LogRequest::current(log_pod())
    };
    assert_eq!(cmds, vec![Command::FollowLogs(previous)]);
    // The source answers: the held lines are replaced by the previous instance's.
    let mut events = vec![ClusterEvent::LogReset { pod: log_pod() }];
    events.extend(
        [
            "2026-11-25T09:40:01Z INFO  worker started, version v0.2.5",
            "2026-11-25T09:41:12Z WARN  block cache 99% full, evicting",
            "2026-11-25T09:41:13Z ERROR block store I/O error: Input/output error (os error 5), shutting down",
        ]
        .map(|l| ClusterEvent::LogLine {
            pod: log_pod(),
            line: l.to_string(),
        }),
    );
    assert!(send(&mut app, events).is_empty());
    assert_eq!(app.store.log_len(&log_pod()), 3);
    let t = title(&mut app);
    assert!(t.contains("[previous instance]"), "{t}");
    snapshot("logs_previous_instance_80x24", &mut app);

    let cmds = press(&mut app, "p");
    assert_eq!(
        cmds,
        vec![Command::FollowLogs(LogRequest::current(log_pod()))]
    );
    assert!(!title(&mut app).contains("previous"));
}

#[test]
fn no_previous_instance_says_the_servers_message_and_stays_on_the_page() {
    let mut app = log_page();
    press(&mut app, "p");
    let message =
        "previous terminated container \"worker\" in pod \"imagenet-train-worker-1\" not found";
    let cmds = send(
        &mut app,
        vec![ClusterEvent::LogRefused {
            pod: log_pod(),
            message: message.to_string(),
        }],
    );
    assert_eq!(app.screen, Screen::Logs(log_pod()));
    assert!(!app.page.log.previous);
    assert_eq!(
        cmds,
        vec![Command::FollowLogs(LogRequest::current(log_pod()))]
    );
    let flash = app.flash.clone().unwrap().text;
    assert_eq!(flash, log_strings::log_refused(message));
    // The current log is still there, and the footer says why.
    assert_eq!(app.store.log_len(&log_pod()), 7);
    let t = render(&mut app, 80, 24, "mono");
    let text = common::screen_text(&t);
    assert!(text.contains("previous terminated container"), "{text}");
    // A refusal about another pod's log changes nothing here.
    assert!(
        send(
            &mut app,
            vec![ClusterEvent::LogRefused {
                pod: common::pod_key("x", "y"),
                message: "no".into(),
            }],
        )
        .is_empty()
    );
}

#[test]
fn tail_and_since_change_what_is_fetched_and_say_so_in_the_title() {
    let mut app = log_page();
    press(&mut app, ":");
    type_text(&mut app, "tail 100");
    let cmds = press(&mut app, "<Enter>");
    assert_eq!(app.page.log.tail, Tail::Lines(100));
    let want = LogRequest {
        tail_lines: Some(100),
        ..LogRequest::current(log_pod())
    };
    assert_eq!(cmds, vec![Command::FollowLogs(want.clone())]);
    press(&mut app, ":");
    type_text(&mut app, "since 10m");
    let cmds = press(&mut app, "<Enter>");
    let want = LogRequest {
        since_seconds: Some(600),
        ..want
    };
    assert_eq!(cmds, vec![Command::FollowLogs(want)]);
    let t = title(&mut app);
    assert!(t.contains("[tail 100 · since 10m]"), "{t}");
    snapshot("logs_tail_since_80x24", &mut app);

    // `:since off` and `:tail all`.
    press(&mut app, ":");
    type_text(&mut app, "since off");
    press(&mut app, "<Enter>");
    press(&mut app, ":");
    type_text(&mut app, "tail all");
    let cmds = press(&mut app, "<Enter>");
    let all = LogRequest {
        tail_lines: None,
        ..LogRequest::current(log_pod())
    };
    assert_eq!(cmds, vec![Command::FollowLogs(all)]);

    // A bad number is refused; away from a log page, so is the command.
    press(&mut app, ":");
    type_text(&mut app, "tail lots");
    assert!(press(&mut app, "<Enter>").is_empty());
    assert_eq!(
        app.flash.clone().unwrap().text,
        log_strings::tail_invalid("lots")
    );
    let mut list = common::app();
    press(&mut list, ":");
    type_text(&mut list, "since 5m");
    assert!(press(&mut list, "<Enter>").is_empty());
    assert_eq!(
        list.flash.unwrap().text,
        log_strings::LOG_OPTIONS_NEED_LOG_PAGE
    );
}

#[test]
fn c_picks_another_container_with_the_shells_choice() {
    let mut app = log_page();
    // One container: said, nothing asked.
    assert!(press(&mut app, "C").is_empty());
    assert!(app.overlays.top().is_none());
    let engine = fluidops::app::sim_shell::containers(&app.store, &log_pod())
        .map(|(n, e)| n[e].clone())
        .unwrap();
    assert_eq!(
        app.flash.clone().unwrap().text,
        log_strings::only_container(&engine)
    );

    log_pod_with_sidecar(&mut app, false);
    press(&mut app, "C");
    let Some(Overlay::Containers {
        names,
        choice,
        purpose,
        ..
    }) = app.overlays.top()
    else {
        panic!("{:?}", app.overlays.top());
    };
    assert_eq!(*purpose, ContainerPurpose::Logs);
    assert_eq!(names[*choice], engine, "starts on the container shown");
    let t = render(&mut app, 80, 24, "mono");
    assert!(common::screen_text(&t).contains(log_strings::LOGS_PICK_TITLE));
    let cmds = press(&mut app, "j <Enter>");
    let want = LogRequest {
        container: Some("log-shipper".into()),
        ..LogRequest::current(log_pod())
    };
    assert_eq!(cmds, vec![Command::FollowLogs(want)]);
    assert!(title(&mut app).contains("(log-shipper)"));
    // Back to the engine: the page's own log again.
    press(&mut app, "C");
    let cmds = press(&mut app, "k <Enter>");
    assert_eq!(
        cmds,
        vec![Command::FollowLogs(LogRequest::current(log_pod()))]
    );
}

#[test]
fn search_on_a_describe_page_marks_counts_and_steps_through_matches() {
    let mut app = app();
    app.screen = Screen::Detail(log_pod());
    render(&mut app, 80, 24, "mono");
    press(&mut app, "/");
    type_text(&mut app, "ready");
    press(&mut app, "<Enter>");
    let lines = fluidops::app::text_pages::page_lines(&app).unwrap().1;
    let matches = fluidops::app::text_pages::matching_lines(&lines, "ready");
    assert!(matches.len() >= 2, "{lines:#?}");
    assert_eq!(app.page.search_at, Some(matches[0]));
    let t = title(&mut app);
    assert!(t.contains(&format!("/ready 1/{}", matches.len())), "{t}");
    snapshot("describe_search_80x24", &mut app);

    press(&mut app, "n");
    assert_eq!(app.page.search_at, Some(matches[1]));
    let t = title(&mut app);
    assert!(t.contains(&format!("/ready 2/{}", matches.len())), "{t}");
    press(&mut app, "N N");
    assert_eq!(app.page.search_at, matches.last().copied(), "wraps around");
    // The current match is on screen, marked reversed.
    let t = render(&mut app, 80, 24, "mono");
    let buf = t.backend().buffer();
    let reversed = (0..buf.area.height).any(|y| {
        (0..buf.area.width).any(|x| {
            buf[(x, y)]
                .style()
                .add_modifier
                .contains(ratatui::style::Modifier::REVERSED)
                && buf[(x, y)].symbol().eq_ignore_ascii_case("r")
        })
    });
    assert!(reversed, "{}", common::screen_text(&t));
    // Esc clears the search, then goes back.
    press(&mut app, "<Esc>");
    assert!(app.page.search.is_empty());
    assert_eq!(app.screen, Screen::Detail(log_pod()));
    press(&mut app, "/");
    type_text(&mut app, "no such text anywhere");
    press(&mut app, "<Enter>");
    assert!(
        app.flash
            .clone()
            .unwrap()
            .text
            .contains("no such text anywhere")
    );
}

/// On the demo cluster, end to end: the log page of a worker that never restarted, `p`, the
/// cluster's answer (as the API server's), and the page back on the current log; `:tail 3`
/// then holds the three newest lines.
#[test]
fn on_the_demo_cluster_p_without_a_restart_is_refused_and_tail_cuts_the_log() {
    use fluidops::demo::DemoCluster;
    use std::time::Duration;
    let mut cluster = DemoCluster::builtin(7, common::now());
    cluster.set_random_failures(false);
    let mut app = App::new("demo", common::now());
    let events = cluster.initial_events();
    app.update(
        Msg::Cluster {
            at: common::now(),
            events,
        },
        keymap(),
    );
    let events = cluster.advance(Duration::from_secs(240));
    app.update(
        Msg::Cluster {
            at: cluster.now(),
            events,
        },
        keymap(),
    );
    let worker = app
        .store
        .compact_pods()
        .find(|p| p.name().contains("worker") && p.ready_containers().0 > 0)
        .map(|p| p.key())
        .expect("a ready worker");
    app.screen = Screen::Detail(worker.clone());
    // Each command goes to the demo cluster; its answer comes with the next batch.
    let run = |app: &mut App, cmds: Vec<Command>, cluster: &mut DemoCluster| -> Vec<Command> {
        for cmd in cmds {
            if let Command::FollowLogs(req) = cmd {
                cluster.follow_logs(req);
            }
        }
        let events = cluster.advance(Duration::from_millis(10));
        app.update(
            Msg::Cluster {
                at: cluster.now(),
                events,
            },
            keymap(),
        )
    };
    let cmds = press(&mut app, "l");
    assert!(run(&mut app, cmds, &mut cluster).is_empty());
    let held = app.store.log_len(&worker);
    assert!(held > 3, "{held}");

    let cmds = press(&mut app, "p");
    let back = run(&mut app, cmds, &mut cluster);
    assert_eq!(
        back,
        vec![Command::FollowLogs(LogRequest::current(worker.clone()))]
    );
    let said = app.flash.clone().unwrap().text;
    assert!(
        said.starts_with("previous terminated container \"") && said.contains("not found"),
        "{said}"
    );
    assert!(!app.page.log.previous);
    assert_eq!(app.store.log_len(&worker), held, "the current log stays");

    press(&mut app, ":");
    type_text(&mut app, "tail 3");
    let cmds = press(&mut app, "<Enter>");
    run(&mut app, cmds, &mut cluster);
    assert_eq!(app.store.log_len(&worker), 3);
    let want = cluster.logs(&worker);
    let shown: Vec<&String> = app.store.logs(&worker).collect();
    assert_eq!(shown, want[want.len() - 3..].iter().collect::<Vec<_>>());
}
