//! DataLoad, DataProcess, DataMigrate, DataBackup: target dataset and runtime, phase with the
//! console's flag (blocked, unsupported) stated first, policy and Cron times, runAfter chain,
//! kind-specific spec; conditions, loader pods, events.

use jiff::Timestamp;

use super::strings as s;
use super::{
    Cell, DetailLine, Section, Target, at, conditions_section, events_section, field, flag_of,
    list_field, one_line, op_key, operation_phase_cell, pairs, phase_cell, pod_status_cell,
    policy_text, secs_text, section, text_field, timeline_section, yes_no,
};
use crate::app::format::{age, or_dash};
use crate::cluster::{Store, Subject};
use crate::model::health::overall_phase;
use crate::model::meta::{JsonText, created};
use crate::model::{DataOperation, Kind, ObjectKey, OpKind, Policy, pod};

pub(super) fn sections(
    store: &Store,
    key: &ObjectKey,
    op: &DataOperation,
    now: Timestamp,
) -> Vec<Section> {
    let conds = op
        .status
        .as_ref()
        .map(|s| s.conditions.as_slice())
        .unwrap_or_default();
    vec![
        summary(store, key, op, now),
        conditions_section(conds, now),
        pods_section(store, key, now),
        events_section(store, &[(key.clone(), String::new())], now, 12),
        timeline_section(store, Subject::Object(key.clone()), now, 4),
    ]
}

