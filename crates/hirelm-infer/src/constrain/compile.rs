//! [`JsonSchemaConstraint`]: a JSON schema compiled into a grammar of compact JSON.
//!
//! Every schema object becomes one [`Node`] in an arena. Keywords outside the supported subset
//! are errors naming the keyword and the JSON pointer where it appears; annotation-only keywords
//! (`description`, `title`, `$comment`, `$schema`, `examples`, `default`) constrain nothing and
//! are accepted. A keyword that does not apply to the node's `type` (say `minLength` on a
//! number) is an error too, since it most likely signals a schema mistake.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::ConstraintError;
use super::keywords::{bound, count_range, enum_trie};
use super::limits::ConstraintLimits;
use super::literal::LiteralTrie;
use super::number::NumberSpec;
use super::pattern::PatternSpec;
use super::refs::Defs;
use super::string::StrSpec;

/// Index of a node in [`JsonSchemaConstraint`]'s arena.
pub(crate) type NodeId = u32;

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
    /// `enum`, `const`, `boolean` and `null`: one of a fixed set of encodings.
    Literal(LiteralTrie),
    /// `type: object` without `properties`: free keys (`key`, a string node), each with a value
    /// of `value` (`additionalProperties`, or any JSON value).
    Map {
        /// The node of every key.
        key: NodeId,
        /// The node of every value.
        value: NodeId,
        /// `minProperties`.
        min_props: u32,
        /// `maxProperties`, at most the configured array cap.
        max_props: u32,
    },
    /// `anyOf` whose alternatives start with different bytes, so the first byte picks one
    /// (see `union.rs`).
    AnyOf {
        /// The alternatives.
        alts: Vec<NodeId>,
        /// The alternative a value starting with each byte belongs to (`NO_ALTERNATIVE` when
        /// none), computed once so that stepping a byte is a lookup.
        by_first_byte: Box<[NodeId; 256]>,
        /// The alternative the closing path takes: the one with the shortest value.
        closing: NodeId,
    },
}

