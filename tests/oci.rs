//! Tools from OCI registries and URLs, against a real registry: Debian's `docker-registry`
//! (CNCF distribution), started on loopback with a temporary storage directory for each
//! test. `publish` → `add` → `run`; a moved tag refused without `--update`; digest
//! mismatch, bad and missing signatures each refused with their own code; a registry that
//! went away is a clear error while cached, pinned entries still run; a URL needs its
//! sha256.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sigstore::crypto::SigningScheme;

const REGISTRY_BINARY: &str = "/usr/bin/docker-registry";

/// A `docker-registry` serving on 127.0.0.1 from a temp dir; stopped when dropped.
struct OciRegistry {
    child: Option<Child>,
    port: u16,
    _storage: tempfile::TempDir,
}

impl OciRegistry {
    fn start() -> Self {
        assert!(
            Path::new(REGISTRY_BINARY).is_file(),
            "{REGISTRY_BINARY} is missing: `apt-get install docker-registry` (.ci/run does)"
        );
        let storage = tempfile::tempdir().unwrap();
        let port = free_port();
        let config = storage.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  \
                 delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
                storage.path().join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new(REGISTRY_BINARY)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let registry = OciRegistry {
            child: Some(child),
            port,
            _storage: storage,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while http_get(port, "/v2/", "").map(|(status, _)| status) != Some(200) {
            assert!(Instant::now() < deadline, "docker-registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        registry
    }

    fn reference(&self, repo_tag: &str) -> String {
        format!("oci://127.0.0.1:{}/{repo_tag}", self.port)
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OciRegistry {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A bare HTTP/1.0 GET: the status and body.
fn http_get(port: u16, path: &str, accept: &str) -> Option<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let accept = if accept.is_empty() {
        String::new()
    } else {
        format!("Accept: {accept}\r\n")
    };
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{accept}\r\n"
    )
    .ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, response[split + 4..].to_vec()))
}

/// A working directory with its own registry file and caches.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        Workspace {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn registry_file(&self) -> PathBuf {
        self.dir.path().join("tool_registry.yaml")
    }

    fn registry_text(&self) -> String {
        std::fs::read_to_string(self.registry_file()).unwrap_or_default()
    }

    fn cache(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    fn toolhost(&self, args: &[&str]) -> Output {
        self.toolhost_with_cache(&self.cache(), args)
    }

    fn toolhost_with_cache(&self, cache: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_toolhost"))
            .arg("--cache-dir")
            .arg(cache)
            .args(args)
            .current_dir(self.dir.path())
            .env("COSIGN_PASSWORD", "correct horse")
            .env_remove("TOOLHOST_CACHE_DIR")
            .output()
            .expect("run toolhost")
    }

    /// `toolhost --json ARGS`, which must succeed: its JSON.
    fn ok_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.toolhost(&all);
        assert!(
            out.status.success(),
            "toolhost {args:?} failed: {}",
            text(&out)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
    }

    /// `toolhost --json ARGS`, which must fail: its exit code and error code.
    fn refused(&self, args: &[&str]) -> (i32, String, String) {
        self.refused_with_cache(&self.cache(), args)
    }

    fn refused_with_cache(&self, cache: &Path, args: &[&str]) -> (i32, String, String) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.toolhost_with_cache(cache, &all);
        assert!(
            !out.status.success(),
            "toolhost {args:?} should fail: {}",
            text(&out)
        );
        let json: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
        (
            out.status.code().unwrap_or(-1),
            json["error"]["code"].as_str().unwrap_or("").to_owned(),
            json["error"]["message"].as_str().unwrap_or("").to_owned(),
        )
    }

