//! Which log of a pod the console asks a source for, and how much of it: the container, its
//! previous instance, the last N lines, the lines of the last so many seconds (the flags of
//! `kubectl logs`: `-c`, `-p`, `--tail`, `--since`).

use crate::model::ObjectKey;

/// Lines fetched when starting to follow a log, unless the operator asks for another number.
pub const DEFAULT_TAIL_LINES: i64 = 500;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LogRequest {
    pub pod: ObjectKey,
    /// `None`: the pod's engine container (its first).
    pub container: Option<String>,
    /// The container's previous instance (after a restart): a finished log, not followed.
    pub previous: bool,
    /// At most this many of the newest lines (`None`: all the server holds).
    pub tail_lines: Option<i64>,
    /// Only lines written in the last this many seconds.
    pub since_seconds: Option<i64>,
}

impl LogRequest {
    /// The engine container's current log, the default tail, followed.
    pub fn current(pod: ObjectKey) -> LogRequest {
        LogRequest {
            pod,
            container: None,
            previous: false,
            tail_lines: Some(DEFAULT_TAIL_LINES),
            since_seconds: None,
        }
    }

    /// Whether the log is followed (a previous instance's log is complete already).
    pub fn follows(&self) -> bool {
        !self.previous
    }

    /// The same log asked again later (the operator came back to the page): the same pod,
    /// container and instance, whatever the amount.
    pub fn same_log(&self, other: &LogRequest) -> bool {
        self.pod == other.pod
            && self.container == other.container
            && self.previous == other.previous
    }
}

/// `lines` cut to what `req` asks for: those stamped within its `since_seconds` before `now`
/// (each line starts with its time, `2026-11-25 09:58:01.123` or RFC 3339; a line without one
/// belongs with the line before it), then its `tail_lines` newest.
pub fn select(lines: &[String], req: &LogRequest, now: jiff::Timestamp) -> Vec<String> {
    let mut from = 0;
    if let Some(secs) = req.since_seconds {
        let cutoff = now.as_second() - secs;
        let mut keep = true;
        let mut first = None;
        for (i, l) in lines.iter().enumerate() {
            if let Some(t) = stamp(l) {
                keep = t.as_second() >= cutoff;
            }
            if keep && first.is_none() {
                first = Some(i);
            }
            if !keep {
                first = None;
            }
        }
        from = first.unwrap_or(lines.len());
    }
    let mut out = &lines[from..];
    if let Some(n) = req.tail_lines {
        let n = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
        out = &out[out.len().saturating_sub(n)..];
    }
    out.to_vec()
}

/// The time a log line starts with, if it does.
fn stamp(line: &str) -> Option<jiff::Timestamp> {
    let head = line.get(..23).unwrap_or(line);
    if let Ok(t) = head.split(' ').next()?.parse::<jiff::Timestamp>() {
        return Some(t);
    }
    let civil: jiff::civil::DateTime = line.get(..19)?.parse().ok()?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn req(tail: Option<i64>, since: Option<i64>) -> LogRequest {
        LogRequest {
            tail_lines: tail,
            since_seconds: since,
            ..LogRequest::current(ObjectKey::new(Kind::Pod, "ns", "p"))
        }
    }

    fn lines() -> Vec<String> {
        [
            "2026-11-25 09:50:00.100 INFO  a",
            "2026-11-25 09:56:00.100 INFO  b",
            "  continued",
            "2026-11-25 09:58:30.000 WARN  c",
            "2026-11-25 09:59:59.000 INFO  d",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn since_keeps_the_lines_of_the_last_seconds_with_their_continuations() {
        let now: jiff::Timestamp = "2026-11-25T10:00:00Z".parse().unwrap();
        let got = select(&lines(), &req(None, Some(300)), now);
        assert_eq!(got, lines()[1..].to_vec());
        let got = select(&lines(), &req(None, Some(60)), now);
        assert_eq!(got, lines()[4..].to_vec());
        assert!(select(&lines(), &req(None, Some(0)), now).is_empty());
    }

    #[test]
    fn tail_keeps_the_newest_lines_after_since() {
        let now: jiff::Timestamp = "2026-11-25T10:00:00Z".parse().unwrap();
        assert_eq!(select(&lines(), &req(Some(2), None), now), lines()[3..]);
        assert_eq!(
            select(&lines(), &req(Some(0), None), now),
            Vec::<String>::new()
        );
        assert_eq!(select(&lines(), &req(None, None), now), lines());
        assert_eq!(
            select(&lines(), &req(Some(1), Some(300)), now),
            lines()[4..]
        );
    }

    #[test]
    fn rfc3339_stamps_count_too() {
        let now: jiff::Timestamp = "2026-11-25T10:00:00Z".parse().unwrap();
        let l = vec![
            "2026-11-25T09:00:00Z old".to_string(),
            "2026-11-25T09:59:00Z new".to_string(),
        ];
        assert_eq!(select(&l, &req(None, Some(120)), now), l[1..]);
    }
}
