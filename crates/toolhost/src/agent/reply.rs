//! What a model's reply makes happen: the code it carries runs in the session (a fenced
//! block, or each `python` tool call in order), and the messages that go back into the
//! history are put together (the reply, then the results as a user message or as `tool`
//! messages answering each call by id).

use serde_json::Value;

use super::fence;
use super::llm::{Completion, Message};
use super::prompt;
use super::protocol::{self, Protocol};
use super::trajectory::CallRecord;
use crate::repl::{EvalOutcome, PythonSession};

/// One piece of code the reply asked to run (or could not: `code` is `None`).
pub(super) struct CodeRun {
    /// The tool call it came from (`tools` protocol); `None` for a fenced block.
    pub call_id: Option<String>,
    pub code: Option<String>,
    pub outcome: Option<EvalOutcome>,
    /// What the model is told about this run.
    pub feedback: String,
    pub failed: bool,
}

impl CodeRun {
    /// The code's error, or why the call could not run at all.
    pub fn error_text(&self) -> Option<String> {
        match &self.outcome {
            Some(o) => o
                .error
                .as_ref()
                .map(|e| format!("{}: {}", e.kind, e.message)),
            None => Some(self.feedback.trim().to_owned()),
        }
    }

    pub fn record(&self) -> CallRecord {
        CallRecord {
            id: self.call_id.clone().unwrap_or_default(),
            code: self.code.clone(),
            output: self.outcome.as_ref().map(|o| o.output.clone()),
            value: self.outcome.as_ref().and_then(|o| o.value.clone()),
            error: self.error_text(),
            tool_calls: self
                .outcome
                .as_ref()
                .map(|o| o.tool_calls.clone())
                .unwrap_or_default(),
            failed: self.failed,
        }
    }

    /// Names of the tools this run's code called, in order.
    pub fn tools_called(&self) -> impl Iterator<Item = &str> {
        self.outcome
            .iter()
            .flat_map(|o| o.tool_calls.iter().map(|c| c.tool.as_str()))
    }
}

/// What a reply led to.
pub(super) struct ReplyOutcome {
    pub runs: Vec<CodeRun>,
    /// Appended to the history when the run goes on: the reply as kept, then the results.
    pub messages: Vec<Message>,
    /// An accepted FINAL answer: the run ends.
    pub final_value: Option<Value>,
    pub failed: bool,
}

/// Run the code `completion` carries, as `protocol` says to find it.
pub(super) async fn handle(
    protocol: Protocol,
    session: &mut PythonSession,
    completion: &Completion,
    output_budget: usize,
) -> ReplyOutcome {
    if protocol == Protocol::Tools && !completion.tool_calls.is_empty() {
        return run_tool_calls(session, completion, output_budget).await;
    }
    // Fences, or a `tools` reply that wrote a fenced block instead of calling: the block
    // runs, since the model plainly meant it to.
    let reply = &completion.content;
    match fence::extract(reply) {
        Ok(extracted) => {
            let run = run_code(session, None, extracted.code, output_budget).await;
            let final_value = accepted_final(&run);
            ReplyOutcome {
                messages: vec![
                    Message::assistant(extracted.kept),
                    Message::user(run.feedback.clone()),
                ],
                failed: run.failed,
                final_value,
                runs: vec![run],
            }
        }
        Err(e) => {
            let feedback = match (protocol, &e) {
                (Protocol::Tools, fence::FenceError::NoCode { final_in_prose }) => {
                    protocol::nudge(*final_in_prose)
                }
                _ => e.explain(),
            };
            ReplyOutcome {
                runs: Vec::new(),
                messages: vec![
                    // Reasoning dropped: only what the model said aloud goes back.
                    Message::assistant(fence::strip_thinking(reply).trim().to_owned()),
                    Message::user(feedback),
                ],
                final_value: None,
                failed: true,
            }
        }
    }
}

/// Each call in order; each gets a `tool` message with its result. A FINAL that is
/// accepted ends the step there: the calls after it do not run.
async fn run_tool_calls(
    session: &mut PythonSession,
    completion: &Completion,
    output_budget: usize,
) -> ReplyOutcome {
    let mut outcome = ReplyOutcome {
        runs: Vec::new(),
        // The assistant message as the server sent it: servers check that every call is
        // answered by a `tool` message with its id.
        messages: vec![Message::assistant_with_calls(
            completion.content.clone(),
            completion.tool_calls.clone(),
        )],
        final_value: None,
        failed: false,
    };
    for call in &completion.tool_calls {
        let run = match protocol::code_of(call) {
            Ok(code) => run_code(session, Some(call.id.clone()), code, output_budget).await,
            Err(e) => CodeRun {
                call_id: Some(call.id.clone()),
                code: None,
                outcome: None,
                feedback: format!("Error: {e}\n"),
                failed: true,
            },
        };
        outcome.failed |= run.failed;
        outcome
            .messages
            .push(Message::tool(call.id.clone(), run.feedback.clone()));
        outcome.final_value = accepted_final(&run);
        outcome.runs.push(run);
        if outcome.final_value.is_some() {
            break;
        }
    }
    outcome
}

async fn run_code(
    session: &mut PythonSession,
    call_id: Option<String>,
    code: String,
    output_budget: usize,
) -> CodeRun {
    let mut outcome = session.eval(&code).await;
    let error = outcome
        .error
        .as_ref()
        .map(|e| format!("{}: {}", e.kind, e.message));
    let mut feedback = prompt::feedback(
        &outcome.output,
        outcome.value.as_deref(),
        error.as_deref(),
        output_budget,
    );
    let mut failed = outcome.error.is_some();
    if let Some(why) = outcome.final_value.as_ref().and_then(empty_answer) {
        outcome.final_value = None;
        failed = true;
        feedback.push_str(&format!(
            "Error: FINAL(...) is refused: the answer is {why}. Pass the answer itself; \
             an empty value usually means the computation found nothing or a variable \
             was never filled.\n"
        ));
    }
    CodeRun {
        call_id,
        code: Some(code),
        outcome: Some(outcome),
        feedback,
        failed,
    }
}

fn accepted_final(run: &CodeRun) -> Option<Value> {
    run.outcome.as_ref().and_then(|o| o.final_value.clone())
}

/// Why an answer is refused: the interpreter already refuses `None` and "" (an error the
/// code sees); empty containers, which it takes, are refused here.
pub(super) fn empty_answer(value: &Value) -> Option<&'static str> {
    match value {
        Value::Null => Some("None"),
        Value::String(s) if s.trim().is_empty() => Some("an empty string"),
        Value::Array(a) if a.is_empty() => Some("an empty list"),
        Value::Object(o) if o.is_empty() => Some("an empty dict"),
        _ => None,
    }
}
