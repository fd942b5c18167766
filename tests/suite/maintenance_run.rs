//! The upgrade and rebuild wizards end to end as an operator runs them: keys on the console,
//! the plan confirmed, the run recorded and driven through the guarded writer into the demo
//! cluster, which reacts as Fluid would; step prompts, pause, abort with rollback, a failing
//! step, a second console taking over, and a rebuild after a lost node.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{keymap, now, press, render, screen_text, type_text};
use fluidops::app::maintenance_form::Field;
use fluidops::app::state::Screen;
use fluidops::app::{App, Command, Msg, Overlay, strings};
use fluidops::cluster::writer::{Guarded, Writer};
use fluidops::cluster::{ClusterEvent, ConnectionState};
use fluidops::demo::DemoCluster;
use fluidops::demo::writer::DemoWriter;
use fluidops::model::maintenance::MaintenancePhase;
use fluidops::model::{CacheRuntimeMaintenance, Kind, Object, ObjectKey};
use fluidops::workflows::observe;

const NS: &str = "imagenet";
const PODS: [&str; 4] = [
    "imagenet-train-master-0",
    "imagenet-train-worker-0",
    "imagenet-train-worker-1",
    "imagenet-train-worker-2",
];

/// One console on the shared demo cluster, with its guarded writer and audit log.
struct Console {
    app: App,
    writer: Guarded,
    _dir: tempfile::TempDir,
    audit: std::path::PathBuf,
    /// The console asked to quit.
    quit: bool,
}

struct World {
    cluster: Arc<Mutex<DemoCluster>>,
    consoles: Vec<Console>,
}

impl World {
    fn new(consoles: usize) -> World {
        let cluster = Arc::new(Mutex::new(DemoCluster::builtin(7, now())));
        cluster.lock().unwrap().set_random_failures(false);
        let consoles = (0..consoles)
            .map(|_| {
                let mut app = App::new("demo", now());
                let mut events = vec![ClusterEvent::Connection(ConnectionState::Connected)];
                events.extend(cluster.lock().unwrap().initial_events());
                app.update(Msg::Cluster { at: now(), events }, keymap());
                let dir = tempfile::tempdir().unwrap();
                let audit = dir.path().join("audit.log");
                let writer = Guarded::new(
                    Box::new(DemoWriter::new(cluster.clone())),
                    false,
                    Some(audit.clone()),
                );
                Console {
                    app,
                    writer,
                    _dir: dir,
                    audit,
                    quit: false,
                }
            })
            .collect();
        World { cluster, consoles }
    }

    fn app(&mut self, i: usize) -> &mut App {
        &mut self.consoles[i].app
    }

    /// Sends every write among `cmds` through console `i`'s writer and feeds the answers back,
    /// until no write is left; read-only refusals go to its audit log, a quit is noted.
    fn pump(&mut self, i: usize, cmds: Vec<Command>) {
        let mut todo = cmds;
        while let Some(c) = todo.pop() {
            match c {
                Command::Write(w) => {
                    let result = futures::executor::block_on(self.consoles[i].writer.write(&w));
                    let more = self.consoles[i]
                        .app
                        .update(Msg::WriteDone { write: w, result }, keymap());
                    todo.extend(more);
                }
                Command::Audit(attempt) => self.consoles[i].writer.audit_refused(&attempt),
                Command::Quit => self.consoles[i].quit = true,
                _ => {}
            }
        }
    }

    /// Makes console `i` read-only (`--readonly`), as the binary builds it.
    fn readonly(&mut self, i: usize) {
        let c = &mut self.consoles[i];
        c.app.readonly = true;
        c.writer = Guarded::new(
            Box::new(DemoWriter::new(self.cluster.clone())),
            true,
            Some(c.audit.clone()),
        );
    }

