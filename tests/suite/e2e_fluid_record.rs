//! A recording of upstream Fluid (the level of `support::fluid_level`, shared with `e2e_fluid`;
//! this module works in namespace `rec` with a class and a worker node of its own):
//! `fluidops record` (the binary, headless, as from a bastion) records while Fluid brings a
//! Curvine runtime up and runs a DataLoad to Complete; a console in this process watches the
//! same namespace live. Replayed afterwards (the library's seek, and `snapshot --replay FILE
//! --at TIME`), the recording shows at chosen times what the live console held then: the
//! DataLoad Pending, Executing, Complete, the runtime's master and worker phases, the dataset's
//! phase; at its end the DataLoad's timeline is the live one (Fluid's own times exactly, the
//! phases seen changing within the two watchers' skew).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fluidops::app::{App, Msg, Screen};
use fluidops::cluster::kube_source::{KubeSource, KubeSourceOptions};
use fluidops::cluster::source::{ReplayControl, Source, SourceMsg};
use fluidops::cluster::timeline::{Origin, Subject, Transition};
use fluidops::cluster::{Availability, ConnectionState};
use fluidops::config::{Keymap, Theme};
use fluidops::model::{Kind, ObjectKey, OpKind};
use fluidops::recorder::replay_source::ReplaySource;
use fluidops::recorder::{Recording, cli as rec_cli};
use fluidops::ui::Ctx;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::support::fluid_level::{Level, client_for, level, skipped};

/// How long Fluid gets for each step (a second or two on an idle machine).
const WAIT: Duration = Duration::from_secs(120);
const NS: &str = "rec";
/// The upstream class, renamed: classes are cluster-wide.
const CLASS: &str = "curvine-rec";
const GROUP: &str = "rec";
const WORKER_NODE: &str = "kwok-rec";
const NAME: &str = "curvine-demo";
const LOAD: &str = "rec-load";
/// How far apart the recorder's and the live console's watchers may see the same change (two
/// watch streams of one API server on one machine, each batching for 50 ms). A state is checked
/// only at a time at least this far from both of its ends.
const SKEW: SignedDuration = SignedDuration::from_millis(250);
/// How long the live console keeps watching once the DataLoad is Complete (so that the
/// recording holds it Complete for a while).
const AFTER: Duration = Duration::from_secs(2);

/// What is compared at a moment: the dataset's phase, the runtime's master and worker phases
/// and the DataLoad's phase, as the console's store holds them ("-" when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    dataset: String,
    master: String,
    worker: String,
    load: String,
}

fn status_str(app: &App, key: &ObjectKey, path: &[&str]) -> String {
    let Some(obj) = app.store.get(key) else {
        return "-".into();
    };
    let v = obj.to_value();
    let v = path.iter().fold(&v["status"], |v, k| &v[*k]);
    v.as_str().unwrap_or("").to_string()
}

fn load_key() -> ObjectKey {
    ObjectKey::new(Kind::Operation(OpKind::DataLoad), NS, LOAD)
}

fn state(app: &App) -> State {
    let rt = ObjectKey::new(Kind::CacheRuntime, NS, NAME);
    State {
        dataset: status_str(app, &ObjectKey::new(Kind::Dataset, NS, NAME), &["phase"]),
        master: status_str(app, &rt, &["master", "phase"]),
        worker: status_str(app, &rt, &["worker", "phase"]),
        load: status_str(app, &load_key(), &["phase"]),
    }
}

/// The console's kube source and store in this process, on NS as `fluidops -n rec` watches it,
/// noting each state it passes through with the time of the batch that brought it.
struct Live {
    app: App,
    rx: mpsc::UnboundedReceiver<SourceMsg>,
    _source: KubeSource,
    keymap: Keymap,
    seen: Vec<(Timestamp, State)>,
}

impl Live {
    async fn start(l: &Level) -> Live {
        let client = client_for(&l.kubeconfig).await;
        let (tx, rx) = mpsc::unbounded_channel();
        let options = KubeSourceOptions {
            namespace: Some(NS.into()),
            only_namespace: true,
            log_file: None,
        };
        Live {
            app: App::new("e2e", Timestamp::now()),
            rx,
            _source: KubeSource::spawn(client, options, tx),
            keymap: Keymap::builtin(),
            seen: Vec::new(),
        }
    }

