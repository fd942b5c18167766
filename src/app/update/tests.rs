//! The overlay stack: each modal gets its answers back, with its values, wherever it sits.

use super::*;
use crate::cluster::writer::{WriteOp, WriteOrigin};
use crate::config::keys::Key;
use crate::demo::DemoCluster;

fn now() -> Timestamp {
    "2026-11-25T10:00:00Z".parse().unwrap()
}

fn keymap() -> &'static Keymap {
    static KEYMAP: std::sync::OnceLock<Keymap> = std::sync::OnceLock::new();
    KEYMAP.get_or_init(Keymap::builtin)
}

/// An app showing the demo cluster.
fn app() -> App {
    let mut app = App::new("demo", now());
    let events = DemoCluster::builtin(7, now()).initial_events();
    app.update(Msg::Cluster { at: now(), events }, keymap());
    app
}

/// Presses keys in keymap notation, separated by spaces; returns every command issued.
fn press(app: &mut App, keys: &str) -> Vec<Command> {
    keys.split_whitespace()
        .flat_map(|k| {
            let key = KeyEvent::from(Key::parse(k).unwrap());
            app.update(Msg::Key(key), keymap())
        })
        .collect()
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        app.update(Msg::Key(key), keymap());
    }
}

fn select(app: &mut App, name: &str) {
    press(app, "/");
    type_text(app, name);
    press(app, "<Enter>");
}

fn only_write(cmds: Vec<Command>) -> Write {
    match cmds.as_slice() {
        [Command::Write(w)] => w.clone(),
        other => panic!("expected one write, got {other:?}"),
    }
}

/// The server refuses `write`.
fn refuse(app: &mut App, write: Write) {
    let result = Err(WriteError::Invalid("admission webhook said no".into()));
    app.update(Msg::WriteDone { write, result }, keymap());
}

fn load_form(app: &App) -> &super::super::load_form::LoadForm {
    match app.overlays.top() {
        Some(Overlay::Form(f)) => f,
        other => panic!("no form on top: {other:?}"),
    }
}

/// The data-operation form named `name`, walked to its confirmation.
fn load_form_confirming(name: &str) -> App {
    let mut a = app();
    select(&mut a, "imagenet-train");
    press(&mut a, "L <Tab> <C-u>");
    type_text(&mut a, name);
    while load_form(&a).step != super::super::load_form::Step::Review {
        press(&mut a, "<Enter>");
    }
    press(&mut a, "<Enter>");
    assert!(a.asking());
    a
}

#[test]
fn no_on_the_load_forms_confirmation_returns_to_the_form_with_its_values() {
    let mut a = load_form_confirming("my-load");
    press(&mut a, "n");
    assert_eq!(load_form(&a).name.text, "my-load");
    // Esc on the dialog is a no as well; the form is still under it.
    press(&mut a, "<Enter> <Esc>");
    assert_eq!(load_form(&a).name.text, "my-load");
    press(&mut a, "<C-a>");
    assert!(a.overlays.is_empty());
    assert_eq!(
        a.overlays.iter().count(),
        0,
        "nothing left under the screen"
    );
}

#[test]
fn a_failed_create_reaches_its_form_under_the_help_and_keeps_its_values() {
    let mut a = load_form_confirming("my-load");
    let write = only_write(press(&mut a, "y"));
    assert_eq!(write.origin, WriteOrigin::LoadForm);
    // The form waits hidden; the operator opens the help meanwhile.
    assert!(a.overlays.is_empty());
    press(&mut a, "?");
    refuse(&mut a, write);
    assert!(matches!(a.overlays.top(), Some(Overlay::Help { .. })));
    assert!(a.flash.as_ref().is_some_and(|f| f.error));
    press(&mut a, "<Esc>");
    let f = load_form(&a);
    assert_eq!(f.name.text, "my-load");
    assert!(f.message.as_deref().unwrap_or("").contains("said no"));
}

