//! `hirelm train` with a `[consistency]` section: perturbed copies of the training inputs made
//! by the trained families only, recorded in `consistency.json`, and recipes that could not
//! measure consistency refused before any training. A tiny random Llama with SmolLM2's real
//! tokenizer (scripts/fetch-models.sh) on the committed dataset sample.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::tiny_model;
use hirelm_core::Task;

mod common;

fn sample(split: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "../../datasets/sample/hirelm-v2/{split}-00000-of-00064.parquet"
    ))
}

/// A two-step recipe on the sample's scheduling and evaluation examples with `consistency` as
/// its `[consistency]` section.
fn recipe(dir: &Path, model: &Path, consistency: &str) -> PathBuf {
    let text = format!(
        r#"[model]
base = "{model}"
[data]
train = "{train}"
valid = "{valid}"
tasks = ["schedule_interview", "evaluate_candidate"]
max_len = 500
[lora]
rank = 4
alpha = 8.0
target_modules = ["q_proj", "v_proj"]
[optim]
learning_rate = 1e-2
warmup_steps = 1
total_steps = 2
max_grad_norm = 1.0
batch_size = 2
[run]
out_dir = "{out}"
seed = 3
eval_examples = 2
[consistency]
{consistency}
"#,
        model = model.display(),
        train = sample("train").display(),
        valid = sample("valid").display(),
        out = dir.join("run").display(),
    );
    let path = dir.join("recipe.toml");
    std::fs::write(&path, text).expect("recipe");
    path
}

fn train(recipe: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hirelm"))
        .args(["train", "--config"])
        .arg(recipe)
        .output()
        .expect("the binary runs")
}

#[test]
fn copies_come_from_the_trained_families_and_are_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = tiny_model(dir.path());
    let recipe = recipe(
        dir.path(),
        &model,
        r#"families = ["reorder_fields", "whitespace_punct"]
held_out = ["casing", "name_swap"]"#,
    );
    let out = train(&recipe);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(dir.path().join("run/adapter").is_dir(), "{stderr}");

    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("run/consistency.json")).expect("record"),
    )
    .expect("JSON");
    let clean = hirelm_curate::parquet_io::read_examples(&sample("train"))
        .expect("sample")
        .iter()
        .filter(|e| matches!(e.task, Task::ScheduleInterview | Task::EvaluateCandidate))
        .count();
    assert_eq!(record["clean_examples"], clean);
    assert_eq!(
        record["held_out"],
        serde_json::json!(["casing", "name_swap"])
    );
    let per_family = record["copies_per_family"].as_object().expect("counts");
    assert!(
        per_family
            .keys()
            .all(|k| k == "reorder_fields" || k == "whitespace_punct"),
        "{per_family:?}"
    );
    let copies: u64 = per_family.values().filter_map(|n| n.as_u64()).sum();
    let untouched = record["untouched"].as_u64().expect("untouched");
    assert_eq!(copies + untouched, clean as u64, "one copy or a count each");
    assert!(copies > 0);
}

#[test]
fn recipes_that_cannot_measure_consistency_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = tiny_model(dir.path());
    for (section, expected) in [
        (
            r#"families = ["reorder_fields"]
held_out = ["casing"]"#,
            "consistency.held_out",
        ),
        (
            r#"families = ["emoji"]
held_out = ["casing", "name_swap"]"#,
            "unknown perturbation pack `emoji`",
        ),
        (
            r#"families = ["casing", "synonym"]
held_out = ["synonym", "name_swap"]"#,
            "`synonym` is both",
        ),
    ] {
        let out = train(&recipe(dir.path(), &model, section));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{expected} in {stderr}");
        assert!(!dir.path().join("run/checkpoints").exists(), "{stderr}");
    }
}
