//! Crash safety of `hirelm train`: SIGKILL at random points (between steps, mid-step, during a
//! checkpoint write), resume, repeat; the final adapter must equal an uninterrupted run's.
//! Runs a tiny random Llama with SmolLM2's real tokenizer (scripts/fetch-models.sh) on the
//! committed dataset sample. `HIRELM_KILL_TRIALS` (default 6) and `HIRELM_KILL_STEPS` (default
//! 200 training steps) scale it up for the long loop (`scripts/kill-resume.sh`). The steps must
//! outweigh start-up: kills land at a fraction of the uninterrupted run's time, and with the
//! fused head loss a tiny model's step takes about 20 ms, so at 30 steps start-up was most of a
//! run and resumed runs were mostly killed before their first checkpoint.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::tiny_model;
use hirelm_model::weights::{SafetensorsWeights, WeightSource};

mod common;

fn recipe(dir: &Path, model: &Path, steps: usize) -> PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/sample/hirelm-v2");
    let text = format!(
        r#"[model]
base = "{model}"
[data]
train = "{train}"
valid = "{valid}"
max_len = 128
[lora]
rank = 4
alpha = 8.0
target_modules = ["q_proj", "v_proj"]
use_rslora = false
[optim]
learning_rate = 1e-2
warmup_steps = 2
total_steps = {steps}
min_lr_ratio = 0.1
weight_decay = 0.0
max_grad_norm = 1.0
batch_size = 2
grad_accum = 1
[run]
out_dir = "{out}"
seed = 3
eval_every = 10
checkpoint_every = 2
eval_examples = 2
generate_examples = 0
"#,
        model = model.display(),
        train = sample.join("train-00000-of-00064.parquet").display(),
        valid = sample.join("valid-00000-of-00064.parquet").display(),
        out = dir.join("unused").display(),
    );
    let path = dir.join("recipe.toml");
    std::fs::write(&path, text).expect("recipe");
    path
}

fn train(recipe: &Path, out: &Path, resume: bool) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hirelm"));
    cmd.args(["train", "--config"])
        .arg(recipe)
        .arg("--out")
        .arg(out);
    if resume {
        cmd.arg("--resume");
    }
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    cmd
}

/// The newest complete checkpoint's step.
fn latest_step(out: &Path) -> Option<u64> {
    hirelm_train::sft::latest_checkpoint(&out.join("checkpoints"))
        .and_then(|p| p.file_name()?.to_str()?.strip_prefix("step-")?.parse().ok())
}

fn adapter_b(dir: &Path) -> Vec<f32> {
    let weights = SafetensorsWeights::open(dir.join("adapter_model.safetensors")).expect("adapter");
    weights
        .tensor_f32("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight")
        .expect("tensor")
        .1
}

#[test]
fn training_killed_at_random_points_resumes_to_the_uninterrupted_adapter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = tiny_model(dir.path());
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let steps = env("HIRELM_KILL_STEPS", 200);
    let recipe = recipe(dir.path(), &model, steps);
    let straight = dir.path().join("straight");
    let started = Instant::now();
    let out = train(&recipe, &straight, false).output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let full = started.elapsed();

    // Cycles of kill-and-resume until a run completes, each in a fresh directory, until
    // `trials` kills have happened.
    let trials = env("HIRELM_KILL_TRIALS", 6);
    let expected = adapter_b(&straight.join("adapter"));
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let (mut kills, mut resumes, mut cycles) = (0, 0, 0);
    // Kills land at a fraction of the uninterrupted run's time. When the machine speeds up
    // (the measured run shared the CPUs with other work), a run can finish before its kill:
    // each time that happens the fractions halve, so the test adapts instead of measuring nothing.
    let mut scale = 1.0f64;
    while kills < trials {
        let killed = dir.path().join(format!("killed-{cycles}"));
        cycles += 1;
        let killed_before = kills;
        loop {
            let before = latest_step(&killed);
            let mut child = train(&recipe, &killed, before.is_some())
                .spawn()
                .expect("starts");
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            // From start-up to a third of a whole run, so most runs die part-way.
            std::thread::sleep(full.mul_f64(scale * (0.05 + 0.3 * (rng % 1000) as f64 / 1000.0)));
            if child.try_wait().expect("status").is_none() {
                child.kill().expect("SIGKILL");
                kills += 1;
            } else {
                scale *= 0.5;
            }
            let status = child.wait().expect("reaped");
            resumes += usize::from(before.is_some());
            // Work is never lost beyond the last checkpoint: the newest one never goes backwards.
            let after = latest_step(&killed);
            assert!(
                after >= before,
                "checkpoint went from {before:?} to {after:?}"
            );
            if status.success() {
                break;
            }
        }
        let b = adapter_b(&killed.join("adapter"));
        let worst = expected
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst <= 1e-6,
            "cycle {cycles}: after {} kills the adapter differs by {worst}",
            kills - killed_before
        );
        // No half-written checkpoint is ever taken for a complete one.
        for entry in std::fs::read_dir(killed.join("checkpoints"))
            .expect("dir")
            .filter_map(Result::ok)
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                name.starts_with("step-") || name.starts_with(".step-"),
                "unexpected {name}"
            );
        }
        if kills == killed_before && cycles > 3 * trials {
            panic!("no run was killed in {cycles} cycles; the test measured nothing");
        }
    }
    eprintln!(
        "kill-resume: {steps} steps, {kills} kills, {resumes} resumes over {cycles} runs to completion, every final adapter identical to the uninterrupted one; uninterrupted run {full:?}"
    );
}