    fn audit(&self, i: usize) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.consoles[i].audit)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn press(&mut self, i: usize, keys: &str) {
        let cmds = press(self.app(i), keys);
        self.pump(i, cmds);
    }

    /// One simulated second: the cluster moves, every console sees it and acts.
    fn tick(&mut self) {
        let (events, at) = {
            let mut c = self.cluster.lock().unwrap();
            (c.advance(Duration::from_secs(1)), c.now())
        };
        for i in 0..self.consoles.len() {
            let cmds = self.consoles[i].app.update(
                Msg::Cluster {
                    at,
                    events: events.clone(),
                },
                keymap(),
            );
            self.pump(i, cmds);
            let cmds = self.consoles[i].app.update(Msg::Tick(at), keymap());
            self.pump(i, cmds);
        }
    }

    fn ticks_until(&mut self, max: u64, mut done: impl FnMut(&mut World) -> bool) -> u64 {
        for s in 0..max {
            if done(self) {
                return s;
            }
            self.tick();
        }
        let flash = self.consoles[0].app.flash.clone();
        let screen = screen_text(&render(&mut self.consoles[0].app, 160, 48, "default"));
        panic!("not reached in {max} simulated seconds; flash {flash:?}\n{screen}");
    }

    fn record(&self, key: &ObjectKey) -> CacheRuntimeMaintenance {
        match self.cluster.lock().unwrap().get(key) {
            Some(Object::Maintenance(m)) => (**m).clone(),
            other => panic!("no record {key}: {other:?}"),
        }
    }

    fn pod(&self, name: &str) -> fluidops::model::Pod {
        match self
            .cluster
            .lock()
            .unwrap()
            .get(&ObjectKey::new(Kind::Pod, NS, name))
        {
            Some(Object::Pod(p)) => (**p).clone(),
            other => panic!("no pod {name}: {other:?}"),
        }
    }
}

/// Opens the upgrade form on imagenet-train, types the tag, and walks to the plan's
/// confirmation.
fn plan_upgrade(w: &mut World, i: usize, tag: &str, confirm_each_step: bool) {
    let app = w.app(i);
    press(app, "/");
    type_text(app, "imagenet-train");
    press(app, "<Enter> U");
    let Some(Overlay::Maintenance(f)) = app.overlays.top_mut() else {
        panic!("upgrade form expected, flash {:?}", app.flash);
    };
    f.focus_on(Field::Tag);
    press(app, "<C-u>");
    type_text(app, tag);
    if confirm_each_step {
        let Some(Overlay::Maintenance(f)) = app.overlays.top_mut() else {
            panic!("form closed");
        };
        f.focus_on(Field::ConfirmEachStep);
        press(app, "<Space>");
    }
    for _ in 0..20 {
        if matches!(app.overlays.top(), Some(Overlay::Confirm(_))) {
            return;
        }
        press(app, "<Enter>");
    }
    panic!(
        "no plan confirmation; overlay {:?}",
        app.overlays.top().map(std::mem::discriminant)
    );
}

fn run_key(app: &App) -> ObjectKey {
    app.run_page().expect("the run's page is open")
}

fn phase(w: &World, key: &ObjectKey) -> MaintenancePhase {
    w.record(key).phase()
}

