//! The `toolhost` command line. Everything goes through [`Dispatcher`]; nothing here knows
//! about wasmtime.

mod add;
mod agent;
mod bench;
mod bench_tail;
mod build;
mod check;
mod compile_progress;
mod exit;
#[cfg(test)]
mod help_text_tests;
mod inspect;
mod mcp;
mod mcp_auth;
mod mcp_replica;
mod new;
mod out_file;
mod pin;
mod progress;
mod publish;
mod repl;
mod run;
mod run_script;
mod summary;
pub(crate) mod terminal;
mod token;
mod view;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

use crate::dispatch::{Dispatcher, DispatcherOptions, RemoteComponents};
use crate::error::ToolError;
use crate::registry::{self, RegistryError, ToolRegistry};
pub use exit::ExitCode;

const EXAMPLES: &str = "\
Examples:
  toolhost list
  toolhost describe calc
  toolhost run calc '{\"expr\": \"2^10 + sqrt(2)\"}'
  toolhost run ./word_count.wasm '{\"text\": \"a b\"}'   # a component by path: default limits, no grants
  toolhost run calc --arg expr='x^2 + 1' --arg vars='{\"x\": 3}'
  echo '{\"text\": \"hi\"}' | toolhost run echo -
  toolhost check tool_registry.yaml
  toolhost bench
  toolhost mcp                      # MCP over stdio; --http [ADDR] for Streamable HTTP
  toolhost mcp --tools calc,plot_sixel   # offer only these (--exclude-tools to hide some)
  toolhost token new ci --tools calc     # a bearer token for `mcp --http 0.0.0.0:8765 --auth-tokens toolhost-tokens.yaml`
  toolhost pin word_count           # after a rebuild: write its new sha256 into the registry
  toolhost publish word_count oci://ghcr.io/me/word-count:1.0 --sign cosign.key
  toolhost add oci://ghcr.io/me/word-count:1.0 --key cosign.pub   # pinned by digest, cached
  toolhost add https://example.org/tool.wasm --sha256 HEX          # a plain URL, pinned
  toolhost repl -e 'calc(expr=\"6*7\")[\"value\"]'
  toolhost repl analysis.py         # run a Python file as the REPL would
  toolhost run python '{\"code\": \"print(calc(expr=\\\"2^10\\\"))\"}'   # code mode
  toolhost run-script summarize '{\"xs\": [1, 2, 3]}'   # a script listed in the registry
  toolhost new word_count           # scaffold a tool crate; --register REGISTRY builds and adds it
  toolhost build word_count         # component for wasm32-wasip2: path, sha256, registry entry
  toolhost agent --base-url http://127.0.0.1:8080/v1 \"integrate x^2 from 0 to 3\"
  toolhost view toolhost-runs/agent-….jsonl --open   # the run as an HTML page

Exit codes: 0 ok, 1 host or registry error, 2 usage (or unknown tool),
            3 invalid input, 4 the tool failed (tool_error, trap, timeout, out_of_memory,
            output_too_large, denied, remote_error; a script failed; `build`: the crate did
            not compile), 5 busy or unavailable (every sandbox slot stayed taken, or the MCP
            server or OCI registry it comes from is unreachable: try again),
            6 `agent --wall-time` ran out (work in flight was cancelled).";

