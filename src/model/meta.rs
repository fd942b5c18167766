//! Shared metadata pieces of every Fluid kind: object metadata, open maps for fields the console
//! does not model, conditions, and the `kube::Resource` glue.

use std::collections::BTreeMap;
use std::fmt;

pub use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Fields the console does not model, kept verbatim so that objects round-trip without loss.
///
/// Held as one compact JSON object text (keys sorted, nested objects too, so equal maps give
/// equal text), `None` when there are none: a fraction of the memory of a map of
/// `serde_json::Value`s. Used as `#[serde(flatten)]`, it reads and writes the same entries such
/// a map would, so serialised objects are unchanged. Reads decode the entry they ask for.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Extra(Option<Box<str>>);

impl Extra {
    pub fn from_map(map: BTreeMap<String, Value>) -> Self {
        if map.is_empty() {
            return Self(None);
        }
        let text = serde_json::to_string(&map).expect("a map of JSON values serialises");
        Self(Some(text.into_boxed_str()))
    }

    pub fn to_map(&self) -> BTreeMap<String, Value> {
        self.0
            .as_deref()
            .map(|t| serde_json::from_str(t).expect("Extra holds a JSON object"))
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The value of `key`, decoded.
    pub fn get(&self, key: &str) -> Option<Value> {
        let text = self.0.as_deref()?;
        let mut de = serde_json::Deserializer::from_str(text);
        de.deserialize_map(Lookup(key))
            .expect("Extra holds a JSON object")
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys, in order.
    pub fn keys(&self) -> Vec<String> {
        self.to_map().into_keys().collect()
    }

    /// Sets `key`, returning its previous value.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        let mut map = self.to_map();
        let old = map.insert(key, value);
        *self = Self::from_map(map);
        old
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.0.as_ref()?;
        let mut map = self.to_map();
        let old = map.remove(key);
        if old.is_some() {
            *self = Self::from_map(map);
        }
        old
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_map().fmt(f)
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BTreeMap::<String, Value>::deserialize(d).map(Self::from_map)
    }
}

/// A JSON value kept as its compact text (object keys sorted, as `serde_json` writes a
/// [`Value`]): a few dozen bytes where a decoded map of one or two entries takes several
/// hundred. Reads and writes as the value itself; reads decode what they ask for.
#[derive(Clone, PartialEq, Eq)]
pub struct JsonText(Box<str>);

impl JsonText {
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }

    /// The value of `key` when this is an object.
    pub fn get(&self, key: &str) -> Option<Value> {
        let mut de = serde_json::Deserializer::from_str(&self.0);
        de.deserialize_map(Lookup(key)).ok().flatten()
    }

    /// The text when this is a JSON string.
    pub fn as_string(&self) -> Option<String> {
        match self.value() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl From<Value> for JsonText {
    fn from(v: Value) -> Self {
        Self(v.to_string().into_boxed_str())
    }
}

impl fmt::Debug for JsonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for JsonText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(Self::from)
    }
}

/// A small map of texts (a few entries, like an operation's `status.infos`), kept as a list
/// sorted by key: a fraction of the memory of a B-tree map for a handful of entries. Reads and
/// writes as a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrMap(Vec<(String, String)>);

impl StrMap {
    pub fn get(&self, key: &str) -> Option<&str> {
        let i = self.0.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok()?;
        Some(&self.0[i].1)
    }

    /// Sets `key` to `value`, returning the previous value.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.0.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl FromIterator<(String, String)> for StrMap {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(it: I) -> Self {
        let map: BTreeMap<String, String> = it.into_iter().collect();
        Self(map.into_iter().collect())
    }
}

impl Serialize for StrMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for StrMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BTreeMap::<String, String>::deserialize(d).map(|m| Self(m.into_iter().collect()))
    }
}

/// Reads one JSON object, decoding only the value of the key it looks for.
struct Lookup<'k>(&'k str);

