//! What a source told the console (its [`ClusterEvent`]s) as the JSON entries of a recording,
//! and back. Objects are stored as the first version seen whole and each later version as a
//! merge patch against the one before ([`ObjectVersions`] keeps the last version of each).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::merge_patch;
use crate::cluster::event::{Availability, ClusterEvent, ConnectionState, ListedKeys};
use crate::model::pod::CompactPod;
use crate::model::{Kind, Object, ObjectKey};

/// The last version of every object, as JSON: what patches are made against (recording) and
/// applied to (replaying).
#[derive(Debug, Default, Clone)]
pub struct ObjectVersions {
    pub objects: HashMap<ObjectKey, Value>,
}

fn key_json(k: &ObjectKey) -> Value {
    json!([k.kind.as_str(), k.namespace, k.name])
}

fn key_from(v: &Value) -> Option<ObjectKey> {
    let a = v.as_array()?;
    let kind = Kind::parse(a.first()?.as_str()?)?;
    Some(ObjectKey::new(
        kind,
        a.get(1)?.as_str()?,
        a.get(2)?.as_str()?,
    ))
}

pub fn object_json(o: &Object) -> Value {
    o.to_value()
}

fn pod_json(p: &CompactPod) -> Value {
    Object::from(p.to_pod()).to_value()
}

pub fn availability_json(a: &Availability) -> Value {
    match a {
        Availability::Available => json!("available"),
        Availability::NotInstalled => json!("not-installed"),
        Availability::Forbidden(m) => json!({"forbidden": m}),
        Availability::Failing(m) => json!({"failing": m}),
    }
}

pub fn availability_from(v: &Value) -> Option<Availability> {
    Some(match v {
        Value::String(s) if s == "available" => Availability::Available,
        Value::String(s) if s == "not-installed" => Availability::NotInstalled,
        Value::Object(m) => match m.iter().next()? {
            (k, Value::String(s)) if k == "forbidden" => Availability::Forbidden(s.clone()),
            (k, Value::String(s)) if k == "failing" => Availability::Failing(s.clone()),
            _ => return None,
        },
        _ => return None,
    })
}

pub fn connection_json(c: &ConnectionState) -> Value {
    match c {
        ConnectionState::Connecting => json!("connecting"),
        ConnectionState::Connected => json!("connected"),
        ConnectionState::Resyncing => json!("resyncing"),
        ConnectionState::Lost(m) => json!({"lost": m}),
    }
}

pub fn connection_from(v: &Value) -> Option<ConnectionState> {
    Some(match v {
        Value::String(s) if s == "connecting" => ConnectionState::Connecting,
        Value::String(s) if s == "connected" => ConnectionState::Connected,
        Value::String(s) if s == "resyncing" => ConnectionState::Resyncing,
        Value::Object(m) => ConnectionState::Lost(m.get("lost")?.as_str()?.to_string()),
        _ => return None,
    })
}

impl ObjectVersions {
    /// One object's new version: whole the first time, else a patch (`None`: unchanged).
    fn put(&mut self, value: Value) -> Option<Value> {
        let Some(key) = key_of_json(&value) else {
            return Some(json!({"put": value}));
        };
        let entry = match self.objects.get(&key) {
            Some(old) if !merge_patch::has_null_field(&value) => {
                let d = merge_patch::diff(old, &value)?;
                json!({"patch": key_json(&key), "d": d})
            }
            _ => json!({"put": value.clone()}),
        };
        self.objects.insert(key, value);
        Some(entry)
    }

    /// A list replaces every object of its kind.
    fn replace_kind(&mut self, kind: Kind, values: &[Value]) {
        self.objects.retain(|k, _| k.kind != kind);
        for v in values {
            if let Some(k) = key_of_json(v) {
                self.objects.insert(k, v.clone());
            }
        }
    }

    fn keep_listed(&mut self, kind: Kind, keys: &ListedKeys) {
        let listed: std::collections::HashSet<(&str, &str)> = keys.iter().collect();
        self.objects.retain(|k, _| {
            k.kind != kind || listed.contains(&(k.namespace.as_str(), k.name.as_str()))
        });
    }

    /// The entries of one batch of events (changes the versions kept as it goes).
    pub fn encode(&mut self, events: &[ClusterEvent]) -> Vec<Value> {
        let mut out = Vec::with_capacity(events.len());
        for e in events {
            match e {
                ClusterEvent::Listed { kind, objects } => {
                    let values: Vec<Value> = objects.iter().map(object_json).collect();
                    self.replace_kind(*kind, &values);
                    out.push(json!({"list": kind.as_str(), "objects": values}));
                }
                ClusterEvent::ListedPods(pods) => {
                    let values: Vec<Value> = pods.iter().map(pod_json).collect();
                    self.replace_kind(Kind::Pod, &values);
                    out.push(json!({"list": "Pod", "objects": values}));
                }
                ClusterEvent::ListEnded { kind, keys } => {
                    self.keep_listed(*kind, keys);
                    let keys: Vec<Value> = keys.iter().map(|(ns, n)| json!([ns, n])).collect();
                    out.push(json!({"ended": kind.as_str(), "keys": keys}));
                }
                ClusterEvent::Applied(o) => out.extend(self.put(object_json(o))),
                ClusterEvent::AppliedPod(p) => out.extend(self.put(pod_json(p))),
                ClusterEvent::Deleted(k) => {
                    self.objects.remove(k);
                    out.push(json!({"del": key_json(k)}));
                }
                ClusterEvent::Availability { kind, availability } => out.push(
                    json!({"avail": kind.as_str(), "state": availability_json(availability)}),
                ),
                ClusterEvent::LogLine { pod, line } => {
                    out.push(json!({"log": key_json(pod), "line": line}))
                }
                ClusterEvent::LogReset { pod } => out.push(json!({"logreset": key_json(pod)})),
                // An answer to the operator who asked, not the cluster's state.
                ClusterEvent::LogRefused { .. } => {}
                ClusterEvent::Connection(c) => out.push(json!({"conn": connection_json(c)})),
            }
        }
        out
    }

