//! ESCO occupation → BLS OEWS wage row (SOC), by token overlap of titles.
//!
//! The fetched ESCO files carry no ISCO codes and BLS uses SOC titles, so the mapping is lexical
//! and documented here so every budget can be audited:
//!
//! 1. **title**: the ESCO preferred label's content tokens `L` (see [`super::tokens`]) against each
//!    SOC title's tokens `S` (words after `Except` dropped). Score `(|L ∩ S| + [h ∈ S]) / (|L| + 1)`
//!    where `h` is the label's last token (its head noun, counted twice). Accepted when `h ∈ S`,
//!    at least two label tokens match (one for one-word labels) and the score is at least 0.5; ties go to the higher Jaccard `|L ∩ S| / |L ∪ S|`, then the
//!    larger employment, then the SOC code.
//! 2. **alt-labels**: else the SOC title with the most tokens (at least one) all found in the label
//!    plus alternative labels (`chief executive officer … CEO` → `Chief Executives`).
//! 3. **fallback**: else the national all-occupations row (SOC 00-0000). (ESCO's ISCO major group
//!    would be a finer fallback, but the fetched files do not carry it.) The generators do not draw
//!    jobs from fallback occupations; the card counts them.
//!
//! Only rows with a published national hourly median are candidates. Missing percentiles are
//! filled from their neighbours: p25 = 0.85·p50, p75 = 1.2·p50, p10 = 0.85·p25, p90 = 1.2·p75
//! (a `#` value means "at least $115/hour" and is filled the same way).

use std::collections::BTreeSet;
use std::path::Path;

use super::tokens::{token_set, tokens};
use crate::error::CurateError;
use crate::wages::OccupationWage;

/// How an ESCO occupation found its wage row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchMethod {
    /// Preferred label against the SOC title.
    Title,
    /// A SOC title contained in the label and alternative labels.
    AltLabels,
    /// The all-occupations row.
    Fallback,
}

impl MatchMethod {
    /// The name used in provenance and the card.
    pub fn name(self) -> &'static str {
        match self {
            MatchMethod::Title => "title",
            MatchMethod::AltLabels => "alt-labels",
            MatchMethod::Fallback => "fallback",
        }
    }
}

/// A wage row usable for budgets and rates.
#[derive(Debug, Clone, PartialEq)]
pub struct WageRow {
    /// The SOC code with its dash (`15-1252`).
    pub soc: String,
    /// The SOC title.
    pub title: String,
    /// Hourly 10th, 25th, 50th, 75th and 90th percentiles, filled as the module docs say.
    pub percentiles: [f64; 5],
}

impl WageRow {
    /// The hourly wage at quantile `q` in `[0.1, 0.9]`, interpolated linearly between percentiles
    /// (clamped outside).
    pub fn at_quantile(&self, q: f64) -> f64 {
        const QS: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];
        let p = &self.percentiles;
        if q <= QS[0] {
            return p[0];
        }
        for i in 1..5 {
            if q <= QS[i] {
                let t = (q - QS[i - 1]) / (QS[i] - QS[i - 1]);
                return p[i - 1] + t * (p[i] - p[i - 1]);
            }
        }
        p[4]
    }
}

struct Candidate {
    row: WageRow,
    tokens: BTreeSet<String>,
    employment: u64,
}

/// Maps ESCO occupations to wage rows.
#[derive(Debug)]
pub struct SocMapper {
    rows: Vec<(WageRow, BTreeSet<String>, u64)>,
    fallback: WageRow,
}

fn filled(w: &OccupationWage) -> Option<[f64; 5]> {
    let [p10, p25, p50, p75, p90] = w.hourly_percentiles;
    let p50 = p50?;
    let p25 = p25.unwrap_or(0.85 * p50);
    let p75 = p75.unwrap_or(1.2 * p50);
    Some([
        p10.unwrap_or(0.85 * p25),
        p25,
        p50,
        p75,
        p90.unwrap_or(1.2 * p75),
    ])
}

fn dashed(soc: &str) -> String {
    if soc.len() == 6 {
        format!("{}-{}", &soc[..2], &soc[2..])
    } else {
        soc.to_string()
    }
}

