//! The run's record: one JSON object per line, enough to audit the run and to replay its
//! code without a model.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

use super::config::Budget;
use super::context::Compaction;
use super::llm::{Message, Usage};
use super::protocol::Protocol;
use super::roles::Role;
use crate::repl::ToolCallRecord;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Start {
        run_id: String,
        task: String,
        model: String,
        depth: u32,
        /// How the model hands over code (`fences` for records written before it was kept).
        #[serde(default)]
        protocol: Protocol,
        /// The run's budgets (depth 0 only), so a viewer can draw them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        budget: Option<BudgetRecord>,
    },
    Step {
        run_id: String,
        depth: u32,
        step: u32,
        model: String,
        /// The role whose model answered (absent in trajectories from before roles).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<Role>,
        /// How many earlier messages of this conversation `request` extends: the first
        /// step of a conversation holds its whole request (extends 0), later steps only
        /// the messages added since the step before (the reply and the feedback), so a
        /// request is stored once. A conversation is one (run_id, depth) sequence of
        /// steps; sub-agents of one llm_batch interleave.
        #[serde(default)]
        extends: usize,
        request: Vec<Message>,
        response: String,
        finish_reason: Option<String>,
        usage: Usage,
        /// This call's dollars, when its role has prices.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cost: Option<f64>,
        /// The server sent no usage; `usage` is estimated (chars/4, see `estimate_usage`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        usage_estimated: bool,
        attempts: u32,
        /// The reply came as a server-sent event stream.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        streamed: bool,
        /// The fenced block that ran (`code`...`tool_calls` describe it); in the `tools`
        /// protocol, the python calls are in `python_calls` instead.
        code: Option<String>,
        output: Option<String>,
        value: Option<String>,
        error: Option<String>,
        tool_calls: Vec<ToolCallRecord>,
        /// `tools` protocol: each python call of the reply, in the order they ran.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        python_calls: Vec<CallRecord>,
        duration_ms: f64,
        /// Milliseconds since the run started when this step ended: a step's duration
        /// leaves out what came before it (starting the interpreter, compiling a tool).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run_elapsed_ms: Option<f64>,
        failed: bool,
    },
    /// Older steps of a conversation were compacted to fit the context before this step;
    /// the step's record then holds its whole (compacted) request, `extends` 0.
    Compaction {
        run_id: String,
        depth: u32,
        step: u32,
        compaction: Compaction,
    },
    Escalation {
        run_id: String,
        step: u32,
        from: String,
        to: String,
        reason: String,
    },
    End {
        run_id: String,
        depth: u32,
        stop_reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        final_value: Option<Value>,
        steps: u32,
        usage: Usage,
        #[serde(skip_serializing_if = "Option::is_none")]
        cost: Option<f64>,
        /// Since the run started.
        #[serde(default)]
        elapsed_ms: f64,
        /// What the wall-time budget cut off, when it stopped the run mid-work.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interrupted: Option<String>,
    },
}

/// The budgets a run started with.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BudgetRecord {
    pub max_steps: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_total_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_time_ms: Option<f64>,
}

impl BudgetRecord {
    pub fn of(budget: &Budget) -> Self {
        BudgetRecord {
            max_steps: budget.max_steps,
            max_total_tokens: budget.max_total_tokens,
            max_cost: budget.max_cost,
            wall_time_ms: budget.wall_time.map(|d| d.as_secs_f64() * 1e3),
        }
    }
}

/// One `python(code)` tool call of a reply and what its code did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CallRecord {
    /// The call's id, which its `tool` message answers.
    pub id: String,
    /// `None` when the call could not be run (another function, arguments without code).
    pub code: Option<String>,
    pub output: Option<String>,
    pub value: Option<String>,
    pub error: Option<String>,
    pub tool_calls: Vec<ToolCallRecord>,
    pub failed: bool,
}

/// Appends records to a JSONL file (or nowhere).
pub struct Trajectory {
    file: Option<std::sync::Mutex<std::fs::File>>,
    /// The first write that failed.
    error: std::sync::Mutex<Option<String>>,
}

impl Trajectory {
    pub fn create(path: Option<&Path>) -> std::io::Result<Self> {
        let file = match path {
            Some(p) => {
                if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                Some(std::sync::Mutex::new(std::fs::File::create(p)?))
            }
            None => None,
        };
        Ok(Trajectory {
            file,
            error: std::sync::Mutex::new(None),
        })
    }

    pub fn write(&self, record: &Record) {
        if let Some(f) = &self.file {
            let mut f = f.lock().expect("trajectory lock");
            let mut line = serde_json::to_vec(record).unwrap_or_default();
            line.push(b'\n');
            if let Err(e) = f.write_all(&line).and_then(|()| f.flush()) {
                self.error
                    .lock()
                    .expect("trajectory error lock")
                    .get_or_insert_with(|| format!("cannot write the trajectory: {e}"));
            }
        }
    }

    /// The first write error, if any.
    pub fn error(&self) -> Option<String> {
        self.error.lock().expect("trajectory error lock").clone()
    }
}

pub fn read(path: &Path) -> std::io::Result<Vec<Record>> {
    parse(&std::fs::read_to_string(path)?)
}

/// The records of a trajectory's text, one JSON object per line.
pub fn parse(text: &str) -> std::io::Result<Vec<Record>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("line {}: {e}", i + 1),
                )
            })
        })
        .collect()
}
