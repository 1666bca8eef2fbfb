//! `llm_query` and `llm_batch` from code: sub-agents or plain completions below the
//! depth limit the host holds, and recorded answers served back during a replay.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::Value;

use super::accounting::{Run, StopReason};
use super::llm::Message;
use super::roles::Role;
use super::steps::run_at_depth;
use super::trajectory::Record;
use crate::repl::ModelBridge;

/// `llm_query` for code running at `depth`.
pub(super) struct SubCalls {
    pub run: Arc<Run>,
    pub depth: u32,
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
        let mut endpoint = run.config.sub_query_endpoint().clone();
        endpoint.stop.clear();
        let started = Instant::now();
        let completion = run
            .client
            .complete(&endpoint, &messages)
            .await
            .map_err(|e| e.to_string())?;
        let cost = run.record_usage(Role::SubQuery, completion.usage);
        run.trajectory.write(&Record::Step {
            run_id: run.run_id.clone(),
            depth: level,
            step: 0,
            model: endpoint.model.clone(),
            role: Some(Role::SubQuery),
            extends: 0,
            request: messages,
            response: completion.content.clone(),
            finish_reason: completion.finish_reason.clone(),
            usage: completion.usage,
            cost,
            usage_estimated: completion.usage_estimated,
            attempts: completion.attempts,
            streamed: completion.streamed,
            code: None,
            output: None,
            value: None,
            error: None,
            tool_calls: Vec::new(),
            python_calls: Vec::new(),
            duration_ms: started.elapsed().as_secs_f64() * 1e3,
            run_elapsed_ms: Some(run.started.elapsed().as_secs_f64() * 1e3),
            failed: false,
        });
        Ok(completion.content)
    }
}

#[async_trait::async_trait]
impl ModelBridge for SubCalls {
    async fn query(&self, prompt: String) -> Result<String, String> {
        Self::ask(self.run.clone(), self.depth, prompt).await
    }

    async fn batch(&self, prompts: Vec<String>) -> Vec<Result<String, String>> {
        let asks = prompts
            .into_iter()
            .map(|p| Self::ask(self.run.clone(), self.depth, p));
        futures::future::join_all(asks).await
    }
}

/// Recorded answers to `llm_query`, by prompt (each prompt's answers in recorded order),
/// served during a replay: `llm_batch` gets each prompt's own answer whatever order the
/// concurrent calls finished in.
pub(super) struct RecordedAnswers(pub Mutex<HashMap<String, VecDeque<Result<String, String>>>>);

#[async_trait::async_trait]
impl ModelBridge for RecordedAnswers {
    async fn query(&self, prompt: String) -> Result<String, String> {
        self.next(&prompt)
    }

    async fn batch(&self, prompts: Vec<String>) -> Vec<Result<String, String>> {
        prompts.iter().map(|p| self.next(p)).collect()
    }
}

impl RecordedAnswers {
    fn next(&self, prompt: &str) -> Result<String, String> {
        self.0
            .lock()
            .expect("answers")
            .get_mut(prompt)
            .and_then(VecDeque::pop_front)
            .unwrap_or_else(|| Err(format!("no recorded llm_query answer left for {prompt:?}")))
    }
}
