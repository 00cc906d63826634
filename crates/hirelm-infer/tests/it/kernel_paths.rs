//! Every kernel path this CPU can run (portable, AVX2, AVX-512 VNNI) computes the same network,
//! and each one decodes greedily to the same tokens whatever the batch size or thread count.
//! A machine with AVX-512 still runs the AVX2 code here: each path is forced per session.

use std::sync::Arc;

use hirelm_infer::{DotKernel, EngineWeights, Session, WeightFormat};

use crate::common::*;

const PROMPT: [u32; 14] = [5, 17, 3, 88, 42, 42, 0, 63, 9, 1, 95, 30, 299, 150];
const FORMATS: [WeightFormat; 3] = [WeightFormat::F32, WeightFormat::Q8_0, WeightFormat::Q4_1];

fn engine(format: WeightFormat, seed: u64) -> Arc<EngineWeights> {
    let config = tiny_config();
    Arc::new(
        EngineWeights::from_tensors(&config, tiny_weights(&config, seed), format)
            .expect("engine weights"),
    )
}

/// The paths tested, printed so a test log (CI runs this file with `--nocapture`) says which
/// SIMD code ran on which CPU.
fn kernels() -> Vec<DotKernel> {
    let kernels = DotKernel::available();
    let names: Vec<&str> = kernels.iter().map(|k| k.name()).collect();
    eprintln!(
        "kernel paths tested: {} (detected: {})",
        names.join(", "),
        DotKernel::detect().name()
    );
    kernels
}

#[test]
fn every_kernel_path_matches_the_portable_reference() {
    for format in FORMATS {
        let weights = engine(format, 11);
        let v = weights.config.vocab_size;
        let reference = Session::with_kernel(Arc::clone(&weights), DotKernel::Portable)
            .forward_all(&PROMPT)
            .expect("portable");
        let spread = reference.iter().fold(0f32, |m, x| m.max(x.abs()));
        for kernel in kernels() {
            let ours = Session::with_kernel(Arc::clone(&weights), kernel)
                .forward_all(&PROMPT)
                .expect("forward");
            // Integer block sums are exact in every path; only the order of f32 additions
            // differs, and now and then an 8-bit activation rounds the other way: well under
            // a thousandth of the logits' range. A missing scale or a wrong block is far more.
            let diff = max_abs_diff(&ours, &reference);
            assert!(
                diff <= 1e-3 * spread,
                "{format:?} {}: max |Δlogit| {diff} (logits up to {spread})",
                kernel.name()
            );
            for t in 0..PROMPT.len() {
                let (a, b) = (&ours[t * v..(t + 1) * v], &reference[t * v..(t + 1) * v]);
                let (best, theirs) = (argmax(a), argmax(b));
                assert!(
                    best == theirs || (a[best] - a[theirs]).abs() <= 1e-3 * spread,
                    "{format:?} {}: position {t}",
                    kernel.name()
                );
            }
        }
    }
}

/// Greedy decoding of `new` tokens after `PROMPT`, the prompt fed `chunk` tokens at a time, in
/// a pool of `threads` threads: the tokens and every step's logits.
fn greedy(
    weights: &Arc<EngineWeights>,
    kernel: DotKernel,
    chunk: usize,
    threads: usize,
    new: usize,
) -> (Vec<u32>, Vec<f32>) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    pool.install(|| {
        let mut session = Session::with_kernel(Arc::clone(weights), kernel);
        let mut logits = Vec::new();
        for part in PROMPT.chunks(chunk) {
            logits = session.forward(part).expect("prompt");
        }
        let (mut tokens, mut seen) = (Vec::new(), Vec::new());
        for _ in 0..new {
            let token = argmax(&logits) as u32;
            seen.extend_from_slice(&logits);
            tokens.push(token);
            logits = session.forward(&[token]).expect("step");
        }
        (tokens, seen)
    })
}

#[test]
fn greedy_output_is_identical_across_batch_sizes_and_thread_counts_on_every_path() {
    for format in FORMATS {
        let weights = engine(format, 12);
        for kernel in kernels() {
            let reference = greedy(&weights, kernel, PROMPT.len(), 1, 24);
            for (chunk, threads) in [
                (PROMPT.len(), 2),
                (PROMPT.len(), 3),
                (1, 1),
                (1, 2),
                (3, 2),
                (5, 3),
            ] {
                let other = greedy(&weights, kernel, chunk, threads, 24);
                assert_eq!(
                    other.0,
                    reference.0,
                    "{format:?} {}: tokens, prompt in chunks of {chunk}, {threads} threads",
                    kernel.name()
                );
                assert!(
                    other
                        .1
                        .iter()
                        .zip(&reference.1)
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "{format:?} {}: logits differ, prompt in chunks of {chunk}, {threads} threads",
                    kernel.name()
                );
            }
        }
    }
}
