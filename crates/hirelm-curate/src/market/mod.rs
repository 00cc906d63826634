//! The simulated freelance market behind score_match, rank_candidates, evaluate_candidate and
//! draft_job_post: ESCO occupations with a lexically recovered skill set ([`skill_sets`]) and a
//! BLS OEWS wage row ([`soc_map`]), first names by sex and birth year, and time zones.

pub mod skill_sets;
pub mod soc_map;
pub(crate) mod sources;
pub mod tokens;
mod world;

pub use world::{Market, MarketOccupation, MarketStats, NamePool, ZONES};
