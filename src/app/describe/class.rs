//! CacheRuntimeClass: file system type, runtimes using it; topology per component, execution
//! entries with effective timeouts, data operations (declared or not, and what that means on a
//! CacheRuntime), extra ConfigMaps.

use jiff::Timestamp;

use super::strings as s;
use super::{
    Cell, DetailLine, Section, Target, field, list_field, one_line, pairs, section, text_field,
};
use crate::app::format::{age, or_dash};
use crate::cluster::Store;
use crate::model::class::{ComponentDefinition, ExecutionEntry};
use crate::model::health::overall_phase;
use crate::model::meta::created;
use crate::model::{CacheRuntimeClass, Component, Kind, ObjectKey, OpKind};

pub(super) fn sections(store: &Store, c: &CacheRuntimeClass, now: Timestamp) -> Vec<Section> {
    vec![
        summary(store, c, now),
        topology(c),
        entries(c),
        operations(c),
        extra_resources(c),
    ]
}

fn summary(store: &Store, c: &CacheRuntimeClass, now: Timestamp) -> Section {
    let name = c.metadata.name.as_deref().unwrap_or("");
    let mut lines = vec![text_field(
        s::FILE_SYSTEM,
        or_dash(Some(&c.file_system_type)),
    )];
    let comps: Vec<&str> = Component::ALL
        .into_iter()
        .filter(|&k| c.has_component(k))
        .map(Component::as_str)
        .collect();
    let mut comp_cells = vec![Cell::text(or_dash(Some(&comps.join(", "))))];
    if !c.has_component(Component::Master) {
        comp_cells.push(Cell::text(s::WORKERS_ONLY));
    }
    lines.push(field(s::TOPOLOGY_LABEL, comp_cells));
    let declared: Vec<&str> = c.declared_operations().collect();
    lines.push(text_field(
        s::DECLARED_OPS,
        or_dash(Some(&declared.join(", "))),
    ));
    let runtimes: Vec<_> = store
        .runtimes()
        .filter(|r| r.spec.runtime_class_name == name)
        .map(|r| {
            let ns = r.metadata.namespace.clone().unwrap_or_default();
            let rn = r.metadata.name.clone().unwrap_or_default();
            let p = overall_phase(r, Some(c)).phase.as_str();
            (
                vec![Cell::text(format!("{ns}/{rn}")), Cell::phase(p, p)],
                Some(Target::Object(ObjectKey::new(Kind::CacheRuntime, ns, rn))),
            )
        })
        .collect();
    if runtimes.is_empty() {
        lines.push(text_field(s::RUNTIMES, s::NONE));
    }
    lines.extend(list_field(s::RUNTIMES, runtimes));
    lines.push(text_field(s::AGE, age(created(&c.metadata), now)));
    section(s::SUMMARY, lines)
}

