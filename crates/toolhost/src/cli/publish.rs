//! `toolhost publish PATH_OR_TOOL oci://HOST/REPO:TAG [--sign KEY]`: push a built tool as
//! an OCI artifact in the CNCF Wasm layout, described by its own `describe` (name,
//! version, description), and sign it with a cosign key.

use clap::Args;
use serde_json::json;
use std::path::PathBuf;

use toolhost_oci::{OciReference, ToolMetadata};

use super::{Cli, ExitCode, report_error};
use crate::dispatch::{Dispatcher, RemoteComponents};
use crate::error::{ErrorCode, ToolError};
use crate::registry::ComponentSource;

#[derive(Args, Debug)]
pub struct PublishArgs {
    /// A tool of the registry, or a component file (`./tool.wasm`).
    pub tool: String,
    /// Where to push: `oci://HOST[:PORT]/REPOSITORY:TAG`.
    target: String,
    /// Sign the pushed manifest with this cosign private key (cosign's encrypted PEM, with
    /// its password in COSIGN_PASSWORD, or an unencrypted PKCS#8 PEM).
    #[arg(long, value_name = "KEY")]
    sign: Option<PathBuf>,
}

pub async fn publish(cli: &Cli, dispatcher: &Dispatcher, args: &PublishArgs) -> ExitCode {
    match run(cli, dispatcher, args).await {
        Ok(()) => ExitCode::Ok,
        Err(e) => report_error(cli, &e),
    }
}

async fn run(cli: &Cli, dispatcher: &Dispatcher, args: &PublishArgs) -> Result<(), ToolError> {
    let target = OciReference::parse(&args.target)?;
    // Only a component that loads as a tool is published; its description names it.
    let description = dispatcher.describe(&args.tool).await?;
    let entry = dispatcher
        .registry()
        .get(&args.tool)
        .expect("described, so in the registry");
    let wasm = match &entry.component {
        ComponentSource::Builtin(name) => crate::builtins::get(name)
            .map(|b| b.wasm.to_vec())
            .ok_or_else(|| ToolError::new(ErrorCode::Internal, format!("no built-in {name}")))?,
        ComponentSource::File(path) => read(path)?,
        ComponentSource::Oci(_) | ComponentSource::Url(_) => {
            let store = super::add::remote_store(cli).ok_or_else(|| {
                ToolError::new(
                    ErrorCode::Internal,
                    "no cache directory for remote components",
                )
            })?;
            let path: PathBuf = store.local_file(entry).await?;
            read(&path)?
        }
    };
    // The bytes read now must be the ones described (a file rebuilt in between is not).
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&wasm));
    if sha256 != description.sha256 {
        return Err(ToolError::new(
            ErrorCode::PinMismatch,
            format!(
                "component {} changed while it was being published; try again",
                entry.component
            ),
        ));
    }
    let meta = ToolMetadata {
        title: description.name.clone(),
        version: Some(description.version.clone()).filter(|v| !v.is_empty()),
        description: Some(description.description.clone()).filter(|d| !d.is_empty()),
    };
    let published = toolhost_oci::publish(wasm, &target, &meta, args.sign.as_deref()).await?;
    if cli.json {
        println!(
            "{}",
            json!({
                "ok": true, "tool": description.name, "version": description.version,
                "target": target.text, "digest": published.digest, "sha256": published.sha256,
                "contract": published.contract, "signed": published.signed,
            })
        );
    } else {
        let signed = if published.signed { ", signed" } else { "" };
        println!(
            "published '{}' {} to {} (digest {}{signed})",
            description.name, description.version, target.text, published.digest
        );
        println!("add it with: toolhost add {}", target.text);
    }
    Ok(())
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, ToolError> {
    std::fs::read(path).map_err(|e| {
        ToolError::new(
            ErrorCode::Registry,
            format!("cannot read component {}: {e}", path.display()),
        )
    })
}
