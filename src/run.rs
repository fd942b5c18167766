//! The interactive loop: terminal events, source batches and signals in; state updates and
//! frames out. Frames are drawn only when something visible changed, after draining every
//! pending message — every terminal event already read and every source batch (bursts
//! coalesce into one frame; a paste typed as keys lands whole) — and at most every FRAME_GAP.

use std::sync::Arc;
use std::time::Duration;

use color_eyre::Result;
use crossterm::event::Event as TermEvent;
use tokio::sync::mpsc;

use crate::app::strings;
use crate::app::{App, Command, Msg};
use crate::cli::GlobalArgs;
use crate::cluster::kube_config::{self, Target};
use crate::cluster::kube_source::{KubeSource, KubeSourceOptions};
use crate::cluster::source::{Clock, Source, SourceMsg};
use crate::cluster::writer::{Guarded, Writer};
use crate::config::{Env, Keymap, Theme};
use crate::term::{self, InputReader, Tui};
use crate::ui::{self, Ctx};

/// Set in tests to check that a panic restores the terminal.
const TEST_PANIC_ENV: &str = "FLUIDOPS_TEST_PANIC";

/// Minimum time between two frames.
const FRAME_GAP: Duration = Duration::from_millis(33);

pub struct Session<'a> {
    /// Swapped when `:ctx` moves to a context with its own theme rule.
    pub theme: Theme,
    pub keymap: &'a Keymap,
    pub demo: bool,
    pub mouse: bool,
    /// The cluster watched: the kube watchers or the demo cluster.
    pub source: Box<dyn Source>,
    /// The one writer every confirmed write goes through (read-only refusal, audit log).
    pub writer: Arc<Guarded>,
    /// What `:ctx NAME` needs to connect elsewhere; `None` on the demo cluster.
    pub switch: Option<ContextSwitch>,
    /// The API server a shell (`s`) runs through; `None` on the demo cluster (its shell is
    /// simulated).
    pub exec: Option<kube::Client>,
}

impl<'a> Session<'a> {
    /// A session on `source` with the set-up's theme, keymap and mouse; no context switch and
    /// no exec (the kube console adds both).
    pub fn new(
        s: &'a crate::setup::Setup,
        source: Box<dyn Source>,
        writer: Arc<Guarded>,
        demo: bool,
    ) -> Session<'a> {
        Session {
            theme: s.theme.clone(),
            keymap: &s.keymap,
            demo,
            mouse: s.mouse,
            source,
            writer,
            switch: None,
            exec: None,
        }
    }
}

/// The flags and environment a context switch resolves the new context with.
pub struct ContextSwitch {
    pub global: GlobalArgs,
    pub env: Env,
}

impl ContextSwitch {
    /// Resolves `context` in the kubeconfig and checks that its API server answers.
    async fn connect(
        global: GlobalArgs,
        env: Env,
        context: String,
    ) -> Result<(Target, kube::Client), String> {
        let global = GlobalArgs {
            context: Some(context),
            ..global
        };
        let target = kube_config::load(&global, &env).await?;
        let (client, _version) = kube_config::connect(&target, kube_config::REACH_TIMEOUT).await?;
        Ok((target, client))
    }
}

/// The kube source's options for a context: the namespace shown (else the context's) is the
/// one watched with `-n` and the one a forbidden cluster-wide list falls back to.
pub fn source_options(
    global: &GlobalArgs,
    shown: Option<&str>,
    target: &Target,
    log_file: Option<std::path::PathBuf>,
) -> KubeSourceOptions {
    KubeSourceOptions {
        namespace: Some(shown.unwrap_or(&target.namespace).to_string()),
        only_namespace: global.namespace.is_some() && !global.all_namespaces,
        log_file,
    }
}

