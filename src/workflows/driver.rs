//! The driver of a run: it feeds the machine ([`super::machine`]) what the store shows, commits
//! each new status to the run's record first (a status patch naming the record's
//! resourceVersion, so a second console that moved first wins and nothing is done twice), and
//! only then hands out the step's writes, one at a time. A refused write fails the step and
//! pauses the run.
//!
//! Pure: a [`Drive`] is a run's state between two answers of the cluster. Each of its methods
//! takes the store, the time and an operator's input or a write's answer, and returns a [`Turn`]:
//! the write to send next, whether anything visible changed, whether the run needs no more
//! driving, and what to tell the operator. Sending the write, showing the prompt and the notices
//! is the console's part (`app::runs`); the tests drive whole runs with the same type against the
//! demo cluster.

use std::collections::VecDeque;

use jiff::Timestamp;

use super::machine::{self, Input, Prompt};
use crate::app::strings;
use crate::cluster::Store;
use crate::cluster::writer::{Write, WriteError, WriteOp, WriteOrigin, WriteOutcome};
use crate::model::maintenance::MaintenanceStatus;
use crate::model::{CacheRuntimeMaintenance, Kind, Object, ObjectKey};

/// One run driven by a console.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Drive {
    /// The record as this console's last write returned it (ahead of the store until the watch
    /// brings the same version).
    pub latest: Option<CacheRuntimeMaintenance>,
    /// The write sent and not answered yet; nothing else is decided meanwhile.
    pub in_flight: Option<Write>,
    /// The step's writes still to send after the one in flight.
    pub queue: VecDeque<Write>,
    /// What the run waits for the operator to confirm.
    pub prompt: Option<Prompt>,
    /// An answer to give the machine once the write in flight is done.
    pub next_input: Option<Input>,
    /// The plan was confirmed when the run was created: its first prompt is answered with it.
    pub first_prompt_confirmed: bool,
    /// The status to put on a record the server created without one (status subresource).
    pub initial_status: Option<MaintenanceStatus>,
    /// The runtime's lock write, refused because the runtime moved (Fluid writes its status
    /// all the time): sent again, at the runtime's new resourceVersion, once the store has it.
    pub lock_retry: Option<LockRetry>,
}

/// A lock write to send again ([`Drive::lock_retry`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LockRetry {
    pub write: Write,
    /// The resourceVersion the refused write named.
    pub refused_at: String,
    pub attempts: u32,
}

/// How often a lock write refused for a moved runtime is sent again before the step fails.
const LOCK_RETRIES: u32 = 5;

/// The resourceVersion a lock write names, if `write` is one: a merge patch of the runtime
/// setting the lock annotation under a resourceVersion guard.
fn lock_write_rv(write: &Write) -> Option<&str> {
    let WriteOp::MergePatch { key, patch } = &write.op else {
        return None;
    };
    let meta = &patch["metadata"];
    (key.kind == Kind::CacheRuntime && meta["annotations"][super::LOCK_ANNOTATION].is_string())
        .then(|| meta["resourceVersion"].as_str())
        .flatten()
}

/// What the console does after a decision or a write's answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Turn {
    /// The write to send now; its answer goes to [`Drive::write_done`].
    pub send: Option<Write>,
    /// Something the operator sees of the run changed (its record, its prompt, a write sent).
    pub changed: bool,
    /// The run needs no more driving here: its driver is dropped.
    pub finished: bool,
    /// What to tell the operator about the write just answered.
    pub notice: Option<Notice>,
}

/// What the operator is told about a run's write (each carries the server's error text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The record was created: this console drives the run.
    Recorded,
    /// The record could not be created: nothing was done, nothing is driven.
    NotStarted(String),
    /// The status commit was refused: the run looks again on the next observation. `moved`:
    /// the record changed or went meanwhile (another console moved first); otherwise the
    /// server refused the write itself (permissions, validation, the connection).
    CommitRefused { error: String, moved: bool },
    /// A step's write was refused: the step fails and the run pauses (or rolls back).
    WriteRefused(String),
}

/// The record of a run as a console knows it best: the store's, unless its driver has committed
/// a newer one the watch has not brought yet.
pub fn record<'a>(
    store: &'a Store,
    key: &ObjectKey,
    drive: Option<&'a Drive>,
) -> Option<&'a CacheRuntimeMaintenance> {
    let stored = match store.get(key) {
        Some(Object::Maintenance(m)) => Some(&**m),
        _ => None,
    };
    newest(stored, drive.and_then(|d| d.latest.as_ref()))
}

