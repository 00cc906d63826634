//! Running the server: bind, serve until told to stop, drain.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::body_deadline::BodyLimits;
use crate::listen::{self, ConnectionLimits};
use crate::state::AppState;
use crate::{ServeError, router};

/// Where and how the server listens; the request limits are in [`AppState`]'s
/// [`Limits`](crate::Limits).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// The request body's deadline (from the end of the headers) and size limit.
    pub body: BodyLimits,
    /// Open connections at most; more are closed on accept.
    pub max_connections: usize,
    /// How long a client has for its request headers, counted from the connection's start or
    /// from the end of its previous response; it is also how long a kept-alive connection may
    /// sit idle between requests.
    pub header_timeout: Duration,
}

/// Serves `state` on `config.listen` until SIGINT or SIGTERM, then lets the requests in flight
/// finish (up to the request deadline and five seconds more) and returns. Blocks; it runs its
/// own async runtime. Writes `listening on http://ADDR (auth: …)` to standard error once bound,
/// then a line per answered request.
pub fn run(state: AppState, config: ServerConfig) -> Result<(), ServeError> {
    state.limits.check()?;
    // Few async threads: the model work runs on blocking threads and rayon's pool.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async move {
        let bind = |source| ServeError::Bind {
            addr: config.listen,
            source,
        };
        let listener = TcpListener::bind(config.listen).await.map_err(bind)?;
        let addr = listener.local_addr().map_err(bind)?;
        let auth = match state.api_key.is_some() {
            true => "API key",
            false => "none",
        };
        let _ = writeln!(
            std::io::stderr(),
            "listening on http://{addr} (auth: {auth})"
        );
        serve(listener, Arc::new(state), &config, shutdown_signal()).await;
        let _ = writeln!(std::io::stderr(), "shut down");
        Ok(())
    })
}

/// Serves `state` on an already bound `listener` until `shutdown` completes, then drains as
/// [`run`] does: for embedding the server in a program or a test with its own runtime.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    config: &ServerConfig,
    shutdown: impl Future<Output = ()>,
) {
    let connections = ConnectionLimits {
        max_connections: config.max_connections.max(1),
        header_timeout: config.header_timeout.max(Duration::from_millis(1)),
        // A request already admitted has its own deadline; give it that and a little more.
        drain_timeout: state.limits.timeout + Duration::from_secs(5),
    };
    let app = router(state, config.body);
    listen::serve(listener, app, connections, shutdown).await;
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (what `docker stop` and systemd send).
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
