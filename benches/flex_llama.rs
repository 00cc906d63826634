//! Criterion benches of SmolLM2-135M on burn's `flex` CPU backend: a 128-token forward
//! (prefill) and a single decode step on top of a 128-token KV cache.
//!
//! Run: `scripts/fetch-models.sh && cargo bench -p hirelm-model --bench flex_llama`
//! (set `RAYON_NUM_THREADS=2` to match llama.cpp's `-t 2` in `benches/compare_llamacpp.sh`).

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hirelm_model::PretrainedLlama;
use hirelm_model::burn::tensor::{Device, Int, Tensor, TensorData};

fn model_path() -> PathBuf {
    hirelm_model::fetched_model(hirelm_model::SMOLLM2_GGUF).unwrap_or_else(|e| panic!("{e}"))
}

fn tokens(n: usize, device: &Device) -> Tensor<2, Int> {
    let ids: Vec<i64> = (0..n as i64).map(|i| (i * 7919 + 11) % 49152).collect();
    Tensor::from_data(TensorData::new(ids, [1, n]), device)
}

fn bench(c: &mut Criterion) {
    let device = Device::flex();
    let lm = PretrainedLlama::load_gguf(&model_path(), &device).expect("model loads");
    let model = &lm.model;

    let mut group = c.benchmark_group("flex_smollm2_135m");
    group.sample_size(10);
    group.throughput(Throughput::Elements(128));
    group.bench_function("forward_128_tokens", |b| {
        b.iter(|| model.forward_last(tokens(128, &device), None).into_data())
    });

    let mut warm = model.new_cache();
    let _ = model
        .forward_last(tokens(128, &device), Some(&mut warm))
        .into_data();
    group.throughput(Throughput::Elements(1));
    group.bench_function("decode_step_after_128", |b| {
        b.iter(|| {
            let mut cache = warm.clone();
            model
                .forward_last(tokens(1, &device), Some(&mut cache))
                .into_data()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
