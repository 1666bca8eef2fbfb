//! `toolhost list` and `toolhost describe TOOL`.

use serde_json::json;

use super::summary::{SUMMARY_WIDTH, summary};
use super::{Cli, ExitCode, report_error};
use crate::dispatch::{Dispatcher, ToolDescription};
use crate::registry::{ScriptEntry, ToolOrigin, ToolRegistry};

/// Where a tool comes from, as `list` shows it.
fn source(registry: &ToolRegistry, name: &str) -> (ToolOrigin, &'static str) {
    match registry.get(name).map(|e| e.origin) {
        Some(ToolOrigin::OverridesBuiltin) => (ToolOrigin::OverridesBuiltin, "override"),
        Some(ToolOrigin::File) => (ToolOrigin::File, "file"),
        Some(_) => (ToolOrigin::Builtin, "built-in"),
        // Listed, but not a registry entry: a tool of another MCP server (or the name of
        // a server that could not be listed).
        None => (ToolOrigin::McpServer, "mcp"),
    }
}

pub async fn list(cli: &Cli, dispatcher: &Dispatcher) -> ExitCode {
    let all = dispatcher.describe_all().await;
    let mut failed = false;
    if cli.json {
        let tools: Vec<_> = all
            .iter()
            .map(|(name, r)| match r {
                Ok(d) => json!({
                    "name": d.name, "version": d.version, "summary": summary(&d.description, SUMMARY_WIDTH),
                    "source": source(dispatcher.registry(), name).0,
                }),
                Err(e) => {
                    failed = true;
                    json!({ "name": name, "error": e, "source": source(dispatcher.registry(), name).0 })
                }
            })
            .collect();
        let scripts: Vec<_> = dispatcher
            .registry()
            .scripts
            .iter()
            .map(script_json)
            .collect();
        let file = dispatcher
            .registry()
            .file
            .as_ref()
            .map(|f| f.display().to_string());
        println!(
            "{}",
            json!({ "ok": !failed, "registry": file, "tools": tools, "scripts": scripts })
        );
    } else {
        let scripts = &dispatcher.registry().scripts;
        let width = all
            .iter()
            .map(|(n, _)| n.len())
            .chain(scripts.iter().map(|s| s.name.len()))
            .max()
            .unwrap_or(4)
            .max(4);
        let registry = dispatcher.registry();
        for (name, r) in &all {
            let (_, from) = source(registry, name);
            match r {
                Ok(d) => println!(
                    "{name:width$}  {:8}  {from:8}  {}",
                    d.version,
                    summary(&d.description, SUMMARY_WIDTH)
                ),
                Err(e) => {
                    failed = true;
                    println!(
                        "{name:width$}  {:8}  {from:8}  unavailable [{}]: {}",
                        "-", e.code, e.message
                    );
                }
            }
        }
        for script in scripts {
            println!(
                "{:width$}  {:8}  {:8}  {}",
                script.name,
                "script",
                "file",
                summary(&script.description, SUMMARY_WIDTH)
            );
        }
        if let Some(file) = &registry.file
            && registry
                .tools
                .iter()
                .any(|t| t.origin != ToolOrigin::Builtin)
        {
            println!(
                "\n(file: from {}; override: its entry replaces the built-in of that name)",
                file.display()
            );
            if !registry.mcp_servers.is_empty() {
                println!("(mcp: a tool of another MCP server, named by an entry with `mcp:`)");
            }
        }
    }
    if failed { ExitCode::Host } else { ExitCode::Ok }
}

fn script_json(s: &ScriptEntry) -> serde_json::Value {
    let params: serde_json::Map<String, serde_json::Value> = s
        .params
        .iter()
        .flatten()
        .map(|p| (p.name.clone(), json!(p.description)))
        .collect();
    json!({
        "name": s.name,
        "kind": "script",
        "description": s.description,
        "params": s.params.as_ref().map(|_| params),
        "file": s.file.display().to_string(),
    })
}

/// `describe NAME` for a registry script: what it does, its parameters, how to run it.
fn describe_script(cli: &Cli, s: &ScriptEntry) -> ExitCode {
    if cli.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&script_json(s)).unwrap_or_default()
        );
        return ExitCode::Ok;
    }
    let mut text = format!("{} (script)\n\n{}\n\n", s.name, s.description.trim_end());
    match &s.params {
        None => text.push_str("Parameters: not declared (ARGS takes any keys)\n"),
        Some(params) if params.is_empty() => text.push_str("Parameters: none\n"),
        Some(params) => {
            text.push_str("Parameters:\n");
            for p in params {
                text.push_str(&format!("  {}: {}\n", p.name, p.description));
            }
        }
    }
    text.push_str(&format!(
        "\nRun: toolhost run-script {} '{{...}}'   or, in the REPL, SCRIPT(\"{}\", #{{...}})\nFile: {}\n",
        s.name,
        s.name,
        s.file.display()
    ));
    print!("{text}");
    ExitCode::Ok
}

pub async fn describe(cli: &Cli, dispatcher: &Dispatcher, tool: &str) -> ExitCode {
    if dispatcher.registry().get(tool).is_none()
        && let Some(script) = dispatcher.registry().script(tool)
    {
        return describe_script(cli, script);
    }
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
    if let Some(remote) = &d.remote {
        s.push_str(&format!(
            "\nLimits: timeout_ms={} max_output_bytes={}\nFrom the MCP server '{}' ({}), where it \
             is named '{}'; it runs outside toolhost's sandbox, with that server's own \
             permissions\n",
            d.limits.timeout_ms,
            d.limits.max_output_bytes,
            remote.server,
            remote.transport,
            remote.name
        ));
        return s;
    }
    s.push_str(&format!(
        "\nLimits: timeout_ms={} memory_mb={} max_output_bytes={} max_response_bytes={} \
         max_component_mb={}\n",
        d.limits.timeout_ms,
        d.limits.memory_mb,
        d.limits.max_output_bytes,
        d.limits.max_response_bytes,
        d.limits.max_component_mb
    ));
    let g = &d.grants;
    if g.dirs.is_empty() && g.env.is_empty() && g.network.is_empty() {
        s.push_str("Grants: none (no files, no environment, no network)\n");
    } else {
        s.push_str("Grants:\n");
        for dir in &g.dirs {
            s.push_str(&format!(
                "  dir {} -> {} ({:?}{})\n",
                dir.host,
                dir.guest,
                dir.mode,
                if dir.symlinks { ", symlinks" } else { "" }
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
