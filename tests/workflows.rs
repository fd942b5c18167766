//! Whole maintenance runs against the embedded demo cluster on a stepped clock: the test plays the
//! driver (commit the status with its resourceVersion precondition, then send the writes), the
//! demo cluster plays Fluid, the AdvancedStatefulSet controller and the kubelet.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fluidops::cluster::Store;
use fluidops::cluster::writer::{DemoWriter, Write, WriteError, WriteOp, Writer, merge_patch};
use fluidops::demo::DemoCluster;
use fluidops::model::maintenance::{MaintenancePhase, StepState};
use fluidops::model::{CacheRuntimeMaintenance, Kind, Object, ObjectKey};
use fluidops::workflows::machine::{self, Decision, Input};
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

mod upgrade {
    use super::*;
    use fluidops::workflows::observe;
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
        let req = UpgradeRequest::new(imagenet(), "curvine/curvine", "v0.2.6");
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
        let secs = sim.run_until(&key, 300, terminal);
        let rec = sim.rec(&key);
        assert_eq!(
            rec.phase(),
            MaintenancePhase::Succeeded,
            "{}",
            timeline(&rec)
        );
        assert!(secs < 300);
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
        println!("{}", timeline(&rec));
    }
}
