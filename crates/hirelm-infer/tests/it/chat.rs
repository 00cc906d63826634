//! Free-form chat and deadlines on a tiny random network with the real SmolLM2 tokenizer.

use std::time::Instant;

use hirelm_core::{Task, output_schema};
use hirelm_infer::{ChatRequest, DomainModelBuilder, InferError, StopReason};
use hirelm_model::sampling::SamplingParams;
use hirelm_model::{ChatMessage, Role};
use serde_json::json;

use crate::common::tiny_model_with_real_tokenizer;

fn request(max_new_tokens: usize) -> ChatRequest {
    ChatRequest {
        messages: vec![
            ChatMessage::new(Role::System, "You help recruiters."),
            ChatMessage::new(Role::User, "Name a skill."),
        ],
        max_new_tokens,
        sampling: SamplingParams::greedy(),
        schema: None,
        deadline: None,
        route: None,
    }
}

#[test]
fn chat_is_deterministic_streams_its_text_and_obeys_schema_and_deadline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(path) = tiny_model_with_real_tokenizer(dir.path()) else {
        return;
    };
    let model = DomainModelBuilder::new(path.to_string_lossy())
        .with_max_new_tokens(64)
        .build()
        .expect("model");
    let mut streamed = String::new();
    let first = model
        .chat(&request(12), |piece| {
            streamed.push_str(piece);
            std::ops::ControlFlow::Continue(())
        })
        .expect("chat");
    assert_eq!(streamed, first.text, "the streamed pieces are the text");
    assert!(
        first.prompt_tokens
            == model
                .chat_prompt_tokens(&request(12).messages)
                .expect("count")
    );
    assert_eq!(
        model
            .chat(&request(12), |_| std::ops::ControlFlow::Continue(()))
            .expect("again")
            .text,
        first.text
    );

    let mut constrained = request(200);
    constrained.schema = Some(
        json!({"type": "object", "properties": {"skill": {"type": "string", "enum": ["python", "sql"]}}, "required": ["skill"]}),
    );
    let answer = model
        .chat(&constrained, |_| std::ops::ControlFlow::Continue(()))
        .expect("constrained chat");
    assert_eq!(answer.stop, StopReason::Complete, "{}", answer.text);
    let value: serde_json::Value = serde_json::from_str(&answer.text).expect("JSON");
    assert!(
        value["skill"] == "python" || value["skill"] == "sql",
        "{value}"
    );

    let mut late = request(50);
    late.deadline = Some(Instant::now());
    let cut = model
        .chat(&late, |_| std::ops::ControlFlow::Continue(()))
        .expect("stops, not fails");
    assert_eq!(cut.stop, StopReason::Cancelled);
    assert!(
        cut.tokens.len() <= 1,
        "stopped at the first token: {}",
        cut.tokens.len()
    );

    let timeout = model.answer_before(
        Task::ExtractSkills,
        &json!("Rust and SQL"),
        &output_schema(Task::ExtractSkills),
        Some(Instant::now()),
    );
    assert!(
        matches!(timeout, Err(InferError::Timeout { .. })),
        "{timeout:?}"
    );
    // The only weights (no adapters) are `base`: named, they answer as unnamed; another name
    // is an error that lists them.
    assert_eq!(model.chat_route(), "base");
    assert_eq!(model.chat_routes().len(), 1);
    let named = ChatRequest {
        route: Some("base".into()),
        ..request(12)
    };
    let by_name = model.chat(&named, |_| std::ops::ControlFlow::Continue(()));
    assert_eq!(by_name.expect("base").text, first.text);
    let unknown = ChatRequest {
        route: Some("nope".into()),
        ..request(12)
    };
    match model.chat(&unknown, |_| std::ops::ControlFlow::Continue(())) {
        Err(InferError::Invalid { .. }) => {}
        other => panic!("unknown route: {other:?}"),
    }
    let empty = ChatRequest {
        messages: Vec::new(),
        ..request(5)
    };
    assert!(matches!(
        model.chat(&empty, |_| std::ops::ControlFlow::Continue(())),
        Err(InferError::Invalid { .. })
    ));
}
