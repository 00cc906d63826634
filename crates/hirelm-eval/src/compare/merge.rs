//! Comparisons run in parts joined into one: a long comparison can run one predictor (or a few)
//! per job, and `hirelm bench compare --merge` makes the single claim table of them all.
//!
//! Parts may only be joined when they ran the same cases: an entry that two parts share must
//! have the same task, data, number of cases, case digest (a hash of the inputs in order, so
//! that a re-curated dataset of the same size is caught) and suite seed in both, and the parts must share
//! the case cap (`--limit`), the CPU price and the claim. A predictor may answer an entry in one
//! part only. The claim is checked afresh on the joined results.

use std::path::{Path, PathBuf};

use super::{Comparison, EntryResult, first_seen, verdict};
use crate::error::{EvalError, Result};

fn refuse(path: &Path, message: impl Into<String>) -> EvalError {
    EvalError::Config {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn limit_words(limit: Option<usize>) -> String {
    limit.map_or_else(|| "no --limit".into(), |n| format!("--limit {n}"))
}

/// What must agree between two parts' rows of one entry: task, data, cases, seed, and the case
/// digest where both parts have one (results written before digests existed have none).
fn case_set(row: &EntryResult, digest: bool) -> String {
    let digest = if digest && !row.cases_digest.is_empty() {
        format!(", digest {}", row.cases_digest)
    } else {
        String::new()
    };
    format!(
        "{} on {} ({} cases{digest}, seed {})",
        row.task, row.data, row.cases, row.seed
    )
}

/// Joins `parts` (each with the file it came from, for messages) into one comparison whose claim
/// is checked on all their results. `command` and `generated` describe the merge itself.
pub fn merge(
    parts: &[(PathBuf, Comparison)],
    command: &str,
    generated: &str,
) -> Result<Comparison> {
    let Some((first_path, first)) = parts.first() else {
        return Err(EvalError::Invalid(
            "--merge needs at least one compare.json".into(),
        ));
    };
    let bar = first.bar.as_ref().map(|v| v.bar.clone());
    let routed_name = first.routed.as_ref().map(|r| r.name.as_str());
    let mut results: Vec<(EntryResult, &Path)> = Vec::new();
    for (path, part) in parts {
        if part.limit != first.limit {
            return Err(refuse(
                path,
                format!(
                    "ran with {}, but {} with {}: the parts ran different cases",
                    limit_words(part.limit),
                    first_path.display(),
                    limit_words(first.limit)
                ),
            ));
        }
        if part.cpu_price != first.cpu_price {
            return Err(refuse(
                path,
                format!(
                    "prices CPU time at ${}/core-hour, {} at ${}: rerun a part with the same [cost]",
                    part.cpu_price.cpu_core_hour_usd,
                    first_path.display(),
                    first.cpu_price.cpu_core_hour_usd
                ),
            ));
        }
        if part.bar.as_ref().map(|v| &v.bar) != bar.as_ref() {
            return Err(refuse(
                path,
                format!(
                    "checks another claim ([bar]) than {}: merge parts of one comparison config",
                    first_path.display()
                ),
            ));
        }
        // The shipped system's rows are relabelled copies: they are rebuilt on the joined rows.
        for row in part
            .results
            .iter()
            .filter(|r| Some(r.predictor.as_str()) != routed_name)
        {
            for (other, other_path) in &results {
                if other.label() != row.label() {
                    continue;
                }
                if other.predictor == row.predictor {
                    return Err(refuse(
                        path,
                        format!(
                            "`{}` answered {} here and in {}: a predictor may run in one part only",
                            row.predictor,
                            row.label(),
                            other_path.display()
                        ),
                    ));
                }
                let digest = !other.cases_digest.is_empty() && !row.cases_digest.is_empty();
                if case_set(other, digest) != case_set(row, digest) {
                    return Err(refuse(
                        path,
                        format!(
                            "{} is {} here but {} in {}: the parts ran different cases",
                            row.label(),
                            case_set(row, digest),
                            case_set(other, digest),
                            other_path.display()
                        ),
                    ));
                }
            }
            results.push((row.clone(), path));
        }
    }
    let results: Vec<EntryResult> = results.into_iter().map(|(row, _)| row).collect();
    let joined = |field: fn(&Comparison) -> &str| {
        first_seen(parts.iter().map(|(_, p)| field(p).to_string())).join(" | ")
    };
    let mut joined_comparison = Comparison {
        name: first.name.clone(),
        generated: generated.to_string(),
        command: format!(
            "{command} (joining: {})",
            parts
                .iter()
                .map(|(_, p)| p.command.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        machine: joined(|p| &p.machine),
        versions: joined(|p| &p.versions),
        cpu_price: first.cpu_price.clone(),
        api_prices: first.api_prices.clone(),
        predictors: first_seen(
            parts
                .iter()
                .flat_map(|(_, p)| p.predictors.iter().cloned())
                .filter(|p| Some(p.as_str()) != routed_name),
        ),
        bar: None,
        skipped: parts
            .iter()
            .flat_map(|(_, p)| p.skipped.iter().cloned())
            .collect(),
        failed: parts
            .iter()
            .flat_map(|(_, p)| p.failed.iter().cloned())
            .collect(),
        limit: first.limit,
        results,
        routed: None,
        resumed: parts
            .iter()
            .flat_map(|(_, p)| p.resumed.iter().cloned())
            .collect(),
    };
    if let Some(routed) = &first.routed {
        joined_comparison.add_routed(routed.clone());
    }
    joined_comparison.bar = bar.as_ref().map(|b| verdict(b, &joined_comparison.results));
    Ok(joined_comparison)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::report;
    use crate::compare::{Bar, CpuPrice, entry_result};

    use crate::runner::CandidateSource;

    fn part(predictors: &[&str], cases: usize) -> Comparison {
        let cpu = CpuPrice {
            cpu_core_hour_usd: 0.05,
            source: String::new(),
            date: String::new(),
        };
        let results: Vec<EntryResult> = predictors
            .iter()
            .map(|p| EntryResult {
                cases,
                ..entry_result("match", &report(p, 0.5, [0.1, 0.1]), &cpu, &[])
            })
            .collect();
        let bar = Bar {
            tuned: "tuned".into(),
            untuned: "base".into(),
            untuned_few_shot: None,
            larger: None,
        };
        Comparison {
            name: "c".into(),
            generated: "then".into(),
            command: format!("hirelm bench compare --predictors {}", predictors.join(",")),
            machine: "m".into(),
            versions: "v".into(),
            cpu_price: cpu,
            api_prices: Vec::new(),
            predictors: predictors.iter().map(|p| p.to_string()).collect(),
            bar: Some(verdict(&bar, &results)),
            results,
            skipped: Vec::new(),
            failed: Vec::new(),
            limit: None,
            routed: None,
            resumed: Vec::new(),
        }
    }

    #[test]
    fn parts_join_into_one_claim_and_different_cases_are_refused() {
        let (a, b) = (PathBuf::from("a.json"), PathBuf::from("b.json"));
        let tuned = part(&["tuned"], 10);
        // Alone, the tuned model has nothing to be checked against.
        assert!(tuned.bar.as_ref().is_some_and(|v| v.checks.is_empty()));
        let mut base = part(&["base"], 10);
        base.results[0].candidates_from = Some(CandidateSource::Minilm);
        let joined = merge(
            &[(a.clone(), tuned.clone()), (b.clone(), base)],
            "hirelm bench compare --merge a.json b.json",
            "now",
        )
        .expect("same cases");
        assert_eq!(joined.predictors, ["tuned", "base"]);
        assert_eq!(joined.results.len(), 2);
        let checks = &joined.bar.as_ref().expect("claim").checks;
        assert!(
            checks
                .iter()
                .any(|c| c.versus == "base" && c.what == "accuracy"),
            "{checks:?}"
        );
        assert!(
            joined
                .command
                .contains("--predictors tuned; hirelm bench compare --predictors base")
        );
        // Which retriever each language model reranked travels with its rows into the report.
        assert!(
            super::super::render::to_markdown(&joined)
                .contains("reranks a retriever's top candidates: `base` those of `minilm-nn`."),
        );

        let err = merge(
            &[(a.clone(), tuned.clone()), (b.clone(), part(&["base"], 20))],
            "",
            "",
        )
        .expect_err("different cases")
        .to_string();
        assert!(
            err.contains("b.json")
                && err.contains("match/match")
                && err.contains("20 cases")
                && err.contains("10 cases"),
            "{err}"
        );
        // Same size, other inputs (a re-curated dataset): the digests tell them apart.
        let digested = |p: &str, digest: &str| {
            let mut part = part(&[p], 10);
            part.results[0].cases_digest = digest.into();
            part
        };
        let err = merge(
            &[
                (a.clone(), digested("tuned", "00aa")),
                (b.clone(), digested("base", "00bb")),
            ],
            "",
            "",
        )
        .expect_err("different inputs")
        .to_string();
        assert!(
            err.contains("digest 00bb") && err.contains("digest 00aa"),
            "{err}"
        );
        // A part from before digests existed still joins on its counts.
        merge(
            &[
                (a.clone(), digested("tuned", "00aa")),
                (b.clone(), digested("base", "")),
            ],
            "",
            "",
        )
        .expect("no digest to compare");
        let err = merge(
            &[(a.clone(), tuned.clone()), (b.clone(), tuned.clone())],
            "",
            "",
        )
        .expect_err("twice")
        .to_string();
        assert!(
            err.contains("`tuned` answered match/match here and in a.json"),
            "{err}"
        );
        let quick = Comparison {
            limit: Some(5),
            ..part(&["base"], 10)
        };
        let err = merge(&[(a, tuned), (b, quick)], "", "")
            .expect_err("limit")
            .to_string();
        assert!(
            err.contains("ran with --limit 5, but a.json with no --limit"),
            "{err}"
        );
    }
}
