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
    /// (schedule_interview); occupation label match (normalise_title: a 135M model cannot
    /// recall opaque ESCO URIs, so [`AnswerScore::exact`] carries the URI); match label
    /// (score_match); NDCG@5 of the ranking with the target scores as gains (rank_candidates);
    /// 1 − mean |score error| / 4 over the rubric's criteria, a missing criterion counting as
    /// the largest error (evaluate_candidate); and for draft_job_post the mean of required-skill
    /// coverage and a budget inside the brief's band.
    pub quality: f64,
}

/// The score of `answer` against `target` for `task`.
pub fn score_answer(task: Task, answer: &Value, target: &Value) -> AnswerScore {
    let exact = answer == target;
    let quality = match task {
        Task::ExtractSkills => set_f1(strings(answer.get("skills")), strings(target.get("skills"))),
        Task::ScheduleInterview => set_f1(slots(answer), slots(target)),
        Task::NormaliseTitle => f64::from(u8::from(same_text(
            answer.get("label"),
            target.get("label"),
        ))),
        Task::ScoreMatch => f64::from(u8::from(answer.get("label") == target.get("label"))),
        Task::RankCandidates => ndcg_at_5(answer, target),
        Task::EvaluateCandidate => rubric_agreement(answer, target),
        Task::DraftJobPost => post_quality(answer, target),
    };
    AnswerScore { exact, quality }
}

/// NDCG@5 of the answer's `ranking` order, gains from the target's scores.
fn ndcg_at_5(answer: &Value, target: &Value) -> f64 {
    let ranking = |v: &Value| -> Vec<(String, f64)> {
        v["ranking"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| {
                Some((
                    r["profile_id"].as_str()?.to_string(),
                    r["score"].as_f64().unwrap_or(0.0),
                ))
            })
            .collect()
    };
    let gold = ranking(target);
    let gain = |id: &str| gold.iter().find(|(g, _)| g == id).map_or(0.0, |(_, s)| *s);
    let discount = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let mut seen: Vec<String> = Vec::new();
    let mut dcg = 0.0;
    for (id, _) in ranking(answer) {
        if seen.len() == 5 {
            break;
        }
        if !seen.contains(&id) {
            dcg += gain(&id) * discount(seen.len());
            seen.push(id);
        }
    }
    let mut ideal: Vec<f64> = gold.iter().map(|(_, s)| *s).collect();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(5)
        .enumerate()
        .map(|(i, g)| g * discount(i))
        .sum();
    if idcg > 0.0 {
        dcg / idcg
    } else {
        f64::from(u8::from(dcg == 0.0))
    }
}

/// 1 − mean |score difference| / 4 over the target's criteria (a missing one costs 4).
fn rubric_agreement(answer: &Value, target: &Value) -> f64 {
    let scores = |v: &Value| -> Vec<(String, f64)> {
        v["scores"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| Some((s["criterion"].as_str()?.to_string(), s["score"].as_f64()?)))
            .collect()
    };
    let (given, gold) = (scores(answer), scores(target));
    if gold.is_empty() {
        return 0.0;
    }
    let error: f64 = gold
        .iter()
        .map(|(c, g)| {
            given
                .iter()
                .find(|(a, _)| a == c)
                .map_or(4.0, |(_, a)| (a - g).abs().min(4.0))
        })
        .sum();
    1.0 - error / (4.0 * gold.len() as f64)
}

/// Mean of required-skill coverage and "the budget lies inside the brief's band".
fn post_quality(answer: &Value, target: &Value) -> f64 {
    0.5 * skill_coverage(answer, target) + 0.5 * f64::from(u8::from(budget_in_band(answer, target)))
}

/// Share of `target`'s `required_skills` (a post, or a brief's skills put there) that the
/// answer's `required_skills` list, case-insensitively; 1 when none are wanted.
pub fn skill_coverage(answer: &Value, target: &Value) -> f64 {
    let wanted = strings(target.get("required_skills"));
    let given = strings(answer.get("required_skills"));
    if wanted.is_empty() {
        1.0
    } else {
        wanted.intersection(&given).count() as f64 / wanted.len() as f64
    }
}

/// Whether the answer's `budget` has `target`'s kind and lies inside its band (half a dollar
/// of rounding allowed), with min ≤ max.
pub fn budget_in_band(answer: &Value, target: &Value) -> bool {
    let band = |v: &Value, key: &str| v["budget"][key].as_f64();
    match (
        band(answer, "min_usd"),
        band(answer, "max_usd"),
        band(target, "min_usd"),
        band(target, "max_usd"),
    ) {
        (Some(lo), Some(hi), Some(t_lo), Some(t_hi)) => {
            answer["budget"]["kind"] == target["budget"]["kind"]
                && lo >= t_lo - 0.5
                && hi <= t_hi + 0.5
                && lo <= hi
        }
        _ => false,
    }
}

