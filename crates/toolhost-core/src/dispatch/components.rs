//! Components shared between registry entries. A registry may name the same component
//! many times (5,000 entries of a handful of components); each distinct component (by
//! sha256, and by whether it is linked with wasi:http) is read, compiled and described
//! once, and every entry naming it holds a reference, not a copy. `describe` does not
//! depend on the entry (wit/tool.wit: the host calls it once per component).

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

use super::describe::Example;
use crate::builtins;
use crate::error::{ErrorCode, ToolError};
use crate::registry::{ComponentSource, ToolEntry};
use crate::runtime::PreparedComponent;

/// A compiled component and what it says about itself.
pub struct SharedComponent {
    pub prepared: PreparedComponent,
    pub version: String,
    pub description: String,
    pub input_schema: Value,
    pub output_schema: Option<Value>,
    pub examples: Vec<Example>,
    pub validator: super::validate::InputCheck,
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ComponentKey {
    pub sha256: String,
    /// Linked with wasi:http (the entry grants network hosts) or not.
    pub network: bool,
}

/// What identifies a file's contents without reading them: if none of these changed, the
/// bytes hashed last time are the bytes there now.
#[derive(Clone, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl FileStamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: (meta.dev(), meta.ino()),
        }
    }
}

#[derive(Default)]
pub struct ComponentTable {
    hashes: Mutex<HashMap<PathBuf, (FileStamp, String)>>,
    loaded: Mutex<HashMap<ComponentKey, Arc<OnceCell<Arc<SharedComponent>>>>>,
}

impl ComponentTable {
    /// The cell that holds (or will hold) the component for `key`.
    pub fn cell(&self, key: ComponentKey) -> Arc<OnceCell<Arc<SharedComponent>>> {
        self.loaded
            .lock()
            .expect("component table lock")
            .entry(key)
            .or_default()
            .clone()
    }

    /// The sha256 of the entry's component; a file is read (and hashed) only when it is new
    /// or has changed since it was last hashed.
    pub fn sha256(&self, entry: &ToolEntry) -> Result<String, ToolError> {
        let path = match &entry.component {
            ComponentSource::Builtin(name) => return Ok(builtin(name)?.sha256.to_owned()),
            ComponentSource::File(path) => path,
            ComponentSource::Oci(_) | ComponentSource::Url(_) => return Err(unresolved(entry)),
        };
        let stamp = FileStamp::of(&check_size(path, entry.limits.max_component_bytes)?);
        if let Some((known, sha)) = self.hashes.lock().expect("hash lock").get(path)
            && *known == stamp
        {
            return Ok(sha.clone());
        }
        let (_, sha) = self.read(entry)?;
        Ok(sha)
    }

    /// The entry's component bytes and their sha256, read within the entry's size limit.
    pub fn read(&self, entry: &ToolEntry) -> Result<(Cow<'static, [u8]>, String), ToolError> {
        let path = match &entry.component {
            ComponentSource::Builtin(name) => {
                let b = builtin(name)?;
                return Ok((b.wasm.into(), b.sha256.to_owned()));
            }
            ComponentSource::File(path) => path,
            ComponentSource::Oci(_) | ComponentSource::Url(_) => return Err(unresolved(entry)),
        };
        let limit = entry.limits.max_component_bytes;
        let unreadable = |e: std::io::Error| {
            ToolError::new(
                ErrorCode::Registry,
                format!("cannot read component {}: {e}", path.display()),
            )
        };
        let file = std::fs::File::open(path).map_err(unreadable)?;
        let meta = file.metadata().map_err(unreadable)?;
        refuse_oversize(path, meta.len(), limit)?;
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        // A file that grows after the check is still read no further than the limit.
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        refuse_oversize(path, bytes.len() as u64, limit)?;
        let sha = hex::encode(Sha256::digest(&bytes));
        self.hashes
            .lock()
            .expect("hash lock")
            .insert(path.clone(), (FileStamp::of(&meta), sha.clone()));
        Ok((bytes.into(), sha))
    }
}

fn builtin(name: &str) -> Result<&'static builtins::Builtin, ToolError> {
    builtins::get(name).ok_or_else(|| {
        ToolError::new(
            ErrorCode::Registry,
            format!("no built-in component `{name}`"),
        )
    })
}

/// A remote entry reaches the table only as the local file its source gave (dispatch).
fn unresolved(entry: &ToolEntry) -> ToolError {
    ToolError::new(
        ErrorCode::Internal,
        format!(
            "component {} was read before it was fetched",
            entry.component
        ),
    )
}

/// The file's metadata, once its size is known to be within `limit`.
fn check_size(path: &Path, limit: u64) -> Result<std::fs::Metadata, ToolError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        ToolError::new(
            ErrorCode::Registry,
            format!("cannot read component {}: {e}", path.display()),
        )
    })?;
    refuse_oversize(path, meta.len(), limit)?;
    Ok(meta)
}

fn refuse_oversize(path: &Path, len: u64, limit: u64) -> Result<(), ToolError> {
    if len <= limit {
        return Ok(());
    }
    Err(ToolError::new(
        ErrorCode::Registry,
        format!(
            "component {} is {len} bytes, over the {} MiB limit on component files \
             (limits.max_component_mb in the registry raises it)",
            path.display(),
            limit >> 20
        ),
    ))
}
