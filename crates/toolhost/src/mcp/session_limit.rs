//! `--max-sessions` and `--session-idle-timeout`. rmcp's [`LocalSessionManager`] closes a
//! session idle for its `keep_alive` (and drops it from its table); this wrapper also
//! refuses a new session once the replica holds `--max-sessions`, so 2,000 forgotten
//! clients cannot hold 2,000 Python interpreters.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::Stream;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::local::{
    LocalSessionManager, LocalSessionManagerError, SessionConfig,
};
use rmcp::transport::streamable_http_server::session::{
    RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
};

/// Default for `--session-idle-timeout`: rmcp's own keep-alive.
pub const DEFAULT_SESSION_IDLE_TIMEOUT: Duration = SessionConfig::DEFAULT_KEEP_ALIVE;

/// Marks the refusal in rmcp's answer so [`answer_full_as_unavailable`] can tell it from
/// other failures to create a session.
const FULL_MARKER: &str = "[session_limit]";

#[derive(Debug, thiserror::Error)]
pub enum SessionLimitError {
    #[error(
        "{FULL_MARKER} this replica already holds its {max} MCP sessions (--max-sessions); \
         close an unused session or retry shortly (the load balancer may pick another replica)"
    )]
    Full { max: usize },
    #[error(transparent)]
    Local(#[from] LocalSessionManagerError),
}

/// [`LocalSessionManager`] with a ceiling on the sessions it holds.
pub struct BoundedSessions {
    inner: LocalSessionManager,
    max: Option<usize>,
    /// Creations are serialised so two cannot both take the last place.
    creating: tokio::sync::Mutex<()>,
}

impl BoundedSessions {
    pub fn new(max: Option<usize>, idle_timeout: Duration) -> Self {
        let mut inner = LocalSessionManager::default();
        inner.session_config.keep_alive = Some(idle_timeout);
        BoundedSessions {
            inner,
            max,
            creating: tokio::sync::Mutex::new(()),
        }
    }

    /// Sessions open now.
    pub async fn count(&self) -> usize {
        self.inner.sessions.read().await.len()
    }

    pub fn max(&self) -> Option<usize> {
        self.max
    }
}

impl SessionManager for BoundedSessions {
    type Error = SessionLimitError;
    type Transport = <LocalSessionManager as SessionManager>::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        let _one_at_a_time = self.creating.lock().await;
        if let Some(max) = self.max
            && self.count().await >= max
        {
            return Err(SessionLimitError::Full { max });
        }
        Ok(self.inner.create_session().await?)
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        Ok(self.inner.initialize_session(id, message).await?)
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        Ok(self.inner.has_session(id).await?)
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        Ok(self.inner.close_session(id).await?)
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.create_stream(id, message).await?)
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        Ok(self.inner.accept_message(id, message).await?)
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.create_standalone_stream(id).await?)
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.resume(id, last_event_id).await?)
    }

    async fn restore_session(
        &self,
        _id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        // No shared session store: a session lives on the replica that made it.
        Ok(RestoreOutcome::NotSupported)
    }
}

/// rmcp answers any failure to create a session with a 500; the session limit is not a
/// fault but a full replica, so it becomes 503 with Retry-After (which load balancers and
/// clients treat as "try again", not "broken").
pub async fn answer_full_as_unavailable(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (parts, body) = response.into_parts();
    // rmcp's error answers are short texts.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let text = String::from_utf8_lossy(&bytes);
    let Some(at) = text.find(FULL_MARKER) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let message = format!(
        "Service Unavailable: {}",
        text[at + FULL_MARKER.len()..].trim()
    );
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, message).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// Shared with the metrics and admin routes.
pub type Sessions = Arc<BoundedSessions>;
