//! Engine-like pod logs: Curvine master/worker/fuse style lines at start-up, on readiness and
//! every 5–15 simulated seconds per running pod; loader pods log progress. The last
//! `MAX_LINES` lines per pod are kept, and the log of a container's previous instance once it
//! restarted (its last lines say why it ended).
//!
//! Asked for a log (a container, the previous instance, a tail, a since), the cluster answers
//! as the API server does: the lines asked for, or the server's refusal.

use std::collections::{BTreeMap, VecDeque};

use jiff::{SignedDuration, Timestamp};
use rand::Rng;

use super::DemoCluster;
use super::pods;
use crate::cluster::ClusterEvent;
use crate::cluster::log_request::{LogRequest, select};
use crate::model::pod::{LABEL_RUNTIME, component_of, first_container_state, is_ready, node_of};
use crate::model::{Component, Kind, ObjectKey, Pod};

pub const MAX_LINES: usize = 200;

#[derive(Debug, Clone, Default)]
pub struct LogBook {
    lines: BTreeMap<ObjectKey, VecDeque<String>>,
    /// The log of each restarted container's previous instance.
    previous: BTreeMap<ObjectKey, VecDeque<String>>,
    /// The log the console shows, when it is not a pod's live log (a previous instance, another
    /// container): new lines of that pod's engine are kept but not sent.
    shown: Option<LogRequest>,
    next_at: BTreeMap<ObjectKey, Timestamp>,
    /// Second and millisecond of each pod's last line, so lines within a second stay ordered.
    last_stamp: BTreeMap<ObjectKey, (i64, u32)>,
}

impl LogBook {
    pub fn lines(&self, pod: &ObjectKey) -> Vec<String> {
        self.lines
            .get(pod)
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    }
    pub fn forget(&mut self, pod: &ObjectKey) {
        self.lines.remove(pod);
        self.previous.remove(pod);
        self.next_at.remove(pod);
        self.last_stamp.remove(pod);
    }
    fn push(&mut self, pod: &ObjectKey, line: String) {
        let buf = self.lines.entry(pod.clone()).or_default();
        buf.push_back(line);
        while buf.len() > MAX_LINES {
            buf.pop_front();
        }
    }
}

/// The kubelet stops the container (an in-place restart): its last line.
pub fn stopped(cluster: &mut DemoCluster, key: &ObjectKey, pod: &Pod) {
    let t = target(component_of(pod));
    write(
        cluster,
        key,
        "INFO",
        t,
        "received SIGTERM, flushing and shutting down (exit code 0)",
    );
}

/// The container restarted in place: its log so far becomes the previous instance's.
pub fn restarted(cluster: &mut DemoCluster, pod: &ObjectKey) {
    if let Some(lines) = cluster.logs.lines.remove(pod) {
        cluster.logs.previous.insert(pod.clone(), lines);
    }
}

/// What the API server answers for `req`: the lines it asks for, or its refusal.
pub fn answer(cluster: &DemoCluster, req: &LogRequest) -> Result<Vec<String>, String> {
    let pod = &req.pod;
    let Some(p) = cluster.state.pod(pod) else {
        return Err(format!("pods \"{}\" not found", pod.name));
    };
    let names: Vec<String> = p
        .spec
        .as_ref()
        .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    let engine = names.first().cloned().unwrap_or_default();
    let container = req.container.clone().unwrap_or_else(|| engine.clone());
    if !names.contains(&container) {
        return Err(format!(
            "container {container} is not valid for pod {}",
            pod.name
        ));
    }
    // The engine container writes the lines kept here; another container has written nothing.
    let restarts = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|c| c.iter().find(|c| c.name == container))
        .map_or(0, |c| c.restart_count);
    let held = if req.previous {
        match cluster.logs.previous.get(pod) {
            Some(lines) if container == engine => lines.iter().cloned().collect(),
            _ if restarts > 0 => Vec::new(),
            _ => {
                return Err(format!(
                    "previous terminated container \"{container}\" in pod \"{}\" not found",
                    pod.name
                ));
            }
        }
    } else if container == engine {
        cluster.logs.lines(pod)
    } else {
        Vec::new()
    };
    Ok(select(&held, req, cluster.state.now))
}

