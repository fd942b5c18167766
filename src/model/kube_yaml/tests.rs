use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn read(text: &str) -> Value {
    from_str(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
}

fn errors(text: &str) -> Vec<YamlError> {
    match from_str(text) {
        Ok(v) => panic!("{text:?} read as {v}"),
        Err(e) => e,
    }
}

#[test]
fn values_in_mappings_read_as_kubectl_sends_them() {
    let table: &[(&str, Value)] = &[
        ("defaultMode: 0755", json!({"defaultMode": 493})),
        ("defaultMode: '0755'", json!({"defaultMode": "0755"})),
        ("defaultMode: \"0755\"", json!({"defaultMode": "0755"})),
        ("a: 0x1F", json!({"a": 31})),
        ("a: yes", json!({"a": true})),
        ("a: 'yes'", json!({"a": "yes"})),
        ("a: off", json!({"a": false})),
        ("a: ~", json!({"a": null})),
        ("a:", json!({"a": null})),
        ("a: 1.0", json!({"a": 1})),
        ("a: 1.5", json!({"a": 1.5})),
        ("a: 1e3", json!({"a": 1000})),
        ("a: 2024-01-02", json!({"a": "2024-01-02"})),
        ("a: !!str 0755", json!({"a": "0755"})),
        ("a: !!int '0755'", json!({"a": 493})),
        ("a: !!float 2", json!({"a": 2})),
        ("a: !!bool \"on\"", json!({"a": true})),
        ("a: !!null ''", json!({"a": null})),
        ("a: |\n  0755\n", json!({"a": "0755\n"})),
        ("a: >-\n  yes\n", json!({"a": "yes"})),
        (
            "a: [0755, '0755', on, 'on']",
            json!({"a": [493, "0755", true, "on"]}),
        ),
        ("a: {b: y}", json!({"a": {"b": true}})),
    ];
    for (text, want) in table {
        assert_eq!(&read(text), want, "{text}");
    }
}

#[test]
fn keys_become_strings_as_sigs_yaml_names_them() {
    let table: &[(&str, Value)] = &[
        ("on: 1", json!({"true": 1})),
        ("y: 1", json!({"true": 1})),
        ("no: 1", json!({"false": 1})),
        ("1: a", json!({"1": "a"})),
        ("0x10: a", json!({"16": "a"})),
        ("1.5: a", json!({"1.5": "a"})),
        ("1.0: a", json!({"1": "a"})),
        ("'on': 1", json!({"on": 1})),
        ("2024-01-02: a", json!({"2024-01-02": "a"})),
        ("!!str 1: a", json!({"1": "a"})),
    ];
    for (text, want) in table {
        assert_eq!(&read(text), want, "{text}");
    }
    for (text, what) in [
        ("~: a", "null"),
        (": a", "null"),
        ("null: a", "null"),
        ("18446744073709551615: a", "64-bit"),
        ("? [a]\n: b", "list or a mapping"),
        ("? {a: 1}\n: b", "list or a mapping"),
    ] {
        let e = errors(text);
        assert!(e[0].message.contains(what), "{text}: {e:?}");
        assert_eq!(
            (e[0].line, e[0].column),
            (1, 1 + text.starts_with('?') as usize * 2)
        );
    }
}

#[test]
fn a_duplicate_key_names_the_key_and_both_lines() {
    let text = "apiVersion: data.fluid.io/v1alpha1\nkind: CacheRuntimeClass\nfileSystemType: [1, 2]\nfileSystemType: curvinefs\n";
    let e = errors(text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].line, e[0].column), (4, 1));
    assert!(
        e[0].message.contains("\"fileSystemType\"")
            && e[0].message.contains("line 3")
            && e[0].message.contains("line 4"),
        "{e:?}"
    );
    // Nested, and every one is reported.
    let e = errors("a:\n  b: 1\n  c: 2\n  b: 3\nd: 1\nd: 2\n");
    let at: Vec<(usize, usize)> = e.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(at, [(4, 3), (6, 1)], "{e:?}");
    // Keys that only become equal as strings collide too (`1` and `"1"`, `on` and `true`).
    assert_eq!(errors("1: a\n'1': b\n")[0].line, 2);
    assert_eq!(errors("on: a\ntrue: b\n")[0].line, 2);
}

#[test]
fn syntax_errors_have_their_line_and_column() {
    for (text, line) in [
        ("a: [1\n", 2),
        ("a: 1\n b: 2\n", 2),
        ("a: 'x\n", 1),
        ("- a\nb: c\n", 2),
        ("a:\n  - b\n  c: d\n", 3),
        ("a: *nowhere\n", 1),
        ("a: b\n  c: d\n", 2),
    ] {
        let e = errors(text);
        assert_eq!(e.last().unwrap().line, line, "{text:?}: {e:?}");
        assert!(e.last().unwrap().column >= 1);
    }
}

#[test]
fn infinity_and_nan_cannot_be_sent() {
    for (text, col) in [("a: .inf", 4), ("a: -.Inf", 4), ("a:\n- .nan", 3)] {
        let e = errors(text);
        assert!(
            e[0].message.contains("JSON has no infinity or NaN"),
            "{e:?}"
        );
        assert_eq!(e[0].column, col, "{text}");
    }
    // As a key it has a name.
    assert_eq!(read(".inf: a"), json!({".inf": "a"}));
}

#[test]
fn tags_that_do_not_fit_are_errors() {
    let e = errors("a: 1\nb: !!int abc\n");
    assert_eq!((e[0].line, e[0].column), (2, 4));
    assert!(e[0].message.contains("!!int"), "{e:?}");
    assert!(errors("a: !!binary aGk=")[0].message.contains("!!binary"));
    assert_eq!(read("a: !local 1"), json!({"a": "1"}));
}

