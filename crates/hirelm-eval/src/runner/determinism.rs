//! The determinism self-check: greedy answers must not depend on when or how they are asked.
//!
//! The first [`CHECKED`] inputs of an entry are answered one at a time twice, then once as one
//! [`Predictor::predict_batch`] call, and the raw outputs are compared byte for byte (an error
//! compares by its message). A batching or caching bug, uninitialised state or a sampling path
//! left on shows up here before it shows up as noise in a metric. The runner checks the predictor
//! *before* wrapping it in the prediction cache, so a cached rerun cannot hide a difference.

use hirelm_core::Task;
use serde_json::Value;

use crate::Predictor;
use crate::report::Determinism;

/// Inputs checked per entry.
pub const CHECKED: usize = 8;

/// Runs the check on the first [`CHECKED`] of `inputs`.
pub fn check_determinism(predictor: &dyn Predictor, task: Task, inputs: &[Value]) -> Determinism {
    let inputs = &inputs[..inputs.len().min(CHECKED)];
    let text = |r: crate::Result<crate::Prediction>| r.map(|p| p.raw).map_err(|e| e.to_string());
    let one_by_one = || {
        inputs
            .iter()
            .map(|v| text(predictor.predict(task, v)))
            .collect::<Vec<_>>()
    };
    let first = one_by_one();
    let second = one_by_one();
    let batch: Vec<_> = predictor
        .predict_batch(task, inputs)
        .into_iter()
        .map(text)
        .collect();
    Determinism {
        checked: inputs.len(),
        repeat_identical: first == second,
        batch_identical: first == batch,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde_json::json;

    use super::*;
    use crate::baselines::rule_matcher::RuleMatcher;
    use crate::{DecodingParams, Prediction};

    /// Answers with a call counter (drifts between passes), or differently in batches.
    struct Drifting {
        calls: AtomicUsize,
        drift: bool,
    }

    impl Predictor for Drifting {
        fn name(&self) -> &str {
            "drifting"
        }
        fn content_hash(&self) -> String {
            "0".into()
        }
        fn supports(&self, _: Task) -> bool {
            true
        }
        fn predict(&self, _: Task, input: &Value) -> crate::Result<Prediction> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            let raw = if self.drift {
                format!("{n}")
            } else {
                input.to_string()
            };
            Ok(Prediction::new(raw, DecodingParams::deterministic(1)))
        }
        fn predict_batch(&self, task: Task, inputs: &[Value]) -> Vec<crate::Result<Prediction>> {
            inputs
                .iter()
                .map(|i| self.predict(task, &json!([i])))
                .collect()
        }
    }

    #[test]
    fn detects_repeat_and_batch_differences() {
        let inputs: Vec<Value> = (0..12).map(|i| json!({ "text": i })).collect();
        let d = check_determinism(
            &Drifting {
                calls: AtomicUsize::new(0),
                drift: true,
            },
            Task::ExtractSkills,
            &inputs,
        );
        assert_eq!(
            (d.checked, d.repeat_identical, d.batch_identical),
            (8, false, false)
        );
        let d = check_determinism(
            &Drifting {
                calls: AtomicUsize::new(0),
                drift: false,
            },
            Task::ExtractSkills,
            &inputs,
        );
        assert_eq!((d.repeat_identical, d.batch_identical), (true, false));
        let matchers = [
            json!({"job": {"required_skills": [], "budget": {"max_usd": 1.0}}, "candidate": {"skills": [], "hourly_rate_usd": 1.0}}),
        ];
        let d = check_determinism(&RuleMatcher, Task::ScoreMatch, &matchers);
        assert_eq!(
            (d.checked, d.repeat_identical, d.batch_identical),
            (1, true, true)
        );
    }
}
