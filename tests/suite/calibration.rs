//! The simulator, calibrated against upstream Fluid: the upstream Curvine manifests
//! (tests/fixtures/fluid-upstream/) go through the demo cluster stage by stage, as
//! tests/e2e/record-fluid-trace.sh drove them through Fluid's own controllers, and every object
//! is compared field by field with the recorded trace (tests/fixtures/fluid-trace/), ignoring
//! generated names, UIDs, times, resource versions and revision hashes. What still differs is
//! listed in `ACCEPTED` with the reason it is acceptable; anything else fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use fluidops::demo::DemoCluster;
use fluidops::model::manifest::{Manifests, parse_documents};
use fluidops::model::{Kind, Object, ObjectKey};
use serde_json::{Value, json};

const NS: &str = "default";
const NAME: &str = "curvine-demo";
const UPGRADE_TAG: &str = "v0.2.1-test";
/// Simulated seconds a stage may take before the test gives up.
const STAGE_LIMIT: u64 = 300;
/// Seconds waited after a stage's condition holds, as the recorder does.
const SETTLE: u64 = 4;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn manifests(files: &[&str]) -> Vec<Object> {
    let mut m = Manifests::default();
    for f in files {
        let path = fixtures().join("fluid-upstream").join(f);
        let text = std::fs::read_to_string(&path).expect("upstream manifest");
        parse_documents(&text, f, &mut m);
    }
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    m.objects
}

// ------------------------------------------------------------------ the stages

/// The stages of the trace, in order (file names without `.jsonl`).
const STAGES: [&str; 5] = [
    "01-bound",
    "02-dataload-complete",
    "03-worker-upgraded",
    "04-master-upgraded",
    "05-dataset-used",
];

fn get<'a>(objects: &'a [Value], kind: &str, name: &str) -> Option<&'a Value> {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
}

fn text<'a>(objects: &'a [Value], kind: &str, name: &str, pointer: &str) -> &'a str {
    get(objects, kind, name)
        .and_then(|o| o.pointer(pointer))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn restarted_on(objects: &[Value], pod: &str, image: &str) -> bool {
    let Some(p) = get(objects, "Pod", pod) else {
        return false;
    };
    p.pointer("/status/containerStatuses/0/image") == Some(&json!(image))
        && p.pointer("/status/containerStatuses/0/restartCount")
            .and_then(Value::as_i64)
            .is_some_and(|n| n >= 1)
}

fn revision_done(objects: &[Value], workload: &str) -> bool {
    let cur = text(
        objects,
        "AdvancedStatefulSet",
        workload,
        "/status/currentRevision",
    );
    let upd = text(
        objects,
        "AdvancedStatefulSet",
        workload,
        "/status/updateRevision",
    );
    !cur.is_empty() && cur == upd
}

/// The condition that ends a stage, the same predicate the recorder waits for.
fn stage_done(stage: &str, o: &[Value]) -> bool {
    let image = format!("curvine/curvine:{UPGRADE_TAG}");
    let rt = |p| text(o, "CacheRuntime", NAME, p);
    match stage {
        "01-bound" => {
            text(o, "Dataset", NAME, "/status/phase") == "Bound"
                && rt("/status/master/phase") == "Ready"
                && rt("/status/worker/phase") == "Ready"
        }
        "02-dataload-complete" => {
            text(o, "DataLoad", "curvine-dataload", "/status/phase") == "Complete"
        }
        "03-worker-upgraded" => {
            restarted_on(o, "curvine-demo-worker-0", &image)
                && revision_done(o, "curvine-demo-worker")
                && rt("/status/worker/phase") == "Ready"
        }
        "04-master-upgraded" => {
            let started = text(
                o,
                "Pod",
                "curvine-demo-master-0",
                "/status/containerStatuses/0/state/running/startedAt",
            );
            let mounted = rt("/status/mountTime");
            restarted_on(o, "curvine-demo-master-0", &image)
                && revision_done(o, "curvine-demo-master")
                && !started.is_empty()
                && mounted >= started
                && text(o, "Dataset", NAME, "/status/phase") == "Bound"
        }
        "05-dataset-used" => rt("/status/client/phase") == "Ready",
        other => panic!("unknown stage {other}"),
    }
}

fn sim_objects(c: &DemoCluster) -> Vec<Value> {
    c.objects()
        .into_iter()
        .filter(|o| o.kind() != Kind::CacheRuntimeClass)
        .map(|o| o.to_value())
        .collect()
}

fn patch_runtime_version(c: &mut DemoCluster, component: &str) {
    let key = ObjectKey::new(Kind::CacheRuntime, NS, NAME);
    let mut v = c.get(&key).expect("runtime").to_value();
    v["spec"][component]["runtimeVersion"] =
        json!({"image": "curvine/curvine", "imageTag": UPGRADE_TAG});
    let obj = Object::from_value(v).unwrap().unwrap();
    c.apply(obj).expect("patch the runtime");
}