fn term_msg(ev: TermEvent) -> Option<Msg> {
    match ev {
        TermEvent::Key(k) => Some(Msg::Key(k)),
        TermEvent::Paste(text) => Some(Msg::Paste(text)),
        TermEvent::Mouse(m) => Some(Msg::Mouse(m)),
        TermEvent::Resize(..) => Some(Msg::Resize),
        _ => None,
    }
}

/// Every terminal event already read, in order, onto `msgs`. Stops at an error (returned).
fn drain_input(input: &mut InputReader, msgs: &mut Vec<Msg>) -> std::io::Result<()> {
    while let Some(ev) = input.try_next() {
        msgs.extend(term_msg(ev?));
    }
    Ok(())
}

/// Takes the terminal, runs the console on `session` until it quits, and gives the terminal
/// back (also when the run fails).
pub async fn in_terminal(
    app: &mut App,
    session: Session<'_>,
    source: mpsc::UnboundedReceiver<SourceMsg>,
) -> Result<()> {
    let mut terminal = term::enter(session.mouse)?;
    let r = run(&mut terminal, app, session, source).await;
    term::restore();
    r
}

pub async fn run(
    terminal: &mut Tui,
    app: &mut App,
    mut session: Session<'_>,
    mut source: mpsc::UnboundedReceiver<SourceMsg>,
) -> Result<()> {
    let clock = session.source.clock();
    let mut input = InputReader::start();
    let mut caption: Option<String> = None;
    #[cfg(unix)]
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    #[cfg(unix)]
    let mut sighup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut source_open = true;
    // Answers of writes in flight come back here.
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Msg>();
    // Context switches that connected (or failed to) come back here.
    type Switched = Result<(Target, kube::Client), String>;
    let (switch_tx, mut switch_rx) = mpsc::unbounded_channel::<Switched>();
    // The namespace the kube source was last told about.
    let mut source_ns = app.namespace.clone();
    loop {
        // The rows of large views are throttled against the loop's reading of the clock.
        app.views.get_mut().at = std::time::Instant::now();
        if app.dirty {
            let ctx = Ctx {
                theme: &session.theme,
                keymap: session.keymap,
                demo: session.demo,
                caption: caption.as_deref(),
            };
            let mut layout = app.layout;
            terminal.draw(|f| layout = ui::draw(f, app, &ctx))?;
            app.layout = layout;
            app.dirty = false;
            if std::env::var_os(TEST_PANIC_ENV).is_some() {
                panic!("forced panic for testing");
            }
            tokio::time::sleep(FRAME_GAP).await;
        }
        let mut msgs: Vec<Msg> = Vec::new();
        // A large view drawn with rows older than the store is drawn again when they are due.
        let catch_up = app.views.borrow_mut().take_deferred();
        // On the wall clock, the app is told the time at each new second while it shows
        // something that moves with it (a frame whose cells did not change writes nothing).
        let tick = tick_after(app, clock);
        tokio::select! {
            _ = tokio::time::sleep_until(catch_up.unwrap_or_else(std::time::Instant::now).into()), if catch_up.is_some() => {
                app.dirty = true;
            }
            _ = tokio::time::sleep(tick.unwrap_or_default()), if tick.is_some() => {
                msgs.push(Msg::Tick(jiff::Timestamp::now()));
            }
            ev = input.next() => match ev {
                Some(Ok(ev)) => msgs.extend(term_msg(ev)),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            m = source.recv(), if source_open => match m {
                Some(SourceMsg::Batch { at, events }) => msgs.push(Msg::Cluster { at, events }),
                Some(SourceMsg::Caption(c)) => { caption = Some(c); app.dirty = true; }
                Some(SourceMsg::Operator(a)) => msgs.push(Msg::Operator(a)),
                Some(SourceMsg::Rewind { at, batches }) => msgs.push(Msg::Rewind { at, batches }),
                Some(SourceMsg::Played(batches)) => msgs.push(Msg::Played(batches)),
                Some(SourceMsg::Replay { status, note }) => msgs.push(Msg::Replay { status, note }),
                None => source_open = false,
            },
            Some(done) = done_rx.recv() => msgs.push(done),
            Some(switched) = switch_rx.recv() => {
                match switched {
                    Ok((target, client)) => {
                        let (tx, rx) = mpsc::unbounded_channel();
                        source = rx;
                        source_open = true;
                        switch_to(app, &mut session, &target, client, tx);
                        source_ns = app.namespace.clone();
                    }
                    Err(e) => app.notice(e, true),
                }
            }
            _ = sigterm.recv() => return Ok(()),
            _ = sighup.recv() => return Ok(()),
        }
        // Drain what else is already waiting, so a burst becomes one frame: every key of a
        // paste typed as keys, every batch.
        drain_input(&mut input, &mut msgs)?;
        while let Ok(m) = source.try_recv() {
            match m {
                SourceMsg::Batch { at, events } => msgs.push(Msg::Cluster { at, events }),
                SourceMsg::Caption(c) => {
                    caption = Some(c);
                    app.dirty = true;
                }
                SourceMsg::Operator(a) => msgs.push(Msg::Operator(a)),
                SourceMsg::Rewind { at, batches } => msgs.push(Msg::Rewind { at, batches }),
                SourceMsg::Played(batches) => msgs.push(Msg::Played(batches)),
                SourceMsg::Replay { status, note } => msgs.push(Msg::Replay { status, note }),
            }
        }
        app.views.get_mut().at = std::time::Instant::now();
        for msg in coalesce(msgs) {
            for cmd in app.update(msg, session.keymap) {
                match cmd {
                    Command::Quit => return Ok(()),
                    Command::ClearScreen => term::redraw_all(terminal)?,
                    Command::Suspend => {
                        #[cfg(unix)]
                        term::suspend(terminal, session.mouse)?;
                        app.dirty = true;
                    }
                    Command::Write(write) => {
                        let writer = session.writer.clone();
                        let done = done_tx.clone();
                        tokio::spawn(async move {
                            let result = writer.write(&write).await;
                            let _ = done.send(Msg::WriteDone { write, result });
                        });
                    }
                    Command::Relist => session.source.relist(),
                    Command::Replay(control) => {
                        if !session.source.replay(control) {
                            app.notice(strings::REPLAY_ONLY.to_string(), true);
                        }
                    }
                    Command::FollowLogs(pod) => session.source.follow_logs(pod),
                    Command::SwitchContext(name) => match &session.switch {
                        Some(sw) => {
                            let (global, env, tx) =
                                (sw.global.clone(), sw.env.clone(), switch_tx.clone());
                            tokio::spawn(async move {
                                let _ = tx.send(ContextSwitch::connect(global, env, name).await);
                            });
                        }
                        None => {
                            app.notice(strings::contexts_list(&app.contexts, &app.context), true)
                        }
                    },
                    Command::Settle {
                        generation,
                        after_ms,
                    } => {
                        let done = done_tx.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(Duration::from_millis(after_ms)).await;
                            let _ = done.send(Msg::EditorSettle(generation));
                        });
                    }
                    Command::SaveDraft { path, text } => {
                        if let Some(dir) = path.parent() {
                            let _ = std::fs::create_dir_all(dir);
                        }
                        let _ = std::fs::write(&path, text);
                    }
                    Command::Audit(attempt) => session.writer.audit_refused(&attempt),
                    Command::Copy(text) => {
                        let env = crate::config::Env::from_process();
                        if let Err(e) = crate::clipboard::copy(&mut std::io::stdout(), &text, &env)
                        {
                            app.notice(e.to_string(), true);
                        }
                    }
                    Command::SaveLog { path, text, lines } => {
                        let saved = path
                            .parent()
                            .map_or(Ok(()), std::fs::create_dir_all)
                            .and_then(|()| std::fs::write(&path, text));
                        match saved {
                            Ok(()) => app.notice(strings::log_saved(&path, lines), false),
                            Err(e) => {
                                app.notice(strings::log_save_failed(&path, &e.to_string()), true)
                            }
                        }
                    }
                    Command::Shell { pod, container } => {
                        // The input reader would compete with the shell for stdin: pause it.
                        input.pause();
                        let result = open_shell(
                            terminal,
                            session.mouse,
                            session.exec.clone(),
                            &app.store,
                            &pod,
                            &container,
                        )
                        .await;
                        input.resume();
                        let (text, error) = match result {
                            Ok(done) => (done, false),
                            Err(why) => (strings::shell_failed(&pod, &why), true),
                        };
                        session.writer.audit_session(
                            &format!("{} {container}", crate::app::actions::Action::PodShell.id()),
                            &pod,
                            &text,
                        );
                        app.notice(text, error);
                        app.dirty = true;
                    }
                    Command::SaveHistory { path, text } => {
                        if let Some(dir) = path.parent() {
                            let _ = std::fs::create_dir_all(dir);
                        }
                        let _ = std::fs::write(&path, text);
                    }
                    Command::RemoveDraft(path) => {
                        let _ = std::fs::remove_file(&path);
                    }
                    Command::DemoFault(fault) => {
                        let (text, error) = match session.source.fault(&fault) {
                            Some(Ok(done)) => (strings::fault_done(&done), false),
                            Some(Err(e)) => (e, true),
                            None => (strings::FAULT_DEMO_ONLY.to_string(), true),
                        };
                        app.notice(text, error);
                    }
                    Command::ExternalEdit(text) => {
                        // The input reader would compete with the editor for stdin: pause it.
                        input.pause();
                        let result = external_edit(terminal, session.mouse, &text);
                        input.resume();
                        let _ = done_tx.send(Msg::ExternalEdited(result));
                        app.dirty = true;
                    }
                }
            }
        }
        // A source that watches one namespace follows the namespace shown.
        if app.namespace != source_ns {
            source_ns = app.namespace.clone();
            session.source.set_namespace(source_ns.clone());
        }
    }
}

