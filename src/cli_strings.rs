//! Every text the command line prints outside the full-screen console, in one place.

/// What every message on stderr starts with.
pub fn say(message: &str) -> String {
    format!("fluidops: {message}")
}

/// The console was started without a terminal (`ssh host fluidops` without `-t`, a pipe, cron).
pub fn needs_terminal(which: &str) -> String {
    say(&format!(
        "the console needs a terminal, and {which} is not one; over ssh use `ssh -t`, \
         and for one screen as text use `fluidops snapshot`"
    ))
}

/// The connection prompt after the API server could not be reached (one key, no Enter).
pub const REACH_PROMPT: &str = "[r]etry, [d]emo cluster, [q]uit? ";
/// Echoed after the key pressed at [`REACH_PROMPT`].
pub const REACH_RETRY: &str = "retry";
pub const REACH_DEMO: &str = "demo cluster";
pub const REACH_QUIT: &str = "quit";

/// One line of `demo --scenario list`: the name, what it tells, how long it takes.
pub fn scenario_line(name: &str, summary: &str, secs: u64, steps: usize, cued: usize) -> String {
    let waits = if cued > 0 {
        format!(", or longer: {cued} step(s) wait for the cluster")
    } else {
        String::new()
    };
    format!(
        "{name:<12} {summary}; {steps} steps, about {}m{:02}s at --speed 1{waits}",
        secs / 60,
        secs % 60
    )
}

pub fn unknown_scenario(name: &str, known: &str) -> String {
    say(&format!("unknown scenario \"{name}\"; known: {known}"))
}

pub const AGAINST_CLUSTER_READONLY: &str =
    "fluidops: --against-cluster writes to the cluster; drop --readonly";

pub fn not_listed_in_time(secs: u64, kinds: &str) -> String {
    say(&format!("not listed within {secs} s: {kinds}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_program_and_the_way_out() {
        let m = needs_terminal("standard input");
        assert!(m.starts_with("fluidops: "), "{m}");
        assert!(m.contains("standard input") && m.contains("ssh -t"), "{m}");
    }
}
