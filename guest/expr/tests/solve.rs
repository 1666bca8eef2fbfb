//! Exact and numeric roots, and exact linear systems, as a caller of
//! `Symbolic` sees them: every root returned satisfies its equation.

use toolhost_expr::{LinearOutcome, Root, Symbolic, SystemError, solve_linear_system};

fn roots(src: &str) -> Vec<Root> {
    Symbolic::parse(src)
        .unwrap()
        .polynomial_roots("x")
        .unwrap()
        .expect("a polynomial")
}

fn value(s: &Symbolic) -> f64 {
    s.to_expr().unwrap().compile::<&str>(&[]).unwrap().eval(&[])
}

/// Each root's exact parts evaluate to its numeric value.
fn assert_consistent(rs: &[Root]) {
    for r in rs {
        if let Some(e) = &r.exact_re {
            assert!(
                (value(e) - r.re).abs() <= 1e-12 * r.re.abs().max(1.0),
                "{e} vs {}",
                r.re
            );
        }
        if let Some(e) = &r.exact_im {
            assert!(
                (value(e) - r.im).abs() <= 1e-12 * r.im.abs().max(1.0),
                "{e} vs {}",
                r.im
            );
        }
    }
}

fn reals(rs: &[Root]) -> Vec<f64> {
    rs.iter().filter(|r| r.is_real()).map(|r| r.re).collect()
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 1e-12 * y.abs().max(1.0))
}

