//! The rows of every list view, built purely from the store: what each column says, which
//! object a row is, and which phase styles a cell. Filtering and sorting happen here too, so the
//! update function (selection bounds, Enter) and the view (drawing) agree on the same rows.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::actions::ViewKind;
use super::format::{age, or_dash, ratio};
use crate::cluster::Store;
use crate::model::health::{operation_flag, overall_phase};
use crate::model::meta::{created, parse_time};
use crate::model::runtime::IDLE_PHASE;
use crate::model::{Component, Kind, ObjectKey, Policy, RuntimePhase};

/// One cell of a detail line: its text, and optionally the phase whose colour and symbol it
/// shows. List rows keep their cells packed (see [`RowData`]) and lend them as [`CellRef`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub phase: Option<String>,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            phase: None,
        }
    }
    pub fn phase(phase: impl Into<String>, text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            phase: Some(phase.into()),
        }
    }
}

/// A cell as kept: its text, and optionally the phase whose colour and symbol it shows; or a
/// time whose text depends on "now" (an age), formatted only when drawn ([`CellRef::shown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRef<'a> {
    /// Empty for a time cell.
    pub text: &'a str,
    pub phase: Option<&'a str>,
    pub since: Option<Since>,
}

impl<'a> From<&'a Cell> for CellRef<'a> {
    fn from(c: &'a Cell) -> CellRef<'a> {
        CellRef {
            text: &c.text,
            phase: c.phase.as_deref(),
            since: None,
        }
    }
}

impl<'a> CellRef<'a> {
    /// The cell as drawn at `now`: a time cell gets its text.
    pub fn shown(self, now: Timestamp) -> Shown<'a> {
        Shown {
            text: match self.since {
                Some(s) => std::borrow::Cow::Owned(s.text(now)),
                None => std::borrow::Cow::Borrowed(self.text),
            },
            phase: self.phase,
        }
    }
}

/// A time shown relative to "now": `12m`, or `12m ago`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Since {
    pub at: Timestamp,
    pub ago: bool,
}

impl Since {
    pub fn text(&self, now: Timestamp) -> String {
        let a = age(Some(self.at), now);
        if self.ago { format!("{a} ago") } else { a }
    }
}

/// A cell with its text as drawn at some "now".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown<'a> {
    pub text: std::borrow::Cow<'a, str>,
    pub phase: Option<&'a str>,
}

impl<'a> From<&'a Shown<'_>> for CellRef<'a> {
    fn from(c: &'a Shown<'_>) -> CellRef<'a> {
        CellRef {
            text: &c.text,
            phase: c.phase,
            since: None,
        }
    }
}

/// Marks a time cell in a row's packed text: the mark, the time in seconds, and [`AGO`] when
/// the text ends with "ago".
const TIME_MARK: char = '\u{1}';
const AGO: char = 'a';

/// One row of a list view. Cheap to clone (shared): filtering keeps rows of the cached table
/// without copying their text.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(Rc<RowData>);

impl std::ops::Deref for Row {
    type Target = RowData;
    fn deref(&self) -> &RowData {
        &self.0
    }
}

impl From<RowData> for Row {
    fn from(data: RowData) -> Row {
        Row(Rc::new(data))
    }
}

/// One row of a list view, its texts packed in one buffer: a table of offsets, then every
/// cell's text back to back, then any text the row needs that no cell contains (a phase or
/// status shown nowhere in the row).
///
/// The offsets are two bytes each (four when the row's text exceeds 64 KiB), in this order:
/// namespace start and end, name start and end, status start and end (all in the text), the end
/// of each cell (cell `i` starts where cell `i - 1` ends, cell 0 at 0), then for each phase cell
/// its index and the start and end of its phase. The namespace, name, status and phases point
/// at wherever their text occurs (a pod's status is its status cell; a component's phase is the
/// first word of its cell), so they usually take no text of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct RowData {
    kind: Kind,
    cells: u8,
    phases: u8,
    wide: bool,
    packed: Box<[u8]>,
    /// Group this row belongs to; rows of one group stay together (Pods: runtime, then
    /// component in master, worker, client order). Rows of one group share the text.
    pub group: Option<Rc<String>>,
    /// Creation time, for sorting by age.
    pub created: Option<Timestamp>,
}

/// Offsets before the cell ends: namespace, name and status, start and end each.
const FIXED: usize = 6;

impl RowData {
    fn width(&self) -> usize {
        if self.wide { 4 } else { 2 }
    }

    /// Offset `i` of the table.
    fn at(&self, i: usize) -> usize {
        let w = self.width();
        let b = &self.packed[i * w..(i + 1) * w];
        if self.wide {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
        } else {
            u16::from_le_bytes([b[0], b[1]]) as usize
        }
    }

    fn text_start(&self) -> usize {
        (FIXED + self.cells as usize + 3 * self.phases as usize) * self.width()
    }

    fn bytes(&self, start: usize, end: usize) -> &[u8] {
        let base = self.text_start();
        &self.packed[base + start..base + end]
    }

    fn str(&self, start: usize, end: usize) -> &str {
        // Every offset is at a character boundary of text that was a `str`.
        std::str::from_utf8(self.bytes(start, end)).expect("row text is UTF-8")
    }

    /// The text of the range whose start is offset `i` (and end `i + 1`).
    fn range(&self, i: usize) -> &str {
        self.str(self.at(i), self.at(i + 1))
    }

    fn range_bytes(&self, i: usize) -> &[u8] {
        self.bytes(self.at(i), self.at(i + 1))
    }

