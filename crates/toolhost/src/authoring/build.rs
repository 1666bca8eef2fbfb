//! `toolhost build`: compile a tool crate for wasm32-wasip2 with the size profile and find
//! the component cargo made. The profile is passed with `--config`, so a crate's
//! Cargo.toml needs nothing toolhost-specific; cargo's own messages stream through.

use sha2::{Digest, Sha256};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::AuthoringError;

pub const TARGET: &str = "wasm32-wasip2";
/// The profile name; the same as the host's build of its built-in tools.
pub const PROFILE: &str = "plugin";
/// Small components: what the host's `[profile.plugin]` sets, as `--config` values.
const PROFILE_SETTINGS: &[(&str, &str)] = &[
    ("inherits", "\"release\""),
    ("opt-level", "\"s\""),
    ("lto", "true"),
    ("strip", "true"),
    ("codegen-units", "1"),
    ("panic", "\"abort\""),
];

/// A component `build` made.
#[derive(Debug, Clone)]
pub struct BuiltComponent {
    /// The crate's package name.
    pub package: String,
    /// The `.wasm` file (absolute).
    pub wasm: PathBuf,
    pub sha256: String,
    pub bytes: u64,
}

/// The crate's Cargo.toml: `path` itself, or `path/Cargo.toml`.
pub fn manifest_of(path: &Path) -> Result<PathBuf, AuthoringError> {
    let manifest = if path.file_name().is_some_and(|f| f == "Cargo.toml") {
        path.to_path_buf()
    } else {
        path.join("Cargo.toml")
    };
    std::fs::canonicalize(&manifest)
        .ok()
        .filter(|m| m.is_file())
        .ok_or_else(|| AuthoringError::NoManifest(path.to_path_buf()))
}

/// The cargo command that builds the crate at `manifest`.
pub fn cargo_command(manifest: &Path, target_dir: Option<&Path>) -> Command {
    let mut cargo = Command::new(std::env::var_os("TOOLHOST_CARGO").unwrap_or("cargo".into()));
    // Run from the crate so that rustup honours its rust-toolchain.toml.
    if let Some(dir) = manifest.parent() {
        cargo.current_dir(dir);
    }
    cargo
        .arg("build")
        .arg("--manifest-path")
        .arg(manifest)
        .args(["--target", TARGET, "--profile", PROFILE])
        .args(["--message-format", "json-render-diagnostics"]);
    for (key, value) in PROFILE_SETTINGS {
        cargo
            .arg("--config")
            .arg(format!("profile.{PROFILE}.{key}={value}"));
    }
    if let Some(dir) = target_dir {
        cargo.arg("--target-dir").arg(dir);
    }
    cargo
}

/// Build the crate at `crate_path` (its directory or its Cargo.toml).
pub fn build(
    crate_path: &Path,
    target_dir: Option<&Path>,
) -> Result<BuiltComponent, AuthoringError> {
    let manifest = manifest_of(crate_path)?;
    let package = package_name(&manifest).unwrap_or_default();
    let mut child = cargo_command(&manifest, target_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(AuthoringError::CargoUnavailable)?;
    let stdout = child.stdout.take().expect("stdout is piped");
    // With json-render-diagnostics cargo prints diagnostics as usual on stderr and only
    // the machine messages on stdout: the artifacts are found there.
    let mut wasm = None;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.map_err(AuthoringError::io("read cargo's output"))?;
        if let Some(path) = component_artifact(&line, &manifest) {
            wasm = Some(path);
        }
    }
    let status = child.wait().map_err(AuthoringError::io("wait for cargo"))?;
    if !status.success() {
        return Err(AuthoringError::BuildFailed {
            status: status.to_string(),
        });
    }
    let wasm = wasm.ok_or_else(|| AuthoringError::NoComponent {
        package: package.clone(),
    })?;
    let bytes =
        std::fs::read(&wasm).map_err(AuthoringError::io(format!("read {}", wasm.display())))?;
    Ok(BuiltComponent {
        package,
        sha256: hex::encode(Sha256::digest(&bytes)),
        bytes: bytes.len() as u64,
        wasm,
    })
}

/// The `.wasm` of a cdylib of the crate at `manifest`, if `line` is cargo's message for it.
fn component_artifact(line: &str, manifest: &Path) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-artifact"
        || Path::new(message["manifest_path"].as_str()?) != manifest
    {
        return None;
    }
    let is_cdylib = message["target"]["crate_types"]
        .as_array()?
        .iter()
        .any(|t| t == "cdylib");
    if !is_cdylib {
        return None;
    }
    message["filenames"]
        .as_array()?
        .iter()
        .filter_map(|f| f.as_str())
        .find(|f| f.ends_with(".wasm"))
        .map(PathBuf::from)
}

/// `name` under `[package]`, read without a TOML parser: enough for the manifests
/// `toolhost new` writes and for ordinary ones.
fn package_name(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "name"
        {
            return Some(value.trim().trim_matches('"').to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_profile_is_passed_as_config() {
        let cargo = cargo_command(Path::new("/x/Cargo.toml"), Some(Path::new("/t")));
        let args: Vec<String> = cargo
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        for expected in [
            "profile.plugin.opt-level=\"s\"",
            "profile.plugin.lto=true",
            "profile.plugin.strip=true",
            "profile.plugin.codegen-units=1",
            "profile.plugin.panic=\"abort\"",
        ] {
            assert!(args.iter().any(|a| a == expected), "{expected} in {args:?}");
        }
        assert!(args.windows(2).any(|w| w == ["--target", TARGET]));
        assert!(args.windows(2).any(|w| w == ["--target-dir", "/t"]));
    }

    #[test]
    fn only_the_crates_own_cdylib_is_taken() {
        let manifest = Path::new("/src/greet/Cargo.toml");
        let ours = r#"{"reason":"compiler-artifact","manifest_path":"/src/greet/Cargo.toml","target":{"crate_types":["cdylib","rlib"]},"filenames":["/t/greet.wasm","/t/libgreet.rlib"]}"#;
        let dependency = r#"{"reason":"compiler-artifact","manifest_path":"/src/sdk/Cargo.toml","target":{"crate_types":["cdylib"]},"filenames":["/t/sdk.wasm"]}"#;
        assert_eq!(
            component_artifact(ours, manifest),
            Some(PathBuf::from("/t/greet.wasm"))
        );
        assert_eq!(component_artifact(dependency, manifest), None);
        assert_eq!(component_artifact("not json", manifest), None);
    }
}
