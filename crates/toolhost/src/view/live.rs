//! `--live`: a run's page served on loopback while the run goes on. Each request renders
//! the page again from the trajectory; `/events` (server-sent events) says when the file
//! grew, and the page's script fetches it again and swaps in the new steps.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::Stream;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::{build, page};
use crate::agent::trajectory;

/// How often `/events` looks at the trajectory's size and modification time.
const POLL: Duration = Duration::from_millis(200);

/// The live page's server; it stops when [`LiveServer::stop`] is called or it is dropped.
pub struct LiveServer {
    url: String,
    /// Cancels the server when dropped.
    shutdown: DropGuard,
    task: tokio::task::JoinHandle<()>,
}

struct Shared {
    trajectory: PathBuf,
    /// `Host` headers this server answers: its own address, by IP or as localhost.
    hosts: Vec<String>,
    shutdown: CancellationToken,
}

impl LiveServer {
    /// Serve `trajectory`'s page at `addr` (a loopback address; port 0 picks a free one).
    pub async fn start(trajectory: PathBuf, addr: SocketAddr) -> std::io::Result<LiveServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let port = local.port();
        let shutdown = CancellationToken::new();
        let shared = Arc::new(Shared {
            trajectory,
            hosts: vec![
                local.to_string(),
                format!("localhost:{port}"),
                format!("127.0.0.1:{port}"),
                format!("[::1]:{port}"),
            ],
            shutdown: shutdown.clone(),
        });
        let router = Router::new()
            .route("/", get(page_handler))
            .route("/events", get(events_handler))
            .layer(middleware::from_fn_with_state(
                shared.clone(),
                own_host_only,
            ))
            .with_state(shared);
        let stop = shutdown.clone();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await;
        });
        Ok(LiveServer {
            url: format!("http://{local}/"),
            shutdown: shutdown.drop_guard(),
            task,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stop after `linger`, so open pages can fetch the last records first.
    pub async fn stop(self, linger: Duration) {
        tokio::time::sleep(linger).await;
        drop(self.shutdown);
        let _ = self.task.await;
    }
}

/// A page elsewhere cannot read a run through a DNS name rebound to 127.0.0.1: its
/// requests carry that name in `Host`.
async fn own_host_only(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if shared.hosts.iter().any(|h| h == host) {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "this page is served to loopback only",
        )
            .into_response()
    }
}

async fn page_handler(State(shared): State<Arc<Shared>>) -> Response {
    let html = tokio::task::spawn_blocking(move || live_page(&shared.trajectory)).await;
    match html {
        Ok(Ok(html)) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            html,
        )
            .into_response(),
        Ok(Err(e)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot render the page: {e}"),
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// The page for what the trajectory holds so far: whole lines only (the last may be half
/// written), and a waiting page before the run's first record.
fn live_page(path: &Path) -> Result<String, minijinja::Error> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
    let records = trajectory::parse(complete).unwrap_or_default();
    let mut run = build(&records, &[]);
    if run.run_id.is_empty() {
        run.task = format!("waiting for the run's first record in {}", path.display());
    }
    page::render_live(&run)
}

async fn events_handler(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>> {
    Sse::new(growth(shared)).keep_alive(KeepAlive::default())
}

/// One `update` event at once (the file may have grown since the page was fetched), then
/// one each time the trajectory's size or modification time changes, until shutdown.
fn growth(shared: Arc<Shared>) -> impl Stream<Item = Result<Event, std::convert::Infallible>> {
    let stamp = |path: &Path| -> Option<(u64, SystemTime)> {
        let meta = std::fs::metadata(path).ok()?;
        Some((meta.len(), meta.modified().ok()?))
    };
    futures::stream::unfold(
        (shared, None, true),
        move |(shared, last, first)| async move {
            let mut last = last;
            if !first {
                loop {
                    tokio::select! {
                        _ = shared.shutdown.cancelled() => return None,
                        _ = tokio::time::sleep(POLL) => {}
                    }
                    let now = stamp(&shared.trajectory);
                    if now != last {
                        last = now;
                        break;
                    }
                }
            } else {
                last = stamp(&shared.trajectory);
            }
            // With no data a browser drops the event: send the trajectory's size.
            let size = last.map_or(0, |(len, _)| len);
            let event = Event::default().event("update").data(size.to_string());
            Some((Ok(event), (shared, last, false)))
        },
    )
}
