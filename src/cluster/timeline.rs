//! State-transition timelines: how a runtime, one of its components, a pod, a dataset or an
//! operation moved through its phases, when, and why. Transitions observed while the console
//! runs are recorded here; condition `lastTransitionTime`s and Events are merged in on read.

use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::model::health::overall_phase;
use crate::model::meta::{created, parse_time};
use crate::model::pod::{self, Sym};
use crate::model::{CacheRuntimeClass, Component, Kind, Object, ObjectKey, OpPhase};

/// What a timeline is about: a whole object, or one component of a runtime.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Object(ObjectKey),
    Component(ObjectKey, Component),
}

impl Subject {
    pub fn object(&self) -> &ObjectKey {
        match self {
            Subject::Object(k) | Subject::Component(k, _) => k,
        }
    }
    pub fn label(&self) -> String {
        match self {
            Subject::Object(k) => format!("{} {}", k.kind, k.name),
            Subject::Component(k, c) => format!("{} {} {c}", k.kind, k.name),
        }
    }
}

/// Where a timeline entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// Seen changing while the console ran.
    Observed,
    /// Read from the object: creation time or a condition's lastTransitionTime.
    Recorded,
    /// A Kubernetes Event about the object.
    Event,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub at: Timestamp,
    /// The phase entered, or for events the event reason.
    pub phase: String,
    pub why: Option<String>,
    pub origin: Origin,
    /// For a runtime's timeline: the component this entry is about (`None`: the runtime).
    pub track: Option<Component>,
}

/// Reason shown for a phase the console first saw without knowing since when it held.
pub const FIRST_SEEN: &str = "in this phase when first seen";

/// Entries kept per subject; older ones are dropped first.
pub const MAX_PER_SUBJECT: usize = 200;

/// Entries kept besides each subject's newest one (the phase it is in now), every subject's
/// history together (pods' too): past it, the store drops the oldest quarter of them (see
/// [`History::drop_through`]). About 7 MB; at 200 changes a second, the last half hour or more.
pub const MAX_OLDER_ENTRIES: usize = 100_000;

/// One recorded entry, compact: well-known phases and the first-sight reason cost no
/// allocation.
#[derive(Debug, Clone, PartialEq)]
struct Mark {
    at: Timestamp,
    phase: Sym,
    why: Option<Sym>,
    origin: Origin,
}

/// The phases one subject went through (first sight, then every observed change), oldest
/// first, at most [`MAX_PER_SUBJECT`]. Kept exactly sized: most subjects never change phase.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History(Vec<Mark>);

impl History {
    /// Records `phase` seen at `at` if it differs from the last one. On first sight the entry
    /// is dated `first_sight()` when the object tells since when it holds (never later than
    /// `at`). Returns whether an entry was added.
    pub fn observe(
        &mut self,
        phase: &str,
        why: Option<String>,
        first_sight: impl FnOnce() -> Option<Timestamp>,
        at: Timestamp,
    ) -> bool {
        let first = match self.0.last() {
            Some(last) if last.phase == phase => return false,
            Some(_) => false,
            None => true,
        };
        let known = if first { first_sight() } else { None };
        // When the object does not tell since when it is in this phase, say so.
        let why = match (first, known, why) {
            (true, None, None) => Some(Cow::Borrowed(FIRST_SEEN)),
            (_, _, why) => why.map(Cow::Owned),
        };
        if self.0.len() >= MAX_PER_SUBJECT {
            self.0.remove(0);
        }
        self.0.reserve_exact(1);
        self.0.push(Mark {
            at: known.unwrap_or(at).min(at),
            phase: pod::sym_of(phase),
            why,
            origin: if first {
                Origin::Recorded
            } else {
                Origin::Observed
            },
        });
        true
    }

