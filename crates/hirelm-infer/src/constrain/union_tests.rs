//! The keywords pydantic and the OpenAI SDK write (`anyOf` with `null`, `$ref` into `$defs`,
//! `const`, `maxLength`, `maxItems`) and free-key objects (`response_format: json_object`):
//! random walks end in values valid against the schema by an independent validator, and
//! ambiguous or recursive schemas are refused with a message that says why.

use std::sync::Arc;

use serde_json::{Value, json};

use super::walk_tests::{self, XorShift, byte_vocab, small_limits};
use super::*;

/// What pydantic writes for a model with an optional, an enum, a literal, a nested model, a
/// bounded list and a dict (trimmed of nothing but `title`s).
pub(super) fn pydantic_schema() -> Value {
    json!({
        "$defs": {
            "Kind": {"enum": ["full-time", "part-time"], "title": "Kind", "type": "string"},
            "Skill": {
                "properties": {
                    "label": {"maxLength": 20, "title": "Label", "type": "string"},
                    "level": {"anyOf": [{"maximum": 5, "minimum": 1, "type": "integer"}, {"type": "null"}], "default": null}
                },
                "required": ["label", "level"],
                "title": "Skill",
                "type": "object"
            }
        },
        "properties": {
            "title": {"maxLength": 30, "type": "string"},
            "kind": {"$ref": "#/$defs/Kind"},
            "skills": {"items": {"$ref": "#/$defs/Skill"}, "maxItems": 3, "type": "array"},
            "remote": {"anyOf": [{"type": "boolean"}, {"type": "null"}]},
            "version": {"const": 2},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null},
            "counts": {"additionalProperties": {"type": "integer"}, "maxProperties": 2, "type": "object"}
        },
        "required": ["title", "kind", "skills", "remote", "version"],
        "title": "Job",
        "type": "object"
    })
}

/// Schemas of this file's shapes, for the walks here and the closing-path tests.
pub(super) fn union_schemas() -> Vec<Value> {
    vec![
        pydantic_schema(),
        json!({"type": "object", "minProperties": 1}),
        json!({"type": "object"}),
        json!({"anyOf": [{"type": "array", "items": {"type": "number"}}, {"type": "string", "minLength": 2}, {"type": "null"}]}),
        pattern_schema(),
    ]
}

/// Strings under `pattern`s: anchored and not, multi-byte characters (two, three and four
/// bytes), with length bounds and inside an `anyOf`.
fn pattern_schema() -> Value {
    json!({"type": "object", "properties": {
        "code": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{3}$"},
        "email": {"type": "string", "pattern": "^[a-z0-9._]+@[a-z]+[.](com|org)$", "maxLength": 20},
        "tag": {"type": "string", "pattern": "rust", "maxLength": 8},
        "word": {"type": "string", "pattern": "^(é|ß|日本)+[^a-z]?$", "minLength": 2},
        "maybe": {"anyOf": [{"type": "string", "pattern": "^x+$"}, {"type": "null"}]}},
        "required": ["code", "email", "tag", "word", "maybe"]})
}

