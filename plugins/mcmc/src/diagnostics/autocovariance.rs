//! Autocovariances averaged over chains, summed directly for the first
//! lags and by FFT for all of them once a chain remembers further back.

use crate::fft::mean_autocovariance;

use super::draws::mean;

/// Lags summed directly before switching to the FFT.
pub(super) const DIRECT_LAGS: usize = 64;

/// Four running sums instead of one, so that the additions do not wait on
/// each other: several times faster, and the same on every platform.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (a4, a_rest) = a.as_chunks::<4>();
    let (b4, b_rest) = b.as_chunks::<4>();
    for (x, y) in a4.iter().zip(b4) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Autocovariances averaged over chains, computed on demand: directly for
/// the first lags, by FFT for all of them once more are asked for.
pub(super) struct MeanAutocovariance<'a> {
    chains: &'a [&'a [f64]],
    centred: Vec<Vec<f64>>,
    acov: Vec<f64>,
    complete: bool,
}

impl<'a> MeanAutocovariance<'a> {
    pub(super) fn new(chains: &'a [&'a [f64]]) -> Self {
        let centred = chains
            .iter()
            .map(|c| {
                let m = mean(c);
                c.iter().map(|x| x - m).collect()
            })
            .collect();
        MeanAutocovariance {
            chains,
            centred,
            acov: Vec::new(),
            complete: false,
        }
    }

    pub(super) fn at(&mut self, lag: usize) -> f64 {
        while lag >= self.acov.len() && !self.complete {
            if self.acov.len() < DIRECT_LAGS && !self.remembers_far() {
                self.push_direct();
            } else {
                self.compute_all();
            }
        }
        self.acov.get(lag).copied().unwrap_or(0.0)
    }

    /// After a few lags, a correlation still above a half means Geyer's sum
    /// will run well past the direct lags (its length is several times the
    /// lag at which the correlation halves): go to the FFT at once rather
    /// than sum dozens of lags directly first.
    fn remembers_far(&self) -> bool {
        const PROBE: usize = 8;
        self.acov.len() >= PROBE && self.acov[PROBE - 1] > 0.5 * self.acov[0]
    }

    /// The biased estimate sum_i x_i x_(i+t) / n, as the FFT computes it.
    fn push_direct(&mut self) {
        let t = self.acov.len();
        let m = self.centred.len() as f64;
        let mut sum = 0.0;
        for c in &self.centred {
            let n = c.len();
            if t >= n {
                continue;
            }
            sum += dot(&c[..n - t], &c[t..]) / n as f64;
        }
        self.acov.push(sum / m);
        if self.acov.len() >= self.centred.first().map_or(0, Vec::len) {
            self.complete = true;
        }
    }

    pub(super) fn compute_all(&mut self) {
        self.acov = mean_autocovariance(self.chains);
        self.complete = true;
    }
}
