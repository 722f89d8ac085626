//! Serving HTTP/1.1 connections, plain or over TLS, with the limits a public listener needs:
//! request heads must arrive within `http.header_timeout_secs` (slow clients hold no
//! connection forever) and stay under 64 KB (an XRPC error body on the 431, see
//! `parse_errors`); on shutdown, connections finish their current request and close.

use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Largest request head (line and headers), bytes.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long shutdown waits for open connections.
const DRAIN: Duration = Duration::from_secs(10);

/// What every connection is served with.
#[derive(Clone)]
pub struct Serving {
    /// The application.
    pub app: Router,
    /// Turns true on shutdown.
    pub stop: watch::Receiver<bool>,
    /// Time allowed for a request head.
    pub header_timeout: Duration,
}

/// Serves one connection from `peer` until it closes, or until shutdown (then gracefully).
pub async fn serve_io<I>(io: I, peer: SocketAddr, s: Serving) -> Result<(), String>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Serving {
        app,
        mut stop,
        header_timeout,
    } = s;
    let watch = super::parse_errors::Watch::default();
    let app_watch = watch.clone();
    let svc = tower::service_fn(move |mut req: Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        let (app, watch) = (app.clone(), app_watch.clone());
        async move { Ok::<_, std::convert::Infallible>(watch.serve(app, req).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(MAX_HEAD_BYTES * 2)
        .max_header_size(MAX_HEAD_BYTES)
        .serve_connection(
            TokioIo::new(watch.io(io)),
            hyper_util::service::TowerToHyperService::new(svc),
        )
        .with_upgrades();
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => return r.map_err(|e| e.to_string()),
        _ = async { let _ = stop.wait_for(|s| *s).await; } => conn.as_mut().graceful_shutdown(),
    }
    conn.await.map_err(|e| e.to_string())
}

/// Accepts connections on `listener` and serves each with `handle` until `stop`; then waits
/// (up to 10 s) for the open ones to finish.
pub async fn accept_loop<F, Fut>(listener: TcpListener, mut stop: watch::Receiver<bool>, handle: F)
where
    F: Fn(tokio::net::TcpStream, SocketAddr) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let open = Arc::new(());
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = async { let _ = stop.wait_for(|s| *s).await; } => break,
        };
        let fut = handle(tcp, peer);
        let token = open.clone();
        tokio::spawn(async move {
            if let Err(e) = fut.await {
                tracing::debug!(%peer, "connection: {e}");
            }
            drop(token);
        });
    }
    let deadline = tokio::time::Instant::now() + DRAIN;
    while Arc::strong_count(&open) > 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Serves over plain HTTP on `listener` until shutdown.
pub async fn serve_plain(listener: TcpListener, s: Serving) {
    let stop = s.stop.clone();
    accept_loop(listener, stop, move |tcp, peer| {
        serve_io(tcp, peer, s.clone())
    })
    .await
}
