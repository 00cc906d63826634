//! Interview scheduling across time zones.

use serde::{Deserialize, Serialize};

/// A time interval; instants are RFC 3339 strings in UTC (`2025-03-09T14:00:00Z`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Slot {
    /// Start instant, inclusive.
    pub start: String,
    /// End instant, exclusive.
    pub end: String,
}

/// One side's availability: local wall-clock windows on given dates in a time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// IANA time zone the windows are expressed in.
    pub time_zone: String,
    /// Local windows as `YYYY-MM-DD HH:MM-HH:MM`.
    pub windows: Vec<String>,
}

/// The input of `schedule_interview`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewRequest {
    /// The client's availability.
    pub client: Availability,
    /// The candidate's availability.
    pub candidate: Availability,
    /// Interview length in minutes.
    pub duration_minutes: u32,
    /// Slots start on multiples of this many minutes past the hour (UTC).
    pub step_minutes: u32,
}
