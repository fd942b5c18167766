//! The release of a real terminal session: the binary runs in a pseudo-terminal, keys are
//! pressed, the screen is read back through a terminal emulator, and after every way out (q,
//! Ctrl-C, SIGTERM, panic) the terminal must be restored: alternate screen left, cursor shown,
//! line discipline back to canonical mode with echo.

use std::time::{Duration, Instant};

use portable_pty::CommandBuilder;

use crate::support::pty_session;
use pty_session::{PtySession, fresh_home};

const BIN: &str = env!("CARGO_BIN_EXE_fluidops");

struct Session {
    pty: PtySession,
    _home: tempfile::TempDir,
}

/// Starts `sh -c '<fluidops ARGS>; echo; stty -a'` so the terminal state after exit is printed.
fn start(args: &str, cols: u16, rows: u16, extra_env: &[(&str, &str)]) -> Session {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = CommandBuilder::new("sh");
    cmd.arg("-c");
    cmd.arg(format!(
        "'{BIN}' {args}; echo \"EXIT=$?\"; stty -a; echo STTY-END"
    ));
    fresh_home(&mut cmd, home.path());
    cmd.env_remove("KUBECONFIG");
    cmd.env_remove("NO_COLOR");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    Session {
        pty: PtySession::spawn(cmd, cols, rows),
        _home: home,
    }
}

