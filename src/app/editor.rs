//! Editing an object's spec (`e`): a pure state machine around a text area.
//!
//! Editing → Validating (text changed, validation pending its debounce) → Editing … → on review
//! (local problems refuse) → DryRunning (server-side dry run of the apply) → Reviewing (the diff
//! in the one confirmation dialog) → Applying → Done; any failure → Failed with the buffer kept;
//! a live object that moved since the editor opened → Conflict (rebase or abort, never clobber).

use serde_json::Value;
use tui_textarea::{CursorMove, TextArea};

use super::confirm::Confirm;
use super::schema::{self, Problem};
use crate::cluster::writer::{Write, WriteError, WriteOp, merge_patch};
use crate::model::{ObjectKey, kube_yaml};

/// Milliseconds of quiet typing after which the text is validated and the draft saved.
pub const SETTLE_MS: u64 = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Editing,
    /// The text changed; validation waits for the typing to settle.
    Validating,
    DryRunning,
    /// The diff is shown in the confirmation dialog; nothing is sent until the operator says yes.
    Reviewing,
    Applying,
    Done,
    /// The last dry run or apply failed; the buffer is kept.
    Failed,
    /// The live object changed since the editor opened.
    Conflict,
}

/// The three-way picture of a conflict.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictView {
    pub live_text: String,
    pub live_value: Value,
    pub live_rv: Option<String>,
    /// Unified diffs: base → live (what others changed) and base → yours.
    pub theirs: Vec<String>,
    pub yours: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Editor {
    pub key: ObjectKey,
    pub textarea: TextArea<'static>,
    /// The editable text and value of the object when the editor opened (or was rebased).
    pub base_text: String,
    pub base_value: Value,
    pub base_rv: Option<String>,
    pub phase: Phase,
    /// Local problems (syntax, schema, identity) of the current text, once validated.
    pub problems: Vec<Problem>,
    /// The current text as kubectl reads it, once validated (when it parses): the one value the
    /// checks, the diff and the write are made of.
    pub value: Option<Value>,
    /// The manifest sent to the dry run, while it is out or being reviewed: the review's diff
    /// and the apply are made of it.
    pub sent: Option<Value>,
    /// The server's rejection of the last dry run or apply, line by line.
    pub server_errors: Vec<String>,
    /// Bumped on every change; a settle message for an older generation is stale.
    pub generation: u64,
    /// Problem the last jump went to.
    pub problem_cursor: usize,
    /// The search line (`<C-f>`), while open.
    pub search: Option<String>,
    /// A draft found for this object, offered before editing starts.
    pub draft_offer: Option<String>,
    /// Asked before discarding unsent changes (Esc on a dirty buffer).
    pub confirm_discard: bool,
    /// The operator's text kept aside by a rebase that could not merge it.
    pub side_buffer: Option<String>,
    pub conflict: Option<ConflictView>,
}

/// Keys of `metadata` the editable text keeps; the rest is server bookkeeping.
const KEPT_METADATA: &[&str] = &["name", "namespace", "labels", "annotations"];

/// The object as the operator edits it: no status, no server bookkeeping in metadata, numbers
/// as kubectl would send them back.
pub fn editable_value(v: &Value) -> Value {
    let mut v = kube_yaml::normalize(v);
    if let Some(m) = v.as_object_mut() {
        m.remove("status");
    }
    if let Some(meta) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        meta.retain(|k, _| KEPT_METADATA.contains(&k.as_str()));
    }
    v
}

/// The text of a value, read back as the same value (strings YAML 1.1 would read otherwise are
/// quoted).
pub fn to_text(v: &Value) -> String {
    kube_yaml::to_string(v)
}

fn resource_version(v: &Value) -> Option<String> {
    v["metadata"]["resourceVersion"]
        .as_str()
        .map(str::to_string)
}

/// A coloured-by-prefix unified diff (`+`, `-`, `@@`, ` `) of two texts.
pub fn diff_lines(old: &str, new: &str, old_name: &str, new_name: &str) -> Vec<String> {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string();
    text.lines().map(str::to_string).collect()
}

/// The RFC 7386 merge patch that turns `from` into `to`.
pub fn merge_diff(from: &Value, to: &Value) -> Value {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = serde_json::Map::new();
            for (k, av) in a {
                match b.get(k) {
                    None => {
                        out.insert(k.clone(), Value::Null);
                    }
                    Some(bv) if bv != av => {
                        out.insert(k.clone(), merge_diff(av, bv));
                    }
                    _ => {}
                }
            }
            for (k, bv) in b {
                if !a.contains_key(k) {
                    out.insert(k.clone(), bv.clone());
                }
            }
            Value::Object(out)
        }
        _ => to.clone(),
    }
}

/// Leaf paths a merge patch touches, with the value it sets there.
fn patch_leaves(p: &Value, prefix: String, out: &mut Vec<(String, Value)>) {
    match p {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                patch_leaves(v, path, out);
            }
        }
        other => out.push((prefix, other.clone())),
    }
}

/// Paths both patches change to different results (one inside the other counts).
pub fn clashes(theirs: &Value, yours: &Value) -> Vec<String> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    patch_leaves(theirs, String::new(), &mut a);
    patch_leaves(yours, String::new(), &mut b);
    let within = |x: &str, y: &str| x == y || y.starts_with(&format!("{x}.")) || x.is_empty();
    let mut out: Vec<String> = b
        .iter()
        .filter(|(pb, vb)| {
            a.iter()
                .any(|(pa, va)| (within(pa, pb) || within(pb, pa)) && !(pa == pb && va == vb))
        })
        .map(|(p, _)| p.clone())
        .collect();
    out.dedup();
    out
}

impl Editor {
    /// Opens the editor on the live object (its full JSON value, as the store has it).
    pub fn open(key: ObjectKey, live: &Value) -> Editor {
        let base_value = editable_value(live);
        let base_text = to_text(&base_value);
        let mut e = Editor {
            key,
            textarea: TextArea::default(),
            base_text: base_text.clone(),
            base_value,
            base_rv: resource_version(live),
            phase: Phase::Editing,
            problems: Vec::new(),
            value: None,
            sent: None,
            server_errors: Vec::new(),
            generation: 0,
            problem_cursor: 0,
            search: None,
            draft_offer: None,
            confirm_discard: false,
            side_buffer: None,
            conflict: None,
        };
        e.set_text(&base_text);
        e.validate();
        e
    }

