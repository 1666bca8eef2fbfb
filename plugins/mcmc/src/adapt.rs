//! Warm-up adaptation: the step size by dual averaging, and the metric from
//! draws collected in doubling windows, both following Stan.

/// Nesterov dual averaging of log step size towards a target acceptance
/// statistic (Hoffman and Gelman 2014, with Stan's constants).
#[derive(Clone, Debug)]
pub struct DualAveraging {
    target: f64,
    mu: f64,
    s_bar: f64,
    x_bar: f64,
    counter: f64,
}

const GAMMA: f64 = 0.05;
const KAPPA: f64 = 0.75;
const T0: f64 = 10.0;

impl DualAveraging {
    pub fn new(target: f64, step: f64) -> Self {
        let mut da = DualAveraging {
            target,
            mu: 0.0,
            s_bar: 0.0,
            x_bar: 0.0,
            counter: 0.0,
        };
        da.restart(step);
        da
    }

    /// Starts over around `step`, biased towards larger steps: an overly
    /// large first guess costs one rejected trajectory, a small one many
    /// leapfrog steps.
    pub fn restart(&mut self, step: f64) {
        self.mu = libm::log(10.0 * step);
        self.s_bar = 0.0;
        self.x_bar = 0.0;
        self.counter = 0.0;
    }

    pub fn set_target(&mut self, target: f64) {
        self.target = target;
    }

    /// Feeds one acceptance statistic and returns the next step size.
    pub fn update(&mut self, accept_stat: f64) -> f64 {
        self.counter += 1.0;
        let stat = if accept_stat.is_nan() {
            0.0
        } else {
            accept_stat.min(1.0)
        };
        let eta = 1.0 / (self.counter + T0);
        self.s_bar = (1.0 - eta) * self.s_bar + eta * (self.target - stat);
        let x = self.mu - self.s_bar * self.counter.sqrt() / GAMMA;
        let x_eta = libm::pow(self.counter, -KAPPA);
        self.x_bar = (1.0 - x_eta) * self.x_bar + x_eta * x;
        libm::exp(x)
    }

    /// The averaged step size, used after warm-up.
    pub fn final_step(&self) -> f64 {
        libm::exp(self.x_bar)
    }
}

/// Robbins–Monro on the log of a proposal scale: moves it up when the
/// acceptance probability is above the target and down when below, with a
/// gain that decays as `n^-0.6`, and reports the average of the log scale
/// over the second half of the iterates (Polyak averaging), which is far
/// steadier than the last iterate. Used for random-walk Metropolis, whose
/// acceptance falls smoothly with the scale.
#[derive(Clone, Debug)]
pub struct ScaleAdaptation {
    target: f64,
    log_scale: f64,
    n: f64,
    /// Log scales of the iterates kept for the average.
    history: Vec<f64>,
}

const RM_DECAY: f64 = 0.6;

impl ScaleAdaptation {
    pub fn new(target: f64, scale: f64) -> Self {
        let mut a = ScaleAdaptation {
            target,
            log_scale: 0.0,
            n: 0.0,
            history: Vec::new(),
        };
        a.restart(scale);
        a
    }

    pub fn restart(&mut self, scale: f64) {
        self.log_scale = libm::log(scale);
        self.n = 0.0;
        self.history.clear();
    }

    /// Feeds one acceptance probability and returns the next scale.
    pub fn update(&mut self, accept_prob: f64) -> f64 {
        self.n += 1.0;
        let p = if accept_prob.is_nan() {
            0.0
        } else {
            accept_prob.clamp(0.0, 1.0)
        };
        // The first steps may move the scale by a factor of e or so: a
        // bad starting scale is fixed within a few dozen iterations.
        self.log_scale += 3.0 * libm::pow(self.n, -RM_DECAY) * (p - self.target);
        self.history.push(self.log_scale);
        libm::exp(self.log_scale)
    }

    /// The average scale over the second half of the iterates since the
    /// last restart.
    pub fn final_scale(&self) -> f64 {
        let tail = &self.history[self.history.len() / 2..];
        if tail.is_empty() {
            return libm::exp(self.log_scale);
        }
        libm::exp(tail.iter().sum::<f64>() / tail.len() as f64)
    }
}

/// Stan's warm-up schedule: a fast initial phase (75 iterations), metric
/// windows of 25, 50, 100, ... iterations, and a final fast phase (50)
/// in which only the step size adapts. Short warm-ups shrink every phase
/// in proportion; below 20 iterations the metric is not adapted at all.
#[derive(Clone, Debug)]
pub struct Windows {
    warmup: usize,
    init_buffer: usize,
    term_buffer: usize,
    window_size: usize,
    next_end: usize,
    counter: usize,
    enabled: bool,
}

