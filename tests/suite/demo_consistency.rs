//! The built-in demo cluster tells one consistent story: every pod, container, runtime and
//! dataset time agrees with the others, each cache tier's medium matches where it lives, and no
//! dataset caches more than its capacity; at the start and after some simulated minutes (random
//! failures on, so crashes and restarts happen).

use std::collections::BTreeMap;
use std::time::Duration;

use fluidops::demo::DemoCluster;
use fluidops::model::dataset::parse_size;
use fluidops::model::meta::parse_time;
use jiff::Timestamp;
use serde_json::Value;

fn t0() -> Timestamp {
    "2026-12-01T09:00:00Z".parse().unwrap()
}

fn time(v: &Value, pointer: &str) -> Option<Timestamp> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(parse_time)
}

fn name_of(v: &Value) -> String {
    format!(
        "{} {}/{}",
        v["kind"].as_str().unwrap_or("?"),
        v.pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or(""),
        v.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    )
}

/// Every broken invariant, one line each.
fn inconsistencies(c: &DemoCluster) -> Vec<String> {
    let now = c.now();
    let objects: Vec<Value> = c.objects().iter().map(|o| o.to_value()).collect();
    let by_kind = |kind: &'static str| objects.iter().filter(move |o| o["kind"] == kind);
    let created = |o: &Value| time(o, "/metadata/creationTimestamp");
    let mut out = Vec::new();
    let mut bad = |what: String| out.push(what);
    // (namespace, name) → creation, of runtimes, datasets and workloads.
    let index = |kind: &'static str| -> BTreeMap<(String, String), Option<Timestamp>> {
        by_kind(kind)
            .map(|o| {
                let ns = o.pointer("/metadata/namespace").and_then(Value::as_str);
                let n = o.pointer("/metadata/name").and_then(Value::as_str);
                (
                    (ns.unwrap_or("").to_string(), n.unwrap_or("").to_string()),
                    created(o),
                )
            })
            .collect()
    };
    let runtimes = index("CacheRuntime");
    let datasets = index("Dataset");
    let workloads = index("AdvancedStatefulSet");
    for o in &objects {
        let who = name_of(o);
        match created(o) {
            Some(t) if t > now => bad(format!("{who}: created {t}, after now {now}")),
            None if o["kind"] != "CacheRuntimeClass" => bad(format!("{who}: no creationTimestamp")),
            _ => {}
        }
    }
    for ((ns, name), rt) in &runtimes {
        if let (Some(rt), Some(Some(ds))) = (rt, datasets.get(&(ns.clone(), name.clone())))
            && rt < ds
        {
            bad(format!(
                "runtime {ns}/{name} created {rt}, before its dataset ({ds})"
            ));
        }
    }
    for rt in by_kind("CacheRuntime") {
        let class = rt.pointer("/spec/runtimeClassName").and_then(Value::as_str);
        let class_t = by_kind("CacheRuntimeClass")
            .find(|c| c.pointer("/metadata/name").and_then(Value::as_str) == class)
            .and_then(created);
        if let (Some(t), Some(c)) = (created(rt), class_t)
            && t < c
        {
            bad(format!(
                "{}: created {t}, before its class ({c})",
                name_of(rt)
            ));
        }
    }
    for w in by_kind("AdvancedStatefulSet") {
        let ns = w
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        let rt = w
            .pointer("/metadata/ownerReferences/0/name")
            .and_then(Value::as_str);
        if let (Some(wt), Some(Some(Some(rt_t)))) = (
            created(w),
            rt.map(|r| runtimes.get(&(ns.to_string(), r.to_string()))),
        ) && wt < *rt_t
        {
            bad(format!(
                "{}: created {wt}, before its runtime ({rt_t})",
                name_of(w)
            ));
        }
    }
    for p in by_kind("Pod") {
        let who = name_of(p);
        let ns = p
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        let Some(born) = created(p) else { continue };
        let label = |k: &str| {
            p.pointer("/metadata/labels")
                .and_then(|l| l.get(k))
                .and_then(Value::as_str)
        };
        if let Some(Some(rt)) =
            label("cacheruntime.fluid.io/name").and_then(|r| runtimes.get(&(ns.into(), r.into())))
            && born < *rt
        {
            bad(format!("{who}: created {born}, before its runtime ({rt})"));
        }
        if let Some(owner) = p.pointer("/metadata/ownerReferences/0")
            && owner["kind"] == "AdvancedStatefulSet"
            && let Some(Some(wt)) = owner["name"]
                .as_str()
                .and_then(|w| workloads.get(&(ns.into(), w.into())))
            && born < *wt
        {
            bad(format!("{who}: created {born}, before its workload ({wt})"));
        }
        for cond in p
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(t) = time(cond, "/lastTransitionTime")
                && (t < born || t > now)
            {
                bad(format!(
                    "{who}: condition {} at {t}, pod created {born}",
                    cond["type"]
                ));
            }
        }
        for cs in p
            .pointer("/status/containerStatuses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let cname = cs["name"].as_str().unwrap_or("?");
            let started = time(cs, "/state/running/startedAt")
                .or_else(|| time(cs, "/state/terminated/startedAt"));
            if let Some(s) = started
                && (s < born || s > now)
            {
                bad(format!("{who}/{cname}: started {s}, pod created {born}"));
            }
            let restarts = cs["restartCount"].as_i64().unwrap_or(0);
            let last = cs.pointer("/lastState/terminated");
            match (restarts, last) {
                (0, Some(_)) => bad(format!("{who}/{cname}: a last termination, no restart")),
                (n, None) if n > 0 => {
                    bad(format!("{who}/{cname}: {n} restarts, no last termination"))
                }
                (_, Some(t)) => {
                    let (from, to) = (time(t, "/startedAt"), time(t, "/finishedAt"));
                    if from.is_some_and(|f| f < born) {
                        bad(format!(
                            "{who}/{cname}: the last run started before the pod"
                        ));
                    }
                    if let (Some(f), Some(s)) = (to, started)
                        && f > s
                    {
                        bad(format!(
                            "{who}/{cname}: the last run ended {f}, after this one started {s}"
                        ));
                    }
                    if let (Some(a), Some(b)) = (from, to)
                        && a > b
                    {
                        bad(format!(
                            "{who}/{cname}: the last run ended before it started"
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    // Tiers: a memory tier (processMemory, an emptyDir of medium Memory, a /dev/shm path) is
    // MEM, a disk one SSD or HDD, in the runtime's spec and in the value file Fluid rendered.
    for rt in by_kind("CacheRuntime") {
        let who = name_of(rt);
        let levels = rt
            .pointer("/spec/worker/tieredStore/levels")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let memory: Vec<bool> = levels
            .iter()
            .map(|l| {
                l.get("processMemory").is_some()
                    || l.pointer("/emptyDir/medium").and_then(Value::as_str) == Some("Memory")
            })
            .collect();
        for (i, l) in levels.iter().enumerate() {
            for path in l
                .pointer("/hostPath/paths")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if path.starts_with("/dev/shm") {
                    bad(format!("{who}: level {i} is a hostPath on {path}, memory"));
                }
            }
        }
        let ns = rt
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        let Some(file) = rt.pointer("/status/valueFile").and_then(Value::as_str) else {
            continue;
        };
        let Some(cm) = objects.iter().find(|o| {
            o["kind"] == "ConfigMap"
                && o.pointer("/metadata/name").and_then(Value::as_str) == Some(file)
                && o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns)
        }) else {
            continue;
        };
        let Some(rendered) = cm
            .pointer("/data/runtime.json")
            .and_then(Value::as_str)
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
        else {
            bad(format!("{who}: its value file does not read as JSON"));
            continue;
        };
        let tiers = rendered
            .pointer("/worker/tieredStoreLevels")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if tiers.len() != levels.len() {
            bad(format!(
                "{who}: {} levels in the spec, {} rendered",
                levels.len(),
                tiers.len()
            ));
        }
        for (i, (t, mem)) in tiers.iter().zip(&memory).enumerate() {
            let medium = t["mediumType"].as_str().unwrap_or("");
            let paths: Vec<&str> = t["mountPaths"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let on_shm = paths.iter().any(|p| p.starts_with("/dev/shm"));
            let ok = match medium {
                "MEM" => *mem && (on_shm || paths.iter().all(|p| p.ends_with("-emptydir"))),
                "SSD" | "HDD" => !*mem && !on_shm,
                _ => false,
            };
            if !ok {
                bad(format!(
                    "{who}: level {i} rendered as {medium} on {paths:?}"
                ));
            }
        }
    }
    // A Cron operation last ran at one of its fire times.
    for op in &objects {
        let (Some(schedule), Some(last)) = (
            op.pointer("/spec/schedule").and_then(Value::as_str),
            time(op, "/status/lastScheduleTime"),
        ) else {
            continue;
        };
        let minute_before = Timestamp::from_second(last.as_second() - 60).unwrap();
        if fluidops::model::cron::next_after(schedule, minute_before) != Some(last) || last > now {
            bad(format!(
                "{}: last scheduled {last}, not a fire time of {schedule:?}",
                name_of(op)
            ));
        }
    }
    // Cached ≤ capacity.
    for ds in by_kind("Dataset") {
        let size = |k: &str| {
            ds.pointer(&format!("/status/cacheStates/{k}"))
                .and_then(Value::as_str)
                .and_then(parse_size)
        };
        if let (Some(cached), Some(capacity)) = (size("cached"), size("cacheCapacity"))
            && cached > capacity
        {
            bad(format!(
                "{}: cached {cached} > capacity {capacity}",
                name_of(ds)
            ));
        }
    }
    out
}

#[test]
fn the_seeded_demo_cluster_is_consistent() {
    let c = DemoCluster::builtin(7, t0());
    let found = inconsistencies(&c);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_demo_cluster_stays_consistent_as_it_runs() {
    let mut c = DemoCluster::builtin(11, t0());
    c.set_random_failures(true);
    for minute in 1..=20 {
        for _ in 0..60 {
            c.advance(Duration::from_secs(1));
        }
        let found = inconsistencies(&c);
        assert!(
            found.is_empty(),
            "after {minute} simulated minutes: {found:#?}"
        );
    }
}

/// The walk finds what it looks for: a container started before its pod was created, and a
/// restart with no last termination.
#[test]
fn a_container_started_before_its_pod_is_found() {
    let pod = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default",
                     "creationTimestamp": "2026-12-01T08:00:00Z"},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
        "status": {"phase": "Running", "containerStatuses": [{
            "name": "c", "image": "i", "ready": true, "restartCount": 2,
            "state": {"running": {"startedAt": "2026-12-01T07:00:00Z"}}}]}
    });
    let obj = fluidops::model::Object::from_value(pod).unwrap().unwrap();
    let c = DemoCluster::new(vec![obj], 1, t0());
    let found = inconsistencies(&c);
    assert!(
        found.iter().any(|f| f.contains("default/p/c: started")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.contains("2 restarts, no last termination")),
        "{found:#?}"
    );
}
