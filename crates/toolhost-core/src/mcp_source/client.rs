//! toolhost's side of an MCP session with a tool server: who it says it is, where the
//! server's progress notifications go (to the call that asked for them), and its word
//! that its tool list changed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rmcp::model::{
    ClientCapabilities, ClientConfig, Implementation, ProgressNotificationParam, ProgressToken,
};
use rmcp::service::NotificationContext;
use rmcp::{ClientHandler, RoleClient};
use tokio::sync::{mpsc, watch};

/// One progress report: done, total (if known), message.
pub(crate) type Progress = (f64, Option<f64>, Option<String>);

/// Where each call in flight wants its progress reports, by the token its request carries.
#[derive(Default)]
pub(crate) struct ProgressRoutes {
    routes: Mutex<HashMap<ProgressToken, mpsc::UnboundedSender<Progress>>>,
}

impl ProgressRoutes {
    pub fn add(&self, token: ProgressToken, to: mpsc::UnboundedSender<Progress>) {
        self.routes
            .lock()
            .expect("progress routes")
            .insert(token, to);
    }

    pub fn remove(&self, token: &ProgressToken) {
        self.routes.lock().expect("progress routes").remove(token);
    }
}

#[derive(Clone)]
pub(crate) struct SourceClient {
    pub progress: Arc<ProgressRoutes>,
    /// Counts the server's `notifications/tools/list_changed`.
    pub tools_changed: watch::Sender<u64>,
}

impl ClientHandler for SourceClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("toolhost", env!("CARGO_PKG_VERSION")),
        )
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let route = self
            .progress
            .routes
            .lock()
            .expect("progress routes")
            .get(&params.progress_token)
            .cloned();
        if let Some(route) = route {
            let _ = route.send((params.progress, params.total, params.message));
        }
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.tools_changed.send_modify(|changes| *changes += 1);
    }
}
