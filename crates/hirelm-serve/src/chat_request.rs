//! What a `POST /v1/chat/completions` body asks for: OpenAI's request fields, checked and turned
//! into the engine's [`ChatRequest`] (messages, sampling, seed, schema, stop sequences) and how
//! the answer is delivered (streamed or whole). Fields the server cannot honour are refused by
//! name.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use hirelm_infer::ChatRequest;
use hirelm_model::sampling::SamplingParams;
use hirelm_model::{ChatMessage, Role};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::state::AppState;
use crate::stop::parse_stop;

/// The request fields we read. Others that change nothing about the answer (`user`,
/// `logprobs: false`, …) are accepted and ignored; those the server cannot honour (`tools`,
/// `logprobs: true`, …) are refused by name rather than silently dropped.
#[derive(Debug, Deserialize)]
pub struct CompletionRequest {
    model: Option<String>,
    messages: Vec<MessageIn>,
    #[serde(default)]
    pub(crate) stream: bool,
    stream_options: Option<Value>,
    max_tokens: Option<usize>,
    max_completion_tokens: Option<usize>,
    temperature: Option<f32>,
    top_p: Option<f32>,
    seed: Option<u64>,
    n: Option<usize>,
    response_format: Option<Value>,
    stop: Option<Value>,
    tools: Option<Value>,
    tool_choice: Option<Value>,
    functions: Option<Value>,
    function_call: Option<Value>,
    logprobs: Option<Value>,
    top_logprobs: Option<Value>,
}

impl CompletionRequest {
    /// The first field asking for something this server does not do, with why.
    fn unsupported(&self) -> Option<(&'static str, &'static str)> {
        let set = |v: &Option<Value>| v.as_ref().is_some_and(|v| !v.is_null());
        let no_tools = "this server has no tool calling";
        [
            ("tools", set(&self.tools), no_tools),
            ("tool_choice", set(&self.tool_choice), no_tools),
            ("functions", set(&self.functions), no_tools),
            ("function_call", set(&self.function_call), no_tools),
            (
                "logprobs",
                self.logprobs
                    .as_ref()
                    .is_some_and(|v| v != &Value::Bool(false) && !v.is_null()),
                "this server does not return log-probabilities",
            ),
            (
                "top_logprobs",
                set(&self.top_logprobs),
                "this server does not return log-probabilities",
            ),
        ]
        .into_iter()
        .find(|(_, asked, _)| *asked)
        .map(|(field, _, why)| (field, why))
    }
}

/// How the answer is delivered, beside what the model decodes.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Stop sequences (the answer ends before the first).
    pub stops: Vec<String>,
    /// A streamed answer ends with a chunk carrying the token counts.
    pub include_usage: bool,
}

#[derive(Debug, Deserialize)]
struct MessageIn {
    role: String,
    content: Value,
}

/// Text of a message's `content`: a string, or OpenAI's list of `{"type": "text", "text"}` parts.
fn content_text(content: &Value) -> Result<String, ApiError> {
    match content {
        Value::String(s) => Ok(s.clone()),
        Value::Array(parts) => parts
            .iter()
            .map(|p| {
                match (
                    p.get("type").and_then(Value::as_str),
                    p.get("text").and_then(Value::as_str),
                ) {
                    (Some("text"), Some(t)) => Ok(t.to_string()),
                    _ => Err(ApiError::bad_request(
                        "only text content parts are supported",
                    )),
                }
            })
            .collect(),
        _ => Err(ApiError::bad_request(
            "message content must be a string or a list of text parts",
        )),
    }
}

