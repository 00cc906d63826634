//! Vacancy titles with their ESCO occupation URI (JobBERT evaluation data, read by
//! `hirelm-curate`'s one reader of the file) and the deterministic train / held-out split used
//! to evaluate title normalisation.

pub use hirelm_curate::titles::{TitleRow, read_titles};

use super::fnv1a;

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
            line: 0,
            title: t.into(),
            occupation_uri: "http://data.europa.eu/esco/occupation/1".into(),
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
}
