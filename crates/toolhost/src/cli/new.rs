//! `toolhost new NAME`: scaffold a tool crate; with `--register`, also build it and add it,
//! pinned, to a registry.

use clap::Args;
use serde_json::json;
use std::path::PathBuf;

use super::build::{build_and_check, report_authoring_error};
use super::{Cli, ExitCode};
use crate::authoring::register::{self, NewEntry, entry_yaml};
use crate::authoring::{build, scaffold, sdk};

#[derive(Args, Debug)]
pub struct NewArgs {
    /// The tool's name: lowercase letters, digits, `_` or `-`, starting with a letter.
    name: String,
    /// Where to create the crate (must not exist) [default: ./NAME].
    #[arg(long, value_name = "PATH")]
    dir: Option<PathBuf>,
    /// The SDK crate (`guest/sdk` of a toolhost source tree) [default: $TOOLHOST_SDK, else
    /// the one this toolhost was built from].
    #[arg(long, value_name = "PATH")]
    sdk: Option<PathBuf>,
    /// Build the tool and add it, with its sha256, to this registry file (made if missing).
    #[arg(long, value_name = "REGISTRY")]
    register: Option<PathBuf>,
    /// Cargo's target directory for the build `--register` makes.
    #[arg(long, value_name = "DIR", requires = "register")]
    target_dir: Option<PathBuf>,
}

pub async fn new(cli: &Cli, args: &NewArgs) -> ExitCode {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    let made = match sdk::locate(args.sdk.as_deref())
        .and_then(|sdk| scaffold::create(&args.name, &dir, &sdk).map(|made| (made, sdk)))
    {
        Ok(m) => m,
        Err(e) => return report_authoring_error(cli, &e),
    };
    let (made, sdk) = made;
    let files: Vec<String> = made
        .files
        .iter()
        .map(|f| f.strip_prefix(&made.dir).unwrap_or(f).display().to_string())
        .collect();
    if !cli.json {
        println!(
            "created {} in {} (SDK: {})\n  {}",
            made.name,
            made.dir.display(),
            sdk.dir.display(),
            files.join(", ")
        );
    }
    let Some(registry_path) = &args.register else {
        if cli.json {
            println!(
                "{}",
                json!({ "ok": true, "name": made.name, "dir": made.dir.display().to_string(),
                        "sdk": sdk.dir.display().to_string(), "files": files })
            );
        } else {
            let crate_name = made.name.replace('-', "_");
            let component = made
                .dir
                .join("target")
                .join(build::TARGET)
                .join(build::PROFILE)
                .join(format!("{crate_name}.wasm"));
            println!(
                "\nnext:\n  cd {dir} && cargo test    # the unit tests, natively\n  \
                 toolhost build {dir}       # the component: its path, sha256 and registry entry\n\n\
                 registry entry to paste (pin it with the sha256 `toolhost build` prints):\n{}",
                entry_yaml(&made.name, &component.display().to_string(), None, 2),
                dir = made.dir.display(),
            );
        }
        return ExitCode::Ok;
    };
    if !cli.json {
        println!("\nbuilding {} to register it…", made.name);
    }
    let (built, _) = match build_and_check(cli, &made.dir, args.target_dir.as_deref()).await {
        Ok(b) => b,
        Err(code) => return code,
    };
    let entry = NewEntry {
        name: made.name.clone(),
        component: built.wasm.clone(),
        sha256: built.sha256.clone(),
    };
    if let Err(e) = register::append(registry_path, &entry) {
        return report_authoring_error(cli, &e);
    }
    if cli.json {
        println!(
            "{}",
            json!({ "ok": true, "name": made.name, "dir": made.dir.display().to_string(),
                    "sdk": sdk.dir.display().to_string(), "files": files,
                    "registered": { "registry": registry_path.display().to_string(),
                                    "component": built.wasm.display().to_string(),
                                    "sha256": built.sha256 } })
        );
    } else {
        println!(
            "added {} to {} (component {}, sha256 {})\ntry: toolhost --registry {} run {} \
             '{{\"text\": \"the cat and the hat\"}}'",
            made.name,
            registry_path.display(),
            built.wasm.display(),
            built.sha256,
            registry_path.display(),
            made.name
        );
    }
    ExitCode::Ok
}