/// The console asks for a log: the answer is sent with the next batch (`LogReset` and the
/// lines, or `LogRefused`); while a previous instance or another container is shown, the
/// engine's new lines of that pod are not sent.
pub fn follow(cluster: &mut DemoCluster, req: LogRequest) {
    let pod = req.pod.clone();
    match answer(cluster, &req) {
        Ok(lines) => {
            let live = req.follows() && req.container.is_none();
            cluster.logs.shown = (!live).then_some(req);
            cluster
                .pending_logs
                .push(ClusterEvent::LogReset { pod: pod.clone() });
            cluster
                .pending_logs
                .extend(lines.into_iter().map(|line| ClusterEvent::LogLine {
                    pod: pod.clone(),
                    line,
                }));
        }
        Err(message) => cluster
            .pending_logs
            .push(ClusterEvent::LogRefused { pod, message }),
    }
}

/// Writes one line to a pod's log (if the pod exists) and emits it.
pub fn write(cluster: &mut DemoCluster, pod: &ObjectKey, level: &str, target: &str, message: &str) {
    if !cluster.state.contains(pod) {
        return;
    }
    let second = cluster.state.now.as_second();
    let ms: u32 = match cluster.logs.last_stamp.get(pod) {
        Some(&(s, last)) if s == second => (last + cluster.rng.random_range(1..40)).min(999),
        _ => cluster.rng.random_range(0..700),
    };
    cluster.logs.last_stamp.insert(pod.clone(), (second, ms));
    let t = cluster.state.now.strftime("%Y-%m-%d %H:%M:%S");
    let line = format!("{t}.{ms:03} {level:<5} {target}: {message}");
    cluster.logs.push(pod, line.clone());
    if cluster.logs.shown.as_ref().is_some_and(|r| r.pod == *pod) {
        return;
    }
    cluster.pending_logs.push(ClusterEvent::LogLine {
        pod: pod.clone(),
        line,
    });
}

fn target(c: Option<Component>) -> &'static str {
    match c {
        Some(Component::Master) => "curvine_server::master",
        Some(Component::Worker) => "curvine_server::worker",
        Some(Component::Client) => "curvine_fuse::fs",
        None => "fluid_dataloader",
    }
}

pub fn startup(cluster: &mut DemoCluster, key: &ObjectKey, pod: &Pod) {
    let c = component_of(pod);
    let t = target(c);
    let image = crate::model::pod::engine_image(pod)
        .unwrap_or("")
        .to_string();
    write(
        cluster,
        key,
        "INFO",
        t,
        &format!(
            "starting {} ({image})",
            c.map(|c| c.as_str()).unwrap_or("job")
        ),
    );
    write(
        cluster,
        key,
        "INFO",
        t,
        "rendered config /etc/curvine/curvine.toml from $FLUID_RUNTIME_CONFIG_PATH",
    );
    match c {
        Some(Component::Master) => write(
            cluster,
            key,
            "INFO",
            t,
            "journal replay finished, entering leader state",
        ),
        Some(Component::Worker) => write(
            cluster,
            key,
            "INFO",
            t,
            "registering with master, waiting for acknowledgement",
        ),
        Some(Component::Client) => {
            let rt = pod
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(LABEL_RUNTIME))
                .cloned()
                .unwrap_or_default();
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            write(
                cluster,
                key,
                "INFO",
                t,
                &format!("mounting fuse at /runtime-mnt/cache/{ns}/{rt}/cache-fuse"),
            )
        }
        None => {}
    }
}

