//! `render_plot` natively: mean time per 800x600 line plot of 10,000 points
//! (draw + sixel) over 30 runs, and the sixel's size. The sandbox's figure is
//! `cargo bench -p toolhost --bench tools -- plot`.
//!
//! `cargo bench -p tool-plot --bench line_plot`

use tool_plot::{Input, render_plot};
use toolhost_sdk::json;

fn sine(n: usize) -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..n).map(|i| i as f64 * 10.0 / (n - 1) as f64).collect();
    let y = x.iter().map(|v| v.sin()).collect();
    (x, y)
}

fn main() {
    let (x, y) = sine(10_000);
    let input = json!({
        "kind": "line", "width": 800, "height": 600, "title": "sin(x)",
        "x_label": "x", "y_label": "y",
        "series": [{ "label": "sin", "x": x, "y": y }],
    });
    let parsed: Input = serde_json::from_value(input).unwrap();
    let runs = 30;
    let mut bytes = 0;
    let t = std::time::Instant::now();
    for _ in 0..runs {
        bytes = render_plot(&parsed).unwrap().sixel.unwrap().len();
    }
    let ms = t.elapsed().as_secs_f64() * 1000.0 / runs as f64;
    println!(
        "plot: {ms:.2} ms per 800x600 10k-point line plot (draw + sixel), sixel {bytes} bytes"
    );
}
