//! [`RemoteStore`]: the download cache and the network together. `add` fetches by tag (or
//! URL) and caches by digest; loading a pinned entry reads the cache and checks it against
//! the pins and the signature key, going to the network only for what is missing, and then
//! only by digest.

use std::path::{Path, PathBuf};

use toolhost_core::dispatch::RemoteComponents;
use toolhost_core::registry::{ComponentSource, ToolEntry};
use toolhost_core::{ErrorCode, ToolError};

use crate::client::OciReference;
use crate::cosign;
use crate::pull::{PulledComponent, pull_component, pull_signatures, wasm_layer};
use crate::store::ComponentStore;
use crate::url::download;

/// What `add` fetched and cached: the pins its registry entry gets.
#[derive(Debug, Clone)]
pub struct AddedComponent {
    /// The OCI manifest digest (`None` for a URL).
    pub digest: Option<String>,
    /// The component's sha256 (hex).
    pub sha256: String,
    pub bytes: u64,
    /// Whether a signature was verified.
    pub verified: bool,
}

/// Remote components, cached under one directory.
#[derive(Debug, Clone)]
pub struct RemoteStore {
    store: ComponentStore,
}

impl RemoteStore {
    pub fn new(store: ComponentStore) -> Self {
        RemoteStore { store }
    }

    pub fn store(&self) -> &ComponentStore {
        &self.store
    }

    /// `toolhost add oci://…`: pulls what the reference names now, checks its signature
    /// when `key` is given, and caches it.
    pub async fn add_oci(
        &self,
        oci: &OciReference,
        key: Option<&Path>,
        max_bytes: u64,
    ) -> Result<AddedComponent, ToolError> {
        let pulled = pull_component(oci, &oci.reference, max_bytes).await?;
        if let Some(key) = key {
            let signatures = pull_signatures(oci, &pulled.digest).await?;
            cosign::verify(key, &pulled.digest, &signatures)?;
            self.store
                .put_signatures(&pulled.digest, &signatures)
                .map_err(|e| self.unwritable(e))?;
        }
        self.keep(&pulled)?;
        Ok(AddedComponent {
            digest: Some(pulled.digest),
            sha256: pulled.sha256,
            bytes: pulled.wasm.len() as u64,
            verified: key.is_some(),
        })
    }

    /// `toolhost add https://…`: downloads the file. Without `expected` (the user's
    /// `--sha256`) nothing is kept and the refusal carries the computed hash to confirm.
    pub async fn add_url(
        &self,
        url: &str,
        expected: Option<&str>,
        max_bytes: u64,
    ) -> Result<AddedComponent, ToolError> {
        let (bytes, sha256) = download(url, max_bytes).await?;
        match expected {
            None => Err(ToolError::new(
                ErrorCode::InvalidInput,
                format!(
                    "{url} has sha256 {sha256}; a URL's content can change, so it is added only \
                     with the hash you expect: check it, then run again with --sha256 {sha256}"
                ),
            )
            .with_details(serde_json::json!({ "sha256": sha256 }))),
            Some(pin) if pin != sha256 => Err(pin_mismatch(url, pin, &sha256)),
            Some(_) => {
                self.store
                    .put_blob(&sha256, &bytes)
                    .map_err(|e| self.unwritable(e))?;
                Ok(AddedComponent {
                    digest: None,
                    bytes: bytes.len() as u64,
                    sha256,
                    verified: false,
                })
            }
        }
    }

    fn keep(&self, pulled: &PulledComponent) -> Result<(), ToolError> {
        self.store
            .put_blob(&pulled.sha256, &pulled.wasm)
            .and_then(|_| self.store.put_manifest(&pulled.digest, &pulled.manifest))
            .map_err(|e| self.unwritable(e))
    }

    fn unwritable(&self, e: std::io::Error) -> ToolError {
        ToolError::new(
            ErrorCode::Internal,
            format!(
                "cannot write the download cache {}: {e}",
                self.store.root().display()
            ),
        )
    }

