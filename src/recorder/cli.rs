//! The command-line side of recordings: `fluidops record`, `fluidops replay`, `snapshot
//! --replay`, and the recording taps of the live console (`--record FILE` and the flight
//! recording).

use std::io::BufWriter;
use std::path::Path;
use std::sync::{Arc, Mutex};

use color_eyre::Result;
use jiff::Timestamp;
use tokio::sync::{mpsc, oneshot};

use super::flight::{self, Flight};
use super::format::{self, Header, OpenError};
use super::reader::Recording;
use super::replay_source::{self, ReplaySource};
use super::tap::{self, Sink};
use super::time_arg;
use super::writer::{Policy, Recorder};
use crate::app::Msg;
use crate::cli::GlobalArgs;
use crate::cli_strings as say;
use crate::cluster::kube_source::KubeSource;
use crate::cluster::source::{ReplayStatus, SourceMsg};
use crate::cluster::writer::{Guarded, Write, WriteError, WriteFuture, Writer};
use crate::config::Env;
use crate::demo::source::DemoSource;
use crate::entry;
use crate::setup::{self, DEMO_CONTEXT, SourceChoice};
use crate::{run, term};

/// What a recording's header says about the program that wrote it.
fn header(source: &str, namespace: Option<&str>) -> Header {
    Header {
        source: source.to_string(),
        namespace: namespace.map(str::to_string),
        started: Timestamp::now().to_string(),
        writer: format!("fluidops {}", env!("CARGO_PKG_VERSION")),
    }
}

/// Opens a recording or says why not and exits (status 2, as for a bad argument).
pub fn open_or_exit(path: &Path) -> Recording {
    let shown = path.display().to_string();
    match Recording::open(path) {
        Ok(r) => {
            if r.truncated {
                eprintln!("{}", say::recording_cut_short(&shown));
            }
            r
        }
        Err(e) => {
            eprintln!("{}", open_error(&shown, &e));
            std::process::exit(2)
        }
    }
}

pub fn open_error(path: &str, e: &OpenError) -> String {
    match e {
        OpenError::NotARecording => say::not_a_recording(path),
        OpenError::NewerVersion(v) => say::newer_recording(path, *v, format::VERSION),
        OpenError::Io(why) => say::cannot_open(path, why),
    }
}

/// The moment `--at` names in `rec` (its start without it), or the message and exit status 2.
pub fn at_or_exit(rec: &Recording, at: Option<&str>, path: &Path) -> Timestamp {
    let Some((start, end)) = rec.span() else {
        eprintln!("{}", say::recording_empty(&path.display().to_string()));
        std::process::exit(2)
    };
    match at.map(|a| time_arg::parse(a, start, end, start)) {
        None => start,
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            eprintln!("{}", say::bad_time(&e));
            std::process::exit(2)
        }
    }
}

