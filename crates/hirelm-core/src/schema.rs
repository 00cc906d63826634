//! Each task's output JSON schema, as a JSON-Schema subset.
//!
//! Supported keywords (and only these, so every consumer can implement them): `type`
//! (`object`, `array`, `string`, `number`, `integer`, `boolean`), `properties`, `required`,
//! `additionalProperties: false`, `items`, `minItems`, `enum`, `minimum`, `maximum`,
//! `minLength`. [`crate::validate`] checks a value against them.

use serde_json::{Value, json};

use crate::Task;

/// The match labels of `score_match`, best first; see `hirelm-curate`'s match rule.
pub const MATCH_LABELS: [&str; 4] = ["strong", "good", "partial", "poor"];

/// Lowest scores, in hundredths, of `strong`, `good` and `partial`; a lower score is `poor`.
/// The curation rule labels its targets by them, and the rule-matcher baseline cuts its scores
/// at the same places.
pub const MATCH_THRESHOLDS: [u32; 3] = [80, 65, 45];

/// The label of a score in [0, 1] by [`MATCH_THRESHOLDS`] (a score within 1e-9 below a
/// threshold counts as reaching it, so rounding in a sum of weights does not demote it).
pub fn match_label(score: f64) -> &'static str {
    MATCH_THRESHOLDS
        .iter()
        .position(|&t| score >= f64::from(t) / 100.0 - 1e-9)
        .map_or(MATCH_LABELS[3], |i| MATCH_LABELS[i])
}

fn text() -> Value {
    json!({"type": "string", "minLength": 1})
}

fn unit() -> Value {
    json!({"type": "number", "minimum": 0.0, "maximum": 1.0})
}

fn object(properties: Value) -> Value {
    let required: Vec<Value> = properties
        .as_object()
        .map(|p| p.keys().map(|k| Value::String(k.clone())).collect())
        .unwrap_or_default();
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

fn list(items: Value, min_items: u64) -> Value {
    json!({"type": "array", "items": items, "minItems": min_items})
}

/// The JSON schema of `task`'s output (the example `target`).
pub fn output_schema(task: Task) -> Value {
    match task {
        Task::DraftJobPost => object(json!({
            "title": text(),
            "summary": text(),
            "responsibilities": list(text(), 1),
            "required_skills": list(text(), 1),
            "nice_to_have_skills": list(text(), 0),
            "budget": object(json!({
                "kind": {"type": "string", "enum": ["hourly", "fixed"]},
                "min_usd": {"type": "number", "minimum": 0.0},
                "max_usd": {"type": "number", "minimum": 0.0},
            })),
        })),
        Task::ExtractSkills => object(json!({"skills": list(text(), 0)})),
        Task::NormaliseTitle => object(json!({"esco_uri": text(), "label": text()})),
        Task::ScoreMatch => object(json!({
            "label": {"type": "string", "enum": MATCH_LABELS},
            "score": unit(),
            "components": object(json!({
                "skill_coverage": unit(),
                "rate_fit": unit(),
                "time_zone_overlap": unit(),
                "availability": unit(),
            })),
        })),
        Task::RankCandidates => object(json!({
            "ranking": list(object(json!({"profile_id": text(), "score": unit()})), 1),
        })),
        Task::ScheduleInterview => object(json!({
            "slots": list(object(json!({"start": text(), "end": text()})), 0),
        })),
        Task::EvaluateCandidate => object(json!({
            "scores": list(object(json!({
                "criterion": {"type": "string", "enum": crate::record::Criterion::ALL.map(|c| c.name())},
                "score": {"type": "integer", "minimum": 1, "maximum": 5},
                "justification": text(),
            })), 1),
            "overall": {"type": "number", "minimum": 1.0, "maximum": 5.0},
        })),
    }
}
