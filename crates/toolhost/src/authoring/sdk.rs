//! Where the guest SDK is. It is not published, so a tool crate depends on it by path: by
//! default the SDK of the source tree this toolhost was built from (the path is baked in at
//! build time), else `--sdk PATH` or `$TOOLHOST_SDK`.

use std::path::{Path, PathBuf};

use super::AuthoringError;

/// The environment variable that names the SDK when `--sdk` is not given.
pub const SDK_ENV: &str = "TOOLHOST_SDK";

/// `guest/sdk` of the source tree this binary was built from.
pub fn baked_sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guest/sdk")
}

/// A located SDK crate.
#[derive(Debug, Clone)]
pub struct SdkLocation {
    /// The SDK crate's directory (absolute).
    pub dir: PathBuf,
    /// The workspace's Cargo.lock next to it, when there is one: a scaffold starts from it
    /// so that it builds with the dependency versions the SDK is tested with.
    pub lockfile: Option<PathBuf>,
}

/// The SDK named by `explicit`, else by `$TOOLHOST_SDK`, else the baked-in one.
pub fn locate(explicit: Option<&Path>) -> Result<SdkLocation, AuthoringError> {
    let (path, from) = match (explicit, std::env::var_os(SDK_ENV)) {
        (Some(p), _) => (p.to_path_buf(), "given with --sdk"),
        (None, Some(p)) => (PathBuf::from(p), "named by $TOOLHOST_SDK"),
        (None, None) => (
            baked_sdk_dir(),
            "the source tree this toolhost was built from",
        ),
    };
    let not_found = |why: String| AuthoringError::SdkNotFound {
        path: path.clone(),
        why,
        hint: format!(
            "that path is {from}; pass --sdk PATH (or set {SDK_ENV}) to the `guest/sdk` \
             directory of a toolhost source tree"
        ),
    };
    let dir = std::fs::canonicalize(&path).map_err(|e| not_found(e.to_string()))?;
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
        .map_err(|e| not_found(format!("no readable Cargo.toml: {e}")))?;
    if !manifest
        .lines()
        .any(|l| l.replace(' ', "") == "name=\"toolhost-sdk\"")
    {
        return Err(not_found(
            "its Cargo.toml is not the `toolhost-sdk` crate's".to_owned(),
        ));
    }
    // The SDK's bindings are generated from the contract two levels up (wit/tool.wit).
    if !dir.join("../../wit/tool.wit").is_file() {
        return Err(not_found(
            "the contract `wit/tool.wit` is not beside it in its source tree".to_owned(),
        ));
    }
    let lockfile = dir
        .join("../../Cargo.lock")
        .canonicalize()
        .ok()
        .filter(|p| p.is_file());
    Ok(SdkLocation { dir, lockfile })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baked_in_sdk_is_found() {
        let sdk = locate(Some(&baked_sdk_dir())).unwrap();
        assert!(sdk.dir.ends_with("guest/sdk"), "{}", sdk.dir.display());
        assert!(sdk.lockfile.is_some());
    }

    #[test]
    fn a_wrong_sdk_path_says_what_to_pass() {
        let err = locate(Some(Path::new("/nonexistent/sdk")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/sdk"), "{err}");
        assert!(err.contains("--sdk PATH"), "{err}");
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let err = locate(Some(here)).unwrap_err().to_string();
        assert!(err.contains("not the `toolhost-sdk` crate's"), "{err}");
    }
}
