//! Console performance at cluster scale, on the generated objects of `fluidops --scale`:
//! store ingest, watch-JSON decode + ingest against bare serde_json decoding, one frame of the
//! Pods view at 200x60, and a filter keystroke until the updated frame, each at 1k, 10k and 50k
//! pods (with 1 runtime per 50 pods, 1 operation per 5 pods and 5 events per runtime, i.e. the
//! proportions of `--scale runtimes=1000,pods=50000,ops=10000`).
//!
//! Run with `cargo bench --bench scale` (a group: `cargo bench --bench scale -- frame`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use fluidops::app::actions::{Action, ViewKind};
use fluidops::app::{App, Msg};
use fluidops::cluster::kube_source::decode_watch_line;
use fluidops::cluster::{ClusterEvent, ConnectionState, Store};
use fluidops::config::{Keymap, Theme};
use fluidops::demo::scale::{ScaleSpec, generate, watch_events_json};
use fluidops::model::pod::{CompactPod, SpecCache};
use fluidops::model::{Kind, Object};
use fluidops::ui::{self, Ctx};

const SIZES: [usize; 3] = [1_000, 10_000, 50_000];
const SEED: u64 = 7;

fn now() -> Timestamp {
    "2026-11-25T10:02:00Z".parse().expect("time")
}

fn spec(pods: usize) -> ScaleSpec {
    ScaleSpec {
        runtimes: pods / 50,
        pods,
        ops: pods / 5,
        events: pods / 10,
    }
}

fn applied(objects: &[Object]) -> Vec<ClusterEvent> {
    objects.iter().cloned().map(ClusterEvent::Applied).collect()
}

/// The events sources send: pods already reduced, their specs shared (the kube source decodes
/// them straight into the compact form and shares specs on its own thread, the demo lists them
/// so), other kinds whole.
fn applied_as_sent(objects: &[Object]) -> Vec<ClusterEvent> {
    let mut specs = SpecCache::default();
    objects
        .iter()
        .cloned()
        .map(|o| match o {
            Object::Pod(p) => ClusterEvent::AppliedPod(Box::new(CompactPod::from_pod_sharing(
                *p,
                Some(&mut specs),
            ))),
            o => ClusterEvent::Applied(o),
        })
        .collect()
}

fn ingest(c: &mut Criterion) {
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for (input, n) in SIZES
        .into_iter()
        .flat_map(|n| [("as_sent", n), ("full_pods", n)])
    {
        let objects = generate(spec(n), SEED, now());
        let events = match input {
            "as_sent" => applied_as_sent(&objects),
            _ => applied(&objects),
        };
        g.throughput(Throughput::Elements(events.len() as u64));
        g.bench_with_input(BenchmarkId::new(input, n), &events, |b, events| {
            b.iter_batched(
                || events.clone(),
                |events| {
                    let mut store = Store::new();
                    for e in events {
                        store.apply(e, now());
                    }
                    store
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for n in SIZES {
        let objects = generate(spec(n), SEED, now());
        let bytes = watch_events_json(&objects);
        // Each line with the kind of its watch stream (a watcher knows what it watches).
        let lines: Vec<(Kind, &[u8])> = objects
            .iter()
            .map(Object::kind)
            .zip(bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()))
            .collect();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(
            BenchmarkId::new("serde_json_value", n),
            &lines,
            |b, lines| {
                b.iter(|| {
                    for (_, l) in lines {
                        black_box(serde_json::from_slice::<serde_json::Value>(l).ok());
                    }
                })
            },
        );
        g.bench_with_input(BenchmarkId::new("decode_ingest", n), &lines, |b, lines| {
            b.iter(|| {
                let mut store = Store::new();
                let mut specs = SpecCache::default();
                for (kind, l) in lines {
                    if let Some(ev) = decode_watch_line(*kind, l, &mut specs) {
                        store.apply(ev, now());
                    }
                }
                store
            })
        });
    }
    g.finish();
}

/// An app holding the generated objects (listed as a source lists them), on the Pods view.
fn pods_app(n: usize, keymap: &Keymap) -> App {
    let objects = generate(spec(n), SEED, now());
    let mut by_kind: std::collections::BTreeMap<Kind, Vec<Object>> = Default::default();
    for o in objects {
        by_kind.entry(o.kind()).or_default().push(o);
    }
    let mut events = vec![ClusterEvent::Connection(ConnectionState::Connected)];
    events.extend(Kind::ALL.into_iter().map(|kind| ClusterEvent::Listed {
        kind,
        objects: by_kind.remove(&kind).unwrap_or_default(),
    }));
    let mut app = App::new("bench", now());
    app.update(Msg::Cluster { at: now(), events }, keymap);
    app.act(Action::ViewOpen(ViewKind::Pods));
    app
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &mut App, ctx: &Ctx) {
    let mut layout = app.layout;
    terminal
        .draw(|f| layout = ui::draw(f, app, ctx))
        .expect("draw");
    app.layout = layout;
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// Letters common in pod rows, in turn.
fn next_letter() -> char {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let letters = ['w', 'r', 'c', 'm', 'e', 'a'];
    letters[N.fetch_add(1, Ordering::Relaxed) % letters.len()]
}

fn frame(c: &mut Criterion) {
    let keymap = Keymap::builtin();
    let theme = Theme::builtin("default").expect("theme");
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
        demo: false,
        caption: None,
    };
    let mut g = c.benchmark_group("pods_frame_200x60");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for n in SIZES {
        let mut app = pods_app(n, &keymap);
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
        draw(&mut terminal, &mut app, &ctx);
        // Nothing changed since the last frame (a key moved the selection, a redraw).
        g.bench_function(BenchmarkId::new("unchanged", n), |b| {
            b.iter(|| draw(&mut terminal, &mut app, &ctx))
        });
        // The store changed since the last frame (a churn event arrived).
        let churn = {
            let mut ch = fluidops::demo::scale::Churn::new(
                fluidops::demo::scale::Generator::new(spec(n), SEED, now()),
                1000.0,
            );
            ch.advance(Duration::from_secs(10), now())
        };
        let mut next = churn.iter().cycle();
        g.bench_function(BenchmarkId::new("after_change", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let e = next.next().cloned().expect("events");
                    app.store.apply(e, now());
                    let t = Instant::now();
                    // As the run loop does before a frame.
                    app.views.get_mut().at = t;
                    draw(&mut terminal, &mut app, &ctx);
                    total += t.elapsed();
                }
                total
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("filter_keystroke_frame_200x60");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for n in SIZES {
        let mut app = pods_app(n, &keymap);
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
        app.update(key('/'), &keymap);
        draw(&mut terminal, &mut app, &ctx);
        // The first letter (a different one each time, so no earlier result is reused).
        g.bench_function(BenchmarkId::new("first_char", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    app.update(Msg::Key(KeyEvent::from(KeyCode::Backspace)), &keymap);
                    let t = Instant::now();
                    app.update(key(next_letter()), &keymap);
                    draw(&mut terminal, &mut app, &ctx);
                    total += t.elapsed();
                }
                total
            })
        });
        // One more letter of a longer filter.
        for ch in "worker-1".chars() {
            app.update(key(ch), &keymap);
        }
        g.bench_function(BenchmarkId::new("narrowing", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    app.update(Msg::Key(KeyEvent::from(KeyCode::Backspace)), &keymap);
                    let t = Instant::now();
                    app.update(key('2'), &keymap);
                    draw(&mut terminal, &mut app, &ctx);
                    total += t.elapsed();
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, ingest, decode, frame);
criterion_main!(benches);
