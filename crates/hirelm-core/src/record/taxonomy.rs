//! ESCO taxonomy records: skills and occupations.

use serde::{Deserialize, Serialize};

/// An ESCO skill or knowledge concept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skill {
    /// The concept URI, e.g. `http://data.europa.eu/esco/skill/0005c151-…`.
    pub esco_uri: String,
    /// The preferred English label, e.g. `manage musical staff`.
    pub label: String,
}

/// An ESCO occupation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Occupation {
    /// The concept URI, e.g. `http://data.europa.eu/esco/occupation/00030d09-…`.
    pub esco_uri: String,
    /// The preferred English label, e.g. `technical director`.
    pub label: String,
}
