//! The problems of the store as last computed (once per store revision), and the short notice
//! raised when a new one appears while the operator looks elsewhere: once per problem, until
//! dismissed or the problems view is opened. Never a modal.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use jiff::Timestamp;

use super::triage::{Problem, problems};
use crate::cluster::{ConnectionState, Store};
use crate::model::ObjectKey;

/// A new problem to tell the operator about.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemNotice {
    pub key: ObjectKey,
    pub what: String,
    /// How many new problems appeared since the notice was raised (this one included).
    pub count: usize,
}

/// From this many suspects on (a few milliseconds to look through), the problems are computed
/// again at most once per second while only the cluster changes: a stream of changes at scale
/// costs one pass a second, and the count is at most a second behind.
pub const THROTTLED_SUSPECTS: usize = 500;

/// Problems as computed at (store revision, second).
type Memo = ((u64, i64), Rc<Vec<Problem>>);

/// What the operator looks at when the store changes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Looking<'a> {
    /// The problems view: every new problem is in sight.
    AtProblems,
    /// One object's page: a new problem of that object is in sight.
    At(&'a ObjectKey),
    Elsewhere,
}

#[derive(Debug, Default)]
pub struct ProblemWatch {
    /// The problems at a store revision and a second.
    memo: RefCell<Option<Memo>>,
    /// Problems already seen (told or not): a problem is new once, until it goes away.
    known: BTreeSet<ObjectKey>,
    /// Set once the first lists are in (the store connected): what the cluster had then is
    /// not news.
    primed: bool,
    /// The problems last looked at by [`ProblemWatch::observe`]: the same list again has
    /// nothing new.
    observed: Option<Rc<Vec<Problem>>>,
    pub notice: Option<ProblemNotice>,
}

impl ProblemWatch {
    /// The problems at `now`: computed once per store revision and second, and with many
    /// suspects (see [`THROTTLED_SUSPECTS`]) at most once per second.
    pub fn current(&self, store: &Store, now: Timestamp) -> Rc<Vec<Problem>> {
        let rev = (store.revision(), now.as_second());
        let throttled = store.suspect_count() >= THROTTLED_SUSPECTS;
        if let Some((r, list)) = &*self.memo.borrow()
            && (*r == rev || (throttled && r.1 == rev.1))
        {
            return list.clone();
        }
        let list = Rc::new(problems(store, now));
        *self.memo.borrow_mut() = Some((rev, list.clone()));
        list
    }

    /// How many problems concern `namespace` (all when `None`; cluster-scoped ones always).
    pub fn count(&self, store: &Store, now: Timestamp, namespace: Option<&str>) -> usize {
        self.current(store, now)
            .iter()
            .filter(|p| {
                p.key.namespace.is_empty() || namespace.is_none_or(|ns| ns == p.key.namespace)
            })
            .count()
    }

    /// Looks at the problems after the store changed. New ones raise the notice unless the
    /// operator is looking at the problems or at the object itself (`looking`), the change is a (re)list (`listing`:
    /// what a list brings is the state, not a change seen happening) or the first lists are
    /// still coming in. Returns whether the notice changed.
    pub fn observe(
        &mut self,
        store: &Store,
        at: Timestamp,
        looking: Looking,
        listing: bool,
    ) -> bool {
        let now = self.current(store, at);
        let connected = *store.connection() == ConnectionState::Connected;
        let settled = self.primed && connected && !listing;
        self.primed |= connected;
        if self.observed.as_ref().is_some_and(|o| Rc::ptr_eq(o, &now)) {
            return false;
        }
        self.observed = Some(now.clone());
        let keys: BTreeSet<ObjectKey> = now.iter().map(|p| p.key.clone()).collect();
        let fresh: Vec<&Problem> = now
            .iter()
            .filter(|p| !self.known.contains(&p.key))
            .filter(|p| looking != Looking::At(&p.key))
            .collect();
        self.known = keys;
        let before = self.notice.clone();
        if let Some(n) = &self.notice
            && !self.known.contains(&n.key)
        {
            // The problem told about went away: so does the notice.
            self.notice = None;
        }
        if settled
            && looking != Looking::AtProblems
            && let Some(first) = fresh.first()
        {
            let count = self.notice.as_ref().map_or(0, |n| n.count) + fresh.len();
            self.notice = Some(ProblemNotice {
                key: first.key.clone(),
                what: first.what.clone(),
                count,
            });
        }
        before != self.notice
    }

