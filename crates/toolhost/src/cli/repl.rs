//! `toolhost repl`: the interactive Python REPL; `-e CODE` and `toolhost repl FILE.py`
//! run code and exit (exit code 0, or 4 when the code failed).

use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper, Highlighter, Hinter};
use tokio::sync::Mutex;

use super::ExitCode;
use super::terminal::printable;
use crate::dispatch::Dispatcher;
use crate::graphics::{self, ImageProtocol, ProtocolChoice};
use crate::repl::{Catalogue, EvalOutcome, ImageSink, PngPreference, PythonOptions, PythonSession};

#[derive(Args, Debug)]
pub struct ReplArgs {
    /// A Python file to run instead of reading input interactively.
    file: Option<PathBuf>,
    /// Run this code and exit (the exit code says whether it failed).
    #[arg(
        short = 'e',
        long = "eval",
        value_name = "CODE",
        conflicts_with = "file"
    )]
    code: Option<String>,
    #[command(flatten)]
    images: super::run::ImageProtocolArg,
}

/// The line editor's helper: a block goes on until it is complete (an open bracket, or a
/// block statement until an empty line, as in CPython's REPL); Tab completes tool names
/// and, inside a call, its keyword arguments.
#[derive(Helper, Highlighter, Hinter)]
struct PythonLines {
    session: Arc<Mutex<PythonSession>>,
    catalogue: Catalogue,
    runtime: tokio::runtime::Handle,
}

impl Validator for PythonLines {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        let input = ctx.input().to_owned();
        // As in CPython, an empty line ends a block: whatever is wrong with it then is
        // for the interpreter to report.
        if input.contains('\n')
            && input
                .rsplit('\n')
                .next()
                .is_some_and(|l| l.trim().is_empty())
        {
            return Ok(ValidationResult::Valid(None));
        }
        let session = self.session.clone();
        let more = self
            .runtime
            .block_on(async move { session.lock().await.needs_more_input(&input).await });
        Ok(if more {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

impl Completer for PythonLines {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, words) = self.catalogue.complete(line, pos);
        Ok((
            start,
            words
                .into_iter()
                .map(|w| Pair {
                    display: w.clone(),
                    replacement: w,
                })
                .collect(),
        ))
    }
}

/// `text` as shown on `stream`: on a terminal, without escape sequences (what Python
/// prints may be a tool's text, which a terminal would otherwise obey).
fn shown(text: &str, stream: &impl std::io::IsTerminal) -> String {
    if stream.is_terminal() {
        printable(text).into_owned()
    } else {
        text.to_owned()
    }
}

/// Print what an input did; false when it failed.
fn report(outcome: &EvalOutcome, images: ImageSink) -> bool {
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    if !outcome.output.is_empty() {
        print!("{}", shown(&outcome.output, &stdout));
        if !outcome.output.ends_with('\n') {
            println!();
        }
    }
    for (_, note) in images.handle(&outcome.images) {
        if !note.is_empty() {
            println!("{note}");
        }
    }
    if outcome.images_dropped > 0 {
        eprintln!(
            "note: {} more images were not kept (an input keeps 64 MiB of images)",
            outcome.images_dropped
        );
    }
    if let Some(v) = &outcome.final_value {
        println!("FINAL: {}", shown(&v.to_string(), &stdout));
    }
    if outcome.session_restarted {
        eprintln!("note: the interpreter was restarted; earlier variables are gone");
    }
    match &outcome.error {
        Some(e) => {
            eprintln!("{}: {}", e.kind, shown(&e.message, &stderr));
            false
        }
        None => {
            if let Some(value) = &outcome.value {
                println!("{}", shown(value, &stdout));
            }
            true
        }
    }
}

fn options(dispatcher: &Dispatcher, images: ProtocolChoice) -> PythonOptions {
    PythonOptions {
        // `Image.save(name)` writes into the directory the user runs the REPL from.
        image_dir: std::env::current_dir().ok(),
        // kitty and iTerm2 draw PNGs, and with no protocol the PNG is saved.
        prefer_png: PngPreference::Decide(Arc::new(move || {
            graphics::resolve(images) != ImageProtocol::Sixel
        })),
        ..dispatcher.python_options()
    }
}

pub async fn repl(args: &ReplArgs, dispatcher: Dispatcher) -> ExitCode {
    let code = match (&args.code, &args.file) {
        (Some(code), _) => Some(code.clone()),
        (None, Some(file)) => match std::fs::read_to_string(file) {
            Ok(code) => Some(code),
            Err(e) => {
                eprintln!("toolhost: cannot read {}: {e}", file.display());
                return ExitCode::Usage;
            }
        },
        (None, None) => None,
    };
    let mut session = match dispatcher
        .python_session(options(&dispatcher, args.images.protocol))
        .await
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error[{}]: {}", e.code, e.message);
            return ExitCode::for_error(e.code);
        }
    };
    let sink = ImageSink::Terminal(args.images.protocol);
    if let Some(code) = code {
        let outcome = session.eval(&code).await;
        return if report(&outcome, sink) {
            ExitCode::Ok
        } else {
            ExitCode::ToolFailed
        };
    }
    let catalogue = Catalogue::new(
        session
            .tool_names()
            .into_iter()
            .map(|t| {
                let params = session.parameter_names(&t);
                (t, params)
            })
            .collect(),
    );
    let session = Arc::new(Mutex::new(session));
    let runtime = tokio::runtime::Handle::current();
    // The line editor blocks; it runs on a thread of its own and drives the session
    // through the runtime.
    tokio::task::spawn_blocking(move || interactive(session, catalogue, runtime, sink))
        .await
        .unwrap_or(ExitCode::Host)
}

fn history_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "toolhost", "toolhost")
        .map(|d| d.data_dir().join("python_history"))
}

fn interactive(
    session: Arc<Mutex<PythonSession>>,
    catalogue: Catalogue,
    runtime: tokio::runtime::Handle,
    sink: ImageSink,
) -> ExitCode {
    let config = rustyline::Config::builder()
        .completion_type(rustyline::CompletionType::List)
        .auto_add_history(false)
        .build();
    let mut editor: Editor<PythonLines, _> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("toolhost: cannot start the line editor: {e}");
            return ExitCode::Host;
        }
    };
    editor.set_helper(Some(PythonLines {
        session: session.clone(),
        catalogue,
        runtime: runtime.clone(),
    }));
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "toolhost repl — Python (Monty) in a sandbox. Tools are functions: calc(expr=\"2^10\").\n\
         TOOLS() lists them, help(calc) explains one. Tab completes. Ctrl-D to leave."
    );
    loop {
        match editor.readline(">>> ") {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => {
                let _ = editor.add_history_entry(line.as_str());
                let session = session.clone();
                let outcome =
                    runtime.block_on(async move { session.lock().await.eval(&line).await });
                report(&outcome, sink);
            }
            // Ctrl-C abandons the input being typed, as in CPython.
            Err(ReadlineError::Interrupted) => {
                println!("KeyboardInterrupt");
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("toolhost: {e}");
                break;
            }
        }
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(h);
    }
    ExitCode::Ok
}