    /// Replaces the buffer (undo history starts afresh), cursor at the top.
    pub fn set_text(&mut self, text: &str) {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut ta = TextArea::new(if lines.is_empty() {
            vec![String::new()]
        } else {
            lines
        });
        // Theme-neutral styles (the view lays the theme's colours over line numbers and keys).
        use ratatui::style::{Modifier, Style};
        ta.set_line_number_style(Style::default());
        ta.set_cursor_line_style(Style::default());
        ta.set_cursor_style(Style::default().add_modifier(Modifier::REVERSED));
        ta.set_selection_style(Style::default().add_modifier(Modifier::REVERSED));
        ta.set_search_style(Style::default().add_modifier(Modifier::UNDERLINED | Modifier::BOLD));
        self.textarea = ta;
    }

    pub fn text(&self) -> String {
        let mut t = self.textarea.lines().join("\n");
        t.push('\n');
        t
    }

    /// Unsent changes relative to the object as opened.
    pub fn dirty(&self) -> bool {
        self.text().trim_end() != self.base_text.trim_end()
    }

    /// The text changed: validation is due once typing settles. Returns the generation to
    /// settle.
    pub fn changed(&mut self) -> u64 {
        self.generation += 1;
        self.server_errors.clear();
        if !matches!(self.phase, Phase::DryRunning | Phase::Applying) {
            self.phase = Phase::Validating;
        }
        self.generation
    }

    /// Typing paused: validates if `generation` is still current. Returns whether it did (and
    /// so whether the draft is due to be saved).
    pub fn settle(&mut self, generation: u64) -> bool {
        if generation != self.generation || self.phase != Phase::Validating {
            return false;
        }
        self.validate();
        self.phase = Phase::Editing;
        true
    }

    /// Reads the text as kubectl would and checks it: YAML (duplicate keys, values JSON cannot
    /// carry), the kind's schema, and that it still names this object. The value read is kept
    /// for the review.
    pub fn validate(&mut self) {
        let text = self.text();
        let (value, problems) = match schema::parse_yaml(&text) {
            Err(problems) => (None, problems),
            Ok(v) => {
                let mut problems = schema::check_value(self.key.kind, &text, &v);
                if problems.is_empty() {
                    problems = self.identity_problems(&text, &v);
                }
                (Some(v), problems)
            }
        };
        self.value = value;
        self.problems = problems;
        self.problem_cursor = 0;
    }

    /// The object's identity (apiVersion, kind, name, namespace) as written, against the one
    /// being edited.
    fn identity_problems(&self, text: &str, v: &Value) -> Vec<Problem> {
        let api_version = self.base_value["apiVersion"].as_str().unwrap_or_default();
        let want = [
            ("apiVersion", api_version.to_string()),
            ("kind", self.key.kind.as_str().to_string()),
            ("metadata.name", self.key.name.clone()),
            ("metadata.namespace", self.key.namespace.clone()),
        ];
        let mut problems = Vec::new();
        for (path, expected) in want {
            let got = path
                .split('.')
                .fold(v, |v, k| &v[k])
                .as_str()
                .unwrap_or("")
                .to_string();
            if got != expected {
                problems.push(Problem {
                    path: path.to_string(),
                    message: format!(
                        "cannot change here (editing {}): must stay \"{expected}\"",
                        self.key
                    ),
                    line: Some(schema::line_of(text, path)),
                    column: None,
                });
            }
        }
        problems
    }

    /// What is sent for the text as last validated: its value, guarded by the resource version
    /// it was based on (the API server refuses it with a conflict if the object moved
    /// meanwhile).
    pub fn manifest(&self) -> Option<Value> {
        let mut v = self.value.clone()?;
        if let (Some(rv), Some(meta)) = (
            &self.base_rv,
            v.get_mut("metadata").and_then(|m| m.as_object_mut()),
        ) {
            meta.insert("resourceVersion".into(), Value::String(rv.clone()));
        }
        Some(v)
    }