    /// The entries as transitions, `track` naming the component they are about.
    pub fn transitions(&self, track: Option<Component>) -> impl Iterator<Item = Transition> + '_ {
        self.0.iter().map(move |m| Transition {
            at: m.at,
            phase: m.phase.to_string(),
            why: m.why.as_deref().map(str::to_string),
            origin: m.origin,
            track,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Entries besides the newest (the ones [`History::drop_through`] may drop).
    pub fn older(&self) -> usize {
        self.0.len().saturating_sub(1)
    }

    /// When the entries besides the newest were recorded.
    pub fn older_times(&self) -> impl Iterator<Item = Timestamp> + '_ {
        let n = self.older();
        self.0[..n].iter().map(|m| m.at)
    }

    /// Drops the entries recorded at or before `cutoff`, except the newest; returns how many
    /// went.
    pub fn drop_through(&mut self, cutoff: Timestamp) -> usize {
        let n = self.0[..self.older()]
            .iter()
            .take_while(|m| m.at <= cutoff)
            .count();
        if n > 0 {
            self.0.drain(..n);
            self.0.shrink_to_fit();
        }
        n
    }
}

/// Histories of every subject but pods (a pod's is kept with the pod).
#[derive(Debug, Default)]
pub struct Timelines {
    recorded: BTreeMap<Subject, History>,
    /// Entries besides each subject's newest, all subjects together.
    older: usize,
}

/// The phase each subject of an object is in now (a runtime has itself and its components).
pub fn phases_of(
    obj: &Object,
    class: Option<&CacheRuntimeClass>,
) -> Vec<(Subject, String, Option<String>)> {
    let key = obj.key();
    match obj {
        Object::Runtime(rt) => {
            let mut out = vec![(
                Subject::Object(key.clone()),
                overall_phase(rt, class).phase.as_str().to_string(),
                None,
            )];
            for c in Component::ALL {
                if let Some(st) = rt.component_status(c) {
                    let phase = rt.shown_component_phase(c);
                    // An idle client has no counts to tell.
                    let why = (!rt.component_idle(c))
                        .then(|| format!("{}/{} ready", st.ready(), st.desired()));
                    out.push((Subject::Component(key.clone(), c), phase.to_string(), why));
                }
            }
            out
        }
        Object::Dataset(ds) => {
            let p = ds.phase();
            vec![(
                Subject::Object(key),
                if p.as_str().is_empty() {
                    "None".into()
                } else {
                    p.to_string()
                },
                None,
            )]
        }
        Object::Operation(op) => {
            let why = op
                .failing_condition()
                .and_then(|c| c.message.clone().or(c.reason.clone()));
            vec![(Subject::Object(key), op.phase().label().to_string(), why)]
        }
        Object::Pod(p) => vec![(Subject::Object(key), pod::display_status(p), None)],
        Object::Maintenance(m) => vec![(Subject::Object(key), m.phase().to_string(), None)],
        _ => vec![],
    }
}

impl Timelines {
    /// Records the phases of an object as seen at `at`. The first sight of a subject records
    /// its current phase at the best time the object itself tells (condition or creation time).
    pub fn observe(&mut self, obj: &Object, class: Option<&CacheRuntimeClass>, at: Timestamp) {
        self.observe_phases(phases_of(obj, class), || first_sight_time(obj), at);
    }

    /// [`Timelines::observe`] with the phases already worked out (as [`phases_of`] does) and
    /// `first_sight` telling since when the object says it is in its current state.
    pub fn observe_phases(
        &mut self,
        phases: Vec<(Subject, String, Option<String>)>,
        first_sight: impl Fn() -> Option<Timestamp>,
        at: Timestamp,
    ) {
        for (subject, phase, why) in phases {
            match self.recorded.get_mut(&subject) {
                Some(h) => {
                    let before = h.older();
                    h.observe(&phase, why, &first_sight, at);
                    self.older += h.older() - before;
                }
                None => {
                    let mut h = History::default();
                    h.observe(&phase, why, &first_sight, at);
                    self.recorded.insert(subject, h);
                }
            }
        }
    }

    pub fn forget(&mut self, key: &ObjectKey) {
        // The object itself and its components: looked up, not scanned for.
        let subjects = std::iter::once(Subject::Object(key.clone()))
            .chain(Component::ALL.map(|c| Subject::Component(key.clone(), c)));
        for s in subjects {
            if let Some(h) = self.recorded.remove(&s) {
                self.older -= h.older();
            }
        }
    }

    /// Entries besides each subject's newest, all subjects together.
    pub fn older(&self) -> usize {
        self.older
    }

    /// When the entries besides each subject's newest were recorded.
    pub fn older_times(&self) -> impl Iterator<Item = Timestamp> + '_ {
        self.recorded.values().flat_map(History::older_times)
    }

