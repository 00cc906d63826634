//! The curated JSON-answer tasks end to end (a Parquet fixture, `run_suite`, the rule-matcher
//! ranking baseline and the structured packs), and the applicability reporting of the
//! dictionary text packs, with figures computed by hand.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use hirelm_core::Task;
use hirelm_eval::perturb::{PackContext, SkillAliases};
use hirelm_eval::runner::{Case, RunOptions, run_eval_with, run_suite};
use hirelm_eval::suite::Suite;
use hirelm_eval::{DecodingParams, Prediction, Predictor, Result};
use serde_json::{Value, json};

fn write_parquet(path: &Path, rows: &[(&str, Value, Value)]) {
    let strings: Vec<[String; 3]> = rows
        .iter()
        .map(|(t, i, o)| [t.to_string(), i.to_string(), o.to_string()])
        .collect();
    let col = |k: usize| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(
            strings.iter().map(|r| r[k].as_str()),
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

fn candidate(id: &str, skills: &[&str], rate: f64) -> Value {
    json!({"id": id, "name": "Mary", "headline": "h", "skills": skills, "hourly_rate_usd": rate, "time_zone": "UTC", "hours_per_week": 20})
}

fn ranking(order: &[(&str, f64)]) -> Value {
    json!({"ranking": order.iter().map(|(id, s)| json!({"profile_id": id, "score": s})).collect::<Vec<_>>()})
}

#[test]
fn rank_candidates_suite_with_the_rule_baseline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("test.parquet");
    let job = json!({"title": "t", "required_skills": ["SQL", "Go"], "budget": {"kind": "hourly", "min_usd": 20.0, "max_usd": 50.0}, "time_zone": "UTC", "hours_per_week": 20});
    // The rule scores a: 1.0 (both skills), b: 0.75 (one). Gold agrees in case 1 and is
    // reversed in case 2; a schema-invalid target (score 2) is skipped and counted.
    let input = json!({"job": job, "candidates": [candidate("b", &["SQL"], 30.0), candidate("a", &["SQL", "Go"], 30.0)]});
    write_parquet(
        &data,
        &[
            (
                "rank_candidates",
                input.clone(),
                ranking(&[("a", 0.9), ("b", 0.5)]),
            ),
            (
                "rank_candidates",
                input.clone(),
                ranking(&[("b", 0.9), ("a", 0.5)]),
            ),
            ("rank_candidates", input.clone(), ranking(&[("a", 2.0)])),
            ("score_match", json!({}), json!({})),
        ],
    );
    let suite = format!(
        "name = \"t\"\n[[eval]]\nname = \"rank\"\ntask = \"rank_candidates\"\nformat = \"hirelm_parquet\"\ndata = \"{}\"\npredictor = \"rule-matcher\"\nmetrics = [\"ndcg@5\", \"schema_validity\"]\nperturbations = [\"reorder_fields\"]\nthresholds = {{ \"ndcg@5\" = 0.5 }}\n",
        data.display()
    );
    let suite = Suite::parse(&suite, Path::new("t.toml")).expect("suite");
    let report = run_suite(
        &suite,
        &RunOptions {
            data_dir: dir.path().to_path_buf(),
            ..RunOptions::default()
        },
    )
    .expect("runs");
    let r = &report.evals[0];
    assert_eq!(
        (r.cases, r.failed, r.predictor.as_str()),
        (2, 0, "rule-matcher")
    );
    assert!(
        r.notes[0].contains("1 rank_candidates rows skipped"),
        "{:?}",
        r.notes
    );
    // Case 1: perfect. Case 2: answer a, b against gains b 0.9, a 0.5.
    let l3 = 3f64.log2();
    let reversed = (0.5 + 0.9 / l3) / (0.9 + 0.5 / l3);
    assert!(
        (r.metrics["ndcg@5"].mean - (1.0 + reversed) / 2.0).abs() < 1e-12,
        "{}",
        r.metrics["ndcg@5"].mean
    );
    assert_eq!(r.metrics["schema_validity"].mean, 1.0);
    // The baseline breaks ties by id, never by position: reordering changes nothing.
    let p = &r.perturbations[0];
    assert_eq!((p.applicable, p.agreement), (Some(2), 1.0));
    let d = r.determinism.as_ref().expect("checked");
    assert!(d.repeat_identical && d.batch_identical);
}

#[test]
fn a_task_without_a_baseline_names_the_predictor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("test.parquet");
    write_parquet(
        &data,
        &[(
            "schedule_interview",
            json!({"client": {}}),
            json!({"slots": []}),
        )],
    );
    let suite = format!(
        "name = \"t\"\n[[eval]]\nname = \"s\"\ntask = \"schedule_interview\"\nformat = \"hirelm_parquet\"\ndata = \"{}\"\npredictor = \"rule-matcher\"\nmetrics = [\"slot_f1\"]\n",
        data.display()
    );
    let suite = Suite::parse(&suite, Path::new("t.toml")).expect("suite");
    let err = run_suite(&suite, &RunOptions::default())
        .expect_err("no baseline")
        .to_string();
    assert!(
        err.contains("`rule-matcher` does not support task `schedule_interview`"),
        "{err}"
    );
}

