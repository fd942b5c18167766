//! What the log page says: its title's extras, `p`, the container choice, `:tail`, `:since`.

pub const PREVIOUS_INSTANCE: &str = "previous instance";
pub const TAIL_ALL: &str = "all";
pub const TAIL_NEEDS_ARG: &str = "tail: give a number of lines or all, e.g. tail 100";
pub const SINCE_NEEDS_ARG: &str = "since: give a duration or off, e.g. since 10m";
pub const LOG_OPTIONS_NEED_LOG_PAGE: &str = "tail, since: open a pod's log first (l)";
pub const LOGS_PICK_TITLE: &str = "Show the log of which container?";

pub fn tail_label(n: &str) -> String {
    format!("tail {n}")
}

pub fn since_label(d: &str) -> String {
    format!("since {d}")
}

pub fn tail_invalid(n: &str) -> String {
    format!("tail: \"{n}\" is not a number of lines (or all)")
}

/// `p` on a log page.
pub fn showing_previous(container: &str) -> String {
    format!("log of the previous instance of {container}; p: the current one")
}

pub fn showing_current(container: &str) -> String {
    format!("log of the current instance of {container}")
}

/// The server refused the log asked for: its message, and what is shown instead.
pub fn log_refused(message: &str) -> String {
    format!("{message} (showing the current log)")
}

pub fn only_container(name: &str) -> String {
    format!("this pod has one container: {name}")
}

pub fn showing_container(name: &str) -> String {
    format!("log of container {name}")
}
