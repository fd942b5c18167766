//! Whole maintenance runs against the embedded demo cluster on a stepped clock: the test plays the
//! console around the run's driver (it sends the writes the driver hands out, the status commit
//! with its resourceVersion precondition first, and answers each back), the demo cluster plays
//! Fluid, the AdvancedStatefulSet controller and the kubelet.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fluidops::cluster::writer::{Write, WriteError, WriteOp, Writer};
use fluidops::cluster::{ClusterEvent, Store};
use fluidops::demo::DemoCluster;
use fluidops::demo::writer::DemoWriter;
use fluidops::model::Component;
use fluidops::model::maintenance::{MaintenancePhase, MaintenanceStep, StepState};
use fluidops::model::meta::{Condition, ConditionStatus};
use fluidops::model::pod::is_ready;
use fluidops::model::{CacheRuntimeMaintenance, Kind, Object, ObjectKey};
use fluidops::workflows::driver::{Drive, Turn};
use fluidops::workflows::machine::{self, Input};
use fluidops::workflows::observe;
use jiff::Timestamp;

const T0: &str = "2026-11-25T10:02:00Z";

/// The console and the cluster.
struct Sim {
    cluster: Arc<Mutex<DemoCluster>>,
    writer: DemoWriter,
    store: Store,
    /// Every cluster write sent (status commits excluded).
    sent: Vec<WriteOp>,
    /// While set, every event the store gets is also kept in `tap` (for a second console).
    tapping: bool,
    tap: Vec<(ClusterEvent, Timestamp)>,
    /// The driver of each run, as the console keeps it.
    drives: BTreeMap<ObjectKey, Drive>,
}

/// Status commits a console sent, and step writes the cluster refused.
#[derive(Debug, Default)]
struct Sent {
    commits: usize,
    conflicts: usize,
    refused: usize,
}

/// What the console does with a driver's turns: sends each write it hands out through the demo
/// writer and answers it back, until the driver has nothing more to send. Cluster writes are kept
/// in `sent` (status commits excluded).
fn send_turns(
    writer: &DemoWriter,
    sent: &mut Vec<WriteOp>,
    drive: &mut Drive,
    key: &ObjectKey,
    store: &Store,
    now: Timestamp,
    mut turn: Turn,
) -> Sent {
    let mut tally = Sent::default();
    while let Some(w) = turn.send.take() {
        let result = futures::executor::block_on(writer.write(&w));
        match (&w.op, result.is_ok()) {
            (WriteOp::MergePatchStatus { .. }, true) => tally.commits += 1,
            (WriteOp::MergePatchStatus { .. }, false) => tally.conflicts += 1,
            (op, ok) => {
                sent.push(op.clone());
                tally.refused += usize::from(!ok);
            }
        }
        turn = drive.write_done(key, &w, &result, store, now);
    }
    tally
}

impl Sim {
    fn new(seed: u64) -> Sim {
        let t0: Timestamp = T0.parse().unwrap();
        let mut c = DemoCluster::builtin(seed, t0);
        c.set_random_failures(false);
        let mut store = Store::new();
        for e in c.initial_events() {
            store.apply(e, t0);
        }
        let cluster = Arc::new(Mutex::new(c));
        Sim {
            writer: DemoWriter::new(cluster.clone()),
            cluster,
            store,
            sent: Vec::new(),
            tapping: false,
            tap: Vec::new(),
            drives: BTreeMap::new(),
        }
    }

    fn now(&self) -> Timestamp {
        self.cluster.lock().unwrap().now()
    }

    fn sync(&mut self) {
        let (events, now) = {
            let mut c = self.cluster.lock().unwrap();
            (c.advance(Duration::ZERO), c.now())
        };
        self.feed(events, now);
    }

    fn feed(&mut self, events: Vec<ClusterEvent>, now: Timestamp) {
        for e in events {
            if self.tapping {
                self.tap.push((e.clone(), now));
            }
            self.store.apply(e, now);
        }
    }

    fn tick(&mut self, secs: u64) {
        for _ in 0..secs {
            let (events, now) = {
                let mut c = self.cluster.lock().unwrap();
                (c.advance(Duration::from_secs(1)), c.now())
            };
            self.feed(events, now);
        }
    }

    fn create(&mut self, rec: CacheRuntimeMaintenance) -> ObjectKey {
        let obj = Object::from(rec);
        let key = obj.key();
        self.cluster.lock().unwrap().create(obj).unwrap();
        self.sync();
        key
    }

    fn rec(&self, key: &ObjectKey) -> CacheRuntimeMaintenance {
        match self.store.get(key) {
            Some(Object::Maintenance(m)) => (**m).clone(),
            other => panic!("no maintenance {key}: {other:?}"),
        }
    }

    fn write(&mut self, op: &WriteOp) -> Result<(), WriteError> {
        let w = Write::new(op.clone());
        futures::executor::block_on(self.writer.write(&w)).map(|_| ())
    }

    /// The operator's `input` (or a look) given to the run's driver, and every write it hands out
    /// sent; returns the driver as it stands after the last answer.
    fn input(&mut self, key: &ObjectKey, input: Input) -> Drive {
        self.drive(key, input);
        self.drives[key].clone()
    }

    fn drive(&mut self, key: &ObjectKey, input: Input) -> Sent {
        let now = self.now();
        let drive = self.drives.entry(key.clone()).or_default();
        let turn = drive.decide(key, &self.store, now, Some(input));
        let tally = send_turns(
            &self.writer,
            &mut self.sent,
            drive,
            key,
            &self.store,
            now,
            turn,
        );
        self.sync();
        tally
    }

