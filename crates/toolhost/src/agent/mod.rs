//! The agent loop: a language model (any OpenAI-compatible server) writes REPL code until
//! the code calls FINAL(value). Budgets, escalation to a stronger model, sub-calls from
//! code (`llm_query`) with a depth limit code cannot bypass, and a JSONL trajectory that
//! `replay` re-runs without any model.

mod accounting;
mod config;
mod fence;
mod llm;
mod prompt;
mod replay;
mod steps;
mod subcalls;
mod trajectory;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::dispatch::Dispatcher;
pub use accounting::{AgentReport, StopReason, new_run_id};
pub use config::{AgentConfig, AgentEvent, Budget, EventSink, Prices, default_stop};
pub use fence::{FenceError, extract_code};
pub use llm::{ChatClient, Completion, LlmError, Message, ModelEndpoint, RetryPolicy, Usage};
pub use replay::{ReplayError, ReplayReport, replay};
use trajectory::Trajectory;

/// Run the agent on `task` until FINAL or a budget stops it.
pub async fn run(
    task: &str,
    config: AgentConfig,
    dispatcher: Dispatcher,
) -> Result<AgentReport, LlmError> {
    let client = ChatClient::new(config.retry)?;
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
    });
    Ok(steps::run_at_depth(run, task.to_owned(), 0).await)
}
