//! [`ConstraintState`]: the incremental position in the grammar, advanced byte by byte.
//!
//! The state is a stack of small `Copy` frames, one per open value (object, array, string,
//! number, literal), so cloning it for lookahead is a short `memcpy`; [`Stack::clone_from`]
//! even reuses the allocation. Values close themselves where their syntax says so (`}`, `]`, the
//! closing quote, the last byte of a literal); a number only ends when a byte arrives that
//! cannot extend it, and that byte is then handed to the enclosing container.

use std::sync::Arc;

mod closing;

use super::compile::{JsonSchemaConstraint, Node, NodeId};
use super::error::ConstraintError;
use super::literal::{LitNode, LitStep, LiteralTrie};
use super::number::{NumFrame, NumStep};
use super::string::{StrFrame, StrSpec, StrStep};

/// Where an object is between its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ObjPhase {
    /// After `{`: a key or (when nothing is required) `}`.
    Open,
    /// After `,`: a key.
    AfterComma,
    /// Inside a key: `matched` bytes (opening quote included) agree with property `cand`.
    Key { cand: u16, matched: u16 },
    /// After the key of property `prop`: `:`.
    Colon { prop: u16 },
    /// The value of property `prop` is the frame above.
    Value { prop: u16 },
    /// After a value: `,` or `}`.
    AfterValue,
}

/// Where an array is between its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrPhase {
    /// After `[`: an item or (when `minItems` is 0) `]`.
    Open,
    /// After `,`: an item.
    AfterComma,
    /// An item is the frame above.
    Item,
    /// After an item: `,` or `]`.
    AfterItem,
}

/// One open value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// A value of the node whose first byte has not come yet.
    Pending(NodeId),
    /// Inside an object; `next` is the first property that may still come.
    Object {
        node: NodeId,
        next: u16,
        phase: ObjPhase,
    },
    /// Inside an array with `count` complete items.
    Array {
        node: NodeId,
        count: u32,
        phase: ArrPhase,
    },
    /// Inside a string, after the opening quote.
    Str { node: NodeId, frame: StrFrame },
    /// Inside a number.
    Num { node: NodeId, frame: NumFrame },
    /// Inside a literal, at a trie node.
    Lit { node: NodeId, at: LitNode },
}

/// What the top frame asks the stack to do after seeing a byte.
enum Action {
    /// The byte was consumed and closed the top value.
    AcceptClose,
    /// The top value ended before the byte: close it and give the byte to the parent.
    CloseRefeed,
    /// Replace the top frame and give it the byte again.
    Replace(Frame),
    /// Replace the top frame (byte consumed).
    ReplaceAccept(Frame),
    /// The byte was consumed; open a value of this node above.
    AcceptPush(Frame, NodeId),
    /// Open a value of this node above (phase updated) and give it the byte.
    PushRefeed(Frame, NodeId),
    /// The byte is not allowed.
    Reject,
}

/// The grammar position without the schema: what lookahead clones.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Stack {
    frames: Vec<Frame>,
    /// Whether the root value is complete and closed.
    done: bool,
}

impl Clone for Stack {
    fn clone(&self) -> Self {
        Self {
            frames: self.frames.clone(),
            done: self.done,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.frames.clone_from(&source.frames);
        self.done = source.done;
    }
}

impl Stack {
    /// The state before the first byte of a value of `root`.
    pub(crate) fn new(root: NodeId) -> Self {
        let mut frames = Vec::with_capacity(8);
        frames.push(Frame::Pending(root));
        Self {
            frames,
            done: false,
        }
    }

