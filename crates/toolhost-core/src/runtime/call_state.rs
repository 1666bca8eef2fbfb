//! Per-call state: everything one call's Store holds: a WASI context built from the tool's grants (empty
//! unless granted), the outbound-HTTP hooks that enforce its network grants, the memory
//! limiter, captured stdio and the tool's log records.

use std::path::PathBuf;
use std::sync::Arc;
use wasmtime::component::{Resource, ResourceTable};
use wasmtime_wasi::filesystem::Descriptor;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use super::bindings::wit_types;
use super::capture::CapturedStream;
use super::host_imports::{GuestMessage, message_text};
use super::limits::SandboxLimiter;
use super::outbound::{OutboundHttp, Violation};
use crate::output::{LogLevel, LogRecord, LogSource};

/// What a running tool reports as it happens: its log records and progress.
pub enum CallEvent<'a> {
    Log(&'a LogRecord),
    Progress {
        done: u64,
        total: u64,
        message: &'a str,
    },
}

/// Receives a call's events with the tool's name; the dispatcher adapts its observers.
pub type CallEvents = Arc<dyn Fn(&str, CallEvent<'_>) + Send + Sync>;
use crate::registry::{DirMode, Grants, SandboxLimits};

/// Log records kept per call, and lines kept of each captured stream: a chatty tool cannot
/// grow the host's memory without bound, in records or in bytes.
const MAX_LOG_RECORDS: usize = 1000;
/// Bytes of log messages kept per call (also capped by the tool's `max_output_bytes`).
const MAX_LOG_BYTES: usize = 1 << 20;
/// Bytes kept per captured stream (also capped by the tool's `max_output_bytes`).
const MAX_CAPTURED_STREAM_BYTES: usize = 256 * 1024;

pub struct CallState {
    /// The WASI context and the streams it captures, built on the tool's first WASI call
    /// when it has no env or directory grants: many tools make none, and building one
    /// costs about 0.3 µs (two random generators seeded, a dozen boxes) of an 11 µs call.
    wasi: Option<Wasi>,
    /// Bytes kept of each captured stream.
    capture_bytes: usize,
    table: ResourceTable,
    http: WasiHttpCtx,
    outbound: OutboundHttp,
    pub limiter: SandboxLimiter,
    pub logs: Vec<LogRecord>,
    /// Bytes of `logs`' messages, and the most they may reach.
    log_bytes: usize,
    log_budget: usize,
    logs_dropped: u64,
    /// Host directories of the grants that let the tool create symlinks.
    symlink_dirs: Vec<PathBuf>,
    tool: Arc<str>,
    events: Option<CallEvents>,
}

impl CallState {
    pub fn new(
        tool: Arc<str>,
        limits: &SandboxLimits,
        grants: &Grants,
        events: Option<CallEvents>,
        deadline: std::time::Instant,
    ) -> anyhow::Result<Self> {
        let output_cap = usize::try_from(limits.max_output_bytes).unwrap_or(usize::MAX);
        let capture_bytes = output_cap.min(MAX_CAPTURED_STREAM_BYTES);
        let wasi = if grants.env.is_empty() && grants.dirs.is_empty() {
            None
        } else {
            Some(Wasi::granted(grants, capture_bytes)?)
        };
        let outbound =
            OutboundHttp::new(&grants.network, limits.max_response_bytes, deadline.into());
        Ok(CallState {
            wasi,
            capture_bytes,
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            outbound,
            limiter: SandboxLimiter::new(limits.memory_bytes as usize),
            logs: Vec::new(),
            log_bytes: 0,
            log_budget: output_cap.min(MAX_LOG_BYTES),
            logs_dropped: 0,
            symlink_dirs: grants
                .dirs
                .iter()
                .filter(|d| d.symlinks && d.mode == DirMode::ReadWrite)
                .map(|d| d.host.clone())
                .collect(),
            tool,
            events,
        })
    }

    fn record(&mut self, record: LogRecord) {
        if let Some(events) = &self.events {
            events(&self.tool, CallEvent::Log(&record));
        }
        let bytes = self.log_bytes + record.message.len();
        if self.logs.len() < MAX_LOG_RECORDS && bytes <= self.log_budget {
            self.logs.push(record);
            self.log_bytes = bytes;
        } else {
            self.logs_dropped += 1;
        }
    }

    /// The tool's `log` import.
    pub fn log(&mut self, level: wit_types::LogLevel, message: GuestMessage) {
        let level = match level {
            wit_types::LogLevel::Trace => LogLevel::Trace,
            wit_types::LogLevel::Debug => LogLevel::Debug,
            wit_types::LogLevel::Info => LogLevel::Info,
            wit_types::LogLevel::Warn => LogLevel::Warn,
            wit_types::LogLevel::Error => LogLevel::Error,
        };
        self.record(LogRecord {
            level,
            source: LogSource::Log,
            message: message_text(message),
        });
    }

    /// The tool's `progress` import: passed on, never kept.
    pub fn progress(&mut self, done: u64, total: u64, message: GuestMessage) {
        if let Some(events) = &self.events {
            let message = message_text(message);
            events(
                &self.tool,
                CallEvent::Progress {
                    done,
                    total,
                    message: &message,
                },
            );
        }
    }

    /// Whether the tool may create a symlink in the directory `dir`.
    pub fn may_symlink_in(&self, dir: &Resource<Descriptor>) -> bool {
        super::symlinks::allowed(&self.table, &self.symlink_dirs, dir)
    }

    /// The first network rule the host enforced against the tool during the call.
    pub fn network_violation(&self) -> Option<Violation> {
        self.outbound.violation()
    }

    /// All records of the call: the tool's log calls, the host's notes of its requests,
    /// then its stdout and stderr lines, then notes about anything dropped.
    pub fn take_logs(&mut self) -> Vec<LogRecord> {
        let mut logs = std::mem::take(&mut self.logs);
        logs.extend(
            self.outbound
                .take_notes()
                .into_iter()
                .map(|message| LogRecord {
                    level: LogLevel::Debug,
                    source: LogSource::Host,
                    message,
                }),
        );
        if self.logs_dropped > 0 {
            logs.push(host_note(format!(
                "{} further log records were dropped (at most {MAX_LOG_RECORDS} records and {} \
                 bytes are kept)",
                self.logs_dropped, self.log_budget
            )));
        }
        let Some(wasi) = &self.wasi else {
            return logs;
        };
        for (stream, source, level) in [
            (&wasi.stdout, LogSource::Stdout, LogLevel::Info),
            (&wasi.stderr, LogSource::Stderr, LogLevel::Warn),
        ] {
            let (bytes, dropped) = stream.take();
            let text = String::from_utf8_lossy(&bytes);
            stream_records(&text, source, level, &mut logs);
            if dropped > 0 {
                logs.push(host_note(format!(
                    "{dropped} further bytes of {} were dropped",
                    if source == LogSource::Stdout {
                        "stdout"
                    } else {
                        "stderr"
                    }
                )));
            }
        }
        logs
    }
}

/// A call's WASI context and the streams its stdout and stderr go to.
struct Wasi {
    ctx: WasiCtx,
    stdout: CapturedStream,
    stderr: CapturedStream,
}

impl Wasi {
    /// Output captured, nothing granted.
    fn quiet(capture_bytes: usize) -> Self {
        let (mut builder, stdout, stderr) = Self::capturing(capture_bytes);
        Wasi {
            ctx: builder.build(),
            stdout,
            stderr,
        }
    }

    /// The quiet context plus the tool's granted environment variables and directories,
    /// built before the call so that a directory that cannot be opened fails it up front.
    fn granted(grants: &Grants, capture_bytes: usize) -> anyhow::Result<Self> {
        let (mut builder, stdout, stderr) = Self::capturing(capture_bytes);
        for name in &grants.env {
            if let Ok(value) = std::env::var(name) {
                builder.env(name, value);
            }
        }
        for dir in &grants.dirs {
            let perms = match dir.mode {
                DirMode::ReadOnly => FsPerms::ReadOnly,
                DirMode::ReadWrite => FsPerms::ReadWrite,
            };
            builder
                .preopened_dir(&dir.host, &dir.guest, perms)
                .map_err(|e| {
                    anyhow::anyhow!("cannot open granted directory {}: {e}", dir.host.display())
                })?;
        }
        Ok(Wasi {
            ctx: builder.build(),
            stdout,
            stderr,
        })
    }

    /// A builder whose stdout and stderr go to the returned streams and whose raw sockets
    /// are closed, even with a network grant: that grant is for HTTP through the host's
    /// hook, where the policy is enforced.
    fn capturing(capture_bytes: usize) -> (WasiCtxBuilder, CapturedStream, CapturedStream) {
        let stdout = CapturedStream::new(capture_bytes);
        let stderr = CapturedStream::new(capture_bytes);
        let mut builder = WasiCtxBuilder::new();
        builder
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        (builder, stdout, stderr)
    }
}

fn host_note(message: String) -> LogRecord {
    LogRecord {
        level: LogLevel::Warn,
        source: LogSource::Host,
        message,
    }
}

/// One record per line of a captured stream, at most [`MAX_LOG_RECORDS`] of them: the
/// first half and the last (where a panic message is), with a note between.
fn stream_records(text: &str, source: LogSource, level: LogLevel, logs: &mut Vec<LogRecord>) {
    let record = |line: &str| LogRecord {
        level,
        source,
        message: line.to_owned(),
    };
    let count = text.lines().count();
    if count <= MAX_LOG_RECORDS {
        logs.extend(text.lines().map(record));
        return;
    }
    let half = MAX_LOG_RECORDS / 2;
    logs.extend(text.lines().take(half).map(record));
    logs.push(host_note(format!(
        "{} further lines of {} were dropped (at most {MAX_LOG_RECORDS} are kept)",
        count - 2 * half,
        if source == LogSource::Stdout {
            "stdout"
        } else {
            "stderr"
        }
    )));
    logs.extend(text.lines().skip(count - half).map(record));
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let capture_bytes = self.capture_bytes;
        WasiCtxView {
            ctx: &mut self
                .wasi
                .get_or_insert_with(|| Wasi::quiet(capture_bytes))
                .ctx,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for CallState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}

impl wit_types::Host for CallState {}