/// What the schedule says about the iteration just completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowStep {
    /// Add this draw to the metric estimate.
    pub collect: bool,
    /// The window is complete: update the metric and restart.
    pub close: bool,
}

impl Windows {
    pub fn new(warmup: usize) -> Self {
        Self::with_final_phase(warmup, 50)
    }

    /// The same schedule with a final phase of `term` iterations (at most
    /// a fifth of the warm-up) in place of Stan's 50: random-walk
    /// Metropolis learns its scale from single accept/reject outcomes and
    /// needs a longer one.
    pub fn with_final_phase(warmup: usize, term: usize) -> Self {
        let (mut init, mut term, mut base) = (75, term.min(warmup / 5).max(50), 25);
        if init + base + term > warmup {
            init = (0.15 * warmup as f64) as usize;
            term = (0.1 * warmup as f64) as usize;
            base = warmup - (init + term);
        }
        Windows {
            warmup,
            init_buffer: init,
            term_buffer: term,
            window_size: base,
            next_end: (init + base).saturating_sub(1),
            counter: 0,
            enabled: warmup >= 20,
        }
    }

    /// Call once after each warm-up iteration.
    pub fn step(&mut self) -> WindowStep {
        let last = self.warmup - self.term_buffer;
        let collect = self.enabled && self.counter >= self.init_buffer && self.counter < last;
        let close = self.enabled && self.counter == self.next_end && self.counter != self.warmup;
        if close {
            self.plan_next_window(last);
        }
        self.counter += 1;
        WindowStep { collect, close }
    }

    fn plan_next_window(&mut self, last: usize) {
        if self.next_end + 1 == last {
            return;
        }
        self.window_size *= 2;
        self.next_end = self.counter + self.window_size;
        // A window that would leave less than a full one after it takes the
        // rest of the metric phase.
        if self.next_end + 1 != last && self.next_end + 2 * self.window_size >= last {
            self.next_end = last - 1;
        }
    }
}

/// Running mean and variance per coordinate (Welford).
#[derive(Clone, Debug)]
pub struct VarianceEstimator {
    n: f64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl VarianceEstimator {
    pub fn new(dim: usize) -> Self {
        VarianceEstimator {
            n: 0.0,
            mean: vec![0.0; dim],
            m2: vec![0.0; dim],
        }
    }

    pub fn add(&mut self, x: &[f64]) {
        self.n += 1.0;
        for ((m, s), &x) in self.mean.iter_mut().zip(&mut self.m2).zip(x) {
            let d = x - *m;
            *m += d / self.n;
            *s += d * (x - *m);
        }
    }

    /// The sample variances shrunk towards 1e-3, which keeps a short window
    /// from producing a degenerate metric; then the estimator restarts.
    pub fn take_regularized(&mut self, out: &mut [f64]) {
        let n = self.n;
        for (o, s) in out.iter_mut().zip(&self.m2) {
            let var = if n > 1.0 { s / (n - 1.0) } else { 1.0 };
            *o = (n / (n + 5.0)) * var + 1e-3 * (5.0 / (n + 5.0));
        }
        self.n = 0.0;
        self.mean.fill(0.0);
        self.m2.fill(0.0);
    }
}

/// Running mean and covariance matrix (Welford), for the Metropolis
/// proposal.
#[derive(Clone, Debug)]
pub struct CovarianceEstimator {
    n: f64,
    mean: Vec<f64>,
    /// Row-major d x d sums of co-deviations.
    m2: Vec<f64>,
    delta: Vec<f64>,
}

impl CovarianceEstimator {
    pub fn new(dim: usize) -> Self {
        CovarianceEstimator {
            n: 0.0,
            mean: vec![0.0; dim],
            m2: vec![0.0; dim * dim],
            delta: vec![0.0; dim],
        }
    }

    pub fn add(&mut self, x: &[f64]) {
        let d = self.mean.len();
        self.n += 1.0;
        for ((delta, m), &x) in self.delta.iter_mut().zip(&mut self.mean).zip(x) {
            *delta = x - *m;
            *m += *delta / self.n;
        }
        for ((row, &x), m) in self.m2.chunks_exact_mut(d).zip(x).zip(&self.mean) {
            let after = x - m;
            for (cell, delta) in row.iter_mut().zip(&self.delta) {
                *cell += after * delta;
            }
        }
    }