/// Replaces the current cluster with `target`: the old source stops (its batches still queued
/// are dropped with its channel), the store empties, the new source lists everything afresh,
/// writes go to the new cluster and the theme is chosen again for the new context name.
fn switch_to(
    app: &mut App,
    session: &mut Session<'_>,
    target: &Target,
    client: kube::Client,
    tx: mpsc::UnboundedSender<SourceMsg>,
) {
    let Some(sw) = &session.switch else { return };
    // Stop the old watchers before the new ones start.
    session.source = Box::new(crate::cluster::source::Stopped);
    let setup = crate::setup::load(&sw.global, &sw.env, &target.context);
    let namespace = crate::setup::kube_namespace(&sw.global, &target.namespace);
    let options = source_options(
        &sw.global,
        namespace.as_deref(),
        target,
        Some(setup.paths.log_file()),
    );
    session.source = Box::new(KubeSource::spawn(client.clone(), options, tx));
    session.exec = Some(client.clone());
    session.writer = Arc::new(crate::setup::kube_writer(
        client,
        &sw.global,
        &setup,
        &target.context,
    ));
    app.context_switched(&target.context, namespace);
    for problem in crate::setup::keep_local_records(app, &setup, &target.context) {
        app.notice(problem, true);
    }
    session.theme = setup.theme;
}

