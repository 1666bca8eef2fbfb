//! 1 replica against 3 behind HAProxy: throughput and latency (p50, p99) of tools/call at
//! concurrency 32, on loopback. `cargo bench -p toolhost --bench scale` (needs `haproxy`).
//!
//! Two workloads: `light` (calc and echo alternating: per-request overhead of HTTP,
//! HAProxy and MCP dominates) and `mixed` (the same with one ~0.5 s mcmc run in 125
//! calls: CPU-bound work dominates). Each is run three times per setup; the median run
//! is reported with all three.

#[path = "../../../tests/scale/client.rs"]
mod client;
#[path = "../../../tests/scale/cluster.rs"]
mod cluster;
#[path = "../../../tests/common/mod.rs"]
mod common;

use client::McpHttp;
use cluster::{Haproxy, REGISTRY, Replica};
use common::{TestRegistry, shared_cache_dir};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 32;
const CALLS: u64 = 2000;
const RUNS: usize = 3;

#[derive(Clone, Copy)]
enum Workload {
    Light,
    Mixed,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Light => "light (calc, echo)",
            Workload::Mixed => "mixed (+1/125 mcmc 0.5 s)",
        }
    }

    fn call(self, i: u64) -> (&'static str, serde_json::Value) {
        match self {
            Workload::Mixed if i.is_multiple_of(125) => (
                "mcmc",
                json!({"log_density": "-x^2/2", "parameters": ["x"], "chains": 1,
                       "draws": 150000, "warmup": 150000, "seed": i}),
            ),
            _ if i.is_multiple_of(2) => ("calc", json!({"expr": format!("{i}+1")})),
            _ => ("echo", json!({"text": format!("call {i}")})),
        }
    }
}

struct Run {
    calls_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn run(url: &str, workload: Workload, calls: u64) -> Run {
    let mcp = McpHttp::new(url);
    let mut sessions = Vec::new();
    for _ in 0..CONCURRENCY {
        sessions.push(mcp.initialize().await.expect("initialize").0);
    }
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = sessions
        .into_iter()
        .map(|session| {
            let (mcp, next) = (mcp.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::AcqRel);
                    if i >= calls {
                        return latencies;
                    }
                    let (tool, args) = workload.call(i);
                    let t = Instant::now();
                    let a = mcp
                        .call(&session, i + 1, tool, args, Duration::from_secs(120))
                        .await
                        .unwrap_or_else(|e| panic!("{tool}: {e:?}"));
                    assert_eq!(a.result["isError"], false, "{}", a.result);
                    latencies.push(t.elapsed().as_secs_f64() * 1e3);
                }
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Run {
        calls_per_second: calls as f64 / elapsed,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let reg = TestRegistry::new(REGISTRY);
    println!(
        "tools/call through HAProxy, {CALLS} calls at concurrency {CONCURRENCY}, {} cores, median of {RUNS} runs",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<10} {:<28} {:>10} {:>9} {:>9}   runs (calls/s)",
        "replicas", "workload", "calls/s", "p50 ms", "p99 ms"
    );
    for replicas in [1usize, 3] {
        let mut started = Vec::new();
        for i in 0..replicas {
            let r =
                Replica::start(&format!("r{}", i + 1), &reg.path, &shared_cache_dir(), &[]).await;
            r.wait_ready().await;
            started.push(r);
        }
        let haproxy = Haproxy::start(&started.iter().collect::<Vec<_>>()).await;
        // Warm: connections, sessions' first calls, instance pool slots.
        run(&haproxy.url, Workload::Light, 300).await;
        for workload in [Workload::Light, Workload::Mixed] {
            let mut runs = Vec::new();
            for _ in 0..RUNS {
                runs.push(run(&haproxy.url, workload, CALLS).await);
            }
            let all: Vec<String> = runs
                .iter()
                .map(|r| format!("{:.0}", r.calls_per_second))
                .collect();
            runs.sort_by(|a, b| a.calls_per_second.total_cmp(&b.calls_per_second));
            let median = &runs[RUNS / 2];
            println!(
                "{:<10} {:<28} {:>10.0} {:>9.1} {:>9.1}   {}",
                replicas,
                workload.name(),
                median.calls_per_second,
                median.p50_ms,
                median.p99_ms,
                all.join(", ")
            );
        }
        drop(haproxy);
        drop(started);
    }
}
