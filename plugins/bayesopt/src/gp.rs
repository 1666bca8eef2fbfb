//! Gaussian-process regression on the unit box with an ARD Matérn-5/2
//! kernel and Gaussian noise, on standardised outputs.
//!
//! Hyperparameters θ = [log l_1 … log l_d, log s², log σ_n²] are fitted by
//! maximising the log marginal likelihood plus the length-scale prior
//! ([`prior`](crate::prior)) with its analytic gradient (bounded L-BFGS,
//! several starts: see [`fit_hyperparameters`]).

use crate::kernel;
use crate::lbfgs;
use crate::linalg;
use crate::prior;

/// Length-scales on the unit box: shorter than 1% of the side is noise
/// fitting, longer than 20 sides is a constant.
const LS_RANGE: (f64, f64) = (0.01, 20.0);
/// Signal variance, outputs standardised to unit variance.
const SF2_RANGE: (f64, f64) = (0.05, 20.0);
/// Noise variance relative to the output variance: the floor keeps K
/// well conditioned for deterministic objectives; the ceiling lets
/// ripples far finer than the design resolves (Ackley's) be explained as
/// noise around a smooth trend instead of by length-scales at the floor.
const NOISE_RANGE: (f64, f64) = (1e-6, 1.0);
/// Added to the diagonal, in turn, when a factorisation fails.
const JITTERS: [f64; 5] = [0.0, 1e-10, 1e-8, 1e-6, 1e-4];

/// Box bounds on θ for `d` input dimensions.
pub fn bounds(d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut lo = vec![libm::log(LS_RANGE.0); d];
    let mut hi = vec![libm::log(LS_RANGE.1); d];
    lo.extend([libm::log(SF2_RANGE.0), libm::log(NOISE_RANGE.0)]);
    hi.extend([libm::log(SF2_RANGE.1), libm::log(NOISE_RANGE.1)]);
    (lo, hi)
}

/// The sensible default: length-scale half the box, unit signal, small noise.
pub fn default_theta(d: usize) -> Vec<f64> {
    let mut t = vec![libm::log(0.5); d];
    t.extend([0.0, libm::log(1e-4)]);
    t
}

/// A fitted GP: the data, the hyperparameters and the factor of K.
#[derive(Debug, Clone)]
pub struct Gp {
    d: usize,
    n: usize,
    x: Vec<f64>,
    y: Vec<f64>,
    pub theta: Vec<f64>,
    inv_ls2: Vec<f64>,
    sf2: f64,
    /// Cholesky factor of K = s² C + (σ_n² + jitter) I.
    l: Vec<f64>,
    alpha: Vec<f64>,
}

/// K (row-major) for inputs `x` (n rows of d) and θ, without the diagonal noise.
fn covariance(x: &[f64], n: usize, d: usize, inv_ls2: &[f64], sf2: f64) -> Vec<f64> {
    let mut k = vec![0.0; n * n];
    for i in 0..n {
        k[i * n + i] = sf2;
        for j in 0..i {
            let v = sf2 * kernel::value(kernel::r2(&x[i * d..][..d], &x[j * d..][..d], inv_ls2));
            k[i * n + j] = v;
            k[j * n + i] = v;
        }
    }
    k
}

/// Factorises K + (noise + jitter) I, raising the jitter until it works.
fn factor(k: &[f64], n: usize, noise: f64) -> Option<Vec<f64>> {
    JITTERS.iter().find_map(|jitter| {
        let mut l = k.to_vec();
        for i in 0..n {
            l[i * n + i] += noise + jitter;
        }
        linalg::cholesky(&mut l, n).then_some(l)
    })
}

fn unpack(theta: &[f64], d: usize) -> (Vec<f64>, f64, f64) {
    let inv_ls2 = theta[..d].iter().map(|t| libm::exp(-2.0 * t)).collect();
    (inv_ls2, libm::exp(theta[d]), libm::exp(theta[d + 1]))
}