    async fn oci_file(&self, entry: &ToolEntry, text: &str) -> Result<PathBuf, ToolError> {
        let (Some(digest), Some(sha256)) = (&entry.digest, &entry.sha256) else {
            return Err(ToolError::new(
                ErrorCode::Registry,
                format!("{text} is not pinned: its entry needs `digest:` and `sha256:`"),
            ));
        };
        let oci = OciReference::parse(text)?;
        let offline_hint = |e: ToolError| {
            if e.code == ErrorCode::Unavailable {
                ToolError::new(
                    e.code,
                    format!(
                        "{text}@{digest} is not in the download cache ({}) and cannot be \
                         fetched: {}",
                        self.store.root().display(),
                        e.message
                    ),
                )
            } else {
                e
            }
        };
        let cached = self.store.manifest(digest);
        let manifest = match cached {
            Some(m) => m,
            None => {
                let pulled = pull_component(
                    &oci,
                    &oci.at_digest(digest),
                    entry.limits.max_component_bytes,
                )
                .await
                .map_err(offline_hint)?;
                check_layer(text, digest, &pulled.sha256, sha256)?;
                self.keep(&pulled)?;
                pulled.manifest
            }
        };
        let layer = wasm_layer(&manifest, text)?;
        check_layer(text, digest, layer.trim_start_matches("sha256:"), sha256)?;
        if !self.store.has_blob(sha256) {
            let pulled = pull_component(
                &oci,
                &oci.at_digest(digest),
                entry.limits.max_component_bytes,
            )
            .await
            .map_err(offline_hint)?;
            self.keep(&pulled)?;
        }
        if let Some(key) = &entry.verify {
            let signatures = match self.store.signatures(digest) {
                Some(cached) if !cached.is_empty() => cached,
                _ => {
                    let fetched = pull_signatures(&oci, digest).await.map_err(offline_hint)?;
                    if !fetched.is_empty() {
                        self.store
                            .put_signatures(digest, &fetched)
                            .map_err(|e| self.unwritable(e))?;
                    }
                    fetched
                }
            };
            cosign::verify(&key.key, digest, &signatures)?;
        }
        Ok(self.store.blob_path(sha256))
    }

    async fn url_file(&self, entry: &ToolEntry, url: &str) -> Result<PathBuf, ToolError> {
        let Some(pin) = &entry.sha256 else {
            return Err(ToolError::new(
                ErrorCode::Registry,
                format!("{url} is not pinned: its entry needs `sha256:`"),
            ));
        };
        if !self.store.has_blob(pin) {
            let (bytes, sha256) = download(url, entry.limits.max_component_bytes).await?;
            if &sha256 != pin {
                return Err(pin_mismatch(url, pin, &sha256));
            }
            self.store
                .put_blob(&sha256, &bytes)
                .map_err(|e| self.unwritable(e))?;
        }
        Ok(self.store.blob_path(pin))
    }
}

/// The manifest pinned as `digest` must hold the component pinned as `sha256`.
fn check_layer(text: &str, digest: &str, layer: &str, pinned: &str) -> Result<(), ToolError> {
    if layer == pinned {
        return Ok(());
    }
    Err(ToolError::new(
        ErrorCode::DigestMismatch,
        format!(
            "{text}: manifest {digest} holds component sha256 {layer}, but the entry pins \
             sha256 {pinned}; one of the two pins was changed. Run `toolhost add {text} \
             --update` to pin what the tag names now."
        ),
    )
    .with_details(serde_json::json!({ "digest": digest, "expected": pinned, "actual": layer })))
}

fn pin_mismatch(url: &str, pin: &str, actual: &str) -> ToolError {
    ToolError::new(
        ErrorCode::PinMismatch,
        format!("{url} has sha256 {actual}, but {pin} was expected; it is refused"),
    )
    .with_details(serde_json::json!({ "expected": pin, "actual": actual }))
}

#[async_trait::async_trait]
impl RemoteComponents for RemoteStore {
    async fn local_file(&self, entry: &ToolEntry) -> Result<PathBuf, ToolError> {
        match &entry.component {
            ComponentSource::Oci(text) => self.oci_file(entry, text).await,
            ComponentSource::Url(url) => self.url_file(entry, url).await,
            other => Err(ToolError::new(
                ErrorCode::Internal,
                format!("{other} is not a remote component"),
            )),
        }
    }
}
