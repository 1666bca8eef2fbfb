//! `toolhost mcp` as clients other than rmcp's see it: titles and hints derived from the
//! registry's grants, the tools a client is offered (`--tools`, `--exclude-tools`, `mcp:`),
//! pictures (PNG by default, never sixel, SVG as image and text), schemas that strict
//! clients accept, and two real clients: the MCP Python SDK and the Inspector CLI.

mod common;

use base64::Engine as _;
use common::mcp_client::{call, names, toolhost_command};
use common::{TestRegistry, installed, shared_cache_dir};
use rmcp::model::{CallToolResult, Tool};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

type Client = RunningService<RoleClient, ()>;

async fn client(reg: &TestRegistry, extra: &[&str]) -> Client {
    let mut args = vec!["--registry", reg.path.to_str().unwrap(), "mcp"];
    args.extend_from_slice(extra);
    let transport = TokioChildProcess::new(toolhost_command(&args)).expect("spawn toolhost mcp");
    ().serve(transport).await.expect("initialize")
}

fn texts(result: &CallToolResult) -> Vec<String> {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect()
}

fn images(result: &CallToolResult) -> Vec<(String, Vec<u8>)> {
    result
        .content
        .iter()
        .filter_map(|c| c.as_image())
        .map(|i| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&i.data)
                .unwrap();
            (i.mime_type.clone(), bytes)
        })
        .collect()
}