    /// The diff shown for a manifest: the object as opened → the manifest, written as the
    /// editor writes objects, less the resourceVersion that guards it.
    pub fn diff_of(&self, manifest: &Value) -> Vec<String> {
        let mut shown = manifest.clone();
        if let Some(meta) = shown.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            meta.remove("resourceVersion");
        }
        diff_lines(&self.base_text, &to_text(&shown), "live", "edited")
    }

    /// `<C-s>`: local problems refuse; a moved live object is a conflict; otherwise a server
    /// dry run of the apply is sent.
    pub fn review(&mut self, live: Option<&Value>) -> Result<Write, Refusal> {
        if !matches!(
            self.phase,
            Phase::Editing | Phase::Validating | Phase::Failed
        ) {
            return Err(Refusal::Busy);
        }
        self.validate();
        self.phase = Phase::Editing;
        if !self.problems.is_empty() {
            return Err(Refusal::Problems(self.problems.len()));
        }
        let Some(live) = live else {
            return Err(Refusal::Gone);
        };
        if resource_version(live) != self.base_rv {
            self.enter_conflict(live);
            return Err(Refusal::Conflict);
        }
        let manifest = self.manifest().ok_or(Refusal::Problems(1))?;
        self.sent = Some(manifest.clone());
        self.phase = Phase::DryRunning;
        Ok(Write::dry_run(WriteOp::Apply(manifest)).answered_to(WriteOrigin::Editor))
    }

    /// The server's dry run answered: the diff goes to review, or its rejection is listed.
    pub fn dry_run_done(&mut self, result: Result<(), &WriteError>) -> Option<Confirm> {
        if self.phase != Phase::DryRunning {
            return None;
        }
        match result {
            Ok(()) => {
                // Exactly what passed the dry run is shown and, on yes, applied.
                let manifest = self.sent.clone()?;
                self.phase = Phase::Reviewing;
                let diff = self.diff_of(&manifest);
                let mut body = vec![
                    strings::editor_apply_summary(
                        &self.key,
                        crate::cluster::writer::FIELD_MANAGER,
                        manifest["metadata"]["resourceVersion"].as_str(),
                    ),
                    String::new(),
                ];
                let notes = super::sync_notes::notes(self.key.kind, &self.base_value, &manifest);
                if !notes.is_empty() {
                    body.push(UPSTREAM_NOTES.to_string());
                    body.extend(notes.into_iter().map(|n| format!("! {n}")));
                    body.push(String::new());
                }
                if diff.is_empty() {
                    body.push("(no changes)".into());
                }
                let mut w = Write::new(WriteOp::Apply(manifest)).answered_to(WriteOrigin::Editor);
                w.note = Some(diff.join("\n"));
                body.extend(diff);
                Some(Confirm::new(strings::apply_title(&self.key), body, w).diff())
            }
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    /// The operator declined the review: back to editing, buffer intact.
    pub fn review_declined(&mut self) {
        if self.phase == Phase::Reviewing {
            self.phase = Phase::Editing;
            self.sent = None;
        }
    }

    /// The operator confirmed: one last check that nothing moved, then the apply goes out.
    pub fn confirmed(&mut self, live: Option<&Value>) -> Result<(), Refusal> {
        if self.phase != Phase::Reviewing {
            return Err(Refusal::Busy);
        }
        let Some(live) = live else {
            self.phase = Phase::Editing;
            return Err(Refusal::Gone);
        };
        if resource_version(live) != self.base_rv {
            self.enter_conflict(live);
            return Err(Refusal::Conflict);
        }
        self.phase = Phase::Applying;
        Ok(())
    }

    /// The apply answered.
    pub fn apply_done(&mut self, result: Result<(), &WriteError>) {
        if self.phase != Phase::Applying {
            return;
        }
        match result {
            Ok(()) => self.phase = Phase::Done,
            Err(e) => self.fail(e),
        }
    }

    fn fail(&mut self, e: &WriteError) {
        self.phase = Phase::Failed;
        self.sent = None;
        self.server_errors = e.to_string().lines().map(str::to_string).collect();
        // A 409: the object moved on the server after the last check (the resourceVersion
        // guard), or another field manager owns a field; nothing was changed.
        if let WriteError::Status(s) = e
            && s.code == 409
        {
            let why = if crate::cluster::writer::is_field_manager_conflict(s) {
                strings::EDITOR_MANAGER_CONFLICT
            } else {
                strings::EDITOR_MOVED_ON_SERVER
            };
            self.server_errors.insert(0, why.to_string());
        }
    }

    fn enter_conflict(&mut self, live: &Value) {
        let live_value = editable_value(live);
        let live_text = to_text(&live_value);
        self.conflict = Some(ConflictView {
            theirs: diff_lines(&self.base_text, &live_text, "base", "live"),
            yours: diff_lines(&self.base_text, &self.text(), "base", "yours"),
            live_text,
            live_value,
            live_rv: resource_version(live),
        });
        self.phase = Phase::Conflict;
    }

    /// Rebase onto the live object: your changes are re-applied as a merge patch where they do
    /// not clash with what changed live; otherwise (or with `keep_aside`) the editor reopens on
    /// live with your text in the side buffer. Returns the clashing paths.
    pub fn rebase(&mut self, keep_aside: bool) -> Vec<String> {
        let Some(c) = self.conflict.take() else {
            return Vec::new();
        };
        let yours_text = self.text();
        let yours = schema::parse_yaml(&yours_text).ok();
        let theirs_patch = merge_diff(&self.base_value, &c.live_value);
        let (clashing, merged) = match &yours {
            Some(y) => {
                let yours_patch = merge_diff(&self.base_value, y);
                let clashing = clashes(&theirs_patch, &yours_patch);
                let mut merged = c.live_value.clone();
                merge_patch(&mut merged, &yours_patch);
                (clashing, Some(merged))
            }
            None => (vec!["(your text does not parse)".to_string()], None),
        };
        self.base_text = c.live_text.clone();
        self.base_value = c.live_value;
        self.base_rv = c.live_rv;
        match merged {
            Some(m) if clashing.is_empty() && !keep_aside => {
                self.set_text(&to_text(&m));
            }
            _ => {
                self.set_text(&c.live_text);
                self.side_buffer = Some(yours_text);
            }
        }
        self.changed();
        self.validate();
        self.phase = Phase::Editing;
        clashing
    }

    /// Leave the conflict without sending anything; the buffer stays as it was.
    pub fn abort_conflict(&mut self) {
        if self.phase == Phase::Conflict {
            self.conflict = None;
            self.phase = Phase::Editing;
        }
    }

    /// Swaps the buffer with the side buffer (after a rebase that kept your text aside).
    pub fn swap_side(&mut self) -> bool {
        let Some(side) = self.side_buffer.take() else {
            return false;
        };
        self.side_buffer = Some(self.text());
        self.set_text(&side);
        self.changed();
        true
    }

    /// Moves the cursor to the next problem's line (wrapping); returns it.
    pub fn jump_to_problem(&mut self, forward: bool) -> Option<&Problem> {
        let n = self.problems.len();
        if n == 0 {
            return None;
        }
        self.problem_cursor = if forward {
            (self.problem_cursor + 1) % n
        } else {
            (self.problem_cursor + n - 1) % n
        };
        let p = &self.problems[self.problem_cursor];
        let row = p.line.unwrap_or(1).saturating_sub(1) as u16;
        let col = p.column.unwrap_or(1).saturating_sub(1) as u16;
        self.textarea.move_cursor(CursorMove::Jump(row, col));
        Some(&self.problems[self.problem_cursor])
    }
}

/// Why a review or confirmation did not go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Local problems; nothing was sent.
    Problems(usize),
    /// The live object moved; the editor shows the conflict.
    Conflict,
    /// The object is gone from the cluster.
    Gone,
    /// A request is already in flight.
    Busy,
}

/// The draft file name of an object: `<kind>_<ns>_<name>.yaml` (`_` for no namespace).
pub fn draft_file(key: &ObjectKey) -> String {
    let ns = if key.namespace.is_empty() {
        "_"
    } else {
        &key.namespace
    };
    format!("{}_{}_{}.yaml", key.kind.as_str(), ns, key.name)
}

