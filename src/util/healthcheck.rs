//! `/health` and its probe: the answer (the process is up; served by the app and, while TLS is
//! on, by the plain listener too), and `aerie healthcheck`, one HTTP/1.1 GET of it on the
//! configured listener for Docker's HEALTHCHECK and systemd. No client library needed for one
//! request to ourselves.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `GET /health`: the process is up.
pub async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "ok"}))
}

/// Succeeds when the server answers 200 within five seconds.
pub async fn probe(listen: SocketAddr) -> Result<(), String> {
    let mut addr = listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    let fut = async {
        let mut s = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connecting to {addr}: {e}"))?;
        let req = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        s.take(4096)
            .read_to_end(&mut buf)
            .await
            .map_err(|e| e.to_string())?;
        let head = String::from_utf8_lossy(&buf);
        match head.split_whitespace().nth(1) {
            Some("200") => Ok(()),
            other => Err(format!(
                "{addr}/health answered {}",
                other.unwrap_or("nothing")
            )),
        }
    };
    tokio::time::timeout(Duration::from_secs(5), fut)
        .await
        .map_err(|_| format!("{addr}/health: no answer in 5 s"))?
}
