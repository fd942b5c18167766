//! The names a run gives: the record, its re-warm DataLoad, the pods in its step names.

use jiff::Timestamp;

use crate::model::maintenance::MaintenanceType;

/// `<rt>-<upgrade|rebuild>-<yyyymmddhhmmss>`: DNS-1123, at most 63 characters (45 for a rebuild,
/// so that `<name>-rewarm-loader-job` stays a valid label value), unique per second.
pub fn maintenance_name(runtime: &str, kind: MaintenanceType, now: Timestamp) -> String {
    let kind_s = match kind {
        MaintenanceType::Upgrade => "upgrade",
        MaintenanceType::Rebuild => "rebuild",
        MaintenanceType::Other(_) => "maintenance",
    };
    let stamp = now.strftime("%Y%m%d%H%M%S").to_string();
    let max: usize = if kind == MaintenanceType::Rebuild {
        45
    } else {
        63
    };
    let suffix = format!("-{kind_s}-{stamp}");
    let clean: String = runtime
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let room = max.saturating_sub(suffix.len());
    let mut head: String = clean.chars().take(room).collect();
    while head.ends_with('-') {
        head.pop();
    }
    let head = head.trim_start_matches('-');
    if head.is_empty() {
        suffix.trim_start_matches('-').to_string()
    } else {
        format!("{head}{suffix}")
    }
}

/// Name of the re-warm DataLoad of a rebuild.
pub fn rewarm_name(maintenance: &str) -> String {
    format!("{maintenance}-rewarm")
}

/// A pod's name without the `<rt>-` prefix (`worker-2`), used in step names.
pub fn short(runtime: &str, pod: &str) -> String {
    pod.strip_prefix(runtime)
        .and_then(|s| s.strip_prefix('-'))
        .unwrap_or(pod)
        .to_string()
}
