//! Copying to the clipboard, searching in YAML and log pages, saving a log, the command line's
//! history, `:ops all`, the sort arrow and status severity: what the operator sees and the
//! commands the app asks for.

use fluidops::app::actions::{Action, KeyMode, ViewKind};
use fluidops::app::state::Screen;
use fluidops::app::update::Command;
use fluidops::app::{App, strings};
use ratatui::style::Modifier;

use crate::common::{self, app, key, keymap, log_pod, press, render, row_text, type_text};

fn snapshot(name: &str, app: &mut App, theme: &str) {
    let terminal = render(app, 80, 24, theme);
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, terminal.backend());
    });
}

fn yaml_of_first_runtime() -> App {
    let mut app = app();
    press(&mut app, ":");
    type_text(&mut app, "runtimes");
    press(&mut app, "<Enter> y");
    assert!(matches!(app.screen, Screen::Yaml(_)), "{:?}", app.screen);
    render(&mut app, 80, 24, "default");
    app
}

#[test]
fn the_new_keys_are_bound_by_name() {
    let km = keymap();
    let cases = [
        (KeyMode::List, "c", Action::CopyName),
        (KeyMode::Detail, "Y", Action::CopyText),
        (KeyMode::Logs, "Y", Action::CopyText),
        (KeyMode::Yaml, "Y", Action::CopyText),
        (KeyMode::Logs, "n", Action::SearchNext),
        (KeyMode::Yaml, "N", Action::SearchPrev),
        (KeyMode::Logs, "<C-s>", Action::LogsSave),
    ];
    for (mode, k, want) in cases {
        assert_eq!(
            km.resolve(&[mode, KeyMode::Global], &key(k)),
            Some(want),
            "{mode} {k}"
        );
        assert_eq!(Action::parse(want.id()).unwrap(), want);
    }
    // `N` keeps sorting by name in lists.
    assert_eq!(
        km.resolve(&[KeyMode::List, KeyMode::Global], &key("N")),
        Some(Action::SortName)
    );
}

#[test]
fn c_copies_the_selected_name_and_says_so() {
    let mut app = app();
    render(&mut app, 80, 24, "default");
    let name = app.selected_object().expect("a runtime is selected").name;
    let cmds = press(&mut app, "c");
    assert_eq!(cmds, vec![Command::Copy(name.clone())]);
    assert_eq!(app.flash.unwrap().text, strings::copied_name(&name));
}