/// What the recorder does to start a stage, done to the demo cluster.
fn start_stage(c: &mut DemoCluster, stage: &str) {
    match stage {
        "01-bound" => {}
        "02-dataload-complete" => {
            for o in manifests(&["dataload.yaml"]) {
                c.create(o).expect("create the DataLoad");
            }
        }
        "03-worker-upgraded" => patch_runtime_version(c, "worker"),
        "04-master-upgraded" => patch_runtime_version(c, "master"),
        "05-dataset-used" => {
            let key = ObjectKey::new(Kind::Dataset, NS, NAME);
            c.use_dataset(&key).expect("use the dataset");
        }
        other => panic!("unknown stage {other}"),
    }
}

/// The demo cluster driven through every stage: the objects at the end of each.
fn simulate() -> Vec<(String, Vec<Value>)> {
    let now: jiff::Timestamp = "2026-12-01T07:28:00Z".parse().unwrap();
    let seed = manifests(&[
        "mount.yaml",
        "secret.yaml",
        "cacheruntimeclass.yaml",
        "dataset.yaml",
        "cacheruntime.yaml",
    ]);
    let mut c = DemoCluster::new(seed, 7, now);
    c.set_random_failures(false);
    let mut out = Vec::new();
    for stage in STAGES {
        start_stage(&mut c, stage);
        let mut waited = 0;
        while !stage_done(stage, &sim_objects(&c)) {
            assert!(
                waited < STAGE_LIMIT,
                "{stage}: not reached in {STAGE_LIMIT}s"
            );
            c.advance(Duration::from_secs(1));
            waited += 1;
        }
        c.advance(Duration::from_secs(SETTLE));
        out.push((stage.to_string(), sim_objects(&c)));
    }
    out
}

fn trace(stage: &str) -> Vec<Value> {
    let path = fixtures()
        .join("fluid-trace")
        .join(format!("{stage}.jsonl"));
    let text = std::fs::read_to_string(&path).expect("trace file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect()
}

// ------------------------------------------------------------------ comparing

/// Kinds the simulator stands for. DaemonSets are not simulated (the client's pods are).
const COMPARED_KINDS: [&str; 5] = [
    "Dataset",
    "CacheRuntime",
    "AdvancedStatefulSet",
    "Pod",
    "DataLoad",
];

/// Fields that are identity, time or randomness: never compared.
const IGNORED_PATHS: [&str; 13] = [
    r"controller-uid$",
    r"^metadata\.(uid|resourceVersion|creationTimestamp)$",
    r"\.uid$",
    r"(Time|Timestamp|startedAt|finishedAt|startTime|mountTime)$",
    r"^status\.(podIP|podIPs|hostIP|hostIPs)\b",
    r"\.(containerID|imageID)$",
    r"controller-revision-hash$",
    r"^status\.(currentRevision|updateRevision)$",
    r"^status\.collisionCount$",
    r"^spec\.nodeName$",
    r"^status\.(setupDuration|duration)$",
    r"^metadata\.name$",
    r"^metadata\.annotations\.workload\.fluid\.io/inplace-update-state$",
];

/// The name an object is matched by: generated suffixes dropped.
fn role(o: &Value) -> String {
    let kind = o["kind"].as_str().unwrap_or("");
    masked(&format!(
        "{kind} {}",
        o["metadata"]["name"].as_str().unwrap_or("")
    ))
}

fn flatten(v: &Value, path: String, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            if m.is_empty() {
                out.insert(path.clone(), "{}".into());
            }
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(x, p, out);
            }
        }
        Value::Array(a) => {
            if a.is_empty() {
                out.insert(path.clone(), "[]".into());
            }
            for (i, x) in a.iter().enumerate() {
                // Lists of named or typed items are matched by name or type, not position.
                let id = ["name", "type", "key"]
                    .iter()
                    .find_map(|k| {
                        x.get(*k)
                            .and_then(Value::as_str)
                            .map(|s| format!("{k}={s}"))
                    })
                    .unwrap_or_else(|| i.to_string());
                flatten(x, format!("{path}[{id}]"), out);
            }
        }
        other => {
            out.insert(path, other.to_string());
        }
    }
}

