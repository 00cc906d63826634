//! Task metrics, each tested on hand-computed cases, and the named [`Metric`] list suites use.
//!
//! - [`ranking`]: R-Precision@K, reciprocal rank, accuracy@1, NDCG@K.
//! - [`classification`]: accuracy, macro-F1.
//! - [`span`]: BIO span F1 (SkillSpan).
//! - [`correlation`]: Spearman rank correlation.
//! - [`matching`]: score_match label accuracy, macro-F1 and score error, invalid answers included.
//! - [`tasks`]: the curated JSON-answer tasks (slots, job posts, rubrics, rankings).
//! - [`fairness`]: selection rates, the adverse-impact ratio and counterfactual score deltas.
//! - [`stats`]: means and bootstrap confidence intervals.

pub mod classification;
pub mod correlation;
pub mod fairness;
pub mod matching;
pub mod paired;
pub mod ranking;
pub mod span;
pub mod stats;
pub mod tasks;

use serde::{Deserialize, Serialize};

use crate::{EvalError, Result};

/// A named metric. The ranked metrics ([`Metric::RANKED`]) score a ranked output per case; the
/// match metrics ([`Metric::MATCH`]) score `score_match` answers ([`matching`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// R-Precision@5.
    #[serde(rename = "rp@5")]
    RPrecision5,
    /// R-Precision@10.
    #[serde(rename = "rp@10")]
    RPrecision10,
    /// Mean reciprocal rank.
    #[serde(rename = "mrr")]
    Mrr,
    /// Accuracy@1: the top prediction is gold.
    #[serde(rename = "acc@1")]
    Accuracy1,
    /// NDCG@5 with binary gains.
    #[serde(rename = "ndcg@5")]
    Ndcg5,
    /// Label accuracy (score_match).
    #[serde(rename = "accuracy")]
    Accuracy,
    /// Macro-F1 over the labels (score_match); a corpus-level metric, no per-case values.
    #[serde(rename = "macro_f1")]
    MacroF1,
    /// Mean absolute error of the score (score_match); lower is better.
    #[serde(rename = "score_mae")]
    ScoreMae,
    /// Share of predicted interview slots that are gold slots (schedule_interview).
    #[serde(rename = "valid_slot_rate")]
    ValidSlotRate,
    /// F1 of predicted and gold slots (schedule_interview).
    #[serde(rename = "slot_f1")]
    SlotF1,
    /// The answer validates against the task's output schema (draft_job_post).
    #[serde(rename = "schema_validity")]
    SchemaValidity,
    /// Share of the brief's required skills the post requires (draft_job_post).
    #[serde(rename = "skill_coverage")]
    SkillCoverage,
    /// The post's budget lies inside the brief's range (draft_job_post).
    #[serde(rename = "budget_in_band")]
    BudgetInBand,
    /// Spearman correlation of predicted and gold criterion scores (evaluate_candidate).
    #[serde(rename = "rubric_spearman")]
    RubricSpearman,
    /// Mean absolute error of the criterion scores (evaluate_candidate); lower is better.
    #[serde(rename = "rubric_mae")]
    RubricMae,
    /// Span F1 over SkillSpan's skill and knowledge layers together (extract_skills as tagging).
    #[serde(rename = "span_f1")]
    SpanF1,
    /// Span F1 of the skill layer.
    #[serde(rename = "span_f1_skill")]
    SpanF1Skill,
    /// Span F1 of the knowledge layer.
    #[serde(rename = "span_f1_knowledge")]
    SpanF1Knowledge,
}

impl Metric {
    /// Metrics of ranked outputs (extract_skills, normalise_title).
    pub const RANKED: [Metric; 5] = [
        Metric::RPrecision5,
        Metric::RPrecision10,
        Metric::Mrr,
        Metric::Accuracy1,
        Metric::Ndcg5,
    ];
    /// Metrics of score_match answers.
    pub const MATCH: [Metric; 3] = [Metric::Accuracy, Metric::MacroF1, Metric::ScoreMae];
    /// Metrics of the curated JSON-answer tasks ([`tasks`]; `ndcg@5` scores rank_candidates too).
    pub const TASKS: [Metric; 7] = [
        Metric::ValidSlotRate,
        Metric::SlotF1,
        Metric::SchemaValidity,
        Metric::SkillCoverage,
        Metric::BudgetInBand,
        Metric::RubricSpearman,
        Metric::RubricMae,
    ];
    /// Metrics of span tagging (the `skillspan_json` format; corpus-level, no per-case values).
    pub const SPAN: [Metric; 3] = [Metric::SpanF1, Metric::SpanF1Skill, Metric::SpanF1Knowledge];
    /// Every metric.
    pub const ALL: [Metric; 18] = [
        Metric::RPrecision5,
        Metric::RPrecision10,
        Metric::Mrr,
        Metric::Accuracy1,
        Metric::Ndcg5,
        Metric::Accuracy,
        Metric::MacroF1,
        Metric::ScoreMae,
        Metric::ValidSlotRate,
        Metric::SlotF1,
        Metric::SchemaValidity,
        Metric::SkillCoverage,
        Metric::BudgetInBand,
        Metric::RubricSpearman,
        Metric::RubricMae,
        Metric::SpanF1,
        Metric::SpanF1Skill,
        Metric::SpanF1Knowledge,
    ];