    /// Feeds one byte; `false` when it is not allowed (the stack is then left in an
    /// unspecified state: step a clone when the old one is still needed).
    #[inline]
    pub(crate) fn step(&mut self, c: &JsonSchemaConstraint, byte: u8) -> bool {
        loop {
            let Some(&top) = self.frames.last() else {
                return false;
            };
            let action = Self::act(c, top, byte);
            match action {
                Action::AcceptClose => {
                    self.close();
                    return true;
                }
                Action::CloseRefeed => self.close(),
                Action::Replace(frame) => self.set_top(frame),
                Action::ReplaceAccept(frame) => {
                    self.set_top(frame);
                    return true;
                }
                Action::AcceptPush(frame, node) => {
                    self.set_top(frame);
                    self.frames.push(Frame::Pending(node));
                    return true;
                }
                Action::PushRefeed(frame, node) => {
                    self.set_top(frame);
                    self.frames.push(Frame::Pending(node));
                }
                Action::Reject => return false,
            }
        }
    }

    /// Replaces the top frame.
    #[inline]
    fn set_top(&mut self, frame: Frame) {
        if let Some(top) = self.frames.last_mut() {
            *top = frame;
        }
    }

    /// The top frame's reaction to `byte`.
    #[inline]
    fn act(c: &JsonSchemaConstraint, top: Frame, byte: u8) -> Action {
        match top {
            Frame::Pending(node) => match &c.nodes[node as usize] {
                Node::Object(_) if byte == b'{' => Action::ReplaceAccept(Frame::Object {
                    node,
                    next: 0,
                    phase: ObjPhase::Open,
                }),
                Node::Array { .. } if byte == b'[' => Action::ReplaceAccept(Frame::Array {
                    node,
                    count: 0,
                    phase: ArrPhase::Open,
                }),
                Node::String(_) if byte == b'"' => Action::ReplaceAccept(Frame::Str {
                    node,
                    frame: StrFrame::default(),
                }),
                Node::Number(_) => Action::Replace(Frame::Num {
                    node,
                    frame: NumFrame::default(),
                }),
                Node::Literal(_) => Action::Replace(Frame::Lit {
                    node,
                    at: LiteralTrie::ROOT,
                }),
                _ => Action::Reject,
            },
            Frame::Str { node, mut frame } => {
                let Node::String(spec) = &c.nodes[node as usize] else {
                    return Action::Reject;
                };
                match frame.step(spec, byte) {
                    StrStep::Consumed => Action::ReplaceAccept(Frame::Str { node, frame }),
                    StrStep::Closed => Action::AcceptClose,
                    StrStep::Reject => Action::Reject,
                }
            }
            Frame::Num { node, mut frame } => {
                let Node::Number(spec) = &c.nodes[node as usize] else {
                    return Action::Reject;
                };
                match frame.step(spec, byte) {
                    NumStep::Consumed => Action::ReplaceAccept(Frame::Num { node, frame }),
                    NumStep::EndBefore => Action::CloseRefeed,
                    NumStep::Reject => Action::Reject,
                }
            }
            Frame::Lit { node, at } => {
                let Node::Literal(trie) = &c.nodes[node as usize] else {
                    return Action::Reject;
                };
                match trie.step(at, byte) {
                    LitStep::Next(next) if trie.is_leaf(next) => Action::AcceptClose,
                    LitStep::Next(next) => Action::ReplaceAccept(Frame::Lit { node, at: next }),
                    LitStep::EndBefore => Action::CloseRefeed,
                    LitStep::Reject => Action::Reject,
                }
            }
            Frame::Object { node, next, phase } => Self::act_object(c, node, next, phase, byte),
            Frame::Array { node, count, phase } => {
                let Node::Array {
                    items,
                    min_items,
                    max_items,
                } = c.nodes[node as usize]
                else {
                    return Action::Reject;
                };
                let with = |phase| Frame::Array { node, count, phase };
                match phase {
                    ArrPhase::Open | ArrPhase::AfterItem if byte == b']' && count >= min_items => {
                        Action::AcceptClose
                    }
                    ArrPhase::Open | ArrPhase::AfterComma if byte != b']' && count < max_items => {
                        Action::PushRefeed(with(ArrPhase::Item), items)
                    }
                    ArrPhase::AfterItem if byte == b',' && count < max_items => {
                        Action::ReplaceAccept(with(ArrPhase::AfterComma))
                    }
                    _ => Action::Reject,
                }
            }
        }
    }

