//! The update function: messages in, state changes and commands out. No I/O here.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use jiff::Timestamp;

use super::actions::{Action, KeyMode, ViewKind};
use super::confirm::{self, Confirm};
use super::detail::{self, Target};
use super::palette::{self, PaletteCommand};
use super::state::{App, Level, Overlay, PageState, Screen};
use super::strings;
use super::tables::{self, Query, SortKey};
use crate::cluster::writer::{RefusedAttempt, Write, WriteError, WriteOrigin, WriteOutcome};
use crate::cluster::{ClusterEvent, Subject};
use crate::config::Keymap;
use crate::model::{Kind, ObjectKey};

/// Everything that can change the app. Messages are consumed once, right away, so the large
/// variants are not boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// Text the terminal pasted (bracketed paste), for the focused text input as one change.
    Paste(String),
    Mouse(MouseEvent),
    /// The terminal was resized: redraw.
    Resize,
    /// Events from the cluster source, observed at `at`.
    Cluster {
        at: Timestamp,
        events: Vec<ClusterEvent>,
    },
    /// Time passed (ages and durations move on screen).
    Tick(Timestamp),
    /// A write the operator confirmed has been answered.
    WriteDone {
        write: Write,
        result: Result<WriteOutcome, WriteError>,
    },
    /// The spec editor's typing settled (debounce): validate and save the draft if current.
    EditorSettle(u64),
    /// The text came back from `$EDITOR`, or why not.
    ExternalEdited(Result<String, String>),
    /// A demo scenario plays the presenter's part (open a wizard, confirm, pause, …).
    Operator(crate::cluster::source::OperatorAction),
    /// A recording jumped: the state at that time, as batches (see [`App::jumped`]).
    Rewind {
        at: Timestamp,
        batches: Vec<(Timestamp, Vec<ClusterEvent>)>,
    },
    /// Batches taken in one go, each at its own time (a recording played forward, or the
    /// batches a source sent while the console was busy).
    Played(Vec<(Timestamp, Vec<ClusterEvent>)>),
    /// Where a replayed recording stands.
    Replay {
        status: crate::cluster::source::ReplayStatus,
        note: Option<String>,
    },
}

/// What the app asks the outside world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Quit,
    /// Clear the terminal and draw everything again.
    ClearScreen,
    /// List every kind again from the source.
    Relist,
    /// Ask for a pod's log (which container and instance, how much; followed while live).
    FollowLogs(crate::cluster::source::LogRequest),
    /// Suspend the process (Ctrl-Z) and restore the screen afterwards.
    Suspend,
    /// Send a write the operator confirmed (through the one guarded writer).
    Write(Write),
    /// Connect to this kubeconfig context and, once it answers, show it instead (`:ctx NAME`).
    SwitchContext(String),
    /// Send `Msg::EditorSettle(generation)` back after a quiet period (the editor's debounce).
    Settle {
        generation: u64,
        after_ms: u64,
    },
    /// Save an unsent edit (the editor's draft).
    SaveDraft {
        path: std::path::PathBuf,
        text: String,
    },
    RemoveDraft(std::path::PathBuf),
    /// Make the demo cluster show a failure (refused on a real cluster).
    DemoFault(crate::cluster::source::Fault),
    /// Suspend the screen, edit this text in `$VISUAL`/`$EDITOR`, and send it back as
    /// `Msg::ExternalEdited`.
    ExternalEdit(String),
    /// Append a write refused under `--readonly` before it was built to the audit log.
    Audit(RefusedAttempt),
    /// Put this text on the clipboard (OSC 52, and the desktop's clipboard tool where there is
    /// one).
    Copy(String),
    /// Save a log to this file and say where (or why not).
    SaveLog {
        path: std::path::PathBuf,
        text: String,
        lines: usize,
    },
    /// Keep the command line's history (one command a line) for the next run.
    SaveHistory {
        path: std::path::PathBuf,
        text: String,
    },
    /// Hand the terminal to a shell in this container of this pod (through the API server's
    /// exec; simulated on the demo cluster), then come back.
    Shell {
        pod: ObjectKey,
        container: String,
    },
    /// Play, pause, step or move the replayed recording.
    Replay(crate::cluster::source::ReplayControl),
}

impl App {
    pub fn update(&mut self, msg: Msg, keymap: &Keymap) -> Vec<Command> {
        let screen = self.screen.clone();
        let flash = self.flash.as_ref().map(|f| f.serial);
        let commands = self.handle(msg, keymap);
        if self.screen != screen {
            self.screen_changed(flash);
        }
        commands
    }

    /// What follows a change of the cluster's state, once per batch: the selection follows its
    /// object, the problems are looked at again, and so are the maintenance form and runs.
    pub(super) fn cluster_changed(&mut self, listing: bool) -> Vec<Command> {
        self.follow_selection();
        self.dirty = true;
        use super::problem_watch::Looking;
        let looking = match &self.screen {
            Screen::List(ViewKind::Problems) => Looking::AtProblems,
            Screen::Detail(k) => Looking::At(k),
            _ => Looking::Elsewhere,
        };
        self.problem_watch
            .observe(&self.store, self.now, looking, listing);
        if let Some(Overlay::Maintenance(f)) = self.overlays.top_mut() {
            f.follow(&self.store, self.now);
        }
        self.drive_runs()
    }

    /// Batches from the source, each applied at its own time, then what follows a change once.
    pub(super) fn take_batches(
        &mut self,
        batches: Vec<(Timestamp, Vec<ClusterEvent>)>,
    ) -> Vec<Command> {
        let mut changed = false;
        let mut listing = false;
        let mut refused = Vec::new();
        for (at, events) in batches {
            // On the demo cluster time comes with the batches: ages move with it.
            if at.as_second() > self.now.as_second() {
                self.dirty = true;
            }
            self.now = self.now.max(at);
            for ev in events {
                listing |= matches!(
                    ev,
                    ClusterEvent::Listed { .. }
                        | ClusterEvent::ListedPods(_)
                        | ClusterEvent::ListEnded { .. }
                );
                // A log the server refused is the operator's answer, not the cluster's state.
                if let ClusterEvent::LogRefused { pod, message } = &ev {
                    refused.push((pod.clone(), message.clone()));
                }
                changed |= self.store.apply(ev, at);
            }
        }
        self.expire_flash();
        let mut answers = Vec::new();
        for (pod, message) in refused {
            answers.extend(self.log_refused(&pod, &message));
        }
        if changed {
            answers.extend(self.cluster_changed(listing));
        }
        answers
    }

