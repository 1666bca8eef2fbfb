//! Data arrays and reductions: values, exact gradients, positioned errors,
//! and smoothness that looks through data.

mod common;

use common::{Rng, close};
use toolhost_expr::{Data, ErrorKind, Expr, ExprError, Program};

fn data() -> Data {
    let mut d = Data::new();
    d.array("y", [1.0, 2.0, 4.0, -1.0])
        .array("z", [0.5, 0.25, 2.0, 1.0])
        .array("k", [0.0, 3.0, 1.0, 2.0])
        .array("w", [1.0, 2.0])
        .number("n", 4.0);
    d
}

fn prog(src: &str, vars: &[&str], data: &Data) -> Program {
    match Expr::parse(src).and_then(|e| e.compile_with_data(vars, data)) {
        Ok(p) => p,
        Err(e) => panic!("{}", e.render(src)),
    }
}

fn err(src: &str, vars: &[&str]) -> ExprError {
    match toolhost_expr::compile_with_data(src, vars, &data()) {
        Ok(_) => panic!("{src:?} should not compile"),
        Err(e) => e,
    }
}

fn column(e: &ExprError) -> usize {
    e.location().expect("located").column
}

#[test]
fn reductions_apply_element_by_element_and_repeat_numbers() {
    let d = data();
    let cases: &[(&str, f64)] = &[
        ("sum(y)", 6.0),
        ("mean(y)", 1.5),
        ("len(y)", 4.0),
        ("sum(y * z)", 0.5 + 0.5 + 8.0 - 1.0),
        ("sum((y - x)^2)", 0.0 + 1.0 + 9.0 + 4.0),
        ("sum(y) / n + x", 2.5),
        ("sum(if(y > 1, y, 0))", 2.0 + 4.0),
        (
            "sum((y - mean(y))^2) / (len(y) - 1)",
            (0.25 + 0.25 + 6.25 + 6.25) / 3.0,
        ),
        ("sum(y * mean(w))", 6.0 * 1.5),
        ("sum(x)", 1.0),
        ("sum(max(y, x, 0))", 1.0 + 2.0 + 4.0 + 1.0),
        ("sum(poisson_lpmf(k, 2))", {
            let lp = |k: f64| k * 2f64.ln() - 2.0 - libm::lgamma(k + 1.0);
            lp(0.0) + lp(3.0) + lp(1.0) + lp(2.0)
        }),
    ];
    for &(src, want) in cases {
        let p = prog(src, &["x"], &d);
        let got = p.eval(&[1.0]);
        assert!(close(got, want, 1e-14), "{src} = {got}, want {want}");
    }
}

#[test]
fn an_empty_array_sums_to_zero() {
    let mut d = Data::new();
    d.array("none", Vec::<f64>::new());
    let p = prog("sum(none * x) + len(none)", &["x"], &d);
    assert_eq!(p.eval(&[3.0]), 0.0);
    let mut g = [1.0];
    p.eval_grad(&[3.0], &mut g, &mut p.scratch());
    assert_eq!(g, [0.0]);
    assert!(prog("mean(none + x)", &["x"], &d).eval(&[1.0]).is_nan());
}

fn check_gradient(p: &Program, x: &[f64], src: &str) {
    let mut g = vec![0.0; x.len()];
    let mut scratch = p.scratch();
    let v = p.eval_grad(x, &mut g, &mut scratch);
    assert_eq!(v.to_bits(), p.eval_with(x, &mut scratch).to_bits(), "{src}");
    for i in 0..x.len() {
        let h = 1e-5 * x[i].abs().max(1.0);
        let (mut hi, mut lo) = (x.to_vec(), x.to_vec());
        hi[i] += h;
        lo[i] -= h;
        let fd = (p.eval(&hi) - p.eval(&lo)) / (2.0 * h);
        assert!(
            close(g[i], fd, 1e-6),
            "{src} at {x:?}: d/dx{i} = {}, finite difference {fd}",
            g[i]
        );
    }
}