/// The newer of two versions of a record, by resourceVersion.
fn newest<'a>(
    stored: Option<&'a CacheRuntimeMaintenance>,
    latest: Option<&'a CacheRuntimeMaintenance>,
) -> Option<&'a CacheRuntimeMaintenance> {
    let rv = |m: &CacheRuntimeMaintenance| {
        m.metadata
            .resource_version
            .as_deref()
            .and_then(|v| v.parse::<u64>().ok())
    };
    match (stored, latest) {
        (Some(s), Some(l)) => Some(if rv(l) > rv(s) { l } else { s }),
        (s, l) => s.or(l),
    }
}

impl Drive {
    /// The driver of a confirmed plan, and the write that creates its record (without status:
    /// the status follows once the server created it, and the plan's confirmation answers the
    /// first prompt).
    pub fn start(rec: &CacheRuntimeMaintenance) -> (Drive, Write) {
        let mut manifest = serde_json::to_value(rec).unwrap_or_default();
        if let Some(m) = manifest.as_object_mut() {
            m.remove("status");
        }
        let create = Write {
            op: WriteOp::Create(manifest),
            dry_run: false,
            note: Some(plan_note(rec)),
            origin: WriteOrigin::Run(record_key(rec)),
        };
        let drive = Drive {
            latest: None,
            in_flight: Some(create.clone()),
            first_prompt_confirmed: true,
            initial_status: rec.status.clone(),
            ..Drive::default()
        };
        (drive, create)
    }

    /// Whether `write` is the one this driver waits for.
    pub fn awaits(&self, write: &Write) -> bool {
        self.in_flight.as_ref() == Some(write)
    }

    /// One decision of the run at `key`: the operator's `input`, or else a queued answer, or else
    /// a look at the store and the time. While a write is in flight nothing is decided; an input
    /// is kept for when it is answered.
    pub fn decide(
        &mut self,
        key: &ObjectKey,
        store: &Store,
        now: Timestamp,
        mut input: Option<Input>,
    ) -> Turn {
        let mut turn = Turn::default();
        loop {
            let Some(rec) = record(store, key, Some(self)).cloned() else {
                return turn;
            };
            if self.in_flight.is_some() {
                if input.is_some() {
                    self.next_input = input;
                }
                return turn;
            }
            if let Some(retry) = self.lock_retry.take() {
                match self.lock_again(retry, store) {
                    Ok(Some(w)) => {
                        turn.send = Some(w);
                        turn.changed = true;
                        return turn;
                    }
                    // The store has not seen the runtime move yet.
                    Ok(None) => return turn,
                    Err(error) => {
                        let decision = machine::write_failed(&rec, store, now, &error);
                        turn.notice = Some(Notice::WriteRefused(error));
                        self.queue.clear();
                        if let Some(status) = decision.status {
                            let w = noted(machine::record_status_write(&rec, &status), &rec);
                            self.prompt = decision.prompt;
                            self.in_flight = Some(w.clone());
                            turn.send = Some(w);
                        }
                        return turn;
                    }
                }
            }
            let input = input
                .take()
                .or_else(|| self.next_input.take())
                .unwrap_or(Input::Observe);
            if !machine::is_active(&rec) {
                // Finished: nothing more to drive; the record stays for the record.
                turn.finished = input == Input::Observe && rec.status.is_some();
                return turn;
            }
            let decision = machine::advance(&rec, store, now, input);
            turn.changed |= !decision.is_empty();
            self.prompt = decision.prompt.clone();
            if decision.prompt.is_some() && self.first_prompt_confirmed {
                self.first_prompt_confirmed = false;
                self.next_input = Some(Input::Confirm);
            }
            let mut writes: VecDeque<Write> = decision
                .writes
                .into_iter()
                .map(|op| noted(op, &rec))
                .collect();
            if let Some(status) = &decision.status {
                writes.push_front(noted(machine::record_status_write(&rec, status), &rec));
            }
            if let Some(first) = writes.pop_front() {
                self.queue = writes;
                self.in_flight = Some(first.clone());
                turn.send = Some(first);
                return turn;
            }
            // A queued answer (the plan's confirmation) is given at once.
            if self.next_input.is_none() {
                return turn;
            }
        }
    }

