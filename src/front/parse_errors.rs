//! Requests hyper cannot read (a head over the size limit, a malformed request line or header)
//! get hyper's own answer: a bare status (400, 414, 431) with no body. Around each connection,
//! this gives them the XRPC error body every other error has, and then reads what the client
//! is still sending for a moment before closing, so that it gets the answer rather than a
//! reset (as nginx's lingering close).
//!
//! hyper writes such an answer only between requests: after every earlier response was
//! written out and flushed, before the next request reaches the application. So a response
//! head written while no request is in the application (from its start until its response
//! body is dropped) and after a flush that followed the last one is hyper's own.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use hyper::body::{Frame, SizeHint};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How long, and how much, the client's remaining input is read after such an answer.
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 1 << 20;

/// What the application and the connection share.
#[derive(Default)]
struct State {
    /// Requests in the application, or whose response body is still being sent.
    busy: AtomicUsize,
    /// Whether a flush happened while nothing was busy (everything sent was sent).
    dirty: AtomicBool,
    /// The connection was upgraded to another protocol: nothing to watch.
    upgraded: AtomicBool,
}

impl State {
    fn between_requests(&self) -> bool {
        self.busy.load(Ordering::Acquire) == 0
            && !self.dirty.load(Ordering::Acquire)
            && !self.upgraded.load(Ordering::Acquire)
    }
}

/// One connection's watch.
#[derive(Clone, Default)]
pub struct Watch(Arc<State>);

/// Holds its request busy until dropped (with the response body).
struct Busy(Arc<State>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Watch {
    /// Runs `req` through `app`, busy until its response body is dropped.
    pub async fn serve<B>(self, app: axum::Router, req: Request<B>) -> Response
    where
        B: hyper::body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        let state = self.0;
        state.busy.fetch_add(1, Ordering::AcqRel);
        state.dirty.store(true, Ordering::Release);
        let busy = Busy(state.clone());
        let resp = match tower::ServiceExt::oneshot(app, req).await {
            Ok(resp) => resp,
            Err(never) => match never {},
        };
        if resp.status() == StatusCode::SWITCHING_PROTOCOLS {
            state.upgraded.store(true, Ordering::Release);
        }
        resp.map(|inner| Body::new(Tracked { inner, _busy: busy }))
    }

    /// `io`, watched.
    pub fn io<I>(&self, io: I) -> Watched<I> {
        Watched {
            io,
            state: self.0.clone(),
            answer: None,
            linger: None,
            drained: 0,
        }
    }
}

/// A response body that keeps its request busy.
struct Tracked {
    inner: Body,
    _busy: Busy,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A connection whose bodiless error answers from hyper are replaced.
pub struct Watched<I> {
    io: I,
    state: Arc<State>,
    /// The replacement answer and how much of it is written.
    answer: Option<(Vec<u8>, usize)>,
    linger: Option<Pin<Box<tokio::time::Sleep>>>,
    drained: usize,
}

/// The answer for a head hyper wrote (`HTTP/1.1 431 ...`), when it is an error.
fn replacement(head: &[u8]) -> Option<Vec<u8>> {
    let code = head.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
    let status = StatusCode::from_bytes(code).ok()?;
    if !status.is_client_error() {
        return None;
    }
    let reason = status.canonical_reason().unwrap_or("Bad Request");
    let body = crate::xrpc::error::body_for(status, reason);
    Some(
        format!(
            "HTTP/1.1 {} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             x-content-type-options: nosniff\r\nconnection: close\r\n\r\n{body}",
            status.as_u16(),
            body.len()
        )
        .into_bytes(),
    )
}

impl<I: AsyncWrite + Unpin> Watched<I> {
    /// Replaces `first` (the start of a write) when it is hyper's own answer.
    fn watch(&mut self, first: &[u8]) {
        if self.answer.is_none() && self.state.between_requests() {
            self.answer = replacement(first).map(|a| (a, 0));
        }
    }

    /// Writes out the replacement answer, if any; `Ready(true)` once it is all written.
    fn poll_answer(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<bool>> {
        let Some((answer, written)) = self.answer.as_mut() else {
            return Poll::Ready(Ok(false));
        };
        while *written < answer.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &answer[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(true))
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Watched<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<I: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Watched<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.watch(buf);
        if ready!(self.poll_answer(cx))? {
            // hyper's own bytes are dropped in favour of the answer.
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Some(first) = bufs.iter().find(|b| !b.is_empty()) {
            self.watch(first);
        }
        if ready!(self.poll_answer(cx))? {
            return Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()));
        }
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_answer(cx))?;
        ready!(Pin::new(&mut self.io).poll_flush(cx))?;
        if self.state.busy.load(Ordering::Acquire) == 0 {
            self.state.dirty.store(false, Ordering::Release);
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !ready!(self.poll_answer(cx))? {
            return Pin::new(&mut self.io).poll_shutdown(cx);
        }
        if self.linger.is_none() {
            ready!(Pin::new(&mut self.io).poll_shutdown(cx))?;
            self.linger = Some(Box::pin(tokio::time::sleep(LINGER)));
        }
        // Read (and drop) what the client still sends, until it closes, for a moment.
        let mut scratch = [0u8; 8192];
        loop {
            if self.drained >= LINGER_BYTES
                || self
                    .linger
                    .as_mut()
                    .is_some_and(|l| l.as_mut().poll(cx).is_ready())
            {
                return Poll::Ready(Ok(()));
            }
            let mut buf = ReadBuf::new(&mut scratch);
            match ready!(Pin::new(&mut self.io).poll_read(cx, &mut buf)) {
                Ok(()) if !buf.filled().is_empty() => self.drained += buf.filled().len(),
                _ => return Poll::Ready(Ok(())),
            }
        }
    }
}
