//! `hirelm check`: the generation check of a trained adapter. Held-out curated examples are
//! answered by the untuned base model and by base + adapter, with the same prompts and the same
//! JSON-schema constraint, and scored against their targets.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use hirelm_core::{Example, Task};
use hirelm_eval::heldout::score_answer;
use hirelm_infer::{AdapterSpec, DomainModel, DomainModelBuilder, bundled_adapter_dir};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Held-out examples (Parquet written by `hirelm curate`): never the training split.
    #[arg(long, default_value = "datasets/hirelm-v2/valid.parquet")]
    pub data: PathBuf,
    /// Base model: GGUF file, HF directory or hf://owner/repo[/file].
    #[arg(
        long,
        default_value_t = crate::cmd::default_model(hirelm_model::SMOLLM2_GGUF)
    )]
    pub base: String,
    /// PEFT adapter, a directory or hf://owner/repo (default: the shipped general adapter).
    #[arg(long, value_parser = super::adapter_source)]
    pub adapter: Option<PathBuf>,
    /// Examples per task, drawn with --seed.
    #[arg(long, default_value_t = 30)]
    pub per_task: usize,
    /// Seed of the sample.
    #[arg(long, default_value_t = 17)]
    pub seed: u64,
    /// Check only this task (repeatable; default every task in --data), e.g. for an adapter
    /// trained on one task. The sample of a task does not depend on which others are checked.
    #[arg(long = "task", value_name = "TASK")]
    pub tasks: Vec<Task>,
    /// Token budget of one answer.
    #[arg(long, default_value_t = 192)]
    pub max_new_tokens: usize,
    /// Only run base + adapter (e.g. to compare a new adapter with an earlier run's untuned rows
    /// on the same sample).
    #[arg(long)]
    pub tuned_only: bool,
    /// Write `<out>.json` and `<out>.md`.
    #[arg(long, default_value = "benches/results/heldout-check")]
    pub out: PathBuf,
}

#[derive(Debug, Default, Clone)]
struct Tally {
    n: usize,
    valid: usize,
    exact: usize,
    quality: f64,
    new_tokens: usize,
    seconds: f64,
}

pub fn run(args: CheckArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.per_task > 0, "--per-task must be positive");
    let examples = hirelm_curate::parquet_io::read_examples(&args.data)
        .with_context(|| format!("reading {}", args.data.display()))?;
    let examples: Vec<Example> = examples
        .into_iter()
        .filter(|e| args.tasks.is_empty() || args.tasks.contains(&e.task))
        .collect();
    let sample = sample_per_task(examples, args.per_task, args.seed);
    anyhow::ensure!(
        !sample.is_empty(),
        "{} holds no examples{}",
        args.data.display(),
        if args.tasks.is_empty() {
            ""
        } else {
            " of the --task given"
        }
    );
    let adapter = args.adapter.clone().unwrap_or_else(bundled_adapter_dir);
    let base = DomainModelBuilder::new(&args.base)
        .with_max_new_tokens(args.max_new_tokens)
        .with_name("smollm2-135m (untuned)");
    let tuned = base
        .clone()
        .with_name("smollm2-135m + hirelm LoRA")
        .with_adapter(AdapterSpec {
            name: adapter
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            dir: adapter.clone(),
            tasks: None,
        });
    let mut results = Vec::new();
    let builders = if args.tuned_only {
        vec![tuned]
    } else {
        vec![base, tuned]
    };
    for builder in builders {
        let model = builder.build()?;
        results.push((model.name().to_string(), check(&model, &sample)));
    }
    let tasks: Vec<Task> = sample
        .iter()
        .map(|e| e.task)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut md = format!(
        "Held-out generation check: {} examples per task from `{}` (seed {}), greedy, JSON-schema constrained.\n\n\
         | task | model | n | valid JSON | exact | quality | s/answer |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
        args.per_task,
        args.data.display(),
        args.seed
    );
    let mut rows = Vec::new();
    for task in &tasks {
        for (name, tallies) in &results {
            let t = tallies.get(task).cloned().unwrap_or_default();
            let pct = |k: usize| 100.0 * k as f64 / t.n.max(1) as f64;
            md.push_str(&format!(
                "| {task} | {name} | {} | {:.1}% | {:.1}% | {:.3} | {:.2} |\n",
                t.n,
                pct(t.valid),
                pct(t.exact),
                t.quality / t.n.max(1) as f64,
                t.seconds / t.n.max(1) as f64
            ));
            rows.push(json!({"task": task.name(), "model": name, "n": t.n, "valid": t.valid, "exact": t.exact,
                "quality": t.quality / t.n.max(1) as f64, "new_tokens": t.new_tokens, "seconds": t.seconds}));
        }
    }
    md.push_str(
        "\nvalid JSON: answers that completed within the token budget (the constraint makes every completed answer valid). \
         exact: the answer equals the target (for normalise_title this includes the ESCO URI). quality: set F1 of skills \
         (extract_skills) and slots (schedule_interview), occupation label accuracy (normalise_title), match label \
         (score_match), NDCG@5 (rank_candidates), 1 - mean rubric score error / 4 (evaluate_candidate), mean of \
         required-skill coverage and budget inside the band (draft_job_post); a missing answer scores 0. \
         s/answer: mean wall time per answer.\n",
    );
    let report = json!({"data": args.data, "per_task": args.per_task, "seed": args.seed, "adapter": adapter, "base": args.base, "rows": rows});
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    write_atomic(
        &args.out.with_extension("json"),
        &serde_json::to_string_pretty(&report)?,
    )?;
    write_atomic(&args.out.with_extension("md"), &md)?;
    super::emit(&md)
}

/// `per_task` examples of each task, chosen by a seeded hash of their content (stable across runs).
fn sample_per_task(examples: Vec<Example>, per_task: usize, seed: u64) -> Vec<Example> {
    let mut by_task: BTreeMap<Task, Vec<(u64, Example)>> = BTreeMap::new();
    for e in examples {
        let key = hirelm_eval::corpus::fnv1a(seed, format!("{}{}", e.input, e.target).as_bytes());
        by_task.entry(e.task).or_default().push((key, e));
    }
    by_task
        .into_values()
        .flat_map(|mut v| {
            v.sort_by_key(|(k, _)| *k);
            v.into_iter().take(per_task).map(|(_, e)| e)
        })
        .collect()
}

fn check(model: &DomainModel, sample: &[Example]) -> BTreeMap<Task, Tally> {
    let bar = ProgressBar::new(sample.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(model.name().to_string());
    let mut tallies: BTreeMap<Task, Tally> = BTreeMap::new();
    for example in sample {
        let start = Instant::now();
        let answer = model.answer(example.task, &example.input);
        let t = tallies.entry(example.task).or_default();
        t.n += 1;
        t.seconds += start.elapsed().as_secs_f64();
        match answer {
            Ok(a) => {
                t.valid += 1;
                t.new_tokens += a.decoded.tokens.len();
                let s = score_answer(example.task, &a.value, &example.target);
                t.exact += usize::from(s.exact);
                t.quality += s.quality;
            }
            Err(e) => tracing::warn!(task = %example.task, "no valid answer: {e}"),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    tallies
}

fn write_atomic(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    hirelm_core::fs::write_atomic(path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}
