//! Cleaning steps, each reporting counts: Unicode/whitespace normalisation ([`normalise_text`]),
//! PII redaction ([`Redactor`]), exact dedup by content hash ([`exact_dedup`]) and MinHash LSH
//! near-duplicate removal ([`MinHasher`], [`near_dedup`]).

mod dedup;
mod minhash;
mod normalize;
mod pii;

pub use dedup::exact_dedup;
pub use minhash::{MinHashConfig, MinHasher, NearDupReport, near_dedup};
pub use normalize::normalise_text;
pub use pii::{PiiCounts, Redactor};