/// What the editor answers a key with; the app carries it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing more to do.
    Stay,
    /// The text changed: validate it (and save the draft) once typing settles for `generation`;
    /// `note` goes to the footer.
    Changed {
        generation: u64,
        note: Option<String>,
    },
    /// A message for the footer.
    Note { text: String, error: bool },
    /// `<C-s>`: check the text against the live object and send the dry run.
    Review,
    /// Esc on an unchanged buffer: the editor closes.
    Close,
    /// The operator confirmed discarding the unsent changes: the editor closes, the draft goes.
    Discard,
    /// The draft offered was declined: it goes, editing starts on the live object.
    DropDraft,
    /// Edit this text in `$VISUAL`/`$EDITOR`.
    External(String),
}

impl Outcome {
    fn changed(generation: u64) -> Outcome {
        Outcome::Changed {
            generation,
            note: None,
        }
    }

    fn note(text: impl Into<String>, error: bool) -> Outcome {
        Outcome::Note {
            text: text.into(),
            error,
        }
    }
}

impl Editor {
    /// A key while the editor owns the keyboard, with the action the keymap found for it (if
    /// any): the editor's prompts first (draft offer, discard, conflict, search), then the bound
    /// actions, then the widget's own keys and the text area.
    pub fn on_action(&mut self, action: Option<Action>, key: &KeyEvent) -> Outcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let ch = |c: char| key.code == KeyCode::Char(c) && !ctrl;
        if let Some(draft) = self.draft_offer.clone() {
            if ch('y') || key.code == KeyCode::Enter {
                self.draft_offer = None;
                self.set_text(&draft);
                return Outcome::changed(self.changed());
            }
            if ch('n') || key.code == KeyCode::Esc {
                self.draft_offer = None;
                return Outcome::DropDraft;
            }
            return Outcome::Stay;
        }
        if self.confirm_discard {
            self.confirm_discard = false;
            return if ch('y') {
                Outcome::Discard
            } else {
                Outcome::Stay
            };
        }
        if self.phase == Phase::Conflict {
            if ch('r') || ch('k') {
                let clashing = self.rebase(ch('k'));
                let note = if clashing.is_empty() && ch('r') {
                    strings::EDITOR_REBASED.to_string()
                } else if ch('k') {
                    strings::EDITOR_REOPENED_ON_LIVE.to_string()
                } else {
                    strings::editor_clashes(&clashing)
                };
                return Outcome::Changed {
                    generation: self.generation,
                    note: Some(note),
                };
            }
            if key.code == KeyCode::Esc || ch('a') {
                self.abort_conflict();
                return Outcome::note(strings::EDITOR_CONFLICT_ABORTED, false);
            }
            return Outcome::Stay;
        }
        if let Some(pattern) = self.search.as_mut() {
            match key.code {
                KeyCode::Esc => self.search = None,
                KeyCode::Enter => {
                    let p = self.search.take().unwrap_or_default();
                    if self.textarea.set_search_pattern(&p).is_ok()
                        && !self.textarea.search_forward(true)
                    {
                        return Outcome::note(strings::editor_not_found(&p), true);
                    }
                }
                KeyCode::Backspace => {
                    pattern.pop();
                }
                KeyCode::Char(c) if !ctrl => pattern.push(c),
                _ => {}
            }
            return Outcome::Stay;
        }
        match action {
            Some(Action::EditorReview) => return Outcome::Review,
            Some(Action::EditorCancel) => {
                if self.dirty() && self.phase != Phase::Done {
                    self.confirm_discard = true;
                    return Outcome::Stay;
                }
                return Outcome::Close;
            }
            Some(Action::Noop) => return Outcome::Stay,
            _ => {}
        }
        match key.code {
            KeyCode::F(8) => {
                let back = key.modifiers.contains(KeyModifiers::SHIFT);
                return match self.jump_to_problem(!back) {
                    Some(p) => Outcome::note(p.to_string(), true),
                    None => Outcome::Stay,
                };
            }
            KeyCode::F(3) => {
                self.textarea.search_forward(false);
                return Outcome::Stay;
            }
            KeyCode::Char('f') if ctrl => {
                self.search = Some(String::new());
                return Outcome::Stay;
            }
            KeyCode::Char('o') if ctrl => return Outcome::External(self.text()),
            KeyCode::Char('t') if ctrl => {
                return if self.swap_side() {
                    Outcome::changed(self.generation)
                } else {
                    Outcome::note(strings::EDITOR_NO_SIDE_BUFFER, true)
                };
            }
            _ => {}
        }
        if matches!(self.phase, Phase::DryRunning | Phase::Applying) {
            // The text is what was sent; it stays put until the answer arrives.
            return Outcome::Stay;
        }
        if self.textarea.input(tui_textarea::Input::from(*key)) {
            return Outcome::changed(self.changed());
        }
        Outcome::Stay
    }
}

impl Editor {
    /// Text pasted while the editor owns the keyboard: inserted at the cursor as one change
    /// (one undo step) with its line breaks; into the search line as one line. The editor's
    /// questions (a draft offered, discarding, a conflict) are not answered by a paste, and
    /// the text stays put while a dry run or apply is in flight.
    pub fn paste(&mut self, text: &str) -> Outcome {
        if self.draft_offer.is_some() || self.confirm_discard || self.phase == Phase::Conflict {
            return Outcome::Stay;
        }
        if let Some(pattern) = self.search.as_mut() {
            pattern.push_str(&super::paste::one_line(text));
            return Outcome::Stay;
        }
        if matches!(self.phase, Phase::DryRunning | Phase::Applying) {
            return Outcome::Stay;
        }
        if self.textarea.insert_str(super::paste::line_breaks(text)) {
            return Outcome::changed(self.changed());
        }
        Outcome::Stay
    }
}

// ------------------------------------------------------------------ driving it from the app

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::actions::{Action, KeyMode};
use super::state::{App, Level, Overlay};
use super::strings;
use super::update::Command;
use crate::cluster::writer::{WriteOrigin, WriteOutcome};

/// The widget's own keys, listed under the editor (actions are in the help via the keymap).
pub const HINT: &str =
    "^U undo  ^R redo  ^F search  F8/S-F8 next/prev problem  ^O $EDITOR  ^T side buffer";
