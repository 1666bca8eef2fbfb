//! Reverse-mode gradients against analytic derivatives and finite
//! differences, the conventions at kinks, and smoothness reporting.

mod common;

use std::f64::consts::{EULER_GAMMA, LN_2, PI};

use common::{Rng, close, prog};
use toolhost_expr::{ErrorKind, Program};

fn grad_at(p: &Program, x: &[f64]) -> (f64, Vec<f64>) {
    let mut g = vec![0.0; x.len()];
    let v = p.eval_grad(x, &mut g, &mut p.scratch());
    (v, g)
}

type Analytic = fn(&[f64]) -> Vec<f64>;
type Domains<'a> = &'a [(f64, f64)];

#[test]
fn analytic_gradients() {
    let cases: &[(&str, &[&str], &[f64], Analytic)] = &[
        ("x^2 + 3*x*y", &["x", "y"], &[1.5, -2.0], |v| {
            vec![2.0 * v[0] + 3.0 * v[1], 3.0 * v[0]]
        }),
        ("sin(x)*exp(-y^2/2)", &["x", "y"], &[0.7, 1.3], |v| {
            let e = (-v[1] * v[1] / 2.0).exp();
            vec![v[0].cos() * e, -v[1] * v[0].sin() * e]
        }),
        ("sqrt(x^2 + y^2)", &["x", "y"], &[3.0, -4.0], |v| {
            vec![v[0] / 5.0, v[1] / 5.0]
        }),
        ("ln(x) / y", &["x", "y"], &[2.0, 3.0], |v| {
            vec![1.0 / (v[0] * v[1]), -v[0].ln() / (v[1] * v[1])]
        }),
        ("x^y", &["x", "y"], &[1.7, 2.3], |v| {
            let p = v[0].powf(v[1]);
            vec![v[1] * v[0].powf(v[1] - 1.0), p * v[0].ln()]
        }),
        ("atan2(y, x)", &["x", "y"], &[-1.0, 2.0], |v| {
            let r2 = v[0] * v[0] + v[1] * v[1];
            vec![-v[1] / r2, v[0] / r2]
        }),
        // A normal log-density, as mcmc will use it.
        (
            "-0.5*((x - mu)/s)^2 - ln(s) - 0.5*ln(2*pi)",
            &["x", "mu", "s"],
            &[1.2, 0.5, 2.0],
            |v| {
                let d = v[0] - v[1];
                let s2 = v[2] * v[2];
                vec![-d / s2, d / s2, d * d / (s2 * v[2]) - 1.0 / v[2]]
            },
        ),
        // Gamma log-density kernel: d/da involves digamma(0.5).
        (
            "(a - 1)*ln(x) - x - lgamma(a)",
            &["a", "x"],
            &[0.5, 2.0],
            |v| {
                let digamma_half = -EULER_GAMMA - 2.0 * LN_2;
                vec![v[1].ln() - digamma_half, (v[0] - 1.0) / v[1] - 1.0]
            },
        ),
        ("gamma(x)", &["x"], &[5.0], |_| {
            vec![50.0 - 24.0 * EULER_GAMMA]
        }),
        ("tanh(x*y)", &["x", "y"], &[0.3, -0.8], |v| {
            let t = (v[0] * v[1]).tanh();
            vec![v[1] * (1.0 - t * t), v[0] * (1.0 - t * t)]
        }),
        // The standard normal CDF; its derivative is the density.
        ("0.5 * (1 + erf(x / sqrt(2)))", &["x"], &[0.6], |v| {
            vec![(-v[0] * v[0] / 2.0).exp() / (2.0 * PI).sqrt()]
        }),
        ("log(x, y)", &["x", "y"], &[5.0, 3.0], |v| {
            let ly = v[1].ln();
            vec![1.0 / (v[0] * ly), -v[0].ln() / (v[1] * ly * ly)]
        }),
        ("max(x, y) + min(x, 2*y)", &["x", "y"], &[1.0, 0.4], |_| {
            // max picks x, min picks 2*y.
            vec![1.0, 2.0]
        }),
        ("if(x > 0, x^2, -x)", &["x"], &[1.5], |v| vec![2.0 * v[0]]),
        ("if(x > 0, x^2, -x)", &["x"], &[-2.0], |_| vec![-1.0]),
        ("clamp(x, 0, 1) * y", &["x", "y"], &[0.25, 3.0], |v| {
            vec![v[1], v[0]]
        }),
        ("clamp(x, 0, 1) * y", &["x", "y"], &[2.0, 3.0], |_| {
            vec![0.0, 1.0]
        }),
        ("x / (1 + exp(-x))", &["x"], &[0.4], |v| {
            let s = 1.0 / (1.0 + (-v[0]).exp());
            vec![s + v[0] * s * (1.0 - s)]
        }),
        ("hypot(x, y) * cbrt(x)", &["x", "y"], &[2.0, 1.5], |v| {
            let h = v[0].hypot(v[1]);
            let c = v[0].cbrt();
            vec![v[0] / h * c + h * c / (3.0 * v[0]), v[1] / h * c]
        }),
    ];
    for (src, vars, point, want) in cases {
        let p = prog(src, vars);
        let (value, g) = grad_at(&p, point);
        assert_eq!(value, p.eval(point), "{src}: value differs from eval");
        let want = want(point);
        for (i, (&got, &w)) in g.iter().zip(&want).enumerate() {
            assert!(
                close(got, w, 1e-13),
                "{src} at {point:?}: d/d{} = {got}, want {w}",
                vars[i]
            );
        }
    }
}

