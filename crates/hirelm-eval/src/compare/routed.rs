//! The shipped system as one column: `hirelm` answers each task with whatever its routes file
//! sends it to (the tuned encoder, a classical method or the tuned language model, chosen on
//! validation), so its row for an entry is the row of that predictor, the very same answers,
//! relabelled. No answer is computed twice and none is invented: where the routed predictor did
//! not run, the system has no row.
//!
//! ```toml
//! [router]
//! name = "hirelm"
//! routes = "shipped/routes.toml"
//! lm = "smollm2-hiring"          # the predictors that stand for each answerer
//! encoder = "encoder-nn"
//! rule = "rule-matcher"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::EntryResult;

/// The `[router]` of a comparison config: which predictor stands for each kind of answerer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterSpec {
    /// The column's name (e.g. `hirelm`).
    pub name: String,
    /// The routes file (`hirelm_infer::ShippedRoutes`), read by the binary.
    pub routes: PathBuf,
    /// The predictor that answers as the tuned language model.
    pub lm: String,
    /// The predictor that answers as the tuned encoder.
    pub encoder: String,
    /// The predictor that answers as the rule-based matcher.
    pub rule: String,
}

/// A router resolved against its routes file: the predictor answering each task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Routed {
    /// The column's name.
    pub name: String,
    /// Task name → the predictor whose answers the column takes.
    pub by_task: BTreeMap<String, String>,
}

impl Routed {
    /// One line for the reports: which predictor answers each task.
    pub fn describe(&self) -> String {
        let routes: Vec<String> = self
            .by_task
            .iter()
            .map(|(task, predictor)| format!("{task} → {predictor}"))
            .collect();
        format!(
            "`{}` is the shipped system: each task answered by what its routes chose on validation data ({}); its rows are those predictors' answers.",
            self.name,
            routes.join(", ")
        )
    }
}

/// The router's rows: for each entry whose task it routes, the routed predictor's row under the
/// router's name. Rows already carrying the router's name (from an earlier merge) are not inputs.
pub fn routed_rows(routed: &Routed, results: &[EntryResult]) -> Vec<EntryResult> {
    results
        .iter()
        .filter(|row| row.predictor != routed.name)
        .filter(|row| routed.by_task.get(&row.task) == Some(&row.predictor))
        .map(|row| EntryResult {
            predictor: routed.name.clone(),
            ..row.clone()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::report;
    use crate::compare::{CpuPrice, entry_result};

    #[test]
    fn each_task_takes_the_row_of_its_routed_predictor_and_nothing_else() {
        let cpu = CpuPrice {
            cpu_core_hour_usd: 0.05,
            source: String::new(),
            date: String::new(),
        };
        let row = |predictor: &str, accuracy: f64| {
            entry_result("match", &report(predictor, accuracy, [0.1, 0.2]), &cpu, &[])
        };
        let results = vec![row("rule-matcher", 0.6), row("smollm2-hiring", 0.3)];
        let routed = Routed {
            name: "hirelm".into(),
            by_task: BTreeMap::from([
                ("score_match".into(), "rule-matcher".into()),
                ("draft_job_post".into(), "smollm2-hiring".into()),
            ]),
        };
        let rows = routed_rows(&routed, &results);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].predictor, "hirelm");
        assert_eq!(rows[0].metric("accuracy"), Some(0.6));
        assert_eq!(
            EntryResult {
                predictor: "rule-matcher".into(),
                ..rows[0].clone()
            },
            results[0],
            "the very same row, relabelled"
        );
        // A router row already in the results is not routed again.
        let mut again = results.clone();
        again.extend(rows.clone());
        assert_eq!(routed_rows(&routed, &again), rows);
        // Routed to a predictor that did not run: no row.
        let absent = Routed {
            by_task: BTreeMap::from([("score_match".into(), "minilm-nn".into())]),
            ..routed.clone()
        };
        assert!(routed_rows(&absent, &results).is_empty());
        assert!(routed.describe().contains("score_match → rule-matcher"));
    }
}
