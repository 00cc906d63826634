//! Scores for answers in the tasks' own output shapes (`hirelm_core::output_schema`) against the
//! targets of held-out curated examples: what the generation check of a training run reports.

use std::collections::BTreeSet;

use hirelm_core::Task;
use serde_json::Value;

/// How one answer compares with its target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnswerScore {
    /// The answer equals the target exactly.
    pub exact: bool,
    /// The task's quality score in [0, 1]: set F1 of skills (extract_skills) or slots
    /// (schedule_interview), occupation label match (normalise_title: a 135M model cannot
    /// recall opaque ESCO URIs, so [`AnswerScore::exact`] carries the URI), match label
    /// (score_match), and exact match for the other tasks.
    pub quality: f64,
}

/// The score of `answer` against `target` for `task`.
pub fn score_answer(task: Task, answer: &Value, target: &Value) -> AnswerScore {
    let exact = answer == target;
    let quality = match task {
        Task::ExtractSkills => set_f1(strings(answer.get("skills")), strings(target.get("skills"))),
        Task::ScheduleInterview => set_f1(slots(answer), slots(target)),
        Task::NormaliseTitle => f64::from(u8::from(same_text(answer.get("label"), target.get("label")))),
        Task::ScoreMatch => f64::from(u8::from(answer.get("label") == target.get("label"))),
        _ => f64::from(u8::from(exact)),
    };
    AnswerScore { exact, quality }
}

fn same_text(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a.and_then(Value::as_str), b.and_then(Value::as_str)) {
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        _ => false,
    }
}

fn strings(list: Option<&Value>) -> BTreeSet<String> {
    list.and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(|s| s.trim().to_lowercase()).collect())
        .unwrap_or_default()
}

fn slots(value: &Value) -> BTreeSet<String> {
    value
        .get("slots")
        .and_then(Value::as_array)
        .map(|items| items.iter().map(Value::to_string).collect())
        .unwrap_or_default()
}

/// F1 of two sets; two empty sets agree perfectly.
fn set_f1(predicted: BTreeSet<String>, gold: BTreeSet<String>) -> f64 {
    if predicted.is_empty() && gold.is_empty() {
        return 1.0;
    }
    let hits = predicted.intersection(&gold).count() as f64;
    if hits == 0.0 {
        return 0.0;
    }
    let (p, r) = (hits / predicted.len() as f64, hits / gold.len() as f64);
    2.0 * p * r / (p + r)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn skills_are_scored_by_set_f1_ignoring_case_and_order() {
        let gold = json!({"skills": ["Java", "SQL"]});
        let s = score_answer(Task::ExtractSkills, &json!({"skills": ["sql", "java"]}), &gold);
        assert_eq!((s.exact, s.quality), (false, 1.0));
        let s = score_answer(Task::ExtractSkills, &json!({"skills": ["SQL", "Rust", "Go"]}), &gold);
        // precision 1/3, recall 1/2 -> F1 = 0.4
        assert!((s.quality - 0.4).abs() < 1e-12);
        assert_eq!(score_answer(Task::ExtractSkills, &json!({"skills": []}), &json!({"skills": []})).quality, 1.0);
        assert_eq!(score_answer(Task::ExtractSkills, &json!({"skills": ["x"]}), &json!({"skills": []})).quality, 0.0);
    }

    #[test]
    fn titles_match_on_the_label_and_slots_on_exact_intervals() {
        let gold = json!({"esco_uri": "u1", "label": "nurse"});
        assert_eq!(score_answer(Task::NormaliseTitle, &json!({"esco_uri": "u1", "label": "x"}), &gold).quality, 0.0);
        let other_uri = score_answer(Task::NormaliseTitle, &json!({"esco_uri": "u2", "label": "Nurse"}), &gold);
        assert_eq!((other_uri.exact, other_uri.quality), (false, 1.0));
        let a = json!({"slots": [{"start": "s1", "end": "e1"}, {"start": "s2", "end": "e2"}]});
        let b = json!({"slots": [{"start": "s1", "end": "e1"}]});
        assert!((score_answer(Task::ScheduleInterview, &a, &b).quality - 2.0 / 3.0).abs() < 1e-12);
        assert!(score_answer(Task::ScheduleInterview, &b, &b).exact);
    }
}
