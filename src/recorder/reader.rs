//! Reads a recording: an index of its frames (headers only, so opening a day-long file is quick)
//! and a cursor that plays it forward or starts anywhere from the keyframe before.

use std::collections::VecDeque;

use jiff::Timestamp;
use serde_json::Value;

use super::codec::{self, ObjectVersions};
use super::format::{self, FrameInfo, FrameType, Header, OpenError};
use crate::cluster::event::ClusterEvent;
use crate::model::ObjectKey;

pub struct Recording {
    bytes: Vec<u8>,
    pub header: Header,
    pub frames: Vec<FrameInfo>,
    /// The file ends inside a frame (the recorder was killed): it replays up to there.
    pub truncated: bool,
}

/// One batch as stored: its time and its entries.
pub type StoredBatch = (i64, Vec<Value>);

impl Recording {
    pub fn open(path: &std::path::Path) -> Result<Recording, OpenError> {
        Recording::from_bytes(format::read_all(path)?)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Result<Recording, OpenError> {
        let (header, _version, mut offset) = format::read_header(&bytes)?;
        let mut frames = Vec::new();
        while let Some(f) = format::frame_at(&bytes, offset) {
            offset = f.at + f.len;
            frames.push(f);
        }
        let truncated = offset != bytes.len();
        Ok(Recording {
            bytes,
            header,
            frames,
            truncated,
        })
    }

    /// The first and last moment recorded (`None`: nothing was).
    pub fn span(&self) -> Option<(Timestamp, Timestamp)> {
        let first = self.frames.iter().map(|f| f.first).min()?;
        let last = self.frames.iter().map(|f| f.last).max()?;
        Some((format::from_ns(first), format::from_ns(last)))
    }

    /// The last keyframe at or before `t`.
    pub fn keyframe_before(&self, t: i64) -> Option<usize> {
        self.frames
            .iter()
            .rposition(|f| f.kind == FrameType::Keyframe && f.first <= t)
    }

    /// Bytes on disk.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// The batches of a changes frame (`None`: damaged).
    pub fn batches(&self, i: usize) -> Option<Vec<StoredBatch>> {
        let text = format::frame_text(&self.bytes, self.frames.get(i)?)?;
        let mut out = Vec::new();
        for line in text.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let Ok(mut v) = serde_json::from_slice::<Value>(line) else {
                continue;
            };
            let t = v.get("t").and_then(Value::as_i64).unwrap_or_default();
            let entries = match v.get_mut("e").map(Value::take) {
                Some(Value::Array(a)) => a,
                _ => Vec::new(),
            };
            out.push((t, entries));
        }
        Some(out)
    }

    /// The state a keyframe holds: its time, the objects, and the connection and availability
    /// as events.
    pub fn keyframe(&self, i: usize) -> Option<(i64, ObjectVersions, Vec<ClusterEvent>)> {
        let text = format::frame_text(&self.bytes, self.frames.get(i)?)?;
        let mut lines = text.split(|b| *b == b'\n').filter(|l| !l.is_empty());
        let head: Value = serde_json::from_slice(lines.next()?).ok()?;
        let t = head.get("t")?.as_i64()?;
        let mut status = Vec::new();
        if let Some(c) = head.get("conn").and_then(codec::connection_from) {
            status.push(ClusterEvent::Connection(c));
        }
        if let Some(m) = head.get("avail").and_then(Value::as_object) {
            for (kind, a) in m {
                if let (Some(kind), Some(availability)) =
                    (crate::model::Kind::parse(kind), codec::availability_from(a))
                {
                    status.push(ClusterEvent::Availability { kind, availability });
                }
            }
        }
        let mut versions = ObjectVersions::default();
        for line in lines {
            if let Ok(v) = serde_json::from_slice::<Value>(line)
                && let Some(k) = codec::key_of_json(&v)
            {
                versions.objects.insert(k, v);
            }
        }
        Some((t, versions, status))
    }
}

