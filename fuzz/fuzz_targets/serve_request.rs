//! Request bodies of `hirelm serve`. Its handlers live in the binary crate (private, and tied to
//! axum and a loaded model), so this drives the public pieces they are built from, in the same
//! order: byte 0 picks the endpoint, the rest is the JSON body.
//!
//! - `POST /v1/tasks/{task}`: the body read as the server reads it
//!   (`hirelm_core::canonical_input`: the task's record deserialised and re-serialised, what the
//!   prompt carries), which must read back unchanged, the user message rendered; for
//!   `rank_candidates` the answer schema narrowed to the given ids must still compile.
//! - `POST /v1/chat/completions`: the messages' text through the ChatML template and tokenizer
//!   as the prompt-length check does, and a `response_format` JSON schema through the
//!   constraint compiler.
#![no_main]

use hirelm_core::{Task, canonical_input, user_message};
use hirelm_infer::constrain::JsonSchemaConstraint;
use hirelm_infer::tasks::task_schema;
use hirelm_model::{ChatMessage, ChatTemplate, Role};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn task_request(task: Task, body: &Value) {
    // The server's reading of a task body (`hirelm_core::canonical_input`, shared with the
    // evaluation predictors): what it accepts must be canonical, reading it again changes
    // nothing, and it renders as a user message.
    let Ok(input) = canonical_input(task, body) else {
        return;
    };
    let again = canonical_input(task, &input).expect("a canonical input reads again");
    assert_eq!(again, input, "reading a canonical {task} input changed it");
    // The schema the server decodes the answer under (for rank_candidates, narrowed to the
    // given ids; the server refuses a ranking without candidates) must compile.
    if task == Task::RankCandidates && input["candidates"].as_array().is_none_or(Vec::is_empty) {
        return;
    }
    let schema = task_schema(task, &input);
    if let Err(e) = JsonSchemaConstraint::compile(&schema) {
        panic!("the {task} schema for {input} does not compile: {e}");
    }
    let _ = user_message(&input);
}

fn chat_request(body: &Value) {
    let tokenizer = hirelm_fuzz::tiny_tokenizer();
    let mut messages = Vec::new();
    for m in body
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let role = match m.get("role").and_then(Value::as_str) {
            Some("system" | "developer") => Role::System,
            Some("user") => Role::User,
            Some("assistant") => Role::Assistant,
            _ => return,
        };
        let text = match m.get("content") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(parts)) => parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect(),
            _ => return,
        };
        messages.push(ChatMessage::new(role, text));
    }
    let template = ChatTemplate::default();
    let _ = template.render(&messages, true);
    let tokens = template
        .encode(tokenizer, &messages, true)
        .expect("any messages encode");
    assert_eq!(tokens.ids.len(), tokens.assistant_mask.len());
    if let Some(schema) = body.pointer("/response_format/json_schema/schema") {
        let _ = JsonSchemaConstraint::compile(schema);
    }
}

fuzz_target!(|data: &[u8]| {
    let [pick, body @ ..] = data else {
        return;
    };
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let tasks = Task::ALL;
    match usize::from(*pick) % (tasks.len() + 1) {
        i if i < tasks.len() => task_request(tasks[i], &body),
        _ => chat_request(&body),
    }
});
