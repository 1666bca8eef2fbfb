//! On-disk cache of compiled components, so a process compiles each component once ever.
//!
//! Entries are keyed by the component's sha256, the engine's compatibility hash and this
//! toolhost's version. An entry is two files: wasmtime's own serialization (`.cwasm`),
//! which is mapped into memory as it is rather than read and copied, and a sidecar
//! (`.sum`) with its length and CRC-32. An entry that fails that check, or that wasmtime
//! refuses to load (another engine, another version), is compiled again and replaced,
//! never trusted.
//!
//! Why this shape: the Python interpreter compiles to 17 MB of code, and reading it,
//! hashing it with SHA-256 and copying it took 40 ms of a session's start; mapping it
//! and checking a CRC takes 2–3 ms. The CRC is there for corruption (a torn write, a bad
//! disk), which is all a checksum can catch here: whoever can write the cache directory
//! can write native code, whatever the hash.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::compile_notice::{Announced, CompileWatcher};

const SUM_MAGIC: &[u8; 8] = b"THCSUM2\0";
/// Bytes read at a time while checking an entry: the file is streamed, never held.
const CHECK_BUFFER: usize = 1 << 20;

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
    watcher: Option<CompileWatcher>,
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
    pub fn new(engine: &Engine, dir: Option<PathBuf>, watcher: Option<CompileWatcher>) -> Self {
        let mut hasher = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        hasher.write(env!("CARGO_PKG_VERSION").as_bytes());
        let engine_key = hex::encode(&hasher.0.finalize()[..8]);
        CompileCache {
            dir,
            engine_key,
            watcher,
        }
    }

    /// The default location: `$TOOLHOST_CACHE_DIR`, else the user's cache directory.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("TOOLHOST_CACHE_DIR") {
            return Some(PathBuf::from(dir));
        }
        directories::ProjectDirs::from("dev", "toolhost", "toolhost")
            .map(|d| d.cache_dir().join("components"))
    }

    /// The entry's body and its sidecar. The `v2` keeps toolhosts of the earlier
    /// single-file format, sharing a cache directory, from replacing each other's entries.
    fn entry_paths(&self, dir: &Path, wasm_sha256: &str) -> (PathBuf, PathBuf) {
        let stem = format!("{wasm_sha256}-{}-v2", self.engine_key);
        (
            dir.join(format!("{stem}.cwasm")),
            dir.join(format!("{stem}.sum")),
        )
    }

    /// Load the compiled form of `wasm` (whose sha256 is `wasm_sha256`); `name` says what
    /// it is to whoever watches compiles.
    pub fn load(
        &self,
        engine: &Engine,
        wasm: &[u8],
        wasm_sha256: &str,
        name: &str,
    ) -> anyhow::Result<(Component, CacheOutcome)> {
        let Some(dir) = &self.dir else {
            let _announced = Announced::start(self.watcher.as_ref(), name, wasm.len(), false);
            return Ok((Component::new(engine, wasm)?, CacheOutcome::Disabled));
        };
        let (path, sum_path) = self.entry_paths(dir, wasm_sha256);
        let mut outcome = CacheOutcome::Compiled;
        match verify(&path, &sum_path) {
            // SAFETY: the file is what this cache wrote for this component and engine (its
            // length and checksum match), and wasmtime checks engine compatibility again.
            Ok(true) => match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok((component, CacheOutcome::Hit)),
                Err(e) => outcome = CacheOutcome::Replaced(format!("incompatible entry: {e}")),
            },
            Ok(false) => {
                outcome = CacheOutcome::Replaced("corrupt entry (checksum mismatch)".into())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => outcome = CacheOutcome::Replaced(format!("unreadable entry: {e}")),
        }
        let _announced = Announced::start(self.watcher.as_ref(), name, wasm.len(), true);
        let component = Component::new(engine, wasm)?;
        // A cache that cannot be written only costs time on the next start.
        let _ = store(dir, &path, &sum_path, &component.serialize()?);
        Ok((component, outcome))
    }
}

/// Whether the body at `path` has the length and CRC its sidecar records.
fn verify(path: &Path, sum_path: &Path) -> std::io::Result<bool> {
    let sum = std::fs::read(sum_path)?;
    let Some(expected) = sum
        .strip_prefix(SUM_MAGIC.as_slice())
        .filter(|rest| rest.len() == 12)
    else {
        return Ok(false);
    };
    let crc = u32::from_le_bytes(expected[..4].try_into().expect("4 bytes"));
    let len = u64::from_le_bytes(expected[4..].try_into().expect("8 bytes"));
    let mut file = std::fs::File::open(path)?;
    if file.metadata()?.len() != len {
        return Ok(false);
    }
    let mut hasher = crc32fast::Hasher::new();
    let mut buffer = vec![0; CHECK_BUFFER];
    loop {
        match file.read(&mut buffer)? {
            0 => break,
            n => hasher.update(&buffer[..n]),
        }
    }
    Ok(hasher.finalize() == crc)
}

fn sidecar(body: &[u8]) -> Vec<u8> {
    let mut sum = SUM_MAGIC.to_vec();
    sum.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    sum.extend_from_slice(&(body.len() as u64).to_le_bytes());
    sum
}

fn store(dir: &Path, path: &Path, sum_path: &Path, body: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    // Each rename is atomic: a concurrent reader sees an old file or a whole new one. The
    // body goes first; a reader that pairs it with an older sidecar finds a mismatch (or
    // the same bytes: compiling is deterministic) and at worst compiles again.
    for (target, bytes) in [(path, body), (sum_path, &sidecar(body)[..])] {
        let tmp = target.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, target)?;
    }
    Ok(())
}
