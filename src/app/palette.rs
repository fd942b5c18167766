//! The `:` command palette: parsing, completion from one registry of commands.

use super::actions::ViewKind;
use super::strings;
use crate::cluster::Store;

/// One palette command with its aliases and help.
pub struct PaletteEntry {
    pub names: &'static [&'static str],
    pub args: &'static str,
    pub desc: &'static str,
}

pub const COMMANDS: &[PaletteEntry] = &[
    PaletteEntry {
        names: &["runtimes", "rt", "cacheruntimes"],
        args: "[NS] [/FILTER]",
        desc: "cache runtimes",
    },
    PaletteEntry {
        names: &["pods", "po"],
        args: "[NS] [/FILTER]",
        desc: "cache and operation pods",
    },
    PaletteEntry {
        names: &["ops", "dataops", "operations"],
        args: "[NS] [/FILTER]",
        desc: "DataLoad, DataProcess, DataMigrate, DataBackup",
    },
    PaletteEntry {
        names: &["datasets", "ds"],
        args: "[NS] [/FILTER]",
        desc: "datasets",
    },
    PaletteEntry {
        names: &["classes", "crc", "cacheruntimeclasses"],
        args: "[/FILTER]",
        desc: "cache runtime classes",
    },
    PaletteEntry {
        names: &["maintenance", "crm"],
        args: "[NS] [/FILTER]",
        desc: "upgrade and rebuild runs",
    },
    PaletteEntry {
        names: &["problems", "pb"],
        args: "[NS] [/FILTER]",
        desc: "everything wrong now, most severe first",
    },
    PaletteEntry {
        names: &["events", "ev"],
        args: "[NS] [/FILTER]",
        desc: "events of Fluid objects, their pods and nodes, newest first",
    },
    PaletteEntry {
        names: &["nodes", "no"],
        args: "[/FILTER]",
        desc: "nodes: readiness and the cache they hold, lost ones first",
    },
    PaletteEntry {
        names: &["timeline", "tl"],
        args: "",
        desc: "timeline of the selected object",
    },
    PaletteEntry {
        names: &["ns", "namespace"],
        args: "NAME|all",
        desc: "switch namespace",
    },
    PaletteEntry {
        names: &["ctx", "context"],
        args: "[NAME]",
        desc: "list or switch kubeconfig contexts",
    },
    PaletteEntry {
        names: &["node-down"],
        args: "NODE",
        desc: "demo cluster: a node stops answering",
    },
    PaletteEntry {
        names: &["node-up"],
        args: "NODE",
        desc: "demo cluster: a lost node comes back",
    },
    PaletteEntry {
        names: &["fail-update"],
        args: "RUNTIME",
        desc: "demo cluster: the next in-place update of each of its master and worker pods fails",
    },
    PaletteEntry {
        names: &["at"],
        args: "TIME",
        desc: "recording: jump to a time (03:12, 03:12:30 UTC, +5m, -30s, start, end)",
    },
    PaletteEntry {
        names: &["tail"],
        args: "N|all",
        desc: "log page: fetch the newest N lines (default 500), or all",
    },
    PaletteEntry {
        names: &["since"],
        args: "DURATION|off",
        desc: "log page: only the lines of the last 90s, 10m, 1h (off: no limit)",
    },
    PaletteEntry {
        names: &["help", "h"],
        args: "",
        desc: "key bindings",
    },
    PaletteEntry {
        names: &["q", "quit", "q!"],
        args: "",
        desc: "quit",
    },
];

#[derive(Debug, Clone, PartialEq)]
pub enum PaletteCommand {
    View {
        view: ViewKind,
        /// `None` keeps the namespace shown; `Some(None)` is all namespaces (`:ops all`).
        namespace: Option<Option<String>>,
        filter: Option<String>,
    },
    /// `None` is all namespaces.
    Namespace(Option<String>),
    /// `None` lists the contexts; a name switches to it.
    Context(Option<String>),
    /// The key help, only the rows holding this text when it is not empty (`:help copy`).
    Help(String),
    Quit,
    /// A failure to trigger on the demo cluster (live demos of what goes wrong).
    Fault(Fault),
    /// Jump a replayed recording to this time (as typed).
    At(String),
    /// How many of a log's newest lines to fetch (`:tail 100`).
    LogTail(super::log_page::Tail),
    /// Only a log's lines of the last so many seconds, as typed (`:since 10m`); `None`: all.
    LogSince(Option<(i64, String)>),
}

use crate::cluster::source::Fault;

