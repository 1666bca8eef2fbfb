//! The agent loop: a language model (any OpenAI-compatible server) writes REPL code until
//! the code calls FINAL(value). Budgets, escalation to a stronger model, sub-calls from
//! code (`llm_query`) with a depth limit code cannot bypass, a wall-time budget that
//! stops work in flight, conversations kept within the model's context, model roles, and
//! a JSONL trajectory that `replay` re-runs without any model.

mod accounting;
mod config;
mod context;
mod deadline;
mod fence;
mod llm;
mod progress;
mod prompt;
mod protocol;
mod replay;
mod reply;
mod roles;
mod steps;
mod stream;
mod subcalls;
pub mod trajectory;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::dispatch::Dispatcher;
pub use accounting::{AgentReport, StopReason, new_run_id};
pub use config::{AgentConfig, AgentEvent, Budget, EventSink, Prices, default_stop};
pub use context::{Compaction, ContextWindow, DEFAULT_CONTEXT_TOKENS};
pub use fence::{FenceError, extract_code};
pub use llm::{
    CallOptions, ChatClient, Completion, LlmError, Message, ModelEndpoint, RetryPolicy, Usage,
};
pub use progress::ProgressView;
pub use protocol::{FunctionCall, Protocol, ToolCall};
pub use replay::{ReplayError, ReplayReport, replay};
pub use roles::{
    EscalationFlags, ResolvedRoles, Role, RolePrices, RootFlags, resolve as resolve_roles,
};
use trajectory::Trajectory;

/// Run the agent on `task` until FINAL or a budget stops it.
pub async fn run(
    task: &str,
    config: AgentConfig,
    dispatcher: Dispatcher,
) -> Result<AgentReport, LlmError> {
    let client = ChatClient::new(config.retry)?.streaming(config.stream);
    let run_id = config.run_id.clone().unwrap_or_else(new_run_id);
    let trajectory = Trajectory::create(config.trajectory.as_deref())
        .map_err(|e| LlmError::Request(format!("cannot write the trajectory: {e}")))?;
    let run = Arc::new(accounting::Run {
        client,
        config,
        dispatcher,
        run_id,
        started: Instant::now(),
        trajectory,
        calls: Mutex::new(Vec::new()),
        spent: Mutex::new(None),
        in_flight: Default::default(),
        context_sizes: Default::default(),
    });
    let work = steps::run_at_depth(run.clone(), task.to_owned(), 0);
    Ok(deadline::within_wall_time(&run, work).await)
}
