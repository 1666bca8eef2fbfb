//! `render_plot` natively: mean time per 800x600 line plot of 10,000 points
//! (draw + sixel) over 30 runs, and the sixel's size, for the sandbox bench's two
//! signals (a sine, and two frequencies whose line covers far more of the canvas) and a
//! sine over [0, 10]. The sandbox's figures are `cargo bench -p toolhost --bench tools
//! -- plot`.
//!
//! `cargo bench -p toolhost-plot --bench line_plot`

use toolhost_plot::{Input, render_plot};
use toolhost_sdk::{Value, json};

const POINTS: usize = 10_000;

fn line_plot(title: &str, x_end: f64, f: impl Fn(f64) -> f64) -> Value {
    let x: Vec<f64> = (0..POINTS)
        .map(|i| i as f64 * x_end / (POINTS - 1) as f64)
        .collect();
    let y: Vec<f64> = x.iter().map(|&x| f(x)).collect();
    json!({
        "kind": "line", "width": 800, "height": 600, "title": title,
        "x_label": "t", "y_label": "signal",
        "series": [{ "label": "signal", "x": x, "y": y }],
    })
}

fn measure(label: &str, input: Value) {
    let parsed: Input = serde_json::from_value(input).unwrap();
    let runs = 30;
    let mut bytes = 0;
    render_plot(&parsed).unwrap();
    let t = std::time::Instant::now();
    for _ in 0..runs {
        bytes = render_plot(&parsed).unwrap().sixel.unwrap().len();
    }
    let ms = t.elapsed().as_secs_f64() * 1000.0 / runs as f64;
    println!(
        "plot {label:<22} {ms:.2} ms per 800x600 10k-point line plot (draw + sixel), sixel {bytes} bytes"
    );
}

fn main() {
    let four_pi = 4.0 * std::f64::consts::PI;
    measure("sin(t)", line_plot("sine", four_pi, f64::sin));
    measure(
        "sin(t) + 0.3 sin(7t)",
        line_plot("two frequencies", four_pi, |t| {
            t.sin() + 0.3 * (7.0 * t).sin()
        }),
    );
    measure("sin(x), x in [0, 10]", line_plot("sin(x)", 10.0, f64::sin));
}
