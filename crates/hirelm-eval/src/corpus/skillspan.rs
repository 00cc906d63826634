//! SkillSpan (Zhang et al., 2022) sentences with BIO skill and knowledge tags, read by
//! `hirelm-curate`'s one reader of the files: what span F1 is scored on.

pub use hirelm_curate::skillspan::{SpanRecord, read_span_records};