/// Whether `value` is valid against `schema` (within `root`, for `$ref`), for the keywords the
/// compiler supports: written from the JSON Schema rules, not from the grammar (except that an
/// object with `properties` may hold no other key, since the grammar never writes one).
pub(super) fn conforms(root: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    let fail = |why: &str| Err(format!("{value}: {why}"));
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return conforms(root, &root["$defs"][name], value);
    }
    if let Some(alternatives) = schema.get("anyOf").and_then(Value::as_array) {
        return match alternatives
            .iter()
            .any(|a| conforms(root, a, value).is_ok())
        {
            true => Ok(()),
            false => fail("anyOf"),
        };
    }
    if schema.get("const").is_some_and(|c| c != value) {
        return fail("const");
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return fail("enum");
    }
    let type_ok = match schema.get("type").and_then(Value::as_str) {
        None => true,
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("string") => value.is_string(),
        Some("null") => value.is_null(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        Some(other) => return fail(&format!("type {other}")),
    };
    if !type_ok {
        return fail("type");
    }
    let number = |key: &str| schema.get(key).and_then(Value::as_f64);
    let size = |key: &str| schema.get(key).and_then(Value::as_u64);
    let x = value.as_f64();
    if x.is_some_and(|x| number("minimum").is_some_and(|m| x < m))
        || x.is_some_and(|x| number("maximum").is_some_and(|m| x > m))
    {
        return fail("range");
    }
    if let (Some(pattern), Some(text)) = (
        schema.get("pattern").and_then(Value::as_str),
        value.as_str(),
    ) && !regex::Regex::new(pattern).is_ok_and(|re| re.is_match(text))
    {
        return fail("pattern");
    }
    let chars = value.as_str().map(|text| text.chars().count() as u64);
    if chars.is_some_and(|n| size("minLength").is_some_and(|m| n < m))
        || chars.is_some_and(|n| size("maxLength").is_some_and(|m| n > m))
    {
        return fail("length");
    }
    if let Some(items) = value.as_array() {
        let n = items.len() as u64;
        if size("minItems").is_some_and(|m| n < m) || size("maxItems").is_some_and(|m| n > m) {
            return fail("items count");
        }
        if let Some(item_schema) = schema.get("items") {
            for item in items {
                conforms(root, item_schema, item)?;
            }
        }
    }
    if let Some(members) = value.as_object() {
        let n = members.len() as u64;
        if size("minProperties").is_some_and(|m| n < m)
            || size("maxProperties").is_some_and(|m| n > m)
        {
            return fail("properties count");
        }
        for name in schema["required"].as_array().into_iter().flatten() {
            if !members.contains_key(name.as_str().unwrap_or_default()) {
                return fail("required");
            }
        }
        for (key, member) in members {
            match (
                schema["properties"].get(key),
                schema.get("additionalProperties"),
            ) {
                (Some(property), _) => conforms(root, property, member)?,
                (None, Some(Value::Bool(false))) => return fail("additional property"),
                (None, Some(extra @ Value::Object(_))) => conforms(root, extra, member)?,
                // Valid JSON Schema, but the grammar writes declared properties only.
                (None, _) if schema.get("properties").is_some() => {
                    return fail("undeclared property");
                }
                (None, _) => {}
            }
        }
    }
    Ok(())
}

/// One uniform random constrained walk to the end.
fn walk(schema: &Value, limits: ConstraintLimits, rng: &mut XorShift) -> String {
    let (vocab, eos) = byte_vocab();
    let compiled = Arc::new(JsonSchemaConstraint::compile_with(schema, limits).expect("compiles"));
    let mut decoder = ConstrainedDecoder::from_compiled(compiled, vocab, eos);
    String::from_utf8(walk_tests::walk(&mut decoder, rng)).expect("UTF-8")
}

#[test]
fn random_walks_over_pydantic_keywords_and_free_objects_are_valid() {
    let mut rng = XorShift(0x0005_EED0_FA11);
    for schema in union_schemas() {
        let mut shapes = [false; 3]; // saw a null, a nested object, a nested array
        for round in 0..150 {
            let text = walk(&schema, small_limits(), &mut rng);
            let value: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("walk {round}: {e}: {text}"));
            conforms(&schema, &schema, &value)
                .unwrap_or_else(|e| panic!("walk {round} of {schema}: {e}"));
            shapes[0] |= text.contains("null");
            shapes[1] |= text.len() > 1 && text[1..].contains('{');
            shapes[2] |= text.contains('[');
        }
        if schema == json!({"type": "object"}) {
            assert_eq!(shapes, [true; 3], "free values reach every shape");
        }
    }
}

