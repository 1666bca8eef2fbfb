//! `toolhost view TRAJECTORY.jsonl`: the run as one self-contained HTML page.

use clap::Args;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ExitCode;
use crate::agent;
use crate::dispatch::Dispatcher;
use crate::view::{self, ViewError};

#[derive(Args, Debug)]
pub struct ViewArgs {
    /// The JSONL trajectory an agent run wrote.
    trajectory: PathBuf,
    /// Where to write the page [default: the trajectory's path with `.html`].
    #[arg(long, short, value_name = "FILE", conflicts_with = "live")]
    out: Option<PathBuf>,
    /// Open the page in the default browser.
    #[arg(long)]
    open: bool,
    /// Re-run the trajectory's code first (as `agent --replay`) and show the mismatches.
    #[arg(long, conflicts_with = "live")]
    pub replay: bool,
    #[command(flatten)]
    live: LiveArg,
}

/// `--live[=ADDR]`, shared by `view` and `agent`.
#[derive(Args, Debug, Clone, Copy)]
pub struct LiveArg {
    /// Serve the page on loopback (default 127.0.0.1, a free port; `--live=ADDR` names
    /// one) and keep it up to date while the trajectory grows: `view` until interrupted,
    /// `agent` (where it implies --view) while the run goes on.
    #[arg(
        long,
        value_name = "ADDR",
        num_args = 0..=1,
        default_missing_value = "127.0.0.1:0",
        require_equals = true
    )]
    pub live: Option<SocketAddr>,
}

/// Start the live page's server, or say why not; `addr` must be loopback, since the page
/// shows everything the run saw.
pub async fn start_live(
    who: &str,
    trajectory: &Path,
    addr: SocketAddr,
) -> Result<view::LiveServer, ExitCode> {
    if !addr.ip().is_loopback() {
        eprintln!(
            "toolhost {who}: --live serves the run's page on loopback only, not on {addr}: it \
             shows everything the run saw"
        );
        return Err(ExitCode::Usage);
    }
    view::LiveServer::start(trajectory.to_owned(), addr)
        .await
        .map_err(|e| {
            eprintln!("toolhost {who}: cannot serve the live page on {addr}: {e}");
            ExitCode::Host
        })
}

/// `dispatcher` is there exactly when `--replay` asks for one.
pub async fn view(args: &ViewArgs, dispatcher: Option<Dispatcher>) -> ExitCode {
    if let Some(addr) = args.live.live {
        return serve_live(args, addr).await;
    }
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

/// `--live`: serve until interrupted.
async fn serve_live(args: &ViewArgs, addr: SocketAddr) -> ExitCode {
    let server = match start_live("view", &args.trajectory, addr).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    println!("{}", server.url());
    eprintln!(
        "toolhost view: following {} at {} (Ctrl-C stops)",
        args.trajectory.display(),
        server.url()
    );
    if args.open
        && let Err(e) = opener::open(server.url())
    {
        eprintln!("toolhost view: cannot open {}: {e}", server.url());
    }
    let _ = tokio::signal::ctrl_c().await;
    server.stop(Duration::ZERO).await;
    ExitCode::Ok
}
