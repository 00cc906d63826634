//! [`JsonSchemaConstraint`]: a JSON schema compiled into a grammar of compact JSON.
//!
//! Every schema object becomes one [`Node`] in an arena. Keywords outside the supported subset
//! are errors naming the keyword and the JSON pointer where it appears; annotation-only keywords
//! (`description`, `title`, `$comment`, `$schema`, `examples`, `default`) constrain nothing and
//! are accepted. A keyword that does not apply to the node's `type` (say `minLength` on a
//! number) is an error too, since it most likely signals a schema mistake.

use serde_json::{Map, Value};

use super::error::ConstraintError;
use super::literal::LiteralTrie;
use super::number::NumberSpec;
use super::string::StrSpec;

/// Index of a node in [`JsonSchemaConstraint`]'s arena.
pub(crate) type NodeId = u32;

/// Caps that keep every decode finite, and the number syntax limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConstraintLimits {
    /// Most characters in a free-form string (`enum` values may be longer).
    pub max_string_chars: u32,
    /// Most items in an array.
    pub max_array_items: u32,
    /// Most digits before the decimal point (at most 18, so integers fit an `i64`).
    pub max_int_digits: u8,
    /// Most digits after the decimal point (integer digits + fraction digits ≤ 36).
    pub max_frac_digits: u8,
}

impl Default for ConstraintLimits {
    fn default() -> Self {
        Self {
            max_string_chars: 512,
            max_array_items: 128,
            max_int_digits: 15,
            max_frac_digits: 17,
        }
    }
}

impl ConstraintLimits {
    /// Checks that the limits are usable.
    fn check(&self) -> Result<(), ConstraintError> {
        if self.max_int_digits == 0 || self.max_int_digits > 18 {
            return Err(ConstraintError::InvalidLimits(
                "max_int_digits must be in 1..=18".into(),
            ));
        }
        if u32::from(self.max_int_digits) + u32::from(self.max_frac_digits) > 36 {
            return Err(ConstraintError::InvalidLimits(
                "integer + fraction digits must be ≤ 36".into(),
            ));
        }
        Ok(())
    }
}

/// One property of an object node.
#[derive(Debug, Clone)]
pub(crate) struct Prop {
    /// The key as emitted: its JSON string encoding, quotes included.
    pub(crate) key: Vec<u8>,
    /// The value schema.
    pub(crate) schema: NodeId,
}

/// A compiled `object`: properties in emission (sorted key) order.
#[derive(Debug, Clone)]
pub(crate) struct ObjectNode {
    /// Properties sorted by key bytes.
    pub(crate) props: Vec<Prop>,
    /// `reach[i]`: with property `i` next, the last property whose key may come next (the first
    /// required one at or after `i`; optional ones before it may be skipped).
    pub(crate) reach: Vec<u16>,
    /// `close_ok[i]`: with property `i` next, whether `}` may come (no required one left).
    pub(crate) close_ok: Vec<bool>,
}

/// A compiled schema node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// `type: object`.
    Object(ObjectNode),
    /// `type: array`.
    Array {
        /// The `items` schema.
        items: NodeId,
        /// `minItems`.
        min_items: u32,
        /// The configured cap.
        max_items: u32,
    },
    /// `type: string` without `enum`.
    String(StrSpec),
    /// `type: number` / `integer`.
    Number(NumberSpec),
    /// `enum` (any type) and `boolean`: one of a fixed set of encodings.
    Literal(LiteralTrie),
}

/// A JSON schema compiled into a grammar of compact JSON (see the [module docs](super)).
#[derive(Debug, Clone)]
pub struct JsonSchemaConstraint {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: NodeId,
    limits: ConstraintLimits,
}

/// Keywords that only annotate and so constrain nothing.
const ANNOTATIONS: [&str; 6] = [
    "description",
    "title",
    "$comment",
    "$schema",
    "examples",
    "default",
];

impl JsonSchemaConstraint {
    /// Compiles `schema` with the default [`ConstraintLimits`].
    pub fn compile(schema: &Value) -> Result<Self, ConstraintError> {
        Self::compile_with(schema, ConstraintLimits::default())
    }

    /// Compiles `schema` with explicit limits.
    pub fn compile_with(schema: &Value, limits: ConstraintLimits) -> Result<Self, ConstraintError> {
        limits.check()?;
        let mut compiled = Self {
            nodes: Vec::new(),
            root: 0,
            limits,
        };
        compiled.root = compiled.node(schema, "")?;
        Ok(compiled)
    }

    /// The limits this constraint was compiled with.
    pub fn limits(&self) -> ConstraintLimits {
        self.limits
    }