fn view_of(name: &str) -> Option<ViewKind> {
    let entry = COMMANDS.iter().find(|e| e.names.contains(&name))?;
    ViewKind::from_name(entry.names[0])
}

/// Parses a palette line (`pods imagenet /worker`, `ns all`, `q`).
pub fn parse(input: &str) -> Result<PaletteCommand, String> {
    let mut words = input.split_whitespace();
    let Some(cmd) = words.next() else {
        return Err(strings::PALETTE_EMPTY.into());
    };
    let rest: Vec<&str> = words.collect();
    match cmd {
        "q" | "quit" | "q!" => return Ok(PaletteCommand::Quit),
        "help" | "h" => return Ok(PaletteCommand::Help(rest.join(" "))),
        "ns" | "namespace" => {
            return match rest.first() {
                None | Some(&"all") | Some(&"-A") => Ok(PaletteCommand::Namespace(None)),
                Some(ns) => Ok(PaletteCommand::Namespace(Some(ns.to_string()))),
            };
        }
        "ctx" | "context" => {
            return Ok(PaletteCommand::Context(rest.first().map(|c| c.to_string())));
        }
        "at" => {
            if rest.is_empty() {
                return Err(strings::AT_NEEDS_TIME.into());
            }
            return Ok(PaletteCommand::At(rest.join(" ")));
        }
        "tail" => {
            return super::log_page::parse_tail(rest.first().copied()).map(PaletteCommand::LogTail);
        }
        "since" => {
            return super::log_page::parse_since(rest.first().copied())
                .map(PaletteCommand::LogSince);
        }
        "node-down" | "node-up" | "fail-update" => {
            let Some(arg) = rest.first().map(|a| a.to_string()) else {
                return Err(strings::fault_needs_argument(cmd));
            };
            return Ok(PaletteCommand::Fault(match cmd {
                "node-down" => Fault::NodeDown(arg),
                "node-up" => Fault::NodeUp(arg),
                _ => Fault::FailUpdate(arg),
            }));
        }
        _ => {}
    }
    let Some(view) = view_of(cmd) else {
        return Err(strings::unknown_command(cmd));
    };
    let mut namespace = None;
    let mut filter = None;
    for word in rest {
        match word.strip_prefix('/') {
            Some(f) => filter = Some(f.to_string()),
            None if word == "all" || word == "-A" => namespace = Some(None),
            None => namespace = Some(Some(word.to_string())),
        }
    }
    Ok(PaletteCommand::View {
        view,
        namespace,
        filter,
    })
}

