//! Compact records of the matching, evaluation and drafting tasks.
//!
//! These carry ESCO *labels* only (no URIs): a 36-character ESCO UUID costs about 30 tokens, and
//! a job with two or three profiles must fit a 384-token training sequence with the instruction.
//! The URIs stay recoverable from the labels through the ESCO taxonomy.

use serde::{Deserialize, Serialize};

use super::Budget;

/// A job as the matching and evaluation tasks see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchJob {
    /// The job title (usually the ESCO occupation label).
    pub title: String,
    /// Required skills (ESCO skill labels).
    pub required_skills: Vec<String>,
    /// The hourly budget (kind `hourly`).
    pub budget: Budget,
    /// The client's IANA time zone; the client works 09:00-17:00 there.
    pub time_zone: String,
    /// Hours per week the job needs.
    pub hours_per_week: u32,
}

/// A freelancer as the matching and evaluation tasks see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// An identifier, unique within an example.
    pub id: String,
    /// First name (from the US Social Security first-name data).
    pub name: String,
    /// The profile's headline (an ESCO occupation label).
    pub headline: String,
    /// Skills the freelancer lists (ESCO skill labels).
    pub skills: Vec<String>,
    /// Hourly rate in US dollars.
    pub hourly_rate_usd: f64,
    /// IANA time zone; the freelancer works 09:00-17:00 there.
    pub time_zone: String,
    /// Hours per week the freelancer can work.
    pub hours_per_week: u32,
}

/// The input of `score_match`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchInput {
    /// The job.
    pub job: MatchJob,
    /// The freelancer.
    pub candidate: Candidate,
}

/// The input of `rank_candidates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankInput {
    /// The job.
    pub job: MatchJob,
    /// The freelancers to rank.
    pub candidates: Vec<Candidate>,
}

/// The input of `evaluate_candidate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationInput {
    /// The job.
    pub job: MatchJob,
    /// The freelancer.
    pub candidate: Candidate,
    /// The interviewer's notes, a few sentences.
    pub interview_notes: String,
}

/// A client's brief with ESCO labels only: the input of `draft_job_post` as curated (the
/// compact form of [`super::Brief`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientBrief {
    /// The ESCO occupation label the client hires for.
    pub occupation: String,
    /// Skills the freelancer must have (ESCO labels of the occupation's skill set).
    pub must_have: Vec<String>,
    /// Skills that help but are not required.
    pub nice_to_have: Vec<String>,
    /// The budget, consistent with the BLS wages of the matching SOC occupation.
    pub budget: Budget,
    /// Expected duration in weeks.
    pub duration_weeks: u32,
    /// Whether the work is remote.
    pub remote: bool,
    /// The client's IANA time zone.
    pub time_zone: String,
}

/// The four parts of a match score, each in [0, 1] (see `hirelm-curate`'s match rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchComponents {
    /// Share of the job's required skills the candidate lists.
    pub skill_coverage: f64,
    /// The candidate's rate against the budget.
    pub rate_fit: f64,
    /// Shared working hours.
    pub time_zone_overlap: f64,
    /// Hours offered against hours needed.
    pub availability: f64,
}

/// The answer of `score_match`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchScore {
    /// One of `strong`, `good`, `partial`, `poor` ([`crate::MATCH_LABELS`]).
    pub label: String,
    /// Overall score in [0, 1].
    pub score: f64,
    /// The parts the score is made of.
    pub components: MatchComponents,
}

/// One entry of a `rank_candidates` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedCandidate {
    /// The candidate's id from the input.
    pub profile_id: String,
    /// Match score in [0, 1].
    pub score: f64,
}
