//! The console on a recording (`fluidops replay`): the time cursor it shows, the play, pause,
//! speed, step and jump requests it sends to the recording, and writes refused as a recording
//! cannot be changed.

use jiff::Timestamp;

use super::actions::Action;
use super::state::App;
use super::strings;
use super::update::Command;
use crate::cluster::ClusterEvent;
use crate::cluster::source::{ReplayControl, ReplayStatus};
use crate::recorder::time_arg;

impl App {
    /// The recording jumped back to `at`: forget what the store holds (the batches that follow
    /// hold the state there) and move the clock back.
    pub fn rewound(&mut self, at: Timestamp) {
        self.store = crate::cluster::Store::new();
        self.views.borrow_mut().clear();
        self.problem_watch.clear();
        self.now = at;
        self.dirty = true;
    }

    /// The recording jumped: forget what the store holds, move the clock back to `at`, and take
    /// the state there from `batches` (each at its own time, so that timelines date what they
    /// saw change) in one go: what follows a change (problems, selection, runs) runs once.
    pub fn jumped(
        &mut self,
        at: Timestamp,
        batches: Vec<(Timestamp, Vec<ClusterEvent>)>,
    ) -> Vec<Command> {
        self.rewound(at);
        // The keyframe's lists come first: what the state holds is not news.
        self.take_batches(batches)
    }

    /// Where the recording stands now (the header shows it).
    pub fn replay_moved(&mut self, status: ReplayStatus, note: Option<String>) {
        self.replay = Some(status);
        if let Some(n) = note {
            self.notice(n, false);
        }
        self.dirty = true;
    }

    /// Why a write is refused: on a recording, because it is one; else `read_only`.
    pub fn refusal(&self, read_only: &'static str) -> &'static str {
        if self.replay.is_some() {
            strings::RECORDING_REFUSED
        } else {
            read_only
        }
    }

    /// The replay actions (`replay.*`); on a live cluster they say they need a recording.
    pub fn replay_action(&mut self, action: Action) -> Vec<Command> {
        let control = match action {
            Action::ReplayToggle => ReplayControl::TogglePlay,
            Action::ReplayFaster => ReplayControl::Faster,
            Action::ReplaySlower => ReplayControl::Slower,
            _ => ReplayControl::NextChange(self.selected_object()),
        };
        self.replay_control(control)
    }

    fn replay_control(&mut self, control: ReplayControl) -> Vec<Command> {
        if self.replay.is_none() {
            self.notice(strings::REPLAY_ONLY.to_string(), true);
            return Vec::new();
        }
        vec![Command::Replay(control)]
    }

    /// `:at TIME`: jump to a time of the recording.
    pub fn replay_at(&mut self, text: &str) -> Vec<Command> {
        let Some(status) = &self.replay else {
            return self.replay_control(ReplayControl::TogglePlay);
        };
        match time_arg::parse(text, status.start, status.end, status.at) {
            Ok(t) => self.replay_control(ReplayControl::At(t)),
            Err(e) => {
                self.notice(e, true);
                Vec::new()
            }
        }
    }
}

/// The header's time cursor: `⏸ REC 03:12:04 ×4 [02:50:00–04:00:00]`.
pub fn cursor_text(s: &ReplayStatus) -> String {
    strings::replay_cursor(
        s.playing,
        &time_arg::clock(s.at),
        s.speed,
        &time_arg::clock(s.start),
        &time_arg::clock(s.end),
        s.truncated,
    )
}
