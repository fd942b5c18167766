//! Writes a recording: every batch a source sends, as entries in compressed blocks, with a
//! keyframe (the whole state) now and then so that a reader can start anywhere.

use std::collections::BTreeMap;
use std::io::{self, Write};

use jiff::Timestamp;
use serde_json::{Value, json};

use super::codec::{self, ObjectVersions};
use super::format::{self, FrameType, Header};
use crate::cluster::event::{Availability, ClusterEvent, ConnectionState};
use crate::model::Kind;

/// When blocks end and keyframes are written.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// A block ends when its text passes this many bytes…
    pub block_bytes: usize,
    /// …or spans this long (what a killed recorder can lose at most).
    pub block_span_ns: i64,
    /// A keyframe after this many changes since the last one…
    pub keyframe_changes: u64,
    /// …or this long after it.
    pub keyframe_span_ns: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            block_bytes: 512 * 1024,
            block_span_ns: 10_000_000_000,
            // A jump replays at most this many changes after the keyframe before it: at about
            // 150 µs each (JSON to typed objects to the console), under a second.
            keyframe_changes: 5_000,
            // On a quiet cluster the keyframes are most of the file: one every half hour keeps a
            // day of a 1,000-pod cluster in tens of MB.
            keyframe_span_ns: 1_800_000_000_000,
        }
    }
}

/// What has been written so far.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Events recorded (objects changed, lists, log lines…).
    pub changes: u64,
    /// Bytes written, header and keyframes included.
    pub bytes: u64,
    pub keyframes: u64,
}

pub struct Recorder<W: Write> {
    out: W,
    policy: Policy,
    versions: ObjectVersions,
    connection: ConnectionState,
    availability: BTreeMap<Kind, Availability>,
    block: Vec<u8>,
    block_first: Option<i64>,
    block_last: i64,
    block_count: u32,
    since_keyframe: u64,
    last_keyframe: Option<i64>,
    pub stats: Stats,
}

impl<W: Write> Recorder<W> {
    pub fn new(mut out: W, header: &Header, policy: Policy) -> io::Result<Recorder<W>> {
        let mut counted = Vec::new();
        format::write_header(&mut counted, header)?;
        out.write_all(&counted)?;
        out.flush()?;
        Ok(Recorder {
            out,
            policy,
            versions: ObjectVersions::default(),
            connection: ConnectionState::Connecting,
            availability: BTreeMap::new(),
            block: Vec::new(),
            block_first: None,
            block_last: 0,
            block_count: 0,
            since_keyframe: 0,
            last_keyframe: None,
            stats: Stats {
                bytes: counted.len() as u64,
                ..Stats::default()
            },
        })
    }

    /// Records one batch the source sent at `at` (an empty one, which only moves the clock, is
    /// not stored).
    pub fn record(&mut self, at: Timestamp, events: &[ClusterEvent]) -> io::Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        for e in events {
            match e {
                ClusterEvent::Connection(c) => self.connection = c.clone(),
                ClusterEvent::Availability { kind, availability } => {
                    self.availability.insert(*kind, availability.clone());
                }
                _ => {}
            }
        }
        let entries = self.versions.encode(events);
        let t = format::ns(at);
        let n = entries.len() as u64;
        serde_json::to_writer(&mut self.block, &json!({"t": t, "e": entries}))?;
        self.block.push(b'\n');
        self.block_first.get_or_insert(t);
        self.block_last = t;
        self.block_count += 1;
        self.stats.changes += n;
        self.since_keyframe += n;
        let first = self.block_first.unwrap_or(t);
        if self.block.len() >= self.policy.block_bytes || t - first >= self.policy.block_span_ns {
            self.flush()?;
        }
        let keyframe_due = match self.last_keyframe {
            None => self.since_keyframe >= self.policy.keyframe_changes,
            Some(k) => {
                self.since_keyframe >= self.policy.keyframe_changes
                    || t - k >= self.policy.keyframe_span_ns
            }
        };
        if keyframe_due {
            self.keyframe(t)?;
        }
        Ok(())
    }

    /// Writes the block in progress (a reader sees everything recorded so far).
    pub fn flush(&mut self) -> io::Result<()> {
        let Some(first) = self.block_first.take() else {
            return self.out.flush();
        };
        let text = std::mem::take(&mut self.block);
        self.stats.bytes += format::write_frame(
            &mut self.out,
            FrameType::Changes,
            first,
            self.block_last,
            self.block_count,
            &text,
        )? as u64;
        self.block_count = 0;
        self.out.flush()
    }

    /// Whether the block in progress started before `t` minus the block span (the recorder
    /// flushes on a quiet cluster too).
    pub fn block_older_than(&self, t: Timestamp) -> bool {
        self.block_first
            .is_some_and(|f| format::ns(t) - f >= self.policy.block_span_ns)
    }

    /// Writes the whole state as of `t`.
    fn keyframe(&mut self, t: i64) -> io::Result<()> {
        self.flush()?;
        let avail: serde_json::Map<String, Value> = self
            .availability
            .iter()
            .map(|(k, a)| (k.as_str().to_string(), codec::availability_json(a)))
            .collect();
        let mut text = Vec::new();
        serde_json::to_writer(
            &mut text,
            &json!({"t": t, "conn": codec::connection_json(&self.connection), "avail": avail}),
        )?;
        text.push(b'\n');
        let mut keys: Vec<_> = self.versions.objects.keys().collect();
        keys.sort();
        for k in keys {
            serde_json::to_writer(&mut text, &self.versions.objects[k])?;
            text.push(b'\n');
        }
        let count = self.versions.objects.len() as u32;
        self.stats.bytes +=
            format::write_frame(&mut self.out, FrameType::Keyframe, t, t, count, &text)? as u64;
        self.stats.keyframes += 1;
        self.since_keyframe = 0;
        self.last_keyframe = Some(t);
        self.out.flush()
    }

    /// Flushes and hands the output back.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Recorder<W> {
    /// Ends this recording and starts `next` (a new file) from the state recorded so far,
    /// written as its first keyframe at `at`. Returns this one's final stats.
    pub fn carry_into<V: Write>(
        mut self,
        next: &mut Recorder<V>,
        at: Timestamp,
    ) -> io::Result<Stats> {
        self.flush()?;
        next.versions = std::mem::take(&mut self.versions);
        next.connection = self.connection.clone();
        next.availability = std::mem::take(&mut self.availability);
        next.keyframe(format::ns(at))?;
        Ok(self.stats)
    }
}
