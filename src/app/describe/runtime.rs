//! CacheRuntime: summary with the derived overall phase, components, pods, operations on its
//! dataset, conditions, events (its own and its pods'), timeline.

use jiff::Timestamp;

use super::strings as s;
use super::{
    Cell, DetailLine, Section, Target, at, cache_states_cells, conditions_section, events_section,
    field, list_field, one_line, operations_section, phase_cell, pod_status_cell, section,
    text_field, timeline_section,
};
use crate::app::format::{age, or_dash};
use crate::cluster::{Store, Subject};
use crate::model::health::{OperationFlag, component_enabled, failing_reason, overall_phase};
use crate::model::meta::created;
use crate::model::runtime::IDLE_PHASE;
use crate::model::{CacheRuntime, CacheRuntimeClass, Component, Kind, ObjectKey, Pod, pod};

/// Annotation with which a running maintenance locks its runtime.
pub(super) const MAINTENANCE_ANNOTATION: &str = "fluidops.io/maintenance";

pub(super) fn sections(
    store: &Store,
    key: &ObjectKey,
    rt: &CacheRuntime,
    now: Timestamp,
) -> Vec<Section> {
    let class = store.class_of(rt);
    let pods = sorted_pods(store, key);
    let mut sources = vec![(key.clone(), String::new())];
    sources.extend(pods.iter().map(|p| {
        let name = p.metadata.name.clone().unwrap_or_default();
        (
            ObjectKey::new(Kind::Pod, key.namespace.clone(), name.clone()),
            short_pod_name(&key.name, &name).to_string(),
        )
    }));
    vec![
        summary(store, key, rt, class, now),
        components(store, key, rt, class),
        pods_section(store, key, &pods),
        operations_section(store, &key.namespace, &key.name),
        conditions_section(
            rt.status
                .as_ref()
                .map(|s| s.conditions.as_slice())
                .unwrap_or_default(),
            now,
        ),
        events_section(store, &sources, now, 12),
        timeline_section(store, Subject::Object(key.clone()), now, 4),
    ]
}

fn summary(
    store: &Store,
    key: &ObjectKey,
    rt: &CacheRuntime,
    class: Option<&CacheRuntimeClass>,
    now: Timestamp,
) -> Section {
    let mut lines = vec![text_field(s::NAMESPACE, key.namespace.clone())];
    let class_name = &rt.spec.runtime_class_name;
    lines.push(match class {
        Some(c) => field(
            s::CLASS,
            vec![
                Cell::text(class_name.clone()),
                Cell::text(s::class_line(&c.file_system_type)),
            ],
        )
        .to(Target::Object(ObjectKey::new(
            Kind::CacheRuntimeClass,
            "",
            class_name.clone(),
        ))),
        None => field(
            s::CLASS,
            vec![
                Cell::text(or_dash(Some(class_name))),
                Cell::phase("Unknown", s::class_missing(class_name)),
            ],
        ),
    });
    let derived = overall_phase(rt, class);
    let mut phase = vec![Cell::phase(derived.phase.as_str(), derived.phase.as_str())];
    if derived.client_warning {
        phase.push(Cell::phase("PartialReady", s::CLIENT_WARNING));
    }
    if let Some(why) = failing_reason(rt, store.events_for(key), now) {
        phase.push(Cell::phase("Failed", s::runtime_failing(&one_line(&why))));
    }
    lines.push(field(s::PHASE, phase));
    if let Some(why) = crate::app::triage::runtime_why(store, rt) {
        lines.push(text_field(s::WHY, why));
    }
    if let Some(c) = class
        && !c.has_component(Component::Master)
        && !rt.disabled(Component::Master)
    {
        let flag = OperationFlag::MasterNotDisabled;
        lines.push(field(
            s::WARNING,
            vec![
                Cell::phase(flag.label(), flag.label()),
                Cell::text(flag.message()),
            ],
        ));
    }
    if let Some(m) = rt
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(MAINTENANCE_ANNOTATION))
    {
        let mkey = ObjectKey::new(Kind::CacheRuntimeMaintenance, key.namespace.clone(), m);
        let line = match store.get(&mkey) {
            Some(crate::model::Object::Maintenance(mt)) => field(
                s::MAINTENANCE,
                vec![Cell::text(m.clone()), phase_cell(mt.phase().as_str())],
            )
            .to(Target::Object(mkey)),
            _ => field(
                s::MAINTENANCE,
                vec![Cell::text(m.clone()), Cell::phase("Unknown", s::NOT_FOUND)],
            ),
        };
        lines.push(line);
    }
    let ds = store.dataset(&key.namespace, &key.name);
    lines.push(match ds {
        Some(d) => {
            let bound = d
                .status
                .as_ref()
                .is_some_and(|st| st.runtimes.iter().any(|r| r.name == key.name));
            let mut cells = vec![Cell::text(key.name.clone()), phase_cell(d.phase().as_str())];
            if !bound {
                cells.push(Cell::phase("NotBound", s::NOT_BOUND));
            }
            field(s::DATASET, cells).to(Target::Object(ObjectKey::new(
                Kind::Dataset,
                key.namespace.clone(),
                key.name.clone(),
            )))
        }
        None => field(
            s::DATASET,
            vec![
                Cell::text(key.name.clone()),
                Cell::phase("NotBound", s::NOT_FOUND),
            ],
        ),
    });
    if let Some(cells) = cache_states_cells(ds) {
        lines.push(field(s::CACHE, cells));
    }
    let tiers = tiered_store(rt);
    lines.extend(list_field(
        s::TIERED_STORE,
        tiers
            .into_iter()
            .map(|t| (vec![Cell::text(t)], None))
            .collect(),
    ));
    let st = rt.status.as_ref();
    lines.push(text_field(
        s::SETUP,
        or_dash(st.and_then(|s| s.setup_duration.as_deref())),
    ));
    let mount_time = st.and_then(|s| s.mount_time.as_deref());
    let workers_only = class.is_some_and(|c| !c.has_component(Component::Master));
    lines.push(text_field(
        s::MOUNTED,
        match mount_time {
            None if workers_only => s::NEVER_MOUNTED_WORKERS_ONLY.to_string(),
            other => at(other, now),
        },
    ));
    lines.push(text_field(
        s::VALUE_FILE,
        or_dash(st.and_then(|s| s.value_file.as_deref())),
    ));
    lines.push(text_field(s::AGE, age(created(&rt.metadata), now)));
    section(s::SUMMARY, lines)
}

