//! The component's exports and imports: wit/repl/repl.wit's types converted to and from the
//! session's. The session lives in a global: an instance serves one session, and the
//! host calls it from one thread.

use std::cell::RefCell;
use std::time::Duration;

use serde_json::Value;

use crate::host::{
    self, Config, Failure, Host, LogLevel, ScriptEntry, ToolDetails, ToolEntry, ToolResult,
};
use crate::session::Session;

wit_bindgen::generate!({
    path: "../../wit/repl/repl.wit",
    world: "python-repl",
});

use exports::toolhost::repl::session::Guest;
use toolhost::repl::host as imports;
use toolhost::repl::types as wit;

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
}

struct Component;

impl Guest for Component {
    fn start(config: wit::SessionConfig) -> Result<(), String> {
        SESSION.with(|s| {
            let mut slot = s.borrow_mut();
            if slot.is_some() {
                return Err("the session has started already".to_owned());
            }
            *slot = Some(Session::new(config_from(config)));
            Ok(())
        })
    }

    fn eval(code: String) -> wit::Outcome {
        with_session(|session| outcome_to(session.eval(&mut WitHost, &code))).unwrap_or_else(|e| {
            wit::Outcome {
                output: String::new(),
                value_repr: None,
                value_json: None,
                error: Some(wit::PythonError {
                    code: "internal".to_owned(),
                    kind: "internal".to_owned(),
                    message: e,
                    traceback: String::new(),
                }),
                final_answer: None,
            }
        })
    }

    fn define(name: String, value: String) -> Result<(), String> {
        let value: Value =
            serde_json::from_str(&value).map_err(|e| format!("the value is not JSON: {e}"))?;
        with_session(|session| session.define(&mut WitHost, &name, &value))?
    }

    fn needs_more(code: String) -> bool {
        crate::needs_more(&code)
    }
}

fn with_session<R>(f: impl FnOnce(&mut Session) -> R) -> Result<R, String> {
    SESSION.with(|s| match s.borrow_mut().as_mut() {
        Some(session) => Ok(f(session)),
        None => Err("the session was not started".to_owned()),
    })
}

fn config_from(c: wit::SessionConfig) -> Config {
    Config {
        tools: c
            .tools
            .into_iter()
            .map(|t| ToolEntry {
                name: t.name,
                python_identifier: t.python_identifier,
                details: t.details.map(details),
            })
            .collect(),
        scripts: c
            .scripts
            .into_iter()
            .map(|s| ScriptEntry {
                name: s.name,
                summary: s.summary,
                parameters: s.parameters,
            })
            .collect(),
        max_output_bytes: c.max_output_bytes,
        max_tool_calls_per_input: c.max_tool_calls_per_input,
        input_timeout: Duration::from_millis(c.input_timeout_ms),
        memory_bytes: c.memory_bytes,
        require_exploration_before_final: c.require_exploration_before_final,
        language_model: c.language_model,
    }
}

fn details(d: wit::ToolDetails) -> ToolDetails {
    ToolDetails {
        parameters: d.parameters,
        required_parameters: d.required_parameters as usize,
        signature: d.signature,
        summary: d.summary,
    }
}

fn outcome_to(o: host::Outcome) -> wit::Outcome {
    wit::Outcome {
        output: o.output,
        value_repr: o.value_repr,
        value_json: o.value_json.map(|v| v.to_string()),
        error: o.error.map(|e| wit::PythonError {
            code: e.code,
            kind: e.kind,
            message: e.message,
            traceback: e.traceback,
        }),
        final_answer: o.final_answer.map(|v| v.to_string()),
    }
}

/// The host imports, as the session's [`Host`].
struct WitHost;

fn tool_result(r: wit::ToolResult) -> Result<ToolResult, Failure> {
    let value = serde_json::from_str(&r.value).map_err(|e| {
        Failure::new(
            "internal",
            format!("the host sent a result that is not JSON: {e}"),
        )
    })?;
    Ok(ToolResult {
        value,
        images: r
            .images
            .into_iter()
            .map(|i| host::Image {
                mime_type: i.mime_type,
                data: i.data,
            })
            .collect(),
    })
}

fn failure(f: wit::Failure) -> Failure {
    Failure {
        code: f.code,
        message: f.message,
        details: f
            .details
            .map(|d| serde_json::from_str(&d).unwrap_or(Value::String(d))),
        tool: f.tool,
    }
}

impl Host for WitHost {
    fn call_tool(&mut self, name: &str, arguments: &Value) -> Result<ToolResult, Failure> {
        imports::call_tool(name, &arguments.to_string())
            .map_err(failure)
            .and_then(tool_result)
    }

    fn call_batch(&mut self, calls: &[(String, Value)]) -> Vec<Result<ToolResult, Failure>> {
        let calls: Vec<wit::ToolCall> = calls
            .iter()
            .map(|(name, args)| wit::ToolCall {
                name: name.clone(),
                arguments: args.to_string(),
            })
            .collect();
        imports::call_batch(&calls)
            .into_iter()
            .map(|r| r.map_err(failure).and_then(tool_result))
            .collect()
    }

    fn list_tools(&mut self) -> Vec<(String, String)> {
        imports::list_tools()
            .into_iter()
            .map(|t| (t.name, t.summary))
            .collect()
    }

    fn describe_tool(&mut self, name: &str) -> Result<ToolDetails, Failure> {
        imports::describe_tool(name).map(details).map_err(failure)
    }

    fn help_text(&mut self, name: &str) -> Result<String, Failure> {
        imports::help_text(name).map_err(failure)
    }

    fn run_script(&mut self, name: &str, arguments: &Value) -> Result<Value, Failure> {
        let text = imports::run_script(name, &arguments.to_string()).map_err(failure)?;
        serde_json::from_str(&text).map_err(|e| {
            Failure::new(
                "internal",
                format!("the host sent an answer that is not JSON: {e}"),
            )
        })
    }

    fn llm_query(&mut self, prompt: &str) -> Result<String, String> {
        imports::llm_query(prompt)
    }

    fn llm_batch(&mut self, prompts: &[String]) -> Vec<Result<String, String>> {
        imports::llm_batch(prompts)
    }

    fn save_image(
        &mut self,
        mime_type: &str,
        data: &[u8],
        file_name: &str,
    ) -> Result<String, String> {
        imports::save_image(mime_type, data, file_name)
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        let level = match level {
            LogLevel::Debug => wit::LogLevel::Debug,
            LogLevel::Info => wit::LogLevel::Info,
            LogLevel::Warn => wit::LogLevel::Warn,
        };
        imports::log(level, message);
    }
}

export!(Component);