impl Gp {
    /// Conditions on `x` (points in the unit box) and standardised `y`.
    /// None only when K cannot be factorised even with jitter.
    pub fn new(x: &[Vec<f64>], y: &[f64], theta: &[f64]) -> Option<Gp> {
        let n = x.len();
        let d = theta.len() - 2;
        let flat: Vec<f64> = x.iter().flatten().copied().collect();
        let (inv_ls2, sf2, noise) = unpack(theta, d);
        let k = covariance(&flat, n, d, &inv_ls2, sf2);
        let l = factor(&k, n, noise)?;
        let mut alpha = y.to_vec();
        linalg::solve_lower(&l, n, &mut alpha);
        linalg::solve_upper_t(&l, n, &mut alpha);
        Some(Gp {
            d,
            n,
            x: flat,
            y: y.to_vec(),
            theta: theta.to_vec(),
            inv_ls2,
            sf2,
            l,
            alpha,
        })
    }

    /// The same GP with one more (believed) observation, hyperparameters kept.
    pub fn with_point(&self, x: &[f64], y: f64) -> Option<Gp> {
        let mut xs: Vec<Vec<f64>> = self.x.chunks(self.d).map(<[f64]>::to_vec).collect();
        xs.push(x.to_vec());
        let mut ys = self.y.clone();
        ys.push(y);
        Gp::new(&xs, &ys, &self.theta)
    }

    pub fn dim(&self) -> usize {
        self.d
    }

    /// Posterior mean and standard deviation of the latent function at `x`.
    pub fn predict(&self, x: &[f64]) -> (f64, f64) {
        let mut v = self.cross(x);
        let mean = v.iter().zip(&self.alpha).map(|(k, a)| k * a).sum();
        linalg::solve_lower(&self.l, self.n, &mut v);
        let var = self.sf2 - v.iter().map(|v| v * v).sum::<f64>();
        (mean, var.max(1e-18).sqrt())
    }

    /// Like [`predict`](Self::predict), also writing the gradients of the
    /// mean and of the standard deviation with respect to `x`.
    pub fn predict_with_gradient(
        &self,
        x: &[f64],
        dmean: &mut [f64],
        dsd: &mut [f64],
    ) -> (f64, f64) {
        let (n, d) = (self.n, self.d);
        let mut kx = vec![0.0; n];
        let mut slope = vec![0.0; n];
        for i in 0..n {
            let (k, g) =
                kernel::value_and_slope(kernel::r2(x, &self.x[i * d..][..d], &self.inv_ls2));
            kx[i] = self.sf2 * k;
            slope[i] = self.sf2 * g;
        }
        let mean = kx.iter().zip(&self.alpha).map(|(k, a)| k * a).sum();
        // w = K⁻¹ k(x): var = s² - k·w and dvar = -2 w·dk.
        let mut w = kx.clone();
        linalg::solve_lower(&self.l, n, &mut w);
        let var = self.sf2 - w.iter().map(|v| v * v).sum::<f64>();
        linalg::solve_upper_t(&self.l, n, &mut w);
        let sd = var.max(1e-18).sqrt();
        dmean.iter_mut().for_each(|g| *g = 0.0);
        dsd.iter_mut().for_each(|g| *g = 0.0);
        for i in 0..n {
            let xi = &self.x[i * d..][..d];
            for j in 0..d {
                let dk = -slope[i] * (x[j] - xi[j]) * self.inv_ls2[j];
                dmean[j] += self.alpha[i] * dk;
                dsd[j] += w[i] * dk;
            }
        }
        // dsd = dvar / (2 sd) = -w·dk / sd; flat once the variance is floored.
        let scale = if var > 1e-18 { -1.0 / sd } else { 0.0 };
        dsd.iter_mut().for_each(|g| *g *= scale);
        (mean, sd)
    }

    fn cross(&self, x: &[f64]) -> Vec<f64> {
        let d = self.d;
        (0..self.n)
            .map(|i| self.sf2 * kernel::value(kernel::r2(x, &self.x[i * d..][..d], &self.inv_ls2)))
            .collect()
    }
}

