//! Memory of the store at cluster scale (`--scale runtimes=1000,pods=50000,ops=10000`, 5000
//! events), counted by a global allocator in this benchmark: bytes per object of each kind as
//! generated (the full object a watch delivers) and as kept in the store, the store as a whole
//! against the raw watch JSON of the same objects, the rows the Pods view caches, and the peak
//! while the initial lists are applied.
//!
//! Run with `cargo bench --bench memory` (prints a table; not a timing benchmark). Targets: the
//! store with its indexes and timelines ≤ 150 MB and ≤ 0.5 × the raw JSON.

#[path = "support/counting.rs"]
mod counting;

use std::collections::BTreeMap;

use jiff::Timestamp;

use counting::{live, mb, peak, reset_peak};
use fluidops::app::actions::ViewKind;
use fluidops::app::tables::{self, Query};
use fluidops::cluster::{ClusterEvent, Store};
use fluidops::demo::scale::{Generator, ScaleSpec, watch_events_json};
use fluidops::model::{Kind, Object};

#[global_allocator]
static COUNTING: counting::Counting = counting::Counting;

fn now() -> Timestamp {
    "2026-11-25T10:02:00Z".parse().expect("time")
}

/// What `fluidops snapshot --view pods --size 200x60` holds: the peak while the demo cluster's
/// first lists and 300 settled seconds go into the app, and what is live after one frame.
fn snapshot_flow(spec: ScaleSpec) {
    use fluidops::app::App;
    use fluidops::config::{Keymap, Theme};
    use fluidops::demo::DemoCluster;
    use fluidops::ui::Ctx;
    let base = live();
    reset_peak();
    let keymap = Keymap::builtin();
    let theme = Theme::builtin("default").expect("theme");
    let mut cluster = DemoCluster::builtin(7, now()).with_scale(spec, 7, 0.0);
    let mut app = App::new("demo", now());
    fluidops::snapshot::settle(&mut app, &keymap, &mut cluster, 300);
    let settled = (peak() - base, live() - base);
    fluidops::snapshot::open_view(&mut app, &keymap, "pods").expect("view");
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
        demo: true,
        caption: None,
    };
    fluidops::snapshot::render_text(&mut app, &ctx, 200, 60);
    fluidops::snapshot::render_text(&mut app, &ctx, 200, 60);
    println!();
    println!("snapshot --view pods --size 200x60 (demo cluster and app):");
    println!("  settled: peak {}, live {}", mb(settled.0), mb(settled.1));
    println!(
        "  after the frame: peak {}, live {}",
        mb(peak() - base),
        mb(live() - base)
    );
}

/// Where one pod's bytes go: the compact pod inline and on the heap, and what the store adds
/// (its map entry, history, runtime index), over the first 10,000 generated pods.
fn pod_parts(generator: &Generator) {
    use fluidops::demo::scale::WorkloadSpecs;
    use fluidops::model::pod::CompactPod;
    let n = 10_000;
    let mut specs = WorkloadSpecs::default();
    let generate = |specs: &mut WorkloadSpecs| -> Vec<CompactPod> {
        (0..n)
            .map(|i| generator.compact_pod(i, generator.pod_initial(i), None, specs))
            .collect()
    };
    let before = live();
    drop(generate(&mut specs));
    let spec_bytes = live() - before;
    let before = live();
    let pods = generate(&mut specs);
    let heap = live() - before - n * std::mem::size_of::<CompactPod>();
    let before = live();
    let mut store = Store::new();
    store.apply(ClusterEvent::ListedPods(pods), now());
    let stored = live() - before + n * std::mem::size_of::<CompactPod>() + heap;
    println!();
    println!("one pod (first {n} generated pods):");
    println!(
        "  CompactPod inline            {} B",
        std::mem::size_of::<CompactPod>()
    );
    println!("  CompactPod heap (own parts)  {} B", heap / n);
    println!("  shared specs                 {} B", spec_bytes / n);
    println!(
        "  in the store, all included   {} B (with its deflated copy of the specs)",
        stored / n
    );
    drop(store);
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument (a criterion-style filter) is ignored.
    let spec = ScaleSpec {
        runtimes: 1000,
        pods: 50_000,
        ops: 10_000,
        events: 5000,
    };
    let generator = Generator::new(spec, 7, now());
    println!(
        "store memory at runtimes={} pods={} ops={} events={} (counting allocator)",
        spec.runtimes, spec.pods, spec.ops, spec.events
    );
    println!();
    println!("| kind | objects | raw JSON B/object | generated B/object | kept B/object |");
    println!("|---|---|---|---|---|");
    let base = live();
    let mut store = Store::new();
    let mut raw_total = 0usize;
    let mut kinds: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
    for kind in Kind::ALL {
        let objects: Vec<Object> = generator.of_kind(kind).collect();
        if objects.is_empty() {
            continue;
        }
        let raw = watch_events_json(&objects).len();
        raw_total += raw;
        drop(objects);
        let before = live();
        let objects: Vec<Object> = generator.of_kind(kind).collect();
        let generated = live() - before;
        let n = objects.len();
        for o in objects {
            store.apply(ClusterEvent::Applied(o), now());
        }
        let kept = live() - before;
        let name = match kind {
            Kind::Operation(_) => "DataOperation",
            k => k.as_str(),
        };
        let e = kinds.entry(name).or_default();
        e.0 += n;
        e.1 += raw;
        e.2 += generated;
        e.3 += kept;
    }
    for (name, (n, raw, generated, kept)) in &kinds {
        println!(
            "| {name} | {n} | {} | {} | {} |",
            raw / n,
            generated / n,
            kept / n
        );
    }
    let held = live() - base;
    println!();
    println!(
        "raw watch JSON of these objects:          {}",
        mb(raw_total)
    );
    println!(
        "store (objects, indexes, timelines):      {}  = {:.2} × raw JSON",
        mb(held),
        held as f64 / raw_total as f64
    );
    let before = live();
    let q = Query::default();
    let mut views = tables::TableCache::default();
    let t = views.table(&store, ViewKind::Pods, &q);
    println!(
        "Pods view rows cached ({} rows):         {}",
        t.rows.len(),
        mb(live() - before)
    );
    drop(t);
    drop(views);
    drop(store);

    pod_parts(&generator);
    snapshot_flow(spec);

    // The initial lists as one batch (what a source hands over first), applied into a new store.
    let base = live();
    reset_peak();
    let events: Vec<ClusterEvent> = Kind::ALL
        .into_iter()
        .map(|kind| ClusterEvent::Listed {
            kind,
            objects: generator.of_kind(kind).collect(),
        })
        .collect();
    let mut store = Store::new();
    for e in events {
        store.apply(e, now());
    }
    println!(
        "peak while one batch of every list is applied: {} (store after: {})",
        mb(peak() - base),
        mb(live() - base)
    );
}