pub const CONFLICT_HINT: &str = "r rebase (merge your changes onto live)  k reopen on live, keep your text aside  Esc abort (nothing sent)";
pub const DRAFT_HINT: &str =
    "A draft of this object was saved earlier: y resume it  n discard it and edit live";
/// Heads the notes on what upstream Fluid does with the change, in the review.
pub const UPSTREAM_NOTES: &str = "What Fluid does with this change:";
pub const DISCARD_HINT: &str = "Discard your unsent changes?  y discard  n keep editing";

impl App {
    fn flash_text(&mut self, text: impl Into<String>, error: bool) {
        self.set_flash(text, if error { Level::Error } else { Level::Info });
    }

    fn draft_path(&self, key: &ObjectKey) -> Option<std::path::PathBuf> {
        self.drafts_dir.as_ref().map(|d| d.join(draft_file(key)))
    }

    /// Forgets the draft of `key`: the command that removes its file.
    fn forget_draft(&mut self, key: &ObjectKey) -> Vec<Command> {
        self.drafts.remove(&draft_file(key));
        self.draft_path(key)
            .map(Command::RemoveDraft)
            .into_iter()
            .collect()
    }

    /// `e`: opens the editor on the selected object (a Fluid kind with a known schema).
    pub(super) fn open_editor(&mut self) -> Vec<Command> {
        let Some(key) = self.selected_object() else {
            self.set_flash(strings::NOTHING_SELECTED, Level::Warning);
            return Vec::new();
        };
        if !schema::editable(key.kind) {
            self.set_flash(strings::editor_not_editable(key.kind), Level::Warning);
            return Vec::new();
        }
        let Some(obj) = self.store.get(&key) else {
            self.set_flash(strings::NOTHING_SELECTED, Level::Warning);
            return Vec::new();
        };
        let mut ed = Editor::open(key.clone(), &obj.to_value());
        ed.draft_offer = self
            .drafts
            .get(&draft_file(&key))
            .filter(|d| d.trim_end() != ed.base_text.trim_end())
            .cloned();
        self.editor = Some(Box::new(ed));
        // The editor takes the body; overlays shown over the old one close (a form waiting for
        // its write stays, to come back if the write fails).
        self.overlays.retain(|o| matches!(o, Overlay::Sending(_)));
        Vec::new()
    }

    /// Keymap modes while the editor is open and no overlay is on top.
    pub fn editor_modes(&self) -> Option<Vec<KeyMode>> {
        (self.editor.is_some() && self.overlays.is_empty()).then(|| vec![KeyMode::Editor])
    }

    fn settle_cmd(generation: u64) -> Command {
        Command::Settle {
            generation,
            after_ms: SETTLE_MS,
        }
    }

    /// A key while the editor owns the keyboard: the editor decides, the app carries it out.
    pub(super) fn editor_key(&mut self, action: Option<Action>, key: &KeyEvent) -> Vec<Command> {
        let Some(ed) = self.editor.as_deref_mut() else {
            return Vec::new();
        };
        let ed_key = ed.key.clone();
        match ed.on_action(action, key) {
            Outcome::Stay => Vec::new(),
            Outcome::Changed { generation, note } => {
                if let Some(note) = note {
                    self.flash_text(note, false);
                }
                vec![Self::settle_cmd(generation)]
            }
            Outcome::Note { text, error } => {
                self.flash_text(text, error);
                Vec::new()
            }
            Outcome::Review => self.editor_review(),
            Outcome::Close => {
                let cmds = if self.drafts.contains_key(&draft_file(&ed_key)) {
                    self.forget_draft(&ed_key)
                } else {
                    Vec::new()
                };
                self.editor = None;
                cmds
            }
            Outcome::Discard => {
                self.editor = None;
                self.forget_draft(&ed_key)
            }
            Outcome::DropDraft => self.forget_draft(&ed_key),
            Outcome::External(text) => vec![Command::ExternalEdit(text)],
        }
    }

    /// Text pasted while the editor owns the keyboard (see [`Editor::paste`]).
    pub(super) fn editor_paste(&mut self, text: &str) -> Vec<Command> {
        let Some(ed) = self.editor.as_deref_mut() else {
            return Vec::new();
        };
        match ed.paste(text) {
            Outcome::Changed { generation, .. } => vec![Self::settle_cmd(generation)],
            _ => Vec::new(),
        }
    }

    /// Typing settled: validate, and save the draft.
    pub(super) fn editor_settle(&mut self, generation: u64) -> Vec<Command> {
        let Some(ed) = self.editor.as_deref_mut() else {
            return Vec::new();
        };
        if !ed.settle(generation) {
            return Vec::new();
        }
        self.dirty = true;
        let (key, text, dirty) = (ed.key.clone(), ed.text(), ed.dirty());
        match self.draft_path(&key) {
            Some(path) if dirty => vec![Command::SaveDraft { path, text }],
            Some(path) => vec![Command::RemoveDraft(path)],
            None => Vec::new(),
        }
    }

    /// The text came back from `$EDITOR` (or could not).
    pub(super) fn editor_external_done(&mut self, result: Result<String, String>) -> Vec<Command> {
        self.dirty = true;
        let Some(ed) = self.editor.as_deref_mut() else {
            return Vec::new();
        };
        match result {
            Ok(text) => {
                if text.trim_end() == ed.text().trim_end() {
                    return Vec::new();
                }
                ed.set_text(&text);
                let g = ed.changed();
                vec![Self::settle_cmd(g)]
            }
            Err(e) => {
                self.flash_text(strings::editor_external_failed(&e), true);
                Vec::new()
            }
        }
    }

    fn editor_review(&mut self) -> Vec<Command> {
        if self.readonly {
            self.set_flash(self.refusal(strings::READONLY_REFUSED), Level::Warning);
            return Vec::new();
        }
        let Some(ed) = self.editor.as_deref_mut() else {
            return Vec::new();
        };
        let live = self.store.get(&ed.key).map(|o| o.to_value());
        match ed.review(live.as_ref()) {
            Ok(w) => {
                self.flash_text(strings::EDITOR_DRY_RUN_SENT, false);
                vec![Command::Write(w)]
            }
            Err(Refusal::Problems(n)) => {
                let first = ed
                    .problems
                    .first()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                self.flash_text(strings::editor_problems(n, &first), true);
                Vec::new()
            }
            Err(Refusal::Busy) => Vec::new(),
            Err(refusal) => {
                self.editor_refused(&refusal);
                Vec::new()
            }
        }
    }

