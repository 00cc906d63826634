//! The `hirelm` binary end to end, on the fetched models (scripts/fetch-models.sh).
//!
//! One test binary: the model, chat, embedding, ask, dedup and models-directory commands here,
//! the evaluation gate in `eval_gate`.

#[path = "../common/mod.rs"]
mod common;
mod eval_gate;

use std::process::Command;

use common::{hirelm, model, smollm2};

#[test]
fn model_info_describes_the_gguf() {
    let out = hirelm(&["model", "info", &smollm2()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("architecture:  llama"), "{text}");
    assert!(text.contains("30 layers, d_model 576"), "{text}");
    assert!(text.contains("Q4_1   210"), "{text}");
}

#[test]
fn truncated_gguf_fails_with_offset_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(smollm2()).expect("reads");
    let cut = dir.path().join("cut.gguf");
    std::fs::write(&cut, &bytes[..1000]).expect("writes");
    let out = hirelm(&["model", "info", cut.to_str().expect("utf-8 path")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("byte offset") && err.contains("field"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn greedy_chat_generation_is_deterministic_and_reports_speed() {
    let args = [
        "generate",
        "--model",
        &smollm2(),
        "--chat",
        "--prompt",
        "Name one skill of a nurse.",
        "--max-tokens",
        "12",
    ];
    let (a, b) = (hirelm(&args), hirelm(&args));
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let text = String::from_utf8_lossy(&a.stdout);
    assert!(!text.trim().is_empty());
    assert_eq!(a.stdout, b.stdout, "greedy decoding must repeat exactly");
    let err = String::from_utf8_lossy(&a.stderr);
    assert!(err.contains("decode") && err.contains("t/s"), "{err}");
}

#[test]
fn invalid_sampling_options_are_refused() {
    let out = hirelm(&[
        "generate",
        "--model",
        &smollm2(),
        "--prompt",
        "x",
        "--top-p",
        "1.5",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--top-p"));
}

#[test]
fn embed_prints_one_unit_vector_per_text() {
    let out = hirelm(&[
        "embed",
        "--model",
        &model("all-minilm-l6-v2"),
        "Rust engineer",
        "Registered nurse",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<f32>> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json array"))
        .collect();
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row.len(), 384);
        let norm: f32 = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    }
}

#[test]
fn ask_answers_with_schema_valid_json_from_the_shipped_adapter() {
    let sentence = "Experience with Python and SQL is required.";
    let out = hirelm(&[
        "ask",
        "extract_skills",
        sentence,
        "--base",
        &smollm2(),
        "--generate-skills",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    hirelm_core::validate(hirelm_core::Task::ExtractSkills, &value)
        .expect("valid against the task schema");
    let skills = value["skills"].as_array().expect("skills list");
    assert!(!skills.is_empty(), "the tuned model names a skill: {value}");
    // The same question to the untuned model is answered under the same constraint.
    let base = hirelm(&[
        "ask",
        "extract_skills",
        sentence,
        "--base",
        &smollm2(),
        "--no-adapter",
        "--generate-skills",
    ]);
    assert!(
        base.status.success(),
        "{}",
        String::from_utf8_lossy(&base.stderr)
    );
    let base_value: serde_json::Value =
        serde_json::from_slice(&base.stdout).expect("stdout is JSON");
    hirelm_core::validate(hirelm_core::Task::ExtractSkills, &base_value).expect("valid");
}

#[test]
fn ask_refuses_an_unknown_task_and_a_missing_adapter() {
    let out = hirelm(&["ask", "write_poem", "x", "--base", &smollm2()]);
    assert!(!out.status.success());
    let out = hirelm(&[
        "ask",
        "extract_skills",
        "x",
        "--base",
        &smollm2(),
        "--adapter",
        "/nonexistent/adapter",
        "--generate-skills",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("adapter_model.safetensors"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn dedup_streams_the_committed_sample_and_names_bad_inputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../datasets/sample/hirelm-v2/train-00000-of-00064.parquet"
    );
    let out = dir.path().join("kept.parquet");
    let report = dir.path().join("report.json");
    let out_s = out.to_string_lossy().to_string();
    let report_s = report.to_string_lossy().to_string();
    let run = hirelm(&[
        "dedup", sample, &out_s, "--column", "input", "--report", &report_s,
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    let (rows, kept) = (
        json["rows"].as_u64().expect("rows"),
        json["kept"].as_u64().expect("kept"),
    );
    assert!(
        rows > 100 && kept <= rows && json["permutations_a"].as_array().map(Vec::len) == Some(128),
        "{json}"
    );
    assert!(out.exists());

    let missing = hirelm(&["dedup", "no/such.parquet", &out_s]);
    assert!(
        !missing.status.success()
            && String::from_utf8_lossy(&missing.stderr).contains("no/such.parquet")
    );
    let bad_column = hirelm(&["dedup", sample, &out_s, "--column", "body"]);
    let stderr = String::from_utf8_lossy(&bad_column.stderr);
    assert!(
        !bad_column.status.success()
            && stderr.contains("no column `body`")
            && stderr.contains("input"),
        "{stderr}"
    );
}

/// `hirelm` finds its default models from any directory (the models/ of the checkout it was
/// built from, or of one above the current directory), and `HIRELM_MODELS_DIR` or
/// `--models-dir` moves them.
#[test]
fn default_models_are_found_from_any_directory_and_the_models_dir_moves_them() {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let generate = |models_dir: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hirelm"));
        command
            .args(["generate", "--prompt", "Hello", "--max-tokens", "1"])
            .current_dir(elsewhere.path())
            .env_remove("HIRELM_MODELS_DIR");
        if let Some(dir) = models_dir {
            command.env("HIRELM_MODELS_DIR", dir);
        }
        command.output().expect("runs")
    };
    let found = generate(None);
    assert!(
        found.status.success(),
        "{}",
        String::from_utf8_lossy(&found.stderr)
    );
    let moved = generate(Some("/nonexistent/hirelm-models"));
    let err = String::from_utf8_lossy(&moved.stderr);
    assert!(
        !moved.status.success() && err.contains("/nonexistent/hirelm-models"),
        "{err}"
    );
    // --models-dir moves them too, ahead of the environment, in either spelling.
    for flag in [
        vec!["--models-dir", "/nonexistent/flag-models"],
        vec!["--models-dir=/nonexistent/flag-models"],
    ] {
        let flagged = Command::new(env!("CARGO_BIN_EXE_hirelm"))
            .args(["generate", "--prompt", "Hello", "--max-tokens", "1"])
            .args(&flag)
            .current_dir(elsewhere.path())
            .env("HIRELM_MODELS_DIR", "/nonexistent/env-models")
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&flagged.stderr);
        assert!(
            !flagged.status.success() && err.contains("/nonexistent/flag-models"),
            "{flag:?}: {err}"
        );
    }
}