/// A worker's start-up line about its cache tiers (`spec.worker.tieredStore` of its runtime):
/// a new pod (`fresh`) finds emptyDir and memory tiers empty, and a hostPath tier empty unless
/// it landed on the node the ordinal ran on before; a container restarted in place keeps
/// emptyDir and hostPath but loses process memory.
pub fn cache_tiers(cluster: &mut DemoCluster, key: &ObjectKey, pod: &Pod, fresh: bool) {
    if component_of(pod) != Some(Component::Worker) {
        return;
    }
    let node = node_of(pod).unwrap_or_default().to_string();
    let same_node = cluster.cache_nodes.get(key) == Some(&node);
    let levels: Vec<serde_json::Value> = pod
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(LABEL_RUNTIME))
        .and_then(|rt| {
            cluster
                .state
                .runtime(pod.metadata.namespace.as_deref().unwrap_or_default(), rt)
        })
        .and_then(|rt| rt.component_spec(Component::Worker))
        .and_then(|w| w.extra.get("tieredStore"))
        .as_ref()
        .and_then(|t| t.get("levels"))
        .and_then(|l| l.as_array())
        .cloned()
        .unwrap_or_default();
    let mut lines = Vec::new();
    let mut kept_any = false;
    for (i, level) in levels.iter().enumerate() {
        let (medium, place, quota) = if let Some(h) = level.get("hostPath") {
            let first = |f: &str| {
                h.get(f)
                    .and_then(|v| v.as_array())
                    .and_then(|a| a.first())
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            ("hostPath", first("paths"), first("quotas"))
        } else {
            let medium = if level.get("emptyDir").is_some() {
                "emptyDir"
            } else {
                "processMemory"
            };
            let quota = level
                .get(medium)
                .and_then(|m| m.get("quota"))
                .and_then(|q| q.as_str())
                .unwrap_or("")
                .to_string();
            (medium, format!("/cache-data/level-{i}"), quota)
        };
        let kept = match medium {
            "hostPath" => !fresh || same_node,
            "emptyDir" => !fresh,
            _ => false,
        };
        kept_any |= kept;
        let what = if kept {
            let blocks = cluster.rng.random_range(20_000..90_000);
            format!("{blocks} blocks found, reusing the cache kept on {node}")
        } else if fresh {
            "empty".to_string()
        } else {
            "lost with the previous container".to_string()
        };
        lines.push(format!(
            "tiered store level {i}: {medium} {place} ({quota}): {what}"
        ));
    }
    if levels.is_empty() {
        lines.push("tiered store: default memory tier: empty".to_string());
    }
    if !kept_any {
        lines.push("starting with an empty cache".to_string());
    }
    for line in lines {
        write(
            cluster,
            key,
            "INFO",
            "curvine_server::worker::block_store",
            &line,
        );
    }
}

pub fn became_ready(cluster: &mut DemoCluster, key: &ObjectKey, pod: &Pod) {
    let c = component_of(pod);
    let msg = match c {
        Some(Component::Master) => "rpc server listening on 0.0.0.0:8995, master ready",
        Some(Component::Worker) => "registered with master, worker ready on 0.0.0.0:8997",
        Some(Component::Client) => "fuse mount ready",
        None => "ready",
    };
    write(cluster, key, "INFO", target(c), msg);
}

fn periodic_line(cluster: &mut DemoCluster, pod: &Pod) -> (&'static str, String) {
    let r = &mut cluster.rng;
    match component_of(pod) {
        Some(Component::Master) => match r.random_range(0..3) {
            0 => (
                "INFO",
                format!("heartbeat: {} live workers, 0 lost", r.random_range(1..=6)),
            ),
            1 => (
                "INFO",
                format!(
                    "journal checkpoint at index {}",
                    r.random_range(10_000..900_000)
                ),
            ),
            _ => (
                "INFO",
                format!(
                    "block report processed: {} blocks, {} under-replicated",
                    r.random_range(1_000..90_000),
                    r.random_range(0..3)
                ),
            ),
        },
        Some(Component::Worker) => match r.random_range(0..4) {
            0 => ("INFO", "heartbeat to master ok".to_string()),
            1 => (
                "INFO",
                format!(
                    "block report sent: {} blocks, used {:.1}GiB",
                    r.random_range(1_000..30_000),
                    r.random_range(10.0..700.0)
                ),
            ),
            2 if r.random_bool(0.2) => (
                "WARN",
                format!(
                    "slow read from ufs: {} ms for 4 MiB block",
                    r.random_range(800..4000)
                ),
            ),
            _ => (
                "INFO",
                format!("evicted {} blocks (watermark high)", r.random_range(0..40)),
            ),
        },
        Some(Component::Client) => (
            "INFO",
            format!(
                "fuse stats: {} reads/s, hit ratio {:.1}%",
                r.random_range(50..5000),
                r.random_range(80.0..99.9)
            ),
        ),
        None => ("INFO", "waiting".to_string()),
    }
}

