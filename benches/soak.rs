//! Memory under churn, fast-forwarded: the demo cluster with 10,000 generated pods
//! (`--scale runtimes=200,pods=10000,ops=2000,events=1000`) changing 200 times per simulated
//! second (`--churn 200/s`: pods flapping Ready, crash-looping now and then, operations moving
//! through their phases), on top of the built-in demo's own controllers, fed second by second
//! into the console showing its Pods view (a frame every few simulated seconds), for hours of
//! simulated time. Prints the program's heap (counting allocator, `benches/support/counting.rs`)
//! every simulated quarter hour, and the growth from the end of the warm-up to the end: it has
//! to stay flat (≤ 3 %).
//!
//! Run with `cargo bench --bench soak` (about 2 minutes a simulated hour on 2 cores).
//! `SOAK_HOURS` (default 4) sets the simulated time, `SOAK_WARMUP_MINUTES` (default 60) the
//! warm-up. Exits with status 1 when the heap grew more than the bound.

#[path = "support/counting.rs"]
mod counting;

use std::time::{Duration, Instant};

use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use counting::{live, mb};
use fluidops::app::actions::{Action, ViewKind};
use fluidops::app::{App, Msg};
use fluidops::config::{Keymap, Theme};
use fluidops::demo::DemoCluster;
use fluidops::demo::scale::ScaleSpec;
use fluidops::ui::{self, Ctx};

#[global_allocator]
static COUNTING: counting::Counting = counting::Counting;

const SPEC: ScaleSpec = ScaleSpec {
    runtimes: 200,
    pods: 10_000,
    ops: 2_000,
    events: 1_000,
};
const CHURN_PER_SECOND: f64 = 200.0;
const SEED: u64 = 7;
/// Simulated seconds between two frames.
const FRAME_EVERY: u64 = 5;
/// Simulated seconds between two heap samples.
const SAMPLE_EVERY: u64 = 15 * 60;
/// Growth allowed from the end of the warm-up to the end, in percent.
const MAX_GROWTH_PERCENT: f64 = 3.0;

fn now() -> Timestamp {
    "2026-11-25T10:02:00Z".parse().expect("time")
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let hours = env_u64("SOAK_HOURS", 4);
    let warmup = env_u64("SOAK_WARMUP_MINUTES", 60) * 60;
    let total = hours * 3600;
    let keymap = Keymap::builtin();
    let theme = Theme::builtin("default").expect("theme");
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
        demo: true,
        caption: None,
    };
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    let mut cluster = DemoCluster::builtin(SEED, now()).with_scale(SPEC, SEED, CHURN_PER_SECOND);
    let mut app = App::new("demo", now());
    fluidops::snapshot::settle(&mut app, &keymap, &mut cluster, 0);
    app.act(Action::ViewOpen(ViewKind::Pods));
    println!(
        "soak: runtimes={} pods={} ops={} events={}, churn {}/s, {hours} simulated hours \
         (warm-up {} min), Pods view 200x60 drawn every {FRAME_EVERY} simulated s",
        SPEC.runtimes,
        SPEC.pods,
        SPEC.ops,
        SPEC.events,
        CHURN_PER_SECOND,
        warmup / 60
    );
    println!();
    println!(
        "| simulated time | program heap | store objects | older history entries | log lines | changes applied | wall time |"
    );
    println!("|---|---|---|---|---|---|---|");
    let started = Instant::now();
    let mut changes = 0usize;
    let mut at_warmup = None;
    let mut last = 0;
    let mut most_after_warmup = 0;
    for s in 1..=total {
        let events = cluster.advance(Duration::from_secs(1));
        changes += events.len();
        let at = cluster.now();
        app.update(Msg::Cluster { at, events }, &keymap);
        if s % FRAME_EVERY == 0 {
            app.views.get_mut().at = Instant::now();
            let mut layout = app.layout;
            terminal
                .draw(|f| layout = ui::draw(f, &app, &ctx))
                .expect("draw");
            app.layout = layout;
            app.dirty = false;
        }
        if s % SAMPLE_EVERY == 0 || s == warmup {
            let objects: usize = fluidops::model::Kind::ALL
                .into_iter()
                .map(|k| app.store.count(k))
                .sum();
            last = live();
            let held = app.store.held();
            println!(
                "| {}h{:02} | {} | {objects} | {} | {} | {changes} | {:.0} s |",
                s / 3600,
                s % 3600 / 60,
                mb(last),
                held.older_entries,
                held.log_lines,
                started.elapsed().as_secs_f64()
            );
            if s == warmup {
                at_warmup = Some(last);
            }
            if s >= warmup {
                most_after_warmup = most_after_warmup.max(last);
            }
        }
    }
    let Some(base) = at_warmup else {
        println!("warm-up longer than the run: no growth to report");
        return;
    };
    let growth = (last as f64 - base as f64) / base as f64 * 100.0;
    println!();
    println!(
        "heap after warm-up {}, at the end {}: {growth:+.1} % (bound {MAX_GROWTH_PERCENT} %); \
         the most after warm-up {} ({:+.1} %: the histories fill to their bound, then drop \
         their oldest quarter)",
        mb(base),
        mb(last),
        mb(most_after_warmup),
        (most_after_warmup as f64 - base as f64) / base as f64 * 100.0
    );
    if growth > MAX_GROWTH_PERCENT {
        println!("GROWING: the heap did not plateau");
        std::process::exit(1);
    }
    println!("flat");
}
