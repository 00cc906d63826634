//! The skill-extraction benchmark (Decorte et al., 2023): `sentence,span,sub_span,label` rows,
//! several per sentence, and the ESCO skill label list `skills_en_label.txt`.

use std::collections::HashMap;
use std::path::Path;

use crate::text::normalise_label;
use crate::{EvalError, Result};

/// Gold labels meaning "no ESCO label": rows carrying them are ignored.
pub const IGNORED_LABELS: [&str; 2] = ["UNDERSPECIFIED", "LABEL NOT PRESENT"];

/// One sentence with its usable gold labels.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillSentence {
    /// The job-ad sentence.
    pub sentence: String,
    /// Distinct gold labels, normalised with [`normalise_label`], in first-seen order.
    pub gold: Vec<String>,
}

/// A loaded annotation file.
#[derive(Debug, Clone, Default)]
pub struct SkillBenchmark {
    /// Sentences with at least one usable gold label, in first-seen order.
    pub sentences: Vec<SkillSentence>,
    /// Data rows read.
    pub rows: usize,
    /// Rows ignored for an `UNDERSPECIFIED` / `LABEL NOT PRESENT` label.
    pub ignored_rows: usize,
    /// Sentences skipped for having no usable gold label.
    pub skipped_sentences: usize,
}

/// Reads an annotation CSV (header `sentence,span,sub_span,label`).
pub fn load_skill_benchmark(path: &Path) -> Result<SkillBenchmark> {
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
    parse_skill_benchmark(&text, path)
}

/// Parses annotation CSV text; `path` is for error messages.
pub fn parse_skill_benchmark(text: &str, path: &Path) -> Result<SkillBenchmark> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| EvalError::parse(path, 1, "header", e.to_string()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| EvalError::parse(path, 1, name, "column missing from the header"))
    };
    let (sentence_col, label_col) = (column("sentence")?, column("label")?);
    let mut out = SkillBenchmark::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut all: Vec<SkillSentence> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| EvalError::parse(path, line, "row", e.to_string()))?;
        let field = |col: usize, name: &str| {
            record
                .get(col)
                .ok_or_else(|| EvalError::parse(path, line, name, "missing field"))
        };
        let sentence = field(sentence_col, "sentence")?.to_string();
        let label = field(label_col, "label")?;
        out.rows += 1;
        let slot = *index.entry(sentence.clone()).or_insert_with(|| {
            all.push(SkillSentence {
                sentence,
                gold: Vec::new(),
            });
            all.len() - 1
        });
        if IGNORED_LABELS.contains(&label.trim()) {
            out.ignored_rows += 1;
            continue;
        }
        let label = normalise_label(label);
        if label.is_empty() {
            return Err(EvalError::parse(path, line, "label", "empty label"));
        }
        if !all[slot].gold.contains(&label) {
            all[slot].gold.push(label);
        }
    }
    for s in all {
        if s.gold.is_empty() {
            out.skipped_sentences += 1;
        } else {
            out.sentences.push(s);
        }
    }
    Ok(out)
}

/// The ESCO skill label list, with a lookup by normalised label.
#[derive(Debug, Clone, Default)]
pub struct LabelSet {
    labels: Vec<String>,
    by_normalised: HashMap<String, usize>,
}

impl LabelSet {
    /// Reads one label per line (the last line may lack its newline; empty lines are skipped).
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
        Ok(Self::from_labels(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        ))
    }

    /// A set from labels; normalised duplicates keep their first index.
    pub fn from_labels(labels: impl IntoIterator<Item = String>) -> Self {
        let labels: Vec<String> = labels.into_iter().map(|l| normalise_label(&l)).collect();
        let mut by_normalised = HashMap::with_capacity(labels.len());
        for (i, l) in labels.iter().enumerate() {
            by_normalised.entry(l.clone()).or_insert(i);
        }
        Self {
            labels,
            by_normalised,
        }
    }

    /// The labels, normalised, in file order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Index of a label, after normalising it.
    pub fn lookup(&self, label: &str) -> Option<usize> {
        self.by_normalised.get(&normalise_label(label)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "sentence,span,sub_span,label\n\
        javascript reactjs java,javascript,,JavaScript\n\
        javascript reactjs java,reactjs,,LABEL NOT PRESENT\n\
        javascript reactjs java,java,,Java (computer programming)\n\
        javascript reactjs java,javascript,,JavaScript\n\
        be nice,nice,,UNDERSPECIFIED\n\
        \"plan, things\",plan,,\"plan \"\n";

    #[test]
    fn groups_rows_ignores_placeholder_labels_and_skips_empty_sentences() {
        let b = parse_skill_benchmark(CSV, Path::new("t.csv")).expect("parses");
        assert_eq!(b.rows, 6);
        assert_eq!(b.ignored_rows, 2);
        assert_eq!(b.skipped_sentences, 1);
        assert_eq!(b.sentences.len(), 2);
        assert_eq!(
            b.sentences[0].gold,
            ["JavaScript", "Java (computer programming)"]
        );
        assert_eq!(b.sentences[1].sentence, "plan, things");
        assert_eq!(b.sentences[1].gold, ["plan"]);
    }

    #[test]
    fn a_missing_column_names_it() {
        let err = parse_skill_benchmark("sentence,span\nx,y\n", Path::new("t.csv")).unwrap_err();
        assert!(err.to_string().contains("t.csv:1: field `label`"), "{err}");
    }

    #[test]
    fn label_set_looks_up_normalised_labels() {
        let set =
            LabelSet::from_labels(["data extraction transformation and\u{a0}loading tools".into()]);
        assert_eq!(
            set.lookup("data extraction, transformation and loading tools"),
            Some(0)
        );
        assert_eq!(set.lookup("nothing"), None);
    }
}
