//! Forms and wizards at cluster scale: the demo cluster with `--scale
//! runtimes=1000,pods=50000,ops=10000` and `--churn 200/s`, the console on it. For the
//! data-operation form (`L`), the upgrade form (`U`), the rebuild form (`R`), the spec editor on
//! a CacheRuntimeClass (`e`) and the run wizard's step pages:
//!
//! - open: from the key until the first frame with the form drawn (200x60);
//! - key: a keystroke in the form until the frame that shows it (target ≤ 16 ms);
//! - batch: one simulated second of the cluster's changes until the frame (the form stays open);
//! - the heap opening adds at its peak, and the whole program's heap at that moment (target:
//!   under 150 MB), counted by the allocator of `benches/support/counting.rs` (bytes asked for,
//!   not resident pages: the console's own data without an allocator's overhead);
//! - input bursts into the editor until their frame: 300 keys, a 2,500-line paste.
//!
//! `cargo bench --bench forms` prints the memory table and the run wizard's pages step by step,
//! then runs the criterion groups (`cargo bench --bench forms -- rebuild` for one form's;
//! `FORMS_REPORT=0` skips the tables).

#[path = "support/counting.rs"]
mod counting;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use counting::{live, mb, peak, reset_peak};
use fluidops::app::actions::{Action, ViewKind};
use fluidops::app::{App, Command, Msg, Overlay};
use fluidops::cluster::writer::{Guarded, Writer};
use fluidops::config::{Keymap, Theme};
use fluidops::demo::DemoCluster;
use fluidops::demo::scale::ScaleSpec;
use fluidops::demo::writer::DemoWriter;
use fluidops::model::{Kind, ObjectKey};
use fluidops::ui::{self, Ctx};

#[global_allocator]
static COUNTING: counting::Counting = counting::Counting;

const SPEC: ScaleSpec = ScaleSpec {
    runtimes: 1000,
    pods: 50_000,
    ops: 10_000,
    events: 5_000,
};
const CHURN_PER_SECOND: f64 = 200.0;
const SEED: u64 = 7;
/// Simulated seconds the cluster runs before the forms open.
const SETTLE_SECS: u64 = 30;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;

fn now() -> Timestamp {
    "2026-11-25T10:02:00Z".parse().expect("time")
}

/// The demo cluster at scale with the console on it, its writes going into the cluster.
struct World {
    cluster: Arc<Mutex<DemoCluster>>,
    writer: Guarded,
    app: App,
    keymap: Keymap,
    theme: Theme,
    terminal: Terminal<TestBackend>,
}

impl World {
    fn new() -> World {
        let keymap = Keymap::builtin();
        let mut cluster =
            DemoCluster::builtin(SEED, now()).with_scale(SPEC, SEED, CHURN_PER_SECOND);
        cluster.set_random_failures(false);
        let mut app = App::new("demo", now());
        fluidops::snapshot::settle(&mut app, &keymap, &mut cluster, SETTLE_SECS);
        let cluster = Arc::new(Mutex::new(cluster));
        let writer = Guarded::new(Box::new(DemoWriter::new(cluster.clone())), false, None);
        let mut w = World {
            cluster,
            writer,
            app,
            keymap,
            theme: Theme::builtin("default").expect("theme"),
            terminal: Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal"),
        };
        w.draw();
        w
    }

    fn draw(&mut self) {
        let World {
            app,
            keymap,
            theme,
            terminal,
            ..
        } = self;
        let ctx = Ctx {
            theme,
            keymap,
            demo: true,
            caption: None,
        };
        app.views.get_mut().at = Instant::now();
        let mut layout = app.layout;
        terminal
            .draw(|f| layout = ui::draw(f, app, &ctx))
            .expect("draw");
        app.layout = layout;
        app.dirty = false;
    }

    /// Sends every write among `cmds` into the cluster and feeds the answers back.
    fn pump(&mut self, cmds: Vec<Command>) {
        let mut todo = cmds;
        while let Some(c) = todo.pop() {
            if let Command::Write(w) = c {
                let result = futures::executor::block_on(self.writer.write(&w));
                todo.extend(
                    self.app
                        .update(Msg::WriteDone { write: w, result }, &self.keymap),
                );
            }
        }
    }

