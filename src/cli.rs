//! Command-line interface.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "fluidops", version, about = "Terminal console for Fluid cache runtimes", long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Sub>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Run on the embedded demo cluster even if a cluster is configured.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Seed the demo cluster from every *.yaml in DIR instead of the built-in manifests, or
    /// from a recording (FILE.rec) as it was at --at (else at its end).
    #[arg(long, value_name = "DIR", global = true)]
    pub seed: Option<PathBuf>,
    /// Random seed of the demo cluster (same seed, same run).
    #[arg(long, value_name = "N", global = true)]
    pub seed_rng: Option<u64>,
    /// Theme name (default, light, mono, term16, danger, or one in the config dir).
    #[arg(long, global = true)]
    pub theme: Option<String>,
    /// Keymap preset (k9s, or one in the config dir).
    #[arg(long, global = true)]
    pub keymap: Option<String>,
    /// ASCII symbols instead of Unicode ones.
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Refuse every write.
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Start in this namespace.
    #[arg(short = 'n', long, global = true)]
    pub namespace: Option<String>,
    /// Start showing all namespaces.
    #[arg(short = 'A', long, global = true)]
    pub all_namespaces: bool,
    /// Kubeconfig context to use.
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// Path to the kubeconfig file (a list, as in KUBECONFIG). Without it: KUBECONFIG when set
    /// and not empty (as kubectl reads it), else ~/.kube/config.
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// Disable mouse capture (keeps the terminal's own text selection).
    #[arg(long, global = true)]
    pub no_mouse: bool,
    /// Adds generated objects to the demo cluster, e.g. runtimes=1000,pods=50000,ops=10000
    /// (also events=N; default five per runtime).
    #[arg(long, value_name = "SPEC", global = true, value_parser = crate::demo::scale::parse_scale)]
    pub scale: Option<crate::demo::scale::ScaleSpec>,
    /// Phase changes per second on the generated objects (e.g. 200/s); needs --scale.
    #[arg(long, value_name = "RATE", global = true, value_parser = crate::demo::scale::parse_churn)]
    pub churn: Option<f64>,
    /// Also record what the console receives to FILE (see `fluidops replay`).
    #[arg(long, value_name = "FILE", global = true)]
    pub record: Option<PathBuf>,
    /// Do not keep the console's own flight recording under the state dir.
    #[arg(long, global = true)]
    pub no_flight_recording: bool,
    /// A moment of a recording (03:12 or 03:12:30 UTC, RFC 3339, start, end, +5m from its
    /// start): where `replay` opens, what `snapshot --replay` shows, the state `--seed FILE.rec`
    /// takes.
    #[arg(long, value_name = "TIME", global = true)]
    pub at: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Render one frame as plain text after the demo cluster has settled.
    Snapshot {
        /// runtimes, pods, ops, datasets, classes, timeline, maintenance
        #[arg(long, default_value = "runtimes")]
        view: String,
        /// Terminal size as COLSxROWS.
        #[arg(long, default_value = "120x40", value_parser = parse_size)]
        size: (u16, u16),
        /// Simulated seconds to let the demo cluster run first.
        #[arg(long, default_value_t = 300)]
        settle: u64,
        /// Render a recording at --at instead of the demo cluster.
        #[arg(long, value_name = "FILE")]
        replay: Option<PathBuf>,
    },
    /// Record what the watchers receive (initial lists and every change) to a file, without
    /// the console (for a bastion or a cron job); Ctrl-C stops.
    Record {
        /// The recording to write.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: PathBuf,
        /// Stop after this long (e.g. 90s, 30m, 24h); default: until Ctrl-C.
        #[arg(long, value_parser = crate::recorder::time_arg::parse_duration)]
        duration: Option<std::time::Duration>,
    },
    /// Open the console on a recording: every view as it was, at a time cursor you move.
    Replay {
        /// A recording written by `fluidops record`, `--record` or the flight recorder.
        file: PathBuf,
    },
    /// Play a named, timed scenario on the demo cluster for live demos.
    Demo {
        /// Scenario name; `--scenario list` prints them.
        #[arg(long, default_value = "load")]
        scenario: String,
        /// Simulation speed factor (2 = twice as fast, 0.5 = half).
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Run the simulated Fluid control plane against the cluster of the kubeconfig (which
        /// has Fluid's CRDs but no Fluid) instead of showing it: seeds the demo objects through
        /// the API, writes every change, and drives operations others create. No TUI; Ctrl-C
        /// stops.
        #[arg(long)]
        against_cluster: bool,
    },
    /// Print the objects of --scale as manifests for a real API server, one JSON document a
    /// line (for bench/); with --churn-changes, the status changes of --churn instead.
    #[command(hide = true)]
    ScaleManifests {
        /// The moment the objects are generated at (RFC 3339; default: now).
        #[arg(long)]
        now: Option<jiff::Timestamp>,
        /// Print this many churn changes (at --churn per second) instead of the objects.
        #[arg(long, default_value_t = 0)]
        churn_changes: usize,
        /// Skip the first N changes of the churn stream (they were sent before).
        #[arg(long, default_value_t = 0)]
        churn_skip: usize,
    },
    /// Print the config, keymap, theme, state and log paths in use.
    Info,
    /// Print the active key bindings.
    Keys,
}

pub fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("size \"{s}\" is not COLSxROWS, e.g. 120x40"))?;
    let w: u16 = w
        .trim()
        .parse()
        .map_err(|_| format!("bad column count \"{w}\""))?;
    let h: u16 = h
        .trim()
        .parse()
        .map_err(|_| format!("bad row count \"{h}\""))?;
    if w == 0 || h == 0 || w > 1000 || h > 500 {
        return Err(format!("size {w}x{h} is out of range (1x1 to 1000x500)"));
    }
    Ok((w, h))
}
