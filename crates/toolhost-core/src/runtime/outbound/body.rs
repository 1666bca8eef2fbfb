//! Response bodies as the guest receives them, counted by the host: once a call's bodies
//! pass `max_response_bytes` the stream fails and the call is marked `output_too_large`.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Sleep;
use wasmtime_wasi_http::Error;

use super::ledger::{NetworkLedger, Violation};

/// The response bytes one call may still receive, across all its requests.
#[derive(Debug)]
pub struct ResponseBudget {
    limit: u64,
    used: AtomicU64,
}

impl ResponseBudget {
    pub fn new(limit: u64) -> Self {
        ResponseBudget {
            limit,
            used: AtomicU64::new(0),
        }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Count `n` more bytes; `false` once the total passes the limit.
    fn spend(&self, n: u64) -> bool {
        let before = self.used.fetch_add(n, Ordering::SeqCst);
        before.saturating_add(n) <= self.limit
    }
}

/// A response body that charges every data frame to the call's budget and, when asked,
/// fails if the server pauses longer than the guest's between-bytes timeout.
pub struct MeteredBody {
    inner: hyper::body::Incoming,
    budget: std::sync::Arc<ResponseBudget>,
    ledger: NetworkLedger,
    url: String,
    between_bytes: Option<(Duration, Pin<Box<Sleep>>)>,
    failed: bool,
}

impl MeteredBody {
    pub fn new(
        inner: hyper::body::Incoming,
        budget: std::sync::Arc<ResponseBudget>,
        ledger: NetworkLedger,
        url: String,
        between_bytes: Option<Duration>,
    ) -> Self {
        MeteredBody {
            inner,
            budget,
            ledger,
            url,
            between_bytes: between_bytes.map(|d| (d, Box::pin(tokio::time::sleep(d)))),
            failed: false,
        }
    }
}

impl Body for MeteredBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        if self.failed {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let n = frame.data_ref().map_or(0, |d| d.len() as u64);
                if !self.budget.spend(n) {
                    self.failed = true;
                    let limit = self.budget.limit();
                    self.ledger.record(Violation::ResponseTooLarge {
                        limit,
                        url: self.url.clone(),
                    });
                    return Poll::Ready(Some(Err(Error::HttpResponseBodySize(Some(limit)))));
                }
                if let Some((d, sleep)) = &mut self.between_bytes {
                    sleep.as_mut().reset(tokio::time::Instant::now() + *d);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                self.failed = true;
                Poll::Ready(Some(Err(if e.is_timeout() {
                    Error::HttpResponseTimeout
                } else {
                    Error::Hyper(e)
                })))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if let Some((_, sleep)) = &mut self.between_bytes
                    && sleep.as_mut().poll(cx).is_ready()
                {
                    self.failed = true;
                    return Poll::Ready(Some(Err(Error::ConnectionReadTimeout)));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::ResponseBudget;

    #[test]
    fn the_budget_allows_exactly_its_limit() {
        let b = ResponseBudget::new(10);
        assert!(b.spend(4));
        assert!(b.spend(6));
        assert!(!b.spend(1));
        assert!(!b.spend(0), "once over, stays over");
    }
}
