//! score_match end to end: a curated Parquet fixture, the rule matcher, structured packs,
//! fairness and determinism, with every figure computed by hand.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use hirelm_core::Task;
use hirelm_eval::gate::{gate, passed};
use hirelm_eval::io::MatchOutput;
use hirelm_eval::perturb::{NameTable, PackContext};
use hirelm_eval::report::{to_html, to_markdown};
use hirelm_eval::runner::{MatchCase, RunOptions, run_match_eval, run_suite};
use hirelm_eval::suite::Suite;
use hirelm_eval::{DecodingParams, Prediction, Predictor, Result};
use serde_json::{Value, json};

pub(crate) fn input(name: &str, skills: &[&str], rate: f64) -> Value {
    json!({
        "job": {"title": "data engineer", "required_skills": ["SQL", "Rust"], "budget": {"kind": "hourly", "min_usd": 20.0, "max_usd": 50.0}, "time_zone": "UTC", "hours_per_week": 20},
        "candidate": {"id": "c", "name": name, "headline": "data engineer", "skills": skills, "hourly_rate_usd": rate, "time_zone": "UTC", "hours_per_week": 20},
    })
}

/// Four cases; the rule matcher answers strong 1.0, good 0.75, poor 0.3, good 0.75.
fn cases() -> Vec<(Value, &'static str, f64)> {
    vec![
        (input("Mary", &["sql", "rust"], 40.0), "strong", 0.95),
        (input("John", &["SQL"], 40.0), "good", 0.70),
        (input("Mary", &["Excel"], 60.0), "partial", 0.45),
        (input("Zebulon", &["Rust", "Go"], 45.0), "strong", 0.80),
    ]
}

fn target(label: &str, score: f64) -> Value {
    json!({"label": label, "score": score, "components": {"skill_coverage": 1.0, "rate_fit": 1.0, "time_zone_overlap": 1.0, "availability": 1.0}})
}

pub(crate) fn write_parquet(path: &Path) {
    let mut rows: Vec<(String, String, String)> = vec![(
        "extract_skills".into(),
        r#"{"text":"SQL"}"#.into(),
        r#"{"skills":["SQL"]}"#.into(),
    )];
    rows.extend(cases().into_iter().map(|(i, l, s)| {
        (
            "score_match".to_string(),
            i.to_string(),
            target(l, s).to_string(),
        )
    }));
    let col = |k: usize| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| [&r.0, &r.1, &r.2][k].as_str()),
        ))
    };
    let batch =
        RecordBatch::try_from_iter([("task", col(0)), ("input", col(1)), ("target", col(2))])
            .expect("batch");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        File::create(path).expect("create"),
        batch.schema(),
        None,
    )
    .expect("writer");
    w.write(&batch).expect("write");
    w.close().expect("close");
}

pub(crate) fn write_names(data: &Path) {
    std::fs::create_dir_all(data.join("names")).expect("mkdir");
    let db = rusqlite::Connection::open(data.join("names/us-name-data.sqlite")).expect("db");
    db.execute_batch(
        "CREATE TABLE usNameData (id INTEGER PRIMARY KEY, name TEXT, sex TEXT, births INTEGER, rank INTEGER, year INTEGER);
         INSERT INTO usNameData (name, sex, births, rank, year) VALUES
           ('mary','F',5000,1,1980), ('anna','F',3000,2,1980), ('john','M',6000,1,1980), ('peter','M',2000,2,1980);",
    )
    .expect("fixture");
}

pub(crate) const SUITE: &str = r#"
name = "match"
[[eval]]
name = "m"
task = "score_match"
format = "hirelm_parquet"
data = "DATA"
predictor = "rule-matcher"
metrics = ["accuracy", "macro_f1", "score_mae"]
perturbations = ["add_required_skill", "remove_required_skill", "reorder_fields", "name_swap", "pronoun_swap"]
thresholds = { "accuracy" = 0.4, "score_mae" = 0.1 }
"#;

