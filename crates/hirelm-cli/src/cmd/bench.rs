//! `hirelm bench`: prefill and decode throughput, shaped like llama.cpp's `llama-bench -p -n`;
//! `hirelm bench compare` ([`super::compare`]) is the headline comparison of predictors.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use hirelm_infer::{BaseModel, Session, WeightFormat};
use hirelm_model::PretrainedLlama;
use hirelm_model::burn::tensor::{Int, Tensor, TensorData};

/// Which implementation runs the forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// hirelm-infer's CPU engine (the one applications use).
    Infer,
    /// The burn training model on the flex backend (f32).
    Burn,
}

/// Weight storage of the infer engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// GGUF Q8_0 blocks with int8 dot products.
    Q8_0,
    /// GGUF Q4_1 blocks (4-bit values, a scale and a minimum per 32) with int8 dot products.
    Q4_1,
    /// f32 weights.
    F32,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub command: Option<BenchCommand>,
    #[command(flatten)]
    pub speed: SpeedArgs,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Fine-tuned versus off-the-shelf: every predictor of configs/compare.toml over every suite
    /// it names, with perturbation packs; quality, flip rate, fairness, latency, tokens/s, CPU
    /// seconds and cost per 1,000 tasks (CPU and hosted-API prices), and a row-by-row check of
    /// the headline claim, each check a paired test on the same cases. Writes
    /// compare.{json,md,html} and the results block of docs/results.md. Exit status: 0 when every check
    /// holds, 1 when one does not or is undecided (the reports are written), 2 when the run
    /// fails or an entry could not run.
    Compare(super::compare::CompareArgs),
    /// Two entries of an evaluation report compared case by case: the paired bootstrap interval
    /// of each metric's difference (and McNemar's exact test on acc@1), with a verdict of
    /// better, worse or undecided.
    Paired(super::paired::PairedArgs),
    /// Whether the language model adds to the tuned encoder by scoring its candidates: the
    /// encoder's cosine plus a weight times the model's log-probability of each candidate,
    /// the weight fitted on one half of a validation entry and measured on the other, paired
    /// against the encoder alone. Writes fusion.{json,md} and resumable per-case scores.
    Fusion(super::fusion::FusionArgs),
}

/// Options of the speed measurement.
#[derive(Debug, Args)]
pub struct SpeedArgs {
    /// Model: a GGUF file, an HF safetensors directory, or hf://owner/repo[/file].
    #[arg(
        long,
        default_value_t = crate::cmd::default_model(hirelm_model::SMOLLM2_GGUF)
    )]
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
    /// Engine to measure.
    #[arg(long, value_enum, default_value = "infer")]
    pub engine: Engine,
    /// Weight format of the infer engine (whatever the file holds, weights are converted).
    #[arg(long, value_enum, default_value = "q8-0")]
    pub format: Format,
}

/// Token ids like llama-bench: arbitrary but fixed, inside the vocabulary.
fn ids(n: usize, salt: u64, vocab: usize) -> Vec<u32> {
    (0..n as u64)
        .map(|i| ((i * 7919 + salt) % vocab as u64) as u32)
        .collect()
}

