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
    stats: Stats,
}

/// Segment files are named by the time they start, so that names sort by age.
fn segment_path(dir: &Path, at: Timestamp) -> PathBuf {
    dir.join(format!("{}.rec", at.strftime("%Y%m%dT%H%M%S%.fZ")))
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

fn open(dir: &Path, header: &Header, at: Timestamp) -> io::Result<Recorder<BufWriter<File>>> {
    std::fs::create_dir_all(dir)?;
    let file = File::create(segment_path(dir, at))?;
    Recorder::new(BufWriter::new(file), header, Policy::default())
}

impl Flight {
    pub fn start(
        dir: PathBuf,
        header: Header,
        segment_bytes: u64,
        total_bytes: u64,
    ) -> io::Result<Flight> {
        let current = open(&dir, &header, Timestamp::now())?;
        let mut f = Flight {
            dir,
            header,
            segment_bytes,
            total_bytes,
            current,
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
        let next = open(&self.dir, &self.header, at)?;
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
