//! The one-line Unicode form and MathML, exactly, for a handful of formulas; and MathML
//! well-formedness for many.

use tool_render_math::{render_mathml, render_oneline};

#[track_caller]
fn oneline(latex: &str, expected: &str) {
    assert_eq!(render_oneline(latex).unwrap(), expected, "{latex}");
}

#[test]
fn oneline_brackets_compound_fraction_parts_and_radicands() {
    oneline(r"\frac{a+b}{c-d}", "(a+b)/(c−d)");
    oneline(r"\sqrt{x^2+1}", "√(x²+1)");
    oneline(
        r"x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}",
        "x = (−b±√(b²−4ac))/(2a)",
    );
    oneline(r"a = \frac{1}{2}", "a = 1/2");
    oneline(r"\frac{1}{2}x + \sin\frac{\pi}{2}", "(1/2)x + sin(π/2)");
    oneline(r"\frac{\frac{a}{b}}{c}", "(a/b)/c");
}

#[test]
fn oneline_scripts_use_unicode_characters_or_fall_back() {
    oneline(r"\sum_{k=1}^{n} k^2", "∑ₖ₌₁ⁿ k²");
    oneline(r"a_{n+1} = a_n^2", "aₙ₊₁ = aₙ²");
    oneline(r"e^{i\pi} + 1 = 0", "e^(iπ) + 1 = 0");
    oneline(r"\int_0^1 x^2\,dx", "∫₀¹ x² dx");
    oneline(
        r"\lim_{n\to\infty}\left(1+\frac{1}{n}\right)^n",
        "lim_(n→∞) (1+1/n)ⁿ",
    );
    oneline(r"\mathbb{R}^n", "ℝⁿ");
    oneline(r"f''(x)", "f″(x)");
    oneline(r"(x+1)^{2}", "(x + 1)²");
    oneline(r"{x+1}^{2}", "(x+1)²");
}

#[test]
fn oneline_roots_matrices_and_accents() {
    oneline(
        r"\sqrt[3]{x+1} + \sqrt[n]{2} + \sqrt[10]{y}",
        "∛(x+1) + ⁿ√2 + ¹⁰√y",
    );
    oneline(r"\sqrt[\pi]{y}", "root(π, y)");
    oneline(
        r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}",
        "(a, b; c, d)",
    );
    oneline(
        r"f(x) = \begin{cases} 1 & x \ge 0 \\ 0 & \text{otherwise} \end{cases}",
        "f(x) = {1, x ≥ 0; 0, otherwise",
    );
    oneline(
        r"\begin{aligned} x &= 1 \\ y &= 2 \end{aligned}",
        "x = 1; y = 2",
    );
    oneline(r"\hat{x} + \overline{ab} + \vec{AB}", "x̂ + a̅b̅ + vec(AB)");
    oneline(r"\binom{n}{k}", "binom(n, k)");
    oneline(r"\left\{ x \middle| x > 0 \right\}", "{x|x > 0}");
}

const HEAD: &str = r#"<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">"#;

#[track_caller]
fn mathml(latex: &str, body: &str) {
    assert_eq!(
        render_mathml(latex, true).unwrap(),
        format!("{HEAD}{body}</math>"),
        "{latex}"
    );
}

#[test]
fn mathml_of_basic_structures() {
    mathml(r"\frac{1}{2}", "<mfrac><mn>1</mn><mn>2</mn></mfrac>");
    mathml("x^2", "<msup><mi>x</mi><mn>2</mn></msup>");
    mathml(r"\sqrt[3]{x}", "<mroot><mi>x</mi><mn>3</mn></mroot>");
    mathml(
        r"\sum_{i=1}^n i",
        "<mrow><munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi>\
         </munderover><mi>i</mi></mrow>",
    );
    mathml(
        r"\int_0^1 f",
        "<mrow><msubsup><mo>∫</mo><mn>0</mn><mn>1</mn></msubsup><mi>f</mi></mrow>",
    );
    mathml(
        r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}",
        r#"<mrow><mo fence="true" form="prefix">(</mo><mtable><mtr><mtd><mi>a</mi></mtd><mtd><mi>b</mi></mtd></mtr><mtr><mtd><mi>c</mi></mtd><mtd><mi>d</mi></mtd></mtr></mtable><mo fence="true" form="postfix">)</mo></mrow>"#,
    );
    mathml(
        r"\lim_{n\to\infty} x_n",
        "<mrow><munder><mo movablelimits=\"true\">lim</mo><mrow><mi>n</mi><mo>→</mo><mi>∞</mi></mrow>\
         </munder><mo>\u{2061}</mo><msub><mi>x</mi><mi>n</mi></msub></mrow>",
    );
}

#[test]
fn mathml_tokens_text_fonts_and_escapes() {
    mathml(
        r"\text{if } x",
        "<mrow><mtext>if\u{a0}</mtext><mi>x</mi></mrow>",
    );
    mathml(r"\mathbb{R}", "<mi>ℝ</mi>");
    mathml(
        r"\mathrm{d}x",
        r#"<mrow><mi mathvariant="normal">d</mi><mi>x</mi></mrow>"#,
    );
    mathml("a<b", "<mrow><mi>a</mi><mo>&lt;</mo><mi>b</mi></mrow>");
    mathml(
        r"\hat{x}",
        r#"<mover accent="true"><mi>x</mi><mo stretchy="false">^</mo></mover>"#,
    );
    mathml(
        r"\binom{n}{k}",
        r#"<mrow><mo>(</mo><mfrac linethickness="0"><mi>n</mi><mi>k</mi></mfrac><mo>)</mo></mrow>"#,
    );
    assert_eq!(
        render_mathml("x", false).unwrap(),
        r#"<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>"#
    );
}

/// Every opened element is closed in order; nothing but tags and text.
fn assert_well_formed(xml: &str) {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        assert!(!rest[..i].contains('>'), "stray > in {xml}");
        let end = rest[i..].find('>').expect("unclosed tag") + i;
        let tag = &rest[i + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name), "{xml}");
        } else if !tag.ends_with('/') {
            stack.push(tag.split(' ').next().unwrap());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "{xml}");
}

#[test]
fn mathml_is_well_formed() {
    for latex in [
        r"x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}",
        r"\lim_{n\to\infty}\left(1+\frac{1}{n}\right)^n",
        r"f(x) = \begin{cases} 1 & x \ge 0 \\ 0 & \text{otherwise} \end{cases}",
        r"\begin{aligned} x &= 1 \\ y + z &= 22 \end{aligned}",
        r"\oint_C \vec{F} \cdot d\vec{r} + \iint\limits_D f\,dA",
        r"\left.\frac{df}{dx}\right|_{x=0} \Big( \dfrac{a}{b} \Big) \tfrac12",
        r"\overline{x+y} = \underline{ab} \quad \operatorname*{arg\,max}_x f'^2",
        r"\displaystyle\sum_i \textstyle\sum_j a_{ij} \bigl[ x \bigr] \left\{ x \middle| y \right\}",
        r"\text{a < b \& c} \mathbf{v} \sqrt[n]{x} \binom{n}{k} \not\in \pmod{p}",
    ] {
        assert_well_formed(&render_mathml(latex, true).unwrap());
        assert_well_formed(&render_mathml(latex, false).unwrap());
    }
}