    pub fn namespace(&self) -> &str {
        self.range(0)
    }

    pub fn name(&self) -> &str {
        self.range(2)
    }

    /// The object this row shows.
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(self.kind, self.namespace(), self.name())
    }

    /// Whether this row shows `key`.
    pub fn is(&self, key: &ObjectKey) -> bool {
        self.kind == key.kind
            && self.range_bytes(0) == key.namespace.as_bytes()
            && self.range_bytes(2) == key.name.as_bytes()
    }

    /// The phase used when sorting by status.
    pub fn status(&self) -> &str {
        self.range(4)
    }

    pub fn cells(&self) -> Cells<'_> {
        Cells { row: self }
    }

    fn cell(&self, i: usize) -> Option<CellRef<'_>> {
        if i >= self.cells as usize {
            return None;
        }
        let start = if i == 0 { 0 } else { self.at(FIXED + i - 1) };
        let end = self.at(FIXED + i);
        let phases = FIXED + self.cells as usize;
        let phase = (0..self.phases as usize)
            .map(|p| phases + 3 * p)
            .find(|&p| self.at(p) == i)
            .map(|p| self.range(p + 1));
        let text = self.str(start, end);
        let since = text.strip_prefix(TIME_MARK).and_then(|t| {
            let (secs, ago) = match t.strip_suffix(AGO) {
                Some(secs) => (secs, true),
                None => (t, false),
            };
            let at = Timestamp::from_second(secs.parse().ok()?).ok()?;
            Some(Since { at, ago })
        });
        Some(CellRef {
            text: if since.is_some() { "" } else { text },
            phase,
            since,
        })
    }
}

/// The cells of a row, lent out as [`CellRef`]s.
#[derive(Debug, Clone, Copy)]
pub struct Cells<'a> {
    row: &'a RowData,
}

impl<'a> Cells<'a> {
    pub fn len(&self) -> usize {
        self.row.cells as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Option<CellRef<'a>> {
        self.row.cell(i)
    }

    pub fn iter(&self) -> impl Iterator<Item = CellRef<'a>> + use<'a> {
        let row = self.row;
        (0..self.len()).filter_map(move |i| row.cell(i))
    }
}

/// Builds rows one after another, reusing its buffers: the cells of a row are added in column
/// order, then [`Packer::finish`] packs them with what identifies and sorts the row.
#[derive(Debug, Default)]
pub(super) struct Packer {
    text: String,
    ends: Vec<usize>,
    /// Per phase cell: its index, and its phase as a range of `phase_text`.
    phases: Vec<(usize, usize, usize)>,
    phase_text: String,
}

impl Packer {
    pub(super) fn text(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    pub(super) fn fmt(&mut self, args: std::fmt::Arguments) {
        use std::fmt::Write;
        let _ = self.text.write_fmt(args);
        self.ends.push(self.text.len());
    }

    /// A time cell: `-` without a time, else drawn as the time since `at` (see [`Since`]).
    pub(super) fn since(&mut self, at: Option<Timestamp>, ago: bool) {
        match at {
            None => self.text("-"),
            Some(at) if ago => self.fmt(format_args!("{TIME_MARK}{}{AGO}", at.as_second())),
            Some(at) => self.fmt(format_args!("{TIME_MARK}{}", at.as_second())),
        }
    }

    pub(super) fn phase(&mut self, phase: &str, text: &str) {
        let start = self.phase_text.len();
        self.phase_text.push_str(phase);
        self.phases
            .push((self.ends.len(), start, self.phase_text.len()));
        self.text(text);
    }

    fn cell(&mut self, c: Cell) {
        match &c.phase {
            Some(p) => self.phase(p, &c.text),
            None => self.text(&c.text),
        }
    }

    /// Where `needle` occurs in the row's text, added after the cells when nowhere.
    fn locate(text: &mut String, needle: &str) -> (usize, usize) {
        if needle.is_empty() {
            return (0, 0);
        }
        let at = match memchr::memmem::find(text.as_bytes(), needle.as_bytes()) {
            Some(at) => at,
            None => {
                text.push_str(needle);
                text.len() - needle.len()
            }
        };
        (at, at + needle.len())
    }

    /// The row of the cells added since the last call.
    pub(super) fn finish(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        status: &str,
        group: Option<Rc<String>>,
        created: Option<Timestamp>,
    ) -> Row {
        let mut offsets: Vec<usize> =
            Vec::with_capacity(FIXED + self.ends.len() + 3 * self.phases.len());
        for s in [namespace, name, status] {
            let (start, end) = Self::locate(&mut self.text, s);
            offsets.extend([start, end]);
        }
        offsets.extend_from_slice(&self.ends);
        for &(cell, start, end) in &self.phases {
            let (start, end) = Self::locate(&mut self.text, &self.phase_text[start..end]);
            offsets.extend([cell, start, end]);
        }
        let wide = self.text.len() > u16::MAX as usize;
        let width = if wide { 4 } else { 2 };
        let mut packed = Vec::with_capacity(offsets.len() * width + self.text.len());
        for o in offsets {
            if wide {
                packed.extend_from_slice(&(o as u32).to_le_bytes());
            } else {
                packed.extend_from_slice(&(o as u16).to_le_bytes());
            }
        }
        packed.extend_from_slice(self.text.as_bytes());
        let row = RowData {
            kind,
            cells: u8::try_from(self.ends.len()).expect("a row has fewer than 256 cells"),
            phases: u8::try_from(self.phases.len()).expect("fewer than 256 phase cells"),
            wide,
            packed: packed.into_boxed_slice(),
            group,
            created,
        };
        self.text.clear();
        self.ends.clear();
        self.phases.clear();
        self.phase_text.clear();
        row.into()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Name,
    Age,
    Status,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<&'static str>,
    /// Shared with the store's table cache: asking again for the same view, query, store revision
    /// and time costs nothing.
    pub rows: Rc<Vec<Row>>,
    /// Rows before filtering, for the "n of m" title.
    pub total: usize,
}

/// Query parameters of a list view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query<'a> {
    pub namespace: Option<&'a str>,
    pub filter: &'a str,
    pub sort: SortKey,
    pub reverse: bool,
    /// "Now", for rows that depend on how long something lasted (problems past their grace).
    pub now: Option<Timestamp>,
}

pub fn headers(view: ViewKind) -> Vec<&'static str> {
    match view {
        ViewKind::Runtimes => vec![
            "NAMESPACE",
            "NAME",
            "CLASS",
            "PHASE",
            "MASTER",
            "WORKER",
            "CLIENT",
            "CAPACITY",
            "CACHED",
            "CACHED%",
            "DATASET",
            "AGE",
        ],
        ViewKind::Pods => vec![
            "NAMESPACE",
            "NAME",
            "RUNTIME",
            "COMPONENT",
            "STATUS",
            "READY",
            "RESTARTS",
            "NODE",
            "VERSION",
            "AGE",
        ],
        ViewKind::Ops => vec![
            "NAMESPACE",
            "NAME",
            "KIND",
            "DATASET",
            "PHASE",
            "DURATION",
            "POLICY",
            "LAST SCHEDULE",
            "LAST SUCCESS",
            "AGE",
            "MESSAGE",
        ],
        ViewKind::Datasets => vec![
            "NAMESPACE",
            "NAME",
            "PHASE",
            "RUNTIME",
            "MOUNTS",
            "CACHED",
            "CAPACITY",
            "CACHED%",
            "HIT RATIO",
            "AGE",
        ],
        ViewKind::Classes => vec![
            "NAME",
            "FILESYSTEM",
            "MASTER",
            "WORKER",
            "CLIENT",
            "ENTRIES",
            "OPERATIONS",
            "RUNTIMES",
            "AGE",
        ],
        ViewKind::Maintenance => vec![
            "NAMESPACE",
            "NAME",
            "RUNTIME",
            "TYPE",
            "PHASE",
            "STEP",
            "AGE",
        ],
        ViewKind::Timeline => vec!["WHEN", "PHASE", "FOR", "WHY"],
        ViewKind::Problems => super::triage_rows::PROBLEM_HEADERS.to_vec(),
        ViewKind::Events => super::triage_rows::EVENT_HEADERS.to_vec(),
        ViewKind::Nodes => super::triage_rows::NODE_HEADERS.to_vec(),
    }
}

