//! What a log page shows: which container, its current or previous instance, how much history
//! (`:tail`, `:since`), and what the page's title says about it. Pure.

use super::log_strings;
use crate::cluster::log_request::{DEFAULT_TAIL_LINES, LogRequest};
use crate::model::ObjectKey;

/// How many of the newest lines to fetch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tail {
    /// [`DEFAULT_TAIL_LINES`].
    #[default]
    Default,
    Lines(i64),
    /// Everything the server holds.
    All,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// `None`: the engine container.
    pub container: Option<String>,
    /// The container's previous instance (`p`).
    pub previous: bool,
    pub tail: Tail,
    /// Only the last this many seconds (`:since 10m`), with the duration as the operator typed it.
    pub since: Option<(i64, String)>,
}

impl LogOptions {
    /// The request for `pod`'s log as these options say.
    pub fn request(&self, pod: ObjectKey) -> LogRequest {
        LogRequest {
            pod,
            container: self.container.clone(),
            previous: self.previous,
            tail_lines: match self.tail {
                Tail::Default => Some(DEFAULT_TAIL_LINES),
                Tail::Lines(n) => Some(n),
                Tail::All => None,
            },
            since_seconds: self.since.as_ref().map(|(s, _)| *s),
        }
    }

    /// What the title says beyond the pod: ` (container)`, `previous`, `tail 100`, `since 10m`.
    pub fn title(&self) -> String {
        let mut parts = Vec::new();
        if self.previous {
            parts.push(log_strings::PREVIOUS_INSTANCE.to_string());
        }
        match self.tail {
            Tail::Default => {}
            Tail::Lines(n) => parts.push(log_strings::tail_label(&n.to_string())),
            Tail::All => parts.push(log_strings::tail_label(log_strings::TAIL_ALL)),
        }
        if let Some((_, text)) = &self.since {
            parts.push(log_strings::since_label(text));
        }
        let container = self
            .container
            .as_ref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        if parts.is_empty() {
            container
        } else {
            format!("{container} [{}]", parts.join(" · "))
        }
    }
}

/// `:tail N` / `:tail all`.
pub fn parse_tail(arg: Option<&str>) -> Result<Tail, String> {
    match arg {
        Some("all") => Ok(Tail::All),
        Some(n) => match n.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Tail::Lines(n)),
            _ => Err(log_strings::tail_invalid(n)),
        },
        None => Err(log_strings::TAIL_NEEDS_ARG.to_string()),
    }
}

/// `:since 10m` (seconds, minutes, hours) / `:since off`.
pub fn parse_since(arg: Option<&str>) -> Result<Option<(i64, String)>, String> {
    match arg {
        Some("off" | "all") => Ok(None),
        Some(text) => crate::recorder::time_arg::parse_duration(text)
            .map(|d| Some((d.as_secs() as i64, text.to_string()))),
        None => Err(log_strings::SINCE_NEEDS_ARG.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn pod() -> ObjectKey {
        ObjectKey::new(Kind::Pod, "ns", "p")
    }

    #[test]
    fn default_options_ask_for_the_engines_live_log_with_the_default_tail() {
        let req = LogOptions::default().request(pod());
        assert_eq!(req, LogRequest::current(pod()));
        assert_eq!(req.tail_lines, Some(500));
        assert!(req.follows());
        assert_eq!(LogOptions::default().title(), "");
    }

    #[test]
    fn options_reach_the_request_and_the_title() {
        let opts = LogOptions {
            container: Some("sidecar".into()),
            previous: true,
            tail: Tail::Lines(100),
            since: Some((600, "10m".into())),
        };
        let req = opts.request(pod());
        assert_eq!(req.container.as_deref(), Some("sidecar"));
        assert!(req.previous && !req.follows());
        assert_eq!(req.tail_lines, Some(100));
        assert_eq!(req.since_seconds, Some(600));
        assert_eq!(
            opts.title(),
            " (sidecar) [previous instance · tail 100 · since 10m]"
        );
        let all = LogOptions {
            tail: Tail::All,
            ..LogOptions::default()
        };
        assert_eq!(all.request(pod()).tail_lines, None);
        assert_eq!(all.title(), " [tail all]");
    }

    #[test]
    fn tail_and_since_arguments() {
        assert_eq!(parse_tail(Some("100")), Ok(Tail::Lines(100)));
        assert_eq!(parse_tail(Some("all")), Ok(Tail::All));
        assert!(parse_tail(Some("0")).is_err());
        assert!(parse_tail(Some("x")).is_err());
        assert!(parse_tail(None).is_err());
        assert_eq!(parse_since(Some("5m")), Ok(Some((300, "5m".into()))));
        assert_eq!(parse_since(Some("1h")), Ok(Some((3600, "1h".into()))));
        assert_eq!(parse_since(Some("off")), Ok(None));
        assert!(parse_since(Some("soon")).is_err());
        assert!(parse_since(None).is_err());
    }
}
