//! The rows of every list view, built purely from the store: what each column says, which
//! object a row is, and which phase styles a cell. Filtering and sorting happen here too, so the
//! update function (selection bounds, Enter) and the view (drawing) agree on the same rows.

use std::collections::BTreeMap;
use std::rc::Rc;

use jiff::Timestamp;

use super::actions::ViewKind;
use super::format::{age, or_dash, ratio};
use crate::cluster::Store;
use crate::model::health::{CACHE_STATES_NOTE, operation_flag, overall_phase};
use crate::model::meta::{created, parse_time};
use crate::model::{Component, Kind, Object, ObjectKey, Policy, RuntimePhase};

/// One cell: its text, and optionally the phase whose colour and symbol it shows.
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

#[derive(Debug, Clone, PartialEq)]
pub struct RowData {
    pub key: ObjectKey,
    pub cells: Vec<Cell>,
    /// Group this row belongs to; rows of one group stay together (Pods: runtime, then
    /// component in master, worker, client order).
    pub group: Option<String>,
    /// Creation time, for sorting by age.
    pub created: Option<Timestamp>,
    /// The phase used when sorting by status.
    pub status: String,
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
    }
}

fn in_namespace(q: &Query, ns: &str) -> bool {
    q.namespace.is_none_or(|want| want == ns)
}

/// What the rows of a view depend on besides the filter: rows are rebuilt only when one of these
/// changes (the time is part of it because ages are shown).
#[derive(Debug, Clone, PartialEq)]
struct BaseKey {
    revision: u64,
    namespace: Option<String>,
    sort: SortKey,
    reverse: bool,
    now: Timestamp,
}