#[test]
fn a_created_operation_drops_its_waiting_form_and_opens_its_timeline() {
    let mut a = load_form_confirming("my-load");
    let write = only_write(press(&mut a, "y"));
    let WriteOp::Create(m) = &write.op else {
        panic!("not a create")
    };
    let object = crate::model::Object::from_value(m.clone()).unwrap();
    let key = object.as_ref().map(|o| o.key()).unwrap();
    let result = Ok(WriteOutcome {
        object,
        dry_run: false,
    });
    a.update(Msg::WriteDone { write, result }, keymap());
    assert_eq!(a.overlays.iter().count(), 0, "the form is gone");
    assert_eq!(a.screen, Screen::Timeline(Subject::Object(key)));
}

/// The upgrade form on imagenet-train with `tag`, walked to its plan's confirmation.
fn upgrade_confirming(tag: &str) -> App {
    let mut a = app();
    select(&mut a, "imagenet-train");
    press(&mut a, "U");
    let Some(Overlay::Maintenance(f)) = a.overlays.top_mut() else {
        panic!("no upgrade form, flash {:?}", a.flash);
    };
    f.focus_on(super::super::maintenance_form::Field::Tag);
    press(&mut a, "<C-u>");
    type_text(&mut a, tag);
    for _ in 0..20 {
        if a.asking() {
            return a;
        }
        press(&mut a, "<Enter>");
    }
    panic!("no plan confirmation, flash {:?}", a.flash);
}

#[test]
fn no_on_a_plan_returns_to_the_maintenance_form_and_yes_closes_it() {
    let mut a = upgrade_confirming("v0.2.6");
    press(&mut a, "n");
    let Some(Overlay::Maintenance(f)) = a.overlays.top() else {
        panic!("form expected, got {:?}", a.overlays.top());
    };
    assert_eq!(f.tag.text, "v0.2.6");
    // Enter on the last field asks again; yes records the run and the form goes.
    press(&mut a, "<Enter>");
    assert!(a.asking());
    let write = only_write(press(&mut a, "y"));
    assert!(matches!(write.origin, WriteOrigin::Run(_)));
    assert_eq!(a.overlays.iter().count(), 0);
}

#[test]
fn a_run_write_reaches_its_run_under_the_help() {
    let mut a = upgrade_confirming("v0.2.6");
    let write = only_write(press(&mut a, "y"));
    let WriteOrigin::Run(run) = write.origin.clone() else {
        panic!("not a run's write")
    };
    press(&mut a, "?");
    refuse(&mut a, write);
    // The record could not be created: the run is not driven, and the help stays on top.
    assert!(!a.drives(&run));
    assert!(matches!(a.overlays.top(), Some(Overlay::Help { .. })));
    let flash = a.flash.as_ref().unwrap();
    assert!(flash.error && flash.text.contains("said no"), "{flash:?}");
}

/// The editor on the curvine-standard class, its image changed and settled.
fn editing() -> App {
    let mut a = app();
    press(&mut a, ":");
    type_text(&mut a, "classes");
    press(&mut a, "<Enter>");
    select(&mut a, "curvine-standard");
    press(&mut a, "e");
    let ed = a.editor.as_deref_mut().expect("editor open");
    let text = ed
        .text()
        .replacen("name: DataLoad", "name: DataLoad\n  image: x:v2", 1);
    ed.set_text(&text);
    let g = ed.changed();
    a.update(Msg::EditorSettle(g), keymap());
    assert!(a.editor.as_ref().unwrap().problems.is_empty());
    a
}

fn dry_run_passed(write: Write) -> Msg {
    Msg::WriteDone {
        write,
        result: Ok(WriteOutcome {
            object: None,
            dry_run: true,
        }),
    }
}

#[test]
fn no_on_the_editors_review_and_a_refused_apply_keep_the_buffer() {
    use super::super::editor::Phase;
    let mut a = editing();
    let dry = only_write(press(&mut a, "<C-s>"));
    assert_eq!(dry.origin, WriteOrigin::Editor);
    a.update(dry_run_passed(dry.clone()), keymap());
    assert!(a.asking());
    press(&mut a, "n");
    let ed = a.editor.as_deref().unwrap();
    assert!(a.overlays.is_empty());
    assert_eq!(ed.phase, Phase::Editing);
    assert!(ed.text().contains("x:v2"));
    // Review again, say yes; the server refuses the apply: the buffer stays.
    let dry = only_write(press(&mut a, "<C-s>"));
    a.update(dry_run_passed(dry), keymap());
    let apply = only_write(press(&mut a, "y"));
    assert!(!apply.dry_run && apply.origin == WriteOrigin::Editor);
    refuse(&mut a, apply);
    let ed = a.editor.as_deref().expect("editor stays open");
    assert_eq!(ed.phase, Phase::Failed);
    assert!(ed.text().contains("x:v2"));
}

