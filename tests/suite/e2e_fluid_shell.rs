//! `s` on a pod of a runtime upstream Fluid brought up (the level of `support::fluid_level`,
//! shared with `e2e_fluid`; this module works in namespace `shell` with a class and a worker node
//! of its own): the console, run in a pseudo-terminal against the level's API server, opens a
//! real shell through the API server's exec and kwok's pods/exec (the kubelet here, a pty of its
//! own around the stand-in container of `tests/e2e/fluid/podexec.sh`). In the shell the engine's
//! CLI prints the mount table Fluid's mountUFS wrote, the terminal's size arrived, Ctrl-C
//! interrupts the command in the pod (the terminal is raw), the container's environment is its
//! own; `exit` hands the terminal back to the console, which
//! redraws the pods view and says how the shell ended; the audit logs (the console's and the API
//! server's) record each shell. The class gives the master a sidecar, so `s` first asks which
//! container, starting on the engine's.

use std::time::{Duration, Instant};

use portable_pty::CommandBuilder;
use serde_json::Value;

use crate::support::fluid_level::{Level, level, skipped};
use crate::support::pty_session::{PtySession, fresh_home};

/// How long Fluid gets to bring the runtime up (about 3 s on an idle machine).
const WAIT: Duration = Duration::from_secs(120);
/// How long a screen may take to show what a key asked for.
const SCREEN: Duration = Duration::from_secs(30);
const NS: &str = "shell";
/// The upstream class, renamed: classes are cluster-wide.
const CLASS: &str = "curvine-shell";
const GROUP: &str = "shell";
const WORKER_NODE: &str = "kwok-shell";
const MASTER_POD: &str = "curvine-demo-master-0";
const SIDECAR: &str = "log-shipper";
const COLS: u16 = 100;
const ROWS: u16 = 24;

/// The upstream class with a sidecar next to the master's engine container (after it: Fluid
/// runs mountUFS in the pod's first container).
fn sidecar_edit() -> (&'static str, String) {
    let from = "            imagePullPolicy: IfNotPresent\n        volumes:\n";
    let to = format!(
        "            imagePullPolicy: IfNotPresent\n          - name: {SIDECAR}\n            \
         image: busybox:1.36\n            command: [sh, -c, 'sleep infinity']\n            \
         env:\n              - name: ROLE\n                value: {SIDECAR}\n        volumes:\n"
    );
    (from, to)
}

