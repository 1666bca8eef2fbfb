//! `toolhost check [REGISTRY]`: the registry parses (or this never runs: the caller reports
//! its problems), and every component loads, matches its pin and the contract, and has
//! examples that fit its schema; the `mcp:` section names only tools the server offers.

use super::{Cli, ExitCode};
use crate::dispatch::Dispatcher;
use crate::mcp::{self, SelectionArgs, ToolSelection};

pub async fn check(cli: &Cli, dispatcher: &Dispatcher) -> ExitCode {
    let checks = dispatcher.check().await;
    let scripts = dispatcher.check_scripts().await;
    let selection = ToolSelection::resolve(
        dispatcher.registry(),
        &SelectionArgs::default(),
        &mcp::offered(dispatcher).await,
    )
    .err()
    .map(|e| e.to_string());
    let failed = checks.iter().filter(|c| c.error.is_some()).count()
        + scripts.iter().filter(|(_, r)| r.is_err()).count()
        + usize::from(selection.is_some());
    if cli.json {
        let scripts: Vec<_> = scripts
            .iter()
            .map(|(name, r)| serde_json::json!({ "name": name, "error": r.as_ref().err() }))
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "ok": failed == 0,
                "registry": dispatcher.registry().describe_location(None),
                "tools": checks,
                "scripts": scripts,
                "mcp": { "error": selection },
            })
        );
    } else {
        println!(
            "registry {}: {} tools",
            dispatcher.registry().describe_location(None),
            checks.len()
        );
        for c in &checks {
            match &c.error {
                None => println!(
                    "  ok    {} {} (cache: {}, {:.1} ms)",
                    c.name,
                    c.version.as_deref().unwrap_or(""),
                    c.cache.as_deref().unwrap_or("-"),
                    c.load_ms
                ),
                Some(e) => println!("  FAIL  {} [{}]: {}", c.name, e.code, e.message),
            }
        }
        for (name, r) in &scripts {
            match r {
                Ok(()) => println!("  ok    script {name}"),
                Err(e) => println!("  FAIL  script {name}: {e}"),
            }
        }
        if let Some(e) = &selection {
            println!("  FAIL  mcp: {e}");
        }
        if failed > 0 {
            println!(
                "{failed} of {} tools and scripts failed",
                checks.len() + scripts.len()
            );
        }
    }
    if failed == 0 {
        ExitCode::Ok
    } else {
        ExitCode::Host
    }
}
