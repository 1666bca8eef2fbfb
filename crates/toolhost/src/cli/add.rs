//! `toolhost add oci://HOST/REPO:TAG` and `toolhost add https://…/tool.wasm --sha256 HEX`:
//! fetch a component, cache it by digest, check that it loads as a tool, and write (or,
//! with `--update`, re-pin) its registry entry. A tag that moved is never followed
//! without `--update`.

use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toolhost_oci::{AddedComponent, OciReference, RemoteStore};

use super::{Cli, ExitCode, report_error};
use crate::dispatch::Dispatcher;
use crate::error::{ErrorCode, ToolError};
use crate::registry::append::{self, NewEntry};
use crate::registry::{self, SandboxLimits, ToolEntry, ToolOrigin, ToolRegistry};

#[derive(Args, Debug)]
pub struct AddArgs {
    /// `oci://HOST[:PORT]/REPOSITORY:TAG` (or `@sha256:…`), or an `https://` URL of a
    /// `.wasm` component.
    source: String,
    /// The tool's name [default: the repository's or file's last segment].
    #[arg(long)]
    name: Option<String>,
    /// The sha256 a URL's content must have (required for URLs; without it the hash is
    /// computed and shown, and nothing is added).
    #[arg(long, value_name = "HEX")]
    sha256: Option<String>,
    /// A cosign public key (PEM): the artifact's signature must verify with it, now and
    /// at every load (written as `verify: { key: PATH }`).
    #[arg(long, value_name = "PATH")]
    key: Option<PathBuf>,
    /// Re-pin an existing entry to what its tag or URL names now.
    #[arg(long)]
    update: bool,
}

/// The source of remote components for a dispatcher, under the command line's cache.
pub(crate) fn remote_store(cli: &Cli) -> Option<RemoteStore> {
    toolhost_oci::ComponentStore::default_root(cli.cache_dir.as_deref())
        .map(|root| RemoteStore::new(toolhost_oci::ComponentStore::new(root)))
}

pub async fn add(cli: &Cli, args: &AddArgs) -> ExitCode {
    match run(cli, args).await {
        Ok(code) => code,
        Err(Failure::Registry(e)) => super::report_registry_error(cli, &e),
        Err(Failure::Tool(e)) => {
            // Refused for want of --sha256: the user's next step, not a fault.
            let code = report_error(cli, &e);
            if e.code == ErrorCode::InvalidInput {
                ExitCode::Usage
            } else {
                code
            }
        }
    }
}

enum Failure {
    Registry(registry::RegistryError),
    Tool(ToolError),
}

impl From<ToolError> for Failure {
    fn from(e: ToolError) -> Self {
        Failure::Tool(e)
    }
}

fn usage(message: String) -> Failure {
    Failure::Tool(ToolError::new(ErrorCode::InvalidInput, message))
}

async fn run(cli: &Cli, args: &AddArgs) -> Result<ExitCode, Failure> {
    let file = cli
        .registry
        .clone()
        .unwrap_or_else(|| PathBuf::from(registry::DEFAULT_FILE_NAME));
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(Failure::Tool(ToolError::new(
                ErrorCode::Registry,
                format!("cannot read {}: {e}", file.display()),
            )));
        }
    };
    let current = if text.trim().is_empty() {
        None
    } else {
        Some(registry::parse_str(&text, Some(&file)).map_err(Failure::Registry)?)
    };
    let Some(store) = remote_store(cli) else {
        return Err(Failure::Tool(ToolError::new(
            ErrorCode::Internal,
            "no cache directory for downloaded components: set --cache-dir or TOOLHOST_CACHE_DIR",
        )));
    };
    let is_url = args.source.starts_with("https://") || args.source.starts_with("http://");
    let oci = if args.source.starts_with("oci://") {
        Some(OciReference::parse(&args.source)?)
    } else if is_url {
        None
    } else {
        return Err(usage(format!(
            "`{}` is neither oci://HOST/REPO:TAG nor an https:// URL",
            args.source
        )));
    };
    if oci.is_some() && args.sha256.is_some() {
        return Err(usage(
            "--sha256 is for URLs: an OCI artifact is pinned by the digest it is pulled at"
                .to_owned(),
        ));
    }
    if oci.is_none() && args.key.is_some() {
        return Err(usage(
            "--key verifies OCI artifacts' cosign signatures; a URL is pinned by --sha256"
                .to_owned(),
        ));
    }
    let name = match (&args.name, &oci) {
        (Some(name), _) => name.clone(),
        (None, Some(oci)) => oci.tool_name(),
        (None, None) => url_tool_name(&args.source),
    };
    let existing = current
        .as_ref()
        .and_then(|r| r.get(&name))
        .filter(|e| e.origin != ToolOrigin::Builtin);
    if let Some(entry) = existing
        && entry.component.to_string() != args.source
    {
        return Err(usage(format!(
            "'{name}' is already in {} (component {}); choose another name with --name",
            file.display(),
            entry.component
        )));
    }
    if existing.is_some() && args.key.is_some() {
        return Err(usage(format!(
            "'{name}' is already in {}: change its `verify:` there, not with --key",
            file.display()
        )));
    }
    let key = args
        .key
        .clone()
        .or_else(|| existing.and_then(|e| e.verify.as_ref().map(|v| v.key.clone())));
    if let Some(key) = &key
        && !key.is_file()
    {
        return Err(usage(format!("verify key {} is not a file", key.display())));
    }
    let max_bytes = existing
        .map(|e| e.limits.max_component_bytes)
        .unwrap_or(SandboxLimits::default().max_component_bytes);
    let added = match &oci {
        Some(oci) => store.add_oci(oci, key.as_deref(), max_bytes).await?,
        None => {
            let pin = args.sha256.as_deref().map(str::to_ascii_lowercase);
            store
                .add_url(&args.source, pin.as_deref(), max_bytes)
                .await?
        }
    };
    let new_text = match existing {
        Some(entry) => {
            if entry.digest == added.digest && entry.sha256.as_deref() == Some(&added.sha256) {
                report(cli, &file, &name, &args.source, &added, "unchanged");
                return Ok(ExitCode::Ok);
            }
            if !args.update {
                return Err(Failure::Tool(moved(&file, entry, &args.source, &added)));
            }
            append::repin(&text, entry, added.digest.as_deref(), &added.sha256)
                .map_err(|e| ToolError::new(ErrorCode::Registry, e.to_string()))?
        }
        None => {
            let entry = NewEntry {
                name: name.clone(),
                component: args.source.clone(),
                digest: added.digest.clone(),
                sha256: added.sha256.clone(),
                verify_key: key.as_deref().map(|k| relative_to(k, &file)),
            };
            append::append(&text, &entry)
                .map_err(|e| ToolError::new(ErrorCode::Registry, e.to_string()))?
        }
    };
    // The entry must load as a tool (contract, pins, signature from the cache) before the
    // file is changed.
    let edited = registry::parse_str(&new_text, Some(&file)).map_err(Failure::Registry)?;
    check_loads(cli, edited, &name, store).await?;
    write_atomically(&file, &new_text)?;
    let what = if existing.is_some() {
        "updated"
    } else {
        "added"
    };
    report(cli, &file, &name, &args.source, &added, what);
    Ok(ExitCode::Ok)
}

