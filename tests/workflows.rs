//! Whole maintenance runs against the embedded demo cluster on a stepped clock: the test plays the
//! driver (commit the status with its resourceVersion precondition, then send the writes), the
//! demo cluster plays Fluid, the AdvancedStatefulSet controller and the kubelet.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fluidops::cluster::Store;
use fluidops::cluster::writer::{DemoWriter, Write, WriteError, WriteOp, Writer, merge_patch};
use fluidops::demo::DemoCluster;
use fluidops::model::Component;
use fluidops::model::maintenance::{MaintenancePhase, MaintenanceStep, StepState};
use fluidops::model::meta::{Condition, ConditionStatus};
use fluidops::model::pod::is_ready;
use fluidops::model::{CacheRuntimeMaintenance, Kind, Object, ObjectKey};
use fluidops::workflows::machine::Prompt;
use fluidops::workflows::machine::{self, Decision, Input};
use fluidops::workflows::observe;
use jiff::Timestamp;

const T0: &str = "2026-11-25T10:02:00Z";

/// The driver and the cluster.
struct Sim {
    cluster: Arc<Mutex<DemoCluster>>,
    writer: DemoWriter,
    store: Store,
    /// Every cluster write sent (status commits excluded).
    sent: Vec<WriteOp>,
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
        for e in events {
            self.store.apply(e, now);
        }
    }

    fn tick(&mut self, secs: u64) {
        for _ in 0..secs {
            let (events, now) = {
                let mut c = self.cluster.lock().unwrap();
                (c.advance(Duration::from_secs(1)), c.now())
            };
            for e in events {
                self.store.apply(e, now);
            }
        }
    }

    fn create(&mut self, rec: CacheRuntimeMaintenance) -> ObjectKey {
        let obj = Object::Maintenance(rec);
        let key = obj.key();
        self.cluster.lock().unwrap().create(obj).unwrap();
        self.sync();
        key
    }

    fn rec(&self, key: &ObjectKey) -> CacheRuntimeMaintenance {
        match self.store.get(key) {
            Some(Object::Maintenance(m)) => m.clone(),
            other => panic!("no maintenance {key}: {other:?}"),
        }
    }

    fn write(&mut self, op: &WriteOp) -> Result<(), WriteError> {
        let w = Write::new(op.clone());
        futures::executor::block_on(self.writer.write(&w)).map(|_| ())
    }

    /// The status commit. The demo writer merges a status patch through the main resource
    /// (which keeps the stored status), so the test applies it like the status subresource
    /// would: resourceVersion precondition, merge into the status, store.
    fn commit_status(&mut self, op: &WriteOp) -> Result<(), String> {
        let WriteOp::MergePatchStatus { key, patch } = op else {
            panic!("not a status write: {op:?}");
        };
        let mut c = self.cluster.lock().unwrap();
        let cur = c.get(key).cloned().ok_or("record gone")?;
        let want = patch
            .pointer("/metadata/resourceVersion")
            .and_then(|v| v.as_str());
        if want.is_some() && cur.meta().resource_version.as_deref() != want {
            return Err("409 Conflict: the object has been modified".into());
        }
        let mut v = cur.to_value();
        merge_patch(&mut v, &serde_json::json!({ "status": patch["status"] }));
        let obj = Object::from_value(v).unwrap().unwrap();
        c.delete(key).unwrap();
        c.create(obj).unwrap();
        Ok(())
    }

    /// What the app does with a decision: commit the status, then send the writes in order; a
    /// refused write is reported back to the machine.
    fn execute(&mut self, key: &ObjectKey, d: &Decision) -> bool {
        let rec = self.rec(key);
        if let Some(st) = &d.status
            && self
                .commit_status(&machine::record_status_write(&rec, st))
                .is_err()
        {
            self.sync();
            return false;
        }
        for w in &d.writes {
            self.sent.push(w.clone());
            let r = if matches!(w, WriteOp::MergePatchStatus { .. }) {
                self.commit_status(w).map_err(|e| e.to_string())
            } else {
                self.write(w).map_err(|e| e.to_string())
            };
            if let Err(e) = r {
                self.sync();
                let rec = self.rec(key);
                let f = machine::write_failed(&rec, &self.store, self.now(), &e);
                if let Some(st) = &f.status {
                    let _ = self.commit_status(&machine::record_status_write(&rec, st));
                }
                break;
            }
        }
        self.sync();
        true
    }

    fn input(&mut self, key: &ObjectKey, input: Input) -> Decision {
        let rec = self.rec(key);
        let d = machine::advance(&rec, &self.store, self.now(), input);
        self.execute(key, &d);
        d
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

fn step_states(rec: &CacheRuntimeMaintenance) -> Vec<(String, StepState)> {
    rec.status
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .map(|s| (s.name.clone(), s.state.clone()))
        .collect()
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

/// Observes until a prompt is pending and returns it, or panics after `max` seconds.
fn next_prompt(sim: &mut Sim, key: &ObjectKey, max: u64) -> Prompt {
    for _ in 0..max {
        let d = sim.input(key, Input::Observe);
        if let Some(p) = d.prompt {
            return p;
        }
        assert!(
            !terminal(&sim.rec(key)),
            "ended without a prompt:\n{}",
            timeline(&sim.rec(key))
        );
        sim.tick(1);
    }
    panic!("no prompt after {max}s:\n{}", timeline(&sim.rec(key)));
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
            w2.observed.get("InPlaceUpdateReady").map(String::as_str),
            Some("True")
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
        sim.input(&key, Input::Abort);
        let rec = sim.rec(&key);
        assert_eq!(rec.phase(), MaintenancePhase::Running);
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
            msg.starts_with("timed out after 30s waiting for Pod/imagenet-train-master-0: InPlaceUpdateReady False, Ready False (ImagePullBackOff"),
            "{msg}"
        );
        assert!(msg.contains("Ready False ("), "{msg}");
        assert_eq!(
            condition(&rec, "Progressing").reason.as_deref(),
            Some("StepTimedOut")
        );
    }
}
