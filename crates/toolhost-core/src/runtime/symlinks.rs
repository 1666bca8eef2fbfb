//! Symbolic links in granted directories. The sandbox never follows a link out of a
//! grant, but other programs on the host do: a tool with a read-write grant could leave
//! `data/passwd -> ../../etc/passwd` for them. So wasi:filesystem's `symlink-at` is
//! replaced: it answers `not-permitted` unless the directory it writes in belongs to a
//! grant with `symlinks: true`, and only then does what wasmtime-wasi does.

use std::path::PathBuf;

use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource, ResourceTable};
use wasmtime_wasi::filesystem::{Descriptor, WasiFilesystemView};
use wasmtime_wasi::p2::bindings::filesystem::types::{self, ErrorCode, HostDescriptor};

use super::call_state::CallState;

/// The interface as wasmtime-wasi 48 links it (`add_to_linker_async`); the name must match
/// for the replacement to shadow the original.
const FILESYSTEM_TYPES: &str = "wasi:filesystem/types@0.2.12";

pub fn add_to_linker(linker: &mut Linker<CallState>) -> anyhow::Result<()> {
    linker.allow_shadowing(true);
    linker.instance(FILESYSTEM_TYPES)?.func_wrap_async(
        "[method]descriptor.symlink-at",
        |mut store: StoreContextMut<'_, CallState>,
         (dir, target, path): (Resource<Descriptor>, String, String)| {
            Box::new(async move {
                if !store.data().may_symlink_in(&dir) {
                    return Ok((Err(ErrorCode::NotPermitted),));
                }
                let mut fs = store.data_mut().filesystem();
                let result = match fs.symlink_at(dir, target, path).await {
                    Ok(()) => Ok(()),
                    Err(e) => Err(types::Host::convert_error_code(&mut fs, e)?),
                };
                Ok((result,))
            })
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// Whether `dir` is a directory inside one of `allowed` (host paths of the grants that
/// permit symlinks). Its host path comes from the open descriptor (Linux's /proc); where
/// that cannot be read, the answer is no.
pub fn allowed(table: &ResourceTable, allowed: &[PathBuf], dir: &Resource<Descriptor>) -> bool {
    if allowed.is_empty() {
        return false;
    }
    let Ok(Descriptor::Dir(d)) = table.get(dir) else {
        return false;
    };
    host_path(&d.dir).is_some_and(|path| allowed.iter().any(|root| path.starts_with(root)))
}

#[cfg(target_os = "linux")]
fn host_path(dir: &std::fs::File) -> Option<PathBuf> {
    use std::os::fd::AsRawFd;
    std::fs::read_link(format!("/proc/self/fd/{}", dir.as_raw_fd())).ok()
}

#[cfg(not(target_os = "linux"))]
fn host_path(_dir: &std::fs::File) -> Option<PathBuf> {
    None
}
