//! What the page shows, built from a trajectory's records: the run's header, its steps at
//! depth 0 with running totals, and the `llm_query`/`llm_batch` sub-calls as a tree under
//! the step whose code made them.

use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

use super::highlight::highlight_python;
use super::text::{Clipped, split_thinking};
use crate::agent::trajectory::{BudgetRecord, CallRecord, Record};
use crate::agent::{Compaction, Usage};
use crate::repl::ToolCallRecord;

/// Characters of an output, value, error or tool result shown before "show more".
pub const CLIP_CHARS: usize = 2000;

#[derive(Debug, Default, Serialize)]
pub struct RunView {
    pub run_id: String,
    pub task: String,
    pub model: String,
    pub protocol: String,
    /// `None` when the trajectory has no end record (the run was killed, or is going on).
    pub stop_reason: Option<String>,
    /// `final`, `budget`, `error` or `unfinished`: what the header's colour says.
    pub stop_kind: &'static str,
    pub final_value: Option<String>,
    pub interrupted: Option<String>,
    pub usage: Usage,
    pub cost: Option<f64>,
    pub elapsed_ms: f64,
    pub budget: Option<BudgetRecord>,
    pub steps: Vec<StepView>,
    pub escalations: Vec<EscalationView>,
    /// Sub-calls no depth-0 step claimed (a run cut off while its code was waiting).
    pub orphans: Vec<Node>,
    /// Replay mismatches not tied to one step (the final answer).
    pub mismatches: Vec<String>,
    /// How deep the sub-call tree goes (0: no sub-calls).
    pub subcall_depth: u32,
}

