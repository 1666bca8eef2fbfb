//! render_math: time per call inside the sandbox, over the formulas of the exact-layout
//! tests (cycled), next to `echo` measured in the same run so the per-call sandbox overhead
//! can be told apart from the layout work.

use serde_json::{Value, json};

use super::Bench;
use super::stats::{median, micros, percentile};

/// (LaTeX, display style): the exact-layout test set of plugins/render_math/tests/layouts.rs.
const FORMULAS: &[(&str, bool)] = &[
    (r"a = \frac{1}{2}", true),
    (r"\frac{1}{1+\frac{1}{x}}", true),
    (r"\frac{\frac{a}{b}}{\frac{c}{d}}", true),
    (r"x = 1 + \cfrac{1}{1 + \cfrac{1}{x}}", true),
    (r"x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}", true),
    (r"\sum_{k=1}^{\infty} \frac{1}{k^2} = \frac{\pi^2}{6}", true),
    (r"\int_0^1 x^2\,dx = \frac{1}{3}", true),
    (r"\int\nolimits_a^b f(x)\,dx", true),
    (r"\iint_D f\,dA", true),
    (r"\oint_C \vec{F} \cdot d\vec{r}", true),
    (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", true),
    (r"A = \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}", true),
    (
        r"\det\begin{vmatrix} a & b \\ c & d \end{vmatrix} = ad - bc",
        true,
    ),
    (
        r"\begin{Bmatrix} 1 & 2 \\ 3 & 4 \\ 5 & 6 \end{Bmatrix}",
        true,
    ),
    (
        r"\begin{pmatrix} \frac{1}{2} & 0 \\ 0 & \frac{1}{3} \end{pmatrix}",
        true,
    ),
    (
        r"|x| = \begin{cases} x & x \ge 0 \\ -x & \text{otherwise} \end{cases}",
        true,
    ),
    (r"\lim_{n\to\infty}\left(1+\frac{1}{n}\right)^n", true),
    (r"\sqrt[3]{x+1}", true),
    (r"\sqrt{\frac{1}{2}}", true),
    (r"\sqrt[n]{\frac{a}{b}}", true),
    (
        r"\hat{x} + \bar{y} + \vec{v} + \tilde{n} + \dot{a} + \ddot{b}",
        true,
    ),
    (r"\overline{x+y} = \underline{ab} + \vec{AB}", true),
    (r"f\colon \mathbb{R}^n \to \mathbb{R}", true),
    (r"f(x) = 0 \text{ for all } x > 0", true),
    (r"\binom{n}{k} = \frac{n!}{k!(n-k)!}", true),
    (r"f'(x) = \lim_{h \to 0} \frac{f(x+h) - f(x)}{h}", true),
    (r"x_1^2 + x_2^2 = r^2", true),
    (r"\sin^2\theta + \cos^2\theta = 1 + \log_2 1", true),
    (r"\frac{\partial^2 u}{\partial t^2} = c^2 \nabla^2 u", true),
    (r"\left.\frac{df}{dx}\right|_{x=0}", true),
    (
        r"\left\lfloor \frac{n}{2} \right\rfloor \le \left\langle \frac{a}{b} \right\rangle",
        true,
    ),
    (r"\bigcup_{i=1}^{n} A_i \subseteq \bigcap_{j} B_j", true),
    (r"\begin{aligned} x &= 1 \\ y + z &= 22 \end{aligned}", true),
    (r"a\,b\:c\;d\quad e\qquad f\!g~h", true),
    (r"\sum_{k=1}^n k = \int_0^1 f", false),
];

const ROUNDS: usize = 300;

/// p50 and p99 per call, cycling through `inputs`.
fn per_call(bench: &Bench, tool: &str, inputs: &[Value]) -> (f64, f64) {
    for input in inputs.iter().cycle().take(200) {
        bench.call(tool, input);
    }
    let times: Vec<f64> = inputs
        .iter()
        .cycle()
        .take(ROUNDS * inputs.len())
        .map(|input| micros(bench.call(tool, input).1))
        .collect();
    (median(times.clone()), percentile(times, 0.99))
}

pub fn run(bench: &Bench) {
    let formulas: Vec<Value> = FORMULAS
        .iter()
        .map(|(latex, display)| json!({ "latex": latex, "display": display }))
        .collect();
    let echo = [json!({ "text": "hi" })];
    let (echo_p50, _) = per_call(bench, "echo", &echo);
    let (p50, p99) = per_call(bench, "render_math", &formulas);
    let goal = 50.0;
    println!(
        "{} formulas x {ROUNDS}: p50 {p50:.1} µs per call (goal {goal}, {}), p99 {p99:.1} µs; \
         echo p50 {echo_p50:.1} µs in the same run, so layout adds {:.1} µs",
        FORMULAS.len(),
        if p50 <= goal { "met" } else { "MISSED" },
        p50 - echo_p50
    );
}
