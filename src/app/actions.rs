//! The one registry of named actions.
//!
//! Keys never do anything by themselves: the keymap turns a key into an [`Action`], and the app
//! turns an action into state changes and commands. Every action has a dotted id (`list.down`),
//! an optional argument (`view.open pods`, `ns.favourite 3`), a help text, a `writes` flag
//! (hidden and refused in `--readonly`) and the keymap modes it may be bound in.

use std::fmt;
use std::str::FromStr;

use crate::config::suggest::did_you_mean;

/// A keymap mode: one table in a keymap file, one layer of key lookup at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyMode {
    /// Active under every view unless a text-entry mode owns the keyboard.
    Global,
    /// A table of objects (runtimes, pods, operations, …).
    List,
    /// The detail page of one object.
    Detail,
    /// A phase timeline.
    Timeline,
    /// A log stream.
    Logs,
    /// The YAML of one object.
    Yaml,
    /// The help overlay.
    Help,
    /// A confirmation dialog.
    Confirm,
    /// The `/` filter line (text entry).
    Filter,
    /// The `:` command palette (text entry).
    Palette,
    /// The spec editor (text entry).
    Editor,
    /// A form with input fields (text entry).
    Form,
    /// A running workflow wizard.
    Wizard,
}

impl KeyMode {
    /// Every mode, in the order the help screen lists them.
    pub const ALL: [KeyMode; 13] = [
        KeyMode::Global,
        KeyMode::List,
        KeyMode::Detail,
        KeyMode::Timeline,
        KeyMode::Logs,
        KeyMode::Yaml,
        KeyMode::Help,
        KeyMode::Confirm,
        KeyMode::Filter,
        KeyMode::Palette,
        KeyMode::Editor,
        KeyMode::Form,
        KeyMode::Wizard,
    ];

    /// The table name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            KeyMode::Global => "global",
            KeyMode::List => "list",
            KeyMode::Detail => "detail",
            KeyMode::Timeline => "timeline",
            KeyMode::Logs => "logs",
            KeyMode::Yaml => "yaml",
            KeyMode::Help => "help",
            KeyMode::Confirm => "confirm",
            KeyMode::Filter => "filter",
            KeyMode::Palette => "palette",
            KeyMode::Editor => "editor",
            KeyMode::Form => "form",
            KeyMode::Wizard => "wizard",
        }
    }

    /// Looks a mode up by its table name.
    pub fn from_name(name: &str) -> Option<KeyMode> {
        KeyMode::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Text-entry modes own printable and editing keys: those never fall through to later modes.
    pub fn is_text_entry(self) -> bool {
        matches!(
            self,
            KeyMode::Filter | KeyMode::Palette | KeyMode::Editor | KeyMode::Form
        )
    }
}

impl fmt::Display for KeyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The views `view.open` can switch to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ViewKind {
    Runtimes,
    Pods,
    Ops,
    Datasets,
    Classes,
    Timeline,
    Maintenance,
    Problems,
    Events,
    Nodes,
}

impl ViewKind {
    pub const ALL: [ViewKind; 10] = [
        ViewKind::Runtimes,
        ViewKind::Pods,
        ViewKind::Ops,
        ViewKind::Datasets,
        ViewKind::Classes,
        ViewKind::Timeline,
        ViewKind::Maintenance,
        ViewKind::Problems,
        ViewKind::Events,
        ViewKind::Nodes,
    ];

    /// The argument spelling used in keymap files (`view.open pods`).
    pub fn name(self) -> &'static str {
        match self {
            ViewKind::Runtimes => "runtimes",
            ViewKind::Pods => "pods",
            ViewKind::Ops => "ops",
            ViewKind::Datasets => "datasets",
            ViewKind::Classes => "classes",
            ViewKind::Timeline => "timeline",
            ViewKind::Maintenance => "maintenance",
            ViewKind::Problems => "problems",
            ViewKind::Events => "events",
            ViewKind::Nodes => "nodes",
        }
    }

    pub fn from_name(name: &str) -> Option<ViewKind> {
        ViewKind::ALL.into_iter().find(|v| v.name() == name)
    }
}

