//! How the top frame reacts to the next byte: a pending value opens by its first byte, and the
//! scalar frames (strings, numbers, literals) step; the containers' reactions are in
//! [`super::containers`].

use super::{Action, ArrPhase, Frame, MapPhase, ObjPhase, Stack};
use crate::constrain::compile::{JsonSchemaConstraint, Node};
use crate::constrain::literal::{LitStep, LiteralTrie};
use crate::constrain::number::{NumFrame, NumStep};
use crate::constrain::string::{StrFrame, StrStep};

impl Stack {
    /// The top frame's reaction to `byte`.
    #[inline]
    pub(super) fn act(c: &JsonSchemaConstraint, top: Frame, byte: u8) -> Action {
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
                Node::Map { .. } if byte == b'{' => Action::ReplaceAccept(Frame::Map {
                    node,
                    count: 0,
                    phase: MapPhase::Open,
                }),
                Node::AnyOf { by_first_byte, .. } => match by_first_byte[usize::from(byte)] {
                    crate::constrain::union::NO_ALTERNATIVE => Action::Reject,
                    alt => Action::Replace(Frame::Pending(alt)),
                },
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
            Frame::Map { node, count, phase } => Self::act_map(c, node, count, phase, byte),
            Frame::Array { node, count, phase } => Self::act_array(c, node, count, phase, byte),
        }
    }
}
