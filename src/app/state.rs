//! Application state: what the operator is looking at, how, and what the cluster holds.
//! Changed only by [`App::update`](super::update); read by the view.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::actions::ViewKind;
use super::tables::SortKey;
use crate::cluster::writer::Write;
use crate::cluster::{Store, Subject};
use crate::model::ObjectKey;

/// What fills the main area. Screens form a navigation stack (Enter pushes, Esc pops).
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    List(ViewKind),
    /// Describe-like detail of one object (a runtime's detail has several panes).
    Detail(ObjectKey),
    Timeline(Subject),
    Yaml(ObjectKey),
    Logs(ObjectKey),
}

/// Selection, filter and sort of one list view; kept while the operator navigates away.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListState {
    pub selected: usize,
    /// The object selected, so the selection follows it when rows move.
    pub selected_key: Option<ObjectKey>,
    /// First visible row, as last drawn.
    pub offset: usize,
    pub filter: String,
    pub sort: SortKey,
    pub reverse: bool,
}

impl ListState {
    /// A view's state before the operator changed it: events are sorted newest first, problems
    /// most severe first.
    pub fn first(view: ViewKind) -> ListState {
        ListState {
            sort: match view {
                ViewKind::Events => SortKey::Age,
                ViewKind::Problems => SortKey::Status,
                _ => SortKey::Name,
            },
            ..ListState::default()
        }
    }
}

/// Position inside a detail, timeline, YAML or log screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageState {
    /// Focused pane (Tab / Shift-Tab).
    pub pane: usize,
    /// Selected row in the focused pane, where it has selectable rows.
    pub cursor: usize,
    /// First visible line.
    pub scroll: usize,
    /// Logs: keep scrolled to the newest line.
    pub follow: bool,
    pub wrap: bool,
    /// Text searched with `/` on a YAML or log page (empty: none), and the line of the match
    /// last gone to.
    pub search: String,
    pub search_at: Option<usize>,
    /// Logs: the container, instance and amount shown.
    pub log: super::log_page::LogOptions,
}

/// What a container is chosen for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerPurpose {
    Shell,
    Logs,
}

/// A modal layer over the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// `/` filter line; `before` restores the previous filter on Esc.
    Filter { input: String, before: String },
    /// `:` command palette with completion.
    Palette { input: String, choice: usize },
    Help {
        scroll: usize,
        /// Only the rows holding this text (`:help TEXT`, or `/` in the help); empty: all.
        query: String,
    },
    /// A write waiting for the operator's yes or no (over the form it was asked from, if any).
    Confirm(Box<super::confirm::Confirm>),
    /// The form that starts a data operation (`L`).
    Form(Box<super::load_form::LoadForm>),
    /// A form whose write is in flight (the data-operation form's create, the upgrade or
    /// rebuild form's record): hidden and deaf, it comes back with its values and the server's
    /// message if the write is refused, and goes when it succeeds.
    Sending(Box<Waiting>),
    /// The form that plans an in-place upgrade (`U`) or rebuild (`R`).
    Maintenance(Box<super::maintenance_form::MaintenanceForm>),
    /// Problems found at start-up (bad config files, unusable seed documents).
    Notices { lines: Vec<String>, scroll: usize },
    /// Which of a pod's containers to open a shell in (`s` on a pod with several), or to show
    /// the log of (`C` on a log page).
    Containers {
        pod: ObjectKey,
        names: Vec<String>,
        choice: usize,
        purpose: ContainerPurpose,
    },
}

impl Overlay {
    /// Whether the overlay is drawn and takes keys ([`Overlay::Sending`] is neither).
    fn shown(&self) -> bool {
        !matches!(self, Overlay::Sending(_))
    }

    /// A passing layer (filter, palette, help, notices): another such replaces it rather than
    /// going over it.
    fn passing(&self) -> bool {
        matches!(
            self,
            Overlay::Filter { .. }
                | Overlay::Palette { .. }
                | Overlay::Help { .. }
                | Overlay::Notices { .. }
        )
    }
}

/// The modal layers over the screen, bottom to top. The top shown one is drawn and takes the
/// keys; closing it uncovers the one it was opened from (a confirmation returns to its form).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Overlays(Vec<Overlay>);

impl Overlays {
    fn top_index(&self) -> Option<usize> {
        self.0.iter().rposition(Overlay::shown)
    }

    /// The overlay on top, if any is shown.
    pub fn top(&self) -> Option<&Overlay> {
        self.top_index().map(|i| &self.0[i])
    }

    pub fn top_mut(&mut self) -> Option<&mut Overlay> {
        self.top_index().map(|i| &mut self.0[i])
    }

    pub fn push(&mut self, overlay: Overlay) {
        self.0.push(overlay);
    }

    /// Opens the filter, palette or help: over a dialog or form, or in place of a passing layer
    /// on top (help opened from the palette replaces it).
    pub fn open(&mut self, overlay: Overlay) {
        if self.top().is_some_and(Overlay::passing) {
            self.pop();
        }
        self.push(overlay);
    }

