//! Runs a `skillspan_json` entry: span-level F1 of a [`SpanTagger`] on SkillSpan sentences.
//!
//! Three metrics, conlleval style (exact boundaries): `span_f1_skill` on the skill layer,
//! `span_f1_knowledge` on the knowledge layer, and `span_f1` over both layers with each span
//! keeping its layer as its type. Intervals are a percentile bootstrap over sentences.
//!
//! Span entries take no perturbation packs: the packs rewrite text, and a rewritten sentence has
//! no token alignment with its gold tags (the suite loader refuses the combination).

use std::collections::BTreeMap;

use crate::baselines::span_lexicon::{SpanLexicon, SpanTagger};
use crate::corpus::skillspan::{SpanRecord, read_span_records};
use crate::metrics::Metric;
use crate::metrics::span::span_f1;
use crate::metrics::stats::bootstrap_ci_by;
use crate::report::{Determinism, EvalReport, MetricSummary};
use crate::suite::EvalSpec;
use crate::{EvalError, Result};

/// A tag reduced to its edge (`B`, `I` or `O`): each layer is scored on its own, so a type a
/// tagger may add carries no information.
fn edges(tags: &[String]) -> Vec<&'static str> {
    tags.iter()
        .map(|t| match t.chars().next() {
            Some('B') => "B",
            Some('I') => "I",
            _ => "O",
        })
        .collect()
}

/// Span counts `(tp, fp, fn)` of one sentence's skill layer and knowledge layer.
fn layer_counts(gold: (&[String], &[String]), pred: (&[String], &[String])) -> [[usize; 3]; 2] {
    let count = |g: &[String], p: &[String]| {
        let s = span_f1(&[edges(g)], &[edges(p)]);
        [s.true_positives, s.false_positives, s.false_negatives]
    };
    [count(gold.0, pred.0), count(gold.1, pred.1)]
}

/// Span counts of `metric` from the two layers' (both layers together: their sum).
fn counts(metric: Metric, [skill, knowledge]: [[usize; 3]; 2]) -> [usize; 3] {
    match metric {
        Metric::SpanF1Skill => skill,
        Metric::SpanF1Knowledge => knowledge,
        _ => [
            skill[0] + knowledge[0],
            skill[1] + knowledge[1],
            skill[2] + knowledge[2],
        ],
    }
}

/// Micro F1 over the sentences at `idx` (repeats allowed) from their span counts.
fn f1_at(counts: &[[usize; 3]], idx: &[usize]) -> f64 {
    let [tp, fp, fn_] = idx.iter().fold([0usize; 3], |acc, &i| {
        [
            acc[0] + counts[i][0],
            acc[1] + counts[i][1],
            acc[2] + counts[i][2],
        ]
    });
    if tp == 0 {
        0.0
    } else {
        2.0 * tp as f64 / (2 * tp + fp + fn_) as f64
    }
}

/// Tags every sentence and scores the entry's metrics.
pub fn run_span_eval(
    spec: &EvalSpec,
    tagger: &dyn SpanTagger,
    sentences: &[SpanRecord],
    seed: u64,
) -> EvalReport {
    let predicted: Vec<(Vec<String>, Vec<String>)> =
        sentences.iter().map(|s| tagger.tag(&s.tokens)).collect();
    // A tagger that answers the wrong number of tags is a failed case, never a panic.
    let failed = predicted
        .iter()
        .zip(sentences)
        .filter(|(p, s)| p.0.len() != s.tokens.len() || p.1.len() != s.tokens.len())
        .count();
    let layers: Vec<[[usize; 3]; 2]> = sentences
        .iter()
        .zip(&predicted)
        .map(|(s, p)| layer_counts((&s.tags_skill, &s.tags_knowledge), (&p.0, &p.1)))
        .collect();
    let all: Vec<usize> = (0..sentences.len()).collect();
    let mut metrics = BTreeMap::new();
    for &m in &spec.metrics {
        let per_sentence: Vec<[usize; 3]> = layers.iter().map(|l| counts(m, *l)).collect();
        let ci95 = bootstrap_ci_by(sentences.len(), 0.95, 1000, seed, |idx| {
            Some(f1_at(&per_sentence, idx))
        })
        .unwrap_or((0.0, 0.0));
        metrics.insert(
            m.name().to_string(),
            MetricSummary {
                mean: f1_at(&per_sentence, &all),
                ci95,
                per_case: Vec::new(),
            },
        );
    }
    let again: Vec<_> = sentences
        .iter()
        .take(super::determinism::CHECKED)
        .map(|s| tagger.tag(&s.tokens))
        .collect();
    let repeat_identical = again.iter().zip(&predicted).all(|(a, p)| a == p);
    EvalReport {
        name: spec.name.clone(),
        task: spec.task.to_string(),
        predictor: tagger.name().to_string(),
        predictor_hash: String::new(),
        data: spec.data.display().to_string(),
        cases: sentences.len(),
        cases_digest: String::new(),
        failed,
        failure_examples: Vec::new(),
        notes: Vec::new(),
        metrics,
        thresholds: spec
            .thresholds
            .iter()
            .map(|(m, v)| (m.name().to_string(), *v))
            .collect(),
        perturbations: Vec::new(),
        consistency: None,
        // One sentence at a time is the only way a tagger runs: there is no batch to compare.
        determinism: Some(Determinism {
            checked: again.len(),
            repeat_identical,
            batch_identical: repeat_identical,
        }),
        fairness: None,
        latency: None,
        candidates_from: None,
    }
}