/// Answers the first word of the text as the only skill.
struct FirstWord;

impl Predictor for FirstWord {
    fn name(&self) -> &str {
        "first-word"
    }
    fn content_hash(&self) -> String {
        "1".into()
    }
    fn supports(&self, _: Task) -> bool {
        true
    }
    fn predict(&self, _: Task, input: &Value) -> Result<Prediction> {
        let first = input["text"]
            .as_str()
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_lowercase();
        Ok(Prediction::json(
            &json!({"skills": [{"label": first, "score": 1.0}]}),
            DecodingParams::deterministic(1),
        ))
    }
}

#[test]
fn dictionary_packs_report_agreement_over_the_changed_texts() {
    let mut aliases = SkillAliases::default();
    aliases.push(vec!["manage staff".into(), "supervise staff".into()]);
    aliases.push(vec!["teamwork".into(), "team work".into()]);
    let ctx = PackContext {
        aliases: Some(aliases),
        ..PackContext::default()
    };
    let suite = "name = \"t\"\n[[eval]]\nname = \"x\"\ntask = \"extract_skills\"\nformat = \"skill_benchmark_csv\"\ndata = \"x.csv\"\nlabels = \"l.txt\"\npredictor = \"bm25\"\nmetrics = [\"acc@1\"]\nperturbations = [\"skill_alias\"]\n";
    let spec = &Suite::parse(suite, Path::new("t.toml"))
        .expect("suite")
        .evals[0];
    let cases = vec![
        // "manage staff" → "supervise staff": the first word changes, so the answer does.
        Case {
            text: "manage staff daily".into(),
            gold: vec!["manage".into()],
        },
        // "teamwork" → "team work": the first word stays "you".
        Case {
            text: "you need teamwork".into(),
            gold: vec!["you".into()],
        },
        // No label mentioned: not applicable, left out of the agreement.
        Case {
            text: "nothing here".into(),
            gold: vec!["nothing".into()],
        },
    ];
    let r = run_eval_with(spec, &FirstWord, &cases, 5, &ctx);
    let p = &r.perturbations[0];
    assert_eq!(
        (p.pack.as_str(), p.applicable, p.agreement),
        ("skill_alias", Some(2), 0.5)
    );
    // acc@1 under the pack: case 1 is now wrong, the others right.
    assert!((p.metrics["acc@1"] - 2.0 / 3.0).abs() < 1e-12);
    let c = r.consistency.as_ref().expect("packs ran");
    // Per case: 0, 1, 1 (the unchanged case keeps its answer).
    assert!((c.mean_case_agreement - 2.0 / 3.0).abs() < 1e-12);
}
