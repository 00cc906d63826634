//! `hirelm eval` as a CI gate: a stored baseline, a rerun, a weakened predictor.

use std::path::PathBuf;
use std::process::Command;

/// `hirelm eval` gates on the stored CI baseline: a rerun passes, a weakened predictor fails
/// with a per-metric diff, and every report format is written.
#[test]
fn eval_gate_passes_a_rerun_and_fails_a_weakened_predictor() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = std::env::var_os("HIRELM_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data"));
    assert!(
        shared.join("skill-extraction-benchmark").exists(),
        "{} missing: the real data lives in ../shared/data",
        shared.display()
    );
    let out = tempfile::tempdir().expect("tempdir");
    let run = |extra: &[&str]| {
        let suite = root.join("eval/ci.toml").display().to_string();
        let baseline = root
            .join("eval/baselines/ci-bm25.json")
            .display()
            .to_string();
        let out_dir = out.path().display().to_string();
        let mut args = vec![
            "eval",
            "--no-cache",
            "--suite",
            &suite,
            "--baseline",
            &baseline,
            "--out",
            &out_dir,
        ];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args(&args)
            .env("HIRELM_SHARED_DATA", &shared)
            .output()
            .expect("runs")
    };
    let ok = run(&[]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    for file in ["report.json", "report.md", "junit.xml", "report.html"] {
        assert!(out.path().join(file).exists(), "{file}");
    }
    let first = out.path().join("first.json");
    std::fs::copy(out.path().join("report.json"), &first).expect("keep the first report");
    let weak = run(&["--predictor", "bm25-weakened"]);
    let err = String::from_utf8_lossy(&weak.stderr);
    assert_eq!(
        weak.status.code(),
        Some(1),
        "a weakened predictor fails the gate (status 1, not a failed run)"
    );
    let missing = run(&["--predictor", "no-such-predictor"]);
    assert_eq!(
        missing.status.code(),
        Some(2),
        "a run that cannot run is status 2: {}",
        String::from_utf8_lossy(&missing.stderr)
    );
    assert!(
        err.contains("evaluation gate failed") && err.contains("tech rp@5") && err.contains("FAIL"),
        "{err}"
    );

    // The paired comparison of the two runs calls the weakened predictor significantly worse.
    let paired = |pair: &str, extra: &[&str]| {
        let args = [
            "bench",
            "paired",
            "--report",
            first.to_str().expect("utf-8"),
            "--candidate-report",
        ];
        Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args(args)
            .arg(out.path().join("report.json"))
            .args(["--pair", pair])
            .args(extra)
            .output()
            .expect("runs")
    };
    let table = paired("tech:tech", &["--held-out", "casing,markdown"]);
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    let table = String::from_utf8_lossy(&table.stdout);
    let rp5 = table
        .lines()
        .find(|l| l.contains("| rp@5 |"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(rp5.ends_with("| worse |"), "{rp5}");
    assert!(table.contains("(McNemar)"), "{table}");
    // Each invariant pack's flips are paired too, labelled by the held-out list, and pooled.
    for row in [
        "| flip rate (casing, held out) ↓, ",
        "| flip rate (whitespace_punct, not held out) ↓, ",
        "| flip rate (held-out families, every case × pack) ↓, ",
    ] {
        assert!(table.contains(row), "{row} in {table}");
    }
    let mismatched = paired("tech:house", &[]);
    assert!(
        !mismatched.status.success()
            && String::from_utf8_lossy(&mismatched.stderr).contains("different cases")
    );

    // A quick run says so in its reports, and `--help` documents the exit statuses.
    let quick = out.path().join("quick");
    let limited = Command::new(env!("CARGO_BIN_EXE_hirelm"))
        .args(["eval", "--no-cache", "--limit", "5", "--suite"])
        .arg(root.join("eval/ci.toml"))
        .arg("--out")
        .arg(&quick)
        .env("HIRELM_SHARED_DATA", &shared)
        .output()
        .expect("runs");
    assert!(
        limited.status.success(),
        "{}",
        String::from_utf8_lossy(&limited.stderr)
    );
    let markdown = std::fs::read_to_string(quick.join("report.md")).expect("report.md");
    assert!(
        markdown.contains("Quick run: at most 5 cases per entry"),
        "{markdown}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(quick.join("report.json")).expect("json"))
            .expect("JSON");
    assert_eq!(json["limit"], 5);
    assert!(
        json["evals"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["cases"].as_u64().is_some_and(|n| n <= 5))
    );
    let help = Command::new(env!("CARGO_BIN_EXE_hirelm"))
        .args(["eval", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("Exit status: 0") && help.contains("--limit"),
        "{help}"
    );
}
