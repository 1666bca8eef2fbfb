//! `toolhost build [PATH]`: compile a tool crate into a component with the size profile,
//! check it speaks the contract, and print its path, sha256 and a registry entry.

use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{Cli, ExitCode, report_error};
use crate::authoring::{self, AuthoringError, build::BuiltComponent, register::entry_yaml};
use crate::dispatch::{Dispatcher, ToolDescription};
use crate::registry;

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// The tool crate: its directory or its Cargo.toml [default: .].
    path: Option<PathBuf>,
    /// Cargo's target directory [default: as cargo decides, usually the crate's target/].
    #[arg(long, value_name = "DIR")]
    target_dir: Option<PathBuf>,
}

pub async fn build(cli: &Cli, args: &BuildArgs) -> ExitCode {
    let started = Instant::now();
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let (built, description) = match build_and_check(cli, &path, args.target_dir.as_deref()).await {
        Ok(b) => b,
        Err(code) => return code,
    };
    if cli.json {
        println!(
            "{}",
            json!({
                "ok": true,
                "tool": description.name,
                "version": description.version,
                "component": built.wasm.display().to_string(),
                "sha256": built.sha256,
                "bytes": built.bytes,
                "duration_ms": started.elapsed().as_secs_f64() * 1e3,
            })
        );
    } else {
        println!(
            "built {} {}: {}\n  size    {} KiB\n  sha256  {}\n\nregistry entry:\n{}",
            description.name,
            description.version,
            built.wasm.display(),
            built.bytes.div_ceil(1024),
            built.sha256,
            entry_yaml(
                &description.name,
                &built.wasm.display().to_string(),
                Some(&built.sha256),
                2
            )
        );
    }
    ExitCode::Ok
}

/// Build the crate and load the component as the host would, so a component that is not a
/// tool (or speaks another contract version) fails here rather than at its first call.
pub async fn build_and_check(
    cli: &Cli,
    path: &Path,
    target_dir: Option<&Path>,
) -> Result<(BuiltComponent, ToolDescription), ExitCode> {
    let (path, target_dir) = (path.to_path_buf(), target_dir.map(Path::to_path_buf));
    let built =
        tokio::task::spawn_blocking(move || authoring::build::build(&path, target_dir.as_deref()))
            .await
            .map_err(|_| ExitCode::Host)?
            .map_err(|e| report_authoring_error(cli, &e))?;
    let name = registry_name(&built.package);
    let yaml = format!(
        "tools:\n  - name: {name}\n    component: {}\n",
        serde_json::Value::String(built.wasm.display().to_string())
    );
    let registry = registry::parse_str(&yaml, Some(Path::new("(toolhost build)")))
        .map_err(|e| super::report_registry_error(cli, &e))?;
    let dispatcher = Dispatcher::new(registry, super::dispatcher_options(cli))
        .map_err(|e| report_error(cli, &e))?;
    let description = dispatcher
        .describe(&name)
        .await
        .map_err(|e| report_error(cli, &e))?;
    Ok((built, description))
}

/// A registry name for a package: the package name when it is a valid tool name.
fn registry_name(package: &str) -> String {
    let name: String = package
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name
    } else {
        format!("tool_{name}")
    }
}

/// Print an authoring error (`error[code]: ...`, or JSON) and give its exit code.
pub fn report_authoring_error(cli: &Cli, e: &AuthoringError) -> ExitCode {
    let (code, exit) = match e {
        AuthoringError::InvalidName { .. } => ("usage", ExitCode::Usage),
        AuthoringError::DirectoryExists(_) => ("usage", ExitCode::Usage),
        AuthoringError::NoManifest(_) => ("usage", ExitCode::Usage),
        AuthoringError::SdkNotFound { .. } => ("sdk_not_found", ExitCode::Host),
        AuthoringError::CargoUnavailable(_) => ("cargo_unavailable", ExitCode::Host),
        AuthoringError::BuildFailed { .. } => ("build_failed", ExitCode::ToolFailed),
        AuthoringError::NoComponent { .. } => ("build_failed", ExitCode::ToolFailed),
        AuthoringError::Registry(_) => ("registry", ExitCode::Host),
        AuthoringError::Io { .. } => ("internal", ExitCode::Host),
    };
    if cli.json {
        println!(
            "{}",
            json!({ "ok": false, "error": { "code": code, "message": e.to_string() } })
        );
    } else {
        eprintln!("error[{code}]: {e}");
    }
    exit
}
