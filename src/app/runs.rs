//! The maintenance runs (in-place upgrade, in-place rebuild) this console drives.
//!
//! The run itself is a pure state machine ([`crate::workflows::machine`]); this module is its
//! driver: it feeds the machine what the store shows, commits each new status to the run's
//! record first (a status patch naming the record's resourceVersion, so a second console that
//! moved first wins and nothing is done twice), and only then sends the step's writes, one at a
//! time, through the same guarded writer as every other write. A refused write fails the step
//! and pauses the run. Everything the operator answers (go on, pause, resume, abort, retry, take
//! over) comes through the one confirmation dialog.

use std::collections::VecDeque;

use super::confirm::{Confirm, Then};
use super::maintenance_form::MaintenanceForm;
use super::state::{App, Overlay, Screen};
use super::strings;
use super::update::Command;
use crate::cluster::ClusterEvent;
use crate::cluster::writer::{Write, WriteError, WriteOp, WriteOrigin, WriteOutcome};
use crate::demo::scenario::OperatorAction;
use crate::model::maintenance::{MaintenancePhase, MaintenanceStatus, MaintenanceType, StepState};
use crate::model::{CacheRuntimeMaintenance, Kind, Object, ObjectKey};
use crate::workflows::machine::{self, Input, Prompt};
use crate::workflows::plan::Plan;

/// One run driven here.
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
}

/// The version of a record to act on: the store's, unless this console has committed a newer one
/// the watch has not brought yet.
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

fn as_maintenance(obj: Option<&Object>) -> Option<&CacheRuntimeMaintenance> {
    match obj {
        Some(Object::Maintenance(m)) => Some(m),
        _ => None,
    }
}

impl App {
    /// The record of a run as this console knows it best.
    pub fn run_record(&self, key: &ObjectKey) -> Option<&CacheRuntimeMaintenance> {
        newest(
            as_maintenance(self.store.get(key)),
            self.runs.get(key).and_then(|d| d.latest.as_ref()),
        )
    }

    /// Whether this console drives the run.
    pub fn drives(&self, key: &ObjectKey) -> bool {
        self.runs.contains_key(key)
    }

    /// Lets every run driven here look at the store and the time again.
    pub fn drive_runs(&mut self) -> Vec<Command> {
        let keys: Vec<ObjectKey> = self.runs.keys().cloned().collect();
        keys.iter().flat_map(|k| self.drive(k, None)).collect()
    }

    /// One decision of a run: the operator's `input`, or else a queued answer, or else a look.
    fn drive(&mut self, key: &ObjectKey, input: Option<Input>) -> Vec<Command> {
        let Some(rec) = self.run_record(key).cloned() else {
            return Vec::new();
        };
        let Some(d) = self.runs.get_mut(key) else {
            return Vec::new();
        };
        if d.in_flight.is_some() {
            if input.is_some() {
                d.next_input = input;
            }
            return Vec::new();
        }
        let input = input
            .or_else(|| d.next_input.take())
            .unwrap_or(Input::Observe);
        if !machine::is_active(&rec) {
            if input == Input::Observe && rec.status.is_some() {
                // Finished: nothing more to drive; the record stays for the record.
                self.runs.remove(key);
                self.dirty = true;
            }
            return Vec::new();
        }
        let decision = machine::advance(&rec, &self.store, self.now, input);
        let changed = !decision.is_empty();
        d.prompt = decision.prompt.clone();
        if decision.prompt.is_some() && d.first_prompt_confirmed {
            d.first_prompt_confirmed = false;
            d.next_input = Some(Input::Confirm);
        }
        let mut writes: VecDeque<Write> = decision
            .writes
            .into_iter()
            .map(|op| noted(op, &rec))
            .collect();
        if let Some(status) = &decision.status {
            writes.push_front(noted(machine::record_status_write(&rec, status), &rec));
        }
        if changed {
            self.dirty = true;
        }
        let Some(first) = writes.pop_front() else {
            // A queued answer (the plan's confirmation) is given at once.
            return match d.next_input {
                Some(_) => self.drive(key, None),
                None => Vec::new(),
            };
        };
        d.queue = writes;
        d.in_flight = Some(first.clone());
        vec![Command::Write(first)]
    }