/// (title, readOnly, destructive, idempotent, openWorld) as listed.
fn hints(tools: &[Tool], name: &str) -> (String, Value) {
    let tool = tools
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("{name} is listed"));
    let annotations =
        serde_json::to_value(tool.annotations.as_ref().expect("annotations")).unwrap();
    (tool.title.clone().expect("a title"), annotations)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tool_has_a_title_and_hints_that_follow_its_grants() {
    let reg = TestRegistry::new(
        "builtins: [calc, web_fetch]\ntools:\n  - name: data\n    title: Sales data\n    component: builtin:data\n    grants:\n      dirs: [ { host: ., guest: /work, mode: read-write } ]\n",
    );
    let client = client(&reg, &[]).await;
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["calc", "web_fetch", "data", "run_python"]);

    let (title, calc) = hints(&tools, "calc");
    assert_eq!(title, "Calculator", "the built-in registry's title");
    assert_eq!(calc["readOnlyHint"], true);
    assert_eq!(calc["idempotentHint"], true);
    assert_eq!(calc["openWorldHint"], false);
    assert_eq!(calc["title"], "Calculator");

    let (_, web) = hints(&tools, "web_fetch");
    assert_eq!(web["openWorldHint"], true, "a network grant: {web}");
    assert_eq!(web["readOnlyHint"], false, "a request may change the world");
    assert_eq!(web["destructiveHint"], false);

    let (title, data) = hints(&tools, "data");
    assert_eq!(title, "Sales data", "the registry entry's title");
    assert_eq!(
        data["destructiveHint"], true,
        "a read-write directory: {data}"
    );
    assert_eq!(data["readOnlyHint"], false);
    assert_eq!(data["openWorldHint"], false);

    // Code may call every tool: it has all their hints together, and keeps state.
    let (title, python) = hints(&tools, "run_python");
    assert_eq!(title, "Run Python");
    assert_eq!(python["openWorldHint"], true);
    assert_eq!(python["destructiveHint"], true);
    assert_eq!(python["idempotentHint"], false);
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_see_only_the_tools_chosen_by_flags_or_the_registry() {
    let reg = TestRegistry::new(
        "builtins: none\ntools:\n  - name: calc\n    component: builtin:calc\n  - name: echo\n    component: builtin:echo\nmcp:\n  exclude_tools: [run_python]\n",
    );
    let all = client(&reg, &[]).await;
    assert_eq!(
        names(&all).await,
        ["calc", "echo"],
        "the registry's exclusion"
    );
    all.cancel().await.unwrap();

    let only = client(&reg, &["--tools", "calc"]).await;
    assert_eq!(names(&only).await, ["calc"]);
    let hidden = only.call_tool(call("echo", json!({ "text": "x" }))).await;
    let e = hidden.expect_err("a tool not offered cannot be called");
    assert!(e.to_string().contains("echo"), "{e}");
    only.cancel().await.unwrap();

    let without = client(&reg, &["--exclude-tools", "echo"]).await;
    assert_eq!(names(&without).await, ["calc"]);
    without.cancel().await.unwrap();

    // An unknown name stops the server before any client meets it, naming the tool.
    let o = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args([
            "--registry",
            reg.path.to_str().unwrap(),
            "mcp",
            "--tools",
            "calc,ecoh",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("unknown tool `ecoh`") && stderr.contains("did you mean `echo`"),
        "{stderr}"
    );
    let bad = TestRegistry::new(
        "builtins: none\ntools:\n  - name: calc\n    component: builtin:calc\nmcp:\n  tools: [calc, nosuch]\n",
    );
    let o = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(["--registry", bad.path.to_str().unwrap(), "mcp"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("tool_registry.yaml:6:17") && stderr.contains("`nosuch`"),
        "{stderr}"
    );
    // `toolhost check` finds it too, before anyone starts a server.
    let o = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(["--registry", bad.path.to_str().unwrap(), "check"])
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("FAIL  mcp:") && stdout.contains("`nosuch`"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plot_comes_as_png_by_default_never_as_sixel_and_svg_only_when_asked() {
    let reg = TestRegistry::new("builtins: [plot_sixel]\n");
    let client = client(&reg, &[]).await;
    let series = json!([{ "y": [1, 3, 2, 5] }]);
    for asked in [
        json!({}),
        json!({ "format": "sixel" }),
        json!({ "format": "both" }),
    ] {
        let mut args = json!({ "kind": "line", "series": series });
        args.as_object_mut()
            .unwrap()
            .extend(asked.as_object().unwrap().clone());
        let result = client.call_tool(call("plot_sixel", args)).await.unwrap();
        assert_eq!(
            result.is_error,
            Some(false),
            "{asked}: {:?}",
            texts(&result)
        );
        let images = images(&result);
        assert_eq!(images.len(), 1, "{asked}: one picture");
        assert_eq!(images[0].0, "image/png");
        assert!(images[0].1.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(
            texts(&result).iter().all(|t| !t.contains("\x1bP")),
            "sixel never reaches a client"
        );
    }
    let svg = client
        .call_tool(call(
            "plot_sixel",
            json!({ "kind": "line", "series": series, "format": "svg" }),
        ))
        .await
        .unwrap();
    let images = images(&svg);
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].0, "image/svg+xml");
    let text = texts(&svg).join("\n");
    assert!(text.contains("<svg"), "the SVG as text too: {text:.200}");
    client.cancel().await.unwrap();
}

/// Every built-in tool's schemas, as published, are portable (no `type` lists, no Rust
/// integer formats, nothing that accepts any value silently), and the SDK made them so:
/// the host had nothing to rewrite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_built_in_schema_is_portable_at_its_source() {
    let reg = TestRegistry::new("builtins: all\n");
    let o = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(["--registry", reg.path.to_str().unwrap(), "check"])
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(!stderr.contains("non-portable"), "{stderr}");

    let described = reg.dispatcher().describe_all().await;
    assert_eq!(described.len(), toolhost::builtins::names().len());
    for (name, d) in described {
        let d = d.unwrap_or_else(|e| panic!("{name}: {e}"));
        for (what, schema) in [
            ("input", Some(&d.input_schema)),
            ("output", d.output_schema.as_ref()),
        ] {
            let Some(schema) = schema else { continue };
            let findings = toolhost_schema::findings(schema);
            assert!(findings.is_empty(), "{name}'s {what} schema: {findings:?}");
            let text = schema.to_string();
            assert!(!text.contains("\"uint"), "{name}'s {what} schema: {text}");
        }
    }
}

#[test]
fn the_mcp_python_sdk_lists_tools_calls_calc_and_gets_a_png_plot() {
    let python = installed(
        "mcp-venv/bin/python",
        "python3 -m venv target/mcp-venv && target/mcp-venv/bin/pip install -r tests/clients/requirements.txt",
    );
    let reg = TestRegistry::new("builtins: [calc, plot_sixel, web_fetch]\n");
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/clients/mcp_python_sdk.py");
    let cache = shared_cache_dir();
    let o = Command::new(python)
        .arg(script)
        .args([
            env!("CARGO_BIN_EXE_toolhost"),
            reg.path.to_str().unwrap(),
            cache.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    let seen: Value = serde_json::from_str(String::from_utf8_lossy(&o.stdout).trim()).unwrap();
    assert_eq!(seen["tools"]["calc"]["title"], "Calculator");
    assert_eq!(seen["tools"]["calc"]["read_only"], true);
    assert_eq!(seen["tools"]["web_fetch"]["open_world"], true);
    assert!(seen["png_bytes"].as_u64().unwrap() > 1000, "{seen}");
}

#[test]
fn the_inspector_cli_in_strict_mode_finds_no_portability_problem() {
    let bin = installed(
        "mcp-inspector/node_modules/.bin",
        "npm install --no-save --prefix target/mcp-inspector @modelcontextprotocol/inspector@2.12.0 node@22",
    );
    // The Inspector needs node 22.19 or later: the `node` package beside it provides it.
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let reg = TestRegistry::new("builtins: all\n");
    let cache = shared_cache_dir();
    // Compile every tool first: the Inspector gives tools/list a minute.
    let o = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(["--registry", reg.path.to_str().unwrap(), "check"])
        .env("TOOLHOST_CACHE_DIR", &cache)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new(bin.join("inspector"))
        .env("PATH", path)
        .args(["--cli", "--strict", "--method", "tools/list"])
        .args([
            env!("CARGO_BIN_EXE_toolhost"),
            "--registry",
            reg.path.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
            "mcp",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("0 errors, 0 warnings") || !stderr.contains("Warning"),
        "{stderr}"
    );
    let listed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let count = listed["tools"].as_array().unwrap().len();
    assert_eq!(
        count,
        toolhost::builtins::names().len() + 1,
        "every tool and run_python"
    );
}
