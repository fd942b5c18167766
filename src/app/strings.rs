//! Every user-visible text of the app and its views, in one place.

pub const APP_NAME: &str = "fluidops";
pub const ALL_NAMESPACES: &str = "all";
pub const READONLY_REFUSED: &str = "read-only mode: writes are disabled (--readonly)";
pub const LOGS_NEED_POD: &str = "logs: select a pod or a data operation (its loader pod)";
pub const NOTHING_SELECTED: &str = "nothing selected";
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

/// `:ctx` without a name: the contexts, the current one marked.
pub fn contexts_list(contexts: &[String], current: &str) -> String {
    match contexts {
        [] => format!("no kubeconfig contexts; current: {current}"),
        [only] if only == current && only == "demo" => {
            "the demo cluster has only the \"demo\" context".to_string()
        }
        all => {
            let names: Vec<String> = all
                .iter()
                .map(|c| {
                    if c == current {
                        format!("*{c}")
                    } else {
                        c.clone()
                    }
                })
                .collect();
            format!("contexts: {} (:ctx NAME switches)", names.join(" "))
        }
    }
}

pub fn context_already(name: &str) -> String {
    format!("already on context {name}")
}

pub fn context_unknown(name: &str, known: &[String]) -> String {
    if known.len() == 1 && known[0] == "demo" {
        return format!("no context \"{name}\": the demo cluster has only the \"demo\" context");
    }
    format!(
        "no context \"{name}\" in the kubeconfig (known: {})",
        known.join(", ")
    )
}

pub fn context_connecting(name: &str) -> String {
    format!("connecting to context {name}…")
}

