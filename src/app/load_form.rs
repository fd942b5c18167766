//! The "start a data operation" form as a pure state machine: which kinds a runtime can run,
//! the fields of each step, validation as the operator types, and the exact manifest it will
//! create. No terminal and no I/O here; the app feeds it keys and the view draws it.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::actions::Action;
use super::form_strings as s;
use crate::cluster::Store;
use crate::model::cron::CronSchedule;
use crate::model::{CacheRuntimeClass, Kind, Object, ObjectKey, OpKind};

/// Effects a toleration can have.
pub const EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// The index after (`forward`) or before `i` among `n`, wrapping around; `i` itself when
/// there is nothing to move to. Tab through fields, Space/←/→ through choices.
pub(crate) fn cycle(i: usize, n: usize, forward: bool) -> usize {
    match n {
        0 => i,
        _ if forward => (i + 1) % n,
        _ => (i + n - 1) % n,
    }
}

/// One line of editable text with a cursor (a char index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    pub text: String,
    pub cursor: usize,
}

impl Input {
    pub fn new(text: impl Into<String>) -> Input {
        let text = text.into();
        let cursor = text.chars().count();
        Input { text, cursor }
    }

    fn byte(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map_or(self.text.len(), |(b, _)| b)
    }

    pub fn set(&mut self, text: impl Into<String>) {
        *self = Input::new(text);
    }

    /// Inserts pasted text at the cursor, as one line (see [`super::paste::one_line`]);
    /// returns whether the text changed.
    pub fn paste(&mut self, text: &str) -> bool {
        let text = super::paste::one_line(text);
        if text.is_empty() {
            return false;
        }
        let b = self.byte(self.cursor);
        self.text.insert_str(b, &text);
        self.cursor += text.chars().count();
        true
    }

    /// Applies an editing key; returns whether the text changed.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.set("");
                return true;
            }
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                let b = self.byte(self.cursor);
                self.text.insert(b, c);
                self.cursor += 1;
                return true;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let b = self.byte(self.cursor);
                self.text.remove(b);
                return true;
            }
            KeyCode::Delete if self.cursor < len => {
                let b = self.byte(self.cursor);
                self.text.remove(b);
                return true;
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            _ => {}
        }
        false
    }
}

/// `spec.policy` of a data operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    #[default]
    Once,
    Cron,
    OnEvent,
}

impl Policy {
    pub const ALL: [Policy; 3] = [Policy::Once, Policy::Cron, Policy::OnEvent];
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Once => "Once",
            Policy::Cron => "Cron",
            Policy::OnEvent => "OnEvent",
        }
    }
}

/// The steps, in order. Placement applies to DataLoad only (DataProcess places its own pod).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Operation,
    Targets,
    Schedule,
    Placement,
    Review,
}

impl Step {
    pub fn title(self) -> &'static str {
        match self {
            Step::Operation => s::STEP_OPERATION,
            Step::Targets => s::STEP_TARGETS,
            Step::Schedule => s::STEP_SCHEDULE,
            Step::Placement => s::STEP_PLACEMENT,
            Step::Review => s::STEP_REVIEW,
        }
    }
}

/// One focusable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Kind,
    Name,
    Path(usize),
    Replicas(usize),
    LoadMetadata,
    MountPath,
    Image,
    Script,
    Policy,
    Schedule,
    Ttl,
    NodeSelector,
    Tolerations,
}

/// A target row: a path in the cache namespace and its replica count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    pub path: Input,
    pub replicas: Input,
}

impl TargetRow {
    fn new(path: &str) -> TargetRow {
        TargetRow {
            path: Input::new(path),
            replicas: Input::new("1"),
        }
    }
}

/// What the form answers a key with; `Submit` carries the manifest to confirm.
pub type Outcome = super::modal::Outcome<Value>;