    /// Observes once a second until `done` holds or `max` seconds pass; returns the seconds.
    fn run_until(
        &mut self,
        key: &ObjectKey,
        max: u64,
        done: impl Fn(&CacheRuntimeMaintenance) -> bool,
    ) -> u64 {
        for s in 0..max {
            self.input(key, Input::Observe);
            if done(&self.rec(key)) {
                return s;
            }
            self.tick(1);
        }
        let rec = self.rec(key);
        panic!(
            "not done after {max}s: phase {}\n{}",
            rec.phase(),
            timeline(&rec)
        );
    }
}

fn timeline(rec: &CacheRuntimeMaintenance) -> String {
    rec.status
        .as_ref()
        .map(|s| {
            s.steps
                .iter()
                .map(|st| {
                    format!(
                        "{:<28} {:<15} {:<8} {}",
                        st.name,
                        st.action.clone().unwrap_or_default(),
                        st.state,
                        st.message.clone().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Prints a run's steps (`cargo test -- --nocapture` to read them).
fn show(rec: &CacheRuntimeMaintenance) {
    println!(
        "--- {} {}\n{}",
        rec.metadata.name.as_deref().unwrap_or(""),
        rec.phase(),
        timeline(rec)
    );
    for c in &rec.status.as_ref().unwrap().conditions {
        println!(
            "    {} {} {}: {}",
            c.type_,
            c.status,
            c.reason.as_deref().unwrap_or(""),
            c.message.as_deref().unwrap_or("")
        );
    }
}

fn terminal(r: &CacheRuntimeMaintenance) -> bool {
    machine::is_terminal(&r.phase())
}

fn pod<'a>(store: &'a Store, ns: &str, name: &str) -> &'a fluidops::model::Pod {
    match store.get(&ObjectKey::new(Kind::Pod, ns, name)) {
        Some(Object::Pod(p)) => p,
        other => panic!("pod {name}: {other:?}"),
    }
}

fn lock_of(store: &Store, ns: &str, rt: &str) -> Option<String> {
    store
        .runtime(ns, rt)?
        .metadata
        .annotations
        .as_ref()?
        .get(fluidops::workflows::LOCK_ANNOTATION)
        .cloned()
}

fn step<'a>(rec: &'a CacheRuntimeMaintenance, name: &str) -> &'a MaintenanceStep {
    rec.status
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no step {name}:\n{}", timeline(rec)))
}

fn condition<'a>(rec: &'a CacheRuntimeMaintenance, type_: &str) -> &'a Condition {
    rec.status
        .as_ref()
        .unwrap()
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .unwrap_or_else(|| panic!("no condition {type_}"))
}

fn running(rec: &CacheRuntimeMaintenance, name: &str) -> bool {
    rec.status
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .any(|s| s.name == name && s.state == StepState::Running)
}

fn image_of(store: &Store, ns: &str, name: &str) -> String {
    observe::spec_image(pod(store, ns, name))
        .unwrap_or("")
        .to_string()
}

mod upgrade {
    use super::*;
    use fluidops::workflows::plan::{self, UpgradeRequest};

    fn imagenet() -> ObjectKey {
        ObjectKey::new(Kind::CacheRuntime, "imagenet", "imagenet-train")
    }

    const PODS: [&str; 4] = [
        "imagenet-train-master-0",
        "imagenet-train-worker-2",
        "imagenet-train-worker-1",
        "imagenet-train-worker-0",
    ];

    fn start(sim: &mut Sim, req: UpgradeRequest) -> ObjectKey {
        let name = plan::maintenance_name("imagenet-train", Default::default(), sim.now());
        let p = plan::plan_upgrade(&sim.store, &req, &name, sim.now()).unwrap();
        let key = sim.create(p.record);
        let prompt = sim
            .input(&key, Input::Observe)
            .prompt
            .expect("first prompt");
        assert!(prompt.title.starts_with("Start the in-place upgrade"));
        sim.input(&key, Input::Confirm);
        key
    }

    fn request(tag: &str) -> UpgradeRequest {
        UpgradeRequest::new(imagenet(), "curvine/curvine", tag)
    }

