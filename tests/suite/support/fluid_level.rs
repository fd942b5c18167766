//! The upstream Fluid level of the end-to-end tests (tests/e2e/fluid.sh): the API server with
//! kube-controller-manager, kube-scheduler, kwok and Fluid's own controllers built from Fluid's
//! source. One bring-up per test process, shared by the modules that use it (`e2e_fluid`,
//! `e2e_fluid_wizards`), each in namespaces and with names of its own; taken down when the
//! process exits unless `FLUIDOPS_E2E_KEEP=1` or it was already up. `FLUIDOPS_E2E=0` skips.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fluidops::cli::GlobalArgs;
use fluidops::cluster::kube_config;
use fluidops::config::Env;
use kube::Client;

pub struct Level {
    /// Whether this process brought the level up (then it takes it down at exit, unless
    /// FLUIDOPS_E2E_KEEP=1).
    pub started_here: bool,
    pub script: PathBuf,
    pub env: HashMap<String, String>,
    pub kubeconfig: PathBuf,
    /// Fluid's source tree (the upstream manifests), as the harness exports it.
    pub fluid_src: PathBuf,
    pub state: PathBuf,
}

static LEVEL: OnceLock<Level> = OnceLock::new();

/// The label (and taint) of the kwok nodes a module's workers run on; its value names the
/// module's group.
pub const WORKER_NODE_LABEL: &str = "fluidops-e2e";

pub fn skipped() -> bool {
    std::env::var("FLUIDOPS_E2E").is_ok_and(|v| v == "0")
}

extern "C" fn take_down_at_exit() {
    if let Some(l) = LEVEL.get()
        && l.started_here
        && std::env::var("FLUIDOPS_E2E_KEEP").map_or(true, |v| v != "1")
    {
        let _ = Command::new(&l.script).arg("down").envs(&l.env).output();
    }
}

/// `export K=V` lines of the harness into a map; PATH gets the harness's directory in front.
fn parse_exports(stdout: &str) -> HashMap<String, String> {
    let mut env = HashMap::new();
    for line in stdout.lines() {
        let Some((k, v)) = line.strip_prefix("export ").and_then(|r| r.split_once('=')) else {
            continue;
        };
        let v = v.trim_matches('\'').trim_matches('"');
        if k == "PATH" {
            let dir = v.split(':').next().unwrap_or("").trim_matches('"');
            let path = format!("{dir}:{}", std::env::var("PATH").unwrap_or_default());
            env.insert(k.to_string(), path);
        } else {
            env.insert(k.to_string(), v.to_string());
        }
    }
    env
}

pub fn level() -> &'static Level {
    LEVEL.get_or_init(|| {
        // Its own API server: the other e2e tests write pod statuses themselves, which kwok
        // and the scheduler would change under them.
        let (script, state) = super::e2e_script_and_state(
            "fluid.sh",
            "FLUIDOPS_E2E_FLUID_STATE",
            "fluidops-e2e-fluid",
        );
        let mut env = HashMap::from([("FLUIDOPS_E2E_STATE".to_string(), state.clone())]);
        let was_up = Command::new(&script)
            .arg("status")
            .envs(&env)
            .output()
            .is_ok_and(|o| o.status.success());
        let t0 = Instant::now();
        let out = Command::new(&script)
            .arg("up")
            .envs(&env)
            .output()
            .expect("run tests/e2e/fluid.sh up");
        if !was_up {
            // SAFETY: registers a plain function with the C runtime; it runs once at exit.
            unsafe {
                libc::atexit(take_down_at_exit);
            }
        }
        assert!(
            out.status.success(),
            "the Fluid level did not come up (tests/e2e/fluid.sh up); \
             set FLUIDOPS_E2E=0 to skip the end-to-end tests on purpose.\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!(
            "fluid.sh up took {:.1} s:\n{}",
            t0.elapsed().as_secs_f64(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .filter(|l| l.contains(" in ") || l.contains("up "))
                .collect::<Vec<_>>()
                .join("\n")
        );
        env.extend(parse_exports(&String::from_utf8_lossy(&out.stdout)));
        let kubeconfig = PathBuf::from(env.get("KUBECONFIG").expect("KUBECONFIG exported"));
        let fluid_src = PathBuf::from(
            env.get("FLUIDOPS_E2E_FLUID_SRC_DIR")
                .expect("FLUIDOPS_E2E_FLUID_SRC_DIR exported"),
        );
        Level {
            started_here: !was_up,
            script,
            env,
            kubeconfig,
            fluid_src,
            state: PathBuf::from(state),
        }
    })
}

impl Level {
    pub fn kubectl(&self, args: &[&str]) -> String {
        let out = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .envs(&self.env)
            .output()
            .expect("run kubectl");
        assert!(
            out.status.success(),
            "kubectl {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Loses `node` as when its kubelet stops: nobody renews its Lease in kube-node-lease any
    /// more. The Lease is handed to a holder that never renews it (for an hour); kwok then treats
    /// the node as held by another kwok and leaves it and its pods alone, and the node lifecycle
    /// controller, seeing no heartbeat for its grace period (20 s, tests/e2e/fluid.sh), marks the
    /// node Ready=Unknown, taints it unreachable and marks its pods Ready=False (event
    /// NodeNotReady). Removing the node's `kwok.x-k8s.io/node` annotation does not do it: kwok
    /// filters the update out as a node it does not manage, never sees it go and keeps renewing.
    pub fn lose_node(&self, node: &str) {
        self.kubectl(&[
            "patch",
            "lease",
            "-n",
            "kube-node-lease",
            node,
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"holderIdentity":"fluidops-e2e-lost-node","leaseDurationSeconds":3600}}"#,
        ]);
    }