    /// Takes the overlay on top off (hidden ones under it stay).
    pub fn pop(&mut self) -> Option<Overlay> {
        self.top_index().map(|i| self.0.remove(i))
    }

    /// No overlay is shown.
    pub fn is_empty(&self) -> bool {
        self.top_index().is_none()
    }

    /// Every layer, shown or not, bottom to top.
    pub fn iter(&self) -> impl Iterator<Item = &Overlay> {
        self.0.iter()
    }

    /// Keeps only the layers `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&Overlay) -> bool) {
        self.0.retain(keep);
    }

    /// Hides the form on top while `write` is in flight (see [`Overlay::Sending`]). Returns
    /// whether a form was on top.
    pub fn hide_until_answered(&mut self, write: &Write) -> bool {
        if !matches!(self.top(), Some(Overlay::Form(_) | Overlay::Maintenance(_))) {
            return false;
        }
        let Some(form) = self.pop() else {
            return false;
        };
        self.push(Overlay::Sending(Box::new(Waiting {
            write: write.clone(),
            form,
        })));
        true
    }

    /// Where the form waiting for the answer to `write` is.
    fn sending(&self, write: &Write) -> Option<usize> {
        self.0
            .iter()
            .position(|o| matches!(o, Overlay::Sending(w) if w.write == *write))
    }

    /// The form's write succeeded: the form goes.
    pub fn drop_sending(&mut self, write: &Write) {
        if let Some(i) = self.sending(write) {
            self.0.remove(i);
        }
    }

    /// The form's write was refused: the form is back where it was, values kept, with
    /// `error` shown. Returns whether a form was waiting.
    pub fn reopen_sending(&mut self, write: &Write, error: &str) -> bool {
        let Some(i) = self.sending(write) else {
            return false;
        };
        if let Overlay::Sending(w) = self.0.remove(i) {
            let mut form = w.form;
            match &mut form {
                Overlay::Form(f) => f.failed(error),
                Overlay::Maintenance(f) => f.failed(error),
                _ => {}
            }
            self.0.insert(i, form);
        }
        true
    }
}

/// A form hidden while its write is in flight, and that write.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub write: Write,
    pub form: Overlay,
}

/// How much a footer message matters: its look, and how long it stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something done (a write answered, a namespace chosen).
    Info,
    /// Something refused or not possible here (nothing selected, read-only, not editable).
    Warning,
    /// Something failed (a write, a run's step).
    Error,
}

/// A one-line message in the footer. Every message goes by itself: information and warnings
/// after [`Flash::INFO_SECONDS`], errors after [`Flash::ERROR_SECONDS`]; and a message raised
/// before the screen changes goes with the screen it was about.
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub text: String,
    pub level: Level,
    /// When it was shown.
    pub since: Timestamp,
    /// Tells this message from an earlier one with the same text.
    pub serial: u64,
}

impl Flash {
    pub const INFO_SECONDS: i64 = 8;
    pub const ERROR_SECONDS: i64 = 20;

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// Whether the message has been up long enough to go.
    pub fn expired(&self, now: Timestamp) -> bool {
        let lifetime = match self.level {
            Level::Info | Level::Warning => Flash::INFO_SECONDS,
            Level::Error => Flash::ERROR_SECONDS,
        };
        now.as_second() - self.since.as_second() >= lifetime
    }
}

/// Geometry the view reported on its last draw, for mouse hits and paging.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Layout {
    /// Screen row of the first table body row, and how many body rows fit.
    pub body_top: u16,
    pub body_left: u16,
    pub body_width: u16,
    pub body_rows: u16,
    /// Index of the row drawn first.
    pub first_row: usize,
    /// Body rows a dialog over the view (the confirmation) had room for, and how many rows its
    /// body takes (wrapped).
    pub overlay_rows: u16,
    pub overlay_total: usize,
}

/// Screens kept to go back to (and forward again): past it, the oldest goes.
pub const MAX_BACK: usize = 100;

/// Commands kept in the command line's history: past it, the oldest goes.
pub const MAX_PALETTE_HISTORY: usize = 100;