    #[test]
    fn master_and_worker_to_a_new_tag_in_place() {
        let mut sim = Sim::new(7);
        let before: Vec<(String, i32)> = PODS
            .iter()
            .map(|p| {
                let pod = pod(&sim.store, "imagenet", p);
                (observe::uid(pod).to_string(), observe::restart_count(pod))
            })
            .collect();
        let req = request("v0.2.6");
        let name = plan::maintenance_name("imagenet-train", Default::default(), sim.now());
        let p = plan::plan_upgrade(&sim.store, &req, &name, sim.now()).unwrap();
        let key = sim.create(p.record);

        let d = sim.input(&key, Input::Observe);
        let prompt = d.prompt.expect("the first step is always confirmed");
        assert!(prompt.title.contains("v0.2.6"), "{}", prompt.title);
        assert_eq!(
            sim.rec(&key).phase(),
            MaintenancePhase::AwaitingConfirmation
        );
        assert!(
            sim.sent.is_empty(),
            "nothing is written before the confirmation"
        );

        sim.input(&key, Input::Confirm);
        assert_eq!(sim.rec(&key).phase(), MaintenancePhase::Running);
        assert_eq!(
            lock_of(&sim.store, "imagenet", "imagenet-train"),
            Some(name.clone())
        );
        sim.run_until(&key, 300, terminal);
        let rec = sim.rec(&key);
        assert_eq!(
            rec.phase(),
            MaintenancePhase::Succeeded,
            "{}",
            timeline(&rec)
        );
        for (p, (uid, restarts)) in PODS.iter().zip(before) {
            let pod = pod(&sim.store, "imagenet", p);
            assert_eq!(observe::uid(pod), uid, "{p} kept its UID");
            assert_eq!(
                observe::restart_count(pod),
                restarts + 1,
                "{p} restarted once"
            );
            assert_eq!(observe::spec_image(pod), Some("curvine/curvine:v0.2.6"));
            assert_eq!(observe::status_image(pod), Some("curvine/curvine:v0.2.6"));
        }
        // The timeline: every step Done, in order, with start/finish times and the facts.
        let st = rec.status.as_ref().unwrap();
        let names: Vec<&str> = st.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "preflight",
                "patch-master",
                "wait-master-0",
                "remount-master",
                "patch-worker",
                "wait-worker-2",
                "wait-worker-1",
                "wait-worker-0",
                "verify"
            ]
        );
        let mut last = String::new();
        for s in &st.steps {
            assert_eq!(s.state, StepState::Done, "{}", timeline(&rec));
            let (a, b) = (
                s.started_at.clone().unwrap(),
                s.finished_at.clone().unwrap(),
            );
            assert!(a <= b && last <= a, "{}: {a}..{b} after {last}", s.name);
            last = b;
        }
        let w2 = step(&rec, "wait-worker-2");
        assert_eq!(w2.observed.get("inPlace").map(String::as_str), Some("true"));
        assert_eq!(
            w2.observed.get("InPlaceUpdateReady"),
            None,
            "upstream never sets it"
        );
        assert!(w2.message.as_deref().unwrap().contains("updated in place"));
        assert!(
            step(&rec, "remount-master")
                .observed
                .contains_key("status.mountTime")
        );
        assert_eq!(
            st.previous
                .get("worker")
                .and_then(|v| v.reference())
                .as_deref(),
            Some("curvine/curvine:v0.2.5")
        );
        assert!(st.finished_at.is_some());
        assert_eq!(
            condition(&rec, "Progressing").reason.as_deref(),
            Some("Succeeded")
        );
        assert_eq!(
            lock_of(&sim.store, "imagenet", "imagenet-train"),
            None,
            "lock removed"
        );
        let rt = sim.store.runtime("imagenet", "imagenet-train").unwrap();
        for c in [Component::Master, Component::Worker] {
            let v = rt
                .component_spec(c)
                .unwrap()
                .runtime_version
                .as_ref()
                .unwrap();
            assert_eq!(v.reference().as_deref(), Some("curvine/curvine:v0.2.6"));
        }
        // Lock, two patches, unlock: nothing else was written.
        assert_eq!(sim.sent.len(), 4, "{:#?}", sim.sent);
    }

    #[test]
    fn confirm_each_step_prompts_before_every_patch_and_the_partition_holds_the_pods() {
        let mut sim = Sim::new(7);
        let mut req = request("v0.2.6");
        req.components = vec![Component::Worker];
        req.strategy.confirm_each_step = Some(true);
        let name = plan::maintenance_name("imagenet-train", Default::default(), sim.now());
        let p = plan::plan_upgrade(&sim.store, &req, &name, sim.now()).unwrap();
        let key = sim.create(p.record);
        let mut prompted = Vec::new();
        loop {
            let rec = sim.rec(&key);
            if terminal(&rec) {
                break;
            }
            let d = sim.input(&key, Input::Observe);
            let Some(prompt) = d.prompt else {
                sim.tick(1);
                continue;
            };
            let rec = sim.rec(&key);
            assert_eq!(rec.phase(), MaintenancePhase::AwaitingConfirmation);
            let at = &rec.status.as_ref().unwrap().steps[prompt.step];
            assert_eq!(
                at.state,
                StepState::Pending,
                "a prompt comes before its step"
            );
            if at.name == "update-worker-1" {
                // Held by the partition while the operator thinks: worker-1 and worker-0 stay.
                sim.tick(30);
                sim.input(&key, Input::Observe);
                assert_eq!(
                    image_of(&sim.store, "imagenet", "imagenet-train-worker-1"),
                    "curvine/curvine:v0.2.5"
                );
                assert_eq!(
                    image_of(&sim.store, "imagenet", "imagenet-train-worker-2"),
                    "curvine/curvine:v0.2.6"
                );
            }
            prompted.push((at.name.clone(), prompt.title.clone(), prompt.lines.clone()));
            sim.input(&key, Input::Confirm);
        }
        let rec = sim.rec(&key);
        assert_eq!(
            rec.phase(),
            MaintenancePhase::Succeeded,
            "{}",
            timeline(&rec)
        );
        let names: Vec<&str> = prompted.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "preflight",
                "partition-worker",
                "patch-worker",
                "update-worker-2",
                "update-worker-1",
                "update-worker-0"
            ]
        );
        // Each prompt names exactly what it writes.
        assert_eq!(
            prompted[1].2[0],
            "patch AdvancedStatefulSet imagenet/imagenet-train-worker: spec.updateStrategy.rollingUpdate.partition = 3"
        );
        assert_eq!(
            prompted[2].2[0],
            "patch CacheRuntime imagenet/imagenet-train: spec.worker.runtimeVersion.image = curvine/curvine, spec.worker.runtimeVersion.imageTag = v0.2.6"
        );
        assert_eq!(
            prompted[4].2[0],
            "patch AdvancedStatefulSet imagenet/imagenet-train-worker: spec.updateStrategy.rollingUpdate.partition = 1"
        );
        assert!(
            prompted[3].1.starts_with("Step 4/7 update-worker-2"),
            "{}",
            prompted[3].1
        );
        let w = match sim.store.get(&ObjectKey::new(
            Kind::AdvancedStatefulSet,
            "imagenet",
            "imagenet-train-worker",
        )) {
            Some(Object::Workload(w)) => w.clone(),
            _ => panic!(),
        };
        assert_eq!(observe::partition(&w), 0, "partition back to 0");
    }

    #[test]
    fn the_next_step_waits_while_the_runtime_is_unhealthy() {
        let mut sim = Sim::new(7);
        let key = start(&mut sim, request("v0.2.6"));
        sim.run_until(&key, 100, |r| running(r, "remount-master"));
        let w1 = ObjectKey::new(Kind::Pod, "imagenet", "imagenet-train-worker-1");
        sim.cluster.lock().unwrap().delete(&w1).unwrap();
        sim.sync();
        sim.run_until(&key, 60, |r| {
            step(r, "patch-worker").message.as_deref().is_some_and(|m| {
                m.starts_with("waiting for the runtime to be healthy: pod imagenet-train-worker-1")
            })
        });
        let rec = sim.rec(&key);
        assert_eq!(rec.phase(), MaintenancePhase::Running);
        assert_eq!(step(&rec, "patch-worker").state, StepState::Pending);
        let rt = sim.store.runtime("imagenet", "imagenet-train").unwrap();
        let v = rt
            .component_spec(Component::Worker)
            .unwrap()
            .runtime_version
            .as_ref();
        assert_eq!(
            v.unwrap().image_tag,
            "v0.2.5",
            "not patched while a worker is down"
        );
        sim.run_until(&key, 300, terminal);
        let rec = sim.rec(&key);
        assert_eq!(
            rec.phase(),
            MaintenancePhase::Succeeded,
            "{}",
            timeline(&rec)
        );
        // The worker deleted meanwhile came back as a new pod: reported, not taken for in place.
        let w = step(&rec, "wait-worker-1");
        assert_eq!(w.observed.get("inPlace").map(String::as_str), Some("false"));
        assert!(
            w.message
                .as_deref()
                .unwrap()
                .contains("was recreated (UID "),
            "{:?}",
            w.message
        );
    }

    #[test]
    fn pause_holds_the_next_step_and_resume_finishes() {
        let mut sim = Sim::new(7);
        let key = start(&mut sim, request("v0.2.6"));
        assert!(running(&sim.rec(&key), "patch-master"));
        sim.input(&key, Input::Pause);
        assert_eq!(sim.rec(&key).phase(), MaintenancePhase::Paused);
        let sent = sim.sent.len();
        for _ in 0..60 {
            sim.tick(1);
            sim.input(&key, Input::Observe);
        }
        let rec = sim.rec(&key);
        assert_eq!(rec.phase(), MaintenancePhase::Paused);
        // The running step kept being observed and finished; no new step started.
        assert_eq!(step(&rec, "patch-master").state, StepState::Done);
        assert_eq!(step(&rec, "wait-master-0").state, StepState::Pending);
        assert_eq!(sim.sent.len(), sent, "no write while paused");
        assert_eq!(
            image_of(&sim.store, "imagenet", "imagenet-train-worker-2"),
            "curvine/curvine:v0.2.5"
        );
        let c = condition(&rec, "Progressing");
        assert_eq!(c.reason.as_deref(), Some("PauseRequested"));

        sim.input(&key, Input::Resume);
        assert_eq!(sim.rec(&key).phase(), MaintenancePhase::Running);
        // A second console asks for a pause through spec.paused; this one reacts.
        sim.run_until(&key, 120, |r| running(r, "wait-worker-1"));
        let rec = sim.rec(&key);
        let flag = machine::spec_flag_write(&rec, Some(true), None);
        sim.write(&flag).unwrap();
        sim.sync();
        sim.input(&key, Input::Observe);
        let rec = sim.rec(&key);
        assert_eq!(rec.phase(), MaintenancePhase::Paused);
        assert!(
            condition(&rec, "Progressing")
                .message
                .as_deref()
                .unwrap()
                .contains("spec.paused")
        );
        let flag = machine::spec_flag_write(&rec, Some(false), None);
        sim.write(&flag).unwrap();
        sim.sync();
        sim.run_until(&key, 300, terminal);
        assert_eq!(sim.rec(&key).phase(), MaintenancePhase::Succeeded);
    }

    #[test]
    fn abort_mid_way_rolls_back_to_the_old_image_everywhere() {
        let mut sim = Sim::new(7);
        let key = start(&mut sim, request("v0.2.6"));
        sim.run_until(&key, 200, |r| running(r, "wait-worker-1"));
        assert_eq!(
            image_of(&sim.store, "imagenet", "imagenet-train-worker-2"),
            "curvine/curvine:v0.2.6"
        );
        // Another console asks for the abort through spec.abort; this one reacts.
        let flag = machine::spec_flag_write(&sim.rec(&key), None, Some(true));
        sim.write(&flag).unwrap();
        sim.sync();
        sim.input(&key, Input::Observe);
        let rec = sim.rec(&key);
        assert_eq!(rec.phase(), MaintenancePhase::Running);
        assert_eq!(
            condition(&rec, "RollbackReason").message.as_deref(),
            Some("abort requested via spec.abort")
        );
        assert_eq!(step(&rec, "wait-worker-1").state, StepState::Skipped);
        assert_eq!(step(&rec, "verify").state, StepState::Skipped);
        sim.run_until(&key, 400, terminal);
        let rec = sim.rec(&key);
        assert_eq!(
            rec.phase(),
            MaintenancePhase::RolledBack,
            "{}",
            timeline(&rec)
        );
        let names: Vec<&str> = rec
            .status
            .as_ref()
            .unwrap()
            .steps
            .iter()
            .filter(|s| s.name.starts_with("rollback-"))
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "rollback-worker",
                "rollback-wait-worker-2",
                "rollback-wait-worker-1",
                "rollback-wait-worker-0",
                "rollback-master",
                "rollback-wait-master-0",
                "rollback-remount-master",
                "rollback-verify"
            ]
        );
        for p in PODS {
            assert_eq!(
                image_of(&sim.store, "imagenet", p),
                "curvine/curvine:v0.2.5",
                "{p}"
            );
            assert!(is_ready(pod(&sim.store, "imagenet", p)), "{p} Ready");
        }
        let rt = sim.store.runtime("imagenet", "imagenet-train").unwrap();
        for c in [Component::Master, Component::Worker] {
            let v = rt
                .component_spec(c)
                .unwrap()
                .runtime_version
                .as_ref()
                .unwrap();
            assert_eq!(
                v.reference().as_deref(),
                Some("curvine/curvine:v0.2.5"),
                "{c}"
            );
        }
        assert_eq!(lock_of(&sim.store, "imagenet", "imagenet-train"), None);
    }

    #[test]
    fn a_tag_that_cannot_be_pulled_fails_the_step_and_pauses_with_the_reason() {
        let mut sim = Sim::new(7);
        let key = start(&mut sim, request("v0.3.0-does-not-exist"));
        let waited = sim.run_until(&key, 200, |r| r.phase() == MaintenancePhase::Paused);
        // Failed early (a bad pull for over a minute), well before the 600 s timeout.
        assert!(waited < 120, "{waited}s");
        let rec = sim.rec(&key);
        show(&rec);
        let s = step(&rec, "wait-master-0");
        assert_eq!(s.state, StepState::Failed);
        let msg = s.message.clone().unwrap();
        assert!(
            msg.contains("ImagePullBackOff") || msg.contains("ErrImagePull"),
            "{msg}"
        );
        assert!(
            msg.contains("curvine/curvine:v0.3.0-does-not-exist"),
            "{msg}"
        );
        let c = condition(&rec, "Progressing");
        assert_eq!(c.status, ConditionStatus::False);
        assert_eq!(c.reason.as_deref(), Some("StepFailed"));
        assert!(c.message.as_deref().unwrap().contains("wait-master-0"));
        // The workers were never touched.
        assert_eq!(
            image_of(&sim.store, "imagenet", "imagenet-train-worker-2"),
            "curvine/curvine:v0.2.5"
        );
        // Retry fails the same way; abort rolls the master back.
        sim.input(&key, Input::Retry);
        assert!(running(&sim.rec(&key), "wait-master-0"));
        sim.input(&key, Input::Abort);
        sim.run_until(&key, 300, terminal);
        let rec = sim.rec(&key);
        assert_eq!(
            rec.phase(),
            MaintenancePhase::RolledBack,
            "{}",
            timeline(&rec)
        );
        assert_eq!(
            image_of(&sim.store, "imagenet", "imagenet-train-master-0"),
            "curvine/curvine:v0.2.5"
        );
        assert!(is_ready(pod(
            &sim.store,
            "imagenet",
            "imagenet-train-master-0"
        )));
    }

    #[test]
    fn with_rollback_on_failure_a_bad_tag_rolls_back_by_itself() {
        let mut sim = Sim::new(7);
        let mut req = request("v0.3.0-does-not-exist");
        req.strategy.rollback_on_failure = Some(true);
        let key = start(&mut sim, req);
        sim.run_until(&key, 400, terminal);
        let rec = sim.rec(&key);
        assert_eq!(
            rec.phase(),
            MaintenancePhase::RolledBack,
            "{}",
            timeline(&rec)
        );
        assert_eq!(step(&rec, "wait-master-0").state, StepState::Failed);
        assert!(
            condition(&rec, "RollbackReason")
                .message
                .as_deref()
                .unwrap()
                .starts_with("step wait-master-0 failed")
        );
        for p in PODS {
            assert_eq!(
                image_of(&sim.store, "imagenet", p),
                "curvine/curvine:v0.2.5",
                "{p}"
            );
        }
        assert_eq!(lock_of(&sim.store, "imagenet", "imagenet-train"), None);
    }

    #[test]
    fn a_step_that_does_not_finish_in_time_times_out_with_what_was_missing() {
        let mut sim = Sim::new(7);
        let mut req = request("v0.3.0-does-not-exist");
        req.strategy.step_timeout_seconds = Some(30);
        let key = start(&mut sim, req);
        let waited = sim.run_until(&key, 100, |r| r.phase() == MaintenancePhase::Paused);
        assert!((30..45).contains(&waited), "{waited}s");
        let rec = sim.rec(&key);
        show(&rec);
        let msg = step(&rec, "wait-master-0").message.clone().unwrap();
        assert!(
            msg.starts_with("timed out after 30s waiting for Pod/imagenet-train-master-0: Ready False (ImagePullBackOff"),
            "{msg}"
        );
        assert!(msg.contains("Ready False ("), "{msg}");
        assert_eq!(
            condition(&rec, "Progressing").reason.as_deref(),
            Some("StepTimedOut")
        );
    }
}

