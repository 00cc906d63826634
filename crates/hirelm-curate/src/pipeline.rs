//! The curation run: ingest → generate → clean → decontaminate → split → write → card.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hirelm_core::{Example, Task};
use rayon::prelude::*;

use crate::card::{Report, SourceInfo, write_card};
use crate::clean::{MinHasher, Redactor, exact_dedup, near_dedup, normalise_text};
use crate::config::CurateConfig;
use crate::decontam::Decontaminator;
use crate::error::CurateError;
use crate::labels::LabelSet;
use crate::parquet_io::write_examples;
use crate::rng::{sha256_hex, stable_hash};
use crate::split::{Split, assign_splits};
use crate::tasks::{self, Embedder};
use crate::{esco, skillspan, titles};

/// One deterministic shard of the work: groups whose hash is `index` modulo `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based shard index.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = CurateError;

    /// Parses `I/N` with `I < N`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || CurateError::Config {
            path: PathBuf::from("--shard"),
            field: "shard".into(),
            reason: format!("`{s}` is not I/N with I < N"),
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// Receives progress: a stage starts (with its length when known), then advances.
pub trait Progress {
    /// A new stage.
    fn stage(&mut self, name: &str, total: Option<u64>);
    /// `n` more units of the current stage are done.
    fn advance(&mut self, n: u64);
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn stage(&mut self, _: &str, _: Option<u64>) {}
    fn advance(&mut self, _: u64) {}
}

pub(crate) fn source_info(
    name: &str,
    licence: &str,
    path: &Path,
) -> Result<SourceInfo, CurateError> {
    let bytes = std::fs::read(path).map_err(|e| CurateError::io(path, e))?;
    Ok(SourceInfo {
        name: name.into(),
        licence: licence.into(),
        path: path.to_path_buf(),
        sha256: sha256_hex(&bytes),
    })
}

/// The output folder of a config: `<output_dir>/<name>`.
pub fn dataset_dir(config: &CurateConfig) -> PathBuf {
    config.output_dir.join(&config.name)
}

/// File name of a split (with the shard suffix when sharded).
pub fn split_file(split: Split, shard: Option<Shard>) -> String {
    match shard {
        Some(s) => format!("{}-{:05}-of-{:05}.parquet", split.name(), s.index, s.count),
        None => format!("{}.parquet", split.name()),
    }
}