#[test]
fn reduction_gradients_match_finite_differences() {
    let d = data();
    let cases: &[&str] = &[
        "sum(normal_lpdf(y, a, exp(b)))",
        "sum((y - a)^2 * z) + mean(exp(-b * z))",
        "sum(student_t_lpdf(y, 3 + b^2, a, 2))",
        "sum(cauchy_lpdf(y, a, 1 + b^2)) + sum(y) * a",
        "sum(exponential_lpdf(z, exp(a)) + gamma_lpdf(z, 1 + a^2, exp(b)))",
        "sum(lognormal_lpdf(z, a, exp(b)))",
        "sum(beta_lpdf(z / 3, 1 + a^2, 1 + b^2))",
        "sum(poisson_lpmf(k, exp(a + b * y / 4)))",
        "sum(binomial_lpmf(k, 3, 1 / (1 + exp(-(a + b * z)))))",
        "sum(bernoulli_lpmf(k > 1, 1 / (1 + exp(-(a + b * y)))))",
        "sum(uniform_lpdf(z, a - 10, b + 10))",
        // Nested and repeated reductions, hoisted scalar work.
        "sum((y - a * mean(z * b))^2) + sum(a * b * y)",
        "sum(if(y > 0, a * y, b * y)) * sum(z * a)",
        "a * sum(z) + len(y) * b",
    ];
    let mut rng = Rng::new(5);
    for src in cases {
        let p = prog(src, &["a", "b"], &d);
        for _ in 0..10 {
            let x = [rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8)];
            check_gradient(&p, &x, src);
        }
    }
}

#[test]
fn a_posterior_over_hundreds_of_observations_has_the_analytic_gradient() {
    // Logistic regression on 300 points: the kind of model mcmc samples.
    let mut rng = Rng::new(11);
    let xs: Vec<f64> = (0..300).map(|_| rng.uniform(-2.0, 2.0)).collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|x| f64::from(rng.uniform(0.0, 1.0) < 1.0 / (1.0 + (-(0.5 + 1.5 * x)).exp())))
        .collect();
    let mut d = Data::new();
    d.array("x", xs.clone()).array("y", ys.clone());
    let src = "normal_lpdf(a, 0, 5) + normal_lpdf(b, 0, 5) \
               + sum(bernoulli_lpmf(y, 1 / (1 + exp(-(a + b * x)))))";
    let p = prog(src, &["a", "b"], &d);
    let (a, b) = (0.3, 1.1);
    let mut want = [-a / 25.0, -b / 25.0];
    for (x, y) in xs.iter().zip(&ys) {
        let p = 1.0 / (1.0 + (-(a + b * x)).exp());
        want[0] += y - p;
        want[1] += (y - p) * x;
    }
    let mut g = [0.0; 2];
    p.eval_grad(&[a, b], &mut g, &mut p.scratch());
    for i in 0..2 {
        assert!(
            close(g[i], want[i], 1e-12),
            "d/d{i}: {} vs {}",
            g[i],
            want[i]
        );
    }
}

#[test]
fn an_array_outside_a_reduction_is_an_error_at_the_array() {
    let e = err("x + y", &["x"]);
    assert_eq!(e.kind(), ErrorKind::ArrayNotReduced);
    assert_eq!(column(&e), 5);
    assert_eq!(
        e.message(),
        "'y' is a data array (4 elements) used outside a reduction: \
         wrap the expression that uses it in sum(...) or mean(...)"
    );
    // A reduction nested inside does not excuse the outer use.
    let e = err("sum(y) + z * 2", &[]);
    assert_eq!((e.kind(), column(&e)), (ErrorKind::ArrayNotReduced, 10));
    let e = err("normal_lpdf(y, 0, 1)", &[]);
    assert_eq!((e.kind(), column(&e)), (ErrorKind::ArrayNotReduced, 13));
}

#[test]
fn arrays_of_different_lengths_cannot_be_combined() {
    let e = err("sum(y * w)", &[]);
    assert_eq!(e.kind(), ErrorKind::LengthMismatch);
    assert_eq!(column(&e), 9);
    assert_eq!(
        e.message(),
        "'w' has 2 elements but 'y' has 4: arrays combined element by element must have the same length"
    );
    // Separate reductions may differ.
    assert!(toolhost_expr::compile_with_data("sum(y) * sum(w)", &[] as &[&str], &data()).is_ok());
}

#[test]
fn data_names_are_checked_like_variable_names() {
    let e = err("x + y", &["y"]);
    assert_eq!(e.kind(), ErrorKind::DuplicateVariable);
    assert_eq!(e.message(), "'y' is both a variable and a data name");

    let mut d = Data::new();
    d.number("pi", 3.0);
    let e = toolhost_expr::compile_with_data("x", &["x"], &d).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReservedName);
    assert_eq!(
        e.message(),
        "'pi' is a reserved constant and cannot be a data name"
    );

    let mut d = Data::new();
    d.array("2y", [1.0]);
    let e = toolhost_expr::compile_with_data("x", &["x"], &d).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidVariableName);

    // Unknown names get suggestions from the data too.
    let e = err("sum(yy)", &["x"]);
    assert_eq!(e.kind(), ErrorKind::UnknownVariable);
    assert_eq!(e.message(), "unknown variable 'yy' (did you mean 'y'?)");
}

