//! `hirelm encoder export`: a trained encoder as a shipped directory: weights (F16 by default),
//! tokenizer, config, sentence-transformers files, the curves, and a model card built from the
//! run's own logs (data, steps, pairs and tokens seen, the validation curve).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use hirelm_model::bert::export::ENCODER_SIDE_FILES;
use hirelm_model::weights::{Dtype, SafetensorsWeights, WeightSource, write_safetensors_as};

use super::encoder_card::model_card;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The run's out_dir (holding best/, metrics.jsonl, best.json).
    #[arg(long)]
    pub run: PathBuf,
    /// Where to write the shipped encoder (its directory name titles the card):
    /// shipped/hirelm-encoder-minilm-skills serves extract_skills, shipped/hirelm-encoder-minilm
    /// normalise_title.
    #[arg(long, default_value = "shipped/hirelm-encoder-minilm-skills")]
    pub out: PathBuf,
    /// Storage type of the weights: f16 (half the size; cosines move by about 1e-3) or f32.
    #[arg(long, default_value = "f16")]
    pub dtype: String,
    /// The recipe the run used, quoted in the card (default: the run's recipe.toml, written
    /// by `hirelm encoder train` with its command-line overrides applied).
    #[arg(long)]
    pub recipe: Option<PathBuf>,
    /// Paired evaluation results to quote in the card (`hirelm bench paired` output), when the
    /// file exists.
    #[arg(long, default_value = "benches/results/encoder/paired.md")]
    pub results: PathBuf,
    /// The training pairs' dataset card, quoted in the card.
    #[arg(long, default_value = "data/encoder-pairs/card.md")]
    pub pairs_card: PathBuf,
    /// A run this one continued from (its `best/` was this run's `--base`), oldest first and
    /// repeatable: the card describes every stage.
    #[arg(long = "earlier-run")]
    pub earlier_runs: Vec<PathBuf>,
}

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let dtype = match args.dtype.as_str() {
        "f16" => Dtype::F16,
        "f32" => Dtype::F32,
        other => bail!("--dtype {other}: expected f16 or f32"),
    };
    let source = args.run.join("best");
    let weights_path = source.join("model.safetensors");
    let weights = SafetensorsWeights::open(&weights_path).with_context(|| {
        format!(
            "{}: run `hirelm encoder train` first",
            weights_path.display()
        )
    })?;
    let partial = args.out.with_extension("partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial).with_context(|| partial.display().to_string())?;
    }
    std::fs::create_dir_all(partial.join("1_Pooling"))
        .with_context(|| partial.display().to_string())?;
    let mut tensors = Vec::new();
    for name in weights.names() {
        let (shape, values) = weights.tensor_f32(&name)?;
        tensors.push((name, shape, values));
    }
    write_safetensors_as(&partial.join("model.safetensors"), &tensors, dtype)?;
    for name in ENCODER_SIDE_FILES {
        let from = source.join(name);
        if from.is_file() {
            std::fs::copy(&from, partial.join(name)).with_context(|| from.display().to_string())?;
        }
    }
    let select = hirelm_train::run::EncoderTrainConfig::from_file(&args.run.join("recipe.toml"))
        .ok()
        .map_or_else(
            || "skillskape_dev_rp@5".to_string(),
            |c| c.run.select_metric,
        );
    hirelm_train::run::write_curves(&args.run.join("metrics.jsonl"), &partial, &select)?;
    let recipe = args
        .recipe
        .clone()
        .unwrap_or_else(|| args.run.join("recipe.toml"));
    let mut stages: Vec<(PathBuf, PathBuf)> = args
        .earlier_runs
        .iter()
        .map(|run| (run.clone(), run.join("recipe.toml")))
        .collect();
    stages.push((args.run.clone(), recipe));
    let name = args
        .out
        .file_name()
        .map_or_else(|| "hirelm-encoder".into(), |n| n.to_string_lossy());
    let mut card = model_card(&name, &stages, &args.pairs_card, &args.dtype)?;
    if let Ok(results) = std::fs::read_to_string(&args.results) {
        let _ = write!(
            card,
            "\n## Evaluation\n\nAgainst off-the-shelf all-MiniLM-L6-v2 and BM25 on the skill-extraction benchmark's TECH and HOUSE validation sentences and the held-out 10% of the JobBERT titles (`hirelm eval --suite eval/encoder.toml`, then `hirelm bench paired`; from `{}`):\n\n{results}",
            args.results.display()
        );
    }
    std::fs::write(partial.join("README.md"), card).context("writing the model card")?;
    if args.out.exists() {
        std::fs::remove_dir_all(&args.out).with_context(|| args.out.display().to_string())?;
    }
    std::fs::rename(&partial, &args.out).with_context(|| args.out.display().to_string())?;
    super::emit(&format!(
        "encoder: {}\ncard: {}\n",
        args.out.display(),
        args.out.join("README.md").display()
    ))
}
