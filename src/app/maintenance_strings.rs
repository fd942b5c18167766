//! Every user-visible text of the upgrade (`U`) and rebuild (`R`) setup forms, in one place.

pub const TITLE_UPGRADE: &str = "In-place upgrade";
pub const TITLE_REBUILD: &str = "In-place rebuild";

pub const LABEL_IMAGE: &str = "Image";
pub const LABEL_TAG: &str = "Image tag";
pub const LABEL_PULL_POLICY: &str = "Pull policy";
pub const LABEL_COMPONENTS: &str = "Components";
pub const LABEL_CONFIRM_EACH: &str = "Confirm steps";
pub const LABEL_PARTITION: &str = "Partition";
pub const LABEL_ROLLBACK: &str = "Rollback";
pub const LABEL_TIMEOUT: &str = "Step timeout";
pub const LABEL_REASON: &str = "Reason";
pub const LABEL_PODS: &str = "Pods";
pub const LABEL_CLIENT_CONFIRM: &str = "FUSE outage";
pub const LABEL_FORCE: &str = "Force delete";
pub const LABEL_REWARM: &str = "Re-warm";
pub const LABEL_REWARM_PATHS: &str = "Re-warm paths";
pub const LABEL_MAX_UNAVAILABLE: &str = "Max unavailable";

pub const TOGGLE_CONFIRM_EACH: &str = "ask before each step";
pub const TOGGLE_PARTITION: &str = "canary: one pod per step";
pub const TOGGLE_ROLLBACK: &str = "roll back on failure";
pub const TOGGLE_CLIENT_CONFIRM: &str = "I accept that app pods on these nodes lose their mount";
pub const TOGGLE_FORCE: &str = "force-delete pods on lost nodes (grace period 0)";
pub const TOGGLE_REWARM: &str = "load the cache again after the rebuild (DataLoad)";
pub const SECONDS: &str = "s";
pub const PARTITION_BY_PLAN: &str = "(turned on by the plan)";

pub const HINT_IMAGE: &str = "repository without tag";
pub const HINT_TAG: &str = "the version to run";
pub const HINT_CHOICE: &str = "←/→ change";
pub const HINT_TOGGLE: &str = "Space toggles";
pub const HINT_NUMBER: &str = "↑/↓ change";
pub const HINT_PATHS: &str = "absolute paths, comma-separated";
pub const HINT_PREVIEW_SCROLL: &str = "PgDn/PgUp plan";
pub const KEY_NEXT_FIELD: &str = "field";
pub const KEY_NEXT: &str = "next · submit";
pub const KEY_BACK: &str = "cancel";
pub const KEY_ABORT: &str = "abort";

pub const CLIENT_DISABLED: &str = "upstream never updates its DaemonSet";
pub const CLIENT_POD_WARNING: &str = "rebuilding a client (fuse) pod interrupts the FUSE mount of every app pod on its node; needs the explicit confirmation below";
pub const FORCE_EXPLAIN: &str = "a pod on a lost node stays Terminating until it is force-deleted, and its ordinal is not recreated until then; force only if the node is really down (two pods with one identity otherwise)";
pub const REWARM_UNSUPPORTED: &str = "re-warm not offered: ";
pub const LOST_SUFFIX: &str = " — the cache on it is lost or stranded";

pub const PREVIEW_TITLE: &str = "Plan";
pub const PREVIEW_CHANGES: &str = "Changes, in order:";
pub const PREVIEW_STAYS: &str = "What stays:";
pub const PREVIEW_WARNINGS: &str = "Warnings:";
pub const PREVIEW_NOT_SYNCABLE: &str =
    "Upstream can't do this (the CacheRuntime must be re-created):";
pub const PREVIEW_FIX_FIELDS: &str = "Fix the marked fields to see the plan.";
pub const PREVIEW_PENDING: &str = "Computing the plan…";
pub const PREVIEW_NOTHING: &str = "(nothing)";

pub const FIX_ERRORS: &str = "fix the marked fields first";

pub const IMAGE_EMPTY: &str = "an image repository is required";
pub const IMAGE_HAS_TAG: &str = "the repository only: put the tag in the next field";
pub const IMAGE_SPACE: &str = "no spaces in an image reference";
pub const TAG_EMPTY: &str = "an image tag is required";
pub const TAG_BAD: &str =
    "letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'";
