//! `hirelm encoder choices`: the language model's training examples for choosing among the tuned
//! encoder's candidates ([`hirelm_eval::candidate_choice`]). The sentences are the encoder's own
//! SkillSkape training sentences (the anchors of its decontaminated pairs, so no evaluation
//! sentence is among them), the candidates its top `k` for each (mined hard negatives), the gold
//! its SkillSkape labels. A seeded share of the sentences becomes the validation file, so the
//! run's validation loss is measured on sentences it does not train on.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use hirelm_core::{Example, PairSource, Provenance, Task};
use hirelm_eval::baselines::nn::{MiniLm, NearestNeighbour, default_cache_dir};
use hirelm_eval::candidate_choice::{ChoiceOptions, choice_example};
use hirelm_eval::corpus::{fnv1a, shared_data_dir};
use hirelm_eval::metrics::stats::SplitMix64;
use hirelm_eval::runner::prepare;
use hirelm_eval::suite::EvalSpec;
use hirelm_model::bert::read_scorer;
use indicatif::{ProgressBar, ProgressStyle};

use super::encoder_args::TunedEncoderArgs;

#[derive(Debug, Args)]
pub struct ChoicesArgs {
    /// The encoder's training pairs (`hirelm encoder pairs`); the anchors of its `skillskape`
    /// pairs are the sentences used.
    #[arg(long, default_value = "data/encoder-pairs/pairs.jsonl")]
    pub pairs: PathBuf,
    /// Shared data folder (default $HIRELM_SHARED_DATA or ../shared/data): SkillSkape train
    /// and the ESCO label list the candidates are drawn from.
    #[arg(long)]
    pub shared: Option<PathBuf>,
    #[command(flatten)]
    pub encoders: TunedEncoderArgs,
    /// Candidates shown per example (the reranker's depth: `hirelm bench fusion --candidates`).
    #[arg(long, default_value_t = 10)]
    pub candidates: usize,
    /// Share of the examples whose gold labels are all taken out of the candidates (the answer
    /// is then empty), as happens when the encoder misses.
    #[arg(long, default_value_t = 0.15)]
    pub drop_gold: f64,
    /// Share of the sentences written to valid.jsonl instead of train.jsonl.
    #[arg(long, default_value_t = 0.05)]
    pub valid_share: f64,
    /// Seed of the candidates' order, the dropped golds and the split.
    #[arg(long, default_value_t = 23)]
    pub seed: u64,
    /// At most this many sentences (a quick run).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Output directory (train.jsonl, valid.jsonl).
    #[arg(long, default_value = "data/skill-choices")]
    pub out: PathBuf,
}

pub fn run(args: ChoicesArgs) -> anyhow::Result<()> {
    if args.candidates < 2 {
        bail!("--candidates must be at least 2 (a choice of one teaches nothing)");
    }
    for (flag, share) in [
        ("--drop-gold", args.drop_gold),
        ("--valid-share", args.valid_share),
    ] {
        if !(0.0..1.0).contains(&share) {
            bail!("{flag} must be in [0, 1), not {share}");
        }
    }
    let shared = args.shared.clone().unwrap_or_else(shared_data_dir);
    let anchors: HashSet<String> = hirelm_core::read_encoder_pairs(&args.pairs)
        .with_context(|| {
            format!(
                "reading the encoder's pairs (build them with `hirelm encoder pairs --out {}`)",
                args.pairs.parent().unwrap_or(&args.pairs).display()
            )
        })?
        .into_iter()
        .filter(|pair| pair.source == PairSource::SkillSkape)
        .map(|pair| pair.anchor)
        .collect();
    if anchors.is_empty() {
        bail!("{}: no skillskape pairs", args.pairs.display());
    }
    let spec = EvalSpec {
        name: "skillskape-train".into(),
        task: Task::ExtractSkills,
        format: "skillskape_csv".into(),
        data: shared.join("skillskape/train.csv"),
        labels: Some(shared.join("skill-extraction-benchmark/skills_en_label.txt")),
        train: None,
        predictor: "encoder-nn".into(),
        metrics: Vec::new(),
        packs: Vec::new(),
        thresholds: Default::default(),
        heldout_percent: 0,
        limit: None,
    };
    let mut prepared =
        prepare(&spec, args.seed).with_context(|| spec.data.display().to_string())?;
    let total = prepared.cases.len();
    prepared.cases.retain(|case| anchors.contains(&case.text));
    if let Some(limit) = args.limit {
        prepared.cases.truncate(limit);
    }
    let encoder_dir = args.encoders.dirs().skills;
    let encoder = MiniLm::load(&encoder_dir).with_context(|| encoder_dir.display().to_string())?;
    // Deep enough to replace every gold label of a sentence that drops them.
    let depth = args.candidates * 2 + 10;
    let retriever = NearestNeighbour::new(
        &encoder,
        Task::ExtractSkills,
        &prepared.docs,
        depth,
        Some(&default_cache_dir()),
    )?
    .with_scorer(read_scorer(&encoder_dir)?);
    let options = ChoiceOptions {
        candidates: args.candidates,
        drop_gold: args.drop_gold,
    };
    // The encoder as the repository names it (not this machine's absolute path).
    let cwd = std::env::current_dir().unwrap_or_default();
    let source = format!(
        "skillskape/train.csv (MIT) + candidates of {}",
        encoder_dir
            .strip_prefix(&cwd)
            .unwrap_or(&encoder_dir)
            .display()
    );
    let mut rng = SplitMix64::new(args.seed);
    let (mut train, mut valid) = (Vec::new(), Vec::new());
    let bar = ProgressBar::new(prepared.cases.len() as u64).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} sentences retrieved ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    for case in &prepared.cases {
        let ranked: Vec<String> = retriever
            .search(&case.text)
            .with_context(|| format!("retrieving for {:?}", case.text))?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let provenance = Provenance {
            source: source.clone(),
            licence: "MIT".into(),
            synthetic: true,
            seed: args.seed,
            group: case.text.clone(),
            confidence: None,
        };
        bar.inc(1);
        let Some(example) = choice_example(
            &case.text, &case.gold, &ranked, options, &mut rng, provenance,
        ) else {
            continue;
        };
        // By the sentence's hash, so the split does not depend on the order or the limit.
        let unit = (fnv1a(args.seed, case.text.as_bytes()) >> 11) as f64 / (1u64 << 53) as f64;
        match unit < args.valid_share {
            true => valid.push(example),
            false => train.push(example),
        }
    }
    bar.finish_and_clear();
    std::fs::create_dir_all(&args.out).with_context(|| args.out.display().to_string())?;
    for (name, examples) in [("train.jsonl", &train), ("valid.jsonl", &valid)] {
        write_jsonl(&args.out.join(name), examples)?;
    }
    let empty = train
        .iter()
        .chain(&valid)
        .filter(|e| e.target["skills"].as_array().is_some_and(Vec::is_empty))
        .count();
    println!(
        "{} training and {} validation examples from {} of {} SkillSkape training sentences (the encoder's anchors), {} candidates each, {} with no gold among them\n{}",
        train.len(),
        valid.len(),
        prepared.cases.len(),
        total,
        args.candidates,
        empty,
        args.out.display()
    );
    Ok(())
}

/// Writes `examples` as JSON lines, atomically.
fn write_jsonl(path: &std::path::Path, examples: &[Example]) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    for example in examples {
        serde_json::to_writer(&mut bytes, example)?;
        bytes.write_all(b"\n")?;
    }
    hirelm_core::fs::write_atomic(path, &bytes).with_context(|| path.display().to_string())
}
