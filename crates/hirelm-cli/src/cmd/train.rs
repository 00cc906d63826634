//! `hirelm train`: LoRA fine-tuning from a TOML recipe, resumable.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use hirelm_core::Example;
use hirelm_eval::consistency_data::{ConsistencyPlan, with_perturbed_copies};
use hirelm_eval::perturb::PackContext;
use hirelm_train::run::{ConsistencySection, TrainConfig, train};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The recipe (see configs/lora-smollm2.toml).
    #[arg(long)]
    pub config: PathBuf,
    /// Continue from the newest complete checkpoint under the run's out_dir (or under DIR,
    /// which then replaces out_dir).
    // `Option<Option<_>>` is clap's optional value; an empty default value is refused by the
    // path parser, which made a bare `--resume` an error.
    #[arg(long, num_args = 0..=1)]
    pub resume: Option<Option<PathBuf>>,
    /// Override optim.total_steps.
    #[arg(long)]
    pub steps: Option<usize>,
    /// Override optim.learning_rate.
    #[arg(long)]
    pub lr: Option<f64>,
    /// Override run.out_dir.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override run.seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override data.train.
    #[arg(long)]
    pub train_data: Option<PathBuf>,
}

/// Examples from a `.parquet` file written by `hirelm curate`, or a `.jsonl` file of examples.
pub fn read_examples(path: &Path) -> anyhow::Result<Vec<Example>> {
    if path.extension().is_some_and(|e| e == "parquet") {
        return Ok(hirelm_curate::parquet_io::read_examples(path)?);
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str::<Example>(line)
                .with_context(|| format!("{}:{}: not an example", path.display(), i + 1))
        })
        .collect()
}

/// The training set followed by perturbed copies of its inputs (`[consistency]`), with what was
/// made written to `out_dir/consistency.json` (the families, the held-out ones, the counts), so
/// an evaluation can report the held-out families apart.
fn with_consistency_copies(
    train_set: Vec<Example>,
    section: &ConsistencySection,
    config: &TrainConfig,
) -> anyhow::Result<Vec<Example>> {
    let plan = ConsistencyPlan::parse(
        &section.families,
        &section.held_out,
        section.copies,
        config.run.seed,
    )
    .context("the recipe's [consistency] section")?;
    let context = PackContext::load(&plan.families, &section.data_dir).with_context(|| {
        format!(
            "loading the consistency families' resources from {} (scripts/fetch-data.sh)",
            section.data_dir.display()
        )
    })?;
    let data = with_perturbed_copies(&train_set, &plan, &context);
    let made: Vec<String> = data
        .per_family
        .iter()
        .map(|(pack, n)| format!("{} {n}", pack.name()))
        .collect();
    eprintln!(
        "consistency: {} perturbed copies ({}); {} of {} examples had nothing to rewrite; held out: {}",
        data.examples.len() - train_set.len(),
        made.join(", "),
        data.untouched,
        train_set.len(),
        section.held_out.join(", ")
    );
    let record = serde_json::json!({
        "families": section.families,
        "held_out": section.held_out,
        "copies": section.copies,
        "seed": plan.seed,
        "clean_examples": train_set.len(),
        "copies_per_family": data.per_family.iter().map(|(p, n)| (p.name(), n)).collect::<std::collections::BTreeMap<_, _>>(),
        "untouched": data.untouched,
    });
    let out = &config.run.out_dir;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let path = out.join("consistency.json");
    hirelm_core::fs::write_atomic(&path, serde_json::to_string_pretty(&record)?.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(data.examples)
}

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let mut config = TrainConfig::from_file(&args.config)?;
    if let Some(steps) = args.steps {
        config.optim.total_steps = steps;
    }
    if let Some(lr) = args.lr {
        config.optim.learning_rate = lr;
    }
    if let Some(out) = args.out {
        config.run.out_dir = out;
    }
    if let Some(seed) = args.seed {
        config.run.seed = seed;
    }
    if let Some(path) = args.train_data {
        config.data.train = path;
    }
    let resume = match args.resume {
        Some(Some(dir)) => {
            config.run.out_dir = dir;
            true
        }
        Some(None) => true,
        None => false,
    };
    config.validate()?;
    let mut train_set = read_examples(&config.data.train)?;
    if let Some(tasks) = &config.data.tasks {
        train_set.retain(|e| tasks.contains(&e.task));
    }
    if let Some(consistency) = &config.consistency {
        train_set = with_consistency_copies(train_set, consistency, &config)?;
    }
    let valid_set = read_examples(&config.data.valid)?;
    let only = match &config.data.tasks {
        Some(tasks) => format!(
            ", of which only {}",
            tasks
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    };
    eprintln!(
        "training {} on {} examples ({} validation){only}, {} steps of {}×{} → {}",
        config.model.base,
        train_set.len(),
        valid_set.len(),
        config.optim.total_steps,
        config.optim.batch_size,
        config.optim.grad_accum,
        config.run.out_dir.display()
    );
    let bar = ProgressBar::new(config.optim.total_steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} step {pos}/{len} {msg} [{elapsed} < {eta}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let summary = train(&config, &train_set, &valid_set, resume, &mut |r| {
        bar.set_position(r.step as u64);
        let valid = r
            .valid_loss
            .map(|v| format!(" valid {v:.4}"))
            .unwrap_or_default();
        bar.set_message(format!(
            "loss {:.4}{valid} lr {:.2e} {:.0} tok/s",
            r.loss, r.learning_rate, r.tokens_per_second
        ));
        ControlFlow::Continue(())
    })?;
    bar.finish();
    if summary.resumed_from > 0 {
        eprintln!("resumed from step {}", summary.resumed_from);
    }
    let mix: Vec<String> = summary
        .per_task
        .iter()
        .map(|(task, n)| format!("{task} {n}"))
        .collect();
    eprintln!("training mix: {}", mix.join(", "));
    if summary.no_answer > 0 {
        eprintln!(
            "{} training examples were dropped: their answer starts beyond {} tokens",
            summary.no_answer, config.data.max_len
        );
    }
    if summary.truncated > 0 {
        eprintln!(
            "{} training examples were longer than {} tokens and truncated",
            summary.truncated, config.data.max_len
        );
    }
    if let Some(last) = &summary.last {
        eprintln!("final: {}", serde_json::to_string(last)?);
    }
    let out = &config.run.out_dir;
    super::emit(&format!(
        "adapter: {}\nmetrics: {}\nloss curve: {}\n",
        summary.adapter_dir.display(),
        out.join("metrics.jsonl").display(),
        out.join("loss.svg").display()
    ))
}