    /// Feeds the source's batches into the store until `done` holds (or, with `done` never
    /// true, until `limit`); panics after `limit` when `done` was meant to hold.
    async fn feed(&mut self, l: &Level, what: &str, limit: Duration, done: impl Fn(&App) -> bool) {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if done(&self.app) {
                return;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(SourceMsg::Batch { at, events })) => {
                    self.app.update(Msg::Cluster { at, events }, &self.keymap);
                    let now = state(&self.app);
                    if self.seen.last().map(|(_, s)| s) != Some(&now) {
                        self.seen.push((at, now));
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => panic!("the live source closed while waiting for {what}"),
                Err(_) if what.is_empty() => return,
                Err(_) => panic!(
                    "the live console did not see {what} in {limit:?}; states seen: {:#?}\n{}",
                    self.seen,
                    l.diagnostics()
                ),
            }
        }
    }
}

/// The recorder's process, killed if the test ends before stopping it.
struct RecorderProcess(Option<Child>);

impl Drop for RecorderProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `fluidops record -o FILE -n NS` on the level, with a HOME of its own.
fn start_recorder(l: &Level, home: &Path, file: &Path) -> RecorderProcess {
    let child = Command::new(env!("CARGO_BIN_EXE_fluidops"))
        .args(["record", "-o", file.to_str().unwrap(), "-n", NS])
        .env("KUBECONFIG", &l.kubeconfig)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("KUBERNETES_SERVICE_HOST")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fluidops record");
    RecorderProcess(Some(child))
}

/// The API server's audit log: where it ends now, to read only what comes after.
fn audit_log_end(l: &Level) -> (PathBuf, u64) {
    let audit = PathBuf::from(&l.env["FLUIDOPS_E2E_AUDIT_LOG"]);
    let end = std::fs::metadata(&audit).map_or(0, |m| m.len());
    (audit, end)
}

