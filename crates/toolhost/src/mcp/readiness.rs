//! `/readyz`'s first condition: the registry loaded and every tool compiled (from the
//! compile cache or afresh). A replica compiles all its tools before it says it is ready,
//! so the load balancer never sends a call to a replica that would spend seconds
//! compiling first.

use std::sync::{Arc, RwLock};

use crate::dispatch::Dispatcher;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolsState {
    /// Still compiling; how many tools there are.
    Compiling {
        tools: usize,
    },
    Ready {
        tools: usize,
    },
    /// The tools that failed to load, with why (`name [code]: message`).
    Failed {
        failures: Vec<String>,
    },
}

/// Shared between the warm-up task and the admin routes.
#[derive(Clone)]
pub struct Readiness {
    state: Arc<RwLock<ToolsState>>,
}

impl Readiness {
    /// Starts compiling every tool of `dispatcher` in the background, and the Python
    /// interpreter when `run_python` is offered (17 MB of code: seconds to compile).
    pub fn warm(dispatcher: Dispatcher, python: bool) -> Self {
        let tools = dispatcher.registry().names().len();
        let readiness = Readiness {
            state: Arc::new(RwLock::new(ToolsState::Compiling { tools })),
        };
        let state = readiness.state.clone();
        tokio::spawn(async move {
            let mut failures: Vec<String> = dispatcher
                .check()
                .await
                .into_iter()
                .filter_map(|c| {
                    c.error
                        .map(|e| format!("{} [{}]: {}", c.name, e.code, e.message))
                })
                .collect();
            if python {
                // A session compiles (or loads) the interpreter; this one is dropped at
                // once, giving its sandbox slot back.
                if let Err(e) = dispatcher.python_session(dispatcher.python_options()).await {
                    failures.push(format!(
                        "{} [{}]: {}",
                        crate::code_mode::MCP_NAME,
                        e.code,
                        e.message
                    ));
                }
            }
            let done = if failures.is_empty() {
                tracing::info!("ready: {tools} tools compiled (python: {python})");
                ToolsState::Ready { tools }
            } else {
                for f in &failures {
                    tracing::error!("not ready: tool {f}");
                }
                ToolsState::Failed { failures }
            };
            *state.write().expect("readiness lock") = done;
        });
        readiness
    }

    pub fn state(&self) -> ToolsState {
        self.state.read().expect("readiness lock").clone()
    }
}
