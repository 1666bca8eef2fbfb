//! Keeping every request within the model's context window (`--context-tokens`, else what
//! the server reports, else 32k). A conversation is the system prompt, the task, then
//! steps (an assistant reply and what came back). When a request would not leave room for
//! the reply, older steps are compacted: their outputs are cut to head and tail first,
//! then the oldest steps are replaced by a one-line-per-step summary appended to the task
//! message (not a message of its own: chat templates that insist on alternating roles
//! would refuse two user messages in a row). The system prompt and the task are never
//! dropped; the latest step is kept whole unless nothing else is left to cut.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::accounting::Run;
use super::fence;
use super::llm::{CallOptions, Completion, LlmError, Message, ModelEndpoint};
use super::protocol;
use super::trajectory::Record;

/// The context assumed when neither the command line nor the server says.
pub const DEFAULT_CONTEXT_TOKENS: u32 = 32_768;
/// Characters an older step's output is cut to before steps are summarised.
const SHORT_OUTPUT_CHARS: usize = 400;
/// Compaction aims this far below the limit, so the next steps fit without another one
/// (and a server's prompt cache keeps its prefix for a while).
const TARGET_FRACTION: f64 = 0.7;
/// Tokens a message costs beyond its text (role, template markers).
const MESSAGE_OVERHEAD_TOKENS: u64 = 8;

/// What one compaction did, for the trajectory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Compaction {
    /// Estimated prompt tokens before and after.
    pub before_tokens: u64,
    pub after_tokens: u64,
    /// The prompt tokens a request may use (the context less the reply's reserve).
    pub budget_tokens: u64,
    pub outputs_shortened: usize,
    pub steps_summarised: usize,
    /// Nothing else was left: the latest step's output was cut too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub latest_shortened: bool,
}

/// One conversation's view of the context window.
#[derive(Debug, Clone)]
pub struct ContextWindow {
    context_tokens: u64,
    reserve_tokens: u64,
    /// Estimated characters per token: starts conservative (code and JSON run denser
    /// than prose), then follows what the server reports as prompt tokens.
    chars_per_token: f64,
    /// The task as given, and the summary lines of the steps compacted away.
    task: Option<String>,
    summary: Vec<String>,
    steps_summarised: usize,
}

impl ContextWindow {
    /// `max_tokens` is reserved for the reply (when unset: a quarter of the context, at
    /// most 1024), but never more than half the context.
    pub fn new(context_tokens: u32, max_tokens: Option<u32>) -> Self {
        let mut w = ContextWindow {
            context_tokens: 0,
            reserve_tokens: 0,
            chars_per_token: 3.0,
            task: None,
            summary: Vec::new(),
            steps_summarised: 0,
        };
        w.set_limits(context_tokens, max_tokens);
        w
    }

    /// The model changed (escalation): its context and reply reserve apply from now on.
    pub fn set_limits(&mut self, context_tokens: u32, max_tokens: Option<u32>) {
        let context = u64::from(context_tokens.max(256));
        let reserve = max_tokens.map(u64::from).unwrap_or((context / 4).min(1024));
        self.context_tokens = context;
        self.reserve_tokens = reserve.min(context / 2);
    }

    /// Prompt tokens a request may use.
    pub fn budget(&self) -> u64 {
        self.context_tokens - self.reserve_tokens
    }

    pub fn estimate(&self, messages: &[Message]) -> u64 {
        messages.iter().map(|m| self.message_tokens(m)).sum()
    }

    fn message_tokens(&self, m: &Message) -> u64 {
        (message_chars(m) as f64 / self.chars_per_token).ceil() as u64 + MESSAGE_OVERHEAD_TOKENS
    }

    /// The server counted `prompt_tokens` for `messages`: estimate from its ratio, with a
    /// 10 % margin, from now on.
    pub fn observe(&mut self, messages: &[Message], prompt_tokens: u64) {
        if prompt_tokens == 0 {
            return;
        }
        let chars: usize = messages.iter().map(message_chars).sum();
        let overhead = MESSAGE_OVERHEAD_TOKENS * messages.len() as u64;
        let text_tokens = prompt_tokens.saturating_sub(overhead).max(1);
        self.chars_per_token = (chars as f64 / text_tokens as f64 / 1.1).clamp(1.5, 4.5);
    }

