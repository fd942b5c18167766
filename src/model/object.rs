//! One enum over every kind the console watches, and the key that identifies an object.

use k8s_openapi::api::core::v1::{Event, Node, Pod};
use serde::Serialize;

use super::meta::ObjectMeta;
use super::{
    AdvancedStatefulSet, CacheRuntime, CacheRuntimeClass, CacheRuntimeMaintenance, DataOperation,
    Dataset, OpKind,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    CacheRuntimeClass,
    Dataset,
    CacheRuntime,
    AdvancedStatefulSet,
    Pod,
    Operation(OpKind),
    CacheRuntimeMaintenance,
    Event,
    /// Cluster-scoped: the machines pods run on.
    Node,
}

impl Kind {
    /// Every kind, in the order sources list them.
    pub const ALL: [Kind; 12] = [
        Kind::CacheRuntimeClass,
        Kind::Dataset,
        Kind::CacheRuntime,
        Kind::AdvancedStatefulSet,
        Kind::Pod,
        Kind::Operation(OpKind::DataLoad),
        Kind::Operation(OpKind::DataProcess),
        Kind::Operation(OpKind::DataMigrate),
        Kind::Operation(OpKind::DataBackup),
        Kind::CacheRuntimeMaintenance,
        Kind::Event,
        Kind::Node,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CacheRuntimeClass => "CacheRuntimeClass",
            Kind::Dataset => "Dataset",
            Kind::CacheRuntime => "CacheRuntime",
            Kind::AdvancedStatefulSet => "AdvancedStatefulSet",
            Kind::Pod => "Pod",
            Kind::Operation(k) => k.as_str(),
            Kind::CacheRuntimeMaintenance => "CacheRuntimeMaintenance",
            Kind::Event => "Event",
            Kind::Node => "Node",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn namespaced(self) -> bool {
        !matches!(self, Kind::CacheRuntimeClass | Kind::Node)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies one object: kind, namespace ("" for cluster-scoped) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(kind: Kind, namespace: impl Into<String>, name: impl Into<String>) -> Self {
        ObjectKey {
            kind,
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// Objects live in the store's maps and are moved rarely, so the size difference between
/// variants (a Pod is larger than a CacheRuntimeClass) costs less than boxing every variant.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Object {
    Class(Box<CacheRuntimeClass>),
    Dataset(Box<Dataset>),
    Runtime(Box<CacheRuntime>),
    Workload(Box<AdvancedStatefulSet>),
    Pod(Box<Pod>),
    Operation(Box<DataOperation>),
    Maintenance(Box<CacheRuntimeMaintenance>),
    Event(Box<Event>),
    Node(Box<Node>),
}

/// Each kind into its variant. Every variant is boxed: an object is 16 bytes wherever it is
/// held or queued (events in flight, lists), whatever its kind.
macro_rules! into_object {
    ($($ty:ty => $v:ident),*) => {
        $(impl From<$ty> for Object {
            fn from(o: $ty) -> Object {
                Object::$v(Box::new(o))
            }
        })*
    };
}

into_object!(
    CacheRuntimeClass => Class, Dataset => Dataset, CacheRuntime => Runtime,
    AdvancedStatefulSet => Workload, Pod => Pod, DataOperation => Operation,
    CacheRuntimeMaintenance => Maintenance, Event => Event, Node => Node
);

impl Object {
    pub fn kind(&self) -> Kind {
        match self {
            Object::Class(_) => Kind::CacheRuntimeClass,
            Object::Dataset(_) => Kind::Dataset,
            Object::Runtime(_) => Kind::CacheRuntime,
            Object::Workload(_) => Kind::AdvancedStatefulSet,
            Object::Pod(_) => Kind::Pod,
            Object::Operation(o) => Kind::Operation(o.op_kind()),
            Object::Maintenance(_) => Kind::CacheRuntimeMaintenance,
            Object::Event(_) => Kind::Event,
            Object::Node(_) => Kind::Node,
        }
    }
    pub fn meta(&self) -> &ObjectMeta {
        match self {
            Object::Class(o) => &o.metadata,
            Object::Dataset(o) => &o.metadata,
            Object::Runtime(o) => &o.metadata,
            Object::Workload(o) => &o.metadata,
            Object::Pod(o) => &o.metadata,
            Object::Operation(o) => &o.metadata,
            Object::Maintenance(o) => &o.metadata,
            Object::Event(o) => &o.metadata,
            Object::Node(o) => &o.metadata,
        }
    }
    pub fn meta_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Object::Class(o) => &mut o.metadata,
            Object::Dataset(o) => &mut o.metadata,
            Object::Runtime(o) => &mut o.metadata,
            Object::Workload(o) => &mut o.metadata,
            Object::Pod(o) => &mut o.metadata,
            Object::Operation(o) => &mut o.metadata,
            Object::Maintenance(o) => &mut o.metadata,
            Object::Event(o) => &mut o.metadata,
            Object::Node(o) => &mut o.metadata,
        }
    }
    pub fn key(&self) -> ObjectKey {
        let m = self.meta();
        let ns = if self.kind().namespaced() {
            m.namespace.clone().unwrap_or_default()
        } else {
            String::new()
        };
        ObjectKey::new(self.kind(), ns, m.name.clone().unwrap_or_default())
    }
    /// Builds an object from its JSON form, choosing the type by `kind`. Kinds the console does
    /// not watch return `Ok(None)`.
    pub fn from_value(v: serde_json::Value) -> Result<Option<Object>, serde_json::Error> {
        let kind = v
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or("")
            .to_string();
        let Some(kind) = Kind::parse(&kind) else {
            return Ok(None);
        };
        Ok(Some(match kind {
            Kind::CacheRuntimeClass => Object::Class(serde_json::from_value(v)?),
            Kind::Dataset => Object::Dataset(serde_json::from_value(v)?),
            Kind::CacheRuntime => Object::Runtime(serde_json::from_value(v)?),
            Kind::AdvancedStatefulSet => Object::Workload(serde_json::from_value(v)?),
            Kind::Pod => Object::Pod(serde_json::from_value(v)?),
            Kind::Operation(_) => Object::Operation(serde_json::from_value(v)?),
            Kind::CacheRuntimeMaintenance => Object::Maintenance(serde_json::from_value(v)?),
            Kind::Event => Object::Event(serde_json::from_value(v)?),
            Kind::Node => Object::Node(serde_json::from_value(v)?),
        }))
    }
    /// The object as JSON (with apiVersion/kind; Pods and Events get theirs added).
    pub fn to_value(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let (Object::Pod(_) | Object::Event(_) | Object::Node(_), Some(map)) =
            (self, v.as_object_mut())
        {
            map.insert("apiVersion".into(), "v1".into());
            map.insert("kind".into(), self.kind().as_str().into());
        }
        v
    }
}
