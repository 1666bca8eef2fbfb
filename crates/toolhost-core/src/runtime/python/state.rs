//! What a Python session's Store holds: an empty WASI context (no files, environment
//! or sockets; stdout and stderr captured, bounded, for a crash's last words), the memory
//! limiter, the deadline of the input being run, and the host that answers imports.

use std::time::Instant;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::host::PythonHost;
use crate::output::{LogLevel, LogRecord, LogSource};
use crate::runtime::capture::CapturedStream;
use crate::runtime::limits::SandboxLimiter;

/// Bytes of the interpreter's own stdout/stderr kept: only a panic message lands there.
const CAPTURED_BYTES: usize = 16 * 1024;

pub struct PythonState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub limiter: SandboxLimiter,
    pub host: Box<dyn PythonHost>,
    /// When the input being run must stop; the epoch callback reads it.
    pub deadline: Instant,
    stdout: CapturedStream,
    stderr: CapturedStream,
}

impl PythonState {
    pub fn new(host: Box<dyn PythonHost>, memory_bytes: u64) -> Self {
        let stdout = CapturedStream::new(CAPTURED_BYTES);
        let stderr = CapturedStream::new(CAPTURED_BYTES);
        let wasi = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        PythonState {
            wasi,
            table: ResourceTable::new(),
            limiter: SandboxLimiter::new(memory_bytes as usize),
            host,
            deadline: Instant::now(),
            stdout,
            stderr,
        }
    }

    /// What the interpreter itself wrote (a panic message, an allocator's complaint), as
    /// the log records the classification reads.
    pub fn take_output(&mut self) -> Vec<LogRecord> {
        let mut logs = Vec::new();
        for (stream, source) in [
            (&self.stdout, LogSource::Stdout),
            (&self.stderr, LogSource::Stderr),
        ] {
            let (bytes, _) = stream.take();
            logs.extend(
                String::from_utf8_lossy(&bytes)
                    .lines()
                    .map(|line| LogRecord {
                        level: LogLevel::Warn,
                        source,
                        message: line.to_owned(),
                    }),
            );
        }
        logs
    }
}

impl WasiView for PythonState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
