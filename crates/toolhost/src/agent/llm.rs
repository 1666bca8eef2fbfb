//! An OpenAI-compatible chat-completions client (llama-server, Ollama, vLLM, OpenAI):
//! request timeouts, retries with exponential backoff and jitter for timeouts, connection
//! errors, 429 and 5xx (honouring Retry-After), and none for other 4xx.

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Message {
    pub role: String,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: "system".into(),
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: "user".into(),
            content: content.into(),
        }
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Message {
            role: "assistant".into(),
            content: content.into(),
        }
    }
}

/// Where and how to ask a model.
#[derive(Debug, Clone)]
pub struct ModelEndpoint {
    /// e.g. `http://127.0.0.1:8080/v1` (the client appends `/chat/completions`).
    pub base_url: String,
    pub model: String,
    pub api_key: Option<String>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u32>,
    pub stop: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub request_timeout: Duration,
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            request_timeout: Duration::from_secs(120),
            max_retries: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Usage {
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
    #[serde(default)]
    pub total_tokens: u64,
}

impl Usage {
    pub fn add(&mut self, other: Usage) {
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
        self.total_tokens += other
            .total_tokens
            .max(other.prompt_tokens + other.completion_tokens);
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Completion {
    pub content: String,
    pub finish_reason: Option<String>,
    pub usage: Usage,
    /// The server sent no `usage`: `usage` is [`estimate_usage`]'s guess.
    pub usage_estimated: bool,
    /// Attempts it took (1 = no retry).
    pub attempts: u32,
}

/// Why the model could not be reached; retryable faults have been retried already.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LlmError {
    #[error("the model server refused the request: HTTP {status}: {body}")]
    Refused { status: u16, body: String },
    #[error("the model server kept failing after {attempts} attempts; last error: {last}")]
    GaveUp { attempts: u32, last: String },
    #[error("cannot build the request: {0}")]
    Request(String),
}

#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    messages: &'a [Message],
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop: &'a [String],
}

#[derive(Deserialize)]
struct ChatResponse {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: ChoiceMessage,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    #[serde(default)]
    content: Option<String>,
}

enum Attempt {
    Done(Completion),
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    Fail(LlmError),
}

#[derive(Clone)]
pub struct ChatClient {
    http: reqwest::Client,
    policy: RetryPolicy,
    /// Set once a server refused `stop`; no later request of the run sends it.
    stop_unsupported: Arc<AtomicBool>,
}

/// A 4xx whose body names the `stop` parameter: the server does not take stop sequences
/// (some OpenAI models answer 400 `unsupported_parameter` ... 'stop').
fn refuses_stop(status: u16, body: &str) -> bool {
    (400..500).contains(&status) && status != 429 && body.to_ascii_lowercase().contains("stop")
}

impl ChatClient {
    pub fn new(policy: RetryPolicy) -> Result<Self, LlmError> {
        let http = reqwest::Client::builder()
            .timeout(policy.request_timeout)
            .build()
            .map_err(|e| LlmError::Request(e.to_string()))?;
        Ok(ChatClient {
            http,
            policy,
            stop_unsupported: Arc::new(AtomicBool::new(false)),
        })
    }

    pub async fn complete(
        &self,
        endpoint: &ModelEndpoint,
        messages: &[Message],
    ) -> Result<Completion, LlmError> {
        let with_stop = !endpoint.stop.is_empty() && !self.stop_unsupported.load(Ordering::Relaxed);
        match self.complete_once(endpoint, messages, with_stop).await {
            Err(LlmError::Refused { status, body }) if with_stop && refuses_stop(status, &body) => {
                // Once, then never again this run: the same request without `stop`.
                self.stop_unsupported.store(true, Ordering::Relaxed);
                self.complete_once(endpoint, messages, false).await
            }
            other => other,
        }
    }

