//! Everything decided before the first frame: paths, settings, keymap, theme, which cluster
//! source to use, and the notices the operator should see about it.

use std::path::PathBuf;

use jiff::Timestamp;

use crate::app::App;
use crate::cli::GlobalArgs;
use crate::config::{Env, Keymap, Paths, Settings, Theme, ThemeLoader, ThemeRequest, choose_theme};
use crate::demo::DemoCluster;

/// The demo cluster's context name, shown in the header.
pub const DEMO_CONTEXT: &str = "demo";
/// Default random seed of the demo cluster.
pub const DEFAULT_SEED: u64 = 7;

pub struct Setup {
    pub paths: Paths,
    pub settings: Settings,
    pub keymap: Keymap,
    pub theme: Theme,
    pub theme_reason: String,
    /// Problems to show at start-up (config files, seed documents, source choice).
    pub notices: Vec<String>,
    /// The problems among `notices`: config, keymap and theme files that are wrong.
    pub warnings: Vec<String>,
    pub mouse: bool,
}

/// Where the console gets its cluster from.
pub enum SourceChoice {
    Demo {
        why: String,
    },
    /// A real cluster: a kubeconfig was found (or we run inside a pod).
    Kube,
}

/// Loads configuration; never fails (bad files become notices).
pub fn load(global: &GlobalArgs, env: &Env, context: &str) -> Setup {
    let paths = Paths::from_env(env);
    let (settings, mut warnings) = Settings::load(&paths);
    let preset = global.keymap.as_deref().or(settings.keymap.as_deref());
    let (keymap, kw) = Keymap::load(&paths, preset);
    warnings.extend(kw);
    let ascii = global.ascii || settings.ascii(env);
    let loader = ThemeLoader::new(Some(paths.themes_dir()));
    let colors = u32::from(crossterm::style::available_color_count());
    let request = ThemeRequest {
        cli: global.theme.as_deref(),
        no_color: crate::config::no_color(env),
        config: settings.theme.as_deref(),
        context: Some(context),
        context_rules: &settings.contexts,
        colors,
        ascii,
    };
    let choice = choose_theme(&request, &loader);
    warnings.extend(choice.warnings);
    let warnings: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
    let mut notices = warnings.clone();
    notices.extend(choice.notice);
    Setup {
        mouse: settings.mouse && !global.no_mouse,
        theme_reason: format!("{:?}", choice.reason),
        paths,
        settings,
        keymap,
        theme: choice.theme,
        notices,
        warnings,
    }
}

/// Where a kubeconfig would be read from, if any exists (the first of the list).
pub fn kubeconfig_path(global: &GlobalArgs, env: &Env) -> Option<PathBuf> {
    crate::cluster::kube_config::kubeconfig_files(global, env)
        .into_iter()
        .next()
}

pub fn choose_source(global: &GlobalArgs, env: &Env) -> SourceChoice {
    if global.demo {
        return SourceChoice::Demo {
            why: "--demo".into(),
        };
    }
    match kubeconfig_path(global, env) {
        None if env.non_empty("KUBERNETES_SERVICE_HOST").is_none() => SourceChoice::Demo {
            why: "no kubeconfig found".into(),
        },
        _ => SourceChoice::Kube,
    }
}

/// The demo cluster as the flags ask: built-in or `--seed DIR`, with `--seed-rng`.
pub fn demo_cluster(
    global: &GlobalArgs,
    now: Timestamp,
    notices: &mut Vec<String>,
) -> Result<DemoCluster, String> {
    let seed = global.seed_rng.unwrap_or(DEFAULT_SEED);
    let cluster = match &global.seed {
        Some(file) if crate::recorder::cli::is_recording(file) => {
            // A recording's state at --at (else its end), on the recording's clock.
            let (objects, at) = crate::recorder::cli::seed_objects(file, global.at.as_deref())?;
            DemoCluster::new(objects, seed, at)
        }
        Some(dir) => {
            let (cluster, problems) = DemoCluster::from_dir(dir, seed, now)?;
            notices.extend(problems.iter().map(|p| p.to_string()));
            cluster
        }
        None => DemoCluster::builtin(seed, now),
    };
    Ok(match (global.scale, global.churn) {
        (Some(spec), churn) => cluster.with_scale(spec, seed, churn.unwrap_or(0.0)),
        (None, Some(_)) => {
            notices.push("--churn changes generated objects only; add --scale".into());
            cluster
        }
        (None, None) => cluster,
    })
}

/// The namespace a real cluster starts in, as kubectl picks it: none with `-A`, else `-n`, else
/// the context's namespace.
pub fn kube_namespace(global: &GlobalArgs, context_namespace: &str) -> Option<String> {
    if global.all_namespaces {
        return None;
    }
    Some(
        global
            .namespace
            .clone()
            .unwrap_or_else(|| context_namespace.to_string()),
    )
}

/// A fresh app for this setup.
pub fn app(global: &GlobalArgs, setup: &Setup, context: &str, now: Timestamp) -> App {
    let mut app = App::new(context, now);
    app.readonly = global.readonly;
    app.favourite_namespaces = setup.settings.favourite_namespaces.clone();
    if !global.all_namespaces {
        app.namespace = global.namespace.clone();
    }
    app
}

/// Keeps unsent edits under the state dir from now on, and offers the drafts a previous run
/// left (returned as start-up notices). The command line's history and saved logs live there
/// too.
pub fn keep_drafts(app: &mut App, setup: &Setup) -> Vec<String> {
    let dir = setup.paths.drafts_dir();
    let (drafts, notices) = crate::app::editor::load_drafts(&dir);
    app.drafts = drafts;
    app.drafts_dir = Some(dir);
    let history = setup.paths.palette_history_file();
    if let Ok(text) = std::fs::read_to_string(&history) {
        app.palette_history = crate::app::update::history_from_file(&text);
    }
    app.palette_history_file = Some(history);
    app.saved_logs_dir = Some(setup.paths.saved_logs_dir());
    notices
}

/// The one writer of a kube context: the API server through kube-rs, maintenance records on this
/// machine when the cluster has no CRD for them, behind the read-only guard and the audit log.
pub fn kube_writer(
    client: kube::Client,
    global: &GlobalArgs,
    setup: &Setup,
    context: &str,
) -> crate::cluster::writer::Guarded {
    use crate::cluster::local_records::{WithLocalRecords, dir_for};
    use crate::cluster::writer::{Guarded, KubeWriter};
    let cluster = Box::new(KubeWriter::new(client));
    let local = WithLocalRecords::new(cluster, dir_for(&setup.paths.state_dir, context));
    Guarded::new(
        Box::new(local),
        global.readonly,
        Some(setup.paths.audit_log()),
    )
}

/// Maintenance records kept on this machine for `context` go into the store (the cluster has
/// no CRD for them, so no watch brings them); returns notices for files that cannot be read.
pub fn keep_local_records(app: &mut App, setup: &Setup, context: &str) -> Vec<String> {
    use crate::cluster::ClusterEvent;
    use crate::cluster::local_records::{dir_for, load};
    let (objects, problems) = load(&dir_for(&setup.paths.state_dir, context));
    for obj in objects {
        app.store.apply(ClusterEvent::Applied(obj), app.now);
    }
    problems
}
