//! The maintenance runs (in-place upgrade, in-place rebuild) this console drives.
//!
//! The run itself is a pure state machine ([`crate::workflows::machine`]) and its driver a pure
//! type ([`crate::workflows::driver::Drive`]): it commits each new status to the run's record
//! first and only then hands out the step's writes, one at a time. This module is the console's
//! side: it keeps a driver per run, sends what it hands out through the same guarded writer as
//! every other write, shows the server's answer to a run's record at once, and turns the
//! driver's notices into flashes. Everything the operator answers (go on, pause, resume, abort,
//! retry, take over) comes through the one confirmation dialog.

use super::confirm::{Confirm, Then};
use super::maintenance_form::MaintenanceForm;
use super::state::{App, Overlay, Screen};
use super::strings;
use super::update::Command;
use crate::cluster::ClusterEvent;
use crate::cluster::source::OperatorAction;
use crate::cluster::writer::{Write, WriteError, WriteOutcome};
use crate::model::maintenance::{MaintenancePhase, MaintenanceType, StepState};
use crate::model::{CacheRuntimeMaintenance, Object, ObjectKey};
use crate::workflows::driver::{self, Drive, Notice, Turn};
use crate::workflows::machine::{self, Input};
use crate::workflows::plan::Plan;

impl App {
    /// The record of a run as this console knows it best.
    pub fn run_record(&self, key: &ObjectKey) -> Option<&CacheRuntimeMaintenance> {
        driver::record(&self.store, key, self.runs.get(key))
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
        let Some(d) = self.runs.get_mut(key) else {
            return Vec::new();
        };
        let turn = d.decide(key, &self.store, self.now, input);
        self.run_turn(key, turn)
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
        self.runs.get(&key).filter(|d| d.awaits(write))?;
        // The record as the server answered: shown at once, not one watch event later.
        if let Ok(WriteOutcome {
            object: Some(obj @ Object::Maintenance(_)),
            ..
        }) = result
        {
            self.store
                .apply(ClusterEvent::Applied(obj.clone()), self.now);
        }
        let d = self.runs.get_mut(&key)?;
        let turn = d.write_done(&key, write, result, &self.store, self.now);
        Some(self.run_turn(&key, turn))
    }

    /// What the console does with a driver's turn: redraw, forget a finished run, tell the
    /// operator, send the next write.
    fn run_turn(&mut self, key: &ObjectKey, turn: Turn) -> Vec<Command> {
        if turn.changed || turn.finished {
            self.dirty = true;
        }
        if turn.finished {
            self.runs.remove(key);
        }
        match turn.notice {
            Some(Notice::Recorded) => {
                self.flash = None;
                self.flash_info(strings::run_recorded(&key.name));
            }
            Some(Notice::NotStarted(e)) => self.flash_error(&strings::run_not_started(&e)),
            Some(Notice::CommitRefused(e)) => {
                self.flash_error(&strings::run_commit_refused(&key.name, &e));
            }
            Some(Notice::WriteRefused(e)) => {
                self.flash_error(&strings::run_write_refused(&key.name, &e));
            }
            None => {}
        }
        turn.send.map(Command::Write).into_iter().collect()
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
        let (drive, create) = Drive::start(&rec);
        self.runs.insert(key.clone(), drive);
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
            return self.flash_warn(strings::RUN_FINISHED);
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
            return self.flash_warn(strings::RUN_FINISHED);
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