/// Engine image of a component: the runtime's `runtimeVersion`, else the class template's
/// container[0].
pub(super) fn component_image(
    rt: &CacheRuntime,
    class: Option<&CacheRuntimeClass>,
    c: Component,
) -> Option<String> {
    rt.component_spec(c)
        .and_then(|s| s.runtime_version.as_ref())
        .and_then(|v| v.reference())
        .or_else(|| {
            class
                .and_then(|k| k.component(c))
                .and_then(|d| d.engine_image())
                .map(str::to_string)
        })
}

fn components(
    store: &Store,
    key: &ObjectKey,
    rt: &CacheRuntime,
    class: Option<&CacheRuntimeClass>,
) -> Section {
    let lines = Component::ALL
        .into_iter()
        .map(|c| {
            let in_class = class.map(|k| k.has_component(c));
            let disabled = rt.disabled(c);
            let enabled = component_enabled(rt, class, c);
            let st = rt.component_status(c);
            let phase = st.map(|s| s.phase.as_str()).unwrap_or("");
            let mut notes: Vec<&str> = Vec::new();
            if in_class == Some(false) {
                notes.push(s::NOT_IN_CLASS);
            }
            if disabled {
                notes.push(s::DISABLED);
            }
            let image = if in_class == Some(false) {
                None
            } else {
                component_image(rt, class, c)
            };
            let shown = super::phase_name(phase);
            let mut cells = vec![Cell::text(c.as_str())];
            match st.filter(|_| enabled) {
                Some(_) if rt.component_idle(c) => {
                    cells.push(Cell::phase(IDLE_PHASE, crate::app::strings::IDLE));
                    cells.push(Cell::text(or_dash(image.as_deref())));
                    cells.push(Cell::text("-"));
                    notes.push(s::CLIENT_IDLE);
                }
                Some(st) => {
                    cells.push(Cell::phase(
                        shown,
                        s::phase_ready(shown, st.ready(), st.desired()),
                    ));
                    cells.push(Cell::text(or_dash(image.as_deref())));
                    cells.push(Cell::text(s::replica_counts(
                        st.current_replicas.unwrap_or(0),
                        st.available_replicas.unwrap_or(0),
                        st.unavailable_replicas.unwrap_or(0),
                    )));
                    if phase.is_empty() {
                        notes.push(s::NOT_SET_UP);
                    }
                }
                None => {
                    cells.push(phase_cell(phase));
                    cells.push(Cell::text(or_dash(image.as_deref())));
                    cells.push(Cell::text("-"));
                    if enabled {
                        notes.push(s::NOT_SET_UP);
                    }
                }
            }
            let mut note = notes.join(s::SEP);
            if let Some(st) = st {
                for extra in [st.reason.as_deref(), st.message.as_deref()]
                    .into_iter()
                    .flatten()
                    .filter(|x| !x.is_empty())
                {
                    if !note.is_empty() {
                        note.push_str(s::SEP);
                    }
                    note.push_str(extra);
                }
            }
            if enabled && let Some(why) = crate::app::triage::component_why(store, rt, c) {
                if !note.is_empty() {
                    note.push_str(s::SEP);
                }
                note.push_str(&why);
            }
            cells.push(Cell::text(note));
            DetailLine::cells(cells).to(Target::Timeline(Subject::Component(key.clone(), c)))
        })
        .collect();
    section(s::COMPONENTS, lines)
}

