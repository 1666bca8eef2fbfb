//! Watching a call as it runs: front ends hear a tool's logs and progress through a
//! [`CallObserver`] (the MCP server forwards progress, the CLI draws a bar).

use std::sync::Arc;

use crate::output::LogRecord;
use crate::runtime::{CallEvent, CallEvents};

/// Receives what a running tool reports, as it happens.
pub trait CallObserver: Send + Sync {
    fn on_log(&self, _tool: &str, _record: &LogRecord) {}
    fn on_progress(&self, _tool: &str, _done: u64, _total: u64, _message: &str) {}
}

/// The runtime's event sink for an observer.
pub(super) fn events(observer: Arc<dyn CallObserver>) -> CallEvents {
    Arc::new(move |tool: &str, event: CallEvent<'_>| match event {
        CallEvent::Log(record) => observer.on_log(tool, record),
        CallEvent::Progress {
            done,
            total,
            message,
        } => observer.on_progress(tool, done, total, message),
    })
}