fn same_text(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a.and_then(Value::as_str), b.and_then(Value::as_str)) {
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        _ => false,
    }
}

fn strings(list: Option<&Value>) -> BTreeSet<String> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| s.trim().to_lowercase())
                .collect()
        })
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
        let s = score_answer(
            Task::ExtractSkills,
            &json!({"skills": ["sql", "java"]}),
            &gold,
        );
        assert_eq!((s.exact, s.quality), (false, 1.0));
        let s = score_answer(
            Task::ExtractSkills,
            &json!({"skills": ["SQL", "Rust", "Go"]}),
            &gold,
        );
        // precision 1/3, recall 1/2 -> F1 = 0.4
        assert!((s.quality - 0.4).abs() < 1e-12);
        assert_eq!(
            score_answer(
                Task::ExtractSkills,
                &json!({"skills": []}),
                &json!({"skills": []})
            )
            .quality,
            1.0
        );
        assert_eq!(
            score_answer(
                Task::ExtractSkills,
                &json!({"skills": ["x"]}),
                &json!({"skills": []})
            )
            .quality,
            0.0
        );
    }

    #[test]
    fn rankings_are_scored_by_ndcg_at_5() {
        let gold = json!({"ranking": [{"profile_id": "a", "score": 0.9}, {"profile_id": "b", "score": 0.5}, {"profile_id": "c", "score": 0.1}]});
        assert!((score_answer(Task::RankCandidates, &gold, &gold).quality - 1.0).abs() < 1e-12);
        // b, a, c: DCG = 0.5 + 0.9/log2(3) + 0.1/2; IDCG = 0.9 + 0.5/log2(3) + 0.1/2.
        let swapped = json!({"ranking": [{"profile_id": "b", "score": 1}, {"profile_id": "a", "score": 1}, {"profile_id": "c", "score": 0}]});
        let l3 = 3f64.log2();
        let expected = (0.5 + 0.9 / l3 + 0.05) / (0.9 + 0.5 / l3 + 0.05);
        assert!(
            (score_answer(Task::RankCandidates, &swapped, &gold).quality - expected).abs() < 1e-12
        );
        // A repeated id counts once.
        let repeated =
            json!({"ranking": [{"profile_id": "c", "score": 1}, {"profile_id": "c", "score": 1}]});
        assert!(
            (score_answer(Task::RankCandidates, &repeated, &gold).quality
                - 0.1 / (0.9 + 0.5 / l3 + 0.05))
                .abs()
                < 1e-12
        );
    }

    #[test]
    fn rubrics_are_scored_by_mean_error_and_posts_by_coverage_and_budget() {
        let gold = json!({"scores": [{"criterion": "skill_fit", "score": 5, "justification": "x"},
                                     {"criterion": "rate_fit", "score": 1, "justification": "x"}], "overall": 3.0});
        let answer = json!({"scores": [{"criterion": "skill_fit", "score": 3, "justification": "y"}], "overall": 3.0});
        // skill_fit off by 2, rate_fit missing (4): 1 - 6 / 8.
        assert!(
            (score_answer(Task::EvaluateCandidate, &answer, &gold).quality - 0.25).abs() < 1e-12
        );
        let post = |skills: Value, lo: f64, hi: f64| json!({"required_skills": skills, "budget": {"kind": "hourly", "min_usd": lo, "max_usd": hi}});
        let target = post(json!(["SQL", "Python"]), 40.0, 60.0);
        assert!(
            (score_answer(
                Task::DraftJobPost,
                &post(json!(["sql"]), 45.0, 55.0),
                &target
            )
            .quality
                - 0.75)
                .abs()
                < 1e-12
        );
        assert!(
            (score_answer(
                Task::DraftJobPost,
                &post(json!(["sql", "python"]), 30.0, 55.0),
                &target
            )
            .quality
                - 0.5)
                .abs()
                < 1e-12
        );
    }

    #[test]
    fn titles_match_on_the_label_and_slots_on_exact_intervals() {
        let gold = json!({"esco_uri": "u1", "label": "nurse"});
        assert_eq!(
            score_answer(
                Task::NormaliseTitle,
                &json!({"esco_uri": "u1", "label": "x"}),
                &gold
            )
            .quality,
            0.0
        );
        let other_uri = score_answer(
            Task::NormaliseTitle,
            &json!({"esco_uri": "u2", "label": "Nurse"}),
            &gold,
        );
        assert_eq!((other_uri.exact, other_uri.quality), (false, 1.0));
        let a = json!({"slots": [{"start": "s1", "end": "e1"}, {"start": "s2", "end": "e2"}]});
        let b = json!({"slots": [{"start": "s1", "end": "e1"}]});
        assert!((score_answer(Task::ScheduleInterview, &a, &b).quality - 2.0 / 3.0).abs() < 1e-12);
        assert!(score_answer(Task::ScheduleInterview, &b, &b).exact);
    }
}