/// What the cluster's pods logged before the demo began (they were seeded running, some for
/// days): each ready cache pod's start-up at its container's start, its readiness, and its last
/// regular lines before now, so an old pod has a log to read. Kept for the pods' logs, not sent:
/// the console asks for a log when it shows one.
pub fn backlog(cluster: &mut DemoCluster) {
    let now = cluster.state.now;
    let sent = cluster.pending_logs.len();
    // The past leaves the simulation's random course as it was.
    let rng = cluster.rng.clone();
    let pods: Vec<(ObjectKey, Pod, Timestamp)> = cluster
        .state
        .pods()
        .filter(|p| pods::phase(p) == "Running" && is_ready(p) && component_of(p).is_some())
        .filter_map(|p| {
            let started = first_container_state(p)?
                .running
                .as_ref()?
                .started_at
                .as_ref()?
                .0;
            let key = ObjectKey::new(
                Kind::Pod,
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            );
            (started < now).then(|| (key, p.clone(), started))
        })
        .collect();
    for (key, pod, started) in pods {
        cluster.state.now = started;
        startup(cluster, &key, &pod);
        cache_tiers(cluster, &key, &pod, true);
        let ready = started
            .saturating_add(SignedDuration::from_secs(4))
            .unwrap_or(started);
        cluster.state.now = ready.min(now);
        became_ready(cluster, &key, &pod);
        for ago in [60, 45, 30, 15] {
            let at = now
                .saturating_sub(SignedDuration::from_secs(ago))
                .unwrap_or(now);
            if at > cluster.state.now {
                cluster.state.now = at;
                let (level, msg) = periodic_line(cluster, &pod);
                write(cluster, &key, level, target(component_of(&pod)), &msg);
            }
        }
    }
    cluster.state.now = now;
    cluster.pending_logs.truncate(sent);
    cluster.rng = rng;
}