impl fmt::Display for ViewKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A named action. Parse with [`Action::parse`]; [`fmt::Display`] gives the same text back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    AppQuit,
    AppSuspend,
    HelpToggle,
    PaletteOpen,
    FilterOpen,
    NavBack,
    NavEnter,
    PaneNext,
    PanePrev,
    HistoryBack,
    HistoryForward,
    HistoryLast,
    ViewOpen(ViewKind),
    ViewRefresh,
    ScreenRedraw,
    NsAll,
    /// Favourite namespace slot, 1 to 9.
    NsFavourite(u8),
    ListDown,
    ListUp,
    ListTop,
    ListBottom,
    ListHalfDown,
    ListHalfUp,
    ListPageDown,
    ListPageUp,
    SortName,
    SortAge,
    SortStatus,
    SortReverse,
    ViewYaml,
    ViewDescribe,
    ViewLogs,
    ViewTimeline,
    LogsFollowToggle,
    LogsWrapToggle,
    SpecEdit,
    LoadStart,
    UpgradeStart,
    RebuildStart,
    ObjectDelete,
    OpRerun,
    ConfirmFocusNext,
    ConfirmFocusPrev,
    ConfirmActivate,
    ConfirmYes,
    ConfirmNo,
    EditorReview,
    EditorCancel,
    WizardNext,
    WizardAbort,
    WizardPause,
    /// Does nothing; binding a key to it unbinds the key in that mode.
    Noop,
    /// Dismisses the notice of a new problem.
    NoticeDismiss,
    CopyName,
    CopyText,
    SearchNext,
    SearchPrev,
    LogsSave,
    LogsPrevious,
    LogsContainer,
    PodShell,
    /// Play or pause a replayed recording.
    ReplayToggle,
    ReplayFaster,
    ReplaySlower,
    /// Play a recording up to the next change of the selected object.
    ReplayNext,
}

/// What kind of argument an action takes after its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    None,
    /// One of [`ViewKind`]'s names.
    View,
    /// A favourite slot, 1 to 9.
    Favourite,
}

/// One entry of the registry.
#[derive(Debug)]
pub struct ActionSpec {
    /// Dotted id, e.g. `app.quit`.
    pub id: &'static str,
    /// The argument the action takes, if any.
    pub arg: ArgKind,
    /// Help text.
    pub desc: &'static str,
    /// Changes the cluster: always confirmed, hidden and refused in `--readonly`.
    pub writes: bool,
    /// Keymap modes this action may be bound in.
    pub modes: &'static [KeyMode],
}

impl ActionSpec {
    pub fn allowed_in(&self, mode: KeyMode) -> bool {
        self.modes.contains(&mode)
    }
}

mod modes {
    use super::KeyMode::{self, *};

    pub const VIEWS: &[KeyMode] = &[Global, List, Detail, Timeline, Logs, Yaml];
    pub const VIEWS_AND_HELP: &[KeyMode] = &[Global, List, Detail, Timeline, Logs, Yaml, Help];
    pub const NAVIGATE: &[KeyMode] = &[
        Global, List, Detail, Timeline, Logs, Yaml, Help, Filter, Palette, Form, Wizard,
    ];
    pub const PANES: &[KeyMode] = &[Global, List, Detail, Timeline, Logs, Yaml, Form];
    pub const MOTION: &[KeyMode] = &[List, Detail, Timeline, Logs, Yaml, Help, Confirm];
    pub const INSPECT: &[KeyMode] = &[Global, List, Detail, Timeline, Logs, Yaml];
    pub const WRITES: &[KeyMode] = &[List, Detail, Timeline, Yaml];
    pub const LIST: &[KeyMode] = &[List];
    pub const LOGS: &[KeyMode] = &[Logs];
    pub const CONFIRM: &[KeyMode] = &[Confirm];
    pub const EDITOR: &[KeyMode] = &[Editor];
    pub const WIZARD: &[KeyMode] = &[Wizard, Form];
    pub const ALL: &[KeyMode] = &KeyMode::ALL;
    pub const TEXT_PAGES: &[KeyMode] = &[Detail, Logs, Yaml];
    pub const COPY_TEXT: &[KeyMode] = &[Detail, Logs, Yaml];
}

const fn spec(id: &'static str, desc: &'static str, modes: &'static [KeyMode]) -> ActionSpec {
    ActionSpec {
        id,
        arg: ArgKind::None,
        desc,
        writes: false,
        modes,
    }
}

const fn write_spec(id: &'static str, desc: &'static str) -> ActionSpec {
    ActionSpec {
        id,
        arg: ArgKind::None,
        desc,
        writes: true,
        modes: modes::WRITES,
    }
}

