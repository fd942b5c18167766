//! Maintenance records kept on disk when the cluster has no CacheRuntimeMaintenance CRD: one
//! YAML file per record (`<namespace>_<name>.yaml`) in a directory, with the same
//! resourceVersion precondition as the API server so two consoles on one machine cannot both
//! commit the same step.

use std::io;
use std::path::{Path, PathBuf};

use super::writer::{WriteOp, merge_patch};
use crate::model::CacheRuntimeMaintenance;

/// Why a local write did not happen.
#[derive(Debug)]
pub enum LocalError {
    Io(io::Error),
    /// The file does not hold valid YAML for a record.
    Invalid(String),
    NotFound(String),
    /// The record changed since it was read (resourceVersion precondition).
    Conflict(String),
}

impl std::fmt::Display for LocalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocalError::Io(e) => write!(f, "{e}"),
            LocalError::Invalid(m) => write!(f, "invalid record: {m}"),
            LocalError::NotFound(n) => write!(f, "maintenance record {n} not found"),
            LocalError::Conflict(n) => write!(
                f,
                "maintenance record {n} was changed by someone else; reload and try again"
            ),
        }
    }
}

impl std::error::Error for LocalError {}

impl From<io::Error> for LocalError {
    fn from(e: io::Error) -> Self {
        LocalError::Io(e)
    }
}

/// The directory under a state directory where records live.
pub fn dir_in(state_dir: &Path) -> PathBuf {
    state_dir.join("maintenances")
}

fn file_name(namespace: &str, name: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!("{}_{}.yaml", clean(namespace), clean(name))
}

/// Path of one record's file.
pub fn path_of(dir: &Path, namespace: &str, name: &str) -> PathBuf {
    dir.join(file_name(namespace, name))
}

fn ns_name(rec: &CacheRuntimeMaintenance) -> (String, String) {
    (
        rec.metadata.namespace.clone().unwrap_or_default(),
        rec.metadata.name.clone().unwrap_or_default(),
    )
}

