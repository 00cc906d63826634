//! Validation of a task output against [`crate::output_schema`].

use serde_json::Value;

use crate::{CoreError, Task, output_schema};

/// Checks `value` against `task`'s output schema; the error names the first failing JSON path.
///
/// ```
/// use hirelm_core::{Task, validate};
/// let ok = serde_json::json!({"skills": ["Python (computer programming)"]});
/// assert!(validate(Task::ExtractSkills, &ok).is_ok());
/// let bad = serde_json::json!({"skills": ["Python", 3]});
/// let err = validate(Task::ExtractSkills, &bad).unwrap_err().to_string();
/// assert!(err.contains("$.skills[1]"), "{err}");
/// ```
pub fn validate(task: Task, value: &Value) -> Result<(), CoreError> {
    check(&output_schema(task), value, "$").map_err(|(path, reason)| CoreError::InvalidOutput {
        task,
        path,
        reason,
    })
}

type Failure = (String, String);

fn type_matches(ty: &str, value: &Value) -> bool {
    match ty {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        _ => false,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Validates `value` against `schema` at `path`, returning the failing path and reason.
pub(crate) fn check(schema: &Value, value: &Value, path: &str) -> Result<(), Failure> {
    let fail = |reason: String| Err((path.to_string(), reason));
    if let Some(ty) = schema.get("type").and_then(Value::as_str)
        && !type_matches(ty, value)
    {
        return fail(format!("expected {ty}, found {}", kind(value)));
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return fail(format!(
            "{value} is not one of {}",
            Value::Array(allowed.clone())
        ));
    }
    if let Some(x) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && x < min
        {
            return fail(format!("{x} is below the minimum {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && x > max
        {
            return fail(format!("{x} is above the maximum {max}"));
        }
    }
    if let (Some(s), Some(min)) = (
        value.as_str(),
        schema.get("minLength").and_then(Value::as_u64),
    ) && (s.chars().count() as u64) < min
    {
        return fail(format!("string shorter than {min} characters"));
    }
    if let Some(items) = value.as_array() {
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < min
        {
            return fail(format!("{} items, at least {min} required", items.len()));
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                check(item_schema, item, &format!("{path}[{i}]"))?;
            }
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = name.as_str()
                && !object.contains_key(name)
            {
                return Err((format!("{path}.{name}"), "required field is missing".into()));
            }
        }
        for (name, field) in object {
            let field_path = format!("{path}.{name}");
            match properties.and_then(|p| p.get(name)) {
                Some(field_schema) => check(field_schema, field, &field_path)?,
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    return Err((field_path, "unexpected field".into()));
                }
                None => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn path_of(task: Task, value: Value) -> String {
        match validate(task, &value) {
            Err(CoreError::InvalidOutput { path, .. }) => path,
            other => panic!("expected an invalid-output error, got {other:?}"),
        }
    }

    fn job_post() -> Value {
        json!({
            "title": "Data engineer", "summary": "Build pipelines.",
            "responsibilities": ["Build ETL jobs"], "required_skills": ["SQL"],
            "nice_to_have_skills": [],
            "budget": {"kind": "hourly", "min_usd": 40.0, "max_usd": 60.0},
        })
    }

    #[test]
    fn a_valid_job_post_passes() {
        validate(Task::DraftJobPost, &job_post()).expect("valid");
    }

    #[test]
    fn failures_name_the_nested_path() {
        let mut post = job_post();
        post["budget"]["kind"] = json!("weekly");
        assert_eq!(path_of(Task::DraftJobPost, post), "$.budget.kind");
        let mut post = job_post();
        post["responsibilities"] = json!(["ok", ""]);
        assert_eq!(path_of(Task::DraftJobPost, post), "$.responsibilities[1]");
        let mut post = job_post();
        post.as_object_mut().map(|o| o.remove("summary"));
        assert_eq!(path_of(Task::DraftJobPost, post), "$.summary");
        let mut post = job_post();
        post["salary"] = json!(1);
        assert_eq!(path_of(Task::DraftJobPost, post), "$.salary");
    }

    #[test]
    fn numeric_bounds_and_integers_are_enforced() {
        let eval = |score: Value| json!({"scores": [{"criterion": "skill_fit", "score": score, "justification": "x"}], "overall": 3.0});
        validate(Task::EvaluateCandidate, &eval(json!(4))).expect("valid");
        assert_eq!(
            path_of(Task::EvaluateCandidate, eval(json!(6))),
            "$.scores[0].score"
        );
        assert_eq!(
            path_of(Task::EvaluateCandidate, eval(json!(4.5))),
            "$.scores[0].score"
        );
        let components = json!({"skill_coverage": 1.0, "rate_fit": 0.5, "time_zone_overlap": 0.0, "availability": 1.0});
        let m = json!({"label": "good", "score": 0.7, "components": components});
        validate(Task::ScoreMatch, &m).expect("valid");
        let m = json!({"label": "good", "score": 1.5, "components": components});
        assert_eq!(path_of(Task::ScoreMatch, m), "$.score");
    }

    #[test]
    fn every_task_has_an_object_schema_rejecting_null() {
        for task in Task::ALL {
            assert_eq!(output_schema(task)["type"], "object", "{task}");
            assert_eq!(path_of(task, Value::Null), "$");
        }
    }
}
