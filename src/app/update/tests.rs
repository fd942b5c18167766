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
    assert!(a.flash.as_ref().is_some_and(|f| f.is_error()));
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
    // Enter on the last field asks again; yes records the run and the form goes: hidden while
    // the record's create is in flight, gone once the record exists.
    press(&mut a, "<Enter>");
    assert!(a.asking());
    let write = only_write(press(&mut a, "y"));
    assert!(matches!(write.origin, WriteOrigin::Run(_)));
    assert!(a.overlays.is_empty());
    a.update(
        Msg::WriteDone {
            result: Ok(created(&write)),
            write,
        },
        keymap(),
    );
    assert_eq!(a.overlays.iter().count(), 0);
}

/// The server's answer to a create: the object as sent (a record without its status).
fn created(write: &Write) -> WriteOutcome {
    let WriteOp::Create(m) = &write.op else {
        panic!("not a create: {write:?}")
    };
    WriteOutcome {
        object: crate::model::Object::from_value(m.clone()).unwrap(),
        dry_run: false,
    }
}

/// The API server's RBAC refusal.
fn forbidden() -> WriteError {
    let mut s = kube::core::Status::failure(
        "cacheruntimemaintenances.data.fluid.io is forbidden: User \"dev\" cannot create resource",
        "Forbidden",
    );
    s.code = 403;
    WriteError::Status(Box::new(s))
}

/// The maintenance form anywhere in the overlay stack (shown or waiting).
fn maintenance_form(app: &App) -> &super::super::maintenance_form::MaintenanceForm {
    app.overlays
        .iter()
        .find_map(|o| match o {
            Overlay::Maintenance(f) => Some(&**f),
            _ => None,
        })
        .expect("a maintenance form")
}

#[test]
fn a_refused_start_brings_the_wizard_back_with_its_values_and_the_servers_message() {
    let mut a = upgrade_confirming("v0.2.6");
    let before = maintenance_form(&a).upgrade_request();
    let screen = a.screen.clone();
    let write = only_write(press(&mut a, "y"));
    let WriteOrigin::Run(run) = write.origin.clone() else {
        panic!("not a run's write")
    };
    a.update(
        Msg::WriteDone {
            write,
            result: Err(forbidden()),
        },
        keymap(),
    );
    let Some(Overlay::Maintenance(f)) = a.overlays.top() else {
        panic!("the wizard is back, got {:?}", a.overlays.top());
    };
    assert_eq!(f.upgrade_request(), before, "every value kept");
    let message = f.message.as_deref().unwrap_or_default();
    assert!(message.contains("403 Forbidden") && message.contains("cannot create"));
    assert_eq!(a.screen, screen, "back where the wizard was opened");
    assert!(!a.drives(&run));
    // Enter on the last field asks again, for the same run.
    press(&mut a, "<Enter>");
    assert!(a.asking());
}

/// Quitting while this console drives a run asks first (q and Ctrl-C alike), names the run and
/// what happens to it; yes finishes the write under way (the record's create and its status),
/// then quits. Quit again while waiting leaves at once.
#[test]
fn quitting_while_driving_a_run_asks_and_keeps_the_runs_record() {
    let mut a = upgrade_confirming("v0.2.6");
    let create = only_write(press(&mut a, "y"));
    let WriteOrigin::Run(run) = create.origin.clone() else {
        panic!("not a run's write")
    };
    for key in ["q", "<C-c>"] {
        let cmds = press(&mut a, key);
        assert!(!cmds.contains(&Command::Quit), "{key} quit at once");
        let Some(Overlay::Confirm(c)) = a.overlays.top() else {
            panic!("{key}: no question")
        };
        assert_eq!(c.then, confirm::Then::Quit);
        assert!(c.title.contains(&strings::object_ref(&run)), "{}", c.title);
        let body = c.body.join("\n");
        assert!(body.contains("stop being driven") && body.contains("another console"));
        press(&mut a, "n");
        assert!(a.drives(&run) && !a.quitting);
    }
    press(&mut a, "q");
    let cmds = press(&mut a, "y");
    assert!(
        cmds.is_empty(),
        "the record's create is still under way: {cmds:?}"
    );
    assert!(a.quitting);
    // Nothing new is decided meanwhile.
    assert!(
        a.update(
            Msg::Tick(now() + jiff::SignedDuration::from_secs(5)),
            keymap()
        )
        .is_empty()
    );
    // The record was created without its status: that goes on before the console leaves.
    let status = only_write(a.update(
        Msg::WriteDone {
            result: Ok(created(&create)),
            write: create,
        },
        keymap(),
    ));
    assert!(
        matches!(status.op, WriteOp::MergePatchStatus { .. }),
        "{status:?}"
    );
    let done = Ok(WriteOutcome {
        object: None,
        dry_run: false,
    });
    let cmds = a.update(
        Msg::WriteDone {
            write: status,
            result: done,
        },
        keymap(),
    );
    assert_eq!(cmds, vec![Command::Quit]);
    assert!(!a.drives(&run));
}

