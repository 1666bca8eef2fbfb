//! `toolhost view TRAJECTORY.jsonl`: the run as one self-contained HTML page.

use clap::Args;
use std::path::{Path, PathBuf};

use super::ExitCode;
use crate::agent;
use crate::dispatch::Dispatcher;
use crate::view::{self, ViewError};

#[derive(Args, Debug)]
pub struct ViewArgs {
    /// The JSONL trajectory an agent run wrote.
    trajectory: PathBuf,
    /// Where to write the page [default: the trajectory's path with `.html`].
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Open the page in the default browser.
    #[arg(long)]
    open: bool,
    /// Re-run the trajectory's code first (as `agent --replay`) and show the mismatches.
    #[arg(long)]
    pub replay: bool,
}

/// `dispatcher` is there exactly when `--replay` asks for one.
pub async fn view(args: &ViewArgs, dispatcher: Option<Dispatcher>) -> ExitCode {
    let mismatches = match dispatcher {
        Some(d) => match agent::replay(&args.trajectory, d).await {
            Ok(report) => report.mismatches,
            Err(e) => {
                eprintln!(
                    "toolhost view: cannot replay {}: {e}",
                    args.trajectory.display()
                );
                return ExitCode::Usage;
            }
        },
        None => Vec::new(),
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| view::default_page_path(&args.trajectory));
    if let Err(code) = write(&args.trajectory, &out, &mismatches) {
        return code;
    }
    println!("{}", out.display());
    if args.open
        && let Err(e) = opener::open(&out)
    {
        eprintln!(
            "toolhost view: wrote {} but cannot open it: {e}",
            out.display()
        );
        return ExitCode::Host;
    }
    ExitCode::Ok
}

/// Write the page and say what went wrong in the user's terms.
pub fn write(trajectory: &Path, out: &Path, mismatches: &[String]) -> Result<(), ExitCode> {
    view::write_page(trajectory, out, mismatches).map_err(|e| {
        eprintln!("toolhost view: {e}");
        match e {
            ViewError::Read { .. } | ViewError::NoRun { .. } => ExitCode::Usage,
            ViewError::Render(_) | ViewError::Write { .. } => ExitCode::Host,
        }
    })
}
