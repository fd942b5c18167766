//! Kubernetes Events (core/v1) the simulated controllers and kubelets record, aggregated like
//! the API server does (same object, reason and message → `count` + 1), and expired after an hour.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Event, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use rand::rngs::SmallRng;

use super::cluster_state::ClusterState;
use super::names;
use crate::model::{Kind, Object, ObjectKey};

/// Events older than this (by `lastTimestamp`) are deleted, as the API server's event TTL does.
pub const EVENT_TTL_SECONDS: i64 = 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// What an event is about.
#[derive(Debug, Clone)]
pub struct Involved {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub uid: Option<String>,
    pub field_path: Option<String>,
}

impl Involved {
    pub fn of(obj: &Object) -> Involved {
        let m = obj.meta();
        let api_version = match obj {
            Object::Pod(_) | Object::Event(_) => "v1".to_string(),
            other => other
                .to_value()
                .get("apiVersion")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
        };
        Involved {
            api_version,
            kind: obj.kind().as_str().to_string(),
            namespace: m.namespace.clone().unwrap_or_default(),
            name: m.name.clone().unwrap_or_default(),
            uid: m.uid.clone(),
            field_path: None,
        }
    }
    pub fn container(mut self, container: &str) -> Involved {
        self.field_path = Some(format!("spec.containers{{{container}}}"));
        self
    }
}

/// Index of the events this cluster recorded, for aggregation and expiry.
#[derive(Debug, Clone, Default)]
pub struct EventRecorder {
    index: BTreeMap<(String, String, String, String, String), ObjectKey>,
}

impl EventRecorder {
    pub fn record(
        &mut self,
        state: &mut ClusterState,
        rng: &mut SmallRng,
        involved: &Involved,
        type_: EventType,
        reason: &str,
        message: &str,
    ) {
        let now = Time(state.now);
        let index_key = (
            involved.kind.clone(),
            involved.namespace.clone(),
            involved.name.clone(),
            reason.to_string(),
            message.to_string(),
        );
        if let Some(key) = self.index.get(&index_key) {
            let bumped = state.update(key, |o| {
                if let Object::Event(e) = o {
                    e.count = Some(e.count.unwrap_or(1) + 1);
                    e.last_timestamp = Some(now.clone());
                }
            });
            if bumped {
                return;
            }
        }
        let name = format!("{}.{}", involved.name, names::event_suffix(rng));
        let event = Event {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(involved.namespace.clone()),
                uid: Some(names::uid(rng)),
                creation_timestamp: Some(now.clone()),
                ..Default::default()
            },
            involved_object: ObjectReference {
                api_version: Some(involved.api_version.clone()),
                kind: Some(involved.kind.clone()),
                name: Some(involved.name.clone()),
                namespace: Some(involved.namespace.clone()),
                uid: involved.uid.clone(),
                field_path: involved.field_path.clone(),
                ..Default::default()
            },
            type_: Some(type_.as_str().to_string()),
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            count: Some(1),
            first_timestamp: Some(now.clone()),
            last_timestamp: Some(now),
            ..Default::default()
        };
        let key = ObjectKey::new(Kind::Event, involved.namespace.clone(), name);
        state.put(Object::from(event));
        self.index.insert(index_key, key);
    }

    /// Deletes recorded events whose last occurrence is older than the TTL.
    pub fn expire(&mut self, state: &mut ClusterState) {
        let cutoff = state.now.as_second() - EVENT_TTL_SECONDS;
        let expired: Vec<_> = self
            .index
            .iter()
            .filter(|(_, key)| match state.get(key) {
                Some(Object::Event(e)) => e
                    .last_timestamp
                    .as_ref()
                    .is_some_and(|t| t.0.as_second() < cutoff),
                _ => true,
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (index_key, key) in expired {
            self.index.remove(&index_key);
            state.remove(&key);
        }
    }
}
