//! Opening a session with an MCP server: starting a stdio server as a child process (its
//! stderr kept for error messages), or opening a Streamable HTTP session over a pooled
//! HTTP client.

use std::collections::{HashMap, VecDeque};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::RoleClient;
use rmcp::ServiceExt;
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use tokio::io::AsyncBufReadExt;

use super::client::SourceClient;
use crate::registry::{McpServerEntry, McpTransport, expand_env};

pub(crate) type Session = RunningService<RoleClient, SourceClient>;

/// How long a server may take to start and answer `initialize` (`npx` may be fetching
/// the package the first time).
pub(crate) const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a TCP (and TLS) connection to an HTTP server may take to open.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const STDERR_LINES: usize = 20;
const STDERR_LINE_BYTES: usize = 400;

/// The last lines a stdio server wrote to stderr: why it would not start, or its last
/// words before it crashed.
#[derive(Clone, Default)]
pub(crate) struct StderrTail(Arc<Mutex<VecDeque<String>>>);

impl StderrTail {
    fn push(&self, mut line: String) {
        if line.len() > STDERR_LINE_BYTES {
            let mut cut = STDERR_LINE_BYTES;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
            line.push('…');
        }
        let mut lines = self.0.lock().expect("stderr tail");
        if lines.len() == STDERR_LINES {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    /// `"; its stderr ended with: …"`, or nothing when it wrote none.
    pub fn suffix(&self) -> String {
        let lines = self.0.lock().expect("stderr tail");
        if lines.is_empty() {
            return String::new();
        }
        let text: Vec<&str> = lines.iter().map(String::as_str).collect();
        format!("; its stderr ended with:\n{}", text.join("\n"))
    }
}

/// A live session and what is known about the process behind it.
pub(crate) struct Connected {
    pub session: Session,
    pub stderr: StderrTail,
}

/// Start (or reach) the server and complete the MCP handshake. `http` is the server's
/// HTTP client, kept across reconnections so its connections are reused.
pub(crate) async fn connect(
    entry: &McpServerEntry,
    client: SourceClient,
    http: &reqwest::Client,
) -> Result<Connected, String> {
    let stderr = StderrTail::default();
    let started = match &entry.transport {
        McpTransport::Stdio {
            command,
            args,
            env,
            cwd,
        } => {
            let mut cmd = tokio::process::Command::new(command);
            cmd.args(args).current_dir(cwd).kill_on_drop(true);
            for (name, value) in env {
                let value = expand_env(value).map_err(|missing| {
                    format!(
                        "its `env` entry {name} uses ${{{missing}}}, which is not set in \
                         toolhost's environment"
                    )
                })?;
                cmd.env(name, value);
            }
            let (transport, child_stderr) = TokioChildProcess::builder(cmd)
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| format!("`{command}` could not be started: {e}"))?;
            if let Some(child_stderr) = child_stderr {
                let tail = stderr.clone();
                let server = entry.name.clone();
                tokio::spawn(async move {
                    let mut lines = tokio::io::BufReader::new(child_stderr).lines();
                    while let Ok(Some(line)) = lines.next_line().await {
                        tracing::debug!(target: "toolhost::mcp_source", "{server}: {line}");
                        tail.push(line);
                    }
                });
            }
            tokio::time::timeout(STARTUP_TIMEOUT, client.serve(transport)).await
        }
        McpTransport::Http { url, headers } => {
            let mut custom_headers = HashMap::new();
            for (name, value) in headers {
                let value = expand_env(value).map_err(|missing| {
                    format!(
                        "its header {name} uses ${{{missing}}}, which is not set in toolhost's \
                         environment"
                    )
                })?;
                let name = http::HeaderName::from_bytes(name.as_bytes())
                    .map_err(|e| format!("header `{name}`: {e}"))?;
                let value = http::HeaderValue::from_str(&value)
                    .map_err(|e| format!("the value of header `{name}`: {e}"))?;
                custom_headers.insert(name, value);
            }
            let mut config = StreamableHttpClientTransportConfig::with_uri(url.as_str());
            config.custom_headers = custom_headers;
            let transport = StreamableHttpClientTransport::with_client(http.clone(), config);
            tokio::time::timeout(STARTUP_TIMEOUT, client.serve(transport)).await
        }
    };
    match started {
        Ok(Ok(session)) => Ok(Connected { session, stderr }),
        Ok(Err(e)) => {
            // Its last stderr lines (why it failed) may still be on their way.
            tokio::time::sleep(Duration::from_millis(200)).await;
            Err(format!("the MCP handshake failed: {e}{}", stderr.suffix()))
        }
        Err(_) => Err(format!(
            "it did not complete the MCP handshake within {} s{}",
            STARTUP_TIMEOUT.as_secs(),
            stderr.suffix()
        )),
    }
}

/// The HTTP client of one server: pooled connections (rmcp's default client keeps none
/// idle), a bound on connecting, and no redirects (they would replay the headers, tokens
/// included, to wherever the server points).
pub(crate) fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(90))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client with a rustls backend builds")
}