    /// An object frame's reaction to `byte`.
    #[inline]
    fn act_object(
        c: &JsonSchemaConstraint,
        node: NodeId,
        next: u16,
        phase: ObjPhase,
        byte: u8,
    ) -> Action {
        let Node::Object(obj) = &c.nodes[node as usize] else {
            return Action::Reject;
        };
        let with = |next, phase| Frame::Object { node, next, phase };
        let n = obj.props.len() as u16;
        match phase {
            ObjPhase::Open | ObjPhase::AfterValue
                if byte == b'}' && obj.close_ok[usize::from(next)] =>
            {
                Action::AcceptClose
            }
            ObjPhase::Open | ObjPhase::AfterComma if byte == b'"' && next < n => {
                Action::ReplaceAccept(with(
                    next,
                    ObjPhase::Key {
                        cand: next,
                        matched: 1,
                    },
                ))
            }
            ObjPhase::AfterValue if byte == b',' && next < n => {
                Action::ReplaceAccept(with(next, ObjPhase::AfterComma))
            }
            ObjPhase::Key { cand, matched } => {
                let m = usize::from(matched);
                let current = &obj.props[usize::from(cand)].key[..m];
                let last = obj.reach[usize::from(next)];
                for j in cand..=last {
                    let key = &obj.props[usize::from(j)].key;
                    if key.len() > m && key[m] == byte && &key[..m] == current {
                        let phase = if key.len() == m + 1 {
                            ObjPhase::Colon { prop: j }
                        } else {
                            ObjPhase::Key {
                                cand: j,
                                matched: matched + 1,
                            }
                        };
                        return Action::ReplaceAccept(with(next, phase));
                    }
                }
                Action::Reject
            }
            ObjPhase::Colon { prop } if byte == b':' => Action::AcceptPush(
                with(next, ObjPhase::Value { prop }),
                obj.props[usize::from(prop)].schema,
            ),
            _ => Action::Reject,
        }
    }

    /// The top frame and its spec when it is inside a free-form string.
    #[inline]
    pub(crate) fn top_string(&self, c: &JsonSchemaConstraint) -> Option<(StrFrame, StrSpec)> {
        match self.frames.last() {
            Some(&Frame::Str { node, frame }) => match &c.nodes[node as usize] {
                Node::String(spec) => Some((frame, *spec)),
                _ => None,
            },
            _ => None,
        }
    }

    /// Pops the top value (now complete) and tells its parent.
    pub(crate) fn close(&mut self) {
        self.frames.pop();
        match self.frames.last_mut() {
            None => self.done = true,
            Some(Frame::Object { next, phase, .. }) => {
                if let ObjPhase::Value { prop } = *phase {
                    *next = prop + 1;
                    *phase = ObjPhase::AfterValue;
                }
            }
            Some(Frame::Array { count, phase, .. }) => {
                *count += 1;
                *phase = ArrPhase::AfterItem;
            }
            Some(_) => {}
        }
    }

