//! The maintenance runs (in-place upgrade, in-place rebuild) this console drives.
//!
//! The run itself is a pure state machine ([`crate::workflows::machine`]) and its driver a pure
//! type ([`crate::workflows::driver::Drive`]): it commits each new status to the run's record
//! first and only then hands out the step's writes, one at a time. This module is the console's
//! side: it keeps a driver per run, sends what it hands out through the same guarded writer as
//! every other write, shows the server's answer to a run's record at once, and turns the
//! driver's notices into flashes. Everything the operator answers (go on, pause, resume, abort,
//! retry, take over) comes through the one confirmation dialog.

use super::actions::Action;
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

    /// Lets every run driven here look at the store and the time again (none while quitting:
    /// nothing new is decided then).
    pub fn drive_runs(&mut self) -> Vec<Command> {
        if self.quitting {
            return Vec::new();
        }
        let keys: Vec<ObjectKey> = self.runs.keys().cloned().collect();
        keys.iter().flat_map(|k| self.drive(k, None)).collect()
    }

    /// One decision of a run: the operator's `input`, or else a queued answer, or else a look.
    fn drive(&mut self, key: &ObjectKey, input: Option<Input>) -> Vec<Command> {
        if self.quitting {
            return Vec::new();
        }
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
        if self.quitting {
            return Some(self.wind_down(&key, write, result));
        }
        let d = self.runs.get_mut(&key)?;
        let turn = d.write_done(&key, write, result, &self.store, self.now);
        match &turn.notice {
            // The form the run was planned in goes once its record exists; if the record was
            // refused, it comes back with its values and the server's message, over the page
            // the operator was on.
            Some(Notice::Recorded) => self.overlays.drop_sending(write),
            Some(Notice::NotStarted(e)) => {
                if self.screen == Screen::Detail(key.clone()) {
                    self.go_back();
                }
                self.overlays
                    .reopen_sending(write, &super::maintenance_strings::start_refused(e));
            }
            _ => {}
        }
        Some(self.run_turn(&key, turn))
    }

    /// A write of a run answered while the console quits: the writes under way are finished,
    /// then the run is left; once no run has one left, the console quits.
    fn wind_down(
        &mut self,
        key: &ObjectKey,
        write: &Write,
        result: &Result<WriteOutcome, WriteError>,
    ) -> Vec<Command> {
        let next = self
            .runs
            .get_mut(key)
            .and_then(|d| d.wind_down(write, result));
        if let Err(e) = result {
            self.flash_error(&strings::run_write_refused(&key.name, &e.to_string()));
        }
        match next {
            Some(w) => vec![Command::Write(w)],
            None => {
                self.runs.remove(key);
                self.quit_when_left()
            }
        }
    }

    /// The runs this console drives, in order.
    pub(super) fn driven(&self) -> Vec<ObjectKey> {
        self.runs.keys().cloned().collect()
    }

    /// What the quit and context-switch dialogs say about the runs driven here.
    fn driven_lines(&self, closing: &str) -> Vec<String> {
        let mut body = vec![strings::STOP_DRIVING_INTRO.to_string()];
        for (key, d) in &self.runs {
            body.push(strings::driven_run_line(
                key,
                self.run_record(key),
                d.in_flight.is_some(),
            ));
        }
        body.push(String::new());
        body.push(closing.to_string());
        body
    }

    /// `app.quit` (`q`, Ctrl-C, `:q`): quits at once unless runs are driven here, then asks
    /// first. Asked again while the writes under way are finished, it quits at once.
    pub(super) fn ask_quit(&mut self) -> Vec<Command> {
        let runs = self.driven();
        if self.quitting || runs.is_empty() {
            self.quit = true;
            return vec![Command::Quit];
        }
        let body = self.driven_lines(strings::STOP_DRIVING_BODY);
        self.ask(Confirm::then(strings::quit_title(&runs), body, Then::Quit));
        Vec::new()
    }

    /// `:ctx NAME` while runs are driven here: asks first, as they stop being driven.
    pub(super) fn ask_switch_context(&mut self, name: String) -> Vec<Command> {
        let runs = self.driven();
        if runs.is_empty() {
            self.flash_info(strings::context_connecting(&name));
            return vec![Command::SwitchContext(name)];
        }
        let body = self.driven_lines(strings::STOP_DRIVING_ON_SWITCH);
        let title = strings::switch_context_title(&name, &runs);
        self.ask(Confirm::then(title, body, Then::SwitchContext(name)));
        Vec::new()
    }

    /// The operator confirmed quitting: runs with no write under way are left now, the others
    /// once their writes are answered.
    pub(super) fn stop_driving_and_quit(&mut self) -> Vec<Command> {
        self.quitting = true;
        self.runs.retain(|_, d| d.in_flight.is_some());
        if !self.runs.is_empty() {
            self.flash_info(strings::quit_waiting(self.runs.len()));
        }
        self.quit_when_left()
    }

    /// Quits once no run driven here has a write under way.
    fn quit_when_left(&mut self) -> Vec<Command> {
        if self.quitting && self.runs.is_empty() {
            self.quit = true;
            vec![Command::Quit]
        } else {
            Vec::new()
        }
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
            Some(Notice::CommitRefused { error, moved }) => {
                self.flash_error(&strings::run_commit_refused(&key.name, &error, moved));
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

    /// Records a confirmed plan and starts driving it; the page of the run opens. The form it
    /// was planned in waits hidden for the record's create.
    pub(super) fn start_run(&mut self, plan: Plan) -> Vec<Command> {
        if self.quitting {
            self.flash_error(strings::QUITTING_NO_RUNS);
            return Vec::new();
        }
        let rec = plan.record;
        let key = Object::from(rec.clone()).key();
        let (drive, create) = Drive::start(&rec);
        self.overlays.hide_until_answered(&create);
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

    /// `wizard.next` on a run's page: answer what it waits for. `None` when there is nothing to
    /// answer (the key then does what it does on any detail page).
    pub(super) fn ask_run_next(&mut self, key: &ObjectKey) -> Option<Vec<Command>> {
        let dialog = self.run_next_dialog(key)?;
        Some(self.offer_run_dialog(Action::WizardNext, dialog))
    }

    /// The dialog `wizard.next` opens on a run's page, if the run waits for an answer.
    fn run_next_dialog(&self, key: &ObjectKey) -> Option<Confirm> {
        let rec = self.run_record(key)?;
        if !machine::is_active(rec) {
            return None;
        }
        let run = key.clone();
        let Some(d) = self.runs.get(key) else {
            return Some(Confirm::then(
                strings::take_over_title(key),
                strings::take_over_body(rec),
                Then::TakeOver(run),
            ));
        };
        if let Some(p) = &d.prompt {
            let c = Confirm::then(
                strings::run_prompt_title(key, &p.title),
                p.lines.clone(),
                Then::Run {
                    run,
                    input: Input::Confirm,
                },
            );
            return Some(if p.destructive { c.danger() } else { c });
        }
        if rec.phase() != MaintenancePhase::Paused {
            return None;
        }
        Some(match failed_step(rec) {
            Some(step) => Confirm::then(
                strings::retry_title(&step, key),
                vec![strings::RETRY_BODY.to_string()],
                Then::Run {
                    run,
                    input: Input::Retry,
                },
            ),
            None => Confirm::then(
                strings::resume_title(key),
                vec![strings::RESUME_BODY.to_string()],
                Then::Run {
                    run,
                    input: Input::Resume,
                },
            ),
        })
    }

    /// Opens a run's dialog; a read-only console says why not instead (and audits the attempt).
    fn offer_run_dialog(&mut self, action: Action, dialog: Confirm) -> Vec<Command> {
        if self.quitting {
            self.flash_error(strings::QUITTING_NO_RUNS);
            return Vec::new();
        }
        if self.readonly {
            let why = match dialog.then {
                Then::TakeOver(_) => strings::READONLY_NO_TAKE_OVER,
                _ => strings::READONLY_NO_RUN_WRITES,
            };
            return self.refuse_readonly(action, dialog.then.target(), self.refusal(why));
        }
        self.ask(dialog);
        Vec::new()
    }

    /// `wizard.pause` on a run's page: pause a running run, resume a paused one.
    pub(super) fn ask_run_pause(&mut self, key: &ObjectKey) -> Vec<Command> {
        let Some(rec) = self.run_record(key) else {
            return Vec::new();
        };
        if !machine::is_active(rec) {
            self.flash_warn(strings::RUN_FINISHED);
            return Vec::new();
        }
        let paused = rec.phase() == MaintenancePhase::Paused || rec.spec.paused == Some(true);
        let (title, body, input) = if paused {
            (
                strings::resume_title(key),
                strings::RESUME_BODY,
                Input::Resume,
            )
        } else {
            (strings::pause_title(key), strings::PAUSE_BODY, Input::Pause)
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
        self.offer_run_dialog(Action::WizardPause, dialog)
    }

    /// `wizard.abort` on a run's page: an upgrade rolls back, a rebuild stops.
    pub(super) fn ask_run_abort(&mut self, key: &ObjectKey) -> Vec<Command> {
        let Some(rec) = self.run_record(key) else {
            return Vec::new();
        };
        if !machine::is_active(rec) {
            self.flash_warn(strings::RUN_FINISHED);
            return Vec::new();
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
        let dialog = Confirm::then(strings::abort_title(key, rec), body, then).danger();
        self.offer_run_dialog(Action::WizardAbort, dialog)
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
                let Some(k) = self.presented_run() else {
                    return Vec::new();
                };
                let mut cmds = self.ask_run_next(&k).unwrap_or_default();
                if self.asking() {
                    cmds.extend(self.confirm_yes());
                }
                cmds
            }
            OperatorAction::Open(key) => {
                self.push(Screen::Detail(key));
                Vec::new()
            }
            OperatorAction::OpenTimeline(key) => {
                self.open_timeline(crate::cluster::Subject::Object(key));
                Vec::new()
            }
            OperatorAction::Pause | OperatorAction::Resume | OperatorAction::Abort => {
                let Some(k) = self.presented_run() else {
                    return Vec::new();
                };
                let mut cmds = if action == OperatorAction::Abort {
                    self.ask_run_abort(&k)
                } else {
                    self.ask_run_pause(&k)
                };
                if self.asking() {
                    cmds.extend(self.confirm_yes());
                }
                cmds
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
