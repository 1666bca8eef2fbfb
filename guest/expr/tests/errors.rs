//! Error kinds, positions and messages, and robustness against any input.

mod common;

use common::{Rng, err};
use toolhost_expr::{ErrorKind, Expr, ExprError, MAX_DEPTH};

fn at(e: &ExprError) -> (usize, usize) {
    let loc = e.location().expect("error should have a location");
    (loc.line, loc.column)
}

#[track_caller]
fn check(src: &str, kind: ErrorKind, line: usize, column: usize, message: &str) {
    let e = err(src);
    assert_eq!(e.kind(), kind, "{src:?}: {e}");
    assert_eq!(at(&e), (line, column), "{src:?}: {e}");
    assert_eq!(e.message(), message, "{src:?}");
}

#[test]
fn unknown_variable() {
    check(
        "x + yy",
        ErrorKind::UnknownVariable,
        1,
        5,
        "unknown variable 'yy' (did you mean 'y'?)",
    );
    check(
        "x + q",
        ErrorKind::UnknownVariable,
        1,
        5,
        "unknown variable 'q'",
    );
    check(
        "x + sin",
        ErrorKind::UnknownVariable,
        1,
        5,
        "unknown variable 'sin' ('sin' is a function: call it as sin(...))",
    );
    // The leftmost unknown is reported, on the right line.
    let e = toolhost_expr::compile("x +\n  2 * sigmaa + zz", &["x", "sigma"]).unwrap_err();
    assert_eq!(at(&e), (2, 7));
    assert_eq!(
        e.to_string(),
        "line 2, column 7: unknown variable 'sigmaa' (did you mean 'sigma'?)"
    );
    assert_eq!(e.location().unwrap().span, 10..16);
}

#[test]
fn unknown_function() {
    let e = err("x + 2*sinn(y)");
    assert_eq!(e.kind(), ErrorKind::UnknownFunction);
    assert_eq!(
        e.to_string(),
        "line 1, column 7: unknown function 'sinn' (did you mean 'sin'?)"
    );
    check(
        "foo(1)",
        ErrorKind::UnknownFunction,
        1,
        1,
        "unknown function 'foo'",
    );
    check(
        "x(2)",
        ErrorKind::UnknownFunction,
        1,
        1,
        "unknown function 'x'",
    );
}

#[test]
fn wrong_arity() {
    check(
        "atan2(1)",
        ErrorKind::WrongArity,
        1,
        1,
        "function 'atan2' expects 2 arguments, got 1",
    );
    check(
        "1 + sin(1, 2)",
        ErrorKind::WrongArity,
        1,
        5,
        "function 'sin' expects 1 argument, got 2",
    );
    check(
        "min()",
        ErrorKind::WrongArity,
        1,
        1,
        "function 'min' expects at least 1 argument, got 0",
    );
    check(
        "log(1, 2, 3)",
        ErrorKind::WrongArity,
        1,
        1,
        "function 'log' expects 1 or 2 arguments, got 3",
    );
    check(
        "x +\n if(x, y)",
        ErrorKind::WrongArity,
        2,
        2,
        "function 'if' expects 3 arguments, got 2",
    );
}

#[test]
fn unbalanced_parentheses() {
    check(
        "(1 + 2",
        ErrorKind::UnbalancedParen,
        1,
        1,
        "unclosed '(' (missing ')')",
    );
    check(
        "((x)",
        ErrorKind::UnbalancedParen,
        1,
        1,
        "unclosed '(' (missing ')')",
    );
    check(
        "sin(x",
        ErrorKind::UnbalancedParen,
        1,
        4,
        "unclosed '(' (missing ')')",
    );
    check(
        "(",
        ErrorKind::UnbalancedParen,
        1,
        1,
        "unclosed '(' (missing ')')",
    );
    check(
        "1 + 2)",
        ErrorKind::UnbalancedParen,
        1,
        6,
        "unmatched ')' (no '(' to close)",
    );
    check(
        ")",
        ErrorKind::UnbalancedParen,
        1,
        1,
        "unmatched ')' (no '(' to close)",
    );
    check(
        "(x))",
        ErrorKind::UnbalancedParen,
        1,
        4,
        "unmatched ')' (no '(' to close)",
    );
}

#[test]
fn trailing_operator() {
    check(
        "1 +",
        ErrorKind::UnexpectedEnd,
        1,
        3,
        "expected an operand after '+', but the input ends",
    );
    // The caret goes on the operator, not on a blank last line.
    check(
        "x *\n\n",
        ErrorKind::UnexpectedEnd,
        1,
        3,
        "expected an operand after '*', but the input ends",
    );
    check(
        "2^",
        ErrorKind::UnexpectedEnd,
        1,
        2,
        "expected an operand after '^', but the input ends",
    );
    check(
        "-",
        ErrorKind::UnexpectedEnd,
        1,
        1,
        "expected an operand after '-', but the input ends",
    );
}

