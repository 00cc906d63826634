//! Tests of `matmul`.

use super::*;
use crate::kernels::test_values as sample;

#[test]
fn batched_matmul_equals_one_token_at_a_time_exactly() {
    let (rows, cols, tokens) = (150, 96, 5);
    let x = sample(tokens * cols, 7);
    for format in [WeightFormat::F32, WeightFormat::Q8_0] {
        let w = Matrix::from_f32(sample(rows * cols, 3), rows, cols, format);
        let mut batch = Activations::default();
        batch.prepare(&x, tokens, cols, format);
        let mut all = vec![0.0; tokens * rows];
        w.matmul(&batch, &mut all, DotKernel::detect(), &mut Vec::new());
        for t in 0..tokens {
            let mut one = Activations::default();
            one.prepare(&x[t * cols..(t + 1) * cols], 1, cols, format);
            let mut out = vec![0.0; rows];
            w.matmul(&one, &mut out, DotKernel::detect(), &mut Vec::new());
            assert_eq!(out, all[t * rows..(t + 1) * rows], "{format:?} token {t}");
        }
    }
}

#[test]
fn q8_matmul_is_close_to_f32() {
    let (rows, cols) = (64, 128);
    let (w, x) = (sample(rows * cols, 11), sample(cols, 12));
    let mut outs = Vec::new();
    for format in [WeightFormat::F32, WeightFormat::Q8_0] {
        let m = Matrix::from_f32(w.clone(), rows, cols, format);
        let mut a = Activations::default();
        a.prepare(&x, 1, cols, format);
        let mut out = vec![0.0; rows];
        m.matmul(&a, &mut out, DotKernel::detect(), &mut Vec::new());
        outs.push(out);
    }
    for (a, b) in outs[0].iter().zip(&outs[1]) {
        // 8-bit weights and activations: about 1% relative error.
        assert!((a - b).abs() < 0.05 + 0.02 * a.abs(), "{a} vs {b}");
    }
}

#[test]
fn thread_count_does_not_change_results() {
    let (rows, cols) = (300, 64);
    let w = Matrix::from_f32(sample(rows * cols, 5), rows, cols, WeightFormat::Q8_0);
    let mut a = Activations::default();
    a.prepare(&sample(cols, 6), 1, cols, WeightFormat::Q8_0);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let mut out = vec![0.0; rows];
        pool.install(|| w.matmul(&a, &mut out, DotKernel::detect(), &mut Vec::new()));
        out
    };
    assert_eq!(run(1), run(2));
}
