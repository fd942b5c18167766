//! Every user-visible text of the app and its views, in one place.

pub const APP_NAME: &str = "fluidops";
pub const ALL_NAMESPACES: &str = "all";
pub const READONLY_REFUSED: &str = "read-only mode: writes are disabled (--readonly)";
pub const LOGS_NEED_POD: &str = "logs: select a pod";
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
