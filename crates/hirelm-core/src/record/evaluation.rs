//! Candidate evaluation against a rubric.

use serde::{Deserialize, Serialize};

/// A rubric criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Coverage of the job's required skills.
    SkillFit,
    /// Hourly rate against the budget.
    RateFit,
    /// Working-hours overlap across time zones.
    TimeZoneFit,
    /// Hours per week against the job's needs.
    Availability,
    /// What the interview notes say.
    Communication,
}

impl Criterion {
    /// Every criterion, in rubric order.
    pub const ALL: [Criterion; 5] = [
        Criterion::SkillFit,
        Criterion::RateFit,
        Criterion::TimeZoneFit,
        Criterion::Availability,
        Criterion::Communication,
    ];

    /// The snake_case name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Criterion::SkillFit => "skill_fit",
            Criterion::RateFit => "rate_fit",
            Criterion::TimeZoneFit => "time_zone_fit",
            Criterion::Availability => "availability",
            Criterion::Communication => "communication",
        }
    }
}

/// One rubric line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionScore {
    /// Which criterion.
    pub criterion: Criterion,
    /// Score from 1 (poor) to 5 (excellent).
    pub score: u8,
    /// One short sentence saying why.
    pub justification: String,
}

/// The output of `evaluate_candidate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// One line per criterion.
    pub scores: Vec<CriterionScore>,
    /// Mean of the scores, 1 to 5.
    pub overall: f64,
}