/// The column a sort orders by, as its header: where the sort arrow goes (none on the
/// timeline, which is not sorted).
pub fn sorted_header(view: ViewKind, sort: SortKey) -> Option<&'static str> {
    let wanted: &[&str] = match sort {
        SortKey::Name => &["NAME"],
        SortKey::Age => &["AGE"],
        SortKey::Status => &["PHASE", "STATUS"],
    };
    if view == ViewKind::Timeline {
        return None;
    }
    headers(view).into_iter().find(|h| wanted.contains(h))
}

pub(super) fn in_namespace(q: &Query, ns: &str) -> bool {
    q.namespace.is_none_or(|want| want == ns)
}

/// What the rows of a view depend on besides the filter: rows are rebuilt only when one of these
/// changes (ages are formatted when drawn, so the time is not one of them).
#[derive(Debug, Clone, PartialEq)]
struct BaseKey {
    revision: u64,
    /// The second, for views whose rows depend on it (problems).
    second: Option<i64>,
    namespace: Option<String>,
    sort: SortKey,
    reverse: bool,
}

/// One view's rows as last built: all of them sorted, their text for plain filters (built on
/// the first filter), and the last filter's result (rows, and their indices in `all`).
#[derive(Debug)]
struct CachedView {
    key: BaseKey,
    /// Until when these rows stand in for newer ones while only the cluster changes.
    due: Instant,
    all: Rc<Vec<Row>>,
    search: Option<SearchText>,
    filtered: Option<(String, Rc<Vec<Row>>, Vec<u32>)>,
}

/// Every row's cells lowercased, each cell followed by a NUL (which no filter contains), rows
/// one after the other in one buffer: a plain filter is one substring search over it.
#[derive(Debug)]
struct SearchText {
    text: String,
    /// Where each row starts, and the end.
    starts: Vec<usize>,
}

impl SearchText {
    fn new(rows: &[Row]) -> SearchText {
        let mut text = String::new();
        let mut starts = Vec::with_capacity(rows.len() + 1);
        for r in rows {
            starts.push(text.len());
            for c in r.cells().iter() {
                if c.text.is_ascii() {
                    text.extend(c.text.bytes().map(|b| b.to_ascii_lowercase() as char));
                } else {
                    text.push_str(&c.text.to_lowercase());
                }
                text.push('\0');
            }
        }
        starts.push(text.len());
        SearchText { text, starts }
    }

    fn row(&self, i: u32) -> &[u8] {
        let i = i as usize;
        &self.text.as_bytes()[self.starts[i]..self.starts[i + 1]]
    }