    /// The server said `messages` did not fit although the estimate did: its context is
    /// smaller than it was said to be (a wrong `--context-tokens`, a server that reports
    /// its training context) or its tokens are denser. Either way the real limit lies
    /// below what was just sent; assume 15 % below it from now on.
    pub fn refused(&mut self, messages: &[Message]) {
        let sent = self.estimate(messages) + self.reserve_tokens;
        let smaller = (sent as f64 * 0.85) as u64;
        if smaller < self.context_tokens {
            self.context_tokens = smaller.max(256);
            self.reserve_tokens = self.reserve_tokens.min(self.context_tokens / 2);
        }
    }

    /// Compact `messages` in place when they would not leave room for the reply.
    pub fn fit(&mut self, messages: &mut Vec<Message>) -> Option<Compaction> {
        let budget = self.budget();
        let before = self.estimate(messages);
        if before <= budget || messages.len() < 2 {
            return None;
        }
        let target = (budget as f64 * TARGET_FRACTION) as u64;
        if self.task.is_none() {
            self.task = Some(messages[1].content.clone());
        }
        let mut report = Compaction {
            before_tokens: before,
            after_tokens: before,
            budget_tokens: budget,
            outputs_shortened: 0,
            steps_summarised: 0,
            latest_shortened: false,
        };
        let starts = step_starts(messages);
        let latest = starts.last().copied().unwrap_or(messages.len());
        // 1. Older steps' outputs (what came back, not what the model wrote), oldest first.
        for i in 2..latest {
            if self.estimate(messages) <= target {
                break;
            }
            if messages[i].role != "assistant"
                && let Some(short) = cut_middle(&messages[i].content, SHORT_OUTPUT_CHARS)
            {
                messages[i].content = short;
                report.outputs_shortened += 1;
            }
        }
        // 2. The oldest steps, replaced by a line each in the task message.
        while self.estimate(messages) > target {
            let starts = step_starts(messages);
            if starts.len() < 2 {
                break;
            }
            let (from, to) = (starts[0], starts[1]);
            let step: Vec<Message> = messages.drain(from..to).collect();
            self.steps_summarised += 1;
            self.summary.push(summarise(self.steps_summarised, &step));
            report.steps_summarised += 1;
            messages[1].content = self.task_with_summary(budget / 4);
        }
        // 3. Nothing older is left: the latest step's outputs give way before the request
        // is refused.
        if self.estimate(messages) > budget {
            let over = self.estimate(messages) - budget;
            let from = step_starts(messages)
                .last()
                .copied()
                .unwrap_or(messages.len());
            for m in messages[from..]
                .iter_mut()
                .filter(|m| m.role != "assistant")
            {
                let chars = m.content.chars().count();
                let cut = (over as f64 * self.chars_per_token * 1.2) as usize + 200;
                if let Some(short) = cut_middle(&m.content, chars.saturating_sub(cut).max(200)) {
                    m.content = short;
                    report.latest_shortened = true;
                }
            }
        }
        report.after_tokens = self.estimate(messages);
        Some(report)
    }

    /// The task, then the summary of the compacted steps (its oldest lines dropped when
    /// it alone would pass `max_tokens`).
    fn task_with_summary(&self, max_tokens: u64) -> String {
        let task = self.task.clone().unwrap_or_default();
        let max_chars = (max_tokens as f64 * self.chars_per_token) as usize;
        let mut lines: Vec<&str> = Vec::new();
        let mut chars = 0;
        for line in self.summary.iter().rev() {
            chars += line.chars().count() + 1;
            if chars > max_chars && !lines.is_empty() {
                break;
            }
            lines.push(line);
        }
        lines.reverse();
        let omitted = self.summary.len() - lines.len();
        let mut text = format!(
            "{task}\n\n[Steps 1-{} were compacted to fit the model's context. Variables they \
             defined still exist in the REPL. What they did:]\n",
            self.steps_summarised
        );
        if omitted > 0 {
            text.push_str(&format!("- ({omitted} earlier steps omitted)\n"));
        }
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        text
    }
}

/// The characters a message sends: its text, and (`tools` protocol) its calls, whose
/// arguments carry the code.
fn message_chars(m: &Message) -> usize {
    let calls: usize = m
        .tool_calls
        .iter()
        .flatten()
        .map(|c| c.id.len() + c.function.name.len() + c.function.arguments.chars().count())
        .sum();
    m.role.len() + m.content.chars().count() + calls
}

