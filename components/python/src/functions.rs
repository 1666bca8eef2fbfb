//! The names the session gives Python code, resolved the first time the code uses them
//! (a global of the same name wins, as in any Python): every tool whose name is an
//! identifier as a function taking keyword arguments, and TOOL, TOOLS, HELP/help,
//! SCRIPT, SCRIPTS, tool_batch, llm_query, llm_batch, FINAL, FINAL_VAR and Image
//! (`ToolError` is bound when the session starts). Calls arrive here while the interpreter waits.

use monty_types::unstable::{self, MontyNode};
use monty_types::{
    CallArgs, ExcType, MontyException, MontyObject, MontyUuid, NameLookupResult, ObjectRef,
};
use serde_json::{Map, Value, json};

use crate::convert::{self, NotJson};
use crate::errors::TOOL_ERROR_EXC;
use crate::host::{Failure, Host, ToolDetails, ToolResult};
use crate::objects::{IMAGE_CLASS, ObjectKind, Objects};
use crate::os_calls;
use crate::rewrite::{DENIED_IMPORT, TOOL_ERROR_CONVERTER};
use crate::session::{Input, Reply, Session, Stop, refuse_empty};

/// The session's own functions, with the docstring `help()` of them shows.
const FUNCTIONS: &[(&str, &str)] = &[
    (
        "TOOL",
        "TOOL(name, args=None, **kwargs): call any tool by name with a dict of arguments",
    ),
    ("TOOLS", "TOOLS(): the tools, as a list of {name, summary}"),
    (
        "HELP",
        "HELP(name): print a tool's signature, arguments and examples",
    ),
    (
        "help",
        "help(tool): print a tool's signature, arguments and examples",
    ),
    (
        "SCRIPT",
        "SCRIPT(name, args=None, **kwargs): run a registry script; its answer",
    ),
    (
        "SCRIPTS",
        "SCRIPTS(): the registry's scripts, as a list of {name, summary, parameters}",
    ),
    (
        "tool_batch",
        "tool_batch(calls): run independent calls in parallel; entries are \
         {\"tool\": name, \"args\": {...}} or (name, args); a failed entry gives \
         {\"error\": {\"code\", \"message\"}}",
    ),
    (
        "llm_query",
        "llm_query(prompt): ask the language model; its answer as a str",
    ),
    (
        "llm_batch",
        "llm_batch(prompts): ask several prompts concurrently; a list of str (a failed \
         one gives {\"error\": message})",
    ),
    ("FINAL", "FINAL(value): answer with value and end the input"),
    (
        "FINAL_VAR",
        "FINAL_VAR(name): answer with the global variable `name` and end the input",
    ),
    (TOOL_ERROR_CONVERTER, ""),
    (DENIED_IMPORT, ""),
];