fn central_difference(p: &Program, x: &[f64], i: usize) -> f64 {
    let h = 1e-5 * x[i].abs().max(1.0);
    let (mut hi, mut lo) = (x.to_vec(), x.to_vec());
    hi[i] += h;
    lo[i] -= h;
    (p.eval(&hi) - p.eval(&lo)) / (2.0 * h)
}

#[track_caller]
fn check_against_fd(src: &str, vars: &[&str], domains: &[(f64, f64)], rng: &mut Rng) {
    let p = prog(src, vars);
    for _ in 0..25 {
        let x: Vec<f64> = domains
            .iter()
            .map(|&(lo, hi)| rng.uniform(lo, hi))
            .collect();
        let (_, g) = grad_at(&p, &x);
        for i in 0..x.len() {
            let fd = central_difference(&p, &x, i);
            assert!(
                close(g[i], fd, 1e-6),
                "{src} at {x:?}: d/d{} = {}, finite difference {fd}",
                vars[i],
                g[i]
            );
        }
    }
}

#[test]
fn every_smooth_function_matches_finite_differences() {
    let one_arg: &[(&str, (f64, f64))] = &[
        ("sin", (-5.0, 5.0)),
        ("cos", (-5.0, 5.0)),
        ("tan", (-1.4, 1.4)),
        ("asin", (-0.95, 0.95)),
        ("acos", (-0.95, 0.95)),
        ("atan", (-5.0, 5.0)),
        ("sinh", (-3.0, 3.0)),
        ("cosh", (-3.0, 3.0)),
        ("tanh", (-3.0, 3.0)),
        ("asinh", (-5.0, 5.0)),
        ("acosh", (1.1, 5.0)),
        ("atanh", (-0.95, 0.95)),
        ("exp", (-3.0, 3.0)),
        ("expm1", (-3.0, 3.0)),
        ("ln", (0.1, 10.0)),
        ("log", (0.1, 10.0)),
        ("log10", (0.1, 10.0)),
        ("log2", (0.1, 10.0)),
        ("log1p", (-0.9, 10.0)),
        ("sqrt", (0.1, 10.0)),
        ("cbrt", (-10.0, -0.1)),
        ("cbrt", (0.1, 10.0)),
        ("abs", (-5.0, -0.1)),
        ("abs", (0.1, 5.0)),
        ("erf", (-3.0, 3.0)),
        ("erfc", (-3.0, 3.0)),
        ("gamma", (0.2, 6.0)),
        ("gamma", (-2.9, -2.1)),
        ("lgamma", (0.2, 20.0)),
        ("lgamma", (-3.9, -3.1)),
        ("factorial", (0.1, 6.0)),
        ("digamma", (0.3, 8.0)),
        ("digamma", (-1.9, -1.1)),
        ("min", (-5.0, 5.0)),
        ("max", (-5.0, 5.0)),
        // Without data, a reduction is its single element.
        ("sum", (-5.0, 5.0)),
        ("mean", (-5.0, 5.0)),
        ("len", (-5.0, 5.0)),
    ];
    let more_args: &[(&str, &[&str], Domains)] = &[
        ("atan2(x, y)", &["x", "y"], &[(-3.0, 3.0), (0.2, 3.0)]),
        ("atan2(x, y)", &["x", "y"], &[(0.2, 3.0), (-3.0, -0.2)]),
        ("hypot(x, y)", &["x", "y"], &[(-3.0, 3.0), (0.2, 3.0)]),
        ("polygamma(2, x)", &["x"], &[(0.3, 8.0)]),
        ("polygamma(1, x)", &["x"], &[(-1.9, -1.1)]),
        ("pow(x, y)", &["x", "y"], &[(0.1, 4.0), (-2.5, 2.5)]),
        ("log(x, y)", &["x", "y"], &[(0.1, 10.0), (1.5, 10.0)]),
        ("min(x, y + 10)", &["x", "y"], &[(-5.0, 5.0), (-5.0, 5.0)]),
        ("max(x, y, -10)", &["x", "y"], &[(-5.0, -1.0), (0.0, 5.0)]),
        ("clamp(x, y, 10)", &["x", "y"], &[(0.0, 5.0), (-5.0, -1.0)]),
        ("if(1, x, y) * y", &["x", "y"], &[(-5.0, 5.0), (-5.0, 5.0)]),
        (
            "x + y - x*y / (1 + y^2)",
            &["x", "y"],
            &[(-5.0, 5.0), (-5.0, 5.0)],
        ),
        (
            "sin(x*y) + exp(-x^2) * cbrt(y) / (1 + x^2) - -x^3",
            &["x", "y"],
            &[(-2.0, 2.0), (0.5, 3.0)],
        ),
        (
            "lgamma(a + b) - lgamma(a) - lgamma(b) + (a - 1)*ln(p) + (b - 1)*log1p(-p)",
            &["a", "b", "p"],
            &[(0.5, 5.0), (0.5, 5.0), (0.05, 0.95)],
        ),
        // Log densities in every continuous argument, inside the support.
        (
            "normal_lpdf(x, m, s)",
            &["x", "m", "s"],
            &[(-4.0, 4.0), (-2.0, 2.0), (0.2, 3.0)],
        ),
        (
            "student_t_lpdf(x, nu, m, s)",
            &["x", "nu", "m", "s"],
            &[(-4.0, 4.0), (0.5, 30.0), (-2.0, 2.0), (0.2, 3.0)],
        ),
        (
            "cauchy_lpdf(x, m, s)",
            &["x", "m", "s"],
            &[(-4.0, 4.0), (-2.0, 2.0), (0.2, 3.0)],
        ),
        (
            "exponential_lpdf(x, r)",
            &["x", "r"],
            &[(0.01, 5.0), (0.2, 4.0)],
        ),
        (
            "gamma_lpdf(x, a, b)",
            &["x", "a", "b"],
            &[(0.05, 6.0), (0.3, 8.0), (0.2, 4.0)],
        ),
        (
            "beta_lpdf(x, a, b)",
            &["x", "a", "b"],
            &[(0.05, 0.95), (0.3, 8.0), (0.3, 8.0)],
        ),
        (
            "lognormal_lpdf(x, m, s)",
            &["x", "m", "s"],
            &[(0.05, 6.0), (-1.0, 1.0), (0.2, 3.0)],
        ),
        (
            "uniform_lpdf(x, lo, hi)",
            &["x", "lo", "hi"],
            &[(0.0, 1.0), (-3.0, -0.1), (1.1, 4.0)],
        ),
        ("binomial_lpmf(3, 10, p)", &["p"], &[(0.05, 0.95)]),
        (
            "binomial_lpmf(0, 4, p) + binomial_lpmf(4, 4, p)",
            &["p"],
            &[(0.05, 0.95)],
        ),
        (
            "poisson_lpmf(4, l) + poisson_lpmf(0, l)",
            &["l"],
            &[(0.1, 9.0)],
        ),
        (
            "bernoulli_lpmf(1, p) + 2 * bernoulli_lpmf(0, p)",
            &["p"],
            &[(0.05, 0.95)],
        ),
    ];
    let mut rng = Rng::new(42);
    for &(name, domain) in one_arg {
        // Both alone and inside a chain, so the adjoint is not just 1.
        check_against_fd(&format!("{name}(x)"), &["x"], &[domain], &mut rng);
        check_against_fd(
            &format!("2 * {name}(x) * y + y"),
            &["x", "y"],
            &[domain, (0.5, 2.0)],
            &mut rng,
        );
    }
    for &(src, vars, domains) in more_args {
        check_against_fd(src, vars, domains, &mut rng);
    }

    // Every smooth built-in must appear above, so new functions get tested.
    for (name, _) in toolhost_expr::builtin_functions() {
        let call = format!("{name}(");
        let covered = one_arg.iter().any(|(n, _)| *n == name)
            || more_args.iter().any(|(src, _, _)| src.contains(&call));
        let smooth = (1..=3).any(|n| {
            let args = vec!["x"; n].join(", ");
            toolhost_expr::compile(&format!("{call}{args})"), &["x"]).is_ok_and(|p| p.is_smooth())
        });
        assert!(covered || !smooth, "{name} has no gradient check");
    }
}