    /// Rows containing `needle` (lowercased), in order.
    fn matching(&self, needle: &str) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        let mut row = 0usize;
        for at in memchr::memmem::find_iter(self.text.as_bytes(), needle.as_bytes()) {
            while self.starts[row + 1] <= at {
                row += 1;
            }
            if out.last() != Some(&(row as u32)) {
                out.push(row as u32);
            }
        }
        out
    }
}

/// The last rows built per list view (held by the app, see [`App::table`](super::App::table)). Drawing
/// a frame or moving the selection reuses them; a filter keystroke filters the sorted rows again
/// (narrowing the previous result when the text only grew) instead of rebuilding them.
#[derive(Debug)]
pub struct TableCache {
    views: BTreeMap<ViewKind, CachedView>,
    /// Set when rows older than the store were handed out (see [`REBUILD_GAP_PER_ROW`]): when
    /// they are due to be built again.
    deferred: Option<Instant>,
    /// The monotonic clock as the run loop last read it: rows are built and throttled against
    /// it (nothing here reads the clock).
    pub at: Instant,
    /// Views with at least this many rows are throttled.
    pub throttled_rows: usize,
}

impl Default for TableCache {
    fn default() -> TableCache {
        TableCache {
            views: BTreeMap::new(),
            deferred: None,
            at: Instant::now(),
            throttled_rows: THROTTLED_ROWS,
        }
    }
}

/// Building the rows of a large view takes long (1.7 µs a row in release, about 85 ms at 50,000
/// pods): while only the cluster changed (same namespace, sort), a view of at least
/// [`THROTTLED_ROWS`] rows is built again at most once per this much time per row (about four
/// times what it takes), so a stream of changes costs at most about a fifth of a core and keys
/// stay responsive. The frame after that catches up.
const REBUILD_GAP_PER_ROW: Duration = Duration::from_micros(7);

/// Views with fewer rows (under about 17 ms to build) are always built fresh.
const THROTTLED_ROWS: usize = 10_000;

impl TableCache {
    /// When rows handed out older than the store are due to be built again (asked once: the
    /// next frame that hands out old rows again says so again).
    pub fn take_deferred(&mut self) -> Option<Instant> {
        self.deferred.take()
    }

    /// Builds, filters and sorts the rows of a list view (or reuses the ones kept here).
    pub fn table(&mut self, store: &Store, view: ViewKind, q: &Query) -> Table {
        table(self, store, view, q)
    }

    /// Forgets every view's rows (the store they were built from is gone).
    pub fn clear(&mut self) {
        *self = TableCache::default();
    }
}

fn build_rows(store: &Store, view: ViewKind, q: &Query) -> Vec<Row> {
    match view {
        ViewKind::Runtimes => runtime_rows(store, q),
        ViewKind::Pods => pod_rows(store, q),
        ViewKind::Ops => op_rows(store, q),
        ViewKind::Datasets => dataset_rows(store, q),
        ViewKind::Classes => class_rows(store),
        ViewKind::Maintenance => maintenance_rows(store, q),
        ViewKind::Timeline => Vec::new(),
        ViewKind::Problems => super::triage_rows::problem_rows(store, q),
        ViewKind::Events => super::triage_rows::event_rows(store, q),
        ViewKind::Nodes => super::triage_rows::node_rows(store),
    }
}

fn table(cache: &mut TableCache, store: &Store, view: ViewKind, q: &Query) -> Table {
    let key = BaseKey {
        revision: store.revision(),
        second: q
            .now
            .filter(|_| view == ViewKind::Problems)
            .map(|t| t.as_second()),
        namespace: q.namespace.map(str::to_string),
        sort: q.sort,
        reverse: q.reverse,
    };
    let at = cache.at;
    let throttled = cache.views.get(&view).and_then(|c| {
        let same_query = c.key.namespace == key.namespace
            && c.key.sort == key.sort
            && c.key.reverse == key.reverse;
        (c.key != key && same_query && at < c.due).then_some(c.due)
    });
    if let Some(due) = throttled {
        cache.deferred = Some(cache.deferred.map_or(due, |d| d.min(due)));
    }
    let cached = match cache.views.get_mut(&view) {
        Some(c) if c.key == key || throttled.is_some() => c,
        _ => {
            // The old rows go first: at 50,000 pods they are megabytes, not needed to build.
            cache.views.remove(&view);
            let mut rows = build_rows(store, view, q);
            // Sorting is a total order (it ends with the key), so sorting all rows once and
            // filtering afterwards gives the same rows as filtering first.
            sort_rows(&mut rows, q.sort, q.reverse);
            rows.shrink_to_fit();
            cache.deferred = None;
            let due = if rows.len() >= cache.throttled_rows {
                at + REBUILD_GAP_PER_ROW * rows.len() as u32
            } else {
                at
            };
            cache.views.insert(
                view,
                CachedView {
                    key,
                    due,
                    all: Rc::new(rows),
                    search: None,
                    filtered: None,
                },
            );
            cache.views.get_mut(&view).expect("just inserted")
        }
    };
    let total = cached.all.len();
    let filter = q.filter;
    let rows = if filter.trim().is_empty() {
        cached.all.clone()
    } else {
        match &cached.filtered {
            Some((f, rows, _)) if f == filter => rows.clone(),
            previous => {
                // Typing more of a plain filter only narrows what the shorter text kept.
                let narrowed = match previous {
                    Some((f, _, idx)) if narrows(f, filter) => Some(idx.as_slice()),
                    _ => None,
                };
                let idx = filtered_indices(&cached.all, &mut cached.search, narrowed, filter);
                let rows: Rc<Vec<Row>> = Rc::new(
                    idx.iter()
                        .map(|&i| cached.all[i as usize].clone())
                        .collect(),
                );
                cached.filtered = Some((filter.to_string(), rows.clone(), idx));
                rows
            }
        }
    };
    Table {
        headers: headers(view),
        rows,
        total,
    }
}

