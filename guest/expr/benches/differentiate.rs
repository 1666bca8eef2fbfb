//! Timing of symbolic differentiation where expressions grow: median of 21
//! runs of differentiating and of printing the result.
//!
//! `cargo bench -p toolhost-expr --bench differentiate`

use std::time::{Duration, Instant};

use toolhost_expr::Symbolic;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let cases = [
        ("x^x", 10),
        ("exp(sin(x)*x^2)", 6),
        (
            "(x+1)*(x+2)*(x+3)*(x+4)*(x+5)*(x+6)*(x+7)*(x+8)*(x+9)*(x+10)",
            3,
        ),
        ("normal_lpdf(x, mu, sigma)*gamma(x)", 4),
        ("atan2(sin(x), 1 + x^2)", 5),
    ];
    for (src, order) in cases {
        let mut text_len = 0;
        let mut diff_times = Vec::new();
        let mut print_times = Vec::new();
        for _ in 0..21 {
            let start = Instant::now();
            let mut s = Symbolic::parse(src).unwrap();
            s.differentiate("x", order).unwrap();
            diff_times.push(start.elapsed());
            let start = Instant::now();
            text_len = s.to_string().len();
            print_times.push(start.elapsed());
        }
        println!(
            "d^{order}/dx^{order} {src}: differentiate {:?}, print {:?} (median of 21), {text_len} bytes",
            median(diff_times),
            median(print_times),
        );
    }
}
