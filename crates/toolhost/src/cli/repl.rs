//! `toolhost repl` (interactive, or `-e CODE`) and `toolhost script FILE.rhai`.

use clap::Args;
use std::path::PathBuf;

use rustyline::error::ReadlineError;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Completer, Editor, Helper, Highlighter, Hinter};

use super::ExitCode;
use crate::dispatch::Dispatcher;
use crate::repl::{self, EvalOutcome, ReplOptions, ReplSession};

#[derive(Args, Debug)]
pub struct ReplArgs {
    /// Run this code and exit (the exit code says whether it failed).
    #[arg(short = 'e', long = "eval", value_name = "CODE")]
    code: Option<String>,
}

#[derive(Args, Debug)]
pub struct ScriptArgs {
    /// The Rhai script to run.
    file: PathBuf,
}

/// Keeps reading lines while the input is unfinished (an open brace, bracket or string).
#[derive(Completer, Helper, Highlighter, Hinter)]
struct MultiLine;

impl Validator for MultiLine {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if repl::is_incomplete(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

fn report(outcome: &EvalOutcome, show_value: bool) -> bool {
    if let Some(v) = &outcome.final_value {
        println!("FINAL: {v}");
    }
    if let (true, Some(value)) = (show_value, &outcome.value) {
        println!("{value}");
    }
    if let Some(e) = &outcome.error {
        eprintln!("error: {e}");
        return false;
    }
    true
}

fn new_session(dispatcher: Dispatcher) -> ReplSession {
    let options = ReplOptions {
        echo_output: true,
        ..ReplOptions::default()
    };
    ReplSession::new(dispatcher, tokio::runtime::Handle::current(), options)
}

pub async fn repl(args: &ReplArgs, dispatcher: Dispatcher) -> ExitCode {
    let code = args.code.clone();
    let handle = tokio::runtime::Handle::current();
    // Evaluation blocks on tool calls, so it runs on a blocking thread.
    let outcome = tokio::task::spawn_blocking(move || {
        let _enter = handle.enter();
        let mut session = new_session(dispatcher);
        match code {
            Some(code) => {
                if report(&session.eval(&code), true) {
                    ExitCode::Ok
                } else {
                    ExitCode::ToolFailed
                }
            }
            None => interactive(&mut session),
        }
    })
    .await;
    outcome.unwrap_or(ExitCode::Host)
}

pub async fn script(args: &ScriptArgs, dispatcher: Dispatcher) -> ExitCode {
    let code = match std::fs::read_to_string(&args.file) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("toolhost: cannot read {}: {e}", args.file.display());
            return ExitCode::Usage;
        }
    };
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let _enter = handle.enter();
        let mut session = new_session(dispatcher);
        if report(&session.eval(&code), false) {
            ExitCode::Ok
        } else {
            ExitCode::ToolFailed
        }
    })
    .await
    .unwrap_or(ExitCode::Host)
}

fn history_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "toolhost", "toolhost")
        .map(|d| d.data_dir().join("repl_history"))
}

fn interactive(session: &mut ReplSession) -> ExitCode {
    let mut editor: Editor<MultiLine, _> = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("toolhost: cannot start the line editor: {e}");
            return ExitCode::Host;
        }
    };
    editor.set_helper(Some(MultiLine));
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "toolhost repl — Rhai with TOOL(name, #{{...}}), TOOL_BATCH([...]), TOOLS(), HELP(name).\n\
         Variables and functions persist. Ctrl-D to leave."
    );
    loop {
        match editor.readline("toolhost> ") {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => {
                let _ = editor.add_history_entry(line.as_str());
                let outcome = session.eval(&line);
                if let (None, Some(v)) = (&outcome.error, &outcome.value) {
                    println!("=> {v}");
                }
                report(&outcome, false);
            }
            // Ctrl-C abandons the line being typed, as in a shell.
            Err(ReadlineError::Interrupted) => continue,
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
