//! The closing path: from any grammar state, a deterministic byte-by-byte way to finish the
//! value (close the open string, write the required keys still missing with their shortest
//! values, close every container). Its length bounds how many tokens the answer still needs,
//! since every single byte is a token; a decode with a token budget keeps that length within
//! the budget, so it always ends with a complete value instead of running out mid-answer.
//!
//! Following the path from a state takes exactly as many bytes as the path from that state
//! predicts, because each byte is a function of the state alone.

use super::{ArrPhase, Frame, MapPhase, ObjPhase, Stack};
use crate::constrain::compile::{JsonSchemaConstraint, Node};
use crate::constrain::literal::LiteralTrie;

impl Stack {
    /// The next byte of the closing path, or `None` when the value is complete.
    pub(crate) fn closing_byte(&self, c: &JsonSchemaConstraint) -> Option<u8> {
        if self.is_complete(c) {
            return None;
        }
        let &top = self.frames.last()?;
        let parent = || {
            // The top value may end here: the byte is the container's.
            let mut rest = self.clone();
            rest.close();
            rest.closing_byte(c)
        };
        match top {
            Frame::Pending(node) => match &c.nodes[node as usize] {
                Node::Object(_) => Some(b'{'),
                Node::Array { .. } => Some(b'['),
                Node::String(_) => Some(b'"'),
                Node::Number(spec) => {
                    crate::constrain::number::NumFrame::default().closing_byte(spec)
                }
                Node::Literal(trie) => trie.closing_byte(LiteralTrie::ROOT),
                Node::Map { .. } => Some(b'{'),
                Node::AnyOf { closing, .. } => {
                    // The shortest alternative: its first byte picks it (see `union.rs`).
                    let mut chosen = self.clone();
                    chosen.set_top(Frame::Pending(*closing));
                    chosen.closing_byte(c)
                }
            },
            Frame::Str { node, frame } => match &c.nodes[node as usize] {
                Node::String(spec) => Some(frame.closing_byte(spec)),
                _ => None,
            },
            Frame::Num { node, frame } => match &c.nodes[node as usize] {
                Node::Number(spec) => frame.closing_byte(spec).or_else(parent),
                _ => None,
            },
            Frame::Lit { node, at } => match &c.nodes[node as usize] {
                Node::Literal(trie) => trie.closing_byte(at).or_else(parent),
                _ => None,
            },
            Frame::Object { node, next, phase } => {
                let Node::Object(obj) = &c.nodes[node as usize] else {
                    return None;
                };
                let next = usize::from(next);
                match phase {
                    ObjPhase::Open | ObjPhase::AfterValue if obj.close_ok[next] => Some(b'}'),
                    ObjPhase::AfterValue => Some(b','),
                    ObjPhase::Open | ObjPhase::AfterComma => Some(b'"'),
                    ObjPhase::Key { cand, matched } => {
                        // Write the first required key when it shares the bytes typed so far,
                        // skipping optional ones; else finish the key being typed.
                        let m = usize::from(matched);
                        let typed = &obj.props[usize::from(cand)].key[..m];
                        let required = &obj.props[usize::from(obj.reach[next])].key;
                        let key = if required.len() > m && &required[..m] == typed {
                            required
                        } else {
                            &obj.props[usize::from(cand)].key
                        };
                        key.get(m).copied()
                    }
                    ObjPhase::Colon { .. } => Some(b':'),
                    ObjPhase::Value { .. } => None,
                }
            }
            Frame::Map { node, count, phase } => {
                let Node::Map { min_props, .. } = c.nodes[node as usize] else {
                    return None;
                };
                match phase {
                    MapPhase::Open | MapPhase::AfterValue if count >= min_props => Some(b'}'),
                    MapPhase::AfterValue => Some(b','),
                    MapPhase::Open | MapPhase::AfterComma => Some(b'"'),
                    MapPhase::Colon => Some(b':'),
                    MapPhase::Key | MapPhase::Value => None,
                }
            }
            Frame::Array { node, count, phase } => {
                let Node::Array {
                    items, min_items, ..
                } = c.nodes[node as usize]
                else {
                    return None;
                };
                match phase {
                    ArrPhase::Open | ArrPhase::AfterItem if count >= min_items => Some(b']'),
                    ArrPhase::AfterItem => Some(b','),
                    ArrPhase::Open | ArrPhase::AfterComma => {
                        let mut item = self.clone();
                        item.frames.push(Frame::Pending(items));
                        item.closing_byte(c)
                    }
                    ArrPhase::Item => None,
                }
            }
        }
    }
}
