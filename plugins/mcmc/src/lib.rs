//! `mcmc`: sample from a log density written in the toolhost expression
//! language, with NUTS (exact gradients by reverse-mode differentiation of
//! the compiled expression), emcee's affine-invariant ensemble sampler or
//! adaptive random-walk Metropolis, and report
//! posterior summaries with the convergence diagnostics of Vehtari et al.
//! (2021).
//!
//! The algorithms are plain Rust modules, tested natively; only [`Mcmc`]'s
//! `Tool` impl and `export_tool!` belong to the plugin.

pub mod adapt;
pub mod diagnostics;
pub mod ensemble;
mod fft;
pub mod input;
pub mod metropolis;
pub mod model;
pub mod normal;
pub mod nuts;
pub mod report;
pub mod sampler;
pub mod summary;
pub mod transform;

use toolhost_sdk::{Output, Tool, ToolError, ToolInfo, json};

use crate::input::{Input, Problem};
use crate::model::{ExprModel, LogDensity};
use crate::sampler::{Init, InitFailure};
use toolhost_rng::Rng;

pub struct Mcmc;

impl Tool for Mcmc {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "mcmc",
            env!("CARGO_PKG_VERSION"),
            "Draw samples from a probability density given as its log in the expression \
             language, and summarise them: mean, sd, Monte Carlo standard error, quantiles, \
             bulk and tail effective sample size, and rank-normalised split R-hat per \
             parameter, with warnings when the sampling is unreliable.\n\n\
             Write the log density over named `parameters` and `data`: arrays in `data` are \
             used inside sum(...), e.g. sum(normal_lpdf(y, mu, sigma)). Log densities: \
             normal_lpdf(x, mu, sigma), student_t_lpdf(x, nu, mu, sigma), cauchy_lpdf(x, mu, \
             sigma), exponential_lpdf(x, rate), gamma_lpdf(x, shape, rate), beta_lpdf(x, a, b), \
             lognormal_lpdf(x, mu, sigma), uniform_lpdf(x, lo, hi), binomial_lpmf(k, n, p), \
             poisson_lpmf(k, lambda), bernoulli_lpmf(k, p). Constrain parameters with \
             \"positive\" or {\"lower\", \"upper\"} rather than writing the constraint into \
             the density. By default (\"sampler\": \"auto\") a differentiable density gets \
             NUTS, and one with kinks or steps (abs, min, max, floor, comparisons, if on a \
             parameter) gets the gradient-free ensemble sampler (emcee's stretch move; \
             \"sampler\": \"ensemble\" or \"gradient_free\" asks for it), whose walkers are \
             reported as chains; `sampler.name` in the result says which ran.",
        )
        .example(
            "Mean and scale of observations",
            json!({
                "log_density": "normal_lpdf(mu, 0, 10) + exponential_lpdf(sigma, 1) + sum(normal_lpdf(y, mu, sigma))",
                "parameters": { "mu": "real", "sigma": "positive" },
                "data": { "y": [2.1, 1.4, 3.3, 2.8, 1.9, 2.6, 3.0, 2.2] },
            }),
        )
        .example(
            "A success probability from 7 successes in 20 trials",
            json!({
                "log_density": "beta_lpdf(p, 1, 1) + binomial_lpmf(7, 20, p)",
                "parameters": { "p": { "lower": 0, "upper": 1 } },
                "seed": 42,
            }),
        )
        .example(
            "A correlated 2-d Gaussian, returning 100 draws per chain",
            json!({
                "log_density": "-(x^2 - 1.8*x*y + y^2) / (2 * (1 - 0.81))",
                "parameters": ["x", "y"],
                "output_draws": 100,
            }),
        )
        .example(
            "A density with steps: the ensemble sampler is chosen by itself",
            json!({
                "log_density": "-abs(floor(x)) - x^2 / 8",
                "parameters": ["x"],
            }),
        )
        .example(
            "Gradient-free sampling of a Laplace regression slope, 64 walkers",
            json!({
                "log_density": "normal_lpdf(b, 0, 5) - sum(abs(y - b * x))",
                "parameters": ["b"],
                "data": { "x": [1, 2, 3, 4, 5], "y": [1.9, 4.2, 5.8, 8.3, 9.9] },
                "sampler": "gradient_free",
                "walkers": 64,
            }),
        )
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let problem = input::validate(&input)?;
        let Problem {
            names,
            transforms,
            init,
            program,
            settings,
            chosen_because,
            output_draws,
        } = problem;
        let mut model = ExprModel::new(program, transforms);
        let start = Start { fixed: init };
        let per_chain = (settings.warmup + settings.draws) as u64;
        let (warmup, chains) = (settings.warmup as u64, settings.chains);
        let unit = match settings.algorithm {
            sampler::Algorithm::Ensemble { .. } => "ensemble",
            _ => "chain",
        };
        let mut report = |done: u64, total: u64| {
            let at = done.saturating_sub(1);
            let phase = if at % per_chain < warmup {
                "warm-up"
            } else {
                "sampling"
            };
            let message = format!("{unit} {} of {chains}: {phase}", at / per_chain + 1);
            toolhost_sdk::progress(done, total, &message);
        };
        let run = sampler::run(&mut model, &settings, &start, &mut report)
            .map_err(|f| init_error(&f, &mut model, &names, &start))?;
        let summary = summary::summarize(&names, &run, &settings);
        let why = chosen_because.as_deref();
        Ok(
            Output::text(report::text(&summary, &settings, why)).and_json(&report::json(
                &summary,
                &settings,
                why,
                &run,
                &names,
                output_draws,
            )),
        )
    }
}

