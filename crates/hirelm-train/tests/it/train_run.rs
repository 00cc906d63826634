//! `run::train` end to end on a tiny random Llama with the real SmolLM2 tokenizer (fetched by
//! scripts/fetch-models.sh): logs, loss curve, adapter, and an interrupted run that resumes to
//! the same adapter as an uninterrupted one.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use hirelm_core::{Example, Provenance, Task};
use hirelm_model::TextTokenizer;
use hirelm_model::gguf::GgufFile;
use hirelm_model::llama::{HfLlamaConfig, LlamaConfig, random_weights};
use hirelm_model::weights::{SafetensorsWeights, WeightSource, write_safetensors};
use hirelm_train::run::{
    DataSection, LoraSection, ModelSection, OptimSection, RunSection, TrainConfig, train,
};

fn smollm2_gguf() -> PathBuf {
    hirelm_model::fetched_model(hirelm_model::SMOLLM2_GGUF).unwrap_or_else(|e| panic!("{e}"))
}

/// An HF-format directory with a tiny random Llama over SmolLM2's real vocabulary.
fn tiny_model_dir(dir: &Path) -> PathBuf {
    let model = dir.join("tiny");
    std::fs::create_dir_all(&model).expect("mkdir");
    let config = LlamaConfig {
        vocab_size: 49152,
        max_seq_len: 512,
        ..LlamaConfig::tiny_for_tests()
    };
    std::fs::write(
        model.join("config.json"),
        HfLlamaConfig::from_config(&config).to_string(),
    )
    .expect("config");
    write_safetensors(
        &model.join("model.safetensors"),
        &random_weights(&config, 11),
    )
    .expect("weights");
    let tokenizer = TextTokenizer::from_gguf(&GgufFile::open(&smollm2_gguf()).expect("gguf"))
        .expect("tokenizer");
    tokenizer
        .inner()
        .save(model.join("tokenizer.json"), false)
        .expect("tokenizer.json");
    model
}

fn examples() -> Vec<Example> {
    let rows = [
        (
            "Experience with Python and SQL is required.",
            vec!["Python (computer programming)", "SQL"],
        ),
        ("You will manage a team of nurses.", vec!["manage staff"]),
        ("Fluent German is a plus.", vec!["German"]),
        ("Build REST APIs in Rust.", vec!["Rust", "develop APIs"]),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (input, skills))| Example {
            task: Task::ExtractSkills,
            input: serde_json::Value::String(input.to_string()),
            target: serde_json::json!({ "skills": skills }),
            provenance: Provenance {
                source: "test".into(),
                licence: "CC0-1.0".into(),
                synthetic: true,
                seed: 0,
                group: format!("g{i}"),
                confidence: None,
            },
        })
        .collect()
}

fn config(model: &Path, out: &Path, total_steps: usize) -> TrainConfig {
    TrainConfig {
        model: ModelSection {
            base: model.display().to_string(),
        },
        data: DataSection {
            train: "unused".into(),
            valid: "unused".into(),
            max_len: 256,
            max_per_task: None,
            tasks: None,
            pack: false,
        },
        lora: LoraSection {
            rank: 4,
            alpha: 8.0,
            target_modules: vec!["q_proj".into(), "v_proj".into()],
            use_rslora: false,
            init: None,
        },
        optim: OptimSection {
            learning_rate: 1e-2,
            warmup_steps: 1,
            total_steps,
            min_lr_ratio: 0.1,
            weight_decay: 0.0,
            max_grad_norm: Some(1.0),
            batch_size: 2,
            grad_accum: 1,
        },
        run: RunSection {
            out_dir: out.to_path_buf(),
            seed: 5,
            eval_every: 2,
            checkpoint_every: 2,
            eval_examples: 2,
            generate_examples: 1,
        },
        consistency: None,
    }
}

fn adapter_b(dir: &Path) -> Vec<f32> {
    let weights = SafetensorsWeights::open(dir.join("adapter_model.safetensors")).expect("adapter");
    weights
        .tensor_f32("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight")
        .expect("tensor")
        .1
}

