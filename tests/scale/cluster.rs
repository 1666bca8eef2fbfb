//! Replicas of `toolhost mcp --http` on loopback and HAProxy in front of them, configured
//! from the repository's deploy/haproxy.cfg.
// Shared by the tests and the bench, which each use part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

/// The registry the replicas serve: small, so warming it is quick.
pub const REGISTRY: &str = "builtins: none\ntools:\n  - name: calc\n    component: builtin:calc\n  - name: echo\n    component: builtin:echo\n  - name: mcmc\n    component: builtin:mcmc\n    limits: {timeout_ms: 120000}\n";

pub struct Replica {
    pub name: String,
    pub child: Child,
    /// `http://127.0.0.1:PORT/mcp`
    pub mcp_url: String,
    /// `127.0.0.1:PORT` of /healthz, /readyz and /metrics.
    pub admin: String,
    /// Everything it wrote on stderr so far.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Replica {
    /// Starts `toolhost mcp --http 127.0.0.1:0 --admin-addr 127.0.0.1:0 EXTRA...` and
    /// reads both addresses from its log.
    pub async fn start(name: &str, registry: &Path, cache: &Path, extra: &[&str]) -> Replica {
        let mut args = vec![
            "--registry",
            registry.to_str().unwrap(),
            "mcp",
            "--http",
            "127.0.0.1:0",
            "--admin-addr",
            "127.0.0.1:0",
        ];
        args.extend_from_slice(extra);
        let mut child = Command::new(env!("CARGO_BIN_EXE_toolhost"))
            .args(&args)
            .env("TOOLHOST_CACHE_DIR", cache)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start toolhost");
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (mut mcp_url, mut admin) = (None, None);
        tokio::time::timeout(Duration::from_secs(30), async {
            while mcp_url.is_none() || admin.is_none() {
                let Some(line) = lines.next_line().await.unwrap() else {
                    panic!("replica {name} exited before printing its addresses");
                };
                log.lock().unwrap().push(line.clone());
                if let Some(i) = line.find("http://") {
                    // Text or JSON log lines: the URL ends at a space or a quote.
                    let url = line[i..]
                        .split(|c: char| c.is_whitespace() || c == '"')
                        .next()
                        .unwrap()
                        .to_owned();
                    if url.ends_with("/mcp") {
                        mcp_url = Some(url);
                    } else if line.contains("health and metrics") {
                        admin = Some(
                            url.trim_start_matches("http://")
                                .trim_end_matches('/')
                                .to_owned(),
                        );
                    }
                }
            }
        })
        .await
        .expect("replica addresses");
        let sink = log.clone();
        // Keep reading: a server whose stderr is closed may fail as it logs.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                sink.lock().unwrap().push(line);
            }
        });
        Replica {
            name: name.to_owned(),
            child,
            mcp_url: mcp_url.unwrap(),
            admin: admin.unwrap(),
            log,
        }
    }

    pub fn mcp_port(&self) -> u16 {
        port_of(
            self.mcp_url
                .trim_start_matches("http://")
                .trim_end_matches("/mcp"),
        )
    }

    pub fn admin_port(&self) -> u16 {
        port_of(&self.admin)
    }

    /// GET an admin path: status and body (or `None` when nothing answers).
    pub async fn admin_get(&self, path: &str) -> Option<(u16, String)> {
        let response = reqwest::Client::new()
            .get(format!("http://{}{path}", self.admin))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        let status = response.status().as_u16();
        Some((status, response.text().await.unwrap_or_default()))
    }

    /// Waits until /readyz answers 200 (every tool compiled).
    pub async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some((200, _)) = self.admin_get("/readyz").await {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "replica {} not ready in 120 s; log:\n{}",
                self.name,
                self.log.lock().unwrap().join("\n")
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn signal(&self, signal: libc::c_int) {
        let pid = self.child.id().expect("running") as libc::pid_t;
        // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

fn port_of(address: &str) -> u16 {
    address.rsplit(':').next().unwrap().parse().expect("a port")
}

/// `toolhost_calls_total` by tool (every result code summed) from a /metrics text.
pub fn calls_by_tool(metrics: &str) -> BTreeMap<String, u64> {
    let mut totals = BTreeMap::new();
    for line in metrics.lines() {
        let Some(rest) = line.strip_prefix("toolhost_calls_total{") else {
            continue;
        };
        let (labels, value) = rest.split_once("} ").expect("a sample");
        let tool = labels
            .split(',')
            .find_map(|l| l.strip_prefix("tool=\""))
            .expect("a tool label")
            .trim_end_matches('"');
        *totals.entry(tool.to_owned()).or_default() += value.trim().parse::<u64>().unwrap();
    }
    totals
}

/// One value of an unlabelled metric.
pub fn gauge(metrics: &str, name: &str) -> Option<f64> {
    metrics.lines().find_map(|line| {
        line.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
    })
}

/// A free loopback port (bound, then released for HAProxy to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Haproxy {
    pub child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Haproxy {
    /// HAProxy with deploy/haproxy.cfg, balancing over `replicas` (health-checked on
    /// their admin port), plus an `X-Served-By` header naming the replica that answered.
    pub async fn start(replicas: &[&Replica]) -> Haproxy {
        let template = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/haproxy.cfg"),
        )
        .expect("deploy/haproxy.cfg");
        let port = free_port();
        let servers: Vec<String> = replicas
            .iter()
            .map(|r| {
                format!(
                    "    server {} 127.0.0.1:{} port {}",
                    r.name,
                    r.mcp_port(),
                    r.admin_port()
                )
            })
            .collect();
        let config = template
            .replace("{{BIND}}", &format!("127.0.0.1:{port}"))
            .replace("{{CHECK_INTERVAL}}", "300ms")
            .replace(
                "{{SERVERS}}",
                &format!(
                    "    http-response set-header X-Served-By %[srv_name]\n{}",
                    servers.join("\n")
                ),
            );
        assert!(!config.contains("{{"), "unfilled placeholder:\n{config}");
        let dir = tempfile::tempdir().unwrap();
        let path: PathBuf = dir.path().join("haproxy.cfg");
        std::fs::write(&path, &config).unwrap();
        let check = std::process::Command::new("haproxy")
            .args(["-c", "-f"])
            .arg(&path)
            .output()
            .expect("haproxy is installed (.ci/run installs Debian's package)");
        assert!(
            check.status.success(),
            "haproxy rejects the config: {}\n{config}",
            String::from_utf8_lossy(&check.stderr)
        );
        let child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start haproxy");
        let haproxy = Haproxy {
            child,
            url: format!("http://127.0.0.1:{port}/mcp"),
            _dir: dir,
        };
        // Ready once it accepts and every replica passed its health checks (rise 2).
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "HAProxy did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(900)).await;
        haproxy
    }
}
