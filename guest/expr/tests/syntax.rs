//! Precedence, associativity, literals and variable discovery.

mod common;

use common::{err, ev, prog};
use toolhost_expr::{ErrorKind, Expr};

#[test]
fn precedence_and_associativity() {
    // Each pair is chosen so that a wrong precedence or associativity would
    // give a different value.
    let table: &[(&str, f64)] = &[
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),
        ("1 - (2 + 3)", -4.0),
        ("100 / 10 / 5", 2.0),
        ("2 * 3 % 4", 2.0),
        ("7 % 4 * 3", 9.0),
        ("2 + 3 * 4 ^ 2", 50.0),
        ("8 / 2 ^ 2", 2.0),
        ("-2^2", -4.0),
        ("(-2)^2", 4.0),
        ("-2 ^ 2 * 3", -12.0),
        ("2^3^2", 512.0),
        ("2**3**2", 512.0),
        ("2 ** 3 ^ 2", 512.0),
        ("(2^3)^2", 64.0),
        ("2^-1", 0.5),
        ("-2^-2", -0.25),
        ("2^-1^2", 0.5),
        ("2^+3", 8.0),
        ("--3", 3.0),
        ("-+-3", 3.0),
        ("!0", 1.0),
        ("!5", 0.0),
        ("!!5", 1.0),
        ("!0 + 1", 2.0),
        ("!2^0", 0.0), // (!2)^0 would be 1
        ("1 + 2 < 4", 1.0),
        ("2 * 3 == 6", 1.0),
        ("(1 < 2) == 1", 1.0),
        ("1 || 0 && 0", 1.0),
        ("0 && 1 || 1", 1.0),
        ("(1 || 0) && 0", 0.0),
        ("1 < 2 && 3 < 4", 1.0),
        ("1 == 1 || 0", 1.0),
        ("-1 < 0", 1.0),
        ("3 >= 3", 1.0),
        ("3 > 3", 0.0),
        ("3 != 3", 0.0),
        ("3 <= 2", 0.0),
        ("2 == 2.0", 1.0),
        ("0.5 && 2", 1.0),
        ("nan || 0", 1.0), // NaN is nonzero, hence true
    ];
    for &(src, want) in table {
        assert_eq!(ev(src), want, "{src}");
    }
}

#[test]
fn comparison_chains_are_errors_at_the_second_operator() {
    for (src, col) in [("a < b < c", 7), ("1 == 2 != 3", 8), ("x<=y>=1", 5)] {
        let e = Expr::parse(src).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ChainedComparison, "{src}");
        let loc = e.location().unwrap();
        assert_eq!((loc.line, loc.column), (1, col), "{src}");
    }
    // Explicit grouping is fine.
    assert_eq!(ev("(1 < 2) < 3"), 1.0);
}

#[test]
fn numbers() {
    assert_eq!(ev("2"), 2.0);
    assert_eq!(ev("2.5"), 2.5);
    assert_eq!(ev(".5"), 0.5);
    assert_eq!(ev("1e-3"), 1e-3);
    assert_eq!(ev("6.02E23"), 6.02e23);
    assert_eq!(ev("1e999"), f64::INFINITY);
    assert_eq!(ev("1e-999"), 0.0);
    assert_eq!(ev(&"1".repeat(400)), f64::INFINITY);
}

#[test]
fn constants() {
    use std::f64::consts;
    assert_eq!(ev("pi"), consts::PI);
    assert_eq!(ev("e"), consts::E);
    assert_eq!(ev("tau"), consts::TAU);
    assert_eq!(ev("inf"), f64::INFINITY);
    assert_eq!(ev("-inf"), f64::NEG_INFINITY);
    assert!(ev("nan").is_nan());
}

#[test]
fn ieee_results_are_not_errors() {
    assert_eq!(ev("1/0"), f64::INFINITY);
    assert!(ev("0/0").is_nan());
    assert!(ev("sqrt(-1)").is_nan());
    assert_eq!(ev("ln(0)"), f64::NEG_INFINITY);
    assert!(ev("inf - inf").is_nan());
}

#[test]
fn whitespace_and_lines() {
    assert_eq!(ev("  1 +\n\t2\r\n * 3  "), 7.0);
    assert_eq!(ev("sin ( 0 ) + max(\n 1,\n 2\n)"), 2.0);
    // Non-ASCII whitespace is whitespace too.
    assert_eq!(ev("1\u{a0}+\u{2003}1"), 2.0);
}

#[test]
fn variables_in_first_seen_order_without_constants() {
    let e = Expr::parse("y + x * y + z - pi * e").unwrap();
    assert_eq!(e.variables(), ["y", "x", "z"]);
    // Function names are a separate namespace from variables.
    let e = Expr::parse("gamma(x) * gamma + (beta^2)").unwrap();
    assert_eq!(e.variables(), ["x", "gamma", "beta"]);
    let p = prog("gamma(x) * gamma", &["x", "gamma"]);
    assert_eq!(p.eval(&[5.0, 2.0]), 48.0);
    assert!(Expr::parse("2 + 3").unwrap().variables().is_empty());
}

#[test]
fn compile_order_decides_argument_order() {
    let p = prog("x - y", &["y", "x"]);
    assert_eq!(p.eval(&[1.0, 5.0]), 4.0);
    assert_eq!(p.variables(), ["y", "x"]);
    // Unused names are allowed, so a tool can bind a fixed set.
    let p = prog("x", &["a", "x", "b"]);
    assert_eq!(p.num_vars(), 3);
    assert_eq!(p.eval(&[1.0, 2.0, 3.0]), 2.0);
}

#[test]
fn identifiers() {
    let p = prog("_a1 + B_2 * __", &["_a1", "B_2", "__"]);
    assert_eq!(p.eval(&[1.0, 2.0, 3.0]), 7.0);
    // Names are case-sensitive: PI is a variable, pi a constant.
    assert_eq!(err("PI").kind(), ErrorKind::UnknownVariable);
}

#[test]
fn from_str() {
    let e: Expr = "x + 1".parse().unwrap();
    assert_eq!(e.source(), "x + 1");
    assert!("x +".parse::<Expr>().is_err());
}