pub fn context_switched(name: &str) -> String {
    format!("context: {name}")
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

/// A `/filter` that is not a valid regex (it is not applied).
pub fn filter_invalid(why: &str) -> String {
    format!("not a valid regex: {why}")
}

// --- kinds a list view could not list ---

/// Why `kind` could not be listed.
pub fn kind_unavailable(
    kind: crate::model::Kind,
    availability: &crate::cluster::Availability,
) -> Option<String> {
    use crate::cluster::Availability;
    match availability {
        Availability::Available => None,
        Availability::NotInstalled => Some(format!("{kind}: CRD not installed in this cluster")),
        Availability::Forbidden(why) => Some(format!("{kind}: forbidden by RBAC ({why})")),
        Availability::Failing(why) => Some(format!("{kind}: {why}")),
    }
}

/// Between the kinds a list view could not list.
pub const UNAVAILABLE_SEP: &str = " · ";

/// Under rows of the kinds that could be listed: which could not, and why.
pub fn not_listed(reasons: &str) -> String {
    format!("not listed: {reasons}")
}

pub const DELETE_CANCELS: &str = "It has not finished: deleting it cancels the run.";
pub const CONFIRM_BUTTON: &str = "Confirm";

/// Which lines of a long confirmation body are on screen (the footer names the scroll keys).
pub fn lines_shown(first: usize, last: usize, total: usize) -> String {
    format!(" lines {first}–{last} of {total} ")
}
pub const CANCEL_BUTTON: &str = "Cancel";
pub const TYPE_TO_CONFIRM: &str = "type the name to confirm: ";
pub const DELETE_ONLY_OPERATIONS: &str =
    "delete is offered for data operations and maintenance records";
pub const RERUN_ONLY_FAILED: &str = "rerun is offered for a failed data operation";

pub fn delete_title(key: &crate::model::ObjectKey) -> String {
    format!("Delete {}?", object_ref(key))
}

pub fn delete_body(key: &crate::model::ObjectKey) -> String {
    format!("{key} will be deleted from the cluster.")
}

pub fn rerun_title(target: &str) -> String {
    format!("Create {target}? (a new run with the same spec)")
}

pub fn sending(verb: &str, subject: &str) -> String {
    format!("{verb} {subject}…")
}

pub fn write_done(verb: &str, subject: &str, dry_run: bool) -> String {
    if dry_run {
        format!("dry run of {verb} {subject}: accepted")
    } else {
        format!("{verb} {subject}: done")
    }
}

pub fn write_failed(verb: &str, subject: &str, error: &str) -> String {
    format!("{verb} {subject} failed: {error}")
}

// ------------------------------------------------------------------ maintenance runs

pub const RESUME_BODY: &str = "The run goes on from its current step; steps that change the cluster still ask first where the strategy says so.";
pub const PAUSE_BODY: &str =
    "No new step starts while paused; a step already running keeps being watched.";
pub const RETRY_BODY: &str = "The failed step runs again from the start, with a fresh timeout.";
pub const ABORT_REBUILD_BODY: &str = "The rebuild stops before its next destructive step. Pods already rebuilt stay as they are; a rebuild has no rollback.";
pub const RUN_FINISHED: &str = "this run has finished";

pub fn take_over_body(rec: &crate::model::CacheRuntimeMaintenance) -> Vec<String> {
    let (done, total) = crate::workflows::machine::progress(rec);
    let step = crate::workflows::machine::current_step(rec)
        .map(|s| format!("{} ({})", s.name, s.state))
        .unwrap_or_else(|| "-".into());
    vec![
        format!(
            "{} of runtime {} is {} at step {step}, {done}/{total} steps done.",
            rec.spec.type_,
            rec.spec.runtime_name,
            rec.phase()
        ),
        "It was started by another console or an earlier session. This console will watch it and \
         send its next steps from where the record stands; steps already done are not repeated."
            .into(),
    ]
}

pub fn take_over_title(run: &crate::model::ObjectKey) -> String {
    format!("Drive this run ({}) from this console?", object_ref(run))
}

pub fn resume_title(run: &crate::model::ObjectKey) -> String {
    format!("Resume {}?", object_ref(run))
}

pub fn pause_title(run: &crate::model::ObjectKey) -> String {
    format!("Pause {}?", object_ref(run))
}

pub fn retry_title(step: &str, run: &crate::model::ObjectKey) -> String {
    format!("Retry step {step} of {}?", object_ref(run))
}

/// A step or start prompt of a run, as its dialog's title: what it asks, then the run.
pub fn run_prompt_title(run: &crate::model::ObjectKey, prompt: &str) -> String {
    format!("{prompt} — {}", object_ref(run))
}

pub fn abort_title(
    run: &crate::model::ObjectKey,
    rec: &crate::model::CacheRuntimeMaintenance,
) -> String {
    let run = object_ref(run);
    match rec.spec.type_ {
        crate::model::maintenance::MaintenanceType::Upgrade => {
            format!("Abort {run} and roll back?")
        }
        _ => format!("Abort {run}?"),
    }
}

pub fn abort_upgrade_body(rec: &crate::model::CacheRuntimeMaintenance) -> Vec<String> {
    let mut lines = vec![
        "Components already patched go back to their previous version, in reverse order:"
            .to_string(),
    ];
    for (c, v) in rec.status.iter().flat_map(|s| s.previous.iter()) {
        lines.push(format!("  {c}: {}:{}", v.image, v.image_tag));
    }
    lines.push(
        "Each pod restarts in place again and is watched until Ready on the old image.".into(),
    );
    lines
}

pub fn run_starting(name: &str) -> String {
    format!("recording maintenance {name}…")
}

pub fn run_recorded(name: &str) -> String {
    format!("maintenance {name} recorded; this console drives it")
}

pub fn run_taken_over(name: &str) -> String {
    format!("driving maintenance {name} from this console")
}

pub fn run_not_started(error: &str) -> String {
    format!("the run was not started: {error}")
}

pub fn run_commit_refused(name: &str, error: &str, moved: bool) -> String {
    if moved {
        format!("{name}: its record changed meanwhile (another console?), looking again: {error}")
    } else {
        format!(
            "{name}: its record was not updated, nothing else was sent (tried again at the next change): {error}"
        )
    }
}

pub fn run_write_refused(name: &str, error: &str) -> String {
    format!("{name}: a step's write was refused, the run pauses: {error}")
}

pub fn run_write_note(name: &str, what: &str) -> String {
    format!("maintenance {name}: {what}")
}

pub fn run_plan_note(steps: &[String]) -> String {
    format!("planned steps: {}", steps.join(", "))
}

pub const RUN_BAR_TITLE: &str = " run ";
pub const RUN_NOT_DRIVEN_HERE: &str = "not driven by this console (Enter takes it over)";
pub const RUN_DRIVEN_HERE: &str = "driven by this console";
pub const RUN_SENDING: &str = "driven by this console, sending…";

pub const RUN_FINISHED_HERE: &str = "finished";

pub fn run_waits_for(title: &str) -> String {
    format!("waits for your confirmation: {title}")
}

/// The title of a plan's confirmation: the runtime it changes (and, for a rebuild, the pods).
pub fn plan_confirm_title(
    runtime: &crate::model::ObjectKey,
    rec: &crate::model::CacheRuntimeMaintenance,
) -> String {
    let rt = object_ref(runtime);
    match rec.spec.type_ {
        crate::model::maintenance::MaintenanceType::Upgrade => {
            let to = rec
                .spec
                .upgrade
                .as_ref()
                .map(|u| format!("{}:{}", u.image, u.image_tag))
                .unwrap_or_default();
            format!("Upgrade {rt} to {to}?")
        }
        _ => {
            let pods = rec.spec.rebuild.as_ref().map_or(&[][..], |r| &r.pods[..]);
            match pods {
                [] => format!("Rebuild the cache of {rt}?"),
                [one] => format!("Rebuild pod {one} of {rt}?"),
                many => format!("Rebuild {} pods of {rt}?", many.len()),
            }
        }
    }
}

pub const FAULT_DEMO_ONLY: &str = "failures can be triggered on the demo cluster only";

pub fn fault_needs_argument(cmd: &str) -> String {
    format!(":{cmd} needs a name (see :help)")
}

pub fn fault_done(what: &str) -> String {
    format!("demo cluster: {what}")
}

// ------------------------------------------------------------------ the spec editor

pub const EDITOR_DRY_RUN_SENT: &str = "dry run sent to the server…";
pub const EDITOR_DRY_RUN_REFUSED: &str = "the server refused the dry run (buffer kept)";
pub const EDITOR_APPLY_REFUSED: &str = "the server refused the apply (buffer kept)";
pub const EDITOR_CONFLICT: &str = "the object changed since you opened it: rebase or abort";
pub const EDITOR_GONE: &str = "the object is gone from the cluster (buffer kept)";
pub const EDITOR_REBASED: &str = "rebased on live: your changes re-applied; review again";
pub const EDITOR_REOPENED_ON_LIVE: &str =
    "reopened on live; your text is in the side buffer (^T swaps)";
pub const EDITOR_MOVED_ON_SERVER: &str = "409: the object changed on the server after you opened it; nothing was applied, your buffer is kept; saving again compares it with the live object (rebase or abort)";
pub const EDITOR_MANAGER_CONFLICT: &str =
    "409: another field manager owns a field you changed; nothing was applied, your buffer is kept";
pub const EDITOR_CONFLICT_ABORTED: &str = "conflict: nothing sent, your buffer is kept";
pub const EDITOR_NO_SIDE_BUFFER: &str = "no side buffer";

pub fn editor_clashes(paths: &[String]) -> String {
    format!(
        "changes clash at {}: reopened on live, your text is in the side buffer (^T swaps)",
        paths.join(", ")
    )
}

pub fn editor_not_found(pattern: &str) -> String {
    format!("not found: {pattern}")
}

pub fn editor_not_editable(kind: crate::model::Kind) -> String {
    format!("{kind} cannot be edited here (only Fluid kinds)")
}

pub fn editor_external_failed(error: &str) -> String {
    format!("external editor: {error} (buffer kept)")
}

pub fn editor_problems(n: usize, first: &str) -> String {
    format!("{n} problem(s), nothing sent: {first}")
}

pub fn editor_applied(key: &crate::model::ObjectKey) -> String {
    format!("applied {key} as {}", crate::cluster::writer::FIELD_MANAGER)
}

// ------------------------------------------------------------------ what a dialog is about

/// An object as dialogs name it: `Kind namespace/name` (`Kind name` when cluster-wide).
pub fn object_ref(key: &crate::model::ObjectKey) -> String {
    if key.namespace.is_empty() {
        format!("{} {}", key.kind, key.name)
    } else {
        format!("{} {}/{}", key.kind, key.namespace, key.name)
    }
}

pub fn apply_title(key: &crate::model::ObjectKey) -> String {
    format!("Apply {}?", object_ref(key))
}

// ------------------------------------------------------------------ quitting while driving runs

pub fn quit_title(runs: &[crate::model::ObjectKey]) -> String {
    match runs {
        [one] => format!("Quit and stop driving {}?", object_ref(one)),
        many => format!("Quit and stop driving {} runs?", many.len()),
    }
}

pub fn switch_context_title(context: &str, runs: &[crate::model::ObjectKey]) -> String {
    match runs {
        [one] => format!(
            "Switch to context {context} and stop driving {}?",
            object_ref(one)
        ),
        many => format!(
            "Switch to context {context} and stop driving {} runs?",
            many.len()
        ),
    }
}

/// One run driven here, as the quit dialog lists it.
pub fn driven_run_line(
    run: &crate::model::ObjectKey,
    rec: Option<&crate::model::CacheRuntimeMaintenance>,
    sending: bool,
) -> String {
    let Some(rec) = rec else {
        return format!("- {}: being recorded", object_ref(run));
    };
    let (done, total) = crate::workflows::machine::progress(rec);
    let step = crate::workflows::machine::current_step(rec)
        .map(|s| format!(", step {} {}", s.name, s.state))
        .unwrap_or_default();
    let sending = if sending { ", a write under way" } else { "" };
    format!(
        "- {}: {} of {}, {}{step}, {done}/{total} steps done{sending}",
        object_ref(run),
        rec.spec.type_,
        rec.spec.runtime_name,
        rec.phase()
    )
}

pub const STOP_DRIVING_INTRO: &str = "This console drives:";
pub const STOP_DRIVING_BODY: &str = "On quitting they stop being driven: no new step starts from this console, and a write already under way is finished first. Each record stays where it stands; another console (or this one, started again) takes a run over with Enter on its page.";

pub const STOP_DRIVING_ON_SWITCH: &str = "Once the new context answers, they stop being driven here: no new step starts from this console. Each record stays where it stands; another console takes a run over with Enter on its page.";

pub const QUITTING_NO_RUNS: &str =
    "quitting: no run is started or answered from this console any more";

pub fn quit_waiting(runs: usize) -> String {
    format!(
        "quitting once the writes under way for {runs} run(s) are answered… (quit again to leave now)"
    )
}

// ------------------------------------------------------------------ read-only refusals

pub const READONLY_NO_TAKE_OVER: &str = "read-only (--readonly): this console only watches runs; take it over from a console started without --readonly";
pub const READONLY_NO_RUN_WRITES: &str =
    "read-only (--readonly): answering, pausing or aborting a run writes its record";
pub const RUN_NOT_DRIVEN_READONLY: &str = "not driven by this console (read-only: it only watches)";

/// A runtime's client that no application pod uses yet (shown with the `Idle` look).
pub const IDLE: &str = "idle";

/// The first line of the editor's review: how the edit is sent. At a resourceVersion the apply
/// takes over fields other managers set (the server refuses it if the object moved).
pub fn editor_apply_summary(
    key: &crate::model::ObjectKey,
    manager: &str,
    resource_version: Option<&str>,
) -> String {
    match resource_version {
        Some(rv) => format!(
            "What will be sent: server-side apply of {key} as \"{manager}\" at resourceVersion {rv}, taking over fields other managers set (dry run passed)."
        ),
        None => format!(
            "What will be sent: server-side apply of {key} as \"{manager}\" (dry run passed)."
        ),
    }
}

/// A run's lock on its runtime could not be taken again after the runtime moved.
pub const LOCK_RETRY_GAVE_UP: &str =
    "the runtime kept changing under the lock write (409 Conflict); the lock was not taken";

/// A run's lock on its runtime is held by another run.
pub fn lock_taken(holder: &str) -> String {
    format!("the runtime is locked by maintenance run {holder} now; the lock was not taken")
}
// ------------------------------------------------------------------ where to look first

/// A problem's state: a node that stopped reporting.
pub const NODE_LOST: &str = "Lost";
/// A problem's state: a ready runtime whose client pods fail.
pub const CLIENT_DEGRADED: &str = "Ready (client failing)";
/// The header's problem count label.
pub const PROBLEMS_LABEL: &str = "problems:";
/// The footer notice when a new problem appears while another view is on screen.
pub fn new_problem_notice(what: &str, object: &str) -> String {
    format!("new problem: {object} {what}")
}
pub const NOTICE_DISMISS: &str = "dismiss";
pub const NOTICE_SHOW: &str = "problems";
/// Nodes: the Ready column's text for a node that stopped reporting.
pub const NODE_READY: &str = "Ready";
/// Nothing wrong: the problems view's empty text.
pub const NO_PROBLEMS: &str = "nothing wrong now";
// ------------------------------------------------------------------ copy, search, save

pub fn copied(what: &str, bytes: usize) -> String {
    format!("copied {what} to the clipboard ({bytes} bytes)")
}

pub fn copied_name(name: &str) -> String {
    format!("copied {name} to the clipboard")
}

pub fn page_text_label(page: super::text_pages::PageKind, object: &str) -> String {
    use super::text_pages::PageKind;
    match page {
        PageKind::Yaml => format!("the YAML of {object}"),
        PageKind::Describe => format!("the description of {object}"),
        PageKind::Log => format!("the log of {object}"),
    }
}

pub const NOTHING_TO_COPY: &str = "nothing to copy here";
pub const COPY_TEXT_NEEDS_PAGE: &str =
    "Y copies the YAML, description or log on screen: open one first (y, d, l)";
pub const SEARCH_NONE: &str = "no search: / and a text first";

pub fn search_no_match(needle: &str) -> String {
    format!("no line holds \"{needle}\"")
}

pub fn search_position(needle: &str, at: usize, of: usize) -> String {
    format!("\"{needle}\": match {at} of {of}")
}

pub fn search_title(needle: &str, at: Option<usize>, of: usize) -> String {
    match at {
        Some(at) => format!(" /{needle} {at}/{of}"),
        None => format!(" /{needle} 0/{of}"),
    }
}

pub const LOG_EMPTY_NOT_SAVED: &str = "the log is empty: nothing saved";
pub const LOG_SAVE_NO_DIR: &str = "no state directory to save the log in";

pub fn log_saved(path: &std::path::Path, lines: usize) -> String {
    format!("saved {lines} log lines to {}", path.display())
}

pub fn log_save_failed(path: &std::path::Path, why: &str) -> String {
    format!("could not save the log to {}: {why}", path.display())
}

// ------------------------------------------------------------------ shell (s)

pub const SHELL_NEEDS_POD: &str =
    "s opens a shell in a pod: select one (:pods, or a runtime's Pods pane)";
pub const SHELL_NO_CONTAINERS: &str = "this pod has no containers to open a shell in";
pub const SHELL_NO_STREAM: &str = "the API server gave no terminal stream";
pub const SHELL_PICK_TITLE: &str = "Open a shell in which container?";

pub fn shell_opening(pod: &crate::model::ObjectKey, container: &str) -> String {
    format!(
        "opening a shell in {}/{} ({container})…",
        pod.namespace, pod.name
    )
}

pub fn shell_ended(pod: &crate::model::ObjectKey, container: &str) -> String {
    format!(
        "shell in {}/{} ({container}) ended",
        pod.namespace, pod.name
    )
}

pub fn shell_ended_with(pod: &crate::model::ObjectKey, container: &str, why: &str) -> String {
    format!(
        "shell in {}/{} ({container}) ended: {why}",
        pod.namespace, pod.name
    )
}

pub fn shell_failed(pod: &crate::model::ObjectKey, why: &str) -> String {
    format!("no shell in {}/{}: {why}", pod.namespace, pod.name)
}

/// The line printed above a real shell (the console's screen is put away meanwhile).
pub fn shell_header(pod: &crate::model::ObjectKey, container: &str) -> String {
    format!(
        "fluidops: shell in {}/{} ({container}) through the API server; exit the shell to return to the console",
        pod.namespace, pod.name
    )
}

pub fn sim_shell_prompt(pod: &str, container: &str) -> String {
    format!("[simulated] {container}@{pod}:/# ")
}

pub fn sim_shell_banner(ns: &str, pod: &str, container: &str) -> Vec<String> {
    vec![
        format!("fluidops demo: SIMULATED shell in {ns}/{pod} ({container}). Nothing here runs in a container."),
        "It answers the engine's status commands from the demo cluster's state: cv report, cv mount, cv fs ls [PATH]; help; exit (or Ctrl-D) returns to the console.".to_string(),
    ]
}

pub const SIM_SHELL_HELP: &[&str] = &[
    "[simulated] commands:",
    "  cv report        the cluster's masters, live workers, capacity and what is cached",
    "  cv mount         the dataset's mounts: cache path and the storage behind it",
    "  cv fs ls [PATH]  the mount points at the cache's root",
    "  exit             back to the console",
];
pub const SIM_SHELL_NO_RUNTIME: &str =
    "[simulated] this pod belongs to no runtime the console knows";
pub const SIM_SHELL_NO_DATASET: &str = "[simulated] no dataset is bound to this pod's runtime";
pub const SIM_SHELL_NO_MOUNTS: &str = "[simulated] the dataset has no mounts";

pub fn sim_shell_unknown(cmd: &str) -> String {
    format!("[simulated] {cmd}: not simulated here (try help)")
}

/// What `cv report` shows.
pub struct SimReport<'a> {
    pub runtime: &'a str,
    pub masters: (i32, i32),
    pub workers: (i32, i32),
    pub capacity: &'a str,
    pub cached: &'a str,
    pub percentage: &'a str,
}

