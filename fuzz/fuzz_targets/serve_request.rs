//! Request bodies of `hirelm serve`, through the server's own readers (`hirelm_serve`), in the
//! order its handlers call them: byte 0 picks the endpoint, the rest is the JSON body.
//!
//! - `POST /v1/tasks/{task}`: `read_task_input` (the task's record read as every caller reads it,
//!   `hirelm_core::canonical_input`, and checked), whose input must read back unchanged and
//!   render as a user message, and whose answer schema (for `rank_candidates`, narrowed to the
//!   given ids) must compile.
//! - `POST /v1/chat/completions`: the body as the handler deserialises it, `delivery` (stop
//!   sequences, streaming options) and `read_chat_request` (everything but the model's names and
//!   the prompt's token count), then the messages through the ChatML template and tokenizer as
//!   the prompt-length check does, and the `response_format` schema through the constraint
//!   compiler.
#![no_main]

use hirelm_core::{Task, canonical_input, user_message};
use hirelm_infer::constrain::JsonSchemaConstraint;
use hirelm_model::ChatTemplate;
use hirelm_serve::{CompletionRequest, delivery, read_chat_request, read_task_input};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn task_request(task: Task, body: &Value) {
    let Ok((input, schema)) = read_task_input(task, body.clone()) else {
        return;
    };
    let again = canonical_input(task, &input).expect("a canonical input reads again");
    assert_eq!(again, input, "reading a canonical {task} input changed it");
    if let Err(e) = JsonSchemaConstraint::compile(&schema) {
        panic!("the {task} schema for {input} does not compile: {e}");
    }
    let _ = user_message(&input);
}

fn chat_request(body: Value) {
    let Ok(request) = serde_json::from_value::<CompletionRequest>(body) else {
        return;
    };
    let _ = delivery(&request);
    let Ok(chat) = read_chat_request(&request, 256) else {
        return;
    };
    let template = ChatTemplate::default();
    let _ = template.render(&chat.messages, true);
    let tokens = template
        .encode(hirelm_fuzz::tiny_tokenizer(), &chat.messages, true)
        .expect("any messages encode");
    assert_eq!(tokens.ids.len(), tokens.assistant_mask.len());
    if let Some(schema) = &chat.schema {
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
        _ => chat_request(body),
    }
});