    /// [`History::drop_through`] for every subject.
    pub fn drop_through(&mut self, cutoff: Timestamp) {
        for h in self.recorded.values_mut() {
            self.older -= h.drop_through(cutoff);
        }
    }

    pub fn recorded(&self, subject: &Subject) -> impl Iterator<Item = Transition> + '_ {
        let track = match subject {
            Subject::Component(_, c) => Some(*c),
            Subject::Object(_) => None,
        };
        self.recorded
            .get(subject)
            .into_iter()
            .flat_map(move |h| h.transitions(track))
    }
}

/// When the object entered its current state, as far as it says: the newest condition
/// transition, else its creation time.
fn first_sight_time(obj: &Object) -> Option<Timestamp> {
    let conditions = match obj {
        Object::Operation(op) => op.status.as_ref().map(|s| &s.conditions),
        Object::Dataset(ds) => ds.status.as_ref().map(|s| &s.conditions),
        _ => None,
    };
    let newest = conditions
        .into_iter()
        .flatten()
        .filter_map(|c| c.last_transition_time.as_deref().and_then(parse_time))
        .max();
    // An operation that has not started yet has been in its phase since it was created.
    let not_started = matches!(obj, Object::Operation(op) if matches!(op.phase(), OpPhase::None | OpPhase::Pending));
    newest.or_else(|| not_started.then(|| created(obj.meta())).flatten())
}

