//! The console's own bounded flight recording: its session recorded into segment files under
//! the state directory (`flight/`), a new segment when one passes its size (starting with a
//! keyframe, so each replays on its own), the oldest removed while all of them pass the cap.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::format::Header;
use super::tap::Sink;
use super::writer::{Policy, Recorder, Stats};
use crate::cluster::event::ClusterEvent;

/// A segment ends past this size.
pub const SEGMENT_BYTES: u64 = 8 * 1024 * 1024;
/// All segments together stay under this.
pub const TOTAL_BYTES: u64 = 64 * 1024 * 1024;

pub struct Flight {
    dir: PathBuf,
    header: Header,
    segment_bytes: u64,
    total_bytes: u64,
    current: Recorder<BufWriter<File>>,
    /// The current segment's number in this session.
    serial: u32,
    stats: Stats,
}

/// Segment files are named by the wall-clock time they start and their number in the session,
/// so that names sort by age and never collide.
fn segment_path(dir: &Path, serial: u32) -> PathBuf {
    let at = Timestamp::now().strftime("%Y%m%dT%H%M%S%.6fZ");
    dir.join(format!("{at}-{serial:04}.rec"))
}

/// The segments in `dir`, oldest first.
pub fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rec"))
        .collect();
    v.sort();
    v
}

fn open(dir: &Path, header: &Header, serial: u32) -> io::Result<Recorder<BufWriter<File>>> {
    std::fs::create_dir_all(dir)?;
    let file = File::create(segment_path(dir, serial))?;
    Recorder::new(BufWriter::new(file), header, Policy::default())
}

impl Flight {
    pub fn start(
        dir: PathBuf,
        header: Header,
        segment_bytes: u64,
        total_bytes: u64,
    ) -> io::Result<Flight> {
        let current = open(&dir, &header, 0)?;
        let mut f = Flight {
            dir,
            header,
            segment_bytes,
            total_bytes,
            current,
            serial: 0,
            stats: Stats::default(),
        };
        f.trim()?;
        Ok(f)
    }

    /// Removes the oldest segments (never the one being written) while all pass the cap.
    fn trim(&mut self) -> io::Result<()> {
        let all = segments(&self.dir);
        let sizes: Vec<u64> = all
            .iter()
            .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .collect();
        let mut total: u64 = sizes.iter().sum();
        for (p, size) in all.iter().zip(&sizes).take(all.len().saturating_sub(1)) {
            if total <= self.total_bytes {
                break;
            }
            std::fs::remove_file(p)?;
            total -= size;
        }
        Ok(())
    }

    fn rotate(&mut self, at: Timestamp) -> io::Result<()> {
        self.serial += 1;
        let next = open(&self.dir, &self.header, self.serial)?;
        let done = std::mem::replace(&mut self.current, next);
        let carried = done.carry_into(&mut self.current, at)?;
        self.stats.changes += carried.changes;
        self.stats.bytes += carried.bytes;
        self.trim()
    }
}

impl Sink for Flight {
    fn record(&mut self, at: Timestamp, events: &[ClusterEvent]) -> io::Result<()> {
        self.current.record(at, events)?;
        if self.current.stats.bytes >= self.segment_bytes {
            self.rotate(at)?;
        }
        Ok(())
    }
    fn tick(&mut self, now: Timestamp) -> io::Result<()> {
        Sink::tick(&mut self.current, now)
    }
    fn finish(self: Box<Self>) -> io::Result<Stats> {
        let mut stats = self.stats;
        let last = Box::new(self.current).finish()?;
        stats.changes += last.changes;
        stats.bytes += last.bytes;
        stats.keyframes += last.keyframes;
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recorder::reader::{Cursor, Recording};
    use crate::recorder::tap::Sink;

    #[test]
    fn segments_rotate_each_replays_alone_and_all_stay_under_the_cap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let start: Timestamp = "2026-11-25T10:00:00Z".parse().expect("time");
        let mut cluster = crate::demo::DemoCluster::builtin(7, start);
        let mut flight = Box::new(
            Flight::start(dir.path().to_path_buf(), Header::default(), 20_000, 60_000)
                .expect("start"),
        );
        flight
            .record(cluster.now(), &cluster.initial_events())
            .expect("record");
        for _ in 0..600 {
            let events = cluster.advance(std::time::Duration::from_secs(1));
            flight.record(cluster.now(), &events).expect("record");
        }
        flight.finish().expect("finish");
        let segs = segments(dir.path());
        assert!(segs.len() >= 2, "{segs:?}");
        let total: u64 = segs
            .iter()
            .map(|p| std::fs::metadata(p).unwrap().len())
            .sum();
        // The cap, plus at most the segment being written when the others were trimmed.
        assert!(total <= 60_000 + 20_000 + 64 * 1024, "{total}");
        // The last segment alone holds the whole state at its end.
        let last = Recording::open(segs.last().unwrap()).expect("opens");
        let (_, end) = last.span().expect("span");
        let (cursor, _) = Cursor::seek(&last, crate::recorder::format::ns(end));
        let pods = cursor
            .versions
            .objects
            .keys()
            .filter(|k| k.kind == crate::model::Kind::Pod)
            .count();
        let live = match cluster.initial_event(crate::model::Kind::Pod) {
            crate::cluster::event::ClusterEvent::Listed { objects, .. } => objects.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(pods, live);
    }
}