#[derive(Debug, Clone, PartialEq)]
pub struct LoadForm {
    pub namespace: String,
    pub dataset: String,
    pub runtime: Option<String>,
    /// Kinds the operator may choose, in order.
    pub kinds: Vec<OpKind>,
    /// Why other kinds are not offered.
    pub notes: Vec<String>,
    /// The dataset's mounts' cache paths, offered for targets.
    pub cache_paths: Vec<String>,
    /// Names already used by data operations in the namespace.
    pub taken: BTreeSet<String>,
    /// "Now" as the console's clock moves (next cron runs); the default name takes it when the
    /// form opens or its kind changes.
    pub now: Timestamp,
    pub step: Step,
    /// Index into the current step's fields.
    pub focus: usize,
    pub kind: usize,
    pub name: Input,
    name_edited: bool,
    pub targets: Vec<TargetRow>,
    pub load_metadata: bool,
    pub mount_path: Input,
    pub image: Input,
    pub script: Input,
    pub policy: Policy,
    pub schedule: Input,
    pub ttl: Input,
    pub node_selector: Input,
    pub tolerations: Input,
    /// First manifest line shown on the review step.
    pub scroll: usize,
    /// A message at the bottom: refused step, or the last write's error.
    pub message: Option<String>,
}

/// Everything the form needs to know about the cluster, gathered once when it opens.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub namespace: String,
    pub dataset: String,
    pub runtime: Option<String>,
    pub class_name: Option<String>,
    pub class: Option<CacheRuntimeClass>,
    pub cache_paths: Vec<String>,
    pub taken: BTreeSet<String>,
    pub now: Timestamp,
}

/// Gathers the form's context for the object under the cursor (a runtime or a dataset); `Err`
/// says why the form cannot open.
pub fn context_for(store: &Store, key: &ObjectKey, now: Timestamp) -> Result<Context, String> {
    let ns = key.namespace.clone();
    let (dataset, runtime) = match key.kind {
        Kind::CacheRuntime => (key.name.clone(), store.runtime(&ns, &key.name)),
        Kind::Dataset => {
            let ds = store.dataset(&ns, &key.name);
            let bound = ds
                .and_then(|d| d.status.as_ref())
                .and_then(|st| st.runtimes.first())
                .map(|r| r.name.clone())
                .filter(|n| !n.is_empty());
            let rt = store.runtime(&ns, bound.as_deref().unwrap_or(&key.name));
            (key.name.clone(), rt)
        }
        _ => return Err(s::SELECT_RUNTIME_OR_DATASET.to_string()),
    };
    let Some(ds) = store.dataset(&ns, &dataset) else {
        return Err(s::no_dataset(&ns, &dataset));
    };
    let class_name = runtime.map(|r| r.spec.runtime_class_name.clone());
    let class = runtime.and_then(|r| store.class_of(r)).cloned();
    let mut cache_paths: Vec<String> = Vec::new();
    for m in &ds.spec.mounts {
        let p = m.cache_path();
        if !cache_paths.contains(&p) {
            cache_paths.push(p);
        }
    }
    let taken = store
        .operations()
        .filter(|op| op.metadata.namespace.as_deref() == Some(ns.as_str()))
        .filter_map(|op| op.metadata.name.clone())
        .collect();
    Ok(Context {
        namespace: ns,
        dataset,
        runtime: runtime.and_then(|r| r.metadata.name.clone()),
        class_name,
        class,
        cache_paths,
        taken,
        now,
    })
}

/// The kinds a runtime of `class` can run, and a note for each kind it cannot.
pub fn offered_kinds(
    runtime: Option<&str>,
    class_name: Option<&str>,
    class: Option<&CacheRuntimeClass>,
) -> (Vec<OpKind>, Vec<String>) {
    let mut kinds = Vec::new();
    let mut notes = Vec::new();
    match (runtime, class) {
        (Some(_), Some(c)) if c.declares(OpKind::DataLoad.as_str()) => kinds.push(OpKind::DataLoad),
        (Some(_), Some(_)) => notes.push(s::no_class_entry(
            class_name.unwrap_or_default(),
            OpKind::DataLoad.as_str(),
        )),
        (Some(_), None) => notes.push(s::class_unknown(class_name.unwrap_or_default())),
        (None, _) => notes.push(s::NO_RUNTIME.to_string()),
    }
    kinds.push(OpKind::DataProcess);
    notes.push(s::NOT_SUPPORTED_KINDS.to_string());
    (kinds, notes)
}

