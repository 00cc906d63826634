//! ESCO skill aliases for the `skill_alias` pack: every skill concept with its preferred label
//! and alternative labels, from `data/esco/skills.csv` (fetched by `scripts/fetch-data.sh`), and
//! a matcher that finds the longest label mentioned in a text.
//!
//! Each CSV row is `id,description`, where `description` joins the preferred label, the
//! alternative labels and the definition with single spaces and nothing marks the boundaries.
//! The split follows `hirelm-curate`'s `esco.rs` (copied, not depended on, so evaluation never
//! pulls in the curation crate):
//!
//! 1. the preferred label is the longest token prefix (up to 24 tokens) found in the benchmark's
//!    label list `skills_en_label.txt`, after the label normalisation (commas and non-breaking
//!    spaces to spaces); a row whose prefix is in no list is skipped and counted;
//! 2. the definition starts at the first capitalised word followed by a lowercase word after
//!    which no other such word occurs before the first full stop, else at the first such word.
//!
//! `esco.rs` keeps the alternative labels as one text, since their boundaries are not
//! recoverable. This pack needs them one by one, so [`segment_alternatives`] splits that text
//! heuristically: a label starts at the preferred label's first word or at a *starter word* (the
//! first word of at least 3 multi-word ESCO labels and more than twice as often first as later:
//! mostly verbs such as `manage`, `coordinate`, `direct`), unless the previous word is a
//! function word (`of`, `and`, …). Segments of more than [`MAX_ALIAS_TOKENS`] tokens, or that
//! start or end on a function word, are dropped as unreliable (`Client-side JavaScript Mocha
//! Escript CSJS …` stays unsplit and yields no alias). So the aliases are real ESCO labels of the
//! concept in the common verb-phrase case, and a concept whose alternatives cannot be split is
//! left with its preferred label only (still an alias target of its other labels). On the
//! fetched file (13,939 rows) 13,615 concepts load, 10,980 with at least one alias, in about
//! 0.35 s; the split is not perfect (`rigging wires terminology for rigging` glues two labels),
//! which this pack accepts: a glued alias still names the same concept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::corpus::benchmark::LabelSet;
use crate::metrics::stats::SplitMix64;
use crate::{EvalError, Result};

/// Longest alternative label (in tokens) the segmentation keeps.
pub const MAX_ALIAS_TOKENS: usize = 6;
/// Longest label (in tokens) looked for in a text.
const MAX_MATCH_TOKENS: usize = 10;
const FUNCTION_WORDS: [&str; 18] = [
    "of", "and", "the", "to", "for", "in", "with", "a", "an", "on", "or", "from", "by", "at", "as",
    "into", "&", "their",
];

/// The ESCO skills file under the fetched-data directory.
pub fn skills_path(data: &Path) -> PathBuf {
    data.join("esco/skills.csv")
}

/// The benchmark label list that identifies preferred labels.
pub fn label_list_path() -> PathBuf {
    crate::corpus::shared_data_dir().join("skill-extraction-benchmark/skills_en_label.txt")
}

/// Skill concepts with their labels, and an index from a normalised label to its concept.
#[derive(Debug, Clone, Default)]
pub struct SkillAliases {
    /// Per concept: the preferred label first, then the alternative labels.
    concepts: Vec<Vec<String>>,
    /// Normalised (lower-case, single-spaced, no commas) label → concept.
    index: HashMap<String, usize>,
    /// Rows skipped because no preferred label was found.
    pub skipped_rows: usize,
}