#[test]
fn a_run_writes_its_outputs_and_resumes_exactly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = tiny_model_dir(tmp.path());
    let data = examples();

    let straight = tmp.path().join("straight");
    let mut reports = Vec::new();
    let summary = train(
        &config(&model, &straight, 6),
        &data,
        &data[..2],
        false,
        &mut |r| {
            reports.push(r.clone());
            ControlFlow::Continue(())
        },
    )
    .expect("trains");
    assert_eq!(reports.len(), 6);
    assert!(
        reports
            .iter()
            .all(|r| r.loss.is_finite() && r.tokens > 0 && r.tokens_per_second > 0.0)
    );
    assert!(reports[1].valid_loss.is_some() && reports[0].valid_loss.is_none());
    assert!(
        reports[5].valid_json_rate.is_some(),
        "the generation check runs at validation steps"
    );
    assert_eq!(
        std::fs::read_to_string(straight.join("metrics.jsonl"))
            .expect("log")
            .lines()
            .count(),
        6
    );
    assert!(
        std::fs::read_to_string(straight.join("loss.svg"))
            .expect("svg")
            .contains("<polyline")
    );
    assert_eq!(summary.resumed_from, 0);

    // A fresh run refuses a directory with checkpoints; a resume refuses one without.
    let err = train(
        &config(&model, &straight, 6),
        &data,
        &data[..2],
        false,
        &mut |_| ControlFlow::Continue(()),
    )
    .expect_err("checkpoints exist");
    assert!(err.to_string().contains("earlier run"), "{err}");
    let empty = tmp.path().join("empty");
    let err = train(
        &config(&model, &empty, 6),
        &data,
        &data[..2],
        true,
        &mut |_| ControlFlow::Continue(()),
    )
    .expect_err("nothing to resume");
    assert!(err.to_string().contains("no complete checkpoint"), "{err}");

    // The same run, stopped after step 3 (between two checkpoint steps), then resumed to 6.
    let interrupted = tmp.path().join("interrupted");
    let stop_at_3 = &mut |r: &hirelm_train::run::StepReport| {
        if r.step == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let first = train(
        &config(&model, &interrupted, 6),
        &data,
        &data[..2],
        false,
        stop_at_3,
    )
    .expect("first half");
    assert!(first.stopped && !interrupted.join("adapter").exists());
    // Another data stream from the saved position would not continue the run: refused.
    let mut shorter = config(&model, &interrupted, 6);
    shorter.data.max_len -= 8;
    let err = train(&shorter, &data, &data[..2], true, &mut |_| {
        ControlFlow::Continue(())
    })
    .expect_err("other data stream");
    assert!(err.to_string().contains("another data stream"), "{err}");
    let err = train(
        &config(&model, &interrupted, 6),
        &data[1..],
        &data[..2],
        true,
        &mut |_| ControlFlow::Continue(()),
    )
    .expect_err("other data");
    assert!(err.to_string().contains("another data stream"), "{err}");
    let resumed = train(
        &config(&model, &interrupted, 6),
        &data,
        &data[..2],
        true,
        &mut |_| ControlFlow::Continue(()),
    )
    .expect("resumes");
    assert!(!resumed.stopped);
    assert_eq!(resumed.resumed_from, 3);
    assert_eq!(
        std::fs::read_to_string(interrupted.join("metrics.jsonl"))
            .expect("log")
            .lines()
            .count(),
        6
    );

    let (a, b) = (
        adapter_b(&summary.adapter_dir),
        adapter_b(&resumed.adapter_dir),
    );
    let worst = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst <= 1e-6,
        "resumed run differs from the straight run by {worst}"
    );
    assert!(a.iter().any(|v| *v != 0.0));
}

#[test]
fn data_tasks_trains_on_the_named_tasks_only() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = tiny_model_dir(tmp.path());
    let mut data = examples();
    let mut title = data[0].clone();
    title.task = Task::NormaliseTitle;
    title.input = serde_json::json!("Sr. Python dev");
    title.target = serde_json::json!({ "label": "software developer" });
    data.push(title);

    let mut only_skills = config(&model, &tmp.path().join("skills"), 2);
    only_skills.data.tasks = Some(vec![Task::ExtractSkills]);
    let summary = train(&only_skills, &data, &data, false, &mut |_| {
        ControlFlow::Continue(())
    })
    .expect("trains");
    assert_eq!(
        summary.per_task.into_iter().collect::<Vec<_>>(),
        vec![(Task::ExtractSkills, 4)]
    );

    let mut absent = config(&model, &tmp.path().join("absent"), 2);
    absent.data.tasks = Some(vec![Task::ScoreMatch]);
    let err = train(&absent, &data, &data, false, &mut |_| {
        ControlFlow::Continue(())
    })
    .expect_err("no such examples");
    assert!(
        err.to_string().contains("data.tasks") && err.to_string().contains("ScoreMatch"),
        "{err}"
    );

    let mut empty = config(&model, &tmp.path().join("empty"), 2);
    empty.data.tasks = Some(Vec::new());
    assert!(
        empty
            .validate()
            .expect_err("refused")
            .to_string()
            .contains("data.tasks")
    );
}

#[test]
fn a_warm_start_trains_on_from_the_given_adapter_and_refuses_another_shape() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = tiny_model_dir(tmp.path());
    let data = examples();
    let first = tmp.path().join("first");
    let done = train(
        &config(&model, &first, 4),
        &data,
        &data[..2],
        false,
        &mut |_| ControlFlow::Continue(()),
    )
    .expect("first run");
    let trained = adapter_b(&done.adapter_dir);
    assert!(
        trained.iter().any(|v| v.abs() > 1e-4),
        "B moved in training"
    );

    // One step at a vanishing learning rate: a warm start keeps the trained B, a fresh start
    // keeps its zero B, so the two prove where each began.
    let nudge = |out: &Path, init: Option<PathBuf>| {
        let mut c = config(&model, out, 1);
        c.optim.learning_rate = 1e-9;
        c.lora.init = init;
        c
    };
    let warm = tmp.path().join("warm");
    let summary = train(
        &nudge(&warm, Some(done.adapter_dir.clone())),
        &data,
        &data[..2],
        false,
        &mut |_| ControlFlow::Continue(()),
    )
    .expect("warm run");
    let after = adapter_b(&summary.adapter_dir);
    let drift = trained
        .iter()
        .zip(&after)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(drift < 1e-5, "warm start drifted by {drift}");
    let cold = tmp.path().join("cold");
    let fresh = train(&nudge(&cold, None), &data, &data[..2], false, &mut |_| {
        ControlFlow::Continue(())
    })
    .expect("fresh run");
    assert!(adapter_b(&fresh.adapter_dir).iter().all(|v| v.abs() < 1e-5));

    let mut other = nudge(&tmp.path().join("other"), Some(done.adapter_dir));
    other.lora.rank = 8;
    let err = train(&other, &data, &data[..2], false, &mut |_| {
        ControlFlow::Continue(())
    })
    .expect_err("rank 4 adapter under a rank 8 recipe");
    let message = err.to_string();
    assert!(
        message.contains("lora.init") && message.contains("rank 4"),
        "{message}"
    );
}
