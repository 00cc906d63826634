//! `hirelm encoder export`: a trained encoder as a shipped directory: weights (F16 by default),
//! tokenizer, config, sentence-transformers files, the curves, and a model card built from the
//! run's own logs (data, steps, pairs and tokens seen, the validation curve).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use hirelm_model::bert::export::ENCODER_SIDE_FILES;
use hirelm_model::weights::{Dtype, SafetensorsWeights, WeightSource, write_safetensors_as};
use hirelm_train::run::EncoderStepReport;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The run's out_dir (holding best/, metrics.jsonl, best.json).
    #[arg(long)]
    pub run: PathBuf,
    /// Where to write the shipped encoder.
    #[arg(long, default_value = "shipped/hirelm-encoder-minilm")]
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
    let mut card = model_card(&args.run, &recipe, &args.pairs_card, &args.dtype)?;
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

/// The card: what was trained on, for how long, and how validation went, read from the run.
fn model_card(run: &Path, recipe: &Path, pairs_card: &Path, dtype: &str) -> anyhow::Result<String> {
    let metrics = std::fs::read_to_string(run.join("metrics.jsonl"))
        .with_context(|| run.join("metrics.jsonl").display().to_string())?;
    let reports: Vec<EncoderStepReport> = metrics
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let Some(last) = reports.last() else {
        bail!("{}: no steps logged", run.display())
    };
    let best: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(run.join("best.json")).context("best.json")?,
    )?;
    let best_step = best["step"].as_u64().unwrap_or(0) as usize;
    let at_best = reports.iter().find(|r| r.step == best_step);
    let mut out = String::from(
        "# hirelm-encoder-minilm\n\nall-MiniLM-L6-v2 fine-tuned contrastively (symmetric InfoNCE, in-batch negatives, every weight trained) to match job-ad text to ESCO skills and vacancy titles to titles of the same occupation. A drop-in sentence-transformers model: mean pooling, L2-normalised, 384 dimensions; hirelm loads it with `SentenceEncoder::load`.\n\n",
    );
    let _ = writeln!(
        out,
        "Weights stored as {dtype}. Built by `hirelm encoder train` then `hirelm encoder export`.\n"
    );
    out.push_str("## Training\n\n");
    let stopped = if last.step < last.total_steps {
        format!(
            " (stopped at step {} of the {} planned, before the schedule's end)",
            last.step, last.total_steps
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "- Run: {} steps of {} pairs{stopped} ({} pairs, {} tokens seen); shipped: step {best_step} ({} pairs, {} tokens), the best on validation.",
        last.step,
        last.pairs,
        last.pairs_seen,
        last.tokens_seen,
        at_best.map_or(0, |r| r.pairs_seen),
        at_best.map_or(0, |r| r.tokens_seen)
    );
    out.push_str("- Validation: SkillSkape dev sentences ranked against the skill-extraction benchmark's 13,896 ESCO labels (a fixed subset of every k-th labelled sentence); never the benchmark's TECH/HOUSE sentences, which the comparison reports.\n\n");
    out.push_str("| step | loss | ");
    let names: Vec<String> = reports
        .iter()
        .find(|r| !r.valid.is_empty())
        .map(|r| r.valid.keys().cloned().collect())
        .unwrap_or_default();
    let _ = writeln!(out, "{} |", names.join(" | "));
    let _ = writeln!(out, "|---:|---:|{}", "---:|".repeat(names.len()));
    for r in reports.iter().filter(|r| !r.valid.is_empty()) {
        let cells: Vec<String> = names
            .iter()
            .map(|n| r.valid.get(n).map_or("".into(), |v| format!("{v:.4}")))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {:.4} | {} |",
            r.step,
            r.loss,
            cells.join(" | ")
        );
    }
    out.push_str("\n![validation](validation.svg) ![loss](loss.svg)\n\n## Recipe\n\n```toml\n");
    out.push_str(&std::fs::read_to_string(recipe).with_context(|| recipe.display().to_string())?);
    out.push_str("```\n\n## Data\n\n");
    let pairs =
        std::fs::read_to_string(pairs_card).with_context(|| pairs_card.display().to_string())?;
    // The pairs card's own title becomes a subsection.
    out.push_str(
        &pairs
            .replacen("# Encoder training pairs", "### Training pairs", 1)
            .replace("\n## ", "\n#### "),
    );
    Ok(out)
}