pub const TIMEOUT_BAD: &str = "seconds, a whole number, at least 30";
pub const MAX_UNAVAILABLE_BAD: &str = "a whole number, at least 1";
pub const NO_COMPONENT: &str = "select at least one component";
pub const NO_POD: &str = "tick at least one pod";
pub const PATHS_EMPTY: &str = "at least one path to re-warm";
pub const PATH_ABSOLUTE: &str = "absolute paths only (start with /)";

pub const OPEN_SELECT_RUNTIME: &str =
    "upgrade or rebuild: select a cache runtime, its dataset or one of its pods";
pub const STRATEGY: &str = "Strategy";
pub const YES: &str = "yes";
pub const NO: &str = "no";

pub fn title(upgrade: bool, ns: &str, rt: &str) -> String {
    let what = if upgrade {
        TITLE_UPGRADE
    } else {
        TITLE_REBUILD
    };
    format!(" {what} of CacheRuntime {ns}/{rt} ")
}

pub fn no_runtime(ns: &str, rt: &str) -> String {
    format!("CacheRuntime {ns}/{rt} not found")
}

pub fn locked(ns: &str, rt: &str, by: &str) -> String {
    format!("CacheRuntime {ns}/{rt} is locked by maintenance {by}: finish or abort that run first")
}

pub fn nothing_to_upgrade(ns: &str, rt: &str) -> String {
    format!(
        "nothing to upgrade on CacheRuntime {ns}/{rt}: it has neither a master nor a worker (the client is never upgraded)"
    )
}

pub fn no_pods(ns: &str, rt: &str) -> String {
    format!("nothing to rebuild on CacheRuntime {ns}/{rt}: it has no cache pods")
}

pub fn pod_not_of_runtime(pod: &str, rt: &str) -> String {
    format!("pod {pod} is not a cache pod of CacheRuntime {rt}")
}

pub fn client_toggle_refused(reason: &str) -> String {
    format!("client: {reason}")
}

pub fn not_ready_for(age: &str) -> String {
    format!(", for {age}")
}

pub fn running_now(versions: &[String]) -> String {
    format!("Running now: {}", versions.join(", "))
}

pub fn refused(reason: &str) -> String {
    format!("refused: {reason}")
}

pub fn not_sent(reason: &str) -> String {
    format!("not sent: {reason}")
}

pub fn fix_first(error: &str) -> String {
    format!("fix first: {error}")
}

pub fn preview_title(ns: &str, name: &str) -> String {
    format!(" {PREVIEW_TITLE}: CacheRuntimeMaintenance {ns}/{name} ")
}

pub fn max_unavailable(n: i32) -> String {
    format!("Max unavailable: {n}")
}

pub fn strategy_line(confirm: bool, partition: bool, rollback: bool, timeout: i64) -> String {
    let yn = |b: bool| if b { YES } else { NO };
    format!(
        "{STRATEGY}: confirm each step {}, partition {}, rollback on failure {}, step timeout {timeout}s",
        yn(confirm),
        yn(partition),
        yn(rollback)
    )
}

pub fn confirm_upgrade(ns: &str, rt: &str, image: &str, components: &str) -> String {
    format!("Upgrade CacheRuntime {ns}/{rt} ({components}) to {image} in place?")
}

pub fn confirm_rebuild(ns: &str, rt: &str, reason: &str, pods: &str) -> String {
    format!("Rebuild {pods} of CacheRuntime {ns}/{rt} (reason {reason})?")
}

pub fn records_in(ns: &str, name: &str) -> String {
    format!("records the run in CacheRuntimeMaintenance {ns}/{name}")
}

pub fn numbered(n: usize, text: &str) -> String {
    format!("{n}. {text}")
}

pub fn more_below(n: usize) -> String {
    format!("… {n} more lines (PgDn)")
}

// ------------------------------------------------------------------ what the form is about

/// The title of a rebuild form opened on one pod (the line the cursor was on).
pub fn title_pod(ns: &str, rt: &str, pod: &str) -> String {
    format!(" {TITLE_REBUILD} of pod {pod} (CacheRuntime {ns}/{rt}) ")
}

/// The first line of the preview of a rebuild opened on one pod: only it was ticked, and the
/// planner's suggestions left unticked, if any.
pub fn opened_on_pod(pod: &str, suggested: &[String]) -> String {
    if suggested.is_empty() {
        format!("Opened on pod {pod}: only it is ticked.")
    } else {
        format!(
            "Opened on pod {pod}: only it is ticked. The planner also suggests: {}.",
            suggested.join(", ")
        )
    }
}

/// The form is back after the server refused to record its run.
pub fn start_refused(error: &str) -> String {
    format!("not started, nothing was changed: {error}")
}
