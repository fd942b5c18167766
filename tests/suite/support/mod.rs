//! Harnesses shared by the modules that run the console in a real terminal or against a real
//! API server.

pub mod fluid_level;
pub mod pty_session;
pub mod wizard_console;

/// An e2e harness script of `tests/e2e/` (asserted to exist), and the state dir a level runs in:
/// the one named by `var`, else one for this test process alone (concurrent `cargo test` runs
/// must not stop or restart each other's servers).
pub fn e2e_script_and_state(script: &str, var: &str, prefix: &str) -> (std::path::PathBuf, String) {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tests/e2e").join(script);
    assert!(script.exists(), "{} is missing", script.display());
    let state = std::env::var(var).unwrap_or_else(|_| {
        std::env::temp_dir()
            .join(format!("{prefix}-{}", std::process::id()))
            .display()
            .to_string()
    });
    (script, state)
}
