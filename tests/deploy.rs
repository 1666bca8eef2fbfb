//! deploy/: the Kubernetes manifests are valid against the Kubernetes schemas (PyPI's
//! kubernetes-validate, which bundles them, so no cluster or network is needed), and they
//! and the Containerfile agree with the server they run: the flags exist, the probes hit
//! the admin port, the grace period covers the drain.

use serde_yaml::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn manifests() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("deploy/kubernetes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// kubernetes-validate from the venv .ci/run makes under target/, or PATH.
fn kubernetes_validate() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target dir")
        .join("k8s-venv/bin/kubernetes-validate");
    for candidate in [venv, PathBuf::from("kubernetes-validate")] {
        if Command::new(&candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return candidate;
        }
    }
    panic!(
        "kubernetes-validate is not installed; install it as .ci/run does:\n  python3 -m venv \
         target/k8s-venv && target/k8s-venv/bin/pip install -r deploy/kubernetes/requirements.txt"
    );
}

/// The oldest Kubernetes the manifests promise to work on (preStop `sleep` is beta and
/// on by default from 1.30).
const KUBERNETES_VERSION: &str = "1.30";

fn validate(files: &[PathBuf]) -> std::process::Output {
    Command::new(kubernetes_validate())
        .args(["--strict", "--quiet", "-k", KUBERNETES_VERSION])
        .args(files)
        .output()
        .unwrap()
}

#[test]
fn manifests_validate_strictly_against_the_kubernetes_schemas() {
    let files = manifests();
    assert!(files.len() >= 3, "{files:?}");
    let out = validate(&files);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The validator does look: a misspelt field fails.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("deployment.yaml");
    let text = std::fs::read_to_string(repo().join("deploy/kubernetes/deployment.yaml")).unwrap();
    std::fs::write(&broken, text.replace("readinessProbe:", "readynessProbe:")).unwrap();
    let out = validate(&[broken]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("readynessProbe"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn documents(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(repo().join("deploy/kubernetes").join(name)).unwrap();
    serde_yaml::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect()
}

fn of_kind(kind: &str) -> Value {
    manifests()
        .iter()
        .flat_map(|p| documents(p.file_name().unwrap().to_str().unwrap()))
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in deploy/kubernetes"))
}

/// `--flag=value` arguments as (flag, value).
fn flags(args: &Value) -> Vec<(String, String)> {
    args.as_sequence()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .filter(|a| a.starts_with("--"))
        .map(|a| match a.split_once('=') {
            Some((f, v)) => (f.to_owned(), v.to_owned()),
            None => (a.to_owned(), String::new()),
        })
        .collect()
}

fn mcp_help() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(["mcp", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_deployment_agrees_with_the_servers_flags_probes_and_drain() {
    let deployment = of_kind("Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let args = flags(&container["args"]);
    let help = mcp_help();
    for (flag, _) in &args {
        assert!(
            help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
            "the Deployment passes {flag}, which `toolhost mcp` does not take"
        );
    }
    let value = |flag: &str| {
        args.iter()
            .find(|(f, _)| f == flag)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("the Deployment sets no {flag}"))
    };
    // Probes go to the admin listener, which needs no MCP session.
    let admin_port: u64 = value("--admin-addr")
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let port_named = |name: &str| {
        container["ports"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["containerPort"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(port_named("admin"), admin_port);
    for (probe, path) in [
        ("readinessProbe", "/readyz"),
        ("startupProbe", "/readyz"),
        ("livenessProbe", "/healthz"),
    ] {
        assert_eq!(container[probe]["httpGet"]["path"], path, "{probe}");
        assert_eq!(container[probe]["httpGet"]["port"], "admin", "{probe}");
    }
    // The grace period covers the preStop pause and the whole drain.
    let drain: f64 = value("--drain-timeout").parse().unwrap();
    let pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        .as_f64()
        .unwrap_or(0.0);
    let grace = pod["terminationGracePeriodSeconds"].as_f64().unwrap();
    assert!(
        grace >= pre_stop + drain + 1.0,
        "terminationGracePeriodSeconds {grace} < preStop {pre_stop} + drain {drain}"
    );
    // Non-root, read-only root filesystem, the compile cache on a writable volume.
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    let cache = container["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "TOOLHOST_CACHE_DIR")
        .unwrap()["value"]
        .clone();
    assert!(
        container["volumeMounts"]
            .as_sequence()
            .unwrap()
            .iter()
            .any(|m| m["mountPath"] == cache),
        "the compile cache dir {cache:?} is not a mounted volume"
    );
    // The init container warms that cache with `toolhost check`.
    let init = &pod["initContainers"][0];
    assert_eq!(init["args"][0], "check");
    // The autoscaler scales this Deployment on CPU.
    let hpa = of_kind("HorizontalPodAutoscaler");
    assert_eq!(
        hpa["spec"]["scaleTargetRef"]["name"],
        deployment["metadata"]["name"]
    );
    assert_eq!(hpa["spec"]["metrics"][0]["resource"]["name"], "cpu");
    assert!(container["resources"]["requests"]["cpu"].is_string());
}

#[test]
fn the_containerfile_is_multi_stage_non_root_and_runs_flags_that_exist() {
    let text = std::fs::read_to_string(repo().join("deploy/Containerfile")).unwrap();
    assert!(text.lines().filter(|l| l.starts_with("FROM ")).count() >= 2);
    let user = text
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER");
    assert!(
        !user.starts_with('0') && !user.starts_with("root"),
        "{user}"
    );
    let cmd: String = text
        .split("CMD [")
        .nth(1)
        .expect("a CMD")
        .split(']')
        .next()
        .unwrap()
        .to_owned();
    let help = mcp_help();
    for flag in cmd
        .split(',')
        .map(|a| a.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\\'))
        .filter(|a| a.starts_with("--"))
    {
        assert!(help.contains(flag), "the Containerfile's CMD passes {flag}");
    }
}