#[test]
fn upgrade_from_the_keyboard_to_succeeded_in_place() {
    let mut w = World::new(1);
    let uids: Vec<String> = PODS
        .iter()
        .map(|p| observe::uid(&w.pod(p)).to_string())
        .collect();
    plan_upgrade(&mut w, 0, "v0.2.6", false);
    let Some(Overlay::Confirm(c)) = w.app(0).overlays.top() else {
        unreachable!()
    };
    assert!(c.title.contains("v0.2.6"), "{}", c.title);
    assert!(
        c.body.iter().any(|l| l.contains("imagenet-train-worker-2")),
        "{:#?}",
        c.body
    );
    // Nothing recorded or changed before the plan is confirmed.
    assert_eq!(
        w.cluster
            .lock()
            .unwrap()
            .objects()
            .iter()
            .filter(|o| o.kind() == Kind::CacheRuntimeMaintenance)
            .count(),
        0,
        "no record yet"
    );
    w.press(0, "y");
    let key = run_key(w.app(0));
    assert!(w.app(0).drives(&key));
    assert_ne!(phase(&w, &key), MaintenancePhase::Planned);
    let mut seen_running_page = false;
    let secs = w.ticks_until(600, |w| {
        let app = &mut w.consoles[0].app;
        if !seen_running_page
            && app
                .run_record(&key)
                .is_some_and(|r| r.phase() == MaintenancePhase::Running)
        {
            let text = screen_text(&render(app, 160, 48, "default"));
            assert!(text.contains("driven by this console"), "{text}");
            seen_running_page = true;
        }
        w.record(&key).phase() == MaintenancePhase::Succeeded
    });
    assert!(seen_running_page);
    for (p, uid) in PODS.iter().zip(uids) {
        let pod = w.pod(p);
        assert_eq!(observe::uid(&pod), uid, "{p} updated in place");
        assert_eq!(observe::spec_image(&pod), Some("curvine/curvine:v0.2.6"));
    }
    let rt = w
        .cluster
        .lock()
        .unwrap()
        .get(&ObjectKey::new(Kind::CacheRuntime, NS, "imagenet-train"))
        .unwrap()
        .to_value();
    assert!(
        rt["metadata"]["annotations"]["fluidops.io/maintenance"].is_null(),
        "lock released"
    );
    let audit = std::fs::read_to_string(&w.consoles[0].audit).unwrap();
    assert!(audit.contains("\"verb\":\"create\""), "{audit}");
    assert!(audit.contains("patch status"), "{audit}");
    assert!(
        audit.contains(&format!("maintenance {}", key.name)),
        "{audit}"
    );
    // Information in the footer goes after a few seconds; the finished run stays on its page.
    for _ in 0..10 {
        w.tick();
    }
    let app = w.app(0);
    assert_eq!(app.flash, None);
    assert!(!app.drives(&key));
    let terminal = render(app, 160, 48, "default");
    let text = screen_text(&terminal);
    assert!(text.contains("finished · Succeeded"), "{text}");
    println!("upgrade took {secs} simulated seconds");
}

#[test]
fn confirm_each_step_asks_before_every_change() {
    let mut w = World::new(1);
    plan_upgrade(&mut w, 0, "v0.2.6", true);
    w.press(0, "y");
    let key = run_key(w.app(0));
    let mut answered = 0;
    let mut shot = false;
    w.ticks_until(900, |w| {
        let app = &mut w.consoles[0].app;
        if app.runs.get(&key).is_some_and(|d| d.prompt.is_some()) {
            if !shot {
                let terminal = render(app, 120, 40, "default");
                let text = screen_text(&terminal);
                assert!(text.contains("waits for your confirmation"), "{text}");
                insta::assert_snapshot!(
                    "run_page_awaiting_confirmation_120x40",
                    terminal.backend()
                );
                shot = true;
            }
            let cmds = press(app, "<Enter>");
            assert!(cmds.is_empty(), "Enter only opens the confirmation");
            assert!(matches!(app.overlays.top(), Some(Overlay::Confirm(_))));
            w.press(0, "y");
            answered += 1;
        }
        w.record(&key).phase() == MaintenancePhase::Succeeded
    });
    assert!(answered >= 4, "a confirmation per change, got {answered}");
}

#[test]
fn abort_mid_way_rolls_back_to_the_previous_version() {
    let mut w = World::new(1);
    plan_upgrade(&mut w, 0, "v0.2.6", false);
    w.press(0, "y");
    let key = run_key(w.app(0));
    // Wait until the master runs the new image, then abort.
    w.ticks_until(300, |w| {
        observe::spec_image(&w.pod("imagenet-train-master-0")) == Some("curvine/curvine:v0.2.6")
    });
    w.press(0, "<C-a>");
    let Some(Overlay::Confirm(c)) = w.app(0).overlays.top() else {
        panic!("abort asks first");
    };
    assert!(c.danger);
    assert!(c.body.iter().any(|l| l.contains("v0.2.5")), "{:#?}", c.body);
    w.press(0, "y");
    w.ticks_until(900, |w| {
        w.record(&key).phase() == MaintenancePhase::RolledBack
    });
    w.ticks_until(300, |w| {
        PODS.iter()
            .all(|p| observe::spec_image(&w.pod(p)) == Some("curvine/curvine:v0.2.5"))
    });
}

