//! Symbolic differentiation and simplification: known derivatives checked
//! as text and as numbers (against the reverse-mode gradient and central
//! finite differences), simplification identities, round trips through the
//! parser, random expressions, errors, and growth under repeated
//! differentiation.

mod common;

use common::{Rng, close, prog};
use toolhost_expr::{ErrorKind, Expr, Program, Symbolic};

fn sym(src: &str) -> Symbolic {
    Symbolic::parse(src).unwrap_or_else(|e| panic!("{}", e.render(src)))
}

fn derivative(src: &str, var: &str, order: u32) -> Symbolic {
    let mut s = sym(src);
    if let Err(e) = s.differentiate(var, order) {
        panic!("d/d{var} {}", e.render(src));
    }
    s
}

/// The symbolic result compiled the ordinary way.
fn compiled(s: &Symbolic, vars: &[&str]) -> Program {
    let expr = s
        .to_expr()
        .unwrap_or_else(|e| panic!("{s} does not parse back: {e}"));
    expr.compile(vars)
        .unwrap_or_else(|e| panic!("{s} does not compile: {e}"))
}

/// d/d(vars[i]) of `p` at `at` by central differences, and a tolerance
/// for it: truncation error ~ h² f''' and rounding error ~ eps |f| / h,
/// with generous constants since f''' is unknown.
fn central_difference(p: &Program, at: &[f64], i: usize) -> (f64, f64) {
    let h = 1e-5 * at[i].abs().max(1.0);
    let mut up = at.to_vec();
    let mut down = at.to_vec();
    up[i] += h;
    down[i] -= h;
    let (fu, fd) = (p.eval(&up), p.eval(&down));
    let scale = fu.abs().max(fd.abs()).max(1.0);
    let tol = 1e3 * (h * h + f64::EPSILON / h) * scale;
    ((fu - fd) / (2.0 * h), tol)
}

/// Points drawn from `domains`, the same for every run.
fn points(domains: &[(f64, f64)], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            domains
                .iter()
                .map(|&(lo, hi)| rng.uniform(lo, hi))
                .collect()
        })
        .collect()
}

/// The first derivative of `src` in `vars[wrt]` agrees with the
/// reverse-mode gradient (to 1e-9) and with central differences at points
/// of `domains`.
fn check_first_derivative(src: &str, vars: &[&str], wrt: usize, domains: &[(f64, f64)]) {
    let f = prog(src, vars);
    let d = compiled(&derivative(src, vars[wrt], 1), vars);
    let mut grad = vec![0.0; vars.len()];
    for at in points(domains, 6, src.len() as u64) {
        let want = f.eval_grad(&at, &mut grad, &mut f.scratch());
        assert!(want.is_finite(), "{src} at {at:?} is {want}");
        let got = d.eval(&at);
        assert!(
            close(got, grad[wrt], 1e-9),
            "d/d{} {src} at {at:?}: symbolic {got}, reverse mode {}",
            vars[wrt],
            grad[wrt]
        );
        let (fd, tol) = central_difference(&f, &at, wrt);
        assert!(
            (got - fd).abs() <= tol,
            "d/d{} {src} at {at:?}: symbolic {got}, finite difference {fd} (tolerance {tol:e})",
            vars[wrt]
        );
    }
}

/// (expression, variable, expected derivative, domain of every variable).
/// Variables are `x`, then `y`.
/// Ranges to draw each variable from.
type Domains = &'static [(f64, f64)];

