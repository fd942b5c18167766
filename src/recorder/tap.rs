//! Records what a source sends on its way to the console (or, headless, instead of it), in a
//! task of its own: encoding and keyframes never hold up the console's loop.

use std::io;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::writer::{Recorder, Stats};
use crate::cluster::event::ClusterEvent;
use crate::cluster::source::SourceMsg;

/// Where recorded batches go: one recording file, or the rotating flight recording.
pub trait Sink: Send {
    fn record(&mut self, at: Timestamp, events: &[ClusterEvent]) -> io::Result<()>;
    /// Called every few seconds: writes a block that waited long enough on a quiet cluster.
    fn tick(&mut self, now: Timestamp) -> io::Result<()>;
    fn finish(self: Box<Self>) -> io::Result<Stats>;
}

impl<W: io::Write + Send> Sink for Recorder<W> {
    fn record(&mut self, at: Timestamp, events: &[ClusterEvent]) -> io::Result<()> {
        Recorder::record(self, at, events)
    }
    fn tick(&mut self, now: Timestamp) -> io::Result<()> {
        if self.block_older_than(now) {
            self.flush()?;
        }
        Ok(())
    }
    fn finish(mut self: Box<Self>) -> io::Result<Stats> {
        // Stats after the last block is written.
        self.flush()?;
        let stats = self.stats;
        Recorder::finish(*self).map(|_| stats)
    }
}

/// How often a quiet recording is flushed.
const TICK: Duration = Duration::from_secs(2);

/// What the tap did, when it ends.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stats: Vec<Stats>,
    pub errors: Vec<String>,
}

/// Records every batch from `from` into each sink and passes every message on to `to` (when
/// there is one), until `from` closes, `to` closes or `stop` fires. A sink that fails stops
/// recording; the others go on.
pub async fn run(
    mut from: UnboundedReceiver<SourceMsg>,
    to: Option<UnboundedSender<SourceMsg>>,
    mut sinks: Vec<Box<dyn Sink>>,
    stop: impl std::future::Future<Output = ()>,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut tick = tokio::time::interval(TICK);
    tokio::pin!(stop);
    let mut fail = |sinks: &mut Vec<Box<dyn Sink>>, i: usize, e: io::Error| {
        sinks.remove(i);
        outcome.errors.push(e.to_string());
    };
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {
                let now = Timestamp::now();
                let mut i = 0;
                while i < sinks.len() {
                    match sinks[i].tick(now) {
                        Ok(()) => i += 1,
                        Err(e) => fail(&mut sinks, i, e),
                    }
                }
            }
            m = from.recv() => {
                let Some(m) = m else { break };
                let batch = match &m {
                    SourceMsg::Batch { at, events } if !sinks.is_empty() => Some((*at, events.clone())),
                    _ => None,
                };
                if let Some(to) = &to
                    && to.send(m).is_err()
                {
                    break;
                }
                if let Some((at, events)) = batch {
                    let mut i = 0;
                    while i < sinks.len() {
                        match sinks[i].record(at, &events) {
                            Ok(()) => i += 1,
                            Err(e) => fail(&mut sinks, i, e),
                        }
                    }
                }
            }
        }
    }
    for s in sinks {
        match s.finish() {
            Ok(stats) => outcome.stats.push(stats),
            Err(e) => outcome.errors.push(e.to_string()),
        }
    }
    outcome
}
