//! The engine computes the same network as the training model, batched or token by token,
//! with any thread count.

use std::sync::Arc;

use hirelm_infer::{EngineWeights, InferError, Session, WeightFormat};

use crate::common::*;

const PROMPT: [u32; 14] = [5, 17, 3, 88, 42, 42, 0, 63, 9, 1, 95, 30, 299, 150];

fn engine(format: WeightFormat, seed: u64) -> Arc<EngineWeights> {
    let config = tiny_config();
    Arc::new(
        EngineWeights::from_tensors(&config, tiny_weights(&config, seed), format)
            .expect("engine weights"),
    )
}

#[test]
fn f32_engine_matches_the_training_model() {
    let config = tiny_config();
    let weights = tiny_weights(&config, 3);
    let reference = burn_logits(&burn_model(&config, &weights), &PROMPT);
    let engine = Arc::new(
        EngineWeights::from_tensors(&config, weights, WeightFormat::F32).expect("weights"),
    );
    let ours = Session::new(engine).forward_all(&PROMPT).expect("forward");
    let diff = max_abs_diff(&ours, &reference);
    assert!(diff < 1e-4, "max |Δlogit| = {diff}");
}

#[test]
fn q8_engine_stays_close_to_the_training_model() {
    let config = tiny_config();
    let weights = tiny_weights(&config, 4);
    let reference = burn_logits(&burn_model(&config, &weights), &PROMPT);
    let engine = Arc::new(
        EngineWeights::from_tensors(&config, weights, WeightFormat::Q8_0).expect("weights"),
    );
    let ours = Session::new(engine).forward_all(&PROMPT).expect("forward");
    let v = config.vocab_size;
    let spread = reference.iter().fold(0f32, |m, x| m.max(x.abs()));
    let diff = max_abs_diff(&ours, &reference);
    assert!(
        diff < 0.05 * spread,
        "max |Δlogit| = {diff} (logits up to {spread})"
    );
    let agree = (0..PROMPT.len())
        .filter(|&t| argmax(&ours[t * v..(t + 1) * v]) == argmax(&reference[t * v..(t + 1) * v]))
        .count();
    assert!(
        agree >= PROMPT.len() - 1,
        "top-1 agreement {agree}/{}",
        PROMPT.len()
    );
}

#[test]
fn token_by_token_decoding_equals_batched_prefill_exactly() {
    for format in [WeightFormat::F32, WeightFormat::Q8_0, WeightFormat::Q4_1] {
        let weights = engine(format, 5);
        let batched = Session::new(Arc::clone(&weights))
            .forward_all(&PROMPT)
            .expect("batched");
        let mut session = Session::new(Arc::clone(&weights));
        let v = weights.config.vocab_size;
        for (t, &token) in PROMPT.iter().enumerate() {
            let step = session.forward(&[token]).expect("step");
            assert_eq!(step, batched[t * v..(t + 1) * v], "{format:?} position {t}");
        }
        // A prefix split anywhere gives the same last logits.
        let mut split = Session::new(Arc::clone(&weights));
        split.forward(&PROMPT[..5]).expect("prefix");
        assert_eq!(
            split.forward(&PROMPT[5..]).expect("rest"),
            batched[(PROMPT.len() - 1) * v..]
        );
    }
}

#[test]
fn thread_count_does_not_change_logits() {
    let weights = engine(WeightFormat::Q8_0, 6);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            Session::new(Arc::clone(&weights))
                .forward_all(&PROMPT)
                .expect("forward")
        })
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn decode_steps_are_identical_with_one_two_or_three_threads() {
    for format in [WeightFormat::F32, WeightFormat::Q8_0, WeightFormat::Q4_1] {
        let weights = engine(format, 9);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            pool.install(|| {
                let mut session = Session::new(Arc::clone(&weights));
                PROMPT
                    .iter()
                    .flat_map(|&token| session.forward(&[token]).expect("step"))
                    .collect::<Vec<f32>>()
            })
        };
        let one = run(1);
        assert_eq!(one, run(2), "{format:?}");
        assert_eq!(one, run(3), "{format:?}");
    }
}