/// A plain (non-regex, non-inverse) filter: its lowercased text.
fn plain_needle(filter: &str) -> Option<String> {
    let f = filter.trim();
    let is_plain =
        !f.is_empty() && !f.starts_with('!') && !f.chars().any(|c| "^$.*+?()[]{}|\\".contains(c));
    is_plain.then(|| f.to_lowercase())
}

/// Whether every row `new` keeps is also kept by `old` (both plain, `new` contains `old`).
fn narrows(old: &str, new: &str) -> bool {
    match (plain_needle(old), plain_needle(new)) {
        (Some(o), Some(n)) => n.contains(&o),
        _ => false,
    }
}

/// Indices of the rows `filter` keeps, among `within` (indices, ascending) or all rows.
fn filtered_indices(
    rows: &[Row],
    search: &mut Option<SearchText>,
    within: Option<&[u32]>,
    filter: &str,
) -> Vec<u32> {
    let Some(m) = Matcher::new(filter) else {
        return match within {
            Some(idx) => idx.to_vec(),
            None => (0..rows.len() as u32).collect(),
        };
    };
    if m.re.is_some() {
        let keeps = |i: &u32| m.keeps(&rows[*i as usize]);
        return match within {
            Some(idx) => idx.iter().copied().filter(keeps).collect(),
            None => (0..rows.len() as u32).filter(keeps).collect(),
        };
    }
    let search = search.get_or_insert_with(|| SearchText::new(rows));
    let needle = m.needle.as_bytes();
    match (within, m.inverse) {
        (Some(idx), inverse) => {
            let finder = memchr::memmem::Finder::new(needle);
            idx.iter()
                .copied()
                .filter(|&i| finder.find(search.row(i)).is_some() != inverse)
                .collect()
        }
        (None, false) => search.matching(&m.needle),
        (None, true) => {
            let hits = search.matching(&m.needle);
            let mut hits = hits.into_iter().peekable();
            (0..rows.len() as u32)
                .filter(|i| {
                    if hits.peek() == Some(i) {
                        hits.next();
                        false
                    } else {
                        true
                    }
                })
                .collect()
        }
    }
}

/// The regex of a filter pattern that has regex characters (`None` for a plain one), or why
/// it is not a valid regex.
fn compile(pattern: &str) -> Result<Option<regex::Regex>, String> {
    let is_regex = pattern.chars().any(|c| "^$.*+?()[]{}|\\".contains(c));
    if !is_regex {
        return Ok(None);
    }
    regex::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .map(Some)
        .map_err(|e| match e {
            // The parser's message ends with its one-line reason, under a picture of the
            // pattern.
            regex::Error::Syntax(text) => text
                .lines()
                .rev()
                .find_map(|l| l.trim().strip_prefix("error: ").map(str::to_string))
                .unwrap_or_else(|| text.lines().last().unwrap_or_default().trim().to_string()),
            other => other.to_string(),
        })
}

/// Why `filter` cannot be used (a regex that does not compile), if it cannot. Such a filter is
/// not applied.
pub fn filter_error(filter: &str) -> Option<String> {
    let f = filter.trim();
    let pattern = f.strip_prefix('!').unwrap_or(f);
    compile(pattern).err()
}

/// A compiled `/filter`: see [`apply_filter`].
struct Matcher {
    inverse: bool,
    re: Option<regex::Regex>,
    needle: String,
}

impl Matcher {
    fn new(filter: &str) -> Option<Matcher> {
        let filter = filter.trim();
        if filter.is_empty() {
            return None;
        }
        let (inverse, pattern) = match filter.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, filter),
        };
        if pattern.is_empty() {
            return None;
        }
        let re = match compile(pattern) {
            Ok(re) => re,
            // Not a valid pattern: no filter (the filter line says why).
            Err(_) => return None,
        };
        Some(Matcher {
            inverse,
            re,
            needle: pattern.to_lowercase(),
        })
    }

    fn matches(&self, text: &str) -> bool {
        match &self.re {
            Some(re) => re.is_match(text),
            // ASCII text lowercases byte by byte: compare without allocating.
            None if text.is_ascii() => {
                contains_ascii_lower(text.as_bytes(), self.needle.as_bytes())
            }
            None => text.to_lowercase().contains(&self.needle),
        }
    }

    fn keeps(&self, row: &Row) -> bool {
        row.cells().iter().any(|c| self.matches(c.text)) != self.inverse
    }
}

/// Whether the lowercased `text` (ASCII) contains `needle` (already lowercased).
fn contains_ascii_lower(text: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.len() > text.len() {
        return false;
    }
    text.windows(needle.len()).any(|w| {
        w.iter()
            .zip(needle)
            .all(|(a, b)| a.to_ascii_lowercase() == *b)
    })
}