impl SocMapper {
    /// Candidates from the national wages read from `path` (used in errors): every row with an
    /// hourly median except the major groups (`xx0000`); the all-occupations row must exist.
    pub fn new(wages: &[OccupationWage], path: &Path) -> Result<Self, CurateError> {
        let mut fallback = None;
        let mut rows = Vec::new();
        for w in wages {
            let Some(percentiles) = filled(w) else {
                continue;
            };
            let row = WageRow {
                soc: dashed(&w.soc),
                title: w.name.clone(),
                percentiles,
            };
            if w.soc == "000000" {
                fallback = Some(row);
            } else if !w.soc.ends_with("0000") {
                let title = w.name.split(", Except").next().unwrap_or(&w.name);
                let title = title.split(" Except ").next().unwrap_or(title);
                let c = Candidate {
                    tokens: token_set(title),
                    row,
                    employment: w.employment.unwrap_or(0),
                };
                if !c.tokens.is_empty() {
                    rows.push((c.row, c.tokens, c.employment));
                }
            }
        }
        let fallback = fallback.ok_or_else(|| CurateError::Sqlite {
            path: path.to_path_buf(),
            reason: "no national hourly median for occupation 000000 (All Occupations)".into(),
        })?;
        Ok(SocMapper { rows, fallback })
    }

    /// The wage row of an ESCO occupation and how it was found.
    pub fn map(&self, label: &str, alt_text: &str) -> (&WageRow, MatchMethod) {
        let l = tokens(label);
        if let Some(head) = l.last() {
            let lset: BTreeSet<&String> = l.iter().collect();
            let mut best: Option<((i64, i64, u64), &WageRow)> = None;
            for (row, s, employment) in &self.rows {
                if !s.contains(head) {
                    continue;
                }
                let inter = lset.iter().filter(|t| s.contains(**t)).count();
                let union = lset.len() + s.len() - inter;
                // Scores as integers (per mille) so ties are exact.
                let score = 1000 * (inter as i64 + 1) / (lset.len() as i64 + 1);
                let jaccard = 1000 * inter as i64 / union.max(1) as i64;
                if score < 500 || inter < lset.len().min(2) {
                    continue;
                }
                let key = (score, jaccard, *employment);
                if best
                    .as_ref()
                    .is_none_or(|(k, b)| key > *k || (key == *k && row.soc < b.soc))
                {
                    best = Some((key, row));
                }
            }
            if let Some((_, row)) = best {
                return (row, MatchMethod::Title);
            }
        }
        let all = token_set(&format!("{label} {alt_text}"));
        let mut best: Option<((usize, u64), &WageRow)> = None;
        for (row, s, employment) in &self.rows {
            if s.iter().all(|t| all.contains(t)) {
                let key = (s.len(), *employment);
                if best
                    .as_ref()
                    .is_none_or(|(k, b)| key > *k || (key == *k && row.soc < b.soc))
                {
                    best = Some((key, row));
                }
            }
        }
        match best {
            Some((_, row)) => (row, MatchMethod::AltLabels),
            None => (&self.fallback, MatchMethod::Fallback),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wage(soc: &str, name: &str, median: f64, employment: u64) -> OccupationWage {
        OccupationWage {
            soc: soc.into(),
            name: name.into(),
            employment: Some(employment),
            hourly_mean: Some(median),
            hourly_percentiles: [
                Some(median * 0.6),
                Some(median * 0.8),
                Some(median),
                None,
                None,
            ],
        }
    }

    fn mapper() -> SocMapper {
        let wages = [
            wage("000000", "All Occupations", 24.0, 150_000_000),
            wage("151252", "Software Developers", 65.38, 1_600_000),
            wage(
                "151250",
                "Software and Web Developers, Programmers, and Testers",
                63.0,
                2_000_000,
            ),
            wage("111011", "Chief Executives", 100.0, 200_000),
            wage(
                "434051",
                "Customer Service Representatives",
                20.0,
                2_800_000,
            ),
        ];
        SocMapper::new(&wages, Path::new("oews.sqlite")).expect("fallback row present")
    }

    #[test]
    fn title_overlap_prefers_the_specific_row() {
        let m = mapper();
        let (row, how) = m.map("software developer", "application developer");
        assert_eq!((row.soc.as_str(), how), ("15-1252", MatchMethod::Title));
        // p75 and p90 were missing: filled as 1.2·p50 and 1.2·p75.
        assert!((row.percentiles[3] - 1.2 * 65.38).abs() < 1e-9);
        assert!((row.at_quantile(0.5) - 65.38).abs() < 1e-9);
    }

    #[test]
    fn alternative_labels_then_the_fallback() {
        let m = mapper();
        let (row, how) = m.map("chief executive officer", "CEO managing director");
        assert_eq!((row.soc.as_str(), how), ("11-1011", MatchMethod::AltLabels));
        let (row, how) = m.map("nanny", "au pair governess");
        assert_eq!((row.soc.as_str(), how), ("00-0000", MatchMethod::Fallback));
    }

    #[test]
    fn a_database_without_the_all_occupations_row_is_an_error_naming_it() {
        let err = SocMapper::new(&[], Path::new("x/oews.sqlite"))
            .expect_err("no fallback")
            .to_string();
        assert!(
            err.contains("x/oews.sqlite") && err.contains("000000"),
            "{err}"
        );
    }
}