    /// An answered write of the run `key`; `None` when the run no longer waits for it (it is
    /// not driven here any more).
    pub fn run_write_done(
        &mut self,
        key: &ObjectKey,
        write: &Write,
        result: &Result<WriteOutcome, WriteError>,
    ) -> Option<Vec<Command>> {
        let key = key.clone();
        let d = self
            .runs
            .get_mut(&key)
            .filter(|d| d.in_flight.as_ref() == Some(write))?;
        d.in_flight = None;
        self.dirty = true;
        match result {
            Ok(out) => {
                if matches!(write.op, WriteOp::Create(_)) {
                    self.flash = None;
                    self.flash_info(strings::run_recorded(&key.name));
                }
                // The record as the server answered: shown at once, not one watch event later.
                if let Some(obj @ Object::Maintenance(_)) = &out.object {
                    self.store
                        .apply(ClusterEvent::Applied(obj.clone()), self.now);
                }
                let d = self.runs.get_mut(&key)?;
                if let Some(Object::Maintenance(m)) = &out.object {
                    // A record the server created without its status gets it next.
                    if matches!(write.op, WriteOp::Create(_))
                        && m.status.is_none()
                        && let Some(st) = d.initial_status.take()
                    {
                        d.queue
                            .push_front(noted(machine::record_status_write(m, &st), m));
                    }
                    d.latest = Some((**m).clone());
                }
                match d.queue.pop_front() {
                    Some(next) => {
                        d.in_flight = Some(next.clone());
                        Some(vec![Command::Write(next)])
                    }
                    None => Some(self.drive(&key, None)),
                }
            }
            Err(e) => {
                d.queue.clear();
                let commit = matches!(write.op, WriteOp::MergePatchStatus { .. })
                    && write.key().ok().as_ref() == Some(&key);
                if matches!(write.op, WriteOp::Create(_)) {
                    // The record could not be created: nothing was done, nothing to drive.
                    self.runs.remove(&key);
                    self.flash_error(&strings::run_not_started(&e.to_string()));
                    return Some(Vec::new());
                }
                if commit {
                    // Someone else moved the run first (or the record is gone): look again.
                    d.next_input = None;
                    self.flash_error(&strings::run_commit_refused(&key.name, &e.to_string()));
                    return Some(Vec::new());
                }
                let Some(rec) = self.run_record(&key).cloned() else {
                    return Some(Vec::new());
                };
                let decision = machine::write_failed(&rec, &self.store, self.now, &e.to_string());
                self.flash_error(&strings::run_write_refused(&key.name, &e.to_string()));
                let Some(status) = decision.status else {
                    return Some(Vec::new());
                };
                let w = noted(machine::record_status_write(&rec, &status), &rec);
                let d = self.runs.get_mut(&key)?;
                d.prompt = decision.prompt;
                d.in_flight = Some(w.clone());
                Some(vec![Command::Write(w)])
            }
        }
    }

    /// The operator's confirmed answer to a run.
    pub(super) fn run_input(&mut self, key: &ObjectKey, input: Input) -> Vec<Command> {
        if !self.drives(key) {
            self.runs.insert(key.clone(), Drive::default());
        }
        self.drive(key, Some(input))
    }

    /// Records a confirmed plan and starts driving it; the page of the run opens.
    pub(super) fn start_run(&mut self, plan: Plan) -> Vec<Command> {
        let rec = plan.record;
        let key = Object::from(rec.clone()).key();
        let mut manifest = serde_json::to_value(&rec).unwrap_or_default();
        if let Some(m) = manifest.as_object_mut() {
            m.remove("status");
        }
        let create = Write {
            op: WriteOp::Create(manifest),
            dry_run: false,
            note: Some(plan_note(&rec)),
            origin: WriteOrigin::Run(key.clone()),
        };
        self.runs.insert(
            key.clone(),
            Drive {
                latest: None,
                in_flight: Some(create.clone()),
                first_prompt_confirmed: true,
                initial_status: rec.status.clone(),
                ..Drive::default()
            },
        );
        self.flash_info(strings::run_starting(&key.name));
        self.push(Screen::Detail(key));
        vec![Command::Write(create)]
    }

    /// Drives a run from where its record stands.
    pub(super) fn take_over(&mut self, key: &ObjectKey) -> Vec<Command> {
        self.runs.insert(key.clone(), Drive::default());
        self.flash_info(strings::run_taken_over(&key.name));
        self.drive(key, None)
    }

    /// `wizard.next` on a run's page: answer what it waits for. Returns `false` when there is
    /// nothing to answer (the key then does what it does on any detail page).
    pub(super) fn ask_run_next(&mut self, key: &ObjectKey) -> bool {
        let Some(rec) = self.run_record(key) else {
            return false;
        };
        if !machine::is_active(rec) {
            return false;
        }
        let run = key.clone();
        let dialog = match self.runs.get(key) {
            None => Confirm::then(
                strings::TAKE_OVER_TITLE,
                strings::take_over_body(rec),
                Then::TakeOver(run),
            ),
            Some(d) => {
                if let Some(p) = &d.prompt {
                    let c = Confirm::then(
                        p.title.clone(),
                        p.lines.clone(),
                        Then::Run {
                            run,
                            input: Input::Confirm,
                        },
                    );
                    if p.destructive { c.danger() } else { c }
                } else if rec.phase() == MaintenancePhase::Paused {
                    match failed_step(rec) {
                        Some(step) => Confirm::then(
                            strings::retry_title(&step),
                            vec![strings::RETRY_BODY.to_string()],
                            Then::Run {
                                run,
                                input: Input::Retry,
                            },
                        ),
                        None => Confirm::then(
                            strings::RESUME_TITLE,
                            vec![strings::RESUME_BODY.to_string()],
                            Then::Run {
                                run,
                                input: Input::Resume,
                            },
                        ),
                    }
                } else {
                    return false;
                }
            }
        };
        self.ask(dialog);
        true
    }