fn sort_rows(rows: &mut [Row], key: SortKey, reverse: bool) {
    // Grouped rows keep their grouping: sort within groups by the key.
    rows.sort_by(|a, b| {
        let group = a.group.cmp(&b.group);
        // Texts compare as their UTF-8 bytes do.
        fn name(r: &Row) -> (&[u8], &[u8]) {
            (r.range_bytes(0), r.range_bytes(2))
        }
        let by = match key {
            SortKey::Name => name(a).cmp(&name(b)),
            SortKey::Age => b.created.cmp(&a.created),
            SortKey::Status => super::severity::rank(a.range(4))
                .cmp(&super::severity::rank(b.range(4)))
                .then_with(|| a.range_bytes(4).cmp(b.range_bytes(4))),
        };
        let by = if reverse { by.reverse() } else { by };
        // Then as their keys do: kind, namespace, name.
        group
            .then(by)
            .then_with(|| a.kind.cmp(&b.kind).then(name(a).cmp(&name(b))))
    });
}

fn phase_cell(phase: &RuntimePhase, ready: i32, desired: i32) -> Cell {
    let name = if phase.as_str().is_empty() {
        "None"
    } else {
        phase.as_str()
    };
    Cell::phase(name, format!("{name} {}", ratio(ready, desired)))
}

fn runtime_rows(store: &Store, q: &Query) -> Vec<Row> {
    let mut p = Packer::default();
    store
        .runtimes()
        .filter(|rt| in_namespace(q, rt.metadata.namespace.as_deref().unwrap_or("")))
        .map(|rt| {
            let class = store.class_of(rt);
            let derived = overall_phase(rt, class);
            let ns = rt.metadata.namespace.as_deref().unwrap_or_default();
            let name = rt.metadata.name.as_deref().unwrap_or_default();
            let comp = |c: Component| -> Cell {
                if !crate::model::health::component_enabled(rt, class, c) {
                    return Cell::text("-");
                }
                match rt.component_status(c) {
                    // Fluid wrote no counts: none are shown.
                    Some(_) if rt.component_idle(c) => {
                        Cell::phase(IDLE_PHASE, crate::app::strings::IDLE)
                    }
                    Some(s) => phase_cell(&s.phase, s.ready(), s.desired()),
                    None => Cell::phase("None", "None"),
                }
            };
            let ds = store.dataset(ns, name);
            let bound = ds.filter(|d| {
                d.status
                    .as_ref()
                    .is_some_and(|s| s.runtimes.iter().any(|r| r.name == name))
            });
            let cache = |k: &str| or_dash(ds.and_then(|d| d.cache_state(k)));
            let phase = derived.phase.as_str();
            p.text(ns);
            p.text(name);
            p.text(&rt.spec.runtime_class_name);
            if derived.client_warning {
                p.phase(phase, &format!("{phase} (client!)"));
            } else {
                p.phase(phase, phase);
            }
            p.cell(comp(Component::Master));
            p.cell(comp(Component::Worker));
            p.cell(comp(Component::Client));
            p.text(&cache("cacheCapacity"));
            p.text(&cache("cached"));
            p.text(&cache("cachedPercentage"));
            match bound {
                Some(d) => p.phase(
                    &d.phase().to_string(),
                    d.metadata.name.as_deref().unwrap_or_default(),
                ),
                None => p.phase("NotBound", "-"),
            }
            let created = created(&rt.metadata);
            p.since(created, false);
            p.finish(Kind::CacheRuntime, ns, name, phase, None, created)
        })
        .collect()
}

fn pod_rows(store: &Store, q: &Query) -> Vec<Row> {
    let mut p = Packer::default();
    // Rows of one group share its text.
    let mut groups: HashMap<String, Rc<String>> = HashMap::new();
    let mut group = String::new();
    store
        .compact_pods()
        .filter(|pod| in_namespace(q, pod.namespace()))
        .map(|pod| {
            use std::fmt::Write;
            let ns = pod.namespace();
            let name = pod.name();
            let component = match pod.component() {
                Some(c) => c.as_str(),
                None if pod.operation_release().is_some() => "operation",
                None => "-",
            };
            let runtime_label = pod
                .runtime()
                .or_else(|| pod.target_dataset())
                .unwrap_or("-");
            let status = shown_pod_status(store, pod);
            let look = crate::model::pod::status_look(&status, pod.is_ready());
            let (r, t) = pod.ready_containers();
            // Groups sort by runtime, then master, worker, client, operation pods.
            let order = match pod.component() {
                Some(Component::Master) => 0,
                Some(Component::Worker) => 1,
                Some(Component::Client) => 2,
                None => 3,
            };
            group.clear();
            let _ = write!(group, "{ns}/{runtime_label}#{order}");
            let shared = match groups.get(group.as_str()) {
                Some(g) => g.clone(),
                None => {
                    let g = Rc::new(group.clone());
                    groups.insert(group.clone(), g.clone());
                    g
                }
            };
            p.text(ns);
            p.text(name);
            p.text(runtime_label);
            p.text(component);
            p.phase(look, &status);
            p.fmt(format_args!("{r}/{t}"));
            p.fmt(format_args!("{}", pod.restarts()));
            p.text(pod.node().filter(|s| !s.is_empty()).unwrap_or("-"));
            p.text(
                pod.engine_version()
                    .filter(|s| !s.is_empty())
                    .unwrap_or("-"),
            );
            let created = pod.created();
            p.since(created, false);
            p.finish(Kind::Pod, ns, name, &status, Some(shared), created)
        })
        .collect()
}

/// A pod's status as the console shows it: kubectl's, or `NodeNotReady` for a running pod that
/// turned not Ready when its node stopped reporting (the node controller's event says so).
pub fn shown_pod_status<'p>(
    store: &Store,
    pod: &'p crate::model::pod::CompactPod,
) -> std::borrow::Cow<'p, str> {
    use crate::model::pod;
    let status = pod.status_text();
    let ready = pod.is_ready();
    let node_not_ready = !ready
        && status == "Running"
        && pod::node_not_ready_event(store.events_for(&pod.key()), pod.not_ready_since());
    pod::shown_status(status, ready, node_not_ready)
}

