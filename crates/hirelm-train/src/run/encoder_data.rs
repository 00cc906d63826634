//! The data of an encoder run: the pairs a recipe selects, their token ids, the fingerprint
//! that ties a checkpoint to them, and the hard negatives mined for them.

use std::collections::HashMap;
use std::path::Path;

use hirelm_core::{EncoderPair, PairSource};
use hirelm_model::bert::BertModel;
use hirelm_model::burn::tensor::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use tokenizers::{Tokenizer, TruncationParams};

use super::encoder_config::EncoderTrainConfig;
use crate::contrastive::{HardNegative, mine_hard_negatives};
use crate::error::{LoraError, Result};

/// Token ids of texts, one row per text.
pub(super) type TokenRows = Vec<Vec<u32>>;

/// The mined negatives of a run, beside its checkpoints.
pub const HARD_NEGATIVES_FILE: &str = "hard-negatives.json";

fn fail(path: &Path, e: impl std::fmt::Display) -> LoraError {
    LoraError::Checkpoint {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The pairs a recipe trains on: each source capped at its `max_per_source`, drawn by the seed.
pub fn select_pairs(config: &EncoderTrainConfig, pairs: &[EncoderPair]) -> Vec<EncoderPair> {
    let mut rng = StdRng::seed_from_u64(config.run.seed ^ 0x5e1e_c7ed);
    let mut out = Vec::new();
    for source in PairSource::ALL {
        let mut of: Vec<&EncoderPair> = pairs.iter().filter(|p| p.source == source).collect();
        if let Some(cap) = config.cap(source).filter(|cap| *cap < of.len()) {
            of.shuffle(&mut rng);
            of.truncate(cap);
        }
        out.extend(of.into_iter().cloned());
    }
    out
}

/// Token ids of every anchor and positive (each distinct text tokenized once), and how many
/// distinct texts were truncated to `max_len`.
pub(super) fn tokenize_pairs(
    path: &Path,
    pairs: &[EncoderPair],
    max_len: usize,
) -> Result<(TokenRows, TokenRows, usize)> {
    let mut tokenizer = Tokenizer::from_file(path)
        .map_err(|e| fail(path, format!("reading the tokenizer: {e}")))?;
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: max_len,
            ..TruncationParams::default()
        }))
        .map_err(|e| fail(path, format!("setting truncation to {max_len}: {e}")))?;
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut texts: Vec<&str> = Vec::new();
    for pair in pairs {
        for text in [pair.anchor.as_str(), pair.positive.as_str()] {
            index.entry(text).or_insert_with(|| {
                texts.push(text);
                texts.len() - 1
            });
        }
    }
    let encodings = tokenizer
        .encode_batch(texts.clone(), true)
        .map_err(|e| fail(path, format!("tokenizing: {e}")))?;
    let truncated = encodings
        .iter()
        .filter(|e| !e.get_overflowing().is_empty())
        .count();
    let ids: Vec<Vec<u32>> = encodings.iter().map(|e| e.get_ids().to_vec()).collect();
    let lookup = |text: &str| ids[index[text]].clone();
    let anchors = pairs.iter().map(|p| lookup(&p.anchor)).collect();
    let positives = pairs.iter().map(|p| lookup(&p.positive)).collect();
    Ok((anchors, positives, truncated))
}

/// FNV-1a over the tokenized pairs, their keys and the knobs that decide which pairs a step draws.
pub(super) fn fingerprint(
    pairs: &[EncoderPair],
    anchors: &[Vec<u32>],
    positives: &[Vec<u32>],
    config: &EncoderTrainConfig,
) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |v: u64| {
        for b in v.to_le_bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    eat(config.optim.batch_size as u64);
    eat(config.data.max_len as u64);
    if let Some(hard) = &config.hard_negatives {
        eat(hard.relative_margin.to_bits());
    }
    for ((a, p), pair) in anchors.iter().zip(positives).zip(pairs) {
        eat(a.len() as u64);
        a.iter().chain(p).for_each(|&id| eat(u64::from(id)));
        pair.key.bytes().for_each(|b| eat(u64::from(b)));
    }
    hash
}

#[derive(Debug, Serialize, Deserialize)]
struct MinedFile {
    /// The fingerprint of the pair stream the negatives were mined for.
    stream: u64,
    relative_margin: f64,
    /// One entry per selected pair.
    negatives: Vec<Option<HardNegative>>,
}

/// The hard negatives of a run, one per pair (`None` where none qualified): mined with `model`
/// (the starting encoder) on a fresh run and saved in `out_dir`, read back on resume.
pub(super) fn hard_negatives(
    config: &EncoderTrainConfig,
    pairs: &[EncoderPair],
    (anchors, positives): (&[Vec<u32>], &[Vec<u32>]),
    stream: u64,
    fresh_model: Option<&BertModel>,
    device: &Device,
) -> Result<Vec<Option<HardNegative>>> {
    let Some(section) = &config.hard_negatives else {
        return Ok(vec![None; pairs.len()]);
    };
    let path = config.run.out_dir.join(HARD_NEGATIVES_FILE);
    let Some(model) = fresh_model else {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            fail(
                &path,
                format!("the run mines hard negatives, but they cannot be read back: {e}"),
            )
        })?;
        let file: MinedFile = serde_json::from_str(&text).map_err(|e| fail(&path, e))?;
        if file.stream != stream || file.negatives.len() != pairs.len() {
            return Err(fail(
                &path,
                "mined for another pair stream than the checkpoint's; start a fresh run",
            ));
        }
        return Ok(file.negatives);
    };
    let negatives = mine_hard_negatives(
        model,
        device,
        pairs,
        anchors,
        positives,
        section.relative_margin,
    );
    let file = MinedFile {
        stream,
        relative_margin: section.relative_margin,
        negatives,
    };
    let json = serde_json::to_string(&file).map_err(|e| fail(&path, e))?;
    hirelm_core::fs::write_atomic(&path, json.as_bytes()).map_err(|e| fail(&path, e))?;
    Ok(file.negatives)
}

/// Token ids of each negative's text, looked up among the positives (a negative is always one).
pub(super) fn negative_ids<'a>(
    pairs: &'a [EncoderPair],
    positives: &'a [Vec<u32>],
) -> HashMap<&'a str, &'a [u32]> {
    pairs
        .iter()
        .zip(positives)
        .map(|(pair, ids)| (pair.positive.as_str(), ids.as_slice()))
        .collect()
}
