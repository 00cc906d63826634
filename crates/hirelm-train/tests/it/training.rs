//! The SFT step learns, touches only the adapters, and accumulates gradients correctly.

use hirelm_model::ChatTokens;
use hirelm_model::burn::tensor::Device;
use hirelm_model::llama::{InMemoryWeights, LlamaConfig, LlamaModel, random_weights};
use hirelm_train::sft::{SftOptions, SftTrainer, collate};
use hirelm_train::{LoraConfig, attach_fresh};

fn trainer(options: SftOptions) -> SftTrainer {
    let device = Device::flex().autodiff();
    let config = LlamaConfig::tiny_for_tests();
    let mut model = LlamaModel::load(
        &InMemoryWeights::new(random_weights(&config, 5)),
        config,
        &device,
    )
    .expect("loads");
    attach_fresh(
        &mut model,
        &LoraConfig {
            rank: 4,
            alpha: 8.0,
            ..Default::default()
        },
        2,
        &device,
    )
    .expect("attaches");
    SftTrainer::new(model, options, device).expect("autodiff device")
}

/// A "conversation": a prompt (ids 3..8) and an answer the assistant must learn (ids 40..50).
fn example() -> ChatTokens {
    let ids: Vec<u32> = (3..8).chain(40..50).collect();
    ChatTokens {
        assistant_mask: ids.iter().map(|&t| t >= 40).collect(),
        ids,
    }
}

fn weights_of_q(trainer: &SftTrainer) -> Vec<f32> {
    trainer.model().layers[0]
        .self_attn
        .q_proj
        .weight
        .val()
        .into_data()
        .try_into_vec_as::<f32>()
        .expect("f32")
}

#[test]
fn loss_falls_and_base_weights_stay_frozen() {
    let options = SftOptions {
        learning_rate: 1e-2,
        warmup_steps: 0,
        total_steps: 40,
        ..Default::default()
    };
    let mut t = trainer(options);
    let batch = collate(&[example()], 64, 0);
    let base_before = weights_of_q(&t);
    let first = t.eval_loss(&batch);
    let mut last = first;
    for _ in 0..40 {
        let stats = t.train_step(std::slice::from_ref(&batch)).expect("step");
        assert!(stats.loss.is_finite() && stats.grad_norm.is_finite());
        assert_eq!(stats.loss_tokens, 10);
        last = stats.loss;
    }
    let after = t.eval_loss(&batch);
    assert!(
        after < 0.5 * first,
        "loss {first:.3} -> {after:.3} (last step {last:.3})"
    );
    assert_eq!(
        weights_of_q(&t),
        base_before,
        "the frozen base weight moved"
    );
}

#[test]
fn accumulating_identical_micro_batches_equals_one_batch() {
    let options = SftOptions {
        learning_rate: 5e-3,
        warmup_steps: 0,
        total_steps: 10,
        ..Default::default()
    };
    let (mut single, mut double) = (trainer(options.clone()), trainer(options));
    let batch = collate(&[example()], 64, 0);
    for _ in 0..3 {
        single
            .train_step(std::slice::from_ref(&batch))
            .expect("step");
        double
            .train_step(&[batch.clone(), batch.clone()])
            .expect("step");
    }
    let (a, b) = (single.eval_loss(&batch), double.eval_loss(&batch));
    assert!((a - b).abs() < 1e-5, "{a} vs {b}");
}

#[test]
fn refuses_a_device_without_autodiff() {
    let device = Device::flex();
    let config = LlamaConfig::tiny_for_tests();
    let model = LlamaModel::load(
        &InMemoryWeights::new(random_weights(&config, 5)),
        config,
        &device,
    )
    .expect("loads");
    let err = SftTrainer::new(model, SftOptions::default(), device).expect_err("no autodiff");
    assert!(err.to_string().contains("autodiff"), "{err}");
}

