//! An entry's data: its cases and the documents its retrievers index, read from the entry's
//! format (see [`crate::suite::FORMATS`]).

use crate::baselines::Document;
use crate::corpus::benchmark::{LabelSet, load_skill_benchmark};
use crate::corpus::curated::load_curated;
use crate::corpus::skillskape::load_skillskape;
use crate::corpus::titles::{read_titles, split_titles};
use crate::io::parse_match;
use crate::suite::EvalSpec;
use crate::{EvalError, Result};

use super::{MatchCase, TaskCase};
use hirelm_core::Task;
use sha2::{Digest, Sha256};

/// One evaluation case: input text and gold ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Input text.
    pub text: String,
    /// Gold ids (ESCO labels or occupation URIs).
    pub gold: Vec<String>,
}

/// An entry's cases, the documents its baselines index, and notes for the report.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Text cases (ranked tasks).
    pub cases: Vec<Case>,
    /// Structured cases (`score_match`).
    pub match_cases: Vec<MatchCase>,
    /// Cases of the other curated JSON-answer tasks.
    pub task_cases: Vec<TaskCase>,
    /// Index documents.
    pub docs: Vec<Document>,
    /// Notes on the data.
    pub notes: Vec<String>,
}

/// Loads an entry's data.
pub fn prepare(spec: &EvalSpec, seed: u64) -> Result<Prepared> {
    let mut p = Prepared::default();
    match spec.format.as_str() {
        "skill_benchmark_csv" => {
            let labels = entry_labels(spec)?;
            let bench = load_skill_benchmark(&spec.data)?;
            let (rows, ignored, skipped) =
                (bench.rows, bench.ignored_rows, bench.skipped_sentences);
            p.cases = bench
                .sentences
                .into_iter()
                .map(|s| Case {
                    text: s.sentence,
                    gold: s.gold,
                })
                .collect();
            p.notes.push(format!(
                "{rows} rows, {ignored} ignored (UNDERSPECIFIED / LABEL NOT PRESENT), {skipped} sentences skipped without usable gold, {}",
                indexed_note(&p.cases, &labels)
            ));
            p.docs = label_documents(&labels);
        }
        "skillskape_csv" => {
            let labels = entry_labels(spec)?;
            let rows = load_skillskape(&spec.data)?;
            let total = rows.len();
            p.cases = rows
                .into_iter()
                .filter(|r| !r.labels.is_empty())
                .map(|r| Case {
                    text: r.sentence,
                    gold: r.labels,
                })
                .collect();
            p.notes.push(format!(
                "{total} sentences, {} without a skill (UNK) skipped, {}",
                total - p.cases.len(),
                indexed_note(&p.cases, &labels)
            ));
            p.docs = label_documents(&labels);
        }
        "jobbert_titles" => {
            let split = split_titles(&read_titles(&spec.data)?, spec.heldout_percent, seed);
            let known: std::collections::HashSet<&str> = split
                .train
                .iter()
                .map(|r| r.occupation_uri.as_str())
                .collect();
            let unreachable = split
                .heldout
                .iter()
                .filter(|r| !known.contains(r.occupation_uri.as_str()))
                .count();
            p.notes.push(format!(
                "deterministic split (seed {seed}, {}% of distinct titles held out): {} index titles, {} held-out titles evaluated; {unreachable} held-out titles have an occupation with no index title",
                spec.heldout_percent, split.train.len(), split.heldout.len()
            ));
            p.docs = split
                .train
                .into_iter()
                .map(|r| Document::new(r.occupation_uri, r.title))
                .collect();
            p.cases = split
                .heldout
                .into_iter()
                .map(|r| Case {
                    text: r.title,
                    gold: vec![r.occupation_uri],
                })
                .collect();
        }
        "hirelm_parquet" => {
            let set = load_curated(&spec.data, spec.task)?;
            p.notes.push(format!(
                "{} rows, {} of other tasks, {} {} rows skipped as unusable, {} usable",
                set.total_rows,
                set.other_tasks,
                set.bad_rows,
                spec.task,
                set.rows.len()
            ));
            p.notes
                .extend(set.bad_examples.iter().map(|e| format!("skipped {e}")));
            for row in set.rows {
                if spec.task != Task::ScoreMatch {
                    p.task_cases.push(TaskCase {
                        input: row.input,
                        target: row.target,
                    });
                // load_curated has checked the target's shape for score_match.
                } else if let Ok(target) = parse_match(&row.target.to_string()) {
                    p.match_cases.push(MatchCase {
                        input: row.input,
                        target,
                    });
                }
            }
        }
        other => return Err(EvalError::unknown("format", other, &crate::suite::FORMATS)),
    }
    if let Some(limit) = spec.limit {
        p.cases.truncate(limit);
        p.match_cases.truncate(limit);
        p.task_cases.truncate(limit);
    }
    Ok(p)
}