#[test]
fn misplaced_tokens() {
    check(
        "1 + * 2",
        ErrorKind::UnexpectedToken,
        1,
        5,
        "expected an operand after '+', found '*'",
    );
    check(
        "sin(x,)",
        ErrorKind::UnexpectedToken,
        1,
        7,
        "expected an operand after ',', found ')'",
    );
    check(
        "()",
        ErrorKind::UnexpectedToken,
        1,
        2,
        "expected an operand after '(', found ')'",
    );
    check(
        "2x",
        ErrorKind::UnexpectedToken,
        1,
        2,
        "expected an operator, found name 'x' (implicit multiplication is not supported: write '*')",
    );
    check(
        "(x y)",
        ErrorKind::UnexpectedToken,
        1,
        4,
        "expected ')' or an operator, found name 'y' (implicit multiplication is not supported: write '*')",
    );
    check(
        "max(x y)",
        ErrorKind::UnexpectedToken,
        1,
        7,
        "expected ',', ')' or an operator, found name 'y' (implicit multiplication is not supported: write '*')",
    );
    check(
        "1, 2",
        ErrorKind::UnexpectedToken,
        1,
        2,
        "expected an operator, found ','",
    );
}

#[test]
fn unexpected_character() {
    check(
        "2 # 3",
        ErrorKind::UnexpectedChar,
        1,
        3,
        "unexpected character '#'",
    );
    check(
        "x = 1",
        ErrorKind::UnexpectedChar,
        1,
        3,
        "unexpected character '=' (use '==' to compare)",
    );
    check(
        "x & y",
        ErrorKind::UnexpectedChar,
        1,
        3,
        "unexpected character '&' (use '&&' for logical and)",
    );
    // Columns count characters, spans count bytes.
    let e = err("x + y\n  + ü");
    assert_eq!(at(&e), (2, 5));
    assert_eq!(e.message(), "unexpected character 'ü'");
    assert_eq!(e.location().unwrap().span, 10..12);
    // A quote now opens text; the fault is the '@' after 6 characters (7 bytes).
    let e = err("\"é\" + @");
    assert_eq!(at(&e), (1, 7));
}

#[test]
fn invalid_number() {
    check(
        "1e+ 2",
        ErrorKind::InvalidNumber,
        1,
        1,
        "malformed number '1e+': the exponent has no digits",
    );
    check(
        "x + .",
        ErrorKind::InvalidNumber,
        1,
        5,
        "a '.' must be followed or preceded by digits",
    );
}

#[test]
fn empty_input() {
    for src in ["", "   ", "\n\t\n"] {
        check(src, ErrorKind::Empty, 1, 1, "empty expression");
    }
}

#[test]
fn nesting_too_deep() {
    let nested = |n: usize| format!("{}x{}", "(".repeat(n), ")".repeat(n));
    // One level is taken by the top of the expression itself.
    assert!(toolhost_expr::compile(&nested(MAX_DEPTH - 1), &["x"]).is_ok());
    let e = err(&nested(MAX_DEPTH));
    assert_eq!(e.kind(), ErrorKind::TooDeep);
    assert_eq!(at(&e), (1, MAX_DEPTH + 1));
    assert_eq!(
        e.message(),
        "expression is nested too deeply (the limit is 256 levels)"
    );
    for src in [
        nested(100_000),
        format!("{}x", "-".repeat(100_000)),
        format!("x{}", "^x".repeat(100_000)),
        format!("{}x{}", "sin(".repeat(100_000), ")".repeat(100_000)),
    ] {
        assert_eq!(err(&src).kind(), ErrorKind::TooDeep);
    }
}

