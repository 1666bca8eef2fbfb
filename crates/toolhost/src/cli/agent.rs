//! `toolhost agent "task"` and `toolhost agent --replay FILE`.

use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use super::{Cli, ExitCode};
use crate::agent::{
    self, AgentConfig, AgentEvent, Budget, EscalationFlags, Prices, ProgressView, Protocol,
    RetryPolicy, RolePrices, RootFlags, StopReason,
};
use crate::dispatch::Dispatcher;

/// Named in `toolhost agent --help`: a key is never a flag, so it stays out of shell history.
const AGENT_ENVIRONMENT: &str = "\
Environment:
  TOOLHOST_LLM_API_KEY   the model server's API key (sent as a bearer token)
  OPENAI_API_KEY         used when TOOLHOST_LLM_API_KEY is not set
  TOOLHOST_LLM_BASE_URL  as --base-url
  TOOLHOST_LLM_MODEL     as --model
  --escalate-api-key-env names the variable holding the escalation model's key.";

#[derive(Args, Debug)]
#[command(after_help = AGENT_ENVIRONMENT)]
pub struct AgentArgs {
    /// What to do, in plain words.
    #[arg(required_unless_present = "replay")]
    task: Option<String>,
    /// Re-run a recorded trajectory's code without any model and check the results match.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["task", "live"])]
    replay: Option<PathBuf>,
    /// OpenAI-compatible base URL (llama-server, Ollama, vLLM, OpenAI) [default: the root
    /// role's, else http://127.0.0.1:8080/v1].
    #[arg(long, env = "TOOLHOST_LLM_BASE_URL")]
    base_url: Option<String>,
    /// Model name sent to the server [default: the root role's, else "default"].
    #[arg(long, env = "TOOLHOST_LLM_MODEL")]
    model: Option<String>,
    /// Model roles (root, sub_query, escalation) from this YAML file instead of the
    /// registry's `agent:` section; flags override the root.
    #[arg(long, value_name = "FILE")]
    agent_config: Option<PathBuf>,
    /// Sampling temperature sent to the model [default: the root role's, else the server's].
    #[arg(long)]
    temperature: Option<f64>,
    /// Completion tokens per model call.
    #[arg(long)]
    max_tokens: Option<u32>,
    /// Stop sequences [default: none: a closing-fence stop would also match a bare
    /// opening fence; only the first code block of a reply runs anyway].
    #[arg(long = "stop")]
    stop: Vec<String>,
    /// Send no stop sequences at all (the default unless --stop is given).
    #[arg(long, conflicts_with = "stop")]
    no_stop: bool,
    /// Seconds before a model request is abandoned (and retried).
    #[arg(long, default_value_t = 120.0)]
    request_timeout: f64,
    /// Retries for timeouts, connection errors, 429 and 5xx.
    #[arg(long, default_value_t = 4)]
    max_retries: u32,
    /// Stop after this many model replies (steps) without a FINAL.
    #[arg(long, default_value_t = 20)]
    max_steps: u32,
    /// Stop when the run (sub-calls included) has used this many tokens.
    #[arg(long)]
    max_total_tokens: Option<u64>,
    /// Stop after this many seconds, cancelling whatever is in flight (exit code 6).
    #[arg(long)]
    wall_time: Option<f64>,
    /// Tokens of context every request must fit in [default: what the server reports for
    /// the model, else 32768].
    #[arg(long, value_parser = clap::value_parser!(u32).range(256..))]
    context_tokens: Option<u32>,
    /// Stop when the cost reaches this many dollars (needs the prices).
    #[arg(long)]
    max_cost: Option<f64>,
    /// Dollars per million prompt tokens.
    #[arg(long, requires = "price_completion")]
    price_prompt: Option<f64>,
    /// Dollars per million completion tokens.
    #[arg(long, requires = "price_prompt")]
    price_completion: Option<f64>,
    /// A stronger model that takes over after --escalate-after failed steps in a row.
    #[arg(long)]
    escalate_model: Option<String>,
    /// Base URL of the stronger model [default: --base-url].
    #[arg(long)]
    escalate_base_url: Option<String>,
    /// The NAME of the environment variable holding the stronger model's API key [default:
    /// the root's key when both ask the same server, else none].
    #[arg(long, value_name = "VAR")]
    escalate_api_key_env: Option<String>,
    /// Failed steps in a row before the escalation model takes over [default: the agent
    /// config's, else 3].
    #[arg(long)]
    escalate_after: Option<u32>,
    /// Refuse FINAL until the code has called a tool or explored.
    #[arg(long)]
    require_exploration: bool,
    /// How deep llm_query may nest (0 disables it).
    #[arg(long, default_value_t = 1)]
    max_depth: u32,
    /// Characters of output fed back to the model per step.
    #[arg(long, default_value_t = 4000)]
    output_budget: usize,
    /// Where to write the trajectory [default: toolhost-runs/agent-<time>-<run id>.jsonl].
    #[arg(long, value_name = "FILE")]
    trajectory: Option<PathBuf>,
    /// How the model hands over code: fenced ```python blocks, or calls of a `python`
    /// function offered through the request's `tools` field (native tool calling).
    #[arg(long, value_enum, default_value_t = ProtocolArg::Fences)]
    protocol: ProtocolArg,
    /// Ask for whole replies instead of streamed ones (SSE); servers that refuse
    /// streaming get whole-reply requests anyway.
    #[arg(long)]
    no_stream: bool,
    /// Show progress on stderr (step, tokens, tool calls, a spinner): when stderr is a
    /// terminal (auto), always, or never.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    progress: ProgressArg,
    /// No progress display (same as --progress never).
    #[arg(long, short)]
    quiet: bool,
    /// At the end, write the run's page (`toolhost view`) next to the trajectory and print
    /// its path on stderr.
    #[arg(long, conflicts_with = "replay")]
    view: bool,
    #[command(flatten)]
    live: super::view::LiveArg,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ProtocolArg {
    Fences,
    Tools,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
enum ProgressArg {
    Auto,
    Always,
    Never,
}

/// An agent that could not run: a JSON error on stdout with `--json`, else a line on stderr.
fn fail(cli: &Cli, code: ExitCode, message: &str) -> ExitCode {
    if cli.json {
        let kind = if code == ExitCode::Usage {
            "usage"
        } else {
            "agent"
        };
        println!(
            "{}",
            serde_json::json!({ "ok": false, "error": { "code": kind, "message": message } })
        );
    } else {
        for line in message.lines() {
            eprintln!("toolhost agent: {line}");
        }
    }
    code
}

fn api_key() -> Option<String> {
    std::env::var("TOOLHOST_LLM_API_KEY")
        .or_else(|_| std::env::var("OPENAI_API_KEY"))
        .ok()
}

pub async fn agent(cli: &Cli, args: &AgentArgs, dispatcher: Dispatcher) -> ExitCode {
    if let Some(file) = &args.replay {
        return replay(cli, file, dispatcher).await;
    }
    let task = args.task.clone().unwrap_or_default();
    if let Some(w) = args.wall_time
        && !(w.is_finite() && w > 0.0)
    {
        return fail(
            cli,
            ExitCode::Usage,
            &format!("--wall-time must be a positive number of seconds, not {w}"),
        );
    }
    let file_roles = match &args.agent_config {
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    return fail(
                        cli,
                        ExitCode::Usage,
                        &format!("cannot read --agent-config {}: {e}", path.display()),
                    );
                }
            };
            match crate::registry::parse_agent_config(&text, path) {
                Ok(s) => s,
                Err(e) => {
                    let problems: Vec<String> = e.problems.iter().map(|p| p.to_string()).collect();
                    return fail(cli, ExitCode::Usage, &problems.join("\n"));
                }
            }
        }
        None => dispatcher.registry().agent.clone(),
    };
    let stop = if args.no_stop {
        Vec::new()
    } else if args.stop.is_empty() {
        agent::default_stop()
    } else {
        args.stop.clone()
    };
    let root_flags = RootFlags {
        base_url: args.base_url.clone(),
        model: args.model.clone(),
        api_key: api_key(),
        temperature: args.temperature,
        max_tokens: args.max_tokens,
        prices: args
            .price_prompt
            .zip(args.price_completion)
            .map(|(p, c)| Prices {
                prompt_per_million: p,
                completion_per_million: c,
            }),
    };
    let escalation_flags = EscalationFlags {
        model: args.escalate_model.clone(),
        base_url: args.escalate_base_url.clone(),
        api_key_env: args.escalate_api_key_env.clone(),
        after: args.escalate_after,
    };
    let roles = match agent::resolve_roles(&file_roles, root_flags, escalation_flags, stop, |v| {
        std::env::var(v).ok()
    }) {
        Ok(r) => r,
        Err(e) => return fail(cli, ExitCode::Usage, &e.to_string()),
    };
    if args.max_cost.is_some() && roles.root_prices.is_none() {
        return fail(
            cli,
            ExitCode::Usage,
            "--max-cost needs the prices: give --price-prompt and --price-completion (dollars per million tokens), or `prices` for the root role in the agent config",
        );
    }
    // The run id is in the default name, so two runs in the same second never share a file.
    let run_id = agent::new_run_id();
    let trajectory = args.trajectory.clone().unwrap_or_else(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        PathBuf::from("toolhost-runs").join(format!("agent-{secs}-{run_id}.jsonl"))
    });
    let live = match args.live.live {
        Some(addr) => match super::view::start_live("agent", &trajectory, addr).await {
            Ok(server) => {
                eprintln!("toolhost agent: live page: {}", server.url());
                Some(server)
            }
            Err(code) => return code,
        },
        None => None,
    };
    let progress = if args.quiet {
        ProgressArg::Never
    } else {
        args.progress
    };
    let view = match progress {
        ProgressArg::Never => None,
        ProgressArg::Auto => Some(ProgressView::new(false)).filter(|v| !v.is_hidden()),
        ProgressArg::Always => Some(ProgressView::new(true)),
    }
    .map(std::sync::Arc::new);
    let config = AgentConfig {
        primary: roles.root,
        escalation: roles
            .escalation
            .as_ref()
            .map(|(e, after, _)| (e.clone(), *after)),
        sub_query: roles.sub_query.as_ref().map(|(e, _)| e.clone()),
        role_prices: RolePrices {
            sub_query: roles.sub_query.as_ref().and_then(|(_, p)| *p),
            escalation: roles.escalation.as_ref().and_then(|(_, _, p)| *p),
        },
        context_tokens: args.context_tokens,
        retry: RetryPolicy {
            request_timeout: Duration::from_secs_f64(args.request_timeout.max(0.001)),
            max_retries: args.max_retries,
            ..RetryPolicy::default()
        },
        budget: Budget {
            max_steps: args.max_steps,
            max_total_tokens: args.max_total_tokens,
            wall_time: args.wall_time.map(Duration::from_secs_f64),
            max_cost: args.max_cost,
            prices: roles.root_prices,
        },
        require_exploration: args.require_exploration,
        max_depth: args.max_depth,
        output_budget: args.output_budget,
        trajectory: Some(trajectory.clone()),
        run_id: Some(run_id),
        python_limits: dispatcher.python_limits(),
        on_event: Some(agent::EventSink(std::sync::Arc::new({
            let view = view.clone();
            move |event| match (&view, event) {
                (Some(view), _) => view.show(event),
                (None, AgentEvent::Escalated { from, to, reason }) => {
                    eprintln!("toolhost agent: switching from {from} to {to} after {reason}")
                }
                (None, _) => {}
            }
        }))),
        protocol: match args.protocol {
            ProtocolArg::Fences => Protocol::Fences,
            ProtocolArg::Tools => Protocol::Tools,
        },
        stream: !args.no_stream,
    };
    let report = agent::run(&task, config, dispatcher).await;
    if let Some(view) = &view {
        view.finish();
    }
    let report = match report {
        Ok(r) => r,
        Err(e) => return fail(cli, ExitCode::Host, &e.to_string()),
    };
    if let Some(e) = &report.trajectory_error {
        eprintln!(
            "toolhost agent: warning: {e}; {} is incomplete",
            trajectory.display()
        );
    }
    if cli.json {
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else if let Some(v) = &report.final_value {
        match v {
            // The answer may quote a tool's text: shown, not obeyed, on a terminal.
            serde_json::Value::String(s) if std::io::stdout().is_terminal() => {
                println!("{}", super::terminal::printable(s))
            }
            serde_json::Value::String(s) => println!("{s}"),
            other => println!("{other}"),
        }
    }
    let u = report.usage;
    if let Some(what) = &report.interrupted {
        eprintln!(
            "toolhost agent: the wall-time budget ran out after {:.2} s, while {what}; everything in flight was cancelled",
            report.elapsed_ms / 1e3
        );
    }
    eprintln!(
        "toolhost agent: stopped because {} after {} steps; {} model calls, tokens: {} prompt + {} completion = {}{}; trajectory: {}",
        report.stop_reason,
        report.steps,
        report.calls.len(),
        u.prompt_tokens,
        u.completion_tokens,
        u.total_tokens,
        report
            .cost
            .map(|c| format!("; cost ${c:.4}"))
            .unwrap_or_default(),
        trajectory.display()
    );
    if args.view || live.is_some() {
        let page = crate::view::default_page_path(&trajectory);
        if super::view::write(&trajectory, &page, &[]).is_ok() {
            eprintln!("toolhost agent: page: {}", page.display());
        }
    }
    if let Some(server) = live {
        // Open pages fetch the end record before the server goes.
        server.stop(Duration::from_secs(1)).await;
    }
    match report.stop_reason {
        StopReason::Final => ExitCode::Ok,
        StopReason::Backend(_) => ExitCode::Host,
        StopReason::WallTime => ExitCode::WallTime,
        _ => ExitCode::ToolFailed,
    }
}

async fn replay(cli: &Cli, file: &std::path::Path, dispatcher: Dispatcher) -> ExitCode {
    let report = match agent::replay(file, dispatcher).await {
        Ok(r) => r,
        Err(e @ agent::ReplayError::Read(_)) => {
            return fail(cli, ExitCode::Usage, &format!("cannot replay: {e}"));
        }
        Err(e) => return fail(cli, ExitCode::Host, &format!("replay failed: {e}")),
    };
    if cli.json {
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        println!(
            "replayed {} steps of {}, {} tool calls checked: {}",
            report.steps_replayed,
            report.run_id,
            report.tool_calls_checked,
            if report.matches() {
                "all match"
            } else {
                "MISMATCH"
            }
        );
        for m in &report.mismatches {
            println!("  {m}");
        }
    }
    if report.matches() {
        ExitCode::Ok
    } else {
        ExitCode::ToolFailed
    }
}
