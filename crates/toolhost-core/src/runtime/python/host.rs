//! What the interpreter's imports are answered by: a [`PythonHost`], supplied by the
//! layer above (crate::python, over the dispatcher), so the runtime knows nothing of
//! tools or models.

use super::bindings::toolhost::repl::{host, types};
use super::bindings::wit;
use super::state::PythonState;
use crate::output::LogLevel;

/// The `host` interface of wit/repl/repl.wit, in the generated (plain data) types.
#[async_trait::async_trait]
pub trait PythonHost: Send {
    async fn call_tool(
        &mut self,
        name: String,
        arguments: String,
    ) -> Result<wit::ToolResult, wit::Failure>;
    async fn call_batch(
        &mut self,
        calls: Vec<wit::ToolCall>,
    ) -> Vec<Result<wit::ToolResult, wit::Failure>>;
    async fn list_tools(&mut self) -> Vec<wit::ToolSummary>;
    async fn describe_tool(&mut self, name: String) -> Result<wit::ToolDetails, wit::Failure>;
    async fn help_text(&mut self, name: String) -> Result<String, wit::Failure>;
    async fn run_script(&mut self, name: String, arguments: String)
    -> Result<String, wit::Failure>;
    async fn llm_query(&mut self, prompt: String) -> Result<String, String>;
    async fn llm_batch(&mut self, prompts: Vec<String>) -> Vec<Result<String, String>>;
    async fn save_image(
        &mut self,
        mime_type: String,
        data: Vec<u8>,
        file_name: String,
    ) -> Result<String, String>;
    fn log(&mut self, level: LogLevel, message: String);
}

impl types::Host for PythonState {}

impl host::Host for PythonState {
    async fn call_tool(
        &mut self,
        name: String,
        arguments: String,
    ) -> Result<wit::ToolResult, wit::Failure> {
        self.host.call_tool(name, arguments).await
    }

    async fn call_batch(
        &mut self,
        calls: Vec<wit::ToolCall>,
    ) -> Vec<Result<wit::ToolResult, wit::Failure>> {
        self.host.call_batch(calls).await
    }

    async fn list_tools(&mut self) -> Vec<wit::ToolSummary> {
        self.host.list_tools().await
    }

    async fn describe_tool(&mut self, name: String) -> Result<wit::ToolDetails, wit::Failure> {
        self.host.describe_tool(name).await
    }

    async fn help_text(&mut self, name: String) -> Result<String, wit::Failure> {
        self.host.help_text(name).await
    }

    async fn run_script(
        &mut self,
        name: String,
        arguments: String,
    ) -> Result<String, wit::Failure> {
        self.host.run_script(name, arguments).await
    }

    async fn llm_query(&mut self, prompt: String) -> Result<String, String> {
        self.host.llm_query(prompt).await
    }

    async fn llm_batch(&mut self, prompts: Vec<String>) -> Vec<Result<String, String>> {
        self.host.llm_batch(prompts).await
    }

    async fn save_image(
        &mut self,
        mime_type: String,
        data: Vec<u8>,
        file_name: String,
    ) -> Result<String, String> {
        self.host.save_image(mime_type, data, file_name).await
    }

    async fn log(&mut self, level: wit::LogLevel, message: String) {
        let level = match level {
            wit::LogLevel::Trace => LogLevel::Trace,
            wit::LogLevel::Debug => LogLevel::Debug,
            wit::LogLevel::Info => LogLevel::Info,
            wit::LogLevel::Warn => LogLevel::Warn,
            wit::LogLevel::Error => LogLevel::Error,
        };
        self.host.log(level, message);
    }
}