    /// A cosign key pair: the private key encrypted with COSIGN_PASSWORD, as
    /// `cosign generate-key-pair` writes it, and the public key.
    fn key_pair(&self, name: &str) -> (PathBuf, PathBuf) {
        let pair = SigningScheme::ECDSA_P256_SHA256_ASN1
            .create_signer()
            .unwrap()
            .to_sigstore_keypair()
            .unwrap();
        let private = self.dir.path().join(format!("{name}.key"));
        let public = self.dir.path().join(format!("{name}.pub"));
        let pem = pair.private_key_to_encrypted_pem(b"correct horse").unwrap();
        std::fs::write(&private, pem.as_bytes()).unwrap();
        std::fs::write(&public, pair.public_key_to_pem().unwrap()).unwrap();
        (private, public)
    }
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn echo_output(ws: &Workspace, tool: &str, text_in: &str) -> String {
    let json = ws.ok_json(&["run", tool, &format!("{{\"text\": \"{text_in}\"}}")]);
    json.to_string()
}

#[test]
fn a_published_tool_round_trips_through_a_real_registry() {
    let registry = OciRegistry::start();
    let ws = Workspace::new();
    let target = registry.reference("tools/echo:1.0");
    let published = ws.ok_json(&["publish", "echo", &target]);
    let digest = published["digest"].as_str().unwrap().to_owned();
    assert!(digest.starts_with("sha256:"), "{published}");
    assert_eq!(published["contract"], "toolhost:tool@0.1.0");

    // The artifact is in the CNCF Wasm layout, with the WIT package version in its config.
    let (status, manifest) = http_get(
        registry.port,
        "/v2/tools/echo/manifests/1.0",
        "application/vnd.oci.image.manifest.v1+json",
    )
    .unwrap();
    assert_eq!(status, 200);
    let manifest: Value = serde_json::from_slice(&manifest).unwrap();
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm");
    assert_eq!(
        manifest["annotations"]["org.opencontainers.image.title"],
        "echo"
    );
    let config_path = format!(
        "/v2/tools/echo/blobs/{}",
        manifest["config"]["digest"].as_str().unwrap()
    );
    let (_, config) = http_get(registry.port, &config_path, "").unwrap();
    let config: Value = serde_json::from_slice(&config).unwrap();
    assert!(
        config["component"]["exports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "toolhost:tool/tool@0.1.0"),
        "{config}"
    );

    let added = ws.ok_json(&["add", &target, "--name", "remote_echo"]);
    assert_eq!(added["digest"], digest.as_str());
    let yaml = ws.registry_text();
    assert!(yaml.contains("- name: remote_echo"), "{yaml}");
    assert!(yaml.contains(&format!("digest: {digest}")), "{yaml}");
    assert!(
        yaml.contains(&format!(
            "sha256: {}",
            published["sha256"].as_str().unwrap()
        )),
        "{yaml}"
    );
    assert!(echo_output(&ws, "remote_echo", "from the registry").contains("from the registry"));

    // Adding the same tag again changes nothing.
    let again = ws.ok_json(&["add", &target, "--name", "remote_echo"]);
    assert_eq!(again["status"], "unchanged");
    assert_eq!(ws.registry_text(), yaml);
}

#[test]
fn a_moved_tag_is_refused_without_update_and_taken_with_it() {
    let registry = OciRegistry::start();
    let ws = Workspace::new();
    let target = registry.reference("tools/moving:1.0");
    let first = ws.ok_json(&["publish", "echo", &target]);
    ws.ok_json(&["add", &target, "--name", "moving"]);
    let before = ws.registry_text();

    // The same tag now names another component.
    let second = ws.ok_json(&["publish", "calc", &target]);
    assert_ne!(first["digest"], second["digest"]);
    let (exit, code, message) = ws.refused(&["add", &target, "--name", "moving"]);
    assert_eq!((exit, code.as_str()), (1, "tag_moved"), "{message}");
    assert!(message.contains("--update"), "{message}");
    assert_eq!(
        ws.registry_text(),
        before,
        "a refused add must not edit the file"
    );
    // Loads stay on the pinned digest: still echo.
    assert!(echo_output(&ws, "moving", "still echo").contains("still echo"));

    let updated = ws.ok_json(&["add", &target, "--name", "moving", "--update"]);
    assert_eq!(updated["digest"], second["digest"]);
    let yaml = ws.registry_text();
    assert!(yaml.contains(second["digest"].as_str().unwrap()), "{yaml}");
    let out = ws.ok_json(&["run", "moving", r#"{"expr": "6*7"}"#]);
    assert!(out.to_string().contains("42"), "{out}");
}

#[test]
fn signatures_are_checked_at_add_and_at_every_load() {
    let registry = OciRegistry::start();
    let ws = Workspace::new();
    let (private, public) = ws.key_pair("cosign");
    let (_, other_public) = ws.key_pair("other");
    let signed = registry.reference("tools/signed:1.0");
    let unsigned = registry.reference("tools/unsigned:1.0");
    let published = ws.ok_json(&[
        "publish",
        "echo",
        &signed,
        "--sign",
        private.to_str().unwrap(),
    ]);
    assert_eq!(published["signed"], true);
    ws.ok_json(&["publish", "echo", &unsigned]);

    // The signature is stored where cosign looks for it.
    let digest = published["digest"].as_str().unwrap();
    let sig_tag = format!(
        "/v2/tools/signed/manifests/{}.sig",
        digest.replace(':', "-")
    );
    let (status, _) = http_get(
        registry.port,
        &sig_tag,
        "application/vnd.oci.image.manifest.v1+json",
    )
    .unwrap();
    assert_eq!(status, 200);

    let (exit, code, message) = ws.refused(&["add", &unsigned, "--key", public.to_str().unwrap()]);
    assert_eq!((exit, code.as_str()), (1, "signature_missing"), "{message}");
    let (exit, code, message) =
        ws.refused(&["add", &signed, "--key", other_public.to_str().unwrap()]);
    assert_eq!((exit, code.as_str()), (1, "signature_invalid"), "{message}");
    assert!(!ws.registry_file().exists(), "refused adds write nothing");

    let added = ws.ok_json(&["add", &signed, "--key", "cosign.pub"]);
    assert_eq!(added["signature_verified"], true);
    assert!(
        ws.registry_text()
            .contains("verify: { key: \"cosign.pub\" }")
    );
    assert!(echo_output(&ws, "signed", "verified").contains("verified"));

    // At load the cached signature is checked against the key as it is now.
    std::fs::copy(&other_public, &public).unwrap();
    let (exit, code, message) = ws.refused(&["run", "signed", r#"{"text": "x"}"#]);
    assert_eq!((exit, code.as_str()), (1, "signature_invalid"), "{message}");
}

#[test]
fn an_entry_whose_digest_and_sha256_disagree_is_refused() {
    let registry = OciRegistry::start();
    let ws = Workspace::new();
    let echo = registry.reference("tools/echo:1.0");
    let calc = registry.reference("tools/echo:2.0");
    let echo_pub = ws.ok_json(&["publish", "echo", &echo]);
    let calc_pub = ws.ok_json(&["publish", "calc", &calc]);
    ws.ok_json(&["add", &echo, "--name", "pinned"]);
    // Someone edits the digest by hand (or merges two versions of the file).
    let yaml = ws.registry_text().replace(
        echo_pub["digest"].as_str().unwrap(),
        calc_pub["digest"].as_str().unwrap(),
    );
    std::fs::write(ws.registry_file(), yaml).unwrap();
    let (exit, code, message) = ws.refused(&["run", "pinned", r#"{"text": "x"}"#]);
    assert_eq!((exit, code.as_str()), (1, "digest_mismatch"), "{message}");
    assert!(
        message.contains(calc_pub["sha256"].as_str().unwrap()),
        "{message}"
    );
}

#[test]
fn an_unreachable_registry_is_a_clear_error_and_pinned_entries_run_from_the_cache() {
    let mut registry = OciRegistry::start();
    let ws = Workspace::new();
    let target = registry.reference("tools/echo:1.0");
    ws.ok_json(&["publish", "echo", &target]);
    ws.ok_json(&["add", &target, "--name", "cached"]);
    registry.stop();

    assert!(echo_output(&ws, "cached", "offline").contains("offline"));
    let (exit, code, message) = ws.refused(&["add", &target, "--name", "cached"]);
    assert_eq!((exit, code.as_str()), (5, "unavailable"), "{message}");
    assert!(message.contains("127.0.0.1"), "{message}");
    // With an empty cache the pinned content is needed from the registry.
    let empty = ws.dir.path().join("empty-cache");
    let (exit, code, message) =
        ws.refused_with_cache(&empty, &["run", "cached", r#"{"text": "x"}"#]);
    assert_eq!((exit, code.as_str()), (5, "unavailable"), "{message}");
    assert!(message.contains("not in the download cache"), "{message}");
}

/// Serves `body` at every path, for as many requests as come, from a thread.
fn serve_file(body: Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    port
}

#[test]
fn a_url_is_added_only_with_the_sha256_the_user_confirmed() {
    let wasm = toolhost::builtins::get("echo").unwrap().wasm.to_vec();
    let sha256 = toolhost::builtins::get("echo").unwrap().sha256;
    let port = serve_file(wasm);
    let ws = Workspace::new();
    let url = format!("http://127.0.0.1:{port}/dl/echo.wasm");

    let out = ws.toolhost(&["add", &url, "--name", "fetched"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(sha256),
        "the hash is shown to confirm: {stderr}"
    );
    assert!(!ws.registry_file().exists());

    let wrong = "0".repeat(64);
    let (exit, code, message) = ws.refused(&["add", &url, "--sha256", &wrong]);
    assert_eq!((exit, code.as_str()), (1, "pin_mismatch"), "{message}");

    let added = ws.ok_json(&["add", &url, "--name", "fetched", "--sha256", sha256]);
    assert_eq!(added["sha256"], sha256);
    assert!(ws.registry_text().contains(&format!("sha256: {sha256}")));
    assert!(echo_output(&ws, "fetched", "by url").contains("by url"));
}
