//! Render formulas given as arguments: `cargo run --example render -- '\frac{1}{2}'`.
//! Add `--inline` for inline style, `--oneline` or `--mathml` for the other forms; the
//! `picture` example writes PNG and SVG.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let display = !args.iter().any(|a| a == "--inline");
    let oneline = args.iter().any(|a| a == "--oneline");
    let mathml = args.iter().any(|a| a == "--mathml");
    for latex in args.iter().filter(|a| !a.starts_with("--")) {
        let out = if oneline {
            tool_render_math::render_oneline(latex)
        } else if mathml {
            tool_render_math::render_mathml(latex, display)
        } else {
            tool_render_math::render_unicode(latex, display)
        };
        match out {
            Ok(text) => println!("{latex}\n{text}\n"),
            Err(e) => println!("{latex}\nerror: {e}\n{}\n", e.snippet(latex)),
        }
    }
}