fn op_rows(store: &Store, q: &Query) -> Vec<Row> {
    let mut p = Packer::default();
    store
        .operations()
        .filter(|op| in_namespace(q, op.metadata.namespace.as_deref().unwrap_or("")))
        .map(|op| {
            let ns = op.metadata.namespace.as_deref().unwrap_or_default();
            let name = op.metadata.name.as_deref().unwrap_or_default();
            let target = op.target_dataset();
            let runtime = target.as_ref().and_then(|(tns, tn)| store.runtime(tns, tn));
            let class = runtime.and_then(|rt| store.class_of(rt));
            let pred = store.predecessor(op).map(|p| p.phase());
            let flag = operation_flag(op, runtime, class, pred.as_ref());
            let phase = op.phase();
            let status = op.status.as_ref();
            let cron = op.policy() == Policy::Cron;
            let policy = match (&op.spec.schedule, cron) {
                (Some(s), true) => format!("Cron {s}"),
                _ => op.policy().to_string(),
            };
            let message = op
                .failing_condition()
                .and_then(|c| c.message.clone().or(c.reason.clone()))
                .or_else(|| flag.as_ref().map(|f| f.message()))
                .unwrap_or_default();
            p.text(ns);
            p.text(name);
            p.text(&op.kind);
            p.text(target.as_ref().map_or("-", |(_, n)| n.as_str()));
            match &flag {
                Some(f) => p.phase(f.label(), &format!("{} ({})", phase.label(), f.label())),
                None => p.phase(phase.label(), phase.label()),
            }
            p.text(&or_dash(Some(op.shown_duration())));
            p.text(&policy);
            let at = status.and_then(|s| s.last_schedule_time.as_deref());
            p.since(at.filter(|_| cron).and_then(parse_time), true);
            let at = status.and_then(|s| s.last_successful_time.as_deref());
            p.since(at.filter(|_| cron).and_then(parse_time), true);
            let created = created(&op.metadata);
            p.since(created, false);
            p.text(&message);
            p.finish(
                Kind::Operation(op.op_kind()),
                ns,
                name,
                phase.label(),
                None,
                created,
            )
        })
        .collect()
}

