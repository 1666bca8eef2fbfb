//! `toolhost view` pages in a real browser: headless Chromium driven over WebDriver by
//! chromedriver. Without Chromium these tests say so and pass, unless
//! TOOLHOST_REQUIRE_BROWSER is set (CI sets it, so CI never skips them silently).

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Would set the flag if any of it ran as script.
const PAYLOAD: &str = r#"<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><svg onload="window.__pwned=3">"#;

/// One browser at a time: the machine is small and the large-run test measures time.
static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `None` (after saying why) when there is no browser and none is required.
fn browser_installed() -> Option<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Some(());
    }
    let why = format!(
        "{CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install -y chromium chromium-driver)"
    );
    if std::env::var_os("TOOLHOST_REQUIRE_BROWSER").is_some() {
        panic!("TOOLHOST_REQUIRE_BROWSER is set but {why}");
    }
    eprintln!(
        "SKIPPED: browser test not run: {why}; set TOOLHOST_REQUIRE_BROWSER=1 to fail instead"
    );
    None
}

/// chromedriver on a free loopback port and a headless Chromium session with a fresh
/// profile; both end when this is dropped.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1200,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => panic!("no WebDriver session: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect(script)
    }

    /// The ids of the steps marked failed.
    async fn failed_steps(&self) -> Value {
        self.js(
            "return Array.from(document.querySelectorAll('section.step.failed')).map(s => s.id)",
        )
        .await
    }

    /// The natural width of the first image `selector` finds, once decoded.
    async fn decoded_width(&self, selector: &str) -> Value {
        self.js(&format!(
            "const i = document.querySelector('{selector}'); return i && i.complete && i.naturalWidth"
        ))
        .await
    }

    /// How deep the sub-call tree under step `step` goes.
    async fn subcall_depth(&self, step: u32) -> Value {
        self.js(&format!(
            "return Math.max(...Array.from(document.querySelectorAll('#step-{step} .node')).map(n => +n.dataset.depth))"
        ))
        .await
    }

    async fn key(&self, key: char) {
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(keys).await.unwrap();
    }

    async fn open(&self, page: &Path, fragment: &str) {
        let url = format!("file://{}{fragment}", page.display());
        self.client.goto(&url).await.unwrap();
    }

    async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn usage(p: u64, c: u64) -> Value {
    json!({ "prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c })
}

fn step(depth: u32, n: u32, fields: Value) -> Value {
    let mut s = json!({
        "type": "step", "run_id": "run-1", "depth": depth, "step": n, "model": "small-model",
        "role": if depth == 0 { "root" } else { "sub_query" }, "extends": 0,
        "request": [{ "role": "user", "content": "the task" }],
        "response": "Let me look.", "finish_reason": "stop", "usage": usage(900, 120),
        "cost": 0.0021, "attempts": 1, "code": null, "output": null, "value": null, "error": null,
        "tool_calls": [], "duration_ms": 850.0, "failed": false
    });
    for (k, v) in fields.as_object().unwrap() {
        s[k] = v.clone();
    }
    s
}

/// A real 24x16 PNG: a gradient, so a decoded image has pixels to show.
fn png_base64() -> String {
    use base64::Engine;
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, 24, 16);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        let data: Vec<u8> = (0..16 * 24)
            .flat_map(|i| [(i * 2 % 256) as u8, 80, 200 - (i % 24 * 8) as u8])
            .collect();
        w.write_image_data(&data).unwrap();
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Three steps: a tool call returning an image, a failed step, and a step whose
/// llm_query ran a sub-agent whose own code asked a depth-2 llm_query. Payloads everywhere.
fn small_run() -> Vec<Value> {
    let p = PAYLOAD;
    vec![
        json!({ "type": "start", "run_id": "run-1", "task": format!("Plot x^2 and integrate it {p}"),
                "model": "small-model", "depth": 0, "protocol": "fences",
                "budget": { "max_steps": 10, "max_total_tokens": 6000, "max_cost": 0.02, "wall_time_ms": 10000.0 } }),
        step(
            0,
            1,
            json!({
                "response": format!("<think>plan: plot first {p}</think>I will plot it.\n```python\nimg = plot(expr=\"x^2\")\nprint(img)\n```"),
                "code": "img = plot(expr=\"x^2\")\nprint(img)",
                "output": format!("plotted {p}"),
                "tool_calls": [{ "tool": "plot", "arguments": { "expr": p }, "result": { "note": p },
                                 "duration_ms": 41.5, "images": [{ "mime_type": "image/png", "data_base64": png_base64() }] }]
            }),
        ),
        step(
            0,
            2,
            json!({
                "code": format!("x = 1/0  # {p}"),
                "error": format!("ZeroDivisionError: division by zero {p}"),
                "failed": true
            }),
        ),
        json!({ "type": "start", "run_id": "run-1", "task": format!("integrate x^2 from 0 to 3 {p}"), "model": "small-model", "depth": 1 }),
        step(
            2,
            0,
            json!({ "request": [{ "role": "user", "content": format!("check 9 {p}") }], "response": format!("yes {p}") }),
        ),
        step(
            1,
            1,
            json!({ "code": "ok = llm_query('check 9')\nFINAL('9')", "value": "9" }),
        ),
        json!({ "type": "end", "run_id": "run-1", "depth": 1, "stop_reason": "the code called FINAL",
                "final_value": "9", "steps": 1, "usage": usage(1, 1) }),
        step(
            0,
            3,
            json!({
                "code": "area = llm_query('integrate x^2 from 0 to 3')\nprint('zanzibar', area)\nFINAL(area)",
                "output": "zanzibar 9", "value": p
            }),
        ),
        json!({ "type": "end", "run_id": "run-1", "depth": 0, "stop_reason": "the code called FINAL",
                "final_value": format!("9 {p}"), "steps": 3, "usage": usage(3600, 500), "cost": 0.0105,
                "elapsed_ms": 2600.0 }),
    ]
}

fn write_jsonl(path: &Path, lines: &[Value]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for l in lines {
        serde_json::to_writer(&mut f, l).unwrap();
        f.write_all(b"\n").unwrap();
    }
    f.flush().unwrap();
}

/// `toolhost view FILE --out PAGE`, as a user runs it.
fn view(trajectory: &Path) -> PathBuf {
    let page = trajectory.with_extension("html");
    let out = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .arg("view")
        .arg(trajectory)
        .arg("--out")
        .arg(&page)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        page.display().to_string()
    );
    page
}

/// How much the screenshot varies: a blank page is one colour.
fn luminance_spread(png_bytes: &[u8]) -> (f64, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let lum: Vec<f64> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64)
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    let mut shades: Vec<u8> = lum.iter().map(|l| *l as u8).collect();
    shades.sort_unstable();
    shades.dedup();
    (var, shades.len())
}

