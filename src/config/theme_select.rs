//! Which theme to use.
//!
//! Order: `--theme NAME` > `NO_COLOR` (non-empty ⇒ `mono`) > `theme =` in config.toml > the first
//! `[contexts]` pattern matching the current context > `default`. Names that do not exist are
//! skipped with a warning. If the chosen theme needs more colours than the terminal offers, it
//! falls back to `term16`, then `mono`, with a notice for the status line.

use super::messages;
use super::settings::ContextRule;
use super::source::Warning;
use super::theme::{DEFAULT_THEME, MONO_THEME, TERM16_THEME, TRUECOLOR, Theme, ThemeLoader};

/// Everything theme selection depends on.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThemeRequest<'a> {
    /// `--theme NAME`.
    pub cli: Option<&'a str>,
    /// `NO_COLOR` is set and non-empty (see [`super::env::no_color`]).
    pub no_color: bool,
    /// `theme =` from config.toml.
    pub config: Option<&'a str>,
    /// The current Kubernetes context name.
    pub context: Option<&'a str>,
    /// `[contexts]` rules from config.toml, in file order.
    pub context_rules: &'a [ContextRule],
    /// Colours the terminal offers, e.g. `crossterm::style::available_color_count()`
    /// (`u16::MAX` is taken as truecolor).
    pub colors: u32,
    /// Use ASCII phase symbols.
    pub ascii: bool,
}

/// Why a theme was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThemeReason {
    CommandLine,
    NoColor,
    Config,
    /// A `[contexts]` pattern matched.
    Context {
        pattern: String,
    },
    Default,
}

/// The outcome of theme selection.
#[derive(Clone, Debug)]
pub struct ThemeChoice {
    pub theme: Theme,
    pub reason: ThemeReason,
    /// Set when the theme had to fall back for lack of colours; for the status line.
    pub notice: Option<String>,
    /// Unknown theme names and problems in theme files.
    pub warnings: Vec<Warning>,
}

/// Picks and loads the theme for `req`.
pub fn choose_theme(req: &ThemeRequest<'_>, loader: &ThemeLoader) -> ThemeChoice {
    let mut candidates: Vec<(String, ThemeReason)> = Vec::new();
    if let Some(name) = req.cli {
        candidates.push((name.to_string(), ThemeReason::CommandLine));
    }
    if req.no_color {
        candidates.push((MONO_THEME.to_string(), ThemeReason::NoColor));
    }
    if let Some(name) = req.config {
        candidates.push((name.to_string(), ThemeReason::Config));
    }
    if let Some(rule) = req.context.and_then(|c| context_rule(req.context_rules, c)) {
        candidates.push((
            rule.theme.clone(),
            ThemeReason::Context {
                pattern: rule.pattern.clone(),
            },
        ));
    }
    candidates.push((DEFAULT_THEME.to_string(), ThemeReason::Default));

    let mut warnings = Vec::new();
    let (name, reason) = candidates
        .into_iter()
        .find(|(name, _)| {
            let ok = loader.exists(name);
            if !ok {
                let hint = loader.suggest(name);
                warnings.push(Warning::general(
                    messages::THEME_ORIGIN,
                    messages::unknown_theme(name, hint.as_deref()),
                ));
            }
            ok
        })
        .unwrap_or_else(|| (DEFAULT_THEME.to_string(), ThemeReason::Default));

    let colors = if req.colors >= u32::from(u16::MAX) {
        TRUECOLOR
    } else {
        req.colors
    };
    let (mut theme, mut w) = loader.load(&name, req.ascii);
    warnings.append(&mut w);
    let mut notice = None;
    // What the styles use counts, not only what the file claims (a user theme may say
    // `min_colors = 8` and still use palette indices).
    if theme.colors_needed() > colors && theme.name() != MONO_THEME {
        let wanted = theme.name().to_string();
        let needs = theme.colors_needed();
        let (term16, mut w) = loader.load(TERM16_THEME, req.ascii);
        if term16.colors_needed() <= colors && wanted != TERM16_THEME {
            warnings.append(&mut w);
            theme = term16;
        } else {
            let (mono, mut w) = loader.load(MONO_THEME, req.ascii);
            warnings.append(&mut w);
            theme = mono;
        }
        notice = Some(messages::theme_fallback(
            &wanted,
            needs,
            colors,
            theme.name(),
        ));
    }
    ThemeChoice {
        theme,
        reason,
        notice,
        warnings,
    }
}

