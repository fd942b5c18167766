//! The interactive loop: terminal events, source batches and signals in; state updates and
//! frames out. Frames are drawn only when something visible changed, after draining every
//! pending message (bursts coalesce into one frame), and at most every FRAME_GAP.

use std::sync::Arc;
use std::time::Duration;

use color_eyre::Result;
use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::app::{App, Command, Msg};
use crate::cluster::demo_source::SourceMsg;
use crate::cluster::kube_source::KubeSource;
use crate::cluster::writer::{Guarded, Writer};
use crate::config::{Keymap, Theme};
use crate::term::{self, Tui};
use crate::ui::{self, Ctx};

/// Set in tests to check that a panic restores the terminal.
const TEST_PANIC_ENV: &str = "FLUIDOPS_TEST_PANIC";

/// Minimum time between two frames.
const FRAME_GAP: Duration = Duration::from_millis(33);

pub struct Session<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    pub demo: bool,
    pub mouse: bool,
    /// The kube source, when running against a real cluster (relists and log streams).
    pub kube: Option<&'a mut KubeSource>,
    /// The one writer every confirmed write goes through (read-only refusal, audit log).
    pub writer: Arc<Guarded>,
}

fn term_msg(ev: TermEvent) -> Option<Msg> {
    match ev {
        TermEvent::Key(k) => Some(Msg::Key(k)),
        TermEvent::Mouse(m) => Some(Msg::Mouse(m)),
        TermEvent::Resize(..) => Some(Msg::Resize),
        _ => None,
    }
}

pub async fn run(
    terminal: &mut Tui,
    app: &mut App,
    mut session: Session<'_>,
    mut source: mpsc::UnboundedReceiver<SourceMsg>,
) -> Result<()> {
    let mut events = EventStream::new();
    let mut caption: Option<String> = None;
    #[cfg(unix)]
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    #[cfg(unix)]
    let mut sighup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut source_open = true;
    // Answers of writes in flight come back here.
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Msg>();
    loop {
        if app.dirty {
            let ctx = Ctx {
                theme: session.theme,
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
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => msgs.extend(term_msg(ev)),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            m = source.recv(), if source_open => match m {
                Some(SourceMsg::Batch { at, events }) => msgs.push(Msg::Cluster { at, events }),
                Some(SourceMsg::Caption(c)) => { caption = Some(c); app.dirty = true; }
                None => source_open = false,
            },
            Some(done) = done_rx.recv() => msgs.push(done),
            _ = sigterm.recv() => return Ok(()),
            _ = sighup.recv() => return Ok(()),
        }
        // Drain what else is already waiting, so a burst becomes one frame.
        while let Ok(m) = source.try_recv() {
            match m {
                SourceMsg::Batch { at, events } => msgs.push(Msg::Cluster { at, events }),
                SourceMsg::Caption(c) => {
                    caption = Some(c);
                    app.dirty = true;
                }
            }
        }
        for msg in msgs {
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
                    Command::Relist => {
                        // The demo cluster keeps no lists to reload.
                        if let Some(k) = session.kube.as_deref_mut() {
                            k.relist();
                        }
                    }
                    Command::FollowLogs(pod) => {
                        // The demo cluster already streams every pod's log.
                        if let Some(k) = session.kube.as_deref_mut() {
                            k.follow_logs(pod);
                        }
                    }
                }
            }
        }
    }
}