#[test]
fn capital_y_copies_the_whole_yaml_or_log() {
    let mut app = yaml_of_first_runtime();
    let cmds = press(&mut app, "Y");
    let [Command::Copy(text)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert!(text.starts_with("apiVersion: "), "{text}");
    assert!(text.contains("\nkind: CacheRuntime\n"), "{text}");

    let mut app = common::app();
    app.screen = Screen::Logs(log_pod());
    let cmds = press(&mut app, "Y");
    let [Command::Copy(text)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(text.lines().count(), 7);
    assert!(text.ends_with("187Gi used\n"));

    // On a list there is no page text to copy: said, nothing sent.
    let mut app = common::app();
    assert!(press(&mut app, "<Esc>").is_empty());
    app.screen = Screen::List(ViewKind::Runtimes);
    let cmds = app.act(Action::CopyText);
    assert!(cmds.is_empty());
    assert_eq!(app.flash.unwrap().text, strings::COPY_TEXT_NEEDS_PAGE);
}

#[test]
fn search_in_a_log_marks_and_steps_through_matches() {
    let mut app = common::app();
    app.screen = Screen::Logs(log_pod());
    render(&mut app, 80, 24, "default");
    press(&mut app, "/");
    type_text(&mut app, "s3://");
    press(&mut app, "<Enter>");
    // Lines 4 and 5 (0-based) hold it; the first at or after the top is gone to.
    assert_eq!(app.page.search_at, Some(4));
    assert!(!app.page.follow, "a search stops following");
    snapshot("page_search_log_80x24", &mut app, "mono");
    let t = render(&mut app, 80, 24, "mono");
    let title = row_text(&t, 2);
    assert!(title.contains("/s3:// 1/2"), "{title}");
    // The match is marked on screen (underlined in mono, reversed on the current line).
    let buf = t.backend().buffer();
    let (x, y) = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .find(|&(x, y)| {
            row_text(&t, y)[..].contains("ERROR read s3://")
                && buf[(x, y)].symbol() == "s"
                && buf[(x + 1, y)].symbol() == "3"
        })
        .expect("the match on screen");
    let style = buf[(x, y)].style();
    assert!(
        style.add_modifier.contains(Modifier::UNDERLINED),
        "{style:?}"
    );
    assert!(style.add_modifier.contains(Modifier::REVERSED), "{style:?}");

    press(&mut app, "n");
    assert_eq!(app.page.search_at, Some(5));
    press(&mut app, "n");
    assert_eq!(app.page.search_at, Some(4), "wraps around");
    press(&mut app, "N");
    assert_eq!(app.page.search_at, Some(5));
    // Esc clears the search first, then goes back.
    press(&mut app, "<Esc>");
    assert!(app.page.search.is_empty());
    assert!(matches!(app.screen, Screen::Logs(_)));
}

#[test]
fn search_in_yaml_reports_no_match_and_accepts_regex_characters() {
    let mut app = yaml_of_first_runtime();
    press(&mut app, "/");
    type_text(&mut app, "no-such-text(");
    press(&mut app, "<Enter>");
    assert_eq!(app.page.search_at, None);
    assert_eq!(
        app.flash.as_ref().unwrap().text,
        strings::search_no_match("no-such-text(")
    );
    press(&mut app, "/ <C-u>");
    type_text(&mut app, "kind");
    press(&mut app, "<Enter>");
    assert!(app.page.search_at.is_some());
    snapshot("page_search_yaml_80x24", &mut app, "default");
}

#[test]
fn ctrl_s_saves_the_log_under_the_state_dir() {
    let mut app = common::app();
    app.screen = Screen::Logs(log_pod());
    assert!(press(&mut app, "<C-s>").is_empty());
    assert_eq!(app.flash.as_ref().unwrap().text, strings::LOG_SAVE_NO_DIR);
    app.saved_logs_dir = Some("/state/logs".into());
    let cmds = press(&mut app, "<C-s>");
    let [Command::SaveLog { path, text, lines }] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert!(path.starts_with("/state/logs"));
    let file = path.file_name().unwrap().to_string_lossy();
    assert!(
        file.starts_with("imagenet_imagenet-train-worker-0_"),
        "{file}"
    );
    assert!(file.ends_with(".log"));
    assert_eq!(*lines, 7);
    assert_eq!(text.lines().count(), 7);
}

#[test]
fn a_wrapped_log_that_follows_shows_its_newest_line() {
    let mut app = common::app();
    app.screen = Screen::Logs(log_pod());
    app.page.follow = true;
    press(&mut app, "w");
    assert!(app.page.wrap);
    // 30 columns: every line takes two or three rows, more than the page holds.
    let t = render(&mut app, 30, 12, "default");
    let body: Vec<String> = (0..12).map(|y| row_text(&t, y)).collect();
    let last_body_row = body
        .iter()
        .rev()
        .find(|r| r.starts_with('│'))
        .expect("a body row");
    assert!(
        last_body_row.contains("used"),
        "newest line's end at the bottom: {body:#?}"
    );
}

#[test]
fn the_command_line_walks_its_history_and_asks_to_keep_it() {
    let mut app = app();
    app.palette_history_file = Some("/state/palette_history".into());
    press(&mut app, ":");
    type_text(&mut app, "pods");
    let cmds = press(&mut app, "<Enter>");
    assert_eq!(
        cmds,
        vec![Command::SaveHistory {
            path: "/state/palette_history".into(),
            text: "pods\n".into()
        }]
    );
    press(&mut app, ":");
    type_text(&mut app, "ops");
    press(&mut app, "<Enter> :");
    let input = |app: &App| match app.overlays.top() {
        Some(fluidops::app::Overlay::Palette { input, .. }) => input.clone(),
        other => panic!("{other:?}"),
    };
    press(&mut app, "<Up>");
    assert_eq!(input(&app), "ops");
    press(&mut app, "<Up>");
    assert_eq!(input(&app), "pods");
    press(&mut app, "<Up>");
    assert_eq!(input(&app), "pods", "stays at the oldest");
    press(&mut app, "<Down>");
    assert_eq!(input(&app), "ops");
    press(&mut app, "<Down>");
    assert_eq!(input(&app), "");
    // Typing leaves the history: Up / Down go back to choosing a completion.
    type_text(&mut app, "p");
    press(&mut app, "<Up>");
    assert_eq!(input(&app), "p");
    assert_eq!(
        fluidops::app::update::history_from_file("a\n\n b \nc\n"),
        vec!["a", "b", "c"]
    );
}

#[test]
fn ops_all_shows_every_namespace() {
    let mut app = app();
    press(&mut app, "1");
    assert_eq!(app.namespace.as_deref(), Some("imagenet"));
    press(&mut app, ":");
    type_text(&mut app, "ops all");
    press(&mut app, "<Enter>");
    assert_eq!(app.screen, Screen::List(ViewKind::Ops));
    assert_eq!(app.namespace, None);
    press(&mut app, ":");
    type_text(&mut app, "runtimes imagenet");
    press(&mut app, "<Enter>");
    assert_eq!(app.namespace.as_deref(), Some("imagenet"));
    press(&mut app, ":");
    type_text(&mut app, "runtimes all");
    press(&mut app, "<Enter>");
    assert_eq!(app.namespace, None);
}

#[test]
fn status_sort_puts_failures_first_and_marks_the_column() {
    let mut app = app();
    press(&mut app, ":");
    type_text(&mut app, "ops");
    press(&mut app, "<Enter> S");
    let t = render(&mut app, 200, 60, "default");
    let header = row_text(&t, 3);
    assert!(header.contains("PHASE▲"), "{header}");
    let table = app.table(ViewKind::Ops);
    let first = table.rows.first().expect("operations").key();
    let phase = |k: &fluidops::model::ObjectKey| match app.store.get(k) {
        Some(fluidops::model::Object::Operation(op)) => op.phase().to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(phase(&first), "Failed");
    let phases: Vec<String> = table.rows.iter().map(|r| phase(&r.key())).collect();
    let failed = phases.iter().rposition(|p| p == "Failed").unwrap();
    let complete = phases.iter().position(|p| p == "Complete").unwrap();
    assert!(failed < complete, "{phases:?}");
    press(&mut app, "r");
    let t = render(&mut app, 200, 60, "default");
    assert!(row_text(&t, 3).contains("PHASE▼"));
}

#[test]
fn help_is_searchable_and_ends_with_a_legend() {
    let mut app = app();
    press(&mut app, "?");
    // `/` in the help asks for the text on the command line.
    press(&mut app, "/");
    match app.overlays.top() {
        Some(fluidops::app::Overlay::Palette { input, .. }) => assert_eq!(input, "help "),
        other => panic!("{other:?}"),
    }
    type_text(&mut app, "clipboard");
    press(&mut app, "<Enter>");
    snapshot("help_search_clipboard_80x24", &mut app, "default");
    let t = render(&mut app, 80, 24, "default");
    let text = common::screen_text(&t);
    assert!(text.contains("Keys matching \"clipboard\" (6)"), "{text}");
    assert!(text.contains("Browsing a list [list]"), "{text}");
    assert!(!text.contains("Move down"), "{text}");

    // The whole help, at its end: the symbols' legend.
    press(&mut app, "<Esc> ? G");
    snapshot("help_legend_80x24", &mut app, "default");
    let t = render(&mut app, 80, 24, "default");
    let text = common::screen_text(&t);
    assert!(text.contains("What the symbols mean"), "{text}");
    assert!(text.contains("✖ Failed"), "{text}");
    assert!(text.contains("▲ / ▼"), "{text}");
}

#[test]
fn l_on_an_operation_opens_its_loader_pods_log() {
    use fluidops::cluster::ClusterEvent;
    use fluidops::model::{Kind, Object, ObjectKey};
    let mut app = app();
    press(&mut app, ":");
    type_text(&mut app, "ops");
    press(&mut app, "<Enter>");
    render(&mut app, 80, 24, "default");
    let op = app.selected_object().expect("an operation");
    assert!(matches!(op.kind, Kind::Operation(_)));
    // No loader pod known (the examples' pods are gone with their Jobs): said, nothing opened.
    let prefix = format!("{}-loader-job", op.name);
    let known: Vec<ObjectKey> = app
        .store
        .compact_pods()
        .filter(|p| p.name().starts_with(&prefix))
        .map(|p| p.key())
        .collect();
    for k in &known {
        app.update(
            fluidops::app::Msg::Cluster {
                at: common::now(),
                events: vec![ClusterEvent::Deleted(k.clone())],
            },
            keymap(),
        );
    }
    assert!(press(&mut app, "l").is_empty());
    assert_eq!(
        app.flash.as_ref().unwrap().text,
        strings::no_loader_pod(&op.name)
    );
    let pod_named = |name: &str, created: &str| {
        Object::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": op.namespace,
                         "creationTimestamp": created},
            "spec": {"containers": [{"name": "dataloader", "image": "fluid-dataloader"}]}
        }))
        .unwrap()
        .unwrap()
    };
    let older = format!("{}-loader-job-aaaaa", op.name);
    let newer = format!("{}-loader-job-bbbbb", op.name);
    app.update(
        fluidops::app::Msg::Cluster {
            at: common::now(),
            events: vec![
                ClusterEvent::Applied(pod_named(&older, "2026-11-25T09:00:00Z")),
                ClusterEvent::Applied(pod_named(&newer, "2026-11-25T09:30:00Z")),
            ],
        },
        keymap(),
    );
    let cmds = press(&mut app, "l");
    let want = ObjectKey::new(Kind::Pod, &op.namespace, &newer);
    assert_eq!(app.screen, Screen::Logs(want.clone()));
    assert_eq!(
        cmds,
        vec![Command::FollowLogs(
            fluidops::cluster::source::LogRequest::current(want)
        )]
    );
}