/// Switching context drops the runs driven here: it asks first, as quitting does.
#[test]
fn switching_context_while_driving_a_run_asks_first() {
    let mut a = upgrade_confirming("v0.2.6");
    a.contexts = vec!["demo".into(), "prod".into()];
    only_write(press(&mut a, "y"));
    press(&mut a, ":");
    type_text(&mut a, "ctx prod");
    assert!(
        press(&mut a, "<Enter>").is_empty(),
        "switched without a word"
    );
    let Some(Overlay::Confirm(c)) = a.overlays.top() else {
        panic!("no question")
    };
    assert_eq!(c.then, confirm::Then::SwitchContext("prod".into()));
    assert!(c.title.contains("prod") && c.title.contains("CacheRuntimeMaintenance imagenet/"));
    assert_eq!(
        press(&mut a, "y"),
        vec![Command::SwitchContext("prod".into())]
    );
}

#[test]
fn quit_again_while_the_writes_under_way_finish_leaves_at_once() {
    let mut a = upgrade_confirming("v0.2.6");
    only_write(press(&mut a, "y"));
    assert!(press(&mut a, "q y").is_empty());
    assert_eq!(press(&mut a, "q"), vec![Command::Quit]);
}

#[test]
fn quitting_with_no_run_driven_here_does_not_ask() {
    let mut a = app();
    assert_eq!(press(&mut a, "q"), vec![Command::Quit]);
}

/// Under `--readonly` every key that leads to a write is refused before anything opens, and
/// each refusal is handed to the audit log with the action and the object it was about.
#[test]
fn readonly_refusals_are_audited_with_the_action_and_the_object() {
    let mut a = app();
    a.readonly = true;
    select(&mut a, "imagenet-train");
    let runtime = a.selected_object().unwrap();
    for (key, action) in [
        ("e", "spec.edit"),
        ("L", "load.start"),
        ("U", "upgrade.start"),
        ("R", "rebuild.start"),
        ("<Delete>", "object.delete"),
    ] {
        let cmds = press(&mut a, key);
        let expected = Command::Audit(crate::cluster::writer::RefusedAttempt {
            action: action.into(),
            object: Some(runtime.clone()),
        });
        assert_eq!(cmds, vec![expected], "{key}");
        assert!(
            a.overlays.is_empty() && a.editor.is_none(),
            "{key} opened something"
        );
        assert_eq!(a.flash.as_ref().unwrap().text, strings::READONLY_REFUSED);
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    let guard = crate::cluster::writer::Guarded::new(
        Box::new(crate::demo::writer::DemoWriter::new(std::sync::Arc::new(
            std::sync::Mutex::new(DemoCluster::builtin(7, now())),
        ))),
        true,
        Some(log.clone()),
    );
    for cmd in press(&mut a, "R") {
        if let Command::Audit(attempt) = cmd {
            guard.audit_refused(&attempt);
        }
    }
    let line: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&log).unwrap().trim()).unwrap();
    assert_eq!(line["verb"], "rebuild.start");
    assert_eq!(line["object"], runtime.to_string());
    assert_eq!(line["outcome"], "refused (read-only)");
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
    assert!(
        flash.is_error() && flash.text.contains("said no"),
        "{flash:?}"
    );
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

mod write_paths;
fn tick(app: &mut App, secs: i64) {
    let at = app.now + jiff::SignedDuration::from_secs(secs);
    app.update(Msg::Tick(at), keymap());
}

/// Every footer message goes by itself: a refusal (a warning) and information after 8 s, an
/// error after 20 s; none stays for good over the key hints.
#[test]
fn every_message_goes_after_its_time() {
    let mut app = app();
    press(&mut app, ": p o d s <Enter>");
    press(&mut app, "e");
    let flash = app
        .flash
        .clone()
        .expect("a pod cannot be edited: a warning");
    assert_eq!(flash.level, Level::Warning, "{flash:?}");
    assert!(
        app.shows_time(),
        "the clock ticks while a message waits to go"
    );
    tick(&mut app, 7);
    assert!(app.flash.is_some(), "still up after 7 s");
    tick(&mut app, 1);
    assert_eq!(app.flash, None, "a warning goes after 8 s");

    app.flash_error("the write failed");
    tick(&mut app, 19);
    assert!(app.flash.is_some(), "an error stays longer");
    tick(&mut app, 1);
    assert_eq!(app.flash, None, "an error goes after 20 s");

    app.notice("from the loop".into(), true);
    tick(&mut app, 20);
    assert_eq!(app.flash, None, "errors from the run loop go too");
}

/// A message about one view goes when the operator moves to another; one raised by the move
/// itself (the answer that opens a page) stays.
#[test]
fn changing_the_view_clears_a_message_about_the_previous_one() {
    let mut app = app();
    press(&mut app, ": p o d s <Enter>");
    press(&mut app, "e");
    assert!(app.flash.is_some());
    press(&mut app, "j");
    assert!(app.flash.is_some(), "moving within the view keeps it");
    press(&mut app, ": o p s <Enter>");
    assert_eq!(app.flash, None, "the pods view's message went with it");

    press(&mut app, "l");
    let op = app.selected_object().expect("an operation").name;
    assert_eq!(
        app.flash.as_ref().map(|f| f.text.clone()),
        Some(strings::no_loader_pod(&op))
    );
    press(&mut app, "<Enter>");
    assert!(matches!(app.screen, Screen::Detail(_)));
    assert_eq!(app.flash, None, "opening a page clears it too");

    // A message raised by the same key that changes the screen stays.
    press(&mut app, "<Esc>");
    app.flash_warn("about the ops view");
    type_text(&mut app, ":pods imagenet");
    press(&mut app, "<Enter>");
    assert_eq!(app.screen, Screen::List(ViewKind::Pods));
    assert!(
        app.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("namespace")),
        "{:?}",
        app.flash
    );
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
