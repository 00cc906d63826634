//! The ESCO skill label list of the skill-extraction benchmark (`skills_en_label.txt`) and the
//! label normalisation its PROVENANCE note prescribes.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::error::{CurateError, SHARED_HINT, open_source};

/// The normalisation labels are matched under, defined once in `hirelm-core`: commas and
/// no-break spaces become spaces, whitespace is collapsed and trimmed.
pub use hirelm_core::normalise_label;

/// The benchmark's label list: normalised label → the label as written in the file.
#[derive(Debug, Clone, Default)]
pub struct LabelSet {
    by_norm: HashMap<String, String>,
}

impl LabelSet {
    /// Reads `skills_en_label.txt` (one label a line; the last line has no newline).
    pub fn read(path: &Path) -> Result<Self, CurateError> {
        let mut text = String::new();
        open_source(path, SHARED_HINT)?
            .read_to_string(&mut text)
            .map_err(|e| CurateError::io(path, e))?;
        Ok(Self::from_lines(text.lines()))
    }

    /// Builds the set from label lines; blank lines are skipped.
    pub fn from_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Self {
        let by_norm = lines
            .into_iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                (
                    normalise_label(l),
                    l.trim_end_matches(['\r', '\n']).to_string(),
                )
            })
            .collect();
        LabelSet { by_norm }
    }

    /// The number of distinct labels.
    pub fn len(&self) -> usize {
        self.by_norm.len()
    }

    /// True when there is no label.
    pub fn is_empty(&self) -> bool {
        self.by_norm.is_empty()
    }

    /// The canonical (normalised) label matching `label`, if any.
    pub fn find(&self, label: &str) -> Option<&str> {
        let norm = normalise_label(label);
        self.by_norm.get_key_value(&norm).map(|(k, _)| k.as_str())
    }

    /// True when the normalised `label` is in the set.
    pub fn contains_norm(&self, norm: &str) -> bool {
        self.by_norm.contains_key(norm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gold_labels_with_commas_and_nbsp_find_their_entry() {
        let set = LabelSet::from_lines([
            "data extraction transformation and loading tools",
            "plan",
            "use\u{a0}Java",
        ]);
        assert_eq!(
            set.find("data extraction, transformation and loading tools"),
            Some("data extraction transformation and loading tools")
        );
        assert_eq!(set.find("plan "), Some("plan"));
        assert_eq!(set.find("use Java"), Some("use Java"));
        assert_eq!(set.find("unknown"), None);
    }
}
