//! Value formats Fluid writes into status fields: Go-style durations (`41m18s`), byte sizes with
//! binary units (`96.50GiB`), percentages, and Kubernetes quantities read from specs (`800Gi`).

/// A whole-second duration as Go's `time.Duration.String()` prints it after rounding to seconds.
pub fn go_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{h}h{m}m{sec}s")
    } else if m > 0 {
        format!("{m}m{sec}s")
    } else {
        format!("{sec}s")
    }
}

/// Bytes with two decimals and binary units, as Fluid's cache reports print them.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.2}{}", UNITS[unit])
}

/// A ratio in 0..=1 as `93.1%`.
pub fn percent(ratio: f64) -> String {
    format!("{:.1}%", (ratio * 100.0).clamp(0.0, 100.0))
}

/// Parses a Kubernetes quantity such as `800Gi`, `64Gi`, `1Ti`, `500M` or `1024` into bytes.
pub fn quantity(q: &str) -> Option<u64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let value: f64 = num.parse().ok()?;
    let factor: f64 = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "k" | "K" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        _ => return None,
    };
    Some((value * factor) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_go() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(45), "45s");
        assert_eq!(go_duration(125), "2m5s");
        assert_eq!(go_duration(41 * 60 + 18), "41m18s");
        assert_eq!(go_duration(3600 + 120 + 3), "1h2m3s");
        assert_eq!(go_duration(3600), "1h0m0s");
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(bytes(0), "0.00B");
        assert_eq!(
            bytes(96 * 1024 * 1024 * 1024 + 512 * 1024 * 1024),
            "96.50GiB"
        );
        assert_eq!(quantity("800Gi"), Some(800 * 1024 * 1024 * 1024));
        assert_eq!(quantity("1.5Ki"), Some(1536));
        assert_eq!(quantity("lots"), None);
        assert_eq!(percent(0.931), "93.1%");
    }
}