#[test]
fn conventions_at_kinks() {
    let g = |src: &str, x: f64| grad_at(&prog(src, &["x"]), &[x]).1[0];
    assert_eq!(g("abs(x)", 0.0), 0.0);
    assert_eq!(g("abs(x)", -2.0), -1.0);
    assert_eq!(
        g("floor(x) + ceil(x) + round(x) + trunc(x) + sign(x)", 1.3),
        0.0
    );
    assert_eq!(g("(x < 1) + (x == 1) + !x + (x && 1) + (x || 0)", 1.0), 0.0);
    assert_eq!(g("x % 3", 7.5), 1.0);
    assert_eq!(g("mod(x, 3)", -7.5), 1.0);
    assert_eq!(g("max(x, 1)", 1.0), 1.0, "ties go to the first argument");
    assert_eq!(g("max(1, x)", 1.0), 0.0, "ties go to the first argument");
    assert_eq!(g("min(x, 2, x - 1)", 1.5), 1.0);
    assert_eq!(g("min(x, 2, x - 1)", 5.0), 0.0);
    assert_eq!(g("hypot(x, 0)", 0.0), 0.0);
    assert_eq!(g("x^0", 0.0), 0.0);
    assert_eq!(g("x^2", 0.0), 0.0);
    assert_eq!(g("pow(2, x)", 3.0), 8.0 * LN_2);
    // d/db of the remainder is -trunc or -floor of the quotient.
    let p = prog("x % y + mod(x, y)", &["x", "y"]);
    let (_, d) = grad_at(&p, &[-7.5, 2.0]);
    assert_eq!(d, [2.0, 3.0 + 4.0]);
}

