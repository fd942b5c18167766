//! Runs the embedded demo cluster as a source: a task that advances the simulated control
//! plane on the wall clock (times a speed factor) and sends what changed to the app.
//!
//! With a scenario, its due steps are applied before each advance and their captions sent as
//! [`SourceMsg::Caption`]. A step that is the presenter's part ([`OperatorAction`]: start an
//! upgrade or rebuild wizard, confirm, pause, resume, abort) changes nothing in the cluster: its
//! action follows its caption as [`SourceMsg::Operator`], and the console's wizard acts on it as
//! on the matching keys. Later
//! steps wait on cues (what the cluster shows), so they follow the run the console actually
//! makes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::mpsc;

use super::event::{ClusterEvent, ConnectionState};
use crate::demo::DemoCluster;
use crate::demo::scenario::{OperatorAction, Scenario};
use crate::model::Kind;

/// What a source sends to the run loop.
#[derive(Debug)]
pub enum SourceMsg {
    /// Events observed at the source's time `at`; an empty batch just moves the clock.
    Batch {
        at: Timestamp,
        events: Vec<ClusterEvent>,
    },
    /// A caption for the audience (demo scenarios).
    Caption(String),
    /// The presenter's part of a scenario, for the console to act on as on the matching keys.
    Operator(OperatorAction),
}

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

/// Spawns the simulation task. It ends when the receiver is dropped. The cluster is shared
/// with the demo writer, which changes it between steps. A scenario's operator steps are sent
/// as [`SourceMsg::Operator`], each right after its caption.
pub fn spawn(
    cluster: Arc<Mutex<DemoCluster>>,
    speed: f64,
    mut scenario: Option<Scenario>,
    tx: mpsc::UnboundedSender<SourceMsg>,
) {
    tokio::spawn(async move {
        let lock = || cluster.lock().unwrap_or_else(|e| e.into_inner());
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
        let mut interval = tokio::time::interval(STEP);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut elapsed = Duration::ZERO;
        loop {
            interval.tick().await;
            let dt = STEP.mul_f64(speed);
            elapsed += dt;
            let mut cluster = lock();
            if let Some(s) = &mut scenario {
                for step in s.due(elapsed, &cluster) {
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
                }
            }
            let batch = SourceMsg::Batch {
                events: cluster.advance(dt),
                at: cluster.now(),
            };
            drop(cluster);
            if tx.send(batch).is_err() {
                return;
            }
        }
    });
}