/// Polls `kubectl get` until `jsonpath` of `object` in NS reads `want`, failing with the
/// level's diagnostics after WAIT.
fn until_kubectl(l: &Level, object: &str, jsonpath: &str, want: &str) -> Duration {
    let t0 = Instant::now();
    loop {
        let got = l.kubectl(&[
            "get",
            "-n",
            NS,
            object,
            "--ignore-not-found",
            "-o",
            &format!("jsonpath={jsonpath}"),
        ]);
        if got == want {
            return t0.elapsed();
        }
        assert!(
            t0.elapsed() < WAIT,
            "Fluid did not get {object} to {jsonpath} = {want:?} in {WAIT:?} (it is {got:?})\n{}",
            l.diagnostics()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The console (the binary) in a terminal of COLS x ROWS with a fresh HOME, on the level.
fn console(l: &Level, home: &std::path::Path) -> PtySession {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_fluidops"));
    cmd.args(["-n", NS]);
    fresh_home(&mut cmd, home);
    cmd.env("KUBECONFIG", &l.kubeconfig);
    cmd.env_remove("KUBERNETES_SERVICE_HOST");
    PtySession::spawn(cmd, COLS, ROWS)
}

/// Whether a screen line, trimmed, is exactly `text`.
fn has_line(screen: &str, text: &str) -> bool {
    screen.lines().any(|l| l.trim_end() == text)
}

/// The lines of a JSON-lines log that mention `needle`, parsed.
fn json_lines(text: &str, needle: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| l.contains(needle))
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn a_real_shell_opens_through_the_kubelet_and_gives_the_console_back() {
    if skipped() {
        eprintln!("FLUIDOPS_E2E=0: the shell against upstream Fluid is skipped");
        return;
    }
    let t_all = Instant::now();
    let l = level();
    let (from, to) = sidecar_edit();
    l.create_curvine_in(NS, GROUP, WORKER_NODE, CLASS, &[(from, to.as_str())]);
    let took = until_kubectl(l, "dataset/curvine-demo", "{.status.phase}", "Bound");
    until_kubectl(
        l,
        &format!("pod/{MASTER_POD}"),
        "{.status.containerStatuses[*].ready}",
        "true true",
    );
    eprintln!("Fluid: dataset Bound {took:?} after the manifests");

    let home = tempfile::tempdir().unwrap();
    let mut p = console(l, home.path());
    p.wait_screen("the console connected", SCREEN, |s| {
        s.contains("ctx:e2e") && s.contains(&format!("ns:{NS}"))
    });
    p.send(":pods\r");
    p.send(&format!("/{MASTER_POD}\r"));
    let row = format!("{MASTER_POD} ");
    p.wait_screen(
        "the master pod listed, both containers ready",
        SCREEN,
        |s| s.lines().any(|l| l.contains(&row) && l.contains("2/2")),
    );

    // ------------------------------------------------ the engine's container
    let t = Instant::now();
    p.send("s");
    let choice = p.wait_screen("the container choice", SCREEN, |s| {
        s.contains("Open a shell in which container?")
    });
    assert!(
        choice.contains("master") && choice.contains(SIDECAR),
        "{choice}"
    );
    // The engine's container is chosen first.
    p.send("\r");
    let header = format!(
        "fluidops: shell in {NS}/{MASTER_POD} (master) through the API server; exit the shell \
         to return to the console"
    );
    let head = &header[..COLS as usize];
    p.wait_screen("the shell's header", SCREEN, |s| s.contains(head));
    // Typed before the shell prompts: the terminal's line discipline keeps it for bash.
    p.send("echo ready-$((6*7))\r");
    p.wait_screen("the shell answering", SCREEN, |s| has_line(s, "ready-42"));
    eprintln!(
        "shell in the engine's container answering {:?} after s",
        t.elapsed()
    );
    // The console sent the terminal's size through the exec's resize channel.
    p.send("stty size\r");
    p.wait_screen("the terminal's size in the pod", SCREEN, |s| {
        has_line(s, &format!("{ROWS} {COLS}"))
    });
    // The engine's CLI: the mount table Fluid's mountUFS wrote through pods/exec.
    p.send("/app/curvine/bin/cv mount\r");
    let table = p.wait_screen("the engine's mount table", SCREEN, |s| {
        s.contains("Total mount points:")
    });
    assert!(
        table
            .lines()
            .any(|l| l.contains("| /minio ") && l.contains("| s3://test/ ")),
        "{table}"
    );
    assert!(has_line(&table, "Total mount points: 1"), "{table}");
    // The terminal is the shell's, raw: Ctrl-C interrupts the command running in the pod, and
    // the console (which would quit on it) stays out of the way.
    p.send("sleep 300; echo slept\r");
    p.wait_screen("the command typed", SCREEN, |s| {
        s.lines()
            .any(|l| l.trim_end().ends_with("sleep 300; echo slept"))
    });
    p.send("\x03");
    p.send("echo after-$((6*7))\r");
    let after = p.wait_screen("the shell back at its prompt", SCREEN, |s| {
        has_line(s, "after-42")
    });
    assert!(!has_line(&after, "slept"), "{after}");
    assert!(
        p.child.try_wait().unwrap().is_none(),
        "the console quit:\n{after}"
    );
    let t = Instant::now();
    p.send("exit\r");
    let ended = format!("shell in {NS}/{MASTER_POD} (master) ended");
    let back = p.wait_screen("the console back", SCREEN, |s| {
        s.contains(&ended) && s.lines().any(|l| l.contains(&row))
    });
    assert!(
        back.contains(&format!("ns:{NS}")) && !back.contains("Mount Table"),
        "the pods view redrawn over the shell's output:\n{back}"
    );
    eprintln!("console back {:?} after exit", t.elapsed());

    // ------------------------------------------------ the sidecar, ending with a status
    p.send("s");
    p.wait_screen("the container choice", SCREEN, |s| {
        s.contains("Open a shell in which container?")
    });
    p.send("j\r");
    let header = format!("fluidops: shell in {NS}/{MASTER_POD} ({SIDECAR}) through");
    p.wait_screen("the sidecar's shell", SCREEN, |s| s.contains(&header));
    // The container's own environment: the sidecar's, not the engine's.
    p.send("echo role=$ROLE-$((6*7)) conf=${CURVINE_CONF_FILE:-none}\r");
    p.wait_screen("the sidecar's environment", SCREEN, |s| {
        has_line(s, &format!("role={SIDECAR}-42 conf=none"))
    });
    p.send("exit 3\r");
    let ended = format!("shell in {NS}/{MASTER_POD} ({SIDECAR}) ended:");
    p.wait_screen(
        "the console back, saying how the shell ended",
        SCREEN,
        |s| s.contains(&ended) && s.lines().any(|l| l.contains(&row)),
    );
    p.send("q");
    let deadline = Instant::now() + SCREEN;
    let status = loop {
        if let Some(status) = p.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "did not quit:\n{}", p.screen());
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}\n{}", p.screen());

    // ------------------------------------------------ the audit logs
    let console_audit = std::fs::read_to_string(home.path().join("state/fluidops/audit.log"))
        .expect("the console's audit log");
    let lines = json_lines(&console_audit, "pod.shell");
    let shell = |container: &str| -> &Value {
        lines
            .iter()
            .find(|l| l["verb"] == format!("pod.shell {container}").as_str())
            .unwrap_or_else(|| panic!("no shell into {container} audited:\n{console_audit}"))
    };
    let master = shell("master");
    assert!(
        master["object"].as_str().unwrap().contains(MASTER_POD),
        "{master}"
    );
    assert_eq!(
        master["outcome"],
        format!("shell in {NS}/{MASTER_POD} (master) ended").as_str()
    );
    let sidecar = shell(SIDECAR);
    let outcome = sidecar["outcome"].as_str().unwrap();
    // kwok's words for the exit status (a kubelet says "exit code 3").
    assert!(
        outcome.starts_with(&format!("shell in {NS}/{MASTER_POD} ({SIDECAR}) ended: "))
            && outcome.contains("exit status 3"),
        "{sidecar}"
    );
    let server_audit = std::fs::read_to_string(&l.env["FLUIDOPS_E2E_AUDIT_LOG"]).unwrap();
    let execs: Vec<String> = json_lines(&server_audit, "/exec?")
        .into_iter()
        .filter(|e| {
            e["objectRef"]["subresource"] == "exec"
                && e["objectRef"]["namespace"] == NS
                && e["objectRef"]["name"] == MASTER_POD
                && e["user"]["username"] == "admin"
        })
        .filter_map(|e| e["requestURI"].as_str().map(str::to_string))
        .collect();
    for container in ["master", SIDECAR] {
        assert!(
            execs
                .iter()
                .any(|u| u.contains(&format!("container={container}")) && u.contains("tty=true")),
            "the API server's exec into {container} as admin: {execs:#?}"
        );
    }
    eprintln!("the shell test: {:?} in all", t_all.elapsed());
}