impl<'de> Visitor<'de> for Lookup<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(hit) = map.next_key_seed(KeyIs(self.0))? {
            if hit && found.is_none() {
                found = Some(map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// A map key, read as whether it equals the one looked for.
struct KeyIs<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
}

/// Implements `kube::Resource` for a Fluid kind whose struct has a `metadata: ObjectMeta` field.
macro_rules! fluid_resource {
    ($ty:ty, $group:expr, $version:expr, $kind:expr, $plural:expr, $scope:ty) => {
        impl kube::Resource for $ty {
            type DynamicType = ();
            type Scope = $scope;
            fn kind(_: &()) -> std::borrow::Cow<'_, str> {
                $kind.into()
            }
            fn group(_: &()) -> std::borrow::Cow<'_, str> {
                $group.into()
            }
            fn version(_: &()) -> std::borrow::Cow<'_, str> {
                $version.into()
            }
            fn plural(_: &()) -> std::borrow::Cow<'_, str> {
                $plural.into()
            }
            fn meta(&self) -> &$crate::model::meta::ObjectMeta {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut $crate::model::meta::ObjectMeta {
                &mut self.metadata
            }
        }
    };
}
pub(crate) use fluid_resource;

/// Declares a string enum that keeps values it does not know (`Other`), so a manifest written by a
/// newer Fluid never fails to load and round-trips unchanged.
macro_rules! open_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:expr),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub enum $name {
            #[default]
            $($variant,)+
            Other(String),
        }
        impl $name {
            /// The values this enum knows by name.
            pub const KNOWN: &'static [&'static str] = &[$($text),+];

            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(s) => s,
                }
            }
            pub fn parse(s: &str) -> Self {
                match s {
                    $($text => Self::$variant,)+
                    other => Self::Other(other.to_string()),
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(Self::parse(&s))
            }
        }
    };
}
pub(crate) use open_enum;

open_enum!(
    /// `status` of a condition.
    ConditionStatus { True = "True", False = "False", Unknown = "Unknown" }
);

/// A status condition. Fluid's kinds use slightly different time fields (`lastUpdateTime` on
/// Datasets, `lastProbeTime` on runtimes and operations); all are optional here.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: ConditionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_probe_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Parses a Kubernetes RFC 3339 time string.
pub fn parse_time(s: &str) -> Option<jiff::Timestamp> {
    s.parse().ok()
}

