//! A small matcher for standard five-field cron schedules (minute hour day-of-month month
//! day-of-week), as used by `spec.schedule` of Cron DataOperations. Times are evaluated in UTC,
//! like a kube-controller-manager running in UTC.
//!
//! Supported: `*`, numbers, lists (`1,15`), ranges (`1-5`), steps (`*/5`, `10-40/10`, `5/15`),
//! day-of-week 0–7 (0 and 7 are Sunday), and the macros `@yearly`, `@annually`, `@monthly`,
//! `@weekly`, `@daily`, `@midnight`, `@hourly`. Names (`MON`, `JAN`) are not supported.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A parsed schedule: one bit set per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSchedule {
    minutes: u64,
    hours: u32,
    days_of_month: u32,
    months: u16,
    days_of_week: u8,
    /// Cron's quirk: when both day fields are restricted, a day matches if *either* matches.
    dom_restricted: bool,
    dow_restricted: bool,
}

impl CronSchedule {
    pub fn parse(schedule: &str) -> Result<CronSchedule, String> {
        let expanded = match schedule.trim() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let [min, hour, dom, month, dow] = fields.as_slice() else {
            return Err(format!(
                "expected 5 fields (minute hour day month weekday), got {}",
                fields.len()
            ));
        };
        let minutes = parse_field(min, 0, 59, "minute")?;
        let hours = parse_field(hour, 0, 23, "hour")? as u32;
        let days_of_month = parse_field(dom, 1, 31, "day of month")? as u32;
        let months = parse_field(month, 1, 12, "month")? as u16;
        let mut dow_bits = parse_field(dow, 0, 7, "day of week")?;
        if dow_bits & (1 << 7) != 0 {
            dow_bits |= 1;
        }
        Ok(CronSchedule {
            minutes,
            hours,
            days_of_month,
            months,
            days_of_week: (dow_bits & 0x7f) as u8,
            dom_restricted: !dom.starts_with('*'),
            dow_restricted: !dow.starts_with('*'),
        })
    }

    fn day_matches(&self, dt: DateTime) -> bool {
        let dom = self.days_of_month & (1 << dt.day()) != 0;
        let dow = self.days_of_week & (1 << dt.weekday().to_sunday_zero_offset()) != 0;
        match (self.dom_restricted, self.dow_restricted) {
            (true, true) => dom || dow,
            (true, false) => dom,
            (false, true) => dow,
            (false, false) => true,
        }
    }

    /// The first matching minute strictly after `t`, or `None` if none within ~5 years.
    pub fn next_after(&self, t: Timestamp) -> Option<Timestamp> {
        let utc = TimeZone::UTC;
        let start = t.to_zoned(utc.clone()).datetime();
        // Next whole minute after t.
        let mut dt = start
            .with()
            .second(0)
            .subsec_nanosecond(0)
            .build()
            .ok()?
            .checked_add(1.minute())
            .ok()?;
        let limit = start.checked_add(5.years()).ok()?;
        while dt <= limit {
            if self.months & (1 << dt.month()) == 0 {
                dt = dt
                    .first_of_month()
                    .checked_add(1.month())
                    .ok()?
                    .with()
                    .hour(0)
                    .minute(0)
                    .build()
                    .ok()?;
                continue;
            }
            if !self.day_matches(dt) {
                dt = dt
                    .date()
                    .checked_add(1.day())
                    .ok()?
                    .to_datetime(jiff::civil::Time::midnight());
                continue;
            }
            if self.hours & (1 << dt.hour()) == 0 {
                dt = dt
                    .with()
                    .minute(0)
                    .build()
                    .ok()?
                    .checked_add(1.hour())
                    .ok()?;
                continue;
            }
            if self.minutes & (1 << dt.minute()) == 0 {
                dt = dt.checked_add(1.minute()).ok()?;
                continue;
            }
            return dt.to_zoned(utc).ok().map(|z| z.timestamp());
        }
        None
    }
}

/// The first time strictly after `t` at which `schedule` fires; `None` if the schedule does not
/// parse or never fires.
pub fn next_after(schedule: &str, t: Timestamp) -> Option<Timestamp> {
    CronSchedule::parse(schedule).ok()?.next_after(t)
}