/// Where each step begins: every assistant message after the task. A step runs to the
/// next one, so an assistant message with `tool_calls` and the `tool` messages answering
/// them are always kept or dropped together (servers refuse a `tool` message whose call
/// is not in the assistant message before it).
fn step_starts(messages: &[Message]) -> Vec<usize> {
    (2..messages.len())
        .filter(|&i| messages[i].role == "assistant")
        .collect()
}

/// One line for a compacted step: the code's first line and the result's telling line.
fn summarise(n: usize, step: &[Message]) -> String {
    let reply = step.first();
    let text = reply.map(|m| m.content.as_str()).unwrap_or("");
    let calls = reply.and_then(|m| m.tool_calls.as_deref()).unwrap_or(&[]);
    // The code of the first `python` call, else of the fenced block.
    let code = match calls.first() {
        Some(call) => protocol::code_of(call).ok(),
        None => fence::extract(text).ok().map(|e| e.code),
    };
    let ran = match code {
        Some(code) => {
            let mut lines = code.lines().filter(|l| !l.trim().is_empty());
            let first = lines.next().unwrap_or("").trim();
            let more = lines.count();
            let more = if more > 0 {
                format!(" (+{more} lines)")
            } else {
                String::new()
            };
            let other_calls = match calls.len() {
                0 | 1 => String::new(),
                n => format!(" and {} more python calls", n - 1),
            };
            format!("ran `{}`{more}{other_calls}", clip(first, 100))
        }
        None => "wrote no runnable code".to_owned(),
    };
    let result: String = step[1..]
        .iter()
        .map(|m| m.content.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let telling = result
        .lines()
        .find(|l| l.starts_with("Error:"))
        .or_else(|| result.lines().find(|l| l.starts_with("=> ")))
        .or_else(|| result.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("(nothing came back)");
    format!("- step {n}: {ran} -> {}", clip(telling.trim(), 160))
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}…")
}

/// `text` cut to about `keep` characters, head and tail kept around a marker saying how
/// much was cut; `None` when it is short enough already.
pub fn cut_middle(text: &str, keep: usize) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let marker_room = 40;
    if chars.len() <= keep + marker_room {
        return None;
    }
    let half = keep / 2;
    let head: String = chars[..half].iter().collect();
    let tail: String = chars[chars.len() - half..].iter().collect();
    Some(format!(
        "{head}\n[… {} chars cut …]\n{tail}",
        chars.len() - 2 * half
    ))
}

/// A refusal that says the request did not fit the context (llama-server: "the request
/// exceeds the available context size"; vLLM / OpenAI: "maximum context length").
pub fn is_context_overflow(status: u16, body: &str) -> bool {
    let b = body.to_ascii_lowercase();
    (400..500).contains(&status)
        && status != 429
        && (b.contains("context size")
            || b.contains("context length")
            || b.contains("context window")
            || b.contains("exceed_context")
            || b.contains("too many tokens"))
}

/// The context window of `endpoint`'s model: `--context-tokens`, else what its server
/// reports, else [`DEFAULT_CONTEXT_TOKENS`].
pub(super) async fn context_tokens(run: &Run, endpoint: &ModelEndpoint) -> u32 {
    if let Some(n) = run.config.context_tokens {
        return n;
    }
    run.context_sizes
        .get(
            &endpoint.base_url,
            &endpoint.model,
            endpoint.api_key.as_deref(),
        )
        .await
        .unwrap_or(DEFAULT_CONTEXT_TOKENS)
}

/// Ask the model (with `options`: the `tools` field, the streamed-token callback),
/// compacting the conversation first when it would not fit; a server that still says it
/// did not fit gets a smaller request (up to 3 times), and so do all later requests of the
/// conversation. Returns whether the conversation was compacted (the step's record then
/// holds the whole request).
pub(super) async fn complete_within(
    run: &Run,
    endpoint: &ModelEndpoint,
    messages: &mut Vec<Message>,
    window: &mut ContextWindow,
    options: CallOptions<'_>,
    depth: u32,
    step: u32,
) -> Result<(Completion, bool), LlmError> {
    let mut compacted = false;
    let mut refusals = 0;
    loop {
        if let Some(compaction) = window.fit(messages) {
            run.trajectory.write(&Record::Compaction {
                run_id: run.run_id.clone(),
                depth,
                step,
                compaction,
            });
            compacted = true;
        }
        match run.client.complete_with(endpoint, messages, options).await {
            Ok(c) => {
                if !c.usage_estimated {
                    window.observe(messages, c.usage.prompt_tokens);
                }
                return Ok((c, compacted));
            }
            Err(LlmError::Refused { status, body })
                if refusals < 3 && is_context_overflow(status, &body) =>
            {
                refusals += 1;
                window.refused(messages);
            }
            Err(e) => return Err(e),
        }
    }
}

