//! The fused head loss (`FrozenHead`) gives the loss and the adapter gradients that autodiff
//! through the full logits gives.

use hirelm_model::ChatTokens;
use hirelm_model::burn::module::{Param, ParamId};
use hirelm_model::burn::optim::GradientsParams;
use hirelm_model::burn::tensor::{Device, Int, Tensor, TensorData};
use hirelm_model::llama::{InMemoryWeights, LlamaConfig, LlamaModel, random_weights};
use hirelm_train::sft::{
    FrozenHead, SftBatch, SftOptions, SftTrainer, collate, masked_cross_entropy,
};
use hirelm_train::{LoraConfig, attach_fresh, projections_mut};

/// A tiny model whose adapters are random on both sides, so A and B both get gradients.
fn model(device: &Device) -> LlamaModel {
    let config = LlamaConfig::tiny_for_tests();
    let mut model = LlamaModel::load(
        &InMemoryWeights::new(random_weights(&config, 11)),
        config,
        device,
    )
    .expect("loads");
    attach_fresh(
        &mut model,
        &LoraConfig {
            rank: 4,
            alpha: 8.0,
            ..Default::default()
        },
        3,
        device,
    )
    .expect("attaches");
    for (_, _, layer) in projections_mut(&mut model) {
        let lora = layer.adapter.as_mut().expect("attached");
        let [rank, width] = lora.b.dims();
        let values: Vec<f32> = (0..rank * width)
            .map(|i| ((i * 37 % 19) as f32 - 9.0) * 0.01)
            .collect();
        lora.b = Param::from_tensor(Tensor::from_data(
            TensorData::new(values, [rank, width]),
            device,
        ));
    }
    model
}

/// Two rows of different lengths: prompt positions, answer positions and padding.
fn batch() -> SftBatch {
    let example = |prompt: std::ops::Range<u32>, answer: std::ops::Range<u32>| {
        let ids: Vec<u32> = prompt.chain(answer.clone()).collect();
        ChatTokens {
            assistant_mask: ids.iter().map(|t| answer.contains(t)).collect(),
            ids,
        }
    };
    collate(&[example(3..9, 40..52), example(10..14, 60..66)], 24, 0)
}

fn adapter_ids(model: &mut LlamaModel) -> Vec<ParamId> {
    projections_mut(model)
        .into_iter()
        .filter_map(|(_, _, l)| l.adapter.as_ref().map(|a| [a.a.id, a.b.id]))
        .flatten()
        .collect()
}

fn gradients(model: &mut LlamaModel, objective: Tensor<1>) -> Vec<Vec<f32>> {
    let ids = adapter_ids(model);
    let mut grads = GradientsParams::from_grads(objective.backward(), model);
    ids.iter()
        .map(|id| {
            grads
                .remove::<2>(*id)
                .expect("every adapter weight has a gradient")
                .into_data()
                .try_into_vec_as::<f32>()
                .expect("f32")
        })
        .collect()
}

#[test]
fn fused_loss_and_gradients_match_autodiff_through_the_logits() {
    let device = Device::flex().autodiff();
    let mut model = model(&device);
    let batch = batch();
    let shape = [batch.batch, batch.seq];
    let inputs =
        || Tensor::<2, Int>::from_data(TensorData::new(batch.inputs.clone(), shape), &device);

    let targets =
        Tensor::<2, Int>::from_data(TensorData::new(batch.targets.clone(), shape), &device);
    let weights = Tensor::<2>::from_data(TensorData::new(batch.weights.clone(), shape), &device);
    let reference = masked_cross_entropy(
        model.logits(model.forward_hidden(inputs(), None, None)),
        targets,
        weights,
    );
    let reference_loss = reference
        .clone()
        .detach()
        .into_data()
        .try_into_vec_as::<f32>()
        .expect("f32")[0] as f64;
    let expected = gradients(&mut model, reference);

    let head = FrozenHead::of(&model).expect("the tied head is frozen");
    let scale = 0.5;
    let fused = head
        .loss(
            model.forward_hidden(inputs(), None, None),
            &batch.targets,
            &batch.weights,
            scale,
        )
        .expect("loss");
    let got = gradients(&mut model, fused.surrogate);

    assert!(
        (fused.loss - reference_loss).abs() < 1e-5,
        "loss {} vs {reference_loss}",
        fused.loss
    );
    let mut largest = 0.0f32;
    for (g, e) in got.iter().zip(&expected) {
        for (a, b) in g.iter().zip(e) {
            largest = largest.max(b.abs());
            assert!(
                (a - scale as f32 * b).abs() <= 1e-5 + 1e-4 * b.abs(),
                "gradient {a} vs {scale} × {b}"
            );
        }
    }
    assert!(
        largest > 1e-3,
        "the gradients compared are not all near zero ({largest})"
    );
}

#[test]
fn a_target_outside_the_vocabulary_is_an_error_naming_it() {
    let device = Device::flex().autodiff();
    let model = model(&device);
    let mut batch = batch();
    let at = batch
        .weights
        .iter()
        .position(|w| *w > 0.0)
        .expect("a weighted position");
    batch.targets[at] = 1_000_000;
    let hidden = model.forward_hidden(
        Tensor::from_data(
            TensorData::new(batch.inputs.clone(), [batch.batch, batch.seq]),
            &device,
        ),
        None,
        None,
    );
    let err = FrozenHead::of(&model)
        .expect("frozen")
        .loss(hidden, &batch.targets, &batch.weights, 1.0)
        .expect_err("refused");
    assert!(
        err.to_string().contains("1000000") && err.to_string().contains(&format!("position {at}")),
        "{err}"
    );
}

#[test]
fn a_refused_step_keeps_the_model_for_the_next_one() {
    let device = Device::flex().autodiff();
    let mut trainer =
        SftTrainer::new(model(&device), SftOptions::default(), device).expect("trainer");
    let mut bad = batch();
    let at = bad
        .weights
        .iter()
        .position(|w| *w > 0.0)
        .expect("a weighted position");
    bad.targets[at] = -1;
    assert!(trainer.train_step(std::slice::from_ref(&bad)).is_err());
    let stats = trainer
        .train_step(&[batch()])
        .expect("the trainer still has its model");
    assert!(stats.loss.is_finite() && trainer.step() == 1);
}
