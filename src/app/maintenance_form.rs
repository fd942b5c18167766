//! The setup step of the in-place upgrade (`U`) and rebuild (`R`) wizards as a pure state
//! machine: fields prefilled from the store, validation as the operator types, and a live plan
//! preview computed by the workflow planner (`workflows::plan`) on every change. No terminal and
//! no I/O here; the app feeds it keys, calls [`MaintenanceForm::refresh`] after a key or a store
//! change, and the view draws it.

use std::collections::{HashMap, HashSet};

use crossterm::event::{KeyCode, KeyEvent};
use jiff::Timestamp;

use super::actions::Action;
use super::format;
use super::load_form::{Input, cycle};
use super::maintenance_strings as s;
use crate::cluster::Store;
use crate::model::health::{component_enabled, operation_supported};
use crate::model::maintenance::{MaintenanceType, Strategy};
use crate::model::operation::TargetPath;
use crate::model::pod::{component_of, node_of, runtime_of};
use crate::model::{CacheRuntime, Component, Kind, Object, ObjectKey, OpKind};
use crate::workflows::observe;
use crate::workflows::plan::{
    self, Plan, RebuildDataLoad, RebuildRequest, Refusal, UpgradeRequest,
};
use crate::workflows::{DEFAULT_STEP_TIMEOUT_SECONDS, MIN_STEP_TIMEOUT_SECONDS};

/// `imagePullPolicy` values, in the order Space cycles them.
pub const PULL_POLICIES: [&str; 3] = ["IfNotPresent", "Always", "Never"];
/// Rebuild reasons, in the order Space cycles them.
pub const REASONS: [&str; 3] = ["NodeFailure", "ConfigChange", "Manual"];

/// Summary lines PgDn/PgUp move the plan preview by.
pub const PREVIEW_PAGE: usize = 5;

/// Which wizard the form sets up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wizard {
    Upgrade,
    Rebuild,
}

impl Wizard {
    pub fn maintenance_type(self) -> MaintenanceType {
        match self {
            Wizard::Upgrade => MaintenanceType::Upgrade,
            Wizard::Rebuild => MaintenanceType::Rebuild,
        }
    }
}

/// One focusable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    // Upgrade.
    Image,
    Tag,
    PullPolicy,
    /// A component toggle (the client one is shown but refuses to toggle).
    Component(Component),
    UsePartition,
    Rollback,
    // Rebuild.
    Reason,
    /// A row of the pod checklist.
    Pod(usize),
    /// Explicit acceptance of the FUSE interruption (shown while a client pod is ticked).
    ClientConfirm,
    /// Shown while a ticked pod is on a lost node (or stuck Terminating).
    ForceDelete,
    Rewarm,
    RewarmPaths,
    MaxUnavailable,
    // Both.
    ConfirmEachStep,
    Timeout,
}

impl Field {}

/// A component of the upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentRow {
    pub component: Component,
    pub selected: bool,
    /// Why it cannot be selected (the client).
    pub disabled: Option<String>,
}

/// A pod of the rebuild checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRow {
    pub name: String,
    pub component: Component,
    pub node: String,
    /// `Ready True`, `Ready False, Terminating`, …
    pub state: String,
    pub ticked: bool,
    /// Why the planner suggests rebuilding it (a candidate), as shown.
    pub why: Option<String>,
    /// On a lost node or stuck Terminating: a normal delete does not complete.
    pub lost: bool,
}

/// What the form answers a key with; `Submit` carries the plan to confirm (shown with
/// [`MaintenanceForm::confirm_lines`]).
pub type Outcome = super::modal::Outcome<Box<Plan>>;

/// How a line of the plan summary is meant (the view styles it by this).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Heading,
    Change,
    Stay,
    Warning,
    NotSyncable,
    Error,
    Info,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MaintenanceForm {
    pub wizard: Wizard,
    /// The CacheRuntime (kind CacheRuntime).
    pub runtime: ObjectKey,
    /// Rebuild: the pod the form was opened on (the selection was that pod): only it was
    /// ticked, and the title says so. `None`: opened on the runtime, the planner's candidates
    /// ticked.
    pub opened_on: Option<String>,
    /// Index into [`MaintenanceForm::fields`].
    pub focus: usize,

    pub image: Input,
    pub tag: Input,
    /// Index into [`PULL_POLICIES`].
    pub pull_policy: usize,
    pub components: Vec<ComponentRow>,
    pub use_partition: bool,
    pub rollback: bool,

    /// Index into [`REASONS`].
    pub reason: usize,
    pub pods: Vec<PodRow>,
    pub client_confirmed: bool,
    pub force_delete: bool,
    pub rewarm: bool,
    /// Why re-warm cannot be offered (the class has no DataLoad), if so.
    pub rewarm_unsupported: Option<String>,
    pub rewarm_paths: Input,
    pub max_unavailable: Input,

    pub confirm_each_step: bool,
    pub timeout: Input,

    /// The plan for the current values, or why there is none (`None` while a field has an
    /// error).
    pub plan: Option<Result<Plan, Refusal>>,
    /// Changes neither workflow can apply (the CacheRuntime must be re-created).
    pub not_syncable: Vec<String>,
    /// Upgrade: what each component runs now (`master curvine/curvine:v0.2.5`).
    pub running: Vec<String>,
    /// A message at the bottom: a refused submit, or the last write's error.
    pub message: Option<String>,
    /// First line of the plan preview shown (an index into
    /// [`MaintenanceForm::preview_lines`]).
    pub preview_scroll: usize,
    /// A value changed since the last [`MaintenanceForm::refresh`].
    stale: bool,
    /// What the store-derived parts were worked out from (`None`: not yet).
    seen: Option<Seen>,
}

