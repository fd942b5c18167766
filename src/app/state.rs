//! Application state: what the operator is looking at, how, and what the cluster holds.
//! Changed only by [`App::update`](super::update); read by the view.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::actions::ViewKind;
use super::tables::SortKey;
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
}

/// A modal layer over the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// `/` filter line; `before` restores the previous filter on Esc.
    Filter {
        input: String,
        before: String,
    },
    /// `:` command palette with completion.
    Palette {
        input: String,
        choice: usize,
    },
    Help {
        scroll: usize,
    },
    /// A write waiting for the operator's yes or no (over the form it was asked from, if any).
    Confirm(Box<super::confirm::Confirm>),
    /// The form that starts a data operation (`L`).
    Form(Box<super::load_form::LoadForm>),
    /// The data-operation form whose create is in flight: hidden and deaf, it comes back with
    /// the error if the write fails and goes when it succeeds.
    Sending(Box<super::load_form::LoadForm>),
    /// The form that plans an in-place upgrade (`U`) or rebuild (`R`).
    Maintenance(Box<super::maintenance_form::MaintenanceForm>),
    /// Problems found at start-up (bad config files, unusable seed documents).
    Notices {
        lines: Vec<String>,
        scroll: usize,
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

    /// Where the data-operation form waiting for its create of `key` is.
    fn sending(&self, key: &ObjectKey) -> Option<usize> {
        self.0
            .iter()
            .position(|o| matches!(o, Overlay::Sending(f) if f.key() == *key))
    }

    /// The form's create of `key` succeeded: the form goes.
    pub fn drop_sending(&mut self, key: &ObjectKey) {
        if let Some(i) = self.sending(key) {
            self.0.remove(i);
        }
    }

    /// The form's create of `key` failed: the form is back where it was, values kept, with
    /// `error` shown. Returns whether a form was waiting.
    pub fn reopen_sending(&mut self, key: &ObjectKey, error: &str) -> bool {
        let Some(i) = self.sending(key) else {
            return false;
        };
        if let Overlay::Sending(mut f) = self.0.remove(i) {
            f.failed(error);
            self.0.insert(i, Overlay::Form(f));
        }
        true
    }
}

/// A one-line message in the footer.
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
    /// When it was shown: information goes after [`Flash::INFO_SECONDS`], errors stay until
    /// the next key.
    pub since: Timestamp,
}

impl Flash {
    pub const INFO_SECONDS: i64 = 8;

    /// Whether an information message has been up long enough to go.
    pub fn expired(&self, now: Timestamp) -> bool {
        !self.error && now.as_second() - self.since.as_second() >= Flash::INFO_SECONDS
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
    pub palette_history: Vec<String>,
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
    pub quit: bool,
    /// Set whenever something visible changed; the loop draws and clears it.
    pub dirty: bool,
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
            palette_history: Vec::new(),
            layout: Layout::default(),
            timeline_subject: None,
            editor: None,
            drafts_dir: None,
            drafts: BTreeMap::new(),
            runs: BTreeMap::new(),
            quit: false,
            dirty: true,
        }
    }

    pub fn list(&self, view: ViewKind) -> ListState {
        self.lists.get(&view).cloned().unwrap_or_default()
    }

    pub fn list_mut(&mut self, view: ViewKind) -> &mut ListState {
        self.lists.entry(view).or_default()
    }

    /// Whether something on screen moves with the clock (ages, durations, a timeline's "now",
    /// an information message due to go) or a run waits on it (step timeouts).
    pub fn shows_time(&self) -> bool {
        let screen_moves =
            self.editor.is_none() && !matches!(self.screen, Screen::Yaml(_) | Screen::Logs(_));
        screen_moves || self.flash.as_ref().is_some_and(|f| !f.error) || !self.runs.is_empty()
    }

    /// The list view on screen, if the screen is a list.
    pub fn current_list(&self) -> Option<ViewKind> {
        match &self.screen {
            Screen::List(v) => Some(*v),
            _ => None,
        }
    }
}
