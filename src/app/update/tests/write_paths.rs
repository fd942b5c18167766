//! Every write the console can make, asked for from wherever the operator is (any view, row,
//! detail pane and line under the cursor, with a run recorded by another console or driven by
//! this one), as properties over generated paths on the demo cluster:
//! - the object the confirmation's title names is exactly the object the write targets (kind,
//!   namespace, name), it is the object the operator was on, and yes sends exactly that;
//! - a refused write (403, 409, 422, the connection lost) leaves the operator in their form (the
//!   data-operation form, the upgrade or rebuild wizard, the editor) with every value kept and
//!   the server's message shown, or shows the message in the footer for a one-off action or a
//!   run's write;
//! - under `--readonly` nothing that leads to a write opens, and every refusal is audited.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::app::confirm::Then;
use crate::app::maintenance_form::{Field, MaintenanceForm, target_of};
use crate::cluster::source::OperatorAction;
use crate::cluster::writer::{Guarded, WriteFuture, Writer};
use crate::cluster::{ClusterEvent, ConnectionState};
use crate::demo::writer::DemoWriter;
use crate::model::{Kind, ObjectKey};
use crate::workflows::machine;

// ------------------------------------------------------------------ refusals

/// How the cluster refuses a write.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Forbidden,
    Conflict,
    Invalid,
    ConnectionLost,
}

impl Refusal {
    const ALL: [Refusal; 4] = [
        Refusal::Forbidden,
        Refusal::Conflict,
        Refusal::Invalid,
        Refusal::ConnectionLost,
    ];

    fn error(self) -> WriteError {
        let status = |code: u16, reason: &str| {
            let mut s = kube::core::Status::failure(self.message(), reason);
            s.code = code;
            WriteError::Status(Box::new(s))
        };
        match self {
            Refusal::Forbidden => status(403, "Forbidden"),
            Refusal::Conflict => status(409, "Conflict"),
            Refusal::Invalid => status(422, "Invalid"),
            Refusal::ConnectionLost => WriteError::Transport(self.message().into()),
        }
    }

    /// What the operator must be shown of the refusal.
    fn message(self) -> &'static str {
        match self {
            Refusal::Forbidden => "User \"dev\" cannot do this here",
            Refusal::Conflict => "the object has been modified; apply to the latest version",
            Refusal::Invalid => "spec.something: Invalid value",
            Refusal::ConnectionLost => "connection reset by peer",
        }
    }
}

/// The demo cluster's writer, refusing every write (dry runs too, when said) while a refusal
/// is set.
struct Faulty {
    inner: DemoWriter,
    refuse: Option<(WriteError, bool)>,
}

impl Writer for Faulty {
    fn write<'a>(&'a self, w: &'a Write) -> WriteFuture<'a> {
        match &self.refuse {
            Some((e, dry_runs_too)) if !w.dry_run || *dry_runs_too => {
                let e = e.clone();
                Box::pin(async move { Err(e) })
            }
            _ => self.inner.write(w),
        }
    }
}

// ------------------------------------------------------------------ a console

/// A run on the demo cluster before the operator acts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum RunSetup {
    None,
    /// Started by another console, which went away.
    Elsewhere,
    /// Started and driven by this console.
    Here,
    /// Started by this console from the wizard with "confirm each step": it asks before each.
    HereStepByStep,
}

/// One console on the demo cluster, its writes sent through the guarded writer (with a fault
/// when one is set) and answered back, its refusals audited.
struct Console {
    app: App,
    cluster: Arc<Mutex<DemoCluster>>,
    writer: Guarded,
    audit: PathBuf,
    /// Writes sent through the writer.
    sent: usize,
    _dir: tempfile::TempDir,
}

fn connected_app(cluster: &Arc<Mutex<DemoCluster>>) -> App {
    let mut app = App::new("demo", now());
    let mut events = vec![ClusterEvent::Connection(ConnectionState::Connected)];
    events.extend(cluster.lock().unwrap().initial_events());
    app.update(Msg::Cluster { at: now(), events }, keymap());
    app
}

