//! SentencePiece BPE vocabularies (`tokenizer.ggml.model = "llama"`, e.g. Gemma 3) as a
//! `tokenizers` BPE model, so both tokenizer families share one encoder.
//!
//! A GGUF SentencePiece vocabulary has pieces and scores but no merge list: llama.cpp merges the
//! adjacent pair whose concatenation is the highest-scoring piece. The same order as a BPE merge
//! list is every split `(left, right)` of every normal piece, ranked by the merged piece's score
//! (highest first), then by the ids of its halves (how HF converts SentencePiece models). Spaces
//! become `▁` before merging, characters without a piece fall back to `<0xXX>` byte tokens, and
//! control, unknown and user-defined pieces are matched whole before any merging, as llama.cpp
//! does (control and unknown ones only when special tokens are parsed).

use std::collections::HashMap;

use tokenizers::decoders::DecoderWrapper;
use tokenizers::decoders::byte_fallback::ByteFallback;
use tokenizers::decoders::fuse::Fuse;
use tokenizers::decoders::sequence::Sequence;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::normalizers::replace::Replace;
use tokenizers::{AddedToken, Tokenizer};

use super::{TOKEN_TYPE_CONTROL, TOKEN_TYPE_UNKNOWN, TOKEN_TYPE_USER_DEFINED};
use crate::error::{ModelError, Result};

/// GGUF token type of ordinary pieces.
const TOKEN_TYPE_NORMAL: u64 = 1;
/// SentencePiece's stand-in for a space.
pub const SPACE_MARK: char = '▁';

