//! Contrastive encoder training on a tiny random BERT: the loss falls on a learnable task,
//! a checkpoint resumes to the same weights as an uninterrupted run, and the checkpointed
//! encoder directory loads as a sentence encoder.

use hirelm_model::bert::{BertActivation, BertConfig, BertModel, Scorer, TensorNames};
use hirelm_model::burn::tensor::Device;
use hirelm_train::contrastive::{ContrastiveOptions, ContrastiveTrainer, PairPosition, TextBatch};

fn config() -> BertConfig {
    BertConfig {
        vocab_size: 40,
        hidden_size: 16,
        num_layers: 2,
        num_heads: 2,
        intermediate_size: 32,
        max_position_embeddings: 16,
        type_vocab_size: 2,
        layer_norm_eps: 1e-12,
        activation: BertActivation::Gelu,
    }
}

/// Eight concepts: anchor `[1, 10 + c, 20 + c, 2]`, positive `[1, 30 + c, 2]`. The model must
/// learn which token pairs go together; nothing lexical gives it away.
fn batches() -> (TextBatch, TextBatch) {
    let anchors: Vec<Vec<u32>> = (0..8).map(|c| vec![1, 10 + c, 20 + c, 2]).collect();
    let positives: Vec<Vec<u32>> = (0..8).map(|c| vec![1, 30 + c, 2]).collect();
    let a: Vec<&[u32]> = anchors.iter().map(Vec::as_slice).collect();
    let p: Vec<&[u32]> = positives.iter().map(Vec::as_slice).collect();
    (TextBatch::collate(&a), TextBatch::collate(&p))
}

fn options(total_steps: usize) -> ContrastiveOptions {
    ContrastiveOptions {
        learning_rate: 3e-3,
        warmup_steps: 2,
        total_steps,
        temperature: 0.1,
        ..ContrastiveOptions::default()
    }
}

fn trainer(total_steps: usize) -> ContrastiveTrainer {
    let device = Device::flex().autodiff();
    let model = config().init(&device).expect("config");
    ContrastiveTrainer::new(model, options(total_steps), device).expect("trainer")
}

#[test]
fn the_loss_falls_and_a_resumed_run_matches_an_uninterrupted_one() {
    let (anchors, positives) = batches();
    let mut straight = trainer(30);
    let first = straight
        .train_step(
            std::slice::from_ref(&anchors),
            std::slice::from_ref(&positives),
        )
        .expect("step")
        .loss;
    let mut last = first;
    for _ in 1..30 {
        last = straight
            .train_step(
                std::slice::from_ref(&anchors),
                std::slice::from_ref(&positives),
            )
            .expect("step")
            .loss;
    }
    // ln 8 ≈ 2.08 for a model that cannot tell the pairs apart.
    assert!(first > 1.5 && last < 0.5 * first, "loss {first} → {last}");

    // Stop at step 12, checkpoint, resume into a fresh process's worth of state, finish.
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path().join("base");
    std::fs::create_dir_all(&base).expect("mkdir");
    let hf = serde_json::json!({
        "model_type": "bert", "vocab_size": 40, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
        "intermediate_size": 32, "max_position_embeddings": 16, "type_vocab_size": 2, "hidden_act": "gelu"
    });
    std::fs::write(base.join("config.json"), hf.to_string()).expect("config");
    std::fs::write(base.join("tokenizer.json"), "{}")
        .expect("a stand-in tokenizer file: only copied");
    // One run goes on in memory after its checkpoint at step 12; the other resumes from it.
    let mut first_half = trainer(30);
    for _ in 0..12 {
        first_half
            .train_step(
                std::slice::from_ref(&anchors),
                std::slice::from_ref(&positives),
            )
            .expect("step");
    }
    let position = PairPosition {
        cursor: 96,
        pairs_seen: 96,
        tokens_seen: 0,
        seed: 1,
        stream: 7,
    };
    let checkpoint = first_half
        .save_checkpoint(dir.path(), &base, position)
        .expect("save");
    assert!(checkpoint.ends_with("step-00000012"));
    let (mut resumed, saved) = ContrastiveTrainer::resume(
        &config(),
        options(30),
        Device::flex().autodiff(),
        &checkpoint,
    )
    .expect("resume");
    assert_eq!((resumed.step(), saved), (12, position));
    for _ in 12..30 {
        first_half
            .train_step(
                std::slice::from_ref(&anchors),
                std::slice::from_ref(&positives),
            )
            .expect("step");
        resumed
            .train_step(
                std::slice::from_ref(&anchors),
                std::slice::from_ref(&positives),
            )
            .expect("step");
    }
    let a = first_half.snapshot().to_hf_tensors();
    let b = resumed.snapshot().to_hf_tensors();
    let worst = a
        .iter()
        .zip(&b)
        .flat_map(|(x, y)| x.2.iter().zip(&y.2))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(worst <= 1e-6, "resumed weights differ by {worst}");

    // The checkpoint's encoder directory is a complete BERT checkpoint.
    let weights = hirelm_model::weights::SafetensorsWeights::open(
        checkpoint.join("encoder/model.safetensors"),
    )
    .expect("open");
    let reloaded = BertModel::load(&weights, &config(), &Device::flex()).expect("load");
    assert_eq!(
        reloaded.to_hf_tensors().len(),
        TensorNames::bare().expected(&config()).len()
    );
    assert!(
        checkpoint.join("encoder/1_Pooling/config.json").is_file()
            && checkpoint.join("encoder/modules.json").is_file()
    );
}

#[test]
fn token_attention_training_learns_the_pairs_too() {
    let (anchors, positives) = batches();
    let device = Device::flex().autodiff();
    let model = config().init(&device).expect("config");
    let options = ContrastiveOptions {
        scorer: Scorer::TokenAttention,
        ..options(30)
    };
    let mut trainer = ContrastiveTrainer::new(model, options, device).expect("trainer");
    let losses: Vec<f64> = (0..30)
        .map(|_| {
            trainer
                .train_step(
                    std::slice::from_ref(&anchors),
                    std::slice::from_ref(&positives),
                )
                .expect("step")
                .loss
        })
        .collect();
    let (first, last) = (losses[0], losses[29]);
    assert!(
        first > 1.5 && last < 0.5 * first,
        "token-attention loss {first} → {last}"
    );
}
