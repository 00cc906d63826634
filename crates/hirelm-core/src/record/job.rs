//! A client's brief and the job post drafted from it.

use serde::{Deserialize, Serialize};

use super::{Occupation, Skill};

/// How a job is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetKind {
    /// A range of US dollars per hour.
    Hourly,
    /// A fixed price in US dollars for the whole job.
    Fixed,
}

/// A budget range in US dollars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Hourly rate or fixed price.
    pub kind: BudgetKind,
    /// Lower bound, in USD (per hour when `kind` is hourly).
    pub min_usd: f64,
    /// Upper bound, in USD; at least `min_usd`.
    pub max_usd: f64,
}

/// What a client asks for: the input of `draft_job_post`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    /// The ESCO occupation the client hires for.
    pub occupation: Occupation,
    /// Skills the freelancer must have (from the occupation's ESCO skill set).
    pub must_have: Vec<Skill>,
    /// Skills that help but are not required.
    pub nice_to_have: Vec<Skill>,
    /// The budget, consistent with the BLS wages of the matching SOC occupation.
    pub budget: Budget,
    /// Expected duration in weeks.
    pub duration_weeks: u32,
    /// Whether the work is remote.
    pub remote: bool,
    /// The client's IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
}

/// A structured job post: the output of `draft_job_post` and an input of matching tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobPost {
    /// The post's title.
    pub title: String,
    /// A short summary paragraph.
    pub summary: String,
    /// What the freelancer will do, one item per line.
    pub responsibilities: Vec<String>,
    /// Required skills (ESCO labels).
    pub required_skills: Vec<String>,
    /// Nice-to-have skills (ESCO labels).
    pub nice_to_have_skills: Vec<String>,
    /// The budget.
    pub budget: Budget,
}
