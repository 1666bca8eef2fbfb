//! The tools as a session knows them: described once when the session starts (loading
//! each tool), and handed to the interpreter as its start configuration.

use crate::dispatch::{Dispatcher, ToolDescription};
use crate::error::ToolError;
use crate::runtime::python::wit;

use super::options::PythonOptions;
use super::signature::{self, Parameter};

pub(crate) struct CatalogueEntry {
    pub name: String,
    /// The description, or why the tool could not be loaded (calling it says so again).
    pub description: Result<ToolDescription, ToolError>,
    pub parameters: Vec<Parameter>,
}

pub(crate) struct Catalogue {
    pub tools: Vec<CatalogueEntry>,
}

impl Catalogue {
    pub async fn load(dispatcher: &Dispatcher) -> Catalogue {
        let tools = dispatcher
            .describe_all()
            .await
            .into_iter()
            .map(|(name, description)| CatalogueEntry {
                parameters: description
                    .as_ref()
                    .map(|d| signature::parameters(&d.input_schema))
                    .unwrap_or_default(),
                name,
                description,
            })
            .collect();
        Catalogue { tools }
    }

    pub fn get(&self, name: &str) -> Option<&CatalogueEntry> {
        self.tools.iter().find(|t| t.name == name)
    }

    pub fn summary(entry: &CatalogueEntry) -> String {
        match &entry.description {
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
                .tools
                .iter()
                .map(|t| wit::ToolEntry {
                    name: t.name.clone(),
                    python_identifier: signature::is_python_identifier(&t.name),
                    parameters: t.parameters.iter().map(|p| p.name.clone()).collect(),
                    required_parameters: t.parameters.iter().filter(|p| p.required).count() as u32,
                    signature: match &t.description {
                        Ok(d) => signature::signature(d),
                        Err(_) => format!("{}(...) {}", t.name, Self::summary(t)),
                    },
                    summary: Self::summary(t),
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