#[test]
fn quadratics_have_exact_roots() {
    let rs = roots("x^2 - 5*x + 6");
    let exact: Vec<String> = rs
        .iter()
        .map(|r| r.exact_re.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(exact, ["2", "3"]);
    let rs = roots("x^2 - 2*x - 1");
    assert_eq!(rs[0].exact_re.as_ref().unwrap().to_string(), "1 - sqrt(2)");
    assert_consistent(&rs);
}

#[test]
fn complex_roots_come_as_conjugate_pairs() {
    let rs = roots("x^2 + 2*x + 5");
    assert_eq!(rs.len(), 2);
    assert_eq!((rs[0].re, rs[0].im), (-1.0, -2.0));
    assert_eq!((rs[1].re, rs[1].im), (-1.0, 2.0));
    assert_eq!(rs[1].exact_im.as_ref().unwrap().to_string(), "2");
}

#[test]
fn repeated_roots_carry_their_multiplicity() {
    let rs = roots("(x - 1)^3*(x + 2)");
    let m: Vec<(f64, usize)> = rs.iter().map(|r| (r.re, r.multiplicity)).collect();
    assert_eq!(m, [(-2.0, 1), (1.0, 3)]);
}

#[test]
fn cubics_by_cardano_and_the_trigonometric_form() {
    // One real root, 2^(1/3), and a complex pair.
    let rs = roots("x^3 - 2");
    assert_consistent(&rs);
    assert!(close(&reals(&rs), &[2f64.cbrt()]));
    assert_eq!(rs.len(), 3);
    // Three real roots: 2 cos(2 pi k/9 ...) for x^3 - 3x + 1.
    let rs = roots("x^3 - 3*x + 1");
    assert_consistent(&rs);
    let want = [
        -1.879_385_241_571_816_8,
        0.347_296_355_333_860_7,
        1.532_088_886_237_956,
    ];
    assert!(close(&reals(&rs), &want), "{:?}", reals(&rs));
}

#[test]
fn quartics_by_ferrari() {
    let rs = roots("x^4 - 5*x^2 + 6");
    assert_consistent(&rs);
    let (s2, s3) = (2f64.sqrt(), 3f64.sqrt());
    assert!(close(&reals(&rs), &[-s3, -s2, s2, s3]), "{:?}", reals(&rs));
    // A general quartic: two real roots and a complex pair.
    let rs = roots("x^4 - 3*x^3 + x + 5");
    assert_consistent(&rs);
    assert!(rs.iter().all(|r| r.exact_re.is_some()));
    assert_eq!(rs.len(), 4);
    // x^4 + 1: four complex roots (±1 ± i)/sqrt(2), through the resolvent.
    let rs = roots("x^4 + 1");
    assert_consistent(&rs);
    let h = 0.5f64.sqrt();
    for r in &rs {
        assert!(
            (r.re.abs() - h).abs() < 1e-14 && (r.im.abs() - h).abs() < 1e-14,
            "{r:?}"
        );
    }
}

#[test]
fn higher_degrees_split_off_rational_roots_then_go_numeric() {
    // x^6 - 1: ±1 exactly, the rest from the quartic x^4 + x^2 + 1.
    let rs = roots("x^6 - 1");
    assert_eq!(rs.len(), 6);
    assert!(rs.iter().all(|r| r.exact_re.is_some()));
    assert_consistent(&rs);
    // x^5 - x - 1 has no roots in radicals: numeric, one real.
    let rs = roots("x^5 - x - 1");
    assert_eq!(rs.len(), 5);
    assert!(close(&reals(&rs), &[1.167_303_978_261_418_7]));
    assert!(rs.iter().all(|r| r.exact_re.is_none()));
}

#[test]
fn non_polynomials_are_solved_numerically_on_a_range() {
    let s = Symbolic::parse("sin(x)").unwrap();
    let pi = std::f64::consts::PI;
    assert!(close(
        &s.real_roots_in("x", -1.0, 10.0).unwrap(),
        &[0.0, pi, 2.0 * pi, 3.0 * pi]
    ));
    let s = Symbolic::parse("cos(x) - x").unwrap();
    assert!(close(
        &s.real_roots_in("x", -5.0, 5.0).unwrap(),
        &[0.739_085_133_215_160_6]
    ));
    // The pole of tan at pi/2 changes sign but is not a root.
    let s = Symbolic::parse("tan(x)").unwrap();
    assert!(close(&s.real_roots_in("x", 0.5, 4.0).unwrap(), &[pi]));
    // A touching root has no sign change: found by Newton on the exact derivative.
    let s = Symbolic::parse("(x - 1.5)^2*exp(x)").unwrap();
    let r = s.real_roots_in("x", 0.0, 3.0).unwrap();
    assert_eq!(r.len(), 1);
    assert!((r[0] - 1.5).abs() < 1e-7, "{r:?}");
}

#[test]
fn linear_systems_are_solved_exactly() {
    let eqs: Vec<Symbolic> = ["x + y - 3", "x - y - 1"]
        .iter()
        .map(|e| Symbolic::parse(e).unwrap())
        .collect();
    let LinearOutcome::Unique(x) = solve_linear_system(&eqs, &["x", "y"]).unwrap() else {
        panic!("a unique solution");
    };
    assert_eq!(
        x.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["2", "1"]
    );
    let eqs: Vec<Symbolic> = ["2*x + 3*y - z - 1", "x/3 - y + 4*z", "x + y + z - 7"]
        .iter()
        .map(|e| Symbolic::parse(e).unwrap())
        .collect();
    let LinearOutcome::Unique(x) = solve_linear_system(&eqs, &["x", "y", "z"]).unwrap() else {
        panic!("a unique solution");
    };
    assert_eq!(
        x.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["-216", "164", "59"]
    );
}

#[test]
fn singular_and_nonlinear_systems_say_so() {
    let parse = |v: &[&str]| {
        v.iter()
            .map(|e| Symbolic::parse(e).unwrap())
            .collect::<Vec<_>>()
    };
    assert!(matches!(
        solve_linear_system(&parse(&["x + y - 1", "2*x + 2*y - 3"]), &["x", "y"]).unwrap(),
        LinearOutcome::Inconsistent { rank: 1 }
    ));
    assert!(matches!(
        solve_linear_system(&parse(&["x + y - 1", "2*x + 2*y - 2"]), &["x", "y"]).unwrap(),
        LinearOutcome::Underdetermined { rank: 1 }
    ));
    assert_eq!(
        solve_linear_system(&parse(&["x*y - 1", "x - y"]), &["x", "y"]).unwrap_err(),
        SystemError::NotLinear {
            equation: 0,
            unknown: "x".into()
        }
    );
}
