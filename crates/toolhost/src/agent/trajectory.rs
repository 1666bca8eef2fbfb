//! The run's record: one JSON object per line, enough to audit the run and to replay its
//! code without a model.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

use super::llm::{Message, Usage};
use crate::repl::ToolCallRecord;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Start {
        run_id: String,
        task: String,
        model: String,
        depth: u32,
    },
    Step {
        run_id: String,
        depth: u32,
        step: u32,
        model: String,
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
        /// The server sent no usage; `usage` is estimated (chars/4, see `estimate_usage`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        usage_estimated: bool,
        attempts: u32,
        code: Option<String>,
        output: Option<String>,
        value: Option<String>,
        error: Option<String>,
        tool_calls: Vec<ToolCallRecord>,
        duration_ms: f64,
        failed: bool,
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
    },
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
    let text = std::fs::read_to_string(path)?;
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
