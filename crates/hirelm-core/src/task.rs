//! The hiring tasks.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::CoreError;

/// A step of the hiring flow that hirelm trains and evaluates a model on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// A client's brief → a structured job post.
    DraftJobPost,
    /// A job-ad sentence → ESCO skill labels.
    ExtractSkills,
    /// A job title → an ESCO occupation.
    NormaliseTitle,
    /// A profile and a job → a match score with reasons.
    ScoreMatch,
    /// A job and several profiles → a ranking.
    RankCandidates,
    /// Availabilities → interview slots.
    ScheduleInterview,
    /// A profile and a rubric → an evaluation.
    EvaluateCandidate,
}

impl Task {
    /// Every task, in the order of the hiring flow.
    pub const ALL: [Task; 7] = [
        Task::DraftJobPost,
        Task::ExtractSkills,
        Task::NormaliseTitle,
        Task::ScoreMatch,
        Task::RankCandidates,
        Task::ScheduleInterview,
        Task::EvaluateCandidate,
    ];

    /// The task's snake_case name, as used in files, configs and URLs.
    pub fn name(self) -> &'static str {
        match self {
            Task::DraftJobPost => "draft_job_post",
            Task::ExtractSkills => "extract_skills",
            Task::NormaliseTitle => "normalise_title",
            Task::ScoreMatch => "score_match",
            Task::RankCandidates => "rank_candidates",
            Task::ScheduleInterview => "schedule_interview",
            Task::EvaluateCandidate => "evaluate_candidate",
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Task {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Task::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| CoreError::UnknownTask {
                name: s.to_string(),
                expected: Task::ALL.map(Task::name).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_str_and_serde() {
        for task in Task::ALL {
            assert_eq!(task.name().parse::<Task>().expect("parses"), task);
            let json = serde_json::to_string(&task).expect("serialises");
            assert_eq!(json, format!("\"{}\"", task.name()));
        }
    }

    #[test]
    fn unknown_task_lists_the_valid_ones() {
        let err = "summarise".parse::<Task>().expect_err("not a task");
        let text = err.to_string();
        assert!(
            text.contains("`summarise`") && text.contains("normalise_title"),
            "{text}"
        );
    }
}