#[test]
fn a_failing_step_pauses_the_run_with_the_reason_and_abort_rolls_back() {
    let mut w = World::new(1);
    plan_upgrade(&mut w, 0, "v0.2.6-does-not-exist", false);
    w.press(0, "y");
    let key = run_key(w.app(0));
    w.ticks_until(900, |w| w.record(&key).phase() == MaintenancePhase::Paused);
    let rec = w.record(&key);
    let failed = rec
        .status
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .find(|s| s.state.to_string() == "Failed")
        .expect("a failed step");
    let msg = failed.message.clone().unwrap_or_default();
    assert!(
        msg.contains("ImagePullBackOff") || msg.contains("ErrImagePull"),
        "{msg}"
    );
    let text = screen_text(&render(w.app(0), 160, 48, "default"));
    assert!(text.contains("Paused"), "{text}");
    w.press(0, "<C-a> y");
    w.ticks_until(900, |w| {
        w.record(&key).phase() == MaintenancePhase::RolledBack
    });
    assert_eq!(
        observe::spec_image(&w.pod("imagenet-train-master-0")),
        Some("curvine/curvine:v0.2.5")
    );
}

#[test]
fn a_second_console_takes_over_where_the_run_stands() {
    let mut w = World::new(2);
    plan_upgrade(&mut w, 0, "v0.2.6", false);
    w.press(0, "y");
    let key = run_key(w.app(0));
    w.ticks_until(300, |w| {
        observe::spec_image(&w.pod("imagenet-train-master-0")) == Some("curvine/curvine:v0.2.6")
    });
    // The first console goes away mid-run.
    w.consoles.remove(0);
    let app = w.app(0);
    app.update(Msg::Key(common::key(":")), keymap());
    type_text(app, "maintenance");
    press(app, "<Enter> /");
    type_text(app, &key.name);
    press(app, "<Enter> <Enter>");
    assert_eq!(app.run_page(), Some(key.clone()));
    let text = screen_text(&render(app, 160, 48, "default"));
    assert!(text.contains("not driven by this console"), "{text}");
    press(app, "<Enter>");
    let Some(Overlay::Confirm(c)) = app.overlays.top() else {
        panic!("take-over asks first");
    };
    assert!(c.title.contains("Drive this run"), "{}", c.title);
    w.press(0, "y");
    assert!(w.app(0).drives(&key));
    w.ticks_until(600, |w| {
        w.record(&key).phase() == MaintenancePhase::Succeeded
    });
    // The master was restarted once, not twice.
    let master = w.pod("imagenet-train-master-0");
    assert_eq!(observe::spec_image(&master), Some("curvine/curvine:v0.2.6"));
}

/// Opens the page of the run `key` in console `i`.
fn open_run_page(w: &mut World, i: usize, key: &ObjectKey) {
    let app = w.app(i);
    app.update(Msg::Key(common::key(":")), keymap());
    type_text(app, "maintenance");
    press(app, "<Enter> /");
    type_text(app, &key.name);
    press(app, "<Enter> <Enter>");
    assert_eq!(app.run_page(), Some(key.clone()));
}

/// `q` (and Ctrl-C) while this console drives a run mid-step asks first, names the run and says
/// what becomes of it; yes leaves the run where its record stands, and another console takes it
/// over and finishes it.
#[test]
fn quitting_mid_run_asks_and_another_console_takes_the_run_over() {
    let mut w = World::new(2);
    plan_upgrade(&mut w, 0, "v0.2.6", false);
    w.press(0, "y");
    let key = run_key(w.app(0));
    w.ticks_until(300, |w| {
        observe::spec_image(&w.pod("imagenet-train-master-0")) == Some("curvine/curvine:v0.2.6")
    });
    assert!(fluidops::workflows::machine::is_active(&w.record(&key)));
    for quit in ["q", "<C-c>"] {
        w.press(0, quit);
        assert!(!w.consoles[0].quit, "{quit} quit without a word");
        let Some(Overlay::Confirm(c)) = w.app(0).overlays.top() else {
            panic!("{quit}: no question");
        };
        let run = format!("CacheRuntimeMaintenance {NS}/{}", key.name);
        assert!(c.title.contains(&run), "{}", c.title);
        let body = c.body.join("\n");
        assert!(
            body.contains(&run) && body.contains("Upgrade of imagenet-train"),
            "{body}"
        );
        assert!(
            body.contains("stop being driven") && body.contains("takes a run over"),
            "{body}"
        );
        let text = screen_text(&render(w.app(0), 120, 40, "default"));
        assert!(text.contains("Quit and stop driving"), "{text}");
        w.press(0, "n");
        assert!(w.app(0).drives(&key));
    }
    w.press(0, "q y");
    assert!(w.consoles[0].quit);
    let left = w.record(&key);
    assert!(
        fluidops::workflows::machine::is_active(&left),
        "the record stays"
    );
    w.consoles.remove(0);
    open_run_page(&mut w, 0, &key);
    w.press(0, "<Enter> y");
    assert!(w.app(0).drives(&key));
    w.ticks_until(600, |w| {
        w.record(&key).phase() == MaintenancePhase::Succeeded
    });
    for pod in PODS {
        assert_eq!(
            observe::spec_image(&w.pod(pod)),
            Some("curvine/curvine:v0.2.6"),
            "{pod}"
        );
    }
}

