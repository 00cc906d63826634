//! Values of more than one shape: `anyOf` (pydantic writes `Optional[X]` as
//! `anyOf: [X, {type: null}]`), objects with free keys, and any JSON value (what
//! `response_format: json_object` asks for).
//!
//! An `anyOf` compiles only when its alternatives start with different bytes (an object `{`, an
//! array `[`, a string `"`, a number `-` or a digit, `true` / `false` / `null` their letters), so
//! the first byte of a value picks its alternative and the grammar stays deterministic: the
//! decode never has to carry two readings of one prefix. Alternatives that could start alike
//! (two object schemas, a number and a numeric `enum`) are refused with a message naming them.

use serde_json::{Map, Value};

use super::compile::{JsonSchemaConstraint, Node, NodeId};
use super::error::ConstraintError;
use super::keywords::count_range;
use super::literal::{LitStep, LiteralTrie};
use super::number::{NumFrame, NumStep, NumberSpec};
use super::string::StrSpec;

/// Most characters of a free key.
const MAX_KEY_CHARS: u32 = 64;

/// No alternative of an `anyOf` starts with the byte.
pub(crate) const NO_ALTERNATIVE: NodeId = NodeId::MAX;

/// How deep [`JsonSchemaConstraint::shortest`] looks before calling a value too long to choose.
const SHORTEST_DEPTH: u32 = 32;

impl JsonSchemaConstraint {
    /// Whether a value of `node` may start with `byte`.
    pub(crate) fn accepts_first(&self, node: NodeId, byte: u8) -> bool {
        match &self.nodes[node as usize] {
            Node::Object(_) | Node::Map { .. } => byte == b'{',
            Node::Array { .. } => byte == b'[',
            Node::String(_) => byte == b'"',
            Node::Number(spec) => NumFrame::default().step(spec, byte) != NumStep::Reject,
            Node::Literal(trie) => matches!(trie.step(LiteralTrie::ROOT, byte), LitStep::Next(_)),
            Node::AnyOf { by_first_byte, .. } => by_first_byte[usize::from(byte)] != NO_ALTERNATIVE,
        }
    }

    /// The alternative of `alts` each first byte picks, or the two alternatives (by index) that
    /// a byte could start.
    fn first_byte_table(&self, alts: &[NodeId]) -> Result<Box<[NodeId; 256]>, (usize, usize, u8)> {
        let mut table = Box::new([NO_ALTERNATIVE; 256]);
        for byte in 0..=u8::MAX {
            let mut starting = (0..alts.len()).filter(|&i| self.accepts_first(alts[i], byte));
            match (starting.next(), starting.next()) {
                (Some(a), Some(b)) => return Err((a, b, byte)),
                (Some(a), None) => table[usize::from(byte)] = alts[a],
                (None, _) => {}
            }
        }
        Ok(table)
    }

    /// A lower bound on the bytes of the shortest value of `node`, used to pick the
    /// alternative the closing path takes; `u32::MAX` past [`SHORTEST_DEPTH`].
    fn shortest(&self, node: NodeId, depth: u32) -> u32 {
        if depth > SHORTEST_DEPTH {
            return u32::MAX;
        }
        let of = |n: NodeId| self.shortest(n, depth + 1);
        let repeated = |count: u32, each: u32| {
            2u32.saturating_add(count.saturating_mul(each.saturating_add(1)))
        };
        match &self.nodes[node as usize] {
            Node::Object(obj) => {
                // Property i is required when no later one is what keeps `}` away.
                let required = (obj.props.iter().enumerate())
                    .filter(|(i, _)| !obj.close_ok[*i] && usize::from(obj.reach[*i]) == *i);
                required.fold(2u32, |sum, (_, p)| {
                    sum.saturating_add(p.key.len() as u32 + 2)
                        .saturating_add(of(p.schema))
                })
            }
            Node::Map {
                value, min_props, ..
            } => match min_props {
                0 => 2,
                n => repeated(*n, 4u32.saturating_add(of(*value))),
            },
            Node::Array {
                items, min_items, ..
            } => match min_items {
                0 => 2,
                n => repeated(*n, of(*items)),
            },
            Node::String(spec) => spec.shortest_chars().saturating_add(2),
            Node::Number(_) => 1,
            Node::Literal(trie) => trie.shortest_len() as u32,
            Node::AnyOf { alts, .. } => alts.iter().map(|&alt| of(alt)).min().unwrap_or(u32::MAX),
        }
    }