#[derive(Debug, Default, Serialize)]
pub struct StepView {
    pub depth: u32,
    pub step: u32,
    pub model: String,
    pub role: Option<String>,
    pub thinking: Vec<String>,
    pub text: String,
    pub finish_reason: Option<String>,
    pub attempts: u32,
    pub streamed: bool,
    pub usage: Usage,
    pub usage_estimated: bool,
    pub cost: Option<f64>,
    pub duration_ms: f64,
    pub failed: bool,
    pub runs: Vec<CodeRun>,
    /// Running totals over every model call so far, sub-calls included (depth 0 only).
    pub cumulative: Option<Totals>,
    /// The stronger model that took over after this step.
    pub escalation: Option<EscalationView>,
    /// The conversation was compacted before this step's request.
    pub compaction: Option<Compaction>,
    pub mismatches: Vec<String>,
    pub subcalls: Vec<Node>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Totals {
    pub tokens: u64,
    pub cost: Option<f64>,
    pub elapsed_ms: f64,
}

/// One code run of a step: its fenced block, or one `python` call (`tools` protocol).
#[derive(Debug, Default, Serialize)]
pub struct CodeRun {
    /// The python call's id; `None` for a fenced block.
    pub call_id: Option<String>,
    /// Highlighted, escaped HTML (the template marks it safe).
    pub code_html: Option<String>,
    pub output: Option<Clipped>,
    pub value: Option<Clipped>,
    pub error: Option<Clipped>,
    pub tool_calls: Vec<ToolCallView>,
    pub failed: bool,
}

#[derive(Debug, Serialize)]
pub struct ToolCallView {
    pub tool: String,
    pub arguments: Clipped,
    pub result: Clipped,
    pub error_code: Option<String>,
    pub duration_ms: f64,
    /// `data:` URIs of the call's images (only well-formed base64 image types).
    pub images: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EscalationView {
    pub step: u32,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// A node of the sub-call tree: a single `llm_query` answer (a leaf model call), or a
/// sub-agent with its own steps, whose code may call deeper still.
#[derive(Debug, Serialize)]
pub struct Node {
    pub kind: NodeKind,
    pub depth: u32,
    /// A sub-agent's task, or a leaf query's prompt.
    pub prompt: String,
    pub stop_reason: Option<String>,
    pub final_value: Option<String>,
    /// A leaf query's model call, or a sub-agent's step.
    pub step: Option<StepView>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Query,
    Agent,
    Step,
}

/// A sub-agent whose end record has not been read yet.
struct OpenAgent {
    depth: u32,
    task: String,
    steps: Vec<Node>,
}

/// Build the page's model. `mismatches` come from a replay of the same file; those naming
/// "step N" go to that step.
pub fn build(records: &[Record], mismatches: &[String]) -> RunView {
    let mut run = RunView::default();
    // Nodes at depth d waiting for the depth d-1 step whose code made them: a step's record
    // is written after its code ran, so its sub-calls' records come first.
    let mut waiting: HashMap<u32, Vec<Node>> = HashMap::new();
    let mut open: Vec<OpenAgent> = Vec::new();
    let mut compactions: HashMap<u32, Compaction> = HashMap::new();
    let mut totals = Totals::default();
    let mut last_was_root_step = false;
    for record in records {
        match record {
            Record::Start {
                run_id,
                task,
                model,
                depth: 0,
                protocol,
                budget,
            } => {
                run.run_id = run_id.clone();
                run.task = task.clone();
                run.model = model.clone();
                run.protocol = protocol.to_string();
                run.budget = budget.clone();
                if budget.as_ref().is_some_and(|b| b.max_cost.is_some()) {
                    totals.cost.get_or_insert(0.0);
                }
            }
            Record::Start { depth, task, .. } => open.push(OpenAgent {
                depth: *depth,
                task: task.clone(),
                steps: Vec::new(),
            }),
            Record::Step {
                depth,
                step,
                request,
                run_elapsed_ms,
                ..
            } => {
                let mut view = step_view(record);
                view.compaction = compactions.remove(depth);
                view.subcalls = waiting.remove(&(depth + 1)).unwrap_or_default();
                totals.tokens += view.usage.total_tokens;
                if let Some(c) = view.cost {
                    *totals.cost.get_or_insert(0.0) += c;
                }
                if *depth == 0 {
                    // The run's clock when recorded (older trajectories: the steps' sum).
                    totals.elapsed_ms =
                        run_elapsed_ms.unwrap_or(totals.elapsed_ms + view.duration_ms);
                    view.cumulative = Some(totals);
                    view.mismatches = mismatches
                        .iter()
                        .filter(|m| names_step(m, *step))
                        .cloned()
                        .collect();
                    run.steps.push(view);
                    last_was_root_step = true;
                    continue;
                }
                last_was_root_step = false;
                if *step == 0 {
                    // A leaf llm_query: one model call, its prompt the request's only message.
                    let prompt = request
                        .last()
                        .map(|m| m.content.clone())
                        .unwrap_or_default();
                    waiting.entry(*depth).or_default().push(Node {
                        kind: NodeKind::Query,
                        depth: *depth,
                        prompt,
                        stop_reason: None,
                        final_value: None,
                        step: Some(view),
                        children: Vec::new(),
                    });
                    continue;
                }
                // Sub-agents of one llm_batch interleave: a step belongs to the first open
                // agent at its depth whose next step it is.
                let node = Node {
                    kind: NodeKind::Step,
                    depth: *depth,
                    prompt: String::new(),
                    stop_reason: None,
                    final_value: None,
                    step: Some(view),
                    children: Vec::new(),
                };
                match open
                    .iter_mut()
                    .find(|a| a.depth == *depth && a.steps.len() + 1 == *step as usize)
                {
                    Some(agent) => agent.steps.push(node),
                    None => waiting.entry(*depth).or_default().push(node),
                }
            }
            Record::Compaction {
                depth, compaction, ..
            } => {
                compactions.insert(*depth, compaction.clone());
            }
            Record::Escalation {
                step,
                from,
                to,
                reason,
                ..
            } => {
                let escalation = EscalationView {
                    step: *step,
                    from: from.clone(),
                    to: to.clone(),
                    reason: reason.clone(),
                };
                if last_was_root_step
                    && let Some(s) = run.steps.last_mut().filter(|s| s.step == *step)
                {
                    s.escalation = Some(escalation.clone());
                }
                run.escalations.push(escalation);
            }
            Record::End {
                depth: 0,
                stop_reason,
                final_value,
                usage,
                cost,
                elapsed_ms,
                interrupted,
                ..
            } => {
                run.stop_reason = Some(stop_reason.clone());
                run.final_value = final_value.as_ref().map(show_value);
                run.interrupted = interrupted.clone();
                run.usage = *usage;
                run.cost = *cost;
                run.elapsed_ms = *elapsed_ms;
            }
            Record::End {
                depth,
                stop_reason,
                final_value,
                steps,
                ..
            } => {
                let at = open
                    .iter()
                    .position(|a| a.depth == *depth && a.steps.len() == *steps as usize)
                    .or_else(|| open.iter().position(|a| a.depth == *depth));
                if let Some(at) = at {
                    let agent = open.remove(at);
                    waiting.entry(*depth).or_default().push(Node {
                        kind: NodeKind::Agent,
                        depth: *depth,
                        prompt: agent.task,
                        stop_reason: Some(stop_reason.clone()),
                        final_value: final_value.as_ref().map(show_value),
                        step: None,
                        children: agent.steps,
                    });
                }
            }
        }
    }
    // A run cut off mid-step leaves its sub-calls unclaimed: still worth showing.
    for agent in open {
        waiting.entry(agent.depth).or_default().push(Node {
            kind: NodeKind::Agent,
            depth: agent.depth,
            prompt: agent.task,
            stop_reason: None,
            final_value: None,
            step: None,
            children: agent.steps,
        });
    }
    let mut left: Vec<_> = waiting.into_iter().collect();
    left.sort_by_key(|(d, _)| *d);
    run.orphans = left.into_iter().flat_map(|(_, n)| n).collect();
    if run.stop_reason.is_none() {
        run.usage.total_tokens = totals.tokens;
        run.cost = totals.cost;
        run.elapsed_ms = totals.elapsed_ms;
    }
    run.stop_kind = stop_kind(run.stop_reason.as_deref());
    run.mismatches = mismatches
        .iter()
        .filter(|m| !run.steps.iter().any(|s| names_step(m, s.step)))
        .cloned()
        .collect();
    run.subcall_depth = run
        .steps
        .iter()
        .flat_map(|s| &s.subcalls)
        .chain(&run.orphans)
        .map(tree_depth)
        .max()
        .unwrap_or(0);
    run
}

fn stop_kind(reason: Option<&str>) -> &'static str {
    match reason {
        None => "unfinished",
        Some(r) if r.contains("FINAL") => "final",
        Some(r) if r.contains("budget") => "budget",
        Some(_) => "error",
    }
}

/// Replay labels its mismatches "step N: ..." or "step N, python call ...".
fn names_step(mismatch: &str, step: u32) -> bool {
    let prefix = format!("step {step}");
    mismatch
        .strip_prefix(&prefix)
        .is_some_and(|rest| rest.starts_with([':', ',']))
}

fn tree_depth(node: &Node) -> u32 {
    let below = node
        .step
        .iter()
        .flat_map(|s| &s.subcalls)
        .chain(&node.children)
        .map(tree_depth)
        .max()
        .unwrap_or(0);
    node.depth.max(below)
}

fn step_view(record: &Record) -> StepView {
    let Record::Step {
        depth,
        step,
        model,
        role,
        response,
        finish_reason,
        usage,
        cost,
        usage_estimated,
        attempts,
        streamed,
        code,
        output,
        value,
        error,
        tool_calls,
        python_calls,
        duration_ms,
        failed,
        ..
    } = record
    else {
        return StepView::default();
    };
    let (thinking, mut text) = split_thinking(response);
    // The fenced block that ran is shown highlighted below; do not print it twice.
    if let Some(code) = code.as_deref().map(str::trim).filter(|c| !c.is_empty())
        && let Some(at) = text.find(code)
    {
        let start = text[..at].rfind("```").unwrap_or(at);
        let end = at + code.len();
        let end = text[end..].find("```").map_or(end, |i| end + i + 3);
        text.replace_range(start..end, "");
    }
    let mut runs = Vec::new();
    if code.is_some() || output.is_some() || error.is_some() || !tool_calls.is_empty() {
        runs.push(CodeRun {
            call_id: None,
            code_html: code.as_deref().map(highlight_python),
            output: clip_some(output),
            value: clip_some(value),
            error: clip_some(error),
            tool_calls: tool_calls.iter().map(tool_call_view).collect(),
            failed: error.is_some(),
        });
    }
    runs.extend(python_calls.iter().map(call_run));
    StepView {
        depth: *depth,
        step: *step,
        model: model.clone(),
        role: role.map(|r| r.to_string()),
        thinking,
        text: text.trim().to_owned(),
        finish_reason: finish_reason.clone(),
        attempts: *attempts,
        streamed: *streamed,
        usage: *usage,
        usage_estimated: *usage_estimated,
        cost: *cost,
        duration_ms: *duration_ms,
        failed: *failed,
        runs,
        ..StepView::default()
    }
}

fn call_run(call: &CallRecord) -> CodeRun {
    CodeRun {
        call_id: Some(call.id.clone()),
        code_html: call.code.as_deref().map(highlight_python),
        output: clip_some(&call.output),
        value: clip_some(&call.value),
        error: clip_some(&call.error),
        tool_calls: call.tool_calls.iter().map(tool_call_view).collect(),
        failed: call.failed,
    }
}

fn tool_call_view(call: &ToolCallRecord) -> ToolCallView {
    ToolCallView {
        tool: call.tool.clone(),
        arguments: Clipped::new(&compact_json(&call.arguments), CLIP_CHARS),
        result: Clipped::new(&show_value(&call.result), CLIP_CHARS),
        error_code: call.error_code.clone(),
        duration_ms: call.duration_ms,
        images: call
            .images
            .iter()
            .filter_map(|i| data_uri(&i.mime_type, &i.data_base64))
            .collect(),
    }
}

/// A `data:` URI only for an image type and real base64: the text goes into an attribute,
/// so nothing else may pass (the template escapes it as well).
pub fn data_uri(mime_type: &str, data_base64: &str) -> Option<String> {
    let subtype = mime_type.strip_prefix("image/")?;
    let type_ok = !subtype.is_empty()
        && subtype
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    let data_ok = data_base64
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
    (type_ok && data_ok && !data_base64.is_empty())
        .then(|| format!("data:{mime_type};base64,{data_base64}"))
}

fn clip_some(text: &Option<String>) -> Option<Clipped> {
    text.as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| Clipped::new(t, CLIP_CHARS))
}

fn compact_json(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Strings as themselves, everything else as indented JSON.
fn show_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}
