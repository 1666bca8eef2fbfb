//! Bad input: every fault is an error with its kind, its position (byte offset and
//! 1-based column) and a caret snippet; deep or huge input is refused, never a crash.

use tool_render_math::{ErrorKind, Formula, MAX_DEPTH, MAX_INPUT_BYTES, RenderError};

fn err(latex: &str) -> RenderError {
    match Formula::parse(latex, true).and_then(|f| f.layout()) {
        Ok(b) => panic!("{latex} rendered:\n{}", b.to_text()),
        Err(e) => e,
    }
}

/// Kind, byte offset, column and snippet of the error for `latex`.
#[track_caller]
fn check(latex: &str, kind: ErrorKind, offset: usize, column: usize, snippet: &str) {
    let e = err(latex);
    assert_eq!(e.kind(), kind, "{latex}: {e}");
    assert_eq!(e.location().span.start, offset, "{latex}: {e}");
    assert_eq!(e.location().column, column, "{latex}: {e}");
    assert_eq!(e.snippet(latex), snippet, "{latex}: {e}");
}

#[test]
fn unbalanced_braces_point_at_the_culprit() {
    check(
        r"\frac{1}{2",
        ErrorKind::UnbalancedBrace,
        8,
        9,
        "\\frac{1}{2\n        ^",
    );
    check("a + b}", ErrorKind::UnbalancedBrace, 5, 6, "a + b}\n     ^");
    check(
        r"\left( x }",
        ErrorKind::UnbalancedBrace,
        9,
        10,
        "\\left( x }\n         ^",
    );
}

#[test]
fn unknown_commands_suggest_a_close_name() {
    let e = err(r"x + \fracc{1}{2}");
    assert_eq!(e.kind(), ErrorKind::UnknownCommand);
    assert_eq!(e.suggestion(), Some(r"\frac"));
    assert_eq!(e.location().span, 4..10);
    assert_eq!(
        e.to_string(),
        r"line 1, column 5 (byte 4): unknown command \fracc; did you mean \frac?"
    );
    assert_eq!(err(r"\alpah").suggestion(), Some(r"\alpha"));
    assert_eq!(err(r"\Sum_i").suggestion(), Some(r"\sum"));
    assert_eq!(err(r"\infinity").suggestion(), None);
    assert_eq!(err(r"\Alpha").suggestion(), Some("A"));
    assert_eq!(
        err(r"\begin{pmatirx}a\end{pmatirx}").suggestion(),
        Some("pmatrix")
    );
}

#[test]
fn columns_count_characters_and_lines() {
    // α is two bytes: byte 5 is column 5 (α, space, +, space, then the command).
    check(
        r"α + \foo",
        ErrorKind::UnknownCommand,
        5,
        5,
        "α + \\foo\n    ^^^^",
    );
    let e = err("a +\n  b + \\foo");
    assert_eq!((e.location().line, e.location().column), (2, 7));
    assert_eq!(e.location().span.start, 10);
    assert_eq!(e.snippet("a +\n  b + \\foo"), "  b + \\foo\n      ^^^^");
}

#[test]
fn delimiters_and_environments() {
    check(
        r"x \right)",
        ErrorKind::UnbalancedDelimiter,
        2,
        3,
        "x \\right)\n  ^^^^^^",
    );
    check(
        r"\left( x",
        ErrorKind::UnbalancedDelimiter,
        0,
        1,
        "\\left( x\n^^^^^^",
    );
    check(
        r"\left x",
        ErrorKind::BadDelimiter,
        6,
        7,
        "\\left x\n      ^",
    );
    check(
        r"\begin{foo} x \end{foo}",
        ErrorKind::UnknownEnvironment,
        7,
        8,
        "\\begin{foo} x \\end{foo}\n       ^^^",
    );
    check(
        r"\begin{matrix} a \end{pmatrix}",
        ErrorKind::UnbalancedEnvironment,
        22,
        23,
        "\\begin{matrix} a \\end{pmatrix}\n                      ^^^^^^^",
    );
    check(
        r"\begin{cases} a",
        ErrorKind::UnbalancedEnvironment,
        0,
        1,
        "\\begin{cases} a\n^^^^^^^^^^^^^",
    );
    check(r"a & b", ErrorKind::Unexpected, 2, 3, "a & b\n  ^");
}