/// The overview `help()` prints.
const OVERVIEW: &str = "\
This is Python (Monty, a sandboxed subset of Python 3) with tools as functions.
  TOOLS()                  the tools, as a list of {name, summary}
  help(calc), HELP(\"calc\") a tool's signature, arguments and examples
  calc(expr=\"2^10\")        call a tool: keyword arguments, a Python value back
  TOOL(\"calc\", {...})      call any tool by name
  tool_batch([...])        independent calls in parallel
  SCRIPT(name, {...})      run a registry script (SCRIPTS() lists them)
  llm_query(prompt)        ask the language model (when one is connected)
  FINAL(value)             answer and end the input; FINAL_VAR(\"name\") answers a variable
A failed call raises ToolError (except ToolError as e: e.code, e.message, e.details,
e.tool). Images come back as Image objects (img.mime, img.data, img.save(\"plot.png\")).
There are no files, processes or network; the tools do that work.";

impl Session {
    /// What an undefined global name stands for, or that it is undefined; with an
    /// `object`, an attribute of a host object (`img.data`).
    pub(crate) fn lookup(&self, name: &str, object: Option<MontyUuid>) -> NameLookupResult {
        if let Some(id) = object {
            return match (self.objects.kind_of(id), name) {
                (Some(ObjectKind::Image), "data") => match self.objects.image(id) {
                    Some(stored) => {
                        NameLookupResult::Value(MontyObject::bytes(stored.image.data.clone()))
                    }
                    None => NameLookupResult::Error(image_forgotten()),
                },
                _ => NameLookupResult::Undefined,
            };
        }
        if let Some((_, doc)) = FUNCTIONS.iter().find(|(n, _)| *n == name) {
            return NameLookupResult::Value(MontyObject::function(name, Some((*doc).to_owned())));
        }
        match name {
            "Image" => NameLookupResult::Value(Objects::image_class()),
            _ => match self.tool(name) {
                Some(tool) if tool.python_identifier => NameLookupResult::Value(
                    MontyObject::function(name, tool.details.as_ref().map(|d| d.signature.clone())),
                ),
                _ => NameLookupResult::Undefined,
            },
        }
    }

    fn tool(&self, name: &str) -> Option<&crate::host::ToolEntry> {
        self.tool_index.get(name).map(|&i| &self.config.tools[i])
    }

    /// A tool's details, asked of the host the first time they are needed.
    fn tool_details(&mut self, host: &mut dyn Host, name: &str) -> Result<&ToolDetails, Failure> {
        let i = *self
            .tool_index
            .get(name)
            .ok_or_else(|| Failure::new("not_found", format!("no tool named '{name}'")))?;
        if self.config.tools[i].details.is_none() {
            self.config.tools[i].details = Some(host.describe_tool(name)?);
        }
        Ok(self.config.tools[i]
            .details
            .as_ref()
            .expect("just described"))
    }

    /// Answer a call of one of the session's functions (or a method of a host object).
    pub(crate) fn call(
        &mut self,
        host: &mut dyn Host,
        input: &mut Input,
        name: &str,
        args: &CallArgs,
        object: Option<MontyUuid>,
    ) -> Reply {
        if let Some(id) = object {
            return self.method(host, id, name, args);
        }
        let result = match name {
            "TOOL" => self.call_tool_by_name(host, input, args),
            "TOOLS" => {
                self.explored = true;
                no_args("TOOLS", args).map(|()| {
                    Reply::Value(MontyObject::list(host.list_tools().into_iter().map(
                        |(name, summary)| {
                            convert::to_python(&json!({ "name": name, "summary": summary }))
                        },
                    )))
                })
            }
            "HELP" | "help" => self.help(host, input, name, args),
            "SCRIPT" => self.script(host, input, args),
            "SCRIPTS" => no_args("SCRIPTS", args).map(|()| {
                Reply::Value(MontyObject::list(self.config.scripts.iter().map(|s| {
                    convert::to_python(
                        &json!({ "name": s.name, "summary": s.summary, "parameters": s.parameters }),
                    )
                })))
            }),
            "tool_batch" => self.batch(host, input, args),
            "llm_query" => self.llm_query(host, args),
            "llm_batch" => self.llm_batch(host, args),
            "FINAL" => self.final_answer(input, args),
            "FINAL_VAR" => self.final_var(input, args),
            TOOL_ERROR_CONVERTER => one_arg(name, args)
                .map(|caught| Reply::Value(self.objects.convert_caught(caught))),
            DENIED_IMPORT => one_arg(name, args).map(|module| {
                Reply::Raise(os_calls::missing_module(module.as_str().unwrap_or("?")))
            }),
            tool => {
                if self.tool(tool).is_some() {
                    self.call_tool_function(host, input, tool, args)
                } else {
                    Err(MontyException::new(
                        ExcType::NameError,
                        Some(format!("name '{tool}' is not defined")),
                    ))
                }
            }
        };
        result.unwrap_or_else(Reply::Raise)
    }

    /// `calc(expr="2^10")`: keywords are the arguments; positional ones fill the
    /// required parameters in order.
    fn call_tool_function(
        &mut self,
        host: &mut dyn Host,
        input: &mut Input,
        tool: &str,
        args: &CallArgs,
    ) -> Result<Reply, MontyException> {
        let positional: Vec<ObjectRef<'_>> = args.args().collect();
        let (parameters, required) = if positional.is_empty() {
            (Vec::new(), 0)
        } else {
            // Only positional arguments need the parameters: a tool the session started
            // without is described now (which loads it; calling it would anyway).
            match self.tool_details(host, tool) {
                Ok(d) => (d.parameters.clone(), d.required_parameters),
                Err(failure) => return Ok(Reply::Raise(self.tool_exception(tool, failure))),
            }
        };
        if positional.len() > required {
            let keywords = parameters
                .iter()
                .take(3)
                .map(|p| format!("{p}=..."))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(type_error(format!(
                "{tool}() takes {} positional argument{} and {} given; pass keyword \
                 arguments ({tool}({keywords})) — help({tool}) lists them",
                if required == 0 {
                    "no".to_owned()
                } else {
                    required.to_string()
                },
                if required == 1 { "" } else { "s" },
                positional.len()
            )));
        }
        let mut map = Map::new();
        for (value, param) in positional.into_iter().zip(&parameters) {
            map.insert(param.clone(), argument_json(tool, param, value)?);
        }
        for (key, value) in args.kwargs() {
            let key = key.as_str().unwrap_or_default().to_owned();
            if map.contains_key(&key) {
                return Err(type_error(format!(
                    "{tool}() got multiple values for argument '{key}'"
                )));
            }
            let json = argument_json(tool, &key, value)?;
            map.insert(key, json);
        }
        Ok(self.run_tool(host, input, tool, Value::Object(map)))
    }

    /// `TOOL(name, args=None, **kwargs)`.
    fn call_tool_by_name(
        &mut self,
        host: &mut dyn Host,
        input: &mut Input,
        args: &CallArgs,
    ) -> Result<Reply, MontyException> {
        let (name, arguments) = name_and_arguments("TOOL", args)?;
        Ok(self.run_tool(host, input, &name, arguments))
    }

    fn run_tool(
        &mut self,
        host: &mut dyn Host,
        input: &mut Input,
        tool: &str,
        arguments: Value,
    ) -> Reply {
        self.explored = true;
        if let Some(stop) = self.tool_call_limit(input, 1) {
            return stop;
        }
        match host.call_tool(tool, &arguments) {
            Ok(result) => Reply::Value(self.tool_value(tool, result)),
            Err(failure) => Reply::Raise(self.tool_exception(tool, failure)),
        }
    }

    /// A tool's result as Python sees it: its value, or its image(s) when it made any.
    fn tool_value(&mut self, tool: &str, result: ToolResult) -> MontyObject {
        let ToolResult { value, mut images } = result;
        match images.len() {
            0 => convert::to_python(&value),
            1 => self.objects.new_image(tool, images.remove(0)),
            _ => MontyObject::list(
                images
                    .into_iter()
                    .map(|image| self.objects.new_image(tool, image))
                    .collect::<Vec<_>>(),
            ),
        }
    }

    fn tool_exception(&mut self, tool: &str, mut failure: Failure) -> MontyException {
        failure.tool.get_or_insert_with(|| tool.to_owned());
        MontyException::new(
            TOOL_ERROR_EXC,
            Some(self.objects.tool_error_message(&failure)),
        )
    }

    /// `tool_batch([...])`: the calls run in parallel on the host; a failed entry gives
    /// `{"error": {"code", "message"}}` so the others' results are kept.
    fn batch(
        &mut self,
        host: &mut dyn Host,
        input: &mut Input,
        args: &CallArgs,
    ) -> Result<Reply, MontyException> {
        let list = one_arg("tool_batch", args)?;
        let Some(entries) = list.items() else {
            return Err(type_error(
                "tool_batch() takes a list of calls: {\"tool\": name, \"args\": {...}} or (name, args)",
            ));
        };
        let calls = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| batch_entry(i, *entry))
            .collect::<Result<Vec<_>, _>>()?;
        self.explored = true;
        if let Some(stop) = self.tool_call_limit(input, calls.len() as u64) {
            return Ok(stop);
        }
        let results = host.call_batch(&calls);
        let values: Vec<MontyObject> = calls
            .iter()
            .zip(results)
            .map(|((tool, _), result)| match result {
                Ok(result) => self.tool_value(tool, result),
                Err(f) => convert::to_python(
                    &json!({ "error": { "code": f.code, "message": f.message } }),
                ),
            })
            .collect();
        Ok(Reply::Value(MontyObject::list(values)))
    }

    /// `help(calc)`, `HELP("calc")`, `help()`: printed, as Python's help does.
    fn help(
        &mut self,
        host: &mut dyn Host,
        input: &mut Input,
        name: &str,
        args: &CallArgs,
    ) -> Result<Reply, MontyException> {
        use monty_types::PrintWriterCallback;
        self.explored = true;
        let target = match args.arg(0) {
            None if args.kwargs().len() == 0 => None,
            None => return Err(type_error(format!("{name}() takes a tool or its name"))),
            Some(arg) => Some(arg),
        };
        let text = match target.map(unstable::node) {
            None => OVERVIEW.to_owned(),
            Some(MontyNode::String(tool)) | Some(MontyNode::Function { name: tool, .. }) => {
                if let Some((f, doc)) = FUNCTIONS.iter().find(|(n, _)| n == tool) {
                    if doc.is_empty() {
                        format!("{f}: internal")
                    } else {
                        (*doc).to_owned()
                    }
                } else {
                    match host.help_text(tool) {
                        Ok(text) => text,
                        Err(failure) => return Err(self.tool_exception(tool, failure)),
                    }
                }
            }
            Some(_) => {
                let what = target.map(|t| t.type_name()).unwrap_or("value");
                format!(
                    "help() here describes tools (help(calc) or HELP(\"calc\")) and this \
                     session's functions (help(TOOL)); a {what} has no help. Call help() \
                     for an overview."
                )
            }
        };
        let _ = input.out.stdout_write(text.into());
        let _ = input.out.stdout_push('\n');
        Ok(Reply::Value(MontyObject::none()))
    }

    /// `SCRIPT(name, args=None, **kwargs)`: a registry script in a session of its own.
    fn script(
        &mut self,
        host: &mut dyn Host,
        input: &mut Input,
        args: &CallArgs,
    ) -> Result<Reply, MontyException> {
        let (name, arguments) = name_and_arguments("SCRIPT", args)?;
        self.explored = true;
        if let Some(stop) = self.tool_call_limit(input, 1) {
            return Ok(stop);
        }
        Ok(match host.run_script(&name, &arguments) {
            Ok(value) => Reply::Value(convert::to_python(&value)),
            Err(failure) => Reply::Raise(self.tool_exception(&name, failure)),
        })
    }

    fn llm_query(&mut self, host: &mut dyn Host, args: &CallArgs) -> Result<Reply, MontyException> {
        self.need_model("llm_query")?;
        let prompt = one_arg("llm_query", args)?;
        let Some(prompt) = prompt.as_str() else {
            return Err(type_error("llm_query() takes the prompt as a str"));
        };
        match host.llm_query(prompt) {
            Ok(text) => Ok(Reply::Value(MontyObject::string(text))),
            Err(message) => Err(MontyException::new(ExcType::RuntimeError, Some(message))),
        }
    }

    fn llm_batch(&mut self, host: &mut dyn Host, args: &CallArgs) -> Result<Reply, MontyException> {
        self.need_model("llm_batch")?;
        let list = one_arg("llm_batch", args)?;
        let prompts = list
            .items()
            .and_then(|items| {
                items
                    .iter()
                    .map(|p| p.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| type_error("llm_batch() takes a list of str prompts"))?;
        let answers = host.llm_batch(&prompts);
        Ok(Reply::Value(MontyObject::list(answers.into_iter().map(
            |answer| match answer {
                Ok(text) => MontyObject::string(text),
                Err(message) => convert::to_python(&json!({ "error": message })),
            },
        ))))
    }

    fn need_model(&self, name: &str) -> Result<(), MontyException> {
        if self.config.language_model {
            Ok(())
        } else {
            Err(MontyException::new(
                ExcType::RuntimeError,
                Some(format!(
                    "{name} needs a language model, and this session has none (it is \
                     available inside `toolhost agent`)"
                )),
            ))
        }
    }

    /// `FINAL(value)`: refused for no answer, or before exploring when that is required;
    /// otherwise the input ends here.
    fn final_answer(
        &mut self,
        input: &mut Input,
        args: &CallArgs,
    ) -> Result<Reply, MontyException> {
        let value = one_arg("FINAL", args)?;
        self.may_answer("FINAL")?;
        let owned = value.to_owned();
        if let Some(why) = refuse_empty(&owned, "FINAL(...)") {
            return Err(MontyException::new(ExcType::ValueError, Some(why)));
        }
        input.stop = Some(Stop::Final(convert::to_json_lenient(&owned)));
        Ok(Reply::Abort)
    }

    fn final_var(&mut self, input: &mut Input, args: &CallArgs) -> Result<Reply, MontyException> {
        let name = one_arg("FINAL_VAR", args)?;
        let Some(name) = name.as_str().filter(|n| crate::session::is_python_name(n)) else {
            return Err(type_error(
                "FINAL_VAR() takes the name of a global variable as a str: FINAL_VAR(\"result\")",
            ));
        };
        self.may_answer("FINAL_VAR")?;
        input.stop = Some(Stop::FinalVar(name.to_owned()));
        Ok(Reply::Abort)
    }

    fn may_answer(&self, call: &str) -> Result<(), MontyException> {
        if self.config.require_exploration_before_final && !self.explored {
            return Err(MontyException::new(
                ExcType::RuntimeError,
                Some(format!(
                    "{call} is refused: explore first — call a tool, TOOLS() or \
                     help(name) — and answer from what you found"
                )),
            ));
        }
        Ok(())
    }

    /// A method of a host object: `img.save(path)`; calling `Image(...)` itself.
    fn method(&mut self, host: &mut dyn Host, id: MontyUuid, name: &str, args: &CallArgs) -> Reply {
        let raise = |exc, msg: String| Reply::Raise(MontyException::new(exc, Some(msg)));
        if id == IMAGE_CLASS {
            return raise(
                ExcType::TypeError,
                "Image objects come from tools (plot_sixel with format=\"png\", say); they \
                 cannot be made here"
                    .to_owned(),
            );
        }
        match (self.objects.kind_of(id), name) {
            (Some(ObjectKind::Image), "save") => {
                let path = args.arg(0).or_else(|| args.kwarg("path"));
                let Some(path) = path.and_then(|p| p.as_str()) else {
                    return raise(
                        ExcType::TypeError,
                        "save() takes a file name: img.save(\"plot.png\")".to_owned(),
                    );
                };
                let Some(stored) = self.objects.image(id) else {
                    return Reply::Raise(image_forgotten());
                };
                match host.save_image(&stored.image.mime_type, &stored.image.data, path) {
                    Ok(written) => Reply::Value(MontyObject::string(written)),
                    Err(message) => raise(ExcType::PermissionError, message),
                }
            }
            (Some(kind), _) => raise(
                ExcType::AttributeError,
                format!(
                    "'{}' object has no attribute '{name}'",
                    if kind == ObjectKind::Image {
                        "Image"
                    } else {
                        "ToolError"
                    }
                ),
            ),
            (None, _) => raise(ExcType::AttributeError, format!("no attribute '{name}'")),
        }
    }
}

fn image_forgotten() -> MontyException {
    MontyException::new(
        ExcType::ValueError,
        Some(
            "this image's data is no longer held (a session keeps the most recent 64 MiB \
             of images); call the tool again"
                .to_owned(),
        ),
    )
}

fn type_error(message: impl Into<String>) -> MontyException {
    MontyException::new(ExcType::TypeError, Some(message.into()))
}

fn no_args(name: &str, args: &CallArgs) -> Result<(), MontyException> {
    if args.args().len() == 0 && args.kwargs().len() == 0 {
        Ok(())
    } else {
        Err(type_error(format!("{name}() takes no arguments")))
    }
}

fn one_arg<'a>(name: &str, args: &'a CallArgs) -> Result<ObjectRef<'a>, MontyException> {
    match (args.args().len(), args.kwargs().len()) {
        (1, 0) => Ok(args.arg(0).expect("one argument")),
        (n, k) => Err(type_error(format!(
            "{name}() takes exactly one argument ({} given)",
            n + k
        ))),
    }
}

/// `(name, args=None, **kwargs)`, as TOOL and SCRIPT take them.
fn name_and_arguments(call: &str, args: &CallArgs) -> Result<(String, Value), MontyException> {
    let mut positional = args.args();
    let Some(name) = positional.next().and_then(|n| n.as_str()) else {
        return Err(type_error(format!(
            "{call}() takes the name as a str first: {call}(\"calc\", {{\"expr\": \"1+1\"}})"
        )));
    };
    let mut map = match positional.next() {
        None => Map::new(),
        Some(dict) => match argument_json(call, "args", dict)? {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            _ => {
                return Err(type_error(format!(
                    "{call}() takes the arguments as a dict: {call}(\"{name}\", {{...}})"
                )));
            }
        },
    };
    if positional.next().is_some() {
        return Err(type_error(format!(
            "{call}() takes a name and one dict of arguments"
        )));
    }
    for (key, value) in args.kwargs() {
        let key = key.as_str().unwrap_or_default().to_owned();
        let json = argument_json(call, &key, value)?;
        map.insert(key, json);
    }
    Ok((name.to_owned(), Value::Object(map)))
}

/// One tool argument as JSON, or the `TypeError` naming it.
fn argument_json(call: &str, name: &str, value: ObjectRef<'_>) -> Result<Value, MontyException> {
    convert::to_json(value).map_err(|NotJson(why)| {
        type_error(format!(
            "{call}(): argument '{name}' cannot be passed to a tool: {why}"
        ))
    })
}

/// One `tool_batch` entry: `{"tool": name, "args": {...}}` or `(name, args)`.
fn batch_entry(i: usize, entry: ObjectRef<'_>) -> Result<(String, Value), MontyException> {
    let bad = || {
        type_error(format!(
            "tool_batch(): entry {i} is not a call; write {{\"tool\": name, \"args\": {{...}}}} \
             or (name, args)"
        ))
    };
    let (name, arguments) = if let Some(pairs) = entry.pairs() {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key.as_str() == Some(k))
                .map(|(_, v)| *v)
        };
        (
            get("tool").or_else(|| get("name")),
            get("args").or_else(|| get("arguments")),
        )
    } else if let Some(items) = entry.items() {
        match items.as_slice() {
            [name] => (Some(*name), None),
            [name, args] => (Some(*name), Some(*args)),
            _ => return Err(bad()),
        }
    } else {
        return Err(bad());
    };
    let name = name.and_then(|n| n.as_str()).ok_or_else(bad)?;
    let arguments = match arguments {
        None => json!({}),
        Some(a) => match argument_json("tool_batch", "args", a)? {
            Value::Null => json!({}),
            v @ Value::Object(_) => v,
            _ => return Err(bad()),
        },
    };
    Ok((name.to_owned(), arguments))
}
