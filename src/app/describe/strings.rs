//! Every user-visible text of the detail pages, in one place.

// Section titles.
pub const SUMMARY: &str = "Summary";
pub const COMPONENTS: &str = "Components";
pub const PODS: &str = "Pods";
pub const OPERATIONS: &str = "Operations";
pub const CONDITIONS: &str = "Conditions";
pub const EVENTS: &str = "Events";
pub const TIMELINE: &str = "Timeline";
pub const CONTAINERS: &str = "Containers";
pub const TOPOLOGY: &str = "Topology";
pub const EXECUTION_ENTRIES: &str = "Execution entries";
pub const DATA_OPERATIONS: &str = "Data operations";
pub const EXTRA_RESOURCES: &str = "Extra resources";
pub const STEPS: &str = "Steps";
pub const LOADER_PODS: &str = "Pods";
pub const RUNTIMES: &str = "Runtimes";
pub const INFOS: &str = "Infos";

// Field labels (a colon is added when shown).
pub const NAMESPACE: &str = "Namespace";
pub const CLASS: &str = "Class";
pub const PHASE: &str = "Phase";
pub const WARNING: &str = "Warning";
pub const DATASET: &str = "Dataset";
pub const RUNTIME: &str = "Runtime";
pub const CACHE: &str = "Cache";
pub const SETUP: &str = "Setup took";
pub const MOUNTED: &str = "UFS mounted";
pub const VALUE_FILE: &str = "Value file";
pub const AGE: &str = "Age";
pub const MAINTENANCE: &str = "Maintenance";
pub const TIERED_STORE: &str = "Tiered store";
pub const MOUNTS: &str = "Mounts";
pub const PLACEMENT: &str = "Placement";
pub const ACCESS_MODES: &str = "Access modes";
pub const UFS_TOTAL: &str = "UFS total";
pub const FILES: &str = "Files";
pub const LOCKS: &str = "Locked by";
pub const KIND: &str = "Kind";
pub const DURATION: &str = "Duration";
pub const POLICY: &str = "Policy";
pub const SCHEDULE: &str = "Schedule";
pub const LAST_SCHEDULED: &str = "Last scheduled";
pub const LAST_SUCCESS: &str = "Last success";
pub const NEXT_RUN: &str = "Next run";
pub const NO_NEXT_RUN: &str = "- (schedule not understood)";
pub const RUN_AFTER: &str = "Runs after";
pub const FOLLOWED_BY: &str = "Followed by";
pub const TTL: &str = "TTL after finish";
pub const TARGETS: &str = "Targets";
pub const LOAD_METADATA: &str = "Load metadata";
pub const FROM: &str = "From";
pub const TO: &str = "To";
pub const BACKUP_PATH: &str = "Backup path";
pub const FAILURE: &str = "Failure";
pub const MOUNT_PATH: &str = "Mount path";
pub const PROCESSOR: &str = "Processor";
pub const COMPONENT: &str = "Component";
pub const OPERATION: &str = "Operation";
pub const NODE: &str = "Node";
pub const STATUS: &str = "Status";
pub const READY: &str = "Ready";
pub const RESTARTS: &str = "Restarts";
pub const ENGINE_IMAGE: &str = "Engine image";
pub const IP: &str = "IP";
pub const STARTED: &str = "Started";
pub const OWNER: &str = "Owner";
pub const TERMINATING: &str = "Terminating";
pub const IN_PLACE: &str = "In-place update";
pub const FILE_SYSTEM: &str = "File system";
pub const TOPOLOGY_LABEL: &str = "Components";
pub const DECLARED_OPS: &str = "Operations";
pub const TYPE: &str = "Type";
pub const UPGRADE_TO: &str = "Upgrade to";
pub const PREVIOUS: &str = "Previous";
pub const REBUILD: &str = "Rebuild";
pub const REBUILD_NODES: &str = "Nodes";
pub const REBUILD_PODS: &str = "Pods";
pub const RELOAD: &str = "Re-warm";
pub const STRATEGY: &str = "Strategy";
pub const STEP: &str = "Step";
pub const FINISHED: &str = "Finished";
pub const CONTROL: &str = "Control";
pub const REPLICAS: &str = "Replicas";
pub const REVISION: &str = "Revision";
pub const UPDATE_STRATEGY: &str = "Update strategy";
pub const IMAGE: &str = "Image";
pub const GENERATION: &str = "Generation";
pub const INVOLVED: &str = "Involved";
pub const REASON: &str = "Reason";
pub const MESSAGE: &str = "Message";
pub const COUNT: &str = "Count";
pub const FIRST_SEEN: &str = "First seen";
pub const LAST_SEEN: &str = "Last seen";
pub const SOURCE: &str = "Source";

