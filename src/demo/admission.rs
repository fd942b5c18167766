//! What the API server checks in every object's metadata before it stores it, beyond the
//! kind's schema: label keys and values (a label value the server would refuse is refused here
//! too, so the demo never stores what a real cluster would not).

use serde_json::Value;

/// The API server's message for a label value it refuses.
fn bad_value(v: &str) -> String {
    format!(
        "metadata.labels: Invalid value: \"{v}\": a valid label must be an empty string or \
         consist of alphanumeric characters, '-', '_' or '.', and must start and end with an \
         alphanumeric character"
    )
}

/// The API server's message for a label key it refuses.
fn bad_key(k: &str) -> String {
    format!(
        "metadata.labels: Invalid value: \"{k}\": a qualified name must consist of alphanumeric \
         characters, '-', '_' or '.', and must start and end with an alphanumeric character, \
         with an optional DNS subdomain prefix and '/'"
    )
}

/// A label value (also the name part of a key): at most 63 characters of `[A-Za-z0-9_.-]`,
/// starting and ending alphanumeric; empty is allowed.
fn valid_value(v: &str) -> bool {
    let ends_ok = |c: Option<char>| c.is_none_or(|c| c.is_ascii_alphanumeric());
    v.len() <= 63
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && ends_ok(v.chars().next())
        && ends_ok(v.chars().last())
}

/// A label key: an optional DNS subdomain prefix and `/`, then a non-empty name.
fn valid_key(k: &str) -> bool {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !part.starts_with('-')
                    && !part.ends_with('-')
            })
    });
    prefix_ok && !name.is_empty() && valid_value(name)
}

/// The first label the API server would refuse in `obj`, as its message.
pub fn check_labels(obj: &Value) -> Result<(), String> {
    let Some(labels) = obj["metadata"]["labels"].as_object() else {
        return Ok(());
    };
    for (k, v) in labels {
        if !valid_key(k) {
            return Err(bad_key(k));
        }
        if let Some(v) = v.as_str().filter(|v| !valid_value(v)) {
            return Err(bad_value(v));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_are_checked_as_the_api_server_checks_them() {
        let with = |k: &str, v: &str| json!({"metadata": {"labels": {k: v}}});
        assert!(check_labels(&with("app.kubernetes.io/name", "curvine")).is_ok());
        assert!(check_labels(&with("team", "")).is_ok());
        assert!(check_labels(&with("fluid.io/s-default-demo", "true")).is_ok());
        assert!(
            check_labels(&with("team", "not ok"))
                .unwrap_err()
                .contains("\"not ok\"")
        );
        assert!(check_labels(&with("team", "-x")).is_err());
        assert!(check_labels(&with("team", &"a".repeat(64))).is_err());
        assert!(check_labels(&with("bad key", "x")).is_err());
        assert!(check_labels(&with("Upper.Prefix/x", "x")).is_err());
        assert!(check_labels(&json!({"metadata": {}})).is_ok());
    }
}