pub fn sim_shell_report(r: &SimReport) -> Vec<String> {
    vec![
        "[simulated] cluster report".to_string(),
        format!("  runtime:         {}", r.runtime),
        format!("  masters ready:   {}/{}", r.masters.0, r.masters.1),
        format!("  live workers:    {}/{}", r.workers.0, r.workers.1),
        format!("  cache capacity:  {}", r.capacity),
        format!("  cached:          {} ({})", r.cached, r.percentage),
    ]
}

pub fn sim_shell_mount_line(path: &str, ufs: &str) -> String {
    format!("{path:<24} {ufs}")
}

pub fn sim_shell_dir_line(path: &str) -> String {
    format!("drwxr-xr-x  {}", path.trim_start_matches('/'))
}

pub fn sim_shell_no_listing(path: &str, ufs: &str) -> String {
    format!("[simulated] {path} mounts {ufs}: its files are not simulated")
}

pub fn sim_shell_no_such_path(path: &str) -> String {
    format!("[simulated] {path}: no such mount point")
}

// ------------------------------------------------------------------ help (?)

/// The help screen's heading of a keymap mode: what the operator is doing when its keys apply.
pub fn help_heading(mode: crate::app::actions::KeyMode) -> &'static str {
    use crate::app::actions::KeyMode::*;
    match mode {
        Global => "Anywhere",
        List => "Browsing a list",
        Detail => "On an object's page",
        Timeline => "Reading a timeline",
        Logs => "Reading a log",
        Yaml => "Reading YAML",
        Help => "In this help",
        Confirm => "Answering a confirmation",
        Filter => "Typing a filter or search",
        Palette => "Typing a command (:)",
        Editor => "Editing a spec",
        Form => "Filling a form",
        Wizard => "Driving an upgrade or rebuild",
    }
}