// Values and notes. ASCII only, so pages read the same on terminals without UTF-8.
pub const SEP: &str = ", ";
pub const ARROW: &str = "->";
pub const CURRENT_MARK: &str = "> ";
pub const NOT_CURRENT_MARK: &str = "  ";
pub const AS_OF_BIND: &str = crate::model::health::CACHE_STATES_NOTE;
pub const NOT_FOUND: &str = "not found";
pub const NOT_BOUND: &str = "not bound to this runtime";
pub const NOT_IN_CLASS: &str = "not in class";
pub const DISABLED: &str = "disabled";
pub const NOT_SET_UP: &str = "not set up yet";
pub const CLIENT_IDLE: &str =
    "Fluid reports NotReady with no client pods wanted: no application pod uses the dataset yet";
pub const DEFAULT_PLACEMENT: &str = "Exclusive (default)";
pub const READ_ONLY: &str = "read-only";
pub const SHARED: &str = "shared";
pub const NONE: &str = "none";
pub const YES: &str = "yes";
pub const NO: &str = "no";
pub const OPEN_TIMELINE: &str = "open the full timeline";
pub const CLIENT_WARNING: &str = "client degraded (upstream ignores the client for readiness)";
pub const NEVER_MOUNTED_WORKERS_ONLY: &str = "never (workers-only class: mountUFS is not run)";
pub const CONDITIONS_LAG: &str =
    "conditions are unreliable after a remount; the phase is authoritative";
pub const WORKERS_ONLY: &str =
    "workers-only: entries run in <runtime>-worker-0; mountUFS is never run";
pub const HEADLESS: &str = "headless";
pub const NO_SERVICE: &str = "no service";
pub const SECRETS_ON: &str = "enabled";
pub const SECRETS_OFF: &str = "disabled";
pub const ENGINE: &str = "engine";
pub const INIT: &str = "init";
pub const OPTIONS: &str = "options";
pub const CONFIG_MAP: &str = "configMap";
pub const WORKER_IMAGE: &str = "(worker image)";
pub const ENGINE_INDEPENDENT: &str = "engine-independent: always available";
pub const NOT_DECLARED: &str = "not declared: a DataLoad fails as NotSupported";
pub const NOT_SUPPORTED_CACHE: &str = "not supported on a CacheRuntime (fails as NotSupported)";
pub const EXPIRES_NEVER_CRON: &str = "ignored: Cron/OnEvent operations never expire";
pub const WAITING_FOR_PREDECESSOR: &str = "waiting for it to complete";
pub const UNKNOWN_PREDECESSOR: &str = "not found in this namespace";
pub const RUNNING_CONTAINER: &str = "running";

pub fn started(ago: &str) -> String {
    format!("started {ago}")
}
pub const PAUSED: &str = "paused";
pub const ABORT_REQUESTED: &str = "abort requested";
pub const ALL_PODS_OF: &str = "all matching pods";
pub const OBSERVED: &str = "Observed";
pub const ROLLING: &str = "rolling";
pub const UP_TO_DATE: &str = "up to date";

pub fn class_line(fs: &str) -> String {
    format!("({fs})")
}

pub fn phase_ready(phase: &str, ready: i32, desired: i32) -> String {
    format!("{phase} {ready}/{desired}")
}

/// Fluid's passes over a runtime fail now (its status, frozen meanwhile, may still say Ready).
pub fn runtime_failing(why: &str) -> String {
    format!("failing: {why}")
}

/// A condition's status when the current phase has superseded it.
pub fn stale_condition(status: &str) -> String {
    format!("{status} (stale)")
}

pub fn replica_counts(current: i32, available: i32, unavailable: i32) -> String {
    format!("cur {current} avail {available} unavail {unavailable}")
}

pub fn restarts(n: i32) -> String {
    format!("restarts {n}")
}

pub fn ago(age: &str) -> String {
    format!("{age} ago")
}

pub fn in_future(age: &str) -> String {
    format!("in {age}")
}

pub fn at_with_age(time: &str, rel: &str) -> String {
    format!("{time} ({rel})")
}

/// Between the parts of the cache line.
pub const CACHE_SEP: &str = " · ";

/// What a dataset has cached: the amount, of the cache capacity (with the share of it when both
/// sizes are known), then Fluid's `cachedPercentage`, which is of the dataset's total size, and
/// the hit ratio.
pub fn cache_summary(
    cached: &str,
    capacity: &str,
    of_capacity: Option<f64>,
    of_dataset: &str,
    hit: &str,
) -> String {
    let share = of_capacity.map_or(String::new(), |p| format!(" ({p:.1}%)"));
    format!(
        "cached {cached} of {capacity} capacity{share}{CACHE_SEP}{of_dataset} of dataset\
         {CACHE_SEP}hit ratio {hit}"
    )
}

pub fn open_timeline(n: usize) -> String {
    match n {
        1 => format!("{OPEN_TIMELINE} (1 entry)"),
        n => format!("{OPEN_TIMELINE} ({n} entries)"),
    }
}

