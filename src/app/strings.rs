//! Every user-visible text of the app and its views, in one place.

pub const APP_NAME: &str = "fluidops";
pub const ALL_NAMESPACES: &str = "all";
pub const READONLY_REFUSED: &str = "read-only mode: writes are disabled (--readonly)";
pub const LOGS_NEED_POD: &str = "logs: select a pod";
pub const NOTHING_SELECTED: &str = "nothing selected";
pub const WORKFLOW_UNAVAILABLE: &str =
    "this operation is not available in this build (viewing only)";
pub const PALETTE_EMPTY: &str = "type a command, e.g. pods, ops, ns NAME, q";
pub const OBJECT_GONE: &str = "the object no longer exists";
pub const NO_ROWS: &str = "nothing here";
pub const NO_LOGS: &str = "no log lines yet";
pub const NO_TIMELINE: &str = "no transitions recorded yet";
pub const FOLLOWING: &str = "following";
pub const PAUSED: &str = "paused";
pub const HELP_TITLE: &str = "Keys (from the active keymap)";
pub const NOTICES_TITLE: &str = "Notices — any key to continue";
pub const TOO_SMALL: &str = "terminal too small";
pub const DEMO_BADGE: &str = "demo cluster";
pub const READONLY_BADGE: &str = "read-only";

pub fn unknown_command(cmd: &str) -> String {
    format!("unknown command \"{cmd}\" (Tab completes; :help lists keys)")
}

pub fn no_favourite(n: u8) -> String {
    format!("no favourite namespace {n} (set favourite_namespaces in config.toml)")
}

pub fn namespace_switched(ns: &str) -> String {
    format!("namespace: {ns}")
}

pub fn view_title(
    view: &str,
    ns: Option<&str>,
    shown: usize,
    total: usize,
    filter: &str,
) -> String {
    let ns = ns.unwrap_or(ALL_NAMESPACES);
    let count = if shown == total {
        format!("{total}")
    } else {
        format!("{shown}/{total}")
    };
    if filter.is_empty() {
        format!(" {view}({ns}) [{count}] ")
    } else {
        format!(" {view}({ns}) [{count}] /{filter} ")
    }
}