impl Session {
    fn bytes(&self) -> Vec<u8> {
        self.pty.bytes()
    }
    fn screen(&self) -> String {
        self.pty.screen()
    }
    fn wait_for(&self, what: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    fn keys(&mut self, keys: &str) {
        self.pty.send(keys);
        std::thread::sleep(Duration::from_millis(150));
    }
    fn wait_exit(&mut self, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.pty.child.try_wait().unwrap() {
                let drained = Instant::now() + Duration::from_secs(3);
                while !String::from_utf8_lossy(&self.bytes()).contains("STTY-END")
                    && Instant::now() < drained
                {
                    std::thread::sleep(Duration::from_millis(50));
                }
                assert!(status.success(), "shell failed: {status:?}");
                return String::from_utf8_lossy(&self.bytes()).to_string();
            }
            assert!(
                Instant::now() < deadline,
                "did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    fn pid_of_console(&self) -> Option<u32> {
        // The shell's child is the console.
        let shell = self.pty.child.process_id()?;
        let out = std::process::Command::new("pgrep")
            .args(["-P", &shell.to_string()])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }
}

/// After exit: alternate screen left, cursor shown, canonical mode and echo back on.
fn assert_restored(out: &str) {
    let leave = out
        .rfind("\x1b[?1049l")
        .expect("alternate screen was not left");
    let enter = out
        .rfind("\x1b[?1049h")
        .expect("alternate screen was never entered");
    assert!(
        leave > enter,
        "alternate screen entered again after leaving"
    );
    assert!(out.contains("\x1b[?25h"), "cursor not shown again");
    let paste_on = out
        .rfind("\x1b[?2004h")
        .expect("bracketed paste was never enabled");
    let paste_off = out
        .rfind("\x1b[?2004l")
        .expect("bracketed paste was not disabled");
    assert!(paste_off > paste_on, "bracketed paste left on");
    let stty = &out[out.rfind("EXIT=").expect("no exit line")..];
    let flags: Vec<&str> = stty.split_whitespace().collect();
    let on = |f: &str| flags.contains(&f) && !flags.contains(&format!("-{f}").as_str());
    assert!(on("icanon"), "raw mode left on:\n{stty}");
    assert!(on("echo"), "echo left off:\n{stty}");
}

#[test]
fn starts_on_the_demo_cluster_navigates_and_quits_cleanly() {
    let mut s = start("", 120, 40, &[]);
    let screen = s.wait_for("imagenet-train", 20);
    assert!(
        screen.contains("ctx:demo"),
        "header does not say demo:\n{screen}"
    );
    s.keys(":pods\r");
    s.wait_for("COMPONENT", 5);
    s.keys("/worker\r");
    s.wait_for("/worker", 5);
    s.keys("\x1b\x1b:ops\r");
    s.wait_for("DataLoad", 5);
    s.keys("?");
    s.wait_for("Keys (from the active keymap)", 5);
    s.keys("?q");
    let out = s.wait_exit(10);
    assert!(out.contains("EXIT=0"), "console exit status not 0");
    assert_restored(&out);
}

#[test]
fn ctrl_c_quits_and_restores() {
    let mut s = start("--demo", 80, 24, &[]);
    s.wait_for("runtimes", 20);
    s.keys("\x03");
    let out = s.wait_exit(10);
    assert!(out.contains("EXIT=0"));
    assert_restored(&out);
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut s = start("--demo", 80, 24, &[]);
    s.wait_for("runtimes", 20);
    let pid = s.pid_of_console().expect("console pid");
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let out = s.wait_exit(10);
    assert_restored(&out);
}

#[test]
fn a_panic_restores_the_terminal_before_reporting() {
    let mut s = start("--demo", 80, 24, &[("FLUIDOPS_TEST_PANIC", "1")]);
    let out = s.wait_exit(20);
    assert!(
        out.contains("forced panic for testing"),
        "panic report missing:\n{out}"
    );
    assert!(!out.contains("EXIT=0"), "a panic must not exit 0");
    assert_restored(&out);
}

#[test]
fn a_tiny_terminal_still_quits_on_q() {
    let mut s = start("--demo", 20, 6, &[]);
    std::thread::sleep(Duration::from_millis(800));
    s.keys("q");
    let out = s.wait_exit(10);
    assert!(out.contains("EXIT=0"));
    assert_restored(&out);
}

#[test]
fn nothing_is_written_while_nothing_changes() {
    // A seed with one class only: no runtime, so the simulated cluster has nothing to do.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("class.yaml"),
        "apiVersion: data.fluid.io/v1alpha1\nkind: CacheRuntimeClass\nmetadata:\n  name: still\n  creationTimestamp: \"2026-01-01T00:00:00Z\"\nfileSystemType: curvinefs\n",
    )
    .unwrap();
    let mut s = start(&format!("--seed '{}'", dir.path().display()), 100, 30, &[]);
    s.wait_for("runtimes", 20);
    s.keys(":classes\r");
    s.wait_for("still", 5);
    std::thread::sleep(Duration::from_millis(1500));
    let before = s.bytes().len();
    std::thread::sleep(Duration::from_secs(3));
    let after = s.bytes().len();
    assert_eq!(after, before, "{} bytes written while idle", after - before);
    s.keys("q");
    s.wait_exit(10);
}

/// `$EDITOR` from the built-in editor (Ctrl-O): the screen is handed to the editor program, its
/// result comes back into the buffer, and the console's screen is restored; an editor that fails
/// leaves the buffer as it was and says why.
#[test]
fn the_external_editor_edits_the_buffer_and_hands_the_screen_back() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good-editor.sh");
    std::fs::write(
        &good,
        "#!/bin/sh\nsed -i '1i # changed-in-external-editor' \"$1\"\n",
    )
    .unwrap();
    let bad = dir.path().join("bad-editor.sh");
    std::fs::write(&bad, "#!/bin/sh\nexit 3\n").unwrap();
    for p in [&good, &bad] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let good = good.to_string_lossy().to_string();
    let bad = bad.to_string_lossy().to_string();

    let mut s = start("", 120, 40, &[("EDITOR", &good), ("VISUAL", "")]);
    s.wait_for("imagenet-train", 20);
    s.keys(":classes\r");
    s.wait_for("curvine-standard", 5);
    s.keys("/curvine-standard\r");
    s.keys("e");
    s.wait_for("edit CacheRuntimeClass/curvine-standard", 5);
    s.keys("\x0f");
    let screen = s.wait_for("# changed-in-external-editor", 10);
    assert!(
        screen.contains("edit CacheRuntimeClass/curvine-standard"),
        "the console's editor is back with the edited text:\n{screen}"
    );
    s.keys("\x1b");
    s.wait_for("Discard", 5);
    s.keys("y");
    s.keys("q");
    assert_restored(&s.wait_exit(10));

