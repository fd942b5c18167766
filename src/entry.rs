//! The command line's entry point, shared by the `fluidops` binary and the `kubectl-fluidops`
//! plugin binary (`kubectl fluidops ...`).

use std::io::Write;

use clap::{CommandFactory, FromArgMatches};
use color_eyre::Result;
use jiff::Timestamp;
use tokio::sync::mpsc;

use crate::app::App;
use crate::app::update::show_notices;
use crate::cli::{Cli, GlobalArgs, Sub};
use crate::cli_strings as say;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::app::Msg;
use crate::cluster::kube_config::{self, Target};
use crate::cluster::kube_source::{self, KubeSource};
use crate::cluster::writer::Guarded;
use crate::config::Env;
use crate::demo::DemoCluster;
use crate::demo::scenario::Scenario;
use crate::demo::source::DemoSource;
use crate::demo::writer::DemoWriter;
use crate::setup::{self, DEMO_CONTEXT, SourceChoice};
use crate::ui::Ctx;
use crate::{recorder, run, snapshot, term};

/// The name the program was started as decides how usage is shown: `kubectl fluidops` when run
/// as the kubectl plugin binary (`kubectl-fluidops`), else `fluidops`.
fn bin_name() -> &'static str {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let file = std::path::Path::new(&argv0)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    if file.starts_with("kubectl-") {
        "kubectl fluidops"
    } else {
        "fluidops"
    }
}

