//! The times an operator types for a recording (`:at 03:12`, `--at …`), all in UTC as the
//! replay header shows them.

use jiff::{Span, Timestamp, tz::TimeZone};

/// `HH:MM[:SS]` (on the day of `start`, or the day after when earlier than `start`), a whole
/// RFC 3339 time, `start`, `end`, or `+N`/`-N` with a unit (`s`, `m`, `h`) from `now`.
pub fn parse(
    text: &str,
    start: Timestamp,
    end: Timestamp,
    now: Timestamp,
) -> Result<Timestamp, String> {
    let text = text.trim();
    match text {
        "start" => return Ok(start),
        "end" => return Ok(end),
        _ => {}
    }
    if let Some(rest) = text.strip_prefix('+').or_else(|| text.strip_prefix('-')) {
        let secs = relative_secs(rest).ok_or_else(|| bad(text))?;
        let span = Span::new().seconds(if text.starts_with('-') { -secs } else { secs });
        return now.checked_add(span).map_err(|_| bad(text));
    }
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let time: jiff::civil::Time = text.parse().map_err(|_| bad(text))?;
    let day = start.to_zoned(TimeZone::UTC).date();
    let at = day
        .to_datetime(time)
        .to_zoned(TimeZone::UTC)
        .map_err(|_| bad(text))?
        .timestamp();
    if at < start {
        return at.checked_add(Span::new().hours(24)).map_err(|_| bad(text));
    }
    Ok(at)
}

/// `90s`, `30m`, `24h` (for `record --duration`).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    relative_secs(s.trim())
        .filter(|n| *n > 0)
        .map(|n| std::time::Duration::from_secs(n as u64))
        .ok_or_else(|| format!("\"{s}\" is not a duration such as 90s, 30m or 24h"))
}

fn relative_secs(s: &str) -> Option<i64> {
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = n.parse().ok()?;
    Some(match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return None,
    })
}

fn bad(text: &str) -> String {
    format!(
        "\"{text}\" is not a time: use HH:MM[:SS] (UTC), an RFC 3339 time, start, end, or +5m / -30s"
    )
}

/// How the replay header shows a moment: `HH:MM:SS` in UTC.
pub fn clock(t: Timestamp) -> String {
    t.to_zoned(TimeZone::UTC).strftime("%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn times_of_day_relative_and_whole() {
        let start = ts("2026-12-06T02:50:00Z");
        let end = ts("2026-12-06T04:00:00Z");
        let now = ts("2026-12-06T03:00:00Z");
        assert_eq!(
            parse("03:12", start, end, now),
            Ok(ts("2026-12-06T03:12:00Z"))
        );
        assert_eq!(
            parse("01:00:05", start, end, now),
            Ok(ts("2026-12-07T01:00:05Z"))
        );
        assert_eq!(
            parse("+5m", start, end, now),
            Ok(ts("2026-12-06T03:05:00Z"))
        );
        assert_eq!(
            parse("-30s", start, end, now),
            Ok(ts("2026-12-06T02:59:30Z"))
        );
        assert_eq!(parse("end", start, end, now), Ok(end));
        assert_eq!(
            parse("2026-12-06T03:01:00Z", start, end, now),
            Ok(ts("2026-12-06T03:01:00Z"))
        );
        assert!(
            parse("soon", start, end, now)
                .unwrap_err()
                .contains("HH:MM")
        );
        assert_eq!(clock(now), "03:00:00");
    }
}