#[test]
fn untaken_branch_does_not_leak_nan() {
    let p = prog("if(x > 0, sqrt(x), 0) + if(x < 5, x, ln(-1))", &["x"]);
    for (x, want) in [(-1.0, 1.0), (0.0, 1.0), (4.0, 0.25 + 1.0)] {
        let (v, g) = grad_at(&p, &[x]);
        assert!(!v.is_nan(), "value at {x}");
        assert_eq!(g[0], want, "gradient at {x}");
    }
    // NaN in the taken branch is real and must show.
    let p = prog("if(x > 0, 1, sqrt(x))", &["x"]);
    assert!(grad_at(&p, &[-1.0]).1[0].is_nan());
}

#[test]
fn constants_and_unused_variables_have_zero_gradient() {
    let p = prog("3 * y + pi", &["x", "y", "z"]);
    let (v, g) = grad_at(&p, &[1.0, 2.0, 3.0]);
    assert_eq!(v, 6.0 + PI);
    assert_eq!(g, [0.0, 3.0, 0.0]);
    let p = prog("42", &["x"]);
    assert_eq!(grad_at(&p, &[1.0]), (42.0, vec![0.0]));
    let p = prog("x", &["x"]);
    assert_eq!(grad_at(&p, &[7.0]), (7.0, vec![1.0]));
    // A variable used many times accumulates.
    let p = prog("x*x*x + x", &["x"]);
    assert_eq!(grad_at(&p, &[2.0]).1, [13.0]);
}

