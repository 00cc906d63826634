//! The tasks that shipped/routes.toml gives the rule-based matcher (`score_match`, and
//! `rank_candidates` by its score, where it beat the language model on validation data):
//! `hirelm ask` and `hirelm serve` answer them with `hirelm_eval::baselines::rule_matcher`, the
//! same code `hirelm bench compare` measures, so the served answer is the measured one.

use hirelm_core::Task;
use hirelm_eval::EvalError;
use hirelm_eval::baselines::rule_matcher::RuleMatcher;
use hirelm_infer::{Answerer, ShippedRoutes};
use serde_json::Value;

/// Which tasks the rule-based matcher answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleRoute {
    tasks: Vec<Task>,
}

impl RuleRoute {
    /// The tasks `routes` gives the rule matcher; none when `use_lm` (the language model
    /// answers every task it is asked).
    pub fn from_routes(routes: &ShippedRoutes, use_lm: bool) -> Self {
        let tasks = if use_lm {
            Vec::new()
        } else {
            Task::ALL
                .into_iter()
                .filter(|&t| routes.answerer(t) == Answerer::Rule)
                .collect()
        };
        Self { tasks }
    }

    /// Whether the rule matcher answers `task`.
    pub fn answers(&self, task: Task) -> bool {
        self.tasks.contains(&task)
    }

    /// The rule matcher's answer (valid against the task's schema); `None` when it does not
    /// answer `task`, `Err` naming the input field it could not read.
    pub fn answer(&self, task: Task, input: &Value) -> Option<Result<Value, EvalError>> {
        self.answers(task).then(|| RuleMatcher.answer(task, input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::Path;

    fn routes(text: &str) -> ShippedRoutes {
        ShippedRoutes::parse(text, Path::new("routes.toml"), Path::new(".")).expect("routes")
    }

    #[test]
    fn routed_tasks_get_schema_valid_rule_answers_and_use_lm_turns_them_off() {
        let r = routes("[task.score_match]\nanswerer = \"rule\"\nwhy = \"valid\"\n");
        let rules = RuleRoute::from_routes(&r, false);
        assert!(rules.answers(Task::ScoreMatch) && !rules.answers(Task::RankCandidates));
        let input = json!({
            "job": {"required_skills": ["SQL", "Rust"], "budget": {"min_usd": 20, "max_usd": 60}},
            "candidate": {"skills": ["sql"], "hourly_rate_usd": 50},
        });
        let answer = rules
            .answer(Task::ScoreMatch, &input)
            .expect("routed")
            .expect("answer");
        assert!(
            hirelm_core::validate(Task::ScoreMatch, &answer).is_ok(),
            "{answer}"
        );
        assert_eq!(answer["components"]["skill_coverage"], 0.5);
        let err = rules
            .answer(Task::ScoreMatch, &json!({"job": {}}))
            .expect("routed")
            .expect_err("incomplete");
        assert!(err.to_string().contains("/job/required_skills"), "{err}");
        assert!(rules.answer(Task::DraftJobPost, &input).is_none());
        assert!(!RuleRoute::from_routes(&r, true).answers(Task::ScoreMatch));
    }
}
