//! [`LiteralTrie`]: a byte trie of the exact encodings a value may take (`enum`, booleans).
//!
//! An `enum` of 100 skill labels compiles to one trie of their compact JSON encodings
//! (`"Python (computer programming)"`, quotes included), so each decoding step costs one child
//! lookup, whatever the number of labels.

/// Index of a trie node.
pub(crate) type LitNode = u32;

/// One trie node: sorted child edges and whether a literal ends here.
#[derive(Debug, Clone, Default)]
struct Node {
    /// `(byte, child)` pairs sorted by byte.
    children: Vec<(u8, LitNode)>,
    /// Whether a complete literal ends at this node.
    terminal: bool,
}

/// A byte trie over a fixed set of literal encodings; node 0 is the root.
#[derive(Debug, Clone)]
pub(crate) struct LiteralTrie {
    nodes: Vec<Node>,
}

/// What a literal state does with the next byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LitStep {
    /// The byte continues a literal; the state moves to this node.
    Next(LitNode),
    /// The byte continues no literal, but one ended before it: the value is complete and the
    /// byte belongs to the enclosing container.
    EndBefore,
    /// The byte continues no literal and none has ended.
    Reject,
}

impl LiteralTrie {
    /// The root node.
    pub(crate) const ROOT: LitNode = 0;

    /// A trie of `literals` (duplicates are merged); `None` when the list is empty or holds an
    /// empty literal, which no value can encode to.
    pub(crate) fn new<I, B>(literals: I) -> Option<Self>
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        let mut trie = Self {
            nodes: vec![Node::default()],
        };
        let mut any = false;
        for literal in literals {
            let literal = literal.as_ref();
            if literal.is_empty() {
                return None;
            }
            any = true;
            let mut at = Self::ROOT;
            for &byte in literal {
                at = match trie.child(at, byte) {
                    Some(next) => next,
                    None => {
                        let next = trie.nodes.len() as LitNode;
                        trie.nodes.push(Node::default());
                        let children = &mut trie.nodes[at as usize].children;
                        let slot = children.partition_point(|&(b, _)| b < byte);
                        children.insert(slot, (byte, next));
                        next
                    }
                };
            }
            trie.nodes[at as usize].terminal = true;
        }
        any.then_some(trie)
    }

    /// The child of `node` along `byte`.
    #[inline]
    fn child(&self, node: LitNode, byte: u8) -> Option<LitNode> {
        let children = &self.nodes[node as usize].children;
        children.iter().find(|&&(b, _)| b == byte).map(|&(_, c)| c)
    }

    /// Whether a literal ends at `node`.
    #[inline]
    pub(crate) fn is_terminal(&self, node: LitNode) -> bool {
        self.nodes[node as usize].terminal
    }

    /// Whether `node` has no children (a literal ends here and nothing can follow).
    #[inline]
    pub(crate) fn is_leaf(&self, node: LitNode) -> bool {
        self.nodes[node as usize].children.is_empty()
    }

    /// The first byte on the way from `node` to the nearest end of a literal (`None` when one
    /// ends at `node`, or none is reachable); ties go to the smaller byte.
    pub(crate) fn closing_byte(&self, node: LitNode) -> Option<u8> {
        if node != Self::ROOT && self.is_terminal(node) {
            return None;
        }
        // Breadth first, each entry remembering the first byte of its path.
        let mut queue: std::collections::VecDeque<(LitNode, u8)> = self.nodes[node as usize]
            .children
            .iter()
            .map(|&(b, c)| (c, b))
            .collect();
        while let Some((at, first)) = queue.pop_front() {
            if self.is_terminal(at) {
                return Some(first);
            }
            queue.extend(
                self.nodes[at as usize]
                    .children
                    .iter()
                    .map(|&(_, c)| (c, first)),
            );
        }
        None
    }

    /// Bytes of the shortest literal (the closing path from the root).
    pub(crate) fn shortest_len(&self) -> usize {
        let (mut at, mut len) = (Self::ROOT, 0);
        while let Some(byte) = self.closing_byte(at) {
            match self.step(at, byte) {
                LitStep::Next(next) => (at, len) = (next, len + 1),
                _ => break,
            }
        }
        len
    }

    /// The transition of a literal state at `node` on `byte`.
    #[inline]
    pub(crate) fn step(&self, node: LitNode, byte: u8) -> LitStep {
        match self.child(node, byte) {
            Some(next) => LitStep::Next(next),
            None if node != Self::ROOT && self.is_terminal(node) => LitStep::EndBefore,
            None => LitStep::Reject,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(trie: &LiteralTrie, bytes: &[u8]) -> Option<LitNode> {
        bytes
            .iter()
            .try_fold(LiteralTrie::ROOT, |at, &b| match trie.step(at, b) {
                LitStep::Next(n) => Some(n),
                _ => None,
            })
    }

    #[test]
    fn shared_prefixes_and_terminals() {
        let trie = LiteralTrie::new(["\"good\"", "\"goo\"", "1", "10"]).expect("non-empty");
        let at = walk(&trie, b"\"good\"").expect("a literal");
        assert!(trie.is_terminal(at) && trie.is_leaf(at));
        assert!(walk(&trie, b"\"gooo").is_none());
        let one = walk(&trie, b"1").expect("prefix of 10");
        assert!(trie.is_terminal(one) && !trie.is_leaf(one));
        assert_eq!(trie.step(one, b','), LitStep::EndBefore);
        let mid = walk(&trie, b"\"go").expect("prefix");
        assert_eq!(trie.step(mid, b','), LitStep::Reject);
    }

    #[test]
    fn empty_sets_and_literals_are_refused() {
        assert!(LiteralTrie::new(Vec::<&str>::new()).is_none());
        assert!(LiteralTrie::new(["a", ""]).is_none());
    }
}
