//! `hirelm bench compare` from the reports up: two predictors on the score_match fixture of
//! [`crate::matching`], token usage carried through the timed runner into API prices, the claim
//! checked row by row, and the Markdown, README block and HTML written from one comparison.

use std::path::Path;
use std::sync::Arc;

use hirelm_core::Task;
use hirelm_eval::compare::render::{README_BEGIN, README_END, splice_readme, to_html, to_markdown};
use hirelm_eval::compare::verdict::Outcome;
use hirelm_eval::compare::{
    ApiPrice, Bar, ClaimVerdict, Comparison, CpuPrice, entry_result, verdict,
};
use hirelm_eval::runner::{RerankerFactory, RunOptions, run_suite};
use hirelm_eval::suite::Suite;
use hirelm_eval::{DecodingParams, Prediction, Predictor, Result, Usage};
use serde_json::json;

use crate::matching::{SUITE, write_names, write_parquet};

/// Always "strong, 0.95", reporting 100 prompt and 20 generated tokens: a stand-in for a
/// language model, plugged in the way `hirelm-infer`'s models are.
#[derive(Debug)]
struct Constant;

impl Predictor for Constant {
    fn name(&self) -> &str {
        "constant"
    }
    fn content_hash(&self) -> String {
        "constant".into()
    }
    fn supports(&self, task: Task) -> bool {
        task == Task::ScoreMatch
    }
    fn predict(&self, _: Task, _: &serde_json::Value) -> Result<Prediction> {
        let answer = json!({"label": "strong", "score": 0.95, "components": {"skill_coverage": 1.0, "rate_fit": 1.0, "time_zone_overlap": 1.0, "availability": 1.0}});
        Ok(
            Prediction::json(&answer, DecodingParams::deterministic(0)).with_usage(Usage {
                prompt_tokens: 100,
                completion_tokens: 20,
            }),
        )
    }
}

impl RerankerFactory for Constant {
    fn name(&self) -> &str {
        "constant"
    }
    fn build<'a>(&self, task: Task, _: Box<dyn Predictor + 'a>) -> Result<Box<dyn Predictor + 'a>> {
        self.build_direct(task)
    }
    fn build_direct(&self, _: Task) -> Result<Box<dyn Predictor>> {
        Ok(Box::new(Constant))
    }
}