    /// Whether the bytes so far form a complete value: the root closed, or the root is a
    /// number or literal that may end here.
    pub(crate) fn is_complete(&self, c: &JsonSchemaConstraint) -> bool {
        match self.frames.as_slice() {
            [] => self.done,
            [Frame::Num { node, frame }] => match &c.nodes[*node as usize] {
                Node::Number(spec) => frame.can_end(spec),
                _ => false,
            },
            [Frame::Lit { node, at }] => match &c.nodes[*node as usize] {
                Node::Literal(trie) => *at != LiteralTrie::ROOT && trie.is_terminal(*at),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether the root value closed itself, so no byte at all may follow.
    pub(crate) fn is_closed(&self) -> bool {
        self.done
    }
}

/// The incremental position of a decode in a compiled schema's grammar.
///
/// ```
/// use std::sync::Arc;
/// use hirelm_infer::constrain::{ConstraintState, JsonSchemaConstraint};
/// let schema = serde_json::json!({"type": "object", "properties": {"ok": {"type": "boolean"}},
///                                 "required": ["ok"], "additionalProperties": false});
/// let mut state = ConstraintState::new(Arc::new(JsonSchemaConstraint::compile(&schema)?));
/// state.advance_bytes(br#"{"ok":tr"#)?;
/// assert!(state.advance_bytes(b"ee").is_err());
/// state.advance_bytes(b"ue}")?;
/// assert!(state.is_complete());
/// # Ok::<(), hirelm_infer::constrain::ConstraintError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConstraintState {
    schema: Arc<JsonSchemaConstraint>,
    pub(crate) stack: Stack,
    /// Bytes accepted so far.
    offset: usize,
}

impl ConstraintState {
    /// The state before the first byte.
    pub fn new(schema: Arc<JsonSchemaConstraint>) -> Self {
        let stack = Stack::new(schema.root);
        Self {
            schema,
            stack,
            offset: 0,
        }
    }

    /// The compiled schema.
    pub fn schema(&self) -> &Arc<JsonSchemaConstraint> {
        &self.schema
    }

    /// Accepts `bytes`, all or nothing: on error the state is unchanged and the error names the
    /// first refused byte.
    pub fn advance_bytes(&mut self, bytes: &[u8]) -> Result<(), ConstraintError> {
        let mut stack = self.stack.clone();
        for (i, &byte) in bytes.iter().enumerate() {
            if !stack.step(&self.schema, byte) {
                return Err(ConstraintError::rejected_byte(byte, self.offset + i));
            }
        }
        self.stack = stack;
        self.offset += bytes.len();
        Ok(())
    }

    /// Whether `bytes` may come next (the state is not changed).
    pub fn accepts(&self, bytes: &[u8]) -> bool {
        let mut stack = self.stack.clone();
        bytes.iter().all(|&b| stack.step(&self.schema, b))
    }

    /// Whether the bytes so far form one complete valid value.
    pub fn is_complete(&self) -> bool {
        self.stack.is_complete(&self.schema)
    }

    /// Tokens still needed to finish the value along its closing path (one byte per token,
    /// plus end-of-sequence when the root does not close itself: a number or literal), or
    /// `None` in a state the grammar never reaches. Every single byte being a token (SmolLM2's
    /// vocabulary has them all), the value can always be finished within this many tokens.
    pub fn tokens_to_finish(&self) -> Option<usize> {
        let mut end = self.stack.clone();
        let mut bytes = 0;
        while let Some(byte) = end.closing_byte(&self.schema) {
            if !end.step(&self.schema, byte) {
                return None;
            }
            bytes += 1;
        }
        Some(bytes + usize::from(!end.is_closed()))
    }

    /// The next byte of the closing path (`None` when the value is complete).
    pub fn closing_byte(&self) -> Option<u8> {
        self.stack.closing_byte(&self.schema)
    }

    /// Whether the value is complete and nothing at all may follow (always the case for an
    /// object or array root once complete).
    pub fn is_closed(&self) -> bool {
        self.stack.is_closed()
    }

    /// Bytes accepted so far.
    pub fn bytes_accepted(&self) -> usize {
        self.offset
    }
}

#[cfg(test)]
mod tests {
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
        let s = state(
            json!({"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 2}),
        );
        assert!(s.accepts(b"[1.5,20]"));
        assert!(!s.accepts(b"[1.5]"), "minItems");
        assert!(!s.accepts(b"[1.,2]"));
        assert!(!s.accepts(b"[-1,2]"));
        let mut st = s.clone();
        st.advance_bytes(b"[0,0]").expect("valid");
        assert!(st.is_closed());
    }
}
