//! The one confirmation path every write passes through: a dialog described as data (what will
//! change, the write it leads to), answered with yes or no. Focus starts on Cancel; a high-risk
//! write asks the operator to type the object's name instead.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::actions::Action;
use super::strings;
use crate::cluster::writer::{Write, WriteOp, WriteOrigin};
use crate::model::{Kind, Object, ObjectKey};

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub title: String,
    /// What will change, line by line (a manifest, a diff, a list of objects).
    pub body: Vec<String>,
    /// Destructive: drawn in the danger style.
    pub danger: bool,
    /// Focus on the confirm button (false: on Cancel, where it starts).
    pub focus_confirm: bool,
    /// When set, the operator must type exactly this to confirm.
    pub type_to_confirm: Option<String>,
    pub typed: String,
    /// First visible body line.
    pub scroll: usize,
    /// The body is a unified diff: `+`/`-` lines are drawn in the diff styles.
    pub diff: bool,
    /// What happens on yes.
    pub then: Then,
}

/// What a confirmed dialog does.
#[derive(Debug, Clone, PartialEq)]
pub enum Then {
    /// Send this write through the guarded writer.
    Write(Write),
    /// Give a maintenance run the operator's answer (the run's driver sends what follows).
    Run {
        run: ObjectKey,
        input: crate::workflows::machine::Input,
    },
    /// Record a planned maintenance run and start driving it.
    Start(Box<crate::workflows::plan::Plan>),
    /// Drive a run another console (or an earlier session) started, from where it stands.
    TakeOver(ObjectKey),
    /// Stop driving the runs driven here and quit (their records stay for another console).
    Quit,
    /// Stop driving the runs driven here and switch to this kubeconfig context.
    SwitchContext(String),
}

impl Then {
    /// The object the dialog's yes writes to (what its title must name): the write's object,
    /// the runtime a plan changes, the record of the run answered. `None` when yes writes
    /// nothing (quitting, switching context) or the write names no object.
    pub fn target(&self) -> Option<ObjectKey> {
        match self {
            Then::Write(w) => w.key().ok(),
            Then::Run { run, .. } | Then::TakeOver(run) => Some(run.clone()),
            Then::Start(plan) => Some(plan.runtime()),
            Then::Quit | Then::SwitchContext(_) => None,
        }
    }
}

impl Confirm {
    pub fn new(title: impl Into<String>, body: Vec<String>, write: Write) -> Confirm {
        Confirm::then(title, body, Then::Write(write))
    }

    /// A dialog whose yes does `then`.
    pub fn then(title: impl Into<String>, body: Vec<String>, then: Then) -> Confirm {
        Confirm {
            title: title.into(),
            body,
            danger: false,
            focus_confirm: false,
            type_to_confirm: None,
            typed: String::new(),
            scroll: 0,
            diff: false,
            then,
        }
    }

    /// The write sent on yes, when the dialog sends one.
    pub fn write(&self) -> Option<&Write> {
        match &self.then {
            Then::Write(w) => Some(w),
            _ => None,
        }
    }

    pub fn diff(mut self) -> Confirm {
        self.diff = true;
        self
    }

    pub fn danger(mut self) -> Confirm {
        self.danger = true;
        self
    }

    pub fn typed(mut self, text: impl Into<String>) -> Confirm {
        self.type_to_confirm = Some(text.into());
        self
    }

    /// Whether confirming is allowed now (typed text matches where it is asked for).
    pub fn ready(&self) -> bool {
        self.type_to_confirm
            .as_ref()
            .is_none_or(|t| *t == self.typed)
    }

    /// A key while the dialog is on top, with the action the keymap found for it (if any).
    /// Where a name must be typed, characters and Backspace edit it whatever they are bound to;
    /// yes is refused until it matches.
    pub fn on_action(&mut self, action: Option<Action>, key: &KeyEvent) -> Answer {
        if self.type_to_confirm.is_some() {
            match key.code {
                KeyCode::Char(ch)
                    if !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    self.typed.push(ch);
                    self.focus_confirm = self.ready();
                    return Answer::Stay;
                }
                KeyCode::Backspace => {
                    self.typed.pop();
                    self.focus_confirm = self.ready();
                    return Answer::Stay;
                }
                _ => {}
            }
        }
        let yes = |c: &Confirm| if c.ready() { Answer::Yes } else { Answer::Stay };
        match action {
            Some(Action::ConfirmFocusNext | Action::ConfirmFocusPrev) => {
                self.focus_confirm = !self.focus_confirm && self.ready();
                Answer::Stay
            }
            Some(Action::ConfirmActivate) if self.focus_confirm => yes(self),
            Some(Action::ConfirmActivate | Action::ConfirmNo | Action::NavBack) => Answer::No,
            Some(Action::ConfirmYes) => yes(self),
            Some(_) => Answer::Pass,
            None => Answer::Stay,
        }
    }
}

impl Confirm {
    /// Text pasted while the dialog is on top: into the name to type, where one is asked for
    /// (as one line). A paste never answers the dialog, whatever it holds (`y`, a line break).
    pub fn paste(&mut self, text: &str) {
        if self.type_to_confirm.is_some() {
            self.typed.push_str(&super::paste::one_line(text));
            self.focus_confirm = self.ready();
        }
    }
}

