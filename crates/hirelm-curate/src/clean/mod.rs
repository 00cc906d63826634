//! Cleaning steps, each reporting counts: Unicode/whitespace normalisation ([`normalise_text`]),
//! PII redaction ([`Redactor`]), exact dedup by content hash ([`exact_dedup`]) and MinHash LSH
//! near-duplicate removal ([`MinHasher`], [`near_dedup`], and [`LshIndex`] for streams).

mod dedup;
mod lsh_index;
mod minhash;
mod normalize;

pub use dedup::exact_dedup;
pub use hirelm_core::pii::{PiiCounts, Redactor};
pub use lsh_index::{LshIndex, Verdict};
pub use minhash::{MinHashConfig, MinHasher, NearDupReport, fmix32, near_dedup, sha1_hash32};
pub use normalize::normalise_text;