/// Writes a record as is (atomically: temporary file, then rename). Returns its path.
pub fn save(dir: &Path, rec: &CacheRuntimeMaintenance) -> Result<PathBuf, LocalError> {
    std::fs::create_dir_all(dir)?;
    let (ns, name) = ns_name(rec);
    if name.is_empty() {
        return Err(LocalError::Invalid("metadata.name is missing".into()));
    }
    let path = path_of(dir, &ns, &name);
    let value = serde_json::to_value(rec).map_err(|e| LocalError::Invalid(e.to_string()))?;
    let text = crate::model::kube_yaml::to_string(&value);
    let tmp = path.with_extension("yaml.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Reads one record; `Ok(None)` when there is no file.
pub fn load(
    dir: &Path,
    namespace: &str,
    name: &str,
) -> Result<Option<CacheRuntimeMaintenance>, LocalError> {
    let path = path_of(dir, namespace, name);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    parse(&text)
        .map(Some)
        .map_err(|e| LocalError::Invalid(format!("{}: {e}", path.display())))
}

/// A record's text, read as kubectl reads YAML (the files may be edited by hand).
fn parse(text: &str) -> Result<CacheRuntimeMaintenance, String> {
    let value = crate::model::kube_yaml::from_str(text).map_err(|errors| {
        let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
        all.join("; ")
    })?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Every record in the directory (sorted by file name), and the files that could not be read.
pub fn load_all(dir: &Path) -> (Vec<CacheRuntimeMaintenance>, Vec<(PathBuf, String)>) {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (records, problems);
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    for p in paths {
        match std::fs::read_to_string(&p)
            .map_err(|e| e.to_string())
            .and_then(|t| parse(&t))
        {
            Ok(r) => records.push(r),
            Err(e) => problems.push((p, e)),
        }
    }
    (records, problems)
}

/// Removes a record's file (no error if it is absent).
pub fn remove(dir: &Path, namespace: &str, name: &str) -> Result<(), LocalError> {
    match std::fs::remove_file(path_of(dir, namespace, name)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

fn bump(rec: &mut CacheRuntimeMaintenance) {
    let next = rec
        .metadata
        .resource_version
        .as_deref()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        + 1;
    rec.metadata.resource_version = Some(next.to_string());
}

/// Creates a record (resourceVersion 1); refuses when one of that name exists.
pub fn create(
    dir: &Path,
    mut rec: CacheRuntimeMaintenance,
) -> Result<CacheRuntimeMaintenance, LocalError> {
    let (ns, name) = ns_name(&rec);
    if load(dir, &ns, &name)?.is_some() {
        return Err(LocalError::Invalid(format!("{ns}/{name} already exists")));
    }
    rec.metadata.resource_version = None;
    bump(&mut rec);
    save(dir, &rec)?;
    Ok(rec)
}

/// Carries out a write aimed at a maintenance record (the status commit of
/// [`super::machine::record_status_write`] or [`super::machine::spec_flag_write`]) on the local
/// copy, honouring a `metadata.resourceVersion` precondition. Returns the stored record.
pub fn apply_write(dir: &Path, op: &WriteOp) -> Result<CacheRuntimeMaintenance, LocalError> {
    let (key, patch) = match op {
        WriteOp::MergePatch { key, patch } | WriteOp::MergePatchStatus { key, patch } => {
            (key, patch)
        }
        other => {
            return Err(LocalError::Invalid(format!(
                "only merge patches apply to local records, not {other:?}"
            )));
        }
    };
    let label = format!("{}/{}", key.namespace, key.name);
    let Some(cur) = load(dir, &key.namespace, &key.name)? else {
        return Err(LocalError::NotFound(label));
    };
    if let Some(want) = patch
        .pointer("/metadata/resourceVersion")
        .and_then(|v| v.as_str())
        && cur.metadata.resource_version.as_deref() != Some(want)
    {
        return Err(LocalError::Conflict(label));
    }
    let mut v = serde_json::to_value(&cur).map_err(|e| LocalError::Invalid(e.to_string()))?;
    let mut patch = patch.clone();
    if let Some(m) = patch.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        m.remove("resourceVersion");
    }
    merge_patch(&mut v, &patch);
    let mut next: CacheRuntimeMaintenance =
        serde_json::from_value(v).map_err(|e| LocalError::Invalid(e.to_string()))?;
    next.metadata.resource_version = cur.metadata.resource_version.clone();
    bump(&mut next);
    save(dir, &next)?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::maintenance::{MaintenancePhase, MaintenanceStatus};
    use crate::model::meta::ObjectMeta;
    use crate::workflows::machine::record_status_write;

    fn rec() -> CacheRuntimeMaintenance {
        CacheRuntimeMaintenance {
            metadata: ObjectMeta {
                name: Some("rt-upgrade-20261125100200".into()),
                namespace: Some("ns".into()),
                ..Default::default()
            },
            status: Some(MaintenanceStatus {
                phase: MaintenancePhase::Planned,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn records_round_trip_and_commits_need_the_read_version() {
        let dir = tempfile::tempdir().unwrap();
        let created = create(dir.path(), rec()).unwrap();
        assert_eq!(created.metadata.resource_version.as_deref(), Some("1"));
        let (all, problems) = load_all(dir.path());
        assert_eq!(all, vec![created.clone()]);
        assert!(problems.is_empty());

        let running = MaintenanceStatus {
            phase: MaintenancePhase::Running,
            ..Default::default()
        };
        let stored = apply_write(dir.path(), &record_status_write(&created, &running)).unwrap();
        assert_eq!(stored.phase(), MaintenancePhase::Running);
        assert_eq!(stored.metadata.resource_version.as_deref(), Some("2"));

        // A second console still holding version 1 is refused.
        let stale = apply_write(dir.path(), &record_status_write(&created, &running));
        assert!(matches!(stale, Err(LocalError::Conflict(_))), "{stale:?}");

        remove(dir.path(), "ns", "rt-upgrade-20261125100200").unwrap();
        assert!(
            load(dir.path(), "ns", "rt-upgrade-20261125100200")
                .unwrap()
                .is_none()
        );
    }
}