/// A JSON schema compiled into a grammar of compact JSON (see the [module docs](super)).
#[derive(Debug, Clone)]
pub struct JsonSchemaConstraint {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: NodeId,
    pub(crate) limits: ConstraintLimits,
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
        let mut defs = Defs::default();
        if let Some(obj) = schema.as_object() {
            for key in ["$defs", "definitions"] {
                match obj.get(key) {
                    Some(Value::Object(map)) => defs.schemas.extend(map.clone()),
                    Some(_) => {
                        return Err(ConstraintError::invalid(
                            "",
                            format!("`{key}` must be an object"),
                        ));
                    }
                    None => {}
                }
            }
        }
        compiled.root = compiled.node(schema, "", &mut defs)?;
        Ok(compiled)
    }

    /// The limits this constraint was compiled with.
    pub fn limits(&self) -> ConstraintLimits {
        self.limits
    }

    /// Adds `node` to the arena.
    pub(crate) fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        (self.nodes.len() - 1) as NodeId
    }

    /// Compiles one schema object at JSON pointer `path`, returning its node id.
    pub(super) fn node(
        &mut self,
        schema: &Value,
        path: &str,
        defs: &mut Defs,
    ) -> Result<NodeId, ConstraintError> {
        let obj = schema
            .as_object()
            .ok_or_else(|| ConstraintError::invalid(path, "a schema must be an object"))?;
        if let Some(reference) = obj.get("$ref") {
            only_annotations(obj, "$ref", path)?;
            return self.reference(reference, path, defs);
        }
        if let Some(alternatives) = obj.get("anyOf") {
            only_annotations(obj, "anyOf", path)?;
            let alternatives = alternatives
                .as_array()
                .filter(|a| !a.is_empty())
                .ok_or_else(|| {
                    ConstraintError::invalid(path, "`anyOf` must be a non-empty array")
                })?;
            let mut alts = Vec::with_capacity(alternatives.len());
            for (i, alternative) in alternatives.iter().enumerate() {
                alts.push(self.node(alternative, &format!("{path}/anyOf/{i}"), defs)?);
            }
            return self.any_of(alts, path);
        }
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
        const KNOWN: [&str; 16] = [
            "type",
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
            "items",
            "minItems",
            "maxItems",
            "enum",
            "const",
            "minimum",
            "maximum",
            "minLength",
            "maxLength",
            "pattern",
        ];
        if let Some(keyword) = obj
            .keys()
            .find(|k| !(KNOWN.contains(&k.as_str()) || passive(k, path)))
        {
            return Err(ConstraintError::unsupported(path, keyword));
        }
        let literal = obj.contains_key("enum") || obj.contains_key("const");
        let applies: &[&str] = match ty {
            Some("object") => &[
                "properties",
                "required",
                "additionalProperties",
                "minProperties",
                "maxProperties",
            ],
            Some("array") => &["items", "minItems", "maxItems"],
            Some("string") => &["minLength", "maxLength", "pattern", "enum", "const"],
            Some("number" | "integer") => &["minimum", "maximum", "enum", "const"],
            Some("boolean" | "null") => &["enum", "const"],
            None if literal => &[
                "enum",
                "const",
                "minLength",
                "maxLength",
                "minimum",
                "maximum",
            ],
            None => {
                return Err(ConstraintError::invalid(
                    path,
                    "a schema needs `type`, `enum`, `const`, `anyOf` or `$ref`",
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
        let node = if literal {
            if obj.contains_key("pattern") {
                return Err(ConstraintError::invalid(
                    path,
                    "`pattern` beside `enum` or `const`: list only the values that match",
                ));
            }
            let values = match (obj.get("enum"), obj.get("const")) {
                (Some(Value::Array(values)), None) => values.clone(),
                (None, Some(value)) => vec![value.clone()],
                (Some(_), None) => {
                    return Err(ConstraintError::invalid(path, "`enum` must be an array"));
                }
                _ => {
                    return Err(ConstraintError::invalid(path, "`enum` beside `const`"));
                }
            };
            Node::Literal(enum_trie(obj, &values, ty, path)?)
        } else {
            match ty {
                Some("object") => match self.object(obj, path, defs)? {
                    Some(object) => Node::Object(object),
                    None => {
                        let value_path = format!("{path}/additionalProperties");
                        return self.map(obj, path, |c, schema| c.node(schema, &value_path, defs));
                    }
                },
                Some("array") => {
                    let items = obj
                        .get("items")
                        .ok_or_else(|| ConstraintError::invalid(path, "array without `items`"))?;
                    let items = self.node(items, &format!("{path}/items"), defs)?;
                    let cap = self.limits.max_array_items;
                    let (min_items, max_items) =
                        count_range(obj, ("minItems", "maxItems"), cap, path)?;
                    Node::Array {
                        items,
                        min_items,
                        max_items,
                    }
                }
                Some("string") => Node::String(string_spec(obj, self.limits, path)?),
                Some("null") => Node::Literal(
                    LiteralTrie::new(["null"])
                        .ok_or_else(|| ConstraintError::invalid(path, "null"))?,
                ),
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
        Ok(self.push(node))
    }
}

/// Keywords only the root schema may hold: the definitions `$ref`s point into.
const ROOT_ONLY: [&str; 2] = ["$defs", "definitions"];

/// Refuses a keyword beside `keyword` (`$ref`, `anyOf`) other than annotations: it would be
/// ignored.
fn only_annotations(
    obj: &Map<String, Value>,
    keyword: &str,
    path: &str,
) -> Result<(), ConstraintError> {
    match obj
        .keys()
        .find(|k| !(k.as_str() == keyword || passive(k, path)))
    {
        Some(other) => Err(ConstraintError::unsupported(
            path,
            &format!("{other}` beside `{keyword}"),
        )),
        None => Ok(()),
    }
}

/// Whether `keyword` at `path` asks nothing of the value: an annotation, or the root's `$defs`.
fn passive(keyword: &str, path: &str) -> bool {
    ANNOTATIONS.contains(&keyword) || (path.is_empty() && ROOT_ONLY.contains(&keyword))
}

/// A `type: string` node without `enum`: its length bounds (the configured cap applied) and
/// `pattern`.
fn string_spec(
    obj: &Map<String, Value>,
    limits: ConstraintLimits,
    path: &str,
) -> Result<StrSpec, ConstraintError> {
    let (min_chars, max_chars) = count_range(
        obj,
        ("minLength", "maxLength"),
        limits.max_string_chars,
        path,
    )?;
    let pattern = match obj.get("pattern") {
        None => None,
        Some(Value::String(pattern)) => Some(Arc::new(
            PatternSpec::compile(pattern, min_chars, max_chars).map_err(|reason| {
                ConstraintError::invalid(path, format!("`pattern` {pattern:?}: {reason}"))
            })?,
        )),
        Some(_) => return Err(ConstraintError::invalid(path, "`pattern` must be a string")),
    };
    Ok(StrSpec {
        min_chars,
        max_chars,
        pattern,
    })
}
