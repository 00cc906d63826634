//! Tests against the real task schemas: canonical targets pass byte by byte, invalid ones are
//! refused at the right byte, unsupported keywords are named.

use std::sync::Arc;

use hirelm_core::{Task, output_schema, validate};
use serde_json::{Value, json};

use super::*;

/// A compiled state for `task`'s output schema.
pub(super) fn start(task: Task) -> ConstraintState {
    let schema = JsonSchemaConstraint::compile(&output_schema(task))
        .unwrap_or_else(|e| panic!("{task}: {e}"));
    ConstraintState::new(Arc::new(schema))
}

/// Hand-written valid outputs of `task` (non-ASCII text included).
fn valid_examples(task: Task) -> Vec<Value> {
    match task {
        Task::DraftJobPost => vec![json!({
            "title": "Data engineer", "summary": "Build pipelines — fast, \"reliable\".\nRemote.",
            "responsibilities": ["Build ETL jobs", "Own the warehouse"], "required_skills": ["SQL"],
            "nice_to_have_skills": [],
            "budget": {"kind": "hourly", "min_usd": 40.0, "max_usd": 60.5},
        })],
        Task::ExtractSkills => vec![
            json!({"skills": []}),
            json!({"skills": ["Python (computer programming)", "Développement logiciel", "数据分析 😀"]}),
        ],
        Task::NormaliseTitle => {
            vec![
                json!({"esco_uri": "http://data.europa.eu/esco/occupation/x", "label": "data analyst"}),
            ]
        }
        Task::ScoreMatch => vec![json!({
            "label": "good", "score": 0.7,
            "components": {"skill_coverage": 1.0, "rate_fit": 0.5, "time_zone_overlap": 0.0, "availability": 1},
        })],
        Task::RankCandidates => vec![json!({"ranking": [
            {"profile_id": "p-1", "score": 0.9}, {"profile_id": "p-2", "score": 0.0001}]})],
        Task::ScheduleInterview => vec![
            json!({"slots": []}),
            json!({"slots": [{"start": "2024-05-01T09:00:00Z", "end": "2024-05-01T10:00:00Z"}]}),
        ],
        Task::EvaluateCandidate => vec![json!({
            "scores": [
                {"criterion": "skill_fit", "score": 4, "justification": "Strong SQL."},
                {"criterion": "communication", "score": 1, "justification": "Terse\tanswers."},
            ],
            "overall": 2.5,
        })],
    }
}

/// The offset of the first byte `task`'s constraint refuses in `text`, or `None` when all are
/// accepted.
fn first_refused(task: Task, text: &str) -> Option<usize> {
    let mut state = start(task);
    text.bytes()
        .position(|b| state.advance_bytes(&[b]).is_err())
}

#[test]
fn every_task_schema_compiles_and_accepts_its_canonical_targets() {
    for task in Task::ALL {
        for example in valid_examples(task) {
            validate(task, &example)
                .unwrap_or_else(|e| panic!("test example of {task} is invalid: {e}"));
            let text = example.to_string();
            let mut state = start(task);
            for (i, b) in text.bytes().enumerate() {
                assert!(
                    !state.is_complete(),
                    "{task}: complete too early at {i} in {text}"
                );
                state
                    .advance_bytes(&[b])
                    .unwrap_or_else(|e| panic!("{task}: {e} in {text}"));
            }
            assert!(
                state.is_complete() && state.is_closed(),
                "{task}: not complete after {text}"
            );
        }
    }
}

