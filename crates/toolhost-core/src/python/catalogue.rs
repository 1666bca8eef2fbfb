//! The tools as a session knows them. Starting a session loads no tool: a tool is
//! described by loading it (compiling it, the first time ever), so the interpreter starts
//! with every name and the details of the tools already loaded, and asks for the rest
//! when Python first needs them (a positional argument, `help`, `TOOLS()`).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::dispatch::{Dispatcher, ToolDescription};
use crate::error::ToolError;
use crate::pictures;
use crate::runtime::python::wit;

use super::options::PythonOptions;
use super::signature::{self, Parameter};

pub(crate) struct Catalogue {
    /// Every tool the session may call: the registry's, in its order, then those of the
    /// MCP servers it names.
    pub names: Vec<String>,
    /// What is known of the tools described so far: tab completion cannot wait, and
    /// `TOOLS()` should not rebuild it each time.
    known: Mutex<HashMap<String, Known>>,
}

#[derive(Clone)]
struct Known {
    parameters: Vec<Parameter>,
    summary: String,
    /// It draws sixel by default and PNG when asked ([`crate::pictures`]).
    offers_png_and_sixel: bool,
}

impl Catalogue {
    /// The tools the session may call: the registry's, and those of the MCP servers it
    /// names (which are listed, so started, now: Python needs every name to define its
    /// functions).
    pub async fn new(dispatcher: &Dispatcher, options: &PythonOptions) -> Catalogue {
        let catalogue = Catalogue {
            names: dispatcher
                .tool_names()
                .await
                .into_iter()
                .filter(|name| options.allows(name))
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
        let mut known = self.known.lock().expect("catalogue lock");
        if !known.contains_key(&d.name) {
            let entry = Known {
                parameters: signature::parameters(&d.input_schema),
                summary: d.summary().to_owned(),
                offers_png_and_sixel: pictures::offers_png_and_sixel(&d.input_schema),
            };
            known.insert(d.name.clone(), entry);
        }
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

    /// Whether `name` draws sixel by default and PNG when asked; a tool that cannot be
    /// loaded does not (its call will say why).
    pub async fn offers_png_and_sixel(&self, dispatcher: &Dispatcher, name: &str) -> bool {
        let known = self
            .known
            .lock()
            .expect("catalogue lock")
            .get(name)
            .map(|k| k.offers_png_and_sixel);
        match known {
            Some(offers) => offers,
            None => self
                .describe(dispatcher, name)
                .await
                .is_ok_and(|d| pictures::offers_png_and_sixel(&d.input_schema)),
        }
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

    /// `(name, summary)` of every tool, loading those not described yet; a tool that
    /// cannot be loaded says why in place of its summary.
    pub async fn summaries(&self, dispatcher: &Dispatcher) -> Vec<(String, String)> {
        let cached: Option<Vec<(String, String)>> = {
            let known = self.known.lock().expect("catalogue lock");
            self.names
                .iter()
                .map(|n| known.get(n).map(|k| (n.clone(), k.summary.clone())))
                .collect()
        };
        if let Some(all) = cached {
            return all;
        }
        self.describe_all(dispatcher)
            .await
            .into_iter()
            .filter(|(name, _)| self.names.contains(name))
            .map(|(name, d)| (name, Self::summary(&d)))
            .collect()
    }

    /// The parameters of `name`, if it has been described.
    pub fn parameters(&self, name: &str) -> Option<Vec<Parameter>> {
        self.known
            .lock()
            .expect("catalogue lock")
            .get(name)
            .map(|k| k.parameters.clone())
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
                .filter(|s| options.allows(&crate::dispatch::script_tool_name(&s.name)))
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
