//! Domain records of the hiring flow: the inputs and outputs of every [`crate::Task`].
//!
//! Skills and occupations carry their ESCO URI so that every label can be traced back to the
//! taxonomy; money is in US dollars (wages come from the US BLS OEWS survey).

mod evaluation;
mod interview;
mod job;
mod matching;
mod profile;
mod taxonomy;

pub use evaluation::{Criterion, CriterionScore, Evaluation};
pub use interview::{Availability, InterviewRequest, Slot};
pub use job::{Brief, Budget, BudgetKind, JobPost};
pub use matching::{
    Candidate, ClientBrief, EvaluationInput, MatchComponents, MatchInput, MatchJob, MatchScore,
    RankInput, RankedCandidate,
};
pub use profile::Profile;
pub use taxonomy::{Occupation, Skill};
