//! Putting text on the operator's clipboard: the OSC 52 escape sequence, which the terminal
//! carries out wherever it runs (over SSH too, and in tmux with `set -g set-clipboard on`), and,
//! on a local desktop, the desktop's own clipboard tool as well (wl-copy, xclip, xsel, pbcopy).

use std::io::Write;

use crate::config::Env;

/// The OSC 52 sequence that sets the clipboard to `text`.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The desktop clipboard tool to use as well, if this is a local desktop session: none over
/// SSH (the clipboard that matters is the operator's, which OSC 52 reaches).
pub fn native_tool(env: &Env) -> Option<(&'static str, &'static [&'static str])> {
    let set = |name: &str| env.get(name).is_some_and(|v| !v.is_empty());
    if set("SSH_CONNECTION") || set("SSH_TTY") {
        return None;
    }
    if cfg!(target_os = "macos") {
        return Some(("pbcopy", &[]));
    }
    if set("WAYLAND_DISPLAY") {
        return Some(("wl-copy", &[]));
    }
    if set("DISPLAY") {
        return Some(("xclip", &["-selection", "clipboard"]));
    }
    None
}

/// Sends `text` to the clipboard: OSC 52 to the terminal, and the desktop's tool when there is
/// one (a missing tool is not an error: OSC 52 went out).
pub fn copy(out: &mut impl Write, text: &str, env: &Env) -> std::io::Result<()> {
    out.write_all(osc52(text).as_bytes())?;
    out.flush()?;
    if let Some((program, args)) = native_tool(env) {
        let spawned = std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = spawned {
            if let Some(mut stdin) = child.stdin.take() {
                let _ = stdin.write_all(text.as_bytes());
            }
            // The tool may stay to serve the selection (xclip): reap it without waiting here.
            std::thread::spawn(move || {
                let _ = child.wait();
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded, "{plain}");
        }
    }

    #[test]
    fn osc52_wraps_the_text() {
        assert_eq!(osc52("worker-0"), "\x1b]52;c;d29ya2VyLTA=\x07");
    }

    #[test]
    fn no_desktop_tool_over_ssh_or_without_a_display() {
        let ssh = Env::from_pairs(&[("SSH_CONNECTION", "1 2 3 4"), ("DISPLAY", ":0")]);
        assert_eq!(native_tool(&ssh), None);
        if !cfg!(target_os = "macos") {
            assert_eq!(native_tool(&Env::from_pairs::<&str, &str>(&[])), None);
            let wayland = Env::from_pairs(&[("WAYLAND_DISPLAY", "wayland-0"), ("DISPLAY", ":0")]);
            assert_eq!(native_tool(&wayland).map(|t| t.0), Some("wl-copy"));
            let x = Env::from_pairs(&[("DISPLAY", ":0")]);
            assert_eq!(native_tool(&x).map(|t| t.0), Some("xclip"));
        }
    }
}