/// `<dataset>-<verb>-<yyyymmdd-hhmm>`, with `-2`, `-3`, … when taken.
pub fn default_name(
    dataset: &str,
    kind: OpKind,
    now: Timestamp,
    taken: &BTreeSet<String>,
) -> String {
    let verb = match kind {
        OpKind::DataLoad => "load",
        OpKind::DataProcess => "process",
        OpKind::DataMigrate => "migrate",
        OpKind::DataBackup => "backup",
    };
    let stamp = now.strftime("%Y%m%d-%H%M");
    let base = format!("{dataset}-{verb}-{stamp}");
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|n| !taken.contains(n))
        .unwrap_or(base)
}

/// Checks a Kubernetes object name (an RFC 1123 DNS label: the job and release names Fluid
/// derives from it must stay valid too).
pub fn validate_name(name: &str, taken: &BTreeSet<String>) -> Result<(), String> {
    if name.is_empty() {
        return Err(s::NAME_EMPTY.into());
    }
    if name.len() > 63 {
        return Err(s::NAME_TOO_LONG.into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(s::name_bad_char(c));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(s::NAME_EDGE.into());
    }
    if taken.contains(name) {
        return Err(s::NAME_TAKEN.into());
    }
    Ok(())
}

/// Checks a five-field cron schedule; on success the next `n` runs after `now`.
pub fn validate_schedule(
    schedule: &str,
    now: Timestamp,
    n: usize,
) -> Result<Vec<Timestamp>, String> {
    if schedule.trim().is_empty() {
        return Err(s::SCHEDULE_EMPTY.into());
    }
    if !schedule.trim().starts_with('@') && schedule.split_whitespace().count() != 5 {
        return Err(s::SCHEDULE_FIELDS.into());
    }
    let cron = CronSchedule::parse(schedule)?;
    let mut runs = Vec::new();
    let mut t = now;
    while runs.len() < n {
        match cron.next_after(t) {
            Some(next) => {
                runs.push(next);
                t = next;
            }
            None => break,
        }
    }
    if runs.is_empty() {
        return Err(s::SCHEDULE_NEVER.into());
    }
    Ok(runs)
}

/// `key=value` pairs separated by commas or spaces.
pub fn parse_node_selector(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for item in split_list(text) {
        let Some((k, v)) = item.split_once('=') else {
            return Err(s::selector_bad(item));
        };
        if k.is_empty() || k.contains(':') {
            return Err(s::selector_bad(item));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

/// A toleration as written: `key[=value]:Effect`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toleration {
    pub key: String,
    pub value: Option<String>,
    pub effect: String,
}

/// `key[=value]:Effect` items separated by commas or spaces; no value means operator Exists.
pub fn parse_tolerations(text: &str) -> Result<Vec<Toleration>, String> {
    let mut out = Vec::new();
    for item in split_list(text) {
        let Some((kv, effect)) = item.rsplit_once(':') else {
            return Err(s::toleration_bad(item));
        };
        if !EFFECTS.contains(&effect) {
            return Err(s::toleration_effect(effect));
        }
        let (key, value) = match kv.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (kv, None),
        };
        if key.is_empty() {
            return Err(s::toleration_bad(item));
        }
        out.push(Toleration {
            key: key.to_string(),
            value,
            effect: effect.to_string(),
        });
    }
    Ok(out)
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl LoadForm {
    /// A form for `ctx`; `Err` says why nothing can be started.
    pub fn new(ctx: Context) -> Result<LoadForm, String> {
        let (kinds, notes) = offered_kinds(
            ctx.runtime.as_deref(),
            ctx.class_name.as_deref(),
            ctx.class.as_ref(),
        );
        if kinds.is_empty() {
            return Err(notes.join("; "));
        }
        let name = default_name(&ctx.dataset, kinds[0], ctx.now, &ctx.taken);
        let targets = ctx.cache_paths.iter().map(|p| TargetRow::new(p)).collect();
        Ok(LoadForm {
            namespace: ctx.namespace,
            dataset: ctx.dataset,
            runtime: ctx.runtime,
            kinds,
            notes,
            cache_paths: ctx.cache_paths,
            taken: ctx.taken,
            now: ctx.now,
            step: Step::Operation,
            focus: 0,
            kind: 0,
            name: Input::new(name),
            name_edited: false,
            targets,
            load_metadata: false,
            mount_path: Input::new("/data"),
            image: Input::default(),
            script: Input::default(),
            policy: Policy::Once,
            schedule: Input::new("0 2 * * *"),
            ttl: Input::default(),
            node_selector: Input::default(),
            tolerations: Input::default(),
            scroll: 0,
            message: None,
        })
    }

    /// Opens the form for a runtime or dataset in the store.
    pub fn open(store: &Store, key: &ObjectKey, now: Timestamp) -> Result<LoadForm, String> {
        LoadForm::new(context_for(store, key, now)?)
    }

    pub fn op_kind(&self) -> OpKind {
        self.kinds
            .get(self.kind)
            .copied()
            .unwrap_or(OpKind::DataProcess)
    }

    /// The steps for the chosen kind.
    pub fn steps(&self) -> Vec<Step> {
        let mut v = vec![Step::Operation, Step::Targets, Step::Schedule];
        if self.op_kind() == OpKind::DataLoad {
            v.push(Step::Placement);
        }
        v.push(Step::Review);
        v
    }

    pub fn step_index(&self) -> usize {
        self.steps()
            .iter()
            .position(|s| *s == self.step)
            .unwrap_or(0)
    }

    /// Focusable fields of a step, in order.
    pub fn fields(&self, step: Step) -> Vec<Field> {
        match step {
            Step::Operation => vec![Field::Kind, Field::Name],
            Step::Targets if self.op_kind() == OpKind::DataLoad => {
                let mut v = Vec::new();
                for i in 0..=self.targets.len() {
                    v.push(Field::Path(i));
                    if i < self.targets.len() {
                        v.push(Field::Replicas(i));
                    }
                }
                v.push(Field::LoadMetadata);
                v
            }
            Step::Targets => vec![Field::MountPath, Field::Image, Field::Script],
            Step::Schedule => match self.policy {
                Policy::Once => vec![Field::Policy, Field::Ttl],
                Policy::Cron => vec![Field::Policy, Field::Schedule],
                Policy::OnEvent => vec![Field::Policy],
            },
            Step::Placement => vec![Field::NodeSelector, Field::Tolerations],
            Step::Review => Vec::new(),
        }
    }

    pub fn focused(&self) -> Option<Field> {
        self.fields(self.step).get(self.focus).copied()
    }

    /// The error of one field, if any.
    pub fn error(&self, field: Field) -> Option<String> {
        let kind = self.op_kind();
        match field {
            Field::Kind => None,
            Field::Name => validate_name(&self.name.text, &self.taken).err(),
            Field::Path(i) => {
                let p = self.targets.get(i)?.path.text.trim();
                if !p.starts_with('/') {
                    Some(s::PATH_ABSOLUTE.into())
                } else if self.targets[..i].iter().any(|t| t.path.text.trim() == p) {
                    Some(s::PATH_DUPLICATE.into())
                } else {
                    None
                }
            }
            Field::Replicas(i) => match self.targets.get(i)?.replicas.text.trim().parse::<u32>() {
                Ok(n) if n >= 1 => None,
                _ => Some(s::REPLICAS_BAD.into()),
            },
            Field::LoadMetadata | Field::Policy => None,
            Field::MountPath if kind == OpKind::DataProcess => {
                (!self.mount_path.text.starts_with('/')).then(|| s::PATH_ABSOLUTE.into())
            }
            Field::Image if kind == OpKind::DataProcess => self
                .image
                .text
                .trim()
                .is_empty()
                .then(|| s::IMAGE_EMPTY.into()),
            Field::Script if kind == OpKind::DataProcess => self
                .script
                .text
                .trim()
                .is_empty()
                .then(|| s::SCRIPT_EMPTY.into()),
            Field::MountPath | Field::Image | Field::Script => None,
            Field::Schedule if self.policy == Policy::Cron => {
                validate_schedule(&self.schedule.text, self.now, 3).err()
            }
            Field::Schedule => None,
            Field::Ttl if self.policy == Policy::Once => {
                let t = self.ttl.text.trim();
                (!t.is_empty() && t.parse::<u32>().is_err()).then(|| s::TTL_BAD.into())
            }
            Field::Ttl => None,
            Field::NodeSelector if kind == OpKind::DataLoad => {
                parse_node_selector(&self.node_selector.text).err()
            }
            Field::Tolerations if kind == OpKind::DataLoad => {
                parse_tolerations(&self.tolerations.text).err()
            }
            Field::NodeSelector | Field::Tolerations => None,
        }
    }

    /// Every field error of a step.
    pub fn step_errors(&self, step: Step) -> Vec<(Field, String)> {
        self.fields(step)
            .into_iter()
            .filter_map(|f| self.error(f).map(|e| (f, e)))
            .collect()
    }

    /// Every field error of the form (what refuses submission).
    pub fn errors(&self) -> Vec<(Field, String)> {
        self.steps()
            .into_iter()
            .flat_map(|st| self.step_errors(st))
            .collect()
    }

    /// The next runs of a valid Cron schedule.
    pub fn next_runs(&self) -> Vec<Timestamp> {
        validate_schedule(&self.schedule.text, self.now, 3).unwrap_or_default()
    }

    /// The object this form creates.
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(
            Kind::Operation(self.op_kind()),
            self.namespace.clone(),
            self.name.text.clone(),
        )
    }

    /// The exact manifest the form will create.
    pub fn manifest(&self) -> Value {
        let kind = self.op_kind();
        let mut spec = serde_json::Map::new();
        match kind {
            OpKind::DataProcess => {
                spec.insert(
                    "dataset".into(),
                    json!({"name": self.dataset, "namespace": self.namespace,
                           "mountPath": self.mount_path.text.trim()}),
                );
                spec.insert(
                    "processor".into(),
                    json!({"script": {"image": self.image.text.trim(),
                                      "command": ["bash"],
                                      "source": self.script.text}}),
                );
            }
            _ => {
                spec.insert(
                    "dataset".into(),
                    json!({"name": self.dataset, "namespace": self.namespace}),
                );
                spec.insert("loadMetadata".into(), json!(self.load_metadata));
                let targets: Vec<Value> = self
                    .targets
                    .iter()
                    .map(|t| {
                        json!({"path": t.path.text.trim(),
                               "replicas": t.replicas.text.trim().parse::<u32>().unwrap_or(1)})
                    })
                    .collect();
                if !targets.is_empty() {
                    spec.insert("target".into(), Value::Array(targets));
                }
                let sel = parse_node_selector(&self.node_selector.text).unwrap_or_default();
                if !sel.is_empty() {
                    let m: serde_json::Map<String, Value> = sel
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect();
                    spec.insert("nodeSelector".into(), Value::Object(m));
                }
                let tol = parse_tolerations(&self.tolerations.text).unwrap_or_default();
                if !tol.is_empty() {
                    let v: Vec<Value> = tol
                        .into_iter()
                        .map(|t| match t.value {
                            Some(v) => json!({"key": t.key, "operator": "Equal",
                                              "value": v, "effect": t.effect}),
                            None => json!({"key": t.key, "operator": "Exists",
                                           "effect": t.effect}),
                        })
                        .collect();
                    spec.insert("tolerations".into(), Value::Array(v));
                }
            }
        }
        spec.insert("policy".into(), json!(self.policy.as_str()));
        if self.policy == Policy::Cron {
            spec.insert("schedule".into(), json!(self.schedule.text.trim()));
        }
        if self.policy == Policy::Once
            && let Ok(ttl) = self.ttl.text.trim().parse::<u32>()
        {
            spec.insert("ttlSecondsAfterFinished".into(), json!(ttl));
        }
        json!({
            "apiVersion": crate::model::FLUID_API_VERSION,
            "kind": kind.as_str(),
            "metadata": {"name": self.name.text, "namespace": self.namespace},
            "spec": Value::Object(spec),
        })
    }

    /// The manifest as YAML lines (what the review step and the confirmation show).
    pub fn manifest_lines(&self) -> Vec<String> {
        super::yaml::to_yaml(&self.manifest())
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut Input> {
        Some(match field {
            Field::Name => &mut self.name,
            Field::Path(i) => &mut self.targets.get_mut(i)?.path,
            Field::Replicas(i) => &mut self.targets.get_mut(i)?.replicas,
            Field::MountPath => &mut self.mount_path,
            Field::Image => &mut self.image,
            Field::Script => &mut self.script,
            Field::Schedule => &mut self.schedule,
            Field::Ttl => &mut self.ttl,
            Field::NodeSelector => &mut self.node_selector,
            Field::Tolerations => &mut self.tolerations,
            Field::Kind | Field::LoadMetadata | Field::Policy => return None,
        })
    }

    /// Tab / Shift-Tab: the next or previous field of the step (wrapping).
    pub fn focus_next(&mut self, forward: bool) {
        self.focus = cycle(self.focus, self.fields(self.step).len(), forward);
    }

    /// Enter: the next step if this one has no errors; on the last step, the manifest to
    /// confirm (refused while any field has an error).
    pub fn next_step(&mut self) -> Outcome {
        self.drop_empty_targets();
        if self.step == Step::Review {
            if let Some((field, e)) = self.errors().into_iter().next() {
                self.message = Some(s::fix_first(&e));
                self.go_to(field);
                return Outcome::Stay;
            }
            self.message = None;
            return Outcome::Submit(self.manifest());
        }
        if let Some((field, _)) = self.step_errors(self.step).into_iter().next() {
            self.message = Some(s::FIX_ERRORS.into());
            self.focus = self
                .fields(self.step)
                .iter()
                .position(|f| *f == field)
                .unwrap_or(0);
            return Outcome::Stay;
        }
        self.message = None;
        let steps = self.steps();
        if let Some(next) = steps.get(self.step_index() + 1) {
            self.step = *next;
            self.focus = 0;
            self.scroll = 0;
        }
        Outcome::Stay
    }

    /// Esc: the previous step; on the first step, close.
    pub fn prev_step(&mut self) -> Outcome {
        self.drop_empty_targets();
        let i = self.step_index();
        if i == 0 {
            return Outcome::Close;
        }
        self.step = self.steps()[i - 1];
        self.focus = 0;
        self.message = None;
        Outcome::Stay
    }

    /// Moves to the step and field holding `field`.
    fn go_to(&mut self, field: Field) {
        for st in self.steps() {
            if let Some(i) = self.fields(st).iter().position(|f| *f == field) {
                self.step = st;
                self.focus = i;
                return;
            }
        }
    }

    /// Target rows left with an empty path are removed (clearing a path removes its row).
    fn drop_empty_targets(&mut self) {
        self.targets.retain(|t| !t.path.text.trim().is_empty());
        let n = self.fields(self.step).len();
        self.focus = self.focus.min(n.saturating_sub(1));
    }

    /// A key while the form is on top, with the action the keymap found for it (if any): Tab
    /// and Shift-Tab move the focus, Enter goes on (submitting on the last step), Esc goes back
    /// (closing on the first step), abort closes; an unbound key is typing.
    pub fn on_action(&mut self, action: Option<Action>, key: &KeyEvent) -> Outcome {
        match action {
            Some(a @ (Action::PaneNext | Action::PanePrev)) => {
                self.focus_next(a == Action::PaneNext);
                Outcome::Stay
            }
            Some(Action::WizardNext) => self.next_step(),
            Some(Action::NavBack) => self.prev_step(),
            Some(Action::WizardAbort) => Outcome::Close,
            Some(_) => Outcome::Pass,
            None => {
                self.on_key(key);
                Outcome::Stay
            }
        }
    }

    /// A key that is not a form action: typing, choices, suggestions, scrolling.
    pub fn on_key(&mut self, key: &KeyEvent) {
        let Some(field) = self.focused() else {
            // Review: scroll the manifest.
            match key.code {
                KeyCode::Down | KeyCode::Char('j') => self.scroll += 1,
                KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
                KeyCode::PageDown => self.scroll += 10,
                KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
                KeyCode::Home => self.scroll = 0,
                _ => {}
            }
            let max = self.manifest_lines().len().saturating_sub(1);
            self.scroll = self.scroll.min(max);
            return;
        };
        let forward = matches!(
            key.code,
            KeyCode::Right | KeyCode::Down | KeyCode::Char(' ')
        );
        let backward = matches!(key.code, KeyCode::Left | KeyCode::Up);
        match field {
            Field::Kind if forward || backward => {
                self.kind = cycle(self.kind, self.kinds.len(), forward);
                if !self.name_edited {
                    let n = default_name(&self.dataset, self.op_kind(), self.now, &self.taken);
                    self.name.set(n);
                }
            }
            Field::LoadMetadata if forward || backward => self.load_metadata = !self.load_metadata,
            Field::Policy if forward || backward => {
                let i = Policy::ALL
                    .iter()
                    .position(|p| *p == self.policy)
                    .unwrap_or(0);
                self.policy = Policy::ALL[cycle(i, Policy::ALL.len(), forward)];
            }
            Field::Path(i) if matches!(key.code, KeyCode::Up | KeyCode::Down) => {
                // Offer the dataset's cache paths in turn.
                if self.cache_paths.is_empty() {
                    return;
                }
                let cur = self
                    .targets
                    .get(i)
                    .map(|t| t.path.text.clone())
                    .unwrap_or_default();
                let n = self.cache_paths.len();
                let next = match self.cache_paths.iter().position(|p| *p == cur) {
                    Some(j) => cycle(j, n, key.code == KeyCode::Down),
                    None => 0,
                };
                let path = self.cache_paths[next].clone();
                if i == self.targets.len() {
                    self.targets.push(TargetRow::new(&path));
                } else {
                    self.targets[i].path.set(path);
                }
            }
            Field::Path(i) if key.code == KeyCode::Delete && i < self.targets.len() => {
                if self.targets[i].path.cursor >= self.targets[i].path.text.chars().count() {
                    // Delete at the end of a path removes the row.
                    self.targets.remove(i);
                } else {
                    self.targets[i].path.edit(key);
                }
            }
            Field::Path(i) if i == self.targets.len() => {
                // Typing into the empty last row adds a target.
                let mut row = TargetRow::new("");
                if row.path.edit(key) {
                    self.targets.push(row);
                }
            }
            Field::Replicas(i) if matches!(key.code, KeyCode::Up | KeyCode::Down) => {
                if let Some(t) = self.targets.get_mut(i) {
                    let n: u32 = t.replicas.text.trim().parse().unwrap_or(1);
                    let n = if key.code == KeyCode::Up {
                        n.saturating_add(1)
                    } else {
                        n.saturating_sub(1).max(1)
                    };
                    t.replicas.set(n.to_string());
                }
            }
            _ => {
                let changed = self.input_mut(field).is_some_and(|i| i.edit(key));
                if changed && field == Field::Name {
                    self.name_edited = true;
                }
            }
        }
        if self.message.as_deref() == Some(s::FIX_ERRORS) {
            self.message = None;
        }
        // The field list may have changed (policy, rows): keep focus on the same field.
        let n = self.fields(self.step).len();
        self.focus = self.focus.min(n.saturating_sub(1));
    }

    /// Text pasted while the form is on top: into the focused text field, as one line
    /// (a paste never moves on or submits). Into the empty last target row, it adds a target.
    pub fn paste(&mut self, text: &str) {
        let Some(field) = self.focused() else {
            return;
        };
        let changed = match field {
            Field::Path(i) if i == self.targets.len() => {
                let mut row = TargetRow::new("");
                let added = row.path.paste(text);
                if added {
                    self.targets.push(row);
                }
                added
            }
            _ => self.input_mut(field).is_some_and(|i| i.paste(text)),
        };
        if changed && field == Field::Name {
            self.name_edited = true;
        }
        if changed && self.message.as_deref() == Some(s::FIX_ERRORS) {
            self.message = None;
        }
    }

    /// Reopens the form after a failed write, with the error shown.
    pub fn failed(&mut self, error: &str) {
        self.step = Step::Review;
        self.focus = 0;
        self.message = Some(error.to_string());
    }
}

/// The object a freshly created operation is: for jumping to it.
pub fn created_key(obj: &Object) -> Option<ObjectKey> {
    matches!(obj, Object::Operation(_)).then(|| obj.key())
}