/// Regular lines from running cache pods, each every 5–15 s.
pub fn periodic(cluster: &mut DemoCluster) {
    let now = cluster.state.now;
    let pods: Vec<Pod> = cluster
        .state
        .pods()
        .filter(|p| {
            let key = ObjectKey::new(
                Kind::Pod,
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            );
            cluster.logs.next_at.get(&key).is_none_or(|t| *t <= now)
        })
        .filter(|p| pods::phase(p) == "Running" && is_ready(p) && component_of(p).is_some())
        .filter(|p| !node_of(p).is_some_and(|n| cluster.lost_nodes.contains_key(n)))
        .cloned()
        .collect();
    for pod in pods {
        let key = ObjectKey::new(
            Kind::Pod,
            pod.metadata.namespace.clone().unwrap_or_default(),
            pod.metadata.name.clone().unwrap_or_default(),
        );
        let due = match cluster.logs.next_at.get(&key) {
            Some(t) => *t <= now,
            None => {
                let first = now
                    .checked_add(SignedDuration::from_secs(cluster.rng.random_range(1..=15)))
                    .unwrap_or(now);
                cluster.logs.next_at.insert(key.clone(), first);
                false
            }
        };
        if !due {
            continue;
        }
        let next = now
            .checked_add(SignedDuration::from_secs(cluster.rng.random_range(5..=15)))
            .unwrap_or(now);
        cluster.logs.next_at.insert(key.clone(), next);
        let (level, msg) = periodic_line(cluster, &pod);
        write(cluster, &key, level, target(component_of(&pod)), &msg);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn settled() -> DemoCluster {
        let mut c = DemoCluster::builtin(3, "2026-11-25T09:00:00Z".parse().unwrap());
        c.set_random_failures(false);
        c.advance(Duration::from_secs(240));
        c
    }

    fn ready_workers(c: &DemoCluster) -> Vec<Pod> {
        c.state
            .pods()
            .filter(|p| component_of(p) == Some(Component::Worker) && is_ready(p))
            .cloned()
            .collect()
    }

    #[test]
    fn a_pod_seeded_running_has_the_log_of_its_life_so_far_dated_from_its_start() {
        let now: Timestamp = "2026-11-25T09:00:00Z".parse().unwrap();
        let c = DemoCluster::builtin(3, now);
        let started = |p: &Pod| {
            first_container_state(p)?
                .running
                .as_ref()?
                .started_at
                .as_ref()
                .map(|t| t.0)
        };
        let old: Vec<Pod> = ready_workers(&c)
            .into_iter()
            .filter(|p| started(p).is_some_and(|t| now.duration_since(t).as_hours() > 24))
            .collect();
        assert!(!old.is_empty(), "the seed has workers running for days");
        let stamp = |line: &str| -> Timestamp {
            format!("{}Z", line[..23].replace(' ', "T"))
                .parse()
                .unwrap()
        };
        for p in &old {
            let lines = c.logs.lines(&key(p));
            assert!(lines.len() >= 4, "{}: {lines:?}", key(p));
            assert!(lines[0].contains("starting worker"), "{lines:?}");
            assert_eq!(
                stamp(&lines[0]).as_second(),
                started(p).unwrap().as_second()
            );
            assert!(
                lines.iter().any(|l| l.contains("worker ready")),
                "{lines:?}"
            );
            let times: Vec<Timestamp> = lines.iter().map(|l| stamp(l)).collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
            assert!(*times.last().unwrap() < now, "{lines:?}");
        }
        assert!(c.pending_logs.is_empty(), "the backlog is kept, not sent");
    }

    fn key(p: &Pod) -> ObjectKey {
        ObjectKey::new(
            Kind::Pod,
            p.metadata.namespace.clone().unwrap_or_default(),
            p.metadata.name.clone().unwrap_or_default(),
        )
    }

    #[test]
    fn a_restarted_container_has_a_previous_log_that_says_why_it_ended() {
        let mut c = settled();
        let workers = ready_workers(&c);
        let (crashed, other) = (workers[0].clone(), key(&workers[1]));
        let pod = key(&crashed);
        super::super::faults::crash_pod(&mut c, &crashed);
        c.advance(Duration::from_secs(40));
        let restarts = c
            .state
            .pod(&pod)
            .unwrap()
            .status
            .as_ref()
            .unwrap()
            .container_statuses
            .as_ref()
            .unwrap()[0]
            .restart_count;
        assert_eq!(restarts, 1);

        let previous = LogRequest {
            previous: true,
            ..LogRequest::current(pod.clone())
        };
        let lines = answer(&c, &previous).expect("a previous instance");
        let last = lines.last().expect("lines");
        assert!(
            last.contains("ERROR") && last.contains("shutting down"),
            "{last}"
        );
        let current = answer(&c, &LogRequest::current(pod.clone())).unwrap();
        assert!(current[0].contains("starting worker"), "{current:?}");
        assert!(!current.iter().any(|l| l.contains("I/O error")));

        // Shown, the previous log is all that is sent for the pod while it stays on screen.
        follow(&mut c, previous.clone());
        let out = c.advance(Duration::from_secs(60));
        let sent: Vec<&String> = out
            .iter()
            .filter_map(|e| match e {
                ClusterEvent::LogLine { pod: p, line } if *p == pod => Some(line),
                _ => None,
            })
            .collect();
        assert_eq!(sent, lines.iter().collect::<Vec<_>>());
        follow(&mut c, LogRequest::current(pod.clone()));
        assert!(c.logs.shown.is_none());

        // A container that never restarted has none, as the API server answers.
        let never = LogRequest {
            previous: true,
            ..LogRequest::current(other.clone())
        };
        let err = answer(&c, &never).unwrap_err();
        assert_eq!(
            err,
            format!(
                "previous terminated container \"{}\" in pod \"{}\" not found",
                pods::container_name(&workers[1]),
                other.name
            )
        );
        let bad = LogRequest {
            container: Some("nope".into()),
            ..LogRequest::current(other.clone())
        };
        assert_eq!(
            answer(&c, &bad).unwrap_err(),
            format!("container nope is not valid for pod {}", other.name)
        );
    }

    #[test]
    fn tail_cuts_the_answer_and_a_shown_previous_log_gets_no_live_lines() {
        let mut c = settled();
        let pod = key(&ready_workers(&c)[0]);
        let all = answer(&c, &LogRequest::current(pod.clone())).unwrap();
        assert!(all.len() > 3, "{all:?}");
        let two = LogRequest {
            tail_lines: Some(2),
            ..LogRequest::current(pod.clone())
        };
        assert_eq!(answer(&c, &two).unwrap(), all[all.len() - 2..].to_vec());

        // Asked for, the answer comes with the next batch: reset, then the lines.
        follow(&mut c, two);
        let out = c.advance(Duration::from_millis(1));
        assert_eq!(out[0], ClusterEvent::LogReset { pod: pod.clone() });
        let lines: Vec<&ClusterEvent> = out
            .iter()
            .filter(|e| matches!(e, ClusterEvent::LogLine { pod: p, .. } if *p == pod))
            .collect();
        assert_eq!(lines.len(), 2);

        // A refused previous log: said, and the live lines keep coming.
        follow(
            &mut c,
            LogRequest {
                previous: true,
                ..LogRequest::current(pod.clone())
            },
        );
        let out = c.advance(Duration::from_millis(1));
        assert!(matches!(&out[0], ClusterEvent::LogRefused { pod: p, .. } if *p == pod));
        assert!(c.logs.shown.is_none());
    }
}