#[test]
fn deepest_accepted_nesting_fits_a_wasm_sized_stack() {
    // wasm32-wasip2 gives 1 MiB of stack by default. Measured need at the
    // limit: about 0.5 MiB unoptimized, 0.2 MiB optimized.
    let d = MAX_DEPTH - 1;
    let inputs = [
        format!("{}x{}", "(".repeat(d), ")".repeat(d)),
        format!("{}x{}", "sin(".repeat(d), ")".repeat(d)),
        format!("{}x{}", "max(1, ".repeat(d), ")".repeat(d)),
        format!("{}x{}", "(1+(".repeat(d / 2), "))".repeat(d / 2)),
        format!("{}x", "-".repeat(d)),
        format!("x{}", "^x".repeat(d - 1)),
    ];
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            for src in &inputs {
                let p = toolhost_expr::compile(src, &["x"]).unwrap();
                p.eval_grad(&[0.5], &mut [0.0], &mut p.scratch());
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn long_flat_expressions_are_fine() {
    // Length is not depth: a sum of many terms must not hit the limit or
    // overflow the stack in any pass.
    let n = 100_000;
    let src = format!("x{}", " + x * 1".repeat(n));
    let p = toolhost_expr::compile(&src, &["x"]).unwrap();
    assert_eq!(p.eval(&[2.0]), 2.0 * (n as f64 + 1.0));
    let mut grad = [0.0];
    p.eval_grad(&[2.0], &mut grad, &mut p.scratch());
    assert_eq!(grad[0], n as f64 + 1.0);
}

#[test]
fn compile_rejects_bad_variable_lists() {
    let e = Expr::parse("2 * pi * r").unwrap();
    let err = e.compile(&["r", "pi"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReservedName);
    assert_eq!(at(&err), (1, 5));
    assert_eq!(
        err.message(),
        "'pi' is a reserved constant and cannot be a variable name"
    );
    // Not used in the source: still an error, without a location.
    let err = Expr::parse("r").unwrap().compile(&["r", "e"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReservedName);
    assert!(err.location().is_none());
    assert_eq!(
        err.to_string(),
        "'e' is a reserved constant and cannot be a variable name"
    );

    let err = Expr::parse("x").unwrap().compile(&["x", "x"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DuplicateVariable);
    let err = Expr::parse("x").unwrap().compile(&["x", "2y"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidVariableName);
    let err = Expr::parse("x").unwrap().compile(&["x", ""]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidVariableName);
}

#[test]
fn render_shows_the_line_and_a_caret() {
    let src = "a * 2 +\n  sinn(b)";
    let e = Expr::parse(src).unwrap_err();
    assert_eq!(
        e.render(src),
        "line 2, column 3: unknown function 'sinn' (did you mean 'sin'?)\n    sinn(b)\n    ^^^^"
    );
    let src = "1 +";
    assert_eq!(
        err(src).render(src),
        "line 1, column 3: expected an operand after '+', but the input ends\n  1 +\n    ^"
    );
    let src = "ü + ?";
    assert_eq!(
        err(src).render(src),
        "line 1, column 1: unexpected character 'ü'\n  ü + ?\n  ^"
    );
}

#[test]
fn error_trait() {
    fn takes(_: &dyn std::error::Error) {}
    takes(&err("1 +"));
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err("1 +"));
    assert!(boxed.to_string().starts_with("line 1, column 3: "));
}

/// Random token soup and randomly mutated valid expressions: no input may
/// panic, and every error must point inside the source with a line and
/// column that match its span.
#[test]
fn never_panics_on_garbage() {
    const PIECES: &[&str] = &[
        "x", "y", "z", "1", "2.5", ".5", "1e", "1e-3", "9e999", "(", ")", "((", "))", ",", "+",
        "-", "*", "/", "%", "^", "**", "!", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "=", "&",
        "|", " ", "\n", "\t", "sin", "sin(", "atan2(", "min(", "if(", "log(", "pi", "e", "nan",
        "é", "∑", "🙂", "#", ".", "_", "gamma", "mod(", "clamp(",
    ];
    let mut rng = Rng::new(7);
    let mut scratch = toolhost_expr::Scratch::new();
    let mut ok = 0;
    const VALID: &[&str] = &[
        "sin(x)*exp(-y^2/2) + sqrt(x^2+y^2)",
        "if(x > 0 && y <= 1, log(x, 2), -x^-2)",
        "max(x, y, z) % 3 - mod(z, -2) * !y",
        "clamp(atan2(y, x), -pi, pi) ** 2 || nan",
        "(x + (y * (z - 1)) / 2)\n + gamma(x) - lgamma(.5e1)",
    ];
    for case in 0..20_000 {
        let src: String = if case % 2 == 0 {
            let len = 1 + rng.below(14);
            (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect()
        } else {
            let mut chars: Vec<String> = VALID[rng.below(VALID.len())]
                .chars()
                .map(String::from)
                .collect();
            for _ in 0..rng.below(3) {
                let at = rng.below(chars.len());
                match rng.below(3) {
                    0 => drop(chars.remove(at)),
                    1 => chars.insert(at, PIECES[rng.below(PIECES.len())].to_string()),
                    _ => chars[at] = PIECES[rng.below(PIECES.len())].to_string(),
                }
            }
            chars.concat()
        };
        match toolhost_expr::compile(&src, &["x", "y", "z"]) {
            Ok(p) => {
                ok += 1;
                let v = [rng.uniform(-3.0, 3.0), 0.0, f64::NAN];
                let a = p.eval_with(&v, &mut scratch);
                let mut g = [0.0; 3];
                let b = p.eval_grad(&v, &mut g, &mut scratch);
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{src:?}"
                );
            }
            Err(e) => {
                let loc = e.location().expect("source errors have a location");
                assert!(
                    loc.span.start <= loc.span.end && loc.span.end <= src.len(),
                    "{src:?}"
                );
                assert!(src.is_char_boundary(loc.span.start), "{src:?}");
                let before = &src[..loc.span.start];
                assert_eq!(loc.line, before.matches('\n').count() + 1, "{src:?}");
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                assert_eq!(
                    loc.column,
                    before[line_start..].chars().count() + 1,
                    "{src:?}"
                );
                assert!(e.render(&src).contains('^'));
            }
        }
    }
    // The soup must exercise the success path too, or this test is hollow.
    println!("{ok} of 20000 inputs compiled");
    assert!(ok > 2_000, "only {ok} inputs compiled");
}
