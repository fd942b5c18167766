//! Runs the embedded demo cluster as a source: a task that advances the simulated control
//! plane on the wall clock (times a speed factor) and sends what changed to the app.
//!
//! With a scenario, its due step is applied before each advance and its caption sent as
//! [`SourceMsg::Caption`]; the screen it turns to (its page or timeline) follows the batch
//! that carries what the step changed. The [`Player`] keeps each caption on screen its reading
//! time on the wall clock, whatever the speed. A step that is the presenter's part ([`OperatorAction`]: start an
//! upgrade or rebuild wizard, confirm, pause, resume, abort) changes nothing in the cluster: its
//! action follows its caption as [`SourceMsg::Operator`], and the console's wizard acts on it as
//! on the matching keys. Later
//! steps wait on cues (what the cluster shows), so they follow the run the console actually
//! makes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::cluster::source::{Clock, Fault, LogRequest, Source, SourceMsg};
use crate::cluster::{ClusterEvent, ConnectionState};
use crate::demo::DemoCluster;
use crate::demo::scenario::{Player, Scenario};
use crate::model::{Component, Kind, ObjectKey};
use crate::workflows::observe::workload_name;

/// How often the simulation advances, in wall time.
const STEP: Duration = Duration::from_millis(500);

/// The first batches, lazily: connection up, then one batch per kind listed.
pub fn initial_batches(cluster: &DemoCluster) -> impl Iterator<Item = SourceMsg> + '_ {
    let at = cluster.now();
    let connected = vec![ClusterEvent::Connection(ConnectionState::Connected)];
    std::iter::once(connected)
        .chain(
            Kind::ALL
                .into_iter()
                .map(|kind| vec![cluster.initial_event(kind)]),
        )
        .map(move |events| SourceMsg::Batch { at, events })
}

/// The embedded demo cluster as a source: its simulation task, and the cluster it shares with
/// the demo writer (which changes it between steps) for the failures a presenter asks for.
pub struct DemoSource {
    cluster: Arc<Mutex<DemoCluster>>,
    task: tokio::task::JoinHandle<()>,
}

impl DemoSource {
    /// Spawns the simulation task (it ends when the receiver is dropped or the source is). A
    /// scenario's operator steps are sent as [`SourceMsg::Operator`], each right after its
    /// caption.
    pub fn spawn(
        cluster: Arc<Mutex<DemoCluster>>,
        speed: f64,
        scenario: Option<Scenario>,
        tx: mpsc::UnboundedSender<SourceMsg>,
    ) -> DemoSource {
        let task = tokio::spawn(simulate(cluster.clone(), speed, scenario, tx));
        DemoSource { cluster, task }
    }
}

impl Drop for DemoSource {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Source for DemoSource {
    /// The simulated clock runs at the demo's speed; its batches come every [`STEP`].
    fn clock(&self) -> Clock {
        Clock::Source
    }

    fn follow_logs(&mut self, request: LogRequest) {
        let mut cluster = self.cluster.lock().unwrap_or_else(|e| e.into_inner());
        cluster.follow_logs(request);
    }

    fn fault(&mut self, fault: &Fault) -> Option<Result<String, String>> {
        let mut cluster = self.cluster.lock().unwrap_or_else(|e| e.into_inner());
        Some(apply_fault(&mut cluster, fault))
    }
}

async fn simulate(
    cluster: Arc<Mutex<DemoCluster>>,
    speed: f64,
    scenario: Option<Scenario>,
    tx: mpsc::UnboundedSender<SourceMsg>,
) {
    let lock = || cluster.lock().unwrap_or_else(|e| e.into_inner());
    // A scenario tells one story: no random failure interrupts it.
    if scenario.is_some() {
        lock().set_random_failures(false);
    }
    // The first lists kind by kind, each generated as it is sent: at scale, the whole
    // cluster never exists twice (generated and kept) at once.
    {
        let first = lock();
        for msg in initial_batches(&first) {
            if tx.send(msg).is_err() {
                return;
            }
        }
    }
    let speed = if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    };
    // Captions are read on the wall clock, whatever the speed.
    let mut player = scenario.map(|s| Player::new(s, speed));
    let mut interval = tokio::time::interval(STEP);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let mut cluster = lock();
        let mut screen = None;
        if let Some(p) = &mut player
            && let Some(step) = p.due(&cluster)
        {
            let caption = match step.apply(&mut cluster) {
                Ok(()) => step.caption.to_string(),
                Err(e) => format!("{} ({e})", step.caption),
            };
            if tx.send(SourceMsg::Caption(caption)).is_err() {
                return;
            }
            if let Some(action) = step.operator()
                && tx.send(SourceMsg::Operator(action.clone())).is_err()
            {
                return;
            }
            screen = step.screen;
        }
        let dt = match &mut player {
            Some(p) => p.advance(STEP),
            None => STEP.mul_f64(speed),
        };
        let batch = SourceMsg::Batch {
            events: cluster.advance(dt),
            at: cluster.now(),
        };
        drop(cluster);
        if tx.send(batch).is_err() {
            return;
        }
        // The screen follows once the console holds what the step changed.
        if let Some(action) = screen
            && tx.send(SourceMsg::Operator(action)).is_err()
        {
            return;
        }
    }
}

/// Makes the demo cluster show a failure; says what happened, or why not.
fn apply_fault(cluster: &mut DemoCluster, fault: &Fault) -> Result<String, String> {
    let nodes = cluster.node_names();
    let known_node = |n: &str| {
        if nodes.contains(n) {
            Ok(())
        } else {
            let list: Vec<&str> = nodes.iter().map(String::as_str).collect();
            Err(format!("no node {n} (nodes: {})", list.join(", ")))
        }
    };
    match fault {
        Fault::NodeDown(n) => {
            known_node(n)?;
            cluster.fail_node(n);
            Ok(format!("node {n} stopped answering"))
        }
        Fault::NodeUp(n) => {
            known_node(n)?;
            cluster.recover_node(n);
            Ok(format!("node {n} is back"))
        }
        Fault::FailUpdate(rt) => {
            let ns = cluster
                .runtime_namespace(rt)
                .ok_or_else(|| format!("no runtime {rt}"))?;
            for c in [Component::Master, Component::Worker] {
                let key =
                    ObjectKey::new(Kind::AdvancedStatefulSet, ns.clone(), workload_name(rt, c));
                cluster
                    .fail_next_in_place_update(&key)
                    .map_err(|e| e.to_string())?;
            }
            Ok(format!(
                "the next in-place update of {rt}'s master and worker pods fails"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_failures_name_what_they_did_or_why_not() {
        let mut c = DemoCluster::builtin(7, jiff::Timestamp::now());
        let node = c.node_names().into_iter().next().expect("a node");
        let err = apply_fault(&mut c, &Fault::NodeDown("nowhere".into())).unwrap_err();
        assert!(
            err.contains("no node nowhere") && err.contains(&node),
            "{err}"
        );
        assert!(apply_fault(&mut c, &Fault::NodeDown(node.clone())).is_ok());
        assert!(c.lost_nodes().contains(&node));
        assert!(apply_fault(&mut c, &Fault::NodeUp(node.clone())).is_ok());
        assert!(!c.lost_nodes().contains(&node));
        assert!(apply_fault(&mut c, &Fault::FailUpdate("imagenet-train".into())).is_ok());
        let err = apply_fault(&mut c, &Fault::FailUpdate("nope".into())).unwrap_err();
        assert_eq!(err, "no runtime nope");
    }
}