/// Runs the whole recipe and writes the dataset and its card.
pub fn curate(
    config: &CurateConfig,
    embedder: Option<&dyn Embedder>,
    shard: Option<Shard>,
    progress: &mut dyn Progress,
) -> Result<Report, CurateError> {
    let shared = &config.sources.shared_data;
    let data = &config.sources.data_dir;
    let mut report = Report::new(config, shard);

    progress.stage("reading sources", None);
    let labels_path = shared.join("skill-extraction-benchmark/skills_en_label.txt");
    let label_set = LabelSet::read(&labels_path)?;
    let skills_path = data.join("esco/skills.csv");
    let occs_path = data.join("esco/occupations.csv");
    let (skills, skill_stats) = esco::read_concepts(&skills_path, Some(&label_set))?;
    let (occupations, occ_stats) = esco::read_concepts(&occs_path, None)?;
    let titles_path = shared.join("jobbert-titles/titles.csv");
    let title_rows = titles::read_titles(&titles_path)?;
    let train_path = shared.join("skillspan/train.json");
    let span_sentences = skillspan::read_skillspan(&train_path)?;
    report.esco = [
        ("skills".to_string(), skill_stats),
        ("occupations".to_string(), occ_stats),
    ]
    .into();
    report.sources = vec![
        source_info(tasks::ESCO_SOURCE, tasks::ESCO_LICENCE, &skills_path)?,
        source_info(tasks::ESCO_SOURCE, tasks::ESCO_LICENCE, &occs_path)?,
        source_info(
            "skill-extraction-benchmark@19305c8 (label list)",
            "CC-BY-4.0",
            &labels_path,
        )?,
        source_info(
            tasks::TITLES_SOURCE,
            "none stated by the source",
            &titles_path,
        )?,
        source_info(tasks::SKILLSPAN_SOURCE, "MIT", &train_path)?,
    ];

    progress.stage("generating examples", None);
    let mut examples = Vec::new();
    let (titles, unknown) = tasks::title_examples(&title_rows, &occupations, config.seed);
    report.note(
        "normalise_title rows whose occupation is not in ESCO (skipped)",
        unknown,
    );
    examples.extend(titles);
    let xs = &config.extract_skills;
    examples.extend(tasks::synthesize_skill_sentences(
        &skills,
        xs.synthetic_per_skill,
        xs.max_skills,
        config.seed,
    ));
    if xs.distant {
        let embedder = embedder.ok_or_else(|| CurateError::Config {
            path: PathBuf::from("<config>"),
            field: "extract_skills.distant".into(),
            reason: "distant supervision needs a sentence embedder".into(),
        })?;
        let total = skills.len() + span_sentences.iter().map(|s| s.spans.len()).sum::<usize>();
        progress.stage(
            "embedding ESCO labels and SkillSpan spans",
            Some(total as u64),
        );
        let (distant, stats) = tasks::distant_supervision(
            &span_sentences,
            &skills,
            embedder,
            xs.min_confidence,
            xs.max_negatives_per_labelled,
            config.seed,
            &mut |n| progress.advance(n as u64),
        )?;
        report.distant = Some(stats);
        examples.extend(distant);
    }
    examples.extend(tasks::schedule_examples(
        config.schedule_interview.examples,
        config.seed,
    ));
    if config.needs_market() {
        progress.stage(
            "building the market (ESCO skill sets, BLS wages, names)",
            None,
        );
        let market =
            crate::market::sources::build_market(config, &skills, &occupations, &mut report)?;
        examples.extend(tasks::score_match_examples(
            &market,
            config.score_match.examples,
            config.seed,
        ));
        examples.extend(tasks::rank_examples(
            &market,
            config.rank_candidates.examples,
            config.seed,
        ));
        examples.extend(tasks::evaluate_examples(
            &market,
            config.evaluate_candidate.examples,
            config.seed,
        ));
        examples.extend(tasks::draft_examples(
            &market,
            &span_sentences,
            config.draft_job_post.examples,
            config.seed,
        ));
    }
    for e in &examples {
        *report
            .generated
            .entry((e.task, tasks::source_family(&e.provenance.source)))
            .or_default() += 1;
    }
    if let Some(s) = shard {
        examples.retain(|e| stable_hash(&e.provenance.group) % s.count as u64 == s.index as u64);
        report.note("examples in this shard", examples.len());
    }

    let examples = clean(config, examples, &mut report, progress)?;

    progress.stage("splitting and writing", Some(examples.len() as u64));
    let splits = assign_splits(
        &examples,
        config.seed,
        config.split.valid,
        config.split.test,
    );
    let dir = dataset_dir(config);
    std::fs::create_dir_all(&dir).map_err(|e| CurateError::io(&dir, e))?;
    for split in Split::ALL {
        let rows: Vec<Example> = examples
            .iter()
            .zip(&splits)
            .filter(|(_, s)| **s == split)
            .map(|(e, _)| e.clone())
            .collect();
        for e in &rows {
            *report
                .final_counts
                .entry((e.task, tasks::source_family(&e.provenance.source), split))
                .or_default() += 1;
        }
        write_examples(
            &dir.join(split_file(split, shard)),
            &rows,
            config.batch_rows,
        )?;
        progress.advance(rows.len() as u64);
    }
    write_card(&dir, &report)?;
    Ok(report)
}

fn text_of(e: &Example) -> Option<&str> {
    e.input.as_str()
}

