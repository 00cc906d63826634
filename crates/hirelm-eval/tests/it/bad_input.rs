//! Bad input gives a clear error or a counted failure, never a crash.

use std::path::Path;

use hirelm_core::Task;
use hirelm_eval::runner::{Case, RunOptions, run_eval, run_suite};
use hirelm_eval::suite::Suite;
use hirelm_eval::{DecodingParams, Prediction, Predictor, Result};

/// Answers garbage for every other input.
struct Flaky;

impl Predictor for Flaky {
    fn name(&self) -> &str {
        "flaky"
    }
    fn content_hash(&self) -> String {
        "0".into()
    }
    fn supports(&self, _: Task) -> bool {
        true
    }
    fn predict(&self, _: Task, input: &serde_json::Value) -> Result<Prediction> {
        let text = input["text"].as_str().unwrap_or_default();
        let raw = if text.len().is_multiple_of(2) {
            r#"{"skills":[{"label":"SQL","score":1}]}"#
        } else {
            "Sure! The skills are SQL"
        };
        Ok(Prediction::new(raw, DecodingParams::deterministic(1)))
    }
}

const SUITE: &str = r#"
name = "bad"
[[eval]]
name = "x"
task = "extract_skills"
format = "skill_benchmark_csv"
data = "/nonexistent/tech.csv"
labels = "/nonexistent/labels.txt"
predictor = "bm25"
metrics = ["rp@5", "acc@1"]
perturbations = ["casing"]
"#;

#[test]
fn invalid_json_is_a_counted_failure() {
    let suite = Suite::parse(SUITE, Path::new("bad.toml")).expect("suite");
    let cases = vec![
        Case {
            text: "SQL!".into(),
            gold: vec!["SQL".into()],
        },
        Case {
            text: "SQL".into(),
            gold: vec!["SQL".into()],
        },
    ];
    let r = run_eval(&suite.evals[0], &Flaky, &cases, 1);
    assert_eq!((r.cases, r.failed), (2, 1));
    assert!(
        r.failure_examples[0].contains("invalid output: not JSON"),
        "{:?}",
        r.failure_examples
    );
    assert_eq!(r.metrics["acc@1"].per_case, [1.0, 0.0]);
}

#[test]
fn a_missing_data_file_is_an_error_naming_it() {
    let suite = Suite::parse(SUITE, Path::new("bad.toml")).expect("suite");
    let err = run_suite(&suite, &RunOptions::default())
        .expect_err("missing file")
        .to_string();
    assert!(err.contains("/nonexistent/labels.txt"), "{err}");
}

#[test]
fn an_unknown_predictor_is_an_error_listing_the_known_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("d.csv");
    std::fs::write(&data, "sentence,span,sub_span,label\nuse SQL,SQL,,SQL\n").expect("write");
    let labels = dir.path().join("l.txt");
    std::fs::write(&labels, "SQL\nJava").expect("write");
    let text = SUITE
        .replace("/nonexistent/tech.csv", &data.display().to_string())
        .replace("/nonexistent/labels.txt", &labels.display().to_string())
        .replace("\"bm25\"", "\"gpt\"");
    let suite = Suite::parse(&text, Path::new("bad.toml")).expect("suite");
    let err = run_suite(&suite, &RunOptions::default())
        .expect_err("unknown predictor")
        .to_string();
    assert!(
        err.contains("unknown predictor `gpt`") && err.contains("minilm-nn"),
        "{err}"
    );
    // A row that does not parse names its line.
    std::fs::write(
        &data,
        "sentence,span,sub_span,label\nuse SQL,SQL,,SQL\n\"unterminated,x,,SQL\n",
    )
    .expect("write");
    let suite =
        Suite::parse(&text.replace("\"gpt\"", "\"bm25\""), Path::new("bad.toml")).expect("suite");
    let err = run_suite(&suite, &RunOptions::default())
        .expect_err("bad row")
        .to_string();
    assert!(err.contains("d.csv"), "{err}");
}