/// Hands the terminal to a shell in `container` of `pod` (the console's screen put away, the
/// terminal raw) and takes it back when the shell ends: through the API server's exec, or the
/// demo's simulated shell when there is no API server.
async fn open_shell(
    terminal: &mut Tui,
    mouse: bool,
    exec: Option<kube::Client>,
    store: &crate::cluster::Store,
    pod: &crate::model::ObjectKey,
    container: &str,
) -> Result<String, String> {
    term::restore();
    let result = match exec {
        Some(client) => {
            println!("{}", strings::shell_header(pod, container));
            match crossterm::terminal::enable_raw_mode() {
                Ok(()) => crate::shell::exec(client, pod, container).await,
                Err(e) => Err(e.to_string()),
            }
        }
        None => crossterm::terminal::enable_raw_mode()
            .and_then(|()| crate::shell::simulated(store, pod, container))
            .map_err(|e| e.to_string()),
    };
    let _ = crossterm::terminal::disable_raw_mode();
    term::reenter(terminal, mouse).map_err(|e| e.to_string())?;
    result
}

/// Runs `$VISUAL`, `$EDITOR` or `vi` on `text` in a temporary file with the screen handed back
/// to the terminal, and returns the edited text.
fn external_edit(terminal: &mut Tui, mouse: bool, text: &str) -> Result<String, String> {
    let path = std::env::temp_dir().join(format!("fluidops-edit-{}.yaml", std::process::id()));
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_string());
    term::restore();
    // Through the shell, so `EDITOR="code --wait"` works.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    let back = term::reenter(terminal, mouse);
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path).map_err(|e| e.to_string()),
        Ok(s) => Err(format!("{editor} exited with {s}")),
        Err(e) => Err(format!("cannot run {editor}: {e}")),
    };
    let _ = std::fs::remove_file(&path);
    back.map_err(|e| e.to_string())?;
    result
}