/// Every action, in help-screen order. Ids and help texts live here and nowhere else.
pub static ACTIONS: &[ActionSpec] = &[
    spec("app.quit", "Quit fluidops", modes::VIEWS_AND_HELP),
    spec("app.suspend", "Suspend to the shell", modes::VIEWS_AND_HELP),
    spec(
        "help.toggle",
        "Show or hide this help",
        modes::VIEWS_AND_HELP,
    ),
    spec("palette.open", "Open the command palette", modes::VIEWS),
    spec(
        "filter.open",
        "Filter a list; search a page or this help",
        modes::VIEWS,
    ),
    spec("nav.back", "Go back / close", modes::NAVIGATE),
    spec("nav.enter", "Open the selection / apply", modes::NAVIGATE),
    spec("pane.next", "Focus the next pane or field", modes::PANES),
    spec(
        "pane.prev",
        "Focus the previous pane or field",
        modes::PANES,
    ),
    spec("history.back", "Back in view history", modes::VIEWS),
    spec("history.forward", "Forward in view history", modes::VIEWS),
    spec(
        "history.last",
        "Toggle with the previous view",
        modes::VIEWS,
    ),
    ActionSpec {
        id: "view.open",
        arg: ArgKind::View,
        desc: "Open a view",
        writes: false,
        modes: modes::VIEWS,
    },
    spec(
        "view.refresh",
        "Relist from the cluster",
        modes::VIEWS_AND_HELP,
    ),
    spec("screen.redraw", "Redraw the screen", modes::VIEWS_AND_HELP),
    spec("ns.all", "Show all namespaces", modes::VIEWS),
    ActionSpec {
        id: "ns.favourite",
        arg: ArgKind::Favourite,
        desc: "Switch to a favourite namespace",
        writes: false,
        modes: modes::VIEWS,
    },
    spec("list.down", "Move down", modes::MOTION),
    spec("list.up", "Move up", modes::MOTION),
    spec("list.top", "Go to the top", modes::MOTION),
    spec("list.bottom", "Go to the bottom", modes::MOTION),
    spec("list.half_down", "Half a page down", modes::MOTION),
    spec("list.half_up", "Half a page up", modes::MOTION),
    spec("list.page_down", "Page down", modes::MOTION),
    spec("list.page_up", "Page up", modes::MOTION),
    spec("sort.name", "Sort by name", modes::LIST),
    spec("sort.age", "Sort by age", modes::LIST),
    spec("sort.status", "Sort by status", modes::LIST),
    spec("sort.reverse", "Reverse the sort order", modes::LIST),
    spec("view.yaml", "Show YAML", modes::INSPECT),
    spec("view.describe", "Describe", modes::INSPECT),
    spec("view.logs", "Show logs", modes::INSPECT),
    spec("view.timeline", "Show the phase timeline", modes::INSPECT),
    spec(
        "logs.follow_toggle",
        "Follow new log lines on/off",
        modes::LOGS,
    ),
    spec("logs.wrap_toggle", "Wrap long lines on/off", modes::LOGS),
    write_spec("spec.edit", "Edit the spec (diff, then confirm)"),
    write_spec("load.start", "Start a data load"),
    write_spec("upgrade.start", "Start an in-place upgrade"),
    write_spec("rebuild.start", "Start an in-place rebuild"),
    write_spec("object.delete", "Delete (asks for confirmation)"),
    write_spec("op.rerun", "Run the operation again"),
    spec(
        "confirm.focus_next",
        "Focus the next button",
        modes::CONFIRM,
    ),
    spec(
        "confirm.focus_prev",
        "Focus the previous button",
        modes::CONFIRM,
    ),
    spec(
        "confirm.activate",
        "Press the focused button",
        modes::CONFIRM,
    ),
    spec("confirm.yes", "Confirm", modes::CONFIRM),
    spec("confirm.no", "Cancel", modes::CONFIRM),
    spec("editor.review", "Review the diff", modes::EDITOR),
    spec("editor.cancel", "Leave the editor", modes::EDITOR),
    spec("wizard.next", "Next step", modes::WIZARD),
    spec("wizard.abort", "Abort the workflow", modes::WIZARD),
    spec(
        "wizard.pause",
        "Pause or resume the workflow",
        modes::WIZARD,
    ),
    spec(
        "notice.dismiss",
        "Dismiss the notice of a new problem",
        modes::VIEWS,
    ),
    spec(
        "copy.name",
        "Copy the selected name to the clipboard",
        modes::INSPECT,
    ),
    spec(
        "copy.text",
        "Copy the YAML, description or log to the clipboard",
        modes::COPY_TEXT,
    ),
    spec("search.next", "Next match of the search", modes::TEXT_PAGES),
    spec(
        "search.prev",
        "Previous match of the search",
        modes::TEXT_PAGES,
    ),
    spec("logs.save", "Save the log to a file", modes::LOGS),
    spec(
        "logs.previous",
        "Log of the container's previous instance / back to the current one",
        modes::LOGS,
    ),
    spec(
        "logs.container",
        "Log of another container of the pod",
        modes::LOGS,
    ),
    write_spec(
        "pod.shell",
        "Shell into the pod's container (simulated on the demo)",
    ),
    spec("replay.play", "Recording: play / pause", modes::VIEWS),
    spec(
        "replay.faster",
        "Recording: play twice as fast",
        modes::VIEWS,
    ),
    spec(
        "replay.slower",
        "Recording: play half as fast",
        modes::VIEWS,
    ),
    spec(
        "replay.next",
        "Recording: to the next change of the selection",
        modes::VIEWS,
    ),
    spec("noop", "Nothing (unbinds the key)", modes::ALL),
];

