//! Thesaurus synonyms for the `synonym` pack, from MyThes (`data/mythes/th_en_US_v2.dat`,
//! fetched by `scripts/fetch-data.sh`).
//!
//! The `.dat` file is line 1 the encoding, then for every headword a line `word|n` followed by
//! `n` sense lines `(pos)|syn1|syn2|…`. Senses are in WordNet order, most common first, and a
//! synonym may carry an annotation (`quick (similar term)`, `city (generic term)`, `slow
//! (antonym)`). To keep the meaning of a rewritten sentence, only the **first sense** is read and
//! only its **plain** members (no annotation: antonyms, hypernyms and "similar terms" change what
//! is said), only headwords whose senses all have **one part of speech** (the pack does not
//! tag the sentence, so `build` — noun sense 1 `physique, habitus`, verb later — is left alone),
//! and only **single words** on both sides: a multi-word synonym would change the
//! token count a skill matcher sees for reasons unrelated to the skill. The file is read
//! sequentially, so the `.idx` random-access index is not needed.
//!
//! [`Thesaurus::apply`] never touches stop words, words inside a hyphenated or apostrophe
//! compound (`client-side`), words with digits, or words of the case's gold ESCO labels: the
//! pack rewords the sentence around the skill, never the skill itself.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::metrics::stats::SplitMix64;
use crate::{EvalError, Result};

/// English function words the pack never replaces: swapping them is not rewording, and MyThes
/// lists odd senses for several (`can` → `tin`, `will` → `testament`).
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his",
    "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "more", "most", "must", "my",
    "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
    "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "may", "might",
    "shall",
];

/// The thesaurus file under the fetched-data directory.
pub fn thesaurus_path(data: &Path) -> PathBuf {
    data.join("mythes/th_en_US_v2.dat")
}

/// Lower-cased headword → plain single-word synonyms of its first sense.
#[derive(Debug, Clone, Default)]
pub struct Thesaurus {
    by_word: HashMap<String, Vec<String>>,
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic())
}