    fn handle(&mut self, msg: Msg, keymap: &Keymap) -> Vec<Command> {
        match msg {
            Msg::Key(key) => self.on_key(key, keymap),
            Msg::Paste(text) => self.on_paste(&text),
            Msg::Mouse(m) => {
                self.on_mouse(m);
                Vec::new()
            }
            Msg::Resize => {
                self.dirty = true;
                Vec::new()
            }
            Msg::Cluster { at, events } => self.take_batches(vec![(at, events)]),
            // Each answer goes straight back to the part of the console that made the write.
            Msg::WriteDone { write, result } => {
                // An answer always changes what is shown (a message, a form, a run's page).
                self.dirty = true;
                match &write.origin {
                    WriteOrigin::Run(run) => {
                        match self.run_write_done(&run.clone(), &write, &result) {
                            Some(cmds) => cmds,
                            None => {
                                self.write_done(&write, &result);
                                Vec::new()
                            }
                        }
                    }
                    WriteOrigin::Editor => self.editor_write_done(&write, &result),
                    WriteOrigin::LoadForm => {
                        self.form_write_done(&write, &result);
                        Vec::new()
                    }
                    WriteOrigin::Action => {
                        self.write_done(&write, &result);
                        Vec::new()
                    }
                }
            }
            Msg::Operator(action) => self.operator(action),
            Msg::Rewind { at, batches } => self.jumped(at, batches),
            Msg::Played(batches) => self.take_batches(batches),
            Msg::Replay { status, note } => {
                self.replay_moved(status, note);
                Vec::new()
            }
            Msg::EditorSettle(generation) => self.editor_settle(generation),
            Msg::ExternalEdited(result) => self.editor_external_done(result),
            Msg::Tick(now) => {
                // Ages shown at second resolution: redraw only when the displayed second moves.
                if now.as_second() != self.now.as_second() {
                    self.now = now;
                    self.dirty = true;
                    self.expire_flash();
                    // Forms show times too (next cron runs, how long a pod is Terminating).
                    match self.overlays.top_mut() {
                        Some(Overlay::Form(f)) => f.now = now,
                        Some(Overlay::Maintenance(f)) => f.follow(&self.store, now),
                        _ => {}
                    }
                    // Step timeouts run on the clock.
                    return self.drive_runs();
                }
                Vec::new()
            }
        }
    }

    /// Keymap modes to look a key up in, most specific first.
    pub fn key_modes(&self) -> Vec<KeyMode> {
        match self.overlays.top() {
            Some(Overlay::Filter { .. }) => return vec![KeyMode::Filter, KeyMode::Global],
            Some(Overlay::Palette { .. }) => return vec![KeyMode::Palette, KeyMode::Global],
            Some(Overlay::Help { .. } | Overlay::Notices { .. } | Overlay::Containers { .. }) => {
                return vec![KeyMode::Help, KeyMode::Global];
            }
            Some(Overlay::Confirm(_)) => return vec![KeyMode::Confirm],
            Some(Overlay::Form(_) | Overlay::Maintenance(_)) => {
                return vec![KeyMode::Form, KeyMode::Global];
            }
            Some(Overlay::Sending(_)) | None => {}
        }
        if let Some(modes) = self.editor_modes() {
            return modes;
        }
        if self.run_page().is_some() {
            return vec![KeyMode::Wizard, KeyMode::Detail, KeyMode::Global];
        }
        let screen_mode = match &self.screen {
            Screen::List(ViewKind::Timeline) | Screen::Timeline(_) => KeyMode::Timeline,
            Screen::List(_) => KeyMode::List,
            Screen::Detail(_) => KeyMode::Detail,
            Screen::Yaml(_) => KeyMode::Yaml,
            Screen::Logs(_) => KeyMode::Logs,
        };
        vec![screen_mode, KeyMode::Global]
    }

    fn on_key(&mut self, key: KeyEvent, keymap: &Keymap) -> Vec<Command> {
        if key.kind != crossterm::event::KeyEventKind::Press {
            return Vec::new();
        }
        self.dirty = true;
        let action = keymap.resolve(&self.key_modes(), &key);
        if self.editor_modes().is_some() {
            return self.editor_key(action, &key);
        }
        // A modal on top decides what the key means to it; the app carries out the outcome.
        match self.overlays.top_mut() {
            Some(Overlay::Confirm(c)) => match c.on_action(action, &key) {
                confirm::Answer::Stay => Vec::new(),
                confirm::Answer::Yes => self.answer_confirm(true),
                confirm::Answer::No => self.answer_confirm(false),
                confirm::Answer::Pass => self.act_on(action),
            },
            Some(Overlay::Form(f)) => {
                let out = f.on_action(action, &key);
                self.form_outcome(out, action, |app, manifest| {
                    app.ask(confirm::create_operation(manifest))
                })
            }
            Some(Overlay::Maintenance(f)) => {
                let out = f.on_action(action, &key, &self.store, self.now);
                self.form_outcome(out, action, |app, plan| app.confirm_plan(*plan))
            }
            Some(Overlay::Filter { .. } | Overlay::Palette { .. }) if action.is_none() => {
                self.edit_input(key);
                Vec::new()
            }
            Some(Overlay::Notices { .. }) if action.is_none() => {
                self.overlays.pop();
                Vec::new()
            }
            _ => self.act_on(action),
        }
    }

    fn act_on(&mut self, action: Option<Action>) -> Vec<Command> {
        action.map_or_else(Vec::new, |a| self.act(a))
    }