/// `fluidops record -o FILE`: the watchers (or the demo cluster) into a recording, headless.
pub fn record(
    global: &GlobalArgs,
    env: &Env,
    output: &Path,
    duration: Option<std::time::Duration>,
) -> Result<()> {
    let runtime = entry::new_runtime()?;
    let shown = output.display().to_string();
    let (tx, rx) = mpsc::unbounded_channel();
    // The source lives as long as the recording (dropping it stops it).
    let (_source, head): (Box<dyn std::any::Any>, Header) = match setup::choose_source(global, env)
    {
        SourceChoice::Demo { .. } => {
            let mut notices = Vec::new();
            let cluster = entry::demo_cluster_or_exit(global, Timestamp::now(), &mut notices);
            for n in &notices {
                eprintln!("{}", say::say(n));
            }
            let _guard = runtime.enter();
            let source = DemoSource::spawn(Arc::new(Mutex::new(cluster)), 1.0, None, tx);
            (Box::new(source), header(DEMO_CONTEXT, None))
        }
        SourceChoice::Kube => {
            let (target, client) = entry::connect_or_exit(&runtime, global, env);
            let ns = setup::kube_namespace(global, &target.namespace);
            let options = run::source_options(global, ns.as_deref(), &target, None);
            let _guard = runtime.enter();
            let source = KubeSource::spawn(client, options, tx);
            (Box::new(source), header(&target.context, ns.as_deref()))
        }
    };
    let file = match std::fs::File::create(output) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}", say::cannot_open(&shown, &e.to_string()));
            std::process::exit(1)
        }
    };
    let recorder = Recorder::new(BufWriter::new(file), &head, Policy::default())?;
    eprintln!("{}", say::recording_to(&shown, &head.source));
    let started = std::time::Instant::now();
    let stop = async move {
        match duration {
            Some(d) => {
                tokio::select! {
                    _ = tokio::time::sleep(d) => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    };
    let outcome = runtime.block_on(tap::run(rx, None, vec![Box::new(recorder)], stop));
    runtime.shutdown_background();
    for e in &outcome.errors {
        eprintln!("{}", say::recording_failed(e));
    }
    if let Some(s) = outcome.stats.first() {
        eprintln!(
            "{}",
            say::recorded(&shown, s.changes, s.bytes, started.elapsed().as_secs_f64())
        );
    }
    if !outcome.errors.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}

/// Refuses every write: a recording shows what happened and cannot be changed.
pub struct RecordingWriter;

impl Writer for RecordingWriter {
    fn write<'a>(&'a self, _w: &'a Write) -> WriteFuture<'a> {
        Box::pin(async {
            Err(WriteError::Invalid(
                crate::app::strings::RECORDING_REFUSED.to_string(),
            ))
        })
    }
}

/// `fluidops replay FILE`: the console on a recording.
pub fn replay(global: &GlobalArgs, env: &Env, path: &Path) -> Result<()> {
    entry::exit_without_a_terminal();
    let rec = open_or_exit(path);
    let at = at_or_exit(&rec, global.at.as_deref(), path);
    term::install_hooks()?;
    let runtime = entry::new_runtime()?;
    let context = rec.header.source.clone();
    let s = setup::load(global, env, &context);
    let mut app = setup::app(global, &s, &context, at);
    app.readonly = true;
    app.namespace = rec.header.namespace.clone().or(global.namespace.clone());
    app.contexts = vec![context.clone()];
    crate::app::update::show_notices(&mut app, s.notices.clone());
    let writer = Arc::new(Guarded::new(Box::new(RecordingWriter), false, None));
    let result = runtime.block_on(async {
        let (tx, rx) = mpsc::unbounded_channel();
        let source = ReplaySource::spawn(rec, Some(at), tx);
        let session = run::Session::new(&s, Box::new(source), writer, false);
        run::in_terminal(&mut app, session, rx).await
    });
    term::restore();
    runtime.shutdown_background();
    result
}

/// Feeds the state of `rec` at `at` into `app` as the replay would, and sets its time cursor.
pub fn show_at(
    app: &mut crate::app::App,
    keymap: &crate::config::Keymap,
    rec: &Recording,
    at: Timestamp,
) {
    let batches = replay_source::batches_at(rec, at);
    let from = batches.first().map_or(at, |b| b.0).min(at);
    app.update(Msg::Rewind { at: from, batches }, keymap);
    app.update(
        Msg::Cluster {
            at,
            events: Vec::new(),
        },
        keymap,
    );
    // A jump shows the state at that time, like a list: no problem in it is news.
    app.problem_watch.dismiss();
    if let Some((start, end)) = rec.span() {
        app.replay = Some(ReplayStatus {
            at,
            start,
            end,
            playing: false,
            speed: 1.0,
            truncated: rec.truncated,
        });
    }
    app.readonly = true;
}

/// `fluidops snapshot --replay FILE --at TIME --view …`: one frame of a recording.
pub fn snapshot(
    global: &GlobalArgs,
    env: &Env,
    path: &Path,
    view: &str,
    size: (u16, u16),
) -> Result<()> {
    let rec = open_or_exit(path);
    let at = at_or_exit(&rec, global.at.as_deref(), path);
    let context = rec.header.source.clone();
    let s = setup::load(global, env, &context);
    let mut app = setup::app(global, &s, &context, at);
    app.namespace = rec.header.namespace.clone().or(global.namespace.clone());
    show_at(&mut app, &s.keymap, &rec, at);
    entry::print_snapshot(&mut app, &s, view, size, false)
}

/// The objects of a recording at `--at` (its start without it) and that moment: what the demo
/// cluster is seeded with from `--seed FILE.rec`.
pub fn seed_objects(
    path: &Path,
    at: Option<&str>,
) -> Result<(Vec<crate::model::Object>, Timestamp), String> {
    let rec = Recording::open(path).map_err(|e| open_error(&path.display().to_string(), &e))?;
    let (start, end) = rec
        .span()
        .ok_or_else(|| say::recording_empty(&path.display().to_string()))?;
    let t = match at {
        Some(a) => time_arg::parse(a, start, end, start)?,
        None => end,
    };
    let (cursor, _) = super::Cursor::seek(&rec, format::ns(t));
    let mut objects: Vec<crate::model::Object> = cursor
        .versions
        .objects
        .into_values()
        .filter_map(|v| crate::model::Object::from_value(v).ok().flatten())
        .collect();
    objects.sort_by_key(|o| o.key());
    Ok((objects, t))
}

/// Whether `path` is a recording (by its first bytes), not a directory of manifests.
pub fn is_recording(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|_| &magic == format::MAGIC)
}

/// The live console's recordings: `--record FILE` and, unless `--no-flight-recording`, the
/// flight recording under the state dir. Problems starting them are returned as notices.
pub fn live_sinks(
    global: &GlobalArgs,
    state_dir: &Path,
    source: &str,
    namespace: Option<&str>,
) -> (Vec<Box<dyn Sink>>, Vec<String>) {
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    let mut notices = Vec::new();
    let head = header(source, namespace);
    if let Some(path) = &global.record {
        let opened = std::fs::File::create(path)
            .and_then(|f| Recorder::new(BufWriter::new(f), &head, Policy::default()));
        match opened {
            Ok(r) => sinks.push(Box::new(r)),
            Err(e) => notices.push(say::cannot_open(
                &path.display().to_string(),
                &e.to_string(),
            )),
        }
    }
    if !global.no_flight_recording {
        match Flight::start(
            flight_dir(state_dir),
            head,
            flight::SEGMENT_BYTES,
            flight::TOTAL_BYTES,
        ) {
            Ok(f) => sinks.push(Box::new(f)),
            Err(e) => notices.push(say::recording_failed(&e.to_string())),
        }
    }
    (sinks, notices)
}

/// Where the flight recording's segments are.
pub fn flight_dir(state_dir: &Path) -> std::path::PathBuf {
    state_dir.join("flight")
}

/// A tap between a source's channel and the console: returns the console's end and what to
/// await when the console is done (it writes what is left).
pub fn tap_live(
    from: mpsc::UnboundedReceiver<SourceMsg>,
    sinks: Vec<Box<dyn Sink>>,
) -> (mpsc::UnboundedReceiver<SourceMsg>, LiveTap) {
    let (to, rx) = mpsc::unbounded_channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(tap::run(from, Some(to), sinks, async move {
        let _ = stopped.await;
    }));
    (rx, LiveTap { stop, task })
}

pub struct LiveTap {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<tap::Outcome>,
}

impl LiveTap {
    /// Stops recording and writes what is left.
    pub async fn finish(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
