//! `toolhost bench`: the host's own overheads, measured the way users meet them.
//! - per call: a trivial tool (`echo`) called back to back on one thread, a fresh sandbox
//!   each time; p50/p99 latency and calls per second, and what the slowest calls met
//!   (bench_tail.rs);
//! - cold process: `toolhost run` as a whole new process with a warm compile cache: `calc`
//!   on 2+2, or the tool and input given.

use clap::Args;
use serde_json::json;
use std::time::{Duration, Instant};

use super::bench_tail::{self, CallSample, MachineReference, ThreadUsage};
use super::{Cli, ExitCode, report_error};
use crate::dispatch::Dispatcher;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Calls for the per-call measurement.
    #[arg(long, default_value_t = 20_000)]
    calls: usize,
    /// Whole-process runs for the cold-start measurement (0 skips it).
    #[arg(long, default_value_t = 30)]
    processes: usize,
    /// Tool for both measurements (needs an input `{"text": ...}` or give --input). Without
    /// it, the per-call measurement calls `echo` and the cold-start one runs `calc` on 2+2.
    #[arg(long)]
    pub(super) tool: Option<String>,
    /// The component file `--tool` named, for the cold-start runs.
    #[arg(skip)]
    pub(super) component: Option<std::path::PathBuf>,
    /// Input for the per-call measurement: JSON, `@FILE` to read it from a file, or `-` for
    /// standard input (inputs too long for a command line, such as a 10,000-point plot).
    #[arg(long, default_value = r#"{"text":"hi"}"#)]
    input: String,
    /// Untimed calls first: load the tool, fill the compile cache, touch the pooling slots.
    #[arg(long, default_value_t = 200)]
    warmup: usize,
}

fn read_input(arg: &str) -> Result<serde_json::Value, String> {
    let text = if arg == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| format!("reading stdin: {e}"))?
    } else if let Some(path) = arg.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| format!("reading `{path}`: {e}"))?
    } else {
        arg.to_owned()
    };
    serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))
}

pub(super) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub(super) fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

pub async fn bench(cli: &Cli, dispatcher: &Dispatcher, args: &BenchArgs) -> ExitCode {
    let tool = args.tool.as_deref().unwrap_or("echo");
    let input = match read_input(&args.input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("--input: {e}");
            return ExitCode::Usage;
        }
    };
    for _ in 0..args.warmup.max(1) {
        if let Err(e) = dispatcher.call(tool, input.clone()).await {
            return report_error(cli, &e);
        }
    }
    let mut samples = Vec::with_capacity(args.calls);
    let mut busy = Duration::ZERO;
    for _ in 0..args.calls {
        let input = input.clone();
        let before = ThreadUsage::now();
        let t = Instant::now();
        if let Err(e) = dispatcher.call(tool, input).await {
            return report_error(cli, &e);
        }
        let latency = t.elapsed();
        samples.push(CallSample::new(latency, before, ThreadUsage::now()));
        busy += latency;
    }
    let mut latencies: Vec<Duration> = samples.iter().map(|s| s.latency).collect();
    latencies.sort();
    let per_call = json!({
        "tool": tool,
        "calls": args.calls,
        "p50_us": micros(percentile(&latencies, 0.50)),
        "p99_us": micros(percentile(&latencies, 0.99)),
        "calls_per_s": args.calls as f64 / busy.as_secs_f64(),
        "allocator": format!("{:?}", dispatcher.allocator()),
        "tail": bench_tail::attribute(&samples),
        "machine": MachineReference::measure(percentile(&latencies, 0.5), args.calls),
    });

    let cold = if args.processes > 0 {
        match &args.tool {
            Some(tool) => {
                let tool = match &args.component {
                    Some(path) => path.display().to_string(),
                    None => tool.clone(),
                };
                cold_process(cli, args.processes, &tool, &input)
            }
            None => cold_process(cli, args.processes, "calc", &json!({ "expr": "2+2" })),
        }
    } else {
        Ok(json!(null))
    };
    let cold = match cold {
        Ok(v) => v,
        Err(e) => {
            eprintln!("cold-process measurement failed: {e}");
            return ExitCode::Host;
        }
    };
    if cli.json {
        println!("{}", json!({ "per_call": per_call, "cold_process": cold }));
    } else {
        println!(
            "per call ({} x {}, fresh sandbox each, {} allocator):\n  p50 {:.1} µs   p99 {:.1} µs   {:.0} calls/s on one thread",
            per_call["calls"],
            tool,
            per_call["allocator"].as_str().unwrap_or(""),
            per_call["p50_us"].as_f64().unwrap_or(0.0),
            per_call["p99_us"].as_f64().unwrap_or(0.0),
            per_call["calls_per_s"].as_f64().unwrap_or(0.0),
        );
        println!(
            "{}",
            bench_tail::describe(&per_call["tail"], &per_call["machine"])
        );
        if !cold.is_null() {
            println!(
                "cold process (`toolhost run {}`, warm compile cache, {} runs):\n  median {:.1} ms   p90 {:.1} ms   min {:.1} ms",
                cold["tool"].as_str().unwrap_or(""),
                cold["runs"],
                cold["median_ms"].as_f64().unwrap_or(0.0),
                cold["p90_ms"].as_f64().unwrap_or(0.0),
                cold["min_ms"].as_f64().unwrap_or(0.0),
            );
        }
    }
    ExitCode::Ok
}

/// Time whole `toolhost run TOOL` processes, the input on stdin. The first run fills the
/// compile cache.
fn cold_process(
    cli: &Cli,
    runs: usize,
    tool: &str,
    input: &serde_json::Value,
) -> std::io::Result<serde_json::Value> {
    use std::io::Write;
    let exe = std::env::current_exe()?;
    let input = input.to_string();
    let run = || -> std::io::Result<std::process::ExitStatus> {
        let mut c = std::process::Command::new(&exe);
        if let Some(r) = &cli.registry {
            c.arg("--registry").arg(r);
        }
        if let Some(d) = &cli.cache_dir {
            c.arg("--cache-dir").arg(d);
        }
        c.args(["run", tool, "-"]);
        c.stdin(std::process::Stdio::piped());
        c.stdout(std::process::Stdio::null());
        let mut child = c.spawn()?;
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes())?;
        child.wait()
    };
    let status = run()?;
    if !status.success() {
        return Err(std::io::Error::other(format!(
            "`toolhost run {tool}` failed: {status}"
        )));
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        run()?;
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    Ok(json!({
        "tool": tool,
        "runs": runs,
        "median_ms": ms(percentile(&times, 0.5)),
        "p90_ms": ms(percentile(&times, 0.9)),
        "min_ms": ms(times[0]),
    }))
}
