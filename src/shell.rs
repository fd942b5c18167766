//! A shell in a pod's container, full-screen, with the console's screen handed back to the
//! terminal: on a real cluster through the API server's exec (a websocket; the terminal raw and
//! passed through both ways, its size followed), on the demo cluster a small simulated shell
//! that answers the engine's status commands (see [`crate::app::sim_shell`]).

use std::io::Write as _;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams, TerminalSize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::app::sim_shell;
use crate::app::strings;
use crate::cluster::Store;
use crate::model::ObjectKey;

/// What runs in the container: bash where there is one, else sh.
pub const SHELL_COMMAND: [&str; 3] = [
    "sh",
    "-c",
    "command -v bash >/dev/null 2>&1 && exec bash || exec sh",
];

/// How often the stdin reader looks whether the shell has ended.
const STDIN_POLL_MS: i32 = 100;

/// Runs an interactive shell in `container` of `pod` through the API server, with the terminal
/// in raw mode (the caller has left the alternate screen). Returns the line to show on return.
pub async fn exec(
    client: kube::Client,
    pod: &ObjectKey,
    container: &str,
) -> Result<String, String> {
    let api: Api<Pod> = Api::namespaced(client, &pod.namespace);
    let params = AttachParams::interactive_tty().container(container);
    let mut process = api
        .exec(&pod.name, SHELL_COMMAND, &params)
        .await
        .map_err(|e| match e {
            // The API server's own words (a pod not scheduled, a container not running).
            kube::Error::Api(status) => status.message.to_string(),
            other => other.to_string(),
        })?;
    let mut remote_in = process.stdin().ok_or(strings::SHELL_NO_STREAM)?;
    let mut remote_out = process.stdout().ok_or(strings::SHELL_NO_STREAM)?;
    let status = process.take_status();
    if let Some(sizes) = process.terminal_size() {
        tokio::spawn(follow_size(sizes));
    }
    // The terminal's keys, read on a thread that stops once the shell has ended (so the console
    // gets its keys back).
    let (keys_tx, mut keys_rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader_done = done.clone();
    let reader = std::thread::spawn(move || read_stdin(&keys_tx, &reader_done));
    let to_remote = tokio::spawn(async move {
        while let Some(bytes) = keys_rx.recv().await {
            if remote_in.write_all(&bytes).await.is_err() {
                break;
            }
        }
    });
    let mut out = std::io::stdout();
    let mut buf = vec![0u8; 8192];
    loop {
        match remote_out.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if out.write_all(&buf[..n]).is_err() {
                    break;
                }
                let _ = out.flush();
            }
        }
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    to_remote.abort();
    let _ = reader.join();
    let status = match status {
        Some(s) => s.await,
        None => None,
    };
    let _ = process.join().await;
    Ok(match status {
        Some(s) if s.status.as_deref() == Some("Success") => strings::shell_ended(pod, container),
        Some(s) => strings::shell_ended_with(pod, container, s.message.as_deref().unwrap_or("")),
        None => strings::shell_ended(pod, container),
    })
}

/// Sends the terminal's size now and whenever it changes.
async fn follow_size(sizes: futures::channel::mpsc::Sender<TerminalSize>) {
    let mut sizes = sizes;
    let mut last = None;
    loop {
        if let Ok((width, height)) = crossterm::terminal::size()
            && last != Some((width, height))
        {
            last = Some((width, height));
            use futures::SinkExt;
            if sizes.send(TerminalSize { width, height }).await.is_err() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Copies the terminal's input bytes to `tx` until `done` is set.
fn read_stdin(
    tx: &tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
    done: &std::sync::atomic::AtomicBool,
) {
    use std::io::Read;
    let mut stdin = std::io::stdin();
    let mut buf = [0u8; 1024];
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        let mut fds = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, its count, and a timeout.
        let ready = unsafe { libc::poll(&mut fds, 1, STDIN_POLL_MS) };
        if ready <= 0 {
            continue;
        }
        match stdin.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if tx.send(buf[..n].to_vec()).is_err() {
                    return;
                }
            }
        }
    }
}

/// The demo cluster's shell: a prompt marked as simulated that answers the engine's status
/// commands from what the console holds, until `exit` or Ctrl-D. Keys are read raw (Ctrl-C
/// clears the line instead of stopping the console).
pub fn simulated(store: &Store, pod: &ObjectKey, container: &str) -> std::io::Result<String> {
    let mut out = std::io::stdout();
    let prompt = sim_shell::prompt(pod, container);
    for line in sim_shell::banner(pod, container) {
        write!(out, "{line}\r\n")?;
    }
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    loop {
        if !event::poll(Duration::from_millis(200))? {
            continue;
        }
        let Event::Key(key) = event::read()? else {
            continue;
        };
        if key.kind != KeyEventKind::Press {
            continue;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('d') if ctrl && line.is_empty() => break,
            KeyCode::Char('c') if ctrl => {
                line.clear();
                write!(out, "^C\r\n{prompt}")?;
            }
            KeyCode::Char(c) if !ctrl => {
                line.push(c);
                write!(out, "{c}")?;
            }
            KeyCode::Backspace if line.pop().is_some() => write!(out, "\x08 \x08")?,
            KeyCode::Enter => {
                write!(out, "\r\n")?;
                match sim_shell::answer(store, pod, &line) {
                    sim_shell::Reply::Exit => break,
                    sim_shell::Reply::Lines(lines) => {
                        for l in lines {
                            write!(out, "{l}\r\n")?;
                        }
                    }
                }
                line.clear();
                write!(out, "{prompt}")?;
            }
            _ => {}
        }
        out.flush()?;
    }
    write!(out, "\r\n")?;
    out.flush()?;
    Ok(strings::shell_ended(pod, container))
}
