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

// ------------------------------------------------------------------ recordings

pub fn not_a_recording(path: &str) -> String {
    say(&format!("{path} is not a fluidops recording"))
}

pub fn newer_recording(path: &str, version: u16, ours: u16) -> String {
    say(&format!(
        "{path} is a recording of format version {version}, newer than this fluidops reads \
         (up to {ours}): replay it with a newer fluidops"
    ))
}

pub fn cannot_open(path: &str, why: &str) -> String {
    say(&format!("cannot open {path}: {why}"))
}

pub fn recording_cut_short(path: &str) -> String {
    say(&format!(
        "{path} ends inside a block (the recorder was stopped hard): it replays up to there"
    ))
}

pub fn recording_empty(path: &str) -> String {
    say(&format!("{path} holds no changes yet"))
}

pub fn recording_to(path: &str, what: &str) -> String {
    say(&format!("recording {what} to {path}; Ctrl-C stops"))
}

pub fn recorded(path: &str, changes: u64, bytes: u64, secs: f64) -> String {
    let per = bytes.checked_div(changes).unwrap_or(0);
    say(&format!(
        "recorded {changes} changes in {secs:.0} s to {path}: {bytes} bytes ({per} bytes a change)"
    ))
}

pub fn recording_failed(why: &str) -> String {
    say(&format!("recording stopped: {why}"))
}

pub fn bad_time(why: &str) -> String {
    say(why)
}

pub const REPLAY_NEEDS_RECORDING: &str =
    "fluidops: --at needs a recording (snapshot --replay FILE, replay FILE or --seed FILE.rec)";

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