fn dataset_rows(store: &Store, q: &Query) -> Vec<Row> {
    let mut p = Packer::default();
    store
        .datasets()
        .filter(|d| in_namespace(q, d.metadata.namespace.as_deref().unwrap_or("")))
        .map(|d| {
            let ns = d.metadata.namespace.as_deref().unwrap_or_default();
            let name = d.metadata.name.as_deref().unwrap_or_default();
            let phase = d.phase();
            let phase_name = if phase.as_str().is_empty() {
                "None".to_string()
            } else {
                phase.to_string()
            };
            let runtimes = d
                .status
                .as_ref()
                .map(|s| {
                    s.runtimes
                        .iter()
                        .map(|r| r.name.clone())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "-".into());
            let mounts = d
                .spec
                .mounts
                .iter()
                .map(|m| m.mount_point.clone())
                .collect::<Vec<_>>()
                .join(",");
            let cache = |k: &str| match d.cache_state(k) {
                Some(v) if !v.is_empty() => v.to_string(),
                _ => "-".into(),
            };
            p.text(ns);
            p.text(name);
            p.phase(&phase_name, &phase_name);
            p.text(&runtimes);
            p.text(&or_dash(Some(&mounts)));
            p.text(&cache("cached"));
            p.text(&cache("cacheCapacity"));
            p.text(&cache("cachedPercentage"));
            p.text(&cache("cacheHitRatio"));
            let created = created(&d.metadata);
            p.since(created, false);
            p.finish(Kind::Dataset, ns, name, &phase_name, None, created)
        })
        .collect()
}

fn class_rows(store: &Store) -> Vec<Row> {
    let mut p = Packer::default();
    store
        .classes()
        .map(|c| {
            let name = c.metadata.name.as_deref().unwrap_or_default();
            let comp = |k: Component| if c.has_component(k) { "yes" } else { "-" };
            let entries: Vec<&str> = Component::ALL
                .into_iter()
                .filter_map(|k| c.component(k))
                .filter_map(|d| d.execution_entries.as_ref())
                .flat_map(|e| {
                    [
                        e.mount_ufs.as_ref().map(|_| "mountUFS"),
                        e.report_summary.as_ref().map(|_| "reportSummary"),
                    ]
                })
                .flatten()
                .collect();
            let runtimes = store
                .runtimes()
                .filter(|r| r.spec.runtime_class_name == name)
                .count();
            p.text(name);
            p.text(&c.file_system_type);
            p.text(comp(Component::Master));
            p.text(comp(Component::Worker));
            p.text(comp(Component::Client));
            p.text(&or_dash(Some(&entries.join(","))));
            p.text(&or_dash(Some(
                &c.declared_operations().collect::<Vec<_>>().join(","),
            )));
            p.fmt(format_args!("{runtimes}"));
            let created = created(&c.metadata);
            p.since(created, false);
            p.finish(Kind::CacheRuntimeClass, "", name, "", None, created)
        })
        .collect()
}

fn maintenance_rows(store: &Store, q: &Query) -> Vec<Row> {
    let mut p = Packer::default();
    store
        .maintenances()
        .filter(|m| in_namespace(q, m.metadata.namespace.as_deref().unwrap_or("")))
        .map(|m| {
            let ns = m.metadata.namespace.as_deref().unwrap_or_default();
            let name = m.metadata.name.as_deref().unwrap_or_default();
            let phase = m.phase().to_string();
            let step = m
                .status
                .as_ref()
                .and_then(|s| {
                    let i = s.current_step? as usize;
                    Some(format!(
                        "{}/{} {}",
                        i + 1,
                        s.steps.len(),
                        s.steps.get(i)?.name
                    ))
                })
                .unwrap_or_else(|| "-".into());
            p.text(ns);
            p.text(name);
            p.text(&m.spec.runtime_name);
            p.fmt(format_args!("{}", m.spec.type_));
            p.phase(&phase, &phase);
            p.text(&step);
            let created = created(&m.metadata);
            p.since(created, false);
            p.finish(
                Kind::CacheRuntimeMaintenance,
                ns,
                name,
                &phase,
                None,
                created,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(row: &Row) -> Vec<(String, Option<String>)> {
        row.cells()
            .iter()
            .map(|c| (c.text.to_string(), c.phase.map(str::to_string)))
            .collect()
    }

    #[test]
    fn packed_rows_keep_cells_phases_key_and_status() {
        let mut p = Packer::default();
        p.text("team-a");
        p.text("rt-1");
        p.phase("Ready", "Ready 1/1");
        p.phase("NotBound", "-");
        p.text("");
        p.text("ünïcode");
        let row = p.finish(Kind::CacheRuntime, "team-a", "rt-1", "Failed", None, None);
        assert_eq!(
            texts(&row),
            vec![
                ("team-a".into(), None),
                ("rt-1".into(), None),
                ("Ready 1/1".into(), Some("Ready".into())),
                ("-".into(), Some("NotBound".into())),
                ("".into(), None),
                ("ünïcode".into(), None),
            ]
        );
        assert_eq!(row.cells().len(), 6);
        assert!(row.cells().get(6).is_none());
        assert_eq!(row.status(), "Failed");
        let key = ObjectKey::new(Kind::CacheRuntime, "team-a", "rt-1");
        assert_eq!(row.key(), key);
        assert!(row.is(&key));
        assert!(!row.is(&ObjectKey::new(Kind::Dataset, "team-a", "rt-1")));

        // The packer starts afresh; a cluster-scoped object has an empty namespace.
        p.text("class-a");
        let row = p.finish(Kind::CacheRuntimeClass, "", "class-a", "", None, None);
        assert_eq!(texts(&row), vec![("class-a".into(), None)]);
        assert_eq!(
            row.key(),
            ObjectKey::new(Kind::CacheRuntimeClass, "", "class-a")
        );
        assert_eq!(row.status(), "");
    }

    #[test]
    fn rows_beyond_64_kib_of_text_keep_their_cells() {
        let long = "x".repeat(70_000);
        let mut p = Packer::default();
        p.text("ns");
        p.text(&long);
        p.phase("Failed", "Failed");
        p.text("tail");
        let row = p.finish(Kind::Pod, "ns", &long, "Failed", None, None);
        assert_eq!(
            texts(&row),
            vec![
                ("ns".into(), None),
                (long.clone(), None),
                ("Failed".into(), Some("Failed".into())),
                ("tail".into(), None),
            ]
        );
        assert_eq!(row.name(), long);
        assert_eq!(row.status(), "Failed");
    }

    #[test]
    fn a_large_view_is_rebuilt_at_most_once_per_few_build_times() {
        use crate::cluster::ClusterEvent;
        use crate::demo::scale::{Generator, ScaleSpec};
        let now: Timestamp = "2026-11-25T10:02:00Z".parse().unwrap();
        let g = Generator::new(
            ScaleSpec {
                runtimes: 60,
                pods: 3_000,
                ops: 0,
                events: 0,
            },
            1,
            now,
        );
        let mut store = Store::new();
        store.apply(
            ClusterEvent::Listed {
                kind: Kind::Pod,
                objects: g.of_kind(Kind::Pod).collect(),
            },
            now,
        );
        let q = Query::default();
        let mut cache = TableCache {
            throttled_rows: 1_000,
            ..TableCache::default()
        };
        let t0 = cache.at;
        let first = cache.table(&store, ViewKind::Pods, &q);
        let due = cache.views[&ViewKind::Pods].due;
        assert_eq!(due, t0 + REBUILD_GAP_PER_ROW * 3_000);
        // One pod gone: while not due the view keeps its rows and asks for a catch-up frame.
        let gone = first.rows[0].key();
        store.apply(ClusterEvent::Deleted(gone.clone()), now);
        cache.at = t0 + Duration::from_millis(1);
        let second = cache.table(&store, ViewKind::Pods, &q);
        assert_eq!(
            second.rows.len(),
            first.rows.len(),
            "old rows while not due"
        );
        assert_eq!(cache.take_deferred(), Some(due));
        // When due, the frame catches up.
        cache.at = due;
        let third = cache.table(&store, ViewKind::Pods, &q);
        assert_eq!(third.rows.len(), first.rows.len() - 1);
        assert!(!third.rows.iter().any(|r| r.is(&gone)));
        // Another sort is the operator's doing: built at once.
        let by_age = Query {
            sort: SortKey::Age,
            ..Query::default()
        };
        store.apply(ClusterEvent::Deleted(first.rows[1].key()), now);
        let sorted = cache.table(&store, ViewKind::Pods, &by_age);
        assert_eq!(sorted.rows.len(), first.rows.len() - 2);
    }
}
