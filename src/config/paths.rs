//! Where fluidops reads its configuration and writes its state.
//!
//! Config: `$FLUIDOPS_CONFIG_DIR`, else `$XDG_CONFIG_HOME/fluidops`, else the platform config dir
//! (`~/.config/fluidops` on Linux). State (log, drafts, audit log): `$FLUIDOPS_STATE_DIR`, else
//! `$XDG_STATE_HOME/fluidops`, else the platform state dir (`~/.local/state/fluidops`), else the
//! platform local data dir.

use std::path::{Path, PathBuf};

use super::env::Env;

/// The application's directory name under the config and state roots.
pub const APP_DIR: &str = "fluidops";

pub const CONFIG_DIR_VAR: &str = "FLUIDOPS_CONFIG_DIR";
pub const STATE_DIR_VAR: &str = "FLUIDOPS_STATE_DIR";

/// Resolved config and state directories; every file path derives from these two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub state_dir: PathBuf,
}

impl Paths {
    /// Resolves both directories from the environment (nothing is created).
    pub fn from_env(env: &Env) -> Paths {
        let config_dir = env
            .non_empty(CONFIG_DIR_VAR)
            .map(PathBuf::from)
            .or_else(|| xdg_dir(env, "XDG_CONFIG_HOME"))
            .or_else(|| dirs::config_dir().map(|d| d.join(APP_DIR)))
            .unwrap_or_else(|| fallback_root().join("config"));
        let state_dir = env
            .non_empty(STATE_DIR_VAR)
            .map(PathBuf::from)
            .or_else(|| xdg_dir(env, "XDG_STATE_HOME"))
            .or_else(|| dirs::state_dir().map(|d| d.join(APP_DIR)))
            .or_else(|| dirs::data_local_dir().map(|d| d.join(APP_DIR).join("state")))
            .unwrap_or_else(|| fallback_root().join("state"));
        Paths {
            config_dir,
            state_dir,
        }
    }

    /// Both directories under one root, e.g. a temporary directory in tests.
    pub fn under(root: &Path) -> Paths {
        Paths {
            config_dir: root.join("config"),
            state_dir: root.join("state"),
        }
    }

    /// `config.toml`: theme, keymap preset, context rules, favourites, mouse, ascii.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// The user's keymap overlay, `keymap.toml`.
    pub fn keymap_file(&self) -> PathBuf {
        self.config_dir.join("keymap.toml")
    }

    /// User keymap presets, `keymaps/NAME.toml`.
    pub fn keymaps_dir(&self) -> PathBuf {
        self.config_dir.join("keymaps")
    }

    /// User themes, `themes/NAME.toml`; they shadow built-in themes of the same name.
    pub fn themes_dir(&self) -> PathBuf {
        self.config_dir.join("themes")
    }

    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("fluidops.log")
    }

    /// Unsent spec edits are kept here so they survive a crash.
    pub fn drafts_dir(&self) -> PathBuf {
        self.state_dir.join("drafts")
    }

    /// Every write sent to a cluster is appended here.
    pub fn audit_log(&self) -> PathBuf {
        self.state_dir.join("audit.log")
    }

    /// The command line's history (one command a line), kept between runs.
    pub fn palette_history_file(&self) -> PathBuf {
        self.state_dir.join("palette_history")
    }

    /// Logs saved with Ctrl-S.
    pub fn saved_logs_dir(&self) -> PathBuf {
        self.state_dir.join("logs")
    }

    /// Every path with a label, for `fluidops info`.
    pub fn describe(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("config dir", self.config_dir.clone()),
            ("config file", self.config_file()),
            ("keymap file", self.keymap_file()),
            ("keymaps dir", self.keymaps_dir()),
            ("themes dir", self.themes_dir()),
            ("state dir", self.state_dir.clone()),
            ("log file", self.log_file()),
            ("drafts dir", self.drafts_dir()),
            ("audit log", self.audit_log()),
            ("palette history", self.palette_history_file()),
            ("saved logs", self.saved_logs_dir()),
        ]
    }
}

/// `$VAR/fluidops` if `$VAR` is an absolute path (the XDG spec says to ignore relative ones).
fn xdg_dir(env: &Env, var: &str) -> Option<PathBuf> {
    let base = PathBuf::from(env.non_empty(var)?);
    base.is_absolute().then(|| base.join(APP_DIR))
}

fn fallback_root() -> PathBuf {
    std::env::temp_dir().join(APP_DIR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_variables_win_over_platform_dirs() {
        let env = Env::from_pairs(&[
            ("XDG_CONFIG_HOME", "/x/conf"),
            ("XDG_STATE_HOME", "/x/state"),
        ]);
        let p = Paths::from_env(&env);
        assert_eq!(p.config_dir, PathBuf::from("/x/conf/fluidops"));
        assert_eq!(p.state_dir, PathBuf::from("/x/state/fluidops"));
        assert_eq!(
            p.config_file(),
            PathBuf::from("/x/conf/fluidops/config.toml")
        );
        assert_eq!(
            p.keymap_file(),
            PathBuf::from("/x/conf/fluidops/keymap.toml")
        );
        assert_eq!(p.themes_dir(), PathBuf::from("/x/conf/fluidops/themes"));
        assert_eq!(
            p.log_file(),
            PathBuf::from("/x/state/fluidops/fluidops.log")
        );
        assert_eq!(p.drafts_dir(), PathBuf::from("/x/state/fluidops/drafts"));
        assert_eq!(p.audit_log(), PathBuf::from("/x/state/fluidops/audit.log"));
    }

    #[test]
    fn explicit_overrides_win() {
        let env = Env::from_pairs(&[
            ("XDG_CONFIG_HOME", "/x/conf"),
            (CONFIG_DIR_VAR, "/custom/cfg"),
            (STATE_DIR_VAR, "/custom/state"),
        ]);
        let p = Paths::from_env(&env);
        assert_eq!(p.config_dir, PathBuf::from("/custom/cfg"));
        assert_eq!(p.state_dir, PathBuf::from("/custom/state"));
    }

    #[test]
    fn relative_xdg_values_are_ignored() {
        let env = Env::from_pairs(&[("XDG_CONFIG_HOME", "relative/conf")]);
        let p = Paths::from_env(&env);
        assert_ne!(p.config_dir, PathBuf::from("relative/conf/fluidops"));
        assert!(p.config_dir.ends_with(APP_DIR) || p.config_dir.ends_with("config"));
    }
}