#[derive(Parser, Debug)]
#[command(name = "toolhost", version, about = "Run computational tools, written as WebAssembly components, in a sandbox", after_help = EXAMPLES)]
pub struct Cli {
    /// Registry file [default: ./tool_registry.yaml if present, else the built-in registry].
    #[arg(long, global = true, value_name = "PATH")]
    registry: Option<PathBuf>,
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    json: bool,
    /// Directory for compiled components [default: $TOOLHOST_CACHE_DIR or the user cache dir].
    #[arg(long, global = true, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile components in memory only.
    #[arg(long, global = true)]
    no_cache: bool,
    /// Log lines on stderr as text, or as JSON objects (one per line, with the request id,
    /// MCP session id and trace id of the request they belong to) for a log collector.
    #[arg(long, global = true, value_enum, value_name = "FORMAT", default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the tools: name, version, summary.
    List,
    /// Show a tool's description, input schema, examples, limits and grants.
    Describe {
        /// A tool or script of the registry, or a component file (`./tool.wasm`).
        tool: String,
    },
    /// Run a tool once.
    Run(run::RunArgs),
    /// Validate a registry and load every component in it.
    Check {
        /// Registry to check [default: as for --registry].
        registry: Option<PathBuf>,
    },
    /// Measure per-call overhead and cold-start time.
    Bench(bench::BenchArgs),
    /// Serve the tools to MCP clients over stdio (or Streamable HTTP with --http).
    Mcp(mcp::McpArgs),
    /// Interactive Python REPL whose functions are the tools; `-e CODE` or FILE.py runs code and exits.
    Repl(repl::ReplArgs),
    /// Run a script listed in the registry's `scripts:` (as the REPL's SCRIPT would).
    RunScript(run_script::RunScriptArgs),
    /// Scaffold a new tool crate (Rust, with the toolhost SDK).
    New(new::NewArgs),
    /// Build a tool crate into a component (wasm32-wasip2, size profile): path and sha256.
    Build(build::BuildArgs),
    /// Write components' current sha256 into the registry's pins (after a rebuild),
    /// keeping the file's comments and layout.
    Pin(pin::PinArgs),
    /// Let a language model solve a task by writing REPL code until it calls FINAL.
    Agent(Box<agent::AgentArgs>),
    /// Render an agent run's trajectory as one self-contained HTML page.
    View(view::ViewArgs),
    /// Bearer tokens for `mcp --http --auth-tokens FILE`.
    Token(token::TokenArgs),
    /// Add a tool from an OCI registry (oci://HOST/REPO:TAG) or a URL (--sha256): cached,
    /// pinned by digest, checked to load, written into the registry.
    Add(add::AddArgs),
    /// Push a tool (or a component file) to an OCI registry, optionally signed (--sign).
    Publish(publish::PublishArgs),
}

/// Parse arguments, run, and return the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::Usage as i32
            } else {
                0
            };
        }
    };
    init_logging(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("toolhost: cannot start the async runtime: {e}");
            return ExitCode::Host as i32;
        }
    };
    let code = runtime.block_on(dispatch_command(cli)) as i32;
    // Work a command abandoned (an agent stopped by --wall-time mid-compile) must not hold
    // the exit: wait for blocking tasks only briefly.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    code
}

/// The library reports through `tracing`; the CLI shows toolhost's own events on stderr
/// (`TOOLHOST_LOG` filters, e.g. `TOOLHOST_LOG=debug`, or `rmcp=info` for the protocol
/// library's), never on stdout, which may be a protocol.
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("TOOLHOST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,toolhost=info"));
    if format == LogFormat::Json {
        // Every line carries the fields of the spans it happened in (the request's id,
        // MCP session and trace), flattened into one object.
        let _ = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(std::io::stderr)
            .log_internal_errors(false)
            .with_env_filter(filter)
            .with_target(true)
            .try_init();
        return;
    }
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // Its own report of a failed write is an eprintln!, which panics once stderr is
        // closed (a client that stopped reading): a lost log line must not end a request.
        .log_internal_errors(false)
        .with_env_filter(filter)
        .without_time()
        .with_target(false)
        .try_init();
}

/// The component file a `run`, `describe` or `bench` names instead of a tool: a name with
/// a `/` or ending in `.wasm` (tool names have neither).
fn component_path(command: &Command) -> Option<PathBuf> {
    let tool = match command {
        Command::Run(args) => Some(args.tool.as_str()),
        Command::Describe { tool } => Some(tool.as_str()),
        Command::Bench(args) => args.tool.as_deref(),
        Command::Publish(args) => Some(args.tool.as_str()),
        _ => None,
    }?;
    (tool.contains('/') || tool.ends_with(".wasm")).then(|| PathBuf::from(tool))
}

/// Points the command at `name`, the tool the component file became.
fn rename_tool(command: &mut Command, name: &str) {
    match command {
        Command::Run(args) => args.tool = name.to_owned(),
        Command::Describe { tool } => *tool = name.to_owned(),
        Command::Bench(args) => args.tool = Some(name.to_owned()),
        Command::Publish(args) => args.tool = name.to_owned(),
        _ => {}
    }
}