#[test]
fn missing_arguments_point_where_the_argument_should_be() {
    check(
        r"\frac{1}",
        ErrorKind::MissingArgument,
        8,
        9,
        "\\frac{1}\n        ^",
    );
    check(r"\sqrt", ErrorKind::MissingArgument, 5, 6, "\\sqrt\n     ^");
    check(
        r"{\hat}",
        ErrorKind::MissingArgument,
        5,
        6,
        "{\\hat}\n     ^",
    );
    check(r"x^", ErrorKind::MissingArgument, 2, 3, "x^\n  ^");
    check(
        r"\frac{a}&",
        ErrorKind::MissingArgument,
        8,
        9,
        "\\frac{a}&\n        ^",
    );
}

#[test]
fn other_faults() {
    check("x^a^b", ErrorKind::DoubleScript, 3, 4, "x^a^b\n   ^");
    check("$x$", ErrorKind::Unexpected, 0, 1, "$x$\n^");
    check(
        r"\text{a^b}",
        ErrorKind::Unexpected,
        7,
        8,
        "\\text{a^b}\n       ^",
    );
    check(
        r"x \limits",
        ErrorKind::Unexpected,
        2,
        3,
        "x \\limits\n  ^^^^^^^",
    );
    check("x\\", ErrorKind::Unexpected, 1, 2, "x\\\n ^");
    assert_eq!(err("  % only a comment").kind(), ErrorKind::Empty);
    assert_eq!(err("").kind(), ErrorKind::Empty);
}

#[test]
fn nesting_is_limited_not_a_stack_overflow() {
    let deep = [
        "{".repeat(100_000),
        r"\sqrt".repeat(10_000) + "x",
        r"\frac{".repeat(1_000),
        r"x^{".repeat(1_000),
        r"\left(".repeat(1_000),
        r"\begin{matrix}".repeat(1_000),
        r"\hat".repeat(5_000) + "x",
        r"\displaystyle".repeat(1_000) + "x",
    ];
    for latex in &deep {
        let latex = &latex[..latex.len().min(MAX_INPUT_BYTES)];
        let e = err(latex);
        assert_eq!(e.kind(), ErrorKind::TooDeep, "{}...: {e}", &latex[..20]);
    }
}

#[test]
fn the_deepest_accepted_input_fits_a_small_stack() {
    // The sandbox gives a guest about 1 MiB of stack; this test's thread gets that much,
    // unoptimised, which is the worst case.
    let latex = r"\frac{1}{".repeat(MAX_DEPTH - 1) + "x" + &"}".repeat(MAX_DEPTH - 1);
    let rows = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let f = Formula::parse(&latex, true).unwrap();
            let _ = (f.oneline(), f.mathml());
            f.layout().unwrap().rows()
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(rows, 2 * (MAX_DEPTH - 1) + 1);
    assert_eq!(
        err(&(r"\frac{1}{".repeat(MAX_DEPTH) + "x")).kind(),
        ErrorKind::TooDeep
    );
}

#[test]
fn size_is_limited() {
    let long = "x".repeat(MAX_INPUT_BYTES + 1);
    let e = err(&long);
    assert_eq!(e.kind(), ErrorKind::TooLong);
    assert_eq!(e.location().span.start, MAX_INPUT_BYTES);
    // 2000 rows tall and 8000 columns wide: too many cells to draw.
    let huge = format!(
        r"\begin{{matrix}}{}{}&{}\end{{matrix}}",
        r"a\\".repeat(2_000),
        "b",
        "c".repeat(8_000)
    );
    assert_eq!(err(&huge).kind(), ErrorKind::TooLarge);
}

#[test]
fn content_is_never_dropped_silently() {
    // Everything typed shows up in each form.
    let latex = r"\alpha_1 + \text{ok} - \mathbb{Z} \cdot \sqrt[3]{y} = \frac{p}{q}";
    let f = Formula::parse(latex, true).unwrap();
    let text = f.layout().unwrap().to_text();
    for c in [
        'α', '1', '+', 'o', 'k', '−', 'ℤ', '⋅', '3', 'y', '=', 'p', 'q',
    ] {
        assert!(text.contains(c), "{c} missing from\n{text}");
        assert!(f.mathml().contains(c), "{c} missing from {}", f.mathml());
    }
    assert_eq!(f.oneline(), "α₁ + ok − ℤ ⋅ ∛y = p/q");
}
