//! The agent loop: a language model (any OpenAI-compatible server) writes REPL code until
//! the code calls FINAL(value). Budgets, escalation to a stronger model, sub-calls from
//! code (`llm_query`) with a depth limit code cannot bypass, and a JSONL trajectory that
//! `replay` re-runs without any model.

mod fence;
mod llm;
mod prompt;
mod replay;
mod trajectory;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::dispatch::Dispatcher;
use crate::repl::{ImageMode, ModelBridge, ReplLimits, ReplOptions, ReplSession};
pub use fence::{FenceError, extract_code};
pub use llm::{ChatClient, Completion, LlmError, Message, ModelEndpoint, RetryPolicy, Usage};
pub use replay::{ReplayReport, replay};
use trajectory::{Record, Trajectory};

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
    pub repl_limits: ReplLimits,
}

/// Stop sequences: the closing fence, so the model cannot go on to invent the output.
pub fn default_stop() -> Vec<String> {
    vec!["\n```\n".into(), "\n```\r\n".into(), "\n~~~\n".into()]
}

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
}

/// What all levels of one run share: the client, the budgets and their accounts.
struct Run {
    client: ChatClient,
    config: AgentConfig,
    dispatcher: Dispatcher,
    runtime: tokio::runtime::Handle,
    run_id: String,
    started: Instant,
    trajectory: Trajectory,
    calls: Mutex<Vec<Usage>>,
}

impl Run {
    fn record_usage(&self, usage: Usage) {
        self.calls.lock().expect("usage lock").push(usage);
    }

    fn usage(&self) -> Usage {
        let mut total = Usage::default();
        for u in self.calls.lock().expect("usage lock").iter() {
            total.add(*u);
        }
        total
    }

    fn cost(&self) -> Option<f64> {
        let p = self.config.budget.prices?;
        let u = self.usage();
        Some(
            u.prompt_tokens as f64 * p.prompt_per_million / 1e6
                + u.completion_tokens as f64 * p.completion_per_million / 1e6,
        )
    }