#[test]
fn the_editors_dry_run_answer_reaches_it_under_another_overlay() {
    let mut a = editing();
    let dry = only_write(press(&mut a, "<C-s>"));
    a.overlays.open(Overlay::Notices {
        lines: vec!["a notice".into()],
        scroll: 0,
    });
    a.update(dry_run_passed(dry), keymap());
    // The review goes over the notices; answering it uncovers them.
    assert!(a.asking());
    press(&mut a, "n");
    assert!(matches!(a.overlays.top(), Some(Overlay::Notices { .. })));
    assert!(a.editor.as_deref().unwrap().text().contains("x:v2"));
}

/// The clock: a tick moves "now" for what is on screen, the open form included, lets an
/// information message go after its time, and is shown only while time is.
#[test]
fn a_tick_moves_the_clock_forms_and_messages() {
    let mut app = app();
    assert!(app.shows_time(), "a list shows ages");
    select(&mut app, "imagenet-train");
    press(&mut app, "L");
    let Some(Overlay::Form(f)) = app.overlays.top() else {
        panic!("load form expected");
    };
    assert_eq!(f.now, now());
    app.flash_info("note".into());
    let later = now() + jiff::SignedDuration::from_secs(9);
    app.dirty = false;
    app.update(Msg::Tick(later), keymap());
    assert_eq!(app.now, later);
    assert!(app.dirty);
    assert!(app.flash.is_none(), "an information message goes after 8 s");
    let Some(Overlay::Form(f)) = app.overlays.top() else {
        panic!("load form expected");
    };
    assert_eq!(f.now, later, "the form's next runs move with the clock");
    // A tick within the same second changes nothing on screen.
    app.dirty = false;
    app.update(
        Msg::Tick(later + jiff::SignedDuration::from_millis(300)),
        keymap(),
    );
    assert!(!app.dirty);
}

/// A write's answer is drawn when it arrives, whoever made the write and whatever it says.
#[test]
fn every_write_answer_marks_the_screen_for_a_frame() {
    let origins = [
        WriteOrigin::Action,
        WriteOrigin::Editor,
        WriteOrigin::LoadForm,
        WriteOrigin::Run(crate::model::ObjectKey::new(
            crate::model::Kind::CacheRuntimeMaintenance,
            "imagenet",
            "nobody-drives-this",
        )),
    ];
    for origin in origins {
        for refused in [false, true] {
            let mut app = app();
            let mut write = Write::dry_run(WriteOp::Delete(crate::model::ObjectKey::new(
                crate::model::Kind::Dataset,
                "imagenet",
                "imagenet-train",
            )));
            write.origin = origin.clone();
            let result = if refused {
                Err(WriteError::Invalid("no".into()))
            } else {
                Ok(crate::cluster::writer::WriteOutcome {
                    object: None,
                    dry_run: true,
                })
            };
            app.dirty = false;
            app.update(Msg::WriteDone { write, result }, keymap());
            assert!(app.dirty, "{origin:?} refused={refused}: not drawn");
        }
    }
}

/// A paste is text for the focused input, never keys: nothing in it confirms, submits or
/// answers a dialog.
#[test]
fn a_pasted_yes_and_line_break_does_not_confirm() {
    let mut a = upgrade_confirming("v0.2.6");
    for text in ["y\n", "y\r", "y", "\n"] {
        let cmds = a.update(Msg::Paste(text.into()), keymap());
        assert!(cmds.is_empty(), "{text:?} sent {cmds:?}");
        assert!(a.asking(), "{text:?} answered the plan's confirmation");
    }
    assert!(a.runs.is_empty(), "no run started");
    // Where a name is to be typed, a paste fills it in but still confirms nothing.
    let delete = Write::new(WriteOp::Delete(crate::model::ObjectKey::new(
        crate::model::Kind::Dataset,
        "imagenet",
        "imagenet-train",
    )));
    a.ask(
        Confirm::then("delete", Vec::new(), confirm::Then::Write(delete)).typed("imagenet-train"),
    );
    let cmds = a.update(Msg::Paste("imagenet-train\n".into()), keymap());
    assert!(cmds.is_empty(), "sent {cmds:?}");
    let Some(Overlay::Confirm(c)) = a.overlays.top() else {
        panic!("the dialog is gone: {:?}", a.overlays.top());
    };
    assert_eq!(c.typed, "imagenet-train");
    assert!(c.ready());
}