    /// The metric's name in suites and reports.
    pub fn name(self) -> &'static str {
        match self {
            Metric::RPrecision5 => "rp@5",
            Metric::RPrecision10 => "rp@10",
            Metric::Mrr => "mrr",
            Metric::Accuracy1 => "acc@1",
            Metric::Ndcg5 => "ndcg@5",
            Metric::Accuracy => "accuracy",
            Metric::MacroF1 => "macro_f1",
            Metric::ScoreMae => "score_mae",
            Metric::ValidSlotRate => "valid_slot_rate",
            Metric::SlotF1 => "slot_f1",
            Metric::SchemaValidity => "schema_validity",
            Metric::SkillCoverage => "skill_coverage",
            Metric::BudgetInBand => "budget_in_band",
            Metric::RubricSpearman => "rubric_spearman",
            Metric::RubricMae => "rubric_mae",
            Metric::SpanF1 => "span_f1",
            Metric::SpanF1Skill => "span_f1_skill",
            Metric::SpanF1Knowledge => "span_f1_knowledge",
        }
    }

    /// Whether a larger value is better. The gate reads thresholds of the others as maxima and
    /// a rise against the baseline as the regression.
    pub fn higher_is_better(self) -> bool {
        !matches!(self, Metric::ScoreMae | Metric::RubricMae)
    }

    /// Whether the metric scores `task`'s answers.
    pub fn fits(self, task: hirelm_core::Task) -> bool {
        use hirelm_core::Task;
        match task {
            Task::ScoreMatch => Metric::MATCH.contains(&self),
            Task::ExtractSkills => Metric::RANKED.contains(&self) || Metric::SPAN.contains(&self),
            Task::NormaliseTitle => Metric::RANKED.contains(&self),
            Task::ScheduleInterview => matches!(
                self,
                Metric::ValidSlotRate | Metric::SlotF1 | Metric::SchemaValidity
            ),
            Task::DraftJobPost => matches!(
                self,
                Metric::SchemaValidity | Metric::SkillCoverage | Metric::BudgetInBand
            ),
            Task::EvaluateCandidate => matches!(
                self,
                Metric::RubricSpearman | Metric::RubricMae | Metric::SchemaValidity
            ),
            Task::RankCandidates => matches!(self, Metric::Ndcg5 | Metric::SchemaValidity),
        }
    }

    /// Parses a metric name.
    pub fn parse(name: &str) -> Result<Self> {
        Metric::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| EvalError::unknown("metric", name, &Metric::ALL.map(Metric::name)))
    }

    /// The ranked metric of one case; `None` when the case has no gold (it is skipped) or the
    /// metric is not a ranked one.
    pub fn score(self, ranked: &[String], gold: &[String]) -> Option<f64> {
        match self {
            Metric::RPrecision5 => ranking::r_precision_at_k(ranked, gold, 5),
            Metric::RPrecision10 => ranking::r_precision_at_k(ranked, gold, 10),
            Metric::Mrr => ranking::reciprocal_rank(ranked, gold),
            Metric::Accuracy1 => ranking::hit_at_1(ranked, gold),
            Metric::Ndcg5 => {
                let gains: Vec<f64> = ranked
                    .iter()
                    .take(5)
                    .map(|r| f64::from(u8::from(gold.contains(r))))
                    .collect();
                ranking::ndcg_at_k(&gains, &vec![1.0; gold.len()], 5)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_unknown_names_list_the_valid_ones() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.name()).expect("parses"), m);
        }
        let err = Metric::parse("f2").unwrap_err().to_string();
        assert!(
            err.contains("unknown metric `f2`") && err.contains("rp@5"),
            "{err}"
        );
    }

    #[test]
    fn score_of_a_failed_output_is_zero_not_skipped() {
        let gold = vec!["a".to_string()];
        for m in Metric::RANKED {
            assert_eq!(m.score(&[], &gold), Some(0.0), "{m:?}");
        }
    }

    #[test]
    fn match_metrics_fit_score_match_only() {
        use hirelm_core::Task;
        assert!(
            Metric::MacroF1.fits(Task::ScoreMatch) && !Metric::MacroF1.fits(Task::ExtractSkills)
        );
        assert!(Metric::Mrr.fits(Task::ExtractSkills) && !Metric::Mrr.fits(Task::ScoreMatch));
        assert!(!Metric::ScoreMae.higher_is_better() && Metric::Accuracy.higher_is_better());
        assert!(!Metric::RubricMae.higher_is_better() && Metric::SlotF1.higher_is_better());
        assert!(
            Metric::Ndcg5.fits(Task::RankCandidates) && Metric::Ndcg5.fits(Task::ExtractSkills)
        );
        assert!(
            Metric::BudgetInBand.fits(Task::DraftJobPost)
                && !Metric::BudgetInBand.fits(Task::ScheduleInterview)
        );
        assert_eq!(Metric::Accuracy.score(&[], &["a".to_string()]), None);
    }
}