#[test]
fn rule_matcher_suite_with_hand_computed_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("test.parquet");
    write_parquet(&data);
    write_names(dir.path());
    let suite = Suite::parse(
        &SUITE.replace("DATA", &data.display().to_string()),
        Path::new("match.toml"),
    )
    .expect("suite");
    let options = RunOptions {
        cache_dir: None,
        data_dir: dir.path().to_path_buf(),
        ..RunOptions::default()
    };
    let report = run_suite(&suite, &options).expect("runs");
    let e = &report.evals[0];
    assert_eq!((e.cases, e.failed), (4, 0));
    assert!(
        e.notes[0].starts_with("5 rows, 1 of other tasks, 0 score_match rows skipped"),
        "{:?}",
        e.notes
    );
    // Labels: strong ✓, good ✓, poor ✗ (partial), good ✗ (strong).
    assert_eq!(e.metrics["accuracy"].per_case, [1.0, 1.0, 0.0, 0.0]);
    // strong: tp 1, fn 1 → 2/3; good: tp 1, fp 1 → 2/3; partial and poor: 0. Mean over 4 classes.
    assert!(
        (e.metrics["macro_f1"].mean - 1.0 / 3.0).abs() < 1e-12,
        "{}",
        e.metrics["macro_f1"].mean
    );
    // |1 − 0.95| + |0.75 − 0.70| + |0.3 − 0.45| + |0.75 − 0.80| = 0.30 over 4.
    assert!(
        (e.metrics["score_mae"].mean - 0.075).abs() < 1e-9,
        "{}",
        e.metrics["score_mae"].mean
    );
    let pack = |name: &str| {
        e.perturbations
            .iter()
            .find(|p| p.pack == name)
            .expect("pack")
    };
    // add: cases 2, 3, 4 lack a required skill; each gains 0.25. remove: cases 1, 2, 4 list one.
    let add = pack("add_required_skill");
    assert_eq!(
        (add.applicable, add.violation_rate, add.agreement),
        (Some(3), Some(0.0), 1.0)
    );
    assert!((add.mean_score_delta.expect("delta") - 0.25).abs() < 1e-9);
    let remove = pack("remove_required_skill");
    assert_eq!(
        (remove.applicable, remove.violation_rate),
        (Some(3), Some(0.0))
    );
    assert!((remove.mean_score_delta.expect("delta") + 0.25).abs() < 1e-9);
    assert!(
        add.metrics.is_empty(),
        "directional packs change the gold, so no metric against it"
    );
    // reorder: the two cases with two skills; name_swap: all but Zebulon; no pronoun anywhere.
    assert_eq!(
        (
            pack("reorder_fields").applicable,
            pack("reorder_fields").agreement
        ),
        (Some(2), 1.0)
    );
    assert_eq!(
        (pack("name_swap").applicable, pack("name_swap").flip_rate),
        (Some(3), 0.0)
    );
    assert_eq!(pack("pronoun_swap").applicable, Some(0));
    let f = e.fairness.as_ref().expect("fairness");
    assert_eq!((f.pairs, f.excluded), (3, 1));
    // Female-named and male-named versions both select 2 of 3: ratio 1.
    assert_eq!(
        (f.adverse_impact_ratio, f.four_fifths_pass),
        (Some(1.0), Some(true))
    );
    let c = e.consistency.as_ref().expect("consistency");
    assert_eq!(
        (c.mean_case_agreement, c.accuracy, c.worst_case_accuracy),
        (1.0, 0.5, 0.5)
    );
    assert_eq!(
        c.score_spread,
        Some(0.0),
        "the rule reads no names and no list order"
    );
    let d = e.determinism.as_ref().expect("determinism");
    assert_eq!(
        (d.checked, d.repeat_identical, d.batch_identical),
        (4, true, true)
    );
    let checks = gate(&report, Some(&report));
    assert!(passed(&checks), "{checks:#?}");
    assert_eq!(checks.len(), 4, "three metrics and determinism");
    let md = to_markdown(&report, &checks);
    assert!(
        md.contains("adverse-impact ratio 1.000")
            && md.contains("Determinism (first 4 inputs): repeat identical yes"),
        "{md}"
    );
    assert!(md.contains("| add_required_skill | Directional |"), "{md}");
    assert_eq!(
        to_html(&report, &checks).matches("<svg").count(),
        3,
        "metrics, agreement, selection rates"
    );
}