/// A read-only console watches a run another console drives: it does not offer to take it
/// over, pause or abort it, says why, and each refusal is in its audit log; nothing is sent.
#[test]
fn a_readonly_console_watches_a_run_and_says_why_it_cannot_take_it_over() {
    let mut w = World::new(2);
    w.readonly(1);
    plan_upgrade(&mut w, 0, "v0.2.6", true);
    w.press(0, "y");
    let key = run_key(w.app(0));
    w.tick();
    open_run_page(&mut w, 1, &key);
    let text = screen_text(&render(w.app(1), 160, 48, "default"));
    assert!(text.contains("read-only: it only watches"), "{text}");
    let record = w.record(&key);
    for (keys, action, why) in [
        ("<Enter>", "wizard.next", strings::READONLY_NO_TAKE_OVER),
        ("p", "wizard.pause", strings::READONLY_NO_RUN_WRITES),
        ("<C-a>", "wizard.abort", strings::READONLY_NO_RUN_WRITES),
    ] {
        w.press(1, keys);
        let app = w.app(1);
        assert!(
            app.overlays.is_empty(),
            "{keys} offered {:?}",
            app.overlays.top()
        );
        assert_eq!(
            app.flash.as_ref().map(|f| f.text.as_str()),
            Some(why),
            "{keys}"
        );
        let audit = w.audit(1);
        let last = audit.last().expect("audited");
        assert_eq!(last["verb"], action);
        assert_eq!(last["object"], key.to_string());
        assert_eq!(last["outcome"], "refused (read-only)");
    }
    assert_eq!(w.audit(1).len(), 3, "refusals only: nothing was sent");
    assert!(!w.app(1).drives(&key));
    assert_eq!(w.record(&key), record);
}

#[test]
fn rebuild_after_a_lost_node_recreates_the_worker_and_rewarms() {
    let mut w = World::new(1);
    let worker = "imagenet-train-worker-1";
    let node = fluidops::model::pod::node_of(&w.pod(worker))
        .unwrap()
        .to_string();
    let old_uid = observe::uid(&w.pod(worker)).to_string();
    w.cluster.lock().unwrap().fail_node(&node);
    w.ticks_until(600, |w| !fluidops::model::pod::is_ready(&w.pod(worker)));
    let app = w.app(0);
    press(app, "/");
    type_text(app, "imagenet-train");
    press(app, "<Enter> R");
    let Some(Overlay::Maintenance(f)) = app.overlays.top_mut() else {
        panic!("rebuild form expected, flash {:?}", app.flash);
    };
    // The node is gone: a graceful delete would wait for it forever.
    assert!(f.fields().contains(&Field::ForceDelete));
    f.focus_on(Field::ForceDelete);
    press(app, "<Space>");
    for _ in 0..30 {
        if matches!(app.overlays.top(), Some(Overlay::Confirm(_))) {
            break;
        }
        press(app, "<Enter>");
    }
    let Some(Overlay::Confirm(c)) = app.overlays.top() else {
        panic!("no plan confirmation");
    };
    assert!(c.body.iter().any(|l| l.contains(worker)), "{:#?}", c.body);
    w.press(0, "y");
    let key = run_key(w.app(0));
    w.ticks_until(1200, |w| {
        let app = &mut w.consoles[0].app;
        if app.runs.get(&key).is_some_and(|d| d.prompt.is_some()) {
            press(app, "<Enter>");
            w.press(0, "y");
        }
        w.record(&key).phase() == MaintenancePhase::Succeeded
    });
    let pod = w.pod(worker);
    assert_ne!(observe::uid(&pod), old_uid, "recreated with a new UID");
    assert!(fluidops::model::pod::is_ready(&pod));
    let rewarm = ObjectKey::new(
        Kind::Operation(fluidops::model::OpKind::DataLoad),
        NS,
        fluidops::workflows::plan::rewarm_name(&key.name),
    );
    assert!(
        w.cluster.lock().unwrap().get(&rewarm).is_some(),
        "re-warm DataLoad created"
    );
}

