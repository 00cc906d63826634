//! The inference engine's quantised products on SmolLM2-135M's shapes, for each weight format
//! (Q8_0, Q4_1) and each kernel path this CPU has (portable, AVX2, AVX-512 VNNI), so that a
//! kernel regression shows in one command:
//!
//!   cargo bench -p hirelm-infer --bench engine_kernels
//!
//! The matrix is the fused gate and up projection (2 × 1,536 rows of 576 columns, the widest
//! product of a layer); one token is a decode step, 64 tokens a chunk of batched prefill.
//! Criterion reports multiply-adds per second. Weights and activations are fixed pseudo-random
//! values, so runs compare; compare paths within one run (host speed drifts).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hirelm_infer::kernels::{Activations, DotKernel, Matrix, WeightFormat};

#[path = "fixed_values.rs"]
mod fixed_values;
use fixed_values::values;

const ROWS: usize = 2 * 1536;
const COLS: usize = 576;

fn bench(c: &mut Criterion) {
    let weights = values(ROWS * COLS, 7);
    for format in [WeightFormat::Q8_0, WeightFormat::Q4_1] {
        let matrix = Matrix::from_f32(weights.clone(), ROWS, COLS, format);
        for tokens in [1, 64] {
            let mut activations = Activations::default();
            activations.prepare(&values(tokens * COLS, 11), tokens, COLS, format);
            let (mut out, mut scratch) = (vec![0f32; tokens * ROWS], Vec::new());
            let mut group = c.benchmark_group(format!("{format:?} × {tokens} token(s)"));
            group.throughput(Throughput::Elements((ROWS * COLS * tokens) as u64));
            for kernel in DotKernel::available() {
                group.bench_function(kernel.name(), |b| {
                    b.iter(|| {
                        matrix.matmul(black_box(&activations), &mut out, kernel, &mut scratch)
                    })
                });
            }
            group.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
