//! The model card of an exported encoder, written from its runs' own logs: for each training
//! stage its steps, pairs and tokens seen, validation table and recipe; then the data.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use hirelm_model::bert::{SCORER_FILE, Scorer};
use hirelm_train::run::{EncoderStepReport, EncoderTrainConfig};

/// One stage's section: how long it ran, the step it shipped, its validation table and recipe.
fn stage_section(out: &mut String, run: &Path, recipe: &Path) -> anyhow::Result<()> {
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
    let stopped = if last.step < last.total_steps {
        format!(
            " (stopped at step {} of the {} planned, before the schedule's end)",
            last.step, last.total_steps
        )
    } else {
        String::new()
    };
    let config = EncoderTrainConfig::from_file(recipe).ok();
    if let Some(config) = &config {
        let negatives = config.hard_negatives.as_ref().map_or_else(
            || "in-batch negatives".to_string(),
            |h| {
                format!(
                    "in-batch negatives and one hard negative per pair mined by the starting encoder (relative margin {})",
                    h.relative_margin
                )
            },
        );
        let _ = writeln!(
            out,
            "- Start: `{}`; {negatives}; scorer `{}`.",
            config.model.base.display(),
            config.scorer()
        );
    }
    let _ = writeln!(
        out,
        "- Run: {} steps of {} pairs{stopped} ({} pairs, {} tokens seen); kept: step {best_step} ({} pairs, {} tokens), the best on validation.",
        last.step,
        last.pairs,
        last.pairs_seen,
        last.tokens_seen,
        at_best.map_or(0, |r| r.pairs_seen),
        at_best.map_or(0, |r| r.tokens_seen)
    );
    out.push_str("\n| step | loss | ");
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
    out.push_str("\nRecipe:\n\n```toml\n");
    out.push_str(&std::fs::read_to_string(recipe).with_context(|| recipe.display().to_string())?);
    out.push_str("```\n\n");
    Ok(())
}

/// The card of the encoder `name`: what was trained on, for how long, and how validation went,
/// read from the runs (`stages`: each run's directory and recipe, oldest first; the last is the
/// one exported).
pub fn model_card(
    name: &str,
    stages: &[(PathBuf, PathBuf)],
    pairs_card: &Path,
    dtype: &str,
) -> anyhow::Result<String> {
    let mut out = format!(
        "# {name}\n\nall-MiniLM-L6-v2 fine-tuned contrastively (symmetric InfoNCE, every weight trained) to match job-ad text to ESCO skills and vacancy titles to titles of the same occupation. A drop-in sentence-transformers model: mean pooling, L2-normalised, 384 dimensions; hirelm loads it with `SentenceEncoder::load`.\n\n",
    );
    let last_scorer = stages
        .last()
        .and_then(|(_, recipe)| EncoderTrainConfig::from_file(recipe).ok())
        .map(|c| c.scorer())
        .unwrap_or_default();
    if last_scorer == Scorer::TokenAttention {
        let _ = writeln!(
            out,
            "It was trained to score a sentence against a label by token attention (`{SCORER_FILE}` says so, and hirelm's retriever reads it): the label's pooled embedding against each of the sentence's contextual token states, their cosines weighted by a softmax over the tokens of their dot products (ConTeXT-match style; `hirelm_model::bert::token_scoring`). Labels are embedded as before, so their index does not change; a tool that only knows pooled cosines can still load the model, but ranks less well than it was trained to.\n"
        );
    }
    let _ = writeln!(
        out,
        "Weights stored as {dtype}. Built by `hirelm encoder train` then `hirelm encoder export`.\n"
    );
    out.push_str("## Training\n\n");
    out.push_str("Validation: SkillSkape dev sentences ranked against the skill-extraction benchmark's 13,896 ESCO labels (a fixed subset of every k-th labelled sentence); never the benchmark's TECH/HOUSE sentences, which the comparison reports.\n\n");
    for (i, (run, recipe)) in stages.iter().enumerate() {
        if stages.len() > 1 {
            let _ = writeln!(out, "### Stage {}\n", i + 1);
        }
        stage_section(&mut out, run, recipe)?;
    }
    out.push_str("![validation](validation.svg) ![loss](loss.svg)\n\n");
    if stages.len() > 1 {
        out.push_str("The curves are the last stage's.\n\n");
    }
    out.push_str("## Data\n\n");
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
