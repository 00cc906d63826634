//! Errors as HTTP responses: a status and an OpenAI-style body `{"error": {"message", "type"}}`,
//! so clients written for OpenAI's API read our reasons the same way.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hirelm_infer::InferError;
use serde_json::json;

/// A request that failed, with the reason the client sees.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// OpenAI's error `type` (`invalid_request_error`, `not_found`, …).
    pub kind: &'static str,
    /// What went wrong, for the client.
    pub message: String,
}

impl ApiError {
    /// 400: the request is malformed or asks for something this server does not do.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request_error",
            message: message.into(),
        }
    }

    /// A body axum could not read as JSON: its own status (400, 413 too large, 415 wrong type).
    pub fn from_rejection(e: axum::extract::rejection::JsonRejection) -> Self {
        Self {
            status: e.status(),
            kind: "invalid_request_error",
            message: e.body_text(),
        }
    }

    /// 404: no such endpoint, task or model.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            kind: "not_found",
            message: message.into(),
        }
    }

    /// 401: the API key is missing or wrong.
    pub fn unauthorized() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            kind: "authentication_error",
            message: "missing or wrong API key (send `Authorization: Bearer <key>`)".into(),
        }
    }

    /// 503: the queue is full.
    pub fn busy(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            kind: "overloaded",
            message: message.into(),
        }
    }

    /// 504: the request's deadline passed.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::GATEWAY_TIMEOUT,
            kind: "timeout",
            message: message.into(),
        }
    }

    /// 500: the server failed.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            kind: "server_error",
            message: message.into(),
        }
    }
}

impl From<InferError> for ApiError {
    fn from(e: InferError) -> Self {
        match e {
            InferError::Invalid { .. }
            | InferError::ContextFull { .. }
            | InferError::Constraint(_) => Self::bad_request(e.to_string()),
            InferError::Timeout { .. } => Self::timeout(e.to_string()),
            // The model could not produce a valid record within its budget: not the client's fault.
            InferError::Answer { .. } => Self {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                kind: "answer_failed",
                message: e.to_string(),
            },
            other => Self::internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"message": self.message, "type": self.kind, "code": self.status.as_u16()}});
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            // A full queue drains in about an answer's time; tell clients when to come back.
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        response
    }
}
