//! Tests of `compare`.

use super::*;
use crate::report::MetricSummary;

pub(crate) fn report(predictor: &str, accuracy: f64, flips: [f64; 2]) -> EvalReport {
    let mut metrics = BTreeMap::new();
    metrics.insert(
        "accuracy".to_string(),
        MetricSummary {
            mean: accuracy,
            ci95: (0.0, 1.0),
            per_case: vec![],
        },
    );
    metrics.insert(
        "score_mae".to_string(),
        MetricSummary {
            mean: 0.2,
            ci95: (0.1, 0.3),
            per_case: vec![],
        },
    );
    let pack = |p, flip: f64| PackSummary::new(p, BTreeMap::new(), 1.0 - flip, 0);
    let mut directional = pack(crate::perturb::Pack::AddRequiredSkill, 0.5);
    directional.violation_rate = Some(0.25);
    EvalReport {
        perturbations: vec![
            pack(crate::perturb::Pack::NameSwap, flips[0]),
            pack(crate::perturb::Pack::ReorderFields, flips[1]),
            directional,
        ],
        metrics,
        latency: Latency::from_samples(&[1.0, 3.0], 2.0).map(|l| {
            l.with_tokens(crate::timed::TokenTotals {
                answers: 2,
                prompt: 1000,
                completion: 200,
                seconds: 4.0,
            })
        }),
        name: "match".into(),
        task: "score_match".into(),
        predictor: predictor.into(),
        predictor_hash: String::new(),
        data: String::new(),
        cases: 10,
        cases_digest: String::new(),
        failed: 0,
        failure_examples: vec![],
        notes: vec![],
        thresholds: BTreeMap::new(),
        consistency: None,
        determinism: None,
        fairness: None,
        candidates_from: None,
    }
}

#[test]
fn an_entry_row_averages_invariant_packs_only_and_prices_measured_time_and_tokens() {
    let cpu = CpuPrice {
        cpu_core_hour_usd: 0.036,
        source: String::new(),
        date: String::new(),
    };
    let api = ApiPrice {
        name: "api".into(),
        input_usd_per_mtok: 1.0,
        output_usd_per_mtok: 4.0,
        source: String::new(),
        date: String::new(),
    };
    let row = entry_result("match", &report("m", 0.6, [0.1, 0.3]), &cpu, &[api]);
    assert_eq!(row.label(), "match/match");
    assert!(
        (row.invariant_flip_rate.unwrap() - 0.2).abs() < 1e-12,
        "directional pack left out"
    );
    assert_eq!(row.directional_violation_rate, Some(0.25));
    assert_eq!(row.metric("accuracy"), Some(0.6));
    assert!(
        !row.metrics
            .iter()
            .find(|(m, _)| m == "score_mae")
            .unwrap()
            .1
            .higher_is_better
    );
    // 500 prompt + 100 generated tokens per answer at $1 / $4 per million: $0.9 per 1,000.
    assert!((row.api_usd_per_1000["api"] - 0.9).abs() < 1e-12);
    if let Some(usd) = row.cpu_usd_per_1000 {
        // 2 CPU seconds over 2 answers: 1,000 s per 1,000 answers at $0.036 per hour.
        assert!((usd - 0.01).abs() < 1e-12, "{usd}");
    }
}