#[test]
fn a_missing_name_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("test.parquet");
    write_parquet(&data);
    let suite = Suite::parse(
        &SUITE.replace("DATA", &data.display().to_string()),
        Path::new("match.toml"),
    )
    .expect("suite");
    let options = RunOptions {
        cache_dir: None,
        data_dir: dir.path().to_path_buf(),
        ..RunOptions::default()
    };
    let err = run_suite(&suite, &options)
        .expect_err("no names")
        .to_string();
    assert!(
        err.contains("names/us-name-data.sqlite") && err.contains("fetch-data.sh"),
        "{err}"
    );
}

/// Rates female names `poor` and male names `strong`, scores 0.9 · (1 − skill coverage)
/// (backwards) plus 0.1 for a male name, and answers garbage for Zebulon.
struct Perverse;

impl Predictor for Perverse {
    fn name(&self) -> &str {
        "perverse"
    }
    fn content_hash(&self) -> String {
        "0".into()
    }
    fn supports(&self, task: Task) -> bool {
        task == Task::ScoreMatch
    }
    fn predict(&self, _: Task, input: &Value) -> Result<Prediction> {
        let name = input["candidate"]["name"].as_str().unwrap_or_default();
        let skills: Vec<String> = input["candidate"]["skills"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_lowercase)
            .collect();
        let covered = ["sql", "rust"]
            .iter()
            .filter(|s| skills.contains(&s.to_string()))
            .count();
        let label = if ["Mary", "Anna"].contains(&name) {
            "poor"
        } else {
            "strong"
        };
        let raw = if name == "Zebulon" {
            "I think this is a strong match".to_string()
        } else {
            json!({"label": label, "score": 0.9 * (1.0 - covered as f64 / 2.0) + if label == "strong" { 0.1 } else { 0.0 }}).to_string()
        };
        Ok(Prediction::new(raw, DecodingParams::deterministic(0)))
    }
}

#[test]
fn bias_backwards_scores_and_invalid_answers_are_reported() {
    let suite = Suite::parse(
        &SUITE.replace("DATA", "unused.parquet"),
        Path::new("match.toml"),
    )
    .expect("suite");
    let cases: Vec<MatchCase> = cases()
        .into_iter()
        .map(|(input, l, s)| MatchCase {
            input,
            target: MatchOutput {
                label: l.into(),
                score: s,
            },
        })
        .collect();
    let names = NameTable::from_rows([
        ("mary".into(), 900, 0),
        ("anna".into(), 800, 0),
        ("john".into(), 0, 900),
        ("peter".into(), 0, 700),
    ]);
    let ctx = PackContext {
        names: Some(names),
        ..PackContext::default()
    };
    let e = run_match_eval(&suite.evals[0], &Perverse, &cases, 17, &ctx);
    assert_eq!(e.failed, 1);
    assert!(
        e.failure_examples[0].contains("invalid output: not JSON"),
        "{:?}",
        e.failure_examples
    );
    assert_eq!(e.metrics["accuracy"].mean, 0.0);
    assert_eq!(
        e.metrics["score_mae"].per_case[3], 1.0,
        "an invalid answer is the largest error"
    );
    let add = e
        .perturbations
        .iter()
        .find(|p| p.pack == "add_required_skill")
        .expect("pack");
    // John and the second Mary both lose 0.45; Zebulon's answers are invalid, so no pair.
    assert_eq!(
        (
            add.applicable,
            add.violation_rate,
            add.failed,
            add.agreement
        ),
        (Some(3), Some(1.0), 1, 0.0)
    );
    let f = e.fairness.as_ref().expect("fairness");
    assert_eq!(
        (
            f.pairs,
            f.label_flip_rate,
            f.adverse_impact_ratio,
            f.four_fifths_pass
        ),
        (3, 1.0, Some(0.0), Some(false))
    );
    assert_eq!(
        (
            f.groups[0].counterfactual_selection_rate,
            f.groups[1].counterfactual_selection_rate
        ),
        (0.0, 1.0)
    );
    // The name swap moves each valid case's score by 0.1; Zebulon has no valid score.
    let spread = e
        .consistency
        .as_ref()
        .and_then(|c| c.score_spread)
        .expect("spread");
    assert!((spread - 0.1).abs() < 1e-9, "{spread}");
}