/// Sends every write among `cmds` (and those their answers lead to) through `writer`; returns
/// the other commands.
fn pump(app: &mut App, writer: &Guarded, cmds: Vec<Command>, sent: &mut usize) -> Vec<Command> {
    let mut todo = cmds;
    let mut rest = Vec::new();
    while !todo.is_empty() {
        match todo.remove(0) {
            Command::Write(w) => {
                *sent += 1;
                let result = futures::executor::block_on(writer.write(&w));
                todo.extend(app.update(Msg::WriteDone { write: w, result }, keymap()));
            }
            Command::Audit(attempt) => {
                writer.audit_refused(&attempt);
                rest.push(Command::Audit(attempt));
            }
            other => rest.push(other),
        }
    }
    rest
}

impl Console {
    fn new(run: RunSetup, secs: u64, readonly: bool) -> Console {
        let cluster = Arc::new(Mutex::new(DemoCluster::builtin(7, now())));
        cluster.lock().unwrap().set_random_failures(false);
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("audit.log");
        let mut c = Console {
            app: connected_app(&cluster),
            writer: Guarded::new(
                Box::new(DemoWriter::new(cluster.clone())),
                false,
                Some(audit.clone()),
            ),
            cluster,
            audit,
            sent: 0,
            _dir: dir,
        };
        let mut other = (run == RunSetup::Elsewhere).then(|| connected_app(&c.cluster));
        if run == RunSetup::HereStepByStep {
            c.start_step_by_step();
        } else if run != RunSetup::None {
            let starter = other.as_mut().unwrap_or(&mut c.app);
            let start = OperatorAction::StartUpgrade {
                runtime: ObjectKey::new(Kind::CacheRuntime, "imagenet", "imagenet-train"),
                image: "curvine/curvine".into(),
                image_tag: "v0.2.6".into(),
            };
            let mut cmds = starter.update(Msg::Operator(start), keymap());
            cmds.extend(starter.update(Msg::Operator(OperatorAction::Confirm), keymap()));
            let mut n = 0;
            pump(starter, &c.writer, cmds, &mut n);
        }
        // The run goes on a while (driven by whoever started it); the other console then goes.
        for _ in 0..secs {
            let (events, at) = {
                let mut cl = c.cluster.lock().unwrap();
                (cl.advance(Duration::from_secs(1)), cl.now())
            };
            let mut n = 0;
            for app in std::iter::once(&mut c.app).chain(other.as_mut()) {
                let cmds = app.update(
                    Msg::Cluster {
                        at,
                        events: events.clone(),
                    },
                    keymap(),
                );
                pump(app, &c.writer, cmds, &mut n);
            }
        }
        c.app.readonly = readonly;
        c.set_fault(None);
        c.app.flash = None;
        c
    }

    /// Plans an upgrade of imagenet-train in the wizard with "confirm each step", and confirms.
    fn start_step_by_step(&mut self) {
        let app = &mut self.app;
        select(app, "imagenet-train");
        press(app, "U");
        let f = top_maintenance(app).expect("the upgrade wizard");
        f.focus_on(Field::Tag);
        press(app, "<C-u>");
        type_text(app, "v0.2.6");
        top_maintenance(app)
            .unwrap()
            .focus_on(Field::ConfirmEachStep);
        press(app, "<Space>");
        while !app.asking() {
            press(app, "<Enter>");
        }
        self.press("y");
        self.app.act(Action::ViewOpen(ViewKind::Runtimes));
        self.app.back.clear();
    }

    /// From now on the cluster refuses every write with `refusal` (dry runs too, when said).
    fn set_fault(&mut self, refuse: Option<(WriteError, bool)>) {
        let inner = DemoWriter::new(self.cluster.clone());
        self.writer = Guarded::new(
            Box::new(Faulty { inner, refuse }),
            self.app.readonly,
            Some(self.audit.clone()),
        );
    }

    fn send(&mut self, cmds: Vec<Command>) -> Vec<Command> {
        pump(&mut self.app, &self.writer, cmds, &mut self.sent)
    }