#[test]
fn scenario_list_says_what_each_tells_and_how_long_it_takes() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fluidops"))
        .args(["demo", "--scenario", "list"])
        .env_remove("KUBECONFIG")
        .output()
        .expect("the binary runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        fluidops::demo::scenario::Scenario::names().len()
    );
    for (line, name) in lines
        .iter()
        .zip(fluidops::demo::scenario::Scenario::names())
    {
        let s = fluidops::demo::scenario::Scenario::by_name(name).unwrap();
        assert!(line.starts_with(name), "{line}");
        assert!(line.contains(s.summary), "{line}");
        let secs = s.running_time().as_secs();
        assert!(
            line.contains(&format!(
                "about {}m{:02}s at --speed 1",
                secs / 60,
                secs % 60
            )),
            "{line}"
        );
    }
}

#[test]
fn a_long_caption_wraps_at_80_columns() {
    use fluidops::demo::scenario::captions::REBUILD_NEW_POD;
    let mut app = app();
    let terminal = common::render_with(
        &mut app,
        80,
        24,
        common::theme("default"),
        Some(REBUILD_NEW_POD),
    );
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("caption_wrapped_80x24", terminal.backend());
    });
    let rows: Vec<String> = (0..24).map(|y| row_text(&terminal, y)).collect();
    let first = rows
        .iter()
        .position(|r| r.starts_with(" ▶ "))
        .expect("the caption");
    // Every word is on screen: the caption took a second row instead of being cut.
    let shown = format!("{} {}", rows[first].trim(), rows[first + 1].trim());
    assert!(shown.ends_with("(see its log)."), "{rows:#?}");
    assert!(
        rows[first + 2].starts_with(' ') && !rows[first + 2].starts_with("   "),
        "footer next: {rows:#?}"
    );
}
