//! How a Python session behaves: its limits, the language model behind `llm_query`, and
//! what Python code may do beyond calling tools.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Hard limits of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PythonLimits {
    /// Wall time of one input, tool calls included. Python that computes past it is
    /// stopped by the interpreter a little before, keeping the session; anything that
    /// outlasts it (a tool call, a long builtin) is stopped by the sandbox, which ends
    /// the session.
    pub input_timeout: Duration,
    /// Memory of the session: linear memory of the interpreter instance. Python's data
    /// raises `MemoryError` at three quarters of it; the sandbox ends the session at it.
    pub memory_bytes: u64,
    /// Printed text kept per input (beyond it, output is dropped with a note), and the
    /// largest value repr or answer an input returns.
    pub max_output_bytes: u64,
    /// Tool calls one input may make (batch entries and scripts included).
    pub max_tool_calls_per_input: u64,
}

impl Default for PythonLimits {
    /// The registry's defaults for `python:`.
    fn default() -> Self {
        PythonLimits::from(&crate::registry::PythonSettings::default())
    }
}

impl From<&crate::registry::PythonSettings> for PythonLimits {
    fn from(settings: &crate::registry::PythonSettings) -> Self {
        PythonLimits {
            input_timeout: settings.limits.timeout,
            memory_bytes: settings.limits.memory_bytes,
            max_output_bytes: settings.limits.max_output_bytes,
            max_tool_calls_per_input: settings.max_tool_calls_per_input,
        }
    }
}

/// Which tools and scripts a session's code may reach: a front end's caller's permissions
/// (an MCP client's token scopes). A session without one reaches every tool.
pub trait ToolAccess: Send + Sync {
    /// Whether code may call `name`: a tool's name, or `script_NAME` for a script (the
    /// names MCP clients see).
    fn allows(&self, name: &str) -> bool;
    /// The `denied` error for a call of `name` this access does not allow, naming the
    /// permission that is missing.
    fn denied(&self, name: &str) -> crate::error::ToolError;
}

/// The language model behind `llm_query` and `llm_batch` (the agent provides one).
#[async_trait::async_trait]
pub trait ModelBridge: Send + Sync {
    async fn query(&self, prompt: String) -> Result<String, String>;
    async fn batch(&self, prompts: Vec<String>) -> Vec<Result<String, String>>;
}

#[derive(Clone, Default)]
pub struct PythonOptions {
    pub limits: PythonLimits,
    /// Without one, `llm_query`/`llm_batch` raise an error saying so.
    pub model: Option<Arc<dyn ModelBridge>>,
    /// `FINAL` is refused until a tool, `TOOLS()` or `HELP()` was called.
    pub require_exploration_before_final: bool,
    /// Where `Image.save(name)` writes (a bare file name, no path separators); `None`:
    /// `save()` raises `PermissionError` saying so.
    pub image_dir: Option<PathBuf>,
    /// Whether a tool that draws sixel by default (and offers PNG) is asked for a PNG when
    /// the call names no format: for front ends where sixel would not show.
    pub prefer_png: PngPreference,
    /// The tools and scripts code may reach (scripts it runs included); `None`: all.
    pub access: Option<Arc<dyn ToolAccess>>,
}

impl PythonOptions {
    /// `Err(denied)` when this session's access does not include `name`.
    pub(crate) fn check_access(&self, name: &str) -> Result<(), crate::error::ToolError> {
        match &self.access {
            Some(access) if !access.allows(name) => Err(access.denied(name)),
            _ => Ok(()),
        }
    }

    pub(crate) fn allows(&self, name: &str) -> bool {
        self.access.as_ref().is_none_or(|a| a.allows(name))
    }
}

/// [`PythonOptions::prefer_png`]. A terminal may have to be asked whether it draws sixel,
/// which must not happen before a picture is on its way: `Decide` is called only then.
#[derive(Clone, Default)]
pub enum PngPreference {
    #[default]
    No,
    Yes,
    Decide(Arc<dyn Fn() -> bool + Send + Sync>),
}

impl PngPreference {
    pub fn wanted(&self) -> bool {
        match self {
            PngPreference::No => false,
            PngPreference::Yes => true,
            PngPreference::Decide(decide) => decide(),
        }
    }
}