    fn press(&mut self, keys: &str) -> Vec<Command> {
        let cmds = press(&mut self.app, keys);
        self.send(cmds)
    }

    fn audit_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.audit)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn dialog(&self) -> Option<&confirm::Confirm> {
        match self.app.overlays.top() {
            Some(Overlay::Confirm(c)) => Some(c),
            _ => None,
        }
    }
}

// ------------------------------------------------------------------ where the operator is

/// A place in the console: a list view and row, and optionally the row's detail page, a pane
/// and a line in it.
#[derive(Debug, Clone)]
struct Place {
    view: ViewKind,
    row: prop::sample::Index,
    detail: bool,
    pane: usize,
    line: usize,
}

const VIEWS: [ViewKind; 6] = [
    ViewKind::Runtimes,
    ViewKind::Pods,
    ViewKind::Ops,
    ViewKind::Datasets,
    ViewKind::Classes,
    ViewKind::Maintenance,
];

/// Anywhere, half of the time; else where `key` does something (its objects' view, a run's
/// page), so that every kind of write is reached often.
fn place(key: WriteKey) -> impl Strategy<Value = Place> {
    let views = prop_oneof![
        prop::sample::select(VIEWS.to_vec()),
        prop::sample::select(key.views()),
    ];
    let detail = prop_oneof![any::<bool>(), Just(key.on_run_page())];
    (
        views,
        any::<prop::sample::Index>(),
        detail,
        0..6usize,
        0..10usize,
    )
        .prop_map(|(view, row, detail, pane, line)| Place {
            view,
            row,
            detail,
            pane,
            line,
        })
}

fn go(c: &mut Console, p: &Place) {
    c.app.act(Action::ViewOpen(p.view));
    let rows = c.app.table(p.view).rows.len();
    for _ in 0..p.row.index(rows.max(1)) {
        press(&mut c.app, "j");
    }
    if p.detail {
        press(&mut c.app, "<Enter>");
        for _ in 0..p.pane {
            press(&mut c.app, "<Tab>");
        }
        for _ in 0..p.line {
            press(&mut c.app, "j");
        }
    }
    c.app.flash = None;
}

/// A key that leads to a write.
#[derive(Debug, Clone, Copy, PartialEq)]
enum WriteKey {
    Delete,
    Rerun,
    Load,
    Upgrade,
    Rebuild,
    Edit,
    /// On a run's page: answer it, take it over, retry, resume.
    RunNext,
    RunPause,
    RunAbort,
}

impl WriteKey {
    const ALL: [WriteKey; 9] = [
        WriteKey::Delete,
        WriteKey::Rerun,
        WriteKey::Load,
        WriteKey::Upgrade,
        WriteKey::Rebuild,
        WriteKey::Edit,
        WriteKey::RunNext,
        WriteKey::RunPause,
        WriteKey::RunAbort,
    ];

    fn keys(self) -> &'static str {
        match self {
            WriteKey::Delete => "<Delete>",
            WriteKey::Rerun => "O",
            WriteKey::Load => "L",
            WriteKey::Upgrade => "U",
            WriteKey::Rebuild => "R",
            WriteKey::Edit => "e",
            WriteKey::RunNext => "<Enter>",
            WriteKey::RunPause => "p",
            WriteKey::RunAbort => "<C-a>",
        }
    }

    fn action(self) -> Action {
        match self {
            WriteKey::Delete => Action::ObjectDelete,
            WriteKey::Rerun => Action::OpRerun,
            WriteKey::Load => Action::LoadStart,
            WriteKey::Upgrade => Action::UpgradeStart,
            WriteKey::Rebuild => Action::RebuildStart,
            WriteKey::Edit => Action::SpecEdit,
            WriteKey::RunNext => Action::WizardNext,
            WriteKey::RunPause => Action::WizardPause,
            WriteKey::RunAbort => Action::WizardAbort,
        }
    }

    /// The views of the objects the key acts on.
    fn views(self) -> Vec<ViewKind> {
        match self {
            WriteKey::Delete => vec![ViewKind::Ops, ViewKind::Maintenance],
            WriteKey::Rerun => vec![ViewKind::Ops],
            WriteKey::Load => vec![ViewKind::Runtimes, ViewKind::Datasets],
            WriteKey::Upgrade | WriteKey::Rebuild => {
                vec![ViewKind::Runtimes, ViewKind::Pods, ViewKind::Datasets]
            }
            WriteKey::Edit => VIEWS.to_vec(),
            _ => vec![ViewKind::Maintenance],
        }
    }

    fn on_run_page(self) -> bool {
        matches!(
            self,
            WriteKey::RunNext | WriteKey::RunPause | WriteKey::RunAbort
        )
    }
}