    /// A moved or vanished live object, in the footer (the buffer is kept either way).
    fn editor_refused(&mut self, refusal: &Refusal) {
        let text = match refusal {
            Refusal::Conflict => strings::EDITOR_CONFLICT,
            _ => strings::EDITOR_GONE,
        };
        self.flash_text(text, true);
    }

    /// The answer to a write the editor sent. One it no longer waits for (the editor was closed
    /// meanwhile) is only reported in the footer.
    pub(super) fn editor_write_done(
        &mut self,
        write: &Write,
        result: &Result<WriteOutcome, WriteError>,
    ) -> Vec<Command> {
        let waiting = self.editor.as_deref().is_some_and(|ed| {
            write.key().ok().as_ref() == Some(&ed.key)
                && matches!(ed.phase, Phase::DryRunning | Phase::Applying)
        });
        let Some(ed) = self.editor.as_deref_mut().filter(|_| waiting) else {
            self.write_done(write, result);
            return Vec::new();
        };
        let r = result.as_ref().map(|_| ());
        if write.dry_run {
            match ed.dry_run_done(r) {
                Some(c) => {
                    self.ask(c);
                    self.flash = None;
                }
                None => self.flash_text(strings::EDITOR_DRY_RUN_REFUSED, true),
            }
            return Vec::new();
        }
        ed.apply_done(r);
        if ed.phase != Phase::Done {
            self.flash_text(strings::EDITOR_APPLY_REFUSED, true);
            return Vec::new();
        }
        let key = ed.key.clone();
        // The store catches up from the watch; the applied object is shown at once.
        if let Ok(WriteOutcome {
            object: Some(obj), ..
        }) = result
        {
            let at = self.now;
            self.store
                .apply(crate::cluster::ClusterEvent::Applied(obj.clone()), at);
        }
        let cmds = self.forget_draft(&key);
        self.editor = None;
        self.flash_text(strings::editor_applied(&key), false);
        cmds
    }

    /// The operator answered the editor's review dialog: no goes back to editing; yes sends the
    /// apply unless the live object moved or went meanwhile.
    pub(super) fn editor_answered(&mut self, write: Write, yes: bool) -> Vec<Command> {
        let Some(ed) = self.editor.as_deref_mut() else {
            return Vec::new();
        };
        if !yes {
            ed.review_declined();
            return Vec::new();
        }
        let live = self.store.get(&ed.key).map(|o| o.to_value());
        match ed.confirmed(live.as_ref()) {
            Ok(()) => vec![Command::Write(write)],
            Err(refusal) => {
                self.editor_refused(&refusal);
                Vec::new()
            }
        }
    }
}

