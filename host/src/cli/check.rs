//! `toolhost check [REGISTRY]`: the registry parses (or this never runs: the caller reports
//! its problems), and every component loads, matches its pin and the contract, and has
//! examples that fit its schema.

use super::{Cli, ExitCode};
use crate::dispatch::Dispatcher;

pub async fn check(cli: &Cli, dispatcher: &Dispatcher) -> ExitCode {
    let checks = dispatcher.check().await;
    let failed = checks.iter().filter(|c| c.error.is_some()).count();
    if cli.json {
        println!(
            "{}",
            serde_json::json!({
                "ok": failed == 0,
                "registry": dispatcher.registry().describe_location(None),
                "tools": checks,
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
        if failed > 0 {
            println!("{failed} of {} tools failed", checks.len());
        }
    }
    if failed == 0 {
        ExitCode::Ok
    } else {
        ExitCode::Host
    }
}