    async fn complete_once(
        &self,
        endpoint: &ModelEndpoint,
        messages: &[Message],
        with_stop: bool,
    ) -> Result<Completion, LlmError> {
        let url = format!(
            "{}/chat/completions",
            endpoint.base_url.trim_end_matches('/')
        );
        let body = ChatRequest {
            model: &endpoint.model,
            messages,
            temperature: endpoint.temperature,
            max_tokens: endpoint.max_tokens,
            stop: if with_stop { &endpoint.stop } else { &[] },
        };
        let mut last = String::new();
        for attempt in 0..=self.policy.max_retries {
            match self.attempt(&url, endpoint, &body, attempt + 1).await {
                Attempt::Done(c) => return Ok(c),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry { reason, after } => {
                    last = reason;
                    if attempt < self.policy.max_retries {
                        tokio::time::sleep(after.unwrap_or_else(|| self.backoff(attempt))).await;
                    }
                }
            }
        }
        Err(LlmError::GaveUp {
            attempts: self.policy.max_retries + 1,
            last,
        })
    }

    /// Exponential backoff with full jitter: spreads retries from many clients apart.
    fn backoff(&self, attempt: u32) -> Duration {
        let cap = self
            .policy
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.policy.max_delay);
        let millis = cap.as_millis() as u64;
        Duration::from_millis(rand::random_range(millis / 2..=millis.max(1)))
    }

    async fn attempt(
        &self,
        url: &str,
        endpoint: &ModelEndpoint,
        body: &ChatRequest<'_>,
        n: u32,
    ) -> Attempt {
        let mut request = self.http.post(url).json(body);
        if let Some(key) = &endpoint.api_key {
            request = request.bearer_auth(key);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Attempt::Retry {
                    reason: format!("request timed out after {:?}", self.policy.request_timeout),
                    after: None,
                };
            }
            Err(e) => {
                return Attempt::Retry {
                    reason: format!("connection failed: {e}"),
                    after: None,
                };
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(|s| Duration::from_secs_f64(s.clamp(0.0, 300.0)));
        let text = match response.text().await {
            Ok(t) => t,
            Err(e) if e.is_timeout() => {
                return Attempt::Retry {
                    reason: "timed out reading the response".into(),
                    after: None,
                };
            }
            Err(e) => {
                return Attempt::Retry {
                    reason: format!("reading the response failed: {e}"),
                    after: None,
                };
            }
        };
        if status.as_u16() == 429 || status.is_server_error() {
            return Attempt::Retry {
                reason: format!("HTTP {status}: {}", snippet(&text)),
                after: retry_after,
            };
        }
        if !status.is_success() {
            return Attempt::Fail(LlmError::Refused {
                status: status.as_u16(),
                body: snippet(&text),
            });
        }
        match serde_json::from_str::<ChatResponse>(&text) {
            Ok(parsed) => match parsed.choices.into_iter().next() {
                Some(choice) => {
                    let content = choice.message.content.unwrap_or_default();
                    let (usage, usage_estimated) = match parsed.usage {
                        Some(u) if u.total_tokens > 0 || u.prompt_tokens > 0 => (u, false),
                        _ => (estimate_usage(body.messages, &content), true),
                    };
                    Attempt::Done(Completion {
                        content,
                        finish_reason: choice.finish_reason,
                        usage,
                        usage_estimated,
                        attempts: n,
                    })
                }
                None => Attempt::Retry {
                    reason: "the response had no choices".into(),
                    after: None,
                },
            },
            Err(e) => Attempt::Retry {
                reason: format!("malformed response ({e}): {}", snippet(&text)),
                after: None,
            },
        }
    }
}

/// Tokens guessed when a server sends no `usage`: one token per 4 characters (rounded
/// up) of the messages' contents and roles, and of the reply. Rough (code and non-English
/// text run denser), but it keeps the token and cost budgets working.
pub fn estimate_usage(messages: &[Message], reply: &str) -> Usage {
    let tokens = |chars: usize| (chars as u64).div_ceil(4);
    let prompt = tokens(
        messages
            .iter()
            .map(|m| m.role.chars().count() + m.content.chars().count())
            .sum(),
    );
    let completion = tokens(reply.chars().count());
    Usage {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
    }
}

fn snippet(text: &str) -> String {
    let t = text.trim();
    if t.len() <= 300 {
        return t.to_owned();
    }
    let mut cut = 300;
    while !t.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &t[..cut])
}
