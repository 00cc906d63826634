//! Batches of training pairs for in-batch-negative contrastive training: a seeded, resumable
//! order in which no positive of a batch is a correct answer for another pair's anchor (it would
//! be trained as a wrong one), and right-padded token batches.

use std::collections::{HashMap, HashSet};

use hirelm_core::EncoderPair;
use hirelm_model::burn::tensor::{Bool, Device, Int, Tensor, TensorData};

use super::mining::HardNegative;
use crate::sft::ExampleOrder;

/// Pairs drawn batch by batch from a seeded endless order (a fresh permutation per epoch).
#[derive(Debug, Clone)]
pub struct PairBatcher {
    order: ExampleOrder,
    keys: Vec<u64>,
    anchors: Vec<u64>,
    /// Every key each anchor is paired with (a sentence has several skills).
    anchor_keys: HashMap<u64, Vec<u64>>,
}

/// FNV-1a of a text: how batches compare anchors and concepts without holding their strings.
pub(crate) fn text_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl PairBatcher {
    /// A batcher over `pairs` in the order of `seed`.
    pub fn new(pairs: &[EncoderPair], seed: u64) -> Self {
        let keys: Vec<u64> = pairs.iter().map(|p| text_hash(&p.key)).collect();
        let anchors: Vec<u64> = pairs.iter().map(|p| text_hash(&p.anchor)).collect();
        let mut anchor_keys: HashMap<u64, Vec<u64>> = HashMap::new();
        for (anchor, key) in anchors.iter().zip(&keys) {
            let list = anchor_keys.entry(*anchor).or_default();
            if !list.contains(key) {
                list.push(*key);
            }
        }
        Self {
            order: ExampleOrder::new(pairs.len(), seed),
            keys,
            anchors,
            anchor_keys,
        }
    }

    /// The candidates to add to `batch` as extra negatives: the pairs' mined `negatives`
    /// (indexed by pair), each kept once, and only where it is no anchor's answer in the batch
    /// and not a positive of it (a candidate twice would be both the target and a negative).
    pub fn batch_negatives<'n>(
        &self,
        batch: &[usize],
        negatives: &'n [Option<HardNegative>],
    ) -> Vec<&'n HardNegative> {
        let mut taken: HashSet<u64> = batch.iter().map(|&i| self.keys[i]).collect();
        for &i in batch {
            taken.extend(self.anchor_keys[&self.anchors[i]].iter().copied());
        }
        let mut out = Vec::new();
        for negative in batch.iter().filter_map(|&i| negatives.get(i)?.as_ref()) {
            if taken.insert(text_hash(&negative.key)) {
                out.push(negative);
            }
        }
        out
    }

    /// The next batch of up to `size` pair indices starting at stream position `cursor`, and
    /// the position after it. In-batch negatives must be true negatives: a pair is passed over
    /// (it comes again next epoch) when its positive is a correct answer for an anchor already in
    /// the batch, when a positive already in the batch is correct for its anchor (a sentence
    /// with several skills), or when its anchor is already there. The batch is short only when
    /// one epoch's walk cannot fill it. The result depends on `(seed, cursor)` alone, so a
    /// resumed run draws the same.
    pub fn next_batch(&mut self, cursor: u64, size: usize) -> (Vec<usize>, u64) {
        let (mut positive_keys, mut answer_keys, mut anchors) =
            (HashSet::new(), HashSet::new(), HashSet::new());
        let mut batch = Vec::with_capacity(size);
        let mut position = cursor;
        let limit = cursor + self.keys.len() as u64;
        while batch.len() < size && position < limit {
            let Some(i) = self.order.index_at(position) else {
                break;
            };
            position += 1;
            let own = &self.anchor_keys[&self.anchors[i]];
            if anchors.contains(&self.anchors[i])
                || answer_keys.contains(&self.keys[i])
                || own.iter().any(|k| positive_keys.contains(k))
            {
                continue;
            }
            anchors.insert(self.anchors[i]);
            positive_keys.insert(self.keys[i]);
            answer_keys.extend(own.iter().copied());
            batch.push(i);
        }
        (batch, position)
    }
}

/// Token ids of texts, padded into `[batch, seq]` tensors with an attention mask.
#[derive(Debug, Clone, PartialEq)]
pub struct TextBatch {
    /// Rows.
    pub batch: usize,
    /// Longest row.
    pub seq: usize,
    /// `batch × seq` token ids, 0-padded.
    pub ids: Vec<i64>,
    /// `batch × seq`, `true` on real tokens.
    pub mask: Vec<bool>,
}

impl TextBatch {
    /// Right-pads `rows` (each non-empty) to the longest.
    pub fn collate(rows: &[&[u32]]) -> Self {
        let batch = rows.len();
        let seq = rows.iter().map(|r| r.len()).max().unwrap_or(0);
        let mut ids = vec![0i64; batch * seq];
        let mut mask = vec![false; batch * seq];
        for (r, row) in rows.iter().enumerate() {
            for (t, &id) in row.iter().enumerate() {
                ids[r * seq + t] = i64::from(id);
                mask[r * seq + t] = true;
            }
        }
        Self {
            batch,
            seq,
            ids,
            mask,
        }
    }

