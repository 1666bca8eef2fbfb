//! What all levels of one run share and count: the client, the budgets, the usage of
//! every model call, and why a run stopped.

use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use super::config::AgentConfig;
use super::context::ContextSizes;
use super::deadline::InFlight;
use super::llm::{ChatClient, Usage};
use super::roles::Role;
use super::trajectory::Trajectory;
use crate::dispatch::Dispatcher;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    Final,
    MaxSteps,
    MaxTokens,
    WallTime,
    MaxCost,
    /// The model server could not be used (refused, or failed after retries).
    Backend(String),
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopReason::Final => f.write_str("the code called FINAL"),
            StopReason::MaxSteps => f.write_str("the step budget ran out"),
            StopReason::MaxTokens => f.write_str("the token budget ran out"),
            StopReason::WallTime => f.write_str("the wall-time budget ran out"),
            StopReason::MaxCost => f.write_str("the cost budget ran out"),
            StopReason::Backend(e) => write!(f, "the model server failed: {e}"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AgentReport {
    pub run_id: String,
    pub stop_reason: StopReason,
    pub final_value: Option<Value>,
    pub steps: u32,
    /// Usage of every model call (sub-calls included), in order.
    pub calls: Vec<Usage>,
    pub usage: Usage,
    pub cost: Option<f64>,
    /// Since the run started.
    pub elapsed_ms: f64,
    /// What the wall-time budget cut off, when it stopped the run mid-work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// The first failure to write the trajectory, if any (the run went on without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trajectory_error: Option<String>,
}

/// What all levels of one run share: the client, the budgets and their accounts.
pub(super) struct Run {
    pub client: ChatClient,
    pub config: AgentConfig,
    pub dispatcher: Dispatcher,
    pub run_id: String,
    pub started: Instant,
    pub trajectory: Trajectory,
    pub calls: Mutex<Vec<Usage>>,
    /// Dollars spent so far, each call at its role's prices; `None` while no call had any.
    pub spent: Mutex<Option<f64>>,
    pub in_flight: InFlight,
    pub context_sizes: ContextSizes,
}

impl Run {
    /// Count a model call; its cost when its role has prices (kept in the trajectory so a
    /// viewer can chart where the money went).
    pub fn record_usage(&self, role: Role, usage: Usage) -> Option<f64> {
        self.calls.lock().expect("usage lock").push(usage);
        let p = self.config.prices(role)?;
        let cost = usage.prompt_tokens as f64 * p.prompt_per_million / 1e6
            + usage.completion_tokens as f64 * p.completion_per_million / 1e6;
        *self.spent.lock().expect("cost lock").get_or_insert(0.0) += cost;
        Some(cost)
    }

    pub fn usage(&self) -> Usage {
        let mut total = Usage::default();
        for u in self.calls.lock().expect("usage lock").iter() {
            total.add(*u);
        }
        total
    }

    pub fn cost(&self) -> Option<f64> {
        let spent = *self.spent.lock().expect("cost lock");
        spent.or(self.config.budget.prices.map(|_| 0.0))
    }

    /// Checked before every model call, at every depth.
    pub fn exhausted(&self) -> Option<StopReason> {
        let b = &self.config.budget;
        if b.max_total_tokens
            .is_some_and(|max| self.usage().total_tokens >= max)
        {
            return Some(StopReason::MaxTokens);
        }
        if b.wall_time.is_some_and(|max| self.started.elapsed() >= max) {
            return Some(StopReason::WallTime);
        }
        if let (Some(max), Some(cost)) = (b.max_cost, self.cost())
            && cost >= max
        {
            return Some(StopReason::MaxCost);
        }
        None
    }
}

/// A fresh run id: `run-<nanoseconds since the epoch, hex>-<random>`.
pub fn new_run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("run-{nanos:x}-{:04x}", rand::random::<u16>())
}
