//! Checks on the internals: the rule table and the printer's precedence.

use super::arena::Arena;
use super::convert::convert;
use super::node::Func;
use super::rules::{self, Partial};
use super::*;
use crate::dist::Dist;
use crate::elementary::{Bin, Un};
use crate::functions::{FUNCTIONS, Lower};

#[test]
fn every_derivative_rule_parses_and_uses_only_its_parameters() {
    let mut checked = 0;
    for f in FUNCTIONS {
        let (params, partials): (&[&str], Vec<Partial>) = match f.lower {
            Lower::Un(op) => (&["u"], vec![rules::unary(op)]),
            Lower::Bin(op) => (
                rules::binary(op).params,
                rules::binary(op).partials.to_vec(),
            ),
            Lower::Dist(d) => (rules::dist(d).params, rules::dist(d).partials.to_vec()),
            Lower::StudentT => (
                rules::student_t().params,
                rules::student_t().partials.to_vec(),
            ),
            _ => continue,
        };
        for p in partials {
            if let Partial::Rule(text) = p {
                let s = Symbolic::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
                for v in s.variables() {
                    assert!(params.contains(&v.as_str()), "{}: {text} uses {v}", f.name);
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "{checked}");
}

#[test]
fn function_names_round_trip_through_the_parser() {
    let mut arena = Arena::new();
    let x = arena.var("x");
    let y = arena.var("y");
    let funcs = [
        Func::Un(Un::Sin),
        Func::Un(Un::Ln),
        Func::Un(Un::Digamma),
        Func::Bin(Bin::Atan2),
        Func::Bin(Bin::Polygamma),
        Func::Bin(Bin::Mod),
        Func::Dist(Dist::Normal),
        Func::StudentT,
    ];
    for f in funcs {
        let n = match f {
            Func::Un(_) => 1,
            Func::Bin(_) => 2,
            Func::StudentT => 4,
            _ => 3,
        };
        let args: Vec<_> = [x, y, x, y][..n].to_vec();
        let id = arena.call(f, &args);
        let text = print::text(&arena, id);
        let back = Expr::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let again = convert(&mut arena, &back, false).unwrap();
        assert_eq!(again, id, "{text}");
    }
}

#[test]
fn printing_puts_parentheses_only_where_needed() {
    let cases = [
        ("(x + 1)*(y + 1)", "x*y + x + y + 1"),
        ("x^(y^z)", "x^y^z"),
        ("(x^y)^z", "(x^y)^z"),
        ("(-2)^x", "(-2)^x"),
        ("-(2^x)", "-2^x"),
        ("x^(1/3)", "x^(1/3)"),
        ("x^(-y)", "x^(-y)"),
        ("1/(x*y)", "1/(x*y)"),
        ("x/(y + 1)", "x/(y + 1)"),
        ("2*x/3", "2*x/3"),
        ("(x % 3)*2", "2*(x % 3)"),
        ("(a < b) + 1", "(a < b) + 1"),
        ("(a || b) && c", "(a || b) && c"),
        ("a || b && c", "a || b && c"),
        ("!(x > 1)", "!(x > 1)"),
        ("x^-2", "1/x^2"),
        ("sqrt(x)/x", "1/sqrt(x)"),
        ("1 - x", "1 - x"),
        ("-x - y", "-x - y"),
    ];
    for (src, want) in cases {
        let s = Symbolic::parse(src).unwrap();
        assert_eq!(s.to_string(), want, "{src}");
    }
}
