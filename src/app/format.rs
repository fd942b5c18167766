//! Small formatting helpers shared by tables and detail pages: ages, durations, ratios.

use jiff::{SignedDuration, Timestamp};

/// Age the way kubectl prints it: `42s`, `5m`, `3h`, `12d`.
pub fn age(since: Option<Timestamp>, now: Timestamp) -> String {
    let Some(since) = since else {
        return "-".into();
    };
    short_duration(now.duration_since(since))
}

/// `42s`, `5m12s` under an hour, `3h4m` under a day, `12d` beyond.
pub fn short_duration(d: SignedDuration) -> String {
    let s = d.as_secs().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => {
            let (m, r) = (s / 60, s % 60);
            if r == 0 || m >= 10 {
                format!("{m}m")
            } else {
                format!("{m}m{r}s")
            }
        }
        3600..86400 => {
            let (h, m) = (s / 3600, (s % 3600) / 60);
            if m == 0 || h >= 10 {
                format!("{h}h")
            } else {
                format!("{h}h{m}m")
            }
        }
        _ => format!("{}d", s / 86400),
    }
}

/// `ready/desired`, or `-` for an absent component.
pub fn ratio(ready: i32, desired: i32) -> String {
    format!("{ready}/{desired}")
}

/// An optional string, `-` when absent or empty.
pub fn or_dash(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "-".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_kubectl() {
        let d = |s| short_duration(SignedDuration::from_secs(s));
        assert_eq!(d(5), "5s");
        assert_eq!(d(65), "1m5s");
        assert_eq!(d(600), "10m");
        assert_eq!(d(3720), "1h2m");
        assert_eq!(d(90000), "1d");
        assert_eq!(d(-3), "0s");
    }
}