    /// One of the upstream Curvine e2e manifests.
    pub fn manifest(&self, file: &str) -> PathBuf {
        let p = self.fluid_src.join("test/gha-e2e/curvine").join(file);
        assert!(p.exists(), "{} is missing", p.display());
        p
    }

    pub fn create(&self, file: &Path) {
        self.kubectl(&["create", "-f", file.to_str().unwrap()]);
    }

    /// One upstream Curvine manifest with `edits` (plain text replacements, each asserted to
    /// apply) created in namespace `ns`.
    pub fn create_upstream_in(&self, ns: &str, file: &str, edits: &[(&str, &str)]) {
        let mut text = std::fs::read_to_string(self.manifest(file)).unwrap();
        for (from, to) in edits {
            assert!(text.contains(from), "{file} has {from:?}");
            text = text.replacen(from, to, 1);
        }
        let path = self.state.join(format!("{ns}-{file}"));
        std::fs::write(&path, text).unwrap();
        self.kubectl(&["create", "-n", ns, "-f", path.to_str().unwrap()]);
    }

    /// A kwok node only the workers of `group` go to: labelled `fluidops-e2e=<group>` for their
    /// nodeSelector, tainted so that nothing else (masters, other modules' pods, job pods) lands
    /// there. Curvine's workers allow one per node across all datasets (a required
    /// anti-affinity on `fluid.io/dataset`), so each module's worker gets nodes of its own.
    pub fn create_worker_node(&self, name: &str, group: &str) {
        let path = self.state.join(format!("{name}.yaml"));
        let node = serde_json::json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "annotations": {"kwok.x-k8s.io/node": "fake"},
                         "labels": {"kubernetes.io/hostname": name, "type": "kwok",
                                    WORKER_NODE_LABEL: group}},
            "spec": {"taints": [{"key": WORKER_NODE_LABEL, "value": group,
                                 "effect": "NoSchedule"}]},
            "status": {"allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                       "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110"}}
        });
        std::fs::write(&path, node.to_string()).unwrap();
        self.kubectl(&["create", "-f", path.to_str().unwrap()]);
    }

    /// Upstream's Curvine e2e set up in namespace `ns` (created here): the credentials Secret,
    /// the mount script, the class renamed `class` (classes are cluster-wide) with
    /// `class_edits`, the dataset, and the runtime with its worker on `worker_node` (created
    /// for `group`, see [`Level::create_worker_node`]).
    pub fn create_curvine_in(
        &self,
        ns: &str,
        group: &str,
        worker_node: &str,
        class: &str,
        class_edits: &[(&str, &str)],
    ) {
        self.kubectl(&["create", "namespace", ns]);
        let secret = upstream_secret(self);
        self.kubectl(&["create", "-n", ns, "-f", secret.to_str().unwrap()]);
        self.create_upstream_in(ns, "mount.yaml", &[]);
        let renamed = format!("name: {class}");
        let mut edits = vec![("name: curvine-demo", renamed.as_str())];
        edits.extend_from_slice(class_edits);
        self.create_upstream_in(ns, "cacheruntimeclass.yaml", &edits);
        self.create_upstream_in(ns, "dataset.yaml", &[]);
        self.create_worker_node(worker_node, group);
        let class_ref = format!("runtimeClassName: {class}");
        let placement = format!(
            "\n  worker:\n    nodeSelector:\n      {WORKER_NODE_LABEL}: {group}\n    \
             tolerations:\n    - key: {WORKER_NODE_LABEL}\n      operator: Exists\n      \
             effect: NoSchedule\n"
        );
        self.create_upstream_in(
            ns,
            "cacheruntime.yaml",
            &[
                ("runtimeClassName: curvine-demo", class_ref.as_str()),
                ("\n  worker:\n", placement.as_str()),
            ],
        );
    }

    pub fn log_tail(&self, name: &str, lines: usize) -> String {
        let text = std::fs::read_to_string(self.state.join(name)).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// What to look at when Fluid did not get somewhere.
    pub fn diagnostics(&self) -> String {
        let get = |args: &[&str]| {
            Command::new("kubectl")
                .arg("--kubeconfig")
                .arg(&self.kubeconfig)
                .args(args)
                .envs(&self.env)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default()
        };
        format!(
            "--- pods\n{}\n--- events\n{}\n--- cacheruntime-controller.log\n{}\n\
             --- dataset-controller.log\n{}\n--- podexec.log\n{}",
            get(&["get", "pods", "-A", "-o", "wide"]),
            get(&["get", "events", "-A", "--sort-by=.lastTimestamp"]),
            self.log_tail("cacheruntime-controller.log", 40),
            self.log_tail("dataset-controller.log", 30),
            self.log_tail("podexec.log", 20),
        )
    }
}

/// The Secret the upstream test ships in minio.yaml (the S3 credentials the Dataset refers
/// to); minio itself is not needed, the stand-in `cv` keeps the mount table.
pub fn upstream_secret(l: &Level) -> PathBuf {
    let text = std::fs::read_to_string(l.manifest("minio.yaml")).unwrap();
    let doc = text
        .split("\n---")
        .find(|d| d.lines().any(|line| line.trim() == "kind: Secret"))
        .expect("a Secret in minio.yaml");
    let path = l.state.join("curvine-secret.yaml");
    std::fs::write(&path, doc).unwrap();
    path
}

pub async fn client_for(kubeconfig: &Path) -> Client {
    let global = GlobalArgs {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        ..Default::default()
    };
    let target = kube_config::load(&global, &Env::default())
        .await
        .expect("kubeconfig");
    let (client, _) = kube_config::connect(&target, Duration::from_secs(10))
        .await
        .expect("API server reachable");
    client
}
