use std::io::Write;

use clap::Parser;
use color_eyre::Result;
use jiff::Timestamp;
use tokio::sync::mpsc;

use fluidops::app::update::show_notices;
use fluidops::cli::{Cli, GlobalArgs, Sub};
use fluidops::cluster::demo_source;
use fluidops::config::Env;
use fluidops::demo::scenario::Scenario;
use fluidops::setup::{self, DEMO_CONTEXT, SourceChoice};
use fluidops::ui::Ctx;
use fluidops::{run, snapshot, term};

fn main() -> Result<()> {
    let cli = Cli::parse();
    let env = Env::from_process();
    match cli.command {
        None => interactive(&cli.global, &env, None, 1.0),
        Some(Sub::Demo { scenario, speed }) => {
            if scenario == "list" {
                for name in Scenario::names() {
                    println!("{name}");
                }
                return Ok(());
            }
            let Some(s) = Scenario::by_name(&scenario) else {
                eprintln!(
                    "fluidops: unknown scenario \"{scenario}\"; known: {}",
                    Scenario::names().join(", ")
                );
                std::process::exit(2);
            };
            interactive(&cli.global, &env, Some(s), speed)
        }
        Some(Sub::Snapshot { view, size, settle }) => {
            snapshot_cmd(&cli.global, &env, &view, size, settle)
        }
        Some(Sub::Info) => {
            info(&cli.global, &env);
            Ok(())
        }
        Some(Sub::Keys) => {
            let s = setup::load(&cli.global, &env, DEMO_CONTEXT);
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

fn interactive(
    global: &GlobalArgs,
    env: &Env,
    scenario: Option<Scenario>,
    speed: f64,
) -> Result<()> {
    term::install_hooks()?;
    let SourceChoice::Demo { why } = setup::choose_source(global, env);
    let s = setup::load(global, env, DEMO_CONTEXT);
    let mut notices = s.notices.clone();
    let now = Timestamp::now();
    let cluster = setup::demo_cluster(global, now, &mut notices);
    let mut app = setup::app(global, &s, DEMO_CONTEXT, now);
    if why != "--demo" && why != "no kubeconfig found" {
        notices.push(why);
    }
    show_notices(&mut app, notices);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let (tx, rx) = mpsc::unbounded_channel();
        demo_source::spawn(cluster, speed, scenario, tx);
        let mut terminal = term::enter(s.mouse)?;
        let session = run::Session {
            theme: &s.theme,
            keymap: &s.keymap,
            demo: true,
            mouse: s.mouse,
        };
        run::run(&mut terminal, &mut app, session, rx).await
    });
    // Restore on every way out of the loop, errors included.
    term::restore();
    runtime.shutdown_background();
    result
}

fn snapshot_cmd(
    global: &GlobalArgs,
    env: &Env,
    view: &str,
    size: (u16, u16),
    settle: u64,
) -> Result<()> {
    let s = setup::load(global, env, DEMO_CONTEXT);
    let mut notices = s.notices.clone();
    let now = Timestamp::now();
    let mut cluster = setup::demo_cluster(global, now, &mut notices);
    for n in &notices {
        eprintln!("fluidops: {n}");
    }
    let mut app = setup::app(global, &s, DEMO_CONTEXT, now);
    snapshot::settle(&mut app, &s.keymap, &mut cluster, settle);
    if let Err(e) = snapshot::open_view(&mut app, &s.keymap, view) {
        eprintln!("fluidops: {e}");
        std::process::exit(2);
    }
    let ctx = Ctx {
        theme: &s.theme,
        keymap: &s.keymap,
        demo: true,
        caption: None,
    };
    // Draw twice: the first frame tells the list how many rows fit.
    snapshot::render_text(&mut app, &ctx, size.0, size.1);
    let text = snapshot::render_text(&mut app, &ctx, size.0, size.1);
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
    let SourceChoice::Demo { why } = setup::choose_source(global, env);
    println!("{:<14} demo cluster ({why})", "cluster");
    for n in &s.notices {
        println!("notice         {n}");
    }
}