    /// Compiles one schema object at JSON pointer `path`, returning its node id.
    fn node(&mut self, schema: &Value, path: &str) -> Result<NodeId, ConstraintError> {
        let obj = schema
            .as_object()
            .ok_or_else(|| ConstraintError::invalid(path, "a schema must be an object"))?;
        let ty = match obj.get("type") {
            Some(Value::String(t)) => Some(t.as_str()),
            Some(_) => {
                return Err(ConstraintError::invalid(
                    path,
                    "`type` must be a single type name",
                ));
            }
            None => None,
        };
        const KNOWN: [&str; 10] = [
            "type",
            "properties",
            "required",
            "additionalProperties",
            "items",
            "minItems",
            "enum",
            "minimum",
            "maximum",
            "minLength",
        ];
        if let Some(keyword) = obj
            .keys()
            .find(|k| !KNOWN.contains(&k.as_str()) && !ANNOTATIONS.contains(&k.as_str()))
        {
            return Err(ConstraintError::unsupported(path, keyword));
        }
        let applies: &[&str] = match ty {
            Some("object") => &["properties", "required", "additionalProperties"],
            Some("array") => &["items", "minItems"],
            Some("string") => &["minLength", "enum"],
            Some("number" | "integer") => &["minimum", "maximum", "enum"],
            Some("boolean") => &["enum"],
            None if obj.contains_key("enum") => &["enum", "minLength", "minimum", "maximum"],
            None => {
                return Err(ConstraintError::invalid(
                    path,
                    "a schema needs `type` or `enum`",
                ));
            }
            Some(other) => {
                return Err(ConstraintError::invalid(
                    path,
                    format!("unsupported type `{other}`"),
                ));
            }
        };
        for keyword in obj
            .keys()
            .filter(|k| KNOWN.contains(&k.as_str()) && *k != "type")
        {
            if !applies.contains(&keyword.as_str()) {
                let ty = ty.unwrap_or("(none)");
                return Err(ConstraintError::invalid(
                    path,
                    format!("`{keyword}` does not apply to type `{ty}`"),
                ));
            }
        }
        let node = if obj.contains_key("enum") {
            Node::Literal(enum_trie(obj, ty, path)?)
        } else {
            match ty {
                Some("object") => Node::Object(self.object(obj, path)?),
                Some("array") => {
                    let items = obj
                        .get("items")
                        .ok_or_else(|| ConstraintError::invalid(path, "array without `items`"))?;
                    let items = self.node(items, &format!("{path}/items"))?;
                    let min_items = count(obj, "minItems", path)?;
                    let max_items = self.limits.max_array_items;
                    if min_items > max_items {
                        return Err(ConstraintError::invalid(
                            path,
                            format!("minItems {min_items} exceeds the cap {max_items}"),
                        ));
                    }
                    Node::Array {
                        items,
                        min_items,
                        max_items,
                    }
                }
                Some("string") => {
                    let min_chars = count(obj, "minLength", path)?;
                    let max_chars = self.limits.max_string_chars;
                    if min_chars > max_chars {
                        return Err(ConstraintError::invalid(
                            path,
                            format!("minLength {min_chars} exceeds the cap {max_chars}"),
                        ));
                    }
                    Node::String(StrSpec {
                        min_chars,
                        max_chars,
                    })
                }
                Some(kind @ ("number" | "integer")) => Node::Number(NumberSpec::new(
                    kind == "integer",
                    bound(obj, "minimum", path)?,
                    bound(obj, "maximum", path)?,
                    self.limits.max_int_digits,
                    self.limits.max_frac_digits,
                    path,
                )?),
                _ => Node::Literal(
                    LiteralTrie::new(["true", "false"])
                        .ok_or_else(|| ConstraintError::invalid(path, "boolean"))?,
                ),
            }
        };
        self.nodes.push(node);
        Ok((self.nodes.len() - 1) as NodeId)
    }