/// Candidate completions of the line typed so far: command names, then namespaces, or the
/// kubeconfig's `contexts` after `ctx`.
pub fn completions_with(input: &str, store: &Store, contexts: &[String]) -> Vec<String> {
    let words: Vec<&str> = input.split_whitespace().collect();
    let trailing_space = input.ends_with(' ');
    match (words.as_slice(), trailing_space) {
        ([cmd], true) | ([cmd, _], false) if matches!(*cmd, "ctx" | "context") => {
            let partial = if trailing_space { "" } else { words[1] };
            let head = &input[..input.len() - partial.len()];
            contexts
                .iter()
                .filter(|c| c.starts_with(partial))
                .map(|c| format!("{head}{c}"))
                .collect()
        }
        ([cmd], true) | ([cmd, _], false)
            if matches!(*cmd, "node-down" | "node-up" | "fail-update") =>
        {
            let partial = if trailing_space { "" } else { words[1] };
            let head = &input[..input.len() - partial.len()];
            fault_targets(cmd, store)
                .into_iter()
                .filter(|n| n.starts_with(partial))
                .map(|n| format!("{head}{n}"))
                .collect()
        }
        ([], _) => COMMANDS.iter().map(|e| e.names[0].to_string()).collect(),
        ([partial], false) => {
            let mut out: Vec<String> = COMMANDS
                .iter()
                .flat_map(|e| e.names.iter())
                .filter(|n| n.starts_with(partial) && n.len() > 1)
                .map(|n| n.to_string())
                .collect();
            out.dedup();
            out
        }
        ([cmd, ..], _) if view_of(cmd).is_some() || matches!(*cmd, "ns" | "namespace") => {
            let partial = if trailing_space {
                ""
            } else {
                words.last().copied().unwrap_or("")
            };
            if partial.starts_with('/') {
                return Vec::new();
            }
            let head = if trailing_space {
                input.to_string()
            } else {
                input[..input.len() - partial.len()].to_string()
            };
            std::iter::once("all")
                .chain(store.namespaces())
                .filter(|ns| ns.starts_with(partial))
                .map(|ns| format!("{head}{ns}"))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// What a fault command names: nodes that answer (`node-down`), lost nodes (`node-up`), or
/// runtimes (`fail-update`), sorted.
fn fault_targets(cmd: &str, store: &Store) -> Vec<String> {
    use crate::model::{Kind, Object, node};
    if cmd == "fail-update" {
        let names: std::collections::BTreeSet<String> = store
            .runtimes()
            .filter_map(|rt| rt.metadata.name.clone())
            .collect();
        return names.into_iter().collect();
    }
    let want_ready = cmd == "node-down";
    store
        .list(Kind::Node)
        .filter_map(|o| match o {
            Object::Node(n) if node::is_ready(n) == want_ready => n.metadata.name.clone(),
            _ => None,
        })
        .collect()
}

/// Completes the line with the `choice`-th candidate.
pub fn complete(input: &str, store: &Store, contexts: &[String], choice: usize) -> Option<String> {
    let all = completions_with(input, store, contexts);
    let pick = all.get(choice).or(all.first())?;
    if input.contains(' ') || input.ends_with(' ') {
        Some(pick.clone())
    } else {
        Some(format!("{pick} "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_commands_complete_from_nodes_and_runtimes() {
        let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let demo = crate::demo::DemoCluster::builtin(7, now);
        let mut store = Store::new();
        for ev in demo.initial_events() {
            store.apply(ev, now);
        }
        let down = completions_with("node-down cache-node-0", &store, &[]);
        assert!(
            down.contains(&"node-down cache-node-01".to_string()),
            "{down:?}"
        );
        assert!(down.iter().all(|c| c.starts_with("node-down cache-node-0")));
        // The seed's lost GPU node comes back with node-up, and only it.
        let up = completions_with("node-up ", &store, &[]);
        assert_eq!(up, vec!["node-up gpu-node-07".to_string()]);
        let rt = completions_with("fail-update qwen", &store, &[]);
        assert_eq!(rt, vec!["fail-update qwen-weights".to_string()]);
    }

    #[test]
    fn parses_views_namespaces_and_filters() {
        assert_eq!(
            parse("po imagenet /worker").unwrap(),
            PaletteCommand::View {
                view: ViewKind::Pods,
                namespace: Some(Some("imagenet".into())),
                filter: Some("worker".into())
            }
        );
        assert_eq!(parse("ns all").unwrap(), PaletteCommand::Namespace(None));
        assert_eq!(
            parse("ops all").unwrap(),
            PaletteCommand::View {
                view: ViewKind::Ops,
                namespace: Some(None),
                filter: None,
            }
        );
        assert_eq!(
            parse("runtimes").unwrap(),
            PaletteCommand::View {
                view: ViewKind::Runtimes,
                namespace: None,
                filter: None,
            }
        );
        assert_eq!(parse("q").unwrap(), PaletteCommand::Quit);
        assert!(parse("bogus").unwrap_err().contains("bogus"));
    }

    #[test]
    fn completes_commands_then_namespaces() {
        let store = Store::new();
        assert_eq!(
            completions_with("ti", &store, &[]),
            vec!["timeline".to_string()]
        );
        assert_eq!(complete("ti", &store, &[], 0).unwrap(), "timeline ");
        assert!(completions_with("pods ", &store, &[]).contains(&"pods all".to_string()));
    }

    #[test]
    fn ctx_lists_and_completes_contexts() {
        let store = Store::new();
        let contexts = vec!["e2e".to_string(), "prod-eu".into(), "prod-us".into()];
        assert_eq!(parse("ctx").unwrap(), PaletteCommand::Context(None));
        assert_eq!(
            parse("node-down cache-node-02").unwrap(),
            PaletteCommand::Fault(Fault::NodeDown("cache-node-02".into()))
        );
        assert!(parse("fail-update").is_err());
        assert_eq!(
            parse("context prod-eu").unwrap(),
            PaletteCommand::Context(Some("prod-eu".into()))
        );
        assert_eq!(
            completions_with("ctx ", &store, &contexts),
            ["ctx e2e", "ctx prod-eu", "ctx prod-us"]
        );
        assert_eq!(
            completions_with("ctx pr", &store, &contexts),
            ["ctx prod-eu", "ctx prod-us"]
        );
        assert_eq!(
            complete("ctx prod-u", &store, &contexts, 0).unwrap(),
            "ctx prod-us"
        );
        assert!(completions_with("ct", &store, &contexts).contains(&"ctx".to_string()));
    }
}