/// The lookup form of a label or mention: lower case, commas, parentheses and non-breaking
/// spaces as spaces, whitespace collapsed.
fn key(text: &str) -> String {
    text.replace([',', '\u{a0}', '(', ')'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn is_sentence_start(tokens: &[&str], i: usize) -> bool {
    let first = tokens[i].chars().next();
    (first.is_some_and(char::is_uppercase) || first.is_some_and(|c| c.is_ascii_digit()))
        && tokens
            .get(i + 1)
            .is_some_and(|n| n.chars().next().is_some_and(char::is_lowercase))
}

/// Where the definition starts (see the module doc), searching from token `from`.
fn definition_start(tokens: &[&str], from: usize) -> Option<usize> {
    let candidates: Vec<usize> = (from.max(1)..tokens.len())
        .filter(|&i| is_sentence_start(tokens, i))
        .collect();
    let clean = candidates.iter().copied().find(|&d| {
        let stop = (d..tokens.len())
            .find(|&j| tokens[j].ends_with('.'))
            .unwrap_or(tokens.len());
        !candidates.iter().any(|&c| c > d && c <= stop)
    });
    clean.or(candidates.first().copied())
}

/// First words of multi-word labels that start labels far more often than they continue them.
pub fn starter_words(labels: &LabelSet) -> std::collections::HashSet<String> {
    let (mut first, mut later): (HashMap<String, usize>, HashMap<String, usize>) =
        Default::default();
    for label in labels.labels() {
        let words: Vec<String> = label.split_whitespace().map(str::to_lowercase).collect();
        if words.len() < 2 {
            continue;
        }
        *first.entry(words[0].clone()).or_default() += 1;
        for w in &words[1..] {
            *later.entry(w.clone()).or_default() += 1;
        }
    }
    first
        .into_iter()
        .filter(|(w, n)| *n >= 3 && *n > 2 * later.get(w).copied().unwrap_or(0))
        .map(|(w, _)| w)
        .collect()
}

/// Splits the joined alternative labels of a concept (see the module doc).
pub fn segment_alternatives(
    alt: &[&str],
    preferred: &str,
    starters: &std::collections::HashSet<String>,
) -> Vec<String> {
    // The preferred label's first word marks a new label only when it is lower case (a verb
    // phrase: `manage musical staff … manage music staff`); a name such as `JavaScript` recurs
    // inside its alternatives (`Client-side JavaScript`).
    let lead = preferred
        .split_whitespace()
        .next()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .unwrap_or("")
        .to_lowercase();
    let function = |w: &str| FUNCTION_WORDS.contains(&w.to_lowercase().as_str());
    let mut cuts = vec![0];
    for i in 1..alt.len() {
        let w = alt[i].to_lowercase();
        if ((!lead.is_empty() && w == lead) || starters.contains(&w)) && !function(alt[i - 1]) {
            cuts.push(i);
        }
    }
    cuts.push(alt.len());
    let mut out: Vec<String> = Vec::new();
    for pair in cuts.windows(2) {
        let seg = &alt[pair[0]..pair[1]];
        // A lone verb (`define`) is a cut that went wrong, not a label.
        let lone_verb = seg.len() == 1
            && (starters.contains(&seg[0].to_lowercase()) || seg[0].to_lowercase() == lead);
        let ok = !seg.is_empty()
            && !lone_verb
            && seg.len() <= MAX_ALIAS_TOKENS
            && !function(seg[0])
            && !function(seg[seg.len() - 1]);
        let label = seg.join(" ");
        if ok && key(&label) != key(preferred) && !out.iter().any(|o| key(o) == key(&label)) {
            out.push(label);
        }
    }
    out
}

impl SkillAliases {
    /// Reads `<data>/esco/skills.csv` with the benchmark label list; a missing file is an error
    /// naming it (and the fetch script, or the shared-data location).
    pub fn load(data: &Path) -> Result<Self> {
        let path = skills_path(data);
        if !path.is_file() {
            return Err(EvalError::config(
                &path,
                "ESCO skills for the skill_alias pack are missing (run scripts/fetch-data.sh)",
            ));
        }
        let labels_path = label_list_path();
        if !labels_path.is_file() {
            return Err(EvalError::config(
                &labels_path,
                "the skill_alias pack needs the benchmark label list (../shared/data or $HIRELM_SHARED_DATA)",
            ));
        }
        let labels = LabelSet::load(&labels_path)?;
        let text = std::fs::read_to_string(&path).map_err(|e| EvalError::io(&path, e))?;
        Self::parse(&text, &labels, &path)
    }

    /// Parses the CSV text; `path` is for messages. A header other than `id,description` or a
    /// malformed row is an error naming the line.
    pub fn parse(text: &str, labels: &LabelSet, path: &Path) -> Result<Self> {
        let starters = starter_words(labels);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| EvalError::parse(path, 1, "header", e.to_string()))?
            .clone();
        if headers.iter().collect::<Vec<_>>() != ["id", "description"] {
            return Err(EvalError::parse(
                path,
                1,
                "header",
                format!(
                    "expected `id,description`, found `{}`",
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
            ));
        }
        let mut out = Self::default();
        for row in reader.records() {
            let row = row.map_err(|e| {
                EvalError::parse(
                    path,
                    e.position().map_or(0, |p| p.line() as usize),
                    "row",
                    e.to_string(),
                )
            })?;
            let line = row.position().map_or(0, |p| p.line() as usize);
            let description = row
                .get(1)
                .ok_or_else(|| EvalError::parse(path, line, "description", "missing column"))?;
            let tokens: Vec<&str> = description.split_whitespace().collect();
            let Some(end) = (1..=tokens.len().min(24))
                .rev()
                .find(|&k| labels.lookup(&tokens[..k].join(" ")).is_some())
            else {
                out.skipped_rows += 1;
                continue;
            };
            let preferred = tokens[..end].join(" ");
            let alt_end = definition_start(&tokens, end).unwrap_or(tokens.len());
            let mut all = vec![preferred.clone()];
            all.extend(segment_alternatives(
                &tokens[end..alt_end],
                &preferred,
                &starters,
            ));
            out.push(all);
        }
        Ok(out)
    }

    /// Adds a concept (preferred label first). A label already indexed keeps its first concept,
    /// and preferred labels win over alternative ones.
    pub fn push(&mut self, labels: Vec<String>) {
        let id = self.concepts.len();
        for (i, l) in labels.iter().enumerate() {
            let k = key(l);
            match self.index.get(&k) {
                Some(&other) if i > 0 || key(&self.concepts[other][0]) == k => {}
                _ => {
                    self.index.insert(k, id);
                }
            }
        }
        self.concepts.push(labels);
    }

    /// Number of concepts.
    pub fn len(&self) -> usize {
        self.concepts.len()
    }

    /// Whether there are no concepts.
    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }

    /// The labels of the concept `label` belongs to (preferred first).
    pub fn labels_of(&self, label: &str) -> Option<&[String]> {
        self.index
            .get(&key(label))
            .map(|&c| self.concepts[c].as_slice())
    }

    /// The longest label mentioned in `text` (case-insensitive, on word boundaries) as its
    /// byte range and concept; the earliest of equally long ones. Labels under 3 characters
    /// (`R`, `Go`) match only in their own case, since in lower case they are common words.
    fn longest_mention(&self, text: &str) -> Option<(usize, usize, usize)> {
        let words: Vec<(usize, usize)> = word_spans(text);
        // Each word's key once; a span's key is its words' keys joined by spaces (the same as
        // `key` of the span's text, since `key` drops the punctuation `word_spans` trims).
        let keys: Vec<String> = words.iter().map(|&(s, e)| key(&text[s..e])).collect();
        let mut best: Option<(usize, usize, usize)> = None;
        for i in 0..words.len() {
            let mut span_key = String::new();
            for j in i..words.len().min(i + MAX_MATCH_TOKENS) {
                if j > i {
                    span_key.push(' ');
                }
                span_key.push_str(&keys[j]);
                let (start, end) = (words[i].0, words[j].1);
                let span = &text[start..end];
                let Some(&concept) = self.index.get(&span_key) else {
                    continue;
                };
                if span.len() < 3 && !self.concepts[concept].iter().any(|l| l == span) {
                    continue;
                }
                if best.is_none_or(|(s, e, _)| end - start > e - s) {
                    best = Some((start, end, concept));
                }
            }
        }
        best
    }

    /// `text` with its longest skill mention replaced by another label of the same concept
    /// (seeded; labels with a parenthesised qualifier such as `Python (computer programming)`
    /// are not used as replacements), capitalised when the mention was; `None` when no label is
    /// mentioned or the concept has no other label.
    pub fn apply(&self, text: &str, seed: u64) -> Option<String> {
        let (start, end, concept) = self.longest_mention(text)?;
        let mention = &text[start..end];
        let others: Vec<&String> = self.concepts[concept]
            .iter()
            .filter(|l| key(l) != key(mention) && !l.contains('('))
            .collect();
        if others.is_empty() {
            return None;
        }
        let pick = others[SplitMix64::new(seed).below(others.len())];
        let replacement = if mention.chars().next().is_some_and(char::is_uppercase) {
            super::synonyms::match_case(
                &mention[..mention.chars().next().map_or(0, char::len_utf8)],
                pick,
            )
        } else {
            pick.clone()
        };
        Some(format!("{}{replacement}{}", &text[..start], &text[end..]))
    }
}

/// Byte spans of the words of `text`: whitespace-separated, with surrounding punctuation other
/// than `+` and `#` removed (`C++`, `C#`). Parentheses go too; [`key`] ignores them, so
/// `Python (computer programming)` still matches its label.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let trim = |c: char| !(c.is_alphanumeric() || matches!(c, '+' | '#'));
    let mut out = Vec::new();
    let mut pos = 0;
    for raw in text.split_inclusive(char::is_whitespace) {
        let lead = raw.len() - raw.trim_start_matches(trim).len();
        let core = raw.trim_start_matches(trim).trim_end_matches(trim);
        if !core.is_empty() {
            out.push((pos + lead, pos + lead + core.len()));
        }
        pos += raw.len();
    }
    out
}

#[cfg(test)]
mod tests;