impl Thesaurus {
    /// Reads `<data>/mythes/th_en_US_v2.dat`; a missing file is an error naming it and the
    /// fetch script.
    pub fn load(data: &Path) -> Result<Self> {
        let path = thesaurus_path(data);
        if !path.is_file() {
            return Err(EvalError::config(
                &path,
                "MyThes thesaurus for the synonym pack is missing (run scripts/fetch-data.sh)",
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| EvalError::io(&path, e))?;
        // The file declares its encoding on line 1; en_US v2 is UTF-8 (ASCII in practice). Lossy
        // decoding keeps a stray byte from failing the run: it only spoils that one entry.
        Self::parse(&String::from_utf8_lossy(&bytes), &path)
    }

    /// Parses `.dat` text; `path` is for messages. A header whose sense count is not a number,
    /// or a file that ends inside an entry, is an error naming the line.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let mut by_word = HashMap::new();
        let mut lines = text.lines().enumerate().skip(1);
        while let Some((i, line)) = lines.next() {
            if line.trim().is_empty() {
                continue;
            }
            let (word, count) = line.rsplit_once('|').ok_or_else(|| {
                EvalError::parse(
                    path,
                    i + 1,
                    "entry",
                    format!("expected `word|n`, found `{line}`"),
                )
            })?;
            let n: usize = count.trim().parse().map_err(|_| {
                EvalError::parse(
                    path,
                    i + 1,
                    "entry",
                    format!("sense count `{count}` is not a number"),
                )
            })?;
            let mut senses = Vec::with_capacity(n);
            for _ in 0..n {
                let (_, sense) = lines.next().ok_or_else(|| {
                    EvalError::parse(
                        path,
                        i + 1,
                        "entry",
                        format!("`{word}` ends before its {n} senses"),
                    )
                })?;
                senses.push(sense);
            }
            let word = word.trim().to_lowercase();
            let Some(first) = senses.first() else {
                continue;
            };
            let pos = |sense: &str| sense.split('|').next().unwrap_or("").trim().to_string();
            if !is_word(&word) || senses.iter().any(|s| pos(s) != pos(first)) {
                continue;
            }
            let mut synonyms: Vec<String> = Vec::new();
            for syn in first.split('|').skip(1).map(str::trim) {
                let lower = syn.to_lowercase();
                if is_word(syn) && lower != word && !synonyms.contains(&lower) {
                    synonyms.push(lower);
                }
            }
            if !synonyms.is_empty() {
                by_word.insert(word, synonyms);
            }
        }
        Ok(Self { by_word })
    }

    /// Headwords with at least one usable synonym.
    pub fn len(&self) -> usize {
        self.by_word.len()
    }

    /// Whether no headword has a usable synonym.
    pub fn is_empty(&self) -> bool {
        self.by_word.is_empty()
    }

    /// The synonyms of `word` (any case).
    pub fn synonyms(&self, word: &str) -> Option<&[String]> {
        self.by_word.get(&word.to_lowercase()).map(Vec::as_slice)
    }

    /// `text` with each replaceable word swapped, with probability `rate`, for a seeded synonym
    /// in the word's case (`Manage` → `Oversee`, `SQL`-style upper case stays upper case).
    /// Words of `gold` labels (lower-cased tokens) are kept.
    pub fn apply(&self, text: &str, gold: &[String], rate: f64, seed: u64) -> String {
        let protected: HashSet<String> = gold
            .iter()
            .flat_map(|g| {
                g.split(|c: char| !c.is_alphanumeric())
                    .map(str::to_lowercase)
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut rng = SplitMix64::new(seed);
        let mut out = String::with_capacity(text.len() + 16);
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let glue = |c: Option<&(usize, char)>| {
            c.is_some_and(|&(_, c)| {
                c.is_alphanumeric() || matches!(c, '-' | '\'' | '_' | '/' | '’')
            })
        };
        let mut i = 0;
        while i < chars.len() {
            if !chars[i].1.is_ascii_alphabetic() {
                out.push(chars[i].1);
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && chars[i].1.is_ascii_alphabetic() {
                i += 1;
            }
            let word = &text[chars[start].0..chars.get(i).map_or(text.len(), |c| c.0)];
            let lower = word.to_lowercase();
            let before = start.checked_sub(1).and_then(|j| chars.get(j));
            let eligible = word.len() >= 3
                && !glue(before)
                && !glue(chars.get(i))
                && !STOP_WORDS.contains(&lower.as_str())
                && !protected.contains(&lower);
            let pick = match self.by_word.get(&lower) {
                Some(syns) if eligible && rng.unit() < rate => Some(&syns[rng.below(syns.len())]),
                _ => None,
            };
            match pick {
                Some(syn) => out.push_str(&match_case(word, syn)),
                None => out.push_str(word),
            }
        }
        out
    }
}

/// `replacement` in the case pattern of `original`: all upper (two letters or more), capitalised,
/// or as written.
pub(crate) fn match_case(original: &str, replacement: &str) -> String {
    let upper = original.chars().filter(|c| c.is_alphabetic()).count() > 1
        && original.chars().all(|c| !c.is_lowercase());
    if upper {
        return replacement.to_uppercase();
    }
    match (original.chars().next(), replacement.chars().next()) {
        (Some(o), Some(r)) if o.is_uppercase() && r.is_lowercase() => {
            hirelm_core::text::capitalise_first(replacement)
        }
        _ => replacement.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAT: &str = "UTF-8\n\
        fast|2\n\
        (adj)|quick (similar term)|slow (antonym)\n\
        (adj)|barred|locked\n\
        build|2\n\
        (verb)|construct|make|build up\n\
        (verb)|progress\n\
        work|2\n\
        (noun)|labour\n\
        (verb)|toil\n\
        team|1\n\
        (noun)|squad|team|unit (generic term)\n\
        can|1\n\
        (verb)|tin|put up\n\
        data processing|1\n\
        (noun)|processing\n";

    fn thesaurus() -> Thesaurus {
        Thesaurus::parse(DAT, Path::new("t.dat")).expect("parses")
    }

    #[test]
    fn reads_plain_single_word_synonyms_of_the_first_sense() {
        let t = thesaurus();
        // fast: the first sense has only annotated terms; `barred` is another sense.
        assert_eq!(t.synonyms("fast"), None);
        assert_eq!(
            t.synonyms("Build"),
            Some(["construct".to_string(), "make".to_string()].as_slice())
        );
        assert_eq!(
            t.synonyms("team"),
            Some(["squad".to_string()].as_slice()),
            "itself and generic terms dropped"
        );
        assert_eq!(t.synonyms("data processing"), None, "multi-word headword");
        assert_eq!(
            t.synonyms("work"),
            None,
            "noun and verb senses: ambiguous without a tagger"
        );
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn malformed_files_name_the_line_and_a_missing_file_the_script() {
        let err = Thesaurus::parse("UTF-8\nfast|two\n", Path::new("t.dat"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.dat:2") && err.contains("`two`"), "{err}");
        let err = Thesaurus::parse("UTF-8\nfast|3\n(adj)|quick\n", Path::new("t.dat"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("before its 3 senses"), "{err}");
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Thesaurus::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("th_en_US_v2.dat") && err.contains("fetch-data.sh"),
            "{err}"
        );
    }

    #[test]
    fn replaces_eligible_words_keeping_case_stop_words_compounds_and_gold() {
        let t = thesaurus();
        // Rate 1: every eligible word is replaced; `Build` has two synonyms, `team` one.
        let out = t.apply("Build the TEAM, can build team-work.", &[], 1.0, 3);
        let first = out.split(' ').next().expect("word");
        assert!(first == "Construct" || first == "Make", "{out}");
        assert!(
            out.contains(" the SQUAD, can "),
            "stop words stay, case kept: {out}"
        );
        assert!(out.ends_with(" team-work."), "a compound stays: {out}");
        // A word of a gold label is the skill: kept.
        let gold = ["build team".to_string()];
        assert_eq!(t.apply("Build the team.", &gold, 1.0, 3), "Build the team.");
        // Rate 0 changes nothing; the same seed gives the same text.
        assert_eq!(t.apply("Build the team.", &[], 0.0, 3), "Build the team.");
        assert_eq!(
            t.apply("build build build team", &[], 0.5, 9),
            t.apply("build build build team", &[], 0.5, 9)
        );
    }

    #[test]
    fn case_follows_the_original() {
        assert_eq!(match_case("Team", "squad"), "Squad");
        assert_eq!(match_case("TEAM", "squad"), "SQUAD");
        assert_eq!(match_case("team", "Squad"), "Squad");
        assert_eq!(match_case("A", "one"), "One");
    }
}