    /// The sample covariance shrunk towards 1e-3 I, as for the variances;
    /// then the estimator restarts.
    pub fn take_regularized(&mut self, out: &mut [f64]) {
        let d = self.mean.len();
        let n = self.n;
        for i in 0..d {
            for j in 0..d {
                let cov = if n > 1.0 {
                    self.m2[i * d + j] / (n - 1.0)
                } else {
                    f64::from(u8::from(i == j))
                };
                let ridge = if i == j {
                    1e-3 * (5.0 / (n + 5.0))
                } else {
                    0.0
                };
                out[i * d + j] = (n / (n + 5.0)) * cov + ridge;
            }
        }
        self.n = 0.0;
        self.mean.fill(0.0);
        self.m2.fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(warmup: usize) -> Vec<(usize, usize)> {
        let mut w = Windows::new(warmup);
        let mut windows = Vec::new();
        let mut start = None;
        for i in 0..warmup {
            let s = w.step();
            if s.collect && start.is_none() {
                start = Some(i);
            }
            if s.close {
                windows.push((start.unwrap(), i));
                start = None;
            }
        }
        windows
    }

    #[test]
    fn the_default_warmup_has_stans_doubling_windows() {
        assert_eq!(
            schedule(1000),
            [(75, 99), (100, 149), (150, 249), (250, 449), (450, 949)]
        );
    }

    #[test]
    fn short_warmups_shrink_and_tiny_ones_skip_the_metric() {
        // 15% initial and 10% final buffers around one window.
        assert_eq!(schedule(100), [(15, 89)]);
        assert!(schedule(19).is_empty());
    }

    #[test]
    fn dual_averaging_finds_the_step_that_hits_the_target() {
        // A model where acceptance falls as the step grows: exp(-step).
        let mut da = DualAveraging::new(0.8, 1.0);
        let mut step = 1.0;
        // The average keeps its early iterates, so it converges slowly.
        for _ in 0..20_000 {
            step = da.update(libm::exp(-step));
        }
        let want = -libm::log(0.8);
        assert!(
            (da.final_step() - want).abs() < 0.01 * want,
            "{}",
            da.final_step()
        );
        assert!(step > 0.0);
    }

    #[test]
    fn robbins_monro_settles_where_acceptance_meets_the_target() {
        // Acceptance exp(-scale): the target 0.234 is met at -ln(0.234).
        let mut rm = ScaleAdaptation::new(0.234, 10.0);
        let mut rng = toolhost_rng::Rng::stream(1, 0);
        let mut scale = 10.0;
        for _ in 0..1000 {
            // Noisy as Metropolis': an accept/reject outcome, not its mean.
            let accepted = rng.uniform() < libm::exp(-scale);
            scale = rm.update(if accepted { 1.0 } else { 0.0 });
        }
        let want = -libm::log(0.234);
        let got = rm.final_scale();
        assert!((got - want).abs() < 0.15 * want, "{got} vs {want}");
    }

    #[test]
    fn metropolis_gets_a_longer_final_phase() {
        let mut w = Windows::with_final_phase(5000, 1000);
        let mut last_close = 0;
        for i in 0..5000 {
            if w.step().close {
                last_close = i;
            }
        }
        assert_eq!(last_close, 3999);
    }

    #[test]
    fn welford_matches_the_two_pass_formulas() {
        let xs = [[1.0, 2.0], [3.0, 1.0], [4.0, 7.0], [-1.0, 0.5]];
        let mut v = VarianceEstimator::new(2);
        let mut c = CovarianceEstimator::new(2);
        for x in &xs {
            v.add(x);
            c.add(x);
        }
        let n = 4.0;
        let mean = [7.0 / n, 10.5 / n];
        let mut cov = [0.0; 4];
        for x in &xs {
            for i in 0..2 {
                for j in 0..2 {
                    cov[i * 2 + j] += (x[i] - mean[i]) * (x[j] - mean[j]) / (n - 1.0);
                }
            }
        }
        let shrink = |c: f64, diag: bool| {
            (n / (n + 5.0)) * c + if diag { 1e-3 * 5.0 / (n + 5.0) } else { 0.0 }
        };
        let mut var = [0.0; 2];
        v.take_regularized(&mut var);
        let mut full = [0.0; 4];
        c.take_regularized(&mut full);
        for i in 0..2 {
            assert!((var[i] - shrink(cov[i * 3], true)).abs() < 1e-12);
            for j in 0..2 {
                assert!((full[i * 2 + j] - shrink(cov[i * 2 + j], i == j)).abs() < 1e-12);
            }
        }
    }
}
