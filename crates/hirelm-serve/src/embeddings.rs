//! `POST /v1/embeddings`: OpenAI's embeddings API over the shipped sentence encoder, so an
//! OpenAI client can embed job ads, titles and profiles with the same fine-tuned encoder the
//! tasks retrieve with (unit-length vectors, 384 wide; compare them by dot product). Vectors come
//! as JSON numbers, or with `encoding_format: base64` as OpenAI sends them to its own SDK (which
//! asks for base64 by default): the little-endian f32 bytes, base64-encoded.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::metrics::Tokens;
use crate::state::AppState;

/// Most texts in one request.
const MAX_INPUTS: usize = 256;

pub async fn embeddings(
    State(state): State<Arc<AppState>>,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let started = Instant::now();
    let result = embeddings_inner(&state, body).await;
    let status = result.as_ref().map_or_else(|e| e.status.as_u16(), |_| 200);
    let tokens = result.as_ref().ok().map(|Json(v)| Tokens {
        prompt: v["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
        completion: 0,
    });
    state
        .metrics
        .finish("embeddings", "/v1/embeddings", status, started, tokens);
    result
}

/// How the vectors are written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    Float,
    Base64,
}

impl Encoding {
    fn write(self, vector: &[f32]) -> Value {
        match self {
            Encoding::Float => json!(vector),
            Encoding::Base64 => {
                use base64::Engine as _;
                let bytes: Vec<u8> = vector.iter().flat_map(|x| x.to_le_bytes()).collect();
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
            }
        }
    }
}

/// The texts of a request's `input` (one string or an array of strings) and the encoding asked
/// for.
fn inputs(body: &Value) -> Result<(Vec<String>, Encoding), ApiError> {
    let texts = match body.get("input") {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                ApiError::bad_request("input must be a string or an array of strings (token arrays are not supported)")
            })?,
        _ => return Err(ApiError::bad_request("input must be a string or an array of strings")),
    };
    if texts.is_empty() || texts.len() > MAX_INPUTS {
        return Err(ApiError::bad_request(format!(
            "input must hold 1 to {MAX_INPUTS} texts"
        )));
    }
    match body.get("encoding_format").and_then(Value::as_str) {
        None | Some("float") => Ok((texts, Encoding::Float)),
        Some("base64") => Ok((texts, Encoding::Base64)),
        Some(other) => Err(ApiError::bad_request(format!(
            "encoding_format `{other}` is not supported; use float or base64"
        ))),
    }
}

async fn embeddings_inner(
    state: &Arc<AppState>,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(ApiError::from_rejection)?;
    let (texts, encoding) = inputs(&body)?;
    if body.get("dimensions").is_some() {
        return Err(ApiError::bad_request(
            "dimensions is not supported: the encoder's vectors have a fixed width",
        ));
    }
    if state.retrieval.embedder().is_none() {
        return Err(ApiError::not_found(
            "no sentence encoder is loaded (the server was started with --generate-skills and --generate-titles)",
        ));
    }
    let slot = state.acquire().await?;
    let retrieval = Arc::clone(&state.retrieval);
    let embedded = tokio::task::spawn_blocking(move || {
        let encoder = retrieval.embedder()?;
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let result = encoder
            .count_tokens(&refs)
            .and_then(|counts| Ok((encoder.embed(&refs)?, counts)));
        drop(slot);
        Some(result)
    })
    .await
    .map_err(|e| ApiError::internal(format!("the embedding task failed: {e}")))?
    .ok_or_else(|| ApiError::internal("no sentence encoder"))?
    .map_err(|e| ApiError::internal(format!("embedding: {e}")))?;
    let (vectors, counts) = embedded;
    let tokens: usize = counts.iter().sum();
    let data: Vec<Value> = vectors
        .into_iter()
        .enumerate()
        .map(|(index, vector)| json!({"object": "embedding", "index": index, "embedding": encoding.write(&vector)}))
        .collect();
    Ok(Json(json!({
        "object": "list",
        "data": data,
        "model": body.get("model").and_then(Value::as_str).unwrap_or("hirelm-encoder-minilm"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    })))
}