/// The runtime (and pod, when the selection is a cache pod) a selection stands for: a
/// CacheRuntime, its Dataset (same name), or one of its pods.
pub fn target_of(store: &Store, key: &ObjectKey) -> Result<(ObjectKey, Option<String>), String> {
    match key.kind {
        Kind::CacheRuntime | Kind::Dataset => Ok((
            ObjectKey::new(Kind::CacheRuntime, key.namespace.clone(), key.name.clone()),
            None,
        )),
        Kind::Pod => {
            let rt = match store.get(key) {
                Some(Object::Pod(p)) => runtime_of(p).map(str::to_string),
                _ => None,
            };
            match rt {
                Some(rt) => Ok((
                    ObjectKey::new(Kind::CacheRuntime, key.namespace.clone(), rt),
                    Some(key.name.clone()),
                )),
                None => Err(s::OPEN_SELECT_RUNTIME.into()),
            }
        }
        _ => Err(s::OPEN_SELECT_RUNTIME.into()),
    }
}

/// The runtime of the form, unlocked; `Err` says why the form cannot open.
fn open_runtime<'a>(store: &'a Store, key: &ObjectKey) -> Result<&'a CacheRuntime, String> {
    let rt = store
        .runtime(&key.namespace, &key.name)
        .ok_or_else(|| s::no_runtime(&key.namespace, &key.name))?;
    if let Some(by) = plan::lock_holder(store, rt) {
        return Err(s::locked(&key.namespace, &key.name, &by));
    }
    Ok(rt)
}

fn runtime_key(key: &ObjectKey) -> ObjectKey {
    ObjectKey::new(Kind::CacheRuntime, key.namespace.clone(), key.name.clone())
}