    fn msg(&mut self, msg: Msg) {
        let cmds = self.app.update(msg, &self.keymap);
        self.pump(cmds);
    }

    fn key(&mut self, code: KeyCode) {
        self.msg(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn act(&mut self, action: Action) {
        let cmds = self.app.act(action);
        self.pump(cmds);
    }

    /// One simulated second of the cluster (the source's work, not the console's: not timed).
    fn next_batch(&mut self) -> Msg {
        let mut c = self.cluster.lock().unwrap_or_else(|e| e.into_inner());
        let events = c.advance(Duration::from_secs(1));
        Msg::Cluster {
            at: c.now(),
            events,
        }
    }

    /// One simulated second of the cluster into the console, and the frame after it; returns
    /// how long the console took (the cluster's own work left out).
    fn batch_frame(&mut self) -> Duration {
        let batch = self.next_batch();
        let t = Instant::now();
        self.msg(batch);
        self.draw();
        t.elapsed()
    }

    /// Opens `view` with `key` selected.
    fn select(&mut self, view: ViewKind, key: &ObjectKey) {
        self.app.overlays = Default::default();
        self.app.editor = None;
        self.act(Action::ViewOpen(view));
        let st = self.app.list_mut(view);
        st.selected_key = Some(key.clone());
        self.draw();
    }

    /// Closes whatever a form or the editor left open.
    fn close(&mut self) {
        self.app.overlays = Default::default();
        self.app.editor = None;
        self.draw();
    }
}

/// One form or wizard: where it opens, with which key, and the keystrokes typed into it in turn
/// (each pair leaves the form as it was).
struct Form {
    name: &'static str,
    view: ViewKind,
    target: fn(&World) -> ObjectKey,
    open: Action,
    /// Keys after opening that put the focus where typing is measured.
    prepare: &'static [KeyCode],
    keys: [KeyCode; 2],
}

/// A generated runtime in the middle of the generated namespaces.
fn generated_runtime(w: &World) -> ObjectKey {
    w.app
        .store
        .runtimes()
        .find(|r| r.metadata.namespace.as_deref() == Some("scale-050"))
        .map(|r| {
            ObjectKey::new(
                Kind::CacheRuntime,
                r.metadata.namespace.clone().unwrap_or_default(),
                r.metadata.name.clone().unwrap_or_default(),
            )
        })
        .expect("a generated runtime")
}

fn class(_: &World) -> ObjectKey {
    ObjectKey::new(Kind::CacheRuntimeClass, "", "curvine-standard")
}

const FORMS: [Form; 4] = [
    Form {
        name: "load_L",
        view: ViewKind::Runtimes,
        target: generated_runtime,
        open: Action::LoadStart,
        // Kind → Name.
        prepare: &[KeyCode::Tab],
        keys: [KeyCode::Char('x'), KeyCode::Backspace],
    },
    Form {
        name: "upgrade_U",
        view: ViewKind::Runtimes,
        target: generated_runtime,
        open: Action::UpgradeStart,
        // Image → Tag.
        prepare: &[KeyCode::Tab],
        keys: [KeyCode::Char('x'), KeyCode::Backspace],
    },
    Form {
        name: "rebuild_R",
        view: ViewKind::Runtimes,
        target: generated_runtime,
        open: Action::RebuildStart,
        // Reason → the first pod of the checklist.
        prepare: &[KeyCode::Tab],
        keys: [KeyCode::Char(' '), KeyCode::Char(' ')],
    },
    Form {
        name: "class_editor_e",
        view: ViewKind::Classes,
        target: class,
        open: Action::SpecEdit,
        prepare: &[],
        keys: [KeyCode::Char('x'), KeyCode::Backspace],
    },
];

impl Form {
    fn open(&self, w: &mut World) {
        w.act(self.open);
        for k in self.prepare {
            w.key(*k);
        }
        assert!(
            w.app.editor.is_some()
                || matches!(
                    w.app.overlays.top(),
                    Some(Overlay::Form(_) | Overlay::Maintenance(_))
                ),
            "{} did not open: {:?}",
            self.name,
            w.app.flash
        );
        w.draw();
    }
}

/// What opening a form, a keystroke in it and a batch under it add to the heap at their peak.
fn memory_report(w: &mut World) {
    println!();
    println!(
        "heap at runtimes={} pods={} ops={} events={}, churn {}/s (counting allocator):",
        SPEC.runtimes, SPEC.pods, SPEC.ops, SPEC.events, CHURN_PER_SECOND
    );
    println!("program heap before the forms: {}", mb(live()));
    println!();
    println!(
        "| form | open: peak added | open: program peak | key: peak added | batch: peak added | kept while open |"
    );
    println!("|---|---|---|---|---|---|");
    for f in &FORMS {
        let target = (f.target)(w);
        w.select(f.view, &target);
        let base = live();
        reset_peak();
        f.open(w);
        let (open_added, open_peak) = (peak() - base, peak());
        let k = live();
        reset_peak();
        w.key(f.keys[0]);
        w.draw();
        w.key(f.keys[1]);
        w.draw();
        let key_added = peak().saturating_sub(k);
        let batch = w.next_batch();
        let b = live();
        reset_peak();
        w.msg(batch);
        w.draw();
        let batch_added = peak().saturating_sub(b);
        let kept = live().saturating_sub(base);
        w.close();
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            f.name,
            mb(open_added),
            mb(open_peak),
            mb(key_added),
            mb(batch_added),
            mb(kept)
        );
    }
}

/// Starts a rebuild of one pod of the built-in demo's `imagenet-train` through its form and
/// returns the run's record.
fn start_run(w: &mut World) -> ObjectKey {
    let rt = ObjectKey::new(Kind::CacheRuntime, "imagenet", "imagenet-train");
    w.select(ViewKind::Runtimes, &rt);
    w.act(Action::RebuildStart);
    let Some(Overlay::Maintenance(f)) = w.app.overlays.top_mut() else {
        panic!("rebuild form expected: {:?}", w.app.flash);
    };
    for p in &mut f.pods {
        p.ticked = p.name == "imagenet-train-worker-1";
    }
    let (store, now) = (&w.app.store, w.app.now);
    if let Some(Overlay::Maintenance(f)) = w.app.overlays.top_mut() {
        f.refresh(store, now);
    }
    for _ in 0..40 {
        if matches!(w.app.overlays.top(), Some(Overlay::Confirm(_))) {
            break;
        }
        w.key(KeyCode::Enter);
    }
    assert!(
        matches!(w.app.overlays.top(), Some(Overlay::Confirm(_))),
        "no plan confirmation: {:?}",
        w.app.flash
    );
    w.key(KeyCode::Char('y'));
    w.draw();
    w.app.run_page().expect("the run's page is shown")
}

/// The current step of a run, as its page shows it.
fn step_of(w: &World, run: &ObjectKey) -> String {
    match w.app.store.get(run) {
        Some(fluidops::model::Object::Maintenance(m)) => {
            let st = m.status.as_ref();
            let i = st.and_then(|s| s.current_step).unwrap_or(-1);
            let name = st
                .and_then(|s| s.steps.get(i.max(0) as usize))
                .map(|s| s.name.clone())
                .unwrap_or_else(|| "-".into());
            format!("{} {name}", m.phase())
        }
        _ => "(record not seen yet)".into(),
    }
}

/// The run wizard's pages step by step: every batch until the run ends, with a keystroke on
/// each page, its frame times and heap.
fn wizard_report(w: &mut World) {
    println!();
    println!("run wizard (rebuild of imagenet-train-worker-1 with 50,000 other pods):");
    let base = live();
    reset_peak();
    let t = Instant::now();
    let run = start_run(w);
    println!(
        "  plan confirmed to its first page: {:.2} ms, heap peak added {}",
        t.elapsed().as_secs_f64() * 1e3,
        mb(peak() - base)
    );
    println!();
    println!(
        "| page (phase, step) | batches | batch → frame median / max | key → frame max | heap peak added |"
    );
    println!("|---|---|---|---|---|");
    let mut rows: Vec<(String, Vec<f64>, f64, usize)> = Vec::new();
    for _ in 0..600 {
        let batch = w.next_batch();
        let b = live();
        reset_peak();
        let t = Instant::now();
        w.msg(batch);
        w.draw();
        let batch_ms = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        w.act(Action::PaneNext);
        w.draw();
        let key_ms = t.elapsed().as_secs_f64() * 1e3;
        let added = peak().saturating_sub(b);
        let step = step_of(w, &run);
        match rows.last_mut() {
            Some(r) if r.0 == step => {
                r.1.push(batch_ms);
                r.2 = r.2.max(key_ms);
                r.3 = r.3.max(added);
            }
            _ => rows.push((step, vec![batch_ms], key_ms, added)),
        }
        if w.app.runs.is_empty() {
            break;
        }
    }
    for (step, mut times, key_max, added) in rows {
        times.sort_by(f64::total_cmp);
        println!(
            "| {step} | {} | {:.2} / {:.2} ms | {key_max:.2} ms | {} |",
            times.len(),
            times[times.len() / 2],
            times[times.len() - 1],
            mb(added)
        );
    }
    w.close();
}

fn bench_forms(c: &mut Criterion, w: &mut World) {
    let mut g = c.benchmark_group("forms");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for f in &FORMS {
        let target = (f.target)(w);
        w.select(f.view, &target);
        g.bench_function(BenchmarkId::new("open", f.name), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    w.close();
                    let t = Instant::now();
                    f.open(w);
                    total += t.elapsed();
                }
                total
            })
        });
        g.bench_function(BenchmarkId::new("key_frame", f.name), |b| {
            let mut i = 0usize;
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    w.key(f.keys[i % 2]);
                    w.draw();
                    total += t.elapsed();
                    i += 1;
                }
                total
            })
        });
        g.bench_function(BenchmarkId::new("batch_frame", f.name), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| w.batch_frame()).sum())
        });
        w.close();
    }
    // The run wizard's page while its run waits on the cluster.
    let run = start_run(w);
    for _ in 0..3 {
        w.batch_frame();
    }
    g.bench_function(BenchmarkId::new("key_frame", "run_wizard_page"), |b| {
        let mut forward = true;
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                w.act(if forward {
                    Action::PaneNext
                } else {
                    Action::PanePrev
                });
                w.draw();
                total += t.elapsed();
                forward = !forward;
            }
            total
        })
    });
    g.bench_function(BenchmarkId::new("batch_frame", "run_wizard_page"), |b| {
        b.iter_custom(|iters| (0..iters).map(|_| w.batch_frame()).sum())
    });
    let _ = run;
    g.finish();
}