fn parse_field(field: &str, lo: u32, hi: u32, what: &str) -> Result<u64, String> {
    let mut bits = 0u64;
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s.parse().map_err(|_| format!("{what}: bad step {s:?}"))?;
                if step == 0 {
                    return Err(format!("{what}: step must be at least 1"));
                }
                (r, Some(step))
            }
            None => (part, None),
        };
        let number = |s: &str| -> Result<u32, String> {
            let n: u32 = s
                .parse()
                .map_err(|_| format!("{what}: {s:?} is not a number"))?;
            if n < lo || n > hi {
                return Err(format!("{what}: {n} is outside {lo}-{hi}"));
            }
            Ok(n)
        };
        let (start, end) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (number(a)?, number(b)?);
            if a > b {
                return Err(format!("{what}: range {a}-{b} is reversed"));
            }
            (a, b)
        } else {
            let n = number(range)?;
            // `5/15` means "from 5 to the end, every 15".
            (n, if step.is_some() { hi } else { n })
        };
        let step = step.unwrap_or(1);
        let mut v = start;
        while v <= end {
            bits |= 1 << v;
            v += step;
        }
    }
    if bits == 0 {
        return Err(format!("{what}: empty"));
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("test timestamp")
    }
    fn next(s: &str, t: &str) -> String {
        next_after(s, ts(t))
            .map(|t| t.to_string())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn every_five_minutes() {
        assert_eq!(
            next("*/5 * * * *", "2026-11-25T10:00:00Z"),
            "2026-11-25T10:05:00Z"
        );
        assert_eq!(
            next("*/5 * * * *", "2026-11-25T10:03:59Z"),
            "2026-11-25T10:05:00Z"
        );
        assert_eq!(
            next("*/5 * * * *", "2026-11-25T23:58:00Z"),
            "2026-11-26T00:00:00Z"
        );
    }

    #[test]
    fn fixed_time_daily() {
        assert_eq!(
            next("30 1 * * *", "2026-11-25T01:30:00Z"),
            "2026-11-26T01:30:00Z"
        );
        assert_eq!(
            next("30 1 * * *", "2026-11-25T01:29:10Z"),
            "2026-11-25T01:30:00Z"
        );
    }

    #[test]
    fn lists_ranges_steps() {
        assert_eq!(
            next("10,40 * * * *", "2026-11-25T10:11:00Z"),
            "2026-11-25T10:40:00Z"
        );
        assert_eq!(
            next("0 9-17/4 * * *", "2026-11-25T10:00:00Z"),
            "2026-11-25T13:00:00Z"
        );
        assert_eq!(
            next("5/20 * * * *", "2026-11-25T10:26:00Z"),
            "2026-11-25T10:45:00Z"
        );
    }

    #[test]
    fn weekdays_and_month_days() {
        // 2026-11-25 is a Wednesday.
        assert_eq!(
            next("0 0 * * 1", "2026-11-25T00:00:00Z"),
            "2026-11-30T00:00:00Z"
        );
        assert_eq!(
            next("0 0 * * 7", "2026-11-25T00:00:00Z"),
            "2026-11-29T00:00:00Z"
        );
        assert_eq!(
            next("0 0 1 * *", "2026-11-25T00:00:00Z"),
            "2026-12-01T00:00:00Z"
        );
        // Both day fields restricted: either matches (the 1st, or any Monday).
        assert_eq!(
            next("0 0 1 * 1", "2026-11-25T00:00:00Z"),
            "2026-11-30T00:00:00Z"
        );
        assert_eq!(
            next("0 0 29 2 *", "2026-11-25T00:00:00Z"),
            "2028-02-29T00:00:00Z"
        );
    }

    #[test]
    fn macros() {
        assert_eq!(
            next("@hourly", "2026-11-25T10:00:00Z"),
            "2026-11-25T11:00:00Z"
        );
        assert_eq!(
            next("@daily", "2026-11-25T10:00:00Z"),
            "2026-11-26T00:00:00Z"
        );
    }

    #[test]
    fn invalid_schedules() {
        for bad in [
            "",
            "* * * *",
            "61 * * * *",
            "*/0 * * * *",
            "a * * * *",
            "5-1 * * * *",
            "0 0 31 2 *",
        ] {
            assert_eq!(next(bad, "2026-11-25T10:00:00Z"), "none", "{bad}");
        }
        assert!(CronSchedule::parse("* * * *").is_err());
    }
}