/// Parses the command line and runs what it asks for; the body of both binaries.
pub fn cli_main() -> Result<()> {
    let matches = Cli::command().bin_name(bin_name()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let env = Env::from_process();
    match cli.command {
        None => interactive(&cli.global, &env, None, 1.0),
        Some(Sub::Demo {
            against_cluster: true,
            speed,
            ..
        }) => against_cluster(&cli.global, &env, speed),
        Some(Sub::Demo {
            scenario, speed, ..
        }) => {
            if scenario == "list" {
                for s in Scenario::names()
                    .iter()
                    .filter_map(|n| Scenario::by_name(n))
                {
                    println!(
                        "{}",
                        say::scenario_line(
                            s.name,
                            s.summary,
                            s.running_time().as_secs(),
                            s.steps.len(),
                            s.cued_steps()
                        )
                    );
                }
                return Ok(());
            }
            let Some(s) = Scenario::by_name(&scenario) else {
                let known = Scenario::names().join(", ");
                eprintln!("{}", say::unknown_scenario(&scenario, &known));
                std::process::exit(2);
            };
            interactive(&cli.global, &env, Some(s), speed)
        }
        Some(Sub::Snapshot {
            replay: Some(file),
            view,
            size,
            ..
        }) => recorder::cli::snapshot(&cli.global, &env, &file, &view, size),
        Some(Sub::Snapshot {
            view, size, settle, ..
        }) => snapshot_cmd(&cli.global, &env, &view, size, settle),
        Some(Sub::Record { output, duration }) => {
            recorder::cli::record(&cli.global, &env, &output, duration)
        }
        Some(Sub::Replay { file }) => recorder::cli::replay(&cli.global, &env, &file),
        Some(Sub::ScaleManifests {
            now,
            churn_changes,
            churn_skip,
        }) => crate::demo::scale_export::cli(&cli.global, now, churn_changes, churn_skip),
        Some(Sub::Info) => {
            info(&cli.global, &env);
            Ok(())
        }
        Some(Sub::Keys) => {
            let s = setup::load(&cli.global, &env, DEMO_CONTEXT);
            // A broken config, keymap or theme file says so, as the console would at start-up.
            for n in &s.warnings {
                eprintln!("{}", say::say(n));
            }
            for row in s.keymap.help_rows(cli.global.readonly) {
                println!(
                    "{:<9} {:<24} {:<24} {}",
                    row.mode.name(),
                    row.keys,
                    row.action,
                    row.desc
                );
            }
            Ok(())
        }
    }
}

/// The async runtime of every command: two workers, as many as the target machines have cores.
pub(crate) fn new_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// The demo cluster the flags ask for, or the plain error and exit status 2 (as for a bad flag).
pub(crate) fn demo_cluster_or_exit(
    global: &GlobalArgs,
    now: Timestamp,
    notices: &mut Vec<String>,
) -> DemoCluster {
    setup::demo_cluster(global, now, notices).unwrap_or_else(|e| {
        eprintln!("{}", say::say(&e.to_string()));
        std::process::exit(2)
    })
}

/// For the non-interactive commands: the cluster, or the plain error and exit status 1.
pub(crate) fn connect_or_exit(
    runtime: &tokio::runtime::Runtime,
    global: &GlobalArgs,
    env: &Env,
) -> (Box<Target>, kube::Client) {
    match reach_cluster(runtime, global, env, false) {
        Reach::Connected(t, c) => (t, c),
        _ => std::process::exit(1),
    }
}

/// How the start-up connection attempt ended.
enum Reach {
    Connected(Box<Target>, kube::Client),
    Demo,
    Quit,
}

/// Resolves the kubeconfig and checks (with a short timeout) that the API server answers. When
/// it does not, says so plainly and, if `ask`, offers to retry, use the demo cluster or quit.
fn reach_cluster(
    runtime: &tokio::runtime::Runtime,
    global: &GlobalArgs,
    env: &Env,
    ask: bool,
) -> Reach {
    loop {
        let attempt = runtime.block_on(async {
            let target = kube_config::load(global, env).await?;
            let (client, _version) =
                kube_config::connect(&target, kube_config::REACH_TIMEOUT).await?;
            Ok::<_, String>((target, client))
        });
        let msg = match attempt {
            Ok((target, client)) => return Reach::Connected(Box::new(target), client),
            Err(msg) => msg,
        };
        eprintln!("{}", say::say(&msg));
        if !ask {
            return Reach::Quit;
        }
        eprint!("{}", say::REACH_PROMPT);
        let _ = std::io::stderr().flush();
        let answer = reach_answer();
        eprintln!(
            "{}",
            match answer {
                ReachAnswer::Retry => say::REACH_RETRY,
                ReachAnswer::Demo => say::REACH_DEMO,
                ReachAnswer::Quit => say::REACH_QUIT,
            }
        );
        match answer {
            ReachAnswer::Retry => continue,
            ReachAnswer::Demo => return Reach::Demo,
            ReachAnswer::Quit => return Reach::Quit,
        }
    }
}

/// What the operator answered to [`say::REACH_PROMPT`].
enum ReachAnswer {
    Retry,
    Demo,
    Quit,
}

/// The answer to [`say::REACH_PROMPT`]: one key, no Enter (`r` or Enter retries, `d` opens the
/// demo cluster, `q`, Esc or Ctrl-C quits). Only asked on a terminal.
fn reach_answer() -> ReachAnswer {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    if crossterm::terminal::enable_raw_mode().is_err() {
        return ReachAnswer::Quit;
    }
    let answer = loop {
        let Ok(Event::Key(k)) = event::read() else {
            continue;
        };
        if k.kind != KeyEventKind::Press {
            continue;
        }
        match k.code {
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                break ReachAnswer::Quit;
            }
            KeyCode::Char('r' | 'R') | KeyCode::Enter => break ReachAnswer::Retry,
            KeyCode::Char('d' | 'D') => break ReachAnswer::Demo,
            KeyCode::Char('q' | 'Q') | KeyCode::Esc => break ReachAnswer::Quit,
            _ => {}
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    answer
}

/// The console draws on stdout and reads keys from stdin: without a terminal on both it says so
/// and ends with status 2, before anything is written to stdout.
pub(crate) fn exit_without_a_terminal() {
    use std::io::IsTerminal;
    let which = if !std::io::stdin().is_terminal() {
        "standard input"
    } else if !std::io::stdout().is_terminal() {
        "standard output"
    } else {
        return;
    };
    eprintln!("{}", say::needs_terminal(which));
    std::process::exit(2);
}

fn interactive(
    global: &GlobalArgs,
    env: &Env,
    scenario: Option<Scenario>,
    speed: f64,
) -> Result<()> {
    exit_without_a_terminal();
    term::install_hooks()?;
    let runtime = new_runtime()?;
    let mut why = match setup::choose_source(global, env) {
        _ if scenario.is_some() => Some("--demo".to_string()),
        SourceChoice::Demo { why } => Some(why),
        SourceChoice::Kube => None,
    };
    let mut kube = None;
    if why.is_none() {
        match reach_cluster(&runtime, global, env, true) {
            Reach::Connected(target, client) => kube = Some((target, client)),
            Reach::Demo => why = Some("--demo".into()),
            Reach::Quit => {
                runtime.shutdown_background();
                std::process::exit(1);
            }
        }
    }
    let result = match kube {
        Some((target, client)) => interactive_kube(&runtime, global, env, &target, client),
        None => interactive_demo(
            &runtime,
            global,
            env,
            scenario,
            speed,
            why.unwrap_or_default(),
        ),
    };
    // Restore on every way out, errors included (restoring twice is harmless).
    term::restore();
    runtime.shutdown_background();
    result
}

fn interactive_kube(
    runtime: &tokio::runtime::Runtime,
    global: &GlobalArgs,
    env: &Env,
    target: &Target,
    client: kube::Client,
) -> Result<()> {
    let s = setup::load(global, env, &target.context);
    let now = Timestamp::now();
    let mut app = setup::app(global, &s, &target.context, now);
    app.namespace = setup::kube_namespace(global, &target.namespace);
    app.contexts = kube_config::context_names(global, env);
    let mut notices = s.notices.clone();
    notices.extend(setup::keep_drafts(&mut app, &s));
    notices.extend(setup::keep_local_records(&mut app, &s, &target.context));
    show_notices(&mut app, notices);
    let options = run::source_options(
        global,
        app.namespace.as_deref(),
        target,
        Some(s.paths.log_file()),
    );
    let writer = Arc::new(setup::kube_writer(
        client.clone(),
        global,
        &s,
        &target.context,
    ));
    let (sinks, problems) = recorder::cli::live_sinks(
        global,
        &s.paths.state_dir,
        &target.context,
        app.namespace.as_deref(),
    );
    show_notices(&mut app, problems);
    runtime.block_on(async {
        let (tx, rx) = mpsc::unbounded_channel();
        let exec_client = client.clone();
        let source = KubeSource::spawn(client, options, tx);
        let (rx, tap) = recorder::cli::tap_live(rx, sinks);
        let session = run::Session {
            switch: Some(run::ContextSwitch {
                global: global.clone(),
                env: env.clone(),
            }),
            exec: Some(exec_client),
            ..run::Session::new(&s, Box::new(source), writer, false)
        };
        let r = run::in_terminal(&mut app, session, rx).await;
        tap.finish().await;
        r
    })
}

fn interactive_demo(
    runtime: &tokio::runtime::Runtime,
    global: &GlobalArgs,
    env: &Env,
    scenario: Option<Scenario>,
    speed: f64,
    why: String,
) -> Result<()> {
    let s = setup::load(global, env, DEMO_CONTEXT);
    let mut notices = s.notices.clone();
    let now = Timestamp::now();
    let cluster = Arc::new(Mutex::new(demo_cluster_or_exit(global, now, &mut notices)));
    let writer = Arc::new(Guarded::new(
        Box::new(DemoWriter::new(cluster.clone())),
        global.readonly,
        Some(s.paths.audit_log()),
    ));
    let mut app = setup::app(global, &s, DEMO_CONTEXT, now);
    app.contexts = vec![DEMO_CONTEXT.to_string()];
    if why != "--demo" && why != "no kubeconfig found" {
        notices.push(why);
    }
    notices.extend(setup::keep_drafts(&mut app, &s));
    show_notices(&mut app, notices);
    let (sinks, problems) =
        recorder::cli::live_sinks(global, &s.paths.state_dir, DEMO_CONTEXT, None);
    show_notices(&mut app, problems);
    runtime.block_on(async {
        let (tx, rx) = mpsc::unbounded_channel();
        // The scenario's operator steps come in-band, right after their captions.
        let source = DemoSource::spawn(cluster, speed, scenario, tx);
        let (rx, tap) = recorder::cli::tap_live(rx, sinks);
        let session = run::Session::new(&s, Box::new(source), writer, true);
        let r = run::in_terminal(&mut app, session, rx).await;
        tap.finish().await;
        r
    })
}

/// `fluidops demo --against-cluster`: the demo's control plane as a controller of a real API
/// server (see [`crate::demo::against_cluster`]).
fn against_cluster(global: &GlobalArgs, env: &Env, speed: f64) -> Result<()> {
    let runtime = new_runtime()?;
    let (target, client) = connect_or_exit(&runtime, global, env);
    if global.readonly {
        eprintln!("{}", say::AGAINST_CLUSTER_READONLY);
        std::process::exit(2);
    }
    println!(
        "fluidops demo --against-cluster: context {} at {}",
        target.context, target.server
    );
    let mut notices = Vec::new();
    let cluster = demo_cluster_or_exit(global, Timestamp::now(), &mut notices);
    for n in &notices {
        eprintln!("{}", say::say(n));
    }
    let controller = crate::demo::against_cluster::AgainstCluster::new(client, cluster, speed);
    let result = runtime.block_on(controller.run());
    runtime.shutdown_background();
    if let Err(e) = result {
        eprintln!("{}", say::say(&e.to_string()));
        std::process::exit(1);
    }
    Ok(())
}

/// Longest wait for a real cluster's initial lists in `fluidops snapshot`.
const SNAPSHOT_LIST_TIMEOUT: Duration = Duration::from_secs(20);

fn snapshot_cmd(
    global: &GlobalArgs,
    env: &Env,
    view: &str,
    size: (u16, u16),
    settle: u64,
) -> Result<()> {
    if let SourceChoice::Kube = setup::choose_source(global, env) {
        return snapshot_kube(global, env, view, size);
    }
    let s = setup::load(global, env, DEMO_CONTEXT);
    let mut notices = s.notices.clone();
    let now = Timestamp::now();
    let mut cluster = demo_cluster_or_exit(global, now, &mut notices);
    for n in &notices {
        eprintln!("{}", say::say(n));
    }
    let mut app = setup::app(global, &s, DEMO_CONTEXT, now);
    snapshot::settle(&mut app, &s.keymap, &mut cluster, settle);
    print_snapshot(&mut app, &s, view, size, true)
}

/// `fluidops snapshot` against a real cluster: renders once every kind is listed (or known to be
/// unavailable).
fn snapshot_kube(global: &GlobalArgs, env: &Env, view: &str, size: (u16, u16)) -> Result<()> {
    let runtime = new_runtime()?;
    let (target, client) = connect_or_exit(&runtime, global, env);
    let s = setup::load(global, env, &target.context);
    for n in &s.notices {
        eprintln!("{}", say::say(n));
    }
    let mut app = setup::app(global, &s, &target.context, Timestamp::now());
    app.namespace = setup::kube_namespace(global, &target.namespace);
    let options = run::source_options(
        global,
        app.namespace.as_deref(),
        &target,
        Some(s.paths.log_file()),
    );
    let missing = runtime.block_on(kube_source::initial_lists(
        client,
        options,
        SNAPSHOT_LIST_TIMEOUT,
        |at, events| {
            app.update(Msg::Cluster { at, events }, &s.keymap);
        },
    ));
    runtime.shutdown_background();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|k| k.as_str()).collect();
        let kinds = names.join(", ");
        eprintln!(
            "{}",
            say::not_listed_in_time(SNAPSHOT_LIST_TIMEOUT.as_secs(), &kinds)
        );
    }
    app.now = Timestamp::now();
    print_snapshot(&mut app, &s, view, size, false)
}