/// A paste lands whole in the focused text input, as one change; single-line inputs take it as
/// one line and stay open.
#[test]
fn a_paste_lands_whole_in_the_focused_input() {
    // The filter line: applied as typed, still open.
    let mut a = app();
    press(&mut a, "/");
    a.update(Msg::Paste("imagenet-tr\n".into()), keymap());
    assert!(matches!(a.overlays.top(), Some(Overlay::Filter { .. })));
    assert_eq!(a.list(ViewKind::Runtimes).filter, "imagenet-tr");
    // The command line: the text, not run.
    let mut a = app();
    press(&mut a, ":");
    a.update(Msg::Paste("pods\r\n".into()), keymap());
    assert!(matches!(a.overlays.top(), Some(Overlay::Palette { input, .. }) if input == "pods"));
    assert_eq!(a.screen, Screen::List(ViewKind::Runtimes));
    // A form's field: the text where the cursor is; the form stays on its step.
    let mut a = app();
    select(&mut a, "imagenet-train");
    press(&mut a, "L <Tab> <C-u>");
    a.update(Msg::Paste("my-load\n".into()), keymap());
    assert_eq!(load_form(&a).name.text, "my-load");
    assert_eq!(load_form(&a).step, super::super::load_form::Step::Operation);
    // The maintenance form's tag: the plan follows, nothing is asked.
    let mut a = app();
    select(&mut a, "imagenet-train");
    press(&mut a, "U");
    if let Some(Overlay::Maintenance(f)) = a.overlays.top_mut() {
        f.focus_on(super::super::maintenance_form::Field::Tag);
    }
    press(&mut a, "<C-u>");
    a.update(Msg::Paste("v0.2.6\n".into()), keymap());
    let Some(Overlay::Maintenance(f)) = a.overlays.top() else {
        panic!("the form is gone: {:?}", a.overlays.top());
    };
    assert_eq!(f.tag.text, "v0.2.6");
    assert!(!f.is_stale(), "the plan follows the paste");
    assert!(f.current_plan().is_some(), "{:?}", f.refusal());
    // The editor: every line at the cursor, one change (one undo takes it all back).
    let mut a = editing();
    let before = a.editor.as_ref().unwrap().text();
    let pasted: String = (1..=2500).map(|i| format!("# pasted {i}\r\n")).collect();
    let cmds = a.update(Msg::Paste(pasted), keymap());
    assert!(matches!(cmds[..], [Command::Settle { .. }]), "{cmds:?}");
    let text = a.editor.as_ref().unwrap().text();
    assert_eq!(text.lines().count(), before.lines().count() + 2500);
    assert!(text.starts_with("# pasted 1\n# pasted 2\n"));
    assert!(text.contains("# pasted 2500\n"));
    press(&mut a, "<C-u>");
    assert_eq!(a.editor.as_ref().unwrap().text(), before);
}

/// Going from page to page keeps a bounded way back; the newest screens are the ones kept.
#[test]
fn the_way_back_is_bounded() {
    let mut a = app();
    let page = |i: usize| {
        let key =
            crate::model::ObjectKey::new(crate::model::Kind::Pod, "imagenet", format!("p{i}"));
        Screen::Detail(key)
    };
    let n = super::super::state::MAX_BACK + 50;
    for i in 0..n {
        a.push(page(i));
    }
    assert_eq!(a.back.len(), super::super::state::MAX_BACK);
    press(&mut a, "<Esc>");
    assert_eq!(a.screen, page(n - 2));
}
