//! Tests of `suite`.

use super::*;

const SUITE: &str = r#"
name = "t"
[[eval]]
name = "a"
task = "extract_skills"
format = "skill_benchmark_csv"
data = "x.csv"
labels = "$SHARED/l.txt"
predictor = "bm25"
metrics = ["rp@5", "mrr"]
perturbations = ["casing"]
thresholds = { "rp@5" = 0.1 }
"#;

#[test]
fn parses_a_suite_with_defaults() {
    let s = Suite::parse(SUITE, Path::new("s.toml")).expect("parses");
    assert_eq!((s.seed, s.significance), (17, 0.05));
    let e = &s.evals[0];
    assert_eq!(e.task, Task::ExtractSkills);
    assert_eq!(e.metrics, [Metric::RPrecision5, Metric::Mrr]);
    assert_eq!(e.thresholds[&Metric::RPrecision5], 0.1);
    assert!(e.labels.as_ref().expect("labels").ends_with("l.txt"));
}

#[test]
fn unknown_names_are_clear_errors() {
    for (from, to, want) in [
        ("\"rp@5\", \"mrr\"]", "\"rp@7\"]", "unknown metric `rp@7`"),
        (
            "[\"casing\"]",
            "[\"emoji\"]",
            "unknown perturbation pack `emoji`",
        ),
        ("skill_benchmark_csv", "xlsx", "unknown format `xlsx`"),
        ("extract_skills", "summarise", "unknown task `summarise`"),
    ] {
        let err = Suite::parse(&SUITE.replace(from, to), Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("s.toml") && err.contains(want), "{err}");
    }
}

#[test]
fn span_entries_take_span_metrics_and_no_packs() {
    let spans = SUITE
        .replace("skill_benchmark_csv", "skillspan_json")
        .replace(
            "labels = \"$SHARED/l.txt\"",
            "train = \"$SHARED/train.json\"",
        )
        .replace("\"rp@5\", \"mrr\"]", "\"span_f1\", \"span_f1_skill\"]")
        .replace("[\"casing\"]", "[]")
        .replace("\"rp@5\" = 0.1", "\"span_f1\" = 0.1");
    let s = Suite::parse(&spans, Path::new("p.toml")).expect("parses");
    assert_eq!(s.evals[0].metrics, [Metric::SpanF1, Metric::SpanF1Skill]);
    assert!(
        s.evals[0]
            .train
            .as_ref()
            .is_some_and(|t| t.ends_with("train.json"))
    );
    for (from, to, want) in [
        (
            "\"span_f1_skill\"]",
            "\"mrr\"]",
            "metric `mrr` does not score format skillspan_json",
        ),
        ("[]", "[\"casing\"]", "takes no perturbation packs"),
    ] {
        let err = Suite::parse(&spans.replace(from, to), Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err}");
    }
    let err = Suite::parse(
        &SUITE.replace("\"mrr\"]", "\"span_f1\"]"),
        Path::new("s.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("metric `span_f1` needs format skillspan_json"),
        "{err}"
    );
}

#[test]
fn metrics_packs_and_formats_must_fit_the_task() {
    let matching = SUITE
        .replace("extract_skills", "score_match")
        .replace("skill_benchmark_csv", "hirelm_parquet")
        .replace(
            "\"rp@5\", \"mrr\"]",
            "\"accuracy\", \"macro_f1\", \"score_mae\"]",
        )
        .replace("[\"casing\"]", "[\"name_swap\", \"add_required_skill\"]")
        .replace("\"rp@5\" = 0.1", "\"score_mae\" = 0.2");
    let s = Suite::parse(&matching, Path::new("m.toml")).expect("parses");
    assert_eq!(
        s.evals[0].metrics,
        [Metric::Accuracy, Metric::MacroF1, Metric::ScoreMae]
    );
    assert_eq!(s.evals[0].packs, [Pack::NameSwap, Pack::AddRequiredSkill]);
    for (from, to, want) in [
        (
            "\"accuracy\",",
            "\"mrr\",",
            "metric `mrr` does not score task `score_match`",
        ),
        (
            "\"name_swap\"",
            "\"markdown\"",
            "pack `markdown` does not apply",
        ),
        (
            "hirelm_parquet",
            "skill_benchmark_csv",
            "cannot read format `skill_benchmark_csv`",
        ),
    ] {
        let err = Suite::parse(&matching.replace(from, to), Path::new("m.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("m.toml") && err.contains(want), "{err}");
    }
    let err = Suite::parse(
        &SUITE.replace("[\"casing\"]", "[\"name_swap\"]"),
        Path::new("s.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("`name_swap` does not apply to task `extract_skills`"),
        "{err}"
    );
    let slots = matching
        .replace("score_match", "schedule_interview")
        .replace(
            "\"accuracy\", \"macro_f1\", \"score_mae\"]",
            "\"valid_slot_rate\", \"slot_f1\"]",
        )
        .replace(
            "[\"name_swap\", \"add_required_skill\"]",
            "[\"reorder_fields\"]",
        )
        .replace("\"score_mae\" = 0.2", "\"slot_f1\" = 0.2");
    let s = Suite::parse(&slots, Path::new("i.toml")).expect("parses");
    assert_eq!(s.evals[0].metrics, [Metric::ValidSlotRate, Metric::SlotF1]);
    for (from, to, want) in [
        (
            "\"slot_f1\"]",
            "\"rubric_mae\"]",
            "metric `rubric_mae` does not score task `schedule_interview`",
        ),
        (
            "[\"reorder_fields\"]",
            "[\"name_swap\"]",
            "pack `name_swap` does not apply",
        ),
        (
            "hirelm_parquet",
            "jobbert_titles",
            "cannot read format `jobbert_titles`",
        ),
    ] {
        let err = Suite::parse(&slots.replace(from, to), Path::new("i.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err}");
    }
}
