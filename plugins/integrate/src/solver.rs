//! What the ODE solvers share: the system, the settings, an accepted step with its
//! interpolant (for output at requested times and for events), and how a run ended.

/// The right-hand side: writes f(t, y) into dy.
pub trait System {
    fn dim(&self) -> usize;
    fn rhs(&mut self, t: f64, y: &[f64], dy: &mut [f64]);
}

/// A system that also gives its Jacobian ∂f/∂y, for implicit methods.
pub trait Jacobian: System {
    /// Writes ∂f_i/∂y_j into jac[i·n + j].
    fn jacobian(&mut self, t: f64, y: &[f64], jac: &mut [f64]);
}

#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub rtol: f64,
    pub atol: f64,
    /// Accepted plus rejected steps at most.
    pub max_steps: usize,
    /// First step; None: chosen from the problem (Hairer's hinit).
    pub first_step: Option<f64>,
    /// Largest step; f64::INFINITY for none.
    pub max_step: f64,
}

/// One accepted step, [t0, t0 + h], with what interpolates inside it.
pub struct Step<'a> {
    pub t0: f64,
    pub h: f64,
    /// y at t0 + h.
    pub y1: &'a [f64],
    pub dense: Dense<'a>,
}

/// What interpolates inside a step.
pub enum Dense<'a> {
    /// Dormand–Prince 5(4)'s continuous extension (Shampine), fourth order.
    Dopri(&'a [Vec<f64>; 5]),
    /// DOP853's interpolant, seventh order, built on first use.
    Dop853(Box<crate::dop853::Interpolant<'a>>),
    /// Radau IIA's collocation polynomial: y0 plus the interpolant through (0, 0) and
    /// (c_i, z_i), third order.
    Collocation {
        y0: &'a [f64],
        c: [f64; 3],
        z: &'a [Vec<f64>; 3],
    },
}

impl Step<'_> {
    pub fn t1(&self) -> f64 {
        self.t0 + self.h
    }

    /// y(t) for t in the step.
    pub fn interpolate(&self, t: f64, out: &mut [f64]) {
        let theta = (t - self.t0) / self.h;
        match &self.dense {
            Dense::Dopri(rcont) => {
                let theta1 = 1.0 - theta;
                let [r1, r2, r3, r4, r5] = rcont;
                for i in 0..out.len() {
                    out[i] = r1[i]
                        + theta * (r2[i] + theta1 * (r3[i] + theta * (r4[i] + theta1 * r5[i])));
                }
            }
            Dense::Dop853(interpolant) => interpolant.at(theta, out),
            Dense::Collocation { y0, c, z } => {
                let w = lagrange_weights(c, theta);
                for i in 0..out.len() {
                    out[i] = y0[i] + w[0] * z[0][i] + w[1] * z[1][i] + w[2] * z[2][i];
                }
            }
        }
    }
}

/// What the driver wants after a step.
pub enum Control {
    Continue,
    /// Stop at this time (inside the last step), e.g. at a terminal event.
    Stop,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Reached,
    Stopped,
    MaxSteps,
    /// The step size fell below what t can resolve: a singularity or a very stiff system.
    StepTooSmall,
    /// The solution became NaN or infinite.
    NotFinite,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub nfev: usize,
    pub accepted: usize,
    pub rejected: usize,
}

/// √(mean of (v_i / scale_i)²): the error norm of Hairer's codes and scipy's.
pub fn rms_norm(v: impl IntoIterator<Item = impl std::borrow::Borrow<f64>>, scale: &[f64]) -> f64 {
    let n = scale.len().max(1) as f64;
    (v.into_iter()
        .map(|x| *x.borrow())
        .zip(scale)
        .map(|(x, s)| (x / s) * (x / s))
        .sum::<f64>()
        / n)
        .sqrt()
}

/// Weights w of the cubic through (0, 0) and (c_k, z_k) at s: Σ w_k z_k.
pub fn lagrange_weights(c: &[f64; 3], s: f64) -> [f64; 3] {
    // The node 0 carries the value 0, so only the three basis polynomials of c_k count;
    // each vanishes at 0 and at the other two nodes.
    std::array::from_fn(|k| {
        let mut w = s / c[k];
        for (j, cj) in c.iter().enumerate() {
            if j != k {
                w *= (s - cj) / (c[k] - cj);
            }
        }
        w
    })
}