/// Cache paths of the dataset's mounts (what a re-warm loads by default).
fn dataset_paths(store: &Store, key: &ObjectKey) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(ds) = store.dataset(&key.namespace, &key.name) {
        for m in &ds.spec.mounts {
            let p = m.cache_path();
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// What each component of the runtime runs now, for the upgrade preview.
fn running(store: &Store, key: &ObjectKey) -> Vec<String> {
    let Some(rt) = store.runtime(&key.namespace, &key.name) else {
        return Vec::new();
    };
    let class = store.class_of(rt);
    Component::ALL
        .into_iter()
        .filter(|&c| component_enabled(rt, class, c))
        .filter_map(|c| {
            let v = if c == Component::Client {
                // The client runs what its DaemonSet was created with, not the spec.
                observe::component_pods(store, &key.namespace, &key.name, c)
                    .first()
                    .and_then(|p| observe::spec_image(p))
                    .map(plan::split_image)
                    .or_else(|| plan::current_version(store, rt, c))
            } else {
                plan::current_version(store, rt, c)
            }?;
            let r = v.reference().unwrap_or(v.image);
            Some(format!("{c} {r}"))
        })
        .collect()
}

/// A tag as the registry accepts it.
fn valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    tag.len() <= 128
        && (first.is_ascii_alphanumeric() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Paths separated by commas or spaces.
fn split_paths(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The pod rows of a runtime (only its own pods, from the store's index), master first, then
/// workers by ordinal, then clients; `candidates` (the planner's, see
/// [`plan::rebuild_candidates`]) carry their "why".
fn pod_rows(
    store: &Store,
    key: &ObjectKey,
    candidates: &[plan::RebuildCandidate],
    now: Timestamp,
) -> Vec<PodRow> {
    let by_pod: HashMap<&str, &plan::RebuildCandidate> =
        candidates.iter().map(|c| (c.pod.as_str(), c)).collect();
    let mut rows: Vec<PodRow> = store
        .pods_of_runtime(&key.namespace, &key.name)
        .into_iter()
        .filter_map(|p| {
            let component = component_of(p)?;
            let name = observe::name(p).to_string();
            let why = by_pod.get(name.as_str()).map(|c| {
                let mut why = c.why.clone();
                if c.reason == REASONS[0] {
                    if !observe::is_terminating(p)
                        && let Some(since) = observe::not_ready_since(p)
                    {
                        why.push_str(&s::not_ready_for(&format::age(Some(since), now)));
                    }
                    why.push_str(s::LOST_SUFFIX);
                }
                why
            });
            Some(PodRow {
                node: node_of(p).unwrap_or("-").to_string(),
                state: observe::pod_state_line(p),
                ticked: false,
                why,
                lost: plan::needs_force(store, p),
                component,
                name,
            })
        })
        .collect();
    rows.sort_by_cached_key(|r| {
        (
            r.component,
            observe::ordinal(&r.name).unwrap_or(i32::MAX),
            r.name.clone(),
        )
    });
    rows
}

/// What the parts of a form read from the store were last worked out from: the store's
/// revisions of the runtime's namespace and of cluster-scoped objects (its class), and the
/// second shown (ages and the record's name move with it). Everything the form and the planner
/// read is in those: a change anywhere else in the cluster leaves the form as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    namespace: u64,
    cluster: u64,
    second: i64,
}

impl Seen {
    fn of(store: &Store, runtime: &ObjectKey, now: Timestamp) -> Seen {
        Seen {
            namespace: store.namespace_revision(&runtime.namespace),
            cluster: store.namespace_revision(""),
            second: now.as_second(),
        }
    }
}

impl MaintenanceForm {
    fn blank(wizard: Wizard, runtime: ObjectKey) -> MaintenanceForm {
        MaintenanceForm {
            wizard,
            runtime,
            opened_on: None,
            focus: 0,
            image: Input::default(),
            tag: Input::default(),
            pull_policy: 0,
            components: Vec::new(),
            use_partition: false,
            rollback: false,
            reason: 2,
            pods: Vec::new(),
            client_confirmed: false,
            force_delete: false,
            rewarm: true,
            rewarm_unsupported: None,
            rewarm_paths: Input::default(),
            max_unavailable: Input::new("1"),
            confirm_each_step: false,
            timeout: Input::new(DEFAULT_STEP_TIMEOUT_SECONDS.to_string()),
            plan: None,
            not_syncable: Vec::new(),
            running: Vec::new(),
            message: None,
            preview_scroll: 0,
            stale: true,
            seen: None,
        }
    }

    /// The upgrade form for a runtime: image and tag prefilled from the version the worker (else
    /// the master) runs, master and worker selected. `Err` when the runtime is missing, locked
    /// by another maintenance, or has nothing to upgrade.
    pub fn upgrade(
        store: &Store,
        runtime: &ObjectKey,
        now: Timestamp,
    ) -> Result<MaintenanceForm, String> {
        let key = runtime_key(runtime);
        let rt = open_runtime(store, &key)?;
        let class = store.class_of(rt);
        let mut form = MaintenanceForm::blank(Wizard::Upgrade, key.clone());
        for c in [Component::Master, Component::Worker] {
            if component_enabled(rt, class, c) {
                form.components.push(ComponentRow {
                    component: c,
                    selected: true,
                    disabled: None,
                });
            }
        }
        if form.components.is_empty() {
            return Err(s::nothing_to_upgrade(&key.namespace, &key.name));
        }
        if component_enabled(rt, class, Component::Client) {
            form.components.push(ComponentRow {
                component: Component::Client,
                selected: false,
                disabled: Some(s::CLIENT_DISABLED.into()),
            });
        }
        let current = [Component::Worker, Component::Master]
            .into_iter()
            .filter(|&c| component_enabled(rt, class, c))
            .find_map(|c| plan::current_version(store, rt, c));
        if let Some(v) = current {
            form.image = Input::new(v.image);
            form.tag = Input::new(v.image_tag);
        }
        let policy = [Component::Worker, Component::Master]
            .into_iter()
            .filter_map(|c| rt.component_spec(c))
            .filter_map(|s| s.runtime_version.as_ref())
            .find_map(|v| v.image_pull_policy.clone());
        form.pull_policy = policy
            .and_then(|p| PULL_POLICIES.iter().position(|x| *x == p))
            .unwrap_or(0);
        form.refresh(store, now);
        Ok(form)
    }

    /// The rebuild form for a runtime: the runtime's master/worker/client pods as a checklist,
    /// the planner's candidates ticked (or only `pod`, when R was pressed on a pod), the reason
    /// preselected from them, re-warm on with the dataset's paths. `Err` when the runtime is
    /// missing, locked, has no pods, or `pod` is not one of them.
    pub fn rebuild(
        store: &Store,
        runtime: &ObjectKey,
        pod: Option<&str>,
        now: Timestamp,
    ) -> Result<MaintenanceForm, String> {
        let key = runtime_key(runtime);
        let rt = open_runtime(store, &key)?;
        let mut form = MaintenanceForm::blank(Wizard::Rebuild, key.clone());
        let candidates = plan::rebuild_candidates(store, &key, now);
        form.pods = pod_rows(store, &key, &candidates, now);
        if form.pods.is_empty() {
            return Err(s::no_pods(&key.namespace, &key.name));
        }
        match pod {
            Some(p) => {
                let Some(row) = form.pods.iter_mut().find(|r| r.name == p) else {
                    return Err(s::pod_not_of_runtime(p, &key.name));
                };
                row.ticked = true;
                form.opened_on = Some(p.to_string());
            }
            None => {
                for row in &mut form.pods {
                    row.ticked = row.why.is_some() && row.component != Component::Client;
                }
            }
        }
        let reason = candidates
            .iter()
            .filter(|c| form.pods.iter().any(|r| r.ticked && r.name == c.pod))
            .map(|c| c.reason.as_str())
            .min_by_key(|r| REASONS.iter().position(|x| x == r).unwrap_or(REASONS.len()))
            .unwrap_or("Manual");
        form.reason = REASONS.iter().position(|r| *r == reason).unwrap_or(2);
        if let Err(why) = operation_supported(OpKind::DataLoad, store.class_of(rt)) {
            form.rewarm = false;
            form.rewarm_unsupported = Some(why);
        }
        form.rewarm_paths = Input::new(dataset_paths(store, &key).join(", "));
        form.not_syncable = plan::not_syncable(store, &key);
        form.seen = Some(Seen::of(store, &key, now));
        form.refresh(store, now);
        Ok(form)
    }

    pub fn is_upgrade(&self) -> bool {
        self.wizard == Wizard::Upgrade
    }

    /// The form's title: the runtime, or the pod it was opened on while only that pod is
    /// ticked.
    pub fn title(&self) -> String {
        let (ns, rt) = (&self.runtime.namespace, &self.runtime.name);
        match self.only_opened_pod() {
            Some(pod) => s::title_pod(ns, rt, pod),
            None => s::title(self.is_upgrade(), ns, rt),
        }
    }

    /// The pod the rebuild was opened on, while it is the only one ticked.
    fn only_opened_pod(&self) -> Option<&str> {
        let pod = self.opened_on.as_deref()?;
        let mut ticked = self.pods.iter().filter(|p| p.ticked);
        match (ticked.next(), ticked.next()) {
            (Some(only), None) if only.name == pod => Some(pod),
            _ => None,
        }
    }

    /// The server refused to record the run: the form is back with its values and `error`.
    pub fn failed(&mut self, error: &str) {
        self.message = Some(s::start_refused(error));
    }

    /// The focusable fields, in Tab order.
    pub fn fields(&self) -> Vec<Field> {
        let mut v = Vec::new();
        match self.wizard {
            Wizard::Upgrade => {
                v.extend([Field::Image, Field::Tag, Field::PullPolicy]);
                v.extend(
                    self.components
                        .iter()
                        .map(|c| Field::Component(c.component)),
                );
                v.extend([
                    Field::ConfirmEachStep,
                    Field::UsePartition,
                    Field::Rollback,
                    Field::Timeout,
                ]);
            }
            Wizard::Rebuild => {
                v.push(Field::Reason);
                v.extend((0..self.pods.len()).map(Field::Pod));
                if self.client_ticked() {
                    v.push(Field::ClientConfirm);
                }
                if self.lost_ticked() {
                    v.push(Field::ForceDelete);
                }
                if self.rewarm_unsupported.is_none() {
                    v.push(Field::Rewarm);
                    if self.rewarm {
                        v.push(Field::RewarmPaths);
                    }
                }
                v.extend([
                    Field::MaxUnavailable,
                    Field::ConfirmEachStep,
                    Field::Timeout,
                ]);
            }
        }
        v
    }

    pub fn focused(&self) -> Option<Field> {
        self.fields().get(self.focus).copied()
    }

    /// Puts the focus on `field` if it is shown.
    pub fn focus_on(&mut self, field: Field) {
        if let Some(i) = self.fields().iter().position(|f| *f == field) {
            self.focus = i;
        }
    }

    /// A ticked client pod makes the rebuild interrupt FUSE mounts.
    pub fn client_ticked(&self) -> bool {
        self.pods
            .iter()
            .any(|p| p.ticked && p.component == Component::Client)
    }

    /// A ticked pod is on a lost node (force delete is offered).
    pub fn lost_ticked(&self) -> bool {
        self.pods.iter().any(|p| p.ticked && p.lost)
    }

    pub fn reason(&self) -> &'static str {
        REASONS[self.reason.min(REASONS.len() - 1)]
    }

    pub fn pull_policy(&self) -> &'static str {
        PULL_POLICIES[self.pull_policy.min(PULL_POLICIES.len() - 1)]
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut Input> {
        Some(match field {
            Field::Image => &mut self.image,
            Field::Tag => &mut self.tag,
            Field::RewarmPaths => &mut self.rewarm_paths,
            Field::MaxUnavailable => &mut self.max_unavailable,
            Field::Timeout => &mut self.timeout,
            _ => return None,
        })
    }

    /// The error of one field, if any (validation as the operator types).
    pub fn error(&self, field: Field) -> Option<String> {
        match field {
            Field::Image => {
                let t = self.image.text.trim();
                let last = t.rsplit('/').next().unwrap_or(t);
                if t.is_empty() {
                    Some(s::IMAGE_EMPTY.into())
                } else if t.contains(char::is_whitespace) {
                    Some(s::IMAGE_SPACE.into())
                } else if last.contains(':') || last.contains('@') {
                    Some(s::IMAGE_HAS_TAG.into())
                } else {
                    None
                }
            }
            Field::Tag => {
                let t = self.tag.text.trim();
                if t.is_empty() {
                    Some(s::TAG_EMPTY.into())
                } else if !valid_tag(t) {
                    Some(s::TAG_BAD.into())
                } else {
                    None
                }
            }
            Field::Component(c) => {
                // The error sits on the last selectable component.
                let last = self
                    .components
                    .iter()
                    .rev()
                    .find(|r| r.disabled.is_none())
                    .map(|r| r.component);
                (last == Some(c)
                    && !self
                        .components
                        .iter()
                        .any(|r| r.selected && r.disabled.is_none()))
                .then(|| s::NO_COMPONENT.into())
            }
            Field::Pod(0) => (!self.pods.iter().any(|p| p.ticked)).then(|| s::NO_POD.into()),
            Field::RewarmPaths if self.rewarm && self.rewarm_unsupported.is_none() => {
                let paths = split_paths(&self.rewarm_paths.text);
                if paths.is_empty() {
                    Some(s::PATHS_EMPTY.into())
                } else if paths.iter().any(|p| !p.starts_with('/')) {
                    Some(s::PATH_ABSOLUTE.into())
                } else {
                    None
                }
            }
            Field::MaxUnavailable => match self.max_unavailable.text.trim().parse::<i32>() {
                Ok(n) if n >= 1 => None,
                _ => Some(s::MAX_UNAVAILABLE_BAD.into()),
            },
            Field::Timeout => match self.timeout.text.trim().parse::<i64>() {
                Ok(n) if n >= MIN_STEP_TIMEOUT_SECONDS => None,
                _ => Some(s::TIMEOUT_BAD.into()),
            },
            _ => None,
        }
    }

    /// Every field error (what keeps the plan from being computed and refuses submission).
    pub fn errors(&self) -> Vec<(Field, String)> {
        self.fields()
            .into_iter()
            .filter_map(|f| self.error(f).map(|e| (f, e)))
            .collect()
    }

    fn timeout_seconds(&self) -> i64 {
        self.timeout
            .text
            .trim()
            .parse::<i64>()
            .unwrap_or(DEFAULT_STEP_TIMEOUT_SECONDS)
            .max(MIN_STEP_TIMEOUT_SECONDS)
    }

    /// The upgrade the form asks for.
    pub fn upgrade_request(&self) -> UpgradeRequest {
        UpgradeRequest {
            runtime: self.runtime.clone(),
            image: self.image.text.trim().to_string(),
            image_tag: self.tag.text.trim().to_string(),
            image_pull_policy: Some(self.pull_policy().to_string()),
            components: self
                .components
                .iter()
                .filter(|c| c.selected && c.disabled.is_none())
                .map(|c| c.component)
                .collect(),
            strategy: Strategy {
                max_unavailable: None,
                confirm_each_step: Some(self.confirm_each_step),
                step_timeout_seconds: Some(self.timeout_seconds()),
                rollback_on_failure: Some(self.rollback),
                use_partition: Some(self.use_partition),
            },
        }
    }

    /// The rebuild the form asks for.
    pub fn rebuild_request(&self) -> RebuildRequest {
        let rewarm = self.rewarm && self.rewarm_unsupported.is_none();
        RebuildRequest {
            runtime: self.runtime.clone(),
            reason: self.reason().to_string(),
            pods: self
                .pods
                .iter()
                .filter(|p| p.ticked)
                .map(|p| p.name.clone())
                .collect(),
            nodes: Vec::new(),
            components: Vec::new(),
            force_delete_lost_pods: self.force_delete && self.lost_ticked(),
            reload_data: rewarm,
            data_load: rewarm.then(|| RebuildDataLoad {
                load_metadata: None,
                target: split_paths(&self.rewarm_paths.text)
                    .into_iter()
                    .map(|path| TargetPath {
                        path,
                        ..Default::default()
                    })
                    .collect(),
            }),
            strategy: Strategy {
                max_unavailable: Some(self.max_unavailable.text.trim().parse().unwrap_or(1)),
                confirm_each_step: Some(self.confirm_each_step),
                step_timeout_seconds: Some(self.timeout_seconds()),
                rollback_on_failure: None,
                use_partition: None,
            },
            client_confirmed: self.client_confirmed,
        }
    }

    /// The planner's answer for the current values at `now`.
    fn plan_now(&self, store: &Store, now: Timestamp) -> Result<Plan, Refusal> {
        let name = plan::maintenance_name(&self.runtime.name, self.wizard.maintenance_type(), now);
        match self.wizard {
            Wizard::Upgrade => plan::plan_upgrade(store, &self.upgrade_request(), &name, now),
            Wizard::Rebuild => plan::plan_rebuild(store, &self.rebuild_request(), &name, now),
        }
    }

    /// Works out the plan preview for the current values again, and first what depends on the
    /// store (the pod checklist with its ticks kept, candidates and lost nodes, the not-syncable
    /// changes, what runs now) if the runtime's namespace, a class or the second shown moved
    /// since (see [`Seen`]).
    pub fn refresh(&mut self, store: &Store, now: Timestamp) {
        let focused = self.focused();
        let seen = Seen::of(store, &self.runtime, now);
        if self.seen != Some(seen) {
            self.observe(store, now);
            self.seen = Some(seen);
        }
        self.plan = if self.errors().is_empty() {
            Some(self.plan_now(store, now))
        } else {
            None
        };
        self.stale = false;
        self.keep_focus(focused);
    }

    /// After the store changed or time passed: [`MaintenanceForm::refresh`] if anything the
    /// form reads moved (or a value is waiting for its plan), else nothing at all.
    pub fn follow(&mut self, store: &Store, now: Timestamp) {
        if self.stale || self.seen != Some(Seen::of(store, &self.runtime, now)) {
            self.refresh(store, now);
        }
    }

    /// What depends on the store, worked out again (see [`MaintenanceForm::refresh`]).
    fn observe(&mut self, store: &Store, now: Timestamp) {
        if self.wizard == Wizard::Rebuild {
            let ticked: HashSet<&str> = self
                .pods
                .iter()
                .filter(|p| p.ticked)
                .map(|p| p.name.as_str())
                .collect();
            let candidates = plan::rebuild_candidates(store, &self.runtime, now);
            let mut rows = pod_rows(store, &self.runtime, &candidates, now);
            for r in &mut rows {
                r.ticked = ticked.contains(r.name.as_str());
            }
            self.pods = rows;
        }
        self.not_syncable = plan::not_syncable(store, &self.runtime);
        if self.wizard == Wizard::Upgrade {
            self.running = running(store, &self.runtime);
        }
    }

    /// A value changed since the last refresh (the preview is out of date).
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// The current plan, when the planner accepted the values.
    pub fn current_plan(&self) -> Option<&Plan> {
        self.plan.as_ref().and_then(|p| p.as_ref().ok())
    }

    /// Why the planner refused the values, if it did.
    pub fn refusal(&self) -> Option<&Refusal> {
        self.plan.as_ref().and_then(|p| p.as_ref().err())
    }

    /// The plan to confirm, computed afresh at `now`; `Err` says why nothing can be sent (a
    /// field error or the planner's refusal).
    pub fn submit(&self, store: &Store, now: Timestamp) -> Result<Plan, String> {
        if let Some((_, e)) = self.errors().into_iter().next() {
            return Err(s::fix_first(&e));
        }
        self.plan_now(store, now)
            .map_err(|r| s::refused(&r.to_string()))
    }

    /// Tab / Shift-Tab: the next or previous field (wrapping).
    pub fn focus_next(&mut self, forward: bool) {
        self.focus = cycle(self.focus, self.fields().len(), forward);
    }

    /// Enter (`wizard.next`): the next field; on the last field, the plan to confirm — refused
    /// (with the reason in `message`, focus on the first bad field) while a field has an error
    /// or the planner refuses.
    pub fn next(&mut self, store: &Store, now: Timestamp) -> Outcome {
        let n = self.fields().len();
        if self.focus + 1 < n {
            self.focus += 1;
            return Outcome::Stay;
        }
        if let Some((field, _)) = self.errors().into_iter().next() {
            self.message = Some(s::FIX_ERRORS.into());
            self.focus_on(field);
            return Outcome::Stay;
        }
        match self.submit(store, now) {
            Ok(plan) => {
                self.message = None;
                Outcome::Submit(Box::new(plan))
            }
            Err(e) => {
                self.refresh(store, now);
                self.message = Some(s::not_sent(&e));
                Outcome::Stay
            }
        }
    }

    /// A key while the form is on top, with the action the keymap found for it (if any): Tab
    /// and Shift-Tab move the focus, Enter goes on (submitting the plan on the last field), Esc
    /// and abort close; an unbound key edits the focused field and the plan is looked at again.
    pub fn on_action(
        &mut self,
        action: Option<Action>,
        key: &KeyEvent,
        store: &Store,
        now: Timestamp,
    ) -> Outcome {
        match action {
            Some(a @ (Action::PaneNext | Action::PanePrev)) => {
                self.focus_next(a == Action::PaneNext);
                Outcome::Stay
            }
            Some(Action::WizardNext) => self.next(store, now),
            Some(Action::NavBack | Action::WizardAbort) => Outcome::Close,
            Some(_) => Outcome::Pass,
            None => {
                self.on_key(key);
                // Only a changed value needs a new plan (moving a cursor does not).
                if self.stale {
                    self.refresh(store, now);
                }
                Outcome::Stay
            }
        }
    }

    /// After the field list changed, keeps the focus on the same field (or the nearest).
    fn keep_focus(&mut self, field: Option<Field>) {
        let fields = self.fields();
        if let Some(i) = field.and_then(|f| fields.iter().position(|x| *x == f)) {
            self.focus = i;
        }
        self.focus = self.focus.min(fields.len().saturating_sub(1));
    }

    /// A key that is not a form action: typing into text fields (the load form's [`Input`]
    /// editing), Space / ←/→ on toggles and choices, ↑/↓ on numbers, PgUp/PgDn on the plan
    /// preview. Marks the plan stale: the app calls [`MaintenanceForm::refresh`] next.
    pub fn on_key(&mut self, key: &KeyEvent) {
        match key.code {
            KeyCode::PageDown => {
                let last = self.preview_lines().len().saturating_sub(1);
                self.preview_scroll = (self.preview_scroll + PREVIEW_PAGE).min(last);
                return;
            }
            KeyCode::PageUp => {
                self.preview_scroll = self.preview_scroll.saturating_sub(PREVIEW_PAGE);
                return;
            }
            _ => {}
        }
        let Some(field) = self.focused() else {
            return;
        };
        let toggle = matches!(
            key.code,
            KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right
        );
        let forward = matches!(key.code, KeyCode::Char(' ') | KeyCode::Right);
        let mut changed = true;
        match field {
            Field::PullPolicy if toggle => {
                self.pull_policy = cycle(self.pull_policy, PULL_POLICIES.len(), forward);
            }
            Field::Reason if toggle => self.reason = cycle(self.reason, REASONS.len(), forward),
            Field::Component(c) if toggle => {
                if let Some(row) = self.components.iter_mut().find(|r| r.component == c) {
                    match &row.disabled {
                        Some(_) => {
                            self.message = Some(s::client_toggle_refused(
                                &Refusal::ClientInUpgrade.to_string(),
                            ));
                            return;
                        }
                        None => row.selected = !row.selected,
                    }
                }
            }
            Field::Pod(i) if toggle => {
                if let Some(row) = self.pods.get_mut(i) {
                    row.ticked = !row.ticked;
                }
                if !self.client_ticked() {
                    self.client_confirmed = false;
                }
            }
            Field::ClientConfirm if toggle => self.client_confirmed = !self.client_confirmed,
            Field::ForceDelete if toggle => self.force_delete = !self.force_delete,
            Field::Rewarm if toggle => self.rewarm = !self.rewarm,
            Field::ConfirmEachStep if toggle => self.confirm_each_step = !self.confirm_each_step,
            Field::UsePartition if toggle => self.use_partition = !self.use_partition,
            Field::Rollback if toggle => self.rollback = !self.rollback,
            Field::Timeout | Field::MaxUnavailable
                if matches!(key.code, KeyCode::Up | KeyCode::Down) =>
            {
                let (step, min) = if field == Field::Timeout {
                    (60, MIN_STEP_TIMEOUT_SECONDS)
                } else {
                    (1, 1)
                };
                if let Some(inp) = self.input_mut(field) {
                    let n: i64 = inp.text.trim().parse().unwrap_or(min);
                    let n = if key.code == KeyCode::Up {
                        n.saturating_add(step)
                    } else {
                        n.saturating_sub(step).max(min)
                    };
                    inp.set(n.to_string());
                }
            }
            _ => changed = self.input_mut(field).is_some_and(|i| i.edit(key)),
        }
        if changed {
            self.stale = true;
            if self.message.is_some() {
                self.message = None;
            }
        }
        self.keep_focus(Some(field));
    }

    /// Text pasted while the form is on top: into the focused text field, as one line (a
    /// paste never moves on or submits). Marks the plan stale, as typing does.
    pub fn paste(&mut self, text: &str) {
        let Some(field) = self.focused() else {
            return;
        };
        if self.input_mut(field).is_some_and(|i| i.paste(text)) {
            self.stale = true;
            self.message = None;
        }
    }

    // ------------------------------------------------------------------ summary

    /// Warnings of the plan that are not repeats of a not-syncable message.
    fn warnings<'a>(&'a self, plan: &'a Plan) -> impl Iterator<Item = &'a String> {
        plan.summary
            .warnings
            .iter()
            .filter(|w| !self.not_syncable.iter().any(|n| w.ends_with(n.as_str())))
    }

    /// The plan summary as lines: changes in order, what stays, warnings, the changes upstream
    /// cannot make, max unavailable and the strategy.
    pub fn summary_lines(&self, plan: &Plan) -> Vec<(LineKind, String)> {
        let mut out = vec![(LineKind::Heading, s::PREVIEW_CHANGES.to_string())];
        for (i, c) in plan.summary.changes.iter().enumerate() {
            out.push((
                LineKind::Change,
                format!("  {}", s::numbered(i + 1, &c.to_string())),
            ));
        }
        if plan.summary.changes.is_empty() {
            out.push((LineKind::Info, format!("  {}", s::PREVIEW_NOTHING)));
        }
        out.push((LineKind::Heading, s::PREVIEW_STAYS.to_string()));
        for st in &plan.summary.stays {
            out.push((LineKind::Stay, format!("  - {st}")));
        }
        let warnings: Vec<&String> = self.warnings(plan).collect();
        if !warnings.is_empty() {
            out.push((LineKind::Heading, s::PREVIEW_WARNINGS.to_string()));
            for w in warnings {
                out.push((LineKind::Warning, format!("  ! {w}")));
            }
        }
        out.extend(self.not_syncable_lines());
        out.push((
            LineKind::Info,
            s::max_unavailable(plan.summary.max_unavailable),
        ));
        let st = plan.record.spec.strategy.clone().unwrap_or_default();
        out.push((
            LineKind::Info,
            s::strategy_line(
                st.confirm_each_step.unwrap_or(false),
                st.use_partition.unwrap_or(false),
                st.rollback_on_failure.unwrap_or(false),
                st.step_timeout_seconds
                    .unwrap_or(DEFAULT_STEP_TIMEOUT_SECONDS),
            ),
        ));
        out
    }

    fn not_syncable_lines(&self) -> Vec<(LineKind, String)> {
        let mut out = Vec::new();
        if !self.not_syncable.is_empty() {
            out.push((LineKind::Heading, s::PREVIEW_NOT_SYNCABLE.to_string()));
            for n in &self.not_syncable {
                out.push((LineKind::NotSyncable, format!("  ! {n}")));
            }
        }
        out
    }

    /// What the preview pane shows: the refusal or the field problem first, then the summary
    /// of the plan (or, without one, the changes upstream cannot make).
    pub fn preview_lines(&self) -> Vec<(LineKind, String)> {
        let mut out: Vec<(LineKind, String)> = self.opened_on_line().into_iter().collect();
        let first = match &self.plan {
            _ if self.stale => (LineKind::Info, s::PREVIEW_PENDING.to_string()),
            None => (LineKind::Error, s::PREVIEW_FIX_FIELDS.to_string()),
            Some(Err(r)) => (LineKind::Error, s::refused(&r.to_string())),
            Some(Ok(plan)) => {
                out.extend(self.summary_lines(plan));
                return out;
            }
        };
        out.push(first);
        if !self.running.is_empty() {
            out.push((LineKind::Info, s::running_now(&self.running)));
        }
        out.extend(self.not_syncable_lines());
        out
    }

    /// While a rebuild opened on one pod has only that pod ticked: says so, with the pods the
    /// planner suggests that are not ticked.
    fn opened_on_line(&self) -> Option<(LineKind, String)> {
        let pod = self.only_opened_pod()?;
        let suggested: Vec<String> = self
            .pods
            .iter()
            .filter(|p| !p.ticked && p.why.is_some() && p.component != Component::Client)
            .map(|p| plan::short(&self.runtime.name, &p.name))
            .collect();
        let pod = plan::short(&self.runtime.name, pod);
        Some((LineKind::Warning, s::opened_on_pod(&pod, &suggested)))
    }

    /// The name the plan would record the run under (`None` without a plan).
    pub fn record_name(&self) -> Option<(String, String)> {
        let p = self.current_plan()?;
        Some((
            p.record.metadata.namespace.clone().unwrap_or_default(),
            p.record.metadata.name.clone().unwrap_or_default(),
        ))
    }

    /// The exact text of the confirmation the app shows before creating the run.
    pub fn confirm_lines(&self, plan: &Plan) -> Vec<String> {
        let ns = plan
            .record
            .metadata
            .namespace
            .clone()
            .unwrap_or_else(|| self.runtime.namespace.clone());
        let name = plan.record.metadata.name.clone().unwrap_or_default();
        let components = plan.record.spec.components.join(", ");
        let head = match self.wizard {
            Wizard::Upgrade => {
                let image = plan
                    .record
                    .spec
                    .upgrade
                    .as_ref()
                    .and_then(|v| v.reference())
                    .unwrap_or_default();
                s::confirm_upgrade(&ns, &self.runtime.name, &image, &components)
            }
            Wizard::Rebuild => {
                let rb = plan.record.spec.rebuild.as_ref();
                let reason = rb.and_then(|r| r.reason.clone()).unwrap_or_default();
                let pods = rb.map(|r| r.pods.join(", ")).unwrap_or_default();
                s::confirm_rebuild(&ns, &self.runtime.name, &reason, &pods)
            }
        };
        let mut out = vec![head];
        out.extend(self.summary_lines(plan).into_iter().map(|(_, l)| l));
        out.push(s::records_in(&ns, &name));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterEvent;
    use crate::demo::scale::{Generator, ScaleSpec};

    fn now() -> Timestamp {
        "2026-11-25T10:02:00Z".parse().unwrap()
    }

    /// 30 generated runtimes of 50 pods each, in three namespaces.
    fn store() -> Store {
        let spec = ScaleSpec {
            runtimes: 30,
            pods: 1500,
            ops: 0,
            events: 0,
        };
        let g = Generator::new(spec, 7, now());
        let mut store = Store::new();
        for kind in Kind::ALL {
            let objects = g.of_kind(kind).collect();
            store.apply(ClusterEvent::Listed { kind, objects }, now());
        }
        store
    }

    fn runtime_in(store: &Store, namespace: &str) -> ObjectKey {
        let rt = store
            .runtimes()
            .find(|r| r.metadata.namespace.as_deref() == Some(namespace))
            .unwrap();
        ObjectKey::new(
            Kind::CacheRuntime,
            namespace,
            rt.metadata.name.clone().unwrap(),
        )
    }

    /// One of `runtime`'s pods with a changed readiness, as the cluster would send it.
    fn changed_pod(store: &Store, runtime: &ObjectKey) -> ClusterEvent {
        let mut pod = store
            .pods_of_runtime(&runtime.namespace, &runtime.name)
            .last()
            .map(|p| (*p).clone())
            .unwrap();
        let status = pod.status.as_mut().unwrap();
        for c in status.conditions.iter_mut().flatten() {
            c.status = if c.status == "True" { "False" } else { "True" }.into();
        }
        ClusterEvent::Applied(Object::Pod(Box::new(pod)))
    }

    #[test]
    fn the_rebuild_form_reads_only_its_runtimes_pods_and_again_only_after_they_may_have_changed() {
        let (rt, own) = {
            let store = store();
            let rt = runtime_in(&store, "scale-001");
            let own = store.pods_of_runtime(&rt.namespace, &rt.name).len();
            (rt, own)
        };
        // A fresh store: nothing built into full Pods yet.
        let mut store = store();
        let mut f = MaintenanceForm::rebuild(&store, &rt, None, now()).unwrap();
        assert_eq!(f.pods.len(), own);
        assert_eq!(
            store.expanded_pods(),
            own,
            "only the runtime's own pods are looked at"
        );
        // Marks the checklist, to see whether it is worked out again.
        f.pods[0].state = "as first seen".into();
        // A key that changes a value: a new plan, the same checklist.
        f.focus_on(Field::Pod(1));
        let space = KeyEvent::from(KeyCode::Char(' '));
        assert_eq!(f.on_action(None, &space, &store, now()), Outcome::Stay);
        assert!(f.pods[1].ticked);
        assert!(f.plan.is_some() && !f.is_stale());
        assert_eq!(f.pods[0].state, "as first seen");
        // A change in another namespace: nothing to work out again.
        let elsewhere = runtime_in(&store, "scale-002");
        let change = changed_pod(&store, &elsewhere);
        assert!(store.apply(change, now()));
        f.follow(&store, now());
        assert_eq!(f.pods[0].state, "as first seen");
        // A change to one of its pods: the checklist follows it, the ticks stay.
        let change = changed_pod(&store, &rt);
        assert!(store.apply(change, now()));
        f.follow(&store, now());
        assert_ne!(f.pods[0].state, "as first seen");
        assert!(f.pods[1].ticked);
        assert_eq!(f.pods.len(), own);
    }
}