async fn dispatch_command(mut cli: Cli) -> ExitCode {
    // Writing tools needs no registry: a broken ./tool_registry.yaml must not stop it.
    match &cli.command {
        Command::New(args) => return new::new(&cli, args).await,
        Command::Build(args) => return build::build(&cli, args).await,
        Command::View(args) if !args.replay => return view::view(args, None).await,
        // Adding edits (or creates) the registry file itself.
        Command::Add(args) => return add::add(&cli, args).await,
        _ => {}
    }
    let registry_path = match &cli.command {
        Command::Check { registry: Some(p) } => Some(p.clone()),
        _ => cli.registry.clone(),
    };
    let component = component_path(&cli.command);
    let registry_file = match component {
        Some(_) => None,
        None => resolve_registry_file(registry_path),
    };
    let registry = match (&component, &registry_file) {
        (Some(path), _) => ToolRegistry::for_component(path).map(|(registry, name)| {
            if let Command::Bench(args) = &mut cli.command {
                args.component = Some(path.clone());
            }
            rename_tool(&mut cli.command, &name);
            registry
        }),
        (None, Some(path)) => registry::load_file(path),
        (None, None) => Ok(ToolRegistry::builtin()),
    };
    let registry = match registry {
        Ok(r) => r,
        Err(e) => return report_registry_error(&cli, &e),
    };
    if let Command::Pin(args) = &cli.command {
        return pin::pin(&cli, &registry, args).await;
    }
    let options = dispatcher_options(&cli);
    let dispatcher = match Dispatcher::new(registry, options.clone()) {
        Ok(d) => d,
        Err(e) => return report_error(&cli, &e),
    };
    match &cli.command {
        Command::List => inspect::list(&cli, &dispatcher).await,
        Command::Describe { tool } => inspect::describe(&cli, &dispatcher, tool).await,
        Command::Run(args) => run::run(&cli, &dispatcher, args).await,
        Command::Check { .. } => check::check(&cli, &dispatcher).await,
        Command::Bench(args) => bench::bench(&cli, &dispatcher, args).await,
        Command::Mcp(args) => mcp::mcp(args, dispatcher, options, registry_file).await,
        Command::Repl(args) => repl::repl(args, dispatcher).await,
        Command::RunScript(args) => run_script::run_script(&cli, dispatcher, args).await,
        Command::New(args) => new::new(&cli, args).await,
        Command::Build(args) => build::build(&cli, args).await,
        Command::Pin(args) => pin::pin(&cli, dispatcher.registry(), args).await,
        Command::Agent(args) => agent::agent(&cli, args, dispatcher).await,
        Command::View(args) => view::view(args, Some(dispatcher)).await,
        Command::Token(args) => token::token(&cli, args, &dispatcher).await,
        Command::Add(args) => add::add(&cli, args).await,
        Command::Publish(args) => publish::publish(&cli, &dispatcher, args).await,
    }
}

fn dispatcher_options(cli: &Cli) -> DispatcherOptions {
    DispatcherOptions {
        compile_watcher: compile_progress::watcher(),
        remote_components: add::remote_store(cli)
            .map(|store| std::sync::Arc::new(store) as std::sync::Arc<dyn RemoteComponents>),
        ..DispatcherOptions::from_flags(cli.cache_dir.clone(), cli.no_cache)
    }
}

/// `--registry`, else `./tool_registry.yaml` if present; `None` means the built-in registry.
fn resolve_registry_file(path: Option<PathBuf>) -> Option<PathBuf> {
    path.or_else(|| {
        let local = PathBuf::from(registry::DEFAULT_FILE_NAME);
        local.is_file().then_some(local)
    })
}

fn report_registry_error(cli: &Cli, e: &RegistryError) -> ExitCode {
    if cli.json {
        let problems: Vec<serde_json::Value> = e
            .problems
            .iter()
            .map(|p| {
                serde_json::json!({
                    "file": p.file.as_ref().map(|f| f.display().to_string()),
                    "line": p.position.map(|x| x.line),
                    "column": p.position.map(|x| x.column),
                    "message": p.message,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({ "ok": false, "error": { "code": "registry", "problems": problems } })
        );
    } else {
        for p in &e.problems {
            eprintln!("error[registry]: {p}");
        }
    }
    ExitCode::Host
}

pub(crate) fn report_error(cli: &Cli, e: &ToolError) -> ExitCode {
    if cli.json {
        println!("{}", serde_json::json!({ "ok": false, "error": e }));
    } else {
        // A tool's error message and logs are its text: shown, not obeyed, on a terminal.
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let shown = |text: &str| -> String {
            if terminal {
                terminal::printable(text).into_owned()
            } else {
                text.to_owned()
            }
        };
        eprintln!("error[{}]: {}", e.code, shown(&e.message));
        if let Some(tool) = &e.tool {
            eprintln!("  tool: {tool}");
        }
        for record in &e.logs {
            eprintln!(
                "  {:?} {:?}: {}",
                record.source,
                record.level,
                shown(&record.message)
            );
        }
    }
    ExitCode::for_error(e.code)
}
