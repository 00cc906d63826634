//! Packing: several short examples share one row of a batch, each attending only to itself.
//!
//! The curated mix runs from about 60 to 700 tokens, so a batch padded to its longest example is
//! mostly padding. Packing fills rows of `max_len` positions with whole examples instead. A block
//! mask keeps attention inside each example; positions keep counting across a row, which changes
//! nothing because RoPE attention depends only on the distance between two positions. The
//! loss of a packed batch therefore equals the token-weighted loss of its examples run alone (a
//! test checks it on a model).

use hirelm_model::ChatTokens;

use super::batch::{PAD_SEGMENT, SftBatch, clip, write_shifted};

/// Packs `examples` (truncated to `max_len` inputs each) into rows of at most `max_len` input
/// positions, longest first into the first row with room, and returns them as micro-batches of
/// `rows_per_batch` rows, each padded to its longest row.
pub fn collate_packed(
    examples: &[ChatTokens],
    max_len: usize,
    pad_id: u32,
    rows_per_batch: usize,
) -> Vec<SftBatch> {
    let mut truncated = 0;
    let mut pieces: Vec<(&[u32], &[bool])> = examples
        .iter()
        .filter(|e| e.ids.len() >= 2)
        .map(|e| clip(e, max_len, &mut truncated))
        .collect();
    // Stable sort: equal lengths keep the drawn order, so packing is a pure function of it.
    pieces.sort_by_key(|(ids, _)| std::cmp::Reverse(ids.len()));
    let mut rows: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, (ids, _)) in pieces.iter().enumerate() {
        let need = ids.len() - 1;
        match rows.iter_mut().find(|(used, _)| used + need <= max_len) {
            Some((used, members)) => {
                *used += need;
                members.push(i);
            }
            None => rows.push((need, vec![i])),
        }
    }
    let mut batches: Vec<SftBatch> = rows
        .chunks(rows_per_batch.max(1))
        .map(|chunk| {
            let seq = chunk
                .iter()
                .map(|(used, _)| *used)
                .max()
                .unwrap_or(1)
                .max(1);
            let mut out = SftBatch::padded(chunk.len(), seq, pad_id);
            let mut segments = vec![PAD_SEGMENT; chunk.len() * seq];
            for (row, (_, members)) in chunk.iter().enumerate() {
                let mut at = row * seq;
                for (segment, &i) in members.iter().enumerate() {
                    let (ids, mask) = pieces[i];
                    let end = write_shifted(&mut out, at, ids, mask);
                    segments[at..end].fill(segment as u32);
                    at = end;
                }
            }
            out.segments = Some(segments);
            out
        })
        .collect();
    if let Some(first) = batches.first_mut() {
        first.truncated = truncated;
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sft::batch::test_example as example;

    #[test]
    fn packs_whole_examples_longest_first_and_masks_across_them() {
        // Inputs of 4, 2 and 3 positions into rows of 6: [4 + 2] and [3].
        let examples = [
            example(&[10, 11, 12, 13, 14], 3),
            example(&[20, 21, 22], 2),
            example(&[30, 31, 32, 33], 1),
        ];
        let batches = collate_packed(&examples, 6, 0, 2);
        assert_eq!(batches.len(), 1);
        let b = &batches[0];
        assert_eq!((b.batch, b.seq), (2, 6));
        assert_eq!(&b.inputs[..6], &[10, 11, 12, 13, 20, 21]);
        assert_eq!(&b.targets[..6], &[11, 12, 13, 14, 21, 22]);
        assert_eq!(&b.weights[..6], &[0.0, 0.0, 1.0, 1.0, 0.0, 1.0]);
        assert_eq!(&b.inputs[6..], &[30, 31, 32, 0, 0, 0]);
        assert_eq!(&b.weights[6..], &[1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
        let seg = b.segments.as_ref().expect("packed");
        assert_eq!(&seg[..6], &[0, 0, 0, 0, 1, 1]);
        assert_eq!(seg[9], PAD_SEGMENT);
        let mask = b.block_mask().expect("packed");
        let blocked = |row: usize, i: usize, j: usize| mask[(row * 6 + i) * 6 + j];
        assert!(!blocked(0, 3, 0) && blocked(0, 4, 3) && !blocked(0, 5, 4) && blocked(0, 4, 5));
        assert!(
            !blocked(1, 2, 0) && blocked(1, 3, 2) && !blocked(1, 4, 3),
            "padding attends to padding"
        );
        assert_eq!(b.loss_tokens(), 6);
    }

    #[test]
    fn long_examples_are_truncated_and_counted_and_rows_split_into_micro_batches() {
        let examples = [
            example(&[1, 2, 3, 4, 5, 6, 7, 8], 2),
            example(&[1, 2, 3], 1),
            example(&[4, 5, 6], 1),
        ];
        let batches = collate_packed(&examples, 3, 0, 1);
        assert_eq!(
            batches.iter().map(|b| b.batch).sum::<usize>(),
            3,
            "3 + 2 + 2 positions do not pair up in rows of 3"
        );
        assert_eq!(batches.iter().map(|b| b.truncated).sum::<usize>(), 1);
        assert!(collate_packed(&[], 8, 0, 4).is_empty());
    }
}