/// A place in a recording and the state there.
pub struct Cursor<'a> {
    rec: &'a Recording,
    /// The next frame to read.
    next_frame: usize,
    pending: VecDeque<StoredBatch>,
    pub versions: ObjectVersions,
    /// The time of the last batch delivered.
    pub at: i64,
}

/// What a cursor hands on: events of the batches up to a time, in order, and the keys of the
/// objects they changed.
#[derive(Default)]
pub struct Delivered {
    pub events: Vec<ClusterEvent>,
    pub touched: Vec<ObjectKey>,
}

impl<'a> Cursor<'a> {
    /// At the start, before anything was recorded.
    pub fn start(rec: &'a Recording) -> Cursor<'a> {
        Cursor {
            rec,
            next_frame: 0,
            pending: VecDeque::new(),
            versions: ObjectVersions::default(),
            at: i64::MIN,
        }
    }

    /// At `t`: from the last keyframe at or before it. Returns the cursor and what the console
    /// must be shown to hold that state: the keyframe's state as lists (at the keyframe's
    /// time), then every stored batch after it up to `t`, each at its own time.
    pub fn seek(rec: &'a Recording, t: i64) -> (Cursor<'a>, Vec<(i64, Vec<ClusterEvent>)>) {
        let mut cursor = Cursor::start(rec);
        let mut shown = Vec::new();
        if let Some(i) = rec.keyframe_before(t)
            && let Some((kt, versions, mut status)) = rec.keyframe(i)
        {
            status.extend(versions.as_lists());
            cursor.versions = versions;
            cursor.next_frame = i + 1;
            cursor.at = kt;
            shown.push((kt, status));
        }
        while let Some(next) = cursor.next_time() {
            if next > t {
                break;
            }
            shown.push((next, cursor.advance_to(next).events));
        }
        (cursor, shown)
    }

    /// Whether a keyframe lies between the cursor and `t`: starting from it is quicker than
    /// playing everything up to `t`.
    pub fn keyframe_ahead(&self, t: i64) -> bool {
        self.rec
            .keyframe_before(t)
            .is_some_and(|k| k >= self.next_frame)
    }

    /// The time of the next stored batch.
    pub fn next_time(&mut self) -> Option<i64> {
        self.fill();
        self.pending.front().map(|b| b.0)
    }

    /// Loads the next changes frame when none is pending.
    fn fill(&mut self) {
        while self.pending.is_empty() && self.next_frame < self.rec.frames.len() {
            let i = self.next_frame;
            self.next_frame += 1;
            if self.rec.frames[i].kind != FrameType::Changes {
                continue;
            }
            match self.rec.batches(i) {
                Some(b) => self.pending.extend(b),
                // A damaged block ends the recording there.
                None => self.next_frame = self.rec.frames.len(),
            }
        }
    }

    /// Every batch up to `t`, applied.
    pub fn advance_to(&mut self, t: i64) -> Delivered {
        let mut out = Delivered::default();
        while let Some(next) = self.next_time() {
            if next > t {
                break;
            }
            let Some((bt, entries)) = self.pending.pop_front() else {
                break;
            };
            self.at = bt;
            out.events
                .extend(self.versions.decode(&entries, &mut out.touched));
        }
        out
    }

    /// When the object `key` next changes after the cursor (scanning ahead without moving).
    pub fn next_change_of(&mut self, key: &ObjectKey) -> Option<i64> {
        self.fill();
        let wanted = serde_json::json!([key.kind.as_str(), key.namespace, key.name]);
        let touches = |entries: &Vec<Value>| {
            entries.iter().any(|e| {
                e.get("patch") == Some(&wanted)
                    || e.get("del") == Some(&wanted)
                    || e.get("put").and_then(codec::key_of_json).as_ref() == Some(key)
            })
        };
        if let Some(b) = self.pending.iter().find(|b| touches(&b.1)) {
            return Some(b.0);
        }
        (self.next_frame..self.rec.frames.len())
            .filter(|i| self.rec.frames[*i].kind == FrameType::Changes)
            .find_map(|i| {
                self.rec
                    .batches(i)?
                    .into_iter()
                    .find(|b| touches(&b.1))
                    .map(|b| b.0)
            })
    }
}