/// Looks up a registry entry by its dotted id (without argument).
pub fn find_spec(id: &str) -> Option<&'static ActionSpec> {
    ACTIONS.iter().find(|s| s.id == id)
}

impl Action {
    /// The dotted id, without argument.
    pub fn id(self) -> &'static str {
        use Action::*;
        match self {
            AppQuit => "app.quit",
            AppSuspend => "app.suspend",
            HelpToggle => "help.toggle",
            PaletteOpen => "palette.open",
            FilterOpen => "filter.open",
            NavBack => "nav.back",
            NavEnter => "nav.enter",
            PaneNext => "pane.next",
            PanePrev => "pane.prev",
            HistoryBack => "history.back",
            HistoryForward => "history.forward",
            HistoryLast => "history.last",
            ViewOpen(_) => "view.open",
            ViewRefresh => "view.refresh",
            ScreenRedraw => "screen.redraw",
            NsAll => "ns.all",
            NsFavourite(_) => "ns.favourite",
            ListDown => "list.down",
            ListUp => "list.up",
            ListTop => "list.top",
            ListBottom => "list.bottom",
            ListHalfDown => "list.half_down",
            ListHalfUp => "list.half_up",
            ListPageDown => "list.page_down",
            ListPageUp => "list.page_up",
            SortName => "sort.name",
            SortAge => "sort.age",
            SortStatus => "sort.status",
            SortReverse => "sort.reverse",
            ViewYaml => "view.yaml",
            ViewDescribe => "view.describe",
            ViewLogs => "view.logs",
            ViewTimeline => "view.timeline",
            LogsFollowToggle => "logs.follow_toggle",
            LogsWrapToggle => "logs.wrap_toggle",
            SpecEdit => "spec.edit",
            LoadStart => "load.start",
            UpgradeStart => "upgrade.start",
            RebuildStart => "rebuild.start",
            ObjectDelete => "object.delete",
            OpRerun => "op.rerun",
            ConfirmFocusNext => "confirm.focus_next",
            ConfirmFocusPrev => "confirm.focus_prev",
            ConfirmActivate => "confirm.activate",
            ConfirmYes => "confirm.yes",
            ConfirmNo => "confirm.no",
            EditorReview => "editor.review",
            EditorCancel => "editor.cancel",
            WizardNext => "wizard.next",
            WizardAbort => "wizard.abort",
            WizardPause => "wizard.pause",
            Noop => "noop",
            NoticeDismiss => "notice.dismiss",
            CopyName => "copy.name",
            CopyText => "copy.text",
            SearchNext => "search.next",
            SearchPrev => "search.prev",
            LogsSave => "logs.save",
            LogsPrevious => "logs.previous",
            LogsContainer => "logs.container",
            PodShell => "pod.shell",
            ReplayToggle => "replay.play",
            ReplayFaster => "replay.faster",
            ReplaySlower => "replay.slower",
            ReplayNext => "replay.next",
        }
    }

    /// The registry entry of this action.
    pub fn spec(self) -> &'static ActionSpec {
        // Every id returned by `id()` is in ACTIONS (checked by a unit test); the fallback to the
        // last entry (`noop`) only guards against a future omission.
        find_spec(self.id()).unwrap_or(&ACTIONS[ACTIONS.len() - 1])
    }

    pub fn desc(self) -> &'static str {
        self.spec().desc
    }

    /// True for actions that change the cluster.
    pub fn writes(self) -> bool {
        self.spec().writes
    }

    pub fn allowed_in(self, mode: KeyMode) -> bool {
        self.spec().allowed_in(mode)
    }

    /// Parses `"id"` or `"id argument"`, e.g. `"view.open runtimes"`.
    pub fn parse(text: &str) -> Result<Action, ActionParseError> {
        let mut words = text.split_whitespace();
        let Some(id) = words.next() else {
            return Err(ActionParseError::Empty);
        };
        let arg = words.next();
        if let Some(extra) = words.next() {
            return Err(ActionParseError::ExtraArgument {
                id: id.to_string(),
                arg: extra.to_string(),
            });
        }
        let Some(spec) = find_spec(id) else {
            return Err(ActionParseError::Unknown {
                id: id.to_string(),
                suggestion: did_you_mean(id, ACTIONS.iter().map(|s| s.id)),
            });
        };
        match (spec.arg, arg) {
            (ArgKind::None, None) => Ok(Self::plain(spec.id)),
            (ArgKind::None, Some(arg)) => Err(ActionParseError::ExtraArgument {
                id: spec.id.to_string(),
                arg: arg.to_string(),
            }),
            (_, None) => Err(ActionParseError::MissingArgument {
                id: spec.id,
                expected: expected_argument(spec.arg),
            }),
            (ArgKind::View, Some(arg)) => ViewKind::from_name(arg)
                .map(Action::ViewOpen)
                .ok_or_else(|| bad_argument(spec, arg)),
            (ArgKind::Favourite, Some(arg)) => match arg.parse::<u8>() {
                Ok(n @ 1..=9) => Ok(Action::NsFavourite(n)),
                _ => Err(bad_argument(spec, arg)),
            },
        }
    }

    /// Builds an argument-less action from its id; only called with ids of `ArgKind::None`.
    fn plain(id: &str) -> Action {
        use Action::*;
        const PLAIN: &[Action] = &[
            AppQuit,
            AppSuspend,
            HelpToggle,
            PaletteOpen,
            FilterOpen,
            NavBack,
            NavEnter,
            PaneNext,
            PanePrev,
            HistoryBack,
            HistoryForward,
            HistoryLast,
            ViewRefresh,
            ScreenRedraw,
            NsAll,
            ListDown,
            ListUp,
            ListTop,
            ListBottom,
            ListHalfDown,
            ListHalfUp,
            ListPageDown,
            ListPageUp,
            SortName,
            SortAge,
            SortStatus,
            SortReverse,
            ViewYaml,
            ViewDescribe,
            ViewLogs,
            ViewTimeline,
            LogsFollowToggle,
            LogsWrapToggle,
            SpecEdit,
            LoadStart,
            UpgradeStart,
            RebuildStart,
            ObjectDelete,
            OpRerun,
            ConfirmFocusNext,
            ConfirmFocusPrev,
            ConfirmActivate,
            ConfirmYes,
            ConfirmNo,
            EditorReview,
            EditorCancel,
            WizardNext,
            WizardAbort,
            WizardPause,
            Noop,
            NoticeDismiss,
            CopyName,
            CopyText,
            SearchNext,
            SearchPrev,
            LogsSave,
            LogsPrevious,
            LogsContainer,
            PodShell,
            ReplayToggle,
            ReplayFaster,
            ReplaySlower,
            ReplayNext,
        ];
        PLAIN.iter().copied().find(|a| a.id() == id).unwrap_or(Noop)
    }
}

