//! The download cache: what `toolhost add` fetched, by content digest, so a pinned entry
//! loads without the network. Layout under the root:
//!
//! ```text
//! blobs/sha256/HEX          component bytes (the layer or the URL's file)
//! manifests/sha256/HEX      an OCI manifest, byte for byte as the registry served it
//! signatures/sha256/HEX     the cosign signatures found for that manifest (JSON)
//! ```
//!
//! Every file is named by the sha256 of what it should hold and is checked against it
//! when read, so a damaged or edited cache is noticed, never trusted.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::cosign::StoredSignature;

/// The cache directory.
#[derive(Debug, Clone)]
pub struct ComponentStore {
    root: PathBuf,
}

impl ComponentStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ComponentStore { root: root.into() }
    }

    /// `DIR/remote` for `--cache-dir DIR` or `$TOOLHOST_CACHE_DIR`, else the user cache
    /// directory's `remote` (beside the compiled components).
    pub fn default_root(cache_dir: Option<&Path>) -> Option<PathBuf> {
        if let Some(dir) = cache_dir {
            return Some(dir.join("remote"));
        }
        if let Some(dir) = std::env::var_os("TOOLHOST_CACHE_DIR") {
            return Some(PathBuf::from(dir).join("remote"));
        }
        directories::ProjectDirs::from("dev", "toolhost", "toolhost")
            .map(|d| d.cache_dir().join("remote"))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the component whose sha256 is `sha256` (hex) is kept.
    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        self.root.join("blobs/sha256").join(sha256)
    }

    fn manifest_path(&self, digest: &str) -> PathBuf {
        self.root.join("manifests/sha256").join(hex_of(digest))
    }

    fn signatures_path(&self, digest: &str) -> PathBuf {
        self.root.join("signatures/sha256").join(hex_of(digest))
    }

    /// The component, if it is cached and still hashes to `sha256`.
    pub fn has_blob(&self, sha256: &str) -> bool {
        std::fs::read(self.blob_path(sha256))
            .is_ok_and(|bytes| hex::encode(Sha256::digest(&bytes)) == sha256)
    }

    pub fn put_blob(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let path = self.blob_path(sha256);
        write_atomically(&path, bytes)?;
        Ok(path)
    }

    /// The manifest pinned as `digest` (`sha256:HEX`), if cached and intact.
    pub fn manifest(&self, digest: &str) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.manifest_path(digest)).ok()?;
        (format!("sha256:{}", hex::encode(Sha256::digest(&bytes))) == digest).then_some(bytes)
    }

    pub fn put_manifest(&self, digest: &str, bytes: &[u8]) -> std::io::Result<()> {
        write_atomically(&self.manifest_path(digest), bytes)
    }

    /// The signatures cached for the manifest `digest`; `None` when none were fetched yet.
    pub fn signatures(&self, digest: &str) -> Option<Vec<StoredSignature>> {
        let bytes = std::fs::read(self.signatures_path(digest)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn put_signatures(
        &self,
        digest: &str,
        signatures: &[StoredSignature],
    ) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(signatures).map_err(std::io::Error::other)?;
        write_atomically(&self.signatures_path(digest), &json)
    }
}

fn hex_of(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

/// Beside the target, then renamed over it: a reader (another toolhost) never sees half a
/// file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("cache paths have a parent");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_files_that_no_longer_hash_to_their_name_are_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let store = ComponentStore::new(dir.path());
        let bytes = b"\0asm component";
        let sha = hex::encode(Sha256::digest(bytes));
        store.put_blob(&sha, bytes).unwrap();
        assert!(store.has_blob(&sha));
        std::fs::write(store.blob_path(&sha), b"tampered").unwrap();
        assert!(!store.has_blob(&sha));

        let manifest = br#"{"schemaVersion":2}"#;
        let digest = format!("sha256:{}", hex::encode(Sha256::digest(manifest)));
        store.put_manifest(&digest, manifest).unwrap();
        assert_eq!(store.manifest(&digest).as_deref(), Some(&manifest[..]));
        std::fs::write(store.manifest_path(&digest), b"{}").unwrap();
        assert_eq!(store.manifest(&digest), None);
    }
}