    /// Checked before every model call, at every depth.
    fn exhausted(&self) -> Option<StopReason> {
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

/// `llm_query` for code running at `depth`.
struct SubCalls {
    run: Arc<Run>,
    depth: u32,
}

impl SubCalls {
    async fn ask(run: Arc<Run>, depth: u32, prompt: String) -> Result<String, String> {
        let level = depth + 1;
        if level > run.config.max_depth {
            return Err(format!(
                "llm_query refused: the sub-call depth limit is {} and this code runs at depth {depth}",
                run.config.max_depth
            ));
        }
        if let Some(reason) = run.exhausted() {
            return Err(format!("llm_query refused: {reason}"));
        }
        if level < run.config.max_depth {
            let report = Box::pin(run_at_depth(run.clone(), prompt, level)).await;
            return match (report.stop_reason, report.final_value) {
                (StopReason::Final, Some(Value::String(s))) => Ok(s),
                (StopReason::Final, Some(v)) => Ok(v.to_string()),
                (reason, _) => Err(format!("the sub-agent stopped without an answer: {reason}")),
            };
        }
        let messages = vec![Message::user(prompt)];
        let mut endpoint = run.config.primary.clone();
        endpoint.stop.clear();
        let started = Instant::now();
        let completion = run
            .client
            .complete(&endpoint, &messages)
            .await
            .map_err(|e| e.to_string())?;
        run.record_usage(completion.usage);
        run.trajectory.write(&Record::Step {
            run_id: run.run_id.clone(),
            depth: level,
            step: 0,
            model: endpoint.model.clone(),
            request: messages,
            response: completion.content.clone(),
            finish_reason: completion.finish_reason.clone(),
            usage: completion.usage,
            attempts: completion.attempts,
            code: None,
            output: None,
            value: None,
            error: None,
            tool_calls: Vec::new(),
            duration_ms: started.elapsed().as_secs_f64() * 1e3,
            failed: false,
        });
        Ok(completion.content)
    }
}

impl ModelBridge for SubCalls {
    fn query(&self, prompt: &str) -> Result<String, String> {
        self.run
            .runtime
            .block_on(Self::ask(self.run.clone(), self.depth, prompt.to_owned()))
    }

    fn batch(&self, prompts: Vec<String>) -> Vec<Result<String, String>> {
        let asks = prompts
            .into_iter()
            .map(|p| Self::ask(self.run.clone(), self.depth, p));
        self.run.runtime.block_on(futures::future::join_all(asks))
    }
}

fn new_run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("run-{nanos:x}-{:04x}", rand::random::<u16>())
}

/// Run the agent on `task` until FINAL or a budget stops it.
pub async fn run(
    task: &str,
    config: AgentConfig,
    dispatcher: Dispatcher,
) -> Result<AgentReport, LlmError> {
    let client = ChatClient::new(config.retry)?;
    let trajectory = Trajectory::create(config.trajectory.as_deref())
        .map_err(|e| LlmError::Request(format!("cannot write the trajectory: {e}")))?;
    let run = Arc::new(Run {
        client,
        config,
        dispatcher,
        runtime: tokio::runtime::Handle::current(),
        run_id: new_run_id(),
        started: Instant::now(),
        trajectory,
        calls: Mutex::new(Vec::new()),
    });
    Ok(run_at_depth(run, task.to_owned(), 0).await)
}

/// Restore a closing fence the stop sequence cut off, so the history reads as a whole.
fn close_fence(reply: &str) -> String {
    let fences = reply
        .lines()
        .filter(|l| l.trim_start().starts_with("```"))
        .count();
    if fences % 2 == 1 {
        format!("{}\n```", reply.trim_end())
    } else {
        reply.to_owned()
    }
}

async fn run_at_depth(run: Arc<Run>, task: String, depth: u32) -> AgentReport {
    let config = &run.config;
    let tools: Vec<_> = run
        .dispatcher
        .describe_all()
        .await
        .into_iter()
        .filter_map(|(_, d)| d.ok())
        .collect();
    let options = ReplOptions {
        limits: config.repl_limits,
        images: ImageMode::Save(None),
        require_exploration_before_final: config.require_exploration,
        model: (config.max_depth > depth).then(|| {
            Arc::new(SubCalls {
                run: run.clone(),
                depth,
            }) as Arc<dyn ModelBridge>
        }),
        echo_output: false,
    };
    let mut session = Some(ReplSession::new(
        run.dispatcher.clone(),
        run.runtime.clone(),
        options,
    ));
    let mut messages = vec![
        Message::system(prompt::system_prompt(
            &tools,
            &run.dispatcher.registry().scripts,
            config.require_exploration,
            config.max_depth > depth,
        )),
        Message::user(task.clone()),
    ];
    let mut endpoint = config.primary.clone();
    let mut escalated = false;
    let mut failures_in_a_row = 0;
    let mut steps = 0;
    run.trajectory.write(&Record::Start {
        run_id: run.run_id.clone(),
        task,
        model: endpoint.model.clone(),
        depth,
    });
    let finish = |stop_reason: StopReason, final_value: Option<Value>, steps: u32| {
        let calls = run.calls.lock().expect("usage lock").clone();
        let report = AgentReport {
            run_id: run.run_id.clone(),
            stop_reason,
            final_value,
            steps,
            calls,
            usage: run.usage(),
            cost: run.cost(),
        };
        run.trajectory.write(&Record::End {
            run_id: run.run_id.clone(),
            depth,
            stop_reason: report.stop_reason.to_string(),
            final_value: report.final_value.clone(),
            steps,
            usage: report.usage,
            cost: report.cost,
        });
        report
    };

    while steps < config.budget.max_steps {
        if let Some(reason) = run.exhausted() {
            return finish(reason, None, steps);
        }
        steps += 1;
        let started = Instant::now();
        let completion = match run.client.complete(&endpoint, &messages).await {
            Ok(c) => c,
            Err(e) => return finish(StopReason::Backend(e.to_string()), None, steps),
        };
        run.record_usage(completion.usage);
        let reply = completion.content.clone();
        let mut record_code = None;
        let (feedback, failed, outcome) = match fence::extract_code(&reply) {
            Err(e) => (e.explain(), true, None),
            Ok(code) => {
                record_code = Some(code.clone());
                let mut s = session.take().expect("session");
                let (s, outcome) = tokio::task::spawn_blocking(move || {
                    let outcome = s.eval(&code);
                    (s, outcome)
                })
                .await
                .expect("REPL evaluation panicked");
                session = Some(s);
                let text = prompt::feedback(
                    &outcome.output,
                    outcome.value.as_deref(),
                    outcome.error.as_deref(),
                    config.output_budget,
                );
                (text, outcome.error.is_some(), Some(outcome))
            }
        };
        run.trajectory.write(&Record::Step {
            run_id: run.run_id.clone(),
            depth,
            step: steps,
            model: endpoint.model.clone(),
            request: messages.clone(),
            response: reply.clone(),
            finish_reason: completion.finish_reason.clone(),
            usage: completion.usage,
            attempts: completion.attempts,
            code: record_code,
            output: outcome.as_ref().map(|o| o.output.clone()),
            value: outcome.as_ref().and_then(|o| o.value.clone()),
            error: outcome.as_ref().and_then(|o| o.error.clone()),
            tool_calls: outcome
                .as_ref()
                .map(|o| o.tool_calls.clone())
                .unwrap_or_default(),
            duration_ms: started.elapsed().as_secs_f64() * 1e3,
            failed,
        });
        if let Some(final_value) = outcome.and_then(|o| o.final_value) {
            return finish(StopReason::Final, Some(final_value), steps);
        }
        messages.push(Message::assistant(close_fence(&reply)));
        messages.push(Message::user(feedback));
        failures_in_a_row = if failed { failures_in_a_row + 1 } else { 0 };
        if let Some((stronger, after)) = &config.escalation
            && !escalated
            && failures_in_a_row >= *after
        {
            let reason = format!("{failures_in_a_row} failed steps in a row");
            eprintln!(
                "toolhost agent: switching from {} to {} after {reason}",
                endpoint.model, stronger.model
            );
            run.trajectory.write(&Record::Escalation {
                run_id: run.run_id.clone(),
                step: steps,
                from: endpoint.model.clone(),
                to: stronger.model.clone(),
                reason,
            });
            endpoint = stronger.clone();
            escalated = true;
            failures_in_a_row = 0;
        }
    }
    finish(StopReason::MaxSteps, None, steps)
}

/// Recorded answers to `llm_query`, served in order during a replay.
struct RecordedAnswers(Mutex<VecDeque<String>>);

impl ModelBridge for RecordedAnswers {
    fn query(&self, _prompt: &str) -> Result<String, String> {
        self.0
            .lock()
            .expect("answers")
            .pop_front()
            .ok_or_else(|| "no recorded llm_query answer left".into())
    }

    fn batch(&self, prompts: Vec<String>) -> Vec<Result<String, String>> {
        prompts.iter().map(|p| self.query(p)).collect()
    }
}