#[test]
fn two_predictors_compared_with_hand_computed_figures_and_prices() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("test.parquet");
    write_parquet(&data);
    write_names(dir.path());
    let suite = Suite::parse(
        &SUITE.replace("DATA", &data.display().to_string()),
        Path::new("match.toml"),
    )
    .expect("suite");
    let cpu = CpuPrice {
        cpu_core_hour_usd: 0.05,
        source: "test".into(),
        date: "today".into(),
    };
    let api = ApiPrice {
        name: "hosted".into(),
        input_usd_per_mtok: 1.0,
        output_usd_per_mtok: 5.0,
        source: "test".into(),
        date: "today".into(),
    };
    let mut results = Vec::new();
    for predictor in ["rule-matcher", "constant"] {
        let options = RunOptions {
            cache_dir: None,
            data_dir: dir.path().to_path_buf(),
            predictor_override: Some(predictor.into()),
            rerankers: vec![Arc::new(Constant)],
            check_determinism: false,
            ..RunOptions::default()
        };
        let report = run_suite(&suite, &options).expect("runs");
        assert_eq!(
            report.evals[0].determinism, None,
            "self-check skipped on request"
        );
        results.push(entry_result(
            &report.suite,
            &report.evals[0],
            &cpu,
            std::slice::from_ref(&api),
        ));
    }
    let (rule, constant) = (&results[0], &results[1]);
    // The fixture's labels are strong, good, partial, strong: both get two right.
    assert_eq!(
        (rule.metric("accuracy"), constant.metric("accuracy")),
        (Some(0.5), Some(0.5))
    );
    // |0.95 − 0.95| + |0.95 − 0.70| + |0.95 − 0.45| + |0.95 − 0.80| = 0.9 over 4.
    assert!((constant.metric("score_mae").expect("mae") - 0.225).abs() < 1e-9);
    assert_eq!(
        (rule.invariant_flip_rate, constant.invariant_flip_rate),
        (Some(0.0), Some(0.0))
    );
    let latency = constant.latency.as_ref().expect("fresh answers are timed");
    // 4 originals + the applicable perturbed cases: name swap 3, add 3, remove 3, reorder 2.
    assert_eq!(latency.answers, 15);
    assert_eq!(
        (
            latency.prompt_tokens_mean,
            latency.completion_tokens_mean,
            latency.answers_with_tokens
        ),
        (Some(100.0), Some(20.0), Some(15))
    );
    // 1,000 × (100 × $1 + 20 × $5) / 1e6 = $0.20 per 1,000 tasks.
    assert!((constant.api_usd_per_1000["hosted"] - 0.2).abs() < 1e-12);
    assert!(rule.api_usd_per_1000.is_empty(), "no tokens, no API price");

    let bar = Bar {
        tuned: "constant".into(),
        untuned: "rule-matcher".into(),
        untuned_few_shot: Some("absent-3shot".into()),
        larger: Some("absent".into()),
    };
    let v = verdict(&bar, &results);
    let outcome = |what: &str| v.checks.iter().find(|c| c.what == what).map(|c| c.outcome);
    assert_eq!(outcome("accuracy"), Some(Outcome::Tie));
    assert_eq!(outcome("score_mae"), Some(Outcome::Worse));
    assert_eq!(outcome("invariant flip rate"), Some(Outcome::Tie));
    assert_eq!(
        (v.tally().0, v.larger_ran),
        (0, false),
        "a tie does not beat the untuned model"
    );

    let comparison = Comparison {
        name: "t".into(),
        generated: "now".into(),
        command: "hirelm bench compare".into(),
        machine: "test".into(),
        versions: "test".into(),
        cpu_price: cpu,
        api_prices: vec![api],
        predictors: vec!["rule-matcher".into(), "constant".into()],
        bar: Some(v),
        results,
        skipped: vec!["bm25 on match/m (score_match)".into()],
        failed: vec!["gpt on match/m: no such model".into()],
        routed: None,
        limit: None,
        resumed: Vec::new(),
    };
    let md = to_markdown(&comparison);
    assert!(
        md.contains("| match/m | score_match | accuracy ↑ | 0.500 | 0.500 |"),
        "{md}"
    );
    // Equal accuracy and no flips on either side: the paired tests cannot tell, so undecided,
    // which is not holding; the larger error does not hold.
    let claim = |what: &str| {
        comparison
            .bar
            .as_ref()
            .and_then(|v| v.checks.iter().find(|c| c.what == what))
            .map(|c| c.verdict())
    };
    assert_eq!(claim("accuracy"), Some(ClaimVerdict::Undecided));
    assert_eq!(claim("invariant flip rate"), Some(ClaimVerdict::Undecided));
    assert_eq!(claim("score_mae"), Some(ClaimVerdict::DoesNotHold));
    assert!(
        md.contains("(0 of 4 checks hold, 2 do not, 2 undecided)"),
        "{md}"
    );
    assert!(md.contains("`absent` did not run"), "{md}");
    assert!(
        md.contains("untuned model `absent-3shot` did not run beside `constant`")
            && !md.contains("`rule-matcher` did not run"),
        "{md}"
    );
    assert!(
        md.contains("| match/m | constant | 15 |") && md.contains("$0.200"),
        "{md}"
    );
    assert!(
        md.contains("Not applicable: bm25 on match/m")
            && md.contains("**Failed runs** (no figures): gpt on match/m"),
        "{md}"
    );
    let readme =
        splice_readme(&format!("# x\n{README_BEGIN}\nold\n{README_END}\n"), &md).expect("markers");
    assert!(readme.contains(md.trim_end()) && !readme.contains("\nold\n"));
    let html = to_html(&comparison);
    assert!(html.contains("<svg") && html.contains("constant") && html.ends_with("</html>\n"));
    let back: Comparison = serde_json::from_str(&serde_json::to_string(&comparison).expect("json"))
        .expect("round trip");
    assert_eq!(
        (back.results.len(), back.bar.map(|b| b.tally())),
        (2, Some((0, 4)))
    );
}
