//! What the YAML reader says about text it cannot turn into what kubectl would send.

pub fn duplicate_key(key: &str, first_line: usize, line: usize) -> String {
    format!(
        "duplicate key \"{key}\" (first on line {first_line}, again on line {line}): kubectl would keep only one of them"
    )
}

pub fn not_json_number(text: &str) -> String {
    format!("{text} cannot be sent: JSON has no infinity or NaN")
}

pub fn too_big(text: &str) -> String {
    format!("{text} does not fit in 64 bits")
}

pub fn wrong_tag(text: &str, got: &str, want: &str) -> String {
    format!("cannot read \"{text}\" (a !!{got}) as !!{want}")
}

pub fn binary() -> String {
    "!!binary values are not supported: write the base64 text without the tag".into()
}

pub fn null_key() -> String {
    "a key cannot be null (empty, ~ or null): JSON field names are strings".into()
}

pub fn big_key(text: &str) -> String {
    format!("the key {text} cannot be a JSON field name (an integer beyond 64-bit signed)")
}

pub fn collection_key() -> String {
    "a list or a mapping cannot be a key".into()
}

pub fn bad_merge() -> String {
    "<< (merge) takes a mapping or a list of mappings".into()
}

pub fn too_many_aliases() -> String {
    "the aliases expand to too many values".into()
}

pub fn too_deep() -> String {
    "nested too deeply".into()
}

pub fn one_document(line: usize) -> String {
    format!("a second document starts on line {line}: only one object can be edited here")
}
