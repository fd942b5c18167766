//! A recording as the console's source: it sends what was recorded as batches on the
//! recording's clock, and plays, pauses, changes speed, steps to an object's next change and
//! jumps to a time on the operator's request (rewinding when the time is behind it).

use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::mpsc;

use super::format;
use super::reader::{Cursor, Recording};
use crate::cluster::event::ClusterEvent;
use crate::cluster::source::{Clock, ReplayControl, ReplayStatus, Source, SourceMsg};
use crate::model::ObjectKey;

/// How often a playing recording moves its clock.
const STEP: Duration = Duration::from_millis(100);
pub const MIN_SPEED: f64 = 0.25;
pub const MAX_SPEED: f64 = 256.0;

pub struct ReplaySource {
    control: mpsc::UnboundedSender<ReplayControl>,
    task: tokio::task::JoinHandle<()>,
}

impl ReplaySource {
    /// Starts paused at `at` (else at the recording's start).
    pub fn spawn(
        rec: Recording,
        at: Option<Timestamp>,
        tx: mpsc::UnboundedSender<SourceMsg>,
    ) -> ReplaySource {
        let (control, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(play(rec, at, rx, tx));
        ReplaySource { control, task }
    }
}

impl Drop for ReplaySource {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Source for ReplaySource {
    fn clock(&self) -> Clock {
        Clock::Source
    }
    fn replay(&mut self, control: ReplayControl) -> bool {
        self.control.send(control).is_ok()
    }
}

/// The playing state: where the clock is and how it moves.
struct Player<'a> {
    rec: &'a Recording,
    cursor: Cursor<'a>,
    clock: i64,
    start: i64,
    end: i64,
    playing: bool,
    speed: f64,
}

impl<'a> Player<'a> {
    fn status(&self) -> ReplayStatus {
        ReplayStatus {
            at: format::from_ns(self.clock),
            start: format::from_ns(self.start),
            end: format::from_ns(self.end),
            playing: self.playing,
            speed: self.speed,
            truncated: self.rec.truncated,
        }
    }

    /// Moves the clock to `t`: forward by playing what lies between, back by starting again
    /// from the keyframe before `t`.
    fn go_to(&mut self, t: i64) -> Vec<SourceMsg> {
        self.move_to(t, false)
    }

    /// A jump to `t`: like [`Player::go_to`], and past a keyframe ahead it starts from the last
    /// one before `t` rather than play what lies between (a day in a second).
    fn jump_to(&mut self, t: i64) -> Vec<SourceMsg> {
        self.move_to(t, true)
    }

    fn move_to(&mut self, t: i64, jump: bool) -> Vec<SourceMsg> {
        let t = t.clamp(self.start, self.end);
        let mut out = Vec::new();
        if t < self.clock || self.clock == i64::MIN || (jump && self.cursor.keyframe_ahead(t)) {
            let (cursor, shown) = Cursor::seek(self.rec, t);
            self.cursor = cursor;
            out.push(SourceMsg::Rewind {
                at: format::from_ns(shown.first().map_or(t, |s| s.0).min(t)),
                batches: shown
                    .into_iter()
                    .map(|(at, events)| (format::from_ns(at), events))
                    .collect(),
            });
        } else {
            // Each stored batch at its own time (timelines date what they see change).
            let mut batches = Vec::new();
            while let Some(next) = self.cursor.next_time().filter(|n| *n <= t) {
                batches.push((format::from_ns(next), self.cursor.advance_to(next).events));
            }
            if !batches.is_empty() {
                out.push(SourceMsg::Played(batches));
            }
        }
        self.clock = t;
        out.push(SourceMsg::Batch {
            at: format::from_ns(t),
            events: Vec::new(),
        });
        out
    }

    fn control(&mut self, c: ReplayControl) -> (Vec<SourceMsg>, Option<String>) {
        let mut note = None;
        let msgs = match c {
            ReplayControl::TogglePlay => {
                self.playing = !self.playing;
                if self.playing && self.clock >= self.end {
                    let start = self.start;
                    return (self.go_to(start), None);
                }
                Vec::new()
            }
            ReplayControl::Faster => {
                self.speed = (self.speed * 2.0).min(MAX_SPEED);
                Vec::new()
            }
            ReplayControl::Slower => {
                self.speed = (self.speed / 2.0).max(MIN_SPEED);
                Vec::new()
            }
            ReplayControl::At(t) => self.jump_to(format::ns(t)),
            ReplayControl::NextChange(key) => {
                self.playing = false;
                match self.next_change(key.as_ref()) {
                    Some(t) => self.go_to(t),
                    None => {
                        note = Some(crate::app::strings::no_later_change(key.as_ref()));
                        Vec::new()
                    }
                }
            }
        };
        (msgs, note)
    }

    fn next_change(&mut self, key: Option<&ObjectKey>) -> Option<i64> {
        match key {
            Some(k) => self.cursor.next_change_of(k),
            None => self.cursor.next_time(),
        }
    }

    /// One step of play.
    fn tick(&mut self) -> Vec<SourceMsg> {
        let dt = (STEP.as_nanos() as f64 * self.speed) as i64;
        let t = self.clock.saturating_add(dt).min(self.end);
        if t >= self.end {
            self.playing = false;
        }
        self.go_to(t)
    }
}

async fn play(
    rec: Recording,
    at: Option<Timestamp>,
    mut control: mpsc::UnboundedReceiver<ReplayControl>,
    tx: mpsc::UnboundedSender<SourceMsg>,
) {
    let (start, end) = rec.span().unwrap_or((Timestamp::now(), Timestamp::now()));
    let mut p = Player {
        rec: &rec,
        cursor: Cursor::start(&rec),
        clock: i64::MIN,
        start: format::ns(start),
        end: format::ns(end),
        playing: false,
        speed: 1.0,
    };
    let first = p.go_to(format::ns(at.unwrap_or(start)));
    if !send_all(&tx, first, p.status(), None) {
        return;
    }
    let mut ticker = tokio::time::interval(STEP);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        let (msgs, note) = tokio::select! {
            c = control.recv() => match c {
                Some(c) => p.control(c),
                None => return,
            },
            _ = ticker.tick(), if p.playing => (p.tick(), None),
        };
        if !send_all(&tx, msgs, p.status(), note) {
            return;
        }
    }
}

fn send_all(
    tx: &mpsc::UnboundedSender<SourceMsg>,
    msgs: Vec<SourceMsg>,
    status: ReplayStatus,
    note: Option<String>,
) -> bool {
    msgs.into_iter()
        .chain(std::iter::once(SourceMsg::Replay { status, note }))
        .all(|m| tx.send(m).is_ok())
}

/// The state of a recording at `t`, as the batches a console is fed to show it (for
/// `snapshot --replay`, the demo seeded from a recording and tests).
pub fn batches_at(rec: &Recording, t: Timestamp) -> Vec<(Timestamp, Vec<ClusterEvent>)> {
    let (_, shown) = Cursor::seek(rec, format::ns(t));
    shown
        .into_iter()
        .map(|(at, e)| (format::from_ns(at), e))
        .collect()
}
