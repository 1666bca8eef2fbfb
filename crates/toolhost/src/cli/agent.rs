//! `toolhost agent "task"` and `toolhost agent --replay FILE`.

use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use super::{Cli, ExitCode};
use crate::agent::{self, AgentConfig, Budget, ModelEndpoint, Prices, RetryPolicy, StopReason};
use crate::dispatch::Dispatcher;

#[derive(Args, Debug)]
pub struct AgentArgs {
    /// What to do, in plain words.
    #[arg(required_unless_present = "replay")]
    task: Option<String>,
    /// Re-run a recorded trajectory's code without any model and check the results match.
    #[arg(long, value_name = "FILE", conflicts_with = "task")]
    replay: Option<PathBuf>,
    /// OpenAI-compatible base URL (llama-server, Ollama, vLLM, OpenAI).
    #[arg(
        long,
        env = "TOOLHOST_LLM_BASE_URL",
        default_value = "http://127.0.0.1:8080/v1"
    )]
    base_url: String,
    /// Model name sent to the server.
    #[arg(long, env = "TOOLHOST_LLM_MODEL", default_value = "default")]
    model: String,
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
    #[arg(long, default_value_t = 20)]
    max_steps: u32,
    /// Stop when the run (sub-calls included) has used this many tokens.
    #[arg(long)]
    max_total_tokens: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long)]
    wall_time: Option<f64>,
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
    #[arg(long, default_value_t = 3)]
    escalate_after: u32,
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
    if args.max_cost.is_some() && args.price_prompt.is_none() {
        eprintln!(
            "toolhost agent: --max-cost needs the prices: give --price-prompt and --price-completion (dollars per million tokens)"
        );
        return ExitCode::Usage;
    }
    let stop = if args.no_stop {
        Vec::new()
    } else if args.stop.is_empty() {
        agent::default_stop()
    } else {
        args.stop.clone()
    };
    let primary = ModelEndpoint {
        base_url: args.base_url.clone(),
        model: args.model.clone(),
        api_key: api_key(),
        temperature: args.temperature,
        max_tokens: args.max_tokens,
        stop,
    };
    let escalation = args.escalate_model.as_ref().map(|model| {
        let mut stronger = primary.clone();
        stronger.model = model.clone();
        if let Some(url) = &args.escalate_base_url {
            stronger.base_url = url.clone();
        }
        (stronger, args.escalate_after.max(1))
    });
    // The run id is in the default name, so two runs in the same second never share a file.
    let run_id = agent::new_run_id();
    let trajectory = args.trajectory.clone().unwrap_or_else(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        PathBuf::from("toolhost-runs").join(format!("agent-{secs}-{run_id}.jsonl"))
    });
    let config = AgentConfig {
        primary,
        escalation,
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
            prices: args
                .price_prompt
                .zip(args.price_completion)
                .map(|(p, c)| Prices {
                    prompt_per_million: p,
                    completion_per_million: c,
                }),
        },
        require_exploration: args.require_exploration,
        max_depth: args.max_depth,
        output_budget: args.output_budget,
        trajectory: Some(trajectory.clone()),
        run_id: Some(run_id),
        python_limits: dispatcher.python_limits(),
        on_event: Some(agent::EventSink(std::sync::Arc::new(|event| match event {
            agent::AgentEvent::Escalated { from, to, reason } => {
                eprintln!("toolhost agent: switching from {from} to {to} after {reason}")
            }
        }))),
    };
    let report = match agent::run(&task, config, dispatcher).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("toolhost agent: {e}");
            return ExitCode::Host;
        }
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
    match report.stop_reason {
        StopReason::Final => ExitCode::Ok,
        StopReason::Backend(_) => ExitCode::Host,
        _ => ExitCode::ToolFailed,
    }
}

async fn replay(cli: &Cli, file: &std::path::Path, dispatcher: Dispatcher) -> ExitCode {
    let report = match agent::replay(file, dispatcher).await {
        Ok(r) => r,
        Err(e @ agent::ReplayError::Read(_)) => {
            eprintln!("toolhost agent: cannot replay: {e}");
            return ExitCode::Usage;
        }
        Err(e) => {
            eprintln!("toolhost agent: replay failed: {e}");
            return ExitCode::Host;
        }
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