/// When the run loop tells the app the time next: on the wall clock, at each new second while
/// the app shows something that moves with it or a run waits on it; never on a source's clock
/// (its batches carry the time).
pub fn tick_after(app: &App, clock: Clock) -> Option<Duration> {
    (clock == Clock::Wall && app.shows_time()).then(next_second)
}

/// How long until the wall clock's next whole second (and a little past it, so the second
/// shown has moved when the tick arrives).
fn next_second() -> Duration {
    let nanos = jiff::Timestamp::now().subsec_nanosecond().max(0) as u64;
    Duration::from_nanos(1_000_000_000 - nanos) + Duration::from_millis(2)
}

/// Adjacent cluster batches taken in one go, each still at its own time (a phase change keeps
/// the moment it was seen), so that a burst of source events costs one pass over the views'
/// rows, not one per batch.
fn coalesce(msgs: Vec<Msg>) -> Vec<Msg> {
    let mut out: Vec<Msg> = Vec::with_capacity(msgs.len());
    for m in msgs {
        let more = match m {
            Msg::Cluster { at, events } => vec![(at, events)],
            Msg::Played(batches) => batches,
            m => {
                out.push(m);
                continue;
            }
        };
        match out.last_mut() {
            Some(Msg::Played(batches)) => batches.extend(more),
            _ => out.push(Msg::Played(more)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterEvent;
    use crate::cluster::ConnectionState;

    fn batch(at: i64, n: usize) -> Msg {
        Msg::Cluster {
            at: jiff::Timestamp::from_second(at).unwrap(),
            events: vec![ClusterEvent::Connection(ConnectionState::Connected); n],
        }
    }

    #[test]
    fn adjacent_batches_are_taken_together_each_at_its_own_time() {
        let out = coalesce(vec![
            batch(1, 2),
            batch(3, 1),
            Msg::Tick(jiff::Timestamp::from_second(4).unwrap()),
            batch(5, 1),
        ]);
        assert_eq!(out.len(), 3);
        match &out[0] {
            Msg::Played(batches) => {
                let shape: Vec<(i64, usize)> = batches
                    .iter()
                    .map(|(at, e)| (at.as_second(), e.len()))
                    .collect();
                assert_eq!(shape, [(1, 2), (3, 1)]);
            }
            _ => panic!("the batches first"),
        }
        assert!(matches!(out[1], Msg::Tick(_)));
        assert!(matches!(&out[2], Msg::Played(b) if b.len() == 1 && b[0].1.len() == 1));
    }
}