/// The context sizes servers report, asked once per (base URL, model) in a run.
#[derive(Default)]
pub struct ContextSizes(tokio::sync::Mutex<HashMap<(String, String), Option<u32>>>);

impl ContextSizes {
    pub async fn get(&self, base_url: &str, model: &str, api_key: Option<&str>) -> Option<u32> {
        let key = (base_url.to_owned(), model.to_owned());
        let mut known = self.0.lock().await;
        if let Some(size) = known.get(&key) {
            return *size;
        }
        let size = discover(base_url, model, api_key).await;
        known.insert(key, size);
        size
    }
}

/// Ask the server its context size: llama-server's `/props` (`n_ctx`, the size it runs
/// with), and `{base}/models` metadata (llama-server `meta.n_ctx_train`, vLLM
/// `max_model_len`, others `context_length` / `context_window` / `max_context_length`).
/// The smallest figure found wins; a server that says nothing gives `None`.
async fn discover(base_url: &str, model: &str, api_key: Option<&str>) -> Option<u32> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .ok()?;
    let get = |url: String| {
        let mut request = http.get(url);
        if let Some(key) = api_key {
            request = request.bearer_auth(key);
        }
        async move {
            let response = request.send().await.ok()?;
            if !response.status().is_success() {
                return None;
            }
            response.json::<Value>().await.ok()
        }
    };
    let base = base_url.trim_end_matches('/');
    let root = base.strip_suffix("/v1").unwrap_or(base);
    let (models, props) = tokio::join!(get(format!("{base}/models")), get(format!("{root}/props")));
    let mut sizes = Vec::new();
    if let Some(models) = models {
        sizes.extend(size_from_models(&models, model));
    }
    if let Some(props) = props {
        sizes.extend(size_from_props(&props));
    }
    sizes.into_iter().min()
}

fn as_size(v: &Value) -> Option<u32> {
    v.as_u64()
        .filter(|n| *n >= 256)
        .and_then(|n| u32::try_from(n).ok())
}

/// The context size `{base}/models` reports for `model` (or for its only model).
pub fn size_from_models(models: &Value, model: &str) -> Option<u32> {
    let entries = models
        .get("data")
        .or_else(|| models.get("models"))
        .and_then(Value::as_array)?;
    let entry = entries
        .iter()
        .find(|e| e.get("id").and_then(Value::as_str) == Some(model))
        .or_else(|| (entries.len() == 1).then(|| &entries[0]))?;
    [
        "max_model_len",
        "context_length",
        "context_window",
        "max_context_length",
    ]
    .iter()
    .find_map(|k| entry.get(*k).and_then(as_size))
    .or_else(|| {
        let meta = entry.get("meta")?;
        meta.get("n_ctx")
            .and_then(as_size)
            .or_else(|| meta.get("n_ctx_train").and_then(as_size))
    })
}