    /// Typing into the filter or palette line.
    fn edit_input(&mut self, key: KeyEvent) {
        if matches!(key.code, KeyCode::Up | KeyCode::Down) {
            if self.browse_palette_history(key.code == KeyCode::Up) {
                return;
            }
        } else {
            self.palette_browse = None;
        }
        let live_filter = matches!(self.overlays.top(), Some(Overlay::Filter { .. }));
        let (input, choice) = match self.overlays.top_mut() {
            Some(Overlay::Filter { input, .. }) => (input, None),
            Some(Overlay::Palette { input, choice }) => (input, Some(choice)),
            _ => return,
        };
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => input.clear(),
            KeyCode::Char('w') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                let trimmed = input.trim_end().len();
                let cut = input[..trimmed].rfind(' ').map_or(0, |i| i + 1);
                input.truncate(cut);
            }
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                input.push(c)
            }
            KeyCode::Backspace => {
                input.pop();
            }
            KeyCode::Tab => {
                if let Some(choice) = choice
                    && let Some(done) =
                        palette::complete(input, &self.store, &self.contexts, *choice)
                {
                    *input = done;
                }
            }
            KeyCode::Down | KeyCode::Up => {
                if let Some(choice) = choice {
                    let n = palette::completions_with(input, &self.store, &self.contexts).len();
                    if n > 0 {
                        *choice = if key.code == KeyCode::Down {
                            (*choice + 1) % n
                        } else {
                            (*choice + n - 1) % n
                        };
                    }
                }
            }
            _ => {}
        }
        if let Some(Overlay::Palette { choice, .. }) = self.overlays.top_mut()
            && !matches!(key.code, KeyCode::Down | KeyCode::Up)
        {
            *choice = 0;
        }
        if live_filter {
            self.apply_filter_line();
        }
    }

    /// The filter line as typed so far applies to the list at once (a regex still being
    /// typed, `qwen-(`, keeps the rows of the last valid one).
    fn apply_filter_line(&mut self) {
        if super::text_pages::searchable(&self.screen) {
            if let Some(Overlay::Filter { input, .. }) = self.overlays.top() {
                let needle = input.clone();
                self.set_search(&needle);
            }
            return;
        }
        if let (Some(Overlay::Filter { input, .. }), Some(view)) =
            (self.overlays.top(), self.current_list())
            && tables::filter_error(input).is_none()
        {
            let text = input.clone();
            let st = self.list_mut(view);
            st.filter = text;
            st.selected = 0;
            st.selected_key = None;
            self.follow_selection();
        }
    }

    /// Pasted text goes to the focused text input as one change: the editor (line breaks
    /// kept), the filter and command lines, a form's field, the name a dialog asks to type
    /// (one line each, see [`super::paste`]). Whatever it holds, a paste submits, confirms and
    /// answers nothing; with no text input focused it is dropped.
    fn on_paste(&mut self, text: &str) -> Vec<Command> {
        self.dirty = true;
        if self.editor_modes().is_some() {
            return self.editor_paste(text);
        }
        match self.overlays.top_mut() {
            Some(Overlay::Confirm(c)) => c.paste(text),
            Some(Overlay::Form(f)) => f.paste(text),
            Some(Overlay::Maintenance(f)) => {
                f.paste(text);
                f.refresh(&self.store, self.now);
            }
            Some(Overlay::Filter { input, .. }) => {
                input.push_str(&super::paste::one_line(text));
                self.apply_filter_line();
            }
            Some(Overlay::Palette { input, choice }) => {
                input.push_str(&super::paste::one_line(text));
                *choice = 0;
            }
            _ => {}
        }
        Vec::new()
    }

    /// Carries out one named action.
    pub fn act(&mut self, action: Action) -> Vec<Command> {
        self.dirty = true;
        if action.writes() && self.readonly {
            let object = match action {
                Action::UpgradeStart | Action::RebuildStart => self.runtime_selection(true),
                Action::LoadStart => self.runtime_selection(false),
                _ => self.selected_object(),
            };
            return self.refuse_readonly(action, object, self.refusal(strings::READONLY_REFUSED));
        }
        match action {
            Action::AppQuit => return self.ask_quit(),
            Action::AppSuspend => return vec![Command::Suspend],
            Action::HelpToggle => match self.overlays.top() {
                // `?`, `q` and Esc close the start-up notices too (they share the help keys).
                Some(
                    Overlay::Help { .. } | Overlay::Notices { .. } | Overlay::Containers { .. },
                ) => {
                    self.overlays.pop();
                }
                _ => self.overlays.open(Overlay::Help {
                    scroll: 0,
                    query: String::new(),
                }),
            },
            Action::PaletteOpen => {
                self.palette_browse = None;
                self.overlays.open(Overlay::Palette {
                    input: String::new(),
                    choice: 0,
                })
            }
            Action::FilterOpen => {
                // In the help, `/` asks for the text to look for on the command line.
                if matches!(self.overlays.top(), Some(Overlay::Help { .. })) {
                    self.palette_browse = None;
                    self.overlays.open(Overlay::Palette {
                        input: "help ".to_string(),
                        choice: 0,
                    });
                } else if super::text_pages::searchable(&self.screen) {
                    let before = self.page.search.clone();
                    self.overlays.open(Overlay::Filter {
                        input: before.clone(),
                        before,
                    });
                } else if let Some(view) = self.current_list() {
                    let before = self.list(view).filter;
                    self.overlays.open(Overlay::Filter {
                        input: before.clone(),
                        before,
                    });
                }
            }
            Action::NavBack => return self.nav_back(),
            Action::NavEnter => return self.nav_enter(),
            Action::PaneNext | Action::PanePrev => self.switch_pane(action == Action::PaneNext),
            Action::HistoryBack => self.go_back(),
            Action::HistoryForward => {
                if let Some((screen, page)) = self.forward.pop() {
                    let cur = (
                        std::mem::replace(&mut self.screen, screen),
                        std::mem::replace(&mut self.page, page),
                    );
                    self.back.push(cur);
                }
            }
            Action::HistoryLast => {
                if let Some(v) = self.last_list {
                    self.open_view(v);
                }
            }
            Action::ViewOpen(v) => self.open_view(v),
            Action::ViewRefresh => return vec![Command::Relist],
            Action::ReplayToggle
            | Action::ReplayFaster
            | Action::ReplaySlower
            | Action::ReplayNext => return self.replay_action(action),
            Action::ScreenRedraw => return vec![Command::ClearScreen],
            Action::NoticeDismiss => {
                // On the start-up notices it is one more key that continues.
                if matches!(self.overlays.top(), Some(Overlay::Notices { .. })) {
                    self.overlays.pop();
                } else if self.problem_watch.dismiss() {
                    self.dirty = true;
                }
            }
            Action::NsAll => self.set_namespace(None),
            Action::NsFavourite(n) => {
                match self.favourite_namespaces.get(n as usize - 1).cloned() {
                    Some(ns) => self.set_namespace(Some(ns)),
                    None => self.flash_warn(&strings::no_favourite(n)),
                }
            }
            Action::ListDown => self.move_cursor(1),
            Action::ListUp => self.move_cursor(-1),
            Action::ListTop => self.move_cursor(i64::MIN / 2),
            Action::ListBottom => self.move_cursor(i64::MAX / 2),
            Action::ListHalfDown => self.move_cursor(self.page_rows() / 2),
            Action::ListHalfUp => self.move_cursor(-self.page_rows() / 2),
            Action::ListPageDown => self.move_cursor(self.page_rows()),
            Action::ListPageUp => self.move_cursor(-self.page_rows()),
            Action::SortName => self.set_sort(SortKey::Name),
            Action::SortAge => self.set_sort(SortKey::Age),
            Action::SortStatus => self.set_sort(SortKey::Status),
            Action::SortReverse => {
                if let Some(v) = self.current_list() {
                    let st = self.list_mut(v);
                    st.reverse = !st.reverse;
                }
            }
            Action::ViewYaml => {
                if let Some(key) = self.selected_object() {
                    self.push(Screen::Yaml(key));
                }
            }
            Action::ViewDescribe => {
                if let Some(key) = self.selected_object() {
                    self.push(Screen::Detail(key));
                }
            }
            Action::ViewLogs => match self.selected_object() {
                Some(key) if operation_logs::is_operation(&key) => {
                    return self.open_operation_logs(&key);
                }
                Some(key) if key.kind == Kind::Pod => {
                    self.push(Screen::Logs(key.clone()));
                    self.page.follow = true;
                    return vec![Command::FollowLogs(self.page.log.request(key))];
                }
                _ => self.flash_warn(strings::LOGS_NEED_POD),
            },
            Action::ViewTimeline => match self.selected_subject() {
                Some(subject) => self.open_timeline(subject),
                None => self.flash_warn(strings::NOTHING_SELECTED),
            },
            Action::LogsFollowToggle => {
                self.page.follow = !self.page.follow;
                if self.page.follow {
                    self.move_cursor(i64::MAX / 2);
                }
            }
            Action::LogsWrapToggle => self.page.wrap = !self.page.wrap,
            Action::CopyName => return self.copy_name(),
            Action::CopyText => return self.copy_text(),
            Action::SearchNext => self.search_step(true),
            Action::SearchPrev => self.search_step(false),
            Action::LogsSave => return self.save_log(),
            Action::LogsPrevious => return self.toggle_previous_log(),
            Action::LogsContainer => return self.choose_log_container(),
            Action::PodShell => return self.open_shell(),
            Action::LoadStart => self.open_load_form(),
            Action::WizardNext | Action::WizardPause | Action::WizardAbort => {
                let Some(key) = self.run_page() else {
                    return Vec::new();
                };
                return match action {
                    Action::WizardNext => match self.ask_run_next(&key) {
                        Some(cmds) => cmds,
                        None => self.nav_enter(),
                    },
                    Action::WizardPause => self.ask_run_pause(&key),
                    _ => self.ask_run_abort(&key),
                };
            }
            Action::SpecEdit => return self.open_editor(),
            Action::UpgradeStart => self.open_maintenance_form(true),
            Action::RebuildStart => self.open_maintenance_form(false),
            Action::ObjectDelete => self.ask_delete(),
            Action::OpRerun => self.ask_rerun(),
            // The dialog's, the editor's and the forms' own actions are theirs (`on_action`).
            Action::ConfirmFocusNext
            | Action::ConfirmFocusPrev
            | Action::ConfirmActivate
            | Action::ConfirmYes
            | Action::ConfirmNo
            | Action::EditorReview
            | Action::EditorCancel
            | Action::Noop => {}
        }
        Vec::new()
    }

    /// The maintenance record whose page is on screen (where the wizard keys work).
    pub fn run_page(&self) -> Option<ObjectKey> {
        match &self.screen {
            Screen::Detail(k) if k.kind == Kind::CacheRuntimeMaintenance => Some(k.clone()),
            _ => None,
        }
    }

    fn ask_delete(&mut self) {
        let Some(obj) = self.selected_object().and_then(|k| self.store.get(&k)) else {
            return self.flash_warn(strings::NOTHING_SELECTED);
        };
        if !confirm::deletable(obj.kind()) {
            return self.flash_warn(strings::DELETE_ONLY_OPERATIONS);
        }
        let dialog = confirm::delete(obj);
        self.ask(dialog);
    }

    fn ask_rerun(&mut self) {
        let op = match self.selected_object().and_then(|k| self.store.get(&k)) {
            Some(crate::model::Object::Operation(op))
                if op.phase() == crate::model::OpPhase::Failed =>
            {
                op
            }
            _ => return self.flash_warn(strings::RERUN_ONLY_FAILED),
        };
        let kind = Kind::Operation(op.op_kind());
        let ns = op.metadata.namespace.clone().unwrap_or_default();
        let manifest = confirm::rerun_manifest(op, |n| {
            self.store
                .get(&ObjectKey::new(kind, ns.clone(), n))
                .is_some()
        });
        self.ask(confirm::rerun(manifest));
    }

    /// Refuses a write under `--readonly` before anything is built: says why, and has the
    /// attempt audited (the action and the object it was about).
    pub(super) fn refuse_readonly(
        &mut self,
        action: Action,
        object: Option<ObjectKey>,
        why: &str,
    ) -> Vec<Command> {
        self.flash_warn(why);
        vec![Command::Audit(RefusedAttempt {
            action: action.id().to_string(),
            object,
        })]
    }

    /// Opens `dialog` over whatever is on top (that comes back when it closes).
    pub(super) fn ask(&mut self, dialog: Confirm) {
        self.overlays.push(Overlay::Confirm(Box::new(dialog)));
    }

    /// Whether a confirmation is on top.
    pub(super) fn asking(&self) -> bool {
        matches!(self.overlays.top(), Some(Overlay::Confirm(_)))
    }

    /// The operator said yes to the dialog on top (when it is ready).
    pub(super) fn confirm_yes(&mut self) -> Vec<Command> {
        match self.overlays.top() {
            Some(Overlay::Confirm(c)) if c.ready() => self.answer_confirm(true),
            _ => Vec::new(),
        }
    }

    /// Closes the dialog on top with the operator's answer. No uncovers what it was asked from
    /// (a form with its values); yes does what the dialog says, and the form it was asked from
    /// closes (the data-operation form waits hidden for its write's answer).
    fn answer_confirm(&mut self, yes: bool) -> Vec<Command> {
        let Some(Overlay::Confirm(c)) = self.overlays.pop() else {
            return Vec::new();
        };
        let editors = c.write().is_some_and(|w| w.origin == WriteOrigin::Editor);
        match c.then {
            confirm::Then::Write(write) if editors => self.editor_answered(write, yes),
            _ if !yes => Vec::new(),
            confirm::Then::Write(write) => {
                if write.origin == WriteOrigin::LoadForm {
                    self.overlays.hide_until_answered(&write);
                }
                self.flash_info(strings::sending(write.verb(), &confirm::subject(&write)));
                vec![Command::Write(write)]
            }
            confirm::Then::Run { run, input } => self.run_input(&run, input),
            confirm::Then::Start(plan) => self.start_run(*plan),
            confirm::Then::TakeOver(run) => self.take_over(&run),
            confirm::Then::Quit => self.stop_driving_and_quit(),
            confirm::Then::SwitchContext(name) => {
                self.flash_info(strings::context_connecting(&name));
                vec![Command::SwitchContext(name)]
            }
        }
    }

    /// `L`: the form that starts a data operation on the selected runtime or dataset (on a
    /// detail page, the page's own when the line under the cursor is neither).
    fn open_load_form(&mut self) {
        let Some(key) = self.runtime_selection(false) else {
            return self.flash_warn(strings::NOTHING_SELECTED);
        };
        match super::load_form::LoadForm::open(&self.store, &key, self.now) {
            Ok(form) => self.overlays.push(Overlay::Form(Box::new(form))),
            Err(e) => self.flash_warn(&e),
        }
    }

    /// What `L`, `U` and `R` are about: the selection when it is a runtime or a dataset (or,
    /// with `pods`, a pod); on a detail page whose line under the cursor is none of these (an
    /// operation, a condition), the page's own object.
    fn runtime_selection(&self, pods: bool) -> Option<ObjectKey> {
        let selected = self.selected_object()?;
        match (&self.screen, selected.kind) {
            (_, Kind::CacheRuntime | Kind::Dataset) => Some(selected),
            (_, Kind::Pod) if pods => Some(selected),
            (Screen::Detail(page), _) => Some(page.clone()),
            _ => Some(selected),
        }
    }

    /// `U` / `R`: the form that plans an in-place upgrade or rebuild of the selected runtime
    /// (or of the runtime of the selected dataset or cache pod). A rebuild opened on a pod has
    /// only that pod ticked, and its title names the pod; opened on the runtime, the planner's
    /// candidates are ticked.
    fn open_maintenance_form(&mut self, upgrade: bool) {
        use super::maintenance_form::{MaintenanceForm, target_of};
        let Some(key) = self.runtime_selection(true) else {
            return self.flash_warn(strings::NOTHING_SELECTED);
        };
        let opened = target_of(&self.store, &key).and_then(|(runtime, pod)| {
            if upgrade {
                MaintenanceForm::upgrade(&self.store, &runtime, self.now)
            } else {
                MaintenanceForm::rebuild(&self.store, &runtime, pod.as_deref(), self.now)
            }
        });
        match opened {
            Ok(form) => self.overlays.push(Overlay::Maintenance(Box::new(form))),
            Err(e) => self.flash_warn(&e),
        }
    }

    /// What the form on top answered: `submit` opens its confirmation over it (nothing is
    /// written before the operator says yes), or it closes, or the app does the action.
    fn form_outcome<T>(
        &mut self,
        outcome: super::modal::Outcome<T>,
        action: Option<Action>,
        submit: impl FnOnce(&mut App, T),
    ) -> Vec<Command> {
        use super::modal::Outcome;
        match outcome {
            Outcome::Stay => {}
            Outcome::Close => {
                self.overlays.pop();
            }
            Outcome::Submit(what) => submit(self, what),
            Outcome::Pass => return self.act_on(action),
        }
        Vec::new()
    }

    /// Opens the confirmation of `plan` over the maintenance form on top (the form comes back if
    /// the operator says no).
    pub(super) fn confirm_plan(&mut self, plan: crate::workflows::plan::Plan) {
        let Some(Overlay::Maintenance(form)) = self.overlays.top() else {
            return;
        };
        let lines = form.confirm_lines(&plan);
        let title = strings::plan_confirm_title(&plan.runtime(), &plan.record);
        self.ask(Confirm::then(
            title,
            lines,
            confirm::Then::Start(Box::new(plan)),
        ));
    }

    /// The answer to the data-operation form's create: the form goes on success; on failure it
    /// comes back where it was, with its values and the error.
    fn form_write_done(&mut self, write: &Write, result: &Result<WriteOutcome, WriteError>) {
        match result {
            Err(e) => {
                let error = super::form_strings::write_failed(&e.to_string());
                self.overlays.reopen_sending(write, &error);
            }
            Ok(_) => self.overlays.drop_sending(write),
        }
        self.write_done(write, result);
    }

    /// The answer to a confirmed write, in the footer; a created operation's timeline opens.
    pub(super) fn write_done(&mut self, write: &Write, result: &Result<WriteOutcome, WriteError>) {
        let subject = confirm::subject(write);
        match result {
            Ok(out) => {
                self.flash_info(strings::write_done(write.verb(), &subject, out.dry_run));
                // A created operation: its timeline, so its phases can be watched live.
                if let (crate::cluster::writer::WriteOp::Create(_), Some(obj)) =
                    (&write.op, &out.object)
                {
                    match super::load_form::created_key(obj) {
                        Some(key) if !out.dry_run => self.open_timeline(Subject::Object(key)),
                        _ => self.push(Screen::Detail(obj.key())),
                    }
                }
            }
            Err(e) => {
                let text = strings::write_failed(write.verb(), &subject, &e.to_string());
                self.flash_error(&text)
            }
        }
    }

    /// A message from outside the app (the run loop) in the footer.
    pub fn notice(&mut self, text: String, error: bool) {
        self.set_flash(text, if error { Level::Error } else { Level::Info });
    }

    /// Now connected to `context`: everything held about the previous cluster goes (objects,
    /// logs, timelines, selections, pages of its objects); the new source's lists fill it again.
    pub fn context_switched(&mut self, context: &str, namespace: Option<String>) {
        self.store = crate::cluster::Store::new();
        self.views.borrow_mut().clear();
        self.problem_watch.clear();
        self.context = context.to_string();
        self.namespace = namespace;
        let list = match &self.screen {
            Screen::List(v) => *v,
            _ => self.last_list.unwrap_or(ViewKind::Runtimes),
        };
        self.screen = Screen::List(list);
        self.back.clear();
        self.forward.clear();
        self.page = PageState {
            follow: true,
            ..PageState::default()
        };
        self.timeline_subject = None;
        // Runs belong to the cluster they were started on.
        self.runs.clear();
        for st in self.lists.values_mut() {
            st.selected = 0;
            st.selected_key = None;
            st.offset = 0;
        }
        // Dialogs and forms are about the previous cluster's objects.
        self.overlays.retain(|o| {
            !matches!(
                o,
                Overlay::Confirm(_)
                    | Overlay::Form(_)
                    | Overlay::Sending(_)
                    | Overlay::Maintenance(_)
            )
        });
        self.flash_info(strings::context_switched(context));
        self.dirty = true;
    }

    pub(super) fn flash_error(&mut self, text: &str) {
        self.set_flash(text, Level::Error);
    }

    /// Something the operator asked for is refused or not possible here.
    pub(super) fn flash_warn(&mut self, text: &str) {
        self.set_flash(text, Level::Warning);
    }

    pub(super) fn flash_info(&mut self, text: String) {
        self.set_flash(text, Level::Info);
    }

    fn page_rows(&self) -> i64 {
        i64::from(self.layout.body_rows.max(2))
    }

    fn set_sort(&mut self, key: SortKey) {
        if let Some(v) = self.current_list() {
            let st = self.list_mut(v);
            if st.sort == key {
                st.reverse = !st.reverse;
            } else {
                st.sort = key;
                st.reverse = false;
            }
            self.follow_selection();
        }
    }

    fn set_namespace(&mut self, ns: Option<String>) {
        let label = ns
            .clone()
            .unwrap_or_else(|| strings::ALL_NAMESPACES.to_string());
        self.namespace = ns;
        self.follow_selection();
        self.flash_info(strings::namespace_switched(&label));
    }

    /// The rows of a list view as currently filtered and sorted.
    pub fn table(&self, view: ViewKind) -> tables::Table {
        let st = self.list(view);
        let q = Query {
            namespace: self.namespace.as_deref(),
            filter: &st.filter,
            sort: st.sort,
            reverse: st.reverse,
            now: Some(self.now),
        };
        self.views.borrow_mut().table(&self.store, view, &q)
    }

    /// Keeps each list's selection on the same object when rows move, and within bounds.
    fn follow_selection(&mut self) {
        let Some(view) = self.current_list() else {
            return;
        };
        if view == ViewKind::Timeline {
            return;
        }
        // Nothing chosen yet: the first row is selected, whichever it is; no rows to build.
        let st = self.list(view);
        if st.selected_key.is_none() && st.selected == 0 {
            return;
        }
        let table = self.table(view);
        let st = self.list_mut(view);
        if let Some(key) = &st.selected_key
            && let Some(i) = table.rows.iter().position(|r| r.is(key))
        {
            st.selected = i;
        }
        st.selected = st.selected.min(table.rows.len().saturating_sub(1));
        st.selected_key = table.rows.get(st.selected).map(|r| r.key());
    }

    fn move_cursor(&mut self, delta: i64) {
        let len = self.cursor_len();
        let cur = self.cursor_pos();
        let next = (cur as i64)
            .saturating_add(delta)
            .clamp(0, len.saturating_sub(1) as i64) as usize;
        match (&self.screen, self.overlays.top_mut()) {
            (_, Some(Overlay::Help { scroll, .. } | Overlay::Notices { scroll, .. })) => {
                *scroll = next
            }
            (_, Some(Overlay::Confirm(c))) => c.scroll = next,
            (_, Some(Overlay::Containers { choice, .. })) => *choice = next,
            (Screen::List(v), _) if *v != ViewKind::Timeline => {
                let v = *v;
                let table = self.table(v);
                let st = self.list_mut(v);
                st.selected = next;
                st.selected_key = table.rows.get(next).map(|r| r.key());
            }
            (Screen::Logs(_), _) => {
                self.page.scroll = next;
                self.page.follow = next + 1 >= len;
            }
            (Screen::Detail(_), _) => self.page.cursor = next,
            _ => self.page.scroll = next,
        }
    }

    /// Number of positions the cursor can take on the current screen or overlay.
    fn cursor_len(&self) -> usize {
        match self.overlays.top() {
            Some(Overlay::Help { .. }) => return 1000,
            Some(Overlay::Notices { lines, .. }) => return lines.len(),
            Some(Overlay::Containers { names, .. }) => return names.len(),
            // The last position shows the final page of the body.
            Some(Overlay::Confirm(c)) => {
                let total = match self.layout.overlay_total {
                    0 => c.body.len(),
                    n => n,
                };
                return total
                    .saturating_sub(self.layout.overlay_rows as usize)
                    .saturating_add(1);
            }
            _ => {}
        }
        match &self.screen {
            Screen::List(ViewKind::Timeline) => 0,
            Screen::List(v) => self.table(*v).rows.len(),
            Screen::Detail(key) => {
                let sections = detail::sections(&self.store, key, self.now);
                sections
                    .get(self.page.pane)
                    .map_or(0, |s| s.selectable().count().max(s.lines.len()))
            }
            Screen::Timeline(subject) => self.store.timeline(subject).len(),
            Screen::Yaml(key) => super::yaml::lines(&self.store, key).len(),
            Screen::Logs(key) => self.store.log_len(key),
        }
    }

    fn cursor_pos(&self) -> usize {
        match self.overlays.top() {
            Some(Overlay::Help { scroll, .. } | Overlay::Notices { scroll, .. }) => return *scroll,
            Some(Overlay::Confirm(c)) => return c.scroll,
            Some(Overlay::Containers { choice, .. }) => return *choice,
            _ => {}
        }
        match &self.screen {
            Screen::List(v) => self.list(*v).selected,
            Screen::Detail(_) => self.page.cursor,
            Screen::Logs(key) if self.page.follow => self.store.log_len(key).saturating_sub(1),
            _ => self.page.scroll,
        }
    }

    /// The object under the cursor: the selected row, or the object a page is about.
    pub fn selected_object(&self) -> Option<ObjectKey> {
        match &self.screen {
            Screen::List(ViewKind::Timeline) => {
                self.timeline_subject.as_ref().map(|s| s.object().clone())
            }
            Screen::List(v) => {
                let st = self.list(*v);
                st.selected_key
                    .or_else(|| self.table(*v).rows.get(st.selected).map(|r| r.key()))
            }
            // On the summary pane, y/t/l are about the page's own object; in the other panes
            // (pods, operations, …) about the line under the cursor.
            Screen::Detail(key) if self.page.pane == 0 => Some(key.clone()),
            Screen::Detail(key) => {
                let sections = detail::sections(&self.store, key, self.now);
                match detail::target_at(&sections, self.page.pane, self.page.cursor) {
                    Some(Target::Object(k)) => Some(k.clone()),
                    _ => Some(key.clone()),
                }
            }
            Screen::Timeline(s) => Some(s.object().clone()),
            Screen::Yaml(k) | Screen::Logs(k) => Some(k.clone()),
        }
    }

    fn selected_subject(&self) -> Option<Subject> {
        if let Screen::Detail(key) = &self.screen {
            let sections = detail::sections(&self.store, key, self.now);
            if let Some(Target::Timeline(s)) =
                detail::target_at(&sections, self.page.pane, self.page.cursor)
            {
                return Some(s.clone());
            }
        }
        self.selected_object().map(Subject::Object)
    }

    pub(super) fn push(&mut self, screen: Screen) {
        if self.screen == screen {
            return;
        }
        let old = std::mem::replace(&mut self.screen, screen);
        let page = std::mem::replace(
            &mut self.page,
            PageState {
                follow: true,
                ..PageState::default()
            },
        );
        if let Screen::List(v) = old
            && v != ViewKind::Timeline
        {
            self.last_list = Some(v);
        }
        self.back.push((old, page));
        if self.back.len() > super::state::MAX_BACK {
            self.back.remove(0);
        }
        self.forward.clear();
    }

    pub(super) fn go_back(&mut self) {
        if let Some((screen, page)) = self.back.pop() {
            let cur = (
                std::mem::replace(&mut self.screen, screen),
                std::mem::replace(&mut self.page, page),
            );
            self.forward.push(cur);
            self.follow_selection();
        }
    }

    fn open_view(&mut self, v: ViewKind) {
        if v == ViewKind::Timeline {
            let subject = self
                .selected_subject()
                .or_else(|| self.timeline_subject.clone())
                .or_else(|| {
                    self.store.runtimes().next().map(|rt| {
                        Subject::Object(ObjectKey::new(
                            Kind::CacheRuntime,
                            rt.metadata.namespace.clone().unwrap_or_default(),
                            rt.metadata.name.clone().unwrap_or_default(),
                        ))
                    })
                });
            match subject {
                Some(s) => self.open_timeline(s),
                None => self.flash_warn(strings::NOTHING_SELECTED),
            }
            return;
        }
        if v == ViewKind::Problems {
            self.problem_watch.dismiss();
        }
        // Switching views replaces the screen stack, as k9s does with `:pods`.
        self.push(Screen::List(v));
        self.back
            .retain(|(s, _)| !matches!(s, Screen::List(x) if *x == v));
        self.follow_selection();
    }

    pub(super) fn open_timeline(&mut self, subject: Subject) {
        self.timeline_subject = Some(subject.clone());
        self.push(Screen::Timeline(subject));
        let len = self.cursor_len();
        self.page.scroll = len.saturating_sub(1);
    }

    fn nav_back(&mut self) -> Vec<Command> {
        match self.overlays.top() {
            Some(Overlay::Filter { .. }) => {
                self.overlays.pop();
                // Esc leaves the filter line; a second Esc clears the filter.
                if super::text_pages::searchable(&self.screen) {
                    self.clear_search();
                } else if let Some(v) = self.current_list() {
                    self.list_mut(v).filter.clear();
                    self.follow_selection();
                }
            }
            Some(
                Overlay::Palette { .. }
                | Overlay::Help { .. }
                | Overlay::Notices { .. }
                | Overlay::Containers { .. },
            ) => {
                self.overlays.pop();
            }
            // The dialog and the forms answer Esc themselves.
            Some(_) => {}
            None => {
                if super::text_pages::searchable(&self.screen) && !self.page.search.is_empty() {
                    self.clear_search();
                    return Vec::new();
                }
                if let Some(v) = self.current_list()
                    && !self.list(v).filter.is_empty()
                {
                    self.list_mut(v).filter.clear();
                    self.follow_selection();
                    return Vec::new();
                }
                self.go_back();
            }
        }
        Vec::new()
    }

    fn nav_enter(&mut self) -> Vec<Command> {
        if matches!(self.overlays.top(), Some(Overlay::Containers { .. })) {
            return self.pick_container();
        }
        match self.overlays.top() {
            Some(
                Overlay::Filter { .. }
                | Overlay::Palette { .. }
                | Overlay::Help { .. }
                | Overlay::Notices { .. },
            ) => {
                // A filter that is not a valid regex is not applied: the line stays open with
                // the reason.
                if let Some(Overlay::Filter { input, .. }) = self.overlays.top()
                    && !super::text_pages::searchable(&self.screen)
                    && tables::filter_error(input).is_some()
                {
                    return Vec::new();
                }
                match self.overlays.pop() {
                    Some(Overlay::Filter { input, .. }) => {
                        if super::text_pages::searchable(&self.screen) {
                            if self.page.search != input || self.page.search_at.is_none() {
                                self.set_search(&input);
                            }
                        } else if let Some(v) = self.current_list() {
                            self.list_mut(v).filter = input;
                            self.follow_selection();
                        }
                    }
                    Some(Overlay::Palette { input, choice }) => {
                        return self.run_palette(&input, choice);
                    }
                    _ => {}
                }
                return Vec::new();
            }
            // The dialog and the forms answer Enter themselves.
            Some(_) => return Vec::new(),
            None => {}
        }
        match &self.screen {
            Screen::List(ViewKind::Timeline) => {}
            Screen::List(_) => {
                if let Some(key) = self.selected_object()
                    && super::describe::has_detail(key.kind)
                {
                    self.push(Screen::Detail(key));
                }
            }
            Screen::Detail(key) => {
                let sections = detail::sections(&self.store, key, self.now);
                match detail::target_at(&sections, self.page.pane, self.page.cursor).cloned() {
                    Some(Target::Object(k)) => self.push(Screen::Detail(k)),
                    Some(Target::Timeline(s)) => self.open_timeline(s),
                    None => {}
                }
            }
            Screen::Timeline(_) | Screen::Yaml(_) | Screen::Logs(_) => {}
        }
        Vec::new()
    }

    fn switch_pane(&mut self, forward: bool) {
        if let Screen::Detail(key) = &self.screen {
            let n = detail::sections(&self.store, key, self.now).len().max(1);
            self.page.pane = if forward {
                (self.page.pane + 1) % n
            } else {
                (self.page.pane + n - 1) % n
            };
            self.page.cursor = 0;
        }
    }

    fn run_palette(&mut self, input: &str, choice: usize) -> Vec<Command> {
        let input = match palette::completions_with(input, &self.store, &self.contexts).get(choice)
        {
            Some(c) if palette::parse(input).is_err() => c.clone(),
            _ => input.to_string(),
        };
        let keep = self.remember_command(&input);
        let mut commands = match palette::parse(&input) {
            Ok(PaletteCommand::Quit) => self.ask_quit(),
            Ok(PaletteCommand::Help(query)) => {
                self.overlays.open(Overlay::Help { scroll: 0, query });
                Vec::new()
            }
            Ok(PaletteCommand::Namespace(ns)) => {
                self.set_namespace(ns);
                Vec::new()
            }
            Ok(PaletteCommand::Fault(fault)) => vec![Command::DemoFault(fault)],
            Ok(PaletteCommand::At(time)) => self.replay_at(&time),
            Ok(PaletteCommand::LogTail(tail)) => self.set_log_amount(Some(tail), None),
            Ok(PaletteCommand::LogSince(since)) => self.set_log_amount(None, Some(since)),
            Ok(PaletteCommand::Context(None)) => {
                self.flash_info(strings::contexts_list(&self.contexts, &self.context));
                Vec::new()
            }
            Ok(PaletteCommand::Context(Some(name))) => {
                if name == self.context {
                    self.flash_info(strings::context_already(&name));
                    Vec::new()
                } else if !self.contexts.contains(&name) {
                    self.flash_warn(&strings::context_unknown(&name, &self.contexts));
                    Vec::new()
                } else {
                    self.ask_switch_context(name)
                }
            }
            Ok(PaletteCommand::View {
                view,
                namespace,
                filter,
            }) => {
                if let Some(ns) = namespace {
                    self.set_namespace(ns);
                }
                self.open_view(view);
                if let Some(f) = filter {
                    match tables::filter_error(&f) {
                        Some(why) => self.flash_warn(&strings::filter_invalid(&why)),
                        None => {
                            self.list_mut(view).filter = f;
                            self.follow_selection();
                        }
                    }
                }
                Vec::new()
            }
            Err(e) => {
                self.flash_warn(&e);
                Vec::new()
            }
        };
        commands.extend(keep);
        commands
    }

    fn on_mouse(&mut self, m: MouseEvent) {
        if !self.overlays.is_empty() {
            return;
        }
        match m.kind {
            MouseEventKind::ScrollDown => {
                self.dirty = true;
                self.move_cursor(3)
            }
            MouseEventKind::ScrollUp => {
                self.dirty = true;
                self.move_cursor(-3)
            }
            MouseEventKind::Down(MouseButton::Left) => {
                let l = self.layout;
                let inside = m.row >= l.body_top
                    && m.row < l.body_top + l.body_rows
                    && m.column >= l.body_left
                    && m.column < l.body_left + l.body_width;
                if inside {
                    let target = l.first_row + usize::from(m.row - l.body_top);
                    let cur = self.cursor_pos() as i64;
                    self.dirty = true;
                    self.move_cursor(target as i64 - cur);
                }
            }
            _ => {}
        }
    }
}

/// Start-up notices (config warnings, unusable seed documents) shown until a key is pressed.
pub fn show_notices(app: &mut App, lines: Vec<String>) {
    if !lines.is_empty() {
        app.overlays.open(Overlay::Notices { lines, scroll: 0 });
    }
}

mod log_actions;
mod operation_logs;
mod page_actions;
mod shell_actions;
pub use page_actions::history_from_file;

#[cfg(test)]
mod tests;