/// Opens `view` and prints one frame of it as text (the tail of both snapshot paths).
pub(crate) fn print_snapshot(
    app: &mut App,
    s: &setup::Setup,
    view: &str,
    size: (u16, u16),
    demo: bool,
) -> Result<()> {
    if let Err(e) = snapshot::open_view(app, &s.keymap, view) {
        eprintln!("{}", say::say(&e.to_string()));
        std::process::exit(2);
    }
    let ctx = Ctx {
        theme: &s.theme,
        keymap: &s.keymap,
        demo,
        caption: None,
    };
    // Draw twice: the first frame tells the list how many rows fit.
    snapshot::render_text(app, &ctx, size.0, size.1);
    let text = snapshot::render_text(app, &ctx, size.0, size.1);
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(())
}

fn info(global: &GlobalArgs, env: &Env) {
    let s = setup::load(global, env, DEMO_CONTEXT);
    println!("fluidops {}", env!("CARGO_PKG_VERSION"));
    for (label, path) in s.paths.describe() {
        let exists = if path.exists() { "" } else { "  (not present)" };
        println!("{label:<14} {}{exists}", path.display());
    }
    let keymap = global
        .keymap
        .as_deref()
        .or(s.settings.keymap.as_deref())
        .unwrap_or("default");
    println!("{:<14} {keymap}", "keymap preset");
    println!("{:<14} {} ({})", "theme", s.theme.name(), s.theme_reason);
    match setup::choose_source(global, env) {
        SourceChoice::Demo { why } => println!("{:<14} demo cluster ({why})", "cluster"),
        SourceChoice::Kube => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let target = runtime
                .map_err(|e| e.to_string())
                .and_then(|r| r.block_on(kube_config::load(global, env)));
            match target {
                Ok(t) => println!(
                    "{:<14} context {} at {} (namespace {}; from {})",
                    "cluster", t.context, t.server, t.namespace, t.origin
                ),
                Err(e) => println!("{:<14} {e}", "cluster"),
            }
        }
    }
    for n in &s.notices {
        println!("notice         {n}");
    }
}