/// llama-server's `/props`: the context each slot runs with.
pub fn size_from_props(props: &Value) -> Option<u32> {
    props
        .pointer("/default_generation_settings/n_ctx")
        .and_then(as_size)
        .or_else(|| props.get("n_ctx").and_then(as_size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::protocol::{FunctionCall, ToolCall};
    use serde_json::json;

    /// A conversation of `steps` steps whose outputs are `output_chars` long.
    fn conversation(steps: usize, output_chars: usize) -> Vec<Message> {
        let mut m = vec![
            Message::system("You write Python. ".repeat(50)),
            Message::user("Sum the squares."),
        ];
        for i in 1..=steps {
            m.push(Message::assistant(format!(
                "```python\nx{i} = calc(expr=\"{i}^2\")\nprint(x{i})\n```"
            )));
            m.push(Message::user(format!(
                "{}\n=> {}",
                "v".repeat(output_chars),
                i * i
            )));
        }
        m
    }

    #[test]
    fn a_conversation_within_the_budget_is_left_alone() {
        let mut w = ContextWindow::new(32_768, Some(512));
        let mut m = conversation(3, 100);
        let before = m.clone();
        assert_eq!(w.fit(&mut m), None);
        assert_eq!(m, before);
    }

    #[test]
    fn outputs_are_cut_first_then_old_steps_are_summarised() {
        let mut w = ContextWindow::new(4096, Some(512));
        // Outputs alone carry the excess: cutting them is enough.
        let mut m = conversation(6, 2000);
        let c = w.fit(&mut m).expect("compacted");
        assert!(c.outputs_shortened > 0 && c.steps_summarised == 0, "{c:?}");
        assert!(c.after_tokens <= c.budget_tokens, "{c:?}");
        assert!(
            m[2..m.len() - 2]
                .iter()
                .any(|x| x.content.contains("chars cut …]"))
        );
        // The latest step is whole.
        assert_eq!(m.last().unwrap().content.len(), 2000 + "\n=> 36".len());

        // Many steps: the oldest go into a summary in the task message.
        let mut w = ContextWindow::new(4096, Some(512));
        let mut m = conversation(40, 600);
        let system = m[0].clone();
        let latest = m[m.len() - 2..].to_vec();
        let c = w.fit(&mut m).expect("compacted");
        assert!(c.steps_summarised > 0, "{c:?}");
        assert!(w.estimate(&m) <= w.budget());
        assert_eq!(m[0], system, "the system prompt is never touched");
        assert!(m[1].content.starts_with("Sum the squares.\n\n[Steps 1-"));
        assert!(
            m[1].content
                .contains("- step 1: ran `x1 = calc(expr=\"1^2\")` (+1 lines) -> => 1"),
            "{}",
            m[1].content
        );
        assert_eq!(m[m.len() - 2..], latest[..], "the latest step is whole");
        // Roles still alternate: task (user), then assistant/user pairs.
        for (i, msg) in m.iter().enumerate().skip(2) {
            let want = if i % 2 == 0 { "assistant" } else { "user" };
            assert_eq!(msg.role, want, "message {i}");
        }
        // A second compaction extends the same summary, numbering on.
        let summarised = c.steps_summarised;
        for i in 41..80 {
            m.push(Message::assistant(format!("```python\ny = {i}\n```")));
            m.push(Message::user("u".repeat(600)));
        }
        let c2 = w.fit(&mut m).expect("compacted again");
        assert!(w.estimate(&m) <= w.budget());
        let n = summarised + c2.steps_summarised;
        assert!(
            m[1].content
                .contains(&format!("[Steps 1-{n} were compacted"))
        );
    }

    /// A `tools`-protocol conversation: each step is an assistant message with two
    /// `python` calls, then a `tool` message answering each.
    fn tool_call_conversation(steps: usize, output_chars: usize) -> Vec<Message> {
        let mut m = vec![
            Message::system("You write Python. ".repeat(50)),
            Message::user("Sum the squares."),
        ];
        for i in 1..=steps {
            let call = |k: usize, code: String| ToolCall {
                id: format!("call_{i}_{k}"),
                kind: "function".into(),
                function: FunctionCall {
                    name: "python".into(),
                    arguments: json!({ "code": code }).to_string(),
                },
            };
            m.push(Message::assistant_with_calls(
                "",
                vec![
                    call(1, format!("x{i} = calc(expr=\"{i}^2\")\nprint(x{i})")),
                    call(2, format!("y{i} = x{i} + 1")),
                ],
            ));
            for k in 1..=2 {
                m.push(Message::tool(
                    format!("call_{i}_{k}"),
                    format!("{}\n=> {}", "v".repeat(output_chars), i * i + k),
                ));
            }
        }
        m
    }

    /// What a server checks: every `tool` message answers a call of the assistant message
    /// before it (only `tool` messages between), and every call is answered.
    fn tool_replies_are_paired(messages: &[Message]) -> Result<(), String> {
        let mut open: Vec<String> = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            match m.role.as_str() {
                "tool" => {
                    let id = m.tool_call_id.clone().unwrap_or_default();
                    let Some(at) = open.iter().position(|c| *c == id) else {
                        return Err(format!("message {i}: tool reply to unknown call {id:?}"));
                    };
                    open.remove(at);
                }
                role => {
                    if !open.is_empty() {
                        return Err(format!("message {i} ({role}): calls {open:?} unanswered"));
                    }
                    open = m
                        .tool_calls
                        .iter()
                        .flatten()
                        .map(|c| c.id.clone())
                        .collect();
                }
            }
        }
        Ok(())
    }

    #[test]
    fn compaction_never_splits_a_tool_call_from_its_replies() {
        for (steps, output_chars) in [(6, 2000), (40, 600), (1, 40_000), (3, 9000)] {
            let mut w = ContextWindow::new(4096, Some(512));
            let mut m = tool_call_conversation(steps, output_chars);
            tool_replies_are_paired(&m).expect("the test conversation is valid");
            let c = w.fit(&mut m).expect("compacted");
            assert!(w.estimate(&m) <= w.budget(), "{steps} steps: {c:?}");
            tool_replies_are_paired(&m).unwrap_or_else(|e| panic!("{steps} steps: {e}"));
            // The task is followed by a whole step: an assistant message, never a reply.
            assert_eq!(m[2].role, "assistant", "{steps} steps");
            assert!(m[2].tool_calls.is_some(), "{steps} steps");
            if c.steps_summarised > 0 {
                // A summarised step names its first call's code and the other calls.
                assert!(
                    m[1].content
                        .contains("(+1 lines) and 1 more python calls -> => "),
                    "{}",
                    m[1].content
                );
            }
        }
    }

    #[test]
    fn the_code_in_tool_calls_counts_toward_the_estimate() {
        let w = ContextWindow::new(4096, None);
        let bare = Message::assistant_with_calls("", Vec::new());
        let mut with_code = tool_call_conversation(1, 10)[2].clone();
        with_code.tool_calls.as_mut().unwrap()[0].function.arguments =
            json!({ "code": "x = 1\n".repeat(300) }).to_string();
        assert!(w.estimate(&[with_code]) > w.estimate(&[bare]) + 500);
    }

    #[test]
    fn a_huge_latest_output_is_cut_rather_than_overflow() {
        let mut w = ContextWindow::new(4096, Some(512));
        let mut m = conversation(1, 40_000);
        let c = w.fit(&mut m).expect("compacted");
        assert!(c.latest_shortened);
        assert!(w.estimate(&m) <= w.budget(), "{c:?}");
        assert!(m.last().unwrap().content.ends_with("=> 1"));
    }

    #[test]
    fn the_estimate_follows_the_server_count() {
        let mut w = ContextWindow::new(4096, None);
        let m = conversation(2, 1000);
        let first = w.estimate(&m);
        // A server counting 4 characters a token: estimates drop, with a margin.
        let chars: usize = m.iter().map(|x| x.content.len() + x.role.len()).sum();
        w.observe(&m, (chars / 4) as u64 + 8 * m.len() as u64);
        let calibrated = w.estimate(&m);
        assert!(calibrated < first);
        assert!(calibrated as f64 >= (chars / 4) as f64, "{calibrated}");
        assert_eq!(w.budget(), 4096 - 1024);
    }

    #[test]
    fn a_refusal_shrinks_the_window_below_what_was_sent() {
        let mut w = ContextWindow::new(16_000, Some(512));
        let mut m = conversation(8, 1500);
        assert_eq!(w.fit(&mut m), None, "fits 16k by the estimate");
        let sent = w.estimate(&m) + 512;
        w.refused(&m);
        let c = w.fit(&mut m).expect("compacted after the refusal");
        assert!(w.estimate(&m) + 512 < sent * 85 / 100, "{c:?}");
    }

    #[test]
    fn servers_report_their_context_in_several_ways() {
        let llama = json!({"object": "list", "data": [{"id": "qwen.gguf", "meta": {"n_ctx_train": 32768, "n_vocab": 1}}]});
        assert_eq!(size_from_models(&llama, "default"), Some(32768));
        let vllm = json!({"data": [{"id": "a", "max_model_len": 8192}, {"id": "b", "max_model_len": 4096}]});
        assert_eq!(size_from_models(&vllm, "b"), Some(4096));
        assert_eq!(size_from_models(&vllm, "c"), None);
        let other = json!({"data": [{"id": "m", "context_length": 128000}]});
        assert_eq!(size_from_models(&other, "m"), Some(128000));
        let props = json!({"default_generation_settings": {"n_ctx": 4096}, "total_slots": 1});
        assert_eq!(size_from_props(&props), Some(4096));
        assert_eq!(size_from_props(&json!({"n_ctx": 2048})), Some(2048));
        assert_eq!(size_from_props(&json!({})), None);
    }

    #[test]
    fn overflow_refusals_are_recognised() {
        assert!(is_context_overflow(
            400,
            r#"{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}}"#
        ));
        assert!(is_context_overflow(
            400,
            "This model's maximum context length is 4096 tokens"
        ));
        assert!(!is_context_overflow(401, "bad key"));
        assert!(!is_context_overflow(400, "Unsupported parameter: 'stop'"));
    }
}