/// The runtime's cache pods, master, worker, client, then by name.
fn sorted_pods<'a>(store: &'a Store, key: &ObjectKey) -> Vec<&'a Pod> {
    let mut pods = store.pods_of_runtime(&key.namespace, &key.name);
    pods.sort_by_key(|p| {
        (
            pod::component_of(p).map_or(3, |c| c as usize),
            p.metadata.name.clone().unwrap_or_default(),
        )
    });
    pods
}

/// `worker-0` for `<rt>-worker-0`: the runtime page names its pods without the prefix.
fn short_pod_name<'a>(runtime: &str, name: &'a str) -> &'a str {
    name.strip_prefix(runtime)
        .and_then(|r| r.strip_prefix('-'))
        .filter(|r| !r.is_empty())
        .unwrap_or(name)
}

fn pods_section(store: &Store, key: &ObjectKey, pods: &[&Pod]) -> Section {
    let lines = pods
        .iter()
        .map(|p| {
            let name = p.metadata.name.clone().unwrap_or_default();
            let (r, t) = pod::ready_containers(p);
            DetailLine::cells(vec![
                Cell::text(short_pod_name(&key.name, &name)),
                pod_status_cell(store, p),
                Cell::text(format!("{r}/{t}")),
                Cell::text(s::restarts(pod::restarts(p))),
                Cell::text(or_dash(pod::node_of(p))),
                Cell::text(or_dash(pod::engine_version(p))),
            ])
            .to(Target::Object(ObjectKey::new(
                Kind::Pod,
                key.namespace.clone(),
                name,
            )))
        })
        .collect();
    section(s::PODS, lines)
}

/// One line per tiered-store level of the worker (and client, if it has one).
fn tiered_store(rt: &CacheRuntime) -> Vec<String> {
    let mut out = Vec::new();
    for c in [Component::Worker, Component::Client] {
        let tiered = rt
            .component_spec(c)
            .and_then(|s| s.extra.get("tieredStore"));
        let Some(levels) = tiered
            .as_ref()
            .and_then(|t| t.get("levels"))
            .and_then(|l| l.as_array())
        else {
            continue;
        };
        for (i, level) in levels.iter().enumerate() {
            let str_of = |v: Option<&serde_json::Value>| {
                v.and_then(|x| x.as_str()).unwrap_or("").to_string()
            };
            let (medium, quota, where_, kind) = if let Some(m) = level.get("processMemory") {
                (
                    "processMemory",
                    str_of(m.get("quota")),
                    String::new(),
                    "MEM",
                )
            } else if let Some(e) = level.get("emptyDir") {
                let mem = e.get("medium").and_then(|m| m.as_str()) == Some("Memory");
                (
                    "emptyDir",
                    str_of(e.get("quota")),
                    String::new(),
                    if mem { "MEM" } else { "HDD" },
                )
            } else if let Some(h) = level.get("hostPath") {
                let list = |k: &str| {
                    h.get(k)
                        .and_then(|v| v.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str())
                                .collect::<Vec<_>>()
                                .join(",")
                        })
                        .unwrap_or_default()
                };
                ("hostPath", list("quotas"), list("paths"), "HDD")
            } else {
                ("?", String::new(), String::new(), "?")
            };
            let mut line = s::tier(i, medium, &quota, &where_, kind);
            let (low, high) = (str_of(level.get("low")), str_of(level.get("high")));
            if !low.is_empty() || !high.is_empty() {
                line.push_str(&format!(
                    "{}{}",
                    s::SEP,
                    s::watermarks(or_dash(Some(&low)).as_str(), or_dash(Some(&high)).as_str())
                ));
            }
            if c != Component::Worker {
                line = format!("{c}: {line}");
            }
            out.push(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_names_lose_the_runtime_prefix() {
        assert_eq!(short_pod_name("qwen", "qwen-worker-2"), "worker-2");
        assert_eq!(short_pod_name("qwen", "other-pod"), "other-pod");
        assert_eq!(short_pod_name("qwen", "qwen-"), "qwen-");
    }
}
