//! One training pair of the sentence encoder: an anchor text and a positive text that should
//! embed close to it (a job-ad sentence and one of its ESCO skills, an alternative label and its
//! preferred label, two titles of one occupation), written as JSON lines by curation and read by
//! contrastive training.

use std::io::BufRead;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Where a pair came from; the dataset card counts pairs per source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairSource {
    /// ESCO alternative label → preferred label.
    EscoAlternative,
    /// ESCO skill definition → preferred label.
    EscoDefinition,
    /// SkillSkape synthetic job-ad sentence → one of its ESCO skills.
    SkillSkape,
    /// Two SkillSkape sentences joined → one of the skills of either.
    Concatenated,
    /// Vacancy title → another title of the same ESCO occupation.
    Title,
}

impl PairSource {
    /// Every source, in card order.
    pub const ALL: [PairSource; 5] = [
        Self::EscoAlternative,
        Self::EscoDefinition,
        Self::SkillSkape,
        Self::Concatenated,
        Self::Title,
    ];

    /// The snake_case name used in files and configs.
    pub fn name(self) -> &'static str {
        match self {
            Self::EscoAlternative => "esco_alternative",
            Self::EscoDefinition => "esco_definition",
            Self::SkillSkape => "skillskape",
            Self::Concatenated => "concatenated",
            Self::Title => "title",
        }
    }
}

impl std::fmt::Display for PairSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An (anchor, positive) pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncoderPair {
    /// The query-side text.
    pub anchor: String,
    /// The text the anchor should be closest to among the batch's positives.
    pub positive: String,
    /// Identity of the positive's concept (the normalised skill label, or the occupation URI):
    /// two pairs with one key are never in one batch, where each would be the other's false
    /// negative.
    pub key: String,
    /// Where the pair came from.
    pub source: PairSource,
}

/// Reads a JSON-lines file of [`EncoderPair`]s; a bad line is an error naming its number.
pub fn read_encoder_pairs(path: &Path) -> Result<Vec<EncoderPair>, crate::CoreError> {
    let io = |e: std::io::Error| crate::CoreError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut pairs = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        let pair: EncoderPair = serde_json::from_str(&line).map_err(|e| crate::CoreError::Io {
            path: path.to_path_buf(),
            reason: format!("line {}: not an encoder pair: {e}", i + 1),
        })?;
        if pair.anchor.trim().is_empty() || pair.positive.trim().is_empty() {
            return Err(crate::CoreError::Io {
                path: path.to_path_buf(),
                reason: format!("line {}: empty anchor or positive", i + 1),
            });
        }
        pairs.push(pair);
    }
    Ok(pairs)
}

/// An ESCO label as the benchmarks compare it: commas and no-break spaces become spaces and
/// runs of whitespace collapse (the benchmark's label list and annotations differ in exactly
/// these ways).
pub fn normalise_label(label: &str) -> String {
    let replaced: String = label
        .chars()
        .map(|c| if c == ',' || c == '\u{a0}' { ' ' } else { c })
        .collect();
    replaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_round_trip_and_a_bad_line_is_named() {
        let dir = std::env::temp_dir().join(format!("hirelm-pairs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("pairs.jsonl");
        let pair = EncoderPair {
            anchor: "Rust dev".into(),
            positive: "Rust".into(),
            key: "rust".into(),
            source: PairSource::Title,
        };
        let line = serde_json::to_string(&pair).expect("json");
        assert!(line.contains("\"source\":\"title\""), "{line}");
        std::fs::write(&path, format!("{line}\n\n{line}\n")).expect("write");
        assert_eq!(
            read_encoder_pairs(&path).expect("read"),
            vec![pair.clone(), pair]
        );
        std::fs::write(&path, format!("{line}\n{{\"anchor\": 1}}\n")).expect("write");
        let err = read_encoder_pairs(&path).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn labels_normalise_like_the_benchmark() {
        assert_eq!(
            normalise_label("data extraction, transformation and loading tools"),
            "data extraction transformation and loading tools"
        );
        assert_eq!(normalise_label("\u{a0}x\u{a0}\u{a0}y "), "x y");
    }
}