#[derive(Debug)]
pub struct App {
    pub store: Store,
    /// The list views' rows as last built from the store, reused while neither the store nor
    /// the view's query changed (a memo: drawing reads it through [`App::table`]).
    pub views: std::cell::RefCell<super::tables::TableCache>,
    /// "Now" as the source tells it (the demo cluster's clock or the wall clock).
    pub now: Timestamp,
    pub context: String,
    /// The kubeconfig's context names, for `:ctx` (just the demo context on the demo cluster).
    pub contexts: Vec<String>,
    /// Namespace filter; `None` is all namespaces.
    pub namespace: Option<String>,
    pub favourite_namespaces: Vec<String>,
    pub readonly: bool,
    pub screen: Screen,
    pub back: Vec<(Screen, PageState)>,
    pub forward: Vec<(Screen, PageState)>,
    /// The list view to go to with `-`.
    pub last_list: Option<ViewKind>,
    pub lists: BTreeMap<ViewKind, ListState>,
    pub page: PageState,
    pub overlays: Overlays,
    pub flash: Option<Flash>,
    /// Messages raised so far (the serial of the next one).
    pub flashes: u64,
    pub palette_history: Vec<String>,
    /// While Up / Down walk the command line's history: the entry shown (0 is the oldest).
    pub palette_browse: Option<usize>,
    /// Where the command line's history is kept between runs (none: not kept, as in tests).
    pub palette_history_file: Option<std::path::PathBuf>,
    /// Where `Ctrl-S` saves logs (none: saving is not offered, as in tests).
    pub saved_logs_dir: Option<std::path::PathBuf>,
    pub layout: Layout,
    /// The subject the timeline view shows when opened with `:timeline`.
    pub timeline_subject: Option<Subject>,
    /// The spec editor (`e`), while open: it owns the body and the keyboard under overlays.
    pub editor: Option<Box<super::editor::Editor>>,
    /// Where unsent edits are saved (none: drafts are not kept, as in tests).
    pub drafts_dir: Option<std::path::PathBuf>,
    /// Drafts found at start-up (file name → text), offered when their object is edited.
    pub drafts: BTreeMap<String, String>,
    /// Maintenance runs (upgrade, rebuild) this console drives.
    pub runs: BTreeMap<ObjectKey, crate::workflows::driver::Drive>,
    /// The operator quit while runs were driven here: nothing new is decided for them, the
    /// writes under way are finished, then the console quits.
    pub quitting: bool,
    pub quit: bool,
    /// Set whenever something visible changed; the loop draws and clears it.
    pub dirty: bool,
    /// The problems now, and the notice of a new one.
    pub problem_watch: super::problem_watch::ProblemWatch,
    /// On a recording (`fluidops replay`): where it stands; `None` on a live cluster.
    pub replay: Option<crate::cluster::source::ReplayStatus>,
}

impl App {
    pub fn new(context: impl Into<String>, now: Timestamp) -> App {
        App {
            store: Store::new(),
            views: Default::default(),
            now,
            context: context.into(),
            contexts: Vec::new(),
            namespace: None,
            favourite_namespaces: Vec::new(),
            readonly: false,
            screen: Screen::List(ViewKind::Runtimes),
            back: Vec::new(),
            forward: Vec::new(),
            last_list: None,
            lists: BTreeMap::new(),
            page: PageState {
                follow: true,
                ..PageState::default()
            },
            overlays: Overlays::default(),
            flash: None,
            flashes: 0,
            palette_history: Vec::new(),
            palette_browse: None,
            palette_history_file: None,
            saved_logs_dir: None,
            layout: Layout::default(),
            timeline_subject: None,
            editor: None,
            drafts_dir: None,
            drafts: BTreeMap::new(),
            runs: BTreeMap::new(),
            quitting: false,
            quit: false,
            dirty: true,
            problem_watch: Default::default(),
            replay: None,
        }
    }

    pub fn list(&self, view: ViewKind) -> ListState {
        self.lists
            .get(&view)
            .cloned()
            .unwrap_or_else(|| ListState::first(view))
    }

    pub fn list_mut(&mut self, view: ViewKind) -> &mut ListState {
        self.lists
            .entry(view)
            .or_insert_with(|| ListState::first(view))
    }

    /// Whether something on screen moves with the clock (ages, durations, a timeline's "now",
    /// a message due to go) or a run waits on it (step timeouts).
    pub fn shows_time(&self) -> bool {
        let screen_moves =
            self.editor.is_none() && !matches!(self.screen, Screen::Yaml(_) | Screen::Logs(_));
        screen_moves || self.flash.is_some() || !self.runs.is_empty()
    }

    /// Shows `text` in the footer.
    pub fn set_flash(&mut self, text: impl Into<String>, level: Level) {
        self.flashes += 1;
        self.flash = Some(Flash {
            text: text.into(),
            level,
            since: self.now,
            serial: self.flashes,
        });
        self.dirty = true;
    }

    /// The message in the footer goes once its time is up.
    pub(super) fn expire_flash(&mut self) {
        if self.flash.as_ref().is_some_and(|f| f.expired(self.now)) {
            self.flash = None;
            self.dirty = true;
        }
    }

    /// The message raised before the screen changed (serial `before`) is about the previous
    /// screen: it goes. One raised while changing it (a write's answer that opens a page) stays.
    pub(super) fn screen_changed(&mut self, before: Option<u64>) {
        if before.is_some() && self.flash.as_ref().map(|f| f.serial) == before {
            self.flash = None;
            self.dirty = true;
        }
    }

    /// The list view on screen, if the screen is a list.
    pub fn current_list(&self) -> Option<ViewKind> {
        match &self.screen {
            Screen::List(v) => Some(*v),
            _ => None,
        }
    }
}
