//! `hirelm bench compare`: every predictor of `configs/compare.toml` over every suite it names,
//! into `compare.{json,md,html}` and the results block of the config's `readme` file (docs/results.md) (see `hirelm_eval::compare`).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hirelm_eval::EvalError;
use hirelm_eval::compare::render::{splice_readme, to_html, to_markdown};
use hirelm_eval::compare::{
    CompareConfig, Comparison, EntryResult, entry_result, predictor_columns, verdict,
};
use hirelm_eval::runner::{RunOptions, run_suite};
use hirelm_eval::suite::Suite;
use indicatif::{ProgressBar, ProgressStyle};

use super::compare_parts::{give_tuned_adapter, keep_entries, keep_predictors, keep_suites};
use super::compare_predictors::{reranker, resolve_router};
use super::compare_resume::reusable_report;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The comparison: suites, the predictors each runs, language models (base + adapters),
    /// CPU and hosted-API prices, and the claim to check.
    #[arg(long, default_value = "configs/compare.toml")]
    pub config: PathBuf,
    /// At most this many cases per suite entry (a quick run; the main job uses it).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Read every curated-dataset entry (format hirelm_parquet) from this Parquet file instead
    /// of the suite's, e.g. a dataset curated with your own recipe.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Run only these of the config's predictors (comma-separated), e.g. a new baseline beside
    /// the tuned model without rerunning the others; the claim's checks against the rest are
    /// then missing from the report, not passed.
    #[arg(long, value_delimiter = ',')]
    pub predictors: Option<Vec<String>>,
    /// Run only these of the config's suites (comma-separated, their paths as the config writes
    /// them), e.g. one suite of one language model per job of a long comparison; `--merge`
    /// joins the parts.
    #[arg(long, value_delimiter = ',')]
    pub suites: Option<Vec<PathBuf>>,
    /// Run only these entries (comma-separated `suite/entry`, e.g. `tasks/draft`): a part small
    /// enough for one job when one language model's suite takes longer than that; `--merge`
    /// joins the parts.
    #[arg(long, value_delimiter = ',')]
    pub entries: Option<Vec<String>>,
    /// Reuse the per-entry reports (`entries/` in the output directory) an earlier, cut-off run
    /// of this part wrote, where the predictor (content hash of model, adapters and decoding),
    /// the cases and the seed are the same, and answer only the rest. Reused entries keep the
    /// speed measured when they ran; the report lists them with that time.
    #[arg(long)]
    pub resume: bool,
    /// Directory for compare.json, compare.md and compare.html (default: the config's `out`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Give the claim's tuned language model (`[bar] tuned`, or the `[router]`'s `lm` when the
    /// claim is the router's) this one adapter for every task instead of the config's routes,
    /// e.g. an adapter just trained by the main job (a directory or hf://owner/repo).
    #[arg(long, value_parser = super::adapter_source)]
    pub adapter: Option<PathBuf>,
    /// Also regenerate the compare block of the document the config's `readme` names
    /// (docs/results.md for configs/compare.toml). Without it nothing outside the output
    /// directory is written.
    #[arg(long)]
    pub write_doc: bool,
    /// Accepted for older command lines; leaving the document alone is now the default.
    #[arg(long, hide = true)]
    pub no_readme: bool,
    /// Reuse cached predictions. Cached answers are not timed, so their speed and cost cells
    /// stay empty: the default predicts everything afresh.
    #[arg(long)]
    pub cache: bool,
    /// Also run the determinism self-check of every entry (repeated and batched greedy answers
    /// identical; the eval gate runs it, so the comparison skips its extra answers by default).
    #[arg(long)]
    pub determinism: bool,
    /// Directory of the MiniLM sentence encoder.
    #[arg(long, default_value_os_t = crate::cmd::default_model_dir(hirelm_model::MINILM_DIR))]
    pub minilm: PathBuf,
    #[command(flatten)]
    pub encoders: super::encoder_args::TunedEncoderArgs,
    /// Every language model reranks off-the-shelf MiniLM's candidates, whatever its `[[lm]]`
    /// `candidates` says (how comparisons before the encoder shipped were run).
    #[arg(long)]
    pub rerank_from_minilm: bool,
    /// Run nothing: write compare.md, compare.html and the results block again from this
    /// compare.json (after a change to the report layout; the figures stay those measured).
    #[arg(long, conflicts_with_all = ["limit", "data", "adapter", "cache", "determinism", "predictors", "suites", "entries", "resume"])]
    pub render: Option<PathBuf>,
    /// Join compare.json files that ran different predictors on the same suites (for example
    /// one `--predictors` part per job) into one comparison whose claim is checked on them all;
    /// refused, naming the difference, when the parts ran different cases, limits, seeds or
    /// claims, or one predictor in two parts.
    #[arg(long, num_args = 1.., conflicts_with_all = ["limit", "data", "adapter", "cache", "determinism", "predictors", "suites", "entries", "resume", "render"])]
    pub merge: Vec<PathBuf>,
}