/// `name image` of each container in a template list (`containers`, `initContainers`).
fn containers(def: &ComponentDefinition, list: &str) -> Vec<(String, String)> {
    def.template
        .as_ref()
        .and_then(|t| t.pointer(&format!("/spec/{list}")))
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .map(|c| {
                    let get = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("-");
                    (get("name").to_string(), get("image").to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// ConfigMaps a component mounts from `dependencies.extraResources.configMaps`.
fn mounted_config_maps(def: &ComponentDefinition) -> Vec<(String, String)> {
    def.extra
        .get("dependencies")
        .as_ref()
        .and_then(|d| d.pointer("/extraResources/configMaps"))
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .map(|m| {
                    let get = |k: &str| m.get(k).and_then(|v| v.as_str()).unwrap_or("-");
                    (get("name").to_string(), get("mountPath").to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `dependencies.secretMount.enabled`; default on for master/worker, off for the client.
fn secret_mount(def: &ComponentDefinition, c: Component) -> (bool, bool) {
    match def
        .extra
        .get("dependencies")
        .as_ref()
        .and_then(|d| d.pointer("/secretMount/enabled"))
        .and_then(|v| v.as_bool())
    {
        Some(b) => (b, false),
        None => (c != Component::Client, true),
    }
}

fn topology(c: &CacheRuntimeClass) -> Section {
    let mut lines = Vec::new();
    for k in Component::ALL {
        let Some(def) = c.component(k) else {
            lines.push(DetailLine::cells(vec![
                Cell::text(k.as_str()),
                Cell::phase("None", s::NONE),
                Cell::text(s::NOT_IN_CLASS),
            ]));
            continue;
        };
        let mut rows: Vec<(&str, String)> = Vec::new();
        let main = containers(def, "containers");
        match main.first() {
            Some((n, img)) => rows.push((s::ENGINE, format!("{img} ({n})"))),
            None => rows.push((s::ENGINE, "-".into())),
        }
        for (n, img) in containers(def, "initContainers") {
            rows.push((s::INIT, format!("{img} ({n})")));
        }
        let headless = def
            .service
            .as_ref()
            .is_some_and(|v| v.get("headless").is_some());
        rows.push((
            "service",
            if headless {
                format!("{} svc-<runtime>-{k}", s::HEADLESS)
            } else {
                s::NO_SERVICE.to_string()
            },
        ));
        let (secrets, default) = secret_mount(def, k);
        let mut sec = if secrets {
            s::SECRETS_ON
        } else {
            s::SECRETS_OFF
        }
        .to_string();
        if default {
            sec.push_str(" (default)");
        }
        rows.push(("secretMount", sec));
        for (name, path) in mounted_config_maps(def) {
            rows.push((s::CONFIG_MAP, format!("{name} {} {path}", s::ARROW)));
        }
        if !def.options.is_empty() {
            rows.push((s::OPTIONS, pairs(&def.options)));
        }
        for (i, (what, value)) in rows.into_iter().enumerate() {
            let first = if i == 0 { k.as_str() } else { "" };
            lines.push(DetailLine::cells(vec![
                Cell::text(first),
                Cell::text(what),
                Cell::text(value),
            ]));
        }
    }
    section(s::TOPOLOGY, lines)
}

fn entries(c: &CacheRuntimeClass) -> Section {
    let has_master = c.has_component(Component::Master);
    let mut lines = Vec::new();
    for k in Component::ALL {
        let Some(e) = c.component(k).and_then(|d| d.execution_entries.as_ref()) else {
            continue;
        };
        let list: [(&str, Option<&ExecutionEntry>); 2] = [
            ("mountUFS", e.mount_ufs.as_ref()),
            ("reportSummary", e.report_summary.as_ref()),
        ];
        for (name, entry) in list {
            let Some(entry) = entry else { continue };
            let runner = if has_master {
                Component::Master
            } else {
                Component::Worker
            };
            let container = c
                .component(runner)
                .and_then(|d| containers(d, "containers").into_iter().next())
                .map(|(n, _)| n)
                .unwrap_or_else(|| "-".into());
            let mut cells = vec![
                Cell::text(k.as_str()),
                Cell::text(name),
                Cell::text(s::timeout(entry.timeout, entry.effective_timeout())),
                Cell::text(one_line(&entry.command.join(" "))),
            ];
            if name == "mountUFS" && !has_master {
                cells.push(Cell::phase("Unsupported", s::NEVER_MOUNTED_WORKERS_ONLY));
            } else {
                cells.push(Cell::text(s::runs_in(
                    &format!("<runtime>-{runner}-0"),
                    &container,
                )));
            }
            lines.push(DetailLine::cells(cells));
        }
    }
    section(s::EXECUTION_ENTRIES, lines)
}

fn operations(c: &CacheRuntimeClass) -> Section {
    let lines = OpKind::ALL
        .into_iter()
        .map(|kind| {
            let spec = c
                .data_operation_specs
                .iter()
                .find(|d| d.name == kind.as_str());
            let mut cells = vec![Cell::text(kind.as_str())];
            match (spec, kind) {
                (_, OpKind::DataMigrate | OpKind::DataBackup) => {
                    cells.push(Cell::phase("Unsupported", "unsupported"));
                    cells.push(Cell::text(s::NOT_SUPPORTED_CACHE));
                }
                (Some(d), _) => {
                    cells.push(Cell::phase("Ready", "declared"));
                    let image = d.image.clone().unwrap_or_else(|| s::WORKER_IMAGE.into());
                    let cmd = d.command.iter().chain(d.args.iter()).cloned();
                    cells.push(Cell::text(one_line(&format!(
                        "{image} {}",
                        cmd.collect::<Vec<_>>().join(" ")
                    ))));
                }
                (None, OpKind::DataProcess) => {
                    cells.push(Cell::phase("Ready", "available"));
                    cells.push(Cell::text(s::ENGINE_INDEPENDENT));
                }
                (None, _) => {
                    cells.push(Cell::phase("Unsupported", "not declared"));
                    cells.push(Cell::text(s::NOT_DECLARED));
                }
            }
            DetailLine::cells(cells)
        })
        .collect();
    section(s::DATA_OPERATIONS, lines)
}

fn extra_resources(c: &CacheRuntimeClass) -> Section {
    let lines = c
        .extra_resources
        .iter()
        .flat_map(|r| r.config_maps.iter())
        .map(|cm| {
            let users: Vec<(&str, String)> = Component::ALL
                .into_iter()
                .filter_map(|k| {
                    let def = c.component(k)?;
                    let path = mounted_config_maps(def)
                        .into_iter()
                        .find(|(n, _)| *n == cm.name)?
                        .1;
                    Some((k.as_str(), path))
                })
                .collect();
            let mounted = if users.is_empty() {
                s::not_mounted()
            } else {
                let names = users.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ");
                let mut paths: Vec<&str> = users.iter().map(|(_, p)| p.as_str()).collect();
                paths.dedup();
                s::mounted_by(&names, &paths.join(", "))
            };
            let keys = cm.data.keys().cloned().collect::<Vec<_>>().join(", ");
            DetailLine::cells(vec![
                Cell::text(cm.name.clone()),
                Cell::text(s::keys(or_dash(Some(&keys)).as_str())),
                Cell::text(mounted),
            ])
        })
        .collect();
    section(s::EXTRA_RESOURCES, lines)
}
