//! On-disk cache of compiled components, so a process compiles each component once ever.
//!
//! Entries are keyed by the component's sha256, the engine's compatibility hash and this
//! toolhost's version. An entry carries the sha256 of its own body; one that fails that
//! check, or that wasmtime refuses to load (another engine, another version), is compiled
//! again and replaced, never trusted.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

const MAGIC: &[u8; 8] = b"THCWASM1";

/// What happened when a component was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Loaded from the cache without compiling.
    Hit,
    /// Not cached yet: compiled and stored.
    Compiled,
    /// A cached entry was corrupt or incompatible: compiled again and replaced.
    Replaced(String),
    /// No cache directory: compiled in memory only.
    Disabled,
}

pub struct CompileCache {
    dir: Option<PathBuf>,
    engine_key: String,
}

/// Feeds `Hash` output into sha256 so the engine's compatibility hash is stable on disk.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

impl CompileCache {
    /// `dir: None` disables the cache.
    pub fn new(engine: &Engine, dir: Option<PathBuf>) -> Self {
        let mut hasher = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        hasher.write(env!("CARGO_PKG_VERSION").as_bytes());
        let engine_key = hex::encode(&hasher.0.finalize()[..8]);
        CompileCache { dir, engine_key }
    }

    /// The default location: `$TOOLHOST_CACHE_DIR`, else the user's cache directory.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("TOOLHOST_CACHE_DIR") {
            return Some(PathBuf::from(dir));
        }
        directories::ProjectDirs::from("dev", "toolhost", "toolhost")
            .map(|d| d.cache_dir().join("components"))
    }

    fn entry_path(&self, dir: &Path, wasm_sha256: &str) -> PathBuf {
        dir.join(format!("{wasm_sha256}-{}.cwasm", self.engine_key))
    }

    /// Load the compiled form of `wasm` (whose sha256 is `wasm_sha256`).
    pub fn load(
        &self,
        engine: &Engine,
        wasm: &[u8],
        wasm_sha256: &str,
    ) -> anyhow::Result<(Component, CacheOutcome)> {
        let Some(dir) = &self.dir else {
            return Ok((Component::new(engine, wasm)?, CacheOutcome::Disabled));
        };
        let path = self.entry_path(dir, wasm_sha256);
        let mut outcome = CacheOutcome::Compiled;
        match std::fs::read(&path) {
            Ok(bytes) => match verified_body(&bytes) {
                // SAFETY: the body is what this cache wrote for this component and engine
                // (its checksum matches), and wasmtime checks engine compatibility again.
                Some(body) => match unsafe { Component::deserialize(engine, body) } {
                    Ok(component) => return Ok((component, CacheOutcome::Hit)),
                    Err(e) => outcome = CacheOutcome::Replaced(format!("incompatible entry: {e}")),
                },
                None => {
                    outcome = CacheOutcome::Replaced("corrupt entry (checksum mismatch)".into())
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => outcome = CacheOutcome::Replaced(format!("unreadable entry: {e}")),
        }
        let component = Component::new(engine, wasm)?;
        // A cache that cannot be written only costs time on the next start.
        let _ = store(dir, &path, &component.serialize()?);
        Ok((component, outcome))
    }
}

fn verified_body(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    if rest.len() < 32 {
        return None;
    }
    let (sum, body) = rest.split_at(32);
    (Sha256::digest(body).as_slice() == sum).then_some(body)
}

fn store(dir: &Path, path: &Path, body: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut data = Vec::with_capacity(MAGIC.len() + 32 + body.len());
    data.extend_from_slice(MAGIC);
    data.extend_from_slice(&Sha256::digest(body));
    data.extend_from_slice(body);
    std::fs::write(&tmp, &data)?;
    // Rename is atomic: a concurrent reader sees the old entry or the whole new one.
    std::fs::rename(&tmp, path)
}