#[test]
fn a_step_within_a_mask_computes_the_allowed_logits_exactly_and_skips_other_tiles() {
    let vocab = tiny_config().vocab_size;
    // A few ids, one alone in its tile, a run of whole tiles; ids past the mask are not allowed.
    let mut allowed = vec![false; vocab - 10];
    for id in (0..5).chain([130]).chain(200..264) {
        allowed[id] = true;
    }
    let tile_allowed = |id: usize| {
        let first = id / 4 * 4;
        allowed
            .get(first..(first + 4).min(allowed.len()))
            .is_some_and(|ids| ids.contains(&true))
    };
    for format in [WeightFormat::F32, WeightFormat::Q8_0, WeightFormat::Q4_1] {
        let weights = engine(format, 11);
        let (mut full, mut within) = (
            Session::new(Arc::clone(&weights)),
            Session::new(Arc::clone(&weights)),
        );
        full.forward(&PROMPT[..6]).expect("prefill");
        within.forward(&PROMPT[..6]).expect("prefill");
        for &token in &PROMPT[6..] {
            let every = full.forward(&[token]).expect("step");
            let some = within.forward_within(token, &allowed).expect("step");
            assert_eq!(some.len(), vocab);
            for id in 0..vocab {
                match tile_allowed(id) {
                    true => assert_eq!(
                        some[id].to_bits(),
                        every[id].to_bits(),
                        "{format:?} id {id}"
                    ),
                    false => assert_eq!(some[id], f32::NEG_INFINITY, "{format:?} id {id}"),
                }
            }
        }
        // The skipped rows were only the head's: the two sessions hold the same cache.
        assert_eq!(
            full.forward(&[7]).expect("step"),
            within.forward(&[7]).expect("step"),
            "{format:?}"
        );
    }
}

#[test]
fn cloned_and_truncated_sessions_reuse_a_prefix() {
    let weights = engine(WeightFormat::Q8_0, 7);
    let mut prefix = Session::new(Arc::clone(&weights));
    prefix.forward(&PROMPT[..8]).expect("prefix");
    let mut a = prefix.clone();
    let from_clone = a.forward(&PROMPT[8..]).expect("clone");
    a.truncate(8);
    assert_eq!(a.len(), 8);
    assert_eq!(a.forward(&PROMPT[8..]).expect("after truncate"), from_clone);
    assert_eq!(
        Session::new(weights).forward(&PROMPT).expect("fresh"),
        from_clone
    );
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let weights = engine(WeightFormat::Q8_0, 8);
    let mut s = Session::new(Arc::clone(&weights));
    assert!(matches!(
        s.forward(&[300]),
        Err(InferError::TokenOutOfRange { id: 300, .. })
    ));
    assert!(s.forward(&[]).is_err());
    let long = vec![1u32; weights.config.max_seq_len + 1];
    assert!(matches!(
        s.forward(&long),
        Err(InferError::ContextFull { .. })
    ));

    let config = tiny_config();
    let mut missing = tiny_weights(&config, 1);
    missing.retain(|(n, _, _)| n != "model.layers.1.mlp.up_proj.weight");
    let err = EngineWeights::from_tensors(&config, missing, WeightFormat::F32)
        .expect_err("missing tensor");
    assert!(
        err.to_string()
            .contains("model.layers.1.mlp.up_proj.weight"),
        "{err}"
    );
    let mut reshaped = tiny_weights(&config, 1);
    reshaped[1].1 = vec![1, 64];
    assert!(EngineWeights::from_tensors(&config, reshaped, WeightFormat::F32).is_err());
    let odd = hirelm_model::llama::LlamaConfig::tiny_for_tests();
    let err = EngineWeights::from_tensors(&odd, tiny_weights(&odd, 1), WeightFormat::Q8_0)
        .expect_err("48 wide");
    assert!(err.to_string().contains("multiples of 32"), "{err}");
}