mod rebuild {
    use super::*;
    use fluidops::model::OpKind;
    use fluidops::model::maintenance::MaintenanceType;
    use fluidops::model::operation::TargetPath;
    use fluidops::workflows::plan::{self, RebuildDataLoad, RebuildRequest};

    fn imagenet() -> ObjectKey {
        ObjectKey::new(Kind::CacheRuntime, "imagenet", "imagenet-train")
    }

    fn node_of(store: &Store, name: &str) -> String {
        fluidops::model::pod::node_of(pod(store, "imagenet", name))
            .unwrap()
            .to_string()
    }

    fn start(sim: &mut Sim, req: &RebuildRequest) -> ObjectKey {
        let name = plan::maintenance_name("imagenet-train", MaintenanceType::Rebuild, sim.now());
        let p = plan::plan_rebuild(&sim.store, req, &name, sim.now()).unwrap();
        let key = sim.create(p.record);
        let prompt = sim
            .input(&key, Input::Observe)
            .prompt
            .expect("first prompt");
        assert!(
            prompt
                .title
                .starts_with("Start the rebuild of imagenet/imagenet-train")
        );
        sim.input(&key, Input::Confirm);
        key
    }

    #[test]
    fn after_a_lost_node_force_delete_recreate_and_rewarm() {
        let mut sim = Sim::new(7);
        let old_uid =
            observe::uid(pod(&sim.store, "imagenet", "imagenet-train-worker-1")).to_string();
        let node = node_of(&sim.store, "imagenet-train-worker-1");
        sim.cluster.lock().unwrap().fail_node(&node);
        sim.tick(310);
        let cands = plan::rebuild_candidates(&sim.store, &imagenet(), sim.now());
        let cand = cands
            .iter()
            .find(|c| c.pod == "imagenet-train-worker-1")
            .expect("the lost worker is suggested");
        assert!(cand.lost_or_stale && cand.reason == "NodeFailure");

        let mut req = RebuildRequest::new(imagenet(), &cand.reason);
        req.nodes = vec![node.clone()];
        req.force_delete_lost_pods = true;
        req.reload_data = true;
        req.data_load = Some(RebuildDataLoad {
            load_metadata: Some(true),
            target: vec![TargetPath {
                path: "/imagenet/train".into(),
                ..Default::default()
            }],
        });
        let key = start(&mut sim, &req);
        let rec = sim.rec(&key);
        let names: Vec<&str> = rec
            .status
            .as_ref()
            .unwrap()
            .steps
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "preflight",
                "force-delete-worker-1",
                "wait-worker-1",
                "rewarm",
                "wait-rewarm",
                "verify"
            ]
        );
        sim.run_until(&key, 300, terminal);
        let rec = sim.rec(&key);
        show(&rec);
        assert_eq!(
            rec.phase(),
            MaintenancePhase::Succeeded,
            "{}",
            timeline(&rec)
        );

        // The pod came back under its name with a new UID, on a live node, Running and Ready.
        let w1 = pod(&sim.store, "imagenet", "imagenet-train-worker-1");
        assert_ne!(observe::uid(w1), old_uid);
        assert!(is_ready(w1));
        assert_ne!(fluidops::model::pod::node_of(w1), Some(node.as_str()));
        let wait = step(&rec, "wait-worker-1");
        assert_eq!(wait.observed.get("previousUid"), Some(&old_uid));
        assert_eq!(
            wait.observed.get("recreated").map(String::as_str),
            Some("true")
        );
        assert_eq!(
            step(&rec, "preflight")
                .observed
                .get(&format!("node/{node}"))
                .map(|s| s.starts_with("Terminating since")),
            Some(true)
        );
        // Only that pod was force-deleted; workloads untouched.
        assert!(
            sim.sent.iter().any(
                |w| matches!(w, WriteOp::ForceDelete(k) if k.name == "imagenet-train-worker-1")
            )
        );
        assert!(!sim.sent.iter().any(|w| matches!(
            w,
            WriteOp::Delete(_)
                | WriteOp::ForceDelete(ObjectKey {
                    kind: Kind::AdvancedStatefulSet,
                    ..
                })
        )));

        // The re-warm DataLoad: named after the run, labelled, for the runtime's dataset, Complete.
        let dl_name = format!("{}-rewarm", key.name);
        let dl = match sim.store.get(&ObjectKey::new(
            Kind::Operation(OpKind::DataLoad),
            "imagenet",
            &dl_name,
        )) {
            Some(Object::Operation(o)) => o.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(dl.phase(), fluidops::model::OpPhase::Complete);
        assert_eq!(
            dl.target_dataset(),
            Some(("imagenet".into(), "imagenet-train".into()))
        );
        let labels = dl.metadata.labels.clone().unwrap();
        assert_eq!(labels.get("fluidops.io/maintenance"), Some(&key.name));
        assert_eq!(
            labels.get("fluidops.io/runtime").map(String::as_str),
            Some("imagenet-train")
        );
        assert_eq!(dl.spec.load_metadata, Some(true));
        assert_eq!(dl.spec.target.as_ref().unwrap()[0].path, "/imagenet/train");
        assert_eq!(lock_of(&sim.store, "imagenet", "imagenet-train"), None);
        assert_eq!(
            sim.store
                .runtime("imagenet", "imagenet-train")
                .unwrap()
                .component_phase(Component::Worker),
            fluidops::model::RuntimePhase::Ready
        );
    }

    #[test]
    fn a_failed_rewarm_fails_its_step_with_the_dataload_condition() {
        let mut sim = Sim::new(7);
        let mut req = RebuildRequest::new(imagenet(), "Manual");
        req.pods = vec!["imagenet-train-worker-0".into()];
        req.reload_data = true;
        req.data_load = Some(RebuildDataLoad {
            load_metadata: None,
            target: vec![TargetPath {
                path: "/elsewhere".into(),
                ..Default::default()
            }],
        });
        let key = start(&mut sim, &req);
        sim.run_until(&key, 400, |r| r.phase() == MaintenancePhase::Paused);
        let rec = sim.rec(&key);
        show(&rec);
        assert_eq!(step(&rec, "wait-worker-0").state, StepState::Done);
        let s = step(&rec, "wait-rewarm");
        assert_eq!(s.state, StepState::Failed);
        let msg = s.message.clone().unwrap();
        assert!(
            msg.starts_with(&format!("DataLoad {}-rewarm Failed: ", key.name)),
            "{msg}"
        );
        assert!(msg.contains("BackoffLimitExceeded"), "{msg}");
        // A rebuild cannot roll back: abort just stops.
        sim.input(&key, Input::Abort);
        let rec = sim.rec(&key);
        assert_eq!(rec.phase(), MaintenancePhase::Aborted);
        assert_eq!(step(&rec, "verify").state, StepState::Skipped);
        assert_eq!(lock_of(&sim.store, "imagenet", "imagenet-train"), None);
    }

    #[test]
    fn a_node_that_dies_mid_rebuild_fails_the_wait_and_pauses() {
        let mut sim = Sim::new(7);
        let mut req = RebuildRequest::new(imagenet(), "Manual");
        req.pods = vec![
            "imagenet-train-worker-2".into(),
            "imagenet-train-worker-0".into(),
        ];
        req.strategy.step_timeout_seconds = Some(60);
        let key = start(&mut sim, &req);
        let old = sim.rec(&key);
        let old_uid = step(&old, "preflight").observed["pod/imagenet-train-worker-2.uid"].clone();
        // As soon as the new worker-2 is scheduled, its node dies.
        let mut killed = None;
        for _ in 0..30 {
            sim.tick(1);
            sim.input(&key, Input::Observe);
            if let Some(Object::Pod(p)) = sim.store.get(&ObjectKey::new(
                Kind::Pod,
                "imagenet",
                "imagenet-train-worker-2",
            )) && observe::uid(p) != old_uid
            {
                let n = fluidops::model::pod::node_of(p).unwrap().to_string();
                sim.cluster.lock().unwrap().fail_node(&n);
                killed = Some(n);
                break;
            }
        }
        let node = killed.expect("worker-2 was recreated");
        sim.run_until(&key, 200, |r| r.phase() == MaintenancePhase::Paused);
        let rec = sim.rec(&key);
        show(&rec);
        let s = step(&rec, "wait-worker-2");
        assert_eq!(s.state, StepState::Failed);
        let msg = s.message.clone().unwrap();
        assert!(
            msg.starts_with("timed out after 60s waiting for Pod/imagenet-train-worker-2: new imagenet-train-worker-2"),
            "{msg}"
        );
        assert!(msg.contains(&node), "{msg}");
        assert_eq!(
            condition(&rec, "Progressing").reason.as_deref(),
            Some("StepTimedOut")
        );
        // worker-0 was not touched: the run stopped before its delete.
        assert_eq!(step(&rec, "delete-worker-0").state, StepState::Pending);
        assert!(
            !sim.sent
                .iter()
                .any(|w| matches!(w, WriteOp::Delete(k) if k.name == "imagenet-train-worker-0"))
        );
    }
}

