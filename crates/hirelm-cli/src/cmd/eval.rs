//! `hirelm eval`: run an evaluation suite, write its reports, and gate against a baseline.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hirelm_eval::gate::{gate, passed};
use hirelm_eval::report::{SuiteReport, to_html, to_junit, to_markdown};
use hirelm_eval::runner::{RunOptions, run_suite};
use hirelm_eval::suite::Suite;

/// Exit status: 0 when every gate passes, 1 when a gate fails (the reports are written), 2 when
/// the run fails (a suite that does not load, an entry that cannot run).
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The suite file (`eval/*.toml`).
    #[arg(long)]
    pub suite: PathBuf,
    /// A stored baseline report; the run fails on a significant drop against it.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Write this run as the new baseline (to --baseline) instead of gating against it.
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,
    /// A quick run: at most N cases per entry (the first N, as the suite orders them; an
    /// entry's own smaller `limit` stays). Every report's heading says so, and it cannot
    /// become a baseline.
    #[arg(long, value_name = "N", conflicts_with = "update_baseline")]
    pub limit: Option<usize>,
    /// Directory for report.json, report.md, junit.xml and report.html (default: target/hirelm-eval/<suite>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Use this predictor for every entry instead of the suite's: bm25, minilm-nn, encoder-nn (the fine-tuned encoder),
    /// minilm-token-attention and encoder-token-attention (either encoder scoring labels by ConTeXT-style token
    /// attention instead of the pooled cosine), encoder-bm25-rrf (the fine-tuned encoder and BM25 fused by
    /// reciprocal rank), bm25-weakened, minilm-nn-weakened, rule-matcher (score_match, rank_candidates; minilm-nn answers those too,
    /// by embedding similarity of job and profile), or a language model:
    /// smollm2-base (untuned) or smollm2-lora (with --adapter, default the shipped adapters of
    /// shipped/routes.toml), which rerank MiniLM's candidates for extract_skills and answer score_match,
    /// rank_candidates, evaluate_candidate, draft_job_post and schedule_interview directly.
    #[arg(long)]
    pub predictor: Option<String>,
    /// Predict afresh instead of reusing cached predictions (.cache/hirelm/predictions).
    #[arg(long)]
    pub no_cache: bool,
    /// Directory of the MiniLM sentence encoder.
    #[arg(long, default_value_os_t = crate::cmd::default_model_dir(hirelm_model::MINILM_DIR))]
    pub minilm: PathBuf,
    #[command(flatten)]
    pub encoders: super::encoder_args::TunedEncoderArgs,
    /// Language models rerank off-the-shelf MiniLM's candidates instead of the fine-tuned
    /// encoder's (how comparisons before the encoder shipped were run).
    #[arg(long)]
    pub rerank_from_minilm: bool,
    /// Base model of the smollm2-* predictors.
    #[arg(
        long,
        default_value_t = crate::cmd::default_model(hirelm_model::SMOLLM2_GGUF)
    )]
    pub base: String,
    /// Adapter of the smollm2-lora predictor for every task, a directory or hf://owner/repo
    /// (default: the shipped adapters, routed per task by shipped/routes.toml).
    #[arg(long, value_parser = super::adapter_source)]
    pub adapter: Option<PathBuf>,
}

/// The language-model predictors, loaded only when a suite names them.
fn rerankers(
    args: &EvalArgs,
) -> anyhow::Result<Vec<std::sync::Arc<dyn hirelm_eval::runner::RerankerFactory>>> {
    use super::lm_predictor::DomainReranker;
    let base = hirelm_infer::DomainModelBuilder::new(&args.base).with_max_new_tokens(128);
    let tuned = super::model_args::tuned_adapters(args.adapter.as_deref())?
        .into_iter()
        .fold(base.clone(), |b, a| b.with_adapter(a));
    Ok(vec![
        std::sync::Arc::new(DomainReranker::new("smollm2-base", base)),
        std::sync::Arc::new(DomainReranker::new("smollm2-lora", tuned)),
    ])
}

pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    let mut suite = Suite::load(&args.suite)?;
    if let Some(limit) = args.limit {
        anyhow::ensure!(limit > 0, "--limit must be at least 1");
        suite.cap_limit(Some(limit));
    }
    let mut options = RunOptions {
        minilm_dir: args.minilm.clone(),
        encoder_dirs: args.encoders.dirs(),
        rerank_from_encoder: !args.rerank_from_minilm,
        predictor_override: args.predictor.clone(),
        rerankers: rerankers(&args)?,
        ..RunOptions::default()
    };
    if !args.no_cache {
        options = options.with_prediction_cache();
    }
    let bar = super::spinner(format!("evaluating {}", suite.name));
    let start = std::time::Instant::now();
    let mut report = run_suite(&suite, &options)
        .with_context(|| format!("running suite {}", args.suite.display()))?;
    report.limit = args.limit;
    bar.finish_and_clear();
    let baseline = match (&args.baseline, args.update_baseline) {
        (Some(path), false) => Some(
            SuiteReport::read_json(path)
                .context("reading the baseline (create it with --update-baseline)")?,
        ),
        _ => None,
    };
    let checks = gate(&report, baseline.as_ref());
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("target/hirelm-eval").join(&suite.name));
    report.write_json(&out.join("report.json"))?;
    let markdown = to_markdown(&report, &checks);
    std::fs::write(out.join("report.md"), &markdown)
        .with_context(|| format!("writing {}", out.display()))?;
    let junit_name = match args.limit {
        Some(n) => format!("{} (quick run, --limit {n})", suite.name),
        None => suite.name.clone(),
    };
    std::fs::write(out.join("junit.xml"), to_junit(&junit_name, &checks))
        .with_context(|| format!("writing {}", out.display()))?;
    std::fs::write(out.join("report.html"), to_html(&report, &checks))
        .with_context(|| format!("writing {}", out.display()))?;
    println!("{markdown}");
    eprintln!(
        "[{} entries in {:.1}s; reports in {}]",
        report.evals.len(),
        start.elapsed().as_secs_f64(),
        out.display()
    );
    if args.update_baseline {
        if let Some(path) = &args.baseline {
            report.write_json(path)?;
            eprintln!("baseline written to {}", path.display());
        }
        return Ok(());
    }
    if !passed(&checks) {
        let failed: Vec<String> = checks
            .iter()
            .filter(|c| c.status != hirelm_eval::gate::Status::Pass)
            .map(|c| c.line())
            .collect();
        return Err(crate::exit::CheckFailed(format!(
            "evaluation gate failed:\n  {}",
            failed.join("\n  ")
        ))
        .into());
    }
    Ok(())
}