    /// An `anyOf` node over compiled alternatives (one alternative is itself).
    pub(crate) fn any_of(
        &mut self,
        alts: Vec<NodeId>,
        path: &str,
    ) -> Result<NodeId, ConstraintError> {
        if let [only] = alts[..] {
            return Ok(only);
        }
        let by_first_byte = self.first_byte_table(&alts).map_err(|(a, b, byte)| {
            ConstraintError::invalid(
                path,
                format!(
                    "`anyOf` alternatives {a} and {b} may both start with `{}`: only alternatives of different kinds (object, array, string, number, true/false, null) are supported",
                    char::from(byte).escape_default()
                ),
            )
        })?;
        let closing = alts
            .iter()
            .copied()
            .min_by_key(|&alt| self.shortest(alt, 0))
            .unwrap_or(alts[0]);
        Ok(self.push(Node::AnyOf {
            alts,
            by_first_byte,
            closing,
        }))
    }

    /// An object without `properties`: free keys, with values of `additionalProperties` (a
    /// schema) or any JSON value (absent or `true`), `minProperties`/`maxProperties` within the
    /// array cap.
    pub(crate) fn map(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        compile_value: impl FnOnce(&mut Self, &Value) -> Result<NodeId, ConstraintError>,
    ) -> Result<NodeId, ConstraintError> {
        let cap = self.limits.max_array_items;
        let (min_props, max_props) =
            count_range(obj, ("minProperties", "maxProperties"), cap, path)?;
        let value = match obj.get("additionalProperties") {
            None | Some(Value::Bool(true)) => self.any_json(path)?,
            Some(schema @ Value::Object(_)) => compile_value(self, schema)?,
            Some(_) => {
                return Err(ConstraintError::invalid(
                    path,
                    "`additionalProperties` must be a boolean or a schema",
                ));
            }
        };
        let key = self.push(Node::String(StrSpec::free(1, MAX_KEY_CHARS)));
        Ok(self.push(Node::Map {
            key,
            value,
            min_props,
            max_props,
        }))
    }

    /// Any JSON value: a string, a number, `true`, `false`, `null`, an object with free keys or
    /// an array, nested to any depth (the token budget bounds it), within the limits.
    pub(crate) fn any_json(&mut self, path: &str) -> Result<NodeId, ConstraintError> {
        // The value node refers to itself through its objects and arrays: reserve its slot.
        let any = self.push(Node::Literal(
            LiteralTrie::new(["null"]).ok_or_else(|| ConstraintError::invalid(path, "null"))?,
        ));
        let limits = self.limits;
        let string = self.push(Node::String(StrSpec::free(0, limits.max_string_chars)));
        let number = self.push(Node::Number(NumberSpec::new(
            false,
            None,
            None,
            limits.max_int_digits,
            limits.max_frac_digits,
            path,
        )?));
        let literal = self.push(Node::Literal(
            LiteralTrie::new(["true", "false", "null"])
                .ok_or_else(|| ConstraintError::invalid(path, "literals"))?,
        ));
        let key = self.push(Node::String(StrSpec::free(1, MAX_KEY_CHARS)));
        let object = self.push(Node::Map {
            key,
            value: any,
            min_props: 0,
            max_props: limits.max_array_items,
        });
        let array = self.push(Node::Array {
            items: any,
            min_items: 0,
            max_items: limits.max_array_items,
        });
        let alts = vec![string, number, literal, object, array];
        let by_first_byte = self
            .first_byte_table(&alts)
            .map_err(|_| ConstraintError::invalid(path, "JSON values start with distinct bytes"))?;
        self.nodes[any as usize] = Node::AnyOf {
            alts,
            by_first_byte,
            closing: number,
        };
        Ok(any)
    }
}
