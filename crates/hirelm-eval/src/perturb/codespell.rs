//! Real misspellings from codespell's dictionary (`wrong->right[, right2]`), inverted to
//! `right → [wrong, ...]` so a correct word can be replaced by a misspelling people really make.
//! Only lines with a single correction are used (an unambiguous pair).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::metrics::stats::SplitMix64;
use crate::{EvalError, Result};

/// The fetched-data directory: `$HIRELM_DATA_DIR`, else `data/` (as `scripts/fetch-data.sh` lays it out).
pub fn data_dir() -> PathBuf {
    std::env::var_os("HIRELM_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("data"))
}

/// Correct word (lower case) → its real misspellings.
#[derive(Debug, Clone, Default)]
pub struct Misspellings {
    by_right: HashMap<String, Vec<String>>,
}

impl Misspellings {
    /// Reads `<data>/codespell/dictionary.txt`; a missing file names the fetch script.
    pub fn load(data: &Path) -> Result<Self> {
        let path = data.join("codespell/dictionary.txt");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            EvalError::io(
                &path,
                std::io::Error::new(e.kind(), format!("{e} (run scripts/fetch-data.sh)")),
            )
        })?;
        Ok(Self::parse(&text))
    }

    /// Parses dictionary text; malformed lines are skipped.
    pub fn parse(text: &str) -> Self {
        let mut by_right: HashMap<String, Vec<String>> = HashMap::new();
        for line in text.lines() {
            let Some((wrong, right)) = line.split_once("->") else {
                continue;
            };
            let (wrong, right) = (wrong.trim(), right.trim());
            if right.contains(',')
                || wrong.is_empty()
                || !right.chars().all(char::is_alphabetic)
                || !wrong.chars().all(char::is_alphabetic)
            {
                continue;
            }
            by_right
                .entry(right.to_lowercase())
                .or_default()
                .push(wrong.to_lowercase());
        }
        for v in by_right.values_mut() {
            v.sort();
            v.dedup();
        }
        Self { by_right }
    }

    /// Correct words covered.
    pub fn len(&self) -> usize {
        self.by_right.len()
    }

    /// Whether no word is covered.
    pub fn is_empty(&self) -> bool {
        self.by_right.is_empty()
    }

    /// Replaces each covered word with probability `rate` by one of its misspellings (seeded),
    /// keeping a leading capital; everything else is left as it is.
    pub fn apply(&self, text: &str, rate: f64, seed: u64) -> String {
        let mut rng = SplitMix64::new(seed);
        super::spelling::map_words(text, |word| {
            let wrongs = self.by_right.get(&word.to_lowercase())?;
            (rng.unit() < rate).then(|| wrongs[rng.below(wrongs.len())].clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DICT: &str = "managment->management\nmanagemnt->management\nexperiance->experience\nteh->the, ten\n2nd->second\n";

    #[test]
    fn inverts_single_correction_lines() {
        let m = Misspellings::parse(DICT);
        assert_eq!(
            m.len(),
            2,
            "the ambiguous and non-alphabetic lines are skipped"
        );
        assert_eq!(
            m.apply("Experience in management of the team", 1.0, 3)
                .split(' ')
                .next(),
            Some("Experiance")
        );
        let out = m.apply("management", 1.0, 3);
        assert!(out == "managment" || out == "managemnt", "{out}");
        assert_eq!(
            m.apply("Experience in management", 0.0, 3),
            "Experience in management"
        );
        assert_eq!(m.apply("the", 1.0, 3), "the");
    }
}
