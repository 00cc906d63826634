//! [`ConstraintState`]: the incremental position in the grammar, advanced byte by byte.
//!
//! The state is a stack of small `Copy` frames, one per open value (object, array, string,
//! number, literal), so cloning it for lookahead is a short `memcpy`; [`Stack::clone_from`]
//! even reuses the allocation. Values close themselves where their syntax says so (`}`, `]`, the
//! closing quote, the last byte of a literal); a number only ends when a byte arrives that
//! cannot extend it, and that byte is then handed to the enclosing container.

use std::sync::Arc;

mod act;
mod closing;
mod containers;
#[cfg(test)]
mod tests;

use super::compile::{JsonSchemaConstraint, Node, NodeId};
use super::error::ConstraintError;
use super::literal::{LitNode, LiteralTrie};
use super::number::NumFrame;
use super::string::{StrFrame, StrSpec};

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

/// Where an object with free keys is between its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MapPhase {
    /// After `{`: a key or (when `minProperties` is 0) `}`.
    Open,
    /// After `,`: a key.
    AfterComma,
    /// The key is the frame above.
    Key,
    /// After a key: `:`.
    Colon,
    /// The value is the frame above.
    Value,
    /// After a value: `,` or `}`.
    AfterValue,
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
    /// Inside an object with free keys, with `count` complete members.
    Map {
        node: NodeId,
        count: u32,
        phase: MapPhase,
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

    /// The top frame and its spec when it is inside a free-form string.
    #[inline]
    pub(crate) fn top_string<'c>(
        &self,
        c: &'c JsonSchemaConstraint,
    ) -> Option<(StrFrame, &'c StrSpec)> {
        match self.frames.last() {
            Some(&Frame::Str { node, frame }) => match &c.nodes[node as usize] {
                Node::String(spec) => Some((frame, spec)),
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
            Some(Frame::Map { count, phase, .. }) => match *phase {
                MapPhase::Key => *phase = MapPhase::Colon,
                MapPhase::Value => {
                    *count += 1;
                    *phase = MapPhase::AfterValue;
                }
                _ => {}
            },
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