#[test]
fn a_later_binding_replaces_an_earlier_one() {
    let mut d = Data::new();
    d.number("c", 1.0).array("c", [2.0, 3.0]);
    assert_eq!(d.len(), 1);
    assert_eq!(d.names().collect::<Vec<_>>(), ["c"]);
    assert_eq!(prog("sum(c)", &[], &d).eval(&[]), 5.0);
}

#[test]
fn smoothness_looks_through_data() {
    let d = data();
    let smooth = [
        "sum(if(y > 0, a, b))",
        "sum(floor(y) * a)",
        "sum(poisson_lpmf(k, exp(a)))",
        "sum(binomial_lpmf(k, 3, 1 / (1 + exp(-a))))",
        "sum(bernoulli_lpmf(k > 1, 0.5 + a / 10))",
        "poisson_lpmf(n, exp(a))",
    ];
    for src in smooth {
        let p = prog(src, &["a", "b"], &d);
        assert!(p.is_smooth(), "{src}: {:?}", p.check_smooth());
    }
    let rough = [
        ("sum(if(y > a, 1, 0))", ">", 10),
        ("a + sum(floor(y * b))", "floor", 9),
        ("poisson_lpmf(a, 3)", "poisson_lpmf", 1),
        ("sum(binomial_lpmf(k, a, 0.5))", "binomial_lpmf", 5),
        ("bernoulli_lpmf(a > 0, 0.5)", ">", 18),
    ];
    for (src, name, col) in rough {
        let p = prog(src, &["a", "b"], &d);
        let e = p.check_smooth().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotSmooth, "{src}");
        assert!(
            e.message().starts_with(&format!("'{name}' is not smooth")),
            "{src}: {e}"
        );
        assert_eq!(column(&e), col, "{src}");
    }
    let e = prog("poisson_lpmf(a, 3)", &["a"], &d)
        .check_smooth()
        .unwrap_err();
    assert_eq!(
        e.message(),
        "'poisson_lpmf' is not smooth: its count argument depends on the variables, \
         and a count must be data (an integer), not a sampled value"
    );
}

#[test]
fn invalid_parameters_are_nan_and_outside_the_support_is_minus_infinity() {
    let d = Data::new();
    for src in [
        "normal_lpdf(0, 0, -1)",
        "student_t_lpdf(0, 0, 0, 1)",
        "cauchy_lpdf(0, 0, 0)",
        "exponential_lpdf(1, -2)",
        "gamma_lpdf(1, 0, 1)",
        "beta_lpdf(0.5, 1, -1)",
        "lognormal_lpdf(1, 0, 0)",
        "uniform_lpdf(0, 1, 1)",
        "binomial_lpmf(1, 2.5, 0.5)",
        "binomial_lpmf(1, 3, 1.5)",
        "poisson_lpmf(1, -1)",
        "bernoulli_lpmf(1, -0.1)",
        "normal_lpdf(nan, 0, 1)",
        "poisson_lpmf(nan, 1)",
        "beta_lpdf(nan, 2, 2)",
        "uniform_lpdf(nan, 0, 1)",
    ] {
        assert!(prog(src, &[], &d).eval(&[]).is_nan(), "{src}");
    }
    // Out of the support: -inf, and a zero gradient rather than NaN.
    for src in [
        "exponential_lpdf(x, 2)",
        "gamma_lpdf(x, 2, 2)",
        "beta_lpdf(x, 2, 2)",
        "lognormal_lpdf(x, 0, 1)",
        "uniform_lpdf(x, 0, 1)",
    ] {
        let p = prog(src, &["x"], &d);
        let mut g = [f64::NAN];
        let v = p.eval_grad(&[-0.5], &mut g, &mut p.scratch());
        assert_eq!((v, g[0]), (f64::NEG_INFINITY, 0.0), "{src}");
    }
}

#[test]
fn one_scratch_serves_programs_with_and_without_reductions() {
    let d = data();
    let programs = [
        prog("sum(normal_lpdf(y, a, 1 + b^2))", &["a", "b"], &d),
        prog("a * b + sin(a)", &["a", "b"], &d),
        prog(
            "sum((y - a)^2) + sum(z * b) + mean(k * a * b)",
            &["a", "b"],
            &d,
        ),
    ];
    let mut shared = toolhost_expr::Scratch::new();
    let mut g = [0.0; 2];
    for _ in 0..3 {
        for p in &programs {
            let x = [0.3, -0.7];
            let fresh = p.eval(&x);
            assert_eq!(p.eval_with(&x, &mut shared).to_bits(), fresh.to_bits());
            assert_eq!(
                p.eval_grad(&x, &mut g, &mut shared).to_bits(),
                fresh.to_bits()
            );
        }
    }
}