const KNOWN_DERIVATIVES: &[(&str, &str, &str, Domains)] = &[
    ("x^3", "x", "3*x^2", &[(-3.0, 3.0)]),
    ("5*x^2 - 3*x + 7", "x", "10*x - 3", &[(-3.0, 3.0)]),
    ("sin(x)*x^2", "x", "x^2*cos(x) + 2*x*sin(x)", &[(-3.0, 3.0)]),
    ("cos(x)", "x", "-sin(x)", &[(-3.0, 3.0)]),
    ("tan(x)", "x", "tan(x)^2 + 1", &[(-1.4, 1.4)]),
    ("asin(x)", "x", "1/sqrt(1 - x^2)", &[(-0.9, 0.9)]),
    ("acos(x)", "x", "-1/sqrt(1 - x^2)", &[(-0.9, 0.9)]),
    ("atan(x)", "x", "1/(x^2 + 1)", &[(-3.0, 3.0)]),
    ("sinh(x)", "x", "cosh(x)", &[(-3.0, 3.0)]),
    ("cosh(x)", "x", "sinh(x)", &[(-3.0, 3.0)]),
    ("tanh(x)", "x", "1 - tanh(x)^2", &[(-3.0, 3.0)]),
    ("asinh(x)", "x", "1/sqrt(x^2 + 1)", &[(-3.0, 3.0)]),
    ("acosh(x)", "x", "1/sqrt(x^2 - 1)", &[(1.2, 4.0)]),
    ("atanh(x)", "x", "1/(1 - x^2)", &[(-0.9, 0.9)]),
    ("exp(2*x)", "x", "2*exp(2*x)", &[(-2.0, 2.0)]),
    ("expm1(x)", "x", "exp(x)", &[(-2.0, 2.0)]),
    ("ln(x)", "x", "1/x", &[(0.1, 5.0)]),
    ("log(x)", "x", "1/x", &[(0.1, 5.0)]),
    ("log10(x)", "x", "1/(x*ln(10))", &[(0.1, 5.0)]),
    ("log2(x)", "x", "1/(x*ln(2))", &[(0.1, 5.0)]),
    ("log(x, 3)", "x", "1/(x*ln(3))", &[(0.1, 5.0)]),
    ("log1p(x)", "x", "1/(x + 1)", &[(-0.5, 5.0)]),
    ("sqrt(x)", "x", "1/(2*sqrt(x))", &[(0.1, 5.0)]),
    ("x^(1/3)", "x", "1/(3*x^(2/3))", &[(0.1, 5.0)]),
    ("cbrt(x)", "x", "1/(3*cbrt(x)^2)", &[(0.2, 5.0)]),
    ("abs(x)", "x", "sign(x)", &[(0.2, 3.0)]),
    ("abs(x)", "x", "sign(x)", &[(-3.0, -0.2)]),
    ("x^x", "x", "x^x*(ln(x) + 1)", &[(0.2, 3.0)]),
    ("2^x", "x", "2^x*ln(2)", &[(-2.0, 2.0)]),
    ("pow(x, y)", "y", "x^y*ln(x)", &[(0.2, 3.0), (-2.0, 2.0)]),
    ("x^y", "x", "x^(y - 1)*y", &[(0.2, 3.0), (-2.0, 2.0)]),
    ("e^(x^2)", "x", "2*x*exp(x^2)", &[(-1.5, 1.5)]),
    ("erf(x)", "x", "2*exp(-x^2)/sqrt(pi)", &[(-2.0, 2.0)]),
    ("erfc(x)", "x", "-2*exp(-x^2)/sqrt(pi)", &[(-2.0, 2.0)]),
    ("gamma(x)", "x", "digamma(x)*gamma(x)", &[(0.3, 5.0)]),
    ("lgamma(x)", "x", "digamma(x)", &[(0.3, 5.0)]),
    (
        "factorial(x)",
        "x",
        "digamma(x + 1)*factorial(x)",
        &[(0.3, 5.0)],
    ),
    ("digamma(x)", "x", "polygamma(1, x)", &[(0.3, 5.0)]),
    ("polygamma(2, x)", "x", "polygamma(3, x)", &[(0.3, 5.0)]),
    (
        "atan2(y, x)",
        "x",
        "-y/(x^2 + y^2)",
        &[(-2.0, 2.0), (0.2, 2.0)],
    ),
    (
        "hypot(x, y)",
        "x",
        "x/hypot(x, y)",
        &[(-2.0, 2.0), (0.2, 2.0)],
    ),
    ("exp(-x^2/2)", "x", "-x*exp(-x^2/2)", &[(-2.0, 2.0)]),
    (
        "1/(1 + exp(-x))",
        "x",
        "exp(-x)/(exp(-x) + 1)^2",
        &[(-3.0, 3.0)],
    ),
    ("x/(x + 1)", "x", "1/(x + 1)^2", &[(0.0, 3.0)]),
    ("ln(sin(x))", "x", "cos(x)/sin(x)", &[(0.2, 2.9)]),
    ("sin(cos(x))", "x", "-cos(cos(x))*sin(x)", &[(-3.0, 3.0)]),
    ("min(x, 2)", "x", "if(2 < x, 0, 1)", &[(-3.0, 1.5)]),
    (
        "max(x^2, y)",
        "x",
        "if(y > x^2, 0, 2*x)",
        &[(-3.0, 3.0), (-1.0, -0.5)],
    ),
    (
        "clamp(3*x, -1, 1)",
        "x",
        "if(1 < max(3*x, -1), 0, if(-1 > 3*x, 0, 3))",
        &[(-0.3, 0.3)],
    ),
    (
        "if(x > 0, x^2, -x)",
        "x",
        "if(x > 0, 2*x, -1)",
        &[(0.2, 3.0)],
    ),
    (
        "normal_lpdf(x, y, 2)",
        "x",
        "(y - x)/4",
        &[(-3.0, 3.0), (-1.0, 1.0)],
    ),
    ("normal_lpdf(1, 0, x)", "x", "(1 - x^2)/x^3", &[(0.3, 3.0)]),
    (
        "cauchy_lpdf(x, 0, y)",
        "y",
        "(x^2/y - y)/(x^2 + y^2)",
        &[(-3.0, 3.0), (0.3, 3.0)],
    ),
    ("exponential_lpdf(2, x)", "x", "1/x - 2", &[(0.3, 3.0)]),
    (
        "gamma_lpdf(2, x, 3)",
        "x",
        "ln(2) - digamma(x) + ln(3)",
        &[(0.3, 5.0)],
    ),
    ("beta_lpdf(x, 2, 3)", "x", "1/x - 2/(1 - x)", &[(0.1, 0.9)]),
    (
        "lognormal_lpdf(x, 0, 1)",
        "x",
        "-(ln(x) + 1)/x",
        &[(0.2, 4.0)],
    ),
    ("uniform_lpdf(0.5, 0, x)", "x", "-1/x", &[(1.0, 4.0)]),
    (
        "binomial_lpmf(3, 10, x)",
        "x",
        "3/x - 7/(1 - x)",
        &[(0.1, 0.9)],
    ),
    ("poisson_lpmf(4, x)", "x", "4/x - 1", &[(0.3, 6.0)]),
    ("bernoulli_lpmf(1, x)", "x", "1/x", &[(0.1, 0.9)]),
    (
        "student_t_lpdf(x, 5, 1, 2)",
        "x",
        "6*(1 - x)/((x - 1)^2 + 20)",
        &[(-3.0, 3.0)],
    ),
];

