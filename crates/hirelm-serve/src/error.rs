//! What can stop the server from starting or a retrieval answer from being made.

use std::net::SocketAddr;

/// A server that could not start, or an answer that could not be retrieved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// A limit that cannot work (a zero worker count, a zero answer budget).
    #[error("{0}")]
    Config(String),
    /// The async runtime could not start.
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The address could not be listened on.
    #[error("binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The model or an encoder failed.
    #[error(transparent)]
    Model(#[from] hirelm_infer::InferError),
    /// A retriever found nothing (an empty label set).
    #[error("no {0} retrieved")]
    NothingRetrieved(&'static str),
}
