//! Which cluster to talk to, decided as kubectl decides it: `--kubeconfig` (or `KUBECONFIG`, a
//! list of files merged first-wins), else `~/.kube/config`, else the in-cluster service account;
//! `--context` picks a context, else the file's current context. Also the reachability check made
//! before the first frame, and plain-language descriptions of client errors.

use std::path::PathBuf;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use crate::cli::GlobalArgs;
use crate::config::Env;

/// How long the start-up reachability check may take.
pub const REACH_TIMEOUT: Duration = Duration::from_secs(5);

/// Context name shown when running inside a cluster without a kubeconfig.
pub const IN_CLUSTER_CONTEXT: &str = "in-cluster";

/// A resolved cluster connection: what the header shows and what the client uses.
#[derive(Clone)]
pub struct Target {
    /// Context name (or `in-cluster`).
    pub context: String,
    /// API server address.
    pub server: String,
    /// The context's namespace (`default` when it sets none), as kubectl uses it.
    pub namespace: String,
    /// Where the configuration came from, for messages.
    pub origin: String,
    pub config: Config,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("context", &self.context)
            .field("server", &self.server)
            .field("namespace", &self.namespace)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// The kubeconfig files to read, in kubectl's order: `--kubeconfig`, else `KUBECONFIG` when it is
/// set and not empty (split on the path separator, empty entries ignored), else
/// `~/.kube/config` if it exists. Empty when none.
pub fn kubeconfig_files(global: &GlobalArgs, env: &Env) -> Vec<PathBuf> {
    let given = global
        .kubeconfig
        .as_deref()
        .map(|p| p.as_os_str())
        .or_else(|| env.non_empty("KUBECONFIG").map(std::ffi::OsStr::new));
    if let Some(p) = given {
        let files: Vec<PathBuf> = std::env::split_paths(p)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !files.is_empty() {
            return files;
        }
    }
    match env.non_empty("HOME") {
        Some(home) => {
            let p = PathBuf::from(home).join(".kube/config");
            if p.exists() { vec![p] } else { Vec::new() }
        }
        None => Vec::new(),
    }
}

/// Whether the process runs inside a pod (the service account environment is present).
pub fn in_cluster(env: &Env) -> bool {
    env.non_empty("KUBERNETES_SERVICE_HOST").is_some()
}

/// The kubeconfig files merged first-wins, with the origin text for messages.
fn read_merged(files: &[PathBuf]) -> Result<(Kubeconfig, String), String> {
    let origin = files
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(":");
    let mut merged = Kubeconfig::default();
    for f in files {
        let one = Kubeconfig::read_from(f)
            .map_err(|e| format!("cannot read kubeconfig {}: {}", f.display(), chain(&e)))?;
        merged = merged
            .merge(one)
            .map_err(|e| format!("cannot merge kubeconfig {}: {}", f.display(), chain(&e)))?;
    }
    Ok((merged, origin))
}

/// The context names of the kubeconfig (for `:ctx`), in file order; empty when there is no
/// kubeconfig or it cannot be read.
pub fn context_names(global: &GlobalArgs, env: &Env) -> Vec<String> {
    let files = kubeconfig_files(global, env);
    match read_merged(&files) {
        Ok((merged, _)) if !files.is_empty() => {
            merged.contexts.into_iter().map(|c| c.name).collect()
        }
        _ => Vec::new(),
    }
}

/// Resolves the target cluster. The error says what was read and what is wrong with it.
pub async fn load(global: &GlobalArgs, env: &Env) -> Result<Target, String> {
    let files = kubeconfig_files(global, env);
    if files.is_empty() {
        if !in_cluster(env) {
            return Err("no kubeconfig found and not running inside a cluster".into());
        }
        let config =
            Config::incluster().map_err(|e| format!("in-cluster configuration: {}", chain(&e)))?;
        return Ok(Target {
            context: global
                .context
                .clone()
                .unwrap_or_else(|| IN_CLUSTER_CONTEXT.into()),
            server: server_text(&config.cluster_url),
            namespace: config.default_namespace.clone(),
            origin: "in-cluster service account".into(),
            config,
        });
    }
    let (merged, origin) = read_merged(&files)?;
    let context = match global
        .context
        .clone()
        .or_else(|| merged.current_context.clone())
    {
        Some(c) if !c.is_empty() => c,
        _ => {
            return Err(format!(
                "kubeconfig {origin} sets no current-context; pass --context"
            ));
        }
    };
    if !merged.contexts.iter().any(|c| c.name == context) {
        let known: Vec<&str> = merged.contexts.iter().map(|c| c.name.as_str()).collect();
        return Err(format!(
            "context \"{context}\" not found in kubeconfig {origin} (known: {})",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ));
    }
    let options = KubeConfigOptions {
        context: Some(context.clone()),
        ..Default::default()
    };
    let config = Config::from_custom_kubeconfig(merged, &options)
        .await
        .map_err(|e| {
            format!(
                "context \"{context}\" in kubeconfig {origin}: {}",
                chain(&e)
            )
        })?;
    Ok(Target {
        context,
        server: server_text(&config.cluster_url),
        namespace: config.default_namespace.clone(),
        origin,
        config,
    })
}

/// The API server address as people write it (no trailing slash on a bare host).
fn server_text(url: &impl std::fmt::Display) -> String {
    url.to_string().trim_end_matches('/').to_string()
}

/// Builds a client and checks within `timeout` that the API server answers. Returns the client
/// and the server's version, or a message naming the context, the address and what failed.
pub async fn connect(target: &Target, timeout: Duration) -> Result<(Client, String), String> {
    let unreachable = |why: String| {
        format!(
            "cannot reach the cluster of context \"{}\" at {}: {why}",
            target.context, target.server
        )
    };
    let client =
        Client::try_from(target.config.clone()).map_err(|e| unreachable(describe_error(&e)))?;
    match tokio::time::timeout(timeout, client.apiserver_version()).await {
        Err(_) => Err(unreachable(format!(
            "no answer within {} s",
            timeout.as_secs()
        ))),
        Ok(Err(e)) => Err(unreachable(describe_error(&e))),
        Ok(Ok(info)) => Ok((client, info.git_version)),
    }
}

/// A client error in plain words: the API server's own status (code, reason, message) when it
/// answered, else the chain of causes (e.g. "connection refused").
pub fn describe_error(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => {
            let mut out = format!("HTTP {}", s.code);
            if !s.reason.is_empty() {
                out.push_str(&format!(" {}", s.reason));
            }
            if !s.message.is_empty() {
                out.push_str(&format!(": {}", s.message));
            }
            out
        }
        other => {
            let text = chain(other);
            // kube-rs prefixes transport failures with its own variant name; the rest is the
            // useful part ("client error (Connect): tcp connect error: Connection refused").
            match text.strip_prefix("ServiceError: ") {
                Some(rest) => rest.to_string(),
                None => text,
            }
        }
    }
}

