//! `toolhost run TOOL [JSON | -] [--arg key=value]...`

use clap::Args;
use serde_json::{Map, Value};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::out_file::{OutFormat, request_format};
use super::progress::ProgressDisplay;
use super::terminal::{is_plain_sixel, printable};
use super::{Cli, ExitCode, report_error};
use crate::code_mode;
use crate::dispatch::Dispatcher;
use crate::error::{ErrorCode, ToolError};
use crate::graphics::{self, ImageProtocol, ProtocolChoice, iterm_png, kitty_png};
use crate::output::{Content, ToolOutput};
use crate::repl::save_private;

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
    /// Save the tool's image here, in the format the extension names (.png or .svg): the
    /// tool is asked for that format. A second image goes to FILE-2, and so on.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    images: ImageProtocolArg,
    /// Also print the tool's log records and captured stdout/stderr (to stderr).
    #[arg(long, short = 'v')]
    verbose: bool,
}

/// `--image-protocol`, shared by `run` and `repl`.
#[derive(Args, Debug, Clone, Copy)]
pub struct ImageProtocolArg {
    /// How to draw images on this terminal: sixel, kitty, iterm, none (save a PNG and print
    /// its path), or auto (known terminals by their environment, else ask the terminal).
    #[arg(
        long = "image-protocol",
        value_enum,
        env = "TOOLHOST_IMAGE_PROTOCOL",
        default_value = "auto",
        value_name = "PROTOCOL"
    )]
    pub protocol: ProtocolChoice,
}