/// Plays a named scenario with this console as the presenter's screen: cluster steps go to the
/// demo cluster, operator steps to the app as `Msg::Operator`, exactly as the demo source does.
fn play(name: &str, max: u64) -> (World, Vec<String>) {
    play_watching(name, max, |_, _| {})
}

/// [`play`], calling `watch` with each caption once the console has turned to the screen its
/// step shows (and taken in the batch after the step).
fn play_watching(
    name: &str,
    max: u64,
    mut watch: impl FnMut(&mut World, &str),
) -> (World, Vec<String>) {
    let mut w = World::new(1);
    let mut s = fluidops::demo::Player::new(fluidops::demo::Scenario::by_name(name).unwrap(), 1.0);
    let mut captions = Vec::new();
    for _ in 0..max {
        if s.finished() {
            return (w, captions);
        }
        let due = {
            let c = w.cluster.lock().unwrap();
            s.due(&c)
        };
        let mut shown = None;
        if let Some(step) = due {
            step.apply(&mut w.cluster.lock().unwrap()).unwrap();
            captions.push(step.caption.to_string());
            if let Some(a) = step.operator() {
                let cmds = w.app(0).update(Msg::Operator(a.clone()), keymap());
                w.pump(0, cmds);
            }
            shown = Some(step);
        }
        s.advance(Duration::from_secs(1));
        w.tick();
        if let Some(step) = shown {
            if let Some(a) = step.screen {
                let cmds = w.app(0).update(Msg::Operator(a), keymap());
                w.pump(0, cmds);
            }
            watch(&mut w, step.caption);
        }
    }
    panic!("scenario {name} not finished in {max}s; captions so far: {captions:#?}");
}

#[test]
fn the_upgrade_scenario_drives_the_wizard_to_succeeded() {
    let (mut w, captions) = play("upgrade", 600);
    assert!(captions.len() >= 6, "{captions:#?}");
    let key = ObjectKey::new(
        Kind::CacheRuntimeMaintenance,
        NS,
        w.app(0).run_page().expect("the run's page is open").name,
    );
    assert_eq!(phase(&w, &key), MaintenancePhase::Succeeded);
    for p in PODS {
        assert_eq!(
            observe::spec_image(&w.pod(p)),
            Some("curvine/curvine:v0.2.6")
        );
    }
}

#[test]
fn the_rebuild_scenario_drives_the_wizard_to_succeeded() {
    let (mut w, _) = play("rebuild", 900);
    let key = w.app(0).run_page().expect("the run's page is open");
    assert_eq!(phase(&w, &key), MaintenancePhase::Succeeded);
}

// ------------------------------------------------------------------ snapshots of every dialog

fn snap(w: &mut World, name: &str) {
    for (cols, rows) in [(80, 24), (160, 48)] {
        let terminal = render(w.app(0), cols, rows, "default");
        insta::assert_snapshot!(format!("{name}_{cols}x{rows}"), terminal.backend());
    }
}