/// The messages of an error and its sources, each once, joined by ": ".
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let msg = err.to_string();
        // Wrappers often repeat their source's text; keep only new information.
        if !msg.is_empty()
            && !parts
                .iter()
                .any(|p| p.contains(&msg) || msg.contains(p.as_str()))
        {
            parts.push(msg);
        } else if let Some(last) = parts.last_mut()
            && msg.len() > last.len()
            && msg.contains(last.as_str())
        {
            *last = msg;
        }
        cur = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(
        dir: &std::path::Path,
        name: &str,
        ctx: &str,
        server: &str,
        ns: Option<&str>,
    ) -> PathBuf {
        let ns = ns
            .map(|n| format!("\n    namespace: {n}"))
            .unwrap_or_default();
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c-{ctx}\n  cluster:\n    server: {server}\nusers:\n- name: u-{ctx}\n  user:\n    token: t\ncontexts:\n- name: {ctx}\n  context:\n    cluster: c-{ctx}\n    user: u-{ctx}{ns}\ncurrent-context: {ctx}\n"
        );
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[tokio::test]
    async fn kubeconfig_list_merges_first_wins_and_context_flag_picks() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(
            dir.path(),
            "a",
            "alpha",
            "https://127.0.0.1:1",
            Some("team-a"),
        );
        let b = write(dir.path(), "b", "beta", "https://127.0.0.1:2", None);
        let joined = std::env::join_paths([&a, &b]).unwrap();
        let mut global = GlobalArgs {
            kubeconfig: Some(PathBuf::from(joined)),
            ..Default::default()
        };
        let env = Env::from_pairs::<&str, &str>(&[]);
        let t = load(&global, &env).await.unwrap();
        assert_eq!(
            (t.context.as_str(), t.namespace.as_str()),
            ("alpha", "team-a")
        );
        assert!(t.server.contains(":1"), "{}", t.server);
        global.context = Some("beta".into());
        let t = load(&global, &env).await.unwrap();
        assert_eq!(
            (t.context.as_str(), t.namespace.as_str()),
            ("beta", "default")
        );
        assert_eq!(context_names(&global, &env), ["alpha", "beta"]);
        global.context = Some("gamma".into());
        let e = load(&global, &env).await.unwrap_err();
        assert!(
            e.contains("\"gamma\" not found") && e.contains("alpha, beta"),
            "{e}"
        );
    }

    #[test]
    fn kubeconfig_comes_from_the_flag_then_a_non_empty_kubeconfig_then_home() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap();
        std::fs::create_dir_all(dir.path().join(".kube")).unwrap();
        std::fs::write(dir.path().join(".kube/config"), "").unwrap();
        let in_home = dir.path().join(".kube/config");
        let none = GlobalArgs::default();
        // KUBECONFIG="" is unset, as kubectl has it.
        let env = Env::from_pairs(&[("HOME", home), ("KUBECONFIG", "")]);
        assert_eq!(kubeconfig_files(&none, &env), [in_home]);
        let env = Env::from_pairs(&[("HOME", home), ("KUBECONFIG", "/a:/b")]);
        assert_eq!(
            kubeconfig_files(&none, &env),
            [PathBuf::from("/a"), PathBuf::from("/b")]
        );
        let flag = GlobalArgs {
            kubeconfig: Some(PathBuf::from("/c")),
            ..Default::default()
        };
        assert_eq!(kubeconfig_files(&flag, &env), [PathBuf::from("/c")]);
        let env = Env::from_pairs(&[("KUBECONFIG", "")]);
        assert!(kubeconfig_files(&none, &env).is_empty());
    }

    #[tokio::test]
    async fn missing_file_and_unreachable_server_are_plain_messages() {
        let dir = tempfile::tempdir().unwrap();
        let global = GlobalArgs {
            kubeconfig: Some(dir.path().join("nope")),
            ..Default::default()
        };
        let env = Env::from_pairs::<&str, &str>(&[]);
        let e = load(&global, &env).await.unwrap_err();
        assert!(e.starts_with("cannot read kubeconfig"), "{e}");

        // A port nothing listens on: refused quickly, message names context and address.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let p = write(
            dir.path(),
            "c",
            "gone",
            &format!("https://127.0.0.1:{port}"),
            None,
        );
        let global = GlobalArgs {
            kubeconfig: Some(p),
            ..Default::default()
        };
        let t = load(&global, &env).await.unwrap();
        let Err(e) = connect(&t, REACH_TIMEOUT).await else {
            panic!("connected to a closed port")
        };
        assert!(
            e.contains("context \"gone\"") && e.contains(&format!("127.0.0.1:{port}")),
            "{e}"
        );
        assert!(e.to_lowercase().contains("refused"), "{e}");
    }

    #[test]
    fn no_kubeconfig_means_no_files() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_pairs(&[("HOME", dir.path().to_str().unwrap())]);
        assert!(kubeconfig_files(&GlobalArgs::default(), &env).is_empty());
    }
}