    /// The events of one batch's entries (changes the versions kept as it goes). Entries this
    /// version cannot read are skipped; `touched` gets the key of every object changed.
    pub fn decode(&mut self, entries: &[Value], touched: &mut Vec<ObjectKey>) -> Vec<ClusterEvent> {
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            if let Some(ev) = self.decode_one(e, touched) {
                out.push(ev);
            }
        }
        out
    }

    fn decode_one(&mut self, e: &Value, touched: &mut Vec<ObjectKey>) -> Option<ClusterEvent> {
        let m = e.as_object()?;
        if let Some(v) = m.get("put") {
            let key = key_of_json(v)?;
            self.objects.insert(key.clone(), v.clone());
            touched.push(key);
            return applied(v.clone());
        }
        if let Some(k) = m.get("patch") {
            let key = key_from(k)?;
            let current = self.objects.entry(key.clone()).or_insert(Value::Null);
            merge_patch::apply(current, m.get("d")?);
            let v = current.clone();
            touched.push(key);
            return applied(v);
        }
        if let Some(k) = m.get("del") {
            let key = key_from(k)?;
            self.objects.remove(&key);
            touched.push(key.clone());
            return Some(ClusterEvent::Deleted(key));
        }
        if let Some(kind) = m.get("list") {
            let kind = Kind::parse(kind.as_str()?)?;
            let values = m.get("objects")?.as_array()?;
            self.replace_kind(kind, values);
            return Some(listed(kind, values.iter().cloned()));
        }
        if let Some(kind) = m.get("ended") {
            let kind = Kind::parse(kind.as_str()?)?;
            let keys: ListedKeys = m
                .get("keys")?
                .as_array()?
                .iter()
                .filter_map(|p| Some((p.get(0)?.as_str()?, p.get(1)?.as_str()?)))
                .collect();
            self.keep_listed(kind, &keys);
            return Some(ClusterEvent::ListEnded { kind, keys });
        }
        if let Some(kind) = m.get("avail") {
            return Some(ClusterEvent::Availability {
                kind: Kind::parse(kind.as_str()?)?,
                availability: availability_from(m.get("state")?)?,
            });
        }
        if let Some(k) = m.get("log") {
            return Some(ClusterEvent::LogLine {
                pod: key_from(k)?,
                line: m.get("line")?.as_str()?.to_string(),
            });
        }
        if let Some(k) = m.get("logreset") {
            return Some(ClusterEvent::LogReset { pod: key_from(k)? });
        }
        if let Some(c) = m.get("conn") {
            return Some(ClusterEvent::Connection(connection_from(c)?));
        }
        None
    }

    /// The whole state as events: one list per kind (an empty one for a kind without objects).
    pub fn as_lists(&self) -> Vec<ClusterEvent> {
        Kind::ALL
            .into_iter()
            .map(|kind| {
                let values = self
                    .objects
                    .iter()
                    .filter(|(k, _)| k.kind == kind)
                    .map(|(_, v)| v.clone());
                listed(kind, values)
            })
            .collect()
    }
}

/// The key of an object in its JSON form.
pub fn key_of_json(v: &Value) -> Option<ObjectKey> {
    let kind = Kind::parse(v.get("kind")?.as_str()?)?;
    let meta = v.get("metadata")?;
    let ns = if kind.namespaced() {
        meta.get("namespace").and_then(Value::as_str).unwrap_or("")
    } else {
        ""
    };
    Some(ObjectKey::new(
        kind,
        ns,
        meta.get("name").and_then(Value::as_str).unwrap_or(""),
    ))
}

fn applied(v: Value) -> Option<ClusterEvent> {
    match Object::from_value(v).ok()?? {
        Object::Pod(p) => Some(ClusterEvent::AppliedPod(Box::new(CompactPod::from_pod(*p)))),
        o => Some(ClusterEvent::Applied(o)),
    }
}

fn listed(kind: Kind, values: impl Iterator<Item = Value>) -> ClusterEvent {
    let objects = values.filter_map(|v| Object::from_value(v).ok().flatten());
    if kind == Kind::Pod {
        let pods = objects
            .filter_map(|o| match o {
                Object::Pod(p) => Some(CompactPod::from_pod(*p)),
                _ => None,
            })
            .collect();
        ClusterEvent::ListedPods(pods)
    } else {
        let mut objects: Vec<Object> = objects.collect();
        objects.sort_by_key(|o| o.key());
        ClusterEvent::Listed { kind, objects }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_and_resets_are_kept_and_refusals_are_not() {
        let pod = ObjectKey::new(Kind::Pod, "ns", "w-0");
        let events = vec![
            ClusterEvent::LogReset { pod: pod.clone() },
            ClusterEvent::LogLine {
                pod: pod.clone(),
                line: "hello".into(),
            },
            ClusterEvent::LogRefused {
                pod: pod.clone(),
                message: "no".into(),
            },
        ];
        let entries = ObjectVersions::default().encode(&events);
        assert_eq!(entries.len(), 2);
        let back = ObjectVersions::default().decode(&entries, &mut Vec::new());
        assert_eq!(back, events[..2].to_vec());
    }
}