    /// Compiles an object's properties in sorted key order.
    fn object(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
    ) -> Result<ObjectNode, ConstraintError> {
        match obj.get("additionalProperties") {
            None | Some(Value::Bool(_)) => {}
            Some(_) => {
                return Err(ConstraintError::invalid(
                    path,
                    "`additionalProperties` must be a boolean",
                ));
            }
        }
        let empty = Map::new();
        let properties = match obj.get("properties") {
            Some(Value::Object(p)) => p,
            Some(_) => {
                return Err(ConstraintError::invalid(
                    path,
                    "`properties` must be an object",
                ));
            }
            None => &empty,
        };
        let mut names: Vec<&String> = properties.keys().collect();
        // Sort explicitly: serde_json's map may preserve insertion order under a feature flag.
        names.sort();
        if names.len() > usize::from(u16::MAX) {
            return Err(ConstraintError::invalid(path, "too many properties"));
        }
        let mut required = vec![false; names.len()];
        for name in obj.get("required").map_or(Ok(&Vec::new()), |r| {
            r.as_array()
                .ok_or_else(|| ConstraintError::invalid(path, "`required` must be an array"))
        })? {
            let name = name
                .as_str()
                .ok_or_else(|| ConstraintError::invalid(path, "`required` holds a non-string"))?;
            match names.iter().position(|n| n.as_str() == name) {
                Some(i) => required[i] = true,
                None => {
                    return Err(ConstraintError::invalid(
                        path,
                        format!("required property `{name}` is not in `properties`"),
                    ));
                }
            }
        }
        let mut props = Vec::with_capacity(names.len());
        for name in &names {
            let pointer = format!(
                "{path}/properties/{}",
                name.replace('~', "~0").replace('/', "~1")
            );
            let schema = self.node(&properties[name.as_str()], &pointer)?;
            let key = serde_json::to_vec(name)
                .map_err(|e| ConstraintError::invalid(&pointer, e.to_string()))?;
            props.push(Prop { key, schema });
        }
        let n = props.len();
        let mut reach = vec![0u16; n];
        let mut close_ok = vec![true; n + 1];
        let mut first_required = n.saturating_sub(1);
        for i in (0..n).rev() {
            if required[i] {
                first_required = i;
            }
            reach[i] = first_required as u16;
            close_ok[i] = close_ok[i + 1] && !required[i];
        }
        Ok(ObjectNode {
            props,
            reach,
            close_ok,
        })
    }
}

/// A non-negative integer keyword (`minItems`, `minLength`), 0 when absent.
fn count(obj: &Map<String, Value>, key: &str, path: &str) -> Result<u32, ConstraintError> {
    match obj.get(key) {
        None => Ok(0),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                ConstraintError::invalid(path, format!("`{key}` must be a non-negative integer"))
            }),
    }
}

/// A numeric bound keyword (`minimum`, `maximum`).
fn bound(obj: &Map<String, Value>, key: &str, path: &str) -> Result<Option<f64>, ConstraintError> {
    obj.get(key)
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| ConstraintError::invalid(path, format!("`{key}` must be a number")))
        })
        .transpose()
}

/// The trie of the compact encodings of an `enum`'s values that also satisfy the node's other
/// keywords (values that never validate are dropped; none left is an error).
fn enum_trie(
    obj: &Map<String, Value>,
    ty: Option<&str>,
    path: &str,
) -> Result<LiteralTrie, ConstraintError> {
    let values = obj
        .get("enum")
        .and_then(Value::as_array)
        .ok_or_else(|| ConstraintError::invalid(path, "`enum` must be an array"))?;
    let min_len = count(obj, "minLength", path)?;
    let (min, max) = (bound(obj, "minimum", path)?, bound(obj, "maximum", path)?);
    let mut literals = Vec::with_capacity(values.len());
    for value in values {
        let fits_type = match (ty, value) {
            (_, Value::Array(_) | Value::Object(_) | Value::Null) => {
                return Err(ConstraintError::invalid(
                    path,
                    "`enum` values must be strings, numbers or booleans",
                ));
            }
            (None, _) => true,
            (Some("string"), v) => v.is_string(),
            (Some("number"), v) => v.is_number(),
            (Some("integer"), v) => v.is_i64() || v.is_u64(),
            (Some("boolean"), v) => v.is_boolean(),
            _ => false,
        };
        let long_enough = value
            .as_str()
            .is_none_or(|s| s.chars().count() as u64 >= u64::from(min_len));
        let in_range = value
            .as_f64()
            .is_none_or(|x| min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m));
        if fits_type && long_enough && in_range {
            literals.push(
                serde_json::to_vec(value)
                    .map_err(|e| ConstraintError::invalid(path, e.to_string()))?,
            );
        }
    }
    LiteralTrie::new(literals)
        .ok_or_else(|| ConstraintError::invalid(path, "no `enum` value satisfies the schema"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn err(schema: Value) -> ConstraintError {
        JsonSchemaConstraint::compile(&schema).expect_err("must not compile")
    }

    #[test]
    fn unsupported_keywords_are_named_with_their_path() {
        let schema =
            json!({"type": "object", "properties": {"a/b": {"type": "string", "pattern": "x+"}}});
        assert_eq!(
            err(schema),
            ConstraintError::UnsupportedKeyword {
                keyword: "pattern".into(),
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
            json!({"type": "null"}),
            json!({"type": ["string", "null"]}),
            json!({}),
            json!({"type": "number", "minLength": 1}),
            json!({"type": "array"}),
            json!({"type": "object", "properties": {}, "required": ["x"]}),
            json!({"type": "string", "enum": ["a"], "minLength": 2}),
            json!({"type": "string", "enum": [["a"]]}),
            json!({"type": "string", "minLength": 10_000}),
            json!({"type": "integer", "minimum": 2, "maximum": 1}),
            json!({"type": "object", "additionalProperties": {"type": "string"}}),
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
}
