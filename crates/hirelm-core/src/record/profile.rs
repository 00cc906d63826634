//! A freelancer's profile.

use serde::{Deserialize, Serialize};

use super::Skill;

/// A freelancer as a client sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// A stable identifier, unique within a dataset.
    pub id: String,
    /// First name (from the US Social Security first-name data).
    pub name: String,
    /// The profile's headline, e.g. an occupation label.
    pub headline: String,
    /// Skills the freelancer lists.
    pub skills: Vec<Skill>,
    /// Hourly rate in US dollars.
    pub hourly_rate_usd: f64,
    /// IANA time zone, e.g. `America/Chicago`.
    pub time_zone: String,
    /// Hours per week the freelancer can work.
    pub hours_per_week: u32,
}
