//! A console as `fluidops` runs it against a real cluster, minus the terminal: the app fed by the
//! kube source (`KubeSource::spawn` into a channel → `Msg::Cluster`, as `entry::interactive_kube`
//! does), its writes sent through the guarded writer the binary builds (Guarded ∘
//! WithLocalRecords ∘ KubeWriter, with its own audit log and local-records directory), answers
//! fed back as `Msg::WriteDone`, and `Msg::Tick(now)` when the binary's loop would send it
//! ([`fluidops::run::tick_after`]: each new second while the app shows time). Keys go in through the
//! built-in keymap, as in the `maintenance_run` tests.
//!
//! Used by `e2e_kube`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fluidops::app::maintenance_form::Field;
use fluidops::app::{App, Command, Msg, Overlay};
use fluidops::cluster::ClusterEvent;
use fluidops::cluster::kube_source::{KubeSource, KubeSourceOptions};
use fluidops::cluster::local_records::{self, WithLocalRecords};
use fluidops::cluster::source::{Clock, SourceMsg};
use fluidops::cluster::writer::{Guarded, KubeWriter, Writer};
use fluidops::model::ObjectKey;
use fluidops::run;
use jiff::Timestamp;
use kube::Client;
use tokio::sync::mpsc;

use crate::common::{keymap, press, render, screen_text, type_text};

/// How long a turn waits for the source when the app wants no tick.
const IDLE_WAIT: Duration = Duration::from_millis(200);

pub struct WizardConsole {
    pub app: App,
    rx: mpsc::UnboundedReceiver<SourceMsg>,
    _source: KubeSource,
    writer: Guarded,
    /// This console's audit log (JSON lines, one per write attempt).
    pub audit: PathBuf,
    /// Writes this console sent (answered), in order.
    pub sent: usize,
    _dir: tempfile::TempDir,
}

impl WizardConsole {
    /// A console on `client` watching namespace `ns` only (the views scoped to it too). Records
    /// kept in `local_dir` (default: a fresh directory of its own) are loaded into the store
    /// first, as `setup::keep_local_records` does at start-up.
    pub fn start(client: Client, ns: &str, local_dir: Option<&Path>) -> WizardConsole {
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("audit.log");
        let local_dir = local_dir
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dir.path().join("records"));
        let writer = Guarded::new(
            Box::new(WithLocalRecords::new(
                Box::new(KubeWriter::new(client.clone())),
                local_dir.clone(),
            )),
            false,
            Some(audit.clone()),
        );
        let mut app = App::new("e2e", Timestamp::now());
        app.namespace = Some(ns.to_string());
        let (objects, problems) = local_records::load(&local_dir);
        assert!(
            problems.is_empty(),
            "local records unreadable: {problems:?}"
        );
        for obj in objects {
            app.store.apply(ClusterEvent::Applied(obj), app.now);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let options = KubeSourceOptions {
            namespace: Some(ns.to_string()),
            only_namespace: true,
            log_file: Some(dir.path().join("fluidops.log")),
        };
        let source = KubeSource::spawn(client, options, tx);
        WizardConsole {
            app,
            rx,
            _source: source,
            writer,
            audit,
            sent: 0,
            _dir: dir,
        }
    }

    /// Sends every write among `cmds` through the writer and feeds the answers back, until no
    /// write is left (the binary's loop does the same, one task per write).
    pub async fn pump(&mut self, cmds: Vec<Command>) {
        let mut todo: Vec<Command> = cmds;
        todo.reverse();
        while let Some(c) = todo.pop() {
            if let Command::Write(w) = c {
                let result = self.writer.write(&w).await;
                self.sent += 1;
                let mut more = self
                    .app
                    .update(Msg::WriteDone { write: w, result }, keymap());
                more.reverse();
                todo.extend(more);
            }
        }
    }

    /// Presses keys in keymap notation (`"<Enter> U"`) and sends what they ask to write.
    pub async fn press(&mut self, keys: &str) {
        let cmds = press(&mut self.app, keys);
        self.pump(cmds).await;
    }

    pub fn type_text(&mut self, text: &str) {
        type_text(&mut self.app, text);
    }

    /// One turn of the binary's loop: waits for the source until the next tick is due, applies
    /// whatever arrived, or tells the app the time.
    pub async fn turn(&mut self) {
        let tick = run::tick_after(&self.app, Clock::Wall);
        match tokio::time::timeout(tick.unwrap_or(IDLE_WAIT), self.rx.recv()).await {
            Ok(Some(msg)) => {
                self.apply(msg).await;
                while let Ok(msg) = self.rx.try_recv() {
                    self.apply(msg).await;
                }
            }
            Err(_) if tick.is_some() => {
                let cmds = self.app.update(Msg::Tick(Timestamp::now()), keymap());
                self.pump(cmds).await;
            }
            _ => {}
        }
    }