pub const HELP_SEARCH_HINT: &str = "/ searches";

pub fn help_title_matching(query: &str, rows: usize) -> String {
    format!("Keys matching \"{query}\" ({rows})")
}

pub fn help_no_match(query: &str) -> String {
    format!("no key, action or description holds \"{query}\" (:help alone lists every key)")
}

pub const HELP_LEGEND_HEADING: &str = "What the symbols mean";

/// The phases the legend shows, in the order they read best.
pub const HELP_LEGEND_PHASES: &[&str] = &[
    "Ready",
    "PartialReady",
    "NotReady",
    "Running",
    "Pending",
    "SettingUp",
    "Executing",
    "Complete",
    "Failed",
    "Bound",
    "NotBound",
    "Updating",
    "Terminating",
    "CrashLoopBackOff",
    "Blocked",
    "AwaitingConfirmation",
    "Paused",
    "Aborted",
    "Unknown",
];

pub fn help_sort_legend(up: &str, down: &str) -> String {
    format!("{up} / {down}  the list is sorted by this column (reversed)")
}

pub fn no_loader_pod(op: &str) -> String {
    format!("{op} has no loader pod now (not started yet, or its Job is gone)")
}
// ------------------------------------------------------------------ replaying a recording

pub const RECORDING_REFUSED: &str =
    "this is a recording (fluidops replay): it shows what happened and cannot be changed";
pub const REPLAY_ONLY: &str = "only on a recording: open one with `fluidops replay FILE`";

pub fn no_later_change(key: Option<&crate::model::ObjectKey>) -> String {
    match key {
        Some(k) => format!("no later change of {k} in the recording"),
        None => "the recording ends here".to_string(),
    }
}

/// The header's time cursor on a recording.
pub fn replay_cursor(
    playing: bool,
    at: &str,
    speed: f64,
    start: &str,
    end: &str,
    truncated: bool,
) -> String {
    let mark = if playing { "▶" } else { "⏸" };
    let cut = if truncated { " cut short" } else { "" };
    format!(" {mark} REC {at} ×{speed} [{start}–{end}]{cut} ")
}
pub const AT_NEEDS_TIME: &str = "at TIME: e.g. `:at 03:12` (UTC), `:at -5m`, `:at start`";