/// Negative log marginal likelihood of standardised `y` at θ, and its
/// gradient; +∞ where K cannot be factorised.
pub fn neg_log_likelihood(x: &[f64], n: usize, y: &[f64], theta: &[f64], grad: &mut [f64]) -> f64 {
    let d = theta.len() - 2;
    let (inv_ls2, sf2, noise) = unpack(theta, d);
    // K and the kernel slopes in one pass: one exp per pair.
    let mut k = vec![0.0; n * n];
    let mut slopes = vec![0.0; n * n];
    for i in 0..n {
        k[i * n + i] = sf2;
        for j in 0..i {
            let (kv, slope) =
                kernel::value_and_slope(kernel::r2(&x[i * d..][..d], &x[j * d..][..d], &inv_ls2));
            k[i * n + j] = sf2 * kv;
            k[j * n + i] = sf2 * kv;
            slopes[i * n + j] = sf2 * slope;
        }
    }
    let Some(l) = factor(&k, n, noise) else {
        grad.iter_mut().for_each(|g| *g = 0.0);
        return f64::INFINITY;
    };
    let mut alpha = y.to_vec();
    linalg::solve_lower(&l, n, &mut alpha);
    linalg::solve_upper_t(&l, n, &mut alpha);
    let log_det: f64 = (0..n).map(|i| libm::log(l[i * n + i])).sum();
    let fit: f64 = alpha.iter().zip(y).map(|(a, y)| a * y).sum();
    let nll = 0.5 * fit + log_det + 0.5 * n as f64 * libm::log(2.0 * std::f64::consts::PI);
    // d(-LML)/dθ = -½ tr((ααᵀ - K⁻¹) dK/dθ), W = ααᵀ - K⁻¹ symmetric.
    let inv = linalg::inverse_from_cholesky(&l, n);
    grad.iter_mut().for_each(|g| *g = 0.0);
    let (mut g_sf2, mut g_noise) = (0.0, 0.0);
    for i in 0..n {
        let wii = alpha[i] * alpha[i] - inv[i * n + i];
        g_sf2 += wii * sf2;
        g_noise += wii * noise;
        let xi = &x[i * d..][..d];
        for j in 0..i {
            let w = alpha[i] * alpha[j] - inv[i * n + j];
            let xj = &x[j * d..][..d];
            // Off-diagonal pairs count twice; K already holds s² k.
            g_sf2 += 2.0 * w * k[i * n + j];
            let ws = 2.0 * w * slopes[i * n + j];
            for m in 0..d {
                let diff = xi[m] - xj[m];
                grad[m] += ws * diff * diff * inv_ls2[m];
            }
        }
    }
    grad[d] = g_sf2;
    grad[d + 1] = g_noise;
    grad.iter_mut().for_each(|g| *g *= -0.5);
    nll
}

/// Negative log posterior of θ: the likelihood's and the length-scale
/// prior's, with the gradient.
pub fn neg_log_posterior(x: &[f64], n: usize, y: &[f64], theta: &[f64], grad: &mut [f64]) -> f64 {
    let d = theta.len() - 2;
    let nll = neg_log_likelihood(x, n, y, theta, grad);
    if !nll.is_finite() {
        return nll;
    }
    nll + prior::neg_log_prior(&theta[..d], &mut grad[..d])
}

