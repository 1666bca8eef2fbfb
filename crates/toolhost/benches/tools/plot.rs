//! plot_sixel: an 800x600 line plot of 10,000 points (title, axis labels), time per call
//! inside the sandbox and the size of the sixel. Two signals: a sine, and a busier one
//! (two frequencies) whose line covers far more of the canvas.

use serde_json::{Value, json};

use toolhost::Content;

use super::Bench;
use super::stats::{median, millis};

const POINTS: usize = 10_000;
const CALLS: usize = 30;

fn line_plot(title: &str, f: impl Fn(f64) -> f64) -> Value {
    let x: Vec<f64> = (0..POINTS)
        .map(|i| i as f64 * 4.0 * std::f64::consts::PI / (POINTS - 1) as f64)
        .collect();
    let y: Vec<f64> = x.iter().map(|&x| f(x)).collect();
    json!({
        "kind": "line",
        "title": title,
        "x_label": "t",
        "y_label": "signal",
        "width": 800,
        "height": 600,
        "series": [{ "label": "signal", "x": x, "y": y }],
    })
}

fn measure(bench: &Bench, label: &str, input: &Value) {
    bench.call("plot_sixel", input);
    let mut times = Vec::with_capacity(CALLS);
    let mut bytes = 0;
    for _ in 0..CALLS {
        let (out, took) = bench.call("plot_sixel", input);
        times.push(millis(took));
        bytes = out
            .content
            .iter()
            .find_map(|c| match c {
                Content::Sixel { sixel } => Some(sixel.len()),
                _ => None,
            })
            .expect("plot_sixel answers sixel by default");
    }
    let ms = median(times);
    println!(
        "{label:<28} median {ms:.2} ms per call (goal 12, {}), sixel {:.1} KB (goal 14, {})",
        if ms <= 12.0 { "met" } else { "MISSED" },
        bytes as f64 / 1000.0,
        if bytes <= 14_000 { "met" } else { "MISSED" },
    );
}

pub fn run(bench: &Bench) {
    println!("800x600 line plot of {POINTS} points, median of {CALLS} calls");
    measure(bench, "sin(t)", &line_plot("sine", f64::sin));
    measure(
        bench,
        "sin(t) + 0.3 sin(7t)",
        &line_plot("two frequencies", |t| t.sin() + 0.3 * (7.0 * t).sin()),
    );
}
