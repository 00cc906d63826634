//! The regression gate catches a deliberately weakened predictor and passes a harmless rerun.

use hirelm_eval::gate::{Status, gate, passed};
use hirelm_eval::report::{SuiteReport, to_html, to_junit, to_markdown};
use hirelm_eval::runner::{RunOptions, run_suite};

use crate::real_data::tech_suite;

#[test]
fn weakened_predictor_is_caught_and_a_rerun_is_not() {
    let suite = tech_suite("bm25");
    let options = RunOptions {
        cache_dir: None,
        ..RunOptions::default()
    };
    let baseline = run_suite(&suite, &options).expect("baseline run");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("baseline.json");
    baseline.write_json(&path).expect("write");
    let stored = SuiteReport::read_json(&path).expect("read");
    // JSON round-trips (floats to within parsing precision).
    assert_eq!(
        stored.evals[0].metrics.keys().collect::<Vec<_>>(),
        baseline.evals[0].metrics.keys().collect::<Vec<_>>()
    );
    for (a, b) in stored.evals[0]
        .metrics
        .values()
        .zip(baseline.evals[0].metrics.values())
    {
        assert_eq!(a.per_case.len(), b.per_case.len());
        assert!(
            a.per_case
                .iter()
                .zip(&b.per_case)
                .all(|(x, y)| (x - y).abs() < 1e-12)
        );
    }

    let rerun = run_suite(&suite, &options).expect("rerun");
    let checks = gate(&rerun, Some(&stored));
    assert!(passed(&checks), "{:#?}", checks);

    let weak_options = RunOptions {
        predictor_override: Some("bm25-weakened".into()),
        ..options
    };
    let weak = run_suite(&suite, &weak_options).expect("weakened run");
    let checks = gate(&weak, Some(&stored));
    assert!(!passed(&checks));
    let rp5 = checks
        .iter()
        .find(|c| c.metric == "rp@5")
        .expect("rp@5 check");
    assert!(
        matches!(rp5.status, Status::Regressed | Status::BelowThreshold),
        "{}",
        rp5.line()
    );
    assert!(rp5.p_value.expect("paired") < 0.05, "{}", rp5.line());

    let junit = to_junit("tech", &checks);
    assert!(
        junit.contains("<failure message=\"tech rp@5") && junit.contains("tests=\"5\""),
        "{junit}"
    );
    // The three formats carry the same figures: the difference's interval included.
    let (lo, hi) = rp5.difference_ci95.expect("paired");
    assert!(
        hi < 0.0,
        "a significant drop lies below zero: {}",
        rp5.line()
    );
    let interval = format!("[{lo:+.4}, {hi:+.4}]");
    let passing = checks
        .iter()
        .find(|c| c.status == Status::Pass)
        .expect("a passing check");
    assert!(
        junit.contains(&interval) && junit.contains(&format!("<system-out>{}", passing.line())),
        "{junit}"
    );
    let md = to_markdown(&weak, &checks);
    assert!(
        md.contains("| rp@5 |") && md.contains("FAIL") && md.contains(&interval),
        "{md}"
    );
    let html = to_html(&weak, &checks);
    assert!(html.contains(&interval), "{html}");
    assert!(html.contains("<svg") && html.contains("gate failed") && html.ends_with("</html>\n"));
    assert_eq!(
        html.matches("<svg").count(),
        2,
        "metric and agreement charts"
    );
}
