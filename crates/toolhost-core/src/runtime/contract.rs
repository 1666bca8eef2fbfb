//! Checks that a component is a toolhost tool built against a contract this host speaks,
//! before the linker gets to produce a less helpful message.

use wasmtime::Engine;
use wasmtime::component::Component;

/// The WIT package version this host implements (wit/tool.wit).
pub const CONTRACT_VERSION: &str = "0.1.0";
const EXPORT_PREFIX: &str = "toolhost:tool/tool@";
const HOST_IMPORT_PREFIX: &str = "toolhost:tool/host@";

/// `Err` explains the mismatch in terms of both versions.
pub fn check(engine: &Engine, component: &Component) -> Result<(), String> {
    let ty = component.component_type();
    let exports: Vec<String> = ty
        .exports(engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    let Some(export) = exports.iter().find(|n| n.starts_with("toolhost:tool/tool")) else {
        return Err(format!(
            "the component does not export `{EXPORT_PREFIX}{CONTRACT_VERSION}`, so it is not a \
             toolhost tool (it exports: {})",
            if exports.is_empty() {
                "nothing".to_owned()
            } else {
                exports.join(", ")
            }
        ));
    };
    let version = export
        .strip_prefix(EXPORT_PREFIX)
        .unwrap_or("(unversioned)");
    if !compatible(version) {
        return Err(format!(
            "the component was built against toolhost:tool@{version}, but this toolhost \
             speaks toolhost:tool@{CONTRACT_VERSION}; rebuild the tool against the current \
             wit/ (or use a toolhost that speaks {version})"
        ));
    }
    for (name, _) in ty.imports(engine) {
        if let Some(v) = name.strip_prefix(HOST_IMPORT_PREFIX)
            && !compatible(v)
        {
            return Err(format!(
                "the component imports toolhost:tool/host@{v}, but this toolhost provides \
                 toolhost:tool/host@{CONTRACT_VERSION}"
            ));
        }
    }
    Ok(())
}

/// A component that imports wasi:http may only run with a network grant; say so before the
/// linker would report a bare missing import.
pub fn check_no_network_imports(
    engine: &Engine,
    component: &Component,
    tool: &str,
) -> Result<(), String> {
    let ty = component.component_type();
    let http: Vec<String> = ty
        .imports(engine)
        .map(|(name, _)| name.to_owned())
        .filter(|n| n.starts_with("wasi:http/"))
        .collect();
    if http.is_empty() {
        return Ok(());
    }
    Err(format!(
        "tool `{tool}` imports {} (outbound HTTP) but its registry entry grants no network \
         hosts (`grants.network` is empty), so it is not given network access; add the hosts \
         it may reach, e.g. `grants: {{network: [\"https://api.example.com\"]}}`",
        http.join(", ")
    ))
}

/// Same major version, and for 0.x the same minor version (semver's rule for 0.x).
fn compatible(version: &str) -> bool {
    let parse = |v: &str| -> Option<(u64, u64)> {
        let mut parts = v.split('.');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    };
    match (parse(version), parse(CONTRACT_VERSION)) {
        (Some((0, a)), Some((0, b))) => a == b,
        (Some((a, _)), Some((b, _))) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::compatible;

    #[test]
    fn versions_follow_semver_for_0_x() {
        assert!(compatible("0.1.0"));
        assert!(compatible("0.1.7"));
        assert!(!compatible("0.2.0"));
        assert!(!compatible("1.1.0"));
        assert!(!compatible("garbage"));
    }
}
