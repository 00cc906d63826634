//! The curation recipe (`configs/curate.toml`): a serde struct shaped like the file, checked by
//! [`CurateConfig::check`]. Relative paths are relative to the working directory (the repository
//! root when run as `hirelm curate --config configs/curate.toml`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::clean::MinHashConfig;
use crate::error::CurateError;
use crate::rng::sha256_hex;

/// The whole recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurateConfig {
    /// Dataset name: output goes to `<output_dir>/<name>/`.
    pub name: String,
    /// Master seed of every random choice.
    pub seed: u64,
    /// Parent folder of the dataset.
    pub output_dir: PathBuf,
    /// Rows per Arrow record batch written.
    pub batch_rows: usize,
    /// Where the inputs are.
    pub sources: SourcesConfig,
    /// Split fractions.
    pub split: SplitConfig,
    /// extract_skills generation.
    pub extract_skills: ExtractSkillsConfig,
    /// schedule_interview generation.
    pub schedule_interview: ScheduleConfig,
    /// score_match generation (absent: none).
    #[serde(default)]
    pub score_match: TaskCount,
    /// rank_candidates generation (absent: none).
    #[serde(default)]
    pub rank_candidates: TaskCount,
    /// evaluate_candidate generation (absent: none).
    #[serde(default)]
    pub evaluate_candidate: TaskCount,
    /// draft_job_post generation (absent: none).
    #[serde(default)]
    pub draft_job_post: TaskCount,
    /// Cleaning.
    pub clean: CleanConfig,
    /// Evaluation files to decontaminate against.
    pub decontam: DecontamConfig,
}

/// Input locations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesConfig {
    /// The shared real data (`../shared/data`).
    pub shared_data: PathBuf,
    /// The output of `scripts/fetch-data.sh` (`data`).
    pub data_dir: PathBuf,
}

/// Group-aware split fractions; train gets the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitConfig {
    /// Fraction of groups in `valid`.
    pub valid: f64,
    /// Fraction of groups in `test`.
    pub test: f64,
}

/// extract_skills options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractSkillsConfig {
    /// Synthetic sentences per sampled ESCO skill.
    pub synthetic_per_skill: usize,
    /// ESCO skills sampled for synthesis (0 = all).
    pub max_skills: usize,
    /// Distant supervision from SkillSpan train (needs an embedder).
    pub distant: bool,
    /// Minimum cosine similarity of a span to its nearest ESCO label to keep the label.
    pub min_confidence: f64,
    /// Negatives (SkillSpan sentences without a span) kept per labelled sentence.
    pub max_negatives_per_labelled: f64,
}

/// schedule_interview options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Number of examples generated.
    pub examples: usize,
}

/// The number of examples of a seeded task (score_match, rank_candidates, evaluate_candidate,
/// draft_job_post); each example is its own job, so its own split group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskCount {
    /// Number of examples generated (0 = the task is off).
    pub examples: usize,
}

impl CurateConfig {
    /// Whether any task drawing on the simulated market (wages, names) is on.
    pub fn needs_market(&self) -> bool {
        [
            &self.score_match,
            &self.rank_candidates,
            &self.evaluate_candidate,
            &self.draft_job_post,
        ]
        .iter()
        .any(|c| c.examples > 0)
    }
}

/// Cleaning options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CleanConfig {
    /// Minimum characters of an input text.
    pub min_chars: usize,
    /// Maximum characters of an input text.
    pub max_chars: usize,
    /// Texts with fewer words skip near-dedup (exact dedup still applies).
    pub near_dedup_min_words: usize,
    /// MinHash LSH parameters.
    pub minhash: MinHashConfig,
}

/// Decontamination options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecontamConfig {
    /// Word n-gram length for overlap.
    pub ngram: usize,
    /// Evaluation files: `.csv` with a `sentence` column or SkillSpan `.json` lines.
    pub files: Vec<PathBuf>,
}

impl CurateConfig {
    /// Reads and checks a TOML recipe.
    pub fn from_file(path: &Path) -> Result<Self, CurateError> {
        let text = std::fs::read_to_string(path).map_err(|e| CurateError::io(path, e))?;
        Self::from_toml(&text, path)
    }

    /// Parses and checks TOML text (`path` is only used in errors).
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, CurateError> {
        let config: CurateConfig = toml::from_str(text).map_err(|e| CurateError::Config {
            path: path.to_path_buf(),
            field: "<toml>".into(),
            reason: match e.span() {
                Some(span) => format!("{} (at byte {})", e.message(), span.start),
                None => e.message().to_string(),
            },
        })?;
        config.check(path)?;
        Ok(config)
    }

    /// Checks value ranges.
    pub fn check(&self, path: &Path) -> Result<(), CurateError> {
        let bad = |field: &str, reason: String| {
            Err(CurateError::Config {
                path: path.to_path_buf(),
                field: field.into(),
                reason,
            })
        };
        let s = &self.split;
        if !(0.0..1.0).contains(&s.valid)
            || !(0.0..1.0).contains(&s.test)
            || s.valid + s.test >= 1.0
        {
            return bad(
                "split",
                format!(
                    "valid ({}) and test ({}) must be in [0, 1) with a sum below 1",
                    s.valid, s.test
                ),
            );
        }
        if self.name.is_empty() || self.name.contains(['/', '\\']) {
            return bad(
                "name",
                format!("`{}` must be a non-empty folder name", self.name),
            );
        }
        if self.batch_rows == 0 {
            return bad("batch_rows", "must be positive".into());
        }
        let m = &self.clean.minhash;
        if let Some(problem) = m.problem() {
            return bad("clean.minhash.bands", problem);
        }
        if !(0.0..=1.0).contains(&m.threshold)
            || !(0.0..=1.0).contains(&self.extract_skills.min_confidence)
        {
            return bad(
                "clean.minhash.threshold",
                "thresholds must be in [0, 1]".into(),
            );
        }
        if !(self.extract_skills.max_negatives_per_labelled >= 0.0) {
            return bad(
                "extract_skills.max_negatives_per_labelled",
                "must be 0 or more".into(),
            );
        }
        if self.decontam.ngram == 0 {
            return bad("decontam.ngram", "must be positive".into());
        }
        Ok(())
    }

    /// SHA-256 of the canonical TOML serialisation, without `output_dir` (where the files go does
    /// not change them): the card's config hash.
    pub fn hash(&self) -> String {
        let canonical = CurateConfig {
            output_dir: PathBuf::new(),
            ..self.clone()
        };
        sha256_hex(toml::to_string(&canonical).unwrap_or_default().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const SAMPLE: &str = include_str!("../../../configs/curate.toml");

    #[test]
    fn committed_recipe_parses() {
        let c = CurateConfig::from_toml(SAMPLE, Path::new("configs/curate.toml")).expect("valid");
        assert!(c.clean.minhash.problem().is_none());
        assert_eq!(c.hash().len(), 64);
    }

    #[test]
    fn invalid_values_name_the_field() {
        let text = SAMPLE.replace("bands = 32", "bands = 32\nrows = 5");
        let err = CurateConfig::from_toml(&text, Path::new("c.toml"))
            .expect_err("invalid")
            .to_string();
        assert!(
            err.contains("c.toml") && err.contains("clean.minhash.bands"),
            "{err}"
        );
        let err = CurateConfig::from_toml("name = 3", Path::new("c.toml"))
            .expect_err("invalid")
            .to_string();
        assert!(err.contains("c.toml"), "{err}");
    }
}
