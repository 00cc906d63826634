//! Training throughput of the LoRA trainer on fixed batches, for `benches/compare_lora_train.sh`
//! (which runs PyTorch + PEFT on the same shapes in the same job).
//!
//!     train_speed BASE.gguf [STEPS]
//!
//! SmolLM2-135M, r = 16, alpha = 32, all seven projections, batch 4 × 256 tokens, AdamW, f32,
//! loss on every token. Prints one JSON line: tokens/s over STEPS steps after one warm-up step,
//! and the peak resident memory (VmHWM).

use std::time::Instant;

use hirelm_model::burn::tensor::Device;
use hirelm_model::{ChatTokens, PretrainedLlama};
use hirelm_train::sft::{SftOptions, SftTrainer, collate};
use hirelm_train::{LoraConfig, attach_fresh};

const BATCH: usize = 4;
const SEQ: usize = 256;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let base = args.get(1).ok_or("usage: train_speed BASE.gguf [STEPS]")?;
    let steps: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(5);
    let device = Device::flex().autodiff();
    let mut lm = PretrainedLlama::load(base, &device)?;
    let vocab = lm.model.config.vocab_size as u64;
    let lora = LoraConfig {
        rank: 16,
        alpha: 32.0,
        ..LoraConfig::default()
    };
    attach_fresh(&mut lm.model, &lora, 1, &device)?;
    let options = SftOptions {
        warmup_steps: 0,
        total_steps: steps + 1,
        ..SftOptions::default()
    };
    let mut trainer = SftTrainer::new(lm.model, options, device)?;
    // The same token ids as the PyTorch script: (row * 7919 + position * 104729) mod vocab.
    let sequences: Vec<ChatTokens> = (0..BATCH as u64)
        .map(|row| ChatTokens {
            ids: (0..=SEQ as u64)
                .map(|p| ((row * 7919 + p * 104_729) % vocab) as u32)
                .collect(),
            assistant_mask: vec![true; SEQ + 1],
        })
        .collect();
    let batch = collate(&sequences, SEQ, 0);
    trainer.train_step(std::slice::from_ref(&batch))?;
    let start = Instant::now();
    for _ in 0..steps {
        trainer.train_step(std::slice::from_ref(&batch))?;
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"engine": "hirelm (burn flex)", "tokens_per_second": (BATCH * SEQ * steps) as f64 / seconds,
            "peak_rss_mib": peak_rss_kib().map(|k| k as f64 / 1024.0), "steps": steps})
    );
    Ok(())
}
