//! `toolhost run TOOL [JSON | -] [--arg key=value]...`

use clap::Args;
use serde_json::{Map, Value};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::progress::ProgressDisplay;
use super::terminal::{is_plain_sixel, printable};
use super::{Cli, ExitCode, report_error};
use crate::code_mode;
use crate::dispatch::Dispatcher;
use crate::error::{ErrorCode, ToolError};
use crate::output::{Content, ToolOutput};

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The tool to run, or a component file (`./tool.wasm`: default limits, no grants).
    pub(super) tool: String,
    /// Input as a JSON object, `@FILE` to read it from a file, or `-` to read it from stdin
    /// [default: {}].
    input: Option<String>,
    /// Set one input field; VALUE is parsed as JSON when it parses, else taken as a string.
    #[arg(long = "arg", short = 'a', value_name = "KEY=VALUE")]
    args: Vec<String>,
    /// Save image content here (a second image goes to FILE-2, and so on).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Also print the tool's log records and captured stdout/stderr (to stderr).
    #[arg(long, short = 'v')]
    verbose: bool,
}

pub async fn run(cli: &Cli, dispatcher: &Dispatcher, args: &RunArgs) -> ExitCode {
    let input = match build_input(args) {
        Ok(v) => v,
        Err(message) => {
            return report_error(
                cli,
                &ToolError::new(ErrorCode::InvalidInput, message).for_tool(&args.tool),
            );
        }
    };
    let progress =
        (!cli.json && std::io::stderr().is_terminal()).then(|| Arc::new(ProgressDisplay::new()));
    let observer = progress
        .clone()
        .map(|p| p as Arc<dyn crate::dispatch::CallObserver>);
    let code_mode =
        args.tool == code_mode::RUN_NAME && dispatcher.registry().get(&args.tool).is_none();
    let result = if code_mode {
        run_code(dispatcher, &input).await
    } else {
        dispatcher.call_observed(&args.tool, input, observer).await
    };
    if let Some(p) = &progress {
        p.finish();
    }
    match result {
        Ok(output) => match print_output(cli, args, &output) {
            Ok(()) => ExitCode::Ok,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::Host
            }
        },
        Err(e) => report_error(cli, &e),
    }
}

/// Code mode: the snippet in a fresh Python session.
async fn run_code(dispatcher: &Dispatcher, input: &Value) -> Result<ToolOutput, ToolError> {
    let code = code_mode::code_argument(input)?;
    let mut session = dispatcher
        .python_session(dispatcher.python_options())
        .await?;
    code_mode::run(&mut session, &code).await
}

fn build_input(args: &RunArgs) -> Result<Value, String> {
    let mut input = match args.input.as_deref() {
        None => Value::Object(Map::new()),
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("cannot read the input from stdin: {e}"))?;
            parse_object(&text, "stdin")?
        }
        Some(arg) if arg.starts_with('@') => {
            let path = &arg[1..];
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the input from `{path}`: {e}"))?;
            parse_object(&text, path)?
        }
        Some(text) => parse_object(text, "the input argument")?,
    };
    let map = input.as_object_mut().expect("parse_object returns objects");
    for arg in &args.args {
        let (key, value) = arg
            .split_once('=')
            .ok_or_else(|| format!("--arg `{arg}` is not KEY=VALUE"))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        map.insert(key.to_owned(), value);
    }
    Ok(input)
}

fn parse_object(text: &str, from: &str) -> Result<Value, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("{from} is not valid JSON: {e}"))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(format!(
            "{from} must be a JSON object such as {{\"expr\": \"1+1\"}}"
        ))
    }
}

fn print_output(cli: &Cli, args: &RunArgs, output: &ToolOutput) -> std::io::Result<()> {
    let saved = save_images(args, output)?;
    if cli.json {
        let mut value = serde_json::to_value(output).map_err(std::io::Error::other)?;
        value["ok"] = Value::Bool(true);
        if !saved.is_empty() {
            value["saved"] = serde_json::json!(saved);
        }
        println!("{value}");
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    let terminal = std::io::stdout().is_terminal();
    // What the tool wrote is shown, not obeyed: no escape sequences reach a terminal.
    let shown = |text: &'_ str| -> String {
        if terminal {
            printable(text).into_owned()
        } else {
            text.to_owned()
        }
    };
    // Text items are written for people and JSON items for programs: a person sees the
    // text when there is any, and `--json` gives programs everything.
    let has_text = output
        .content
        .iter()
        .any(|c| matches!(c, Content::Text { .. }));
    for item in &output.content {
        match item {
            Content::Text { text } => writeln!(stdout, "{}", shown(text))?,
            Content::Json { .. } if has_text => {}
            Content::Json { json } => writeln!(
                stdout,
                "{}",
                serde_json::to_string_pretty(json).map_err(std::io::Error::other)?
            )?,
            Content::Image { mime_type, data } => {
                if args.out.is_none() {
                    eprintln!(
                        "[{mime_type} image, {} bytes: use --out FILE to save it]",
                        data.len()
                    );
                }
            }
            Content::Sixel { sixel } => {
                if terminal && is_plain_sixel(sixel) {
                    write!(stdout, "{sixel}")?;
                } else if terminal {
                    eprintln!(
                        "[sixel graphics not shown: the item holds other terminal control \
                         sequences]"
                    );
                } else {
                    eprintln!(
                        "[sixel graphics, {} bytes: shown only when stdout is a terminal]",
                        sixel.len()
                    );
                }
            }
        }
    }
    for path in saved {
        eprintln!("saved {path}");
    }
    if args.verbose {
        let terminal = std::io::stderr().is_terminal();
        for r in &output.logs {
            let message = if terminal {
                printable(&r.message)
            } else {
                r.message.as_str().into()
            };
            eprintln!("[{:?} {:?}] {message}", r.source, r.level);
        }
        eprintln!("[{} µs]", output.duration.as_micros());
    }
    Ok(())
}

fn save_images(args: &RunArgs, output: &ToolOutput) -> std::io::Result<Vec<String>> {
    let Some(out) = &args.out else {
        return Ok(Vec::new());
    };
    let mut saved = Vec::new();
    for (i, data) in output
        .content
        .iter()
        .filter_map(|c| match c {
            Content::Image { data, .. } => Some(data),
            _ => None,
        })
        .enumerate()
    {
        let path = if i == 0 {
            out.clone()
        } else {
            let stem = out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let ext = out
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default();
            out.with_file_name(format!("{stem}-{}{ext}", i + 1))
        };
        std::fs::write(&path, data)?;
        saved.push(path.display().to_string());
    }
    Ok(saved)
}