/// The θ with the highest posterior density found by bounded L-BFGS from
/// each of `starts` (each clamped into the bounds).
pub fn fit_hyperparameters(x: &[Vec<f64>], y: &[f64], starts: &[Vec<f64>]) -> Vec<f64> {
    let n = x.len();
    let d = starts[0].len() - 2;
    let flat: Vec<f64> = x.iter().flatten().copied().collect();
    let (lo, hi) = bounds(d);
    let mut best: Option<(f64, Vec<f64>)> = None;
    for start in starts {
        let mut f = |t: &[f64], g: &mut [f64]| neg_log_posterior(&flat, n, y, t, g);
        let (theta, value) = lbfgs::minimize(&mut f, start, &lo, &hi, 200);
        if best.as_ref().is_none_or(|(b, _)| value < *b) {
            best = Some((value, theta));
        }
    }
    best.map_or_else(|| default_theta(d), |(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use toolhost_rng::Rng;

    fn data(n: usize, d: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut rng = Rng::stream(seed, 0);
        let x: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..d).map(|_| rng.uniform()).collect())
            .collect();
        let y = x
            .iter()
            .map(|p| libm::sin(6.0 * p[0]) + 0.1 * p[1..].iter().sum::<f64>())
            .collect();
        (x, y)
    }

    #[test]
    fn the_likelihood_gradient_matches_finite_differences() {
        let (x, y) = data(12, 3, 4);
        let flat: Vec<f64> = x.iter().flatten().copied().collect();
        let theta = vec![-1.0, 0.2, -0.5, 0.3, -3.0];
        let mut g = vec![0.0; 5];
        neg_log_likelihood(&flat, 12, &y, &theta, &mut g);
        let mut scratch = vec![0.0; 5];
        for k in 0..5 {
            let h = 1e-6;
            let mut tp = theta.clone();
            tp[k] += h;
            let mut tm = theta.clone();
            tm[k] -= h;
            let fd = (neg_log_likelihood(&flat, 12, &y, &tp, &mut scratch)
                - neg_log_likelihood(&flat, 12, &y, &tm, &mut scratch))
                / (2.0 * h);
            assert!(
                (fd - g[k]).abs() < 1e-5 * (1.0 + fd.abs()),
                "θ{k}: {fd} vs {}",
                g[k]
            );
        }
    }

    #[test]
    fn the_prediction_gradient_matches_finite_differences() {
        let (x, y) = data(15, 2, 5);
        let gp = Gp::new(&x, &y, &[-1.2, -0.4, 0.0, -6.0]).unwrap();
        let at = [0.37, 0.61];
        let (mut dm, mut ds) = ([0.0; 2], [0.0; 2]);
        gp.predict_with_gradient(&at, &mut dm, &mut ds);
        for j in 0..2 {
            let h = 1e-6;
            let mut p = at;
            p[j] += h;
            let mut m = at;
            m[j] -= h;
            let (mp, sp) = gp.predict(&p);
            let (mm, sm) = gp.predict(&m);
            assert!(((mp - mm) / (2.0 * h) - dm[j]).abs() < 1e-5);
            assert!(((sp - sm) / (2.0 * h) - ds[j]).abs() < 1e-5);
        }
    }

    #[test]
    fn a_fitted_gp_interpolates_a_smooth_function() {
        let (x, y) = data(30, 2, 6);
        let theta = fit_hyperparameters(&x, &y, &[default_theta(2)]);
        let gp = Gp::new(&x, &y, &theta).unwrap();
        let probe = [0.5, 0.5];
        let truth = libm::sin(3.0) + 0.05;
        let (mean, sd) = gp.predict(&probe);
        assert!((mean - truth).abs() < 0.05, "{mean} vs {truth}");
        assert!(sd < 0.1);
        // The second input barely matters: its length-scale is the longer.
        assert!(theta[1] > theta[0]);
    }

    #[test]
    fn with_few_points_the_prior_keeps_length_scales_off_the_bounds() {
        // Ten points in 4-D: the likelihood alone declares dimensions
        // irrelevant (length-scale at the upper bound) or pins one at the floor.
        let (x, y) = data(10, 4, 11);
        let flat: Vec<f64> = x.iter().flatten().copied().collect();
        let (lo, hi) = bounds(4);
        let at_bound = |t: &[f64]| (0..4).any(|j| t[j] <= lo[j] + 1e-3 || t[j] >= hi[j] - 1e-3);
        let mut ml = |t: &[f64], g: &mut [f64]| neg_log_likelihood(&flat, 10, &y, t, g);
        let (ml_theta, _) = lbfgs::minimize(&mut ml, &default_theta(4), &lo, &hi, 200);
        assert!(at_bound(&ml_theta), "{ml_theta:?}");
        let map_theta = fit_hyperparameters(&x, &y, &[default_theta(4)]);
        assert!(!at_bound(&map_theta), "{map_theta:?}");
        // The dimension that matters keeps the shortest length-scale.
        assert!((1..4).all(|j| map_theta[j] > map_theta[0]), "{map_theta:?}");
    }
}