/// One view's rows as last built: all of them sorted, their text for plain filters (built on
/// the first filter), and the last filter's result (rows, and their indices in `all`).
#[derive(Debug)]
struct CachedView {
    key: BaseKey,
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
            for c in &r.cells {
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

/// The last rows built per list view (held by the store, see [`Store::table_cache`]). Drawing
/// a frame or moving the selection reuses them; a filter keystroke filters the sorted rows again
/// (narrowing the previous result when the text only grew) instead of rebuilding them.
#[derive(Debug, Default)]
pub struct TableCache {
    views: BTreeMap<ViewKind, CachedView>,
}

fn build_rows(store: &Store, view: ViewKind, q: &Query, now: Timestamp) -> Vec<Row> {
    let rows = match view {
        ViewKind::Runtimes => runtime_rows(store, q, now),
        ViewKind::Pods => pod_rows(store, q, now),
        ViewKind::Ops => op_rows(store, q, now),
        ViewKind::Datasets => dataset_rows(store, q, now),
        ViewKind::Classes => class_rows(store, now),
        ViewKind::Maintenance => maintenance_rows(store, q, now),
        ViewKind::Timeline => Vec::new(),
    };
    rows.into_iter().map(Row::from).collect()
}

/// Builds, filters and sorts the rows of a list view (or reuses the store's cached ones).
pub fn table(store: &Store, view: ViewKind, q: &Query, now: Timestamp) -> Table {
    let key = BaseKey {
        revision: store.revision(),
        namespace: q.namespace.map(str::to_string),
        sort: q.sort,
        reverse: q.reverse,
        now,
    };
    let mut cache = store.table_cache().borrow_mut();
    let cached = match cache.views.get_mut(&view) {
        Some(c) if c.key == key => c,
        _ => {
            let mut rows = build_rows(store, view, q, now);
            // Sorting is a total order (it ends with the key), so sorting all rows once and
            // filtering afterwards gives the same rows as filtering first.
            sort_rows(&mut rows, q.sort, q.reverse);
            cache.views.insert(
                view,
                CachedView {
                    key,
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
        let is_regex = pattern.chars().any(|c| "^$.*+?()[]{}|\\".contains(c));
        let re = is_regex
            .then(|| {
                regex::RegexBuilder::new(pattern)
                    .case_insensitive(true)
                    .build()
                    .ok()
            })
            .flatten();
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
        row.cells.iter().any(|c| self.matches(&c.text)) != self.inverse
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

/// `/text` keeps rows containing `text` (case-insensitive, any column); `/!text` drops them.
/// A filter that is a valid regular expression with metacharacters is used as one.
pub fn apply_filter(rows: &mut Vec<Row>, filter: &str) {
    if let Some(m) = Matcher::new(filter) {
        rows.retain(|row| m.keeps(row));
    }
}

fn sort_rows(rows: &mut [Row], key: SortKey, reverse: bool) {
    // Grouped rows keep their grouping: sort within groups by the key.
    rows.sort_by(|a, b| {
        let group = a.group.cmp(&b.group);
        let by = match key {
            SortKey::Name => a
                .key
                .namespace
                .cmp(&b.key.namespace)
                .then(a.key.name.cmp(&b.key.name)),
            SortKey::Age => b.created.cmp(&a.created),
            SortKey::Status => a.status.cmp(&b.status),
        };
        let by = if reverse { by.reverse() } else { by };
        group.then(by).then(a.key.cmp(&b.key))
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

fn runtime_rows(store: &Store, q: &Query, now: Timestamp) -> Vec<RowData> {
    store
        .runtimes()
        .filter(|rt| in_namespace(q, rt.metadata.namespace.as_deref().unwrap_or("")))
        .map(|rt| {
            let class = store.class_of(rt);
            let derived = overall_phase(rt, class);
            let ns = rt.metadata.namespace.clone().unwrap_or_default();
            let name = rt.metadata.name.clone().unwrap_or_default();
            let comp = |c: Component| -> Cell {
                if !crate::model::health::component_enabled(rt, class, c) {
                    return Cell::text("-");
                }
                match rt.component_status(c) {
                    Some(s) => phase_cell(&s.phase, s.ready(), s.desired()),
                    None => Cell::phase("None", "None"),
                }
            };
            let ds = store.dataset(&ns, &name);
            let bound = ds.filter(|d| {
                d.status
                    .as_ref()
                    .is_some_and(|s| s.runtimes.iter().any(|r| r.name == name))
            });
            let cache = |k: &str| or_dash(ds.and_then(|d| d.cache_state(k)));
            let mut phase = Cell::phase(derived.phase.as_str(), derived.phase.as_str());
            if derived.client_warning {
                phase.text.push_str(" (client!)");
            }
            RowData {
                key: ObjectKey::new(Kind::CacheRuntime, ns.clone(), name.clone()),
                cells: vec![
                    Cell::text(ns),
                    Cell::text(name.clone()),
                    Cell::text(rt.spec.runtime_class_name.clone()),
                    phase,
                    comp(Component::Master),
                    comp(Component::Worker),
                    comp(Component::Client),
                    Cell::text(cache("cacheCapacity")),
                    Cell::text(cache("cached")),
                    Cell::text(cache("cachedPercentage")),
                    match bound {
                        Some(d) => Cell::phase(
                            d.phase().to_string(),
                            d.metadata.name.clone().unwrap_or_default(),
                        ),
                        None => Cell::phase("NotBound", "-"),
                    },
                    Cell::text(age(created(&rt.metadata), now)),
                ],
                group: None,
                created: created(&rt.metadata),
                status: derived.phase.as_str().to_string(),
            }
        })
        .collect()
}

fn pod_rows(store: &Store, q: &Query, now: Timestamp) -> Vec<RowData> {
    store
        .compact_pods()
        .filter(|p| in_namespace(q, p.namespace()))
        .map(|p| {
            let ns = p.namespace().to_string();
            let name = p.name().to_string();
            let component = match p.component() {
                Some(c) => c.as_str().to_string(),
                None if p.operation_release().is_some() => "operation".to_string(),
                None => "-".to_string(),
            };
            let runtime_label = p
                .runtime()
                .or_else(|| p.target_dataset())
                .unwrap_or("-")
                .to_string();
            let status = p.display_status();
            let (r, t) = p.ready_containers();
            // Groups sort by runtime, then master, worker, client, operation pods.
            let order = match p.component() {
                Some(Component::Master) => 0,
                Some(Component::Worker) => 1,
                Some(Component::Client) => 2,
                None => 3,
            };
            let group = format!("{ns}/{runtime_label}#{order}");
            RowData {
                key: ObjectKey::new(Kind::Pod, ns.clone(), name.clone()),
                cells: vec![
                    Cell::text(ns),
                    Cell::text(name),
                    Cell::text(runtime_label),
                    Cell::text(component),
                    Cell::phase(status.clone(), status.clone()),
                    Cell::text(format!("{r}/{t}")),
                    Cell::text(p.restarts().to_string()),
                    Cell::text(or_dash(p.node())),
                    Cell::text(or_dash(p.engine_version())),
                    Cell::text(age(p.created, now)),
                ],
                group: Some(group),
                created: p.created,
                status,
            }
        })
        .collect()
}

fn time_ago(s: Option<&str>, now: Timestamp) -> String {
    match s.and_then(parse_time) {
        Some(t) => format!("{} ago", age(Some(t), now)),
        None => "-".into(),
    }
}

fn op_rows(store: &Store, q: &Query, now: Timestamp) -> Vec<RowData> {
    store
        .operations()
        .filter(|op| in_namespace(q, op.metadata.namespace.as_deref().unwrap_or("")))
        .map(|op| {
            let ns = op.metadata.namespace.clone().unwrap_or_default();
            let name = op.metadata.name.clone().unwrap_or_default();
            let target = op.target_dataset();
            let runtime = target.as_ref().and_then(|(tns, tn)| store.runtime(tns, tn));
            let class = runtime.and_then(|rt| store.class_of(rt));
            let pred = store.predecessor(op).map(|p| p.phase());
            let flag = operation_flag(op, runtime, class, pred.as_ref());
            let phase = op.phase();
            let phase_cell = match &flag {
                Some(f) => Cell::phase(f.label(), format!("{} ({})", phase.label(), f.label())),
                None => Cell::phase(phase.label(), phase.label()),
            };
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
            RowData {
                key: ObjectKey::new(Kind::Operation(op.op_kind()), ns.clone(), name.clone()),
                cells: vec![
                    Cell::text(ns),
                    Cell::text(name),
                    Cell::text(op.kind.clone()),
                    Cell::text(target.map(|(_, n)| n).unwrap_or_else(|| "-".into())),
                    phase_cell,
                    Cell::text(or_dash(status.map(|s| s.duration.as_str()))),
                    Cell::text(policy),
                    Cell::text(if cron {
                        time_ago(status.and_then(|s| s.last_schedule_time.as_deref()), now)
                    } else {
                        "-".into()
                    }),
                    Cell::text(if cron {
                        time_ago(status.and_then(|s| s.last_successful_time.as_deref()), now)
                    } else {
                        "-".into()
                    }),
                    Cell::text(age(created(&op.metadata), now)),
                    Cell::text(message),
                ],
                group: None,
                created: created(&op.metadata),
                status: phase.label().to_string(),
            }
        })
        .collect()
}

fn dataset_rows(store: &Store, q: &Query, now: Timestamp) -> Vec<RowData> {
    store
        .datasets()
        .filter(|d| in_namespace(q, d.metadata.namespace.as_deref().unwrap_or("")))
        .map(|d| {
            let ns = d.metadata.namespace.clone().unwrap_or_default();
            let name = d.metadata.name.clone().unwrap_or_default();
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
            RowData {
                key: ObjectKey::new(Kind::Dataset, ns.clone(), name.clone()),
                cells: vec![
                    Cell::text(ns),
                    Cell::text(name),
                    Cell::phase(phase_name.clone(), phase_name.clone()),
                    Cell::text(runtimes),
                    Cell::text(or_dash(Some(&mounts))),
                    Cell::text(cache("cached")),
                    Cell::text(cache("cacheCapacity")),
                    Cell::text(cache("cachedPercentage")),
                    Cell::text(cache("cacheHitRatio")),
                    Cell::text(age(created(&d.metadata), now)),
                ],
                group: None,
                created: created(&d.metadata),
                status: phase_name,
            }
        })
        .collect()
}

/// The note shown next to cache states, which upstream refreshes at bind only.
pub fn cache_states_note() -> &'static str {
    CACHE_STATES_NOTE
}

fn class_rows(store: &Store, now: Timestamp) -> Vec<RowData> {
    store
        .classes()
        .map(|c| {
            let name = c.metadata.name.clone().unwrap_or_default();
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
            RowData {
                key: ObjectKey::new(Kind::CacheRuntimeClass, "", name.clone()),
                cells: vec![
                    Cell::text(name),
                    Cell::text(c.file_system_type.clone()),
                    Cell::text(comp(Component::Master)),
                    Cell::text(comp(Component::Worker)),
                    Cell::text(comp(Component::Client)),
                    Cell::text(or_dash(Some(&entries.join(",")))),
                    Cell::text(or_dash(Some(
                        &c.declared_operations().collect::<Vec<_>>().join(","),
                    ))),
                    Cell::text(runtimes.to_string()),
                    Cell::text(age(created(&c.metadata), now)),
                ],
                group: None,
                created: created(&c.metadata),
                status: String::new(),
            }
        })
        .collect()
}

fn maintenance_rows(store: &Store, q: &Query, now: Timestamp) -> Vec<RowData> {
    store
        .maintenances()
        .filter(|m| in_namespace(q, m.metadata.namespace.as_deref().unwrap_or("")))
        .map(|m| {
            let ns = m.metadata.namespace.clone().unwrap_or_default();
            let name = m.metadata.name.clone().unwrap_or_default();
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
            RowData {
                key: ObjectKey::new(Kind::CacheRuntimeMaintenance, ns.clone(), name.clone()),
                cells: vec![
                    Cell::text(ns),
                    Cell::text(name),
                    Cell::text(m.spec.runtime_name.clone()),
                    Cell::text(m.spec.type_.to_string()),
                    Cell::phase(phase.clone(), phase.clone()),
                    Cell::text(step),
                    Cell::text(age(created(&m.metadata), now)),
                ],
                group: None,
                created: created(&m.metadata),
                status: phase,
            }
        })
        .collect()
}

/// Resolves what an object row refers to, for drill-down.
pub fn object<'a>(store: &'a Store, key: &ObjectKey) -> Option<&'a Object> {
    store.get(key)
}