/// The page of a run whose trajectory is `lines`, open in a browser this test holds alone;
/// `None` (after saying why) when there is no browser.
struct OpenRun {
    b: Browser,
    page: PathBuf,
    trajectory: PathBuf,
    _dir: tempfile::TempDir,
    _one: tokio::sync::MutexGuard<'static, ()>,
}

async fn open_run(lines: &[Value]) -> Option<OpenRun> {
    browser_installed()?;
    let one = BROWSER.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let trajectory = dir.path().join("run.jsonl");
    write_jsonl(&trajectory, lines);
    let page = view(&trajectory);
    let b = Browser::start().await;
    b.open(&page, "").await;
    Some(OpenRun {
        b,
        page,
        trajectory,
        _dir: dir,
        _one: one,
    })
}

#[tokio::test]
async fn the_page_shows_the_run_and_is_driven_by_filter_and_keys() {
    let Some(run) = open_run(&small_run()).await else {
        return;
    };
    let (b, page) = (&run.b, &run.page);

    assert_eq!(
        b.js("return document.querySelectorAll('main > section.step').length")
            .await,
        3
    );
    assert_eq!(b.failed_steps().await, json!(["step-2"]));
    assert_eq!(
        b.decoded_width("img.tool-image").await,
        24,
        "the tool's image is decoded in the page"
    );
    assert_eq!(b.subcall_depth(3).await, 2);
    assert_eq!(
        b.js("return document.querySelectorAll('.chart .budget').length")
            .await,
        3,
        "tokens, cost, wall time"
    );
    assert_eq!(b.js("return typeof window.__pwned").await, "undefined");
    assert!(
        b.js("return document.querySelector('.task').textContent")
            .await
            .as_str()
            .unwrap()
            .contains("<script>"),
        "the payload is shown as text"
    );

    // The filter keeps the one step whose output says "zanzibar".
    let filter = b.client.find(Locator::Id("filter")).await.unwrap();
    filter.send_keys("ZANZIBAR").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        b.js("return Array.from(document.querySelectorAll('main > section.step:not(.hidden)')).map(s => s.id)").await,
        json!(["step-3"])
    );
    assert_eq!(
        b.js("return document.getElementById('filter-count').textContent")
            .await,
        "1 of 3 steps"
    );
    filter.clear().await.unwrap();
    b.js("document.getElementById('filter').dispatchEvent(new Event('input')); document.getElementById('filter').blur(); return 0").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        b.js("return document.querySelectorAll('main > section.step.hidden').length")
            .await,
        0
    );

    // j/k move between steps and keep the step in the address.
    let hash = || async { b.js("return location.hash").await };
    b.key('j').await;
    assert_eq!(hash().await, "#step-1");
    b.key('j').await;
    b.key('j').await;
    assert_eq!(hash().await, "#step-3");
    b.key('j').await;
    assert_eq!(hash().await, "#step-3", "j stops at the last step");
    b.key('k').await;
    assert_eq!(hash().await, "#step-2");
    assert_eq!(b.js("return document.activeElement.id").await, "step-2");
    assert_eq!(b.js("return typeof window.__pwned").await, "undefined");

    // A deep link opens at its step.
    b.open(page, "#step-3").await;
    assert_eq!(
        b.js("return document.querySelector('section.step.current').id")
            .await,
        "step-3"
    );

    // The whole page in one screenshot: size the window to the document first.
    b.open(page, "").await;
    let height = b
        .js("return document.documentElement.scrollHeight")
        .await
        .as_u64()
        .unwrap();
    b.client
        .set_window_size(1200, height.clamp(900, 8000) as u32)
        .await
        .unwrap();
    let shot = b.client.screenshot().await.unwrap();
    let (variance, shades) = luminance_spread(&shot);
    assert!(
        variance > 100.0 && shades > 50,
        "a blank-looking page: variance {variance:.1}, {shades} shades"
    );
    if let Some(dir) = option_env!("CARGO_TARGET_TMPDIR") {
        let _ = std::fs::write(Path::new(dir).join("viewer-small-run.png"), &shot);
    }
    assert_eq!(b.js("return typeof window.__pwned").await, "undefined");
    run.b.close().await;
}

