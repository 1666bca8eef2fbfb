//! `toolhost agent --replay FILE`: run a recorded trajectory's code again, without any
//! model, and check that every tool call and the final answer come out the same.

use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::reply::empty_answer;
use super::subcalls::RecordedAnswers;
use super::trajectory::{Record, read};
use crate::dispatch::Dispatcher;
use crate::error::ToolError;
use crate::repl::{EvalOutcome, PngPreference, PythonOptions, ToolCallRecord};

/// Why a replay could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("cannot read the trajectory: {0}")]
    Read(#[from] std::io::Error),
    #[error("cannot start the Python interpreter: {0}")]
    Interpreter(#[from] ToolError),
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplayReport {
    pub run_id: String,
    pub steps_replayed: u32,
    pub tool_calls_checked: usize,
    pub mismatches: Vec<String>,
}

impl ReplayReport {
    pub fn matches(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Re-run the top-level steps' code in a fresh session. Answers the model gave to
/// `llm_query` are served from the recording.
pub async fn replay(path: &Path, dispatcher: Dispatcher) -> Result<ReplayReport, ReplayError> {
    let records = read(path)?;
    // The top level's llm_query answers, by prompt: plain completions (a depth-1 step
    // without code, its request the prompt) and sub-agents (a depth-1 start, whose task is
    // the prompt, closed by a depth-1 end with the answer, as `SubCalls::ask` returned it).
    let mut answers: HashMap<String, VecDeque<Result<String, String>>> = HashMap::new();
    let mut open_sub_agents: VecDeque<String> = VecDeque::new();
    for r in &records {
        match r {
            Record::Step {
                depth: 1,
                code: None,
                request,
                response,
                ..
            } => {
                if let Some(prompt) = request.last() {
                    answers
                        .entry(prompt.content.clone())
                        .or_default()
                        .push_back(Ok(response.clone()));
                }
            }
            Record::Start { depth: 1, task, .. } => open_sub_agents.push_back(task.clone()),
            Record::End {
                depth: 1,
                stop_reason,
                final_value,
                ..
            } => {
                if let Some(task) = open_sub_agents.pop_front() {
                    let answer = match final_value {
                        Some(Value::String(s)) => Ok(s.clone()),
                        Some(v) => Ok(v.to_string()),
                        None => Err(format!(
                            "the sub-agent stopped without an answer: {stop_reason}"
                        )),
                    };
                    answers.entry(task).or_default().push_back(answer);
                }
            }
            _ => {}
        }
    }
    let options = PythonOptions {
        model: Some(Arc::new(RecordedAnswers(Mutex::new(answers)))),
        // As the run it replays asked.
        prefer_png: PngPreference::Yes,
        ..dispatcher.python_options()
    };
    let mut session = dispatcher.python_session(options).await?;
    let mut report = ReplayReport {
        run_id: String::new(),
        steps_replayed: 0,
        tool_calls_checked: 0,
        mismatches: Vec::new(),
    };
    let mut final_seen = None;
    for record in &records {
        match record {
            Record::Start {
                run_id, depth: 0, ..
            } => report.run_id = run_id.clone(),
            Record::Step {
                depth: 0,
                step,
                code,
                tool_calls,
                error,
                python_calls,
                ..
            } => {
                // The step's fenced block, then each python call (`tools` protocol) that ran.
                let fenced = code
                    .as_ref()
                    .map(|code| (format!("step {step}"), code, tool_calls, error));
                let called = python_calls.iter().filter_map(|c| {
                    c.code.as_ref().map(|code| {
                        (
                            format!("step {step}, python call {}", c.id),
                            code,
                            &c.tool_calls,
                            &c.error,
                        )
                    })
                });
                let runs: Vec<_> = fenced.into_iter().chain(called).collect();
                if !runs.is_empty() {
                    report.steps_replayed += 1;
                }
                for (label, code, tool_calls, error) in runs {
                    let outcome = session.eval(code).await;
                    check_run(&mut report, &label, &outcome, tool_calls, error);
                    // An empty answer was refused by the run, so it is not an answer here either.
                    if let Some(v) = outcome.final_value
                        && empty_answer(&v).is_none()
                    {
                        final_seen = Some(v);
                    }
                }
            }
            Record::End {
                depth: 0,
                final_value,
                ..
            } if *final_value != final_seen => {
                report.mismatches.push(format!(
                    "final answer: {:?} now, recorded {:?}",
                    final_seen, final_value
                ));
            }
            _ => {}
        }
    }
    Ok(report)
}

/// Compare one code run now with its record: the same tool calls with the same results,
/// and an error now exactly when there was one then.
fn check_run(
    report: &mut ReplayReport,
    label: &str,
    outcome: &EvalOutcome,
    recorded_calls: &[ToolCallRecord],
    recorded_error: &Option<String>,
) {
    if outcome.tool_calls.len() != recorded_calls.len() {
        report.mismatches.push(format!(
            "{label}: {} tool calls now, {} recorded",
            outcome.tool_calls.len(),
            recorded_calls.len()
        ));
    }
    for (i, (now, then)) in outcome.tool_calls.iter().zip(recorded_calls).enumerate() {
        report.tool_calls_checked += 1;
        if now.tool != then.tool || now.arguments != then.arguments || now.result != then.result {
            report.mismatches.push(format!(
                "{label}, call {}: {}({}) gave {} now, recorded {}({}) gave {}",
                i + 1,
                now.tool,
                now.arguments,
                now.result,
                then.tool,
                then.arguments,
                then.result
            ));
        }
    }
    if outcome.error.is_some() != recorded_error.is_some() {
        report.mismatches.push(format!(
            "{label}: error now {:?}, recorded {:?}",
            outcome.error, recorded_error
        ));
    }
}