fn write_key() -> impl Strategy<Value = WriteKey> {
    prop::sample::select(WriteKey::ALL.to_vec())
}

fn run_setup() -> impl Strategy<Value = (RunSetup, u64)> {
    let setups = prop::sample::select(vec![
        RunSetup::None,
        RunSetup::Elsewhere,
        RunSetup::Here,
        RunSetup::HereStepByStep,
    ]);
    (setups, 0..40u64)
}

/// A key, where it is pressed, and the run on the cluster then.
fn path() -> impl Strategy<Value = (WriteKey, Place, (RunSetup, u64))> {
    write_key().prop_flat_map(|key| (Just(key), place(key), run_setup()))
}

/// What the operator was on when they pressed the key: the selection, the page, and the runtime
/// (and pod) an upgrade or rebuild is about, as the screen shows them.
#[derive(Debug, Clone)]
struct Before {
    selected: Option<ObjectKey>,
    screen: Screen,
    run_page: Option<ObjectKey>,
}

impl Before {
    fn of(app: &App) -> Before {
        Before {
            selected: app.selected_object(),
            screen: app.screen.clone(),
            run_page: app.run_page(),
        }
    }

    /// What `L` (`pods` false) and `U`/`R` are about: the selection when it is a runtime or
    /// a dataset (or a pod), else, on a detail page, the page's own object.
    fn runtime_selection(&self, pods: bool) -> Option<ObjectKey> {
        let sel = self.selected.clone()?;
        Some(match (&self.screen, sel.kind) {
            (_, Kind::CacheRuntime | Kind::Dataset) => sel,
            (_, Kind::Pod) if pods => sel,
            (Screen::Detail(page), _) => page.clone(),
            _ => sel,
        })
    }

    /// The runtime and pod `U`/`R` are about.
    fn maintenance_target(&self, app: &App) -> Option<(ObjectKey, Option<String>)> {
        target_of(&app.store, &self.runtime_selection(true)?).ok()
    }
}

// ------------------------------------------------------------------ walking to the dialog

fn top_maintenance(app: &mut App) -> Option<&mut MaintenanceForm> {
    match app.overlays.top_mut() {
        Some(Overlay::Maintenance(f)) => Some(f),
        _ => None,
    }
}

/// Walks what the key opened to its confirmation, as an operator would: a data-operation form
/// and a wizard go on with Enter (an upgrade gets a tag nothing runs yet, a rebuild with nothing
/// ticked gets its first pod, a fuse pod its confirmation), the editor asks for its review. Returns
/// whether a confirmation is on top.
fn to_confirmation(c: &mut Console) -> bool {
    if c.app.editor.is_some() && c.app.overlays.is_empty() {
        c.press("<C-s>");
    }
    if let Some(f) = top_maintenance(&mut c.app) {
        if f.is_upgrade() {
            f.focus_on(Field::Tag);
            press(&mut c.app, "<C-u>");
            type_text(&mut c.app, "v9.9.9");
        } else if !f.pods.iter().any(|p| p.ticked) {
            f.focus_on(Field::Pod(0));
            press(&mut c.app, "<Space>");
        }
        if let Some(f) = top_maintenance(&mut c.app)
            && f.fields().contains(&Field::ClientConfirm)
            && !f.client_confirmed
        {
            f.focus_on(Field::ClientConfirm);
            press(&mut c.app, "<Space>");
        }
    }
    for _ in 0..40 {
        match c.app.overlays.top() {
            Some(Overlay::Confirm(_)) => return true,
            Some(Overlay::Form(_) | Overlay::Maintenance(_)) => {
                let before = c.app.overlays.clone();
                c.press("<Enter>");
                if c.app.overlays == before {
                    // Refused where it stands (a field error, the planner's refusal).
                    return false;
                }
            }
            _ => return false,
        }
    }
    false
}