/// The refusal when the tag (or URL) now names other content than the entry pins.
fn moved(file: &Path, entry: &ToolEntry, source: &str, added: &AddedComponent) -> ToolError {
    let now = added
        .digest
        .clone()
        .unwrap_or_else(|| format!("sha256 {}", added.sha256));
    let pinned = entry
        .digest
        .clone()
        .or_else(|| entry.sha256.as_ref().map(|s| format!("sha256 {s}")))
        .unwrap_or_default();
    ToolError::new(
        ErrorCode::TagMoved,
        format!(
            "{source} now names {now}, but '{}' in {} is pinned to {pinned}; the entry is left \
             as it was. Run again with --update to take the new one.",
            entry.name,
            file.display()
        ),
    )
    .for_tool(&entry.name)
    .with_details(json!({ "pinned": pinned, "now": now }))
}

async fn check_loads(
    cli: &Cli,
    registry: ToolRegistry,
    name: &str,
    store: RemoteStore,
) -> Result<(), ToolError> {
    let mut options = super::dispatcher_options(cli);
    options.remote_components = Some(Arc::new(store));
    let dispatcher = Dispatcher::new(registry, options)?;
    dispatcher.describe(name).await.map(|_| ())
}

fn url_tool_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let file = path.rsplit('/').next().unwrap_or("tool");
    let stem = file.strip_suffix(".wasm").unwrap_or(file);
    toolhost_oci::tool_name_from(stem)
}

/// `key` as the registry file should name it: relative to the file's directory when it is
/// inside it, else absolute.
fn relative_to(key: &Path, file: &Path) -> String {
    let key = std::fs::canonicalize(key).unwrap_or_else(|_| key.to_owned());
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    key.strip_prefix(&dir)
        .map(Path::to_path_buf)
        .unwrap_or(key)
        .display()
        .to_string()
}

fn write_atomically(file: &Path, text: &str) -> Result<(), ToolError> {
    let failed = |e: std::io::Error| {
        ToolError::new(
            ErrorCode::Internal,
            format!("cannot write {}: {e}", file.display()),
        )
    };
    let tmp = file.with_extension("yaml.add-tmp");
    std::fs::write(&tmp, text).map_err(failed)?;
    std::fs::rename(&tmp, file).map_err(failed)
}

fn report(cli: &Cli, file: &Path, name: &str, source: &str, added: &AddedComponent, what: &str) {
    if cli.json {
        println!(
            "{}",
            json!({
                "ok": true, "tool": name, "registry": file.display().to_string(),
                "component": source, "digest": added.digest, "sha256": added.sha256,
                "bytes": added.bytes, "signature_verified": added.verified, "status": what,
            })
        );
        return;
    }
    let pins = match &added.digest {
        Some(digest) => format!("digest {digest}, sha256 {}", added.sha256),
        None => format!("sha256 {}", added.sha256),
    };
    let signed = if added.verified {
        ", signature verified"
    } else {
        ""
    };
    println!(
        "{what} '{name}' in {}: {source} ({pins}{signed})",
        file.display()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_tools_are_named_after_their_file() {
        assert_eq!(
            url_tool_name("https://x.org/dl/Word_Count.wasm?v=2"),
            "word_count"
        );
        assert_eq!(
            url_tool_name("http://127.0.0.1:8000/9lives.wasm"),
            "tool_9lives"
        );
    }
}
