//! The domain model on a tiny random network that carries the real SmolLM2 tokenizer: every
//! task's answer is schema-valid JSON even though the network knows nothing, and a zero-effect
//! adapter merges without changing an answer.

use hirelm_core::{Task, validate};
use hirelm_infer::constrain::ConstraintLimits;
use hirelm_infer::{AdapterSpec, Demonstration, DomainModelBuilder};
use serde_json::json;

use crate::common::tiny_model_with_real_tokenizer;

fn inputs() -> Vec<(Task, serde_json::Value)> {
    vec![
        (
            Task::ExtractSkills,
            json!("You will maintain our Rust services and mentor junior engineers."),
        ),
        (Task::NormaliseTitle, json!("Sr. Backend Dev (Rust)")),
        (
            Task::ScheduleInterview,
            json!({"candidate": {"time_zone": "Europe/Berlin", "windows": ["2025-03-10 09:00-12:00"]},
            "client": {"time_zone": "America/New_York", "windows": ["2025-03-10 06:00-08:00"]}, "duration_minutes": 30, "step_minutes": 15}),
        ),
        (
            Task::DraftJobPost,
            json!({"occupation": "nurse", "skills": ["triage"], "budget": {"kind": "hourly", "min_usd": 40, "max_usd": 60}}),
        ),
        (
            Task::ScoreMatch,
            json!({"job": {"skills": ["rust"]}, "profile": {"skills": ["go"]}}),
        ),
        (
            Task::RankCandidates,
            json!({"job": {"skills": ["rust"]}, "candidates": [{"id": "a"}, {"id": "b"}]}),
        ),
        (
            Task::EvaluateCandidate,
            json!({"job": "nurse", "notes": "calm under pressure"}),
        ),
    ]
}

fn limits() -> ConstraintLimits {
    ConstraintLimits {
        max_string_chars: 12,
        max_array_items: 3,
        max_int_digits: 3,
        max_frac_digits: 2,
    }
}

#[test]
fn every_task_answer_is_schema_valid_even_from_a_random_network() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(path) = tiny_model_with_real_tokenizer(dir.path()) else {
        return;
    };
    let model = DomainModelBuilder::new(path.to_string_lossy())
        .with_limits(limits())
        .with_max_new_tokens(400)
        .build()
        .expect("build domain model");
    for (task, input) in inputs() {
        let answer = model
            .answer(task, &input)
            .unwrap_or_else(|e| panic!("{task}: {e}"));
        validate(task, &answer.value).unwrap_or_else(|e| panic!("{task}: {e}"));
        let reparsed: serde_json::Value =
            serde_json::from_str(&answer.decoded.text).expect("raw text is JSON");
        assert_eq!(reparsed, answer.value, "{task}");
        assert!(
            !answer.decoded.text.starts_with(char::is_whitespace),
            "{task}: compact output"
        );
        // Deterministic: the cached system-prompt prefix gives the same answer again.
        assert_eq!(
            model.answer(task, &input).expect("again").value,
            answer.value,
            "{task}"
        );
    }
}

