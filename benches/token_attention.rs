//! Retrieval scoring of one sentence against the 13,896 ESCO labels of the skill benchmark, at
//! MiniLM's width (384) and a typical job-ad sentence's length (32 tokens, `[CLS]` and `[SEP]`
//! included): token attention as the retriever computes it (one matrix product, then a softmax
//! per label), the same formula label by label (the reference, and what the retriever did
//! before), and the pooled cosine, the peer whose cost token attention is judged against.
//!
//! Run: `cargo bench -p hirelm-model --bench token_attention` (criterion prints labels/s;
//! `RAYON_NUM_THREADS` caps the threads of the matrix product).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hirelm_model::bert::{TokenStates, token_attention_scores, token_attention_scores_reference};

#[path = "fixed_values.rs"]
mod fixed_values;
use fixed_values::values;

const LABELS: usize = 13_896;
const DIM: usize = 384;
const TOKENS: usize = 32;

fn unit_rows(mut rows: Vec<f32>) -> Vec<f32> {
    for row in rows.chunks_exact_mut(DIM) {
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        row.iter_mut().for_each(|v| *v /= norm);
    }
    rows
}

fn bench(c: &mut Criterion) {
    let labels = unit_rows(values(LABELS * DIM, 0x9e37_79b9));
    let tokens = TokenStates {
        values: values(TOKENS * DIM, 0x2545_f491),
        dim: DIM,
    };
    let pooled = unit_rows(values(DIM, 0x1234_5678));

    let mut group = c.benchmark_group("score_13896_labels");
    group.throughput(Throughput::Elements(LABELS as u64));
    group.bench_function("token_attention", |b| {
        b.iter(|| token_attention_scores(black_box(&tokens), black_box(&labels)))
    });
    group.sample_size(20);
    group.bench_function("token_attention_reference", |b| {
        b.iter(|| token_attention_scores_reference(black_box(&tokens), black_box(&labels)))
    });
    group.sample_size(100);
    group.bench_function("pooled_cosine", |b| {
        b.iter(|| {
            black_box(&labels)
                .chunks_exact(DIM)
                .map(|row| row.iter().zip(black_box(&pooled)).map(|(a, b)| a * b).sum())
                .collect::<Vec<f32>>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
