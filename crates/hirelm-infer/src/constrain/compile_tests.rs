//! Compiling schemas: keywords named with their path, invalid schemas refused, object layout.

use serde_json::{Value, json};

use super::compile::*;
use super::error::ConstraintError;
use super::limits::ConstraintLimits;

fn err(schema: Value) -> ConstraintError {
    JsonSchemaConstraint::compile(&schema).expect_err("must not compile")
}

#[test]
fn unsupported_keywords_are_named_with_their_path() {
    let schema = json!({"type": "object", "properties": {"a/b": {"type": "string", "contentEncoding": "base64"}}});
    assert_eq!(
        err(schema),
        ConstraintError::UnsupportedKeyword {
            keyword: "contentEncoding".into(),
            path: "/properties/a~1b".into()
        }
    );
    let schema = json!({"type": "array", "items": {"oneOf": [{"type": "string"}]}});
    assert_eq!(
        err(schema),
        ConstraintError::UnsupportedKeyword {
            keyword: "oneOf".into(),
            path: "/items".into()
        }
    );
    let e = err(json!({"type": "string", "format": "date-time"}));
    assert_eq!(e.to_string(), "unsupported schema keyword `format` at `/`");
}

#[test]
fn invalid_and_unsatisfiable_schemas_are_refused() {
    for schema in [
        json!({"type": ["string", "null"]}),
        json!({}),
        json!({"type": "number", "minLength": 1}),
        json!({"type": "array"}),
        json!({"type": "object", "properties": {}, "required": ["x"]}),
        json!({"type": "string", "enum": ["a"], "minLength": 2}),
        json!({"type": "string", "enum": [["a"]]}),
        json!({"type": "string", "minLength": 10_000}),
        json!({"type": "integer", "minimum": 2, "maximum": 1}),
        json!({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}}),
        json!({"const": 1, "enum": [1]}),
        json!({"anyOf": []}),
    ] {
        assert!(
            matches!(err(schema.clone()), ConstraintError::InvalidSchema { .. }),
            "{schema}"
        );
    }
}

#[test]
fn properties_are_sorted_and_reach_skips_optional_ones() {
    let schema = json!({"type": "object", "properties": {"c": {"type": "boolean"}, "a": {"type": "boolean"}, "b": {"type": "boolean"}}, "required": ["c"]});
    let compiled = JsonSchemaConstraint::compile(&schema).expect("compiles");
    let Node::Object(obj) = &compiled.nodes[compiled.root as usize] else {
        panic!("object root")
    };
    let keys: Vec<&[u8]> = obj.props.iter().map(|p| p.key.as_slice()).collect();
    assert_eq!(keys, [b"\"a\"".as_slice(), b"\"b\"", b"\"c\""]);
    assert_eq!(obj.reach, [2, 2, 2]);
    assert_eq!(obj.close_ok, [false, false, false, true]);
}

#[test]
fn limits_are_checked() {
    let limits = ConstraintLimits {
        max_int_digits: 20,
        ..ConstraintLimits::default()
    };
    assert!(matches!(
        JsonSchemaConstraint::compile_with(&json!({"type": "integer"}), limits),
        Err(ConstraintError::InvalidLimits(_))
    ));
}
