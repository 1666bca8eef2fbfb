//! How an agent run is set up: the models, budgets, limits and where the trajectory goes.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::llm::{ModelEndpoint, RetryPolicy};
use crate::repl::PythonLimits;

/// Prices per million tokens, for the cost budget and report.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Prices {
    pub prompt_per_million: f64,
    pub completion_per_million: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Budget {
    pub max_steps: u32,
    pub max_total_tokens: Option<u64>,
    pub wall_time: Option<Duration>,
    pub max_cost: Option<f64>,
    pub prices: Option<Prices>,
}

#[derive(Debug, Clone)]
pub struct AgentConfig {
    pub primary: ModelEndpoint,
    /// A stronger model that takes over after this many consecutive failed steps.
    pub escalation: Option<(ModelEndpoint, u32)>,
    pub retry: RetryPolicy,
    pub budget: Budget,
    pub require_exploration: bool,
    /// How deep `llm_query` may nest: 0 disables it; at the deepest level a sub-call is a
    /// plain completion, above it a sub-agent with its own REPL.
    pub max_depth: u32,
    /// Characters of code output fed back to the model per step.
    pub output_budget: usize,
    pub trajectory: Option<PathBuf>,
    /// The run's id [default: a fresh one]; given, so a caller can name files after it.
    pub run_id: Option<String>,
    pub python_limits: PythonLimits,
    /// Told of events a person watching the run wants to know (an escalation...).
    pub on_event: Option<EventSink>,
}

/// Something a watcher of the run is told, as it happens.
#[derive(Debug, Clone)]
pub enum AgentEvent {
    Escalated {
        from: String,
        to: String,
        reason: String,
    },
}

/// Receives [`AgentEvent`]s; library code never prints.
#[derive(Clone)]
pub struct EventSink(pub std::sync::Arc<dyn Fn(&AgentEvent) + Send + Sync>);

impl EventSink {
    pub fn send(&self, event: &AgentEvent) {
        (self.0)(event)
    }
}

impl std::fmt::Debug for EventSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventSink")
    }
}

/// Stop sequences sent by default: none.
///
/// A stop string meant to end the reply at the closing fence ("\n```\n") also matches a
/// bare opening fence ("Let me compute.\n```\ncode"), and servers (llama-server, vLLM,
/// OpenAI) cut at the first match, so the reply would lose its code. No string can tell a
/// closing fence from an opening one without knowing whether a block is open, and a
/// sentinel the prompt asks for is something small models forget. So nothing is sent:
/// the reply is bounded by `max_tokens`, and extraction (agent/fence.rs) runs only the
/// first block and ignores whatever the model wrote after it.
pub fn default_stop() -> Vec<String> {
    Vec::new()
}
