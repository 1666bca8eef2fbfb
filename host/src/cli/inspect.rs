//! `toolhost list` and `toolhost describe TOOL`.

use serde_json::json;

use super::{Cli, ExitCode, report_error};
use crate::dispatch::{Dispatcher, ToolDescription};

pub async fn list(cli: &Cli, dispatcher: &Dispatcher) -> ExitCode {
    let all = dispatcher.describe_all().await;
    let mut failed = false;
    if cli.json {
        let tools: Vec<_> = all
            .iter()
            .map(|(name, r)| match r {
                Ok(d) => json!({ "name": d.name, "version": d.version, "summary": d.summary() }),
                Err(e) => {
                    failed = true;
                    json!({ "name": name, "error": e })
                }
            })
            .collect();
        println!("{}", json!({ "ok": !failed, "tools": tools }));
    } else {
        let width = all.iter().map(|(n, _)| n.len()).max().unwrap_or(4).max(4);
        for (name, r) in &all {
            match r {
                Ok(d) => println!("{name:width$}  {:8}  {}", d.version, d.summary()),
                Err(e) => {
                    failed = true;
                    println!(
                        "{name:width$}  {:8}  unavailable [{}]: {}",
                        "-", e.code, e.message
                    );
                }
            }
        }
    }
    if failed { ExitCode::Host } else { ExitCode::Ok }
}

pub async fn describe(cli: &Cli, dispatcher: &Dispatcher, tool: &str) -> ExitCode {
    let d = match dispatcher.describe(tool).await {
        Ok(d) => d,
        Err(e) => return report_error(cli, &e),
    };
    if cli.json {
        println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
    } else {
        print!("{}", render(&d));
    }
    ExitCode::Ok
}

fn render(d: &ToolDescription) -> String {
    let mut s = format!(
        "{} {}\n\n{}\n\n",
        d.name,
        d.version,
        d.description.trim_end()
    );
    s.push_str("Input schema:\n");
    s.push_str(&indent(
        &serde_json::to_string_pretty(&d.input_schema).unwrap_or_default(),
    ));
    if let Some(out) = &d.output_schema {
        s.push_str("\nOutput schema:\n");
        s.push_str(&indent(
            &serde_json::to_string_pretty(out).unwrap_or_default(),
        ));
    }
    if !d.examples.is_empty() {
        s.push_str("\nExamples:\n");
        for ex in &d.examples {
            s.push_str(&format!(
                "  # {}\n  toolhost run {} '{}'\n",
                ex.description, d.name, ex.input
            ));
        }
    }
    s.push_str(&format!(
        "\nLimits: timeout_ms={} memory_mb={} max_output_bytes={} max_response_bytes={}\n",
        d.limits.timeout_ms,
        d.limits.memory_mb,
        d.limits.max_output_bytes,
        d.limits.max_response_bytes
    ));
    let g = &d.grants;
    if g.dirs.is_empty() && g.env.is_empty() && g.network.is_empty() {
        s.push_str("Grants: none (no files, no environment, no network)\n");
    } else {
        s.push_str("Grants:\n");
        for dir in &g.dirs {
            s.push_str(&format!(
                "  dir {} -> {} ({:?})\n",
                dir.host, dir.guest, dir.mode
            ));
        }
        if !g.env.is_empty() {
            s.push_str(&format!("  env {}\n", g.env.join(", ")));
        }
        if !g.network.is_empty() {
            s.push_str(&format!("  network {}\n", g.network.join(", ")));
        }
    }
    s.push_str(&format!(
        "Component: {} (sha256 {})\n",
        d.component, d.sha256
    ));
    s
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