/// A burst of input until its frame, as the run loop hands input over (every event already
/// read, then one frame): 300 keys (a paste the terminal types as keys, a line break every 50)
/// and a bracketed paste of 2,500 lines, into the spec editor (target: whole within a second).
fn bench_input(c: &mut Criterion, w: &mut World) {
    let editor = &FORMS[3];
    let target = (editor.target)(w);
    w.select(editor.view, &target);
    editor.open(w);
    let base = w.app.editor.as_ref().expect("editor").text();
    let keys: Vec<Msg> = (0..300)
        .map(|i| {
            let code = if i % 50 == 49 {
                KeyCode::Enter
            } else {
                KeyCode::Char((b'a' + (i % 26) as u8) as char)
            };
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
        })
        .collect();
    let paste: String = (1..=2500).map(|i| format!("# pasted line {i}\r")).collect();
    let mut g = c.benchmark_group("input");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    let mut burst = |name: &str, msgs: &[Msg]| {
        g.bench_function(BenchmarkId::new("burst_frame", name), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    w.app.editor.as_mut().expect("editor").set_text(&base);
                    w.draw();
                    let t = Instant::now();
                    for m in msgs {
                        w.msg(m.clone());
                    }
                    w.draw();
                    total += t.elapsed();
                }
                total
            })
        });
    };
    burst("300_keys", &keys);
    burst("paste_2500_lines", &[Msg::Paste(paste)]);
    g.finish();
    w.close();
}

fn main() {
    let mut w = World::new();
    if std::env::var("FORMS_REPORT").as_deref() != Ok("0") {
        memory_report(&mut w);
        wizard_report(&mut w);
    }
    let mut c = Criterion::default().configure_from_args();
    bench_forms(&mut c, &mut w);
    bench_input(&mut c, &mut w);
    c.final_summary();
}
