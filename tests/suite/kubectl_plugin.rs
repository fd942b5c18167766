//! The kubectl plugin binary: `kubectl-fluidops` is the same program as `fluidops`, and says
//! `kubectl fluidops` in its usage (kubectl runs it as `kubectl fluidops ARGS` when it is on
//! PATH).

use std::process::Command;

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-fluidops");

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(PLUGIN)
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .output()
        .expect("run kubectl-fluidops");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_names_the_kubectl_subcommand() {
    let (code, out, err) = run(&["--help"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Usage: kubectl fluidops"), "{out}");
    assert!(
        out.contains("--namespace") && out.contains("--context"),
        "{out}"
    );
    let (code, out, _) = run(&["demo", "--help"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("Usage: kubectl fluidops demo") && out.contains("--against-cluster"),
        "{out}"
    );
}

#[test]
fn info_runs_like_the_console() {
    let (code, out, err) = run(&["info", "-n", "team-a"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with(&format!("fluidops {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(out.contains("demo cluster (no kubeconfig found)"), "{out}");
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let (code, _, err) = run(&["--no-such-flag"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("Usage: kubectl fluidops"), "{err}");
}

/// `--seed` with a directory that cannot be read ends the program with status 2 and says which
/// directory and why, before anything is drawn.
#[test]
fn an_unreadable_seed_directory_is_refused_plainly() {
    let (code, out, err) = run(&["snapshot", "--seed", "/nonexistent/seed"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.starts_with("fluidops: --seed /nonexistent/seed: cannot be read:"),
        "{err}"
    );
    assert!(out.is_empty(), "{out}");
}

/// Without a terminal (`ssh host fluidops` without `-t`, a pipe, cron) the console says so in
/// one line and ends with status 2: no backtrace, no escape codes on stdout.
#[test]
fn without_a_terminal_the_console_says_so_and_draws_nothing() {
    for args in [&[][..], &["demo"][..]] {
        let (code, out, err) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}: {out:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("fluidops: the console needs a terminal, and standard input"),
            "{err}"
        );
        assert!(err.contains("ssh -t"), "{err}");
    }
}

/// `keys` lists the keymap in use and says what is wrong with the operator's keymap file, as the
/// console does at start-up.
#[test]
fn keys_says_what_is_wrong_with_the_keymap_file() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    std::fs::create_dir_all(config.join("fluidops")).unwrap();
    std::fs::write(
        config.join("fluidops/keymap.toml"),
        "[global]\n\"<C-k>\" = \"no.such.action\"\n",
    )
    .unwrap();
    let out = Command::new(PLUGIN)
        .arg("keys")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env_remove("KUBECONFIG")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("keymap.toml") && err.contains("no.such.action"),
        "{err}"
    );
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.contains("help.toggle"), "{listed}");
}
