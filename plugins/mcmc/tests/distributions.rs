//! The expression language's log densities agree with statrs, the
//! reference implementation, wherever statrs has the distribution.
//!
//! The densities themselves live in the expression language (with `libm`,
//! so that they give the same bits under wasm, and with exact gradients,
//! which statrs does not provide); statrs checks their values.

use statrs::distribution::{
    Bernoulli, Beta, Binomial, Cauchy, Continuous, Discrete, Exp, Gamma, LogNormal, Normal,
    Poisson, StudentsT, Uniform,
};

fn eval(src: &str) -> f64 {
    toolhost_expr::compile::<&str>(src, &[]).unwrap().eval(&[])
}

#[track_caller]
fn agree(src: &str, reference: f64) {
    let ours = eval(src);
    let tol = 1e-12 * reference.abs().max(1.0);
    assert!(
        ours == reference || (ours - reference).abs() <= tol,
        "{src} = {ours}, statrs says {reference}"
    );
}

const XS: [f64; 6] = [-3.2, -0.7, 0.0, 0.4, 1.9, 6.5];

#[test]
fn continuous_densities_match_statrs() {
    for (mu, s) in [(0.0, 1.0), (1.5, 0.3), (-2.0, 4.0)] {
        let normal = Normal::new(mu, s).unwrap();
        let cauchy = Cauchy::new(mu, s).unwrap();
        for x in XS {
            agree(&format!("normal_lpdf({x}, {mu}, {s})"), normal.ln_pdf(x));
            agree(&format!("cauchy_lpdf({x}, {mu}, {s})"), cauchy.ln_pdf(x));
            for nu in [0.7, 3.0, 30.0] {
                let t = StudentsT::new(mu, s, nu).unwrap();
                agree(
                    &format!("student_t_lpdf({x}, {nu}, {mu}, {s})"),
                    t.ln_pdf(x),
                );
            }
        }
    }
    for x in [0.05, 0.5, 1.0, 2.5, 9.0] {
        for rate in [0.3, 1.0, 4.0] {
            agree(
                &format!("exponential_lpdf({x}, {rate})"),
                Exp::new(rate).unwrap().ln_pdf(x),
            );
            for shape in [0.5, 1.0, 2.5, 12.0] {
                let g = Gamma::new(shape, rate).unwrap();
                agree(&format!("gamma_lpdf({x}, {shape}, {rate})"), g.ln_pdf(x));
            }
        }
        for (mu, s) in [(0.0, 1.0), (0.7, 0.4)] {
            let ln = LogNormal::new(mu, s).unwrap();
            agree(&format!("lognormal_lpdf({x}, {mu}, {s})"), ln.ln_pdf(x));
        }
        let u = Uniform::new(-1.0, 3.0).unwrap();
        agree(&format!("uniform_lpdf({x}, -1, 3)"), u.ln_pdf(x));
    }
    for x in [0.01, 0.2, 0.5, 0.77, 0.99] {
        for (a, b) in [(0.5, 0.5), (1.0, 1.0), (2.0, 5.0), (30.0, 7.5)] {
            let beta = Beta::new(a, b).unwrap();
            agree(&format!("beta_lpdf({x}, {a}, {b})"), beta.ln_pdf(x));
        }
    }
}

#[test]
fn discrete_masses_match_statrs() {
    for n in [1u64, 10, 57] {
        for p in [0.0, 0.03, 0.5, 0.91, 1.0] {
            let b = Binomial::new(p, n).unwrap();
            for k in [0, 1, n / 2, n] {
                agree(&format!("binomial_lpmf({k}, {n}, {p})"), b.ln_pmf(k));
            }
        }
    }
    for lambda in [0.2, 3.0, 41.5] {
        let pois = Poisson::new(lambda).unwrap();
        for k in [0u64, 1, 4, 40, 100] {
            agree(&format!("poisson_lpmf({k}, {lambda})"), pois.ln_pmf(k));
        }
    }
    for p in [0.0, 0.25, 1.0] {
        let b = Bernoulli::new(p).unwrap();
        for k in [0u64, 1] {
            agree(&format!("bernoulli_lpmf({k}, {p})"), b.ln_pmf(k));
        }
    }
}

#[test]
fn outside_the_support_both_say_minus_infinity() {
    let cases = [
        (
            "exponential_lpdf(-0.5, 2)",
            Exp::new(2.0).unwrap().ln_pdf(-0.5),
        ),
        (
            "gamma_lpdf(-1, 2, 1)",
            Gamma::new(2.0, 1.0).unwrap().ln_pdf(-1.0),
        ),
        (
            "beta_lpdf(1.5, 2, 2)",
            Beta::new(2.0, 2.0).unwrap().ln_pdf(1.5),
        ),
        (
            "lognormal_lpdf(-1, 0, 1)",
            LogNormal::new(0.0, 1.0).unwrap().ln_pdf(-1.0),
        ),
        (
            "uniform_lpdf(4, -1, 3)",
            Uniform::new(-1.0, 3.0).unwrap().ln_pdf(4.0),
        ),
        (
            "binomial_lpmf(11, 10, 0.5)",
            Binomial::new(0.5, 10).unwrap().ln_pmf(11),
        ),
        (
            "bernoulli_lpmf(2, 0.5)",
            Bernoulli::new(0.5).unwrap().ln_pmf(2),
        ),
    ];
    for (src, reference) in cases {
        assert_eq!(reference, f64::NEG_INFINITY, "{src}: statrs");
        assert_eq!(eval(src), f64::NEG_INFINITY, "{src}");
    }
}
