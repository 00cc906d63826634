//! Turning rendered conversations into next-token training batches.

use hirelm_model::ChatTokens;

/// A padded batch, row-major `[batch, seq]`, ready to become tensors.
#[derive(Debug, Clone, PartialEq)]
pub struct SftBatch {
    /// Number of rows.
    pub batch: usize,
    /// Padded length of every row.
    pub seq: usize,
    /// Input token ids (`ids[..n-1]` of each example, padded).
    pub inputs: Vec<i64>,
    /// Next-token targets (`ids[1..]`, padded).
    pub targets: Vec<i64>,
    /// 1 where the target is an assistant token (its content or closing `<|im_end|>`), else 0:
    /// the loss is computed on those positions only.
    pub weights: Vec<f32>,
    /// Examples that were longer than the limit and lost their tail.
    pub truncated: usize,
    /// Packed batches only: the example each position belongs to, numbered within its row
    /// (padding gets [`PAD_SEGMENT`]). Attention never crosses from one segment to another.
    pub segments: Option<Vec<u32>>,
}

/// The segment of padding positions in a packed batch.
pub const PAD_SEGMENT: u32 = u32::MAX;

impl SftBatch {
    /// A `[batch, seq]` batch of padding only: `pad_id` everywhere, no loss, unpacked.
    pub(super) fn padded(batch: usize, seq: usize, pad_id: u32) -> Self {
        Self {
            batch,
            seq,
            inputs: vec![pad_id as i64; batch * seq],
            targets: vec![pad_id as i64; batch * seq],
            weights: vec![0.0; batch * seq],
            truncated: 0,
            segments: None,
        }
    }

    /// Number of target tokens that carry loss.
    pub fn loss_tokens(&self) -> usize {
        self.weights.iter().filter(|w| **w > 0.0).count()
    }

    /// The attention mask of a packed batch, row-major `[batch, seq, seq]`, true = blocked:
    /// causal, and blocked across segments. `None` for an unpacked batch (plain causal).
    pub fn block_mask(&self) -> Option<Vec<bool>> {
        let segments = self.segments.as_ref()?;
        let (b, n) = (self.batch, self.seq);
        let mut mask = vec![true; b * n * n];
        for row in 0..b {
            let seg = &segments[row * n..(row + 1) * n];
            for i in 0..n {
                for j in 0..=i {
                    mask[(row * n + i) * n + j] = seg[i] != seg[j];
                }
            }
        }
        Some(mask)
    }
}

/// Shifts every example by one token (inputs predict the next id), truncates at `max_len`
/// inputs, and right-pads with `pad_id` and zero weight.
pub fn collate(examples: &[ChatTokens], max_len: usize, pad_id: u32) -> SftBatch {
    let mut truncated = 0;
    let rows: Vec<(&[u32], &[bool])> = examples
        .iter()
        .map(|e| clip(e, max_len, &mut truncated))
        .collect();
    let seq = rows
        .iter()
        .map(|(ids, _)| ids.len().saturating_sub(1))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = SftBatch::padded(rows.len(), seq, pad_id);
    out.truncated = truncated;
    for (row, (ids, mask)) in rows.iter().enumerate() {
        write_shifted(&mut out, row * seq, ids, mask);
    }
    out
}

/// The first `max_len + 1` ids of `e` and their mask (`max_len` inputs once shifted), counting
/// a cut into `truncated`.
pub(super) fn clip<'a>(
    e: &'a ChatTokens,
    max_len: usize,
    truncated: &mut usize,
) -> (&'a [u32], &'a [bool]) {
    let keep = e.ids.len().min(max_len + 1);
    *truncated += usize::from(keep < e.ids.len());
    (&e.ids[..keep], &e.assistant_mask[..keep])
}

/// Writes one example from flat position `at` on, shifted by one token (inputs predict the
/// next id; weight 1 where that next id is the assistant's); returns the position after it.
pub(super) fn write_shifted(
    out: &mut SftBatch,
    mut at: usize,
    ids: &[u32],
    mask: &[bool],
) -> usize {
    for t in 0..ids.len().saturating_sub(1) {
        out.inputs[at] = ids[t] as i64;
        out.targets[at] = ids[t + 1] as i64;
        out.weights[at] = if mask[t + 1] { 1.0 } else { 0.0 };
        at += 1;
    }
    at
}

/// A rendered example for tests: `ids`, the assistant's from index `assistant_from` on.
#[cfg(test)]
pub(super) fn test_example(ids: &[u32], assistant_from: usize) -> ChatTokens {
    ChatTokens {
        ids: ids.to_vec(),
        assistant_mask: (0..ids.len()).map(|i| i >= assistant_from).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_example as example;

    #[test]
    fn shifts_masks_and_pads() {
        // ids 10..15, the assistant wrote 13 and 14.
        let b = collate(
            &[example(&[10, 11, 12, 13, 14], 3), example(&[20, 21], 1)],
            16,
            0,
        );
        assert_eq!((b.batch, b.seq), (2, 4));
        assert_eq!(&b.inputs[..4], &[10, 11, 12, 13]);
        assert_eq!(&b.targets[..4], &[11, 12, 13, 14]);
        assert_eq!(&b.weights[..4], &[0.0, 0.0, 1.0, 1.0]);
        assert_eq!(&b.inputs[4..], &[20, 0, 0, 0]);
        assert_eq!(&b.weights[4..], &[1.0, 0.0, 0.0, 0.0]);
        assert_eq!(b.loss_tokens(), 3);
        assert_eq!(b.truncated, 0);
    }

    #[test]
    fn truncation_is_counted() {
        let b = collate(&[example(&[1, 2, 3, 4, 5, 6], 2)], 3, 0);
        assert_eq!((b.seq, b.truncated), (3, 1));
        assert_eq!(b.targets, vec![2, 3, 4]);
    }
}