#[test]
fn free_objects_take_any_keys_and_values_and_closed_ones_none() {
    let free = Arc::new(JsonSchemaConstraint::compile(&json!({"type": "object"})).expect("free"));
    let state = ConstraintState::new(free);
    assert!(state.accepts(br#"{"a":[1,{"b":null}],"c d":"x","e":-2.5,"f":true}"#));
    assert!(state.accepts(b"{}"));
    assert!(
        !state.accepts(br#"{"":1}"#),
        "a key has at least one character"
    );
    assert!(!state.accepts(br#"{"a":1,}"#));
    let closed = json!({"type": "object", "additionalProperties": false});
    let closed = ConstraintState::new(Arc::new(
        JsonSchemaConstraint::compile(&closed).expect("closed"),
    ));
    assert!(closed.accepts(b"{}") && !closed.accepts(br#"{"a"#));
    let non_empty = json!({"type": "object", "minProperties": 1});
    let non_empty = ConstraintState::new(Arc::new(
        JsonSchemaConstraint::compile(&non_empty).expect("min 1"),
    ));
    assert!(!non_empty.accepts(b"{}") && non_empty.accepts(br#"{"a":"#));
    let mut closing = non_empty.clone();
    let mut text = Vec::new();
    while let Some(byte) = closing.closing_byte() {
        closing
            .advance_bytes(&[byte])
            .expect("the closing path is allowed");
        text.push(byte);
    }
    assert!(closing.is_complete());
    assert_eq!(
        text, br#"{"a":0}"#,
        "the shortest value of the shortest alternative"
    );
}

#[test]
fn ambiguous_recursive_and_mixed_schemas_are_refused_with_the_reason() {
    let message = |schema: Value| {
        JsonSchemaConstraint::compile(&schema)
            .expect_err("must not compile")
            .to_string()
    };
    let two_objects = json!({"anyOf": [
        {"type": "object", "properties": {"a": {"type": "string"}}},
        {"type": "object", "properties": {"b": {"type": "string"}}}]});
    assert!(message(two_objects).contains("may both start with `{`"));
    let numbers = json!({"anyOf": [{"type": "integer"}, {"enum": [1, 2]}]});
    assert!(message(numbers).contains("alternatives 0 and 1 may both start with `1`"));
    let recursive = json!({"$defs": {"Node": {"type": "object", "properties": {
        "next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}}}},
        "$ref": "#/$defs/Node"});
    assert!(message(recursive).contains("refers to itself"));
    assert!(message(json!({"$ref": "#/$defs/Missing"})).contains("no such definition"));
    assert!(message(json!({"$ref": "http://example.com/s.json"})).contains("#/$defs/NAME"));
    let beside = json!({"$defs": {"S": {"type": "string"}}, "$ref": "#/$defs/S", "maxLength": 3});
    assert!(message(beside).contains("`maxLength` beside `$ref`"));
    let counted =
        json!({"type": "object", "properties": {"a": {"type": "string"}}, "minProperties": 1});
    assert!(message(counted).contains("objects without `properties`"));
    let short = json!({"type": "string", "minLength": 5, "maxLength": 2});
    assert!(message(short).contains("minLength 5 exceeds maxLength"));
    let nested_defs =
        json!({"type": "object", "properties": {"a": {"$defs": {}, "type": "string"}}});
    assert!(message(nested_defs).contains("`$defs`"));
}

#[test]
fn pydantic_values_are_accepted_and_bounds_hold() {
    let schema = Arc::new(JsonSchemaConstraint::compile(&pydantic_schema()).expect("compiles"));
    let state = ConstraintState::new(schema);
    let good = br#"{"counts":{"a":1},"kind":"part-time","note":null,"remote":null,"skills":[{"label":"SQL","level":null},{"label":"Rust","level":4}],"title":"Engineer","version":2}"#;
    assert!(state.accepts(good));
    for bad in [
        &br#"{"kind":"temp""#[..],
        br#"{"kind":"full-time","remote":"yes""#,
        br#"{"kind":"full-time","remote":true,"skills":[{"label":"a","level":6"#,
        br#"{"kind":"full-time","remote":true,"skills":[],"title":"t","version":3"#,
        br#"{"counts":{"a":1,"b":2,"c""#,
        br#"{"kind":"full-time","remote":true,"skills":[{"label":"SQL","level":null},{"label":"SQL","level":null},{"label":"SQL","level":null},"#,
        br#"{"kind":"full-time","remote":true,"skills":[],"title":"0123456789012345678901234567890"#,
    ] {
        assert!(!state.accepts(bad), "{}", String::from_utf8_lossy(bad));
    }
}
