//! The page: one template, its stylesheet and script inlined, and a Content-Security-Policy
//! that allows exactly those two (by hash), images from `data:` and nothing else: no
//! remote loads, no inline event handlers.

use base64::Engine;
use minijinja::{Environment, context};
use sha2::{Digest, Sha256};

use super::chart;
use super::model::RunView;

const TEMPLATE: &str = include_str!("page.html");
const CSS: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The policy in the page's meta tag. A live page may also fetch from the server that
/// served it (its updates); a page from disk may fetch nothing.
pub fn content_security_policy(live: bool) -> String {
    format!(
        "default-src 'none'; img-src data:; style-src {}; script-src {}; connect-src {}; base-uri 'none'; form-action 'none'",
        csp_hash(CSS),
        csp_hash(SCRIPT),
        if live { "'self'" } else { "'none'" }
    )
}

/// The page to save or open from disk.
pub fn render(run: &RunView) -> Result<String, minijinja::Error> {
    render_page(run, false)
}

/// The page `--live` serves: it follows the run through the server's `/events`.
pub fn render_live(run: &RunView) -> Result<String, minijinja::Error> {
    render_page(run, true)
}

fn render_page(run: &RunView, live: bool) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    // The name ends in .html, so every {{ }} is HTML-escaped unless marked safe.
    env.add_template("page.html", TEMPLATE)?;
    env.add_filter("tokens", |v: f64| chart::tokens(v));
    env.add_filter("dollars", |v: f64| chart::dollars(v));
    env.add_filter("seconds", |v: f64| chart::seconds(v));
    env.add_filter("thousands", |v: u64| thousands(v));
    env.add_filter("shorten", |s: String, n: usize| shorten(&s, n));
    let charts = chart::charts(run);
    let charts: Vec<_> = charts
        .into_iter()
        .map(minijinja::Value::from_safe_string)
        .collect();
    env.get_template("page.html")?.render(context! {
        run => minijinja::Value::from(minijinja::value::Serde(run)),
        charts,
        csp => content_security_policy(live),
        live,
        css => minijinja::Value::from_safe_string(CSS.to_owned()),
        script => minijinja::Value::from_safe_string(SCRIPT.to_owned()),
    })
}

fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The first `n` characters of one line, for a summary line.
fn shorten(text: &str, n: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(n) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None if line.len() < text.trim_end().len() => format!("{line} …"),
        None => line.to_owned(),
    }
}