/// Waits until the API server's audit log (after `from`) shows the watches of NS's DataLoads,
/// runtimes, datasets and pods started for `admin` (the recorder's: nothing else watches NS
/// yet).
fn until_recorder_watches(from: &(PathBuf, u64), recorder: &mut RecorderProcess) -> Duration {
    use std::io::{Read, Seek, SeekFrom};
    let recorder = recorder.0.as_mut().expect("the recorder runs");
    let t0 = Instant::now();
    let wanted = ["dataloads", "cacheruntimes", "datasets", "pods"];
    let mut started: Vec<&str> = Vec::new();
    let (audit, mut offset) = from.clone();
    let mut partial = String::new();
    loop {
        if let Ok(mut f) = std::fs::File::open(&audit)
            && f.seek(SeekFrom::Start(offset)).is_ok()
        {
            let mut more = String::new();
            if let Ok(n) = f.read_to_string(&mut more) {
                offset += n as u64;
            }
            partial.push_str(&more);
            // Whole lines only; the rest waits for its end.
            let whole = partial.rfind('\n').map_or(0, |i| i + 1);
            let lines: String = partial.drain(..whole).collect();
            let ns_watch = format!("/namespaces/{NS}/");
            for e in lines
                .lines()
                .filter(|l| l.contains("\"watch\"") && l.contains(&ns_watch))
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            {
                let resource = e["objectRef"]["resource"].as_str().unwrap_or("");
                if e["stage"] == "ResponseStarted"
                    && e["user"]["username"] == "admin"
                    && let Some(r) = wanted.iter().find(|r| **r == resource)
                    && !started.contains(r)
                {
                    started.push(r);
                }
            }
        }
        if started.len() == wanted.len() {
            return t0.elapsed();
        }
        if let Some(status) = recorder.try_wait().unwrap() {
            let mut said = String::new();
            if let Some(mut err) = recorder.stderr.take() {
                let _ = err.read_to_string(&mut said);
            }
            panic!("fluidops record exited ({status}) before watching:\n{said}");
        }
        assert!(
            t0.elapsed() < WAIT,
            "fluidops record did not watch {NS} in {WAIT:?}: watches of {started:?} only"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Stops the recorder as an operator does (Ctrl-C, SIGINT) and returns what it said.
fn stop_recorder(mut recorder: RecorderProcess) -> String {
    let child = recorder.0.take().expect("the recorder runs");
    let pid = child.id() as libc::pid_t;
    // SAFETY: a signal to the child this test started, by its pid.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let Ok(out) = rx.recv_timeout(Duration::from_secs(30)) else {
        // SAFETY: as above; it did not stop on SIGINT.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
        panic!("fluidops record did not stop within 30 s of SIGINT");
    };
    let out = out.expect("wait for fluidops record");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "fluidops record: {}\n{said}",
        out.status
    );
    said
}

/// A fresh console on the recording at `at`, as `replay` and `snapshot --replay` show it.
fn replayed(rec: &Recording, keymap: &Keymap, at: Timestamp) -> App {
    let mut app = App::new("e2e", at);
    app.namespace = Some(NS.into());
    rec_cli::show_at(&mut app, keymap, rec, at);
    app
}

/// `fluidops snapshot --replay FILE --at TIME --view VIEW` (160x30).
fn snapshot(home: &Path, file: &Path, at: Timestamp, view: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_fluidops"))
        .args(["snapshot", "--replay", file.to_str().unwrap()])
        .args(["--at", &at.to_string(), "--view", view, "--size", "160x30"])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .output()
        .expect("run fluidops snapshot");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "snapshot --at {at} --view {view}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn words(row: &str) -> String {
    row.trim_matches(|c: char| c == '│' || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn row_with(text: &str, needle: &str) -> String {
    words(
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no row with {needle:?} in:\n{text}")),
    )
}

fn timeline(app: &App) -> Vec<Transition> {
    app.store.timeline(&Subject::Object(load_key()))
}

fn print_timeline(who: &str, t: &[Transition]) {
    eprintln!("the DataLoad's timeline, {who}:");
    for e in t {
        eprintln!("  {} {:?} {} {:?}", e.at, e.origin, e.phase, e.why);
    }
}

/// The entries Fluid dated: creation, conditions, events.
fn fluids(t: &[Transition]) -> Vec<Transition> {
    t.iter()
        .filter(|e| e.origin != Origin::Observed)
        .cloned()
        .collect()
}

/// The phases the console saw changing, and when.
fn observed(t: &[Transition]) -> Vec<(Timestamp, String)> {
    t.iter()
        .filter(|e| e.origin == Origin::Observed)
        .map(|e| (e.at, e.phase.clone()))
        .collect()
}

/// A console on the recording through its replay source, stepped to each next change (`n` in
/// the replay) from the start to the end.
async fn stepped(rec: Recording, keymap: &Keymap) -> App {
    let (start, end) = rec.span().expect("the recording has changes");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut source = ReplaySource::spawn(rec, None, tx);
    let mut app = App::new("e2e", start);
    app.namespace = Some(NS.into());
    for _ in 0..100_000 {
        // Each request ends with where the recording stands.
        let at = loop {
            let msg = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .expect("the replay source answers within 30 s")
                .expect("the replay source runs");
            match msg {
                SourceMsg::Batch { at, events } => {
                    app.update(Msg::Cluster { at, events }, keymap);
                }
                SourceMsg::Rewind { at, batches } => {
                    app.update(Msg::Rewind { at, batches }, keymap);
                }
                SourceMsg::Played(batches) => {
                    app.update(Msg::Played(batches), keymap);
                }
                SourceMsg::Replay { status, note } => {
                    let at = status.at;
                    app.update(Msg::Replay { status, note }, keymap);
                    break at;
                }
                _ => {}
            }
        };
        if at >= end {
            return app;
        }
        assert!(source.replay(ReplayControl::NextChange(None)));
    }
    panic!("the replay did not reach the recording's end in 100000 steps");
}

fn draw(app: &mut App, height: u16) -> String {
    let theme = Theme::builtin("default").expect("default theme");
    let keymap = Keymap::builtin();
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
        demo: false,
        caption: None,
    };
    fluidops::snapshot::render_text(app, &ctx, 160, height);
    fluidops::snapshot::render_text(app, &ctx, 160, height)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_of_fluid_replays_what_was_seen_live() {
    if skipped() {
        eprintln!("FLUIDOPS_E2E=0: the recording of upstream Fluid is skipped");
        return;
    }
    let t_all = Instant::now();
    let l = level();
    let home = tempfile::tempdir().unwrap();
    // In the level's state dir: kept with its logs when the test fails.
    let file = l.state.join("e2e-fluid-record.rec");

    // The recorder first, watching before anything of NS exists; then the live console.
    let audit = audit_log_end(l);
    let mut recorder = start_recorder(l, home.path(), &file);
    let took = until_recorder_watches(&audit, &mut recorder);
    eprintln!("fluidops record watching {NS} {took:?} after it started");
    let mut live = Live::start(l).await;
    live.feed(l, "every kind listed", WAIT, |a| {
        Kind::ALL
            .iter()
            .all(|k| a.store.availability(*k) == Availability::Available)
            && *a.store.connection() == ConnectionState::Connected
    })
    .await;

    // Fluid brings the runtime up and binds the dataset.
    let t = Instant::now();
    l.create_curvine_in(NS, GROUP, WORKER_NODE, CLASS, &[]);
    live.feed(l, "the runtime Ready and the dataset Bound", WAIT, |a| {
        let s = state(a);
        s.master == "Ready" && s.worker == "Ready" && s.dataset == "Bound"
    })
    .await;
    eprintln!(
        "Fluid: runtime Ready, dataset Bound {:?} after the manifests",
        t.elapsed()
    );

    // The upstream DataLoad, in NS under a name of this module.
    let t = Instant::now();
    l.create_upstream_in(
        NS,
        "dataload.yaml",
        &[
            ("name: curvine-dataload", "name: rec-load"),
            ("namespace: default", "namespace: rec"),
        ],
    );
    live.feed(l, "the DataLoad Complete", WAIT, |a| {
        let phase = state(a).load;
        assert_ne!(phase, "Failed", "{}", l.diagnostics());
        phase == "Complete"
    })
    .await;
    eprintln!(
        "Fluid: DataLoad Complete {:?} after it was created",
        t.elapsed()
    );
    live.feed(l, "", AFTER, |_| false).await;
    let said = stop_recorder(recorder);
    let stopped = Timestamp::now();
    eprintln!("fluidops record said:\n{said}");
    assert!(said.contains("recorded "), "{said}");
    let seen = live.seen.clone();
    eprintln!("live states:");
    for (at, s) in &seen {
        eprintln!("  {at} {s:?}");
    }

    // ------------------------------------------------ the replay at chosen times
    let rec = Recording::open(&file).expect("the recording opens");
    assert!(!rec.truncated, "a recording stopped with Ctrl-C is whole");
    let (start, end) = rec.span().expect("the recording has changes");
    let keymap = Keymap::builtin();
    let mut checked = Vec::new();
    for (i, (from, s)) in seen.iter().enumerate() {
        let until = seen.get(i + 1).map_or(stopped, |(t, _)| *t);
        let (lo, hi) = (
            from.checked_add(SKEW).unwrap(),
            until.checked_sub(SKEW).unwrap(),
        );
        // After the last change the recording holds its final state (`end` is that change).
        if lo >= hi || lo < start {
            continue;
        }
        let mid = lo.checked_add(hi.duration_since(lo) / 2).unwrap();
        let shown = state(&replayed(&rec, &keymap, mid));
        assert_eq!(
            &shown, s,
            "the recording at {mid} vs the live console then (state {i} of {seen:#?})"
        );
        checked.push((mid, s.clone()));
    }
    eprintln!(
        "replay matched the live console at {} moments",
        checked.len()
    );
    let checked_when = |what: &str, is: &dyn Fn(&State) -> bool| -> Timestamp {
        checked
            .iter()
            .find(|(_, s)| is(s))
            .map(|(t, _)| *t)
            .unwrap_or_else(|| {
                panic!("{what}: not held for 2 x {SKEW:?} live, not checked; states: {seen:#?}")
            })
    };
    // Fluid's DataLoad is Pending for a few milliseconds up to a second (the next reconcile):
    // checked at a time when it lasted, always in the timeline below.
    let pending = checked
        .iter()
        .find(|(_, s)| s.load == "Pending")
        .map(|(t, _)| *t);
    let executing = checked_when("the DataLoad Executing", &|s| s.load == "Executing");
    let complete = checked_when("the DataLoad Complete", &|s| s.load == "Complete");
    // The runtime set up (its dataset not yet bound while Fluid mounts), and up.
    checked_when("the dataset NotBound", &|s| s.dataset == "NotBound");
    checked_when("the runtime up", &|s| {
        s.master == "Ready" && s.worker == "Ready" && s.dataset == "Bound"
    });

    // ------------------------------------------------ the DataLoad's timeline
    // Stepped change by change through the console's replay source (`n`), the timeline is the
    // live one: Fluid's times (creation, conditions, events) exactly, the phases seen changing
    // within the watchers' skew.
    let was = timeline(&live.app);
    let stepped = stepped(Recording::open(&file).unwrap(), &keymap).await;
    let is = timeline(&stepped);
    print_timeline("live", &was);
    print_timeline("replayed change by change", &is);
    assert_eq!(
        fluids(&is),
        fluids(&was),
        "Fluid's own times (creation, conditions, events) as recorded"
    );
    let (was_seen, is_seen) = (observed(&was), observed(&is));
    assert_eq!(
        is_seen.iter().map(|(_, p)| p).collect::<Vec<_>>(),
        was_seen.iter().map(|(_, p)| p).collect::<Vec<_>>(),
        "the phases seen changing: replayed {is_seen:?}, live {was_seen:?}"
    );
    for phase in ["Pending", "Executing", "Complete"] {
        assert!(
            is_seen.iter().any(|(_, p)| p == phase),
            "{phase} in the replayed timeline: {is_seen:?}"
        );
    }
    for ((t_rec, phase), (t_live, _)) in is_seen.iter().zip(&was_seen) {
        let skew = t_rec.duration_since(*t_live);
        assert!(
            skew.abs() <= SKEW,
            "{phase} seen at {t_rec} recorded, {t_live} live"
        );
    }
    assert_eq!(state(&stepped), state(&live.app), "the end state");

    // Jumped to the end (`:at`, `replay --at`, `snapshot --replay --at`), the same timeline:
    // the jump hands the console every stored batch at its own time.
    let jumped = timeline(&replayed(&rec, &keymap, end));
    let mut defects = Vec::new();
    if fluids(&jumped) != fluids(&was) {
        defects.push("Fluid's own times differ".to_string());
    }
    let jumped_seen = observed(&jumped);
    if jumped_seen
        .iter()
        .map(|(_, p)| p)
        .ne(was_seen.iter().map(|(_, p)| p))
    {
        defects.push(format!("phases seen {jumped_seen:?}, live {was_seen:?}"));
    }
    for ((t_rec, phase), (t_live, _)) in jumped_seen.iter().zip(&was_seen) {
        let skew = t_rec.duration_since(*t_live);
        if skew.abs() > SKEW {
            defects.push(format!(
                "{phase} dated {t_rec}, seen live at {t_live} ({skew:?} off)"
            ));
        }
    }
    if !defects.is_empty() {
        print_timeline("jumped to the end", &jumped);
        panic!(
            "after a jump to the end, the DataLoad's timeline differs from the live one:\n{}",
            defects.join("\n")
        );
    }
    // On screen: the DataLoad's page and its whole timeline, as the console replaying shows
    // them at the end.
    let mut shown = stepped;
    shown.screen = Screen::Detail(load_key());
    let page = draw(&mut shown, 60);
    assert!(row_with(&page, "Phase:").contains("✔ Complete"), "{page}");
    shown.screen = Screen::Timeline(Subject::Object(load_key()));
    let screen = draw(&mut shown, 30);
    eprintln!("--- the DataLoad's timeline, replayed\n{screen}");
    for needle in [
        "… Pending",
        "▶ Executing",
        "✔ Complete",
        "Complete=True",
        "CompletionsReached",
        "DataOperationSucceed",
    ] {
        assert!(screen.contains(needle), "{needle}:\n{screen}");
    }

    // ------------------------------------------------ the same through the binary
    let load_row = |at: Timestamp| row_with(&snapshot(home.path(), &file, at, "ops"), LOAD);
    let phases = [(pending, "Pending"), (Some(executing), "Executing")];
    for (at, phase) in phases.iter().filter_map(|(t, p)| Some(((*t)?, *p))) {
        let row = load_row(at);
        assert!(row.contains(phase), "snapshot --at {at}: {row}");
    }
    let done = status_str(&live.app, &load_key(), &["duration"]);
    let row = load_row(complete);
    assert!(
        row.contains(&format!("DataLoad curvine-demo ✔ Complete {done}")),
        "snapshot --at {complete}: {row}"
    );
    let runtimes = snapshot(home.path(), &file, end, "runtimes");
    let row = row_with(&runtimes, NAME);
    assert!(row.contains("● Ready 1/1 ● Ready 1/1"), "{row}");
    eprintln!(
        "recording of {:.1} s, {} bytes; the test {:?} in all",
        end.duration_since(start).as_secs_f64(),
        std::fs::metadata(&file).unwrap().len(),
        t_all.elapsed()
    );
}