toolhost_sdk::export_tool!(Mcmc);

/// Starting points: the user's values where given, else uniform in (-2, 2)
/// on the unconstrained scale.
struct Start {
    fixed: Vec<Option<f64>>,
}

/// Random starting points tried per chain before giving up.
const INIT_ATTEMPTS: usize = 100;

impl Init for Start {
    fn fill(&self, rng: &mut Rng, q: &mut [f64]) {
        for (q, fixed) in q.iter_mut().zip(&self.fixed) {
            // Draw for every coordinate, so that fixing one parameter does
            // not shift the random stream of the others.
            let random = rng.uniform_in(-2.0, 2.0);
            *q = fixed.unwrap_or(random);
        }
    }

    fn attempts(&self) -> usize {
        if self.fixed.iter().all(Option::is_some) {
            1
        } else {
            INIT_ATTEMPTS
        }
    }
}

fn describe_value(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "+infinity"
    } else {
        "-infinity"
    }
}

/// Explains why no chain could start, at the point that failed.
fn init_error(
    f: &InitFailure,
    model: &mut ExprModel,
    names: &[String],
    start: &Start,
) -> ToolError {
    let mut x = vec![0.0; f.q.len()];
    model.constrain(&f.q, &mut x);
    // Values as the user typed them where short, else four digits.
    let show = |v: f64| {
        let exact = format!("{v}");
        if exact.len() <= 8 {
            exact
        } else {
            report::number(v)
        }
    };
    let at = names
        .iter()
        .zip(&x)
        .map(|(n, v)| format!("{n} = {}", show(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut grad = vec![0.0; x.len()];
    let value = model.user_density(&x, &mut grad);
    let cause = if !value.is_finite() {
        format!("log_density is {}", describe_value(value))
    } else if let Some(i) = grad.iter().position(|g| !g.is_finite()) {
        format!(
            "the gradient of log_density with respect to '{}' is {}",
            names[i],
            describe_value(grad[i])
        )
    } else if let Some(i) = f.bad_gradient {
        format!(
            "the gradient with respect to '{}' is not finite once the constraint's transform is applied",
            names[i]
        )
    } else {
        "log_density is not finite once the constraints' Jacobian is added".to_owned()
    };
    let finite = if value.is_finite() {
        "finite and differentiable"
    } else {
        "finite"
    };
    if start.attempts() == 1 {
        ToolError::invalid_input(format!(
            "{cause} at the initial values ({at}): start where the density is {finite}, or check the expression"
        ))
        .at("/init")
    } else {
        ToolError::invalid_input(format!(
            "{cause} at every one of {} random starting points for chain {} (the last: {at}): check the expression and the constraints, or give `init` where the density is finite",
            f.attempts,
            f.chain + 1
        ))
        .at("/log_density")
    }
}

#[cfg(test)]
mod tests;
