//! `--watch`: reload the registry when its file changes. Editors often replace a file
//! rather than write it in place, so the directory is watched and events are debounced.

use std::path::PathBuf;
use std::time::Duration;

use notify_debouncer_mini::{
    DebounceEventResult, Debouncer, new_debouncer, notify::RecommendedWatcher,
    notify::RecursiveMode,
};

use super::ToolhostMcp;
use crate::dispatch::{Dispatcher, DispatcherOptions};
use crate::registry;

const DEBOUNCE: Duration = Duration::from_millis(150);

pub struct RegistryWatcher {
    _debouncer: Debouncer<RecommendedWatcher>,
}

impl RegistryWatcher {
    pub fn start(
        path: PathBuf,
        options: DispatcherOptions,
        server: ToolhostMcp,
    ) -> anyhow::Result<Self> {
        let path = std::fs::canonicalize(&path)?;
        let dir = path
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let watched = path.clone();
        let mut debouncer = new_debouncer(DEBOUNCE, move |events: DebounceEventResult| {
            if let Ok(events) = events
                && events.iter().any(|e| e.path == watched)
            {
                let _ = tx.send(());
            }
        })?;
        debouncer
            .watcher()
            .watch(&dir, RecursiveMode::NonRecursive)?;
        tokio::spawn(async move {
            while rx.recv().await.is_some() {
                match registry::load_file(&path) {
                    Ok(registry) => match Dispatcher::new(registry, options.clone()) {
                        Ok(d) => match server.replace_dispatcher(d).await {
                            Ok(()) => tracing::info!("reloaded {}", path.display()),
                            Err(e) => tracing::warn!("registry not reloaded: {e}"),
                        },
                        Err(e) => tracing::warn!("cannot use the reloaded registry: {e}"),
                    },
                    // Keep serving the last good registry; say what is wrong with the new one.
                    Err(e) => tracing::warn!("registry not reloaded:\n{e}"),
                }
            }
        });
        Ok(RegistryWatcher {
            _debouncer: debouncer,
        })
    }
}
