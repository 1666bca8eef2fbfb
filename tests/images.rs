//! Pictures from the command line: `run --out` writes the format its extension names, and
//! terminal graphics go only where the terminal shows them.

mod common;

use common::shared_cache_dir;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn toolhost_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_toolhost"));
    cmd.args(args)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .env_remove("TOOLHOST_IMAGE_PROTOCOL")
        .current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run toolhost")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const LINE: &str = r#"{"kind":"line","series":[{"y":[1,3,2,5]}],"width":200,"height":150}"#;

#[test]
fn out_png_asks_plot_for_a_png_and_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let o = toolhost_in(
        dir.path(),
        &["run", "plot_sixel", LINE, "--out", "x.png"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let png = std::fs::read(dir.path().join("x.png")).expect("x.png written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(!o.stdout.contains(&0x1b), "no terminal graphics on stdout");
}

#[test]
fn an_integrate_plot_arrives_through_run_beside_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let input = r#"{"op":"ode","rhs":{"y":"-y"},"y0":{"y":1},"t_span":[0,2],"plot":{"width":300,"height":200}}"#;
    let o = toolhost_in(dir.path(), &["--json", "run", "integrate", input], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    let content = v["content"].as_array().expect("content items");
    let json = content
        .iter()
        .find(|c| c["type"] == "json")
        .expect("the JSON result");
    assert_eq!(json["json"]["status"], "reached", "{json}");
    let image = content
        .iter()
        .find(|c| c["type"] == "image")
        .expect("the picture");
    assert_eq!(image["mime_type"], "image/png");
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD
        .decode(image["data"].as_str().unwrap())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    // Without --json and with no terminal graphics, the picture is saved and said so.
    let o = toolhost_in(dir.path(), &["run", "integrate", input], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    let saved = err
        .split("[image/png image saved to ")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_else(|| panic!("no saved image in {err}"));
    assert!(std::fs::read(saved).unwrap().starts_with(b"\x89PNG"));
    let _ = std::fs::remove_file(saved);
}

#[test]
fn out_svg_asks_render_math_for_an_svg() {
    let dir = tempfile::tempdir().unwrap();
    let o = toolhost_in(
        dir.path(),
        &["run", "render_math", r#"{"latex":"x^2"}"#, "--out", "f.svg"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let svg = std::fs::read_to_string(dir.path().join("f.svg")).expect("f.svg written");
    assert!(svg.contains("<svg"), "{svg}");
}

#[test]
fn out_for_a_tool_without_images_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let o = toolhost_in(
        dir.path(),
        &["run", "calc", r#"{"expr":"1+1"}"#, "--out", "x.png"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("`calc` produces no images"), "{err}");
    assert!(!dir.path().join("x.png").exists());

    let o = toolhost_in(
        dir.path(),
        &["--json", "run", "plot_sixel", LINE, "--out", "x.gif"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON error");
    assert_eq!(v["error"]["code"], "usage");
    assert!(
        v["error"]["message"].as_str().unwrap().contains(".gif"),
        "{v}"
    );
}

/// The path in `[image/png image saved to PATH]`.
fn saved_path(stderr: &str) -> Option<std::path::PathBuf> {
    let rest = stderr.split("image saved to ").nth(1)?;
    Some(rest.split(']').next()?.into())
}

#[test]
fn a_terminal_without_graphics_gets_a_saved_png_and_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let o = toolhost_in(
        dir.path(),
        &["run", "plot_sixel", LINE],
        &[("TERM", "dumb")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(!contains(&o.stdout, b"\x1bP"), "sixel written to stdout");
    let err = text(&o.stderr);
    let path = saved_path(&err).unwrap_or_else(|| panic!("no saved path in {err}"));
    assert_eq!(path.extension().unwrap(), "png");
    let png = std::fs::read(&path).expect("the printed path exists");
    assert!(png.starts_with(b"\x89PNG"));
    let dir_name = path
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy();
    assert!(dir_name.starts_with("toolhost-images-"), "{dir_name}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
    }
}

#[test]
fn an_image_protocol_override_draws_with_that_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let o = toolhost_in(
        dir.path(),
        &["run", "plot_sixel", LINE, "--image-protocol", "sixel"],
        &[("TERM", "dumb")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(contains(&o.stdout, b"\x1bP"), "{}", text(&o.stderr));
    assert!(saved_path(&text(&o.stderr)).is_none());

    let o = toolhost_in(
        dir.path(),
        &["run", "plot_sixel", LINE, "--image-protocol", "kitty"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        contains(&o.stdout, b"\x1b_Gf=100,a=T,"),
        "{}",
        text(&o.stderr)
    );
    assert!(!contains(&o.stdout, b"\x1bP"));

    // The environment variable does the same for every command.
    let o = toolhost_in(
        dir.path(),
        &["run", "plot_sixel", LINE],
        &[("TOOLHOST_IMAGE_PROTOCOL", "iterm")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        contains(&o.stdout, b"\x1b]1337;File=inline=1;"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_first_compile_shows_a_progress_line_only_when_asked_or_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cache = cache.to_str().unwrap();
    let args = ["--cache-dir", cache, "run", "calc", r#"{"expr":"1+1"}"#];
    // Not a terminal: silent.
    let o = toolhost_in(dir.path(), &args, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stderr), "");
    // Forced, on a cold cache: the line names the component.
    let cold = dir.path().join("cold");
    let cold = cold.to_str().unwrap();
    let forced = ["--cache-dir", cold, "run", "calc", r#"{"expr":"1+1"}"#];
    let o = toolhost_in(dir.path(), &forced, &[("TOOLHOST_PROGRESS", "always")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("compiling calc (") && err.contains("for this machine… (once; cached after)"),
        "{err}"
    );
    // Warm: nothing to compile, nothing shown.
    let o = toolhost_in(dir.path(), &forced, &[("TOOLHOST_PROGRESS", "always")]);
    assert_eq!(text(&o.stderr), "");
}

const PLOT_CALL: &str =
    r#"plot_sixel(kind="line", series=[{"y": [1, 3, 2, 5]}], width=200, height=150)"#;

/// The REPL follows the terminal as `run` does: a plot drawn as sixel by default is asked
/// for a PNG where sixel would not show, which is then saved (no graphics) or drawn
/// (kitty); only a sixel terminal gets sixel.
#[test]
fn the_repl_asks_picture_tools_for_png_unless_the_terminal_draws_sixel() {
    let dir = tempfile::tempdir().unwrap();
    let o = toolhost_in(dir.path(), &["repl", "-e", PLOT_CALL], &[("TERM", "dumb")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(!contains(&o.stdout, b"\x1bP"), "sixel written to stdout");
    let path = saved_path(&out).unwrap_or_else(|| panic!("no saved path in {out}"));
    assert_eq!(path.extension().unwrap(), "png", "{out}");
    assert!(std::fs::read(&path).unwrap().starts_with(b"\x89PNG"));

    let o = toolhost_in(
        dir.path(),
        &["repl", "--image-protocol", "kitty", "-e", PLOT_CALL],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        contains(&o.stdout, b"\x1b_Gf=100,a=T,"),
        "{}",
        text(&o.stdout)
    );
    assert!(saved_path(&text(&o.stdout)).is_none());

    let o = toolhost_in(
        dir.path(),
        &["repl", "--image-protocol", "sixel", "-e", PLOT_CALL],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(contains(&o.stdout, b"\x1bP"), "{}", text(&o.stdout));
}

/// Code mode answers a client as data: the plot comes back as a PNG image item.
#[test]
fn code_mode_returns_pictures_as_png() {
    let dir = tempfile::tempdir().unwrap();
    let input = serde_json::json!({ "code": PLOT_CALL }).to_string();
    let o = toolhost_in(dir.path(), &["--json", "run", "python", &input], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let images: Vec<&Value> = v["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "image")
        .collect();
    assert_eq!(images.len(), 1, "{v}");
    assert_eq!(images[0]["mime_type"], "image/png", "{v}");
}

/// Under a real tmux (Debian's 3.3a: no sixel passthrough), `run` draws nothing on the
/// pane and says where the PNG went, instead of writing sixel the user never sees.
#[test]
fn under_tmux_a_plot_is_saved_as_png_and_its_path_shown() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("TOOLHOST_REQUIRE_TMUX").is_none(),
            "TOOLHOST_REQUIRE_TMUX is set but tmux is missing"
        );
        eprintln!("SKIPPED: tmux is not installed (apt-get install -y tmux)");
        return;
    }
    let socket = format!("toolhost-test-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null"])
            .args(args)
            .env_remove("TOOLHOST_IMAGE_PROTOCOL")
            .output()
            .expect("run tmux")
    };
    let cache = format!("TOOLHOST_CACHE_DIR={}", shared_cache_dir().display());
    let command = format!(
        "{} run plot_sixel '{LINE}'; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_toolhost")
    );
    let started = tmux(&[
        "new-session",
        "-d",
        "-x",
        "200",
        "-y",
        "50",
        "-e",
        &cache,
        &command,
    ]);
    assert!(started.status.success(), "{}", text(&started.stderr));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let screen = loop {
        let pane = text(&tmux(&["capture-pane", "-p", "-J"]).stdout);
        if pane.contains("EXIT=") {
            break pane;
        }
        if std::time::Instant::now() > deadline {
            tmux(&["kill-server"]);
            panic!("no exit after 120 s; the pane shows:\n{pane}");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    tmux(&["kill-server"]);
    assert!(screen.contains("EXIT=0"), "{screen}");
    let path =
        saved_path(&screen).unwrap_or_else(|| panic!("no saved path on the pane:\n{screen}"));
    assert_eq!(path.extension().unwrap(), "png", "{screen}");
    assert!(std::fs::read(&path).unwrap().starts_with(b"\x89PNG"));
}
