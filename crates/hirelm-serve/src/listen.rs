//! The accept loop: HTTP/1.1 connections with a header deadline and a connection cap.
//!
//! `axum::serve` sets no header-read deadline, so a client that sends its headers one byte a
//! minute would hold a connection forever; and it accepts without bound. Here each connection
//! must finish its request headers within `header_timeout`, and at most `max_connections` are
//! open at once (more are closed on accept), so slow or numerous clients cannot exhaust memory
//! or starve the well-behaved ones.
//!
//! Shutdown is graceful: when `shutdown` completes the loop stops accepting, tells every open
//! connection to finish (an idle keep-alive one closes at once, one with a request in flight
//! after its response), and waits for them up to `drain_timeout`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Connection limits.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Open connections at most; more are closed on accept.
    pub max_connections: usize,
    /// How long a client has for its request headers, from the connection's start or the end
    /// of its previous response (so also the idle limit of a kept-alive connection).
    pub header_timeout: Duration,
    /// How long in-flight requests may take to finish after shutdown begins.
    pub drain_timeout: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = Arc::clone(&open).try_acquire_owned() else {
            tracing::warn!(%peer, "connection refused: {} open", limits.max_connections);
            drop(stream);
            continue;
        };
        let service = TowerToHyperService::new(app.clone());
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout);
            let connection = http.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                // The flag only ever turns true, so any change is the stop.
                _ = stopping.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
    // Stop: every connection finishes what it is answering, then its permit comes back.
    let _ = stop.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(limits.drain_timeout, open.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!(
            "shutdown: requests still open after {:?}, dropped",
            limits.drain_timeout
        );
    }
}