/// Formats a time the way the API server does (whole seconds, `Z`).
pub fn format_time(t: jiff::Timestamp) -> String {
    let secs = t.as_second();
    jiff::Timestamp::from_second(secs)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Creation time of an object, if set.
pub fn created(meta: &ObjectMeta) -> Option<jiff::Timestamp> {
    meta.creation_timestamp.as_ref().map(|t| t.0)
}

/// Name and namespace of an object, empty strings when absent.
pub fn name_of(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("")
}

pub fn namespace_of(meta: &ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or("")
}

/// Serde helper: `true` when a value equals its default, to keep serialisation minimal.
pub fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_text_reads_and_writes_as_its_value() {
        let v = json!({"namespace": "team-a", "name": "imagenet", "deep": {"b": 1, "a": [2]}});
        let t: JsonText = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(&t).unwrap(), v);
        assert_eq!(t.get("name"), Some(json!("imagenet")));
        assert_eq!(t.get("missing"), None);
        assert_eq!(t.as_string(), None);
        let name = JsonText::from(json!("plain"));
        assert_eq!(name.as_string().as_deref(), Some("plain"));
        assert_eq!(name.get("name"), None);
        let yaml = serde_yaml::to_string(&t).unwrap();
        assert_eq!(serde_yaml::from_str::<JsonText>(&yaml).unwrap(), t);
    }

    #[test]
    fn str_map_keeps_keys_sorted_and_round_trips() {
        let mut m: StrMap = [("b".to_string(), "2".to_string())].into_iter().collect();
        assert_eq!(m.insert("a".into(), "1".into()), None);
        assert_eq!(m.insert("b".into(), "3".into()), Some("2".into()));
        assert_eq!(m.get("a"), Some("1"));
        assert_eq!(m.get("c"), None);
        let keys: Vec<&String> = m.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b"]);
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v, json!({"a": "1", "b": "3"}));
        assert_eq!(serde_json::from_value::<StrMap>(v).unwrap(), m);
        assert!(StrMap::default().is_empty());
        assert_eq!(m.len(), 2);
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Compact {
        name: String,
        #[serde(flatten)]
        extra: Extra,
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct Plain {
        name: String,
        #[serde(flatten)]
        extra: BTreeMap<String, Value>,
    }

    const DOC: &str = r#"{"zeta":{"b":[1,2.5,{"y":null,"x":"q\"uote"}],"a":true},"name":"n","alpha":-3,"k\"ey":{}}"#;

    #[test]
    fn flattened_fields_serialise_as_a_map_would() {
        let compact: Compact = serde_json::from_str(DOC).unwrap();
        let plain: Plain = serde_json::from_str(DOC).unwrap();
        assert_eq!(compact.name, "n");
        assert_eq!(
            serde_json::to_string(&compact).unwrap(),
            serde_json::to_string(&plain).unwrap()
        );
        assert_eq!(
            serde_yaml::to_string(&compact).unwrap(),
            serde_yaml::to_string(&plain).unwrap()
        );
        assert_eq!(format!("{:?}", compact.extra), format!("{:?}", plain.extra));
        assert_eq!(compact.extra.to_map(), plain.extra);
        let from_yaml: Compact =
            serde_yaml::from_str(&serde_yaml::to_string(&plain).unwrap()).unwrap();
        assert_eq!(from_yaml, compact);
    }

    #[test]
    fn no_unknown_fields_is_empty() {
        let c: Compact = serde_json::from_str(r#"{"name":"n"}"#).unwrap();
        assert!(c.extra.is_empty());
        assert_eq!(c.extra, Extra::default());
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"name":"n"}"#);
        assert_eq!(format!("{:?}", c.extra), "{}");
        assert_eq!(c.extra.get("name"), None);
        assert!(c.extra.keys().is_empty());
    }

    #[test]
    fn map_operations() {
        let mut e = serde_json::from_str::<Compact>(DOC).unwrap().extra;
        assert_eq!(e.keys(), ["alpha", "k\"ey", "zeta"]);
        assert_eq!(e.get("alpha"), Some(json!(-3)));
        assert_eq!(e.get("k\"ey"), Some(json!({})));
        assert_eq!(
            e.get("zeta"),
            Some(json!({"a": true, "b": [1, 2.5, {"x": "q\"uote", "y": null}]}))
        );
        assert!(e.contains_key("zeta") && !e.contains_key("zet"));
        assert_eq!(e.insert("alpha".into(), json!("x")), Some(json!(-3)));
        assert_eq!(e.insert("beta".into(), json!([1])), None);
        assert_eq!(e.get("alpha"), Some(json!("x")));
        assert_eq!(e.remove("nope"), None);
        assert_eq!(e.remove("zeta").map(|v| v["a"].clone()), Some(json!(true)));
        assert_eq!(e.keys(), ["alpha", "beta", "k\"ey"]);
        for k in e.keys() {
            e.remove(&k);
        }
        assert!(e.is_empty());
        assert_eq!(e, Extra::default());
        // Equal maps give equal values whatever the order they were built in.
        let mut a = Extra::default();
        a.insert("x".into(), json!({"q": 1, "p": 2}));
        a.insert("w".into(), json!(0));
        let b = Extra::from_map(BTreeMap::from([
            ("w".to_string(), json!(0)),
            ("x".to_string(), json!({"p": 2, "q": 1})),
        ]));
        assert_eq!(a, b);
    }
}