    /// `wizard.pause` on a run's page: pause a running run, resume a paused one.
    pub(super) fn ask_run_pause(&mut self, key: &ObjectKey) {
        let Some(rec) = self.run_record(key) else {
            return;
        };
        if !machine::is_active(rec) {
            return self.flash_error(strings::RUN_FINISHED);
        }
        let paused = rec.phase() == MaintenancePhase::Paused || rec.spec.paused == Some(true);
        let (title, body, input) = if paused {
            (strings::RESUME_TITLE, strings::RESUME_BODY, Input::Resume)
        } else {
            (strings::PAUSE_TITLE, strings::PAUSE_BODY, Input::Pause)
        };
        let then = if self.drives(key) {
            Then::Run {
                run: key.clone(),
                input,
            }
        } else {
            // Driven elsewhere: ask its driver through the record.
            Then::Write(Write::new(machine::spec_flag_write(
                rec,
                Some(!paused),
                None,
            )))
        };
        let dialog = Confirm::then(title, vec![body.to_string()], then);
        self.ask(dialog);
    }

    /// `wizard.abort` on a run's page: an upgrade rolls back, a rebuild stops.
    pub(super) fn ask_run_abort(&mut self, key: &ObjectKey) {
        let Some(rec) = self.run_record(key) else {
            return;
        };
        if !machine::is_active(rec) {
            return self.flash_error(strings::RUN_FINISHED);
        }
        let body = match rec.spec.type_ {
            MaintenanceType::Upgrade => strings::abort_upgrade_body(rec),
            _ => vec![strings::ABORT_REBUILD_BODY.to_string()],
        };
        let then = if self.drives(key) {
            Then::Run {
                run: key.clone(),
                input: Input::Abort,
            }
        } else {
            Then::Write(Write::new(machine::spec_flag_write(rec, None, Some(true))))
        };
        let dialog = Confirm::then(strings::abort_title(rec), body, then).danger();
        self.ask(dialog);
    }
}

impl App {
    /// A demo scenario plays the presenter: the same dialogs open as for the keys, and are
    /// answered yes.
    pub(super) fn operator(&mut self, action: OperatorAction) -> Vec<Command> {
        self.dirty = true;
        match action {
            OperatorAction::StartUpgrade {
                runtime,
                image,
                image_tag,
            } => {
                let opened = MaintenanceForm::upgrade(&self.store, &runtime, self.now);
                self.present_plan(opened.map(|mut f| {
                    f.image.set(image);
                    f.tag.set(image_tag);
                    f
                }))
            }
            OperatorAction::StartRebuild {
                runtime,
                pods,
                force,
                reload_data,
            } => {
                let opened = MaintenanceForm::rebuild(&self.store, &runtime, None, self.now);
                self.present_plan(opened.map(|mut f| {
                    for p in &mut f.pods {
                        p.ticked = pods.contains(&p.name);
                    }
                    f.force_delete = force;
                    f.rewarm = reload_data && f.rewarm_unsupported.is_none();
                    f
                }))
            }
            OperatorAction::Confirm => {
                if self.asking() {
                    return self.confirm_yes();
                }
                match self.presented_run() {
                    Some(k) if self.ask_run_next(&k) => self.confirm_yes(),
                    _ => Vec::new(),
                }
            }
            OperatorAction::Pause | OperatorAction::Resume | OperatorAction::Abort => {
                let Some(k) = self.presented_run() else {
                    return Vec::new();
                };
                if action == OperatorAction::Abort {
                    self.ask_run_abort(&k);
                } else {
                    self.ask_run_pause(&k);
                }
                if self.asking() {
                    self.confirm_yes()
                } else {
                    Vec::new()
                }
            }
        }
    }

    /// Shows the plan of a form filled in by a scenario, as Enter on its last field would.
    fn present_plan(&mut self, opened: Result<MaintenanceForm, String>) -> Vec<Command> {
        let mut form = match opened {
            Ok(f) => f,
            Err(e) => {
                self.flash_error(&e);
                return Vec::new();
            }
        };
        form.refresh(&self.store, self.now);
        let plan = form.submit(&self.store, self.now);
        self.overlays.push(Overlay::Maintenance(Box::new(form)));
        match plan {
            Ok(plan) => self.confirm_plan(plan),
            Err(e) => self.flash_error(&e),
        }
        Vec::new()
    }

    /// The run a scenario's answer is for: the one on screen, else the one driven here.
    fn presented_run(&self) -> Option<ObjectKey> {
        self.run_page()
            .or_else(|| self.runs.keys().next_back().cloned())
    }
}

/// The failed step a paused run would retry.
fn failed_step(rec: &CacheRuntimeMaintenance) -> Option<String> {
    let st = rec.status.as_ref()?;
    st.steps
        .iter()
        .rev()
        .find(|s| s.state == StepState::Failed)
        .map(|s| s.name.clone())
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
        origin: WriteOrigin::Run(ObjectKey::new(
            Kind::CacheRuntimeMaintenance,
            rec.metadata.namespace.clone().unwrap_or_default(),
            rec.metadata.name.clone().unwrap_or_default(),
        )),
    }
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
}