#[test]
fn wizard_dialogs_and_run_pages() {
    // The plan of an upgrade, then the first step's confirmation of a confirm-each-step run.
    let mut w = World::new(1);
    plan_upgrade(&mut w, 0, "v0.2.6", true);
    snap(&mut w, "wizard_upgrade_plan");
    w.press(0, "y");
    let key = run_key(w.app(0));
    w.ticks_until(60, |w| {
        w.consoles[0]
            .app
            .runs
            .get(&key)
            .is_some_and(|d| d.prompt.is_some())
    });
    w.press(0, "<Enter>");
    snap(&mut w, "wizard_step_confirm");
    w.press(0, "y");
    w.press(0, "p");
    snap(&mut w, "wizard_pause");
    w.press(0, "n <C-a>");
    snap(&mut w, "wizard_abort");
    w.press(0, "y");
    w.ticks_until(900, |w| {
        let app = &mut w.consoles[0].app;
        if app.runs.get(&key).is_some_and(|d| d.prompt.is_some()) {
            press(app, "<Enter>");
            w.press(0, "y");
        }
        // Aborted before anything was patched: nothing to roll back.
        w.record(&key).phase() == MaintenancePhase::Aborted
    });
    w.tick();
    snap(&mut w, "wizard_aborted");

    // A failing step, seen from a second console that has not taken the run over.
    let mut w = World::new(2);
    plan_upgrade(&mut w, 0, "v0.2.6-does-not-exist", false);
    w.press(0, "y");
    let key = run_key(w.app(0));
    w.ticks_until(900, |w| w.record(&key).phase() == MaintenancePhase::Paused);
    w.tick();
    snap(&mut w, "wizard_failed_step_paused");
    w.consoles.remove(0);
    let app = w.app(0);
    app.update(Msg::Key(common::key(":")), keymap());
    type_text(app, "maintenance");
    press(app, "<Enter> /");
    type_text(app, &key.name);
    press(app, "<Enter> <Enter> <Enter>");
    snap(&mut w, "wizard_take_over");

    // A rebuild plan after a lost node.
    let mut w = World::new(1);
    let worker = "imagenet-train-worker-1";
    let node = fluidops::model::pod::node_of(&w.pod(worker))
        .unwrap()
        .to_string();
    w.cluster.lock().unwrap().fail_node(&node);
    w.ticks_until(600, |w| !fluidops::model::pod::is_ready(&w.pod(worker)));
    let app = w.app(0);
    press(app, "/");
    type_text(app, "imagenet-train");
    press(app, "<Enter> R");
    if let Some(Overlay::Maintenance(f)) = app.overlays.top_mut() {
        f.focus_on(Field::ForceDelete);
    }
    press(app, "<Space>");
    for _ in 0..30 {
        if matches!(app.overlays.top(), Some(Overlay::Confirm(_))) {
            break;
        }
        press(app, "<Enter>");
    }
    snap(&mut w, "wizard_rebuild_plan");
    w.press(0, "y");
    let key = run_key(w.app(0));
    w.ticks_until(1200, |w| {
        w.record(&key).phase() == MaintenancePhase::Succeeded
    });
    w.tick();
    snap(&mut w, "wizard_rebuild_succeeded");
}

#[test]
fn the_run_timeline_shows_each_step() {
    let mut w = World::new(1);
    plan_upgrade(&mut w, 0, "v0.2.6", false);
    w.press(0, "y");
    let key = run_key(w.app(0));
    w.ticks_until(600, |w| {
        w.record(&key).phase() == MaintenancePhase::Succeeded
    });
    w.tick();
    let app = w.app(0);
    press(app, "t");
    let terminal = render(app, 160, 48, "default");
    let text = screen_text(&terminal);
    for step in [
        "patch-master",
        "wait-master-0",
        "remount-master",
        "wait-worker-0",
        "verify",
    ] {
        assert!(text.contains(step), "{step} missing:\n{text}");
    }
    assert!(text.contains("Complete"), "{text}");
    insta::assert_snapshot!("run_timeline_160x48", terminal.backend());
}

/// What the console shows (80x24, with the caption) when each caption of a scenario appears:
/// (caption, screen, text).
fn watch_scenario(name: &str, max: u64) -> (World, Vec<(String, Screen, String)>) {
    let mut seen = Vec::new();
    let (w, _) = play_watching(name, max, |w, caption| {
        let term = common::render_with(w.app(0), 80, 24, common::theme("default"), Some(caption));
        seen.push((
            caption.to_string(),
            w.app(0).screen.clone(),
            screen_text(&term),
        ));
    });
    (w, seen)
}