/// Normalisation, PII redaction, quality filters, exact and near dedup, decontamination.
fn clean(
    config: &CurateConfig,
    mut examples: Vec<Example>,
    report: &mut Report,
    progress: &mut dyn Progress,
) -> Result<Vec<Example>, CurateError> {
    let c = &config.clean;
    progress.stage("normalising and redacting", Some(examples.len() as u64));
    let redactor = Redactor::new();
    let results: Vec<(bool, crate::clean::PiiCounts)> = examples
        .par_iter_mut()
        .map(|e| {
            let Some(text) = e.input.as_str() else {
                return (false, Default::default());
            };
            let norm = normalise_text(text);
            let changed = norm != text;
            let (redacted, counts) = redactor.redact(&norm);
            e.input = serde_json::Value::String(redacted);
            (changed, counts)
        })
        .collect();
    progress.advance(examples.len() as u64);
    report.note(
        "inputs changed by Unicode NFC/whitespace normalisation",
        results.iter().filter(|r| r.0).count(),
    );
    for (_, counts) in &results {
        report.pii.add(*counts);
    }

    let before = examples.len();
    let mut too_short = 0;
    let mut too_long = 0;
    let mut bad_charset = 0;
    let mut invalid = 0;
    examples.retain(|e| {
        if let Some(t) = text_of(e) {
            let n = t.chars().count();
            if n < c.min_chars {
                too_short += 1;
                return false;
            }
            if n > c.max_chars {
                too_long += 1;
                return false;
            }
            if t.chars().filter(|ch| ch.is_alphabetic()).count() * 2 < n {
                bad_charset += 1;
                return false;
            }
        }
        if hirelm_core::validate(e.task, &e.target).is_err() {
            invalid += 1;
            return false;
        }
        true
    });
    report.note("quality: input shorter than min_chars", too_short);
    report.note("quality: input longer than max_chars", too_long);
    report.note("quality: input less than half letters", bad_charset);
    report.note("quality: target invalid against the task schema", invalid);
    debug_assert_eq!(
        before - examples.len(),
        too_short + too_long + bad_charset + invalid
    );

    let (mut examples, exact) = exact_dedup(examples, |e| {
        format!("{}\n{}", e.task, e.input.to_string().to_lowercase())
    });
    report.note("exact duplicates removed (same task and input)", exact);

    progress.stage("near-duplicate removal (MinHash LSH)", None);
    let hasher = MinHasher::new(c.minhash.clone());
    let mut by_task: BTreeMap<Task, Vec<usize>> = BTreeMap::new();
    for (i, e) in examples.iter().enumerate() {
        if text_of(e).is_some_and(|t| t.split_whitespace().count() >= c.near_dedup_min_words) {
            by_task.entry(e.task).or_default().push(i);
        }
    }
    let mut keep = vec![true; examples.len()];
    for (task, idx) in by_task {
        let texts: Vec<&str> = idx.iter().filter_map(|&i| text_of(&examples[i])).collect();
        let (mask, near) = near_dedup(&hasher, &texts);
        for (k, &i) in idx.iter().enumerate() {
            keep[i] = mask[k];
        }
        report.near_dup.insert(
            task,
            (
                near.candidate_pairs,
                near.duplicate_pairs.len(),
                near.clusters,
                near.removed,
            ),
        );
    }
    let mut k = keep.into_iter();
    examples.retain(|_| k.next().unwrap_or(true));

    progress.stage(
        "decontaminating against evaluation files",
        Some(examples.len() as u64),
    );
    let decon = Decontaminator::new(&config.decontam.files, config.decontam.ngram, hasher)?;
    for f in decon.files() {
        report.sources.push(source_info(
            "evaluation file (decontamination)",
            "see ../shared/data/PROVENANCE.md",
            f,
        )?);
    }
    let hits: Vec<Option<usize>> = examples
        .par_iter()
        .map(|e| text_of(e).and_then(|t| decon.contaminated_by(t)))
        .collect();
    for (f, path) in decon.files().iter().enumerate() {
        report
            .decontam
            .push((path.clone(), hits.iter().filter(|h| **h == Some(f)).count()));
    }
    let mut h = hits.into_iter();
    examples.retain(|_| h.next().flatten().is_none());
    progress.advance(examples.len() as u64);
    Ok(examples)
}