#[test]
fn anchors_aliases_and_merge_keys() {
    // (`n` as a key is YAML 1.1's false.)
    let text =
        "base: &b {image: x, mode: 0644}\nlist: &l [1, 2]\nn: &n 0755\na: *b\nc: *l\nd: *n\n";
    assert_eq!(
        read(text),
        json!({"base": {"image": "x", "mode": 420}, "list": [1, 2], "false": 493,
               "a": {"image": "x", "mode": 420}, "c": [1, 2], "d": 493})
    );
    // Explicit keys win over merged ones, wherever `<<` is; earlier merged mappings win.
    let text = "x: &x {a: 1, b: 1}\ny: &y {b: 2, c: 2}\nm:\n  a: 0\n  <<: [*x, *y]\n";
    assert_eq!(read(text)["m"], json!({"a": 0, "b": 1, "c": 2}));
    let text = "x: &x {a: 1}\nm:\n  <<: *x\n  a: 2\n";
    assert_eq!(read(text)["m"], json!({"a": 2}));
    // A merged key is not a duplicate; a quoted `<<` is an ordinary key.
    assert_eq!(read("'<<': 1"), json!({"<<": 1}));
    assert!(errors("m:\n  <<: 1\n")[0].message.contains("merge"));
    // An anchored scalar can be a key.
    assert_eq!(read("a: &k on\n*k : b\n"), json!({"a": true, "true": "b"}));
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let e = errors(&text);
    assert!(e.iter().any(|e| e.message.contains("too many")), "{e:?}");
}

#[test]
fn deep_nesting_is_refused_without_crashing() {
    let text = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let e = errors(&text);
    assert_eq!(e[0].line, 1, "{e:?}");
    let text = format!("a: {}{}", "[".repeat(150), "]".repeat(150));
    assert!(errors(&text)[0].message.contains("deep"));
}

#[test]
fn one_document_for_the_editor_many_for_files() {
    assert_eq!(from_str("").unwrap(), Value::Null);
    assert_eq!(from_str("# nothing\n").unwrap(), Value::Null);
    let e = errors("a: 1\n---\nb: 2\n");
    assert_eq!(e[0].line, 3);
    let docs = documents("a: 1\n---\n---\n# c\nb: 2\n---\nc: [\n");
    assert_eq!(docs.len(), 4, "{docs:?}");
    assert_eq!(docs[0].value, Ok(json!({"a": 1})));
    assert_eq!(docs[1].value, Ok(Value::Null));
    assert_eq!(
        (docs[2].line, docs[2].value.clone()),
        (5, Ok(json!({"b": 2})))
    );
    assert!(docs[3].value.is_err());
    // A problem in one document leaves the next one readable.
    let docs = documents("a: 1\na: 2\n---\nb: 1\n");
    assert!(docs[0].value.is_err());
    assert_eq!(docs[1].value, Ok(json!({"b": 1})));
}

#[test]
fn whole_floats_are_normalized_to_integers() {
    assert_eq!(
        normalize(&json!({"a": [3.0, 1.5, 2], "b": 1e21})),
        json!({"a": [3, 1.5, 2], "b": 1e21})
    );
}

// ------------------------------------------------------------------ writing

#[test]
fn strings_that_would_read_as_something_else_are_quoted() {
    let v = json!({"s": ["yes", "on", "0755", "~", "", "null", "1.5", "1e3", "0x1F", "y",
                         "2024-01-02", "<<", "- x", "a: b", "#x", "x #y", " lead", "trail ",
                         "tab\tx", "it's", "plain text", "a[b]", "-x", ":x"],
                   "on": 1, "<<": 2, "1": 3});
    let text = to_string(&v);
    assert_eq!(read(&text), v, "{text}");
    for quoted in ["'yes'", "'on'", "'0755'", "'~'", "''", "'<<':", "'on':"] {
        assert!(text.contains(quoted), "{quoted} in {text}");
    }
    // A timestamp is read as the text written, so it needs no quotes.
    for plain in [
        "- plain text\n",
        "- a[b]\n",
        "- -x\n",
        "- <<\n",
        "- 2024-01-02\n",
    ] {
        assert!(text.contains(plain), "{plain} in {text}");
    }
}

#[test]
fn the_layout_is_serde_yaml_s_for_the_demo_manifests() {
    let demo = [
        (
            "01",
            include_str!("../../../assets/demo/01-runtimeclasses.yaml"),
        ),
        ("02", include_str!("../../../assets/demo/02-imagenet.yaml")),
        (
            "03",
            include_str!("../../../assets/demo/03-llm-serving.yaml"),
        ),
        (
            "04",
            include_str!("../../../assets/demo/04-feature-store.yaml"),
        ),
    ];
    for (file, text) in demo {
        for doc in documents(text) {
            let v = doc.value.unwrap_or_else(|e| panic!("{file}: {e:?}"));
            if v.is_null() {
                continue;
            }
            let ours = to_string(&v);
            assert_eq!(read(&ours), v, "{file}");
            assert_eq!(ours, serde_yaml::to_string(&v).unwrap(), "{file}");
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        "[a-z0-9 .:#'\"\\-_~\\[\\]{}!&*|>%@`?,<\n\t]{0,12}",
        Just("yes".to_string()),
        Just("0755".to_string()),
        Just(" x\n y \n".to_string()),
        Just("\n\nx\n\n".to_string()),
        Just("x\u{85}y\u{2028}z\u{1}".to_string()),
        "\\PC{0,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(|f| normalize(&Value::from(f))),
        text.clone().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(text.clone(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn what_is_written_reads_back_the_same(v in json_value()) {
        let text = to_string(&v);
        prop_assert_eq!(from_str(&text), Ok(v), "{}", text);
    }
}