/// Mean prefill and decode tokens/s of hirelm-infer's engine.
fn run_infer(args: &SpeedArgs) -> anyhow::Result<(f64, f64, String)> {
    let format = match args.format {
        Format::Q8_0 => WeightFormat::Q8_0,
        Format::Q4_1 => WeightFormat::Q4_1,
        Format::F32 => WeightFormat::F32,
    };
    let base = BaseModel::load(&args.model).with_context(|| format!("loading {}", args.model))?;
    let weights = Arc::new(base.engine_weights(format)?);
    let vocab = weights.config.vocab_size;
    Session::new(Arc::clone(&weights)).forward(&ids(16, 1, vocab))?;
    let (mut prefill, mut decode) = (0.0, 0.0);
    for rep in 0..args.repetitions as u64 {
        let start = Instant::now();
        Session::new(Arc::clone(&weights)).forward(&ids(args.prompt_tokens, rep, vocab))?;
        prefill += args.prompt_tokens as f64 / start.elapsed().as_secs_f64();
        let mut session = Session::new(Arc::clone(&weights));
        let start = Instant::now();
        for t in ids(args.gen_tokens, rep + 3, vocab) {
            session.forward(&[t])?;
        }
        decode += args.gen_tokens as f64 / start.elapsed().as_secs_f64();
    }
    let label = format!(
        "hirelm-infer {:?} {}",
        format,
        hirelm_infer::DotKernel::detect().name()
    );
    Ok((prefill, decode, label))
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    match args.command {
        Some(BenchCommand::Compare(compare)) => super::compare::run(compare),
        Some(BenchCommand::Paired(paired)) => super::paired::run(paired),
        Some(BenchCommand::Fusion(fusion)) => super::fusion::run(fusion),
        None => run_speed(args.speed),
    }
}

fn run_speed(args: SpeedArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.prompt_tokens > 0 && args.gen_tokens > 0 && args.repetitions > 0,
        "lengths and repetitions must be positive"
    );
    let (prefill, decode, label) = match args.engine {
        Engine::Infer => run_infer(&args)?,
        Engine::Burn => run_burn(&args)?,
    };
    let reps = args.repetitions as f64;
    let (prefill, decode) = (prefill / reps, decode / reps);
    if args.json {
        println!(
            "{}",
            serde_json::json!({"engine": label, "prefill_tps": prefill, "decode_tps": decode,
            "prompt_tokens": args.prompt_tokens, "gen_tokens": args.gen_tokens, "threads": rayon::current_num_threads()})
        );
    } else {
        println!("{label}");
        println!("prefill pp{}: {prefill:.1} t/s", args.prompt_tokens);
        println!("decode  tg{}: {decode:.1} t/s", args.gen_tokens);
    }
    Ok(())
}

/// Mean prefill and decode tokens/s of the burn training model.
fn run_burn(args: &SpeedArgs) -> anyhow::Result<(f64, f64, String)> {
    let device = super::device();
    let lm = PretrainedLlama::load(&args.model, &device)
        .with_context(|| format!("loading {}", args.model))?;
    let model = &lm.model;
    let context = model.config.max_seq_len;
    anyhow::ensure!(
        args.prompt_tokens.max(16) <= context && args.gen_tokens <= context,
        "--prompt-tokens and --gen-tokens must each fit the model's context of {context} tokens"
    );
    let vocab = model.config.vocab_size as i64;
    // Token ids like llama-bench: arbitrary but fixed, inside the vocabulary.
    let ids = |n: usize, salt: i64| -> Vec<i64> {
        (0..n as i64).map(|i| (i * 7919 + salt) % vocab).collect()
    };
    let tensor = |v: Vec<i64>| {
        Tensor::<2, Int>::from_data(TensorData::new(v.clone(), [1, v.len()]), &device)
    };
    // Warm-up: allocations and thread pool.
    let _ = model.forward_last(tensor(ids(16, 1)), None).into_data();
    let (mut prefill, mut decode) = (0.0, 0.0);
    for rep in 0..args.repetitions {
        let start = Instant::now();
        let _ = model
            .forward_last(tensor(ids(args.prompt_tokens, rep as i64)), None)
            .into_data();
        prefill += args.prompt_tokens as f64 / start.elapsed().as_secs_f64();
        let mut cache = model.new_cache();
        let start = Instant::now();
        for (i, t) in ids(args.gen_tokens, rep as i64 + 3).into_iter().enumerate() {
            let _ = model
                .forward_last(tensor(vec![t]), Some(&mut cache))
                .into_data();
            debug_assert_eq!(cache.seq_len(), i + 1);
        }
        decode += args.gen_tokens as f64 / start.elapsed().as_secs_f64();
    }
    Ok((prefill, decode, "hirelm burn-flex f32".to_string()))
}
