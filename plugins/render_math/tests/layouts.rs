//! Exact 2-D layouts, whole multi-line strings. Every expected layout was checked by eye:
//! baselines line up (fraction bars, `=`, big operators and matrices on one axis row),
//! binary operators and relations are spaced and signs are not, no line has trailing
//! spaces. The same formulas (`CASES`) are timed by the `typeset` bench:
//!
//! ```text
//! cargo bench -p tool-render-math --bench typeset
//! ```

use tool_render_math::{Formula, render_unicode};

macro_rules! layouts {
    ($($name:ident: $latex:expr, $display:expr => [$($line:expr),* $(,)?];)*) => {
        /// Every formula of this file, with its style; `benches/typeset.rs` times them.
        pub const CASES: &[(&str, bool)] = &[$(($latex, $display)),*];

        $(
            #[test]
            fn $name() {
                let expected = [$($line),*].join("\n");
                let got = render_unicode($latex, $display).unwrap();
                assert_eq!(
                    got, expected,
                    "\n{}\n--- got ---\n{got}\n--- expected ---\n{expected}\n",
                    $latex
                );
            }
        )*
    };
}

const DISPLAY: bool = true;
const INLINE: bool = false;

layouts! {
    fraction_bar_on_the_axis: r"a = \frac{1}{2}", DISPLAY => [
        "    1",
        "a = ─",
        "    2",
    ];
    nested_fraction_in_denominator: r"\frac{1}{1+\frac{1}{x}}", DISPLAY => [
        "  1",
        "─────",
        "    1",
        "1 + ─",
        "    x",
    ];
    fraction_of_fractions_has_a_longer_bar: r"\frac{\frac{a}{b}}{\frac{c}{d}}", DISPLAY => [
        " a",
        " ─",
        " b",
        "───",
        " c",
        " ─",
        " d",
    ];
    continued_fraction: r"x = 1 + \cfrac{1}{1 + \cfrac{1}{x}}", DISPLAY => [
        "          1",
        "x = 1 + ─────",
        "            1",
        "        1 + ─",
        "            x",
    ];
    quadratic_formula: r"x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}", DISPLAY => [
        "            ________",
        "           ╱ 2",
        "    −b ± ╲╱ b  − 4ac",
        "x = ────────────────",
        "           2a",
    ];
    sum_with_limits_beside_fractions: r"\sum_{k=1}^{\infty} \frac{1}{k^2} = \frac{\pi^2}{6}", DISPLAY => [
        "          2",
        " ∞  1    π",
        " ∑  ── = ──",
        "k=1  2   6",
        "    k",
    ];
    integral_with_limits: r"\int_0^1 x^2\,dx = \frac{1}{3}", DISPLAY => [
        "1",
        "⌠  2      1",
        "⎮ x  dx = ─",
        "⌡         3",
        "0",
    ];
    integral_nolimits: r"\int\nolimits_a^b f(x)\,dx", DISPLAY => [
        "⌠b",
        "⎮  f(x) dx",
        "⌡a",
    ];
    double_integral: r"\iint_D f\,dA", DISPLAY => [
        "⌠⌠",
        "⎮⎮ f dA",
        "⌡⌡",
        "D",
    ];
    contour_integral: r"\oint_C \vec{F} \cdot d\vec{r}", DISPLAY => [
        "⌠",
        "∮ F⃗ ⋅ dr⃗",
        "⌡",
        "C",
    ];
    pmatrix_2x2: r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", DISPLAY => [
        "⎛a  b⎞",
        "⎝c  d⎠",
    ];
    bmatrix_centres_on_the_axis: r"A = \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}", DISPLAY => [
        "    ⎡1  0⎤",
        "A = ⎣0  1⎦",
    ];
    vmatrix_determinant: r"\det\begin{vmatrix} a & b \\ c & d \end{vmatrix} = ad - bc", DISPLAY => [
        "    │a  b│",
        "det │c  d│ = ad − bc",
    ];
    brace_matrix_3_rows: r"\begin{Bmatrix} 1 & 2 \\ 3 & 4 \\ 5 & 6 \end{Bmatrix}", DISPLAY => [
        "⎧1  2⎫",
        "⎨3  4⎬",
        "⎩5  6⎭",
    ];
    matrix_of_fractions_spaces_rows: r"\begin{pmatrix} \frac{1}{2} & 0 \\ 0 & \frac{1}{3} \end{pmatrix}", DISPLAY => [
        "⎛1   ⎞",
        "⎜─  0⎟",
        "⎜2   ⎟",
        "⎜    ⎟",
        "⎜   1⎟",
        "⎜0  ─⎟",
        "⎝   3⎠",
    ];
    cases_block: r"|x| = \begin{cases} x & x \ge 0 \\ -x & \text{otherwise} \end{cases}", DISPLAY => [
        "      ⎧x   x ≥ 0",
        "|x| = ⎨",
        "      ⎩−x  otherwise",
    ];
    limit_with_growing_parentheses: r"\lim_{n\to\infty}\left(1+\frac{1}{n}\right)^n", DISPLAY => [
        "    ⎛    1⎞n",
        "lim ⎜1 + ─⎟",
        "n→∞ ⎝    n⎠",
    ];
    radical_with_index: r"\sqrt[3]{x+1}", DISPLAY => [
        "3 _____",
        " √x + 1",
    ];
    tall_radical: r"\sqrt{\frac{1}{2}}", DISPLAY => [
        "    _",
        "   ╱1",
        "  ╱ ─",
        "╲╱  2",
    ];
    tall_radical_with_index: r"\sqrt[n]{\frac{a}{b}}", DISPLAY => [
        "    _",
        "   ╱a",
        "n ╱ ─",
        "╲╱  b",
    ];
    accents: r"\hat{x} + \bar{y} + \vec{v} + \tilde{n} + \dot{a} + \ddot{b}", DISPLAY => [
        "x̂ + y̅ + v⃗ + ñ + ȧ + b̈",
    ];
    wide_accents: r"\overline{x+y} = \underline{ab} + \vec{AB}", DISPLAY => [
        "_____        ─→",
        "x + y = ab + AB",
        "        ‾‾",
    ];
    blackboard_bold: r"f\colon \mathbb{R}^n \to \mathbb{R}", DISPLAY => [
        "    n",
        "f: ℝ  → ℝ",
    ];
    text_keeps_spaces: r"f(x) = 0 \text{ for all } x > 0", DISPLAY => [
        "f(x) = 0 for all x > 0",
    ];
    binomial: r"\binom{n}{k} = \frac{n!}{k!(n-k)!}", DISPLAY => [
        "⎛n⎞       n!",
        "⎜ ⎟ = ──────────",
        "⎝k⎠   k!(n − k)!",
    ];
    derivative_limit_below_lim: r"f'(x) = \lim_{h \to 0} \frac{f(x+h) - f(x)}{h}", DISPLAY => [
        "            f(x + h) − f(x)",
        "f′(x) = lim ───────────────",
        "        h→0        h",
    ];
    sub_and_superscripts: r"x_1^2 + x_2^2 = r^2", DISPLAY => [
        " 2    2    2",
        "x  + x  = r",
        " 1    2",
    ];
    functions_upright_with_scripts: r"\sin^2\theta + \cos^2\theta = 1 + \log_2 1", DISPLAY => [
        "   2        2",
        "sin  θ + cos  θ = 1 + log  1",
        "                         2",
    ];
    partial_derivatives: r"\frac{\partial^2 u}{\partial t^2} = c^2 \nabla^2 u", DISPLAY => [
        " 2",
        "∂ u    2 2",
        "─── = c ∇ u",
        "  2",
        "∂t",
    ];
    evaluation_bar: r"\left.\frac{df}{dx}\right|_{x=0}", DISPLAY => [
        "df│",
        "──│",
        "dx│x=0",
    ];
    floor_and_angle_brackets: r"\left\lfloor \frac{n}{2} \right\rfloor \le \left\langle \frac{a}{b} \right\rangle", DISPLAY => [
        "⎢n⎥   ╱a╲",
        "⎢─⎥ ≤ ⟨─⟩",
        "⎣2⎦   ╲b╱",
    ];
    big_union_and_intersection: r"\bigcup_{i=1}^{n} A_i \subseteq \bigcap_{j} B_j", DISPLAY => [
        " n",
        " ⋃  A  ⊆ ⋂ B",
        "i=1  i   j  j",
    ];
    aligned_equations: r"\begin{aligned} x &= 1 \\ y + z &= 22 \end{aligned}", DISPLAY => [
        "    x = 1",
        "y + z = 22",
    ];
    spacing_commands: r"a\,b\:c\;d\quad e\qquad f\!g~h", DISPLAY => [
        "a b c d  e    fg h",
    ];
    inline_style_puts_limits_beside: r"\sum_{k=1}^n k = \int_0^1 f", INLINE => [
        " n        1",
        "∑    k = ∫  f",
        " k=1      0",
    ];
}

#[test]
fn the_set_is_large_enough() {
    assert!(CASES.len() >= 25);
}

#[test]
fn no_line_has_trailing_spaces_and_widths_are_consistent() {
    for (latex, display) in CASES {
        let block = Formula::parse(latex, *display).unwrap().layout().unwrap();
        let text = block.to_text();
        assert_eq!(text.lines().count(), block.rows(), "{latex}");
        for line in text.lines() {
            assert!(!line.ends_with(' '), "{latex}: {line:?}");
            // Combining marks take no column of their own.
            let columns = line
                .chars()
                .filter(|c| {
                    !('\u{300}'..='\u{36f}').contains(c) && !('\u{20d0}'..='\u{20ff}').contains(c)
                })
                .count();
            assert!(columns <= block.width(), "{latex}: {line:?}");
        }
    }
}
