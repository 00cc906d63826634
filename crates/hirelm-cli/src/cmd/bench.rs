//! `hirelm bench`: prefill and decode throughput, shaped like llama.cpp's `llama-bench -p -n`.

use std::time::Instant;

use anyhow::Context;
use clap::Args;
use hirelm_model::PretrainedLlama;
use hirelm_model::burn::tensor::{Int, Tensor, TensorData};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Model: a GGUF file, an HF safetensors directory, or hf://owner/repo[/file].
    #[arg(long, default_value = "models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf")]
    pub model: String,
    /// Prompt length for the prefill measurement.
    #[arg(long, default_value_t = 512)]
    pub prompt_tokens: usize,
    /// Tokens to decode one at a time for the decode measurement.
    #[arg(long, default_value_t = 128)]
    pub gen_tokens: usize,
    /// Repetitions; the reported figure is the mean.
    #[arg(long, default_value_t = 3)]
    pub repetitions: usize,
    /// Print one JSON line instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.prompt_tokens > 0 && args.gen_tokens > 0 && args.repetitions > 0, "lengths and repetitions must be positive");
    let device = super::device();
    let lm = PretrainedLlama::load(&args.model, &device).with_context(|| format!("loading {}", args.model))?;
    let model = &lm.model;
    let context = model.config.max_seq_len;
    anyhow::ensure!(
        args.prompt_tokens.max(16) <= context && args.gen_tokens <= context,
        "--prompt-tokens and --gen-tokens must each fit the model's context of {context} tokens"
    );
    let vocab = model.config.vocab_size as i64;
    // Token ids like llama-bench: arbitrary but fixed, inside the vocabulary.
    let ids = |n: usize, salt: i64| -> Vec<i64> { (0..n as i64).map(|i| (i * 7919 + salt) % vocab).collect() };
    let tensor = |v: Vec<i64>| Tensor::<2, Int>::from_data(TensorData::new(v.clone(), [1, v.len()]), &device);
    // Warm-up: allocations and thread pool.
    let _ = model.forward_last(tensor(ids(16, 1)), None).into_data();
    let (mut prefill, mut decode) = (0.0, 0.0);
    for rep in 0..args.repetitions {
        let start = Instant::now();
        let _ = model.forward_last(tensor(ids(args.prompt_tokens, rep as i64)), None).into_data();
        prefill += args.prompt_tokens as f64 / start.elapsed().as_secs_f64();
        let mut cache = model.new_cache();
        let start = Instant::now();
        for (i, t) in ids(args.gen_tokens, rep as i64 + 3).into_iter().enumerate() {
            let _ = model.forward_last(tensor(vec![t]), Some(&mut cache)).into_data();
            debug_assert_eq!(cache.seq_len(), i + 1);
        }
        decode += args.gen_tokens as f64 / start.elapsed().as_secs_f64();
    }
    let reps = args.repetitions as f64;
    let (prefill, decode) = (prefill / reps, decode / reps);
    if args.json {
        println!("{}", serde_json::json!({"engine": "hirelm", "prefill_tps": prefill, "decode_tps": decode,
            "prompt_tokens": args.prompt_tokens, "gen_tokens": args.gen_tokens, "threads": rayon::current_num_threads()}));
    } else {
        println!("prefill pp{}: {prefill:.1} t/s", args.prompt_tokens);
        println!("decode  tg{}: {decode:.1} t/s", args.gen_tokens);
    }
    Ok(())
}