#[test]
fn the_load_scenario_opens_its_dataload_then_its_timeline() {
    use fluidops::demo::scenario::captions::*;
    let op = ObjectKey::new(
        Kind::Operation(fluidops::model::OpKind::DataLoad),
        NS,
        "imagenet-warm-demo",
    );
    let (mut w, seen) = watch_scenario("load", 600);
    let at = |caption: &str| {
        seen.iter()
            .find(|(c, _, _)| c == caption)
            .unwrap_or_else(|| panic!("{caption} not shown"))
    };
    let (_, screen, text) = at(LOAD_CREATED);
    assert_eq!(*screen, Screen::Detail(op.clone()), "{text}");
    assert!(text.contains("imagenet-warm-demo"), "{text}");
    let timeline = Screen::Timeline(fluidops::cluster::Subject::Object(op.clone()));
    let (_, screen, text) = at(LOAD_EXECUTING);
    assert_eq!(*screen, timeline, "{text}");
    assert!(
        text.contains("Pending") && text.contains("Executing") && !text.contains("Complete"),
        "{text}"
    );
    let (_, screen, text) = at(LOAD_DONE);
    assert_eq!(*screen, timeline, "{text}");
    assert!(
        text.contains("Pending") && text.contains("Executing") && text.contains("Complete"),
        "{text}"
    );
    let term = common::render_with(w.app(0), 80, 24, common::theme("default"), Some(LOAD_DONE));
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("scenario_load_timeline_80x24", term.backend());
    });
}

#[test]
fn the_worker_lost_scenario_shows_the_lost_pod_and_the_runtime_recover() {
    use fluidops::demo::scenario::captions::*;
    let rt = ObjectKey::new(Kind::CacheRuntime, NS, "imagenet-train");
    let worker1 = ObjectKey::new(Kind::Pod, NS, "imagenet-train-worker-1");
    let (mut w, seen) = watch_scenario("worker-lost", 600);
    assert_eq!(seen.len(), 7, "every caption shown");
    let at = |caption: &str| {
        seen.iter()
            .find(|(c, _, _)| c == caption)
            .cloned()
            .unwrap_or_else(|| panic!("{caption} not shown"))
    };
    // The text on screen without the caption's rows (which name what the screen should show).
    let page = |text: &str| -> String { text.lines().take(21).collect::<Vec<_>>().join("\n") };
    let (_, screen, text) = at(LOST_INTRO);
    assert_eq!(screen, Screen::Detail(rt.clone()), "{text}");
    assert!(page(&text).contains("worker  ● Ready 3/3"), "{text}");
    let (_, screen, text) = at(LOST_NODE);
    assert_eq!(screen, Screen::Detail(worker1.clone()), "{text}");
    assert!(page(&text).contains("imagenet-train-worker-1"), "{text}");
    let (_, screen, text) = at(LOST_BOUND);
    assert_eq!(screen, Screen::Detail(rt.clone()), "{text}");
    let shown = page(&text);
    assert!(
        shown.contains("PartialReady 2/3") && shown.contains("Bound"),
        "{text}"
    );
    let (_, screen, text) = at(LOST_KILL);
    assert_eq!(screen, Screen::Detail(rt.clone()), "{text}");
    let (_, screen, text) = at(LOST_REPLACED);
    assert_eq!(screen, Screen::Detail(worker1.clone()), "{text}");
    let shown = page(&text);
    assert!(
        shown.contains("● Running") && shown.contains("● 1/1"),
        "{text}"
    );
    let (_, screen, text) = at(LOST_RECOVERED);
    assert_eq!(screen, Screen::Detail(rt.clone()), "{text}");
    let shown = page(&text);
    assert!(
        shown.contains("worker  ● Ready 3/3") && !shown.contains("PartialReady"),
        "{text}"
    );
    let term = common::render_with(
        w.app(0),
        80,
        24,
        common::theme("default"),
        Some(LOST_RECOVERED),
    );
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("scenario_worker_lost_recovered_80x24", term.backend());
    });
    // The replacement pod's page: Ready on another node, seconds old.
    let cmds = w.app(0).update(
        Msg::Operator(fluidops::demo::OperatorAction::Open(worker1)),
        keymap(),
    );
    w.pump(0, cmds);
    let term = common::render_with(
        w.app(0),
        80,
        24,
        common::theme("default"),
        Some(LOST_REPLACED),
    );
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("scenario_worker_lost_new_pod_80x24", term.backend());
    });
}