/// Cores, CPU model and kernel of this machine.
pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").map_or_else(
        |_| std::env::consts::OS.to_string(),
        |k| format!("Linux {}", k.trim()),
    );
    format!("{cores} cores, {cpu}, {kernel}")
}

/// `YYYY-MM-DDTHH:MMZ` of now.
pub(crate) fn utc_now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%MZ").to_string()
}

pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    let mut config = CompareConfig::load(&args.config)?;
    let out = args.out.clone().unwrap_or_else(|| config.out.clone());
    let readme = config.readme.clone().filter(|_| args.write_doc);
    if !args.merge.is_empty() {
        let mut parts = Vec::new();
        for path in &args.merge {
            parts.push((path.clone(), read_comparison(path)?));
        }
        let comparison = hirelm_eval::compare::merge(&parts, &command_line(), &utc_now())?;
        write_outputs(&comparison, &out, readme.as_deref())?;
        return outcome(&comparison);
    }
    if let Some(json) = &args.render {
        let comparison = read_comparison(json)?;
        write_outputs(&comparison, &out, readme.as_deref())?;
        return outcome(&comparison);
    }
    if let Some(dir) = &args.adapter {
        give_tuned_adapter(&mut config, dir, &args.config)?;
    }
    if let Some(only) = &args.predictors {
        keep_predictors(&mut config, only, &args.config)?;
    }
    if let Some(only) = &args.suites {
        keep_suites(&mut config, only, &args.config)?;
    }
    let mut options = RunOptions {
        minilm_dir: args.minilm.clone(),
        encoder_dirs: args.encoders.dirs(),
        rerank_from_encoder: !args.rerank_from_minilm,
        check_determinism: args.determinism,
        ..RunOptions::default()
    };
    for lm in &config.lm {
        options.rerankers.push(reranker(lm, &args.config)?);
    }
    if args.cache {
        options = options.with_prediction_cache();
    }
    let mut suites = Vec::new();
    for run in &config.suite {
        let mut suite = Suite::load(&run.path)
            .with_context(|| format!("suite of {}", args.config.display()))?;
        suite.cap_limit(args.limit);
        for spec in &mut suite.evals {
            // A cap in the config is no quick run: the suite's min_cases floor still holds.
            spec.cap_limit(run.limit);
            if let (Some(data), "hirelm_parquet") = (&args.data, spec.format.as_str()) {
                spec.data = data.clone();
            }
        }
        suites.push((suite, run.predictors.clone()));
    }
    if let Some(only) = &args.entries {
        keep_entries(&mut suites, only)?;
    }
    let jobs: u64 = suites
        .iter()
        .map(|(s, p)| (s.evals.len() * p.len()) as u64)
        .sum();
    let bar = ProgressBar::new(jobs);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} entries × predictors ({elapsed}, ETA {eta}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (mut results, mut skipped, mut failed) = (Vec::new(), Vec::new(), Vec::new());
    let mut resumed = Vec::new();
    // Beside the part's results, so that a part committed half-way resumes on another machine.
    let details = out.join("entries");
    for (suite, predictors) in &suites {
        for predictor in predictors {
            for spec in &suite.evals {
                bar.set_message(format!("{}/{} by {predictor}", suite.name, spec.name));
                let one = Suite {
                    evals: vec![spec.clone()],
                    ..suite.clone()
                };
                let run_options = RunOptions {
                    predictor_override: Some(predictor.clone()),
                    ..options.clone()
                };
                let detail = details.join(format!("{}-{}-{predictor}.json", suite.name, spec.name));
                let reused = match args.resume {
                    true => reusable_report(&detail, &one, spec, &run_options),
                    false => None,
                };
                let report = match reused {
                    Some((report, answered)) => {
                        resumed.push(format!(
                            "{predictor} on {}/{} ({answered})",
                            suite.name, spec.name
                        ));
                        Ok(report)
                    }
                    None => {
                        let mut report = run_suite(&one, &run_options);
                        if let Ok(report) = &mut report {
                            report.finished = Some(utc_now());
                            report.write_json(&detail)?;
                        }
                        report
                    }
                };
                match report {
                    Ok(report) => {
                        results.extend(report.evals.iter().map(|e| EntryResult {
                            seed: report.seed,
                            ..entry_result(&suite.name, e, &config.cost, &config.api)
                        }));
                    }
                    Err(EvalError::UnsupportedTask { .. }) => skipped.push(format!(
                        "{predictor} on {}/{} ({})",
                        suite.name, spec.name, spec.task
                    )),
                    // An hour of other results is worth keeping: the failure is listed, not fatal.
                    Err(e) => {
                        tracing::error!(entry = %spec.name, predictor = %predictor, "{e}");
                        failed.push(format!("{predictor} on {}/{}: {e}", suite.name, spec.name));
                    }
                }
                bar.inc(1);
            }
        }
    }
    bar.finish_and_clear();
    let command = command_line();
    let mut comparison = Comparison {
        name: config.name.clone(),
        generated: utc_now(),
        command,
        machine: machine(),
        versions: format!(
            "hirelm {}, burn 0.22.1 (flex backend; pinned in Cargo.toml)",
            env!("CARGO_PKG_VERSION")
        ),
        cpu_price: config.cost.clone(),
        api_prices: config.api.clone(),
        predictors: predictor_columns(&config),
        bar: None,
        results,
        skipped,
        failed,
        limit: args.limit,
        routed: None,
        resumed,
    };
    if let Some(router) = &config.router {
        comparison.add_routed(resolve_router(router, &args.config)?);
    }
    comparison.bar = config.bar.as_ref().map(|b| verdict(b, &comparison.results));
    write_outputs(&comparison, &out, readme.as_deref())?;
    eprintln!("[per-entry reports in {}]", details.display());
    outcome(&comparison)
}