mod client {
    use super::*;
    use fluidops::model::maintenance::MaintenanceType;
    use fluidops::workflows::plan::{self, RebuildRequest};

    #[test]
    fn fuse_pods_are_rebuilt_only_with_a_confirmation_each() {
        let mut sim = Sim::new(7);
        let rt = ObjectKey::new(Kind::CacheRuntime, "imagenet", "imagenet-train");
        let mut req = RebuildRequest::new(rt, "Manual");
        req.components = vec![Component::Client];
        let refused = plan::plan_rebuild(&sim.store, &req, "r", sim.now()).unwrap_err();
        assert!(refused.to_string().contains("interrupts the FUSE mount"));
        req.client_confirmed = true;
        let name = plan::maintenance_name("imagenet-train", MaintenanceType::Rebuild, sim.now());
        let p = plan::plan_rebuild(&sim.store, &req, &name, sim.now()).unwrap();
        let key = sim.create(p.record);
        let mut prompts = Vec::new();
        for _ in 0..300 {
            if terminal(&sim.rec(&key)) {
                break;
            }
            let d = sim.input(&key, Input::Observe);
            if let Some(prompt) = d.prompt {
                prompts.push(prompt.clone());
                sim.input(&key, Input::Confirm);
            }
            sim.tick(1);
        }
        let rec = sim.rec(&key);
        assert_eq!(
            rec.phase(),
            MaintenancePhase::Succeeded,
            "{}",
            timeline(&rec)
        );
        // The start, then each of the two fuse pods, though confirmEachStep is off.
        assert_eq!(prompts.len(), 3, "{prompts:#?}");
        assert!(
            prompts[1].title.contains("delete-client-"),
            "{}",
            prompts[1].title
        );
        assert!(
            prompts[1]
                .lines
                .iter()
                .any(|l| l.contains("loses its FUSE mount")),
            "{:#?}",
            prompts[1].lines
        );
        let waits: Vec<&MaintenanceStep> = rec
            .status
            .as_ref()
            .unwrap()
            .steps
            .iter()
            .filter(|s| s.name.starts_with("wait-client-"))
            .collect();
        assert_eq!(waits.len(), 2);
        for w in waits {
            // A DaemonSet pod comes back under a new name on the same node.
            assert_ne!(
                w.observed.get("pod"),
                w.target
                    .as_ref()
                    .and_then(|t| t.strip_prefix("Pod/").map(String::from))
                    .as_ref()
            );
            assert!(w.message.as_deref().unwrap().contains("recreated"));
        }
    }
}