fn expected_argument(kind: ArgKind) -> String {
    match kind {
        ArgKind::None => String::new(),
        ArgKind::View => ViewKind::ALL.map(ViewKind::name).join("|"),
        ArgKind::Favourite => strings::FAVOURITE_RANGE.to_string(),
    }
}

fn bad_argument(spec: &ActionSpec, arg: &str) -> ActionParseError {
    ActionParseError::BadArgument {
        id: spec.id,
        arg: arg.to_string(),
        expected: expected_argument(spec.arg),
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::ViewOpen(view) => write!(f, "{} {}", self.id(), view),
            Action::NsFavourite(n) => write!(f, "{} {}", self.id(), n),
            _ => f.write_str(self.id()),
        }
    }
}

impl FromStr for Action {
    type Err = ActionParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::parse(s)
    }
}

/// Why a string is not an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionParseError {
    Empty,
    Unknown {
        id: String,
        suggestion: Option<&'static str>,
    },
    MissingArgument {
        id: &'static str,
        expected: String,
    },
    BadArgument {
        id: &'static str,
        arg: String,
        expected: String,
    },
    ExtraArgument {
        id: String,
        arg: String,
    },
}

impl fmt::Display for ActionParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionParseError::Empty => f.write_str(strings::EMPTY),
            ActionParseError::Unknown { id, suggestion } => {
                write!(f, "{} \"{id}\"", strings::UNKNOWN)?;
                if let Some(s) = suggestion {
                    write!(f, " ({} \"{s}\"?)", strings::DID_YOU_MEAN)?;
                }
                Ok(())
            }
            ActionParseError::MissingArgument { id, expected } => {
                write!(f, "\"{id}\" {} ({expected})", strings::NEEDS_ARGUMENT)
            }
            ActionParseError::BadArgument { id, arg, expected } => write!(
                f,
                "{} \"{arg}\" for \"{id}\" ({} {expected})",
                strings::BAD_ARGUMENT,
                strings::EXPECTED
            ),
            ActionParseError::ExtraArgument { id, arg } => {
                write!(f, "\"{id}\" {} (got \"{arg}\")", strings::EXTRA_ARGUMENT)
            }
        }
    }
}

