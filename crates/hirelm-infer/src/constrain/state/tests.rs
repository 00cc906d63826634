//! Objects, numbers and their delimiters, byte by byte.

use serde_json::json;

use super::*;

fn state(schema: serde_json::Value) -> ConstraintState {
    ConstraintState::new(Arc::new(
        JsonSchemaConstraint::compile(&schema).expect("compiles"),
    ))
}

#[test]
fn optional_properties_may_be_skipped_in_order() {
    let s = state(json!({"type": "object", "properties": {
        "a": {"type": "integer"}, "b": {"type": "integer"}, "c": {"type": "integer"}}, "required": ["b"]}));
    for ok in [
        r#"{"b":1}"#,
        r#"{"a":1,"b":2}"#,
        r#"{"b":1,"c":2}"#,
        r#"{"a":1,"b":2,"c":3}"#,
    ] {
        let mut st = s.clone();
        st.advance_bytes(ok.as_bytes()).expect(ok);
        assert!(st.is_complete() && st.is_closed(), "{ok}");
    }
    assert!(!s.accepts(br#"{"c""#), "c before the required b");
    assert!(!s.accepts(br#"{}"#));
    assert!(!s.accepts(br#"{"b":1,"a""#), "order");
    assert!(!s.accepts(br#"{"b":1,"b""#), "repeat");
    assert!(!s.accepts(br#"{"b":1}}"#), "after the end");
}

#[test]
fn root_number_completes_without_closing() {
    let mut s = state(json!({"type": "integer", "minimum": 1, "maximum": 20}));
    s.advance_bytes(b"1").expect("1");
    assert!(s.is_complete() && !s.is_closed());
    s.advance_bytes(b"5").expect("15");
    assert!(s.is_complete());
    assert!(!s.accepts(b"0"));
    let before = s.clone().stack;
    let err = s.advance_bytes(b"x").expect_err("not a digit");
    assert_eq!(err, ConstraintError::rejected_byte(b'x', 2));
    assert_eq!(s.stack, before, "unchanged after an error");
}

#[test]
fn numbers_end_at_the_container_delimiter() {
    let s =
        state(json!({"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 2}));
    assert!(s.accepts(b"[1.5,20]"));
    assert!(!s.accepts(b"[1.5]"), "minItems");
    assert!(!s.accepts(b"[1.,2]"));
    assert!(!s.accepts(b"[-1,2]"));
    let mut st = s.clone();
    st.advance_bytes(b"[0,0]").expect("valid");
    assert!(st.is_closed());
}