mod consoles {
    use super::*;
    use fluidops::model::maintenance::MaintenanceType;
    use fluidops::workflows::plan::{self, RebuildRequest, UpgradeRequest};

    /// Two consoles drive the same record in turns; the second sees the record one turn late.
    fn drive_with_two_consoles(
        sim: &mut Sim,
        key: &ObjectKey,
        max: u64,
        conflicts: &mut usize,
    ) -> (usize, usize) {
        let mut store_b = Store::new();
        {
            let c = sim.cluster.lock().unwrap();
            for e in c.initial_events() {
                store_b.apply(e, c.now());
            }
        }
        sim.tapping = true;
        let mut lag: Vec<(ClusterEvent, Timestamp)> = Vec::new();
        let mut drive_b = Drive::default();
        let (mut a_commits, mut b_commits) = (0, 0);
        for turn in 0..max {
            if terminal(&sim.rec(key)) {
                break;
            }
            sim.tick(1);
            lag.append(&mut sim.tap);
            if turn % 2 == 0 {
                let a = sim.drive(key, Input::Observe);
                a_commits += a.commits;
                *conflicts += a.conflicts;
            } else {
                // B's watch of the record runs late: every other turn it has caught up;
                // otherwise it decides on the record as it saw it up to two seconds ago, with
                // the rest of the cluster as it is now.
                let (late, now_seen): (Vec<_>, Vec<_>) = lag
                    .drain(..)
                    .partition(|(e, _)| matches!(e, ClusterEvent::Applied(Object::Maintenance(_))));
                for (e, at) in now_seen {
                    store_b.apply(e, at);
                }
                lag = late;
                if turn % 4 == 1 {
                    for (e, at) in lag.drain(..) {
                        store_b.apply(e, at);
                    }
                }
                // B's driver commits against the record version B knows.
                let now = sim.now();
                let t = drive_b.decide(key, &store_b, now, Some(Input::Observe));
                let b = send_turns(
                    &sim.writer,
                    &mut sim.sent,
                    &mut drive_b,
                    key,
                    &store_b,
                    now,
                    t,
                );
                assert_eq!(b.refused, 0, "a write of B was refused: {:#?}", sim.sent);
                b_commits += b.commits;
                *conflicts += b.conflicts;
                sim.sync();
            }
            lag.append(&mut sim.tap);
        }
        sim.tapping = false;
        (a_commits, b_commits)
    }