/// Every `Kind namespace/name` (`Kind name` for a cluster-wide kind) a title names.
fn refs_in(text: &str) -> Vec<ObjectKey> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let word = format!("{kind} ");
        for (at, _) in text.match_indices(&word) {
            let starts_word = text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            if !starts_word {
                continue;
            }
            let token: String = text[at + word.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '/' | '_'))
                .collect();
            let token = token.trim_end_matches('.');
            let key = match token.split_once('/') {
                Some((ns, name)) if kind.namespaced() => ObjectKey::new(kind, ns, name),
                None if !kind.namespaced() => ObjectKey::new(kind, "", token),
                _ => continue,
            };
            out.push(key);
        }
    }
    out
}

/// Says yes to the dialog on top: `y`, or the name typed where the dialog asks for it.
fn say_yes(app: &mut App) -> Vec<Command> {
    match app.overlays.top() {
        Some(Overlay::Confirm(c)) if c.type_to_confirm.is_some() => {
            let name = c.type_to_confirm.clone().unwrap_or_default();
            type_text(app, &name);
            press(app, "<Enter>")
        }
        _ => press(app, "y"),
    }
}

/// The write the dialog's yes sends (the plan's record create for a plan), from the commands.
fn sent_writes(cmds: &[Command]) -> Vec<Write> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Write(w) => Some(w.clone()),
            _ => None,
        })
        .collect()
}

/// The dialog names exactly the object its yes writes to, that object is the one the operator
/// was on, and yes sends exactly that.
fn check_dialog(c: &mut Console, key: WriteKey, before: &Before) -> Result<(), TestCaseError> {
    let dialog = c.dialog().expect("a dialog").clone();
    let target = dialog.then.target();
    prop_assert!(target.is_some(), "a dialog about nothing: {}", dialog.title);
    let target = target.unwrap();
    prop_assert_eq!(
        refs_in(&dialog.title),
        vec![target.clone()],
        "title {:?}",
        dialog.title
    );
    let sel = before.selected.clone();
    match key {
        WriteKey::Delete | WriteKey::Edit => prop_assert_eq!(Some(&target), sel.as_ref()),
        WriteKey::Rerun => {
            let sel = sel.expect("a selection");
            prop_assert_eq!((target.kind, &target.namespace), (sel.kind, &sel.namespace));
            let prefix = format!("{}-rerun-", sel.name);
            prop_assert!(target.name.starts_with(&prefix), "{}", target.name);
        }
        WriteKey::Load => {
            let on = before
                .runtime_selection(false)
                .expect("a runtime or dataset");
            prop_assert!(matches!(target.kind, Kind::Operation(_)));
            prop_assert_eq!(&target.namespace, &on.namespace);
        }
        WriteKey::Upgrade | WriteKey::Rebuild => {
            let (runtime, pod) = before.maintenance_target(&c.app).expect("a runtime");
            prop_assert_eq!(&target, &runtime);
            let Then::Start(plan) = &dialog.then else {
                return Err(TestCaseError::fail("a plan's dialog starts a run"));
            };
            if let (Some(pod), Some(rb)) = (pod, plan.record.spec.rebuild.as_ref()) {
                // Opened on a pod: only that pod, and the title says which.
                prop_assert_eq!(&rb.pods, &vec![pod.clone()]);
                let named = format!("pod {pod} ");
                prop_assert!(dialog.title.contains(&named), "{}", dialog.title);
            }
        }
        WriteKey::RunNext | WriteKey::RunPause | WriteKey::RunAbort => {
            prop_assert_eq!(Some(&target), before.run_page.as_ref());
        }
    }
    // Yes sends exactly what the dialog named.
    let cmds = say_yes(&mut c.app);
    let writes = sent_writes(&cmds);
    match &dialog.then {
        Then::Write(w) => prop_assert_eq!(&writes, &vec![w.clone()]),
        Then::Start(plan) => {
            prop_assert_eq!(writes.len(), 1);
            let WriteOp::Create(m) = &writes[0].op else {
                return Err(TestCaseError::fail("a run starts with its record's create"));
            };
            prop_assert_eq!(
                m["spec"]["runtimeName"].as_str(),
                Some(target.name.as_str())
            );
            prop_assert_eq!(
                m["metadata"]["namespace"].as_str(),
                Some(target.namespace.as_str())
            );
            prop_assert_eq!(
                &m["spec"],
                &serde_json::to_value(&plan.record.spec).unwrap()
            );
        }
        Then::Run { run, .. } | Then::TakeOver(run) => {
            for w in &writes {
                prop_assert_eq!(&w.origin, &WriteOrigin::Run(run.clone()));
            }
        }
        Then::Quit | Then::SwitchContext(_) => {}
    }
    Ok(())
}