/// The model's request for `req`, read and checked without the model: messages, answer budget
/// (at most `max_new_tokens`), sampling, seed and schema. Left for [`to_chat_request`]: the
/// route a named model runs on and the prompt's length in tokens. The fuzz target drives this.
pub fn read_chat_request(
    req: &CompletionRequest,
    max_new_tokens: usize,
) -> Result<ChatRequest, ApiError> {
    if req.n.unwrap_or(1) != 1 {
        return Err(ApiError::bad_request("`n` must be 1"));
    }
    if let Some((field, why)) = req.unsupported() {
        return Err(ApiError::bad_request(format!(
            "`{field}` is not supported: {why}"
        )));
    }
    let mut messages = Vec::with_capacity(req.messages.len());
    for (i, m) in req.messages.iter().enumerate() {
        let role = match m.role.as_str() {
            "system" | "developer" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => {
                return Err(ApiError::bad_request(format!(
                    "messages[{i}].role: unknown role `{other}`"
                )));
            }
        };
        messages.push(ChatMessage::new(
            role,
            content_text(&m.content).map_err(|e| {
                ApiError::bad_request(format!("messages[{i}].content: {}", e.message))
            })?,
        ));
    }
    if messages.is_empty() {
        return Err(ApiError::bad_request("`messages` is empty"));
    }
    let cap = max_new_tokens;
    let max_new_tokens = req.max_completion_tokens.or(req.max_tokens).unwrap_or(cap);
    if max_new_tokens == 0 || max_new_tokens > cap {
        return Err(ApiError::bad_request(format!(
            "max_tokens must be 1 to {cap} on this server"
        )));
    }
    let temperature = req.temperature.unwrap_or(1.0);
    if !(0.0..=2.0).contains(&temperature) {
        return Err(ApiError::bad_request("temperature must be in [0, 2]"));
    }
    if req.top_p.is_some_and(|p| !(p > 0.0 && p <= 1.0)) {
        return Err(ApiError::bad_request("top_p must be in (0, 1]"));
    }
    let schema = match &req.response_format {
        None => None,
        Some(f) => match f.get("type").and_then(Value::as_str) {
            Some("text") => None,
            // Any JSON object with free keys and values, as OpenAI's JSON mode; at least one
            // member, since a small model asked for fields may otherwise close at once with `{}`.
            Some("json_object") => Some(json!({"type": "object", "minProperties": 1})),
            Some("json_schema") => {
                Some(f.pointer("/json_schema/schema").cloned().ok_or_else(|| {
                    ApiError::bad_request("response_format.json_schema.schema is missing")
                })?)
            }
            _ => {
                return Err(ApiError::bad_request(
                    "response_format.type must be text, json_object or json_schema",
                ));
            }
        },
    };
    let sampling = SamplingParams {
        temperature,
        top_p: req.top_p,
        seed: req.seed.unwrap_or_else(fresh_seed),
        ..SamplingParams::greedy()
    };
    Ok(ChatRequest {
        messages,
        max_new_tokens,
        sampling,
        schema,
        deadline: None,
        route: None,
    })
}

/// Checks the request against the server's limits and the served model and turns it into the
/// model's request: [`read_chat_request`], then the weights a named model runs on and the
/// prompt's length.
pub fn to_chat_request(req: &CompletionRequest, state: &AppState) -> Result<ChatRequest, ApiError> {
    let mut request = read_chat_request(req, state.limits.max_new_tokens)?;
    // The served model's own name (or none) chats on its general weights; a route's name, on
    // that route's.
    let routes = state.model.chat_routes();
    request.route = match req.model.as_deref() {
        None => None,
        Some(model) if model == state.model.name() => None,
        Some(model) if routes.iter().any(|r| r.name == model) => Some(model.to_string()),
        Some(model) => {
            let ids: Vec<&str> = std::iter::once(state.model.name())
                .chain(routes.iter().map(|r| r.name.as_str()))
                .collect();
            return Err(ApiError::not_found(format!(
                "model `{model}` is not served here; GET /v1/models lists {}",
                ids.join(", ")
            )));
        }
    };
    let prompt_tokens = state.model.chat_prompt_tokens(&request.messages)?;
    if prompt_tokens > state.limits.max_prompt_tokens {
        return Err(ApiError::bad_request(format!(
            "the prompt has {prompt_tokens} tokens; this server takes at most {}",
            state.limits.max_prompt_tokens
        )));
    }
    Ok(request)
}

/// The request's stop sequences and streaming options.
pub fn delivery(req: &CompletionRequest) -> Result<Delivery, ApiError> {
    let include_usage = match req.stream_options.as_ref().map(|o| o.get("include_usage")) {
        None | Some(None) | Some(Some(Value::Bool(false))) => false,
        Some(Some(Value::Bool(true))) if req.stream => true,
        Some(Some(Value::Bool(true))) => {
            return Err(ApiError::bad_request(
                "stream_options needs \"stream\": true",
            ));
        }
        Some(Some(_)) => {
            return Err(ApiError::bad_request(
                "stream_options.include_usage must be a boolean",
            ));
        }
    };
    Ok(Delivery {
        stops: parse_stop(req.stop.as_ref())?,
        include_usage,
    })
}

/// A seed for a request that named none: sampled answers differ between requests (as with
/// OpenAI's API), while a request with a `seed` is reproducible; the response names the seed
/// used, so any answer can be replayed. The clock's nanoseconds mixed with a counter, so two
/// requests in the same nanosecond still differ.
fn fresh_seed() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut z = nanos ^ COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    // splitmix64's finaliser: nearby clock readings give unrelated seeds.
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
