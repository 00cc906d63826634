//! `hirelm`: curate, tune, evaluate and run a hiring-domain language model.

mod cmd;
mod exit;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// hirelm turns a small open language model into a hiring-domain specialist.
///
/// Models are GGUF files, HF-format safetensors directories, or `hf://owner/repo[/file]`
/// (read from the local Hugging Face cache, downloaded when the build has the `hub` feature).
/// The default models are fetched by `scripts/fetch-models.sh` into `models/`.
///
/// Exit status: 0 on success; 1 when the check a command makes fails with its reports written
/// (the `eval` gate, the `bench compare` claim); 2 when the run itself fails (an error, an entry
/// that could not run, bad arguments).
#[derive(Debug, Parser)]
#[command(name = "hirelm", version, about, long_about)]
struct Cli {
    /// Worker threads for tensor kernels (default: all cores).
    #[arg(long, global = true, env = "HIRELM_THREADS")]
    threads: Option<usize>,
    /// More log output (-v info, -vv debug); logs go to stderr.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Where the default models are (what scripts/fetch-models.sh fetched): every default model
    /// path starts here. Default: the models/ of the hirelm checkout at or above the current
    /// directory, else of the one this binary was built from.
    #[arg(long, global = true, env = "HIRELM_MODELS_DIR", value_name = "DIR")]
    #[allow(
        dead_code,
        reason = "applied from the raw arguments before parsing (models_dir_argument); declared for --help"
    )]
    models_dir: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect model files.
    #[command(subcommand)]
    Model(cmd::model::ModelCommand),
    /// Generate text with a causal LM (greedy unless --temperature > 0).
    Generate(cmd::generate::GenerateArgs),
    /// Embed sentences with the MiniLM sentence encoder; prints one JSON array per line.
    Embed(cmd::embed::EmbedArgs),
    /// Train the sentence encoder: build its training pairs, then train it contrastively.
    #[command(subcommand)]
    Encoder(cmd::encoder::EncoderCommand),
    /// Fine-tune LoRA adapters from a TOML recipe (resumable; logs metrics and a loss curve).
    Train(cmd::train::TrainArgs),
    /// Inspect LoRA adapters, or merge one into its base model and export it.
    #[command(subcommand)]
    Adapter(cmd::adapter::AdapterCommand),
    /// Measure prefill and decode speed on a model (tokens/s), like llama.cpp's llama-bench;
    /// `bench compare` runs the headline comparison of fine-tuned and off-the-shelf predictors.
    Bench(cmd::bench::BenchArgs),
    /// Build the hiring datasets of a curation recipe (Parquet + card.md); see configs/curate.toml.
    Curate(cmd::curate::CurateArgs),
    /// Remove near-duplicate rows from any Parquet file, streaming (MinHash LSH, datasketch-compatible).
    Dedup(cmd::dedup::DedupArgs),
    /// Answer one hiring task with the domain model (JSON-schema-constrained output).
    Ask(cmd::ask::AskArgs),
    /// Generation check: base versus base + adapter on held-out curated examples.
    Check(cmd::check::CheckArgs),
    /// Serve the routed domain model over HTTP (the hirelm-serve crate): OpenAI-compatible chat (streaming, JSON schemas), models and embeddings, typed tasks, health, metrics.
    Serve(cmd::serve::ServeArgs),
    /// Run an evaluation suite (eval/*.toml), write JSON/Markdown/JUnit reports, gate against a baseline.
    ///
    /// Exit status: 0 when every gate passes; 1 when a gate fails (the reports are written);
    /// 2 when the run fails (a suite that does not load, an entry that cannot run, bad
    /// arguments).
    Eval(cmd::eval::EvalArgs),
}

fn main() -> ExitCode {
    // Before parsing: the default model paths of the subcommands are computed while parsing.
    if let Some(dir) = models_dir_argument(std::env::args_os()) {
        hirelm_model::set_models_dir(dir);
    }
    let cli = Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HIRELM_LOG")
                .unwrap_or_else(|_| level.into()),
        )
        .with_writer(|| LossyStderr)
        .init();
    if let Some(threads) = cli.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
    {
        eprintln!("hirelm: cannot set {threads} threads: {e}");
        return ExitCode::from(exit::RUN_FAILED);
    }
    let result = match cli.command {
        Command::Model(cmd) => cmd::model::run(cmd),
        Command::Generate(args) => cmd::generate::run(args),
        Command::Embed(args) => cmd::embed::run(args),
        Command::Bench(args) => cmd::bench::run(args),
        Command::Curate(args) => cmd::curate::run(args),
        Command::Dedup(args) => cmd::dedup::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Adapter(cmd) => cmd::adapter::run(cmd),
        Command::Train(args) => cmd::train::run(args),
        Command::Encoder(cmd) => cmd::encoder::run(cmd),
        Command::Eval(args) => cmd::eval::run(args),
        Command::Ask(args) => cmd::ask::run(args),
        Command::Check(args) => cmd::check::run(args),
    };
    exit::status(result)
}

/// The value of `--models-dir DIR` or `--models-dir=DIR` among the arguments (before a `--`).
fn models_dir_argument(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Option<std::path::PathBuf> {
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--" {
            break;
        }
        if text == "--models-dir" {
            return args.next().map(Into::into);
        }
        if let Some(dir) = text.strip_prefix("--models-dir=") {
            return Some(dir.into());
        }
    }
    None
}

/// Standard error that drops what it cannot write: a closed log pipe (`hirelm serve | head`)
/// must not take a long-running command down with it.
struct LossyStderr;

impl std::io::Write for LossyStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}