/// The values of the form or editor the write is asked from, to compare after a refusal.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    Load(serde_json::Value),
    Upgrade(crate::workflows::plan::UpgradeRequest),
    Rebuild(crate::workflows::plan::RebuildRequest),
    Editor(String),
    None,
}

fn values(app: &App) -> Values {
    if let Some(ed) = app.editor.as_deref() {
        return Values::Editor(ed.text());
    }
    let layers: Vec<&Overlay> = app.overlays.iter().collect();
    for o in layers.into_iter().rev() {
        match o {
            Overlay::Form(f) => return Values::Load(f.manifest()),
            Overlay::Maintenance(f) if f.is_upgrade() => {
                return Values::Upgrade(f.upgrade_request());
            }
            Overlay::Maintenance(f) => return Values::Rebuild(f.rebuild_request()),
            _ => {}
        }
    }
    Values::None
}

/// After a refused write: back in the form with every value, the server's message shown; for
/// a one-off action or a run's write, the message in the footer.
fn check_refused(c: &Console, kept: &Values, refusal: Refusal) -> Result<(), TestCaseError> {
    let msg = refusal.message();
    let flash = c.app.flash.clone().map(|f| f.text).unwrap_or_default();
    match kept {
        Values::Editor(text) => {
            let ed = c.app.editor.as_deref().expect("the editor stays");
            prop_assert_eq!(&ed.text(), text);
            prop_assert!(
                ed.server_errors.join("\n").contains(msg),
                "{:?}",
                ed.server_errors
            );
        }
        Values::None => prop_assert!(flash.contains(msg), "footer {:?}", flash),
        kept => {
            prop_assert_eq!(&values(&c.app), kept);
            let message = match c.app.overlays.top() {
                Some(Overlay::Form(f)) => f.message.clone(),
                Some(Overlay::Maintenance(f)) => f.message.clone(),
                other => {
                    return Err(TestCaseError::fail(format!("no form back: {other:?}")));
                }
            };
            let message = message.unwrap_or_default();
            prop_assert!(message.contains(msg), "form message {:?}", message);
        }
    }
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Whatever the operator is on, the dialog of a write names exactly what the write
    /// targets, which is what they were on; yes sends exactly that.
    #[test]
    fn a_dialog_names_exactly_what_its_write_targets((key, place, (run, secs)) in path()) {
        let mut c = Console::new(run, secs, false);
        go(&mut c, &place);
        let before = Before::of(&c.app);
        c.press(key.keys());
        let about = before.maintenance_target(&c.app);
        if let Some(Overlay::Maintenance(f)) = c.app.overlays.top() {
            // The form says what it is about before anything is planned.
            let (runtime, pod) = about.expect("a runtime");
            let title = f.title();
            match &pod {
                Some(pod) if !f.is_upgrade() => {
                    prop_assert!(title.contains(&format!("pod {pod} ")), "{}", title);
                    let ticked: Vec<&str> =
                        f.pods.iter().filter(|p| p.ticked).map(|p| p.name.as_str()).collect();
                    prop_assert_eq!(ticked, vec![pod.as_str()]);
                }
                _ => prop_assert!(
                    title.contains(&format!("CacheRuntime {}/{}", runtime.namespace, runtime.name)),
                    "{}", title
                ),
            }
        }
        if to_confirmation(&mut c) {
            check_dialog(&mut c, key, &before)?;
        }
    }

    /// A refused write (403, 409, 422, the connection lost) keeps the operator's values where
    /// they were typed and shows the server's message.
    #[test]
    fn a_refused_write_keeps_the_values_and_shows_the_message(
        (key, place, (run, secs)) in path(),
        refusal in prop::sample::select(Refusal::ALL.to_vec()),
        dry_runs_too in any::<bool>(),
    ) {
        let mut c = Console::new(run, secs, false);
        go(&mut c, &place);
        c.press(key.keys());
        if key == WriteKey::Edit && c.app.editor.is_some() && dry_runs_too {
            // The editor's dry run refused: the buffer and the message stay.
            let kept = values(&c.app);
            c.set_fault(Some((refusal.error(), true)));
            c.press("<C-s>");
            if c.sent > 0 {
                check_refused(&c, &kept, refusal)?;
            }
            return Ok(());
        }
        if !to_confirmation(&mut c) {
            return Ok(());
        }
        let kept = values(&c.app);
        c.set_fault(Some((refusal.error(), dry_runs_too)));
        let sent = c.sent;
        let cmds = say_yes(&mut c.app);
        c.send(cmds);
        if c.sent > sent {
            check_refused(&c, &kept, refusal)?;
        }
    }

    /// Under `--readonly` no key that leads to a write opens anything or sends anything; each
    /// refusal says why and is in the audit log with the action and the object.
    #[test]
    fn every_readonly_refusal_is_audited((key, place, (run, secs)) in path()) {
        // A read-only console drives nothing: any run was started elsewhere.
        let run = if run == RunSetup::None { run } else { RunSetup::Elsewhere };
        let mut c = Console::new(run, secs, true);
        go(&mut c, &place);
        let before = Before::of(&c.app);
        let active_run = before
            .run_page
            .as_ref()
            .and_then(|k| c.app.run_record(k))
            .is_some_and(machine::is_active);
        let logged = c.audit_lines().len();
        let cmds = c.press(key.keys());
        prop_assert_eq!(c.sent, 0, "nothing is sent");
        prop_assert!(c.app.editor.is_none());
        prop_assert!(!matches!(
            c.app.overlays.top(),
            Some(Overlay::Confirm(_) | Overlay::Form(_) | Overlay::Maintenance(_))
        ));
        let refused = !key.on_run_page() || active_run;
        let audits: Vec<&Command> =
            cmds.iter().filter(|c| matches!(c, Command::Audit(_))).collect();
        if !refused {
            prop_assert!(audits.is_empty());
            return Ok(());
        }
        prop_assert_eq!(audits.len(), 1, "{:?}", cmds);
        let flash = c.app.flash.clone().expect("says why");
        prop_assert!(flash.level == crate::app::state::Level::Warning && flash.text.contains("--readonly"), "{:?}", flash);
        let lines = c.audit_lines();
        prop_assert_eq!(lines.len(), logged + 1);
        let line = &lines[logged];
        prop_assert_eq!(line["verb"].as_str(), Some(key.action().id()));
        prop_assert_eq!(line["outcome"].as_str(), Some("refused (read-only)"));
        let object = if key.on_run_page() {
            before.run_page.clone()
        } else if matches!(key, WriteKey::Upgrade | WriteKey::Rebuild) {
            before.runtime_selection(true)
        } else if key == WriteKey::Load {
            before.runtime_selection(false)
        } else {
            before.selected.clone()
        };
        let object = object.map(|k| k.to_string()).unwrap_or_default();
        prop_assert_eq!(line["object"].as_str(), Some(object.as_str()));
    }
}