/// Values that hold a generated name or a time: the suffix or the time is masked.
fn masked(value: &str) -> String {
    static MASKS: LazyLock<[(regex::Regex, &str); 4]> = LazyLock::new(|| {
        let re = |r| regex::Regex::new(r).unwrap();
        [
            (re(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "<time>"),
            (re(r"\b(kwok-node|cache-node|gpu-node)-\d+\b"), "<node>"),
            (
                re(r"(curvine-dataload-loader-job|curvine-demo-client)-[a-z0-9]{5}\b"),
                "$1-*",
            ),
            (re(r"-[0-9a-f]{8,10}\b"), "-<hash>"),
        ]
    });
    let mut v = value.to_string();
    for (re, with) in MASKS.iter() {
        v = re.replace_all(&v, *with).into_owned();
    }
    v
}

fn fields(o: &Value) -> BTreeMap<String, String> {
    static IGNORED: LazyLock<Vec<regex::Regex>> = LazyLock::new(|| {
        IGNORED_PATHS
            .iter()
            .map(|r| regex::Regex::new(r).unwrap())
            .collect()
    });
    let ignored = &*IGNORED;
    let mut out = BTreeMap::new();
    flatten(o, String::new(), &mut out);
    out.into_iter()
        .filter(|(p, _)| !ignored.iter().any(|r| r.is_match(p)))
        .map(|(p, v)| (masked(&p), masked(&v)))
        .collect()
}

/// One difference: `<Kind> <name>: <path>: upstream <x>, simulator <y>`.
fn compare(stage: &str, upstream: &[Value], sim: &[Value]) -> Vec<String> {
    let mut diffs = Vec::new();
    let by_role = |objs: &[Value]| -> BTreeMap<String, Value> {
        objs.iter()
            .filter(|o| COMPARED_KINDS.contains(&o["kind"].as_str().unwrap_or("")))
            .map(|o| (role(o), o.clone()))
            .collect()
    };
    let (up, si) = (by_role(upstream), by_role(sim));
    for (r, u) in &up {
        let Some(s) = si.get(r) else {
            diffs.push(format!("{stage} {r}: missing in the simulator"));
            continue;
        };
        let (fu, fs) = (fields(u), fields(s));
        let paths: BTreeSet<&String> = fu.keys().chain(fs.keys()).collect();
        for p in paths {
            match (fu.get(p), fs.get(p)) {
                (Some(a), Some(b)) if a == b => {}
                (a, b) => diffs.push(format!(
                    "{stage} {r}: {p}: upstream {}, simulator {}",
                    a.map_or("(absent)", String::as_str),
                    b.map_or("(absent)", String::as_str)
                )),
            }
        }
    }
    for r in si.keys().filter(|r| !up.contains_key(*r)) {
        diffs.push(format!("{stage} {r}: only in the simulator"));
    }
    diffs.extend(compare_events(stage, upstream, sim));
    diffs
}

/// Events about the objects the simulator stands for: (involved kind and role, type, reason,
/// message) as a set; counts and times are not compared.
fn compare_events(stage: &str, upstream: &[Value], sim: &[Value]) -> Vec<String> {
    let set = |objs: &[Value]| -> BTreeSet<String> {
        objs.iter()
            .filter(|o| o["kind"] == "Event")
            .filter(|e| {
                let k = e["involvedObject"]["kind"].as_str().unwrap_or("");
                COMPARED_KINDS.contains(&k)
            })
            .map(|e| {
                let io = &e["involvedObject"];
                masked(&format!(
                    "{} {}: {} {} \"{}\"",
                    io["kind"].as_str().unwrap_or(""),
                    io["name"].as_str().unwrap_or(""),
                    e["type"].as_str().unwrap_or(""),
                    e["reason"].as_str().unwrap_or(""),
                    e["message"].as_str().unwrap_or("")
                ))
            })
            .collect()
    };
    let (up, si) = (set(upstream), set(sim));
    let mut diffs = Vec::new();
    for e in up.difference(&si) {
        diffs.push(format!("{stage} Event {e}: missing in the simulator"));
    }
    for e in si.difference(&up) {
        diffs.push(format!("{stage} Event {e}: only in the simulator"));
    }
    diffs
}

// ------------------------------------------------------------------ what may differ, and why

/// A difference that remains, matched by a regex over the difference's line, and why it is
/// acceptable.
struct Accepted {
    pattern: &'static str,
    why: &'static str,
}

const ACCEPTED: &[Accepted] = &[
    Accepted {
        pattern: r"^\S+ Pod \S+: (spec\.(dnsPolicy|enableServiceLinks|preemptionPolicy|priority|schedulerName|securityContext|terminationGracePeriodSeconds|tolerations\S*)|spec\.(initContainers|containers)\[[^]]+\]\.(terminationMessagePath|terminationMessagePolicy|imagePullPolicy|env\[[^]]+\]\.valueFrom\.fieldRef\.apiVersion)|spec\.volumes\[[^]]+\]\.(configMap|secret)\.defaultMode|status\.qosClass): upstream .*, simulator \(absent\)$",
        why: "the API server's defaults for a Pod (DNS policy, scheduler, tolerations, termination \
              message, volume modes, QoS class): the demo cluster has no API server; against a real \
              one (`demo --against-cluster`) the server fills them in",
    },
    Accepted {
        pattern: r"^\S+ Pod \S+: status\.(containerStatuses|initContainerStatuses)\[[^]]+\]\.(lastState: upstream \{\}, simulator \(absent\)|started: upstream \(absent\), simulator true)$",
        why: "kwok writes an empty `lastState` and no `started`; a kubelet writes `started` as the \
              simulator does",
    },
    Accepted {
        pattern: r"^\S+ Pod curvine-dataload-loader-job-\*: status\.conditions\[type=(Ready|ContainersReady)\]\.(status: upstream \x22True\x22, simulator \x22False\x22|reason: upstream \(absent\), simulator \x22PodCompleted\x22)$",
        why: "kwok leaves a completed Job pod Ready; a kubelet turns Ready and ContainersReady \
              False with reason PodCompleted, as the simulator does",
    },
    Accepted {
        pattern: r"^\S+ Event Pod \S+: Normal (Started|Pulling|Pulled|Killing) .*: only in the simulator$",
        why: "kwok has no kubelet: it emits no container events; a kubelet emits Pulling, Pulled, \
              Killing and Started as the simulator does",
    },
];

fn unexplained(diffs: &[String]) -> (Vec<String>, BTreeMap<&'static str, usize>) {
    let rules: Vec<(regex::Regex, &Accepted)> = ACCEPTED
        .iter()
        .map(|a| (regex::Regex::new(a.pattern).unwrap(), a))
        .collect();
    let mut used = BTreeMap::new();
    let mut left = Vec::new();
    for d in diffs {
        match rules.iter().find(|(r, _)| r.is_match(d)) {
            Some((_, a)) => *used.entry(a.pattern).or_insert(0) += 1,
            None => left.push(d.clone()),
        }
    }
    (left, used)
}

#[test]
fn the_simulator_does_what_upstream_fluid_did_with_the_same_manifests() {
    let sim = simulate();
    let mut diffs = Vec::new();
    for (stage, objects) in &sim {
        diffs.extend(compare(stage, &trace(stage), objects));
    }
    // Durations are not compared (kwok pods are Ready at once): shown for the record.
    for (stage, objects) in &sim {
        let up = trace(stage);
        eprintln!(
            "{stage}: setupDuration upstream {:?} simulator {:?}; DataLoad duration upstream {:?} simulator {:?}",
            text(&up, "CacheRuntime", NAME, "/status/setupDuration"),
            text(objects, "CacheRuntime", NAME, "/status/setupDuration"),
            text(&up, "DataLoad", "curvine-dataload", "/status/duration"),
            text(objects, "DataLoad", "curvine-dataload", "/status/duration"),
        );
    }
    let (left, used) = unexplained(&diffs);
    for a in ACCEPTED {
        eprintln!(
            "accepted ({} differences): {} — {}",
            used.get(a.pattern).unwrap_or(&0),
            a.pattern,
            a.why
        );
    }
    assert!(
        left.is_empty(),
        "{} differences from upstream Fluid's trace:\n{}",
        left.len(),
        left.join("\n")
    );
    let stale: Vec<&str> = ACCEPTED
        .iter()
        .filter(|a| !used.contains_key(a.pattern))
        .map(|a| a.pattern)
        .collect();
    assert!(
        stale.is_empty(),
        "accepted differences that no longer occur: {stale:?}"
    );
}

#[test]
fn the_trace_is_what_the_recorder_writes() {
    for stage in STAGES {
        let objects = trace(stage);
        assert!(
            stage_done(stage, &objects),
            "{stage}: its condition holds in the trace"
        );
        assert!(
            objects
                .iter()
                .all(|o| o["metadata"].get("managedFields").is_none()),
            "{stage}: managedFields are dropped"
        );
    }
}

#[test]
fn a_changed_field_or_a_missing_object_is_a_difference() {
    let up = trace("01-bound");
    assert!(compare("01-bound", &up, &up).is_empty());
    let mut sim = up.clone();
    for o in &mut sim {
        if o["kind"] == "CacheRuntime" {
            o["status"]["master"]["phase"] = json!("NotReady");
        }
    }
    sim.retain(|o| o["metadata"]["name"] != "curvine-demo-worker-0");
    let diffs = compare("01-bound", &up, &sim);
    assert!(
        diffs.contains(&"01-bound CacheRuntime curvine-demo: status.master.phase: upstream \"Ready\", simulator \"NotReady\"".to_string()),
        "{diffs:#?}"
    );
    assert!(
        diffs.contains(&"01-bound Pod curvine-demo-worker-0: missing in the simulator".to_string()),
        "{diffs:#?}"
    );
}