pub async fn run(cli: &Cli, dispatcher: &Dispatcher, args: &RunArgs) -> ExitCode {
    let mut input = match build_input(args) {
        Ok(v) => v,
        Err(message) => {
            return report_error(
                cli,
                &ToolError::new(ErrorCode::InvalidInput, message).for_tool(&args.tool),
            );
        }
    };
    let code_mode =
        args.tool == code_mode::RUN_NAME && dispatcher.registry().get(&args.tool).is_none();
    let out_format = match &args.out {
        None => None,
        Some(path) => match OutFormat::from_path(path) {
            Ok(format) => Some(format),
            Err(message) => return usage_error(cli, &args.tool, &message),
        },
    };
    // Pictures go where they can be seen: `--out`'s format, else the terminal's protocol.
    let on_terminal = !cli.json && args.out.is_none();
    if !code_mode && (out_format.is_some() || on_terminal) {
        let schema = match dispatcher.describe(&args.tool).await {
            Ok(d) => d.input_schema,
            Err(e) => return report_error(cli, &e),
        };
        if let Some(format) = out_format
            && let Err(message) = request_format(&args.tool, &schema, &mut input, format)
        {
            return usage_error(cli, &args.tool, &message);
        }
        if on_terminal {
            prefer_png_unless_sixel(&schema, &mut input, args.images.protocol);
        }
    }
    let progress =
        (!cli.json && std::io::stderr().is_terminal()).then(|| Arc::new(ProgressDisplay::new()));
    let observer = progress
        .clone()
        .map(|p| p as Arc<dyn crate::dispatch::CallObserver>);
    let result = if code_mode {
        run_code(dispatcher, &input).await
    } else {
        dispatcher.call_observed(&args.tool, input, observer).await
    };
    if let Some(p) = &progress {
        p.finish();
    }
    match result {
        Ok(output) => match print_output(cli, args, out_format, &output) {
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
        .python_session(code_mode::options(dispatcher))
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

/// A command-line mistake found before the call: exit 2, in JSON with `--json`.
fn usage_error(cli: &Cli, tool: &str, message: &str) -> ExitCode {
    if cli.json {
        println!(
            "{}",
            serde_json::json!({ "ok": false, "error": { "code": "usage", "tool": tool, "message": message } })
        );
    } else {
        eprintln!("error[usage]: {message}");
        eprintln!("  tool: {tool}");
    }
    ExitCode::Usage
}

/// A tool drawing terminal graphics by default (sixel, with PNG on offer) is asked for a
/// PNG when the terminal does not speak sixel: kitty and iTerm2 draw PNGs, and with no
/// protocol the PNG is saved. An input naming its own format is left alone.
fn prefer_png_unless_sixel(schema: &Value, input: &mut Value, choice: ProtocolChoice) {
    // The terminal is asked only when a picture is on its way.
    if crate::pictures::offers_png_and_sixel(schema)
        && input.get("format").is_none()
        && graphics::resolve(choice) != ImageProtocol::Sixel
    {
        crate::pictures::prefer_png(schema, input, &[]);
    }
}

fn print_output(
    cli: &Cli,
    args: &RunArgs,
    out_format: Option<OutFormat>,
    output: &ToolOutput,
) -> std::io::Result<()> {
    let saved = save_images(args, out_format, output)?;
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
    let has_image = output
        .content
        .iter()
        .any(|c| matches!(c, Content::Image { .. }));
    // Asked only when there is a picture to show.
    let has_graphics = output
        .content
        .iter()
        .any(|c| matches!(c, Content::Image { .. } | Content::Sixel { .. }));
    let protocol = if has_graphics && args.out.is_none() {
        graphics::resolve(args.images.protocol)
    } else {
        ImageProtocol::None
    };
    let has_shown_sixel = protocol == ImageProtocol::Sixel
        && output
            .content
            .iter()
            .any(|c| matches!(c, Content::Sixel { sixel } if is_plain_sixel(sixel)));
    for item in &output.content {
        match item {
            Content::Text { text } => writeln!(stdout, "{}", shown(text))?,
            Content::Json { .. } if has_text => {}
            Content::Json { json } => writeln!(
                stdout,
                "{}",
                serde_json::to_string_pretty(json).map_err(std::io::Error::other)?
            )?,
            Content::Image { .. } if args.out.is_some() => {}
            Content::Image { mime_type, data } => match (protocol, mime_type.as_str()) {
                (ImageProtocol::Kitty, "image/png") => stdout.write_all(&kitty_png(data))?,
                (ImageProtocol::Iterm, "image/png") => stdout.write_all(&iterm_png(data))?,
                // Drawn as sixel already: the PNG of `format: both` need not be saved too.
                (ImageProtocol::Sixel, _) if has_shown_sixel => {}
                _ => match save_private(mime_type, data) {
                    Ok(path) => eprintln!("[{mime_type} image saved to {}]", path.display()),
                    Err(e) => {
                        eprintln!("[{mime_type} image, {} bytes, not saved: {e}]", data.len())
                    }
                },
            },
            Content::Sixel { sixel } => {
                if protocol == ImageProtocol::Sixel && is_plain_sixel(sixel) {
                    write!(stdout, "{sixel}")?;
                } else if protocol == ImageProtocol::Sixel {
                    eprintln!(
                        "[sixel graphics not shown: the item holds other terminal control \
                         sequences]"
                    );
                } else if !has_image {
                    eprintln!(
                        "[sixel graphics, {} bytes, not shown: this terminal does not draw \
                         sixel (see --image-protocol); --out FILE.png saves a PNG]",
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

/// Write the output's images of `--out`'s format; an output without one is an error, so
/// `--out` never exits 0 having written nothing.
fn save_images(
    args: &RunArgs,
    out_format: Option<OutFormat>,
    output: &ToolOutput,
) -> std::io::Result<Vec<String>> {
    let (Some(out), Some(format)) = (&args.out, out_format) else {
        return Ok(Vec::new());
    };
    let images: Vec<&Vec<u8>> = output
        .content
        .iter()
        .filter_map(|c| match c {
            Content::Image { mime_type, data } if mime_type == format.mime_type() => Some(data),
            _ => None,
        })
        .collect();
    if images.is_empty() {
        return Err(std::io::Error::other(format!(
            "--out {}: `{}` returned no {} image, so nothing was written",
            out.display(),
            args.tool,
            format.name()
        )));
    }
    let mut saved = Vec::new();
    for (i, data) in images.into_iter().enumerate() {
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