impl std::error::Error for ActionParseError {}

/// User-visible texts of this module other than the registry's help texts.
mod strings {
    pub const EMPTY: &str = "empty action";
    pub const UNKNOWN: &str = "unknown action";
    pub const DID_YOU_MEAN: &str = "did you mean";
    pub const NEEDS_ARGUMENT: &str = "needs an argument";
    pub const BAD_ARGUMENT: &str = "invalid argument";
    pub const EXPECTED: &str = "expected";
    pub const EXTRA_ARGUMENT: &str = "takes no further argument";
    pub const FAVOURITE_RANGE: &str = "1-9";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(spec: &ActionSpec) -> String {
        match spec.arg {
            ArgKind::None => spec.id.to_string(),
            ArgKind::View => format!("{} pods", spec.id),
            ArgKind::Favourite => format!("{} 3", spec.id),
        }
    }

    #[test]
    fn every_registry_entry_parses_and_round_trips() {
        for spec in ACTIONS {
            let text = sample(spec);
            let action = Action::parse(&text).unwrap();
            assert_eq!(action.id(), spec.id);
            assert_eq!(action.to_string(), text);
            assert!(std::ptr::eq(action.spec(), spec), "{}", spec.id);
        }
    }

    #[test]
    fn ids_are_unique_and_dotted() {
        for (i, a) in ACTIONS.iter().enumerate() {
            assert!(a.id == "noop" || a.id.contains('.'), "{}", a.id);
            assert!(ACTIONS[i + 1..].iter().all(|b| b.id != a.id), "{}", a.id);
            assert!(!a.modes.is_empty(), "{}", a.id);
        }
    }

    #[test]
    fn arguments() {
        assert_eq!(
            Action::parse("view.open runtimes"),
            Ok(Action::ViewOpen(ViewKind::Runtimes))
        );
        assert_eq!(
            Action::parse("  ns.favourite   9 "),
            Ok(Action::NsFavourite(9))
        );
        assert!(Action::parse("ns.favourite 0").is_err());
        assert!(Action::parse("ns.favourite").is_err());
        assert!(Action::parse("view.open hosts").is_err());
        assert!(Action::parse("list.down 3").is_err());
        assert!(Action::parse("").is_err());
        for view in ViewKind::ALL {
            let a = Action::ViewOpen(view);
            assert_eq!(Action::parse(&a.to_string()), Ok(a));
        }
    }

    #[test]
    fn unknown_ids_get_a_suggestion() {
        let err = Action::parse("list.dwn").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown action \"list.dwn\" (did you mean \"list.down\"?)"
        );
        let err = Action::parse("frobnicate.everything").unwrap_err();
        assert_eq!(err.to_string(), "unknown action \"frobnicate.everything\"");
    }

    #[test]
    fn writes_flag() {
        let writes: Vec<_> = ACTIONS.iter().filter(|s| s.writes).map(|s| s.id).collect();
        assert_eq!(
            writes,
            [
                "spec.edit",
                "load.start",
                "upgrade.start",
                "rebuild.start",
                "object.delete",
                "op.rerun",
                "pod.shell"
            ]
        );
        assert!(Action::ObjectDelete.writes());
        assert!(!Action::ListDown.writes());
    }

    #[test]
    fn modes_round_trip() {
        for m in KeyMode::ALL {
            assert_eq!(KeyMode::from_name(m.name()), Some(m));
        }
        assert!(KeyMode::Filter.is_text_entry());
        assert!(!KeyMode::Confirm.is_text_entry());
    }
}