/// Fits the span tagger `name` on the entry's `train` file and scores it on `data`.
pub(super) fn span_entry(spec: &EvalSpec, name: &str, seed: u64) -> Result<EvalReport> {
    if name != "span-lexicon" {
        return Err(EvalError::Invalid(format!(
            "eval `{}`: predictor `{name}` does not tag spans; skillspan_json entries take `span-lexicon`",
            spec.name
        )));
    }
    let train_path = spec.train.as_deref().ok_or_else(|| {
        EvalError::Invalid(format!(
            "eval `{}`: span-lexicon needs `train` (SkillSpan's training split)",
            spec.name
        ))
    })?;
    let train = read_span_records(train_path)?;
    let mut dev = read_span_records(&spec.data)?;
    dev.truncate(spec.limit.unwrap_or(usize::MAX));
    let lexicon = SpanLexicon::fit(&train);
    tracing::info!(eval = %spec.name, cases = dev.len(), predictor = name, "evaluating");
    let mut report = run_span_eval(spec, &lexicon, &dev, seed);
    report.notes.push(format!(
        "{} training sentences ({}) gave {} lexicon phrases; {} sentences evaluated",
        train.len(),
        train_path.display(),
        lexicon.len(),
        dev.len()
    ));
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Vec<(Vec<String>, Vec<String>)>, std::cell::Cell<usize>);
    impl SpanTagger for Fixed {
        fn name(&self) -> &str {
            "fixed"
        }
        fn tag(&self, _: &[String]) -> (Vec<String>, Vec<String>) {
            let i = self.1.get();
            self.1.set((i + 1) % self.0.len());
            self.0[i].clone()
        }
    }

    fn tags(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn layers_score_separately_and_together() {
        let sentence = SpanRecord {
            posting: 0,
            tokens: tags("a b c d"),
            tags_skill: tags("B I O O"),
            tags_knowledge: tags("O O B O"),
            source: String::new(),
        };
        // Skill span right; knowledge predicted at the wrong token (one false positive, one miss).
        let tagger = Fixed(
            vec![(tags("B I O O"), tags("O O O B"))],
            std::cell::Cell::new(0),
        );
        let spec = crate::suite::EvalSpec {
            name: "s".into(),
            task: hirelm_core::Task::ExtractSkills,
            format: "skillspan_json".into(),
            data: "dev.json".into(),
            labels: None,
            train: None,
            predictor: "fixed".into(),
            metrics: vec![Metric::SpanF1, Metric::SpanF1Skill, Metric::SpanF1Knowledge],
            packs: Vec::new(),
            thresholds: BTreeMap::new(),
            heldout_percent: 10,
            limit: None,
        };
        let report = run_span_eval(&spec, &tagger, &[sentence], 1);
        assert_eq!(report.metrics["span_f1_skill"].mean, 1.0);
        assert_eq!(report.metrics["span_f1_knowledge"].mean, 0.0);
        // Both layers: tp 1, fp 1, fn 1 → P = R = F1 = 0.5.
        assert!((report.metrics["span_f1"].mean - 0.5).abs() < 1e-12);
        assert_eq!(report.failed, 0);
        assert!(
            report
                .determinism
                .as_ref()
                .is_some_and(|d| d.repeat_identical)
        );
    }
}
