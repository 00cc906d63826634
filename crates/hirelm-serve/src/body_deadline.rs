//! The request-body deadline. The header deadline ([`crate::listen`]) bounds how long a client
//! may take over its headers; this bounds the body. Without it a client that sends its headers
//! promptly and then its body one byte every few seconds holds its connection, and a slot of the
//! connection cap, for as long as it likes, and a few hundred such clients starve everyone else.
//!
//! Every request's body is read here, whole, within `timeout` from the end of the headers and
//! up to `max_bytes`, before any handler runs; a late body gets 408 and the connection is
//! closed, an oversized one 413.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONNECTION, CONTENT_LENGTH, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;

/// How long a body may take and how large it may be.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// How long the body may take, from the end of the headers.
    pub timeout: Duration,
    /// The largest body, in bytes.
    pub max_bytes: usize,
}

/// Reads the request body within the limits, then hands the request on with the body in memory.
pub(crate) async fn read_body_within(
    State(limits): State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_bytes as u64) {
        return too_large(limits.max_bytes);
    }
    let (parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, limits.max_bytes);
    match tokio::time::timeout(limits.timeout, read).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        // Chunked bodies carry no length: the limit shows as a read error.
        Ok(Err(e)) if is_length_limit(&e) => too_large(limits.max_bytes),
        Ok(Err(e)) => closing(ApiError::bad_request(format!(
            "could not read the request body: {e}"
        ))),
        Err(_) => closing(ApiError {
            status: StatusCode::REQUEST_TIMEOUT,
            kind: "timeout",
            message: format!(
                "the request body did not arrive within {} s of the headers",
                limits.timeout.as_secs_f64()
            ),
        }),
    }
}

fn too_large(max_bytes: usize) -> Response {
    closing(ApiError {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        kind: "invalid_request_error",
        message: format!("the request body is larger than {max_bytes} bytes"),
    })
}

/// The error's response, telling the client the connection closes (its unread body would
/// otherwise be read as the next request).
fn closing(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Whether reading stopped at the size limit (`to_bytes` wraps `http_body_util::Limited`'s
/// error).
fn is_length_limit(e: &axum::Error) -> bool {
    std::error::Error::source(e).is_some_and(|inner| inner.is::<http_body_util::LengthLimitError>())
}
