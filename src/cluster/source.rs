//! The one interface between the console and a cluster it watches. A source (the kube-rs
//! watchers, the embedded demo cluster) is spawned with the sending end of a channel and sends
//! [`SourceMsg`]s on it; the run loop holds it as a [`Source`] and asks it for what it can do
//! (relist, follow a log, watch another namespace, show a failure).

use jiff::Timestamp;

use super::event::ClusterEvent;
pub use super::log_request::LogRequest;
use crate::model::ObjectKey;

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
    /// A recording jumped: the console forgets what it holds, its clock goes back to `at`, and
    /// `batches` (each at its own time: a keyframe's lists, then the changes after it) hold the
    /// state there, taken in one go.
    Rewind {
        at: Timestamp,
        batches: Vec<(Timestamp, Vec<ClusterEvent>)>,
    },
    /// A recording played forward: batches, each at its own time, taken in one go (batches
    /// sent one by one would be taken together at the last one's time).
    Played(Vec<(Timestamp, Vec<ClusterEvent>)>),
    /// Where a replayed recording stands (the header's time cursor), with a note for the
    /// operator when a request could not be done.
    Replay {
        status: ReplayStatus,
        note: Option<String>,
    },
}

/// What the operator asks of a replayed recording.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplayControl {
    TogglePlay,
    Faster,
    Slower,
    /// Play up to the next change of this object (`None`: of anything), then pause.
    NextChange(Option<ObjectKey>),
    /// Jump to this time (back or forward).
    At(Timestamp),
}

/// Where a replayed recording stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayStatus {
    pub at: Timestamp,
    pub start: Timestamp,
    pub end: Timestamp,
    pub playing: bool,
    pub speed: f64,
    /// The file ends inside a block (the recorder was killed).
    pub truncated: bool,
}

/// Whose clock the console shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The wall clock: the console tells the app the time itself (ages, timeouts, messages
    /// expiring move on a quiet cluster too).
    Wall,
    /// The source's own: its batches carry the time (the demo cluster's simulated clock, which
    /// may run faster than the wall clock), and they come often enough.
    Source,
}

/// A cluster the console watches.
pub trait Source: Send {
    fn clock(&self) -> Clock;
    /// Lists every kind again.
    fn relist(&mut self) {}
    /// Answers a pod's log as `LogLine` events (streamed while it `follows`); another log of
    /// the pod than the one asked before starts with `LogReset`, a refusal is `LogRefused`.
    fn follow_logs(&mut self, _request: LogRequest) {}
    /// The operator moved to another namespace (`None`: all); a source that watches one
    /// namespace follows.
    fn set_namespace(&mut self, _namespace: Option<String>) {}
    /// Makes the cluster show a failure; says what happened, or why not. `None`: this source
    /// shows no failures on request (a real cluster).
    fn fault(&mut self, _fault: &Fault) -> Option<Result<String, String>> {
        None
    }
    /// Plays, pauses or moves a replayed recording; `false`: this source is not one.
    fn replay(&mut self, _control: ReplayControl) -> bool {
        false
    }
}

/// Failures a presenter can ask the demo cluster to show.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    NodeDown(String),
    NodeUp(String),
    /// The next in-place update of the runtime's master and worker pods fails to pull.
    FailUpdate(String),
}

/// The presenter's part of a demo scenario (opening a wizard, answering it): the console acts on
/// it as on the matching keys.
#[derive(Debug, Clone, PartialEq)]
pub enum OperatorAction {
    /// Open the upgrade wizard for `runtime` with the target `image:image_tag` filled in (default
    /// components and strategy) and show its plan.
    StartUpgrade {
        runtime: ObjectKey,
        image: String,
        image_tag: String,
    },
    /// Open the rebuild wizard for `runtime` with these pods (names) selected, `force` = force
    /// delete lost pods, `reload_data` = re-warm with a DataLoad, and show its plan.
    StartRebuild {
        runtime: ObjectKey,
        pods: Vec<String>,
        force: bool,
        reload_data: bool,
    },
    /// Answer yes to what the wizard or the run asks now (the plan, a step confirmation).
    Confirm,
    /// Pause the running run.
    Pause,
    /// Resume a paused run.
    Resume,
    /// Abort the run.
    Abort,
    /// Open the object's page, as Enter on its row would.
    Open(ObjectKey),
    /// Open the object's phase timeline.
    OpenTimeline(ObjectKey),
}

/// No source: what the console holds while one source is replaced by another.
pub struct Stopped;

impl Source for Stopped {
    fn clock(&self) -> Clock {
        Clock::Source
    }
}
