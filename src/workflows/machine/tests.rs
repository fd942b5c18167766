//! advance() on records planned against the demo store: prompts, the first commit, idempotence.

use super::*;
use crate::workflows::plan::tests::{demo_store, key, t0};
use crate::workflows::plan::{UpgradeRequest, plan_upgrade};

/// The demo store and a planned upgrade of imagenet-train recorded at resourceVersion 7.
pub(crate) fn planned() -> (crate::cluster::Store, CacheRuntimeMaintenance) {
    let (_, store) = demo_store();
    let req = UpgradeRequest::new(
        key("imagenet", "imagenet-train"),
        "curvine/curvine",
        "v0.2.6",
    );
    let mut rec = plan_upgrade(&store, &req, "imagenet-train-upgrade-x", t0())
        .unwrap()
        .record;
    rec.metadata.resource_version = Some("7".into());
    (store, rec)
}

#[test]
fn a_planned_run_asks_first_and_writes_nothing() {
    let (store, rec) = planned();
    let d = advance(&rec, &store, t0(), Input::Observe);
    assert!(d.writes.is_empty());
    let st = d.status.unwrap();
    assert_eq!(st.phase, MaintenancePhase::AwaitingConfirmation);
    let p = d.prompt.unwrap();
    assert_eq!(
        p.title,
        "Start the in-place upgrade of imagenet/imagenet-train to curvine/curvine:v0.2.6?"
    );
    assert!(p.lines[0].contains("fluidops.io/maintenance=imagenet-train-upgrade-x"));
}

#[test]
fn confirm_locks_the_runtime_and_patches_the_master_in_one_commit() {
    let (store, rec) = planned();
    let d = advance(&rec, &store, t0(), Input::Confirm);
    let st = d.status.clone().unwrap();
    assert_eq!(st.phase, MaintenancePhase::Running);
    assert_eq!(st.steps[0].state, StepState::Done);
    assert_eq!(st.steps[1].state, StepState::Running);
    assert_eq!(st.current_step, Some(1));
    assert_eq!(
        st.steps[0]
            .observed
            .get("pod/imagenet-train-worker-2.node")
            .map(String::as_str),
        Some("cache-node-03")
    );
    let lines: Vec<String> = d.writes.iter().map(describe_write).collect();
    assert_eq!(
        lines,
        vec![
            "patch CacheRuntime imagenet/imagenet-train: metadata.annotations.fluidops.io/maintenance = imagenet-train-upgrade-x",
            "patch CacheRuntime imagenet/imagenet-train: spec.master.runtimeVersion.image = curvine/curvine, spec.master.runtimeVersion.imageTag = v0.2.6",
        ]
    );
    // The status commit carries the record's resourceVersion as a precondition.
    let WriteOp::MergePatchStatus { patch, .. } = record_status_write(&rec, &st) else {
        panic!()
    };
    assert_eq!(patch["metadata"]["resourceVersion"], "7");
    assert_eq!(patch["status"]["phase"], "Running");

    // Observing the committed record again (the store has not moved) writes nothing more.
    let mut next = rec.clone();
    next.status = Some(st);
    let again = advance(&next, &store, t0(), Input::Observe);
    assert!(again.writes.is_empty(), "{:?}", again.writes);
}

#[test]
fn abort_before_start_touches_nothing() {
    let (store, rec) = planned();
    let d = advance(&rec, &store, t0(), Input::Abort);
    let st = d.status.unwrap();
    assert_eq!(st.phase, MaintenancePhase::Aborted);
    assert!(d.writes.is_empty());
    assert!(st.steps.iter().all(|s| s.state == StepState::Skipped));
}

#[test]
fn spec_flags_are_merge_patches_of_the_record() {
    let (_, rec) = planned();
    let w = spec_flag_write(&rec, Some(true), None);
    assert_eq!(
        describe_write(&w),
        "patch CacheRuntimeMaintenance imagenet/imagenet-train-upgrade-x: spec.paused = true"
    );
    assert_eq!(progress(&rec), (0, 9));
    assert_eq!(
        current_step(&rec).map(|s| s.name.as_str()),
        Some("preflight")
    );
    assert!(is_active(&rec));
}

#[test]
fn a_refused_write_fails_the_step_pauses_and_retry_sends_it_again() {
    let (store, rec) = planned();
    let d = advance(&rec, &store, t0(), Input::Confirm);
    let mut rec = rec;
    rec.status = d.status;
    let f = write_failed(
        &rec,
        &store,
        t0(),
        "403 Forbidden: cacheruntimes is forbidden",
    );
    let st = f.status.unwrap();
    assert_eq!(st.phase, MaintenancePhase::Paused);
    assert_eq!(st.steps[1].state, StepState::Failed);
    assert_eq!(
        st.steps[1].message.as_deref(),
        Some(
            "the API server refused a write of step patch-master: 403 Forbidden: cacheruntimes is forbidden"
        )
    );
    let c = st
        .conditions
        .iter()
        .find(|c| c.type_ == "Progressing")
        .unwrap();
    assert_eq!(c.reason.as_deref(), Some("WriteFailed"));
    assert!(f.writes.is_empty());

    rec.status = Some(st);
    let r = advance(&rec, &store, t0(), Input::Retry);
    let st = r.status.unwrap();
    assert_eq!(st.phase, MaintenancePhase::Running);
    assert_eq!(st.steps[1].state, StepState::Running);
    let lines: Vec<String> = r.writes.iter().map(describe_write).collect();
    // The store never saw the lock (its write may be the one refused): taken again, then the
    // patch re-sent.
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[0].contains("fluidops.io/maintenance"));
    assert!(lines[1].contains("spec.master.runtimeVersion.imageTag = v0.2.6"));
}

#[test]
fn timeouts_fail_the_running_step_with_what_is_missing() {
    let (store, rec) = planned();
    let d = advance(&rec, &store, t0(), Input::Confirm);
    let mut rec = rec;
    rec.status = d.status;
    // Nothing happens in the store: patch-master never sees Fluid sync the image.
    let later = t0() + jiff::SignedDuration::from_secs(600);
    let st = advance(&rec, &store, later, Input::Observe).status.unwrap();
    assert_eq!(st.phase, MaintenancePhase::Paused);
    assert_eq!(
        st.steps[1].message.as_deref(),
        Some(
            "timed out after 600s waiting for CacheRuntime/imagenet-train: spec.master.runtimeVersion still curvine/curvine:v0.2.5"
        )
    );
    // Just before the timeout it only waits, with the same message: nothing to commit.
    let before = t0() + jiff::SignedDuration::from_secs(599);
    assert_eq!(
        advance(&rec, &store, before, Input::Observe),
        Decision::default()
    );
    assert_eq!(
        rec.status.as_ref().unwrap().steps[1].message.as_deref(),
        Some("waiting: spec.master.runtimeVersion still curvine/curvine:v0.2.5")
    );
}