#[test]
fn smoothness_report_names_the_culprit() {
    let smooth = [
        "x^2 + sin(y)",
        "abs(x) + max(x, y) + min(x, 1) + clamp(x, 0, 1)",
        "floor(2.5) * x + if(1 < 2, x, y)",
        "if(0, round(x), x)",
        "lgamma(x) + erfc(y) + atan2(x, y) + hypot(x, y) + log(x, 3)",
    ];
    for src in smooth {
        let p = prog(src, &["x", "y"]);
        assert!(p.is_smooth(), "{src}: {:?}", p.check_smooth());
    }
    let rough = [
        ("x + floor(y)", "floor", 5),
        ("ceil(x)", "ceil", 1),
        ("round(x)", "round", 1),
        ("trunc(x)", "trunc", 1),
        ("sign(x) * x", "sign", 1),
        ("x % 2", "%", 3),
        ("mod(x, 2)", "mod", 1),
        ("x + (x > y)", ">", 8),
        ("x == y", "==", 3),
        ("!x", "!", 1),
        ("x && y", "&&", 3),
        ("x || y", "||", 3),
        ("if(x > 0, x, 0)", ">", 6),
        ("if(x, 1, y)", "if", 1),
    ];
    for (src, name, column) in rough {
        let p = prog(src, &["x", "y"]);
        assert!(!p.is_smooth(), "{src}");
        let e = p.check_smooth().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotSmooth);
        assert!(
            e.message().starts_with(&format!("'{name}' is not smooth")),
            "{src}: {e}"
        );
        assert_eq!(e.location().unwrap().column, column, "{src}");
    }
}

#[test]
fn random_composite_expressions_match_finite_differences() {
    // Random trees over smooth, everywhere-defined pieces, so both sides are
    // finite and the comparison is meaningful.
    let unary = [
        ("sin(", ")"),
        ("cos(", ")"),
        ("atan(", ")"),
        ("tanh(", ")"),
        ("erf(", ")"),
        ("asinh(", ")"),
        ("exp(-0.5*(", ")^2)"),
        ("sqrt(1 + (", ")^2)"),
        ("lgamma(2 + (", ")^2)"),
    ];
    let mut rng = Rng::new(1234);
    for _ in 0..200 {
        let mut terms: Vec<String> = vec!["x".into(), "y".into(), "z".into()];
        for _ in 0..6 {
            let a = terms[rng.below(terms.len())].clone();
            let b = terms[rng.below(terms.len())].clone();
            let t = match rng.below(6) {
                0 => format!("({a} + {b})"),
                1 => format!("({a} * {b})"),
                2 => format!("({a} - 0.5 * {b})"),
                3 => format!("({a} / (2 + {b}^2))"),
                _ => {
                    let (pre, post) = unary[rng.below(unary.len())];
                    format!("{pre}{a}{post}")
                }
            };
            terms.push(t);
        }
        let src = terms.last().unwrap().clone();
        check_against_fd(&src, &["x", "y", "z"], &[(-1.5, 1.5); 3], &mut rng);
    }
}