/// Drafts kept from earlier sessions: file name → text, and one notice per draft.
pub fn load_drafts(
    dir: &std::path::Path,
) -> (std::collections::BTreeMap<String, String>, Vec<String>) {
    let mut drafts = std::collections::BTreeMap::new();
    let mut notices = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (drafts, notices);
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !name.ends_with(".yaml") {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(e.path()) {
            let what = name.trim_end_matches(".yaml").replace('_', " ");
            notices.push(format!("draft for {what} found — `e` on it to resume"));
            drafts.insert(name, text);
        }
    }
    notices.sort();
    (drafts, notices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use serde_json::json;

    fn live(rv: &str, image: &str) -> Value {
        json!({"apiVersion": "data.fluid.io/v1alpha1", "kind": "CacheRuntimeClass",
               "metadata": {"name": "c", "resourceVersion": rv, "uid": "u-1",
                            "managedFields": [{"manager": "x"}], "labels": {"a": "b"}},
               "fileSystemType": "curvinefs",
               "dataOperationSpecs": [{"name": "DataLoad", "image": image}]})
    }

    fn key() -> ObjectKey {
        ObjectKey::new(Kind::CacheRuntimeClass, "", "c")
    }

    fn edit(e: &mut Editor, from: &str, to: &str) {
        let t = e.text().replace(from, to);
        e.set_text(&t);
        let g = e.changed();
        assert_eq!(e.phase, Phase::Validating);
        assert!(e.settle(g));
    }

    #[test]
    fn opening_strips_server_fields_and_keeps_identity() {
        let e = Editor::open(key(), &live("7", "img:v1"));
        assert!(
            !e.text().contains("managedFields") && !e.text().contains("u-1"),
            "{}",
            e.text()
        );
        assert!(!e.text().contains("resourceVersion"));
        assert!(e.text().contains("name: c") && e.text().contains("a: b"));
        assert_eq!(e.phase, Phase::Editing);
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        assert!(!e.dirty());
    }

    #[test]
    fn typing_validates_after_settling_only_for_the_latest_generation() {
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        let t = e.text().replace("name: DataLoad", "name: Nope");
        e.set_text(&t);
        let g1 = e.changed();
        let g2 = e.changed();
        assert!(!e.settle(g1), "stale settle must not validate");
        assert_eq!(e.phase, Phase::Validating);
        assert!(e.settle(g2));
        assert_eq!(e.phase, Phase::Editing);
        assert_eq!(e.problems.len(), 1);
    }

    #[test]
    fn review_refuses_local_problems_and_sends_nothing() {
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        edit(&mut e, "fileSystemType: curvinefs\n", "");
        let l = live("7", "img:v1");
        assert_eq!(e.review(Some(&l)), Err(Refusal::Problems(1)));
        assert_eq!(e.phase, Phase::Editing);
        let fixed = format!("{}fileSystemType: curvinefs\n", e.text());
        e.set_text(&fixed);
        e.validate();
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        edit(&mut e, "name: c", "name: other");
        assert!(e.problems.iter().any(|p| p.path == "metadata.name"));
    }

    #[test]
    fn the_happy_path_dry_runs_reviews_applies() {
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        edit(&mut e, "img:v1", "img:v2");
        let l = live("7", "img:v1");
        let w = e.review(Some(&l)).unwrap();
        assert!(w.dry_run);
        assert_eq!(e.phase, Phase::DryRunning);
        let WriteOp::Apply(m) = &w.op else { panic!() };
        assert_eq!(m["metadata"]["resourceVersion"], "7");
        assert_eq!(m["dataOperationSpecs"][0]["image"], "img:v2");
        let c = e.dry_run_done(Ok(())).unwrap();
        assert_eq!(e.phase, Phase::Reviewing);
        assert!(c.diff && !c.write().unwrap().dry_run);
        assert!(
            c.body
                .iter()
                .any(|l| l.starts_with("+") && l.contains("img:v2"))
        );
        assert!(
            c.body
                .iter()
                .any(|l| l.starts_with("-") && l.contains("img:v1"))
        );
        assert!(
            c.write()
                .unwrap()
                .note
                .as_deref()
                .unwrap()
                .contains("img:v2")
        );
        e.confirmed(Some(&l)).unwrap();
        assert_eq!(e.phase, Phase::Applying);
        e.apply_done(Ok(()));
        assert_eq!(e.phase, Phase::Done);
    }

    fn live_with_timeout() -> Value {
        let mut v = live("7", "img:v1");
        v["topology"] = json!({"master": {"executionEntries": {"mountUFS": {"command": ["x"], "timeout": 60}}}});
        v
    }

    #[test]
    fn a_duplicate_key_is_refused_on_its_line_and_nothing_is_sent() {
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        edit(
            &mut e,
            "fileSystemType: curvinefs",
            "fileSystemType: [1, 2]\nfileSystemType: curvinefs",
        );
        assert_eq!(e.problems.len(), 1, "{:?}", e.problems);
        let p = &e.problems[0];
        assert!(p.message.contains("\"fileSystemType\""), "{p:?}");
        let line = p.line.unwrap();
        assert_eq!(e.textarea.lines()[line - 1], "fileSystemType: curvinefs");
        assert_eq!(e.value, None);
        let l = live("7", "img:v1");
        assert_eq!(e.review(Some(&l)), Err(Refusal::Problems(1)));
        assert_eq!(e.phase, Phase::Editing);
        assert!(e.text().contains("fileSystemType: [1, 2]"));
    }

    #[test]
    fn the_identity_stays_including_the_api_version() {
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        edit(
            &mut e,
            "apiVersion: data.fluid.io/v1alpha1",
            "apiVersion: data.fluid.io/v1alpha1 [oops",
        );
        assert_eq!(e.problems.len(), 1, "{:?}", e.problems);
        assert_eq!(e.problems[0].path, "apiVersion");
        assert_eq!(e.problems[0].line, Some(1));
        assert!(e.review(Some(&live("7", "img:v1"))).is_err());
    }

    #[test]
    fn the_review_shows_and_applies_the_value_that_was_dry_run() {
        let l = live_with_timeout();
        let mut e = Editor::open(key(), &l);
        edit(&mut e, "timeout: 60", "timeout: 0755");
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        let w = e.review(Some(&l)).unwrap();
        let WriteOp::Apply(dry) = &w.op else { panic!() };
        let timeout = &dry["topology"]["master"]["executionEntries"]["mountUFS"]["timeout"];
        assert_eq!(timeout, &json!(493), "0755 is octal, as kubectl reads it");
        // The buffer changes while the dry run is out (an external editor answering late).
        e.set_text(&e.text().replace("timeout: 0755", "timeout: 1"));
        let c = e.dry_run_done(Ok(())).unwrap();
        let applied = c.write().unwrap();
        assert_eq!(
            applied.op, w.op,
            "the apply is the manifest that was dry-run"
        );
        let diff: Vec<&String> = c
            .body
            .iter()
            .filter(|l| l.starts_with(['+', '-']))
            .collect();
        assert!(
            diff.iter().any(|l| l.trim_end() == "+        timeout: 493"),
            "{diff:?}"
        );
        let note = applied.note.as_deref().unwrap();
        assert_eq!(note, e.diff_of(dry).join("\n"));
        assert!(c.body.ends_with(&e.diff_of(dry)));
    }

    #[test]
    fn strings_yaml_would_misread_are_quoted_and_an_unchanged_buffer_sends_them_as_they_are() {
        let mut l = live("7", "0755");
        l["metadata"]["labels"] = json!({"enabled": "yes", "on": "off"});
        let mut e = Editor::open(key(), &l);
        assert!(e.text().contains("image: '0755'"), "{}", e.text());
        assert!(e.text().contains("'on': 'off'"), "{}", e.text());
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        let w = e.review(Some(&l)).unwrap();
        let WriteOp::Apply(m) = &w.op else { panic!() };
        assert_eq!(m["dataOperationSpecs"][0]["image"], "0755");
        assert_eq!(
            m["metadata"]["labels"],
            json!({"enabled": "yes", "on": "off"})
        );
        let c = e.dry_run_done(Ok(())).unwrap();
        assert!(c.body.iter().any(|l| l == "(no changes)"), "{:#?}", c.body);
    }

    #[test]
    fn declining_the_review_goes_back_to_editing() {
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        edit(&mut e, "img:v1", "img:v2");
        e.review(Some(&live("7", "img:v1"))).unwrap();
        e.dry_run_done(Ok(())).unwrap();
        e.review_declined();
        assert_eq!(e.phase, Phase::Editing);
        assert!(e.text().contains("img:v2"));
    }

    #[test]
    fn a_409_keeps_the_buffer_and_says_why() {
        let status = |causes: serde_json::Value| -> WriteError {
            WriteError::Status(Box::new(
                serde_json::from_value(serde_json::json!({
                    "status": "Failure", "code": 409, "reason": "Conflict",
                    "message": "Operation cannot be fulfilled: the object has been modified",
                    "details": {"causes": causes}
                }))
                .unwrap(),
            ))
        };
        let moved = status(serde_json::json!([]));
        let owned = status(serde_json::json!([{"reason": "FieldManagerConflict",
            "message": "conflict with \"kubectl\"", "field": ".spec.x"}]));
        for (err, why) in [
            (moved, strings::EDITOR_MOVED_ON_SERVER),
            (owned, strings::EDITOR_MANAGER_CONFLICT),
        ] {
            let mut e = Editor::open(key(), &live("7", "img:v1"));
            edit(&mut e, "img:v1", "img:v2");
            e.review(Some(&live("7", "img:v1"))).unwrap();
            e.dry_run_done(Ok(())).unwrap();
            e.confirmed(Some(&live("7", "img:v1"))).unwrap();
            e.apply_done(Err(&err));
            assert_eq!(e.phase, Phase::Failed);
            assert!(e.text().contains("img:v2"), "the buffer is kept");
            assert_eq!(e.server_errors[0], why);
            assert!(e.server_errors[1].contains("has been modified"));
        }
    }

    #[test]
    fn the_apply_carries_the_resource_version_it_was_opened_at() {
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        edit(&mut e, "img:v1", "img:v2");
        let w = e.review(Some(&live("7", "img:v1"))).unwrap();
        let WriteOp::Apply(sent) = &w.op else {
            panic!("{:?}", w.op)
        };
        assert_eq!(sent["metadata"]["resourceVersion"], "7");
        let confirm = e.dry_run_done(Ok(())).unwrap();
        let WriteOp::Apply(applied) = &confirm.write().unwrap().op else {
            panic!()
        };
        assert_eq!(applied["metadata"]["resourceVersion"], "7");
    }

    #[test]
    fn failures_keep_the_buffer() {
        let err = WriteError::Invalid("nope".into());
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        edit(&mut e, "img:v1", "img:v2");
        e.review(Some(&live("7", "img:v1"))).unwrap();
        assert!(e.dry_run_done(Err(&err)).is_none());
        assert_eq!(e.phase, Phase::Failed);
        assert!(e.text().contains("img:v2"));
        assert!(e.server_errors[0].contains("nope"));
        // From Failed the operator can review again.
        e.review(Some(&live("7", "img:v1"))).unwrap();
        e.dry_run_done(Ok(())).unwrap();
        e.confirmed(Some(&live("7", "img:v1"))).unwrap();
        e.apply_done(Err(&err));
        assert_eq!(e.phase, Phase::Failed);
        assert!(e.text().contains("img:v2"));
    }

    #[test]
    fn a_moved_object_is_a_conflict_at_review_or_confirm() {
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        edit(&mut e, "img:v1", "img:v2");
        assert_eq!(e.review(Some(&live("8", "img:v1"))), Err(Refusal::Conflict));
        assert_eq!(e.phase, Phase::Conflict);
        e.abort_conflict();
        assert_eq!(e.phase, Phase::Editing);
        assert!(e.text().contains("img:v2"));
        e.review(Some(&live("7", "img:v1"))).unwrap();
        e.dry_run_done(Ok(())).unwrap();
        assert_eq!(
            e.confirmed(Some(&live("9", "img:v1"))),
            Err(Refusal::Conflict)
        );
        let c = e.conflict.as_ref().unwrap();
        assert!(
            c.yours
                .iter()
                .any(|l| l.contains("+") && l.contains("img:v2"))
        );
    }

    #[test]
    fn rebase_merges_where_changes_do_not_clash() {
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        edit(&mut e, "a: b", "a: mine");
        let mut moved = live("8", "img:v1");
        moved["fileSystemType"] = json!("juicefs");
        assert_eq!(e.review(Some(&moved)), Err(Refusal::Conflict));
        assert!(e.rebase(false).is_empty());
        assert_eq!(e.phase, Phase::Editing);
        assert!(e.text().contains("a: mine") && e.text().contains("juicefs"));
        assert_eq!(e.base_rv.as_deref(), Some("8"));
        assert!(e.side_buffer.is_none());
        e.review(Some(&moved)).unwrap();
    }

    #[test]
    fn rebase_with_a_clash_reopens_on_live_and_keeps_your_text_aside() {
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        edit(&mut e, "img:v1", "img:mine");
        let moved = live("8", "img:theirs");
        assert_eq!(e.review(Some(&moved)), Err(Refusal::Conflict));
        let clashing = e.rebase(false);
        assert_eq!(clashing, vec!["dataOperationSpecs".to_string()]);
        assert!(e.text().contains("img:theirs"));
        assert!(e.side_buffer.as_deref().unwrap().contains("img:mine"));
        assert!(e.swap_side());
        assert!(e.text().contains("img:mine"));
    }

    #[test]
    fn jumping_to_a_problem_moves_the_cursor_to_its_line() {
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        edit(&mut e, "name: DataLoad", "name: Nope");
        let line = e.problems[0].line.unwrap();
        e.jump_to_problem(true);
        assert_eq!(e.textarea.cursor().0 + 1, line);
    }

    #[test]
    fn esc_on_unsent_changes_asks_first_and_keeps_the_buffer_on_no() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let press = |e: &mut Editor, code: KeyCode, action: Option<Action>| {
            e.on_action(action, &KeyEvent::new(code, KeyModifiers::NONE))
        };
        let mut e = Editor::open(key(), &live("7", "img:v1"));
        assert_eq!(
            press(&mut e, KeyCode::Esc, Some(Action::EditorCancel)),
            Outcome::Close,
            "nothing changed: Esc closes"
        );
        edit(&mut e, "img:v1", "img:v2");
        assert_eq!(
            press(&mut e, KeyCode::Esc, Some(Action::EditorCancel)),
            Outcome::Stay
        );
        assert!(e.confirm_discard);
        assert_eq!(press(&mut e, KeyCode::Char('n'), None), Outcome::Stay);
        assert!(!e.confirm_discard && e.text().contains("img:v2"));
        press(&mut e, KeyCode::Esc, Some(Action::EditorCancel));
        assert_eq!(press(&mut e, KeyCode::Char('y'), None), Outcome::Discard);
        assert_eq!(
            press(&mut e, KeyCode::Char('s'), Some(Action::EditorReview)),
            Outcome::Review
        );
    }

    #[test]
    fn draft_files_are_named_by_kind_namespace_and_name() {
        assert_eq!(draft_file(&key()), "CacheRuntimeClass___c.yaml");
        let k = ObjectKey::new(Kind::Dataset, "ns", "d");
        assert_eq!(draft_file(&k), "Dataset_ns_d.yaml");
    }
}