fn summary(store: &Store, key: &ObjectKey, op: &DataOperation, now: Timestamp) -> Section {
    let mut lines = Vec::new();
    let flag = flag_of(store, op);
    // The console's verdict comes first: it is why the operator opened this page.
    if let Some(f) = &flag {
        lines.push(field(
            s::WARNING,
            vec![Cell::phase(f.label(), f.label()), Cell::text(f.message())],
        ));
    }
    lines.push(text_field(s::NAMESPACE, key.namespace.clone()));
    lines.push(text_field(s::KIND, op.op_kind().as_str()));
    let target = op.target_dataset();
    if let Some((ns, name)) = &target {
        let dkey = ObjectKey::new(Kind::Dataset, ns.clone(), name.clone());
        lines.push(match store.dataset(ns, name) {
            Some(d) => field(
                s::DATASET,
                vec![Cell::text(name.clone()), phase_cell(d.phase().as_str())],
            )
            .to(Target::Object(dkey)),
            None => field(
                s::DATASET,
                vec![
                    Cell::text(name.clone()),
                    Cell::phase("Unknown", s::NOT_FOUND),
                ],
            ),
        });
        if let Some(rt) = store.runtime(ns, name) {
            let p = overall_phase(rt, store.class_of(rt)).phase.as_str();
            lines.push(
                field(
                    s::RUNTIME,
                    vec![
                        Cell::text(name.clone()),
                        Cell::phase(p, p),
                        Cell::text(rt.spec.runtime_class_name.clone()),
                    ],
                )
                .to(Target::Object(ObjectKey::new(
                    Kind::CacheRuntime,
                    ns.clone(),
                    name.clone(),
                ))),
            );
        }
    } else {
        lines.push(text_field(s::DATASET, "-"));
    }
    lines.push(field(
        s::PHASE,
        vec![operation_phase_cell(op, flag.as_ref())],
    ));
    if let Some(c) = op.failing_condition() {
        let why = [c.reason.as_deref(), c.message.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
        lines.push(field(s::FAILURE, vec![Cell::phase("Failed", why)]));
    }
    let st = op.status.as_ref();
    lines.push(text_field(s::DURATION, or_dash(Some(op.shown_duration()))));
    lines.push(text_field(s::POLICY, policy_text(op)));
    if op.policy() == Policy::Cron {
        lines.push(text_field(
            s::SCHEDULE,
            or_dash(op.spec.schedule.as_deref()),
        ));
        lines.push(text_field(
            s::LAST_SCHEDULED,
            at(st.and_then(|s| s.last_schedule_time.as_deref()), now),
        ));
        lines.push(text_field(
            s::LAST_SUCCESS,
            at(st.and_then(|s| s.last_successful_time.as_deref()), now),
        ));
        // Cron schedules are evaluated in UTC, like a controller manager running in UTC.
        let next = op
            .spec
            .schedule
            .as_deref()
            .and_then(|sch| crate::model::cron::next_after(sch, now));
        lines.push(text_field(
            s::NEXT_RUN,
            match next {
                Some(t) => super::at_ts(t, now),
                None => s::NO_NEXT_RUN.to_string(),
            },
        ));
    }
    if let Some(ra) = &op.spec.run_after {
        let label = s::op_ref(&ra.kind, &ra.name);
        lines.push(match store.predecessor(op) {
            Some(pred) => {
                let pflag = flag_of(store, pred);
                let mut cells = vec![
                    Cell::text(label),
                    operation_phase_cell(pred, pflag.as_ref()),
                ];
                if op.waiting_for_predecessor() {
                    cells.push(Cell::text(s::WAITING_FOR_PREDECESSOR));
                }
                field(s::RUN_AFTER, cells).to(Target::Object(op_key(pred)))
            }
            None => field(
                s::RUN_AFTER,
                vec![
                    Cell::text(label),
                    Cell::phase("Unknown", s::UNKNOWN_PREDECESSOR),
                ],
            ),
        });
    }
    let successors: Vec<_> = store
        .operations()
        .filter(|o| store.predecessor(o).is_some_and(|p| op_key(p) == *key))
        .map(|o| {
            let f = flag_of(store, o);
            (
                vec![
                    Cell::text(s::op_ref(
                        o.op_kind().as_str(),
                        o.metadata.name.as_deref().unwrap_or(""),
                    )),
                    operation_phase_cell(o, f.as_ref()),
                ],
                Some(Target::Object(op_key(o))),
            )
        })
        .collect();
    lines.extend(list_field(s::FOLLOWED_BY, successors));
    if let Some(ttl) = op.spec.ttl_seconds_after_finished {
        let text = if op.policy() == Policy::Once {
            s::ttl(ttl, &secs_text(ttl))
        } else {
            format!(
                "{}{}{}",
                s::ttl(ttl, &secs_text(ttl)),
                s::SEP,
                s::EXPIRES_NEVER_CRON
            )
        };
        lines.push(text_field(s::TTL, text));
    }
    lines.extend(kind_specific(op));
    if let Some(infos) = st.and_then(|s| s.infos.as_ref()).filter(|i| !i.is_empty()) {
        lines.push(text_field(s::INFOS, pairs(infos.iter())));
    }
    lines.push(text_field(s::AGE, age(created(&op.metadata), now)));
    section(s::SUMMARY, lines)
}

fn kind_specific(op: &DataOperation) -> Vec<DetailLine> {
    let mut lines = Vec::new();
    match op.op_kind() {
        OpKind::DataLoad => {
            lines.extend(list_field(
                s::TARGETS,
                op.spec
                    .target
                    .iter()
                    .flatten()
                    .map(|t| {
                        (
                            vec![
                                Cell::text(t.path.clone()),
                                Cell::text(s::replicas(t.replicas.unwrap_or(1))),
                            ],
                            None,
                        )
                    })
                    .collect(),
            ));
            lines.push(text_field(
                s::LOAD_METADATA,
                yes_no(op.spec.load_metadata.unwrap_or(false)),
            ));
        }
        OpKind::DataProcess => {
            let mount = op.spec.dataset.as_ref().and_then(|d| d.get("mountPath"));
            let mount = mount.as_ref().and_then(|v| v.as_str());
            lines.push(text_field(s::MOUNT_PATH, or_dash(mount)));
            let processor = op.spec.extra.get("processor");
            let script = processor.as_ref().and_then(|p| p.get("script"));
            let job = processor.as_ref().and_then(|p| p.get("job"));
            let text = match (script, job) {
                (Some(sc), _) => {
                    let img = sc.get("image").and_then(|v| v.as_str()).unwrap_or("");
                    let tag = sc.get("imageTag").and_then(|v| v.as_str()).unwrap_or("");
                    let cmd = sc
                        .get("command")
                        .and_then(|v| v.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str())
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .unwrap_or_default();
                    let image = if tag.is_empty() {
                        img.to_string()
                    } else {
                        format!("{img}:{tag}")
                    };
                    one_line(&format!("script {image} {cmd}"))
                }
                (None, Some(_)) => "job".to_string(),
                (None, None) => "-".to_string(),
            };
            lines.push(text_field(s::PROCESSOR, text));
        }
        OpKind::DataMigrate => {
            lines.push(text_field(
                s::FROM,
                migrate_side(op.spec.from.as_ref().map(JsonText::value).as_ref()),
            ));
            lines.push(text_field(
                s::TO,
                migrate_side(op.spec.to.as_ref().map(JsonText::value).as_ref()),
            ));
        }
        OpKind::DataBackup => {
            lines.push(text_field(
                s::BACKUP_PATH,
                or_dash(op.spec.backup_path.as_deref()),
            ));
        }
    }
    lines
}

/// One side of a DataMigrate: `dataset ns/name:/path` or the external URI.
fn migrate_side(v: Option<&serde_json::Value>) -> String {
    let Some(v) = v else {
        return "-".into();
    };
    let str_at = |x: &serde_json::Value, k: &str| {
        x.get(k).and_then(|s| s.as_str()).unwrap_or("").to_string()
    };
    if let Some(d) = v.get("dataset") {
        let ns = str_at(d, "namespace");
        let name = str_at(d, "name");
        let path = str_at(d, "path");
        let who = if ns.is_empty() {
            name
        } else {
            format!("{ns}/{name}")
        };
        return if path.is_empty() {
            format!("dataset {who}")
        } else {
            format!("dataset {who} {path}")
        };
    }
    if let Some(e) = v.get("externalStorage") {
        return str_at(e, "uri");
    }
    "-".into()
}

/// Pods of the operation's helm release (`<name>-loader`, `<name>-processor`).
fn pods_section(store: &Store, key: &ObjectKey, now: Timestamp) -> Section {
    let releases = [
        format!("{}-loader", key.name),
        format!("{}-processor", key.name),
    ];
    let lines = store
        .pods_in(&key.namespace, |p| {
            p.label(pod::LABEL_RELEASE)
                .is_some_and(|r| releases.iter().any(|x| x == r))
        })
        .map(|p| {
            let name = p.metadata.name.clone().unwrap_or_default();
            let (r, t) = pod::ready_containers(p);
            let short = name
                .strip_prefix(key.name.as_str())
                .and_then(|r| r.strip_prefix('-'))
                .filter(|r| !r.is_empty())
                .unwrap_or(&name)
                .to_string();
            DetailLine::cells(vec![
                Cell::text(short),
                pod_status_cell(store, p),
                Cell::text(format!("{r}/{t}")),
                Cell::text(s::restarts(pod::restarts(p))),
                Cell::text(or_dash(pod::node_of(p))),
                Cell::text(age(
                    p.status
                        .as_ref()
                        .and_then(|s| s.start_time.as_ref())
                        .map(|t| t.0)
                        .or_else(|| created(&p.metadata)),
                    now,
                )),
            ])
            .to(Target::Object(ObjectKey::new(
                Kind::Pod,
                key.namespace.clone(),
                name,
            )))
        })
        .collect();
    section(s::LOADER_PODS, lines)
}
