//! `hirelm bench compare` with a `[router]`: the shipped system's column takes, task by task, the
//! rows of the predictor its routes file chooses (the same answers, relabelled), the claim is
//! checked on that column, and `--merge` rebuilds it from the joined parts.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_router_column_is_the_routed_predictors_rows_and_survives_a_merge() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = std::env::var_os("HIRELM_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data"));
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("routes.toml"),
        "[task.extract_skills]\nanswerer = \"encoder\"\nwhy = \"test\"\n",
    )
    .expect("routes");
    std::fs::write(
        dir.path().join("compare.toml"),
        format!(
            "name = \"t\"\nout = \"out\"\n[cost]\ncpu_core_hour_usd = 0.05\nsource = \"s\"\ndate = \"d\"\n\
             [[suite]]\npath = \"{}\"\npredictors = [\"bm25\", \"bm25-weakened\"]\n\
             [router]\nname = \"hirelm\"\nroutes = \"routes.toml\"\nlm = \"bm25-weakened\"\n\
             encoder = \"bm25\"\nrule = \"rule-matcher\"\n\
             [bar]\ntuned = \"hirelm\"\nuntuned = \"bm25-weakened\"\n",
            root.join("eval/ci.toml").display()
        ),
    )
    .expect("config");
    let compare = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args([
                "bench",
                "compare",
                "--config",
                "compare.toml",
                "--no-readme",
            ])
            .args(args)
            .current_dir(dir.path())
            .env("HIRELM_SHARED_DATA", &shared)
            .output()
            .expect("runs")
    };
    let read = |path: &str, out: &std::process::Output| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.path().join(path)).expect("json"))
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let full = compare(&["--limit", "10"]);
    let json = read("out/compare.json", &full);
    let rows = |json: &serde_json::Value, predictor: &str| -> Vec<serde_json::Value> {
        json["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["predictor"] == predictor)
            .cloned()
            .collect()
    };
    let (routed, bm25) = (rows(&json, "hirelm"), rows(&json, "bm25"));
    assert_eq!(routed.len(), 2, "{json}");
    for (r, b) in routed.iter().zip(&bm25) {
        let mut relabelled = r.clone();
        relabelled["predictor"] = "bm25".into();
        assert_eq!(&relabelled, b, "the same row, relabelled");
    }
    assert_eq!(json["predictors"][0], "hirelm");
    assert_eq!(json["routed"]["by_task"]["extract_skills"], "bm25");
    let checks = json["bar"]["checks"].as_array().expect("checks");
    assert!(
        !checks.is_empty() && checks.iter().all(|c| c["versus"] == "bm25-weakened"),
        "{checks:?}"
    );
    let md = std::fs::read_to_string(dir.path().join("out/compare.md")).expect("markdown");
    assert!(md.contains("extract_skills → bm25"), "{md}");

    // Parts by predictor: each part carries its own router rows; the merge rebuilds them once.
    for (predictor, out) in [("bm25", "p1"), ("bm25-weakened", "p2")] {
        compare(&["--limit", "10", "--predictors", predictor, "--out", out]);
    }
    let merged = compare(&[
        "--out",
        "joined",
        "--merge",
        "p1/compare.json",
        "p2/compare.json",
    ]);
    let joined = read("joined/compare.json", &merged);
    assert_eq!(rows(&joined, "hirelm").len(), 2, "{joined}");
    // A part may also be some of the suites; a suite the config lacks is refused by name.
    let unknown = compare(&["--limit", "1", "--suites", "eval/nope.toml"]);
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        unknown.status.code() == Some(2) && err.contains("`eval/nope.toml` is not a suite"),
        "{err}"
    );
    let suite = root.join("eval/ci.toml").display().to_string();
    let part = compare(&["--limit", "10", "--suites", &suite, "--out", "p3"]);
    assert_eq!(rows(&read("p3/compare.json", &part), "bm25").len(), 2);
    // Or some entries of a suite; an entry no suite has is refused, naming those there are.
    let part = compare(&["--limit", "10", "--entries", "ci/house", "--out", "p4"]);
    let house = rows(&read("p4/compare.json", &part), "bm25");
    assert!(
        house.len() == 1 && house[0]["entry"] == "house",
        "{house:?}"
    );
    // The part run again into the same directory with --resume reuses the entry's report in
    // p4/entries (the same row, its measured speed included) and says so; on other cases
    // (another --limit) it answers again.
    let again = compare(&[
        "--limit",
        "10",
        "--entries",
        "ci/house",
        "--resume",
        "--out",
        "p4",
    ]);
    let again_json = read("p4/compare.json", &again);
    assert_eq!(
        rows(&again_json, "bm25"),
        house,
        "the reused row is the measured one"
    );
    let resumed = again_json["resumed"].as_array().expect("resumed entries");
    assert!(
        resumed.len() == 2
            && resumed[0]
                .as_str()
                .is_some_and(|r| r.starts_with("bm25 on ci/house (answered 20")),
        "{resumed:?}"
    );
    let md = std::fs::read_to_string(dir.path().join("p4/compare.md")).expect("markdown");
    assert!(
        md.contains("Reused from an earlier run of the same part"),
        "{md}"
    );
    let fewer = compare(&[
        "--limit",
        "5",
        "--entries",
        "ci/house",
        "--resume",
        "--out",
        "p4",
    ]);
    let fewer_json = read("p4/compare.json", &fewer);
    assert!(fewer_json.get("resumed").is_none(), "{fewer_json}");
    assert_eq!(rows(&fewer_json, "bm25")[0]["cases"], 5);
    let unknown = compare(&["--limit", "1", "--entries", "ci/nope"]);
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        unknown.status.code() == Some(2)
            && err.contains("`ci/nope` is not an entry")
            && err.contains("ci/tech, ci/house"),
        "{err}"
    );
    // --adapter goes to the router's language model when the claim is the router's.
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shipped/adapters/hirelm-hiring-v2"
    );
    let adapted = compare(&["--limit", "1", "--adapter", shipped]);
    let err = String::from_utf8_lossy(&adapted.stderr);
    assert!(
        adapted.status.code() == Some(2) && err.contains("`bm25-weakened` is not an [[lm]]"),
        "{err}"
    );
    assert_eq!(
        joined["bar"]["checks"].as_array().map(Vec::len),
        Some(checks.len())
    );
}