/// The merge list implied by `tokens`' scores: for every normal piece (highest score first),
/// each split into two normal pieces, ordered by the halves' ids.
fn merges_from_scores(tokens: &[&str], scores: &[f32], types: &[u64]) -> Vec<(String, String)> {
    let normal = |id: usize| types[id] == TOKEN_TYPE_NORMAL;
    let ids: HashMap<&str, usize> = tokens
        .iter()
        .enumerate()
        .filter(|&(id, _)| normal(id))
        .map(|(id, t)| (*t, id))
        .collect();
    let mut ranked: Vec<(usize, usize, usize)> = Vec::new(); // (merged, left, right)
    for (merged, piece) in tokens.iter().enumerate().filter(|&(id, _)| normal(id)) {
        for (split, _) in piece.char_indices().skip(1) {
            let (left, right) = piece.split_at(split);
            if let (Some(&l), Some(&r)) = (ids.get(left), ids.get(right)) {
                ranked.push((merged, l, r));
            }
        }
    }
    // Scores are finite for normal pieces; `total_cmp` keeps the order total anyway.
    ranked.sort_by(|a, b| {
        scores[b.0]
            .total_cmp(&scores[a.0])
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    ranked
        .into_iter()
        .map(|(_, l, r)| (tokens[l].to_string(), tokens[r].to_string()))
        .collect()
}

/// The SentencePiece BPE tokenizer of a GGUF vocabulary (`tokens`, `scores`, `types` of the same
/// length). `unk` is the unknown piece's id, if any.
pub(crate) fn spm_tokenizer(
    tokens: &[&str],
    scores: &[f32],
    types: &[u64],
    unk: Option<u32>,
) -> Result<Tokenizer> {
    if scores.len() != tokens.len() || types.len() != tokens.len() {
        return Err(ModelError::metadata(
            "tokenizer.ggml.scores",
            format!(
                "{} scores and {} types for {} tokens",
                scores.len(),
                types.len(),
                tokens.len()
            ),
        ));
    }
    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(id, t)| (t.to_string(), id as u32))
        .collect();
    if vocab.len() != tokens.len() {
        return Err(ModelError::metadata(
            "tokenizer.ggml.tokens",
            "a piece appears twice",
        ));
    }
    let unk = match unk {
        Some(id) => Some(tokens.get(id as usize).ok_or_else(|| {
            ModelError::metadata(
                "tokenizer.ggml.unknown_token_id",
                format!("{id} is outside the {} pieces", tokens.len()),
            )
        })?),
        None => None,
    };
    let merges = merges_from_scores(tokens, scores, types);
    let mut builder = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .byte_fallback(true)
        .fuse_unk(true);
    if let Some(unk) = unk {
        builder = builder.unk_token(unk.to_string());
    }
    let model = builder
        .build()
        .map_err(|e| ModelError::Tokenizer(format!("building SentencePiece BPE: {e}")))?;
    let mut tokenizer = Tokenizer::new(model);
    let replace = |from: &str, to: &str| {
        Replace::new(from, to)
            .map_err(|e| ModelError::Tokenizer(format!("building SentencePiece normaliser: {e}")))
    };
    tokenizer.with_normalizer(Some(NormalizerWrapper::Replace(replace(" ", "▁")?)));
    tokenizer.with_decoder(Some(DecoderWrapper::Sequence(Sequence::new(vec![
        DecoderWrapper::Replace(replace("▁", " ")?),
        DecoderWrapper::ByteFallback(ByteFallback::new()),
        DecoderWrapper::Fuse(Fuse::new()),
    ]))));
    let whole = |wanted: &[u64], special: bool| -> Vec<AddedToken> {
        tokens
            .iter()
            .zip(types)
            .filter(|(_, t)| wanted.contains(t))
            .map(|(content, _)| AddedToken::from(content.to_string(), special).normalized(false))
            .collect()
    };
    tokenizer.add_special_tokens(&whole(&[TOKEN_TYPE_CONTROL, TOKEN_TYPE_UNKNOWN], true));
    tokenizer.add_tokens(&whole(&[TOKEN_TYPE_USER_DEFINED], false));
    Ok(tokenizer)
}

/// The raw bytes of a SentencePiece piece: `<0xXX>` is that byte, `▁` a space.
pub fn piece_bytes(piece: &str) -> Vec<u8> {
    if let Some(hex) = piece.strip_prefix("<0x").and_then(|p| p.strip_suffix('>'))
        && hex.len() == 2
        && let Ok(byte) = u8::from_str_radix(hex, 16)
    {
        return vec![byte];
    }
    piece.replace(SPACE_MARK, " ").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::TextTokenizer;

    /// Pieces in score order, like a real SentencePiece vocabulary: a control token, two byte
    /// pieces, characters, merged pieces, a user-defined newline run.
    pub(crate) fn toy_spm() -> TextTokenizer {
        let pieces = [
            ("<unk>", TOKEN_TYPE_CONTROL),
            ("<end_of_turn>", TOKEN_TYPE_CONTROL),
            ("<0x0A>", 6),
            ("<0xC3>", 6),
            ("<0xA9>", 6),
            ("\n\n", TOKEN_TYPE_USER_DEFINED),
            ("▁", TOKEN_TYPE_NORMAL),
            ("a", TOKEN_TYPE_NORMAL),
            ("b", TOKEN_TYPE_NORMAL),
            ("c", TOKEN_TYPE_NORMAL),
            ("ab", TOKEN_TYPE_NORMAL),
            ("▁a", TOKEN_TYPE_NORMAL),
            ("bc", TOKEN_TYPE_NORMAL),
            ("▁ab", TOKEN_TYPE_NORMAL),
        ];
        let tokens: Vec<&str> = pieces.iter().map(|p| p.0).collect();
        let types: Vec<u64> = pieces.iter().map(|p| p.1).collect();
        let scores: Vec<f32> = (0..pieces.len()).map(|i| -(i as f32)).collect();
        let tok = spm_tokenizer(&tokens, &scores, &types, Some(0)).expect("builds");
        let mut tok = TextTokenizer::new(tok, None, Some(1), false);
        tok.alphabet = super::super::TokenAlphabet::SentencePiece;
        tok
    }

    #[test]
    fn higher_scoring_merges_win_and_spaces_become_marks() {
        let tok = toy_spm();
        let id = |t: &str| tok.token_id(t).expect("piece");
        // "abc": `ab` (score -10) beats `bc` (-12), so the pieces are ab + c.
        assert_eq!(
            tok.encode("abc", false, false).unwrap(),
            [id("ab"), id("c")]
        );
        // " ab": `▁a` first (-11), then `▁ab` (-13) from ▁a + b.
        assert_eq!(tok.encode(" ab", false, false).unwrap(), [id("▁ab")]);
        assert_eq!(tok.decode(&[id("▁ab"), id("c")], false).unwrap(), " abc");
    }

    #[test]
    fn unknown_characters_fall_back_to_bytes_and_round_trip() {
        let tok = toy_spm();
        let ids = tok.encode("é\n", false, false).unwrap();
        assert_eq!(ids, [3, 4, 2]);
        assert_eq!(tok.decode(&ids, false).unwrap(), "é\n");
        assert_eq!(piece_bytes("<0xC3>"), [0xC3]);
        assert_eq!(piece_bytes("▁ab"), b" ab");
    }

    #[test]
    fn user_defined_pieces_match_whole_and_control_pieces_only_when_asked() {
        let tok = toy_spm();
        assert_eq!(tok.encode("a\n\nb", false, false).unwrap(), [7, 5, 8]);
        let end = tok.token_id("<end_of_turn>").unwrap();
        assert_eq!(
            tok.encode("a<end_of_turn>", true, false).unwrap().last(),
            Some(&end)
        );
        assert!(
            !tok.encode("a<end_of_turn>", false, false)
                .unwrap()
                .contains(&end)
        );
    }

    #[test]
    fn mismatched_metadata_lengths_and_a_stray_unknown_id_are_named() {
        let err = spm_tokenizer(&["a", "b"], &[0.0], &[1, 1], None).expect_err("lengths differ");
        assert!(err.to_string().contains("tokenizer.ggml.scores"), "{err}");
        let err =
            spm_tokenizer(&["a", "b"], &[0.0, -1.0], &[1, 1], Some(7)).expect_err("no piece 7");
        assert!(
            err.to_string().contains("tokenizer.ggml.unknown_token_id"),
            "{err}"
        );
    }
}