pub fn class_missing(name: &str) -> String {
    format!("class {name} not found")
}

pub fn event_reason(reason: &str, count: i32) -> String {
    if count > 1 {
        format!("{reason} (x{count})")
    } else {
        reason.to_string()
    }
}

pub fn replicas(n: i32) -> String {
    format!("replicas {n}")
}

pub fn ttl(secs: i64, human: &str) -> String {
    format!("{secs}s ({human})")
}

pub fn timeout(t: Option<i32>, effective: i32) -> String {
    match t {
        Some(t) if t == effective => format!("timeout {t}s"),
        Some(t) => format!("timeout {t}s (effective {effective}s)"),
        None => format!("timeout {effective}s (default)"),
    }
}

pub fn runs_in(pod: &str, container: &str) -> String {
    format!("runs in {pod} ({container})")
}

pub fn mounted_by(components: &str, path: &str) -> String {
    format!("mounted by {components} at {path}")
}

pub fn not_mounted() -> String {
    "created, not mounted by any component".to_string()
}

pub fn keys(keys: &str) -> String {
    format!("keys: {keys}")
}

pub fn tier(i: usize, medium: &str, quota: &str, where_: &str, kind: &str) -> String {
    let where_ = if where_.is_empty() {
        String::new()
    } else {
        format!(" {where_}")
    };
    format!("L{i} {medium} {quota}{where_} ({kind})")
}

pub fn watermarks(low: &str, high: &str) -> String {
    format!("watermarks {low}-{high}")
}

pub fn terminating_since(since: &str, grace: Option<i64>) -> String {
    match grace {
        Some(g) => format!("since {since}, grace {g}s"),
        None => format!("since {since}"),
    }
}

pub fn in_place_state(what: &str, revision: &str, at: &str) -> String {
    format!("{what} {ARROW} revision {revision} at {at}")
}

pub fn in_place_progress(done: bool, reason: Option<&str>) -> String {
    match (done, reason) {
        (true, _) => "done (InPlaceUpdateReady True)".to_string(),
        (false, Some(r)) => format!("in progress (InPlaceUpdateReady False: {r})"),
        (false, None) => "in progress (InPlaceUpdateReady False)".to_string(),
    }
}

pub fn in_place_what(images: bool, resources: bool) -> String {
    match (images, resources) {
        (true, true) => "images and resources".to_string(),
        (true, false) => "images".to_string(),
        (false, true) => "resources".to_string(),
        (false, false) => "-".to_string(),
    }
}

pub fn image_pending(spec: &str) -> String {
    format!("spec wants {spec}")
}

pub fn container_ready(ready: bool) -> &'static str {
    if ready { "ready" } else { "not ready" }
}

pub fn exit_code(code: i32) -> String {
    format!("exit {code}")
}

pub fn step_index(i: usize, n: usize) -> String {
    format!("{}/{n}", i + 1)
}

pub fn strategy(
    max_unavailable: i32,
    confirm: bool,
    timeout: i64,
    rollback: bool,
    partition: bool,
) -> String {
    let yn = |b: bool| if b { YES } else { NO };
    format!(
        "maxUnavailable {max_unavailable}, confirm each step {}, step timeout {timeout}s, rollback on failure {}, partition {}",
        yn(confirm),
        yn(rollback),
        yn(partition)
    )
}

pub fn rebuild_reason(reason: &str, force: bool) -> String {
    if force {
        format!("{reason}, force-delete lost pods")
    } else {
        reason.to_string()
    }
}

pub fn rewarm(name: &str, targets: &str) -> String {
    format!("DataLoad {name}-rewarm ({targets})")
}

pub fn workload_replicas(spec: i32, ready: i32, current: i32, updated: i32, avail: i32) -> String {
    format!(
        "{spec} desired, {ready} ready, {current} current, {updated} updated, {avail} available"
    )
}

pub fn revisions(current: &str, update: &str) -> String {
    if current == update {
        format!("{current} ({UP_TO_DATE})")
    } else {
        format!("{current} {ARROW} {update} ({ROLLING})")
    }
}

pub fn generation(observed: i64, generation: i64) -> String {
    if observed >= generation {
        format!("{generation} (observed)")
    } else {
        format!("{generation} (observed {observed})")
    }
}

pub fn op_ref(kind: &str, name: &str) -> String {
    format!("{kind}/{name}")
}

pub fn source(component: &str, host: Option<&str>) -> String {
    match host {
        Some(h) => format!("{component} on {h}"),
        None => component.to_string(),
    }
}

// Where to look first: why not ready, nodes.
pub const WHY: &str = "Why";
pub const CACHE_ROLE: &str = "Cache role";
pub const FLUID_LABELS: &str = "Fluid labels";
pub const NODE_PODS: &str = "Pods on this node";
