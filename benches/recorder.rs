//! The flight recorder at scale: the demo cluster with a 1,000-pod generated cluster
//! (`--scale runtimes=20,pods=1000,ops=200,events=100`) changing 200 times per simulated second by default
//! (`--churn 200/s`, the scale benchmark's churn) on top of the built-in demo's controllers,
//! recorded second by second for `RECORDER_HOURS` simulated hours (default 1; 24 for a day).
//! Prints the recording's size (bytes per change, MB per hour, MB per day at that rate), the
//! recorder's CPU time per change, and how long a jump to a time takes: reading the frames'
//! index, building the state at that time from the keyframe before it, and feeding it to a
//! console (the whole of what `:at` costs) — the target is under a second anywhere.
//!
//! Run with `cargo bench --bench recorder` (`RECORDER_HOURS=24` for a day-long recording,
//! `RECORDER_HOURS=0.25` for a quarter of an hour; `RECORDER_CHURN=2` for 2 changes a second;
//! `RECORDER_FILE=path` keeps the recording). A
//! jump starts from the keyframe before its time, so what it costs does not grow with the
//! recording's length: past the first keyframes an hour measures what a day would.

use std::time::{Duration, Instant};

use jiff::Timestamp;

use fluidops::app::App;
use fluidops::cluster::source::SourceMsg;
use fluidops::config::Keymap;
use fluidops::demo::DemoCluster;
use fluidops::demo::scale::ScaleSpec;
use fluidops::demo::source::initial_batches;
use fluidops::recorder::format::{FrameType, Header};
use fluidops::recorder::{Policy, Recorder, Recording, cli as rec_cli};

/// The program's allocator (src/main.rs): the costs measured are the console's.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SPEC: ScaleSpec = ScaleSpec {
    runtimes: 20,
    pods: 1_000,
    ops: 200,
    events: 100,
};
const SEED: u64 = 7;
/// Jumps measured, spread over the recording.
const JUMPS: usize = 12;

fn now() -> Timestamp {
    "2026-11-25T00:00:00Z".parse().expect("time")
}