/// This invocation as a command line, for the report.
fn command_line() -> String {
    std::iter::once("hirelm".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A compare.json written by an earlier run.
fn read_comparison(path: &std::path::Path) -> anyhow::Result<Comparison> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a compare.json", path.display()))
}

/// The exit status of a written comparison: an error (2) when an entry could not run, a failed
/// check (1) when the claim does not hold in every check, success otherwise.
fn outcome(comparison: &Comparison) -> anyhow::Result<()> {
    if !comparison.failed.is_empty() {
        anyhow::bail!(
            "{} entries could not run: {}",
            comparison.failed.len(),
            comparison.failed.join("; ")
        );
    }
    if let Some(v) = &comparison.bar
        && !v.claim_holds()
    {
        let (held, not, undecided) = v.counts();
        return Err(crate::exit::CheckFailed(format!(
            "the claim does not hold: {held} of {} checks hold, {not} do not, {undecided} undecided",
            v.checks.len()
        ))
        .into());
    }
    Ok(())
}

/// compare.json, compare.md, compare.html and (with a claim) junit.xml in `out`, the block in
/// `readme`, and the Markdown on stdout.
fn write_outputs(
    comparison: &Comparison,
    out: &std::path::Path,
    readme: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let json = serde_json::to_string_pretty(comparison)?;
    let markdown = to_markdown(comparison);
    let junit = hirelm_eval::compare::claim_junit(comparison);
    for (file, text) in [
        ("compare.json", Some(json)),
        (
            "compare.md",
            Some(format!("# hirelm compare\n\n{markdown}")),
        ),
        ("compare.html", Some(to_html(comparison))),
        ("junit.xml", junit),
    ]
    .into_iter()
    .filter_map(|(file, text)| Some((file, text?)))
    {
        let path = out.join(file);
        hirelm_core::fs::write_atomic(&path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(readme) = readme {
        let text = std::fs::read_to_string(readme)
            .with_context(|| format!("reading {}", readme.display()))?;
        let updated = splice_readme(&text, &markdown)
            .map_err(|e| anyhow::anyhow!("{}: {e}", readme.display()))?;
        hirelm_core::fs::write_atomic(readme, updated.as_bytes())
            .with_context(|| format!("writing {}", readme.display()))?;
    }
    super::emit(&markdown)?;
    eprintln!(
        "[compare.json, compare.md, compare.html and junit.xml (the claim) in {}]",
        out.display()
    );
    Ok(())
}