impl Prepared {
    /// A fingerprint of the cases, in order: SHA-256 (first 16 hex digits) of each case's input
    /// (and, for ranked tasks, its gold ids). Two runs with the same digest answered the same
    /// cases, which is what lets `hirelm bench compare --merge` pair their results case by case.
    pub fn digest(&self) -> String {
        let mut hash = Sha256::new();
        for case in &self.cases {
            hash.update(case.text.as_bytes());
            hash.update([0x1f]);
            hash.update(case.gold.join("\x1f").as_bytes());
            hash.update([0x1e]);
        }
        let structured = self.match_cases.iter().map(|c| &c.input);
        for input in structured.chain(self.task_cases.iter().map(|c| &c.input)) {
            hash.update(input.to_string().as_bytes());
            hash.update([0x1e]);
        }
        hash.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The entry's label list (`labels`, required by the skill formats).
fn entry_labels(spec: &EvalSpec) -> Result<LabelSet> {
    let path = spec.labels.as_deref().ok_or_else(|| {
        EvalError::Invalid(format!(
            "eval `{}`: format {} needs `labels`",
            spec.name, spec.format
        ))
    })?;
    LabelSet::load(path)
}

/// How many cases are evaluated against how many labels, and how many gold labels no label
/// matches (they can never be found).
fn indexed_note(cases: &[Case], labels: &LabelSet) -> String {
    let missing = cases
        .iter()
        .flat_map(|c| &c.gold)
        .filter(|g| labels.lookup(g).is_none())
        .count();
    format!(
        "{} evaluated; {} labels indexed; {missing} gold labels not in the label list",
        cases.len(),
        labels.len()
    )
}

/// One document per label, the label its own id.
fn label_documents(labels: &LabelSet) -> Vec<Document> {
    labels
        .labels()
        .iter()
        .map(|l| Document::new(l.clone(), l.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn spec(format: &str, data: &std::path::Path, labels: Option<&std::path::Path>) -> EvalSpec {
        EvalSpec {
            name: "dev".into(),
            task: Task::ExtractSkills,
            format: format.into(),
            data: data.to_path_buf(),
            labels: labels.map(std::path::Path::to_path_buf),
            train: None,
            predictor: "bm25".into(),
            metrics: Vec::new(),
            packs: Vec::new(),
            thresholds: BTreeMap::new(),
            heldout_percent: 10,
            limit: None,
        }
    }

    #[test]
    fn skillskape_sentences_without_a_skill_are_skipped_and_labels_indexed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("dev.csv");
        std::fs::write(
            &data,
            ",sentence,skills\n\
             0,Write SQL against Postgres.,\"['SQL', 'use databases']\"\n\
             1,We are a global leader.,['UNK']\n\
             2,Lead a team of five.,['manage staff']\n",
        )
        .expect("write");
        let labels = dir.path().join("labels.txt");
        std::fs::write(&labels, "SQL\nuse databases\nmanage staff\nbake bread\n").expect("write");
        let p = prepare(&spec("skillskape_csv", &data, Some(&labels)), 17).expect("prepare");
        assert_eq!(p.docs.len(), 4);
        let texts: Vec<&str> = p.cases.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            ["Write SQL against Postgres.", "Lead a team of five."]
        );
        assert_eq!(p.cases[0].gold.len(), 2);
        assert!(
            p.notes[0].contains("1 without a skill (UNK) skipped, 2 evaluated")
                && p.notes[0].contains("0 gold labels not in the label list"),
            "{:?}",
            p.notes
        );
        let err = prepare(&spec("skillskape_csv", &data, None), 17)
            .expect_err("labels are required")
            .to_string();
        assert!(err.contains("skillskape_csv needs `labels`"), "{err}");
    }
}
