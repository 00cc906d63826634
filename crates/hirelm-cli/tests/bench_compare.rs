//! `hirelm bench compare` end to end on the classical baselines (no language model loads):
//! reports, the document block (`--write-doc`; without it only the output directory is
//! written), `--render`, `--predictors` and the errors of a bad config.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn bench_compare_writes_its_reports_and_readme_block_and_names_a_bad_config() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = std::env::var_os("HIRELM_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data"));
    let dir = tempfile::tempdir().expect("tempdir");
    let config = |predictors: &str| {
        format!(
            "name = \"t\"\nout = \"out\"\nreadme = \"README.md\"\n[cost]\ncpu_core_hour_usd = 0.05\nsource = \"s\"\ndate = \"d\"\n\
             [[suite]]\npath = \"{}\"\npredictors = {predictors}\n[bar]\ntuned = \"bm25\"\nuntuned = \"bm25-weakened\"\n",
            root.join("eval/ci.toml").display()
        )
    };
    std::fs::write(
        dir.path().join("compare.toml"),
        config(r#"["bm25", "bm25-weakened"]"#),
    )
    .expect("config");
    std::fs::write(
        dir.path().join("README.md"),
        "# r\n<!-- compare:begin -->\nold\n<!-- compare:end -->\nend\n",
    )
    .expect("readme");
    let run = |config: &str| {
        Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args([
                "bench",
                "compare",
                "--config",
                config,
                "--limit",
                "20",
                "--write-doc",
            ])
            .current_dir(dir.path())
            .env("HIRELM_SHARED_DATA", &shared)
            .output()
            .expect("runs")
    };
    let ok = run("compare.toml");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/compare.json")).expect("json"))
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&ok.stderr)));
    // Exit status 0 only when every check's paired test says the tuned model is better; 1 when
    // one is undecided or worse (20 cases cannot settle every metric), with the reports written.
    let all_better = json["bar"]["checks"]
        .as_array()
        .is_some_and(|c| c.iter().all(|c| c["test"]["verdict"] == "better"));
    assert_eq!(
        ok.status.code(),
        Some(if all_better { 0 } else { 1 }),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // Two entries of eval/ci.toml (TECH, HOUSE) × two predictors, 20 cases each.
    assert_eq!(json["results"].as_array().map(Vec::len), Some(4));
    assert!(
        json["results"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r["cases"] == 20),
        "{json}"
    );
    let checks = json["bar"]["checks"].as_array().expect("checks");
    assert!(
        checks
            .iter()
            .any(|c| c["what"] == "rp@5" && c["outcome"] == "better"),
        "BM25 beats its three-word version: {checks:?}"
    );
    // Every metric check carries its paired test: acc@1 by McNemar, rp@5 by the bootstrap.
    let method = |what: &str| {
        checks
            .iter()
            .find(|c| c["what"] == what)
            .map(|c| c["test"]["method"].clone())
    };
    assert_eq!(method("acc@1"), Some("mc_nemar".into()), "{checks:?}");
    assert_eq!(method("rp@5"), Some("bootstrap".into()), "{checks:?}");
    // The claim turned round (the weakened predictor as the tuned one) fails: status 1, with
    // the reports written and the failing checks counted.
    std::fs::write(
        dir.path().join("reverse.toml"),
        config(r#"["bm25", "bm25-weakened"]"#)
            .replace("tuned = \"bm25\"", "tuned = \"bm25-weakened\"")
            .replace("untuned = \"bm25-weakened\"", "untuned = \"bm25\"")
            .replace("out = \"out\"", "out = \"reverse\"")
            .replace("readme = \"README.md\"\n", ""),
    )
    .expect("config");
    // `hirelm bench compare` with `args`, in the test's directory.
    let compare = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args(["bench", "compare"])
            .args(args)
            .current_dir(dir.path())
            .env("HIRELM_SHARED_DATA", &shared)
            .output()
            .expect("runs")
    };
    let reverse = compare(&["--config", "reverse.toml"]);
    let err = String::from_utf8_lossy(&reverse.stderr);
    assert_eq!(reverse.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the claim does not hold") && dir.path().join("reverse/compare.md").exists(),
        "{err}"
    );
    let md = std::fs::read_to_string(dir.path().join("reverse/compare.md")).expect("md");
    assert!(
        md.contains("**does not hold**") && md.contains("McNemar"),
        "{md}"
    );
    // The claim as JUnit: the same checks, a failing one as a failure with its interval.
    let junit = std::fs::read_to_string(dir.path().join("reverse/junit.xml")).expect("junit");
    let cases = junit.matches("<testcase ").count();
    let failures = junit.matches("<failure ").count();
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reverse/compare.json")).expect("json"),
    )
    .expect("JSON");
    let checks = json["bar"]["checks"].as_array().map_or(0, Vec::len);
    assert!(
        cases > 0 && failures > 0 && cases == checks,
        "{cases} cases, {failures} failures, {checks} checks: {junit}"
    );
    assert!(
        junit.contains("McNemar") && junit.contains("claim does not hold"),
        "{junit}"
    );
    // An entry that cannot run (an encoder directory that does not exist) is a failed run,
    // status 2, even though the other entries' reports are written.
    std::fs::write(
        dir.path().join("broken.toml"),
        config(r#"["bm25", "encoder-nn"]"#).replace("out = \"out\"", "out = \"broken\""),
    )
    .expect("config");
    let broken = compare(&[
        "--config",
        "broken.toml",
        "--limit",
        "5",
        "--encoder",
        "no-such-encoder",
    ]);
    let err = String::from_utf8_lossy(&broken.stderr);
    assert_eq!(broken.status.code(), Some(2), "{err}");
    assert!(
        err.contains("entries could not run") && dir.path().join("broken/compare.json").exists(),
        "{err}"
    );
    let readme = std::fs::read_to_string(dir.path().join("README.md")).expect("readme");
    assert!(
        readme.contains("| entry | task | metric | bm25 | bm25-weakened |")
            && !readme.contains("\nold\n")
            && readme.ends_with("<!-- compare:end -->\nend\n"),
        "{readme}"
    );
    assert!(
        std::fs::read_to_string(dir.path().join("out/compare.html"))
            .expect("html")
            .contains("<svg")
    );
    // --render rewrites the reports and the block from compare.json, running nothing.
    std::fs::write(
        dir.path().join("README.md"),
        "<!-- compare:begin -->\n<!-- compare:end -->\n",
    )
    .expect("readme");
    let render = Command::new(env!("CARGO_BIN_EXE_hirelm"))
        .args([
            "bench",
            "compare",
            "--config",
            "compare.toml",
            "--render",
            "out/compare.json",
            "--write-doc",
        ])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert!(
        render.status.code() == ok.status.code(),
        "{}",
        String::from_utf8_lossy(&render.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("README.md"))
            .expect("readme")
            .trim_end(),
        format!(
            "<!-- compare:begin -->\n{}\n<!-- compare:end -->",
            readme
                .split("<!-- compare:begin -->\n")
                .nth(1)
                .and_then(|r| r.split("\n<!-- compare:end -->").next())
                .expect("block")
        )
    );
    std::fs::write(dir.path().join("bad.toml"), config(r#"["bm25", "gpt-5"]"#)).expect("config");
    let bad = run("bad.toml");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        bad.status.code() == Some(2)
            && err.contains("bad.toml")
            && err.contains("suite[0]")
            && err.contains("`gpt-5`"),
        "{err}"
    );
    // --predictors runs a subset of the config's predictors, and names one it does not have.
    let subset_into = |only: &str, out: &str| {
        Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args([
                "bench",
                "compare",
                "--config",
                "compare.toml",
                "--limit",
                "5",
                "--no-readme",
                "--out",
                out,
                "--predictors",
                only,
            ])
            .current_dir(dir.path())
            .env("HIRELM_SHARED_DATA", &shared)
            .output()
            .expect("runs")
    };
    let subset = |only: &str| subset_into(only, "subset");
    // Without the untuned model there is no check: the claim is not shown (status 1).
    assert_eq!(subset("bm25").status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("subset/compare.json")).expect("json"),
    )
    .expect("parses");
    assert!(
        json["results"]
            .as_array()
            .is_some_and(|r| r.len() == 2 && r.iter().all(|r| r["predictor"] == "bm25")),
        "{json}"
    );
    // Parts that ran different predictors on the same cases join into one claim; a part that
    // ran other cases (here 20 per entry against 5) is refused, naming the entry and both.
    assert_eq!(subset_into("bm25-weakened", "part2").status.code(), Some(1));
    let merge = |parts: &[&str], out: &str| {
        Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args([
                "bench",
                "compare",
                "--config",
                "compare.toml",
                "--no-readme",
            ])
            .args(["--out", out, "--merge"])
            .args(parts)
            .current_dir(dir.path())
            .output()
            .expect("runs")
    };
    let joined = merge(&["subset/compare.json", "part2/compare.json"], "joined");
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("joined/compare.json")).expect("json"),
    )
    .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&joined.stderr)));
    assert!(
        json["results"].as_array().is_some_and(|r| r.len() == 4)
            && json["bar"]["checks"]
                .as_array()
                .is_some_and(|c| !c.is_empty()),
        "{json}"
    );
    assert!(matches!(joined.status.code(), Some(0 | 1)));
    let refused = merge(&["out/compare.json", "part2/compare.json"], "refused");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        refused.status.code() == Some(2)
            && err.contains("part2/compare.json")
            && err.contains("--limit 5")
            && err.contains("--limit 20"),
        "{err}"
    );
    let unknown = subset("bm25,gpt-5");
    assert!(
        !unknown.status.success()
            && String::from_utf8_lossy(&unknown.stderr).contains("`gpt-5` is not a predictor")
    );
    // Few-shot examples are read before anything runs: a missing file names the model and the file.
    let few_shot = "[[lm]]\nname = \"base-3shot\"\nfew_shot = { k = 3, data = \"no-such-train.parquet\" }\n[[suite]]";
    std::fs::write(
        dir.path().join("few.toml"),
        config(r#"["bm25", "base-3shot"]"#).replacen("[[suite]]", few_shot, 1),
    )
    .expect("config");
    let few = run("few.toml");
    let err = String::from_utf8_lossy(&few.stderr);
    assert!(
        !few.status.success()
            && err.contains("lm `base-3shot` few_shot")
            && err.contains("no-such-train.parquet"),
        "{err}"
    );
    // The committed sample shard has no normalise_title example: too few for k = 3 is an error.
    let shard = root.join("datasets/sample/hirelm-v2/train-00000-of-00064.parquet");
    std::fs::write(
        dir.path().join("few.toml"),
        config(r#"["bm25", "base-3shot"]"#).replacen(
            "[[suite]]",
            &few_shot.replace("no-such-train.parquet", &shard.display().to_string()),
            1,
        ),
    )
    .expect("config");
    let few = run("few.toml");
    let err = String::from_utf8_lossy(&few.stderr);
    assert!(
        !few.status.success()
            && err.contains(
                "train-00000-of-00064.parquet has 0 examples of normalise_title, fewer than k = 3"
            ),
        "{err}"
    );
}