/// The first rule whose pattern matches `context`.
pub fn context_rule<'r>(rules: &'r [ContextRule], context: &str) -> Option<&'r ContextRule> {
    rules.iter().find(|r| glob_match(&r.pattern, context))
}

/// Shell-style match: `*` any run of characters, `?` exactly one; everything else literal.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("prod*", "prod-eu-1"));
        assert!(glob_match("prod*", "prod"));
        assert!(!glob_match("prod*", "staging-prod"));
        assert!(glob_match("*prod*", "staging-prod"));
        assert!(glob_match("kind-?", "kind-a"));
        assert!(!glob_match("kind-?", "kind-ab"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
    }

    #[test]
    fn order_of_precedence() {
        let loader = ThemeLoader::builtin_only();
        let rules = [ContextRule {
            pattern: "prod*".into(),
            theme: "danger".into(),
        }];
        let base = ThemeRequest {
            colors: 256,
            context: Some("prod-1"),
            context_rules: &rules,
            ..ThemeRequest::default()
        };
        let pick = |req: ThemeRequest<'_>| {
            let c = choose_theme(&req, &loader);
            (c.theme.name().to_string(), c.reason)
        };
        assert_eq!(
            pick(base),
            (
                "danger".into(),
                ThemeReason::Context {
                    pattern: "prod*".into()
                }
            )
        );
        assert_eq!(
            pick(ThemeRequest {
                config: Some("light"),
                ..base
            }),
            ("light".into(), ThemeReason::Config)
        );
        assert_eq!(
            pick(ThemeRequest {
                config: Some("light"),
                no_color: true,
                ..base
            }),
            ("mono".into(), ThemeReason::NoColor)
        );
        assert_eq!(
            pick(ThemeRequest {
                cli: Some("term16"),
                no_color: true,
                ..base
            }),
            ("term16".into(), ThemeReason::CommandLine)
        );
        assert_eq!(
            pick(ThemeRequest {
                context: Some("dev"),
                ..base
            }),
            ("default".into(), ThemeReason::Default)
        );
    }

    #[test]
    fn unknown_names_are_skipped_with_a_warning() {
        let loader = ThemeLoader::builtin_only();
        let c = choose_theme(
            &ThemeRequest {
                cli: Some("ligth"),
                colors: 256,
                ..ThemeRequest::default()
            },
            &loader,
        );
        assert_eq!(c.theme.name(), "default");
        assert_eq!(
            c.warnings[0].to_string(),
            "theme: unknown theme \"ligth\" (did you mean \"light\"?)"
        );
    }

    /// Whatever is asked for, the theme chosen uses no colour the terminal lacks.
    #[test]
    fn the_chosen_theme_fits_the_terminal() {
        let dir = std::env::temp_dir().join(format!("fluidops-theme-fit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Claims 8 colours, uses a palette index.
        std::fs::write(
            dir.join("liar.toml"),
            "inherits = \"term16\"\nmin_colors = 8\n[ui]\n\"table.selected\" = { bg = 75 }\n",
        )
        .unwrap();
        let loader = ThemeLoader::new(Some(dir.clone()));
        for colors in [2, 8, 16, 256, u32::from(u16::MAX)] {
            for name in ["default", "light", "term16", "danger", "mono", "liar"] {
                let c = choose_theme(
                    &ThemeRequest {
                        cli: Some(name),
                        colors,
                        ..ThemeRequest::default()
                    },
                    &loader,
                );
                let has = if colors >= u32::from(u16::MAX) {
                    TRUECOLOR
                } else {
                    colors
                };
                assert!(
                    c.theme.colors_needed() <= has || c.theme.name() == MONO_THEME,
                    "{name} on {colors} colours chose {} needing {}",
                    c.theme.name(),
                    c.theme.colors_needed()
                );
                let fell_back = c.theme.name() != name;
                assert_eq!(c.notice.is_some(), fell_back, "{name} on {colors}");
            }
        }
        // An xterm (8 colours, as crossterm counts TERM=xterm) gets term16 for the default.
        let c = choose_theme(
            &ThemeRequest {
                colors: 8,
                ..ThemeRequest::default()
            },
            &loader,
        );
        assert_eq!(c.theme.name(), TERM16_THEME);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn truecolor_count_from_crossterm() {
        let loader = ThemeLoader::builtin_only();
        let c = choose_theme(
            &ThemeRequest {
                colors: u32::from(u16::MAX),
                ..ThemeRequest::default()
            },
            &loader,
        );
        assert_eq!(c.theme.name(), "default");
        assert_eq!(c.notice, None);
    }
}
