//! Timing of the hot path: nanoseconds per `eval` and `eval_grad` of a small
//! compiled expression, against the same formula in hand-written Rust.
//!
//! `cargo bench -p toolhost-expr --bench eval`

use std::hint::black_box;
use std::time::Instant;

fn main() {
    let src = "sin(x)*exp(-y^2/2) + sqrt(x^2+y^2)";
    let p = toolhost_expr::compile(src, &["x", "y"]).unwrap();
    let mut scratch = p.scratch();
    let mut grad = [0.0; 2];
    let n = 2_000_000;
    let points: Vec<[f64; 2]> = (0..1024)
        .map(|i| [0.001 * i as f64 - 0.5, 0.5 - 0.0007 * i as f64])
        .collect();

    let mut sum = 0.0;
    let start = Instant::now();
    for i in 0..n {
        sum += p.eval_with(black_box(&points[i & 1023]), &mut scratch);
    }
    let eval_ns = start.elapsed().as_nanos() as f64 / n as f64;
    black_box(sum);

    let start = Instant::now();
    for i in 0..n {
        sum += p.eval_grad(black_box(&points[i & 1023]), &mut grad, &mut scratch);
        sum += grad[0];
    }
    let grad_ns = start.elapsed().as_nanos() as f64 / n as f64;
    black_box(sum);

    // The same formula in plain Rust (std math), for scale.
    let start = Instant::now();
    for i in 0..n {
        let [x, y] = *black_box(&points[i & 1023]);
        sum += x.sin() * (-y * y / 2.0).exp() + (x * x + y * y).sqrt();
    }
    let native_ns = start.elapsed().as_nanos() as f64 / n as f64;
    black_box(sum);

    // The same with the libm functions the tape calls, to separate the cost
    // of the math from the cost of interpretation.
    let start = Instant::now();
    for i in 0..n {
        let [x, y] = *black_box(&points[i & 1023]);
        sum += libm::sin(x) * libm::exp(-y * y / 2.0) + (x * x + y * y).sqrt();
    }
    let libm_ns = start.elapsed().as_nanos() as f64 / n as f64;
    black_box(sum);

    println!(
        "{src}: eval {eval_ns:.1} ns, eval_grad {grad_ns:.1} ns; \
         hand-written Rust {native_ns:.1} ns with std math, {libm_ns:.1} ns with libm"
    );
}