    /// Tokens, padding included.
    pub fn tokens(&self) -> usize {
        self.batch * self.seq
    }

    /// `(input_ids, token_type_ids, attention_mask)` on `device`.
    pub fn tensors(&self, device: &Device) -> (Tensor<2, Int>, Tensor<2, Int>, Tensor<2, Bool>) {
        let shape = [self.batch, self.seq];
        (
            Tensor::from_data(TensorData::new(self.ids.clone(), shape), device),
            Tensor::zeros(shape, device),
            Tensor::from_data(TensorData::new(self.mask.clone(), shape), device),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::test_pair as pair;

    #[test]
    fn no_batch_repeats_a_key_or_an_anchor_and_resuming_draws_the_same() {
        // 40 pairs over 10 keys, anchors repeating every 7.
        let pairs: Vec<EncoderPair> = (0..40)
            .map(|i| {
                pair(
                    &format!("s{}", i % 7 + 10 * (i % 3)),
                    &format!("k{}", i % 10),
                )
            })
            .collect();
        let mut batcher = PairBatcher::new(&pairs, 5);
        let mut cursor = 0;
        let mut seen = Vec::new();
        for _ in 0..6 {
            let (batch, next) = batcher.next_batch(cursor, 8);
            assert!(!batch.is_empty() && next > cursor);
            let keys: HashSet<&str> = batch.iter().map(|&i| pairs[i].key.as_str()).collect();
            let anchors: HashSet<&str> = batch.iter().map(|&i| pairs[i].anchor.as_str()).collect();
            assert_eq!(keys.len(), batch.len(), "a key twice in {batch:?}");
            assert_eq!(anchors.len(), batch.len(), "an anchor twice in {batch:?}");
            seen.push((cursor, batch));
            cursor = next;
        }
        for (cursor, batch) in seen {
            assert_eq!(PairBatcher::new(&pairs, 5).next_batch(cursor, 8).0, batch);
        }
        // Fewer keys than the batch size: the batch is short (at most one pair per key), not
        // endless.
        let (batch, next) = PairBatcher::new(&pairs, 5).next_batch(0, 64);
        assert!(
            !batch.is_empty() && batch.len() <= 10 && next == 40,
            "{batch:?} {next}"
        );
    }

    #[test]
    fn a_positive_that_is_correct_for_another_anchor_is_kept_out_of_its_batch() {
        // "s" asks for k1 and k2; "t" for k2 only; "u" for k3. With s in a batch, t's positive
        // k2 would be a false negative for s (and s's k2 pair is s's anchor twice).
        let pairs = vec![
            pair("s", "k1"),
            pair("s", "k2"),
            pair("t", "k2"),
            pair("u", "k3"),
        ];
        for seed in 0..20 {
            let (batch, _) = PairBatcher::new(&pairs, seed).next_batch(0, 4);
            let anchors: Vec<&str> = batch.iter().map(|&i| pairs[i].anchor.as_str()).collect();
            assert!(
                !(anchors.contains(&"s") && anchors.contains(&"t")),
                "seed {seed}: {anchors:?}"
            );
            assert!(
                anchors.contains(&"u"),
                "an unrelated pair is never passed over"
            );
        }
    }

    #[test]
    fn a_negative_that_answers_any_anchor_of_the_batch_is_dropped() {
        let pairs = vec![
            pair("s", "k1"),
            pair("s", "k2"),
            pair("t", "k3"),
            pair("u", "k4"),
        ];
        let batcher = PairBatcher::new(&pairs, 0);
        let negative = |key: &str| {
            Some(HardNegative {
                text: key.into(),
                key: key.into(),
            })
        };
        // Batch {s→k1, t→k3, u→k4}: k2 answers s (not in the batch as a positive), k3 is a
        // positive, k9 twice is one new candidate.
        let negatives = vec![negative("k2"), None, negative("k9"), negative("k9")];
        let kept = batcher.batch_negatives(&[0, 2, 3], &negatives);
        let keys: Vec<&str> = kept.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, ["k9"]);
        let negatives = vec![negative("k3"), None, negative("k5"), None];
        let kept = batcher.batch_negatives(&[0, 2, 3], &negatives);
        let keys: Vec<&str> = kept.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, ["k5"]);
    }

    #[test]
    fn collate_pads_and_masks() {
        let b = TextBatch::collate(&[&[5, 6, 7], &[8]]);
        assert_eq!((b.batch, b.seq), (2, 3));
        assert_eq!(b.ids, [5, 6, 7, 8, 0, 0]);
        assert_eq!(b.mask, [true, true, true, true, false, false]);
    }
}
