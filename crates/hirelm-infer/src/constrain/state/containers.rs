//! How the containers (objects with declared properties, objects with free keys, arrays) react
//! to the next byte: which bytes they take in each phase and which value they open above.

use super::{Action, ArrPhase, Frame, MapPhase, ObjPhase, Stack};
use crate::constrain::compile::{JsonSchemaConstraint, Node, NodeId};

impl Stack {
    /// An object frame's reaction to `byte`.
    #[inline]
    pub(super) fn act_object(
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

    /// The reaction of an object with free keys to `byte`.
    #[inline]
    pub(super) fn act_map(
        c: &JsonSchemaConstraint,
        node: NodeId,
        count: u32,
        phase: MapPhase,
        byte: u8,
    ) -> Action {
        let Node::Map {
            key,
            value,
            min_props,
            max_props,
        } = c.nodes[node as usize]
        else {
            return Action::Reject;
        };
        let with = |phase| Frame::Map { node, count, phase };
        match phase {
            MapPhase::Open | MapPhase::AfterValue if byte == b'}' && count >= min_props => {
                Action::AcceptClose
            }
            MapPhase::Open | MapPhase::AfterComma if byte == b'"' && count < max_props => {
                Action::PushRefeed(with(MapPhase::Key), key)
            }
            MapPhase::AfterValue if byte == b',' && count < max_props => {
                Action::ReplaceAccept(with(MapPhase::AfterComma))
            }
            MapPhase::Colon if byte == b':' => Action::AcceptPush(with(MapPhase::Value), value),
            _ => Action::Reject,
        }
    }

    /// An array frame's reaction to `byte`.
    #[inline]
    pub(super) fn act_array(
        c: &JsonSchemaConstraint,
        node: NodeId,
        count: u32,
        phase: ArrPhase,
        byte: u8,
    ) -> Action {
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