    /// The lock write again at the runtime's resourceVersion in the store, once that differs
    /// from the refused one (`Ok(None)` until then); `Err` when the runtime is locked by
    /// another run now, is gone, or the retries are spent.
    fn lock_again(&mut self, mut retry: LockRetry, store: &Store) -> Result<Option<Write>, String> {
        let WriteOp::MergePatch { key, patch } = &mut retry.write.op else {
            return Err(strings::LOCK_RETRY_GAVE_UP.to_string());
        };
        let Some(rt) = store.runtime(&key.namespace, &key.name) else {
            return Err(strings::LOCK_RETRY_GAVE_UP.to_string());
        };
        let rv = rt.metadata.resource_version.clone().unwrap_or_default();
        if rv == retry.refused_at {
            self.lock_retry = Some(retry);
            return Ok(None);
        }
        let ours = &patch["metadata"]["annotations"][super::LOCK_ANNOTATION];
        let holder = rt
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(super::LOCK_ANNOTATION));
        if holder.is_some_and(|h| ours.as_str() != Some(h.as_str())) {
            return Err(strings::lock_taken(holder.map_or("", |h| h.as_str())));
        }
        if holder.is_some() {
            // Ours already (the refused write went through after all): on with the step.
            return Ok(self
                .queue
                .pop_front()
                .inspect(|w| self.in_flight = Some(w.clone())));
        }
        patch["metadata"]["resourceVersion"] = serde_json::Value::String(rv);
        let w = retry.write.clone();
        self.in_flight = Some(w.clone());
        // Kept for the count, should this one be refused too.
        self.lock_retry = Some(retry);
        Ok(Some(w))
    }

    /// Keeps what the server answered to an accepted write: the record as stored, and the
    /// status a record created without one still needs (sent next).
    fn accepted(&mut self, write: &Write, out: &WriteOutcome) {
        if let Some(Object::Maintenance(m)) = &out.object {
            if matches!(write.op, WriteOp::Create(_))
                && m.status.is_none()
                && let Some(st) = self.initial_status.take()
            {
                self.queue
                    .push_front(noted(machine::record_status_write(m, &st), m));
            }
            self.latest = Some((**m).clone());
        }
    }

    /// The answer to the write in flight while the console stops driving the run: the writes
    /// the committed record says are under way (the step's writes queued behind it, a new
    /// record's status) still go out; nothing new is decided, and a refused write ends it.
    /// Returns the next write to send; `None` when the run can be left.
    pub fn wind_down(
        &mut self,
        write: &Write,
        result: &Result<WriteOutcome, WriteError>,
    ) -> Option<Write> {
        self.in_flight = None;
        match result {
            Ok(out) => self.accepted(write, out),
            Err(_) => self.queue.clear(),
        }
        let next = self.queue.pop_front()?;
        self.in_flight = Some(next.clone());
        Some(next)
    }

    /// The answer to the write in flight (see [`Drive::awaits`]) of the run at `key`: the next
    /// write of the step, or the next decision, or the refused step's failure to commit.
    pub fn write_done(
        &mut self,
        key: &ObjectKey,
        write: &Write,
        result: &Result<WriteOutcome, WriteError>,
        store: &Store,
        now: Timestamp,
    ) -> Turn {
        self.in_flight = None;
        let mut turn = Turn {
            changed: true,
            ..Turn::default()
        };
        let created = matches!(write.op, WriteOp::Create(_));
        let error = match result {
            Ok(out) => {
                self.lock_retry = None;
                if created {
                    turn.notice = Some(Notice::Recorded);
                }
                self.accepted(write, out);
                match self.queue.pop_front() {
                    Some(next) => {
                        self.in_flight = Some(next.clone());
                        turn.send = Some(next);
                    }
                    None => {
                        let next = self.decide(key, store, now, None);
                        turn.send = next.send;
                        turn.finished = next.finished;
                    }
                }
                return turn;
            }
            Err(e) => e,
        };
        let moved = matches!(error, WriteError::Status(s) if s.code == 409 || s.code == 404);
        // The runtime moved under the lock write: take the lock again at its new version
        // (the queue of the step waits).
        let conflict = matches!(error, WriteError::Status(s) if s.code == 409);
        if conflict && let Some(rv) = lock_write_rv(write) {
            let attempts = self.lock_retry.as_ref().map_or(0, |r| r.attempts) + 1;
            if attempts <= LOCK_RETRIES {
                self.lock_retry = Some(LockRetry {
                    write: write.clone(),
                    refused_at: rv.to_string(),
                    attempts,
                });
                let next = self.decide(key, store, now, None);
                turn.send = next.send;
                return turn;
            }
        }
        self.lock_retry = None;
        let error = error.to_string();
        self.queue.clear();
        if created {
            // The record could not be created: nothing was done, nothing to drive.
            turn.finished = true;
            turn.notice = Some(Notice::NotStarted(error));
            return turn;
        }
        let commit = matches!(write.op, WriteOp::MergePatchStatus { .. })
            && write.key().ok().as_ref() == Some(key);
        if commit {
            // Someone else moved the run first (or the record is gone): look again.
            self.next_input = None;
            turn.notice = Some(Notice::CommitRefused { error, moved });
            return turn;
        }
        let Some(rec) = record(store, key, Some(self)).cloned() else {
            return turn;
        };
        let decision = machine::write_failed(&rec, store, now, &error);
        turn.notice = Some(Notice::WriteRefused(error));
        let Some(status) = decision.status else {
            return turn;
        };
        let w = noted(machine::record_status_write(&rec, &status), &rec);
        self.prompt = decision.prompt;
        self.in_flight = Some(w.clone());
        turn.send = Some(w);
        turn
    }
}