#[test]
fn invalid_targets_are_refused_at_the_right_byte() {
    let cases: Vec<(Task, &str, usize, &str)> = vec![
        // Missing required key (esco_uri must come first).
        (
            Task::NormaliseTitle,
            r#"{"label":"x"}"#,
            2,
            "missing required key",
        ),
        // Extra key: after the only property, neither `,` nor another key.
        (
            Task::ExtractSkills,
            r#"{"skills":[],"x":1}"#,
            12,
            "extra key",
        ),
        // Wrong key order: `components` sorts before `label`.
        (
            Task::ScoreMatch,
            r#"{"label":"good","components":{}}"#,
            2,
            "key order",
        ),
        (
            Task::ScoreMatch,
            r#"{"components":{"availability":1,"time_zone_overlap":1"#,
            33,
            "nested order",
        ),
        // Number out of range.
        (
            Task::ScoreMatch,
            r#"{"components":{"availability":1.5"#,
            32,
            "score 1.5 in [0,1]",
        ),
        (
            Task::ScoreMatch,
            r#"{"components":{"availability":2"#,
            30,
            "score 2 in [0,1]",
        ),
        (
            Task::ScoreMatch,
            r#"{"components":{"availability":-0.1"#,
            30,
            "negative score",
        ),
        (
            Task::EvaluateCandidate,
            r#"{"overall":0.5"#,
            11,
            "overall below 1",
        ),
        (
            Task::EvaluateCandidate,
            r#"{"overall":5.01"#,
            14,
            "overall above 5",
        ),
        (
            Task::DraftJobPost,
            r#"{"budget":{"kind":"fixed","max_usd":-1"#,
            36,
            "negative budget",
        ),
        // Enum outside the allowed values.
        (
            Task::ScoreMatch,
            r#"{"components":{"availability":1,"rate_fit":1,"skill_coverage":1,"time_zone_overlap":1},"label":"great""#,
            97,
            "label enum",
        ),
        (
            Task::DraftJobPost,
            r#"{"budget":{"kind":"weekly""#,
            19,
            "budget kind",
        ),
        // Empty string where minLength is 1.
        (
            Task::NormaliseTitle,
            r#"{"esco_uri":"","label":"x"}"#,
            13,
            "empty string",
        ),
        // Too few items.
        (Task::RankCandidates, r#"{"ranking":[]}"#, 12, "minItems 1"),
        // Integers: no fraction, bounds.
        (
            Task::EvaluateCandidate,
            r#"{"overall":3,"scores":[{"criterion":"rate_fit","justification":"x","score":4.5"#,
            76,
            "integer score",
        ),
        (
            Task::EvaluateCandidate,
            r#"{"overall":3,"scores":[{"criterion":"rate_fit","justification":"x","score":6"#,
            75,
            "score above 5",
        ),
        // Not compact, not an object, trailing bytes.
        (Task::ExtractSkills, r#"{ "skills":[]}"#, 1, "whitespace"),
        (Task::ExtractSkills, r#"["skills"]"#, 0, "array root"),
        (
            Task::ExtractSkills,
            r#"{"skills":["a",]}"#,
            15,
            "trailing comma",
        ),
        (
            Task::ExtractSkills,
            "{\"skills\":[]}\n",
            13,
            "after the end",
        ),
    ];
    for (task, text, expected, what) in cases {
        assert_eq!(
            first_refused(task, text),
            Some(expected),
            "{what}: {text} (byte {:?})",
            &text[expected..]
        );
    }
}

#[test]
fn refused_completions_are_also_invalid_for_the_validator() {
    // Every refused-but-parseable document must fail validation (the constraint is not stricter
    // than the schema on these), and the accepted prefixes stay accepted.
    let pairs = [
        (Task::NormaliseTitle, json!({"label": "x"})),
        (Task::ExtractSkills, json!({"skills": [], "x": 1})),
        (Task::RankCandidates, json!({"ranking": []})),
        (
            Task::ScoreMatch,
            json!({"label": "great", "score": 0.5, "components": {"skill_coverage": 1.0, "rate_fit": 0.5, "time_zone_overlap": 0.0, "availability": 1}}),
        ),
        (Task::NormaliseTitle, json!({"esco_uri": "", "label": "x"})),
    ];
    for (task, value) in pairs {
        assert!(validate(task, &value).is_err(), "{task}: {value}");
        assert!(
            first_refused(task, &value.to_string()).is_some(),
            "{task}: {value}"
        );
    }
}

#[test]
fn unsupported_keywords_name_keyword_and_path() {
    let mut schema = output_schema(Task::ExtractSkills);
    schema["properties"]["skills"]["items"]["uniqueItems"] = json!(true);
    let err = JsonSchemaConstraint::compile(&schema).expect_err("uniqueItems is unsupported");
    assert_eq!(
        err,
        ConstraintError::UnsupportedKeyword {
            keyword: "uniqueItems".into(),
            path: "/properties/skills/items".into()
        }
    );
    let mut schema = output_schema(Task::NormaliseTitle);
    schema["properties"]["esco_uri"]["format"] = json!("uri");
    let err = JsonSchemaConstraint::compile(&schema)
        .expect_err("format is unsupported")
        .to_string();
    assert!(
        err.contains("`format`") && err.contains("/properties/esco_uri"),
        "{err}"
    );
    let schema = json!({"oneOf": [{"type": "string"}]});
    let err = JsonSchemaConstraint::compile(&schema).expect_err("oneOf is unsupported");
    assert!(
        matches!(err, ConstraintError::UnsupportedKeyword { ref keyword, .. } if keyword == "oneOf"),
        "{err}"
    );
}

#[test]
fn a_narrowed_enum_of_many_labels_is_enforced() {
    let labels: Vec<String> = (0..100).map(|i| format!("skill number {i} (é)")).collect();
    let mut schema = output_schema(Task::ExtractSkills);
    schema["properties"]["skills"]["items"] = json!({"type": "string", "enum": labels});
    let state = ConstraintState::new(Arc::new(
        JsonSchemaConstraint::compile(&schema).expect("compiles"),
    ));
    let ok = json!({"skills": [labels[7], labels[42], labels[99]]}).to_string();
    let mut accepted = state.clone();
    accepted
        .advance_bytes(ok.as_bytes())
        .expect("labels from the list");
    assert!(accepted.is_complete());
    assert!(!state.accepts(br#"{"skills":["skill number 100"#));
    assert!(!state.accepts(br#"{"skills":["Python""#));
    assert!(state.accepts(br#"{"skills":["skill number 10 "#));
}