    async fn apply(&mut self, msg: SourceMsg) {
        if let SourceMsg::Batch { at, events } = msg {
            let cmds = self.app.update(Msg::Cluster { at, events }, keymap());
            self.pump(cmds).await;
        }
    }

    /// Runs the loop until `done` holds for the app; panics with the screen after `limit`.
    pub async fn until(
        &mut self,
        what: &str,
        limit: Duration,
        mut done: impl FnMut(&mut App) -> bool,
    ) -> Duration {
        let t0 = Instant::now();
        loop {
            if done(&mut self.app) {
                return t0.elapsed();
            }
            if t0.elapsed() >= limit {
                let flash = self.app.flash.clone();
                panic!(
                    "{what} not reached within {limit:?}; flash {flash:?}\n{}",
                    self.screen()
                );
            }
            self.turn().await;
        }
    }

    /// The screen at 160×48.
    pub fn screen(&mut self) -> String {
        screen_text(&render(&mut self.app, 160, 48, "default"))
    }

    /// The local audit log, one JSON value per line.
    pub fn audit_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.audit)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
            .collect()
    }

    /// Filters the runtimes view to `runtime` and opens the upgrade form on it, sets the tag and
    /// walks to the plan's confirmation.
    pub async fn plan_upgrade(&mut self, runtime: &str, tag: &str) {
        self.plan_upgrade_with(runtime, tag, None).await;
    }

    /// [`WizardConsole::plan_upgrade`] with a step timeout (seconds) other than the default.
    pub async fn plan_upgrade_with(&mut self, runtime: &str, tag: &str, timeout: Option<&str>) {
        self.press("/").await;
        self.type_text(runtime);
        self.press("<Enter> U").await;
        let Some(Overlay::Maintenance(f)) = self.app.overlays.top_mut() else {
            panic!("upgrade form expected, flash {:?}", self.app.flash);
        };
        f.focus_on(Field::Tag);
        self.press("<C-u>").await;
        self.type_text(tag);
        if let Some(t) = timeout {
            let Some(Overlay::Maintenance(f)) = self.app.overlays.top_mut() else {
                unreachable!()
            };
            f.focus_on(Field::Timeout);
            self.press("<C-u>").await;
            self.type_text(t);
        }
        self.enter_until_confirm().await;
    }

    /// Opens the pods view filtered to `pod`, opens the rebuild form on it (only that pod
    /// ticked) and walks to the plan's confirmation.
    pub async fn plan_rebuild_of_pod(&mut self, pod: &str) {
        self.press(":").await;
        self.type_text("pods");
        self.press("<Enter> /").await;
        self.type_text(pod);
        self.press("<Enter> R").await;
        let Some(Overlay::Maintenance(f)) = self.app.overlays.top() else {
            panic!("rebuild form expected, flash {:?}", self.app.flash);
        };
        let ticked: Vec<&str> = f
            .pods
            .iter()
            .filter(|p| p.ticked)
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(ticked, [pod], "only the chosen pod is ticked");
        self.enter_until_confirm().await;
    }

    /// Opens the runtimes view filtered to `runtime` and the rebuild form on it (the planner's
    /// candidates ticked).
    pub async fn open_rebuild_of_runtime(&mut self, runtime: &str) {
        self.press(":").await;
        self.type_text("runtimes");
        self.press("<Enter> / <C-u>").await;
        self.type_text(runtime);
        self.press("<Enter> R").await;
        if !matches!(self.app.overlays.top(), Some(Overlay::Maintenance(_))) {
            panic!("rebuild form expected, flash {:?}", self.app.flash);
        }
    }

    /// Presses Enter until the form in front shows the plan's confirmation.
    pub async fn enter_until_confirm(&mut self) {
        for _ in 0..30 {
            if matches!(self.app.overlays.top(), Some(Overlay::Confirm(_))) {
                return;
            }
            self.press("<Enter>").await;
        }
        let flash = self.app.flash.clone();
        panic!("no plan confirmation; flash {flash:?}\n{}", self.screen());
    }

    /// Opens the maintenance view filtered to the record and its page.
    pub async fn open_record(&mut self, key: &ObjectKey) {
        self.press(":").await;
        self.type_text("maintenance");
        self.press("<Enter> /").await;
        self.type_text(&key.name);
        self.press("<Enter> <Enter>").await;
        assert_eq!(
            self.app.run_page().as_ref(),
            Some(key),
            "the record's page is open\n{}",
            self.screen()
        );
    }

    /// Answers what a run driven here waits for (a step's confirmation), if anything.
    pub async fn answer_prompts(&mut self, key: &ObjectKey) {
        if self.app.runs.get(key).is_some_and(|d| d.prompt.is_some())
            && self.app.run_page().as_ref() == Some(key)
        {
            self.press("<Enter>").await;
            if matches!(self.app.overlays.top(), Some(Overlay::Confirm(_))) {
                self.press("y").await;
            }
        }
    }
}
