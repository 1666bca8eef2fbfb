//! The layers the compiler enforces: only `toolhost-core` may depend on wasmtime, so no
//! front end can name a wasmtime type. Read from the workspace's own manifests.

use std::process::Command;

use serde_json::Value;

fn workspace_packages() -> Vec<Value> {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    metadata["packages"].as_array().expect("packages").clone()
}

fn names_wasmtime(dependency: &Value) -> bool {
    let name = dependency["name"].as_str().unwrap_or("");
    name.starts_with("wasmtime") || name.starts_with("cranelift")
}

#[test]
fn only_toolhost_core_depends_on_wasmtime() {
    let packages = workspace_packages();
    assert!(
        packages.len() > 10,
        "the workspace's packages were not found"
    );
    let mut offenders = Vec::new();
    let mut core_has_it = false;
    for package in &packages {
        let name = package["name"].as_str().unwrap_or("");
        let wasmtime_deps: Vec<&str> = package["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| names_wasmtime(d))
            .filter_map(|d| d["name"].as_str())
            .collect();
        if name == "toolhost-core" {
            core_has_it = !wasmtime_deps.is_empty();
        } else if !wasmtime_deps.is_empty() {
            offenders.push(format!("{name}: {}", wasmtime_deps.join(", ")));
        }
    }
    assert!(
        core_has_it,
        "toolhost-core should be the crate that runs wasmtime"
    );
    assert!(
        offenders.is_empty(),
        "only toolhost-core may depend on wasmtime; also: {offenders:?}"
    );
}

#[test]
fn the_front_end_crate_depends_on_the_core() {
    let packages = workspace_packages();
    let front = packages
        .iter()
        .find(|p| p["name"] == "toolhost")
        .expect("the toolhost package");
    let deps: Vec<&str> = front["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert!(deps.contains(&"toolhost-core"), "{deps:?}");
}
