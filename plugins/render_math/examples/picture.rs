//! Write a formula's picture: `cargo run --example picture -- OUT.png|OUT.svg 'LATEX' [SIZE]`.

use tool_render_math::Formula;
use tool_render_math::picture::ImageOptions;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [out, latex, rest @ ..] = args.as_slice() else {
        eprintln!("usage: picture OUT.png|OUT.svg 'LATEX' [SIZE]");
        std::process::exit(2);
    };
    let opts = ImageOptions {
        size: rest.first().and_then(|s| s.parse().ok()).unwrap_or(32.0),
        ..ImageOptions::default()
    };
    let formula = match Formula::parse(latex, true) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}\n{}", e.snippet(latex));
            std::process::exit(1);
        }
    };
    let image = if out.ends_with(".svg") {
        formula.svg(&opts)
    } else {
        formula.png(&opts)
    };
    match image {
        Ok(image) => {
            std::fs::write(out, &image.data).expect("write the image");
            println!(
                "{out}: {}×{} px, baseline {}",
                image.width, image.height, image.baseline
            );
        }
        Err(e) => {
            eprintln!("too large: {}×{} px", e.width, e.height);
            std::process::exit(1);
        }
    }
}
