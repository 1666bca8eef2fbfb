//! The tools as a session knows them. Starting a session loads no tool: a tool is
//! described by loading it (compiling it, the first time ever), so the interpreter starts
//! with every name and the details of the tools already loaded, and asks for the rest
//! when Python first needs them (a positional argument, `help`, `TOOLS()`).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::dispatch::{Dispatcher, ToolDescription};
use crate::error::ToolError;
use crate::runtime::python::wit;

use super::options::PythonOptions;
use super::signature::{self, Parameter};

pub(crate) struct Catalogue {
    /// Every tool of the registry, in its order.
    pub names: Vec<String>,
    /// Parameters of the tools described so far, for tab completion (which cannot wait).
    known: Mutex<HashMap<String, Vec<Parameter>>>,
}

impl Catalogue {
    pub fn new(dispatcher: &Dispatcher) -> Catalogue {
        let catalogue = Catalogue {
            names: dispatcher
                .registry()
                .names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            known: Mutex::new(HashMap::new()),
        };
        for name in &catalogue.names {
            if let Some(d) = dispatcher.described(name) {
                catalogue.remember(&d);
            }
        }
        catalogue
    }

    fn remember(&self, d: &ToolDescription) {
        self.known
            .lock()
            .expect("catalogue lock")
            .insert(d.name.clone(), signature::parameters(&d.input_schema));
    }

    /// Describe `name`, loading it if needed.
    pub async fn describe(
        &self,
        dispatcher: &Dispatcher,
        name: &str,
    ) -> Result<ToolDescription, ToolError> {
        let d = dispatcher.describe(name).await?;
        self.remember(&d);
        Ok(d)
    }

    /// Describe every tool (loading them all), in registry order.
    pub async fn describe_all(
        &self,
        dispatcher: &Dispatcher,
    ) -> Vec<(String, Result<ToolDescription, ToolError>)> {
        let all = dispatcher.describe_all().await;
        for d in all.iter().filter_map(|(_, d)| d.as_ref().ok()) {
            self.remember(d);
        }
        all
    }

    /// The parameters of `name`, if it has been described.
    pub fn parameters(&self, name: &str) -> Option<Vec<Parameter>> {
        self.known
            .lock()
            .expect("catalogue lock")
            .get(name)
            .cloned()
    }

    pub fn details(d: &ToolDescription) -> wit::ToolDetails {
        let parameters = signature::parameters(&d.input_schema);
        wit::ToolDetails {
            required_parameters: parameters.iter().filter(|p| p.required).count() as u32,
            parameters: parameters.into_iter().map(|p| p.name).collect(),
            signature: signature::signature(d),
            summary: d.summary().to_owned(),
        }
    }

    pub fn summary(description: &Result<ToolDescription, ToolError>) -> String {
        match description {
            Ok(d) => d.summary().to_owned(),
            Err(e) => format!("(could not be loaded: {})", e.message),
        }
    }

    /// What the interpreter starts with.
    pub fn session_config(
        &self,
        dispatcher: &Dispatcher,
        options: &PythonOptions,
    ) -> wit::SessionConfig {
        let limits = &options.limits;
        wit::SessionConfig {
            tools: self
                .names
                .iter()
                .map(|name| wit::ToolEntry {
                    name: name.clone(),
                    python_identifier: signature::is_python_identifier(name),
                    details: dispatcher.described(name).as_ref().map(Self::details),
                })
                .collect(),
            scripts: dispatcher
                .registry()
                .scripts
                .iter()
                .map(|s| wit::ScriptEntry {
                    name: s.name.clone(),
                    summary: s.description.lines().next().unwrap_or("").to_owned(),
                    parameters: s.params.iter().flatten().map(|p| p.name.clone()).collect(),
                })
                .collect(),
            max_output_bytes: limits.max_output_bytes,
            max_tool_calls_per_input: limits.max_tool_calls_per_input,
            input_timeout_ms: limits.input_timeout.as_millis() as u64,
            memory_bytes: limits.memory_bytes,
            require_exploration_before_final: options.require_exploration_before_final,
            language_model: options.model.is_some(),
        }
    }
}
