//! Vacancy titles with their ESCO occupation URI (JobBERT evaluation data: `,vacancyTitle,conceptUri`)
//! and the deterministic train / held-out split used to evaluate title normalisation.

use std::path::Path;

use super::fnv1a;
use crate::{EvalError, Result};

/// One title and its occupation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleRow {
    /// The vacancy title as written.
    pub title: String,
    /// The ESCO occupation URI.
    pub uri: String,
}

/// Reads the titles CSV: a header, then `index,title,uri` rows (quoted fields allowed).
pub fn load_titles(path: &Path) -> Result<Vec<TitleRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| EvalError::parse(path, 0, "file", e.to_string()))?;
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| EvalError::parse(path, line, "row", e.to_string()))?;
        let title = record.get(1).map(str::trim).unwrap_or_default();
        let uri = record.get(2).map(str::trim).unwrap_or_default();
        if title.is_empty() {
            return Err(EvalError::parse(path, line, "vacancyTitle", "empty"));
        }
        if !uri.starts_with("http") {
            return Err(EvalError::parse(
                path,
                line,
                "conceptUri",
                format!("not a URI: `{uri}`"),
            ));
        }
        rows.push(TitleRow {
            title: title.to_string(),
            uri: uri.to_string(),
        });
    }
    Ok(rows)
}

/// Titles split into an index (train) part and a held-out evaluation part.
#[derive(Debug, Clone, Default)]
pub struct TitleSplit {
    /// Titles the nearest-neighbour index is built from.
    pub train: Vec<TitleRow>,
    /// Titles evaluated; none of them, case- and space-insensitively, is in `train`.
    pub heldout: Vec<TitleRow>,
}

/// Splits deterministically by a seeded hash of the lower-cased, space-collapsed title, so
/// duplicate titles always land on the same side: `heldout_percent` of distinct titles are held out.
pub fn split_titles(rows: &[TitleRow], heldout_percent: u64, seed: u64) -> TitleSplit {
    let mut split = TitleSplit::default();
    for row in rows {
        let key = row
            .title
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if fnv1a(seed, key.as_bytes()) % 100 < heldout_percent {
            split.heldout.push(row.clone());
        } else {
            split.train.push(row.clone());
        }
    }
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: &str) -> TitleRow {
        TitleRow {
            title: t.into(),
            uri: "http://x/1".into(),
        }
    }

    #[test]
    fn split_is_deterministic_and_keeps_duplicates_together() {
        let rows: Vec<TitleRow> = (0..400)
            .map(|i| row(&format!("Title {}", i % 200)))
            .chain([row("TITLE  7")])
            .collect();
        let a = split_titles(&rows, 10, 1);
        let b = split_titles(&rows, 10, 1);
        assert_eq!(a.heldout, b.heldout);
        assert!(
            a.heldout.len() > 10 && a.heldout.len() < 80,
            "{}",
            a.heldout.len()
        );
        let train: std::collections::HashSet<String> = a
            .train
            .iter()
            .map(|r| r.title.to_lowercase().replace("  ", " "))
            .collect();
        assert!(
            a.heldout
                .iter()
                .all(|r| !train.contains(&r.title.to_lowercase().replace("  ", " ")))
        );
    }

    #[test]
    fn bad_rows_name_line_and_field() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.csv");
        std::fs::write(
            &path,
            ",vacancyTitle,conceptUri\n0,Nurse,http://x\n1,Cook,oops\n",
        )
        .expect("write");
        let err = load_titles(&path).unwrap_err().to_string();
        assert!(err.contains(":3: field `conceptUri`"), "{err}");
    }
}