/// What the dialog answers a key with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Nothing for the app to do (focus moved, a character typed, not ready yet).
    Stay,
    /// The operator said yes: the app does the dialog's [`Then`].
    Yes,
    /// The operator said no: the dialog closes and what it was opened from comes back.
    No,
    /// Not one of the dialog's actions (scrolling, quitting): the app carries it out.
    Pass,
}

/// Kinds the console offers to delete: data operations and maintenance records.
pub fn deletable(kind: Kind) -> bool {
    matches!(kind, Kind::Operation(_) | Kind::CacheRuntimeMaintenance)
}

/// The dialog for deleting an object; a running operation is cancelled by its deletion, so the
/// operator types its name.
pub fn delete(obj: &Object) -> Confirm {
    let key = obj.key();
    let running = matches!(obj, Object::Operation(op) if !op.phase().is_terminal());
    let mut body = vec![strings::delete_body(&key)];
    if running {
        body.push(strings::DELETE_CANCELS.to_string());
    }
    let c = Confirm::new(
        strings::delete_title(&key),
        body,
        Write::new(WriteOp::Delete(key.clone())),
    )
    .danger();
    if running { c.typed(key.name) } else { c }
}

/// A new operation with the spec of `op` (status, identity and server fields dropped), named
/// `<name>-rerun-<n>` with the first `n` not taken.
pub fn rerun_manifest(
    op: &crate::model::DataOperation,
    taken: impl Fn(&str) -> bool,
) -> serde_json::Value {
    let base = op.metadata.name.clone().unwrap_or_default();
    let name = (1..)
        .map(|n| format!("{base}-rerun-{n}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| format!("{base}-rerun"));
    let mut labels = op.metadata.labels.clone().unwrap_or_default();
    labels.insert(RERUN_OF_LABEL.to_string(), base);
    serde_json::json!({
        "apiVersion": op.api_version,
        "kind": op.kind,
        "metadata": {
            "name": name,
            "namespace": op.metadata.namespace.clone().unwrap_or_default(),
            "labels": labels,
        },
        "spec": op.spec,
    })
}

/// Label on a rerun naming the operation it repeats.
pub const RERUN_OF_LABEL: &str = "fluidops.io/rerun-of";

/// The dialog for rerunning a failed operation: shows the manifest it will create.
pub fn rerun(manifest: serde_json::Value) -> Confirm {
    create(manifest, strings::rerun_title, WriteOrigin::Action)
}

/// The dialog for creating a data operation from the form: shows the exact manifest; the
/// answer to the create goes back to the form.
pub fn create_operation(manifest: serde_json::Value) -> Confirm {
    create(
        manifest,
        super::form_strings::confirm_title,
        WriteOrigin::LoadForm,
    )
}

/// A dialog that creates `manifest`, shown as YAML, titled with the object it creates.
fn create(manifest: serde_json::Value, title: fn(&str) -> String, origin: WriteOrigin) -> Confirm {
    let write = Write::new(WriteOp::Create(manifest)).answered_to(origin);
    let WriteOp::Create(manifest) = &write.op else {
        unreachable!("built as a create")
    };
    // A manifest that names no valid object is shown as it is (the server refuses it).
    let target = match write.key() {
        Ok(key) => strings::object_ref(&key),
        Err(_) => {
            let field = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
            format!(
                "{} {}",
                field(&manifest["kind"]),
                field(&manifest["metadata"]["name"])
            )
        }
    };
    let body = super::yaml::to_yaml(manifest)
        .lines()
        .map(str::to_string)
        .collect();
    Confirm::new(title(&target), body, write)
}

/// Key of the object a write is about, for messages.
pub fn subject(write: &Write) -> String {
    write
        .key()
        .map(|k: ObjectKey| k.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn dialog() -> Confirm {
        let w = Write::new(WriteOp::Delete(ObjectKey::new(
            Kind::Operation(crate::model::OpKind::DataLoad),
            "ns",
            "load-1",
        )));
        Confirm::new("Delete?", vec![], w)
    }

    #[test]
    fn focus_starts_on_cancel_and_enter_answers_where_it_is() {
        let mut c = dialog();
        let enter = key(KeyCode::Enter);
        assert_eq!(
            c.on_action(Some(Action::ConfirmActivate), &enter),
            Answer::No
        );
        let tab = key(KeyCode::Tab);
        assert_eq!(
            c.on_action(Some(Action::ConfirmFocusNext), &tab),
            Answer::Stay
        );
        assert_eq!(
            c.on_action(Some(Action::ConfirmActivate), &enter),
            Answer::Yes
        );
        let esc = key(KeyCode::Esc);
        assert_eq!(c.on_action(Some(Action::ConfirmNo), &esc), Answer::No);
        let j = key(KeyCode::Char('j'));
        assert_eq!(c.on_action(Some(Action::ListDown), &j), Answer::Pass);
    }

    #[test]
    fn a_typed_name_takes_every_character_and_yes_waits_for_it() {
        let mut c = dialog().typed("load-1");
        let y = key(KeyCode::Char('y'));
        // `y` is typed into the name, not taken as yes.
        assert_eq!(c.on_action(Some(Action::ConfirmYes), &y), Answer::Stay);
        assert_eq!(c.typed, "y");
        c.on_action(None, &key(KeyCode::Backspace));
        for ch in "load-1".chars() {
            c.on_action(None, &key(KeyCode::Char(ch)));
        }
        assert!(c.ready() && c.focus_confirm);
        let enter = key(KeyCode::Enter);
        assert_eq!(
            c.on_action(Some(Action::ConfirmActivate), &enter),
            Answer::Yes
        );
    }
}