/// Entries derived from the object itself: creation and every condition transition.
pub fn recorded_in_object(obj: &Object) -> Vec<Transition> {
    let mut out = Vec::new();
    if let Some(at) = created(obj.meta()) {
        out.push(Transition {
            at,
            phase: "Created".into(),
            why: None,
            origin: Origin::Recorded,
            track: None,
        });
    }
    let conditions: Vec<&crate::model::Condition> = match obj {
        Object::Operation(op) => op.status.iter().flat_map(|s| &s.conditions).collect(),
        Object::Dataset(ds) => ds.status.iter().flat_map(|s| &s.conditions).collect(),
        Object::Runtime(rt) => rt.status.iter().flat_map(|s| &s.conditions).collect(),
        Object::Maintenance(m) => m.status.iter().flat_map(|s| &s.conditions).collect(),
        _ => Vec::new(),
    };
    for c in conditions {
        let Some(at) = c.last_transition_time.as_deref().and_then(parse_time) else {
            continue;
        };
        let why = [c.reason.as_deref(), c.message.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
        out.push(Transition {
            at,
            phase: format!("{}={}", c.type_, c.status),
            why: (!why.is_empty()).then_some(why),
            origin: Origin::Recorded,
            track: None,
        });
    }
    if let Object::Maintenance(m) = obj {
        out.extend(maintenance_steps(m));
    }
    if let Object::Pod(p) = obj {
        for c in p.status.iter().flat_map(|s| s.conditions.iter().flatten()) {
            let Some(at) = c.last_transition_time.as_ref().map(|t| t.0) else {
                continue;
            };
            out.push(Transition {
                at,
                phase: format!("{}={}", c.type_, c.status),
                why: c.reason.clone().or(c.message.clone()),
                origin: Origin::Recorded,
                track: None,
            });
        }
    }
    out
}

/// A maintenance run step by step: when each step started (what it acts on) and how it ended
/// (its message).
fn maintenance_steps(m: &crate::model::CacheRuntimeMaintenance) -> Vec<Transition> {
    let Some(st) = &m.status else {
        return Vec::new();
    };
    let total = st.steps.len();
    let mut out = Vec::new();
    for (i, step) in st.steps.iter().enumerate() {
        let label = format!("step {}/{total} {}", i + 1, step.name);
        let at = |t: &Option<String>| t.as_deref().and_then(parse_time);
        if let Some(started) = at(&step.started_at) {
            let what = [step.action.as_deref(), step.target.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            out.push(Transition {
                at: started,
                phase: crate::model::maintenance::StepState::Running
                    .theme_phase()
                    .into(),
                why: Some(format!("{label}: {what}")),
                origin: Origin::Recorded,
                track: None,
            });
        }
        if let Some(finished) = at(&step.finished_at) {
            let why = match step.message.as_deref().filter(|m| !m.is_empty()) {
                Some(msg) => format!("{label}: {msg}"),
                None => label.clone(),
            };
            out.push(Transition {
                at: finished,
                phase: step.state.theme_phase().into(),
                why: Some(why),
                origin: Origin::Recorded,
                track: None,
            });
        }
    }
    out
}

/// Entries from Kubernetes Events about the object.
pub fn from_events<'a>(events: impl Iterator<Item = &'a crate::model::Event>) -> Vec<Transition> {
    events
        .filter_map(|e| {
            let at = e
                .last_timestamp
                .as_ref()
                .or(e.first_timestamp.as_ref())
                .map(|t| t.0)
                .or_else(|| e.event_time.as_ref().map(|t| t.0))
                .or_else(|| created(&e.metadata))?;
            Some(Transition {
                at,
                phase: e.reason.clone().unwrap_or_default(),
                why: e.message.clone(),
                origin: Origin::Event,
                track: None,
            })
        })
        .collect()
}

/// Merges observed, recorded and event entries in time order, dropping exact duplicates.
pub fn merge(mut parts: Vec<Transition>) -> Vec<Transition> {
    parts.sort_by(|a, b| a.at.cmp(&b.at).then(a.origin.cmp(&b.origin)));
    parts.dedup_by(|b, a| a.at == b.at && a.phase == b.phase && a.track == b.track);
    parts
}

/// Kinds whose objects get timelines.
pub fn has_timeline(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::CacheRuntime
            | Kind::Dataset
            | Kind::Pod
            | Kind::Operation(_)
            | Kind::CacheRuntimeMaintenance
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + s).unwrap()
    }

    #[test]
    fn history_records_changes_only_and_keeps_the_newest() {
        let mut h = History::default();
        assert!(h.observe("Pending", None, || None, t(10)));
        assert!(!h.observe("Pending", None, || None, t(11)));
        assert!(h.observe("Running", Some("2/2 ready".into()), || Some(t(0)), t(12)));
        let got: Vec<Transition> = h.transitions(Some(Component::Worker)).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(
            (
                got[0].at,
                got[0].phase.as_str(),
                got[0].why.as_deref(),
                got[0].origin
            ),
            (t(10), "Pending", Some(FIRST_SEEN), Origin::Recorded)
        );
        // Only a first sight is dated by the object; later changes are dated when seen.
        assert_eq!(
            (
                got[1].at,
                got[1].phase.as_str(),
                got[1].why.as_deref(),
                got[1].origin
            ),
            (t(12), "Running", Some("2/2 ready"), Origin::Observed)
        );
        assert_eq!(got[1].track, Some(Component::Worker));
        for i in 0..(MAX_PER_SUBJECT as i64 + 10) {
            h.observe(if i % 2 == 0 { "A" } else { "B" }, None, || None, t(20 + i));
        }
        let got: Vec<Transition> = h.transitions(None).collect();
        assert_eq!(got.len(), MAX_PER_SUBJECT);
        assert_eq!(got.last().unwrap().at, t(20 + MAX_PER_SUBJECT as i64 + 9));
    }

    #[test]
    fn dropping_old_entries_keeps_the_newest_one() {
        let mut h = History::default();
        for i in 0..10 {
            h.observe(if i % 2 == 0 { "A" } else { "B" }, None, || None, t(i));
        }
        assert_eq!(h.older(), 9);
        assert_eq!(h.older_times().count(), 9);
        assert_eq!(h.drop_through(t(4)), 5);
        assert_eq!(h.transitions(None).next().unwrap().at, t(5));
        // Whatever the cutoff, the phase the subject is in stays.
        assert_eq!(h.drop_through(t(100)), 4);
        let left: Vec<Transition> = h.transitions(None).collect();
        assert_eq!(left.len(), 1);
        assert_eq!((left[0].at, left[0].phase.as_str()), (t(9), "B"));
        assert_eq!(h.drop_through(t(100)), 0);
    }

    #[test]
    fn first_sight_uses_the_objects_own_time_never_a_later_one() {
        let mut h = History::default();
        h.observe("Bound", None, || Some(t(5)), t(9));
        let mut late = History::default();
        late.observe("Bound", None, || Some(t(50)), t(9));
        assert_eq!(h.transitions(None).next().unwrap().at, t(5));
        assert_eq!(h.transitions(None).next().unwrap().why, None);
        assert_eq!(late.transitions(None).next().unwrap().at, t(9));
    }
}
