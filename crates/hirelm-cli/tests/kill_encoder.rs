//! Crash safety of `hirelm encoder train`: SIGKILL at random points (between steps, mid-step,
//! during a checkpoint or best-encoder write), resume, repeat; the final checkpoint's encoder
//! must equal an uninterrupted run's. Runs a tiny random BERT with MiniLM's real tokenizer
//! (scripts/fetch-models.sh) on synthetic pairs, validating on SkillSkape dev from
//! ../shared/data. `HIRELM_KILL_TRIALS` (default 4) scales it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use hirelm_core::{EncoderPair, PairSource};
use hirelm_model::bert::{BertActivation, BertConfig, Scorer, save_sentence_encoder};
use hirelm_model::burn::tensor::Device;
use hirelm_model::weights::{SafetensorsWeights, WeightSource};

const STEPS: usize = 60;

fn tiny_encoder(dir: &Path) -> PathBuf {
    let minilm =
        hirelm_model::fetched_model(hirelm_model::MINILM_DIR).unwrap_or_else(|e| panic!("{e}"));
    let base = dir.join("tiny-base");
    std::fs::create_dir_all(&base).expect("mkdir");
    let config = BertConfig {
        vocab_size: 30522,
        hidden_size: 16,
        num_layers: 2,
        num_heads: 2,
        intermediate_size: 32,
        max_position_embeddings: 64,
        type_vocab_size: 2,
        layer_norm_eps: 1e-12,
        activation: BertActivation::Gelu,
    };
    let hf = serde_json::json!({
        "model_type": "bert", "vocab_size": 30522, "hidden_size": 16, "num_hidden_layers": 2,
        "num_attention_heads": 2, "intermediate_size": 32, "max_position_embeddings": 64,
        "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu"
    });
    std::fs::write(base.join("config.json"), hf.to_string()).expect("config");
    std::fs::copy(minilm.join("tokenizer.json"), base.join("tokenizer.json")).expect("tokenizer");
    let model = config.init(&Device::flex()).expect("init");
    let out = dir.join("tiny");
    save_sentence_encoder(&model, &base, &out, Scorer::Mean).expect("save");
    out
}

fn pairs(dir: &Path) -> PathBuf {
    let words = [
        "python",
        "sales",
        "nursing",
        "welding",
        "accounting",
        "design",
        "teaching",
        "driving",
        "cooking",
        "legal",
    ];
    let mut lines = String::new();
    for i in 0..240 {
        let skill = words[i % words.len()];
        let pair = EncoderPair {
            anchor: format!(
                "We need {skill} experience, case {i}, and {} skills.",
                words[(i * 7 + 3) % words.len()]
            ),
            positive: format!("{skill} {}", i % 24),
            key: format!("{skill} {}", i % 24),
            source: PairSource::SkillSkape,
        };
        lines.push_str(&serde_json::to_string(&pair).expect("json"));
        lines.push('\n');
    }
    let path = dir.join("pairs.jsonl");
    std::fs::write(&path, lines).expect("pairs");
    path
}

fn recipe(dir: &Path, model: &Path, pairs: &Path) -> PathBuf {
    let text = format!(
        "[model]\nbase = \"{}\"\n[data]\npairs = \"{}\"\nmax_len = 32\n[optim]\nbatch_size = 8\nlearning_rate = 1e-3\nwarmup_steps = 3\ntotal_steps = {STEPS}\nweight_decay = 0.01\nmax_grad_norm = 1.0\nsymmetric = true\n[run]\nout_dir = \"{}\"\nseed = 5\neval_every = 20\ncheckpoint_every = 4\n",
        model.display(),
        pairs.display(),
        dir.join("unused").display()
    );
    let path = dir.join("recipe.toml");
    std::fs::write(&path, text).expect("recipe");
    path
}

fn train(recipe: &Path, out: &Path, resume: bool) -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = std::env::var_os("HIRELM_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hirelm"));
    cmd.args(["encoder", "train", "--valid-sentences", "16", "--config"])
        .arg(recipe)
        .arg("--out")
        .arg(out);
    if resume {
        cmd.arg("--resume");
    }
    cmd.env("HIRELM_SHARED_DATA", shared)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn latest_step(out: &Path) -> Option<u64> {
    hirelm_train::sft::latest_checkpoint(&out.join("checkpoints"))
        .and_then(|p| p.file_name()?.to_str()?.strip_prefix("step-")?.parse().ok())
}

fn final_weights(out: &Path) -> Vec<f32> {
    let path = out.join(format!(
        "checkpoints/step-{STEPS:08}/encoder/model.safetensors"
    ));
    let weights =
        SafetensorsWeights::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    [
        "encoder.layer.1.attention.self.query.weight",
        "embeddings.word_embeddings.weight",
    ]
    .iter()
    .flat_map(|name| weights.tensor_f32(name).expect("tensor").1)
    .collect()
}

#[test]
fn encoder_training_killed_at_random_points_resumes_to_the_uninterrupted_encoder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = tiny_encoder(dir.path());
    let recipe = recipe(dir.path(), &model, &pairs(dir.path()));
    let straight = dir.path().join("straight");
    let started = Instant::now();
    let out = train(&recipe, &straight, false).output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let full = started.elapsed();
    let expected = final_weights(&straight);
    // The run trained: the weights moved from the initial ones, and it validated and kept a best.
    let initial = SafetensorsWeights::open(model.join("model.safetensors")).expect("initial");
    let q0 = initial
        .tensor_f32("encoder.layer.1.attention.self.query.weight")
        .expect("q")
        .1;
    assert!(
        q0.iter().zip(&expected).any(|(a, b)| (a - b).abs() > 1e-4),
        "training changed nothing"
    );
    assert!(
        straight.join("best/model.safetensors").is_file() && straight.join("best.json").is_file()
    );
    let metrics = std::fs::read_to_string(straight.join("metrics.jsonl")).expect("metrics");
    assert_eq!(metrics.lines().count(), STEPS);
    assert!(
        metrics.contains("skillskape_dev_rp@5"),
        "no validation figure in the log"
    );

    let trials: usize = std::env::var("HIRELM_KILL_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let (mut kills, mut cycles) = (0, 0);
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
            std::thread::sleep(full.mul_f64(scale * (0.1 + 0.5 * (rng % 1000) as f64 / 1000.0)));
            if child.try_wait().expect("status").is_none() {
                child.kill().expect("SIGKILL");
                kills += 1;
            } else {
                scale *= 0.5;
            }
            let status = child.wait().expect("reaped");
            let after = latest_step(&killed);
            assert!(
                after >= before,
                "checkpoint went from {before:?} to {after:?}"
            );
            if status.success() {
                break;
            }
        }
        let got = final_weights(&killed);
        let worst = expected
            .iter()
            .zip(&got)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst <= 1e-6,
            "cycle {cycles}: after {} kills the encoder differs by {worst}",
            kills - killed_before
        );
        let metrics = std::fs::read_to_string(killed.join("metrics.jsonl")).expect("metrics");
        assert_eq!(
            metrics.lines().count(),
            STEPS,
            "the resumed log must hold each step once"
        );
        if kills == killed_before && cycles > 3 * trials {
            panic!("no run was killed in {cycles} cycles; the test measured nothing");
        }
    }
    eprintln!(
        "kill-encoder: {STEPS} steps, {kills} kills over {cycles} runs, every final encoder identical to the uninterrupted one; uninterrupted run {full:?}"
    );
}