/// A run's write, with what it does noted for the audit log.
fn noted(op: WriteOp, rec: &CacheRuntimeMaintenance) -> Write {
    let what = machine::describe_write(&op);
    Write {
        op,
        dry_run: false,
        note: Some(strings::run_write_note(
            rec.metadata.name.as_deref().unwrap_or_default(),
            &what,
        )),
        origin: WriteOrigin::Run(record_key(rec)),
    }
}

/// The key of a run's record (the origin of its writes).
fn record_key(rec: &CacheRuntimeMaintenance) -> ObjectKey {
    ObjectKey::new(
        Kind::CacheRuntimeMaintenance,
        rec.metadata.namespace.clone().unwrap_or_default(),
        rec.metadata.name.clone().unwrap_or_default(),
    )
}

fn plan_note(rec: &CacheRuntimeMaintenance) -> String {
    let steps: Vec<String> = rec
        .status
        .iter()
        .flat_map(|s| s.steps.iter())
        .map(|s| s.name.clone())
        .collect();
    strings::run_plan_note(&steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterEvent;
    use crate::cluster::writer::merge_patch;
    use crate::model::maintenance::MaintenancePhase;
    use crate::workflows::plan::tests::t0;

    fn rec(rv: &str) -> CacheRuntimeMaintenance {
        let mut m = CacheRuntimeMaintenance::default();
        m.metadata.resource_version = Some(rv.into());
        m
    }

    #[test]
    fn the_newer_record_wins() {
        let (a, b) = (rec("5"), rec("7"));
        assert_eq!(newest(Some(&a), Some(&b)), Some(&b));
        assert_eq!(newest(Some(&b), Some(&a)), Some(&b));
        assert_eq!(newest(None, Some(&a)), Some(&a));
        assert_eq!(newest(Some(&a), None), Some(&a));
    }

    /// The demo store holding a planned upgrade of imagenet-train (resourceVersion 7), and its key.
    fn planned() -> (Store, ObjectKey) {
        let (mut store, rec) = crate::workflows::machine::tests::planned();
        let obj = Object::from(rec);
        let k = obj.key();
        store.apply(ClusterEvent::Applied(obj), t0());
        (store, k)
    }

    /// That run confirmed by the operator: its driver, and the write it sends first.
    fn confirmed() -> (Store, ObjectKey, Drive, Write) {
        let (store, k) = planned();
        let mut d = Drive::default();
        let first = d.decide(&k, &store, t0(), Some(Input::Confirm)).send;
        (store, k, d, first.expect("a write to send"))
    }

    /// The server accepts a run's write; a status commit answers with the record at the next
    /// resourceVersion.
    fn accepted(
        drive: &Drive,
        store: &Store,
        k: &ObjectKey,
        w: &Write,
    ) -> Result<WriteOutcome, WriteError> {
        let object = match &w.op {
            WriteOp::MergePatchStatus { patch, .. } => {
                let rec = record(store, k, Some(drive)).unwrap();
                let rv: u64 = rec
                    .metadata
                    .resource_version
                    .as_deref()
                    .unwrap()
                    .parse()
                    .unwrap();
                let mut v = serde_json::to_value(rec).unwrap();
                merge_patch(&mut v, patch);
                let mut m: CacheRuntimeMaintenance = serde_json::from_value(v).unwrap();
                m.metadata.resource_version = Some((rv + 1).to_string());
                Some(Object::from(m))
            }
            _ => None,
        };
        Ok(WriteOutcome {
            object,
            dry_run: false,
        })
    }

    fn precondition(w: &Write) -> Option<&str> {
        match &w.op {
            WriteOp::MergePatchStatus { patch, .. } => patch
                .pointer("/metadata/resourceVersion")
                .and_then(|v| v.as_str()),
            _ => None,
        }
    }

    #[test]
    fn the_status_is_committed_first_and_the_writes_follow_one_at_a_time() {
        let (store, k, mut d, commit) = confirmed();
        assert_eq!(precondition(&commit), Some("7"));
        assert_eq!(d.queue.len(), 2, "the lock and the master's patch wait");
        // Nothing is decided while a write is in flight; an answer waits for it.
        assert_eq!(d.decide(&k, &store, t0(), None), Turn::default());
        assert!(d.awaits(&commit));

        let answer = accepted(&d, &store, &k, &commit);
        let lock = d
            .write_done(&k, &commit, &answer, &store, t0())
            .send
            .unwrap();
        assert!(
            machine::describe_write(&lock.op).contains("annotations.fluidops.io/maintenance"),
            "{lock:?}"
        );
        let patch = d.write_done(&k, &lock, &accepted(&d, &store, &k, &lock), &store, t0());
        let patch = patch.send.unwrap();
        assert!(machine::describe_write(&patch.op).contains("spec.master.runtimeVersion"));
        // The step's writes are out: the next decision acts on the record as committed (ahead
        // of the store), where the step already waits for the cluster.
        let next = d.write_done(&k, &patch, &accepted(&d, &store, &k, &patch), &store, t0());
        assert_eq!(next.send, None);
        let rec = record(&store, &k, Some(&d)).unwrap();
        assert_eq!(rec.metadata.resource_version.as_deref(), Some("8"));
        assert_eq!(rec.phase(), MaintenancePhase::Running);
    }

    #[test]
    fn a_lock_refused_because_the_runtime_moved_is_taken_again_at_its_new_version() {
        let (mut store, k, mut d, commit) = confirmed();
        let answer = accepted(&d, &store, &k, &commit);
        let lock = d
            .write_done(&k, &commit, &answer, &store, t0())
            .send
            .unwrap();
        let refused_rv = lock_write_rv(&lock)
            .expect("a guarded lock write")
            .to_string();
        let mut conflict = kube::core::Status::failure("the object has been modified", "Conflict");
        conflict.code = 409;
        let err = Err(WriteError::Status(Box::new(conflict)));
        // Fluid wrote the runtime's status meanwhile; the store has not seen it yet: nothing
        // is sent, the step is not failed.
        let t = d.write_done(&k, &lock, &err, &store, t0());
        assert_eq!((t.send, t.notice), (None, None));
        assert!(d.lock_retry.is_some() && d.queue.len() == 1, "{d:?}");
        assert_eq!(d.decide(&k, &store, t0(), None).send, None);
        // The store catches up: the lock goes out again at the runtime's new version.
        let rt_key = ObjectKey::new(Kind::CacheRuntime, "imagenet", "imagenet-train");
        let mut rt = store.get(&rt_key).unwrap().to_value();
        rt["metadata"]["resourceVersion"] = "99999".into();
        let obj = Object::from_value(rt).unwrap().unwrap();
        store.apply(ClusterEvent::Applied(obj), t0());
        let again = d
            .decide(&k, &store, t0(), None)
            .send
            .expect("the lock again");
        assert_eq!(lock_write_rv(&again), Some("99999"));
        assert_ne!(refused_rv, "99999");
        // Accepted: the step's next write follows.
        let next = d.write_done(&k, &again, &accepted(&d, &store, &k, &again), &store, t0());
        let patch = next.send.expect("the master's patch");
        assert!(machine::describe_write(&patch.op).contains("spec.master.runtimeVersion"));
        assert!(d.lock_retry.is_none());
    }

    #[test]
    fn a_refused_commit_sends_none_of_its_writes() {
        let status = |code: u16| {
            let mut s = kube::core::Status::failure("refused", "Refused");
            s.code = code;
            WriteError::Status(Box::new(s))
        };
        // Only a conflict or a gone record says the record moved; anything else is the
        // server refusing the write itself.
        for (error, moved) in [
            (status(409), true),
            (status(404), true),
            (status(403), false),
            (status(422), false),
            (WriteError::Transport("connection reset".into()), false),
        ] {
            let (store, k, mut d, commit) = confirmed();
            let t = d.write_done(&k, &commit, &Err(error.clone()), &store, t0());
            assert_eq!(t.send, None);
            assert_eq!(
                t.notice,
                Some(Notice::CommitRefused {
                    error: error.to_string(),
                    moved
                }),
                "{error}"
            );
            assert!(d.queue.is_empty() && d.in_flight.is_none());
        }
    }

    #[test]
    fn winding_down_sends_the_writes_under_way_and_decides_nothing_new() {
        let (store, k, mut d, commit) = confirmed();
        // The commit says the step is under way: its writes still go out, in order.
        let answer = accepted(&d, &store, &k, &commit);
        let lock = d.wind_down(&commit, &answer).expect("the lock");
        let answer = accepted(&d, &store, &k, &lock);
        let patch = d.wind_down(&lock, &answer).expect("the master's patch");
        assert!(machine::describe_write(&patch.op).contains("spec.master.runtimeVersion"));
        // Then nothing: the next decision is left to whoever takes the run over.
        let answer = accepted(&d, &store, &k, &patch);
        assert_eq!(d.wind_down(&patch, &answer), None);
        assert!(d.in_flight.is_none() && d.queue.is_empty());

        // A refused write ends it: what was queued behind it is not sent.
        let (_, _, mut d, commit) = confirmed();
        let refused = Err(WriteError::Transport("connection reset".into()));
        assert_eq!(d.wind_down(&commit, &refused), None);
        assert!(d.in_flight.is_none() && d.queue.is_empty());
    }

    #[test]
    fn a_refused_step_write_fails_the_step_and_commits_that() {
        let (store, k, mut d, commit) = confirmed();
        let answer = accepted(&d, &store, &k, &commit);
        let lock = d
            .write_done(&k, &commit, &answer, &store, t0())
            .send
            .unwrap();
        let refused = Err(WriteError::Transport("connection reset".into()));
        let t = d.write_done(&k, &lock, &refused, &store, t0());
        assert!(matches!(t.notice, Some(Notice::WriteRefused(_))), "{t:?}");
        let failed = t.send.unwrap();
        assert_eq!(precondition(&failed), Some("8"));
        let WriteOp::MergePatchStatus { patch, .. } = &failed.op else {
            panic!("{failed:?}");
        };
        assert_eq!(
            patch.pointer("/status/phase"),
            Some(&serde_json::json!("Paused"))
        );
        assert!(d.queue.is_empty(), "the master's patch is not sent");
    }

    #[test]
    fn a_confirmed_plan_answers_its_first_prompt_once_recorded() {
        let (store, k) = planned();
        let rec = record(&store, &k, None).unwrap().clone();
        let (mut d, create) = Drive::start(&rec);
        assert!(matches!(create.op, WriteOp::Create(_)));
        let mut created = rec.clone();
        created.status = None;
        let answer = Ok(WriteOutcome {
            object: Some(Object::from(created)),
            dry_run: false,
        });
        let t = d.write_done(&k, &create, &answer, &store, t0());
        assert_eq!(t.notice, Some(Notice::Recorded));
        // The status the server dropped goes on first.
        let status = t.send.unwrap();
        assert!(matches!(status.op, WriteOp::MergePatchStatus { .. }));
        let answer = accepted(&d, &store, &k, &status);
        let first = d
            .write_done(&k, &status, &answer, &store, t0())
            .send
            .unwrap();
        // The first prompt is committed, then answered with the plan's confirmation.
        assert!(d.prompt.is_some() && d.next_input == Some(Input::Confirm));
        let answer = accepted(&d, &store, &k, &first);
        let started = d.write_done(&k, &first, &answer, &store, t0());
        let WriteOp::MergePatchStatus { patch, .. } = &started.send.unwrap().op else {
            panic!("the run starts with a commit");
        };
        assert_eq!(
            patch.pointer("/status/phase"),
            Some(&serde_json::json!("Running"))
        );
    }
}