/// 500 steps and ~20 MB of trajectory: the page holds every step soon after it starts
/// loading. The figure is the page's own `performance.now()` when its script has run (at
/// the end of the document, so every step is parsed by then).
#[tokio::test]
async fn a_500_step_20_mb_run_renders_within_two_seconds() {
    let output: String = (0..800)
        .map(|i| format!("row {i:04}: {}\n", "x".repeat(40)))
        .collect();
    let mut lines = vec![
        json!({ "type": "start", "run_id": "big", "task": "a long run", "model": "m", "depth": 0 }),
    ];
    for n in 1..=500 {
        lines.push(step(0, n, json!({
            "code": format!("for i in range({n}):\n    print('row', i)\nresult = calc(expr='{n}*2')"),
            "output": output,
            "failed": n % 50 == 0,
            "error": (n % 50 == 0).then_some("ValueError: bad row"),
        })));
    }
    // Opened once to warm the browser's caches, then the measured load.
    let Some(run) = open_run(&lines).await else {
        return;
    };
    let (b, page) = (&run.b, &run.page);
    let size = std::fs::metadata(&run.trajectory).unwrap().len();
    assert!((18_000_000..24_000_000).contains(&size), "{size} bytes");
    b.open(page, "").await;
    assert_eq!(
        b.js("return document.querySelectorAll('main > section.step').length")
            .await,
        500
    );
    let ready: f64 = b
        .js("return +document.documentElement.dataset.readyMs")
        .await
        .as_f64()
        .unwrap();
    let dcl = b
        .js("return performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
        .await
        .as_f64()
        .unwrap();
    eprintln!(
        "500 steps, {size} bytes of trajectory, page of {} bytes: script ran at {ready:.0} ms, DOMContentLoaded ended at {dcl:.0} ms",
        std::fs::metadata(page).unwrap().len()
    );
    assert!(
        ready <= 2000.0 && dcl <= 2000.0,
        "ready at {ready:.0} ms, DOMContentLoaded at {dcl:.0} ms"
    );
    // Long outputs are clipped in place, the rest one click away.
    assert_eq!(
        b.js("return document.querySelectorAll('#step-7 details.more').length")
            .await,
        1
    );
    b.js("document.querySelector('#step-7 details.more').open = true; return 0")
        .await;
    assert!(b.js("return document.querySelector('#step-7 details.more pre').getBoundingClientRect().height").await.as_f64().unwrap() > 100.0);
    run.b.close().await;
}

/// `toolhost view FILE --live`: the served page follows the trajectory as a run appends to
/// it (a half-written last line waits for its newline), stops listening at the end record,
/// and a request naming another host (DNS rebinding) is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_page_follows_the_run_as_it_grows() {
    let dir = tempfile::tempdir().unwrap();
    let trajectory = dir.path().join("live.jsonl");
    let lines = small_run();
    write_jsonl(&trajectory, &lines[..2]);
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .arg("view")
        .arg(&trajectory)
        .arg("--live")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = tokio::io::BufReader::new(server.stdout.take().unwrap());
    let mut url = String::new();
    tokio::time::timeout(
        Duration::from_secs(30),
        tokio::io::AsyncBufReadExt::read_line(&mut stdout, &mut url),
    )
    .await
    .expect("the live server prints its URL")
    .unwrap();
    let url = url.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let http = reqwest::Client::new();
    let page = http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains(r#"data-live="1""#));
    let rebound = http
        .get(&url)
        .header("host", "attacker.example:80")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 403);

    if browser_installed().is_none() {
        return;
    }
    let _one = BROWSER.lock().await;
    let b = Browser::start().await;
    b.client.goto(&url).await.unwrap();
    assert_eq!(
        b.js("return document.documentElement.dataset.steps").await,
        "1"
    );

    let wait_for = |script: &'static str, want: Value| {
        let b = &b;
        async move {
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                let got = b.js(script).await;
                if got == want {
                    return;
                }
                assert!(Instant::now() < deadline, "{script}: {got}, want {want}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    // The run goes on: two more steps and a sub-agent, then the start of the end record.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&trajectory)
        .unwrap();
    for l in &lines[2..8] {
        writeln!(file, "{l}").unwrap();
    }
    let end = lines[8].to_string();
    let (first, rest) = end.split_at(end.len() / 2);
    file.write_all(first.as_bytes()).unwrap();
    file.flush().unwrap();
    wait_for("return document.documentElement.dataset.steps", json!("3")).await;
    assert_eq!(
        b.js("return document.documentElement.dataset.ended || ''")
            .await,
        "",
        "a half-written end record is not read"
    );
    assert_eq!(
        b.js("return document.querySelectorAll('section.step.failed').length")
            .await,
        1
    );
    writeln!(file, "{rest}").unwrap();
    file.flush().unwrap();
    wait_for(
        "return document.documentElement.dataset.ended || ''",
        json!("1"),
    )
    .await;
    assert!(
        b.js("return document.querySelector('.final').textContent")
            .await
            .as_str()
            .unwrap()
            .contains("9")
    );
    assert_eq!(b.js("return typeof window.__pwned").await, "undefined");
    b.close().await;
    server.kill().await.unwrap();
}

/// A trajectory recorded from a real run (`toolhost agent --max-depth 2` against a scripted
/// server: a plot, a step that raised, an `llm_query` answered by a sub-agent whose own
/// code asked a depth-2 query): the page of a run as the agent writes it today, so the
/// viewer and the trajectory format cannot drift apart unnoticed.
#[tokio::test]
async fn a_recorded_run_renders_with_its_image_error_and_sub_call_tree() {
    let recorded = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/viewer/recorded_run.jsonl"),
    )
    .unwrap();
    let lines: Vec<Value> = recorded
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let Some(run) = open_run(&lines).await else {
        return;
    };
    let b = &run.b;
    assert_eq!(
        b.js("return document.documentElement.dataset.steps").await,
        "3"
    );
    assert_eq!(b.failed_steps().await, json!(["step-2"]));
    assert!(
        b.js("return document.querySelector('#step-2 .error-box').textContent")
            .await
            .as_str()
            .unwrap()
            .contains("ZeroDivisionError")
    );
    assert_eq!(
        b.decoded_width("#step-1 img.tool-image").await,
        240,
        "the plot's PNG is decoded in the page"
    );
    assert_eq!(b.subcall_depth(3).await, 2);
    assert!(
        b.js("return document.querySelector('.final').textContent")
            .await
            .as_str()
            .unwrap()
            .contains("9")
    );
    let filter = b.client.find(Locator::Id("filter")).await.unwrap();
    filter.send_keys("zerodivision").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        b.js("return Array.from(document.querySelectorAll('main > section.step:not(.hidden)')).map(s => s.id)").await,
        json!(["step-2"])
    );
    let shot = b.client.screenshot().await.unwrap();
    let (variance, shades) = luminance_spread(&shot);
    assert!(
        variance > 50.0 && shades > 20,
        "a blank page? variance {variance}, {shades} shades"
    );
    run.b.close().await;
}
