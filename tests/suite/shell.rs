//! `s`: which container a shell opens in (the engine's, or a choice), what is refused, and the
//! demo cluster's simulated shell; in a real terminal, the simulated shell takes the screen and
//! gives it back.

use std::time::{Duration, Instant};

use fluidops::app::sim_shell::{self, Reply};
use fluidops::app::state::Screen;
use fluidops::app::update::Command;
use fluidops::app::{App, Overlay, strings};
use fluidops::model::ObjectKey;
use portable_pty::CommandBuilder;

use crate::common::{self, app, log_pod, log_pod_with_sidecar, press, render};
use crate::support::pty_session::{PtySession, fresh_home};

fn on_pod(app: &mut App, key: &ObjectKey) {
    app.screen = Screen::Detail(key.clone());
}

#[test]
fn one_container_opens_at_once_and_a_runtime_is_refused() {
    let mut app = app();
    let key = log_pod();
    let (names, engine) = sim_shell::containers(&app.store, &key).unwrap();
    assert_eq!(names.len(), 1);
    app.screen = Screen::Detail(key.clone());
    let cmds = press(&mut app, "s");
    assert_eq!(
        cmds,
        vec![Command::Shell {
            pod: key.clone(),
            container: names[engine].clone()
        }]
    );
    let mut app = common::app();
    render(&mut app, 80, 24, "default");
    assert!(press(&mut app, "s").is_empty());
    assert_eq!(app.flash.unwrap().text, strings::SHELL_NEEDS_POD);
}

#[test]
fn several_containers_offer_a_choice_starting_on_the_engine() {
    let mut app = app();
    let key = log_pod_with_sidecar(&mut app, true);
    app.screen = Screen::Detail(key.clone());
    assert!(press(&mut app, "s").is_empty());
    let Some(Overlay::Containers { names, choice, .. }) = app.overlays.top() else {
        panic!("{:?}", app.overlays.top());
    };
    assert_eq!(names[0], "log-shipper");
    assert_eq!(*choice, 1, "the engine's container is chosen first");
    let engine = names[1].clone();
    let t = render(&mut app, 80, 24, "mono");
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("shell_container_choice_80x24", t.backend());
    });
    press(&mut app, "k");
    let cmds = press(&mut app, "<Enter>");
    assert_eq!(
        cmds,
        vec![Command::Shell {
            pod: key.clone(),
            container: "log-shipper".into()
        }]
    );
    assert!(app.overlays.top().is_none());
    // Esc leaves the choice without a shell.
    press(&mut app, "s");
    assert!(press(&mut app, "<Esc>").is_empty());
    assert!(app.overlays.top().is_none());
    assert_ne!(engine, "log-shipper");
}

#[test]
fn read_only_refuses_the_shell_and_audits_the_attempt() {
    let mut app = app();
    app.readonly = true;
    on_pod(&mut app, &log_pod());
    let cmds = press(&mut app, "s");
    assert!(
        matches!(cmds.as_slice(), [Command::Audit(a)] if a.action == "pod.shell"),
        "{cmds:?}"
    );
    assert_eq!(app.flash.unwrap().text, strings::READONLY_REFUSED);
}

#[test]
fn the_simulated_shell_answers_from_the_cluster_state() {
    let app = app();
    let pod = log_pod();
    let Reply::Lines(report) = sim_shell::answer(&app.store, &pod, "cv report") else {
        panic!("exit?");
    };
    assert!(report[0].starts_with("[simulated]"), "{report:?}");
    let rt = app
        .store
        .runtimes()
        .find(|r| r.metadata.name.as_deref() == Some("imagenet-train"))
        .unwrap();
    let worker = rt
        .component_status(fluidops::model::Component::Worker)
        .unwrap();
    let want = format!("{}/{}", worker.ready(), worker.desired());
    assert!(
        report
            .iter()
            .any(|l| l.contains("live workers") && l.ends_with(&want)),
        "{report:?}"
    );
    let Reply::Lines(mounts) = sim_shell::answer(&app.store, &pod, "cv mount") else {
        panic!("exit?");
    };
    let ds = app.store.dataset("imagenet", "imagenet-train").unwrap();
    for m in &ds.spec.mounts {
        assert!(
            mounts
                .iter()
                .any(|l| l.starts_with(&m.cache_path()) && l.ends_with(&m.mount_point)),
            "{mounts:?}"
        );
    }
    let Reply::Lines(ls) = sim_shell::answer(&app.store, &pod, "cv fs ls /") else {
        panic!("exit?");
    };
    assert_eq!(ls.len(), ds.spec.mounts.len());
    let Reply::Lines(other) = sim_shell::answer(&app.store, &pod, "rm -rf /") else {
        panic!("exit?");
    };
    assert_eq!(other, vec![strings::sim_shell_unknown("rm")]);
    assert_eq!(sim_shell::answer(&app.store, &pod, " exit "), Reply::Exit);
    assert_eq!(
        sim_shell::answer(&app.store, &pod, ""),
        Reply::Lines(Vec::new())
    );
}

fn wait_for(pty: &PtySession, what: &str, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let s = pty.screen();
        if s.contains(what) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what:?}; screen:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn in_a_terminal_the_simulated_shell_takes_the_screen_and_gives_it_back() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_fluidops"));
    cmd.arg("--demo");
    fresh_home(&mut cmd, home.path());
    cmd.env_remove("KUBECONFIG");
    let mut pty = PtySession::spawn(cmd, 80, 24);
    wait_for(&pty, "runtimes(all)", 20);
    pty.send(":pods\r");
    wait_for(&pty, "pods(all)", 10);
    pty.send("s");
    wait_for(&pty, "SIMULATED shell", 10);
    pty.send("cv report\r");
    let screen = wait_for(&pty, "live workers:", 10);
    assert!(screen.contains("[simulated] cluster report"), "{screen}");
    // Ctrl-C clears the line, it does not stop the console.
    pty.send("cv\x03");
    wait_for(&pty, "^C", 10);
    pty.send("exit\r");
    let back = wait_for(&pty, "pods(all)", 10);
    assert!(
        back.contains("ended"),
        "the footer says the shell ended:\n{back}"
    );
    pty.send("q");
    let deadline = Instant::now() + Duration::from_secs(10);
    while pty.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "did not quit");
        std::thread::sleep(Duration::from_millis(100));
    }
    let audit = std::fs::read_to_string(home.path().join("state/fluidops/audit.log"))
        .expect("the audit log");
    assert!(audit.contains("pod.shell"), "{audit}");
}