fn main() {
    fluidops::allocator::tune();
    let hours: f64 = std::env::var("RECORDER_HOURS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    // The scale benchmark's churn by default; `RECORDER_CHURN=2` for a quiet cluster.
    let churn: f64 = std::env::var("RECORDER_CHURN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200.0);
    let total = (hours * 3600.0) as u64;
    let keymap = Keymap::builtin();
    let mut cluster = DemoCluster::builtin(SEED, now()).with_scale(SPEC, SEED, churn);
    let header = Header {
        source: "demo".into(),
        ..Header::default()
    };
    let mut rec = Recorder::new(Vec::new(), &header, Policy::default()).expect("recorder");
    let mut recording = Duration::ZERO;
    let mut simulating = Duration::ZERO;
    for msg in initial_batches(&cluster) {
        if let SourceMsg::Batch { at, events } = msg {
            let t0 = Instant::now();
            rec.record(at, &events).expect("record");
            recording += t0.elapsed();
        }
    }
    let initial = rec.stats;
    println!(
        "recorder: runtimes={} pods={} ops={} events={} generated on the built-in demo, churn {}/s, \
         {hours} simulated hour(s)",
        SPEC.runtimes, SPEC.pods, SPEC.ops, SPEC.events, churn
    );
    println!(
        "initial lists: {} objects in {} bytes",
        initial.changes, initial.bytes
    );
    for s in 1..=total {
        let t0 = Instant::now();
        let events = cluster.advance(Duration::from_secs(1));
        simulating += t0.elapsed();
        let t0 = Instant::now();
        rec.record(cluster.now(), &events).expect("record");
        recording += t0.elapsed();
        if s % 3600 == 0 {
            eprintln!(
                "  {}h: {} changes, {:.1} MB",
                s / 3600,
                rec.stats.changes,
                rec.stats.bytes as f64 / 1e6
            );
        }
    }
    let stats = rec.stats;
    let bytes = rec.finish().expect("finish");
    let changes = stats.changes - initial.changes;
    let change_bytes = bytes.len() as u64 - initial.bytes;
    let mb_hour = change_bytes as f64 / 1e6 / hours;
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| changes recorded | {changes} ({:.0}/s) |",
        changes as f64 / total as f64
    );
    println!(
        "| file size | {:.2} MB ({} keyframes) |",
        bytes.len() as f64 / 1e6,
        stats.keyframes
    );
    println!(
        "| bytes per change (keyframes included) | {:.1} |",
        change_bytes as f64 / changes.max(1) as f64
    );
    println!("| MB per hour | {mb_hour:.2} |");
    println!("| MB per day at this rate | {:.1} |", mb_hour * 24.0);
    println!(
        "| recorder CPU per change | {:.2} µs ({:.2} % of one core at this rate; the simulation took {:.1} s) |",
        recording.as_secs_f64() * 1e6 / stats.changes.max(1) as f64,
        recording.as_secs_f64() / total as f64 * 100.0,
        simulating.as_secs_f64()
    );
    if let Ok(path) = std::env::var("RECORDER_FILE") {
        std::fs::write(&path, &bytes).expect("write the recording");
    }

    let t0 = Instant::now();
    let rec = Recording::from_bytes(bytes).expect("opens");
    let open = t0.elapsed();
    let (start, end) = rec.span().expect("span");
    let span = end.as_second() - start.as_second();
    let mut worst = Duration::ZERO;
    let mut sum = Duration::ZERO;
    for i in 0..JUMPS {
        // Spread over the recording, never on a keyframe's own moment.
        let offset = span * (2 * i as i64 + 1) / (2 * JUMPS as i64) + 7;
        let at = start + jiff::SignedDuration::from_secs(offset.min(span));
        let t0 = Instant::now();
        let mut app = App::new("demo", start);
        rec_cli::show_at(&mut app, &keymap, &rec, at);
        let took = t0.elapsed();
        assert!(app.store.count(fluidops::model::Kind::Pod) >= SPEC.pods);
        worst = worst.max(took);
        sum += took;
    }
    // The worst place: just before a keyframe, with the most changes after the one before.
    let keyframes: Vec<i64> = rec
        .frames
        .iter()
        .filter(|f| f.kind == FrameType::Keyframe && f.first > start.as_nanosecond() as i64)
        .map(|f| f.first)
        .collect();
    let mut worst_place = Duration::ZERO;
    let mut sum_place = Duration::ZERO;
    let picked: Vec<i64> = (0..JUMPS)
        .filter_map(|i| {
            keyframes
                .get(keyframes.len() * (2 * i + 1) / (2 * JUMPS))
                .copied()
        })
        .collect();
    for k in &picked {
        let at = fluidops::recorder::format::from_ns(k - 1);
        let t0 = Instant::now();
        let mut app = App::new("demo", start);
        rec_cli::show_at(&mut app, &keymap, &rec, at);
        let took = t0.elapsed();
        worst_place = worst_place.max(took);
        sum_place += took;
    }
    println!(
        "| open (index the frames) | {:.1} ms |",
        open.as_secs_f64() * 1e3
    );
    println!(
        "| jump to a time, state fed to a console | mean {:.0} ms, worst {:.0} ms over {JUMPS} jumps |",
        sum.as_secs_f64() * 1e3 / JUMPS as f64,
        worst.as_secs_f64() * 1e3
    );
    println!(
        "| jump to just before a keyframe (the most changes to replay) | mean {:.0} ms, worst {:.0} ms over {} jumps |",
        sum_place.as_secs_f64() * 1e3 / picked.len().max(1) as f64,
        worst_place.as_secs_f64() * 1e3,
        picked.len()
    );
}