    let mut s = start("", 120, 40, &[("EDITOR", &bad), ("VISUAL", "")]);
    s.wait_for("imagenet-train", 20);
    s.keys(":classes\r/curvine-standard\r");
    s.keys("e");
    s.wait_for("edit CacheRuntimeClass/curvine-standard", 5);
    s.keys("\x0f");
    let screen = s.wait_for("exited with", 10);
    assert!(
        screen.contains("edit CacheRuntimeClass/curvine-standard"),
        "the buffer is kept:\n{screen}"
    );
}

/// Opens the spec editor on the curvine-standard class and returns when it shows.
fn open_class_editor(s: &mut Session) {
    s.wait_for("imagenet-train", 20);
    s.keys(":classes\r");
    s.wait_for("curvine-standard", 5);
    s.keys("/curvine-standard\r");
    s.keys("e");
    s.wait_for("edit CacheRuntimeClass/curvine-standard", 5);
}

/// Waits until the screen shows `what`, at most `limit` after `since`; returns how long it took.
fn shown_within(s: &Session, what: &str, since: Instant, limit: Duration) -> Duration {
    loop {
        let screen = s.screen();
        if screen.contains(what) {
            return since.elapsed();
        }
        assert!(
            since.elapsed() < limit,
            "{what:?} not shown {limit:?} after it was sent; screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A paste lands whole and at once: 2,500 lines pasted into the editor (bracketed, as a
/// terminal sends a paste once the console asks for it) are all there within a second.
#[test]
fn a_bracketed_paste_of_2500_lines_lands_in_the_editor_within_a_second() {
    let mut s = start("", 120, 40, &[]);
    open_class_editor(&mut s);
    assert!(
        String::from_utf8_lossy(&s.bytes()).contains("\x1b[?2004h"),
        "the console does not ask for bracketed paste"
    );
    // A terminal sends a pasted line break as a carriage return.
    let lines: String = (1..=2500)
        .map(|i| format!("# pasted line {i:04}\r"))
        .collect();
    let sent = Instant::now();
    s.pty.send(&format!("\x1b[200~{lines}\x1b[201~"));
    // The cursor ends below the last pasted line: it shows, numbered 2500 (none lost).
    let took = shown_within(&s, "# pasted line 2500", sent, Duration::from_secs(1));
    let screen = s.screen();
    let last = screen
        .lines()
        .find(|l| l.contains("# pasted line 2500"))
        .unwrap();
    assert!(
        last.trim_start_matches(['│', ' ']).starts_with("2500 "),
        "line 2500 of the buffer is the last pasted one: {last:?} (after {took:?})"
    );
    s.keys("\x1b");
    s.wait_for("Discard", 5);
    s.keys("y");
    s.keys("q");
    assert_restored(&s.wait_exit(10));
}

/// A paste the terminal types as keys (no bracketed paste) is not taken one key per frame: 300
/// characters are all on screen within a second.
#[test]
fn three_hundred_typed_characters_land_within_a_second() {
    let mut s = start("", 120, 40, &[]);
    open_class_editor(&mut s);
    // Six lines of 50 keys each, Enter ending each: 300 keys.
    let keys: String = (1..=6)
        .map(|i| format!("{:<49}\r", format!("# typed line {i}")))
        .collect();
    assert_eq!(keys.chars().count(), 300);
    let sent = Instant::now();
    s.pty.send(&keys);
    shown_within(&s, "# typed line 6", sent, Duration::from_secs(1));
    let screen = s.screen();
    for i in 1..=6 {
        assert!(
            screen.contains(&format!("# typed line {i}")),
            "line {i} missing:\n{screen}"
        );
    }
    s.keys("\x1b");
    s.wait_for("Discard", 5);
    s.keys("y");
    s.keys("q");
    assert_restored(&s.wait_exit(10));
}