#[test]
fn a_zero_effect_adapter_merges_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(path) = tiny_model_with_real_tokenizer(dir.path()) else {
        return;
    };
    // A fresh adapter has B = 0: merged, it must leave every answer as it was.
    let device = hirelm_model::burn::tensor::Device::flex();
    let mut lm =
        hirelm_model::PretrainedLlama::load(&path.to_string_lossy(), &device).expect("load");
    let lora = hirelm_train::LoraConfig {
        rank: 4,
        alpha: 8.0,
        ..hirelm_train::LoraConfig::default()
    };
    hirelm_train::attach_fresh(&mut lm.model, &lora, 3, &device).expect("attach");
    let adapter_dir = dir.path().join("adapter");
    hirelm_train::save_adapter(&mut lm.model, &lora, &adapter_dir).expect("save");

    let base = DomainModelBuilder::new(path.to_string_lossy())
        .with_limits(limits())
        .with_max_new_tokens(400);
    let tuned = base.clone().with_adapter(AdapterSpec {
        name: "zero".into(),
        dir: adapter_dir,
        tasks: Some(vec![Task::ExtractSkills]),
    });
    let (base, tuned) = (base.build().expect("base"), tuned.build().expect("tuned"));
    assert_ne!(base.content_hash(), tuned.content_hash());
    let input = json!("Experience with SQL and Python is required.");
    let a = base
        .answer(Task::ExtractSkills, &input)
        .expect("base answer");
    let b = tuned
        .answer(Task::ExtractSkills, &input)
        .expect("tuned answer");
    assert_eq!((a.route.as_str(), b.route.as_str()), ("base", "zero"));
    assert_eq!(a.value, b.value);
    // Tasks outside the adapter's list stay on the base weights.
    assert_eq!(
        tuned
            .answer(Task::NormaliseTitle, &json!("nurse"))
            .expect("title")
            .route,
        "base"
    );
}

#[test]
fn a_missing_adapter_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(path) = tiny_model_with_real_tokenizer(dir.path()) else {
        return;
    };
    let err = DomainModelBuilder::new(path.to_string_lossy())
        .with_adapter(AdapterSpec {
            name: "gone".into(),
            dir: dir.path().join("nope"),
            tasks: None,
        })
        .build()
        .expect_err("missing adapter");
    assert!(
        err.to_string().contains("adapter_model.safetensors"),
        "{err}"
    );
}

#[test]
fn demonstrations_extend_the_cached_prefix_and_change_the_model_identity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(path) = tiny_model_with_real_tokenizer(dir.path()) else {
        return;
    };
    let task = Task::ExtractSkills;
    let demos = vec![
        Demonstration::new(
            task,
            json!("Fluent Spanish is a plus."),
            json!({"skills": ["Spanish"]}),
        )
        .expect("demo"),
        Demonstration::new(
            task,
            json!("You will run payroll."),
            json!({"skills": ["payroll"]}),
        )
        .expect("demo"),
    ];
    let zero = DomainModelBuilder::new(path.to_string_lossy())
        .with_limits(limits())
        .with_max_new_tokens(64);
    let few = zero.clone().with_demonstrations(task, demos.clone());
    let (zero, few) = (
        zero.build().expect("zero-shot"),
        few.build().expect("few-shot"),
    );
    assert_ne!(
        zero.content_hash(),
        few.content_hash(),
        "answers may differ, so cached ones must not be shared"
    );
    assert_eq!(
        (
            zero.demonstrations(task).len(),
            few.demonstrations(task),
            few.demonstrations(Task::ScoreMatch).len()
        ),
        (0, demos.as_slice(), 0)
    );

    let input = json!("Experience with SQL and Python is required.");
    let (a, b) = (
        zero.answer(task, &input).expect("zero-shot answer"),
        few.answer(task, &input).expect("few-shot answer"),
    );
    validate(task, &b.value).expect("valid");
    // Each demonstration adds its user and assistant turn to the prompt ...
    let tokens = |text: &str| {
        few.tokenizer()
            .encode(text, false, false)
            .expect("encode")
            .len()
    };
    let demo_tokens: usize = demos
        .iter()
        .map(|d| tokens(d.input().as_str().unwrap_or_default()) + tokens(&d.answer().to_string()))
        .sum();
    assert!(
        b.prompt_tokens >= a.prompt_tokens + demo_tokens,
        "{} vs {} + {demo_tokens}",
        b.prompt_tokens,
        a.prompt_tokens
    );
    // ... inside the cached prefix: the call itself feeds only the question, as zero-shot does.
    assert_eq!(b.decoded.prompt_tokens, a.decoded.prompt_tokens);
    assert_eq!(
        few.answer(task, &input).expect("again").value,
        b.value,
        "deterministic"
    );
}