    /// The operator saw it (dismissed it, or opened the problems).
    pub fn dismiss(&mut self) -> bool {
        self.notice.take().is_some()
    }

    /// Forgets everything (another cluster).
    pub fn clear(&mut self) {
        *self = ProblemWatch::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterEvent;
    use crate::model::{Kind, Object, OpKind};

    fn failed_load(name: &str) -> Object {
        let v = serde_json::json!({
            "apiVersion": "data.fluid.io/v1alpha1", "kind": "DataLoad",
            "metadata": {"name": name, "namespace": "ns"},
            "spec": {"dataset": {"name": "ds", "namespace": "ns"}},
            "status": {"phase": "Failed"}
        });
        Object::from_value(v).unwrap().unwrap()
    }

    fn t() -> Timestamp {
        Timestamp::from_second(100).unwrap()
    }

    fn apply(store: &mut Store, ev: ClusterEvent) {
        store.apply(ev, t());
    }

    #[test]
    fn a_new_problem_raises_the_notice_once_after_the_first_lists() {
        let mut store = Store::new();
        let mut w = ProblemWatch::default();
        apply(&mut store, ClusterEvent::Applied(failed_load("old")));
        assert!(
            !w.observe(&store, t(), Looking::Elsewhere, false),
            "the first lists are not news"
        );
        apply(
            &mut store,
            ClusterEvent::Connection(ConnectionState::Connected),
        );
        apply(&mut store, ClusterEvent::Applied(failed_load("older")));
        assert!(
            !w.observe(&store, t(), Looking::Elsewhere, false),
            "what was there at start is not news"
        );
        apply(&mut store, ClusterEvent::Applied(failed_load("listed")));
        assert!(
            !w.observe(&store, t(), Looking::Elsewhere, true),
            "nor what a relist brings"
        );
        apply(&mut store, ClusterEvent::Applied(failed_load("new")));
        assert!(w.observe(&store, t(), Looking::Elsewhere, false));
        let n = w.notice.clone().unwrap();
        assert_eq!(
            n.key,
            ObjectKey::new(Kind::Operation(OpKind::DataLoad), "ns", "new")
        );
        assert_eq!(n.what, "Failed");
        assert!(w.dismiss());
        // Seen once: the same problem does not come back while it lasts.
        assert!(!w.observe(&store, t(), Looking::Elsewhere, false));
        assert_eq!(w.notice, None);
        assert_eq!(w.count(&store, t(), None), 4);
        assert_eq!(w.count(&store, t(), Some("other")), 0);
    }

    /// A watch past the first lists, and a store where DataLoad `name` has just failed.
    fn connected_then_failed(name: &str) -> (Store, ProblemWatch) {
        let mut store = Store::new();
        let mut w = ProblemWatch::default();
        apply(
            &mut store,
            ClusterEvent::Connection(ConnectionState::Connected),
        );
        w.observe(&store, t(), Looking::Elsewhere, false);
        apply(&mut store, ClusterEvent::Applied(failed_load(name)));
        (store, w)
    }

    #[test]
    fn no_notice_while_the_problems_are_on_screen() {
        let (store, mut w) = connected_then_failed("x");
        assert!(!w.observe(&store, t(), Looking::AtProblems, false));
        assert_eq!(w.notice, None);
    }

    #[test]
    fn no_notice_for_the_object_on_screen() {
        let (store, mut w) = connected_then_failed("x");
        let here = ObjectKey::new(Kind::Operation(OpKind::DataLoad), "ns", "x");
        assert!(!w.observe(&store, t(), Looking::At(&here), false));
    }

    #[test]
    fn the_notice_goes_with_its_problem() {
        let (mut store, mut w) = connected_then_failed("x");
        assert!(w.observe(&store, t(), Looking::Elsewhere, false));
        apply(
            &mut store,
            ClusterEvent::Deleted(ObjectKey::new(Kind::Operation(OpKind::DataLoad), "ns", "x")),
        );
        assert!(w.observe(&store, t(), Looking::Elsewhere, false));
        assert_eq!(w.notice, None);
    }
}
