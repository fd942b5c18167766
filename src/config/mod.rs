//! Configuration: paths, `config.toml` settings, keymaps and themes.
//!
//! Built-in keymaps (`keymaps/*.toml`) and themes (`themes/*.toml`) are compiled in; the user's
//! files under the config directory overlay or shadow them. Nothing here ever fails hard: every
//! problem in a file becomes a [`Warning`] (`file:line:col: message`) and defaults stay active.
//! All user-visible texts of this module are in [`messages`].

pub mod env;
pub mod keymap;
pub mod keys;
pub mod messages;
pub mod paths;
pub mod settings;
pub mod source;
pub mod style_spec;
pub mod suggest;
pub mod theme;
pub mod theme_select;

pub use env::{Env, ascii_wanted, no_color};
pub use keymap::{HelpRow, KeyMode, Keymap};
pub use keys::{Key, normalize};
pub use paths::Paths;
pub use settings::{ContextRule, Settings};
pub use source::Warning;
pub use theme::{Theme, ThemeLoader};
pub use theme_select::{ThemeChoice, ThemeReason, ThemeRequest, choose_theme};