    fn assert_no_repeats(sent: &[WriteOp]) {
        for (i, w) in sent.iter().enumerate() {
            assert!(
                !sent[..i].contains(w),
                "write sent twice: {w:?}\nall: {sent:#?}"
            );
        }
    }

    #[test]
    fn two_consoles_never_repeat_a_rebuild_write() {
        let mut sim = Sim::new(11);
        let rt = ObjectKey::new(Kind::CacheRuntime, "imagenet", "imagenet-train");
        let req = RebuildRequest::new(rt, "Manual");
        let name = plan::maintenance_name("imagenet-train", MaintenanceType::Rebuild, sim.now());
        let p = plan::plan_rebuild(&sim.store, &req, &name, sim.now()).unwrap();
        let key = sim.create(p.record);
        sim.input(&key, Input::Observe);
        sim.input(&key, Input::Confirm);
        let mut conflicts = 0;
        let (a, b) = drive_with_two_consoles(&mut sim, &key, 600, &mut conflicts);
        assert!(conflicts > 0, "the stale console was refused at least once");
        let rec = sim.rec(&key);
        show(&rec);
        assert_eq!(
            rec.phase(),
            MaintenancePhase::Succeeded,
            "{}",
            timeline(&rec)
        );
        assert!(
            a > 0 && b > 0,
            "both consoles committed steps (A {a}, B {b})"
        );
        assert_no_repeats(&sim.sent);
        let deletes = sim
            .sent
            .iter()
            .filter(|w| matches!(w, WriteOp::Delete(_)))
            .count();
        assert_eq!(deletes, 3, "{:#?}", sim.sent);
        // Lock, three deletes, unlock.
        assert_eq!(sim.sent.len(), 5, "{:#?}", sim.sent);
    }

    #[test]
    fn two_consoles_never_repeat_an_upgrade_write() {
        let mut sim = Sim::new(11);
        let rt = ObjectKey::new(Kind::CacheRuntime, "imagenet", "imagenet-train");
        let mut req = UpgradeRequest::new(rt, "curvine/curvine", "v0.2.6");
        req.strategy.use_partition = Some(true);
        let name = plan::maintenance_name("imagenet-train", MaintenanceType::Upgrade, sim.now());
        let p = plan::plan_upgrade(&sim.store, &req, &name, sim.now()).unwrap();
        let key = sim.create(p.record);
        sim.input(&key, Input::Observe);
        sim.input(&key, Input::Confirm);
        let mut conflicts = 0;
        let (a, b) = drive_with_two_consoles(&mut sim, &key, 800, &mut conflicts);
        assert!(conflicts > 0, "the stale console was refused at least once");
        let rec = sim.rec(&key);
        assert_eq!(
            rec.phase(),
            MaintenancePhase::Succeeded,
            "{}",
            timeline(&rec)
        );
        assert!(
            a > 0 && b > 0,
            "both consoles committed steps (A {a}, B {b})"
        );
        assert_no_repeats(&sim.sent);
    }
}
