//! The exact-layout formulas of `tests/layouts.rs`, natively: µs per expression
//! for the 2-D form, and for all three forms (2-D, one-line, MathML). The goal
//! inside the sandbox is 50 µs per expression:
//! `cargo bench -p toolhost --bench tools -- render_math`.
//!
//! Then the same formulas as PNG and SVG pictures.
//!
//! `cargo bench -p tool-render-math --bench typeset`

// The formulas with their expected layouts; the layout tests themselves, which use
// the rest of the file's imports, are not compiled here.
#[allow(unused_imports)]
#[path = "../tests/layouts.rs"]
mod layouts;

use std::hint::black_box;
use std::time::Instant;

use layouts::CASES;
use tool_render_math::picture::ImageOptions;
use tool_render_math::{Formula, render_unicode};

fn main() {
    let rounds = 2_000;
    let mut cells = 0;
    for (latex, display) in CASES {
        cells += render_unicode(latex, *display).unwrap().len();
    }
    let start = Instant::now();
    for _ in 0..rounds {
        for (latex, display) in CASES {
            let f = Formula::parse(black_box(latex), *display).unwrap();
            black_box(f.layout().unwrap().to_text());
        }
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / (rounds * CASES.len()) as f64;
    let start = Instant::now();
    for _ in 0..rounds {
        for (latex, display) in CASES {
            let f = Formula::parse(black_box(latex), *display).unwrap();
            black_box(f.layout().unwrap().to_text());
            black_box(f.oneline());
            black_box(f.mathml());
        }
    }
    let all = start.elapsed().as_secs_f64() * 1e6 / (rounds * CASES.len()) as f64;
    println!(
        "{} expressions ({cells} bytes of layout): {per:.2} µs per expression for the 2-D \
         form, {all:.2} µs for all three forms",
        CASES.len()
    );
    // The pictures at the default 32 px to the em: typesetting, filling and PNG encoding.
    let opts = ImageOptions::default();
    let rounds = 20;
    let (mut png_bytes, mut svg_bytes) = (0, 0);
    let start = Instant::now();
    for _ in 0..rounds {
        for (latex, display) in CASES {
            let f = Formula::parse(black_box(latex), *display).unwrap();
            png_bytes += f.png(&opts).unwrap().data.len();
        }
    }
    let png = start.elapsed().as_secs_f64() * 1e6 / (rounds * CASES.len()) as f64;
    let start = Instant::now();
    for _ in 0..rounds {
        for (latex, display) in CASES {
            let f = Formula::parse(black_box(latex), *display).unwrap();
            svg_bytes += f.svg(&opts).unwrap().data.len();
        }
    }
    let svg = start.elapsed().as_secs_f64() * 1e6 / (rounds * CASES.len()) as f64;
    let n = rounds * CASES.len();
    println!(
        "pictures at 32 px/em: {png:.0} µs per PNG (mean {} bytes), {svg:.0} µs per SVG \
         (mean {} bytes)",
        png_bytes / n,
        svg_bytes / n
    );
}
