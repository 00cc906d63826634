//! [`TokenVocab`]: the raw bytes of every token id, and a byte trie over them for masking.
//!
//! The trie is stored in depth-first pre-order: node `i`'s subtree is the contiguous range
//! `i..subtree_end[i]`, so the masking walk is a linear scan that jumps over a whole subtree as
//! soon as its first byte is refused.

use hirelm_model::tokenizer::spm::piece_bytes;
use hirelm_model::tokenizer::{TextTokenizer, TokenAlphabet};

/// The byte-level BPE alphabet (GPT-2's `bytes_to_unicode`): the character standing for each
/// byte in token strings.
fn byte_to_char() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut extra = 0u32;
    for byte in 0..=255u8 {
        let printable = matches!(byte, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        let code = if printable {
            u32::from(byte)
        } else {
            extra += 1;
            255 + extra
        };
        table[usize::from(byte)] = char::from_u32(code).unwrap_or('\0');
    }
    table
}

/// The raw bytes of a token string in the byte-level alphabet; `None` if a character is not in
/// the alphabet.
fn unmap(token: &str, char_to_byte: &std::collections::HashMap<char, u8>) -> Option<Vec<u8>> {
    token
        .chars()
        .map(|c| char_to_byte.get(&c).copied())
        .collect()
}

/// The byte trie over all tokens with bytes.
#[derive(Debug, Clone, Default)]
pub(crate) struct VocabTrie {
    /// Byte on the edge into node `i` (node 0 is the root; its entry is unused).
    pub(crate) byte: Vec<u8>,
    /// Depth of node `i` (bytes from the root).
    pub(crate) depth: Vec<u16>,
    /// One past the last node of node `i`'s subtree.
    pub(crate) subtree_end: Vec<u32>,
    /// Tokens ending at node `i`: `token_ids[token_start[i]..token_start[i + 1]]`.
    pub(crate) token_start: Vec<u32>,
    /// Token ids grouped by node.
    pub(crate) token_ids: Vec<u32>,
    /// Largest depth.
    pub(crate) max_depth: usize,
}

impl VocabTrie {
    /// Builds the trie of `tokens` (ids with bytes, sorted by bytes).
    fn build(tokens: &[Option<Vec<u8>>]) -> Self {
        let mut sorted: Vec<(u32, &[u8])> = tokens
            .iter()
            .enumerate()
            .filter_map(|(id, bytes)| bytes.as_deref().map(|b| (id as u32, b)))
            .filter(|(_, b)| !b.is_empty())
            .collect();
        sorted.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(&b.0)));
        let mut trie = Self {
            byte: vec![0],
            depth: vec![0],
            subtree_end: vec![0],
            token_start: vec![0],
            ..Self::default()
        };
        // `path[d]` is the node at depth d on the path to the previous token.
        let mut path: Vec<u32> = vec![0];
        let mut previous: &[u8] = &[];
        for &(id, bytes) in &sorted {
            let shared = previous
                .iter()
                .zip(bytes)
                .take_while(|(a, b)| a == b)
                .count();
            for node in path.drain(shared + 1..) {
                trie.subtree_end[node as usize] = trie.byte.len() as u32;
            }
            for (d, &b) in bytes.iter().enumerate().skip(shared) {
                let node = trie.byte.len() as u32;
                trie.byte.push(b);
                trie.depth.push((d + 1) as u16);
                trie.subtree_end.push(0);
                trie.token_start.push(trie.token_ids.len() as u32);
                path.push(node);
            }
            // Tokens are sorted, so this token's node is the last one created or reused on the path.
            trie.token_ids.push(id);
            trie.max_depth = trie.max_depth.max(bytes.len());
            previous = bytes;
        }
        let n = trie.byte.len() as u32;
        for node in path.drain(..) {
            trie.subtree_end[node as usize] = n;
        }
        // token_start[i] was recorded when node i was created; tokens pushed later for the same
        // node come right after, so the end of node i's run is the start of node i + 1's.
        trie.token_start.push(trie.token_ids.len() as u32);
        trie
    }

    /// Number of nodes, root included.
    pub(crate) fn len(&self) -> usize {
        self.byte.len()
    }

    /// The tokens ending at node `i`.
    #[inline]
    pub(crate) fn tokens_at(&self, node: usize) -> &[u32] {
        &self.token_ids[self.token_start[node] as usize..self.token_start[node + 1] as usize]
    }
}

/// The bytes of every token id (`None` for special tokens, never allowed inside JSON) and a
/// byte trie over them.
#[derive(Debug, Clone)]
pub struct TokenVocab {
    tokens: Vec<Option<Vec<u8>>>,
    pub(crate) trie: VocabTrie,
    /// For each byte, the lowest id whose token is exactly that byte.
    single_bytes: [Option<u32>; 256],
}

