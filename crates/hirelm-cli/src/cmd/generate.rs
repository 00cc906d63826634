//! `hirelm generate`.

use std::io::Write;
use std::ops::ControlFlow;

use anyhow::Context;
use clap::Args;
use hirelm_model::{
    ChatMessage, ChatTemplate, GenerateOptions, Generator, PretrainedLlama, Role, SamplingParams,
};

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Model: a GGUF file, an HF safetensors directory, or hf://owner/repo[/file].
    #[arg(
        long,
        default_value_t = crate::cmd::default_model(hirelm_model::SMOLLM2_GGUF)
    )]
    pub model: String,
    /// The prompt (with --chat: the user's message).
    #[arg(long)]
    pub prompt: String,
    /// Wrap the prompt in the model's ChatML template as a user turn.
    #[arg(long)]
    pub chat: bool,
    /// System prompt for --chat (default: the model's own).
    #[arg(long, requires = "chat")]
    pub system: Option<String>,
    /// Most tokens to generate.
    #[arg(long, default_value_t = 256)]
    pub max_tokens: usize,
    /// Sampling temperature; 0 (the default) is greedy decoding.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    /// Sample only among the k most likely tokens.
    #[arg(long)]
    pub top_k: Option<usize>,
    /// Nucleus sampling: the smallest token set with this probability mass.
    #[arg(long)]
    pub top_p: Option<f32>,
    /// Seed for sampling; the same seed reproduces the same text.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

pub fn run(args: GenerateArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.temperature.is_finite() && args.temperature >= 0.0,
        "--temperature must be a finite number >= 0, got {}",
        args.temperature
    );
    if let Some(p) = args.top_p {
        anyhow::ensure!(p > 0.0 && p <= 1.0, "--top-p must be in (0, 1], got {p}");
    }
    anyhow::ensure!(args.max_tokens > 0, "--max-tokens must be at least 1");
    let device = super::device();
    let bar = super::spinner(format!("loading {}", args.model));
    let lm = PretrainedLlama::load(&args.model, &device)
        .with_context(|| format!("loading model {}", args.model))?;
    bar.finish_and_clear();
    let prompt = if args.chat {
        let mut messages = Vec::new();
        if let Some(system) = &args.system {
            messages.push(ChatMessage::new(Role::System, system.clone()));
        }
        messages.push(ChatMessage::new(Role::User, args.prompt.clone()));
        ChatTemplate::default()
            .encode(&lm.tokenizer, &messages, true)?
            .ids
    } else {
        lm.tokenizer.encode(&args.prompt, false, true)?
    };
    let options = GenerateOptions {
        max_tokens: args.max_tokens,
        sampling: SamplingParams {
            temperature: args.temperature,
            top_k: args.top_k,
            top_p: args.top_p,
            seed: args.seed,
        },
        stop_tokens: Vec::new(),
    }
    .with_default_stops(&lm.tokenizer);
    let mut stdout = std::io::stdout().lock();
    let out =
        Generator::new(&lm.model, &lm.tokenizer, device).generate(&prompt, &options, |piece| {
            // A closed pipe (e.g. `| head`) stops generation instead of failing it.
            if write!(stdout, "{piece}")
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        })?;
    let _ = writeln!(stdout);
    eprintln!(
        "[{} prompt tokens in {:.2}s ({:.1} t/s); {} generated, decode {:.1} t/s; stop: {:?}]",
        out.prompt_tokens,
        out.prefill_time.as_secs_f64(),
        out.prompt_tokens as f64 / out.prefill_time.as_secs_f64().max(1e-9),
        out.tokens.len(),
        out.decode_tokens_per_second(),
        out.stop_reason
    );
    Ok(())
}