#[test]
fn known_derivatives_as_text_and_as_numbers() {
    let mut failures = Vec::new();
    for &(src, var, want, _) in KNOWN_DERIVATIVES {
        let got = derivative(src, var, 1).to_string();
        if got != want {
            failures.push(format!("d/d{var} {src} = {got}, want {want}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(KNOWN_DERIVATIVES.len() >= 30);
    for &(src, var, _, domains) in KNOWN_DERIVATIVES {
        let vars = ["x", "y"];
        let vars = &vars[..domains.len()];
        let wrt = vars.iter().position(|v| *v == var).unwrap();
        check_first_derivative(src, vars, wrt, domains);
    }
}

#[test]
fn every_differentiable_function_has_a_known_derivative() {
    let steps = ["sign", "floor", "ceil", "round", "trunc", "mod"];
    let reductions = ["sum", "mean", "len"];
    for (name, _) in toolhost_expr::builtin_functions() {
        if steps.contains(&name) || reductions.contains(&name) {
            continue;
        }
        let call = format!("{name}(");
        assert!(
            KNOWN_DERIVATIVES
                .iter()
                .any(|(src, ..)| src.contains(&call)),
            "no known derivative of {name}"
        );
    }
}

#[test]
fn higher_orders() {
    assert_eq!(derivative("sin(x)", "x", 4).to_string(), "sin(x)");
    assert_eq!(derivative("sin(x)", "x", 3).to_string(), "-cos(x)");
    assert_eq!(derivative("x^5", "x", 3).to_string(), "60*x^2");
    assert_eq!(derivative("x^5", "x", 6).to_string(), "0");
    assert_eq!(derivative("exp(3*x)", "x", 3).to_string(), "27*exp(3*x)");
    assert_eq!(derivative("ln(x)", "x", 3).to_string(), "2/x^3");
    assert_eq!(
        derivative("exp(-x^2/2)", "x", 2).to_string(),
        "exp(-x^2/2)*(x^2 - 1)"
    );
    assert_eq!(
        derivative("gamma(x)", "x", 2).to_string(),
        "gamma(x)*(digamma(x)^2 + polygamma(1, x))"
    );
    // Each order against finite differences of the order below.
    for (src, domain) in [
        ("x^x", (0.5, 2.0)),
        ("tan(x)", (-1.0, 1.0)),
        ("atan(x)*exp(-x)", (-2.0, 2.0)),
        ("sqrt(1 + x^2)", (-2.0, 2.0)),
        ("lgamma(x)", (0.5, 4.0)),
    ] {
        let mut s = sym(src);
        for order in 1..=4 {
            let below = compiled(&s, &["x"]);
            s.differentiate("x", 1).unwrap();
            let here = compiled(&s, &["x"]);
            for at in points(&[domain], 4, order) {
                let (fd, tol) = central_difference(&below, &at, 0);
                let got = here.eval(&at);
                assert!(
                    (got - fd).abs() <= tol,
                    "order {order} of {src} at {at:?}: {got} vs finite difference {fd}"
                );
            }
        }
    }
}

#[test]
fn mixed_partials_are_symmetric() {
    let vars = ["x", "y"];
    for src in [
        "x^2*y^3 + sin(x*y)",
        "exp(x*y)/(1 + x^2)",
        "x^y",
        "atan2(y, x)",
        "hypot(x, y)*ln(x + y)",
    ] {
        let mut xy = sym(src);
        xy.differentiate("x", 1)
            .unwrap()
            .differentiate("y", 1)
            .unwrap();
        let mut yx = sym(src);
        yx.differentiate("y", 1)
            .unwrap()
            .differentiate("x", 1)
            .unwrap();
        assert_eq!(xy.to_string(), yx.to_string(), "{src}");
        // And against finite differences of the first derivative.
        let dx = compiled(&derivative(src, "x", 1), &vars);
        let dxy = compiled(&xy, &vars);
        for at in points(&[(0.5, 2.0), (0.5, 2.0)], 4, 7) {
            let (fd, tol) = central_difference(&dx, &at, 1);
            let got = dxy.eval(&at);
            assert!((got - fd).abs() <= tol, "{src} at {at:?}: {got} vs {fd}");
        }
    }
    let mut d = sym("x^3*y^2");
    d.differentiate("x", 2)
        .unwrap()
        .differentiate("y", 1)
        .unwrap();
    assert_eq!(d.to_string(), "12*x*y");
}

/// (input, simplified).
const SIMPLIFICATIONS: &[(&str, &str)] = &[
    ("x + 0", "x"),
    ("0 + x", "x"),
    ("x*1", "x"),
    ("x*0", "0"),
    ("x^1", "x"),
    ("x^0", "1"),
    ("1^x", "1"),
    ("x - x", "0"),
    ("x/x", "1"),
    ("(x + 1)/(x + 1)", "1"),
    ("ln(exp(x))", "x"),
    ("ln(e)", "1"),
    ("-(-x)", "x"),
    ("--x", "x"),
    ("2*x + 3*x", "5*x"),
    ("x + x", "2*x"),
    ("x*x", "x^2"),
    ("x^2*x^3", "x^5"),
    ("x^2/x^5", "1/x^3"),
    ("(x^2)^3", "x^6"),
    ("sqrt(x)^2", "x"),
    ("sqrt(x)*sqrt(x)", "x"),
    ("exp(x)*exp(y)", "exp(x + y)"),
    ("exp(x)^2", "exp(2*x)"),
    ("2*3 + 4", "10"),
    ("1/3 + 1/6", "1/2"),
    ("0.1 + 0.2", "0.30000000000000004"),
    ("2^10", "1024"),
    ("sqrt(16)", "4"),
    ("sin(0) + cos(0)", "1"),
    ("y*x + x*y", "2*x*y"),
    ("b + a", "a + b"),
    ("x + x^2 + 1", "x^2 + x + 1"),
    ("(x + 1)*(x - 1)", "x^2 - 1"),
    ("2*(x + y) - 2*y", "2*x"),
    ("sin(-x)", "-sin(x)"),
    ("cos(-2*x)", "cos(2*x)"),
    ("abs(abs(x))", "abs(x)"),
    ("x/2 + x/2", "x"),
    ("pi*2", "2*pi"),
    ("e^x", "exp(x)"),
    ("if(1, x, y)", "x"),
    ("min(x, x)", "x"),
    ("x^2 - 2*x*y + y^2", "x^2 - 2*x*y + y^2"),
    ("1 - x", "1 - x"),
    ("(a*b)^2", "a^2*b^2"),
    ("sqrt(x^2)", "sqrt(x^2)"),
    ("exp(ln(x))", "exp(ln(x))"),
];

#[test]
fn simplification_identities() {
    let mut failures = Vec::new();
    for &(src, want) in SIMPLIFICATIONS {
        let got = sym(src).to_string();
        if got != want {
            failures.push(format!("{src} => {got}, want {want}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn expand_multiplies_out_powers_of_sums() {
    for (src, want) in [
        ("(x + 1)^3", "x^3 + 3*x^2 + 3*x + 1"),
        ("(x - y)^2*(x + y)", "x^3 - x^2*y - x*y^2 + y^3"),
        ("1/(x + 1)^2", "1/(x^2 + 2*x + 1)"),
        ("sin((a + b)^2)", "sin(a^2 + 2*a*b + b^2)"),
        ("(x + 1)^0.5", "(x + 1)^0.5"),
    ] {
        let mut s = sym(src);
        s.expand().unwrap();
        assert_eq!(s.to_string(), want, "{src}");
    }
    // A power that would multiply out to too many terms stays a power.
    let mut s = sym("(a + b + c + d + e + f)^12");
    s.expand().unwrap();
    assert!(s.to_string().contains(")^"), "{s}");
}

#[test]
fn equal_expressions_print_the_same() {
    let groups: &[&[&str]] = &[
        &["x*y + 1", "1 + y*x", "(y*x) + 1*1"],
        &["x*(x + 2)", "x^2 + 2*x", "(2 + x)*x"],
        &["a/b/c", "a/(b*c)", "(1/c)*(a/b)"],
        &["x - (y - z)", "z + x - y", "-(y - x - z)"],
        &["exp(a)*exp(b)*exp(-a)", "exp(b)"],
    ];
    for group in groups {
        let first = sym(group[0]).to_string();
        for src in &group[1..] {
            assert_eq!(sym(src).to_string(), first, "{src} vs {}", group[0]);
        }
    }
}

/// Every result printed here parses back to an expression with the same
/// value, and prints the same again.
#[test]
fn printed_results_read_back_with_the_same_value() {
    let mut sources: Vec<String> = KNOWN_DERIVATIVES.iter().map(|c| c.0.to_string()).collect();
    sources.extend(SIMPLIFICATIONS.iter().map(|c| c.0.to_string()));
    sources.extend(
        [
            "-2^x",
            "(-2)^x",
            "x^-y",
            "x % 3 * 2",
            "!(x > 1) || y <= 2 && x != y",
            "2^(1/2)*3",
            "1e-20*x + 1.5e300",
            "x^(2/3) - x^-0.5",
            "-x/(2*y)",
            "inf*x - nan",
        ]
        .map(String::from),
    );
    let vars = ["a", "b", "c", "x", "y", "z"];
    for src in &sources {
        let s = sym(src);
        let text = s.to_string();
        let back = sym(&text);
        assert_eq!(back.to_string(), text, "{src} printed {text}");
        let original = prog(src, &vars);
        let printed = compiled(&s, &vars);
        for at in points(&[(0.3, 0.9); 6], 3, 11) {
            let (a, b) = (original.eval(&at), printed.eval(&at));
            assert!(
                close(a, b, 1e-12) || (a.is_nan() && b.is_nan()),
                "{src} = {a} but {text} = {b} at {at:?}"
            );
        }
    }
}

/// A small random expression over x and y, kept mostly to the domain of
/// its functions so that values are finite.
fn random_expr(rng: &mut Rng, depth: u32) -> String {
    if depth == 0 || rng.below(4) == 0 {
        return match rng.below(5) {
            0 => "x".into(),
            1 => "y".into(),
            2 => format!("{}", rng.below(5) + 1),
            3 => format!("{:.2}", rng.uniform(-2.0, 2.0)),
            _ => "pi".into(),
        };
    }
    let a = random_expr(rng, depth - 1);
    let b = random_expr(rng, depth - 1);
    match rng.below(16) {
        0 => format!("({a} + {b})"),
        1 => format!("({a} - {b})"),
        2 | 3 => format!("({a} * {b})"),
        4 => format!("({a} / (1 + ({b})^2))"),
        5 => format!("({a})^{}", rng.below(4) + 1),
        6 => format!("sin({a})"),
        7 => format!("cos({a})"),
        8 => format!("exp(({a})/4)"),
        9 => format!("ln(1 + ({a})^2)"),
        10 => format!("sqrt(2 + ({a})^2)"),
        11 => format!("atan({a})"),
        12 => format!("tanh({a})"),
        13 => format!("(2 + sin({a}))^({b})"),
        14 => format!("hypot({a}, {b})"),
        _ => format!("atan2({a}, 2 + ({b})^2)"),
    }
}

#[test]
fn random_expressions_match_reverse_mode() {
    let vars = ["x", "y"];
    let mut rng = Rng::new(2024);
    let mut compared = 0;
    for _ in 0..400 {
        let src = random_expr(&mut rng, 4);
        let f = prog(&src, &vars);
        let dx = compiled(&derivative(&src, "x", 1), &vars);
        let dy = compiled(&derivative(&src, "y", 1), &vars);
        let mut grad = [0.0; 2];
        for _ in 0..3 {
            let at = [rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5)];
            f.eval_grad(&at, &mut grad, &mut f.scratch());
            if !(grad[0].is_finite() && grad[1].is_finite()) {
                continue;
            }
            let (gx, gy) = (dx.eval(&at), dy.eval(&at));
            assert!(
                close(gx, grad[0], 1e-9) && close(gy, grad[1], 1e-9),
                "{src} at {at:?}: symbolic ({gx}, {gy}), reverse mode {grad:?}"
            );
            compared += 1;
        }
    }
    assert!(compared > 1000, "only {compared} finite comparisons");
}

#[test]
fn step_functions_have_no_derivative() {
    let cases = [
        ("x + floor(2*x)", "floor", 5),
        ("round(x)", "round", 1),
        ("sin(x) * (x > 1)", ">", 13),
        ("mod(x, 2)", "mod", 1),
        ("x % 2", "%", 3),
        ("!x", "!", 1),
    ];
    for (src, name, column) in cases {
        let e = sym(src).differentiate("x", 1).map(|_| ()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotSmooth, "{src}");
        assert!(e.message().contains(&format!("'{name}'")), "{src}: {e}");
        assert_eq!(e.location().unwrap().column, column, "{src}: {e}");
    }
    // The sign in the derivative of abs points back at abs.
    let e = sym("1 + abs(x)")
        .differentiate("x", 2)
        .map(|_| ())
        .unwrap_err();
    assert!(
        e.message().contains("'sign'") && e.message().contains("'abs'"),
        "{e}"
    );
    assert_eq!(e.location().unwrap().column, 5);
    // A count argument of a log density.
    let e = sym("binomial_lpmf(k, 10, 0.3)")
        .differentiate("k", 1)
        .map(|_| ())
        .unwrap_err();
    assert!(e.message().contains("argument k"), "{e}");
    // What does not depend on the variable is a constant, step or not.
    assert_eq!(derivative("x*floor(y)", "x", 1).to_string(), "floor(y)");
    assert_eq!(derivative("floor(x) + y^2", "y", 1).to_string(), "2*y");
}

#[test]
fn piecewise_functions_differentiate_each_piece() {
    // min, max and clamp pick an operand the way the program does, so the
    // derivative agrees with reverse mode on both sides of the kink.
    let vars = ["x"];
    for src in ["min(x^2, 2 - x)", "max(sin(x), x/3)", "clamp(x^3, -1, 1)"] {
        for (lo, hi) in [(-1.9, -1.1), (-0.9, -0.1), (0.1, 0.9), (1.1, 1.9)] {
            check_first_derivative(src, &vars, 0, &[(lo, hi)]);
        }
    }
    // A condition on text is kept as it is.
    assert_eq!(
        derivative(r#"if(city == "Paris", x^2, x)"#, "x", 1).to_string(),
        r#"if(city == "Paris", 2*x, 1)"#
    );
}

#[test]
fn reductions_keep_their_data() {
    use toolhost_expr::Data;
    let mut data = Data::new();
    data.array("y", [0.5, 1.5, 2.0, -1.0]);
    for (src, want) in [
        ("sum((y - mu)^2)", "sum(2*mu - 2*y)"),
        ("mean(y*mu^2)", "mean(2*mu*y)"),
        // Differentiating drops y but not its length.
        ("sum(mu + y)", "len(mu + y)"),
        ("sum(normal_lpdf(y, mu, 2))", "sum((y - mu)/4)"),
    ] {
        let d = derivative(src, "mu", 1);
        assert_eq!(d.to_string(), want, "{src}");
        let f = Expr::parse(src)
            .unwrap()
            .compile_with_data(&["mu"], &data)
            .unwrap();
        let g = d
            .to_expr()
            .unwrap()
            .compile_with_data(&["mu"], &data)
            .unwrap();
        let mut grad = [0.0];
        let mu = 0.7;
        f.eval_grad(&[mu], &mut grad, &mut f.scratch());
        assert!(close(g.eval(&[mu]), grad[0], 1e-12), "{src}");
    }
}

#[test]
fn variable_names_are_checked() {
    let mut s = sym("x^2");
    let e = s.differentiate("pi", 1).map(|_| ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReservedName);
    let e = s.differentiate("2x", 1).map(|_| ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidVariableName);
    // A variable the expression does not have gives zero.
    assert_eq!(derivative("x^2", "z", 1).to_string(), "0");
}

#[test]
fn latex_reads_like_mathematics() {
    let cases = [
        ("x^2/2", r"\frac{x^{2}}{2}"),
        ("sqrt(1 - x^2)", r"\sqrt{1 - x^{2}}"),
        (
            "sin(x)^2*cos(x)",
            r"\cos\left(x\right) \sin^{2}\left(x\right)",
        ),
        ("exp(-x^2/2)", r"e^{-\frac{x^{2}}{2}}"),
        ("(mu - x)/sigma^2", r"\frac{\mu - x}{\sigma^{2}}"),
        ("abs(x_1) + 2*pi", r"2 \pi + \left|x_{1}\right|"),
        ("1/(x*ln(10))", r"\frac{1}{x \ln\left(10\right)}"),
        (
            "if(x > 0, x, 0)",
            r"\begin{cases} x & \text{if } x > 0 \\ 0 & \text{otherwise} \end{cases}",
        ),
        ("polygamma(1, x)", r"\psi^{\left(1\right)}\left(x\right)"),
        ("rate*2^x", r"2^{x} \mathrm{rate}"),
    ];
    for (src, want) in cases {
        assert_eq!(sym(src).latex(), want, "{src}");
    }
}

#[test]
fn repeated_differentiation_stays_small() {
    // Simplifying as it goes keeps the tenth derivative of x^x to a few
    // hundred terms; it is checked against finite differences of the ninth.
    let mut s = sym("x^x");
    s.differentiate("x", 9).unwrap();
    let ninth = compiled(&s, &["x"]);
    s.differentiate("x", 1).unwrap();
    let tenth = compiled(&s, &["x"]);
    let text = s.to_string();
    assert!(text.len() < 20_000, "{} bytes", text.len());
    for x in [0.8, 1.3, 2.0] {
        let (fd, _) = central_difference(&ninth, &[x], 0);
        let got = tenth.eval(&[x]);
        assert!(close(got, fd, 1e-5), "at {x}: {got} vs {fd}");
    }
}

#[test]
fn runaway_growth_is_an_error_not_a_hang() {
    let mut s = sym("exp(sin(x)*x^x)/(1 + cos(x)^x)");
    let e = s.differentiate("x", 40).map(|_| ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooLong);
    assert!(e.message().contains("lower order"), "{e}");
}

#[test]
fn long_products_stop_at_the_bound_on_operands() {
    // The product rule on n factors makes n products of n factors each.
    let factors: Vec<String> = (1..=3000).map(|i| format!("sin(x + {i})")).collect();
    let mut s = sym(&factors.join("*"));
    let e = s.differentiate("x", 1).map(|_| ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooLong);
}

#[test]
fn deep_nesting_fits_a_small_stack() {
    // Plugins run on a 1 MiB stack; the parser allows 256 levels.
    let src = format!("{}x{}", "sin(".repeat(200), ")".repeat(200));
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let mut s = sym(&src);
            s.differentiate("x", 1).unwrap();
            let text = s.to_string();
            assert!(text.starts_with("cos(x)*cos(sin(x))*"), "{}", &text[..40]);
            let _ = s.latex();
            s.to_expr().unwrap();
        })
        .unwrap()
        .join()
        .unwrap();
}