impl TokenVocab {
    /// A vocabulary from the bytes of each id; empty byte strings are treated as `None`.
    pub fn from_bytes(tokens: Vec<Option<Vec<u8>>>) -> Self {
        let tokens: Vec<Option<Vec<u8>>> = tokens
            .into_iter()
            .map(|t| t.filter(|b| !b.is_empty()))
            .collect();
        let trie = VocabTrie::build(&tokens);
        let mut single_bytes = [None; 256];
        for (id, token) in tokens.iter().enumerate().rev() {
            if let Some([byte]) = token.as_deref() {
                single_bytes[usize::from(*byte)] = Some(id as u32);
            }
        }
        Self {
            tokens,
            trie,
            single_bytes,
        }
    }

    /// The vocabulary of a tokenizer: a byte-level BPE token string is mapped back to raw
    /// bytes through GPT-2's byte↔unicode table, a SentencePiece piece through `▁` and
    /// `<0xXX>`; special added tokens (`<|im_end|>`, …) are `None`; non-special added tokens are
    /// mapped the same way (their decoder applies to them too), else taken as literal UTF-8.
    pub fn from_tokenizer(tokenizer: &TextTokenizer) -> Self {
        let inner = tokenizer.inner();
        let char_to_byte: std::collections::HashMap<char, u8> = byte_to_char()
            .iter()
            .enumerate()
            .map(|(b, &c)| (c, b as u8))
            .collect();
        let piece = |text: &str| match tokenizer.alphabet {
            TokenAlphabet::ByteLevel => unmap(text, &char_to_byte),
            TokenAlphabet::SentencePiece => Some(piece_bytes(text)),
        };
        let added = inner.get_added_tokens_decoder();
        let size = tokenizer
            .vocab_size()
            .max(added.keys().map(|&id| id as usize + 1).max().unwrap_or(0));
        let tokens = (0..size as u32)
            .map(|id| match added.get(&id) {
                Some(token) if token.special => None,
                Some(token) => {
                    piece(&token.content).or_else(|| Some(token.content.as_bytes().to_vec()))
                }
                None => inner.id_to_token(id).and_then(|t| piece(&t)),
            })
            .collect();
        Self::from_bytes(tokens)
    }

    /// Number of token ids.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the vocabulary has no ids.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The bytes of `id`; `None` for special and unknown ids.
    pub fn bytes(&self, id: u32) -> Option<&[u8]> {
        self.tokens.get(id as usize).and_then(|t| t.as_deref())
    }

    /// The id of the token that is exactly `byte`, if the vocabulary has one.
    pub fn single_byte(&self, byte: u8) -> Option<u32> {
        self.single_bytes[usize::from(byte)]
    }

    /// The concatenated bytes of `ids` (special tokens contribute nothing).
    pub fn decode_bytes(&self, ids: &[u32]) -> Vec<u8> {
        ids.iter()
            .filter_map(|&id| self.bytes(id))
            .flatten()
            .copied()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpt2_alphabet_round_trips() {
        let table = byte_to_char();
        assert_eq!(table[usize::from(b'a')], 'a');
        assert_eq!(table[usize::from(b' ')], 'Ġ');
        assert_eq!(table[usize::from(b'\n')], 'Ċ');
        assert_eq!(table[0xAD], 'Ń');
        let distinct: std::collections::HashSet<char> = table.iter().copied().collect();
        assert_eq!(distinct.len(), 256);
    }

    #[test]
    fn trie_is_preorder_with_subtree_ranges() {
        let vocab = TokenVocab::from_bytes(vec![
            Some(b"ab".to_vec()),
            None,
            Some(b"a".to_vec()),
            Some(b"b".to_vec()),
            Some(b"abc".to_vec()),
            Some(Vec::new()),
            Some(b"a".to_vec()),
        ]);
        let t = &vocab.trie;
        // root, a, ab, abc, b
        assert_eq!(t.byte, [0, b'a', b'b', b'c', b'b']);
        assert_eq!(t.depth, [0, 1, 2, 3, 1]);
        assert_eq!(t.subtree_end, [5, 4, 4, 4, 5]);
        assert_eq!(t.tokens_at(1), [2, 6]);
        assert_eq!(t.tokens_at(2), [0]);
        assert_eq!(t.tokens_at(3), [4]);
        assert_eq!(t.tokens_at(4), [3]);
        assert_eq!(t.tokens_at(0), [] as [u32; 0]);
        assert_eq!(t.max_depth, 3);
        assert_eq!(vocab.bytes(5), None);
        assert_eq!(vocab.decode_bytes(&[2, 1, 3]), b"ab");
    }
}