#[test]
fn resuming_from_a_checkpoint_equals_training_straight_through() {
    let options = SftOptions {
        learning_rate: 5e-3,
        warmup_steps: 2,
        total_steps: 8,
        ..Default::default()
    };
    let lora = LoraConfig {
        rank: 4,
        alpha: 8.0,
        ..Default::default()
    };
    let batch = collate(&[example()], 64, 0);
    let data = hirelm_train::sft::DataPosition {
        examples_seen: 0,
        seed: 1,
        stream: Some(7),
    };
    let run = tempfile::tempdir().expect("tempdir");

    let mut straight = trainer(options.clone());
    for _ in 0..8 {
        straight
            .train_step(std::slice::from_ref(&batch))
            .expect("step");
    }

    let mut first = trainer(options.clone());
    for _ in 0..4 {
        first
            .train_step(std::slice::from_ref(&batch))
            .expect("step");
    }
    first
        .save_checkpoint(run.path(), &lora, data)
        .expect("checkpoint");
    // A run killed while writing its next checkpoint leaves a partial directory behind.
    std::fs::create_dir_all(run.path().join(".step-00000005.partial")).expect("mkdir");
    std::fs::write(
        run.path()
            .join(".step-00000005.partial/adapter_model.safetensors"),
        b"torn",
    )
    .expect("write");
    drop(first);

    let checkpoint =
        hirelm_train::sft::latest_checkpoint(run.path()).expect("a complete checkpoint");
    assert!(
        checkpoint.ends_with("step-00000004"),
        "{}",
        checkpoint.display()
    );
    let device = Device::flex().autodiff();
    let config = LlamaConfig::tiny_for_tests();
    let base = LlamaModel::load(
        &InMemoryWeights::new(random_weights(&config, 5)),
        config,
        &device,
    )
    .expect("loads");
    let (mut resumed, loaded_lora, position) =
        SftTrainer::resume(base, options, device, &checkpoint).expect("resumes");
    assert_eq!((resumed.step(), loaded_lora, position), (4, lora, data));
    for _ in 0..4 {
        resumed
            .train_step(std::slice::from_ref(&batch))
            .expect("step");
    }
    let b_of = |t: &SftTrainer| {
        let adapter = t.model().layers[1]
            .mlp
            .down_proj
            .adapter
            .as_ref()
            .expect("attached");
        adapter
            .b
            .val()
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32")
    };
    let (a, b) = (b_of(&straight), b_of(&resumed));
    let worst = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst <= 1e-6,
        "resumed adapter differs from the straight run by {worst}"
    );
    assert!(a.iter().any(|v| *v != 0.0), "training must have moved B");
}

#[test]
fn a_packed_batch_has_the_token_weighted_loss_of_its_examples_alone() {
    use hirelm_train::sft::collate_packed;
    let options = SftOptions {
        learning_rate: 1e-2,
        warmup_steps: 0,
        total_steps: 5,
        ..Default::default()
    };
    let mut t = trainer(options);
    // Train a little so the adapters are not zero and the check covers them too.
    let warm = collate(&[example()], 64, 0);
    for _ in 0..3 {
        t.train_step(std::slice::from_ref(&warm)).expect("step");
    }
    let other = {
        let ids: Vec<u32> = (60..64).chain(20..27).collect();
        ChatTokens {
            assistant_mask: ids.iter().map(|&t| t < 60).collect(),
            ids,
        }
    };
    let alone: Vec<(f64, usize)> = [example(), other.clone()]
        .iter()
        .map(|e| {
            let b = collate(std::slice::from_ref(e), 64, 0);
            (t.eval_loss(&b), b.loss_tokens())
        })
        .collect();
    let weighted = alone.iter().map(|(l, n)| l * *n as f64).sum::<f64>()
        / alone.iter().map(|(_, n)| *n as f64).sum::<f64>();
    let packed = collate_packed(&[example(), other], 64, 0, 4);
    assert_eq!(
        (packed.len(), packed[0].batch),
        (1, 1),
        "both examples share one row"
    );
    let loss = t.eval_loss(&packed[0]);
    assert!(
        (loss - weighted).abs() < 1e-5,
        "packed {loss} vs alone {weighted}"
    );
    // Without the block mask the second example would see the first: the loss must differ.
    let mut leaky = packed[0].clone();
    leaky.segments = None;
    assert!(
        (t.eval_loss(&leaky) - weighted).abs() > 1e-4,
        "the mask must matter for this check to mean anything"
    );
    // And a packed step trains.
    let stats = t.train_step(&packed).expect("packed step");
    assert!(stats.loss.is_finite() && stats.loss_tokens == packed[0].loss_tokens());
}
